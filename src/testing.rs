//! Test-only helpers: the strategies shared by the property tests of the parsers that read what
//! remote systems write (the Gateway's answers, its delivery reports), and a database of a
//! test's own for the store's tests: SQLite, or PostgreSQL when `TEST_DATABASE_URL` names a
//! server (as for the end-to-end tests, `tests/it/common/db.rs`).

use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use serde_json::Value;
use sqlx::Connection;

use crate::store::Store;

/// Object keys: mostly the given field names, sometimes any text.
pub fn key(fields: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(fields).prop_map(String::from),
        1 => any::<String>(),
    ]
}

/// Any JSON value, a few levels deep, whose objects mostly use the given field names.
pub fn json_value(fields: &'static [&'static str]) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key(fields), inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Bodies a broken proxy or a changed API could send: bytes, text, JSON, truncated JSON, and
/// large ones.
pub fn any_body(fields: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        any::<String>().prop_map(String::into_bytes),
        json_value(fields).prop_map(|v| serde_json::to_vec(&v).unwrap()),
        (json_value(fields), any::<prop::sample::Index>()).prop_map(|(v, cut)| {
            let mut bytes = serde_json::to_vec(&v).unwrap();
            bytes.truncate(cut.index(bytes.len() + 1));
            bytes
        }),
        prop::collection::vec(any::<u8>(), 10_000..50_000),
    ]
}

/// The PostgreSQL server the tests run against, if `TEST_DATABASE_URL` names one.
pub fn postgres_server() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| url.starts_with("postgres://") || url.starts_with("postgresql://"))
}

/// A database of a test's own, gone when the value is dropped: a SQLite file in a temporary
/// directory, or a PostgreSQL database created for the test and dropped after it.
#[derive(Debug)]
pub struct TestDatabase {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    /// PostgreSQL: the server and the database's name, to drop it.
    created: Option<(String, String)>,
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

impl TestDatabase {
    /// On the backend the tests run on: PostgreSQL with `TEST_DATABASE_URL`, else SQLite.
    pub async fn fresh() -> TestDatabase {
        match postgres_server() {
            Some(server) => TestDatabase::postgres(&server).await,
            None => TestDatabase::sqlite(),
        }
    }

    pub fn sqlite() -> TestDatabase {
        let dir = tempfile::tempdir().expect("a temporary directory");
        TestDatabase {
            url: format!("sqlite://{}", dir.path().join("verify-bot.db").display()),
            _dir: Some(dir),
            created: None,
        }
    }

    /// A new, empty database on the PostgreSQL server `server`.
    pub async fn postgres(server: &str) -> TestDatabase {
        let name = format!(
            "verify_bot_unit_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut admin = sqlx::PgConnection::connect(server)
            .await
            .unwrap_or_else(|err| panic!("TEST_DATABASE_URL does not answer ({server}): {err}"));
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .expect("a fresh test database");
        let mut url = reqwest::Url::parse(server).expect("TEST_DATABASE_URL is a URL");
        url.set_path(&format!("/{name}"));
        TestDatabase {
            url: url.to_string(),
            _dir: None,
            created: Some((server.to_owned(), name)),
        }
    }

    /// The store on it, migrated.
    pub async fn store(&self) -> Store {
        Store::connect(&self.url).await.expect("the store opens")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((server, name)) = self.created.take() else {
            return;
        };
        // From a thread of its own: the test's runtime may be shutting down.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async {
                let mut admin = sqlx::PgConnection::connect(&server).await.ok()?;
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await
                    .ok()
            })
        });
        let _ = dropped.join();
    }
}

/// A store on a fresh database of its own ([`TestDatabase::fresh`]), and what keeps that
/// database alive: keep it until the test ends.
pub async fn store() -> (TestDatabase, Store) {
    let database = TestDatabase::fresh().await;
    let store = database.store().await;
    (database, store)
}

/// The Gateway's answer accepting a send of `request_id` to `number` (E.164) at `cost`, for the
/// store's tests.
pub fn accepted(request_id: &str, number: &str, cost: f64) -> crate::gateway::RequestStatus {
    crate::gateway::RequestStatus {
        request_id: request_id.into(),
        phone_number: number.into(),
        request_cost: cost,
        is_refunded: None,
        remaining_balance: Some(10.0),
        delivery_status: None,
        verification_status: None,
        payload: None,
    }
}
