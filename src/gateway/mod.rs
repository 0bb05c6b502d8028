//! A typed client of the Telegram Gateway API (<https://core.telegram.org/gateway/api>).
//!
//! It knows nothing of teloxide: four methods, typed requests and answers, typed errors. Every
//! call is a `POST` of a JSON body with `Authorization: Bearer <token>`; the `{ok, result | error}`
//! envelope is read whatever the HTTP status, because the Gateway's use of status codes is
//! undocumented. The token lives in a [`SecretString`] and is never printed, not even by `Debug`.

mod error;
mod types;

use std::time::Duration;

use reqwest::{StatusCode, Url};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

pub use error::{ApiError, GatewayError};
use types::{CheckSendAbility, CheckVerificationStatus, RevokeVerificationMessage};
pub use types::{
    DeliveryState, DeliveryStatus, RequestStatus, SendVerificationMessage, VerificationState,
    VerificationStatus,
};

/// The production base URL.
pub const DEFAULT_URL: &str = "https://gatewayapi.telegram.org/";

/// A Gateway API client. Cheap to clone: clones share one connection pool.
#[derive(Clone, Debug)]
pub struct GatewayClient {
    http: reqwest::Client,
    base_url: Url,
    token: SecretString,
    timeout: Duration,
    /// Added to every send that has none: where the Gateway posts delivery reports.
    callback_url: Option<String>,
}

