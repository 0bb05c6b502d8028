//! The verification flow: send a code, check what staff type, cancel. Free of Telegram types:
//! the bot turns these outcomes into replies.
//!
//! Money rules live here. A chat has at most one open verification (enforced by the database),
//! so a double-tapped `/verify` costs one code; input that is not a code of the right length
//! never reaches the Gateway, so it neither costs nor burns an attempt.

use crate::code::{Code, CodeError};
use crate::gateway::{
    ApiError, GatewayClient, GatewayError, RequestStatus, SendVerificationMessage,
    VerificationState,
};
use crate::now;
use crate::phone::PhoneNumber;
use crate::store::{NewVerification, Reservation, Status, Store, StoreError, Verification};

/// Sends and checks codes. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Verifier {
    store: Store,
    gateway: GatewayClient,
    code_length: u8,
    ttl: u32,
}

/// What `/verify` led to.
#[derive(Debug)]
pub enum SendOutcome {
    /// The code is on its way; the verification is stored and open.
    Sent(Verification),
    /// The chat already has an open verification: nothing was sent.
    AlreadyOpen(Verification),
    /// The Gateway refused or failed: nothing is open (a timeout may still have sent a code).
    Failed(GatewayError),
}

/// What a message typed in a chat led to.
#[derive(Debug)]
pub enum CheckOutcome {
    /// No verification is open in the chat (the message may or may not look like a code).
    NothingOpen { looks_like_code: bool },
    /// A verification is open but the message is not a code.
    NotACode(Verification),
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
}

/// What `/cancel` led to.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // one short-lived value per command, never stored
pub enum CancelOutcome {
    NothingOpen,
    /// Closed; `revoke_error` says why the Gateway could not be asked to delete the message.
    Cancelled {
        verification: Verification,
        revoke_error: Option<GatewayError>,
    },
}

impl Verifier {
    pub fn new(store: Store, gateway: GatewayClient, code_length: u8, ttl: u32) -> Self {
        Verifier {
            store,
            gateway,
            code_length,
            ttl,
        }
    }

    pub fn code_length(&self) -> u8 {
        self.code_length
    }

    pub fn ttl(&self) -> u32 {
        self.ttl
    }

    /// Sends a code to `phone` for a staff member in a chat.
    pub async fn send(
        &self,
        chat_id: i64,
        staff_user_id: i64,
        phone: &PhoneNumber,
    ) -> Result<SendOutcome, StoreError> {
        let new = NewVerification {
            chat_id,
            staff_user_id,
            phone: phone.e164(),
            code_length: self.code_length,
            ttl: self.ttl,
        };
        let id = match self.store.reserve(&new, now()).await? {
            Reservation::Reserved(id) => id,
            Reservation::AlreadyOpen(open) => return Ok(SendOutcome::AlreadyOpen(open)),
        };
        let request = SendVerificationMessage {
            phone_number: phone.e164().to_owned(),
            code_length: Some(self.code_length),
            ttl: Some(self.ttl),
            payload: Some(id.to_string()),
            ..Default::default()
        };
        match self.gateway.send_verification_message(&request).await {
            Ok(sent) => {
                self.store.mark_sent(id, &sent, now()).await?;
                tracing::info!(
                    verification = id,
                    staff = staff_user_id,
                    phone = %phone.masked(),
                    cost = sent.request_cost,
                    "code sent"
                );
                let verification = self.reload(chat_id).await?;
                Ok(SendOutcome::Sent(verification))
            }
            Err(error) => {
                self.store
                    .close(id, Status::Failed, Some(&error_label(&error)), now())
                    .await?;
                tracing::warn!(verification = id, phone = %phone.masked(), "send failed: {error}");
                Ok(SendOutcome::Failed(error))
            }
        }
    }

    /// Remembers the bot message that announced a verification.
    pub async fn remember_message(&self, id: i64, message_id: i32) -> Result<(), StoreError> {
        self.store.set_message_id(id, message_id).await
    }

