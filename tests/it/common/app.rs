//! Runs the compiled `verify-bot` binary against fresh fakes, with its own database and log file.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use std::sync::Arc;

use tempfile::TempDir;
use tokio::process::{Child, Command};

use super::db::{TestDatabase, TestDb};
use super::fake_gateway::{FakeGateway, GatewayCall};
use super::fake_telegram::{FakeTelegram, SentMessage, TgUser};
use crate::on_test_db;

pub const BOT_TOKEN: &str = "7000000001:AAH-fake-bot-token_for_tests";
pub const GATEWAY_TOKEN: &str = "gw-secret-token-for-tests";
/// The admin every default app starts with (from `ADMIN_IDS`).
pub const ADMIN_ID: u64 = 1001;
/// A phone number libphonenumber accepts, as staff would type it, and its E.164 form.
pub const PHONE: &str = "+44 7911 123456";
pub const PHONE_E164: &str = "+447911123456";
/// How long a test waits for the bot to do something before failing.
pub const PATIENCE: Duration = Duration::from_secs(15);

pub struct TestApp {
    pub telegram: FakeTelegram,
    pub gateway: FakeGateway,
    pub admin: TgUser,
    /// The port the bot's HTTP server got on 127.0.0.1: it binds port 0 and logs what it got
    /// (read at each start; 0 before the first).
    pub http_port: u16,
    dir: TempDir,
    /// The bot's database (a sibling shares its first app's; the last one drops it).
    database: Arc<TestDatabase>,
    env: Vec<(String, String)>,
    child: Option<Child>,
    runs: usize,
}

impl TestApp {
    /// Starts the bot with `ADMIN_IDS` = [`ADMIN_ID`] and the defaults.
    pub async fn spawn() -> TestApp {
        let admin = ADMIN_ID.to_string();
        Self::spawn_with(&[("ADMIN_IDS", admin.as_str())]).await
    }

    /// Starts the bot with `ADMIN_IDS` = [`ADMIN_ID`] and extra environment variables.
    pub async fn spawn_with_admin(extra: &[(&str, &str)]) -> TestApp {
        let admin = ADMIN_ID.to_string();
        let mut env = vec![("ADMIN_IDS", admin.as_str())];
        env.extend_from_slice(extra);
        Self::spawn_with(&env).await
    }

    /// The bot as deployed: numbers verified within `REVERIFY_AFTER_DAYS`'s default (30 days)
    /// are remembered (the harness turns that off for the other tests), and asked about before
    /// a new code; with `ADMIN_IDS` = [`ADMIN_ID`] and `extra` settings.
    pub async fn spawn_remembering(extra: &[(&str, &str)]) -> TestApp {
        let mut env = vec![("REVERIFY_AFTER_DAYS", "")];
        env.extend_from_slice(extra);
        Self::spawn_with_admin(&env).await
    }

    /// Starts the bot with extra environment variables (they override the defaults).
    pub async fn spawn_with(env: &[(&str, &str)]) -> TestApp {
        let mut app = Self::new(env).await;
        app.start().await;
        app
    }

    /// Prepares fakes and environment without starting the binary.
    pub async fn new(env: &[(&str, &str)]) -> TestApp {
        let gateway = FakeGateway::start(GATEWAY_TOKEN).await;
        Self::prepare(gateway, None, env).await
    }

