//! What the database keeps, and for how long: the statements of the daily housekeeping (the task
//! is [`crate::housekeeping`]). Rows nothing reads any more are deleted; with `RETENTION_DAYS`,
//! older records are reduced: a number only in its masked form, the names of people removed
//! long ago dropped. The counts (`activity`) and the audit log's rows stay.
//!
//! Every step works in batches of [`BATCH`] rows, each its own short transaction, so that a first
//! run on a large history never holds the database's write lock for long.

use super::core::{Store, StoreError, with_db};
use crate::phone::PhoneNumber;

/// Rows per statement.
const BATCH: i64 = 500;

const DAY: i64 = 86_400;

/// Answered (or expired) customer questions and used (or expired) `/qr` links are kept this long.
pub const KEEP_QUESTIONS: i64 = 30 * DAY;
/// Handled update ids are kept this long (Telegram retries an update for much less).
pub const KEEP_UPDATES: i64 = DAY;
/// Delivered events are kept this long.
pub const KEEP_DELIVERED: i64 = 7 * DAY;
/// The staff daily limit's running totals (`staff_days`) are kept this long.
const KEEP_STAFF_DAYS: i64 = 7 * DAY;
/// A `/reset` older than this no longer changes any limit: the longest `PHONE_SEND_WINDOW` (7
/// days) plus the longest `RESEND_COOLDOWN` (1 day).
const KEEP_RESETS: i64 = 8 * DAY;

/// Whose turn the day's housekeeping is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    /// This process claimed it: do it now.
    Mine,
    /// Some process did (or is doing) it; the next is due at this time (Unix seconds).
    DueAt(i64),
}

/// What one run deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub questions: u64,
    pub links: u64,
    pub updates: u64,
    pub events: u64,
}

/// What one run reduced under `RETENTION_DAYS`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reduced {
    /// Verifications whose number was masked.
    pub verifications: u64,
    /// Audit rows whose number was masked.
    pub audit_rows: u64,
    /// People removed before the cutoff whose name and username were dropped.
    pub names: u64,
    /// Events (any state) made before the cutoff, deleted: their bodies hold full numbers.
    pub events: u64,
    /// `/reset`s deleted (their key is the full number).
    pub resets: u64,
}

/// One row to mask: its id, a time to page by, and its number as stored.
#[derive(sqlx::FromRow)]
struct ToMask {
    id: i64,
    at: i64,
    phone: String,
    /// Still open (a verification): left for a later run.
    open: bool,
}

