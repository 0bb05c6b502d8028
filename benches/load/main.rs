//! `cargo bench --bench load`: verify-bot against a bare teloxide echo bot, on the same loopback
//! fakes, in one run; then verify-bot on PostgreSQL, as one process and as two processes
//! sharing one database, under the same load. See BENCHMARKS.md for what is measured and how
//! to read the tables.
//!
//! Knobs (environment): `BENCH_CHATS` (200), `BENCH_FLOWS` per chat (5), `BENCH_OPEN` open
//! verifications to store (10000), `BENCH_COLD_STARTS` (5), `BENCH_ALONE_FLOWS` full flows in
//! one chat alone (1000), `BENCH_SKIP_BUILD` (build first), `BENCH_VERIFY_BOT` (another
//! verify-bot binary, e.g. one with symbols for `perf`), `BENCH_SMAPS` (print the largest memory
//! mappings), `BENCH_SLOW_MS` (print slower updates), `BENCH_FLOOD` `/verify` queued at once in
//! one chat (150) and `BENCH_FLOOD_GATEWAY_MS`, the Gateway's answer time meanwhile (1500),
//! `BENCH_POSTGRES` (the PostgreSQL server to create fresh databases on,
//! `postgres://root@127.0.0.1:5432/test`; `none` skips PostgreSQL), `BENCH_POSTGRES_SET`
//! (`name=value,…`: settings given to each of those databases, e.g. `synchronous_commit=off`)
//! and `BENCH_ONE_REQUEST` (3000: updates in each phase of work that makes one Bot API request,
//! `/help` and a code typed with nothing open; see `floor.rs`).

mod drive;
mod fake;
mod floor;
mod postgres;
mod process;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use drive::{Chat, Outcome, Step, drive, phone_numbers};
use fake::{BOT_TOKEN, Fake, GATEWAY_TOKEN, RIGHT_CODE, Requests, WRONG_CODE};
use floor::{OneRequest, WORK};
use process::{Bots, Taken};

/// No phase of the benchmark may run longer than this.
const PHASE_DEADLINE: Duration = Duration::from_secs(300);
/// How long a bot is left alone before its idle (or settled) RSS is read.
const SETTLE: Duration = Duration::from_secs(1);
const MB: f64 = 1_000_000.0;
/// Flows in the one-chat latency phase (`BENCH_ALONE_FLOWS`): 3,000 updates, so that p99 rests
/// on 30 updates and p99.9 on 3 (with 600, one slow commit more or less moved p99 by
/// milliseconds).
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
    /// Full flows in the one-chat latency phase.
    alone_flows: usize,
    flows: usize,
    open: usize,
    cold_starts: usize,
    /// `/verify` queued at once in one chat in the flood phase.
    flood: usize,
    /// How long the fake Gateway takes per `sendVerificationMessage` during the flood.
    flood_gateway: Duration,
    /// Updates in each phase of work that makes one Bot API request.
    one_request: usize,
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
            alone_flows: get("BENCH_ALONE_FLOWS", ALONE_FLOWS),
            flows: get("BENCH_FLOWS", 5),
            open: get("BENCH_OPEN", 10_000),
            cold_starts: get("BENCH_COLD_STARTS", 5),
            flood: get("BENCH_FLOOD", 150),
            flood_gateway: Duration::from_millis(get("BENCH_FLOOD_GATEWAY_MS", 1500) as u64),
            one_request: get("BENCH_ONE_REQUEST", floor::UPDATES),
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Echo,
    VerifyBot,
}

/// Where verify-bot keeps its data.
#[derive(Clone)]
enum Database {
    /// A fresh SQLite file in the deployment's scratch directory.
    Sqlite,
    /// A fresh database on this server.
    Postgres(Arc<postgres::Server>),
}

