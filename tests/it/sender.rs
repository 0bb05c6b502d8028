//! Codes sent from the business's own channel (`SENDER_USERNAME`), end to end: the channel goes
//! with every send and resend; when the Gateway refuses it (`SENDER_USERNAME_INVALID`,
//! `SENDER_NOT_VERIFIED`, `SENDER_NOT_OWNED`) staff get one line in their language, nothing is
//! charged or left open, and the admins are told once per problem (not per send, not again by
//! another process or after a restart) until a send goes out again.

use crate::common::app::{
    ADMIN_ID, PATIENCE, PHONE, TestApp, assert_opens_with, assert_says, assert_start_up_refused,
};
use crate::common::fake_telegram::{SentMessage, TgUser};

/// The channel as configured (`SENDER_USERNAME=@shop_channel`) and as the Gateway gets it.
const CHANNEL: &str = "shop_channel";
/// A second admin, who reads Russian.
const RU_ADMIN: u64 = 1002;
/// Staff (not admins): one reads English, one Russian.
const EN_STAFF: u64 = 3003;
const RU_STAFF: u64 = 3004;
/// Another customer's number.
const OTHER_PHONE: &str = "+7 916 123-45-67";

fn russian(id: u64, name: &str) -> TgUser {
    TgUser {
        language_code: Some("ru".into()),
        ..TgUser::new(id, name)
    }
}

/// A shop whose codes go out from @shop_channel: two admins (English, Russian) and two staff
/// members (English, Russian).
struct Shop {
    app: TestApp,
    en: TgUser,
    ru: TgUser,
}

impl Shop {
    async fn open(env: &[(&str, &str)]) -> Shop {
        let admins = format!("{ADMIN_ID},{RU_ADMIN}");
        let mut vars = vec![
            ("ADMIN_IDS", admins.as_str()),
            ("SENDER_USERNAME", "@shop_channel"),
        ];
        vars.extend_from_slice(env);
        let app = TestApp::spawn_with(&vars).await;
        // The Russian admin's language is remembered from their app.
        let ru_admin = russian(RU_ADMIN, "Ivan");
        assert_says(
            &app.say_as(&ru_admin, RU_ADMIN as i64, "/help").await,
            "/verify",
        );
        let en = TgUser::new(EN_STAFF, "Sam");
        let ru = russian(RU_STAFF, "Olga");
        app.invite(&en, "/invite").await;
        app.invite(&ru, "/invite").await;
        Shop { app, en, ru }
    }

    /// `who` types `/verify phone` in their private chat; returns the reply.
    async fn verify(&self, who: &TgUser, phone: &str) -> SentMessage {
        self.app.verify_as(who, phone).await
    }
}

/// How many alerts this app's processes (over all their runs) have raised.
fn alerts_raised(app: &TestApp) -> usize {
    app.logs().matches("telling the admins").count()
}

/// Waits until `chat` has `n` messages starting with `prefix`; returns them all (there may be
/// more by then).
async fn wait_for(app: &TestApp, chat: u64, prefix: &str, n: usize) -> Vec<SentMessage> {
    let starts = |m: &SentMessage| m.text.starts_with(prefix);
    app.telegram
        .wait_for_messages_where(chat as i64, n, PATIENCE, starts)
        .await
}

/// The English staff line: one line, nothing sent or charged, the admins told.
#[track_caller]
fn assert_english_refusal(reply: &SentMessage) {
    assert_opens_with(reply, "⚠️ No code was sent");
    assert_says(reply, "@shop_channel");
    assert_says(reply, "Nothing was charged, and the admins have been told.");
    // The customer at the counter can still be checked for free: the QR button under it.
    let (refusal, offer) = reply.text.split_once("\n\n").expect("two paragraphs");
    assert!(!refusal.contains('\n'), "one line: {}", reply.text);
    assert_eq!(
        offer,
        "If the customer is with you, check their number for free instead: tap <b>Show a QR code</b>."
    );
    let labels: Vec<String> = reply.inline_buttons().into_iter().map(|(l, _)| l).collect();
    assert_eq!(labels, ["📷 Show a QR code"]);
}

/// The same in Russian.
#[track_caller]
fn assert_russian_refusal(reply: &SentMessage) {
    assert_opens_with(reply, "⚠️ Код не отправлен");
    assert_says(reply, "@shop_channel");
    assert_says(reply, "Деньги не списаны, администраторам уже сообщили.");
    assert_says(reply, "Если клиент рядом, проверьте номер бесплатно");
    let labels: Vec<String> = reply.inline_buttons().into_iter().map(|(l, _)| l).collect();
    assert_eq!(labels, ["📷 Показать QR"]);
}

