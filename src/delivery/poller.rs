//! Without `PUBLIC_URL` the Gateway has nowhere to send delivery reports, so we ask it: every
//! `STATUS_POLL_SECS`, `checkVerificationStatus` (without a code, which is free and uses no
//! attempt) for each open verification whose code is still valid, and apply the answer like a
//! report. A verification stops being polled when it closes or its `CODE_TTL` has passed.

use std::time::Duration;

use super::{Report, Tracker};
use crate::gateway::{ApiError, GatewayClient, GatewayError};
use crate::now;
use crate::store::Store;

/// Polls forever; spawn it and drop it (abort) at shutdown.
pub async fn run(store: Store, gateway: GatewayClient, tracker: Tracker, every: Duration) {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if let Some(pause) = poll_once(&store, &gateway, &tracker).await {
            tokio::time::sleep(pause).await;
        }
    }
}

/// One round over the open verifications; returns how long to pause if the Gateway asked us
/// to slow down.
async fn poll_once(store: &Store, gateway: &GatewayClient, tracker: &Tracker) -> Option<Duration> {
    let open = match store.awaiting_delivery(now()).await {
        Ok(open) => open,
        Err(err) => {
            tracing::warn!("cannot list verifications to poll: {err}");
            return None;
        }
    };
    for (id, request_id) in open {
        match gateway.check_verification_status(&request_id, None).await {
            Ok(status) => match tracker.apply(&Report::from(&status)).await {
                Ok(applied) => {
                    tracing::debug!(
                        verification = id,
                        outcome = applied.label(),
                        "status polled"
                    )
                }
                Err(err) => {
                    tracing::warn!(verification = id, "cannot store a polled status: {err}")
                }
            },
            Err(GatewayError::Api(ApiError::FloodWait(seconds))) => {
                return Some(Duration::from_secs(seconds.into()));
            }
            // Logged by the client; the next round tries again.
            Err(_) => {}
        }
    }
    None
}
