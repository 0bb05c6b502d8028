//! The admin panel: a Telegram Mini App served by the bot under `PUBLIC_URL`'s path whenever
//! `PUBLIC_URL` is set: its pages at `<path>/app/` ([`pages`], embedded in the binary) and the
//! JSON API they call at `<path>/app/api/` ([`api`]).
//!
//! Every API call carries the Mini App's `initData` (`Authorization: tma <initData>`), checked by
//! [`auth`] against the bot token and `PANEL_AUTH_MAX_AGE`, and the caller's role is read
//! from the database each time; anything else gets 401 and no data. Every API answer carries
//! `Cache-Control: no-store`, a Content-Security-Policy that allows nothing, and
//! `X-Content-Type-Options: nosniff`; the pages carry a strict policy of their own.

mod actions;
mod api;
mod auth;
mod pages;
mod texts;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::middleware;
use axum::response::Response;

use crate::bot::{Settings, TgBot};
use crate::people::People;
use crate::store::Store;

/// What the panel's routes share.
#[derive(Clone)]
pub struct PanelState {
    store: Store,
    /// HMAC-SHA-256 of the bot token keyed `WebAppData`: the token itself is not kept.
    secret: [u8; 32],
    /// `PANEL_AUTH_MAX_AGE`, in seconds.
    max_age: i64,
    chat: Chat,
}

/// The Telegram side of what admins do in the panel: removals and exports reach the chat as
/// their commands do.
#[derive(Clone)]
pub struct Chat {
    pub bot: TgBot,
    pub people: People,
    pub settings: Arc<Settings>,
    /// The bot's username, for invite links.
    pub username: String,
}

impl std::fmt::Debug for PanelState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PanelState").finish_non_exhaustive()
    }
}

impl PanelState {
    pub fn new(store: Store, bot_token: &str, max_age: u64, chat: Chat) -> Self {
        PanelState {
            store,
            secret: auth::secret_key(bot_token),
            max_age: i64::try_from(max_age).unwrap_or(i64::MAX),
            chat,
        }
    }

    /// `ADMIN_IDS`: always admins.
    fn admin_ids(&self) -> &[u64] {
        &self.chat.settings.admin_ids
    }
}

/// The panel's routes, below `base` (`PUBLIC_URL`'s path without its trailing `/`).
pub fn router(base: &str, state: PanelState) -> Router {
    let api = Router::new()
        .nest(
            &format!("{base}/app/api"),
            api::routes().merge(actions::routes()).with_state(state),
        )
        .layer(middleware::map_response(secure));
    api.merge(pages::routes(base))
}

/// The headers every API answer carries.
async fn secure(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}
