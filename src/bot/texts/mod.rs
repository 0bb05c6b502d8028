//! Every text the bot shows a person. The words live in `locales/<lang>/*.ftl` (English and
//! Russian, see [`crate::i18n`]); each function here picks the message by id, formats numbers,
//! money and dates for the language, and HTML-escapes whatever came from people before passing
//! it in. Handlers never hold text: a reply that only fills in plain values may be picked by id
//! where it is needed (`tr!(lang, "id", name = value)`); the functions here are for the texts
//! that format.
//!
//! Replies are HTML (`parse_mode = HTML`); numbers and codes sit in `<code>` so they can be copied
//! with a tap. The first character of a check result tells the outcome at a glance:
//! ✅ valid, ❌ wrong code, ⛔ too many attempts, ⌛ expired. Problems start with ⚠️, never ✅.
//! In group chats phone numbers are masked (`+44 79•• •••456`).

mod admin;
mod common;
mod customers;
mod delivery;
mod flow;
mod people;

pub use admin::*;
pub use common::*;
pub use customers::*;
pub use delivery::*;
pub use flow::*;
pub use people::*;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::{ApiError, GatewayError};

    #[test]
    fn durations_read_naturally() {
        let duration = |s| duration(Lang::En, s);
        assert_eq!(duration(300), "5 minutes");
        assert_eq!(duration(60), "1 minute");
        assert_eq!(duration(90), "1 min 30 s");
        assert_eq!(duration(45), "45 seconds");
        assert_eq!(duration(3600), "1 hour");
        assert_eq!(duration(86_400), "1 day");
        assert_eq!(duration(1), "1 second");
    }

    #[test]
    fn gateway_problems_are_sentences_not_codes() {
        let cases = [
            (ApiError::BalanceNotEnough, "balance is too low"),
            (ApiError::FloodWait(42), "Try again in 42 seconds"),
            (
                ApiError::PhoneNumberNotFound,
                "can't receive codes on Telegram",
            ),
            (ApiError::AccessTokenInvalid, "GATEWAY_TOKEN"),
        ];
        for (error, expected) in cases {
            let text = gateway_problem(Lang::En, &GatewayError::Api(error.clone()));
            assert!(text.contains(expected), "{error:?}: {text}");
            assert!(!text.contains(&error.as_string()), "{text}");
        }
    }

    #[test]
    fn sender_alerts_name_the_channel_and_what_to_fix() {
        use crate::store::{SenderAlert, SenderProblem};
        let cases = [
            (SenderProblem::NotVerified, "telegram.org/verify"),
            (SenderProblem::NotOwned, "log in to gateway.telegram.org"),
            (
                SenderProblem::UsernameInvalid,
                "SENDER_USERNAME is spelled right",
            ),
        ];
        for (problem, fix) in cases {
            let alert = SenderAlert {
                problem,
                username: "my_shop".into(),
            };
            let text = sender_alert(Lang::En, &alert);
            assert!(text.contains("@my_shop"), "{text}");
            assert!(text.contains(fix), "{problem:?}: {text}");
            assert!(text.contains(problem.as_str()), "{text}");
            let ru = sender_alert(Lang::Ru, &alert);
            assert!(
                ru.contains("@my_shop") && ru.contains(problem.as_str()),
                "{ru}"
            );
        }
    }

    #[test]
    fn phones_are_masked_in_groups() {
        let phone = crate::phone::PhoneNumber::from_e164("+447911123456").unwrap();
        assert_eq!(phone_text(&phone, false), "+44 7911 123456");
        assert_eq!(phone_text(&phone, true), "+44 79•• •••456");
    }

    /// Two buttons share a row under every "code sent" message: each label must fit half a
    /// phone's width, about 16 characters.
    #[test]
    fn button_labels_fit_half_a_phone() {
        for lang in Lang::ALL {
            let mut labels = vec![button_resend(lang), button_cancel(lang)];
            labels.extend(Lang::ALL.map(language_name));
            for label in labels {
                assert!(label.chars().count() <= 16, "{lang:?}: {label:?}");
            }
        }
    }

    #[test]
    fn local_times_use_the_business_time_zone() {
        // 2025-11-27 14:05:00 UTC: not this year, so with the year.
        let at = 1_764_252_300;
        assert_eq!(
            local_time(Lang::En, at, &jiff::tz::TimeZone::UTC),
            "27 Nov 2025 14:05"
        );
        let moscow = jiff::tz::TimeZone::get("Europe/Moscow").unwrap();
        assert_eq!(local_time(Lang::En, at, &moscow), "27 Nov 2025 17:05");
        assert_eq!(local_time(Lang::Ru, at, &moscow), "27.11.2025 17:05");
        // This year's dates go without it.
        let now = crate::now();
        assert_eq!(
            local_time(Lang::Ru, now, &moscow).len(),
            "27.11 17:05".len()
        );
        assert_eq!(
            local_time(Lang::En, now, &moscow).len(),
            "27 Nov 17:05".len()
        );
        assert_eq!(crate::i18n::clock(at, &moscow), "17:05 MSK");
    }
}

