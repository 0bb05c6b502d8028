//! `/stats` and `/export`, end to end: numbers, a real PNG chart, and a CSV and an Excel
//! workbook that read back.

use crate::common::app::{
    PATIENCE, PHONE, PHONE_E164, TestApp, assert_opens_with, assert_says, link_token,
};
use crate::common::fake_telegram::{TgUser, Upload};

const OTHER_PHONE: &str = "+7 916 123-45-67";

/// Waits for the `n`-th file the bot uploaded with `method` (`sendPhoto`, `sendDocument`).
async fn upload(app: &TestApp, method: &str, n: usize) -> Upload {
    app.telegram.wait_for_call(method, n, PATIENCE).await;
    app.telegram
        .uploads()
        .into_iter()
        .filter(|u| u.method.eq_ignore_ascii_case(method))
        .nth(n - 1)
        .expect("the upload was recorded")
}

fn parse_csv(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    let text = text
        .strip_prefix('\u{feff}')
        .expect("a byte order mark first");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_count_outcomes_and_money_and_come_with_a_png_chart() {
    let app = TestApp::spawn().await;
    // One verified, one cancelled, one expired and refunded.
    app.verify_to_the_end(PHONE).await;
    app.say(&format!("/verify {OTHER_PHONE}")).await;
    app.say("/cancel").await;
    app.say("/verify +49 1512 3456789").await;
    let request = app.gateway.last_request_id().unwrap();
    app.gateway.set_delivery_status(&request, "expired");
    assert_opens_with(&app.say(&app.customer_code()).await, "⌛");

    let stats = app.say("/stats").await;
    for needle in [
        "<b>Today</b>",
        "<b>Last 30~days</b>",
        "Codes sent: 3",
        "✅ Verified: 1 · ⛔ Failed: 0 · ⌛ Expired: 1 · 🚫 Cancelled: 1",
        "Success rate: 33%",
        "Spent: $0.03 · refunded: $0.01",
        "Gateway balance (last reported): $99.97",
    ] {
        assert_says(&stats, needle);
    }

    let photo = upload(&app, "sendPhoto", 1).await;
    assert_eq!(photo.chat_id, app.chat());
    let png = &photo.files[0].bytes;
    let decoder = png::Decoder::new(std::io::Cursor::new(png.as_slice()));
    let reader = decoder.read_info().expect("a valid PNG");
    let info = reader.info();
    assert_eq!((info.width, info.height), (1000, 500));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_is_a_csv_that_parses_back_to_what_happened() {
    let app = TestApp::spawn().await;
    app.verify_to_the_end(PHONE).await;
    let verified_request = app.gateway.last_request_id().unwrap();
    app.say(&format!("/verify {OTHER_PHONE}")).await;
    let open_request = app.gateway.last_request_id().unwrap();

    app.telegram.push_text(&app.admin, app.chat(), "/export 7");
    let document = upload(&app, "sendDocument", 1).await;
    let file = &document.files[0];
    assert!(
        file.file_name
            .as_deref()
            .unwrap()
            .starts_with("verifications-"),
        "{file:?}"
    );
    assert_eq!(
        document.params["caption"],
        "🧾 2 verifications from the last 7\u{a0}days, as a CSV file (times in UTC)."
    );

    let (header, rows) = parse_csv(&file.bytes);
    assert_eq!(
        header,
        [
            "created_at",
            "staff_id",
            "staff_name",
            "phone",
            "request_id",
            "final_status",
            "delivery_status",
            "cost_usd",
            "refunded",
            "checked_at",
            "method",
            "consent_by",
            "consent_at"
        ]
    );
    assert_eq!(rows.len(), 2, "{rows:?}");
    let verified = &rows[0];
    assert_eq!(verified[1], "1001");
    assert_eq!(verified[3], format!("=\"{PHONE_E164}\""));
    assert_eq!(verified[4], verified_request);
    assert_eq!(verified[5], "verified");
    assert_eq!(verified[7], "0.01");
    assert_eq!(verified[8], "no");
    assert!(
        verified[0].ends_with('Z') && verified[9].ends_with('Z'),
        "{verified:?}"
    );
    let open = &rows[1];
    assert_eq!(open[3], "=\"+79161234567\"");
    assert_eq!(open[4], open_request);
    assert_eq!(open[5], "pending");
    assert_eq!(open[9], "");
    // Codes, sent without a consent question (CONFIRM_CONSENT is off).
    assert_eq!(&verified[10..], ["code", "", ""]);
    assert_eq!(&open[10..], ["code", "", ""]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_period_gets_a_message_not_an_empty_file() {
    let app = TestApp::spawn().await;
    assert_says(&app.say("/export").await, "nothing to export");
    assert_says(&app.say("/export 0").await, "/export 7");
    assert_says(&app.say("/export lots").await, "/export 7");
    assert!(app.telegram.calls_to("sendDocument").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_comes_with_an_excel_workbook_in_the_admins_language_and_time_zone() {
    let app = TestApp::spawn_with(&[
        ("ADMIN_IDS", "1001"),
        ("DEFAULT_LANGUAGE", "ru"),
        ("TIME_ZONE", "Asia/Tokyo"),
    ])
    .await;
    app.verify_to_the_end(PHONE).await;
    app.telegram.push_text(&app.admin, app.chat(), "/export");
    let workbook = upload(&app, "sendDocument", 2).await;
    let file = &workbook.files[0];
    assert!(
        file.file_name.as_deref().unwrap().ends_with(".xlsx"),
        "{file:?}"
    );
    // The caption says whose clock the times are on: the workbook's are TIME_ZONE's, not UTC.
    let caption = workbook.params["caption"].as_str().unwrap();
    assert!(caption.starts_with("📗"), "{caption}");
    assert!(caption.contains("в часовом поясе Asia/Tokyo"), "{caption}");
    assert!(!caption.contains("UTC"), "{caption}");

    // The sheet, the titles and the words in the cells are the admin's language.
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(file.bytes.clone())).unwrap();
    assert_eq!(book.sheet_names(), ["Проверки"]);
    let sheet = book.worksheet_range("Проверки").unwrap();
    assert_eq!(sheet.height(), 2);
    assert_eq!(sheet.get((0, 3)), Some(&Data::String("Телефон".into())));
    assert_eq!(sheet.get((1, 3)), Some(&Data::String(PHONE_E164.into())));
    assert_eq!(
        sheet.get((1, 5)),
        Some(&Data::String("Подтверждена".into()))
    );
    assert_eq!(sheet.get((1, 10)), Some(&Data::String("по коду".into())));
    if let Some(Data::String(delivery)) = sheet.get((1, 6)) {
        assert!(!delivery.is_ascii(), "{delivery}");
    }
    assert_eq!(sheet.get((1, 7)), Some(&Data::Float(0.01)));
    assert_eq!(sheet.get((1, 8)), Some(&Data::Bool(false)));
    // Times are dates, in the business's time zone (Tokyo is UTC+9, without summer time).
    let Some(Data::DateTime(started)) = sheet.get((1, 0)) else {
        panic!("{:?}", sheet.get((1, 0)))
    };
    let days = started.as_f64();
    let minutes = ((days - days.floor()) * 1440.0).round() as i64;
    let now = crate::common::http::unix_now();
    let tokyo = (now + 9 * 3600).rem_euclid(86_400) / 60;
    let apart = (tokyo - minutes).rem_euclid(1440);
    assert!(apart <= 1 || apart == 1439, "{minutes} vs {tokyo}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_cannot_see_stats_or_export() {
    let app = TestApp::spawn().await;
    let sam = TgUser::new(3003, "Sam");
    app.invite(&sam, "/invite").await;
    assert_says(&app.say_as(&sam, 3003, "/stats").await, "Only admins");
    assert_says(&app.say_as(&sam, 3003, "/export").await, "Only admins");
    assert!(app.telegram.calls_to("sendPhoto").is_empty());
}

/// The whole admin story with the real binary: invite a colleague, watch them verify a
/// customer, see it in history and export it, then remove them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invite_verify_export_and_remove_round_trip() {
    let app = TestApp::spawn().await;
    let token = link_token(&app.say("/invite").await);
    let ivy = TgUser::new(6001, "Ivy Петрова");
    assert_says(
        &app.say_as(&ivy, 6001, &format!("/start {token}")).await,
        "You now have access",
    );
    app.verify_to_the_end_as(&ivy, 6001, PHONE).await;

    app.telegram.push_text(&app.admin, app.chat(), "/export");
    let document = upload(&app, "sendDocument", 1).await;
    let (_, rows) = parse_csv(&document.files[0].bytes);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][1], "6001");
    assert_eq!(rows[0][2], "Ivy Петрова");
    assert_eq!(rows[0][5], "verified");

    assert_says(&app.say("/staff remove 6001").await, "no longer has access");
    assert_says(
        &app.say_as(&ivy, 6001, "/history").await,
        "<code>6001</code>",
    );
    assert_eq!(app.gateway.count("sendVerificationMessage"), 1);
}

/// A big export comes in parts, each under Telegram's 50 MB upload limit (here cut far smaller
/// by the test-only `VERIFY_BOT_TEST_EXPORT_PART_*`), and one that takes a while shows its
/// progress in one message, edited, that ends saying it is done.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_big_export_comes_in_parts_with_its_progress_in_one_message() {
    let app = TestApp::spawn_with(&[
        ("ADMIN_IDS", "1001"),
        ("VERIFY_BOT_TEST_EXPORT_PART_BYTES", "300"),
        ("VERIFY_BOT_TEST_EXPORT_PART_ROWS", "2"),
        ("VERIFY_BOT_TEST_EXPORT_PROGRESS_MS", "0"),
    ])
    .await;
    let phones: Vec<String> = (0..5).map(|i| format!("+44 7911 12345{i}")).collect();
    for phone in &phones {
        app.verify_to_the_end(phone).await;
    }
    let before = app.telegram.messages_to(app.chat()).len();
    app.telegram.push_text(&app.admin, app.chat(), "/export");
    // Three workbooks of at most 2 rows, and as many CSVs as 300 bytes allow.
    crate::common::app::eventually("the export is said to be done", async || {
        let edits = app.telegram.edits();
        let done = |text: &str| text.starts_with("✅ The export is ready: 5");
        edits
            .iter()
            .any(|e| e.params["text"].as_str().is_some_and(done))
            .then_some(())
    })
    .await;
    let uploads: Vec<Upload> = app
        .telegram
        .uploads()
        .into_iter()
        .filter(|u| u.method == "senddocument")
        .collect();
    let names: Vec<String> = uploads
        .iter()
        .map(|u| u.files[0].file_name.clone().unwrap_or_default())
        .collect();
    let csvs: Vec<&Upload> = uploads
        .iter()
        .filter(|u| {
            u.files[0]
                .file_name
                .as_deref()
                .unwrap_or_default()
                .ends_with(".csv")
        })
        .collect();
    let workbooks = names.iter().filter(|n| n.ends_with(".xlsx")).count();
    assert_eq!(workbooks, 3, "{names:?}");
    assert!(csvs.len() >= 2, "{names:?}");
    assert!(names.iter().all(|n| n.contains("-part")), "{names:?}");
    // Together the parts hold every verification once, in order, each with the header.
    let mut phones_seen = Vec::new();
    for csv in &csvs {
        assert!(
            csv.files[0].bytes.len() < 300 + 200,
            "{}",
            csv.files[0].bytes.len()
        );
        let (header, rows) = parse_csv(&csv.files[0].bytes);
        assert_eq!(header[3], "phone");
        phones_seen.extend(rows.into_iter().map(|row| row[3].clone()));
    }
    let expected: Vec<String> = (0..5).map(|i| format!("=\"+44791112345{i}\"")).collect();
    assert_eq!(phones_seen, expected);
    let captions: Vec<String> = uploads
        .iter()
        .map(|u| u.params["caption"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(
        captions[0].contains("5 verifications") && captions[0].contains("50\u{a0}MB"),
        "{captions:?}"
    );
    assert!(captions[1].starts_with("Part\u{a0}2 of"), "{captions:?}");
    // One progress message, sent before the files and edited, never a new one per step.
    let progress: Vec<_> = app.telegram.messages_to(app.chat())[before..]
        .iter()
        .filter(|m| m.text.starts_with('⏳'))
        .cloned()
        .collect();
    assert_eq!(progress.len(), 1, "{progress:?}");
}
