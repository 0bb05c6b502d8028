//! Staff chats that talk to a bot through the fake, and what their replies measure.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use crate::fake::Fake;

/// How long one update may wait for its reply before it counts as failed.
pub const REPLY_PATIENCE: Duration = Duration::from_secs(10);

/// A chat and the staff member who types in it.
#[derive(Clone, Debug)]
pub struct Chat {
    pub chat_id: i64,
    pub user_id: i64,
    /// As staff type it, e.g. `+44 7911 100042`.
    pub phone: String,
}

/// What to type, and how the reply must begin.
#[derive(Clone, Debug)]
pub struct Step {
    pub text: String,
    pub reply_starts_with: String,
    /// How long the chat waits after the previous reply before typing this (not measured).
    pub pause: Duration,
}

impl Step {
    pub fn new(text: impl Into<String>, reply_starts_with: impl Into<String>) -> Step {
        Step {
            text: text.into(),
            reply_starts_with: reply_starts_with.into(),
            pause: Duration::ZERO,
        }
    }

    /// The same step, typed `pause` after the previous reply.
    pub fn after(self, pause: Duration) -> Step {
        Step { pause, ..self }
    }
}

/// `count` distinct UK mobile numbers (+44 7911 1xxxxx) that libphonenumber accepts as valid.
pub fn phone_numbers(count: usize) -> Vec<String> {
    let numbers: Vec<String> = (0..100_000)
        .map(|n| format!("+44 7911 1{n:05}"))
        .filter(|number| {
            phonenumber::parse(None, number).is_ok_and(|parsed| phonenumber::is_valid(&parsed))
        })
        .take(count)
        .collect();
    assert_eq!(numbers.len(), count, "not enough valid phone numbers");
    numbers
}

/// What a run of updates measured.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Per answered update: from being queued to the bot's `sendMessage` arriving.
    pub latencies: Vec<Duration>,
    /// From the first update queued to the last reply.
    pub elapsed: Duration,
    /// Updates that got no reply in time, or a reply that did not begin as expected.
    pub failed: usize,
    /// The first few failures, for the report.
    pub failures: Vec<String>,
}

impl Outcome {
    pub fn answered(&self) -> usize {
        self.latencies.len()
    }

    pub fn updates_per_second(&self) -> f64 {
        self.answered() as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The `p`-th percentile (nearest rank) of the latencies.
    pub fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort_unstable();
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
        sorted[rank.clamp(1, sorted.len()) - 1]
    }
}

/// Runs `script(chat)` in every chat, `workers` chats at a time. Within a chat each update is
/// queued only after the reply to the previous one; chats run concurrently. Stops by `deadline`.
pub async fn drive(
    fake: &Fake,
    chats: Arc<Vec<Chat>>,
    workers: usize,
    script: impl Fn(&Chat) -> Vec<Step> + Send + Sync + 'static,
    deadline: Duration,
) -> Outcome {
    let started = Instant::now();
    let stop_at = started + deadline;
    let report_slower_than = slow_threshold();
    let next_chat = Arc::new(AtomicUsize::new(0));
    let script = Arc::new(script);
    let tasks: Vec<_> = (0..workers.min(chats.len()))
        .map(|_| {
            let (fake, chats, next_chat, script) = (
                fake.clone(),
                chats.clone(),
                next_chat.clone(),
                script.clone(),
            );
            tokio::spawn(async move {
                let mut outcome = Outcome::default();
                while let Some(chat) = chats.get(next_chat.fetch_add(1, Ordering::Relaxed)) {
                    for step in script(chat) {
                        if !step.pause.is_zero() {
                            tokio::time::sleep(step.pause).await;
                        }
                        if Instant::now() >= stop_at {
                            return outcome;
                        }
                        let queued = Instant::now();
                        let reply = fake.push_text(chat.chat_id, chat.user_id, &step.text);
                        match tokio::time::timeout(REPLY_PATIENCE, reply).await {
                            Ok(Ok(reply)) if reply.text.starts_with(&step.reply_starts_with) => {
                                let latency = reply.at - queued;
                                outcome.latencies.push(latency);
                                if report_slower_than.is_some_and(|slow| latency > slow) {
                                    eprintln!(
                                        "  slow update: {:.3} ms, {:.6}–{:.6} s (CLOCK_MONOTONIC), {:?}",
                                        latency.as_secs_f64() * 1e3,
                                        monotonic_secs(queued),
                                        monotonic_secs(reply.at),
                                        step.text
                                    );
                                }
                            }
                            other => {
                                outcome.failed += 1;
                                if outcome.failures.len() < 3 {
                                    outcome.failures.push(format!(
                                        "chat {}: {:?} → {:?}",
                                        chat.chat_id,
                                        step.text,
                                        other.map(|r| r.map(|r| r.text))
                                    ));
                                }
                                // The chat is out of step with the script: leave it.
                                break;
                            }
                        }
                    }
                }
                outcome
            })
        })
        .collect();
    let mut total = Outcome::default();
    for task in tasks {
        let outcome = task.await.expect("a driver task");
        total.latencies.extend(outcome.latencies);
        total.failed += outcome.failed;
        total.failures.extend(outcome.failures);
    }
    total.elapsed = started.elapsed();
    total
}

/// `BENCH_SLOW_MS`: every update slower than this is printed, with its times on the clock
/// `perf record -k CLOCK_MONOTONIC` uses, so that its window can be looked up in a trace.
fn slow_threshold() -> Option<Duration> {
    let ms: f64 = std::env::var("BENCH_SLOW_MS").ok()?.parse().ok()?;
    Some(Duration::from_secs_f64(ms / 1e3))
}

/// `at` in seconds of `CLOCK_MONOTONIC` (which `Instant` reads on Linux, but does not expose).
fn monotonic_secs(at: Instant) -> f64 {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec to write to; CLOCK_MONOTONIC always exists on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
    let raw_now = now.tv_sec as f64 + now.tv_nsec as f64 * 1e-9;
    raw_now - at.elapsed().as_secs_f64()
}
