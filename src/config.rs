//! Configuration: read once at start-up from the environment (and `.env`), validated here so that
//! a bad value stops the bot with one clear line naming the variable.

use std::net::SocketAddr;
use std::time::Duration;

use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};

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
    /// `GATEWAY_TIMEOUT`: how long one Gateway call may take before staff are told it failed.
    pub gateway_timeout: Duration,
    /// `DATABASE_URL`: the SQLite database, created if missing.
    pub database_url: String,
    /// `ADMIN_IDS`: Telegram user ids that are always admins.
    pub admin_ids: Vec<u64>,
    /// `CODE_LENGTH`: digits in a code, 4–8.
    pub code_length: u8,
    /// `CODE_TTL`: seconds a code stays valid (and the Gateway's refund window), 30–3600.
    pub code_ttl: u32,
    /// `DEFAULT_REGION`: ISO country used for numbers typed without a country code.
    pub default_region: Option<phonenumber::country::Id>,
    /// The HTTP server, delivery reports and webhook mode.
    pub http: HttpConfig,
}

/// Why the configuration could not be read. The message names the variable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is not set; see .env.example")]
    Missing(&'static str),
    #[error("{var} is invalid: {reason}")]
    Invalid { var: &'static str, reason: String },
}

pub const DEFAULT_GATEWAY_API_URL: &str = "https://gatewayapi.telegram.org/";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://verify-bot.db";

impl Config {
    /// Reads the process environment. Call `dotenvy::dotenv()` first to include `.env`.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`; an empty value counts as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let required = |name: &'static str| get(name).ok_or(ConfigError::Missing(name));

        let telegram_token = SecretString::from(required("TELOXIDE_TOKEN")?);
        let telegram_api_url = get("TELOXIDE_API_URL")
            .map(|raw| parse_url("TELOXIDE_API_URL", raw.trim_end_matches('/')))
            .transpose()?;
        let gateway_token = SecretString::from(required("GATEWAY_TOKEN")?);
        let gateway_api_url = {
            let raw = get("GATEWAY_API_URL").unwrap_or_else(|| DEFAULT_GATEWAY_API_URL.into());
            parse_url(
                "GATEWAY_API_URL",
                &format!("{}/", raw.trim_end_matches('/')),
            )?
        };
        let gateway_timeout = Duration::from_secs(parse_in_range(
            get("GATEWAY_TIMEOUT"),
            "GATEWAY_TIMEOUT",
            1..=120,
            10,
        )? as u64);
        let database_url = get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        if !database_url.starts_with("sqlite:") {
            return Err(ConfigError::Invalid {
                var: "DATABASE_URL",
                reason: "only sqlite: URLs are supported, e.g. sqlite://verify-bot.db".into(),
            });
        }
        let admin_ids = get("ADMIN_IDS")
            .map(|raw| parse_ids(&raw))
            .transpose()?
            .unwrap_or_default();
        let code_length = parse_in_range(get("CODE_LENGTH"), "CODE_LENGTH", 4..=8, 6)? as u8;
        let code_ttl = parse_in_range(get("CODE_TTL"), "CODE_TTL", 30..=3600, 300)?;
        let default_region = get("DEFAULT_REGION")
            .map(|raw| {
                raw.to_ascii_uppercase()
                    .parse::<phonenumber::country::Id>()
                    .map_err(|_| ConfigError::Invalid {
                        var: "DEFAULT_REGION",
                        reason: format!("{raw:?} is not an ISO 3166 country code such as GB or RU"),
                    })
            })
            .transpose()?;
        let http = HttpConfig::from_lookup(&get)?;

        Ok(Config {
            telegram_token,
            telegram_api_url,
            gateway_token,
            gateway_api_url,
            gateway_timeout,
            database_url,
            admin_ids,
            code_length,
            code_ttl,
            default_region,
            http,
        })
    }

    /// The values that must never reach a log line or a reply.
    pub fn secrets(&self) -> Vec<String> {
        let mut secrets = vec![
            self.telegram_token.expose_secret().to_owned(),
            self.gateway_token.expose_secret().to_owned(),
        ];
        secrets.extend(self.http.secrets());
        secrets
    }
}

