//! Staff handlers: one small async function per thing a person can do. Each computes a reply
//! with the [`Verifier`] and [`texts`], then sends it; an internal error becomes an apology.

use std::sync::Arc;
use std::time::Duration;

use teloxide::prelude::*;
use teloxide::types::{ChatAction, User};

use super::buttons::{self, pick};
use super::context::{HandlerResult, Settings, TgBot, lang_of};
use super::reply::{OrApologise, drop_buttons, reply, send, send_to, view_of};
use super::{menu, texts};
use crate::customers::{Before, Customers};
use crate::i18n::Lang;
use crate::invite;
use crate::phone::PhoneNumber;
use crate::store::{Claim, Member, Role, Store};
use crate::verification::{Actor, CancelOutcome, CheckOutcome, SendOutcome, Verifier};

/// `/start` from staff. A link token is not used up by someone who already has access.
pub async fn start(
    bot: TgBot,
    msg: Message,
    lang: Lang,
    payload: String,
    role: Role,
    verifier: Verifier,
) -> HandlerResult {
    if crate::customers::is_link_token(payload.trim()) {
        return super::customers::link_opened_by_staff(&bot, &msg, lang).await;
    }
    let (length, ttl) = (verifier.code_length(), verifier.ttl());
    let text = if payload.trim().is_empty() {
        texts::help(lang, role, length, ttl)
    } else {
        texts::already_member(lang, role, length, ttl)
    };
    reply(&bot, &msg, text).await
}

pub async fn help(
    bot: TgBot,
    msg: Message,
    lang: Lang,
    role: Role,
    verifier: Verifier,
) -> HandlerResult {
    let text = texts::help(lang, role, verifier.code_length(), verifier.ttl());
    reply(&bot, &msg, text).await
}

/// `/verify <number>`: parse, then [`verify_number`].
// Handlers take their dependencies one by one, as the handler tree injects them.
#[allow(clippy::too_many_arguments)]
pub async fn verify(
    bot: TgBot,
    msg: Message,
    lang: Lang,
    user: User,
    role: Role,
    number: String,
    verifier: Verifier,
    customers: Customers,
    settings: Arc<Settings>,
) -> HandlerResult {
    let phone = match PhoneNumber::parse(&number, settings.default_region) {
        Ok(phone) => phone,
        Err(err) => return reply(&bot, &msg, texts::bad_phone(lang, &number, &err)).await,
    };
    verify_number(
        &bot, &msg, lang, &user, role, &phone, &verifier, &customers, &settings,
    )
    .await
}

/// Sends a code to `phone` (showing "typing…" if the Gateway is slow), unless a question comes
/// first: the number was verified recently, or the customer's consent is to be confirmed.
// Each piece is what a handler was given.
#[allow(clippy::too_many_arguments)]
pub(super) async fn verify_number(
    bot: &TgBot,
    msg: &Message,
    lang: Lang,
    user: &User,
    role: Role,
    phone: &PhoneNumber,
    verifier: &Verifier,
    customers: &Customers,
    settings: &Settings,
) -> HandlerResult {
    let actor = Actor {
        user_id: user.id.0 as i64,
        chat_id: msg.chat.id.0,
        admin: role == Role::Admin,
    };
    let view = view_of(msg, user, lang, settings);
    let before = customers.before_send(&actor, phone).await;
    match before.or_apologise(msg, lang)? {
        Before::Send => {}
        Before::Returning { last, question } => {
            let buttons = buttons::returning_keyboard(lang, question);
            send(bot, msg, texts::returning(&last, &view), Some(buttons)).await?;
            return Ok(());
        }
        Before::AskConsent { question } => {
            let buttons = buttons::consent_keyboard(lang, question);
            send(
                bot,
                msg,
                texts::consent_question(phone, &view),
                Some(buttons),
            )
            .await?;
            return Ok(());
        }
    }
    let sending = verifier.send(msg.chat.id.0, user.id.0 as i64, phone);
    let outcome = while_typing(bot, msg.chat.id, sending)
        .await
        .or_apologise(msg, lang)?;
    let text = texts::send_outcome(&outcome, &view);
    let buttons = buttons::for_send(lang, &outcome, user.id.0 as i64);
    let shown = send(bot, msg, text, buttons).await?;
    if let SendOutcome::Sent(verification) = &outcome {
        verifier
            .remember_message(verification.id, shown.id.0)
            .await?;
    }
    Ok(())
}

