//! Verifications: reserve (with every limit checked in the same transaction), send, check,
//! close.

use sqlx::FromRow;

use super::audit::{AuditLog, Entry};
use super::core::{
    Contention, Db, MAYBE_CHARGED, Method, Serialized, Status, Store, StoreError, with_db,
};
use super::limits::{Limited, Limits, Refusal};
use super::questions::QUESTION_TTL;
use crate::gateway::RequestStatus;
use crate::phone::PhoneNumber;

/// One verification, as stored: read straight into domain types, and a value the schema does
/// not allow is a [`StoreError::Corrupt`], never a default.
#[derive(Debug, Clone, FromRow)]
pub struct Verification {
    pub id: i64,
    pub chat_id: i64,
    pub staff_user_id: i64,
    #[sqlx(try_from = "String")]
    pub phone: PhoneNumber,
    #[sqlx(try_from = "String")]
    pub status: Status,
    #[sqlx(try_from = "i64")]
    pub code_length: usize,
    #[sqlx(try_from = "i64")]
    pub ttl: u32,
    pub request_id: Option<String>,
    pub request_cost: Option<f64>,
    pub delivery_status: Option<String>,
    #[sqlx(try_from = "i64")]
    pub attempts: u32,
    /// The bot's "code sent" message in `chat_id`.
    pub message_id: Option<i32>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub expires_at: Option<i64>,
    /// When it reached its final status.
    pub closed_at: Option<i64>,
    #[sqlx(try_from = "String")]
    pub method: Method,
    /// `CONFIRM_CONSENT`: who confirmed the customer agreed to receive a code, and when.
    pub consent_by: Option<i64>,
    pub consent_at: Option<i64>,
}

impl Verification {
    /// Whether the code has outlived its `ttl`.
    pub fn is_overdue(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|expires_at| expires_at <= now)
    }
}

pub(super) const COLUMNS: &str = "id, chat_id, staff_user_id, phone, status, code_length, ttl, request_id, \
     request_cost, delivery_status, attempts, message_id, created_at, sent_at, expires_at, closed_at, \
     method, consent_by, consent_at";
/// The same columns, qualified with the table alias `v`, for joins.
pub(super) const COLUMNS_V: &str = "v.id, v.chat_id, v.staff_user_id, v.phone, v.status, v.code_length, \
     v.ttl, v.request_id, v.request_cost, v.delivery_status, v.attempts, v.message_id, \
     v.created_at, v.sent_at, v.expires_at, v.closed_at, v.method, v.consent_by, v.consent_at";
const OPEN: &str = "status IN ('sending', 'pending')";

#[derive(FromRow)]
struct HistoryRow {
    #[sqlx(flatten)]
    verification: Verification,
    staff_name: Option<String>,
}

/// What a new verification needs before anything is sent.
#[derive(Debug, Clone)]
pub struct NewVerification<'a> {
    pub chat_id: i64,
    pub staff_user_id: i64,
    pub phone: &'a PhoneNumber,
    pub code_length: u8,
    pub ttl: u32,
    /// A resend: this open verification is closed in the same transaction.
    pub replaces: Option<i64>,
    /// The answer to a question the bot asked first (see [`Store::ask`]): the question is
    /// answered in the same transaction, once.
    pub question: Option<i64>,
    /// `CONFIRM_CONSENT`: who confirmed the customer agreed, stored with the row and audited.
    pub consent_by: Option<i64>,
}

/// The outcome of trying to open a verification.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // one short-lived value per update, never stored
pub enum Reservation {
    /// Reserved: the new row's id, in status `sending`.
    Reserved(i64),
    /// The phone already has an open verification; nothing was written.
    AlreadyOpen(Verification),
    /// A limit says no; nothing was written but the audit row.
    Refused(Refusal),
    /// The verification to replace is no longer open; nothing was written.
    NoLongerOpen,
    /// The question this answers was answered already, or has expired; nothing was written.
    QuestionClosed,
}

