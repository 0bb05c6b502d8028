//! What the texts share: who a reply is for ([`View`]), the command menu, buttons, the language
//! picker, Gateway problems as sentences, and how numbers and times read.

use teloxide::utils::html::escape;

use crate::gateway::{ApiError, GatewayError};
pub use crate::i18n::{Lang, duration, local_time, money};
use crate::phone::PhoneNumber;
use crate::tr;

/// The example command in help texts: `/verify` and a number people of that language would
/// type.
pub(super) fn example(lang: Lang) -> String {
    example_for(lang, "verify")
}

/// The same for another command that takes a number (`lookup`, `qr`, `reset`).
pub(super) fn example_for(lang: Lang, command: &str) -> String {
    let number = match lang {
        Lang::En => "+44 7911 123456",
        Lang::Ru => "+7 912 345-67-89",
    };
    format!("/{command} {number}")
}

/// Who did something, after a verb in the passive, as the reader knows them: "by you",
/// "by Anna", "by user 123" (in Russian the instrumental: «вами», «сотрудником Anna»).
pub(super) fn by(view: &View, id: i64, name: Option<&str>) -> String {
    match name {
        _ if id == view.viewer => tr!(view.lang, "by-you"),
        Some(name) if !name.trim().is_empty() => tr!(view.lang, "by-name", name = escape(name)),
        _ => tr!(view.lang, "by-user", id = id.to_string()),
    }
}

/// Who a reply is for and where it is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    /// The staff member the reply answers.
    pub viewer: i64,
    /// Unix seconds.
    pub now: i64,
    /// A group chat: phone numbers are masked.
    pub group: bool,
    /// The language of the person the reply answers.
    pub lang: Lang,
    /// `TIME_ZONE`: every time shown is in it.
    pub tz: jiff::tz::TimeZone,
}

impl View {
    /// The same reply in the viewer's private chat, where numbers are shown in full.
    pub fn in_private(&self) -> View {
        View {
            group: false,
            ..self.clone()
        }
    }
}

// --- command menu -----------------------------------------------------------------------------

/// A command's description in the menu (`menu-<command>`).
pub fn menu(lang: Lang, command: &str) -> String {
    crate::i18n::text(lang, &format!("menu-{command}"), &[])
}

// --- buttons ----------------------------------------------------------------------------------

pub fn button_resend(lang: Lang) -> String {
    tr!(lang, "button-resend")
}

pub fn button_cancel(lang: Lang) -> String {
    tr!(lang, "button-cancel")
}

pub fn button_remove(lang: Lang, name: &str) -> String {
    tr!(lang, "button-remove", name = name)
}

// --- language --------------------------------------------------------------------------------

/// `/language`: the question, in the current language.
pub fn language_pick(lang: Lang) -> String {
    tr!(lang, "language-pick")
}

/// The answer once a language is picked, in that language.
pub fn language_set(lang: Lang) -> String {
    tr!(lang, "language-set")
}

/// A language's button, in that language.
pub fn language_name(lang: Lang) -> String {
    match lang {
        Lang::En => tr!(lang, "language-english"),
        Lang::Ru => tr!(lang, "language-russian"),
    }
}

// --- shared pieces ----------------------------------------------------------------------------

pub fn access_unavailable(lang: Lang) -> String {
    tr!(lang, "access-unavailable")
}

pub fn internal_error(lang: Lang) -> String {
    tr!(lang, "internal-error")
}

pub fn unknown_command(lang: Lang) -> String {
    tr!(lang, "unknown-command")
}

pub fn not_text(lang: Lang) -> String {
    tr!(lang, "not-text")
}

/// One clear sentence per Gateway problem, never a raw dump.
pub fn gateway_problem(lang: Lang, error: &GatewayError) -> String {
    match error {
        GatewayError::Api(api) => match api {
            ApiError::BalanceNotEnough => tr!(lang, "gw-balance-not-enough"),
            ApiError::FloodWait(seconds) => {
                tr!(lang, "gw-flood-wait", wait = duration(lang, *seconds))
            }
            ApiError::PhoneNumberNotFound => tr!(lang, "gw-phone-not-found"),
            ApiError::PhoneNumberInvalid => tr!(lang, "gw-phone-invalid"),
            ApiError::AccessTokenInvalid | ApiError::AccessTokenRequired => {
                tr!(lang, "gw-token-refused")
            }
            ApiError::CodeExpired => tr!(lang, "gw-code-expired"),
            ApiError::CodeMaxAttemptsExceeded => tr!(lang, "gw-max-attempts"),
            other => tr!(lang, "gw-refused", error = escape(&other.as_string())),
        },
        GatewayError::Timeout(_) => tr!(lang, "gw-timeout"),
        GatewayError::Transport(_) => tr!(lang, "gw-unreachable"),
        GatewayError::BadResponse { status } => {
            tr!(lang, "gw-bad-response", status = status.to_string())
        }
    }
}

/// A number for people: `+44 7911 123456`, or `+44 79•• •••456` when masked.
pub fn phone_text(phone: &PhoneNumber, masked: bool) -> String {
    if masked {
        phone.masked()
    } else {
        phone.international().to_owned()
    }
}

/// The same in `<code>`, for tap-to-copy.
pub(super) fn phone_html(phone: &PhoneNumber, masked: bool) -> String {
    format!("<code>{}</code>", escape(&phone_text(phone, masked)))
}

/// `just now`, `2 minutes ago`.
pub(super) fn ago(lang: Lang, at: i64, now: i64) -> String {
    let elapsed = (now - at).max(0) as u32;
    if elapsed < 10 {
        tr!(lang, "just-now")
    } else {
        let rounded = elapsed - elapsed % if elapsed >= 60 { 60 } else { 1 };
        tr!(lang, "ago", duration = duration(lang, rounded))
    }
}

/// `in 4 min (at 14:05 UTC)`, the clock in the business's time zone.
pub(super) fn until(lang: Lang, at: i64, now: i64, tz: &jiff::tz::TimeZone) -> String {
    let seconds = (at - now).max(1) as u32;
    let clock = crate::i18n::clock(at, tz);
    tr!(
        lang,
        "until",
        duration = duration(lang, seconds),
        clock = clock
    )
}

/// One delivery state: `📬 Delivered`; a state this bot does not know, as the Gateway wrote it.
pub fn delivery_state(lang: Lang, state: &crate::gateway::DeliveryState) -> String {
    use crate::gateway::DeliveryState as State;
    match state {
        State::Sent => tr!(lang, "delivery-sent"),
        State::Delivered => tr!(lang, "delivery-delivered"),
        State::Read => tr!(lang, "delivery-read"),
        State::Expired => tr!(lang, "delivery-expired"),
        State::Revoked => tr!(lang, "delivery-revoked"),
        State::Unknown(other) => escape(other),
    }
}
