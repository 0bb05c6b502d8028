//! Texts of the verification flow: sending, checking, cancelling, status.

use teloxide::utils::html::escape;

use super::{EXAMPLE, View, ago, duration, gateway_problem, money, phone_html, plural, until};
use crate::gateway::GatewayError;
use crate::phone::PhoneError;
use crate::store::{Refusal, Verification};
use crate::verification::{CancelOutcome, CheckOutcome, SendOutcome};

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

/// The reply to `/verify` or a Resend button.
pub fn send_outcome(outcome: &SendOutcome, view: &View) -> String {
    match outcome {
        SendOutcome::Sent(sent) => format!(
            "📨 Code sent to {}.\n\nAsk the customer for the {}-digit code Telegram just sent \
             them and type it here{}. It is valid for {}.",
            phone_html(&sent.phone, view.group),
            sent.code_length,
            if view.group {
                " as a reply to this message"
            } else {
                ""
            },
            duration(sent.ttl)
        ),
        SendOutcome::AlreadyOpen(open) => {
            let who = if open.staff_user_id == view.viewer {
                "You already have".to_string()
            } else {
                format!("A colleague (user <code>{}</code>) has", open.staff_user_id)
            };
            format!(
                "⏳ {who} an open verification for {}: a code was sent {}. No new code was \
                 sent.\n\nType the code the customer reads out, or use the buttons below.",
                phone_html(&open.phone, view.group),
                ago(open.sent_at.unwrap_or(open.created_at), view.now)
            )
        }
        SendOutcome::Refused(refusal) => refused(refusal, view.now),
        SendOutcome::NoLongerOpen => no_longer_open(),
        SendOutcome::Failed(GatewayError::Timeout(_)) => "⚠️ The Telegram Gateway did not \
             answer in time, so I can't tell whether a code was sent. Wait a minute before \
             trying /verify again."
            .into(),
        SendOutcome::Failed(error) => {
            format!("⚠️ No code was sent: {}", gateway_problem(error))
        }
    }
}

/// Why a limit refused a send, and when it frees up.
pub fn refused(refusal: &Refusal, now: i64) -> String {
    let when = until(refusal.frees_at(), now);
    let why = match refusal {
        Refusal::Cooldown { .. } => {
            format!("a code was sent to this number moments ago. You can send another {when}.")
        }
        Refusal::PhoneLimit { limit, window, .. } => format!(
            "this number already got {limit} code{s} in the last {}. You can send another \
             {when}, or an admin can /reset it.",
            duration(*window as u32),
            s = plural(*limit as usize)
        ),
        Refusal::StaffDaily { limit, .. } => format!(
            "you have sent your {limit} code{s} for today. Your limit resets {when}.",
            s = plural(*limit as usize)
        ),
        Refusal::Budget { budget, spent, .. } => format!(
            "today's budget of {} is used up ({} spent). It resets {when}.",
            money(*budget),
            money(*spent)
        ),
    };
    format!("🚦 No code sent: {why}")
}

pub fn no_longer_open() -> String {
    "This verification is no longer open. Start a new one with /verify.".into()
}

/// What a message typed as a code led to.
pub fn check_outcome(outcome: &CheckOutcome, view: &View) -> String {
    let phone = |v: &Verification| phone_html(&v.phone, view.group);
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
        CheckOutcome::NotACode(open) if open.len() == 1 => format!(
            "I'm waiting for the {}-digit code sent to {}. Type it here, or /cancel.",
            open[0].code_length,
            phone(&open[0])
        ),
        CheckOutcome::NotACode(open) => format!(
            "You have {} open verifications here. Type the code the customer reads out (as a \
             reply to its \"Code sent\" message, to pick one), or /cancel.",
            open.len()
        ),
        CheckOutcome::NotYours(v) => format!(
            "That verification ({}) is a colleague's, so I did not check the code. Only the \
             person who sent it can type its code.",
            phone(v)
        ),
        CheckOutcome::Closed(v) => format!(
            "The verification for {} is already closed, so I did not check the code.",
            phone(v)
        ),
        CheckOutcome::Ambiguous { open, .. } => format!(
            "You have {} open verifications here. Which customer is this code for?",
            open.len()
        ),
        CheckOutcome::WrongLength { open, got } => format!(
            "🔢 You typed {got} digit{s}, but the code has {n}. Check it with the customer and \
             type it again. (I did not check it, so no attempt was used.)",
            s = plural(*got),
            n = open.code_length
        ),
        CheckOutcome::StillSending(open) => format!(
            "⏳ The code for {} is still being sent. Type it again in a moment.",
            phone(open)
        ),
        CheckOutcome::Valid(v) => format!("✅ Verified: {} belongs to your customer.", phone(v)),
        CheckOutcome::Invalid(v) => format!(
            "❌ Wrong code for {} (attempt {}). Ask the customer to read it again and type it \
             here, or /cancel.",
            phone(v),
            v.attempts
        ),
        CheckOutcome::MaxAttempts(v) => format!(
            "⛔ Too many wrong codes for {}. This verification is closed; start a new one with \
             {}.",
            phone(v),
            verify_again(v, view)
        ),
        CheckOutcome::Expired(v) => format!(
            "⌛ The code for {} has expired. Start a new one with {}.",
            phone(v),
            verify_again(v, view)
        ),
        CheckOutcome::Lost(v) => format!(
            "⚠️ The Telegram Gateway no longer knows this verification, so it is closed. \
             Start a new one with {}.",
            verify_again(v, view)
        ),
        CheckOutcome::Unavailable { open, error } => format!(
            "⚠️ I couldn't check the code: {}\n\nThe verification for {} is still open: type \
             the code again in a moment.",
            gateway_problem(error),
            phone(open)
        ),
        CheckOutcome::Unrecognised { open, verdict } => format!(
            "⚠️ The Telegram Gateway gave an answer I don't know (<code>{}</code>). The \
             verification for {} is still open: type the code again, or /cancel.",
            escape(verdict),
            phone(open)
        ),
    }
}

