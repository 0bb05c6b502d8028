//! The admin panel's JSON API (`PUBLIC_URL`'s path + `/app/api/`): every call is signed in
//! with a Telegram Mini App `initData` (signed here with the test bot token, as Telegram does),
//! and the caller's role is read from the database on every call.

use serde_json::Value;

use crate::common::app::{ADMIN_ID, BOT_TOKEN, PHONE, TestApp, assert_says};
use crate::common::fake_telegram::TgUser;
use crate::common::panel::{
    Answer, app_with, call, fresh, get_as, get_page, init_data, post_as, request, signed_in,
    unix_now,
};

const STAFF_PHONE: &str = "+7 916 123-45-67";
const ENDPOINTS: [&str; 5] = [
    "me",
    "overview",
    "verifications",
    "verifications/1",
    "staff",
];
/// The admins' actions, with a body each would accept.
const ACTIONS: [(&str, &str); 3] = [
    ("staff/5005/remove", ""),
    ("invites", r#"{"role":"staff"}"#),
    ("export", r#"{"from":"2026-01-01","to":"2026-12-31"}"#),
];

fn assert_secure(answer: &Answer) {
    let header = |name: &str| answer.header(name);
    assert_eq!(header("cache-control"), "no-store");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert!(
        header("content-security-policy").starts_with("default-src 'none'"),
        "{:?}",
        answer.headers
    );
}

fn assert_refused(answer: &Answer, what: &str) {
    assert_eq!(answer.status, 401, "{what}: {}", answer.body);
    assert_eq!(answer.body, "{}", "{what}: no data");
    assert_secure(answer);
}

async fn app() -> TestApp {
    app_with(&[]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_refuses_missing_forged_expired_other_bot_and_non_staff_init_data() {
    let app = app().await;
    app.verify_to_the_end(PHONE).await;
    let now = unix_now();
    let valid = fresh(ADMIN_ID);
    let forged = valid.replace(&format!("%22id%22%3A{ADMIN_ID}"), "%22id%22%3A4242");
    assert_ne!(forged, valid, "the user id is in the signed data");
    let no_hash = valid[..valid.find("&hash=").unwrap()].to_owned();
    let refusals = [
        ("no header", None),
        ("another scheme", Some(format!("Bearer {valid}"))),
        ("bare initData", Some(valid.clone())),
        ("forged user", Some(format!("tma {forged}"))),
        ("no hash", Some(format!("tma {no_hash}"))),
        (
            "expired (PANEL_AUTH_MAX_AGE=600)",
            Some(format!("tma {}", init_data(BOT_TOKEN, ADMIN_ID, now - 700))),
        ),
        (
            "from the future",
            Some(format!("tma {}", init_data(BOT_TOKEN, ADMIN_ID, now + 600))),
        ),
        (
            "another bot",
            Some(format!(
                "tma {}",
                init_data("7000000002:AAH-another-bot-token", ADMIN_ID, now)
            )),
        ),
        ("not staff", Some(format!("tma {}", fresh(4242)))),
        ("garbage", Some("tma %%%&&&==".into())),
    ];
    for endpoint in ENDPOINTS {
        for (what, authorization) in &refusals {
            let answer = call(&app, endpoint, authorization.as_deref()).await;
            assert_refused(&answer, &format!("{endpoint}, {what}"));
        }
        // The same request, signed right, gets its data.
        let answer = call(&app, endpoint, Some(&format!("tma {valid}"))).await;
        assert_eq!(answer.status, 200, "{endpoint}: {}", answer.body);
        assert_secure(&answer);
    }
    let post = reqwest::Method::POST;
    for (action, body) in ACTIONS {
        for (what, authorization) in &refusals {
            let answer = request(
                &app,
                post.clone(),
                action,
                authorization.as_deref(),
                Some(body),
            );
            assert_refused(&answer.await, &format!("POST {action}, {what}"));
        }
    }
    assert!(app.telegram.uploads().is_empty(), "no export was sent");
    let invites = app.audit().await;
    assert!(
        !invites
            .iter()
            .any(|(_, action, _, _)| action == "invite_created"),
        "no invite was made: {invites:?}"
    );
    assert!(
        !app.logs().contains(&valid),
        "initData is a credential and is never logged"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_admin_is_refused_on_the_next_call() {
    let app = app().await;
    let erin = TgUser::new(5006, "Erin");
    app.invite(&erin, "/invite admin").await;
    let session = signed_in(5006);
    let staff = call(&app, "staff", Some(&session)).await;
    assert_eq!(staff.status, 200, "{}", staff.body);
    let names: Vec<Value> = staff.json()["staff"]
        .as_array()
        .unwrap()
        .iter()
        .map(|member| member["user_id"].clone())
        .collect();
    assert!(names.contains(&Value::from(5006)) && names.contains(&Value::from(ADMIN_ID)));

    assert_says(&app.say("/staff remove 5006").await, "no longer has access");
    // The same initData, still fresh: refused at once.
    for endpoint in ENDPOINTS {
        assert_refused(
            &call(&app, endpoint, Some(&session)).await,
            &format!("{endpoint} after removal"),
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_see_only_their_own_rows_and_admins_see_all_with_filters_and_paging() {
    let app = app().await;
    let dan = TgUser::new(5005, "Dan");
    app.invite(&dan, "/invite").await;
    app.verify_to_the_end(PHONE).await;
    app.verify_to_the_end_as(&dan, 5005, STAFF_PHONE).await;
    let ids = |page: &Value| -> Vec<(i64, String)> {
        page["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                let id = row["staff_user_id"].as_i64().unwrap();
                (id, row["phone"].as_str().unwrap().to_owned())
            })
            .collect()
    };
    let admin = ADMIN_ID as i64;

    // The admin sees everyone's, newest first, numbers in full.
    let all = get_as(&app, ADMIN_ID, "verifications").await;
    assert_eq!(
        ids(&all),
        [
            (5005, "+79161234567".to_owned()),
            (admin, "+447911123456".to_owned())
        ]
    );
    assert_eq!(all["has_more"], false);
    assert_eq!(all["rows"][0]["staff_name"], "Dan");
    assert_eq!(all["rows"][0]["status"], "verified");
    let overview = get_as(&app, ADMIN_ID, "overview").await;
    assert_eq!(overview["periods"]["today"]["sent"], 2);
    assert_eq!(overview["periods"]["month"]["verified_by_code"], 2);
    assert_eq!(overview["latest"].as_array().unwrap().len(), 2);
    assert_eq!(overview["daily"].as_array().unwrap().len(), 30);
    assert_eq!(overview["daily"][29]["sent"], 2);

    // Dan sees only his own: the table, the overview and the details.
    let own = get_as(&app, 5005, "verifications").await;
    assert_eq!(ids(&own), [(5005, "+79161234567".to_owned())]);
    let theirs = get_as(&app, 5005, &format!("verifications?staff={admin}")).await;
    assert_eq!(ids(&theirs), [(5005, "+79161234567".to_owned())]);
    let overview = get_as(&app, 5005, "overview").await;
    assert_eq!(overview["periods"]["today"]["sent"], 1);
    assert_eq!(overview["latest"].as_array().unwrap().len(), 1);
    assert_eq!(overview["balance"], Value::Null);
    let dans_id = own["rows"][0]["id"].as_i64().unwrap();
    let admins_id = all["rows"][1]["id"].as_i64().unwrap();
    let details = get_as(&app, 5005, &format!("verifications/{dans_id}")).await;
    assert_eq!(details["verification"]["phone"], "+79161234567");
    let actions: Vec<&str> = details["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["action"].as_str().unwrap())
        .collect();
    assert!(!actions.is_empty(), "{details}");
    let someone_elses = call(
        &app,
        &format!("verifications/{admins_id}"),
        Some(&signed_in(5005)),
    )
    .await;
    assert_eq!(someone_elses.status, 404, "{}", someone_elses.body);
    assert!(!someone_elses.body.contains("123456"));
    let staff = call(&app, "staff", Some(&signed_in(5005))).await;
    assert_eq!(staff.status, 403, "{}", staff.body);
    for (action, body) in ACTIONS {
        let answer = post_as(&app, 5005, action, body).await;
        assert_eq!(
            answer.status, 403,
            "POST {action} by staff: {}",
            answer.body
        );
    }
    assert_eq!(get_as(&app, 5005, "me").await["role"], "staff");
    let details = get_as(&app, ADMIN_ID, &format!("verifications/{dans_id}")).await;
    assert_eq!(details["verification"]["staff_user_id"], 5005);

    // Filters and pages.
    let by_dan = get_as(&app, ADMIN_ID, "verifications?staff=5005").await;
    assert_eq!(ids(&by_dan), [(5005, "+79161234567".to_owned())]);
    let ending = get_as(&app, ADMIN_ID, "verifications?last_digits=3456").await;
    assert_eq!(ids(&ending), [(admin, "+447911123456".to_owned())]);
    let verified = get_as(&app, ADMIN_ID, "verifications?status=verified").await;
    assert_eq!(ids(&verified).len(), 2);
    let failed = get_as(&app, ADMIN_ID, "verifications?status=failed").await;
    assert!(ids(&failed).is_empty());
    let today = jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::from_second(unix_now()).unwrap())
        .date();
    let tomorrow = today.tomorrow().unwrap();
    let from_today = get_as(
        &app,
        ADMIN_ID,
        &format!("verifications?from={today}&to={today}"),
    )
    .await;
    assert_eq!(ids(&from_today).len(), 2);
    let from_tomorrow = get_as(&app, ADMIN_ID, &format!("verifications?from={tomorrow}")).await;
    assert!(ids(&from_tomorrow).is_empty());
    let second_page = get_as(&app, ADMIN_ID, "verifications?page=2").await;
    assert!(ids(&second_page).is_empty());
    assert_eq!(second_page["page"], 2);
    for bad in [
        "page=0",
        "page=x",
        "status=lost",
        "last_digits=12a",
        "from=yesterday",
    ] {
        let answer = call(
            &app,
            &format!("verifications?{bad}"),
            Some(&signed_in(ADMIN_ID)),
        )
        .await;
        assert_eq!(answer.status, 400, "{bad}: {}", answer.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_public_url_there_is_no_panel() {
    crate::sqlite_only!();
    let app = TestApp::spawn().await;
    let answer = app.get("/app/api/overview").await;
    assert_eq!(answer.status, 404, "{}", answer.body);
    let signed = call(&app, "overview", Some(&signed_in(ADMIN_ID))).await;
    assert_eq!(signed.status, 404, "{}", signed.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_are_embedded_and_load_nothing_but_themselves_and_telegrams_script() {
    let app = app().await;
    let page = get_page(&app, "/vb/app/").await;
    assert_eq!(page.status, 200, "{}", page.body);
    let header = |name: &str| page.header(name);
    assert!(header("content-type").starts_with("text/html"));
    let policy = header("content-security-policy");
    for part in [
        "default-src 'none'",
        "script-src 'self' https://telegram.org",
        "style-src 'self'",
        "connect-src 'self'",
    ] {
        assert!(policy.contains(part), "{part}: {policy}");
    }
    assert!(!policy.contains("unsafe"), "{policy}");
    assert!(
        !policy.contains("frame-ancestors 'none'"),
        "Telegram Web frames Mini Apps"
    );
    // No inline script or style, every script from the bot or telegram.org.
    let html = &page.body;
    assert!(!html.contains("style=\""), "no inline style");
    for script in html.split("<script").skip(1) {
        let tag = &script[..script.find('>').unwrap()];
        let src = tag.split("src=\"").nth(1).expect("every script has a src");
        assert!(
            src.starts_with("https://telegram.org/js/") || !src.contains(':'),
            "{tag}"
        );
    }
    // The line for whoever is not signed in, in both languages, filled in by the server.
    assert!(!html.contains("{{"), "every placeholder filled");
    assert!(
        html.contains("/panel") && html.contains("Откройте"),
        "{html}"
    );
    for (asset, kind) in [("app.js", "text/javascript"), ("app.css", "text/css")] {
        let answer = get_page(&app, &format!("/vb/app/{asset}")).await;
        assert_eq!(answer.status, 200, "{asset}");
        assert!(answer.header("content-type").starts_with(kind));
        assert!(!answer.body.contains("eval("), "{asset}");
    }
    // Where the API lives, relative to the page; and /app leads to /app/.
    let js = get_page(&app, "/vb/app/app.js").await.body;
    assert!(js.contains("'api/me'"), "the API on the page's own origin");
    let elsewhere: Vec<&str> = js
        .split(['\'', '"', '`'])
        .filter(|s| s.contains("://") && *s != "http://www.w3.org/2000/svg")
        .collect();
    assert!(elsewhere.is_empty(), "no other origin: {elsewhere:?}");
    let bare = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/vb/app", app.http_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(bare.status().as_u16(), 308);
    assert_eq!(bare.headers()["location"], "/vb/app/");
}
