//! People with access: removing someone, and claiming a one-time invite link. Free of Telegram
//! types, like [`crate::customers`] beside it; the bot turns what comes out into replies and
//! menus.
//!
//! Removing someone takes their access away and everything they hold: their unused links stop
//! working, their open verifications are cancelled and their codes revoked. An admin from
//! `ADMIN_IDS` cannot be removed (the configuration, not the database, gives their access), and
//! nobody removes themselves (so the last admin stays); both refusals are audited.

use std::sync::Arc;

use crate::i18n::Lang;
use crate::invite;
use crate::store::{Claim, Member, Role, StaffMember, Store, StoreError, Verification};
use crate::verification::Verifier;

/// Who has access, and how it is given and taken. Cheap to clone.
#[derive(Clone, Debug)]
pub struct People {
    store: Store,
    verifier: Verifier,
    /// `ADMIN_IDS`: admins by configuration.
    admin_ids: Arc<[u64]>,
    /// `DEFAULT_LANGUAGE`: for an inviter who never wrote to the bot.
    default_lang: Lang,
}

/// What removing someone did.
#[derive(Debug, Clone)]
pub enum Removal {
    /// Their access is gone.
    Removed {
        /// Their name as stored.
        name: String,
        /// They were an admin (their admin menu is to be hidden).
        was_admin: bool,
        /// Their verifications that were open, now cancelled, their codes revoked.
        cancelled: Vec<Verification>,
        /// How many of their unused links stopped working.
        invites_revoked: u64,
    },
    /// An admin from `ADMIN_IDS`: refused (audited).
    ConfiguredAdmin,
    /// The admin asked to remove themselves: refused (audited).
    Themselves,
    /// They have no access (a second removal does nothing).
    NotStaff,
}

/// What opening a one-time invite link did.
#[derive(Debug, Clone, PartialEq)]
pub enum Joined {
    /// Access granted.
    Member {
        role: Role,
        /// The admin who made the link, to be told (none for the owner link).
        inviter: Option<Inviter>,
    },
    /// The link does not work (used, expired, revoked, unknown): nothing was granted.
    Refused(Claim),
}

/// The admin whose link was used, and the language to tell them in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inviter {
    pub user_id: i64,
    pub lang: Lang,
}

impl People {
    pub fn new(store: Store, verifier: Verifier, admin_ids: &[u64], default_lang: Lang) -> Self {
        People {
            store,
            verifier,
            admin_ids: admin_ids.into(),
            default_lang,
        }
    }

    /// The flow the people's rules sit on.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// Everyone with access, admins first.
    pub async fn list(&self) -> Result<Vec<StaffMember>, StoreError> {
        self.store.list_staff().await
    }

    /// `ADMIN_IDS`: the admins the configuration makes (none of them can be removed).
    pub fn admin_ids(&self) -> &[u64] {
        &self.admin_ids
    }

    /// `admin` takes `target`'s access away (see the module's doc).
    pub async fn remove(&self, admin: i64, target: i64) -> Result<Removal, StoreError> {
        let refusal = if self.admin_ids.contains(&(target as u64)) {
            Some(Removal::ConfiguredAdmin)
        } else if target == admin {
            Some(Removal::Themselves)
        } else {
            None
        };
        if let Some(refusal) = refusal {
            let detail = format!("remove user={target}");
            let now = crate::now();
            self.store.record_refused(admin, &detail, None, now).await?;
            return Ok(refusal);
        }
        let was_admin = self.store.role_of(target).await? == Some(Role::Admin);
        let removal = self.store.remove_staff(target, admin, crate::now()).await?;
        if !removal.removed {
            return Ok(Removal::NotStaff);
        }
        let revoked = self
            .verifier
            .revoke_cancelled(&removal.cancelled, admin)
            .await?;
        tracing::info!(
            admin,
            user = target,
            cancelled = removal.cancelled.len(),
            revoked,
            invites = removal.invites_revoked,
            "access removed"
        );
        let name = self.store.staff_name(target).await?.unwrap_or_default();
        Ok(Removal::Removed {
            name,
            was_admin,
            cancelled: removal.cancelled,
            invites_revoked: removal.invites_revoked,
        })
    }

    /// `member` opens the one-time invite link whose token is `token`: it works once.
    pub async fn claim_invite(
        &self,
        token: &str,
        member: &Member<'_>,
    ) -> Result<Joined, StoreError> {
        let claim = self
            .store
            .claim_invite(&invite::hash(token), member, crate::now())
            .await?;
        let Claim::Joined { role, inviter } = claim else {
            tracing::info!(
                user = member.user_id,
                "a one-time link was refused: {claim:?}"
            );
            return Ok(Joined::Refused(claim));
        };
        tracing::info!(
            user = member.user_id,
            role = role.as_str(),
            "one-time link used; it no longer works"
        );
        let inviter = match inviter {
            Some(user_id) => Some(Inviter {
                user_id,
                lang: self.lang_of(user_id).await,
            }),
            None => None,
        };
        Ok(Joined::Member { role, inviter })
    }

