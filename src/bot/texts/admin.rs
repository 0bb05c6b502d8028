//! Texts for admins: access refusals, resets, balance and events alerts, `/stats`, `/export`
//! and `/events`.

use teloxide::utils::html::escape;

use super::common::{View, phone_text};
use crate::chart::{DayActivity, Labels};
use crate::events::deliver::EventsAlert;
use crate::i18n::percent;
use crate::i18n::{Lang, duration, local_time, money};
use crate::phone::PhoneNumber;
use crate::store::{
    BalanceAlert, Endpoint, EventsSummary, PeriodStats, SenderAlert, SenderProblem,
};
use crate::tr;
use crate::verification::AdminAlert;

pub fn admins_only(lang: Lang) -> String {
    tr!(lang, "admins-only")
}

pub fn reset_usage(lang: Lang) -> String {
    tr!(lang, "reset-usage")
}

/// The number in full in a private chat, masked in a group.
pub fn reset_done(phone: &PhoneNumber, view: &View) -> String {
    tr!(
        view.lang,
        "reset-done",
        phone = escape(&phone_text(phone, view.group))
    )
}

pub fn balance_alert(lang: Lang, alert: BalanceAlert) -> String {
    match alert {
        BalanceAlert::Low { remaining } => {
            tr!(lang, "balance-low", remaining = money(lang, remaining))
        }
        BalanceAlert::Empty => tr!(lang, "balance-empty"),
    }
}

/// What every admin is told on the bot's own initiative.
pub fn admin_alert(lang: Lang, alert: &AdminAlert) -> String {
    match alert {
        AdminAlert::Balance(balance) => balance_alert(lang, *balance),
        AdminAlert::Sender(sender) => sender_alert(lang, sender),
    }
}

/// What admins are told about events: failing for an hour (and for how long, with the last
/// error), working again, or stopped by a 410.
pub fn events_alert(lang: Lang, alert: &EventsAlert, now: i64) -> String {
    match alert {
        EventsAlert::Failing { since, error } => {
            let failing = (now - since).max(60) as u32;
            let failing = failing - failing % 60;
            tr!(
                lang,
                "events-alert-failing",
                duration = crate::i18n::duration(lang, failing),
                error = escape(error)
            )
        }
        EventsAlert::Recovered => tr!(lang, "events-alert-recovered"),
        EventsAlert::Gone => tr!(lang, "events-alert-gone"),
    }
}

/// The Gateway refused to send from the configured channel: what is wrong, and what to fix.
pub fn sender_alert(lang: Lang, alert: &SenderAlert) -> String {
    let channel = channel(&alert.username);
    match alert.problem {
        SenderProblem::NotVerified => tr!(lang, "sender-not-verified", channel = channel),
        SenderProblem::NotOwned => tr!(lang, "sender-not-owned", channel = channel),
        SenderProblem::UsernameInvalid => {
            tr!(lang, "sender-username-invalid", channel = channel)
        }
    }
}

/// A channel's username as people write it: `@my_shop`.
pub(super) fn channel(username: &str) -> String {
    format!("@{}", escape(username))
}

/// The names of the `/stats` periods: today, 7 days, 30 days.
pub fn stats_periods(lang: Lang) -> [String; 3] {
    [
        tr!(lang, "stats-today"),
        tr!(lang, "stats-7-days"),
        tr!(lang, "stats-30-days"),
    ]
}

/// The name of `TIME_ZONE` as people read it in a title: `Europe/Moscow`, or `UTC`.
fn zone_name(tz: &jiff::tz::TimeZone) -> &str {
    tz.iana_name().unwrap_or("UTC")
}