/// (status, error, request_cost) of every verification, oldest first.
async fn verifications(app: &TestApp) -> Vec<(String, Option<String>, Option<f64>)> {
    let db = app.database().await;
    let sql = "SELECT status, error, request_cost FROM verifications ORDER BY id";
    crate::on_test_db!(db, pool => sqlx::query_as(sql).fetch_all(pool).await).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_channel_goes_with_every_send_and_every_resend() {
    let app =
        TestApp::spawn_with(&[("ADMIN_IDS", "1001"), ("SENDER_USERNAME", "@shop_channel")]).await;
    let admin = app.admin.clone();
    let sent = app.say(&format!("/verify {PHONE}")).await;
    assert_opens_with(&sent, "📨");
    assert_eq!(app.press(&admin, &sent, "resend").await, "New code sent");
    let resent = wait_for(&app, ADMIN_ID, "📨", 2).await.pop().unwrap();
    // Without the "@", as the Gateway takes a username.
    let channel = Some(CHANNEL.to_owned());
    assert_eq!(
        app.gateway.sender_usernames(),
        [channel.clone(), channel.clone()]
    );

    // A Resend the Gateway refuses for the channel: the one line in the chat, nothing sent.
    app.gateway.sender_refused(CHANNEL, "SENDER_NOT_VERIFIED");
    let answer = app.press(&admin, &resent, "resend").await;
    assert_eq!(answer, "No code sent: see the chat");
    let refusal = wait_for(&app, ADMIN_ID, "⚠️", 1).await.remove(0);
    assert_english_refusal(&refusal);
    // Its QR button makes a link for the number of the code it was to replace.
    assert!(
        refusal.inline_buttons()[0].1.starts_with("qrv:"),
        "{refusal:?}"
    );
    assert_eq!(
        app.gateway.sender_usernames(),
        [channel.clone(), channel.clone(), channel]
    );
    let alert = wait_for(&app, ADMIN_ID, "📢", 1).await.remove(0);
    assert_says(&alert, "@shop_channel");

    // Without SENDER_USERNAME, no channel is named.
    let plain = TestApp::spawn().await;
    assert_opens_with(&plain.say(&format!("/verify {PHONE}")).await, "📨");
    assert_eq!(plain.gateway.sender_usernames(), [None]);
}

/// One refusal of the channel, through its whole life: two failing sends (English, then
/// Russian staff) tell the admins once, each in their language; nothing is charged or left
/// open; once a code goes out again, the next refusal is told again.
async fn a_refused_channel_is_told_once_until_it_works_again(
    error: &str,
    fix_en: &str,
    fix_ru: &str,
) {
    let shop = Shop::open(&[]).await;
    let app = &shop.app;
    app.gateway.sender_refused(CHANNEL, error);

    assert_english_refusal(&shop.verify(&shop.en, PHONE).await);
    let alert = wait_for(app, ADMIN_ID, "📢", 1).await.remove(0);
    assert_says(&alert, "@shop_channel");
    assert_says(&alert, error);
    assert_says(&alert, fix_en);
    let alert_ru = wait_for(app, RU_ADMIN, "📢", 1).await.remove(0);
    assert_says(&alert_ru, "Коды не отправляются");
    assert_says(&alert_ru, "@shop_channel");
    assert_says(&alert_ru, fix_ru);
    // Nothing was charged, and nothing is open.
    assert_eq!(app.gateway.balance(), 100.0);
    let status = app.say_as(&shop.en, EN_STAFF as i64, "/status").await;
    assert_says(&status, "No verification is open here.");

    // A second failing send, by a colleague who reads Russian: their line, and no new alert.
    assert_russian_refusal(&shop.verify(&shop.ru, OTHER_PHONE).await);
    assert_eq!(alerts_raised(app), 1);
    let status = app.say_as(&shop.ru, RU_STAFF as i64, "/status").await;
    assert_says(&status, "Здесь нет активных проверок");
    let failed = (String::from("failed"), Some(error.to_owned()), None);
    assert_eq!(verifications(app).await, [failed.clone(), failed.clone()]);
    assert_eq!(app.gateway.balance(), 100.0);

    // The channel is put right: a code goes out. When it breaks again, the admins hear again.
    app.gateway.sender_accepted(CHANNEL);
    assert_opens_with(&shop.verify(&shop.en, PHONE).await, "📨");
    app.say_as(&shop.en, EN_STAFF as i64, "/cancel").await;
    app.gateway.sender_refused(CHANNEL, error);
    assert_english_refusal(&shop.verify(&shop.en, PHONE).await);
    assert_eq!(alerts_raised(app), 2);
    let alerts = wait_for(app, ADMIN_ID, "📢", 2).await;
    assert_eq!(alerts.len(), 2);
    assert_eq!(alerts[1].text, alerts[0].text);
    let alerts_ru = wait_for(app, RU_ADMIN, "📢", 2).await;
    assert_eq!(alerts_ru[1].text, alert_ru.text);

    // Only admins are told; every send named the channel.
    for staff in [EN_STAFF, RU_STAFF] {
        let told = app.telegram.messages_to(staff as i64);
        assert!(told.iter().all(|m| !m.text.starts_with("📢")), "{told:?}");
    }
    let channel = Some(CHANNEL.to_owned());
    assert_eq!(app.gateway.sender_usernames(), vec![channel; 4]);
    assert_eq!(alerts_raised(app), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unverified_channel_is_told_once_and_how_to_verify_it() {
    a_refused_channel_is_told_once_until_it_works_again(
        "SENDER_NOT_VERIFIED",
        "get the channel verified by Telegram (telegram.org/verify)",
        "пройдите верификацию канала в Telegram (telegram.org/verify)",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_channel_of_another_account_is_told_once_and_whose_it_must_be() {
    a_refused_channel_is_told_once_until_it_works_again(
        "SENDER_NOT_OWNED",
        "transfer the channel to the account you log in to gateway.telegram.org with",
        "передайте канал аккаунту, с которым вы входите на gateway.telegram.org",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_channel_is_told_once_and_to_check_the_spelling() {
    a_refused_channel_is_told_once_until_it_works_again(
        "SENDER_USERNAME_INVALID",
        "check that SENDER_USERNAME is spelled right and that a channel with this username exists",
        "проверьте, правильно ли указано имя в SENDER_USERNAME и существует ли канал с таким именем",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_process_and_a_restart_do_not_repeat_the_alert() {
    let mut shop = Shop::open(&[]).await;
    shop.app.gateway.sender_refused(CHANNEL, "SENDER_NOT_OWNED");
    assert_english_refusal(&shop.verify(&shop.en, PHONE).await);
    wait_for(&shop.app, ADMIN_ID, "📢", 1).await;

    // After a restart, the same problem is not told again.
    shop.app.kill9().await;
    shop.app.start().await;
    assert_english_refusal(&shop.verify(&shop.en, PHONE).await);
    assert_eq!(alerts_raised(&shop.app), 1);

    // Nor by another process on the same database.
    let other = shop.app.sibling(&[]).await;
    let reply = other.verify_as(&shop.ru, PHONE).await;
    assert_russian_refusal(&reply);
    assert_eq!(alerts_raised(&other), 0);

    // A code goes out through the other process: the first one then tells the next break.
    shop.app.gateway.sender_accepted(CHANNEL);
    let sent = other.verify_as(&shop.ru, PHONE).await;
    assert_opens_with(&sent, "📨");
    other.say_as(&shop.ru, RU_STAFF as i64, "/cancel").await;
    shop.app.gateway.sender_refused(CHANNEL, "SENDER_NOT_OWNED");
    assert_english_refusal(&shop.verify(&shop.en, PHONE).await);
    assert_eq!(alerts_raised(&shop.app), 2);
    assert_eq!(wait_for(&shop.app, ADMIN_ID, "📢", 2).await.len(), 2);
    assert_eq!(alerts_raised(&other), 0);
    assert!(other.telegram.messages_to(ADMIN_ID as i64).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_pre_check_staff_hear_that_only_the_check_was_paid() {
    let shop = Shop::open(&[("PRECHECK", "true"), ("SENDER_USERNAME", "shop_channel")]).await;
    let app = &shop.app;
    app.gateway.sender_refused(CHANNEL, "SENDER_NOT_OWNED");
    let reply = shop.verify(&shop.en, PHONE).await;
    assert_opens_with(&reply, "⚠️ No code was sent");
    assert_says(
        &reply,
        "Only the pre-check was paid for, and the admins have been told.",
    );
    let reply = shop.verify(&shop.ru, OTHER_PHONE).await;
    assert_opens_with(&reply, "⚠️ Код не отправлен");
    assert_says(&reply, "Оплачена только предварительная проверка номера");
    let methods: Vec<String> = app.gateway.calls().into_iter().map(|c| c.method).collect();
    assert_eq!(
        methods,
        [
            "checkSendAbility",
            "sendVerificationMessage",
            "checkSendAbility",
            "sendVerificationMessage"
        ]
    );
    let channel = Some(CHANNEL.to_owned());
    assert_eq!(app.gateway.sender_usernames(), [channel.clone(), channel]);
    // The two checks were paid for, and are counted.
    assert!((app.gateway.balance() - 99.98).abs() < 1e-9);
    let costs: Vec<Option<f64>> = verifications(app).await.into_iter().map(|v| v.2).collect();
    assert_eq!(costs, [Some(0.01), Some(0.01)]);
    assert_eq!(alerts_raised(app), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_username_that_is_no_username_stops_start_up_with_one_line() {
    assert_start_up_refused(
        &[("SENDER_USERNAME", "@shop")],
        "SENDER_USERNAME is invalid: \"@shop\" is not a channel username",
    )
    .await;
}
