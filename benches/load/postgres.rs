//! The PostgreSQL server the PostgreSQL columns run against (`BENCH_POSTGRES`): a fresh
//! database for every bot started on a fresh database, dropped once it is done with, and what
//! the server's processes cost.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

/// `BENCH_POSTGRES` when unset.
pub const DEFAULT_SERVER: &str = "postgres://root@127.0.0.1:5432/test";
/// Every database the benchmark creates is named `<PREFIX><benchmark pid>_<n>`.
const PREFIX: &str = "verify_bot_bench_";
/// How long the server may take to answer before its columns are skipped.
const CONNECT_PATIENCE: Duration = Duration::from_secs(3);

/// A PostgreSQL server that answered, through a database that already exists on it.
pub struct Server {
    /// `BENCH_POSTGRES`, the database the benchmark creates and drops the others from.
    url: String,
    admin: PgPool,
    created: AtomicUsize,
    /// `BENCH_POSTGRES_SET`: settings given to every database created (`ALTER DATABASE … SET`).
    set: Vec<(String, String)>,
}

/// A database the benchmark created, dropped by [`Server::drop_database`].
pub struct Database {
    pub name: String,
    pub url: String,
}

impl Server {
    /// The server `url` names, or why it cannot be used. Databases left behind by a benchmark
    /// that no longer runs (one that panicked) are dropped.
    pub async fn connect(url: &str, set: &str) -> Result<Server, String> {
        let set = parse_settings(set)?;
        let admin = PgPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(CONNECT_PATIENCE)
            .connect(url);
        let admin = tokio::time::timeout(CONNECT_PATIENCE, admin)
            .await
            .map_err(|_| format!("no answer within {CONNECT_PATIENCE:?}"))?
            .map_err(|err| err.to_string())?;
        let server = Server {
            url: url.to_owned(),
            admin,
            created: AtomicUsize::new(0),
            set,
        };
        let names: Vec<String> =
            sqlx::query_scalar("SELECT datname FROM pg_database WHERE starts_with(datname, $1)")
                .bind(PREFIX)
                .fetch_all(&server.admin)
                .await
                .map_err(|err| err.to_string())?;
        for name in names {
            let pid = name
                .strip_prefix(PREFIX)
                .and_then(|rest| rest.split('_').next())
                .and_then(|pid| pid.parse::<u32>().ok());
            if pid.is_some_and(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists()) {
                eprintln!("dropping {name}, left behind by an earlier run");
                server.drop_named(&name).await;
            }
        }
        Ok(server)
    }

    /// `BENCH_POSTGRES` as given (for the report).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The server's version and the settings that decide what a commit waits for (those of a
    /// database the benchmark creates, with `BENCH_POSTGRES_SET`).
    pub async fn settings(&self) -> String {
        let set: Vec<String> = self
            .set
            .iter()
            .map(|(name, value)| format!("{name} = {value}"))
            .collect();
        if !set.is_empty() {
            return format!("BENCH_POSTGRES_SET: {}", set.join(", "));
        }
        let shown: Result<(String, String, String), _> = sqlx::query_as(
            "SELECT current_setting('server_version'), current_setting('synchronous_commit'), \
             current_setting('fsync')",
        )
        .fetch_one(&self.admin)
        .await;
        match shown {
            Ok((version, synchronous_commit, fsync)) => format!(
                "PostgreSQL {version}, synchronous_commit = {synchronous_commit}, fsync = {fsync}"
            ),
            Err(err) => format!("settings unknown: {err}"),
        }
    }

    /// Creates a fresh, empty database.
    pub async fn create_database(&self) -> Database {
        let n = self.created.fetch_add(1, Ordering::Relaxed);
        let name = format!("{PREFIX}{}_{n}", std::process::id());
        sqlx::raw_sql(&format!("CREATE DATABASE \"{name}\""))
            .execute(&self.admin)
            .await
            .unwrap_or_else(|err| panic!("cannot create the database {name}: {err}"));
        for (setting, value) in &self.set {
            let value = value.replace('\'', "''");
            sqlx::raw_sql(&format!(
                "ALTER DATABASE \"{name}\" SET {setting} = '{value}'"
            ))
            .execute(&self.admin)
            .await
            .unwrap_or_else(|err| panic!("cannot set {setting} on {name}: {err}"));
        }
        Database {
            url: with_database(&self.url, &name),
            name,
        }
    }

