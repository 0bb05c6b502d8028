//! Inline buttons: 🔁 Resend and ✖️ Cancel under a verification, "which one?" pickers, and the
//! Remove buttons of `/staff`.
//!
//! `callback_data` holds only short ids (`resend:42`), never a phone number. It is written by
//! the client, so every press is authorised against the verification it names, the person who
//! pressed and the chat the press came from (see [`Actor`]): a refused press is answered with a
//! short pop-up that reveals nothing, does nothing, and is written to the audit log. Every press
//! is answered (`answerCallbackQuery`), and pressing twice is safe: the second press finds the
//! verification no longer open, or the person already removed, and says so.

use std::sync::Arc;

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, MaybeInaccessibleMessage};

use super::reply::{drop_buttons, send_to as say};
use super::texts::{self, Lang, View};
use super::{BoxError, HandlerResult, Settings, admin};
use crate::store::{Role, Store};
use crate::verification::{Actor, CancelOutcome, CheckOutcome, SendOutcome, Verifier};

/// What a button asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Action {
    Resend(i64),
    Cancel(i64),
    /// Check this code against this verification (after "which one?").
    Check(i64, String),
    /// Admin: take this user's access away.
    Remove(i64),
    /// Speak this language to the person who pressed.
    Language(Lang),
}

impl Action {
    fn parse(data: &str) -> Option<Action> {
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
            ("check", Some(code)) if code.bytes().all(|b| b.is_ascii_digit()) => {
                Action::Check(id, code.to_owned())
            }
            _ => return None,
        };
        parts.next().is_none().then_some(action)
    }
}

pub fn cancel_data(verification_id: i64) -> String {
    format!("cancel:{verification_id}")
}

pub fn check_data(verification_id: i64, code: &str) -> String {
    format!("check:{verification_id}:{code}")
}

pub fn remove_data(user_id: i64) -> String {
    format!("remove:{user_id}")
}

/// The Resend / Cancel keyboard for a verification.
pub fn keyboard(lang: Lang, verification_id: i64) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([[
        InlineKeyboardButton::callback(
            texts::button_resend(lang),
            format!("resend:{verification_id}"),
        ),
        InlineKeyboardButton::callback(texts::button_cancel(lang), cancel_data(verification_id)),
    ]])
}

/// `/language`: one button per language, each named in its own language, the current one
/// marked.
pub fn language_keyboard(current: Lang) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([Lang::ALL.map(|lang| {
        let mark = if lang == current { "✓ " } else { "" };
        InlineKeyboardButton::callback(
            format!("{mark}{}", texts::language_name(lang)),
            format!("lang:{}", lang.code()),
        )
    })])
}

/// A keyboard with one `(label, data)` button per row.
pub fn one_per_row(buttons: Vec<(String, String)>) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new(
        buttons
            .into_iter()
            .map(|(label, data)| [InlineKeyboardButton::callback(label, data)]),
    )
}

/// Whether the button is for admins only (the tree refuses it to others).
pub fn needs_admin(query: &CallbackQuery) -> bool {
    matches!(
        query.data.as_deref().and_then(Action::parse),
        Some(Action::Remove(_))
    )
}

/// A button pressed by staff. Always answered, even when something fails.
// Handlers take their dependencies one by one, as the handler tree injects them.
#[allow(clippy::too_many_arguments)]
pub async fn pressed(
    bot: Bot,
    query: CallbackQuery,
    lang: Lang,
    role: Role,
    verifier: Verifier,
    store: Store,
    settings: Arc<Settings>,
) -> HandlerResult {
    let text = match act(lang, role, &bot, &query, &verifier, &store, &settings).await {
        Ok(text) => text,
        Err(err) => {
            tracing::error!("a button press failed: {err}");
            texts::internal_error(lang)
        }
    };
    answer(&bot, &query, text).await
}

