//! A question the bot asks before spending ("verified 3 days ago: send a new code anyway?",
//! "has the customer agreed?"), as stored, and how long its buttons work. Its own module because
//! two others use it: [`super::customers`] asks and cancels it, and [`super::verifications`]
//! answers it in the transaction that reserves the send.

use sqlx::FromRow;

use crate::phone::PhoneNumber;

/// How long a question's buttons work (seconds): long enough to ask the customer, short
/// enough that a yes from yesterday does not spend today.
pub const QUESTION_TTL: i64 = 3600;

/// A question the bot asked before spending, answered by its buttons.
#[derive(Debug, Clone, FromRow)]
pub struct Question {
    pub id: i64,
    pub chat_id: i64,
    pub staff_user_id: i64,
    #[sqlx(try_from = "String")]
    pub phone: PhoneNumber,
    pub asked_at: i64,
    pub answered_at: Option<i64>,
    /// When the bot showed the consent question ("Yes, send") under it, if it did: set once,
    /// never cleared.
    pub consent_asked_at: Option<i64>,
}

impl Question {
    /// Whether its buttons still do something.
    pub fn is_open(&self, now: i64) -> bool {
        self.answered_at.is_none() && self.asked_at > now - QUESTION_TTL
    }

    /// Whether "Yes, send" may answer it: the consent question was shown for it. (Never
    /// cleared once set, so what was read still holds when the reserving transaction answers
    /// the question.)
    pub fn consent_asked(&self) -> bool {
        self.consent_asked_at.is_some()
    }
}
