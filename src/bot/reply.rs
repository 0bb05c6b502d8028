//! Sending replies, the one way: HTML (set once on the bot handle), optional buttons, and in
//! groups a quote of the message answered. Every message the bot sends goes through [`send`] or
//! [`send_to`], which keep Telegram's limits: a text longer than a message may be is split at
//! line breaks (the buttons go under the last part), and a `429 Too Many Requests` is waited out
//! for as long as Telegram asks and sent again, so a "code sent" message of a paid send is not
//! lost to a flood limit.
//!
//! A handler whose database call fails turns the error into an [`Apology`] with `?`
//! ([`OrApologise`]); the dispatcher's error handler ([`Apologiser`]) logs it with its context
//! and apologises in the chat. That is the one place a store error becomes a reply.

use std::sync::Arc;
use std::time::Duration;

use teloxide::error_handlers::ErrorHandler;
use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, Me, MessageId, ReplyParameters};
use teloxide::{ApiError, RequestError};

use super::context::{BoxError, HandlerResult, TgBot};
use super::texts::{self, Lang, View};
use crate::store::{StoreError, Verification};
use crate::verification::Verifier;

/// Telegram's longest message, in UTF-16 code units.
pub const MAX_MESSAGE: usize = 4096;

/// How often a request refused with `429` is sent again, and the longest wait accepted.
const FLOOD_RETRIES: u32 = 5;
const LONGEST_FLOOD_WAIT: Duration = Duration::from_secs(120);

pub async fn reply(bot: &TgBot, msg: &Message, text: String) -> HandlerResult {
    send(bot, msg, text, None).await?;
    Ok(())
}

/// Sends an HTML reply, with buttons if given; in a group it quotes the message it answers.
/// Returns the (last) message sent.
pub async fn send(
    bot: &TgBot,
    msg: &Message,
    text: String,
    buttons: Option<InlineKeyboardMarkup>,
) -> Result<Message, RequestError> {
    let quote = (!msg.chat.is_private()).then_some(msg.id);
    deliver(bot, msg.chat.id, quote, text, buttons).await
}

/// Sends an HTML message to a chat, with buttons if given.
pub async fn send_to(
    bot: &TgBot,
    chat: ChatId,
    text: String,
    buttons: Option<InlineKeyboardMarkup>,
) -> Result<Message, RequestError> {
    deliver(bot, chat, None, text, buttons).await
}

async fn deliver(
    bot: &TgBot,
    chat: ChatId,
    quote: Option<MessageId>,
    text: String,
    buttons: Option<InlineKeyboardMarkup>,
) -> Result<Message, RequestError> {
    let mut parts = split(&text, MAX_MESSAGE);
    let last = parts.pop().unwrap_or_default();
    for part in parts {
        send_part(bot, chat, quote, part, None).await?;
    }
    send_part(bot, chat, quote, last, buttons).await
}

async fn send_part(
    bot: &TgBot,
    chat: ChatId,
    quote: Option<MessageId>,
    text: String,
    buttons: Option<InlineKeyboardMarkup>,
) -> Result<Message, RequestError> {
    let mut request = bot.send_message(chat, text);
    if let Some(quote) = quote {
        request =
            request.reply_parameters(ReplyParameters::new(quote).allow_sending_without_reply());
    }
    if let Some(buttons) = buttons {
        request = request.reply_markup(buttons);
    }
    patiently(|| request.clone()).await
}

/// Delivers an answer meant for `view`'s viewer alone: in the chat of `msg` when it is their
/// private chat; from a group, to their private chat, telling the group in one line (or, when the bot
/// may not write to them, how to let it). Invite links, the staff list, `/stats`, exports and
/// `/qr` pictures go this way, so customers reading a group see none of them.
pub async fn privately<F, Fut>(
    bot: &TgBot,
    msg: &Message,
    view: &View,
    me: &Me,
    deliver: F,
) -> HandlerResult
where
    F: FnOnce(ChatId) -> Fut,
    Fut: Future<Output = Result<(), RequestError>>,
{
    if msg.chat.is_private() {
        return Ok(deliver(msg.chat.id).await?);
    }
    let lang = view.lang;
    match to_private_chat(view.viewer, deliver).await? {
        Private::Delivered => reply(bot, msg, texts::sent_privately(lang)).await,
        Private::CannotWrite => {
            reply(bot, msg, texts::cannot_write_privately(lang, me.username())).await
        }
    }
}

