//! One small async function per thing a person can do. Each computes a reply with the
//! [`Verifier`] and [`texts`], then sends it; an internal error becomes an apology in the chat.

use std::sync::Arc;

use teloxide::prelude::*;
use teloxide::types::{
    ChatAction, InlineKeyboardMarkup, MessageId, ParseMode, ReplyParameters, User,
};

use super::{HandlerResult, Settings, keyboard, texts};
use crate::invite;
use crate::phone::{PhoneError, PhoneNumber};
use crate::store::{Member, Role, Store, StoreError};
use crate::verification::{SendOutcome, Verifier};

/// `/start` from staff. A link token is not used up by someone who already has access.
pub async fn start(
    bot: Bot,
    msg: Message,
    payload: String,
    role: Role,
    verifier: Verifier,
) -> HandlerResult {
    let (length, ttl) = (verifier.code_length(), verifier.ttl());
    let text = if payload.trim().is_empty() {
        texts::help(role, length, ttl)
    } else {
        texts::already_member(role, length, ttl)
    };
    reply(&bot, &msg, text).await
}

pub async fn help(bot: Bot, msg: Message, role: Role, verifier: Verifier) -> HandlerResult {
    let text = texts::help(role, verifier.code_length(), verifier.ttl());
    reply(&bot, &msg, text).await
}

/// `/verify <number>`: parse, then send a code (showing "typing…" while the Gateway works).
pub async fn verify(
    bot: Bot,
    msg: Message,
    user: User,
    number: String,
    verifier: Verifier,
    settings: Arc<Settings>,
) -> HandlerResult {
    let phone = match PhoneNumber::parse(&number, settings.default_region) {
        Ok(phone) => phone,
        Err(err) => return reply(&bot, &msg, texts::bad_phone(&number, &err)).await,
    };
    let typing = bot.send_chat_action(msg.chat.id, ChatAction::Typing);
    let (_, outcome) = tokio::join!(typing.into_future(), async {
        verifier.send(msg.chat.id.0, user.id.0 as i64, &phone).await
    });
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(err) => return apologise(&bot, &msg, err).await,
    };
    let text = texts::send_outcome(&outcome, user.id.0 as i64, crate::now());
    let buttons = match &outcome {
        SendOutcome::Sent(v) | SendOutcome::AlreadyOpen(v) => Some(keyboard(v.id)),
        _ => None,
    };
    let shown = send(&bot, &msg, text, buttons).await?;
    if let SendOutcome::Sent(verification) = &outcome {
        verifier
            .remember_message(verification.id, shown.id.0)
            .await?;
    }
    Ok(())
}

/// `/reset <number>` (admins only, gated in the tree).
pub async fn reset(
    bot: Bot,
    msg: Message,
    user: User,
    number: String,
    verifier: Verifier,
    settings: Arc<Settings>,
) -> HandlerResult {
    let text = match PhoneNumber::parse(&number, settings.default_region) {
        Err(PhoneError::Empty) => texts::reset_usage(),
        Err(err) => texts::bad_phone(&number, &err),
        Ok(phone) => match verifier.reset_phone(&phone, user.id.0 as i64).await {
            Ok(()) => texts::reset_done(&phone),
            Err(err) => return apologise(&bot, &msg, err).await,
        },
    };
    reply(&bot, &msg, text).await
}

/// An admin command from staff who are not admins.
pub async fn admins_only(bot: Bot, msg: Message) -> HandlerResult {
    reply(&bot, &msg, texts::admins_only()).await
}

pub async fn cancel(bot: Bot, msg: Message, verifier: Verifier) -> HandlerResult {
    match verifier.cancel(msg.chat.id.0).await {
        Ok(outcome) => reply(&bot, &msg, texts::cancel_outcome(&outcome)).await,
        Err(err) => apologise(&bot, &msg, err).await,
    }
}

pub async fn status(bot: Bot, msg: Message, user: User, verifier: Verifier) -> HandlerResult {
    match verifier.open(msg.chat.id.0).await {
        Ok(open) => {
            let text = texts::status(open.as_ref(), user.id.0 as i64, crate::now());
            reply(&bot, &msg, text).await
        }
        Err(err) => apologise(&bot, &msg, err).await,
    }
}

/// Any other message from staff: a code, other text, an unknown command or not text at all.
pub async fn other_message(bot: Bot, msg: Message, verifier: Verifier) -> HandlerResult {
    let Some(text) = msg.text() else {
        return reply(&bot, &msg, texts::not_text()).await;
    };
    if text.starts_with('/') {
        return reply(&bot, &msg, texts::unknown_command()).await;
    }
    let outcome = match verifier.check(msg.chat.id.0, text).await {
        Ok(outcome) => outcome,
        Err(err) => return apologise(&bot, &msg, err).await,
    };
    reply(&bot, &msg, texts::check_outcome(&outcome)).await?;
    // A closed verification's buttons would only answer "no longer open": remove them.
    if let Some(closed) = outcome.closed()
        && let Some(message_id) = closed.message_id
    {
        let removed = bot
            .edit_message_reply_markup(ChatId(closed.chat_id), MessageId(message_id))
            .await;
        if let Err(err) = removed {
            tracing::debug!("could not remove the buttons of a closed verification: {err}");
        }
    }
    Ok(())
}

/// `/start <token>` from someone without access: the one-time link.
pub async fn join(
    bot: Bot,
    msg: Message,
    user: User,
    payload: String,
    store: Store,
    verifier: Verifier,
) -> HandlerResult {
    let token = payload.trim();
    if token.is_empty() {
        return stranger(bot, msg, user).await;
    }
    let member = Member {
        user_id: user.id.0 as i64,
        name: &user.full_name(),
        username: user.username.as_deref(),
    };
    let claimed = store
        .claim_invite(&invite::hash(token), &member, crate::now())
        .await;
    let text = match claimed {
        Ok(Some(role)) => {
            tracing::info!(
                user = user.id.0,
                role = role.as_str(),
                "one-time link used; it no longer works"
            );
            texts::joined(role, verifier.code_length(), verifier.ttl())
        }
        Ok(None) => texts::link_invalid(user.id.0),
        Err(err) => return apologise(&bot, &msg, err).await,
    };
    reply(&bot, &msg, text).await
}

/// Anyone else: a polite answer with their user id, so an admin can add them.
pub async fn stranger(bot: Bot, msg: Message, user: User) -> HandlerResult {
    tracing::info!(user = user.id.0, "message from someone without access");
    reply(&bot, &msg, texts::stranger(user.id.0)).await
}

pub async fn access_unavailable(bot: Bot, msg: Message) -> HandlerResult {
    reply(&bot, &msg, texts::access_unavailable()).await
}

async fn reply(bot: &Bot, msg: &Message, text: String) -> HandlerResult {
    send(bot, msg, text, None).await?;
    Ok(())
}

/// Sends an HTML reply, with buttons if given; in a group it quotes the message it answers.
async fn send(
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

async fn apologise(bot: &Bot, msg: &Message, err: StoreError) -> HandlerResult {
    tracing::error!(chat = msg.chat.id.0, "request failed: {err}");
    reply(bot, msg, texts::internal_error()).await
}
