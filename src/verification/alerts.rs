//! What every admin is told once, whichever process meets it first: a low or empty Gateway
//! balance, a channel the Gateway refuses to send from. The flow notices; the bot tells.

use super::Verifier;
use crate::gateway::RequestStatus;
use crate::now;
use crate::store::{BalanceAlert, SenderAlert, StoreError};

/// Something every admin hears about once, from whichever process meets it first: the
/// database remembers that they were told.
#[derive(Debug, Clone, PartialEq)]
pub enum AdminAlert {
    /// The Gateway balance is low or used up.
    Balance(BalanceAlert),
    /// The Gateway refused to send from the configured channel.
    Sender(SenderAlert),
}

impl Verifier {
    pub(super) async fn observe_balance(&self, status: &RequestStatus) -> Result<(), StoreError> {
        if let Some(remaining) = status.remaining_balance {
            let alert = self
                .store
                .observe_balance(remaining, self.policy.low_balance, now())
                .await?;
            self.alert(alert.map(AdminAlert::Balance));
        }
        Ok(())
    }

    pub(super) fn alert(&self, alert: Option<AdminAlert>) {
        if let Some(alert) = alert {
            tracing::warn!(?alert, "telling the admins");
            let _ = self.alerts.send(alert);
        }
    }
}
