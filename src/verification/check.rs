//! Checking a code: what staff type in a chat, or pick with a "which one?" button, checked with
//! the Gateway, and the verdict stored.

use super::{Actor, Verifier};
use crate::code::{Code, CodeError};
use crate::gateway::{ApiError, GatewayError, RequestStatus, VerificationState};
use crate::now;
use crate::store::{Status, StoreError, Verification};

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

impl Verifier {
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
        if !status.is_open() {
            self.message_stored_meanwhile(&mut checked).await?;
        }
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

    /// A verification just closed whose announcing message was not known when it was read: that
    /// message may have been stored since, by the process that sent it (another replica), and its
    /// buttons are to go.
    async fn message_stored_meanwhile(&self, closed: &mut Verification) -> Result<(), StoreError> {
        if closed.message_id.is_none()
            && let Some(stored) = self.store.verification(closed.id).await?
        {
            closed.message_id = stored.message_id;
        }
        Ok(())
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
        self.message_stored_meanwhile(&mut closed).await?;
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
