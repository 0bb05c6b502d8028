//! What the admin panel's API reads that the chat commands do not: totals and the latest
//! verifications of one staff member, the verifications table with its filters and pages, and
//! a verification's audit trail.

use sqlx::FromRow;

use super::core::{Status, Store, StoreError, with_db};
use super::customers::Verified;
use super::verifications::COLUMNS_V;

/// The panel's filters of the verifications table; `None` filters nothing.
#[derive(Debug, Clone, Default)]
pub struct PanelFilter {
    /// One staff member's verifications only.
    pub staff: Option<i64>,
    pub status: Option<Status>,
    /// Started at or after (Unix seconds).
    pub from: Option<i64>,
    /// Started before (Unix seconds).
    pub to: Option<i64>,
    /// The number ends with these digits.
    pub last_digits: Option<String>,
}

/// One row of a verification's audit trail.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    /// Who acted (none for the bot itself).
    pub actor: Option<i64>,
    pub action: String,
    pub cost: Option<f64>,
    pub detail: Option<String>,
}

impl Store {
    /// One page of verifications matching `filter`, newest first, with the staff member's
    /// stored name: `limit` rows after skipping `offset`.
    pub async fn panel_verifications(
        &self,
        filter: &PanelFilter,
        limit: u32,
        offset: u32,
    ) -> Result<Vec<Verified>, StoreError> {
        let status = filter.status.map(Status::as_str);
        let ending = filter
            .last_digits
            .as_ref()
            .map(|digits| format!("%{digits}"));
        // Only the filters given, so that the planner sees them: one person's rows come from
        // `verifications_staff_created` and a period from `verifications_created_at`, newest
        // first, instead of reading everyone's history backwards for them; without either, the
        // table is read backwards by id (SQLite's fastest order, with no index to look up).
        // (Each `$n` is bound whether its filter is given or not: `$n IS NULL` keeps an unused
        // one in the text.)
        let given =
            |on: bool, filter: &'static str, unused: &'static str| if on { filter } else { unused };
        let sql = format!(
            "SELECT {COLUMNS_V}, s.name AS staff_name FROM verifications v \
             LEFT JOIN staff s ON s.user_id = v.staff_user_id \
             WHERE {} AND {} AND {} AND {} AND {} \
             ORDER BY {} LIMIT $6 OFFSET $7",
            given(filter.staff.is_some(), "v.staff_user_id = $1", "$1 IS NULL"),
            given(status.is_some(), "v.status = $2", "$2 IS NULL"),
            given(filter.from.is_some(), "v.created_at >= $3", "$3 IS NULL"),
            given(filter.to.is_some(), "v.created_at < $4", "$4 IS NULL"),
            given(ending.is_some(), "v.phone LIKE $5", "$5 IS NULL"),
            if filter.staff.is_some() || filter.from.is_some() || filter.to.is_some() {
                "v.created_at DESC, v.id DESC"
            } else {
                "v.id DESC"
            },
        );
        let rows: Vec<Verified> = with_db!(self, db => sqlx::query_as(&sql)
        .bind(filter.staff)
        .bind(status)
        .bind(filter.from)
        .bind(filter.to)
        .bind(ending.as_deref())
        .bind(i64::from(limit))
        .bind(i64::from(offset))
        .fetch_all(db)
        .await)?;
        Ok(rows)
    }

    /// A verification by id with the staff member's stored name.
    pub async fn panel_verification(&self, id: i64) -> Result<Option<Verified>, StoreError> {
        let row: Option<Verified> = with_db!(self, db => sqlx::query_as(&format!(
            "SELECT {COLUMNS_V}, s.name AS staff_name FROM verifications v \
             LEFT JOIN staff s ON s.user_id = v.staff_user_id WHERE v.id = $1"
        ))
        .bind(id)
        .fetch_optional(db)
        .await)?;
        Ok(row)
    }

    /// What the audit log says about a verification, oldest first.
    pub async fn audit_trail(&self, verification_id: i64) -> Result<Vec<AuditRow>, StoreError> {
        Ok(with_db!(self, db => sqlx::query_as(
            "SELECT id, at, actor, action, cost, detail FROM audit_log \
             WHERE verification_id = $1 ORDER BY id",
        )
        .bind(verification_id)
        .fetch_all(db)
        .await)?)
    }
}
