//! A lean loopback fake of the Bot API and the Telegram Gateway on one axum server.
//!
//! Unlike the validating fakes in `tests/common/`, this one does as little as it can per call:
//! - `getUpdates` serves a queue of pre-serialised updates in batches, honouring `offset` and
//!   `limit`, and long-polls (up to the request's `timeout`) when the queue is empty; a fake
//!   started [`Fake::start_shared`] instead hands each batch to whichever process asks and
//!   forgets it (a load balancer in front of several replicas), and counts what it handed to
//!   each connection, so that the benchmark can tell which process got how many;
//! - `sendMessage` hands the reply to whoever waits for that chat, with the instant it arrived,
//!   and answers a minimal `Message`;
//! - `sendDocument` and `sendPhoto` (multipart, as teloxide uploads a file) and `editMessageText`
//!   are answered with a minimal `Message` and, for a chat someone [`Fake::watch`]es, handed to
//!   the watcher with the uploaded file's size ([`Sent`]); so is a `sendMessage` nobody waits for
//!   with [`Fake::push_text`];
//! - the Gateway answers at once (unless told to be slow, [`Fake::set_gateway_delay`]):
//!   `sendVerificationMessage` → sent, `checkVerificationStatus` → `code_valid` for
//!   [`RIGHT_CODE`], `code_invalid` for anything else.
//!
//! Method names are matched case-insensitively (teloxide sends `GetUpdates`, `SendMessage`).
//! Every request is counted by method ([`Fake::requests`]).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc, oneshot};
use tokio::time::Instant;

pub const BOT_TOKEN: &str = "7000000001:AAH-bench-bot-token";
pub const GATEWAY_TOKEN: &str = "gw-bench-token";
/// The code the fake Gateway accepts.
pub const RIGHT_CODE: &str = "111111";
/// A code of the right length that the fake Gateway rejects.
pub const WRONG_CODE: &str = "000000";
const GATEWAY_PREFIX: &str = "/gateway/";
static NEXT_REQUEST: AtomicU64 = AtomicU64::new(1);
/// Update ids, unique across fakes as Telegram's are for one bot: a bot restarted on its
/// database meets a new fake, and skips an update id its database says it already handled.
static NEXT_UPDATE: AtomicI64 = AtomicI64::new(1);
/// The longest a `getUpdates` call is held open, whatever it asks for.
const MAX_LONG_POLL: Duration = Duration::from_secs(10);

/// A `sendMessage` the fake received.
#[derive(Debug)]
pub struct Reply {
    pub text: String,
    pub at: Instant,
}

/// What the bot sent to a watched chat ([`Fake::watch`]). (Read by `benches/history/`.)
#[allow(dead_code)]
#[derive(Debug)]
pub struct Sent {
    /// Lower case: `sendmessage`, `senddocument`, `sendphoto`, `editmessagetext`.
    pub method: String,
    /// The text, or the caption of a file.
    pub text: String,
    /// The uploaded file's name and size in bytes (`sendDocument`, `sendPhoto`).
    pub file: Option<(String, u64)>,
    /// When the call reached the fake (an upload: once its whole body had).
    pub at: Instant,
}

/// Calls counted by method.
#[derive(Default, Debug)]
pub struct Counters {
    pub get_updates: AtomicU64,
    pub send_message: AtomicU64,
    pub other_bot_calls: AtomicU64,
    pub gateway_sends: AtomicU64,
    pub gateway_checks: AtomicU64,
    /// `sendMessage` calls nobody waited for (a second reply to one update, say).
    pub unexpected_replies: AtomicU64,
}

/// Requests the fake received, by method: the Bot API's in lower case (`sendmessage`), the
/// Gateway's as `gateway/<method>` (`gateway/sendverificationmessage`). Counted from the fake's
/// start; [`Requests::since`] gives what came between two of them.
#[derive(Clone, Debug, Default)]
pub struct Requests(BTreeMap<String, u64>);

