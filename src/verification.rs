//! The verification flow: send a code, check what staff type, resend, cancel. Free of Telegram
//! types: the bot turns these outcomes into replies.
//!
//! Money rules live here and in the store. One open verification per phone, and
//! every limit, are checked in the transaction that reserves a send, so a double tap, a retry
//! or two staff at once cost one code. Input that is not a code of the right length never
//! reaches the Gateway, so it neither costs nor burns an attempt. A send whose answer was lost
//! counts as paid, and every id a client names is authorised against who sent it, from where
//! ([`Actor`]).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use crate::code::{Code, CodeError};
use crate::gateway::{
    ApiError, GatewayClient, GatewayError, RequestStatus, SendVerificationMessage,
    VerificationState,
};
use crate::now;
use crate::phone::PhoneNumber;
use crate::store::{
    BalanceAlert, Limits, NewVerification, Question, Refusal, Reservation, SenderAlert,
    SenderProblem, Status, Store, StoreError, Verification,
};

/// How long after its Gateway call started a send still `sending` is given up as abandoned,
/// beyond `GATEWAY_TIMEOUT`: the database writes around the call.
pub const ABANDON_MARGIN: Duration = Duration::from_secs(2);

/// How codes are sent and what they may cost.
#[derive(Debug, Clone)]
pub struct Policy {
    pub code_length: u8,
    pub ttl: u32,
    /// `GATEWAY_TIMEOUT`: the longest one Gateway call may take.
    pub gateway_timeout: Duration,
    pub limits: Limits,
    /// Ask `checkSendAbility` first and send with its `request_id`.
    pub precheck: bool,
    /// Admins are told once when the Gateway balance drops below this.
    pub low_balance: f64,
    /// `SENDER_USERNAME`: the channel every code is sent from (without the `@`), if any.
    pub sender_username: Option<String>,
}

/// Something every admin hears about once, from whichever process meets it first: the
/// database remembers that they were told.
#[derive(Debug, Clone, PartialEq)]
pub enum AdminAlert {
    /// The Gateway balance is low or used up.
    Balance(BalanceAlert),
    /// The Gateway refused to send from the configured channel.
    Sender(SenderAlert),
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

/// What `/verify` (or a Resend button) led to.
#[derive(Debug)]
pub enum SendOutcome {
    /// The code is on its way; the verification is stored and open.
    Sent(Verification),
    /// The phone already has an open verification (this staff member's or a colleague's):
    /// nothing was sent.
    AlreadyOpen(Verification),
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

/// A send that answers a question the bot asked first ([`Store::ask`]).
#[derive(Debug, Clone, Copy)]
pub struct Answer {
    pub question: i64,
    /// The staff member confirmed the customer agreed to receive a code.
    pub consent: bool,
}

/// What a message typed in a chat led to.
#[derive(Debug)]
pub enum CheckOutcome {
    /// The staff member has no open verification in the chat (the message may or may not look
    /// like a code).
    NothingOpen { looks_like_code: bool },
    /// Verifications are open but the message is not a code.
    NotACode(Vec<Verification>),
    /// The message replies to a colleague's verification: not checked.
    NotYours(Verification),
    /// The message replies to a verification that is closed: not checked.
    Closed(Verification),
    /// A code, but several verifications are open: staff must say which.
    Ambiguous {
        open: Vec<Verification>,
        code: String,
    },
    /// Digits, but not as many as the code has: checked locally, no attempt used.
    WrongLength { open: Verification, got: usize },
    /// The send is still in flight.
    StillSending(Verification),
    /// ✅ The code is right; the verification is closed.
    Valid(Verification),
    /// ❌ Wrong code; the verification stays open.
    Invalid(Verification),
    /// ⛔ Too many wrong codes; closed.
    MaxAttempts(Verification),
    /// ⌛ The code expired; closed.
    Expired(Verification),
    /// The Gateway no longer knows the request; closed.
    Lost(Verification),
    /// The check could not be made (timeout, flood wait, …); the verification stays open.
    Unavailable {
        open: Verification,
        error: GatewayError,
    },
    /// The Gateway answered with a verdict we do not know; the verification stays open.
    Unrecognised { open: Verification, verdict: String },
    /// The button names a verification the presser may not check: nothing was checked.
    NotAllowed,
}

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
            phone: phone.e164(),
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
            Reservation::AlreadyOpen(open) => return Ok(SendOutcome::AlreadyOpen(open)),
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