    /// Drops `database`, closing whatever connections to it are left.
    pub async fn drop_database(&self, database: Database) {
        self.drop_named(&database.name).await;
    }

    async fn drop_named(&self, name: &str) {
        let dropped = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .execute(&self.admin)
            .await;
        if let Err(err) = dropped {
            eprintln!("  cannot drop the database {name}: {err}");
        }
    }

    /// Transactions committed in `database` so far, as the server's statistics have them: a
    /// backend reports its own at the latest when it exits (read it once the bots are stopped).
    pub async fn commits(&self, database: &Database) -> i64 {
        // The bots were killed: their backends exit (and report) once they notice.
        for _ in 0..100 {
            let connected: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = $1")
                    .bind(&database.name)
                    .fetch_one(&self.admin)
                    .await
                    .unwrap_or_default();
            if connected == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        sqlx::query_scalar("SELECT xact_commit FROM pg_stat_database WHERE datname = $1")
            .bind(&database.name)
            .fetch_one(&self.admin)
            .await
            .unwrap_or_default()
    }

    /// WAL flushes to disk (`fsync` or its like) the whole server has done so far
    /// (`pg_stat_wal.wal_sync`): every commit that writes waits for one, unless another
    /// commit's flush covered it (or `synchronous_commit` is off).
    pub async fn wal_syncs(&self) -> i64 {
        sqlx::query_scalar("SELECT wal_sync FROM pg_stat_wal")
            .fetch_one(&self.admin)
            .await
            .unwrap_or_default()
    }

    /// Open verifications in `database`, and its size on disk.
    pub async fn open_and_size(&self, database: &Database) -> (i64, u64) {
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect(&database.url)
            .await
            .expect("the benchmark database opens");
        let open =
            sqlx::query_scalar("SELECT COUNT(*) FROM verifications WHERE status = 'pending'")
                .fetch_one(&pool)
                .await
                .expect("open verifications can be counted");
        let size: i64 = sqlx::query_scalar("SELECT pg_database_size(current_database())")
            .fetch_one(&pool)
            .await
            .expect("the database's size can be read");
        pool.close().await;
        (open, u64::try_from(size).unwrap_or_default())
    }
}

/// `name=value,name=value` (`BENCH_POSTGRES_SET`), names checked: they are spliced into SQL.
fn parse_settings(set: &str) -> Result<Vec<(String, String)>, String> {
    set.split(',')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair
                .split_once('=')
                .ok_or_else(|| format!("BENCH_POSTGRES_SET: {pair:?} is not name=value"))?;
            let name = name.trim();
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            {
                return Err(format!(
                    "BENCH_POSTGRES_SET: {name:?} is not a setting's name"
                ));
            }
            Ok((name.to_owned(), value.trim().to_owned()))
        })
        .collect()
}

/// `url` with its database (the path) replaced by `name`; its query string kept.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |at| at + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

/// CPU time (user + system) of every process on this machine named `postgres`: the server's
/// backends (one per connection the bots hold), its WAL writer, checkpointer and the rest. A
/// backend that exits is no longer counted: read it around a phase in which the bots keep
/// their connections.
pub fn server_cpu_time() -> Duration {
    // SAFETY: sysconf has no preconditions.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    let mut ticks = 0;
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        let Some((name, rest)) = stat.split_once(" (").and_then(|(_, r)| r.rsplit_once(')')) else {
            continue;
        };
        if name != "postgres" {
            continue;
        }
        let fields: Vec<&str> = rest.split_whitespace().collect();
        ticks += fields
            .get(11)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
            + fields
                .get(12)
                .and_then(|f| f.parse::<u64>().ok())
                .unwrap_or(0);
    }
    Duration::from_millis(ticks * 1000 / per_second)
}
