//! A database that stalls stops only the process that waits on it. One replica reaches
//! PostgreSQL through a TCP proxy ([`Proxy`]) that the test freezes while that replica holds the
//! reservation lock; another replica, connected directly, keeps serving `/verify`, the frozen
//! one apologises and reports itself unhealthy, and once thawed nothing is lost or paid twice.
//! Run with `TEST_DATABASE_URL=postgres://…`; without it that test says it was skipped. The
//! settings behind it (`DATABASE_*_TIMEOUT`, `DATABASE_KEEPALIVE`) are checked at start-up on
//! either backend.

use sqlx::{Connection, PgConnection};

use crate::common::app::{
    PHONE, PHONE_E164, TestApp, assert_opens_with, assert_says, assert_start_up_refused, eventually,
};
use crate::common::fake_telegram::TgUser;
use crate::common::proxy::Proxy;

const OTHER_PHONE: &str = "+7 916 123-45-67";
const THIRD_PHONE: &str = "+49 1512 3456789";
/// How the frozen replica's connections are named, to find them in `pg_stat_activity`.
const STALLED: &str = "stalled-replica";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_frozen_inside_a_reservation_stops_only_itself() {
    crate::postgres_only!();
    // The defaults: a 3 s idle-in-transaction timeout, 5 s lock timeout, 10 s per call.
    let steady = TestApp::spawn_with(&[("ADMIN_IDS", "1001,1002")]).await;
    let database_url = steady.env("DATABASE_URL").unwrap().to_owned();
    let proxy = Proxy::start(&database_url).await;
    let through_proxy = proxy.url(&database_url, STALLED);
    let stalled = steady
        .sibling(&[("DATABASE_URL", through_proxy.as_str())])
        .await;
    let colleague = TgUser::new(1002, "Bob");

    // The test holds the verifications table, so the stalled replica's reservation, having
    // taken the reservation lock, waits at its first write.
    let mut holder = PgConnection::connect(&database_url).await.unwrap();
    let mut watcher = PgConnection::connect(&database_url).await.unwrap();
    sqlx::raw_sql("BEGIN; LOCK TABLE verifications IN EXCLUSIVE MODE")
        .execute(&mut holder)
        .await
        .unwrap();
    stalled
        .telegram
        .push_text(&stalled.admin, stalled.chat(), &format!("/verify {PHONE}"));
    let reached = async || {
        let holds = holds_the_reservation_lock_and_waits(&mut watcher).await;
        holds.then_some(())
    };
    eventually("the stalled replica at its reservation", reached).await;
    // Its connection freezes; the table is let go, so its statement completes on the server
    // and the answer is stuck in the proxy: it sits idle in its transaction, holding the lock.
    proxy.freeze();
    sqlx::raw_sql("COMMIT").execute(&mut holder).await.unwrap();

    // The other replica serves another number, and the same one, at once.
    let other = steady.verify_as(&colleague, OTHER_PHONE).await;
    assert_opens_with(&other, "📨");
    let same = steady.verify_as(&colleague, PHONE).await;
    assert_opens_with(&same, "📨");

    // The frozen replica's staff member hears that something went wrong; its health check says
    // it cannot reach its database.
    let apology = stalled.nth_message(stalled.chat(), 1).await;
    assert_says(&apology, "Something went wrong on my side");
    let health = stalled.get("/healthz").await;
    assert_eq!(health.status, 503, "{}", health.body);
    assert_eq!(steady.get("/healthz").await.status, 200);

    // Thawed, it is healthy again and serves the next /verify; every number was paid once and
    // no row is left reserved.
    proxy.thaw();
    stalled.wait_until_healthy().await;
    let third = stalled.say(&format!("/verify {THIRD_PHONE}")).await;
    assert_opens_with(&third, "📨");
    let again = stalled.say(&format!("/verify {PHONE}")).await;
    assert_opens_with(&again, "⏳");
    let sends = steady.gateway.calls();
    let sends: Vec<&str> = sends
        .iter()
        .filter(|call| call.method == "sendVerificationMessage")
        .map(|call| call.params["phone_number"].as_str().unwrap())
        .collect();
    assert_eq!(sends.len(), 3, "{sends:?}");
    assert_eq!(
        sends.iter().filter(|p| **p == PHONE_E164).count(),
        1,
        "{sends:?}"
    );
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT phone, status FROM verifications ORDER BY id")
            .fetch_all(&mut watcher)
            .await
            .unwrap();
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(
        rows.iter().all(|(_, status)| status == "pending"),
        "{rows:?}"
    );
}

#[tokio::test]
async fn database_timeouts_out_of_range_or_out_of_order_stop_start_up() {
    for (env, expected) in [
        (
            &[("DATABASE_LOCK_TIMEOUT", "0")][..],
            "DATABASE_LOCK_TIMEOUT is invalid: \"0\" is not a whole number from 1 to 600",
        ),
        (
            &[("DATABASE_STATEMENT_TIMEOUT", "soon")][..],
            "DATABASE_STATEMENT_TIMEOUT is invalid",
        ),
        (
            &[("DATABASE_KEEPALIVE", "3601")][..],
            "DATABASE_KEEPALIVE is invalid",
        ),
        (
            &[
                ("DATABASE_IDLE_TIMEOUT", "8"),
                ("DATABASE_LOCK_TIMEOUT", "8"),
            ][..],
            "DATABASE_IDLE_TIMEOUT is invalid: 8 s must be shorter than DATABASE_LOCK_TIMEOUT",
        ),
        (
            &[("DATABASE_STATEMENT_TIMEOUT", "5")][..],
            "DATABASE_LOCK_TIMEOUT is invalid: 5 s must be shorter than DATABASE_STATEMENT_TIMEOUT",
        ),
    ] {
        assert_start_up_refused(env, expected).await;
    }
}

/// Whether a connection of the stalled replica holds the reservation lock (the advisory lock
/// every reservation takes first) and waits for another lock.
async fn holds_the_reservation_lock_and_waits(watcher: &mut PgConnection) -> bool {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid \
         WHERE a.application_name = $1 AND a.wait_event_type = 'Lock' \
         AND l.locktype = 'advisory' AND l.granted)",
    )
    .bind(STALLED)
    .fetch_one(watcher)
    .await
    .unwrap()
}
