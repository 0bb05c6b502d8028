//! Live delivery status: whenever the [`Tracker`](crate::delivery::Tracker) announces a visible
//! change, the staff's "code sent" message is edited in place to show it (never a new message).
//! Two things the bot learns later are told in a new message: a lost send that a delivery report
//! attached again (the code can be typed after all), and a send abandoned by a process that died
//! (a code may have gone out; see [`sweep_abandoned_sends`]).
//!
//! One task does every edit, one at a time, and reads the verification afresh each time, so the
//! last edit always shows the latest state even when reports arrive in a burst. A change that
//! lands before the bot has stored the message id (the report can beat `sendMessage` home) is
//! tried again shortly.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use teloxide::prelude::*;
use teloxide::types::MessageId;
use teloxide::{ApiError, RequestError};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::buttons::keyboard;
use super::context::{Settings, TgBot, lang_of};
use super::reply::{remove_buttons, send_to};
use super::texts::{self, Lang, View};
use crate::delivery::Change;
use crate::store::{LiveView, Store, Verification};
use crate::verification::Verifier;

/// How often, and how long apart, to look again for a message id that is not stored yet.
const MESSAGE_ID_TRIES: u32 = 40;
const MESSAGE_ID_PAUSE: Duration = Duration::from_millis(250);

/// The edit of a "code sent" message, built in this one place: the live text, in HTML like the
/// original, and the Resend / Cancel buttons while the verification is open (an edit without
/// them would remove them).
pub fn code_sent_edit(
    bot: &TgBot,
    lang: Lang,
    message_id: MessageId,
    view: &LiveView,
) -> <TgBot as Requester>::EditMessageText {
    let text = texts::code_sent_live(lang, &view.verification, &view.delivery);
    let edit = bot.edit_message_text(ChatId(view.verification.chat_id), message_id, text);
    if view.verification.status.is_open() {
        edit.reply_markup(keyboard(lang, view.verification.id))
    } else {
        edit
    }
}

/// Edits the messages of the verifications whose ids arrive on `changes`, until it closes.
/// Messages are in the language of the staff member who sent the code (their stored one, else
/// `DEFAULT_LANGUAGE`), times in `TIME_ZONE`.
pub fn spawn(
    bot: TgBot,
    store: Store,
    settings: Arc<Settings>,
    changes: mpsc::UnboundedReceiver<Change>,
) -> JoinHandle<()> {
    tokio::spawn(run(bot, store, settings, changes))
}

async fn run(
    bot: TgBot,
    store: Store,
    settings: Arc<Settings>,
    mut changes: mpsc::UnboundedReceiver<Change>,
) {
    let (again, mut retries) = mpsc::unbounded_channel();
    let mut tries: HashMap<i64, u32> = HashMap::new();
    loop {
        let id = tokio::select! {
            Some(change) = changes.recv() => match change {
                Change::Delivery(id) => id,
                Change::Reattached(id) => {
                    announce_reattached(&bot, &store, &settings, id).await;
                    continue;
                }
            },
            Some(id) = retries.recv() => id,
            else => break,
        };
        let view = match store.live_view(id).await {
            Ok(Some(view)) => view,
            Ok(None) => continue,
            Err(err) => {
                tracing::warn!(
                    verification = id,
                    "cannot read a verification to show it: {err}"
                );
                continue;
            }
        };
        let Some(message_id) = view.message_id else {
            let tried = tries.entry(id).or_default();
            *tried += 1;
            if *tried <= MESSAGE_ID_TRIES {
                let again = again.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(MESSAGE_ID_PAUSE).await;
                    let _ = again.send(id);
                });
            } else {
                tries.remove(&id);
                tracing::info!(
                    verification = id,
                    "no message to show the delivery status in"
                );
            }
            continue;
        };
        tries.remove(&id);
        let lang = lang_of(
            &store,
            view.verification.staff_user_id,
            settings.default_lang,
        )
        .await;
        show(&bot, lang, id, MessageId(message_id), &view).await;
    }
}