/// `/stats`: today, 7 days and 30 days (days in `TIME_ZONE`), and the last known balance.
pub fn stats(
    lang: Lang,
    periods: &[(&str, &PeriodStats)],
    balance: Option<f64>,
    tz: &jiff::tz::TimeZone,
) -> String {
    let mut text = tr!(lang, "stats-title", zone = zone_name(tz));
    text.push('\n');
    for (name, p) in periods {
        let rate = p
            .success_rate()
            .map(|r| percent(lang, r))
            .unwrap_or_else(|| "—".into());
        // Grouped as the chart groups them: 1,234 / 1 234.
        let count = |n: i64| crate::i18n::count(lang, n.max(0).unsigned_abs());
        let period = tr!(
            lang,
            "stats-period",
            name = *name,
            sent = count(p.sent),
            verified = count(p.verified),
            failed = count(p.failed),
            expired = count(p.expired),
            cancelled = count(p.cancelled),
            rate = rate,
            spent = money(lang, p.spent),
            refunded = money(lang, p.refunded),
            by_contact = count(p.by_contact)
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

/// The chart's words for these days: title, legend with the period's totals, one date label
/// per day, and what an empty chart says.
pub fn chart_labels(lang: Lang, days: &[DayActivity], tz: &jiff::tz::TimeZone) -> Labels {
    let months = crate::i18n::months(lang);
    let total = |count: fn(&DayActivity) -> u32| {
        crate::i18n::count(lang, days.iter().map(|d| u64::from(count(d))).sum())
    };
    let day_label = |day: &DayActivity| {
        let date = jiff::Timestamp::from_second(day.day_start)
            .unwrap_or_default()
            .to_zoned_datetime(tz.clone())
            .date();
        let month = months[usize::from(date.month().unsigned_abs()) - 1].clone();
        tr!(lang, "chart-day", month = month, day = date.day())
    };
    Labels {
        title: tr!(lang, "chart-title", zone = zone_name(tz)),
        sent: tr!(lang, "chart-sent", count = total(|d| d.sent)),
        verified: tr!(lang, "chart-verified", count = total(|d| d.verified)),
        days: days.iter().map(day_label).collect(),
        empty: tr!(lang, "chart-empty"),
        thousands: crate::i18n::thousands_separator(lang),
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

pub fn export_caption(lang: Lang, count: u64, days: u32) -> String {
    let shown = crate::i18n::count(lang, count);
    tr!(
        lang,
        "export-caption",
        count = count,
        shown = shown,
        days = days
    )
}

/// An export's progress: `done` of `total` rows written.
pub fn export_progress(lang: Lang, done: u64, total: u64) -> String {
    let (done, total) = (
        crate::i18n::count(lang, done),
        crate::i18n::count(lang, total),
    );
    tr!(lang, "export-progress", done = done, total = total)
}

/// An export is written and sent: `count` rows.
pub fn export_done(lang: Lang, count: u64) -> String {
    let shown = crate::i18n::count(lang, count);
    tr!(lang, "export-done", count = count, shown = shown)
}

/// The caption of the CSV file of an export asked for in the admin panel: `from` and `to` as
/// the panel sent them, a `YYYY-MM-DD` date shown the reader's way (`1 Nov 2026`,
/// `01.11.2026`).
pub fn export_range_caption(lang: Lang, count: u64, from: &str, to: &str) -> String {
    let date = |raw: &str| match raw.parse::<jiff::civil::Date>() {
        Ok(date) => match lang {
            Lang::En => date.strftime("%-d %b %Y").to_string(),
            Lang::Ru => date.strftime("%d.%m.%Y").to_string(),
        },
        Err(_) => escape(raw).to_string(),
    };
    let shown = crate::i18n::count(lang, count);
    tr!(
        lang,
        "export-caption-range",
        count = count,
        shown = shown,
        from = date(from),
        to = date(to)
    )
}

/// The caption of the `/export` workbook, whose times are in `tz` (`TIME_ZONE`).
pub fn export_workbook_caption(lang: Lang, tz: &jiff::tz::TimeZone) -> String {
    let zone = match tz.iana_name() {
        Some(name) => name.to_owned(),
        None => {
            let offset = tz.to_offset(jiff::Timestamp::now());
            format!("UTC{offset}")
        }
    };
    tr!(lang, "export-workbook-caption", zone = escape(&zone))
}

/// The `/export` workbook's words: its sheet, its column titles and the words in its cells.
pub fn export_words(lang: Lang) -> crate::export::Words {
    use crate::gateway::DeliveryState;
    crate::export::Words {
        sheet: tr!(lang, "export-sheet"),
        titles: export_titles(lang),
        // The panel's words for the same things.
        status: Box::new(move |status| {
            crate::i18n::text(lang, &format!("panel-status-{}", status.as_str()), &[])
        }),
        delivery: Box::new(move |state| match DeliveryState::from(state.to_owned()) {
            DeliveryState::Unknown(other) => other,
            known => super::delivery_state(lang, &known),
        }),
        method: Box::new(move |method| {
            crate::i18n::text(lang, &format!("panel-method-{}", method.as_str()), &[])
        }),
    }
}

/// The `/export` workbook's column titles, in the CSV's column order.
fn export_titles(lang: Lang) -> crate::export::Titles {
    const COLUMNS: [&str; 13] = [
        "created",
        "staff-id",
        "staff-name",
        "phone",
        "request",
        "status",
        "delivery",
        "cost",
        "refunded",
        "checked",
        "method",
        "consent-by",
        "consent-at",
    ];
    COLUMNS.map(|column| crate::i18n::text(lang, &format!("export-column-{column}"), &[]))
}

/// The name of an export's file, for the day given as `2026-11-27`: `verifications-2026-11-27.csv`,
/// or `verifications-2026-11-27-part2.csv` when the export comes in parts.
pub fn export_part_name(today: &str, kind: crate::export::Kind, part: u32, parts: u32) -> String {
    let extension = match kind {
        crate::export::Kind::Csv => "csv",
        crate::export::Kind::Xlsx => "xlsx",
    };
    match parts {
        1 => format!("verifications-{today}.{extension}"),
        _ => format!("verifications-{today}-part{part}.{extension}"),
    }
}

/// `/events`: the URL, its state (delivering, failing since … with the last error, stopped by
/// a `410 Gone`), the last success, and the outbox: pending (with the oldest's age), given up,
/// delivered in the last day.
pub fn events_state(
    view: &View,
    url: &str,
    endpoint: Option<&Endpoint>,
    summary: &EventsSummary,
    now: i64,
) -> String {
    let lang = view.lang;
    let at = |t: i64| local_time(lang, t, &view.tz);
    let state = match endpoint {
        Some(Endpoint {
            gone_at: Some(gone),
            ..
        }) => tr!(lang, "events-state-gone", at = at(*gone)),
        Some(Endpoint {
            failing_since: Some(since),
            last_error,
            ..
        }) => tr!(
            lang,
            "events-state-failing",
            since = at(*since),
            error = escape(last_error.as_deref().unwrap_or("?"))
        ),
        Some(Endpoint {
            last_success_at: Some(_),
            ..
        }) => tr!(lang, "events-state-ok"),
        _ => tr!(lang, "events-state-none-yet"),
    };
    let last_success = match endpoint.and_then(|e| e.last_success_at) {
        Some(t) => at(t),
        None => tr!(lang, "events-never"),
    };
    let pending = match summary.oldest_pending_at {
        Some(oldest) if summary.pending > 0 => tr!(
            lang,
            "events-pending-oldest",
            count = summary.pending,
            age = duration(lang, (now - oldest).clamp(0, i64::from(u32::MAX)) as u32)
        ),
        _ => tr!(lang, "events-pending", count = summary.pending),
    };
    let given_up = if summary.given_up > 0 {
        tr!(lang, "events-given-up-resend", count = summary.given_up)
    } else {
        tr!(lang, "events-given-up", count = summary.given_up)
    };
    tr!(
        lang,
        "events-state",
        url = escape(url),
        state = state,
        last_success = last_success,
        pending = pending,
        given_up = given_up,
        delivered = summary.delivered_last_day
    )
}

/// `/events resend`: how many given-up events were queued again.
pub fn events_resent(lang: Lang, queued: u64) -> String {
    if queued == 0 {
        tr!(lang, "events-resend-none")
    } else {
        tr!(lang, "events-resent", count = queued)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes a Russian sample chart to /tmp/stats-sample-ru.png for a human to look at:
    /// `cargo test --lib texts::admin::tests::write_russian_sample -- --ignored`.
    #[test]
    #[ignore]
    fn write_russian_sample() {
        let days: Vec<DayActivity> = (0..30)
            .map(|i| DayActivity {
                day_start: 1_793_232_000 + i * 86_400,
                sent: (i as u32 * 7) % 23 + 3,
                verified: (i as u32 * 5) % 17 + 1,
            })
            .collect();
        let png = crate::chart::activity_png(
            &days,
            &chart_labels(Lang::Ru, &days, &jiff::tz::TimeZone::UTC),
        )
        .unwrap();
        std::fs::write("/tmp/stats-sample-ru.png", png).unwrap();
    }

    #[test]
    fn every_chart_label_fits_the_picture() {
        let days: Vec<DayActivity> = (0..30)
            .map(|i| DayActivity {
                day_start: 1_793_232_000 + i * 86_400,
                sent: 123_456,
                verified: 98_765,
            })
            .collect();
        for lang in Lang::ALL {
            let words = chart_labels(lang, &days, &jiff::tz::TimeZone::UTC);
            assert_eq!(
                crate::chart::overflowing(&words),
                Vec::<String>::new(),
                "{lang:?}"
            );
        }
    }

    #[test]
    fn a_panel_export_names_its_dates_the_readers_way() {
        let en = export_range_caption(Lang::En, 2, "2026-11-01", "2026-11-27");
        assert!(
            en.contains("2 verifications from 1 Nov 2026 to 27 Nov 2026"),
            "{en}"
        );
        let ru = export_range_caption(Lang::Ru, 1, "2026-11-01", "2026-11-27");
        assert!(ru.contains("1 проверка с 01.11.2026 по 27.11.2026"), "{ru}");
        let raw = export_range_caption(Lang::En, 2, "1795737600", "<b>");
        assert!(raw.contains("from 1795737600 to &lt;b&gt;"), "{raw}");
    }

    #[test]
    fn chart_words_are_the_readers() {
        let day = |day_start, sent, verified| DayActivity {
            day_start,
            sent,
            verified,
        };
        // 2026-10-29 and 2026-11-27, 00:00 UTC (an hour in, for the second).
        let days = [
            day(1_793_232_000, 1200, 1000),
            day(1_795_737_600 + 3600, 34, 0),
        ];
        let en = chart_labels(Lang::En, &days, &jiff::tz::TimeZone::UTC);
        assert_eq!(en.days, ["29 Oct", "27 Nov"]);
        assert_eq!(en.sent, "Codes sent: 1,234");
        assert_eq!(en.verified, "Verified: 1,000");
        assert_eq!(
            en.empty,
            "No codes were sent and no numbers verified in this period"
        );
        let ru = chart_labels(Lang::Ru, &days, &jiff::tz::TimeZone::UTC);
        assert_eq!(ru.sent, "Отправлено: 1\u{a0}234");
        assert!(!ru.empty.is_ascii(), "{}", ru.empty);
        assert_eq!(ru.thousands, '\u{a0}');
    }
}
