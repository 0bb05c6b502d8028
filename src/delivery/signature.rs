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
