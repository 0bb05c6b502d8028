//! The Telegram side: who may talk to the bot, the handler tree, commands and buttons.
//!
//! Access is decided once, at the root of the tree, for messages and button presses alike:
//! an update comes from staff (an admin from `ADMIN_IDS` or a stored member) or from a stranger,
//! who can do nothing but open a one-time link (an invite, or a customer's `/qr` link, answered
//! with their own contact). For staff the same step builds who is acting and where
//! ([`Actor`], the flow's rule of which verification they may touch, checked for every id a
//! button or a command names) and how replies to them look ([`View`]: numbers masked in
//! groups); handlers are given both and take what they use. No handler checks access again,
//! and no stranger reaches the Gateway.
//!
//! Commands and presses are routed the same way: a [`Command`] or a [`buttons::Action`] is read
//! once, and each has a `case!` branch and a small handler. Admin-only commands
//! ([`Command::admin_only`], which the menus also follow) and admin-only actions sit in an admin
//! branch; from other staff they are refused.
//!
//! The modules, from the bottom up: [`context`] (what every handler is given), [`texts`] (every
//! word), [`buttons`] (inline keyboards and the [`buttons::Action`] each button carries),
//! [`reply`] (the one way to send, and the apology for internal errors), [`menu`] (command
//! menus per role); then the handlers: [`handlers`] (staff, and an invite opened),
//! [`customers`] (`/qr`, `/lookup`, contact cards, and the customer's side of the free check),
//! [`admin`], [`presses`] (the buttons' branch of the tree and what each press does), and what
//! the bot says on its own: [`live`] (delivery status, lost sends) and [`alerts`] (balance
//! alerts for admins); [`startup`], which meets the Bot API before the first update; and
//! [`contain`], which keeps a panicking handler from costing more than its update.

mod admin;
pub mod alerts;
mod buttons;
pub mod contain;
pub mod context;
mod customers;
pub mod dispatch;
pub mod exporting;
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

pub use admin::removed;
pub use context::{
    BoxError, HandlerResult, Settings, TgBot, TypedPhone, html, lang_of, update_kind,
};

use crate::i18n::Lang;
use crate::store::{Role, Store};
use crate::verification::Actor;
use menu::Menus;
use texts::View;

/// The commands the bot understands, in the order of the menus. `/verify@<bot>` works too.
#[derive(BotCommands, Clone, Debug, PartialEq)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    /// `/verify <phone number>`.
    Verify(String),
    /// `/qr` or `/qr <phone number>`: a one-time link as a QR picture, for a customer at the
    /// counter.
    Qr(String),
    /// `/lookup <phone number>`: what the bot knows of a number.
    Lookup(String),
    Status,
    Cancel,
    History,
    /// `/panel`: the admin panel (a Mini App), when `PUBLIC_URL` is set.
    Panel,
    /// `/language`: English or Russian, stored per user.
    Language,
    Help,
    /// Admin: `/invite` or `/invite admin`.
    Invite(String),
    /// Admin: `/staff` or `/staff remove <user id>`.
    Staff(String),
    /// Admin: totals and a chart.
    Stats,
    /// Admin: `/export [days]`, a CSV document.
    Export(String),
    /// Admin: `/reset <phone number>` clears the number's send limit and cooldown.
    Reset(String),
    /// Admin: `/events` (how delivery to `EVENTS_URL` goes) or `/events resend` (the given-up
    /// events queued again).
    Events(String),
    /// `/start` or `/start <token>` from a one-time link; in no menu.
    #[command(hide)]
    Start(String),
}

impl Command {
    /// The commands for admins alone: the tree refuses them to other staff, and only admins'
    /// menus list them. Said here and nowhere else.
    pub fn admin_only(&self) -> bool {
        matches!(
            self,
            Command::Invite(_)
                | Command::Staff(_)
                | Command::Stats
                | Command::Export(_)
                | Command::Reset(_)
                | Command::Events(_)
        )
    }

