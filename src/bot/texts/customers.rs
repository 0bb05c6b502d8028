//! Texts about customers: a returning number, the consent question, contact cards, `/lookup`,
//! the `/qr` picture's caption, and the few messages a customer ever sees.

use teloxide::utils::html::escape;

use super::common::{View, ago, by, example, example_for, phone_html};
use crate::i18n::{Lang, duration, local_time};
use crate::phone::PhoneNumber;
use crate::store::{LinkOpening, Lookup, Method, Verification, Verified};
use crate::tr;

fn how(lang: Lang, method: Method) -> String {
    match method {
        Method::Code => tr!(lang, "method-code"),
        Method::Contact => tr!(lang, "method-contact"),
    }
}

/// When a verification reached its end, as `3 days ago` and `27 Nov 14:05`.
fn when_closed(v: &Verification, view: &View) -> (String, String) {
    let at = v.closed_at.unwrap_or(v.created_at);
    (
        ago(view.lang, at, view.now),
        local_time(view.lang, at, &view.tz),
    )
}

/// `/verify` of a number verified within `REVERIFY_AFTER_DAYS`: nothing was sent.
pub fn returning(last: &Verified, view: &View) -> String {
    let lang = view.lang;
    let v = &last.verification;
    let (ago, when) = when_closed(v, view);
    tr!(
        lang,
        "returning",
        phone = phone_html(&v.phone, view.group),
        ago = ago,
        when = when,
        by = by(view, v.staff_user_id, last.staff_name.as_deref()),
        how = how(lang, v.method)
    )
}

/// `CONFIRM_CONSENT`: asked before each code.
pub fn consent_question(phone: &PhoneNumber, view: &View) -> String {
    tr!(
        view.lang,
        "consent-question",
        phone = phone_html(phone, view.group)
    )
}

pub fn question_cancelled(phone: &PhoneNumber, view: &View) -> String {
    tr!(
        view.lang,
        "question-cancelled",
        phone = phone_html(phone, view.group)
    )
}

/// The pop-up of a question's button that no longer does anything.
pub fn question_closed(lang: Lang) -> String {
    tr!(lang, "question-closed")
}

pub fn button_send_anyway(lang: Lang) -> String {
    tr!(lang, "button-send-anyway")
}

pub fn button_yes_send(lang: Lang) -> String {
    tr!(lang, "button-yes-send")
}

pub fn button_qr(lang: Lang) -> String {
    tr!(lang, "button-qr")
}

/// Under a paid send that was refused (the budget, the balance, the channel): the free check
/// instead, with [`button_qr`] under it.
pub fn qr_offer(lang: Lang) -> String {
    tr!(lang, "qr-offer")
}

pub fn button_share_phone(lang: Lang) -> String {
    tr!(lang, "button-share-phone")
}

/// A contact card from staff without a phone number.
pub fn contact_card_empty(lang: Lang) -> String {
    tr!(lang, "contact-card-empty", example = example(lang))
}

/// The caption of the `/qr` picture: what to do, until when, and the link itself.
pub fn qr_caption(link: &str, expires_at: i64, meant: Option<&PhoneNumber>, view: &View) -> String {
    let lang = view.lang;
    let meant = meant
        .map(|phone| tr!(lang, "qr-meant", phone = phone_html(phone, view.group)))
        .unwrap_or_default();
    tr!(
        lang,
        "qr-caption",
        meant = meant,
        until = crate::i18n::clock(expires_at, &view.tz),
        link = escape(link)
    )
}

/// A staff member opened a `/qr` link themselves.
pub fn qr_for_customer(lang: Lang) -> String {
    tr!(lang, "qr-for-customer")
}

/// Told to the staff member who made the link, in its chat (`group`: masked).
pub fn verified_by_contact(
    lang: Lang,
    v: &Verification,
    other_than_meant: Option<&PhoneNumber>,
    code_cancelled: bool,
    group: bool,
) -> String {
    let mut text = tr!(
        lang,
        "verified-by-contact",
        phone = phone_html(&v.phone, group)
    );
    if let Some(meant) = other_than_meant {
        let line = tr!(
            lang,
            "verified-other-number",
            phone = phone_html(&v.phone, group),
            meant = phone_html(meant, group)
        );
        text.push_str(&format!("\n{line}"));
    }
    if code_cancelled {
        text.push_str(&format!("\n{}", tr!(lang, "verified-code-cancelled")));
    }
    text
}

