//! English and Russian, end to end: the language comes from the person's `/language` choice,
//! else their Telegram app's `language_code`, else `DEFAULT_LANGUAGE`.

use crate::common::app::{ADMIN_ID, PATIENCE, PHONE, TestApp, assert_opens_with, assert_says};
use crate::common::fake_telegram::{SentMessage, TgUser};

/// English words that must not appear in a Russian reply (outside commands and numbers).
const ENGLISH: &[&str] = &[
    "code",
    "sent",
    "the",
    "verified",
    "wrong",
    "you",
    "your",
    "verification",
    "expired",
    "cancel",
    "number",
    "attempt",
    "please",
    "open",
    "customer",
    "welcome",
];

#[track_caller]
fn assert_russian(html: &str) {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    assert!(
        text.chars()
            .any(|c| ('а'..='я').contains(&c) || ('А'..='Я').contains(&c)),
        "no Cyrillic in: {text}"
    );
    for word in text
        .split_whitespace()
        .filter(|w| !w.contains('/'))
        .flat_map(|w| w.split(|c: char| !c.is_ascii_alphabetic()))
    {
        assert!(
            !ENGLISH.contains(&word.to_lowercase().as_str()),
            "English {word:?} in a Russian reply: {text}"
        );
    }
}

#[track_caller]
fn assert_russian_reply(message: &SentMessage) {
    assert_russian(&message.text);
    for (label, _) in message.inline_buttons() {
        assert_russian(&label);
    }
}

