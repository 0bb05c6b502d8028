//! The admin panel in a real headless Chromium (Debian's `chromium` and `chromedriver`),
//! against the real binary and the fake Telegram: opened as Telegram opens a Mini App (the
//! panel's URL with `#tgWebAppData=…`, `initData` signed with the test bot token, and
//! `window.Telegram.WebApp` stubbed), at a phone's width, in both themes and languages. The
//! screenshots land in `target/panel-screenshots/` (the README shows two of them).

use serde_json::Value;

use crate::common::app::{ADMIN_ID, BOT_TOKEN, PHONE, TestApp};
use crate::common::browser::Browser;
use crate::common::fake_telegram::TgUser;
use crate::common::panel::{PAGES, app_with, call, init_data_in, signed_in, unix_now};

const STAFF_PHONE: &str = "+7 916 123-45-67";

/// The panel as `user_id` opens it from Telegram, in `language` and `scheme`.
async fn open(browser: &Browser, app: &TestApp, user_id: u64, language: &str, scheme: &str) {
    let init_data = init_data_in(BOT_TOKEN, user_id, language, unix_now());
    let url = format!("{}{PAGES}", app.http_url());
    browser.open_mini_app(&url, &init_data, scheme).await;
}

/// The panel as `user_id` opens it when the bot's clock runs `ahead` seconds ahead.
async fn open_ahead(browser: &Browser, app: &TestApp, user_id: u64, lang: &str, ahead: i64) {
    let init_data = init_data_in(BOT_TOKEN, user_id, lang, unix_now() + ahead);
    let url = format!("{}{PAGES}", app.http_url());
    let scheme = if lang == "ru" { "dark" } else { "light" };
    browser.open_mini_app(&url, &init_data, scheme).await;
}

/// The page's background colour as the browser computes it.
async fn background(browser: &Browser) -> String {
    let colour = browser
        .eval("return getComputedStyle(document.documentElement).backgroundColor")
        .await;
    colour.as_str().unwrap_or_default().to_owned()
}

/// Sets a form field as a person would, and tells the page.
async fn set_field(browser: &Browser, selector: &str, value: &str) {
    let script = format!(
        "const f = document.querySelector({selector:?}); f.value = {value:?}; \
         f.dispatchEvent(new Event('input', {{bubbles: true}})); \
         f.dispatchEvent(new Event('change', {{bubbles: true}})); return true"
    );
    browser.eval(&script).await;
}

async fn rows(browser: &Browser) -> usize {
    browser
        .texts("#verifications tbody tr[data-id]")
        .await
        .len()
}

