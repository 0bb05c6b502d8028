//! Sending a code: `/verify`, the answer to a question asked first, a resend; what a send whose
//! answer was lost costs; and closing the sends a dead process abandoned.

use std::time::Duration;

use super::{Actor, AdminAlert, Verifier, error_label};
use crate::gateway::{ApiError, GatewayError, SendVerificationMessage};
use crate::now;
use crate::phone::PhoneNumber;
use crate::store::{
    NewVerification, Question, Refusal, Reservation, SenderProblem, Status, StoreError,
    Verification,
};

/// How long after its Gateway call started a send still `sending` is given up as abandoned,
/// beyond `GATEWAY_TIMEOUT`: the database writes around the call.
pub const ABANDON_MARGIN: Duration = Duration::from_secs(2);

/// What `/verify` (or a Resend button) led to.
#[derive(Debug)]
pub enum SendOutcome {
    /// The code is on its way; the verification is stored and open.
    Sent(Verification),
    /// The phone already has an open verification (this staff member's or a colleague's):
    /// nothing was sent. `staff_name`: the colleague's stored name, when it is theirs.
    AlreadyOpen {
        open: Verification,
        staff_name: Option<String>,
    },
    /// A limit refused the send: nothing was sent.
    Refused(Refusal),
    /// The verification to resend is no longer open: nothing was sent.
    NoLongerOpen,
    /// The Gateway refused: nothing was sent, nothing is open.
    Failed(GatewayError),
    /// The Gateway refused to send from the configured channel (`SENDER_USERNAME`): nothing
    /// was sent or charged (but a paid pre-check, when `prechecked`), nothing is open, and the
    /// admins have been told (once per problem, not per send).
    SenderRefused {
        problem: SenderProblem,
        /// The configured channel, without the `@`.
        sender: String,
        /// `PRECHECK` is on: the `checkSendAbility` before the send was paid for.
        prechecked: bool,
    },
    /// The answer was lost (a timeout, a dropped connection, an error page, a database error
    /// after the call): a code may have been sent and is counted as paid. Nothing is open; the
    /// next send to the number is possible from `retry_at` (Unix seconds).
    /// `error` is the Gateway's failure, if that is what lost the answer.
    Unknown {
        error: Option<GatewayError>,
        retry_at: i64,
    },
    /// The button names a verification the presser may not touch: nothing was sent.
    NotAllowed,
    /// The question the button answers was answered already, or has expired: nothing was sent.
    QuestionClosed,
}

impl SendOutcome {
    /// A paid send was refused (today's budget, the Gateway balance, the sender channel): the
    /// customer at the counter can still be checked for free, by QR code.
    pub fn free_check_helps(&self) -> bool {
        matches!(
            self,
            SendOutcome::Refused(Refusal::Budget { .. })
                | SendOutcome::Failed(GatewayError::Api(ApiError::BalanceNotEnough))
                | SendOutcome::SenderRefused { .. }
        )
    }
}

/// A send that answers a question the bot asked first ([`Store::ask`]).
#[derive(Debug, Clone, Copy)]
pub struct Answer {
    pub question: i64,
    /// The staff member confirmed the customer agreed to receive a code.
    pub consent: bool,
}

impl Verifier {
    /// Sends a code to `phone` for a staff member in a chat.
    pub async fn send(
        &self,
        chat_id: i64,
        staff_user_id: i64,
        phone: &PhoneNumber,
    ) -> Result<SendOutcome, StoreError> {
        self.reserve_and_send(chat_id, staff_user_id, phone, None, None)
            .await
    }

    /// Sends a code as the answer to a question the bot asked (its "Yes, send" or "Send a new
    /// code anyway" button). The question is answered in the transaction that reserves the
    /// send, so a double tap sends once; any limit refusing leaves it open.
    pub async fn send_answer(
        &self,
        question: &Question,
        answer: Answer,
    ) -> Result<SendOutcome, StoreError> {
        let (chat, staff) = (question.chat_id, question.staff_user_id);
        self.reserve_and_send(chat, staff, &question.phone, None, Some(answer))
            .await
    }

    /// Replaces an open verification by a new code to the same phone: the old request is
    /// revoked, the limits and the cooldown apply as to any send. Only its owner may, from its
    /// chat; anyone else is refused (and the refusal audited) without learning anything.
    pub async fn resend(&self, id: i64, actor: &Actor) -> Result<SendOutcome, StoreError> {
        let old = match self.authorised(id, actor, "resend", Actor::may_use).await? {
            None => return Ok(SendOutcome::NotAllowed),
            Some(old) if old.status.is_open() && !old.is_overdue(now()) => old,
            Some(_) => return Ok(SendOutcome::NoLongerOpen),
        };
        let phone = old.phone.clone();
        self.reserve_and_send(old.chat_id, actor.user_id, &phone, Some(&old), None)
            .await
    }

