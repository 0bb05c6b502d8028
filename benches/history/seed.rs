//! A history of `count` verifications over the last 30 days, written with SQL into a database
//! whose schema the real binary made (its migrations, run at its start): never through the
//! bot's store, whose tables and indexes may change under the benchmark.
//!
//! The mix, by a hash of the row number (so that every run writes the same rows):
//! - 62 % verified with a code (a quarter of them after one wrong code), read;
//! - 10 % verified by the customer sharing their contact through a `/qr` link (free, no
//!   request; the link is stored as used);
//! - 5 % closed after three wrong codes (`max_attempts`);
//! - 3 % refused by the Gateway (`failed`, no request, no cost);
//! - 13 % expired (a tenth of them undelivered and refunded);
//! - 7 % cancelled.
//!
//! Nine staff members: the benchmark's admin (from `ADMIN_IDS`, not stored) and eight stored
//! ones with names; a third of the rows in the staff member's private chat, the rest in 20
//! groups; a customer base of a third as many numbers as rows (numbers come back). Costs
//! $0.01, or $0.015 for a fifth of the sends. The audit log gets the rows the real sends,
//! checks, contact shares and cancellations write, in time order. Rows are spread evenly from
//! 30 days ago to 10 minutes ago, so that every one of them is closed and within `/export`'s
//! default 30 days, and today has its share.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection, SqliteConnection};
use tokio::time::Instant;

/// The benchmark's admin: in `ADMIN_IDS`, and one of the staff members the history is spread
/// over (so that its own day's sends are counted from the history too).
pub const ADMIN: i64 = 100_001;
/// The stored staff members are `STAFF_BASE + 1 ..= STAFF_BASE + STORED_STAFF`.
const STAFF_BASE: i64 = 200_000;
const STORED_STAFF: i64 = 8;
const DAY: i64 = 86_400;

/// What seeding took.
pub struct Seeded {
    pub elapsed: Duration,
    pub audit_rows: i64,
}

