//! Live delivery status: signed Gateway reports (with `PUBLIC_URL`) and the polling fallback
//! (without), shown by editing the staff's "code sent" message in place.

use std::time::Duration;

use crate::common::app::{
    GATEWAY_TOKEN, PATIENCE, PHONE, PHONE_E164, TestApp, assert_opens_with, assert_start_up_refused,
};
use crate::common::fake_gateway::{GatewayCall, sign_report};
use crate::common::fake_telegram::{ApiCall, SentMessage, TgUser};
use crate::common::http::unix_now;
use serde_json::json;

const PUBLIC_URL: &str = "https://bot.example.com";
const CALLBACK_URL: &str = "https://bot.example.com/gateway/report";

/// The bot with `PUBLIC_URL` set (and a fast poll interval, to show that it does not poll), the
/// fake Gateway delivering its reports to the bot's loopback address.
async fn app_with_reports() -> TestApp {
    let app = TestApp::spawn_with(&[
        ("ADMIN_IDS", "1001,1002"),
        ("PUBLIC_URL", PUBLIC_URL),
        ("STATUS_POLL_SECS", "1"),
    ])
    .await;
    app.gateway.route_reports_to(&app.http_url());
    app
}

/// Sends a code; returns the "code sent" message and the Gateway request id.
async fn send_code(app: &TestApp) -> (SentMessage, String) {
    let sent = app.say(&format!("/verify {PHONE}")).await;
    assert_opens_with(&sent, "📨");
    (
        sent,
        app.gateway.last_request_id().expect("a code was sent"),
    )
}

/// Waits for the `n`th edit of a message, for at most `within`; returns it.
async fn nth_edit(app: &TestApp, n: usize, within: Duration) -> ApiCall {
    let edits = app
        .telegram
        .wait_for_call("editMessageText", n, within)
        .await;
    edits[n - 1].clone()
}

fn text(edit: &ApiCall) -> &str {
    edit.params["text"].as_str().unwrap_or_default()
}

/// Fails with the whole text unless the edit shows `needle`.
#[track_caller]
fn assert_shows(edit: &ApiCall, needle: &str) {
    assert!(
        text(edit).contains(needle),
        "expected {needle:?} in the edit:\n{}",
        text(edit)
    );
}

/// A report body as the Gateway would send it, with this delivery status.
fn report(request_id: &str, status: &str, updated_at: i64) -> String {
    json!({
        "request_id": request_id, "phone_number": PHONE_E164, "request_cost": 0.01,
        "is_refunded": false, "delivery_status": {"status": status, "updated_at": updated_at},
    })
    .to_string()
}

/// The edits of the admin's chat once the bot has shown every delivery change it was told of
/// before this call. A colleague's verification, in another chat, gets a report: the bot shows
/// changes one at a time, in order, so once that edit arrives the earlier ones would have too.
async fn edits_once_settled(app: &TestApp) -> usize {
    let colleague = TgUser::new(COLLEAGUE, "Bob");
    let sent = app
        .say_as(
            &colleague,
            COLLEAGUE as i64,
            &format!("/verify {OTHER_PHONE}"),
        )
        .await;
    assert_opens_with(&sent, "📨");
    let request = app.gateway.last_request_id().unwrap();
    assert_eq!(app.gateway.deliver_report(&request, "delivered").await, 200);
    let in_chat = |edit: &ApiCall, chat: i64| edit.params["chat_id"] == chat;
    let barrier = |edit: &ApiCall| in_chat(edit, COLLEAGUE as i64);
    app.telegram
        .wait_for_calls_where("editMessageText", 1, PATIENCE, barrier)
        .await;
    let edits = app.telegram.calls_to("editMessageText");
    edits.iter().filter(|e| in_chat(e, app.chat())).count()
}

/// Whether `call` asked for `request_id`'s status without a code (a poll).
fn is_poll_of(call: &GatewayCall, request_id: &str) -> bool {
    call.method == "checkVerificationStatus"
        && call.params.get("code").is_none()
        && call.params["request_id"] == request_id
}

/// How often the Gateway was asked for `request_id`'s status without a code.
fn polls_of(app: &TestApp, request_id: &str) -> usize {
    let calls = app.gateway.calls();
    calls.iter().filter(|c| is_poll_of(c, request_id)).count()
}

