//! Inline buttons and what their `callback_data` says: 🔁 Resend, ✖️ Cancel and 📷 Show a QR code
//! under a verification, the answers to a question asked before spending, the "which one?"
//! pickers, the `/language` choice and the Remove buttons of `/staff`; and the one keyboard a
//! customer sees (Send my number). Each button carries an [`Action`]: read by
//! [`Action::parse`], written by its one encoder (`Display`). `callback_data` holds only short
//! ids (`resend:42`), never a phone number, and its forms never change (old messages keep their
//! buttons); what a press does is [`super::presses`]'s business.

use std::fmt;

use teloxide::types::{
    ButtonRequest, InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, KeyboardMarkup,
    WebAppInfo,
};

use super::texts;
use crate::i18n::Lang;
use crate::store::Verification;
use crate::verification::SendOutcome;

/// What a button asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Resend(i64),
    Cancel(i64),
    /// Check this code against this verification (after "which one?").
    Check(i64, String),
    /// Admin: take this user's access away.
    Remove(i64),
    /// Speak this language to the person who pressed.
    Language(Lang),
    /// "Send a new code anyway" under a number verified recently (a question's id).
    Anyway(i64),
    /// "Yes, send": the customer agreed (a question's id).
    Consent(i64),
    /// "Cancel" under a question: send nothing.
    Drop(i64),
    /// "Show a QR code" under a question …
    QrForQuestion(i64),
    /// … or under a code sent (a verification's id).
    QrForVerification(i64),
}

impl Action {
    /// Reads `callback_data`, which the client writes: only the forms the bot itself writes.
    pub fn parse(data: &str) -> Option<Action> {
        if let Some(code) = data.strip_prefix("lang:") {
            return Lang::parse(code)
                .filter(|lang| lang.code() == code)
                .map(Action::Language);
        }
        let mut parts = data.split(':');
        let verb = parts.next()?;
        // Only the form the bot writes: `resend:+5` or `resend:05` are not its buttons.
        let id = parts
            .next()
            .and_then(|id| id.parse::<i64>().ok().filter(|n| n.to_string() == id))?;
        let action = match (verb, parts.next()) {
            ("resend", None) => Action::Resend(id),
            ("cancel", None) => Action::Cancel(id),
            ("remove", None) => Action::Remove(id),
            ("anyway", None) => Action::Anyway(id),
            ("consent", None) => Action::Consent(id),
            ("drop", None) => Action::Drop(id),
            ("qrq", None) => Action::QrForQuestion(id),
            ("qrv", None) => Action::QrForVerification(id),
            ("check", Some(code)) if code.bytes().all(|b| b.is_ascii_digit()) => {
                Action::Check(id, code.to_owned())
            }
            _ => return None,
        };
        parts.next().is_none().then_some(action)
    }
}

/// The one encoder of `callback_data`: what [`Action::parse`] reads back. The forms never
/// change, so the buttons under old messages keep working.
impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Resend(id) => write!(f, "resend:{id}"),
            Action::Cancel(id) => write!(f, "cancel:{id}"),
            Action::Check(id, code) => write!(f, "check:{id}:{code}"),
            Action::Remove(id) => write!(f, "remove:{id}"),
            Action::Language(lang) => write!(f, "lang:{}", lang.code()),
            Action::Anyway(id) => write!(f, "anyway:{id}"),
            Action::Consent(id) => write!(f, "consent:{id}"),
            Action::Drop(id) => write!(f, "drop:{id}"),
            Action::QrForQuestion(id) => write!(f, "qrq:{id}"),
            Action::QrForVerification(id) => write!(f, "qrv:{id}"),
        }
    }
}

/// A button that asks for `action`.
pub fn button(label: impl Into<String>, action: Action) -> InlineKeyboardButton {
    InlineKeyboardButton::callback(label, action.to_string())
}

