//! `cargo bench --bench load`: verify-bot against a bare teloxide echo bot, on the same loopback
//! fakes, in one run. See BENCHMARKS.md for what is measured and how to read the table.
//!
//! Knobs (environment): `BENCH_CHATS` (200), `BENCH_FLOWS` per chat (5), `BENCH_OPEN` open
//! verifications to store (10000), `BENCH_COLD_STARTS` (5), `BENCH_SKIP_BUILD` (build first),
//! `BENCH_VERIFY_BOT` (another verify-bot binary, e.g. one with symbols for `perf`),
//! `BENCH_SMAPS` (print the largest memory mappings), `BENCH_SLOW_MS` (print slower updates),
//! `BENCH_FLOOD` `/verify` queued at once in one chat (150) and `BENCH_FLOOD_GATEWAY_MS`, the
//! Gateway's answer time meanwhile (1500).

mod drive;
mod fake;
mod process;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use drive::{Chat, Outcome, Step, drive, phone_numbers};
use fake::{BOT_TOKEN, Fake, GATEWAY_TOKEN, RIGHT_CODE, WRONG_CODE};
use process::Bot;

/// No phase of the benchmark may run longer than this.
const PHASE_DEADLINE: Duration = Duration::from_secs(300);
/// How long a bot is left alone before its idle (or settled) RSS is read.
const SETTLE: Duration = Duration::from_secs(1);
const MB: f64 = 1_000_000.0;
/// Flows in the one-chat latency phase: 3,000 updates, so that p99 rests on 30 updates and p99.9
/// on 3 (with 600, one slow commit more or less moved p99 by milliseconds).
const ALONE_FLOWS: usize = 1000;
/// Flood phase: `/status` in another chat, measured idle and then during the flood (p99 rests
/// on 3 probes: over 100, it was the second slowest and moved by milliseconds between runs).
const PROBES: usize = 300;
/// Unmeasured `/status` before the idle ones.
const PROBE_WARM_UP: usize = 10;
/// Between one probe's reply and the next probe, idle and during the flood alike: the probes
/// span ~6 s, so that several of the flooding chat's Gateway answers land among them.
const PROBE_GAP: Duration = Duration::from_millis(20);
/// How the reply to `/status` begins when nothing is open in the chat.
const STATUS_NONE: &str = "No verification is open here";
/// Flood phase: the staff member who floods (in their private chat) and the one who probes.
const FLOOD_USER: i64 = 300_001;
const PROBE_USER: i64 = 300_002;
/// The target: the other chat's p99 during the flood, over its p99 on the idle bot.
const FLOOD_ADDED_P99: Duration = Duration::from_millis(2);

struct Settings {
    chats: usize,
    flows: usize,
    open: usize,
    cold_starts: usize,
    /// `/verify` queued at once in one chat in the flood phase.
    flood: usize,
    /// How long the fake Gateway takes per `sendVerificationMessage` during the flood.
    flood_gateway: Duration,
}

impl Settings {
    fn from_env() -> Settings {
        let get = |name: &str, default: usize| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse().ok())
                .filter(|v| *v > 0)
                .unwrap_or(default)
        };
        Settings {
            chats: get("BENCH_CHATS", 200),
            flows: get("BENCH_FLOWS", 5),
            open: get("BENCH_OPEN", 10_000),
            cold_starts: get("BENCH_COLD_STARTS", 5),
            flood: get("BENCH_FLOOD", 150),
            flood_gateway: Duration::from_millis(get("BENCH_FLOOD_GATEWAY_MS", 1500) as u64),
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Echo,
    VerifyBot,
}

/// One bot's figures.
#[derive(Default)]
struct Figures {
    cold_starts: Vec<Duration>,
    idle_rss: u64,
    /// One chat alone, before the load.
    alone: Outcome,
    load: Outcome,
    load_cpu: Duration,
    load_peak_rss: u64,
    /// After one `/verify` in each of `BENCH_OPEN` new group chats (verify-bot: open verifications).
    stored: Stored,
    /// verify-bot only: another chat's latency while one chat floods a slow Gateway.
    flood: Option<Flood>,
    binary_size: u64,
}

