//! Spending limits, counted from stored verifications (a number's own rows) and from the running
//! totals the database keeps with them in the same statements (today's spend in `activity`, a
//! person's sends today in `staff_days`), so that they survive restarts, hold for every process
//! sharing the database, and cost the same whatever the history's size. Checked inside the
//! transaction that reserves a send.

use super::audit::{AuditLog, Entry};
use super::core::{
    Contention, MAYBE_CHARGED, Serialized, Store, StoreError, on_each_connection, with_db,
};
use crate::phone::PhoneNumber;

/// A send that may have cost money: in flight, accepted by the Gateway, or with an unknown
/// outcome ([`MAYBE_CHARGED`]). Refused sends and sends the Gateway refused are free.
pub(super) fn counted() -> String {
    format!("(status = 'sending' OR request_id IS NOT NULL OR {MAYBE_CHARGED})")
}

/// The price assumed for a send whose cost is not known yet, when no send has reported one.
const DEFAULT_PRICE: f64 = 0.01;

const DAY: i64 = 86_400;

/// The configured limits. A zero for `staff_daily` or `daily_budget` means "no limit".
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Sends to one phone within `phone_window` seconds.
    pub phone_sends: u32,
    pub phone_window: i64,
    /// Seconds between two sends to one phone.
    pub resend_cooldown: i64,
    /// Sends per staff member per UTC day.
    pub staff_daily: u32,
    /// Money per UTC day, in USD: today's `request_cost`, minus refunds.
    pub daily_budget: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            phone_sends: 3,
            phone_window: 600,
            resend_cooldown: 30,
            staff_daily: 50,
            daily_budget: 5.0,
        }
    }
}

/// Why a send was refused, and when it frees up (Unix seconds).
#[derive(Debug, Clone, PartialEq)]
pub enum Refusal {
    Cooldown {
        frees_at: i64,
    },
    PhoneLimit {
        limit: u32,
        window: i64,
        frees_at: i64,
    },
    StaffDaily {
        limit: u32,
        frees_at: i64,
    },
    Budget {
        budget: f64,
        spent: f64,
        frees_at: i64,
    },
}

impl Refusal {
    pub fn frees_at(&self) -> i64 {
        match self {
            Refusal::Cooldown { frees_at }
            | Refusal::PhoneLimit { frees_at, .. }
            | Refusal::StaffDaily { frees_at, .. }
            | Refusal::Budget { frees_at, .. } => *frees_at,
        }
    }

    /// A short name for logs and the audit log.
    pub fn label(&self) -> &'static str {
        match self {
            Refusal::Cooldown { .. } => "cooldown",
            Refusal::PhoneLimit { .. } => "phone_limit",
            Refusal::StaffDaily { .. } => "staff_daily_limit",
            Refusal::Budget { .. } => "daily_budget",
        }
    }
}

fn micros(usd: f64) -> i64 {
    (usd * 1_000_000.0).round() as i64
}

/// Everything the limits are decided on, read in one statement (one round trip to the
/// database's thread). The staff and budget sums are only computed when those limits are set.
/// Each part reads a bounded number of rows whatever the history's size: the phone's own rows
/// (`verifications_phone_created`), the staff member's running total of today (`staff_days`),
/// and today's 96 quarter hours of the rollup (`activity`). Both totals are kept by the
/// database's triggers in the statement of each change, so they are as exact and as current as
/// the rows under the reservation's lock.
#[derive(sqlx::FromRow)]
struct Counts {
    /// The latest counted send to the phone since its last `/reset`.
    last_send: Option<i64>,
    /// Counted sends to the phone within the window, and the oldest of them.
    in_window: i64,
    oldest: Option<i64>,
    /// The staff member's counted sends today (UTC).
    staff_today: i64,
    /// Today's known costs minus refunds (millionths of a USD), and sends whose cost is not
    /// known yet.
    spent_micros: i64,
    in_flight: i64,
    /// The last cost the Gateway reported.
    price: Option<f64>,
}

/// The limits, checked on the reserving transaction's connection.
pub(super) trait Limited {
    /// Why one more send to `phone` by `staff` is refused, if it is (see [`decide`]).
    async fn limit_refusal(
        &mut self,
        limits: &Limits,
        phone: &str,
        staff: i64,
        now: i64,
    ) -> Result<Option<Refusal>, sqlx::Error>;
}

