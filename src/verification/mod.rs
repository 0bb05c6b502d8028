//! The verification flow: send a code, check what staff type, resend, cancel. Free of Telegram
//! types: the bot turns these outcomes into replies.
//!
//! Money rules live here and in the store. One open verification per phone, and
//! every limit, are checked in the transaction that reserves a send, so a double tap, a retry
//! or two staff at once cost one code. Input that is not a code of the right length never
//! reaches the Gateway, so it neither costs nor burns an attempt. A send whose answer was lost
//! counts as paid, and every id a client names is authorised against who sent it, from where
//! ([`Actor`]).
//!
//! One file per job, each adding its part to [`Verifier`]: [`send`] (send, resend, and the
//! sends a dead process abandoned), [`check`] (the code staff type), [`cancel`] (and revoking
//! codes), [`alerts`] (what every admin is told once). This file holds what they share: the
//! [`Policy`], the [`Verifier`] itself and who may touch what ([`Actor`]).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::gateway::{GatewayClient, GatewayError};
use crate::now;
use crate::store::{Limits, Status, Store, StoreError, Verification};

mod alerts;
mod cancel;
mod check;
mod send;

pub use alerts::AdminAlert;
pub use cancel::CancelOutcome;
pub use check::CheckOutcome;
pub use send::{ABANDON_MARGIN, Answer, SendOutcome};

/// How codes are sent and what they may cost, built whole by the configuration.
#[derive(Debug, Clone)]
pub struct Policy {
    /// `CODE_LENGTH`: digits in a code.
    pub code_length: u8,
    /// `CODE_TTL`: seconds a code stays valid (and the Gateway's refund window).
    pub ttl: u32,
    /// `GATEWAY_TIMEOUT`: the longest one Gateway call may take.
    pub gateway_timeout: Duration,
    /// What sends may cost.
    pub limits: Limits,
    /// `PRECHECK`: ask `checkSendAbility` first and send with its `request_id`.
    pub precheck: bool,
    /// `LOW_BALANCE`: admins are told once when the Gateway balance drops below this (USD).
    pub low_balance: f64,
    /// `SENDER_USERNAME`: the channel every code is sent from (without the `@`), if any.
    pub sender_username: Option<String>,
}

/// Sends and checks codes. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Verifier {
    store: Store,
    gateway: GatewayClient,
    policy: Arc<Policy>,
    alerts: mpsc::UnboundedSender<AdminAlert>,
}

/// Who asks for something, and from where: every id a client sends (a button's, one typed after
/// a command) is authorised against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user_id: i64,
    /// The chat the press or the message came from.
    pub chat_id: i64,
    pub admin: bool,
}

impl Actor {
    /// Resend, check: only the owner, from the chat the verification belongs to.
    pub fn may_use(&self, v: &Verification) -> bool {
        self.started(v.staff_user_id, v.chat_id)
    }

    /// Whether the actor is the person who started something (a verification, a question asked
    /// before a send) and acts from the chat it was started in: the rule for everything a
    /// button or a typed id names.
    pub fn started(&self, staff_user_id: i64, chat_id: i64) -> bool {
        staff_user_id == self.user_id && chat_id == self.chat_id
    }

    /// Writes a refused attempt to the audit log (`detail` names what was tried on what) and
    /// logs it. Nothing is revealed to the actor beyond the refusal itself.
    pub async fn refused(
        &self,
        store: &Store,
        action: &str,
        detail: &str,
        known: Option<i64>,
    ) -> Result<(), StoreError> {
        store
            .record_refused(self.user_id, detail, known, now())
            .await?;
        tracing::warn!(
            user = self.user_id,
            chat = self.chat_id,
            action,
            detail,
            "refused: not theirs to touch"
        );
        Ok(())
    }

    /// Cancel: the owner, or an admin, from the chat the verification belongs to.
    pub fn may_cancel(&self, v: &Verification) -> bool {
        self.may_use(v) || (self.admin && v.chat_id == self.chat_id)
    }
}

impl Verifier {
    /// `alerts` receives what every admin should be told.
    pub fn new(
        store: Store,
        gateway: GatewayClient,
        policy: Policy,
        alerts: mpsc::UnboundedSender<AdminAlert>,
    ) -> Self {
        Verifier {
            store,
            gateway,
            policy: Arc::new(policy),
            alerts,
        }
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn code_length(&self) -> u8 {
        self.policy.code_length
    }

    pub fn ttl(&self) -> u32 {
        self.policy.ttl
    }

    /// The verification `id` if `actor` may use it (its owner, from its chat), for `action`;
    /// otherwise the attempt is audited as refused and `None`.
    pub async fn authorised_use(
        &self,
        id: i64,
        actor: &Actor,
        action: &str,
    ) -> Result<Option<Verification>, StoreError> {
        self.authorised(id, actor, action, Actor::may_use).await
    }

    /// The verification `id` if `allowed` lets `actor` touch it; otherwise (or when there is no
    /// such verification) the attempt is written to the audit log as refused and `None`.
    async fn authorised(
        &self,
        id: i64,
        actor: &Actor,
        action: &str,
        allowed: fn(&Actor, &Verification) -> bool,
    ) -> Result<Option<Verification>, StoreError> {
        match self.store.verification(id).await? {
            Some(v) if allowed(actor, &v) => Ok(Some(v)),
            found => {
                let known = found.map(|v| v.id);
                let detail = format!("{action} verification {id}");
                actor.refused(&self.store, action, &detail, known).await?;
                Ok(None)
            }
        }
    }

    /// Closes the verifications whose code has outlived its `ttl`; returns (live, expired).
    async fn drop_overdue(
        &self,
        verifications: Vec<Verification>,
    ) -> Result<(Vec<Verification>, Vec<Verification>), StoreError> {
        let now = now();
        let (expired, live): (Vec<_>, Vec<_>) =
            verifications.into_iter().partition(|v| v.is_overdue(now));
        for v in &expired {
            self.store
                .close(v.id, Status::Pending, Status::Expired, None, now)
                .await?;
        }
        Ok((live, expired))
    }

    /// A staff member's open verifications in a chat whose code is still valid (overdue ones
    /// are closed).
    pub async fn open(
        &self,
        chat_id: i64,
        staff_user_id: i64,
    ) -> Result<Vec<Verification>, StoreError> {
        let open = self.store.open_for(chat_id, staff_user_id).await?;
        Ok(self.drop_overdue(open).await?.0)
    }
}

/// How a failed Gateway call is remembered in the database (see `store::MAYBE_CHARGED`).
fn error_label(error: &GatewayError) -> String {
    match error {
        GatewayError::Api(api) => api.as_string(),
        GatewayError::Timeout(_) => "timeout".into(),
        GatewayError::Transport(_) => "transport".into(),
        GatewayError::BadResponse { status } => format!("http_{status}"),
    }
}
