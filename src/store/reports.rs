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

const DAY: i64 = 86_400;

/// The rollup's unit (`activity.slot`): a quarter of an hour. Every time zone's midnight falls on
/// one (UTC+5:30 and +5:45 too), so a day in any `TIME_ZONE` is a whole number of slots.
const SLOT: i64 = 900;

/// The start (Unix seconds) of each of the `days` days in `tz` up to the one holding `now`,
/// oldest first: the days `/stats` and the panel count in.
pub fn local_days(now: i64, tz: &jiff::tz::TimeZone, days: usize) -> Vec<i64> {
    let Ok(today) = jiff::Timestamp::from_second(now)
        .map(|at| at.to_zoned_datetime(tz.clone()))
        .and_then(|at| at.start_of_day())
    else {
        // Out of jiff's range: UTC days.
        let today = now - now.rem_euclid(DAY);
        return (0..days as i64)
            .rev()
            .map(|back| today - back * DAY)
            .collect();
    };
    let mut starts: Vec<i64> = (0..days as i64)
        .map(|back| {
            today
                .checked_sub(jiff::Span::new().days(back))
                .and_then(|day| day.start_of_day())
                .map_or(today.timestamp().as_second() - back * DAY, |day| {
                    day.timestamp().as_second()
                })
        })
        .collect();
    starts.reverse();
    starts
}

/// Sums of the rollup's columns over some of its slots (all of them `BIGINT`, which SQLite and
/// PostgreSQL both decode as `i64`; money in millionths).
#[derive(FromRow)]
struct Totals {
    sent: i64,
    verified: i64,
    failed: i64,
    expired: i64,
    cancelled: i64,
    spent_micros: i64,
    refunded_micros: i64,
    by_contact: i64,
}

impl From<Totals> for PeriodStats {
    fn from(t: Totals) -> PeriodStats {
        PeriodStats {
            sent: t.sent,
            verified: t.verified,
            failed: t.failed,
            expired: t.expired,
            cancelled: t.cancelled,
            spent: t.spent_micros as f64 / 1e6,
            refunded: t.refunded_micros as f64 / 1e6,
            by_contact: t.by_contact,
        }
    }
}

impl Store {
    /// Totals of the codes sent since `since` (Unix seconds, counted from the start of its
    /// quarter hour: a day's start in any time zone is one): everyone's, from the rollup
    /// (`activity`, at most 96 rows a day whatever the history's size), or one staff member's
    /// (`staff`, the panel's view for staff), from their own rows.
    pub async fn period_stats(
        &self,
        since: i64,
        staff: Option<i64>,
    ) -> Result<PeriodStats, StoreError> {
        let since = since - since.rem_euclid(SLOT);
        let totals: Totals = match staff {
            None => with_db!(self, db => sqlx::query_as(
                "SELECT CAST(COALESCE(SUM(sent), 0) AS BIGINT) AS sent, \
                        CAST(COALESCE(SUM(verified), 0) AS BIGINT) AS verified, \
                        CAST(COALESCE(SUM(failed), 0) AS BIGINT) AS failed, \
                        CAST(COALESCE(SUM(expired), 0) AS BIGINT) AS expired, \
                        CAST(COALESCE(SUM(cancelled), 0) AS BIGINT) AS cancelled, \
                        CAST(COALESCE(SUM(spent_micros), 0) AS BIGINT) AS spent_micros, \
                        CAST(COALESCE(SUM(refunded_micros), 0) AS BIGINT) AS refunded_micros, \
                        CAST(COALESCE(SUM(by_contact), 0) AS BIGINT) AS by_contact \
                 FROM activity WHERE slot >= $1",
            )
            .bind(since)
            .fetch_one(db)
            .await)?,
            // The same sums over the staff member's own rows (`verifications_staff_created`),
            // each row's cost in millionths as the rollup keeps it.
            Some(staff) => with_db!(self, db => sqlx::query_as(
                "SELECT CAST(COALESCE(SUM(CASE WHEN request_id IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS sent, \
                        CAST(COALESCE(SUM(CASE WHEN request_id IS NOT NULL AND status = 'verified' THEN 1 ELSE 0 END), 0) AS BIGINT) AS verified, \
                        CAST(COALESCE(SUM(CASE WHEN request_id IS NOT NULL AND status IN ('max_attempts', 'failed') THEN 1 ELSE 0 END), 0) AS BIGINT) AS failed, \
                        CAST(COALESCE(SUM(CASE WHEN request_id IS NOT NULL AND status = 'expired' THEN 1 ELSE 0 END), 0) AS BIGINT) AS expired, \
                        CAST(COALESCE(SUM(CASE WHEN request_id IS NOT NULL AND status = 'cancelled' THEN 1 ELSE 0 END), 0) AS BIGINT) AS cancelled, \
                        CAST(COALESCE(SUM(CASE WHEN request_id IS NOT NULL \
                            THEN CAST(round(COALESCE(request_cost, 0.0) * 1000000) AS BIGINT) ELSE 0 END), 0) AS BIGINT) AS spent_micros, \
                        CAST(COALESCE(SUM(CASE WHEN request_id IS NOT NULL AND is_refunded \
                            THEN CAST(round(COALESCE(request_cost, 0.0) * 1000000) AS BIGINT) ELSE 0 END), 0) AS BIGINT) AS refunded_micros, \
                        CAST(COALESCE(SUM(CASE WHEN method = 'contact' THEN 1 ELSE 0 END), 0) AS BIGINT) AS by_contact \
                 FROM verifications WHERE staff_user_id = $1 AND created_at >= $2",
            )
            .bind(staff)
            .bind(since)
            .fetch_one(db)
            .await)?,
        };
        Ok(totals.into())
    }

