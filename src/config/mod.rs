//! Configuration: read once at start-up from the environment (and `.env`), validated here so that
//! a bad value stops the bot with one clear line naming the variable.
//!
//! Each variable is named once, where it is read ([`parse`]'s `Env`), straight into the settings
//! of the part that uses it: the flow's [`Policy`] and the customer rules ([`verification`]),
//! the bot's [`Settings`] ([`bot`]), the database's timeouts ([`database`]) and the HTTP side
//! ([`http`]). Start-up hands them over as they are.

use std::time::Duration;

use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};

use crate::verification::Policy;

mod bot;
mod database;
mod events;
mod http;
mod parse;
mod verification;

pub use bot::Settings;
pub use http::{DEFAULT_HTTP_ADDR, HttpConfig, REPORT_PATH, WebhookConfig};
pub use parse::ConfigError;
use parse::{Env, secret, url};

/// Everything the bot needs to know about its deployment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `TELOXIDE_TOKEN`: the Bot API token from @BotFather.
    pub telegram_token: SecretString,
    /// `TELOXIDE_API_URL`: a Bot API server other than api.telegram.org (tests, local servers).
    pub telegram_api_url: Option<Url>,
    /// `GATEWAY_TOKEN`: the Telegram Gateway API access token.
    pub gateway_token: SecretString,
    /// `GATEWAY_API_URL`: base URL of the Gateway API, always ending in `/`.
    pub gateway_api_url: Url,
    /// `GATEWAY_TIMEOUT`: how long one Gateway call may take before staff are told it failed
    /// (the flow's [`Policy::gateway_timeout`] too).
    pub gateway_timeout: Duration,
    /// `DATABASE_URL`: the SQLite database (created if missing) or the PostgreSQL one, by the
    /// URL's scheme.
    pub database_url: String,
    /// `DATABASE_LOCK_TIMEOUT`, `DATABASE_STATEMENT_TIMEOUT`, `DATABASE_IDLE_TIMEOUT`,
    /// `DATABASE_KEEPALIVE`: how long the bot and PostgreSQL wait for each other.
    pub database_timeouts: crate::store::Timeouts,
    /// How codes are sent and what they may cost: `CODE_LENGTH`, `CODE_TTL`, `GATEWAY_TIMEOUT`,
    /// the limits (`PHONE_SEND_LIMIT`, `PHONE_SEND_WINDOW`, `RESEND_COOLDOWN`,
    /// `STAFF_DAILY_LIMIT`, `DAILY_BUDGET`), `PRECHECK`, `LOW_BALANCE`, `SENDER_USERNAME`.
    pub policy: Policy,
    /// What is asked of customers: `REVERIFY_AFTER_DAYS`, `CONFIRM_CONSENT`, `QR_TTL`.
    pub customers: crate::customers::Rules,
    /// The bot's settings: `ADMIN_IDS`, `DEFAULT_REGION`, `INVITE_TTL`, `TIME_ZONE`,
    /// `DEFAULT_LANGUAGE`.
    pub bot: Settings,
    /// The HTTP server, delivery reports and webhook mode.
    pub http: HttpConfig,
    /// Events, if `EVENTS_URL` is set: `EVENTS_URL`, `EVENTS_SECRET`, `EVENTS_TYPES`,
    /// `EVENTS_MAX_AGE`.
    pub events: Option<crate::events::Settings>,
    /// `RETENTION_DAYS`: what the daily housekeeping keeps.
    pub housekeeping: crate::housekeeping::Settings,
    /// `VERIFY_BOT_TEST_CLOCK`, for tests only: a file holding how many seconds the clock runs
    /// ahead (see [`crate::clock`]).
    pub test_clock: Option<std::path::PathBuf>,
    /// `VERIFY_BOT_TEST_SYSTEM_SKEW`, for tests only: seconds this host's clock reads wrong
    /// (negative: behind), which the clock's measurement against the database corrects (see
    /// [`crate::clock`]).
    pub test_system_skew: Option<i64>,
}

/// `GATEWAY_API_URL` when unset.
pub const DEFAULT_GATEWAY_API_URL: &str = "https://gatewayapi.telegram.org/";
/// `DATABASE_URL` when unset: a file next to where the bot runs, created if missing.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://verify-bot.db";

