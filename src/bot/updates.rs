//! Where updates come from: long polling or the webhook, read one update at a time.
//!
//! teloxide reads a getUpdates answer as a whole: one update whose `update_id` it cannot read
//! fails the batch, its offset never moves past it, and the same batch comes back forever (after
//! a restart too), every good update in it unanswered. An update it reads the id of but not the
//! body is skipped, but logged with all it holds, phone numbers included; so is any webhook body
//! it cannot read. Here each update is read on its own ([`read`]): one that cannot be read is
//! skipped, logged by id and kind only, and polling moves past it; the webhook answers it 200 (any
//! other answer makes Telegram send it again). Both ask Telegram only for [`KINDS`].
//!
//! Each update is handled once by all the processes on the database ([`Claiming`]): long polling
//! claims each batch as it arrives, in one statement, and hands on only what no process took
//! before; the webhook's updates are claimed one by one by the handler tree.

use std::borrow::Cow;
use std::collections::HashSet;
use std::convert::Infallible;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use futures_core::Stream;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::requests::{JsonRequest, Payload};
use teloxide::stop::{StopFlag, StopToken, mk_stop_token};
use teloxide::types::{AllowedUpdate, CallbackQuery, Update, UpdateKind};
use teloxide::update_listeners::{AsUpdateStream, UpdateListener};
use tokio::sync::mpsc;

use crate::store::Store;

/// The update kinds the handler tree handles ([`super::schema`]): the only ones asked for, by
/// getUpdates and setWebhook alike. (teloxide's own hint, taken from the tree, names every kind.)
pub const KINDS: [AllowedUpdate; 2] = [AllowedUpdate::Message, AllowedUpdate::CallbackQuery];

/// What the log says of an update that cannot be read.
const SKIPPED: &str = "skipped an update that cannot be read";
/// How long one getUpdates call waits for updates (teloxide's default).
const POLL_SECONDS: u32 = 10;
/// Update bodies waiting for the dispatcher.
const QUEUE: usize = 100;

/// Where the webhook puts each update body as it came: a full queue makes the request wait, a
/// closed one (the bot is stopping) refuses it.
pub type Inbox = mpsc::Sender<Vec<u8>>;

/// Updates waiting for the dispatcher, as they came.
enum Bodies {
    /// Webhook requests' bodies.
    Webhook(mpsc::Receiver<Vec<u8>>),
    /// The updates of getUpdates answers, each read from the answer once (and not written out
    /// again to be read a second time).
    Polling(mpsc::Receiver<Value>),
}

/// One update as it came, to be read.
#[derive(Clone, Copy)]
pub enum Body<'a> {
    Bytes(&'a [u8]),
    Json(&'a Value),
}

/// The dispatcher's source of updates: update bodies, read as they are taken.
pub struct Listener {
    bodies: Bodies,
    stop: StopToken,
    /// Webhook: stopping closes the inbox (what is queued is still handled).
    inbox_closes: Option<StopFlag>,
    /// Polling, started with dispatching; on stop it confirms what it took, then ends the stream.
    polling: Option<Pin<Box<dyn Future<Output = ()> + Send>>>,
}

/// Where updates are claimed in the database, so that each is handled once whichever process
/// takes it (a webhook delivery Telegram retries may reach another replica; two processes may
/// poll one bot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claiming {
    /// Long polling claims each batch as it arrives ([`Store::claim_updates`]): one statement
    /// per batch, and the handler tree lets every update it hands on through.
    ByBatch,
    /// The webhook's updates come one per request: the handler tree claims each.
    EachUpdate,
}

/// Long polling's claim on what it takes: the store, and whose updates they are.
pub struct Claims {
    pub store: Store,
    pub bot_id: i64,
}

impl Claims {
    /// Claims the updates of a batch (by their ids); returns those this process may handle, or
    /// `None` if the database cannot say (then every one is handled: a reply twice beats none).
    async fn take(&self, ids: &[Option<u32>]) -> Option<HashSet<u32>> {
        let ids: Vec<i64> = ids.iter().flatten().map(|&id| i64::from(id)).collect();
        match self
            .store
            .claim_updates(self.bot_id, &ids, crate::now())
            .await
        {
            Ok(taken) => Some(taken.into_iter().map(|id| id as u32).collect()),
            Err(err) => {
                tracing::warn!("cannot tell whether updates are new: {err}");
                None
            }
        }
    }
}