    async fn reserve_and_send(
        &self,
        chat_id: i64,
        staff_user_id: i64,
        phone: &PhoneNumber,
        replaces: Option<&Verification>,
        answer: Option<Answer>,
    ) -> Result<SendOutcome, StoreError> {
        let new = NewVerification {
            chat_id,
            staff_user_id,
            phone,
            code_length: self.policy.code_length,
            ttl: self.policy.ttl,
            replaces: replaces.map(|old| old.id),
            question: answer.map(|a| a.question),
            consent_by: answer.filter(|a| a.consent).map(|_| staff_user_id),
        };
        let started = now();
        let id = match self
            .store
            .reserve(&new, &self.policy.limits, started)
            .await?
        {
            Reservation::Reserved(id) => id,
            Reservation::AlreadyOpen(open) => {
                let staff_name = match open.staff_user_id == staff_user_id {
                    true => None,
                    false => self.store.staff_name(open.staff_user_id).await?,
                };
                return Ok(SendOutcome::AlreadyOpen { open, staff_name });
            }
            Reservation::NoLongerOpen => return Ok(SendOutcome::NoLongerOpen),
            Reservation::QuestionClosed => return Ok(SendOutcome::QuestionClosed),
            Reservation::Refused(refusal) => {
                tracing::info!(staff = staff_user_id, phone = %phone.masked(), limit = refusal.label(), "send refused");
                return Ok(SendOutcome::Refused(refusal));
            }
        };
        let outcome = match self.deliver(id, staff_user_id, phone).await {
            Delivered::Sent(verification) => {
                tracing::info!(
                    verification = id,
                    staff = staff_user_id,
                    phone = %phone.masked(),
                    cost = verification.request_cost,
                    "code sent"
                );
                SendOutcome::Sent(verification)
            }
            Delivered::Refused(error) => {
                tracing::warn!(verification = id, phone = %phone.masked(), "send failed: {error}");
                if error == GatewayError::Api(ApiError::BalanceNotEnough) {
                    let alert = self.store.observe_balance_empty(now()).await?;
                    self.alert(alert.map(AdminAlert::Balance));
                }
                match self.sender_problem(&error) {
                    Some((problem, sender)) => {
                        let alert = self.store.observe_sender_problem(problem, &sender, now());
                        self.alert(alert.await?.map(AdminAlert::Sender));
                        SendOutcome::SenderRefused {
                            problem,
                            sender,
                            prechecked: self.policy.precheck,
                        }
                    }
                    None => SendOutcome::Failed(error),
                }
            }
            Delivered::Unknown(error) => {
                tracing::warn!(
                    verification = id,
                    phone = %phone.masked(),
                    "a code may have been sent, and is counted as paid: {error:?}"
                );
                SendOutcome::Unknown {
                    error,
                    retry_at: started + self.policy.limits.resend_cooldown,
                }
            }
        };
        // The old code is revoked once the new one is out (the old row was closed when the new
        // one was reserved), so the new send's clock starts with its own Gateway call.
        if let Some(old) = replaces {
            self.revoke(old, staff_user_id).await?;
        }
        Ok(outcome)
    }

    /// The problem with the configured channel that `error` names, and the channel; `None` for
    /// any other error, or without `SENDER_USERNAME`.
    fn sender_problem(&self, error: &GatewayError) -> Option<(SenderProblem, String)> {
        let GatewayError::Api(api) = error else {
            return None;
        };
        let problem = SenderProblem::of(api)?;
        Some((problem, self.policy.sender_username.clone()?))
    }

    /// Pre-checks (if configured) and sends a reserved verification, and stores what the
    /// Gateway says. Never leaves the row `sending` when it can write: a refused send is closed
    /// as failed, a lost answer as failed and possibly charged. (When the database cannot be
    /// written at all, [`Verifier::sweep`] closes the row once it is abandoned.)
    async fn deliver(&self, id: i64, staff: i64, phone: &PhoneNumber) -> Delivered {
        match self.try_deliver(id, staff, phone).await {
            Ok(Ok(verification)) => Delivered::Sent(verification),
            Ok(Err(Lost::Gateway(error))) if !may_have_charged(&error) => {
                let label = error_label(&error);
                if let Err(err) = self.give_up(id, &label).await {
                    tracing::error!(verification = id, "cannot close a refused send: {err}");
                }
                Delivered::Refused(error)
            }
            Ok(Err(lost)) => {
                if let Err(err) = self.give_up(id, &lost.label()).await {
                    tracing::error!(verification = id, "cannot close a lost send: {err}");
                }
                Delivered::Unknown(match lost {
                    Lost::Gateway(error) => Some(error),
                    Lost::Abandoned => None,
                })
            }
            Err(err) => {
                tracing::error!(
                    verification = id,
                    "the database failed around a send, which may have been paid: {err}"
                );
                if let Err(err) = self.give_up(id, "unrecorded").await {
                    tracing::error!(verification = id, "cannot close a lost send: {err}");
                }
                Delivered::Unknown(None)
            }
        }
    }