impl Config {
    /// Reads the process environment. Call `dotenvy::dotenv()` first to include `.env`.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`; an empty value counts as unset. Each variable
    /// is named once, where it is read.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = Env::new(&lookup);
        let telegram_token = env.required("TELOXIDE_TOKEN", secret)?;
        let telegram_api_url =
            env.parsed("TELOXIDE_API_URL", |raw| url(raw.trim_end_matches('/')))?;
        let gateway_token = env.required("GATEWAY_TOKEN", secret)?;
        let gateway_api_url = |raw: &str| url(&format!("{}/", raw.trim_end_matches('/')));
        let gateway_api_url = match env.parsed("GATEWAY_API_URL", gateway_api_url)? {
            Some(url) => url,
            None => Url::parse(DEFAULT_GATEWAY_API_URL).expect("the default is a URL"),
        };
        let gateway_timeout = env.seconds("GATEWAY_TIMEOUT", 1..=120, 10)?;
        let mut config = Config {
            telegram_token,
            telegram_api_url,
            gateway_token,
            gateway_api_url,
            gateway_timeout,
            database_url: env
                .parsed("DATABASE_URL", database_url)?
                .unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
            database_timeouts: database::timeouts(&env)?,
            policy: verification::policy(&env, gateway_timeout)?,
            customers: verification::customer_rules(&env)?,
            bot: Settings::read(&env)?,
            http: HttpConfig::read(&env)?,
            events: events::read(&env)?,
            housekeeping: crate::housekeeping::Settings {
                retention_days: env.parsed("RETENTION_DAYS", retention_days)?,
            },
            test_clock: env.get("VERIFY_BOT_TEST_CLOCK").map(Into::into),
            test_system_skew: env.parsed("VERIFY_BOT_TEST_SYSTEM_SKEW", system_skew)?,
        };
        // `/events` reports on the URL the events go to.
        config.bot.events_url = config.events.as_ref().map(|e| e.url.to_string());
        // `/panel` and the menu button open the panel's pages.
        config.bot.panel_url = config.http.panel_url.clone();
        Ok(config)
    }

    /// The values that must never reach a log line or a reply (the database password too).
    pub fn secrets(&self) -> Vec<String> {
        let mut secrets = vec![
            self.telegram_token.expose_secret().to_owned(),
            self.gateway_token.expose_secret().to_owned(),
        ];
        secrets.extend(self.http.secrets());
        secrets.extend(events::secrets_of(&self.events));
        let password = Url::parse(&self.database_url)
            .ok()
            .and_then(|url| url.password().map(str::to_owned));
        secrets.extend(password.filter(|p| !p.is_empty()));
        secrets
    }

    /// `DATABASE_URL` as it may be shown: without its password.
    pub fn database_shown(&self) -> String {
        match Url::parse(&self.database_url) {
            Ok(mut url) if url.password().is_some() => {
                let _ = url.set_password(Some("***"));
                url.to_string()
            }
            _ => self.database_url.clone(),
        }
    }
}

/// `DATABASE_URL`: SQLite or PostgreSQL, by the scheme.
fn database_url(raw: &str) -> Result<String, String> {
    match crate::store::Backend::of(raw) {
        Some(_) => Ok(raw.to_owned()),
        None => Err("use sqlite://verify-bot.db (one machine) or \
                     postgres://user@host/database (several replicas)"
            .into()),
    }
}

/// `RETENTION_DAYS`: a whole number of days, 1 to 36500.
fn retention_days(raw: &str) -> Result<u32, String> {
    raw.parse::<u32>()
        .ok()
        .filter(|days| (1..=36_500).contains(days))
        .ok_or_else(|| format!("{raw:?} is not a number of days from 1 to 36500"))
}

