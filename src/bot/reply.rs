//! Sending replies: HTML, optional buttons, and in groups a quote of the message answered.

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, MessageId, ParseMode, ReplyParameters, User};

use super::texts::{self, Lang, View};
use super::{HandlerResult, callbacks};
use crate::store::{StoreError, Verification};

/// How a reply to `msg` from `user` should look.
pub fn view_of(msg: &Message, user: &User, lang: Lang) -> View {
    View {
        viewer: user.id.0 as i64,
        now: crate::now(),
        group: !msg.chat.is_private(),
        lang,
    }
}

pub async fn reply(bot: &Bot, msg: &Message, text: String) -> HandlerResult {
    send(bot, msg, text, None).await?;
    Ok(())
}

/// Sends an HTML reply, with buttons if given; in a group it quotes the message it answers.
pub async fn send(
    bot: &Bot,
    msg: &Message,
    text: String,
    buttons: Option<InlineKeyboardMarkup>,
) -> Result<Message, teloxide::RequestError> {
    let mut request = bot
        .send_message(msg.chat.id, text)
        .parse_mode(ParseMode::Html);
    if !msg.chat.is_private() {
        request =
            request.reply_parameters(ReplyParameters::new(msg.id).allow_sending_without_reply());
    }
    match buttons {
        Some(buttons) => request.reply_markup(buttons).await,
        None => request.await,
    }
}

/// An internal error: logged with context, and an apology in the chat.
pub async fn apologise(bot: &Bot, msg: &Message, lang: Lang, err: StoreError) -> HandlerResult {
    tracing::error!(chat = msg.chat.id.0, "request failed: {err}");
    reply(bot, msg, texts::internal_error(lang)).await
}

/// A closed verification's buttons would only answer "no longer open": remove them.
pub async fn drop_buttons(bot: &Bot, verification: &Verification) {
    let Some(message_id) = verification.message_id else {
        return;
    };
    let removed = bot
        .edit_message_reply_markup(ChatId(verification.chat_id), MessageId(message_id))
        .await;
    if let Err(err) = removed {
        tracing::debug!("could not remove the buttons of a closed verification: {err}");
    }
}

/// The "which one?" keyboard: one button per verification.
pub fn pick(
    open: &[Verification],
    action: impl Fn(&Verification) -> String,
) -> InlineKeyboardMarkup {
    callbacks::one_per_row(
        open.iter()
            .map(|v| (texts::pick_label(v), action(v)))
            .collect(),
    )
}
