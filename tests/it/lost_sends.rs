//! Telling is not holding: sends abandoned by a process that died are all closed at once (every
//! number free again), and each staff member is told on their own, so a chat Telegram holds
//! back delays only its own message.

use std::time::Duration;

use crate::common::app::{PATIENCE, PHONE, PHONE_E164, TestApp, assert_opens_with, assert_says};
use crate::common::fake_telegram::TgUser;
use crate::on_test_db;

const OTHER_PHONE: &str = "+7 916 123-45-67";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_limited_chat_delays_only_its_own_lost_send_message() {
    let mut app =
        TestApp::spawn_with(&[("ADMIN_IDS", "1001,1002,1003"), ("GATEWAY_TIMEOUT", "10")]).await;
    let (x, y, z) = (
        app.admin.clone(),
        TgUser::new(1002, "Bob"),
        TgUser::new(1003, "Carol"),
    );
    // Two staff members, each in their own chat, send codes one after the other to a slow
    // Gateway; the bot dies while both calls are in flight.
    app.gateway.set_delay(Duration::from_secs(8));
    app.verify_in_flight_as(&x, PHONE).await;
    app.verify_in_flight_as(&y, OTHER_PHONE).await;
    app.kill9().await;
    app.gateway.set_delay(Duration::ZERO);

    // Telegram holds the first chat back (a flood limit that lasts until the test lifts it).
    // The restarted bot gives both sends up once no call can still be running (10 s + a margin).
    app.telegram.flood_chat(x.id as i64, 5);
    app.start().await;
    app.advance_clock(13);

    // The second staff member is told while the first chat is still flooded: the first chat's
    // message, tried and refused, holds nothing up.
    let told = app.nth_message(y.id as i64, 1).await;
    assert_says(&told, "interrupted while sending a code");
    app.telegram
        .wait_for_flood_refusals(x.id as i64, 1, PATIENCE)
        .await;
    assert!(app.telegram.messages_to(x.id as i64).is_empty());

    // The first number is free at once: a colleague in a third chat sends it a code.
    let sent = app.verify_as(&z, PHONE).await;
    assert_opens_with(&sent, "📨");
    assert_eq!(app.gateway.count("sendVerificationMessage"), 3);

    // Once the flood passes, the first staff member gets their message, once.
    app.telegram.end_flood(x.id as i64);
    let told = app.nth_message(x.id as i64, 1).await;
    assert_says(&told, "interrupted while sending a code");
    let help = app.say_as(&x, x.id as i64, "/help").await;
    assert_says(&help, "/verify");
    let to_x = app.telegram.messages_to(x.id as i64);
    assert_eq!(to_x.len(), 2, "{to_x:#?}");
    let db = app.database().await;
    let sql = "SELECT status, error FROM verifications WHERE phone IN ($1, $2) ORDER BY id";
    let rows: Vec<(String, Option<String>)> = on_test_db!(db, pool => sqlx::query_as(sql)
        .bind(PHONE_E164)
        .bind("+79161234567")
        .fetch_all(pool)
        .await)
    .unwrap();
    let interrupted = ("failed".to_owned(), Some("interrupted".to_owned()));
    let pending = ("pending".to_owned(), None);
    assert_eq!(rows, [interrupted.clone(), interrupted, pending]);
}