/// Every text function, rendered in both languages: no Fluent error (a missing message or
/// argument), emoji first in both, and no English left in the Russian texts.
#[cfg(test)]
mod every_text {
    use super::*;
    use crate::gateway::DeliveryState;
    use crate::gateway::{ApiError, GatewayError};
    use crate::phone::PhoneError;
    use crate::store::Delivery;
    use crate::store::Verification;
    use crate::store::{BalanceAlert, Claim, PeriodStats, Refusal, Role, StaffMember, Status};
    use crate::store::{SenderAlert, SenderProblem};
    use crate::verification::{AdminAlert, CancelOutcome, CheckOutcome, SendOutcome};

    const NOW: i64 = 1_795_788_300;

    fn verification(attempts: u32) -> Verification {
        Verification {
            id: 7,
            chat_id: 1001,
            staff_user_id: 1001,
            phone: crate::phone::PhoneNumber::from_e164("+447911123456").unwrap(),
            status: Status::Pending,
            code_length: 6,
            ttl: 300,
            request_id: Some("r1".into()),
            request_cost: Some(0.01),
            delivery_status: Some("delivered".into()),
            attempts,
            message_id: Some(3),
            created_at: NOW - 125,
            sent_at: Some(NOW - 125),
            expires_at: Some(NOW + 175),
            closed_at: None,
            method: crate::store::Method::Code,
            consent_by: None,
            consent_at: None,
        }
    }

