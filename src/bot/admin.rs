//! Admin handlers: invites, the staff list, resets, `/stats`, `/export` and `/events`. The tree
//! lets only admins reach them.
//!
//! What only the admin should see (an invite link, the staff list, the money figures of
//! `/stats`, an export of phone numbers) never goes to a group, where customers may read along:
//! there it is sent to the admin's private chat ([`privately`]).

use std::sync::Arc;

use teloxide::prelude::*;
use teloxide::types::{InlineKeyboardMarkup, InputFile, Me};

use super::buttons::{self, Action};
use super::context::{HandlerResult, Settings, TgBot, TypedPhone};
use super::exporting;
use super::menu;
use super::reply::{OrApologise, drop_buttons, patiently, privately, reply, send_to};
use super::texts::{self, NumberFor, View};
use crate::i18n::Lang;
use crate::people::{People, Removal};
use crate::phone::PhoneError;
use crate::store::{Role, Store, StoreError};
use crate::verification::Verifier;
use crate::{chart, invite, now, tr};

const DAY: i64 = 86_400;

/// The most Remove buttons under the `/staff` list.
const MAX_BUTTONS: usize = 90;

/// An admin command from staff who are not admins.
pub async fn admins_only(bot: TgBot, msg: Message, lang: Lang) -> HandlerResult {
    reply(&bot, &msg, texts::admins_only(lang)).await
}

/// `/invite` (staff) or `/invite admin`: a one-time deep link.
pub async fn invite(
    bot: TgBot,
    msg: Message,
    kind: String,
    view: View,
    me: Me,
    store: Store,
    settings: Arc<Settings>,
) -> HandlerResult {
    let lang = view.lang;
    let Some(role) = invite_role(&kind) else {
        return reply(&bot, &msg, texts::invite_usage(lang)).await;
    };
    let token = invite::new_token();
    let expires_at = now() + i64::from(settings.invite_ttl);
    let admin = view.viewer;
    let created = store
        .create_invite(&invite::hash(&token), role, admin, expires_at, now())
        .await;
    created.or_apologise(&msg, lang)?;
    tracing::info!(admin, role = role.as_str(), "invite created");
    let link = invite::deep_link(me.username(), &token);
    let text = texts::invite_created(lang, &link, role, settings.invite_ttl);
    let to = bot.clone();
    privately(&bot, &msg, &view, &me, |chat| async move {
        send_to(&to, chat, text, None).await.map(drop)
    })
    .await
}

/// What `/staff` was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffArgs {
    List,
    Remove(i64),
}

impl StaffArgs {
    /// `` (the list) or `remove <user id>`; anything else is `None` (the usage is shown).
    pub fn parse(args: &str) -> Option<StaffArgs> {
        let mut words = args.split_whitespace();
        match (words.next(), words.next(), words.next()) {
            (None, _, _) => Some(StaffArgs::List),
            (Some(verb), Some(id), None) if verb.eq_ignore_ascii_case("remove") => id
                .parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .map(StaffArgs::Remove),
            _ => None,
        }
    }
}

/// `/invite` or `/invite staff` (staff), `/invite admin`; anything else is `None`.
pub fn invite_role(args: &str) -> Option<Role> {
    match args.trim().to_lowercase().as_str() {
        "" | "staff" => Some(Role::Staff),
        "admin" => Some(Role::Admin),
        _ => None,
    }
}

/// `/export [days]`: 1–366 days, 30 when not given; anything else is `None`.
pub fn export_days(args: &str) -> Option<u32> {
    match args.trim() {
        "" => Some(30),
        n => n.parse::<u32>().ok().filter(|n| (1..=366).contains(n)),
    }
}

/// `/staff` lists everyone with access (with a Remove button each); `/staff remove <id>`.
pub async fn staff(
    bot: TgBot,
    msg: Message,
    args: String,
    view: View,
    me: Me,
    people: People,
) -> HandlerResult {
    let (lang, admin) = (view.lang, view.viewer);
    let (text, buttons) = match StaffArgs::parse(&args) {
        None => (texts::staff_remove_usage(lang), None),
        Some(StaffArgs::Remove(target)) => {
            let removal = people
                .remove(admin, target)
                .await
                .or_apologise(&msg, lang)?;
            (removed(&bot, lang, target, removal).await, None)
        }
        Some(StaffArgs::List) => staff_list(&view, &people).await.or_apologise(&msg, lang)?,
    };
    let to = bot.clone();
    privately(&bot, &msg, &view, &me, |chat| async move {
        send_to(&to, chat, text, buttons).await.map(drop)
    })
    .await
}