/// Long polling: the webhook is deleted first if one is set (as teloxide's polling does).
pub async fn polling(bot: Bot, claims: Claims) -> Listener {
    match bot.get_webhook_info().await {
        Ok(info) if info.url.is_some() => {
            if let Err(err) = bot.delete_webhook().await {
                tracing::warn!("cannot delete the webhook: {err}");
            }
        }
        Ok(_) => {}
        Err(err) => tracing::warn!("cannot read the webhook's settings: {err}"),
    }
    let (stop, stopped) = mk_stop_token();
    let (inbox, bodies) = mpsc::channel(QUEUE);
    Listener {
        bodies: Bodies::Polling(bodies),
        stop,
        inbox_closes: None,
        polling: Some(Box::pin(poll(bot, claims, inbox, stopped))),
    }
}

/// The webhook: the route puts each body it gets into the returned inbox.
pub fn webhook() -> (Listener, Inbox) {
    let (stop, stopped) = mk_stop_token();
    let (inbox, bodies) = mpsc::channel(QUEUE);
    let listener = Listener {
        bodies: Bodies::Webhook(bodies),
        stop,
        inbox_closes: Some(stopped),
        polling: None,
    };
    (listener, inbox)
}

impl UpdateListener for Listener {
    type Err = Infallible;

    fn stop_token(&mut self) -> StopToken {
        self.stop.clone()
    }
}

impl<'a> AsUpdateStream<'a> for Listener {
    type StreamErr = Infallible;
    type Stream = Updates<'a>;

    fn as_stream(&'a mut self) -> Updates<'a> {
        if let Some(polling) = self.polling.take() {
            tokio::spawn(polling);
        }
        Updates(self)
    }
}

/// The updates of a [`Listener`] that can be read.
pub struct Updates<'a>(&'a mut Listener);

impl Stream for Updates<'_> {
    type Item = Result<Update, Infallible>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let listener = &mut *self.get_mut().0;
        if let Some(stopped) = &mut listener.inbox_closes
            && Pin::new(stopped).poll(cx).is_ready()
        {
            listener.inbox_closes = None;
            match &mut listener.bodies {
                Bodies::Webhook(bodies) => bodies.close(),
                Bodies::Polling(bodies) => bodies.close(),
            }
        }
        loop {
            let update = match &mut listener.bodies {
                Bodies::Webhook(bodies) => {
                    ready!(bodies.poll_recv(cx)).map(|body| read(Body::Bytes(&body)))
                }
                Bodies::Polling(bodies) => {
                    ready!(bodies.poll_recv(cx)).map(|body| read(Body::Json(&body)))
                }
            };
            match update {
                None => return Poll::Ready(None),
                Some(Some(update)) => return Poll::Ready(Some(Ok(update))),
                Some(None) => {}
            }
        }
    }
}

/// Reads one update as Telegram sent it. One that teloxide cannot read (nor panic on) is logged
/// by its id and kind, with why but without any value it holds, and skipped.
pub fn read(body: Body) -> Option<Update> {
    let update = catch_unwind(AssertUnwindSafe(|| match body {
        Body::Bytes(bytes) => serde_json::from_slice::<Update>(bytes),
        Body::Json(value) => Update::deserialize(value),
    }));
    let why = match update {
        Ok(Ok(update)) if !matches!(update.kind, UpdateKind::Error(_)) => return Some(update),
        // teloxide read the id but not the rest: the reason is found below.
        Ok(Ok(_)) => None,
        Ok(Err(err)) => Some(err.to_string()),
        Err(_) => Some("teloxide panicked reading it".to_owned()),
    };
    let value: Option<Cow<Value>> = match body {
        Body::Bytes(bytes) => serde_json::from_slice(bytes).ok().map(Cow::Owned),
        Body::Json(value) => Some(Cow::Borrowed(value)),
    };
    let (id, kind) = value
        .as_ref()
        .map_or((None, "none"), |v| (update_id(v), kind(v)));
    let why = why.unwrap_or_else(|| match &value {
        Some(value) => why_unread(&value[kind], kind),
        None => String::new(),
    });
    let id = id.map_or_else(|| "unknown".to_owned(), |id| id.to_string());
    tracing::warn!(update = %id, kind, "{SKIPPED}: {}", without_values(&why));
    None
}

/// The `update_id` of an update, if it can be read.
fn update_id(update: &Value) -> Option<u32> {
    update.get("update_id")?.as_u64()?.try_into().ok()
}

