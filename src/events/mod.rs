//! Events: every change of a verification, told to a URL the business chooses, as the
//! Standard Webhooks specification shapes it.
//!
//! The store writes each event into an outbox in the same transaction as the change it
//! describes (triggers on `verifications`, see `store/events.rs`); this module delivers the
//! outbox: [`sign`] makes the `webhook-*` headers, [`deliver`] posts each event and decides what
//! its answer means (delivered, retried on the spec's schedule, given up), tells the admins when
//! the URL has been failing for an hour and when it recovers (what was delivered is pruned by
//! the daily housekeeping).
//! Nothing here runs on a staff member's path: the delivery task only reads the outbox.

use std::time::Duration;

use reqwest::Url;
use secrecy::SecretString;

pub mod deliver;
pub mod sign;

pub use deliver::{EventsAlert, Outcome, Sender, run};
pub use sign::Signer;

/// Every event type, in the order the README documents them.
pub use crate::store::EVENT_TYPES as TYPES;

/// The spec's retry schedule, in seconds after each failure: immediately, 5 s, 5 min, 30 min,
/// 2 h, 5 h, 10 h, 14 h, 20 h, 24 h; after that every 24 h until `EVENTS_MAX_AGE`.
pub const SCHEDULE: [u64; 10] = [
    0, 5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400,
];

/// How long an event is retried when `EVENTS_MAX_AGE` is unset: a day.
pub const DEFAULT_MAX_AGE: u64 = 86_400;

/// Where events go and how: `EVENTS_URL`, `EVENTS_SECRET`, `EVENTS_TYPES`, `EVENTS_MAX_AGE`.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `EVENTS_URL`: https, or http to a loopback address.
    pub url: Url,
    /// `EVENTS_SECRET`: one `whsec_…` secret, or two while the business rotates them (every
    /// delivery then carries both signatures).
    pub secrets: Vec<SecretString>,
    /// `EVENTS_TYPES`: only these types are written to the outbox; `None`: all of them.
    pub types: Option<Vec<&'static str>>,
    /// `EVENTS_MAX_AGE`: how long after its change an event is retried before it is given up.
    pub max_age: Duration,
    /// The retry schedule: [`SCHEDULE`], or a shorter one for the tests
    /// (`VERIFY_BOT_TEST_EVENTS_SCHEDULE`).
    pub schedule: Vec<u64>,
}

/// Seconds to wait after the `failures`-th failure (1 for the first) by `schedule`, before
/// jitter: the schedule's entry at that place, its last entry once past its end.
pub fn retry_delay(schedule: &[u64], failures: u32) -> u64 {
    let at = (failures as usize).min(schedule.len().saturating_sub(1));
    schedule.get(at).copied().unwrap_or(0)
}

/// `delay` moved by up to ±20 %, at random, so that receivers that come back are not met by
/// every event at the same second.
pub fn jitter(delay: u64) -> u64 {
    let spread = delay / 5;
    if spread == 0 {
        return delay;
    }
    delay - spread + rand::random_range(0..=2 * spread)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_is_the_specs_then_its_last_step_again() {
        let delays: Vec<u64> = (1..=11).map(|n| retry_delay(&SCHEDULE, n)).collect();
        assert_eq!(
            delays,
            [
                5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400, 86_400, 86_400
            ]
        );
        assert_eq!(retry_delay(&[0, 1, 2], 1), 1);
        assert_eq!(retry_delay(&[0, 1, 2], 7), 2);
        assert_eq!(retry_delay(&[], 3), 0);
    }

    #[test]
    fn jitter_stays_within_a_fifth_either_way() {
        for _ in 0..1000 {
            let moved = jitter(300);
            assert!((240..=360).contains(&moved), "{moved}");
        }
        assert_eq!(jitter(0), 0);
        assert_eq!(jitter(4), 4);
        let seen: std::collections::BTreeSet<u64> = (0..200).map(|_| jitter(1800)).collect();
        assert!(seen.len() > 10, "jitter varies: {seen:?}");
    }
}