/// The `/staff` list, with a Remove button for everyone but the admin asking.
async fn staff_list(
    view: &View,
    people: &People,
) -> Result<(String, Option<InlineKeyboardMarkup>), StoreError> {
    let (lang, admin) = (view.lang, view.viewer);
    let members = people.list().await?;
    // Telegram takes at most 100 buttons under a message; beyond that `/staff remove <id>` works.
    let removable: Vec<(String, Action)> = members
        .iter()
        .filter(|m| m.user_id != admin)
        .take(MAX_BUTTONS)
        .map(|m| {
            (
                texts::button_remove(lang, &m.name),
                Action::Remove(m.user_id),
            )
        })
        .collect();
    let text = texts::staff_list(
        lang,
        &members,
        people.admin_ids(),
        !removable.is_empty(),
        &view.tz,
    );
    let buttons = (!removable.is_empty()).then(|| buttons::one_per_row(removable));
    Ok((text, buttons))
}

/// What a removal did, told to the admin; the Telegram side of it done first: the removed
/// person's code messages lose their buttons, a former admin their admin menu, and the menu
/// button no longer opens the admin panel.
pub async fn removed(bot: &TgBot, lang: Lang, target: i64, removal: Removal) -> String {
    match removal {
        Removal::ConfiguredAdmin => texts::cannot_remove_configured_admin(lang, target),
        Removal::Themselves => texts::cannot_remove_self(lang),
        Removal::NotStaff => texts::not_staff(lang, target),
        Removal::Removed {
            name,
            was_admin,
            cancelled,
            invites_revoked,
        } => {
            for verification in &cancelled {
                drop_buttons(bot, verification).await;
            }
            if was_admin {
                menu::hide_admin_menu(bot, target).await;
            }
            menu::hide_panel_button(bot, target).await;
            texts::staff_removed(lang, &name, target, cancelled.len(), invites_revoked)
        }
    }
}

/// `/reset <number>`: earlier sends to the number no longer count against its limits. In a
/// group the answer masks the number, as every answer there does.
pub async fn reset(
    bot: TgBot,
    msg: Message,
    typed: TypedPhone,
    view: View,
    verifier: Verifier,
) -> HandlerResult {
    let lang = view.lang;
    let text = match &typed.phone {
        Err(PhoneError::Empty) => texts::reset_usage(lang),
        Err(err) => texts::bad_phone(lang, NumberFor::Reset, &typed.text, err),
        Ok(phone) => {
            verifier
                .reset_phone(phone, view.viewer)
                .await
                .or_apologise(&msg, lang)?;
            texts::reset_done(phone, &view)
        }
    };
    reply(&bot, &msg, text).await
}

/// `/stats`: today, 7 and 30 days in numbers, then a chart of the last 30 days. Money figures
/// are for the admin alone: from a group they go to the admin's private chat.
pub async fn stats(bot: TgBot, msg: Message, view: View, me: Me, store: Store) -> HandlerResult {
    let lang = view.lang;
    let now = now();
    // Days in TIME_ZONE: today, the 7 and the 30 days up to today.
    let days = crate::store::local_days(now, &view.tz, 30);
    let since = [days[29], days[23], days[0]];
    let mut periods = Vec::with_capacity(since.len());
    for start in since {
        periods.push(
            store
                .period_stats(start, None)
                .await
                .or_apologise(&msg, lang)?,
        );
    }
    let balance = store.last_balance().await.or_apologise(&msg, lang)?;
    let activity = store
        .daily_activity(30, now, &view.tz)
        .await
        .or_apologise(&msg, lang)?;
    let names = texts::stats_periods(lang);
    let named: Vec<(&str, &_)> = names.iter().map(String::as_str).zip(&periods).collect();
    let text = texts::stats(lang, &named, balance, &view.tz);

    let days: Vec<chart::DayActivity> = activity
        .into_iter()
        .map(|(day_start, sent, verified)| chart::DayActivity {
            day_start,
            sent,
            verified,
        })
        .collect();
    // Drawing is CPU work: keep it off the async workers.
    let labels = texts::chart_labels(lang, &days, &view.tz);
    let png = tokio::task::spawn_blocking(move || chart::activity_png(&days, &labels)).await?;
    let png = png
        .inspect_err(|err| tracing::error!("cannot draw the stats chart: {err}"))
        .ok();
    let to = bot.clone();
    privately(&bot, &msg, &view, &me, |chat| async move {
        send_to(&to, chat, text, None).await?;
        if let Some(png) = png {
            let photo = InputFile::memory(png).file_name("stats.png");
            let caption = texts::stats_chart_caption(lang);
            patiently(|| to.send_photo(chat, photo.clone()).caption(caption.clone())).await?;
        }
        Ok(())
    })
    .await
}

