//! Texts for admins: access refusals, resets, balance alerts, `/stats` and `/export`.

use teloxide::utils::html::escape;

use super::{Lang, money};
use crate::i18n::percent;
use crate::phone::PhoneNumber;
use crate::store::{BalanceAlert, PeriodStats};
use crate::tr;

pub fn admins_only(lang: Lang) -> String {
    tr!(lang, "admins-only")
}

pub fn reset_usage(lang: Lang) -> String {
    tr!(lang, "reset-usage")
}

pub fn reset_done(lang: Lang, phone: &PhoneNumber) -> String {
    tr!(lang, "reset-done", phone = escape(phone.international()))
}

pub fn balance_alert(lang: Lang, alert: BalanceAlert) -> String {
    match alert {
        BalanceAlert::Low { remaining } => {
            tr!(lang, "balance-low", remaining = money(lang, remaining))
        }
        BalanceAlert::Empty => tr!(lang, "balance-empty"),
    }
}

/// The names of the `/stats` periods: today, 7 days, 30 days.
pub fn stats_periods(lang: Lang) -> [String; 3] {
    [
        tr!(lang, "stats-today"),
        tr!(lang, "stats-7-days"),
        tr!(lang, "stats-30-days"),
    ]
}

/// `/stats`: today, 7 days and 30 days, and the last known balance.
pub fn stats(lang: Lang, periods: &[(&str, &PeriodStats)], balance: Option<f64>) -> String {
    let mut text = tr!(lang, "stats-title");
    text.push('\n');
    for (name, p) in periods {
        let rate = p
            .success_rate()
            .map(|r| percent(lang, r))
            .unwrap_or_else(|| "–".into());
        let period = tr!(
            lang,
            "stats-period",
            name = *name,
            sent = p.sent.to_string(),
            verified = p.verified.to_string(),
            failed = p.failed.to_string(),
            expired = p.expired.to_string(),
            cancelled = p.cancelled.to_string(),
            rate = rate,
            spent = money(lang, p.spent),
            refunded = money(lang, p.refunded)
        );
        text.push_str(&format!("\n{period}\n"));
    }
    let balance = balance
        .map(|b| money(lang, b))
        .unwrap_or_else(|| tr!(lang, "stats-balance-unknown"));
    text.push_str(&format!(
        "\n{}",
        tr!(lang, "stats-balance", balance = balance)
    ));
    text
}

/// The chart's title, legend and date labels.
pub fn chart_labels(lang: Lang) -> crate::chart::Labels {
    let months = crate::i18n::months(lang);
    crate::chart::Labels {
        title: tr!(lang, "chart-title"),
        sent: Box::new(move |n| tr!(lang, "chart-sent", count = n)),
        verified: Box::new(move |n| tr!(lang, "chart-verified", count = n)),
        day: Box::new(move |month, day| {
            let month = months[month as usize - 1].clone();
            tr!(lang, "chart-day", month = month, day = day)
        }),
        thousands: match lang {
            Lang::En => ',',
            Lang::Ru => '\u{a0}',
        },
    }
}

pub fn stats_chart_caption(lang: Lang) -> String {
    tr!(lang, "chart-caption")
}

pub fn export_usage(lang: Lang) -> String {
    tr!(lang, "export-usage")
}

pub fn export_empty(lang: Lang, days: u32) -> String {
    tr!(lang, "export-empty", days = days)
}

pub fn export_caption(lang: Lang, count: usize, days: u32) -> String {
    tr!(lang, "export-caption", count = count, days = days)
}

pub fn export_file_name(today: &str) -> String {
    format!("verifications-{today}.csv")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes a Russian sample chart to /tmp/stats-sample-ru.png for a human to look at:
    /// `cargo test --lib texts::admin::tests::write_russian_sample -- --ignored`.
    #[test]
    #[ignore]
    fn write_russian_sample() {
        let days: Vec<crate::chart::DayActivity> = (0..30)
            .map(|i| crate::chart::DayActivity {
                day_start: 1_793_232_000 + i * 86_400,
                sent: (i as u32 * 7) % 23 + 3,
                verified: (i as u32 * 5) % 17 + 1,
            })
            .collect();
        let png = crate::chart::activity_png_with(&days, &chart_labels(Lang::Ru)).unwrap();
        std::fs::write("/tmp/stats-sample-ru.png", png).unwrap();
    }
}
