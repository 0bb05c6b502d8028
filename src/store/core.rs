//! The database handle and what every part of the store shares: its errors, the values its
//! rows hold (a verification's status, a person's role), and the rule for sends that may have
//! been charged.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

use super::checkpoint;
use super::language_cache::LanguageCache;

/// Why a failed send may still have been charged: the Gateway's answer never reached the
/// database (a timeout, a dropped connection, an HTTP error or HTML page from a proxy, a crash or
/// a database error after the call). Such sends count toward every limit at the last known
/// price, and a delivery report naming the verification in its `payload` re-attaches them.
pub(crate) const MAYBE_CHARGED: &str = "(error IN ('timeout', 'transport', 'interrupted', \
     'unrecorded') OR substr(error, 1, 5) = 'http_')";

/// Migrations embedded in the binary, one set per backend.
static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// A PostgreSQL connection idle in the pool for this long is pinged before it is used again.
const PING_WHEN_IDLE: Duration = Duration::from_secs(10);

/// The database behind the store. Every statement is written once, in SQL both backends read
/// (`$1` placeholders, `CASE` instead of summed booleans, `IS NOT DISTINCT FROM`), and
/// [`with_db!`] compiles the code around it for each backend's own driver: no `Any` driver and
/// its loose typing, no second copy of the store.
#[derive(Clone, Debug)]
pub(super) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// `with_db!(store, db => expression)`: the expression, with `db` the SQLite or the PostgreSQL
/// pool of `store`, written once and compiled for both. It runs as one call (a `return` in it
/// ends the call), and on PostgreSQL within the store's deadline ([`Timeouts::statement`]): a
/// call the database does not finish by then (a frozen connection, say) ends with
/// [`StoreError::Stalled`], so no handler waits on the database for longer.
macro_rules! with_db {
    ($store:expr, $db:ident => $body:expr) => {
        match &$store.db {
            $crate::store::core::Db::Sqlite($db) => async { $body }.await,
            $crate::store::core::Db::Postgres($db) => {
                $crate::store::core::within($store.deadline, async { $body }).await
            }
        }
    };
}
pub(super) use with_db;

/// `on_each_connection! { impl Trait { … } }`: implements a trait of statements that run on a
/// caller's connection (inside its transaction) for both backends' connections, from one body.
macro_rules! on_each_connection {
    (impl $trait:ident { $($body:tt)* }) => {
        impl $trait for sqlx::SqliteConnection { $($body)* }
        impl $trait for sqlx::PgConnection { $($body)* }
    };
}
pub(super) use on_each_connection;

/// What a transaction that decides about money or access contends on: the whole database on
/// SQLite (`BEGIN IMMEDIATE` takes its one write lock at once), just these keys on PostgreSQL
/// (transaction-scoped advisory locks), so that two replicas' reservations for different
/// numbers run side by side while two for one number, or two that count one person's day or
/// one budget, run one after the other exactly as on SQLite. (The partial unique index of open
/// verifications still stands behind it.)
#[derive(Debug, Clone, Copy)]
pub(super) enum Contention<'a> {
    /// Writes about access and links (invites, the owner link): one key for all of them.
    Access,
    /// Taking someone's access away: [`Contention::Access`], then the person, so that a
    /// reservation of theirs in flight is committed (and cancelled here) or starts after.
    Removal { person: i64 },
    /// A send's reservation: the number always; the person exclusively when their daily limit
    /// is counted (shared otherwise: only a removal waits for it); the budget only when one is
    /// set, since that one key is every reservation's.
    Reservation {
        phone: &'a str,
        person: i64,
        staff_limit: bool,
        budget: bool,
    },
    /// `/reset` of a number: what its limits count.
    Number(&'a str),
}

/// The advisory locks' first key, one per kind of thing locked (PostgreSQL's two-key form,
/// which no single-key lock can meet); the second key is the thing's hash.
const LOCK_ACCESS: i32 = 0x7665_7201; // "ver" 1
const LOCK_NUMBER: i32 = 0x7665_7202;
const LOCK_PERSON: i32 = 0x7665_7203;
const LOCK_BUDGET: i32 = 0x7665_7204;