/// How long the Gateway may take before the chat shows "typing…": a quicker answer needs no
/// sign of life, and the Bot API call is saved.
const TYPING_AFTER: Duration = Duration::from_millis(300);

/// Runs `work`; if it takes longer than [`TYPING_AFTER`], shows "typing…" in the chat meanwhile.
async fn while_typing<T>(bot: &TgBot, chat: ChatId, work: impl Future<Output = T>) -> T {
    let mut work = std::pin::pin!(work);
    tokio::select! {
        done = &mut work => return done,
        () = tokio::time::sleep(TYPING_AFTER) => {}
    }
    let typing = bot.send_chat_action(chat, ChatAction::Typing).into_future();
    let (_, done) = tokio::join!(typing, work);
    done
}

/// `/cancel`: the staff member's open verification here; asks which when there are several.
pub async fn cancel(
    bot: TgBot,
    msg: Message,
    lang: Lang,
    user: User,
    role: Role,
    verifier: Verifier,
    settings: Arc<Settings>,
) -> HandlerResult {
    let actor = Actor {
        user_id: user.id.0 as i64,
        chat_id: msg.chat.id.0,
        admin: role == Role::Admin,
    };
    let outcome = verifier.cancel(&actor).await.or_apologise(&msg, lang)?;
    let text = texts::cancel_outcome(&outcome, &view_of(&msg, &user, lang, &settings));
    let buttons = match &outcome {
        CancelOutcome::Ambiguous(open) => Some(pick(open, |v| buttons::cancel_data(v.id))),
        CancelOutcome::Cancelled { verification, .. } => {
            drop_buttons(&bot, verification).await;
            None
        }
        CancelOutcome::NothingOpen | CancelOutcome::NotAllowed => None,
    };
    send(&bot, &msg, text, buttons).await?;
    Ok(())
}

pub async fn status(
    bot: TgBot,
    msg: Message,
    lang: Lang,
    user: User,
    verifier: Verifier,
    settings: Arc<Settings>,
) -> HandlerResult {
    let open = verifier
        .open(msg.chat.id.0, user.id.0 as i64)
        .await
        .or_apologise(&msg, lang)?;
    reply(
        &bot,
        &msg,
        texts::status(&open, &view_of(&msg, &user, lang, &settings)),
    )
    .await
}

/// `/history`: the caller's last 10 verifications; admins see everyone's, with names.
pub async fn history(
    bot: TgBot,
    msg: Message,
    lang: Lang,
    user: User,
    role: Role,
    store: Store,
    settings: Arc<Settings>,
) -> HandlerResult {
    let everyone = role == Role::Admin;
    let staff = (!everyone).then_some(user.id.0 as i64);
    let entries = store.history(staff, 10).await.or_apologise(&msg, lang)?;
    let text = texts::history(lang, &entries, everyone, &settings.time_zone);
    reply(&bot, &msg, text).await
}

/// Any other message from staff: a code, other text, an unknown command or not text at all.
pub async fn other_message(
    bot: TgBot,
    msg: Message,
    lang: Lang,
    user: User,
    verifier: Verifier,
    settings: Arc<Settings>,
) -> HandlerResult {
    let Some(text) = msg.text() else {
        return reply(&bot, &msg, texts::not_text(lang)).await;
    };
    if text.starts_with('/') {
        return reply(&bot, &msg, texts::unknown_command(lang)).await;
    }
    let reply_to = msg.reply_to_message().map(|m| m.id.0);
    let checked = verifier
        .check(msg.chat.id.0, user.id.0 as i64, text, reply_to)
        .await;
    let outcome = checked.or_apologise(&msg, lang)?;
    let buttons = match &outcome {
        CheckOutcome::Ambiguous { open, code } => {
            Some(pick(open, |v| buttons::check_data(v.id, code)))
        }
        _ => None,
    };
    send(
        &bot,
        &msg,
        texts::check_outcome(&outcome, &view_of(&msg, &user, lang, &settings)),
        buttons,
    )
    .await?;
    if let Some(closed) = outcome.closed() {
        drop_buttons(&bot, closed).await;
    }
    Ok(())
}

