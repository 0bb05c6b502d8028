//! Loopback fake of the Telegram Gateway API, written from the Gateway API reference
//! (its methods, fields, error strings and the signed delivery report), not from the bot.
//!
//! `FakeGateway::start(token)` serves `http://127.0.0.1:<port>/{method}` with the four
//! documented methods (names matched case-insensitively), GET/POST with query string,
//! form or JSON parameters, and the `{"ok":..}` envelope. Every request is recorded in
//! [`FakeGateway::calls`], including rejected ones.
//!
//! Modelled behaviour and test hooks:
//! * auth: `Authorization: Bearer <token>` or an `access_token` parameter; checked before
//!   anything else (so an unknown method without a token is `ACCESS_TOKEN_REQUIRED`).
//! * validation order: token, method, phone, code/code_length, ttl, callback_url, payload,
//!   sender_username, request_id (unknown / other phone / already used), reachability, balance.
//!   (The reference gives no precedence beyond the first few; a refused sender charges nothing,
//!   like every error.)
//! * `sender_username`: "a verified channel owned by the token owner's account"; the reference
//!   names `SENDER_USERNAME_INVALID`, `SENDER_NOT_VERIFIED` and `SENDER_NOT_OWNED` (their
//!   triggers are inferred from the names). Any channel is accepted unless a test says
//!   otherwise with [`FakeGateway::sender_refused`]; a value that is not a Telegram username
//!   (5-32 of `A-Za-z0-9_`, starting with a letter, so no `@`) is `SENDER_USERNAME_INVALID`.
//!   Usernames match case-insensitively. Sent to the account's own number, an unverified
//!   channel is accepted (the tutorial: "when sending codes to yourself for testing purposes,
//!   the channel does not need to be verified"). [`FakeGateway::sender_usernames`] lists what
//!   each send carried.
//! * billing: balance 100.0 credits, 0.01 per charged message, own number free, one fee per
//!   `request_id` (a send reusing a `checkSendAbility` id is free, but only once).
//! * codes: Telegram-generated random digits (see [`FakeGateway::code_for`]); 3 wrong codes
//!   are allowed, the 4th gives `code_max_attempts_exceeded` (sticky).
//! * **magic numbers**: phone numbers starting with `+999` are "not on Telegram" and get
//!   `PHONE_NUMBER_NOT_FOUND` from `sendVerificationMessage` and `checkSendAbility`.
//! * `set_delay` applies after the request was recorded *and processed*: a client that
//!   times out has still caused the server-side effect (e.g. a charge).
//!   [`FakeGateway::delay_method`] does the same for one method only (a send that hangs after a
//!   pre-check that answered at once).
//! * delivery reports: a send's `callback_url` is remembered; [`FakeGateway::deliver_report`]
//!   changes the delivery status and POSTs the signed `RequestStatus` to it, like the Gateway
//!   (headers `X-Request-Timestamp` and `X-Request-Signature`, see [`sign_report`]). Loopback tests
//!   cannot resolve the `https://` host, so [`FakeGateway::route_reports_to`] stands in for DNS
//!   and TLS termination: the report goes to the given base URL plus the callback's path.
//! * not modelled: automatic ttl expiry/refund (use `set_delivery_status(id, "expired")`),
//!   report retries.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use rand::Rng;
use serde_json::{Map, Value, json};
use tokio::sync::Notify;

/// Money is kept in millionths of a credit so balances print as `99.99`, not `99.9899999`.
const MICROS_PER_CREDIT: f64 = 1_000_000.0;
/// Price of one charged message: 0.01 credits.
const PRICE_MICROS: i64 = 10_000;
const METHODS: [&str; 4] = [
    "sendVerificationMessage",
    "checkSendAbility",
    "checkVerificationStatus",
    "revokeVerificationMessage",
];

/// One HTTP request received by the fake.
#[derive(Clone, Debug)]
pub struct GatewayCall {
    /// Canonical camelCase method name, or the raw path (without the leading `/`) if unknown.
    pub method: String,
    /// All parameters merged from query string and form/JSON body (body wins), as received.
    pub params: Value,
    /// Whether the call carried the right token.
    pub authorized: bool,
}

