//! Customers, end to end: contact cards from staff, the free check at the counter (a `/qr`
//! picture scanned and answered by a second fake user with their own contact), returning
//! numbers, the consent question and `/lookup`, in English and in Russian.

use serde_json::Value;

use crate::common::app::{ADMIN_ID, PHONE, PHONE_E164, TestApp, assert_opens_with, assert_says};
use crate::common::fake_telegram::{SentMessage, TgUser};
use crate::on_test_db;

const CUSTOMER_ID: u64 = 5005;
/// The customer's own Telegram number, as Telegram puts it in a shared contact (no `+`).
const CUSTOMER_NUMBER: &str = "447911123456";

fn customer(lang: Option<&str>) -> TgUser {
    TgUser {
        language_code: lang.map(str::to_owned),
        ..TgUser::new(CUSTOMER_ID, "Carol")
    }
}

fn russian(user: &TgUser) -> TgUser {
    TgUser {
        language_code: Some("ru".into()),
        ..user.clone()
    }
}

/// The texts of a reply keyboard's buttons, and whether each asks for a contact.
fn reply_keyboard(message: &SentMessage) -> Vec<(String, bool)> {
    let rows = message
        .reply_markup
        .as_ref()
        .and_then(|m| m["keyboard"].as_array())
        .cloned()
        .unwrap_or_default();
    rows.iter()
        .filter_map(Value::as_array)
        .flatten()
        .map(|b| {
            let text = b["text"].as_str().unwrap_or_default().to_owned();
            (text, b["request_contact"] == true)
        })
        .collect()
}

fn removes_keyboard(message: &SentMessage) -> bool {
    message
        .reply_markup
        .as_ref()
        .is_some_and(|m| m["remove_keyboard"] == true)
}

