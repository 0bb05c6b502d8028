//! `cargo bench --bench history` (issue #25): what a long history costs. For each size (1k,
//! 10k, 100k and 1M verifications by default), a fresh SQLite database whose schema the
//! release binary made, seeded with SQL with that many verifications over the last 30 days;
//! then the release binary on it, against the lean fakes of `benches/load/`, measured through
//! its public surfaces only (chat commands through the fake Bot API, the admin panel's HTTP
//! API): `/verify` and a typed code (beside the same on an empty database), `/stats`, the
//! panel's overview, `/history`, and `/export` with the memory it takes, the files it uploads
//! and another chat's `/status` meanwhile. Every figure is printed beside its target from the
//! issue, met or missed. See BENCHMARKS.md ("History") for what each figure means.
//!
//! Knobs (environment): `BENCH_SIZES` (`1k,10k,100k,1M`), `BENCH_FLOWS` (300 flows in one chat
//! per size), `BENCH_REPEATS` (5 runs of `/stats`, the overview and `/history`; the median is
//! printed), `BENCH_PROBES` (200 `/status` on the idle bot before the export),
//! `BENCH_EXPORT_SECS` (600: how long an export may take), `BENCH_TIME_ZONE`
//! (`Europe/Berlin`), `BENCH_SKIP_BUILD` and `BENCH_VERIFY_BOT` (as in the load bench).

#[path = "../load/drive.rs"]
#[allow(dead_code)]
mod drive;
#[path = "../load/fake.rs"]
#[allow(dead_code)]
mod fake;
#[path = "../../tests/it/common/init_data.rs"]
mod init_data;
mod panel;
#[path = "../load/process.rs"]
#[allow(dead_code)]
mod process;
mod seed;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::Instant;

use drive::{Chat, Step, drive, phone_numbers};
use fake::{BOT_TOKEN, Fake, GATEWAY_TOKEN, RIGHT_CODE, Sent};
use process::Bot;
use seed::ADMIN;

const MB: f64 = 1_000_000.0;
/// Telegram's limit on a file a bot uploads ("up to 50 MB"), taken as 50,000,000 bytes.
const UPLOAD_LIMIT: u64 = 50_000_000;
/// The targets.
const VERIFY_ADDED_P50: Duration = Duration::from_millis(1);
const STATS_TARGET: Duration = Duration::from_millis(300);
const HISTORY_TARGET: Duration = Duration::from_millis(50);
const EXPORT_RSS_TARGET: u64 = 10_000_000;
/// An export longer than this shows its progress in the chat ("more than a couple of seconds").
const PROGRESS_AFTER: Duration = Duration::from_secs(2);
/// Another chat during the export: its p99 within this of its p99 on the idle bot (the issue
/// asks that other chats be answered meanwhile; 2 ms is the load bench's flood target).
const PROBE_ADDED_P99: Duration = Duration::from_millis(2);
/// The staff member who probes with `/status`, in their private chat (an admin, as `ADMIN`).
const PROBE_USER: i64 = 100_002;
const PROBE_GAP: Duration = Duration::from_millis(20);
const PROBE_WARM_UP: usize = 10;
const STATUS_NONE: &str = "No verification is open here";
/// After an export's last document, how long the benchmark waits for more of it (another
/// document, an edit of its progress message) before it counts the export as done.
const QUIET: Duration = Duration::from_secs(5);
/// How long seeding one size may take (1M verifications: ~15 s on a busy 2-core machine).
const SEED_PATIENCE: Duration = Duration::from_secs(600);
/// Before an export's first document: how long without a sign of it (a message, an edit)
/// before the benchmark gives up (an apology, say).
const STALL: Duration = Duration::from_secs(60);
/// How long `/stats` or `/history` may take.
const ASK_PATIENCE: Duration = Duration::from_secs(120);
/// How long a bot is left alone before its idle RSS is read.
const SETTLE: Duration = Duration::from_secs(1);
/// How long the 300 flows may take.
const FLOWS_DEADLINE: Duration = Duration::from_secs(300);

struct Settings {
    sizes: Vec<u64>,
    flows: usize,
    repeats: usize,
    probes: usize,
    export_patience: Duration,
    time_zone: String,
}

