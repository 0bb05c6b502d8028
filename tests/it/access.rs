//! Who may use the bot: admins from ADMIN_IDS, the owner link, and strangers.

use crate::common::app::{PHONE, TestApp, assert_opens_with, assert_says};
use crate::common::fake_telegram::TgUser;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn strangers_get_their_user_id_and_spend_nothing() {
    let app = TestApp::spawn().await;
    let stranger = TgUser::new(4242, "Mallory");
    for text in [
        "/start",
        "/help",
        &format!("/verify {PHONE}") as &str,
        "123456",
        "/cancel",
    ] {
        let reply = app.say_as(&stranger, 4242, text).await;
        assert!(
            reply.text.contains("<code>4242</code>"),
            "{text}: {}",
            reply.text
        );
        assert!(reply.text.contains("admin"), "{text}: {}", reply.text);
    }
    assert!(app.gateway.calls().is_empty(), "{:?}", app.gateway.calls());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_in_a_group_cannot_use_the_bot() {
    let app = TestApp::spawn().await;
    let group = -100_555;
    let admin = app.admin.clone();
    app.say_as(&admin, group, &format!("/verify {PHONE}")).await;
    let stranger = TgUser::new(4243, "Eve");
    let reply = app
        .say_as(
            &stranger,
            group,
            &format!("/verify@verify_test_bot {PHONE}"),
        )
        .await;
    assert_says(&reply, "<code>4243</code>");
    assert_eq!(app.gateway.count("sendVerificationMessage"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owner_link_makes_its_first_visitor_admin_once() {
    let mut app = TestApp::spawn_with(&[("ADMIN_IDS", "")]).await;
    let logs = app
        .wait_for_log("https://t.me/verify_test_bot?start=")
        .await;
    let token = logs
        .split("https://t.me/verify_test_bot?start=")
        .nth(1)
        .unwrap()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap()
        .to_owned();
    assert!(token.len() >= 32, "{token}");

    // Before the link is used, nobody has access.
    let owner = TgUser::new(777, "Olga");
    let refused = app.say_as(&owner, 777, &format!("/verify {PHONE}")).await;
    assert_says(&refused, "<code>777</code>");

    let welcome = app.say_as(&owner, 777, &format!("/start {token}")).await;
    assert_says(&welcome, "owner");
    app.wait_for_log("no longer works").await;
    let sent = app.say_as(&owner, 777, &format!("/verify {PHONE}")).await;
    assert_opens_with(&sent, "📨");

    // The link works once: a second visitor gets nothing.
    let latecomer = TgUser::new(778, "Lev");
    let refused = app
        .say_as(&latecomer, 778, &format!("/start {token}"))
        .await;
    assert_says(&refused, "already used");
    let still_refused = app.say_as(&latecomer, 778, "/status").await;
    assert_says(&still_refused, "<code>778</code>");

    // The owner opening it again is told they already have access.
    let again = app.say_as(&owner, 777, &format!("/start {token}")).await;
    assert_says(&again, "already have access");

    // After a restart the stored admin keeps access and no new owner link is printed.
    app.stop_with(libc::SIGTERM).await;
    app.start().await;
    let logs = app.logs();
    assert_eq!(
        logs.matches("https://t.me/verify_test_bot?start=").count(),
        1,
        "{logs}"
    );
    let status = app.say_as(&owner, 777, "/status").await;
    assert_says(&status, "Open verification");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_made_up_link_grants_nothing() {
    let app = TestApp::spawn_with(&[("ADMIN_IDS", "")]).await;
    app.wait_for_log("?start=").await;
    let guesser = TgUser::new(999, "Guess");
    let reply = app
        .say_as(&guesser, 999, "/start AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .await;
    assert_says(&reply, "not valid");
    let after = app.say_as(&guesser, 999, &format!("/verify {PHONE}")).await;
    assert_says(&after, "<code>999</code>");
    assert!(app.gateway.calls().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configured_admins_get_no_owner_link() {
    let app = TestApp::spawn().await;
    let start = app.say("/start").await;
    assert_says(&start, "admin");
    assert!(!app.logs().contains("?start="), "{}", app.logs());
}
