//! The database: every SQL statement of the bot lives in this module.
//!
//! SQLite in WAL mode, migrations from `migrations/` applied at start-up. The database is the
//! source of truth: a verification is written before staff are told about it, so a `kill -9`
//! loses nothing that was acknowledged.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{FromRow, SqlitePool};

use crate::gateway::RequestStatus;

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
    /// The Gateway call is in flight (the row reserves the chat so a double tap cannot pay twice).
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
}

/// One verification, as stored.
#[derive(Debug, Clone)]
pub struct Verification {
    pub id: i64,
    pub chat_id: i64,
    pub staff_user_id: i64,
    /// E.164.
    pub phone: String,
    pub status: Status,
    pub code_length: usize,
    pub ttl: u32,
    pub request_id: Option<String>,
    pub request_cost: Option<f64>,
    pub delivery_status: Option<String>,
    pub attempts: u32,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub expires_at: Option<i64>,
}

impl Verification {
    /// Whether the code has outlived its `ttl`.
    pub fn is_overdue(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|expires_at| expires_at <= now)
    }
}

#[derive(FromRow)]
struct VerificationRow {
    id: i64,
    chat_id: i64,
    staff_user_id: i64,
    phone: String,
    status: String,
    code_length: i64,
    ttl: i64,
    request_id: Option<String>,
    request_cost: Option<f64>,
    delivery_status: Option<String>,
    attempts: i64,
    created_at: i64,
    sent_at: Option<i64>,
    expires_at: Option<i64>,
}

impl From<VerificationRow> for Verification {
    fn from(row: VerificationRow) -> Self {
        Verification {
            id: row.id,
            chat_id: row.chat_id,
            staff_user_id: row.staff_user_id,
            phone: row.phone,
            status: Status::parse(&row.status),
            code_length: row.code_length as usize,
            ttl: row.ttl as u32,
            request_id: row.request_id,
            request_cost: row.request_cost,
            delivery_status: row.delivery_status,
            attempts: row.attempts as u32,
            created_at: row.created_at,
            sent_at: row.sent_at,
            expires_at: row.expires_at,
        }
    }
}

const VERIFICATION_COLUMNS: &str = "id, chat_id, staff_user_id, phone, status, code_length, ttl, \
     request_id, request_cost, delivery_status, attempts, created_at, sent_at, expires_at";

/// What a new verification needs before anything is sent.
#[derive(Debug, Clone)]
pub struct NewVerification<'a> {
    pub chat_id: i64,
    pub staff_user_id: i64,
    pub phone: &'a str,
    pub code_length: u8,
    pub ttl: u32,
}

/// The outcome of trying to open a verification in a chat.
#[derive(Debug)]
pub enum Reservation {
    /// The chat is ours: the row id to send with.
    Reserved(i64),
    /// The chat already has an open verification; nothing was written.
    AlreadyOpen(Verification),
}

/// A person joining through a link.
#[derive(Debug, Clone)]
pub struct Member<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub username: Option<&'a str>,
}

