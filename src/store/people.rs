//! Staff, admins and the one-time links that grant access.

use sqlx::FromRow;

use super::audit::{AuditLog, Entry};
use super::core::{Contention, Role, Serialized, Store, StoreError, with_db};
use super::verifications::COLUMNS;
use super::verifications::Verification;

/// A person joining through a link.
#[derive(Debug, Clone)]
pub struct Member<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub username: Option<&'a str>,
}

/// What opening a one-time link did.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// Access granted; `inviter` is the admin who made the link (none for the owner link).
    Joined {
        role: Role,
        inviter: Option<i64>,
    },
    Used,
    Expired,
    /// The person who made the link lost their access (or revoked it) before it was used.
    Revoked,
    Unknown,
}

/// What removing someone did.
#[derive(Debug, Default)]
pub struct Removal {
    /// Whether they had access (a second removal does nothing).
    pub removed: bool,
    /// How many of their unused links stopped working.
    pub invites_revoked: u64,
    /// Their verifications that were open, now cancelled (their codes are to be revoked).
    pub cancelled: Vec<Verification>,
}

/// A stored staff member (or admin), for `/staff`.
#[derive(Debug, Clone)]
pub struct StaffMember {
    pub user_id: i64,
    pub role: Role,
    pub name: String,
    pub username: Option<String>,
    pub added_at: i64,
    pub added_by: Option<i64>,
    pub added_by_name: Option<String>,
}

#[derive(FromRow)]
struct StaffRow {
    user_id: i64,
    #[sqlx(try_from = "String")]
    role: Role,
    name: String,
    username: Option<String>,
    added_at: i64,
    added_by: Option<i64>,
    added_by_name: Option<String>,
}

#[derive(FromRow)]
struct InviteRow {
    #[sqlx(try_from = "String")]
    role: Role,
    created_by: Option<i64>,
    expires_at: Option<i64>,
    used_at: Option<i64>,
    revoked_at: Option<i64>,
    /// The link's maker has lost their access.
    creator_removed: bool,
}

impl Store {
    /// The role of a user who has not been removed, if any.
    pub async fn role_of(&self, user_id: i64) -> Result<Option<Role>, StoreError> {
        let role: Option<String> = with_db!(self, db => sqlx::query_scalar("SELECT role FROM staff WHERE user_id = $1 AND removed_at IS NULL")
                .bind(user_id)
                .fetch_optional(db)
                .await)?;
        role.map(|stored| Role::try_from(stored).map_err(|err| StoreError::corrupt("role", err)))
            .transpose()
    }

    /// Whether any admin is stored.
    pub async fn has_admin(&self) -> Result<bool, StoreError> {
        Ok(!self.stored_admins().await?.is_empty())
    }

    /// The user ids of stored admins (those from `ADMIN_IDS` are not stored).
    pub async fn stored_admins(&self) -> Result<Vec<i64>, StoreError> {
        Ok(with_db!(self, db => sqlx::query_scalar(
            "SELECT user_id FROM staff WHERE role = 'admin' AND removed_at IS NULL ORDER BY user_id",
        )
        .fetch_all(db)
        .await)?)
    }

