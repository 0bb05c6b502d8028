//! The command menus, per role (`setMyCommands` scopes): staff see the staff commands; each
//! admin's private chat also lists the admin commands. Every menu is registered in English (no
//! `language_code`) and in Russian (`language_code` `ru`); Telegram shows the one matching the
//! user's app. The menu is not access control: the handler tree enforces access.

use teloxide::prelude::*;
use teloxide::types::{BotCommand, BotCommandScope, Recipient};

use super::context::TgBot;
use super::texts::{self, Lang};

const STAFF: [&str; 8] = [
    "verify", "qr", "lookup", "status", "cancel", "history", "language", "help",
];
const ADMIN: [&str; 5] = ["invite", "staff", "stats", "export", "reset"];

fn commands(lang: Lang, names: &[&str]) -> Vec<BotCommand> {
    names
        .iter()
        .map(|name| BotCommand::new(*name, texts::menu(lang, name)))
        .collect()
}

pub fn staff_commands(lang: Lang) -> Vec<BotCommand> {
    commands(lang, &STAFF)
}

pub fn admin_commands(lang: Lang) -> Vec<BotCommand> {
    let mut all = staff_commands(lang);
    all.extend(commands(lang, &ADMIN));
    all
}

/// English is the menu without a language (everyone else's); Russian is registered for `ru`.
fn language_code(lang: Lang) -> Option<String> {
    (lang != Lang::En).then(|| lang.code().to_owned())
}

use teloxide::payloads::{DeleteMyCommandsSetters, SetMyCommandsSetters};

/// At start-up: the default menu, and the admin menu in every admin's chat.
pub async fn register(bot: &TgBot, admins: &[i64]) {
    for lang in Lang::ALL {
        let mut request = bot.set_my_commands(staff_commands(lang));
        if let Some(code) = language_code(lang) {
            request = request.language_code(code);
        }
        if let Err(err) = request.await {
            tracing::warn!(
                language = lang.code(),
                "could not register the command menu: {err}"
            );
        }
    }
    for admin in admins {
        show_admin_menu(bot, *admin).await;
    }
}

fn chat_scope(user_id: i64) -> BotCommandScope {
    BotCommandScope::Chat {
        chat_id: Recipient::Id(ChatId(user_id)),
    }
}

/// Shows the admin commands in an admin's private chat.
pub async fn show_admin_menu(bot: &TgBot, user_id: i64) {
    for lang in Lang::ALL {
        let mut request = bot
            .set_my_commands(admin_commands(lang))
            .scope(chat_scope(user_id));
        if let Some(code) = language_code(lang) {
            request = request.language_code(code);
        }
        if let Err(err) = request.await {
            tracing::warn!(user = user_id, "could not set the admin menu: {err}");
        }
    }
}

/// Removes the admin menu from a former admin's chat.
pub async fn hide_admin_menu(bot: &TgBot, user_id: i64) {
    for lang in Lang::ALL {
        let mut request = bot.delete_my_commands().scope(chat_scope(user_id));
        if let Some(code) = language_code(lang) {
            request = request.language_code(code);
        }
        if let Err(err) = request.await {
            tracing::debug!(user = user_id, "could not remove the admin menu: {err}");
        }
    }
}
