//! Customers: what the bot asks before it spends on a number, what it knows of a number
//! (`/lookup`), and the free check at the counter. Free of Telegram types, like the flow it
//! sits on ([`crate::verification`]).
//!
//! Before a code is sent: a number verified within `REVERIFY_AFTER_DAYS` is not sent a new
//! one unless staff ask again ("Send a new code anyway"), and with `CONFIRM_CONSENT` staff
//! first confirm the customer agreed. Each question is stored, so its buttons carry an id,
//! answered once, in the transaction that reserves the send. A consent is recorded only as the
//! answer to the consent question: the question row says when that was shown, and a "Yes, send"
//! under any other question (a client can forge any button) is refused and sends nothing.
//!
//! The free check: `/qr` makes a one-time link bound to its staff member and chat. The first
//! customer to open it may answer it, once, before it expires, by sharing their own Telegram
//! contact (`contact.user_id` is theirs): the number is then verified for free (`method =
//! contact`, cost 0). Nothing a customer does reaches the Gateway.

use std::sync::Arc;

use crate::invite;
use crate::phone::PhoneNumber;
use crate::store::{Accepted, LinkOpening, Lookup, Question, Store, StoreError, Verified};
use crate::verification::{Actor, Answer, SendOutcome, Verifier};

/// What the deployment asks of customers.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    /// `REVERIFY_AFTER_DAYS`: a number verified this recently is not sent a code unasked; 0
    /// always sends.
    pub reverify_after_days: u32,
    /// `CONFIRM_CONSENT`: staff confirm the customer agreed before each code.
    pub confirm_consent: bool,
    /// `QR_TTL`: seconds a `/qr` link works.
    pub qr_ttl: u32,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            reverify_after_days: 30,
            confirm_consent: false,
            qr_ttl: 600,
        }
    }
}

/// Customers' side of the bot. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Customers {
    store: Store,
    verifier: Verifier,
    rules: Arc<Rules>,
}

/// What to do before a code is sent to a number.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // one short-lived value per update, never stored
pub enum Before {
    /// Nothing to ask: send.
    Send,
    /// Verified recently: nothing is sent unless staff ask again (`question`).
    Returning { last: Verified, question: i64 },
    /// `CONFIRM_CONSENT`: has the customer agreed?
    AskConsent { question: i64 },
}

/// What a press on a question's button led to.
#[derive(Debug)]
pub enum Pressed {
    /// A send was tried: what came of it.
    Sent(SendOutcome),
    /// "Send a new code anyway" with `CONFIRM_CONSENT`: the consent question comes next.
    AskConsent(Question),
    /// "Cancel": nothing was sent.
    Cancelled(Question),
    /// Answered already, or expired: nothing was done.
    Closed,
    /// Not the presser's question, or not from its chat: nothing was done (audited).
    NotAllowed,
}

/// A contact as a customer sent it.
#[derive(Debug, Clone, Copy)]
pub struct SharedContact<'a> {
    /// The Telegram account the contact names, if any.
    pub user_id: Option<i64>,
    pub number: &'a str,
    /// It was forwarded (it carries `forward_origin`): not the button's answer.
    pub forwarded: bool,
}

/// A new one-time link of the free check at the counter.
#[derive(Debug, Clone)]
pub struct NewLink {
    /// The `/start` token; only its hash is stored.
    pub token: String,
    pub expires_at: i64,
    /// The number staff meant, if any.
    pub meant: Option<PhoneNumber>,
}

/// What a "Show a QR code" press led to.
#[derive(Debug)]
pub enum LinkFor {
    Made(NewLink),
    /// The question it was under was answered, or has expired: no link.
    Closed,
    /// Not the presser's question or verification, or not from its chat (audited).
    NotAllowed,
}

/// What a contact shared by a customer (someone without access) led to.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // one short-lived value per update, never stored
pub enum Shared {
    /// Verified, free; the staff member who made the link is to be told.
    Accepted {
        accepted: Accepted,
        /// The number staff meant, when it is not the one shared.
        other_than_meant: Option<PhoneNumber>,
    },
    /// Someone else's contact (or one without a Telegram account): refused, the link unused.
    NotTheirs,
    /// A forwarded contact card, whoever's it is: only the one the "Send my number"
    /// button sends counts. Refused, the link unused.
    Forwarded,
    /// The link they opened has expired.
    Expired,
    /// They opened no link (or it was used already).
    NoLink,
}

/// A send that answered a question, as the press's outcome.
fn pressed(outcome: SendOutcome) -> Pressed {
    match outcome {
        SendOutcome::QuestionClosed => Pressed::Closed,
        outcome => Pressed::Sent(outcome),
    }
}

/// Every `/qr` token starts with this, so `/start` tells it from a staff invite (whose tokens
/// are letters and digits only).
const LINK_PREFIX: &str = "c_";

/// Whether a `/start` payload is a `/qr` link's token (valid or not).
pub fn is_link_token(payload: &str) -> bool {
    payload.starts_with(LINK_PREFIX)
}

