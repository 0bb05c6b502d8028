//! Events (issue #22): the outbox of what happened to verifications, for the business's own
//! systems, and what the receiver answered.
//!
//! The events are written by the database itself: triggers on `verifications` (see the
//! migration `events`) add a row to `event_outbox`, with the exact JSON body that is POSTed, in
//! the statement that makes the change, so a change and its event commit together whichever
//! code path makes it. This module is the other side: the deliverer ([`crate::events`]) claims
//! due events here, and records what became of them.
//!
//! Order per verification: an event is claimed only when no earlier event of its verification
//! is undone (neither delivered nor given up), so a later event waits for the earlier one,
//! whichever process delivers them. Claims are leases (`claimed_until`): a process that dies
//! with an event claimed leaves it to be claimed again when the lease runs out. On PostgreSQL
//! processes claim side by side (`FOR UPDATE SKIP LOCKED`); on SQLite one claim at a time
//! (`BEGIN IMMEDIATE`).

use sqlx::FromRow;

use super::core::{Db, Serialized, Store, StoreError, with_db};

/// Every type of event, in the order the README documents them.
pub const EVENT_TYPES: [&str; 10] = [
    "verification.sent",
    "verification.delivered",
    "verification.read",
    "verification.verified",
    "verification.wrong_code",
    "verification.max_attempts",
    "verification.expired",
    "verification.cancelled",
    "verification.failed",
    "verification.revoked",
];

/// One event claimed for delivery.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct OutboxEvent {
    pub id: i64,
    /// The `webhook-id`: `evt_` and 24 hex digits, the same on every attempt.
    pub event_id: String,
    pub verification_id: i64,
    /// `verification.sent`, …
    #[sqlx(rename = "type")]
    pub kind: String,
    /// The exact JSON to POST (and sign).
    pub body: String,
    /// Attempts made so far (0 for a new event, or one queued again by `/events resend`).
    #[sqlx(try_from = "i64")]
    pub attempts: u32,
    /// When the change happened (queued again: when it was queued again), Unix seconds: the
    /// retries end `EVENTS_MAX_AGE` after it.
    pub created_at: i64,
}

/// What the receiver at one URL last answered.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Endpoint {
    pub url: String,
    /// It answered 410 Gone: nothing more is sent to it.
    pub gone_at: Option<i64>,
    pub last_success_at: Option<i64>,
    pub last_error: Option<String>,
    pub last_error_at: Option<i64>,
    /// The first failure since the last success; `None` while it works.
    pub failing_since: Option<i64>,
    /// The admins were told that it has been failing (and not yet that it recovered).
    pub failing_told: bool,
}

/// The outbox in figures, for `/events` and `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EventsSummary {
    /// Neither delivered nor given up.
    pub pending: i64,
    pub given_up: i64,
    /// When the oldest pending event was made.
    pub oldest_pending_at: Option<i64>,
    /// Delivered in the 24 hours before `now`.
    pub delivered_last_day: i64,
}

#[derive(FromRow)]
struct SummaryRow {
    pending: i64,
    given_up: i64,
    oldest_pending_at: Option<i64>,
    delivered_last_day: i64,
}

/// The columns of an [`OutboxEvent`].
const EVENT_COLUMNS: &str = "id, event_id, verification_id, type, body, \
     CAST(attempts AS BIGINT) AS attempts, created_at";

/// Neither delivered nor given up.
const UNDONE: &str = "delivered_at IS NULL AND given_up_at IS NULL";

/// The events [`Store::claim_events`] takes (`$1` now, `$3` how many): due, undone, not
/// claimed by a live lease, and no earlier event of their verification undone.
const DUE: &str = "SELECT e.id FROM event_outbox e \
     WHERE e.delivered_at IS NULL AND e.given_up_at IS NULL AND e.next_attempt_at <= $1 \
     AND (e.claimed_until IS NULL OR e.claimed_until < $1) \
     AND NOT EXISTS (SELECT 1 FROM event_outbox o \
         WHERE o.verification_id = e.verification_id AND o.id < e.id \
         AND o.delivered_at IS NULL AND o.given_up_at IS NULL) \
     ORDER BY e.id LIMIT $3";

const ENDPOINT_COLUMNS: &str = "url, gone_at, last_success_at, last_error, last_error_at, \
     failing_since, failing_told";

