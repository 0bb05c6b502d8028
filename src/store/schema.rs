//! Test-only: the schema each backend's migrations build, read back from the database, so that
//! a test proves `migrations/sqlite/` and `migrations/postgres/` give the same tables, columns
//! and indexes (the store's statements are written once for both, see [`super`]).
//!
//! Read in the terms the two share: a column is an integer, a real or a text (PostgreSQL's
//! `BOOLEAN` flags are SQLite's 0/1 integers, its `BIGINT`/`INTEGER` are SQLite's `INTEGER`),
//! nullable or not, with its default and whether the database numbers it; an index is its
//! table, columns, uniqueness and condition. Primary keys stand apart (SQLite keeps an
//! `INTEGER PRIMARY KEY` as the row id, with no index). Check constraints and triggers are not
//! compared: SQLite keeps them only as the text of its statements.

use std::collections::BTreeMap;

use super::Store;
use super::core::Db;

/// What the statements rely on, the same on both backends.
#[derive(Debug, Default)]
pub(super) struct Schema {
    /// Table → column → what it is.
    pub tables: BTreeMap<String, BTreeMap<String, Column>>,
    /// Table → its primary key's columns, in order.
    pub primary_keys: BTreeMap<String, Vec<String>>,
    /// Every other index: by name, or `table UNIQUE (columns)` for a `UNIQUE` constraint's.
    pub indexes: BTreeMap<String, Index>,
}

#[derive(Debug, PartialEq, Eq)]
pub(super) struct Column {
    /// `integer`, `real` or `text`.
    pub kind: &'static str,
    pub not_null: bool,
    /// As written, without PostgreSQL's casts (`'code'`, `0`; `FALSE` is `0`).
    pub default: Option<String>,
    /// The database numbers new rows (`AUTOINCREMENT`, `GENERATED … AS IDENTITY`).
    pub numbered: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub(super) struct Index {
    pub table: String,
    pub columns: Vec<String>,
    pub unique: bool,
    /// A partial index's condition, as SQLite writes it (`status IN ('sending', 'pending')`).
    pub condition: Option<String>,
}

impl Schema {
    /// The schema of the database behind `store`.
    pub async fn of(store: &Store) -> Schema {
        match &store.db {
            Db::Sqlite(pool) => sqlite(pool).await,
            Db::Postgres(pool) => postgres(pool).await,
        }
    }
}

/// Not the schema: sqlx's record of the migrations that ran, and SQLite's own tables.
const BOOKKEEPING: &str = "_sqlx_migrations";

async fn sqlite(pool: &sqlx::SqlitePool) -> Schema {
    let mut schema = Schema::default();
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name != $1",
    )
    .bind(BOOKKEEPING)
    .fetch_all(pool)
    .await
    .unwrap();
    for (table, sql) in tables {
        let columns: Vec<(String, String, bool, Option<String>, i64)> = sqlx::query_as(
            "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info($1)",
        )
        .bind(&table)
        .fetch_all(pool)
        .await
        .unwrap();
        let mut key: Vec<(i64, String)> = Vec::new();
        let mut read = BTreeMap::new();
        for (name, declared, not_null, default, pk) in columns {
            if pk > 0 {
                key.push((pk, name.clone()));
            }
            let kind = match declared.as_str() {
                "INTEGER" => "integer",
                "REAL" => "real",
                "TEXT" => "text",
                other => panic!("{table}.{name}: a SQLite type this test does not know: {other}"),
            };
            let column = Column {
                kind,
                // SQLite lets a primary key other than the row id hold NULL; PostgreSQL does
                // not, and the bot never writes one.
                not_null: not_null || pk > 0,
                default,
                numbered: pk > 0 && sql.contains("AUTOINCREMENT"),
            };
            read.insert(name, column);
        }
        key.sort();
        schema.primary_keys.insert(
            table.clone(),
            key.into_iter().map(|(_, name)| name).collect(),
        );
        let indexes: Vec<(String, bool, String)> =
            sqlx::query_as("SELECT name, \"unique\", origin FROM pragma_index_list($1)")
                .bind(&table)
                .fetch_all(pool)
                .await
                .unwrap();
        for (name, unique, origin) in indexes {
            let columns: Vec<String> =
                sqlx::query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                    .bind(&name)
                    .fetch_all(pool)
                    .await
                    .unwrap();
            let condition = match origin.as_str() {
                "pk" => continue,
                "u" => None,
                _ => {
                    let sql: String = sqlx::query_scalar(
                        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = $1",
                    )
                    .bind(&name)
                    .fetch_one(pool)
                    .await
                    .unwrap();
                    let sql = sql.split_whitespace().collect::<Vec<_>>().join(" ");
                    sql.split_once(" WHERE ").map(|(_, when)| when.to_owned())
                }
            };
            let key = match origin.as_str() {
                "u" => format!("{table} UNIQUE ({})", columns.join(", ")),
                _ => name,
            };
            let index = Index {
                table: table.clone(),
                columns,
                unique,
                condition,
            };
            schema.indexes.insert(key, index);
        }
        schema.tables.insert(table, read);
    }
    schema
}