/// Does what the button says; returns the pop-up answer.
async fn act(
    lang: Lang,
    role: Role,
    bot: &Bot,
    query: &CallbackQuery,
    verifier: &Verifier,
    store: &Store,
    settings: &Settings,
) -> Result<String, BoxError> {
    let action = query.data.as_deref().and_then(Action::parse);
    let (Some(action), Some(message)) = (action, query.message.as_ref()) else {
        return Ok(texts::callback_unknown(lang));
    };
    let chat = message.chat().id;
    let staff = query.from.id.0 as i64;
    let actor = Actor {
        user_id: staff,
        chat_id: chat.0,
        admin: role == Role::Admin,
    };
    let view = View {
        viewer: staff,
        now: crate::now(),
        group: !message.chat().is_private(),
        lang,
    };
    match action {
        Action::Cancel(id) => match verifier.cancel_by_id(id, &actor).await? {
            cancelled @ CancelOutcome::Cancelled { .. } => {
                drop_keyboard(bot, message).await;
                if let CancelOutcome::Cancelled { verification, .. } = &cancelled {
                    drop_buttons(bot, verification).await;
                }
                say(bot, chat, texts::cancel_outcome(&cancelled, &view), None).await?;
                Ok(texts::callback_cancelled(lang))
            }
            CancelOutcome::NotAllowed => Ok(texts::not_allowed(lang)),
            _ => Ok(texts::no_longer_open(lang)),
        },
        Action::Resend(id) => {
            let outcome = verifier.resend(id, &actor).await?;
            let text = texts::send_outcome(&outcome, &view);
            match &outcome {
                SendOutcome::NotAllowed => Ok(texts::not_allowed(lang)),
                SendOutcome::NoLongerOpen => Ok(texts::no_longer_open(lang)),
                SendOutcome::Sent(sent) => {
                    drop_keyboard(bot, message).await;
                    let shown = say(bot, chat, text, Some(keyboard(lang, sent.id))).await?;
                    verifier.remember_message(sent.id, shown.id.0).await?;
                    Ok(texts::callback_resent(lang))
                }
                SendOutcome::AlreadyOpen(open) => {
                    say(bot, chat, text, Some(keyboard(lang, open.id))).await?;
                    Ok(texts::callback_not_sent(lang))
                }
                SendOutcome::Refused(_) | SendOutcome::Failed(_) | SendOutcome::Unknown { .. } => {
                    say(bot, chat, text, None).await?;
                    Ok(texts::callback_not_sent(lang))
                }
            }
        }
        Action::Check(id, code) => {
            let outcome = verifier.check_id(id, &actor, &code).await?;
            if let CheckOutcome::NotAllowed = outcome {
                return Ok(texts::not_allowed(lang));
            }
            drop_keyboard(bot, message).await;
            say(bot, chat, texts::check_outcome(&outcome, &view), None).await?;
            if let Some(closed) = outcome.closed() {
                drop_buttons(bot, closed).await;
            }
            Ok(texts::callback_checked(lang))
        }
        Action::Remove(user_id) => {
            let text = admin::remove(lang, bot, store, verifier, settings, staff, user_id).await?;
            say(bot, chat, text.clone(), None).await?;
            // The pop-up has room for the first line; the chat has the whole answer.
            Ok(strip_tags(text.lines().next().unwrap_or_default()))
        }
        Action::Language(chosen) => {
            store
                .choose_language(staff, chosen.code(), crate::now())
                .await?;
            tracing::info!(user = staff, language = chosen.code(), "language chosen");
            drop_keyboard(bot, message).await;
            say(bot, chat, texts::language_set(chosen), None).await?;
            Ok(strip_tags(&texts::language_set(chosen)))
        }
    }
}

/// An admin-only button pressed by staff who are not admins: refused, and audited.
pub async fn admins_only(
    bot: Bot,
    query: CallbackQuery,
    lang: Lang,
    store: Store,
) -> HandlerResult {
    let pressed = query.data.as_deref().unwrap_or_default();
    let detail: String = pressed.chars().take(64).collect();
    if let Err(err) = store
        .record_refused(query.from.id.0 as i64, &detail, None, crate::now())
        .await
    {
        tracing::error!("cannot audit a refused press: {err}");
    }
    answer(&bot, &query, texts::admins_only(lang)).await
}

