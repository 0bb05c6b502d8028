//! What the bot knows of customers: a number's last verification and consent (`/lookup`,
//! "verified once is verified"), the questions asked before spending, and the one-time links
//! of the free check at the counter, answered with the customer's own contact.

use sqlx::FromRow;

use super::audit::{AuditLog, Entry};
use super::core::{Store, StoreError, with_db};
use super::limits::counted;
use super::questions::{QUESTION_TTL, Question};
use super::verifications::{COLUMNS, COLUMNS_V, Verification};
use crate::phone::PhoneNumber;

/// A verification with the stored name of the staff member it names.
#[derive(Debug, Clone, FromRow)]
pub struct Verified {
    #[sqlx(flatten)]
    pub verification: Verification,
    pub staff_name: Option<String>,
}

/// A recorded consent: who confirmed the customer agreed, and when.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Consent {
    pub consent_by: i64,
    pub consent_by_name: Option<String>,
    pub consent_at: i64,
}

/// Everything `/lookup` shows about a number.
#[derive(Debug, Clone)]
pub struct Lookup {
    /// Any verification at all, in any state.
    pub seen: bool,
    pub last_verified: Option<Verified>,
    pub consent: Option<Consent>,
    pub open: Option<Verified>,
    /// Sends that count against the number's limit, in the current window.
    pub sends_in_window: i64,
}

/// A one-time link of the free check at the counter, as stored.
#[derive(Debug, Clone, FromRow)]
pub struct ContactLink {
    pub chat_id: i64,
    pub staff_user_id: i64,
    /// The number staff meant (E.164), when the link replaced a code to it: see
    /// [`ContactLink::meant`].
    phone: Option<String>,
    pub expires_at: i64,
    pub opened_by: Option<i64>,
    pub used_at: Option<i64>,
}

impl ContactLink {
    /// The number staff meant, if any.
    pub fn meant(&self) -> Option<PhoneNumber> {
        self.phone
            .as_deref()
            .and_then(|e164| PhoneNumber::from_e164(e164).ok())
    }
}

/// What opening a link with `/start` found.
#[derive(Debug, Clone)]
pub enum LinkOpening {
    /// The link is this customer's to answer (opened now, or again by the same person).
    Opened(ContactLink),
    /// This customer shared their number through it already: they are done.
    Shared,
    /// Used already by someone else, or opened first by someone else.
    Used,
    Expired,
    /// No such link.
    Unknown,
}

/// What a shared contact did.
#[derive(Debug)]
pub struct Accepted {
    /// The new verification (`method = contact`, cost 0).
    pub verification: Verification,
    /// The link that was answered.
    pub link: ContactLink,
    /// Codes to the same number that were waiting to be typed: cancelled, to be revoked.
    pub cancelled: Vec<Verification>,
}

const LINK_COLUMNS: &str = "chat_id, staff_user_id, phone, expires_at, opened_by, used_at";

impl Store {
    /// The number's latest successful verification, if it was at or after `since`.
    pub async fn verified_since(
        &self,
        phone: &str,
        since: i64,
    ) -> Result<Option<Verified>, StoreError> {
        let last = self.last_verified(phone).await?;
        Ok(last.filter(|v| v.verification.closed_at.is_some_and(|at| at >= since)))
    }

    async fn last_verified(&self, phone: &str) -> Result<Option<Verified>, StoreError> {
        Ok(with_db!(self, db => sqlx::query_as(&format!(
            "SELECT {COLUMNS_V}, s.name AS staff_name FROM verifications v \
             LEFT JOIN staff s ON s.user_id = v.staff_user_id \
             WHERE v.phone = $1 AND v.status = 'verified' AND v.closed_at IS NOT NULL \
             ORDER BY v.closed_at DESC LIMIT 1"
        ))
        .bind(phone)
        .fetch_optional(db)
        .await)?)
    }

