//! The integrity check of Gateway delivery reports.
//!
//! Every report carries `X-Request-Timestamp` and `X-Request-Signature`. The signature is the
//! lowercase hex HMAC-SHA-256 of `timestamp + "\n" + raw body`, keyed with the raw SHA-256 digest
//! of the Gateway access token. A report is genuine when the signature matches (compared in
//! constant time) and the timestamp is within the allowed age of now, in either direction.

use std::fmt;
use std::time::Duration;

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// Why a report was refused before its body was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the X-Request-Timestamp or X-Request-Signature header is missing")]
    MissingHeader,
    #[error("the signature does not match")]
    BadSignature,
    #[error("the timestamp is not a Unix time")]
    BadTimestamp,
    #[error("the timestamp is {0} s away from now")]
    Stale(i64),
}

/// Checks report signatures. Holds the derived key, never the token; `Debug` prints neither.
#[derive(Clone)]
pub struct ReportVerifier {
    key: [u8; 32],
    max_age: Duration,
}

impl fmt::Debug for ReportVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReportVerifier")
            .field("max_age", &self.max_age)
            .finish_non_exhaustive()
    }
}

impl ReportVerifier {
    /// `token` is the Gateway access token; `max_age` bounds |now − timestamp|.
    pub fn new(token: &SecretString, max_age: Duration) -> Self {
        ReportVerifier {
            key: Sha256::digest(token.expose_secret().as_bytes()).into(),
            max_age,
        }
    }

    /// Accepts a report whose headers (`None` when absent) sign `body`, at Unix time `now`.
    pub fn verify(
        &self,
        timestamp: Option<&str>,
        signature: Option<&str>,
        body: &[u8],
        now: i64,
    ) -> Result<(), SignatureError> {
        let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
            return Err(SignatureError::MissingHeader);
        };
        let signature = hex::decode(signature.trim()).map_err(|_| SignatureError::BadSignature)?;
        // `verify_slice` compares in constant time.
        self.mac(timestamp, body)
            .verify_slice(&signature)
            .map_err(|_| SignatureError::BadSignature)?;
        let sent_at: i64 = timestamp
            .trim()
            .parse()
            .map_err(|_| SignatureError::BadTimestamp)?;
        let skew = now.saturating_sub(sent_at);
        if skew.unsigned_abs() > self.max_age.as_secs() {
            return Err(SignatureError::Stale(skew));
        }
        Ok(())
    }

    /// The lowercase hex signature of a report (what the Gateway sends).
    pub fn sign(&self, timestamp: &str, body: &[u8]) -> String {
        hex::encode(self.mac(timestamp, body).finalize().into_bytes())
    }

    fn mac(&self, timestamp: &str, body: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes a key of any size");
        mac.update(timestamp.as_bytes());
        mac.update(b"\n");
        mac.update(body);
        mac
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The published test vector (gateway-api.md, section 5).
    const TOKEN: &str = "TEST_TOKEN";
    const TIMESTAMP: &str = "1700000000";
    const BODY: &[u8] = br#"{"request_id":"abc"}"#;
    const SIGNATURE: &str = "ba63fd756bd9eefdac399bc598347c4754b01546d595bfe332b8e8d54aee773e";
    const NOW: i64 = 1_700_000_000;

    fn verifier(token: &str) -> ReportVerifier {
        ReportVerifier::new(&SecretString::from(token), Duration::from_secs(300))
    }

    #[test]
    fn the_published_vector_signs_and_verifies() {
        let v = verifier(TOKEN);
        assert_eq!(v.sign(TIMESTAMP, BODY), SIGNATURE);
        assert_eq!(
            v.verify(Some(TIMESTAMP), Some(SIGNATURE), BODY, NOW),
            Ok(())
        );
    }

    #[test]
    fn a_tampered_body_or_timestamp_is_refused() {
        let v = verifier(TOKEN);
        let tampered = br#"{"request_id":"abd"}"#;
        assert_eq!(
            v.verify(Some(TIMESTAMP), Some(SIGNATURE), tampered, NOW),
            Err(SignatureError::BadSignature)
        );
        assert_eq!(
            v.verify(Some("1700000001"), Some(SIGNATURE), BODY, NOW),
            Err(SignatureError::BadSignature)
        );
    }

    #[test]
    fn another_token_or_a_garbled_signature_is_refused() {
        assert_eq!(
            verifier("OTHER_TOKEN").verify(Some(TIMESTAMP), Some(SIGNATURE), BODY, NOW),
            Err(SignatureError::BadSignature)
        );
        let v = verifier(TOKEN);
        for garbled in ["", "not hex", &SIGNATURE[..62], &format!("{SIGNATURE}00")] {
            assert_eq!(
                v.verify(Some(TIMESTAMP), Some(garbled), BODY, NOW),
                Err(SignatureError::BadSignature),
                "{garbled:?}"
            );
        }
    }

    #[test]
    fn the_key_is_the_raw_digest_of_the_token_not_the_token_itself() {
        let raw_key = {
            let mut mac = HmacSha256::new_from_slice(TOKEN.as_bytes()).unwrap();
            mac.update(b"1700000000\n{\"request_id\":\"abc\"}");
            hex::encode(mac.finalize().into_bytes())
        };
        assert_eq!(
            verifier(TOKEN).verify(Some(TIMESTAMP), Some(&raw_key), BODY, NOW),
            Err(SignatureError::BadSignature)
        );
    }

    #[test]
    fn stale_and_future_timestamps_are_refused_even_when_signed() {
        let v = verifier(TOKEN);
        assert_eq!(
            v.verify(Some(TIMESTAMP), Some(SIGNATURE), BODY, NOW + 301),
            Err(SignatureError::Stale(301))
        );
        assert_eq!(
            v.verify(Some(TIMESTAMP), Some(SIGNATURE), BODY, NOW - 301),
            Err(SignatureError::Stale(-301))
        );
        // The edges of the window are accepted.
        assert_eq!(
            v.verify(Some(TIMESTAMP), Some(SIGNATURE), BODY, NOW + 300),
            Ok(())
        );
        assert_eq!(
            v.verify(Some(TIMESTAMP), Some(SIGNATURE), BODY, NOW - 300),
            Ok(())
        );
    }

    #[test]
    fn a_signed_timestamp_that_is_not_a_number_is_refused() {
        let v = verifier(TOKEN);
        let signature = v.sign("yesterday", BODY);
        assert_eq!(
            v.verify(Some("yesterday"), Some(&signature), BODY, NOW),
            Err(SignatureError::BadTimestamp)
        );
    }

    #[test]
    fn missing_headers_are_refused() {
        let v = verifier(TOKEN);
        assert_eq!(
            v.verify(None, Some(SIGNATURE), BODY, NOW),
            Err(SignatureError::MissingHeader)
        );
        assert_eq!(
            v.verify(Some(TIMESTAMP), None, BODY, NOW),
            Err(SignatureError::MissingHeader)
        );
        assert_eq!(
            v.verify(None, None, BODY, NOW),
            Err(SignatureError::MissingHeader)
        );
    }

    #[test]
    fn debug_shows_no_key() {
        let debug = format!("{:?}", verifier(TOKEN));
        assert!(!debug.contains("key"), "{debug}");
    }
}