    /// The command menus: every command but the hidden `/start`, in the order above; the
    /// admin-only ones only in admins' menus; `/panel` only when the panel is served (at
    /// `panel_url`, which the menu button then opens).
    pub fn menus(panel_url: Option<&str>) -> Menus {
        let commands = Command::bot_commands().into_iter().filter_map(|command| {
            let parsed = Command::parse(&command.command, "").ok()?;
            if parsed == Command::Panel && panel_url.is_none() {
                return None;
            }
            let name = command.command.trim_start_matches('/').to_owned();
            Some((name, parsed.admin_only()))
        });
        Menus::new(commands, panel_url)
    }
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

    // Admin commands ([`Command::admin_only`]) from staff who are not admins are refused.
    let admin_commands = dptree::filter(|command: Command| command.admin_only())
        .branch(
            dptree::filter(|actor: Actor| actor.admin)
                .branch(case![Command::Invite(kind)].endpoint(admin::invite))
                .branch(case![Command::Staff(args)].endpoint(admin::staff))
                .branch(
                    case![Command::Reset(number)]
                        .map(typed)
                        .endpoint(admin::reset),
                )
                .branch(case![Command::Stats].endpoint(admin::stats))
                .branch(case![Command::Export(days)].endpoint(admin::export))
                .branch(case![Command::Events(args)].endpoint(admin::events)),
        )
        .endpoint(admin::admins_only);

    let staff_commands = teloxide::filter_command::<Command, _>()
        .branch(admin_commands)
        .branch(
            case![Command::Start(payload)]
                .branch(dptree::filter(customer_link).endpoint(customers::link_opened_by_staff))
                .endpoint(handlers::start),
        )
        .branch(case![Command::Help].endpoint(handlers::help))
        .branch(
            case![Command::Verify(number)]
                .map(typed)
                .endpoint(handlers::verify),
        )
        .branch(
            case![Command::Qr(number)]
                .map(typed)
                .endpoint(customers::qr),
        )
        .branch(
            case![Command::Lookup(number)]
                .map(typed)
                .endpoint(customers::lookup),
        )
        .branch(case![Command::Cancel].endpoint(handlers::cancel))
        .branch(case![Command::Status].endpoint(handlers::status))
        .branch(case![Command::History].endpoint(handlers::history))
        .branch(case![Command::Panel].endpoint(handlers::panel))
        .branch(case![Command::Language].endpoint(handlers::language));

    let staff_messages = Update::filter_message()
        .branch(
            dptree::filter(test_panic).endpoint(|| async { panic!("VERIFY_BOT_TEST_PANIC_ON") }),
        )
        .branch(staff_commands)
        .branch(
            dptree::filter(|msg: Message| msg.contact().is_some())
                .endpoint(customers::contact_card),
        )
        .endpoint(handlers::other_message);

    // Strangers: a one-time link (an invite, or a customer's `/qr` link), a customer's own
    // contact in a private chat, and nothing else. A link opens the private chat with the bot;
    // typed in a group it is only text (which the whole group could read and open first), and
    // opens nothing.
    let one_time_link = dptree::filter(|msg: Message, payload: String| {
        msg.chat.is_private() && !payload.trim().is_empty()
    })
    .branch(dptree::filter(customer_link).endpoint(customers::link_opened))
    .endpoint(handlers::join);
    let stranger_messages = Update::filter_message()
        .branch(
            teloxide::filter_command::<Command, _>().branch(
                case![Command::Start(payload)]
                    .branch(one_time_link)
                    .endpoint(handlers::stranger),
            ),
        )
        .branch(
            dptree::filter(|msg: Message| msg.contact().is_some() && msg.chat.is_private())
                .endpoint(customers::contact_shared),
        )
        .endpoint(customers::stranger_message);

    // Only messages and button presses are asked for; each is let through by `access` first,
    // and only once whichever replica it reaches. Staff act in a chat: a press without its
    // message (which the bot's buttons never are) is answered as unknown.
    dptree::entry()
        .filter_async(first_time)
        .branch(
            Update::filter_message().filter(not_for_another_bot).chain(
                access()
                    .branch(
                        case![Access::Staff(role)]
                            .chain(acting())
                            .chain(staff_messages),
                    )
                    .branch(case![Access::Stranger].chain(stranger_messages))
                    .endpoint(handlers::access_unavailable),
            ),
        )
        .branch(
            Update::filter_callback_query().chain(
                access()
                    .branch(
                        case![Access::Staff(role)]
                            .branch(acting().chain(presses::schema()))
                            .endpoint(presses::unknown),
                    )
                    .branch(case![Access::Stranger].endpoint(presses::stranger))
                    .endpoint(presses::access_unavailable),
            ),
        )
}