/// Writes `count` verifications (and what goes with them) into the SQLite database at `url`,
/// in one transaction. The bot must not be running on it.
pub async fn seed(url: &str, count: u64, now: i64) -> Result<Seeded, sqlx::Error> {
    let started = Instant::now();
    // No journal while seeding (the file is thrown away if this fails), then back to WAL, as
    // the bot leaves it.
    let options = SqliteConnectOptions::from_str(url)?
        .journal_mode(SqliteJournalMode::Off)
        .synchronous(SqliteSynchronous::Off)
        .pragma("cache_size", "-262144")
        .pragma("temp_store", "MEMORY");
    let mut db = SqliteConnection::connect_with(&options).await?;
    let count = i64::try_from(count).unwrap_or(i64::MAX);
    let first = now - 30 * DAY + 600;
    let span = 30 * DAY - 1200;
    let customers = (count / 3).max(1);
    let mut tx = db.begin().await?;
    sqlx::query(
        "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < $1) \
         INSERT INTO staff (user_id, role, name, username, added_at, added_by) \
         SELECT $2 + k, 'staff', 'Staff member ' || k, 'staff_' || k, $3, $4 FROM n",
    )
    .bind(STORED_STAFF)
    .bind(STAFF_BASE)
    .bind(now - 60 * DAY)
    .bind(ADMIN)
    .execute(&mut *tx)
    .await?;
    // `kind`: code, contact, max, refused, expired, cancelled (see the module's comment).
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < $1), \
         h AS (SELECT i, (i * 2654435761) % 4294967296 AS hash, $2 + i * $3 / $1 AS t, \
                      CASE WHEN i % 9 = 0 THEN $4 ELSE $5 + i % 9 END AS staff FROM n), \
         r AS (SELECT i, hash, t, staff, \
                      CASE WHEN hash % 1000 < 620 THEN 'code' \
                           WHEN hash % 1000 < 720 THEN 'contact' \
                           WHEN hash % 1000 < 770 THEN 'max' \
                           WHEN hash % 1000 < 800 THEN 'refused' \
                           WHEN hash % 1000 < 930 THEN 'expired' \
                           ELSE 'cancelled' END AS kind, \
                      (hash / 1000) % 10 AS d FROM h) \
         INSERT INTO verifications (id, chat_id, staff_user_id, phone, status, code_length, ttl, \
             request_id, request_cost, remaining_balance, is_refunded, delivery_status, \
             verification_status, attempts, error, message_id, created_at, sent_at, expires_at, \
             checked_at, closed_at, delivery_updated_at, send_started_at, method) \
         SELECT i + 1, \
             CASE WHEN i % 3 = 0 THEN staff ELSE -1001000000000 - i % 20 END, \
             staff, \
             '+4477' || printf('%08d', (i * 7919) % $6), \
             CASE kind WHEN 'code' THEN 'verified' WHEN 'contact' THEN 'verified' \
                  WHEN 'max' THEN 'max_attempts' WHEN 'refused' THEN 'failed' \
                  ELSE kind END, \
             CASE kind WHEN 'contact' THEN 0 ELSE 6 END, \
             CASE kind WHEN 'contact' THEN 0 ELSE 300 END, \
             CASE WHEN kind IN ('contact', 'refused') THEN NULL ELSE 'seed-' || (i + 1) END, \
             CASE kind WHEN 'contact' THEN 0.0 WHEN 'refused' THEN NULL \
                  ELSE CASE WHEN d < 2 THEN 0.015 ELSE 0.01 END END, \
             CASE WHEN kind IN ('contact', 'refused') THEN NULL ELSE 50000.0 - i * 0.01 END, \
             CASE WHEN kind = 'expired' AND d = 0 THEN 1 ELSE 0 END, \
             CASE kind WHEN 'code' THEN 'read' WHEN 'max' THEN 'read' \
                  WHEN 'cancelled' THEN 'delivered' \
                  WHEN 'expired' THEN CASE WHEN d = 0 THEN 'expired' ELSE 'delivered' END \
                  ELSE NULL END, \
             CASE kind WHEN 'code' THEN 'code_valid' \
                  WHEN 'max' THEN 'code_max_attempts_exceeded' WHEN 'expired' THEN 'expired' \
                  ELSE NULL END, \
             CASE kind WHEN 'code' THEN CASE WHEN d < 3 THEN 2 ELSE 1 END \
                  WHEN 'max' THEN 3 ELSE 0 END, \
             CASE kind WHEN 'refused' THEN 'PHONE_NUMBER_INVALID' ELSE NULL END, \
             CASE WHEN kind IN ('contact', 'refused') THEN NULL ELSE i + 1 END, \
             t, \
             CASE WHEN kind IN ('contact', 'refused') THEN NULL ELSE t + 1 END, \
             CASE WHEN kind IN ('contact', 'refused') THEN NULL ELSE t + 301 END, \
             CASE kind WHEN 'code' THEN t + 40 WHEN 'max' THEN t + 90 WHEN 'contact' THEN t \
                  ELSE NULL END, \
             CASE kind WHEN 'code' THEN t + 40 WHEN 'max' THEN t + 90 WHEN 'contact' THEN t \
                  WHEN 'refused' THEN t + 1 WHEN 'expired' THEN t + 301 ELSE t + 120 END, \
             CASE WHEN kind IN ('contact', 'refused') THEN NULL ELSE t + 5 END, \
             CASE kind WHEN 'contact' THEN NULL ELSE t END, \
             CASE kind WHEN 'contact' THEN 'contact' ELSE 'code' END \
         FROM r",
    )
    .bind(count)
    .bind(first)
    .bind(span)
    .bind(ADMIN)
    .bind(STAFF_BASE)
    .bind(customers)
    .execute(&mut *tx)
    .await?;
    // The used `/qr` links of the contact shares.
    sqlx::query(
        "INSERT INTO contact_links (token_hash, chat_id, staff_user_id, phone, created_at, \
             expires_at, opened_by, opened_at, used_at, verification_id) \
         SELECT printf('%064x', id * 2654435761), chat_id, staff_user_id, NULL, created_at - 60, \
             created_at + 540, 500000000 + id, created_at - 20, created_at, id \
         FROM verifications WHERE method = 'contact'",
    )
    .execute(&mut *tx)
    .await?;
    // The audit rows: what the triggers write for each send and code check, and what the store
    // writes for a contact share and a cancellation; in time order, as they were written.
    let audit = sqlx::query(
        "INSERT INTO audit_log (at, actor, action, verification_id, phone, cost, detail) \
         SELECT at, actor, action, verification_id, phone, cost, detail FROM ( \
             SELECT sent_at AS at, staff_user_id AS actor, 'send' AS action, \
                    id AS verification_id, phone, request_cost AS cost, NULL AS detail \
             FROM verifications WHERE sent_at IS NOT NULL \
           UNION ALL \
             SELECT v.checked_at - (v.attempts - a.k) * 15, v.staff_user_id, 'check', v.id, \
                    v.phone, NULL, \
                    CASE WHEN a.k = v.attempts THEN v.verification_status \
                         ELSE 'code_invalid' END \
             FROM verifications v \
             JOIN (SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3) a ON a.k <= v.attempts \
             WHERE v.method = 'code' \
           UNION ALL \
             SELECT created_at, 500000000 + id, 'contact_share', id, phone, 0.0, \
                    'link of staff ' || staff_user_id \
             FROM verifications WHERE method = 'contact' \
           UNION ALL \
             SELECT closed_at, staff_user_id, 'cancel', id, phone, NULL, NULL \
             FROM verifications WHERE status = 'cancelled' \
         ) ORDER BY at, verification_id",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE balance SET remaining = 1234.5, updated_at = $1 WHERE id = 1")
        .bind(now - 600)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    sqlx::query("PRAGMA journal_mode = WAL")
        .execute(&mut db)
        .await?;
    db.close().await?;
    Ok(Seeded {
        elapsed: started.elapsed(),
        audit_rows: i64::try_from(audit.rows_affected()).unwrap_or(i64::MAX),
    })
}