impl Contention<'_> {
    /// The advisory locks to take, in the one order every transaction takes them (access, number,
    /// person, budget), so that none waits in a circle: `(kind, key, exclusive)`.
    fn locks(self) -> Vec<(i32, i32, bool)> {
        match self {
            Contention::Access => vec![(LOCK_ACCESS, 0, true)],
            Contention::Removal { person } => {
                vec![(LOCK_ACCESS, 0, true), (LOCK_PERSON, fold(person), true)]
            }
            Contention::Reservation {
                phone,
                person,
                staff_limit,
                budget,
            } => {
                let mut locks = vec![
                    (LOCK_NUMBER, number_key(phone), true),
                    (LOCK_PERSON, fold(person), staff_limit),
                ];
                if budget {
                    locks.push((LOCK_BUDGET, 0, true));
                }
                locks
            }
            Contention::Number(phone) => vec![(LOCK_NUMBER, number_key(phone), true)],
        }
    }

    /// One statement that takes every lock, left to right.
    fn statement(locks: &[(i32, i32, bool)]) -> String {
        let calls: Vec<String> = (0..locks.len())
            .map(|i| {
                let shared = if locks[i].2 { "" } else { "_shared" };
                format!(
                    "pg_advisory_xact_lock{shared}(${}, ${})",
                    2 * i + 1,
                    2 * i + 2
                )
            })
            .collect();
        format!("SELECT {}", calls.join(", "))
    }
}

/// A 64-bit id folded into an advisory lock's 32-bit key (two ids that fold alike only wait for
/// each other).
fn fold(id: i64) -> i32 {
    (id ^ (id >> 32)) as i32
}

/// A number's key: its digits (E.164 has at most 15), folded.
fn number_key(phone: &str) -> i32 {
    let digits = phone.bytes().filter(u8::is_ascii_digit).fold(0i64, |n, d| {
        n.wrapping_mul(10).wrapping_add(i64::from(d - b'0'))
    });
    fold(digits)
}

/// A transaction that holds what it contends on ([`Contention`]) from its first statement.
pub(super) trait Serialized {
    type Database: sqlx::Database;

    async fn begin_serialized(
        &self,
        on: Contention<'_>,
    ) -> Result<Transaction<'static, Self::Database>, sqlx::Error>;
}

impl Serialized for SqlitePool {
    type Database = Sqlite;

    async fn begin_serialized(
        &self,
        _on: Contention<'_>,
    ) -> Result<Transaction<'static, Sqlite>, sqlx::Error> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl Serialized for PgPool {
    type Database = Postgres;

    async fn begin_serialized(
        &self,
        on: Contention<'_>,
    ) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
        let locks = on.locks();
        let statement = Contention::statement(&locks);
        let mut tx = self.begin().await?;
        let mut query = sqlx::query(&statement);
        for (kind, key, _) in &locks {
            query = query.bind(kind).bind(key);
        }
        query.execute(&mut *tx).await?;
        Ok(tx)
    }
}

/// How long the bot and PostgreSQL wait for each other, so that a database (or a replica) that
/// stalls stops only the process that waits on it. Set on every PostgreSQL connection as it
/// opens (startup parameters: no extra round trip); SQLite has its own busy timeout and no
/// network, and ignores these. sqlx 0.8 offers no keepalive on the bot's side of the socket,
/// and none would help against a connection that froze while the peer still acknowledges:
/// the bot's side is the deadline of every store call ([`within`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeouts {
    /// `lock_timeout`: a statement waiting for a lock (another replica's reservation) gives up.
    pub lock: Duration,
    /// `statement_timeout` on the server, and the deadline of one store call in the bot: a call
    /// the database has not finished by then fails ([`StoreError::Stalled`]), even when the
    /// connection froze and no answer can come.
    pub statement: Duration,
    /// `idle_in_transaction_session_timeout`: the server ends a session that went silent inside
    /// a transaction (its process or network froze), which frees every lock it held.
    pub idle_in_transaction: Duration,
    /// `tcp_keepalives_idle` and `tcp_keepalives_interval` (3 probes): the server notices a
    /// client whose machine or network is gone.
    pub keepalive: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            lock: Duration::from_secs(5),
            statement: Duration::from_secs(10),
            idle_in_transaction: Duration::from_secs(3),
            keepalive: Duration::from_secs(10),
        }
    }
}

