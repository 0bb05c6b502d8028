//! The Gateway account balance as last reported, and the alerts it has caused, so that admins
//! hear about a low or empty balance once, not once per send.

use super::core::{Store, StoreError};

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
            sqlx::query(
                "UPDATE balance SET remaining = ?1, updated_at = ?2, low_alerted = 0, \
                 empty_alerted = 0 WHERE id = 1",
            )
            .bind(remaining)
            .bind(now)
            .execute(&self.pool)
            .await?;
            return Ok(None);
        }
        let alerted_now = sqlx::query(
            "UPDATE balance SET remaining = ?1, updated_at = ?2, low_alerted = 1 \
             WHERE id = 1 AND low_alerted = 0",
        )
        .bind(remaining)
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1;
        if alerted_now {
            return Ok(Some(BalanceAlert::Low { remaining }));
        }
        sqlx::query("UPDATE balance SET remaining = ?1, updated_at = ?2 WHERE id = 1")
            .bind(remaining)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(None)
    }

    /// Records a `BALANCE_NOT_ENOUGH`. Returns an alert unless admins were already told.
    pub async fn observe_balance_empty(
        &self,
        now: i64,
    ) -> Result<Option<BalanceAlert>, StoreError> {
        let done = sqlx::query(
            "UPDATE balance SET empty_alerted = 1, updated_at = ? WHERE id = 1 AND empty_alerted = 0",
        )
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok((done.rows_affected() == 1).then_some(BalanceAlert::Empty))
    }

    /// The last balance the Gateway reported, if any.
    pub async fn last_balance(&self) -> Result<Option<f64>, StoreError> {
        let (remaining,): (Option<f64>,) =
            sqlx::query_as("SELECT remaining FROM balance WHERE id = 1")
                .fetch_one(&self.pool)
                .await?;
        Ok(remaining)
    }
}
