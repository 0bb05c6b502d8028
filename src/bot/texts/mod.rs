//! Every text the bot shows a person, in one place so that translations can follow.
//!
//! Replies are HTML (`parse_mode = HTML`); numbers and codes sit in `<code>` so they can be copied
//! with a tap. The first character of a check result tells the outcome at a glance:
//! ✅ valid, ❌ wrong code, ⛔ too many attempts, ⌛ expired. Problems start with ⚠️, never ✅.
//! In group chats phone numbers are masked (`+44 79•• •••456`).

mod admin;
mod delivery;
mod flow;
mod people;

use teloxide::utils::html::escape;

pub use admin::*;
pub use delivery::*;
pub use flow::*;
pub use people::*;

use crate::gateway::{ApiError, GatewayError};
use crate::phone::PhoneNumber;

const EXAMPLE: &str = "/verify +44 7911 123456";

/// Who a reply is for and where it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct View {
    /// The staff member the reply answers.
    pub viewer: i64,
    /// Unix seconds.
    pub now: i64,
    /// A group chat: phone numbers are masked.
    pub group: bool,
}

// --- command menu -----------------------------------------------------------------------------

pub const MENU_VERIFY: &str = "Send a code to a customer's phone";
pub const MENU_STATUS: &str = "Show your open verifications";
pub const MENU_CANCEL: &str = "Cancel an open verification";
pub const MENU_HISTORY: &str = "Your latest verifications";
pub const MENU_HELP: &str = "How this bot works";
pub const MENU_INVITE: &str = "Admin: invite a colleague";
pub const MENU_STAFF: &str = "Admin: list or remove staff";
pub const MENU_STATS: &str = "Admin: codes, success rate and spending";
pub const MENU_EXPORT: &str = "Admin: verifications as a CSV file";
pub const MENU_RESET: &str = "Admin: clear a number's send limit";

// --- buttons ----------------------------------------------------------------------------------

pub const BUTTON_RESEND: &str = "🔁 Resend code";
pub const BUTTON_CANCEL: &str = "✖️ Cancel";

pub fn button_remove(name: &str) -> String {
    format!("🗑 Remove {name}")
}

// --- shared pieces ----------------------------------------------------------------------------

pub fn access_unavailable() -> String {
    "⚠️ I can't check who you are right now. Please try again in a minute.".into()
}

pub fn internal_error() -> String {
    "⚠️ Something went wrong on my side and your request was not completed. \
     Please try again in a minute."
        .into()
}

pub fn unknown_command() -> String {
    "I don't know that command. /help lists what I can do.".into()
}

pub fn not_text() -> String {
    "I can only read text messages. /help lists what I can do.".into()
}

/// One clear sentence per Gateway problem, never a raw dump.
pub fn gateway_problem(error: &GatewayError) -> String {
    match error {
        GatewayError::Api(api) => match api {
            ApiError::BalanceNotEnough => "the Telegram Gateway balance is too low. Ask the \
                 account owner to top it up."
                .into(),
            ApiError::FloodWait(seconds) => format!(
                "Telegram asks us to slow down. Try again in {}.",
                duration(*seconds)
            ),
            ApiError::PhoneNumberNotFound => "this number can't receive codes on Telegram (it \
                 may not have a Telegram account). Verify it another way."
                .into(),
            ApiError::PhoneNumberInvalid => {
                "Telegram does not accept this phone number. Check it with the customer.".into()
            }
            ApiError::AccessTokenInvalid | ApiError::AccessTokenRequired => "the Telegram \
                 Gateway refused the bot's access token. An admin needs to fix GATEWAY_TOKEN."
                .into(),
            ApiError::CodeExpired => "the code has expired.".into(),
            ApiError::CodeMaxAttemptsExceeded => "too many wrong codes were typed.".into(),
            other => format!(
                "the Telegram Gateway refused the request (<code>{}</code>). Try again later.",
                escape(&other.as_string())
            ),
        },
        GatewayError::Timeout(_) => "the Telegram Gateway did not answer in time.".into(),
        GatewayError::Transport(_) => "the Telegram Gateway could not be reached.".into(),
        GatewayError::BadResponse { status } => format!(
            "the Telegram Gateway is having trouble (it answered with an HTTP {status} error \
             page)."
        ),
    }
}