impl Timeouts {
    /// The server settings, as `-c name=value` startup options.
    fn startup_options(&self) -> [(&'static str, u128); 6] {
        let secs = |d: Duration| d.as_secs().max(1) as u128;
        [
            ("lock_timeout", self.lock.as_millis()),
            ("statement_timeout", self.statement.as_millis()),
            (
                "idle_in_transaction_session_timeout",
                self.idle_in_transaction.as_millis(),
            ),
            ("tcp_keepalives_idle", secs(self.keepalive)),
            ("tcp_keepalives_interval", secs(self.keepalive)),
            ("tcp_keepalives_count", 3),
        ]
    }
}

/// A store call the database did not finish within the deadline.
#[derive(Debug, thiserror::Error)]
#[error("the database did not answer within {} s", .0.as_secs())]
pub struct Stalled(Duration);

/// Runs a store call, and on PostgreSQL gives up on it at the deadline. Giving up drops the
/// call's connection mid-statement: the pool does not reuse it before it has answered (its
/// open transaction, if any, is rolled back), and the server ends the transaction itself
/// after [`Timeouts::idle_in_transaction`] if the connection stays silent.
pub(super) async fn within<T, E: From<Stalled>>(
    deadline: Option<Duration>,
    call: impl Future<Output = Result<T, E>>,
) -> Result<T, E> {
    let Some(deadline) = deadline else {
        return call.await;
    };
    match tokio::time::timeout(deadline, call).await {
        Ok(done) => done,
        Err(_) => Err(Stalled(deadline).into()),
    }
}

/// A stalled call inside a statement-level result: carried as a timed-out I/O error, and
/// turned back into [`StoreError::Stalled`] by `From<sqlx::Error>`.
impl From<Stalled> for sqlx::Error {
    fn from(stalled: Stalled) -> sqlx::Error {
        sqlx::Error::Io(std::io::Error::new(std::io::ErrorKind::TimedOut, stalled))
    }
}

impl From<Stalled> for StoreError {
    fn from(stalled: Stalled) -> StoreError {
        StoreError::Stalled(stalled)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlx(sqlx::Error),
    #[error("{0}")]
    Stalled(Stalled),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value that is not what the schema allows (a status, a role, a phone number, a
    /// language): the row was changed behind the bot's back.
    #[error("corrupt value in column {column}: {source}")]
    Corrupt {
        column: String,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::ColumnDecode { index, source } => StoreError::Corrupt {
                column: index,
                source,
            },
            sqlx::Error::Io(err) if err.get_ref().is_some_and(|inner| inner.is::<Stalled>()) => {
                let stalled = err.into_inner().and_then(|inner| inner.downcast().ok());
                StoreError::Stalled(*stalled.expect("checked above"))
            }
            other => StoreError::Sqlx(other),
        }
    }
}

impl StoreError {
    /// A value read from `column` that its type refused.
    pub(crate) fn corrupt(
        column: &str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> StoreError {
        StoreError::Corrupt {
            column: column.to_owned(),
            source: Box::new(source),
        }
    }
}

/// A stored text that is none of the values its column allows.
#[derive(Debug, thiserror::Error)]
#[error("{value:?} is not a {what}")]
pub struct Unexpected {
    what: &'static str,
    value: String,
}

/// What a person may do with the bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Staff,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Staff => "staff",
        }
    }
}

impl TryFrom<String> for Role {
    type Error = Unexpected;

    fn try_from(stored: String) -> Result<Role, Unexpected> {
        match stored.as_str() {
            "admin" => Ok(Role::Admin),
            "staff" => Ok(Role::Staff),
            _ => Err(Unexpected {
                what: "role",
                value: stored,
            }),
        }
    }
}

