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
        let claimed: Option<i64> = with_db!(self, db => sqlx::query_scalar(
            "INSERT INTO handled_updates (bot_id, update_id, handled_at) VALUES ($1, $2, $3) \
             ON CONFLICT (bot_id, update_id) DO NOTHING RETURNING update_id",
        )
        .bind(bot_id)
        .bind(update_id)
        .bind(now)
        .fetch_optional(db)
        .await)?;
        Ok(claimed.is_some())
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