impl Requests {
    /// What came after `before` (an earlier snapshot of the same fake).
    pub fn since(&self, before: &Requests) -> Requests {
        let counts = self.0.iter().map(|(method, n)| {
            let earlier = before.0.get(method).copied().unwrap_or_default();
            (method.clone(), n.saturating_sub(earlier))
        });
        Requests(counts.filter(|(_, n)| *n > 0).collect())
    }

    /// Requests for `method` (as counted: `sendmessage`, `gateway/checkverificationstatus`).
    pub fn of(&self, method: &str) -> u64 {
        self.0.get(method).copied().unwrap_or_default()
    }

    /// Every request but `getUpdates`: the Bot API's others and the Gateway's.
    pub fn besides_get_updates(&self) -> u64 {
        self.0
            .iter()
            .filter(|(method, _)| *method != "getupdates")
            .map(|(_, n)| n)
            .sum()
    }

    /// Those requests per `units` (updates, flows), by method, the most frequent first:
    /// `sendmessage 3.00, gateway/checkverificationstatus 2.00, …`.
    pub fn describe_per(&self, units: f64) -> String {
        let mut counts: Vec<(&String, &u64)> = self
            .0
            .iter()
            .filter(|(method, _)| *method != "getupdates")
            .collect();
        counts.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let each: Vec<String> = counts
            .iter()
            .map(|(method, n)| format!("{method} {:.2}", **n as f64 / units.max(1e-9)))
            .collect();
        if each.is_empty() {
            "none".into()
        } else {
            each.join(", ")
        }
    }
}

/// What one connection to the fake (the bot's side of it, by local port) got from `getUpdates`.
#[derive(Clone, Copy, Debug)]
pub struct Poller {
    /// Its first `getUpdates`.
    pub first: Instant,
    /// `getUpdates` calls and updates handed out since [`Fake::take_pollers`] last reset them.
    pub calls: u64,
    pub updates: u64,
}

#[derive(Default)]
struct Queue {
    next_message_id: i64,
    /// `(update_id, JSON)`.
    updates: VecDeque<(i64, String)>,
}

struct Shared {
    bot_prefix: String,
    queue: Mutex<Queue>,
    queued: Notify,
    waiters: Mutex<HashMap<i64, oneshot::Sender<Reply>>>,
    /// Chats whose every message from the bot is handed over, by chat id.
    watchers: Mutex<HashMap<i64, mpsc::UnboundedSender<Sent>>>,
    /// request_id → phone number.
    requests: Mutex<HashMap<String, String>>,
    first_get_updates: OnceLock<Instant>,
    /// Whether `getUpdates` forgets what it hands out (several processes poll this fake).
    hand_out: bool,
    /// By the polling connection's port.
    pollers: Mutex<HashMap<u16, Poller>>,
    /// How long `sendVerificationMessage` waits before it answers, in microseconds (0: at once).
    gateway_delay_us: AtomicU64,
    counters: Counters,
    /// Every request, by method ([`Requests`]).
    by_method: Mutex<BTreeMap<String, u64>>,
}

/// Handle to a running fake. The server lives as long as the runtime.
#[derive(Clone)]
pub struct Fake {
    shared: Arc<Shared>,
    addr: SocketAddr,
}

impl Fake {
    /// A fake for one bot process: `getUpdates` honours `offset`, as Telegram does.
    pub async fn start() -> Fake {
        Fake::start_with(false).await
    }

    /// A fake for several bot processes: each `getUpdates` batch goes to whichever process
    /// asks, once, as a load balancer in front of webhook replicas would share the updates.
    pub async fn start_shared() -> Fake {
        Fake::start_with(true).await
    }