/// Where a verification is in its life. `Sending` and `Pending` are open; the rest are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The Gateway call is in flight (the row reserves the chat and the phone, so a double tap
    /// cannot pay twice).
    Sending,
    /// The code was sent; waiting for staff to type it.
    Pending,
    Verified,
    MaxAttempts,
    Expired,
    Cancelled,
    /// The send failed, or was interrupted by a crash before the Gateway answered.
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Sending => "sending",
            Status::Pending => "pending",
            Status::Verified => "verified",
            Status::MaxAttempts => "max_attempts",
            Status::Expired => "expired",
            Status::Cancelled => "cancelled",
            Status::Failed => "failed",
        }
    }

    pub fn is_open(self) -> bool {
        matches!(self, Status::Sending | Status::Pending)
    }

    pub(super) const ALL: [Status; 7] = [
        Status::Sending,
        Status::Pending,
        Status::Verified,
        Status::MaxAttempts,
        Status::Expired,
        Status::Cancelled,
        Status::Failed,
    ];
}

impl TryFrom<String> for Status {
    type Error = Unexpected;

    fn try_from(stored: String) -> Result<Status, Unexpected> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str() == stored)
            .ok_or(Unexpected {
                what: "status",
                value: stored,
            })
    }
}

/// How a number was verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// With a code the Gateway sent, typed back by staff.
    Code,
    /// The customer shared their own Telegram contact through a one-time `/qr` link: free.
    Contact,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Code => "code",
            Method::Contact => "contact",
        }
    }
}

impl TryFrom<String> for Method {
    type Error = Unexpected;

    fn try_from(stored: String) -> Result<Method, Unexpected> {
        match stored.as_str() {
            "code" => Ok(Method::Code),
            "contact" => Ok(Method::Contact),
            _ => Err(Unexpected {
                what: "method",
                value: stored,
            }),
        }
    }
}

/// The database handle. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pub(super) db: Db,
    /// Who reads in which language: asked for on every update, written rarely.
    pub(super) languages: std::sync::Arc<LanguageCache>,
    /// SQLite only: copies the write-ahead log back into the database file while the store is
    /// in use.
    _checkpointer: Option<std::sync::Arc<checkpoint::Checkpointer>>,
    /// PostgreSQL: how long one store call may take ([`Timeouts::statement`]).
    pub(super) deadline: Option<Duration>,
}

/// Which database a `DATABASE_URL` names, by its scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `sqlite:…`, or `postgres://…` / `postgresql://…`; anything else is `None`.
    pub fn of(url: &str) -> Option<Backend> {
        let scheme = url.split_once(':')?.0.to_ascii_lowercase();
        match scheme.as_str() {
            "sqlite" => Some(Backend::Sqlite),
            "postgres" | "postgresql" => Some(Backend::Postgres),
            _ => None,
        }
    }
}

