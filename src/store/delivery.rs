//! Delivery status: what Gateway reports (or polling) say happened to a sent code, and the
//! figures the health and metrics routes read.

use sqlx::FromRow;

use super::core::{Store, StoreError};
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

#[derive(FromRow)]
struct IdentifiedDeliveryRow {
    id: i64,
    #[sqlx(flatten)]
    delivery: DeliveryRow,
}

#[derive(FromRow)]
struct LiveRow {
    #[sqlx(flatten)]
    verification: Verification,
    delivery_updated_at: Option<i64>,
    is_refunded: bool,
}

impl Store {
    /// Whether the database answers and would take a write (the health check): takes the write
    /// lock for a moment and lets it go.
    pub async fn health(&self) -> Result<(), StoreError> {
        let tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        tx.rollback().await?;
        Ok(())
    }

    /// The verification sent under a Gateway `request_id`, and its stored delivery.
    pub async fn delivery_of(
        &self,
        request_id: &str,
    ) -> Result<Option<(i64, Delivery)>, StoreError> {
        let row: Option<IdentifiedDeliveryRow> = sqlx::query_as(
            "SELECT id, delivery_status, delivery_updated_at, is_refunded, request_cost \
             FROM verifications WHERE request_id = ?",
        )
        .bind(request_id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| (row.id, row.delivery.into())))
    }

    /// Replaces a verification's delivery with `next` if it is still `current` (compare and
    /// swap); `false` when something changed it in between.
    pub async fn replace_delivery(
        &self,
        id: i64,
        current: &Delivery,
        next: &Delivery,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE verifications SET delivery_status = ?, delivery_updated_at = ?, \
             is_refunded = ?, request_cost = ? \
             WHERE id = ? AND delivery_status IS ? AND COALESCE(delivery_updated_at, 0) = ? \
             AND is_refunded = ? AND request_cost IS ?",
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
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A verification with its "code sent" message and delivery, for showing it.
    pub async fn live_view(&self, id: i64) -> Result<Option<LiveView>, StoreError> {
        let row: Option<LiveRow> = sqlx::query_as(&format!(
            "SELECT {COLUMNS}, delivery_updated_at, is_refunded \
             FROM verifications WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
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

    /// Open verifications whose code was sent and is still valid: `(id, request_id)`.
    pub async fn awaiting_delivery(&self, now: i64) -> Result<Vec<(i64, String)>, StoreError> {
        let rows = sqlx::query_as(
            "SELECT id, request_id FROM verifications \
             WHERE status = 'pending' AND request_id IS NOT NULL AND expires_at > ? ORDER BY id",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows)
    }

    /// How many verifications there are in each status.
    pub async fn count_by_status(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query_as("SELECT status, count(*) FROM verifications GROUP BY status")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows)
    }

    /// Credits spent on codes so far: every charged request that was not refunded.
    pub async fn money_spent(&self) -> Result<f64, StoreError> {
        let spent: Option<f64> =
            sqlx::query_scalar("SELECT sum(request_cost) FROM verifications WHERE is_refunded = 0")
                .fetch_one(&self.pool)
                .await?;
        Ok(spent.unwrap_or(0.0))
    }
}
