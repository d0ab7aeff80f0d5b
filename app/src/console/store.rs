use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::{
    IdentityField, QueueCursor, QueueFilter, QueuePage, QueueRow, TeamIncident, TeamMember,
};
use crate::auth::{CurrentUser, Role};
use crate::error::AppError;
use crate::incidents::{mask_number, store as incidents, Category, Severity, Side, Status};
use crate::reference::Named;

/// Active staff (everyone but reporters), by role then name.
pub async fn list_staff(pool: &PgPool) -> Result<Vec<TeamMember>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT display_name, role, last_sign_in_at AS "last_sign_in_at: chrono::DateTime<chrono::Utc>" FROM users
         WHERE active AND role <> 'reporter'
         ORDER BY array_position(ARRAY['handler', 'reviewer', 'admin'], role), display_name"#
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(TeamMember {
                role: Role::parse(&r.role).ok_or(AppError::Internal)?,
                display_name: r.display_name,
                last_sign_in_at: r.last_sign_in_at,
            })
        })
        .collect()
}

/// Incidents under `filter`, newest activity first, `limit` at a time after `after`.
pub async fn queue(
    pool: &PgPool,
    viewer: &CurrentUser,
    filter: &QueueFilter,
    after: Option<QueueCursor>,
    limit: i64,
) -> Result<QueuePage, AppError> {
    let words = crate::search::segment(filter.search.trim());
    let words = (!words.is_empty()).then_some(words);
    let number = filter.search.trim().parse::<i64>().ok();
    let rows = sqlx::query!(
        r#"SELECT i.id, i.number, i.title, i.status, i.category, i.severity,
                  i.created_at AS "created_at: DateTime<Utc>",
                  i.last_activity_at AS "last_activity_at: DateTime<Utc>",
                  s.code AS system_code, s.name_zh AS system_zh, s.name_en AS system_en,
                  r.display_name AS reporter_name, a.display_name AS "assignee_name?",
                  (SELECT count(*) FROM incident_messages m
                   WHERE m.incident_id = i.id AND m.author_side = 'reporter'
                     AND m.id > i.handler_read_upto) AS "unread!"
           FROM incidents i
           JOIN systems s ON s.id = i.system_id
           JOIN users r ON r.id = i.reporter_id
           LEFT JOIN users a ON a.id = i.assignee_id
           WHERE ($1::TEXT IS NULL OR i.status = $1)
             AND ($2::TEXT IS NULL OR s.code = $2)
             AND CASE $3 WHEN 'me' THEN i.assignee_id = $4
                         WHEN 'unassigned' THEN i.assignee_id IS NULL
                         ELSE TRUE END
             AND ($5::TEXT IS NULL OR i.search_words @@ plainto_tsquery('simple', $5)
                  OR i.number = $6)
             AND ($7::BIGINT IS NULL
                  OR (i.last_activity_at, i.id)
                     < (TIMESTAMPTZ 'epoch' + $7 * INTERVAL '1 microsecond', $8))
           ORDER BY i.last_activity_at DESC, i.id DESC
           LIMIT $9"#,
        filter.status.map(Status::as_str),
        filter.system,
        filter.assignee.as_str(),
        viewer.id,
        words,
        number,
        after.map(|c| c.at_us),
        after.map(|c| c.id),
        limit + 1,
    )
    .fetch_all(pool)
    .await?;
    let more = rows.len() as i64 > limit;
    let mut next = None;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows.into_iter().take(limit as usize) {
        next = Some(QueueCursor {
            at_us: r.last_activity_at.timestamp_micros(),
            id: r.id,
        });
        out.push(QueueRow {
            number: r.number,
            title: r.title,
            system: Named {
                code: r.system_code,
                name_zh: r.system_zh,
                name_en: r.system_en,
            },
            category: r.category.as_deref().and_then(Category::parse),
            severity: r.severity.as_deref().and_then(Severity::parse),
            status: Status::parse(&r.status).ok_or(AppError::Internal)?,
            assignee: r.assignee_name,
            reporter: r.reporter_name,
            created_at: r.created_at,
            last_activity_at: r.last_activity_at,
            unread: r.unread,
        });
    }
    // Later pages only extend the list the first page's counts already describe.
    if after.is_some() {
        return Ok(QueuePage {
            rows: out,
            next: next.filter(|_| more),
            counts: Vec::new(),
        });
    }
    let counts = sqlx::query!(
        r#"SELECT i.status, count(*) AS "count!"
           FROM incidents i JOIN systems s ON s.id = i.system_id
           WHERE ($1::TEXT IS NULL OR s.code = $1)
             AND CASE $2 WHEN 'me' THEN i.assignee_id = $3
                         WHEN 'unassigned' THEN i.assignee_id IS NULL
                         ELSE TRUE END
             AND ($4::TEXT IS NULL OR i.search_words @@ plainto_tsquery('simple', $4)
                  OR i.number = $5)
           GROUP BY i.status"#,
        filter.system,
        filter.assignee.as_str(),
        viewer.id,
        words,
        number,
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .filter_map(|r| Some((Status::parse(&r.status)?, r.count)))
    .collect();
    Ok(QueuePage {
        rows: out,
        next: next.filter(|_| more),
        counts,
    })
}

/// One incident for the team, identity masked.
pub async fn incident(
    pool: &PgPool,
    viewer: &CurrentUser,
    incident_id: i64,
) -> Result<TeamIncident, AppError> {
    let report = incidents::load_view(pool, incident_id, Side::Handler).await?;
    let row = sqlx::query!(
        r#"SELECT r.display_name AS reporter_name, a.display_name AS "assignee_name?",
                  i.assignee_id, i.category, i.severity, i.fund_account, i.customer_mobile
           FROM incidents i
           JOIN users r ON r.id = i.reporter_id
           LEFT JOIN users a ON a.id = i.assignee_id
           WHERE i.id = $1"#,
        incident_id
    )
    .fetch_one(pool)
    .await?;
    Ok(TeamIncident {
        report,
        reporter: row.reporter_name,
        assignee: row.assignee_name,
        mine: row.assignee_id == Some(viewer.id),
        category: row.category.as_deref().and_then(Category::parse),
        severity: row.severity.as_deref().and_then(Severity::parse),
        fund_account: row.fund_account.map(|v| mask_number(&v, 2, 2)),
        customer_mobile: row.customer_mobile.map(|v| mask_number(&v, 3, 4)),
    })
}

/// The full value of one identity field, recording who looked and when.
pub async fn reveal(
    pool: &PgPool,
    viewer: &CurrentUser,
    incident_id: i64,
    field: IdentityField,
) -> Result<String, AppError> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query!(
        "SELECT customer_name, id_number, fund_account, customer_mobile FROM incidents
         WHERE id = $1",
        incident_id
    )
    .fetch_one(&mut *tx)
    .await?;
    let value = match field {
        IdentityField::CustomerName => Some(row.customer_name),
        IdentityField::IdNumber => Some(row.id_number),
        IdentityField::FundAccount => row.fund_account,
        IdentityField::CustomerMobile => row.customer_mobile,
    }
    .ok_or(AppError::NotFound)?;
    sqlx::query!(
        "INSERT INTO identity_reveals (incident_id, actor_id, field) VALUES ($1, $2, $3)",
        incident_id,
        viewer.id,
        field.as_str()
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(value)
}