/// The kind of an update (the name of its one other field), if it looks like one.
fn kind(update: &Value) -> &str {
    let kinds = update
        .as_object()
        .into_iter()
        .flat_map(|fields| fields.keys());
    let mut kinds = kinds.filter(|key| *key != "update_id");
    let looks_like_one = |key: &&String| key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    kinds
        .next()
        .filter(looks_like_one)
        .map_or("unknown", String::as_str)
}

/// Why teloxide could not read the body of an update of a kind the bot handles.
fn why_unread(body: &Value, kind: &str) -> String {
    let body = body.to_string();
    let error = match kind {
        "message" => serde_json::from_str::<Message>(&body).err(),
        "callback_query" => serde_json::from_str::<CallbackQuery>(&body).err(),
        _ => return "not a kind this bot handles".to_owned(),
    };
    error.map_or_else(
        || "teloxide cannot read it".to_owned(),
        |err| err.to_string(),
    )
}

/// A serde error message without the values it quotes from the update: strings (`"…"`) and
/// anything in backquotes but the names of fields and variants.
fn without_values(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => _ = chars.next(),
                        '"' => break,
                        _ => {}
                    }
                }
                out.push_str("\"…\"");
            }
            '`' => {
                let quoted: String = chars.by_ref().take_while(|c| *c != '`').collect();
                let is_name = quoted.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
                out.push('`');
                out.push_str(if is_name { &quoted } else { "…" });
                out.push('`');
            }
            c => out.push(c),
        }
    }
    out
}

/// getUpdates, answered with each update as it came (teloxide's reads them all or none).
#[derive(Serialize)]
struct GetUpdates {
    offset: i64,
    timeout: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<u8>,
    allowed_updates: [AllowedUpdate; 2],
}

impl Payload for GetUpdates {
    type Output = Vec<Value>;
    const NAME: &'static str = "GetUpdates";

    fn timeout_hint(&self) -> Option<Duration> {
        Some(Duration::from_secs(self.timeout.into()))
    }
}

impl GetUpdates {
    fn new(offset: i64, timeout: u32) -> Self {
        GetUpdates {
            offset,
            timeout,
            limit: None,
            allowed_updates: KINDS,
        }
    }
}

/// Long-polls until stopped, handing each new update over as it came (those another process
/// already took are left out); then confirms what it took.
async fn poll(bot: Bot, claims: Claims, inbox: mpsc::Sender<Value>, mut stopped: StopFlag) {
    // The id of the next update to fetch; 0 until one is known.
    let mut offset = 0;
    let mut failures = 0;
    'polling: loop {
        let request = JsonRequest::new(bot.clone(), GetUpdates::new(offset, POLL_SECONDS));
        let answer = tokio::select! {
            answer = request.send() => answer,
            () = &mut stopped => break,
        };
        let delay = match answer {
            Ok(updates) => {
                let before = offset;
                let fetched = updates.len();
                let ids: Vec<Option<u32>> = updates.iter().map(update_id).collect();
                let taken = claims.take(&ids).await;
                for (update, id) in updates.into_iter().zip(ids) {
                    let next = next_offset(id, offset);
                    let new = match (id, &taken) {
                        (Some(id), Some(taken)) => taken.contains(&id),
                        // Unreadable (skipped when read), or the database could not say.
                        _ => true,
                    };
                    if new {
                        if inbox.send(update).await.is_err() {
                            break 'polling;
                        }
                    } else if let Some(id) = id {
                        tracing::info!(update = id, "update already handled: skipped");
                    }
                    offset = next;
                }
                if fetched == 0 || offset != before {
                    failures = 0;
                    continue;
                }
                // Updates without an id to move past: not fetched again at once.
                backoff(&mut failures)
            }
            Err(RequestError::RetryAfter(seconds)) => seconds.duration(),
            Err(err) => {
                let delay = backoff(&mut failures);
                tracing::warn!(
                    "receiving updates failed (retrying in {}s): {}",
                    delay.as_secs(),
                    describe(&err)
                );
                delay
            }
        };
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = &mut stopped => break,
        }
    }
    if offset > 0 {
        let confirm = GetUpdates {
            limit: Some(1),
            ..GetUpdates::new(offset, 0)
        };
        if let Err(err) = JsonRequest::new(bot, confirm).send().await {
            tracing::warn!("cannot confirm the updates taken: {}", describe(&err));
        }
    }
}

