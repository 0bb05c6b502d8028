//! The HTTP side of the configuration: where the server listens, delivery reports
//! (`PUBLIC_URL`) and webhook mode.

use std::net::SocketAddr;
use std::time::Duration;

use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};

use super::parse::{ConfigError, Env, https_url, secret};

/// The HTTP side of the bot: where it listens, delivery reports and webhook mode.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// `HTTP_ADDR`: where the HTTP server listens.
    pub addr: SocketAddr,
    /// From `PUBLIC_URL`: the `callback_url` every send carries. `None`: poll the Gateway instead.
    pub callback_url: Option<String>,
    /// The path of `PUBLIC_URL` without its trailing `/` (`""` at the root): the admin panel's
    /// API is served below it, at `<path>/app/api/`. `None` without `PUBLIC_URL` (no panel).
    pub public_path: Option<String>,
    /// The admin panel's address, `PUBLIC_URL` + `app/`: what `/panel` and the menu button open.
    pub panel_url: Option<String>,
    /// `PANEL_AUTH_MAX_AGE`: how old a Mini App's `initData` (`auth_date`) may be.
    pub panel_auth_max_age: Duration,
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
/// Where the admin panel's pages are, below `PUBLIC_URL`.
pub const PANEL_PATH: &str = "/app/";
/// Paths of our own routes, which a webhook path must not shadow.
pub const OWN_PATHS: [&str; 3] = ["/healthz", "/metrics", REPORT_PATH];
/// The Gateway's limit on `callback_url`.
const MAX_CALLBACK_URL_BYTES: usize = 256;

impl HttpConfig {
    pub(super) fn read(env: &Env) -> Result<Self, ConfigError> {
        let addr = env
            .parsed("HTTP_ADDR", |raw| {
                raw.parse().map_err(|_| {
                    format!("{raw:?} is not an address and port such as {DEFAULT_HTTP_ADDR}")
                })
            })?
            .unwrap_or_else(|| {
                DEFAULT_HTTP_ADDR
                    .parse()
                    .expect("the default is an address")
            });
        let callback_url = env.parsed("PUBLIC_URL", callback_url)?;
        let public_url = env
            .parsed("PUBLIC_URL", https_url)?
            .filter(|_| callback_url.is_some());
        let public_path = public_url
            .as_ref()
            .map(|url| url.path().trim_end_matches('/').to_owned());
        let panel_url = public_url
            .as_ref()
            .map(|url| format!("{}{PANEL_PATH}", url.as_str().trim_end_matches('/')));
        let webhook = webhook_config(env, public_path.as_deref())?;
        Ok(HttpConfig {
            addr,
            callback_url,
            public_path,
            panel_url,
            panel_auth_max_age: env.seconds("PANEL_AUTH_MAX_AGE", 60..=86_400, 3600)?,
            report_max_age: env.seconds("REPORT_MAX_AGE", 1..=3600, 300)?,
            status_poll: env.seconds("STATUS_POLL_SECS", 1..=3600, 15)?,
            webhook,
        })
    }

    pub(super) fn secrets(&self) -> Option<String> {
        let webhook = self.webhook.as_ref()?;
        Some(webhook.secret.expose_secret().to_owned())
    }
}

/// `PUBLIC_URL` + [`REPORT_PATH`], HTTPS and within the Gateway's 256 bytes.
fn callback_url(raw: &str) -> Result<String, String> {
    let url = https_url(raw)?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err("must not have a query or fragment".into());
    }
    let callback = format!("{}{REPORT_PATH}", url.as_str().trim_end_matches('/'));
    if callback.len() > MAX_CALLBACK_URL_BYTES {
        return Err(format!(
            "the delivery report URL {callback} is {} bytes; the Gateway accepts at most \
             {MAX_CALLBACK_URL_BYTES}",
            callback.len()
        ));
    }
    Ok(callback)
}