on_each_connection! {
    impl Limited {
        async fn limit_refusal(
            &mut self,
            limits: &Limits,
            phone: &str,
            staff: i64,
            now: i64,
        ) -> Result<Option<Refusal>, sqlx::Error> {
            let day_start = now - now.rem_euclid(DAY);
            let counted = counted();
            let counts: Counts = sqlx::query_as(&format!(
                "SELECT \
                   (SELECT MAX(created_at) FROM verifications \
                    WHERE phone = $1 AND id > reset.after_id AND {counted}) AS last_send, \
                   (SELECT COUNT(*) FROM verifications \
                    WHERE phone = $1 AND id > reset.after_id AND created_at > $2 AND {counted}) AS in_window, \
                   (SELECT MIN(created_at) FROM verifications \
                    WHERE phone = $1 AND id > reset.after_id AND created_at > $2 AND {counted}) AS oldest, \
                   CASE WHEN $3 THEN (SELECT CAST(COALESCE(SUM(counted), 0) AS BIGINT) FROM staff_days \
                    WHERE day = $5 AND staff_user_id = $4) ELSE 0 END AS staff_today, \
                   CASE WHEN $6 THEN (SELECT CAST(COALESCE(SUM(charged_micros), 0) AS BIGINT) \
                    FROM activity WHERE slot >= $5) ELSE 0 END AS spent_micros, \
                   CASE WHEN $6 THEN (SELECT CAST(COALESCE(SUM(unpriced), 0) AS BIGINT) \
                    FROM activity WHERE slot >= $5) ELSE 0 END AS in_flight, \
                   CASE WHEN $6 THEN (SELECT request_cost FROM verifications \
                    WHERE request_cost > 0 ORDER BY id DESC LIMIT 1) END AS price \
                 FROM (SELECT COALESCE((SELECT after_id FROM phone_resets WHERE phone = $1), 0) \
                       AS after_id) AS reset"
            ))
            .bind(phone)
            .bind(now - limits.phone_window)
            .bind(limits.staff_daily > 0)
            .bind(staff)
            .bind(day_start)
            .bind(limits.daily_budget > 0.0)
            .fetch_one(&mut *self)
            .await?;
            Ok(decide(&counts, limits, now))
        }
    }
}

/// Which limit, if any, refuses one more send, in order: cooldown, phone window, staff day,
/// budget.
fn decide(counts: &Counts, limits: &Limits, now: i64) -> Option<Refusal> {
    let day_start = now - now.rem_euclid(DAY);

    if let Some(last) = counts.last_send
        && now < last + limits.resend_cooldown
    {
        return Some(Refusal::Cooldown {
            frees_at: last + limits.resend_cooldown,
        });
    }
    if counts.in_window >= i64::from(limits.phone_sends) {
        return Some(Refusal::PhoneLimit {
            limit: limits.phone_sends,
            window: limits.phone_window,
            frees_at: counts.oldest.unwrap_or(now) + limits.phone_window,
        });
    }
    if limits.staff_daily > 0 && counts.staff_today >= i64::from(limits.staff_daily) {
        return Some(Refusal::StaffDaily {
            limit: limits.staff_daily,
            frees_at: day_start + DAY,
        });
    }
    if limits.daily_budget > 0.0 {
        let price = micros(counts.price.unwrap_or(DEFAULT_PRICE));
        // In-flight sends and this one are counted at the last known price.
        let committed = counts.spent_micros + price * counts.in_flight;
        if committed + price > micros(limits.daily_budget) {
            return Some(Refusal::Budget {
                budget: limits.daily_budget,
                spent: committed as f64 / 1e6,
                frees_at: day_start + DAY,
            });
        }
    }
    None
}

impl Store {
    /// `/reset`: earlier sends to `phone` no longer count against its limits or cooldown.
    pub async fn reset_phone(
        &self,
        phone: &PhoneNumber,
        admin: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        with_db!(self, db => {
        let mut tx = db.begin_serialized(Contention::Number(phone.e164())).await?;
        sqlx::query(
            "INSERT INTO phone_resets (phone, after_id, reset_at, reset_by) \
             VALUES ($1, (SELECT COALESCE(MAX(id), 0) FROM verifications), $2, $3) \
             ON CONFLICT (phone) DO UPDATE SET after_id = excluded.after_id, \
             reset_at = excluded.reset_at, reset_by = excluded.reset_by",
        )
        .bind(phone.e164())
        .bind(now)
        .bind(admin)
        .execute(&mut *tx)
        .await?;
        let entry = Entry {
            actor: Some(admin),
            action: "reset",
            phone: Some(phone.e164()),
            ..Default::default()
        };
        tx.audit(entry, now).await?;
        tx.commit().await
        })?;
        Ok(())
    }
}
