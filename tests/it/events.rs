//! Events (`EVENTS_URL`), end to end: the real binary posts every change of a verification to a
//! loopback receiver ([`Receiver`], which checks each one as the Standard Webhooks spec tells a
//! consumer to, written from the spec): every type as the README documents it, in order per
//! verification, retried after failures and a hang without a staff reply waiting, nothing lost
//! to `kill -9`, each event once from two processes on PostgreSQL, stopped by `410`, `/events`
//! and `/events resend`, `EVENTS_TYPES`, two secrets while rotating, and bad settings refused.

use std::time::Duration;

use serde_json::{Value, json};

use crate::common::app::{
    ADMIN_ID, PATIENCE, PHONE, PHONE_E164, TestApp, assert_opens_with, assert_says,
    assert_start_up_refused,
};
use crate::common::fake_telegram::{SentMessage, TgUser};
use crate::common::receiver::{Answer, Delivery, NEXT_SECRET, Receiver, SECRET, verify};
use crate::postgres_only;

const OTHER_PHONE: &str = "+7 916 123-45-67";
const OTHER_E164: &str = "+79161234567";
/// Retries a second apart, so the tests need not wait out the spec's 5 s and 5 min.
const FAST_RETRIES: &str = "0,1,1,1,1,1,1,1,1,1";
/// Past the bot's 10 s timeout for a receiver that does not answer.
const PAST_THE_TIMEOUT: Duration = Duration::from_secs(25);

/// `data`'s keys, in the documented order.
const DATA_KEYS: [&str; 14] = [
    "verification_id",
    "phone_number",
    "status",
    "method",
    "staff",
    "chat_id",
    "attempts",
    "cost",
    "refunded",
    "request_id",
    "delivery_status",
    "consent",
    "created_at",
    "closed_at",
];

/// The bot sending events to `receiver` signed with [`SECRET`], retries a second apart, with
/// `extra` settings.
async fn app_sending_to(receiver: &Receiver, extra: &[(&str, &str)]) -> TestApp {
    let url = receiver.url();
    let mut env = vec![
        ("EVENTS_URL", url.as_str()),
        ("EVENTS_SECRET", SECRET),
        ("VERIFY_BOT_TEST_EVENTS_SCHEDULE", FAST_RETRIES),
    ];
    env.extend_from_slice(extra);
    TestApp::spawn_with_admin(&env).await
}

/// Fails unless `delivery` is an event as the README documents it: a signed JSON `POST` to the
/// URL's path, `{"type", "timestamp", "data"}` with `data`'s keys in order, of type `kind`,
/// whose `data` holds `expected` (the keys it names).
#[track_caller]
fn assert_event(delivery: &Delivery, kind: &str, expected: Value) {
    let body = &delivery.body;
    assert_eq!(delivery.verified, Ok(SECRET.to_owned()), "{body}");
    assert_eq!(delivery.method, "POST");
    assert_eq!(delivery.path, "/hooks/verify-bot");
    assert_eq!(delivery.content_type.as_deref(), Some("application/json"));
    let id = delivery.event_id();
    assert!(
        id.len() == 28 && id.starts_with("evt_") && id[4..].bytes().all(|b| b.is_ascii_hexdigit()),
        "webhook-id {id:?} is evt_ and 24 hex digits"
    );
    assert_keys_in_order(body, &["type", "timestamp", "data"]);
    assert_keys_in_order(body, &DATA_KEYS);
    let event = delivery.json();
    assert_eq!(event["type"], kind, "{body}");
    assert_eq!(event.as_object().unwrap().len(), 3, "{body}");
    assert_rfc3339(&event["timestamp"]);
    let data = event["data"].as_object().expect("data is an object");
    assert_eq!(data.len(), DATA_KEYS.len(), "{body}");
    assert_rfc3339(&data["created_at"]);
    if !data["closed_at"].is_null() {
        assert_rfc3339(&data["closed_at"]);
    }
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(&data[key], value, "data.{key} of {kind}: {body}");
    }
}

/// The keys appear in the body in this order (each once).
#[track_caller]
fn assert_keys_in_order(body: &str, keys: &[&str]) {
    let at: Vec<usize> = keys
        .iter()
        .map(|key| {
            let quoted = format!("\"{key}\":");
            assert_eq!(body.matches(&quoted).count(), 1, "{quoted} once in {body}");
            body.find(&quoted).unwrap()
        })
        .collect();
    assert!(at.is_sorted(), "keys {keys:?} in this order in {body}");
}

