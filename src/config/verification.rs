//! The flow's settings, built whole here: how codes are sent and what they may cost
//! ([`Policy`], with the spending [`Limits`]), and what is asked of customers before spending
//! ([`Rules`]).

use std::time::Duration;

use super::parse::{ConfigError, Env, sender_username};
use crate::customers::Rules;
use crate::store::Limits;
use crate::verification::Policy;

/// `CODE_LENGTH`, `CODE_TTL`, the limits, `PRECHECK`, `LOW_BALANCE` and `SENDER_USERNAME`;
/// `gateway_timeout` is `GATEWAY_TIMEOUT`, which the Gateway client uses too.
pub(super) fn policy(env: &Env, gateway_timeout: Duration) -> Result<Policy, ConfigError> {
    Ok(Policy {
        code_length: env.number("CODE_LENGTH", 4..=8, 6)? as u8,
        ttl: env.number("CODE_TTL", 30..=3600, 300)?,
        gateway_timeout,
        limits: limits(env)?,
        precheck: env.flag("PRECHECK", false)?,
        low_balance: env.money("LOW_BALANCE", 1.0)?,
        sender_username: env.parsed("SENDER_USERNAME", sender_username)?,
    })
}

/// What sends may cost: `PHONE_SEND_LIMIT`, `PHONE_SEND_WINDOW`, `RESEND_COOLDOWN`,
/// `STAFF_DAILY_LIMIT`, `DAILY_BUDGET`.
fn limits(env: &Env) -> Result<Limits, ConfigError> {
    let defaults = Limits::default();
    Ok(Limits {
        phone_sends: env.number("PHONE_SEND_LIMIT", 1..=1000, defaults.phone_sends)?,
        phone_window: env
            .number(
                "PHONE_SEND_WINDOW",
                1..=604_800,
                defaults.phone_window as u32,
            )?
            .into(),
        resend_cooldown: env
            .number(
                "RESEND_COOLDOWN",
                0..=86_400,
                defaults.resend_cooldown as u32,
            )?
            .into(),
        staff_daily: env.number("STAFF_DAILY_LIMIT", 0..=1_000_000, defaults.staff_daily)?,
        daily_budget: env.money("DAILY_BUDGET", defaults.daily_budget)?,
    })
}

/// What is asked of customers: `REVERIFY_AFTER_DAYS`, `CONFIRM_CONSENT`, `QR_TTL`.
pub(super) fn customer_rules(env: &Env) -> Result<Rules, ConfigError> {
    let defaults = Rules::default();
    Ok(Rules {
        reverify_after_days: env.number(
            "REVERIFY_AFTER_DAYS",
            0..=3650,
            defaults.reverify_after_days,
        )?,
        confirm_consent: env.flag("CONFIRM_CONSENT", false)?,
        qr_ttl: env.number("QR_TTL", 60..=86_400, defaults.qr_ttl)?,
    })
}