    /// Every text, with the emoji each must start with ("" when none).
    fn all(lang: Lang) -> Vec<(String, &'static str)> {
        let v = verification(2);
        let view = View {
            viewer: 1001,
            now: NOW,
            group: false,
            lang,
            tz: jiff::tz::TimeZone::UTC,
        };
        let group = View {
            group: true,
            viewer: 2,
            ..view.clone()
        };
        let gw = |e: ApiError| GatewayError::Api(e);
        let mut texts = vec![
            (send_outcome(&SendOutcome::Sent(v.clone()), &view), "📨"),
            (send_outcome(&SendOutcome::Sent(v.clone()), &group), "📨"),
            (
                send_outcome(&SendOutcome::AlreadyOpen(v.clone()), &view),
                "⏳",
            ),
            (
                send_outcome(&SendOutcome::AlreadyOpen(v.clone()), &group),
                "⏳",
            ),
            (send_outcome(&SendOutcome::NoLongerOpen, &view), ""),
            (
                send_outcome(
                    &SendOutcome::Failed(GatewayError::BadResponse { status: 502 }),
                    &view,
                ),
                "⚠️",
            ),
            (
                send_outcome(
                    &SendOutcome::Failed(GatewayError::Timeout(std::time::Duration::ZERO)),
                    &view,
                ),
                "⚠️",
            ),
            (check_outcome(&CheckOutcome::Valid(v.clone()), &view), "✅"),
            (
                check_outcome(&CheckOutcome::Invalid(v.clone()), &view),
                "❌",
            ),
            (
                check_outcome(&CheckOutcome::MaxAttempts(v.clone()), &view),
                "⛔",
            ),
            (
                check_outcome(&CheckOutcome::Expired(v.clone()), &view),
                "⌛",
            ),
            (check_outcome(&CheckOutcome::Lost(v.clone()), &group), "⚠️"),
            (
                check_outcome(&CheckOutcome::StillSending(v.clone()), &view),
                "⏳",
            ),
            (check_outcome(&CheckOutcome::NotYours(v.clone()), &view), ""),
            (check_outcome(&CheckOutcome::Closed(v.clone()), &view), ""),
            (
                check_outcome(
                    &CheckOutcome::NothingOpen {
                        looks_like_code: true,
                    },
                    &view,
                ),
                "",
            ),
            (
                check_outcome(&CheckOutcome::NotACode(vec![v.clone()]), &view),
                "",
            ),
            (
                check_outcome(&CheckOutcome::NotACode(vec![v.clone(), v.clone()]), &view),
                "",
            ),
            (
                check_outcome(
                    &CheckOutcome::WrongLength {
                        open: v.clone(),
                        got: 5,
                    },
                    &view,
                ),
                "🔢",
            ),
            (
                check_outcome(
                    &CheckOutcome::Unavailable {
                        open: v.clone(),
                        error: gw(ApiError::FloodWait(90)),
                    },
                    &view,
                ),
                "⚠️",
            ),
            (
                check_outcome(
                    &CheckOutcome::Unrecognised {
                        open: v.clone(),
                        verdict: "odd".into(),
                    },
                    &view,
                ),
                "⚠️",
            ),
            (cancel_outcome(&CancelOutcome::NothingOpen, &view), ""),
            (
                cancel_outcome(&CancelOutcome::Ambiguous(vec![v.clone()]), &view),
                "",
            ),
            (
                cancel_outcome(
                    &CancelOutcome::Cancelled {
                        verification: v.clone(),
                        revoke_error: Some(gw(ApiError::BalanceNotEnough)),
                    },
                    &view,
                ),
                "🚫",
            ),
            (status(std::slice::from_ref(&v), &view), "📋"),
            (status(&[v.clone(), verification(1)], &view), "📋"),
            (status(&[], &view), ""),
            (bad_phone(lang, "12", &PhoneError::NoCountryCode), ""),
            (bad_phone(lang, "x", &PhoneError::BadCharacters), ""),
            (bad_phone(lang, "+1", &PhoneError::Invalid), ""),
            (help(lang, Role::Admin, 6, 300), ""),
            (already_member(lang, Role::Staff, 6, 300), ""),
            (joined(lang, Role::Staff, 6, 300), "🎉"),
            (joined(lang, Role::Admin, 6, 300), "🎉"),
            (owner_joined(lang, 6, 300), "🎉"),
            (
                inviter_notice(lang, "Bob", Some("bob"), 5, Role::Admin),
                "👤",
            ),
            (inviter_notice(lang, "Bob", None, 5, Role::Staff), "👤"),
            (stranger(lang, 5), "👋"),
            (stranger_short(lang, 5), ""),
            (link_refused(lang, &Claim::Used, 5), ""),
            (link_refused(lang, &Claim::Expired, 5), ""),
            (link_refused(lang, &Claim::Unknown, 5), ""),
            (
                invite_created(lang, "https://t.me/x", Role::Admin, 86_400),
                "🔗",
            ),
            (
                invite_created(lang, "https://t.me/x", Role::Staff, 3600),
                "🔗",
            ),
            (invite_usage(lang), ""),
            (staff_remove_usage(lang), ""),
            (staff_removed(lang, "Bob", 5, 2, 1), "🗑"),
            (cannot_remove_configured_admin(lang, 5), ""),
            (cannot_remove_self(lang), ""),
            (not_staff(lang, 5), ""),
            (history(lang, &[], true, &jiff::tz::TimeZone::UTC), ""),
            (
                history(
                    lang,
                    &[(v.clone(), Some("Bob".into())), (v.clone(), None)],
                    true,
                    &jiff::tz::TimeZone::UTC,
                ),
                "🕑",
            ),
            (admins_only(lang), "🔒"),
            (reset_usage(lang), ""),
            (
                balance_alert(lang, BalanceAlert::Low { remaining: 0.5 }),
                "💰",
            ),
            (balance_alert(lang, BalanceAlert::Empty), "💰"),
            (stats_chart_caption(lang), "📈"),
            (export_usage(lang), ""),
            (export_empty(lang, 1), ""),
            (export_caption(lang, 3, 30), "🧾"),
            (access_unavailable(lang), "⚠️"),
            (internal_error(lang), "⚠️"),
            (unknown_command(lang), ""),
            (not_text(lang), ""),
            (language_pick(lang), "🌐"),
            (language_set(lang), "🌐"),
            (button_resend(lang), "🔁"),
            (button_cancel(lang), "✖️"),
            (button_remove(lang, "Bob"), "🗑"),
            (callback_cancelled(lang), ""),
            (callback_resent(lang), ""),
            (callback_not_sent(lang), ""),
            (callback_checked(lang), ""),
            (callback_unknown(lang), ""),
            (no_longer_open(lang), ""),
        ];
        for limit in [1, 3, 5] {
            let refusals = [
                Refusal::Cooldown { frees_at: NOW + 30 },
                Refusal::PhoneLimit {
                    limit,
                    window: 600,
                    frees_at: NOW + 240,
                },
                Refusal::StaffDaily {
                    limit,
                    frees_at: NOW + 3600,
                },
                Refusal::Budget {
                    budget: 5.0,
                    spent: 5.01,
                    frees_at: NOW + 60,
                },
            ];
            for refusal in refusals {
                texts.push((refused(&refusal, &view), "🚦"));
            }
        }
        for problem in [
            SenderProblem::UsernameInvalid,
            SenderProblem::NotVerified,
            SenderProblem::NotOwned,
        ] {
            for prechecked in [false, true] {
                let outcome = SendOutcome::SenderRefused {
                    problem,
                    sender: "my_shop".into(),
                    prechecked,
                };
                texts.push((send_outcome(&outcome, &view), "⚠️"));
            }
            let alert = AdminAlert::Sender(SenderAlert {
                problem,
                username: "my_shop".into(),
            });
            texts.push((admin_alert(lang, &alert), "📢"));
        }
        texts.push((
            admin_alert(lang, &AdminAlert::Balance(BalanceAlert::Empty)),
            "💰",
        ));
        use crate::events::deliver::EventsAlert;
        let failing = EventsAlert::Failing {
            since: NOW - 3700,
            error: "HTTP 500".into(),
        };
        for alert in [failing, EventsAlert::Recovered, EventsAlert::Gone] {
            texts.push((events_alert(lang, &alert, NOW), "📡"));
        }
        for error in [
            ApiError::BalanceNotEnough,
            ApiError::FloodWait(42),
            ApiError::PhoneNumberNotFound,
            ApiError::PhoneNumberInvalid,
            ApiError::AccessTokenInvalid,
            ApiError::CodeExpired,
            ApiError::CodeMaxAttemptsExceeded,
        ] {
            texts.push((gateway_problem(lang, &gw(error)), ""));
        }
        let stats_row = PeriodStats {
            sent: 10,
            verified: 8,
            failed: 1,
            expired: 1,
            cancelled: 0,
            spent: 0.1,
            refunded: 0.01,
            by_contact: 3,
        };
        let names = stats_periods(lang);
        texts.push((
            stats(
                lang,
                &[(&names[0], &stats_row)],
                Some(2.5),
                &jiff::tz::TimeZone::UTC,
            ),
            "📊",
        ));
        texts.push((
            stats(
                lang,
                &[(&names[1], &stats_row)],
                None,
                &jiff::tz::TimeZone::UTC,
            ),
            "📊",
        ));
        let member = StaffMember {
            user_id: 5,
            role: Role::Staff,
            name: "Bob".into(),
            username: Some("bob".into()),
            added_at: NOW,
            added_by: Some(1001),
            added_by_name: None,
        };
        texts.push((
            staff_list(lang, &[member], &[1001], &jiff::tz::TimeZone::UTC),
            "👥",
        ));
        texts.push((staff_list(lang, &[], &[], &jiff::tz::TimeZone::UTC), "👥"));
        for state in ["sent", "delivered", "read", "expired", "revoked"] {
            let delivery = Delivery {
                status: Some(DeliveryState::from(state.to_owned())),
                updated_at: 1,
                is_refunded: true,
                request_cost: Some(0.01),
            };
            texts.push((code_sent_live(lang, &v, &delivery), "📨"));
        }
        let day = crate::chart::DayActivity {
            day_start: NOW,
            sent: 1234,
            verified: 5,
        };
        let labels = chart_labels(lang, &[day], &jiff::tz::TimeZone::UTC);
        texts.push((labels.sent, ""));
        texts.push((labels.verified, ""));
        texts.extend(labels.days.into_iter().map(|day| (day, "")));
        texts.push((labels.empty, ""));
        texts.push((labels.title, ""));
        for command in [
            "verify", "qr", "lookup", "status", "cancel", "history", "language", "help",
        ] {
            texts.push((menu(lang, command), ""));
        }
        texts.extend(customer_texts(lang, &view, &group));
        texts
    }