impl Customers {
    pub fn new(store: Store, verifier: Verifier, rules: Rules) -> Self {
        Customers {
            store,
            verifier,
            rules: Arc::new(rules),
        }
    }

    /// The flow the customers' rules sit on.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// Decides what `/verify` (or a contact card) does before any money is spent.
    pub async fn before_send(
        &self,
        actor: &Actor,
        phone: &PhoneNumber,
    ) -> Result<Before, StoreError> {
        let now = crate::now();
        if self.rules.reverify_after_days > 0 {
            let since = now - i64::from(self.rules.reverify_after_days) * 86_400;
            if let Some(last) = self.store.verified_since(phone.e164(), since).await? {
                let question = self.ask(actor, phone, false, now).await?;
                return Ok(Before::Returning { last, question });
            }
        }
        if self.rules.confirm_consent {
            let question = self.ask(actor, phone, true, now).await?;
            return Ok(Before::AskConsent { question });
        }
        Ok(Before::Send)
    }

    /// Stores a question; `consent`: it is the consent question, shown with it.
    async fn ask(
        &self,
        actor: &Actor,
        phone: &PhoneNumber,
        consent: bool,
        now: i64,
    ) -> Result<i64, StoreError> {
        self.store
            .ask(actor.chat_id, actor.user_id, phone, consent, now)
            .await
    }

    /// A paid send to `phone` was refused (the budget, the balance, the channel): a question
    /// that carries the number for the free check's button under the refusal
    /// ([`Customers::link_for_question`]). Its other buttons are never shown.
    pub async fn ask_for_qr(&self, actor: &Actor, phone: &PhoneNumber) -> Result<i64, StoreError> {
        self.ask(actor, phone, false, crate::now()).await
    }

    /// The same for the number of question `id` (whose send was refused; the question itself
    /// may be answered by now). `None` when it is not the actor's.
    pub async fn ask_again_for_qr(
        &self,
        id: i64,
        actor: &Actor,
    ) -> Result<Option<i64>, StoreError> {
        match self.store.question(id).await? {
            Some(q) if actor.started(q.staff_user_id, q.chat_id) => {
                Ok(Some(self.ask_for_qr(actor, &q.phone).await?))
            }
            _ => Ok(None),
        }
    }

    /// "Send a new code anyway" under a returning number: sends, or asks for consent first.
    pub async fn send_anyway(&self, id: i64, actor: &Actor) -> Result<Pressed, StoreError> {
        let Some(question) = self.authorised(id, actor, "send_anyway").await? else {
            return Ok(Pressed::NotAllowed);
        };
        if !question.is_open(crate::now()) {
            return Ok(Pressed::Closed);
        }
        if self.rules.confirm_consent {
            // Its "Yes, send" is shown next: from now on it may answer this question.
            if !self.store.ask_consent(id, crate::now()).await? {
                return Ok(Pressed::Closed);
            }
            return Ok(Pressed::AskConsent(question));
        }
        let answer = Answer {
            question: id,
            consent: false,
        };
        Ok(pressed(self.verifier.send_answer(&question, answer).await?))
    }

    /// "Yes, send": the staff member confirms the customer agreed; the consent is stored with
    /// the verification and audited. Only under a question the consent question was shown for:
    /// any other press (a forged button) is refused, audited, and sends nothing.
    pub async fn consent(&self, id: i64, actor: &Actor) -> Result<Pressed, StoreError> {
        let Some(question) = self.authorised(id, actor, "consent").await? else {
            return Ok(Pressed::NotAllowed);
        };
        if !question.consent_asked() {
            let detail = format!("consent question {id}, never asked");
            actor.refused(&self.store, "consent", &detail, None).await?;
            return Ok(Pressed::NotAllowed);
        }
        let answer = Answer {
            question: id,
            consent: true,
        };
        Ok(pressed(self.verifier.send_answer(&question, answer).await?))
    }

    /// "Cancel" under a question: nothing is sent.
    pub async fn drop_question(&self, id: i64, actor: &Actor) -> Result<Pressed, StoreError> {
        let Some(question) = self.authorised(id, actor, "cancel_question").await? else {
            return Ok(Pressed::NotAllowed);
        };
        Ok(match self.store.cancel_question(id, crate::now()).await? {
            true => Pressed::Cancelled(question),
            false => Pressed::Closed,
        })
    }

    /// The question `id` if it is the actor's, asked in this chat; otherwise the attempt is
    /// audited as refused and `None`.
    async fn authorised(
        &self,
        id: i64,
        actor: &Actor,
        action: &str,
    ) -> Result<Option<Question>, StoreError> {
        match self.store.question(id).await? {
            Some(q) if actor.started(q.staff_user_id, q.chat_id) => Ok(Some(q)),
            _ => {
                let detail = format!("{action} question {id}");
                actor.refused(&self.store, action, &detail, None).await?;
                Ok(None)
            }
        }
    }

    /// `/lookup`: what the bot knows of a number.
    pub async fn lookup(&self, phone: &PhoneNumber) -> Result<Lookup, StoreError> {
        let window = self.verifier.policy().limits.phone_window;
        self.store.lookup(phone.e164(), crate::now() - window).await
    }