/// One chat queues `/verify` after `/verify` at a slow Gateway; another chat's `/status`,
/// one at a time, on the idle bot and then during that flood (on a bot of its own).
struct Flood {
    idle: Outcome,
    during: Outcome,
    /// Of the flood's `/verify`: answered, and sent to the Gateway, by the last probe's reply.
    answered: u64,
    gateway_sends: u64,
}

impl Flood {
    /// Every probe answered, and p99 during the flood within the target of p99 idle.
    fn met(&self) -> bool {
        let all = |o: &Outcome| o.answered() == PROBES && o.failed == 0;
        all(&self.idle)
            && all(&self.during)
            && self.during.percentile(99.0) <= self.idle.percentile(99.0) + FLOOD_ADDED_P99
    }
}

#[derive(Default)]
struct Stored {
    outcome: Outcome,
    rss: u64,
    peak_rss: u64,
    open_in_db: i64,
    db_bytes: u64,
    /// Restarted on that database: idle, then after one more flow in every staff chat.
    restarted_idle_rss: u64,
    restarted_load_rss: u64,
}

/// Everything one bot run needs: its binary, a scratch directory and its environment.
struct Setup {
    kind: Kind,
    binary: PathBuf,
    admin_ids: String,
}

impl Setup {
    /// Starts the bot against a new fake with a fresh database; returns the bot, the fake and
    /// its scratch directory (which holds the database and the log).
    async fn launch(&self) -> (Bot, Fake, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("a scratch directory");
        let (bot, fake) = self.launch_in(dir.path()).await;
        (bot, fake, dir)
    }

    /// Starts the bot against a new fake, with the database (and log) in `dir`.
    async fn launch_in(&self, dir: &Path) -> (Bot, Fake) {
        let fake = Fake::start().await;
        let mut env = vec![
            ("TELOXIDE_TOKEN".to_owned(), BOT_TOKEN.to_owned()),
            ("TELOXIDE_API_URL".to_owned(), fake.bot_api_url()),
            ("RUST_LOG".to_owned(), "warn".to_owned()),
        ];
        if self.kind == Kind::VerifyBot {
            env.extend([
                ("GATEWAY_TOKEN".to_owned(), GATEWAY_TOKEN.to_owned()),
                ("GATEWAY_API_URL".to_owned(), fake.gateway_url()),
                ("DATABASE_URL".to_owned(), database_url(dir)),
                ("ADMIN_IDS".to_owned(), self.admin_ids.clone()),
                // A free loopback port for the HTTP server; no spending limits (1,000 codes per
                // number per second is the loosest the bot allows: one chat alone sends ~300 a
                // second) and no delivery polling, so that the benchmark measures the flow itself.
                ("HTTP_ADDR".to_owned(), "127.0.0.1:0".to_owned()),
                ("PHONE_SEND_LIMIT".to_owned(), "1000".to_owned()),
                ("PHONE_SEND_WINDOW".to_owned(), "1".to_owned()),
                ("RESEND_COOLDOWN".to_owned(), "0".to_owned()),
                ("STAFF_DAILY_LIMIT".to_owned(), "0".to_owned()),
                ("DAILY_BUDGET".to_owned(), "0".to_owned()),
                ("STATUS_POLL_SECS".to_owned(), "3600".to_owned()),
            ]);
        }
        let log = dir.join(format!(
            "bot-{}.log",
            fake.bot_api_url().replace([':', '/'], "")
        ));
        let bot = Bot::spawn(&self.binary, &env, dir, log);
        (bot, fake)
    }

    /// The script of one chat: `flows` full flows. The echo bot gets the same texts.
    fn script(&self, flows: usize) -> impl Fn(&Chat) -> Vec<Step> + Send + Sync + 'static {
        let kind = self.kind;
        move |chat: &Chat| {
            let flow = [
                (format!("/verify {}", chat.phone), "📨"),
                (WRONG_CODE.to_owned(), "❌"),
                (RIGHT_CODE.to_owned(), "✅"),
            ];
            let steps = flow.map(|(text, verdict)| match kind {
                Kind::Echo => Step::new(text.clone(), text),
                Kind::VerifyBot => Step::new(text, verdict),
            });
            steps.iter().cycle().take(3 * flows).cloned().collect()
        }
    }
}

fn database_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("verify-bot.db").display())
}