/// Clone-able handle to a running fake; the server task lives until the test runtime ends.
#[derive(Clone)]
pub struct FakeGateway {
    inner: Arc<Inner>,
}

struct Inner {
    token: String,
    url: String,
    state: Mutex<GwState>,
    /// `notify_waiters` after every call received.
    called: Notify,
}

struct GwState {
    calls: Vec<GatewayCall>,
    requests: HashMap<String, VerificationRequest>,
    last_request_id: Option<String>,
    balance_micros: i64,
    own_number: Option<String>,
    max_attempts: u32,
    error_status: StatusCode,
    fail_next: Option<String>,
    raw_next: Option<(StatusCode, String, String)>,
    delay: Duration,
    /// Base URL that delivery reports are sent to instead of the callback's own host.
    report_base: Option<String>,
    /// Channels (lowercase) that sends may not come from, with the error they get.
    sender_refusals: HashMap<String, String>,
    /// Per-method delays (canonical method name), instead of `delay` for that method.
    method_delays: HashMap<&'static str, Duration>,
}

struct VerificationRequest {
    phone: String,
    cost_micros: i64,
    /// The code the customer received; `None` until a message was sent.
    code: Option<String>,
    payload: Option<String>,
    callback_url: Option<String>,
    delivery: Option<(String, i64)>,
    verification: Option<Verification>,
    is_refunded: bool,
    wrong_attempts: u32,
    expired: bool,
    /// Created by `checkSendAbility` and not yet used by a send.
    prepaid_unused: bool,
}

struct Verification {
    status: &'static str,
    updated_at: i64,
    code_entered: String,
}

type Params = Map<String, Value>;
type ApiResult = Result<Value, String>;

enum Outcome {
    Raw(StatusCode, String, String),
    Api(ApiResult),
}

