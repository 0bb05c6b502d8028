//! Messages to every admin that the bot sends on its own: Gateway balance alerts, problems
//! with the channel codes are sent from, and events that cannot be delivered.

use std::sync::Arc;

use teloxide::prelude::*;
use tokio::sync::mpsc;

use super::context::{Settings, TgBot, lang_of};
use super::reply::send_to;
use super::texts;
use crate::events::deliver::EventsAlert;
use crate::i18n::Lang;
use crate::store::{Store, StoreError};
use crate::verification::AdminAlert;

/// Tells every admin (from `ADMIN_IDS` and stored) about each alert, in their language.
pub async fn alert_admins(
    bot: TgBot,
    store: Store,
    settings: Arc<Settings>,
    alerts: mpsc::UnboundedReceiver<AdminAlert>,
) {
    tell_admins(bot, store, settings, alerts, |lang, alert| {
        texts::admin_alert(lang, alert)
    })
    .await
}

/// Tells every admin about events that cannot be delivered, and when they can again.
pub async fn alert_admins_of_events(
    bot: TgBot,
    store: Store,
    settings: Arc<Settings>,
    alerts: mpsc::UnboundedReceiver<EventsAlert>,
) {
    tell_admins(bot, store, settings, alerts, |lang, alert| {
        texts::events_alert(lang, alert, crate::now())
    })
    .await
}

/// Tells every admin each alert, in words `text` finds in their language.
async fn tell_admins<A>(
    bot: TgBot,
    store: Store,
    settings: Arc<Settings>,
    mut alerts: mpsc::UnboundedReceiver<A>,
    text: impl Fn(Lang, &A) -> String,
) {
    while let Some(alert) = alerts.recv().await {
        let admins = match all_admins(&store, &settings).await {
            Ok(admins) => admins,
            Err(err) => {
                tracing::error!("cannot list the admins for an alert: {err}");
                continue;
            }
        };
        for admin in admins {
            let lang = lang_of(&store, admin, settings.default_lang).await;
            let text = text(lang, &alert);
            let sent = send_to(&bot, ChatId(admin), text, None).await;
            if let Err(err) = sent {
                tracing::warn!(admin, "could not deliver an alert: {err}");
            }
        }
    }
}

/// Admins from `ADMIN_IDS` and stored ones, each once.
pub async fn all_admins(store: &Store, settings: &Settings) -> Result<Vec<i64>, StoreError> {
    let mut admins: Vec<i64> = settings.admin_ids.iter().map(|id| *id as i64).collect();
    admins.extend(store.stored_admins().await?);
    admins.sort_unstable();
    admins.dedup();
    Ok(admins)
}
