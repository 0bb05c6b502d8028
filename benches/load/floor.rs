//! Issue #26's floor: what verify-bot's CPU time costs against the echo bot's on the same fakes.
//!
//! - Work whose whole answer is one Bot API request (`/help`; a code typed with nothing open,
//!   which needs no Gateway call): CPU time per update against the echo bot's, which also makes
//!   one `sendMessage` per update. Each runs in a phase of its own ([`one_request`]), and the
//!   fake counts the requests it made.
//! - A full flow under load (the load phase): CPU time per flow against the HTTP floor, the echo
//!   bot's CPU time per update (one request) × the requests a flow makes at the fake.
//! - One chat alone: p99 against twice the echo bot's, plus 1 ms.

use std::sync::Arc;
use std::time::Duration;

use crate::drive::{Chat, Outcome, Step, drive};
use crate::fake::{Fake, Requests};
use crate::process::Bots;
use crate::{Figures, Kind, PHASE_DEADLINE, check};

/// Updates in each one-request phase (`BENCH_ONE_REQUEST`): as many as the load phase has.
pub const UPDATES: usize = 3000;
/// The target: verify-bot's CPU time at most this many times the echo bot's (per update of
/// one-request work) or the HTTP floor (per full flow).
pub const MAX_RATIO: f64 = 1.5;
/// How long after a phase's last reply a request it caused may still reach the fake (a right
/// code's removal of the buttons, say): the requests are counted this long after.
const STRAGGLERS: Duration = Duration::from_millis(100);
/// One chat alone: verify-bot's p99 may be twice the echo bot's plus this.
const ALONE_P99_SLACK: Duration = Duration::from_millis(1);

/// Work whose whole answer is one `sendMessage`: what staff type in their private chat, and how
/// verify-bot's answer begins (the echo bot echoes it).
pub struct Work {
    /// For the tables: `/help`.
    pub name: &'static str,
    pub text: &'static str,
    pub verify_reply: &'static str,
    /// The target's name on the `targets, issue #26` line.
    pub target: &'static str,
}

/// `/help` (an admin's: every staff member of the benchmark is in `ADMIN_IDS`), and a code
/// typed in a staff chat with no open verification (each chat's last flow ended verified): an
/// answer, no Gateway call.
pub const WORK: [Work; 2] = [
    Work {
        name: "/help",
        text: "/help",
        verify_reply: "<b>Confirm a customer",
        target: "CPU per update, /help ≤ 1.5× echo",
    },
    Work {
        name: "a code, nothing open",
        text: "123456",
        verify_reply: "No verification is open here, so I did not check",
        target: "CPU per update, a code with nothing open ≤ 1.5× echo",
    },
];

/// One phase of one-request work: its updates, the bot processes' CPU time over it (user +
/// system, as in the load phase), and the requests the fake received meanwhile.
#[derive(Default)]
pub struct OneRequest {
    pub outcome: Outcome,
    pub cpu: Duration,
    pub requests: Requests,
}

impl OneRequest {
    pub fn cpu_per_update(&self) -> Duration {
        self.cpu / self.outcome.answered().max(1) as u32
    }

    /// Requests besides `getUpdates` (the Bot API's and the Gateway's) per answered update.
    pub fn requests_per_update(&self) -> f64 {
        self.requests.besides_get_updates() as f64 / self.outcome.answered().max(1) as f64
    }

    /// Whether every update was answered and made exactly one request besides `getUpdates`:
    /// its `sendMessage`.
    pub fn one_each(&self) -> bool {
        let answered = self.outcome.answered() as u64;
        self.outcome.failed == 0
            && answered > 0
            && self.requests.besides_get_updates() == answered
            && self.requests.of("sendmessage") == answered
    }
}

/// `updates` of `work`, spread over the staff chats, all chats at once, each typing its next
/// only after the reply to the previous one (as in the load phase); first one unmeasured in
/// every chat.
pub async fn one_request(
    kind: Kind,
    work: &Work,
    fake: &Fake,
    bots: &Bots,
    staff: &Arc<Vec<Chat>>,
    updates: usize,
) -> OneRequest {
    let step = match kind {
        Kind::Echo => Step::new(work.text, work.text),
        Kind::VerifyBot => Step::new(work.text, work.verify_reply),
    };
    let per_chat = updates.div_ceil(staff.len().max(1));
    let steps = move |count: usize| {
        let step = step.clone();
        move |_: &Chat| vec![step.clone(); count]
    };
    let warm_up = drive(fake, staff.clone(), staff.len(), steps(1), PHASE_DEADLINE).await;
    check(&warm_up, &format!("{}: warm-up", work.name), bots);
    let requests_before = settled_requests(fake).await;
    let cpu_before = bots.cpu_time();
    let outcome = drive(
        fake,
        staff.clone(),
        staff.len(),
        steps(per_chat),
        PHASE_DEADLINE,
    )
    .await;
    let cpu = bots.cpu_time().saturating_sub(cpu_before);
    check(&outcome, work.name, bots);
    let requests = settled_requests(fake).await.since(&requests_before);
    OneRequest {
        outcome,
        cpu,
        requests,
    }
}

