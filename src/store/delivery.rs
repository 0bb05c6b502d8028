//! Delivery status: what Gateway reports (or polling) say happened to a sent code, and the
//! figures the health and metrics routes read. Also the sends lost after a paid pre-check
//! (`PRECHECK`): their request is on the row before the send, so its report or polled status
//! finds them, and attaches them again.

use sqlx::FromRow;

use super::core::{Contention, Db, MAYBE_CHARGED, Serialized, Status, Store, StoreError, with_db};
use super::verifications::COLUMNS;
use super::verifications::Verification;
use crate::gateway::DeliveryState;

/// What the Gateway last told us about one code's delivery (see [`crate::delivery`] for how
/// reports are merged into it).
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub status: Option<DeliveryState>,
    /// When the Gateway last changed `status` (Unix seconds); 0 when it did not say.
    pub updated_at: i64,
    pub is_refunded: bool,
    pub request_cost: Option<f64>,
}

/// A verification with what the staff's "code sent" message shows about its delivery.
#[derive(Debug, Clone)]
pub struct LiveView {
    pub verification: Verification,
    /// The bot's "code sent" message, once it is known.
    pub message_id: Option<i32>,
    pub delivery: Delivery,
}

#[derive(FromRow)]
struct DeliveryRow {
    delivery_status: Option<String>,
    delivery_updated_at: Option<i64>,
    is_refunded: bool,
    request_cost: Option<f64>,
}

impl From<DeliveryRow> for Delivery {
    fn from(row: DeliveryRow) -> Self {
        Delivery {
            status: row.delivery_status.map(DeliveryState::from),
            updated_at: row.delivery_updated_at.unwrap_or(0),
            is_refunded: row.is_refunded,
            request_cost: row.request_cost,
        }
    }
}

/// The verification a Gateway `request_id` belongs to, as a delivery report finds it.
#[derive(Debug, Clone)]
pub struct Reported {
    pub id: i64,
    /// `Sending` only for a pre-checked send in flight: any other send gets its `request_id`
    /// with the Gateway's answer.
    pub status: Status,
    pub delivery: Delivery,
}

#[derive(FromRow)]
struct IdentifiedDeliveryRow {
    id: i64,
    #[sqlx(try_from = "String")]
    status: Status,
    #[sqlx(flatten)]
    delivery: DeliveryRow,
}

/// No code lives longer than this (the Gateway's `ttl` is at most an hour): a lost send older
/// than it cannot be attached again, and its row is not looked at.
const LONGEST_TTL: i64 = 3600;

#[derive(FromRow)]
struct LiveRow {
    #[sqlx(flatten)]
    verification: Verification,
    delivery_updated_at: Option<i64>,
    is_refunded: bool,
}

impl Store {
    /// Whether this process's database connection works (the health check). On SQLite it
    /// also takes the write lock for a moment and lets it go: a file another process holds
    /// locked is a database this process cannot use. On PostgreSQL, a statement on this
    /// process's own pool.
    pub async fn health(&self) -> Result<(), StoreError> {
        match &self.db {
            Db::Sqlite(db) => {
                db.begin_serialized(Contention::Access)
                    .await?
                    .rollback()
                    .await?
            }
            Db::Postgres(db) => {
                sqlx::query("SELECT 1").execute(db).await?;
            }
        }
        Ok(())
    }

    /// The verification sent (or pre-checked) under a Gateway `request_id`, its status and its
    /// stored delivery.
    pub async fn delivery_of(&self, request_id: &str) -> Result<Option<Reported>, StoreError> {
        let row: Option<IdentifiedDeliveryRow> = with_db!(self, db => sqlx::query_as(
            "SELECT id, status, delivery_status, delivery_updated_at, is_refunded, request_cost \
             FROM verifications WHERE request_id = $1",
        )
        .bind(request_id)
        .fetch_optional(db)
        .await)?;
        Ok(row.map(|row| Reported {
            id: row.id,
            status: row.status,
            delivery: row.delivery.into(),
        }))
    }

    /// A delivery report (or a polled status) shows that the pre-checked request `request_id`
    /// of verification `id` sent its code, although the bot lost the send's answer (a timeout,
    /// a dropped connection, a crash): the pre-check's request was stored before the send, so
    /// it is known. If the verification was given up as possibly charged, never recorded as
    /// sent, its code is still valid and its phone has no other open verification, it is open
    /// again (a compare-and-set on all of that), its clock started when the send did. Returns it
    /// when it was attached again. `phone` is the report's number (E.164): another number
    /// attaches nothing.
    pub async fn reattach_prechecked(
        &self,
        id: i64,
        request_id: &str,
        phone: Option<&str>,
        now: i64,
    ) -> Result<Option<Verification>, StoreError> {
        let row: Option<Verification> = with_db!(self, db => sqlx::query_as(&format!(
            "UPDATE verifications AS v SET status = 'pending', \
             sent_at = COALESCE(send_started_at, created_at), \
             expires_at = COALESCE(send_started_at, created_at) + ttl, \
             error = NULL, closed_at = NULL \
             WHERE id = $1 AND request_id = $2 AND sent_at IS NULL AND ($3 IS NULL OR phone = $3) \
             AND COALESCE(send_started_at, created_at) + ttl > $4 \
             AND status = 'failed' AND {MAYBE_CHARGED} \
             AND NOT EXISTS (SELECT 1 FROM verifications o \
                 WHERE o.phone = v.phone AND o.status IN ('sending', 'pending')) \
             RETURNING {COLUMNS}"
        ))
        .bind(id)
        .bind(request_id)
        .bind(phone)
        .bind(now)
        .fetch_optional(db)
        .await)?;
        Ok(row)
    }

