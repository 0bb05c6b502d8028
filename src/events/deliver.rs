//! Delivering the outbox: a task in every process claims the events that are due (the oldest
//! undone one of each verification, so a later event of a verification waits for the earlier
//! one; each claimed by one process), posts each with its signature, and records what the
//! answer means:
//!
//! - a 2xx answer: delivered;
//! - no answer within 10 s, a 3xx (redirects are not followed), 4xx or 5xx: a failure, tried
//!   again on the spec's schedule with jitter until `EVENTS_MAX_AGE` after the change, then
//!   given up; a 429 or 503 with `Retry-After` is tried again when it says;
//! - a 410: the URL is gone; nothing more is sent to it until `EVENTS_URL` changes, and the
//!   admins are told once.
//!
//! Admins are told once when delivery has been failing for an hour, and once when it recovers.
//! Delivered events are pruned after a week, by the daily housekeeping ([`crate::housekeeping`]).

use std::error::Error as _;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, HeaderMap, RETRY_AFTER};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::{Settings, Signer, jitter, retry_delay};
use crate::monitoring;
use crate::now;
use crate::store::{OutboxEvent, Store, StoreError};

/// How long a receiver has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a claim keeps other processes off an event: well past [`TIMEOUT`], so that only a
/// process that died leaves it for another.
const LEASE_SECS: i64 = 30;
/// Events posted at once (each of a different verification).
const BATCH: i64 = 20;
/// How often the outbox is looked at when there is nothing to send.
const EVERY: Duration = Duration::from_secs(1);
/// The longest `Retry-After` that is honoured; a longer one waits this long.
const MAX_RETRY_AFTER: u64 = 86_400;
/// How long delivery fails before the admins are told.
pub const FAILING_FOR: i64 = 3600;

/// What the admins are told about the events URL, once each, by whichever process sees it
/// first.
#[derive(Debug, Clone, PartialEq)]
pub enum EventsAlert {
    /// Delivery has been failing since `since` (Unix seconds); `error` is the last failure.
    Failing { since: i64, error: String },
    /// Delivery works again after an alert.
    Recovered,
    /// The URL answered 410 Gone: nothing more is sent until `EVENTS_URL` changes.
    Gone,
}

/// What one delivery attempt came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A 2xx answer.
    Delivered,
    /// No answer, or any other status but 410: `error` says which, for `/events` and the logs;
    /// `retry_after` is a 429's or 503's `Retry-After`, in seconds.
    Failed {
        error: String,
        retry_after: Option<u64>,
    },
    /// 410 Gone: stop sending to this URL.
    Gone,
}

/// Posts events to `EVENTS_URL`, signed.
#[derive(Debug, Clone)]
pub struct Sender {
    client: reqwest::Client,
    url: reqwest::Url,
    signer: Signer,
    timeout: Duration,
}

impl Sender {
    pub fn new(url: reqwest::Url, signer: Signer) -> Self {
        Self::with_timeout(url, signer, TIMEOUT)
    }

    /// With a shorter wait than [`TIMEOUT`], for the tests.
    pub(crate) fn with_timeout(url: reqwest::Url, signer: Signer, timeout: Duration) -> Self {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("verify-bot/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("a client with a timeout always builds");
        Sender {
            client,
            url,
            signer,
            timeout,
        }
    }

    /// Posts `body` as event `id` and says what came of it. `webhook-timestamp` is this
    /// attempt's time by this host's clock, the one receivers compare it with.
    pub async fn post(&self, id: &str, body: &str) -> Outcome {
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let sent = self
            .client
            .post(self.url.clone())
            .header(CONTENT_TYPE, "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", timestamp.to_string())
            .header(
                "webhook-signature",
                self.signer.signature(id, timestamp, body),
            )
            .body(body.to_owned())
            .send()
            .await;
        match sent {
            Ok(response) => outcome(response.status(), response.headers(), timestamp),
            Err(err) => Outcome::Failed {
                error: describe(&err, self.timeout),
                retry_after: None,
            },
        }
    }
}

/// What an answer means.
fn outcome(status: StatusCode, headers: &HeaderMap, now: i64) -> Outcome {
    if status.is_success() {
        return Outcome::Delivered;
    }
    if status == StatusCode::GONE {
        return Outcome::Gone;
    }
    let retry_after = matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
    )
    .then(|| headers.get(RETRY_AFTER)?.to_str().ok())
    .flatten()
    .and_then(|value| retry_after(value, now));
    Outcome::Failed {
        error: format!("HTTP {}", status.as_u16()),
        retry_after,
    }
}