impl Store {
    /// Opens the database `url` names (SQLite, created if missing; or PostgreSQL) and applies
    /// its pending migrations, with the default [`Timeouts`].
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        Self::connect_with(url, &Timeouts::default()).await
    }

    /// [`Store::connect`], PostgreSQL waiting as `timeouts` say.
    pub async fn connect_with(url: &str, timeouts: &Timeouts) -> Result<Store, StoreError> {
        match Backend::of(url) {
            Some(Backend::Postgres) => Self::connect_postgres(url, timeouts).await,
            Some(Backend::Sqlite) => Self::connect_sqlite(url).await,
            None => Err(StoreError::Sqlx(sqlx::Error::Configuration(
                "DATABASE_URL must start with sqlite: or postgres://".into(),
            ))),
        }
    }

    async fn connect_postgres(url: &str, timeouts: &Timeouts) -> Result<Store, StoreError> {
        let options = PgConnectOptions::from_str(url)?.options(timeouts.startup_options());
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .acquire_timeout(Duration::from_secs(5))
            // A connection that was in use a moment ago is not pinged before its next use (sqlx's
            // default pings every time, one more round trip per statement; sqlx still pings it
            // as it comes back to the pool). One idle for longer may have been closed by the
            // server or a proxy meanwhile: that one is pinged, and replaced if it is gone.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= PING_WHEN_IDLE {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .connect_with(options)
            .await?;
        // Migrations wait for each other (replicas starting together) and may take long on a big
        // table: on a connection of their own without the timeouts, closed afterwards.
        let mut migrating = pool.acquire().await?.detach();
        sqlx::raw_sql(
            "SET lock_timeout = 0; SET statement_timeout = 0; \
             SET idle_in_transaction_session_timeout = 0",
        )
        .execute(&mut migrating)
        .await?;
        POSTGRES_MIGRATIONS.run(&mut migrating).await?;
        sqlx::Connection::close(migrating).await?;
        Ok(Store {
            db: Db::Postgres(pool),
            languages: Default::default(),
            _checkpointer: None,
            deadline: Some(timeouts.statement),
        })
    }

    async fn connect_sqlite(url: &str) -> Result<Store, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL is durable across a process crash (kill -9); only a power loss
            // can take the last transactions.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // 512 KiB of page cache per connection (SQLite's default is 2 MiB): the hot pages are
            // the open verifications, and the operating system caches the rest of the file.
            .pragma("cache_size", "-512")
            // After a burst in which checkpoints could not catch up, the write-ahead log is cut
            // back to 64 MiB once it is checkpointed, instead of keeping its peak size on disk.
            .pragma("journal_size_limit", "67108864")
            // Checkpoints run in the background (`checkpoint`); SQLite's own, inside a commit,
            // only if that falls far behind.
            .pragma("wal_autocheckpoint", checkpoint::BACKSTOP_PAGES);
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            // A SQLite connection is a file handle, not a socket that can go stale: pinging it
            // before every use (sqlx's default) would double the round trips to its thread.
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        SQLITE_MIGRATIONS.run(&pool).await?;
        let checkpointer = checkpoint::Checkpointer::start(&options).await?;
        Ok(Store {
            db: Db::Sqlite(pool),
            languages: Default::default(),
            _checkpointer: Some(std::sync::Arc::new(checkpointer)),
            deadline: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_call_past_its_deadline_is_stalled_whatever_its_error_type() {
        let deadline = Some(Duration::from_millis(10));
        let statement = within(deadline, std::future::pending::<Result<(), sqlx::Error>>());
        let err = StoreError::from(statement.await.unwrap_err());
        assert!(matches!(err, StoreError::Stalled(_)), "{err:?}");
        assert_eq!(err.to_string(), "the database did not answer within 0 s");
        let call = within(deadline, std::future::pending::<Result<(), StoreError>>());
        assert!(matches!(call.await, Err(StoreError::Stalled(_))));
        let unbounded = within(None, async { Ok::<_, StoreError>(7) });
        assert_eq!(unbounded.await.unwrap(), 7);
    }

    #[test]
    fn locks_are_taken_in_one_order_and_only_what_is_contended() {
        let phone = "+447911123456";
        let reservation = |staff_limit, budget| Contention::Reservation {
            phone,
            person: 1001,
            staff_limit,
            budget,
        };
        let number = (LOCK_NUMBER, number_key(phone), true);
        assert_eq!(
            reservation(false, false).locks(),
            [number, (LOCK_PERSON, 1001, false)]
        );
        assert_eq!(
            reservation(true, true).locks(),
            [number, (LOCK_PERSON, 1001, true), (LOCK_BUDGET, 0, true)]
        );
        assert_eq!(Contention::Number(phone).locks(), [number]);
        assert_eq!(
            Contention::Removal { person: 1001 }.locks(),
            [(LOCK_ACCESS, 0, true), (LOCK_PERSON, 1001, true)]
        );
        // Two numbers, two keys; a number's key does not depend on how it was typed.
        assert_ne!(number_key(phone), number_key("+447911123457"));
        assert_eq!(number_key(phone), number_key("+44 7911 123456"));
        assert_eq!(
            Contention::statement(&reservation(false, true).locks()),
            "SELECT pg_advisory_xact_lock($1, $2), pg_advisory_xact_lock_shared($3, $4), \
             pg_advisory_xact_lock($5, $6)"
        );
    }

    #[test]
    fn the_timeouts_reach_the_server_as_startup_options() {
        let options = Timeouts::default().startup_options();
        assert_eq!(
            options,
            [
                ("lock_timeout", 5000),
                ("statement_timeout", 10_000),
                ("idle_in_transaction_session_timeout", 3000),
                ("tcp_keepalives_idle", 10),
                ("tcp_keepalives_interval", 10),
                ("tcp_keepalives_count", 3),
            ]
        );
    }
}
