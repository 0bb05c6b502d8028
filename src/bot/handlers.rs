//! Staff handlers: one small async function per thing a person can do. Each computes a reply
//! with the [`Verifier`] and [`texts`], then sends it; an internal error becomes an apology.

use std::sync::Arc;

use teloxide::prelude::*;
use teloxide::types::{ChatAction, User};

use super::reply::{apologise, drop_buttons, pick, reply, send, view_of};
use super::{HandlerResult, Settings, callbacks, menu, texts};
use crate::invite;
use crate::phone::PhoneNumber;
use crate::store::{Claim, Member, Role, Store};
use crate::verification::{CancelOutcome, CheckOutcome, SendOutcome, Verifier};

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
    let text = texts::send_outcome(&outcome, &view_of(&msg, &user));
    let buttons = match &outcome {
        SendOutcome::Sent(v) | SendOutcome::AlreadyOpen(v) => Some(callbacks::keyboard(v.id)),
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

/// `/cancel`: the staff member's open verification here; asks which when there are several.
pub async fn cancel(bot: Bot, msg: Message, user: User, verifier: Verifier) -> HandlerResult {
    let outcome = match verifier.cancel(msg.chat.id.0, user.id.0 as i64).await {
        Ok(outcome) => outcome,
        Err(err) => return apologise(&bot, &msg, err).await,
    };
    let text = texts::cancel_outcome(&outcome, &view_of(&msg, &user));
    let buttons = match &outcome {
        CancelOutcome::Ambiguous(open) => Some(pick(open, |v| callbacks::cancel_data(v.id))),
        CancelOutcome::Cancelled { verification, .. } => {
            drop_buttons(&bot, verification).await;
            None
        }
        CancelOutcome::NothingOpen => None,
    };
    send(&bot, &msg, text, buttons).await?;
    Ok(())
}

pub async fn status(bot: Bot, msg: Message, user: User, verifier: Verifier) -> HandlerResult {
    match verifier.open(msg.chat.id.0, user.id.0 as i64).await {
        Ok(open) => reply(&bot, &msg, texts::status(&open, &view_of(&msg, &user))).await,
        Err(err) => apologise(&bot, &msg, err).await,
    }
}

/// `/history`: the caller's last 10 verifications; admins see everyone's, with names.
pub async fn history(
    bot: Bot,
    msg: Message,
    user: User,
    role: Role,
    store: Store,
    settings: Arc<Settings>,
) -> HandlerResult {
    let everyone = role == Role::Admin;
    let staff = (!everyone).then_some(user.id.0 as i64);
    match store.history(staff, 10).await {
        Ok(entries) => {
            let text = texts::history(&entries, everyone, &settings.time_zone);
            reply(&bot, &msg, text).await
        }
        Err(err) => apologise(&bot, &msg, err).await,
    }
}

/// Any other message from staff: a code, other text, an unknown command or not text at all.
pub async fn other_message(
    bot: Bot,
    msg: Message,
    user: User,
    verifier: Verifier,
) -> HandlerResult {
    let Some(text) = msg.text() else {
        return reply(&bot, &msg, texts::not_text()).await;
    };
    if text.starts_with('/') {
        return reply(&bot, &msg, texts::unknown_command()).await;
    }
    let reply_to = msg.reply_to_message().map(|m| m.id.0);
    let checked = verifier
        .check(msg.chat.id.0, user.id.0 as i64, text, reply_to)
        .await;
    let outcome = match checked {
        Ok(outcome) => outcome,
        Err(err) => return apologise(&bot, &msg, err).await,
    };
    let buttons = match &outcome {
        CheckOutcome::Ambiguous { open, code } => {
            Some(pick(open, |v| callbacks::check_data(v.id, code)))
        }
        _ => None,
    };
    send(
        &bot,
        &msg,
        texts::check_outcome(&outcome, &view_of(&msg, &user)),
        buttons,
    )
    .await?;
    if let Some(closed) = outcome.closed() {
        drop_buttons(&bot, closed).await;
    }
    Ok(())
}

/// `/start <token>` from someone without access: a one-time link.
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
    let name = user.full_name();
    let member = Member {
        user_id: user.id.0 as i64,
        name: &name,
        username: user.username.as_deref(),
    };
    let claim = match store
        .claim_invite(&invite::hash(token), &member, crate::now())
        .await
    {
        Ok(claim) => claim,
        Err(err) => return apologise(&bot, &msg, err).await,
    };
    let Claim::Joined { role, inviter } = claim else {
        tracing::info!(user = user.id.0, "a one-time link was refused: {claim:?}");
        return reply(&bot, &msg, texts::link_refused(&claim, user.id.0)).await;
    };
    tracing::info!(
        user = user.id.0,
        role = role.as_str(),
        "one-time link used; it no longer works"
    );
    let (length, ttl) = (verifier.code_length(), verifier.ttl());
    let welcome = match inviter {
        None => texts::owner_joined(length, ttl),
        Some(_) => texts::joined(role, length, ttl),
    };
    if role == Role::Admin {
        menu::show_admin_menu(&bot, member.user_id).await;
    }
    reply(&bot, &msg, welcome).await?;
    if let Some(inviter) = inviter {
        let notice = texts::inviter_notice(&name, member.username, member.user_id, role);
        let told = bot
            .send_message(ChatId(inviter), notice)
            .parse_mode(teloxide::types::ParseMode::Html)
            .await;
        if let Err(err) = told {
            tracing::warn!(inviter, "could not tell the inviter who joined: {err}");
        }
    }
    Ok(())
}

/// Anyone else: a polite answer with their user id, so an admin can add them.
pub async fn stranger(bot: Bot, msg: Message, user: User) -> HandlerResult {
    tracing::info!(user = user.id.0, "message from someone without access");
    reply(&bot, &msg, texts::stranger(user.id.0)).await
}

pub async fn access_unavailable(bot: Bot, msg: Message) -> HandlerResult {
    reply(&bot, &msg, texts::access_unavailable()).await
}
