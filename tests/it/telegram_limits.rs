//! Telegram's own limits and odd input: a flood limit (429) is waited out and the message still
//! delivered, no reply is longer than a Telegram message, and one busy chat never holds up the
//! others.

use std::time::Duration;

use crate::common::app::{PATIENCE, PHONE, TestApp, assert_opens_with, assert_says};
use crate::common::fake_telegram::{SentMessage, TgUser};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_limited_code_sent_message_is_still_delivered() {
    let app = TestApp::spawn().await;
    app.telegram
        .fail_next("sendMessage", 429, "Too Many Requests: retry after 1");
    let sent = app.say(&format!("/verify {PHONE}")).await;
    assert_opens_with(&sent, "📨");
    assert_eq!(sent.inline_buttons().len(), 3);
    // The first attempt was refused, the second one delivered.
    assert_eq!(app.telegram.calls_to("sendMessage").len(), 2);
    // And the delivered message is the one the verification knows (a reply to it checks).
    let code = app.customer_code();
    assert_opens_with(&app.say(&code).await, "✅");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_reply_is_longer_than_a_telegram_message() {
    let app = TestApp::spawn().await;
    // Input is never echoed back in full.
    let junk = "x".repeat(5000);
    let reply = app.say(&format!("/verify {junk}")).await;
    assert_says(&reply, "not a phone number");
    assert!(reply.text.chars().count() < 400, "{}", reply.text.len());

    // A staff list longer than one message comes in several, each within the limit, with
    // the buttons under the last.
    let db = app.database().await;
    for i in 0..120 {
        let name = format!("Colleague number {i:03} with a rather long name, as Telegram allows");
        crate::on_test_db!(db, pool => sqlx::query(
            "INSERT INTO staff (user_id, role, name, username, added_at, added_by) \
             VALUES ($1, 'staff', $2, $3, 0, 1001)",
        )
        .bind(700_000 + i)
        .bind(name)
        .bind(format!("colleague_with_a_long_username_{i:03}"))
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))
        .unwrap();
    }
    let before = app.telegram.messages_to(app.chat()).len();
    app.telegram.push_text(&app.admin, app.chat(), "/staff");
    // The buttons come under the last part: once it is there, so are the others.
    let with_buttons = |m: &SentMessage| !m.inline_buttons().is_empty();
    app.telegram
        .wait_for_messages_where(app.chat(), 1, PATIENCE, with_buttons)
        .await;
    let parts = app.telegram.messages_to(app.chat())[before..].to_vec();
    assert!(parts.len() >= 2, "{} part(s)", parts.len());
    for part in &parts {
        assert!(part.text.encode_utf16().count() <= 4096);
    }
    let all: String = parts.iter().map(|p| p.text.as_str()).collect();
    for i in [0, 60, 119] {
        assert!(
            all.contains(&format!("Colleague number {i:03}")),
            "{i} missing"
        );
    }
    let buttons = parts.last().unwrap().inline_buttons();
    assert!(buttons.len() <= 100, "{}", buttons.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_chat_flooding_a_slow_gateway_never_holds_up_another_chat() {
    let app = TestApp::spawn_with(&[("ADMIN_IDS", "1001,1002"), ("GATEWAY_TIMEOUT", "5")]).await;
    app.gateway.set_delay(Duration::from_secs(4));
    // 120 different customers queued in one chat: each send waits 4 s on the Gateway, so that
    // chat is busy for minutes.
    for i in 0..120 {
        app.telegram.push_text(
            &app.admin,
            app.chat(),
            &format!("/verify +44 7911 123{i:03}"),
        );
    }
    // Another staff member in another chat is answered while it lasts.
    let colleague = TgUser::new(1002, "Bob");
    let answer = app.say_as(&colleague, 1002, "/help").await;
    assert_says(&answer, "/verify");
    assert!(app.gateway.count("sendVerificationMessage") < 10);
    // The busy chat's own updates are handled one after the other, in the order they came.
    let sends = app
        .gateway
        .wait_for_calls(2, PATIENCE, |c| c.method == "sendVerificationMessage");
    let sent: Vec<String> = sends
        .await
        .iter()
        .map(|c| {
            c.params["phone_number"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    for (i, number) in sent.iter().enumerate() {
        assert_eq!(number, &format!("+447911123{i:03}"), "{sent:?}");
    }
}
