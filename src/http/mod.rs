//! The bot's HTTP server, on `HTTP_ADDR` in the bot's own runtime:
//!
//! - `GET /healthz`: 200 with `{"status":"ok"}` when the database answers within
//!   [`HEALTH_TIMEOUT`], else 503 (a frozen connection counts as down);
//! - `GET /metrics`: Prometheus text format ([`metrics`]);
//! - `POST /gateway/report`: signed Gateway delivery reports ([`report`]);
//! - in webhook mode, the webhook route, behind a constant-time secret check.

mod metrics;
mod report;
mod state;

pub use state::HttpState;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use subtle::ConstantTimeEq;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::config::{REPORT_PATH, WebhookConfig};

/// How long the health check waits for the database.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(2);
const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// Binds `addr`; the error names `HTTP_ADDR` (a port already taken, say).
/// Logs the address it got: with port 0 (as in the tests) the system picks a free one.
pub async fn bind(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    let tcp = TcpListener::bind(addr)
        .await
        .map_err(|err| anyhow::anyhow!("cannot listen on HTTP_ADDR={addr}: {err}"))?;
    let bound = tcp.local_addr()?;
    tracing::info!(%bound, "HTTP server listening on {bound}");
    Ok(tcp)
}

/// Our own routes.
pub fn router(state: HttpState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::scrape))
        .route(REPORT_PATH, post(report::receive))
        .with_state(state)
}

/// Serves `router` on `tcp` until `stopped` resolves.
pub fn serve(
    tcp: TcpListener,
    router: Router,
    stopped: impl Future<Output = ()> + Send + 'static,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        if let Err(err) = axum::serve(tcp, router)
            .with_graceful_shutdown(stopped)
            .await
        {
            tracing::error!("the HTTP server failed: {err}");
        }
    })
}

/// Adds the webhook route (on the path of `WEBHOOK_URL`) to `router`: each update body goes into
/// `inbox` as it came, answered 200 whatever it holds (any other answer makes Telegram send it
/// again; one that cannot be read is skipped by the reader), or 503 once the bot is stopping
/// (Telegram sends it again later, maybe to another replica). Nothing is registered with
/// Telegram here, and nothing ever deletes the webhook. A request without the right
/// `X-Telegram-Bot-Api-Secret-Token` (compared in constant time) gets 401 before anything else.
pub fn with_webhook(
    router: Router,
    webhook: &WebhookConfig,
    inbox: mpsc::Sender<Vec<u8>>,
) -> Router {
    let telegram = Router::new()
        .route(webhook.url.path(), post(receive_update))
        .with_state(inbox)
        .layer(middleware::from_fn_with_state(
            Arc::new(webhook.secret.clone()),
            require_secret,
        ));
    router.merge(telegram)
}

async fn receive_update(State(inbox): State<mpsc::Sender<Vec<u8>>>, body: Bytes) -> StatusCode {
    match inbox.send(body.into()).await {
        Ok(()) => StatusCode::OK,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

async fn require_secret(
    State(secret): State<Arc<SecretString>>,
    request: Request,
    next: Next,
) -> Response {
    let given = request
        .headers()
        .get(SECRET_HEADER)
        .map(|value| value.as_bytes())
        .unwrap_or_default();
    if bool::from(given.ct_eq(secret.expose_secret().as_bytes())) {
        next.run(request).await
    } else {
        tracing::warn!("webhook request without the right secret token refused");
        StatusCode::UNAUTHORIZED.into_response()
    }
}

async fn healthz(State(state): State<HttpState>) -> Response {
    match tokio::time::timeout(HEALTH_TIMEOUT, state.store.health()).await {
        Ok(Ok(())) => Json(json!({"status": "ok", "database": "ok"})).into_response(),
        outcome => {
            let why = match outcome {
                Ok(Err(err)) => err.to_string(),
                _ => "timed out".into(),
            };
            tracing::warn!("health check failed: the database does not answer: {why}");
            let body = json!({"status": "unavailable", "database": "unavailable"});
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}
