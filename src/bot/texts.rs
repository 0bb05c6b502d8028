//! Every text the bot shows a person, in one place so that translations can follow.
//!
//! Replies are HTML (`parse_mode = HTML`); numbers and codes sit in `<code>` so they can be copied
//! with a tap. The first character of a check result tells the outcome at a glance:
//! ✅ valid, ❌ wrong code, ⛔ too many attempts, ⌛ expired. Problems start with ⚠️, never ✅.

use teloxide::utils::html::escape;

use crate::gateway::{ApiError, GatewayError};
use crate::phone::{PhoneError, PhoneNumber};
use crate::store::{Role, Verification};
use crate::verification::{CancelOutcome, CheckOutcome, SendOutcome};

const EXAMPLE: &str = "/verify +44 7911 123456";

// --- command menu -----------------------------------------------------------------------------

pub const MENU_VERIFY: &str = "Send a code to a customer's phone";
pub const MENU_CANCEL: &str = "Cancel the open verification";
pub const MENU_STATUS: &str = "Show the open verification";
pub const MENU_HELP: &str = "How this bot works";

// --- welcome and help -------------------------------------------------------------------------

pub fn help(role: Role, code_length: u8, ttl: u32) -> String {
    let admin = match role {
        Role::Admin => "\n\nYou are an <b>admin</b>.",
        Role::Staff => "",
    };
    format!(
        "<b>Confirm a customer's phone number with Telegram.</b>\n\n\
         1. Send <code>{EXAMPLE}</code> with the customer's number.\n\
         2. Telegram sends a {code_length}-digit code to the customer's Telegram account.\n\
         3. The customer reads the code out; type it here.\n\
         4. I answer ✅ verified, ❌ wrong code, ⛔ too many attempts or ⌛ expired.\n\n\
         Codes are valid for {valid}. Spaces and dashes in the code are fine.\n\n\
         /verify &lt;number&gt; — send a code\n\
         /status — show the open verification\n\
         /cancel — cancel it\n\
         /help — this message{admin}",
        valid = duration(ttl)
    )
}

pub fn already_member(role: Role, code_length: u8, ttl: u32) -> String {
    format!(
        "You already have access, so this link was not used.\n\n{}",
        help(role, code_length, ttl)
    )
}

pub fn joined(role: Role, code_length: u8, ttl: u32) -> String {
    let what = match role {
        Role::Admin => "the owner (admin) of this bot",
        Role::Staff => "staff",
    };
    format!(
        "🎉 Welcome! You are now {what}.\n\n{}",
        help(role, code_length, ttl)
    )
}

pub fn stranger(user_id: u64) -> String {
    format!(
        "👋 Hello! This bot is for the staff of the business that runs it.\n\n\
         Your Telegram user id is <code>{user_id}</code>. Send it to an admin and ask them for \
         access."
    )
}

pub fn link_invalid(user_id: u64) -> String {
    format!(
        "This link is not valid: it was already used, has expired or was mistyped.\n\n{}",
        stranger(user_id)
    )
}

pub fn access_unavailable() -> String {
    "⚠️ I can't check who you are right now. Please try again in a minute.".into()
}

pub fn internal_error() -> String {
    "⚠️ Something went wrong on my side and your request was not completed. \
     Please try again in a minute."
        .into()
}

// --- /verify ----------------------------------------------------------------------------------

pub fn usage() -> String {
    format!(
        "To verify a customer, send /verify and their phone number with the country code, \
         for example:\n<code>{EXAMPLE}</code>"
    )
}

pub fn bad_phone(input: &str, error: &PhoneError) -> String {
    let why = match error {
        PhoneError::Empty => return usage(),
        PhoneError::BadCharacters => format!(
            "<code>{}</code> is not a phone number: use digits, with spaces, dashes, dots or \
             brackets if you like.",
            escape(input)
        ),
        PhoneError::NoCountryCode => format!(
            "<code>{}</code> has no country code. Start it with <b>+</b> and the country code.",
            escape(input)
        ),
        PhoneError::Invalid => format!(
            "<code>{}</code> is not a valid phone number. Check the digits and the country code.",
            escape(input)
        ),
    };
    format!("{why}\n\nFor example: <code>{EXAMPLE}</code>\nNo code was sent.")
}

