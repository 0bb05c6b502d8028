//! What happened to the message carrying a code: sent → delivered → read, or expired / revoked,
//! and whether the fee was refunded.
//!
//! The Gateway tells us in signed delivery reports ([`signature`]) when `PUBLIC_URL` is set, or
//! we ask it every few seconds ([`poller`]) when it is not. Both feed [`Tracker::apply`], which
//! stores a report only if it is newer than what is stored (reports are retried and may arrive
//! out of order) and announces each visible change on a channel, for the bot to edit the staff's
//! message. Free of Telegram types.
//!
//! A report can also bring back a send whose answer the bot lost (a timeout, a dropped
//! connection, a crash): by its `payload` (the verification's id), or, after a paid pre-check
//! (`PRECHECK`), by its `request_id`, which the bot stored before sending. The poller asks about
//! such pre-checked sends too, so they come back without `PUBLIC_URL` as well.

pub mod poller;
pub mod signature;

use serde::Deserialize;
use tokio::sync::mpsc;

use crate::gateway::{DeliveryState, DeliveryStatus, RequestStatus};
pub use crate::store::Delivery;
use crate::store::{Reported, Status, Store, StoreError};

/// A delivery report: a `RequestStatus`, of which only `request_id` is required here.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Report {
    pub request_id: String,
    #[serde(default)]
    pub request_cost: Option<f64>,
    #[serde(default)]
    pub is_refunded: Option<bool>,
    #[serde(default)]
    pub delivery_status: Option<DeliveryStatus>,
    /// The number the code went to (E.164).
    #[serde(default)]
    pub phone_number: Option<String>,
    /// What the bot sent as `payload`: the verification's id.
    #[serde(default)]
    pub payload: Option<String>,
}

impl From<&RequestStatus> for Report {
    fn from(status: &RequestStatus) -> Self {
        Report {
            request_id: status.request_id.clone(),
            request_cost: Some(status.request_cost),
            is_refunded: status.is_refunded,
            delivery_status: status.delivery_status.clone(),
            phone_number: Some(status.phone_number.clone()),
            payload: status.payload.clone(),
        }
    }
}

/// Where a delivery status stands in the message's life. Final statuses never change again.
fn rank(status: &DeliveryState) -> u8 {
    match status {
        DeliveryState::Unknown(_) => 0,
        DeliveryState::Sent => 1,
        DeliveryState::Delivered => 2,
        DeliveryState::Read => 3,
        DeliveryState::Expired | DeliveryState::Revoked => 4,
    }
}

fn is_final(status: &DeliveryState) -> bool {
    matches!(status, DeliveryState::Expired | DeliveryState::Revoked)
}

/// The delivery after `report`, or `None` when the report adds nothing (a retry, or older news).
///
/// A reported status replaces the stored one only if it is at least as recent (by `updated_at`)
/// and at least as far along (sent < delivered < read; expired and revoked are final). A refund
/// is never taken back.
pub fn merge(current: &Delivery, report: &Report) -> Option<Delivery> {
    let mut next = current.clone();
    let newer = report.delivery_status.as_ref().filter(|reported| {
        current.status.as_ref().is_none_or(|stored| {
            !is_final(stored)
                && reported.updated_at >= current.updated_at
                && rank(&reported.status) >= rank(stored)
        })
    });
    if let Some(reported) = newer {
        next.status = Some(reported.status.clone());
        next.updated_at = reported.updated_at;
    }
    if newer.is_some() || current.request_cost.is_none() {
        next.request_cost = report.request_cost.or(current.request_cost);
    }
    next.is_refunded |= report.is_refunded == Some(true);
    (next != *current).then_some(next)
}

/// What a report did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// No stored verification has this `request_id`.
    UnknownRequest,
    /// Nothing new: a retry, or older than what is stored.
    Unchanged,
    /// Stored. `visible` when the status or the refund changed (the staff's message must show it).
    Updated { verification_id: i64, visible: bool },
    /// A send whose answer the bot lost (its `payload` names the verification, or its
    /// pre-check's `request_id` does) is attached to its verification again: the code typed
    /// next is checked.
    Reattached { verification_id: i64 },
    /// The report names a verification whose send is still in flight (or abandoned and not yet
    /// given up): not stored, so that the Gateway sends it again later.
    NotYet,
}

impl Applied {
    /// A short name for logs and metrics.
    pub fn label(self) -> &'static str {
        match self {
            Applied::UnknownRequest => "unknown_request",
            Applied::Unchanged => "unchanged",
            Applied::Updated { .. } => "updated",
            Applied::Reattached { .. } => "reattached",
            Applied::NotYet => "not_yet",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the delivery status kept changing under us; try again")]
    Contended,
}

/// A change the staff's chat must show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The delivery of this verification changed visibly: edit its "code sent" message.
    Delivery(i64),
    /// This verification's lost send was re-attached: tell its staff member the code is out.
    Reattached(i64),
}

