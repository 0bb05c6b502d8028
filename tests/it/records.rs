//! Records mean what they say. A consent is on record only where the consent question was asked
//! in that chat and answered "Yes, send" (a forged press records nothing, sends nothing); and a
//! send lost after a paid pre-check (`PRECHECK=true`), whose request the bot already holds, is
//! attached again when its delivery report or its polled status shows the code went out.

use crate::common::app::{ADMIN_ID, PATIENCE, PHONE, TestApp, assert_opens_with, assert_says};
use crate::common::fake_telegram::SentMessage;
use crate::on_test_db;

/// The bot as deployed: numbers verified within the last 30 days (`REVERIFY_AFTER_DAYS`'s
/// default) are asked about before a new code, with `extra` settings.
async fn spawn_remembering(extra: &[(&str, &str)]) -> TestApp {
    let admin = ADMIN_ID.to_string();
    let mut env = vec![("ADMIN_IDS", admin.as_str()), ("REVERIFY_AFTER_DAYS", "")];
    env.extend_from_slice(extra);
    TestApp::spawn_with(&env).await
}

/// Verifies `PHONE` with a code, then asks for it again: returns the "already verified"
/// question (its buttons: send anyway, QR instead).
async fn returning_question(app: &TestApp) -> SentMessage {
    assert_opens_with(&app.say(&format!("/verify {PHONE}")).await, "📨");
    assert_opens_with(&app.say(&app.customer_code()).await, "✅");
    let returning = app.say(&format!("/verify {PHONE}")).await;
    assert_says(&returning, "was already verified just now");
    returning
}

/// The id a question's buttons carry (`anyway:<id>`, `qrq:<id>`, …).
fn question_id(question: &SentMessage) -> i64 {
    let (_, data) = question.inline_buttons()[0].clone();
    data.split(':').nth(1).unwrap().parse().unwrap()
}

/// How many verifications have a consent on record.
async fn consents(app: &TestApp) -> i64 {
    let db = app.database().await;
    let sql = "SELECT COUNT(*) FROM verifications WHERE consent_by IS NOT NULL \
               OR consent_at IS NOT NULL";
    let (n,): (i64,) = on_test_db!(db, pool => sqlx::query_as(sql).fetch_one(pool).await).unwrap();
    n
}

/// The admin's `/export`: the CSV's lines.
async fn exported_csv(app: &TestApp) -> Vec<String> {
    let exports = app.telegram.calls_to("sendDocument").len();
    app.telegram.push_text(&app.admin, app.chat(), "/export");
    app.telegram
        .wait_for_call("sendDocument", exports + 2, PATIENCE)
        .await;
    let csv = app
        .telegram
        .uploads()
        .into_iter()
        .rev()
        .find(|u| {
            u.files
                .first()
                .is_some_and(|f| f.file_name.as_deref().is_some_and(|n| n.ends_with(".csv")))
        })
        .expect("a CSV");
    let text = String::from_utf8_lossy(&csv.files[0].bytes).into_owned();
    text.lines().map(str::to_owned).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_yes_under_a_question_that_never_asked_for_consent_records_nothing() {
    let app = spawn_remembering(&[]).await;
    let returning = returning_question(&app).await;
    let id = question_id(&returning);

    // "Yes, send" was never shown (CONFIRM_CONSENT is off, and this question is about a number
    // seen before); a client forges it anyway. Refused like any press that is not the
    // presser's to make: nothing is sent, no consent is recorded, the attempt is audited.
    let forged = app
        .press_data(
            &app.admin,
            returning.chat_id,
            returning.message_id,
            &format!("consent:{id}"),
        )
        .await;
    assert!(forged.contains("⛔"), "{forged}");
    assert_eq!(app.gateway.count("sendVerificationMessage"), 1);
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
    let pop_up = app
        .press(&app.admin, &returning, "Send a new code anyway")
        .await;
    assert!(pop_up.contains("Code sent"), "{pop_up}");
    app.wait_for_sends(2).await;
    assert_eq!(consents(&app).await, 0);

    let lookup = app.say(&format!("/lookup {PHONE}")).await;
    assert!(!lookup.text.contains("consent"), "{}", lookup.text);
    let csv = exported_csv(&app).await;
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
    let app = spawn_remembering(&[("CONFIRM_CONSENT", "true")]).await;
    // The first code: the consent question, answered yes.
    let asked = app.say(&format!("/verify {PHONE}")).await;
    assert_opens_with(&asked, "🤝");
    app.press(&app.admin, &asked, "Yes, send").await;
    app.wait_for_sends(1).await;
    assert_opens_with(&app.say(&app.customer_code()).await, "✅");
    assert_eq!(consents(&app).await, 1);

    // Asked again about the number: a forged "Yes, send" skipping "Send a new code anyway" (and
    // so the consent question) is refused.
    let returning = app.say(&format!("/verify {PHONE}")).await;
    assert_says(&returning, "was already verified just now");
    let id = question_id(&returning);
    let forged = app
        .press_data(
            &app.admin,
            returning.chat_id,
            returning.message_id,
            &format!("consent:{id}"),
        )
        .await;
    assert!(forged.contains("⛔"), "{forged}");
    assert_eq!(app.gateway.count("sendVerificationMessage"), 1);
    assert_eq!(consents(&app).await, 1);

    // The real way: "Send a new code anyway", then the consent question, then yes.
    app.press(&app.admin, &returning, "Send a new code anyway")
        .await;
    let asked = app
        .telegram
        .messages_to(app.chat())
        .last()
        .cloned()
        .unwrap();
    assert_opens_with(&asked, "🤝");
    assert_eq!(question_id(&asked), id);
    let pop_up = app.press(&app.admin, &asked, "Yes, send").await;
    assert!(pop_up.contains("Code sent"), "{pop_up}");
    app.wait_for_sends(2).await;
    assert_eq!(consents(&app).await, 2);
}