/// `Retry-After` in seconds from `now`: a number of seconds or an HTTP date, capped at a day.
fn retry_after(value: &str, now: i64) -> Option<u64> {
    let value = value.trim();
    let seconds = match value.parse::<u64>() {
        Ok(seconds) => seconds,
        Err(_) => {
            let at = httpdate::parse_http_date(value).ok()?;
            let at = at.duration_since(UNIX_EPOCH).ok()?.as_secs() as i64;
            at.saturating_sub(now).max(0) as u64
        }
    };
    Some(seconds.min(MAX_RETRY_AFTER))
}

/// A failure to reach the receiver in a few words, without the URL (it may hold a token).
fn describe(err: &reqwest::Error, timeout: Duration) -> String {
    if err.is_timeout() {
        return format!("no answer within {} s", timeout.as_secs_f64());
    }
    let what = if err.is_connect() {
        "cannot connect"
    } else {
        "the request failed"
    };
    let mut innermost = None;
    let mut cause = err.source();
    while let Some(inner) = cause {
        innermost = Some(inner);
        cause = inner.source();
    }
    match innermost {
        Some(cause) => format!("{what}: {cause}"),
        None => what.to_owned(),
    }
}

/// Delivers the outbox forever; spawn it. `alerts` reaches the admins.
pub async fn run(
    store: Store,
    sender: Sender,
    settings: Arc<Settings>,
    alerts: mpsc::UnboundedSender<EventsAlert>,
) {
    let url = settings.url.to_string();
    for outcome in ["delivered", "retried", "given_up"] {
        monitoring::event_outcome_seen(outcome);
    }
    let mut ticks = tokio::time::interval(EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        // A full batch may have more behind it: go on at once.
        loop {
            match round(&store, &sender, &settings, &url, &alerts).await {
                Ok(claimed) if claimed == BATCH as usize => continue,
                Ok(_) => break,
                Err(err) => {
                    tracing::warn!("cannot deliver events: {err}");
                    break;
                }
            }
        }
    }
}

/// One round: claims what is due and posts it, each event of a different verification, at
/// once. Returns how many events were claimed.
async fn round(
    store: &Store,
    sender: &Sender,
    settings: &Settings,
    url: &str,
    alerts: &mpsc::UnboundedSender<EventsAlert>,
) -> Result<usize, StoreError> {
    if store
        .endpoint(url)
        .await?
        .is_some_and(|endpoint| endpoint.gone_at.is_some())
    {
        return Ok(0);
    }
    let claimed = store.claim_events(now(), LEASE_SECS, BATCH).await?;
    let count = claimed.len();
    if count == 0 {
        return Ok(0);
    }
    let mut posts = JoinSet::new();
    for event in claimed {
        let sender = sender.clone();
        posts.spawn(async move {
            let outcome = sender.post(&event.event_id, &event.body).await;
            (event, outcome)
        });
    }
    let mut delivered = false;
    let mut last_error = None;
    let mut gone = false;
    while let Some(joined) = posts.join_next().await {
        let Ok((event, outcome)) = joined else {
            continue;
        };
        let at = now();
        match outcome {
            Outcome::Delivered => {
                store.event_delivered(event.id, at).await?;
                monitoring::event_outcome("delivered");
                delivered = true;
            }
            Outcome::Failed { error, retry_after } => {
                record_failure(store, settings, &event, at, &error, retry_after).await?;
                last_error = Some(error);
            }
            Outcome::Gone => {
                // Not the event's fault: it waits, untried, for another URL.
                store
                    .event_failed(event.id, at, "HTTP 410: the URL is gone")
                    .await?;
                gone = true;
            }
        }
    }
    let at = now();
    if gone {
        if store.endpoint_gone(url, at).await? {
            tracing::warn!("the events URL answered 410 Gone: no more events are sent to it");
            let _ = alerts.send(EventsAlert::Gone);
        }
    } else if delivered {
        store.endpoint_succeeded(url, at).await?;
        // Only after the admins were told that it was failing.
        if store.endpoint_told(url, false).await? {
            tracing::info!("events are delivered again");
            let _ = alerts.send(EventsAlert::Recovered);
        }
    } else if let Some(error) = last_error {
        store.endpoint_failed(url, at, &error).await?;
        let failing = store.endpoint(url).await?.and_then(|endpoint| {
            let since = endpoint.failing_since?;
            (!endpoint.failing_told && at - since >= FAILING_FOR).then_some(since)
        });
        if let Some(since) = failing
            && store.endpoint_told(url, true).await?
        {
            tracing::warn!("events have not been delivered for an hour: {error}");
            let _ = alerts.send(EventsAlert::Failing { since, error });
        }
    }
    Ok(count)
}

