//! Loopback fake of the Telegram Bot API for integration tests.
//!
//! `FakeTelegram::start(token)` serves `{url}/bot{token}/{method}` on 127.0.0.1 (method names
//! are case-insensitive, bodies may be JSON or multipart). Point the real bot at it with
//! `TELOXIDE_API_URL=fake.url()`, queue updates with `push_*`, and inspect what the bot did
//! with `sent_messages`, `calls`, `edits`, `uploads` and the `wait_for_*` helpers.
//!
//! Like the real API it honours getUpdates offset/limit/timeout/allowed_updates, and rejects
//! edits that change nothing, replies to unknown messages and HTML it could not parse.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use tokio::sync::Notify;
use tokio::time::Instant;

pub const BOT_USERNAME: &str = "verify_test_bot";
pub const BOT_ID: u64 = 7000000001;
pub const BOT_FIRST_NAME: &str = "Verify Test Bot";

/// One `sendMessage` call the fake accepted.
#[derive(Clone, Debug)]
pub struct SentMessage {
    pub message_id: i32,
    pub chat_id: i64,
    pub text: String,
    pub parse_mode: Option<String>,
    pub reply_markup: Option<Value>,
    pub reply_to_message_id: Option<i32>,
}

impl SentMessage {
    /// `(text, callback_data or url)` of every inline keyboard button, row by row.
    pub fn inline_buttons(&self) -> Vec<(String, String)> {
        let rows = self
            .reply_markup
            .as_ref()
            .and_then(|m| m["inline_keyboard"].as_array());
        let buttons = rows
            .into_iter()
            .flatten()
            .filter_map(Value::as_array)
            .flatten();
        let field = |b: &Value, key: &str| b[key].as_str().unwrap_or_default().to_owned();
        buttons
            .map(|b| {
                (
                    field(b, "text"),
                    field(b, "callback_data") + &field(b, "url"),
                )
            })
            .collect()
    }
}

/// Any API call, in arrival order (failed and long-polling ones included).
#[derive(Clone, Debug)]
pub struct ApiCall {
    /// Lowercase, e.g. "sendmessage".
    pub method: String,
    pub params: Value,
}

#[derive(Clone, Debug)]
pub struct TgUser {
    pub id: u64,
    pub first_name: String,
    pub username: Option<String>,
    pub language_code: Option<String>,
}

impl TgUser {
    pub fn new(id: u64, first_name: &str) -> Self {
        Self {
            id,
            first_name: first_name.to_owned(),
            username: None,
            language_code: None,
        }
    }

    pub fn to_json(&self) -> Value {
        let mut user = json!({ "id": self.id, "is_bot": false, "first_name": self.first_name });
        if let Some(username) = &self.username {
            user["username"] = json!(username);
        }
        if let Some(lang) = &self.language_code {
            user["language_code"] = json!(lang);
        }
        user
    }
}

/// A file part of a multipart request.
#[derive(Clone, Debug)]
pub struct UploadedFile {
    /// The param referencing the part (`"document": "attach://<part>"`), else the part name.
    pub field: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// One accepted sendDocument / sendPhoto call.
#[derive(Clone, Debug)]
pub struct Upload {
    /// Lowercase method name.
    pub method: String,
    pub chat_id: i64,
    /// Text fields; multipart values that parse as JSON numbers/objects/arrays/bools are parsed.
    pub params: Value,
    /// Empty when the file was given by file_id / URL.
    pub files: Vec<UploadedFile>,
}

/// (HTTP status / error_code, description)
type ApiError = (u16, String);
type ApiResult = Result<Value, ApiError>;

fn bad(description: &str) -> ApiError {
    (400, format!("Bad Request: {description}"))
}

/// A chat under a flood limit, and how many of its requests were refused so far.
struct Flood {
    retry_after: u32,
    refused: usize,
}

#[derive(Default)]
struct Inner {
    next_update_id: i64,
    next_message_id: i32,
    updates: VecDeque<Value>,
    allowed_updates: Option<Vec<String>>,
    /// Current state of every message (user and bot), by (chat id, message id).
    messages: HashMap<(i64, i32), Value>,
    /// Private chat id -> its user, to describe the chat.
    private_chats: HashMap<i64, TgUser>,
    callback_ids: HashSet<String>,
    sent: Vec<SentMessage>,
    calls: Vec<ApiCall>,
    uploads: Vec<Upload>,
    /// method -> (error, one-shot?)
    failures: HashMap<String, (ApiError, bool)>,
    /// Chats under a flood limit (see [`FakeTelegram::flood_chat`]).
    floods: HashMap<i64, Flood>,
    webhook_url: String,
    /// (scope JSON, language code) -> commands.
    commands: HashMap<(String, String), Value>,
    /// Private chat id (`None`: the default) -> its menu button (setChatMenuButton).
    menu_buttons: HashMap<Option<i64>, Value>,
    /// Queued raw updates delivered with another `update_id` than the one the fake counts them
    /// by (see `push_raw_with_id`).
    shown_ids: HashMap<i64, Value>,
}

struct Shared {
    token: String,
    inner: Mutex<Inner>,
    /// `notify_waiters` after every state change.
    changed: Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Re-runs `check` after every state change until it yields or `deadline` passes.
    async fn wait_until<T>(
        &self,
        deadline: Instant,
        mut check: impl FnMut(&mut Inner) -> Option<T>,
    ) -> Option<T> {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let found = check(&mut self.lock());
            if found.is_some() {
                return found;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return check(&mut self.lock());
            }
        }
    }
}

/// How many fakes this test process has started.
static NEXT_FAKE: AtomicI64 = AtomicI64::new(0);

/// Cloneable handle to a running fake; the server lives as long as the tokio runtime.
#[derive(Clone)]
pub struct FakeTelegram {
    shared: Arc<Shared>,
    addr: SocketAddr,
}

