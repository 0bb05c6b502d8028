//! Texts about people: welcome and help, strangers, invites, the staff list, history.

use teloxide::utils::html::escape;

use super::{EXAMPLE, duration, local_time, phone_text};
use crate::store::{Claim, Role, StaffMember, Status, Verification};

pub fn help(role: Role, code_length: u8, ttl: u32) -> String {
    let admin = match role {
        Role::Admin => {
            "\n\nYou are an <b>admin</b>:\n\
             /invite — a one-time link for a colleague (/invite admin for an admin)\n\
             /staff — who has access; remove people\n\
             /stats — codes, success rate and spending, with a chart\n\
             /export — verifications as a CSV file (/export 7 for a week)\n\
             /reset &lt;number&gt; — clear a number's send limit"
        }
        Role::Staff => "",
    };
    format!(
        "<b>Confirm a customer's phone number with Telegram.</b>\n\n\
         1. Send <code>{EXAMPLE}</code> with the customer's number.\n\
         2. Telegram sends a {code_length}-digit code to the customer's Telegram account.\n\
         3. The customer reads the code out; type it here (in a group, as a reply to the \
         \"Code sent\" message).\n\
         4. I answer ✅ verified, ❌ wrong code, ⛔ too many attempts or ⌛ expired.\n\n\
         Codes are valid for {valid}. Spaces and dashes in the code are fine.\n\n\
         /verify &lt;number&gt; — send a code\n\
         /status — your open verifications\n\
         /cancel — cancel one\n\
         /history — your latest verifications\n\
         /help — this message{admin}",
        valid = duration(ttl)
    )
}

pub fn already_member(role: Role, code_length: u8, ttl: u32) -> String {
    format!(
        "You already have access, so this link was not used.\n\n{}",
        help(role, code_length, ttl)
    )
}

pub fn joined(role: Role, code_length: u8, ttl: u32) -> String {
    let what = match role {
        Role::Admin => "an admin of this bot",
        Role::Staff => "staff: you can verify customers' phone numbers",
    };
    format!(
        "🎉 Welcome! You are now {what}.\n\n{}",
        help(role, code_length, ttl)
    )
}

pub fn owner_joined(code_length: u8, ttl: u32) -> String {
    format!(
        "🎉 Welcome! You are now the owner (admin) of this bot.\n\n{}",
        help(Role::Admin, code_length, ttl)
    )
}

/// Told to the admin whose invite was used.
pub fn inviter_notice(name: &str, username: Option<&str>, user_id: i64, role: Role) -> String {
    let handle = username
        .map(|u| format!(" (@{})", escape(u)))
        .unwrap_or_default();
    let role = match role {
        Role::Admin => "an admin",
        Role::Staff => "staff",
    };
    format!(
        "👤 {}{handle}, user <code>{user_id}</code>, joined as {role} with your invite.",
        escape(name)
    )
}

pub fn stranger(user_id: u64) -> String {
    format!(
        "👋 Hello! This bot is for the staff of the business that runs it.\n\n\
         Your Telegram user id is <code>{user_id}</code>. Ask an admin for an invite link (or to \
         add this id)."
    )
}

/// The same, short enough for a button's pop-up answer.
pub fn stranger_short(user_id: u64) -> String {
    format!("This bot is for staff. Your user id is {user_id}: ask an admin for an invite link.")
}

pub fn link_refused(claim: &Claim, user_id: u64) -> String {
    let why = match claim {
        Claim::Used => "This link was already used: each invite works once.",
        Claim::Expired => "This link has expired.",
        _ => "This link is not valid: it may be mistyped or cut short.",
    };
    format!("{why} Ask an admin for a new one.\n\n{}", stranger(user_id))
}

pub fn invite_created(link: &str, role: Role, ttl: u32) -> String {
    let who = match role {
        Role::Admin => "an <b>admin</b>",
        Role::Staff => "staff",
    };
    format!(
        "🔗 One-time invite for {who}, valid for {}:\n{}\n\nSend it to your colleague. It works \
         once; I'll tell you when they join.",
        duration(ttl),
        escape(link)
    )
}