    async fn observe_balance(&self, status: &RequestStatus) -> Result<(), StoreError> {
        if let Some(remaining) = status.remaining_balance {
            let alert = self
                .store
                .observe_balance(remaining, self.policy.low_balance, now())
                .await?;
            self.alert(alert.map(AdminAlert::Balance));
        }
        Ok(())
    }

    fn alert(&self, alert: Option<AdminAlert>) {
        if let Some(alert) = alert {
            tracing::warn!(?alert, "telling the admins");
            let _ = self.alerts.send(alert);
        }
    }

    /// Remembers the bot message that announced a verification.
    pub async fn remember_message(&self, id: i64, message_id: i32) -> Result<(), StoreError> {
        self.store.set_message_id(id, message_id).await
    }

    /// Treats a message typed by a staff member in a chat as a code. A reply to the bot's "code
    /// sent" message checks that verification; otherwise the staff member's only open
    /// verification in the chat; with several, staff are asked which.
    pub async fn check(
        &self,
        chat_id: i64,
        staff_user_id: i64,
        text: &str,
        reply_to: Option<i32>,
    ) -> Result<CheckOutcome, StoreError> {
        let replied = match reply_to {
            Some(message_id) => self.store.by_message(chat_id, message_id).await?,
            None => None,
        };
        let candidates = match replied {
            Some(v) if v.staff_user_id != staff_user_id => return Ok(CheckOutcome::NotYours(v)),
            Some(v) if !v.status.is_open() => return Ok(CheckOutcome::Closed(v)),
            Some(v) => vec![v],
            None => self.store.open_for(chat_id, staff_user_id).await?,
        };
        let looks_like_code =
            Code::parse(text, self.policy.code_length as usize) != Err(CodeError::NotACode);
        let (mut live, expired) = self.drop_overdue(candidates).await?;
        match live.len() {
            0 => Ok(match expired.into_iter().last() {
                Some(v) if looks_like_code => CheckOutcome::Expired(v),
                _ => CheckOutcome::NothingOpen { looks_like_code },
            }),
            1 => self.check_one(live.remove(0), text).await,
            _ => Ok(match Code::parse(text, live[0].code_length) {
                Ok(code) => CheckOutcome::Ambiguous {
                    open: live,
                    code: code.as_str().to_owned(),
                },
                Err(CodeError::NotACode) => CheckOutcome::NotACode(live),
                Err(CodeError::WrongLength { got, .. }) => CheckOutcome::WrongLength {
                    open: live.remove(0),
                    got,
                },
            }),
        }
    }