/// One bot deployment's figures. RSS is per process (one entry per process).
#[derive(Default)]
struct Figures {
    cold_starts: Vec<Duration>,
    idle_rss: Vec<u64>,
    /// One chat alone, before the load.
    alone: Outcome,
    load: Outcome,
    /// The bot processes' CPU time over the load phase.
    load_cpu: Duration,
    /// PostgreSQL's server processes' CPU time over the load phase.
    load_db_cpu: Option<Duration>,
    /// The requests the fake received over the load phase, by method.
    load_requests: Requests,
    load_peak_rss: Vec<u64>,
    /// Several processes: which took how many updates, by phase.
    taken: Vec<(&'static str, Taken)>,
    /// After one `/verify` in each of `BENCH_OPEN` new group chats (verify-bot: open verifications).
    stored: Stored,
    /// verify-bot only: another chat's latency while one chat floods a slow Gateway.
    flood: Option<Flood>,
    /// Work that makes one Bot API request, one phase per [`floor::WORK`], in its order: on
    /// fresh processes after the new chats (verify-bot: on their database).
    one_request: Vec<OneRequest>,
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
    rss: Vec<u64>,
    peak_rss: Vec<u64>,
    open_in_db: i64,
    /// SQLite: the file with its WAL; PostgreSQL: `pg_database_size`.
    db_bytes: u64,
    /// PostgreSQL: transactions committed in the database, WAL flushes on the server, and
    /// updates answered, while the deployment's first processes ran (warm-up to new chats).
    commits: Option<Commits>,
    /// Restarted on that database: idle, then after one more flow in every staff chat.
    restarted_idle_rss: Vec<u64>,
    restarted_load_rss: Vec<u64>,
}

/// What a PostgreSQL deployment's first processes cost the server, warm-up to new chats.
#[derive(Clone, Copy)]
struct Commits {
    /// `pg_stat_database.xact_commit` (every statement outside a transaction is one, reads too).
    transactions: i64,
    /// `pg_stat_wal.wal_sync`, server-wide: what commits waited on the disk for.
    wal_syncs: i64,
    updates: u64,
}

/// Everything one bot deployment needs: its binary, its database, how many processes, and its
/// environment.
struct Setup {
    kind: Kind,
    binary: PathBuf,
    admin_ids: String,
    database: Database,
    /// Processes started with the same environment on the same database and fake.
    replicas: usize,
}

/// Where one deployment keeps its logs (and its SQLite database), and its PostgreSQL
/// database if it has one.
struct Scratch {
    dir: tempfile::TempDir,
    postgres: Option<postgres::Database>,
}

impl Scratch {
    fn database_url(&self) -> String {
        match &self.postgres {
            Some(database) => database.url.clone(),
            None => database_url(self.dir.path()),
        }
    }
}

impl Setup {
    /// Starts the bot against a new fake with a fresh database; returns the bot process(es),
    /// the fake and the deployment's scratch space (its database and logs).
    async fn launch(&self) -> (Bots, Fake, Scratch) {
        let dir = tempfile::tempdir().expect("a scratch directory");
        let postgres = match &self.database {
            Database::Postgres(server) if self.kind == Kind::VerifyBot => {
                Some(server.create_database().await)
            }
            _ => None,
        };
        let scratch = Scratch { dir, postgres };
        let (bots, fake) = self.launch_in(&scratch).await;
        (bots, fake, scratch)
    }

    /// Drops the deployment's PostgreSQL database, if it has one (its processes stopped).
    async fn discard(&self, scratch: Scratch) {
        if let (Database::Postgres(server), Some(database)) = (&self.database, scratch.postgres) {
            server.drop_database(database).await;
        }
    }

    /// PostgreSQL: transactions committed in the deployment's database so far, and WAL
    /// flushes on the server.
    async fn commits(&self, scratch: &Scratch) -> Option<(i64, i64)> {
        match (&self.database, &scratch.postgres) {
            (Database::Postgres(server), Some(database)) => {
                let transactions = server.commits(database).await;
                Some((transactions, server.wal_syncs().await))
            }
            _ => None,
        }
    }

    /// Open verifications in the deployment's database, and the database's size.
    async fn open_and_size(&self, scratch: &Scratch) -> (i64, u64) {
        match (&self.database, &scratch.postgres) {
            (Database::Postgres(server), Some(database)) => server.open_and_size(database).await,
            _ => (
                count_open(scratch.dir.path()).await,
                database_bytes(scratch.dir.path()),
            ),
        }
    }

    /// Starts the bot process(es) against a new fake, on the deployment's database.
    async fn launch_in(&self, scratch: &Scratch) -> (Bots, Fake) {
        let fake = if self.replicas > 1 {
            Fake::start_shared().await
        } else {
            Fake::start().await
        };
        let dir = scratch.dir.path();
        let mut env = vec![
            ("TELOXIDE_TOKEN".to_owned(), BOT_TOKEN.to_owned()),
            ("TELOXIDE_API_URL".to_owned(), fake.bot_api_url()),
            ("RUST_LOG".to_owned(), "warn".to_owned()),
        ];
        if self.kind == Kind::VerifyBot {
            env.extend([
                ("GATEWAY_TOKEN".to_owned(), GATEWAY_TOKEN.to_owned()),
                ("GATEWAY_API_URL".to_owned(), fake.gateway_url()),
                ("DATABASE_URL".to_owned(), scratch.database_url()),
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
                // Each chat verifies its one number again and again: every /verify sends, as
                // before numbers were remembered (otherwise the second flow gets "verified
                // already" and no code).
                ("REVERIFY_AFTER_DAYS".to_owned(), "0".to_owned()),
            ]);
        }
        let bots = (0..self.replicas)
            .map(|i| {
                let log = dir.join(format!(
                    "bot-{}-{i}.log",
                    fake.bot_api_url().replace([':', '/'], "")
                ));
                process::Bot::spawn(&self.binary, &env, dir, log)
            })
            .collect();
        (Bots(bots), fake)
    }