/// The database handle. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
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
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        Ok(Store { pool })
    }

    /// Answers when the database does.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    // --- people -------------------------------------------------------------------------------

    /// The stored role of a user, if any.
    pub async fn role_of(&self, user_id: i64) -> Result<Option<Role>, StoreError> {
        let role: Option<String> = sqlx::query_scalar("SELECT role FROM staff WHERE user_id = ?")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(role.as_deref().map(Role::parse))
    }

    /// Whether any admin is stored.
    pub async fn has_admin(&self) -> Result<bool, StoreError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM staff WHERE role = 'admin' LIMIT 1")
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    /// Replaces any unused owner link by a new one (only its hash is stored).
    pub async fn replace_owner_invite(&self, token_hash: &str, now: i64) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM invites WHERE created_by IS NULL AND used_at IS NULL")
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO invites (token_hash, role, created_at, created_by, expires_at) \
             VALUES (?, 'admin', ?, NULL, NULL)",
        )
        .bind(token_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Uses a link once: marks it used and stores the person with the link's role, atomically.
    /// `None` when the link is unknown, used or expired.
    pub async fn claim_invite(
        &self,
        token_hash: &str,
        member: &Member<'_>,
        now: i64,
    ) -> Result<Option<Role>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let claimed: Option<(String, Option<i64>)> = sqlx::query_as(
            "UPDATE invites SET used_at = ?, used_by = ? \
             WHERE token_hash = ? AND used_at IS NULL AND (expires_at IS NULL OR expires_at > ?) \
             RETURNING role, created_by",
        )
        .bind(now)
        .bind(member.user_id)
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((role, created_by)) = claimed else {
            return Ok(None);
        };
        sqlx::query(
            "INSERT INTO staff (user_id, role, name, username, added_at, added_by) \
             VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (user_id) DO UPDATE SET role = excluded.role, name = excluded.name, \
             username = excluded.username",
        )
        .bind(member.user_id)
        .bind(&role)
        .bind(member.name)
        .bind(member.username)
        .bind(now)
        .bind(created_by)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(Role::parse(&role)))
    }

    // --- verifications ------------------------------------------------------------------------

    /// Opens a verification in a chat, unless one is open there already. The unique index on
    /// open verifications makes this hold under any concurrency.
    pub async fn reserve(
        &self,
        new: &NewVerification<'_>,
        now: i64,
    ) -> Result<Reservation, StoreError> {
        self.expire_overdue(new.chat_id, now).await?;
        let inserted = sqlx::query_scalar(
            "INSERT INTO verifications (chat_id, staff_user_id, phone, status, code_length, ttl, created_at) \
             VALUES (?, ?, ?, 'sending', ?, ?, ?) RETURNING id",
        )
        .bind(new.chat_id)
        .bind(new.staff_user_id)
        .bind(new.phone)
        .bind(new.code_length)
        .bind(new.ttl)
        .bind(now)
        .fetch_one(&self.pool)
        .await;
        match inserted {
            Ok(id) => Ok(Reservation::Reserved(id)),
            Err(sqlx::Error::Database(err)) if err.is_unique_violation() => {
                match self.open_in_chat(new.chat_id).await? {
                    Some(open) => Ok(Reservation::AlreadyOpen(open)),
                    None => Err(sqlx::Error::Database(err).into()),
                }
            }
            Err(err) => Err(err.into()),
        }
    }

    /// The open verification of a chat, if any, even one whose code has outlived its `ttl`
    /// (the caller decides what to tell staff about it).
    pub async fn open_in_chat(&self, chat_id: i64) -> Result<Option<Verification>, StoreError> {
        let row: Option<VerificationRow> = sqlx::query_as(&format!(
            "SELECT {VERIFICATION_COLUMNS} FROM verifications \
             WHERE chat_id = ? AND status IN ('sending', 'pending')"
        ))
        .bind(chat_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(Verification::from))
    }

    /// Closes a chat's pending verification whose code has outlived its `ttl`.
    ///
    /// `status IN ('sending', 'pending')` repeats the condition of the partial index on open
    /// verifications so that SQLite uses it: it does not infer it from `status = 'pending'`, and
    /// without it every `/verify` scanned the whole table, history included.
    async fn expire_overdue(&self, chat_id: i64, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE verifications SET status = 'expired', closed_at = ? \
             WHERE chat_id = ? AND status IN ('sending', 'pending') AND status = 'pending' \
             AND expires_at <= ?",
        )
        .bind(now)
        .bind(chat_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The Gateway accepted the send: the verification is now pending until `now + ttl`.
    pub async fn mark_sent(
        &self,
        id: i64,
        sent: &RequestStatus,
        now: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE verifications SET status = 'pending', request_id = ?, sent_at = ?, \
             expires_at = ? + ttl, request_cost = ?, remaining_balance = ?, is_refunded = ?, \
             delivery_status = ? WHERE id = ?",
        )
        .bind(&sent.request_id)
        .bind(now)
        .bind(now)
        .bind(sent.request_cost)
        .bind(sent.remaining_balance)
        .bind(sent.is_refunded.unwrap_or(false))
        .bind(sent.delivery_status.as_ref().map(|d| d.status.as_str()))
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Remembers the bot's "code sent" message, so later updates can refer to it.
    pub async fn set_message_id(&self, id: i64, message_id: i32) -> Result<(), StoreError> {
        sqlx::query("UPDATE verifications SET message_id = ? WHERE id = ?")
            .bind(message_id)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records a code check: one more attempt, the Gateway's verdict and the new status.
    pub async fn record_check(
        &self,
        id: i64,
        answer: &RequestStatus,
        status: Status,
        now: i64,
    ) -> Result<(), StoreError> {
        let verdict = answer
            .verification_status
            .as_ref()
            .map(|v| v.status.as_str());
        sqlx::query(
            "UPDATE verifications SET attempts = attempts + 1, checked_at = ?, status = ?, \
             verification_status = ?, request_cost = ?, \
             remaining_balance = COALESCE(?, remaining_balance), \
             is_refunded = COALESCE(?, is_refunded), \
             delivery_status = COALESCE(?, delivery_status), \
             closed_at = CASE WHEN ? THEN ? ELSE closed_at END \
             WHERE id = ?",
        )
        .bind(now)
        .bind(status.as_str())
        .bind(verdict)
        .bind(answer.request_cost)
        .bind(answer.remaining_balance)
        .bind(answer.is_refunded)
        .bind(answer.delivery_status.as_ref().map(|d| d.status.as_str()))
        .bind(is_final(status))
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Closes a verification with a final status and, for failures, the reason.
    pub async fn close(
        &self,
        id: i64,
        status: Status,
        error: Option<&str>,
        now: i64,
    ) -> Result<(), StoreError> {
        debug_assert!(is_final(status));
        sqlx::query(
            "UPDATE verifications SET status = ?, error = COALESCE(?, error), closed_at = ? \
             WHERE id = ? AND status IN ('sending', 'pending')",
        )
        .bind(status.as_str())
        .bind(error)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// At start-up: sends that a crash interrupted never learned their `request_id`, so they
    /// cannot be checked. Closes them as failed; returns how many there were. (The `IN` term
    /// lets SQLite read the partial index of open verifications instead of the whole table.)
    pub async fn fail_interrupted_sends(&self, now: i64) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE verifications SET status = 'failed', error = 'interrupted', closed_at = ? \
             WHERE status IN ('sending', 'pending') AND status = 'sending'",
        )
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }
}

fn is_final(status: Status) -> bool {
    !matches!(status, Status::Sending | Status::Pending)
}
