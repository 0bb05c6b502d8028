//! Events' settings: `EVENTS_URL`, `EVENTS_SECRET`, `EVENTS_TYPES`, `EVENTS_MAX_AGE`, read
//! into [`crate::events::Settings`] when `EVENTS_URL` is set (the others mean nothing without
//! it), and the tests' shorter retry schedule.

use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};

use super::parse::{ConfigError, Env, url};
use crate::events::{DEFAULT_MAX_AGE, SCHEDULE, Settings, TYPES};

/// What the spec asks of a secret's random bytes.
const SECRET_BYTES: std::ops::RangeInclusive<usize> = 24..=64;

/// The events' settings, if `EVENTS_URL` is set; `EVENTS_SECRET` is required with it.
pub(super) fn read(env: &Env) -> Result<Option<Settings>, ConfigError> {
    let Some(url) = env.parsed("EVENTS_URL", events_url)? else {
        return Ok(None);
    };
    let secrets = env.required("EVENTS_SECRET", secrets)?;
    let types = env.parsed("EVENTS_TYPES", types)?;
    let max_age = env.seconds("EVENTS_MAX_AGE", 60..=2_592_000, DEFAULT_MAX_AGE as u32)?;
    let schedule = env
        .parsed("VERIFY_BOT_TEST_EVENTS_SCHEDULE", schedule)?
        .unwrap_or_else(|| SCHEDULE.to_vec());
    Ok(Some(Settings {
        url,
        secrets,
        types,
        max_age,
        schedule,
    }))
}

/// The secrets' text, to keep out of the logs.
pub(super) fn secrets_of(settings: &Option<Settings>) -> Vec<String> {
    let Some(settings) = settings else {
        return Vec::new();
    };
    settings
        .secrets
        .iter()
        .flat_map(|secret| {
            let secret = secret.expose_secret();
            [
                secret.to_owned(),
                secret.trim_start_matches("whsec_").into(),
            ]
        })
        .collect()
}

/// `https://`, or `http://` to this machine only (a local tool), since events carry customers'
/// numbers.
fn events_url(raw: &str) -> Result<Url, String> {
    let url = url(raw)?;
    if url.scheme() == "https" {
        return Ok(url);
    }
    let host = url.host_str().unwrap_or_default();
    let local = host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    if local {
        Ok(url)
    } else {
        Err("must start with https:// (http:// only to 127.0.0.1, [::1] or localhost)".into())
    }
}

/// One `whsec_…` secret, or two separated by a space while rotating. Never shown.
fn secrets(raw: &str) -> Result<Vec<SecretString>, String> {
    let parts: Vec<&str> = raw.split_whitespace().collect();
    let well_formed = |secret: &str| {
        secret
            .strip_prefix("whsec_")
            .and_then(|encoded| STANDARD.decode(encoded).ok())
            .is_some_and(|bytes| SECRET_BYTES.contains(&bytes.len()))
    };
    if parts.len() > 2 || !parts.iter().all(|secret| well_formed(secret)) {
        return Err(format!(
            "must be whsec_ followed by the base64 of {} to {} random bytes (the README's \
             Events section shows how to make one), or two such separated by a space while \
             rotating",
            SECRET_BYTES.start(),
            SECRET_BYTES.end()
        ));
    }
    Ok(parts.into_iter().map(SecretString::from).collect())
}

/// Comma-separated types, each one of [`TYPES`].
fn types(raw: &str) -> Result<Vec<&'static str>, String> {
    let mut chosen = Vec::new();
    for name in raw
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
    {
        let Some(known) = TYPES.iter().find(|known| **known == name) else {
            return Err(format!(
                "{name:?} is not an event type; use some of {}",
                TYPES.join(", ")
            ));
        };
        if !chosen.contains(known) {
            chosen.push(*known);
        }
    }
    if chosen.is_empty() {
        return Err(format!(
            "names no event type; use some of {}",
            TYPES.join(", ")
        ));
    }
    Ok(chosen)
}