impl Settings {
    fn from_env() -> Settings {
        let get = |name: &str, default: usize| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.trim().parse().ok())
                .filter(|v| *v > 0)
                .unwrap_or(default)
        };
        let sizes = std::env::var("BENCH_SIZES").unwrap_or_else(|_| "1k,10k,100k,1M".into());
        let sizes: Vec<u64> = sizes
            .split(',')
            .map(|size| {
                parse_size(size).unwrap_or_else(|| {
                    panic!("BENCH_SIZES: {size:?} is not a count such as 1000, 10k or 1M")
                })
            })
            .collect();
        Settings {
            sizes,
            flows: get("BENCH_FLOWS", 300),
            repeats: get("BENCH_REPEATS", 5),
            probes: get("BENCH_PROBES", 200),
            export_patience: Duration::from_secs(get("BENCH_EXPORT_SECS", 600) as u64),
            time_zone: std::env::var("BENCH_TIME_ZONE").unwrap_or_else(|_| "Europe/Berlin".into()),
        }
    }
}

/// `1000`, `10k`, `1M`.
fn parse_size(raw: &str) -> Option<u64> {
    let raw = raw.trim();
    let (digits, factor) = match raw.char_indices().last()? {
        (at, 'k' | 'K') => (&raw[..at], 1_000),
        (at, 'm' | 'M') => (&raw[..at], 1_000_000),
        _ => (raw, 1),
    };
    digits
        .parse::<u64>()
        .ok()
        .map(|n| n * factor)
        .filter(|n| *n > 0)
}