/// `/start <token>` from someone without access: a one-time link.
// Handlers take their dependencies one by one, as the handler tree injects them.
#[allow(clippy::too_many_arguments)]
pub async fn join(
    bot: TgBot,
    msg: Message,
    lang: Lang,
    user: User,
    payload: String,
    store: Store,
    verifier: Verifier,
    customers: Customers,
    settings: Arc<Settings>,
) -> HandlerResult {
    let token = payload.trim();
    // A one-time link opens the private chat with the bot; typed in a group it is only text
    // (which the whole group could read and open first), and opens nothing.
    if token.is_empty() || !msg.chat.is_private() {
        return stranger(bot, msg, lang, user, store).await;
    }
    if crate::customers::is_link_token(token) {
        return super::customers::link_opened(&bot, &msg, lang, &user, token, &customers).await;
    }
    let name = user.full_name();
    let member = Member {
        user_id: user.id.0 as i64,
        name: &name,
        username: user.username.as_deref(),
    };
    let claim = store
        .claim_invite(&invite::hash(token), &member, crate::now())
        .await
        .or_apologise(&msg, lang)?;
    let Claim::Joined { role, inviter } = claim else {
        tracing::info!(user = user.id.0, "a one-time link was refused: {claim:?}");
        return reply(&bot, &msg, texts::link_refused(lang, &claim, user.id.0)).await;
    };
    tracing::info!(
        user = user.id.0,
        role = role.as_str(),
        "one-time link used; it no longer works"
    );
    let (length, ttl) = (verifier.code_length(), verifier.ttl());
    let welcome = match inviter {
        None => texts::owner_joined(lang, length, ttl),
        Some(_) => texts::joined(lang, role, length, ttl),
    };
    if role == Role::Admin {
        menu::show_admin_menu(&bot, member.user_id).await;
    }
    reply(&bot, &msg, welcome).await?;
    if let Some(inviter) = inviter {
        let inviter_lang = lang_of(&store, inviter, settings.default_lang).await;
        let notice =
            texts::inviter_notice(inviter_lang, &name, member.username, member.user_id, role);
        let told = send_to(&bot, ChatId(inviter), notice, None).await;
        if let Err(err) = told {
            tracing::warn!(inviter, "could not tell the inviter who joined: {err}");
        }
    }
    Ok(())
}

/// Anyone else: a polite answer with their user id, so an admin can add them. In a group,
/// where customers may be, at most one such answer per person per day: the bot does not spam
/// the group, nor spend its sending quota on it.
pub async fn stranger(
    bot: TgBot,
    msg: Message,
    lang: Lang,
    user: User,
    store: Store,
) -> HandlerResult {
    tracing::info!(user = user.id.0, "message from someone without access");
    if !msg.chat.is_private() {
        match store
            .claim_stranger_reply(user.id.0 as i64, crate::now())
            .await
        {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(err) => {
                tracing::warn!("cannot tell whether a stranger was answered today: {err}");
                return Ok(());
            }
        }
    }
    reply(&bot, &msg, texts::stranger(lang, user.id.0)).await
}

pub async fn access_unavailable(bot: TgBot, msg: Message, lang: Lang) -> HandlerResult {
    reply(&bot, &msg, texts::access_unavailable(lang)).await
}

/// `/language`: English / Русский buttons; the choice is stored (see [`super::presses`]).
pub async fn language(bot: TgBot, msg: Message, lang: Lang) -> HandlerResult {
    let text = texts::language_pick(lang);
    send(&bot, &msg, text, Some(buttons::language_keyboard(lang))).await?;
    Ok(())
}