pub fn invite_usage() -> String {
    "Send /invite for a staff invite, or /invite admin for an admin invite.".into()
}

/// `/staff`: everyone with access.
pub fn staff_list(
    members: &[StaffMember],
    configured_admins: &[u64],
    tz: &jiff::tz::TimeZone,
) -> String {
    let mut lines = vec!["👥 <b>Who has access</b>".to_string()];
    for id in configured_admins {
        lines.push(format!(
            "• user <code>{id}</code> — admin (from ADMIN_IDS, can't be removed here)"
        ));
    }
    for m in members {
        let handle = m
            .username
            .as_deref()
            .map(|u| format!(" @{}", escape(u)))
            .unwrap_or_default();
        let role = match m.role {
            Role::Admin => "admin",
            Role::Staff => "staff",
        };
        let by = match (&m.added_by_name, m.added_by) {
            (Some(name), _) => format!(" by {}", escape(name)),
            (None, Some(id)) => format!(" by user {id}"),
            (None, None) => " (owner link)".into(),
        };
        lines.push(format!(
            "• {}{handle}, <code>{}</code> — {role}, added {}{by}",
            escape(&m.name),
            m.user_id,
            local_time(m.added_at, tz)
        ));
    }
    if members.is_empty() && configured_admins.is_empty() {
        lines.push("Nobody yet.".into());
    }
    lines.push(
        "\nInvite someone with /invite. Remove someone with the buttons below or \
                <code>/staff remove &lt;user id&gt;</code>."
            .into(),
    );
    lines.join("\n")
}

pub fn staff_remove_usage() -> String {
    "To remove someone, send <code>/staff remove &lt;user id&gt;</code>; /staff shows the ids."
        .into()
}

pub fn staff_removed(name: &str, user_id: i64) -> String {
    format!(
        "🗑 {} (user <code>{user_id}</code>) no longer has access. Their history stays.",
        escape(name)
    )
}

pub fn cannot_remove_configured_admin(user_id: i64) -> String {
    format!(
        "User <code>{user_id}</code> is an admin from ADMIN_IDS: remove them there and restart \
         the bot."
    )
}

pub fn cannot_remove_self() -> String {
    "You can't remove yourself. Ask another admin.".into()
}

pub fn not_staff(user_id: i64) -> String {
    format!("User <code>{user_id}</code> has no access, so there is nothing to remove.")
}

/// `/history`: the latest verifications, one line each, numbers masked; with staff names for
/// admins.
pub fn history(
    entries: &[(Verification, Option<String>)],
    with_names: bool,
    tz: &jiff::tz::TimeZone,
) -> String {
    if entries.is_empty() {
        return "No verifications yet. Start one with /verify.".into();
    }
    let title = if with_names {
        "🕑 <b>Latest verifications</b>"
    } else {
        "🕑 <b>Your latest verifications</b>"
    };
    let lines: Vec<String> = entries
        .iter()
        .map(|(v, name)| {
            let who = match (with_names, name) {
                (false, _) => String::new(),
                (true, Some(name)) => format!(" — {}", escape(name)),
                (true, None) => format!(" — user {}", v.staff_user_id),
            };
            format!(
                "{} {} <code>{}</code>{who}",
                local_time(v.created_at, tz),
                outcome_emoji(v.status),
                escape(&phone_text(&v.phone, true))
            )
        })
        .collect();
    format!("{title}\n{}", lines.join("\n"))
}

/// The emoji that tells a verification's outcome at a glance.
pub fn outcome_emoji(status: Status) -> &'static str {
    match status {
        Status::Verified => "✅",
        Status::MaxAttempts => "⛔",
        Status::Expired => "⌛",
        Status::Cancelled => "🚫",
        Status::Failed => "⚠️",
        Status::Sending | Status::Pending => "⏳",
    }
}