impl Store {
    /// Turns the writing of events on or off, for `types` only (`None`: every type). Each
    /// process calls it at start-up with its settings; replicas share one configuration. While
    /// off, changes write no event at all.
    pub async fn configure_events(
        &self,
        enabled: bool,
        types: Option<&[&str]>,
    ) -> Result<(), StoreError> {
        let types = types.map(|types| types.join(","));
        with_db!(self, db => sqlx::query(
            "UPDATE event_settings SET enabled = $1, types = $2 WHERE id = 1",
        )
        .bind(enabled)
        .bind(types)
        .execute(db)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Claims up to `limit` events to deliver now, until `now + lease_secs`: due, undone, not
    /// claimed by a live lease, and each the oldest undone event of its verification (so at
    /// most one per verification, and the order of a verification's events holds). Oldest
    /// first.
    pub async fn claim_events(
        &self,
        now: i64,
        lease_secs: i64,
        limit: i64,
    ) -> Result<Vec<OutboxEvent>, StoreError> {
        let mut events: Vec<OutboxEvent> = match &self.db {
            Db::Sqlite(db) => {
                let mut tx = db.begin_serialized().await?;
                let claimed = sqlx::query_as(&format!(
                    "UPDATE event_outbox SET claimed_until = $2 WHERE id IN ({DUE}) \
                     RETURNING {EVENT_COLUMNS}"
                ))
                .bind(now)
                .bind(now + lease_secs)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                claimed
            }
            Db::Postgres(_) => with_db!(self, db => sqlx::query_as(&format!(
                "UPDATE event_outbox SET claimed_until = $2 \
                 WHERE id IN ({DUE} FOR UPDATE SKIP LOCKED) RETURNING {EVENT_COLUMNS}"
            ))
            .bind(now)
            .bind(now + lease_secs)
            .bind(limit)
            .fetch_all(db)
            .await)?,
        };
        events.sort_by_key(|event| event.id);
        Ok(events)
    }

    /// Event `id` was delivered (an attempt that got a 2xx answer).
    pub async fn event_delivered(&self, id: i64, now: i64) -> Result<(), StoreError> {
        with_db!(self, db => sqlx::query(
            "UPDATE event_outbox SET delivered_at = $1, attempts = attempts + 1, \
             claimed_until = NULL, last_error = NULL WHERE id = $2 AND delivered_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(db)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// An attempt to deliver event `id` failed with `error`: the next one is due at
    /// `next_attempt_at`, and the claim is released.
    pub async fn event_failed(
        &self,
        id: i64,
        next_attempt_at: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        with_db!(self, db => sqlx::query(&format!(
            "UPDATE event_outbox SET attempts = attempts + 1, next_attempt_at = $1, \
             last_error = $2, claimed_until = NULL WHERE id = $3 AND {UNDONE}"
        ))
        .bind(next_attempt_at)
        .bind(error)
        .bind(id)
        .execute(db)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// The last attempt to deliver event `id` failed with `error`, and no more are made (until
    /// `/events resend`): the later events of its verification go on.
    pub async fn event_given_up(&self, id: i64, now: i64, error: &str) -> Result<(), StoreError> {
        with_db!(self, db => sqlx::query(&format!(
            "UPDATE event_outbox SET attempts = attempts + 1, given_up_at = $1, last_error = $2, \
             claimed_until = NULL WHERE id = $3 AND {UNDONE}"
        ))
        .bind(now)
        .bind(error)
        .bind(id)
        .execute(db)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// What the receiver at `url` last answered; `None` before the first attempt.
    pub async fn endpoint(&self, url: &str) -> Result<Option<Endpoint>, StoreError> {
        Ok(with_db!(self, db => sqlx::query_as(&format!(
            "SELECT {ENDPOINT_COLUMNS} FROM event_endpoint WHERE url = $1"
        ))
        .bind(url)
        .fetch_optional(db)
        .await)?)
    }

    /// The receiver at `url` took an event: it works (again).
    pub async fn endpoint_succeeded(&self, url: &str, now: i64) -> Result<(), StoreError> {
        with_db!(self, db => sqlx::query(
            "INSERT INTO event_endpoint (url, last_success_at) VALUES ($1, $2) \
             ON CONFLICT (url) DO UPDATE SET last_success_at = excluded.last_success_at, \
             failing_since = NULL",
        )
        .bind(url)
        .bind(now)
        .execute(db)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// An attempt to deliver to `url` failed with `error`.
    pub async fn endpoint_failed(
        &self,
        url: &str,
        now: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        with_db!(self, db => sqlx::query(
            "INSERT INTO event_endpoint (url, last_error, last_error_at, failing_since) \
             VALUES ($1, $2, $3, $3) \
             ON CONFLICT (url) DO UPDATE SET last_error = excluded.last_error, \
             last_error_at = excluded.last_error_at, \
             failing_since = COALESCE(event_endpoint.failing_since, excluded.failing_since)",
        )
        .bind(url)
        .bind(error)
        .bind(now)
        .execute(db)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// The receiver at `url` answered 410 Gone: nothing more goes to it. `true` for the first
    /// such answer (the admins are told once), whichever process got it.
    pub async fn endpoint_gone(&self, url: &str, now: i64) -> Result<bool, StoreError> {
        let done = with_db!(self, db => sqlx::query(
            "INSERT INTO event_endpoint (url, gone_at, last_error, last_error_at) \
             VALUES ($1, $2, '410 Gone', $2) \
             ON CONFLICT (url) DO UPDATE SET gone_at = excluded.gone_at, \
             last_error = excluded.last_error, last_error_at = excluded.last_error_at \
             WHERE event_endpoint.gone_at IS NULL",
        )
        .bind(url)
        .bind(now)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// Records that the admins are told that `url` is failing (`failing`: it has been failing
    /// since [`Endpoint::failing_since`]) or that it recovered (`!failing`: it works again
    /// after they were told). A compare-and-set: `true` only for the one process that should
    /// tell them, once; `false` when that was done already or the state is not that.
    pub async fn endpoint_told(&self, url: &str, failing: bool) -> Result<bool, StoreError> {
        let state = if failing {
            "failing_since IS NOT NULL"
        } else {
            "failing_since IS NULL"
        };
        let done = with_db!(self, db => sqlx::query(&format!(
            "UPDATE event_endpoint SET failing_told = $1 \
             WHERE url = $2 AND failing_told <> $1 AND {state}"
        ))
        .bind(failing)
        .bind(url)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// The outbox in figures at `now`.
    pub async fn events_summary(&self, now: i64) -> Result<EventsSummary, StoreError> {
        let row: SummaryRow = with_db!(self, db => sqlx::query_as(&format!(
            "SELECT \
             COALESCE(SUM(CASE WHEN {UNDONE} THEN 1 ELSE 0 END), 0) AS pending, \
             COALESCE(SUM(CASE WHEN given_up_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS given_up, \
             MIN(CASE WHEN {UNDONE} THEN created_at END) AS oldest_pending_at, \
             COALESCE(SUM(CASE WHEN delivered_at > $1 THEN 1 ELSE 0 END), 0) \
                 AS delivered_last_day \
             FROM event_outbox"
        ))
        .bind(now - 86_400)
        .fetch_one(db)
        .await)?;
        Ok(EventsSummary {
            pending: row.pending,
            given_up: row.given_up,
            oldest_pending_at: row.oldest_pending_at,
            delivered_last_day: row.delivered_last_day,
        })
    }

    /// Queues every given-up event again (`/events resend`): due at `now`, with its attempts
    /// and its retry window starting again from `now`. Receivers deduplicate by `webhook-id`,
    /// which stays the same. Returns how many.
    pub async fn resend_given_up(&self, now: i64) -> Result<u64, StoreError> {
        Ok(with_db!(self, db => sqlx::query(
            "UPDATE event_outbox SET given_up_at = NULL, attempts = 0, next_attempt_at = $1, \
             created_at = $1, claimed_until = NULL \
             WHERE given_up_at IS NOT NULL AND delivered_at IS NULL",
        )
        .bind(now)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?)
    }

    /// Deletes the events delivered before `delivered_before`. Returns how many.
    pub async fn prune_events(&self, delivered_before: i64) -> Result<u64, StoreError> {
        Ok(with_db!(self, db => sqlx::query(
            "DELETE FROM event_outbox WHERE delivered_at < $1",
        )
        .bind(delivered_before)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?)
    }
}
