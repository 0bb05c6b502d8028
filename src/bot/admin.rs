//! Admin handlers: invites, the staff list, resets. The tree lets only admins reach them.

use std::sync::Arc;

use teloxide::prelude::*;
use teloxide::types::{InputFile, Me, ParseMode, User};

use super::reply::{apologise, reply, send};
use super::{HandlerResult, Settings, callbacks, menu, texts};
use crate::i18n::Lang;
use crate::phone::{PhoneError, PhoneNumber};
use crate::store::{ExportRecord, Role, Store, StoreError};
use crate::verification::Verifier;
use crate::{chart, export, invite, now};

const DAY: i64 = 86_400;

/// An admin command from staff who are not admins.
pub async fn admins_only(bot: Bot, msg: Message, lang: Lang) -> HandlerResult {
    reply(&bot, &msg, texts::admins_only(lang)).await
}

/// `/invite` (staff) or `/invite admin`: a one-time deep link.
// Handlers take their dependencies one by one, as the handler tree injects them.
#[allow(clippy::too_many_arguments)]
pub async fn invite(
    bot: Bot,
    msg: Message,
    lang: Lang,
    user: User,
    kind: String,
    me: Me,
    store: Store,
    settings: Arc<Settings>,
) -> HandlerResult {
    let role = match kind.trim().to_lowercase().as_str() {
        "" | "staff" => Role::Staff,
        "admin" => Role::Admin,
        _ => return reply(&bot, &msg, texts::invite_usage(lang)).await,
    };
    let token = invite::new_token();
    let expires_at = now() + i64::from(settings.invite_ttl);
    let created = store
        .create_invite(
            &invite::hash(&token),
            role,
            user.id.0 as i64,
            expires_at,
            now(),
        )
        .await;
    if let Err(err) = created {
        return apologise(&bot, &msg, lang, err).await;
    }
    tracing::info!(admin = user.id.0, role = role.as_str(), "invite created");
    let link = invite::deep_link(me.username(), &token);
    reply(
        &bot,
        &msg,
        texts::invite_created(lang, &link, role, settings.invite_ttl),
    )
    .await
}

/// `/staff` lists everyone with access (with a Remove button each); `/staff remove <id>`.
pub async fn staff(
    bot: Bot,
    msg: Message,
    lang: Lang,
    user: User,
    args: String,
    store: Store,
    settings: Arc<Settings>,
) -> HandlerResult {
    let mut words = args.split_whitespace();
    match (words.next(), words.next()) {
        (None, _) => {}
        (Some("remove"), Some(id)) => {
            let Ok(target) = id.parse::<i64>() else {
                return reply(&bot, &msg, texts::staff_remove_usage(lang)).await;
            };
            let text = remove(lang, &bot, &store, &settings, user.id.0 as i64, target).await;
            return match text {
                Ok(text) => reply(&bot, &msg, text).await,
                Err(err) => apologise(&bot, &msg, lang, err).await,
            };
        }
        _ => return reply(&bot, &msg, texts::staff_remove_usage(lang)).await,
    }
    let members = match store.list_staff().await {
        Ok(members) => members,
        Err(err) => return apologise(&bot, &msg, lang, err).await,
    };
    let text = texts::staff_list(lang, &members, &settings.admin_ids, &settings.time_zone);
    let removable: Vec<(String, String)> = members
        .iter()
        .filter(|m| m.user_id != user.id.0 as i64)
        .map(|m| {
            (
                texts::button_remove(lang, &m.name),
                callbacks::remove_data(m.user_id),
            )
        })
        .collect();
    let buttons = (!removable.is_empty()).then(|| callbacks::one_per_row(removable));
    send(&bot, &msg, text, buttons).await?;
    Ok(())
}

/// Takes someone's access away; returns the reply for the admin.
pub async fn remove(
    lang: Lang,
    bot: &Bot,
    store: &Store,
    settings: &Settings,
    admin: i64,
    target: i64,
) -> Result<String, StoreError> {
    if settings.admin_ids.contains(&(target as u64)) {
        return Ok(texts::cannot_remove_configured_admin(lang, target));
    }
    if target == admin {
        return Ok(texts::cannot_remove_self(lang));
    }
    let was_admin = store.role_of(target).await? == Some(Role::Admin);
    if !store.remove_staff(target, admin, now()).await? {
        return Ok(texts::not_staff(lang, target));
    }
    tracing::info!(admin, user = target, "access removed");
    if was_admin {
        menu::hide_admin_menu(bot, target).await;
    }
    let name = store.staff_name(target).await?.unwrap_or_default();
    Ok(texts::staff_removed(lang, &name, target))
}

