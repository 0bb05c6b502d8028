//! What several processes on one database need to agree on: the time (each goes by the
//! database's clock, whatever its host's says), which Telegram updates were already handled (a
//! webhook delivery Telegram retries may reach another replica), and who does the background
//! work that must not be done twice (leases).

use super::core::{Db, Store, StoreError, with_db};
use crate::clock;

/// How many times the database's clock is read for one measurement: the read with the shortest
/// round trip says the most.
const CLOCK_READS: usize = 3;

impl Store {
    /// Sets [`crate::clock`] by the database's clock: reads the database's time between two
    /// looks at this host's clock (a few times, keeping the read with the shortest round trip)
    /// and corrects the clock by the difference from their midpoint, in whole seconds. Returns
    /// the correction: how many seconds the database's clock is ahead of this host's.
    ///
    /// PostgreSQL answers by its server's clock; SQLite is a file on this host, so its time is
    /// this host's true clock (a correction there undoes only a test's misread clock).
    pub async fn follow_database_clock(&self) -> Result<i64, StoreError> {
        let mut best: Option<(i64, i64)> = None;
        for _ in 0..CLOCK_READS {
            let before = clock::system_millis();
            let database = self.database_millis().await?;
            let after = clock::system_millis();
            let read = (after - before, database - (before + after) / 2);
            if best.is_none_or(|best| read.0 < best.0) {
                best = Some(read);
            }
        }
        let skew_ms = best.map_or(0, |(_, skew)| skew);
        clock::correct_by((skew_ms + 500).div_euclid(1000));
        Ok(clock::correction())
    }

    /// The database's clock, in milliseconds since the Unix epoch.
    async fn database_millis(&self) -> Result<i64, StoreError> {
        Ok(match &self.db {
            Db::Sqlite(db) => {
                sqlx::query_scalar(
                    "SELECT CAST(round((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)",
                )
                .fetch_one(db)
                .await?
            }
            Db::Postgres(db) => {
                sqlx::query_scalar(
                    "SELECT CAST(round(extract(epoch FROM clock_timestamp()) * 1000) AS BIGINT)",
                )
                .fetch_one(db)
                .await?
            }
        })
    }

    /// Whether bot `bot_id`'s update is new: records its id, once. `false` when some process
    /// (this one or another) already took it.
    pub async fn claim_update(
        &self,
        bot_id: i64,
        update_id: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        // As for a batch ([`Store::claim_updates`]), PostgreSQL does not wait for the disk.
        // (SQLite reads an upsert's `SELECT` without a `WHERE` as the start of a join.)
        let lazily = match &self.db {
            Db::Sqlite(_) => " WHERE TRUE",
            Db::Postgres(_) => " WHERE set_config('synchronous_commit', 'off', TRUE) <> ''",
        };
        let claimed: Option<i64> = with_db!(self, db => sqlx::query_scalar(&format!(
            "INSERT INTO handled_updates (bot_id, update_id, handled_at) SELECT $1, $2, $3{lazily} \
             ON CONFLICT (bot_id, update_id) DO NOTHING RETURNING update_id",
        ))
        .bind(bot_id)
        .bind(update_id)
        .bind(now)
        .fetch_optional(db)
        .await)?;
        Ok(claimed.is_some())
    }

    /// Which of bot `bot_id`'s updates `update_ids` are new: records them, in one statement, and
    /// returns the ids this call took (those some process already took are left out).
    ///
    /// Long polling hands over updates in batches, so a batch is claimed at once: one
    /// transaction for the batch, not one per update. On PostgreSQL that transaction does not
    /// wait for its write-ahead log to reach the disk (`synchronous_commit = off` for it alone):
    /// the next commit that does wait, the first change an update makes, flushes it too. A
    /// crash of PostgreSQL itself can lose the claims of the last fraction of a second (never
    /// anything else), which only matters if Telegram then hands the same updates to another
    /// process: this one keeps its place in the queue.
    pub async fn claim_updates(
        &self,
        bot_id: i64,
        update_ids: &[i64],
        now: i64,
    ) -> Result<Vec<i64>, StoreError> {
        if update_ids.is_empty() {
            return Ok(Vec::new());
        }
        // Integers only, formatted here: one statement whatever the batch's size, sent as text
        // (not kept as a prepared statement, since its text changes with every batch).
        let rows: Vec<String> = update_ids
            .iter()
            .map(|id| format!("({bot_id}, {id}, {now})"))
            .collect();
        let insert = format!(
            "INSERT INTO handled_updates (bot_id, update_id, handled_at) VALUES {} \
             ON CONFLICT (bot_id, update_id) DO NOTHING RETURNING update_id",
            rows.join(", ")
        );
        let statement = match &self.db {
            Db::Sqlite(_) => insert,
            // Two statements in one message run as one transaction; `SET LOCAL` ends with it.
            Db::Postgres(_) => format!("SET LOCAL synchronous_commit = off; {insert}"),
        };
        let taken: Result<Vec<i64>, sqlx::Error> = with_db!(self, db => {
            let rows = sqlx::raw_sql(&statement).fetch_all(db).await?;
            rows.iter()
                .map(|row| sqlx::Row::try_get::<i64, _>(row, "update_id"))
                .collect()
        });
        Ok(taken?)
    }

    /// Forgets the updates handled before `before` (Telegram gives up on an update within a
    /// day); returns how many.
    pub async fn forget_updates(&self, before: i64) -> Result<u64, StoreError> {
        Ok(
            with_db!(self, db => sqlx::query("DELETE FROM handled_updates WHERE handled_at < $1")
            .bind(before)
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?,
        )
    }

    /// Takes (or keeps) the lease on `name` for `holder` until `until`, if nobody else holds it
    /// now: a compare-and-set, so of two processes asking at once exactly one gets it. Returns
    /// whether `holder` holds it.
    pub async fn hold_lease(
        &self,
        name: &str,
        holder: &str,
        until: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let held: Option<String> = with_db!(self, db => sqlx::query_scalar(
            "INSERT INTO leases (name, holder, until) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until \
             WHERE leases.holder = excluded.holder OR leases.until < $4 \
             RETURNING holder",
        )
        .bind(name)
        .bind(holder)
        .bind(until)
        .bind(now)
        .fetch_optional(db)
        .await)?;
        Ok(held.is_some())
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::store;

    #[tokio::test]
    async fn a_batch_of_updates_is_claimed_once_whoever_asks() {
        let (_db, store) = store().await;
        assert_eq!(
            store.claim_updates(7, &[], 100).await.unwrap(),
            Vec::<i64>::new()
        );
        let mut first = store.claim_updates(7, &[1, 2, 3], 100).await.unwrap();
        first.sort();
        assert_eq!(first, [1, 2, 3]);
        // A batch that overlaps one taken before: only the new ones are this caller's.
        let mut second = store.claim_updates(7, &[3, 4, 2, 5], 101).await.unwrap();
        second.sort();
        assert_eq!(second, [4, 5]);
        // The one-by-one claim (the webhook's) agrees with the batch claim, and bots are apart.
        assert!(!store.claim_update(7, 4, 102).await.unwrap());
        assert!(store.claim_update(7, 6, 102).await.unwrap());
        assert_eq!(store.claim_updates(8, &[1], 102).await.unwrap(), [1]);
        assert_eq!(
            store.claim_updates(7, &[6, 1], 103).await.unwrap(),
            Vec::<i64>::new()
        );
    }
}
