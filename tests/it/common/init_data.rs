//! A Mini App's `initData` as Telegram signs it, by the algorithm of Telegram's "Validating
//! data received via the Mini App" (written here from the documentation, not from the bot's
//! code). Shared by the tests (`panel.rs`) and `cargo bench --bench history`.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// `initData` for user `user_id` with Telegram app language `language`, dated `auth_date`,
/// signed with `token`.
pub fn init_data_in(token: &str, user_id: u64, language: &str, auth_date: i64) -> String {
    let user = format!(
        r#"{{"id":{user_id},"first_name":"Tester","language_code":"{language}","allows_write_to_pm":true}}"#
    );
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
