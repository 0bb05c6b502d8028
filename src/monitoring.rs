//! Prometheus metrics: the recorder, every metric name, and the helpers that record them.
//!
//! Counters and the latency histogram are recorded as things happen (through the `metrics`
//! facade, so recording costs nothing when no recorder is installed, as in unit tests). The
//! gauges the database knows are set at each scrape, by the `/metrics` route
//! ([`crate::http`]). Knows nothing of Telegram or the database.

use std::time::Duration;

use metrics::{counter, describe_counter, describe_gauge, describe_histogram, histogram};
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};

pub const UPDATES: &str = "verify_bot_updates_total";
pub const GATEWAY_CALLS: &str = "verify_bot_gateway_calls_total";
pub const GATEWAY_LATENCY: &str = "verify_bot_gateway_call_duration_seconds";
pub const DELIVERY_REPORTS: &str = "verify_bot_delivery_reports_total";
pub const VERIFICATIONS: &str = "verify_bot_verifications";
pub const MONEY_SPENT: &str = "verify_bot_money_spent_credits";
pub const EVENTS: &str = "verify_bot_events_total";
pub const EVENTS_OLDEST_PENDING: &str = "verify_bot_events_oldest_pending_seconds";

/// Upper bounds of the Gateway latency buckets, in seconds.
const LATENCY_BUCKETS: &[f64] = &[0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

/// Installs the process-wide recorder (once per process) and describes every metric.
pub fn install() -> Result<PrometheusHandle, BuildError> {
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(GATEWAY_LATENCY.into()), LATENCY_BUCKETS)?
        .install_recorder()?;
    describe_counter!(UPDATES, "Telegram updates handled, by kind");
    describe_counter!(GATEWAY_CALLS, "Gateway API calls, by method and outcome");
    describe_histogram!(
        GATEWAY_LATENCY,
        metrics::Unit::Seconds,
        "Gateway API call latency"
    );
    describe_counter!(
        DELIVERY_REPORTS,
        "Gateway delivery reports received, by outcome"
    );
    describe_gauge!(VERIFICATIONS, "Verifications stored, by status");
    describe_gauge!(
        MONEY_SPENT,
        "Gateway credits spent on codes (charged and not refunded)"
    );
    describe_counter!(
        EVENTS,
        "Event deliveries, by outcome: delivered, retried, given_up"
    );
    describe_gauge!(
        EVENTS_OLDEST_PENDING,
        metrics::Unit::Seconds,
        "Age of the oldest event not yet delivered nor given up (0 when none)"
    );
    Ok(handle)
}

/// One update of this kind (`message`, `callback_query`, …) reached the dispatcher.
pub fn update_handled(kind: &'static str) {
    counter!(UPDATES, "kind" => kind).increment(1);
}

/// One Gateway call finished; `outcome` is `ok` or the kind of failure.
pub fn gateway_call(method: &'static str, outcome: &'static str, took: Duration) {
    counter!(GATEWAY_CALLS, "method" => method, "outcome" => outcome).increment(1);
    histogram!(GATEWAY_LATENCY, "method" => method).record(took.as_secs_f64());
}

/// One delivery report was answered; `outcome` says how.
pub fn delivery_report(outcome: &'static str) {
    counter!(DELIVERY_REPORTS, "outcome" => outcome).increment(1);
}

/// One event delivery attempt ended: `delivered`, `retried` or `given_up`.
pub fn event_outcome(outcome: &'static str) {
    counter!(EVENTS, "outcome" => outcome).increment(1);
}

/// Shows the events counter of `outcome` at zero until it first counts.
pub fn event_outcome_seen(outcome: &'static str) {
    counter!(EVENTS, "outcome" => outcome).increment(0);
}
