//! Texts of the verification flow: sending, checking, cancelling, status.

use teloxide::utils::html::escape;

use super::common::{
    View, ago, by, delivery_state, example, example_for, gateway_problem, phone_html, phone_text,
    until,
};
use crate::i18n::{Lang, duration, money};
use crate::phone::PhoneError;
use crate::store::{Refusal, Verification};
use crate::tr;
use crate::verification::{CancelOutcome, CheckOutcome, SendOutcome};

pub fn usage(lang: Lang) -> String {
    tr!(lang, "usage", example = example(lang))
}

/// Where a number that is not one came from: each gets the example of its own command, and
/// only those that could have sent a code say that none was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberFor {
    Verify,
    /// A contact card from staff: `/verify` of its number.
    ContactCard,
    Lookup,
    Qr,
    Reset,
}

pub fn bad_phone(lang: Lang, typed_for: NumberFor, input: &str, error: &PhoneError) -> String {
    let input = escape(&echo(input));
    let why = match error {
        PhoneError::Empty => {
            return match typed_for {
                NumberFor::Lookup => super::lookup_usage(lang),
                NumberFor::Reset => super::reset_usage(lang),
                NumberFor::Verify | NumberFor::ContactCard | NumberFor::Qr => usage(lang),
            };
        }
        PhoneError::BadCharacters => tr!(lang, "bad-phone-characters", input = input),
        PhoneError::NoCountryCode => tr!(lang, "bad-phone-no-country", input = input),
        PhoneError::Invalid => tr!(lang, "bad-phone-invalid", input = input),
    };
    let (id, example) = match typed_for {
        NumberFor::Verify => ("bad-phone-not-sent", example(lang)),
        NumberFor::ContactCard => ("bad-phone-card", example(lang)),
        NumberFor::Lookup => ("bad-phone", example_for(lang, "lookup")),
        NumberFor::Qr => ("bad-phone", example_for(lang, "qr")),
        NumberFor::Reset => ("bad-phone", example_for(lang, "reset")),
    };
    let args = [("why", why.into()), ("example", example.into())];
    crate::i18n::text(lang, id, &args)
}

/// The reply to `/verify` or a Resend button. A paid send that was refused (the budget, the
/// balance, the channel) also offers the free check, whose button goes under it.
pub fn send_outcome(outcome: &SendOutcome, view: &View) -> String {
    let text = send_outcome_alone(outcome, view);
    if outcome.free_check_helps() {
        format!("{text}\n\n{}", super::qr_offer(view.lang))
    } else {
        text
    }
}

fn send_outcome_alone(outcome: &SendOutcome, view: &View) -> String {
    let lang = view.lang;
    match outcome {
        SendOutcome::Sent(sent) => {
            let phone = phone_html(&sent.phone, view.group);
            let (length, valid) = (sent.code_length, duration(lang, sent.ttl));
            if view.group {
                tr!(
                    lang,
                    "code-sent-group",
                    phone = phone,
                    length = length,
                    valid = valid
                )
            } else {
                tr!(
                    lang,
                    "code-sent",
                    phone = phone,
                    length = length,
                    valid = valid
                )
            }
        }
        SendOutcome::AlreadyOpen { open, staff_name } => {
            let phone = phone_html(&open.phone, view.group);
            let ago = ago(lang, open.sent_at.unwrap_or(open.created_at), view.now);
            if open.staff_user_id == view.viewer {
                tr!(lang, "already-open-mine", phone = phone, ago = ago)
            } else {
                let by = by(view, open.staff_user_id, staff_name.as_deref());
                tr!(
                    lang,
                    "already-open-colleague",
                    by = by,
                    phone = phone,
                    ago = ago
                )
            }
        }
        SendOutcome::Refused(refusal) => refused(refusal, view),
        SendOutcome::NoLongerOpen => no_longer_open(lang),
        SendOutcome::Failed(error) => {
            tr!(lang, "send-failed", problem = gateway_problem(lang, error))
        }
        SendOutcome::SenderRefused {
            sender, prechecked, ..
        } => {
            let channel = super::admin::channel(sender);
            if *prechecked {
                tr!(lang, "send-failed-sender-prechecked", channel = channel)
            } else {
                tr!(lang, "send-failed-sender", channel = channel)
            }
        }
        SendOutcome::Unknown { error, retry_at } => {
            let problem = match error {
                Some(error) => gateway_problem(lang, error),
                None => tr!(lang, "answer-not-recorded"),
            };
            maybe_sent(problem, *retry_at, view)
        }
        SendOutcome::NotAllowed => not_allowed(lang),
        SendOutcome::QuestionClosed => super::question_closed(lang),
    }
}

/// What someone typed, shown back to them: at most [`ECHO_CHARS`] characters of it, on one line.
fn echo(input: &str) -> String {
    let flat: String = input
        .trim()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if flat.chars().count() <= ECHO_CHARS {
        flat
    } else {
        flat.chars().take(ECHO_CHARS - 1).chain(['…']).collect()
    }
}

