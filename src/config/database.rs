//! How long the bot and PostgreSQL wait for each other (`DATABASE_LOCK_TIMEOUT`,
//! `DATABASE_STATEMENT_TIMEOUT`, `DATABASE_IDLE_TIMEOUT`, `DATABASE_KEEPALIVE`): PostgreSQL
//! only, so that a replica whose database connection stalls stops only itself.

use std::time::Duration;

use super::parse::{ConfigError, Env};
use crate::store::Timeouts;

/// Reads the four settings (seconds, range-checked) and checks that they fit together: a
/// stalled replica's transaction ends before the others give up waiting for its lock, and a
/// lock wait ends before the call that waits gives up.
pub(super) fn timeouts(env: &Env) -> Result<Timeouts, ConfigError> {
    let defaults = Timeouts::default();
    let read = |var: &'static str, range, default: Duration| {
        let value = env.number(var, range, default.as_secs() as u32)?;
        Ok::<_, ConfigError>((var, value))
    };
    let (lock_var, lock) = read("DATABASE_LOCK_TIMEOUT", 1..=600, defaults.lock)?;
    let (statement_var, statement) =
        read("DATABASE_STATEMENT_TIMEOUT", 1..=3600, defaults.statement)?;
    let (idle_var, idle) = read(
        "DATABASE_IDLE_TIMEOUT",
        1..=600,
        defaults.idle_in_transaction,
    )?;
    let (_, keepalive) = read("DATABASE_KEEPALIVE", 1..=3600, defaults.keepalive)?;
    if idle >= lock {
        return Err(ConfigError::Invalid {
            var: idle_var,
            reason: format!(
                "{idle} s must be shorter than {lock_var} ({lock} s), so that a stalled \
                 replica's locks are freed before the others stop waiting for them"
            ),
        });
    }
    if lock >= statement {
        return Err(ConfigError::Invalid {
            var: lock_var,
            reason: format!(
                "{lock} s must be shorter than {statement_var} ({statement} s), so that a call \
                 waiting for a lock gets it or a clear refusal in time"
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