/// Whether something meant for one person reached their private chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Private {
    Delivered,
    /// They have not started a private chat with the bot, or blocked it.
    CannotWrite,
}

/// Delivers to the private chat of `user` (an id); a person the bot may not write to is
/// [`Private::CannotWrite`], not an error.
pub async fn to_private_chat<F, Fut>(user: i64, deliver: F) -> Result<Private, RequestError>
where
    F: FnOnce(ChatId) -> Fut,
    Fut: Future<Output = Result<(), RequestError>>,
{
    match deliver(ChatId(user)).await {
        Ok(()) => Ok(Private::Delivered),
        Err(RequestError::Api(err)) if cannot_write_to(&err) => {
            tracing::info!(user, "cannot write to someone privately: {err}");
            Ok(Private::CannotWrite)
        }
        Err(err) => Err(err),
    }
}

/// The Bot API's answers when a person has not started a private chat with the bot, or
/// blocked it.
fn cannot_write_to(err: &ApiError) -> bool {
    match err {
        ApiError::BotBlocked
        | ApiError::CantInitiateConversation
        | ApiError::UserDeactivated
        | ApiError::ChatNotFound => true,
        ApiError::Unknown(description) => description.starts_with("Forbidden"),
        _ => false,
    }
}

/// Sends `request()` until Telegram takes it, waiting out `429 Too Many Requests` as long as it
/// asks (a few times, up to two minutes each).
pub async fn patiently<T, R>(request: impl Fn() -> R) -> Result<T, RequestError>
where
    R: std::future::IntoFuture<Output = Result<T, RequestError>>,
{
    let mut tries = 0;
    loop {
        match request().await {
            Err(RequestError::RetryAfter(wait))
                if tries < FLOOD_RETRIES && wait.duration() <= LONGEST_FLOOD_WAIT =>
            {
                tries += 1;
                tracing::warn!(
                    wait = wait.seconds(),
                    "Telegram asked to slow down; sending again after the wait"
                );
                tokio::time::sleep(wait.duration()).await;
            }
            done => return done,
        }
    }
}

/// Splits an HTML text into parts of at most `max` UTF-16 code units, at line breaks (a blank
/// line first), so that tags, which never span lines in the bot's texts, stay balanced. A
/// single line longer than that (which no text of the bot's has: input is never echoed in full)
/// is cut and marked with `…`.
pub fn split(text: &str, max: usize) -> Vec<String> {
    let units = |s: &str| s.encode_utf16().count();
    if units(text) <= max {
        return vec![text.to_owned()];
    }
    let mut parts = Vec::new();
    let mut current = String::new();
    for line in text.split('\n') {
        let line = if units(line) > max {
            cut(line, max - 1) + "…"
        } else {
            line.to_owned()
        };
        let joined = units(&current) + 1 + units(&line);
        if !current.is_empty() && joined > max {
            parts.push(std::mem::take(&mut current).trim_end().to_owned());
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(&line);
    }
    let current = current.trim_end();
    if !current.trim().is_empty() {
        parts.push(current.to_owned());
    }
    parts.retain(|p| !p.trim().is_empty());
    parts
}

/// The longest prefix of `s` of at most `max` UTF-16 code units.
fn cut(s: &str, max: usize) -> String {
    let mut units = 0;
    s.chars()
        .take_while(|c| {
            units += c.len_utf16();
            units <= max
        })
        .collect()
}

/// A database error while answering `chat`: the dispatcher's error handler logs it and
/// apologises there, in `lang`.
#[derive(Debug, thiserror::Error)]
#[error("answering chat {chat}: {cause}")]
pub struct Apology {
    chat: ChatId,
    quote: Option<MessageId>,
    lang: Lang,
    cause: StoreError,
}

/// `result.or_apologise(&msg, lang)?`: a store error becomes an [`Apology`] in that chat.
pub trait OrApologise<T> {
    fn or_apologise(self, msg: &Message, lang: Lang) -> Result<T, Apology>;
}

impl<T> OrApologise<T> for Result<T, StoreError> {
    fn or_apologise(self, msg: &Message, lang: Lang) -> Result<T, Apology> {
        self.map_err(|cause| Apology {
            chat: msg.chat.id,
            quote: (!msg.chat.is_private()).then_some(msg.id),
            lang,
            cause,
        })
    }
}

/// The dispatcher's error handler: logs every error a handler returns, and for an [`Apology`]
/// says sorry in the chat.
pub struct Apologiser(pub TgBot);

impl ErrorHandler<BoxError> for Apologiser {
    fn handle_error(
        self: Arc<Self>,
        error: BoxError,
    ) -> std::pin::Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(async move {
            let Some(apology) = error.downcast_ref::<Apology>() else {
                tracing::error!("handling an update failed: {error}");
                return;
            };
            tracing::error!("request failed: {apology}");
            apologise(&self.0, apology.chat, apology.quote, apology.lang).await;
        })
    }
}

