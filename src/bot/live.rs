//! Live delivery status: whenever the [`Tracker`](crate::delivery::Tracker) announces a visible
//! change, the staff's "code sent" message is edited in place to show it (never a new message).
//!
//! One task does every edit, one at a time, and reads the verification afresh each time, so the
//! last edit always shows the latest state even when reports arrive in a burst. A change that
//! lands before the bot has stored the message id (the report can beat `sendMessage` home) is
//! tried again shortly.

use std::collections::HashMap;
use std::time::Duration;

use teloxide::prelude::*;
use teloxide::types::{MessageId, ParseMode};
use teloxide::{ApiError, RequestError};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::texts::{self, Lang};
use crate::store::{LiveView, Store};

/// How often, and how long apart, to look again for a message id that is not stored yet.
const MESSAGE_ID_TRIES: u32 = 40;
const MESSAGE_ID_PAUSE: Duration = Duration::from_millis(250);

/// The edit of a "code sent" message, built in this one place: the live text, in HTML like the
/// original, and the Resend / Cancel buttons while the verification is open (an edit without
/// them would remove them).
pub fn code_sent_edit(
    bot: &Bot,
    lang: Lang,
    message_id: MessageId,
    view: &LiveView,
) -> <Bot as Requester>::EditMessageText {
    let text = texts::code_sent_live(lang, &view.verification, &view.delivery);
    let edit = bot
        .edit_message_text(ChatId(view.verification.chat_id), message_id, text)
        .parse_mode(ParseMode::Html);
    if view.verification.status.is_open() {
        edit.reply_markup(super::callbacks::keyboard(lang, view.verification.id))
    } else {
        edit
    }
}

/// Edits the messages of the verifications whose ids arrive on `changes`, until it closes.
/// Messages are in the language of the staff member who sent the code (their stored one, else
/// `default_lang`).
pub fn spawn(
    bot: Bot,
    store: Store,
    default_lang: Lang,
    changes: mpsc::UnboundedReceiver<i64>,
) -> JoinHandle<()> {
    tokio::spawn(run(bot, store, default_lang, changes))
}

async fn run(
    bot: Bot,
    store: Store,
    default_lang: Lang,
    mut changes: mpsc::UnboundedReceiver<i64>,
) {
    let (again, mut retries) = mpsc::unbounded_channel();
    let mut tries: HashMap<i64, u32> = HashMap::new();
    loop {
        let id = tokio::select! {
            Some(id) = changes.recv() => id,
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
        let lang = super::lang_of(&store, view.verification.staff_user_id, default_lang).await;
        show(&bot, lang, id, MessageId(message_id), &view).await;
    }
}

async fn show(bot: &Bot, lang: Lang, id: i64, message_id: MessageId, view: &LiveView) {
    match code_sent_edit(bot, lang, message_id, view).await {
        Ok(_) => tracing::debug!(verification = id, "delivery status shown"),
        // A retried change can find the message already showing it.
        Err(RequestError::Api(ApiError::MessageNotModified)) => {}
        Err(err) => tracing::warn!(verification = id, "cannot show the delivery status: {err}"),
    }
}
