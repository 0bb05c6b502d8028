//! The Telegram side: who may talk to the bot, the handler tree, and the commands.
//!
//! Access is decided once, at the root of the tree: every message is from staff (an admin from
//! `ADMIN_IDS` or a stored member), or from a stranger, who can do nothing but open a one-time
//! link. No handler below the root checks access again, and no stranger reaches the Gateway.

mod handlers;
pub mod live;
pub mod texts;

use std::sync::Arc;

use teloxide::dispatching::{UpdateFilterExt, UpdateHandler};
use teloxide::prelude::*;
use teloxide::types::{BotCommand, User};
use teloxide::utils::command::BotCommands;

use crate::store::{Role, Store};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub type HandlerResult = Result<(), BoxError>;

/// What the handlers need to know about the deployment.
#[derive(Debug, Clone)]
pub struct Settings {
    pub admin_ids: Vec<u64>,
    pub default_region: Option<phonenumber::country::Id>,
}

/// The commands the bot understands. `/verify@<bot>` works too.
#[derive(BotCommands, Clone, Debug, PartialEq)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    /// `/start` or `/start <token>` from a one-time link.
    Start(String),
    Help,
    /// `/verify <phone number>`.
    Verify(String),
    Cancel,
    Status,
}

/// Who sent a message, decided once per update at the root of the tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Access {
    Staff(Role),
    Stranger,
    /// The database could not say.
    Unknown,
}

/// The command menu registered with `setMyCommands`.
pub fn menu() -> Vec<BotCommand> {
    vec![
        BotCommand::new("verify", texts::MENU_VERIFY),
        BotCommand::new("status", texts::MENU_STATUS),
        BotCommand::new("cancel", texts::MENU_CANCEL),
        BotCommand::new("help", texts::MENU_HELP),
    ]
}

/// The whole handler tree.
pub fn schema() -> UpdateHandler<BoxError> {
    use dptree::case;

    let staff_commands = teloxide::filter_command::<Command, _>()
        .branch(case![Command::Start(payload)].endpoint(handlers::start))
        .branch(case![Command::Help].endpoint(handlers::help))
        .branch(case![Command::Verify(number)].endpoint(handlers::verify))
        .branch(case![Command::Cancel].endpoint(handlers::cancel))
        .branch(case![Command::Status].endpoint(handlers::status));

    let staff = dptree::entry()
        .branch(staff_commands)
        .endpoint(handlers::other_message);

    let stranger = dptree::entry()
        .branch(
            teloxide::filter_command::<Command, _>()
                .branch(case![Command::Start(payload)].endpoint(handlers::join)),
        )
        .endpoint(handlers::stranger);

    Update::filter_message()
        .filter_map(|msg: Message| msg.from.clone())
        .map_async(resolve_access)
        .branch(case![Access::Staff(role)].chain(staff))
        .branch(case![Access::Stranger].chain(stranger))
        .endpoint(handlers::access_unavailable)
}

async fn resolve_access(user: User, store: Store, settings: Arc<Settings>) -> Access {
    if settings.admin_ids.contains(&user.id.0) {
        return Access::Staff(Role::Admin);
    }
    match store.role_of(user.id.0 as i64).await {
        Ok(Some(role)) => Access::Staff(role),
        Ok(None) => Access::Stranger,
        Err(err) => {
            tracing::error!(user = user.id.0, "cannot look up access: {err}");
            Access::Unknown
        }
    }
}
