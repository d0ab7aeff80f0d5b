//! Filing a report, once per client id (the outbox may send it twice), and recording one that
//! reached the team another way, once per reference in its channel.

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::changes::{self, StepChange};
use crate::attachments::store as attachments;
use crate::auth::CurrentUser;
use crate::error::{AppError, Problem};
use crate::incidents::sealed::{self, SealedIdentity};
use crate::incidents::{
    Category, Channel, DocType, IncidentId, IncidentNumber, NewReport, Recorded, Status, Step,
};

/// Where a report came from, when not from the reporter's phone app.
pub struct Origin<'a> {
    pub channel: Channel,
    pub received_at: DateTime<Utc>,
    pub external_ref: Option<&'a str>,
    pub contact: Option<&'a str>,
    /// Sends no message for the new incident: an import of history would flood the team's
    /// robot with a push per row.
    pub quiet: bool,
    /// The classification the source gave.
    pub category: Option<Category>,
    /// Resolved before it was recorded here (history from another channel): when, and how.
    pub resolved: Option<(DateTime<Utc>, &'a str)>,
}

/// Files a report once. The endpoint answers a retry from `existing_report` before calling
/// this; a retry racing the first filing answers the number that filing made.
pub async fn create_report(
    pool: &PgPool,
    reporter: &CurrentUser,
    client_id: Uuid,
    report: &NewReport,
    attachment_ids: &[Uuid],
) -> Result<IncidentNumber, AppError> {
    match insert(pool, reporter, client_id, report, attachment_ids, None).await? {
        Some(number) => Ok(number),
        // A concurrent retry of the same report won the race.
        None => existing_report(pool, reporter, client_id)
            .await?
            .ok_or(AppError::Internal),
    }
}

/// Records an incident that reached the team by `origin`, its recorder standing as the
/// reporter. A reference already recorded in that channel (the unique index says so) answers
/// the incident it made.
pub async fn record(
    pool: &PgPool,
    recorder: &CurrentUser,
    report: &NewReport,
    origin: Origin<'_>,
) -> Result<Recorded, AppError> {
    let (channel, external_ref) = (origin.channel, origin.external_ref);
    let filed = insert(pool, recorder, Uuid::new_v4(), report, &[], Some(origin)).await?;
    match filed {
        Some(number) => Ok(Recorded {
            number,
            existing: false,
        }),
        None => recorded_as(pool, channel, external_ref)
            .await?
            .map(|number| Recorded {
                number,
                existing: true,
            })
            .ok_or(AppError::Internal),
    }
}

/// The incidents already recorded in `channel` under any of `external_refs`, by reference.
pub async fn recorded_under(
    pool: &PgPool,
    channel: Channel,
    external_refs: &[String],
) -> Result<std::collections::HashMap<String, IncidentNumber>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT external_ref AS "external_ref!", number AS "number: IncidentNumber"
           FROM incidents WHERE channel = $1 AND external_ref = ANY($2)"#,
        channel as Channel,
        external_refs
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.external_ref, r.number))
        .collect())
}

/// The incident recorded under `external_ref` in `channel`.
async fn recorded_as(
    pool: &PgPool,
    channel: Channel,
    external_ref: Option<&str>,
) -> Result<Option<IncidentNumber>, AppError> {
    let Some(external_ref) = external_ref else {
        return Ok(None);
    };
    Ok(sqlx::query_scalar!(
        r#"SELECT number AS "number: IncidentNumber" FROM incidents
           WHERE channel = $1 AND external_ref = $2"#,
        channel as Channel,
        external_ref
    )
    .fetch_optional(pool)
    .await?)
}

/// Inserts the incident and its first step; `None` when a unique key (the client id, or the
/// reference in its channel) is already taken.
async fn insert(
    pool: &PgPool,
    reporter: &CurrentUser,
    client_id: Uuid,
    report: &NewReport,
    attachment_ids: &[Uuid],
    origin: Option<Origin<'_>>,
) -> Result<Option<IncidentNumber>, AppError> {
    let mut tx = pool.begin().await?;
    let inserted = insert_in(&mut tx, reporter, client_id, report, attachment_ids, origin).await?;
    match inserted {
        Some((_, number)) => {
            tx.commit().await?;
            Ok(Some(number))
        }
        None => {
            tx.rollback().await?;
            Ok(None)
        }
    }
}

/// Records, inside the caller's transaction, an incident that monitoring raised: it names no
/// customer (the report's identity fields are empty), only what its records show. `None` when
/// the reference is already recorded in the monitoring channel (the transaction is then
/// spoiled: roll it back).
pub async fn raise_in(
    tx: &mut sqlx::PgConnection,
    raiser: &CurrentUser,
    report: &NewReport,
    origin: Origin<'_>,
) -> Result<Option<(IncidentId, IncidentNumber)>, AppError> {
    debug_assert!(origin.channel == Channel::Monitoring && report.customer_name.is_empty());
    insert_in(tx, raiser, Uuid::new_v4(), report, &[], Some(origin)).await
}