/// Webhook mode, if `WEBHOOK_URL` is set: its secret is required then.
/// Webhook mode, on a path that is neither the bot's own route nor below the admin panel's
/// (`<path of PUBLIC_URL>/app`).
fn webhook_config(
    env: &Env,
    public_path: Option<&str>,
) -> Result<Option<WebhookConfig>, ConfigError> {
    let Some(url) = env.parsed("WEBHOOK_URL", webhook_url)? else {
        return Ok(None);
    };
    if let Some(base) = public_path {
        let panel = format!("{base}/app");
        let path = url.path().trim_end_matches('/');
        if path == panel || path.starts_with(&format!("{panel}/")) {
            return Err(ConfigError::Invalid {
                var: "WEBHOOK_URL",
                reason: format!(
                    "its path {} is taken by the admin panel ({panel}/)",
                    url.path()
                ),
            });
        }
    }
    let secret = env.required("WEBHOOK_SECRET", |raw| {
        let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
        if raw.len() > 256 || !raw.chars().all(allowed) {
            return Err("must be 1 to 256 characters of A-Z, a-z, 0-9, _ and -".into());
        }
        secret(raw)
    })?;
    let setup = env
        .parsed("WEBHOOK_SETUP", |raw| {
            match raw.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Ok(true),
                "false" | "0" | "no" => Ok(false),
                _ => Err(format!("{raw:?} is not true or false")),
            }
        })?
        .unwrap_or(true);
    Ok(Some(WebhookConfig { url, secret, setup }))
}

/// `WEBHOOK_URL`: HTTPS, on a path that is not one of the bot's own routes.
fn webhook_url(raw: &str) -> Result<Url, String> {
    let url = https_url(raw)?;
    if OWN_PATHS.contains(&url.path()) {
        return Err(format!(
            "its path {} is taken by the bot's own route",
            url.path()
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(pairs: &[(&str, &str)]) -> Result<HttpConfig, ConfigError> {
        crate::config::tests::config(pairs).map(|config| config.http)
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
        assert_eq!(http.public_path, None);
        assert_eq!(http.panel_auth_max_age, Duration::from_secs(3600));
    }

    #[test]
    fn the_panel_lives_below_public_urls_path() {
        for (public, path, pages) in [
            (
                "https://bot.example.com",
                "",
                "https://bot.example.com/app/",
            ),
            (
                "https://bot.example.com/",
                "",
                "https://bot.example.com/app/",
            ),
            (
                "https://example.com/verify-bot/",
                "/verify-bot",
                "https://example.com/verify-bot/app/",
            ),
        ] {
            let http = http(&[("PUBLIC_URL", public)]).unwrap();
            assert_eq!(http.public_path.as_deref(), Some(path), "{public}");
            assert_eq!(http.panel_url.as_deref(), Some(pages), "{public}");
        }
        assert_eq!(http(&[]).unwrap().panel_url, None);
        let http = http(&[("PANEL_AUTH_MAX_AGE", "600")]).unwrap();
        assert_eq!(http.panel_auth_max_age, Duration::from_secs(600));
        for bad in ["0", "59", "86401", "an hour"] {
            let err = error(&[("PANEL_AUTH_MAX_AGE", bad)]);
            assert!(err.starts_with("PANEL_AUTH_MAX_AGE"), "{bad}: {err}");
        }
    }

    #[test]
    fn a_webhook_cannot_take_the_admin_panels_paths() {
        let with = |webhook: &str| {
            http(&[
                ("PUBLIC_URL", "https://bot.example.com/vb/"),
                ("WEBHOOK_URL", webhook),
                ("WEBHOOK_SECRET", "s3cret"),
            ])
        };
        for taken in [
            "https://bot.example.com/vb/app",
            "https://bot.example.com/vb/app/api/x",
        ] {
            let err = with(taken).unwrap_err().to_string();
            assert!(err.contains("admin panel"), "{taken}: {err}");
        }
        assert!(with("https://bot.example.com/vb/telegram").is_ok());
        assert!(with("https://bot.example.com/vb/apple").is_ok());
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
            ("PANEL_AUTH_MAX_AGE", "0"),
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
        let config = crate::config::Config::from_lookup(|name| match name {
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
