//! Events' alerts, end to end: when delivery to `EVENTS_URL` has been failing for an hour the
//! admins are told once, in their private chat, with the last error; when it works again they
//! are told once more.

use crate::common::app::{PATIENCE, PHONE, TestApp, assert_says};
use crate::common::fake_telegram::SentMessage;
use crate::common::receiver::{Answer, Receiver, SECRET};

/// The bot's messages to the admin that are events alerts (📡).
fn alerts(app: &TestApp) -> Vec<SentMessage> {
    let mut messages = app.telegram.messages_to(app.chat());
    messages.retain(|m| m.text.starts_with("📡"));
    messages
}

#[tokio::test]
async fn admins_are_told_once_after_an_hour_of_failures_and_once_when_it_recovers() {
    let receiver = Receiver::start().await;
    receiver.answer_from_now_on(Answer::Status(500));
    let url = receiver.url();
    let app = TestApp::spawn_with_admin(&[
        ("EVENTS_URL", url.as_str()),
        ("EVENTS_SECRET", SECRET),
        ("VERIFY_BOT_TEST_EVENTS_SCHEDULE", "0,1"),
    ])
    .await;
    app.verify_to_the_end(PHONE).await;
    // Failing, but not for an hour yet: three attempts, no alert.
    receiver.wait_for_deliveries(3, PATIENCE).await;
    assert!(alerts(&app).is_empty(), "{:?}", alerts(&app));

    // An hour later the next failure tells the admins, once.
    app.advance_clock(3600);
    receiver.bot_clock_moved(3600);
    let told = app
        .telegram
        .wait_for_messages_where(app.chat(), 1, PATIENCE, |m| m.text.starts_with("📡"))
        .await;
    assert_says(&told[0], "EVENTS_URL");
    assert_says(&told[0], "HTTP 500");
    let seen = receiver.deliveries().len();
    receiver.wait_for_deliveries(seen + 3, PATIENCE).await;
    assert_eq!(alerts(&app).len(), 1, "told once: {:?}", alerts(&app));

    // It works again: every event arrives, and the admins hear so once.
    receiver.answer_from_now_on(Answer::Status(200));
    receiver.wait_for_events(2, PATIENCE).await;
    let told = app
        .telegram
        .wait_for_messages_where(app.chat(), 2, PATIENCE, |m| m.text.starts_with("📡"))
        .await;
    assert_says(&told[1], "again");
    let events = receiver.events();
    let kinds: Vec<String> = events.iter().map(|e| e.kind()).collect();
    assert_eq!(kinds, ["verification.sent", "verification.verified"]);
    // More events, delivered at once, tell nobody anything more.
    app.verify_to_the_end(PHONE).await;
    receiver.wait_for_events(4, PATIENCE).await;
    assert_eq!(alerts(&app).len(), 2, "{:?}", alerts(&app));
}