/// A failed attempt: tried again on the schedule (or when `Retry-After` says), or given up once
/// `EVENTS_MAX_AGE` has passed since the change.
async fn record_failure(
    store: &Store,
    settings: &Settings,
    event: &OutboxEvent,
    at: i64,
    error: &str,
    retry_after: Option<u64>,
) -> Result<(), StoreError> {
    let deadline = event
        .created_at
        .saturating_add(settings.max_age.as_secs() as i64);
    tracing::info!(
        event = %event.event_id,
        verification = event.verification_id,
        attempts = event.attempts + 1,
        "an event was not delivered: {error}"
    );
    if at >= deadline {
        store.event_given_up(event.id, at, error).await?;
        monitoring::event_outcome("given_up");
        tracing::warn!(event = %event.event_id, "an event was given up after EVENTS_MAX_AGE");
        return Ok(());
    }
    let delay = match retry_after {
        Some(seconds) => seconds.max(1),
        None => jitter(retry_delay(&settings.schedule, event.attempts + 1)),
    };
    let next = at.saturating_add(delay as i64).min(deadline);
    store.event_failed(event.id, next, error).await?;
    monitoring::event_outcome("retried");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(retry: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_str(retry).unwrap());
        headers
    }

    fn failed(error: &str, retry_after: Option<u64>) -> Outcome {
        Outcome::Failed {
            error: error.into(),
            retry_after,
        }
    }

    #[test]
    fn answers_mean_what_the_spec_says() {
        let none = HeaderMap::new();
        for ok in [200, 201, 202, 204, 299] {
            let status = StatusCode::from_u16(ok).unwrap();
            assert_eq!(outcome(status, &none, 0), Outcome::Delivered, "{ok}");
        }
        assert_eq!(outcome(StatusCode::GONE, &none, 0), Outcome::Gone);
        for bad in [301, 302, 304, 400, 401, 404, 409, 500, 502, 504] {
            let status = StatusCode::from_u16(bad).unwrap();
            let expected = failed(&format!("HTTP {bad}"), None);
            assert_eq!(outcome(status, &headers("7"), 0), expected, "{bad}");
        }
        let too_many = StatusCode::TOO_MANY_REQUESTS;
        assert_eq!(
            outcome(too_many, &headers("7"), 0),
            failed("HTTP 429", Some(7))
        );
        assert_eq!(outcome(too_many, &none, 0), failed("HTTP 429", None));
        let unavailable = StatusCode::SERVICE_UNAVAILABLE;
        assert_eq!(
            outcome(unavailable, &headers("120"), 0),
            failed("HTTP 503", Some(120))
        );
    }

    #[test]
    fn retry_after_is_seconds_or_an_http_date_capped_at_a_day() {
        assert_eq!(retry_after("30", 0), Some(30));
        assert_eq!(retry_after(" 0 ", 0), Some(0));
        assert_eq!(retry_after("9999999", 0), Some(MAX_RETRY_AFTER));
        // Sun, 06 Nov 1994 08:49:37 GMT is 784111777.
        let date = "Sun, 06 Nov 1994 08:49:37 GMT";
        assert_eq!(retry_after(date, 784_111_777 - 90), Some(90));
        assert_eq!(retry_after(date, 784_111_777 + 90), Some(0));
        assert_eq!(retry_after("soon", 0), None);
        assert_eq!(retry_after("-5", 0), None);
    }

    /// A receiver on 127.0.0.1 that records each request and answers by its path:
    /// `/ok`, `/status/<code>` (with `Retry-After: 7` on 429 and 503), `/redirect`, `/hang`.
    async fn receiver() -> (String, mpsc::UnboundedReceiver<(HeaderMap, String)>) {
        use axum::extract::Path;
        use axum::http::HeaderMap as Headers;
        use axum::response::IntoResponse;
        use axum::routing::post;
        let (seen, requests) = mpsc::unbounded_channel();
        let record = move |headers: Headers, body: String| {
            let _ = seen.send((headers, body));
        };
        let ok = record.clone();
        let status = record.clone();
        let redirect = record.clone();
        let app = axum::Router::new()
            .route(
                "/ok",
                post(move |h: Headers, b: String| async move {
                    ok(h, b);
                    StatusCode::NO_CONTENT
                }),
            )
            .route(
                "/status/{code}",
                post(
                    move |Path(code): Path<u16>, h: Headers, b: String| async move {
                        status(h, b);
                        let code = StatusCode::from_u16(code).unwrap();
                        (code, [(RETRY_AFTER, "7")], "no").into_response()
                    },
                ),
            )
            .route(
                "/redirect",
                post(move |h: Headers, b: String| async move {
                    redirect(h, b);
                    (StatusCode::FOUND, [(reqwest::header::LOCATION, "/ok")]).into_response()
                }),
            )
            .route(
                "/hang",
                post(|| async {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    StatusCode::OK
                }),
            );
        let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", tcp.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(tcp, app).await });
        (base, requests)
    }

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    fn sender(url: &str, timeout: Duration) -> Sender {
        let signer = Signer::new(&[secrecy::SecretString::from(SECRET)]).unwrap();
        Sender::with_timeout(url.parse().unwrap(), signer, timeout)
    }

    #[tokio::test]
    async fn a_post_carries_the_body_and_the_specs_headers_and_signature() {
        let (base, mut requests) = receiver().await;
        let body = r#"{"type":"verification.sent","timestamp":"2026-12-02T04:00:00Z","data":{}}"#;
        let id = "evt_0123456789abcdef01234567";
        let sender = sender(&format!("{base}/ok"), TIMEOUT);
        assert_eq!(sender.post(id, body).await, Outcome::Delivered);
        let (headers, received) = requests.recv().await.unwrap();
        assert_eq!(received, body);
        let header = |name: &str| headers.get(name).unwrap().to_str().unwrap().to_owned();
        assert_eq!(header("content-type"), "application/json");
        assert_eq!(header("webhook-id"), id);
        let timestamp: i64 = header("webhook-timestamp").parse().unwrap();
        let wall = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
        assert!((wall.as_secs() as i64 - timestamp).abs() <= 5);
        // Checked as a receiver would, with the spec's reference library.
        let webhook = standardwebhooks::Webhook::new(SECRET).unwrap();
        webhook.verify(body.as_bytes(), &headers).unwrap();
        assert!(webhook.verify(b"{}", &headers).is_err());
    }

    #[tokio::test]
    async fn failures_are_failures_and_410_is_gone() {
        let (base, mut requests) = receiver().await;
        let post = |path: &str| {
            let sender = sender(&format!("{base}{path}"), Duration::from_millis(500));
            async move { sender.post("evt_1", "{}").await }
        };
        assert_eq!(post("/status/500").await, failed("HTTP 500", None));
        assert_eq!(post("/status/404").await, failed("HTTP 404", None));
        assert_eq!(post("/status/429").await, failed("HTTP 429", Some(7)));
        assert_eq!(post("/status/503").await, failed("HTTP 503", Some(7)));
        assert_eq!(post("/status/410").await, Outcome::Gone);
        // A redirect is not followed: one request, and a failure.
        assert_eq!(post("/redirect").await, failed("HTTP 302", None));
        assert_eq!(post("/hang").await, failed("no answer within 0.5 s", None));
        let mut count = 0;
        while requests.try_recv().is_ok() {
            count += 1;
        }
        assert_eq!(count, 6, "each post reached the receiver once; /ok never");
        // Nobody listening: the error says so, without the URL.
        let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let url = format!("http://127.0.0.1:{port}/secret-token-in-path");
        let Outcome::Failed { error, .. } = sender(&url, TIMEOUT).post("evt_1", "{}").await else {
            panic!("nobody listens");
        };
        assert!(error.starts_with("cannot connect"), "{error}");
        assert!(!error.contains("secret-token"), "{error}");
    }
}
