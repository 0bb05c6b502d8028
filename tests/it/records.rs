//! Records mean what they say. A consent is on record only where the consent question was asked
//! in that chat and answered "Yes, send" (a forged press records nothing, sends nothing); and a
//! send lost after a paid pre-check (`PRECHECK=true`), whose request the bot already holds, is
//! attached again when its delivery report or its polled status shows the code went out.

use std::time::Duration;

use crate::common::app::{
    ADMIN_ID, PATIENCE, PHONE, TestApp, assert_opens_with, assert_says, button_id,
};
use crate::common::fake_telegram::SentMessage;
use crate::on_test_db;

/// Verifies `PHONE` with a code, then asks for it again: returns the "already verified"
/// question (its buttons: send anyway, QR instead).
async fn returning_question(app: &TestApp) -> SentMessage {
    app.verify_to_the_end(PHONE).await;
    let returning = app.say(&format!("/verify {PHONE}")).await;
    assert_says(
        &returning,
        "was already verified by you with a code just now",
    );
    returning
}

/// The admin forges "Yes, send" under `question`, which never asked for consent: refused like
/// any press that is not the presser's to make, and nothing is sent. Returns the question's id.
async fn forge_consent(app: &TestApp, question: &SentMessage) -> i64 {
    let id = button_id(question, "anyway");
    let forged = app
        .press_data(
            &app.admin,
            question.chat_id,
            question.message_id,
            &format!("consent:{id}"),
        )
        .await;
    assert!(forged.contains("⛔"), "{forged}");
    assert_eq!(app.gateway.count("sendVerificationMessage"), 1);
    id
}

