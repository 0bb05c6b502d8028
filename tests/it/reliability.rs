//! What survives crashes, signals and a misbehaving Gateway; what never reaches a log.

use std::time::Duration;

use crate::common::app::{
    BOT_TOKEN, GATEWAY_TOKEN, PHONE, PHONE_E164, TestApp, assert_opens_with, assert_says,
    assert_start_up_refused,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_verification_survives_kill_9() {
    let mut app = TestApp::spawn().await;
    app.verify_to_the_end(PHONE).await;

    // A second verification is pending when the process is killed without warning.
    let sent = app.say(&format!("/verify {PHONE}")).await;
    assert_opens_with(&sent, "📨");
    let pending_request = app.gateway.last_request_id().unwrap();
    app.kill9().await;
    app.start().await;

    let status = app.say("/status").await;
    assert_says(&status, "Open verification");
    let verdict = app.say(&app.customer_code()).await;
    assert_opens_with(&verdict, "✅");
    let last_check = app
        .gateway
        .calls()
        .into_iter()
        .rfind(|c| c.method == "checkVerificationStatus")
        .expect("the code was checked");
    assert_eq!(last_check.params["request_id"], pending_request.as_str());
    assert_eq!(app.gateway.count("sendVerificationMessage"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_and_sigint_stop_cleanly_with_exit_code_0() {
    let mut app = TestApp::spawn().await;
    app.say("/start").await;
    app.assert_stops_cleanly(libc::SIGTERM).await;
    app.start().await;
    app.assert_stops_cleanly(libc::SIGINT).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_refusals_are_explained_and_the_bot_keeps_serving() {
    let app = TestApp::spawn().await;
    let cases = [
        ("FLOOD_WAIT_42", "Try again in 42~seconds"),
        ("PHONE_NUMBER_NOT_FOUND", "can’t receive codes on Telegram"),
        ("PHONE_NUMBER_INVALID", "does not accept this phone number"),
        ("ACCESS_TOKEN_INVALID", "GATEWAY_TOKEN"),
        ("SOMETHING_NEW", "SOMETHING_NEW"),
    ];
    for (error, expected) in cases {
        app.gateway.fail_next(error);
        let reply = app.say(&format!("/verify {PHONE}")).await;
        assert_opens_with(&reply, "⚠️");
        assert_says(&reply, expected);
        assert_says(&reply, "No code was sent");
        // Nothing was paid for: no free check offered, no button.
        assert!(!reply.text.contains("for free"), "{}", reply.text);
        assert!(reply.inline_buttons().is_empty(), "{reply:?}");
    }
    // An empty balance is told to staff, and to the admins (here the same person) once.
    app.gateway.fail_next("BALANCE_NOT_ENOUGH");
    let admin = app.admin.clone();
    let messages = app
        .say_and_collect(&admin, app.chat(), &format!("/verify {PHONE}"), 2)
        .await;
    let reply = messages.iter().find(|m| m.text.starts_with("⚠️")).unwrap();
    assert_says(reply, "balance is too low");
    // A customer at the counter can still be checked for free.
    assert_says(
        reply,
        "check their number for free instead: tap <b>Show a QR code</b>",
    );
    let labels: Vec<String> = reply.inline_buttons().into_iter().map(|(l, _)| l).collect();
    assert_eq!(labels, ["📷 Show a QR code"]);
    assert_eq!(
        app.press(&admin, reply, "qrq").await,
        "📷 The QR code is in the chat"
    );
    assert!(
        messages.iter().any(|m| m.text.starts_with("💰")),
        "{messages:?}"
    );
    // Nothing stayed open, and the next /verify goes through.
    let sent = app.say(&format!("/verify {PHONE}")).await;
    assert_opens_with(&sent, "📨");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_error_page_or_silence_gets_a_clear_reply() {
    let app = TestApp::spawn().await;
    app.gateway.respond_raw_next(
        502,
        "text/html",
        "<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>",
    );
    let reply = app.say(&format!("/verify {PHONE}")).await;
    assert_opens_with(&reply, "⚠️");
    assert_says(&reply, "HTTP 502");
    assert!(!reply.text.contains("nginx"), "{}", reply.text);

    app.gateway.set_error_status(400);
    app.gateway.fail_next("PHONE_NUMBER_INVALID");
    let reply = app.say(&format!("/verify {PHONE}")).await;
    assert_says(&reply, "does not accept this phone number");

    // GATEWAY_TIMEOUT is 2 s in tests.
    app.gateway.set_delay(Duration::from_secs(4));
    let reply = app.say(&format!("/verify {PHONE}")).await;
    assert_opens_with(&reply, "⚠️");
    assert_says(&reply, "did not answer in time");
    app.gateway.set_delay(Duration::ZERO);

    let sent = app.say(&format!("/verify {PHONE}")).await;
    assert_opens_with(&sent, "📨");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_check_keeps_the_verification_open() {
    let app = TestApp::spawn().await;
    app.say(&format!("/verify {PHONE}")).await;
    app.gateway
        .respond_raw_next(502, "text/html", "<html>Bad Gateway</html>");
    let reply = app.say(&app.customer_code()).await;
    assert_opens_with(&reply, "⚠️");
    assert_says(&reply, "still open");

    app.gateway.fail_next("FLOOD_WAIT_3");
    let reply = app.say(&app.customer_code()).await;
    assert_says(&reply, "3~seconds");

    let verdict = app.say(&app.customer_code()).await;
    assert_opens_with(&verdict, "✅");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_hold_no_token_and_no_full_phone_number_even_at_trace_level() {
    let app = TestApp::spawn_with(&[("ADMIN_IDS", "1001"), ("RUST_LOG", "trace")]).await;
    app.say(&format!("/verify {PHONE}")).await;
    app.say("000000").await;
    app.say(&app.customer_code()).await;
    app.say("/status").await;
    let logs = app.logs();
    assert!(logs.contains("code checked"), "{logs}");
    assert!(!logs.contains(BOT_TOKEN), "bot token in logs:\n{logs}");
    assert!(
        !logs.contains(GATEWAY_TOKEN),
        "gateway token in logs:\n{logs}"
    );
    assert!(
        !logs.contains(PHONE_E164),
        "full phone number in logs:\n{logs}"
    );
    assert!(!logs.contains(PHONE), "full phone number in logs:\n{logs}");
    assert!(
        logs.contains("+44 79•• •••456"),
        "masked phone expected:\n{logs}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_bot_api_is_retried_logged_without_the_token_and_stoppable() {
    // Nothing listens on port 9 here: every Bot API call fails at the network level, whose
    // errors are the ones that can quote a request URL (which embeds the bot token).
    let mut app = TestApp::new(&[
        ("TELOXIDE_API_URL", "http://127.0.0.1:9"),
        ("RUST_LOG", "trace"),
    ])
    .await;
    app.launch();
    let logs = app
        .wait_for_log("cannot reach the Telegram Bot API (attempt 2)")
        .await;
    assert!(!logs.contains(BOT_TOKEN), "bot token in logs:\n{logs}");
    assert!(
        !logs.contains("AAH-fake"),
        "part of the bot token in logs:\n{logs}"
    );
    app.assert_stops_cleanly(libc::SIGTERM).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_configuration_stops_start_up_with_one_clear_line() {
    let cases = [
        (vec![("CODE_LENGTH", "12")], "CODE_LENGTH is invalid"),
        (vec![("CODE_TTL", "5")], "CODE_TTL is invalid"),
        (vec![("GATEWAY_TOKEN", "")], "GATEWAY_TOKEN is not set"),
        (vec![("ADMIN_IDS", "alice")], "ADMIN_IDS is invalid"),
        (
            vec![("DATABASE_URL", "mysql://db/bot")],
            "DATABASE_URL is invalid",
        ),
    ];
    for (env, expected) in cases {
        assert_start_up_refused(&env, expected).await;
    }
}
