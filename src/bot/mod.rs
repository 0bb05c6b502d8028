//! The Telegram side: who may talk to the bot, the handler tree, commands and buttons.
//!
//! Access is decided once, at the root of the tree, for messages and button presses alike:
//! an update comes from staff (an admin from `ADMIN_IDS` or a stored member) or from a stranger,
//! who can do nothing but open a one-time link (an invite, or a customer's `/qr` link, answered
//! with their own contact). Admin-only commands and buttons are gated in the
//! tree too. No handler checks access again, and no stranger reaches the Gateway. Which
//! verification a staff member may touch (their own, in its chat) is the flow's rule
//! ([`crate::verification::Actor`]), checked for every id a button or a command names.
//!
//! The modules, from the bottom up: [`context`] (what every handler is given), [`texts`] (every
//! word), [`buttons`] (inline keyboards and their data), [`reply`] (the one way to send, and
//! the apology for internal errors), [`menu`] (command menus per role); then the handlers:
//! [`handlers`] (staff), [`customers`] (`/qr`, `/lookup`, contact cards, and the customer's
//! side of the free check), [`admin`], [`presses`] (buttons), and what the bot says on its own:
//! [`live`] (delivery status, lost sends) and [`alerts`] (balance alerts for admins); and
//! [`startup`], which meets the Bot API before the first update.

mod admin;
pub mod alerts;
mod buttons;
pub mod context;
mod customers;
mod handlers;
pub mod live;
pub mod menu;
mod presses;
pub mod reply;
pub mod startup;
pub mod texts;
pub mod updates;

use std::sync::Arc;

use teloxide::dispatching::{UpdateFilterExt, UpdateHandler};
use teloxide::prelude::*;
use teloxide::types::{Me, User};
use teloxide::utils::command::BotCommands;

pub use context::{BoxError, HandlerResult, Settings, TgBot, html, lang_of, update_kind};

use crate::i18n::Lang;
use crate::store::{Role, Store};

/// The commands the bot understands. `/verify@<bot>` works too.
#[derive(BotCommands, Clone, Debug, PartialEq)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    /// `/start` or `/start <token>` from a one-time link.
    Start(String),
    Help,
    /// `/verify <phone number>`.
    Verify(String),
    /// `/qr` or `/qr <phone number>`: a one-time link as a QR picture, for a customer at the
    /// counter.
    Qr(String),
    /// `/lookup <phone number>`: what the bot knows of a number.
    Lookup(String),
    Cancel,
    Status,
    History,
    /// `/language`: English or Russian, stored per user.
    Language,
    /// Admin: `/invite` or `/invite admin`.
    Invite(String),
    /// Admin: `/staff` or `/staff remove <user id>`.
    Staff(String),
    /// Admin: `/reset <phone number>` clears the number's send limit and cooldown.
    Reset(String),
    /// Admin: totals and a chart.
    Stats,
    /// Admin: `/export [days]`, a CSV document.
    Export(String),
}

/// Who sent an update, decided once per update at the root of the tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Access {
    Staff(Role),
    Stranger,
    /// The database could not say.
    Unknown,
}

/// The whole handler tree.
pub fn schema() -> UpdateHandler<BoxError> {
    use dptree::case;

    let admin_commands = dptree::entry()
        .filter(|role: Role| role == Role::Admin)
        .branch(case![Command::Invite(kind)].endpoint(admin::invite))
        .branch(case![Command::Staff(args)].endpoint(admin::staff))
        .branch(case![Command::Reset(number)].endpoint(admin::reset))
        .branch(case![Command::Stats].endpoint(admin::stats))
        .branch(case![Command::Export(days)].endpoint(admin::export));

    let staff_commands = teloxide::filter_command::<Command, _>()
        .branch(case![Command::Start(payload)].endpoint(handlers::start))
        .branch(case![Command::Help].endpoint(handlers::help))
        .branch(case![Command::Verify(number)].endpoint(handlers::verify))
        .branch(case![Command::Qr(number)].endpoint(customers::qr))
        .branch(case![Command::Lookup(number)].endpoint(customers::lookup))
        .branch(case![Command::Cancel].endpoint(handlers::cancel))
        .branch(case![Command::Status].endpoint(handlers::status))
        .branch(case![Command::History].endpoint(handlers::history))
        .branch(case![Command::Language].endpoint(handlers::language))
        .branch(admin_commands)
        // Only admin commands are left: the sender is not an admin.
        .endpoint(admin::admins_only);

    let staff_messages = Update::filter_message()
        .branch(staff_commands)
        .branch(
            dptree::filter(|msg: Message| msg.contact().is_some())
                .endpoint(customers::contact_card),
        )
        .endpoint(handlers::other_message);

    let staff_buttons = Update::filter_callback_query()
        .branch(
            dptree::filter(|query: CallbackQuery, role: Role| {
                buttons::is_admin_only(query.data.as_deref()) && role != Role::Admin
            })
            .endpoint(presses::admins_only),
        )
        .endpoint(presses::pressed);

    // Strangers: a one-time link (an invite, or a customer's `/qr` link), a customer's own
    // contact in a private chat, and nothing else.
    let stranger_messages = Update::filter_message()
        .branch(
            teloxide::filter_command::<Command, _>()
                .branch(case![Command::Start(payload)].endpoint(handlers::join)),
        )
        .branch(
            dptree::filter(|msg: Message| msg.contact().is_some() && msg.chat.is_private())
                .endpoint(customers::contact_shared),
        )
        .endpoint(customers::stranger_message);

    // Only messages and button presses are asked for; each is let through by `access` first,
    // and only once whichever replica it reaches.
    dptree::entry()
        .filter_async(first_time)
        .branch(
            Update::filter_message().filter(not_for_another_bot).chain(
                access()
                    .branch(case![Access::Staff(role)].chain(staff_messages))
                    .branch(case![Access::Stranger].chain(stranger_messages))
                    .endpoint(handlers::access_unavailable),
            ),
        )
        .branch(
            Update::filter_callback_query().chain(
                access()
                    .branch(case![Access::Staff(role)].chain(staff_buttons))
                    .branch(case![Access::Stranger].endpoint(presses::stranger))
                    .endpoint(presses::access_unavailable),
            ),
        )
}

