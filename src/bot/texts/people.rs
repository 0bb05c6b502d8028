//! Texts about people: welcome and help, strangers, invites, the staff list, history.

use teloxide::utils::html::escape;

use super::common::{example, phone_text};
use crate::i18n::{Lang, duration, local_time};
use crate::store::{Claim, Method, Role, StaffMember, Status, Verification};
use crate::tr;

pub fn help(lang: Lang, role: Role, code_length: u8, ttl: u32) -> String {
    let text = tr!(
        lang,
        "help",
        example = example(lang),
        length = code_length,
        valid = duration(lang, ttl)
    );
    match role {
        Role::Admin => format!("{text}\n\n{}", tr!(lang, "help-admin")),
        Role::Staff => text,
    }
}

pub fn already_member(lang: Lang, role: Role, code_length: u8, ttl: u32) -> String {
    let help = help(lang, role, code_length, ttl);
    tr!(lang, "already-member", help = help)
}

pub fn joined(lang: Lang, role: Role, code_length: u8, ttl: u32) -> String {
    let help = help(lang, role, code_length, ttl);
    match role {
        Role::Admin => tr!(lang, "joined-admin", help = help),
        Role::Staff => tr!(lang, "joined-staff", help = help),
    }
}

pub fn owner_joined(lang: Lang, code_length: u8, ttl: u32) -> String {
    let help = help(lang, Role::Admin, code_length, ttl);
    tr!(lang, "owner-joined", help = help)
}

/// Told to the admin whose invite was used.
pub fn inviter_notice(
    lang: Lang,
    name: &str,
    username: Option<&str>,
    user_id: i64,
    role: Role,
) -> String {
    let handle = username
        .map(|u| format!(" (@{})", escape(u)))
        .unwrap_or_default();
    tr!(
        lang,
        "inviter-notice",
        name = escape(name),
        handle = handle,
        id = user_id.to_string(),
        role = role.as_str()
    )
}

pub fn stranger(lang: Lang, user_id: u64) -> String {
    tr!(lang, "stranger", id = user_id.to_string())
}

/// The same, short enough for a button's pop-up answer.
pub fn stranger_short(lang: Lang, user_id: u64) -> String {
    tr!(lang, "stranger-short", id = user_id.to_string())
}

pub fn link_refused(lang: Lang, claim: &Claim, user_id: u64) -> String {
    let why = match claim {
        Claim::Used => tr!(lang, "link-used"),
        Claim::Expired => tr!(lang, "link-expired"),
        Claim::Revoked => tr!(lang, "link-revoked"),
        _ => tr!(lang, "link-invalid"),
    };
    tr!(lang, "link-refused", why = why, id = user_id.to_string())
}

pub fn invite_created(lang: Lang, link: &str, role: Role, ttl: u32) -> String {
    let (valid, link) = (duration(lang, ttl), escape(link));
    match role {
        Role::Admin => tr!(lang, "invite-created-admin", valid = valid, link = link),
        Role::Staff => tr!(lang, "invite-created-staff", valid = valid, link = link),
    }
}

pub fn invite_usage(lang: Lang) -> String {
    tr!(lang, "invite-usage")
}

/// `/staff`: everyone with access. `removable`: there are Remove buttons under the list (someone
/// on it other than the admin reading it), which the footer then names.
pub fn staff_list(
    lang: Lang,
    members: &[StaffMember],
    configured_admins: &[u64],
    removable: bool,
    tz: &jiff::tz::TimeZone,
) -> String {
    let mut lines = vec![tr!(lang, "staff-title")];
    for id in configured_admins {
        lines.push(tr!(lang, "staff-configured-admin", id = id.to_string()));
    }
    for m in members {
        let handle = m
            .username
            .as_deref()
            .map(|u| format!(" @{}", escape(u)))
            .unwrap_or_default();
        let by = match (&m.added_by_name, m.added_by) {
            (Some(name), _) => tr!(lang, "staff-by-name", name = escape(name)),
            (None, Some(id)) => tr!(lang, "staff-by-id", id = id.to_string()),
            (None, None) => tr!(lang, "staff-by-owner-link"),
        };
        let (name, id, added) = (
            escape(&m.name),
            m.user_id.to_string(),
            local_time(lang, m.added_at, tz),
        );
        lines.push(tr!(
            lang,
            "staff-member",
            name = name,
            handle = handle,
            id = id,
            role = m.role.as_str(),
            added = added,
            by = by
        ));
    }
    if members.is_empty() && configured_admins.is_empty() {
        lines.push(tr!(lang, "staff-nobody"));
    }
    lines.push(match removable {
        true => tr!(lang, "staff-footer"),
        false => tr!(lang, "staff-footer-invite"),
    });
    lines.join("\n")
}

pub fn staff_remove_usage(lang: Lang) -> String {
    tr!(lang, "staff-remove-usage")
}

/// Someone's access was taken away, and with it what they held.
pub fn staff_removed(
    lang: Lang,
    name: &str,
    user_id: i64,
    verifications: usize,
    invites: u64,
) -> String {
    let removed = tr!(
        lang,
        "staff-removed",
        name = escape(name),
        id = user_id.to_string()
    );
    let holdings = tr!(
        lang,
        "removed-holdings",
        verifications = verifications,
        invites = invites
    );
    format!("{removed}\n{holdings}")
}

/// Said in a group when an admin's answer went to their private chat instead.
pub fn sent_privately(lang: Lang) -> String {
    tr!(lang, "sent-privately")
}

/// Said in a group when an admin's answer is for them alone and the bot cannot write to them.
pub fn cannot_write_privately(lang: Lang, bot_username: &str) -> String {
    tr!(lang, "cannot-write-privately", bot = escape(bot_username))
}

pub fn cannot_remove_configured_admin(lang: Lang, user_id: i64) -> String {
    tr!(
        lang,
        "cannot-remove-configured-admin",
        id = user_id.to_string()
    )
}

pub fn cannot_remove_self(lang: Lang) -> String {
    tr!(lang, "cannot-remove-self")
}

pub fn not_staff(lang: Lang, user_id: i64) -> String {
    tr!(lang, "not-staff", id = user_id.to_string())
}

/// `/history`: the latest verifications, one line each, numbers masked; with staff names for
/// admins.
pub fn history(
    lang: Lang,
    entries: &[(Verification, Option<String>)],
    with_names: bool,
    tz: &jiff::tz::TimeZone,
) -> String {
    if entries.is_empty() {
        return tr!(lang, "history-empty");
    }
    let title = if with_names {
        tr!(lang, "history-title-all")
    } else {
        tr!(lang, "history-title-mine")
    };
    let lines: Vec<String> = entries
        .iter()
        .map(|(v, name)| {
            let who = match (with_names, name) {
                (false, _) => String::new(),
                (true, Some(name)) => format!("\u{a0}— {}", escape(name)),
                (true, None) => format!(
                    "\u{a0}— {}",
                    tr!(lang, "history-by-user", id = v.staff_user_id.to_string())
                ),
            };
            let how = match v.method {
                Method::Code => String::new(),
                Method::Contact => format!(" ({})", tr!(lang, "method-contact")),
            };
            format!(
                "{} {} <code>{}</code>{how}{who}",
                local_time(lang, v.created_at, tz),
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