#[tokio::main]
async fn main() {
    let settings = Settings::from_env();
    let release = process::build_release();
    // Whatever an earlier run (or the build) left to write back to disk is written now, not
    // while this run's commits wait on their fsyncs.
    // SAFETY: sync(2) takes no arguments and cannot fail.
    unsafe { libc::sync() };
    let phones = phone_numbers(settings.chats + settings.open);
    let staff: Vec<Chat> = (0..settings.chats)
        .map(|i| Chat {
            chat_id: 100_000 + i as i64,
            user_id: 100_000 + i as i64,
            phone: phones[i].clone(),
        })
        .collect();
    // The open verifications: one group chat each, with the staff members taking turns.
    let groups: Vec<Chat> = (0..settings.open)
        .map(|i| Chat {
            chat_id: -1_000_000_000_000 - i as i64,
            user_id: staff[i % staff.len()].user_id,
            phone: phones[settings.chats + i].clone(),
        })
        .collect();
    let admin_ids = staff
        .iter()
        .map(|c| c.user_id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let (staff, groups) = (Arc::new(staff), Arc::new(groups));

    let echo = Setup {
        kind: Kind::Echo,
        binary: release.join("examples").join("echo_bot"),
        admin_ids: String::new(),
    };
    let verify = Setup {
        kind: Kind::VerifyBot,
        // BENCH_VERIFY_BOT: another build of the bot, e.g. one with symbols for `perf`.
        binary: std::env::var_os("BENCH_VERIFY_BOT")
            .map(PathBuf::from)
            .unwrap_or_else(|| release.join("verify-bot")),
        admin_ids,
    };
    eprintln!("measuring the echo bot…");
    let echo_figures = measure(&echo, &settings, &staff, &groups).await;
    eprintln!("measuring verify-bot…");
    let verify_figures = measure(&verify, &settings, &staff, &groups).await;
    let image = process::image_size();
    report(&settings, &echo_figures, &verify_figures, image);
}

async fn measure(
    setup: &Setup,
    settings: &Settings,
    staff: &Arc<Vec<Chat>>,
    groups: &Arc<Vec<Chat>>,
) -> Figures {
    let mut figures = Figures {
        binary_size: process::file_size(&setup.binary),
        ..Figures::default()
    };
    for _ in 0..settings.cold_starts {
        let (mut bot, fake, _dir) = setup.launch().await;
        figures.cold_starts.push(bot.cold_start(&fake).await);
        bot.stop().await;
    }

    let (mut bot, fake, dir) = setup.launch().await;
    figures.cold_starts.push(bot.cold_start(&fake).await);
    eprintln!("  {} is running as pid {}", setup.binary.display(), bot.pid);
    figures.idle_rss = settled_rss(&bot).await;
    one_flow_each(setup, &fake, staff, &bot, "warm-up").await;
    // One chat alone: the bot's own time per update, without queueing behind other chats.
    let alone = Arc::new(vec![staff[0].clone()]);
    figures.alone = drive(&fake, alone, 1, setup.script(ALONE_FLOWS), PHASE_DEADLINE).await;
    check(&figures.alone, "one chat alone", &bot);
    let cpu_before = bot.cpu_time();
    figures.load = drive(
        &fake,
        staff.clone(),
        staff.len(),
        setup.script(settings.flows),
        PHASE_DEADLINE,
    )
    .await;
    figures.load_cpu = bot.cpu_time().saturating_sub(cpu_before);
    figures.load_peak_rss = bot.rss().1;
    check(&figures.load, "load", &bot);

    // verify-bot: one open verification per group chat. The echo bot gets the same messages,
    // which shows what the framework itself keeps for that many chats.
    let kind = setup.kind;
    let send_only = move |chat: &Chat| {
        let text = format!("/verify {}", chat.phone);
        let reply = match kind {
            Kind::Echo => text.clone(),
            Kind::VerifyBot => "📨".to_owned(),
        };
        vec![Step::new(text, reply)]
    };
    let outcome = drive(
        &fake,
        groups.clone(),
        staff.len(),
        send_only,
        PHASE_DEADLINE,
    )
    .await;
    check(&outcome, "new chats", &bot);
    tokio::time::sleep(SETTLE).await;
    let (rss, peak_rss) = bot.rss();
    if std::env::var_os("BENCH_SMAPS").is_some() {
        process::print_largest_mappings(bot.pid);
    }
    bot.stop().await;
    figures.stored = Stored {
        outcome,
        rss,
        peak_rss,
        db_bytes: database_bytes(dir.path()),
        ..Stored::default()
    };
    if kind == Kind::VerifyBot {
        let stored = &mut figures.stored;
        stored.open_in_db = count_open(dir.path()).await;
        // What the open verifications themselves cost, apart from the high-water mark of the
        // concurrency that created them: a fresh process on the same database.
        let (mut bot, fake) = setup.launch_in(dir.path()).await;
        bot.cold_start(&fake).await;
        stored.restarted_idle_rss = settled_rss(&bot).await;
        one_flow_each(setup, &fake, staff, &bot, "after a restart").await;
        stored.restarted_load_rss = settled_rss(&bot).await;
        bot.stop().await;
    }
    print_counters("fake", &fake);
    if kind == Kind::VerifyBot {
        figures.flood = Some(flood(setup, settings).await);
    }
    figures
}

fn print_counters(name: &str, fake: &Fake) {
    let counters = fake.counters();
    eprintln!(
        "  {name} saw: {} getUpdates, {} sendMessage ({} unexpected), {} other Bot API calls, \
         {} Gateway sends, {} Gateway checks",
        counters.get_updates.load(Ordering::Relaxed),
        counters.send_message.load(Ordering::Relaxed),
        counters.unexpected_replies.load(Ordering::Relaxed),
        counters.other_bot_calls.load(Ordering::Relaxed),
        counters.gateway_sends.load(Ordering::Relaxed),
        counters.gateway_checks.load(Ordering::Relaxed),
    );
}

/// verify-bot, on a bot, fake and database of its own (the flood's open verifications and its
/// slow Gateway touch no other phase): `/status` in one chat, `PROBES` times one at a time,
/// on the idle bot; then one other chat queues `settings.flood` `/verify` for as many numbers
/// at once while the Gateway takes `settings.flood_gateway` per send, and the same `/status`
/// probes run again. The bot is stopped once they are done, with the flood still being worked
/// through (it would take `flood × flood_gateway`): nothing waits for it.
async fn flood(setup: &Setup, settings: &Settings) -> Flood {
    let flood_setup = Setup {
        kind: Kind::VerifyBot,
        binary: setup.binary.clone(),
        admin_ids: format!("{FLOOD_USER},{PROBE_USER}"),
    };
    let (mut bot, fake, _dir) = flood_setup.launch().await;
    bot.cold_start(&fake).await;
    let prober = Arc::new(vec![Chat {
        chat_id: PROBE_USER,
        user_id: PROBE_USER,
        phone: String::new(),
    }]);
    // The first probe at once (during the flood: right behind it in the update queue), the
    // others `PROBE_GAP` after the previous reply.
    let probes = |count: usize| {
        move |_: &Chat| {
            let probe = Step::new("/status", STATUS_NONE);
            let mut steps = vec![probe.clone().after(PROBE_GAP); count];
            steps[0] = probe;
            steps
        }
    };
    let warm_up = drive(
        &fake,
        prober.clone(),
        1,
        probes(PROBE_WARM_UP),
        PHASE_DEADLINE,
    )
    .await;
    check(&warm_up, "flood: warm-up", &bot);
    // And one `/verify` from the flooding chat, at a fast Gateway, so that the flood meets a
    // warm bot: the first `/verify` of a process does one-time work (libphonenumber's metadata,
    // the Gateway client's first connection, statements prepared for the first time), which
    // held up the first probe behind the flood by 2–16 ms in trials (1–2.3 ms once warm).
    let mut numbers = phone_numbers(settings.flood + 1);
    let flooder = Arc::new(vec![Chat {
        chat_id: FLOOD_USER,
        user_id: FLOOD_USER,
        phone: numbers.pop().expect("one number more than the flood"),
    }]);
    let first_verify = move |chat: &Chat| vec![Step::new(format!("/verify {}", chat.phone), "📨")];
    let warm_up = drive(&fake, flooder, 1, first_verify, PHASE_DEADLINE).await;
    check(&warm_up, "flood: warm-up /verify", &bot);
    let idle = drive(&fake, prober.clone(), 1, probes(PROBES), PHASE_DEADLINE).await;
    check(&idle, "flood: idle", &bot);

    fake.set_gateway_delay(settings.flood_gateway);
    let verifies: Vec<String> = numbers
        .iter()
        .map(|phone| format!("/verify {phone}"))
        .collect();
    let sends_before = fake.counters().gateway_sends.load(Ordering::Relaxed);
    fake.push_texts(FLOOD_USER, FLOOD_USER, &verifies);
    // Nothing else is answered without a waiter, so these are the flood's replies.
    let flood_replies = &fake.counters().unexpected_replies;
    let during = drive(&fake, prober, 1, probes(PROBES), PHASE_DEADLINE).await;
    let answered = flood_replies.load(Ordering::Relaxed);
    let gateway_sends = fake.counters().gateway_sends.load(Ordering::Relaxed) - sends_before;
    if during.failed > 0 {
        eprintln!(
            "  flood: {} probe(s) failed, e.g. {:?}",
            during.failed, during.failures
        );
    }
    bot.stop().await;
    print_counters("flood fake", &fake);
    Flood {
        idle,
        during,
        answered,
        gateway_sends,
    }
}

/// The resident set once the bot has been left alone for a moment.
async fn settled_rss(bot: &Bot) -> u64 {
    tokio::time::sleep(SETTLE).await;
    bot.rss().0
}

/// One full flow in every staff chat, not measured (a warm-up).
async fn one_flow_each(setup: &Setup, fake: &Fake, staff: &Arc<Vec<Chat>>, bot: &Bot, phase: &str) {
    let outcome = drive(
        fake,
        staff.clone(),
        staff.len(),
        setup.script(1),
        PHASE_DEADLINE,
    )
    .await;
    check(&outcome, phase, bot);
}

/// Stops the benchmark if a phase had no answer at all; reports partial failures.
fn check(outcome: &Outcome, phase: &str, bot: &Bot) {
    if outcome.failed > 0 {
        eprintln!(
            "  {phase}: {} update(s) failed, e.g. {:?}",
            outcome.failed, outcome.failures
        );
    }
    assert!(
        outcome.answered() > 0,
        "{phase}: the bot answered nothing. Its log:\n{}",
        bot.logs()
    );
}

async fn count_open(dir: &Path) -> i64 {
    let pool = sqlx::SqlitePool::connect(&database_url(dir))
        .await
        .expect("the benchmark database opens");
    let open = sqlx::query_scalar("SELECT COUNT(*) FROM verifications WHERE status = 'pending'")
        .fetch_one(&pool)
        .await
        .expect("open verifications can be counted");
    pool.close().await;
    open
}

/// The database with its WAL and shared-memory files.
fn database_bytes(dir: &Path) -> u64 {
    ["verify-bot.db", "verify-bot.db-wal", "verify-bot.db-shm"]
        .iter()
        .filter_map(|name| std::fs::metadata(dir.join(name)).ok())
        .map(|m| m.len())
        .sum()
}

fn median(values: &[Duration]) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / MB)
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