/// Applies delivery news to stored verifications. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Tracker {
    store: Store,
    changed: mpsc::UnboundedSender<Change>,
}

impl Tracker {
    /// A tracker and the channel on which it announces each change the staff must see.
    pub fn new(store: Store) -> (Tracker, mpsc::UnboundedReceiver<Change>) {
        let (changed, receiver) = mpsc::unbounded_channel();
        (Tracker { store, changed }, receiver)
    }

    /// Stores what `report` adds, atomically: a concurrent change makes it look again. A report
    /// for a request no row knows re-attaches a lost send when its `payload` names one; a report
    /// that shows the code of a lost pre-checked send went out re-attaches that send.
    pub async fn apply(&self, report: &Report) -> Result<Applied, DeliveryError> {
        for _ in 0..5 {
            let Some(found) = self.store.delivery_of(&report.request_id).await? else {
                return self.reattach(report).await;
            };
            match found.status {
                // A pre-checked send still in flight: like any send in flight (see `reattach`).
                Status::Sending => return Ok(Applied::NotYet),
                Status::Failed if shows_a_message(report, found.id) => {
                    if let Some(applied) = self.reattach_prechecked(report, &found).await? {
                        return Ok(applied);
                    }
                }
                _ => {}
            }
            let Reported {
                id,
                delivery: current,
                ..
            } = found;
            let Some(next) = merge(&current, report) else {
                return Ok(Applied::Unchanged);
            };
            if self.store.replace_delivery(id, &current, &next).await? {
                let visible =
                    next.status != current.status || next.is_refunded != current.is_refunded;
                if visible {
                    // Nobody listening (shutting down) is fine: the database has it.
                    let _ = self.changed.send(Change::Delivery(id));
                }
                return Ok(Applied::Updated {
                    verification_id: id,
                    visible,
                });
            }
        }
        Err(DeliveryError::Contended)
    }

    /// A lost pre-checked send whose code went out (see [`Store::reattach_prechecked`]): `None`
    /// when it cannot be attached again (the number has another open verification, its code
    /// has expired, it was never lost).
    async fn reattach_prechecked(
        &self,
        report: &Report,
        found: &Reported,
    ) -> Result<Option<Applied>, DeliveryError> {
        let phone = report.phone_number.as_deref();
        let reattached = self
            .store
            .reattach_prechecked(found.id, &report.request_id, phone, crate::now())
            .await?;
        let Some(verification) = reattached else {
            return Ok(None);
        };
        tracing::warn!(
            verification = verification.id,
            "a pre-checked send whose answer was lost is attached again; its code can be checked"
        );
        let _ = self.changed.send(Change::Reattached(verification.id));
        // The delivery status the report carries is stored like any other.
        Box::pin(self.apply(report)).await?;
        Ok(Some(Applied::Reattached {
            verification_id: verification.id,
        }))
    }

    async fn reattach(&self, report: &Report) -> Result<Applied, DeliveryError> {
        let Some(id) = report
            .payload
            .as_deref()
            .and_then(|p| p.parse::<i64>().ok())
        else {
            return Ok(Applied::UnknownRequest);
        };
        let request = (report.request_id.as_str(), report.request_cost);
        let phone = report.phone_number.as_deref();
        let reattached = self
            .store
            .reattach(id, request, phone, crate::now())
            .await?;
        let Some(verification) = reattached else {
            let sending = self.store.verification(id).await?;
            if sending.is_some_and(|v| v.status == crate::store::Status::Sending) {
                return Ok(Applied::NotYet);
            }
            return Ok(Applied::UnknownRequest);
        };
        tracing::warn!(
            verification = verification.id,
            "a send whose answer was lost is attached again; its code can be checked"
        );
        let _ = self.changed.send(Change::Reattached(verification.id));
        // The delivery status the report carries is stored like any other.
        Box::pin(self.apply(report)).await?;
        Ok(Applied::Reattached {
            verification_id: verification.id,
        })
    }
}

