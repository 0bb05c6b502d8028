//! The append-only audit log: who did what, to which verification, at what cost.
//! The database refuses updates and deletes of its rows (see the migration's triggers), and
//! writes the rows of sends and code checks itself (migration `audit_in_database`); the other
//! actions are recorded from here.

use sqlx::SqliteConnection;

use super::core::{Store, StoreError};

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

/// Records an action by `actor` (the person who pressed or typed, not the row's owner) about a
/// stored verification, taking the phone from its row.
pub(super) async fn record_for(
    conn: &mut SqliteConnection,
    verification_id: i64,
    actor: i64,
    action: &str,
    cost: Option<f64>,
    detail: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, verification_id, phone, cost, detail) \
         SELECT ?, ?, ?, id, phone, ?, ? FROM verifications WHERE id = ?",
    )
    .bind(now)
    .bind(actor)
    .bind(action)
    .bind(cost)
    .bind(detail)
    .bind(verification_id)
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// A press of a button, or an id typed after a command, that named something the person may
    /// not touch: recorded as refused, with the person who tried as the actor and what they
    /// tried (`resend`, `remove user=5`, …) as the detail.
    pub async fn record_refused(
        &self,
        actor: i64,
        detail: &str,
        verification_id: Option<i64>,
        now: i64,
    ) -> Result<(), StoreError> {
        let entry = Entry {
            actor: Some(actor),
            action: "refused",
            verification_id,
            detail: Some(detail),
            ..Default::default()
        };
        let mut conn = self.pool.acquire().await?;
        record(&mut conn, entry, now).await?;
        Ok(())
    }
}