impl Store {
    /// Reserves a send: at most one open verification per phone, within the limits. The
    /// transaction holds what it contends on from its start ([`Contention::Reservation`]: SQLite's
    /// write lock; on PostgreSQL the number, the person if their day is counted, the budget if
    /// one is set), so this holds under any concurrency, across processes too.
    pub async fn reserve(
        &self,
        new: &NewVerification<'_>,
        limits: &Limits,
        now: i64,
    ) -> Result<Reservation, StoreError> {
        with_db!(self, db => {
            let mut tx = db.begin_serialized(Contention::Reservation {
                phone: new.phone.e164(),
                person: new.staff_user_id,
                staff_limit: limits.staff_daily > 0,
                budget: limits.daily_budget > 0.0,
            }).await?;
            sqlx::query(
                "UPDATE verifications SET status = 'expired', closed_at = $1 \
                 WHERE status = 'pending' AND expires_at <= $2 AND phone = $3",
            )
            .bind(now)
            .bind(now)
            .bind(new.phone.e164())
            .execute(&mut *tx)
            .await?;
            if let Some(old) = new.replaces {
                let closed = sqlx::query(&format!(
                    "UPDATE verifications SET status = 'cancelled', error = 'resent', closed_at = $1 \
                     WHERE id = $2 AND {OPEN}"
                ))
                .bind(now)
                .bind(old)
                .execute(&mut *tx)
                .await?;
                if closed.rows_affected() == 0 {
                    return Ok(Reservation::NoLongerOpen);
                }
            }
            if let Some(question) = new.question {
                let answered = sqlx::query(
                    "UPDATE send_questions SET answered_at = $1, answer = 'send' \
                     WHERE id = $2 AND answered_at IS NULL AND asked_at > $3",
                )
                .bind(now)
                .bind(question)
                .bind(now - QUESTION_TTL)
                .execute(&mut *tx)
                .await?;
                if answered.rows_affected() == 0 {
                    return Ok(Reservation::QuestionClosed);
                }
            }
            let open: Option<Verification> = sqlx::query_as(&format!(
                "SELECT {COLUMNS} FROM verifications WHERE {OPEN} AND phone = $1"
            ))
            .bind(new.phone.e164())
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(open) = open {
                return Ok(Reservation::AlreadyOpen(open));
            }
            if let Some(refusal) =
                tx.limit_refusal(limits, new.phone.e164(), new.staff_user_id, now).await?
            {
                tx.rollback().await?;
                let entry = Entry {
                    actor: Some(new.staff_user_id),
                    action: "send_refused",
                    phone: Some(new.phone.e164()),
                    detail: Some(refusal.label()),
                    ..Default::default()
                };
                let mut conn = db.acquire().await?;
                conn.audit(entry, now).await?;
                return Ok(Reservation::Refused(refusal));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO verifications (chat_id, staff_user_id, phone, status, code_length, ttl, \
                 created_at, send_started_at, consent_by, consent_at) \
                 VALUES ($1, $2, $3, 'sending', $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(new.chat_id)
            .bind(new.staff_user_id)
            .bind(new.phone.e164())
            .bind(i64::from(new.code_length))
            .bind(i64::from(new.ttl))
            .bind(now)
            .bind(now)
            .bind(new.consent_by)
            .bind(new.consent_by.map(|_| now))
            .fetch_one(&mut *tx)
            .await?;
            if let Some(by) = new.consent_by {
                tx.audit_for(id, by, "consent", None, Some("customer agreed to receive a code"), now)
                    .await?;
            }
            if let Some(old) = new.replaces {
                let actor = new.staff_user_id;
                tx.audit_for(old, actor, "cancel", None, Some("resent"), now).await?;
            }
            tx.commit().await?;
            Ok(Reservation::Reserved(id))
        })
    }

    /// A verification by id, open or not.
    pub async fn verification(&self, id: i64) -> Result<Option<Verification>, StoreError> {
        let row: Option<Verification> = with_db!(self, db => sqlx::query_as(&format!("SELECT {COLUMNS} FROM verifications WHERE id = $1"))
                .bind(id)
                .fetch_optional(db)
                .await)?;
        Ok(row)
    }

    /// A staff member's open verifications in a chat, oldest first, even those whose code has
    /// outlived its `ttl` (the caller decides what to tell staff about them).
    pub async fn open_for(
        &self,
        chat_id: i64,
        staff_user_id: i64,
    ) -> Result<Vec<Verification>, StoreError> {
        let rows: Vec<Verification> = with_db!(self, db => sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM verifications \
             WHERE chat_id = $1 AND staff_user_id = $2 AND {OPEN} ORDER BY id"
        ))
        .bind(chat_id)
        .bind(staff_user_id)
        .fetch_all(db)
        .await)?;
        Ok(rows)
    }

