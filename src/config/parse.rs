//! Reading the environment: [`Env`] names each variable once, where it is read, and puts that
//! name in any error; the parsers below say only what is wrong with a value. So a bad
//! configuration stops start-up with one clear line naming the variable.

use std::ops::RangeInclusive;
use std::time::Duration;

use reqwest::Url;
use secrecy::SecretString;

/// Why the configuration could not be read. The message names the variable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is not set; see .env.example")]
    Missing(&'static str),
    #[error("{var} is invalid: {reason}")]
    Invalid { var: &'static str, reason: String },
}

/// The environment as the configuration reads it: a value is trimmed, and an empty one counts
/// as unset.
pub(super) struct Env<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl<'a> Env<'a> {
    pub(super) fn new(lookup: &'a dyn Fn(&str) -> Option<String>) -> Self {
        Env { lookup }
    }

    /// The raw value of `var`, if set.
    pub(super) fn get(&self, var: &str) -> Option<String> {
        (self.lookup)(var)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    }

    /// `var` read by `parse`, whose error says why the value is wrong; `None` when unset.
    pub(super) fn parsed<T>(
        &self,
        var: &'static str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ConfigError> {
        self.get(var)
            .map(|raw| parse(&raw).map_err(|reason| ConfigError::Invalid { var, reason }))
            .transpose()
    }

    /// `var` read by `parse`; it must be set.
    pub(super) fn required<T>(
        &self,
        var: &'static str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, ConfigError> {
        self.parsed(var, parse)?.ok_or(ConfigError::Missing(var))
    }

    /// A whole number within `range`; `default` when unset.
    pub(super) fn number(
        &self,
        var: &'static str,
        range: RangeInclusive<u32>,
        default: u32,
    ) -> Result<u32, ConfigError> {
        Ok(self
            .parsed(var, |raw| number(raw, &range))?
            .unwrap_or(default))
    }

    /// A number of seconds within `range`; `default` seconds when unset.
    pub(super) fn seconds(
        &self,
        var: &'static str,
        range: RangeInclusive<u32>,
        default: u32,
    ) -> Result<Duration, ConfigError> {
        Ok(Duration::from_secs(
            self.number(var, range, default)?.into(),
        ))
    }

    /// An amount of USD; `default` when unset.
    pub(super) fn money(&self, var: &'static str, default: f64) -> Result<f64, ConfigError> {
        Ok(self.parsed(var, money)?.unwrap_or(default))
    }

    /// True or false; `default` when unset.
    pub(super) fn flag(&self, var: &'static str, default: bool) -> Result<bool, ConfigError> {
        Ok(self.parsed(var, flag)?.unwrap_or(default))
    }
}

/// A secret, taken as it is: never shown, not even in an error.
pub(super) fn secret(raw: &str) -> Result<SecretString, String> {
    Ok(SecretString::from(raw))
}

/// An `http://` or `https://` URL.
pub(super) fn url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw).map_err(|err| format!("not a URL ({err})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("must start with https:// (or http:// for a local server)".into());
    }
    Ok(url)
}

/// An `https://` URL.
pub(super) fn https_url(raw: &str) -> Result<Url, String> {
    let url = url(raw)?;
    if url.scheme() != "https" {
        return Err("must start with https://".into());
    }
    Ok(url)
}

/// Telegram user ids, comma-separated.
pub(super) fn ids(raw: &str) -> Result<Vec<u64>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse::<u64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| format!("{part:?} is not a numeric Telegram user id"))
        })
        .collect()
}

fn number(raw: &str, range: &RangeInclusive<u32>) -> Result<u32, String> {
    raw.parse::<u32>()
        .ok()
        .filter(|value| range.contains(value))
        .ok_or_else(|| {
            format!(
                "{raw:?} is not a whole number from {} to {}",
                range.start(),
                range.end()
            )
        })
}

/// A non-negative amount of USD such as `5`, `5.00` or `0.5`.
fn money(raw: &str) -> Result<f64, String> {
    raw.trim_start_matches('$')
        .parse::<f64>()
        .ok()
        .filter(|value| value.is_finite() && *value >= 0.0 && *value <= 1_000_000.0)
        .ok_or_else(|| format!("{raw:?} is not an amount of USD such as 5.00"))
}

fn flag(raw: &str) -> Result<bool, String> {
    match raw.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(format!("{raw:?} is not true or false")),
    }
}

/// The channel codes are sent from, as `@shop` or `shop`. Returned without the `@`, as the
/// Gateway takes it. A Telegram username: 5–32 letters, digits or underscores, starting with a
/// letter.
pub(super) fn sender_username(raw: &str) -> Result<String, String> {
    let name = raw.strip_prefix('@').unwrap_or(raw);
    let valid = (5..=32).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(name.to_owned())
    } else {
        Err(format!(
            "{raw:?} is not a channel username: 5-32 letters, digits or _, starting with a \
             letter, such as @my_shop"
        ))
    }
}
