//! Several `verify-bot` processes on one PostgreSQL database, as replicas behind one webhook
//! URL: every guarantee holds across them. Each process has its own Bot API fake (so the test
//! decides which process gets which update) and shares the Gateway fake and the database.
//! Run with `TEST_DATABASE_URL=postgres://…`; without it each test says it was skipped.

use std::time::Duration;

use sqlx::Connection;

use crate::common::app::{
    PATIENCE, PHONE, TestApp, assert_opens_with, assert_says, button, eventually,
};
use crate::common::fake_gateway::GatewayCall;
use crate::common::fake_telegram::TgUser;

const OTHER_PHONE: &str = "+7 916 123-45-67";
const THIRD_PHONE: &str = "+49 1512 3456789";

/// Staff of the replica tests: admins from `ADMIN_IDS`, each in their private chat.
fn staff(id: u64) -> TgUser {
    TgUser::new(id, &format!("Staff {id}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn six_simultaneous_verifies_of_one_number_through_three_processes_pay_once() {
    crate::postgres_only!();
    let first = TestApp::spawn_with(&[("ADMIN_IDS", "1001,1002,1003,1004,1005,1006")]).await;
    let second = first.sibling(&[]).await;
    let third = first.sibling(&[]).await;
    // A slow Gateway keeps the first send in flight while the others arrive.
    first.gateway.set_delay(Duration::from_millis(500));
    let replicas = [&first, &first, &second, &second, &third, &third];
    for (i, app) in replicas.iter().enumerate() {
        let who = staff(1001 + i as u64);
        app.telegram
            .push_text(&who, who.id as i64, &format!("/verify {PHONE}"));
    }
    let mut sent = 0;
    for (i, app) in replicas.iter().enumerate() {
        let chat = 1001 + i as i64;
        let reply = app.telegram.wait_for_messages(chat, 1, PATIENCE).await;
        match reply[0].text.chars().next() {
            Some('📨') => sent += 1,
            _ => assert_opens_with(&reply[0], "⏳"),
        }
    }
    assert_eq!(sent, 1);
    assert_eq!(first.gateway.count("sendVerificationMessage"), 1);
}

/// Each of `who` sends `/verify` for a number of its own, all at once, through `replicas` in
/// turn (each in its private chat, or when `groups` is given, each in a group of its own:
/// `groups`, `groups - 1`, …); returns how many codes were sent and the refusals' texts.
///
/// So that the reservations really meet, the test holds the table the limits read
/// (`phone_resets`) locked while the updates arrive: every reservation gets as far as it can and
/// waits there, and all go on at the same moment when the test lets go. Only what the bot itself
/// locks keeps them apart then.
async fn verify_at_once(
    replicas: &[&TestApp],
    who: &[TgUser],
    groups: Option<i64>,
) -> (usize, Vec<String>) {
    let chat = |i: usize| groups.map_or(who[i].id as i64, |first| first - i as i64);
    let database_url = replicas[0].env("DATABASE_URL").unwrap().to_owned();
    let mut holder = sqlx::PgConnection::connect(&database_url).await.unwrap();
    sqlx::raw_sql("BEGIN; LOCK TABLE phone_resets IN ACCESS EXCLUSIVE MODE")
        .execute(&mut holder)
        .await
        .unwrap();
    for (i, person) in who.iter().enumerate() {
        // Six UK mobile numbers, one per sender: +44 7911 123450 … 123455.
        let number = format!("+44 7911 12345{i}");
        let app = replicas[i % replicas.len()];
        app.telegram
            .push_text(person, chat(i), &format!("/verify {number}"));
    }
    // Every reservation waits (on the table, or on what the bot locks), then all go on.
    let mut probe = sqlx::PgConnection::connect(&database_url).await.unwrap();
    eventually("every reservation waiting", async || {
        let waiting: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_stat_activity \
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .fetch_one(&mut probe)
        .await
        .unwrap();
        (waiting == who.len() as i64).then_some(())
    })
    .await;
    sqlx::raw_sql("COMMIT").execute(&mut holder).await.unwrap();
    let mut replies = Vec::new();
    for i in 0..who.len() {
        let app = replicas[i % replicas.len()];
        replies.extend(app.telegram.wait_for_messages(chat(i), 1, PATIENCE).await);
    }
    let (mut sent, mut refused) = (0, Vec::new());
    for reply in replies {
        match reply.text.chars().next() {
            Some('📨') => sent += 1,
            _ => refused.push(reply.text.clone()),
        }
    }
    (sent, refused)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simultaneous_sends_to_different_numbers_keep_the_budget_exact_across_processes() {
    crate::postgres_only!();
    // Two codes' worth of budget, six staff members sending to six numbers at once through
    // three processes: the numbers do not contend, the budget does.
    let first = TestApp::spawn_with(&[
        ("ADMIN_IDS", "1001,1002,1003,1004,1005,1006"),
        ("DAILY_BUDGET", "0.02"),
    ])
    .await;
    let second = first.sibling(&[]).await;
    let third = first.sibling(&[]).await;
    first.gateway.set_delay(Duration::from_millis(300));
    let who: Vec<TgUser> = (1001..=1006).map(staff).collect();
    let (sent, refused) = verify_at_once(&[&first, &second, &third], &who, None).await;
    assert_eq!(sent, 2, "{refused:?}");
    assert_eq!(refused.len(), 4, "{refused:?}");
    for text in &refused {
        assert!(text.starts_with("🚦") && text.contains("budget"), "{text}");
    }
    assert_eq!(first.gateway.count("sendVerificationMessage"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_persons_simultaneous_sends_through_two_processes_keep_their_daily_limit() {
    crate::postgres_only!();
    // One staff member, two sends a day, four numbers typed at once into four groups, two
    // updates through each process.
    let first = TestApp::spawn_with(&[("ADMIN_IDS", "1001"), ("STAFF_DAILY_LIMIT", "2")]).await;
    let second = first.sibling(&[]).await;
    first.gateway.set_delay(Duration::from_millis(300));
    let who = vec![staff(1001); 4];
    let groups = -100_200_300;
    let (sent, refused) = verify_at_once(&[&first, &second], &who, Some(groups)).await;
    assert_eq!(sent, 2, "{refused:?}");
    assert_eq!(refused.len(), 2, "{refused:?}");
    for text in &refused {
        assert!(text.starts_with("🚦"), "{text}");
    }
    assert_eq!(first.gateway.count("sendVerificationMessage"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_and_the_daily_budget_are_global_not_per_process() {
    crate::postgres_only!();
    let first = TestApp::spawn_with(&[
        ("ADMIN_IDS", "1001,1002"),
        ("RESEND_COOLDOWN", "60"),
        ("DAILY_BUDGET", "0.02"),
    ])
    .await;
    let second = first.sibling(&[]).await;
    let colleague = staff(1002);

    assert_opens_with(&first.say(&format!("/verify {PHONE}")).await, "📨");
    first.say("/cancel").await;
    let cooled = second.verify_as(&colleague, PHONE).await;
    assert_opens_with(&cooled, "🚦");
    assert_says(&cooled, "moments ago");

    assert_opens_with(&first.say(&format!("/verify {OTHER_PHONE}")).await, "📨");
    let broke = second.verify_as(&colleague, THIRD_PHONE).await;
    assert_opens_with(&broke, "🚦");
    assert_says(&broke, "budget");
    assert_eq!(first.gateway.count("sendVerificationMessage"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_delivered_to_two_replicas_is_handled_once() {
    crate::postgres_only!();
    let secret = "s3cret-Token_for_tests";
    let first = TestApp::spawn_with(&[
        ("ADMIN_IDS", "1001"),
        ("WEBHOOK_URL", "https://bot.example.com/telegram/hook"),
        ("WEBHOOK_SECRET", secret),
    ])
    .await;
    let second = first.sibling(&[]).await;
    // Telegram thought the first delivery failed and sends the update again, to the other
    // replica behind the URL, at once: either may take it, never both.
    first
        .telegram
        .push_text(&first.admin, first.chat(), &format!("/verify {PHONE}"));
    let update = first.telegram.take_update().expect("a queued update");
    assert_eq!(first.post_update(&update, Some(secret)).await, 200);
    assert_eq!(second.post_update(&update, Some(secret)).await, 200);
    let replies = |app: &TestApp| app.telegram.messages_to(app.chat());
    let (took, skipped) = eventually("an answer from either replica", async || {
        match (replies(&first).is_empty(), replies(&second).is_empty()) {
            (true, true) => None,
            (false, _) => Some((&first, &second)),
            (true, false) => Some((&second, &first)),
        }
    })
    .await;
    assert_opens_with(&replies(took)[0], "📨");
    skipped.wait_for_log("update already handled").await;
    assert!(replies(skipped).is_empty());
    assert_eq!(replies(took).len(), 1);
    assert_eq!(first.gateway.count("sendVerificationMessage"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_work_is_done_by_one_process_at_a_time() {
    crate::postgres_only!();
    // No admin yet: one owner link for the two replicas, not two that cancel each other out.
    let first = TestApp::spawn_with(&[
        ("ADMIN_IDS", ""),
        ("STATUS_POLL_SECS", "1"),
        ("LOW_BALANCE", "1000"),
    ])
    .await;
    let second = first.sibling(&[]).await;
    first.wait_for_log("Open this one-time link").await;
    second
        .wait_for_log("Another instance has just printed the one-time owner link")
        .await;
    let owner = staff(1001);
    let link = first
        .logs()
        .split("?start=")
        .nth(1)
        .expect("the owner link")
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>();
    let joined = second.say_as(&owner, 1001, &format!("/start {link}")).await;
    assert_opens_with(&joined, "🎉");

    // Codes through both replicas: the balance is under LOW_BALANCE, and the owner hears it
    // once, from whichever replica saw it first.
    // The alert and the "code sent" reply come from two tasks: in either order.
    let sent = first
        .say_and_collect(&owner, 1001, &format!("/verify {PHONE}"), 2)
        .await;
    assert!(sent.iter().any(|m| m.text.starts_with("📨")), "{sent:?}");
    let second_code = second
        .say_as(&owner, 1001, &format!("/verify {OTHER_PHONE}"))
        .await;
    assert_opens_with(&second_code, "📨");
    let alerts = |app: &TestApp| {
        let messages = app.telegram.messages_to(1001);
        messages.iter().filter(|m| m.text.starts_with("💰")).count()
    };

    // Delivery status polling: several rounds go by, and every poll comes from one process.
    let request = first.gateway.last_request_id().unwrap();
    let poll = |c: &GatewayCall| {
        c.method == "checkVerificationStatus" && c.params["request_id"] == request.as_str()
    };
    first.gateway.wait_for_calls(3, PATIENCE, poll).await;
    let polled = |app: &TestApp| app.logs().contains("status polled");
    assert!(
        polled(&first) != polled(&second),
        "exactly one replica polls"
    );
    assert_eq!(alerts(&first) + alerts(&second), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_killed_mid_send_loses_nothing_and_another_serves_the_chat() {
    crate::postgres_only!();
    let mut first = TestApp::spawn_with(&[("ADMIN_IDS", "1001"), ("GATEWAY_TIMEOUT", "3")]).await;
    let second = first.sibling(&[]).await;
    first.gateway.set_delay(Duration::from_secs(2));
    first.verify_in_flight(PHONE).await;
    first.kill9().await;
    first.gateway.set_delay(Duration::ZERO);

    // The surviving replica gives the abandoned send up (counted as paid) and says so in the
    // chat; the staff member carries on through it.
    second.advance_clock(5);
    let told = second.nth_message(second.chat(), 1).await;
    assert_says(&told, "interrupted while sending a code");
    second.verify_to_the_end(PHONE).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_replica_reports_its_own_database_connection() {
    crate::postgres_only!();
    let first = TestApp::spawn().await;
    // The second replica logs in as a role of its own, which the test can lock out.
    let database_url = first.env("DATABASE_URL").unwrap().to_owned();
    let role = format!("verify_bot_replica_{}", std::process::id());
    let mut admin = sqlx::PgConnection::connect(&database_url).await.unwrap();
    for statement in [
        format!("DROP ROLE IF EXISTS {role}"),
        format!("CREATE ROLE {role} LOGIN"),
        format!("GRANT USAGE, CREATE ON SCHEMA public TO {role}"),
        format!("GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}"),
        format!("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}"),
    ] {
        sqlx::query(&statement).execute(&mut admin).await.unwrap();
    }
    let mut as_role = reqwest::Url::parse(&database_url).unwrap();
    as_role.set_username(&role).unwrap();
    let second = first.sibling(&[("DATABASE_URL", as_role.as_str())]).await;
    assert_eq!(first.get("/healthz").await.status, 200);
    assert_eq!(second.get("/healthz").await.status, 200);

    // The second replica's connections are cut and it may not log in again.
    sqlx::query(&format!("ALTER ROLE {role} NOLOGIN"))
        .execute(&mut admin)
        .await
        .unwrap();
    sqlx::query(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'"
    ))
    .execute(&mut admin)
    .await
    .unwrap();
    let health = second.get("/healthz").await;
    assert_eq!(health.status, 503, "{}", health.body);
    assert_eq!(first.get("/healthz").await.status, 200);

    sqlx::query(&format!("ALTER ROLE {role} LOGIN"))
        .execute(&mut admin)
        .await
        .unwrap();
    second.wait_until_healthy().await;
    drop(second);
    sqlx::query(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'"
    ))
    .execute(&mut admin)
    .await
    .unwrap();
    for statement in [
        format!("DROP OWNED BY {role}"),
        format!("DROP ROLE IF EXISTS {role}"),
    ] {
        let _ = sqlx::query(&statement).execute(&mut admin).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_answered_twice_through_two_processes_sends_once() {
    crate::postgres_only!();
    let first = TestApp::spawn_with(&[("ADMIN_IDS", "1001"), ("CONFIRM_CONSENT", "true")]).await;
    let second = first.sibling(&[]).await;
    // A slow Gateway keeps the first send in flight while the second press arrives.
    first.gateway.set_delay(Duration::from_millis(500));
    let asked = first.say(&format!("/verify {PHONE}")).await;
    assert_opens_with(&asked, "🤝");
    let yes = button(&asked, "consent");
    // A double tap whose two presses reach two replicas (the second one's chat has another
    // message of the bot to press on: the press names the question, not the message).
    let elsewhere = second.say("/help").await;
    let admin = first.admin.clone();
    let (a, b) = tokio::join!(
        first.press_data(&admin, asked.chat_id, asked.message_id, &yes),
        second.press_data(&admin, elsewhere.chat_id, elsewhere.message_id, &yes),
    );
    let sent = [&a, &b].iter().filter(|p| p.contains("Code sent")).count();
    assert_eq!(sent, 1, "{a:?} / {b:?}");
    assert!(
        a.contains("already answered") || b.contains("already answered"),
        "{a:?} / {b:?}"
    );
    assert_eq!(first.gateway.count("sendVerificationMessage"), 1);
}
