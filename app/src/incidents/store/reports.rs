//! Filing a report, once per client id (the outbox may send it twice).

use sqlx::PgPool;
use uuid::Uuid;

use super::changes::{self, StepChange};
use crate::attachments::store as attachments;
use crate::auth::CurrentUser;
use crate::error::{AppError, Problem};
use crate::incidents::sealed::{self, SealedIdentity};
use crate::incidents::{DocType, IncidentId, IncidentNumber, NewReport, Status, Step};

/// Files a report once. The endpoint answers a retry from `existing_report` before calling
/// this; a retry racing the first filing answers the number that filing made.
pub async fn create_report(
    pool: &PgPool,
    reporter: &CurrentUser,
    client_id: Uuid,
    report: &NewReport,
    attachment_ids: &[Uuid],
) -> Result<IncidentNumber, AppError> {
    let mut tx = pool.begin().await?;
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
    let sealed = SealedIdentity::new(
        sealed::keyring()?,
        &report.id_number,
        optional(&report.fund_account),
        optional(&report.customer_mobile),
    )?;
    let inserted = sqlx::query!(
        r#"INSERT INTO incidents (client_id, reporter_id, customer_name, id_doc_type,
                                  identity_key_id, id_number_sealed, id_number_index,
                                  fund_account_sealed, fund_account_index,
                                  customer_mobile_sealed, customer_mobile_index,
                                  system_id, module_id, title, description)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
           ON CONFLICT (client_id) DO NOTHING
           RETURNING id AS "id: IncidentId", number AS "number: IncidentNumber""#,
        client_id,
        reporter.id,
        report.customer_name,
        report.id_doc_type as DocType,
        sealed.key_id,
        sealed.id_number,
        sealed.id_number_index,
        sealed.fund_account,
        sealed.fund_account_index,
        sealed.customer_mobile,
        sealed.customer_mobile_index,
        system_id,
        module_id,
        report.title,
        report.description,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = inserted else {
        // A concurrent retry of the same report won the race.
        tx.rollback().await?;
        return existing_report(pool, reporter, client_id)
            .await?
            .ok_or(AppError::Internal);
    };
    attachments::link(&mut tx, reporter.id, row.id, None, attachment_ids).await?;
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
    let change = StepChange::keeping_status(row.id, reporter.id, Step::Reported, Status::New, None);
    changes::step(&mut tx, change).await?;
    crate::help::deflection::followed_by_report(&mut tx, reporter.id, row.id.0).await?;
    tx.commit().await?;
    Ok(row.number)
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
