//! Odd updates: the bot asks Telegram only for the kinds it handles, and an update it cannot read
//! (a message without its chat, a date that is a string, an update_id that is not a number, a
//! body that is not JSON) is skipped and logged without its content, which may hold a phone
//! number: the process stays up, serves the next update, and never fetches the odd one again.

use std::time::Duration;

use serde_json::{Value, json};

use crate::common::app::{ADMIN_ID, PATIENCE, PHONE, TestApp, assert_opens_with, assert_says};
use crate::common::fake_telegram::TgUser;

const WEBHOOK_URL: &str = "https://bot.example.com/telegram/hook";
const SECRET: &str = "s3cret-Token_for_tests";
/// What the skip says in the log.
const SKIPPED: &str = "skipped an update that cannot be read";
/// The digits of the phone number the odd updates carry: never in the log.
const PHONE_DIGITS: &str = "7911123456";

/// The update kinds the bot handles, as it must ask for them.
fn kinds_asked(list: &Value) -> Vec<String> {
    let mut kinds: Vec<String> = list
        .as_array()
        .unwrap_or_else(|| panic!("allowed_updates is a list: {list}"))
        .iter()
        .map(|kind| kind.as_str().expect("a kind").to_owned())
        .collect();
    kinds.sort();
    kinds
}

