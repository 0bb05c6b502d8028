//! What every handler is given: the bot handle (HTML by default), the deployment's settings,
//! the result type, a phone number typed after a command, and the language of someone the bot
//! writes to on its own. (Who is acting and how replies to them look, [`crate::verification::Actor`]
//! and [`super::texts::View`], are built in the tree's access step.)

use teloxide::adaptors::DefaultParseMode;
use teloxide::prelude::*;
use teloxide::types::{ParseMode, UpdateKind};

use crate::i18n::Lang;
use crate::phone::{PhoneError, PhoneNumber};
use crate::store::Store;

/// The Bot API handle every handler gets: every text it sends is HTML, set once here.
pub type TgBot = DefaultParseMode<Bot>;

/// `bot` as handlers use it.
pub fn html(bot: Bot) -> TgBot {
    bot.parse_mode(ParseMode::Html)
}

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
pub type HandlerResult = Result<(), BoxError>;

/// What the handlers need to know about the deployment, built whole by the configuration.
pub use crate::config::Settings;

/// A phone number typed after a command (`/verify`, `/qr`, `/lookup`, `/reset`), read once in
/// the tree with `DEFAULT_REGION`: the number, or why it is not one.
#[derive(Debug, Clone)]
pub struct TypedPhone {
    /// What was typed, for the answer to a wrong one.
    pub text: String,
    pub phone: Result<PhoneNumber, PhoneError>,
}

impl TypedPhone {
    pub fn read(text: String, default_region: Option<phonenumber::country::Id>) -> TypedPhone {
        let phone = PhoneNumber::parse(&text, default_region);
        TypedPhone { text, phone }
    }
}

/// The language to use for someone the bot writes to on its own: their stored one, else the
/// default.
pub async fn lang_of(store: &Store, user_id: i64, default: Lang) -> Lang {
    match store.language_of(user_id).await {
        Ok(Some(stored)) => stored.language,
        Ok(None) => default,
        Err(err) => {
            tracing::warn!(user = user_id, "cannot read the language: {err}");
            default
        }
    }
}

/// The kind of an update, for the metrics.
pub fn update_kind(update: &Update) -> &'static str {
    match &update.kind {
        UpdateKind::Message(_) => "message",
        UpdateKind::EditedMessage(_) => "edited_message",
        UpdateKind::CallbackQuery(_) => "callback_query",
        _ => "other",
    }
}
