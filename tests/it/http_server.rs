//! The HTTP server every deployment has: `/healthz` and `/metrics` on `HTTP_ADDR`.

use std::str::FromStr;

use crate::common::app::{PHONE, TestApp, assert_opens_with};
use sqlx::ConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_answers_200_while_the_database_answers_and_503_when_it_does_not() {
    crate::sqlite_only!();
    let app = TestApp::spawn().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status, 200, "{}", health.body);
    assert!(health.content_type.starts_with("application/json"));
    let body: serde_json::Value = serde_json::from_str(&health.body).unwrap();
    assert_eq!(body["status"], "ok");

    // Another process holds the database's write lock: the bot can no longer record anything.
    let url = format!("sqlite://{}", app.database_path().display());
    let mut hog = SqliteConnectOptions::from_str(&url)
        .unwrap()
        .connect()
        .await
        .unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut hog)
        .await
        .unwrap();
    let health = app.get("/healthz").await;
    assert_eq!(health.status, 503, "{}", health.body);
    assert!(!health.body.contains("sqlite"), "{}", health.body);

    sqlx::query("ROLLBACK").execute(&mut hog).await.unwrap();
    drop(hog);
    app.wait_until_healthy().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_updates_gateway_calls_verifications_and_money() {
    let app = TestApp::spawn().await;
    app.verify_to_the_end(PHONE).await;
    app.gateway.fail_next("PHONE_NUMBER_INVALID");
    assert_opens_with(&app.say(&format!("/verify {PHONE}")).await, "⚠️");

    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status, 200);
    assert!(
        metrics.content_type.starts_with("text/plain"),
        "{}",
        metrics.content_type
    );
    let text = metrics.body;
    for line in [
        r#"verify_bot_updates_total{kind="message"} 3"#,
        r#"verify_bot_gateway_calls_total{method="sendVerificationMessage",outcome="ok"} 1"#,
        r#"verify_bot_gateway_calls_total{method="sendVerificationMessage",outcome="api_error"} 1"#,
        r#"verify_bot_gateway_calls_total{method="checkVerificationStatus",outcome="ok"} 1"#,
        r#"verify_bot_gateway_call_duration_seconds_count{method="sendVerificationMessage"} 2"#,
        r#"verify_bot_verifications{status="verified"} 1"#,
        r#"verify_bot_verifications{status="failed"} 1"#,
        "verify_bot_money_spent_credits 0.01",
    ] {
        assert!(text.lines().any(|l| l == line), "no {line:?} in:\n{text}");
    }
    assert!(
        text.contains(r#"verify_bot_gateway_call_duration_seconds_bucket{method="sendVerificationMessage",le="0.5"}"#),
        "{text}"
    );
    assert!(text.contains("# TYPE verify_bot_gateway_call_duration_seconds histogram"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_http_port_stops_start_up_with_a_clear_line() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let app = TestApp::new(&[("ADMIN_IDS", "1001"), ("HTTP_ADDR", addr.as_str())]).await;
    let output = app.run_to_completion().await;
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let expected = format!("cannot listen on HTTP_ADDR={addr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains(&expected)).collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(stderr.lines().count() <= 2, "{stderr}");
}