/// `/export [days]`: the verifications of the last days as a CSV file and an Excel workbook
/// (in parts when big: see [`super::exporting`]), always in the admin's private chat.
pub async fn export(
    bot: TgBot,
    msg: Message,
    days: String,
    view: View,
    me: Me,
    store: Store,
    settings: Arc<Settings>,
) -> HandlerResult {
    let lang = view.lang;
    let Some(days) = export_days(&days) else {
        return reply(&bot, &msg, texts::export_usage(lang)).await;
    };
    let (since, until) = (now() - i64::from(days) * DAY, now() + 1);
    let found = exporting::span(&store, since, until).await;
    let Some(span) = found.or_apologise(&msg, lang)? else {
        return reply(&bot, &msg, texts::export_empty(lang, days)).await;
    };
    let job = exporting::Job {
        since,
        until,
        span,
        lang,
        caption: Box::new(move |rows| texts::export_caption(lang, rows, days)),
    };
    let (to, store) = (bot.clone(), store.clone());
    privately(&bot, &msg, &view, &me, |chat| async move {
        exporting::run(&to, &store, &settings, chat, job).await
    })
    .await
}

/// What `/events` was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventsArgs {
    State,
    Resend,
}

impl EventsArgs {
    /// `` (the state) or `resend`; anything else is `None` (the usage is shown).
    pub fn parse(args: &str) -> Option<EventsArgs> {
        match args.trim().to_lowercase().as_str() {
            "" => Some(EventsArgs::State),
            "resend" => Some(EventsArgs::Resend),
            _ => None,
        }
    }
}

/// `/events`: how delivery to `EVENTS_URL` goes (its state, last success, pending and given-up
/// events); `/events resend` queues the given-up events again. The URL and the last error are
/// for the admin alone: from a group they go to the admin's private chat.
pub async fn events(
    bot: TgBot,
    msg: Message,
    args: String,
    view: View,
    me: Me,
    store: Store,
    settings: Arc<Settings>,
) -> HandlerResult {
    let lang = view.lang;
    let Some(args) = EventsArgs::parse(&args) else {
        return reply(&bot, &msg, tr!(lang, "events-usage")).await;
    };
    let Some(url) = settings.events_url.as_deref() else {
        return reply(&bot, &msg, tr!(lang, "events-off")).await;
    };
    let text = match args {
        EventsArgs::State => {
            let endpoint = store.endpoint(url).await.or_apologise(&msg, lang)?;
            let summary = store.events_summary(now()).await.or_apologise(&msg, lang)?;
            texts::events_state(&view, url, endpoint.as_ref(), &summary, now())
        }
        EventsArgs::Resend => {
            let queued = store
                .resend_given_up(now())
                .await
                .or_apologise(&msg, lang)?;
            tracing::info!(admin = view.viewer, queued, "given-up events queued again");
            texts::events_resent(lang, queued)
        }
    };
    let to = bot.clone();
    privately(&bot, &msg, &view, &me, |chat| async move {
        send_to(&to, chat, text, None).await.map(drop)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn command_arguments_read_as_documented() {
        assert_eq!(StaffArgs::parse(""), Some(StaffArgs::List));
        assert_eq!(StaffArgs::parse(" remove 42 "), Some(StaffArgs::Remove(42)));
        assert_eq!(StaffArgs::parse("REMOVE 42"), Some(StaffArgs::Remove(42)));
        for bad in [
            "remove",
            "remove me",
            "remove 1 2",
            "remove -5",
            "remove 0",
            "add 5",
        ] {
            assert_eq!(StaffArgs::parse(bad), None, "{bad}");
        }
        assert_eq!(export_days(""), Some(30));
        assert_eq!(export_days(" 7 "), Some(7));
        for bad in ["0", "367", "-1", "7d", "1e3"] {
            assert_eq!(export_days(bad), None, "{bad}");
        }
        assert_eq!(invite_role(""), Some(Role::Staff));
        assert_eq!(invite_role(" Admin "), Some(Role::Admin));
        assert_eq!(invite_role("owner"), None);
        assert_eq!(EventsArgs::parse(""), Some(EventsArgs::State));
        assert_eq!(EventsArgs::parse(" Resend "), Some(EventsArgs::Resend));
        assert_eq!(EventsArgs::parse("resend all"), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Whatever follows a command, it reads as one of its forms or as nothing (the usage is
        /// shown); it never panics.
        #[test]
        fn any_text_after_a_command_reads_or_is_refused(args in "\\PC{0,80}|[ a-z0-9-]{0,30}") {
            if let Some(StaffArgs::Remove(id)) = StaffArgs::parse(&args) {
                prop_assert!(id > 0);
                prop_assert!(args.contains(&id.to_string()));
            }
            if let Some(days) = export_days(&args) {
                prop_assert!((1..=366).contains(&days));
            }
            if invite_role(&args).is_some() {
                prop_assert!(["", "staff", "admin"].contains(&args.trim().to_lowercase().as_str()));
            }
        }

        #[test]
        fn a_typed_user_id_is_read_exactly(id in 1i64.., spaces in " {1,3}") {
            let typed = format!("remove{spaces}{id}");
            prop_assert_eq!(StaffArgs::parse(&typed), Some(StaffArgs::Remove(id)));
        }

        #[test]
        fn export_days_are_read_exactly(days in 0u32..1000) {
            let expected = (1..=366).contains(&days).then_some(days);
            prop_assert_eq!(export_days(&days.to_string()), expected);
        }
    }
}