    /// A second `verify-bot` process on this one's database and Gateway (another replica, or
    /// the next one in a rolling restart), with its own Bot API fake (so each test decides which
    /// process gets which update), started with this app's environment plus `env`.
    pub async fn sibling(&self, env: &[(&str, &str)]) -> TestApp {
        let mut vars: Vec<(&str, &str)> = self
            .env
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "TELOXIDE_API_URL" | "HTTP_ADDR"))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        vars.extend_from_slice(env);
        let mut sibling =
            Self::prepare(self.gateway.clone(), Some(self.database.clone()), &vars).await;
        sibling.start().await;
        sibling
    }

    async fn prepare(
        gateway: FakeGateway,
        database: Option<Arc<TestDatabase>>,
        env: &[(&str, &str)],
    ) -> TestApp {
        let telegram = FakeTelegram::start(BOT_TOKEN).await;
        let dir = tempfile::tempdir().expect("a temporary directory");
        let database = match database {
            Some(shared) => shared,
            None => Arc::new(TestDatabase::fresh(&dir.path().join("verify-bot.db")).await),
        };
        let clock = dir.path().join("clock");
        std::fs::write(&clock, "0").expect("the test clock file");
        let mut vars: Vec<(String, String)> = vec![
            ("TELOXIDE_TOKEN".into(), BOT_TOKEN.into()),
            ("TELOXIDE_API_URL".into(), telegram.url()),
            ("GATEWAY_TOKEN".into(), GATEWAY_TOKEN.into()),
            ("GATEWAY_API_URL".into(), gateway.url()),
            ("GATEWAY_TIMEOUT".into(), "2".into()),
            ("DATABASE_URL".into(), database.url.clone()),
            ("RUST_LOG".into(), "debug,sqlx=warn,hyper_util=info".into()),
            // No spending limits unless a test sets them (an empty value means the default).
            ("RESEND_COOLDOWN".into(), "0".into()),
            ("PHONE_SEND_LIMIT".into(), "1000".into()),
            ("STAFF_DAILY_LIMIT".into(), "0".into()),
            ("DAILY_BUDGET".into(), "0".into()),
            // Every /verify sends, as before numbers were remembered, unless a test sets it.
            ("REVERIFY_AFTER_DAYS".into(), "0".into()),
            ("HTTP_ADDR".into(), "127.0.0.1:0".into()),
            // Time a test needs to pass goes by this clock, which the test moves forward.
            ("VERIFY_BOT_TEST_CLOCK".into(), clock.display().to_string()),
            // Delivery status polling is tested on purpose, with a short interval; elsewhere it
            // would add checkVerificationStatus calls that the tests do not expect.
            ("STATUS_POLL_SECS".into(), "3600".into()),
        ];
        for (key, value) in env {
            vars.retain(|(k, _)| k != key);
            vars.push((key.to_string(), value.to_string()));
        }
        TestApp {
            telegram,
            gateway,
            admin: TgUser::new(ADMIN_ID, "Alice"),
            http_port: 0,
            dir,
            database,
            env: vars,
            child: None,
            runs: 0,
        }
    }

    /// Starts (or restarts) the binary and waits until it polls for updates (in webhook mode:
    /// until it answers `/healthz` and, unless `WEBHOOK_SETUP=false`, has set its webhook).
    pub async fn start(&mut self) {
        let webhook = self.webhook();
        let ready_call = match &webhook {
            Some(webhook) if !webhook.setup => None,
            Some(_) => Some("setWebhook"),
            None => Some("getUpdates"),
        };
        let telegram = self.telegram.clone();
        let count = move |method: Option<&str>| method.map_or(0, |m| telegram.calls_to(m).len());
        let calls_before = count(ready_call);
        self.launch();
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(port) = self.bound_port() {
                self.http_port = port;
            }
            let bound = self.http_port != 0 && self.bound_port().is_some();
            let called = bound && (ready_call.is_none() || count(ready_call) > calls_before);
            if called && (webhook.is_none() || self.is_healthy().await) {
                break;
            }
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                panic!(
                    "verify-bot exited during start-up ({status}):\n{}",
                    self.logs()
                );
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "verify-bot did not start polling:\n{}",
                self.logs()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The port this run of the bot logged that its HTTP server got, once it has (or the one a
    /// test set in `HTTP_ADDR`).
    fn bound_port(&self) -> Option<u16> {
        let configured = self.env("HTTP_ADDR")?.rsplit_once(':')?.1.parse().ok();
        if let Some(port) = configured.filter(|port| *port != 0) {
            return Some(port);
        }
        let log = std::fs::read_to_string(self.log_path(self.runs.checked_sub(1)?)).ok()?;
        let (_, after) = log.split_once("HTTP server listening on 127.0.0.1:")?;
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    }

    /// Moves the bot's clock (and its siblings') forward by `seconds`: limit windows, cooldowns,
    /// cached answers and the sweep of abandoned sends see that much time pass, at once.
    pub fn advance_clock(&self, seconds: i64) {
        let file = self.env("VERIFY_BOT_TEST_CLOCK").expect("a test clock");
        let ahead: i64 = std::fs::read_to_string(file)
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .unwrap_or(0);
        std::fs::write(file, (ahead + seconds).to_string()).expect("the test clock moves");
    }

    /// Starts the binary without waiting for anything.
    pub fn launch(&mut self) {
        assert!(self.child.is_none(), "the bot is already running");
        let log = std::fs::File::create(self.log_path(self.runs)).expect("a log file");
        let child = self
            .command()
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .expect("the verify-bot binary starts");
        self.child = Some(child);
        self.runs += 1;
    }

    /// The compiled binary with this app's environment; or, when `VERIFY_BOT_IMAGE` names a
    /// container image, that image's entrypoint run by `container-run` (`CONTAINER_RUN` gives
    /// its path) with the same environment, its database on the image's own volume.
    fn command(&self) -> Command {
        let Ok(image) = std::env::var("VERIFY_BOT_IMAGE") else {
            let mut command = Command::new(binary());
            command
                .env_clear()
                .envs(self.env.iter().map(|(k, v)| (k, v)));
            return command;
        };
        let runner = std::env::var("CONTAINER_RUN").unwrap_or_else(|_| "container-run".into());
        let mut command = Command::new(runner);
        // A SQLite database stays on the image's own volume; a PostgreSQL one is the test's.
        let own_database = |k: &str, v: &str| k == "DATABASE_URL" && v.starts_with("sqlite:");
        for (key, value) in self.env.iter().filter(|(k, v)| !own_database(k, v)) {
            command.arg("-e").arg(format!("{key}={value}"));
        }
        command.arg(image);
        command
    }

    /// `kill -9`: no chance to clean up.
    pub async fn kill9(&mut self) {
        self.kill_chrooted_bot();
        let mut child = self.child.take().expect("the bot is running");
        child.kill().await.expect("SIGKILL delivered");
    }

    /// Run from an image, the bot is `container-run`'s child, chrooted into the image's files.
    fn chrooted_bot(&self) -> Option<libc::pid_t> {
        std::env::var_os("VERIFY_BOT_IMAGE")?;
        let runner = self.child.as_ref()?.id()?;
        let children =
            std::fs::read_to_string(format!("/proc/{runner}/task/{runner}/children")).ok()?;
        children.split_whitespace().next()?.parse().ok()
    }

    /// `container-run` cannot pass a `SIGKILL` on: the chrooted bot gets its own, or it would
    /// outlive the test (and a "restarted" bot would run next to it).
    fn kill_chrooted_bot(&self) {
        if let Some(bot) = self.chrooted_bot() {
            // SAFETY: `kill` only sends a signal to a process this test started.
            unsafe { libc::kill(bot, libc::SIGKILL) };
        }
    }

    /// Sends `SIGTERM` or `SIGINT` and waits for the process to exit; returns its exit code.
    pub async fn stop_with(&mut self, signal: libc::c_int) -> Option<i32> {
        let mut child = self.child.take().expect("the bot is running");
        let pid = child.id().expect("a running child has a pid") as libc::pid_t;
        // SAFETY: `kill` only sends a signal to our own child process.
        assert_eq!(
            unsafe { libc::kill(pid, signal) },
            0,
            "the signal was delivered"
        );
        let exited = tokio::time::timeout(PATIENCE, child.wait()).await;
        let Ok(status) = exited else {
            panic!("verify-bot did not exit after the signal:\n{}", self.logs());
        };
        let status = status.unwrap();
        status.code()
    }

    /// The admin's private chat.
    pub fn chat(&self) -> i64 {
        self.admin.id as i64
    }

    /// The admin types `text` in their private chat; returns the bot's reply.
    pub async fn say(&self, text: &str) -> SentMessage {
        let admin = self.admin.clone();
        self.say_as(&admin, admin.id as i64, text).await
    }

    /// `from` types `text` in `chat`; returns the bot's next message in that chat.
    pub async fn say_as(&self, from: &TgUser, chat: i64, text: &str) -> SentMessage {
        let before = self.telegram.messages_to(chat).len();
        self.telegram.push_text(from, chat, text);
        if self.webhook().is_some() {
            self.deliver_updates_by_webhook().await;
        }
        let messages = self
            .telegram
            .wait_for_messages(chat, before + 1, PATIENCE)
            .await;
        messages[before].clone()
    }

    /// `from` types `text` in `chat`; waits for `n` new messages there and returns them.
    pub async fn say_and_collect(
        &self,
        from: &TgUser,
        chat: i64,
        text: &str,
        n: usize,
    ) -> Vec<SentMessage> {
        let before = self.telegram.messages_to(chat).len();
        self.telegram.push_text(from, chat, text);
        let messages = self
            .telegram
            .wait_for_messages(chat, before + n, PATIENCE)
            .await;
        messages[before..].to_vec()
    }

    /// The code the customer received for the latest send.
    pub fn customer_code(&self) -> String {
        let request_id = self.gateway.last_request_id().expect("a code was sent");
        self.gateway
            .code_for(&request_id)
            .expect("the fake knows the code")
    }

    /// Everything the binary printed, over all its runs.
    pub fn logs(&self) -> String {
        (0..self.runs)
            .map(|run| std::fs::read_to_string(self.log_path(run)).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n--- restart ---\n")
    }

    /// Waits until the logs contain `needle`; returns the logs.
    pub async fn wait_for_log(&self, needle: &str) -> String {
        let what = format!("the log saying {needle:?}");
        eventually(&what, async || {
            Some(self.logs()).filter(|logs| logs.contains(needle))
        })
        .await
    }

    /// Waits until `/healthz` answers 200.
    pub async fn wait_until_healthy(&self) {
        eventually("a healthy bot", async || {
            self.is_healthy().await.then_some(())
        })
        .await;
    }

    /// Sends `signal` (`SIGTERM`, `SIGINT`) and fails, with the logs, unless the bot exits with
    /// code 0.
    pub async fn assert_stops_cleanly(&mut self, signal: libc::c_int) {
        let code = self.stop_with(signal).await;
        assert_eq!(code, Some(0), "{}", self.logs());
    }

    /// The bot's database file. Run from an image, the bot keeps it on the image's volume,
    /// inside the folder `container-run` chroots into: reached through the running bot's root.
    pub fn database_path(&self) -> PathBuf {
        if std::env::var_os("VERIFY_BOT_IMAGE").is_some() {
            let bot = self
                .chrooted_bot()
                .expect("the bot is running from the image");
            return PathBuf::from(format!("/proc/{bot}/root/data/verify-bot.db"));
        }
        let path = self.database.url.strip_prefix("sqlite://");
        PathBuf::from(path.expect("a SQLite database: see sqlite_only!()"))
    }

    /// The value this app runs with for `name`, if set.
    pub fn env(&self, name: &str) -> Option<&str> {
        let value = self.env.iter().rfind(|(k, _)| k == name);
        value.map(|(_, v)| v.as_str())
    }

    fn log_path(&self, run: usize) -> PathBuf {
        self.dir.path().join(format!("run-{run}.log"))
    }
}

impl TestApp {
    /// Runs the binary to completion (for configurations that must stop it at once).
    pub async fn run_to_completion(&self) -> std::process::Output {
        let child = Command::new(binary())
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("the verify-bot binary starts");
        tokio::time::timeout(PATIENCE, child.wait_with_output())
            .await
            .expect("verify-bot exits")
            .unwrap()
    }
}

/// The `verify-bot` binary the tests run: this build's, or another one named by
/// `VERIFY_BOT_BIN` (an older build, to make a database the way it did).
fn binary() -> PathBuf {
    std::env::var_os("VERIFY_BOT_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_verify-bot")))
}

