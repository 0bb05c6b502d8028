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
    /// page costs the same. The dates are written `+v.created_at` so that no index on them is
    /// used: SQLite (without statistics) would otherwise pick the dates' index for a page, read
    /// every row of the span and sort them, for every page of the export.
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
             WHERE v.id > $3 AND +v.created_at >= $1 AND +v.created_at < $2 \
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::{DeliveryState, RequestStatus};
    use crate::store::{Delivery, Limits, NewVerification, Reservation};
    use crate::testing::store;

    /// 2026-11-27T23:05:00Z: an hour before midnight UTC, so that the scenario crosses it.
    const NOW: i64 = 1_795_820_700;

    /// One slot of the rollup as stored.
    #[derive(Debug, Clone, Default, PartialEq, FromRow)]
    struct Slot {
        slot: i64,
        sent: i64,
        verified: i64,
        failed: i64,
        expired: i64,
        cancelled: i64,
        spent_micros: i64,
        refunded_micros: i64,
        by_contact: i64,
        contact_verified: i64,
        counted: i64,
        unpriced: i64,
        charged_micros: i64,
        status_sending: i64,
        status_pending: i64,
        status_verified: i64,
        status_max_attempts: i64,
        status_expired: i64,
        status_cancelled: i64,
        status_failed: i64,
        kept_micros: i64,
    }

    #[derive(FromRow)]
    struct Raw {
        created_at: i64,
        status: String,
        request_id: Option<String>,
        request_cost: Option<f64>,
        is_refunded: bool,
        error: Option<String>,
        method: String,
    }

    /// The rollup as it should be, computed here from the rows, independently of the triggers.
    async fn expected(store: &Store) -> Vec<Slot> {
        let rows: Vec<Raw> = with_db!(store, db => sqlx::query_as(
            "SELECT created_at, status, request_id, request_cost, is_refunded, error, method \
             FROM verifications",
        )
        .fetch_all(db)
        .await)
        .unwrap();
        let mut slots: std::collections::BTreeMap<i64, Slot> = Default::default();
        for r in rows {
            let slot = r.created_at - r.created_at.rem_euclid(SLOT);
            let s = slots.entry(slot).or_insert_with(|| Slot {
                slot,
                ..Slot::default()
            });
            let req = r.request_id.is_some();
            let micros = (r.request_cost.unwrap_or(0.0) * 1e6).round() as i64;
            let status = r.status.as_str();
            let error = r.error.as_deref().unwrap_or("");
            let maybe_charged = ["timeout", "transport", "interrupted", "unrecorded"]
                .contains(&error)
                || error.starts_with("http_");
            let counted = status == "sending" || req || maybe_charged;
            let one = |yes: bool| i64::from(yes);
            s.sent += one(req);
            s.verified += one(req && status == "verified");
            s.failed += one(req && (status == "max_attempts" || status == "failed"));
            s.expired += one(req && status == "expired");
            s.cancelled += one(req && status == "cancelled");
            s.spent_micros += one(req) * micros;
            s.refunded_micros += one(req && r.is_refunded) * micros;
            s.by_contact += one(r.method == "contact");
            s.contact_verified += one(!req && r.method == "contact" && status == "verified");
            s.counted += one(counted);
            s.unpriced += one(counted && r.request_cost.is_none());
            s.charged_micros += one(counted && !r.is_refunded) * micros;
            s.status_sending += one(status == "sending");
            s.status_pending += one(status == "pending");
            s.status_verified += one(status == "verified");
            s.status_max_attempts += one(status == "max_attempts");
            s.status_expired += one(status == "expired");
            s.status_cancelled += one(status == "cancelled");
            s.status_failed += one(status == "failed");
            s.kept_micros += one(!r.is_refunded) * micros;
        }
        slots.into_values().collect()
    }

    /// The rollup as stored, without slots whose every count went back to zero.
    async fn stored(store: &Store) -> Vec<Slot> {
        let rows: Vec<Slot> = with_db!(store, db => sqlx::query_as(
            "SELECT * FROM activity ORDER BY slot",
        )
        .fetch_all(db)
        .await)
        .unwrap();
        rows.into_iter()
            .filter(|s| {
                *s != Slot {
                    slot: s.slot,
                    ..Slot::default()
                }
            })
            .collect()
    }

    /// The staff daily limit's running totals, as stored (`false`) or counted from the rows.
    async fn staff_days(store: &Store, from_rows: bool) -> Vec<(i64, i64, i64)> {
        let counted = super::super::limits::counted();
        let sql = if from_rows {
            format!(
                "SELECT created_at - created_at % 86400 AS day, staff_user_id, \
                 CAST(SUM(CASE WHEN {counted} THEN 1 ELSE 0 END) AS BIGINT) AS n \
                 FROM verifications GROUP BY 1, 2 \
                 HAVING SUM(CASE WHEN {counted} THEN 1 ELSE 0 END) <> 0 ORDER BY 1, 2"
            )
        } else {
            "SELECT day, staff_user_id, counted FROM staff_days WHERE counted <> 0 \
             ORDER BY 1, 2"
                .to_owned()
        };
        with_db!(store, db => sqlx::query_as(&sql).fetch_all(db).await).unwrap()
    }

    fn answer(id: i64, cost: f64) -> RequestStatus {
        crate::testing::accepted(&format!("req-{id}"), "+447911123456", cost)
    }

    async fn reserve(
        store: &Store,
        number: &str,
        staff: i64,
        replaces: Option<i64>,
        at: i64,
    ) -> i64 {
        let phone = PhoneNumber::from_e164(number).unwrap();
        let new = NewVerification {
            chat_id: staff,
            staff_user_id: staff,
            phone: &phone,
            code_length: 6,
            ttl: 300,
            replaces,
            question: None,
            consent_by: None,
        };
        let limits = Limits {
            phone_sends: 1000,
            resend_cooldown: 0,
            staff_daily: 0,
            daily_budget: 0.0,
            ..Limits::default()
        };
        match store.reserve(&new, &limits, at).await.unwrap() {
            Reservation::Reserved(id) => id,
            other => panic!("not reserved: {other:?}"),
        }
    }

    /// Every way a verification changes, through the store's own calls, across midnight UTC:
    /// after each, the rollup is the sum of the rows.
    #[tokio::test]
    async fn the_rollup_is_always_the_sum_of_the_rows() {
        let (_database, store) = store().await;
        let check = async |what: &str| {
            assert_eq!(stored(&store).await, expected(&store).await, "after {what}");
            assert_eq!(
                staff_days(&store, false).await,
                staff_days(&store, true).await,
                "staff_days after {what}"
            );
        };
        let (a, b, c) = ("+447911123456", "+447911123457", "+447911123458");
        let at = std::cell::Cell::new(NOW);
        let step = || {
            at.set(at.get() + 400);
            at.get()
        };

        // Sent and verified; sent, refunded and expired; a wrong code then too many.
        let one = reserve(&store, a, 7, None, step()).await;
        check("a reservation").await;
        store
            .mark_sent(one, &answer(one, 0.01), step())
            .await
            .unwrap();
        check("a send").await;
        let mut right = answer(one, 0.01);
        right.verification_status = None;
        store
            .record_check(one, &right, Status::Verified, step())
            .await
            .unwrap();
        check("a check").await;

        let two = reserve(&store, b, 8, None, step()).await;
        store
            .mark_sent(two, &answer(two, 0.02), step())
            .await
            .unwrap();
        let current = store.live_view(two).await.unwrap().unwrap().delivery;
        let refunded = Delivery {
            status: Some(DeliveryState::Expired),
            updated_at: at.get(),
            is_refunded: true,
            ..current.clone()
        };
        assert!(
            store
                .replace_delivery(two, &current, &refunded)
                .await
                .unwrap()
        );
        check("a refund").await;
        assert!(
            store
                .close(two, Status::Pending, Status::Expired, None, step())
                .await
                .unwrap()
        );
        check("an expiry").await;

        let three = reserve(&store, c, 7, None, step()).await;
        store
            .mark_sent(three, &answer(three, 0.01), step())
            .await
            .unwrap();
        store
            .record_check(three, &answer(three, 0.01), Status::Pending, step())
            .await
            .unwrap();
        store
            .record_check(three, &answer(three, 0.01), Status::MaxAttempts, step())
            .await
            .unwrap();
        check("too many wrong codes").await;

        // A timeout (maybe charged), a free failure, one abandoned, a resend, a cancel.
        let four = reserve(&store, a, 8, None, step()).await;
        store
            .close(
                four,
                Status::Sending,
                Status::Failed,
                Some("timeout"),
                step(),
            )
            .await
            .unwrap();
        check("a timeout").await;
        let five = reserve(&store, b, 8, None, step()).await;
        store
            .close(
                five,
                Status::Sending,
                Status::Failed,
                Some("PHONE_NUMBER_INVALID"),
                step(),
            )
            .await
            .unwrap();
        check("a free failure").await;
        let six_at = step();
        let six = reserve(&store, c, 9, None, six_at).await;
        let abandoned = store.fail_abandoned_sends(at.get(), step()).await.unwrap();
        assert_eq!(abandoned.len(), 1);
        check("an abandoned send").await;
        let reattached = store
            .reattach(six, ("req-late", Some(0.01)), None, six_at + 10)
            .await
            .unwrap();
        assert!(reattached.is_some());
        check("a lost send re-attached").await;
        let seven = reserve(&store, a, 7, None, step()).await;
        store
            .mark_sent(seven, &answer(seven, 0.01), step())
            .await
            .unwrap();
        // Within the code's five minutes.
        let eight = reserve(&store, a, 7, Some(seven), at.get() + 1).await;
        check("a resend").await;
        assert!(store.cancel(eight, 7, None, step()).await.unwrap());
        check("a cancel").await;

        // A free check by contact share, cancelling the code waiting for the same number.
        let nine = reserve(&store, b, 9, None, step()).await;
        store
            .mark_sent(nine, &answer(nine, 0.01), step())
            .await
            .unwrap();
        let t = step();
        store
            .create_contact_link("h", 9, 9, None, t, t + 600)
            .await
            .unwrap();
        store.open_contact_link("h", 55, t).await.unwrap();
        let phone = PhoneNumber::from_e164(b).unwrap();
        let accepted = store.accept_contact("h", 55, &phone, step()).await.unwrap();
        assert_eq!(accepted.unwrap().cancelled.len(), 1);
        check("a contact share").await;

        // A row deleted by hand takes its share with it.
        with_db!(store, db => sqlx::query("DELETE FROM verifications WHERE id = $1")
            .bind(five)
            .execute(db)
            .await
            .map(|_| ()))
        .unwrap();
        check("a deletion").await;

        // What the readers make of it: everyone's totals are the staff members' added up.
        let all = store.period_stats(NOW, None).await.unwrap();
        let mut by_staff = PeriodStats::default();
        for staff in [7, 8, 9] {
            let own = store.period_stats(NOW, Some(staff)).await.unwrap();
            by_staff.sent += own.sent;
            by_staff.verified += own.verified;
            by_staff.failed += own.failed;
            by_staff.expired += own.expired;
            by_staff.cancelled += own.cancelled;
            by_staff.spent += own.spent;
            by_staff.refunded += own.refunded;
            by_staff.by_contact += own.by_contact;
        }
        assert!((all.spent - by_staff.spent).abs() < 1e-9);
        assert!((all.refunded - by_staff.refunded).abs() < 1e-9);
        (by_staff.spent, by_staff.refunded) = (all.spent, all.refunded);
        assert_eq!(all, by_staff);
        assert_eq!(
            (
                all.sent,
                all.verified,
                all.failed,
                all.expired,
                all.cancelled,
                all.by_contact
            ),
            (6, 1, 1, 1, 2, 1)
        );
        let statuses: Vec<(String, i64)> = store.count_by_status().await.unwrap();
        let total: i64 = statuses.iter().map(|(_, n)| n).sum();
        assert_eq!(total, 9, "{statuses:?}");
        // The gauges read what they read from the rows before.
        let kept: Option<f64> = with_db!(store, db => sqlx::query_scalar(
            "SELECT sum(request_cost) FROM verifications WHERE NOT is_refunded",
        )
        .fetch_one(db)
        .await)
        .unwrap();
        let spent = store.money_spent().await.unwrap();
        assert!(
            (spent - kept.unwrap()).abs() < 1e-9 && spent > 0.0,
            "{spent}"
        );
    }

    #[tokio::test]
    async fn days_are_counted_in_the_time_zone() {
        let (_database, store) = store().await;
        // 2026-11-27 18:40 UTC is 2026-11-28 00:10 in Kolkata (UTC+5:30): yesterday in UTC,
        // today there.
        let evening = 1_795_824_000 - 5 * 3600 - 20 * 60;
        let id = reserve(&store, "+447911123456", 7, None, evening).await;
        store
            .mark_sent(id, &answer(id, 0.01), evening)
            .await
            .unwrap();
        let now = 1_795_824_000 + 12 * 3600; // 2026-11-28 12:00 UTC
        let utc = jiff::tz::TimeZone::UTC;
        let kolkata = jiff::tz::TimeZone::get("Asia/Kolkata").unwrap();

        let days = store.daily_activity(2, now, &utc).await.unwrap();
        assert_eq!(days, [(1_795_737_600, 1, 0), (1_795_824_000, 0, 0)]);
        let days = store.daily_activity(2, now, &kolkata).await.unwrap();
        let midnight = 1_795_824_000 - 5 * 3600 - 30 * 60;
        assert_eq!(days, [(midnight - 86_400, 0, 0), (midnight, 1, 0)]);

        let today = |tz| local_days(now, tz, 1)[0];
        assert_eq!(store.period_stats(today(&utc), None).await.unwrap().sent, 0);
        assert_eq!(
            store
                .period_stats(today(&kolkata), None)
                .await
                .unwrap()
                .sent,
            1
        );
        assert_eq!(
            store
                .period_stats(today(&kolkata), Some(7))
                .await
                .unwrap()
                .sent,
            1
        );
    }

    #[test]
    fn local_days_start_at_midnight_there_and_may_be_23_or_25_hours() {
        let london = jiff::tz::TimeZone::get("Europe/London").unwrap();
        // 2026-03-30 12:00 UTC: the clocks went forward on the 29th (a 23-hour day).
        let days = local_days(1_774_872_000, &london, 3);
        assert_eq!(days, [1_774_656_000, 1_774_742_400, 1_774_825_200]);
        assert_eq!(days[2] - days[1], 23 * 3600);
        // Midnights are whole quarter hours in every zone, so the rollup's slots fall in one day.
        let kathmandu = jiff::tz::TimeZone::get("Asia/Kathmandu").unwrap();
        for tz in [&london, &kathmandu, &jiff::tz::TimeZone::UTC] {
            for start in local_days(NOW, tz, 30) {
                assert_eq!(start.rem_euclid(SLOT), 0, "{tz:?}");
            }
        }
    }
}
