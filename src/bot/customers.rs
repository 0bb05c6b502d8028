//! Customers in the chat: `/qr` and its picture, `/lookup`, a contact card from staff, and the
//! customer's side of the free check (the link opened, the contact shared, anything else).
//!
//! A customer is someone without access: they reach nothing but these handlers, each answers
//! with one short message, and none of them can make the bot spend (the free check sends no
//! code). The bot's reply keyboard ("Send my number") is the only one they ever see.

use std::sync::Arc;

use teloxide::RequestError;
use teloxide::prelude::*;
use teloxide::types::{InputFile, KeyboardRemove, Me, ReplyMarkup, User};

use super::buttons;
use super::context::{HandlerResult, Settings, TgBot, TypedPhone, lang_of};
use super::handlers::{self, verify_number};
use super::reply::{OrApologise, drop_buttons, patiently, privately, reply, send_to};
use super::texts::{self, Lang, NumberFor, View};
use crate::customers::{Customers, NewLink, Shared, SharedContact};
use crate::phone::PhoneNumber;
use crate::store::{Accepted, LinkOpening, Store, Verification};
use crate::verification::Actor;
use crate::{invite, qr};

/// `/qr` or `/qr <number>`: a one-time link as a QR picture, for a customer at the counter.
/// The picture goes to the staff member's private chat (from a group too: the group must not
/// see the link, which anyone could open first).
pub async fn qr(
    bot: TgBot,
    msg: Message,
    typed: TypedPhone,
    actor: Actor,
    view: View,
    me: Me,
    customers: Customers,
) -> HandlerResult {
    let meant = match (typed.text.trim(), typed.phone) {
        ("", _) => None,
        (_, Ok(phone)) => Some(phone),
        (typed, Err(err)) => {
            let text = texts::bad_phone(view.lang, NumberFor::Qr, typed, &err);
            return reply(&bot, &msg, text).await;
        }
    };
    let link = customers
        .new_link(&actor, meant.as_ref())
        .await
        .or_apologise(&msg, view.lang)?;
    let picture = QrPicture::of(&me, &link, &view.in_private())?;
    let to = bot.clone();
    privately(&bot, &msg, &view, &me, |chat| async move {
        picture.send(&to, chat).await
    })
    .await
}

/// A `/qr` link's picture with its caption (what to do, until when, the link itself).
pub struct QrPicture {
    png: Vec<u8>,
    caption: String,
}

impl QrPicture {
    pub fn of(me: &Me, link: &NewLink, view: &View) -> Result<QrPicture, qr::QrError> {
        let url = invite::deep_link(me.username(), &link.token);
        Ok(QrPicture {
            png: qr::png(&url)?,
            caption: texts::qr_caption(&url, link.expires_at, link.meant.as_ref(), view),
        })
    }

    pub async fn send(&self, bot: &TgBot, chat: ChatId) -> Result<(), RequestError> {
        let photo = || {
            let file = InputFile::memory(self.png.clone()).file_name("qr.png");
            bot.send_photo(chat, file).caption(self.caption.clone())
        };
        patiently(photo).await.map(drop)
    }
}

/// `/lookup <number>`: what the bot knows of a number.
pub async fn lookup(
    bot: TgBot,
    msg: Message,
    typed: TypedPhone,
    view: View,
    customers: Customers,
) -> HandlerResult {
    let lang = view.lang;
    if typed.text.trim().is_empty() {
        return reply(&bot, &msg, texts::lookup_usage(lang)).await;
    }
    let phone = match typed.phone {
        Ok(phone) => phone,
        Err(err) => {
            let text = texts::bad_phone(lang, NumberFor::Lookup, &typed.text, &err);
            return reply(&bot, &msg, text).await;
        }
    };
    let found = customers.lookup(&phone).await.or_apologise(&msg, lang)?;
    let limits = &customers.verifier().policy().limits;
    let text = texts::lookup(
        &phone,
        &found,
        (limits.phone_sends, limits.phone_window),
        &view,
    );
    reply(&bot, &msg, text).await
}

/// A contact card sent or forwarded by staff: `/verify` of its number.
pub async fn contact_card(
    bot: TgBot,
    msg: Message,
    actor: Actor,
    view: View,
    customers: Customers,
    settings: Arc<Settings>,
) -> HandlerResult {
    let number = msg
        .contact()
        .map(|c| c.phone_number.trim())
        .unwrap_or_default();
    if number.is_empty() {
        return reply(&bot, &msg, texts::contact_card_empty(view.lang)).await;
    }
    let phone = match PhoneNumber::from_contact(number, settings.default_region) {
        Ok(phone) => phone,
        Err(err) => {
            let text = texts::bad_phone(view.lang, NumberFor::ContactCard, number, &err);
            return reply(&bot, &msg, text).await;
        }
    };
    verify_number(&bot, &msg, &phone, &actor, &view, &customers).await
}

/// `/start c_…` from a staff member: the link is for the customer's phone.
pub async fn link_opened_by_staff(bot: TgBot, msg: Message, lang: Lang) -> HandlerResult {
    reply(&bot, &msg, texts::qr_for_customer(lang)).await
}