/// The Resend / Cancel keyboard for a verification, and "Show a QR code" for a customer at the
/// counter whose code is slow to come.
pub fn keyboard(lang: Lang, verification_id: i64) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([
        vec![
            button(texts::button_resend(lang), Action::Resend(verification_id)),
            button(texts::button_cancel(lang), Action::Cancel(verification_id)),
        ],
        vec![button(
            texts::button_qr(lang),
            Action::QrForVerification(verification_id),
        )],
    ])
}

/// Under a number verified recently: send anyway, or check it for free.
pub fn returning_keyboard(lang: Lang, question: i64) -> InlineKeyboardMarkup {
    one_per_row(vec![
        (texts::button_send_anyway(lang), Action::Anyway(question)),
        (texts::button_qr(lang), Action::QrForQuestion(question)),
    ])
}

/// Under the consent question: yes, cancel, or check it for free.
pub fn consent_keyboard(lang: Lang, question: i64) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([
        vec![
            button(texts::button_yes_send(lang), Action::Consent(question)),
            button(texts::button_cancel(lang), Action::Drop(question)),
        ],
        vec![button(
            texts::button_qr(lang),
            Action::QrForQuestion(question),
        )],
    ])
}

/// The free check alone, under a paid send that was refused ([`SendOutcome::free_check_helps`]):
/// `action` is [`Action::QrForQuestion`] or [`Action::QrForVerification`].
pub fn qr_instead(lang: Lang, action: Action) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([[button(texts::button_qr(lang), action)]])
}

/// The customer's one button: share their own contact (private chats only).
pub fn share_phone_keyboard(lang: Lang) -> KeyboardMarkup {
    KeyboardMarkup::new([[
        KeyboardButton::new(texts::button_share_phone(lang)).request(ButtonRequest::Contact)
    ]])
    .resize_keyboard()
    .one_time_keyboard()
}

/// The Resend / Cancel keyboard under a reply to `/verify` or Resend, for `viewer`: under a
/// code just sent, or under their own open verification; none under a colleague's (its
/// buttons would only answer "not yours").
pub fn for_send(lang: Lang, outcome: &SendOutcome, viewer: i64) -> Option<InlineKeyboardMarkup> {
    match outcome {
        SendOutcome::Sent(v) => Some(keyboard(lang, v.id)),
        SendOutcome::AlreadyOpen { open, .. } if open.staff_user_id == viewer => {
            Some(keyboard(lang, open.id))
        }
        _ => None,
    }
}

/// `/language`: one button per language, each named in its own language, the current one
/// marked.
pub fn language_keyboard(current: Lang) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([Lang::ALL.map(|lang| {
        let mark = if lang == current { "✓ " } else { "" };
        button(
            format!("{mark}{}", texts::language_name(lang)),
            Action::Language(lang),
        )
    })])
}

/// A keyboard with one `(label, action)` button per row.
/// The button under `/panel`'s answer: it opens the admin panel as a Mini App (which Telegram
/// allows only in a private chat). `None` if the URL does not parse.
pub fn open_panel(label: String, url: &str) -> Option<InlineKeyboardMarkup> {
    let url = url.parse().ok()?;
    let button = InlineKeyboardButton::web_app(label, WebAppInfo { url });
    Some(InlineKeyboardMarkup::new([[button]]))
}

pub fn one_per_row(buttons: Vec<(String, Action)>) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(
        buttons
            .into_iter()
            .map(|(label, action)| [button(label, action)]),
    )
}