    /// Treats a message typed in a chat as the code of its open verification.
    pub async fn check(&self, chat_id: i64, text: &str) -> Result<CheckOutcome, StoreError> {
        let Some(open) = self.store.open_in_chat(chat_id).await? else {
            let looks_like_code =
                Code::parse(text, self.code_length as usize) != Err(CodeError::NotACode);
            return Ok(CheckOutcome::NothingOpen { looks_like_code });
        };
        // The length that counts is the one the code was sent with, even if CODE_LENGTH changed.
        let parsed = Code::parse(text, open.code_length);
        if open.is_overdue(now()) {
            self.store
                .close(open.id, Status::Expired, None, now())
                .await?;
            return Ok(match parsed {
                Err(CodeError::NotACode) => CheckOutcome::NothingOpen {
                    looks_like_code: false,
                },
                _ => CheckOutcome::Expired(open),
            });
        }
        let code = match parsed {
            Ok(code) => code,
            Err(CodeError::NotACode) => return Ok(CheckOutcome::NotACode(open)),
            Err(CodeError::WrongLength { got, .. }) => {
                return Ok(CheckOutcome::WrongLength { open, got });
            }
        };
        let Some(request_id) = open.request_id.clone() else {
            return Ok(CheckOutcome::StillSending(open));
        };
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

    /// Cancels the chat's open verification: asks the Gateway to revoke the message and closes
    /// the verification whatever the Gateway says.
    pub async fn cancel(&self, chat_id: i64) -> Result<CancelOutcome, StoreError> {
        let Some(open) = self.open(chat_id).await? else {
            return Ok(CancelOutcome::NothingOpen);
        };
        let revoke_error = match &open.request_id {
            Some(request_id) => self
                .gateway
                .revoke_verification_message(request_id)
                .await
                .err(),
            None => None,
        };
        self.store
            .close(open.id, Status::Cancelled, None, now())
            .await?;
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

    /// The chat's open verification, if its code is still valid (an overdue one is closed).
    pub async fn open(&self, chat_id: i64) -> Result<Option<Verification>, StoreError> {
        let Some(open) = self.store.open_in_chat(chat_id).await? else {
            return Ok(None);
        };
        if open.is_overdue(now()) {
            self.store
                .close(open.id, Status::Expired, None, now())
                .await?;
            return Ok(None);
        }
        Ok(Some(open))
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
        self.store
            .record_check(open.id, answer, status, now())
            .await?;
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
        self.store.close(open.id, status, error, now()).await?;
        let mut closed = open;
        closed.status = status;
        Ok(match status {
            Status::Expired => CheckOutcome::Expired(closed),
            Status::MaxAttempts => CheckOutcome::MaxAttempts(closed),
            _ => CheckOutcome::Lost(closed),
        })
    }

    async fn reload(&self, chat_id: i64) -> Result<Verification, StoreError> {
        self.store
            .open_in_chat(chat_id)
            .await?
            .ok_or_else(|| StoreError::Sqlx(sqlx::Error::RowNotFound))
    }
}

impl CheckOutcome {
    /// A short name for logs.
    pub fn label(&self) -> &'static str {
        match self {
            CheckOutcome::NothingOpen { .. } => "nothing_open",
            CheckOutcome::NotACode(_) => "not_a_code",
            CheckOutcome::WrongLength { .. } => "wrong_length",
            CheckOutcome::StillSending(_) => "still_sending",
            CheckOutcome::Valid(_) => "code_valid",
            CheckOutcome::Invalid(_) => "code_invalid",
            CheckOutcome::MaxAttempts(_) => "code_max_attempts_exceeded",
            CheckOutcome::Expired(_) => "expired",
            CheckOutcome::Lost(_) => "lost",
            CheckOutcome::Unavailable { .. } => "gateway_unavailable",
            CheckOutcome::Unrecognised { .. } => "unrecognised",
        }
    }
}

/// How a failed send is remembered in the database.
fn error_label(error: &GatewayError) -> String {
    match error {
        GatewayError::Api(api) => api.as_string(),
        GatewayError::Timeout(_) => "timeout".into(),
        GatewayError::Transport(_) => "transport".into(),
        GatewayError::BadResponse { status } => format!("http_{status}"),
    }
}
