//! Staff, admins and the one-time links that grant access.

use super::audit::{self, Entry};
use super::{Role, Store, StoreError};

/// A person joining through a link.
#[derive(Debug, Clone)]
pub struct Member<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub username: Option<&'a str>,
}

impl Store {
    /// The stored role of a user, if any.
    pub async fn role_of(&self, user_id: i64) -> Result<Option<Role>, StoreError> {
        let role: Option<String> = sqlx::query_scalar("SELECT role FROM staff WHERE user_id = ?")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(role.as_deref().map(Role::parse))
    }

    /// Whether any admin is stored.
    pub async fn has_admin(&self) -> Result<bool, StoreError> {
        Ok(!self.stored_admins().await?.is_empty())
    }

    /// The user ids of stored admins (those from `ADMIN_IDS` are not stored).
    pub async fn stored_admins(&self) -> Result<Vec<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT user_id FROM staff WHERE role = 'admin' ORDER BY user_id")
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// Replaces any unused owner link by a new one (only its hash is stored).
    pub async fn replace_owner_invite(&self, token_hash: &str, now: i64) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM invites WHERE created_by IS NULL AND used_at IS NULL")
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO invites (token_hash, role, created_at, created_by, expires_at) \
             VALUES (?, 'admin', ?, NULL, NULL)",
        )
        .bind(token_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Uses a link once: marks it used and stores the person with the link's role, atomically.
    /// `None` when the link is unknown, used or expired.
    pub async fn claim_invite(
        &self,
        token_hash: &str,
        member: &Member<'_>,
        now: i64,
    ) -> Result<Option<Role>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let claimed: Option<(String, Option<i64>)> = sqlx::query_as(
            "UPDATE invites SET used_at = ?, used_by = ? \
             WHERE token_hash = ? AND used_at IS NULL AND (expires_at IS NULL OR expires_at > ?) \
             RETURNING role, created_by",
        )
        .bind(now)
        .bind(member.user_id)
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((role, created_by)) = claimed else {
            return Ok(None);
        };
        sqlx::query(
            "INSERT INTO staff (user_id, role, name, username, added_at, added_by) \
             VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (user_id) DO UPDATE SET role = excluded.role, name = excluded.name, \
             username = excluded.username",
        )
        .bind(member.user_id)
        .bind(&role)
        .bind(member.name)
        .bind(member.username)
        .bind(now)
        .bind(created_by)
        .execute(&mut *tx)
        .await?;
        let detail = format!(
            "role={role} via={}",
            if created_by.is_some() {
                "invite"
            } else {
                "owner link"
            }
        );
        let entry = Entry {
            actor: Some(member.user_id),
            action: "access_granted",
            detail: Some(&detail),
            ..Default::default()
        };
        audit::record(&mut tx, entry, now).await?;
        tx.commit().await?;
        Ok(Some(Role::parse(&role)))
    }
}
