//! The reveal itself and its record.

use std::net::IpAddr;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::ipnetwork::IpNetwork;
use sqlx::PgPool;

use super::{AuditFilter, AuditPage, IdentityField, RevealAlert, RevealReason, RevealRecord};
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::incidents::sealed::{self, Column};
use crate::incidents::IncidentId;

/// Where a reveal was asked from, and the alert threshold in force.
pub struct Asked {
    pub session_ref: Option<String>,
    pub address: Option<IpAddr>,
    pub threshold: u32,
}

/// The full value of one identity field, recording who looked, from where and why. Refused
/// unless the viewer may reveal on this incident (see `CurrentUser::may_reveal_on`).
pub async fn reveal(
    pool: &PgPool,
    viewer: &CurrentUser,
    incident_id: IncidentId,
    field: IdentityField,
    reason: RevealReason,
    asked: Asked,
) -> Result<String, AppError> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query!(
        r#"SELECT assignee_id, customer_name, identity_key_id,
                  id_number_sealed, fund_account_sealed,
                  customer_mobile_sealed
           FROM incidents WHERE id = $1"#,
        incident_id.0
    )
    .fetch_one(&mut *tx)
    .await?;
    if !viewer.may_reveal_on(row.assignee_id) {
        tracing::warn!(
            user_id = viewer.id,
            incident_id = incident_id.0,
            "reveal refused: not the incident's assignee"
        );
        return Err(AppError::Forbidden);
    }
    let keyring = sealed::keyring()?;
    // An incident monitoring raised names no customer: nothing to reveal.
    let key_id = row.identity_key_id.unwrap_or_default();
    let key_id = key_id.as_str();
    let value = match field {
        IdentityField::CustomerName => row.customer_name,
        IdentityField::IdNumber => {
            keyring.open_optional(Column::IdNumber, key_id, row.id_number_sealed.as_deref())?
        }
        IdentityField::FundAccount => keyring.open_optional(
            Column::FundAccount,
            key_id,
            row.fund_account_sealed.as_deref(),
        )?,
        IdentityField::CustomerMobile => keyring.open_optional(
            Column::CustomerMobile,
            key_id,
            row.customer_mobile_sealed.as_deref(),
        )?,
    }
    .ok_or(AppError::NotFound)?;
    sqlx::query!(
        "INSERT INTO identity_reveals
            (incident_id, actor_id, field, reason, session_ref, client_ip)
         VALUES ($1, $2, $3, $4, $5, $6)",
        incident_id.0,
        viewer.id,
        field as IdentityField,
        reason as RevealReason,
        asked.session_ref,
        asked.address.map(IpNetwork::from),
    )
    .execute(&mut *tx)
    .await?;
    let last_hour = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM identity_reveals
           WHERE actor_id = $1 AND created_at > now() - interval '1 hour'"#,
        viewer.id
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    if last_hour > i64::from(asked.threshold) {
        tracing::warn!(
            target: "desk::security",
            user_id = viewer.id,
            reveals_last_hour = last_hour,
            threshold = asked.threshold,
            "identity reveals above the alert threshold"
        );
    }
    Ok(value)
}

/// The start of a Shanghai day, in UTC.
fn day_start(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0)
        .and_then(|at| at.and_local_timezone(crate::time::shanghai()).single())
        .map_or_else(Utc::now, |at| at.with_timezone(&Utc))
}

pub async fn audit(
    pool: &PgPool,
    filter: &AuditFilter,
    before: Option<i64>,
    limit: i64,
    threshold: u32,
) -> Result<AuditPage, AppError> {
    let from = filter.from.map(day_start);
    let until = filter.to.and_then(|d| d.succ_opt()).map(day_start);
    let mut records = sqlx::query!(
        r#"SELECT r.id, r.created_at AS "created_at: DateTime<Utc>", u.login, u.display_name, i.number,
                  r.field AS "field: IdentityField", r.reason AS "reason: RevealReason",
                  r.session_ref, r.client_ip
           FROM identity_reveals r
           JOIN users u ON u.id = r.actor_id
           JOIN incidents i ON i.id = r.incident_id
           WHERE ($1::bigint IS NULL OR r.id < $1)
             AND ($2::text IS NULL OR u.login = $2)
             AND ($3::bigint IS NULL OR i.number = $3)
             AND ($4::text IS NULL OR r.field = $4)
             AND ($5::text IS NULL OR r.reason = $5)
             AND ($6::timestamptz IS NULL OR r.created_at >= $6)
             AND ($7::timestamptz IS NULL OR r.created_at < $7)
           ORDER BY r.id DESC
           LIMIT $8"#,
        before,
        filter.login.as_deref().map(str::trim).filter(|l| !l.is_empty()),
        filter.number,
        filter.field.map(IdentityField::as_str),
        filter.reason.map(RevealReason::as_str),
        from as _,
        until as _,
        limit + 1,
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|row| RevealRecord {
        id: row.id,
        at: row.created_at,
        login: row.login,
        display_name: row.display_name,
        number: row.number,
        field: row.field,
        reason: row.reason,
        session_ref: row.session_ref,
        address: row.client_ip.map(|ip| ip.ip().to_string()),
    })
    .collect::<Vec<_>>();
    let next = (records.len() > usize::try_from(limit).unwrap_or(usize::MAX)).then(|| {
        records.pop();
        records.last().map(|r| r.id)
    });
    let alerts = sqlx::query_as!(
        RevealAlert,
        r#"SELECT u.login, u.display_name, count(*) AS "reveals!"
           FROM identity_reveals r JOIN users u ON u.id = r.actor_id
           WHERE r.created_at > now() - interval '1 hour'
           GROUP BY u.login, u.display_name
           HAVING count(*) > $1
           ORDER BY count(*) DESC"#,
        i64::from(threshold)
    )
    .fetch_all(pool)
    .await?;
    Ok(AuditPage {
        records,
        next: next.flatten(),
        alerts,
        threshold,
    })
}
