//! Without `PUBLIC_URL` the Gateway has nowhere to send delivery reports, so we ask it: every
//! `STATUS_POLL_SECS`, `checkVerificationStatus` (without a code, which is free and uses no
//! attempt) for each open verification whose code is still valid, and apply the answer like a
//! report. A verification stops being polled when it closes or its `CODE_TTL` has passed. A send
//! lost after a paid pre-check (`PRECHECK`) is polled too, under the pre-check's request, until
//! it is attached again or its code could no longer be valid.
//! With several processes on one database, one of them polls at a time: the holder of the
//! `status_poller` lease, which another takes over when it runs out.

use std::time::Duration;

use super::{Report, Tracker};
use crate::gateway::{ApiError, GatewayClient, GatewayError};
use crate::now;
use crate::store::Store;

/// Polls forever; spawn it and drop it (abort) at shutdown. `instance` names this process for
/// the lease.
pub async fn run(
    store: Store,
    gateway: GatewayClient,
    tracker: Tracker,
    every: Duration,
    instance: String,
) {
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Long enough to outlive a round that waits on a slow Gateway; short enough that another
    // process takes over soon after this one stops.
    let lease = 2 * every.as_secs() as i64 + 10;
    loop {
        ticks.tick().await;
        match store
            .hold_lease("status_poller", &instance, now() + lease, now())
            .await
        {
            Ok(true) => {}
            Ok(false) => continue,
            Err(err) => {
                tracing::warn!("cannot tell which process polls: {err}");
                continue;
            }
        }
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
