//! Staff handlers: one small async function per thing a person can do. Each computes a reply
//! with the [`Verifier`] and [`texts`], then sends it; an internal error becomes an apology. And
//! the two answers to someone without access: an invite link opened, or the polite refusal.

use std::sync::Arc;
use std::time::Duration;

use teloxide::prelude::*;
use teloxide::types::{ChatAction, Me, User};

use super::buttons::{self, Action, pick};
use super::context::{HandlerResult, Settings, TgBot, TypedPhone};
use super::menu::Menus;
use super::reply::{OrApologise, drop_buttons, remember_announcement, reply, send, send_to};
use super::texts::{self, NumberFor, View};
use crate::customers::{Before, Customers};
use crate::i18n::Lang;
use crate::people::{Joined, People};
use crate::phone::PhoneNumber;
use crate::store::{Member, Role, Store};
use crate::tr;
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

/// `/panel`: a button that opens the admin panel, in a private chat (Telegram opens Mini Apps
/// with their sign-in data only from there); in a group, a line pointing to the private chat.
pub async fn panel(
    bot: TgBot,
    msg: Message,
    lang: Lang,
    me: Me,
    settings: Arc<Settings>,
) -> HandlerResult {
    let Some(url) = settings.panel_url.as_deref() else {
        return reply(&bot, &msg, tr!(lang, "panel-off")).await;
    };
    if !msg.chat.is_private() {
        let text = tr!(lang, "panel-in-group", bot = me.username());
        return reply(&bot, &msg, text).await;
    }
    let button = buttons::open_panel(tr!(lang, "button-open-panel"), url);
    send(&bot, &msg, tr!(lang, "panel-open"), button).await?;
    Ok(())
}

/// `/verify <number>`: [`verify_number`], once it is one.
pub async fn verify(
    bot: TgBot,
    msg: Message,
    typed: TypedPhone,
    actor: Actor,
    view: View,
    customers: Customers,
) -> HandlerResult {
    match &typed.phone {
        Ok(phone) => verify_number(&bot, &msg, phone, &actor, &view, &customers).await,
        Err(err) => {
            let text = texts::bad_phone(view.lang, NumberFor::Verify, &typed.text, err);
            reply(&bot, &msg, text).await
        }
    }
}

