//! Databases made by older builds upgrade in place: the migrations keep their versions and
//! checksums, and the new ones apply on top.
//!
//! `fixtures/before-postgres.db` was made by `main` at f487e85 (the last commit before
//! PostgreSQL support), with the ignored test below:
//! `VERIFY_BOT_BIN=/path/to/that/verify-bot cargo test --test it make_the_upgrade_fixture -- --ignored`.
//!
//! `fixtures/before-growth.db` (SQLite) and `fixtures/before-growth-postgres.sql` (a `pg_dump
//! --inserts` of a PostgreSQL database) were made by `main` at f1a1aee (the last commit before
//! the rollup, the housekeeping and `RETENTION_DAYS`, issue #25), with
//! `VERIFY_BOT_BIN=/path/to/that/verify-bot cargo test --test it make_the_growth_fixtures --
//! --ignored`, once without and once with `TEST_DATABASE_URL`.

use crate::common::app::{PHONE, TestApp, assert_says};
use crate::common::db::{TestDb, postgres_server};
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

const GROWTH_SQLITE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/it/fixtures/before-growth.db"
);
const GROWTH_POSTGRES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/it/fixtures/before-growth-postgres.sql"
);

/// The staff member of the growth fixtures.
const GROWN: u64 = 5602;

/// What a database's verifications add up to, from the rows, and from the rollup the upgrade
/// built: codes sent, verified, by status, money kept.
async fn sums(db: &TestDb) -> ((i64, i64, i64, f64), (i64, i64, i64, f64)) {
    let rows: (i64, i64, i64, f64) = on_test_db!(db, pool => sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(CASE WHEN request_id IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT), \
                CAST(COALESCE(SUM(CASE WHEN status = 'verified' THEN 1 ELSE 0 END), 0) AS BIGINT), \
                CAST(COUNT(*) AS BIGINT), \
                COALESCE(SUM(CASE WHEN is_refunded THEN 0.0 ELSE COALESCE(request_cost, 0.0) END), 0.0) \
         FROM verifications"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    let rollup: (i64, i64, i64, i64) = on_test_db!(db, pool => sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(sent), 0) AS BIGINT), CAST(COALESCE(SUM(status_verified), 0) AS BIGINT), \
                CAST(COALESCE(SUM(status_sending + status_pending + status_verified + status_max_attempts \
                    + status_expired + status_cancelled + status_failed), 0) AS BIGINT), \
                CAST(COALESCE(SUM(kept_micros), 0) AS BIGINT) FROM activity"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    let rollup = (rollup.0, rollup.1, rollup.2, rollup.3 as f64 / 1e6);
    (rows, rollup)
}

/// A database made by `main` before issue #25 (SQLite or PostgreSQL, whichever the suite runs
/// on), with verifications in it, upgrades in place: the rollup is built from its history, what
/// it held reads as before, and the new parts work on it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_made_by_main_before_the_rollup_upgrades_in_place() {
    let mut app = TestApp::new(&[("ADMIN_IDS", "1001"), ("RETENTION_DAYS", "3650")]).await;
    match postgres_server() {
        None => {
            std::fs::copy(GROWTH_SQLITE, app.database_path()).expect("the fixture copies");
        }
        Some(_) => {
            // The SQL of the dump, without psql's own commands (`\\restrict`).
            let dump: String = std::fs::read_to_string(GROWTH_POSTGRES)
                .expect("the dump reads")
                .lines()
                .filter(|line| !line.starts_with('\\'))
                .flat_map(|line| [line, "\n"])
                .collect();
            let db = app.database().await;
            on_test_db!(db, pool => sqlx::raw_sql(&dump).execute(pool).await.map(|_| ()))
                .expect("the dump loads");
        }
    }
    let before: i64 = {
        let db = app.database().await;
        // The fake Bot API may number its updates as the one that made the fixture did (Telegram
        // never repeats an update id): the fixture's handled ids would hide them.
        on_test_db!(db, pool => sqlx::query("DELETE FROM handled_updates").execute(pool).await.map(|_| ()))
            .unwrap();
        on_test_db!(db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM verifications")
            .fetch_one(pool)
            .await)
        .unwrap()
    };
    assert!(before >= 3, "the fixture holds verifications: {before}");
    app.start().await;

    // The rollup is the history's sum.
    let db = app.database().await;
    let (rows, rollup) = sums(&db).await;
    assert_eq!(rows.0, rollup.0, "codes sent");
    assert_eq!((rows.1, rows.2), (rollup.1, rollup.2), "by status");
    assert!(
        (rows.3 - rollup.3).abs() < 1e-9,
        "money: {rows:?} {rollup:?}"
    );
    assert!(rows.0 >= 3, "{rows:?}");

    // What the old bot stored reads as before.
    let staff = TgUser::new(GROWN, "Edna");
    let history = app.say_as(&staff, GROWN as i64, "/history").await;
    assert_says(&history, "✅");
    let list = app.say("/staff").await;
    assert_says(&list, "Edna");
    let stats = app.say("/stats").await;
    assert_says(&stats, "(days in UTC)");

    // The new schema works on it: a send and its check move the rollup with them.
    app.verify_to_the_end_as(&staff, GROWN as i64, PHONE).await;
    let (after_rows, after_rollup) = sums(&db).await;
    assert_eq!((after_rows.0, after_rollup.0), (rows.0 + 1, rollup.0 + 1));
    assert_eq!(after_rows.2, after_rollup.2);
    // The audit log is still append-only.
    let deleted = on_test_db!(db, pool => sqlx::query("DELETE FROM audit_log").execute(pool).await.map(|_| ()));
    assert!(deleted.is_err(), "the audit log refused a deletion");
    // And the daily housekeeping ran on it (nothing is older than ten years).
    app.wait_for_log("housekeeping: records older than RETENTION_DAYS reduced")
        .await;
    let versions: Vec<(i64,)> = on_test_db!(db, pool => sqlx::query_as(
        "SELECT version FROM _sqlx_migrations ORDER BY version"
    )
    .fetch_all(pool)
    .await)
    .unwrap();
    assert_eq!(versions.last(), Some(&(newest_sqlite_migration(),)));
}