async fn show(bot: &TgBot, lang: Lang, id: i64, message_id: MessageId, view: &LiveView) {
    match code_sent_edit(bot, lang, message_id, view).await {
        Ok(_) => tracing::debug!(verification = id, "delivery status shown"),
        // A retried change can find the message already showing it.
        Err(RequestError::Api(ApiError::MessageNotModified)) => {}
        Err(err) => tracing::warn!(verification = id, "cannot show the delivery status: {err}"),
    }
}

/// A lost send is attached again: a new "code sent" message, with its buttons, which later
/// delivery edits update.
async fn announce_reattached(bot: &TgBot, store: &Store, settings: &Settings, id: i64) {
    let verification = match store.verification(id).await {
        Ok(Some(v)) => v,
        Ok(None) => return,
        Err(err) => {
            tracing::warn!(
                verification = id,
                "cannot read a re-attached verification: {err}"
            );
            return;
        }
    };
    let view = view_for(store, &verification, settings).await;
    let text = texts::code_resurfaced(&verification, &view);
    let buttons = keyboard(view.lang, id);
    let chat = ChatId(verification.chat_id);
    match send_to(bot, chat, text, Some(buttons)).await {
        Ok(shown) => match store.set_message_id(id, shown.id.0).await {
            Ok(true) => {}
            Ok(false) => remove_buttons(bot, chat, shown.id).await,
            Err(err) => tracing::warn!(verification = id, "cannot remember a message: {err}"),
        },
        Err(err) => tracing::warn!(
            verification = id,
            "cannot announce a re-attached send: {err}"
        ),
    }
}

/// How often abandoned sends are looked for.
const SWEEP_EVERY: Duration = Duration::from_secs(1);

/// Closes, every second, the sends that a process abandoned with their Gateway call in flight
/// (see [`Verifier::sweep`]), and tells each staff member that a code may have been sent.
///
/// Closing is one compare-and-set for all of them, so every number is free again at once and
/// each closed send is returned to one process only (one message, whichever replica swept it).
/// Telling is separate: each message goes out in a task of its own, so a chat that Telegram
/// holds back (a long `429`, a slow Bot API) delays only its own message, never the others'
/// nor the next sweep.
pub async fn sweep_abandoned_sends(
    bot: TgBot,
    store: Store,
    verifier: Verifier,
    settings: Arc<Settings>,
) {
    let cooldown = verifier.policy().limits.resend_cooldown;
    loop {
        match verifier.sweep().await {
            Ok(swept) => {
                for v in swept {
                    tracing::warn!(verification = v.id, "an abandoned send was closed");
                    let (bot, store, settings) = (bot.clone(), store.clone(), settings.clone());
                    tokio::spawn(async move {
                        tell_interrupted(&bot, &store, &settings, &v, cooldown).await;
                    });
                }
            }
            Err(err) => tracing::warn!("cannot look for abandoned sends: {err}"),
        }
        tokio::time::sleep(SWEEP_EVERY).await;
    }
}

/// Tells `v`'s staff member that its send was interrupted and a code may have gone out.
async fn tell_interrupted(
    bot: &TgBot,
    store: &Store,
    settings: &Settings,
    v: &Verification,
    cooldown: i64,
) {
    let view = view_for(store, v, settings).await;
    let text = texts::send_interrupted(v, &view, v.created_at + cooldown);
    if let Err(err) = send_to(bot, ChatId(v.chat_id), text, None).await {
        tracing::warn!(verification = v.id, "cannot tell staff about it: {err}");
    }
}

/// How a message about `v`, sent on the bot's own, should look: in its staff member's language,
/// with the number masked in a group.
async fn view_for(store: &Store, v: &Verification, settings: &Settings) -> View {
    View {
        viewer: v.staff_user_id,
        now: crate::now(),
        // Group and supergroup ids are negative; private chats have the user's positive id.
        group: v.chat_id < 0,
        lang: lang_of(store, v.staff_user_id, settings.default_lang).await,
        tz: settings.time_zone.clone(),
    }
}