    async fn start_with(hand_out: bool) -> Fake {
        let shared = Arc::new(Shared {
            bot_prefix: format!("/bot{BOT_TOKEN}/"),
            queue: Mutex::new(Queue {
                next_message_id: 1,
                ..Queue::default()
            }),
            queued: Notify::new(),
            waiters: Mutex::default(),
            watchers: Mutex::default(),
            requests: Mutex::default(),
            first_get_updates: OnceLock::new(),
            hand_out,
            pollers: Mutex::default(),
            gateway_delay_us: AtomicU64::new(0),
            counters: Counters::default(),
            by_method: Mutex::default(),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("a local address");
        // Uploads (an export's documents) may be larger than Telegram's 50 MB limit: the fake
        // takes them whole and records their size, so that the benchmark can say so.
        let app = axum::Router::new()
            .fallback(handle)
            .layer(DefaultBodyLimit::disable())
            .with_state(shared.clone());
        let app = app.into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, app).await.expect("the fake serves") });
        Fake { shared, addr }
    }

    /// `TELOXIDE_API_URL`.
    pub fn bot_api_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `GATEWAY_API_URL`.
    pub fn gateway_url(&self) -> String {
        format!("http://{}{GATEWAY_PREFIX}", self.addr)
    }

    /// When the first `getUpdates` arrived, if one has.
    pub fn first_get_updates(&self) -> Option<Instant> {
        self.shared.first_get_updates.get().copied()
    }

    pub fn counters(&self) -> &Counters {
        &self.shared.counters
    }

    /// Every request received so far, by method.
    pub fn requests(&self) -> Requests {
        Requests(self.shared.by_method.lock().unwrap().clone())
    }

    /// The fake's port (the remote port of every connection a bot opens to it).
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every connection that called `getUpdates`, by its local port, with what it got since the
    /// last call; the counts start again from zero.
    pub fn take_pollers(&self) -> HashMap<u16, Poller> {
        let mut pollers = self.shared.pollers.lock().unwrap();
        let taken = pollers.clone();
        for poller in pollers.values_mut() {
            poller.calls = 0;
            poller.updates = 0;
        }
        taken
    }

    /// When each connection that called `getUpdates` first did, by its local port.
    pub fn first_polls(&self) -> HashMap<u16, Instant> {
        let pollers = self.shared.pollers.lock().unwrap();
        pollers.iter().map(|(port, p)| (*port, p.first)).collect()
    }

    /// From now on, every `sendVerificationMessage` is answered `delay` after it arrived (an
    /// async sleep in its own request: other calls, and other sends, are not held up).
    pub fn set_gateway_delay(&self, delay: Duration) {
        let us = u64::try_from(delay.as_micros()).unwrap_or(u64::MAX);
        self.shared.gateway_delay_us.store(us, Ordering::Relaxed);
    }

    /// Queues a text message from `user_id` in `chat_id` (private if positive, else a group) and
    /// returns a receiver for the next `sendMessage` to that chat. One waiter per chat at a time.
    pub fn push_text(&self, chat_id: i64, user_id: i64, text: &str) -> oneshot::Receiver<Reply> {
        let (tx, rx) = oneshot::channel();
        self.shared.waiters.lock().unwrap().insert(chat_id, tx);
        queue_text(
            &mut self.shared.queue.lock().unwrap(),
            chat_id,
            user_id,
            text,
        );
        self.shared.queued.notify_waiters();
        rx
    }

    /// From now on, everything the bot sends to `chat_id` (messages nobody waits for with
    /// [`Fake::push_text`], documents, photos, edits) is handed to the returned receiver, in the
    /// order it arrived. One watcher per chat; [`Fake::unwatch`] ends it. (For
    /// `benches/history/`.)
    #[allow(dead_code)]
    pub fn watch(&self, chat_id: i64) -> mpsc::UnboundedReceiver<Sent> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.shared.watchers.lock().unwrap().insert(chat_id, tx);
        rx
    }

    #[allow(dead_code)]
    pub fn unwatch(&self, chat_id: i64) {
        self.shared.watchers.lock().unwrap().remove(&chat_id);
    }

    /// Queues all of `texts` from `user_id` in `chat_id` at once (one batch, in order), with
    /// nobody waiting for the replies: they are counted as `unexpected_replies`.
    pub fn push_texts(&self, chat_id: i64, user_id: i64, texts: &[String]) {
        {
            let mut queue = self.shared.queue.lock().unwrap();
            for text in texts {
                queue_text(&mut queue, chat_id, user_id, text);
            }
        }
        self.shared.queued.notify_waiters();
    }
}

