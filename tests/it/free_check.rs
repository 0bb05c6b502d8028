//! The free check belongs to the customer at the counter, end to end: only the contact the
//! "Send my number" button sends counts, a link works only in a private chat with the
//! bot, its picture never lands in a group, a question's QR button ends with the question, and
//! a colleague whose code a contact share made useless is told.

use crate::common::app::{
    PATIENCE, PHONE, TestApp, assert_opens_with, assert_pop_up_says, assert_says,
};
use crate::common::fake_telegram::TgUser;
use crate::on_test_db;

const CUSTOMER_ID: u64 = 5705;
/// The customer's own Telegram number, as Telegram puts it in a shared contact (no `+`).
const CUSTOMER_NUMBER: &str = "447911123456";

fn carol() -> TgUser {
    TgUser::new(CUSTOMER_ID, "Carol")
}

impl TestApp {
    /// How many verifications the database holds, and how many of them are verified.
    async fn verification_counts(&self) -> (i64, i64) {
        let db = self.database().await;
        on_test_db!(db, pool => sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'verified' THEN 1 ELSE 0 END), 0) \
             FROM verifications"
        )
        .fetch_one(pool)
        .await)
        .expect("the verifications count")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forwarded_contact_verifies_nothing_whoever_it_names() {
    let app = TestApp::spawn().await;
    let (link, _) = app.qr(&app.admin, app.chat(), "/qr").await;
    let carol = carol();
    app.open(&carol, &link).await;

    // Her own card, forwarded from a chat with a friend: it names her account, but it is not
    // the button's answer.
    let friend = TgUser::new(5706, "Dan");
    let chat = CUSTOMER_ID as i64;
    for named in [CUSTOMER_ID, friend.id] {
        let before = app.telegram.messages_to(chat).len();
        app.telegram
            .push_forwarded_contact(&carol, chat, CUSTOMER_NUMBER, Some(named), &friend);
        let answer = app.nth_message(chat, before + 1).await;
        assert_opens_with(&answer, "⚠️");
        assert_says(&answer, "forwarded contact");
    }
    assert_eq!(app.verification_counts().await, (0, 0));

    // The link is still hers to answer, with the button.
    let thanks = app.share(&carol, CUSTOMER_NUMBER, Some(CUSTOMER_ID)).await;
    assert_opens_with(&thanks, "✅");
    assert_eq!(app.verification_counts().await, (1, 1));
    assert!(app.gateway.calls().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_link_typed_in_a_group_opens_nothing() {
    let app = TestApp::spawn().await;
    let (link, _) = app
        .qr(&app.admin, app.chat(), &format!("/qr {PHONE}"))
        .await;
    let token = link.split("?start=").nth(1).unwrap().to_owned();
    let carol = carol();
    let group = -100_5710;

    // Typed (or pasted) in a group: the polite line for people without access, once a day,
    // and the link stays unopened.
    let answer = app.say_as(&carol, group, &format!("/start {token}")).await;
    assert_says(&answer, "<code>5705</code>");
    assert!(answer.reply_markup.is_none(), "{answer:?}");
    app.telegram
        .push_text(&carol, group, &format!("/start {token}"));
    app.telegram.push_text(&carol, group, "/start anything");
    let staff_reply = app.say_as(&app.admin, group, "/help").await;
    assert!(!staff_reply.text.contains("5705"), "{}", staff_reply.text);
    assert_eq!(app.telegram.messages_to(group).len(), 2);

    // Opened in her private chat, it works: nobody opened it first.
    let welcome = app.open(&carol, &link).await;
    assert_opens_with(&welcome, "👋");
    let (_, told) = app
        .share_and_tell(&carol, CUSTOMER_NUMBER, Some(CUSTOMER_ID), app.chat())
        .await;
    assert_opens_with(&told, "✅");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qr_in_a_group_goes_to_the_staff_members_private_chat() {
    let app = TestApp::spawn().await;
    let group = -100_5720;
    let admin = app.admin.clone();

    let before = app.telegram.messages_to(group).len();
    let (link, caption) = app.qr(&admin, group, &format!("/qr {PHONE}")).await;
    let photo = app.telegram.calls_to("sendPhoto").pop().unwrap();
    assert_eq!(
        photo.params["chat_id"],
        app.chat(),
        "the picture went privately"
    );
    // The private chat shows the number in full.
    assert!(caption.contains("+44 7911 123456"), "{caption}");
    let said = app.nth_message(group, before + 1).await;
    assert_opens_with(&said, "🔒");
    assert!(
        app.telegram
            .messages_to(group)
            .iter()
            .all(|m| !m.text.contains("start=") && !m.text.contains("7911 123456")),
        "the group sees neither the link nor the number"
    );

    // The customer's answer is told where the picture is.
    let carol = carol();
    app.open(&carol, &link).await;
    let (_, told) = app
        .share_and_tell(&carol, CUSTOMER_NUMBER, Some(CUSTOMER_ID), app.chat())
        .await;
    assert_eq!(
        told.text,
        "✅ <code>+44 7911 123456</code> verified with a QR code, for free."
    );
    assert_eq!(app.telegram.messages_to(group).len(), before + 1);

    // The QR button under a code sent in the group does the same.
    let sent = app.say_as(&admin, group, "/verify +44 7400 123456").await;
    assert_opens_with(&sent, "📨");
    let pictures = app.telegram.calls_to("sendPhoto").len();
    let pop_up = app.press(&admin, &sent, "qrv").await;
    assert_pop_up_says(&pop_up, "private chat");
    let photo = app
        .telegram
        .wait_for_call("sendPhoto", pictures + 1, PATIENCE)
        .await
        .pop()
        .unwrap();
    assert_eq!(photo.params["chat_id"], app.chat());

    // When the bot may not write to them, the group gets the hint and no picture.
    app.assert_hint_when_the_private_chat_is_closed(group, "/qr", "sendPhoto")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_qr_button_under_a_question_ends_with_the_question() {
    let app = TestApp::spawn_with_admin(&[("CONFIRM_CONSENT", "true")]).await;

    // Answered: "Cancel" closes the question, and its QR button with it.
    let asked = app.say(&format!("/verify {PHONE}")).await;
    assert_opens_with(&asked, "🤝");
    app.press(&app.admin, &asked, "drop").await;
    let pop_up = app.press(&app.admin, &asked, "qrq").await;
    assert_pop_up_says(&pop_up, "already answered or has expired");

    // Expired: an hour later the question, and its QR button, no longer work.
    let asked = app.say(&format!("/verify {PHONE}")).await;
    app.advance_clock(3601);
    let pop_up = app.press(&app.admin, &asked, "qrq").await;
    assert_pop_up_says(&pop_up, "already answered or has expired");
    assert!(app.telegram.calls_to("sendPhoto").is_empty());

    // A fresh question's button works.
    let asked = app.say(&format!("/verify {PHONE}")).await;
    app.press(&app.admin, &asked, "qrq").await;
    assert_eq!(app.telegram.calls_to("sendPhoto").len(), 1);
    assert!(app.gateway.calls().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_share_that_ends_a_colleagues_code_tells_the_colleague() {
    let app = TestApp::spawn().await;
    let bob = TgUser::new(5730, "Bob");
    app.invite(&bob, "/invite").await;
    let bobs_chat = bob.id as i64;

    // Bob sent a code to the number; the admin checks the customer at the counter instead.
    let sent = app
        .say_as(&bob, bobs_chat, &format!("/verify {PHONE}"))
        .await;
    assert_opens_with(&sent, "📨");
    let (link, _) = app
        .qr(&app.admin, app.chat(), &format!("/qr {PHONE}"))
        .await;
    let carol = carol();
    app.open(&carol, &link).await;
    let (_, told) = app
        .share_and_tell(&carol, CUSTOMER_NUMBER, Some(CUSTOMER_ID), bobs_chat)
        .await;
    assert_eq!(
        told.text,
        "🔕 Your code to <code>+44 7911 123456</code> was cancelled: the customer confirmed \
         the number with a QR code made by user\u{a0}<code>1001</code>. There is nothing to type."
    );
    assert_eq!(app.gateway.count("revokeVerificationMessage"), 1);
    // Bob's buttons went with his code.
    let edits = app.telegram.edits();
    assert!(
        edits
            .iter()
            .any(|e| e.params["chat_id"] == bobs_chat && e.params["message_id"] == sent.message_id),
        "{edits:?}"
    );
}