    /// The texts about customers, and the ones customers see.
    fn customer_texts(lang: Lang, view: &View, group: &View) -> Vec<(String, &'static str)> {
        use crate::store::{Consent, LinkOpening, Lookup, Method, Verified};
        let phone = crate::phone::PhoneNumber::from_e164("+447911123456").unwrap();
        let mut by_contact = verification(0);
        by_contact.status = Status::Verified;
        by_contact.method = Method::Contact;
        by_contact.closed_at = Some(NOW - 3 * 86_400);
        let last = Verified {
            verification: by_contact.clone(),
            staff_name: Some("Bob".into()),
        };
        let anonymous = Verified {
            staff_name: None,
            ..last.clone()
        };
        let found = Lookup {
            seen: true,
            last_verified: Some(last.clone()),
            consent: Some(Consent {
                consent_by: 1001,
                consent_by_name: None,
                consent_at: NOW - 60,
            }),
            open: Some(Verified {
                verification: verification(1),
                staff_name: None,
            }),
            sends_in_window: 1,
        };
        let never = Lookup {
            seen: false,
            last_verified: None,
            consent: None,
            open: None,
            sends_in_window: 0,
        };
        let unverified = Lookup {
            seen: true,
            last_verified: None,
            ..found.clone()
        };
        let other = crate::phone::PhoneNumber::from_e164("+447700900123").unwrap();
        let mut texts = vec![
            (returning(&last, view), "✅"),
            (returning(&anonymous, group), "✅"),
            (consent_question(&phone, view), "🤝"),
            (question_cancelled(&phone, group), "🚫"),
            (question_closed(lang), ""),
            (button_send_anyway(lang), "🔁"),
            (button_yes_send(lang), "✅"),
            (button_qr(lang), "📷"),
            (button_share_phone(lang), "📱"),
            (contact_card_empty(lang), "⚠️"),
            (
                qr_caption("https://t.me/x?start=c_x", NOW + 600, None, view),
                "📷",
            ),
            (
                qr_caption("https://t.me/x?start=c_x", NOW + 600, Some(&phone), group),
                "📷",
            ),
            (qr_for_customer(lang), "📷"),
            (
                verified_by_contact(lang, &by_contact, Some(&other), true, false),
                "✅",
            ),
            (
                verified_by_contact(lang, &by_contact, None, false, true),
                "✅",
            ),
            (lookup_usage(lang), ""),
            (lookup(&phone, &found, (3, 600), view), "🔍"),
            (lookup(&phone, &unverified, (3, 600), group), "🔍"),
            (lookup(&phone, &never, (3, 600), view), "🔍"),
            (customer_welcome(lang), "👋"),
            (customer_thanks(lang), "✅"),
            (customer_not_theirs(lang), "⚠️"),
            (customer_use_button(lang), "👇"),
            (customer_forwarded(lang), "⚠️"),
            (reset_done(&phone, view), "♻️"),
            (reset_done(&phone, group), "♻️"),
            (
                code_ended_by_contact(&by_contact, 7, Some("Bob"), view),
                "🔕",
            ),
            (code_ended_by_contact(&by_contact, 7, None, group), "🔕"),
            (customer_link_expired(lang), "⌛"),
            (callback_sent(lang), "📨"),
            (callback_ask_consent(lang), "🤝"),
            (callback_qr(lang), "📷"),
            (send_outcome(&SendOutcome::QuestionClosed, view), ""),
        ];
        for opening in [
            LinkOpening::Used,
            LinkOpening::Expired,
            LinkOpening::Unknown,
        ] {
            let emoji = if matches!(opening, LinkOpening::Expired) {
                "⌛"
            } else {
                "⚠️"
            };
            texts.push((customer_link_refused(lang, &opening), emoji));
        }
        texts
    }

