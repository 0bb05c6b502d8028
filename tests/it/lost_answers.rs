//! Every cent counted, no number locked: a send whose outcome the bot does not know may have
//! been charged, so it counts toward every limit; no row stays `sending`; a crash between the
//! Gateway's answer and the database write loses nothing a delivery report can bring back; and
//! several processes on one database never undo each other's sends.

use std::time::Duration;

use crate::common::app::{PHONE, PHONE_E164, TestApp, assert_opens_with, assert_says};
use crate::common::fake_telegram::TgUser;
use sqlx::Connection;

use crate::on_test_db;

const OTHER_PHONE: &str = "+7 916 123-45-67";

/// The status and error of the latest verification.
async fn latest(app: &TestApp) -> (String, Option<String>) {
    let db = app.database().await;
    let sql = "SELECT status, error FROM verifications ORDER BY id DESC LIMIT 1";
    on_test_db!(db, pool => sqlx::query_as(sql).fetch_one(pool).await).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_page_or_a_timeout_counts_as_a_paid_send_for_every_limit() {
    let app = TestApp::spawn_with(&[
        ("ADMIN_IDS", "1001"),
        ("RESEND_COOLDOWN", "60"),
        ("DAILY_BUDGET", "0.02"),
    ])
    .await;
    // A proxy's 502 page: the send may have gone through.
    app.gateway
        .respond_raw_next(502, "text/html", "<html><h1>502 Bad Gateway</h1></html>");
    let told = app.say(&format!("/verify {PHONE}")).await;
    assert_opens_with(&told, "⚠️");
    assert_says(&told, "can’t tell whether a code was sent");
    assert_says(&told, "Ask the customer whether a code arrived. If it did,");
    assert_says(&told, "/qr checks the number for free now");
    assert_says(&told, "If it didn’t, you can send another");

    // An immediate second try is held by the cooldown, as after a real send: nothing is paid.
    let again = app.say(&format!("/verify {PHONE}")).await;
    assert_opens_with(&again, "🚦");
    assert_eq!(app.gateway.count("sendVerificationMessage"), 1);

    // A timeout (GATEWAY_TIMEOUT is 2 s in tests) counts too: with two possibly paid sends at
    // the last known price, the $0.02 budget is used up.
    app.gateway.set_delay(Duration::from_secs(3));
    let told = app.say(&format!("/verify {OTHER_PHONE}")).await;
    assert_says(&told, "can’t tell whether a code was sent");
    app.gateway.set_delay(Duration::ZERO);
    let refused = app.say("/verify +49 1512 3456789").await;
    assert_opens_with(&refused, "🚦");
    assert_says(&refused, "budget");
    assert_eq!(app.gateway.count("sendVerificationMessage"), 2);
    assert_eq!(latest(&app).await.0, "failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_error_after_a_paid_send_tells_the_truth_and_locks_nothing() {
    crate::sqlite_only!();
    let app = TestApp::spawn_with(&[
        ("ADMIN_IDS", "1001"),
        ("RESEND_COOLDOWN", "60"),
        ("GATEWAY_TIMEOUT", "5"),
    ])
    .await;
    app.gateway.set_delay(Duration::from_millis(500));
    app.verify_in_flight(PHONE).await;

    // While the Gateway answers, the database refuses writes for longer than the bot waits
    // for it (5 s): the bot cannot record the answer.
    let url = format!("sqlite://{}", app.database_path().display());
    let mut lock = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut lock)
        .await
        .unwrap();
    app.wait_for_log("the database failed around a send").await;
    sqlx::query("ROLLBACK").execute(&mut lock).await.unwrap();

    let told = app.nth_message(app.chat(), 1).await;
    assert_opens_with(&told, "⚠️");
    assert_says(&told, "can’t tell whether a code was sent");
    assert_says(&told, "could not record");
    // Not left `sending` (which would lock the number), and counted as paid.
    assert_eq!(
        latest(&app).await,
        ("failed".to_owned(), Some("unrecorded".to_owned()))
    );
    app.gateway.set_delay(Duration::ZERO);
    assert_opens_with(&app.say(&format!("/verify {PHONE}")).await, "🚦");
    assert_eq!(app.gateway.count("sendVerificationMessage"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_the_gateways_answer_and_the_write_loses_nothing() {
    let mut app = TestApp::spawn_with(&[
        ("ADMIN_IDS", "1001"),
        ("PUBLIC_URL", "https://verify-bot.example"),
        ("GATEWAY_TIMEOUT", "3"),
    ])
    .await;
    app.gateway.set_delay(Duration::from_secs(2));
    app.verify_in_flight(PHONE).await;
    // The Gateway has sent the code; the bot dies before it hears so.
    app.kill9().await;
    app.gateway.set_delay(Duration::ZERO);
    app.start().await;
    app.gateway.route_reports_to(&app.http_url());
    let request = app.gateway.last_request_id().unwrap();

    // A report that comes while the send may still be in flight is not taken: the Gateway
    // sends it again later.
    assert_eq!(app.gateway.deliver_report(&request, "sent").await, 503);

    // The restarted bot gives the abandoned send up once no call can still be running (3 s +
    // a margin), counts it as paid and says so.
    app.advance_clock(5);
    let told = app.nth_message(app.chat(), 1).await;
    assert_says(&told, "interrupted while sending a code");
    assert_says(&told, "Ask the customer");
    assert_eq!(
        latest(&app).await,
        ("failed".to_owned(), Some("interrupted".to_owned()))
    );

    // The Gateway's delivery report names the verification in its payload: the request is
    // attached again, staff are told, and the code the customer reads out is checked.
    assert_eq!(app.gateway.deliver_report(&request, "delivered").await, 200);
    let resurfaced = app.nth_message(app.chat(), 2).await;
    assert_opens_with(&resurfaced, "📨");
    assert_says(&resurfaced, "after all");
    assert_eq!(resurfaced.inline_buttons().len(), 3);
    let code = app.gateway.code_for(&request).unwrap();
    assert_opens_with(&app.say(&code).await, "✅");
    assert_eq!(app.gateway.count("sendVerificationMessage"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_starting_process_never_touches_a_live_processs_send() {
    let first = TestApp::spawn_with(&[("ADMIN_IDS", "1001,1002"), ("GATEWAY_TIMEOUT", "5")]).await;
    first.gateway.set_delay(Duration::from_secs(3));
    first.verify_in_flight(PHONE).await;

    // A second process starts on the same database while the first one's send is in flight
    // (a rolling restart), and a colleague asks it for the same number.
    let second = first.sibling(&[]).await;
    let colleague = TgUser::new(1002, "Bob");
    let told = second.verify_as(&colleague, PHONE).await;
    assert_opens_with(&told, "⏳");
    assert_eq!(first.gateway.count("sendVerificationMessage"), 1);

    // The first process's send lands, and its code checks out.
    first.held_send_lands_and_checks_out().await;
    let db = first.database().await;
    let sql = "SELECT status FROM verifications WHERE phone = $1 ORDER BY id";
    let statuses: Vec<(String,)> =
        on_test_db!(db, pool => sqlx::query_as(sql).bind(PHONE_E164).fetch_all(pool).await)
            .unwrap();
    assert_eq!(statuses, [("verified".to_owned(),)]);
}
