//! Events (issue #22): the outbox of what happened to verifications, for the business's own
//! systems, and what the receiver answered.
//!
//! The events are written by the database itself: triggers on `verifications` (see the
//! migration `events`) add a row to `event_outbox`, with the exact JSON body that is POSTed, in
//! the statement that makes the change, so a change and its event commit together whichever
//! code path makes it. This module is the other side: the deliverer ([`crate::events`]) claims
//! due events here, and records what became of them.
//!
//! Order per verification: an event is claimed only when no earlier event of its verification
//! is undone (neither delivered nor given up), so a later event waits for the earlier one,
//! whichever process delivers them. Claims are leases (`claimed_until`): a process that dies
//! with an event claimed leaves it to be claimed again when the lease runs out. On PostgreSQL
//! processes claim side by side (`FOR UPDATE SKIP LOCKED`); on SQLite one claim at a time
//! (`BEGIN IMMEDIATE`).

use sqlx::FromRow;

use super::core::{Contention, Db, Serialized, Store, StoreError, with_db};

/// Every type of event, in the order the README documents them.
pub const EVENT_TYPES: [&str; 10] = [
    "verification.sent",
    "verification.delivered",
    "verification.read",
    "verification.verified",
    "verification.wrong_code",
    "verification.max_attempts",
    "verification.expired",
    "verification.cancelled",
    "verification.failed",
    "verification.revoked",
];

/// One event claimed for delivery.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct OutboxEvent {
    pub id: i64,
    /// The `webhook-id`: `evt_` and 24 hex digits, the same on every attempt.
    pub event_id: String,
    pub verification_id: i64,
    /// `verification.sent`, …
    #[sqlx(rename = "type")]
    pub kind: String,
    /// The exact JSON to POST (and sign).
    pub body: String,
    /// Attempts made so far (0 for a new event, or one queued again by `/events resend`).
    #[sqlx(try_from = "i64")]
    pub attempts: u32,
    /// When the change happened (queued again: when it was queued again), Unix seconds: the
    /// retries end `EVENTS_MAX_AGE` after it.
    pub created_at: i64,
}

/// What the receiver at one URL last answered.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Endpoint {
    pub url: String,
    /// It answered 410 Gone: nothing more is sent to it.
    pub gone_at: Option<i64>,
    pub last_success_at: Option<i64>,
    pub last_error: Option<String>,
    pub last_error_at: Option<i64>,
    /// The first failure since the last success; `None` while it works.
    pub failing_since: Option<i64>,
    /// The admins were told that it has been failing (and not yet that it recovered).
    pub failing_told: bool,
}

/// The outbox in figures, for `/events` and `/metrics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EventsSummary {
    /// Neither delivered nor given up.
    pub pending: i64,
    pub given_up: i64,
    /// When the oldest pending event was made.
    pub oldest_pending_at: Option<i64>,
    /// Delivered in the 24 hours before `now`.
    pub delivered_last_day: i64,
}

#[derive(FromRow)]
struct SummaryRow {
    pending: i64,
    given_up: i64,
    oldest_pending_at: Option<i64>,
    delivered_last_day: i64,
}

/// The columns of an [`OutboxEvent`].
const EVENT_COLUMNS: &str = "id, event_id, verification_id, type, body, \
     CAST(attempts AS BIGINT) AS attempts, created_at";

/// Neither delivered nor given up.
const UNDONE: &str = "delivered_at IS NULL AND given_up_at IS NULL";

/// The events [`Store::claim_events`] takes (`$1` now, `$3` how many): due, undone, not
/// claimed by a live lease, and no earlier event of their verification undone.
const DUE: &str = "SELECT e.id FROM event_outbox e \
     WHERE e.delivered_at IS NULL AND e.given_up_at IS NULL AND e.next_attempt_at <= $1 \
     AND (e.claimed_until IS NULL OR e.claimed_until < $1) \
     AND NOT EXISTS (SELECT 1 FROM event_outbox o \
         WHERE o.verification_id = e.verification_id AND o.id < e.id \
         AND o.delivered_at IS NULL AND o.given_up_at IS NULL) \
     ORDER BY e.id LIMIT $3";

