//! Webhook mode: updates arrive by POST on the path of `WEBHOOK_URL`, only with the right
//! `X-Telegram-Bot-Api-Secret-Token`; the webhook is set at start-up and never deleted.

use crate::common::app::{PATIENCE, PHONE, TestApp, assert_says, assert_start_up_refused};

const WEBHOOK_URL: &str = "https://bot.example.com/telegram/hook";
const SECRET: &str = "s3cret-Token_for_tests";

async fn webhook_app(extra: &[(&str, &str)]) -> TestApp {
    let mut env = vec![("WEBHOOK_URL", WEBHOOK_URL), ("WEBHOOK_SECRET", SECRET)];
    env.extend_from_slice(extra);
    TestApp::spawn_with_admin(&env).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_mode_serves_updates_only_with_the_right_secret() {
    let mut app = webhook_app(&[]).await;
    let set = app.telegram.calls_to("setWebhook");
    assert_eq!(set.len(), 1);
    assert_eq!(set[0].params["url"], WEBHOOK_URL);
    assert_eq!(set[0].params["secret_token"], SECRET);

    // Without the secret, or with a wrong one, the update is refused and not handled.
    app.telegram.push_text(&app.admin, app.chat(), "/help");
    let update = app.telegram.take_update().expect("a queued update");
    assert_eq!(app.post_update(&update, None).await, 401);
    assert_eq!(app.post_update(&update, Some("wrong-secret")).await, 401);
    assert_eq!(
        app.post_update(&update, Some("not a valid token!")).await,
        401
    );
    assert_eq!(app.post_update(&update, Some(&SECRET[1..])).await, 401);
    assert!(app.telegram.messages_to(app.chat()).is_empty());

    // With it, the bot answers; a whole verification works. The one answer is the proof that
    // the four refused posts were never handled: they would have been answered first.
    assert_eq!(app.post_update(&update, Some(SECRET)).await, 200);
    let help = app
        .telegram
        .wait_for_messages(app.chat(), 1, PATIENCE)
        .await;
    assert_says(&help[0], "/verify");
    assert_eq!(app.telegram.messages_to(app.chat()).len(), 1);
    app.verify_to_the_end(PHONE).await;
    assert_eq!(app.get("/healthz").await.status, 200);

    // No long polling, and the webhook survives a shutdown.
    app.assert_stops_cleanly(libc::SIGTERM).await;
    assert!(app.telegram.calls_to("getUpdates").is_empty());
    assert!(app.telegram.calls_to("deleteWebhook").is_empty());
    assert_eq!(app.telegram.webhook_url(), WEBHOOK_URL);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_webhook_setup_false_the_webhook_is_left_to_the_deployment() {
    let mut app = webhook_app(&[("WEBHOOK_SETUP", "false")]).await;
    assert_says(&app.say("/help").await, "/verify");
    assert!(app.telegram.calls_to("setWebhook").is_empty());
    assert!(app.telegram.calls_to("getUpdates").is_empty());
    app.assert_stops_cleanly(libc::SIGINT).await;
    assert!(app.telegram.calls_to("deleteWebhook").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_mode_without_a_valid_secret_stops_start_up() {
    let cases = [
        (
            vec![("WEBHOOK_URL", WEBHOOK_URL)],
            "WEBHOOK_SECRET is not set",
        ),
        (
            vec![
                ("WEBHOOK_URL", WEBHOOK_URL),
                ("WEBHOOK_SECRET", "has spaces"),
            ],
            "WEBHOOK_SECRET is invalid",
        ),
        (
            vec![
                ("WEBHOOK_URL", "http://bot.example.com/hook"),
                ("WEBHOOK_SECRET", SECRET),
            ],
            "WEBHOOK_URL is invalid",
        ),
    ];
    for (env, expected) in cases {
        assert_start_up_refused(&env, expected).await;
    }
}