/// Sends a code to `phone` (showing "typing…" if the Gateway is slow), unless a question comes
/// first: the number was verified recently, or the customer's consent is to be confirmed.
pub(super) async fn verify_number(
    bot: &TgBot,
    msg: &Message,
    phone: &PhoneNumber,
    actor: &Actor,
    view: &View,
    customers: &Customers,
) -> HandlerResult {
    let lang = view.lang;
    let before = customers.before_send(actor, phone).await;
    match before.or_apologise(msg, lang)? {
        Before::Send => {}
        Before::Returning { last, question } => {
            let buttons = buttons::returning_keyboard(lang, question);
            send(bot, msg, texts::returning(&last, view), Some(buttons)).await?;
            return Ok(());
        }
        Before::AskConsent { question } => {
            let buttons = buttons::consent_keyboard(lang, question);
            send(
                bot,
                msg,
                texts::consent_question(phone, view),
                Some(buttons),
            )
            .await?;
            return Ok(());
        }
    }
    let verifier = customers.verifier();
    let sending = verifier.send(actor.chat_id, actor.user_id, phone);
    let outcome = while_typing(bot, msg.chat.id, sending)
        .await
        .or_apologise(msg, lang)?;
    let text = texts::send_outcome(&outcome, view);
    let buttons = match outcome.free_check_helps() {
        true => {
            let question = customers.ask_for_qr(actor, phone).await;
            let question = question.or_apologise(msg, lang)?;
            Some(buttons::qr_instead(lang, Action::QrForQuestion(question)))
        }
        false => buttons::for_send(lang, &outcome, actor.user_id),
    };
    let shown = send(bot, msg, text, buttons).await?;
    if let SendOutcome::Sent(verification) = &outcome {
        remember_announcement(bot, verifier, verification.id, &shown).await?;
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
    actor: Actor,
    view: View,
    verifier: Verifier,
) -> HandlerResult {
    let outcome = verifier
        .cancel(&actor)
        .await
        .or_apologise(&msg, view.lang)?;
    let text = texts::cancel_outcome(&outcome, &view);
    let buttons = match &outcome {
        CancelOutcome::Ambiguous(open) => Some(pick(open, |v| Action::Cancel(v.id))),
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
    actor: Actor,
    view: View,
    verifier: Verifier,
) -> HandlerResult {
    let open = verifier
        .open(actor.chat_id, actor.user_id)
        .await
        .or_apologise(&msg, view.lang)?;
    reply(&bot, &msg, texts::status(&open, &view)).await
}

/// `/history`: the caller's last 10 verifications; admins see everyone's, with names.
pub async fn history(
    bot: TgBot,
    msg: Message,
    actor: Actor,
    view: View,
    store: Store,
) -> HandlerResult {
    let everyone = actor.admin;
    let staff = (!everyone).then_some(actor.user_id);
    let entries = store
        .history(staff, 10)
        .await
        .or_apologise(&msg, view.lang)?;
    let text = texts::history(view.lang, &entries, everyone, &view.tz);
    reply(&bot, &msg, text).await
}

/// Any other message from staff: a code, other text, an unknown command or not text at all.
pub async fn other_message(
    bot: TgBot,
    msg: Message,
    actor: Actor,
    view: View,
    verifier: Verifier,
) -> HandlerResult {
    let lang = view.lang;
    let Some(text) = msg.text() else {
        return reply(&bot, &msg, texts::not_text(lang)).await;
    };
    if text.starts_with('/') {
        return reply(&bot, &msg, texts::unknown_command(lang)).await;
    }
    let reply_to = msg.reply_to_message().map(|m| m.id.0);
    let checked = verifier
        .check(actor.chat_id, actor.user_id, text, reply_to)
        .await;
    let outcome = checked.or_apologise(&msg, lang)?;
    let buttons = match &outcome {
        CheckOutcome::Ambiguous { open, code } => {
            Some(pick(open, |v| Action::Check(v.id, code.clone())))
        }
        _ => None,
    };
    send(&bot, &msg, texts::check_outcome(&outcome, &view), buttons).await?;
    if let Some(closed) = outcome.closed() {
        drop_buttons(&bot, closed).await;
    }
    Ok(())
}

/// `/start <token>` from someone without access, in a private chat: a one-time invite link.
pub async fn join(
    bot: TgBot,
    msg: Message,
    lang: Lang,
    user: User,
    payload: String,
    people: People,
    menus: Menus,
) -> HandlerResult {
    let name = user.full_name();
    let member = Member {
        user_id: user.id.0 as i64,
        name: &name,
        username: user.username.as_deref(),
    };
    let joined = people
        .claim_invite(payload.trim(), &member)
        .await
        .or_apologise(&msg, lang)?;
    let (role, inviter) = match joined {
        Joined::Member { role, inviter } => (role, inviter),
        Joined::Refused(claim) => {
            return reply(&bot, &msg, texts::link_refused(lang, &claim, user.id.0)).await;
        }
    };
    let verifier = people.verifier();
    let (length, ttl) = (verifier.code_length(), verifier.ttl());
    let welcome = match inviter {
        None => texts::owner_joined(lang, length, ttl),
        Some(_) => texts::joined(lang, role, length, ttl),
    };
    menus.granted(&bot, member.user_id, role, lang).await;
    reply(&bot, &msg, welcome).await?;
    if let Some(inviter) = inviter {
        let notice =
            texts::inviter_notice(inviter.lang, &name, member.username, member.user_id, role);
        let told = send_to(&bot, ChatId(inviter.user_id), notice, None).await;
        if let Err(err) = told {
            tracing::warn!(
                inviter = inviter.user_id,
                "could not tell the inviter who joined: {err}"
            );
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