fn queue_text(queue: &mut Queue, chat_id: i64, user_id: i64, text: &str) {
    let update_id = NEXT_UPDATE.fetch_add(1, Ordering::Relaxed);
    let message_id = queue.next_message_id;
    queue.next_message_id += 1;
    let mut message = json!({
        "message_id": message_id,
        "date": unix_now(),
        "chat": chat_json(chat_id),
        "from": { "id": user_id, "is_bot": false, "first_name": "Staff" },
        "text": text,
    });
    if text.starts_with('/') {
        let command = text.split_whitespace().next().unwrap_or_default();
        message["entities"] = json!([
            { "type": "bot_command", "offset": 0, "length": command.encode_utf16().count() }
        ]);
    }
    let update = json!({ "update_id": update_id, "message": message }).to_string();
    queue.updates.push_back((update_id, update));
}

fn chat_json(chat_id: i64) -> Value {
    if chat_id > 0 {
        json!({ "id": chat_id, "type": "private", "first_name": "Staff" })
    } else {
        json!({ "id": chat_id, "type": "supergroup", "title": "Shop" })
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path();
    if let Some(method) = path.strip_prefix(shared.bot_prefix.as_str()) {
        let method = method.to_ascii_lowercase();
        count_request(&shared, &method);
        if matches!(method.as_str(), "senddocument" | "sendphoto") {
            return upload(&shared, &method, &headers, &body);
        }
        return bot_api(&shared, &method, &body, peer.port()).await;
    }
    if let Some(method) = path.strip_prefix(GATEWAY_PREFIX) {
        let authorised = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.strip_prefix("Bearer ") == Some(GATEWAY_TOKEN));
        let method = method.to_ascii_lowercase();
        count_request(&shared, &format!("gateway/{method}"));
        if !authorised {
            return envelope_error("ACCESS_TOKEN_INVALID");
        }
        return gateway(&shared, &method, &body).await;
    }
    (axum::http::StatusCode::NOT_FOUND, "not found").into_response()
}

/// One more request for `method` ([`Requests`]).
fn count_request(shared: &Shared, method: &str) {
    let mut by_method = shared.by_method.lock().unwrap();
    match by_method.get_mut(method) {
        Some(n) => *n += 1,
        None => {
            by_method.insert(method.to_owned(), 1);
        }
    }
}

