//! A SQLite database made before PostgreSQL support upgrades in place: the migrations moved to
//! `migrations/sqlite/` keep their versions and checksums, and the new ones apply on top.
//!
//! `fixtures/before-postgres.db` was made by `main` at f487e85 (the last commit before this
//! change), with the ignored test below:
//! `VERIFY_BOT_BIN=/path/to/that/verify-bot cargo test --test it make_the_upgrade_fixture -- --ignored`.

use crate::common::app::{PHONE, TestApp, assert_says};
use crate::common::fake_telegram::TgUser;
use crate::on_test_db;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/it/fixtures/before-postgres.db"
);

/// A staff member the fixture's admin invited, who verified a number.
const STAFF: u64 = 5601;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_made_before_postgresql_support_upgrades_in_place() {
    crate::sqlite_only!();
    let mut app = TestApp::new(&[("ADMIN_IDS", "1001")]).await;
    std::fs::copy(FIXTURE, app.database_path()).expect("the fixture copies");
    app.start().await;

    // What the old bot stored is all there: the staff member and their history (numbers are
    // masked in /history).
    let staff = TgUser::new(STAFF, "Dora");
    let history = app.say_as(&staff, STAFF as i64, "/history").await;
    assert_says(&history, "+7 91• •••-•5-67");
    assert_says(&history, "✅");
    let list = app.say("/staff").await;
    assert_says(&list, "Dora");
    // And the new schema works on it: a code is sent and checked, once per update.
    app.verify_to_the_end(PHONE).await;
    let db = app.database().await;
    let versions: Vec<(i64,)> = on_test_db!(db, pool => sqlx::query_as(
        "SELECT version FROM _sqlx_migrations ORDER BY version"
    )
    .fetch_all(pool)
    .await)
    .unwrap();
    // Every migration applied, up to the newest in migrations/sqlite/.
    assert_eq!(versions.last(), Some(&(newest_sqlite_migration(),)));
    let handled: (i64,) = on_test_db!(db, pool => sqlx::query_as(
        "SELECT COUNT(*) FROM handled_updates"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    assert!(handled.0 >= 4, "{handled:?}");
}

/// The version of the newest migration in `migrations/sqlite/` (`<version>_<name>.sql`).
fn newest_sqlite_migration() -> i64 {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite");
    std::fs::read_dir(dir)
        .expect("the SQLite migrations")
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            name.split_once('_')?.0.parse().ok()
        })
        .max()
        .expect("at least one migration")
}

/// Makes `fixtures/before-postgres.db` with the binary `VERIFY_BOT_BIN` names (see the module
/// doc): an admin invites a Russian-speaking staff member, who verifies a number.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "makes the fixture; run with VERIFY_BOT_BIN set to an older build"]
async fn make_the_upgrade_fixture() {
    assert!(
        std::env::var_os("VERIFY_BOT_BIN").is_some(),
        "set VERIFY_BOT_BIN"
    );
    // An older build does not log the port it got: give it one.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|taken| taken.local_addr())
        .unwrap()
        .port()
        .to_string();
    let addr = format!("127.0.0.1:{port}");
    let mut app = TestApp::spawn_with(&[("ADMIN_IDS", "1001"), ("HTTP_ADDR", &addr)]).await;
    let staff = TgUser {
        language_code: Some("ru".into()),
        ..TgUser::new(STAFF, "Dora")
    };
    app.invite(&staff, "/invite").await;
    app.verify_to_the_end_as(&staff, STAFF as i64, "+7 916 123-45-67")
        .await;
    assert_eq!(app.stop_with(libc::SIGTERM).await, Some(0));
    let db = app.database().await;
    on_test_db!(db, pool => sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(pool).await.map(|_| ()))
        .unwrap();
    std::fs::copy(app.database_path(), FIXTURE).expect("the fixture is written");
}