/// A stored E.164 number for people: `+44 7911 123456`, or `+44 79•• •••456` when masked.
pub fn phone_text(e164: &str, masked: bool) -> String {
    match PhoneNumber::from_e164(e164) {
        Ok(phone) if masked => phone.masked(),
        Ok(phone) => phone.international().to_owned(),
        Err(_) => e164.to_owned(),
    }
}

/// The same in `<code>`, for tap-to-copy.
fn phone_html(e164: &str, masked: bool) -> String {
    format!("<code>{}</code>", escape(&phone_text(e164, masked)))
}

/// `5 minutes`, `1 minute 30 seconds`, `45 seconds`, `1 hour`.
pub fn duration(seconds: u32) -> String {
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds % 86_400 / 3600,
        seconds % 3600 / 60,
        seconds % 60,
    );
    let parts: Vec<String> = [(d, "day"), (h, "hour"), (m, "minute"), (s, "second")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, name)| format!("{n} {name}{}", plural(n as usize)))
        .collect();
    if parts.is_empty() {
        "0 seconds".into()
    } else {
        parts.join(" ")
    }
}

/// `just now`, `2 minutes ago`.
fn ago(at: i64, now: i64) -> String {
    let elapsed = (now - at).max(0) as u32;
    if elapsed < 10 {
        "just now".into()
    } else {
        format!(
            "{} ago",
            duration(elapsed - elapsed % if elapsed >= 60 { 60 } else { 1 })
        )
    }
}

/// `in 4 minutes (at 14:05 UTC)`.
fn until(at: i64, now: i64) -> String {
    let seconds = (at - now).max(1) as u32;
    let clock = at.rem_euclid(86_400);
    format!(
        "in {} (at {:02}:{:02} UTC)",
        duration(seconds),
        clock / 3600,
        clock % 3600 / 60
    )
}

/// `27 Nov 14:05` in the business's time zone.
pub fn local_time(at: i64, tz: &jiff::tz::TimeZone) -> String {
    jiff::Timestamp::from_second(at)
        .map(|t| {
            t.to_zoned_datetime(tz.clone())
                .strftime("%d %b %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

/// `$0.01`, `$5.00`.
pub fn money(usd: f64) -> String {
    format!("${usd:.2}")
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(300), "5 minutes");
        assert_eq!(duration(60), "1 minute");
        assert_eq!(duration(90), "1 minute 30 seconds");
        assert_eq!(duration(45), "45 seconds");
        assert_eq!(duration(3600), "1 hour");
        assert_eq!(duration(86_400), "1 day");
        assert_eq!(duration(1), "1 second");
    }

    #[test]
    fn gateway_problems_are_sentences_not_codes() {
        let cases = [
            (ApiError::BalanceNotEnough, "balance is too low"),
            (ApiError::FloodWait(42), "Try again in 42 seconds"),
            (
                ApiError::PhoneNumberNotFound,
                "can't receive codes on Telegram",
            ),
            (ApiError::AccessTokenInvalid, "GATEWAY_TOKEN"),
        ];
        for (error, expected) in cases {
            let text = gateway_problem(&GatewayError::Api(error.clone()));
            assert!(text.contains(expected), "{error:?}: {text}");
            assert!(!text.contains(&error.as_string()), "{text}");
        }
    }

    #[test]
    fn phones_are_masked_in_groups() {
        assert_eq!(phone_text("+447911123456", false), "+44 7911 123456");
        assert_eq!(phone_text("+447911123456", true), "+44 79•• •••456");
    }

    #[test]
    fn local_times_use_the_business_time_zone() {
        let at = 1_764_252_300; // 2025-11-27 14:05:00 UTC
        assert_eq!(local_time(at, &jiff::tz::TimeZone::UTC), "27 Nov 14:05");
        let moscow = jiff::tz::TimeZone::get("Europe/Moscow").unwrap();
        assert_eq!(local_time(at, &moscow), "27 Nov 17:05");
    }
}