/// How much of a person's input is ever echoed back.
const ECHO_CHARS: usize = 40;

/// A send whose outcome is unknown: it may have been charged, and staff should know when they
/// can try again.
fn maybe_sent(problem: String, retry_at: i64, view: &View) -> String {
    let lang = view.lang;
    let when = if retry_at <= view.now {
        tr!(lang, "right-away")
    } else {
        until(lang, retry_at, view.now, &view.tz)
    };
    tr!(lang, "send-unknown", problem = problem, when = when)
}

/// A send that a restart (or a lost database) interrupted, told to its staff member afterwards.
pub fn send_interrupted(v: &Verification, view: &View, retry_at: i64) -> String {
    let lang = view.lang;
    let problem = tr!(
        lang,
        "send-interrupted",
        phone = phone_html(&v.phone, view.group)
    );
    maybe_sent(problem, retry_at, view)
}

/// A lost send that the Gateway's delivery report attached to its verification again.
pub fn code_resurfaced(v: &Verification, view: &View) -> String {
    tr!(
        view.lang,
        "code-resurfaced",
        phone = phone_html(&v.phone, view.group),
        length = v.code_length
    )
}

/// A button (or an id) that names a verification the person may not touch. Says nothing about
/// it; short enough for a pop-up.
pub fn not_allowed(lang: Lang) -> String {
    tr!(lang, "not-allowed")
}

/// Why a limit refused a send, and when it frees up.
pub fn refused(refusal: &Refusal, view: &View) -> String {
    let (lang, now) = (view.lang, view.now);
    let when = until(lang, refusal.frees_at(), now, &view.tz);
    let why = match refusal {
        Refusal::Cooldown { .. } => tr!(lang, "refused-cooldown", when = when),
        Refusal::PhoneLimit { limit, window, .. } => tr!(
            lang,
            "refused-phone-limit",
            limit = *limit,
            window = duration(lang, *window as u32),
            when = when
        ),
        Refusal::StaffDaily { limit, .. } => {
            tr!(lang, "refused-staff-daily", limit = *limit, when = when)
        }
        Refusal::Budget { budget, spent, .. } => tr!(
            lang,
            "refused-budget",
            budget = money(lang, *budget),
            spent = money(lang, *spent),
            when = when
        ),
    };
    tr!(lang, "refused", why = why)
}

pub fn no_longer_open(lang: Lang) -> String {
    tr!(lang, "no-longer-open")
}

/// What a message typed as a code led to.
pub fn check_outcome(outcome: &CheckOutcome, view: &View) -> String {
    let lang = view.lang;
    let phone = |v: &Verification| phone_html(&v.phone, view.group);
    match outcome {
        CheckOutcome::NothingOpen {
            looks_like_code: true,
        } => tr!(lang, "nothing-open-code", usage = usage(lang)),
        CheckOutcome::NothingOpen {
            looks_like_code: false,
        } => usage(lang),
        CheckOutcome::NotACode(open) if open.len() == 1 => tr!(
            lang,
            "waiting-for-code",
            length = open[0].code_length,
            phone = phone(&open[0])
        ),
        CheckOutcome::NotACode(open) => tr!(lang, "several-open-not-code", count = open.len()),
        CheckOutcome::NotYours(v) => tr!(lang, "not-yours", phone = phone(v)),
        CheckOutcome::Closed(v) => tr!(lang, "already-closed", phone = phone(v)),
        CheckOutcome::Ambiguous { open, .. } => tr!(lang, "which-customer", count = open.len()),
        CheckOutcome::WrongLength { open, got } => {
            tr!(lang, "wrong-length", got = *got, length = open.code_length)
        }
        CheckOutcome::StillSending(open) => tr!(lang, "still-sending", phone = phone(open)),
        CheckOutcome::Valid(v) => tr!(lang, "verified", phone = phone(v)),
        CheckOutcome::Invalid(v) => tr!(lang, "wrong-code", phone = phone(v), attempt = v.attempts),
        CheckOutcome::MaxAttempts(v) => tr!(
            lang,
            "max-attempts",
            phone = phone(v),
            again = verify_again(v, view)
        ),
        CheckOutcome::Expired(v) => tr!(
            lang,
            "expired",
            phone = phone(v),
            again = verify_again(v, view)
        ),
        CheckOutcome::Lost(v) => tr!(lang, "lost", again = verify_again(v, view)),
        CheckOutcome::Unavailable { open, error } => tr!(
            lang,
            "check-unavailable",
            problem = gateway_problem(lang, error),
            phone = phone(open)
        ),
        CheckOutcome::Unrecognised { open, verdict } => tr!(
            lang,
            "unrecognised",
            verdict = escape(verdict),
            phone = phone(open)
        ),
        CheckOutcome::NotAllowed => not_allowed(lang),
    }
}

