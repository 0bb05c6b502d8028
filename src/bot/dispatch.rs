//! Updates to the handler tree: each chat's updates one after the other, in the order they came;
//! chats side by side, so that one chat waiting on a slow Gateway holds up no other; and nothing
//! kept for a chat with nothing to do.
//!
//! teloxide's dispatcher keeps a worker for every chat that was active at the peak, each with a
//! queue that takes about 60 KB however empty it is: after a burst of 200 chats at once, 12 MB
//! that nothing gives back. Here a chat with updates waiting has a queue and a task, both gone
//! as soon as its last update is handled. And once no chat has anything in hand for a moment after
//! a burst, the memory it freed goes back to the system ([`give_back_memory`], see
//! [`crate::memory`]).

use std::collections::{HashMap, VecDeque};
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures_core::Stream;
use teloxide::dispatching::UpdateHandler;
use teloxide::error_handlers::ErrorHandler;
use teloxide::prelude::*;
use teloxide::update_listeners::AsUpdateStream;
use tokio::sync::Notify;
use tokio::task::JoinSet;

use super::context::BoxError;
use super::updates::Listener;

/// How many updates one chat may have waiting before the dispatcher waits for it (and so holds
/// up every other chat): far more than a person can send, so that one flooding `/verify` at a
/// slow Gateway holds up nobody.
pub const CHAT_QUEUE: usize = 100_000;

/// The updates waiting, per chat that has any (the one being handled is not in its queue), and
/// the most chats in hand at once lately.
#[derive(Default)]
struct Waiting {
    chats: Mutex<HashMap<ChatId, VecDeque<Update>>>,
    peak: AtomicUsize,
}

impl Waiting {
    fn lock(&self) -> MutexGuard<'_, HashMap<ChatId, VecDeque<Update>>> {
        self.chats
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues `update` behind its chat's if that chat is being handled; otherwise marks the chat
    /// as handled and gives the update back, to be handled now.
    fn queue_or_take(&self, chat: ChatId, update: Update) -> Option<Update> {
        let mut waiting = self.lock();
        match waiting.get_mut(&chat) {
            Some(queue) => {
                queue.push_back(update);
                None
            }
            None => {
                waiting.insert(chat, VecDeque::new());
                self.peak.fetch_max(waiting.len(), Ordering::Relaxed);
                Some(update)
            }
        }
    }

    /// The chat's next update; when there is none, the chat is forgotten.
    fn next(&self, chat: ChatId) -> Option<Update> {
        let mut waiting = self.lock();
        let next = waiting.get_mut(&chat).and_then(VecDeque::pop_front);
        if next.is_none() {
            waiting.remove(&chat);
        }
        next
    }

    fn queued(&self, chat: ChatId) -> usize {
        self.lock().get(&chat).map_or(0, VecDeque::len)
    }

    fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

/// How long no chat has anything in hand before the memory freed meanwhile goes back to the
/// system, and how long at least between two times.
const QUIET: Duration = Duration::from_millis(500);
const TRIM_EVERY: Duration = Duration::from_secs(5);
const BURST: usize = 32;

/// Gives the memory freed since the last burst back to the system, each time the dispatcher has
/// been quiet for [`QUIET`] after being woken by `quiet` (at most every [`TRIM_EVERY`]), if at
/// least [`BURST`] chats were in hand at once since the last time (a chat on its own frees
/// little, and a trim makes other threads' allocations wait for a moment).
async fn give_back_memory(waiting: Arc<Waiting>, quiet: Arc<Notify>) {
    loop {
        quiet.notified().await;
        tokio::time::sleep(QUIET).await;
        if !waiting.is_empty() {
            continue;
        }
        if waiting.peak.swap(0, Ordering::Relaxed) < BURST {
            continue;
        }
        let trimmed = tokio::task::spawn_blocking(crate::memory::trim);
        if let Err(err) = trimmed.await {
            tracing::warn!("cannot give memory back to the system: {err}");
        }
        tokio::time::sleep(TRIM_EVERY).await;
    }
}

/// What handling one update needs: the tree, what it is given, and who hears of its errors.
struct Handling {
    tree: UpdateHandler<BoxError>,
    deps: DependencyMap,
    errors: Arc<dyn ErrorHandler<BoxError> + Send + Sync>,
}

impl Handling {
    async fn handle(&self, update: Update) {
        let mut deps = self.deps.clone();
        deps.insert(update);
        match self.tree.dispatch(deps).await {
            ControlFlow::Break(Ok(())) => {}
            ControlFlow::Break(Err(err)) => self.errors.clone().handle_error(err).await,
            // Updates the tree does not handle (edits, channel posts, …) are dropped without
            // logging their content, which may hold phone numbers.
            ControlFlow::Continue(_) => {}
        }
    }
}

/// Hands every update of `listener` to `tree` (with `deps`; errors to `errors`) until the
/// listener stops, then waits for the updates in hand.
pub async fn dispatch(
    mut listener: Listener,
    tree: UpdateHandler<BoxError>,
    deps: DependencyMap,
    errors: Arc<dyn ErrorHandler<BoxError> + Send + Sync>,
) {
    let handling = Arc::new(Handling { tree, deps, errors });
    let waiting = Arc::new(Waiting::default());
    let quiet = Arc::new(Notify::new());
    let trimming = tokio::spawn(give_back_memory(waiting.clone(), quiet.clone()));
    let mut chats = JoinSet::new();
    let mut updates = std::pin::pin!(listener.as_stream());
    while let Some(Ok(update)) = std::future::poll_fn(|cx| updates.as_mut().poll_next(cx)).await {
        while chats.try_join_next().is_some() {}
        let Some(chat) = update.chat().map(|chat| chat.id) else {
            let handling = handling.clone();
            chats.spawn(async move { handling.handle(update).await });
            continue;
        };
        while waiting.queued(chat) >= CHAT_QUEUE {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        if let Some(update) = waiting.queue_or_take(chat, update) {
            let (handling, waiting, quiet) = (handling.clone(), waiting.clone(), quiet.clone());
            chats.spawn(async move {
                let mut next = Some(update);
                while let Some(update) = next {
                    handling.handle(update).await;
                    next = waiting.next(chat);
                }
                if waiting.is_empty() {
                    quiet.notify_one();
                }
            });
        }
    }
    while chats.join_next().await.is_some() {}
    trimming.abort();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(id: u32, chat: i64) -> Update {
        serde_json::from_value(serde_json::json!({ "update_id": id, "message": {
            "message_id": id, "date": 1_700_000_000, "text": "/help",
            "chat": { "id": chat, "type": "private", "first_name": "A" },
            "from": { "id": chat, "is_bot": false, "first_name": "A" } } }))
        .unwrap()
    }

    #[test]
    fn a_chat_is_kept_only_while_it_has_updates_in_hand() {
        let waiting = Waiting::default();
        let (a, b) = (ChatId(1), ChatId(2));
        // The first update of a chat is handled at once, the next ones wait behind it.
        assert!(waiting.queue_or_take(a, update(1, 1)).is_some());
        assert!(waiting.queue_or_take(a, update(2, 1)).is_none());
        assert!(waiting.queue_or_take(a, update(3, 1)).is_none());
        assert!(waiting.queue_or_take(b, update(4, 2)).is_some());
        assert_eq!(waiting.queued(a), 2);
        // In order, then the chat is forgotten.
        assert_eq!(waiting.next(a).map(|u| u.id.0), Some(2));
        assert_eq!(waiting.next(a).map(|u| u.id.0), Some(3));
        assert!(waiting.next(a).is_none());
        assert!(waiting.next(b).is_none());
        assert!(waiting.lock().is_empty());
        assert!(waiting.queue_or_take(a, update(5, 1)).is_some());
    }
}
