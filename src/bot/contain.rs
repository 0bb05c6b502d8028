//! A handler that panics costs only its update. Each chat's updates are handled one after the
//! other in a task of the chat's ([`super::dispatch`]); a panic there would end it, and with it
//! the chat's turn: its next updates would wait forever. [`contained`] catches a panic of the
//! handler tree as it unwinds out of the update's handling (no task of its own: one less task
//! per update), drops that handling, and the chat goes on with its next update. It is logged (the panic hook has already written where and
//! what; here the update is named by id and kind, never by its content, which may hold a phone
//! number), and the chat is given the usual apology.

use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

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
                match CatchUnwind(Box::pin(tree.dispatch(deps))).await {
                    Ok(ControlFlow::Continue(deps)) => cont(deps).await,
                    Ok(done) => done,
                    Err(Panicked) => {
                        let (Some(update), Some(bot)) = (update, bot) else {
                            tracing::error!("handling an update failed: a handler panicked");
                            return ControlFlow::Break(Ok(()));
                        };
                        tracing::error!(
                            update = update.id.0,
                            kind = update_kind(&update),
                            chat = update.chat().map(|chat| chat.id.0),
                            "handling an update failed: a handler panicked; the update is dropped",
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

/// A handler panicked (the panic hook has already written where and what).
struct Panicked;

/// A future whose panic is caught as it unwinds out of a poll (the future is dropped after).
struct CatchUnwind<F>(F);

impl<F: Future + Unpin> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Panicked>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.0;
        match catch_unwind(AssertUnwindSafe(|| Pin::new(inner).poll(cx))) {
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(_) => Poll::Ready(Err(Panicked)),
        }
    }
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
