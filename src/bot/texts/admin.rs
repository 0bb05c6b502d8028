//! Texts for admins: access refusals, resets, balance alerts.

use teloxide::utils::html::escape;

use super::money;
use crate::phone::PhoneNumber;
use crate::store::{BalanceAlert, PeriodStats};

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

/// `/stats`: today, 7 days and 30 days, and the last known balance.
pub fn stats(periods: &[(&str, &PeriodStats)], balance: Option<f64>) -> String {
    let mut text = String::from("📊 <b>Verifications</b> (UTC days)\n");
    for (name, p) in periods {
        let rate = p
            .success_rate()
            .map(|r| format!("{:.0}%", r * 100.0))
            .unwrap_or_else(|| "–".into());
        text.push_str(&format!(
            "\n<b>{name}</b>\n\
             Codes sent: {}\n\
             ✅ Verified: {} · ⛔ Failed: {} · ⌛ Expired: {} · 🚫 Cancelled: {}\n\
             Success rate: {rate}\n\
             Spent: {} · refunded: {}\n",
            p.sent,
            p.verified,
            p.failed,
            p.expired,
            p.cancelled,
            money(p.spent),
            money(p.refunded)
        ));
    }
    let balance = balance
        .map(money)
        .unwrap_or_else(|| "not reported yet".into());
    text.push_str(&format!("\n💰 Gateway balance (last reported): {balance}"));
    text
}

pub const STATS_PERIODS: [&str; 3] = ["Today", "Last 7 days", "Last 30 days"];

pub fn stats_chart_title() -> String {
    "Codes sent and verified per day, last 30 days (UTC)".into()
}

pub fn stats_chart_caption() -> String {
    "📈 Codes sent and verified per day".into()
}

pub fn export_usage() -> String {
    "Send /export for the last 30 days, or /export 7 for the last 7 (1–366).".into()
}

pub fn export_empty(days: u32) -> String {
    format!(
        "No verifications in the last {days} day{s}, so there is nothing to export.",
        s = if days == 1 { "" } else { "s" }
    )
}

pub fn export_caption(count: usize, days: u32) -> String {
    format!(
        "🧾 {count} verification{s} from the last {days} day{d} (times in UTC).",
        s = if count == 1 { "" } else { "s" },
        d = if days == 1 { "" } else { "s" }
    )
}

pub fn export_file_name(today: &str) -> String {
    format!("verifications-{today}.csv")
}
