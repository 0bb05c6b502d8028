//! Texts for admins: access refusals, resets, balance alerts.

use teloxide::utils::html::escape;

use super::money;
use crate::phone::PhoneNumber;
use crate::store::BalanceAlert;

pub fn admins_only() -> String {
    "🔒 Only admins can do that.".into()
}

pub fn reset_usage() -> String {
    "To clear a number's send limit, send /reset and the number, for example:\n\
     <code>/reset +44 7911 123456</code>"
        .into()
}

pub fn reset_done(phone: &PhoneNumber) -> String {
    format!(
        "♻️ The send limit and cooldown of <code>{}</code> are cleared. The next /verify may \
         send a code at once.",
        escape(phone.international())
    )
}

pub fn balance_alert(alert: BalanceAlert) -> String {
    match alert {
        BalanceAlert::Low { remaining } => format!(
            "💰 The Telegram Gateway balance is low: {} left. Top it up at \
             gateway.telegram.org so that codes keep going out.",
            money(remaining)
        ),
        BalanceAlert::Empty => "💰 The Telegram Gateway balance is used up: codes cannot be \
             sent until it is topped up at gateway.telegram.org."
            .into(),
    }
}
