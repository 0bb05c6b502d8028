//! The append-only audit log: who did what, to which verification, at what cost.
//! The database refuses updates and deletes of its rows (see the migration's triggers), and
//! writes the rows of sends and code checks itself (migration `audit_in_database`); the other
//! actions are recorded from here.

use super::core::{Store, StoreError, on_each_connection, with_db};

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

/// Audit rows written on the connection of the transaction that makes the change they record.
pub(super) trait AuditLog {
    async fn audit(&mut self, entry: Entry<'_>, now: i64) -> Result<(), sqlx::Error>;

    /// Records an action by `actor` (the person who pressed or typed, not the row's owner)
    /// about a stored verification, taking the phone from its row.
    async fn audit_for(
        &mut self,
        verification_id: i64,
        actor: i64,
        action: &str,
        cost: Option<f64>,
        detail: Option<&str>,
        now: i64,
    ) -> Result<(), sqlx::Error>;
}

on_each_connection! {
    impl AuditLog {
        async fn audit(&mut self, entry: Entry<'_>, now: i64) -> Result<(), sqlx::Error> {
            sqlx::query(
                "INSERT INTO audit_log (at, actor, action, verification_id, phone, cost, detail) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(now)
            .bind(entry.actor)
            .bind(entry.action)
            .bind(entry.verification_id)
            .bind(entry.phone)
            .bind(entry.cost)
            .bind(entry.detail)
            .execute(self)
            .await?;
            Ok(())
        }

        async fn audit_for(
            &mut self,
            verification_id: i64,
            actor: i64,
            action: &str,
            cost: Option<f64>,
            detail: Option<&str>,
            now: i64,
        ) -> Result<(), sqlx::Error> {
            sqlx::query(
                "INSERT INTO audit_log (at, actor, action, verification_id, phone, cost, detail) \
                 SELECT $1, $2, $3, id, phone, $4, $5 FROM verifications WHERE id = $6",
            )
            .bind(now)
            .bind(actor)
            .bind(action)
            .bind(cost)
            .bind(detail)
            .bind(verification_id)
            .execute(self)
            .await?;
            Ok(())
        }
    }
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
        with_db!(self, db => db.acquire().await?.audit(entry, now).await)?;
        Ok(())
    }
}
