//! Meeting the Bot API at start-up: who the bot is (retrying a network that is not up yet),
//! the command menus per role, the admin panel in the menu button of everyone with access, and
//! the one-time owner link while the bot has no admin.

use std::time::Duration;

use anyhow::Context;
use teloxide::prelude::*;
use teloxide::types::Me;

use super::Command;
use super::alerts::all_admins;
use super::context::{Settings, TgBot, lang_of};
use super::menu::Menus;
use crate::store::Store;
use crate::{invite, now};

/// Who the bot is; its menus registered and, with no admin yet, the owner link printed.
pub async fn meet(bot: &TgBot, store: &Store, settings: &Settings) -> anyhow::Result<Me> {
    let me = get_me(bot).await?;
    let admins = all_admins(store, settings).await?;
    let menus = Command::menus(settings.panel_url.as_deref());
    menus.register(bot, &admins).await;
    show_panel_buttons(bot, store, settings, &menus, &admins).await?;
    announce_owner_link(store, settings, &me).await?;
    Ok(me)
}

/// The admin panel in the menu button of everyone with access, in their language (their
/// access may predate the panel, or `PUBLIC_URL` may have changed).
async fn show_panel_buttons(
    bot: &TgBot,
    store: &Store,
    settings: &Settings,
    menus: &Menus,
    admins: &[i64],
) -> anyhow::Result<()> {
    if settings.panel_url.is_none() {
        return Ok(());
    }
    let mut people = admins.to_vec();
    people.extend(store.list_staff().await?.iter().map(|m| m.user_id));
    people.sort_unstable();
    people.dedup();
    for user in people {
        let lang = lang_of(store, user, settings.default_lang).await;
        menus.show_panel_button(bot, user, lang).await;
    }
    Ok(())
}

/// Asks the Bot API who we are, retrying network failures for about half a minute. A rejected
/// token fails at once.
async fn get_me(bot: &TgBot) -> anyhow::Result<Me> {
    let mut delay = Duration::from_millis(500);
    for attempt in 1.. {
        match bot.get_me().await {
            Ok(me) => return Ok(me),
            Err(teloxide::RequestError::Api(teloxide::ApiError::InvalidToken)) => {
                anyhow::bail!("TELOXIDE_TOKEN was rejected by Telegram; check it with @BotFather")
            }
            Err(err) if attempt < 6 => {
                tracing::warn!("cannot reach the Telegram Bot API (attempt {attempt}): {err}");
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
            Err(err) => return Err(err).context("cannot reach the Telegram Bot API"),
        }
    }
    unreachable!("the loop returns")
}

/// How long an owner link another replica just printed is left alone.
const OWNER_LINK_FRESH: i64 = 60;

/// With no admin configured or stored, prints a one-time link whose first visitor becomes admin
/// (one link for replicas starting together: the others say where it is).
async fn announce_owner_link(store: &Store, settings: &Settings, me: &Me) -> anyhow::Result<()> {
    if !settings.admin_ids.is_empty() || store.has_admin().await? {
        return Ok(());
    }
    let token = invite::new_token();
    let fresh_since = now() - OWNER_LINK_FRESH;
    if !store
        .replace_owner_invite(&invite::hash(&token), fresh_since, now())
        .await?
    {
        tracing::info!(
            "No admin yet. Another instance has just printed the one-time owner link: see its log"
        );
        return Ok(());
    }
    tracing::info!(
        "No admin yet. Open this one-time link in Telegram to become the bot's owner: {}",
        invite::deep_link(me.username(), &token)
    );
    Ok(())
}