pub fn cancel_outcome(outcome: &CancelOutcome, view: &View) -> String {
    let lang = view.lang;
    match outcome {
        CancelOutcome::NothingOpen => tr!(lang, "cancel-nothing"),
        CancelOutcome::Ambiguous(open) => tr!(lang, "cancel-which", count = open.len()),
        CancelOutcome::Cancelled {
            verification,
            revoke_error: None,
        } => tr!(
            lang,
            "cancelled",
            phone = phone_html(&verification.phone, view.group)
        ),
        CancelOutcome::Cancelled {
            verification,
            revoke_error: Some(error),
        } => tr!(
            lang,
            "cancelled-revoke-failed",
            phone = phone_html(&verification.phone, view.group),
            problem = gateway_problem(lang, error)
        ),
        CancelOutcome::NotAllowed => not_allowed(lang),
    }
}

/// `/status`: the staff member's open verifications in this chat.
pub fn status(open: &[Verification], view: &View) -> String {
    let lang = view.lang;
    if open.is_empty() {
        return tr!(lang, "status-none", usage = usage(lang));
    }
    let blocks: Vec<String> = open
        .iter()
        .map(|v| {
            let sent = ago(lang, v.sent_at.unwrap_or(v.created_at), view.now);
            let mut lines = vec![
                tr!(
                    lang,
                    "status-number",
                    phone = phone_html(&v.phone, view.group)
                ),
                tr!(lang, "status-sent", ago = sent),
            ];
            if let Some(expires_at) = v.expires_at {
                let left = duration(lang, (expires_at - view.now).max(0) as u32);
                lines.push(tr!(lang, "status-valid", left = left));
            }
            if let Some(delivery) = &v.delivery_status {
                let state = crate::gateway::DeliveryState::from(delivery.clone());
                let delivery = delivery_state(lang, &state);
                lines.push(tr!(lang, "status-delivery", delivery = delivery));
            }
            lines.push(tr!(lang, "status-attempts", count = v.attempts));
            lines.join("\n")
        })
        .collect();
    let title = if open.len() == 1 {
        tr!(lang, "status-title-one")
    } else {
        tr!(lang, "status-title-many", count = open.len())
    };
    format!(
        "{title}\n{}\n\n{}",
        blocks.join("\n\n"),
        tr!(lang, "status-footer")
    )
}

/// The label of a "which verification?" button: plain text, masked (groups can see it).
pub fn pick_label(v: &Verification) -> String {
    phone_text(&v.phone, true)
}

fn verify_again(v: &Verification, view: &View) -> String {
    if view.group {
        "/verify".into()
    } else {
        format!("<code>/verify {}</code>", escape(v.phone.e164()))
    }
}

// --- buttons' answers -------------------------------------------------------------------------

pub fn callback_cancelled(lang: Lang) -> String {
    tr!(lang, "callback-cancelled")
}

pub fn callback_resent(lang: Lang) -> String {
    tr!(lang, "callback-resent")
}

pub fn callback_not_sent(lang: Lang) -> String {
    tr!(lang, "callback-not-sent")
}

pub fn callback_checked(lang: Lang) -> String {
    tr!(lang, "callback-checked")
}

pub fn callback_unknown(lang: Lang) -> String {
    tr!(lang, "callback-unknown")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_say_which_limit_and_when_it_frees_up() {
        let now = 1_700_000_000; // 22:13:20 UTC
        let view = |tz: &str| View {
            viewer: 1,
            now,
            group: false,
            lang: Lang::En,
            tz: jiff::tz::TimeZone::get(tz).unwrap(),
        };
        let text = refused(
            &Refusal::PhoneLimit {
                limit: 3,
                window: 600,
                frees_at: now + 240,
            },
            &view("UTC"),
        );
        assert!(text.starts_with("🚦"), "{text}");
        assert!(
            text.contains("3 codes in the last 10\u{a0}minutes"),
            "{text}"
        );
        assert!(text.contains("in 4\u{a0}minutes (at 22:17 UTC)"), "{text}");
        let text = refused(
            &Refusal::Budget {
                budget: 5.0,
                spent: 4.99,
                frees_at: now + 6400,
            },
            &view("Europe/Moscow"),
        );
        assert!(
            text.contains("budget of $5.00 is used up ($4.99 spent)"),
            "{text}"
        );
        // Midnight UTC, shown in the business's zone.
        assert!(text.contains("at 03:00 MSK"), "{text}");
        assert!(text.contains("in 1\u{a0}h 46\u{a0}min"), "{text}");
    }

    #[test]
    fn user_input_is_escaped() {
        let text = bad_phone(
            Lang::En,
            NumberFor::Verify,
            "<b>x</b>",
            &PhoneError::BadCharacters,
        );
        assert!(text.contains("&lt;b&gt;x&lt;/b&gt;"), "{text}");
    }
}