/// Whether a staff message is `VERIFY_BOT_TEST_PANIC_ON`'s text, whose handler panics (for the
/// tests of [`contain`]).
fn test_panic(msg: Message, settings: Arc<Settings>) -> bool {
    settings.test_panic_on.is_some() && msg.text() == settings.test_panic_on.as_deref()
}

/// `/start c_…`: a customer's `/qr` link, not an invite.
fn customer_link(payload: String) -> bool {
    crate::customers::is_link_token(payload.trim())
}

/// The phone number typed after a command, read once.
fn typed(number: String, settings: Arc<Settings>) -> TypedPhone {
    TypedPhone::read(number, settings.default_region)
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
/// for is handled (a reply twice beats none). Long polling claimed its updates already, a batch
/// at a time ([`updates::Claiming`]).
async fn first_time(update: Update, me: Me, store: Store, claiming: updates::Claiming) -> bool {
    if claiming == updates::Claiming::ByBatch {
        return true;
    }
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

/// The access gate: who sent the update and the language to answer in, decided once, before
/// any handler runs.
fn access() -> UpdateHandler<BoxError> {
    dptree::filter_map(|update: Update| update.from().cloned())
        .map_async(resolve_access)
        .map_async(resolve_lang)
}

/// Staff act: who they are and where ([`Actor`], the flow's rule of what they may touch), and
/// how replies to them look ([`View`]: numbers masked in groups), built once for every handler.
fn acting() -> UpdateHandler<BoxError> {
    dptree::filter_map(actor).map(view)
}

fn actor(update: Update, role: Role) -> Option<Actor> {
    Some(Actor {
        user_id: update.from()?.id.0 as i64,
        chat_id: update.chat()?.id.0,
        admin: role == Role::Admin,
    })
}

fn view(update: Update, actor: Actor, lang: Lang, settings: Arc<Settings>) -> View {
    View {
        viewer: actor.user_id,
        now: crate::now(),
        group: !update.chat().is_some_and(|chat| chat.is_private()),
        lang,
        tz: settings.time_zone.clone(),
    }
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
    use super::*;

    /// The menus are [`Command`]: every command but the hidden `/start` is in them once, the
    /// admin ones ([`Command::admin_only`]) only in admins' menus and after the others, each
    /// described in its own words in both languages.
    #[test]
    fn the_menus_are_the_commands() {
        let names = |commands: Vec<teloxide::types::BotCommand>| -> Vec<String> {
            commands.into_iter().map(|c| c.command).collect()
        };
        let visible: Vec<String> = Command::bot_commands()
            .into_iter()
            .map(|c| c.command.trim_start_matches('/').to_owned())
            .collect();
        assert!(!visible.contains(&"start".to_owned()), "{visible:?}");
        assert!(Command::parse("/start", "verify_bot").is_ok());
        assert!(
            !names(Command::menus(None).admin_commands(Lang::En)).contains(&"panel".to_owned()),
            "/panel is in no menu when the panel is not served"
        );
        let menus = Command::menus(Some("https://bot.example.com/app/"));
        for lang in Lang::ALL {
            let staff = names(menus.staff_commands(lang));
            let admin = names(menus.admin_commands(lang));
            assert_eq!(
                admin[..staff.len()],
                staff[..],
                "the admin menu adds to the staff one"
            );
            assert_eq!(admin.len(), visible.len(), "{admin:?} / {visible:?}");
            for name in &visible {
                let command = Command::parse(&format!("/{name}"), "verify_bot").unwrap();
                assert!(admin.contains(name), "/{name} is in the admin menu");
                assert_eq!(staff.contains(name), !command.admin_only(), "/{name}");
                let id = format!("menu-{name}");
                let description = crate::i18n::try_text(lang, &id, &[]);
                assert!(description.is_ok_and(|d| !d.is_empty()), "{id} in {lang:?}");
            }
        }
    }

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