impl FakeGateway {
    /// Binds `127.0.0.1:0` and serves the fake API for the given access token.
    pub async fn start(token: &str) -> FakeGateway {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake gateway");
        let addr = listener.local_addr().expect("fake gateway address");
        let gw = FakeGateway {
            inner: Arc::new(Inner {
                token: token.to_string(),
                url: format!("http://{addr}/"),
                state: Mutex::new(GwState {
                    calls: Vec::new(),
                    requests: HashMap::new(),
                    last_request_id: None,
                    balance_micros: credits_to_micros(100.0),
                    own_number: None,
                    max_attempts: 3,
                    error_status: StatusCode::OK,
                    fail_next: None,
                    raw_next: None,
                    delay: Duration::ZERO,
                    report_base: None,
                    sender_refusals: HashMap::new(),
                    method_delays: HashMap::new(),
                }),
                called: Notify::new(),
            }),
        };
        let app = Router::new().fallback(handle).with_state(gw.clone());
        tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("fake gateway server");
        });
        gw
    }

    /// Base URL with a trailing slash, e.g. `http://127.0.0.1:1234/`.
    pub fn url(&self) -> String {
        self.inner.url.clone()
    }

    /// Every request received so far, in order (including rejected ones).
    pub fn calls(&self) -> Vec<GatewayCall> {
        self.lock().calls.clone()
    }

    /// Waits until `n` calls received satisfy `wanted`; returns those calls (fails after
    /// `timeout`, listing the calls received).
    pub async fn wait_for_calls(
        &self,
        n: usize,
        timeout: Duration,
        wanted: impl Fn(&GatewayCall) -> bool,
    ) -> Vec<GatewayCall> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let called = self.inner.called.notified();
            tokio::pin!(called);
            called.as_mut().enable();
            let found: Vec<GatewayCall> = self.calls().into_iter().filter(&wanted).collect();
            if found.len() >= n {
                return found;
            }
            if tokio::time::timeout_at(deadline, called).await.is_err() {
                let methods: Vec<String> = self.calls().into_iter().map(|c| c.method).collect();
                panic!("timed out after {timeout:?} waiting for {n} Gateway call(s): {methods:?}");
            }
        }
    }

    /// Number of calls of `method` (case-insensitive).
    pub fn count(&self, method: &str) -> usize {
        let st = self.lock();
        st.calls
            .iter()
            .filter(|c| c.method.eq_ignore_ascii_case(method))
            .count()
    }

    /// `request_id` of the most recent successful send / checkSendAbility.
    pub fn last_request_id(&self) -> Option<String> {
        self.lock().last_request_id.clone()
    }

    /// The code the customer received for this request (None if unknown or not yet sent).
    pub fn code_for(&self, request_id: &str) -> Option<String> {
        self.lock().requests.get(request_id)?.code.clone()
    }

    /// Makes the code unusable: a later check with a code reports `expired`.
    pub fn expire(&self, request_id: &str) {
        self.with_request(request_id, |_, r| r.expired = true);
    }

    /// Wrong codes allowed before `code_max_attempts_exceeded` (default 3).
    pub fn set_max_attempts(&self, n: u32) {
        self.lock().max_attempts = n;
    }

    /// Current balance in credits (default 100.0).
    pub fn balance(&self) -> f64 {
        micros_to_credits(self.lock().balance_micros)
    }

    pub fn set_balance(&self, credits: f64) {
        self.lock().balance_micros = credits_to_micros(credits);
    }

    /// Sends / checkSendAbility to this number are free.
    pub fn set_own_number(&self, e164: &str) {
        self.lock().own_number = Some(e164.to_string());
    }

    /// The next call (any method) answers `{"ok":false,"error":error}`.
    pub fn fail_next(&self, error: &str) {
        self.lock().fail_next = Some(error.to_string());
    }

    /// Sends from the channel `username` (without `@`, any case) answer `error`:
    /// `SENDER_USERNAME_INVALID`, `SENDER_NOT_VERIFIED` or `SENDER_NOT_OWNED`.
    pub fn sender_refused(&self, username: &str, error: &str) {
        assert!(
            matches!(
                error,
                "SENDER_USERNAME_INVALID" | "SENDER_NOT_VERIFIED" | "SENDER_NOT_OWNED"
            ),
            "not a sender error: {error}"
        );
        let mut st = self.lock();
        st.sender_refusals
            .insert(username.to_ascii_lowercase(), error.to_string());
    }

    /// The channel `username` may be sent from again (it was verified, or changed hands).
    pub fn sender_accepted(&self, username: &str) {
        self.lock()
            .sender_refusals
            .remove(&username.to_ascii_lowercase());
    }

    /// The `sender_username` of every `sendVerificationMessage` received, in order (`None` when
    /// the send had none), refused ones included.
    pub fn sender_usernames(&self) -> Vec<Option<String>> {
        let st = self.lock();
        st.calls
            .iter()
            .filter(|c| c.method == "sendVerificationMessage")
            .map(|c| match c.params.get("sender_username") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(other) => Some(other.to_string()),
            })
            .collect()
    }

    /// HTTP status used for `ok:false` answers (default 200).
    pub fn set_error_status(&self, status: u16) {
        self.lock().error_status = StatusCode::from_u16(status).expect("valid HTTP status");
    }

    /// The next call answers exactly this status, content type and body.
    pub fn respond_raw_next(&self, status: u16, content_type: &str, body: &str) {
        let status = StatusCode::from_u16(status).expect("valid HTTP status");
        self.lock().raw_next = Some((status, content_type.to_string(), body.to_string()));
    }

    /// Every answer waits this long (after the request was recorded and processed).
    pub fn set_delay(&self, d: Duration) {
        self.lock().delay = d;
    }

    /// Every answer to `method` waits this long (after the request was recorded and processed),
    /// whatever [`Self::set_delay`] says; `Duration::ZERO` removes the override.
    pub fn delay_method(&self, method: &str, d: Duration) {
        let method = METHODS
            .iter()
            .copied()
            .find(|m| m.eq_ignore_ascii_case(method))
            .unwrap_or_else(|| panic!("fake gateway: no method {method:?}"));
        let mut st = self.lock();
        if d.is_zero() {
            st.method_delays.remove(method);
        } else {
            st.method_delays.insert(method, d);
        }
    }

    /// Sets the delivery status (`sent|delivered|read|expired|revoked`), `updated_at` = now.
    /// `expired` also makes the code unusable and refunds the fee (`is_refunded: true`).
    pub fn set_delivery_status(&self, request_id: &str, status: &str) {
        self.with_request(request_id, |balance, r| {
            r.delivery = Some((status.to_string(), now()));
            if status == "expired" {
                r.expired = true;
                if !r.is_refunded && r.cost_micros > 0 {
                    *balance += r.cost_micros;
                    r.is_refunded = true;
                }
            }
        });
    }

    /// The request's current `RequestStatus` JSON (without `remaining_balance`).
    pub fn request_status(&self, request_id: &str) -> Option<Value> {
        let st = self.lock();
        st.requests
            .contains_key(request_id)
            .then(|| st.status_json(request_id, false))
    }

    /// The `callback_url` the send of `request_id` carried.
    pub fn callback_url(&self, request_id: &str) -> Option<String> {
        let st = self.lock();
        st.requests.get(request_id)?.callback_url.clone()
    }

    /// Delivery reports go to `base` (e.g. `http://127.0.0.1:8080`) + the callback URL's path.
    pub fn route_reports_to(&self, base: &str) {
        self.lock().report_base = Some(base.trim_end_matches('/').to_string());
    }

    /// Sets the delivery status (as [`Self::set_delivery_status`]) and delivers the report: one
    /// signed POST of the request's `RequestStatus` to its `callback_url`. Returns the HTTP status
    /// the receiver answered (the real Gateway retries non-200 answers; this fake does not).
    pub async fn deliver_report(&self, request_id: &str, status: &str) -> u16 {
        self.set_delivery_status(request_id, status);
        let body = self
            .request_status(request_id)
            .expect("known request")
            .to_string();
        let url = self.report_url(request_id);
        let timestamp = now().to_string();
        let signature = sign_report(&self.inner.token, &timestamp, body.as_bytes());
        let response = reqwest::Client::new()
            .post(url)
            .header("Content-Type", "application/json")
            .header("X-Request-Timestamp", timestamp)
            .header("X-Request-Signature", signature)
            .body(body)
            .send()
            .await
            .expect("the report receiver answers");
        response.status().as_u16()
    }

    /// Where a report for `request_id` is POSTed: its callback URL, re-rooted at the base from
    /// [`Self::route_reports_to`] when set.
    pub fn report_url(&self, request_id: &str) -> String {
        let callback = self.callback_url(request_id).unwrap_or_else(|| {
            panic!("fake gateway: {request_id:?} was sent without callback_url")
        });
        match &self.lock().report_base {
            Some(base) => {
                let url = reqwest::Url::parse(&callback).expect("a valid callback_url");
                format!("{base}{}", url.path())
            }
            None => callback,
        }
    }

    fn lock(&self) -> MutexGuard<'_, GwState> {
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn with_request(&self, request_id: &str, f: impl FnOnce(&mut i64, &mut VerificationRequest)) {
        let mut st = self.lock();
        let st = &mut *st;
        let req = st.requests.get_mut(request_id);
        let req = req.unwrap_or_else(|| panic!("fake gateway: unknown request_id {request_id:?}"));
        f(&mut st.balance_micros, req);
    }
}

