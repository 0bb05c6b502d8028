//! How long the bot and PostgreSQL wait for each other (`DATABASE_LOCK_TIMEOUT`,
//! `DATABASE_STATEMENT_TIMEOUT`, `DATABASE_IDLE_TIMEOUT`, `DATABASE_KEEPALIVE`): PostgreSQL
//! only, so that a replica whose database connection stalls stops only itself.

use std::time::Duration;

use super::parse::{ConfigError, parse_in_range};
use crate::store::Timeouts;

/// Reads the four settings (seconds, range-checked) and checks that they fit together: a
/// stalled replica's transaction ends before the others give up waiting for its lock, and a
/// lock wait ends before the call that waits gives up.
pub(super) fn timeouts_from_lookup(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Timeouts, ConfigError> {
    let defaults = Timeouts::default();
    let read = |var: &'static str, range, default: Duration| {
        parse_in_range(get(var), var, range, default.as_secs() as u32)
    };
    let lock = read("DATABASE_LOCK_TIMEOUT", 1..=600, defaults.lock)?;
    let statement = read("DATABASE_STATEMENT_TIMEOUT", 1..=3600, defaults.statement)?;
    let idle = read(
        "DATABASE_IDLE_TIMEOUT",
        1..=600,
        defaults.idle_in_transaction,
    )?;
    let keepalive = read("DATABASE_KEEPALIVE", 1..=3600, defaults.keepalive)?;
    if idle >= lock {
        return Err(ConfigError::Invalid {
            var: "DATABASE_IDLE_TIMEOUT",
            reason: format!(
                "{idle} s must be shorter than DATABASE_LOCK_TIMEOUT ({lock} s), so that a \
                 stalled replica's locks are freed before the others stop waiting for them"
            ),
        });
    }
    if lock >= statement {
        return Err(ConfigError::Invalid {
            var: "DATABASE_LOCK_TIMEOUT",
            reason: format!(
                "{lock} s must be shorter than DATABASE_STATEMENT_TIMEOUT ({statement} s), so \
                 that a call waiting for a lock gets it or a clear refusal in time"
            ),
        });
    }
    let secs = |s: u32| Duration::from_secs(s.into());
    Ok(Timeouts {
        lock: secs(lock),
        statement: secs(statement),
        idle_in_transaction: secs(idle),
        keepalive: secs(keepalive),
    })
}
