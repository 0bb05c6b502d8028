//! Who is calling: Telegram Mini App `initData`, validated as Telegram's "Validating data
//! received via the Mini App" prescribes, and the caller's role, read from the database on every
//! call (a removed person is refused at once). No cookies, no sessions.
//!
//! The data-check-string is every received `key=value` pair but `hash`, sorted by key, joined
//! by `\n`; the secret key is HMAC-SHA-256 of the bot token keyed with `WebAppData`; `hash` must
//! be the hex HMAC-SHA-256 of the data-check-string keyed with the secret key (compared in
//! constant time), and `auth_date` no older than `PANEL_AUTH_MAX_AGE`.

use std::collections::BTreeMap;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Json, Response};
use hmac::{Hmac, Mac};
use reqwest::Url;
use serde::Deserialize;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::PanelState;
use crate::store::Role;

type HmacSha256 = Hmac<Sha256>;

/// How far in the future an `auth_date` may be: the clocks of Telegram and of the database
/// may disagree by a little.
const FUTURE_LEEWAY: i64 = 5;

/// Why an `initData` is refused (logged, never shown: the caller gets a bare 401).
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum AuthError {
    #[error("no `Authorization: tma …` header")]
    Missing,
    #[error("initData is not a query string of unique keys")]
    Malformed,
    #[error("initData has no hash")]
    NoHash,
    #[error("initData's hash does not match")]
    Forged,
    #[error("initData has no auth_date")]
    NoDate,
    #[error("initData is too old")]
    Expired,
    #[error("initData is dated in the future")]
    Future,
    #[error("initData names no user")]
    NoUser,
    #[error("the user is neither an admin nor staff")]
    NoAccess,
}

/// The Telegram user an `initData` names.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct WebAppUser {
    pub id: i64,
    pub language_code: Option<String>,
}

/// The key `initData` hashes are made with: HMAC-SHA-256 of the bot token keyed `WebAppData`.
pub fn secret_key(bot_token: &str) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(b"WebAppData").expect("HMAC takes any key");
    mac.update(bot_token.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Checks `init_data` (the raw query string) against `secret` and the clock; the user it names.
pub fn validate(
    init_data: &str,
    secret: &[u8; 32],
    now: i64,
    max_age: i64,
) -> Result<WebAppUser, AuthError> {
    let mut url = Url::parse("tma:data").expect("a URL");
    url.set_query(Some(init_data));
    let mut fields = BTreeMap::new();
    for (key, value) in url.query_pairs() {
        if fields
            .insert(key.into_owned(), value.into_owned())
            .is_some()
        {
            return Err(AuthError::Malformed);
        }
    }
    let hash = fields.remove("hash").ok_or(AuthError::NoHash)?;
    let given = hex::decode(&hash).map_err(|_| AuthError::Forged)?;
    let check = fields
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes any key");
    mac.update(check.as_bytes());
    let expected = mac.finalize().into_bytes();
    if given.len() != expected.len() || !bool::from(given.ct_eq(expected.as_slice())) {
        return Err(AuthError::Forged);
    }
    let auth_date: i64 = fields
        .get("auth_date")
        .and_then(|date| date.parse().ok())
        .ok_or(AuthError::NoDate)?;
    if auth_date > now + FUTURE_LEEWAY {
        return Err(AuthError::Future);
    }
    if now - auth_date > max_age {
        return Err(AuthError::Expired);
    }
    let user = fields.get("user").ok_or(AuthError::NoUser)?;
    serde_json::from_str(user).map_err(|_| AuthError::NoUser)
}

/// An admin or staff member, signed in by a valid, fresh `initData`, with their role as the
/// database has it now.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user_id: i64,
    pub role: Role,
    /// From `initData` (the panel's pages will use it).
    #[allow(dead_code)]
    pub language_code: Option<String>,
}