async fn postgres(pool: &sqlx::PgPool) -> Schema {
    let mut schema = Schema::default();
    let columns: Vec<(String, String, String, bool, Option<String>, bool)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable = 'NO', \
         column_default::text, is_identity = 'YES' FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name != $1",
    )
    .bind(BOOKKEEPING)
    .fetch_all(pool)
    .await
    .unwrap();
    for (table, name, declared, not_null, default, numbered) in columns {
        let kind = match declared.as_str() {
            "bigint" | "integer" | "smallint" | "boolean" => "integer",
            "double precision" | "real" => "real",
            "text" => "text",
            other => panic!("{table}.{name}: a PostgreSQL type this test does not know: {other}"),
        };
        let default = default.map(|default| match uncast(&default).as_str() {
            "false" => "0".to_owned(),
            "true" => "1".to_owned(),
            other => other.to_owned(),
        });
        let column = Column {
            kind,
            not_null,
            default,
            numbered,
        };
        schema.tables.entry(table).or_default().insert(name, column);
    }
    for table in schema.tables.keys() {
        schema.primary_keys.insert(table.clone(), Vec::new());
    }
    #[derive(sqlx::FromRow)]
    struct IndexRow {
        name: String,
        table: String,
        unique: bool,
        primary: bool,
        /// It backs a `UNIQUE` constraint.
        constraint: bool,
        condition: Option<String>,
        columns: Vec<String>,
    }
    let indexes: Vec<IndexRow> = sqlx::query_as(
        "SELECT i.relname::text AS name, t.relname::text AS table, x.indisunique AS unique, \
         x.indisprimary AS primary, EXISTS (SELECT 1 FROM pg_constraint c \
             WHERE c.conindid = x.indexrelid AND c.contype = 'u') AS constraint, \
         pg_get_expr(x.indpred, x.indrelid) AS condition, \
         ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true) \
             FROM generate_series(1, x.indnatts) AS k ORDER BY k) AS columns \
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid \
         JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = current_schema() AND t.relname != $1",
    )
    .bind(BOOKKEEPING)
    .fetch_all(pool)
    .await
    .unwrap();
    for IndexRow {
        name,
        table,
        unique,
        primary,
        constraint,
        condition,
        columns,
    } in indexes
    {
        if primary {
            schema.primary_keys.insert(table, columns);
            continue;
        }
        let key = if constraint {
            format!("{table} UNIQUE ({})", columns.join(", "))
        } else {
            name
        };
        let index = Index {
            table,
            columns,
            unique,
            condition: condition.map(|condition| as_sqlite_writes_it(&condition)),
        };
        schema.indexes.insert(key, index);
    }
    schema
}

/// `'code'::text` → `'code'`: PostgreSQL's casts left out.
fn uncast(expression: &str) -> String {
    let mut out = String::with_capacity(expression.len());
    let mut rest = expression;
    while let Some(at) = rest.find("::") {
        out.push_str(&rest[..at]);
        rest = rest[at + 2..].trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_');
    }
    out.push_str(rest);
    out
}

