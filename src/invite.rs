//! One-time deep links (`https://t.me/<bot>?start=<token>`): the token, its stored hash, the link.

use rand::{Rng, distr::Alphanumeric};
use sha2::{Digest, Sha256};

/// A new unguessable token: 32 characters of `A-Za-z0-9` (about 190 bits), valid as a
/// `start` parameter (at most 64 characters of `A-Za-z0-9_-`).
pub fn new_token() -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(32)
        .map(char::from)
        .collect()
}

/// What the database keeps instead of the token: its SHA-256, in lowercase hex.
pub fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The link that opens the bot with `/start <token>`.
pub fn deep_link(bot_username: &str, token: &str) -> String {
    format!("https://t.me/{bot_username}?start={token}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_url_safe_and_different() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }

    #[test]
    fn hash_is_sha256_hex() {
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
