//! The database a test's bot runs on: SQLite (a file in the test's own directory) unless
//! `TEST_DATABASE_URL` names a PostgreSQL server, where each test gets a fresh database that it
//! creates and drops. Tests about one backend only say they were skipped on the other.

use std::sync::atomic::{AtomicUsize, Ordering};

use sqlx::{ConnectOptions, Connection, PgConnection};

/// The PostgreSQL server the suite runs against, if `TEST_DATABASE_URL` names one.
pub fn postgres_server() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| url.starts_with("postgres://") || url.starts_with("postgresql://"))
}

/// For a test about SQLite itself (its file, its locks): on PostgreSQL it returns at once,
/// saying why.
#[macro_export]
macro_rules! sqlite_only {
    () => {
        if $crate::common::db::postgres_server().is_some() {
            eprintln!("skipped on PostgreSQL: this test is about SQLite's own file and locks");
            return;
        }
    };
}

/// For a test of several processes on one PostgreSQL database: without `TEST_DATABASE_URL` it
/// returns at once, saying how to run it.
#[macro_export]
macro_rules! postgres_only {
    () => {
        if $crate::common::db::postgres_server().is_none() {
            eprintln!(
                "skipped: set TEST_DATABASE_URL=postgres://user@host/database to run the \
                 PostgreSQL replica tests"
            );
            return;
        }
    };
}

/// A test's database: where the bot finds it, and (for PostgreSQL) dropped when the last app
/// using it is.
#[derive(Debug)]
pub struct TestDatabase {
    pub url: String,
    /// PostgreSQL: the server and the database name, to drop it.
    created: Option<(String, String)>,
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

impl TestDatabase {
    /// A SQLite file at `path`, or a fresh PostgreSQL database when the suite runs on one.
    pub async fn fresh(sqlite_path: &std::path::Path) -> TestDatabase {
        let Some(server) = postgres_server() else {
            return TestDatabase {
                url: format!("sqlite://{}", sqlite_path.display()),
                created: None,
            };
        };
        let name = format!(
            "verify_bot_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = PgConnection::connect(&server)
            .await
            .unwrap_or_else(|err| panic!("TEST_DATABASE_URL does not answer ({server}): {err}"));
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("a fresh test database");
        let mut url = reqwest::Url::parse(&server).expect("TEST_DATABASE_URL is a URL");
        url.set_path(&format!("/{name}"));
        TestDatabase {
            url: url.to_string(),
            created: Some((server, name)),
        }
    }

    /// A connection pool of the test's own to the bot's database.
    pub async fn connect(&self) -> TestDb {
        if self.created.is_some() {
            TestDb::Postgres(
                sqlx::PgPool::connect(&self.url)
                    .await
                    .expect("the database opens"),
            )
        } else {
            let options: sqlx::sqlite::SqliteConnectOptions =
                self.url.parse().expect("a SQLite URL");
            let options = options.busy_timeout(std::time::Duration::from_secs(5));
            let pool = sqlx::SqlitePool::connect_with(options.disable_statement_logging())
                .await
                .expect("the database opens");
            TestDb::Sqlite(pool)
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((server, name)) = self.created.take() else {
            return;
        };
        // Dropped from a thread of its own: a test's runtime may be shutting down.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                let mut admin = PgConnection::connect(&server).await.ok()?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await
                    .ok()
            })
        });
        let _ = dropped.join();
    }
}

/// The test's own connection to the bot's database, for what the chat cannot show.
pub enum TestDb {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// `on_test_db!(db, pool => expression)`: the expression with `pool` the SQLite or the
/// PostgreSQL pool, written once (use `$1` placeholders, which both read).
#[macro_export]
macro_rules! on_test_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match &$db {
            $crate::common::db::TestDb::Sqlite($pool) => $body,
            $crate::common::db::TestDb::Postgres($pool) => $body,
        }
    };
}
