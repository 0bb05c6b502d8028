//! Events' delivery as operators see it, end to end: when delivery to `EVENTS_URL` has been
//! failing for an hour the admins are told once, in their private chat, with the last error;
//! when it works again they are told once more. `/metrics` counts delivered, retried and
//! given-up events and shows how old the oldest waiting one is. Delivered events are pruned
//! after a week.

use crate::common::app::{PATIENCE, PHONE, TestApp, assert_says, eventually};
use crate::common::fake_telegram::SentMessage;
use crate::common::receiver::{Answer, Receiver, SECRET};
use crate::on_test_db;

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

/// The value of the metric line that starts with `name` (labels included), if there is one.
async fn metric(app: &TestApp, name: &str) -> Option<f64> {
    let text = app.get("/metrics").await.body;
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn metrics_count_delivered_retried_and_given_up_events_and_the_oldest_ones_age() {
    let receiver = Receiver::start().await;
    receiver.answer_from_now_on(Answer::Status(500));
    let url = receiver.url();
    let app = TestApp::spawn_with_admin(&[
        ("EVENTS_URL", url.as_str()),
        ("EVENTS_SECRET", SECRET),
        ("EVENTS_MAX_AGE", "60"),
        ("VERIFY_BOT_TEST_EVENTS_SCHEDULE", "0,1"),
    ])
    .await;
    let retried = r#"verify_bot_events_total{outcome="retried"}"#;
    let given_up = r#"verify_bot_events_total{outcome="given_up"}"#;
    let delivered = r#"verify_bot_events_total{outcome="delivered"}"#;
    let oldest = "verify_bot_events_oldest_pending_seconds";
    // Counted from zero.
    eventually("the counters at zero", async || {
        (metric(&app, delivered).await == Some(0.0)).then_some(())
    })
    .await;
    assert_eq!(metric(&app, oldest).await, Some(0.0));

    app.verify_to_the_end(PHONE).await;
    // The second failure is counted before the third attempt.
    receiver.wait_for_deliveries(3, PATIENCE).await;
    assert!(metric(&app, retried).await >= Some(2.0));
    assert_eq!(metric(&app, given_up).await, Some(0.0));
    app.advance_clock(30);
    receiver.bot_clock_moved(30);
    assert!(metric(&app, oldest).await >= Some(30.0));

    // Past EVENTS_MAX_AGE both events of the verification are given up, one after the other.
    app.advance_clock(31);
    receiver.bot_clock_moved(31);
    eventually("both events given up", async || {
        (metric(&app, given_up).await == Some(2.0)).then_some(())
    })
    .await;
    assert_eq!(metric(&app, oldest).await, Some(0.0));

    receiver.answer_from_now_on(Answer::Status(200));
    app.verify_to_the_end(PHONE).await;
    receiver.wait_for_events(2, PATIENCE).await;
    eventually("two delivered", async || {
        (metric(&app, delivered).await == Some(2.0)).then_some(())
    })
    .await;
    assert_eq!(metric(&app, given_up).await, Some(2.0));
}

#[tokio::test]
async fn delivered_events_are_pruned_after_a_week() {
    let receiver = Receiver::start().await;
    let url = receiver.url();
    let app =
        TestApp::spawn_with_admin(&[("EVENTS_URL", url.as_str()), ("EVENTS_SECRET", SECRET)]).await;
    app.verify_to_the_end(PHONE).await;
    receiver.wait_for_events(2, PATIENCE).await;
    let db = app.database().await;
    let sql = "SELECT verification_id FROM event_outbox ORDER BY id";
    let outbox = async || -> Vec<i64> {
        on_test_db!(db, pool => sqlx::query_scalar(sql).fetch_all(pool).await).unwrap()
    };
    assert_eq!(outbox().await, [1, 1], "kept while younger than a week");

    // A week and an hour later the next daily housekeeping deletes them; newer ones stay.
    let week_and_an_hour = 7 * 86_400 + 3600;
    app.advance_clock(week_and_an_hour);
    receiver.bot_clock_moved(week_and_an_hour);
    app.verify_to_the_end(PHONE).await;
    receiver.wait_for_events(4, PATIENCE).await;
    eventually("the week-old events pruned", async || {
        (outbox().await == [2, 2]).then_some(())
    })
    .await;
}