    /// `/qr`: a new one-time link for the actor; `meant` is the number staff had in mind, if
    /// any (they are told if the customer shares another). The link belongs to the staff
    /// member's private chat, wherever it was asked for: its picture is shown there, and the
    /// customer's answer told there, so a group sees neither the link nor the number.
    pub async fn new_link(
        &self,
        actor: &Actor,
        meant: Option<&PhoneNumber>,
    ) -> Result<NewLink, StoreError> {
        let token = format!("{LINK_PREFIX}{}", invite::new_token());
        let now = crate::now();
        let expires_at = now + i64::from(self.rules.qr_ttl);
        let hash = invite::hash(&token);
        // A private chat's id is its person's id.
        let private_chat = actor.user_id;
        self.store
            .create_contact_link(&hash, private_chat, actor.user_id, meant, now, expires_at)
            .await?;
        tracing::info!(
            staff = actor.user_id,
            asked_in = actor.chat_id,
            "one-time contact link made"
        );
        Ok(NewLink {
            token,
            expires_at,
            meant: meant.cloned(),
        })
    }

    /// "Show a QR code" under a question: a link for the question's number,
    /// while the question is open (its buttons work for an hour, and not once it is answered).
    pub async fn link_for_question(&self, id: i64, actor: &Actor) -> Result<LinkFor, StoreError> {
        let Some(question) = self.authorised(id, actor, "qr").await? else {
            return Ok(LinkFor::NotAllowed);
        };
        if !question.is_open(crate::now()) {
            return Ok(LinkFor::Closed);
        }
        let link = self.new_link(actor, Some(&question.phone)).await?;
        Ok(LinkFor::Made(link))
    }

    /// The same under a code sent: a link for that verification's number (the code stays valid
    /// until the customer shares their contact).
    pub async fn link_for_verification(
        &self,
        id: i64,
        actor: &Actor,
    ) -> Result<LinkFor, StoreError> {
        match self.verifier.authorised_use(id, actor, "qr").await? {
            // A number reduced to its mask (RETENTION_DAYS) names no one: a link for anyone.
            Some(v) => {
                let meant = Some(&v.phone).filter(|phone| !phone.is_reduced());
                Ok(LinkFor::Made(self.new_link(actor, meant).await?))
            }
            None => Ok(LinkFor::NotAllowed),
        }
    }

    /// A customer opens a link (`/start c_…`).
    pub async fn open_link(&self, token: &str, customer: i64) -> Result<LinkOpening, StoreError> {
        let opening = self
            .store
            .open_contact_link(&invite::hash(token), customer, crate::now())
            .await?;
        tracing::info!(
            customer,
            opened = matches!(opening, LinkOpening::Opened(_)),
            "contact link opened"
        );
        Ok(opening)
    }

    /// Whether this person opened a link they may still answer.
    pub async fn has_open_link(&self, customer: i64) -> Result<bool, StoreError> {
        let now = crate::now();
        let link = self.store.opened_link(customer).await?;
        Ok(link.is_some_and(|(_, link)| link.expires_at > now))
    }

    /// A customer shared a contact: accepted only if it is their own (`contact.user_id` is the
    /// sender), sent with the button rather than forwarded, and they opened a link that is still
    /// unused and valid. Codes to the same number that were waiting are cancelled and revoked.
    pub async fn contact_shared(
        &self,
        customer: i64,
        contact: &SharedContact<'_>,
    ) -> Result<Shared, StoreError> {
        let now = crate::now();
        let Some((hash, link)) = self.store.opened_link(customer).await? else {
            return Ok(Shared::NoLink);
        };
        if link.expires_at <= now {
            return Ok(Shared::Expired);
        }
        if contact.forwarded {
            tracing::warn!(customer, "a forwarded contact was refused");
            return Ok(Shared::Forwarded);
        }
        let number = contact.number;
        if contact.user_id != Some(customer) {
            tracing::warn!(
                customer,
                "a shared contact was not the sender's own: refused"
            );
            return Ok(Shared::NotTheirs);
        }
        // Telegram's own contact: international, with or without its `+`.
        let Ok(phone) = PhoneNumber::from_contact(number, None) else {
            tracing::warn!(customer, "a shared contact's number could not be read");
            return Ok(Shared::NotTheirs);
        };
        let Some(accepted) = self
            .store
            .accept_contact(&hash, customer, &phone, now)
            .await?
        else {
            return Ok(Shared::NoLink);
        };
        tracing::info!(
            customer,
            staff = accepted.link.staff_user_id,
            verification = accepted.verification.id,
            phone = %phone.masked(),
            "number verified by contact share, free"
        );
        let staff = accepted.link.staff_user_id;
        self.verifier
            .revoke_cancelled(&accepted.cancelled, staff)
            .await?;
        let other_than_meant = accepted.link.meant().filter(|meant| *meant != phone);
        Ok(Shared::Accepted {
            accepted,
            other_than_meant,
        })
    }
}
