//! What a button press does, one handler per [`Action`], and the branch of the tree that routes
//! each press to its handler. `callback_data` is written by the client, so every press is
//! authorised against the verification it names, the person who pressed and the chat the press
//! came from (see [`Actor`]): a refused press is answered with a short pop-up that reveals
//! nothing, does nothing, and is written to the audit log. Every press is answered
//! (`answerCallbackQuery`), and pressing twice is safe: the second press finds the verification
//! no longer open, or the person already removed, and says so.

use teloxide::dispatching::UpdateHandler;
use teloxide::prelude::*;
use teloxide::types::Me;

use super::admin;
use super::buttons::{self, Action, keyboard};
use super::context::{BoxError, HandlerResult, TgBot};
use super::customers::QrPicture;
use super::reply::{
    Private, drop_buttons, plain_text, remember_announcement, remove_buttons, send_to as say,
    to_private_chat,
};
use super::texts::{self, Lang, View};
use crate::customers::{Customers, LinkFor, Pressed};
use crate::people::People;
use crate::store::Store;
use crate::verification::{Actor, CancelOutcome, CheckOutcome, SendOutcome, Verifier};

/// The presses of staff, routed by what they ask for (their [`Action`]), as commands are.
/// Admin-only actions sit in the admin branch; the same press from other staff is refused.
/// A press whose data is not the bot's reaches none of them (the tree answers it as unknown).
pub fn schema() -> UpdateHandler<BoxError> {
    use dptree::case;

    let admin_actions = dptree::filter(|actor: Actor| actor.admin)
        .branch(case![Action::Remove(user_id)].endpoint(remove));

    dptree::filter_map(|query: CallbackQuery| query.data.as_deref().and_then(Action::parse))
        .branch(case![Action::Resend(id)].endpoint(resend))
        .branch(case![Action::Cancel(id)].endpoint(cancel))
        .branch(case![Action::Check(id, code)].endpoint(check))
        .branch(case![Action::Anyway(id)].endpoint(anyway))
        .branch(case![Action::Consent(id)].endpoint(consent))
        .branch(case![Action::Drop(id)].endpoint(drop_question))
        .branch(case![Action::QrForQuestion(id)].endpoint(qr_for_question))
        .branch(case![Action::QrForVerification(id)].endpoint(qr_for_verification))
        .branch(case![Action::Language(chosen)].endpoint(language))
        .branch(admin_actions)
        // Only admin actions are left: the presser is not an admin.
        .endpoint(admins_only)
}

/// The pop-up of a press: what `pressed` says, or an apology when it fails. Always sent.
async fn answer_with(
    bot: &TgBot,
    query: &CallbackQuery,
    lang: Lang,
    pressed: impl Future<Output = Result<String, BoxError>>,
) -> HandlerResult {
    let text = match pressed.await {
        Ok(text) => text,
        Err(err) => {
            tracing::error!("a button press failed: {err}");
            texts::internal_error(lang)
        }
    };
    answer(bot, query, text).await
}

/// ✖️ Cancel under a verification.
pub async fn cancel(
    bot: TgBot,
    query: CallbackQuery,
    id: i64,
    actor: Actor,
    view: View,
    verifier: Verifier,
) -> HandlerResult {
    let lang = view.lang;
    let pressed = async {
        match verifier.cancel_by_id(id, &actor).await? {
            cancelled @ CancelOutcome::Cancelled { .. } => {
                drop_keyboard(&bot, &query).await;
                if let CancelOutcome::Cancelled { verification, .. } = &cancelled {
                    drop_buttons(&bot, verification).await;
                }
                let text = texts::cancel_outcome(&cancelled, &view);
                say(&bot, chat(&actor), text, None).await?;
                Ok(texts::callback_cancelled(lang))
            }
            CancelOutcome::NotAllowed => Ok(texts::not_allowed(lang)),
            _ => Ok(texts::no_longer_open(lang)),
        }
    };
    answer_with(&bot, &query, lang, pressed).await
}