    /// The verification announced by the bot's message `message_id` in a chat.
    pub async fn by_message(
        &self,
        chat_id: i64,
        message_id: i32,
    ) -> Result<Option<Verification>, StoreError> {
        let row: Option<Verification> = with_db!(self, db => sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM verifications WHERE chat_id = $1 AND message_id = $2"
        ))
        .bind(chat_id)
        .bind(message_id)
        .fetch_optional(db)
        .await)?;
        Ok(row)
    }

    /// The latest verifications, newest first, with the staff member's stored name: one
    /// person's (`staff = Some`) or everyone's. Each reads `limit` rows from an index
    /// (`verifications_staff_created` for one person), whatever the history's size: a person
    /// with few verifications among many is not found by reading everyone's.
    pub async fn history(
        &self,
        staff_user_id: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(Verification, Option<String>)>, StoreError> {
        let (whose, order) = match staff_user_id {
            Some(_) => ("v.staff_user_id = $2", "v.created_at DESC, v.id DESC"),
            None => ("$2 IS NULL", "v.id DESC"),
        };
        let rows: Vec<HistoryRow> = with_db!(self, db => sqlx::query_as(&format!(
            "SELECT {COLUMNS_V}, s.name AS staff_name FROM verifications v \
             LEFT JOIN staff s ON s.user_id = v.staff_user_id \
             WHERE {whose} ORDER BY {order} LIMIT $1"
        ))
        .bind(i64::from(limit))
        .bind(staff_user_id)
        .fetch_all(db)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|row| (row.verification, row.staff_name))
            .collect())
    }

    /// A `checkSendAbility` succeeded (and charged): its `request_id` will be used for the send,
    /// which starts now. `false` when the row is no longer `sending` (it was given up as
    /// abandoned meanwhile): nothing was written.
    pub async fn record_precheck(
        &self,
        id: i64,
        actor: i64,
        able: &RequestStatus,
        now: i64,
    ) -> Result<bool, StoreError> {
        with_db!(self, db => {
            let mut tx = db.begin().await?;
            let done = sqlx::query(
                "UPDATE verifications SET request_id = $1, request_cost = $2, send_started_at = $3 \
                 WHERE id = $4 AND status = 'sending'",
            )
            .bind(&able.request_id)
            .bind(able.request_cost)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            let cost = Some(able.request_cost);
            tx.audit_for(id, actor, "precheck", cost, None, now).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// The Gateway accepted the send: the verification is now pending until `now + ttl`.
    /// Returns it as stored. (The audit row is written by the database: see the migration
    /// `audit_in_database`.)
    ///
    /// A compare-and-set on a send still waiting for its answer: the row must be `sending`, or
    /// have been given up as interrupted while the phone has no other open verification. `None`
    /// when neither holds (see [`Store::record_unattached_send`]); a delivery report that
    /// re-attached this very request first counts as done.
    pub async fn mark_sent(
        &self,
        id: i64,
        sent: &RequestStatus,
        now: i64,
    ) -> Result<Option<Verification>, StoreError> {
        let row: Option<Verification> = with_db!(self, db => sqlx::query_as(&format!(
            "UPDATE verifications AS v SET status = 'pending', request_id = $1, sent_at = $2, \
             expires_at = $3 + ttl, request_cost = $4, remaining_balance = $5, is_refunded = $6, \
             delivery_status = $7, error = NULL, closed_at = NULL \
             WHERE id = $8 AND (request_id IS NULL OR request_id = $9) AND (status = 'sending' \
               OR (status = 'failed' AND {MAYBE_CHARGED} AND NOT EXISTS (SELECT 1 FROM \
                   verifications o WHERE o.phone = v.phone AND o.status IN ('sending', 'pending')))) \
             RETURNING {COLUMNS}"
        ))
        .bind(&sent.request_id)
        .bind(now)
        .bind(now)
        .bind(sent.request_cost)
        .bind(sent.remaining_balance)
        .bind(sent.is_refunded.unwrap_or(false))
        .bind(sent.delivery_status.as_ref().map(|d| d.status.as_str()))
        .bind(id)
        // A pre-check's request, reused by the send, is already on the row.
        .bind(&sent.request_id)
        .fetch_optional(db)
        .await)?;
        if let Some(row) = row {
            return Ok(Some(row));
        }
        let now_stored = self.verification(id).await?;
        Ok(now_stored.filter(|v| v.request_id.as_deref() == Some(sent.request_id.as_str())))
    }

    /// A paid send that could not be attached to its verification (closed meanwhile): its
    /// request and cost are kept on the row, so the money is counted and the code can be
    /// revoked. (The audit row of the send is written by the database.)
    pub async fn record_unattached_send(
        &self,
        id: i64,
        sent: &RequestStatus,
        now: i64,
    ) -> Result<(), StoreError> {
        with_db!(self, db => sqlx::query(
            "UPDATE verifications SET request_id = $1, request_cost = $2, sent_at = $3 \
             WHERE id = $4 AND request_id IS NULL",
        )
        .bind(&sent.request_id)
        .bind(sent.request_cost)
        .bind(now)
        .bind(id)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// A delivery report for a request no row knows, whose `payload` names verification `id`:
    /// the bot lost the Gateway's answer (a crash, a timeout, a database error). If that
    /// verification was given up as possibly charged, its code is still valid and its phone has
    /// no other open verification, the request is attached to it and it is open again (a
    /// compare-and-set on all of that). Returns the verification when it was re-attached.
    ///
    /// `request` is the report's `(request_id, request_cost)`, `phone` its number (E.164): a
    /// report for another number attaches nothing.
    pub async fn reattach(
        &self,
        id: i64,
        request: (&str, Option<f64>),
        phone: Option<&str>,
        now: i64,
    ) -> Result<Option<Verification>, StoreError> {
        let row: Option<Verification> = with_db!(self, db => sqlx::query_as(&format!(
            "UPDATE verifications AS v SET status = 'pending', request_id = $1, \
             sent_at = COALESCE(send_started_at, created_at), \
             expires_at = COALESCE(send_started_at, created_at) + ttl, \
             request_cost = COALESCE($2, request_cost), error = NULL, closed_at = NULL \
             WHERE id = $3 AND request_id IS NULL AND ($4 IS NULL OR phone = $4) \
             AND COALESCE(send_started_at, created_at) + ttl > $5 \
             AND status = 'failed' AND {MAYBE_CHARGED} \
             AND NOT EXISTS (SELECT 1 FROM verifications o \
                 WHERE o.phone = v.phone AND o.status IN ('sending', 'pending')) \
             RETURNING {COLUMNS}"
        ))
        .bind(request.0)
        .bind(request.1)
        .bind(id)
        .bind(phone)
        .bind(now)
        .fetch_optional(db)
        .await)?;
        Ok(row)
    }

    /// Remembers the bot's "code sent" message, so later updates can refer to it.
    ///
    /// Returns whether the verification is still open: a code typed through another process
    /// may have closed it before its message was stored (that process could then not remove
    /// the message's buttons).
    ///
    /// On PostgreSQL this commit does not wait for the disk (`synchronous_commit = off` for it
    /// alone): a crash of PostgreSQL itself in the next fraction of a second can lose which
    /// message it was, never anything about money or the verification's state; the codes typed
    /// then are matched by chat and person, as for a message that was never stored.
    pub async fn set_message_id(&self, id: i64, message_id: i32) -> Result<bool, StoreError> {
        let lazily = match &self.db {
            Db::Sqlite(_) => "",
            Db::Postgres(_) => " AND set_config('synchronous_commit', 'off', TRUE) <> ''",
        };
        let open: Option<bool> = with_db!(self, db => sqlx::query_scalar(&format!(
            "UPDATE verifications SET message_id = $1 WHERE id = $2{lazily} RETURNING {OPEN}"
        ))
        .bind(message_id)
        .bind(id)
        .fetch_optional(db)
        .await)?;
        Ok(open.unwrap_or(false))
    }

    /// Records a code check: one more attempt, the Gateway's verdict and the new status. A refund
    /// is kept once known; the delivery status is left to [`crate::delivery`], which orders
    /// reports by time. (The audit row is written by the database: see the migration
    /// `audit_in_database`.) A compare-and-set on a pending verification: `false` when it was
    /// closed meanwhile (cancelled by an admin, say), and nothing was written.
    pub async fn record_check(
        &self,
        id: i64,
        answer: &RequestStatus,
        status: Status,
        now: i64,
    ) -> Result<bool, StoreError> {
        let verdict = answer
            .verification_status
            .as_ref()
            .map(|v| v.status.as_str());
        let done = with_db!(self, db => sqlx::query(
            "UPDATE verifications SET attempts = attempts + 1, checked_at = $1, status = $2, \
             verification_status = $3, request_cost = $4, \
             remaining_balance = COALESCE($5, remaining_balance), \
             is_refunded = is_refunded OR COALESCE($6, FALSE), \
             closed_at = CASE WHEN $7 THEN $8 ELSE closed_at END \
             WHERE id = $9 AND status = 'pending'",
        )
        .bind(now)
        .bind(status.as_str())
        .bind(verdict)
        .bind(answer.request_cost)
        .bind(answer.remaining_balance)
        .bind(answer.is_refunded)
        .bind(!status.is_open())
        .bind(now)
        .bind(id)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// Closes a verification in the status it is expected to be in (`sending` or `pending`)
    /// with a final status and, for failures, the reason. Returns whether it was (a second close
    /// of the same verification, or a close of a row another process moved on, does nothing).
    pub async fn close(
        &self,
        id: i64,
        expected: Status,
        status: Status,
        error: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError> {
        debug_assert!(expected.is_open() && !status.is_open() && status != Status::Cancelled);
        let done = with_db!(self, db => sqlx::query(
            "UPDATE verifications SET status = $1, error = COALESCE($2, error), closed_at = $3 \
             WHERE id = $4 AND status = $5",
        )
        .bind(status.as_str())
        .bind(error)
        .bind(now)
        .bind(id)
        .bind(expected.as_str())
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// Cancels an open verification on behalf of `actor` (its owner, or an admin), with the
    /// reason if any; the audit row names the actor. Returns whether it was open.
    pub async fn cancel(
        &self,
        id: i64,
        actor: i64,
        reason: Option<&str>,
        now: i64,
    ) -> Result<bool, StoreError> {
        with_db!(self, db => {
            let mut tx = db.begin().await?;
            let done = sqlx::query(&format!(
                "UPDATE verifications SET status = 'cancelled', error = COALESCE($1, error), \
                 closed_at = $2 WHERE id = $3 AND {OPEN}"
            ))
            .bind(reason)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            let cancelled = done.rows_affected() == 1;
            if cancelled {
                tx.audit_for(id, actor, "cancel", None, reason, now).await?;
            }
            tx.commit().await?;
            Ok(cancelled)
        })
    }

    /// Records a `revokeVerificationMessage` call by `actor` and whether the Gateway took it.
    pub async fn record_revoke(
        &self,
        id: i64,
        actor: i64,
        outcome: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        with_db!(self, db => {
            let mut conn = db.acquire().await?;
            conn.audit_for(id, actor, "revoke", None, Some(outcome), now).await?;
            Ok(())
        })
    }

    /// Sends abandoned by their process: still `sending` although their Gateway call started
    /// at or before `started_before` (longer ago than any call may take). Each is closed as
    /// failed and `interrupted`, which the limits count as possibly charged, compare-and-set on
    /// `sending` so that a live process's in-flight send is never touched. Returns them as
    /// closed.
    /// (The `IN` term repeats the partial index's condition, which SQLite does not infer from
    /// `= 'sending'`: without it this scans the whole history.)
    pub async fn fail_abandoned_sends(
        &self,
        started_before: i64,
        now: i64,
    ) -> Result<Vec<Verification>, StoreError> {
        Ok(with_db!(self, db => sqlx::query_as(&format!(
            "UPDATE verifications SET status = 'failed', error = 'interrupted', closed_at = $1 \
             WHERE status IN ('sending', 'pending') AND status = 'sending' \
             AND COALESCE(send_started_at, created_at) <= $2 RETURNING {COLUMNS}"
        ))
        .bind(now)
        .bind(started_before)
        .fetch_all(db)
        .await)?)
    }
}