pub fn send_outcome(outcome: &SendOutcome) -> String {
    match outcome {
        SendOutcome::Sent(sent) => format!(
            "📨 Code sent to {}.\n\nAsk the customer for the {}-digit code Telegram just sent \
             them and type it here. It is valid for {}.\n/cancel to stop.",
            phone_html(&sent.phone),
            sent.code_length,
            duration(sent.ttl)
        ),
        SendOutcome::AlreadyOpen(open) => format!(
            "⏳ A verification is already open here: a code was sent to {} {}. No new code \
             was sent.\n\nType the code the customer reads out, or /cancel it first.",
            phone_html(&open.phone),
            ago(open.sent_at.unwrap_or(open.created_at))
        ),
        SendOutcome::Failed(GatewayError::Timeout(_)) => "⚠️ The Telegram Gateway did not \
             answer in time, so I can't tell whether a code was sent. Wait a minute before \
             trying /verify again."
            .into(),
        SendOutcome::Failed(error) => {
            format!("⚠️ No code was sent: {}", gateway_problem(error))
        }
    }
}

// --- codes ------------------------------------------------------------------------------------

pub fn check_outcome(outcome: &CheckOutcome) -> String {
    match outcome {
        CheckOutcome::NothingOpen {
            looks_like_code: true,
        } => format!(
            "No verification is open here, so I did not check that code.\n\n{}",
            usage()
        ),
        CheckOutcome::NothingOpen {
            looks_like_code: false,
        } => usage(),
        CheckOutcome::NotACode(open) => format!(
            "I'm waiting for the {}-digit code sent to {}. Type it here, or /cancel.",
            open.code_length,
            phone_html(&open.phone)
        ),
        CheckOutcome::WrongLength { open, got } => format!(
            "🔢 You typed {got} digit{s}, but the code has {n}. Check it with the customer and \
             type it again. (I did not check it, so no attempt was used.)",
            s = if *got == 1 { "" } else { "s" },
            n = open.code_length
        ),
        CheckOutcome::StillSending(open) => format!(
            "⏳ The code for {} is still being sent. Type it again in a moment.",
            phone_html(&open.phone)
        ),
        CheckOutcome::Valid(v) => format!(
            "✅ Verified: {} belongs to your customer.",
            phone_html(&v.phone)
        ),
        CheckOutcome::Invalid(v) => format!(
            "❌ Wrong code for {} (attempt {}). Ask the customer to read it again and type it \
             here, or /cancel.",
            phone_html(&v.phone),
            v.attempts
        ),
        CheckOutcome::MaxAttempts(v) => format!(
            "⛔ Too many wrong codes for {}. This verification is closed; start a new one with \
             {}.",
            phone_html(&v.phone),
            verify_again(&v.phone)
        ),
        CheckOutcome::Expired(v) => format!(
            "⌛ The code for {} has expired. Start a new one with {}.",
            phone_html(&v.phone),
            verify_again(&v.phone)
        ),
        CheckOutcome::Lost(v) => format!(
            "⚠️ The Telegram Gateway no longer knows this verification, so it is closed. \
             Start a new one with {}.",
            verify_again(&v.phone)
        ),
        CheckOutcome::Unavailable { open, error } => format!(
            "⚠️ I couldn't check the code: {}\n\nThe verification for {} is still open: type \
             the code again in a moment.",
            gateway_problem(error),
            phone_html(&open.phone)
        ),
        CheckOutcome::Unrecognised { open, verdict } => format!(
            "⚠️ The Telegram Gateway gave an answer I don't know (<code>{}</code>). The \
             verification for {} is still open: type the code again, or /cancel.",
            escape(verdict),
            phone_html(&open.phone)
        ),
    }
}

// --- /cancel and /status ----------------------------------------------------------------------

pub fn cancel_outcome(outcome: &CancelOutcome) -> String {
    match outcome {
        CancelOutcome::NothingOpen => {
            "There is nothing to cancel: no verification is open here.".into()
        }
        CancelOutcome::Cancelled {
            verification,
            revoke_error: None,
        } => format!(
            "🚫 Cancelled the verification for {}. If the code has not reached the customer \
             yet, Telegram will delete it.",
            phone_html(&verification.phone)
        ),
        CancelOutcome::Cancelled {
            verification,
            revoke_error: Some(error),
        } => format!(
            "🚫 Cancelled the verification for {}. I could not ask Telegram to delete the code \
             message: {}",
            phone_html(&verification.phone),
            gateway_problem(error)
        ),
    }
}

pub fn status(open: Option<&Verification>, viewer: i64, now: i64) -> String {
    let Some(v) = open else {
        return format!("No verification is open here.\n\n{}", usage());
    };
    let by = if v.staff_user_id == viewer {
        "you".to_string()
    } else {
        format!("user <code>{}</code>", v.staff_user_id)
    };
    let mut lines = vec![
        "📋 <b>Open verification</b>".to_string(),
        format!("Number: {}", phone_html(&v.phone)),
        format!(
            "Code sent {} by {by}",
            ago(v.sent_at.unwrap_or(v.created_at))
        ),
    ];
    if let Some(expires_at) = v.expires_at {
        lines.push(format!(
            "Valid for {} more",
            duration((expires_at - now).max(0) as u32)
        ));
    }
    if let Some(delivery) = &v.delivery_status {
        lines.push(format!("Delivery: {}", escape(delivery)));
    }
    lines.push(format!("Wrong codes so far: {}", v.attempts));
    lines.push("\nType the code the customer reads out, or /cancel.".into());
    lines.join("\n")
}