pub fn cancel_outcome(outcome: &CancelOutcome, view: &View) -> String {
    match outcome {
        CancelOutcome::NothingOpen => {
            "There is nothing to cancel: you have no open verification here.".into()
        }
        CancelOutcome::Ambiguous(open) => format!(
            "You have {} open verifications here. Which one should I cancel?",
            open.len()
        ),
        CancelOutcome::Cancelled {
            verification,
            revoke_error: None,
        } => format!(
            "🚫 Cancelled the verification for {}. If the code has not reached the customer \
             yet, Telegram will delete it.",
            phone_html(&verification.phone, view.group)
        ),
        CancelOutcome::Cancelled {
            verification,
            revoke_error: Some(error),
        } => format!(
            "🚫 Cancelled the verification for {}. I could not ask Telegram to delete the code \
             message: {}",
            phone_html(&verification.phone, view.group),
            gateway_problem(error)
        ),
    }
}

/// `/status`: the staff member's open verifications in this chat.
pub fn status(open: &[Verification], view: &View) -> String {
    if open.is_empty() {
        return format!("No verification is open here.\n\n{}", usage());
    }
    let blocks: Vec<String> = open
        .iter()
        .map(|v| {
            let mut lines = vec![
                format!("Number: {}", phone_html(&v.phone, view.group)),
                format!(
                    "Code sent {} by you",
                    ago(v.sent_at.unwrap_or(v.created_at), view.now)
                ),
            ];
            if let Some(expires_at) = v.expires_at {
                lines.push(format!(
                    "Valid for {} more",
                    duration((expires_at - view.now).max(0) as u32)
                ));
            }
            if let Some(delivery) = &v.delivery_status {
                lines.push(format!("Delivery: {}", escape(delivery)));
            }
            lines.push(format!("Wrong codes so far: {}", v.attempts));
            lines.join("\n")
        })
        .collect();
    let title = if open.len() == 1 {
        "📋 <b>Open verification</b>".to_string()
    } else {
        format!("📋 <b>{} open verifications</b>", open.len())
    };
    format!(
        "{title}\n{}\n\nType the code the customer reads out, or /cancel.",
        blocks.join("\n\n")
    )
}

/// The label of a "which verification?" button: plain text, masked (groups can see it).
pub fn pick_label(v: &Verification) -> String {
    super::phone_text(&v.phone, true)
}

fn verify_again(v: &Verification, view: &View) -> String {
    if view.group {
        "/verify".into()
    } else {
        format!("<code>/verify {}</code>", escape(&v.phone))
    }
}

// --- buttons' answers -------------------------------------------------------------------------

pub fn callback_cancelled() -> String {
    "Cancelled".into()
}

pub fn callback_resent() -> String {
    "New code sent".into()
}

pub fn callback_not_sent() -> String {
    "No code sent: see the chat".into()
}

pub fn callback_checked() -> String {
    "Checked: see the chat".into()
}

pub fn callback_unknown() -> String {
    "This button no longer works.".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_say_which_limit_and_when_it_frees_up() {
        let now = 1_700_000_000; // 22:13:20 UTC
        let text = refused(
            &Refusal::PhoneLimit {
                limit: 3,
                window: 600,
                frees_at: now + 240,
            },
            now,
        );
        assert!(text.starts_with("🚦"), "{text}");
        assert!(text.contains("3 codes in the last 10 minutes"), "{text}");
        assert!(text.contains("in 4 minutes (at 22:17 UTC)"), "{text}");
        let text = refused(
            &Refusal::Budget {
                budget: 5.0,
                spent: 4.99,
                frees_at: now + 6400,
            },
            now,
        );
        assert!(
            text.contains("budget of $5.00 is used up ($4.99 spent)"),
            "{text}"
        );
        assert!(text.contains("at 00:00 UTC"), "{text}");
    }

    #[test]
    fn user_input_is_escaped() {
        let text = bad_phone("<b>x</b>", &PhoneError::BadCharacters);
        assert!(text.contains("&lt;b&gt;x&lt;/b&gt;"), "{text}");
    }
}