/// A condition as PostgreSQL prints it (`(status = ANY (ARRAY['sending'::text,
/// 'pending'::text]))`), as the migrations write it (`status IN ('sending', 'pending')`).
fn as_sqlite_writes_it(condition: &str) -> String {
    let condition = uncast(condition)
        .replace("= ANY (ARRAY[", "IN (")
        .replace("])", ")");
    // One pair of brackets around the whole: `(used_at IS NULL)`.
    let inner = condition
        .strip_prefix('(')
        .and_then(|rest| rest.strip_suffix(')'));
    match inner {
        Some(inner) if brackets_balance(inner) => inner.to_owned(),
        _ => condition,
    }
}

fn brackets_balance(text: &str) -> bool {
    let mut depth = 0i32;
    for c in text.chars() {
        depth += match c {
            '(' => 1,
            ')' => -1,
            _ => 0,
        };
        if depth < 0 {
            return false;
        }
    }
    depth == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{TestDatabase, postgres_server};

    #[tokio::test]
    async fn the_sqlite_and_postgresql_migrations_build_the_same_schema() {
        let Some(server) = postgres_server() else {
            eprintln!(
                "skipped: set TEST_DATABASE_URL=postgres://user@host/database to compare the \
                 PostgreSQL migrations with SQLite's"
            );
            return;
        };
        let (sqlite, postgres) = (
            TestDatabase::sqlite(),
            TestDatabase::postgres(&server).await,
        );
        let sqlite = Schema::of(&sqlite.store().await).await;
        let postgres = Schema::of(&postgres.store().await).await;
        let names = |s: &Schema| s.tables.keys().cloned().collect::<Vec<_>>();
        assert_eq!(names(&sqlite), names(&postgres), "not the same tables");
        for (table, columns) in &sqlite.tables {
            let theirs = &postgres.tables[table];
            let names = |c: &BTreeMap<String, Column>| c.keys().cloned().collect::<Vec<_>>();
            assert_eq!(
                names(columns),
                names(theirs),
                "{table}: not the same columns"
            );
            for (name, column) in columns {
                assert_eq!(column, &theirs[name], "{table}.{name} (SQLite, PostgreSQL)");
            }
            assert_eq!(
                sqlite.primary_keys[table], postgres.primary_keys[table],
                "{table}: not the same primary key"
            );
        }
        let names = |s: &Schema| s.indexes.keys().cloned().collect::<Vec<_>>();
        assert_eq!(names(&sqlite), names(&postgres), "not the same indexes");
        for (name, index) in &sqlite.indexes {
            assert_eq!(
                index, &postgres.indexes[name],
                "index {name} (SQLite, PostgreSQL)"
            );
        }
    }

    /// The comparison above sees what the migrations made (and runs on SQLite alone).
    #[tokio::test]
    async fn the_schema_is_read_back_in_the_terms_both_backends_share() {
        let database = TestDatabase::sqlite();
        let schema = Schema::of(&database.store().await).await;
        assert!(schema.tables.len() >= 12, "{:?}", schema.tables.keys());
        let verifications = &schema.tables["verifications"];
        assert_eq!(
            verifications["id"],
            Column {
                kind: "integer",
                not_null: true,
                default: None,
                numbered: true,
            }
        );
        assert_eq!(verifications["method"].default.as_deref(), Some("'code'"));
        assert_eq!(verifications["request_cost"].kind, "real");
        assert_eq!(
            schema.primary_keys["handled_updates"],
            ["bot_id", "update_id"]
        );
        assert_eq!(
            schema.indexes["verifications_one_open_per_phone"],
            Index {
                table: "verifications".into(),
                columns: vec!["phone".into()],
                unique: true,
                condition: Some("status IN ('sending', 'pending')".into()),
            }
        );
        assert_eq!(
            as_sqlite_writes_it("(status = ANY (ARRAY['sending'::text, 'pending'::text]))"),
            "status IN ('sending', 'pending')"
        );
        assert_eq!(as_sqlite_writes_it("(used_at IS NULL)"), "used_at IS NULL");
        assert_eq!(uncast("''::text"), "''");
    }
}