// --- other messages ---------------------------------------------------------------------------

pub fn unknown_command() -> String {
    "I don't know that command. /help lists what I can do.".into()
}

pub fn not_text() -> String {
    "I can only read text messages. /help lists what I can do.".into()
}

// --- pieces -----------------------------------------------------------------------------------

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

/// `<code>+44 7911 123456</code>` for a stored E.164 number.
fn phone_html(e164: &str) -> String {
    let readable = PhoneNumber::from_e164(e164)
        .map(|p| p.international().to_owned())
        .unwrap_or_else(|_| e164.to_owned());
    format!("<code>{}</code>", escape(&readable))
}

fn verify_again(e164: &str) -> String {
    format!("<code>/verify {}</code>", escape(e164))
}

/// `5 minutes`, `1 minute 30 seconds`, `45 seconds`, `1 hour`.
pub fn duration(seconds: u32) -> String {
    let unit = |n: u32, name: &str| format!("{n} {name}{}", if n == 1 { "" } else { "s" });
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    let parts: Vec<String> = [(h, "hour"), (m, "minute"), (s, "second")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, name)| unit(n, name))
        .collect();
    if parts.is_empty() {
        unit(0, "second")
    } else {
        parts.join(" ")
    }
}

/// `just now`, `2 minutes ago`.
fn ago(at: i64) -> String {
    let elapsed = (crate::now() - at).max(0) as u32;
    if elapsed < 10 {
        "just now".into()
    } else {
        format!(
            "{} ago",
            duration(elapsed - elapsed % if elapsed >= 60 { 60 } else { 1 })
        )
    }
}

// --- delivery status ----------------------------------------------------------------------------

/// The "code sent" message with a live delivery line under it, to edit the message in place.
pub fn code_sent_live(sent: &Verification, delivery: &crate::delivery::Delivery) -> String {
    let body = send_outcome(&SendOutcome::Sent(sent.clone()));
    format!("{body}\n\n{}", delivery_line(delivery))
}

/// `Delivery: 📤 Sent → 📬 Delivered → 👁 Read`, or `📤 Sent → ⌛ Expired unread · 💸 fee refunded`.
pub fn delivery_line(delivery: &crate::delivery::Delivery) -> String {
    use crate::gateway::DeliveryState as State;
    const SENT: &str = "📤 Sent";
    let steps = match &delivery.status {
        None | Some(State::Sent) => vec![SENT],
        Some(State::Delivered) => vec![SENT, "📬 Delivered"],
        Some(State::Read) => vec![SENT, "📬 Delivered", "👁 Read"],
        Some(State::Expired) => vec![SENT, "⌛ Expired unread"],
        Some(State::Revoked) => vec![SENT, "🚫 Revoked"],
        Some(State::Unknown(other)) => vec![SENT, other.as_str()],
    };
    let steps: Vec<String> = steps.into_iter().map(escape).collect();
    let refund = if delivery.is_refunded {
        " · 💸 fee refunded"
    } else {
        ""
    };
    format!("<b>Delivery:</b> {}{refund}", steps.join(" → "))
}

#[cfg(test)]
mod delivery_tests {
    use super::*;
    use crate::delivery::Delivery;
    use crate::gateway::DeliveryState;

    fn line(status: &str, is_refunded: bool) -> String {
        delivery_line(&Delivery {
            status: Some(DeliveryState::from(status.to_owned())),
            updated_at: 1,
            is_refunded,
            request_cost: Some(0.01),
        })
    }

    #[test]
    fn the_delivery_line_shows_how_far_the_code_got() {
        assert_eq!(line("sent", false), "<b>Delivery:</b> 📤 Sent");
        assert_eq!(
            line("read", false),
            "<b>Delivery:</b> 📤 Sent → 📬 Delivered → 👁 Read"
        );
        assert_eq!(
            line("expired", true),
            "<b>Delivery:</b> 📤 Sent → ⌛ Expired unread · 💸 fee refunded"
        );
        assert!(line("revoked", false).ends_with("🚫 Revoked"));
        assert!(line("<odd>", false).ends_with("&lt;odd&gt;"));
    }
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
    fn user_input_is_escaped() {
        let text = bad_phone("<b>x</b>", &PhoneError::BadCharacters);
        assert!(text.contains("&lt;b&gt;x&lt;/b&gt;"), "{text}");
    }
}
