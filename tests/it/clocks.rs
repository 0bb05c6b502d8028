//! Clocks: processes on one database go by the database's clock, so a replica whose host's
//! clock runs ahead (the test-only `VERIFY_BOT_TEST_SYSTEM_SKEW` makes the real binary read its
//! host's clock ten minutes wrong) neither gives up another's live send nor escapes a limit
//! window through it.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::common::app::{PHONE, PHONE_E164, TestApp, assert_opens_with, assert_says};
use crate::common::fake_telegram::TgUser;
use crate::on_test_db;

/// Ten minutes: longer than a code's life, the limit windows and any Gateway call.
const TEN_MINUTES_AHEAD: &str = "600";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_whose_clock_runs_ahead_never_closes_a_live_send() {
    // The first process waits up to a minute for the Gateway, so it never gives a send up in
    // this test; the one running ahead gives sends up after 20 s + a margin.
    let first = TestApp::spawn_with(&[("ADMIN_IDS", "1001,1003"), ("GATEWAY_TIMEOUT", "60")]).await;
    let ahead = first
        .sibling(&[
            ("VERIFY_BOT_TEST_SYSTEM_SKEW", TEN_MINUTES_AHEAD),
            ("GATEWAY_TIMEOUT", "20"),
        ])
        .await;
    // It noticed, and goes by the database's clock (the log's fields follow its message).
    let said = "this host's clock is off the database's";
    let logs = ahead.wait_for_log(said).await;
    let line = logs.lines().find(|line| line.contains(said)).unwrap();
    assert!(line.contains("-600"), "{line}");

    // The first process's send is held in flight by a slow Gateway (12 s: no process that goes
    // by the database's clock gives it up, and it lasts well past the sweep below).
    first.gateway.set_delay(Duration::from_secs(12));
    first.verify_in_flight(PHONE).await;

    // A send truly abandoned 35 s ago (by the database's clock, which is this host's)
    // in another chat: only the process running ahead gives it up, in the same statement that
    // would give up the live send if that process went by its own clock.
    let abandoned_at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        - 35;
    let db = first.database().await;
    let sql = "INSERT INTO verifications (chat_id, staff_user_id, phone, status, code_length, \
               ttl, created_at, send_started_at) VALUES (1003, 1003, '+491512345678', 'sending', \
               6, 300, $1, $2)";
    on_test_db!(db, pool => sqlx::query(sql)
        .bind(abandoned_at)
        .bind(abandoned_at)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))
    .unwrap();
    assert_says(
        &ahead.nth_message(1003, 1).await,
        "interrupted while sending a code",
    );

    // The live send was left alone: still in flight, and nobody was told it was lost.
    let sql = "SELECT status FROM verifications WHERE phone = $1";
    let status: String =
        on_test_db!(db, pool => sqlx::query_scalar(sql).bind(PHONE_E164).fetch_one(pool).await)
            .unwrap();
    assert_eq!(status, "sending");
    assert!(ahead.telegram.messages_to(first.chat()).is_empty());

    // It lands, and its code checks out.
    first.held_send_lands_and_checks_out().await;
    assert!(ahead.telegram.messages_to(first.chat()).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_whose_clock_runs_ahead_neither_expires_nor_escapes_anothers_sends() {
    let first = TestApp::spawn_with(&[
        ("ADMIN_IDS", "1001,1002"),
        ("CODE_TTL", "300"),
        ("RESEND_COOLDOWN", "60"),
        ("PHONE_SEND_LIMIT", "3"),
        ("PHONE_SEND_WINDOW", "300"),
    ])
    .await;
    let ahead = first
        .sibling(&[("VERIFY_BOT_TEST_SYSTEM_SKEW", TEN_MINUTES_AHEAD)])
        .await;
    let colleague = TgUser::new(1002, "Bob");

    // A code sent through the first process is still open for the replica running ahead: a
    // colleague's /verify there shows it instead of paying for another.
    assert_opens_with(&first.say(&format!("/verify {PHONE}")).await, "📨");
    let open = ahead.verify_as(&colleague, PHONE).await;
    assert_opens_with(&open, "⏳");
    assert_says(&open, "No new code was sent");
    assert_eq!(first.gateway.count("sendVerificationMessage"), 1);

    // Cancelled, the number is still in its cooldown there.
    first.say("/cancel").await;
    let cooled = ahead.verify_as(&colleague, PHONE).await;
    assert_opens_with(&cooled, "🚦");
    assert_says(&cooled, "moments ago");

    // And the send counts in the number's window there: with the cooldown behind (by the clock
    // the tests move, which both processes follow), two more sends use the window up and a third is refused.
    first.advance_clock(61);
    assert_opens_with(&first.say(&format!("/verify {PHONE}")).await, "📨");
    first.say("/cancel").await;
    first.advance_clock(61);
    let second = ahead.verify_as(&colleague, PHONE).await;
    assert_opens_with(&second, "📨");
    ahead.say_as(&colleague, 1002, "/cancel").await;
    first.advance_clock(61);
    let refused = ahead.verify_as(&colleague, PHONE).await;
    assert_opens_with(&refused, "🚦");
    assert_eq!(first.gateway.count("sendVerificationMessage"), 3);
}