    /// Checks a code against one verification chosen by id (the "which one?" buttons): only
    /// its owner may, from its chat.
    pub async fn check_id(
        &self,
        id: i64,
        actor: &Actor,
        code: &str,
    ) -> Result<CheckOutcome, StoreError> {
        match self.authorised(id, actor, "check", Actor::may_use).await? {
            None => Ok(CheckOutcome::NotAllowed),
            Some(v) if !v.status.is_open() => Ok(CheckOutcome::Closed(v)),
            Some(v) => {
                let (mut live, mut expired) = self.drop_overdue(vec![v]).await?;
                match live.pop() {
                    Some(open) => self.check_one(open, code).await,
                    None => Ok(CheckOutcome::Expired(expired.remove(0))),
                }
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

    async fn check_one(&self, open: Verification, text: &str) -> Result<CheckOutcome, StoreError> {
        // The length that counts is the one the code was sent with, even if CODE_LENGTH changed.
        let code = match Code::parse(text, open.code_length) {
            Ok(code) => code,
            Err(CodeError::NotACode) => return Ok(CheckOutcome::NotACode(vec![open])),
            Err(CodeError::WrongLength { got, .. }) => {
                return Ok(CheckOutcome::WrongLength { open, got });
            }
        };
        let request_id = match (&open.status, &open.request_id) {
            (Status::Pending, Some(request_id)) => request_id.clone(),
            _ => return Ok(CheckOutcome::StillSending(open)),
        };
        let chat_id = open.chat_id;
        let answer = self
            .gateway
            .check_verification_status(&request_id, Some(code.as_str()))
            .await;
        let outcome = match answer {
            Ok(answer) => self.record_verdict(open, &answer).await?,
            Err(GatewayError::Api(ApiError::CodeExpired)) => {
                self.close(open, Status::Expired, None).await?
            }
            Err(GatewayError::Api(ApiError::CodeMaxAttemptsExceeded)) => {
                self.close(open, Status::MaxAttempts, None).await?
            }
            Err(GatewayError::Api(ApiError::RequestIdInvalid)) => {
                self.close(open, Status::Failed, Some("REQUEST_ID_INVALID"))
                    .await?
            }
            Err(error) => CheckOutcome::Unavailable { open, error },
        };
        tracing::info!(chat = chat_id, outcome = outcome.label(), "code checked");
        Ok(outcome)
    }

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

    async fn revoke(
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

    /// `/reset`: earlier sends to `phone` no longer count against its limits.
    pub async fn reset_phone(&self, phone: &PhoneNumber, admin: i64) -> Result<(), StoreError> {
        self.store.reset_phone(phone.e164(), admin, now()).await?;
        tracing::info!(admin, phone = %phone.masked(), "phone send counter reset");
        Ok(())
    }

    async fn record_verdict(
        &self,
        open: Verification,
        answer: &RequestStatus,
    ) -> Result<CheckOutcome, StoreError> {
        let verdict = answer.verification_status.as_ref().map(|v| &v.status);
        let status = match verdict {
            Some(VerificationState::CodeValid) => Status::Verified,
            Some(VerificationState::CodeMaxAttemptsExceeded) => Status::MaxAttempts,
            Some(VerificationState::Expired) => Status::Expired,
            _ => Status::Pending,
        };
        if !self
            .store
            .record_check(open.id, answer, status, now())
            .await?
        {
            // Closed meanwhile (cancelled by an admin, or its owner removed).
            return Ok(CheckOutcome::Closed(open));
        }
        let mut checked = open;
        checked.attempts += 1;
        checked.status = status;
        Ok(match verdict {
            Some(VerificationState::CodeValid) => CheckOutcome::Valid(checked),
            Some(VerificationState::CodeInvalid) => CheckOutcome::Invalid(checked),
            Some(VerificationState::CodeMaxAttemptsExceeded) => CheckOutcome::MaxAttempts(checked),
            Some(VerificationState::Expired) => CheckOutcome::Expired(checked),
            Some(VerificationState::Unknown(verdict)) => CheckOutcome::Unrecognised {
                open: checked,
                verdict: verdict.clone(),
            },
            None => CheckOutcome::Unrecognised {
                open: checked,
                verdict: "none".into(),
            },
        })
    }

    async fn close(
        &self,
        open: Verification,
        status: Status,
        error: Option<&str>,
    ) -> Result<CheckOutcome, StoreError> {
        self.store
            .close(open.id, Status::Pending, status, error, now())
            .await?;
        let mut closed = open;
        closed.status = status;
        Ok(match status {
            Status::Expired => CheckOutcome::Expired(closed),
            Status::MaxAttempts => CheckOutcome::MaxAttempts(closed),
            _ => CheckOutcome::Lost(closed),
        })
    }
}

impl CheckOutcome {
    /// A short name for logs.
    pub fn label(&self) -> &'static str {
        match self {
            CheckOutcome::NothingOpen { .. } => "nothing_open",
            CheckOutcome::NotACode(_) => "not_a_code",
            CheckOutcome::NotYours(_) => "not_yours",
            CheckOutcome::Closed(_) => "closed",
            CheckOutcome::Ambiguous { .. } => "ambiguous",
            CheckOutcome::WrongLength { .. } => "wrong_length",
            CheckOutcome::StillSending(_) => "still_sending",
            CheckOutcome::Valid(_) => "code_valid",
            CheckOutcome::Invalid(_) => "code_invalid",
            CheckOutcome::MaxAttempts(_) => "code_max_attempts_exceeded",
            CheckOutcome::Expired(_) => "expired",
            CheckOutcome::Lost(_) => "lost",
            CheckOutcome::Unavailable { .. } => "gateway_unavailable",
            CheckOutcome::Unrecognised { .. } => "unrecognised",
            CheckOutcome::NotAllowed => "not_allowed",
        }
    }

    /// The verification this outcome closed, if it closed one.
    pub fn closed(&self) -> Option<&Verification> {
        match self {
            CheckOutcome::Valid(v)
            | CheckOutcome::MaxAttempts(v)
            | CheckOutcome::Expired(v)
            | CheckOutcome::Lost(v) => Some(v),
            _ => None,
        }
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

/// How a failed Gateway call is remembered in the database (see `store::MAYBE_CHARGED`).
fn error_label(error: &GatewayError) -> String {
    match error {
        GatewayError::Api(api) => api.as_string(),
        GatewayError::Timeout(_) => "timeout".into(),
        GatewayError::Transport(_) => "transport".into(),
        GatewayError::BadResponse { status } => format!("http_{status}"),
    }
}