/// The requests the fake has received, once those of the replies just awaited have all come.
pub async fn settled_requests(fake: &Fake) -> Requests {
    tokio::time::sleep(STRAGGLERS).await;
    fake.requests()
}

/// `a` over `b`, e.g. verify-bot's CPU time over the echo bot's (infinite if `b` is zero).
pub fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

/// The bot processes' CPU time per update in the load phase.
pub fn load_cpu_per_update(f: &Figures) -> Duration {
    f.load_cpu / f.load.answered().max(1) as u32
}

/// Full flows in the load phase (3 updates each).
fn load_flows(f: &Figures) -> f64 {
    f.load.answered() as f64 / 3.0
}

/// The requests a full flow made in the load phase, at the fake: the Bot API's besides
/// `getUpdates`, and the Gateway's.
pub fn requests_per_flow(f: &Figures) -> f64 {
    f.load_requests.besides_get_updates() as f64 / load_flows(f).max(1e-9)
}

/// The bot processes' CPU time per full flow in the load phase.
pub fn cpu_per_flow(f: &Figures) -> Duration {
    f.load_cpu.div_f64(load_flows(f).max(1e-9))
}

/// The HTTP floor of `verify`'s flow: the echo bot's CPU time per update under load (one
/// request each) × the requests `verify`'s flow made.
pub fn http_floor(echo: &Figures, verify: &Figures) -> Duration {
    load_cpu_per_update(echo).mul_f64(requests_per_flow(verify))
}

/// verify-bot's CPU time per flow over the HTTP floor.
pub fn flow_ratio(echo: &Figures, verify: &Figures) -> f64 {
    ratio(cpu_per_flow(verify), http_floor(echo, verify))
}

/// verify-bot's CPU time per update of `WORK[i]` over the echo bot's (infinite if either was
/// not measured).
pub fn one_request_ratio(echo: &Figures, verify: &Figures, i: usize) -> f64 {
    match (echo.one_request.get(i), verify.one_request.get(i)) {
        (Some(e), Some(v)) => ratio(v.cpu_per_update(), e.cpu_per_update()),
        _ => f64::INFINITY,
    }
}

/// One chat alone: the p99 verify-bot may reach, twice the echo bot's plus 1 ms.
pub fn alone_p99_bound(echo: &Figures) -> Duration {
    echo.alone.percentile(99.0) * 2 + ALONE_P99_SLACK
}

/// Issue #26's targets that every verify-bot deployment is measured against, by the echo bot's
/// figures of the same run.
pub fn targets(echo: &Figures, verify: &Figures) -> Vec<(&'static str, bool)> {
    let mut targets: Vec<(&'static str, bool)> = WORK
        .iter()
        .enumerate()
        .map(|(i, work)| (work.target, one_request_ratio(echo, verify, i) <= MAX_RATIO))
        .collect();
    targets.extend([
        (
            "CPU per full flow ≤ 1.5× the HTTP floor",
            flow_ratio(echo, verify) <= MAX_RATIO,
        ),
        (
            "p99 for 1 chat alone ≤ 2 × echo's + 1 ms",
            verify.alone.percentile(99.0) <= alone_p99_bound(echo),
        ),
    ]);
    targets
}

/// `2.41×`.
pub fn times(ratio: f64) -> String {
    format!("{ratio:.2}×")
}

/// CPU time per update, finer than the tables' other times: `0.082 ms`.
pub fn cpu_ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

/// What each phase of one-request work sent, per update, for the lines under a table; and a
/// warning for every phase in which an update made other than exactly one request.
pub fn describe_requests(name: &str, f: &Figures) -> Vec<String> {
    let mut lines = Vec::new();
    for (work, phase) in WORK.iter().zip(&f.one_request) {
        let answered = phase.outcome.answered() as f64;
        lines.push(format!(
            "{name}, {}: {} updates answered, {} failed; requests per update besides getUpdates: \
             {:.2} ({})",
            work.name,
            phase.outcome.answered(),
            phase.outcome.failed,
            phase.requests_per_update(),
            phase.requests.describe_per(answered),
        ));
        if !phase.one_each() {
            lines.push(format!(
                "WARNING: {name}, {}: not exactly one sendMessage per update and nothing else",
                work.name
            ));
        }
    }
    lines.push(format!(
        "{name}, load: requests per full flow besides getUpdates: {:.2} ({})",
        requests_per_flow(f),
        f.load_requests.describe_per(load_flows(f)),
    ));
    lines
}
