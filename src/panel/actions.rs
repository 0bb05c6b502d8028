//! What admins do in the panel, each the same as its command in the chat and answered in the
//! admin's language: `POST staff/{user_id}/remove` (as `/staff remove`: their open codes
//! revoked, their links dead, their menus reset), `POST invites` with `{"role": "staff" |
//! "admin"}` (as `/invite`), and `POST export` with `{"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}`
//! in `TIME_ZONE` (as `/export`: the CSV and the workbook go to the admin's private chat with
//! the bot, where a Mini App cannot download files to; the answer, with the number of rows,
//! does not wait for them). Anyone but an admin gets 403.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Json;
use axum::routing::post;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use teloxide::types::ChatId;

use super::PanelState;
use super::api::{Answer, Failure, bad, lang, moment};
use super::auth::Viewer;
use crate::bot::reply::plain_text;
use crate::bot::{exporting, texts};
use crate::people::Removal;
use crate::store::Role;
use crate::{invite, now};

/// The longest export, in days (as `/export`).
const MAX_EXPORT_DAYS: i64 = 366;
const DAY: i64 = 86_400;

pub fn routes() -> Router<PanelState> {
    Router::new()
        .route("/staff/{user_id}/remove", post(remove))
        .route("/invites", post(create_invite))
        .route("/export", post(export))
}

fn admin(viewer: &Viewer) -> Result<i64, Failure> {
    viewer
        .is_admin()
        .then_some(viewer.user_id)
        .ok_or(Failure::Forbidden)
}

/// A JSON body, or a 400 that says what is wrong with it.
fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, Failure> {
    serde_json::from_slice(bytes).map_err(|err| bad(format!("the request body: {err}")))
}

async fn remove(
    viewer: Viewer,
    State(state): State<PanelState>,
    Path(target): Path<String>,
) -> Answer {
    let admin = admin(&viewer)?;
    let target: i64 = target
        .parse()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(Failure::NotFound)?;
    let lang = lang(&state, &viewer).await?;
    let removal = state.chat.people.remove(admin, target).await?;
    let outcome = match &removal {
        Removal::Removed { .. } => "removed",
        Removal::ConfiguredAdmin => "configured_admin",
        Removal::Themselves => "themselves",
        Removal::NotStaff => "not_staff",
    };
    let message = crate::bot::removed(&state.chat.bot, lang, target, removal).await;
    Ok(Json(json!({
        "outcome": outcome,
        "message": plain_text(&message),
    })))
}

#[derive(Deserialize)]
struct InviteRequest {
    role: String,
}

async fn create_invite(viewer: Viewer, State(state): State<PanelState>, request: Bytes) -> Answer {
    let admin = admin(&viewer)?;
    let request: InviteRequest = body(&request)?;
    let role = Role::try_from(request.role.clone())
        .map_err(|_| bad(format!("{:?} is not a role: staff or admin", request.role)))?;
    let token = invite::new_token();
    let now = now();
    let expires_at = now + i64::from(state.chat.settings.invite_ttl);
    state
        .store
        .create_invite(&invite::hash(&token), role, admin, expires_at, now)
        .await?;
    tracing::info!(admin, role = role.as_str(), "invite created in the panel");
    Ok(Json(json!({
        "link": invite::deep_link(&state.chat.username, &token),
        "role": role.as_str(),
        "expires_at": expires_at,
    })))
}

#[derive(Deserialize)]
struct ExportRequest {
    from: String,
    to: String,
}

async fn export(viewer: Viewer, State(state): State<PanelState>, request: Bytes) -> Answer {
    let admin = admin(&viewer)?;
    let request: ExportRequest = body(&request)?;
    let tz = &state.chat.settings.time_zone;
    let (from, until) = (
        moment(&request.from, tz, false)?,
        moment(&request.to, tz, true)?,
    );
    if until <= from {
        return Err(bad("from must be no later than to"));
    }
    if until - from > (MAX_EXPORT_DAYS + 1) * DAY {
        return Err(bad(format!(
            "an export covers at most {MAX_EXPORT_DAYS} days"
        )));
    }
    let lang = lang(&state, &viewer).await?;
    let Some(span) = exporting::span(&state.store, from, until).await? else {
        return Ok(Json(json!({ "rows": 0 })));
    };
    // The files follow in the admin's private chat, with the export's progress there: the page
    // does not wait for them.
    let (from_day, to_day) = (request.from, request.to);
    let job = exporting::Job {
        since: from,
        until,
        span,
        lang,
        caption: Box::new(move |rows| texts::export_range_caption(lang, rows, &from_day, &to_day)),
    };
    let chat = state.chat.clone();
    let store = state.store.clone();
    tokio::spawn(async move {
        let sent = exporting::run(&chat.bot, &store, &chat.settings, ChatId(admin), job).await;
        match sent {
            Ok(()) => tracing::info!(admin, "export sent from the panel"),
            Err(err) => tracing::warn!(admin, "could not send the panel's export: {err}"),
        }
    });
    Ok(Json(json!({ "rows": span.rows })))
}
