//! The panel's JSON routes, below `<PUBLIC_URL's path>/app/api/`:
//!
//! - `GET me`: who the viewer is (id, role), their language, `TIME_ZONE`, the bot's username
//!   and every page text in that language;
//! - `GET overview`: today / 7 days / 30 days (codes sent, verified by code and by contact
//!   share, failed, expired, success rate, spent, refunded), the last known balance, sends and
//!   verifications per UTC day for 30 days, and the latest 10 verifications;
//! - `GET verifications?page=&status=&staff=&from=&to=&last_digits=`: 50 a page, newest first
//!   (`from`/`to`: Unix seconds or `YYYY-MM-DD` in `TIME_ZONE`, `to` inclusive of its day);
//! - `GET verifications/{id}`: the row and its audit trail;
//! - `GET staff` (admins only, else 403): everyone with access;
//! - the admins' actions are in `actions.rs`: remove someone, create an invite link, export.
//!
//! Admins see everything; a staff member sees only their own verifications (another's id is a
//! 404, the same as an id that does not exist) and their own totals, without the balance or the
//! daily series. Numbers are shown in full, as in private chats: every row a viewer gets is
//! either theirs or seen by an admin.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::PanelState;
use super::auth::Viewer;
use crate::i18n::Lang;
use crate::store::{AuditRow, PanelFilter, PeriodStats, Role, Status, StoreError, Verified};

/// Rows of the verifications table per page.
pub const PAGE_SIZE: u32 = 50;
/// The furthest page asked for (past it, a bad request).
const MAX_PAGE: u32 = 10_000;
/// How many of the latest verifications the overview shows.
const LATEST: u32 = 10;

pub fn routes() -> Router<PanelState> {
    Router::new()
        .route("/me", get(me))
        .route("/overview", get(overview))
        .route("/verifications", get(verifications))
        .route("/verifications/{id}", get(verification))
        .route("/staff", get(staff))
}

/// What a route answers when it does not answer with data.
pub enum Failure {
    BadRequest(String),
    Forbidden,
    NotFound,
    Store(StoreError),
}

impl From<StoreError> for Failure {
    fn from(err: StoreError) -> Self {
        Failure::Store(err)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            Failure::BadRequest(why) => (StatusCode::BAD_REQUEST, json!({ "error": why })),
            Failure::Forbidden => (StatusCode::FORBIDDEN, json!({})),
            Failure::NotFound => (StatusCode::NOT_FOUND, json!({})),
            Failure::Store(err) => {
                tracing::error!("admin panel: the database failed: {err}");
                (StatusCode::INTERNAL_SERVER_ERROR, json!({}))
            }
        };
        (status, Json(body)).into_response()
    }
}

pub type Answer = Result<Json<Value>, Failure>;

/// Whose verifications a viewer may see: everyone's for admins (`None`), else their own.
fn scope(viewer: &Viewer) -> Option<i64> {
    (viewer.role != Role::Admin).then_some(viewer.user_id)
}

/// The viewer's language: their `/language` choice, else their Telegram app's (from
/// `initData`), else `DEFAULT_LANGUAGE`.
pub async fn lang(state: &PanelState, viewer: &Viewer) -> Result<Lang, Failure> {
    let default = state.chat.settings.default_lang;
    let reported = Lang::from_telegram(viewer.language_code.as_deref(), default);
    let stored = state.store.language_of(viewer.user_id).await?;
    Ok(match stored {
        Some(stored) if stored.chosen => stored.language,
        _ => reported,
    })
}

async fn me(viewer: Viewer, State(state): State<PanelState>) -> Answer {
    let lang = lang(&state, &viewer).await?;
    let zone = state.chat.settings.time_zone.iana_name().unwrap_or("UTC");
    Ok(Json(json!({
        "user_id": viewer.user_id,
        "role": viewer.role.as_str(),
        "lang": lang.code(),
        "time_zone": zone,
        "bot_username": state.chat.username,
        "texts": super::texts::all(lang, zone),
    })))
}

async fn overview(viewer: Viewer, State(state): State<PanelState>) -> Answer {
    let now = crate::now();
    let own = scope(&viewer);
    let tz = &state.chat.settings.time_zone;
    // Days in TIME_ZONE, as `/stats` counts them: today, the 7 and the 30 days up to today.
    let days = crate::store::local_days(now, tz, 30);
    let store = &state.store;
    let periods = json!({
        "today": stats(&store.period_stats(days[29], own).await?),
        "week": stats(&store.period_stats(days[23], own).await?),
        "month": stats(&store.period_stats(days[0], own).await?),
    });
    let (balance, daily) = if viewer.is_admin() {
        let daily: Vec<Value> = store
            .daily_activity(30, now, tz)
            .await?
            .into_iter()
            .map(|(day, sent, verified)| json!({"day": day, "sent": sent, "verified": verified}))
            .collect();
        (json!(store.last_balance().await?), json!(daily))
    } else {
        (Value::Null, Value::Null)
    };
    let filter = PanelFilter {
        staff: own,
        ..Default::default()
    };
    let latest = store.panel_verifications(&filter, LATEST, 0).await?;
    Ok(Json(json!({
        "role": viewer.role.as_str(),
        "periods": periods,
        "balance": balance,
        "daily": daily,
        "latest": latest.iter().map(row).collect::<Vec<_>>(),
    })))
}

