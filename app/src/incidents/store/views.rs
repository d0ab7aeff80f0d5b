//! Reading incidents back: the reporter's list and one incident with its timeline and thread.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::attachments::{store as attachments, AttachmentRef};
use crate::error::AppError;
use crate::incidents::sealed::{self, Column};
use crate::incidents::IncidentId;
use crate::incidents::{
    mask, CustomerView, DocType, Identity, IncidentNumber, ReportFilter, ReportSummary, ReportView,
    Side, Status, Step, ThreadMessage, TimelineEntry,
};
use crate::reference::Named;

pub async fn list_for_reporter(
    pool: &PgPool,
    reporter_id: i64,
    filter: ReportFilter,
) -> Result<Vec<ReportSummary>, AppError> {
    let filter = match filter {
        ReportFilter::All => "all",
        ReportFilter::Open => "open",
        ReportFilter::Resolved => "resolved",
    };
    let rows = sqlx::query!(
        r#"SELECT i.number AS "number: IncidentNumber", i.client_id, i.title, i.status AS "status: Status",
                  s.code AS system_code, s.name_zh, s.name_en,
                  i.last_activity_at AS "last_activity_at: DateTime<Utc>",
                  (SELECT count(*) FROM incident_messages m
                   WHERE m.incident_id = i.id AND m.author_side = 'handler' AND NOT m.internal
                     AND m.id > i.reporter_read_upto) AS "unread!"
           FROM incidents i JOIN systems s ON s.id = i.system_id
           WHERE i.reporter_id = $1
             AND ($2 = 'all' OR ($2 = 'open') = (i.status NOT IN ('resolved', 'closed')))
           ORDER BY i.last_activity_at DESC, i.id DESC
           LIMIT 200"#,
        reporter_id,
        filter
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ReportSummary {
            number: r.number,
            client_id: r.client_id,
            title: r.title,
            status: r.status,
            system: Named {
                code: r.system_code,
                name_zh: r.name_zh,
                name_en: r.name_en,
            },
            last_activity_at: r.last_activity_at,
            unread: r.unread,
        })
        .collect())
}

/// The whole incident as `viewer` may see it: customer identity masked for everybody (the team
/// reveals a field on purpose, see `console::store::reveal`), internal notes for the team only.
pub async fn load_view(
    pool: &PgPool,
    incident_id: IncidentId,
    viewer: Side,
) -> Result<ReportView, AppError> {
    let row = sqlx::query!(
        r#"SELECT i.number AS "number: IncidentNumber", i.title, i.status AS "status: Status", i.customer_name,
                  i.id_doc_type AS "id_doc_type: DocType",
                  i.identity_key_id, i.id_number_sealed,
                  i.description, i.solution, i.reporter_read_upto, i.handler_read_upto,
                  i.created_at AS "created_at: DateTime<Utc>",
                  s.code AS system_code, s.name_zh AS system_zh, s.name_en AS system_en,
                  m.code AS "module_code?", m.name_zh AS "module_zh?", m.name_en AS "module_en?"
           FROM incidents i
           JOIN systems s ON s.id = i.system_id
           LEFT JOIN system_modules m ON m.id = i.module_id
           WHERE i.id = $1"#,
        incident_id.0
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;

    let timeline = sqlx::query!(
        r#"SELECT e.kind AS "kind: Step", e.to_status AS "to_status: Status", e.detail,
                  CASE WHEN $2 OR e.note_public THEN e.note END AS note,
                  u.display_name,
                  e.created_at AS "created_at: DateTime<Utc>"
           FROM incident_events e JOIN users u ON u.id = e.actor_id
           WHERE e.incident_id = $1 AND ($2 OR NOT e.kind = ANY($3))
           ORDER BY e.id"#,
        incident_id.0,
        viewer == Side::Handler,
        &internal_steps() as &[Step]
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|e| TimelineEntry {
        step: e.kind,
        status: e.to_status,
        actor_name: e.display_name,
        detail: e.detail,
        note: e.note,
        at: e.created_at,
    })
    .collect();

    let mut files = attachments::for_incident(pool, incident_id, viewer == Side::Handler).await?;
    let messages = sqlx::query!(
        r#"SELECT m.id, m.client_id, m.author_side AS "author_side: Side", m.internal, m.body,
                  u.display_name,
                  m.created_at AS "created_at: DateTime<Utc>"
           FROM incident_messages m JOIN users u ON u.id = m.author_id
           WHERE m.incident_id = $1 AND (NOT m.internal OR $2)
           ORDER BY m.id"#,
        incident_id.0,
        viewer == Side::Handler
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|m| {
        let side = m.author_side;
        let read_upto = match side {
            Side::Reporter => row.handler_read_upto,
            Side::Handler => row.reporter_read_upto,
        };
        ThreadMessage {
            id: m.id,
            client_id: m.client_id,
            side,
            author_name: m.display_name,
            body: m.body,
            at: m.created_at,
            attachments: take_for_message(&mut files, Some(m.id)),
            read_by_other: m.id <= read_upto,
            internal: m.internal,
        }
    })
    .collect();

    let customer = match (row.customer_name, row.id_doc_type) {
        (Some(name), Some(doc_type)) => {
            // Start-up seals every ID number before anyone is served.
            let (Some(key_id), Some(id_number)) = (row.identity_key_id, row.id_number_sealed)
            else {
                return Err(AppError::Internal);
            };
            let id_number = sealed::keyring()?.open(Column::IdNumber, &key_id, &id_number)?;
            Some(CustomerView {
                name: mask(Identity::Name, &name),
                doc_type,
                id_number: mask(Identity::Document(doc_type), &id_number),
            })
        }
        _ => None,
    };
    let module = match (row.module_code, row.module_zh, row.module_en) {
        (Some(code), Some(name_zh), Some(name_en)) => Some(Named {
            code,
            name_zh,
            name_en,
        }),
        _ => None,
    };
    Ok(ReportView {
        number: row.number,
        title: row.title,
        status: row.status,
        system: Named {
            code: row.system_code,
            name_zh: row.system_zh,
            name_en: row.system_en,
        },
        module,
        customer,
        description: row.description,
        solution: row.solution,
        created_at: row.created_at,
        attachments: take_for_message(&mut files, None),
        timeline,
        messages,
    })
}

/// Timeline kinds a reporter does not see.
fn internal_steps() -> Vec<Step> {
    Step::ALL.into_iter().filter(|s| s.is_internal()).collect()
}

fn take_for_message(
    files: &mut Vec<(Option<i64>, AttachmentRef)>,
    message_id: Option<i64>,
) -> Vec<AttachmentRef> {
    let (mine, rest): (Vec<_>, Vec<_>) = files.drain(..).partition(|(m, _)| *m == message_id);
    *files = rest;
    mine.into_iter().map(|(_, file)| file).collect()
}
