//! `POST /gateway/report`: signed Gateway delivery reports, verified on the raw body before it
//! is parsed: 401 for a bad or missing signature or a stale timestamp, 400 for a malformed body,
//! 503 for a report about a send that may still be in flight (the Gateway sends it again later),
//! 200 once stored (or when there was nothing new, or the request is unknown).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

use super::state::HttpState;
use crate::delivery::{Applied, Report};
use crate::{monitoring, now};

pub(super) async fn receive(
    State(state): State<HttpState>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
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