    /// Several processes: how many updates each took from `fake` since the last call, noted
    /// for `phase` (and printed, with a warning if one took none).
    fn note_taken(&self, phase: &'static str, bots: &Bots, fake: &Fake, figures: &mut Figures) {
        if self.replicas < 2 {
            return;
        }
        let taken = bots.updates_taken(fake);
        eprintln!(
            "  {phase}: updates taken by pids {:?}: {}",
            bots.pids(),
            taken.describe()
        );
        if !taken.all_took_some() {
            eprintln!("  WARNING: {phase}: a process took no updates");
        }
        figures.taken.push((phase, taken));
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
        database: Database::Sqlite,
        replicas: 1,
    };
    let verify = |database: Database, replicas: usize| Setup {
        kind: Kind::VerifyBot,
        // BENCH_VERIFY_BOT: another build of the bot, e.g. one with symbols for `perf`.
        binary: std::env::var_os("BENCH_VERIFY_BOT")
            .map(PathBuf::from)
            .unwrap_or_else(|| release.join("verify-bot")),
        admin_ids: admin_ids.clone(),
        database,
        replicas,
    };
    eprintln!("measuring the echo bot…");
    let echo_figures = measure(&echo, &settings, &staff, &groups).await;
    eprintln!("measuring verify-bot on SQLite…");
    let verify_figures = measure(&verify(Database::Sqlite, 1), &settings, &staff, &groups).await;
    let image = process::image_size();
    let postgres = match postgres_server().await {
        Ok(server) => {
            let server = Arc::new(server);
            let mut columns = Vec::new();
            for replicas in [1, 2] {
                eprintln!("measuring verify-bot on PostgreSQL, {replicas} process(es)…");
                let setup = verify(Database::Postgres(server.clone()), replicas);
                columns.push(measure(&setup, &settings, &staff, &groups).await);
            }
            Ok((server.url().to_owned(), server.settings().await, columns))
        }
        Err(why) => Err(why),
    };
    report(&settings, &echo_figures, &verify_figures, image);
    report_databases(&settings, &echo_figures, &verify_figures, &postgres);
}

/// The server `BENCH_POSTGRES` names (by default the local one), or why its columns are skipped.
async fn postgres_server() -> Result<postgres::Server, String> {
    let url = std::env::var("BENCH_POSTGRES").unwrap_or_else(|_| postgres::DEFAULT_SERVER.into());
    if url.is_empty() || url == "none" {
        return Err("BENCH_POSTGRES=none".into());
    }
    let set = std::env::var("BENCH_POSTGRES_SET").unwrap_or_default();
    postgres::Server::connect(&url, &set)
        .await
        .map_err(|why| format!("{url} does not answer: {why}"))
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
        let (mut bots, fake, scratch) = setup.launch().await;
        figures.cold_starts.push(bots.cold_start(&fake).await);
        bots.stop().await;
        setup.discard(scratch).await;
    }