/// `/reset <number>`: earlier sends to the number no longer count against its limits.
pub async fn reset(
    bot: Bot,
    msg: Message,
    lang: Lang,
    user: User,
    number: String,
    verifier: Verifier,
    settings: Arc<Settings>,
) -> HandlerResult {
    let text = match PhoneNumber::parse(&number, settings.default_region) {
        Err(PhoneError::Empty) => texts::reset_usage(lang),
        Err(err) => texts::bad_phone(lang, &number, &err),
        Ok(phone) => match verifier.reset_phone(&phone, user.id.0 as i64).await {
            Ok(()) => texts::reset_done(lang, &phone),
            Err(err) => return apologise(&bot, &msg, lang, err).await,
        },
    };
    reply(&bot, &msg, text).await
}

/// `/stats`: today, 7 and 30 days in numbers, then a chart of the last 30 days.
pub async fn stats(bot: Bot, msg: Message, lang: Lang, store: Store) -> HandlerResult {
    let now = now();
    let since = [now - now.rem_euclid(DAY), now - 7 * DAY, now - 30 * DAY];
    let mut periods = Vec::with_capacity(since.len());
    for start in since {
        match store.period_stats(start).await {
            Ok(stats) => periods.push(stats),
            Err(err) => return apologise(&bot, &msg, lang, err).await,
        }
    }
    let (balance, activity) = match (
        store.last_balance().await,
        store.daily_activity(30, now).await,
    ) {
        (Ok(balance), Ok(activity)) => (balance, activity),
        (Err(err), _) | (_, Err(err)) => return apologise(&bot, &msg, lang, err).await,
    };
    let names = texts::stats_periods(lang);
    let named: Vec<(&str, &_)> = names.iter().map(String::as_str).zip(&periods).collect();
    reply(&bot, &msg, texts::stats(lang, &named, balance)).await?;

    let days: Vec<chart::DayActivity> = activity
        .into_iter()
        .map(|(day_start, sent, verified)| chart::DayActivity {
            day_start,
            sent,
            verified,
        })
        .collect();
    // Drawing is CPU work: keep it off the async workers.
    let labels = texts::chart_labels(lang);
    let png = tokio::task::spawn_blocking(move || chart::activity_png_with(&days, &labels)).await?;
    match png {
        Ok(png) => {
            bot.send_photo(msg.chat.id, InputFile::memory(png).file_name("stats.png"))
                .caption(texts::stats_chart_caption(lang))
                .await?;
        }
        Err(err) => tracing::error!("cannot draw the stats chart: {err}"),
    }
    Ok(())
}

/// `/export [days]`: a CSV document of the verifications of the last `days` days (default 30).
pub async fn export(
    bot: Bot,
    msg: Message,
    lang: Lang,
    days: String,
    store: Store,
) -> HandlerResult {
    let days = match days.trim() {
        "" => 30,
        n => match n.parse::<u32>() {
            Ok(n) if (1..=366).contains(&n) => n,
            _ => return reply(&bot, &msg, texts::export_usage(lang)).await,
        },
    };
    let records = match store.export(now() - i64::from(days) * DAY).await {
        Ok(records) => records,
        Err(err) => return apologise(&bot, &msg, lang, err).await,
    };
    if records.is_empty() {
        return reply(&bot, &msg, texts::export_empty(lang, days)).await;
    }
    let rows: Vec<export::ExportRow> = records.into_iter().map(export_row).collect();
    let csv = export::to_csv(&rows);
    let today = export::iso_utc(now());
    let file = InputFile::memory(csv).file_name(texts::export_file_name(&today[..10]));
    bot.send_document(msg.chat.id, file)
        .caption(texts::export_caption(lang, rows.len(), days))
        .parse_mode(ParseMode::Html)
        .await?;
    Ok(())
}

fn export_row(record: ExportRecord) -> export::ExportRow {
    export::ExportRow {
        created_at: record.created_at,
        staff_id: record.staff_user_id,
        staff_name: record.staff_name.unwrap_or_default(),
        phone: record.phone,
        request_id: record.request_id,
        final_status: record.status,
        delivery_status: record.delivery_status,
        cost: record.request_cost,
        refunded: record.is_refunded,
        checked_at: record.checked_at,
    }
}