/// How many verifications have a consent on record.
async fn consents(app: &TestApp) -> i64 {
    let db = app.database().await;
    let sql = "SELECT COUNT(*) FROM verifications WHERE consent_by IS NOT NULL \
               OR consent_at IS NOT NULL";
    let (n,): (i64,) = on_test_db!(db, pool => sqlx::query_as(sql).fetch_one(pool).await).unwrap();
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_yes_under_a_question_that_never_asked_for_consent_records_nothing() {
    let app = TestApp::spawn_remembering(&[]).await;
    let returning = returning_question(&app).await;

    // "Yes, send" was never shown (CONFIRM_CONSENT is off, and this question is about a number
    // seen before); a client forges it anyway. Refused like any press that is not the
    // presser's to make: nothing is sent, no consent is recorded, the attempt is audited.
    let id = forge_consent(&app, &returning).await;
    assert_eq!(consents(&app).await, 0);
    let audit = app.audit().await;
    assert!(
        audit.iter().any(|row| row.1 == "refused"
            && row.0 == Some(ADMIN_ID as i64)
            && row.3.as_deref() == Some(&format!("consent question {id}, never asked"))),
        "{audit:?}"
    );
    assert!(!audit.iter().any(|row| row.1 == "consent"), "{audit:?}");

    // The question's own button still works, and sends without a consent (none was asked).
    let pop_up = app.press(&app.admin, &returning, "anyway").await;
    assert!(pop_up.contains("Code sent"), "{pop_up}");
    app.wait_for_sends(2).await;
    assert_eq!(consents(&app).await, 0);

    let lookup = app.say(&format!("/lookup {PHONE}")).await;
    assert!(!lookup.text.contains("consent"), "{}", lookup.text);
    let csv = app.exported_csv().await;
    let csv: Vec<&str> = csv.lines().collect();
    assert!(
        csv[0].ends_with("method,consent_by,consent_at"),
        "{}",
        csv[0]
    );
    assert_eq!(csv.len(), 3, "{csv:?}");
    for row in &csv[1..] {
        assert!(row.ends_with(",code,,"), "no consent in {row}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_confirm_consent_yes_counts_only_once_the_consent_question_was_shown() {
    let app = TestApp::spawn_remembering(&[("CONFIRM_CONSENT", "true")]).await;
    // The first code: the consent question, answered yes.
    let asked = app.say(&format!("/verify {PHONE}")).await;
    assert_opens_with(&asked, "🤝");
    app.press(&app.admin, &asked, "consent").await;
    app.wait_for_sends(1).await;
    assert_opens_with(&app.say(&app.customer_code()).await, "✅");
    assert_eq!(consents(&app).await, 1);

    // Asked again about the number: a forged "Yes, send" skipping "Send a new code anyway" (and
    // so the consent question) is refused.
    let returning = app.say(&format!("/verify {PHONE}")).await;
    assert_says(
        &returning,
        "was already verified by you with a code just now",
    );
    let id = forge_consent(&app, &returning).await;
    assert_eq!(consents(&app).await, 1);

    // The real way: "Send a new code anyway", then the consent question, then yes.
    app.press(&app.admin, &returning, "anyway").await;
    let asked = app.last_message(app.chat());
    assert_opens_with(&asked, "🤝");
    assert_eq!(button_id(&asked, "consent"), id);
    let pop_up = app.press(&app.admin, &asked, "consent").await;
    assert!(pop_up.contains("Code sent"), "{pop_up}");
    app.wait_for_sends(2).await;
    assert_eq!(consents(&app).await, 2);
}

/// The bot with `PRECHECK=true` and `extra`, whose `sendVerificationMessage` hangs (after the
/// Gateway carried it out) past `GATEWAY_TIMEOUT`, while the pre-check answers at once. Sends a
/// code and returns the app, once staff were told the send may be lost, and the request id of
/// the pre-check the send used.
async fn a_send_lost_after_a_precheck(extra: &[(&str, &str)]) -> (TestApp, String) {
    let mut env = vec![("PRECHECK", "true")];
    env.extend_from_slice(extra);
    let app = TestApp::spawn_with_admin(&env).await;
    app.gateway
        .delay_method("sendVerificationMessage", Duration::from_secs(60));
    app.verify_in_flight(PHONE).await;
    let request = app.gateway.last_request_id().unwrap();
    let send = app.gateway.calls().pop().unwrap();
    assert_eq!(send.method, "sendVerificationMessage");
    assert_eq!(send.params["request_id"], request.as_str());
    (app, request)
}

/// The bot's messages in the admin's chat, once there are `n`.
async fn messages(app: &TestApp, n: usize) -> Vec<SentMessage> {
    app.telegram
        .wait_for_messages(app.chat(), n, PATIENCE)
        .await
}

/// Fails unless `told` tells staff the send may be lost.
#[track_caller]
fn assert_may_be_lost(told: &SentMessage) {
    assert_opens_with(told, "⚠️");
    assert_says(told, "can’t tell whether a code was sent");
}

/// The lost send came back: staff got a new "code sent" message (`resurfaced`) with its
/// buttons, and the code the customer reads out is checked. Charged once: the pre-check.
async fn the_code_is_checked_after_all(
    app: &TestApp,
    resurfaced: &SentMessage,
    request: &str,
    balance: f64,
) {
    assert_opens_with(resurfaced, "📨");
    assert_says(resurfaced, "after all");
    assert_eq!(resurfaced.inline_buttons().len(), 3);
    let code = app.gateway.code_for(request).unwrap();
    assert_opens_with(&app.say(&code).await, "✅");
    assert_eq!(app.gateway.count("checkSendAbility"), 1);
    assert_eq!(app.gateway.count("sendVerificationMessage"), 1);
    assert!(
        (balance - app.gateway.balance() - 0.01).abs() < 1e-9,
        "charged once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_lost_after_a_precheck_is_attached_again_by_its_delivery_report() {
    let (app, request) = a_send_lost_after_a_precheck(&[
        ("PUBLIC_URL", "https://verify-bot.example"),
        // Room for a report while the send is in flight.
        ("GATEWAY_TIMEOUT", "4"),
    ])
    .await;
    app.gateway.route_reports_to(&app.http_url());
    let balance = app.gateway.balance() + 0.01;

    // A report while the send is still in flight is not taken: the Gateway sends it again.
    assert_eq!(app.gateway.deliver_report(&request, "sent").await, 503);
    assert_may_be_lost(&messages(&app, 1).await[0]);

    // The report of the pre-checked request (`payload` = the verification) attaches it again.
    assert_eq!(app.gateway.deliver_report(&request, "delivered").await, 200);
    let resurfaced = messages(&app, 2).await.remove(1);
    the_code_is_checked_after_all(&app, &resurfaced, &request, balance).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_send_lost_after_a_precheck_is_attached_again_by_polling_its_status() {
    // Without `PUBLIC_URL` the bot polls: it knows the pre-check's request, so it asks about
    // the lost send too.
    let (app, request) = a_send_lost_after_a_precheck(&[("STATUS_POLL_SECS", "1")]).await;
    let balance = app.gateway.balance() + 0.01;
    // A poll may come back before the staff member is told of the loss: in either order.
    let mut told = messages(&app, 2).await;
    told.sort_by_key(|m| m.text.contains("after all"));
    assert_may_be_lost(&told[0]);
    the_code_is_checked_after_all(&app, &told[1], &request, balance).await;
    let polls = app
        .gateway
        .calls()
        .into_iter()
        .filter(|c| c.method == "checkVerificationStatus" && c.params.get("code").is_none())
        .count();
    assert!(polls >= 1, "the lost send's status was polled");
}
