//! The Standard Webhooks signature: `webhook-signature` is `v1,` + the base64 HMAC-SHA-256 of
//! `webhook-id.webhook-timestamp.body`, keyed with the secret's decoded bytes; with two secrets
//! (a rotation) both signatures, space-separated. Signed by the spec's own crate
//! (`standardwebhooks`), so receivers using the spec's libraries accept it.

use std::fmt;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use standardwebhooks::Webhook;

/// Signs events with each configured secret. `Debug` shows how many, never a key.
#[derive(Clone)]
pub struct Signer {
    keys: Arc<Vec<Webhook>>,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("secrets", &self.keys.len())
            .finish_non_exhaustive()
    }
}

/// A secret that is not `whsec_` + base64 (the configuration checks this first).
#[derive(Debug, thiserror::Error)]
#[error("an events secret is not whsec_ followed by base64")]
pub struct BadSecret;

impl Signer {
    /// One key per `whsec_…` secret.
    pub fn new(secrets: &[SecretString]) -> Result<Self, BadSecret> {
        let keys = secrets
            .iter()
            .map(|secret| Webhook::new(secret.expose_secret()).map_err(|_| BadSecret))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Signer {
            keys: Arc::new(keys),
        })
    }

    /// The `webhook-signature` header of `body` sent as event `id` at Unix time `timestamp`.
    pub fn signature(&self, id: &str, timestamp: i64, body: &str) -> String {
        self.keys
            .iter()
            .map(|key| {
                key.sign(id, timestamp, body.as_bytes())
                    .expect("a str is UTF-8")
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use hmac::{Hmac, Mac};

    /// The check a receiver makes, written from the spec's text (not from `standardwebhooks`):
    /// some `v1,` signature is the HMAC-SHA-256 of `id.timestamp.body` keyed with the decoded
    /// secret.
    fn spec_accepts(secret: &str, id: &str, timestamp: &str, body: &str, header: &str) -> bool {
        let key = STANDARD
            .decode(secret.strip_prefix("whsec_").unwrap())
            .unwrap();
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
        mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
        let expected = STANDARD.encode(mac.finalize().into_bytes());
        header
            .split(' ')
            .filter_map(|sig| sig.strip_prefix("v1,"))
            .any(|sig| sig == expected)
    }

    fn secret(s: &str) -> SecretString {
        SecretString::from(s)
    }

    #[test]
    fn the_specs_example_signs_as_the_spec_says() {
        // The example in the standardwebhooks reference implementations.
        let signer = Signer::new(&[secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]).unwrap();
        let body = r#"{"test": 2432232314}"#;
        let header = signer.signature("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
        assert_eq!(header, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        assert!(spec_accepts(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "1614265330",
            body,
            &header
        ));
    }

    #[test]
    fn two_secrets_give_two_signatures_each_accepted_alone() {
        let old = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let new = format!("whsec_{}", STANDARD.encode([7u8; 32]));
        let signer = Signer::new(&[secret(old), secret(&new)]).unwrap();
        let body = r#"{"type":"verification.sent"}"#;
        let header = signer.signature("evt_0123456789abcdef01234567", 1_800_000_000, body);
        assert_eq!(header.split(' ').count(), 2, "{header}");
        for key in [old, new.as_str()] {
            assert!(spec_accepts(
                key,
                "evt_0123456789abcdef01234567",
                "1800000000",
                body,
                &header
            ));
        }
        // A changed body, id or timestamp is refused.
        assert!(!spec_accepts(
            old,
            "evt_0123456789abcdef01234567",
            "1800000001",
            body,
            &header
        ));
        assert!(!format!("{signer:?}").contains("MfKQ"));
    }
}
