//! Tests of the fake Telegram Bot API, driven by a real `teloxide::Bot` so that we know
//! teloxide accepts the fake's JSON.

use std::time::{Duration, Instant};

use crate::common::fake_telegram::{BOT_ID, BOT_USERNAME, FakeTelegram, TgUser};
use teloxide::prelude::*;
use teloxide::types::{
    BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, MessageId, ParseMode,
    ReplyParameters, UpdateKind,
};
use teloxide::{ApiError, RequestError};

const TOKEN: &str = "123456:TEST-token";
const CHAT: i64 = 4242;

async fn setup() -> (FakeTelegram, Bot) {
    let fake = FakeTelegram::start(TOKEN).await;
    let bot = Bot::new(TOKEN).set_api_url(fake.url().parse().unwrap());
    (fake, bot)
}

fn keyboard(data: &str) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([[InlineKeyboardButton::callback("Press", data)]])
}

fn api_error<T: std::fmt::Debug>(result: Result<T, RequestError>) -> ApiError {
    match result {
        Err(RequestError::Api(e)) => e,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn get_me_returns_the_bot() {
    let (fake, bot) = setup().await;
    let me = bot.get_me().await.unwrap();
    assert_eq!(me.username(), BOT_USERNAME);
    assert_eq!(me.id.0, BOT_ID);
    assert!(me.is_bot);
    assert_eq!(fake.calls_to("getMe").len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn send_message_round_trip() {
    let (fake, bot) = setup().await;
    let user = TgUser {
        username: Some("alice".into()),
        ..TgUser::new(CHAT as u64, "Alice")
    };
    let asked = fake.push_text(&user, CHAT, "hello");

    let msg = bot
        .send_message(ChatId(CHAT), "<b>hi</b> there")
        .parse_mode(ParseMode::Html)
        .reply_markup(keyboard("yes"))
        .reply_parameters(ReplyParameters::new(MessageId(asked)))
        .await
        .unwrap();
    assert_eq!(msg.text(), Some("<b>hi</b> there"));
    assert_eq!(msg.chat.id, ChatId(CHAT));
    assert_eq!(msg.chat.username(), Some("alice"));
    assert_eq!(msg.from.as_ref().unwrap().id.0, BOT_ID);
    assert_eq!(msg.reply_to_message().unwrap().id, MessageId(asked));
    assert_eq!(msg.reply_markup(), Some(&keyboard("yes")));

    let second = bot.send_message(ChatId(CHAT), "second").await.unwrap();
    assert!(second.id.0 > msg.id.0);

    let sent = fake.messages_to(CHAT);
    assert_eq!(sent.len(), 2);
    assert_eq!((sent[0].message_id, sent[0].chat_id), (msg.id.0, CHAT));
    assert_eq!(sent[0].text, "<b>hi</b> there");
    assert_eq!(sent[0].parse_mode.as_deref(), Some("HTML"));
    assert_eq!(sent[0].reply_to_message_id, Some(asked));
    assert_eq!(
        sent[0].inline_buttons(),
        vec![("Press".to_owned(), "yes".to_owned())]
    );
    assert_eq!(sent[1].reply_markup, None);
    assert!(fake.messages_to(CHAT + 1).is_empty());

    // Telegram-like validation.
    for bad_html in ["<p>x</p>", "<b>x", "a < b", "<b>x</i>", "x</b>"] {
        let e = api_error(
            bot.send_message(ChatId(CHAT), bad_html)
                .parse_mode(ParseMode::Html)
                .await,
        );
        assert!(
            matches!(e, ApiError::CantParseEntities(_)),
            "{bad_html}: {e:?}"
        );
    }
    assert_eq!(
        api_error(bot.send_message(ChatId(CHAT), " ").await),
        ApiError::MessageTextIsEmpty
    );
    let reply = bot
        .send_message(ChatId(CHAT), "x")
        .reply_parameters(ReplyParameters::new(MessageId(999)));
    assert_eq!(api_error(reply.await), ApiError::MessageToReplyNotFound);
    let html = "<b>1 &lt; 2</b> <a href=\"https://t.me/x\">link</a> <code>+1 555</code>";
    bot.send_message(ChatId(CHAT), html)
        .parse_mode(ParseMode::Html)
        .await
        .unwrap();
    assert_eq!(fake.sent_messages().len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn routing_is_case_insensitive_and_errors_look_like_telegram() {
    let (fake, _) = setup().await;
    let http = reqwest::Client::new();
    let post = |path: String| {
        http.post(format!("{}{path}", fake.url()))
            .json(&serde_json::json!({}))
            .send()
    };

    for method in ["getMe", "GETME", "getme"] {
        let resp = post(format!("/bot{TOKEN}/{method}")).await.unwrap();
        assert_eq!(resp.status(), 200);
        let body: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(body["ok"], true);
        assert_eq!(body["result"]["username"], BOT_USERNAME);
    }
    assert!(fake.calls().iter().all(|c| c.method == "getme"));

    let resp = post(format!("/bot{TOKEN}/noSuchMethod")).await.unwrap();
    assert_eq!(resp.status(), 404);
    let body: serde_json::Value = resp.json().await.unwrap();
    let expected = serde_json::json!({"ok": false, "error_code": 404, "description": "Not Found: method not found"});
    assert_eq!(body, expected);

    let resp = post("/botWRONG/getMe".to_owned()).await.unwrap();
    assert_eq!(resp.status(), 401);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["description"], "Unauthorized");
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_token_is_an_api_error() {
    let (fake, _) = setup().await;
    let bot = Bot::new("999:wrong").set_api_url(fake.url().parse().unwrap());
    assert_eq!(api_error(bot.get_me().await), ApiError::InvalidToken);
    assert!(fake.calls().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_can_be_injected_and_cleared() {
    let (fake, bot) = setup().await;
    fake.fail_method("sendMessage", 403, "Forbidden: bot was blocked by the user");
    assert_eq!(
        api_error(bot.send_message(ChatId(CHAT), "x").await),
        ApiError::BotBlocked
    );
    assert_eq!(
        fake.calls_to("sendmessage").len(),
        1,
        "failed calls are still recorded"
    );
    fake.clear_failures();
    bot.send_message(ChatId(CHAT), "x").await.unwrap();

    fake.fail_next("getMe", 429, "Too Many Requests: retry after 7");
    let err = bot.get_me().await.unwrap_err();
    assert!(
        matches!(err, RequestError::RetryAfter(s) if s.seconds() == 7),
        "{err:?}"
    );
    bot.get_me().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn get_updates_honours_offset_and_limit() {
    let (fake, bot) = setup().await;
    let user = TgUser {
        language_code: Some("en".into()),
        ..TgUser::new(7, "Bob")
    };
    let ids: Vec<i32> = (1..=3)
        .map(|i| fake.push_text(&user, 7, &format!("/start {i}")))
        .collect();
    assert_eq!(fake.pending_updates(), 3);

    let first = bot.get_updates().limit(2).await.unwrap();
    assert_eq!(first.len(), 2);
    let UpdateKind::Message(msg) = &first[0].kind else {
        panic!("{:?}", first[0])
    };
    assert_eq!((msg.id.0, msg.text()), (ids[0], Some("/start 1")));
    assert_eq!(
        msg.from.as_ref().unwrap().language_code.as_deref(),
        Some("en")
    );
    assert!(msg.entities().unwrap()[0].kind == teloxide::types::MessageEntityKind::BotCommand);
    assert_eq!(fake.pending_updates(), 3, "not confirmed yet");

    let again = bot.get_updates().await.unwrap();
    assert_eq!(again.len(), 3, "unconfirmed updates are redelivered");

    let rest = bot
        .get_updates()
        .offset(first[1].id.as_offset())
        .await
        .unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].id.0, first[1].id.0 + 1);
    assert_eq!(fake.pending_updates(), 1);

    let none = bot
        .get_updates()
        .offset(rest[0].id.as_offset())
        .await
        .unwrap();
    assert!(none.is_empty());
    assert_eq!(fake.pending_updates(), 0);
    assert_eq!(
        bot.get_updates().offset(1).await.unwrap().len(),
        0,
        "confirmed updates are gone"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn get_updates_long_polls() {
    let (fake, bot) = setup().await;

    let started = Instant::now();
    let empty = bot.get_updates().timeout(1).await.unwrap();
    assert!(empty.is_empty());
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );

    let mut poll = tokio::spawn({
        let bot = bot.clone();
        async move { bot.get_updates().timeout(10).await.unwrap() }
    });
    fake.wait_for_call("getUpdates", 2, Duration::from_secs(5))
        .await;
    let held = tokio::time::timeout(Duration::from_millis(200), &mut poll).await;
    assert!(held.is_err(), "the request is held while nothing is queued");
    let pushed = Instant::now();
    fake.push_text(&TgUser::new(8, "Carol"), -100_123, "hi group");
    let updates = tokio::time::timeout(Duration::from_secs(3), poll)
        .await
        .unwrap()
        .unwrap();
    assert!(pushed.elapsed() < Duration::from_secs(2));
    assert_eq!(updates.len(), 1);
    let UpdateKind::Message(msg) = &updates[0].kind else {
        panic!("{:?}", updates[0])
    };
    assert!(msg.chat.is_supergroup());
}

#[tokio::test(flavor = "multi_thread")]
async fn dispatcher_echoes_through_the_fake() {
    let (fake, bot) = setup().await;
    let handler = Update::filter_message().endpoint(|bot: Bot, msg: Message| async move {
        bot.send_message(msg.chat.id, msg.text().unwrap_or(""))
            .await?;
        Ok::<_, RequestError>(())
    });
    let mut dispatcher = Dispatcher::builder(bot, handler).build();
    let running = tokio::spawn(async move { dispatcher.dispatch().await });

    fake.push_text(&TgUser::new(CHAT as u64, "Alice"), CHAT, "echo me");
    let replies = fake
        .wait_for_messages(CHAT, 1, Duration::from_secs(10))
        .await;
    assert_eq!(replies[0].text, "echo me");

    let mut methods: Vec<String> = fake.calls().into_iter().map(|c| c.method).collect();
    methods[..2].sort(); // teloxide sends these two concurrently
    assert_eq!(methods[..3], ["getme", "getwebhookinfo", "getupdates"]);
    assert!(!methods.contains(&"deletewebhook".to_owned()));
    let first_poll = &fake.calls_to("getupdates")[0].params;
    assert_eq!(
        first_poll["allowed_updates"],
        serde_json::json!(["message"])
    );

    // The next long poll confirms the update (its offset is past it). The dispatcher is then
    // aborted rather than shut down: teloxide 0.17's shutdown token can miss its wake-up while
    // an update is being handed to a worker (see src/app.rs), which made this test hang on a
    // busy machine.
    fake.wait_for_pending(0, Duration::from_secs(10)).await;
    running.abort();
}

#[tokio::test(flavor = "multi_thread")]
async fn edit_message_round_trip() {
    let (fake, bot) = setup().await;
    let sent = bot
        .send_message(ChatId(CHAT), "before")
        .reply_markup(keyboard("a"))
        .await
        .unwrap();

    let edited = bot
        .edit_message_text(ChatId(CHAT), sent.id, "after")
        .reply_markup(keyboard("b"))
        .await
        .unwrap();
    assert_eq!(edited.id, sent.id);
    assert_eq!(edited.text(), Some("after"));
    assert!(edited.edit_date().is_some());
    assert_eq!(edited.reply_markup(), Some(&keyboard("b")));

    let unchanged = bot
        .edit_message_text(ChatId(CHAT), sent.id, "after")
        .reply_markup(keyboard("b"));
    assert_eq!(api_error(unchanged.await), ApiError::MessageNotModified);

    let stripped = bot
        .edit_message_reply_markup(ChatId(CHAT), sent.id)
        .await
        .unwrap();
    assert_eq!(stripped.reply_markup(), None);
    assert_eq!(stripped.text(), Some("after"));

    let missing = bot.edit_message_text(ChatId(CHAT), MessageId(9999), "x");
    assert_eq!(api_error(missing.await), ApiError::MessageToEditNotFound);

    let edits = fake.edits();
    let methods: Vec<&str> = edits.iter().map(|c| c.method.as_str()).collect();
    assert_eq!(
        methods,
        [
            "editmessagetext",
            "editmessagetext",
            "editmessagereplymarkup",
            "editmessagetext"
        ]
    );
    assert_eq!(edits[0].params["text"], "after");
    assert_eq!(fake.message(CHAT, sent.id.0).unwrap()["text"], "after");
    assert_eq!(
        fake.sent_messages()[0].text,
        "before",
        "sent_messages keeps what was sent"
    );

    bot.delete_message(ChatId(CHAT), sent.id).await.unwrap();
    assert!(fake.message(CHAT, sent.id.0).is_none());
    assert_eq!(
        api_error(bot.delete_message(ChatId(CHAT), sent.id).await),
        ApiError::MessageToDeleteNotFound
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn callback_query_round_trip() {
    let (fake, bot) = setup().await;
    let user = TgUser::new(CHAT as u64, "Alice");
    let sent = bot
        .send_message(ChatId(CHAT), "Confirm?")
        .reply_markup(keyboard("confirm:1"))
        .await
        .unwrap();

    let id = fake.push_callback(&user, CHAT, sent.id.0, "confirm:1");
    let updates = bot.get_updates().await.unwrap();
    let UpdateKind::CallbackQuery(query) = &updates[0].kind else {
        panic!("{:?}", updates[0])
    };
    assert_eq!(query.id.0, id);
    assert_eq!(query.data.as_deref(), Some("confirm:1"));
    assert_eq!(query.from.id.0, CHAT as u64);
    let message = query.regular_message().expect("accessible message");
    assert_eq!((message.id, message.text()), (sent.id, Some("Confirm?")));
    assert_eq!(message.reply_markup(), Some(&keyboard("confirm:1")));

    bot.answer_callback_query(query.id.clone())
        .text("Done")
        .await
        .unwrap();
    let answers = fake.calls_to("answerCallbackQuery");
    assert_eq!(answers[0].params["callback_query_id"], id.as_str());
    let bogus = bot.answer_callback_query(teloxide::types::CallbackQueryId("nope".into()));
    assert_eq!(api_error(bogus.await), ApiError::InvalidQueryId);
}

/// Contact messages and reply keyboards, as the Bot API describes them: a `Contact` carries
/// `phone_number` and, for a Telegram user, `user_id`; a `request_contact` button is "available
/// in private chats only"; `ReplyKeyboardRemove` takes the keyboard away.
#[tokio::test(flavor = "multi_thread")]
async fn contacts_and_reply_keyboards() {
    use teloxide::types::{ButtonRequest, KeyboardButton, KeyboardMarkup, KeyboardRemove};
    let (fake, bot) = setup().await;
    let user = TgUser::new(CHAT as u64, "Alice");
    fake.push_contact(&user, CHAT, "447911123456", Some(CHAT as u64));
    fake.push_contact(&user, CHAT, "+44 7400 123456", None);
    let updates = bot.get_updates().await.unwrap();
    let contacts: Vec<_> = updates
        .iter()
        .map(|u| match &u.kind {
            UpdateKind::Message(m) => m.contact().cloned().expect("a contact"),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(contacts[0].phone_number, "447911123456");
    assert_eq!(contacts[0].user_id.map(|id| id.0), Some(CHAT as u64));
    assert_eq!(contacts[1].user_id, None);

    let share =
        KeyboardMarkup::new([[KeyboardButton::new("Share").request(ButtonRequest::Contact)]]);
    bot.send_message(ChatId(CHAT), "Share?")
        .reply_markup(share.clone())
        .await
        .unwrap();
    let in_group = bot
        .send_message(ChatId(-100_123), "Share?")
        .reply_markup(share)
        .await;
    assert!(
        matches!(in_group, Err(RequestError::Api(_))),
        "{in_group:?}"
    );
    bot.send_message(ChatId(CHAT), "Thanks")
        .reply_markup(KeyboardRemove::new())
        .await
        .unwrap();
    let sent = fake.messages_to(CHAT);
    assert_eq!(
        sent[0].reply_markup.as_ref().unwrap()["keyboard"][0][0]["request_contact"],
        true
    );
    assert_eq!(
        sent[1].reply_markup.as_ref().unwrap()["remove_keyboard"],
        true
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn uploads_and_commands_are_recorded() {
    let (fake, bot) = setup().await;
    let file = InputFile::memory(b"col1,col2\n1,2\n".to_vec()).file_name("report.csv");
    let doc = bot
        .send_document(ChatId(CHAT), file)
        .caption("Report")
        .await
        .unwrap();
    assert_eq!(
        doc.document().unwrap().file_name.as_deref(),
        Some("report.csv")
    );
    assert_eq!(doc.caption(), Some("Report"));
    let photo = bot
        .send_photo(
            ChatId(CHAT),
            InputFile::memory(vec![0x89, b'P', b'N', b'G']),
        )
        .await
        .unwrap();
    assert_eq!(photo.photo().unwrap().len(), 2);

    let uploads = fake.uploads();
    assert_eq!(uploads.len(), 2);
    assert_eq!(
        (uploads[0].method.as_str(), uploads[0].chat_id),
        ("senddocument", CHAT)
    );
    assert_eq!(uploads[0].params["caption"], "Report");
    assert_eq!(uploads[0].params["chat_id"], CHAT);
    assert_eq!(uploads[0].files[0].field, "document");
    assert_eq!(uploads[0].files[0].bytes, b"col1,col2\n1,2\n");
    assert_eq!(uploads[1].files[0].field, "photo");
    assert_eq!(uploads[1].files[0].bytes, [0x89, b'P', b'N', b'G']);
    assert!(
        fake.sent_messages().is_empty(),
        "uploads are not sendMessage calls"
    );

    let commands = vec![
        BotCommand::new("start", "Start"),
        BotCommand::new("verify", "Verify a number"),
    ];
    bot.set_my_commands(commands.clone()).await.unwrap();
    assert_eq!(bot.get_my_commands().await.unwrap(), commands);
    assert_eq!(
        fake.calls_to("setMyCommands")[0].params["commands"][1]["command"],
        "verify"
    );
    let invalid = bot.set_my_commands([BotCommand::new("Start", "x")]).await;
    assert!(
        matches!(api_error(invalid), ApiError::Unknown(s) if s.contains("BOT_COMMAND_INVALID"))
    );
    bot.delete_my_commands().await.unwrap();
    assert!(bot.get_my_commands().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
#[should_panic(expected = "chat 4242: \"only this\"")]
async fn wait_for_messages_reports_what_was_sent() {
    let (fake, bot) = setup().await;
    bot.send_message(ChatId(CHAT), "only this").await.unwrap();
    fake.wait_for_messages(CHAT, 2, Duration::from_millis(200))
        .await;
}

/// Bot API: `setChatMenuButton` sets one private chat's button (or the default without
/// `chat_id`); `MenuButtonDefault` clears it; a Web App needs an HTTPS URL. `web_app` inline
/// buttons are for private chats only.
#[tokio::test(flavor = "multi_thread")]
async fn menu_buttons_and_web_app_buttons_follow_the_bot_api() {
    use teloxide::types::{MenuButton, WebAppInfo};
    let (fake, bot) = setup().await;
    let web_app = |url: &str| MenuButton::WebApp {
        text: "Panel".into(),
        web_app: WebAppInfo {
            url: url.parse().unwrap(),
        },
    };
    assert_eq!(fake.menu_button(CHAT)["type"], "commands");
    bot.set_chat_menu_button()
        .chat_id(ChatId(CHAT))
        .menu_button(web_app("https://bot.example.com/app/"))
        .await
        .unwrap();
    let button = fake.menu_button(CHAT);
    assert_eq!(button["web_app"]["url"], "https://bot.example.com/app/");
    assert_eq!(
        fake.menu_button(CHAT + 1)["type"],
        "commands",
        "only that chat's"
    );
    let insecure = bot
        .set_chat_menu_button()
        .chat_id(ChatId(CHAT))
        .menu_button(web_app("http://bot.example.com/app/"));
    assert_eq!(api_error(insecure.await), ApiError::ButtonUrlInvalid);
    bot.set_chat_menu_button()
        .chat_id(ChatId(CHAT))
        .menu_button(MenuButton::Default)
        .await
        .unwrap();
    assert_eq!(fake.menu_button(CHAT)["type"], "commands");

    let panel = InlineKeyboardMarkup::new([[InlineKeyboardButton::web_app(
        "Open",
        WebAppInfo {
            url: "https://bot.example.com/app/".parse().unwrap(),
        },
    )]]);
    bot.send_message(ChatId(CHAT), "private")
        .reply_markup(panel.clone())
        .await
        .unwrap();
    let in_group = bot
        .send_message(ChatId(-100_123), "group")
        .reply_markup(panel);
    let refused = format!("{:?}", api_error(in_group.await));
    assert!(
        refused.contains("BUTTON_TYPE_INVALID") || refused.contains("ButtonTypeInvalid"),
        "{refused}"
    );
}
