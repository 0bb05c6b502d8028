//! The panel's pages, embedded in the binary (`assets/`): `index.html`, `app.js`, `app.css`,
//! served at `<PUBLIC_URL's path>/app/`. The page calls the API on its own origin and loads
//! nothing but itself and Telegram's `telegram-web-app.js`: its Content-Security-Policy says
//! so (no inline script or style, no `eval`).
//!
//! The page's only words outside the API's texts, the line shown to someone who is not signed
//! in, are filled in here from `panel-denied` in both languages.

use std::sync::LazyLock;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use teloxide::utils::html::escape;

use crate::i18n::{self, Lang};

/// The pages' policy: scripts from the bot and telegram.org, styles and API calls from the bot
/// alone; shown only inside Telegram (its apps, or Telegram Web).
pub const PAGE_POLICY: &str = "default-src 'none'; script-src 'self' https://telegram.org; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
    form-action 'none'; frame-ancestors https://web.telegram.org";

static INDEX: LazyLock<String> = LazyLock::new(|| {
    let mut page = include_str!("assets/index.html").to_owned();
    for lang in Lang::ALL {
        let placeholder = format!("{{{{panel-denied@{}}}}}", lang.code());
        page = page.replace(
            &placeholder,
            &escape(&i18n::text(lang, "panel-denied", &[])),
        );
    }
    page
});

pub fn routes(base: &str) -> Router {
    let app = format!("{base}/app/");
    Router::new()
        .route(
            &format!("{base}/app"),
            get(move || async move { Redirect::permanent(&app) }),
        )
        .route(&format!("{base}/app/"), get(index))
        .route(&format!("{base}/app/app.js"), get(script))
        .route(&format!("{base}/app/app.css"), get(style))
}

async fn index() -> Response {
    asset("text/html; charset=utf-8", INDEX.as_str())
}

async fn script() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("assets/app.js"),
    )
}

async fn style() -> Response {
    asset("text/css; charset=utf-8", include_str!("assets/app.css"))
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Checked again on every load, so a new release is seen at once.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}