/// The tests' retry schedule: comma-separated seconds, at most a day each.
fn schedule(raw: &str) -> Result<Vec<u64>, String> {
    raw.split(',')
        .map(|step| {
            step.trim()
                .parse::<u64>()
                .ok()
                .filter(|seconds| *seconds <= 86_400)
                .ok_or_else(|| format!("{step:?} is not a number of seconds"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    fn events(pairs: &[(&str, &str)]) -> Result<Option<Settings>, ConfigError> {
        crate::config::tests::config(pairs).map(|config| config.events)
    }

    fn error(pairs: &[(&str, &str)]) -> String {
        events(pairs).unwrap_err().to_string()
    }

    #[test]
    fn events_are_off_without_a_url() {
        assert!(events(&[]).unwrap().is_none());
        // The others mean nothing without it, and are not read.
        assert!(events(&[("EVENTS_SECRET", "nonsense")]).unwrap().is_none());
    }

    #[test]
    fn the_settings_are_read_with_their_defaults() {
        let settings = events(&[
            ("EVENTS_URL", "https://crm.example.com/hooks/verify"),
            ("EVENTS_SECRET", SECRET),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(
            settings.url.as_str(),
            "https://crm.example.com/hooks/verify"
        );
        assert_eq!(settings.secrets.len(), 1);
        assert_eq!(settings.types, None);
        assert_eq!(settings.max_age, Duration::from_secs(86_400));
        assert_eq!(settings.schedule, SCHEDULE);

        let settings = events(&[
            ("EVENTS_URL", "http://127.0.0.1:9000/in"),
            (
                "EVENTS_SECRET",
                &format!(" {SECRET}  whsec_{}= ", "A".repeat(43)),
            ),
            (
                "EVENTS_TYPES",
                "verification.verified, verification.sent,verification.verified,",
            ),
            ("EVENTS_MAX_AGE", "3600"),
            ("VERIFY_BOT_TEST_EVENTS_SCHEDULE", "0,1,2"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(settings.secrets.len(), 2);
        assert_eq!(
            settings.types,
            Some(vec!["verification.verified", "verification.sent"])
        );
        assert_eq!(settings.max_age, Duration::from_secs(3600));
        assert_eq!(settings.schedule, [0, 1, 2]);
        for local in [
            "http://localhost:8000/",
            "http://[::1]:8000/",
            "http://127.0.0.2/",
        ] {
            let pairs = [("EVENTS_URL", local), ("EVENTS_SECRET", SECRET)];
            assert!(events(&pairs).unwrap().is_some(), "{local}");
        }
    }

    #[test]
    fn wrong_values_are_one_line_naming_the_variable() {
        let url = ("EVENTS_URL", "https://crm.example.com/in");
        let secret = ("EVENTS_SECRET", SECRET);
        assert_eq!(error(&[url]), "EVENTS_SECRET is not set; see .env.example");
        for (pairs, var) in [
            (
                vec![("EVENTS_URL", "http://crm.example.com/in"), secret],
                "EVENTS_URL",
            ),
            (
                vec![("EVENTS_URL", "http://10.0.0.1/in"), secret],
                "EVENTS_URL",
            ),
            (
                vec![("EVENTS_URL", "ftp://127.0.0.1/in"), secret],
                "EVENTS_URL",
            ),
            (
                vec![("EVENTS_URL", "crm.example.com"), secret],
                "EVENTS_URL",
            ),
            (
                vec![url, ("EVENTS_SECRET", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")],
                "EVENTS_SECRET",
            ),
            (
                vec![url, ("EVENTS_SECRET", "whsec_not base64!")],
                "EVENTS_SECRET",
            ),
            // 16 bytes: too short; 66 bytes: too long.
            (
                vec![url, ("EVENTS_SECRET", "whsec_AAAAAAAAAAAAAAAAAAAAAA==")],
                "EVENTS_SECRET",
            ),
            (
                vec![url, ("EVENTS_SECRET", &format!("whsec_{}", "A".repeat(88)))],
                "EVENTS_SECRET",
            ),
            (
                vec![
                    url,
                    ("EVENTS_SECRET", &format!("{SECRET} {SECRET} {SECRET}")),
                ],
                "EVENTS_SECRET",
            ),
            (
                vec![url, secret, ("EVENTS_TYPES", "verification.sent,verified")],
                "EVENTS_TYPES",
            ),
            (vec![url, secret, ("EVENTS_TYPES", ",")], "EVENTS_TYPES"),
            (
                vec![url, secret, ("EVENTS_MAX_AGE", "59")],
                "EVENTS_MAX_AGE",
            ),
            (
                vec![url, secret, ("EVENTS_MAX_AGE", "a day")],
                "EVENTS_MAX_AGE",
            ),
            (
                vec![url, secret, ("VERIFY_BOT_TEST_EVENTS_SCHEDULE", "0,x")],
                "VERIFY_BOT_TEST_EVENTS_SCHEDULE",
            ),
        ] {
            let err = error(&pairs);
            assert!(
                err.starts_with(&format!("{var} is invalid")),
                "{pairs:?}: {err}"
            );
            assert!(!err.contains('\n'), "{err}");
            assert!(
                !err.contains("MfKQ9r8G") && !err.contains("AAAA"),
                "shown: {err}"
            );
        }
    }

    #[test]
    fn the_secrets_are_secrets() {
        let config = crate::config::tests::config(&[
            ("EVENTS_URL", "https://crm.example.com/in"),
            ("EVENTS_SECRET", SECRET),
        ])
        .unwrap();
        assert!(config.secrets().contains(&SECRET.to_owned()));
        assert!(
            config
                .secrets()
                .contains(&"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_owned())
        );
        assert!(!format!("{config:?}").contains("MfKQ9r8G"));
    }
}