    /// Codes sent and numbers verified (with a code or by contact share) per day in `tz` over
    /// the `days` days up to today, oldest first, every day present: `(day start, sent,
    /// verified)`. From the rollup: at most 96 rows a day, whatever the history's size.
    pub async fn daily_activity(
        &self,
        days: usize,
        now: i64,
        tz: &jiff::tz::TimeZone,
    ) -> Result<Vec<(i64, u32, u32)>, StoreError> {
        let starts = local_days(now, tz, days);
        let Some(&first) = starts.first() else {
            return Ok(Vec::new());
        };
        let slots: Vec<(i64, i64, i64)> = with_db!(self, db => sqlx::query_as(
            "SELECT slot, sent, verified + contact_verified FROM activity \
             WHERE slot >= $1 ORDER BY slot",
        )
        .bind(first)
        .fetch_all(db)
        .await)?;
        let mut counts = vec![(0u32, 0u32); starts.len()];
        for (slot, sent, verified) in slots {
            // The last day whose start is at or before the slot (slots start after `first`).
            let day = starts.partition_point(|&start| start <= slot) - 1;
            counts[day].0 += sent.max(0) as u32;
            counts[day].1 += verified.max(0) as u32;
        }
        Ok(starts
            .into_iter()
            .zip(counts)
            .map(|(day, (sent, verified))| (day, sent, verified))
            .collect())
    }

    /// Every verification started from `since` until before `until` (sent or not), oldest
    /// first.
    pub async fn export(&self, since: i64, until: i64) -> Result<Vec<ExportRecord>, StoreError> {
        Ok(with_db!(self, db => sqlx::query_as(
            "SELECT v.created_at, v.staff_user_id, s.name AS staff_name, v.phone, v.request_id, \
                    v.status, v.delivery_status, v.request_cost, v.is_refunded, v.checked_at, \
                    v.method, v.consent_by, v.consent_at \
             FROM verifications v LEFT JOIN staff s ON s.user_id = v.staff_user_id \
             WHERE v.created_at >= $1 AND v.created_at < $2 ORDER BY v.id",
        )
        .bind(since)
        .bind(until)
        .fetch_all(db)
        .await)?)
    }
}
