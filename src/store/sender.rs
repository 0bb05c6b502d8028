//! The business's own channel (`SENDER_USERNAME`): the problems the Gateway reported with it and
//! whether the admins were told, so that they hear about a problem once, not once per send.

use super::core::{Store, StoreError, with_db};
use crate::gateway::ApiError;

/// Why the Gateway would not send a code from the configured channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenderProblem {
    /// `SENDER_USERNAME_INVALID`: the Gateway does not accept the username as a sender.
    UsernameInvalid,
    /// `SENDER_NOT_VERIFIED`: the channel is not verified by Telegram.
    NotVerified,
    /// `SENDER_NOT_OWNED`: the channel does not belong to the account that owns the Gateway token.
    NotOwned,
}

impl SenderProblem {
    /// The problem a Gateway error names, if it is one of these.
    pub fn of(error: &ApiError) -> Option<SenderProblem> {
        match error {
            ApiError::SenderUsernameInvalid => Some(SenderProblem::UsernameInvalid),
            ApiError::SenderNotVerified => Some(SenderProblem::NotVerified),
            ApiError::SenderNotOwned => Some(SenderProblem::NotOwned),
            _ => None,
        }
    }

    /// The Gateway's error string, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            SenderProblem::UsernameInvalid => "SENDER_USERNAME_INVALID",
            SenderProblem::NotVerified => "SENDER_NOT_VERIFIED",
            SenderProblem::NotOwned => "SENDER_NOT_OWNED",
        }
    }
}

/// A problem with the channel that every admin should hear about now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderAlert {
    pub problem: SenderProblem,
    /// The configured `SENDER_USERNAME`, without the `@`.
    pub username: String,
}

impl Store {
    /// Records that the Gateway refused to send from `username` for `problem`. Returns an alert
    /// unless the admins were already told about this problem with this channel and no send
    /// reserved since then has gone out (one that did means the channel worked again, so this
    /// is a new break).
    ///
    /// Only this path, which runs when a send fails, writes: a successful send re-arms the alert
    /// without a statement of its own, since the condition reads its verification row
    /// (`sent_at`, from a send reserved after `after_id`). One statement, so two processes
    /// meeting the problem at once raise one alert, and a restart changes nothing.
    pub async fn observe_sender_problem(
        &self,
        problem: SenderProblem,
        username: &str,
        now: i64,
    ) -> Result<Option<SenderAlert>, StoreError> {
        let done = with_db!(self, db => sqlx::query(
            "UPDATE sender_alert SET problem = $1, username = $2, alerted_at = $3, \
             after_id = (SELECT COALESCE(MAX(id), 0) FROM verifications) \
             WHERE id = 1 AND (problem IS DISTINCT FROM $1 OR username IS DISTINCT FROM $2 \
             OR EXISTS (SELECT 1 FROM verifications v \
                 WHERE v.id > sender_alert.after_id AND v.sent_at IS NOT NULL))",
        )
        .bind(problem.as_str())
        .bind(username)
        .bind(now)
        .execute(db)
        .await
        .map(|done| done.rows_affected()))?;
        Ok((done == 1).then(|| SenderAlert {
            problem,
            username: username.to_owned(),
        }))
    }
}