/// Told to a colleague whose waiting code was cancelled by a contact share through `by`'s link.
pub fn code_ended_by_contact(
    v: &Verification,
    by_id: i64,
    by_name: Option<&str>,
    view: &View,
) -> String {
    tr!(
        view.lang,
        "code-ended-by-contact",
        phone = phone_html(&v.phone, view.group),
        by = by(view, by_id, by_name)
    )
}

pub fn lookup_usage(lang: Lang) -> String {
    tr!(lang, "lookup-usage", example = example_for(lang, "lookup"))
}

/// `/lookup`: what the bot knows of a number. `limit` is the phone's send limit and its window
/// (seconds).
pub fn lookup(phone: &PhoneNumber, found: &Lookup, limit: (u32, i64), view: &View) -> String {
    let lang = view.lang;
    let shown = phone_html(phone, view.group);
    if !found.seen {
        return tr!(lang, "lookup-never", phone = shown);
    }
    let mut lines = vec![tr!(lang, "lookup-title", phone = shown)];
    lines.push(match &found.last_verified {
        Some(last) => {
            let v = &last.verification;
            let (ago, when) = when_closed(v, view);
            tr!(
                lang,
                "lookup-verified",
                ago = ago,
                when = when,
                by = by(view, v.staff_user_id, last.staff_name.as_deref()),
                how = how(lang, v.method)
            )
        }
        None => tr!(lang, "lookup-not-verified"),
    });
    if let Some(consent) = &found.consent {
        lines.push(tr!(
            lang,
            "lookup-consent",
            when = local_time(lang, consent.consent_at, &view.tz),
            by = by(view, consent.consent_by, consent.consent_by_name.as_deref())
        ));
    }
    if let Some(open) = &found.open {
        let (v, name) = (&open.verification, open.staff_name.as_deref());
        lines.push(tr!(
            lang,
            "lookup-open",
            by = by(view, v.staff_user_id, name),
            ago = ago(lang, v.sent_at.unwrap_or(v.created_at), view.now)
        ));
    }
    lines.push(tr!(
        lang,
        "lookup-sends",
        count = found.sends_in_window,
        limit = limit.0,
        window = duration(lang, limit.1.clamp(0, i64::from(u32::MAX)) as u32)
    ));
    lines.join("\n")
}

// --- what a customer sees ---------------------------------------------------------------------

pub fn customer_welcome(lang: Lang) -> String {
    tr!(lang, "customer-welcome")
}

pub fn customer_thanks(lang: Lang) -> String {
    tr!(lang, "customer-thanks")
}

pub fn customer_not_theirs(lang: Lang) -> String {
    tr!(lang, "customer-not-theirs")
}

pub fn customer_forwarded(lang: Lang) -> String {
    tr!(lang, "customer-forwarded")
}

pub fn customer_use_button(lang: Lang) -> String {
    tr!(lang, "customer-tap-below")
}

/// A link that cannot be answered: already answered by this customer (they are done), used (or
/// someone else's), expired, or unknown.
pub fn customer_link_refused(lang: Lang, opening: &LinkOpening) -> String {
    match opening {
        LinkOpening::Shared => tr!(lang, "customer-link-done"),
        LinkOpening::Used => tr!(lang, "customer-link-used"),
        LinkOpening::Expired => tr!(lang, "customer-link-expired"),
        LinkOpening::Unknown | LinkOpening::Opened(_) => tr!(lang, "customer-link-unknown"),
    }
}

pub fn customer_link_expired(lang: Lang) -> String {
    tr!(lang, "customer-link-expired")
}

/// Pop-ups of the question's and the QR buttons.
pub fn callback_sent(lang: Lang) -> String {
    tr!(lang, "callback-sent")
}

pub fn callback_ask_consent(lang: Lang) -> String {
    tr!(lang, "callback-ask-consent")
}

pub fn callback_qr(lang: Lang) -> String {
    tr!(lang, "callback-qr")
}