impl TestApp {
    async fn method_of_latest(&self) -> (String, String, f64) {
        let db = self.database().await;
        let sql = "SELECT method, status, request_cost FROM verifications ORDER BY id DESC LIMIT 1";
        on_test_db!(db, pool => sqlx::query_as(sql).fetch_one(pool).await).expect("a row")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_card_from_staff_sends_a_code_to_its_number() {
    let app = TestApp::spawn().await;
    let chat = app.chat();

    // Telegram gives a Telegram user's number without its `+`.
    let before = app.telegram.messages_to(chat).len();
    app.telegram
        .push_contact(&app.admin, chat, CUSTOMER_NUMBER, Some(CUSTOMER_ID));
    let sent = app.nth_message(chat, before + 1).await;
    assert_opens_with(&sent, "📨");
    assert_says(&sent, PHONE);
    assert_eq!(app.gateway.count("sendVerificationMessage"), 1);
    assert_eq!(app.gateway.calls()[0].params["phone_number"], PHONE_E164);

    // The code is typed as after /verify.
    let verdict = app.say(&app.customer_code()).await;
    assert_opens_with(&verdict, "✅");

    // A card without a number, or with one that is not a number: a clear reply, no send.
    for (number, answer) in [
        ("", "⚠️ This contact card has no phone number"),
        ("call reception", "is not a phone number"),
    ] {
        let before = app.telegram.messages_to(chat).len();
        app.telegram.push_contact(&app.admin, chat, number, None);
        assert_says(&app.nth_message(chat, before + 1).await, answer);
    }
    assert_eq!(app.gateway.count("sendVerificationMessage"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_at_the_counter_is_verified_for_free_by_sharing_their_contact() {
    let app = TestApp::spawn_remembering(&[]).await;
    let chat = app.chat();

    let (link, caption) = app.qr(&app.admin, chat, "/qr").await;
    assert!(
        link.starts_with("https://t.me/verify_test_bot?start=c_"),
        "{link}"
    );
    assert!(caption.contains("scan"), "{caption}");
    assert!(caption.contains("works once"), "{caption}");

    // The customer scans it: one message, in their app's language, with one button.
    let carol = customer(Some("en"));
    let welcome = app.open(&carol, &link).await;
    assert_opens_with(&welcome, "👋");
    assert_eq!(
        reply_keyboard(&welcome),
        [("📱 Send my number".to_owned(), true)]
    );

    // Anything else: the button again, never a staff function.
    let chatter = app
        .say_as(&carol, CUSTOMER_ID as i64, "/verify +44 7700 900123")
        .await;
    assert_opens_with(&chatter, "👇");
    assert_eq!(reply_keyboard(&chatter).len(), 1);

    let (thanks, told) = app
        .share_and_tell(&carol, CUSTOMER_NUMBER, Some(CUSTOMER_ID), chat)
        .await;
    assert_opens_with(&thanks, "✅");
    assert_says(&thanks, "Thank you");
    assert!(removes_keyboard(&thanks), "{thanks:?}");

    assert_eq!(
        told.text,
        "✅ <code>+44 7911 123456</code> verified with a QR code, for free."
    );
    // Free: the Gateway was never asked.
    assert!(app.gateway.calls().is_empty());
    assert_eq!(
        app.method_of_latest().await,
        ("contact".to_owned(), "verified".to_owned(), 0.0)
    );
    let audit = app.audit().await;
    let share = audit
        .iter()
        .find(|row| row.1 == "contact_share")
        .expect("audited");
    assert_eq!(share.0, Some(CUSTOMER_ID as i64));

    // Counted everywhere a verification is.
    let history = app.say("/history").await;
    assert_says(&history, "✅ <code>+44 79•• •••456</code> (with a QR code)");
    let stats = app.say("/stats").await;
    assert_says(&stats, "📷 Verified by QR code (free): 1");
    let text = app.exported_csv().await;
    let row: Vec<&str> = text.lines().nth(1).expect("one row").split(',').collect();
    // final_status, cost_usd, method
    assert_eq!(
        (row[5], row[7].parse::<f64>().ok(), row[10]),
        ("verified", Some(0.0), "contact")
    );

    // The same number typed again is a returning number: nothing is sent unasked.
    let again = app.say(&format!("/verify {PHONE}")).await;
    assert_opens_with(&again, "✅");
    assert_says(
        &again,
        "was already verified by you with a QR code just now",
    );
    assert!(app.gateway.calls().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_customers_own_contact_is_accepted_and_only_once() {
    let app = TestApp::spawn().await;
    let chat = app.chat();
    let (link, _) = app.qr(&app.admin, chat, "/qr").await;
    let carol = customer(None);
    app.open(&carol, &link).await;

    // Someone else's card (forwarded, or from the address book): refused, the link still open.
    let staff_messages = app.telegram.messages_to(chat).len();
    for (number, user_id) in [("447700900123", Some(777)), ("447700900123", None)] {
        let refused = app.share(&carol, number, user_id).await;
        assert_opens_with(&refused, "⚠️");
        assert_says(&refused, "someone else’s number");
        assert_eq!(reply_keyboard(&refused).len(), 1, "the button again");
    }
    assert_eq!(app.telegram.messages_to(chat).len(), staff_messages);

    let thanks = app.share(&carol, CUSTOMER_NUMBER, Some(CUSTOMER_ID)).await;
    assert_opens_with(&thanks, "✅");
    app.nth_message(chat, staff_messages + 1).await;

    // Used: a second person gets one polite answer and nothing else; the customer who shared,
    // scanning again, is told they are done.
    let dave = TgUser::new(6006, "Dave");
    let used = app.open(&dave, &link).await;
    assert_opens_with(&used, "⚠️");
    assert_says(&used, "already been used");
    let again = app.open(&carol, &link).await;
    assert_opens_with(&again, "✅");
    assert_says(
        &again,
        "You have already shared your number, so you’re all done",
    );
    assert!(!again.text.contains("new QR code"), "{}", again.text);
    let shared_again = app.share(&carol, CUSTOMER_NUMBER, Some(CUSTOMER_ID)).await;
    assert_says(&shared_again, "This bot confirms customers’ phone numbers");
    let forged = app
        .say_as(&dave, 6006, "/start c_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
        .await;
    assert_says(&forged, "doesn’t work");
    assert_eq!(app.telegram.messages_to(chat).len(), staff_messages + 1);
    assert!(app.gateway.calls().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_opened_first_by_someone_else_or_too_late_is_refused() {
    let app = TestApp::spawn_with_admin(&[("QR_TTL", "60")]).await;
    let chat = app.chat();
    let (link, _) = app.qr(&app.admin, chat, "/qr").await;

    // Whoever opens it first is the only one who may answer it.
    let dave = TgUser::new(6006, "Dave");
    assert_opens_with(&app.open(&dave, &link).await, "👋");
    let carol = customer(None);
    assert_says(&app.open(&carol, &link).await, "already been used");
    let not_hers = app.share(&carol, CUSTOMER_NUMBER, Some(CUSTOMER_ID)).await;
    assert_says(&not_hers, "This bot confirms customers’ phone numbers");

    // Too late: QR_TTL has passed.
    app.advance_clock(61);
    let late = app.share(&dave, "447700900123", Some(6006)).await;
    assert_opens_with(&late, "⌛");
    assert!(removes_keyboard(&late));
    let (fresh, _) = app.qr(&app.admin, chat, "/qr").await;
    app.advance_clock(61);
    assert_opens_with(&app.open(&carol, &fresh).await, "⌛");
    assert!(app.gateway.calls().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_contact_shared_in_a_group_is_no_answer() {
    let app = TestApp::spawn().await;
    let group = -100_555;
    let admin = app.admin.clone();
    // The picture goes to the admin's private chat (free_check.rs), the link is opened there.
    let (link, _) = app.qr(&admin, group, &format!("/qr {PHONE}")).await;
    let carol = customer(None);
    app.open(&carol, &link).await;
    let (_, told) = app
        .share_and_tell(&carol, CUSTOMER_NUMBER, Some(CUSTOMER_ID), app.chat())
        .await;
    assert_opens_with(&told, "✅");

    // A customer's contact shared in the group is not an answer: the group gets at most one
    // polite line a day from the bot for them, and nothing is verified.
    let before = app.telegram.messages_to(group).len();
    app.telegram
        .push_contact(&carol, group, CUSTOMER_NUMBER, Some(CUSTOMER_ID));
    let polite = app.nth_message(group, before + 1).await;
    assert_says(&polite, "This bot confirms customers’ phone numbers");
    assert_eq!(app.method_of_latest().await.0, "contact");
    let db = app.database().await;
    let (rows,): (i64,) = on_test_db!(db, pool => sqlx::query_as(
        "SELECT COUNT(*) FROM verifications"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(rows, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qr_instead_of_a_code_cancels_the_code_once_the_customer_shares() {
    let app = TestApp::spawn().await;
    let chat = app.chat();
    let sent = app.say(&format!("/verify {PHONE}")).await;
    assert_opens_with(&sent, "📨");

    let pictures = app.telegram.calls_to("sendPhoto").len();
    let pop_up = app.press(&app.admin, &sent, "qrv").await;
    assert!(pop_up.contains("QR"), "{pop_up}");
    let (link, caption) = app.qr_sent(pictures).await;
    assert!(caption.contains("+44 7911 123456"), "{caption}");

    let carol = customer(None);
    app.open(&carol, &link).await;
    let number = format!("+{CUSTOMER_NUMBER}");
    let (_, told) = app
        .share_and_tell(&carol, &number, Some(CUSTOMER_ID), chat)
        .await;
    assert_opens_with(&told, "✅");
    assert_says(&told, "The code sent earlier to this number was cancelled");
    // The code nobody needs is revoked, and its buttons go.
    assert_eq!(app.gateway.count("revokeVerificationMessage"), 1);
    let db = app.database().await;
    let statuses: Vec<(String, String)> = on_test_db!(db, pool => sqlx::query_as(
        "SELECT method, status FROM verifications ORDER BY id"
    )
    .fetch_all(pool)
    .await)
    .unwrap();
    assert_eq!(
        statuses,
        [
            ("code".to_owned(), "cancelled".to_owned()),
            ("contact".to_owned(), "verified".to_owned())
        ]
    );

    // A colleague may not make a link from someone else's verification.
    let bob = TgUser::new(2002, "Bob");
    app.invite(&bob, "/invite").await;
    let refused = app.press(&bob, &sent, "qrv").await;
    assert!(refused.contains("⛔"), "{refused}");
    assert_eq!(app.telegram.calls_to("sendPhoto").len(), pictures + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_number_verified_recently_is_not_sent_a_code_unless_asked() {
    let app = TestApp::spawn_remembering(&[]).await;
    app.verify_to_the_end(PHONE).await;

    let returning = app.say(&format!("/verify {PHONE}")).await;
    assert_opens_with(&returning, "✅");
    assert_says(
        &returning,
        "was already verified by you with a code just now (",
    );
    assert_says(&returning, "). No code was sent.");
    assert_eq!(app.gateway.count("sendVerificationMessage"), 1);
    let labels: Vec<String> = returning
        .inline_buttons()
        .into_iter()
        .map(|(label, _)| label)
        .collect();
    assert_eq!(labels, ["🔁 Send anyway", "📷 Show a QR code"]);

    // Someone else's press does nothing.
    let bob = TgUser::new(2002, "Bob");
    app.invite(&bob, "/invite").await;
    for action in ["anyway", "qrq"] {
        let refused = app.press(&bob, &returning, action).await;
        assert!(refused.contains("⛔"), "{refused}");
    }
    let audit = app.audit().await;
    let refusals: Vec<_> = audit.iter().filter(|row| row.1 == "refused").collect();
    assert_eq!(refusals.len(), 2, "{audit:?}");
    assert!(refusals.iter().all(|row| row.0 == Some(2002)), "{audit:?}");
    assert!(app.telegram.calls_to("sendPhoto").is_empty());

    // The owner may check the customer for free instead: the picture names the number.
    let (link, caption) = {
        app.press(&app.admin, &returning, "qrq").await;
        app.qr_sent(0).await
    };
    assert!(caption.contains("+44 7911 123456"), "{caption}");
    assert!(link.contains("?start=c_"), "{link}");

    // The owner's press sends, once, however often it is pressed.
    let pop_up = app.press(&app.admin, &returning, "anyway").await;
    assert!(pop_up.contains("Code sent"), "{pop_up}");
    app.wait_for_sends(2).await;
    let twice = app.press(&app.admin, &returning, "anyway").await;
    assert!(twice.contains("already answered"), "{twice}");
    assert_eq!(app.gateway.count("sendVerificationMessage"), 2);

    // Past REVERIFY_AFTER_DAYS (30 by default), a code goes out at once.
    app.say("/cancel").await;
    app.advance_clock(31 * 86_400);
    assert_opens_with(&app.say(&format!("/verify {PHONE}")).await, "📨");
    assert_eq!(app.gateway.count("sendVerificationMessage"), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reverify_after_zero_days_always_sends() {
    let app = TestApp::spawn_with_admin(&[("REVERIFY_AFTER_DAYS", "0")]).await;
    app.verify_to_the_end(PHONE).await;
    app.advance_clock(31);
    assert_opens_with(&app.say(&format!("/verify {PHONE}")).await, "📨");
    assert_eq!(app.gateway.count("sendVerificationMessage"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_confirm_consent_only_yes_spends_and_the_consent_is_on_record() {
    let app = TestApp::spawn_with_admin(&[("CONFIRM_CONSENT", "true")]).await;

    let asked = app.say(&format!("/verify {PHONE}")).await;
    assert_opens_with(&asked, "🤝");
    assert_says(
        &asked,
        "Has the customer agreed to receive a code in Telegram",
    );
    assert!(app.gateway.calls().is_empty());
    let cancelled_pop_up = app.press(&app.admin, &asked, "drop").await;
    assert!(!cancelled_pop_up.is_empty());
    let cancelled = app.last_message(app.chat());
    assert_opens_with(&cancelled, "🚫");
    assert!(app.gateway.calls().is_empty());

    let asked = app.say(&format!("/verify {PHONE}")).await;
    app.press(&app.admin, &asked, "consent").await;
    app.wait_for_sends(1).await;
    let sent = app.last_message(app.chat());
    assert_opens_with(&sent, "📨");

    let db = app.database().await;
    let (consent_by, consent_at): (Option<i64>, Option<i64>) =
        on_test_db!(db, pool => sqlx::query_as(
        "SELECT consent_by, consent_at FROM verifications ORDER BY id DESC LIMIT 1"
    )
    .fetch_one(pool)
    .await)
        .unwrap();
    assert_eq!(consent_by, Some(ADMIN_ID as i64));
    assert!(consent_at.is_some());
    let audit = app.audit().await;
    assert!(
        audit
            .iter()
            .any(|row| row.1 == "consent" && row.0 == Some(ADMIN_ID as i64)),
        "{audit:?}"
    );

    let lookup = app.say(&format!("/lookup {PHONE}")).await;
    assert_says(&lookup, "consent to receive codes was recorded on");
    assert_says(&lookup, "by you.");

    // The export carries it.
    let text = app.exported_csv().await;
    let header = text.lines().next().unwrap_or_default();
    assert!(header.ends_with("method,consent_by,consent_at"), "{header}");
    let row = text.lines().nth(1).unwrap_or_default();
    assert!(row.contains(",code,1001,"), "{row}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lookup_tells_what_the_bot_knows_of_a_number_masked_in_groups() {
    let app = TestApp::spawn().await;
    let never = app.say(&format!("/lookup {PHONE}")).await;
    assert_eq!(
        never.text,
        "🔍 <code>+44 7911 123456</code>: I have never seen this number."
    );
    assert_says(&app.say("/lookup").await, "send /lookup and the number");
    // A number that is not one: the example of the command typed, and "no code was sent" only
    // where a code could have been.
    for (command, sends) in [
        ("lookup", false),
        ("qr", false),
        ("reset", false),
        ("verify", true),
    ] {
        let bad = app.say(&format!("/{command} hello")).await;
        assert_says(&bad, "is not a phone number");
        assert_says(
            &bad,
            &format!("For example: <code>/{command} +44 7911 123456</code>"),
        );
        assert_eq!(bad.text.contains("No code was sent"), sends, "{}", bad.text);
    }
    let before = app.telegram.messages_to(app.chat()).len();
    let admin = app.admin.clone();
    app.telegram
        .push_contact(&admin, app.chat(), "call me", None);
    let card = app.nth_message(app.chat(), before + 1).await;
    assert_says(&card, "Fix the number in the contact card, or type it");
    assert_says(&card, "<code>/verify +44 7911 123456</code>");
    assert_says(&card, "No code was sent.");
    assert!(app.telegram.calls_to("sendPhoto").is_empty());
    assert!(app.gateway.calls().is_empty());

    app.say(&format!("/verify {PHONE}")).await;
    let open = app.say(&format!("/lookup {PHONE}")).await;
    assert_says(&open, "Not verified yet.");
    assert_says(&open, "⏳ Open now: a code sent just now by you.");
    assert_says(&open, "Send limit: 1000 codes per 10~minutes, 1 used.");

    app.say(&app.customer_code()).await;
    let group = -100_777;
    let admin = app.admin.clone();
    let in_group = app.say_as(&admin, group, &format!("/lookup {PHONE}")).await;
    assert_says(&in_group, "🔍 <code>+44 79•• •••456</code>");
    assert_says(&in_group, "✅ Last verified by you with a code just now");
    assert!(!in_group.text.contains("7911 123456"), "{}", in_group.text);
    assert!(app.gateway.count("sendVerificationMessage") == 1);

    // A colleague's verification names them.
    let bob = TgUser::new(2002, "Bob");
    app.invite(&bob, "/invite").await;
    app.say_as(&bob, 2002, "/verify +44 7400 123456").await;
    let theirs = app.say("/lookup +44 7400 123456").await;
    assert_says(&theirs, "⏳ Open now: a code sent just now by Bob.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_and_customers_see_all_of_it_in_russian() {
    let app = TestApp::spawn_remembering(&[("CONFIRM_CONSENT", "true")]).await;
    let ru = russian(&app.admin);
    let chat = app.chat();

    // A contact card: the consent question first.
    let before = app.telegram.messages_to(chat).len();
    app.telegram
        .push_contact(&ru, chat, "+44 7400 123456", None);
    let asked = app.nth_message(chat, before + 1).await;
    assert_says(
        &asked,
        "🤝 Клиент согласен получить код в Telegram на номер",
    );
    let labels: Vec<String> = asked.inline_buttons().into_iter().map(|(l, _)| l).collect();
    assert_eq!(
        labels,
        ["✅ Да, отправить", "✖️ Отменить", "📷 Показать QR"]
    );
    app.press(&ru, &asked, "drop").await;
    let before = app.telegram.messages_to(chat).len();
    app.telegram.push_contact(&ru, chat, "", None);
    assert_says(
        &app.nth_message(chat, before + 1).await,
        "В этой карточке контакта нет номера телефона",
    );

    // The free check, with a customer whose app speaks Russian.
    let (link, caption) = app.qr(&ru, chat, &format!("/qr {PHONE}")).await;
    assert!(
        caption.contains("Попросите клиента навести камеру"),
        "{caption}"
    );
    let carol = customer(Some("ru"));
    let welcome = app.open(&carol, &link).await;
    assert_says(&welcome, "Здравствуйте! Чтобы подтвердить номер телефона");
    assert_eq!(
        reply_keyboard(&welcome),
        [("📱 Передать номер".to_owned(), true)]
    );
    let refused = app.share(&carol, "447700900123", Some(777)).await;
    assert_says(&refused, "Похоже, это чужой номер");
    let (thanks, told) = app
        .share_and_tell(&carol, CUSTOMER_NUMBER, Some(CUSTOMER_ID), chat)
        .await;
    assert_says(&thanks, "Спасибо! Ваш номер подтверждён");
    assert_eq!(
        told.text,
        "✅ Номер <code>+44 7911 123456</code> подтверждён по QR-коду, бесплатно."
    );
    assert_says(
        &app.open(&carol, &link).await,
        "✅ Вы уже передали свой номер, больше ничего делать не нужно",
    );

    // Returning, then /lookup.
    let returning = app.say_as(&ru, chat, &format!("/verify {PHONE}")).await;
    assert_says(&returning, "уже подтверждён вами по QR-коду только что (");
    assert_says(&returning, "). Код не отправлен.");
    let labels: Vec<String> = returning
        .inline_buttons()
        .into_iter()
        .map(|(l, _)| l)
        .collect();
    assert_eq!(labels, ["🔁 Отправить код", "📷 Показать QR"]);
    // Send anyway: with CONFIRM_CONSENT the consent question comes next.
    app.press(&ru, &returning, "anyway").await;
    let asked = app.last_message(chat);
    assert_says(&asked, "🤝 Клиент согласен получить код");
    assert!(app.gateway.calls().is_empty());

    let lookup = app.say_as(&ru, chat, &format!("/lookup {PHONE}")).await;
    assert_says(
        &lookup,
        "✅ Последний раз подтверждён вами по QR-коду только что",
    );
    assert_says(
        &lookup,
        "Лимит отправок на номер: 1000 кодов за 10~минут, использовано 0.",
    );
    let never = app.say_as(&ru, chat, "/lookup +44 7400 123456").await;
    assert_says(&never, "этот номер мне ещё не встречался");
}
