//! The admin panel's server side: the authenticated JSON API its pages (a Telegram Mini App, to
//! come) call, served under `PUBLIC_URL`'s path at `/app/api/` whenever `PUBLIC_URL` is set.
//!
//! Every call carries the Mini App's `initData` (`Authorization: tma <initData>`), checked by
//! [`auth`] against the bot token and `PANEL_AUTH_MAX_AGE`, and the caller's role is read
//! from the database each time; anything else gets 401 and no data. Every answer carries
//! `Cache-Control: no-store`, a Content-Security-Policy that allows nothing, and
//! `X-Content-Type-Options: nosniff`. The routes are in [`api`].

mod api;
mod auth;

use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::middleware;
use axum::response::Response;

use crate::store::Store;

/// What the panel's routes share.
#[derive(Clone)]
pub struct PanelState {
    store: Store,
    /// HMAC-SHA-256 of the bot token keyed `WebAppData`: the token itself is not kept.
    secret: [u8; 32],
    /// `ADMIN_IDS`: always admins.
    admin_ids: Arc<Vec<u64>>,
    /// `PANEL_AUTH_MAX_AGE`, in seconds.
    max_age: i64,
}

impl std::fmt::Debug for PanelState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PanelState").finish_non_exhaustive()
    }
}

impl PanelState {
    pub fn new(store: Store, bot_token: &str, admin_ids: &[u64], max_age: u64) -> Self {
        PanelState {
            store,
            secret: auth::secret_key(bot_token),
            admin_ids: Arc::new(admin_ids.to_vec()),
            max_age: i64::try_from(max_age).unwrap_or(i64::MAX),
        }
    }
}

/// The panel's routes, below `base` (`PUBLIC_URL`'s path without its trailing `/`).
pub fn router(base: &str, state: PanelState) -> Router {
    Router::new()
        .nest(&format!("{base}/app/api"), api::routes().with_state(state))
        .layer(middleware::map_response(secure))
}

/// The headers every panel answer carries.
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
