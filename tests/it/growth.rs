//! What a growing history changes for the people using the bot (issue #25): `/stats` counts
//! days in `TIME_ZONE`, and `RETENTION_DAYS` reduces old records to masked numbers while the
//! counts stay.

use crate::common::app::{PHONE, PHONE_E164, TestApp, assert_says, eventually};
use crate::on_test_db;

const DAY: i64 = 86_400;

/// The bot's clock now (the test clock file holds how far it runs ahead of this host's).
fn bot_now(app: &TestApp) -> i64 {
    let file = app.env("VERIFY_BOT_TEST_CLOCK").expect("a test clock");
    let ahead: i64 = std::fs::read_to_string(file)
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0);
    let host = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    host + ahead
}

/// The text of one period of `/stats`, from its title to the next one.
fn period<'a>(stats: &'a str, title: &str) -> &'a str {
    let start = stats
        .find(title)
        .unwrap_or_else(|| panic!("{title} in {stats}"));
    let rest = &stats[start..];
    let end = rest[1..].find("<b>").map_or(rest.len(), |at| at + 1);
    &rest[..end]
}

/// A code verified at 23:00 in Nouméa (UTC+11, 12:00 UTC) is yesterday there an hour and a
/// half later, although it is still the same day in UTC: `/stats` counts it in the last 7 days,
/// not today, and says which days it counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_count_days_in_the_time_zone() {
    let app = TestApp::spawn_with_admin(&[("TIME_ZONE", "Pacific/Noumea")]).await;
    // To the next 12:00 UTC (23:00 in Nouméa), plus a minute.
    let now = bot_now(&app);
    let noon = now - now.rem_euclid(DAY) + DAY / 2;
    let noon = if noon > now { noon } else { noon + DAY };
    app.advance_clock(noon + 60 - now);
    app.verify_to_the_end(PHONE).await;

    let stats = app.say("/stats").await;
    assert_says(&stats, "(days in Pacific/Noumea)");
    let today = period(&stats.text, "<b>Today</b>");
    assert!(today.contains("Codes sent: 1"), "{today}");

    // 13:30 UTC: the same UTC day, the next day in Nouméa.
    app.advance_clock(90 * 60);
    let stats = app.say("/stats").await;
    let today = period(&stats.text, "<b>Today</b>");
    assert!(today.contains("Codes sent: 0"), "{today}");
    let week = period(&stats.text, "<b>Last 7\u{a0}days</b>");
    assert!(week.contains("Codes sent: 1"), "{week}");
}

/// Past `RETENTION_DAYS`, a verification keeps its number only masked: `/lookup` no longer
/// knows the number, `/history` and `/stats` still show and count the verification, and its
/// audit rows stay.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_retention_a_number_is_only_masked_and_still_counted() {
    let app = TestApp::spawn_with_admin(&[("RETENTION_DAYS", "1")]).await;
    app.verify_to_the_end(PHONE).await;
    let lookup = app.say(&format!("/lookup {PHONE}")).await;
    assert_says(&lookup, "✅ Last verified");
    let stored = async || -> String {
        let db = app.database().await;
        on_test_db!(db, pool => sqlx::query_scalar("SELECT phone FROM verifications")
            .fetch_one(pool)
            .await)
        .unwrap()
    };
    assert_eq!(stored().await, PHONE_E164);

    // Two days later the daily housekeeping (due a day after the first, at start-up) runs.
    app.advance_clock(2 * DAY);
    eventually("the number reduced to its mask", async || {
        (stored().await == "+44 79•• •••456").then_some(())
    })
    .await;
    let lookup = app.say(&format!("/lookup {PHONE}")).await;
    assert_says(&lookup, "I have never seen this number");
    let history = app.say("/history").await;
    assert_says(&history, "✅ <code>+44 79•• •••456</code>");
    let stats = app.say("/stats").await;
    let week = period(&stats.text, "<b>Last 7\u{a0}days</b>");
    assert!(week.contains("Codes sent: 1"), "{week}");
    // The audit rows of the send and the check stay.
    let audit = app.audit().await;
    let kept: Vec<&str> = audit
        .iter()
        .map(|(_, action, _, _)| action.as_str())
        .collect();
    assert!(
        kept.contains(&"send") && kept.contains(&"check"),
        "{kept:?}"
    );
}
