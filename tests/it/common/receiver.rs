//! A loopback receiver of the bot's events (`EVENTS_URL`), as a business would run one: it
//! records every delivery and checks it the way the Standard Webhooks specification
//! (`spec/standard-webhooks.md`, version 1.0.0, github.com/standard-webhooks/standard-webhooks)
//! tells a consumer to, written from that text and not from the bot's code:
//!
//! * the payload is the HTTP body of a POST; the metadata comes in the headers `webhook-id`,
//!   `webhook-timestamp` (an integer Unix timestamp, seconds) and `webhook-signature`;
//! * "the message's: ID, timestamp and body are concatenated (delimited by full-stops) and then
//!   signed": `msg_id.timestamp.payload`, over the body bytes exactly as received;
//! * symmetric signatures are HMAC-SHA256 keyed with the secret, which is serialised as
//!   `whsec_` + base64 of 24 to 64 random bytes;
//! * the signature header is "a space delimited list of signatures", each a version identifier,
//!   a comma and the base64 signature (`v1,K5oZ…=`); a consumer tries each until one matches
//!   (compared in constant time) and ignores versions it does not know (`v1a` is ed25519);
//! * the timestamp must be "within some allowable tolerance of the current timestamp" (five
//!   minutes here, as the spec's libraries use), and the id is the idempotency key: the same on
//!   every retry of an event.
//!
//! It answers as a test tells it, one answer per delivery from a queue and then a standing one
//! (200 unless set): any status, `429`/`503` with `Retry-After`, `410 Gone`, or hanging without
//! an answer (past the bot's 10 s timeout) until the test lifts it. Every delivery is recorded
//! with the answer it got and what the verification found.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use tokio::sync::Notify;

/// A signing secret in the spec's serialisation: `whsec_` + base64 of 32 random bytes.
pub const SECRET: &str = "whsec_3q2+7wABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhs=";
/// Another one, for a rotation (the business's next secret).
pub const NEXT_SECRET: &str = "whsec_kJ7Qx0fBz1o9m2E4yA6sLc8VtW3nHuRdPfGiKjMoNqY=";

/// The spec's libraries accept a `webhook-timestamp` this far from their clock.
const TOLERANCE_SECS: i64 = 5 * 60;

/// The path the bot is given in `EVENTS_URL`.
const PATH: &str = "/hooks/verify-bot";

/// How the receiver answers a delivery.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// This status, with an empty body (`200`, `204`, `301`, `404`, `500`, `410`, …).
    Status(u16),
    /// This status (`429`, `503`) with a `Retry-After` header of this value (seconds or an
    /// HTTP date).
    RetryAfter(u16, String),
    /// No answer at all: the request is held open until the test calls
    /// [`Receiver::stop_hanging`] (or a minute passes).
    Hang,
}

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub method: String,
    pub path: String,
    pub content_type: Option<String>,
    /// `webhook-id`, `webhook-timestamp`, `webhook-signature` as received.
    pub id: Option<String>,
    pub timestamp: Option<String>,
    pub signature: Option<String>,
    /// The body exactly as received.
    pub body: String,
    /// What a Standard Webhooks consumer with the receiver's secret(s) makes of it: `Ok` with
    /// the secret that matched, or why it refuses it.
    pub verified: Result<String, String>,
    /// What the receiver answered (`None`: it hung).
    pub answer: Option<u16>,
}

impl Delivery {
    /// The body as JSON (the test fails if it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|err| panic!("the body is not JSON ({err}): {}", self.body))
    }

    /// The event's `type`.
    pub fn kind(&self) -> String {
        self.json()["type"].as_str().unwrap_or_default().to_owned()
    }

    /// `data.verification_id`.
    pub fn verification_id(&self) -> i64 {
        self.json()["data"]["verification_id"]
            .as_i64()
            .unwrap_or_else(|| panic!("no data.verification_id in {}", self.body))
    }

    /// The `webhook-id`, which every delivery the bot makes carries.
    pub fn event_id(&self) -> String {
        self.id.clone().expect("a webhook-id header")
    }

    /// Whether the receiver took it (answered 2xx).
    pub fn accepted(&self) -> bool {
        self.answer
            .is_some_and(|status| (200..300).contains(&status))
    }
}