    let wal_syncs_before = match &setup.database {
        Database::Postgres(server) => server.wal_syncs().await,
        Database::Sqlite => 0,
    };
    let (mut bots, fake, scratch) = setup.launch().await;
    figures.cold_starts.push(bots.cold_start(&fake).await);
    eprintln!(
        "  {} is running as pid(s) {:?}",
        setup.binary.display(),
        bots.pids()
    );
    figures.idle_rss = settled_rss(&bots).await;
    fake.take_pollers();
    one_flow_each(setup, &fake, staff, &bots, "warm-up").await;
    setup.note_taken("warm-up", &bots, &fake, &mut figures);
    // One chat alone: the bot's own time per update, without queueing behind other chats.
    let alone = Arc::new(vec![staff[0].clone()]);
    figures.alone = drive(
        &fake,
        alone,
        1,
        setup.script(settings.alone_flows),
        PHASE_DEADLINE,
    )
    .await;
    check(&figures.alone, "one chat alone", &bots);
    setup.note_taken("one chat alone", &bots, &fake, &mut figures);
    let postgres = matches!(setup.database, Database::Postgres(_)) && setup.kind == Kind::VerifyBot;
    let requests_before = floor::settled_requests(&fake).await;
    let cpu_before = bots.cpu_time();
    let db_cpu_before = postgres.then(postgres::server_cpu_time);
    figures.load = drive(
        &fake,
        staff.clone(),
        staff.len(),
        setup.script(settings.flows),
        PHASE_DEADLINE,
    )
    .await;
    figures.load_cpu = bots.cpu_time().saturating_sub(cpu_before);
    figures.load_db_cpu =
        db_cpu_before.map(|before| postgres::server_cpu_time().saturating_sub(before));
    figures.load_peak_rss = bots.rss().iter().map(|r| r.1).collect();
    check(&figures.load, "load", &bots);
    figures.load_requests = floor::settled_requests(&fake).await.since(&requests_before);
    setup.note_taken("load", &bots, &fake, &mut figures);

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
    check(&outcome, "new chats", &bots);
    setup.note_taken("new chats", &bots, &fake, &mut figures);
    tokio::time::sleep(SETTLE).await;
    let rss = bots.rss();
    if std::env::var_os("BENCH_SMAPS").is_some() {
        for pid in bots.pids() {
            process::print_largest_mappings(pid);
        }
    }
    bots.stop().await;
    figures.stored = Stored {
        outcome,
        rss: rss.iter().map(|r| r.0).collect(),
        peak_rss: rss.iter().map(|r| r.1).collect(),
        ..Stored::default()
    };
    if kind == Kind::VerifyBot {
        let stored = &mut figures.stored;
        let updates = fake.counters().send_message.load(Ordering::Relaxed);
        stored.commits = setup
            .commits(&scratch)
            .await
            .map(|(transactions, wal_syncs)| Commits {
                transactions,
                wal_syncs: wal_syncs - wal_syncs_before,
                updates,
            });
        (stored.open_in_db, stored.db_bytes) = setup.open_and_size(&scratch).await;
    } else {
        figures.stored.db_bytes = database_bytes(scratch.dir.path());
    }
    restarted_phases(setup, settings, &scratch, staff, &mut figures).await;
    setup.discard(scratch).await;
    print_counters("fake", &fake);
    // The flood measures the dispatcher's queues, not the database: on SQLite only.
    if kind == Kind::VerifyBot && matches!(setup.database, Database::Sqlite) {
        figures.flood = Some(flood(setup, settings).await);
    }
    figures
}

/// Fresh processes on the deployment's database (the echo bot has none), warmed up with one flow
/// in every staff chat. verify-bot: what the open verifications themselves cost, apart from the
/// high-water mark of the concurrency that created them (RSS idle, and after that flow). Both
/// bots: work that makes one Bot API request, a phase per [`floor::WORK`].
async fn restarted_phases(
    setup: &Setup,
    settings: &Settings,
    scratch: &Scratch,
    staff: &Arc<Vec<Chat>>,
    figures: &mut Figures,
) {
    let verify_bot = setup.kind == Kind::VerifyBot;
    let (mut bots, fake) = setup.launch_in(scratch).await;
    bots.cold_start(&fake).await;
    if verify_bot {
        figures.stored.restarted_idle_rss = settled_rss(&bots).await;
    }
    one_flow_each(setup, &fake, staff, &bots, "after a restart").await;
    if verify_bot {
        figures.stored.restarted_load_rss = settled_rss(&bots).await;
    }
    fake.take_pollers();
    for work in &WORK {
        let phase =
            floor::one_request(setup.kind, work, &fake, &bots, staff, settings.one_request).await;
        setup.note_taken(work.name, &bots, &fake, figures);
        figures.one_request.push(phase);
    }
    bots.stop().await;
    print_counters("restarted fake", &fake);
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
        database: setup.database.clone(),
        replicas: 1,
    };
    let (mut bot, fake, scratch) = flood_setup.launch().await;
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
    flood_setup.discard(scratch).await;
    print_counters("flood fake", &fake);
    Flood {
        idle,
        during,
        answered,
        gateway_sends,
    }
}

/// The resident set of each process once the bot has been left alone for a moment.
async fn settled_rss(bots: &Bots) -> Vec<u64> {
    tokio::time::sleep(SETTLE).await;
    bots.rss().iter().map(|r| r.0).collect()
}

