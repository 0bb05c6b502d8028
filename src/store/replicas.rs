//! What several processes on one database need to agree on: which Telegram updates were
//! already handled (a webhook delivery Telegram retries may reach another replica), and who
//! does the background work that must not be done twice (leases).

use super::core::{Store, StoreError, with_db};

impl Store {
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