/// Clone-able handle to a running receiver; the server lives until the test's runtime ends.
#[derive(Clone)]
pub struct Receiver {
    inner: Arc<Inner>,
}

struct Inner {
    url: String,
    state: Mutex<ReceiverState>,
    /// `notify_waiters` after every delivery recorded (and every answer given).
    received: Notify,
    /// Releases the hanging requests.
    unhang: Notify,
}

struct ReceiverState {
    /// The secrets this consumer trusts (one, or two while a business rotates).
    secrets: Vec<String>,
    deliveries: Vec<Delivery>,
    queued: VecDeque<Answer>,
    standing: Answer,
    /// How far the bot's clock runs ahead of this machine's (the tests move it).
    clock_ahead: i64,
}

impl Receiver {
    /// Binds `127.0.0.1:0` and receives events signed with [`SECRET`], answering 200.
    pub async fn start() -> Receiver {
        Self::start_trusting(&[SECRET]).await
    }

    /// A receiver that trusts any of `secrets` (in the spec's `whsec_…` form).
    pub async fn start_trusting(secrets: &[&str]) -> Receiver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the events receiver");
        let addr = listener.local_addr().unwrap();
        let inner = Arc::new(Inner {
            url: format!("http://{addr}{PATH}"),
            state: Mutex::new(ReceiverState {
                secrets: secrets.iter().map(|s| s.to_string()).collect(),
                deliveries: Vec::new(),
                queued: VecDeque::new(),
                standing: Answer::Status(200),
                clock_ahead: 0,
            }),
            received: Notify::new(),
            unhang: Notify::new(),
        });
        let app = Router::new().fallback(receive).with_state(inner.clone());
        tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("the events receiver serves");
        });
        Receiver { inner }
    }

    /// The URL to give the bot as `EVENTS_URL`.
    pub fn url(&self) -> String {
        self.inner.url.clone()
    }

    fn lock(&self) -> MutexGuard<'_, ReceiverState> {
        self.inner.state.lock().unwrap()
    }

    /// The next deliveries get these answers, one each, in order; then the standing one.
    pub fn answer_next(&self, answers: impl IntoIterator<Item = Answer>) {
        self.lock().queued.extend(answers);
    }

    /// Every delivery from now on (after the queued answers) gets `answer`: a receiver that
    /// fails (`Status(500)`), hangs, or recovers (`Status(200)`).
    pub fn answer_from_now_on(&self, answer: Answer) {
        self.lock().standing = answer;
    }

    /// Answers the requests that hang (with 200), and stops hanging from now on.
    pub fn stop_hanging(&self) {
        {
            let mut st = self.lock();
            st.queued.retain(|a| *a != Answer::Hang);
            if st.standing == Answer::Hang {
                st.standing = Answer::Status(200);
            }
        }
        self.inner.unhang.notify_waiters();
    }

    /// The bot's clock was moved `seconds` forward: its timestamps are that far ahead of this
    /// machine's, which the timestamp check allows for.
    pub fn bot_clock_moved(&self, seconds: i64) {
        self.lock().clock_ahead += seconds;
    }

    /// Every request received, oldest first.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.lock().deliveries.clone()
    }

    /// The deliveries the receiver took (answered 2xx), oldest first.
    pub fn accepted(&self) -> Vec<Delivery> {
        self.deliveries()
            .into_iter()
            .filter(Delivery::accepted)
            .collect()
    }

    /// The events taken, each once (a receiver deduplicates by `webhook-id`), in the order
    /// they were first taken.
    pub fn events(&self) -> Vec<Delivery> {
        let mut seen = std::collections::HashSet::new();
        self.accepted()
            .into_iter()
            .filter(|d| seen.insert(d.event_id()))
            .collect()
    }

    /// Waits until `check` holds for the deliveries received so far, and returns them; fails
    /// after `timeout` saying `what` never came, with what did.
    pub async fn wait_until(
        &self,
        what: &str,
        timeout: Duration,
        check: impl Fn(&[Delivery]) -> bool,
    ) -> Vec<Delivery> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let received = self.inner.received.notified();
            tokio::pin!(received);
            received.as_mut().enable();
            let deliveries = self.deliveries();
            if check(&deliveries) {
                return deliveries;
            }
            if tokio::time::timeout_at(deadline, received).await.is_err() {
                let got: Vec<String> = deliveries
                    .iter()
                    .map(|d| {
                        let event: Value = serde_json::from_str(&d.body).unwrap_or_default();
                        let (kind, data) = (&event["type"], &event["data"]);
                        let id = &data["verification_id"];
                        let phone = &data["phone_number"];
                        format!("{kind} of {id} ({phone}) → {:?}", d.answer)
                    })
                    .collect();
                panic!("waited {timeout:?} for {what}; the receiver got:\n{got:#?}");
            }
        }
    }

    /// Waits until `n` distinct events were taken (2xx); returns them (see [`Self::events`]).
    pub async fn wait_for_events(&self, n: usize, timeout: Duration) -> Vec<Delivery> {
        let what = format!("{n} event(s) taken");
        self.wait_until(&what, timeout, |_| self.events().len() >= n)
            .await;
        self.events()
    }

    /// Waits until `n` requests were received, whatever they were answered.
    pub async fn wait_for_deliveries(&self, n: usize, timeout: Duration) -> Vec<Delivery> {
        let what = format!("{n} delivery attempt(s)");
        self.wait_until(&what, timeout, |d| d.len() >= n).await
    }
}

