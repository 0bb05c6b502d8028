//! The database: every SQL statement of the bot lives in this module and its children (and the
//! triggers in `migrations/`).
//!
//! SQLite in WAL mode, migrations from `migrations/` applied at start-up. The database is the
//! source of truth: a verification is written before staff are told about it, so a `kill -9`
//! loses nothing that was acknowledged, and every limit is counted from stored rows, so limits
//! survive restarts and hold across processes sharing the database.

mod audit;
mod balance;
mod checkpoint;
mod delivery;
mod languages;
mod limits;
mod people;
mod reports;
mod verifications;

use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use balance::BalanceAlert;
pub use delivery::LiveView;
pub use languages::StoredLanguage;
pub use limits::{Limits, Refusal};
pub use people::{Claim, Member, Removal, StaffMember};
pub use reports::{ExportRecord, PeriodStats};
pub use verifications::{NewVerification, Reservation, Verification};

/// Why a failed send may still have been charged: the Gateway's answer never reached the
/// database (a timeout, a dropped connection, an HTTP error or HTML page from a proxy, a crash or
/// a database error after the call). Such sends count toward every limit at the last known
/// price, and a delivery report naming the verification in its `payload` re-attaches them.
pub(crate) const MAYBE_CHARGED: &str = "(error IN ('timeout', 'transport', 'interrupted', \
     'unrecorded') OR error GLOB 'http_*')";

/// Migrations embedded in the binary.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
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

    fn parse(s: &str) -> Role {
        if s == "admin" {
            Role::Admin
        } else {
            Role::Staff
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

    fn parse(s: &str) -> Status {
        match s {
            "sending" => Status::Sending,
            "pending" => Status::Pending,
            "verified" => Status::Verified,
            "max_attempts" => Status::MaxAttempts,
            "expired" => Status::Expired,
            "cancelled" => Status::Cancelled,
            _ => Status::Failed,
        }
    }

    pub fn is_open(self) -> bool {
        matches!(self, Status::Sending | Status::Pending)
    }
}

/// The database handle. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    /// Who reads in which language: asked for on every update, written rarely.
    languages: std::sync::Arc<languages::Cache>,
    /// Copies the write-ahead log back into the database file while the store is in use.
    _checkpointer: std::sync::Arc<checkpoint::Checkpointer>,
}

impl Store {
    /// Opens (creating if missing) the database and applies pending migrations.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
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
        MIGRATOR.run(&pool).await?;
        let checkpointer = checkpoint::Checkpointer::start(&options).await?;
        Ok(Store {
            pool,
            languages: Default::default(),
            _checkpointer: std::sync::Arc::new(checkpointer),
        })
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}