fn report(settings: &Settings, echo: &Figures, verify: &Figures, image: Result<u64, String>) {
    let updates = 3 * settings.flows * settings.chats;
    let throughput_ratio = verify.load.updates_per_second() / echo.load.updates_per_second();
    let p50_added =
        verify.load.percentile(50.0).as_secs_f64() - echo.load.percentile(50.0).as_secs_f64();
    let p99_added =
        verify.load.percentile(99.0).as_secs_f64() - echo.load.percentile(99.0).as_secs_f64();
    let alone_p99_added =
        verify.alone.percentile(99.0).as_secs_f64() - echo.alone.percentile(99.0).as_secs_f64();
    let cpu_per_update = |f: &Figures| f.load_cpu / f.load.answered().max(1) as u32;
    let cold = |f: &Figures| {
        let min = f.cold_starts.iter().min().copied().unwrap_or_default();
        let max = f.cold_starts.iter().max().copied().unwrap_or_default();
        format!(
            "{} ({:.0}–{:.0})",
            ms(median(&f.cold_starts)),
            min.as_secs_f64() * 1e3,
            max.as_secs_f64() * 1e3
        )
    };
    let signed_ms = |s: f64| format!("{:+.2} ms", s * 1e3);

    let mut rows: Vec<[String; 5]> = Vec::new();
    let mut row = |label: &str, e: String, v: String, cmp: String, target: &str| {
        rows.push([label.to_owned(), e, v, cmp, target.to_owned()]);
    };
    row(
        "",
        "echo_bot".into(),
        "verify-bot".into(),
        "verify/echo".into(),
        "target",
    );
    row(
        "updates/s",
        format!("{:.0}", echo.load.updates_per_second()),
        format!("{:.0}", verify.load.updates_per_second()),
        format!("{:.1} %", throughput_ratio * 100.0),
        "≥ 80 %",
    );
    row(
        "full flows/s (3 updates each)",
        format!("{:.0}", echo.load.updates_per_second() / 3.0),
        format!("{:.0}", verify.load.updates_per_second() / 3.0),
        String::new(),
        "",
    );
    for (p, added, target) in [(50, p50_added, ""), (99, p99_added, "≤ +2 ms")] {
        row(
            &format!("reply latency p{p}, {} chats", settings.chats),
            ms(echo.load.percentile(f64::from(p))),
            ms(verify.load.percentile(f64::from(p))),
            signed_ms(added),
            target,
        );
    }
    for p in [50.0, 99.0, 99.9] {
        let (e, v) = (echo.alone.percentile(p), verify.alone.percentile(p));
        row(
            &format!("reply latency p{p}, 1 chat alone"),
            ms(e),
            ms(v),
            signed_ms(v.as_secs_f64() - e.as_secs_f64()),
            if p == 99.0 { "≤ +2 ms" } else { "" },
        );
    }
    row(
        "CPU time per update",
        ms(cpu_per_update(echo)),
        ms(cpu_per_update(verify)),
        String::new(),
        "",
    );
    row(
        "RSS idle",
        mb(echo.idle_rss),
        mb(verify.idle_rss),
        String::new(),
        "≤ 20 MB",
    );
    row(
        "RSS peak under load",
        mb(echo.load_peak_rss),
        mb(verify.load_peak_rss),
        String::new(),
        "",
    );
    let after_chats =
        |f: &Figures| format!("{} (peak {})", mb(f.stored.rss), mb(f.stored.peak_rss));
    row(
        &format!("RSS after /verify in {} new chats", settings.open),
        after_chats(echo),
        after_chats(verify),
        String::new(),
        "≤ 50 MB",
    );
    row(
        "  same db, restarted: idle / after 1 flow per chat",
        "—".into(),
        format!(
            "{} / {}",
            mb(verify.stored.restarted_idle_rss),
            mb(verify.stored.restarted_load_rss)
        ),
        String::new(),
        "",
    );
    if let Some(flood) = &verify.flood {
        let (idle, during) = (&flood.idle, &flood.during);
        let complete = |o: &Outcome| o.answered() == PROBES && o.failed == 0;
        // A probe that got no reply ends its run: its percentiles would only describe the
        // probes before it.
        let shown = |o: &Outcome, p: f64| {
            if complete(o) {
                ms(o.percentile(p))
            } else {
                format!("{} of {PROBES} answered", o.answered())
            }
        };
        for (name, p) in [("p50", 50.0), ("p99", 99.0), ("max", 100.0)] {
            let (i, d) = (idle.percentile(p), during.percentile(p));
            row(
                &format!("other chat's /status {name}, idle → 1 chat flooding"),
                "n/a".into(),
                format!("{} → {}", shown(idle, p), shown(during, p)),
                if complete(idle) && complete(during) {
                    signed_ms(d.as_secs_f64() - i.as_secs_f64())
                } else {
                    String::new()
                },
                if p == 99.0 { "≤ +2 ms" } else { "" },
            );
        }
        row(
            "  flood's /verify answered by the last probe",
            "n/a".into(),
            format!(
                "{} of {} ({} at the Gateway)",
                flood.answered, settings.flood, flood.gateway_sends
            ),
            String::new(),
            "",
        );
    }
    row(
        &format!("cold start, median of {} (min–max)", echo.cold_starts.len()),
        cold(echo),
        cold(verify),
        String::new(),
        "≤ 150 ms",
    );
    row(
        "release binary",
        mb(echo.binary_size),
        mb(verify.binary_size),
        String::new(),
        "≤ 15 MB",
    );
    row(
        "container image",
        "—".into(),
        image
            .as_ref()
            .map_or_else(|_| "not built".into(), |size| mb(*size)),
        String::new(),
        "≤ 40 MB",
    );

    let widths: Vec<usize> = (0..5)
        .map(|col| {
            rows.iter()
                .map(|r| r[col].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    println!();
    println!(
        "verify-bot vs a bare teloxide echo bot — {} chats × {} flows (/verify → wrong code → right code) \
         = {updates} updates per bot (and {} alone in 1 chat), loopback fakes, RUST_LOG=warn",
        settings.chats,
        settings.flows,
        3 * ALONE_FLOWS
    );
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (cell, w))| {
                let pad = w - cell.chars().count();
                if i == 0 {
                    format!("{cell}{}", " ".repeat(pad))
                } else {
                    format!("{}{cell}", " ".repeat(pad))
                }
            })
            .collect();
        println!("{}", line.join("   ").trim_end());
    }

    println!();
    let targets = [
        ("throughput ≥ 80 % of echo", throughput_ratio >= 0.8),
        ("added p99 ≤ 2 ms under load", p99_added <= 0.002),
        (
            "added p99 ≤ 2 ms for 1 chat alone",
            alone_p99_added <= 0.002,
        ),
        ("RSS idle ≤ 20 MB", verify.idle_rss as f64 <= 20.0 * MB),
        (
            "RSS with open verifications ≤ 50 MB",
            verify.stored.rss as f64 <= 50.0 * MB,
        ),
        (
            "cold start ≤ 150 ms",
            median(&verify.cold_starts) <= Duration::from_millis(150),
        ),
        ("binary ≤ 15 MB", verify.binary_size as f64 <= 15.0 * MB),
        (
            "other chat's added p99 ≤ 2 ms while 1 chat floods",
            verify.flood.as_ref().is_some_and(Flood::met),
        ),
    ];
    let summary: Vec<String> = targets
        .iter()
        .map(|(name, met)| format!("{name}: {}", verdict(*met)))
        .collect();
    println!("targets: {}", summary.join("; "));
    match &image {
        Ok(size) => println!("image ≤ 40 MB: {}", verdict(*size as f64 <= 40.0 * MB)),
        Err(why) => println!("image: not measured ({why})"),
    }
    let s = &verify.stored;
    println!(
        "new chats: verify-bot stored {} open verifications ({} in the database, {} with WAL) at \
         {:.0} /verify per second, p99 {}; the echo bot answered the same {} messages at {:.0}/s",
        s.outcome.answered(),
        s.open_in_db,
        mb(s.db_bytes),
        s.outcome.updates_per_second(),
        ms(s.outcome.percentile(99.0)),
        echo.stored.outcome.answered(),
        echo.stored.outcome.updates_per_second(),
    );
    if let Some(flood) = &verify.flood {
        for (phase, o) in [("idle", &flood.idle), ("during the flood", &flood.during)] {
            if o.failed > 0 {
                println!(
                    "flood: other chat's /status {phase}: {} answered, then no reply within {} s: \
                     {:?}",
                    o.answered(),
                    drive::REPLY_PATIENCE.as_secs(),
                    o.failures
                );
            }
        }
    }
    for (name, f) in [("echo_bot", echo), ("verify-bot", verify)] {
        if f.load.failed + f.stored.outcome.failed > 0 {
            println!(
                "{name}: {} updates failed under load, {} in new chats: {:?}",
                f.load.failed,
                f.stored.outcome.failed,
                [&f.load.failures, &f.stored.outcome.failures]
            );
        }
    }
    println!(
        "flood: 1 chat queues {} /verify (distinct numbers) at once while the Gateway takes {} ms \
         per send; another chat sends /status {PROBES} times, one at a time ({} ms apart), on \
         the idle bot and then right after the flood is queued; verify-bot only, on a bot and \
         database of its own",
        settings.flood,
        settings.flood_gateway.as_millis(),
        PROBE_GAP.as_millis(),
    );
    println!(
        "latency: from the update entering the fake's getUpdates queue to the bot's sendMessage \
         reaching the fake; MB = 10^6 bytes; cold start = process spawn to first getUpdates \
         (verify-bot on a fresh database)"
    );
}
