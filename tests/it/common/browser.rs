//! A real headless Chromium, driven through Debian's `chromedriver` (WebDriver), for the admin
//! panel's browser tests. Pages are opened as Telegram opens a Mini App: the launch data in the
//! URL fragment, and `window.Telegram.WebApp` from `fixtures/telegram-web-app-stub.js`, injected
//! before any script of the page runs (Chrome DevTools' `Page.addScriptToEvaluateOnNewDocument`,
//! which chromedriver passes on). telegram.org itself resolves nowhere.
//!
//! Without chromium and chromedriver the tests say so and pass, unless
//! `VERIFY_BOT_BROWSER_TESTS=required` (which `.ci/run` sets after installing them).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

/// A phone's width, in CSS pixels (an iPhone 14/15).
pub const PHONE_WIDTH: u32 = 390;
pub const PHONE_HEIGHT: u32 = 844;
const STUB: &str = include_str!("../fixtures/telegram-web-app-stub.js");
const PATIENCE: Duration = Duration::from_secs(10);

/// A browser session; its chromedriver (and the browser) end with it.
pub struct Browser {
    pub client: Client,
    _driver: Child,
}

fn find(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// Chrome DevTools commands through chromedriver (`POST /session/{id}/goog/cdp/execute`).
#[derive(Debug)]
struct Cdp(Value);

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.unwrap_or_default();
        base_url.join(&format!("session/{session}/goog/cdp/execute"))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.0.to_string()))
    }
}

impl Browser {
    /// A headless Chromium at a phone's size, or `None` (said on stderr) when the machine has
    /// none and the browser tests are not required.
    pub async fn start() -> Option<Browser> {
        let required = std::env::var("VERIFY_BOT_BROWSER_TESTS").is_ok_and(|v| v == "required");
        let (Some(driver), Some(chromium)) = (find("chromedriver"), find("chromium")) else {
            assert!(
                !required,
                "VERIFY_BOT_BROWSER_TESTS=required, but chromium or chromedriver is missing: \
                 apt-get install chromium chromium-driver"
            );
            eprintln!(
                "SKIPPED: no chromium/chromedriver on this machine (apt-get install chromium \
                 chromium-driver); .ci/run installs them and requires these tests"
            );
            return None;
        };
        let port = free_port();
        let driver = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver starts");
        let options = json!({
            "binary": chromium,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                "--lang=en-GB",
                format!("--window-size={PHONE_WIDTH},{PHONE_HEIGHT}"),
                "--host-resolver-rules=MAP telegram.org ~NOTFOUND, MAP *.telegram.org ~NOTFOUND",
            ],
        });
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("goog:chromeOptions".into(), options);
        let url = format!("http://127.0.0.1:{port}");
        let mut last = None;
        for _ in 0..50 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            let connected = ClientBuilder::new(connector)
                .capabilities(capabilities.clone())
                .connect(&url)
                .await;
            match connected {
                Ok(client) => {
                    let browser = Browser {
                        client,
                        _driver: driver,
                    };
                    browser.prepare().await;
                    return Some(browser);
                }
                Err(err) => last = Some(err),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("chromedriver did not start a session: {last:?}");
    }

    async fn cdp(&self, cmd: &str, params: Value) -> Value {
        let command = Cdp(json!({ "cmd": cmd, "params": params }));
        self.client
            .issue_cmd(command)
            .await
            .unwrap_or_else(|err| panic!("{cmd}: {err}"))
    }

    /// A phone's viewport (2× pixels, for sharp screenshots) and the Telegram stub.
    async fn prepare(&self) {
        let metrics = json!({
            "width": PHONE_WIDTH, "height": PHONE_HEIGHT,
            "deviceScaleFactor": 2, "mobile": true,
        });
        self.cdp("Emulation.setDeviceMetricsOverride", metrics)
            .await;
        self.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": STUB }),
        )
        .await;
    }

    /// Opens `url` as Telegram opens a Mini App: `initData` and the theme in the fragment.
    pub async fn open_mini_app(&self, url: &str, init_data: &str, scheme: &str) {
        // A new document each time (a change of fragment alone would not reload the page).
        self.client.goto("about:blank").await.expect("a blank page");
        let theme = self
            .client
            .execute("return JSON.stringify(window.__tgThemes || null)", vec![])
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned));
        let theme = theme
            .filter(|t| t != "null")
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .map(|themes| themes[scheme].to_string())
            .unwrap_or_else(|| "{}".into());
        let mut fragment = reqwest::Url::parse("x:y").unwrap();
        fragment
            .query_pairs_mut()
            .append_pair("tgWebAppData", init_data)
            .append_pair("tgWebAppVersion", "8.0")
            .append_pair("tgWebAppPlatform", "tdesktop")
            .append_pair("tgWebAppThemeParams", &theme);
        let full = format!("{url}#{}", fragment.query().unwrap());
        self.client.goto(&full).await.expect("the page opens");
    }

    /// Waits for a CSS selector to match a displayed element.
    pub async fn wait_for(&self, selector: &str) -> fantoccini::elements::Element {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Ok(element) = self.client.find(Locator::Css(selector)).await
                && element.is_displayed().await.unwrap_or(false)
            {
                return element;
            }
            if tokio::time::Instant::now() > deadline {
                let html = self.client.source().await.unwrap_or_default();
                panic!("{selector} did not appear\n{html}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until `script` (a function body returning a value) returns `true`.
    pub async fn wait_until(&self, what: &str, script: &str) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let value = self.client.execute(script, vec![]).await;
            if matches!(value, Ok(Value::Bool(true))) {
                return;
            }
            if tokio::time::Instant::now() > deadline {
                let html = self.client.source().await.unwrap_or_default();
                panic!("{what}: never true ({value:?})\n{html}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the first element `selector` matches shows text containing `needle`.
    pub async fn wait_for_text(&self, selector: &str, needle: &str) {
        let script = format!(
            "const e = document.querySelector({selector:?}); \
             return !!e && e.getClientRects().length > 0 && e.textContent.includes({needle:?})"
        );
        self.wait_until(&format!("{selector} shows {needle:?}"), &script)
            .await;
    }

    /// Runs `script` (a function body) and returns its value.
    pub async fn eval(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|err| panic!("{script}: {err}"))
    }

    /// The texts of every element `selector` matches.
    pub async fn texts(&self, selector: &str) -> Vec<String> {
        let mut texts = Vec::new();
        for element in self.client.find_all(Locator::Css(selector)).await.unwrap() {
            texts.push(element.text().await.unwrap_or_default());
        }
        texts
    }

    /// Clicks what `selector` matches once it is shown; an element the page redrew between
    /// finding and clicking it is found again.
    pub async fn click(&self, selector: &str) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            match self.wait_for(selector).await.click().await {
                Ok(()) => return,
                Err(err) if tokio::time::Instant::now() > deadline => {
                    panic!("cannot click {selector}: {err}")
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// A PNG of the viewport, kept under `target/panel-screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("a screenshot");
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/panel-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    /// Whether the page is wider than the phone (it would scroll sideways).
    pub async fn scrolls_sideways(&self) -> bool {
        let width = self
            .eval("return document.documentElement.scrollWidth")
            .await;
        width.as_u64().unwrap_or(u64::MAX) > u64::from(PHONE_WIDTH)
    }

    /// Content-Security-Policy violations the page met (the stub records them).
    pub async fn csp_violations(&self) -> Vec<String> {
        let found = self.eval("return window.__cspViolations || []").await;
        serde_json::from_value(found).unwrap_or_default()
    }

    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}
