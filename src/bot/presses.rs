//! What a button press does. `callback_data` is written by the client, so every press is
//! authorised against the verification it names, the person who pressed and the chat the press
//! came from (see [`Actor`]): a refused press is answered with a short pop-up that reveals
//! nothing, does nothing, and is written to the audit log. Every press is answered
//! (`answerCallbackQuery`), and pressing twice is safe: the second press finds the verification
//! no longer open, or the person already removed, and says so.

use std::sync::Arc;

use teloxide::prelude::*;
use teloxide::types::{MaybeInaccessibleMessage, Me, User};

use super::admin;
use super::buttons::{self, Action, keyboard};
use super::context::{BoxError, HandlerResult, Settings, TgBot};
use super::customers::QrPicture;
use super::reply::{Private, drop_buttons, remove_buttons, send_to as say, to_private_chat};
use super::texts::{self, Lang, View};
use crate::customers::{Customers, LinkFor, Pressed};
use crate::store::{Role, Store};
use crate::verification::{Actor, CancelOutcome, CheckOutcome, SendOutcome, Verifier};

/// What a press may need besides the press itself.
struct Context<'a> {
    bot: &'a TgBot,
    verifier: &'a Verifier,
    customers: &'a Customers,
    store: &'a Store,
    settings: &'a Settings,
    me: &'a Me,
}