async fn handle(
    State(gw): State<FakeGateway>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = collect_params(&uri, &headers, &body);
    let path = uri.path().trim_start_matches('/');
    let method = METHODS
        .iter()
        .copied()
        .find(|m| m.eq_ignore_ascii_case(path));
    let token = bearer_token(&headers)
        .or_else(|| str_param(&params, "access_token").filter(|t| !t.is_empty()));
    let authorized = token.as_deref() == Some(gw.inner.token.as_str());

    let (outcome, delay, error_status) = {
        let mut st = gw.lock();
        st.calls.push(GatewayCall {
            method: method.map_or_else(|| path.to_string(), str::to_string),
            params: Value::Object(params.clone()),
            authorized,
        });
        let outcome = if let Some((status, ct, body)) = st.raw_next.take() {
            Outcome::Raw(status, ct, body)
        } else if let Some(error) = st.fail_next.take() {
            Outcome::Api(Err(error))
        } else if token.is_none() {
            Outcome::Api(err("ACCESS_TOKEN_REQUIRED"))
        } else if !authorized {
            Outcome::Api(err("ACCESS_TOKEN_INVALID"))
        } else {
            Outcome::Api(match method {
                Some("sendVerificationMessage") => st.send(&params),
                Some("checkSendAbility") => st.check_send_ability(&params),
                Some("checkVerificationStatus") => st.check_status(&params),
                Some("revokeVerificationMessage") => st.revoke(&params),
                _ => err("UNKNOWN_METHOD"),
            })
        };
        let delay = method
            .and_then(|m| st.method_delays.get(m).copied())
            .unwrap_or(st.delay);
        (outcome, delay, st.error_status)
    };
    gw.inner.called.notify_waiters();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    match outcome {
        Outcome::Raw(status, ct, body) => {
            (status, [(header::CONTENT_TYPE, ct)], body).into_response()
        }
        Outcome::Api(Ok(result)) => Json(json!({"ok": true, "result": result})).into_response(),
        Outcome::Api(Err(error)) => {
            (error_status, Json(json!({"ok": false, "error": error}))).into_response()
        }
    }
}

