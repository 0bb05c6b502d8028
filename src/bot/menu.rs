//! The command menus, per role (`setMyCommands` scopes): staff see the staff commands; each
//! admin's private chat also lists the admin commands. Every menu is registered in English (no
//! `language_code`) and in Russian (`language_code` `ru`); Telegram shows the one matching the
//! user's app. The menu is not access control: the handler tree enforces access.
//!
//! The menu button of a person's private chat opens the admin panel (when it is served): set
//! when they get access, reset when they lose it ([`Menus::show_panel_button`], [`hide_panel_button`]).
//!
//! The menus are made once from [`super::Command`] ([`super::Command::menus`]) and given to
//! whoever shows them.

use std::sync::Arc;

use teloxide::payloads::SetChatMenuButtonSetters;
use teloxide::prelude::*;
use teloxide::types::{BotCommand, BotCommandScope, MenuButton, Recipient, WebAppInfo};

use super::context::TgBot;
use super::texts::{self, Lang};
use crate::store::Role;

/// The command menus: the commands (without their `/`) in menu order, each with whether it is
/// for admins alone. Each is described by the text `menu-<command>`. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Menus {
    commands: Arc<[(String, bool)]>,
    /// The admin panel's address, when it is served: what the menu button opens.
    panel_url: Option<Arc<str>>,
}

impl Menus {
    pub fn new(
        commands: impl IntoIterator<Item = (String, bool)>,
        panel_url: Option<&str>,
    ) -> Menus {
        Menus {
            commands: commands.into_iter().collect(),
            panel_url: panel_url.map(Into::into),
        }
    }

    /// Someone just got access as `role`: the admin menu for an admin, and the panel in the
    /// menu button.
    pub async fn granted(&self, bot: &TgBot, user_id: i64, role: Role, lang: Lang) {
        if role == Role::Admin {
            self.show_admin_menu(bot, user_id).await;
        }
        self.show_panel_button(bot, user_id, lang).await;
    }

    fn commands(&self, lang: Lang, admin: bool) -> Vec<BotCommand> {
        self.commands
            .iter()
            .filter(|(_, admin_only)| admin || !admin_only)
            .map(|(name, _)| BotCommand::new(name, texts::menu(lang, name)))
            .collect()
    }

    pub fn staff_commands(&self, lang: Lang) -> Vec<BotCommand> {
        self.commands(lang, false)
    }

    /// The staff commands, then the admin commands.
    pub fn admin_commands(&self, lang: Lang) -> Vec<BotCommand> {
        self.commands(lang, true)
    }

    /// At start-up: the default menu, and the admin menu in every admin's chat.
    pub async fn register(&self, bot: &TgBot, admins: &[i64]) {
        for lang in Lang::ALL {
            let mut request = bot.set_my_commands(self.staff_commands(lang));
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
            self.show_admin_menu(bot, *admin).await;
        }
    }

    /// Shows the admin commands in an admin's private chat.
    pub async fn show_admin_menu(&self, bot: &TgBot, user_id: i64) {
        for lang in Lang::ALL {
            let mut request = bot
                .set_my_commands(self.admin_commands(lang))
                .scope(chat_scope(user_id));
            if let Some(code) = language_code(lang) {
                request = request.language_code(code);
            }
            if let Err(err) = request.await {
                tracing::warn!(user = user_id, "could not set the admin menu: {err}");
            }
        }
    }
}

impl Menus {
    /// The admin panel in a person's menu button (`setChatMenuButton` for their private chat),
    /// for someone who has just got access, or everyone at start-up. Without the panel, nothing.
    pub async fn show_panel_button(&self, bot: &TgBot, user_id: i64, lang: Lang) {
        let Some(url) = self.panel_url.as_deref().and_then(|url| url.parse().ok()) else {
            return;
        };
        let button = MenuButton::WebApp {
            text: crate::tr!(lang, "menu-button-panel"),
            web_app: WebAppInfo { url },
        };
        let request = bot
            .set_chat_menu_button()
            .chat_id(ChatId(user_id))
            .menu_button(button);
        if let Err(err) = request.await {
            tracing::warn!(
                user = user_id,
                "could not set the panel's menu button: {err}"
            );
        }
    }
}

/// English is the menu without a language (everyone else's); Russian is registered for `ru`.
fn language_code(lang: Lang) -> Option<String> {
    (lang != Lang::En).then(|| lang.code().to_owned())
}

use teloxide::payloads::{DeleteMyCommandsSetters, SetMyCommandsSetters};

fn chat_scope(user_id: i64) -> BotCommandScope {
    BotCommandScope::Chat {
        chat_id: Recipient::Id(ChatId(user_id)),
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

/// Back to the default menu button, for someone who has lost access.
pub async fn hide_panel_button(bot: &TgBot, user_id: i64) {
    let request = bot
        .set_chat_menu_button()
        .chat_id(ChatId(user_id))
        .menu_button(MenuButton::Default);
    if let Err(err) = request.await {
        tracing::debug!(user = user_id, "could not reset the menu button: {err}");
    }
}