async fn verifications(
    viewer: Viewer,
    State(state): State<PanelState>,
    Query(query): Query<HashMap<String, String>>,
) -> Answer {
    let given = |name: &str| query.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let page = match given("page") {
        None => 1,
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|page| (1..=MAX_PAGE).contains(page))
            .ok_or_else(|| bad(format!("page must be a number from 1 to {MAX_PAGE}")))?,
    };
    let status = given("status")
        .map(|raw| Status::try_from(raw.to_owned()).map_err(|err| bad(err.to_string())))
        .transpose()?;
    let staff = given("staff")
        .map(|raw| {
            raw.parse::<i64>()
                .map_err(|_| bad("staff must be a user id"))
        })
        .transpose()?;
    let tz = &state.chat.settings.time_zone;
    let from = given("from")
        .map(|raw| moment(raw, tz, false))
        .transpose()?;
    let to = given("to").map(|raw| moment(raw, tz, true)).transpose()?;
    let last_digits = given("last_digits")
        .map(|raw| {
            let digits = raw.len() <= 15 && raw.chars().all(|c| c.is_ascii_digit());
            digits
                .then(|| raw.to_owned())
                .ok_or_else(|| bad("last_digits must be 1 to 15 digits"))
        })
        .transpose()?;
    let filter = PanelFilter {
        // A staff member's own rows only, whatever they ask for.
        staff: scope(&viewer).or(staff),
        status,
        from,
        to,
        last_digits,
    };
    let offset = (page - 1) * PAGE_SIZE;
    let mut rows = state
        .store
        .panel_verifications(&filter, PAGE_SIZE + 1, offset)
        .await?;
    let has_more = rows.len() > PAGE_SIZE as usize;
    rows.truncate(PAGE_SIZE as usize);
    Ok(Json(json!({
        "page": page,
        "page_size": PAGE_SIZE,
        "has_more": has_more,
        "rows": rows.iter().map(row).collect::<Vec<_>>(),
    })))
}

async fn verification(
    viewer: Viewer,
    State(state): State<PanelState>,
    Path(id): Path<String>,
) -> Answer {
    let id: i64 = id.parse().map_err(|_| Failure::NotFound)?;
    let found = state.store.panel_verification(id).await?;
    let found = found
        .filter(|found| scope(&viewer).is_none_or(|own| found.verification.staff_user_id == own))
        .ok_or(Failure::NotFound)?;
    let audit = state.store.audit_trail(id).await?;
    Ok(Json(json!({
        "verification": row(&found),
        "audit": audit.iter().map(audit_row).collect::<Vec<_>>(),
    })))
}

async fn staff(viewer: Viewer, State(state): State<PanelState>) -> Answer {
    if !viewer.is_admin() {
        return Err(Failure::Forbidden);
    }
    let stored = state.store.list_staff().await?;
    let mut people: Vec<Value> = state
        .admin_ids()
        .iter()
        .filter(|id| !stored.iter().any(|member| member.user_id as u64 == **id))
        .map(|id| json!({"user_id": id, "role": "admin", "name": null, "from_config": true}))
        .collect();
    people.extend(stored.iter().map(|member| {
        json!({
            "user_id": member.user_id,
            "role": member.role.as_str(),
            "name": member.name,
            "username": member.username,
            "added_at": member.added_at,
            "added_by": member.added_by,
            "added_by_name": member.added_by_name,
            "from_config": false,
        })
    }));
    Ok(Json(json!({ "staff": people })))
}

pub fn bad(why: impl Into<String>) -> Failure {
    Failure::BadRequest(why.into())
}

/// Unix seconds, or the start of the day `YYYY-MM-DD` in `tz` (with `end`, of the day after:
/// a range's last day is included).
pub fn moment(raw: &str, tz: &jiff::tz::TimeZone, end: bool) -> Result<i64, Failure> {
    if let Ok(seconds) = raw.parse::<i64>() {
        return Ok(seconds);
    }
    let out_of_range = || bad(format!("{raw:?} is out of range"));
    let date: jiff::civil::Date = raw.parse().map_err(|_| {
        bad(format!(
            "{raw:?} is neither Unix seconds nor a YYYY-MM-DD date"
        ))
    })?;
    let date = if end {
        date.tomorrow().map_err(|_| out_of_range())?
    } else {
        date
    };
    let start = tz
        .to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
        .map_err(|_| out_of_range())?;
    Ok(start.as_second())
}

fn stats(stats: &PeriodStats) -> Value {
    json!({
        "sent": stats.sent,
        "verified_by_code": stats.verified,
        "verified_by_contact": stats.by_contact,
        "failed": stats.failed,
        "expired": stats.expired,
        "cancelled": stats.cancelled,
        "success_rate": stats.success_rate(),
        "spent": stats.spent,
        "refunded": stats.refunded,
    })
}

fn row(found: &Verified) -> Value {
    let v = &found.verification;
    json!({
        "id": v.id,
        "created_at": v.created_at,
        "staff_user_id": v.staff_user_id,
        "staff_name": found.staff_name,
        "phone": v.phone.e164(),
        "phone_display": v.phone.international(),
        "status": v.status.as_str(),
        "method": v.method.as_str(),
        "cost": v.request_cost,
        "delivery_status": v.delivery_status,
        "attempts": v.attempts,
        "sent_at": v.sent_at,
        "expires_at": v.expires_at,
        "closed_at": v.closed_at,
    })
}

fn audit_row(entry: &AuditRow) -> Value {
    json!({
        "at": entry.at,
        "actor": entry.actor,
        "action": entry.action,
        "cost": entry.cost,
        "detail": entry.detail,
    })
}