impl Viewer {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// A refusal: 401 with an empty JSON body, or 500 when the database cannot say who is who.
pub enum Refused {
    Unauthorized(AuthError),
    Database,
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let status = match self {
            Refused::Unauthorized(why) => {
                tracing::info!("admin panel request refused: {why}");
                StatusCode::UNAUTHORIZED
            }
            Refused::Database => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (status, Json(serde_json::json!({}))).into_response()
    }
}

impl FromRequestParts<PanelState> for Viewer {
    type Rejection = Refused;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &PanelState,
    ) -> Result<Self, Self::Rejection> {
        let init_data = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("tma "))
            .ok_or(Refused::Unauthorized(AuthError::Missing))?;
        let user = validate(init_data, &state.secret, crate::now(), state.max_age)
            .map_err(Refused::Unauthorized)?;
        let role = if u64::try_from(user.id).is_ok_and(|id| state.admin_ids().contains(&id)) {
            Some(Role::Admin)
        } else {
            state.store.role_of(user.id).await.map_err(|err| {
                tracing::error!("admin panel: cannot read a role: {err}");
                Refused::Database
            })?
        };
        let role = role.ok_or(Refused::Unauthorized(AuthError::NoAccess))?;
        Ok(Viewer {
            user_id: user.id,
            role,
            language_code: user.language_code,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "7000000001:AAH-fake-bot-token_for_tests";
    const NOW: i64 = 1_800_000_000;
    const HOUR: i64 = 3600;

    /// `initData` as Telegram builds it: the fields, url-encoded, and their hash, made here
    /// from the documented algorithm (not with [`validate`]'s code).
    fn signed(token: &str, fields: &[(&str, &str)]) -> String {
        let mut sorted: Vec<_> = fields.to_vec();
        sorted.sort();
        let check: Vec<String> = sorted.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let mut key = HmacSha256::new_from_slice(b"WebAppData").unwrap();
        key.update(token.as_bytes());
        let key = key.finalize().into_bytes();
        let mut mac = HmacSha256::new_from_slice(&key).unwrap();
        mac.update(check.join("\n").as_bytes());
        let hash = hex::encode(mac.finalize().into_bytes());
        let mut query = Url::parse("x:y").unwrap();
        query
            .query_pairs_mut()
            .extend_pairs(fields)
            .append_pair("hash", &hash);
        query.query().unwrap().to_owned()
    }

    fn fields(auth_date: &str) -> Vec<(&'static str, String)> {
        vec![
            ("query_id", "AAHdF6IQAAAAAN0XohDhrOrc".into()),
            (
                "user",
                r#"{"id":1001,"first_name":"Ann","language_code":"ru"}"#.into(),
            ),
            ("auth_date", auth_date.into()),
        ]
    }

    fn init_data(token: &str, auth_date: i64) -> String {
        let fields = fields(&auth_date.to_string());
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        signed(token, &pairs)
    }

    fn check(data: &str) -> Result<WebAppUser, AuthError> {
        validate(data, &secret_key(TOKEN), NOW, HOUR)
    }

    #[test]
    fn a_valid_init_data_names_its_user() {
        let user = check(&init_data(TOKEN, NOW - 60)).unwrap();
        assert_eq!(user.id, 1001);
        assert_eq!(user.language_code.as_deref(), Some("ru"));
        // Exactly at the limit is still fresh.
        assert!(check(&init_data(TOKEN, NOW - HOUR)).is_ok());
    }

    #[test]
    fn a_forged_hash_is_refused() {
        let data = init_data(TOKEN, NOW);
        let hash_at = data.find("hash=").unwrap() + 5;
        let mut forged = data.clone();
        let flipped = if &data[hash_at..=hash_at] == "0" {
            "1"
        } else {
            "0"
        };
        forged.replace_range(hash_at..=hash_at, flipped);
        assert_eq!(check(&forged), Err(AuthError::Forged));
        // The user changed after signing: the hash no longer matches.
        let other = data.replace("1001", "1002");
        assert_eq!(check(&other), Err(AuthError::Forged));
        // A hash that is not hex, or too short.
        let short = format!("{}abc", &data[..hash_at]);
        assert_eq!(check(&short), Err(AuthError::Forged));
    }

    #[test]
    fn every_field_but_the_hash_is_signed_signature_included() {
        let date = NOW.to_string();
        let fields = [
            ("auth_date", date.as_str()),
            ("signature", "c2lnbmVk"),
            ("user", r#"{"id":7}"#),
        ];
        let data = signed(TOKEN, &fields);
        assert_eq!(check(&data).unwrap().id, 7);
        let changed = data.replace("c2lnbmVk", "b3RoZXI");
        assert_eq!(check(&changed), Err(AuthError::Forged));
    }

    #[test]
    fn init_data_without_a_hash_is_refused() {
        let data = init_data(TOKEN, NOW);
        let cut = &data[..data.find("&hash=").unwrap()];
        assert_eq!(check(cut), Err(AuthError::NoHash));
    }

    #[test]
    fn expired_and_future_init_data_is_refused() {
        assert_eq!(
            check(&init_data(TOKEN, NOW - HOUR - 1)),
            Err(AuthError::Expired)
        );
        assert_eq!(check(&init_data(TOKEN, NOW + 60)), Err(AuthError::Future));
    }

    #[test]
    fn another_bots_init_data_is_refused() {
        let other = init_data("7000000002:AAH-another-bot", NOW);
        assert_eq!(check(&other), Err(AuthError::Forged));
    }

    #[test]
    fn garbage_is_refused() {
        for garbage in ["", "garbage", "hash=", "=&=&", "%zz", "hash=zz&hash=zz"] {
            assert!(check(garbage).is_err(), "{garbage:?}");
        }
        // Signed, but without a user or a date.
        let no_user = signed(TOKEN, &[("auth_date", &NOW.to_string())]);
        assert_eq!(check(&no_user), Err(AuthError::NoUser));
        let no_date = signed(TOKEN, &[("user", r#"{"id":1}"#)]);
        assert_eq!(check(&no_date), Err(AuthError::NoDate));
        let bad_user = signed(TOKEN, &[("auth_date", &NOW.to_string()), ("user", "{")]);
        assert_eq!(check(&bad_user), Err(AuthError::NoUser));
    }
}