fn parse_url(var: &'static str, raw: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(raw).map_err(|err| ConfigError::Invalid {
        var,
        reason: format!("not a URL ({err})"),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ConfigError::Invalid {
            var,
            reason: "must start with https:// (or http:// for a local server)".into(),
        });
    }
    Ok(url)
}

fn parse_ids(raw: &str) -> Result<Vec<u64>, ConfigError> {
    raw.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<u64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| ConfigError::Invalid {
                    var: "ADMIN_IDS",
                    reason: format!("{part:?} is not a numeric Telegram user id"),
                })
        })
        .collect()
}

fn parse_in_range(
    raw: Option<String>,
    var: &'static str,
    range: std::ops::RangeInclusive<u32>,
    default: u32,
) -> Result<u32, ConfigError> {
    let Some(raw) = raw else { return Ok(default) };
    raw.parse::<u32>()
        .ok()
        .filter(|value| range.contains(value))
        .ok_or_else(|| ConfigError::Invalid {
            var,
            reason: format!(
                "{raw:?} is not a whole number from {} to {}",
                range.start(),
                range.end()
            ),
        })
}

// --- HTTP server, delivery reports, webhook ----------------------------------------------------

/// The HTTP side of the bot: where it listens, delivery reports and webhook mode.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// `HTTP_ADDR`: where the HTTP server listens.
    pub addr: SocketAddr,
    /// From `PUBLIC_URL`: the `callback_url` every send carries. `None`: poll the Gateway instead.
    pub callback_url: Option<String>,
    /// `REPORT_MAX_AGE`: how far a report's timestamp may be from now.
    pub report_max_age: Duration,
    /// `STATUS_POLL_SECS`: how often to poll delivery status without `PUBLIC_URL`.
    pub status_poll: Duration,
    /// `WEBHOOK_URL` and friends: receive updates by webhook instead of long polling.
    pub webhook: Option<WebhookConfig>,
}

/// Webhook mode.
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// `WEBHOOK_URL`: the public HTTPS URL Telegram posts updates to; we serve its path.
    pub url: Url,
    /// `WEBHOOK_SECRET`: expected in `X-Telegram-Bot-Api-Secret-Token`.
    pub secret: SecretString,
    /// `WEBHOOK_SETUP`: call `setWebhook` at start-up (default true).
    pub setup: bool,
}

pub const DEFAULT_HTTP_ADDR: &str = "0.0.0.0:8080";
/// Where the Gateway posts delivery reports, below `PUBLIC_URL`.
pub const REPORT_PATH: &str = "/gateway/report";
/// Paths of our own routes, which a webhook path must not shadow.
pub const OWN_PATHS: [&str; 3] = ["/healthz", "/metrics", REPORT_PATH];
/// The Gateway's limit on `callback_url`.
const MAX_CALLBACK_URL_BYTES: usize = 256;

impl HttpConfig {
    fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let addr = get("HTTP_ADDR").unwrap_or_else(|| DEFAULT_HTTP_ADDR.into());
        let addr = addr.parse().map_err(|_| ConfigError::Invalid {
            var: "HTTP_ADDR",
            reason: format!("{addr:?} is not an address and port such as {DEFAULT_HTTP_ADDR}"),
        })?;
        let callback_url = get("PUBLIC_URL")
            .map(|raw| callback_url(&raw))
            .transpose()?;
        let report_max_age =
            parse_in_range(get("REPORT_MAX_AGE"), "REPORT_MAX_AGE", 1..=3600, 300)?;
        let status_poll =
            parse_in_range(get("STATUS_POLL_SECS"), "STATUS_POLL_SECS", 1..=3600, 15)?;
        let webhook = get("WEBHOOK_URL")
            .map(|raw| webhook_config(&raw, get))
            .transpose()?;
        Ok(HttpConfig {
            addr,
            callback_url,
            report_max_age: Duration::from_secs(report_max_age.into()),
            status_poll: Duration::from_secs(status_poll.into()),
            webhook,
        })
    }

    fn secrets(&self) -> Option<String> {
        let webhook = self.webhook.as_ref()?;
        Some(webhook.secret.expose_secret().to_owned())
    }
}