/// The "which one?" keyboard: one button per verification.
pub fn pick(
    open: &[Verification],
    action: impl Fn(&Verification) -> Action,
) -> InlineKeyboardMarkup {
    one_per_row(
        open.iter()
            .map(|v| (texts::pick_label(v), action(v)))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_data_round_trips_and_never_holds_a_phone() {
        let keyboard = keyboard(Lang::En, 42);
        let data: Vec<String> = keyboard.inline_keyboard[0]
            .iter()
            .map(|b| match &b.kind {
                teloxide::types::InlineKeyboardButtonKind::CallbackData(d) => d.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(data, ["resend:42", "cancel:42"]);
        assert_eq!(Action::parse("qrv:42"), Some(Action::QrForVerification(42)));
        assert_eq!(Action::parse("qrq:5"), Some(Action::QrForQuestion(5)));
        assert_eq!(Action::parse("anyway:5"), Some(Action::Anyway(5)));
        assert_eq!(Action::parse("consent:5"), Some(Action::Consent(5)));
        assert_eq!(Action::parse("drop:5"), Some(Action::Drop(5)));
        assert_eq!(Action::parse("resend:42"), Some(Action::Resend(42)));
        assert_eq!(Action::parse("cancel:7"), Some(Action::Cancel(7)));
        assert_eq!(Action::parse("remove:99"), Some(Action::Remove(99)));
        assert_eq!(Action::parse("lang:ru"), Some(Action::Language(Lang::Ru)));
        assert_eq!(Action::parse("lang:en"), Some(Action::Language(Lang::En)));
        assert_eq!(
            Action::parse("check:5:123456"),
            Some(Action::Check(5, "123456".into()))
        );
        assert!(Action::Check(i64::MAX, "12345678".into()).to_string().len() <= 64);
        for bad in [
            "cancel:+447911123456x",
            "launch:1",
            "garbage",
            "check:1:12a",
            "cancel:1:2",
            "lang:fr",
            "lang:RU",
        ] {
            assert_eq!(Action::parse(bad), None, "{bad}");
        }
    }

    /// Buttons under old messages carry these: their forms never change.
    #[test]
    fn the_data_of_each_action_is_what_old_buttons_carry() {
        for (action, data) in [
            (Action::Resend(42), "resend:42"),
            (Action::Cancel(-7), "cancel:-7"),
            (Action::Check(5, "0123".into()), "check:5:0123"),
            (Action::Remove(99), "remove:99"),
            (Action::Language(Lang::En), "lang:en"),
            (Action::Language(Lang::Ru), "lang:ru"),
            (Action::Anyway(5), "anyway:5"),
            (Action::Consent(5), "consent:5"),
            (Action::Drop(5), "drop:5"),
            (Action::QrForQuestion(5), "qrq:5"),
            (Action::QrForVerification(5), "qrv:5"),
        ] {
            assert_eq!(action.to_string(), data);
            assert_eq!(Action::parse(data), Some(action));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Callback data is written by the client: any string either reads as one action or as
        /// none, never panics.
        #[test]
        fn any_callback_data_reads_as_one_action_or_none(data in "\\PC{0,64}|[a-z]{1,8}:[0-9:a-z-]{0,30}") {
            if let Some(action) = Action::parse(&data) {
                proptest::prop_assert_eq!(data, action.to_string());
            }
        }

        /// Every button the bot makes reads back as what it was made for, within Telegram's
        /// 64 bytes.
        #[test]
        fn the_bots_own_buttons_read_back(id in proptest::prelude::any::<i64>(), code in "[0-9]{4,8}") {
            for (data, action) in [
                (Action::Resend(id).to_string(), Action::Resend(id)),
                (Action::Cancel(id).to_string(), Action::Cancel(id)),
                (Action::Remove(id).to_string(), Action::Remove(id)),
                (Action::Check(id, code.clone()).to_string(), Action::Check(id, code.clone())),
                (Action::Anyway(id).to_string(), Action::Anyway(id)),
                (Action::Consent(id).to_string(), Action::Consent(id)),
                (Action::Drop(id).to_string(), Action::Drop(id)),
                (Action::QrForQuestion(id).to_string(), Action::QrForQuestion(id)),
                (Action::QrForVerification(id).to_string(), Action::QrForVerification(id)),
            ] {
                proptest::prop_assert!(data.len() <= 64);
                proptest::prop_assert_eq!(Action::parse(&data), Some(action));
            }
        }
    }
}
