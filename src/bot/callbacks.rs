//! The inline buttons under a verification: 🔁 Resend and ✖️ Cancel.
//!
//! `callback_data` holds only our short verification id (`resend:42`), never the phone. Every
//! press is answered (`answerCallbackQuery`), and pressing twice is safe: the second press finds
//! the verification no longer open and says so.

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup, MaybeInaccessibleMessage};

use super::{BoxError, HandlerResult, texts};
use crate::verification::{CancelOutcome, SendOutcome, Verifier};

/// What a button asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Resend(i64),
    Cancel(i64),
}

impl Action {
    fn parse(data: &str) -> Option<Action> {
        let (verb, id) = data.split_once(':')?;
        let id = id.parse().ok()?;
        match verb {
            "resend" => Some(Action::Resend(id)),
            "cancel" => Some(Action::Cancel(id)),
            _ => None,
        }
    }
}

/// The Resend / Cancel keyboard for a verification.
pub fn keyboard(verification_id: i64) -> InlineKeyboardMarkup {
    InlineKeyboardMarkup::new([[
        InlineKeyboardButton::callback(texts::BUTTON_RESEND, format!("resend:{verification_id}")),
        InlineKeyboardButton::callback(texts::BUTTON_CANCEL, format!("cancel:{verification_id}")),
    ]])
}

/// A button pressed by staff. Always answered, even when something fails.
pub async fn pressed(bot: Bot, query: CallbackQuery, verifier: Verifier) -> HandlerResult {
    let text = match act(&bot, &query, &verifier).await {
        Ok(text) => text,
        Err(err) => {
            tracing::error!("a button press failed: {err}");
            texts::internal_error()
        }
    };
    answer(&bot, &query, text).await
}

/// Does what the button says; returns the pop-up answer.
async fn act(bot: &Bot, query: &CallbackQuery, verifier: &Verifier) -> Result<String, BoxError> {
    let action = query.data.as_deref().and_then(Action::parse);
    let (Some(action), Some(message)) = (action, query.message.as_ref()) else {
        return Ok(texts::callback_unknown());
    };
    let chat = message.chat().id;
    let staff = query.from.id.0 as i64;
    match action {
        Action::Cancel(id) => match verifier.cancel_by_id(id).await? {
            CancelOutcome::NothingOpen => Ok(texts::no_longer_open()),
            cancelled @ CancelOutcome::Cancelled { .. } => {
                drop_keyboard(bot, message).await;
                say(bot, chat, texts::cancel_outcome(&cancelled), None).await?;
                Ok(texts::callback_cancelled())
            }
        },
        Action::Resend(id) => {
            let outcome = verifier.resend(id, chat.0, staff).await?;
            let text = texts::send_outcome(&outcome, staff, crate::now());
            match &outcome {
                SendOutcome::NoLongerOpen => Ok(texts::no_longer_open()),
                SendOutcome::Sent(sent) => {
                    drop_keyboard(bot, message).await;
                    let shown = say(bot, chat, text, Some(keyboard(sent.id))).await?;
                    verifier.remember_message(sent.id, shown.id.0).await?;
                    Ok(texts::callback_resent())
                }
                SendOutcome::AlreadyOpen(open) => {
                    say(bot, chat, text, Some(keyboard(open.id))).await?;
                    Ok(texts::callback_not_sent())
                }
                SendOutcome::Refused(_) | SendOutcome::Failed(_) => {
                    say(bot, chat, text, None).await?;
                    Ok(texts::callback_not_sent())
                }
            }
        }
    }
}

/// A button pressed by someone without access (an old message in a shared group, say).
pub async fn stranger(bot: Bot, query: CallbackQuery) -> HandlerResult {
    answer(&bot, &query, texts::stranger_short(query.from.id.0)).await
}

pub async fn access_unavailable(bot: Bot, query: CallbackQuery) -> HandlerResult {
    answer(&bot, &query, texts::access_unavailable()).await
}

async fn answer(bot: &Bot, query: &CallbackQuery, text: String) -> HandlerResult {
    bot.answer_callback_query(query.id.clone())
        .text(text)
        .await?;
    Ok(())
}

async fn say(
    bot: &Bot,
    chat: ChatId,
    text: String,
    keyboard: Option<InlineKeyboardMarkup>,
) -> Result<Message, teloxide::RequestError> {
    let request = bot
        .send_message(chat, text)
        .parse_mode(teloxide::types::ParseMode::Html);
    match keyboard {
        Some(keyboard) => request.reply_markup(keyboard).await,
        None => request.await,
    }
}

/// Removes the buttons from a message whose verification is over. Best effort: the message
/// may be too old to edit.
async fn drop_keyboard(bot: &Bot, message: &MaybeInaccessibleMessage) {
    if let Err(err) = bot
        .edit_message_reply_markup(message.chat().id, message.id())
        .await
    {
        tracing::debug!("could not remove a keyboard: {err}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_data_round_trips_and_never_holds_a_phone() {
        let keyboard = keyboard(42);
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
        assert_eq!(Action::parse("cancel:+447911123456x"), None);
        assert_eq!(Action::parse("launch:1"), None);
        assert_eq!(Action::parse("garbage"), None);
    }
}