async fn receive(
    State(inner): State<Arc<Inner>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let text = |name: &str| {
        headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let (answer, index) = {
        let mut st = inner.state.lock().unwrap();
        let answer = st.queued.pop_front().unwrap_or_else(|| st.standing.clone());
        let verified = verify(&st.secrets, &headers, &body, now() + st.clock_ahead);
        st.deliveries.push(Delivery {
            method: method.to_string(),
            path: uri.path().to_owned(),
            content_type: text(header::CONTENT_TYPE.as_str()),
            id: text("webhook-id"),
            timestamp: text("webhook-timestamp"),
            signature: text("webhook-signature"),
            body: String::from_utf8_lossy(&body).into_owned(),
            verified,
            answer: None,
        });
        (answer, st.deliveries.len() - 1)
    };
    inner.received.notify_waiters();
    let (status, retry_after) = match answer {
        Answer::Status(status) => (status, None),
        Answer::RetryAfter(status, after) => (status, Some(after)),
        Answer::Hang => {
            let unhang = inner.unhang.notified();
            let _ = tokio::time::timeout(Duration::from_secs(60), unhang).await;
            (200, None)
        }
    };
    inner.state.lock().unwrap().deliveries[index].answer = Some(status);
    inner.received.notify_waiters();
    let status = StatusCode::from_u16(status).expect("a valid status");
    match retry_after {
        Some(after) => (status, [(header::RETRY_AFTER, after)]).into_response(),
        None => status.into_response(),
    }
}

fn now() -> i64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    since.as_secs() as i64
}