/// The caption of the first file uploaded with `method`.
async fn upload_caption(app: &TestApp, method: &str) -> String {
    app.telegram.wait_for_call(method, 1, PATIENCE).await;
    let upload = app
        .telegram
        .uploads()
        .into_iter()
        .find(|u| u.method.eq_ignore_ascii_case(method))
        .expect("the upload was recorded");
    upload.params["caption"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn russian(user: &TgUser) -> TgUser {
    TgUser {
        language_code: Some("ru".into()),
        ..user.clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_russian_speaking_staff_member_sees_the_whole_flow_in_russian() {
    let app = TestApp::spawn().await;
    let ru = russian(&app.admin);
    let chat = ADMIN_ID as i64;

    let help = app.say_as(&ru, chat, "/help").await;
    assert_russian_reply(&help);
    assert_says(&help, "Код действует 5~минут");

    let sent = app.say_as(&ru, chat, &format!("/verify {PHONE}")).await;
    assert_opens_with(&sent, "📨");
    assert_says(&sent, "Код отправлен на <code>+44 7911 123456</code>");
    assert_says(&sent, "6-значный код");
    assert_russian_reply(&sent);
    let labels: Vec<String> = sent.inline_buttons().into_iter().map(|(l, _)| l).collect();
    assert_eq!(labels, ["🔁 Новый код", "✖️ Отменить", "📷 Показать QR"]);

    let status = app.say_as(&ru, chat, "/status").await;
    assert_opens_with(&status, "📋");
    assert_says(&status, "Неверных попыток: 0");
    assert_russian_reply(&status);

    let wrong = app.say_as(&ru, chat, "000000").await;
    assert_opens_with(&wrong, "❌");
    assert_says(&wrong, "Неверный код для");
    assert_says(&wrong, "(попытка 1)");
    assert_russian_reply(&wrong);

    let short = app.say_as(&ru, chat, "12345").await;
    assert_opens_with(&short, "🔢");
    assert_says(&short, "Вы ввели 5 цифр");
    assert_russian_reply(&short);

    let chatter = app.say_as(&ru, chat, "алло?").await;
    assert_russian_reply(&chatter);

    let verdict = app.say_as(&ru, chat, &app.customer_code()).await;
    assert_opens_with(&verdict, "✅");
    assert_says(&verdict, "Номер подтверждён");
    assert_russian_reply(&verdict);

    for (text, needle) in [
        ("/status", "Здесь нет активных проверок"),
        ("/frobnicate", "Я не знаю такой команды"),
        ("/verify 12", "Код не отправлен"),
        ("/verify", "Чтобы подтвердить номер клиента"),
        ("/cancel", "Отменять нечего"),
        ("/history", "Последние проверки"),
        ("/invite bogus", "Отправьте /invite"),
        ("/export 0", "Отправьте /export"),
    ] {
        let reply = app.say_as(&ru, chat, text).await;
        assert_says(&reply, needle);
        assert_russian_reply(&reply);
    }

    // Buttons answer in Russian too.
    let sent = app.say_as(&ru, chat, &format!("/verify {PHONE}")).await;
    let answer = app.press(&ru, &sent, "cancel").await;
    assert_eq!(answer, "Отменено");
    let cancelled = app.last_message(chat);
    assert_opens_with(&cancelled, "🚫");
    assert_russian_reply(&cancelled);
    let again = app.press(&ru, &sent, "resend").await;
    assert_eq!(
        again,
        "Эта проверка уже завершена. Начните новую командой /verify."
    );

    // Admin reports: the figures, money and the chart caption.
    let stats = app.say_as(&ru, chat, "/stats").await;
    assert_opens_with(&stats, "📊");
    assert_says(&stats, "Сегодня");
    assert_says(&stats, "Отправлено кодов: 2");
    assert_says(&stats, "0,0");
    assert_russian_reply(&stats);
    let caption = upload_caption(&app, "sendPhoto").await;
    assert!(caption.starts_with("📈 Отправлено кодов"), "{caption}");
    app.telegram.push_text(&ru, chat, "/export 7");
    let caption = upload_caption(&app, "sendDocument").await;
    assert_eq!(
        caption,
        "🧾 2 проверки за последние 7\u{a0}дней, в файле CSV (время в UTC)."
    );

    // An English-speaking colleague in the same bot sees English.
    let en = TgUser {
        language_code: Some("en-GB".into()),
        ..app.admin.clone()
    };
    let english = app.say_as(&en, chat, "/status").await;
    assert_says(&english, "No verification is open here.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_language_command_switches_to_russian_and_the_choice_survives_a_restart() {
    let mut app = TestApp::spawn().await;
    let en = TgUser {
        language_code: Some("en".into()),
        ..app.admin.clone()
    };
    let chat = ADMIN_ID as i64;

    let pick = app.say_as(&en, chat, "/language").await;
    assert_opens_with(&pick, "🌐");
    assert_says(&pick, "Bot language");
    let labels: Vec<String> = pick.inline_buttons().into_iter().map(|(l, _)| l).collect();
    assert_eq!(labels, ["✓ English", "Русский"]);

    let answer = app.press(&en, &pick, "lang:ru").await;
    assert_eq!(answer, "🌐 Теперь я буду отвечать по-русски.");
    let help = app.say_as(&en, chat, "/help").await;
    assert_russian_reply(&help);

    let database = app.database().await;
    let (language, chosen): (String, bool) =
        crate::on_test_db!(database, pool => sqlx::query_as("SELECT language, chosen FROM user_languages WHERE user_id = $1")
            .bind(ADMIN_ID as i64)
            .fetch_one(pool)
            .await)
            .unwrap();
    assert_eq!((language.as_str(), chosen), ("ru", true));

    app.stop_with(libc::SIGTERM).await;
    app.start().await;
    let after = app.say_as(&en, chat, "/status").await;
    assert_says(&after, "Здесь нет активных проверок");

    // And back.
    let pick = app.say_as(&en, chat, "/language").await;
    // The buttons name each language in that language.
    assert_russian(&pick.text);
    let answer = app.press(&en, &pick, "lang:en").await;
    assert_eq!(answer, "🌐 From now on I’ll answer in English.");
    let status = app.say_as(&en, chat, "/status").await;
    assert_says(&status, "No verification is open here.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_language_chosen_through_another_instance_shows_up_within_five_seconds() {
    let app = TestApp::spawn().await;
    let en = TgUser {
        language_code: Some("en".into()),
        ..app.admin.clone()
    };
    let chat = ADMIN_ID as i64;
    // The first update stores the language Telegram reports; the second is answered from what
    // this instance then remembers.
    for _ in 0..2 {
        let status = app.say_as(&en, chat, "/status").await;
        assert_says(&status, "No verification is open here.");
    }

    // Another instance behind the same webhook URL, on the same database, takes the choice.
    let database = app.database().await;
    crate::on_test_db!(database, pool => sqlx::query(
        "INSERT INTO user_languages (user_id, language, chosen, updated_at) VALUES ($1, 'ru', TRUE, 0) \
         ON CONFLICT (user_id) DO UPDATE SET language = 'ru', chosen = TRUE",
    )
    .bind(ADMIN_ID as i64)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))
    .unwrap();

    // This instance trusts what it remembered for a few seconds only.
    app.advance_clock(5);
    let status = app.say_as(&en, chat, "/status").await;
    assert_says(&status, "Здесь нет активных проверок");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_language_covers_people_whose_app_reports_none() {
    let admin = ADMIN_ID.to_string();
    let app =
        TestApp::spawn_with(&[("ADMIN_IDS", admin.as_str()), ("DEFAULT_LANGUAGE", "ru")]).await;
    assert!(app.admin.language_code.is_none());
    let help = app.say("/help").await;
    assert_russian_reply(&help);
    assert_says(&help, "/invite");

    // Strangers: their app's language, else the default; nothing is stored for them.
    let stranger = TgUser::new(7001, "Olga");
    let reply = app.say_as(&stranger, 7001, "hello").await;
    assert_opens_with(&reply, "👋");
    assert_says(&reply, "<code>7001</code>");
    assert_russian_reply(&reply);
    let english = TgUser {
        language_code: Some("en-US".into()),
        ..TgUser::new(7002, "John")
    };
    let reply = app.say_as(&english, 7002, "hello").await;
    assert_says(&reply, "This bot confirms customers’ phone numbers");
    let database = app.database().await;
    let (stored,): (i64,) =
        crate::on_test_db!(database, pool => sqlx::query_as("SELECT COUNT(*) FROM user_languages WHERE user_id > 7000")
            .fetch_one(pool)
            .await)
            .unwrap();
    assert_eq!(stored, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invites_and_notices_follow_each_persons_language() {
    let app = TestApp::spawn().await;
    let chat = ADMIN_ID as i64;
    // The admin speaks Russian (remembered from their app), the newcomer English.
    let ru = russian(&app.admin);
    let invite = app.say_as(&ru, chat, "/invite").await;
    assert_opens_with(&invite, "🔗");
    assert_russian_reply(&invite);
    let link = invite
        .text
        .split_whitespace()
        .find(|w| w.starts_with("https://"))
        .expect("a link")
        .to_owned();
    let token = link.split("start=").nth(1).unwrap().to_owned();
    let bob = TgUser {
        language_code: Some("en".into()),
        ..TgUser::new(5001, "Bob")
    };
    let before = app.telegram.messages_to(chat).len();
    let welcome = app.say_as(&bob, 5001, &format!("/start {token}")).await;
    assert_says(&welcome, "Welcome! You now have access");
    let notices = app
        .telegram
        .wait_for_messages(chat, before + 1, PATIENCE)
        .await;
    let notice = &notices[before];
    assert_opens_with(notice, "👤");
    assert_says(
        notice,
        "Ваше приглашение использовано. Новый сотрудник: Bob, ID~<code>5001</code>.",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_menus_are_registered_in_english_and_russian_for_every_scope() {
    let app = TestApp::spawn().await;
    let calls = app.telegram.calls_to("setMyCommands");
    let find = |scoped: bool, language: Option<&str>| {
        calls
            .iter()
            .find(|c| {
                c.params.get("scope").is_some() == scoped
                    && c.params.get("language_code").and_then(|l| l.as_str()) == language
            })
            .unwrap_or_else(|| panic!("no menu for {scoped}/{language:?}: {calls:?}"))
    };
    for scoped in [false, true] {
        let english = find(scoped, None);
        let russian = find(scoped, Some("ru"));
        assert_eq!(
            english.params["commands"].as_array().unwrap().len(),
            russian.params["commands"].as_array().unwrap().len()
        );
        for command in russian.params["commands"].as_array().unwrap() {
            assert_russian(command["description"].as_str().unwrap());
        }
        assert_eq!(
            english.params["commands"][0]["description"],
            "Send a code to a customer’s phone"
        );
    }
    let admin = find(true, Some("ru"));
    assert_eq!(admin.params["scope"]["chat_id"], ADMIN_ID);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_delivery_status_is_shown_in_the_senders_language() {
    let app = TestApp::spawn_with(&[("ADMIN_IDS", "1001"), ("STATUS_POLL_SECS", "1")]).await;
    let ru = russian(&app.admin);
    let sent = app
        .say_as(&ru, ADMIN_ID as i64, &format!("/verify {PHONE}"))
        .await;
    assert_opens_with(&sent, "📨");
    let request_id = app.gateway.last_request_id().expect("a code was sent");
    app.gateway.set_delivery_status(&request_id, "delivered");
    let edits = app
        .telegram
        .wait_for_call("editMessageText", 1, PATIENCE)
        .await;
    let text = edits[0].params["text"].as_str().unwrap_or_default();
    assert!(text.starts_with("📨 Код отправлен"), "{text}");
    assert!(
        text.contains("<b>Доставка:</b> 📤 Отправлен → 📬 Доставлен"),
        "{text}"
    );
    assert_russian(text);
    let buttons = edits[0].params["reply_markup"]["inline_keyboard"][0][0]["text"].clone();
    assert_eq!(buttons, "🔁 Новый код");
}