    /// Words that may stay in Latin letters in Russian: names, commands, settings, units.
    const LATIN_ALLOWED: &[&str] = &[
        "Telegram",
        "Gateway",
        "HTTP",
        "HTTPS",
        "PUBLIC_URL",
        "UTC",
        "GATEWAY_TOKEN",
        "ADMIN_IDS",
        "EVENTS_URL",
        "EVENTS_MAX_AGE",
        "EVENTS_SECRET",
        "resend",
        "README",
        "Events",
        "Gone",
        "webhook",
        "id",
        "CRM",
        "n8n",
        "Zapier",
        "CSV",
        "Excel",
        "English",
        "gateway",
        "telegram",
        "org",
        "admin",
        "code",
        "b",
        "https",
        "t",
        "me",
        "x",
        "r1",
        "odd",
        "Bob",
        "bob",
        "lt",
        "gt",
        "amp",
        "ID",
        "QR",
        "remove",
        "my_shop",
        "SENDER_USERNAME",
        "SENDER_USERNAME_INVALID",
        "SENDER_NOT_VERIFIED",
        "SENDER_NOT_OWNED",
    ];

    /// The house style of a text people see: not empty, no Fluent placeholder left, and in
    /// Russian written in Russian: Cyrillic letters, with no English word but those in
    /// [`LATIN_ALLOWED`] (a label such as `ID 5` or the name `English` may have no Cyrillic).
    fn assert_house_style(lang: Lang, text: &str) {
        assert!(!text.trim().is_empty(), "{lang:?}: an empty text");
        assert!(
            !text.contains("{$") && !text.contains('{'),
            "{lang:?}: {text}"
        );
        if lang != Lang::Ru {
            return;
        }
        let plain: String = text
            .split_whitespace()
            .filter(|w| !w.contains('/'))
            .collect::<Vec<_>>()
            .join(" ");
        let latin: Vec<&str> = plain
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
            .collect();
        for word in &latin {
            assert!(
                LATIN_ALLOWED.contains(word),
                "English {word:?} in a Russian text: {text}"
            );
        }
        let cyrillic = |c: char| ('а'..='я').contains(&c.to_lowercase().next().unwrap());
        assert!(
            text.chars().any(cyrillic)
                || text.chars().all(|c| !c.is_alphabetic())
                || !latin.is_empty(),
            "not Russian: {text}"
        );
    }