/// A button pressed by someone without access (an old message in a shared group, say).
pub async fn stranger(bot: Bot, query: CallbackQuery, lang: Lang) -> HandlerResult {
    answer(&bot, &query, texts::stranger_short(lang, query.from.id.0)).await
}

pub async fn access_unavailable(bot: Bot, query: CallbackQuery, lang: Lang) -> HandlerResult {
    answer(&bot, &query, texts::access_unavailable(lang)).await
}

async fn answer(bot: &Bot, query: &CallbackQuery, text: String) -> HandlerResult {
    // Pop-up answers are plain text of at most 200 characters.
    let text: String = text.chars().take(200).collect();
    bot.answer_callback_query(query.id.clone())
        .text(text)
        .await?;
    Ok(())
}

/// Removes the buttons from the message whose button was pressed. Best effort.
async fn drop_keyboard(bot: &Bot, message: &MaybeInaccessibleMessage) {
    if let Err(err) = bot
        .edit_message_reply_markup(message.chat().id, message.id())
        .await
    {
        tracing::debug!("could not remove a keyboard: {err}");
    }
}

/// HTML replies reused as pop-up answers, which are plain text.
fn strip_tags(html: &str) -> String {
    let mut plain = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => plain.push(c),
            _ => {}
        }
    }
    plain
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
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
        assert_eq!(Action::parse("resend:42"), Some(Action::Resend(42)));
        assert_eq!(Action::parse("cancel:7"), Some(Action::Cancel(7)));
        assert_eq!(Action::parse("remove:99"), Some(Action::Remove(99)));
        assert_eq!(Action::parse("lang:ru"), Some(Action::Language(Lang::Ru)));
        assert_eq!(Action::parse("lang:en"), Some(Action::Language(Lang::En)));
        assert_eq!(
            Action::parse(&check_data(5, "123456")),
            Some(Action::Check(5, "123456".into()))
        );
        assert!(check_data(i64::MAX, "12345678").len() <= 64);
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

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Callback data is written by the client: any string either reads as one action or as
        /// none, never panics.
        #[test]
        fn any_callback_data_reads_as_one_action_or_none(data in "\\PC{0,64}|[a-z]{1,8}:[0-9:a-z-]{0,30}") {
            match Action::parse(&data) {
                Some(Action::Language(lang)) => {
                    proptest::prop_assert_eq!(data, format!("lang:{}", lang.code()))
                }
                Some(Action::Check(id, code)) => {
                    proptest::prop_assert_eq!(data, check_data(id, &code))
                }
                Some(Action::Resend(id)) => proptest::prop_assert_eq!(data, format!("resend:{id}")),
                Some(Action::Cancel(id)) => proptest::prop_assert_eq!(data, cancel_data(id)),
                Some(Action::Remove(id)) => proptest::prop_assert_eq!(data, remove_data(id)),
                None => {}
            }
        }

        /// Every button the bot makes reads back as what it was made for, within Telegram's
        /// 64 bytes.
        #[test]
        fn the_bots_own_buttons_read_back(id in proptest::prelude::any::<i64>(), code in "[0-9]{4,8}") {
            for (data, action) in [
                (format!("resend:{id}"), Action::Resend(id)),
                (cancel_data(id), Action::Cancel(id)),
                (remove_data(id), Action::Remove(id)),
                (check_data(id, &code), Action::Check(id, code.clone())),
            ] {
                proptest::prop_assert!(data.len() <= 64);
                proptest::prop_assert_eq!(Action::parse(&data), Some(action));
            }
        }
    }

    #[test]
    fn pop_up_answers_are_plain_text() {
        assert_eq!(
            strip_tags("🗑 Bob (user <code>5</code>) &amp; co"),
            "🗑 Bob (user 5) & co"
        );
    }
}