/// A button pressed by staff. Always answered, even when something fails.
// Handlers take their dependencies one by one, as the handler tree injects them.
#[allow(clippy::too_many_arguments)]
pub async fn pressed(
    bot: TgBot,
    query: CallbackQuery,
    lang: Lang,
    role: Role,
    verifier: Verifier,
    customers: Customers,
    store: Store,
    settings: Arc<Settings>,
    me: Me,
) -> HandlerResult {
    let cx = Context {
        bot: &bot,
        verifier: &verifier,
        customers: &customers,
        store: &store,
        settings: &settings,
        me: &me,
    };
    let text = match act(lang, role, &query, &cx).await {
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
    query: &CallbackQuery,
    cx: &Context<'_>,
) -> Result<String, BoxError> {
    let Context {
        bot,
        verifier,
        customers,
        store,
        settings,
        ..
    } = *cx;
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
        tz: settings.time_zone.clone(),
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
                SendOutcome::NoLongerOpen | SendOutcome::QuestionClosed => {
                    Ok(texts::no_longer_open(lang))
                }
                SendOutcome::Sent(sent) => {
                    drop_keyboard(bot, message).await;
                    let shown = say(bot, chat, text, Some(keyboard(lang, sent.id))).await?;
                    verifier.remember_message(sent.id, shown.id.0).await?;
                    Ok(texts::callback_resent(lang))
                }
                SendOutcome::AlreadyOpen(_) => {
                    let buttons = buttons::for_send(lang, &outcome, staff);
                    say(bot, chat, text, buttons).await?;
                    Ok(texts::callback_not_sent(lang))
                }
                SendOutcome::Refused(_)
                | SendOutcome::Failed(_)
                | SendOutcome::SenderRefused { .. }
                | SendOutcome::Unknown { .. } => {
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
        Action::Anyway(id) => {
            let pressed = customers.send_anyway(id, &actor).await?;
            answered(pressed, message, &view, cx).await
        }
        Action::Consent(id) => {
            let pressed = customers.consent(id, &actor).await?;
            answered(pressed, message, &view, cx).await
        }
        Action::Drop(id) => {
            let pressed = customers.drop_question(id, &actor).await?;
            answered(pressed, message, &view, cx).await
        }
        Action::QrForQuestion(id) => {
            let link = customers.link_for_question(id, &actor).await?;
            qr_sent(link, &query.from, &view, cx).await
        }
        Action::QrForVerification(id) => {
            let link = customers.link_for_verification(id, &actor).await?;
            qr_sent(link, &query.from, &view, cx).await
        }
        Action::Language(chosen) => {
            store.choose_language(staff, chosen, crate::now()).await?;
            tracing::info!(user = staff, language = chosen.code(), "language chosen");
            drop_keyboard(bot, message).await;
            say(bot, chat, texts::language_set(chosen), None).await?;
            Ok(strip_tags(&texts::language_set(chosen)))
        }
    }
}

/// What a press on a question's button did, told in the chat; returns the pop-up. The question's
/// buttons go once it is answered; a send a limit refused (or that met an open verification)
/// leaves the question open, to press again later.
async fn answered(
    pressed: Pressed,
    message: &MaybeInaccessibleMessage,
    view: &View,
    cx: &Context<'_>,
) -> Result<String, BoxError> {
    let (bot, lang, chat) = (cx.bot, view.lang, message.chat().id);
    match pressed {
        Pressed::NotAllowed => Ok(texts::not_allowed(lang)),
        Pressed::Closed => {
            drop_keyboard(bot, message).await;
            Ok(texts::question_closed(lang))
        }
        Pressed::Cancelled(question) => {
            drop_keyboard(bot, message).await;
            say(
                bot,
                chat,
                texts::question_cancelled(&question.phone, view),
                None,
            )
            .await?;
            Ok(texts::callback_cancelled(lang))
        }
        Pressed::AskConsent(question) => {
            drop_keyboard(bot, message).await;
            let text = texts::consent_question(&question.phone, view);
            let buttons = buttons::consent_keyboard(lang, question.id);
            say(bot, chat, text, Some(buttons)).await?;
            Ok(texts::callback_ask_consent(lang))
        }
        Pressed::Sent(outcome) => {
            if !matches!(
                outcome,
                SendOutcome::Refused(_) | SendOutcome::AlreadyOpen(_)
            ) {
                drop_keyboard(bot, message).await;
            }
            let text = texts::send_outcome(&outcome, view);
            let buttons = buttons::for_send(lang, &outcome, view.viewer);
            let shown = say(bot, chat, text, buttons).await?;
            match outcome {
                SendOutcome::Sent(sent) => {
                    cx.verifier.remember_message(sent.id, shown.id.0).await?;
                    Ok(texts::callback_sent(lang))
                }
                _ => Ok(texts::callback_not_sent(lang)),
            }
        }
    }
}

/// Sends the QR picture of a link made by a button to the presser's private chat (where the
/// link belongs, also when the button was pressed in a group); returns the pop-up.
async fn qr_sent(
    link: LinkFor,
    presser: &User,
    view: &View,
    cx: &Context<'_>,
) -> Result<String, BoxError> {
    let lang = view.lang;
    let link = match link {
        LinkFor::Made(link) => link,
        LinkFor::Closed => return Ok(texts::question_closed(lang)),
        LinkFor::NotAllowed => return Ok(texts::not_allowed(lang)),
    };
    let private = View {
        group: false,
        ..view.clone()
    };
    let picture = QrPicture::of(cx.me, &link, &private)?;
    let delivered = to_private_chat(presser, |chat| picture.send(cx.bot, chat)).await?;
    Ok(match (delivered, view.group) {
        (Private::Delivered, false) => texts::callback_qr(lang),
        (Private::Delivered, true) => strip_tags(&texts::sent_privately(lang)),
        (Private::CannotWrite, _) => {
            strip_tags(&texts::cannot_write_privately(lang, cx.me.username()))
        }
    })
}

/// An admin-only button pressed by staff who are not admins: refused, and audited.
pub async fn admins_only(
    bot: TgBot,
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
pub async fn stranger(bot: TgBot, query: CallbackQuery, lang: Lang) -> HandlerResult {
    answer(&bot, &query, texts::stranger_short(lang, query.from.id.0)).await
}

pub async fn access_unavailable(bot: TgBot, query: CallbackQuery, lang: Lang) -> HandlerResult {
    answer(&bot, &query, texts::access_unavailable(lang)).await
}

async fn answer(bot: &TgBot, query: &CallbackQuery, text: String) -> HandlerResult {
    // Pop-up answers are plain text of at most 200 characters.
    let text: String = text.chars().take(200).collect();
    bot.answer_callback_query(query.id.clone())
        .text(text)
        .await?;
    Ok(())
}

/// Removes the buttons from the message whose button was pressed. Best effort.
async fn drop_keyboard(bot: &TgBot, message: &teloxide::types::MaybeInaccessibleMessage) {
    remove_buttons(bot, message.chat().id, message.id()).await;
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
    fn pop_up_answers_are_plain_text() {
        assert_eq!(
            strip_tags("🗑 Bob (user <code>5</code>) &amp; co"),
            "🗑 Bob (user 5) & co"
        );
    }
}
