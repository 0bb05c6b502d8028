//! Trust, end to end: nobody can spend, see or undo what is not theirs (whatever a client puts
//! in a button's data), removing someone ends everything they hold, and what only an admin
//! should see never lands in a group.

use crate::common::app::{
    PATIENCE, PHONE, TestApp, assert_opens_with, assert_says, button, button_id, link_token,
};
use crate::common::fake_telegram::TgUser;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_buttons_for_a_colleagues_verification_do_nothing_and_reveal_nothing() {
    let app = TestApp::spawn().await;
    let bob = TgUser::new(5101, "Bob");
    let carol = TgUser::new(5102, "Carol");
    app.invite(&bob, "/invite").await;
    app.invite(&carol, "/invite").await;

    // Bob's verification, in his private chat.
    let sent = app.verify_as(&bob, PHONE).await;
    assert_opens_with(&sent, "📨");
    let resend = button(&sent, "resend");
    let cancel = button(&sent, "cancel");
    let id = button_id(&sent, "resend");
    let request = app.gateway.last_request_id().unwrap();

    // Carol forges Bob's buttons under a message in her own chat; the admin does the same in
    // theirs. Every press is answered with the same short refusal.
    let carols_message = app.say_as(&carol, carol.id as i64, "/help").await;
    let admins_message = app.say("/help").await;
    let before = app.telegram.sent_messages().len();
    let forged = [
        (&carol, &carols_message, resend.clone()),
        (&carol, &carols_message, cancel.clone()),
        (&carol, &carols_message, format!("check:{id}:123456")),
        (&app.admin, &admins_message, resend.clone()),
        // An admin may cancel a colleague's verification, but only from its chat.
        (&app.admin, &admins_message, cancel.clone()),
    ];
    for (who, under, data) in &forged {
        let answer = app
            .press_data(who, under.chat_id, under.message_id, data)
            .await;
        assert!(answer.starts_with("⛔"), "{data}: {answer}");
        assert!(!answer.contains("7911"), "{answer}");
    }
    // A made-up id is refused the same way: nothing says whether it exists.
    let answer = app
        .press_data(
            &carol,
            carol.id as i64,
            carols_message.message_id,
            "resend:987654",
        )
        .await;
    assert!(answer.starts_with("⛔"), "{answer}");

    // Nothing was sent, revoked or checked, no message went out, and Bob's code still works.
    assert_eq!(app.gateway.count("sendVerificationMessage"), 1);
    assert_eq!(app.gateway.count("revokeVerificationMessage"), 0);
    assert_eq!(app.gateway.count("checkVerificationStatus"), 0);
    assert_eq!(app.telegram.sent_messages().len(), before);
    let code = app.gateway.code_for(&request).unwrap();
    assert_opens_with(&app.say_as(&bob, bob.id as i64, &code).await, "✅");

    // Each refusal is in the audit log, in the name of the presser.
    let refused: Vec<_> = app
        .audit()
        .await
        .into_iter()
        .filter(|(_, action, _, _)| action == "refused")
        .collect();
    assert_eq!(refused.len(), 6, "{refused:?}");
    let actors: Vec<i64> = refused.iter().map(|(actor, ..)| actor.unwrap()).collect();
    assert_eq!(actors, [5102, 5102, 5102, 1001, 1001, 5102]);
    assert!(refused[..5].iter().all(|(_, _, v, _)| *v == Some(id)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_cancels_a_colleagues_verification_in_their_group_and_the_audit_names_the_admin() {
    let app = TestApp::spawn().await;
    let group = -100_5200;
    let dan = TgUser::new(5201, "Dan");
    app.invite(&dan, "/invite").await;
    let sent = app.say_as(&dan, group, &format!("/verify {PHONE}")).await;
    assert_opens_with(&sent, "📨");
    let id = button_id(&sent, "cancel");

    // In the group the verification belongs to, the admin's press works.
    let before = app.telegram.messages_to(group).len();
    assert_eq!(app.press(&app.admin, &sent, "cancel").await, "Cancelled");
    let told = app
        .telegram
        .wait_for_messages(group, before + 1, PATIENCE)
        .await;
    assert_opens_with(told.last().unwrap(), "🚫");
    assert_eq!(app.gateway.count("revokeVerificationMessage"), 1);

    let rows: Vec<_> = app
        .audit()
        .await
        .into_iter()
        .filter(|(_, action, v, _)| *v == Some(id) && (action == "cancel" || action == "revoke"))
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(
        rows.iter().all(|(actor, ..)| *actor == Some(1001)),
        "{rows:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removing_someone_ends_their_links_and_their_open_verifications() {
    let app = TestApp::spawn().await;
    let erin = TgUser::new(5301, "Erin");
    app.invite(&erin, "/invite admin").await;

    // Erin mints links (an admin one among them) and opens a verification.
    let admin_link = link_token(&app.say_as(&erin, erin.id as i64, "/invite admin").await);
    let staff_link = link_token(&app.say_as(&erin, erin.id as i64, "/invite").await);
    let sent = app.verify_as(&erin, PHONE).await;
    assert_opens_with(&sent, "📨");
    let request = app.gateway.last_request_id().unwrap();
    // And a /qr link, which one customer has opened and another has not.
    let (qr_link, _) = app.qr(&erin, erin.id as i64, "/qr").await;
    let customer = TgUser::new(5303, "Gina");
    assert_opens_with(&app.open(&customer, &qr_link).await, "👋");

    let removed = app.say("/staff remove 5301").await;
    assert_says(&removed, "Erin");
    assert_says(&removed, "open verification was cancelled");
    assert_says(&removed, "their 2 unused invites no longer work");

    // Her code is revoked at once, so the number is free for a colleague.
    let revoked = app.gateway.calls();
    let revoked: Vec<_> = revoked
        .iter()
        .filter(|c| c.method == "revokeVerificationMessage")
        .collect();
    assert_eq!(revoked.len(), 1);
    assert_eq!(revoked[0].params["request_id"], request.as_str());
    assert_opens_with(&app.say(&format!("/verify {PHONE}")).await, "📨");

    // Neither she nor anyone else gets in through her links.
    let back = app
        .say_as(&erin, erin.id as i64, &format!("/start {admin_link}"))
        .await;
    assert_says(&back, "no longer works");
    let frank = TgUser::new(5302, "Frank");
    let refused = app
        .say_as(&frank, frank.id as i64, &format!("/start {staff_link}"))
        .await;
    assert_says(&refused, "no longer works");
    assert_says(
        &app.say_as(&erin, erin.id as i64, "/staff").await,
        "<code>5301</code>",
    );
    // Her /qr link no longer verifies anyone, for her chat.
    let late = app
        .share(&customer, "447400123456", Some(customer.id))
        .await;
    assert_opens_with(&late, "⌛");
    assert_opens_with(&app.open(&frank, &qr_link).await, "⌛");

    // The cancel is the admin's doing in the audit log.
    let audit = app.audit().await;
    assert!(
        audit
            .iter()
            .any(|(actor, action, _, detail)| action == "cancel"
                && *actor == Some(1001)
                && detail.as_deref() == Some("access_removed")),
        "{audit:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_answers_asked_for_in_a_group_go_to_the_admins_private_chat() {
    let app = TestApp::spawn().await;
    let group = -100_5400;
    let admin = app.admin.clone();

    for command in ["/invite", "/staff", "/export", "/stats"] {
        if command == "/export" {
            // Something to export.
            app.say(&format!("/verify {PHONE}")).await;
        }
        let private_before = app.telegram.messages_to(app.chat()).len();
        let uploads_before = app.telegram.uploads().len();
        let said = app.say_as(&admin, group, command).await;
        assert_opens_with(&said, "🔒");
        assert!(!said.text.contains("start="), "{}", said.text);
        if command == "/export" || command == "/stats" {
            // The CSV and the workbook, or the figures and the chart, all in the admin's
            // private chat.
            let uploads = app.telegram.uploads();
            assert_eq!(
                uploads.len(),
                uploads_before + 2 - usize::from(command == "/stats")
            );
            assert!(
                uploads[uploads_before..]
                    .iter()
                    .all(|u| u.chat_id == app.chat())
            );
        } else {
            let private = app
                .telegram
                .wait_for_messages(app.chat(), private_before + 1, PATIENCE)
                .await;
            let answer = private.last().unwrap();
            let expected = if command == "/invite" {
                "start="
            } else {
                "1001"
            };
            assert_says(answer, expected);
        }
    }
    assert!(
        app.telegram
            .messages_to(group)
            .iter()
            .all(|m| !m.text.contains("start="))
    );

    // When the bot may not write to the admin, the group gets a hint, and still no link.
    app.assert_hint_when_the_private_chat_is_closed(group, "/invite", "sendMessage")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_without_access_in_a_group_get_one_answer_a_day_not_one_per_message() {
    let app = TestApp::spawn().await;
    let group = -100_5500;
    let customer = TgUser::new(5501, "Gina");
    let first = app
        .say_as(&customer, group, "/verify +44 7911 123456")
        .await;
    assert_says(&first, "<code>5501</code>");
    for text in ["/help", "/verify +44 7911 123456", "/start"] {
        app.telegram.push_text(&customer, group, text);
    }
    // A staff member's command after them is answered; nothing else was said to the group.
    let staff_reply = app.say_as(&app.admin, group, "/help").await;
    assert!(!staff_reply.text.contains("5501"), "{}", staff_reply.text);
    assert_eq!(app.telegram.messages_to(group).len(), 2);
    // In a private chat everyone is answered every time.
    for _ in 0..2 {
        let answer = app.say_as(&customer, customer.id as i64, "/help").await;
        assert_says(&answer, "<code>5501</code>");
    }
    assert_eq!(app.gateway.count("sendVerificationMessage"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_group_reset_masks_the_number_and_commands_for_another_bot_are_left_alone() {
    let app = TestApp::spawn().await;
    let group = -100_5600;
    let admin = app.admin.clone();

    let reset = app.say_as(&admin, group, &format!("/reset {PHONE}")).await;
    assert_opens_with(&reset, "♻️");
    assert_says(&reset, "+44 79•• •••456");
    assert!(!reset.text.contains("7911 123456"), "{}", reset.text);

    // Another bot's commands are its own: no answer, no code, however they are written.
    for text in [
        "/verify@other_bot +44 7911 123456",
        "/help@OtherBot",
        "/stats@other_bot",
    ] {
        app.telegram.push_text(&admin, group, text);
    }
    let ours = app
        .say_as(&admin, group, "/verify@verify_test_bot +44 7911 123456")
        .await;
    assert_opens_with(&ours, "📨");
    assert_eq!(app.telegram.messages_to(group).len(), 2);
    assert_eq!(app.gateway.count("sendVerificationMessage"), 1);
}