/// Says sorry in `chat` (quoting `quote`, in groups) for a request that was not completed.
pub async fn apologise(bot: &TgBot, chat: ChatId, quote: Option<MessageId>, lang: Lang) {
    let text = texts::internal_error(lang);
    if let Err(err) = deliver(bot, chat, quote, text, None).await {
        tracing::warn!("could not apologise: {err}");
    }
}

/// Remembers `shown`, the message that announced verification `id` with its buttons. If the
/// verification was closed meanwhile (a code typed, and answered, through another process before
/// this one got here), the buttons, which would only answer "no longer open", go.
pub async fn remember_announcement(
    bot: &TgBot,
    verifier: &Verifier,
    id: i64,
    shown: &Message,
) -> Result<(), StoreError> {
    if !verifier.remember_message(id, shown.id.0).await? {
        remove_buttons(bot, shown.chat.id, shown.id).await;
    }
    Ok(())
}

/// Removes the buttons under a message. Best effort: a message already without them is fine.
pub async fn remove_buttons(bot: &TgBot, chat: ChatId, message: MessageId) {
    if let Err(err) = bot.edit_message_reply_markup(chat, message).await {
        tracing::debug!("could not remove the buttons of a message: {err}");
    }
}

/// A closed verification's buttons would only answer "no longer open": remove them.
pub async fn drop_buttons(bot: &TgBot, verification: &Verification) {
    if let Some(message_id) = verification.message_id {
        remove_buttons(bot, ChatId(verification.chat_id), MessageId(message_id)).await;
    }
}

/// The plain text of an HTML reply (for a pop-up, or the admin panel): tags dropped, the
/// entities the texts use turned back into characters.
pub fn plain_text(html: &str) -> String {
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
    use proptest::prelude::*;

    #[test]
    fn a_short_text_is_one_part() {
        assert_eq!(split("hello\nworld", 4096), ["hello\nworld"]);
    }

    #[test]
    fn a_long_list_is_split_between_lines() {
        let lines: Vec<String> = (0..500).map(|i| format!("<b>{i}</b> Alice")).collect();
        let text = lines.join("\n");
        let parts = split(&text, 4096);
        assert!(parts.len() > 1);
        assert_eq!(parts.join("\n"), text, "nothing is lost or reordered");
        for part in &parts {
            assert!(part.encode_utf16().count() <= 4096);
            assert_eq!(part.matches("<b>").count(), part.matches("</b>").count());
        }
    }

    proptest! {
        #[test]
        fn every_part_fits_and_no_text_is_lost(
            lines in proptest::collection::vec("[a-zа-я😀 <>/]{0,300}", 0..60),
            max in 20usize..600,
        ) {
            let text = lines.join("\n");
            let parts = split(&text, max);
            for part in &parts {
                prop_assert!(part.encode_utf16().count() <= max);
                // Split parts are never blank (Telegram refuses an empty message).
                prop_assert!(parts.len() == 1 || !part.trim().is_empty());
            }
            let short_lines = lines.iter().all(|l| l.encode_utf16().count() <= max);
            if short_lines {
                let kept: String = parts.concat().split_whitespace().collect();
                let given: String = text.split_whitespace().collect();
                prop_assert_eq!(kept, given);
            }
        }
    }
}