async fn wait_for_rows(browser: &Browser, n: usize) {
    let script = format!(
        "return document.querySelectorAll('#verifications tbody tr[data-id]').length === {n}"
    );
    browser.wait_until(&format!("{n} rows"), &script).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_looks_filters_opens_a_row_removes_staff_and_switches_theme() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = app_with(&[]).await;
    let dan = TgUser::new(5005, "Dan");
    app.invite(&dan, "/invite").await;
    app.verify_to_the_end(PHONE).await;
    app.verify_to_the_end_as(&dan, 5005, STAFF_PHONE).await;

    open(&browser, &app, ADMIN_ID, "en", "light").await;
    // The overview: today's figures, the chart and the latest verifications.
    browser
        .wait_for_text("[data-period='today'][data-figure='sent']", "2")
        .await;
    browser
        .wait_for_text("[data-period='today'][data-figure='verified']", "2")
        .await;
    let tabs = browser.texts("#tabs button").await;
    assert!(tabs.iter().any(|t| t == "Staff"), "{tabs:?}");
    browser
        .wait_until(
            "the chart has bars",
            "return document.querySelectorAll('svg#chart rect').length > 0",
        )
        .await;
    let latest = browser.texts("#latest tr").await.join("\n");
    assert!(
        latest.contains("+447911123456") || latest.contains("+44 7911"),
        "{latest}"
    );
    let light = background(&browser).await;
    assert!(
        !browser.scrolls_sideways().await,
        "the overview fits 390 px"
    );
    browser.screenshot("overview-light-en").await;

    // The table: both rows, then filtered by the last digits and by status.
    browser.click("#tab-verifications").await;
    wait_for_rows(&browser, 2).await;
    set_field(&browser, "#filter-digits", "3456").await;
    wait_for_rows(&browser, 1).await;
    let only = browser
        .texts("#verifications tbody tr[data-id]")
        .await
        .join(" ");
    assert!(only.contains("7911"), "{only}");
    set_field(&browser, "#filter-status", "failed").await;
    wait_for_rows(&browser, 0).await;
    browser.wait_for("#verifications-empty").await;
    browser.click("#filter-clear").await;
    wait_for_rows(&browser, 2).await;
    assert!(!browser.scrolls_sideways().await, "the table fits 390 px");
    browser.screenshot("verifications-light-en").await;

    // A row opens its details and audit trail.
    browser.click("#verifications tbody tr[data-id]").await;
    browser.wait_for("#details").await;
    browser
        .wait_until(
            "the audit trail",
            "return document.querySelectorAll('#audit li').length >= 2",
        )
        .await;
    let details = browser.texts("#details").await.join("\n");
    assert!(
        details.contains("+79161234567") || details.contains("916"),
        "{details}"
    );
    browser.click("#details-back").await;

    // Export: the files arrive in the admin's private chat with the bot.
    browser.click("#tab-export").await;
    browser.click("#export-send").await;
    browser
        .wait_until(
            "the export is said to be sent",
            "return document.querySelector('#export-result').textContent.trim() !== ''",
        )
        .await;
    let patience = crate::common::app::PATIENCE;
    app.telegram
        .wait_for_call("sendDocument", 2, patience)
        .await;
    let uploads = app.telegram.uploads();
    let chats: Vec<i64> = uploads.iter().map(|u| u.chat_id).collect();
    assert_eq!(
        chats,
        [ADMIN_ID as i64, ADMIN_ID as i64],
        "the CSV and the workbook"
    );

    // Staff: Dan is removed after a confirmation, and the bot follows at once.
    browser.click("#tab-staff").await;
    browser
        .click("#staff li[data-user-id='5005'] button.remove")
        .await;
    browser.wait_for_text("#confirm", "Dan").await;
    assert_eq!(call(&app, "me", Some(&signed_in(5005))).await.status, 200);
    browser.click("#confirm-yes").await;
    browser
        .wait_until(
            "Dan leaves the list",
            "return !document.querySelector(\"#staff li[data-user-id='5005']\")",
        )
        .await;
    assert_eq!(call(&app, "me", Some(&signed_in(5005))).await.status, 401);
    assert_eq!(app.telegram.menu_button(5005)["type"], "commands");

    // Telegram switches to the dark theme: the page follows.
    browser
        .eval("document.querySelector('#notice-close')?.click(); return true")
        .await;
    browser.click("#tab-overview").await;
    browser
        .eval("window.__tgSetTheme('dark'); return true")
        .await;
    browser
        .wait_until(
            "the dark theme",
            "return document.documentElement.dataset.scheme === 'dark'",
        )
        .await;
    let dark = background(&browser).await;
    assert_ne!(light, dark, "the background follows the theme");
    browser.screenshot("overview-dark-en").await;
    let violations = browser.csp_violations().await;
    assert!(violations.is_empty(), "{violations:?}");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_see_their_own_work_in_their_language_and_strangers_see_nothing() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = app_with(&[]).await;
    let dan = TgUser::new(5005, "Dan");
    app.invite(&dan, "/invite").await;
    app.verify_to_the_end(PHONE).await;
    app.verify_to_the_end_as(&dan, 5005, STAFF_PHONE).await;

    // Dan's Telegram app is in Russian: the panel is too, with his work only.
    open(&browser, &app, 5005, "ru", "dark").await;
    browser
        .wait_for_text("[data-period='today'][data-figure='sent']", "1")
        .await;
    let tabs = browser.texts("#tabs button").await;
    let visible: Vec<&String> = tabs.iter().filter(|t| !t.is_empty()).collect();
    assert_eq!(
        visible.len(),
        2,
        "no staff or export tab for staff: {tabs:?}"
    );
    assert!(
        visible.iter().all(|t| t
            .chars()
            .any(|c| ('а'..='я').contains(&c.to_ascii_lowercase()))),
        "{visible:?}"
    );
    assert_eq!(
        browser.eval("return document.documentElement.lang").await,
        "ru"
    );
    browser.click("#tab-verifications").await;
    wait_for_rows(&browser, 1).await;
    let table = browser.texts("#verifications tbody").await.join("\n");
    assert!(
        !table.contains("7911"),
        "the admin's row is not Dan's: {table}"
    );
    browser.screenshot("verifications-dark-ru").await;
    assert!(!browser.scrolls_sideways().await);

    // Opened without Telegram's data, or with forged data: only the line saying where to open it.
    for init_data in ["", "user=%7B%22id%22%3A1001%7D&auth_date=1&hash=00"] {
        let url = format!("{}{PAGES}", app.http_url());
        browser.open_mini_app(&url, init_data, "light").await;
        let denied = browser.wait_for("#denied").await.text().await.unwrap();
        assert!(
            denied.contains("Telegram") && denied.contains("/panel"),
            "{denied}"
        );
        let shown: Value = browser
            .eval("return document.querySelector('#app').hidden")
            .await;
        assert_eq!(shown, Value::Bool(true));
    }
    assert!(browser.csp_violations().await.is_empty());
    assert_eq!(rows(&browser).await, 0);
    browser.close().await;
}

