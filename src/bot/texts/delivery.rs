//! Live delivery status, shown under the "code sent" message.

use teloxide::utils::html::escape;

use super::{View, send_outcome};
use crate::delivery::Delivery;
use crate::store::Verification;
use crate::verification::SendOutcome;

/// The "code sent" message with a live delivery line under it, to edit the message in place.
pub fn code_sent_live(sent: &Verification, delivery: &Delivery) -> String {
    let view = View {
        viewer: sent.staff_user_id,
        now: crate::now(),
        // Private chats have the user's (positive) id; groups have negative ids.
        group: sent.chat_id < 0,
    };
    let body = send_outcome(&SendOutcome::Sent(sent.clone()), &view);
    format!("{body}\n\n{}", delivery_line(delivery))
}

/// `Delivery: 📤 Sent → 📬 Delivered → 👁 Read`, or `📤 Sent → ⌛ Expired unread · 💸 fee refunded`.
pub fn delivery_line(delivery: &Delivery) -> String {
    use crate::gateway::DeliveryState as State;
    const SENT: &str = "📤 Sent";
    let steps = match &delivery.status {
        None | Some(State::Sent) => vec![SENT],
        Some(State::Delivered) => vec![SENT, "📬 Delivered"],
        Some(State::Read) => vec![SENT, "📬 Delivered", "👁 Read"],
        Some(State::Expired) => vec![SENT, "⌛ Expired unread"],
        Some(State::Revoked) => vec![SENT, "🚫 Revoked"],
        Some(State::Unknown(other)) => vec![SENT, other.as_str()],
    };
    let steps: Vec<String> = steps.into_iter().map(escape).collect();
    let refund = if delivery.is_refunded {
        " · 💸 fee refunded"
    } else {
        ""
    };
    format!("<b>Delivery:</b> {}{refund}", steps.join(" → "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::DeliveryState;

    fn line(status: &str, is_refunded: bool) -> String {
        delivery_line(&Delivery {
            status: Some(DeliveryState::from(status.to_owned())),
            updated_at: 1,
            is_refunded,
            request_cost: Some(0.01),
        })
    }

    #[test]
    fn the_delivery_line_shows_how_far_the_code_got() {
        assert_eq!(line("sent", false), "<b>Delivery:</b> 📤 Sent");
        assert_eq!(
            line("read", false),
            "<b>Delivery:</b> 📤 Sent → 📬 Delivered → 👁 Read"
        );
        assert_eq!(
            line("expired", true),
            "<b>Delivery:</b> 📤 Sent → ⌛ Expired unread · 💸 fee refunded"
        );
        assert!(line("revoked", false).ends_with("🚫 Revoked"));
        assert!(line("<odd>", false).ends_with("&lt;odd&gt;"));
    }
}