/// Property tests of delivery reports as they arrive: arbitrary headers and bodies never panic
/// the check; only a report signed with the right key, unchanged and fresh, is accepted; and
/// no body panics the report parser.
#[cfg(test)]
mod props {
    use super::*;
    use crate::delivery::Report;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    const MAX_AGE: u64 = 300;

    fn verifier(token: &str) -> ReportVerifier {
        ReportVerifier::new(&SecretString::from(token), Duration::from_secs(MAX_AGE))
    }

    /// Header values as a client could send them: arbitrary text, numbers, hex of any length.
    fn header() -> impl Strategy<Value = Option<String>> {
        prop::option::weighted(
            0.9,
            prop_oneof![
                any::<String>(),
                any::<i64>().prop_map(|n| n.to_string()),
                "[ \t]?-?[0-9]{0,25}[ \t]?",
                "[0-9a-fA-F]{0,130}",
                "[ \t]?[0-9a-f]{64}[ \t]?",
                prop::collection::vec(any::<char>(), 1000..5000).prop_map(String::from_iter),
            ],
        )
    }

    fn body() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..1024),
            any::<String>().prop_map(String::into_bytes),
            "[a-z0-9]{1,16}".prop_map(|id| format!(r#"{{"request_id":"{id}"}}"#).into_bytes()),
        ]
    }

    /// A report signed at `sent_at`, checked at a `now` within the allowed age.
    fn fresh() -> impl Strategy<Value = (String, Vec<u8>, i64, i64)> {
        (
            "[ -~]{1,64}",
            body(),
            -4_000_000_000i64..4_000_000_000,
            -(MAX_AGE as i64)..=MAX_AGE as i64,
        )
            .prop_map(|(token, body, sent_at, skew)| (token, body, sent_at, sent_at + skew))
    }

    /// A delivery report's field names.
    const FIELDS: &[&str] = &[
        "request_id",
        "request_cost",
        "is_refunded",
        "delivery_status",
        "status",
        "updated_at",
        "payload",
        "phone_number",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Signed with the right key, fresh: accepted (and still when the headers are padded).
        #[test]
        fn a_signed_fresh_report_verifies((token, body, sent_at, now) in fresh()) {
            let v = verifier(&token);
            let timestamp = sent_at.to_string();
            let signature = v.sign(&timestamp, &body);
            prop_assert_eq!(signature.len(), 64);
            prop_assert!(signature.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
            prop_assert_eq!(v.verify(Some(&timestamp), Some(&signature), &body, now), Ok(()));
            let padded = format!(" {}\t", signature.to_uppercase());
            prop_assert_eq!(v.verify(Some(&timestamp), Some(&padded), &body, now), Ok(()));
        }

        /// The signature is the documented one, computed here independently: hex
        /// HMAC-SHA-256 of `timestamp + "\n" + body`, keyed with SHA-256 of the token.
        #[test]
        fn the_signature_is_the_documented_hmac(
            (token, body, sent_at, _) in fresh(),
            timestamp in prop_oneof![Just(String::new()), any::<String>()],
        ) {
            let timestamp = if timestamp.is_empty() { sent_at.to_string() } else { timestamp };
            let key = Sha256::digest(token.as_bytes());
            let mut message = timestamp.clone().into_bytes();
            message.push(b'\n');
            message.extend_from_slice(&body);
            let mut mac = HmacSha256::new_from_slice(&key).unwrap();
            mac.update(&message);
            let expected = hex::encode(mac.finalize().into_bytes());
            prop_assert_eq!(verifier(&token).sign(&timestamp, &body), expected);
        }

        /// Any single-byte change of the body, or a byte added or removed: refused.
        #[test]
        fn a_changed_body_is_refused(
            (token, body, sent_at, now) in fresh(),
            at in any::<prop::sample::Index>(),
            flip in 1..=255u8,
            change in 0..3u8,
        ) {
            let v = verifier(&token);
            let timestamp = sent_at.to_string();
            let signature = v.sign(&timestamp, &body);
            let mut changed = body.clone();
            match change {
                0 if !body.is_empty() => changed[at.index(body.len())] ^= flip,
                1 if !body.is_empty() => {
                    changed.remove(at.index(body.len()));
                }
                _ => changed.insert(at.index(body.len() + 1), flip),
            }
            prop_assert_eq!(
                v.verify(Some(&timestamp), Some(&signature), &changed, now),
                Err(SignatureError::BadSignature)
            );
        }

        /// Another timestamp than the signed one, even a fresh one: refused.
        #[test]
        fn a_changed_timestamp_is_refused(
            (token, body, sent_at, now) in fresh(),
            other in -(MAX_AGE as i64)..=MAX_AGE as i64,
        ) {
            prop_assume!(other != 0);
            let v = verifier(&token);
            let signature = v.sign(&sent_at.to_string(), &body);
            let other = (sent_at + other).to_string();
            prop_assert_eq!(
                v.verify(Some(&other), Some(&signature), &body, now),
                Err(SignatureError::BadSignature)
            );
        }

        /// Signed with another token, or a signature with one hex digit changed: refused.
        #[test]
        fn another_key_or_a_changed_signature_is_refused(
            (token, body, sent_at, now) in fresh(),
            other_token in "[ -~]{1,64}",
            at in 0..64usize,
            digit in "[0-9a-f]",
        ) {
            prop_assume!(other_token != token);
            let timestamp = sent_at.to_string();
            let signature = verifier(&other_token).sign(&timestamp, &body);
            prop_assert_eq!(
                verifier(&token).verify(Some(&timestamp), Some(&signature), &body, now),
                Err(SignatureError::BadSignature)
            );
            let signature = verifier(&token).sign(&timestamp, &body);
            prop_assume!(signature[at..=at] != digit);
            let changed = format!("{}{digit}{}", &signature[..at], &signature[at + 1..]);
            prop_assert_eq!(
                verifier(&token).verify(Some(&timestamp), Some(&changed), &body, now),
                Err(SignatureError::BadSignature)
            );
        }

        /// Signed, but sent more than the allowed age before or after now: `Stale` with the skew.
        #[test]
        fn a_signed_stale_report_is_refused_with_its_skew(
            (token, body, sent_at, _) in fresh(),
            skew in prop_oneof![
                MAX_AGE as i64 + 1..i64::MAX / 2,
                i64::MIN / 2..-(MAX_AGE as i64),
            ],
        ) {
            let v = verifier(&token);
            let timestamp = sent_at.to_string();
            let signature = v.sign(&timestamp, &body);
            prop_assert_eq!(
                v.verify(Some(&timestamp), Some(&signature), &body, sent_at + skew),
                Err(SignatureError::Stale(skew))
            );
        }

        /// A correctly signed timestamp of any text and any `now` (extremes too): no panic;
        /// text that is not an integer is `BadTimestamp`, an integer is judged by its age.
        #[test]
        fn any_signed_timestamp_is_judged(
            token in "[ -~]{1,64}",
            timestamp in header().prop_map(Option::unwrap_or_default),
            body in body(),
            now in prop_oneof![any::<i64>(), Just(i64::MIN), Just(i64::MAX), Just(0)],
        ) {
            let v = verifier(&token);
            let signature = v.sign(&timestamp, &body);
            let result = v.verify(Some(&timestamp), Some(&signature), &body, now);
            match timestamp.trim().parse::<i64>() {
                Err(_) => prop_assert_eq!(result, Err(SignatureError::BadTimestamp)),
                Ok(sent_at) => {
                    let skew = now.saturating_sub(sent_at);
                    if skew.unsigned_abs() <= MAX_AGE {
                        prop_assert_eq!(result, Ok(()));
                    } else {
                        prop_assert_eq!(result, Err(SignatureError::Stale(skew)));
                    }
                }
            }
        }

        /// Arbitrary headers (absent, garbage, huge, Unicode), body and `now`: no panic, and
        /// never accepted; a missing header is `MissingHeader`.
        #[test]
        fn arbitrary_headers_are_refused(
            token in "[ -~]{1,64}",
            timestamp in header(),
            signature in header(),
            body in body(),
            now in any::<i64>(),
        ) {
            let result =
                verifier(&token).verify(timestamp.as_deref(), signature.as_deref(), &body, now);
            if timestamp.is_none() || signature.is_none() {
                prop_assert_eq!(result, Err(SignatureError::MissingHeader));
            } else {
                prop_assert_eq!(result, Err(SignatureError::BadSignature));
            }
        }

        /// No body panics the report parser; a parsed report had a string `request_id` (serde
        /// also reads a struct from an array of its fields: `["r1", 0.01]`).
        #[test]
        fn any_bytes_parse_as_a_report_or_fail(body in prop_oneof![
            body(),
            crate::testing::any_body(FIELDS),
        ]) {
            if let Ok(report) = serde_json::from_slice::<Report>(&body) {
                let value: Value = serde_json::from_slice(&body).unwrap();
                let request_id = match &value {
                    Value::Array(fields) => fields.first(),
                    _ => value.get("request_id"),
                };
                prop_assert_eq!(
                    request_id.and_then(Value::as_str),
                    Some(report.request_id.as_str()),
                    "{}",
                    value
                );
            }
        }

        /// Deeply nested JSON in a report never overflows the stack: in a field the report
        /// does not know it is skipped (without recursion), in `delivery_status` it is refused.
        #[test]
        fn deep_nesting_in_a_report_is_not_a_crash(
            depth in 0..50_000usize,
            array in any::<bool>(),
        ) {
            let (open, close) = if array { ("[", "]") } else { (r#"{"a":"#, "}") };
            let nested = format!("{}1{}", open.repeat(depth), close.repeat(depth));
            let body = format!(r#"{{"request_id":"r","extra":{nested}}}"#);
            let report = serde_json::from_slice::<Report>(body.as_bytes());
            prop_assert_eq!(report.map(|r| r.request_id).ok(), Some("r".to_owned()));
            let body = format!(r#"{{"request_id":"r","delivery_status":{nested}}}"#);
            prop_assert!(serde_json::from_slice::<Report>(body.as_bytes()).is_err());
        }

        /// A well-formed report, any field values: parsed field for field.
        #[test]
        fn a_well_formed_report_parses_field_for_field(
            request_id in any::<String>(),
            cost in prop::option::of(0..1_000_000u32),
            is_refunded in prop::option::of(any::<bool>()),
            delivery in prop::option::of((
                prop_oneof![
                    prop::sample::select(vec!["sent", "delivered", "read", "expired", "revoked"])
                        .prop_map(String::from),
                    any::<String>(),
                ],
                prop::option::of(any::<i64>()),
            )),
        ) {
            let mut json = json!({ "request_id": request_id });
            if let Some(cost) = cost {
                json["request_cost"] = json!(f64::from(cost) / 1000.0);
            }
            if let Some(is_refunded) = is_refunded {
                json["is_refunded"] = json!(is_refunded);
            }
            if let Some((status, updated_at)) = &delivery {
                json["delivery_status"] = json!({ "status": status });
                if let Some(updated_at) = updated_at {
                    json["delivery_status"]["updated_at"] = json!(updated_at);
                }
            }
            let body = serde_json::to_vec(&json).unwrap();
            let report: Report = serde_json::from_slice(&body).unwrap();
            prop_assert_eq!(report.request_id, request_id);
            prop_assert_eq!(report.request_cost, cost.map(|c| f64::from(c) / 1000.0));
            prop_assert_eq!(report.is_refunded, is_refunded);
            let delivery_status = report.delivery_status.map(|d| (d.status, d.updated_at));
            prop_assert_eq!(
                delivery_status,
                delivery.map(|(status, updated_at)| (
                    crate::gateway::DeliveryState::from(status),
                    updated_at.unwrap_or(0),
                ))
            );
        }
    }
}