/// Two weeks of a small shop's work, day by day: the chart shows each day, the table pages, and
/// the README's screenshots are taken from it (`docs/panel-*.png` are copies of them).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_weeks_of_work_read_at_a_glance() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = app_with(&[]).await;
    let dan = TgUser::new(5005, "Dan");
    app.invite(&dan, "/invite").await;
    let per_day = [3, 5, 2, 6, 4, 0, 1, 7, 3, 5, 6, 4, 8, 5];
    let mut ahead = 0;
    let mut total = 0;
    for (day, count) in per_day.iter().enumerate() {
        for i in 0..*count {
            let phone = format!("+44 7911 {:03}{:03}", 100 + day, 200 + i);
            let (who, chat) = if i % 2 == 0 {
                (app.admin.clone(), app.chat())
            } else {
                (dan.clone(), 5005)
            };
            if i == 3 {
                // Now and then a customer reads the code wrong and the staff member gives up.
                let sent = app.say_as(&who, chat, &format!("/verify {phone}")).await;
                assert!(sent.text.starts_with('📨'), "{}", sent.text);
                app.say_as(&who, chat, "000000").await;
                app.say_as(&who, chat, "/cancel").await;
            } else {
                app.verify_to_the_end_as(&who, chat, &phone).await;
            }
            total += 1;
        }
        if day + 1 < per_day.len() {
            app.advance_clock(86_400);
            ahead += 86_400;
        }
    }
    assert!(total > 50, "more than a page of verifications");

    open_ahead(&browser, &app, ADMIN_ID, "en", ahead).await;
    browser
        .wait_for("[data-period='month'][data-figure='sent']")
        .await;
    let month = browser
        .texts("[data-period='month'][data-figure='sent']")
        .await;
    assert_eq!(month, [total.to_string()]);
    let days_with_bars = browser
        .eval(
            "return new Set([...document.querySelectorAll('svg#chart rect')]\
             .filter(r => +r.getAttribute('height') > 0).map(r => r.getAttribute('x'))).size",
        )
        .await;
    assert!(days_with_bars.as_u64().unwrap() >= 13, "{days_with_bars}");
    assert!(!browser.scrolls_sideways().await);
    browser.screenshot("readme-overview-light-en").await;

    // Dan, in Russian and the dark theme, sees his own rows; the admin's table has two pages.
    open_ahead(&browser, &app, 5005, "ru", ahead).await;
    browser.click("#tab-verifications").await;
    browser
        .wait_until(
            "Dan's rows",
            "return document.querySelectorAll('#verifications tbody tr[data-id]').length > 10",
        )
        .await;
    browser.screenshot("readme-verifications-dark-ru").await;
    open_ahead(&browser, &app, ADMIN_ID, "en", ahead).await;
    browser.click("#tab-verifications").await;
    wait_for_rows(&browser, 50).await;
    browser.click("#page-next").await;
    wait_for_rows(&browser, total - 50).await;
    let page = browser.texts("#page-number").await;
    assert_eq!(page, ["2"]);
    assert!(browser.csp_violations().await.is_empty());
    browser.close().await;
}