    /// What the bot knows of a number (`/lookup`). `window_start`: the start of the limit's
    /// current window (Unix seconds).
    pub async fn lookup(&self, phone: &str, window_start: i64) -> Result<Lookup, StoreError> {
        let last_verified = self.last_verified(phone).await?;
        let consent: Option<Consent> = with_db!(self, db => sqlx::query_as(
            "SELECT v.consent_by, s.name AS consent_by_name, v.consent_at \
             FROM verifications v LEFT JOIN staff s ON s.user_id = v.consent_by \
             WHERE v.phone = $1 AND v.consent_at IS NOT NULL ORDER BY v.consent_at DESC LIMIT 1",
        )
        .bind(phone)
        .fetch_optional(db)
        .await)?;
        let open: Option<Verified> = with_db!(self, db => sqlx::query_as(&format!(
            "SELECT {COLUMNS_V}, s.name AS staff_name FROM verifications v \
             LEFT JOIN staff s ON s.user_id = v.staff_user_id \
             WHERE v.phone = $1 AND v.status IN ('sending', 'pending')"
        ))
        .bind(phone)
        .fetch_optional(db)
        .await)?;
        let counted = counted();
        let (seen, sends_in_window): (i64, i64) = with_db!(self, db => sqlx::query_as(&format!(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN created_at > $2 AND {counted} AND id > \
                 COALESCE((SELECT after_id FROM phone_resets WHERE phone = $1), 0) \
                 THEN 1 ELSE 0 END), 0) \
             FROM verifications WHERE phone = $1"
        ))
        .bind(phone)
        .bind(window_start)
        .fetch_one(db)
        .await)?;
        Ok(Lookup {
            seen: seen > 0,
            last_verified,
            consent,
            open,
            sends_in_window,
        })
    }

    /// Asks a question before spending on `phone` for a staff member in a chat; returns its id.
    /// `consent`: it is the consent question (its "Yes, send" may answer it).
    pub async fn ask(
        &self,
        chat_id: i64,
        staff_user_id: i64,
        phone: &PhoneNumber,
        consent: bool,
        now: i64,
    ) -> Result<i64, StoreError> {
        Ok(with_db!(self, db => sqlx::query_scalar(
            "INSERT INTO send_questions (chat_id, staff_user_id, phone, asked_at, \
             consent_asked_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(chat_id)
        .bind(staff_user_id)
        .bind(phone.e164())
        .bind(now)
        .bind(consent.then_some(now))
        .fetch_one(db)
        .await)?)
    }

    /// The consent question follows an open question ("Send a new code anyway" with
    /// `CONFIRM_CONSENT`): from now on its "Yes, send" may answer it. `false` when it was
    /// answered already or has expired (a compare-and-set).
    pub async fn ask_consent(&self, id: i64, now: i64) -> Result<bool, StoreError> {
        let done = with_db!(self, db => sqlx::query(
            "UPDATE send_questions SET consent_asked_at = COALESCE(consent_asked_at, $1) \
             WHERE id = $2 AND answered_at IS NULL AND asked_at > $3",
        )
        .bind(now)
        .bind(id)
        .bind(now - QUESTION_TTL)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    pub async fn question(&self, id: i64) -> Result<Option<Question>, StoreError> {
        Ok(with_db!(self, db => sqlx::query_as(
            "SELECT id, chat_id, staff_user_id, phone, asked_at, answered_at, consent_asked_at \
             FROM send_questions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(db)
        .await)?)
    }

    /// Answers a question with "cancel", once: `false` when it was answered already or has
    /// expired.
    pub async fn cancel_question(&self, id: i64, now: i64) -> Result<bool, StoreError> {
        let done = with_db!(self, db => sqlx::query(
            "UPDATE send_questions SET answered_at = $1, answer = 'cancel' \
             WHERE id = $2 AND answered_at IS NULL AND asked_at > $3",
        )
        .bind(now)
        .bind(id)
        .bind(now - QUESTION_TTL)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// Stores a new one-time link of the free check at the counter (its token's hash).
    pub async fn create_contact_link(
        &self,
        token_hash: &str,
        chat_id: i64,
        staff_user_id: i64,
        phone: Option<&PhoneNumber>,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        with_db!(self, db => sqlx::query(
            "INSERT INTO contact_links (token_hash, chat_id, staff_user_id, phone, created_at, \
             expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash)
        .bind(chat_id)
        .bind(staff_user_id)
        .bind(phone.map(PhoneNumber::e164))
        .bind(now)
        .bind(expires_at)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// A customer opens a link: the first person to open it is the only one who may answer it
    /// (a compare-and-set on `opened_by`).
    pub async fn open_contact_link(
        &self,
        token_hash: &str,
        customer: i64,
        now: i64,
    ) -> Result<LinkOpening, StoreError> {
        let opened: Option<ContactLink> = with_db!(self, db => sqlx::query_as(&format!(
            "UPDATE contact_links SET opened_by = $1, opened_at = $2 \
             WHERE token_hash = $3 AND opened_by IS NULL AND used_at IS NULL AND expires_at > $4 \
             RETURNING {LINK_COLUMNS}"
        ))
        .bind(customer)
        .bind(now)
        .bind(token_hash)
        .bind(now)
        .fetch_optional(db)
        .await)?;
        if let Some(link) = opened {
            return Ok(LinkOpening::Opened(link));
        }
        let stored: Option<ContactLink> = with_db!(self, db => sqlx::query_as(&format!(
            "SELECT {LINK_COLUMNS} FROM contact_links WHERE token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(db)
        .await)?;
        Ok(match stored {
            None => LinkOpening::Unknown,
            Some(link) if link.used_at.is_some() && link.opened_by == Some(customer) => {
                LinkOpening::Shared
            }
            Some(link) if link.used_at.is_some() => LinkOpening::Used,
            Some(link) if link.expires_at <= now => LinkOpening::Expired,
            Some(link) if link.opened_by.is_some_and(|by| by != customer) => LinkOpening::Used,
            Some(link) => LinkOpening::Opened(link),
        })
    }

    /// The latest link this customer opened and has not answered (expired or not), with its
    /// token's hash.
    pub async fn opened_link(
        &self,
        customer: i64,
    ) -> Result<Option<(String, ContactLink)>, StoreError> {
        #[derive(FromRow)]
        struct Row {
            token_hash: String,
            #[sqlx(flatten)]
            link: ContactLink,
        }
        let row: Option<Row> = with_db!(self, db => sqlx::query_as(&format!(
            "SELECT token_hash, {LINK_COLUMNS} FROM contact_links \
             WHERE opened_by = $1 AND used_at IS NULL ORDER BY created_at DESC LIMIT 1"
        ))
        .bind(customer)
        .fetch_optional(db)
        .await)?;
        Ok(row.map(|row| (row.token_hash, row.link)))
    }

    /// The customer shared their own contact through the link: the number is verified, free
    /// (a `contact` verification for the link's staff member and chat, cost 0), and codes to it
    /// still waiting to be typed are cancelled. All or nothing, once per link: `None` when the
    /// link was used meanwhile, has expired, or is not this customer's.
    pub async fn accept_contact(
        &self,
        token_hash: &str,
        customer: i64,
        phone: &PhoneNumber,
        now: i64,
    ) -> Result<Option<Accepted>, StoreError> {
        with_db!(self, db => {
            let mut tx = db.begin().await?;
            let link: Option<ContactLink> = sqlx::query_as(&format!(
                "UPDATE contact_links SET used_at = $1 WHERE token_hash = $2 AND opened_by = $3 \
                 AND used_at IS NULL AND expires_at > $4 RETURNING {LINK_COLUMNS}"
            ))
            .bind(now)
            .bind(token_hash)
            .bind(customer)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(link) = link else {
                return Ok(None);
            };
            let verification: Verification = sqlx::query_as(&format!(
                "INSERT INTO verifications (chat_id, staff_user_id, phone, status, code_length, \
                 ttl, request_cost, created_at, checked_at, closed_at, method) \
                 VALUES ($1, $2, $3, 'verified', 0, 0, 0.0, $4, $5, $6, 'contact') \
                 RETURNING {COLUMNS}"
            ))
            .bind(link.chat_id)
            .bind(link.staff_user_id)
            .bind(phone.e164())
            .bind(now)
            .bind(now)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query("UPDATE contact_links SET verification_id = $1 WHERE token_hash = $2")
                .bind(verification.id)
                .bind(token_hash)
                .execute(&mut *tx)
                .await?;
            let detail = format!("link of staff {}", link.staff_user_id);
            let entry = Entry {
                actor: Some(customer),
                action: "contact_share",
                verification_id: Some(verification.id),
                phone: Some(phone.e164()),
                cost: Some(0.0),
                detail: Some(&detail),
            };
            tx.audit(entry, now).await?;
            // `IN` repeats the partial index's condition (see `fail_abandoned_sends`).
            let cancelled: Vec<Verification> = sqlx::query_as(&format!(
                "UPDATE verifications SET status = 'cancelled', error = 'verified_by_contact', \
                 closed_at = $1 WHERE phone = $2 AND status IN ('sending', 'pending') \
                 AND status = 'pending' RETURNING {COLUMNS}"
            ))
            .bind(now)
            .bind(phone.e164())
            .fetch_all(&mut *tx)
            .await?;
            for v in &cancelled {
                let actor = link.staff_user_id;
                tx.audit_for(v.id, actor, "cancel", None, Some("verified_by_contact"), now)
                    .await?;
            }
            tx.commit().await?;
            Ok(Some(Accepted { verification, link, cancelled }))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Method;
    use crate::testing::store;

    const NOW: i64 = 1_795_788_300;
    const PHONE: &str = "+447911123456";

    fn phone() -> PhoneNumber {
        PhoneNumber::from_e164(PHONE).unwrap()
    }

    #[tokio::test]
    async fn a_contact_share_is_one_free_verification_counted_in_the_reports() {
        let (_database, store) = store().await;
        store
            .create_contact_link("h", -100, 7, Some(&phone()), NOW, NOW + 600)
            .await
            .unwrap();
        let opened = store.open_contact_link("h", 55, NOW + 1).await.unwrap();
        assert!(matches!(opened, LinkOpening::Opened(_)), "{opened:?}");
        let taken = store.open_contact_link("h", 56, NOW + 1).await.unwrap();
        assert!(matches!(taken, LinkOpening::Used), "{taken:?}");
        // Only the first opener, once.
        assert!(
            store
                .accept_contact("h", 56, &phone(), NOW + 2)
                .await
                .unwrap()
                .is_none()
        );
        let accepted = store
            .accept_contact("h", 55, &phone(), NOW + 2)
            .await
            .unwrap();
        let accepted = accepted.expect("the opener's own contact is accepted");
        assert_eq!(accepted.link.meant().unwrap().e164(), PHONE);
        assert_eq!(accepted.verification.method, Method::Contact);
        assert_eq!(accepted.verification.request_cost, Some(0.0));
        assert!(
            store
                .accept_contact("h", 55, &phone(), NOW + 3)
                .await
                .unwrap()
                .is_none()
        );
        // Scanned again: the customer who shared is done; anyone else finds it used.
        let again = store.open_contact_link("h", 55, NOW + 4).await.unwrap();
        assert!(matches!(again, LinkOpening::Shared), "{again:?}");
        let other = store.open_contact_link("h", 56, NOW + 4).await.unwrap();
        assert!(matches!(other, LinkOpening::Used), "{other:?}");

        // Counted as a number verified, not as a code sent.
        let days = store
            .daily_activity(1, NOW + 3, &jiff::tz::TimeZone::UTC)
            .await
            .unwrap();
        assert_eq!((days[0].1, days[0].2), (0, 1));
        let stats = store.period_stats(NOW - 10, None).await.unwrap();
        assert_eq!((stats.sent, stats.verified, stats.by_contact), (0, 0, 1));
        let last = store.verified_since(PHONE, NOW).await.unwrap().unwrap();
        assert_eq!(last.verification.id, accepted.verification.id);
        assert!(
            store
                .verified_since(PHONE, NOW + 5)
                .await
                .unwrap()
                .is_none()
        );
        let found = store.lookup(PHONE, NOW - 600).await.unwrap();
        assert!(found.seen && found.open.is_none());
        assert_eq!(found.sends_in_window, 0, "a contact share is not a send");
    }

    #[tokio::test]
    async fn an_expired_link_opens_as_expired_and_answers_nothing() {
        let (_database, store) = store().await;
        store
            .create_contact_link("h", 1, 7, None, NOW, NOW + 600)
            .await
            .unwrap();
        let late = store.open_contact_link("h", 55, NOW + 600).await.unwrap();
        assert!(matches!(late, LinkOpening::Expired), "{late:?}");
        let unknown = store.open_contact_link("nope", 55, NOW).await.unwrap();
        assert!(matches!(unknown, LinkOpening::Unknown), "{unknown:?}");
        assert!(
            store
                .accept_contact("h", 55, &phone(), NOW + 1)
                .await
                .unwrap()
                .is_none()
        );
    }
}