    /// The language `user_id` chose or last used, else `DEFAULT_LANGUAGE`.
    async fn lang_of(&self, user_id: i64) -> Lang {
        match self.store.language_of(user_id).await {
            Ok(Some(stored)) => stored.language,
            Ok(None) => self.default_lang,
            Err(err) => {
                tracing::warn!(user = user_id, "cannot read the language: {err}");
                self.default_lang
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::gateway::GatewayClient;
    use crate::verification::Policy;

    const ADMIN: i64 = 1001;
    const BOB: i64 = 5001;

    /// People on a fresh database; the Gateway is never reached (nobody removed here holds a
    /// code).
    async fn people() -> (tempfile::TempDir, Store, People) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("bot.db").display());
        let store = Store::connect(&url).await.unwrap();
        let gateway = GatewayClient::new(
            "http://127.0.0.1:9/".parse().unwrap(),
            String::from("unused").into(),
            Duration::from_secs(1),
        );
        let policy = Policy {
            code_length: 6,
            ttl: 300,
            gateway_timeout: Duration::from_secs(1),
            limits: Default::default(),
            precheck: false,
            low_balance: 0.0,
            sender_username: None,
        };
        let (alerts, _) = tokio::sync::mpsc::unbounded_channel();
        let verifier = Verifier::new(store.clone(), gateway, policy, alerts);
        let people = People::new(store.clone(), verifier, &[ADMIN as u64], Lang::Ru);
        (dir, store, people)
    }

    fn member(user_id: i64, name: &str) -> Member<'_> {
        Member {
            user_id,
            name,
            username: None,
        }
    }

    /// An invite made by `by` for `role`; returns its token.
    async fn invite(store: &Store, by: i64, role: Role) -> String {
        let token = invite::new_token();
        let now = crate::now();
        store
            .create_invite(&invite::hash(&token), role, by, now + 600, now)
            .await
            .unwrap();
        token
    }

    #[tokio::test]
    async fn an_invite_works_once_and_names_its_inviter_in_their_language() {
        let (_dir, store, people) = people().await;
        let token = invite(&store, ADMIN, Role::Staff).await;
        let joined = people
            .claim_invite(&token, &member(BOB, "Bob"))
            .await
            .unwrap();
        let inviter = Some(Inviter {
            user_id: ADMIN,
            lang: Lang::Ru,
        });
        assert_eq!(
            joined,
            Joined::Member {
                role: Role::Staff,
                inviter
            }
        );
        assert_eq!(store.role_of(BOB).await.unwrap(), Some(Role::Staff));
        let again = people
            .claim_invite(&token, &member(5002, "Eve"))
            .await
            .unwrap();
        assert_eq!(again, Joined::Refused(Claim::Used));
        assert_eq!(store.role_of(5002).await.unwrap(), None);
        let unknown = people.claim_invite("nope", &member(5002, "Eve")).await;
        assert_eq!(unknown.unwrap(), Joined::Refused(Claim::Unknown));
    }

    #[tokio::test]
    async fn removing_someone_takes_their_access_and_their_links_once() {
        let (_dir, store, people) = people().await;
        let token = invite(&store, ADMIN, Role::Admin).await;
        people
            .claim_invite(&token, &member(BOB, "Bob"))
            .await
            .unwrap();
        let bobs_link = invite(&store, BOB, Role::Staff).await;

        let removal = people.remove(ADMIN, BOB).await.unwrap();
        assert!(
            matches!(&removal, Removal::Removed { name, was_admin: true, cancelled, invites_revoked: 1 }
                if name == "Bob" && cancelled.is_empty()),
            "{removal:?}"
        );
        assert_eq!(store.role_of(BOB).await.unwrap(), None);
        let again = people.remove(ADMIN, BOB).await.unwrap();
        assert!(matches!(again, Removal::NotStaff), "{again:?}");
        let late = people.claim_invite(&bobs_link, &member(5002, "Eve")).await;
        assert_eq!(late.unwrap(), Joined::Refused(Claim::Revoked));
    }

    #[tokio::test]
    async fn configured_admins_and_oneself_are_not_removed() {
        let (_dir, store, people) = people().await;
        let token = invite(&store, ADMIN, Role::Admin).await;
        people
            .claim_invite(&token, &member(BOB, "Bob"))
            .await
            .unwrap();
        let configured = people.remove(BOB, ADMIN).await.unwrap();
        assert!(
            matches!(configured, Removal::ConfiguredAdmin),
            "{configured:?}"
        );
        let themselves = people.remove(BOB, BOB).await.unwrap();
        assert!(matches!(themselves, Removal::Themselves), "{themselves:?}");
        assert_eq!(store.role_of(BOB).await.unwrap(), Some(Role::Admin));
    }
}
