//! The Gateway account balance as last reported, and the alerts it has caused, so that admins
//! hear about a low or empty balance once, not once per send.

use super::core::{Store, StoreError, with_db};

/// An alert admins should get now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BalanceAlert {
    /// The balance fell below the configured threshold.
    Low { remaining: f64 },
    /// The Gateway refused a send for lack of balance.
    Empty,
}

impl Store {
    /// Records a `remaining_balance` the Gateway reported. Returns an alert the first time it
    /// is below `threshold`; a balance at or above the threshold re-arms both alerts.
    ///
    /// One statement when the balance is fine or has just gone low (the usual cases: this runs
    /// on every send), two while it stays low; no transaction is needed, since only the
    /// statement that flips `low_alerted` raises the alert.
    pub async fn observe_balance(
        &self,
        remaining: f64,
        threshold: f64,
        now: i64,
    ) -> Result<Option<BalanceAlert>, StoreError> {
        if remaining >= threshold {
            with_db!(self, db => sqlx::query(
                "UPDATE balance SET remaining = $1, updated_at = $2, low_alerted = FALSE, \
                 empty_alerted = FALSE WHERE id = 1",
            )
            .bind(remaining)
            .bind(now)
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
            return Ok(None);
        }
        let alerted_now = with_db!(self, db => sqlx::query(
            "UPDATE balance SET remaining = $1, updated_at = $2, low_alerted = TRUE \
             WHERE id = 1 AND low_alerted = FALSE",
        )
        .bind(remaining)
        .bind(now)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?
            == 1;
        if alerted_now {
            return Ok(Some(BalanceAlert::Low { remaining }));
        }
        with_db!(self, db => sqlx::query("UPDATE balance SET remaining = $1, updated_at = $2 WHERE id = 1")
            .bind(remaining)
            .bind(now)
            .execute(db)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(None)
    }

    /// Records a `BALANCE_NOT_ENOUGH`. Returns an alert unless admins were already told.
    pub async fn observe_balance_empty(
        &self,
        now: i64,
    ) -> Result<Option<BalanceAlert>, StoreError> {
        let done = with_db!(self, db => sqlx::query(
            "UPDATE balance SET empty_alerted = TRUE, updated_at = $1 WHERE id = 1 AND empty_alerted = FALSE",
        )
        .bind(now)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        Ok((done == 1).then_some(BalanceAlert::Empty))
    }

    /// The last balance the Gateway reported, if any.
    pub async fn last_balance(&self) -> Result<Option<f64>, StoreError> {
        let (remaining,): (Option<f64>,) = with_db!(self, db => sqlx::query_as("SELECT remaining FROM balance WHERE id = 1")
                .fetch_one(db)
                .await)?;
        Ok(remaining)
    }
}