/// Seconds, either way, within a year.
fn system_skew(raw: &str) -> Result<i64, String> {
    raw.parse::<i64>()
        .ok()
        .filter(|seconds| seconds.abs() <= 86_400 * 366)
        .ok_or_else(|| format!("{raw:?} is not a whole number of seconds within a year"))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::store::Limits;
    use std::collections::HashMap;

    pub(crate) fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let mut env: HashMap<String, String> =
            [("TELOXIDE_TOKEN", "1:abc"), ("GATEWAY_TOKEN", "gw")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        for (k, v) in pairs {
            env.insert(k.to_string(), v.to_string());
        }
        Config::from_lookup(|name| env.get(name).cloned())
    }

    #[test]
    fn defaults_apply_when_only_the_tokens_are_set() {
        let config = config(&[]).unwrap();
        assert_eq!(config.gateway_api_url.as_str(), DEFAULT_GATEWAY_API_URL);
        assert_eq!(config.database_url, DEFAULT_DATABASE_URL);
        assert_eq!((config.policy.code_length, config.policy.ttl), (6, 300));
        assert!(config.bot.admin_ids.is_empty());
        assert!(config.telegram_api_url.is_none());
        assert!(config.bot.default_region.is_none());
        assert_eq!(config.policy.limits, Limits::default());
        assert!(!config.policy.precheck);
        assert_eq!(config.policy.low_balance, 1.0);
        assert_eq!(config.policy.sender_username, None);
        assert_eq!(config.customers, crate::customers::Rules::default());
        assert_eq!(
            (
                config.customers.reverify_after_days,
                config.customers.confirm_consent
            ),
            (30, false)
        );
        assert_eq!(config.customers.qr_ttl, 600);
        assert_eq!(config.bot.invite_ttl, 86_400);
        assert_eq!(config.bot.time_zone, jiff::tz::TimeZone::UTC);
        assert_eq!(config.database_timeouts, crate::store::Timeouts::default());
    }

    /// Every variable the configuration reads is documented in `.env.example` and in the
    /// README's Configuration table, and every variable documented there is read.
    #[test]
    fn every_variable_read_is_documented_and_every_documented_one_is_read() {
        use std::cell::RefCell;
        use std::collections::BTreeSet;

        // Set so that every variable is read: webhook mode reads its secret and setup too, events
        // their secret, types and age.
        let set: HashMap<&str, &str> = HashMap::from([
            ("TELOXIDE_TOKEN", "1:abc"),
            ("GATEWAY_TOKEN", "gw"),
            ("WEBHOOK_URL", "https://bot.example.com/tg"),
            ("WEBHOOK_SECRET", "s"),
            ("EVENTS_URL", "https://crm.example.com/in"),
            ("EVENTS_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        ]);
        let read = RefCell::new(BTreeSet::new());
        Config::from_lookup(|name| {
            read.borrow_mut().insert(name.to_owned());
            set.get(name).map(|value| value.to_string())
        })
        .unwrap();
        let mut read = read.into_inner();
        // For the tests only, on purpose not documented for deployments.
        read.retain(|name| !name.starts_with("VERIFY_BOT_TEST_"));

        // Read by the logging (`RUST_LOG`) or by compose.yaml only, not by the configuration.
        let elsewhere = ["RUST_LOG", "PUBLIC_HOST", "POSTGRES_PASSWORD"];
        let example: BTreeSet<String> = include_str!("../../.env.example")
            .lines()
            .filter_map(|line| line.trim_start_matches('#').split_once('='))
            .map(|(name, _)| name)
            .filter(|name| {
                !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_')
            })
            .filter(|name| !elsewhere.contains(name))
            .map(str::to_owned)
            .collect();
        assert_eq!(example, read, ".env.example against what is read");

        let readme = include_str!("../../README.md");
        let table = readme
            .split("\n## Configuration\n")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .expect("the README has a Configuration section");
        let documented: BTreeSet<String> = table
            .lines()
            .filter_map(|row| row.strip_prefix("| ")?.split(" |").next())
            .flat_map(|names| names.split(", "))
            .filter_map(|name| name.strip_prefix('`')?.strip_suffix('`'))
            .filter(|name| !elsewhere.contains(name))
            .map(str::to_owned)
            .collect();
        assert_eq!(
            documented, read,
            "the README's Configuration table against what is read"
        );
    }

    #[test]
    fn database_timeouts_are_read_and_must_fit_together() {
        let read = config(&[
            ("DATABASE_LOCK_TIMEOUT", "4"),
            ("DATABASE_STATEMENT_TIMEOUT", "30"),
            ("DATABASE_IDLE_TIMEOUT", "2"),
            ("DATABASE_KEEPALIVE", "60"),
        ])
        .unwrap();
        let secs = Duration::from_secs;
        let expected = crate::store::Timeouts {
            lock: secs(4),
            statement: secs(30),
            idle_in_transaction: secs(2),
            keepalive: secs(60),
        };
        assert_eq!(read.database_timeouts, expected);
        let defaults = crate::store::Timeouts::default();
        assert_eq!(
            (
                defaults.lock,
                defaults.statement,
                defaults.idle_in_transaction
            ),
            (secs(5), secs(10), secs(3))
        );
        assert_eq!(defaults.keepalive, secs(10));
        for (pairs, var) in [
            (
                &[("DATABASE_IDLE_TIMEOUT", "5")][..],
                "DATABASE_IDLE_TIMEOUT",
            ),
            (
                &[("DATABASE_LOCK_TIMEOUT", "10")][..],
                "DATABASE_LOCK_TIMEOUT",
            ),
            (
                &[("DATABASE_STATEMENT_TIMEOUT", "5")][..],
                "DATABASE_LOCK_TIMEOUT",
            ),
        ] {
            let err = config(pairs).unwrap_err().to_string();
            assert!(err.starts_with(var), "{pairs:?}: {err}");
            assert!(
                err.contains("must be shorter") && !err.contains('\n'),
                "{err}"
            );
        }
    }

    #[test]
    fn what_is_asked_of_customers_is_read() {
        let config = config(&[
            ("REVERIFY_AFTER_DAYS", "0"),
            ("CONFIRM_CONSENT", "true"),
            ("QR_TTL", "120"),
        ])
        .unwrap();
        let expected = crate::customers::Rules {
            reverify_after_days: 0,
            confirm_consent: true,
            qr_ttl: 120,
        };
        assert_eq!(config.customers, expected);
    }

    #[test]
    fn the_test_system_skew_is_read_either_way() {
        assert_eq!(config(&[]).unwrap().test_system_skew, None);
        let ahead = config(&[("VERIFY_BOT_TEST_SYSTEM_SKEW", "600")]).unwrap();
        assert_eq!(ahead.test_system_skew, Some(600));
        let behind = config(&[("VERIFY_BOT_TEST_SYSTEM_SKEW", "-90")]).unwrap();
        assert_eq!(behind.test_system_skew, Some(-90));
    }

    #[test]
    fn time_zone_and_invite_ttl_are_read() {
        let config = config(&[("TIME_ZONE", "Europe/Moscow"), ("INVITE_TTL", "3600")]).unwrap();
        assert_eq!(config.bot.time_zone.iana_name(), Some("Europe/Moscow"));
        assert_eq!(config.bot.invite_ttl, 3600);
    }

    #[test]
    fn default_language_is_english_unless_set() {
        use crate::i18n::Lang;
        assert_eq!(config(&[]).unwrap().bot.default_lang, Lang::En);
        let ru = config(&[("DEFAULT_LANGUAGE", "ru")]).unwrap();
        assert_eq!(ru.bot.default_lang, Lang::Ru);
        let en = config(&[("DEFAULT_LANGUAGE", "EN")]).unwrap();
        assert_eq!(en.bot.default_lang, Lang::En);
        let err = config(&[("DEFAULT_LANGUAGE", "fr")])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("DEFAULT_LANGUAGE"), "{err}");
    }

    #[test]
    fn limits_budget_and_precheck_are_read() {
        let config = config(&[
            ("PHONE_SEND_LIMIT", "5"),
            ("PHONE_SEND_WINDOW", "60"),
            ("RESEND_COOLDOWN", "0"),
            ("STAFF_DAILY_LIMIT", "0"),
            ("DAILY_BUDGET", "$2.50"),
            ("PRECHECK", "true"),
            ("LOW_BALANCE", "0.5"),
        ])
        .unwrap();
        assert_eq!(
            config.policy.limits,
            Limits {
                phone_sends: 5,
                phone_window: 60,
                resend_cooldown: 0,
                staff_daily: 0,
                daily_budget: 2.5
            }
        );
        assert!(config.policy.precheck);
        assert_eq!(config.policy.low_balance, 0.5);
    }

    #[test]
    fn the_sender_username_is_read_with_or_without_the_at() {
        let sender =
            |raw: &str| config(&[("SENDER_USERNAME", raw)]).map(|c| c.policy.sender_username);
        assert_eq!(sender("@my_shop").unwrap().as_deref(), Some("my_shop"));
        assert_eq!(sender("my_shop").unwrap().as_deref(), Some("my_shop"));
        assert_eq!(
            sender(" @Shop_2024 ").unwrap().as_deref(),
            Some("Shop_2024")
        );
        assert_eq!(sender("abcde").unwrap().as_deref(), Some("abcde"));
        let longest = "a".repeat(32);
        assert_eq!(sender(&longest).unwrap(), Some(longest.clone()));
        // Empty counts as unset, like every other variable.
        assert_eq!(sender("").unwrap(), None);
        for bad in [
            "shop",
            "@shop",
            "@",
            "@@my_shop",
            "1shop_channel",
            "_shop_channel",
            "my-shop",
            "my shop",
            "магазин_канал",
            "https://t.me/my_shop",
            &"a".repeat(33),
        ] {
            let err = sender(bad).unwrap_err().to_string();
            assert!(
                err.starts_with("SENDER_USERNAME is invalid: "),
                "{bad}: {err}"
            );
            assert!(
                err.contains("@my_shop") && !err.contains('\n'),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn missing_token_names_the_variable() {
        let err =
            Config::from_lookup(|name| (name == "TELOXIDE_TOKEN").then(|| "x".into())).unwrap_err();
        assert_eq!(
            err.to_string(),
            "GATEWAY_TOKEN is not set; see .env.example"
        );
    }

    #[test]
    fn the_database_password_is_a_secret_and_never_shown() {
        let postgres = config(&[("DATABASE_URL", "postgres://bot:s3cr3t-pw@db:5432/verify")]);
        let postgres = postgres.unwrap();
        assert!(postgres.secrets().contains(&"s3cr3t-pw".to_owned()));
        assert_eq!(
            postgres.database_shown(),
            "postgres://bot:***@db:5432/verify"
        );
        let sqlite = config(&[]).unwrap();
        assert_eq!(sqlite.database_shown(), DEFAULT_DATABASE_URL);
    }

    #[test]
    fn out_of_range_values_name_the_variable() {
        for (var, value) in [
            ("CODE_LENGTH", "3"),
            ("CODE_LENGTH", "9"),
            ("CODE_TTL", "29"),
            ("CODE_TTL", "3601"),
            ("CODE_TTL", "five"),
            ("ADMIN_IDS", "12,abc"),
            ("DEFAULT_REGION", "XX"),
            ("GATEWAY_API_URL", "ftp://x"),
            ("DATABASE_URL", "mysql://x"),
            ("DATABASE_URL", "verify-bot.db"),
            ("PHONE_SEND_LIMIT", "0"),
            ("DAILY_BUDGET", "-1"),
            ("DAILY_BUDGET", "five"),
            ("PRECHECK", "maybe"),
            ("LOW_BALANCE", "NaN"),
            ("INVITE_TTL", "10"),
            ("TIME_ZONE", "Mars/Olympus_Mons"),
            ("DEFAULT_LANGUAGE", "de"),
            ("SENDER_USERNAME", "@x"),
            ("REVERIFY_AFTER_DAYS", "-1"),
            ("REVERIFY_AFTER_DAYS", "3651"),
            ("CONFIRM_CONSENT", "sometimes"),
            ("QR_TTL", "59"),
            ("QR_TTL", "86401"),
            ("DATABASE_LOCK_TIMEOUT", "0"),
            ("DATABASE_LOCK_TIMEOUT", "601"),
            ("DATABASE_STATEMENT_TIMEOUT", "3601"),
            ("DATABASE_STATEMENT_TIMEOUT", "ten"),
            ("DATABASE_IDLE_TIMEOUT", "0"),
            ("DATABASE_KEEPALIVE", "0"),
            ("DATABASE_KEEPALIVE", "3601"),
            ("VERIFY_BOT_TEST_SYSTEM_SKEW", "ten minutes"),
            ("VERIFY_BOT_TEST_SYSTEM_SKEW", "99999999"),
        ] {
            let err = config(&[(var, value)]).unwrap_err().to_string();
            assert!(err.starts_with(var), "{var}={value}: {err}");
        }
    }

    #[test]
    fn lists_and_urls_are_normalised() {
        let config = config(&[
            ("ADMIN_IDS", " 12, 34 ,"),
            ("GATEWAY_API_URL", "http://127.0.0.1:9/base"),
            ("TELOXIDE_API_URL", "http://127.0.0.1:8/"),
            ("DEFAULT_REGION", "ru"),
            ("CODE_LENGTH", "4"),
        ])
        .unwrap();
        assert_eq!(config.bot.admin_ids, vec![12, 34]);
        assert_eq!(config.gateway_api_url.as_str(), "http://127.0.0.1:9/base/");
        assert_eq!(
            config.telegram_api_url.unwrap().as_str(),
            "http://127.0.0.1:8/"
        );
        assert_eq!(
            config.bot.default_region,
            Some(phonenumber::country::Id::RU)
        );
        assert_eq!(config.policy.code_length, 4);
    }

    #[test]
    fn debug_output_hides_the_tokens() {
        let config = config(&[]).unwrap();
        let debug = format!("{config:?}");
        assert!(
            !debug.contains("1:abc") && !debug.contains("\"gw\""),
            "{debug}"
        );
    }
}