    /// Everyone stored who has access, admins first, then by name.
    pub async fn list_staff(&self) -> Result<Vec<StaffMember>, StoreError> {
        let rows: Vec<StaffRow> = with_db!(self, db => sqlx::query_as(
            "SELECT s.user_id, s.role, s.name, s.username, s.added_at, s.added_by, \
                    a.name AS added_by_name \
             FROM staff s LEFT JOIN staff a ON a.user_id = s.added_by \
             WHERE s.removed_at IS NULL ORDER BY s.role = 'admin' DESC, s.name, s.user_id",
        )
        .fetch_all(db)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|row| StaffMember {
                user_id: row.user_id,
                role: row.role,
                name: row.name,
                username: row.username,
                added_at: row.added_at,
                added_by: row.added_by,
                added_by_name: row.added_by_name,
            })
            .collect())
    }

    /// A person's name as stored (also after removal), for messages about them.
    pub async fn staff_name(&self, user_id: i64) -> Result<Option<String>, StoreError> {
        Ok(
            with_db!(self, db => sqlx::query_scalar("SELECT name FROM staff WHERE user_id = $1")
                .bind(user_id)
                .fetch_optional(db)
                .await)?,
        )
    }

    /// Takes access away at once, and with it everything the person holds: the links they made
    /// that nobody used stop working (invites and `/qr` links), their questions' buttons too,
    /// and their open verifications are cancelled (the audit log names `by`). Their history
    /// stays. One transaction.
    pub async fn remove_staff(
        &self,
        user_id: i64,
        by: i64,
        now: i64,
    ) -> Result<Removal, StoreError> {
        with_db!(self, db => {
            let mut tx = db.begin_serialized(Contention::Removal { person: user_id }).await?;
            let done = sqlx::query(
                "UPDATE staff SET removed_at = $1, removed_by = $2 WHERE user_id = $3 AND removed_at IS NULL",
            )
            .bind(now)
            .bind(by)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
            let removed = done.rows_affected() == 1;
            if removed {
                let detail = format!("user={user_id}");
                let entry = Entry {
                    actor: Some(by),
                    action: "staff_removed",
                    detail: Some(&detail),
                    ..Default::default()
                };
                tx.audit(entry, now).await?;
            }
            if !removed {
                return Ok(Removal::default());
            }
            let invites_revoked = sqlx::query(
                "UPDATE invites SET revoked_at = $1 \
                 WHERE created_by = $2 AND used_at IS NULL AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            // Their `/qr` links stop working (a customer opening one hears it has expired), and
            // their questions' buttons with them.
            sqlx::query(
                "UPDATE contact_links SET expires_at = $1 \
                 WHERE staff_user_id = $2 AND used_at IS NULL AND expires_at > $3",
            )
            .bind(now)
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE send_questions SET answered_at = $1, answer = 'cancel' \
                 WHERE staff_user_id = $2 AND answered_at IS NULL",
            )
            .bind(now)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
            let cancelled: Vec<Verification> = sqlx::query_as(&format!(
                "UPDATE verifications SET status = 'cancelled', error = 'access_removed', \
                 closed_at = $1 WHERE staff_user_id = $2 AND status IN ('sending', 'pending') \
                 RETURNING {COLUMNS}"
            ))
            .bind(now)
            .bind(user_id)
            .fetch_all(&mut *tx)
            .await?;
            for row in &cancelled {
                let reason = Some("access_removed");
                tx.audit_for(row.id, by, "cancel", None, reason, now).await?;
            }
            tx.commit().await?;
            Ok(Removal {
                removed,
                invites_revoked,
                cancelled,
            })
        })
    }

    /// Whether a person without access who wrote in a group may be answered now: at most once
    /// a day each. Claims the answer atomically (one statement), across processes too.
    pub async fn claim_stranger_reply(&self, user_id: i64, now: i64) -> Result<bool, StoreError> {
        let claimed: Option<i64> = with_db!(self, db => sqlx::query_scalar(
            "INSERT INTO stranger_replies (user_id, replied_at) VALUES ($1, $2) \
             ON CONFLICT (user_id) DO UPDATE SET replied_at = excluded.replied_at \
             WHERE stranger_replies.replied_at <= excluded.replied_at - 86400 \
             RETURNING user_id",
        )
        .bind(user_id)
        .bind(now)
        .fetch_optional(db)
        .await)?;
        Ok(claimed.is_some())
    }

    /// Replaces any unused owner link by a new one (only its hash is stored), unless another
    /// process made one at or after `fresh_since` (replicas starting together print one link,
    /// not one each that cancel each other out). Returns whether this one is the link now.
    pub async fn replace_owner_invite(
        &self,
        token_hash: &str,
        fresh_since: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        with_db!(self, db => {
            let mut tx = db.begin_serialized(Contention::Access).await?;
            let fresh: Option<i64> = sqlx::query_scalar(
                "SELECT created_at FROM invites \
                 WHERE created_by IS NULL AND used_at IS NULL AND created_at >= $1",
            )
            .bind(fresh_since)
            .fetch_optional(&mut *tx)
            .await?;
            if fresh.is_some() {
                return Ok(false);
            }
            sqlx::query("DELETE FROM invites WHERE created_by IS NULL AND used_at IS NULL")
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO invites (token_hash, role, created_at, created_by, expires_at) \
                 VALUES ($1, 'admin', $2, NULL, NULL)",
            )
            .bind(token_hash)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Stores an admin's `/invite` link (only its hash), valid until `expires_at`.
    pub async fn create_invite(
        &self,
        token_hash: &str,
        role: Role,
        admin: i64,
        expires_at: i64,
        now: i64,
    ) -> Result<(), StoreError> {
        with_db!(self, db => {
            let mut tx = db.begin().await?;
            sqlx::query(
                "INSERT INTO invites (token_hash, role, created_at, created_by, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(token_hash)
            .bind(role.as_str())
            .bind(now)
            .bind(admin)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
            let detail = format!("role={}", role.as_str());
            let entry = Entry {
                actor: Some(admin),
                action: "invite_created",
                detail: Some(&detail),
                ..Default::default()
            };
            tx.audit(entry, now).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Uses a link once: marks it used and stores the person with the link's role, atomically.
    pub async fn claim_invite(
        &self,
        token_hash: &str,
        member: &Member<'_>,
        now: i64,
    ) -> Result<Claim, StoreError> {
        with_db!(self, db => {
            let mut tx = db.begin_serialized(Contention::Access).await?;
            let found: Option<InviteRow> = sqlx::query_as(
                "SELECT i.role, i.created_by, i.expires_at, i.used_at, i.revoked_at, \
                        (s.removed_at IS NOT NULL) AS creator_removed \
                 FROM invites i LEFT JOIN staff s ON s.user_id = i.created_by \
                 WHERE i.token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(&mut *tx)
            .await?;
            let (role, inviter) = match found {
                None => return Ok(Claim::Unknown),
                Some(InviteRow {
                    used_at: Some(_), ..
                }) => return Ok(Claim::Used),
                Some(InviteRow {
                    revoked_at: Some(_),
                    ..
                })
                | Some(InviteRow {
                    creator_removed: true,
                    ..
                }) => return Ok(Claim::Revoked),
                Some(InviteRow {
                    expires_at: Some(expires_at),
                    ..
                }) if expires_at <= now => return Ok(Claim::Expired),
                Some(InviteRow {
                    role, created_by, ..
                }) => (role, created_by),
            };
            sqlx::query("UPDATE invites SET used_at = $1, used_by = $2 WHERE token_hash = $3")
                .bind(now)
                .bind(member.user_id)
                .bind(token_hash)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO staff (user_id, role, name, username, added_at, added_by) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (user_id) DO UPDATE SET role = excluded.role, name = excluded.name, \
                 username = excluded.username, added_at = excluded.added_at, \
                 added_by = excluded.added_by, removed_at = NULL, removed_by = NULL",
            )
            .bind(member.user_id)
            .bind(role.as_str())
            .bind(member.name)
            .bind(member.username)
            .bind(now)
            .bind(inviter)
            .execute(&mut *tx)
            .await?;
            let detail = format!(
                "role={} via={}",
                role.as_str(),
                if inviter.is_some() {
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
            tx.audit(entry, now).await?;
            tx.commit().await?;
            Ok(Claim::Joined { role, inviter })
        })
    }
}
