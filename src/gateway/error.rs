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

/// Property tests of the Gateway's error strings: `parse` never fails, and `as_string` gives
/// back the string the Gateway sent.
#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    /// Every named error, listed here rather than taken from `NAMED`, with its documented spelling.
    const KNOWN: [(ApiError, &str); 21] = [
        (ApiError::AccessTokenInvalid, "ACCESS_TOKEN_INVALID"),
        (ApiError::AccessTokenRequired, "ACCESS_TOKEN_REQUIRED"),
        (ApiError::PhoneNumberInvalid, "PHONE_NUMBER_INVALID"),
        (ApiError::PhoneNumberNotFound, "PHONE_NUMBER_NOT_FOUND"),
        (ApiError::PhoneNumberMismatch, "PHONE_NUMBER_MISMATCH"),
        (ApiError::CodeLengthRequired, "CODE_LENGTH_REQUIRED"),
        (ApiError::CodeLengthInvalid, "CODE_LENGTH_INVALID"),
        (ApiError::CodeInvalid, "CODE_INVALID"),
        (ApiError::CodeExpired, "CODE_EXPIRED"),
        (
            ApiError::CodeMaxAttemptsExceeded,
            "CODE_MAX_ATTEMPTS_EXCEEDED",
        ),
        (ApiError::RequestIdRequired, "REQUEST_ID_REQUIRED"),
        (ApiError::RequestIdInvalid, "REQUEST_ID_INVALID"),
        (ApiError::MessageAlreadySent, "MESSAGE_ALREADY_SENT"),
        (ApiError::TtlInvalid, "TTL_INVALID"),
        (ApiError::CallbackUrlInvalid, "CALLBACK_URL_INVALID"),
        (ApiError::PayloadInvalid, "PAYLOAD_INVALID"),
        (ApiError::SenderUsernameInvalid, "SENDER_USERNAME_INVALID"),
        (ApiError::SenderNotVerified, "SENDER_NOT_VERIFIED"),
        (ApiError::SenderNotOwned, "SENDER_NOT_OWNED"),
        (ApiError::BalanceNotEnough, "BALANCE_NOT_ENOUGH"),
        (ApiError::UnknownMethod, "UNKNOWN_METHOD"),
    ];

    /// A `FLOOD_WAIT_` string whose number `parse` reads, but spells differently from
    /// `as_string` (`FLOOD_WAIT_007`, `FLOOD_WAIT_+7`).
    fn is_non_canonical_flood_wait(error: &str) -> bool {
        error
            .strip_prefix("FLOOD_WAIT_")
            .and_then(|n| n.parse::<u32>().ok())
            .is_some_and(|n| error != format!("FLOOD_WAIT_{n}"))
    }

    /// Error strings: arbitrary, Gateway-like, near misses of known names, and `FLOOD_WAIT_`s.
    fn error_string() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[A-Z_]{0,30}",
            prop::sample::select(KNOWN.to_vec()).prop_map(|(_, name)| name.to_owned()),
            (prop::sample::select(KNOWN.to_vec()), "[ a-z_\\n]{0,2}")
                .prop_map(|((_, name), noise)| format!("{name}{noise}")),
            "FLOOD_WAIT_[+-]?[0-9]{0,12}[a-z ]?",
            "FLOOD_WAIT_[0-9]{1,3}",
        ]
    }

    fn api_error() -> impl Strategy<Value = ApiError> {
        prop_oneof![
            prop::sample::select(KNOWN.to_vec()).prop_map(|(error, _)| error),
            any::<u32>().prop_map(ApiError::FloodWait),
            error_string().prop_map(|s| ApiError::parse(&s)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any string parses (no panic), and `as_string` gives it back verbatim, except a
        /// `FLOOD_WAIT_` number written otherwise, which reads back as the same error.
        #[test]
        fn any_error_string_reads_back(error in error_string()) {
            let parsed = ApiError::parse(&error);
            prop_assert_eq!(ApiError::parse(&parsed.as_string()), parsed.clone());
            if is_non_canonical_flood_wait(&error) {
                prop_assert!(matches!(parsed, ApiError::FloodWait(_)), "{:?}", parsed);
            } else {
                prop_assert_eq!(parsed.as_string(), error.clone());
                prop_assert_eq!(parsed.to_string(), error);
            }
        }

        /// Every typed error, `FLOOD_WAIT_n` for every n, and every `Other` that `parse` makes,
        /// survives `as_string` then `parse`.
        #[test]
        fn every_api_error_round_trips(error in api_error()) {
            prop_assert_eq!(ApiError::parse(&error.as_string()), error);
        }

        /// Known names and `FLOOD_WAIT_n` are typed, and spelled as the Gateway spells them.
        #[test]
        fn known_errors_are_typed_and_spelled_as_documented(
            (known, name) in prop::sample::select(KNOWN.to_vec()),
            seconds in any::<u32>(),
        ) {
            prop_assert_eq!(ApiError::parse(name), known.clone());
            prop_assert_eq!(known.as_string(), name);
            let flood = format!("FLOOD_WAIT_{seconds}");
            prop_assert_eq!(ApiError::parse(&flood), ApiError::FloodWait(seconds));
            prop_assert_eq!(ApiError::FloodWait(seconds).as_string(), flood);
        }

        /// A string that is neither a known name nor `FLOOD_WAIT_<u32>` is kept verbatim.
        #[test]
        fn anything_else_is_other_verbatim(error in error_string()) {
            let known = KNOWN.iter().any(|(_, name)| *name == error);
            let flood = error
                .strip_prefix("FLOOD_WAIT_")
                .is_some_and(|n| n.parse::<u32>().is_ok());
            prop_assume!(!known && !flood);
            prop_assert_eq!(ApiError::parse(&error), ApiError::Other(error));
        }
    }
}
