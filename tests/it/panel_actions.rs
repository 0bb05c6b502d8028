//! The admin panel from the chat's side and the admins' actions in it: `/panel` and the menu
//! button open it (only in private chats), the panel speaks the viewer's language, and what an
//! admin does there (remove someone, invite someone, export) is what the commands do.

use serde_json::{Value, json};

use crate::common::app::{ADMIN_ID, PHONE, PHONE_E164, TestApp, assert_opens_with, assert_says};
use crate::common::fake_telegram::TgUser;
use crate::common::panel::{
    PANEL_URL, app_with, call, get_as, init_data_in, post_as, signed_in, unix_now,
};

/// The panel's button under a message: `(text, url)` of each `web_app` button.
fn web_apps(markup: Option<&Value>) -> Vec<(String, String)> {
    let rows = markup.and_then(|m| m["inline_keyboard"].as_array());
    rows.into_iter()
        .flatten()
        .filter_map(Value::as_array)
        .flatten()
        .filter(|b| b.get("web_app").is_some())
        .map(|b| {
            let text = b["text"].as_str().unwrap_or_default().to_owned();
            (
                text,
                b["web_app"]["url"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn today() -> jiff::civil::Date {
    jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::from_second(unix_now()).unwrap())
        .date()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panel_opens_from_a_private_chat_and_points_there_from_a_group() {
    let app = app_with(&[]).await;
    let private = app.say("/panel").await;
    assert_opens_with(&private, "📊");
    assert_eq!(
        web_apps(private.reply_markup.as_ref()),
        [("📊 Open the panel".to_owned(), PANEL_URL.to_owned())]
    );
    let in_group = app.say_as(&app.admin, -100_500, "/panel").await;
    assert_says(&in_group, "private chat");
    assert_says(&in_group, "@");
    assert!(web_apps(in_group.reply_markup.as_ref()).is_empty());

    // The admins from ADMIN_IDS get it in their menu button at start-up; /panel is in the menu.
    let button = app.telegram.menu_button(ADMIN_ID as i64);
    assert_eq!(button["type"], "web_app", "{button}");
    assert_eq!(button["web_app"]["url"], PANEL_URL);
    let names: Vec<String> = app
        .telegram
        .calls_to("setMyCommands")
        .iter()
        .flat_map(|call| {
            call.params["commands"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|c| c["command"].as_str().map(str::to_owned))
        .collect();
    assert!(names.contains(&"panel".to_owned()), "{names:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_public_url_panel_says_it_is_not_set_up() {
    crate::sqlite_only!();
    let app = TestApp::spawn().await;
    let answer = app.say("/panel").await;
    assert_says(&answer, "PUBLIC_URL");
    assert!(web_apps(answer.reply_markup.as_ref()).is_empty());
    assert_eq!(
        app.telegram.menu_button(ADMIN_ID as i64)["type"],
        "commands"
    );
    assert!(app.telegram.calls_to("setChatMenuButton").is_empty());
    let page = app.get("/app/").await;
    assert_eq!(page.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_panel_speaks_the_viewers_language() {
    let app = app_with(&[("TIME_ZONE", "Europe/Moscow")]).await;
    // The Telegram app's language, when nothing was chosen in the bot.
    let russian = init_data_in(crate::common::app::BOT_TOKEN, ADMIN_ID, "ru", unix_now());
    let me = call(&app, "me", Some(&format!("tma {russian}")))
        .await
        .json();
    assert_eq!(me["lang"], "ru");
    assert_eq!(me["role"], "admin");
    assert_eq!(me["user_id"], ADMIN_ID);
    assert_eq!(me["time_zone"], "Europe/Moscow");
    let denied = me["texts"]["panel-denied"].as_str().unwrap().to_owned();
    assert!(denied.contains("Telegram"), "{denied}");
    let english = get_as(&app, ADMIN_ID, "me").await;
    assert_eq!(english["lang"], "en");
    assert_ne!(
        english["texts"]["panel-denied"],
        me["texts"]["panel-denied"]
    );
    assert_eq!(
        english["texts"].as_object().unwrap().len(),
        me["texts"].as_object().unwrap().len()
    );

    // A choice made with /language wins over the app's language.
    let dan = TgUser::new(5005, "Dan");
    app.invite(&dan, "/invite").await;
    let pick = app.say_as(&dan, 5005, "/language").await;
    app.press_labelled(&dan, &pick, "Русский").await;
    let me = get_as(&app, 5005, "me").await;
    assert_eq!(
        (me["lang"].as_str(), me["role"].as_str()),
        (Some("ru"), Some("staff"))
    );
    // Dan got the panel in his menu button when he joined, in English (his app's language).
    let button = app.telegram.menu_button(5005);
    assert_eq!(button["web_app"]["url"], PANEL_URL, "{button}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_removes_staff_in_the_panel_as_with_the_command() {
    let app = app_with(&[]).await;
    let dan = TgUser::new(5005, "Dan");
    app.invite(&dan, "/invite").await;
    assert_eq!(app.telegram.menu_button(5005)["type"], "web_app");
    let open = app.verify_as(&dan, "+7 916 123-45-67").await;
    assert_opens_with(&open, "📨");

    let removed = post_as(&app, ADMIN_ID, "staff/5005/remove", "").await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    let removed = removed.json();
    assert_eq!(removed["outcome"], "removed");
    let message = removed["message"].as_str().unwrap();
    assert!(
        message.contains("Dan") && !message.contains('<'),
        "{message}"
    );
    // As with /staff remove: his open code is cancelled, his menu button no longer opens the
    // panel, and the panel refuses him at once.
    assert_eq!(app.telegram.menu_button(5005)["type"], "commands");
    let refused = call(&app, "overview", Some(&signed_in(5005))).await;
    assert_eq!(refused.status, 401);
    let staff = get_as(&app, ADMIN_ID, "staff").await;
    assert!(!staff.to_string().contains("5005"), "{staff}");
    let audit = app.audit().await;
    assert!(
        audit
            .iter()
            .any(|(_, action, _, _)| action == "staff_removed"),
        "{audit:?}"
    );

    for (target, outcome) in [
        ("5005", "not_staff"),
        (ADMIN_ID.to_string().as_str(), "configured_admin"),
    ] {
        let answer = post_as(&app, ADMIN_ID, &format!("staff/{target}/remove"), "").await;
        assert_eq!(answer.json()["outcome"], outcome, "{target}");
    }
    // A stored admin cannot remove themselves.
    let erin = TgUser::new(5006, "Erin");
    app.invite(&erin, "/invite admin").await;
    let themselves = post_as(&app, 5006, "staff/5006/remove", "").await;
    assert_eq!(themselves.json()["outcome"], "themselves");
    let not_an_id = post_as(&app, ADMIN_ID, "staff/abc/remove", "").await;
    assert_eq!(not_an_id.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invite_made_in_the_panel_works_once() {
    let app = app_with(&[]).await;
    let answer = post_as(&app, ADMIN_ID, "invites", r#"{"role":"admin"}"#).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let invite = answer.json();
    assert_eq!(invite["role"], "admin");
    let link = invite["link"].as_str().unwrap();
    let token = link
        .strip_prefix("https://t.me/")
        .unwrap()
        .split("?start=")
        .nth(1)
        .unwrap();
    assert!(invite["expires_at"].as_i64().unwrap() > unix_now());

    let erin = TgUser::new(5006, "Erin");
    let welcome = app.say_as(&erin, 5006, &format!("/start {token}")).await;
    assert_opens_with(&welcome, "🎉");
    assert_eq!(get_as(&app, 5006, "me").await["role"], "admin");
    let button = app.telegram.menu_button(5006);
    assert_eq!(
        (button["type"].as_str(), button["web_app"]["url"].as_str()),
        (Some("web_app"), Some(PANEL_URL))
    );
    let again = app
        .say_as(&TgUser::new(5007, "Fay"), 5007, &format!("/start {token}"))
        .await;
    assert!(!again.text.starts_with("🎉"), "{}", again.text);

    for bad in [r#"{"role":"owner"}"#, "{}", "role=staff", ""] {
        let answer = post_as(&app, ADMIN_ID, "invites", bad).await;
        assert_eq!(answer.status, 400, "{bad}: {}", answer.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_export_goes_to_the_admins_private_chat() {
    let app = app_with(&[]).await;
    app.verify_to_the_end(PHONE).await;
    let today = today();
    let range = json!({"from": today.yesterday().unwrap().to_string(), "to": today.to_string()});
    let answer = post_as(&app, ADMIN_ID, "export", &range.to_string()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["rows"], 1);
    // The answer does not wait for the files: they follow in the admin's private chat.
    let patience = crate::common::app::PATIENCE;
    app.telegram
        .wait_for_call("sendDocument", 2, patience)
        .await;
    let uploads = app.telegram.uploads();
    let documents: Vec<(i64, String)> = uploads
        .iter()
        .map(|u| {
            let name = u.files[0].file_name.clone().unwrap_or_default();
            (
                u.chat_id,
                name.rsplit('.').next().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        documents,
        [
            (ADMIN_ID as i64, "csv".to_owned()),
            (ADMIN_ID as i64, "xlsx".to_owned())
        ]
    );
    let csv = String::from_utf8(uploads[0].files[0].bytes.clone()).unwrap();
    assert!(csv.contains(PHONE_E164), "{csv}");
    let caption = uploads[0].params["caption"].as_str().unwrap();
    // The dates the reader's way: `27 Nov 2026`, not the form's `2026-11-27`.
    let to = today.strftime("%-d %b %Y").to_string();
    assert!(
        caption.contains("1 verification") && caption.contains(&format!("to {to},")),
        "{caption}"
    );

    // Nothing in the range: nothing sent. Bad ranges: refused, nothing sent.
    let tomorrow = today.tomorrow().unwrap().to_string();
    let empty = json!({"from": tomorrow, "to": tomorrow}).to_string();
    assert_eq!(
        post_as(&app, ADMIN_ID, "export", &empty).await.json()["rows"],
        0
    );
    let reversed = json!({"from": today.to_string(), "to": today.yesterday().unwrap().to_string()});
    let too_long = json!({"from": "2024-01-01", "to": today.to_string()});
    for bad in [
        reversed.to_string(),
        too_long.to_string(),
        r#"{"from":"soon","to":"later"}"#.into(),
        "{}".into(),
    ] {
        let answer = post_as(&app, ADMIN_ID, "export", &bad).await;
        assert_eq!(answer.status, 400, "{bad}: {}", answer.body);
    }
    assert_eq!(app.telegram.uploads().len(), 2);
}