/// Makes `fixtures/before-growth.db`, or with `TEST_DATABASE_URL` `fixtures/before-growth-postgres.sql`
/// (with `pg_dump` on the `PATH`), with the binary `VERIFY_BOT_BIN` names (see the module doc):
/// an admin invites a staff member, who verifies a number, has a second code sent and cancels
/// it; the admin verifies another number and has a third sent and left waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "makes the fixtures; run with VERIFY_BOT_BIN set to an older build"]
async fn make_the_growth_fixtures() {
    assert!(
        std::env::var_os("VERIFY_BOT_BIN").is_some(),
        "set VERIFY_BOT_BIN"
    );
    let mut app = TestApp::spawn_with(&[("ADMIN_IDS", "1001")]).await;
    let staff = TgUser::new(GROWN, "Edna");
    app.invite(&staff, "/invite").await;
    app.verify_to_the_end_as(&staff, GROWN as i64, "+44 7911 123456")
        .await;
    let sent = app.verify_as(&staff, "+44 7911 123457").await;
    assert_says(&sent, "📨");
    app.say_as(&staff, GROWN as i64, "/cancel").await;
    app.verify_to_the_end("+44 7911 123458").await;
    let waiting = app.say("/verify +44 7911 123459").await;
    assert_says(&waiting, "📨");
    assert_eq!(app.stop_with(libc::SIGTERM).await, Some(0));
    let db = app.database().await;
    match postgres_server() {
        None => {
            on_test_db!(db, pool => sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(pool).await.map(|_| ()))
                .unwrap();
            std::fs::copy(app.database_path(), GROWTH_SQLITE).expect("the fixture is written");
        }
        Some(_) => {
            let url = app
                .env("DATABASE_URL")
                .expect("the database's URL")
                .to_owned();
            let dump = std::process::Command::new("pg_dump")
                .args([
                    "--inserts",
                    "--no-owner",
                    "--no-privileges",
                    "--file",
                    GROWTH_POSTGRES,
                ])
                .arg(&url)
                .status()
                .expect("pg_dump runs");
            assert!(dump.success(), "pg_dump: {dump}");
        }
    }
}
