//! The append-only audit log: who did what, to which verification, at what cost.
//! The database refuses updates and deletes of its rows (see the migration's triggers), and
//! writes the rows of sends and code checks itself (migration `audit_in_database`); the other
//! actions are recorded from here.

use sqlx::SqliteConnection;

/// One audit row, written inside the transaction that makes the change it records.
#[derive(Debug, Default)]
pub(super) struct Entry<'a> {
    pub actor: Option<i64>,
    pub action: &'a str,
    pub verification_id: Option<i64>,
    pub phone: Option<&'a str>,
    pub cost: Option<f64>,
    pub detail: Option<&'a str>,
}

pub(super) async fn record(
    conn: &mut SqliteConnection,
    entry: Entry<'_>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, verification_id, phone, cost, detail) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(now)
    .bind(entry.actor)
    .bind(entry.action)
    .bind(entry.verification_id)
    .bind(entry.phone)
    .bind(entry.cost)
    .bind(entry.detail)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records an action about a stored verification, taking actor and phone from its row.
pub(super) async fn record_for(
    conn: &mut SqliteConnection,
    verification_id: i64,
    action: &str,
    cost: Option<f64>,
    detail: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, verification_id, phone, cost, detail) \
         SELECT ?, staff_user_id, ?, id, phone, ?, ? FROM verifications WHERE id = ?",
    )
    .bind(now)
    .bind(action)
    .bind(cost)
    .bind(detail)
    .bind(verification_id)
    .execute(conn)
    .await?;
    Ok(())
}
