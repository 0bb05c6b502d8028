//! Figures for admins: `/stats` totals and daily activity, and the rows of `/export`.

use sqlx::FromRow;

use super::core::{Method, Status, Store, StoreError, with_db};
use crate::phone::PhoneNumber;

/// What happened to the codes sent in a period.
#[derive(Debug, Clone, Default, PartialEq, FromRow)]
pub struct PeriodStats {
    /// Codes sent (the Gateway accepted the send).
    pub sent: i64,
    pub verified: i64,
    /// Closed after too many wrong codes, or lost by the Gateway.
    pub failed: i64,
    pub expired: i64,
    pub cancelled: i64,
    /// Everything the Gateway charged, refunds included.
    pub spent: f64,
    /// What the Gateway gave back for undelivered codes.
    pub refunded: f64,
    /// Numbers verified for free, by the customer sharing their contact (no code sent).
    pub by_contact: i64,
}

impl PeriodStats {
    /// Verified codes per code sent, 0–1.
    pub fn success_rate(&self) -> Option<f64> {
        (self.sent > 0).then(|| self.verified as f64 / self.sent as f64)
    }
}

/// One verification as `/export` shows it (see [`crate::export`] for the format).
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct ExportRecord {
    /// When the verification was started, Unix seconds.
    pub created_at: i64,
    /// Telegram user id of the staff member.
    pub staff_user_id: i64,
    /// The staff member's name as Telegram showed it (user-controlled), if stored.
    pub staff_name: Option<String>,
    #[sqlx(try_from = "String")]
    pub phone: PhoneNumber,
    /// The Gateway's request id, if the code was sent.
    pub request_id: Option<String>,
    /// How the verification ended (or that it is still open).
    #[sqlx(try_from = "String")]
    pub status: Status,
    /// The Gateway's delivery status, if known.
    pub delivery_status: Option<String>,
    /// What the Gateway charged, in USD.
    pub request_cost: Option<f64>,
    pub is_refunded: bool,
    /// When the code was last checked, Unix seconds.
    pub checked_at: Option<i64>,
    /// With a code, or by the customer sharing their contact.
    #[sqlx(try_from = "String")]
    pub method: Method,
    /// `CONFIRM_CONSENT`: the staff member who confirmed the customer agreed, and when.
    pub consent_by: Option<i64>,
    pub consent_at: Option<i64>,
}

/// An [`ExportRecord`] with the id it is paged by.
#[derive(FromRow)]
struct Paged {
    id: i64,
    #[sqlx(flatten)]
    record: ExportRecord,
}

const DAY: i64 = 86_400;

impl Store {
    /// Totals of the codes sent since `since` (Unix seconds): everyone's, or one staff
    /// member's (`staff`, the panel's view for staff).
    pub async fn period_stats(
        &self,
        since: i64,
        staff: Option<i64>,
    ) -> Result<PeriodStats, StoreError> {
        Ok(with_db!(self, db => sqlx::query_as(
            "SELECT COUNT(*) AS sent, \
                    COALESCE(SUM(CASE WHEN status = 'verified' THEN 1 ELSE 0 END), 0) AS verified, \
                    COALESCE(SUM(CASE WHEN status IN ('max_attempts', 'failed') THEN 1 ELSE 0 END), 0) AS failed, \
                    COALESCE(SUM(CASE WHEN status = 'expired' THEN 1 ELSE 0 END), 0) AS expired, \
                    COALESCE(SUM(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END), 0) AS cancelled, \
                    COALESCE(SUM(request_cost), 0.0) AS spent, \
                    COALESCE(SUM(CASE WHEN is_refunded THEN request_cost ELSE 0.0 END), 0.0) AS refunded, \
                    (SELECT COUNT(*) FROM verifications \
                     WHERE method = 'contact' AND created_at >= $2 \
                     AND staff_user_id = COALESCE($3, staff_user_id)) AS by_contact \
             FROM verifications WHERE request_id IS NOT NULL AND created_at >= $1 \
             AND staff_user_id = COALESCE($3, staff_user_id)",
        )
        .bind(since)
        .bind(since)
        .bind(staff)
        .fetch_one(db)
        .await)?)
    }

    /// Codes sent and numbers verified (with a code or by contact share) per UTC day over the
    /// `days` days up to today, oldest first, every day present: `(day start, sent, verified)`.
    pub async fn daily_activity(
        &self,
        days: i64,
        now: i64,
    ) -> Result<Vec<(i64, u32, u32)>, StoreError> {
        let today = now - now.rem_euclid(DAY);
        let first = today - (days - 1) * DAY;
        let rows: Vec<(i64, i64, i64)> = with_db!(self, db => sqlx::query_as(
            "SELECT created_at - created_at % 86400 AS day, \
                    COALESCE(SUM(CASE WHEN request_id IS NOT NULL THEN 1 ELSE 0 END), 0), \
                    COALESCE(SUM(CASE WHEN status = 'verified' THEN 1 ELSE 0 END), 0) \
             FROM verifications WHERE (request_id IS NOT NULL OR method = 'contact') \
             AND created_at >= $1 GROUP BY day ORDER BY day",
        )
        .bind(first)
        .fetch_all(db)
        .await)?;
        Ok((0..days)
            .map(|i| {
                let day = first + i * DAY;
                let found = rows.iter().find(|(d, _, _)| *d == day);
                let (sent, verified) = found.map_or((0, 0), |(_, s, v)| (*s as u32, *v as u32));
                (day, sent, verified)
            })
            .collect())
    }

    /// How many verifications were started from `since` until before `until`, and the id
    /// before the first of them: what [`Store::export_page`] walks through, and where from.
    pub async fn export_span(&self, since: i64, until: i64) -> Result<(u64, i64), StoreError> {
        let (count, first): (i64, Option<i64>) = with_db!(self, db => sqlx::query_as(
            "SELECT COUNT(*), MIN(id) FROM verifications WHERE created_at >= $1 AND created_at < $2",
        )
        .bind(since)
        .bind(until)
        .fetch_one(db)
        .await)?;
        let count = u64::try_from(count).unwrap_or_default();
        Ok((count, first.map_or(0, |id| id - 1)))
    }

    /// Up to `limit` verifications started from `since` until before `until` (sent or not),
    /// after the one with id `after`, in id order, each with its id: one page of an export,
    /// read from the key of the last so that no statement holds the database long and each
    /// page costs the same.
    pub async fn export_page(
        &self,
        since: i64,
        until: i64,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, ExportRecord)>, StoreError> {
        let rows: Vec<Paged> = with_db!(self, db => sqlx::query_as(
            "SELECT v.id, v.created_at, v.staff_user_id, s.name AS staff_name, v.phone, \
                    v.request_id, v.status, v.delivery_status, v.request_cost, v.is_refunded, \
                    v.checked_at, v.method, v.consent_by, v.consent_at \
             FROM verifications v LEFT JOIN staff s ON s.user_id = v.staff_user_id \
             WHERE v.id > $3 AND v.created_at >= $1 AND v.created_at < $2 \
             ORDER BY v.id LIMIT $4",
        )
        .bind(since)
        .bind(until)
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(db)
        .await)?;
        Ok(rows.into_iter().map(|row| (row.id, row.record)).collect())
    }
}