/// The offset past `update`. Telegram numbers updates one after the other, so one whose id
/// cannot be read is taken to be the one after the last (unless none is known yet).
fn next_offset(id: Option<u32>, offset: i64) -> i64 {
    match id {
        Some(id) => offset.max(i64::from(id) + 1),
        None if offset > 0 => offset + 1,
        None => offset,
    }
}

/// 1, 2, 4 … 32 seconds.
fn backoff(failures: &mut u32) -> Duration {
    let delay = Duration::from_secs(1 << (*failures).min(5));
    *failures += 1;
    delay
}

/// A request error without the answer it could not read (which may hold phone numbers).
fn describe(err: &RequestError) -> String {
    match err {
        RequestError::InvalidJson { source, .. } => {
            format!(
                "an answer that cannot be read: {}",
                without_values(&source.to_string())
            )
        }
        err => err.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn message(fields: Value) -> Value {
        let mut message = json!({ "message_id": 1, "date": 1_700_000_000,
            "chat": { "id": 5, "type": "private", "first_name": "A" },
            "from": { "id": 5, "is_bot": false, "first_name": "A" }, "text": "/help" });
        for (key, value) in fields.as_object().unwrap() {
            match value {
                Value::Null => message.as_object_mut().unwrap().remove(key),
                value => message
                    .as_object_mut()
                    .unwrap()
                    .insert(key.clone(), value.clone()),
            };
        }
        json!({ "update_id": 7, "message": message })
    }

    /// What [`read`] makes of an update, the same whether it came as a webhook's body or in a
    /// getUpdates answer.
    fn read_json(update: &Value) -> Option<Update> {
        let bytes = update.to_string();
        let read_both = (
            read(Body::Bytes(bytes.as_bytes())),
            read(Body::Json(update)),
        );
        assert_eq!(
            read_both.0.as_ref().map(|u| u.id),
            read_both.1.as_ref().map(|u| u.id),
            "{update}"
        );
        read_both.1
    }

    #[test]
    fn reads_what_teloxide_reads_and_skips_the_rest() {
        assert!(read_json(&message(json!({}))).is_some());
        assert!(read_json(&message(json!({ "chat": null }))).is_none());
        assert!(read_json(&message(json!({ "chat": "+447911123456" }))).is_none());
        assert!(read_json(&message(json!({ "date": "yesterday" }))).is_none());
        let mut unnumbered = message(json!({}));
        unnumbered["update_id"] = json!("7");
        assert!(read_json(&unnumbered).is_none());
        assert!(read_json(&json!({ "update_id": 8, "poll_answer": 1 })).is_none());
        assert!(
            read(Body::Bytes(
                b"{\"update_id\": 9, \"message\": +447911123456"
            ))
            .is_none()
        );
        assert!(read(Body::Bytes(&[0xff, 0xfe])).is_none());
    }

    #[test]
    fn why_an_update_is_skipped_names_fields_not_values() {
        let chatless = message(json!({ "chat": null }));
        assert!(why_unread(&chatless["message"], "message").starts_with("missing field `chat`"));
        assert_eq!(
            without_values(r#"invalid type: string "+44 \"7911\" 123456", expected u32"#),
            r#"invalid type: string "…", expected u32"#
        );
        assert_eq!(
            without_values("invalid value: integer `447911123456`, expected `i32` or `chat_id`"),
            "invalid value: integer `…`, expected `…` or `chat_id`"
        );
        assert_eq!(
            kind(&json!({ "update_id": 1, "+447911123456": {} })),
            "unknown"
        );
        assert_eq!(
            kind(&json!({ "update_id": 1, "callback_query": {} })),
            "callback_query"
        );
    }

    #[test]
    fn the_offset_moves_past_every_update_even_one_without_a_readable_id() {
        let next = |update: Value, offset| next_offset(update_id(&update), offset);
        assert_eq!(next(json!({ "update_id": 41 }), 0), 42);
        assert_eq!(next(json!({ "update_id": "x" }), 42), 43);
        assert_eq!(next(json!({ "update_id": 43 }), 43), 44);
        assert_eq!(next(json!({ "update_id": -1 }), 0), 0);
        assert_eq!(next(json!({ "update_id": 40 }), 44), 44);
        assert_eq!(
            next(json!({ "update_id": 45, "message": { "text": "x" } }), 44),
            46
        );
        assert_eq!(next(json!(["not", "an", "update"]), 46), 47);
    }
}
