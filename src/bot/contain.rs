//! A handler that panics costs only its update. Each chat's updates are handled one after the
//! other in a task of the chat's ([`super::dispatch`]); a panic there would end it, and with it
//! the chat's turn: its next updates would wait forever. [`contained`] runs the handler tree for
//! each update in a task of its own, which the chat's awaits (so one chat's updates stay in
//! order): a panic ends that task only. It is logged (the panic hook has already written where and
//! what; here the update is named by id and kind, never by its content, which may hold a phone
//! number), and the chat is given the usual apology.

use std::ops::ControlFlow;
use std::sync::Arc;

use teloxide::dispatching::UpdateHandler;
use teloxide::prelude::*;
use teloxide::types::MessageId;

use super::context::{BoxError, Settings, TgBot, update_kind};
use super::reply;
use crate::i18n::Lang;
use crate::store::Store;

/// `tree`, with a panic in any handler turned into a logged error and an apology.
pub fn contained(tree: UpdateHandler<BoxError>) -> UpdateHandler<BoxError> {
    let description = tree.description().clone();
    let sig = tree.sig().clone();
    dptree::from_fn_with_description(
        description,
        move |deps: DependencyMap, cont| {
            let tree = tree.clone();
            async move {
                let update = deps.try_get::<Update>();
                let bot = deps.try_get::<TgBot>();
                let store = deps.try_get::<Store>();
                let settings = deps.try_get::<Arc<Settings>>();
                match tokio::spawn(async move { tree.dispatch(deps).await }).await {
                    Ok(ControlFlow::Continue(deps)) => cont(deps).await,
                    Ok(done) => done,
                    Err(err) => {
                        let (Some(update), Some(bot)) = (update, bot) else {
                            tracing::error!("handling an update failed: {err}");
                            return ControlFlow::Break(Ok(()));
                        };
                        tracing::error!(
                            update = update.id.0,
                            kind = update_kind(&update),
                            chat = update.chat().map(|chat| chat.id.0),
                            "handling an update failed: {}; the update is dropped",
                            if err.is_panic() {
                                "a handler panicked"
                            } else {
                                "cancelled"
                            },
                        );
                        apologise(&bot, &update, store.as_deref(), settings.as_deref()).await;
                        ControlFlow::Break(Ok(()))
                    }
                }
            }
        },
        sig,
    )
}

/// The usual apology in the update's chat, in the person's language (their `/language` choice
/// if the database can say, else their app's).
async fn apologise(
    bot: &TgBot,
    update: &Update,
    store: Option<&Store>,
    settings: Option<&Arc<Settings>>,
) {
    let Some(chat) = update.chat() else {
        return;
    };
    let default = settings.map_or(Lang::En, |settings| settings.default_lang);
    let user = update.from();
    let mut lang =
        Lang::from_telegram(user.and_then(|user| user.language_code.as_deref()), default);
    if let (Some(store), Some(user)) = (store, user)
        && let Ok(Some(stored)) = store.language_of(user.id.0 as i64).await
        && stored.chosen
    {
        lang = stored.language;
    }
    let quote = match &update.kind {
        teloxide::types::UpdateKind::Message(msg) if !chat.is_private() => Some(msg.id),
        _ => None::<MessageId>,
    };
    reply::apologise(bot, chat.id, quote, lang).await;
}
