//! Request and response types of the Gateway API, field for field as documented.

use serde::{Deserialize, Serialize};

/// Parameters of `sendVerificationMessage`. Unset options are left out of the request.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SendVerificationMessage {
    /// E.164, with the leading `+`.
    pub phone_number: String,
    /// The `request_id` of an earlier `checkSendAbility`: the send is then free.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// A verified channel owned by the account, to send the code from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_username: Option<String>,
    /// Our own code (4–8 digits); when set, `code_length` is ignored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Length of a Telegram-generated code, 4–8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_length: Option<u8>,
    /// HTTPS URL for delivery reports, up to 256 bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Up to 128 bytes echoed back in [`RequestStatus::payload`], never shown to the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    /// Seconds, 30–3600: undelivered within this time, the fee is refunded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u32>,
}

#[derive(Debug, Serialize)]
pub(crate) struct CheckSendAbility<'a> {
    pub phone_number: &'a str,
}

#[derive(Debug, Serialize)]
pub(crate) struct CheckVerificationStatus<'a> {
    pub request_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub(crate) struct RevokeVerificationMessage<'a> {
    pub request_id: &'a str,
}

/// The state of one verification request, as every method but revoke returns it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RequestStatus {
    pub request_id: String,
    pub phone_number: String,
    /// Total cost of the request so far, in credits (USD for reference).
    #[serde(default)]
    pub request_cost: f64,
    #[serde(default)]
    pub is_refunded: Option<bool>,
    /// Only present in answers to a call that charged.
    #[serde(default)]
    pub remaining_balance: Option<f64>,
    #[serde(default)]
    pub delivery_status: Option<DeliveryStatus>,
    #[serde(default)]
    pub verification_status: Option<VerificationStatus>,
    #[serde(default)]
    pub payload: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DeliveryStatus {
    pub status: DeliveryState,
    #[serde(default)]
    pub updated_at: i64,
}

/// What happened to the message carrying the code.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
pub enum DeliveryState {
    Sent,
    Delivered,
    Read,
    Expired,
    Revoked,
    /// A status this client does not know yet.
    Unknown(String),
}

impl From<String> for DeliveryState {
    fn from(s: String) -> Self {
        match s.as_str() {
            "sent" => Self::Sent,
            "delivered" => Self::Delivered,
            "read" => Self::Read,
            "expired" => Self::Expired,
            "revoked" => Self::Revoked,
            _ => Self::Unknown(s),
        }
    }
}

impl DeliveryState {
    pub fn as_str(&self) -> &str {
        match self {
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
            Self::Unknown(s) => s,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct VerificationStatus {
    pub status: VerificationState,
    #[serde(default)]
    pub updated_at: i64,
    #[serde(default)]
    pub code_entered: Option<String>,
}

/// The verdict on the code, after `checkVerificationStatus` with a code.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(from = "String")]
pub enum VerificationState {
    CodeValid,
    CodeInvalid,
    CodeMaxAttemptsExceeded,
    Expired,
    /// A status this client does not know yet.
    Unknown(String),
}

impl From<String> for VerificationState {
    fn from(s: String) -> Self {
        match s.as_str() {
            "code_valid" => Self::CodeValid,
            "code_invalid" => Self::CodeInvalid,
            "code_max_attempts_exceeded" => Self::CodeMaxAttemptsExceeded,
            "expired" => Self::Expired,
            _ => Self::Unknown(s),
        }
    }
}

impl VerificationState {
    pub fn as_str(&self) -> &str {
        match self {
            Self::CodeValid => "code_valid",
            Self::CodeInvalid => "code_invalid",
            Self::CodeMaxAttemptsExceeded => "code_max_attempts_exceeded",
            Self::Expired => "expired",
            Self::Unknown(s) => s,
        }
    }
}
