//! Staff, roles and groups, end to end: invites, the staff list and removal, history, and code
//! routing between staff and between several open verifications.

use crate::common::app::{
    PHONE, TestApp, assert_opens_with, assert_pop_up_says, assert_says, link_token,
};
use crate::common::fake_telegram::{SentMessage, TgUser};

const OTHER_PHONE: &str = "+7 916 123-45-67";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invite_makes_staff_once_and_tells_the_admin() {
    let app = TestApp::spawn().await;
    let bob = TgUser {
        username: Some("bob_sales".into()),
        ..TgUser::new(5001, "Bob")
    };
    let invite = app.say("/invite").await;
    assert_says(&invite, "https://t.me/verify_test_bot?start=");
    assert_says(&invite, "valid for 1~day");
    let token = link_token(&invite);
    assert!(token.len() >= 32 && token.len() <= 64, "{token}");

    let before = app.telegram.messages_to(app.chat()).len();
    let welcome = app.say_as(&bob, 5001, &format!("/start {token}")).await;
    assert_says(&welcome, "You now have access");
    assert_says(&welcome, "/verify");
    let notice = app.nth_message(app.chat(), before + 1).await;
    assert_says(
        &notice,
        "👤 Your invite was used. New member of staff: Bob (@bob_sales), ID~<code>5001</code>.",
    );

    // Bob can now send codes, but has no admin commands.
    assert_opens_with(
        &app.say_as(&bob, 5001, &format!("/verify {PHONE}")).await,
        "📨",
    );
    assert_says(&app.say_as(&bob, 5001, "/invite").await, "Only admins");
    assert_says(&app.say_as(&bob, 5001, "/staff").await, "Only admins");

    // The link works once.
    let eve = TgUser::new(5002, "Eve");
    let refused = app.say_as(&eve, 5002, &format!("/start {token}")).await;
    assert_says(&refused, "already used");
    assert_says(
        &app.say_as(&eve, 5002, &format!("/verify {PHONE}")).await,
        "<code>5002</code>",
    );
    assert_eq!(app.gateway.count("sendVerificationMessage"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_and_unknown_links_grant_nothing() {
    let app = TestApp::spawn().await;
    let invite = app.say("/invite").await;
    let db = app.database().await;
    crate::on_test_db!(db, pool => sqlx::query("UPDATE invites SET expires_at = 1")
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))
    .unwrap();
    let late = TgUser::new(5003, "Late");
    let refused = app
        .say_as(&late, 5003, &format!("/start {}", link_token(&invite)))
        .await;
    assert_says(&refused, "expired");
    let unknown = app.say_as(&late, 5003, "/start NotARealToken123").await;
    assert_says(&unknown, "not valid");
    assert_says(
        &app.say_as(&late, 5003, "/status").await,
        "<code>5003</code>",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_invite_makes_an_admin_with_the_admin_menu() {
    let app = TestApp::spawn().await;
    let carol = TgUser::new(5004, "Carol");
    let welcome = app.invite(&carol, "/invite admin").await;
    assert_says(&welcome, "You are now an admin");
    let menus = app.telegram.calls_to("setMyCommands");
    assert!(
        menus.iter().any(|c| c.params["scope"]["chat_id"] == 5004),
        "{menus:?}"
    );
    let invite = app.say_as(&carol, 5004, "/invite").await;
    assert_opens_with(&invite, "🔗");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removed_staff_lose_access_at_once_and_keep_their_history() {
    let app = TestApp::spawn().await;
    let dan = TgUser {
        username: Some("dan".into()),
        ..TgUser::new(5005, "Dan")
    };
    app.invite(&dan, "/invite").await;
    app.verify_to_the_end_as(&dan, 5005, PHONE).await;

    let list = app.say("/staff").await;
    assert_says(&list, "Dan @dan, ID~<code>5005</code>~— staff");
    assert_says(&list, "by user~1001");
    assert_says(&list, "ID~<code>1001</code>~— admin (from ADMIN_IDS");
    let admin = app.admin.clone();
    let before = app.telegram.messages_to(app.chat()).len();
    let answer = app.press(&admin, &list, "remove:5005").await;
    assert_eq!(
        answer,
        "🗑 Dan (ID\u{a0}5005) no longer has access. Their history stays."
    );
    app.nth_message(app.chat(), before + 1).await;

    // Access is gone at once: no Gateway call for Dan any more.
    let refused = app
        .say_as(&dan, 5005, &format!("/verify {OTHER_PHONE}"))
        .await;
    assert_says(&refused, "<code>5005</code>");
    assert_eq!(app.gateway.count("sendVerificationMessage"), 1);
    // Pressing Remove again is harmless.
    assert_pop_up_says(
        &app.press(&admin, &list, "remove:5005").await,
        "nothing to remove",
    );

    let history = app.say("/history").await;
    assert_says(&history, "✅ <code>+44 79•• •••456</code>~— Dan");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_remove_by_command_refuses_configured_admins_and_oneself() {
    let app = TestApp::spawn_with(&[("ADMIN_IDS", "1001,1002")]).await;
    let erin = TgUser::new(5006, "Erin");
    let fay = TgUser::new(5007, "Fay");
    app.invite(&erin, "/invite admin").await;
    app.invite(&fay, "/invite").await;

    assert_says(&app.say("/staff remove 1002").await, "from ADMIN_IDS");
    assert_says(
        &app.say_as(&erin, 5006, "/staff remove 5006").await,
        "can’t remove yourself",
    );
    assert_says(
        &app.say("/staff remove 424242").await,
        "Nobody with ID~<code>424242</code> has access",
    );
    assert_says(
        &app.say("/staff remove me").await,
        "/staff remove &lt;ID&gt;",
    );
    assert_says(&app.say_as(&erin, 5006, "/staff remove 5007").await, "Fay");
    assert_says(&app.say_as(&fay, 5007, "/help").await, "<code>5007</code>");
    // A removed admin loses the admin menu.
    assert_says(&app.say("/staff remove 5006").await, "Erin");
    assert!(
        app.telegram
            .calls_to("deleteMyCommands")
            .iter()
            .any(|c| c.params["scope"]["chat_id"] == 5006)
    );
    assert_says(
        &app.say_as(&erin, 5006, "/invite").await,
        "<code>5006</code>",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_shows_own_verifications_to_staff_and_everyones_to_admins() {
    let app = TestApp::spawn().await;
    let gus = TgUser::new(5008, "Gus");
    app.invite(&gus, "/invite").await;
    app.say(&format!("/verify {PHONE}")).await;
    app.say("/cancel").await;
    app.say_as(&gus, 5008, &format!("/verify {OTHER_PHONE}"))
        .await;

    let own = app.say_as(&gus, 5008, "/history").await;
    assert_says(&own, "Your latest verifications");
    assert_says(&own, "⏳ <code>+7 91• •••-•5-67</code>");
    assert!(!own.text.contains("+44"), "{}", own.text);

    let all = app.say("/history").await;
    assert_says(&all, "⏳ <code>+7 91• •••-•5-67</code>~— Gus");
    assert_says(&all, "🚫 <code>+44 79•• •••456</code>~— user~1001");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_group_each_code_checks_only_its_own_staff_members_verification() {
    let app = TestApp::spawn().await;
    let group = -100_777;
    let admin = app.admin.clone();
    let hal = TgUser::new(5009, "Hal");
    app.invite(&hal, "/invite").await;

    let mine = app.say_as(&admin, group, &format!("/verify {PHONE}")).await;
    assert_says(&mine, "+44 79•• •••456");
    assert!(!mine.text.contains("7911 123456"), "{}", mine.text);
    let my_code = app.customer_code();
    let hals = app
        .say_as(&hal, group, &format!("/verify {OTHER_PHONE}"))
        .await;
    let hals_code = app.customer_code();

    // Replying to a colleague's "code sent" message checks nothing.
    let before = app.gateway.count("checkVerificationStatus");
    let refused = reply(&app, &admin, group, &hals, &hals_code).await;
    assert_says(&refused, "colleague’s");
    assert_eq!(app.gateway.count("checkVerificationStatus"), before);

    // A bare code goes to the sender's only open verification in the group.
    let verdict = app.say_as(&hal, group, &hals_code).await;
    assert_opens_with(&verdict, "✅");
    assert_says(&verdict, "+7 91• •••-•5-67");
    let verdict = reply(&app, &admin, group, &mine, &my_code).await;
    assert_opens_with(&verdict, "✅");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_several_open_verifications_a_reply_picks_one_and_a_bare_code_asks() {
    let app = TestApp::spawn().await;
    let admin = app.admin.clone();
    let chat = app.chat();
    let first = app.say(&format!("/verify {PHONE}")).await;
    let first_code = app.customer_code();
    app.say(&format!("/verify {OTHER_PHONE}")).await;
    let second_request = app.gateway.last_request_id().unwrap();
    let second_code = app.customer_code();

    // A bare code: the bot asks which customer it is for, and checks nothing yet.
    let question = app.say(&second_code).await;
    assert_says(&question, "Which customer");
    assert_eq!(app.gateway.count("checkVerificationStatus"), 0);
    let labels: Vec<String> = question
        .inline_buttons()
        .into_iter()
        .map(|(l, _)| l)
        .collect();
    assert_eq!(labels, ["+44 79•• •••456", "+7 91• •••-•5-67"]);
    // The button that names the second customer checks the code against theirs.
    let before = app.telegram.messages_to(chat).len();
    app.press_labelled(&admin, &question, "+7 91").await;
    let verdict = app.nth_message(chat, before + 1).await;
    assert_opens_with(&verdict, "✅");
    let check = app
        .gateway
        .calls()
        .into_iter()
        .find(|c| c.method == "checkVerificationStatus")
        .unwrap();
    assert_eq!(check.params["request_id"], second_request.as_str());

    // A reply to a "code sent" message checks that verification.
    let verdict = reply(&app, &admin, chat, &first, &first_code).await;
    assert_opens_with(&verdict, "✅");
    assert_says(&verdict, "+44 7911 123456");
}

/// `from` replies to a bot message with `text`; returns the bot's answer.
async fn reply(
    app: &TestApp,
    from: &TgUser,
    chat: i64,
    to: &SentMessage,
    text: &str,
) -> SentMessage {
    let before = app.telegram.messages_to(chat).len();
    app.telegram.push_reply(from, chat, text, to.message_id);
    app.nth_message(chat, before + 1).await
}