/// An RFC 3339 time in UTC, to the second: `2026-12-02T10:15:30Z`.
#[track_caller]
fn assert_rfc3339(value: &Value) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("{value} is a string"));
    assert!(text.ends_with('Z') && text.len() == 20, "{text}");
    text.parse::<jiff::Timestamp>()
        .unwrap_or_else(|err| panic!("{text} is RFC 3339: {err}"));
}

/// The types of the events taken for verification `id`, in the order they came.
fn types_of(events: &[Delivery], id: i64) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.verification_id() == id)
        .map(Delivery::kind)
        .collect()
}

/// A code the customer did not get.
fn wrong(code: &str) -> String {
    code.chars()
        .map(|c| {
            if c == '9' {
                '0'
            } else {
                ((c as u8) + 1) as char
            }
        })
        .collect()
}

/// The admin from `ADMIN_IDS`, who has no row among the stored staff: their name is not
/// known to the database (as in `/export`), so it is null.
fn staff_alice() -> Value {
    json!({"id": ADMIN_ID, "name": null, "username": null})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_change_of_a_verification_arrives_signed_and_in_order_as_documented() {
    let receiver = Receiver::start().await;
    let app = app_sending_to(&receiver, &[("PUBLIC_URL", "https://bot.example.com")]).await;
    app.gateway.route_reports_to(&app.http_url());

    // Sent, delivered, read, a wrong code, verified.
    assert_opens_with(&app.say(&format!("/verify {PHONE}")).await, "📨");
    let request = app.gateway.last_request_id().unwrap();
    let code = app.customer_code();
    assert_eq!(app.gateway.deliver_report(&request, "delivered").await, 200);
    assert_eq!(app.gateway.deliver_report(&request, "read").await, 200);
    assert_opens_with(&app.say(&wrong(&code)).await, "❌");
    assert_opens_with(&app.say(&code).await, "✅");
    let events = receiver.wait_for_events(5, PATIENCE).await;
    let first = events[0].verification_id();
    assert_eq!(
        types_of(&events, first),
        [
            "verification.sent",
            "verification.delivered",
            "verification.read",
            "verification.wrong_code",
            "verification.verified"
        ]
    );
    let common = |status: &str, attempts: u32, delivery: &str| {
        json!({
            "verification_id": first,
            "phone_number": PHONE_E164,
            "status": status,
            "method": "code",
            "staff": staff_alice(),
            "chat_id": ADMIN_ID,
            "attempts": attempts,
            "cost": 0.01,
            "refunded": false,
            "request_id": request,
            "delivery_status": delivery,
            "consent": null,
        })
    };
    assert_event(
        &events[1],
        "verification.delivered",
        common("pending", 0, "delivered"),
    );
    assert_event(
        &events[2],
        "verification.read",
        common("pending", 0, "read"),
    );
    assert_event(
        &events[3],
        "verification.wrong_code",
        common("pending", 1, "read"),
    );
    assert_event(
        &events[4],
        "verification.verified",
        common("verified", 2, "read"),
    );
    assert_event(
        &events[0],
        "verification.sent",
        json!({"status": "pending", "attempts": 0}),
    );
    assert!(events[0].json()["data"]["closed_at"].is_null());
    assert!(!events[4].json()["data"]["closed_at"].is_null());
    for event in &events {
        assert!(
            !event.body.contains(&code),
            "never the code: {}",
            event.body
        );
    }

    // Cancelled, and its unread code revoked.
    assert_opens_with(&app.say(&format!("/verify {OTHER_PHONE}")).await, "📨");
    let other = app.gateway.last_request_id().unwrap();
    app.say("/cancel").await;
    assert_eq!(app.gateway.deliver_report(&other, "revoked").await, 200);
    // Too many wrong codes.
    assert_opens_with(&app.say("/verify +49 1512 3456789").await, "📨");
    let third = app.customer_code();
    for _ in 0..3 {
        app.say(&wrong(&third)).await;
    }
    assert_opens_with(&app.say(&wrong(&third)).await, "⛔");
    // Expired.
    assert_opens_with(&app.say("/verify +33 6 12 34 56 78").await, "📨");
    let fourth = app.gateway.last_request_id().unwrap();
    app.gateway.set_delivery_status(&fourth, "expired");
    assert_opens_with(&app.say(&app.customer_code()).await, "⌛");
    // Failed: the number is not on Telegram.
    app.gateway.fail_next("PHONE_NUMBER_NOT_FOUND");
    assert_opens_with(&app.say("/verify +34 612 34 56 78").await, "⚠️");

    let events = receiver.wait_for_events(5 + 3 + 5 + 2 + 1, PATIENCE).await;
    let of = |phone: &str| {
        let event = events
            .iter()
            .find(|e| e.json()["data"]["phone_number"] == phone);
        event.expect("events of the number").verification_id()
    };
    assert_eq!(
        types_of(&events, of(OTHER_E164)),
        [
            "verification.sent",
            "verification.cancelled",
            "verification.revoked"
        ]
    );
    assert_eq!(
        types_of(&events, of("+4915123456789")),
        [
            "verification.sent",
            "verification.wrong_code",
            "verification.wrong_code",
            "verification.wrong_code",
            "verification.max_attempts"
        ]
    );
    assert_eq!(
        types_of(&events, of("+33612345678")),
        ["verification.sent", "verification.expired"]
    );
    assert_eq!(
        types_of(&events, of("+34612345678")),
        ["verification.failed"]
    );
    let expired = events.iter().rfind(|e| e.kind() == "verification.expired");
    assert_event(
        expired.unwrap(),
        "verification.expired",
        json!({"status": "expired", "refunded": true, "attempts": 1}),
    );
    let failed = events.iter().rfind(|e| e.kind() == "verification.failed");
    assert_event(
        failed.unwrap(),
        "verification.failed",
        json!({"status": "failed", "request_id": null, "staff": staff_alice()}),
    );
    let cancelled = events
        .iter()
        .rfind(|e| e.kind() == "verification.cancelled");
    assert_event(
        cancelled.unwrap(),
        "verification.cancelled",
        json!({"status": "cancelled", "request_id": other}),
    );
    for event in &events {
        assert_eq!(event.verified, Ok(SECRET.to_owned()), "{}", event.body);
    }
    // Each event was taken once: nothing was sent twice to a receiver that answered 200.
    assert_eq!(receiver.deliveries().len(), events.len());
    print_examples(&events);
}

/// For the README: `EVENTS_PRINT_EXAMPLES=1 cargo test --test it events::every -- --nocapture`
/// prints one body of each type, as sent.
fn print_examples(events: &[Delivery]) {
    if std::env::var_os("EVENTS_PRINT_EXAMPLES").is_none() {
        return;
    }
    let mut seen = std::collections::HashSet::new();
    for event in events {
        if seen.insert(event.kind()) {
            println!("{}", event.body);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_free_check_by_contact_share_arrives_as_verified_by_contact() {
    let receiver = Receiver::start().await;
    let app = app_sending_to(&receiver, &[]).await;
    let mut bob = TgUser::new(2002, "Bob");
    bob.username = Some("bob_at_the_counter".into());
    app.invite(&bob, "/invite").await;
    let (link, _) = app.qr(&bob, 2002, &format!("/qr {PHONE}")).await;
    let carol = TgUser::new(5705, "Carol");
    app.open(&carol, &link).await;
    let (thanks, _) = app
        .share_and_tell(&carol, "447911123456", Some(5705), 2002)
        .await;
    assert_opens_with(&thanks, "✅");
    let events = receiver.wait_for_events(1, PATIENCE).await;
    assert_event(
        &events[0],
        "verification.verified",
        json!({
            "phone_number": PHONE_E164,
            "status": "verified",
            "method": "contact",
            "staff": {"id": 2002, "name": "Bob", "username": "bob_at_the_counter"},
            "chat_id": 2002,
            "attempts": 0,
            "cost": 0,
            "request_id": null,
        }),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_then_hanging_receiver_gets_every_event_in_order_and_no_reply_waits() {
    let receiver = Receiver::start().await;
    receiver.answer_next([Answer::Status(500), Answer::Status(302), Answer::Hang]);
    receiver.answer_from_now_on(Answer::Status(503));
    let app = app_sending_to(&receiver, &[]).await;

    assert_opens_with(&app.say(&format!("/verify {PHONE}")).await, "📨");
    // The first try is refused (500), the next redirected (302), the third hangs: the staff
    // member's next reply does not wait on it.
    receiver.wait_for_deliveries(3, PATIENCE).await;
    let verdict = app.say(&app.customer_code()).await;
    assert_opens_with(&verdict, "✅");
    assert_eq!(
        receiver.deliveries()[2].answer,
        None,
        "the verdict came while the receiver hung"
    );
    // The hang ends at the bot's timeout; then 503s, until the receiver recovers.
    receiver
        .wait_until("a try after the hang", PAST_THE_TIMEOUT, |d| d.len() >= 4)
        .await;
    receiver.answer_from_now_on(Answer::Status(200));
    let events = receiver.wait_for_events(2, PATIENCE).await;
    let id = events[0].verification_id();
    assert_eq!(
        types_of(&events, id),
        ["verification.sent", "verification.verified"]
    );
    // Every try of the first event carried its one id; the second came only after it.
    let deliveries = receiver.deliveries();
    let first_id = events[0].event_id();
    let tries_of_first = deliveries
        .iter()
        .take_while(|d| d.id.as_deref() == Some(&first_id))
        .count();
    assert!(tries_of_first >= 4, "{deliveries:#?}");
    assert!(
        deliveries[tries_of_first..]
            .iter()
            .all(|d| d.id.as_deref() != Some(&first_id) || !d.accepted()),
        "the first event is taken once"
    );
    for delivery in &deliveries {
        assert!(delivery.verified.is_ok(), "{delivery:?}");
    }
    receiver.stop_hanging();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retry_after_is_honoured() {
    let receiver = Receiver::start().await;
    receiver.answer_next([Answer::RetryAfter(429, "1".into())]);
    let app = app_sending_to(&receiver, &[]).await;
    app.verify_to_the_end(PHONE).await;
    let events = receiver.wait_for_events(2, PATIENCE).await;
    let deliveries = receiver.deliveries();
    assert_eq!(deliveries[0].answer, Some(429));
    assert_eq!(
        deliveries[1].id, deliveries[0].id,
        "the same event, tried again"
    );
    assert_eq!(events[0].kind(), "verification.sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_and_a_restart_lose_no_event() {
    let receiver = Receiver::start().await;
    receiver.answer_from_now_on(Answer::Status(500));
    let mut app = app_sending_to(&receiver, &[]).await;
    app.verify_to_the_end(PHONE).await;
    assert_opens_with(&app.say(&format!("/verify {OTHER_PHONE}")).await, "📨");
    // Killed while it posts: the events it held stay claimed for the lease that keeps other
    // processes off an event in flight (30 s), then are anyone's again.
    receiver.wait_for_deliveries(2, PATIENCE).await;
    app.kill9().await;

    receiver.answer_from_now_on(Answer::Status(200));
    app.start().await;
    app.advance_clock(31);
    receiver.bot_clock_moved(31);
    let events = receiver.wait_for_events(3, PATIENCE).await;
    let first = events.iter().map(Delivery::verification_id).min().unwrap();
    assert_eq!(
        types_of(&events, first),
        ["verification.sent", "verification.verified"]
    );
    let second = events.iter().map(Delivery::verification_id).max().unwrap();
    assert_ne!(first, second);
    assert_eq!(types_of(&events, second), ["verification.sent"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_postgres_deliver_each_event_once_and_in_order() {
    postgres_only!();
    let receiver = Receiver::start().await;
    let first = app_sending_to(&receiver, &[]).await;
    let second = first.sibling(&[]).await;
    // Staff on both processes; the receiver is slow to start with, so events pile up.
    receiver.answer_next([
        Answer::Status(500),
        Answer::Status(500),
        Answer::Status(500),
    ]);
    let phones = ["+44 7911 123401", "+44 7911 123402", "+44 7911 123403"];
    for (n, phone) in phones.iter().enumerate() {
        let app = if n % 2 == 0 { &first } else { &second };
        app.verify_to_the_end(phone).await;
    }
    let events = receiver.wait_for_events(6, PATIENCE).await;
    let mut ids: Vec<i64> = events.iter().map(Delivery::verification_id).collect();
    ids.dedup();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3);
    for id in ids {
        assert_eq!(
            types_of(&events, id),
            ["verification.sent", "verification.verified"]
        );
    }
    let accepted = receiver.accepted();
    assert_eq!(accepted.len(), 6, "each event taken once: {accepted:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_410_stops_delivery_to_the_url_and_admins_are_told() {
    let receiver = Receiver::start().await;
    receiver.answer_from_now_on(Answer::Status(410));
    let app = app_sending_to(&receiver, &[]).await;
    // In a group, so that the alert (to the admin's private chat) cannot come between the code
    // and its verdict.
    let admin = app.admin.clone();
    app.verify_to_the_end_as(&admin, -100_600, PHONE).await;
    receiver.wait_for_deliveries(1, PATIENCE).await;
    app.telegram
        .wait_for_messages_where(app.chat(), 1, PATIENCE, |m| m.text.contains("410"))
        .await;

    app.verify_to_the_end(OTHER_PHONE).await;
    // Asked in a group, the state (with the URL and the last error) goes to the admin's
    // private chat.
    let private = app.telegram.messages_to(app.chat()).len();
    let in_group = app.say_as(&admin, -100_500, "/events").await;
    assert_says(&in_group, "private chat");
    let state = app.nth_message(app.chat(), private + 1).await;
    assert_opens_with(&state, "📡");
    assert_says(&state, "⛔ Stopped");
    assert_says(&state, &receiver.url());
    assert_eq!(receiver.deliveries().len(), 1, "nothing more after the 410");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_shows_the_state_and_resend_sends_the_given_up_events_again() {
    let receiver = Receiver::start().await;
    receiver.answer_from_now_on(Answer::Status(500));
    let app = app_sending_to(&receiver, &[]).await;
    let state = app.say("/events").await;
    assert_says(&state, "⏳ Nothing delivered yet.");
    assert_says(&state, "Waiting to be delivered: 0");

    app.verify_to_the_end(PHONE).await;
    receiver.wait_for_deliveries(2, PATIENCE).await;
    let state = app.say("/events").await;
    assert_says(&state, "⚠️ Failing since");
    assert_says(&state, "500");
    assert_says(&state, "Waiting to be delivered: 2");
    assert_says(&state, "Last success: never");

    // A day on, both are given up, and the admin was told once that delivery is failing.
    app.advance_clock(86_400 + 60);
    receiver.bot_clock_moved(86_400 + 60);
    let state = loop_until_given_up(&app, 2).await;
    assert_says(&state, "/events resend");
    let failing = |m: &SentMessage| m.text.contains("Events are not reaching EVENTS_URL");
    let told = app
        .telegram
        .wait_for_messages_where(app.chat(), 1, PATIENCE, failing);
    assert_says(&told.await[0], "HTTP 500");
    let tried = receiver.deliveries().len();
    let metrics = app.get("/metrics").await.body;
    assert!(
        metrics.contains("verify_bot_events_total{outcome=\"given_up\"} 2"),
        "{metrics}"
    );

    receiver.answer_from_now_on(Answer::Status(200));
    let resent = app.say("/events resend").await;
    assert_says(&resent, "🔁 2 given-up events are queued again");
    let events = receiver.wait_for_events(2, PATIENCE).await;
    assert_eq!(
        types_of(&events, events[0].verification_id()),
        ["verification.sent", "verification.verified"]
    );
    let earlier: Vec<Option<String>> = receiver.deliveries()[..tried]
        .iter()
        .map(|d| d.id.clone())
        .collect();
    assert!(
        earlier.contains(&events[0].id),
        "the same webhook-id as before"
    );
    let recovered = |m: &SentMessage| m.text.contains("Events are reaching EVENTS_URL again");
    app.telegram
        .wait_for_messages_where(app.chat(), 1, PATIENCE, recovered)
        .await;
    // The receiver has both; the bot records each delivery when the answer reaches it.
    let delivered = "Waiting to be delivered: 0";
    let state = crate::common::app::eventually(delivered, async || {
        let state = app.say("/events").await;
        state.text.contains(delivered).then_some(state)
    })
    .await;
    assert_says(&state, "✅ Delivering.");
    assert_says(&state, "Given up: 0");
    assert_says(&app.say("/events resend").await, "Nothing to send again");
    let metrics = app.get("/metrics").await.body;
    for line in [
        "verify_bot_events_total{outcome=\"delivered\"} 2",
        "verify_bot_events_oldest_pending_seconds 0",
    ] {
        assert!(metrics.contains(line), "{line} in {metrics}");
    }
    let alerts = app.telegram.messages_to(app.chat());
    assert_eq!(alerts.iter().filter(|m| failing(m)).count(), 1, "told once");
}

/// `/events` until it shows `n` given up; returns that answer.
async fn loop_until_given_up(app: &TestApp, n: usize) -> SentMessage {
    let wanted = format!("Given up: {n}");
    crate::common::app::eventually(&wanted, async || {
        let state = app.say("/events").await;
        state.text.contains(&wanted).then_some(state)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_is_for_admins_and_says_how_to_turn_events_on() {
    let app = TestApp::spawn().await;
    let off = app.say("/events").await;
    assert_says(&off, "Events are off");
    assert_says(&off, "EVENTS_URL");
    let bob = TgUser::new(2002, "Bob");
    app.invite(&bob, "/invite").await;
    assert_opens_with(&app.say_as(&bob, 2002, "/events").await, "🔒");
    assert_says(&app.say("/events now").await, "/events resend");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_types_sends_only_those_types() {
    let receiver = Receiver::start().await;
    let app = app_sending_to(&receiver, &[("EVENTS_TYPES", "verification.verified")]).await;
    app.verify_to_the_end(PHONE).await;
    app.verify_to_the_end(OTHER_PHONE).await;
    let events = receiver.wait_for_events(2, PATIENCE).await;
    // Had `sent` been written, it would have come before its verification's `verified`.
    let kinds: Vec<String> = events.iter().map(Delivery::kind).collect();
    assert_eq!(kinds, ["verification.verified", "verification.verified"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_secrets_while_rotating_sign_every_delivery_twice() {
    let receiver = Receiver::start_trusting(&[NEXT_SECRET]).await;
    let rotating = format!("{NEXT_SECRET} {SECRET}");
    let app = app_sending_to(&receiver, &[("EVENTS_SECRET", rotating.as_str())]).await;
    app.verify_to_the_end(PHONE).await;
    let events = receiver.wait_for_events(2, PATIENCE).await;
    for event in &events {
        assert_eq!(event.verified, Ok(NEXT_SECRET.to_owned()));
        let signatures = event.signature.as_deref().unwrap();
        let each: Vec<&str> = signatures.split(' ').collect();
        assert_eq!(each.len(), 2, "{signatures}");
        assert!(each.iter().all(|s| s.starts_with("v1,")), "{signatures}");
        // A receiver that still has the old secret takes it too.
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("webhook-id", event.event_id().parse().unwrap());
        let timestamp = event.timestamp.clone().unwrap();
        headers.insert("webhook-timestamp", timestamp.parse().unwrap());
        headers.insert("webhook-signature", signatures.parse().unwrap());
        let sent_at: i64 = timestamp.parse().unwrap();
        let old = [SECRET.to_owned()];
        assert_eq!(
            verify(&old, &headers, event.body.as_bytes(), sent_at),
            Ok(SECRET.to_owned())
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_events_settings_stop_start_up_with_one_line() {
    let secret = ("EVENTS_SECRET", SECRET);
    for (env, expected) in [
        (
            vec![("EVENTS_URL", "http://crm.example.com/in"), secret],
            "EVENTS_URL",
        ),
        (vec![("EVENTS_URL", "not a url"), secret], "EVENTS_URL"),
        (
            vec![("EVENTS_URL", "https://crm.example.com/in")],
            "EVENTS_SECRET",
        ),
        (
            vec![
                ("EVENTS_URL", "https://crm.example.com/in"),
                ("EVENTS_SECRET", "whsec_c2hvcnQ="),
            ],
            "EVENTS_SECRET",
        ),
        (
            vec![
                ("EVENTS_URL", "https://crm.example.com/in"),
                ("EVENTS_SECRET", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
            ],
            "EVENTS_SECRET",
        ),
        (
            vec![
                ("EVENTS_URL", "https://crm.example.com/in"),
                secret,
                ("EVENTS_TYPES", "verification.sent,verification.paid"),
            ],
            "EVENTS_TYPES",
        ),
        (
            vec![
                ("EVENTS_URL", "https://crm.example.com/in"),
                secret,
                ("EVENTS_MAX_AGE", "forever"),
            ],
            "EVENTS_MAX_AGE",
        ),
    ] {
        assert_start_up_refused(&env, expected).await;
    }
}
