//! Live delivery status, shown under the "code sent" message.

use super::common::{View, delivery_state};
use super::flow::send_outcome;
use crate::i18n::Lang;
use crate::store::Delivery;
use crate::store::Verification;
use crate::tr;
use crate::verification::SendOutcome;

/// The "code sent" message with a live delivery line under it, to edit the message in place,
/// in the language of the staff member who sent the code.
pub fn code_sent_live(lang: Lang, sent: &Verification, delivery: &Delivery) -> String {
    let view = View {
        viewer: sent.staff_user_id,
        now: crate::now(),
        // Private chats have the user's (positive) id; groups have negative ids.
        group: sent.chat_id < 0,
        lang,
        // The "code sent" text holds a duration, no time of day.
        tz: jiff::tz::TimeZone::UTC,
    };
    let body = send_outcome(&SendOutcome::Sent(sent.clone()), &view);
    format!("{body}\n\n{}", delivery_line(lang, delivery))
}

/// `Delivery: 📤 Sent → 📬 Delivered → 👁 Read`, or `📤 Sent → ⌛ Expired unread · 💸 fee refunded`.
pub fn delivery_line(lang: Lang, delivery: &Delivery) -> String {
    use crate::gateway::DeliveryState as State;
    let step = |state: State| delivery_state(lang, &state);
    let steps = match &delivery.status {
        None | Some(State::Sent) => vec![step(State::Sent)],
        Some(State::Read) => vec![step(State::Sent), step(State::Delivered), step(State::Read)],
        Some(last) => vec![step(State::Sent), delivery_state(lang, last)],
    };
    let mut steps = steps.join(" → ");
    if delivery.is_refunded {
        steps.push_str(" · ");
        steps.push_str(&tr!(lang, "delivery-refunded"));
    }
    tr!(lang, "delivery-line", steps = steps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::DeliveryState;

    fn line(status: &str, is_refunded: bool) -> String {
        delivery_line(
            Lang::En,
            &Delivery {
                status: Some(DeliveryState::from(status.to_owned())),
                updated_at: 1,
                is_refunded,
                request_cost: Some(0.01),
            },
        )
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