fn json_response(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn ok(result: Value) -> Response {
    json_response(json!({ "ok": true, "result": result }).to_string())
}

fn envelope_error(error: &str) -> Response {
    json_response(json!({ "ok": false, "error": error }).to_string())
}

#[derive(Deserialize, Default)]
struct GetUpdates {
    offset: Option<i64>,
    limit: Option<usize>,
    timeout: Option<u64>,
}

#[derive(Deserialize)]
struct EditMessageText {
    chat_id: i64,
    message_id: i64,
    text: String,
}

#[derive(Deserialize)]
struct SendMessage {
    chat_id: i64,
    text: String,
}

async fn bot_api(shared: &Shared, method: &str, body: &[u8], peer_port: u16) -> Response {
    match method {
        "getupdates" => {
            let arrived = Instant::now();
            let _ = shared.first_get_updates.set(arrived);
            shared.counters.get_updates.fetch_add(1, Ordering::Relaxed);
            let params: GetUpdates = serde_json::from_slice(body).unwrap_or_default();
            get_updates(shared, params, arrived, peer_port).await
        }
        "sendmessage" => {
            let at = Instant::now();
            shared.counters.send_message.fetch_add(1, Ordering::Relaxed);
            let Ok(params) = serde_json::from_slice::<SendMessage>(body) else {
                return json_response(
                    r#"{"ok":false,"error_code":400,"description":"Bad Request: chat_id and text"}"#
                        .into(),
                );
            };
            let message_id = {
                let mut queue = shared.queue.lock().unwrap();
                queue.next_message_id += 1;
                queue.next_message_id
            };
            let message = json!({
                "message_id": message_id,
                "date": unix_now(),
                "chat": chat_json(params.chat_id),
                "from": { "id": 7000000001_u64, "is_bot": true, "first_name": "Bench", "username": "bench_bot" },
                "text": params.text,
            });
            let waiter = shared.waiters.lock().unwrap().remove(&params.chat_id);
            let delivered = match waiter {
                Some(waiter) => waiter
                    .send(Reply {
                        text: params.text,
                        at,
                    })
                    .is_ok(),
                None => {
                    hand_to_watcher(shared, params.chat_id, "sendmessage", params.text, None, at)
                }
            };
            if !delivered {
                shared
                    .counters
                    .unexpected_replies
                    .fetch_add(1, Ordering::Relaxed);
            }
            ok(message)
        }
        "getme" => ok(json!({
            "id": 7000000001_u64, "is_bot": true, "first_name": "Bench", "username": "bench_bot",
            "can_join_groups": true, "can_read_all_group_messages": false,
            "supports_inline_queries": false, "can_connect_to_business": false,
            "has_main_web_app": false,
        })),
        "editmessagetext" => {
            let at = Instant::now();
            let Ok(params) = serde_json::from_slice::<EditMessageText>(body) else {
                shared
                    .counters
                    .other_bot_calls
                    .fetch_add(1, Ordering::Relaxed);
                return ok(json!(true));
            };
            let message = json!({
                "message_id": params.message_id,
                "date": unix_now(),
                "edit_date": unix_now(),
                "chat": chat_json(params.chat_id),
                "from": { "id": 7000000001_u64, "is_bot": true, "first_name": "Bench", "username": "bench_bot" },
                "text": params.text,
            });
            if !hand_to_watcher(shared, params.chat_id, method, params.text, None, at) {
                shared
                    .counters
                    .other_bot_calls
                    .fetch_add(1, Ordering::Relaxed);
            }
            ok(message)
        }
        "getwebhookinfo" => {
            ok(json!({ "url": "", "has_custom_certificate": false, "pending_update_count": 0 }))
        }
        _ => {
            // sendChatAction, setMyCommands, deleteWebhook, …
            shared
                .counters
                .other_bot_calls
                .fetch_add(1, Ordering::Relaxed);
            ok(json!(true))
        }
    }
}

/// Hands what the bot sent to `chat_id` to its watcher; whether there was one.
fn hand_to_watcher(
    shared: &Shared,
    chat_id: i64,
    method: &str,
    text: String,
    file: Option<(String, u64)>,
    at: Instant,
) -> bool {
    let watchers = shared.watchers.lock().unwrap();
    let Some(watcher) = watchers.get(&chat_id) else {
        return false;
    };
    let sent = Sent {
        method: method.to_owned(),
        text,
        file,
        at,
    };
    watcher.send(sent).is_ok()
}

/// `sendDocument` or `sendPhoto` as teloxide uploads a file: `multipart/form-data` with
/// `chat_id`, `caption` and the file (or `attach://<part>` and the file in that part). Answered with a minimal `Message` holding the file.
fn upload(shared: &Shared, method: &str, headers: &HeaderMap, body: &[u8]) -> Response {
    let at = Instant::now();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some(parts) = multipart(content_type, body) else {
        return json_response(
            r#"{"ok":false,"error_code":400,"description":"Bad Request: not multipart"}"#.into(),
        );
    };
    let field = |name: &str| {
        parts
            .iter()
            .find(|part| part.name == name)
            .map(|part| String::from_utf8_lossy(part.data).into_owned())
    };
    let Some(chat_id) = field("chat_id").and_then(|id| id.trim().parse::<i64>().ok()) else {
        return json_response(
            r#"{"ok":false,"error_code":400,"description":"Bad Request: chat_id"}"#.into(),
        );
    };
    let caption = field("caption").unwrap_or_default();
    let file_field = if method == "sendphoto" {
        "photo"
    } else {
        "document"
    };
    // teloxide sends `document=attach://<id>` and the file in the part named `<id>`.
    let file = parts
        .iter()
        .find(|part| part.name == file_field)
        .map(|part| {
            let attached = std::str::from_utf8(part.data)
                .ok()
                .and_then(|value| value.strip_prefix("attach://"))
                .and_then(|id| parts.iter().find(|p| p.name == id));
            let part = attached.unwrap_or(part);
            (
                part.file_name.clone().unwrap_or_default(),
                part.data.len() as u64,
            )
        });
    let (file_name, size) = file.clone().unwrap_or_default();
    let message_id = {
        let mut queue = shared.queue.lock().unwrap();
        queue.next_message_id += 1;
        queue.next_message_id
    };
    let file_id = format!("file-{message_id}");
    let mut message = json!({
        "message_id": message_id,
        "date": unix_now(),
        "chat": chat_json(chat_id),
        "from": { "id": 7000000001_u64, "is_bot": true, "first_name": "Bench", "username": "bench_bot" },
        "caption": caption,
    });
    if method == "sendphoto" {
        message["photo"] = json!([{
            "file_id": file_id, "file_unique_id": file_id, "width": 1, "height": 1,
            "file_size": size,
        }]);
    } else {
        message["document"] = json!({
            "file_id": file_id, "file_unique_id": file_id, "file_name": file_name,
            "file_size": size,
        });
    }
    if !hand_to_watcher(shared, chat_id, method, caption, file, at) {
        shared
            .counters
            .other_bot_calls
            .fetch_add(1, Ordering::Relaxed);
    }
    ok(message)
}

/// One part of a `multipart/form-data` body.
struct Part<'a> {
    name: String,
    file_name: Option<String>,
    data: &'a [u8],
}

