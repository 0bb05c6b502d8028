//! Errors of the Gateway client: the API's own error strings, typed, and transport failures.

use std::time::Duration;

/// A failed Gateway call.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GatewayError {
    /// The Gateway answered `{"ok": false, "error": …}`.
    #[error("Gateway API error {0}")]
    Api(ApiError),
    /// No answer within the configured timeout. A send may or may not have happened.
    #[error("the Gateway did not answer within {0:?}")]
    Timeout(Duration),
    /// The request could not be made (connection refused, DNS, TLS…).
    #[error("could not reach the Gateway: {0}")]
    Transport(String),
    /// An answer that is not the documented JSON envelope (an HTML error page, say).
    #[error("unexpected answer from the Gateway (HTTP {status})")]
    BadResponse { status: u16 },
}

/// The error strings the Gateway returns in `error`, as documented or seen in client libraries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    AccessTokenInvalid,
    AccessTokenRequired,
    PhoneNumberInvalid,
    PhoneNumberNotFound,
    PhoneNumberMismatch,
    CodeLengthRequired,
    CodeLengthInvalid,
    CodeInvalid,
    CodeExpired,
    CodeMaxAttemptsExceeded,
    RequestIdRequired,
    RequestIdInvalid,
    MessageAlreadySent,
    TtlInvalid,
    CallbackUrlInvalid,
    PayloadInvalid,
    SenderUsernameInvalid,
    SenderNotVerified,
    SenderNotOwned,
    BalanceNotEnough,
    UnknownMethod,
    /// `FLOOD_WAIT_<n>`: too many requests, retry after this many seconds.
    FloodWait(u32),
    /// Any other error string, kept verbatim.
    Other(String),
}

const NAMED: &[(&str, ApiError)] = &[
    ("ACCESS_TOKEN_INVALID", ApiError::AccessTokenInvalid),
    ("ACCESS_TOKEN_REQUIRED", ApiError::AccessTokenRequired),
    ("PHONE_NUMBER_INVALID", ApiError::PhoneNumberInvalid),
    ("PHONE_NUMBER_NOT_FOUND", ApiError::PhoneNumberNotFound),
    ("PHONE_NUMBER_MISMATCH", ApiError::PhoneNumberMismatch),
    ("CODE_LENGTH_REQUIRED", ApiError::CodeLengthRequired),
    ("CODE_LENGTH_INVALID", ApiError::CodeLengthInvalid),
    ("CODE_INVALID", ApiError::CodeInvalid),
    ("CODE_EXPIRED", ApiError::CodeExpired),
    (
        "CODE_MAX_ATTEMPTS_EXCEEDED",
        ApiError::CodeMaxAttemptsExceeded,
    ),
    ("REQUEST_ID_REQUIRED", ApiError::RequestIdRequired),
    ("REQUEST_ID_INVALID", ApiError::RequestIdInvalid),
    ("MESSAGE_ALREADY_SENT", ApiError::MessageAlreadySent),
    ("TTL_INVALID", ApiError::TtlInvalid),
    ("CALLBACK_URL_INVALID", ApiError::CallbackUrlInvalid),
    ("PAYLOAD_INVALID", ApiError::PayloadInvalid),
    ("SENDER_USERNAME_INVALID", ApiError::SenderUsernameInvalid),
    ("SENDER_NOT_VERIFIED", ApiError::SenderNotVerified),
    ("SENDER_NOT_OWNED", ApiError::SenderNotOwned),
    ("BALANCE_NOT_ENOUGH", ApiError::BalanceNotEnough),
    ("UNKNOWN_METHOD", ApiError::UnknownMethod),
];

impl ApiError {
    /// Reads an `error` string; never fails.
    pub fn parse(error: &str) -> Self {
        if let Some(seconds) = error
            .strip_prefix("FLOOD_WAIT_")
            .and_then(|n| n.parse::<u32>().ok())
        {
            return ApiError::FloodWait(seconds);
        }
        NAMED
            .iter()
            .find(|(name, _)| *name == error)
            .map(|(_, api_error)| api_error.clone())
            .unwrap_or_else(|| ApiError::Other(error.to_owned()))
    }

    /// The error string as the Gateway spells it.
    pub fn as_string(&self) -> String {
        match self {
            ApiError::FloodWait(seconds) => format!("FLOOD_WAIT_{seconds}"),
            ApiError::Other(error) => error.clone(),
            named => NAMED
                .iter()
                .find(|(_, api_error)| api_error == named)
                .map(|(name, _)| (*name).to_owned())
                .unwrap_or_default(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.as_string())
    }
}

impl From<ApiError> for GatewayError {
    fn from(error: ApiError) -> Self {
        GatewayError::Api(error)
    }
}
