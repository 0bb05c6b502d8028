//! The admin panel's JSON API (`PUBLIC_URL`'s path + `/app/api/`): every call is signed in
//! with a Telegram Mini App `initData` (signed here with the test bot token, as Telegram does),
//! and the caller's role is read from the database on every call.

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::common::app::{ADMIN_ID, BOT_TOKEN, PHONE, TestApp, assert_says};
use crate::common::fake_telegram::TgUser;

/// The panel is served below this path of `PUBLIC_URL` (the tests reach it on `HTTP_ADDR`).
const BASE: &str = "/vb/app/api";
const PUBLIC_URL: &str = "https://bot.example.com/vb/";
const STAFF_PHONE: &str = "+7 916 123-45-67";
const ENDPOINTS: [&str; 4] = ["overview", "verifications", "verifications/1", "staff"];

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// `initData` for user `user_id`, dated `auth_date`, signed with `token` as Telegram's
/// "Validating data received via the Mini App" describes.
fn init_data(token: &str, user_id: u64, auth_date: i64) -> String {
    let user = format!(r#"{{"id":{user_id},"first_name":"Tester","language_code":"en"}}"#);
    let auth_date = auth_date.to_string();
    let mut fields = vec![
        ("auth_date", auth_date.as_str()),
        ("query_id", "AAHdF6IQAAAAAN0XohDhrOrc"),
        ("user", user.as_str()),
    ];
    fields.sort();
    let check: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut key = Hmac::<Sha256>::new_from_slice(b"WebAppData").unwrap();
    key.update(token.as_bytes());
    let key = key.finalize().into_bytes();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(check.join("\n").as_bytes());
    let hash = hex::encode(mac.finalize().into_bytes());
    let mut url = reqwest::Url::parse("x:y").unwrap();
    url.query_pairs_mut()
        .extend_pairs(&fields)
        .append_pair("hash", &hash);
    url.query().unwrap().to_owned()
}

fn fresh(user_id: u64) -> String {
    init_data(BOT_TOKEN, user_id, unix_now())
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|err| panic!("{err}: {}", self.body))
    }
}

/// `GET <BASE>/<path>` with `Authorization` set to `authorization`, if any.
async fn call(app: &TestApp, path: &str, authorization: Option<&str>) -> Answer {
    let mut request = reqwest::Client::new().get(format!("{}{BASE}/{path}", app.http_url()));
    if let Some(authorization) = authorization {
        request = request.header("Authorization", authorization);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|err| panic!("GET {path}: {err}\n{}", app.logs()));
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.unwrap();
    Answer {
        status,
        headers,
        body,
    }
}

/// `GET <BASE>/<path>` as `user_id`, signed in now; asserts 200 and returns the JSON.
async fn get_as(app: &TestApp, user_id: u64, path: &str) -> Value {
    let answer = call(app, path, Some(&format!("tma {}", fresh(user_id)))).await;
    assert_eq!(answer.status, 200, "{path}: {}", answer.body);
    answer.json()
}

fn assert_secure(answer: &Answer) {
    let header = |name: &str| {
        answer
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
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
    let admin = ADMIN_ID.to_string();
    TestApp::spawn_with(&[
        ("ADMIN_IDS", admin.as_str()),
        ("PUBLIC_URL", PUBLIC_URL),
        ("PANEL_AUTH_MAX_AGE", "600"),
    ])
    .await
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
    let signed_in = format!("tma {}", fresh(5006));
    let staff = call(&app, "staff", Some(&signed_in)).await;
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
            &call(&app, endpoint, Some(&signed_in)).await,
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
        Some(&format!("tma {}", fresh(5005))),
    )
    .await;
    assert_eq!(someone_elses.status, 404, "{}", someone_elses.body);
    assert!(!someone_elses.body.contains("123456"));
    let staff = call(&app, "staff", Some(&format!("tma {}", fresh(5005)))).await;
    assert_eq!(staff.status, 403, "{}", staff.body);
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
            Some(&format!("tma {}", fresh(ADMIN_ID))),
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
    let signed = call(&app, "overview", Some(&format!("tma {}", fresh(ADMIN_ID)))).await;
    assert_eq!(signed.status, 404, "{}", signed.body);
}
