//! The command menus, per role (`setMyCommands` scopes): staff see the staff commands; each
//! admin's private chat also lists the admin commands. The menu is not access control: the
//! handler tree enforces access.

use teloxide::prelude::*;
use teloxide::types::{BotCommand, BotCommandScope, Recipient};

use super::texts;

pub fn staff_commands() -> Vec<BotCommand> {
    vec![
        BotCommand::new("verify", texts::MENU_VERIFY),
        BotCommand::new("status", texts::MENU_STATUS),
        BotCommand::new("cancel", texts::MENU_CANCEL),
        BotCommand::new("history", texts::MENU_HISTORY),
        BotCommand::new("help", texts::MENU_HELP),
    ]
}

pub fn admin_commands() -> Vec<BotCommand> {
    let mut commands = staff_commands();
    commands.extend([
        BotCommand::new("invite", texts::MENU_INVITE),
        BotCommand::new("staff", texts::MENU_STAFF),
        BotCommand::new("stats", texts::MENU_STATS),
        BotCommand::new("export", texts::MENU_EXPORT),
        BotCommand::new("reset", texts::MENU_RESET),
    ]);
    commands
}

/// At start-up: the default menu, and the admin menu in every admin's chat.
pub async fn register(bot: &Bot, admins: &[i64]) {
    if let Err(err) = bot.set_my_commands(staff_commands()).await {
        tracing::warn!("could not register the command menu: {err}");
    }
    for admin in admins {
        show_admin_menu(bot, *admin).await;
    }
}

/// Shows the admin commands in an admin's private chat.
pub async fn show_admin_menu(bot: &Bot, user_id: i64) {
    let scope = BotCommandScope::Chat {
        chat_id: Recipient::Id(ChatId(user_id)),
    };
    if let Err(err) = bot.set_my_commands(admin_commands()).scope(scope).await {
        tracing::warn!(user = user_id, "could not set the admin menu: {err}");
    }
}

/// Removes the admin menu from a former admin's chat.
pub async fn hide_admin_menu(bot: &Bot, user_id: i64) {
    let scope = BotCommandScope::Chat {
        chat_id: Recipient::Id(ChatId(user_id)),
    };
    if let Err(err) = bot.delete_my_commands().scope(scope).await {
        tracing::debug!(user = user_id, "could not remove the admin menu: {err}");
    }
}
