//! The bot's settings: what its handlers need to know about the deployment (`ADMIN_IDS`,
//! `DEFAULT_REGION`, `INVITE_TTL`, `TIME_ZONE`, `DEFAULT_LANGUAGE`), built whole here and used
//! by the bot as [`crate::bot::Settings`].

use super::parse::{ConfigError, Env, ids};
use crate::i18n::Lang;

/// What the handlers need to know about the deployment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `ADMIN_IDS`: Telegram user ids that are always admins.
    pub admin_ids: Vec<u64>,
    /// `DEFAULT_REGION`: ISO country used for numbers typed without a country code.
    pub default_region: Option<phonenumber::country::Id>,
    /// `INVITE_TTL`: seconds an `/invite` link stays valid.
    pub invite_ttl: u32,
    /// `TIME_ZONE`: the business's IANA time zone, for times shown in chats.
    pub time_zone: jiff::tz::TimeZone,
    /// `DEFAULT_LANGUAGE`: for people whose Telegram app reports no language (`en` or `ru`).
    pub default_lang: Lang,
    /// `EVENTS_URL`, if events are on (read with the events' settings): what `/events` reports
    /// on.
    pub events_url: Option<String>,
    /// The admin panel's address (`PUBLIC_URL` + `app/`, read with the HTTP settings), if it is
    /// served: what `/panel` and the menu button open.
    pub panel_url: Option<String>,
    /// `VERIFY_BOT_TEST_PANIC_ON`, for tests only: a staff message with exactly this text makes
    /// its handler panic, so that the tests can see a panic cost only that update.
    pub test_panic_on: Option<String>,
    /// Where a big export is cut into parts (Telegram's 50 MB upload limit); for tests,
    /// `VERIFY_BOT_TEST_EXPORT_PART_BYTES` and `VERIFY_BOT_TEST_EXPORT_PART_ROWS` cut smaller.
    pub export_limits: crate::export::Limits,
    /// How long an export runs before it shows its progress (2 s; for tests,
    /// `VERIFY_BOT_TEST_EXPORT_PROGRESS_MS`).
    pub export_progress_after: std::time::Duration,
}

impl Settings {
    pub(super) fn read(env: &Env) -> Result<Self, ConfigError> {
        Ok(Settings {
            admin_ids: env.parsed("ADMIN_IDS", ids)?.unwrap_or_default(),
            default_region: env.parsed("DEFAULT_REGION", region)?,
            invite_ttl: env.number("INVITE_TTL", 60..=2_592_000, 86_400)?,
            time_zone: env
                .parsed("TIME_ZONE", time_zone)?
                .unwrap_or(jiff::tz::TimeZone::UTC),
            default_lang: env
                .parsed("DEFAULT_LANGUAGE", language)?
                .unwrap_or(Lang::En),
            events_url: None,
            panel_url: None,
            test_panic_on: env.get("VERIFY_BOT_TEST_PANIC_ON"),
            export_limits: export_limits(env)?,
            export_progress_after: std::time::Duration::from_millis(u64::from(env.number(
                "VERIFY_BOT_TEST_EXPORT_PROGRESS_MS",
                0..=60_000,
                2_000,
            )?)),
        })
    }
}

/// Telegram's limits, unless a test asks for smaller parts.
fn export_limits(env: &Env) -> Result<crate::export::Limits, ConfigError> {
    let limits = crate::export::Limits::default();
    Ok(crate::export::Limits {
        csv_bytes: u64::from(env.number(
            "VERIFY_BOT_TEST_EXPORT_PART_BYTES",
            100..=45_000_000,
            u32::try_from(limits.csv_bytes).unwrap_or(u32::MAX),
        )?),
        xlsx_rows: env.number(
            "VERIFY_BOT_TEST_EXPORT_PART_ROWS",
            1..=1_000_000,
            limits.xlsx_rows,
        )?,
    })
}

fn region(raw: &str) -> Result<phonenumber::country::Id, String> {
    raw.to_ascii_uppercase()
        .parse()
        .map_err(|_| format!("{raw:?} is not an ISO 3166 country code such as GB or RU"))
}

fn time_zone(name: &str) -> Result<jiff::tz::TimeZone, String> {
    jiff::tz::TimeZone::get(name)
        .map_err(|_| format!("{name:?} is not an IANA time zone such as Europe/London"))
}

fn language(code: &str) -> Result<Lang, String> {
    Lang::parse(code).ok_or_else(|| format!("{code:?} is not a supported language: use en or ru"))
}