/// Runs the binary with `env` and checks that it refuses to start: exit code 2 and one line on
/// stderr that contains `expected`.
pub async fn assert_start_up_refused(env: &[(&str, &str)], expected: &str) {
    let app = TestApp::new(env).await;
    let output = app.run_to_completion().await;
    assert_eq!(output.status.code(), Some(2), "{expected}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains(expected), "{stderr}");
}

/// `~` in a needle stands for a no-break space, as the texts put between a number and its
/// unit (`5~minutes`), after `ID` and before a dash.
pub fn nb(needle: &str) -> String {
    needle.replace('~', "\u{a0}")
}

/// Fails with the whole message unless its text contains `needle` (`~`: a no-break space).
#[track_caller]
pub fn assert_says(message: &SentMessage, needle: &str) {
    let needle = nb(needle);
    assert!(
        message.text.contains(&needle),
        "expected {needle:?} in the bot's message:\n{}",
        message.text
    );
}

/// Fails with the whole message unless its text starts with `prefix` (an outcome emoji, say).
#[track_caller]
pub fn assert_opens_with(message: &SentMessage, prefix: &str) {
    assert!(
        message.text.starts_with(prefix),
        "expected the bot's message to start with {prefix:?}:\n{}",
        message.text
    );
}

/// Fails with the whole answer unless a button's pop-up `answer` contains `needle` (`~`: a
/// no-break space).
#[track_caller]
pub fn assert_pop_up_says(answer: &str, needle: &str) {
    let needle = nb(needle);
    assert!(
        answer.contains(&needle),
        "expected {needle:?} in the pop-up: {answer:?}"
    );
}

/// A failing test shows what the bot logged.
impl Drop for TestApp {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- verify-bot logs ---\n{}", self.logs());
        }
        self.kill_chrooted_bot();
    }
}

