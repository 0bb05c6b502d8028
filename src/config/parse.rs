//! Reading one environment value: each parser names the variable in its error, so a bad
//! configuration stops start-up with one clear line.

use reqwest::Url;

/// Why the configuration could not be read. The message names the variable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is not set; see .env.example")]
    Missing(&'static str),
    #[error("{var} is invalid: {reason}")]
    Invalid { var: &'static str, reason: String },
}

pub(super) fn parse_url(var: &'static str, raw: &str) -> Result<Url, ConfigError> {
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

pub(super) fn parse_ids(raw: &str) -> Result<Vec<u64>, ConfigError> {
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

pub(super) fn parse_in_range(
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

/// A non-negative amount of USD such as `5`, `5.00` or `0.5`.
pub(super) fn parse_money(
    raw: Option<String>,
    var: &'static str,
    default: f64,
) -> Result<f64, ConfigError> {
    let Some(raw) = raw else { return Ok(default) };
    raw.trim_start_matches('$')
        .parse::<f64>()
        .ok()
        .filter(|value| value.is_finite() && *value >= 0.0 && *value <= 1_000_000.0)
        .ok_or_else(|| ConfigError::Invalid {
            var,
            reason: format!("{raw:?} is not an amount of USD such as 5.00"),
        })
}

pub(super) fn parse_bool(
    raw: Option<String>,
    var: &'static str,
    default: bool,
) -> Result<bool, ConfigError> {
    let Some(raw) = raw else { return Ok(default) };
    match raw.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::Invalid {
            var,
            reason: format!("{raw:?} is not true or false"),
        }),
    }
}

/// `SENDER_USERNAME`: the channel codes are sent from, as `@shop` or `shop`. Returned without the
/// `@`, as the Gateway takes it. A Telegram username: 5–32 letters, digits or underscores,
/// starting with a letter.
pub(super) fn parse_sender_username(raw: &str) -> Result<String, ConfigError> {
    let name = raw.strip_prefix('@').unwrap_or(raw);
    let valid = (5..=32).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if valid {
        Ok(name.to_owned())
    } else {
        Err(ConfigError::Invalid {
            var: "SENDER_USERNAME",
            reason: format!(
                "{raw:?} is not a channel username: 5-32 letters, digits or _, starting with a \
                 letter, such as @my_shop"
            ),
        })
    }
}