/// A second admin, whose chat serves as the barrier of [`edits_once_settled`].
const COLLEAGUE: u64 = 1002;
const OTHER_PHONE: &str = "+7 916 123-45-67";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_report_edits_the_code_sent_message_in_place() {
    let app = app_with_reports().await;
    let (sent, request_id) = send_code(&app).await;
    let send = &app.gateway.calls()[0];
    assert_eq!(send.params["callback_url"], CALLBACK_URL);

    assert_eq!(
        app.gateway.deliver_report(&request_id, "delivered").await,
        200
    );
    let delivered = nth_edit(&app, 1, PATIENCE).await;
    assert_eq!(delivered.params["chat_id"], json!(app.chat()));
    assert_eq!(delivered.params["message_id"], json!(sent.message_id));
    assert_eq!(delivered.params["parse_mode"], "HTML");
    assert!(
        text(&delivered).starts_with(&sent.text),
        "{}",
        text(&delivered)
    );
    assert_shows(&delivered, "📬 Delivered");

    assert_eq!(app.gateway.deliver_report(&request_id, "read").await, 200);
    let read = nth_edit(&app, 2, PATIENCE).await;
    assert_shows(&read, "👁 Read");
    let shown = app.telegram.message(app.chat(), sent.message_id).unwrap();
    assert!(
        shown["text"].as_str().unwrap().contains("👁 Read"),
        "{shown}"
    );
    // The edit keeps the Resend / Cancel buttons of the open verification.
    let buttons = shown["reply_markup"]["inline_keyboard"][0]
        .as_array()
        .unwrap();
    assert_eq!(buttons.len(), 2, "{shown}");

    // Edited in place: no message per report. And with PUBLIC_URL nothing is polled.
    assert_eq!(edits_once_settled(&app).await, 2);
    assert_eq!(app.telegram.messages_to(app.chat()).len(), 1);
    assert_eq!(app.gateway.count("checkVerificationStatus"), 0);
    app.wait_for_log("delivery=\"reports\"").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_stale_and_malformed_reports_are_refused_and_change_nothing() {
    let app = app_with_reports().await;
    let (sent, request_id) = send_code(&app).await;
    let body = report(&request_id, "read", unix_now());
    let now = unix_now().to_string();
    let signed = sign_report(GATEWAY_TOKEN, &now, body.as_bytes());

    // 401: missing headers, a signature from another token, a tampered body or timestamp.
    assert_eq!(app.post_report(&body, None, None).await, 401);
    assert_eq!(app.post_report(&body, Some(&now), None).await, 401);
    assert_eq!(app.post_report(&body, None, Some(&signed)).await, 401);
    let forged = sign_report("not-the-gateway-token", &now, body.as_bytes());
    assert_eq!(app.post_report(&body, Some(&now), Some(&forged)).await, 401);
    let tampered = body.replace("read", "expired");
    assert_eq!(
        app.post_report(&tampered, Some(&now), Some(&signed)).await,
        401
    );
    let later = (unix_now() + 1).to_string();
    assert_eq!(
        app.post_report(&body, Some(&later), Some(&signed)).await,
        401
    );
    // 401: rightly signed, but stale or from the future (REPORT_MAX_AGE is 300 s).
    assert_eq!(app.post_signed_report(&body, unix_now() - 400).await, 401);
    assert_eq!(app.post_signed_report(&body, unix_now() + 400).await, 401);
    // 400: rightly signed, but not a report.
    assert_eq!(app.post_signed_report("not json", unix_now()).await, 400);
    assert_eq!(
        app.post_signed_report(r#"{"status":"read"}"#, unix_now())
            .await,
        400
    );

    assert_eq!(edits_once_settled(&app).await, 0);
    let shown = app.telegram.message(app.chat(), sent.message_id).unwrap();
    assert_eq!(shown["text"], json!(sent.text));

    // The genuine report still goes through (the colleague's edit came first).
    assert_eq!(app.post_signed_report(&body, unix_now()).await, 200);
    let read = nth_edit(&app, 2, PATIENCE).await;
    assert_eq!(read.params["chat_id"], json!(app.chat()));
    assert_shows(&read, "👁 Read");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replayed_older_and_unknown_reports_answer_200_and_change_nothing() {
    let app = app_with_reports().await;
    let (_, request_id) = send_code(&app).await;
    let at = unix_now();
    let read = report(&request_id, "read", at);
    assert_eq!(app.post_signed_report(&read, unix_now()).await, 200);
    assert_shows(&nth_edit(&app, 1, PATIENCE).await, "👁 Read");

    // The Gateway retries: the same report again (signed anew, or replayed verbatim).
    assert_eq!(app.post_signed_report(&read, unix_now()).await, 200);
    let timestamp = unix_now().to_string();
    let signature = sign_report(GATEWAY_TOKEN, &timestamp, read.as_bytes());
    for _ in 0..2 {
        let status = app
            .post_report(&read, Some(&timestamp), Some(&signature))
            .await;
        assert_eq!(status, 200);
    }
    // Older news, sent late: earlier timestamps, or a status the code is already past.
    let delivered = report(&request_id, "delivered", at - 5);
    assert_eq!(app.post_signed_report(&delivered, unix_now()).await, 200);
    let sent_again = report(&request_id, "sent", at + 5);
    assert_eq!(app.post_signed_report(&sent_again, unix_now()).await, 200);
    // A request this bot never sent.
    let stranger = report("no-such-request", "read", at);
    assert_eq!(app.post_signed_report(&stranger, unix_now()).await, 200);

    assert_eq!(edits_once_settled(&app).await, 1);
    assert_eq!(app.telegram.messages_to(app.chat()).len(), 1);
    app.wait_for_log("delivery report for a request we do not know")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_code_shows_the_refund_and_stays_expired() {
    let app = app_with_reports().await;
    let (_, request_id) = send_code(&app).await;

    assert_eq!(
        app.gateway.deliver_report(&request_id, "expired").await,
        200
    );
    let expired = nth_edit(&app, 1, PATIENCE).await;
    assert_shows(&expired, "⌛ Expired unread");
    assert_shows(&expired, "fee refunded");

    // Expired is final, even for a later report.
    let late = report(&request_id, "read", unix_now() + 10);
    assert_eq!(app.post_signed_report(&late, unix_now()).await, 200);
    assert_eq!(edits_once_settled(&app).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_public_url_the_bot_polls_the_delivery_status_until_the_code_is_checked() {
    let app = TestApp::spawn_with(&[("ADMIN_IDS", "1001,1002"), ("STATUS_POLL_SECS", "1")]).await;
    let (sent, request_id) = send_code(&app).await;
    assert_eq!(app.gateway.calls()[0].params.get("callback_url"), None);

    app.gateway.set_delivery_status(&request_id, "delivered");
    let delivered = nth_edit(&app, 1, PATIENCE).await;
    assert_eq!(delivered.params["message_id"], json!(sent.message_id));
    assert_shows(&delivered, "📬 Delivered");
    app.gateway.set_delivery_status(&request_id, "read");
    assert_shows(&nth_edit(&app, 2, PATIENCE).await, "👁 Read");

    let polls = || polls_of(&app, &request_id);
    assert!(polls() >= 2);

    // Closed: no more polling, and no message but the verdict. Two more polling rounds
    // (seen on a colleague's verification, opened after the close) leave it alone.
    assert_opens_with(&app.say(&app.customer_code()).await, "✅");
    let after_close = polls();
    let colleague = TgUser::new(1002, "Bob");
    assert_opens_with(
        &app.say_as(&colleague, 1002, "/verify +7 916 123-45-67")
            .await,
        "📨",
    );
    let barrier = app.gateway.last_request_id().unwrap();
    let barrier_poll = |call: &GatewayCall| is_poll_of(call, &barrier);
    app.gateway.wait_for_calls(2, PATIENCE, barrier_poll).await;
    assert_eq!(polls(), after_close);
    assert_eq!(app.telegram.messages_to(app.chat()).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_url_that_is_not_https_or_too_long_stops_start_up() {
    let too_long = format!("https://bot.example.com/{}", "a".repeat(220));
    let cases = [
        (
            "http://bot.example.com",
            "PUBLIC_URL is invalid: must start with https://",
        ),
        (
            too_long.as_str(),
            "PUBLIC_URL is invalid: the delivery report URL",
        ),
    ];
    for (public_url, expected) in cases {
        assert_start_up_refused(&[("PUBLIC_URL", public_url)], expected).await;
    }
}