const ENDPOINT_COLUMNS: &str = "url, gone_at, last_success_at, last_error, last_error_at, \
     failing_since, failing_told";

impl Store {
    /// Turns the writing of events on or off, for `types` only (`None`: every type). Each
    /// process calls it at start-up with its settings; replicas share one configuration. While
    /// off, changes write no event at all.
    pub async fn configure_events(
        &self,
        enabled: bool,
        types: Option<&[&str]>,
    ) -> Result<(), StoreError> {
        let types = types.map(|types| types.join(","));
        with_db!(self, db => sqlx::query(
            "UPDATE event_settings SET enabled = $1, types = $2 WHERE id = 1",
        )
        .bind(enabled)
        .bind(types)
        .execute(db)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Claims up to `limit` events to deliver now, until `now + lease_secs`: due, undone, not
    /// claimed by a live lease, and each the oldest undone event of its verification (so at
    /// most one per verification, and the order of a verification's events holds). Oldest
    /// first.
    pub async fn claim_events(
        &self,
        now: i64,
        lease_secs: i64,
        limit: i64,
    ) -> Result<Vec<OutboxEvent>, StoreError> {
        let mut events: Vec<OutboxEvent> = match &self.db {
            Db::Sqlite(db) => {
                let mut tx = db.begin_serialized(Contention::Access).await?;
                let claimed = sqlx::query_as(&format!(
                    "UPDATE event_outbox SET claimed_until = $2 WHERE id IN ({DUE}) \
                     RETURNING {EVENT_COLUMNS}"
                ))
                .bind(now)
                .bind(now + lease_secs)
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                claimed
            }
            Db::Postgres(_) => with_db!(self, db => sqlx::query_as(&format!(
                "UPDATE event_outbox SET claimed_until = $2 \
                 WHERE id IN ({DUE} FOR UPDATE SKIP LOCKED) RETURNING {EVENT_COLUMNS}"
            ))
            .bind(now)
            .bind(now + lease_secs)
            .bind(limit)
            .fetch_all(db)
            .await)?,
        };
        events.sort_by_key(|event| event.id);
        Ok(events)
    }

    /// Event `id` was delivered (an attempt that got a 2xx answer), even if another process
    /// gave it up meanwhile (its lease ran out).
    pub async fn event_delivered(&self, id: i64, now: i64) -> Result<(), StoreError> {
        with_db!(self, db => sqlx::query(
            "UPDATE event_outbox SET delivered_at = $1, attempts = attempts + 1, \
             given_up_at = NULL, claimed_until = NULL, last_error = NULL \
             WHERE id = $2 AND delivered_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(db)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// An attempt to deliver event `id` failed with `error`: the next one is due at
    /// `next_attempt_at`, and the claim is released.
    pub async fn event_failed(
        &self,
        id: i64,
        next_attempt_at: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        with_db!(self, db => sqlx::query(&format!(
            "UPDATE event_outbox SET attempts = attempts + 1, next_attempt_at = $1, \
             last_error = $2, claimed_until = NULL WHERE id = $3 AND {UNDONE}"
        ))
        .bind(next_attempt_at)
        .bind(error)
        .bind(id)
        .execute(db)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// The last attempt to deliver event `id` failed with `error`, and no more are made (until
    /// `/events resend`): the later events of its verification go on.
    pub async fn event_given_up(&self, id: i64, now: i64, error: &str) -> Result<(), StoreError> {
        with_db!(self, db => sqlx::query(&format!(
            "UPDATE event_outbox SET attempts = attempts + 1, given_up_at = $1, last_error = $2, \
             claimed_until = NULL WHERE id = $3 AND {UNDONE}"
        ))
        .bind(now)
        .bind(error)
        .bind(id)
        .execute(db)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// What the receiver at `url` last answered; `None` before the first attempt.
    pub async fn endpoint(&self, url: &str) -> Result<Option<Endpoint>, StoreError> {
        Ok(with_db!(self, db => sqlx::query_as(&format!(
            "SELECT {ENDPOINT_COLUMNS} FROM event_endpoint WHERE url = $1"
        ))
        .bind(url)
        .fetch_optional(db)
        .await)?)
    }

    /// The receiver at `url` took an event: it works (again).
    pub async fn endpoint_succeeded(&self, url: &str, now: i64) -> Result<(), StoreError> {
        with_db!(self, db => sqlx::query(
            "INSERT INTO event_endpoint (url, last_success_at) VALUES ($1, $2) \
             ON CONFLICT (url) DO UPDATE SET last_success_at = excluded.last_success_at, \
             failing_since = NULL",
        )
        .bind(url)
        .bind(now)
        .execute(db)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// An attempt to deliver to `url` failed with `error`.
    pub async fn endpoint_failed(
        &self,
        url: &str,
        now: i64,
        error: &str,
    ) -> Result<(), StoreError> {
        with_db!(self, db => sqlx::query(
            "INSERT INTO event_endpoint (url, last_error, last_error_at, failing_since) \
             VALUES ($1, $2, $3, $3) \
             ON CONFLICT (url) DO UPDATE SET last_error = excluded.last_error, \
             last_error_at = excluded.last_error_at, \
             failing_since = COALESCE(event_endpoint.failing_since, excluded.failing_since)",
        )
        .bind(url)
        .bind(error)
        .bind(now)
        .execute(db)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// The receiver at `url` answered 410 Gone: nothing more goes to it. `true` for the first
    /// such answer (the admins are told once), whichever process got it.
    pub async fn endpoint_gone(&self, url: &str, now: i64) -> Result<bool, StoreError> {
        let done = with_db!(self, db => sqlx::query(
            "INSERT INTO event_endpoint (url, gone_at, last_error, last_error_at) \
             VALUES ($1, $2, '410 Gone', $2) \
             ON CONFLICT (url) DO UPDATE SET gone_at = excluded.gone_at, \
             last_error = excluded.last_error, last_error_at = excluded.last_error_at \
             WHERE event_endpoint.gone_at IS NULL",
        )
        .bind(url)
        .bind(now)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// Records that the admins are told that `url` is failing (`failing`: it has been failing
    /// since [`Endpoint::failing_since`]) or that it recovered (`!failing`: it works again
    /// after they were told). A compare-and-set: `true` only for the one process that should
    /// tell them, once; `false` when that was done already or the state is not that.
    pub async fn endpoint_told(&self, url: &str, failing: bool) -> Result<bool, StoreError> {
        let state = if failing {
            "failing_since IS NOT NULL"
        } else {
            "failing_since IS NULL"
        };
        let done = with_db!(self, db => sqlx::query(&format!(
            "UPDATE event_endpoint SET failing_told = $1 \
             WHERE url = $2 AND failing_told <> $1 AND {state}"
        ))
        .bind(failing)
        .bind(url)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// The outbox in figures at `now`.
    pub async fn events_summary(&self, now: i64) -> Result<EventsSummary, StoreError> {
        let row: SummaryRow = with_db!(self, db => sqlx::query_as(&format!(
            "SELECT \
             COALESCE(SUM(CASE WHEN {UNDONE} THEN 1 ELSE 0 END), 0) AS pending, \
             COALESCE(SUM(CASE WHEN given_up_at IS NOT NULL AND delivered_at IS NULL \
                 THEN 1 ELSE 0 END), 0) AS given_up, \
             MIN(CASE WHEN {UNDONE} THEN created_at END) AS oldest_pending_at, \
             COALESCE(SUM(CASE WHEN delivered_at > $1 THEN 1 ELSE 0 END), 0) \
                 AS delivered_last_day \
             FROM event_outbox"
        ))
        .bind(now - 86_400)
        .fetch_one(db)
        .await)?;
        Ok(EventsSummary {
            pending: row.pending,
            given_up: row.given_up,
            oldest_pending_at: row.oldest_pending_at,
            delivered_last_day: row.delivered_last_day,
        })
    }

    /// Queues every given-up event again (`/events resend`): due at `now`, with its attempts
    /// and its retry window starting again from `now`. Receivers deduplicate by `webhook-id`,
    /// which stays the same. Returns how many.
    pub async fn resend_given_up(&self, now: i64) -> Result<u64, StoreError> {
        Ok(with_db!(self, db => sqlx::query(
            "UPDATE event_outbox SET given_up_at = NULL, attempts = 0, next_attempt_at = $1, \
             created_at = $1, claimed_until = NULL \
             WHERE given_up_at IS NOT NULL AND delivered_at IS NULL",
        )
        .bind(now)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::{DeliveryState, RequestStatus};
    use crate::phone::PhoneNumber;
    use crate::store::{Delivery, Limits, NewVerification, Reservation, Status};
    use crate::testing::store;

    /// 2026-11-27T14:05:00Z.
    const NOW: i64 = 1_795_788_300;
    const PHONE: &str = "+447911123456";
    const STAFF: i64 = 7;

    fn phone(e164: &str) -> PhoneNumber {
        PhoneNumber::from_e164(e164).unwrap()
    }

    /// A staff member with a name that JSON must escape.
    async fn add_staff(store: &Store) {
        with_db!(store, db => sqlx::query(
            "INSERT INTO staff (user_id, role, name, username, added_at) \
             VALUES ($1, 'staff', $2, 'anna', 0)",
        )
        .bind(STAFF)
        .bind("Анна \"Q\" \\ 🙂\tx")
        .execute(db)
        .await
        .map(|_| ()))
        .unwrap();
    }

    /// Every event in the outbox, in order: (verification, type, body).
    async fn outbox(store: &Store) -> Vec<(i64, String, String)> {
        with_db!(store, db => sqlx::query_as(
            "SELECT verification_id, type, body FROM event_outbox ORDER BY id",
        )
        .fetch_all(db)
        .await)
        .unwrap()
    }

    async fn types(store: &Store) -> Vec<String> {
        outbox(store)
            .await
            .into_iter()
            .map(|(_, kind, _)| kind)
            .collect()
    }

    async fn reserve(store: &Store, number: &str, consent_by: Option<i64>, now: i64) -> i64 {
        let number = phone(number);
        let new = NewVerification {
            chat_id: -100,
            staff_user_id: STAFF,
            phone: &number,
            code_length: 6,
            ttl: 300,
            replaces: None,
            question: None,
            consent_by,
        };
        let limits = Limits {
            staff_daily: 1000,
            daily_budget: 1e9,
            ..Limits::default()
        };
        match store.reserve(&new, &limits, now).await.unwrap() {
            Reservation::Reserved(id) => id,
            other => panic!("not reserved: {other:?}"),
        }
    }

    fn answer(request_id: &str, number: &str, cost: f64) -> RequestStatus {
        crate::testing::accepted(request_id, number, cost)
    }

    /// Reserved and sent: pending, with one `verification.sent`.
    async fn sent(store: &Store, number: &str, request_id: &str, now: i64) -> i64 {
        sent_for(store, number, request_id, 0.01, now).await
    }

    async fn sent_for(store: &Store, number: &str, request_id: &str, cost: f64, now: i64) -> i64 {
        let id = reserve(store, number, None, now).await;
        let answer = answer(request_id, number, cost);
        store.mark_sent(id, &answer, now).await.unwrap().unwrap();
        id
    }

    async fn deliver(
        store: &Store,
        id: i64,
        from: Option<DeliveryState>,
        to: DeliveryState,
        at: i64,
    ) {
        let current = store.live_view(id).await.unwrap().unwrap().delivery;
        assert_eq!(current.status, from);
        let next = Delivery {
            status: Some(to),
            updated_at: at,
            ..current.clone()
        };
        assert!(store.replace_delivery(id, &current, &next).await.unwrap());
    }

    #[tokio::test]
    async fn a_send_and_its_check_write_the_documented_bodies_byte_for_byte() {
        let (_database, store) = store().await;
        store.configure_events(true, None).await.unwrap();
        add_staff(&store).await;
        let id = reserve(&store, PHONE, Some(STAFF), NOW).await;
        assert!(outbox(&store).await.is_empty(), "a reservation is no event");
        let answer = answer("req-1", PHONE, 0.01);
        store
            .mark_sent(id, &answer, NOW + 1)
            .await
            .unwrap()
            .unwrap();
        deliver(&store, id, None, DeliveryState::Delivered, NOW + 2).await;
        let refund = RequestStatus {
            is_refunded: Some(true),
            ..answer.clone()
        };
        assert!(
            store
                .record_check(id, &refund, Status::Pending, NOW + 3)
                .await
                .unwrap()
        );
        assert!(
            store
                .record_check(id, &answer, Status::Verified, NOW + 4)
                .await
                .unwrap()
        );

        // The same text on SQLite and on PostgreSQL: this test runs on both.
        let data = |status: &str, attempts: u32, refunded: bool, delivery: &str, closed: &str| {
            format!(
                "{{\"verification_id\":{id},\"phone_number\":\"+447911123456\",\
                 \"status\":\"{status}\",\"method\":\"code\",\
                 \"staff\":{{\"id\":7,\"name\":\"Анна \\\"Q\\\" \\\\ 🙂\\tx\",\"username\":\"anna\"}},\
                 \"chat_id\":-100,\"attempts\":{attempts},\"cost\":0.01,\"refunded\":{refunded},\
                 \"request_id\":\"req-1\",\"delivery_status\":{delivery},\
                 \"consent\":{{\"by\":7,\"at\":\"2026-11-27T14:05:00Z\"}},\
                 \"created_at\":\"2026-11-27T14:05:00Z\",\"closed_at\":{closed}}}"
            )
        };
        let event = |kind: &str, second: u32, data: String| {
            format!(
                "{{\"type\":\"verification.{kind}\",\"timestamp\":\"2026-11-27T14:05:0{second}Z\",\
                 \"data\":{data}}}"
            )
        };
        let delivered = "\"delivered\"";
        let expected = vec![
            event("sent", 1, data("pending", 0, false, "null", "null")),
            event("delivered", 2, data("pending", 0, false, delivered, "null")),
            event("wrong_code", 3, data("pending", 1, true, delivered, "null")),
            event(
                "verified",
                4,
                data("verified", 2, true, delivered, "\"2026-11-27T14:05:04Z\""),
            ),
        ];
        let bodies: Vec<String> = outbox(&store).await.into_iter().map(|row| row.2).collect();
        assert_eq!(bodies, expected);
        for body in &bodies {
            let json: serde_json::Value = serde_json::from_str(body).expect("valid JSON");
            assert_eq!(json["data"]["staff"]["name"], "Анна \"Q\" \\ 🙂\tx");
        }

        // Money as written, to the millionth, whatever its size.
        let costs = [
            (0.00005, "0.00005"),
            (1234.5, "1234.5"),
            (0.3, "0.3"),
            (7.0, "7"),
        ];
        for (n, (cost, text)) in costs.into_iter().enumerate() {
            let number = format!("+44791100000{n}");
            sent_for(&store, &number, &format!("c{n}"), cost, NOW).await;
            let body = outbox(&store).await.pop().unwrap().2;
            assert!(body.contains(&format!("\"cost\":{text},")), "{body}");
        }
    }

    #[tokio::test]
    async fn every_other_change_writes_its_type_and_nothing_else_does() {
        let (_database, store) = store().await;
        store.configure_events(true, None).await.unwrap();

        // Read and revoked; a status the events do not name ("sent") writes nothing.
        let a = sent(&store, "+447911000001", "a", NOW).await;
        deliver(&store, a, None, DeliveryState::Sent, NOW + 1).await;
        deliver(
            &store,
            a,
            Some(DeliveryState::Sent),
            DeliveryState::Read,
            NOW + 2,
        )
        .await;
        deliver(
            &store,
            a,
            Some(DeliveryState::Read),
            DeliveryState::Revoked,
            NOW + 3,
        )
        .await;
        // Storing the message that announced it writes no event, and says it is still open.
        assert!(store.set_message_id(a, 42).await.unwrap());
        // Too many wrong codes: max_attempts alone, not a wrong_code too.
        let max = answer("a", "+447911000001", 0.01);
        assert!(
            store
                .record_check(a, &max, Status::MaxAttempts, NOW + 4)
                .await
                .unwrap()
        );
        // A message stored after the verification closed (through another process): said so,
        // so that its buttons go.
        assert!(!store.set_message_id(a, 43).await.unwrap());
        assert_eq!(
            types(&store).await,
            [
                "verification.sent",
                "verification.read",
                "verification.revoked",
                "verification.max_attempts"
            ]
        );

        // Expired, cancelled (once), failed.
        let b = sent(&store, "+447911000002", "b", NOW).await;
        assert!(
            store
                .close(b, Status::Pending, Status::Expired, None, NOW + 400)
                .await
                .unwrap()
        );
        let c = sent(&store, "+447911000003", "c", NOW).await;
        assert!(store.cancel(c, STAFF, None, NOW + 5).await.unwrap());
        assert!(!store.cancel(c, STAFF, None, NOW + 6).await.unwrap());
        let d = reserve(&store, "+447911000004", None, NOW).await;
        assert!(
            store
                .close(d, Status::Sending, Status::Failed, Some("timeout"), NOW + 1)
                .await
                .unwrap()
        );
        let rows = outbox(&store).await;
        let tail: Vec<(i64, &str)> = rows[4..]
            .iter()
            .map(|(v, kind, _)| (*v, kind.as_str()))
            .collect();
        assert_eq!(
            tail,
            [
                (b, "verification.sent"),
                (b, "verification.expired"),
                (c, "verification.sent"),
                (c, "verification.cancelled"),
                (d, "verification.failed"),
            ]
        );
        let failed: serde_json::Value = serde_json::from_str(&rows[8].2).unwrap();
        assert_eq!(failed["data"]["status"], "failed");
        assert_eq!(failed["data"]["cost"], serde_json::Value::Null);
        assert_eq!(
            failed["data"]["staff"]["name"],
            serde_json::Value::Null,
            "not stored"
        );

        // A lost send re-attached is sent again.
        let again = store
            .reattach(d, ("d", Some(0.01)), Some("+447911000004"), NOW + 10)
            .await
            .unwrap();
        assert!(again.is_some());
        assert_eq!(outbox(&store).await.last().unwrap().1, "verification.sent");

        // The free check by contact share: verified with method contact, cost 0.
        store
            .create_contact_link("h", -100, STAFF, None, NOW, NOW + 600)
            .await
            .unwrap();
        store.open_contact_link("h", 55, NOW + 1).await.unwrap();
        let shared = store
            .accept_contact("h", 55, &phone("+447911000005"), NOW + 2)
            .await
            .unwrap()
            .unwrap();
        let (v, kind, body) = outbox(&store).await.pop().unwrap();
        assert_eq!(
            (v, kind.as_str()),
            (shared.verification.id, "verification.verified")
        );
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["data"]["method"], "contact");
        assert_eq!(body["data"]["cost"], 0);
        assert_eq!(body["data"]["request_id"], serde_json::Value::Null);
        assert_eq!(body["timestamp"], "2026-11-27T14:05:02Z");
        assert!(!body.to_string().contains("code\":\""), "never a code");
    }

    #[tokio::test]
    async fn nothing_is_written_while_events_are_off_and_only_the_chosen_types() {
        let (_database, store) = store().await;
        let a = sent(&store, "+447911000001", "a", NOW).await;
        assert!(outbox(&store).await.is_empty(), "off until configured");

        let chosen = ["verification.verified", "verification.expired"];
        store.configure_events(true, Some(&chosen)).await.unwrap();
        let b = sent(&store, "+447911000002", "b", NOW).await;
        let ok = answer("b", "+447911000002", 0.01);
        assert!(
            store
                .record_check(b, &ok, Status::Pending, NOW + 1)
                .await
                .unwrap()
        );
        assert!(
            store
                .record_check(b, &ok, Status::Verified, NOW + 2)
                .await
                .unwrap()
        );
        assert!(
            store
                .close(a, Status::Pending, Status::Expired, None, NOW + 400)
                .await
                .unwrap()
        );
        let rows: Vec<(i64, String)> = outbox(&store)
            .await
            .into_iter()
            .map(|r| (r.0, r.1))
            .collect();
        assert_eq!(
            rows,
            [
                (b, "verification.verified".to_owned()),
                (a, "verification.expired".to_owned())
            ]
        );

        store.configure_events(false, None).await.unwrap();
        sent(&store, "+447911000003", "c", NOW).await;
        assert_eq!(outbox(&store).await.len(), 2);
    }

    /// Three events of verification `a`, one of `b`, ids in that order.
    async fn four_events(store: &Store) -> (i64, i64) {
        store.configure_events(true, None).await.unwrap();
        let a = sent(store, "+447911000001", "a", NOW).await;
        let b = sent(store, "+447911000002", "b", NOW).await;
        deliver(store, a, None, DeliveryState::Delivered, NOW + 1).await;
        let ok = answer("a", "+447911000001", 0.01);
        assert!(
            store
                .record_check(a, &ok, Status::Verified, NOW + 2)
                .await
                .unwrap()
        );
        (a, b)
    }

    fn kinds(events: &[OutboxEvent]) -> Vec<(i64, &str)> {
        events
            .iter()
            .map(|e| (e.verification_id, e.kind.as_str()))
            .collect()
    }

    #[tokio::test]
    async fn a_later_event_of_a_verification_waits_for_the_earlier_one() {
        let (_database, store) = store().await;
        let (a, b) = four_events(&store).await;
        let now = NOW + 10;

        let first = store.claim_events(now, 30, 10).await.unwrap();
        assert_eq!(
            kinds(&first),
            [(a, "verification.sent"), (b, "verification.sent")]
        );
        assert!(first[0].event_id.starts_with("evt_") && first[0].event_id.len() == 28);
        assert!(
            first[0].event_id[4..]
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(first[0].event_id, first[1].event_id);
        assert_eq!((first[0].attempts, first[0].created_at), (0, NOW));
        // Claimed: nobody else takes them, nor what waits behind them, until the lease ends.
        assert!(
            store
                .claim_events(now + 30, 30, 10)
                .await
                .unwrap()
                .is_empty()
        );

        // A failure keeps a's next event waiting until the retry has been delivered.
        store
            .event_failed(first[0].id, now + 5, "HTTP 500")
            .await
            .unwrap();
        store.event_delivered(first[1].id, now).await.unwrap();
        assert!(
            store
                .claim_events(now + 4, 30, 10)
                .await
                .unwrap()
                .is_empty()
        );
        let retry = store.claim_events(now + 5, 30, 10).await.unwrap();
        assert_eq!(kinds(&retry), [(a, "verification.sent")]);
        assert_eq!(retry[0].event_id, first[0].event_id, "the same webhook-id");
        assert_eq!(retry[0].attempts, 1);
        store.event_delivered(retry[0].id, now + 5).await.unwrap();

        let next = store.claim_events(now + 5, 30, 10).await.unwrap();
        assert_eq!(kinds(&next), [(a, "verification.delivered")]);
        // Given up, it no longer holds the rest back.
        store
            .event_given_up(next[0].id, now + 6, "HTTP 400")
            .await
            .unwrap();
        let last = store.claim_events(now + 6, 30, 10).await.unwrap();
        assert_eq!(kinds(&last), [(a, "verification.verified")]);

        // A process that died with it claimed: taken again when its lease runs out.
        assert!(
            store
                .claim_events(now + 36, 30, 10)
                .await
                .unwrap()
                .is_empty()
        );
        let again = store.claim_events(now + 37, 30, 10).await.unwrap();
        assert_eq!(again, last);
        store.event_delivered(again[0].id, now + 37).await.unwrap();
        // A late failure report does not undo a delivery.
        store
            .event_failed(again[0].id, now + 99, "late")
            .await
            .unwrap();
        assert!(
            store
                .claim_events(now + 999, 30, 10)
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn processes_claiming_together_each_take_different_events() {
        let (database, store) = store().await;
        let other = database.store().await;
        store.configure_events(true, None).await.unwrap();
        for n in 0..40 {
            sent(&store, &format!("+4479110{n:05}"), &format!("r{n}"), NOW).await;
        }
        let mut seen = std::collections::BTreeSet::new();
        loop {
            let (one, two) = tokio::join!(
                store.claim_events(NOW + 1, 30, 3),
                other.claim_events(NOW + 1, 30, 3)
            );
            let claimed: Vec<OutboxEvent> = one.unwrap().into_iter().chain(two.unwrap()).collect();
            if claimed.is_empty() {
                break;
            }
            for event in claimed {
                assert!(seen.insert(event.id), "claimed twice: {event:?}");
            }
        }
        assert_eq!(seen.len(), 40);
    }

    #[tokio::test]
    async fn the_summary_resend_and_pruning() {
        let (_database, store) = store().await;
        four_events(&store).await;
        let now = NOW + 100;
        let events = store.claim_events(now, 30, 10).await.unwrap();
        store.event_delivered(events[0].id, now).await.unwrap();
        store
            .event_given_up(events[1].id, now, "HTTP 400")
            .await
            .unwrap();
        assert_eq!(
            store.events_summary(now).await.unwrap(),
            EventsSummary {
                pending: 2,
                given_up: 1,
                oldest_pending_at: Some(NOW + 1),
                delivered_last_day: 1,
            }
        );
        assert_eq!(
            store
                .events_summary(now + 86_400)
                .await
                .unwrap()
                .delivered_last_day,
            0
        );

        assert_eq!(store.resend_given_up(now + 50).await.unwrap(), 1);
        assert_eq!(store.resend_given_up(now + 50).await.unwrap(), 0);
        let summary = store.events_summary(now + 50).await.unwrap();
        assert_eq!((summary.pending, summary.given_up), (3, 0));
        let resent = store.claim_events(now + 50, 30, 10).await.unwrap();
        let again = resent
            .iter()
            .find(|e| e.id == events[1].id)
            .expect("queued again");
        assert_eq!((again.attempts, again.created_at), (0, now + 50));
        assert_eq!(again.event_id, events[1].event_id);

        // A delivery reported late, after another process gave the event up, is a delivery.
        store
            .event_given_up(again.id, now + 60, "timeout")
            .await
            .unwrap();
        assert_eq!(store.events_summary(now + 60).await.unwrap().given_up, 1);
        store.event_delivered(again.id, now + 60).await.unwrap();
        let summary = store.events_summary(now + 60).await.unwrap();
        assert_eq!((summary.given_up, summary.delivered_last_day), (0, 2));
        assert_eq!(store.resend_given_up(now + 60).await.unwrap(), 0);

        assert_eq!(store.prune_events(now).await.unwrap(), 0);
        assert_eq!(store.prune_events(now + 1).await.unwrap(), 1);
        let summary = store.events_summary(now + 60).await.unwrap();
        assert_eq!((summary.pending, summary.delivered_last_day), (2, 1));
    }

    #[tokio::test]
    async fn an_endpoint_failing_recovering_and_gone_is_told_once_each() {
        let (_database, store) = store().await;
        let url = "https://crm.example/hooks";
        assert_eq!(store.endpoint(url).await.unwrap(), None);
        assert!(
            !store.endpoint_told(url, true).await.unwrap(),
            "nothing failed yet"
        );

        store.endpoint_failed(url, NOW, "HTTP 500").await.unwrap();
        store
            .endpoint_failed(url, NOW + 60, "timeout")
            .await
            .unwrap();
        let failing = store.endpoint(url).await.unwrap().unwrap();
        assert_eq!(failing.failing_since, Some(NOW));
        assert_eq!(failing.last_error.as_deref(), Some("timeout"));
        assert_eq!(failing.last_error_at, Some(NOW + 60));
        assert!(!failing.failing_told);
        assert!(
            !store.endpoint_told(url, false).await.unwrap(),
            "not recovered"
        );
        assert!(store.endpoint_told(url, true).await.unwrap());
        assert!(!store.endpoint_told(url, true).await.unwrap(), "once");

        store.endpoint_succeeded(url, NOW + 4000).await.unwrap();
        let ok = store.endpoint(url).await.unwrap().unwrap();
        assert_eq!(
            (ok.failing_since, ok.last_success_at),
            (None, Some(NOW + 4000))
        );
        assert!(ok.failing_told);
        assert!(!store.endpoint_told(url, true).await.unwrap(), "it works");
        assert!(
            store.endpoint_told(url, false).await.unwrap(),
            "recovery told"
        );
        assert!(!store.endpoint_told(url, false).await.unwrap(), "once");

        assert!(store.endpoint_gone(url, NOW + 5000).await.unwrap());
        assert!(
            !store.endpoint_gone(url, NOW + 5001).await.unwrap(),
            "told once"
        );
        let gone = store.endpoint(url).await.unwrap().unwrap();
        assert_eq!(gone.gone_at, Some(NOW + 5000));
        // Another URL is another endpoint.
        assert_eq!(
            store.endpoint("https://other.example/").await.unwrap(),
            None
        );
    }
}