impl TestApp {
    /// `from` presses the inline button under `message` that carries `action`: the verb of its
    /// `callback_data` (`resend`, `cancel`, `anyway`, `consent`, `drop`, `qrq`, `qrv`), or the
    /// data itself (`remove:5005`, `lang:ru`). Returns the pop-up answer the bot gave.
    pub async fn press(&self, from: &TgUser, message: &SentMessage, action: &str) -> String {
        let data = button(message, action);
        self.press_data(from, message.chat_id, message.message_id, &data)
            .await
    }

    /// `from` presses the button under `message` whose label contains `label`: for a test about
    /// what the label says. Returns the pop-up answer.
    pub async fn press_labelled(
        &self,
        from: &TgUser,
        message: &SentMessage,
        label: &str,
    ) -> String {
        let (_, data) = message
            .inline_buttons()
            .into_iter()
            .find(|(text, _)| text.contains(label))
            .unwrap_or_else(|| panic!("no {label:?} button under {message:?}"));
        self.press_data(from, message.chat_id, message.message_id, &data)
            .await
    }

    /// Waits until the Gateway has been asked to send `n` codes (by any process).
    pub async fn wait_for_sends(&self, n: usize) {
        let send = |call: &GatewayCall| call.method == "sendVerificationMessage";
        self.gateway.wait_for_calls(n, PATIENCE, send).await;
    }

