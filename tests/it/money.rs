//! Money and abuse controls, end to end: limits, budget, resend, double taps, pre-check and
//! balance alerts. Every refusal must cost nothing and say why.

use crate::common::app::{
    PATIENCE, PHONE, PHONE_E164, TestApp, assert_opens_with, assert_pop_up_says, assert_says,
};
use crate::common::fake_telegram::TgUser;

/// Another valid number, for tests that need two customers.
const OTHER_PHONE: &str = "+7 916 123-45-67";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_limit_holds_at_the_limit_and_frees_after_the_window() {
    let app = TestApp::spawn_with(&[
        ("ADMIN_IDS", "1001"),
        ("PHONE_SEND_LIMIT", "2"),
        ("PHONE_SEND_WINDOW", "3"),
    ])
    .await;
    for _ in 0..2 {
        assert_opens_with(&app.say(&format!("/verify {PHONE}")).await, "📨");
        app.say("/cancel").await;
    }
    let refused = app.say(&format!("/verify {PHONE}")).await;
    assert_opens_with(&refused, "🚦");
    assert_says(&refused, "2 codes in the last 3~seconds");
    assert_says(&refused, "/reset");
    assert_eq!(app.gateway.count("sendVerificationMessage"), 2);

    // Another number is not affected.
    assert_opens_with(&app.say(&format!("/verify {OTHER_PHONE}")).await, "📨");
    app.say("/cancel").await;

    app.advance_clock(3);
    assert_opens_with(&app.say(&format!("/verify {PHONE}")).await, "📨");
    assert_eq!(app.gateway.count("sendVerificationMessage"), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_resend_cooldown_is_the_default_and_frees_up() {
    // Empty values: the defaults (30 s cooldown) apply. Then a short cooldown frees up.
    let app = TestApp::spawn_with(&[("ADMIN_IDS", "1001"), ("RESEND_COOLDOWN", "")]).await;
    assert_opens_with(&app.say(&format!("/verify {PHONE}")).await, "📨");
    app.say("/cancel").await;
    let refused = app.say(&format!("/verify {PHONE}")).await;
    assert_opens_with(&refused, "🚦");
    assert_says(&refused, "moments ago");
    assert_says(&refused, "UTC)");
    assert_eq!(app.gateway.count("sendVerificationMessage"), 1);

    // The time it frees up is shown in the business's time zone.
    let quick = TestApp::spawn_with(&[
        ("ADMIN_IDS", "1001"),
        ("RESEND_COOLDOWN", "2"),
        ("TIME_ZONE", "Europe/Moscow"),
    ])
    .await;
    assert_opens_with(&quick.say(&format!("/verify {PHONE}")).await, "📨");
    quick.say("/cancel").await;
    let refused = quick.say(&format!("/verify {PHONE}")).await;
    assert_opens_with(&refused, "🚦");
    assert_says(&refused, " MSK)");
    quick.advance_clock(2);
    assert_opens_with(&quick.say(&format!("/verify {PHONE}")).await, "📨");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_staff_daily_limit_counts_per_person_and_applies_to_admins() {
    let app = TestApp::spawn_with(&[("ADMIN_IDS", "1001,1002"), ("STAFF_DAILY_LIMIT", "2")]).await;
    for phone in [PHONE, OTHER_PHONE] {
        assert_opens_with(&app.say(&format!("/verify {phone}")).await, "📨");
        app.say("/cancel").await;
    }
    let refused = app.say("/verify +49 1512 3456789").await;
    assert_opens_with(&refused, "🚦");
    assert_says(&refused, "you have used up your daily limit of 2 codes");
    assert_says(&refused, "at 00:00 UTC");
    assert_eq!(app.gateway.count("sendVerificationMessage"), 2);

    let colleague = TgUser::new(1002, "Bob");
    let sent = app
        .say_as(&colleague, 1002, "/verify +49 1512 3456789")
        .await;
    assert_opens_with(&sent, "📨");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_budget_counts_costs_minus_refunds() {
    let app = TestApp::spawn_with(&[("ADMIN_IDS", "1001"), ("DAILY_BUDGET", "0.02")]).await;

    // The first code is never delivered: the Gateway refunds it, and the bot learns so when
    // the staff member types the code.
    assert_opens_with(&app.say(&format!("/verify {PHONE}")).await, "📨");
    let first = app.gateway.last_request_id().unwrap();
    app.gateway.set_delivery_status(&first, "expired");
    assert_opens_with(&app.say(&app.customer_code()).await, "⌛");

    // Two more codes fit in $0.02 only because the first was refunded.
    for phone in [OTHER_PHONE, PHONE] {
        assert_opens_with(&app.say(&format!("/verify {phone}")).await, "📨");
        app.say("/cancel").await;
    }
    let refused = app.say("/verify +49 1512 3456789").await;
    assert_opens_with(&refused, "🚦");
    assert_says(&refused, "budget of $0.02 is used up ($0.02 spent)");
    assert_eq!(app.gateway.count("sendVerificationMessage"), 3);

    // The customer at the counter can still be checked for free: the refusal says how, and its
    // button makes the QR picture for the refused number.
    assert_says(
        &refused,
        "If the customer is with you, check their number for free instead: tap <b>Show a QR code</b>.",
    );
    let labels: Vec<String> = refused
        .inline_buttons()
        .into_iter()
        .map(|(l, _)| l)
        .collect();
    assert_eq!(labels, ["📷 Show a QR code"]);
    let admin = app.admin.clone();
    assert_eq!(
        app.press(&admin, &refused, "qrq").await,
        "📷 The QR code is in the chat"
    );
    let photo = app
        .telegram
        .calls_to("sendPhoto")
        .pop()
        .expect("the QR picture");
    let caption = photo.params["caption"].as_str().unwrap_or_default();
    assert!(
        caption.contains("The customer’s number: <code>+49 1512 3456789</code>"),
        "{caption}"
    );
    assert_eq!(app.gateway.count("sendVerificationMessage"), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resend_revokes_the_old_code_and_buttons_are_safe_to_press_twice() {
    let app = TestApp::spawn().await;
    let admin = app.admin.clone();
    let first = app.say(&format!("/verify {PHONE}")).await;
    let buttons: Vec<String> = first.inline_buttons().into_iter().map(|(_, d)| d).collect();
    assert_eq!(buttons.len(), 3);
    assert!(buttons.iter().all(|d| !d.contains("447911")), "{buttons:?}");
    let old_request = app.gateway.last_request_id().unwrap();

    let before = app.telegram.messages_to(app.chat()).len();
    assert_eq!(app.press(&admin, &first, "resend").await, "New code sent");
    let resent = app.nth_message(app.chat(), before + 1).await;
    assert_opens_with(&resent, "📨");
    let new_request = app.gateway.last_request_id().unwrap();
    assert_ne!(new_request, old_request);
    let revoked: Vec<_> = app
        .gateway
        .calls()
        .into_iter()
        .filter(|c| c.method == "revokeVerificationMessage")
        .collect();
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0].params["request_id"], old_request.as_str());
    // The old message lost its buttons.
    assert!(
        app.telegram
            .edits()
            .iter()
            .any(|e| e.params["message_id"] == first.message_id)
    );

    // The old buttons are dead: a second press neither sends nor cancels anything.
    assert_pop_up_says(&app.press(&admin, &first, "resend").await, "no longer open");
    assert_pop_up_says(&app.press(&admin, &first, "cancel").await, "no longer open");
    assert_eq!(app.gateway.count("sendVerificationMessage"), 2);

    // The new code is checked against the new request.
    let verdict = app.say(&app.customer_code()).await;
    assert_opens_with(&verdict, "✅");
    let check = app
        .gateway
        .calls()
        .into_iter()
        .rfind(|c| c.method == "checkVerificationStatus")
        .unwrap();
    assert_eq!(check.params["request_id"], new_request.as_str());
    assert_pop_up_says(
        &app.press(&admin, &resent, "cancel").await,
        "no longer open",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cancel_button_cancels_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin.clone();
    let sent = app.say(&format!("/verify {PHONE}")).await;
    let before = app.telegram.messages_to(app.chat()).len();
    assert_eq!(app.press(&admin, &sent, "cancel").await, "Cancelled");
    let note = app.nth_message(app.chat(), before + 1).await;
    assert_says(&note, "Cancelled the verification");
    assert_pop_up_says(&app.press(&admin, &sent, "cancel").await, "no longer open");
    assert_eq!(app.gateway.count("revokeVerificationMessage"), 1);
    assert_says(&app.say("/status").await, "No verification is open");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resend_obeys_the_cooldown_and_keeps_the_old_code() {
    let app = TestApp::spawn_with(&[("ADMIN_IDS", "1001"), ("RESEND_COOLDOWN", "60")]).await;
    let admin = app.admin.clone();
    let sent = app.say(&format!("/verify {PHONE}")).await;
    let before = app.telegram.messages_to(app.chat()).len();
    assert_eq!(
        app.press(&admin, &sent, "resend").await,
        "No code sent: see the chat"
    );
    let why = app.nth_message(app.chat(), before + 1).await;
    assert_opens_with(&why, "🚦");
    assert_eq!(app.gateway.count("sendVerificationMessage"), 1);
    assert_eq!(app.gateway.count("revokeVerificationMessage"), 0);
    assert_opens_with(&app.say(&app.customer_code()).await, "✅");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_staff_verifying_one_number_at_once_pay_for_one_code() {
    let staff: Vec<TgUser> = (0..20)
        .map(|i| TgUser::new(2000 + i, &format!("Staff {i}")))
        .collect();
    let ids: Vec<String> = staff.iter().map(|s| s.id.to_string()).collect();
    let app = TestApp::spawn_with(&[("ADMIN_IDS", &ids.join(","))]).await;
    // All twenty updates are queued before the bot fetches any: it handles them concurrently.
    for person in &staff {
        app.telegram
            .push_text(person, person.id as i64, &format!("/verify {PHONE}"));
    }
    let mut sent = 0;
    let mut told_busy = 0;
    for person in &staff {
        let reply = app
            .telegram
            .wait_for_messages(person.id as i64, 1, PATIENCE)
            .await
            .remove(0);
        if reply.text.starts_with("📨") {
            sent += 1;
        } else {
            // The colleague is named, with what to do next.
            assert_says(&reply, "was already sent ");
            assert_says(&reply, " by user~<code>20");
            assert_says(&reply, "No new code was sent");
            assert_says(&reply, "so ask them to");
            assert_says(&reply, "/qr checks the number for free");
            // No Resend / Cancel buttons: they are the colleague's to press.
            assert!(reply.inline_buttons().is_empty(), "{reply:?}");
            told_busy += 1;
        }
    }
    assert_eq!((sent, told_busy), (1, 19));
    assert_eq!(app.gateway.count("sendVerificationMessage"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn precheck_reuses_its_request_id_so_the_customer_is_charged_once() {
    let app = TestApp::spawn_with(&[("ADMIN_IDS", "1001"), ("PRECHECK", "true")]).await;
    let balance = app.gateway.balance();
    assert_opens_with(&app.say(&format!("/verify {PHONE}")).await, "📨");
    let calls = app.gateway.calls();
    let methods: Vec<&str> = calls.iter().map(|c| c.method.as_str()).collect();
    assert_eq!(methods, ["checkSendAbility", "sendVerificationMessage"]);
    assert_eq!(
        calls[1].params["request_id"],
        app.gateway.last_request_id().unwrap().as_str()
    );
    assert!(
        (balance - app.gateway.balance() - 0.01).abs() < 1e-9,
        "charged once"
    );
    assert_opens_with(&app.say(&app.customer_code()).await, "✅");

    // A number that cannot receive codes is caught by the pre-check: no send at all.
    app.gateway.fail_next("PHONE_NUMBER_NOT_FOUND");
    let refused = app.say(&format!("/verify {OTHER_PHONE}")).await;
    assert_says(&refused, "can’t receive codes on Telegram");
    assert_eq!(app.gateway.count("sendVerificationMessage"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_low_balance_alerts_every_admin_once_until_it_recovers() {
    let app = TestApp::spawn_with(&[("ADMIN_IDS", "1001,1002"), ("LOW_BALANCE", "1.00")]).await;
    let other_admin = 1002;
    app.gateway.set_balance(1.02);
    // 1.01 and 1.00 are not below the threshold; 0.99 is; 0.98 must not alert again.
    for _ in 0..4 {
        app.say(&format!("/verify {PHONE}")).await;
        app.say("/cancel").await;
    }
    let alerts = app
        .telegram
        .wait_for_messages(other_admin, 1, PATIENCE)
        .await;
    assert_opens_with(&alerts[0], "💰");
    assert_says(&alerts[0], "$0.99");

    // A top-up re-arms the alert; the next drop alerts again, once.
    app.gateway.set_balance(5.0);
    app.say(&format!("/verify {PHONE}")).await;
    app.say("/cancel").await;
    app.gateway.set_balance(0.5);
    app.say(&format!("/verify {PHONE}")).await;
    let alerts = app
        .telegram
        .wait_for_messages(other_admin, 2, PATIENCE)
        .await;
    // Alerts are sent in order: had the 0.98 send alerted, it would sit before this one.
    assert_eq!(alerts.len(), 2, "{alerts:?}");
    assert_says(&alerts[1], "$0.49");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limits_survive_a_restart_and_an_admin_can_reset_a_phone() {
    let mut app = TestApp::spawn_with(&[("ADMIN_IDS", "1001"), ("PHONE_SEND_LIMIT", "1")]).await;
    assert_opens_with(&app.say(&format!("/verify {PHONE}")).await, "📨");
    app.say("/cancel").await;
    app.kill9().await;
    app.start().await;
    assert_opens_with(&app.say(&format!("/verify {PHONE}")).await, "🚦");

    let reset = app.say(&format!("/reset {PHONE}")).await;
    assert_opens_with(&reset, "♻️");
    assert_opens_with(&app.say(&format!("/verify {PHONE}")).await, "📨");
    assert_eq!(app.gateway.count("sendVerificationMessage"), 2);

    let db = app.database().await;
    let actions: Vec<(String, Option<String>)> =
        crate::on_test_db!(db, pool => sqlx::query_as("SELECT action, phone FROM audit_log ORDER BY id")
            .fetch_all(pool)
            .await)
            .unwrap();
    let names: Vec<&str> = actions.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        names,
        ["send", "cancel", "revoke", "send_refused", "reset", "send"],
        "{actions:?}"
    );
    assert!(
        actions
            .iter()
            .all(|(_, phone)| phone.as_deref() == Some(PHONE_E164))
    );
    // The audit log is append-only.
    assert!(
        crate::on_test_db!(db, pool => sqlx::query("DELETE FROM audit_log")
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))
        .is_err()
    );
    assert!(
        crate::on_test_db!(db, pool => sqlx::query("UPDATE audit_log SET action = 'x'")
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))
        .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_is_for_admins_only() {
    let app = TestApp::spawn().await;
    let staff = TgUser::new(3003, "Sam");
    app.invite(&staff, "/invite").await;
    let refused = app.say_as(&staff, 3003, &format!("/reset {PHONE}")).await;
    assert_says(&refused, "Only admins");
    let usage = app.say("/reset").await;
    assert_says(&usage, "/reset +44 7911 123456");
}