/// A Standard Webhooks consumer's check of one request, from the spec: the three headers, a
/// timestamp within the tolerance of `now`, and a `v1` signature that one of `secrets` made.
/// Returns the secret that matched.
pub fn verify(
    secrets: &[String],
    headers: &HeaderMap,
    body: &[u8],
    now: i64,
) -> Result<String, String> {
    let header = |name: &str| -> Result<&str, String> {
        let value = headers.get(name).ok_or(format!("no {name} header"))?;
        value.to_str().map_err(|_| format!("{name} is not text"))
    };
    let id = header("webhook-id")?;
    let timestamp = header("webhook-timestamp")?;
    let signatures = header("webhook-signature")?;
    if id.is_empty() || id.contains('.') {
        return Err(format!("webhook-id {id:?} is empty or holds a full stop"));
    }
    if timestamp.is_empty() || !timestamp.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "webhook-timestamp {timestamp:?} is not Unix seconds"
        ));
    }
    let seconds: i64 = timestamp.parse().map_err(|_| "timestamp out of range")?;
    if (seconds - now).abs() > TOLERANCE_SECS {
        return Err(format!(
            "webhook-timestamp {seconds} is {}s from now",
            seconds - now
        ));
    }
    let mut signed = format!("{id}.{timestamp}.").into_bytes();
    signed.extend_from_slice(body);
    for secret in secrets {
        let key = secret_key(secret)?;
        for entry in signatures.split(' ') {
            let Some((version, signature)) = entry.split_once(',') else {
                return Err(format!("signature {entry:?} is not version,signature"));
            };
            if version != "v1" {
                continue;
            }
            let Ok(signature) = STANDARD.decode(signature) else {
                return Err(format!("signature {signature:?} is not base64"));
            };
            let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes any key");
            mac.update(&signed);
            // Constant time, as the spec asks.
            if mac.verify_slice(&signature).is_ok() {
                return Ok(secret.clone());
            }
        }
    }
    Err(format!("no v1 signature matches in {signatures:?}"))
}

/// The key in a `whsec_…` secret: base64 of 24 to 64 bytes.
fn secret_key(secret: &str) -> Result<Vec<u8>, String> {
    let encoded = secret
        .strip_prefix("whsec_")
        .ok_or(format!("{secret:?} does not start with whsec_"))?;
    let key = STANDARD
        .decode(encoded)
        .map_err(|err| format!("{secret:?} is not base64: {err}"))?;
    if !(24..=64).contains(&key.len()) {
        return Err(format!("{secret:?} holds {} bytes, not 24-64", key.len()));
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] =
        br#"{"type":"example.event","timestamp":"2022-11-03T20:26:10.344522Z","data":{"foo":"bar"}}"#;
    const SENT_AT: i64 = 1_674_087_231;

    fn headers(signature: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            "webhook-id",
            "msg_p5jXN8AQM9LWM0D4loKWxJek".parse().unwrap(),
        );
        headers.insert("webhook-timestamp", SENT_AT.to_string().parse().unwrap());
        headers.insert("webhook-signature", signature.parse().unwrap());
        headers
    }

    /// A signature computed elsewhere (Python's `hmac` module:
    /// `hmac.new(b64decode(key), b"msg_….1674087231." + body, "sha256")`) passes, next to an
    /// asymmetric one it skips; a changed body, a stale timestamp or another secret do not.
    #[test]
    fn the_verifier_reads_the_scheme_as_the_spec_writes_it() {
        let secret = vec!["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".to_string()];
        let good = "v1,Y9wjY+Vtl7o3u1c6VMRFCRwr4hYabbxNW44ysjVJV2c=";
        let both = format!("v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw== {good}");
        assert_eq!(
            verify(&secret, &headers(&both), BODY, SENT_AT),
            Ok(secret[0].clone())
        );
        assert!(verify(&secret, &headers(good), BODY, SENT_AT + 299).is_ok());

        let changed = BODY.iter().map(|b| if *b == b'2' { b'3' } else { *b });
        let changed: Vec<u8> = changed.collect();
        assert!(verify(&secret, &headers(good), &changed, SENT_AT).is_err());
        assert!(verify(&secret, &headers(good), BODY, SENT_AT + 301).is_err());
        assert!(verify(&secret, &headers(good), BODY, SENT_AT - 301).is_err());
        let other = vec![SECRET.to_string()];
        assert!(verify(&other, &headers(good), BODY, SENT_AT).is_err());
        let mut missing = headers(good);
        missing.remove("webhook-id");
        assert!(verify(&secret, &missing, BODY, SENT_AT).is_err());
    }
}