    /// Closes a send that is still `sending` as failed, for `reason`.
    async fn give_up(&self, id: i64, reason: &str) -> Result<bool, StoreError> {
        self.store
            .close(id, Status::Sending, Status::Failed, Some(reason), now())
            .await
    }

    async fn try_deliver(
        &self,
        id: i64,
        staff: i64,
        phone: &PhoneNumber,
    ) -> Result<Result<Verification, Lost>, StoreError> {
        let mut request = SendVerificationMessage {
            phone_number: phone.e164().to_owned(),
            code_length: Some(self.policy.code_length),
            ttl: Some(self.policy.ttl),
            payload: Some(id.to_string()),
            sender_username: self.policy.sender_username.clone(),
            ..Default::default()
        };
        if self.policy.precheck {
            match self.gateway.check_send_ability(phone.e164()).await {
                Ok(able) => {
                    if !self.store.record_precheck(id, staff, &able, now()).await? {
                        return Ok(Err(Lost::Abandoned));
                    }
                    self.observe_balance(&able).await?;
                    request.request_id = Some(able.request_id);
                }
                Err(error) => return Ok(Err(Lost::Gateway(error))),
            }
        }
        let sent = match self.gateway.send_verification_message(&request).await {
            Ok(sent) => sent,
            Err(error) => return Ok(Err(Lost::Gateway(error))),
        };
        let Some(verification) = self.store.mark_sent(id, &sent, now()).await? else {
            // Given up as abandoned meanwhile, and the number is taken again: keep the cost, and
            // revoke the code nobody can check.
            self.store.record_unattached_send(id, &sent, now()).await?;
            let error = self
                .gateway
                .revoke_verification_message(&sent.request_id)
                .await
                .err();
            let outcome = error.as_ref().map_or_else(|| "ok".into(), error_label);
            self.store.record_revoke(id, staff, &outcome, now()).await?;
            return Ok(Err(Lost::Abandoned));
        };
        self.observe_balance(&sent).await?;
        Ok(Ok(verification))
    }

    /// Closes the sends that their process abandoned (it died, or lost its database, with the
    /// Gateway call in flight): still `sending` longer after their call started than any call
    /// may take. They count as paid. Safe with several processes on one database: a live send
    /// is never that old. Returns them, for their staff to be told.
    pub async fn sweep(&self) -> Result<Vec<Verification>, StoreError> {
        let patience = self.policy.gateway_timeout + ABANDON_MARGIN;
        let started_before = now() - patience.as_secs_f64().ceil() as i64;
        self.store.fail_abandoned_sends(started_before, now()).await
    }

    /// Remembers the bot message that announced a verification; returns whether the
    /// verification is still open (see [`crate::store::Store::set_message_id`]).
    pub async fn remember_message(&self, id: i64, message_id: i32) -> Result<bool, StoreError> {
        self.store.set_message_id(id, message_id).await
    }

    /// `/reset`: earlier sends to `phone` no longer count against its limits.
    pub async fn reset_phone(&self, phone: &PhoneNumber, admin: i64) -> Result<(), StoreError> {
        self.store.reset_phone(phone, admin, now()).await?;
        tracing::info!(admin, phone = %phone.masked(), "phone send counter reset");
        Ok(())
    }
}

/// What became of a reserved send.
#[allow(clippy::large_enum_variant)] // one short-lived value per update, never stored
enum Delivered {
    Sent(Verification),
    /// The Gateway said no: nothing was charged.
    Refused(GatewayError),
    /// The answer was lost, by the Gateway's failure if any.
    Unknown(Option<GatewayError>),
}

/// Why a send has no answer to store.
enum Lost {
    Gateway(GatewayError),
    /// The row was given up as abandoned while the call was in flight.
    Abandoned,
}

impl Lost {
    fn label(&self) -> String {
        match self {
            Lost::Gateway(error) => error_label(error),
            Lost::Abandoned => "interrupted".into(),
        }
    }
}

/// Whether a failed call may still have been carried out (and charged): the Gateway's answer
/// never arrived, or was not its JSON. An `{"ok": false}` answer charged nothing.
fn may_have_charged(error: &GatewayError) -> bool {
    !matches!(error, GatewayError::Api(_))
}
