//! Signing in to the admin panel as Telegram does it: `initData` signed with the test bot token
//! (by the algorithm of Telegram's "Validating data received via the Mini App", written here
//! from the documentation, not from the bot's code), and calls to its API.

use serde_json::Value;

use super::app::{ADMIN_ID, BOT_TOKEN, TestApp};
pub use super::init_data::init_data_in;

/// The panel is served below this path of `PUBLIC_URL` (the tests reach it on `HTTP_ADDR`).
pub const API: &str = "/vb/app/api";
pub const PAGES: &str = "/vb/app/";
pub const PUBLIC_URL: &str = "https://bot.example.com/vb/";
/// What `/panel` and the menu button open.
pub const PANEL_URL: &str = "https://bot.example.com/vb/app/";

pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// English `initData` for `user_id`, dated `auth_date`, signed with `token`.
pub fn init_data(token: &str, user_id: u64, auth_date: i64) -> String {
    init_data_in(token, user_id, "en", auth_date)
}

/// `initData` for `user_id`, signed now with the test bot token.
pub fn fresh(user_id: u64) -> String {
    init_data(BOT_TOKEN, user_id, unix_now())
}

/// `Authorization` for `user_id`, signed in now.
pub fn signed_in(user_id: u64) -> String {
    format!("tma {}", fresh(user_id))
}

pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    async fn read(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.text().await.unwrap();
        Answer {
            status,
            headers,
            body,
        }
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|err| panic!("{err}: {}", self.body))
    }

    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }
}

/// `method` `<API>/<path>` with `Authorization` set to `authorization`, if any, and a JSON body.
pub async fn request(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    authorization: Option<&str>,
    body: Option<&str>,
) -> Answer {
    let url = format!("{}{API}/{path}", app.http_url());
    let mut request = reqwest::Client::new().request(method.clone(), url);
    if let Some(authorization) = authorization {
        request = request.header("Authorization", authorization);
    }
    if let Some(body) = body {
        request = request
            .header("Content-Type", "application/json")
            .body(body.to_owned());
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|err| panic!("{method} {path}: {err}\n{}", app.logs()));
    Answer::read(response).await
}

/// `GET <API>/<path>` with `Authorization` set to `authorization`, if any.
pub async fn call(app: &TestApp, path: &str, authorization: Option<&str>) -> Answer {
    request(app, reqwest::Method::GET, path, authorization, None).await
}

/// `POST <API>/<path>` as `user_id`, signed in now, with `body`.
pub async fn post_as(app: &TestApp, user_id: u64, path: &str, body: &str) -> Answer {
    let authorization = signed_in(user_id);
    let body = Some(body);
    request(app, reqwest::Method::POST, path, Some(&authorization), body).await
}

/// `GET <API>/<path>` as `user_id`, signed in now; asserts 200 and returns the JSON.
pub async fn get_as(app: &TestApp, user_id: u64, path: &str) -> Value {
    let answer = call(app, path, Some(&signed_in(user_id))).await;
    assert_eq!(answer.status, 200, "{path}: {}", answer.body);
    answer.json()
}

/// The bot with the panel: `PUBLIC_URL` set, [`ADMIN_ID`] an admin, and `extra`.
pub async fn app_with(extra: &[(&str, &str)]) -> TestApp {
    let admin = ADMIN_ID.to_string();
    let mut env = vec![
        ("ADMIN_IDS", admin.as_str()),
        ("PUBLIC_URL", PUBLIC_URL),
        ("PANEL_AUTH_MAX_AGE", "600"),
    ];
    env.extend_from_slice(extra);
    TestApp::spawn_with(&env).await
}

/// `GET <path>` on the bot's HTTP server, without signing in (the pages are public).
pub async fn get_page(app: &TestApp, path: &str) -> Answer {
    let response = reqwest::get(format!("{}{path}", app.http_url()))
        .await
        .unwrap_or_else(|err| panic!("GET {path}: {err}\n{}", app.logs()));
    Answer::read(response).await
}