/// `1k`, `1M`, `1500`.
fn size_label(size: u64) -> String {
    match size {
        0 => "empty".into(),
        n if n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

/// Everything measured at one size (0: the empty database).
#[derive(Default)]
struct Figures {
    size: u64,
    /// Seeding: how long, and the audit rows written with the verifications.
    seeded: Option<seed::Seeded>,
    db_bytes: u64,
    start: Duration,
    idle_rss: u64,
    /// Per flow: `/verify`, then the right code.
    verify: Vec<Duration>,
    code: Vec<Duration>,
    flow_failures: Vec<String>,
    stats: Asked,
    overview: Asked,
    history: Asked,
    export: Option<Export>,
}

/// A few runs of one request, one at a time.
#[derive(Default)]
struct Asked {
    times: Vec<Duration>,
    failures: Vec<String>,
}

impl Asked {
    fn median(&self) -> Option<Duration> {
        let mut sorted = self.times.clone();
        sorted.sort_unstable();
        sorted.get(sorted.len().saturating_sub(1) / 2).copied()
    }
}

/// One `/export` (30 days, the default), with another chat's `/status` meanwhile.
struct Export {
    /// From `/export` queued to the last document's upload complete; or why there was none.
    last_document: Result<Duration, String>,
    /// `(file name, bytes)` of each document, in order.
    files: Vec<(String, u64)>,
    /// Messages before the first document, and edits of messages, during the export.
    messages_before: usize,
    edits: usize,
    idle_rss: u64,
    /// `VmHWM` after the export, reset to the idle RSS before it when the kernel allows
    /// (`/proc/<pid>/clear_refs`); else the peak since start (`hwm_reset` false).
    peak_rss: Option<u64>,
    hwm_reset: bool,
    probes_idle: Vec<Option<Duration>>,
    probes_during: Vec<Option<Duration>>,
}

impl Export {
    fn growth(&self) -> Option<u64> {
        self.peak_rss.map(|peak| peak.saturating_sub(self.idle_rss))
    }
}

#[tokio::main]
async fn main() {
    let wall = Instant::now();
    let settings = Settings::from_env();
    let release = process::build_release_of(&[["--bin", "verify-bot"]]);
    let binary = std::env::var_os("BENCH_VERIFY_BOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| release.join("verify-bot"));
    // SAFETY: sync(2) takes no arguments and cannot fail.
    unsafe { libc::sync() };
    let phones = Arc::new(phone_numbers(settings.flows));
    let mut columns = Vec::new();
    for size in std::iter::once(0).chain(settings.sizes.iter().copied()) {
        eprintln!("{}: …", size_label(size));
        let figures = run_size(&settings, &binary, size, &phones).await;
        eprintln!("{}", summary(&figures));
        columns.push(figures);
    }
    report(&settings, &columns, wall.elapsed());
}

/// The bot's environment: the fakes, the database, the panel (`PUBLIC_URL`, `HTTP_ADDR`),
/// `TIME_ZONE`, and the limits counted but loose enough that the seeded day never refuses a send
/// (a staff member's day and the budget are summed on every `/verify` only when they are set).
fn environment(fake: &Fake, database_url: &str, http_port: u16, tz: &str) -> Vec<(String, String)> {
    [
        ("TELOXIDE_TOKEN", BOT_TOKEN.to_owned()),
        ("TELOXIDE_API_URL", fake.bot_api_url()),
        ("RUST_LOG", "warn".to_owned()),
        ("GATEWAY_TOKEN", GATEWAY_TOKEN.to_owned()),
        ("GATEWAY_API_URL", fake.gateway_url()),
        ("DATABASE_URL", database_url.to_owned()),
        ("ADMIN_IDS", format!("{ADMIN},{PROBE_USER}")),
        ("HTTP_ADDR", format!("127.0.0.1:{http_port}")),
        ("PUBLIC_URL", panel::PUBLIC_URL.to_owned()),
        ("TIME_ZONE", tz.to_owned()),
        ("STAFF_DAILY_LIMIT", "1000000".to_owned()),
        ("DAILY_BUDGET", "1000000".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// A loopback port nothing listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .expect("a free loopback port")
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default()
}

async fn run_size(
    settings: &Settings,
    binary: &Path,
    size: u64,
    phones: &Arc<Vec<String>>,
) -> Figures {
    let mut figures = Figures {
        size,
        ..Figures::default()
    };
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).expect("a scratch directory");
    let db_path = dir.path().join("verify-bot.db");
    let url = format!("sqlite://{}", db_path.display());
    let log = |name: &str| dir.path().join(format!("{name}.log"));

    // The schema, as the binary's migrations make it: started once on the empty file, stopped.
    {
        let fake = Fake::start().await;
        let env = environment(&fake, &url, free_port(), &settings.time_zone);
        let mut bot = Bot::spawn(binary, &env, dir.path(), log("migrate"));
        bot.cold_start(&fake).await;
        bot.stop().await;
    }
    if size > 0 {
        let seeded = tokio::time::timeout(SEED_PATIENCE, seed::seed(&url, size, unix_now()))
            .await
            .unwrap_or_else(|_| panic!("seeding {size} verifications took over {SEED_PATIENCE:?}"))
            .unwrap_or_else(|err| panic!("seeding {size} verifications: {err}"));
        eprintln!(
            "  seeded {size} verifications and {} audit rows in {:.1} s",
            seeded.audit_rows,
            seeded.elapsed.as_secs_f64()
        );
        figures.seeded = Some(seeded);
    }
    figures.db_bytes = ["verify-bot.db", "verify-bot.db-wal"]
        .iter()
        .filter_map(|name| std::fs::metadata(dir.path().join(name)).ok())
        .map(|m| m.len())
        .sum();

    let fake = Fake::start().await;
    let port = free_port();
    let env = environment(&fake, &url, port, &settings.time_zone);
    let mut bot = Bot::spawn(binary, &env, dir.path(), log("bot"));
    figures.start = bot.cold_start(&fake).await;
    tokio::time::sleep(SETTLE).await;
    figures.idle_rss = bot.rss().0;

    // `/verify` and the right code, one flow after another in the admin's private chat.
    let chat = Arc::new(vec![Chat {
        chat_id: ADMIN,
        user_id: ADMIN,
        phone: String::new(),
    }]);
    let numbers = phones.clone();
    let script = move |_: &Chat| {
        numbers
            .iter()
            .flat_map(|phone| {
                [
                    Step::new(format!("/verify {phone}"), "📨"),
                    Step::new(RIGHT_CODE, "✅"),
                ]
            })
            .collect()
    };
    let flows = drive(&fake, chat, 1, script, FLOWS_DEADLINE).await;
    for (i, latency) in flows.latencies.iter().enumerate() {
        if i % 2 == 0 {
            figures.verify.push(*latency);
        } else {
            figures.code.push(*latency);
        }
    }
    figures.flow_failures = flows.failures;

    let mut watched = fake.watch(ADMIN);
    let client = reqwest::Client::new();
    for _ in 0..settings.repeats {
        let history = ask(&fake, &mut watched, "/history", |sent| {
            sent.method == "sendmessage"
        })
        .await;
        note(&mut figures.history, history);
        let stats = ask(&fake, &mut watched, "/stats", |sent| {
            sent.method == "sendphoto"
        })
        .await;
        note(&mut figures.stats, stats);
        let overview = panel::get(&client, port, BOT_TOKEN, ADMIN as u64, "overview").await;
        note(&mut figures.overview, overview);
    }
    if size > 0 {
        figures.export = Some(export(settings, &fake, &mut bot, &mut watched).await);
    }
    if let Ok(Some(status)) = bot.child.try_wait() {
        eprintln!("  the bot exited ({status}); its log:\n{}", bot.logs());
    }
    bot.stop().await;
    figures
}

fn note(asked: &mut Asked, outcome: Result<Duration, String>) {
    match outcome {
        Ok(time) => asked.times.push(time),
        Err(why) => {
            eprintln!("  {why}");
            asked.failures.push(why);
        }
    }
}

/// Queues `text` from the admin in their private chat and waits for the bot's output there
/// until `done` says a message is the one awaited: the time from queueing to its arrival.
async fn ask(
    fake: &Fake,
    watched: &mut UnboundedReceiver<Sent>,
    text: &str,
    done: impl Fn(&Sent) -> bool,
) -> Result<Duration, String> {
    while watched.try_recv().is_ok() {}
    let queued = Instant::now();
    fake.push_texts(ADMIN, ADMIN, &[text.to_owned()]);
    let deadline = queued + ASK_PATIENCE;
    let mut seen = Vec::new();
    loop {
        match tokio::time::timeout_at(deadline, watched.recv()).await {
            Ok(Some(sent)) if done(&sent) => return Ok(sent.at - queued),
            Ok(Some(sent)) => seen.push(format!("{}: {}", sent.method, clip(&sent.text))),
            Ok(None) => return Err(format!("{text}: the watch ended")),
            Err(_) => {
                return Err(format!(
                    "{text}: no answer within {ASK_PATIENCE:?} (got {seen:?})"
                ));
            }
        }
    }
}

fn clip(text: &str) -> String {
    text.chars().take(80).collect()
}

/// `/status` from [`PROBE_USER`] in their private chat, one at a time, [`PROBE_GAP`] after the
/// previous reply, `count` times or until `stop`: when each was queued and its latency (`None`:
/// no reply, or not the one expected, within the load bench's patience).
async fn probe(
    fake: Fake,
    count: Option<usize>,
    stop: Arc<AtomicBool>,
) -> Vec<(Instant, Option<Duration>)> {
    let mut probes = Vec::new();
    while count.is_none_or(|count| probes.len() < count) && !stop.load(Ordering::Relaxed) {
        let queued = Instant::now();
        let reply = fake.push_text(PROBE_USER, PROBE_USER, "/status");
        let latency = match tokio::time::timeout(drive::REPLY_PATIENCE, reply).await {
            Ok(Ok(reply)) if reply.text.starts_with(STATUS_NONE) => Some(reply.at - queued),
            _ => None,
        };
        probes.push((queued, latency));
        tokio::time::sleep(PROBE_GAP).await;
    }
    probes
}

/// `/export` in the admin's private chat (30 days, the default), with [`PROBE_USER`]'s
/// `/status` meanwhile.
async fn export(
    settings: &Settings,
    fake: &Fake,
    bot: &mut Bot,
    watched: &mut UnboundedReceiver<Sent>,
) -> Export {
    let never = Arc::new(AtomicBool::new(false));
    probe(fake.clone(), Some(PROBE_WARM_UP), never.clone()).await;
    let idle = probe(fake.clone(), Some(settings.probes), never).await;
    tokio::time::sleep(SETTLE).await;
    let idle_rss = bot.rss().0;
    // Writing 5 resets the peak RSS (VmHWM) to the current RSS (Linux 4.0+).
    let hwm_reset = std::fs::write(format!("/proc/{}/clear_refs", bot.pid), "5").is_ok();

    let stop = Arc::new(AtomicBool::new(false));
    let prober = tokio::spawn(probe(fake.clone(), None, stop.clone()));
    while watched.try_recv().is_ok() {}
    let queued = Instant::now();
    fake.push_texts(ADMIN, ADMIN, &["/export".to_owned()]);
    let deadline = queued + settings.export_patience;
    let (mut files, mut messages_before, mut edits) = (Vec::new(), 0, 0);
    let mut texts = Vec::new();
    let (mut last, mut last_document) = (None::<Instant>, None::<Instant>);
    let mut exited = None;
    loop {
        let now = Instant::now();
        let until = match (last_document, last) {
            (Some(_), Some(last)) => (last + QUIET).min(deadline),
            (None, Some(last)) => (last + STALL).min(deadline),
            _ => deadline,
        };
        if now >= until {
            break;
        }
        let tick = (until - now).min(Duration::from_secs(1));
        match tokio::time::timeout(tick, watched.recv()).await {
            Ok(Some(sent)) => {
                last = Some(sent.at);
                match sent.method.as_str() {
                    "senddocument" => {
                        files.push(sent.file.clone().unwrap_or_default());
                        last_document = Some(sent.at);
                    }
                    "editmessagetext" => edits += 1,
                    _ if last_document.is_none() => messages_before += 1,
                    _ => {}
                }
                texts.push(format!("{}: {}", sent.method, clip(&sent.text)));
            }
            Ok(None) => break,
            Err(_) => {
                if let Ok(Some(status)) = bot.child.try_wait() {
                    exited = Some(status);
                    break;
                }
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    let probes = prober.await.expect("the prober");
    let peak_rss = exited.is_none().then(|| bot.rss().1);
    let last_document = match (last_document, exited) {
        (Some(at), None) => Ok(at - queued),
        (_, Some(status)) => Err(format!("the bot exited ({status})")),
        (None, None) if Instant::now() >= deadline => Err(format!(
            "no document within {:?} (BENCH_EXPORT_SECS); got {texts:?}",
            settings.export_patience
        )),
        (None, None) => Err(format!(
            "no document, and nothing for {STALL:?} after {texts:?}"
        )),
    };
    if let Err(why) = &last_document {
        eprintln!("  /export: {why}");
    }
    // The probes queued while the export ran (until its last document, or its end).
    let end = queued + last_document.as_ref().copied().unwrap_or(queued.elapsed());
    let during = probes
        .into_iter()
        .filter(|(at, _)| *at <= end)
        .map(|(_, latency)| latency)
        .collect();
    Export {
        last_document,
        files,
        messages_before,
        edits,
        idle_rss,
        peak_rss,
        hwm_reset,
        probes_idle: idle.into_iter().map(|(_, latency)| latency).collect(),
        probes_during: during,
    }
}

/// The `p`-th percentile (nearest rank).
fn percentile(latencies: &[Duration], p: f64) -> Option<Duration> {
    let mut sorted = latencies.to_vec();
    sorted.sort_unstable();
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

fn answered(probes: &[Option<Duration>]) -> Vec<Duration> {
    probes.iter().flatten().copied().collect()
}

fn ms(time: Duration) -> String {
    let ms = time.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.2} s", ms / 1e3)
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / MB)
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

/// One line per size, as it finishes.
fn summary(f: &Figures) -> String {
    let p50 = |v: &[Duration]| percentile(v, 50.0).map_or("—".into(), ms);
    let median = |a: &Asked| a.median().map_or("failed".into(), ms);
    let mut line = format!(
        "  {}: /verify p50 {}, code p50 {}, /stats {}, overview {}, /history {}",
        size_label(f.size),
        p50(&f.verify),
        p50(&f.code),
        median(&f.stats),
        median(&f.overview),
        median(&f.history)
    );
    if let Some(export) = &f.export {
        let time = match &export.last_document {
            Ok(time) => ms(*time),
            Err(_) => "failed".into(),
        };
        line.push_str(&format!(
            ", /export {time} ({} files, RSS +{})",
            export.files.len(),
            export.growth().map_or("?".into(), megabytes)
        ));
    }
    line
}

/// One table, a column per size; each figure with its target and whether it was met.
fn report(settings: &Settings, columns: &[Figures], wall: Duration) {
    let empty = columns.iter().find(|f| f.size == 0);
    let baseline =
        |pick: fn(&Figures) -> &Vec<Duration>| empty.and_then(|f| percentile(pick(f), 50.0));
    let (verify0, code0) = (baseline(|f| &f.verify), baseline(|f| &f.code));
    type Cell = Box<dyn Fn(&Figures) -> String>;
    let mut rows: Vec<(String, Cell, String)> = Vec::new();
    rows.push((
        "verifications seeded (audit rows)".into(),
        Box::new(|f: &Figures| match &f.seeded {
            Some(s) => format!("{} ({})", f.size, s.audit_rows),
            None => "0".into(),
        }),
        String::new(),
    ));
    rows.push((
        "seeding, one transaction".into(),
        Box::new(|f: &Figures| f.seeded.as_ref().map_or("—".into(), |s| ms(s.elapsed))),
        String::new(),
    ));
    rows.push((
        "database file (with WAL)".into(),
        Box::new(|f: &Figures| megabytes(f.db_bytes)),
        String::new(),
    ));
    rows.push((
        "start-up (spawn → first getUpdates)".into(),
        Box::new(|f: &Figures| ms(f.start)),
        String::new(),
    ));
    rows.push((
        "RSS idle".into(),
        Box::new(|f: &Figures| megabytes(f.idle_rss)),
        String::new(),
    ));
    let flows = settings.flows;
    let p50_row = move |pick: fn(&Figures) -> &Vec<Duration>, base: Option<Duration>| -> Cell {
        Box::new(move |f: &Figures| {
            let failed = if f.flow_failures.is_empty() {
                String::new()
            } else {
                format!(" ({} failed)", f.flow_failures.len())
            };
            match (percentile(pick(f), 50.0), base) {
                (None, _) => "none answered".into(),
                (Some(p50), _) if f.size == 0 => format!("{}{failed}", ms(p50)),
                (Some(p50), Some(base)) => format!(
                    "{} {}{failed}",
                    ms(p50),
                    verdict(p50 <= base + VERIFY_ADDED_P50 && pick(f).len() == flows)
                ),
                (Some(p50), None) => format!("{}{failed}", ms(p50)),
            }
        })
    };
    rows.push((
        format!("/verify p50 ({flows} flows, 1 chat)"),
        p50_row(|f| &f.verify, verify0),
        "≤ empty + 1 ms".into(),
    ));
    rows.push((
        "typed code p50".into(),
        p50_row(|f| &f.code, code0),
        "≤ empty + 1 ms".into(),
    ));
    let repeats = settings.repeats;
    let median_row = |pick: fn(&Figures) -> &Asked, target: Duration| -> Cell {
        Box::new(move |f: &Figures| {
            let asked = pick(f);
            match asked.median() {
                None => "failed MISSED".into(),
                Some(median) => {
                    let failed = if asked.failures.is_empty() {
                        String::new()
                    } else {
                        format!(" ({} failed)", asked.failures.len())
                    };
                    format!(
                        "{} {}{failed}",
                        ms(median),
                        verdict(median <= target && asked.failures.is_empty())
                    )
                }
            }
        })
    };
    rows.push((
        format!("/stats, to the chart (median of {repeats})"),
        median_row(|f| &f.stats, STATS_TARGET),
        "≤ 300 ms".into(),
    ));
    rows.push((
        format!("panel GET api/overview (median of {repeats})"),
        median_row(|f| &f.overview, STATS_TARGET),
        "≤ 300 ms".into(),
    ));
    rows.push((
        format!("/history (median of {repeats})"),
        median_row(|f| &f.history, HISTORY_TARGET),
        "≤ 50 ms".into(),
    ));
    let export_row = |cell: fn(&Export) -> String| -> Cell {
        Box::new(move |f: &Figures| f.export.as_ref().map_or("—".into(), cell))
    };
    rows.push((
        "/export (30 days): to the last document".into(),
        export_row(|e| match &e.last_document {
            Ok(time) => ms(*time),
            Err(_) => "failed".into(),
        }),
        "streams (see below)".into(),
    ));
    rows.push((
        "/export: progress before the 1st document".into(),
        export_row(|e| {
            let needed = e
                .last_document
                .as_ref()
                .map_or(true, |time| *time > PROGRESS_AFTER);
            let shown = e.messages_before >= 1 && e.edits >= 1;
            format!(
                "{} msg, {} edits {}",
                e.messages_before,
                e.edits,
                verdict(!needed || shown)
            )
        }),
        "> 2 s: 1 message, edited".into(),
    ));
    rows.push((
        "/export: files (largest)".into(),
        export_row(|e| {
            let largest = e.files.iter().map(|(_, size)| *size).max().unwrap_or(0);
            format!(
                "{} ({}) {}",
                e.files.len(),
                megabytes(largest),
                verdict(!e.files.is_empty() && largest <= UPLOAD_LIMIT)
            )
        }),
        "each ≤ 50 MB".into(),
    ));
    rows.push((
        "/export: RSS growth over idle (VmHWM)".into(),
        export_row(|e| match e.growth() {
            Some(growth) => format!(
                "{}{} {}",
                megabytes(growth),
                if e.hwm_reset {
                    ""
                } else {
                    " (peak since start)"
                },
                verdict(growth <= EXPORT_RSS_TARGET)
            ),
            None => "? MISSED".into(),
        }),
        "≤ 10 MB".into(),
    ));
    rows.push((
        "other chat's /status p50 / p99, idle".into(),
        export_row(|e| {
            let ok = answered(&e.probes_idle);
            let p50 = percentile(&ok, 50.0).map_or("—".into(), ms);
            let p99 = percentile(&ok, 99.0).map_or("—".into(), ms);
            format!("{p50} / {p99} (n={})", ok.len())
        }),
        String::new(),
    ));
    rows.push((
        "other chat's /status p50 / p99, during /export".into(),
        export_row(|e| {
            let ok = answered(&e.probes_during);
            let unanswered = e.probes_during.len() - ok.len();
            let idle = percentile(&answered(&e.probes_idle), 99.0);
            match percentile(&ok, 99.0) {
                None => format!("none answered (n={}) MISSED", e.probes_during.len()),
                Some(p99) => {
                    let met =
                        unanswered == 0 && idle.is_some_and(|idle| p99 <= idle + PROBE_ADDED_P99);
                    let lost = if unanswered > 0 {
                        format!(", {unanswered} unanswered")
                    } else {
                        String::new()
                    };
                    let p50 = percentile(&ok, 50.0).map_or("—".into(), ms);
                    format!(
                        "{p50} / {} (n={}{lost}) {}",
                        ms(p99),
                        ok.len(),
                        verdict(met)
                    )
                }
            }
        }),
        "all answered, ≤ idle + 2 ms".into(),
    ));

    println!();
    println!(
        "verify-bot as its history grows — SQLite, release binary, loopback fakes, RUST_LOG=warn, \
         TIME_ZONE={}; \"met\"/\"MISSED\" against the targets of issue #25",
        settings.time_zone
    );
    let label_width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|(_, cell, _)| columns.iter().map(cell).collect())
        .collect();
    // Each column as wide as its widest cell.
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, f)| {
            cells
                .iter()
                .map(|row| row[i].chars().count())
                .chain([size_label(f.size).len()])
                .max()
                .unwrap_or(0)
                + 3
        })
        .collect();
    let pad = |text: &str, width: usize| {
        let len = text.chars().count();
        format!("{}{text}", " ".repeat(width.saturating_sub(len)))
    };
    let mut header = " ".repeat(label_width);
    for (f, width) in columns.iter().zip(&widths) {
        header.push_str(&pad(&size_label(f.size), *width));
    }
    header.push_str("   target");
    println!("{header}");
    for ((label, _, target), cells) in rows.iter().zip(&cells) {
        let len = label.chars().count();
        let mut line = format!("{label}{}", " ".repeat(label_width - len));
        for (cell, width) in cells.iter().zip(&widths) {
            line.push_str(&pad(cell, *width));
        }
        if !target.is_empty() {
            line.push_str(&format!("   {target}"));
        }
        println!("{line}");
    }
    println!();
    for f in columns {
        if let Some(export) = &f.export {
            let files: Vec<String> = export
                .files
                .iter()
                .map(|(name, size)| format!("{name} {}", megabytes(*size)))
                .collect();
            println!(
                "{}: /export uploaded {}; RSS idle {} before it",
                size_label(f.size),
                if files.is_empty() {
                    "nothing".into()
                } else {
                    files.join(", ")
                },
                megabytes(export.idle_rss)
            );
            if let Err(why) = &export.last_document {
                println!("{}: /export failed: {why}", size_label(f.size));
            }
        }
        for why in f
            .flow_failures
            .iter()
            .chain(&f.stats.failures)
            .chain(&f.overview.failures)
            .chain(&f.history.failures)
            .take(3)
        {
            println!("{}: {why}", size_label(f.size));
        }
    }
    println!(
        "Telegram's upload limit taken as 50,000,000 bytes; MB = 1,000,000 bytes. Wall time: {:.0} s.",
        wall.as_secs_f64()
    );
}
