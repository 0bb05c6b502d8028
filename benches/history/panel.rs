//! The admin panel's API as the Mini App calls it: `initData` signed with the bot token by the
//! algorithm of Telegram's "Validating data received via the Mini App" (the tests' own,
//! `tests/it/common/init_data.rs`), sent as `Authorization: tma <initData>`.

use std::time::Duration;

use tokio::time::Instant;

use crate::init_data::init_data_in;

/// `PUBLIC_URL` given to the bot: the panel's API is then served on `HTTP_ADDR` below its path.
pub const PUBLIC_URL: &str = "https://bench.example.com/vb/";
const API: &str = "/vb/app/api";
/// How long one call may take before it counts as failed.
const PATIENCE: Duration = Duration::from_secs(60);

/// `GET <API>/<path>` on the bot's HTTP server at `port`, signed in as `user_id`: the time to
/// the whole body of a 200, or why there was none.
pub async fn get(
    client: &reqwest::Client,
    port: u16,
    token: &str,
    user_id: u64,
    path: &str,
) -> Result<Duration, String> {
    let url = format!("http://127.0.0.1:{port}{API}/{path}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let authorization = format!("tma {}", init_data_in(token, user_id, "en", now));
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