impl Store {
    /// Claims the day's housekeeping: [`Turn::Mine`] for exactly one process a day (a
    /// compare-and-set on the last run's time, whichever process and however many ask), else
    /// when the next one is due.
    pub async fn claim_housekeeping(&self, now: i64) -> Result<Turn, StoreError> {
        let claimed = with_db!(self, db => sqlx::query(
            "UPDATE housekeeping SET ran_at = $1 WHERE id = 1 AND (ran_at IS NULL OR ran_at <= $2)",
        )
        .bind(now)
        .bind(now - DAY)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        if claimed == 1 {
            return Ok(Turn::Mine);
        }
        let ran_at: Option<i64> = with_db!(self, db => sqlx::query_scalar(
            "SELECT ran_at FROM housekeeping WHERE id = 1",
        )
        .fetch_one(db)
        .await)?;
        Ok(Turn::DueAt(ran_at.map_or(now, |at| at + DAY)))
    }

    /// Deletes what nothing reads any more: customer questions and `/qr` links older than
    /// `questions_before` (a month ago, or the retention's cutoff if that is sooner; every one of
    /// them is answered or expired by then), handled update ids older than a day, events
    /// delivered more than a week ago, and the staff daily limit's running totals of days more
    /// than a week ago.
    pub async fn prune(&self, now: i64, questions_before: i64) -> Result<Pruned, StoreError> {
        let questions = self
            .delete_in_batches(
                "DELETE FROM send_questions WHERE id IN (SELECT id FROM send_questions \
                 WHERE asked_at < $1 LIMIT $2)",
                questions_before,
            )
            .await?;
        let links = self
            .delete_in_batches(
                "DELETE FROM contact_links WHERE token_hash IN (SELECT token_hash \
                 FROM contact_links WHERE created_at < $1 \
                 AND (used_at IS NOT NULL OR expires_at < $1) LIMIT $2)",
                questions_before.min(now),
            )
            .await?;
        let updates = self
            .delete_in_batches(
                "DELETE FROM handled_updates WHERE (bot_id, update_id) IN (SELECT bot_id, \
                 update_id FROM handled_updates WHERE handled_at < $1 LIMIT $2)",
                now - KEEP_UPDATES,
            )
            .await?;
        let events = self.prune_events(now - KEEP_DELIVERED).await?;
        // The staff daily limit reads only today's running totals.
        self.delete_in_batches(
            "DELETE FROM staff_days WHERE (day, staff_user_id) IN (SELECT day, staff_user_id \
             FROM staff_days WHERE day < $1 LIMIT $2)",
            now - KEEP_STAFF_DAYS,
        )
        .await?;
        Ok(Pruned {
            questions,
            links,
            updates,
            events,
        })
    }

    /// Runs a `DELETE` of at most `$2` rows before `$1` until it deletes fewer; returns how many.
    async fn delete_in_batches(&self, sql: &str, before: i64) -> Result<u64, StoreError> {
        let mut deleted = 0;
        loop {
            let done = with_db!(self, db => sqlx::query(sql)
                .bind(before)
                .bind(BATCH)
                .execute(db)
                .await
                .map(|done| done.rows_affected()))?;
            deleted += done;
            if done < BATCH as u64 {
                return Ok(deleted);
            }
        }
    }

    /// Deletes the events delivered before `delivered_before`. Returns how many.
    pub async fn prune_events(&self, delivered_before: i64) -> Result<u64, StoreError> {
        self.delete_in_batches(
            "DELETE FROM event_outbox WHERE id IN (SELECT id FROM event_outbox \
             WHERE delivered_at < $1 LIMIT $2)",
            delivered_before,
        )
        .await
    }

    /// `RETENTION_DAYS`: reduces what is older than `cutoff` (Unix seconds). Verifications
    /// started before it and audit rows written before it keep only the masked form of their
    /// number; people removed before it lose their stored name and username; events made
    /// before it and `/reset`s older than it (and than any limit window) are deleted. The
    /// counts (`activity`) and every row of the audit log stay. Goes on from where the last run
    /// stopped (`housekeeping.reduced_before`); a verification still open is left for a later
    /// run.
    pub async fn reduce_before(&self, cutoff: i64, now: i64) -> Result<Reduced, StoreError> {
        let from: i64 = with_db!(self, db => sqlx::query_scalar(
            "SELECT reduced_before FROM housekeeping WHERE id = 1",
        )
        .fetch_one(db)
        .await)?;
        let mut reduced = Reduced::default();
        let (count, first_open) = self
            .mask_in_batches(
                "SELECT id, created_at AS at, phone, \
                 CASE WHEN status IN ('sending', 'pending') THEN 1 ELSE 0 END = 1 AS open \
                 FROM verifications WHERE created_at >= $1 AND created_at < $2 \
                 AND (created_at > $1 OR id > $3) ORDER BY created_at, id LIMIT $4",
                "verifications",
                (from, cutoff),
            )
            .await?;
        reduced.verifications = count;
        let (count, _) = self
            .mask_in_batches(
                "SELECT id, at, phone, FALSE AS open FROM audit_log \
                 WHERE at >= $1 AND at < $2 AND phone IS NOT NULL \
                 AND (at > $1 OR id > $3) ORDER BY at, id LIMIT $4",
                "audit_log",
                (from, cutoff),
            )
            .await?;
        reduced.audit_rows = count;
        reduced.names = with_db!(self, db => sqlx::query(
            "UPDATE staff SET name = '', username = NULL WHERE removed_at < $1 \
             AND (name <> '' OR username IS NOT NULL)",
        )
        .bind(cutoff)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        reduced.events = self
            .delete_in_batches(
                "DELETE FROM event_outbox WHERE id IN (SELECT id FROM event_outbox \
                 WHERE created_at < $1 LIMIT $2)",
                cutoff,
            )
            .await?;
        reduced.resets = self
            .delete_in_batches(
                "DELETE FROM phone_resets WHERE phone IN (SELECT phone FROM phone_resets \
                 WHERE reset_at < $1 LIMIT $2)",
                cutoff.min(now - KEEP_RESETS),
            )
            .await?;
        // Next time, from the first verification left open (or the cutoff).
        let reached = first_open.map_or(cutoff, |at| at.min(cutoff)).max(from);
        with_db!(self, db => sqlx::query(
            "UPDATE housekeeping SET reduced_before = $1 WHERE id = 1",
        )
        .bind(reached)
        .execute(db)
        .await
        .map(|_| ()))?;
        Ok(reduced)
    }

    /// Masks the numbers of `table`'s rows that `select` pages through, one `UPDATE` per batch:
    /// `$1` the time of the last row seen (at first, the period's start), `$2` the period's end,
    /// `$3` the id of the last row seen, `$4` the batch. Each batch starts its index range where
    /// the last one stopped, so a first run on a long history reads each row once. Returns how
    /// many rows changed and the time of the first open row skipped.
    async fn mask_in_batches(
        &self,
        select: &str,
        table: &str,
        (from, until): (i64, i64),
    ) -> Result<(u64, Option<i64>), StoreError> {
        let (mut after, mut changed, mut first_open) = ((from, i64::MIN), 0, None);
        loop {
            let rows: Vec<ToMask> = with_db!(self, db => sqlx::query_as(select)
                .bind(after.0)
                .bind(until)
                .bind(after.1)
                .bind(BATCH)
                .fetch_all(db)
                .await)?;
            let Some(last) = rows.last() else {
                return Ok((changed, first_open));
            };
            after = (last.at, last.id);
            let full = rows.len() == BATCH as usize;
            let mut masks: Vec<(i64, String)> = Vec::new();
            for row in rows {
                if row.open {
                    first_open.get_or_insert(row.at);
                } else if !PhoneNumber::from_stored(&row.phone).is_ok_and(|p| p.is_reduced()) {
                    masks.push((row.id, PhoneNumber::mask_stored(&row.phone)));
                }
            }
            if !masks.is_empty() {
                let values = (0..masks.len())
                    .map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2))
                    .collect::<Vec<_>>()
                    .join(", ");
                let sql = format!(
                    "UPDATE {table} SET phone = m.column2 FROM (VALUES {values}) AS m \
                     WHERE {table}.id = m.column1"
                );
                changed += with_db!(self, db => {
                    let mut update = sqlx::query(&sql);
                    for (id, masked) in &masks {
                        update = update.bind(*id).bind(masked.as_str());
                    }
                    update.execute(db).await.map(|done| done.rows_affected())
                })?;
            }
            if !full {
                return Ok((changed, first_open));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Limits, NewVerification, Reservation, Status};
    use crate::testing::store;

    /// 2026-11-27T14:05:00Z.
    const NOW: i64 = 1_795_788_300;

    fn phone(e164: &str) -> PhoneNumber {
        PhoneNumber::from_e164(e164).unwrap()
    }

    /// A code sent to `number` by staff 7 at `at`, checked right (verified).
    async fn verified(store: &Store, number: &str, at: i64) -> i64 {
        let number = phone(number);
        let new = NewVerification {
            chat_id: 7,
            staff_user_id: 7,
            phone: &number,
            code_length: 6,
            ttl: 300,
            replaces: None,
            question: None,
            consent_by: None,
        };
        let no_limits = Limits {
            phone_sends: 1000,
            staff_daily: 0,
            daily_budget: 0.0,
            ..Limits::default()
        };
        let Reservation::Reserved(id) = store.reserve(&new, &no_limits, at).await.unwrap() else {
            panic!("not reserved");
        };
        let sent = crate::testing::accepted(&format!("req-{id}"), number.e164(), 0.01);
        store.mark_sent(id, &sent, at).await.unwrap().unwrap();
        assert!(
            store
                .record_check(id, &sent, Status::Verified, at + 10)
                .await
                .unwrap()
        );
        id
    }

    #[tokio::test]
    async fn the_day_is_claimed_by_one_process_once() {
        let (_database, store) = store().await;
        assert_eq!(store.claim_housekeeping(NOW).await.unwrap(), Turn::Mine);
        // Another process (or this one, restarted) asking the same day.
        let again = store.claim_housekeeping(NOW + 60).await.unwrap();
        assert_eq!(again, Turn::DueAt(NOW + DAY));
        assert_eq!(
            store.claim_housekeeping(NOW + DAY).await.unwrap(),
            Turn::Mine
        );
        let (a, b) = tokio::join!(
            store.claim_housekeeping(NOW + 2 * DAY),
            store.claim_housekeeping(NOW + 2 * DAY)
        );
        let mine = [a.unwrap(), b.unwrap()]
            .iter()
            .filter(|turn| **turn == Turn::Mine)
            .count();
        assert_eq!(mine, 1, "two processes at once: one runs it");
    }

    #[tokio::test]
    async fn unused_rows_are_pruned_and_nothing_younger() {
        let (_database, store) = store().await;
        let number = phone("+447911123456");
        // A question a month and a day old and one from today; the same for links.
        let old_question = store
            .ask(7, 7, &number, false, NOW - 31 * DAY)
            .await
            .unwrap();
        let new_question = store.ask(7, 7, &number, false, NOW - 60).await.unwrap();
        let old_link_end = NOW - 31 * DAY + 600;
        store
            .create_contact_link("old", 7, 7, None, NOW - 31 * DAY, old_link_end)
            .await
            .unwrap();
        store
            .create_contact_link("new", 7, 7, None, NOW - 60, NOW + 540)
            .await
            .unwrap();
        assert!(store.claim_update(1, 1, NOW - DAY - 1).await.unwrap());
        assert!(store.claim_update(1, 2, NOW - 60).await.unwrap());

        let pruned = store.prune(NOW, NOW - KEEP_QUESTIONS).await.unwrap();
        assert_eq!(
            pruned,
            Pruned {
                questions: 1,
                links: 1,
                updates: 1,
                events: 0
            }
        );
        assert!(store.question(old_question).await.unwrap().is_none());
        assert!(store.question(new_question).await.unwrap().is_some());
        let opened = store.open_contact_link("new", 55, NOW).await.unwrap();
        assert!(matches!(opened, crate::store::LinkOpening::Opened(_)));
        let gone = store.open_contact_link("old", 55, NOW).await.unwrap();
        assert!(matches!(gone, crate::store::LinkOpening::Unknown));
        // The update of a day ago may be handled again; today's may not.
        assert!(store.claim_update(1, 1, NOW).await.unwrap());
        assert!(!store.claim_update(1, 2, NOW).await.unwrap());
        assert_eq!(
            store.prune(NOW, NOW - KEEP_QUESTIONS).await.unwrap(),
            Pruned::default()
        );
    }

    #[tokio::test]
    async fn retention_masks_old_numbers_and_keeps_counts_and_audit_rows() {
        let (_database, store) = store().await;
        let old = verified(&store, "+447911123456", NOW - 40 * DAY).await;
        let young = verified(&store, "+447911654321", NOW - DAY).await;
        let counts_before = store.period_stats(NOW - 60 * DAY, None).await.unwrap();
        let audit_before = store.audit_trail(old).await.unwrap();
        assert!(!audit_before.is_empty());

        let reduced = store.reduce_before(NOW - 30 * DAY, NOW).await.unwrap();
        assert_eq!((reduced.verifications, reduced.audit_rows), (1, 2));

        let old_row = store.verification(old).await.unwrap().unwrap();
        assert!(old_row.phone.is_reduced());
        assert_eq!(old_row.phone.e164(), "+44 79•• •••456");
        let young_row = store.verification(young).await.unwrap().unwrap();
        assert_eq!(young_row.phone.e164(), "+447911654321");
        // The counts and the audit rows stay (the numbers in them masked).
        assert_eq!(
            store.period_stats(NOW - 60 * DAY, None).await.unwrap(),
            counts_before
        );
        let audit_after = store.audit_trail(old).await.unwrap();
        assert_eq!(audit_after, audit_before);
        // The number is no longer found: not seen before, not verified.
        let found = store.lookup("+447911123456", NOW - 600).await.unwrap();
        assert!(!found.seen && found.last_verified.is_none());
        // The history reads the reduced row.
        let history = store.history(None, 10).await.unwrap();
        assert_eq!(history.len(), 2);

        // The next run goes on from the cutoff: nothing more to do.
        let again = store.reduce_before(NOW - 30 * DAY, NOW).await.unwrap();
        assert_eq!(again, Reduced::default());
    }

    /// More rows than a batch, many of them started in the same second (the batches page by
    /// time and id): every one is reduced, once, and nothing younger.
    #[tokio::test]
    async fn a_long_history_is_reduced_batch_by_batch_without_missing_a_row() {
        let (_database, store) = store().await;
        let rows = 3 * BATCH + 7;
        with_db!(store, db => {
            sqlx::query(
                "INSERT INTO verifications (chat_id, staff_user_id, phone, status, code_length, \
                 ttl, request_id, created_at, closed_at) \
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) \
                 SELECT 7, 7, '+4479' || (10000000 + i), 'expired', 6, 300, 'r' || i, \
                        $2 + i / 7, $2 + i / 7 + 300 FROM n",
            )
            .bind(rows)
            .bind(NOW - 40 * DAY)
            .execute(db)
            .await?;
            sqlx::query(
                "INSERT INTO audit_log (at, actor, action, verification_id, phone) \
                 SELECT created_at, 7, 'send', id, phone FROM verifications",
            )
            .execute(db)
            .await
            .map(|_| ())
        })
        .unwrap();
        let young = verified(&store, "+447911654321", NOW - DAY).await;

        let reduced = store.reduce_before(NOW - 30 * DAY, NOW).await.unwrap();
        assert_eq!(reduced.verifications, rows as u64);
        assert_eq!(reduced.audit_rows, rows as u64);
        let full: (i64, i64) = with_db!(store, db => sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM verifications WHERE phone NOT LIKE '%•%'), \
                    (SELECT COUNT(*) FROM audit_log WHERE phone NOT LIKE '%•%')",
        )
        .fetch_one(db)
        .await)
        .unwrap();
        // The young verification's number, and its send and check audit rows.
        assert_eq!(full, (1, 2));
        let kept = store.verification(young).await.unwrap().unwrap();
        assert_eq!(kept.phone.e164(), "+447911654321");
    }