impl GwState {
    fn send(&mut self, p: &Params) -> ApiResult {
        let phone = phone_param(p)?;
        let code = match str_param(p, "code") {
            Some(c) if (4..=8).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_digit()) => {
                Some(c)
            }
            Some(_) => return err("CODE_INVALID"),
            None => None,
        };
        // `code_length` is ignored when `code` is given.
        let code_length = match (&code, int_param(p, "code_length")) {
            (Some(_), _) => 0,
            (None, Ok(Some(n))) if (4..=8).contains(&n) => n as usize,
            (None, Ok(None)) => return err("CODE_LENGTH_REQUIRED"),
            (None, _) => return err("CODE_LENGTH_INVALID"),
        };
        match int_param(p, "ttl") {
            Ok(None) => {}
            Ok(Some(ttl)) if (30..=3600).contains(&ttl) => {}
            _ => return err("TTL_INVALID"),
        }
        if let Some(url) = str_param(p, "callback_url")
            && !url.is_empty()
            && !valid_callback_url(&url)
        {
            return err("CALLBACK_URL_INVALID");
        }
        let payload = str_param(p, "payload");
        if payload.as_ref().is_some_and(|s| s.len() > 128) {
            return err("PAYLOAD_INVALID");
        }
        if let Some(sender) = str_param(p, "sender_username").filter(|s| !s.is_empty()) {
            self.check_sender(&sender, &phone)?;
        }
        let prepaid = match str_param(p, "request_id").filter(|id| !id.is_empty()) {
            Some(id) => {
                let req = self.requests.get(&id).ok_or("REQUEST_ID_INVALID")?;
                if req.phone != phone {
                    return err("PHONE_NUMBER_MISMATCH");
                }
                if !req.prepaid_unused {
                    return err("MESSAGE_ALREADY_SENT");
                }
                Some(id)
            }
            None => None,
        };
        let (id, charged) = match prepaid {
            Some(id) => (id, false),
            None => {
                let cost = self.charge(&phone)?;
                (self.new_request(&phone, cost, false), cost > 0)
            }
        };
        let req = self.requests.get_mut(&id).expect("request exists");
        req.prepaid_unused = false;
        req.code = Some(code.unwrap_or_else(|| random_digits(code_length)));
        req.delivery = Some(("sent".to_string(), now()));
        req.payload = payload;
        req.callback_url = str_param(p, "callback_url").filter(|url| !url.is_empty());
        self.last_request_id = Some(id.clone());
        Ok(self.status_json(&id, charged))
    }

    /// Whether a code to `phone` may be sent from the channel `sender`.
    fn check_sender(&self, sender: &str, phone: &str) -> Result<(), String> {
        let username = sender.len() >= 5
            && sender.len() <= 32
            && sender.starts_with(|c: char| c.is_ascii_alphabetic())
            && sender
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !username {
            return err("SENDER_USERNAME_INVALID");
        }
        let to_self = self.own_number.as_deref() == Some(phone);
        match self.sender_refusals.get(&sender.to_ascii_lowercase()) {
            Some(error) if error == "SENDER_NOT_VERIFIED" && to_self => Ok(()),
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }

    fn check_send_ability(&mut self, p: &Params) -> ApiResult {
        let phone = phone_param(p)?;
        let cost = self.charge(&phone)?;
        let id = self.new_request(&phone, cost, true);
        self.last_request_id = Some(id.clone());
        Ok(self.status_json(&id, cost > 0))
    }

    fn check_status(&mut self, p: &Params) -> ApiResult {
        let id = self.request_id_param(p)?;
        let max_attempts = self.max_attempts;
        let req = self.requests.get_mut(&id).expect("request exists");
        if let Some(entered) = str_param(p, "code") {
            let right = req.code.as_deref() == Some(entered.as_str());
            let current = req.verification.as_ref().map(|v| v.status);
            let status = if current == Some("code_max_attempts_exceeded") {
                "code_max_attempts_exceeded"
            } else if current == Some("code_valid") && right {
                "code_valid"
            } else if req.expired {
                "expired"
            } else if right {
                "code_valid"
            } else {
                req.wrong_attempts += 1;
                if req.wrong_attempts > max_attempts {
                    "code_max_attempts_exceeded"
                } else {
                    "code_invalid"
                }
            };
            req.verification = Some(Verification {
                status,
                updated_at: now(),
                code_entered: entered,
            });
        }
        Ok(self.status_json(&id, false))
    }

    fn revoke(&mut self, p: &Params) -> ApiResult {
        let id = self.request_id_param(p)?;
        let req = self.requests.get_mut(&id).expect("request exists");
        // A message already read is not removed; one never sent has nothing to revoke.
        if let Some((status, at)) = &mut req.delivery
            && status != "read"
        {
            *status = "revoked".to_string();
            *at = now();
        }
        Ok(Value::Bool(true))
    }

    fn request_id_param(&self, p: &Params) -> Result<String, String> {
        let id = str_param(p, "request_id")
            .filter(|id| !id.is_empty())
            .ok_or("REQUEST_ID_REQUIRED")?;
        if !self.requests.contains_key(&id) {
            return err("REQUEST_ID_INVALID");
        }
        Ok(id)
    }

    /// Checks reachability and charges one message; returns the cost in micros (0 = free).
    fn charge(&mut self, phone: &str) -> Result<i64, String> {
        if phone.starts_with("+999") {
            return err("PHONE_NUMBER_NOT_FOUND");
        }
        if self.own_number.as_deref() == Some(phone) {
            return Ok(0);
        }
        if self.balance_micros < PRICE_MICROS {
            return err("BALANCE_NOT_ENOUGH");
        }
        self.balance_micros -= PRICE_MICROS;
        Ok(PRICE_MICROS)
    }

    fn new_request(&mut self, phone: &str, cost_micros: i64, prepaid_unused: bool) -> String {
        let id: String = rand::rng()
            .sample_iter(rand::distr::Alphanumeric)
            .take(20)
            .map(char::from)
            .collect();
        let req = VerificationRequest {
            phone: phone.to_string(),
            cost_micros,
            code: None,
            payload: None,
            callback_url: None,
            delivery: None,
            verification: None,
            is_refunded: false,
            wrong_attempts: 0,
            expired: false,
            prepaid_unused,
        };
        self.requests.insert(id.clone(), req);
        id
    }

    fn status_json(&self, id: &str, charged: bool) -> Value {
        let r = &self.requests[id];
        let mut o = json!({
            "request_id": id,
            "phone_number": r.phone,
            "request_cost": micros_to_credits(r.cost_micros),
            "is_refunded": r.is_refunded,
        });
        if charged {
            o["remaining_balance"] = json!(micros_to_credits(self.balance_micros));
        }
        if let Some((status, at)) = &r.delivery {
            o["delivery_status"] = json!({"status": status, "updated_at": at});
        }
        if let Some(v) = &r.verification {
            o["verification_status"] = json!({"status": v.status, "updated_at": v.updated_at, "code_entered": v.code_entered});
        }
        if let Some(payload) = &r.payload {
            o["payload"] = json!(payload);
        }
        o
    }
}