    /// Replaces a verification's delivery with `next` if it is still `current` (compare and
    /// swap); `false` when something changed it in between.
    pub async fn replace_delivery(
        &self,
        id: i64,
        current: &Delivery,
        next: &Delivery,
    ) -> Result<bool, StoreError> {
        let done = with_db!(self, db => sqlx::query(
            "UPDATE verifications SET delivery_status = $1, delivery_updated_at = $2, \
             is_refunded = $3, request_cost = $4 \
             WHERE id = $5 AND delivery_status IS NOT DISTINCT FROM $6 AND COALESCE(delivery_updated_at, 0) = $7 \
             AND is_refunded = $8 AND request_cost IS NOT DISTINCT FROM $9",
        )
        .bind(next.status.as_ref().map(DeliveryState::as_str))
        .bind(next.updated_at)
        .bind(next.is_refunded)
        .bind(next.request_cost)
        .bind(id)
        .bind(current.status.as_ref().map(DeliveryState::as_str))
        .bind(current.updated_at)
        .bind(current.is_refunded)
        .bind(current.request_cost)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// A verification with its "code sent" message and delivery, for showing it.
    pub async fn live_view(&self, id: i64) -> Result<Option<LiveView>, StoreError> {
        let row: Option<LiveRow> = with_db!(self, db => sqlx::query_as(&format!(
            "SELECT {COLUMNS}, delivery_updated_at, is_refunded \
             FROM verifications WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(db)
        .await)?;
        Ok(row.map(|row| {
            let verification = row.verification;
            let delivery = Delivery::from(DeliveryRow {
                delivery_status: verification.delivery_status.clone(),
                delivery_updated_at: row.delivery_updated_at,
                is_refunded: row.is_refunded,
                request_cost: verification.request_cost,
            });
            LiveView {
                message_id: verification.message_id,
                verification,
                delivery,
            }
        }))
    }

    /// Open verifications whose code was sent and is still valid, and pre-checked sends whose
    /// answer was lost while their code could still be valid (see
    /// [`Store::reattach_prechecked`]): `(id, request_id)`, by id. Read from the open rows
    /// (`verifications_one_open_per_phone`) and the last hour's (`verifications_created_at`),
    /// whatever the history's size: the `IN` term repeats the partial index's condition, which
    /// SQLite does not infer from `= 'pending'`; `request_id || ''` keeps SQLite from reading
    /// every sent row through `verifications_request_id` instead; and the rows are sorted here,
    /// since an `ORDER BY` over the `UNION` makes SQLite read both parts in id order, that is
    /// the whole table.
    pub async fn awaiting_delivery(&self, now: i64) -> Result<Vec<(i64, String)>, StoreError> {
        let mut rows: Vec<(i64, String)> = with_db!(self, db => sqlx::query_as(&format!(
            "SELECT id, request_id FROM verifications \
             WHERE status IN ('sending', 'pending') AND status = 'pending' \
             AND (request_id || '') IS NOT NULL AND expires_at > $1 \
             UNION ALL \
             SELECT id, request_id FROM verifications \
             WHERE created_at > $2 AND status = 'failed' AND request_id IS NOT NULL \
             AND sent_at IS NULL AND {MAYBE_CHARGED} \
             AND COALESCE(send_started_at, created_at) + ttl > $3"
        ))
        .bind(now)
        .bind(now - LONGEST_TTL)
        .bind(now)
        .fetch_all(db)
        .await)?;
        rows.sort_unstable_by_key(|(id, _)| *id);
        Ok(rows)
    }

    /// How many verifications there are in each status, every status named: from the rollup
    /// (`activity`), not from the history.
    pub async fn count_by_status(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let counts: [i64; 7] = with_db!(self, db => sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(status_sending), 0) AS BIGINT), \
                    CAST(COALESCE(SUM(status_pending), 0) AS BIGINT), \
                    CAST(COALESCE(SUM(status_verified), 0) AS BIGINT), \
                    CAST(COALESCE(SUM(status_max_attempts), 0) AS BIGINT), \
                    CAST(COALESCE(SUM(status_expired), 0) AS BIGINT), \
                    CAST(COALESCE(SUM(status_cancelled), 0) AS BIGINT), \
                    CAST(COALESCE(SUM(status_failed), 0) AS BIGINT) FROM activity",
        )
        .fetch_one(db)
        .await
        .map(|row: (i64, i64, i64, i64, i64, i64, i64)| {
            [row.0, row.1, row.2, row.3, row.4, row.5, row.6]
        }))?;
        Ok(Status::ALL
            .into_iter()
            .zip(counts)
            .map(|(status, count)| (status.as_str().to_owned(), count))
            .collect())
    }

    /// Credits spent on codes so far: every charged request that was not refunded (from the
    /// rollup, to the millionth).
    pub async fn money_spent(&self) -> Result<f64, StoreError> {
        let micros: i64 = with_db!(self, db => sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(kept_micros), 0) AS BIGINT) FROM activity",
        )
        .fetch_one(db)
        .await)?;
        Ok(micros as f64 / 1e6)
    }
}