impl FakeTelegram {
    pub async fn start(token: &str) -> FakeTelegram {
        let inner = Inner {
            // Each fake is a bot of its own: its update ids never meet another fake's, so that
            // replicas on one database, each with its fake, never take two updates for one.
            next_update_id: 100_001 + NEXT_FAKE.fetch_add(1, Ordering::Relaxed) * 10_000_000,
            next_message_id: 1,
            ..Default::default()
        };
        let shared = Arc::new(Shared {
            token: token.to_owned(),
            inner: Mutex::new(inner),
            changed: Notify::new(),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("fake telegram address");
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(shared.clone())
            .layer(DefaultBodyLimit::max(64 << 20));
        tokio::spawn(async move { axum::serve(listener, app).await.expect("fake telegram") });
        FakeTelegram { shared, addr }
    }

    /// Base URL, the value for `TELOXIDE_API_URL`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn mutate<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        let out = f(&mut self.shared.lock());
        self.shared.changed.notify_waiters();
        out
    }

    /// Queues a text message from `from` (private chat if `chat_id > 0`, else a supergroup).
    pub fn push_text(&self, from: &TgUser, chat_id: i64, text: &str) -> i32 {
        self.mutate(|g| g.push_message(from, chat_id, text, None))
    }

    /// Queues a contact message from `from`: a card with `phone_number` (Telegram sends it as
    /// the person saved it, or, for a Telegram user's own number, international without `+`),
    /// and `user_id` when the contact is a Telegram user. Returns the message id.
    pub fn push_contact(
        &self,
        from: &TgUser,
        chat_id: i64,
        phone_number: &str,
        user_id: Option<u64>,
    ) -> i32 {
        self.push_contact_from(from, chat_id, phone_number, user_id, None)
    }

    /// Like `push_contact`, but a contact card `from` forwarded: it carries `forward_origin`
    /// (Bot API `MessageOriginUser`: the person who first sent it, and when).
    pub fn push_forwarded_contact(
        &self,
        from: &TgUser,
        chat_id: i64,
        phone_number: &str,
        user_id: Option<u64>,
        first_sent_by: &TgUser,
    ) -> i32 {
        let origin = json!({ "type": "user", "date": 1_700_000_000, "sender_user": first_sent_by.to_json() });
        self.push_contact_from(from, chat_id, phone_number, user_id, Some(origin))
    }

    fn push_contact_from(
        &self,
        from: &TgUser,
        chat_id: i64,
        phone_number: &str,
        user_id: Option<u64>,
        forward_origin: Option<Value>,
    ) -> i32 {
        self.mutate(|g| {
            if chat_id > 0 {
                g.private_chats.insert(chat_id, from.clone());
            }
            let (id, mut msg) = g.new_message(chat_id, from.to_json());
            let mut contact = json!({ "phone_number": phone_number, "first_name": "Contact" });
            if let Some(user_id) = user_id {
                contact["user_id"] = json!(user_id);
            }
            msg["contact"] = contact;
            if let Some(origin) = forward_origin {
                msg["forward_origin"] = origin;
            }
            g.messages.insert((chat_id, id), msg.clone());
            g.enqueue(json!({ "message": msg }));
            id
        })
    }

    /// Like `push_text`, replying to message `reply_to_message_id` of that chat (must exist).
    pub fn push_reply(
        &self,
        from: &TgUser,
        chat_id: i64,
        text: &str,
        reply_to_message_id: i32,
    ) -> i32 {
        self.mutate(|g| g.push_message(from, chat_id, text, Some(reply_to_message_id)))
    }

    /// Queues a callback_query pressed on message `message_id` of `chat_id` as it is now
    /// (edits included; panics if unknown). Returns the callback query id.
    pub fn push_callback(
        &self,
        from: &TgUser,
        chat_id: i64,
        message_id: i32,
        data: &str,
    ) -> String {
        self.mutate(|g| {
            let message = g.existing(chat_id, message_id, "push_callback");
            let id = (4_000_000_000_000 + g.callback_ids.len() + 1).to_string();
            g.callback_ids.insert(id.clone());
            let chat_instance = (chat_id.unsigned_abs() + 77).to_string();
            let query = json!({ "id": id, "from": from.to_json(), "message": message,
                "chat_instance": chat_instance, "data": data });
            g.enqueue(json!({ "callback_query": query }));
            id
        })
    }

    /// Updates queued and not yet confirmed through a getUpdates offset.
    pub fn pending_updates(&self) -> usize {
        self.shared.lock().updates.len()
    }

    /// Takes the oldest queued update out of the getUpdates queue, for a test to deliver it by
    /// webhook instead (as Telegram does once a webhook is set).
    pub fn take_update(&self) -> Option<Value> {
        self.mutate(|g| g.take_deliverable())
    }

    /// The webhook URL last set with setWebhook ("" when none).
    pub fn webhook_url(&self) -> String {
        self.shared.lock().webhook_url.clone()
    }

    pub fn sent_messages(&self) -> Vec<SentMessage> {
        self.shared.lock().sent.clone()
    }

    pub fn messages_to(&self, chat_id: i64) -> Vec<SentMessage> {
        self.shared.lock().messages_to(chat_id)
    }

    /// Current state of a message (reflects edits; `None` once deleted).
    pub fn message(&self, chat_id: i64, message_id: i32) -> Option<Value> {
        let g = self.shared.lock();
        g.messages.get(&(chat_id, message_id)).cloned()
    }

    /// Waits until chat `chat_id` has `n` messages; returns them all (there may be more).
    pub async fn wait_for_messages(
        &self,
        chat_id: i64,
        n: usize,
        timeout: Duration,
    ) -> Vec<SentMessage> {
        self.wait_for_messages_where(chat_id, n, timeout, |_| true)
            .await
    }

    /// Waits until chat `chat_id` has `n` messages that satisfy `wanted`; returns those.
    pub async fn wait_for_messages_where(
        &self,
        chat_id: i64,
        n: usize,
        timeout: Duration,
        wanted: impl Fn(&SentMessage) -> bool,
    ) -> Vec<SentMessage> {
        let deadline = Instant::now() + timeout;
        let found = self.shared.wait_until(deadline, |g| {
            let mut msgs = g.messages_to(chat_id);
            msgs.retain(&wanted);
            (msgs.len() >= n).then_some(msgs)
        });
        found.await.unwrap_or_else(|| {
            panic!(
                "timed out after {timeout:?} waiting for {n} message(s) to chat {chat_id}\n{}",
                self.report()
            )
        })
    }

    pub fn calls(&self) -> Vec<ApiCall> {
        self.shared.lock().calls.clone()
    }

    pub fn calls_to(&self, method: &str) -> Vec<ApiCall> {
        self.shared.lock().calls_to(method)
    }

    /// Waits until `method` was called `n` times; returns those calls (there may be more).
    pub async fn wait_for_call(&self, method: &str, n: usize, timeout: Duration) -> Vec<ApiCall> {
        self.wait_for_calls_where(method, n, timeout, |_| true)
            .await
    }

    /// Waits until `n` calls of `method` satisfy `wanted`; returns those.
    pub async fn wait_for_calls_where(
        &self,
        method: &str,
        n: usize,
        timeout: Duration,
        wanted: impl Fn(&ApiCall) -> bool,
    ) -> Vec<ApiCall> {
        let deadline = Instant::now() + timeout;
        let found = self.shared.wait_until(deadline, |g| {
            let mut calls = g.calls_to(method);
            calls.retain(&wanted);
            (calls.len() >= n).then_some(calls)
        });
        found.await.unwrap_or_else(|| {
            panic!(
                "timed out after {timeout:?} waiting for {n} {method} call(s)\n{}",
                self.report()
            )
        })
    }

    /// editMessageText / editMessageReplyMarkup calls.
    pub fn edits(&self) -> Vec<ApiCall> {
        self.calls()
            .into_iter()
            .filter(|c| c.method.starts_with("editmessage"))
            .collect()
    }

    pub fn uploads(&self) -> Vec<Upload> {
        self.shared.lock().uploads.clone()
    }

    /// `method` answers this error from now on (until `clear_failures`). A 429 whose
    /// description ends in a number ("Too Many Requests: retry after 3") carries `retry_after`.
    pub fn fail_method(&self, method: &str, error_code: u16, description: &str) {
        self.set_failure(method, (error_code, description.to_owned()), false);
    }

    /// Like `fail_method`, for the next call of `method` only.
    pub fn fail_next(&self, method: &str, error_code: u16, description: &str) {
        self.set_failure(method, (error_code, description.to_owned()), true);
    }

    fn set_failure(&self, method: &str, error: ApiError, once: bool) {
        let method = method.to_ascii_lowercase();
        self.mutate(|g| g.failures.insert(method, (error, once)));
    }

    pub fn clear_failures(&self) {
        self.mutate(|g| g.failures.clear());
    }

    // --- Per-chat flood limits ---------------------------------------------------------------
    // Telegram's flood limits are per chat: every request to a flooded chat is answered
    // `429 Too Many Requests` with `parameters.retry_after` (the seconds to wait before
    // repeating it), whatever the method, while other chats are served as usual.

    /// Chat `chat_id` is flooded from now on, until [`FakeTelegram::end_flood`]: each request to
    /// it is refused with `retry_after` = `retry_after` seconds.
    pub fn flood_chat(&self, chat_id: i64, retry_after: u32) {
        let flood = Flood {
            retry_after,
            refused: 0,
        };
        self.mutate(|g| g.floods.insert(chat_id, flood));
    }

    /// The flood of `chat_id` has passed: its requests are served again.
    pub fn end_flood(&self, chat_id: i64) {
        self.mutate(|g| g.floods.remove(&chat_id));
    }

    /// Waits until `n` requests to the flooded chat `chat_id` were refused.
    pub async fn wait_for_flood_refusals(&self, chat_id: i64, n: usize, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        let found = self.shared.wait_until(deadline, |g| {
            let refused = g.floods.get(&chat_id).map_or(0, |f| f.refused);
            (refused >= n).then_some(())
        });
        if found.await.is_none() {
            panic!(
                "timed out after {timeout:?} waiting for {n} refused request(s) to chat {chat_id}\n{}",
                self.report()
            );
        }
    }

    /// Human-readable state dump, used by the timeout panics.
    pub fn report(&self) -> String {
        let g = self.shared.lock();
        let sent: Vec<String> = g
            .sent
            .iter()
            .map(|m| format!("  chat {}: {:?}\n", m.chat_id, m.text))
            .collect();
        let calls: Vec<&str> = g
            .calls
            .iter()
            .rev()
            .take(30)
            .rev()
            .map(|c| c.method.as_str())
            .collect();
        format!(
            "sent messages ({}):\n{}pending updates: {} (allowed_updates: {:?})\nlast calls: {calls:?}",
            sent.len(),
            sent.concat(),
            g.updates.len(),
            g.allowed_updates,
        )
    }
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn bot_user() -> Value {
    json!({ "id": BOT_ID, "is_bot": true, "first_name": BOT_FIRST_NAME, "username": BOT_USERNAME })
}

fn int_param(p: &Value, key: &str) -> Option<i64> {
    match &p[key] {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn chat_id_param(p: &Value) -> Result<i64, ApiError> {
    match &p["chat_id"] {
        Value::Null => Err(bad("chat_id is empty")),
        _ => int_param(p, "chat_id").ok_or_else(|| bad("chat not found")),
    }
}

/// A reply keyboard (`keyboard` of `KeyboardButton`s): each button has a text, and
/// `request_contact` is "available in private chats only" (Bot API, KeyboardButton).
/// A `web_app`'s URL must be HTTPS.
fn check_web_app_url(web_app: &Value) -> Result<(), ApiError> {
    match web_app["url"].as_str() {
        Some(url) if url.starts_with("https://") => Ok(()),
        _ => Err(bad("BUTTON_URL_INVALID")),
    }
}

/// Inline `web_app` buttons: only in private chats, with an HTTPS URL.
fn check_inline_web_apps(p: &Value) -> Result<(), ApiError> {
    let Some(rows) = p["reply_markup"]
        .get("inline_keyboard")
        .and_then(Value::as_array)
    else {
        return Ok(());
    };
    let private = chat_id_param(p)? > 0;
    for button in rows.iter().filter_map(Value::as_array).flatten() {
        if let Some(web_app) = button.get("web_app") {
            if !private {
                return Err(bad("BUTTON_TYPE_INVALID"));
            }
            check_web_app_url(web_app)?;
        }
    }
    Ok(())
}

fn check_reply_keyboard(p: &Value) -> Result<(), ApiError> {
    let Some(rows) = p["reply_markup"].get("keyboard") else {
        return Ok(());
    };
    let buttons: Vec<&Value> = rows
        .as_array()
        .ok_or_else(|| bad("keyboard must be an array of arrays"))?
        .iter()
        .filter_map(Value::as_array)
        .flatten()
        .collect();
    if buttons.is_empty() {
        return Err(bad("keyboard must not be empty"));
    }
    for button in buttons {
        if button["text"].as_str().is_none_or(str::is_empty) {
            return Err(bad("keyboard button text must be non-empty"));
        }
        let private = chat_id_param(p)? > 0;
        if button["request_contact"] == json!(true) && !private {
            return Err(bad("contact requests are available in private chats only"));
        }
    }
    Ok(())
}

/// Telegram echoes only inline keyboards in the returned Message.
fn set_markup(message: &mut Value, p: &Value) {
    let obj = message.as_object_mut().expect("message object");
    match p
        .get("reply_markup")
        .filter(|m| m.get("inline_keyboard").is_some())
    {
        Some(markup) => obj.insert("reply_markup".into(), markup.clone()),
        None => obj.remove("reply_markup"),
    };
}

impl Inner {
    fn enqueue(&mut self, mut update: Value) {
        match update["update_id"].as_i64() {
            Some(id) => self.next_update_id = self.next_update_id.max(id + 1),
            None => {
                update["update_id"] = json!(self.next_update_id);
                self.next_update_id += 1;
            }
        }
        self.updates.push_back(update);
    }

    /// The stored message, without its own nested reply (as Telegram nests one level only).
    fn existing(&self, chat_id: i64, message_id: i32, caller: &str) -> Value {
        let Some(message) = self.messages.get(&(chat_id, message_id)) else {
            panic!(
                "{caller}: no message {message_id} in chat {chat_id}; sent: {:#?}",
                self.sent
            );
        };
        let mut message = message.clone();
        message
            .as_object_mut()
            .map(|m| m.remove("reply_to_message"));
        message
    }

    fn new_message(&mut self, chat_id: i64, from: Value) -> (i32, Value) {
        let id = self.next_message_id;
        self.next_message_id += 1;
        let chat = match self.private_chats.get(&chat_id) {
            _ if chat_id < 0 => {
                json!({ "id": chat_id, "type": "supergroup", "title": "Test group" })
            }
            Some(user) => {
                let mut chat =
                    json!({ "id": chat_id, "type": "private", "first_name": user.first_name });
                if let Some(username) = &user.username {
                    chat["username"] = json!(username);
                }
                chat
            }
            None => json!({ "id": chat_id, "type": "private", "first_name": "User" }),
        };
        let message = json!({ "message_id": id, "date": now(), "chat": chat, "from": from });
        (id, message)
    }

    fn push_message(
        &mut self,
        from: &TgUser,
        chat_id: i64,
        text: &str,
        reply_to: Option<i32>,
    ) -> i32 {
        if chat_id > 0 {
            self.private_chats.insert(chat_id, from.clone());
        }
        let (id, mut msg) = self.new_message(chat_id, from.to_json());
        msg["text"] = json!(text);
        if text.starts_with('/') {
            let length = text
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .encode_utf16()
                .count();
            msg["entities"] = json!([{ "type": "bot_command", "offset": 0, "length": length }]);
        }
        if let Some(reply_id) = reply_to {
            msg["reply_to_message"] = self.existing(chat_id, reply_id, "push_reply");
        }
        self.messages.insert((chat_id, id), msg.clone());
        self.enqueue(json!({ "message": msg }));
        id
    }

    fn messages_to(&self, chat_id: i64) -> Vec<SentMessage> {
        self.sent
            .iter()
            .filter(|m| m.chat_id == chat_id)
            .cloned()
            .collect()
    }

    fn calls_to(&self, method: &str) -> Vec<ApiCall> {
        let method = method.to_ascii_lowercase();
        self.calls
            .iter()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// A request to a flooded chat: refused, and counted.
    fn flood_refusal(&mut self, params: &Value) -> Option<ApiError> {
        let flood = self.floods.get_mut(&int_param(params, "chat_id")?)?;
        flood.refused += 1;
        let description = format!("Too Many Requests: retry after {}", flood.retry_after);
        Some((429, description))
    }

    fn take_failure(&mut self, method: &str) -> Option<ApiError> {
        let (error, once) = self.failures.get(method).cloned()?;
        if once {
            self.failures.remove(method);
        }
        Some(error)
    }

    /// Drops updates confirmed by `offset` (a negative one keeps only the last `-offset`).
    fn confirm(&mut self, offset: i64) {
        if offset > 0 {
            self.updates
                .retain(|u| u["update_id"].as_i64().unwrap_or(0) >= offset);
        }
        while offset < 0 && self.updates.len() > offset.unsigned_abs() as usize {
            self.updates.pop_front();
        }
    }

    fn deliverable(&self, limit: usize) -> Vec<Value> {
        const NOT_BY_DEFAULT: [&str; 3] =
            ["chat_member", "message_reaction", "message_reaction_count"];
        let allowed = |update: &&Value| {
            let kind = update
                .as_object()
                .and_then(|o| o.keys().find(|k| *k != "update_id"));
            match (&self.allowed_updates, kind) {
                (_, None) => true,
                (Some(list), Some(kind)) if !list.is_empty() => list.contains(kind),
                (_, Some(kind)) => !NOT_BY_DEFAULT.contains(&kind.as_str()),
            }
        };
        self.updates
            .iter()
            .filter(allowed)
            .take(limit)
            .map(|update| self.shown(update))
            .collect()
    }

    fn dispatch(&mut self, method: &str, p: &Value, files: Vec<UploadedFile>) -> ApiResult {
        match method {
            "getme" => {
                let mut me = bot_user();
                me["can_join_groups"] = json!(true);
                me["can_read_all_group_messages"] = json!(false);
                me["supports_inline_queries"] = json!(false);
                me["can_connect_to_business"] = json!(false);
                me["has_main_web_app"] = json!(false);
                Ok(me)
            }
            "getwebhookinfo" => {
                let pending = self.updates.len();
                let url = &self.webhook_url;
                let mut info = json!({ "url": url, "has_custom_certificate": false,
                    "pending_update_count": pending });
                if let Some(allowed) = &self.allowed_updates {
                    info["allowed_updates"] = json!(allowed);
                }
                Ok(info)
            }
            "setwebhook" | "deletewebhook" => {
                if method == "setwebhook" {
                    self.set_allowed_updates(p);
                }
                self.webhook_url = p["url"].as_str().unwrap_or_default().to_owned();
                if p["drop_pending_updates"] == json!(true) {
                    self.updates.clear();
                }
                Ok(json!(true))
            }
            "sendmessage" => self.send_message(p),
            "editmessagetext" | "editmessagereplymarkup" => self.edit_message(method, p),
            "deletemessage" => {
                let key = (
                    chat_id_param(p)?,
                    int_param(p, "message_id").unwrap_or(0) as i32,
                );
                match self.messages.remove(&key) {
                    Some(_) => Ok(json!(true)),
                    None => Err(bad("message to delete not found")),
                }
            }
            "answercallbackquery" => match p["callback_query_id"].as_str() {
                Some(id) if self.callback_ids.contains(id) => Ok(json!(true)),
                _ => Err(bad(
                    "query is too old and response timeout expired or query id is invalid",
                )),
            },
            "sendchataction" => Ok(json!(true)),
            "setmycommands" | "deletemycommands" | "getmycommands" => self.commands(method, p),
            "senddocument" | "sendphoto" => self.send_file(method, p, files),
            "setchatmenubutton" | "getchatmenubutton" => self.menu_button(method, p),
            _ => Err((404, "Not Found: method not found".to_owned())),
        }
    }

    /// A new bot message in `p["chat_id"]`, with the reply and inline keyboard of `p`.
    fn new_bot_message(&mut self, p: &Value) -> Result<(i64, i32, Value, Option<i32>), ApiError> {
        let chat_id = chat_id_param(p)?;
        let reply = &p["reply_parameters"];
        let reply_id =
            int_param(reply, "message_id").or_else(|| int_param(p, "reply_to_message_id"));
        let reply_id = reply_id.map(|id| id as i32);
        let original = reply_id.filter(|id| self.messages.contains_key(&(chat_id, *id)));
        let without_reply = reply["allow_sending_without_reply"] == json!(true)
            || p["allow_sending_without_reply"] == json!(true);
        if reply_id.is_some() && original.is_none() && !without_reply {
            return Err(bad("message to be replied not found"));
        }
        let (id, mut msg) = self.new_message(chat_id, bot_user());
        if let Some(original) = original {
            msg["reply_to_message"] = self.existing(chat_id, original, "reply");
        }
        set_markup(&mut msg, p);
        Ok((chat_id, id, msg, reply_id))
    }

    fn send_message(&mut self, p: &Value) -> ApiResult {
        let text = p["text"].as_str().unwrap_or_default();
        let parse_mode = p["parse_mode"].as_str().map(str::to_owned);
        check_text(text, parse_mode.as_deref(), 4096)?;
        check_reply_keyboard(p)?;
        check_inline_web_apps(p)?;
        let (chat_id, message_id, mut msg, reply_to_message_id) = self.new_bot_message(p)?;
        msg["text"] = json!(text);
        self.messages.insert((chat_id, message_id), msg.clone());
        let reply_markup = p.get("reply_markup").filter(|m| !m.is_null()).cloned();
        let text = text.to_owned();
        let sent = SentMessage {
            message_id,
            chat_id,
            text,
            parse_mode,
            reply_markup,
            reply_to_message_id,
        };
        self.sent.push(sent);
        Ok(msg)
    }

    fn edit_message(&mut self, method: &str, p: &Value) -> ApiResult {
        if p.get("inline_message_id").is_some_and(|v| !v.is_null()) {
            return Ok(json!(true));
        }
        let key = (
            chat_id_param(p)?,
            int_param(p, "message_id").unwrap_or(0) as i32,
        );
        let Some(old) = self.messages.get(&key) else {
            return Err(bad("message to edit not found"));
        };
        if old["from"]["id"] != json!(BOT_ID) {
            return Err(bad("message can't be edited"));
        }
        let mut msg = old.clone();
        if method == "editmessagetext" {
            if old.get("text").is_none() {
                return Err(bad("there is no text in the message to edit"));
            }
            let text = p["text"].as_str().unwrap_or_default();
            check_text(text, p["parse_mode"].as_str(), 4096)?;
            msg["text"] = json!(text);
        }
        set_markup(&mut msg, p);
        if msg == *old {
            return Err(bad(
                "message is not modified: specified new message content and reply markup are \
                 exactly the same as a current content and reply markup of the message",
            ));
        }
        msg["edit_date"] = json!(now());
        self.messages.insert(key, msg.clone());
        Ok(msg)
    }

    /// setChatMenuButton / getChatMenuButton: per private chat, or the default without
    /// `chat_id`. A `web_app` button needs a text and an HTTPS URL; `default` clears the chat's.
    fn menu_button(&mut self, method: &str, p: &Value) -> ApiResult {
        let chat = int_param(p, "chat_id");
        if chat.is_some_and(|chat| chat <= 0) {
            return Err(bad("chat not found"));
        }
        if method == "getchatmenubutton" {
            let set = self
                .menu_buttons
                .get(&chat)
                .or(self.menu_buttons.get(&None));
            return Ok(set
                .cloned()
                .unwrap_or_else(|| json!({ "type": "commands" })));
        }
        let button = p.get("menu_button").filter(|b| !b.is_null());
        let button = button
            .cloned()
            .unwrap_or_else(|| json!({ "type": "default" }));
        match button["type"].as_str() {
            Some("default") => {
                self.menu_buttons.remove(&chat);
            }
            Some("commands") => {
                self.menu_buttons.insert(chat, button);
            }
            Some("web_app") => {
                if button["text"].as_str().is_none_or(str::is_empty) {
                    return Err(bad("BUTTON_TEXT_INVALID"));
                }
                check_web_app_url(&button["web_app"])?;
                self.menu_buttons.insert(chat, button);
            }
            _ => return Err(bad("can't parse menu button")),
        }
        Ok(json!(true))
    }

    fn commands(&mut self, method: &str, p: &Value) -> ApiResult {
        let scope = p.get("scope").filter(|s| !s.is_null()).cloned();
        let scope = scope
            .unwrap_or_else(|| json!({ "type": "default" }))
            .to_string();
        let key = (
            scope,
            p["language_code"].as_str().unwrap_or_default().to_owned(),
        );
        match method {
            "setmycommands" => {
                let commands = p["commands"].as_array().cloned().unwrap_or_default();
                let valid = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
                for c in &commands {
                    let name = c["command"].as_str().unwrap_or_default();
                    if name.is_empty() || name.len() > 32 || !name.chars().all(valid) {
                        return Err(bad("BOT_COMMAND_INVALID"));
                    }
                    let description = c["description"].as_str().unwrap_or_default();
                    if description.is_empty() || description.chars().count() > 256 {
                        return Err(bad("BOT_COMMAND_DESCRIPTION_INVALID"));
                    }
                }
                self.commands.insert(key, Value::Array(commands));
            }
            "deletemycommands" => {
                self.commands.remove(&key);
            }
            _ => {
                return Ok(self
                    .commands
                    .get(&key)
                    .cloned()
                    .unwrap_or_else(|| json!([])));
            }
        }
        Ok(json!(true))
    }

    fn send_file(&mut self, method: &str, p: &Value, files: Vec<UploadedFile>) -> ApiResult {
        let field = method.trim_start_matches("send");
        let file = files.iter().find(|f| f.field == field);
        if p.get(field).is_none() && file.is_none() {
            return Err(bad(&format!("there is no {field} in the request")));
        }
        let caption = p["caption"].as_str().unwrap_or_default();
        check_text(caption, p["parse_mode"].as_str(), 1024)?;
        let (chat_id, message_id, mut msg, _) = self.new_bot_message(p)?;
        let size = file.map_or(0, |f| f.bytes.len());
        let (file_id, unique_id) = (
            format!("FAKEFILE{message_id}"),
            format!("fakeunique{message_id}"),
        );
        let meta = json!({ "file_id": file_id, "file_unique_id": unique_id, "file_size": size });
        if field == "document" {
            msg["document"] = meta;
            let name = file.and_then(|f| f.file_name.as_ref());
            let mime = file.and_then(|f| f.content_type.as_ref());
            for (key, value) in [("file_name", name), ("mime_type", mime)] {
                if let Some(value) = value {
                    msg["document"][key] = json!(value);
                }
            }
        } else {
            let thumb = json!({ "file_id": format!("{file_id}s"), "file_unique_id": format!("{unique_id}s"),
                "file_size": size.min(1000), "width": 90, "height": 90 });
            let mut full = meta;
            full["width"] = json!(800);
            full["height"] = json!(600);
            msg["photo"] = json!([thumb, full]);
        }
        if !caption.is_empty() {
            msg["caption"] = json!(caption);
        }
        self.messages.insert((chat_id, message_id), msg.clone());
        let (method, params) = (method.to_owned(), p.clone());
        self.uploads.push(Upload {
            method,
            chat_id,
            params,
            files,
        });
        Ok(msg)
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri
        .path()
        .strip_prefix("/bot")
        .and_then(|rest| rest.split_once('/'));
    let Some((token, method)) = path else {
        return error_response(404, "Not Found");
    };
    if token != shared.token {
        return error_response(401, "Unauthorized");
    }
    let method = method.to_ascii_lowercase();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let (params, files) = match parse_body(content_type.unwrap_or_default(), &body) {
        Ok(parsed) => parsed,
        Err(e) => return error_response(400, &format!("Bad Request: {e}")),
    };
    // Record, fail or execute under one lock so observers never see a half-done call.
    let result = {
        let mut g = shared.lock();
        g.calls.push(ApiCall {
            method: method.clone(),
            params: params.clone(),
        });
        match g.take_failure(&method).or_else(|| g.flood_refusal(&params)) {
            Some(error) => Some(Err(error)),
            None if method == "getupdates" => None,
            None => Some(g.dispatch(&method, &params, files)),
        }
    };
    shared.changed.notify_waiters();
    let result = match result {
        Some(result) => result,
        None => get_updates(&shared, &params).await,
    };
    match result {
        Ok(value) => axum::Json(json!({ "ok": true, "result": value })).into_response(),
        Err((code, description)) => error_response(code, &description),
    }
}

const WEBHOOK_CONFLICT: &str = "Conflict: can't use getUpdates method while webhook is active; \
                                use deleteWebhook to delete the webhook first";

async fn get_updates(shared: &Shared, p: &Value) -> ApiResult {
    let limit = int_param(p, "limit").unwrap_or(100).clamp(1, 100) as usize;
    let timeout = int_param(p, "timeout").unwrap_or(0).clamp(0, 3600) as u64;
    {
        let mut g = shared.lock();
        if !g.webhook_url.is_empty() {
            return Err((409, WEBHOOK_CONFLICT.to_owned()));
        }
        g.set_allowed_updates(p);
        g.confirm(int_param(p, "offset").unwrap_or(0));
    }
    shared.changed.notify_waiters();
    let deadline = Instant::now() + Duration::from_secs(timeout);
    let batch = shared.wait_until(deadline, |g| {
        Some(g.deliverable(limit)).filter(|b| !b.is_empty())
    });
    Ok(Value::Array(batch.await.unwrap_or_default()))
}

fn error_response(code: u16, description: &str) -> Response {
    let mut body = json!({ "ok": false, "error_code": code, "description": description });
    let retry_after = description
        .rsplit(' ')
        .next()
        .and_then(|s| s.parse::<u64>().ok());
    if let (429, Some(seconds)) = (code, retry_after) {
        body["parameters"] = json!({ "retry_after": seconds });
    }
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    (status, axum::Json(body)).into_response()
}

fn parse_body(content_type: &str, body: &[u8]) -> Result<(Value, Vec<UploadedFile>), String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok((json!({}), Vec::new()));
    }
    if !content_type.starts_with("multipart/form-data") {
        let params = serde_json::from_slice(body).map_err(|e| format!("invalid JSON body: {e}"))?;
        return Ok((params, Vec::new()));
    }
    let parts = parse_multipart(content_type, body)?;
    let as_text = |p: &Part| String::from_utf8_lossy(&p.data).into_owned();
    let attached: HashSet<String> = parts
        .iter()
        .filter_map(|p| as_text(p).strip_prefix("attach://").map(Into::into))
        .collect();
    let (file_parts, text_parts): (Vec<Part>, Vec<Part>) = parts
        .into_iter()
        .partition(|p| p.file_name.is_some() || attached.contains(&p.name));
    let mut params = Map::new();
    for part in text_parts {
        let value = match serde_json::from_slice::<Value>(&part.data) {
            Ok(v @ (Value::Number(_) | Value::Object(_) | Value::Array(_) | Value::Bool(_))) => v,
            _ => Value::String(as_text(&part)),
        };
        params.insert(part.name, value);
    }
    let mut files = Vec::new();
    for Part {
        name,
        file_name,
        content_type,
        data,
    } in file_parts
    {
        let attach = json!(format!("attach://{name}"));
        let field = params
            .iter()
            .find(|(_, v)| **v == attach)
            .map_or(name, |(k, _)| k.clone());
        files.push(UploadedFile {
            field,
            file_name,
            content_type,
            bytes: data,
        });
    }
    Ok((Value::Object(params), files))
}

#[derive(Default)]
struct Part {
    name: String,
    file_name: Option<String>,
    content_type: Option<String>,
    data: Vec<u8>,
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let position = haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle);
    position.map(|i| i + from)
}

/// Minimal multipart/form-data parser: enough for reqwest's (so teloxide's) bodies.
fn parse_multipart(content_type: &str, body: &[u8]) -> Result<Vec<Part>, String> {
    let boundary = content_type
        .split(';')
        .find_map(|s| s.trim().strip_prefix("boundary="));
    let delimiter = format!(
        "--{}",
        boundary.ok_or("no multipart boundary")?.trim_matches('"')
    );
    let delimiter = delimiter.as_bytes();
    let mut pos = find(body, delimiter, 0).ok_or("no multipart delimiter")? + delimiter.len();
    let mut parts = Vec::new();
    while !body[pos..].starts_with(b"--") {
        let start = pos + 2; // the CRLF after the delimiter
        let next = find(body, delimiter, start).ok_or("unterminated multipart part")?;
        let chunk = &body[start..next.saturating_sub(2).max(start)];
        let head_end = find(chunk, b"\r\n\r\n", 0).ok_or("multipart part without headers")?;
        let mut part = Part {
            data: chunk[head_end + 4..].to_vec(),
            ..Part::default()
        };
        for line in String::from_utf8_lossy(&chunk[..head_end]).split("\r\n") {
            let Some((name, value)) = line.split_once(':') else {
                continue;
            };
            if name.trim().eq_ignore_ascii_case("content-type") {
                part.content_type = Some(value.trim().to_owned());
            }
            if name.trim().eq_ignore_ascii_case("content-disposition") {
                for attr in value.split(';').map(str::trim) {
                    if let Some(v) = attr.strip_prefix("name=") {
                        part.name = v.trim_matches('"').to_owned();
                    } else if let Some(v) = attr.strip_prefix("filename=") {
                        part.file_name = Some(v.trim_matches('"').to_owned());
                    }
                }
            }
        }
        parts.push(part);
        pos = next + delimiter.len();
    }
    Ok(parts)
}

/// Text (max 4096) / caption (max 1024) checks: not empty, short enough, valid HTML.
fn check_text(text: &str, parse_mode: Option<&str>, max: usize) -> Result<(), ApiError> {
    if max == 4096 && text.trim().is_empty() {
        return Err(bad("message text is empty"));
    }
    match parse_mode {
        Some(mode) if mode.eq_ignore_ascii_case("html") => {
            validate_html(text).map_err(|e| bad(&format!("can't parse entities: {e}")))
        }
        // Markup inflates the raw length, so only plain text is measured.
        None if text.encode_utf16().count() > max && max == 4096 => Err(bad("message is too long")),
        None if text.encode_utf16().count() > max => Err(bad("message caption is too long")),
        _ => Ok(()),
    }
}

const HTML_TAGS: &str =
    "b strong i em u ins s strike del span tg-spoiler a tg-emoji code pre blockquote";

/// Flags unsupported or unbalanced tags, like Telegram's HTML parse mode.
fn validate_html(text: &str) -> Result<(), String> {
    let mut open: Vec<String> = Vec::new();
    let mut i = 0;
    while let Some(start) = text[i..].find('<').map(|rel| i + rel) {
        let Some(len) = text[start..].find('>') else {
            return Err(format!("Unclosed start tag at byte offset {start}"));
        };
        let tag = text[start + 1..start + len].to_ascii_lowercase();
        i = start + len + 1;
        if let Some(name) = tag.strip_prefix('/').map(str::trim) {
            match open.pop() {
                Some(expected) if expected == name => {}
                Some(expected) => {
                    return Err(format!(
                        "Unmatched end tag at byte offset {start}, expected \"</{expected}>\", \
                         found \"</{name}>\""
                    ));
                }
                None => return Err(format!("Unexpected end tag at byte offset {start}")),
            }
            continue;
        }
        let name = tag
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or_default();
        if !HTML_TAGS.split(' ').any(|t| t == name) {
            return Err(format!(
                "Unsupported start tag \"{name}\" at byte offset {start}"
            ));
        }
        open.push(name.to_owned());
    }
    match open.pop() {
        Some(tag) => Err(format!(
            "Can't find end tag corresponding to start tag \"{tag}\""
        )),
        None => Ok(()),
    }
}

// Raw updates (malformed ones too) and the `allowed_updates` setting.

impl FakeTelegram {
    /// Queues `body`, an update without its id (one kind and its object, e.g.
    /// `{"message": {…}}`, well-formed or not: it is sent as given), with the next update_id;
    /// returns that id.
    pub fn push_raw(&self, body: Value) -> i64 {
        self.mutate(|g| g.push_raw(body, None))
    }

    /// Like `push_raw`, but the update is delivered with `update_id` set to `shown` (say, a
    /// string, which no client can read), while the fake counts it by its real id: a getUpdates
    /// offset past that id confirms it.
    pub fn push_raw_with_id(&self, body: Value, shown: Value) -> i64 {
        self.mutate(|g| g.push_raw(body, Some(shown)))
    }

    /// Waits until `n` updates are left unconfirmed (a getUpdates offset confirms the others).
    pub async fn wait_for_pending(&self, n: usize, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        let found = self
            .shared
            .wait_until(deadline, |g| (g.updates.len() == n).then_some(()));
        if found.await.is_none() {
            panic!(
                "timed out after {timeout:?} waiting for {n} pending update(s)\n{}",
                self.report()
            );
        }
    }

    /// The menu button of a user's private chat (`{"type": "commands"}` when none was set).
    pub fn menu_button(&self, chat_id: i64) -> Value {
        let inner = self.shared.lock();
        let set = inner.menu_buttons.get(&Some(chat_id));
        set.or(inner.menu_buttons.get(&None))
            .cloned()
            .unwrap_or_else(|| json!({ "type": "commands" }))
    }

    /// The bot's `allowed_updates` setting: the list last given to getUpdates or setWebhook
    /// (`None` until one was given; an empty list means the default kinds).
    pub fn allowed_updates(&self) -> Option<Vec<String>> {
        self.shared.lock().allowed_updates.clone()
    }
}

impl Inner {
    fn push_raw(&mut self, body: Value, shown: Option<Value>) -> i64 {
        let id = self.next_update_id;
        let mut update = body;
        update["update_id"] = json!(id);
        self.enqueue(update);
        if let Some(shown) = shown {
            self.shown_ids.insert(id, shown);
        }
        id
    }

    /// An update as it goes out: with the `update_id` a test chose to show, if any.
    fn shown(&self, update: &Value) -> Value {
        let mut update = update.clone();
        let id = update["update_id"].as_i64().unwrap_or_default();
        if let Some(shown) = self.shown_ids.get(&id) {
            update["update_id"] = shown.clone();
        }
        update
    }

    /// The oldest update of a kind the bot asked for (as a webhook would get it next); updates
    /// of other kinds before it are dropped, as Telegram never sends them.
    fn take_deliverable(&mut self) -> Option<Value> {
        let next = self.deliverable(1).pop()?;
        while let Some(update) = self.updates.pop_front() {
            if self.shown(&update) == next {
                return Some(next);
            }
        }
        None
    }

    /// "A JSON-serialized list of the update types you want your bot to receive … If not
    /// specified, the previous setting will be used" (getUpdates and setWebhook alike).
    fn set_allowed_updates(&mut self, p: &Value) {
        let kinds = p["allowed_updates"].as_array().map(|list| {
            let kinds = list.iter().filter_map(Value::as_str);
            kinds.map(str::to_owned).collect()
        });
        if kinds.is_some() {
            self.allowed_updates = kinds;
        }
    }
}