async fn insert_in(
    tx: &mut sqlx::PgConnection,
    reporter: &CurrentUser,
    client_id: Uuid,
    report: &NewReport,
    attachment_ids: &[Uuid],
    origin: Option<Origin<'_>>,
) -> Result<Option<(IncidentId, IncidentNumber)>, AppError> {
    let system_id = sqlx::query_scalar!(
        "SELECT id FROM systems WHERE code = $1 AND active",
        report.system
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AppError::invalid("system", Problem::UnknownChoice))?;
    let module_id = if report.module.is_empty() {
        None
    } else {
        let id = sqlx::query_scalar!(
            "SELECT id FROM system_modules WHERE system_id = $1 AND code = $2 AND active",
            system_id,
            report.module
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| AppError::invalid("module", Problem::UnknownChoice))?;
        Some(id)
    };
    fn optional(value: &str) -> Option<&str> {
        Some(value).filter(|v| !v.is_empty())
    }
    // Every path but monitoring's checks that the customer is named (`NewReport::problems`);
    // the table's constraint holds a customer-less incident to the monitoring channel.
    let customer = !report.customer_name.is_empty();
    let sealed = customer
        .then(|| {
            SealedIdentity::new(
                sealed::keyring()?,
                &report.id_number,
                optional(&report.fund_account),
                optional(&report.customer_mobile),
            )
        })
        .transpose()?;
    let sealed = sealed.as_ref();
    let inserted = sqlx::query!(
        r#"INSERT INTO incidents (client_id, reporter_id, customer_name, id_doc_type,
                                  identity_key_id, id_number_sealed, id_number_index,
                                  fund_account_sealed, fund_account_index,
                                  customer_mobile_sealed, customer_mobile_index,
                                  system_id, module_id, title, description,
                                  channel, external_ref, contact, created_at, last_activity_at,
                                  category)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                   $16, $17, $18, COALESCE($19, now()), COALESCE($19, now()), $20)
           ON CONFLICT DO NOTHING
           RETURNING id AS "id: IncidentId", number AS "number: IncidentNumber""#,
        client_id,
        reporter.id,
        customer.then_some(report.customer_name.as_str()),
        customer.then_some(report.id_doc_type) as Option<DocType>,
        sealed.map(|s| s.key_id.as_str()),
        sealed.map(|s| s.id_number.as_slice()),
        sealed.map(|s| s.id_number_index.as_slice()),
        sealed.and_then(|s| s.fund_account.as_deref()),
        sealed.and_then(|s| s.fund_account_index.as_deref()),
        sealed.and_then(|s| s.customer_mobile.as_deref()),
        sealed.and_then(|s| s.customer_mobile_index.as_deref()),
        system_id,
        module_id,
        report.title,
        report.description,
        origin.as_ref().map_or(Channel::Mobile, |o| o.channel) as Channel,
        origin.as_ref().and_then(|o| o.external_ref),
        origin.as_ref().and_then(|o| o.contact),
        origin.as_ref().map(|o| o.received_at) as _,
        origin.as_ref().and_then(|o| o.category) as Option<Category>,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = inserted else {
        return Ok(None);
    };
    attachments::link(tx, reporter.id, row.id, None, attachment_ids).await?;
    let words = crate::search::segment(&format!(
        "{} {} {}",
        row.number, report.title, report.description
    ));
    sqlx::query!(
        "UPDATE incidents SET search_words = to_tsvector('simple', $2) WHERE id = $1",
        row.id.0,
        words
    )
    .execute(&mut *tx)
    .await?;
    let mut change =
        StepChange::keeping_status(row.id, reporter.id, Step::Reported, Status::New, None);
    if origin.as_ref().is_some_and(|o| o.quiet) {
        change.outbound = changes::Outbound::Quiet;
    }
    changes::step(tx, change).await?;
    if let Some((at, solution)) = origin.as_ref().and_then(|o| o.resolved) {
        resolved_before(tx, row.id, reporter.id, at, solution).await?;
    }
    // Help read before reporting counts for the reporter's own reports, not the team's records.
    if origin.is_none() {
        crate::help::deflection::followed_by_report(tx, reporter.id, row.id.0).await?;
    }
    Ok(Some((row.id, row.number)))
}

/// Marks a record resolved at the time its source resolved it, the way the resolve step
/// would have then: its timeline says so, and its clock is stopped rather than run up to now.
async fn resolved_before(
    conn: &mut sqlx::PgConnection,
    incident_id: IncidentId,
    actor_id: i64,
    at: DateTime<Utc>,
    solution: &str,
) -> Result<(), AppError> {
    sqlx::query!(
        "UPDATE incidents SET status = 'resolved', solution = $2, resolved_at = $3,
                              last_activity_at = $3, sla_running_since = NULL
         WHERE id = $1",
        incident_id.0,
        solution,
        at as _,
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO incident_events (incident_id, actor_id, kind, to_status, created_at)
         VALUES ($1, $2, 'resolved', 'resolved', $3)",
        incident_id.0,
        actor_id,
        at as _,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The report already filed under `client_id` by this reporter, if any.
pub async fn existing_report(
    pool: &PgPool,
    reporter: &CurrentUser,
    client_id: Uuid,
) -> Result<Option<IncidentNumber>, AppError> {
    let row = sqlx::query!(
        r#"SELECT number AS "number: IncidentNumber", reporter_id FROM incidents WHERE client_id = $1"#,
        client_id
    )
    .fetch_optional(pool)
    .await?;
    match row {
        Some(row) if row.reporter_id == reporter.id => Ok(Some(row.number)),
        Some(_) => Err(AppError::Conflict),
        None => Ok(None),
    }
}