/// The parts of a `multipart/form-data` body (RFC 7578), or `None` if it is not one.
fn multipart<'a>(content_type: &str, body: &'a [u8]) -> Option<Vec<Part<'a>>> {
    let boundary = content_type
        .split(';')
        .find_map(|param| param.trim().strip_prefix("boundary="))?
        .trim_matches('"');
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut parts = Vec::new();
    let mut rest = &body[find(body, delimiter)? + delimiter.len()..];
    // After each delimiter: `--` (the end) or CRLF, headers, a blank line and the data, which
    // ends at CRLF + the next delimiter.
    while !rest.starts_with(b"--") {
        rest = rest.strip_prefix(b"\r\n")?;
        let headers_end = find(rest, b"\r\n\r\n")?;
        let headers = String::from_utf8_lossy(&rest[..headers_end]).into_owned();
        rest = &rest[headers_end + 4..];
        let mut end_marker = b"\r\n".to_vec();
        end_marker.extend_from_slice(delimiter);
        let data_end = find(rest, &end_marker)?;
        let data = &rest[..data_end];
        rest = &rest[data_end + end_marker.len()..];
        let disposition = headers
            .lines()
            .find(|line| {
                line.to_ascii_lowercase()
                    .starts_with("content-disposition:")
            })
            .unwrap_or_default();
        let param = |key: &str| {
            disposition.split(';').find_map(|p| {
                p.trim()
                    .strip_prefix(key)
                    .and_then(|v| v.strip_prefix('='))
                    .map(|v| v.trim_matches('"').to_owned())
            })
        };
        parts.push(Part {
            name: param("name").unwrap_or_default(),
            file_name: param("filename"),
            data,
        });
    }
    Some(parts)
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, tail) = needle.split_first()?;
    let mut from = 0;
    while let Some(at) = haystack[from..].iter().position(|b| *b == first) {
        let at = from + at;
        if haystack[at + 1..].starts_with(tail) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Answers with up to `limit` updates from `offset` on, waiting for some while there are none.
/// A shared fake forgets what it hands out.
async fn get_updates(
    shared: &Shared,
    params: GetUpdates,
    arrived: Instant,
    peer_port: u16,
) -> Response {
    let limit = params.limit.unwrap_or(100).clamp(1, 100);
    let timeout = Duration::from_secs(params.timeout.unwrap_or(0)).min(MAX_LONG_POLL);
    let deadline = arrived + timeout;
    shared
        .pollers
        .lock()
        .unwrap()
        .entry(peer_port)
        .or_insert(Poller {
            first: arrived,
            calls: 0,
            updates: 0,
        })
        .calls += 1;
    loop {
        let queued = shared.queued.notified();
        tokio::pin!(queued);
        queued.as_mut().enable();
        {
            let mut queue = shared.queue.lock().unwrap();
            if let Some(offset) = params.offset.filter(|o| *o > 0) {
                while queue.updates.front().is_some_and(|(id, _)| *id < offset) {
                    queue.updates.pop_front();
                }
            }
            if !queue.updates.is_empty() || Instant::now() >= deadline {
                let count = queue.updates.len().min(limit);
                let batch = if shared.hand_out {
                    let batch: Vec<String> =
                        queue.updates.drain(..count).map(|(_, json)| json).collect();
                    batch.join(",")
                } else {
                    let batch: Vec<&str> = queue
                        .updates
                        .iter()
                        .take(count)
                        .map(|(_, json)| json.as_str())
                        .collect();
                    batch.join(",")
                };
                drop(queue);
                if let Some(poller) = shared.pollers.lock().unwrap().get_mut(&peer_port) {
                    poller.updates += count as u64;
                }
                return json_response(format!(r#"{{"ok":true,"result":[{batch}]}}"#));
            }
        }
        let _ = tokio::time::timeout_at(deadline, queued).await;
    }
}

#[derive(Deserialize)]
struct SendVerification {
    phone_number: String,
}

#[derive(Deserialize)]
struct CheckStatus {
    request_id: String,
    code: Option<String>,
}

async fn gateway(shared: &Shared, method: &str, body: &[u8]) -> Response {
    match method {
        "sendverificationmessage" => {
            let Ok(params) = serde_json::from_slice::<SendVerification>(body) else {
                return envelope_error("PHONE_NUMBER_INVALID");
            };
            shared
                .counters
                .gateway_sends
                .fetch_add(1, Ordering::Relaxed);
            let delay = shared.gateway_delay_us.load(Ordering::Relaxed);
            if delay > 0 {
                tokio::time::sleep(Duration::from_micros(delay)).await;
            }
            let now = unix_now();
            // Unique across fakes: a bot restarted on its database meets a new fake.
            let request_id = format!("bench-{}", NEXT_REQUEST.fetch_add(1, Ordering::Relaxed));
            shared
                .requests
                .lock()
                .unwrap()
                .insert(request_id.clone(), params.phone_number.clone());
            ok(json!({
                "request_id": request_id,
                "phone_number": params.phone_number,
                "request_cost": 0.01,
                "remaining_balance": 1000.0,
                "delivery_status": { "status": "sent", "updated_at": now },
            }))
        }
        "checkverificationstatus" => {
            shared
                .counters
                .gateway_checks
                .fetch_add(1, Ordering::Relaxed);
            let Ok(params) = serde_json::from_slice::<CheckStatus>(body) else {
                return envelope_error("REQUEST_ID_INVALID");
            };
            let Some(phone) = shared
                .requests
                .lock()
                .unwrap()
                .get(&params.request_id)
                .cloned()
            else {
                return envelope_error("REQUEST_ID_INVALID");
            };
            let now = unix_now();
            let verdict = if params.code.as_deref() == Some(RIGHT_CODE) {
                "code_valid"
            } else {
                "code_invalid"
            };
            ok(json!({
                "request_id": params.request_id,
                "phone_number": phone,
                "request_cost": 0.01,
                "verification_status": { "status": verdict, "updated_at": now },
            }))
        }
        _ => envelope_error("METHOD_NOT_FOUND"),
    }
}