/// 🔁 Resend under a verification.
pub async fn resend(
    bot: TgBot,
    query: CallbackQuery,
    id: i64,
    actor: Actor,
    view: View,
    verifier: Verifier,
) -> HandlerResult {
    let lang = view.lang;
    let pressed = async {
        let outcome = verifier.resend(id, &actor).await?;
        let text = texts::send_outcome(&outcome, &view);
        let chat = chat(&actor);
        match &outcome {
            SendOutcome::NotAllowed => Ok(texts::not_allowed(lang)),
            SendOutcome::NoLongerOpen | SendOutcome::QuestionClosed => {
                Ok(texts::no_longer_open(lang))
            }
            SendOutcome::Sent(sent) => {
                drop_keyboard(&bot, &query).await;
                let shown = say(&bot, chat, text, Some(keyboard(lang, sent.id))).await?;
                remember_announcement(&bot, &verifier, sent.id, &shown).await?;
                Ok(texts::callback_resent(lang))
            }
            SendOutcome::AlreadyOpen { .. } => {
                let buttons = buttons::for_send(lang, &outcome, actor.user_id);
                say(&bot, chat, text, buttons).await?;
                Ok(texts::callback_not_sent(lang))
            }
            _ if outcome.free_check_helps() => {
                // The code to replace stays open: its number is the link's.
                let qr = buttons::qr_instead(lang, Action::QrForVerification(id));
                say(&bot, chat, text, Some(qr)).await?;
                Ok(texts::callback_not_sent(lang))
            }
            SendOutcome::Refused(_)
            | SendOutcome::Failed(_)
            | SendOutcome::SenderRefused { .. }
            | SendOutcome::Unknown { .. } => {
                say(&bot, chat, text, None).await?;
                Ok(texts::callback_not_sent(lang))
            }
        }
    };
    answer_with(&bot, &query, lang, pressed).await
}

/// A verification picked for a code (after "which one?").
pub async fn check(
    bot: TgBot,
    query: CallbackQuery,
    (id, code): (i64, String),
    actor: Actor,
    view: View,
    verifier: Verifier,
) -> HandlerResult {
    let lang = view.lang;
    let pressed = async {
        let outcome = verifier.check_id(id, &actor, &code).await?;
        if let CheckOutcome::NotAllowed = outcome {
            return Ok(texts::not_allowed(lang));
        }
        drop_keyboard(&bot, &query).await;
        let text = texts::check_outcome(&outcome, &view);
        say(&bot, chat(&actor), text, None).await?;
        if let Some(closed) = outcome.closed() {
            drop_buttons(&bot, closed).await;
        }
        Ok(texts::callback_checked(lang))
    };
    answer_with(&bot, &query, lang, pressed).await
}

/// Admin: Remove under the `/staff` list.
pub async fn remove(
    bot: TgBot,
    query: CallbackQuery,
    user_id: i64,
    actor: Actor,
    view: View,
    people: People,
) -> HandlerResult {
    let lang = view.lang;
    let pressed = async {
        let removal = people.remove(actor.user_id, user_id).await?;
        let text = admin::removed(&bot, lang, user_id, removal).await;
        say(&bot, chat(&actor), text.clone(), None).await?;
        // The pop-up has room for the first line; the chat has the whole answer.
        Ok(plain_text(text.lines().next().unwrap_or_default()))
    };
    answer_with(&bot, &query, lang, pressed).await
}

/// "Send a new code anyway" under a number verified recently.
pub async fn anyway(
    bot: TgBot,
    query: CallbackQuery,
    id: i64,
    actor: Actor,
    view: View,
    customers: Customers,
) -> HandlerResult {
    let pressed = async {
        let pressed = customers.send_anyway(id, &actor).await?;
        answered(pressed, id, &bot, &query, &actor, &view, &customers).await
    };
    answer_with(&bot, &query, view.lang, pressed).await
}

/// "Yes, send" under the consent question.
pub async fn consent(
    bot: TgBot,
    query: CallbackQuery,
    id: i64,
    actor: Actor,
    view: View,
    customers: Customers,
) -> HandlerResult {
    let pressed = async {
        let pressed = customers.consent(id, &actor).await?;
        answered(pressed, id, &bot, &query, &actor, &view, &customers).await
    };
    answer_with(&bot, &query, view.lang, pressed).await
}

/// "Cancel" under a question.
pub async fn drop_question(
    bot: TgBot,
    query: CallbackQuery,
    id: i64,
    actor: Actor,
    view: View,
    customers: Customers,
) -> HandlerResult {
    let pressed = async {
        let pressed = customers.drop_question(id, &actor).await?;
        answered(pressed, id, &bot, &query, &actor, &view, &customers).await
    };
    answer_with(&bot, &query, view.lang, pressed).await
}

/// "Show a QR code" under a question.
pub async fn qr_for_question(
    bot: TgBot,
    query: CallbackQuery,
    id: i64,
    actor: Actor,
    view: View,
    me: Me,
    customers: Customers,
) -> HandlerResult {
    let pressed = async {
        let link = customers.link_for_question(id, &actor).await?;
        qr_sent(link, &bot, &view, &me).await
    };
    answer_with(&bot, &query, view.lang, pressed).await
}

/// "Show a QR code" under a code sent.
pub async fn qr_for_verification(
    bot: TgBot,
    query: CallbackQuery,
    id: i64,
    actor: Actor,
    view: View,
    me: Me,
    customers: Customers,
) -> HandlerResult {
    let pressed = async {
        let link = customers.link_for_verification(id, &actor).await?;
        qr_sent(link, &bot, &view, &me).await
    };
    answer_with(&bot, &query, view.lang, pressed).await
}

