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
        // A no-break space between a number and its unit.
        let duration = |s| duration(Lang::En, s).replace('\u{a0}', "~");
        assert_eq!(duration(300), "5~minutes");
        assert_eq!(duration(60), "1~minute");
        assert_eq!(duration(90), "1~min 30~s");
        assert_eq!(duration(45), "45~seconds");
        assert_eq!(duration(3600), "1~hour");
        assert_eq!(duration(86_400), "1~day");
        assert_eq!(duration(1), "1~second");
    }

    #[test]
    fn gateway_problems_are_sentences_not_codes() {
        let cases = [
            (ApiError::BalanceNotEnough, "balance is too low"),
            (ApiError::FloodWait(42), "Try again in 42\u{a0}seconds"),
            (
                ApiError::PhoneNumberNotFound,
                "can’t receive codes on Telegram",
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
/// argument), emoji first in both, and the house style ([`every_text::assert_house_style`]):
/// no English left in the Russian texts, typography, one emoji per concept, button labels that
/// fit half a phone and are named the same way in every text.
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

    fn already_open(v: &Verification, staff_name: Option<&str>) -> SendOutcome {
        let mut open = v.clone();
        open.staff_user_id = 5;
        SendOutcome::AlreadyOpen {
            open,
            staff_name: staff_name.map(str::to_owned),
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
            (send_outcome(&already_open(&v, None), &view), "⏳"),
            (send_outcome(&already_open(&v, Some("Bob")), &group), "⏳"),
            (send_outcome(&already_open(&v, None), &group), "⏳"),
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
            (link_refused(lang, &Claim::Revoked, 5), ""),
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
            (export_empty(lang, 21), ""),
            (export_caption(lang, 3, 30), "🧾"),
            (export_caption(lang, 1, 1), "🧾"),
            (
                export_range_caption(lang, 3, "2026-11-01", "2026-11-27"),
                "🧾",
            ),
            (
                export_workbook_caption(lang, &jiff::tz::TimeZone::UTC),
                "📗",
            ),
            (
                export_workbook_caption(lang, &jiff::tz::TimeZone::fixed(jiff::tz::offset(3))),
                "📗",
            ),
            (sent_privately(lang), "🔒"),
            (cannot_write_privately(lang, "my_shop"), "🔒"),
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
        let bad_numbers = [
            (NumberFor::Verify, "12", PhoneError::NoCountryCode),
            (NumberFor::Lookup, "x", PhoneError::BadCharacters),
            (NumberFor::ContactCard, "+1", PhoneError::Invalid),
            (NumberFor::Qr, "+1", PhoneError::Invalid),
            (NumberFor::Reset, "+1", PhoneError::Invalid),
            (NumberFor::Reset, "", PhoneError::Empty),
            (NumberFor::Lookup, "", PhoneError::Empty),
        ];
        for (typed_for, input, error) in bad_numbers {
            texts.push((bad_phone(lang, typed_for, input, &error), ""));
        }
        for outcome in [
            SendOutcome::Failed(gw(ApiError::BalanceNotEnough)),
            SendOutcome::Unknown {
                error: None,
                retry_at: NOW + 30,
            },
            SendOutcome::Unknown {
                error: Some(GatewayError::Timeout(std::time::Duration::ZERO)),
                retry_at: NOW - 1,
            },
        ] {
            texts.push((send_outcome(&outcome, &view), "⚠️"));
        }
        texts.push((send_outcome(&SendOutcome::NotAllowed, &view), "⛔"));
        texts.push((send_interrupted(&v, &view, NOW + 30), "⚠️"));
        texts.push((code_resurfaced(&v, &group), "📨"));
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
        let busy = PeriodStats {
            sent: 12_345,
            verified: 10_001,
            by_contact: 1_500,
            ..stats_row
        };
        texts.push((
            stats(
                lang,
                &[(&names[2], &busy)],
                Some(1234.5),
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
            staff_list(lang, &[member], &[1001], true, &jiff::tz::TimeZone::UTC),
            "👥",
        ));
        texts.push((
            staff_list(lang, &[], &[1001], false, &jiff::tz::TimeZone::UTC),
            "👥",
        ));
        texts.push((
            staff_list(lang, &[], &[], false, &jiff::tz::TimeZone::UTC),
            "👥",
        ));
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
            LinkOpening::Shared,
            LinkOpening::Used,
            LinkOpening::Expired,
            LinkOpening::Unknown,
        ] {
            let emoji = match opening {
                LinkOpening::Expired => "⌛",
                LinkOpening::Shared => "✅",
                _ => "⚠️",
            };
            texts.push((customer_link_refused(lang, &opening), emoji));
        }
        texts
    }

    /// Words that may stay in Latin letters in Russian: names, commands, settings, units. (What
    /// sits in `<code>` is left out: numbers, ids and commands to copy.)
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

    /// Units that stay on the line of their number: a no-break space between them.
    const UNITS: &[&str] = &[
        "day",
        "days",
        "hour",
        "hours",
        "minute",
        "minutes",
        "second",
        "seconds",
        "d",
        "h",
        "min",
        "s",
        "день",
        "дня",
        "дней",
        "час",
        "часа",
        "часов",
        "минута",
        "минуту",
        "минуты",
        "минут",
        "секунда",
        "секунду",
        "секунды",
        "секунд",
        "дн",
        "ч",
        "мин",
        "с",
        "%",
        "$",
    ];

    /// Words that a number or an ID follows on the same line: `ID 123`, `user 123`.
    const LABELS: &[&str] = &["ID", "user"];

    /// American spellings (the English texts are in British English), besides `-ize`.
    const US_SPELLINGS: &[&str] = &[
        "color",
        "colors",
        "center",
        "centers",
        "canceled",
        "canceling",
        "favor",
        "behavior",
        "toward",
        "catalog",
        "gray",
        "license",
    ];

    /// Words in `-ize` that are British too.
    const IZE_WORDS: &[&str] = &["size", "sizes", "prize", "seize", "capsize"];

    /// The verbs that name a button: the button's label follows in bold, as it is written in
    /// every text (or a command, in `press /cancel`).
    const TAP: &[&str] = &[
        "tap ",
        "press ",
        "нажмите кнопку ",
        "нажать кнопку ",
        "нажмите ",
    ];

    /// The text without its HTML tags and without what sits in `<code>`.
    fn prose(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find('<') {
            out.push_str(&rest[..start]);
            let after = &rest[start..];
            let end = after.find('>').map_or(after.len(), |i| i + 1);
            rest = if after.starts_with("<code>") {
                let close = after.find("</code>").expect("a closed <code>");
                out.push(' ');
                &after[close + "</code>".len()..]
            } else {
                &after[end..]
            };
        }
        out.push_str(rest);
        out
    }

    /// The house style of a text people see: not empty, no Fluent placeholder left, and:
    /// - typography: a no-break space (not a plain one) between a number and its unit, between
    ///   `ID` and the number, and before a dash; no straight quotes or apostrophes (“…”, ’ in
    ///   English, «…» in Russian);
    /// - a button is named in bold after the verb that taps it;
    /// - in English: British spelling, and `ID`, never `id`;
    /// - in Russian, written in Russian: Cyrillic letters, with no English word but those in
    ///   [`LATIN_ALLOWED`] (a label such as `ID 5` or the name `English` may have no Cyrillic).
    fn assert_house_style(lang: Lang, text: &str) {
        assert!(!text.trim().is_empty(), "{lang:?}: an empty text");
        assert!(
            !text.contains("{$") && !text.contains('{'),
            "{lang:?}: {text}"
        );
        let prose = prose(text);
        assert!(
            !prose.contains(['"', '\'']),
            "{lang:?}: a straight quote (“…”, ’, «…» instead): {text}"
        );
        assert!(
            !prose.contains(" —") && !prose.contains(" –"),
            "{lang:?}: a plain space before a dash (a no-break one instead): {text}"
        );
        let words: Vec<&str> = text.split(' ').collect();
        for pair in words.windows(2) {
            let (before, after) = (pair[0], pair[1]);
            let unit = after.trim_end_matches(['.', ',', ';', ':', ')', '!', '?']);
            let number = before.ends_with(|c: char| c.is_ascii_digit());
            assert!(
                !(number && UNITS.contains(&unit)),
                "{lang:?}: a plain space in {before:?} {after:?}: {text}"
            );
            let labelled =
                after.starts_with(|c: char| c.is_ascii_digit()) || after.starts_with("<code>");
            assert!(
                !(LABELS.contains(&before.trim_start_matches('(')) && labelled),
                "{lang:?}: a plain space in {before:?} {after:?}: {text}"
            );
        }
        let capitalised = |verb: &str| {
            let mut chars = verb.chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect::<String>())
        };
        let verbs = TAP
            .iter()
            .flat_map(|verb| [verb.to_string()].into_iter().chain(capitalised(verb)));
        for verb in verbs {
            for (at, _) in text.match_indices(&verb) {
                let next = &text[at + verb.len()..];
                let named = next.starts_with("<b>")
                    || next.starts_with('/')
                    || (verb.to_lowercase() == "нажмите " && next.starts_with("кнопку "));
                assert!(named, "{lang:?}: a button named without <b>: {text}");
            }
        }
        if lang == Lang::En {
            let words = prose.split(|c: char| !c.is_alphanumeric());
            for word in words.filter(|w| !w.is_empty()) {
                assert!(
                    !word.eq_ignore_ascii_case("id") || word == "ID",
                    "“ID”, not {word:?}: {text}"
                );
                let lower = word.to_lowercase();
                let ize = ["ize", "izes", "ized", "izing", "ization"]
                    .iter()
                    .any(|end| lower.ends_with(end));
                assert!(
                    !US_SPELLINGS.contains(&lower.as_str())
                        && (!ize || IZE_WORDS.contains(&lower.as_str())),
                    "an American spelling, {word:?}: {text}"
                );
            }
            return;
        }
        let plain: String = prose
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
                || prose.chars().all(|c| !c.is_alphabetic())
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

    /// Every label the bot puts on a button, in one language: those of every keyboard as the
    /// bot builds it, and every `button-*` / `*-button*` message of the files (so a new one is
    /// checked without being listed here).
    fn button_labels(lang: Lang) -> Vec<String> {
        use crate::bot::buttons::{self, Action};
        use crate::i18n::tests::{messages, render, samples};
        let v = verification(0);
        let mut keyboards = vec![
            buttons::keyboard(lang, 7),
            buttons::returning_keyboard(lang, 7),
            buttons::consent_keyboard(lang, 7),
            buttons::qr_instead(lang, Action::QrForQuestion(7)),
            buttons::language_keyboard(lang),
            buttons::pick(&[v.clone(), v], |v| Action::Cancel(v.id)),
            buttons::one_per_row(vec![(button_remove(lang, "Bob"), Action::Remove(5))]),
        ];
        let panel = crate::tr!(lang, "button-open-panel");
        keyboards.extend(buttons::open_panel(panel, "https://example.org/panel"));
        let mut labels: Vec<String> = keyboards
            .iter()
            .flat_map(|k| k.inline_keyboard.iter().flatten())
            .map(|button| button.text.clone())
            .collect();
        let share = buttons::share_phone_keyboard(lang);
        labels.extend(share.keyboard.iter().flatten().map(|b| b.text.clone()));
        for (id, message) in &messages(lang) {
            let label = id.starts_with("button-") || id.ends_with("-button");
            if label || id.contains("-button-") {
                for sample in samples(&[message]) {
                    labels.push(render(lang, id, &sample));
                }
            }
        }
        labels
    }

    /// Two buttons share a row under a "code sent" message and under the consent question, and
    /// a phone cuts a longer label: every label fits half a phone's width, 16 characters.
    #[test]
    fn every_button_label_fits_half_a_phone() {
        for lang in Lang::ALL {
            let labels = button_labels(lang);
            assert!(labels.len() > 15, "{labels:?}");
            for label in labels {
                let length = label.chars().count();
                assert!((1..=16).contains(&length), "{lang:?}: {length}: {label:?}");
            }
        }
    }

    /// A label as a text names it: without its emoji.
    fn named(label: &str) -> String {
        label.chars().skip_while(|c| !c.is_alphanumeric()).collect()
    }

    /// Every text of a language: the text functions' and every message of the files.
    fn every_text(lang: Lang) -> Vec<String> {
        use crate::i18n::tests::{messages, render, samples};
        let mut texts: Vec<String> = all(lang).into_iter().map(|(text, _)| text).collect();
        for (id, message) in &messages(lang) {
            texts.extend(samples(&[message]).iter().map(|s| render(lang, id, s)));
        }
        texts
    }

    /// The buttons that texts tell people to tap are named as they read on the button, and in
    /// bold, wherever a text names them.
    #[test]
    fn buttons_are_named_as_they_read_and_in_bold() {
        for lang in Lang::ALL {
            let share = named(&button_share_phone(lang));
            let qr = named(&button_qr(lang));
            let bold = |label: &str| format!("<b>{label}</b>");
            for text in [
                customer_welcome(lang),
                customer_not_theirs(lang),
                customer_forwarded(lang),
                customer_use_button(lang),
            ] {
                assert!(text.contains(&bold(&share)), "{lang:?}: {text}");
            }
            let view = View {
                viewer: 1,
                now: NOW,
                group: false,
                lang,
                tz: jiff::tz::TimeZone::UTC,
            };
            let caption = qr_caption("https://t.me/x?start=c_x", NOW + 600, None, &view);
            assert!(caption.contains(&bold(&share)), "{caption}");
            assert!(qr_offer(lang).contains(&bold(&qr)), "{lang:?}");
            let labels = button_labels(lang);
            for text in every_text(lang).iter().filter(|t| !labels.contains(t)) {
                for label in [&share, &qr] {
                    let plain = text.matches(label.as_str()).count();
                    let in_bold = text.matches(&bold(label)).count();
                    assert_eq!(plain, in_bold, "{lang:?}: {label:?} not in bold: {text}");
                }
            }
        }
    }

    /// The emoji of the texts, each for one thing: a new emoji is added here with what it means,
    /// and a thing that has its emoji keeps it (the QR code is 📷 in `/stats` as everywhere).
    const EMOJI: &[(char, &str)] = &[
        ('✅', "verified, done"),
        ('❌', "a wrong code"),
        ('⛔', "stopped: too many wrong codes, not allowed"),
        ('⌛', "expired"),
        ('⏳', "waiting, still open"),
        ('⚠', "a problem"),
        ('🚫', "cancelled, revoked"),
        ('📷', "the QR code, the free check"),
        ('📨', "a code sent"),
        ('🔒', "admins only, private"),
        ('📊', "figures, the panel"),
        ('📈', "the chart"),
        ('📡', "events"),
        ('🗑', "removed, given up"),
        ('🔁', "send again"),
        ('📤', "delivery: sent"),
        ('📬', "delivery: delivered"),
        ('👁', "delivery: read"),
        ('💸', "a refund"),
        ('💰', "the Gateway balance"),
        ('🎉', "welcome aboard"),
        ('👋', "hello"),
        ('👤', "a new colleague"),
        ('👥', "who has access"),
        ('🔗', "an invite link"),
        ('🤝', "the customer's consent"),
        ('🔍', "what the bot knows of a number"),
        ('📢', "the channel codes are sent from"),
        ('📋', "open verifications"),
        ('🌐', "the language"),
        ('🧾', "the CSV export"),
        ('📗', "the Excel workbook"),
        ('🕑', "history"),
        ('🔕', "a code ended by a QR check"),
        ('🚦', "a limit"),
        ('🔢', "the code's length"),
        ('♻', "a limit cleared"),
        ('📱', "the customer's number"),
        ('👇', "the button below"),
        ('✖', "cancel"),
        ('✓', "the current choice"),
    ];

    fn is_emoji(c: char) -> bool {
        matches!(u32::from(c), 0x2300..=0x23FF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0x1F000..=0x1FAFF)
    }

    #[test]
    fn one_emoji_per_concept() {
        let emoji: std::collections::BTreeSet<char> = EMOJI.iter().map(|(e, _)| *e).collect();
        let concepts: std::collections::BTreeSet<&str> = EMOJI.iter().map(|(_, c)| *c).collect();
        assert_eq!(emoji.len(), EMOJI.len(), "an emoji listed twice");
        assert_eq!(concepts.len(), EMOJI.len(), "a concept with two emoji");
        for lang in Lang::ALL {
            let texts = every_text(lang).into_iter().chain(button_labels(lang));
            for text in texts {
                for c in text.chars().filter(|c| is_emoji(*c)) {
                    assert!(emoji.contains(&c), "{lang:?}: {c} is not in EMOJI: {text}");
                }
            }
        }
    }

    /// The panel marks each outcome with the bot's emoji for it (`MARKS` in its script).
    #[test]
    fn the_panel_marks_outcomes_as_the_bot_does() {
        let script = include_str!("../../panel/assets/app.js");
        let marks = script
            .split_once("const MARKS = {")
            .and_then(|(_, rest)| rest.split_once("};"))
            .expect("MARKS in app.js")
            .0;
        let mut seen = 0;
        for pair in marks.split(',').filter(|p| !p.trim().is_empty()) {
            let (status, mark) = pair.split_once(':').expect("status: 'mark'");
            let status = Status::try_from(status.trim().to_owned()).expect("a status");
            let mark = mark.trim().trim_matches('\'');
            assert_eq!(mark, outcome_emoji(status), "{status:?}");
            seen += 1;
        }
        assert_eq!(seen, 7, "{marks}");
    }

    /// Where a paid send is refused (today's budget, the Gateway balance, the channel), the
    /// customer at the counter can still be checked for free: the text says how.
    #[test]
    fn a_refused_paid_send_offers_the_free_check() {
        for lang in Lang::ALL {
            let view = View {
                viewer: 1,
                now: NOW,
                group: false,
                lang,
                tz: jiff::tz::TimeZone::UTC,
            };
            let budget = Refusal::Budget {
                budget: 5.0,
                spent: 5.0,
                frees_at: NOW + 60,
            };
            let sender = SendOutcome::SenderRefused {
                problem: SenderProblem::NotOwned,
                sender: "my_shop".into(),
                prechecked: false,
            };
            let balance = GatewayError::Api(ApiError::BalanceNotEnough);
            for (outcome, offered) in [
                (SendOutcome::Refused(budget), true),
                (SendOutcome::Failed(balance), true),
                (sender, true),
                (
                    SendOutcome::Refused(Refusal::Cooldown { frees_at: NOW }),
                    false,
                ),
                (
                    SendOutcome::Failed(GatewayError::Api(ApiError::PhoneNumberInvalid)),
                    false,
                ),
            ] {
                assert_eq!(outcome.free_check_helps(), offered, "{outcome:?}");
                let text = send_outcome(&outcome, &view);
                assert_eq!(text.contains(&qr_offer(lang)), offered, "{text}");
            }
        }
    }

    /// `/staff` names the Remove buttons and `/staff remove` only when someone on the list can
    /// be removed (there are buttons under it).
    #[test]
    fn the_staff_list_names_buttons_only_when_there_are_some() {
        let tz = jiff::tz::TimeZone::UTC;
        for lang in Lang::ALL {
            let with = staff_list(lang, &[], &[1001], true, &tz);
            assert!(with.contains("/staff remove"), "{with}");
            let without = staff_list(lang, &[], &[1001], false, &tz);
            assert!(!without.contains("/staff remove"), "{without}");
            assert!(without.contains("/invite"), "{without}");
        }
    }

    /// `/stats` groups the digits of its numbers as the chart does.
    #[test]
    fn stats_numbers_are_grouped_like_the_chart() {
        let row = PeriodStats {
            sent: 12_345,
            verified: 10_001,
            failed: 0,
            expired: 0,
            cancelled: 0,
            spent: 0.0,
            refunded: 0.0,
            by_contact: 1_500,
        };
        let day = crate::chart::DayActivity {
            day_start: NOW,
            sent: 12_345,
            verified: 10_001,
        };
        for lang in Lang::ALL {
            let chart = chart_labels(lang, &[day], &jiff::tz::TimeZone::UTC);
            let grouped = crate::i18n::count(lang, 12_345);
            assert!(chart.sent.ends_with(&grouped), "{}", chart.sent);
            let text = stats(lang, &[("x", &row)], None, &jiff::tz::TimeZone::UTC);
            assert!(text.contains(&format!(": {grouped}")), "{text}");
            assert!(!text.contains("12345"), "{text}");
        }
        assert_eq!(crate::i18n::count(Lang::Ru, 12_345), "12\u{a0}345");
    }

    /// The house style catches what it is for (and passes the same texts written well; `~` is
    /// a no-break space).
    #[test]
    fn the_house_style_catches_each_slip() {
        use Lang::{En, Ru};
        let slips = [
            (En, "Valid for 5 minutes.", "Valid for 5~minutes."),
            (En, "In 1 h 30~min.", "In 1~h 30~min."),
            (Ru, "Действует 5 минут.", "Действует 5~минут."),
            (Ru, "Итого: 50 %", "Итого: 50~%"),
            (Ru, "Ваш ID <code>5</code>.", "Ваш ID~<code>5</code>."),
            (En, "by user 5.", "by user~5."),
            (Ru, "Бот — для сотрудников.", "Бот~— для сотрудников."),
            (En, "Your Telegram id is 5.", "Your Telegram ID is 5."),
            (En, "I can't.", "I can’t."),
            (En, "The \"Code sent\" message.", "The “Code sent” message."),
            (
                Ru,
                "Сообщение \"Код отправлен\".",
                "Сообщение «Код отправлен».",
            ),
            (En, "It was canceled.", "It was cancelled."),
            (En, "I don’t recognize it.", "I don’t recognise it."),
            (En, "Then tap Start.", "Then tap <b>Start</b>."),
            (
                Ru,
                "Нажмите «Запустить».",
                "Нажмите кнопку <b>Запустить</b>.",
            ),
            (Ru, "Ваш id: 5.", "Ваш ID: 5."),
        ];
        for (lang, slip, right) in slips {
            let nb = |text: &str| text.replace('~', "\u{a0}");
            assert_house_style(lang, &nb(right));
            let caught = std::panic::catch_unwind(|| assert_house_style(lang, &nb(slip)));
            assert!(caught.is_err(), "not caught: {slip:?}");
        }
        // What sits in <code> is copied as it is.
        assert_house_style(Lang::En, "By its <code>webhook-id</code>.");
    }
}