/// The Gateway's report signature: lowercase hex HMAC-SHA-256 of `timestamp + "\n" + body`,
/// keyed with the raw SHA-256 digest of the access token.
pub fn sign_report(token: &str, timestamp: &str, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    use sha2::{Digest, Sha256};
    let key = Sha256::digest(token.as_bytes());
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("any key size");
    mac.update(timestamp.as_bytes());
    mac.update(b"\n");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

fn err<T>(error: &str) -> Result<T, String> {
    Err(error.to_string())
}

/// Merges query-string parameters with a JSON or form body (body wins).
fn collect_params(uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Params {
    let mut params = Params::new();
    if let Some(query) = uri.query() {
        extend_urlencoded(&mut params, query);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let text = String::from_utf8_lossy(body);
    let looks_json = text.trim_start().starts_with('{');
    if content_type.contains("json") || (looks_json && !content_type.contains("urlencoded")) {
        if let Ok(Value::Object(obj)) = serde_json::from_slice(body) {
            params.extend(obj);
        }
    } else if !text.trim().is_empty() {
        extend_urlencoded(&mut params, text.trim());
    }
    params
}

fn extend_urlencoded(params: &mut Params, encoded: &str) {
    if let Ok(url) = reqwest::Url::parse(&format!("http://fake.invalid/?{encoded}")) {
        for (k, v) in url.query_pairs() {
            params.insert(k.into_owned(), Value::String(v.into_owned()));
        }
    }
}

fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_string())
}

/// A parameter as a string; JSON `null` counts as absent, numbers/bools are stringified.
fn str_param(p: &Params, key: &str) -> Option<String> {
    match p.get(key)? {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// An integer parameter; accepts JSON numbers and string-encoded integers. `Err` = not an integer.
fn int_param(p: &Params, key: &str) -> Result<Option<i64>, ()> {
    match p.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Ok(Some(i)),
            (None, Some(f)) if f.fract() == 0.0 && f.abs() < 1e15 => Ok(Some(f as i64)),
            _ => Err(()),
        },
        Some(Value::String(s)) => s.trim().parse().map(Some).map_err(|_| ()),
        Some(_) => Err(()),
    }
}

/// `phone_number` must be E.164 with a leading `+` (`^\+[1-9]\d{1,14}$`).
fn phone_param(p: &Params) -> Result<String, String> {
    let phone = str_param(p, "phone_number").unwrap_or_default();
    let digits = phone.strip_prefix('+').unwrap_or("");
    let valid = (2..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0');
    if valid {
        Ok(phone)
    } else {
        err("PHONE_NUMBER_INVALID")
    }
}

fn valid_callback_url(url: &str) -> bool {
    let host = url.strip_prefix("https://").unwrap_or("");
    url.len() <= 256
        && reqwest::Url::parse(url).is_ok()
        && !host.is_empty()
        && !host.starts_with('/')
}

fn random_digits(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

fn credits_to_micros(credits: f64) -> i64 {
    (credits * MICROS_PER_CREDIT).round() as i64
}

fn micros_to_credits(micros: i64) -> f64 {
    micros as f64 / MICROS_PER_CREDIT
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