/// `/start c_…` from someone without access, in a private chat: a customer opened a `/qr` link.
pub async fn link_opened(
    bot: TgBot,
    msg: Message,
    lang: Lang,
    user: User,
    payload: String,
    customers: Customers,
) -> HandlerResult {
    let opening = customers
        .open_link(payload.trim(), user.id.0 as i64)
        .await
        .or_apologise(&msg, lang)?;
    match opening {
        LinkOpening::Opened(_) => {
            ask_to_share(&bot, msg.chat.id, texts::customer_welcome(lang), lang).await
        }
        refused => {
            let text = texts::customer_link_refused(lang, &refused);
            say_to_customer(&bot, msg.chat.id, text, KeyboardRemove::new().into()).await
        }
    }
}

/// A contact shared by someone without access, in a private chat: the free check's answer.
pub async fn contact_shared(
    bot: TgBot,
    msg: Message,
    lang: Lang,
    user: User,
    store: Store,
    customers: Customers,
    settings: Arc<Settings>,
) -> HandlerResult {
    let contact = SharedContact {
        user_id: msg.contact().and_then(|c| c.user_id).map(|id| id.0 as i64),
        number: msg.contact().map_or("", |c| c.phone_number.as_str()),
        forwarded: msg.forward_origin().is_some(),
    };
    let customer = user.id.0 as i64;
    let shared = customers
        .contact_shared(customer, &contact)
        .await
        .or_apologise(&msg, lang)?;
    let chat = msg.chat.id;
    match shared {
        Shared::Accepted {
            accepted,
            other_than_meant,
        } => {
            // The staff member first: the number is verified whatever becomes of the thanks.
            let link = &accepted.link;
            let staff_chat = ChatId(link.chat_id);
            let staff_lang = lang_of(&store, link.staff_user_id, settings.default_lang).await;
            let text = texts::verified_by_contact(
                staff_lang,
                &accepted.verification,
                other_than_meant.as_ref(),
                !accepted.cancelled.is_empty(),
                !staff_chat.is_user(),
            );
            if let Err(err) = send_to(&bot, staff_chat, text, None).await {
                tracing::warn!(
                    staff = link.staff_user_id,
                    "could not tell staff of a contact share: {err}"
                );
            }
            for cancelled in &accepted.cancelled {
                drop_buttons(&bot, cancelled).await;
            }
            let thanks = texts::customer_thanks(lang);
            say_to_customer(&bot, chat, thanks, KeyboardRemove::new().into()).await?;
            tell_colleagues(&bot, &store, &settings, &accepted).await;
            Ok(())
        }
        Shared::NotTheirs => ask_to_share(&bot, chat, texts::customer_not_theirs(lang), lang).await,
        Shared::Forwarded => ask_to_share(&bot, chat, texts::customer_forwarded(lang), lang).await,
        Shared::Expired => {
            let text = texts::customer_link_expired(lang);
            say_to_customer(&bot, chat, text, KeyboardRemove::new().into()).await
        }
        Shared::NoLink => handlers::stranger(bot, msg, lang, user, store).await,
    }
}

/// A colleague whose code to the number was waiting is told that it was cancelled, and why,
/// in the chat where they sent it.
async fn tell_colleagues(bot: &TgBot, store: &Store, settings: &Settings, accepted: &Accepted) {
    let by = accepted.link.staff_user_id;
    let colleagues: Vec<&Verification> = accepted
        .cancelled
        .iter()
        .filter(|v| v.staff_user_id != by)
        .collect();
    if colleagues.is_empty() {
        return;
    }
    let name = store.staff_name(by).await.unwrap_or_else(|err| {
        tracing::warn!(staff = by, "cannot read a name: {err}");
        None
    });
    for cancelled in colleagues {
        let lang = lang_of(store, cancelled.staff_user_id, settings.default_lang).await;
        let view = View {
            viewer: cancelled.staff_user_id,
            now: crate::now(),
            group: !ChatId(cancelled.chat_id).is_user(),
            lang,
            tz: settings.time_zone.clone(),
        };
        let text = texts::code_ended_by_contact(cancelled, by, name.as_deref(), &view);
        if let Err(err) = send_to(bot, ChatId(cancelled.chat_id), text, None).await {
            tracing::warn!(
                staff = cancelled.staff_user_id,
                "could not tell a colleague their code was cancelled: {err}"
            );
        }
    }
}

/// Anything else from someone without access: a customer with a link still to answer is shown
/// the button again; anyone else gets the polite stranger answer.
pub async fn stranger_message(
    bot: TgBot,
    msg: Message,
    lang: Lang,
    user: User,
    store: Store,
    customers: Customers,
) -> HandlerResult {
    if msg.chat.is_private() {
        let customer = user.id.0 as i64;
        match customers.has_open_link(customer).await {
            Ok(true) => {
                let text = texts::customer_use_button(lang);
                return ask_to_share(&bot, msg.chat.id, text, lang).await;
            }
            Ok(false) => {}
            Err(err) => tracing::warn!(customer, "cannot tell whether a link is open: {err}"),
        }
    }
    handlers::stranger(bot, msg, lang, user, store).await
}

/// `text` with the "Send my number" keyboard.
async fn ask_to_share(bot: &TgBot, chat: ChatId, text: String, lang: Lang) -> HandlerResult {
    let keyboard = buttons::share_phone_keyboard(lang).into();
    say_to_customer(bot, chat, text, keyboard).await
}

async fn say_to_customer(
    bot: &TgBot,
    chat: ChatId,
    text: String,
    markup: ReplyMarkup,
) -> HandlerResult {
    patiently(|| {
        bot.send_message(chat, text.clone())
            .reply_markup(markup.clone())
    })
    .await?;
    Ok(())
}