    /// `from` presses a button whose `callback_data` is `data` (which a client may forge) under
    /// the bot's message `message_id` in `chat`; returns the pop-up answer.
    pub async fn press_data(
        &self,
        from: &TgUser,
        chat: i64,
        message_id: i32,
        data: &str,
    ) -> String {
        let answered = self.telegram.calls_to("answerCallbackQuery").len();
        let id = self.telegram.push_callback(from, chat, message_id, data);
        let answers = self
            .telegram
            .wait_for_call("answerCallbackQuery", answered + 1, PATIENCE)
            .await;
        let answer = answers
            .iter()
            .find(|call| call.params["callback_query_id"] == id.as_str())
            .expect("the press was answered");
        answer.params["text"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The audit log as `(actor, action, verification_id, detail)`, oldest first.
    pub async fn audit(&self) -> Vec<(Option<i64>, String, Option<i64>, Option<String>)> {
        let db = self.database().await;
        let sql = "SELECT actor, action, verification_id, detail FROM audit_log ORDER BY id";
        on_test_db!(db, pool => sqlx::query_as(sql).fetch_all(pool).await)
            .expect("the audit log reads")
    }

    /// Opens the bot's database (for checks the chat cannot show, like the audit log).
    pub async fn database(&self) -> TestDb {
        let sqlite = self.database.url.starts_with("sqlite:");
        if sqlite && std::env::var_os("VERIFY_BOT_IMAGE").is_some() {
            let url = format!("sqlite://{}", self.database_path().display());
            let pool = sqlx::SqlitePool::connect(&url).await;
            return TestDb::Sqlite(pool.expect("the bot's database opens"));
        }
        self.database.connect().await
    }
}

impl TestApp {
    /// The admin sends `command` (`/invite` or `/invite admin`) and `who` opens the link.
    /// Returns the welcome `who` got, once the admin has been told who joined.
    pub async fn invite(&self, who: &TgUser, command: &str) -> SentMessage {
        let invite = self.say(command).await;
        assert_opens_with(&invite, "🔗");
        let before = self.telegram.messages_to(self.chat()).len();
        let welcome = self
            .say_as(
                who,
                who.id as i64,
                &format!("/start {}", link_token(&invite)),
            )
            .await;
        let notice = self
            .telegram
            .wait_for_messages(self.chat(), before + 1, PATIENCE)
            .await
            .remove(before);
        assert_opens_with(&notice, "👤");
        welcome
    }
}

/// The token at the end of a `?start=` link in a bot message.
pub fn link_token(message: &SentMessage) -> String {
    message
        .text
        .split("?start=")
        .nth(1)
        .expect("a link in the message")
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect()
}

/// The `callback_data` of the button under `message` that carries `action` (see
/// [`TestApp::press`]).
pub fn button(message: &SentMessage, action: &str) -> String {
    let carries = |data: &str| data == action || data.starts_with(&format!("{action}:"));
    message
        .inline_buttons()
        .into_iter()
        .map(|(_, data)| data)
        .find(|data| carries(data))
        .unwrap_or_else(|| panic!("no {action:?} button under {message:?}"))
}

/// The id the `action` button under `message` carries (`resend:42` → 42): a verification's, a
/// question's or a person's.
pub fn button_id(message: &SentMessage, action: &str) -> i64 {
    let data = button(message, action);
    let id = data.split(':').nth(1).expect("an id after the action");
    id.parse().expect("a numeric id")
}

/// Waits, up to [`PATIENCE`], until `check` gives something, and returns it; fails saying
/// `what` never came. For what no fake announces: the logs, `/healthz`, a database's state, an
/// answer from either of two processes.
pub async fn eventually<T>(what: &str, mut check: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "waited {PATIENCE:?} for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

impl TestApp {
    /// The admin verifies `phone` to the end in their private chat: `/verify`, a code sent
    /// (📨), the code the customer got typed back, verified (✅). Returns the verdict.
    pub async fn verify_to_the_end(&self, phone: &str) -> SentMessage {
        let admin = self.admin.clone();
        self.verify_to_the_end_as(&admin, self.chat(), phone).await
    }

    /// [`Self::verify_to_the_end`], by `who` in `chat`.
    pub async fn verify_to_the_end_as(&self, who: &TgUser, chat: i64, phone: &str) -> SentMessage {
        let sent = self.say_as(who, chat, &format!("/verify {phone}")).await;
        assert_opens_with(&sent, "📨");
        let verdict = self.say_as(who, chat, &self.customer_code()).await;
        assert_opens_with(&verdict, "✅");
        verdict
    }

    /// `who` types `/verify phone` in their private chat; returns the bot's reply.
    pub async fn verify_as(&self, who: &TgUser, phone: &str) -> SentMessage {
        self.say_as(who, who.id as i64, &format!("/verify {phone}"))
            .await
    }

    /// `who` types `/verify phone` in their private chat; returns once the send has reached the
    /// Gateway (whose answer a test may hold back with a delay), without waiting for a reply.
    pub async fn verify_in_flight_as(&self, who: &TgUser, phone: &str) {
        let sends = self.gateway.count("sendVerificationMessage");
        self.telegram
            .push_text(who, who.id as i64, &format!("/verify {phone}"));
        self.wait_for_sends(sends + 1).await;
    }

    /// [`Self::verify_in_flight_as`], by the admin.
    pub async fn verify_in_flight(&self, phone: &str) {
        let admin = self.admin.clone();
        self.verify_in_flight_as(&admin, phone).await;
    }

    /// The admin's send, held in flight by a Gateway delay (see [`Self::verify_in_flight`]),
    /// lands: the "code sent" message comes first in their chat (📨); with the delay lifted, the
    /// customer's code checks out (✅).
    pub async fn held_send_lands_and_checks_out(&self) {
        assert_opens_with(&self.nth_message(self.chat(), 1).await, "📨");
        self.gateway.set_delay(Duration::ZERO);
        let code = self.customer_code();
        assert_opens_with(&self.say(&code).await, "✅");
    }

    /// The bot's latest message in `chat` (say, the one a press's pop-up came after).
    pub fn last_message(&self, chat: i64) -> SentMessage {
        let messages = self.telegram.messages_to(chat);
        messages.last().cloned().expect("a message in the chat")
    }

    /// Waits for the `n`th message (counting from 1) in `chat`.
    pub async fn nth_message(&self, chat: i64, n: usize) -> SentMessage {
        self.telegram.wait_for_messages(chat, n, PATIENCE).await[n - 1].clone()
    }

    /// The admin's `/export`: the text of the CSV (which comes with a workbook).
    pub async fn exported_csv(&self) -> String {
        let exports = self.telegram.calls_to("sendDocument").len();
        self.telegram.push_text(&self.admin, self.chat(), "/export");
        self.telegram
            .wait_for_call("sendDocument", exports + 2, PATIENCE)
            .await;
        let is_csv = |name: Option<&String>| name.is_some_and(|n| n.ends_with(".csv"));
        let csv = self
            .telegram
            .uploads()
            .into_iter()
            .rev()
            .find(|u| {
                u.files
                    .first()
                    .is_some_and(|f| is_csv(f.file_name.as_ref()))
            })
            .expect("a CSV");
        String::from_utf8_lossy(&csv.files[0].bytes).into_owned()
    }

    /// When the bot may not write to the admin privately (its next `method` call is refused),
    /// `command` typed in `group` gets the hint to tap Start there.
    pub async fn assert_hint_when_the_private_chat_is_closed(
        &self,
        group: i64,
        command: &str,
        method: &str,
    ) {
        self.telegram.fail_next(
            method,
            403,
            "Forbidden: bot can't initiate conversation with a user",
        );
        let admin = self.admin.clone();
        let hint = self.say_as(&admin, group, command).await;
        assert_opens_with(&hint, "🔒");
        assert_says(&hint, "tap <b>Start</b>");
    }
}
