//! The admin panel's API as the Mini App calls it: `initData` signed with the bot token by the
//! algorithm of Telegram's "Validating data received via the Mini App" (as
//! `tests/it/common/panel.rs` does it), sent as `Authorization: tma <initData>`.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::time::Instant;

/// `PUBLIC_URL` given to the bot: the panel's API is then served on `HTTP_ADDR` below its path.
pub const PUBLIC_URL: &str = "https://bench.example.com/vb/";
const API: &str = "/vb/app/api";
/// How long one call may take before it counts as failed.
const PATIENCE: Duration = Duration::from_secs(60);

/// `initData` for `user_id`, signed now with `token`.
pub fn init_data(token: &str, user_id: i64) -> String {
    let user = format!(
        r#"{{"id":{user_id},"first_name":"Bench","language_code":"en","allows_write_to_pm":true}}"#
    );
    let auth_date = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
        .to_string();
    let mut fields = vec![
        ("auth_date", auth_date.as_str()),
        ("query_id", "AAHdF6IQAAAAAN0XohDhrOrc"),
        ("user", user.as_str()),
    ];
    fields.sort();
    let check: Vec<String> = fields.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut key = Hmac::<Sha256>::new_from_slice(b"WebAppData").expect("HMAC takes any key");
    key.update(token.as_bytes());
    let key = key.finalize().into_bytes();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes any key");
    mac.update(check.join("\n").as_bytes());
    let hash = hex::encode(mac.finalize().into_bytes());
    let mut url = reqwest::Url::parse("x:y").expect("a URL");
    url.query_pairs_mut()
        .extend_pairs(&fields)
        .append_pair("hash", &hash);
    url.query().unwrap_or_default().to_owned()
}

/// `GET <API>/<path>` on the bot's HTTP server at `port`, signed in as `user_id`: the time to
/// the whole body of a 200, or why there was none.
pub async fn get(
    client: &reqwest::Client,
    port: u16,
    token: &str,
    user_id: i64,
    path: &str,
) -> Result<Duration, String> {
    let url = format!("http://127.0.0.1:{port}{API}/{path}");
    let authorization = format!("tma {}", init_data(token, user_id));
    let started = Instant::now();
    let call = async {
        let response = client
            .get(&url)
            .header("Authorization", authorization)
            .send()
            .await
            .map_err(|err| format!("GET {path}: {err}"))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .map_err(|err| format!("GET {path}: {err}"))?;
        if !status.is_success() {
            return Err(format!("GET {path}: {status}: {body}"));
        }
        Ok(started.elapsed())
    };
    tokio::time::timeout(PATIENCE, call)
        .await
        .map_err(|_| format!("GET {path}: no answer within {PATIENCE:?}"))?
}