/// One full flow in every staff chat, not measured (a warm-up).
async fn one_flow_each(
    setup: &Setup,
    fake: &Fake,
    staff: &Arc<Vec<Chat>>,
    bots: &Bots,
    phase: &str,
) {
    let outcome = drive(
        fake,
        staff.clone(),
        staff.len(),
        setup.script(1),
        PHASE_DEADLINE,
    )
    .await;
    check(&outcome, phase, bots);
}

/// Stops the benchmark if a phase had no answer at all; reports partial failures.
fn check(outcome: &Outcome, phase: &str, bots: &Bots) {
    if outcome.failed > 0 {
        eprintln!(
            "  {phase}: {} update(s) failed, e.g. {:?}",
            outcome.failed, outcome.failures
        );
    }
    assert!(
        outcome.answered() > 0,
        "{phase}: the bot answered nothing. Its log:\n{}",
        bots.logs()
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

/// `52.1 ms (47–65)`: the median cold start, and the fastest and slowest.
fn cold_starts(f: &Figures) -> String {
    let min = f.cold_starts.iter().min().copied().unwrap_or_default();
    let max = f.cold_starts.iter().max().copied().unwrap_or_default();
    format!(
        "{} ({:.0}–{:.0})",
        ms(median(&f.cold_starts)),
        min.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3
    )
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
    let cpu_per_update = |f: &Figures| f.load_cpu / f.load.answered().max(1) as u32;
    let signed_ms = |s: f64| format!("{:+.2} ms", s * 1e3);

    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row = |label: &str, e: String, v: String, cmp: String, target: &str| {
        rows.push(vec![label.to_owned(), e, v, cmp, target.to_owned()]);
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
    let (bound, p99) = (floor::alone_p99_bound(echo), verify.alone.percentile(99.0));
    row(
        "  p99 1 chat alone: bound (2 × echo's + 1 ms) → verify-bot",
        ms(bound),
        ms(p99),
        signed_ms(p99.as_secs_f64() - bound.as_secs_f64()),
        "≤ bound",
    );
    row(
        "CPU time per update",
        ms(cpu_per_update(echo)),
        ms(cpu_per_update(verify)),
        String::new(),
        "",
    );
    for (i, (work, (e, v))) in WORK
        .iter()
        .zip(echo.one_request.iter().zip(&verify.one_request))
        .enumerate()
    {
        row(
            &format!("CPU time per update, {} (1 Bot API request)", work.name),
            floor::cpu_ms(e.cpu_per_update()),
            floor::cpu_ms(v.cpu_per_update()),
            floor::times(floor::one_request_ratio(echo, verify, i)),
            "≤ 1.5×",
        );
        row(
            "  requests per update besides getUpdates",
            format!("{:.2}", e.requests_per_update()),
            format!("{:.2}", v.requests_per_update()),
            String::new(),
            "= 1",
        );
    }
    row(
        "CPU time per full flow: HTTP floor → verify-bot",
        floor_of(echo, verify),
        floor::cpu_ms(floor::cpu_per_flow(verify)),
        floor::times(floor::flow_ratio(echo, verify)),
        "≤ 1.5×",
    );
    row(
        "  requests per flow besides getUpdates (Gateway too)",
        format!("{:.2}", floor::requests_per_flow(echo)),
        format!("{:.2}", floor::requests_per_flow(verify)),
        String::new(),
        "",
    );
    row(
        "RSS idle",
        mbs(&echo.idle_rss),
        mbs(&verify.idle_rss),
        String::new(),
        "≤ 20 MB",
    );
    row(
        "RSS peak under load",
        mbs(&echo.load_peak_rss),
        mbs(&verify.load_peak_rss),
        String::new(),
        "",
    );
    let after_chats =
        |f: &Figures| format!("{} (peak {})", mbs(&f.stored.rss), mbs(&f.stored.peak_rss));
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
        restarted(verify),
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
        cold_starts(echo),
        cold_starts(verify),
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

    println!();
    println!(
        "verify-bot vs a bare teloxide echo bot — {} chats × {} flows (/verify → wrong code → right code) \
         = {updates} updates per bot (and {} alone in 1 chat), loopback fakes, RUST_LOG=warn",
        settings.chats,
        settings.flows,
        3 * settings.alone_flows
    );
    print_table(&rows);

    println!();
    let mut targets = measured_targets(echo, verify);
    targets.extend([
        ("binary ≤ 15 MB", verify.binary_size as f64 <= 15.0 * MB),
        (
            "other chat's added p99 ≤ 2 ms while 1 chat floods",
            verify.flood.as_ref().is_some_and(Flood::met),
        ),
    ]);
    println!("targets: {}", summarise(&targets));
    println!(
        "targets, issue #26: {}",
        summarise(&floor::targets(echo, verify))
    );
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
    print_requests(&[("echo_bot", echo), ("verify-bot", verify)]);
    println!(
        "1 Bot API request: {} updates of each ({}), {} chats at once, each typing its next after \
         the reply, on fresh processes after the new chats (verify-bot on their database), after \
         one flow and one unmeasured update in every chat; CPU time = the bot processes' user + \
         system time over the phase / updates answered; HTTP floor = the echo bot's CPU time per \
         update under load × the requests a flow made under load (the Bot API's besides \
         getUpdates, and the Gateway's, counted at the fake)",
        settings.one_request.div_ceil(settings.chats) * settings.chats,
        WORK.map(|w| format!("{:?}", w.text)).join(", "),
        settings.chats,
    );
}

/// The HTTP floor of `verify`'s flow, and what it is made of: `0.770 ms = 7.00 × 0.110 ms`.
fn floor_of(echo: &Figures, verify: &Figures) -> String {
    format!(
        "{} = {:.2} × {}",
        floor::cpu_ms(floor::http_floor(echo, verify)),
        floor::requests_per_flow(verify),
        floor::cpu_ms(floor::load_cpu_per_update(echo)),
    )
}

/// Under a table: the requests behind the floor rows, by method.
fn print_requests(bots: &[(&str, &Figures)]) {
    for (name, f) in bots {
        for line in floor::describe_requests(name, f) {
            println!("{line}");
        }
    }
}

/// The targets every verify-bot deployment is measured against here (the binary's size and the
/// flood are the SQLite column's): against the echo bot's figures where they are relative. RSS
/// is per process.
fn measured_targets(echo: &Figures, verify: &Figures) -> Vec<(&'static str, bool)> {
    let added = |p: f64, v: &Outcome, e: &Outcome| {
        v.percentile(p).as_secs_f64() - e.percentile(p).as_secs_f64()
    };
    vec![
        (
            "throughput ≥ 80 % of echo",
            verify.load.updates_per_second() >= 0.8 * echo.load.updates_per_second(),
        ),
        (
            "added p99 ≤ 2 ms under load",
            added(99.0, &verify.load, &echo.load) <= 0.002,
        ),
        (
            "added p99 ≤ 2 ms for 1 chat alone",
            added(99.0, &verify.alone, &echo.alone) <= 0.002,
        ),
        (
            "RSS idle ≤ 20 MB",
            largest(&verify.idle_rss) as f64 <= 20.0 * MB,
        ),
        (
            "RSS with open verifications ≤ 50 MB",
            largest(&verify.stored.rss) as f64 <= 50.0 * MB,
        ),
        (
            "cold start ≤ 150 ms",
            median(&verify.cold_starts) <= Duration::from_millis(150),
        ),
    ]
}

fn summarise(targets: &[(&str, bool)]) -> String {
    targets
        .iter()
        .map(|(name, met)| format!("{name}: {}", verdict(*met)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Prints rows as columns: the first left-aligned, the others right-aligned.
fn print_table(rows: &[Vec<String>]) {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|col| {
            rows.iter()
                .filter_map(|r| r.get(col))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for r in rows {
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
}

/// Resident sets, one per process: `11.0 MB`, or `11.0 + 11.2 MB`.
fn mbs(per_process: &[u64]) -> String {
    let each: Vec<String> = per_process
        .iter()
        .map(|bytes| format!("{:.1}", *bytes as f64 / MB))
        .collect();
    format!("{} MB", each.join(" + "))
}

fn largest(per_process: &[u64]) -> u64 {
    per_process.iter().copied().max().unwrap_or_default()
}

/// Restarted on the database with the open verifications: idle / after one flow per chat.
fn restarted(f: &Figures) -> String {
    let (idle, load) = (&f.stored.restarted_idle_rss, &f.stored.restarted_load_rss);
    format!("{} / {}", mbs(idle), mbs(load))
}

/// Every verify-bot deployment side by side: SQLite, then PostgreSQL with one process and with
/// two sharing one database (or why PostgreSQL was not measured).
fn report_databases(
    settings: &Settings,
    echo: &Figures,
    sqlite: &Figures,
    postgres: &Result<(String, String, Vec<Figures>), String>,
) {
    println!();
    let (url, server_settings, columns) = match postgres {
        Ok(measured) => measured,
        Err(why) => {
            println!("PostgreSQL: not measured, columns skipped ({why})");
            return;
        }
    };
    let mut all = vec![("SQLite", sqlite)];
    for (name, figures) in ["PostgreSQL, 1 process", "PostgreSQL, 2 processes"]
        .into_iter()
        .zip(columns)
    {
        all.push((name, figures));
    }
    let mut header = vec!["verify-bot on".to_owned()];
    header.extend(all.iter().map(|(name, _)| (*name).to_owned()));
    header.push("target".to_owned());
    let mut rows: Vec<Vec<String>> = vec![header];
    let mut row = |label: &str, cell: &dyn Fn(&Figures) -> String, target: &str| {
        let mut r = vec![label.to_owned()];
        r.extend(all.iter().map(|(_, f)| cell(f)));
        r.push(target.to_owned());
        rows.push(r);
    };
    row(
        "updates/s",
        &|f| format!("{:.0}", f.load.updates_per_second()),
        "",
    );
    row(
        "full flows/s (3 updates each)",
        &|f| format!("{:.0}", f.load.updates_per_second() / 3.0),
        "",
    );
    for p in [50.0, 99.0] {
        row(
            &format!("reply latency p{p}, {} chats", settings.chats),
            &|f| ms(f.load.percentile(p)),
            "",
        );
    }
    for p in [50.0, 99.0, 99.9] {
        row(
            &format!("reply latency p{p}, 1 chat alone"),
            &|f| ms(f.alone.percentile(p)),
            "",
        );
    }
    row(
        "  p99 1 chat alone (bound: 2 × echo's + 1 ms)",
        &|f| {
            format!(
                "{} ({})",
                ms(f.alone.percentile(99.0)),
                ms(floor::alone_p99_bound(echo))
            )
        },
        "≤ bound",
    );
    let per_update = |f: &Figures, cpu: Duration| cpu / f.load.answered().max(1) as u32;
    row(
        "CPU time per update, bot process(es)",
        &|f| ms(per_update(f, f.load_cpu)),
        "",
    );
    row(
        "CPU time per update, PostgreSQL server",
        &|f| {
            f.load_db_cpu
                .map_or_else(|| "(in process)".into(), |cpu| ms(per_update(f, cpu)))
        },
        "",
    );
    row(
        "CPU time per update, bot + database",
        &|f| {
            ms(per_update(
                f,
                f.load_cpu + f.load_db_cpu.unwrap_or_default(),
            ))
        },
        "",
    );
    for (i, work) in WORK.iter().enumerate() {
        row(
            &format!(
                "CPU time per update, {}, bot process(es) (× echo)",
                work.name
            ),
            &|f| {
                f.one_request.get(i).map_or_else(
                    || "—".into(),
                    |phase| {
                        format!(
                            "{} ({})",
                            floor::cpu_ms(phase.cpu_per_update()),
                            floor::times(floor::one_request_ratio(echo, f, i))
                        )
                    },
                )
            },
            "≤ 1.5×",
        );
        row(
            "  requests per update besides getUpdates",
            &|f| {
                f.one_request
                    .get(i)
                    .map_or_else(|| "—".into(), |p| format!("{:.2}", p.requests_per_update()))
            },
            "= 1",
        );
    }
    row(
        "CPU time per full flow, bot process(es) (× HTTP floor)",
        &|f| {
            format!(
                "{} ({})",
                floor::cpu_ms(floor::cpu_per_flow(f)),
                floor::times(floor::flow_ratio(echo, f))
            )
        },
        "≤ 1.5×",
    );
    row(
        "  HTTP floor = requests per flow × echo's CPU per update",
        &|f| floor_of(echo, f),
        "",
    );
    row("RSS idle (per process)", &|f| mbs(&f.idle_rss), "≤ 20 MB");
    row("RSS peak under load", &|f| mbs(&f.load_peak_rss), "");
    row(
        &format!("RSS after /verify in {} new chats", settings.open),
        &|f| mbs(&f.stored.rss),
        "≤ 50 MB",
    );
    row(
        "  same db, restarted: idle / after 1 flow per chat",
        &restarted,
        "",
    );
    row(
        "new chats: /verify per second (p99)",
        &|f| {
            format!(
                "{:.0} ({})",
                f.stored.outcome.updates_per_second(),
                ms(f.stored.outcome.percentile(99.0))
            )
        },
        "",
    );
    row(
        "  2 processes against 1",
        // In the 2-process column only (the figures are told apart by address).
        &|f| {
            let one = columns
                .first()
                .map(|c| c.stored.outcome.updates_per_second());
            match one {
                Some(one) if columns.len() > 1 && std::ptr::eq(f, &columns[1]) => {
                    format!(
                        "{:.0} %",
                        f.stored.outcome.updates_per_second() / one * 100.0
                    )
                }
                _ => "—".into(),
            }
        },
        "≥ 100 %",
    );
    row(
        "  open verifications in the database (its size)",
        &|f| format!("{} ({})", f.stored.open_in_db, mb(f.stored.db_bytes)),
        "",
    );
    row(
        "PostgreSQL transactions / WAL fsyncs per update",
        &|f| {
            f.stored.commits.map_or_else(
                || "—".into(),
                |c| {
                    let per_update = |n: i64| n as f64 / c.updates.max(1) as f64;
                    format!(
                        "{:.2} / {:.2}",
                        per_update(c.transactions),
                        per_update(c.wal_syncs)
                    )
                },
            )
        },
        "≤ 2 / ≤ 1.5",
    );
    row(
        &format!(
            "cold start, median of {} (min–max)",
            sqlite.cold_starts.len()
        ),
        &cold_starts,
        "≤ 150 ms",
    );
    row(
        "updates taken by each process under load",
        &|f| {
            f.taken
                .iter()
                .find(|(phase, _)| *phase == "load")
                .map_or_else(|| "—".into(), |(_, taken)| taken.describe())
        },
        "",
    );

    println!(
        "verify-bot by database — the same load; PostgreSQL at {url} ({server_settings}), a fresh \
         database per deployment, dropped afterwards; 2 processes: same environment, same \
         database, each getUpdates batch to whichever process asks"
    );
    print_table(&rows);
    println!();
    for (name, f) in all.iter().skip(1) {
        println!("targets, {name}: {}", summarise(&measured_targets(echo, f)));
    }
    for (name, f) in all.iter().skip(1) {
        let mut targets = floor::targets(echo, f);
        targets.extend(postgres_targets(f));
        println!("targets, issue #26, {name}: {}", summarise(&targets));
    }
    if let [one, two] = columns.as_slice() {
        let (one, two) = (
            one.stored.outcome.updates_per_second(),
            two.stored.outcome.updates_per_second(),
        );
        println!(
            "targets, issue #26, PostgreSQL: 2 processes ≥ 1 process in new verifications per \
             second: {} ({two:.0} against {one:.0})",
            verdict(two >= one)
        );
    }
    for (name, f) in &all {
        for (phase, taken) in &f.taken {
            println!(
                "{name}: {phase}: updates taken by each process: {}",
                taken.describe()
            );
        }
        let failed = f.alone.failed + f.load.failed + f.stored.outcome.failed;
        if failed > 0 {
            println!(
                "{name}: {} updates failed alone, {} under load, {} in new chats: {:?}",
                f.alone.failed,
                f.load.failed,
                f.stored.outcome.failed,
                [
                    &f.alone.failures,
                    &f.load.failures,
                    &f.stored.outcome.failures
                ]
            );
        }
    }
    println!(
        "CPU time per update: the bot processes' user + system time over the load phase, and that \
         of every process named postgres on this machine (SQLite runs inside the bot); RSS per \
         process; cold start with 2 processes: until both poll"
    );
    println!(
        "transactions / WAL fsyncs per update: pg_stat_database.xact_commit of the bots' database \
         (a statement outside a transaction is one) and pg_stat_wal.wal_sync of the whole server, \
         from start-up to the end of the new chats, over the updates answered meanwhile"
    );
    let named: Vec<(&str, &Figures)> = all.iter().skip(1).map(|(n, f)| (*n, *f)).collect();
    print_requests(&named);
}

/// PostgreSQL: at most 2 transactions and 1.5 WAL flushes per update (warm-up to new chats).
fn postgres_targets(f: &Figures) -> Vec<(&'static str, bool)> {
    let per_update = |n: fn(&Commits) -> i64| {
        f.stored
            .commits
            .map(|c| n(&c) as f64 / c.updates.max(1) as f64)
    };
    vec![
        (
            "transactions per update ≤ 2",
            per_update(|c| c.transactions).is_some_and(|n| n <= 2.0),
        ),
        (
            "WAL flushes per update ≤ 1.5",
            per_update(|c| c.wal_syncs).is_some_and(|n| n <= 1.5),
        ),
    ]
}