/// English / Русский under `/language`: the answers are in the language chosen. (Its branch
/// puts `chosen` where the presser's language was; an apology is in theirs, `view.lang`.)
pub async fn language(
    bot: TgBot,
    query: CallbackQuery,
    chosen: Lang,
    actor: Actor,
    view: View,
    store: Store,
) -> HandlerResult {
    let pressed = async {
        let user = actor.user_id;
        store.choose_language(user, chosen, crate::now()).await?;
        tracing::info!(user, language = chosen.code(), "language chosen");
        drop_keyboard(&bot, &query).await;
        say(&bot, chat(&actor), texts::language_set(chosen), None).await?;
        Ok(plain_text(&texts::language_set(chosen)))
    };
    answer_with(&bot, &query, view.lang, pressed).await
}

/// The chat the press came from.
fn chat(actor: &Actor) -> ChatId {
    ChatId(actor.chat_id)
}

/// What a press on question `question`'s button did, told in the chat; returns the pop-up. The
/// question's buttons go once it is answered; a send a limit refused (or that met an open
/// verification) leaves the question open, to press again later. A paid send that was refused
/// offers the free check instead, for the question's number.
async fn answered(
    pressed: Pressed,
    question: i64,
    bot: &TgBot,
    query: &CallbackQuery,
    actor: &Actor,
    view: &View,
    customers: &Customers,
) -> Result<String, BoxError> {
    let (lang, chat) = (view.lang, chat(actor));
    match pressed {
        Pressed::NotAllowed => Ok(texts::not_allowed(lang)),
        Pressed::Closed => {
            drop_keyboard(bot, query).await;
            Ok(texts::question_closed(lang))
        }
        Pressed::Cancelled(question) => {
            drop_keyboard(bot, query).await;
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
            drop_keyboard(bot, query).await;
            let text = texts::consent_question(&question.phone, view);
            let buttons = buttons::consent_keyboard(lang, question.id);
            say(bot, chat, text, Some(buttons)).await?;
            Ok(texts::callback_ask_consent(lang))
        }
        Pressed::Sent(outcome) => {
            if !matches!(
                outcome,
                SendOutcome::Refused(_) | SendOutcome::AlreadyOpen { .. }
            ) {
                drop_keyboard(bot, query).await;
            }
            let text = texts::send_outcome(&outcome, view);
            let buttons = match outcome.free_check_helps() {
                true => customers
                    .ask_again_for_qr(question, actor)
                    .await?
                    .map(|again| buttons::qr_instead(lang, Action::QrForQuestion(again))),
                false => buttons::for_send(lang, &outcome, view.viewer),
            };
            let shown = say(bot, chat, text, buttons).await?;
            match outcome {
                SendOutcome::Sent(sent) => {
                    remember_announcement(bot, customers.verifier(), sent.id, &shown).await?;
                    Ok(texts::callback_sent(lang))
                }
                _ => Ok(texts::callback_not_sent(lang)),
            }
        }
    }
}

/// Sends the QR picture of a link made by a button to the presser's private chat (where the
/// link belongs, also when the button was pressed in a group); returns the pop-up.
async fn qr_sent(link: LinkFor, bot: &TgBot, view: &View, me: &Me) -> Result<String, BoxError> {
    let lang = view.lang;
    let link = match link {
        LinkFor::Made(link) => link,
        LinkFor::Closed => return Ok(texts::question_closed(lang)),
        LinkFor::NotAllowed => return Ok(texts::not_allowed(lang)),
    };
    let picture = QrPicture::of(me, &link, &view.in_private())?;
    let delivered = to_private_chat(view.viewer, |chat| picture.send(bot, chat)).await?;
    Ok(match (delivered, view.group) {
        (Private::Delivered, false) => texts::callback_qr(lang),
        (Private::Delivered, true) => plain_text(&texts::sent_privately(lang)),
        (Private::CannotWrite, _) => {
            plain_text(&texts::cannot_write_privately(lang, me.username()))
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

/// A press that is not one of the bot's buttons (or not under a message).
pub async fn unknown(bot: TgBot, query: CallbackQuery, lang: Lang) -> HandlerResult {
    answer(&bot, &query, texts::callback_unknown(lang)).await
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
async fn drop_keyboard(bot: &TgBot, query: &CallbackQuery) {
    if let Some(message) = &query.message {
        remove_buttons(bot, message.chat().id, message.id()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pop_up_answers_are_plain_text() {
        assert_eq!(
            plain_text("🗑 Bob (user <code>5</code>) &amp; co"),
            "🗑 Bob (user 5) & co"
        );
    }
}