    /// The emoji a text starts with, if any ("" when it starts with a word, a number or a tag).
    fn leading_emoji(text: &str) -> String {
        text.chars()
            .take_while(|c| !c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace())
            .collect()
    }

    /// Every message of `locales/`, read from the files (so a new one is checked without being
    /// listed anywhere), in both languages and every variant: no Fluent error, the same emoji
    /// first in both, and the house style ([`assert_house_style`]).
    #[test]
    fn every_message_in_the_files_renders_in_both_languages() {
        use crate::i18n::tests::{messages, render, samples};
        let (en, ru) = (messages(Lang::En), messages(Lang::Ru));
        for (id, message) in &en {
            let russian = ru
                .get(id)
                .unwrap_or_else(|| panic!("{id} has no Russian text"));
            for sample in samples(&[message, russian]) {
                let english = render(Lang::En, id, &sample);
                let text = render(Lang::Ru, id, &sample);
                assert_eq!(
                    leading_emoji(&english),
                    leading_emoji(&text),
                    "{id}: not the same emoji first: {english:?} / {text:?}"
                );
                assert_house_style(Lang::En, &english);
                assert_house_style(Lang::Ru, &text);
            }
        }
        assert!(
            ru.keys().all(|id| en.contains_key(id)),
            "a Russian message has no English text"
        );
    }

    /// Every text function (messages put together, with people's data in them), in the house
    /// style, starting with its emoji.
    #[test]
    fn every_text_renders_in_every_language() {
        let before = crate::i18n::tests::ERRORS.load(std::sync::atomic::Ordering::SeqCst);
        for lang in Lang::ALL {
            for (text, emoji) in all(lang) {
                assert!(text.starts_with(emoji), "{lang:?}: {emoji} first: {text}");
                assert_house_style(lang, &text);
            }
        }
        let after = crate::i18n::tests::ERRORS.load(std::sync::atomic::Ordering::SeqCst);
        assert_eq!(before, after, "a text failed to render (see the log)");
    }
}
