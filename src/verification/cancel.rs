//! Cancelling: `/cancel` or a Cancel button closes a verification, and the Gateway is asked to
//! revoke its code (also for codes cancelled elsewhere, and for the code a resend replaces).

use super::{Actor, Verifier, error_label};
use crate::gateway::GatewayError;
use crate::now;
use crate::store::{StoreError, Verification};

/// What `/cancel` (or a Cancel button) led to.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // one short-lived value per command, never stored
pub enum CancelOutcome {
    NothingOpen,
    /// Several verifications are open: staff must say which.
    Ambiguous(Vec<Verification>),
    /// Closed; `revoke_error` says why the Gateway could not be asked to delete the message.
    Cancelled {
        verification: Verification,
        revoke_error: Option<GatewayError>,
    },
    /// The button names a verification the presser may not cancel: nothing was done.
    NotAllowed,
}

impl Verifier {
    /// Cancels the staff member's open verification in a chat (asks which if there are several).
    pub async fn cancel(&self, actor: &Actor) -> Result<CancelOutcome, StoreError> {
        let mut open = self.open(actor.chat_id, actor.user_id).await?;
        match open.len() {
            0 => Ok(CancelOutcome::NothingOpen),
            1 => self.cancel_open(open.remove(0), actor.user_id).await,
            _ => Ok(CancelOutcome::Ambiguous(open)),
        }
    }

    /// Cancels a verification by id (a Cancel button): its owner, or an admin, from its chat.
    /// Nothing happens if it is not open.
    pub async fn cancel_by_id(&self, id: i64, actor: &Actor) -> Result<CancelOutcome, StoreError> {
        match self
            .authorised(id, actor, "cancel", Actor::may_cancel)
            .await?
        {
            None => Ok(CancelOutcome::NotAllowed),
            Some(open) if open.status.is_open() => self.cancel_open(open, actor.user_id).await,
            Some(_) => Ok(CancelOutcome::NothingOpen),
        }
    }

    /// Revokes the codes of verifications that were cancelled elsewhere (their owner lost
    /// access), on behalf of `actor`. Returns how many the Gateway took back.
    pub async fn revoke_cancelled(
        &self,
        cancelled: &[Verification],
        actor: i64,
    ) -> Result<usize, StoreError> {
        let mut revoked = 0;
        for v in cancelled {
            if v.request_id.is_some() && self.revoke(v, actor).await?.is_none() {
                revoked += 1;
            }
        }
        Ok(revoked)
    }

    /// Closes the verification, then asks the Gateway to revoke the message whatever it says.
    async fn cancel_open(
        &self,
        open: Verification,
        actor: i64,
    ) -> Result<CancelOutcome, StoreError> {
        if !self.store.cancel(open.id, actor, None, now()).await? {
            return Ok(CancelOutcome::NothingOpen);
        }
        let revoke_error = self.revoke(&open, actor).await?;
        tracing::info!(
            verification = open.id,
            revoked = revoke_error.is_none(),
            "cancelled"
        );
        Ok(CancelOutcome::Cancelled {
            verification: open,
            revoke_error,
        })
    }

    pub(super) async fn revoke(
        &self,
        verification: &Verification,
        actor: i64,
    ) -> Result<Option<GatewayError>, StoreError> {
        let Some(request_id) = &verification.request_id else {
            return Ok(None);
        };
        let error = self
            .gateway
            .revoke_verification_message(request_id)
            .await
            .err();
        let outcome = error
            .as_ref()
            .map(error_label)
            .unwrap_or_else(|| "ok".into());
        self.store
            .record_revoke(verification.id, actor, &outcome, now())
            .await?;
        Ok(error)
    }
}
