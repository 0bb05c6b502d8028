//! The staff verification flow, end to end: the real binary against the fake Bot API and the
//! fake Gateway.

use crate::common::app::{ADMIN_ID, PHONE, PHONE_E164, TestApp, assert_opens_with, assert_says};

/// Spaces a code the way people read it out: `123456` → `123 456`.
fn spaced(code: &str) -> String {
    let (a, b) = code.split_at(code.len() / 2);
    format!("{a} {b}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_then_right_code_is_verified() {
    let app = TestApp::spawn().await;

    let sent = app.say(&format!("/verify {PHONE}")).await;
    assert_opens_with(&sent, "📨");
    assert_says(&sent, "+44 7911 123456");
    assert_says(&sent, "6-digit code");
    assert_eq!(sent.parse_mode.as_deref(), Some("HTML"));

    let calls = app.gateway.calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    let send = &calls[0];
    assert_eq!(send.method, "sendVerificationMessage");
    assert_eq!(send.params["phone_number"], PHONE_E164);
    assert_eq!(send.params["code_length"], 6);
    assert_eq!(send.params["ttl"], 300);
    assert!(
        send.params["payload"]
            .as_str()
            .is_some_and(|p| !p.is_empty())
    );
    // The Gateway answered at once: no "typing…" was needed.
    assert!(app.telegram.calls_to("sendChatAction").is_empty());

    let verdict = app.say(&spaced(&app.customer_code())).await;
    assert_opens_with(&verdict, "✅");
    assert_says(&verdict, "+44 7911 123456");
    let checks: Vec<_> = app
        .gateway
        .calls()
        .into_iter()
        .filter(|c| c.method == "checkVerificationStatus")
        .collect();
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0].params["code"], app.customer_code());
    assert_eq!(
        checks[0].params["request_id"].as_str(),
        app.gateway.last_request_id().as_deref()
    );

    // Closed: the same code again costs nothing and says so.
    let again = app.say(&app.customer_code()).await;
    assert_says(&again, "No verification is open");
    assert_eq!(app.gateway.count("checkVerificationStatus"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_gateway_shows_typing_while_the_code_is_sent() {
    let app = TestApp::spawn().await;
    app.gateway
        .set_delay(std::time::Duration::from_millis(1500));

    let sent = app.say(&format!("/verify {PHONE}")).await;
    assert_opens_with(&sent, "📨");
    let typing = app.telegram.calls_to("sendChatAction");
    assert_eq!(typing.len(), 1, "{typing:?}");
    assert_eq!(typing[0].params["action"], "typing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_are_accepted_the_way_people_type_them() {
    let app = TestApp::spawn().await;
    for typed in [
        |c: &str| format!(" {c} "),
        |c: &str| {
            let (a, b) = c.split_at(3);
            format!("{a}-{b}")
        },
    ] {
        app.say(&format!("/verify {PHONE}")).await;
        let verdict = app.say(&typed(&app.customer_code())).await;
        assert_opens_with(&verdict, "✅");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_code_keeps_the_verification_open() {
    let app = TestApp::spawn().await;
    app.say(&format!("/verify {PHONE}")).await;
    let right = app.customer_code();
    let wrong: String = right
        .chars()
        .map(|c| {
            if c == '9' {
                '0'
            } else {
                char::from(c as u8 + 1)
            }
        })
        .collect();

    let first = app.say(&wrong).await;
    assert_opens_with(&first, "❌");
    assert_says(&first, "attempt 1");

    let status = app.say("/status").await;
    assert_says(&status, "Open verification");
    assert_says(&status, "Wrong codes so far: 1");

    let second = app.say(&right).await;
    assert_opens_with(&second, "✅");
    assert_eq!(app.gateway.count("checkVerificationStatus"), 2);
    assert_eq!(app.gateway.count("sendVerificationMessage"), 1);

    // Every send and every check leaves an audit row, with the Gateway's verdict.
    let db = app.database().await;
    let trail: Vec<(String, Option<String>, Option<i64>)> =
        crate::on_test_db!(db, pool => sqlx::query_as("SELECT action, detail, actor FROM audit_log ORDER BY id")
            .fetch_all(pool)
            .await)
            .unwrap();
    let staff = Some(ADMIN_ID as i64);
    assert_eq!(
        trail,
        [
            ("send".to_owned(), None, staff),
            ("check".to_owned(), Some("code_invalid".to_owned()), staff),
            ("check".to_owned(), Some("code_valid".to_owned()), staff),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_wrong_codes_close_the_verification() {
    let app = TestApp::spawn().await;
    app.gateway.set_max_attempts(2);
    app.say(&format!("/verify {PHONE}")).await;

    assert_opens_with(&app.say("000000").await, "❌");
    assert_opens_with(&app.say("000001").await, "❌");
    let closed = app.say("000002").await;
    assert_opens_with(&closed, "⛔");
    assert_says(&closed, "/verify +447911123456");

    // Closed for good: the right code is not even sent to the Gateway.
    let after = app.say(&app.customer_code()).await;
    assert_says(&after, "No verification is open");
    assert_eq!(app.gateway.count("checkVerificationStatus"), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_code_closes_the_verification() {
    let app = TestApp::spawn().await;
    app.say(&format!("/verify {PHONE}")).await;
    app.gateway.expire(&app.gateway.last_request_id().unwrap());

    let verdict = app.say(&app.customer_code()).await;
    assert_opens_with(&verdict, "⌛");
    assert_says(&verdict, "/verify +447911123456");
    let status = app.say("/status").await;
    assert_opens_with(&status, "No verification is open");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_length_and_other_text_cost_nothing() {
    let app = TestApp::spawn().await;
    app.say(&format!("/verify {PHONE}")).await;

    let short = app.say("12345").await;
    assert_says(&short, "5 digits");
    assert_says(&short, "has 6");
    let long = app.say("1234 5678").await;
    assert_says(&long, "8 digits");
    let chatter = app.say("she says it hasn't arrived yet").await;
    assert_says(&chatter, "6-digit code");
    assert_says(&chatter, "/cancel");
    assert_eq!(app.gateway.count("checkVerificationStatus"), 0);

    // Still open: the real code still works.
    assert_opens_with(&app.say(&app.customer_code()).await, "✅");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_with_nothing_open_gets_a_reply_and_no_gateway_call() {
    let app = TestApp::spawn().await;
    let reply = app.say("123456").await;
    assert_says(&reply, "No verification is open");
    let hello = app.say("hello").await;
    assert_says(&hello, "/verify");
    assert!(app.gateway.calls().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_numbers_get_a_hint_and_cost_nothing() {
    let app = TestApp::spawn().await;
    for (typed, expected) in [
        ("/verify", "for example"),
        ("/verify   ", "for example"),
        ("/verify 07911 123456", "no country code"),
        ("/verify +44 12", "not a valid phone number"),
        ("/verify +1 555 0100", "not a valid phone number"),
        ("/verify call me maybe", "not a phone number"),
        ("/verify <b>+44</b>", "&lt;b&gt;"),
    ] {
        let reply = app.say(typed).await;
        assert!(reply.text.contains(expected), "{typed}: {}", reply.text);
        assert!(!reply.text.starts_with('📨'), "{typed}: {}", reply.text);
    }
    assert!(app.gateway.calls().is_empty(), "{:?}", app.gateway.calls());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_double_tap_sends_one_code() {
    let app = TestApp::spawn().await;
    let chat = app.chat();
    // Both updates are queued before the bot sees either: the classic double tap.
    app.telegram
        .push_text(&app.admin, chat, &format!("/verify {PHONE}"));
    app.telegram
        .push_text(&app.admin, chat, "/verify +44 7911 123 456");
    let replies = app
        .telegram
        .wait_for_messages(chat, 2, crate::common::app::PATIENCE)
        .await;
    assert_opens_with(&replies[0], "📨");
    assert_says(&replies[1], "No new code was sent");
    assert_eq!(app.gateway.count("sendVerificationMessage"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_revokes_and_closes_even_when_revoke_fails() {
    let app = TestApp::spawn().await;
    let nothing = app.say("/cancel").await;
    assert_says(&nothing, "nothing to cancel");

    app.say(&format!("/verify {PHONE}")).await;
    let request_id = app.gateway.last_request_id().unwrap();
    let cancelled = app.say("/cancel").await;
    assert_says(&cancelled, "Cancelled");
    let revokes: Vec<_> = app
        .gateway
        .calls()
        .into_iter()
        .filter(|c| c.method == "revokeVerificationMessage")
        .collect();
    assert_eq!(revokes.len(), 1);
    assert_eq!(revokes[0].params["request_id"], request_id.as_str());
    let after = app.say(&app.customer_code()).await;
    assert_says(&after, "No verification is open");

    app.say(&format!("/verify {PHONE}")).await;
    app.gateway.fail_next("FLOOD_WAIT_5");
    let cancelled = app.say("/cancel").await;
    assert_says(&cancelled, "Cancelled");
    assert_says(&cancelled, "5~seconds");
    let status = app.say("/status").await;
    assert_opens_with(&status, "No verification is open");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_help_and_status_explain_the_bot() {
    let app = TestApp::spawn().await;
    let start = app.say("/start").await;
    assert_says(&start, "/verify");
    assert_says(&start, "6-digit");
    assert_says(&start, "5~minutes");
    let help = app.say("/help").await;
    assert_eq!(help.text, start.text);
    let unknown = app.say("/frobnicate").await;
    assert_says(&unknown, "/help");

    app.say(&format!("/verify {PHONE}")).await;
    let status = app.say("/status").await;
    assert_says(&status, "+44 7911 123456");
    assert_says(&status, "by you");
    assert_says(&status, "Valid for");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_menus_are_registered_per_role_at_start_up() {
    let app = TestApp::spawn_with(&[("ADMIN_IDS", "1001,1002")]).await;
    let calls = app.telegram.calls_to("setMyCommands");
    let names = |call: &crate::common::fake_telegram::ApiCall| -> Vec<String> {
        call.params["commands"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["command"].as_str().unwrap().to_owned())
            .collect()
    };
    let default = calls
        .iter()
        .find(|c| c.params.get("scope").is_none() && c.params.get("language_code").is_none())
        .expect("a default menu");
    assert_eq!(
        names(default),
        [
            "verify", "qr", "lookup", "status", "cancel", "history", "language", "help"
        ]
    );
    for admin in [1001, 1002] {
        let scoped = calls
            .iter()
            .find(|c| c.params["scope"]["chat_id"] == admin)
            .unwrap_or_else(|| panic!("an admin menu for {admin}: {calls:?}"));
        let names = names(scoped);
        assert!(names.contains(&"invite".to_string()), "{names:?}");
        assert!(names.contains(&"staff".to_string()), "{names:?}");
        assert!(names.contains(&"verify".to_string()), "{names:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_length_ttl_and_default_region_come_from_the_environment() {
    let app = TestApp::spawn_with(&[
        ("ADMIN_IDS", "1001"),
        ("CODE_LENGTH", "4"),
        ("CODE_TTL", "60"),
        ("DEFAULT_REGION", "GB"),
    ])
    .await;
    let sent = app.say("/verify 07911 123456").await;
    assert_says(&sent, "4-digit");
    assert_says(&sent, "1~minute");
    let send = &app.gateway.calls()[0];
    assert_eq!(send.params["phone_number"], PHONE_E164);
    assert_eq!(send.params["code_length"], 4);
    assert_eq!(send.params["ttl"], 60);
    assert_eq!(app.customer_code().len(), 4);
    assert_says(&app.say("123456").await, "has 4");
    assert_opens_with(&app.say(&app.customer_code()).await, "✅");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_addressed_to_the_bot_work_in_a_group() {
    let app = TestApp::spawn().await;
    let group = -100_200_300;
    let admin = app.admin.clone();
    let sent = app
        .say_as(&admin, group, &format!("/verify@verify_test_bot {PHONE}"))
        .await;
    assert_opens_with(&sent, "📨");
    // In a group the bot quotes the message it answers.
    assert!(sent.reply_to_message_id.is_some(), "{sent:?}");
    let code = app.customer_code();
    let verdict = app.say_as(&admin, group, &code).await;
    assert_opens_with(&verdict, "✅");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_chat_has_its_own_verification() {
    let app = TestApp::spawn().await;
    let other_chat = -100_999;
    let admin = app.admin.clone();
    app.say(&format!("/verify {PHONE}")).await;
    let first_code = app.customer_code();
    let elsewhere = app
        .say_as(&admin, other_chat, "/verify +7 916 123-45-67")
        .await;
    assert_opens_with(&elsewhere, "📨");
    // The code for the first chat is checked against the first chat's request only.
    let verdict = app.say(&first_code).await;
    assert_opens_with(&verdict, "✅");
    assert_says(&verdict, "+44 7911 123456");
}
