//! A handler that panics costs only its update: the chat gets the usual apology, the process
//! and that chat's later updates carry on, and the log names the update without its content.

use crate::common::app::{PATIENCE, PHONE, TestApp, assert_opens_with, assert_says};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_handler_costs_only_its_update() {
    // A staff member's message of exactly `PHONE` makes its handler panic.
    let app = TestApp::spawn_with_admin(&[("VERIFY_BOT_TEST_PANIC_ON", PHONE)]).await;
    let group = -100_4242;

    // The message, then `/help` in the same chat (whose worker the panic would have ended,
    // and with it the whole process on its next update) and in another: all answered.
    let chat = app.chat();
    app.telegram.push_text(&app.admin, chat, PHONE);
    app.wait_for_log("panic at").await;
    app.telegram.push_text(&app.admin, chat, "/help");
    let replies = app.telegram.wait_for_messages(chat, 2, PATIENCE).await;
    assert_opens_with(&replies[0], "⚠️");
    assert_says(&replies[0], "Something went wrong on my side");
    assert_says(&replies[1], "/help~— this message");
    let help = app.say_as(&app.admin, group, "/help").await;
    assert_says(&help, "/help~— this message");
    app.wait_until_healthy().await;

    // The panic is logged with the update's id and kind; the number typed is nowhere.
    let logs = app.wait_for_log("a handler panicked").await;
    assert!(logs.contains(r#"kind="message""#), "{logs}");
    for digits in ["7911", "123456"] {
        assert!(!logs.contains(digits), "{digits} in the log:\n{logs}");
    }
}