    #[tokio::test]
    async fn the_audit_log_takes_a_mask_of_its_own_number_and_nothing_else() {
        let (_database, store) = store().await;
        let id = verified(&store, "+447911123456", NOW).await;
        let attempts: [&str; 4] = [
            // Another number's mask, a change of another column, a deletion.
            "UPDATE audit_log SET phone = '+33 61•• •••999' WHERE verification_id = $1",
            "UPDATE audit_log SET cost = 0.0 WHERE verification_id = $1",
            "UPDATE audit_log SET phone = '+447911000000' WHERE verification_id = $1",
            "DELETE FROM audit_log WHERE verification_id = $1",
        ];
        for sql in attempts {
            let refused =
                with_db!(store, db => sqlx::query(sql).bind(id).execute(db).await.map(|_| ()));
            let err = refused.expect_err(sql).to_string();
            assert!(err.contains("append-only"), "{sql}: {err}");
        }
        let masked = with_db!(store, db => sqlx::query(
            "UPDATE audit_log SET phone = '+44 79•• •••456' WHERE verification_id = $1",
        )
        .bind(id)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))
        .unwrap();
        assert_eq!(masked, 2);
        // Once masked, never again changed.
        let again = with_db!(store, db => sqlx::query(
            "UPDATE audit_log SET phone = '+44 79•• •••4•6' WHERE verification_id = $1",
        )
        .bind(id)
        .execute(db)
        .await
        .map(|_| ()));
        assert!(again.is_err());
    }
}