/// Whether `report` shows that a code message went out for verification `id`: a delivery
/// status the Gateway gives "only if a message was actually sent", and not a final one (an
/// expired or revoked code is nothing to type), and a `payload`, if any, naming `id`. (A
/// pre-check's request has no delivery status until its send reaches the Gateway.)
fn shows_a_message(report: &Report, id: i64) -> bool {
    let live = report
        .delivery_status
        .as_ref()
        .is_some_and(|d| !is_final(&d.status));
    let payload = report.payload.as_deref();
    live && payload.is_none_or(|p| p.parse::<i64>().ok() == Some(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(status: Option<&str>, updated_at: i64) -> Delivery {
        Delivery {
            status: status.map(|s| DeliveryState::from(s.to_owned())),
            updated_at,
            is_refunded: false,
            request_cost: Some(0.01),
        }
    }

    fn report(status: &str, updated_at: i64) -> Report {
        Report {
            request_id: "r1".into(),
            request_cost: Some(0.01),
            is_refunded: Some(false),
            delivery_status: Some(DeliveryStatus {
                status: DeliveryState::from(status.to_owned()),
                updated_at,
            }),
            phone_number: None,
            payload: None,
        }
    }

    fn status_after(current: &Delivery, report: &Report) -> Option<String> {
        merge(current, report).map(|d| d.status.unwrap().as_str().to_owned())
    }

    #[test]
    fn newer_statuses_move_forward() {
        let sent = delivery(Some("sent"), 100);
        assert_eq!(
            status_after(&sent, &report("delivered", 101)).as_deref(),
            Some("delivered")
        );
        // The same second: the status rank decides.
        assert_eq!(
            status_after(&sent, &report("read", 100)).as_deref(),
            Some("read")
        );
        assert_eq!(
            status_after(&delivery(None, 0), &report("sent", 100)).as_deref(),
            Some("sent")
        );
    }

    #[test]
    fn the_same_report_twice_changes_nothing() {
        let first = merge(&delivery(Some("sent"), 100), &report("delivered", 105)).unwrap();
        assert_eq!(merge(&first, &report("delivered", 105)), None);
    }

    #[test]
    fn an_older_report_never_overwrites_a_newer_status() {
        let read = delivery(Some("read"), 110);
        assert_eq!(merge(&read, &report("delivered", 105)), None);
        assert_eq!(merge(&read, &report("sent", 100)), None);
        // A later timestamp does not undo progress either.
        assert_eq!(merge(&read, &report("delivered", 120)), None);
        // An earlier timestamp does not move forward.
        assert_eq!(
            merge(&delivery(Some("sent"), 110), &report("read", 100)),
            None
        );
    }

    #[test]
    fn expired_and_revoked_are_final_but_a_refund_still_lands() {
        let expired = delivery(Some("expired"), 400);
        assert_eq!(merge(&expired, &report("read", 500)), None);
        assert_eq!(
            merge(&delivery(Some("revoked"), 400), &report("expired", 500)),
            None
        );
        let mut refunded = report("expired", 400);
        refunded.is_refunded = Some(true);
        let next = merge(&expired, &refunded).unwrap();
        assert!(next.is_refunded);
        assert_eq!(next.status, Some(DeliveryState::Expired));
    }

    #[test]
    fn a_refund_is_never_taken_back() {
        let mut refunded = delivery(Some("expired"), 400);
        refunded.is_refunded = true;
        assert_eq!(merge(&refunded, &report("expired", 400)), None);
    }

    #[test]
    fn unknown_statuses_never_replace_known_ones() {
        assert_eq!(
            merge(&delivery(Some("sent"), 100), &report("teleported", 200)),
            None
        );
        assert_eq!(
            status_after(&delivery(None, 0), &report("teleported", 200)).as_deref(),
            Some("teleported")
        );
    }

    #[test]
    fn a_report_without_delivery_status_only_fills_in_the_cost() {
        let bare = Report {
            request_id: "r1".into(),
            request_cost: Some(0.01),
            is_refunded: None,
            delivery_status: None,
            phone_number: None,
            payload: None,
        };
        assert_eq!(merge(&delivery(Some("sent"), 100), &bare), None);
        let mut unpriced = delivery(Some("sent"), 100);
        unpriced.request_cost = None;
        assert_eq!(merge(&unpriced, &bare).unwrap().request_cost, Some(0.01));
    }

    #[test]
    fn only_a_live_message_for_the_same_verification_brings_a_precheck_back() {
        let mut sent = report("sent", 100);
        assert!(shows_a_message(&sent, 7));
        sent.payload = Some("7".into());
        assert!(shows_a_message(&sent, 7));
        assert!(!shows_a_message(&sent, 8), "another verification's payload");
        assert!(!shows_a_message(&report("revoked", 100), 7));
        assert!(!shows_a_message(&report("expired", 100), 7));
        sent.delivery_status = None;
        assert!(!shows_a_message(&sent, 7), "a pre-check alone sent nothing");
    }

    #[test]
    fn reports_parse_leniently() {
        let report: Report = serde_json::from_str(r#"{"request_id":"abc"}"#).unwrap();
        assert_eq!(report.request_id, "abc");
        assert!(serde_json::from_str::<Report>(r#"{"status":"read"}"#).is_err());
        assert!(serde_json::from_str::<Report>("not json").is_err());
    }
}