/// `PUBLIC_URL` + [`REPORT_PATH`], HTTPS and within the Gateway's 256 bytes.
fn callback_url(raw: &str) -> Result<String, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid {
        var: "PUBLIC_URL",
        reason,
    };
    let url = https_url("PUBLIC_URL", raw)?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("must not have a query or fragment".into()));
    }
    let callback = format!("{}{REPORT_PATH}", url.as_str().trim_end_matches('/'));
    if callback.len() > MAX_CALLBACK_URL_BYTES {
        return Err(invalid(format!(
            "the delivery report URL {callback} is {} bytes; the Gateway accepts at most \
             {MAX_CALLBACK_URL_BYTES}",
            callback.len()
        )));
    }
    Ok(callback)
}

fn webhook_config(
    raw_url: &str,
    get: &impl Fn(&str) -> Option<String>,
) -> Result<WebhookConfig, ConfigError> {
    let url = https_url("WEBHOOK_URL", raw_url)?;
    if OWN_PATHS.contains(&url.path()) {
        return Err(ConfigError::Invalid {
            var: "WEBHOOK_URL",
            reason: format!("its path {} is taken by the bot's own route", url.path()),
        });
    }
    let secret = get("WEBHOOK_SECRET").ok_or(ConfigError::Missing("WEBHOOK_SECRET"))?;
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    if secret.len() > 256 || !secret.chars().all(allowed) {
        return Err(ConfigError::Invalid {
            var: "WEBHOOK_SECRET",
            reason: "must be 1 to 256 characters of A-Z, a-z, 0-9, _ and -".into(),
        });
    }
    let setup = match get("WEBHOOK_SETUP")
        .map(|v| v.to_ascii_lowercase())
        .as_deref()
    {
        None | Some("true" | "1" | "yes") => true,
        Some("false" | "0" | "no") => false,
        Some(other) => {
            return Err(ConfigError::Invalid {
                var: "WEBHOOK_SETUP",
                reason: format!("{other:?} is not true or false"),
            });
        }
    };
    Ok(WebhookConfig {
        url,
        secret: SecretString::from(secret),
        setup,
    })
}

