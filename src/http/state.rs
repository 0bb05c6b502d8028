//! What the HTTP routes share: the database, the delivery tracker, the report signature check
//! and the metrics recorder.

use metrics_exporter_prometheus::PrometheusHandle;

use crate::delivery::Tracker;
use crate::delivery::signature::ReportVerifier;
use crate::store::Store;

/// What the routes need.
#[derive(Clone, Debug)]
pub struct HttpState {
    pub store: Store,
    pub tracker: Tracker,
    pub reports: ReportVerifier,
    pub metrics: PrometheusHandle,
}