impl GatewayClient {
    /// `base_url` must end in `/` (method names are joined to it); `timeout` bounds each call.
    pub fn new(base_url: Url, token: SecretString, timeout: Duration) -> Self {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(concat!("verify-bot/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("a reqwest client with only a timeout and a user agent always builds");
        GatewayClient {
            http,
            base_url,
            token,
            timeout,
            callback_url: None,
        }
    }

    /// Every `sendVerificationMessage` without a `callback_url` gets this one (an HTTPS URL of at
    /// most 256 bytes), so that the Gateway posts delivery reports to it.
    pub fn with_callback_url(self, callback_url: Option<String>) -> Self {
        GatewayClient {
            callback_url,
            ..self
        }
    }

    /// Sends a verification code to a phone number.
    pub async fn send_verification_message(
        &self,
        request: &SendVerificationMessage,
    ) -> Result<RequestStatus, GatewayError> {
        match (&request.callback_url, &self.callback_url) {
            (None, Some(callback_url)) => {
                let request = SendVerificationMessage {
                    callback_url: Some(callback_url.clone()),
                    ..request.clone()
                };
                self.call("sendVerificationMessage", &request).await
            }
            _ => self.call("sendVerificationMessage", request).await,
        }
    }

    /// Checks that a number can receive a code. Charges one message fee when it can; pass the
    /// returned `request_id` to [`Self::send_verification_message`] to send for free.
    pub async fn check_send_ability(
        &self,
        phone_number: &str,
    ) -> Result<RequestStatus, GatewayError> {
        self.call("checkSendAbility", &CheckSendAbility { phone_number })
            .await
    }

    /// The status of a request; with `code`, the Gateway checks the code first.
    pub async fn check_verification_status(
        &self,
        request_id: &str,
        code: Option<&str>,
    ) -> Result<RequestStatus, GatewayError> {
        let params = CheckVerificationStatus { request_id, code };
        self.call("checkVerificationStatus", &params).await
    }

    /// Asks the Gateway to delete a sent message. `true` means the request was received, not
    /// that the message is gone (a delivered or read message stays). Revoked codes are not refunded.
    pub async fn revoke_verification_message(
        &self,
        request_id: &str,
    ) -> Result<bool, GatewayError> {
        self.call(
            "revokeVerificationMessage",
            &RevokeVerificationMessage { request_id },
        )
        .await
    }

    async fn call<P: Serialize, R: DeserializeOwned>(
        &self,
        method: &'static str,
        params: &P,
    ) -> Result<R, GatewayError> {
        let url = self
            .base_url
            .join(method)
            .map_err(|err| GatewayError::Transport(err.to_string()))?;
        let started = std::time::Instant::now();
        let response = self
            .http
            .post(url)
            .bearer_auth(self.token.expose_secret())
            .json(params)
            .send()
            .await;
        let result = match response {
            Ok(response) => {
                let status = response.status();
                match response.bytes().await {
                    Ok(body) => decode(status, &body),
                    Err(err) => Err(self.transport_error(err)),
                }
            }
            Err(err) => Err(self.transport_error(err)),
        };
        let elapsed = started.elapsed();
        crate::monitoring::gateway_call(method, outcome_label(&result), elapsed);
        let elapsed_ms = elapsed.as_millis() as u64;
        match &result {
            Ok(_) => tracing::debug!(method, elapsed_ms, "gateway call succeeded"),
            Err(err) => tracing::warn!(method, elapsed_ms, "gateway call failed: {err}"),
        }
        result
    }

    fn transport_error(&self, err: reqwest::Error) -> GatewayError {
        if err.is_timeout() {
            GatewayError::Timeout(self.timeout)
        } else {
            GatewayError::Transport(err.without_url().to_string())
        }
    }
}

/// How a call ended, for metrics: `ok` or the kind of failure.
fn outcome_label<R>(result: &Result<R, GatewayError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(GatewayError::Api(ApiError::FloodWait(_))) => "flood_wait",
        Err(GatewayError::Api(_)) => "api_error",
        Err(GatewayError::Timeout(_)) => "timeout",
        Err(GatewayError::Transport(_)) => "transport",
        Err(GatewayError::BadResponse { .. }) => "bad_response",
    }
}

#[derive(Deserialize)]
struct Envelope<T> {
    ok: bool,
    result: Option<T>,
    error: Option<String>,
}

/// Reads the `{ok, result | error}` envelope, whatever the HTTP status.
fn decode<R: DeserializeOwned>(status: StatusCode, body: &[u8]) -> Result<R, GatewayError> {
    let bad_response = || GatewayError::BadResponse {
        status: status.as_u16(),
    };
    let envelope: Envelope<R> = serde_json::from_slice(body).map_err(|_| bad_response())?;
    match envelope {
        Envelope {
            ok: true,
            result: Some(result),
            ..
        } => Ok(result),
        Envelope {
            ok: false,
            error: Some(error),
            ..
        } => Err(ApiError::parse(&error).into()),
        _ => Err(bad_response()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_status(status: u16, body: &str) -> Result<RequestStatus, GatewayError> {
        decode(StatusCode::from_u16(status).unwrap(), body.as_bytes())
    }

    #[test]
    fn reads_a_full_request_status() {
        let status = decode_status(
            200,
            r#"{"ok":true,"result":{"request_id":"r1","phone_number":"+391234567890",
            "request_cost":0.01,"remaining_balance":9.99,"is_refunded":false,
            "delivery_status":{"status":"read","updated_at":1700000030},
            "verification_status":{"status":"code_valid","updated_at":1700000040,"code_entered":"123456"},
            "payload":"42"}}"#,
        )
        .unwrap();
        assert_eq!(status.request_id, "r1");
        assert_eq!(status.remaining_balance, Some(9.99));
        assert_eq!(status.delivery_status.unwrap().status, DeliveryState::Read);
        let verification = status.verification_status.unwrap();
        assert_eq!(verification.status, VerificationState::CodeValid);
        assert_eq!(verification.code_entered.as_deref(), Some("123456"));
        assert_eq!(status.payload.as_deref(), Some("42"));
    }

    #[test]
    fn optional_fields_may_be_missing_and_new_statuses_are_kept() {
        let status = decode_status(
            200,
            r#"{"ok":true,"result":{"request_id":"r1","phone_number":"+1",
            "delivery_status":{"status":"teleported","updated_at":1},
            "verification_status":{"status":"code_pending"}}}"#,
        )
        .unwrap();
        assert_eq!(status.request_cost, 0.0);
        assert_eq!(status.remaining_balance, None);
        assert_eq!(
            status.delivery_status.unwrap().status,
            DeliveryState::Unknown("teleported".into())
        );
        assert_eq!(
            status.verification_status.unwrap().status,
            VerificationState::Unknown("code_pending".into())
        );
    }

    #[test]
    fn errors_are_read_whatever_the_http_status() {
        for status in [200, 400, 401, 429, 500] {
            assert_eq!(
                decode_status(status, r#"{"ok":false,"error":"BALANCE_NOT_ENOUGH"}"#),
                Err(GatewayError::Api(ApiError::BalanceNotEnough)),
                "HTTP {status}"
            );
        }
    }

    #[test]
    fn error_strings_are_typed() {
        assert_eq!(ApiError::parse("FLOOD_WAIT_42"), ApiError::FloodWait(42));
        assert_eq!(
            ApiError::parse("PHONE_NUMBER_INVALID"),
            ApiError::PhoneNumberInvalid
        );
        assert_eq!(
            ApiError::parse("ACCESS_TOKEN_INVALID"),
            ApiError::AccessTokenInvalid
        );
        assert_eq!(
            ApiError::parse("FLOOD_WAIT_soon"),
            ApiError::Other("FLOOD_WAIT_soon".into())
        );
        assert_eq!(
            ApiError::parse("NEW_ERROR"),
            ApiError::Other("NEW_ERROR".into())
        );
        for error in ["FLOOD_WAIT_7", "REQUEST_ID_INVALID", "SOMETHING_ELSE"] {
            assert_eq!(ApiError::parse(error).as_string(), error);
        }
    }

    #[test]
    fn anything_but_the_envelope_is_a_bad_response() {
        let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
        assert_eq!(
            decode_status(502, html),
            Err(GatewayError::BadResponse { status: 502 })
        );
        assert_eq!(
            decode_status(200, r#"{"ok":true}"#),
            Err(GatewayError::BadResponse { status: 200 })
        );
        assert_eq!(
            decode_status(200, ""),
            Err(GatewayError::BadResponse { status: 200 })
        );
    }

    #[test]
    fn revoke_answers_a_boolean() {
        let revoked: bool = decode(StatusCode::OK, br#"{"ok":true,"result":true}"#).unwrap();
        assert!(revoked);
    }

    #[test]
    fn debug_never_prints_the_token() {
        let client = GatewayClient::new(
            DEFAULT_URL.parse().unwrap(),
            SecretString::from("super-secret-token"),
            Duration::from_secs(1),
        );
        assert!(!format!("{client:?}").contains("super-secret-token"));
    }
}

/// Property tests of what the Gateway answers: whatever the bytes and the HTTP status, `decode`
/// never panics; it returns the result, the typed API error, or `BadResponse` with that status.
#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    fn status() -> impl Strategy<Value = StatusCode> {
        (100..1000u16).prop_map(|code| StatusCode::from_u16(code).unwrap())
    }

    /// The envelope's and `RequestStatus`'s own field names.
    const FIELDS: &[&str] = &[
        "ok",
        "result",
        "error",
        "request_id",
        "phone_number",
        "request_cost",
        "delivery_status",
        "status",
        "updated_at",
    ];

    fn json_value() -> impl Strategy<Value = Value> {
        crate::testing::json_value(FIELDS)
    }

    fn any_body() -> impl Strategy<Value = Vec<u8>> {
        crate::testing::any_body(FIELDS)
    }

    /// An envelope-shaped object: `ok`, `result` and `error` present or not, of any type.
    fn envelope() -> impl Strategy<Value = serde_json::Map<String, Value>> {
        let ok = prop_oneof![3 => any::<bool>().prop_map(Value::from), 1 => json_value()];
        let result = prop_oneof![
            2 => any::<bool>().prop_map(Value::from),
            1 => Just(Value::Null),
            1 => json_value(),
        ];
        let error = prop_oneof![
            2 => any::<String>().prop_map(Value::from),
            1 => Just(Value::Null),
            1 => json_value(),
        ];
        (
            prop::option::of(ok),
            prop::option::of(result),
            prop::option::of(error),
            prop::collection::btree_map("[a-z_]{1,12}", json_value(), 0..3),
        )
            .prop_map(|(ok, result, error, extra)| {
                let mut object: serde_json::Map<String, Value> = extra
                    .into_iter()
                    .filter(|(k, _)| !matches!(k.as_str(), "ok" | "result" | "error"))
                    .collect();
                for (name, value) in [("ok", ok), ("result", result), ("error", error)] {
                    if let Some(value) = value {
                        object.insert(name.to_owned(), value);
                    }
                }
                object
            })
    }

    /// A `RequestStatus` as the Gateway sends it, and the value it must decode to.
    fn request_status() -> impl Strategy<Value = (Value, RequestStatus)> {
        (
            any::<String>(),
            any::<String>(),
            prop::option::of(0..1_000_000u32),
            prop::option::of(any::<bool>()),
            prop::option::of((
                prop_oneof![
                    prop::sample::select(vec!["sent", "delivered", "read", "expired", "revoked"])
                        .prop_map(String::from),
                    any::<String>(),
                ],
                any::<i64>(),
            )),
            prop::option::of(any::<String>()),
        )
            .prop_map(
                |(request_id, phone_number, cost, is_refunded, delivery, payload)| {
                    let mut json =
                        json!({ "request_id": request_id, "phone_number": phone_number });
                    if let Some(cost) = cost {
                        json["request_cost"] = json!(f64::from(cost) / 1000.0);
                    }
                    if let Some(is_refunded) = is_refunded {
                        json["is_refunded"] = json!(is_refunded);
                    }
                    if let Some((status, updated_at)) = &delivery {
                        json["delivery_status"] =
                            json!({ "status": status, "updated_at": updated_at });
                    }
                    if let Some(payload) = &payload {
                        json["payload"] = json!(payload);
                    }
                    let expected = RequestStatus {
                        request_id,
                        phone_number,
                        request_cost: cost.map_or(0.0, |c| f64::from(c) / 1000.0),
                        is_refunded,
                        remaining_balance: None,
                        delivery_status: delivery.map(|(status, updated_at)| DeliveryStatus {
                            status: DeliveryState::from(status),
                            updated_at,
                        }),
                        verification_status: None,
                        payload,
                    };
                    (json, expected)
                },
            )
    }

    /// What `decode::<bool>` must make of an envelope: the documented contract, spelled out.
    fn expected_bool(
        status: StatusCode,
        object: &serde_json::Map<String, Value>,
    ) -> Result<bool, GatewayError> {
        let bad = GatewayError::BadResponse {
            status: status.as_u16(),
        };
        let Some(Value::Bool(ok)) = object.get("ok") else {
            return Err(bad);
        };
        let result = match object.get("result") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(result)) => Some(*result),
            Some(_) => return Err(bad),
        };
        let error = match object.get("error") {
            None | Some(Value::Null) => None,
            Some(Value::String(error)) => Some(error),
            Some(_) => return Err(bad),
        };
        match (ok, result, error) {
            (true, Some(result), _) => Ok(result),
            (false, _, Some(error)) => Err(GatewayError::Api(ApiError::parse(error))),
            _ => Err(bad),
        }
    }

    /// A `BadResponse` must carry the HTTP status it came with.
    fn check_status<R>(
        status: StatusCode,
        result: &Result<R, GatewayError>,
    ) -> Result<(), TestCaseError> {
        match result {
            Err(GatewayError::BadResponse { status: got }) => {
                prop_assert_eq!(*got, status.as_u16());
            }
            Err(GatewayError::Api(_)) | Ok(_) => {}
            Err(other) => prop_assert!(false, "decode returned {:?}", other),
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any bytes, any status: no panic; only the result, an API error or `BadResponse`
        /// with that status; and what is not JSON at all is always `BadResponse`.
        #[test]
        fn any_body_decodes_or_is_a_bad_response(status in status(), body in any_body()) {
            let as_status = decode::<RequestStatus>(status, &body);
            check_status(status, &as_status)?;
            let as_bool = decode::<bool>(status, &body);
            check_status(status, &as_bool)?;
            let as_value = decode::<Value>(status, &body);
            check_status(status, &as_value)?;
            if serde_json::from_slice::<Value>(&body).is_err() {
                let bad = GatewayError::BadResponse { status: status.as_u16() };
                prop_assert_eq!(as_status, Err(bad.clone()));
                prop_assert_eq!(as_bool, Err(bad.clone()));
                prop_assert_eq!(as_value, Err(bad));
            }
        }

        /// Any envelope-shaped object, any status: exactly what the contract says.
        #[test]
        fn an_envelope_decodes_as_documented(status in status(), object in envelope()) {
            let body = serde_json::to_vec(&object).unwrap();
            prop_assert_eq!(
                decode::<bool>(status, &body),
                expected_bool(status, &object),
                "{}",
                String::from_utf8_lossy(&body)
            );
        }

        /// `{"ok":false,"error":S}` is the API error `S`, typed, whatever S and the status.
        #[test]
        fn an_error_envelope_is_the_typed_api_error(
            status in status(),
            error in prop_oneof![
                any::<String>(),
                "FLOOD_WAIT_[0-9]{0,12}",
                prop::sample::select(vec!["BALANCE_NOT_ENOUGH", "CODE_INVALID", "UNKNOWN_METHOD"])
                    .prop_map(String::from),
            ],
            result_null in any::<bool>(),
        ) {
            let mut body = json!({ "ok": false, "error": error });
            if result_null {
                body["result"] = Value::Null;
            }
            let body = serde_json::to_vec(&body).unwrap();
            let expected = Err(GatewayError::Api(ApiError::parse(&error)));
            prop_assert_eq!(decode::<RequestStatus>(status, &body), expected.clone());
            prop_assert_eq!(decode::<bool>(status, &body).err(), expected.err());
        }

        /// `{"ok":true,"result":…}` with a request status decodes field for field.
        #[test]
        fn a_request_status_decodes_field_for_field(
            status in status(),
            (result, expected) in request_status(),
        ) {
            let body = serde_json::to_vec(&json!({ "ok": true, "result": result })).unwrap();
            prop_assert_eq!(decode::<RequestStatus>(status, &body), Ok(expected));
        }

        /// Deeply nested JSON (up to tens of thousands of levels) never overflows the stack.
        #[test]
        fn deep_nesting_is_a_bad_response_not_a_crash(
            depth in 0..50_000usize,
            array in any::<bool>(),
        ) {
            let (open, close) = if array { ("[", "]") } else { (r#"{"a":"#, "}") };
            let nested = format!("{}1{}", open.repeat(depth), close.repeat(depth));
            let body = format!(r#"{{"ok":true,"result":{nested}}}"#);
            let result = decode::<Value>(StatusCode::OK, body.as_bytes());
            check_status(StatusCode::OK, &result)?;
            if depth > 200 {
                prop_assert_eq!(result, Err(GatewayError::BadResponse { status: 200 }));
            } else if depth < 100 {
                prop_assert!(result.is_ok(), "{:?}", result);
            }
            // The same depth in a field `RequestStatus` does not know: skipped, without recursion.
            let body = format!(
                r#"{{"ok":true,"result":{{"request_id":"r","phone_number":"p","extra":{nested}}}}}"#
            );
            let result = decode::<RequestStatus>(StatusCode::OK, body.as_bytes());
            prop_assert_eq!(result.map(|status| status.request_id), Ok("r".to_owned()));
        }
    }
}
