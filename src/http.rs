//! The bot's HTTP server, on `HTTP_ADDR` in the bot's own runtime:
//!
//! - `GET /healthz`: 200 with `{"status":"ok"}` when the database answers, else 503;
//! - `GET /metrics`: Prometheus text format (see [`monitoring`]);
//! - `POST /gateway/report`: signed Gateway delivery reports, verified on the raw body before
//!   it is parsed: 401 for a bad or missing signature or a stale timestamp, 400 for a malformed
//!   body, 200 once stored (or when there was nothing new, or the request is unknown);
//! - in webhook mode, teloxide's webhook route, behind a constant-time secret check.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use metrics_exporter_prometheus::PrometheusHandle;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use subtle::ConstantTimeEq;
use teloxide::update_listeners::{UpdateListener, webhooks};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::config::{REPORT_PATH, WebhookConfig};
use crate::delivery::signature::ReportVerifier;
use crate::delivery::{Applied, Report, Tracker};
use crate::store::Store;
use crate::{monitoring, now};

/// How long the health check waits for the database.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(2);
const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// What the routes need.
#[derive(Clone, Debug)]
pub struct HttpState {
    pub store: Store,
    pub tracker: Tracker,
    pub reports: ReportVerifier,
    pub metrics: PrometheusHandle,
}

/// Binds `addr`; the error names `HTTP_ADDR` (a port already taken, say).
pub async fn bind(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .map_err(|err| anyhow::anyhow!("cannot listen on HTTP_ADDR={addr}: {err}"))
}

/// Our own routes.
pub fn router(state: HttpState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route(REPORT_PATH, post(report))
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

/// Adds teloxide's webhook route (on the path of `WEBHOOK_URL`) to `router`; returns the
/// listener the dispatcher reads the updates from. Nothing is registered with Telegram here,
/// and nothing ever deletes the webhook. A request without the right
/// `X-Telegram-Bot-Api-Secret-Token` (compared in constant time) gets 401 before teloxide sees it.
pub fn with_webhook(
    router: Router,
    webhook: &WebhookConfig,
    addr: SocketAddr,
) -> (impl UpdateListener<Err = Infallible> + use<>, Router) {
    let secret = webhook.secret.expose_secret().to_owned();
    let options = webhooks::Options::new(addr, webhook.url.clone()).secret_token(secret);
    let (listener, _stopped, telegram) = webhooks::axum_no_setup(options);
    let guarded = telegram.layer(middleware::from_fn_with_state(
        Arc::new(webhook.secret.clone()),
        require_secret,
    ));
    (listener, router.merge(guarded))
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

async fn metrics(State(state): State<HttpState>) -> Response {
    let text = monitoring::render(&state.metrics, &state.store).await;
    let content_type = "text/plain; version=0.0.4; charset=utf-8";
    ([(header::CONTENT_TYPE, content_type)], text).into_response()
}

async fn report(State(state): State<HttpState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let signed = state.reports.verify(
        header("x-request-timestamp"),
        header("x-request-signature"),
        &body,
        now(),
    );
    if let Err(err) = signed {
        tracing::warn!("delivery report refused: {err}");
        monitoring::delivery_report("unauthorized");
        return StatusCode::UNAUTHORIZED;
    }
    let report: Report = match serde_json::from_slice(&body) {
        Ok(report) => report,
        Err(err) => {
            tracing::warn!("malformed delivery report refused: {err}");
            monitoring::delivery_report("malformed");
            return StatusCode::BAD_REQUEST;
        }
    };
    let status = report
        .delivery_status
        .as_ref()
        .map_or("none", |d| d.status.as_str());
    match state.tracker.apply(&report).await {
        Ok(Applied::NotYet) => {
            tracing::info!(request_id = %report.request_id, "delivery report for a send in flight; asking for it again later");
            monitoring::delivery_report(Applied::NotYet.label());
            StatusCode::SERVICE_UNAVAILABLE
        }
        Ok(applied) => {
            monitoring::delivery_report(applied.label());
            match applied {
                Applied::UnknownRequest => tracing::info!(
                    request_id = %report.request_id,
                    "delivery report for a request we do not know"
                ),
                Applied::Unchanged | Applied::NotYet => {
                    tracing::debug!(request_id = %report.request_id, status, "nothing new")
                }
                Applied::Updated {
                    verification_id, ..
                }
                | Applied::Reattached { verification_id } => {
                    tracing::info!(verification = verification_id, status, "delivery report")
                }
            }
            StatusCode::OK
        }
        Err(err) => {
            // The Gateway retries: the report is not lost.
            tracing::error!(request_id = %report.request_id, "cannot store a delivery report: {err}");
            monitoring::delivery_report("error");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}