/// A command addressed to another bot in a group (`/verify@other_bot`) is that bot's to
/// answer: this one leaves it alone.
fn not_for_another_bot(msg: Message, me: Me) -> bool {
    !addressed_to_another_bot(msg.text().unwrap_or_default(), me.username())
}

/// Whether `text` is a command whose `@mention` names a bot other than `username`.
fn addressed_to_another_bot(text: &str, username: &str) -> bool {
    let Some(command) = text.strip_prefix('/') else {
        return false;
    };
    let command = command.split_whitespace().next().unwrap_or_default();
    match command.split_once('@') {
        Some((_, bot)) => !bot.eq_ignore_ascii_case(username),
        None => false,
    }
}

/// Whether an update is new to every process on the database: Telegram retries a webhook
/// delivery it thinks failed, possibly to another replica. An update the database cannot vouch
/// for is handled (a reply twice beats none).
async fn first_time(update: Update, me: Me, store: Store) -> bool {
    let bot = me.id.0 as i64;
    match store
        .claim_update(bot, i64::from(update.id.0), crate::now())
        .await
    {
        Ok(true) => true,
        Ok(false) => {
            tracing::info!(update = update.id.0, "update already handled: skipped");
            false
        }
        Err(err) => {
            tracing::warn!(
                update = update.id.0,
                "cannot tell whether an update is new: {err}"
            );
            true
        }
    }
}

/// Forgets, once an hour, the updates handled more than a day ago: Telegram retries an update
/// for much less than that.
pub async fn forget_handled_updates(store: Store) {
    const DAY: i64 = 86_400;
    loop {
        match store.forget_updates(crate::now() - DAY).await {
            Ok(forgotten) => tracing::debug!(forgotten, "old update ids forgotten"),
            Err(err) => tracing::warn!("cannot forget old update ids: {err}"),
        }
        tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
    }
}

/// The access gate: who sent the update and the language to answer in, decided once, before
/// any handler runs.
fn access() -> UpdateHandler<BoxError> {
    dptree::filter_map(|update: Update| update.from().cloned())
        .map_async(resolve_access)
        .map_async(resolve_lang)
}

/// The language of the replies: the person's `/language` choice, else their Telegram app's
/// language (`ru*` → Russian, others → English), else `DEFAULT_LANGUAGE`. For staff, the app's
/// language is remembered, for the messages the bot sends them later on its own (live delivery
/// status, alerts, invite notices). Strangers leave nothing in the database.
async fn resolve_lang(user: User, access: Access, store: Store, settings: Arc<Settings>) -> Lang {
    let reported = Lang::from_telegram(user.language_code.as_deref(), settings.default_lang);
    if access == Access::Unknown {
        return reported;
    }
    let user_id = user.id.0 as i64;
    let stored = match store.language_of(user_id).await {
        Ok(stored) => stored,
        Err(err) => {
            tracing::warn!(user = user.id.0, "cannot read the language: {err}");
            return reported;
        }
    };
    match stored {
        Some(stored) if stored.chosen => stored.language,
        _ if access == Access::Stranger || user.language_code.is_none() => reported,
        Some(stored) if stored.language == reported => reported,
        _ => {
            if let Err(err) = store
                .observe_language(user_id, reported, crate::now())
                .await
            {
                tracing::warn!(user = user.id.0, "cannot remember the language: {err}");
            }
            reported
        }
    }
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

#[cfg(test)]
mod tests {
    use super::addressed_to_another_bot;

    #[test]
    fn only_commands_for_another_bot_are_left_alone() {
        let me = "verify_bot";
        assert!(addressed_to_another_bot("/verify@other_bot +44 7911", me));
        assert!(addressed_to_another_bot("/start@OtherBot", me));
        assert!(!addressed_to_another_bot("/verify@Verify_Bot +44 7911", me));
        assert!(!addressed_to_another_bot("/verify +44 7911", me));
        assert!(!addressed_to_another_bot("123456", me));
        assert!(!addressed_to_another_bot("mail me@other_bot", me));
        assert!(!addressed_to_another_bot("/help me@other_bot", me));
    }
}
