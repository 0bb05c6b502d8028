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
    let sent = browser
        .wait_for("[data-period='today'] [data-figure='sent']")
        .await;
    assert!(sent.text().await.unwrap().contains('2'));
    let verified = browser
        .wait_for("[data-period='today'] [data-figure='verified']")
        .await;
    assert!(verified.text().await.unwrap().contains('2'));
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
    let dans_row = browser.wait_for("#verifications tbody tr[data-id]").await;
    dans_row.click().await.unwrap();
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

    // Staff: Dan is removed after a confirmation, and the bot follows at once.
    browser.click("#tab-staff").await;
    browser
        .click("#staff li[data-user-id='5005'] button.remove")
        .await;
    let confirm = browser.wait_for("#confirm").await;
    assert!(confirm.text().await.unwrap().contains("Dan"));
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
    let sent = browser
        .wait_for("[data-period='today'] [data-figure='sent']")
        .await;
    assert!(sent.text().await.unwrap().contains('1'));
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