/// Bodies teloxide cannot read, each with the customer's number in it.
fn unreadable_bodies(from: &TgUser, chat: i64) -> Vec<Value> {
    let now = crate::common::http::unix_now();
    let contact = json!({ "phone_number": "+447911123456", "first_name": "Bob" });
    let chat = json!({ "id": chat, "type": "private", "first_name": from.first_name });
    // A message without its chat.
    let chatless = json!({ "message_id": 90, "date": now, "from": from.to_json(),
        "contact": contact });
    // A message whose date is a string.
    let dated = json!({ "message_id": 91, "date": "yesterday", "chat": chat, "from": from.to_json(),
        "text": "/verify +447911123456" });
    vec![json!({ "message": chatless }), json!({ "message": dated })]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_skips_an_update_it_cannot_read_and_never_fetches_it_again() {
    let mut app = TestApp::spawn().await;
    let polls = app.telegram.calls_to("getUpdates");
    assert_eq!(
        kinds_asked(&polls[0].params["allowed_updates"]),
        ["callback_query", "message"],
        "getUpdates asks only for the kinds the bot handles"
    );

    // Between two messages the bot answers: two it cannot read, and a /help whose update_id is
    // not a number (which teloxide cannot read either, nor the whole batch around it).
    let (admin, chat) = (app.admin.clone(), app.chat());
    app.telegram.push_text(&admin, chat, "/help");
    for body in unreadable_bodies(&admin, chat) {
        app.telegram.push_raw(body);
    }
    let help = json!({ "message": { "message_id": 92, "date": crate::common::http::unix_now(),
        "chat": { "id": chat, "type": "private", "first_name": "Alice" },
        "from": admin.to_json(), "text": "/help",
        "entities": [{ "type": "bot_command", "offset": 0, "length": 5 }] } });
    app.telegram.push_raw_with_id(help, json!("not a number"));
    app.telegram.push_text(&admin, chat, "/status");

    let answers = app.telegram.wait_for_messages(chat, 2, PATIENCE).await;
    assert_says(&answers[0], "/invite");
    assert!(!answers[1].text.contains("/invite"), "{}", answers[1].text);
    let logs = app.wait_for_log(SKIPPED).await;
    assert_eq!(logs.matches(SKIPPED).count(), 3, "{logs}");
    assert!(!logs.contains(PHONE_DIGITS), "{logs}");

    // The next poll confirms all five; a crash then a restart does not see the odd ones again.
    app.telegram.wait_for_pending(0, PATIENCE).await;
    app.kill9().await;
    app.start().await;
    let polls = app.telegram.calls_to("getUpdates");
    assert_eq!(app.telegram.pending_updates(), 0);
    assert_eq!(
        kinds_asked(&polls.last().unwrap().params["allowed_updates"]),
        ["callback_query", "message"]
    );
    assert_says(&app.say("/help").await, "/verify");
    let logs = app.logs();
    let (_, second_run) = logs.split_once("--- restart ---").expect("two runs");
    assert!(!second_run.contains(SKIPPED), "{second_run}");
    assert_eq!(app.telegram.messages_to(chat).len(), 3);
    app.assert_stops_cleanly(libc::SIGTERM).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_answers_200_to_an_update_it_cannot_read_and_serves_the_next() {
    let admin = ADMIN_ID.to_string();
    let mut app = TestApp::spawn_with(&[
        ("ADMIN_IDS", admin.as_str()),
        ("WEBHOOK_URL", WEBHOOK_URL),
        ("WEBHOOK_SECRET", SECRET),
    ])
    .await;
    let set = app.telegram.calls_to("setWebhook");
    assert_eq!(
        kinds_asked(&set[0].params["allowed_updates"]),
        ["callback_query", "message"],
        "setWebhook asks only for the kinds the bot handles"
    );
    assert_eq!(
        app.telegram.allowed_updates().map(|mut kinds| {
            kinds.sort();
            kinds
        }),
        Some(vec!["callback_query".to_owned(), "message".to_owned()])
    );

    // Telegram retries a delivery until it gets a 2xx: each odd body gets 200, once.
    let (admin, chat) = (app.admin.clone(), app.chat());
    for body in unreadable_bodies(&admin, chat) {
        app.telegram.push_raw(body);
        let update = app.telegram.take_update().expect("a queued update");
        assert_eq!(app.post_update(&update, Some(SECRET)).await, 200);
    }
    app.telegram.push_text(&admin, chat, "/help");
    let mut update = app.telegram.take_update().expect("a queued update");
    update["update_id"] = json!("not a number");
    assert_eq!(app.post_update(&update, Some(SECRET)).await, 200);
    let path = app.webhook().expect("webhook mode").path;
    let not_json = reqwest::Client::new()
        .post(format!("{}{path}", app.http_url()))
        .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
        .body("{\"update_id\": 1, \"message\": +447911123456")
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .expect("the webhook answers");
    assert_eq!(not_json.status(), 200);

    // The process is up and serves the next update; the log says what was skipped, not what
    // it held.
    assert_says(&app.say("/help").await, "/verify");
    assert_eq!(app.telegram.messages_to(chat).len(), 1);
    assert_eq!(app.get("/healthz").await.status, 200);
    let logs = app.wait_for_log(SKIPPED).await;
    assert_eq!(logs.matches(SKIPPED).count(), 4, "{logs}");
    assert!(!logs.contains(PHONE_DIGITS), "{logs}");
    app.assert_stops_cleanly(libc::SIGTERM).await;
}

/// The fake, as the Bot API docs say: `allowed_updates` is one setting, given by getUpdates or
/// setWebhook ("if not specified, the previous setting will be used"), and only those kinds are
/// delivered; a raw update goes out as it was queued.
#[tokio::test(flavor = "multi_thread")]
async fn the_fake_keeps_one_allowed_updates_setting_and_sends_raw_updates_as_queued() {
    use teloxide::prelude::*;
    use teloxide::types::AllowedUpdate;

    let fake = crate::common::fake_telegram::FakeTelegram::start("1:fake").await;
    let bot = Bot::new("1:fake").set_api_url(fake.url().parse().unwrap());
    assert_eq!(fake.allowed_updates(), None);
    let poll = json!({ "poll_answer": { "poll_id": "p", "option_ids": [] } });
    let odd = fake.push_raw(json!({ "message": { "text": "no chat" } }));
    fake.push_raw(poll.clone());
    let unnumbered = fake.push_raw_with_id(json!({ "message": {} }), json!("x"));
    bot.get_updates()
        .allowed_updates([AllowedUpdate::Message])
        .timeout(0)
        .await
        .expect_err("teloxide cannot read an update_id that is a string");
    let raw: Value = reqwest::get(format!("{}/bot1:fake/getUpdates", fake.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&Value> = raw["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| &u["update_id"])
        .collect();
    assert_eq!(ids, [&json!(odd), &json!("x")], "the setting is kept");
    assert_eq!(raw["result"][0]["message"], json!({ "text": "no chat" }));

    // An offset past the unnumbered one confirms all three; setWebhook changes the setting.
    bot.get_updates()
        .offset(unnumbered as i32 + 1)
        .timeout(0)
        .await
        .unwrap();
    assert_eq!(fake.pending_updates(), 0);
    fake.push_raw(poll);
    fake.push_text(&TgUser::new(5, "Eve"), 5, "hi");
    bot.set_webhook("https://bot.example.com/hook".parse().unwrap())
        .allowed_updates([AllowedUpdate::PollAnswer])
        .await
        .unwrap();
    assert_eq!(fake.allowed_updates(), Some(vec!["poll_answer".to_owned()]));
    let info = bot.get_webhook_info().await.unwrap();
    assert_eq!(info.allowed_updates, Some(vec![AllowedUpdate::PollAnswer]));
    let next = fake.take_update().expect("the poll answer");
    assert!(next.get("poll_answer").is_some(), "{next}");
    assert_eq!(
        fake.take_update(),
        None,
        "the message is not a kind asked for"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_answers_an_update_handed_over_again_once() {
    // Telegram hands an update over again when the offset that confirms it never reached it (a
    // process killed before its next poll, or another replica polling): the database says it
    // was handled, and the customer is not sent a second code.
    let app = TestApp::spawn().await;
    let (admin, chat) = (app.admin.clone(), app.chat());
    let text = format!("/verify {PHONE}");
    let verify = json!({ "message": { "message_id": 93, "date": crate::common::http::unix_now(),
        "chat": { "id": chat, "type": "private", "first_name": "Alice" },
        "from": admin.to_json(), "text": text,
        "entities": [{ "type": "bot_command", "offset": 0, "length": 7 }] } });
    let id = app.telegram.push_raw(verify.clone());
    let sent = app.telegram.wait_for_messages(chat, 1, PATIENCE).await;
    assert_opens_with(&sent[0], "📨");
    app.telegram.push_raw_with_id(verify, json!(id));
    app.wait_for_log("update already handled: skipped").await;

    // The bot goes on with the next update; the first one was answered once.
    assert_says(&app.say("/status").await, "Open verification");
    assert_eq!(app.telegram.messages_to(chat).len(), 2);
    assert_eq!(app.gateway.count("sendVerificationMessage"), 1);
}
