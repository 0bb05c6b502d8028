//! `GET /metrics`: the Prometheus text, with the gauges that the database knows (verifications
//! by status, money spent, the age of the oldest event not yet delivered) read afresh at each scrape, so they are right across restarts and
//! for every process sharing the database. The counters are recorded as things happen, through
//! [`crate::monitoring`].

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use metrics::gauge;
use metrics_exporter_prometheus::PrometheusHandle;

use super::state::HttpState;
use crate::monitoring::{EVENTS_OLDEST_PENDING, MONEY_SPENT, VERIFICATIONS};
use crate::store::Store;

pub(super) async fn scrape(State(state): State<HttpState>) -> Response {
    let text = render(&state.metrics, &state.store).await;
    let content_type = "text/plain; version=0.0.4; charset=utf-8";
    ([(header::CONTENT_TYPE, content_type)], text).into_response()
}

/// The Prometheus text for a scrape, with the database-backed gauges refreshed first.
async fn render(handle: &PrometheusHandle, store: &Store) -> String {
    match store.count_by_status().await {
        Ok(counts) => {
            for (status, count) in counts {
                gauge!(VERIFICATIONS, "status" => status).set(count as f64);
            }
        }
        Err(err) => tracing::warn!("metrics: cannot count verifications: {err}"),
    }
    match store.money_spent().await {
        Ok(spent) => gauge!(MONEY_SPENT).set(spent),
        Err(err) => tracing::warn!("metrics: cannot sum the money spent: {err}"),
    }
    match store.events_summary(crate::now()).await {
        Ok(summary) => {
            let age = summary
                .oldest_pending_at
                .map_or(0, |at| (crate::now() - at).max(0));
            gauge!(EVENTS_OLDEST_PENDING).set(age as f64);
        }
        Err(err) => tracing::warn!("metrics: cannot read the events outbox: {err}"),
    }
    handle.run_upkeep();
    handle.render()
}