fn https_url(var: &'static str, raw: &str) -> Result<Url, ConfigError> {
    let url = parse_url(var, raw)?;
    if url.scheme() != "https" {
        return Err(ConfigError::Invalid {
            var,
            reason: "must start with https://".into(),
        });
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    pub(super) fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
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
        assert_eq!((config.code_length, config.code_ttl), (6, 300));
        assert!(config.admin_ids.is_empty());
        assert!(config.telegram_api_url.is_none());
        assert!(config.default_region.is_none());
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
            ("DATABASE_URL", "postgres://x"),
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
        assert_eq!(config.admin_ids, vec![12, 34]);
        assert_eq!(config.gateway_api_url.as_str(), "http://127.0.0.1:9/base/");
        assert_eq!(
            config.telegram_api_url.unwrap().as_str(),
            "http://127.0.0.1:8/"
        );
        assert_eq!(config.default_region, Some(phonenumber::country::Id::RU));
        assert_eq!(config.code_length, 4);
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

#[cfg(test)]
mod http_tests {
    use super::*;

    fn http(pairs: &[(&str, &str)]) -> Result<HttpConfig, ConfigError> {
        super::tests::config(pairs).map(|config| config.http)
    }

    fn error(pairs: &[(&str, &str)]) -> String {
        http(pairs).unwrap_err().to_string()
    }

    #[test]
    fn defaults_listen_on_8080_and_poll_every_15_seconds() {
        let http = http(&[]).unwrap();
        assert_eq!(http.addr.to_string(), DEFAULT_HTTP_ADDR);
        assert_eq!(http.callback_url, None);
        assert_eq!(http.report_max_age, Duration::from_secs(300));
        assert_eq!(http.status_poll, Duration::from_secs(15));
        assert!(http.webhook.is_none());
    }

    #[test]
    fn public_url_becomes_the_callback_url() {
        for public in ["https://bot.example.com", "https://bot.example.com/"] {
            let http = http(&[("PUBLIC_URL", public)]).unwrap();
            assert_eq!(
                http.callback_url.as_deref(),
                Some("https://bot.example.com/gateway/report")
            );
        }
        let http = http(&[("PUBLIC_URL", "https://example.com/verify-bot/")]).unwrap();
        assert_eq!(
            http.callback_url.as_deref(),
            Some("https://example.com/verify-bot/gateway/report")
        );
    }

    #[test]
    fn public_url_must_be_https_and_short_enough() {
        assert!(error(&[("PUBLIC_URL", "http://bot.example.com")]).starts_with("PUBLIC_URL"));
        assert!(error(&[("PUBLIC_URL", "bot.example.com")]).starts_with("PUBLIC_URL"));
        assert!(error(&[("PUBLIC_URL", "https://x.example.com/?a=b")]).starts_with("PUBLIC_URL"));
        // 256 bytes exactly is fine; one more is not.
        let fits = format!("https://bot.example.com/{}", "a".repeat(256 - 39));
        assert_eq!(
            http(&[("PUBLIC_URL", &fits)])
                .unwrap()
                .callback_url
                .unwrap()
                .len(),
            256
        );
        let too_long = format!("https://bot.example.com/{}", "a".repeat(257 - 39));
        let err = error(&[("PUBLIC_URL", &too_long)]);
        assert!(
            err.starts_with("PUBLIC_URL is invalid") && err.contains("257 bytes"),
            "{err}"
        );
    }

    #[test]
    fn bad_numbers_and_addresses_name_the_variable() {
        for (var, value) in [
            ("HTTP_ADDR", "localhost"),
            ("HTTP_ADDR", "8080"),
            ("REPORT_MAX_AGE", "0"),
            ("REPORT_MAX_AGE", "soon"),
            ("STATUS_POLL_SECS", "0"),
            ("STATUS_POLL_SECS", "3601"),
        ] {
            let err = error(&[(var, value)]);
            assert!(err.starts_with(var), "{var}={value}: {err}");
        }
        let http = http(&[("HTTP_ADDR", "127.0.0.1:9090"), ("STATUS_POLL_SECS", "2")]).unwrap();
        assert_eq!(http.addr.to_string(), "127.0.0.1:9090");
        assert_eq!(http.status_poll, Duration::from_secs(2));
    }

    #[test]
    fn webhook_mode_needs_an_https_url_and_a_valid_secret() {
        let url = ("WEBHOOK_URL", "https://bot.example.com/tg/hook");
        assert_eq!(error(&[url]), "WEBHOOK_SECRET is not set; see .env.example");
        for secret in ["has space", "ünïcode", &"a".repeat(257)] {
            let err = error(&[url, ("WEBHOOK_SECRET", secret)]);
            assert!(err.starts_with("WEBHOOK_SECRET is invalid"), "{err}");
        }
        let err = error(&[
            ("WEBHOOK_URL", "http://bot.example.com/tg"),
            ("WEBHOOK_SECRET", "s"),
        ]);
        assert!(err.starts_with("WEBHOOK_URL"), "{err}");
        let err = error(&[
            ("WEBHOOK_URL", "https://bot.example.com/healthz"),
            ("WEBHOOK_SECRET", "s"),
        ]);
        assert!(
            err.starts_with("WEBHOOK_URL") && err.contains("/healthz"),
            "{err}"
        );
        let err = error(&[url, ("WEBHOOK_SECRET", "s"), ("WEBHOOK_SETUP", "maybe")]);
        assert!(err.starts_with("WEBHOOK_SETUP"), "{err}");
    }

    #[test]
    fn webhook_settings_are_read() {
        let http = http(&[
            ("WEBHOOK_URL", "https://bot.example.com/tg/hook"),
            ("WEBHOOK_SECRET", "Abc_123-xyz"),
            ("WEBHOOK_SETUP", "false"),
        ])
        .unwrap();
        let webhook = http.webhook.unwrap();
        assert_eq!(webhook.url.path(), "/tg/hook");
        assert_eq!(webhook.secret.expose_secret(), "Abc_123-xyz");
        assert!(!webhook.setup);
    }

    #[test]
    fn the_webhook_secret_is_a_secret() {
        let config = Config::from_lookup(|name| match name {
            "TELOXIDE_TOKEN" => Some("1:abc".into()),
            "GATEWAY_TOKEN" => Some("gw".into()),
            "WEBHOOK_URL" => Some("https://bot.example.com/tg".into()),
            "WEBHOOK_SECRET" => Some("hush-hush".into()),
            _ => None,
        })
        .unwrap();
        assert!(config.secrets().contains(&"hush-hush".to_string()));
        assert!(!format!("{config:?}").contains("hush-hush"));
    }
}
