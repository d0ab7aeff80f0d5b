//! Incidents in PostgreSQL. Every write that someone may be watching ends with a notification
//! (delivered at commit), which feeds the live updates of every server replica.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::{
    mask_name, mask_number, within, Category, DocType, NewReport, ReportFilter, ReportSummary,
    ReportView, Severity, Side, Status, Step, StepDetails, ThreadMessage, TimelineEntry,
    TransferTarget, MAX_SUBCATEGORY,
};
use crate::attachments::{store as attachments, AttachmentRef};
use crate::auth::CurrentUser;
use crate::error::{AppError, Problem};
use crate::reference::Named;

pub const ACTIVITY_CHANNEL: &str = "incident_activity";

/// Numbers of the incidents whose number, title or description hold every word of `query`,
/// newest activity first.
pub async fn search_numbers(pool: &PgPool, query: &str, limit: i64) -> Result<Vec<i64>, AppError> {
    let words = crate::search::segment(query);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let numbers = sqlx::query_scalar!(
        "SELECT number FROM incidents
         WHERE search_words @@ plainto_tsquery('simple', $1)
         ORDER BY last_activity_at DESC, id DESC
         LIMIT $2",
        words,
        limit
    )
    .fetch_all(pool)
    .await?;
    Ok(numbers)
}

/// The few columns access checks and workflow steps need.
#[derive(Debug, Clone, Copy)]
pub struct IncidentRef {
    pub id: i64,
    pub number: i64,
    pub reporter_id: i64,
    pub status: Status,
}

fn status_of(code: &str) -> Result<Status, AppError> {
    Status::parse(code).ok_or_else(|| {
        tracing::error!(code, "unknown status in database");
        AppError::Internal
    })
}

pub(crate) async fn notify(conn: &mut PgConnection, incident_id: i64) -> Result<(), AppError> {
    sqlx::query!(
        "SELECT pg_notify($1, $2::BIGINT::TEXT)",
        ACTIVITY_CHANNEL,
        incident_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find_by_number(pool: &PgPool, number: i64) -> Result<Option<IncidentRef>, AppError> {
    let row = sqlx::query!(
        "SELECT id, number, reporter_id, status FROM incidents WHERE number = $1",
        number
    )
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok(IncidentRef {
            id: r.id,
            number: r.number,
            reporter_id: r.reporter_id,
            status: status_of(&r.status)?,
        })
    })
    .transpose()
}

/// The incident if `reporter` filed it. Somebody else's report is "not found", so numbers
/// reveal nothing.
pub async fn find_for_reporter(
    pool: &PgPool,
    number: i64,
    reporter: &CurrentUser,
) -> Result<IncidentRef, AppError> {
    match find_by_number(pool, number).await? {
        Some(incident) if incident.reporter_id == reporter.id => Ok(incident),
        _ => Err(AppError::NotFound),
    }
}

/// Files a report once: a retry with the same client id answers the number made the first time.
pub async fn create_report(
    pool: &PgPool,
    reporter: &CurrentUser,
    client_id: Uuid,
    report: &NewReport,
    attachment_ids: &[Uuid],
) -> Result<i64, AppError> {
    if let Some(number) = existing_report(pool, reporter, client_id).await? {
        return Ok(number);
    }
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
    let optional = |value: &str| (!value.is_empty()).then(|| value.to_owned());
    let inserted = sqlx::query!(
        r#"INSERT INTO incidents (client_id, reporter_id, customer_name, id_doc_type, id_number,
                                  fund_account, customer_mobile, system_id, module_id, title,
                                  description)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (client_id) DO NOTHING
           RETURNING id, number"#,
        client_id,
        reporter.id,
        report.customer_name,
        report.id_doc_type.as_str(),
        report.id_number,
        optional(&report.fund_account),
        optional(&report.customer_mobile),
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
        row.id,
        words
    )
    .execute(&mut *tx)
    .await?;
    let event = StepEvent {
        step: Step::Reported,
        to_status: Status::New,
        detail: None,
        note: None,
    };
    record_step(&mut tx, row.id, reporter.id, event).await?;
    notify(&mut tx, row.id).await?;
    tx.commit().await?;
    Ok(row.number)
}

async fn existing_report(
    pool: &PgPool,
    reporter: &CurrentUser,
    client_id: Uuid,
) -> Result<Option<i64>, AppError> {
    let row = sqlx::query!(
        "SELECT number, reporter_id FROM incidents WHERE client_id = $1",
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

/// One line of the timeline.
pub(crate) struct StepEvent<'a> {
    pub step: Step,
    pub to_status: Status,
    pub detail: Option<&'a str>,
    pub note: Option<&'a str>,
}

pub(crate) async fn record_step(
    conn: &mut PgConnection,
    incident_id: i64,
    actor_id: i64,
    event: StepEvent<'_>,
) -> Result<(), AppError> {
    sqlx::query!(
        "INSERT INTO incident_events (incident_id, actor_id, kind, to_status, detail, note)
         VALUES ($1, $2, $3, $4, $5, $6)",
        incident_id,
        actor_id,
        event.step.as_str(),
        event.to_status.as_str(),
        event.detail,
        event.note
    )
    .execute(conn)
    .await?;
    Ok(())
}

impl StepDetails {
    /// Refuses a step that lacks what it needs; answers the event's machine-readable detail.
    fn detail_for(&self, step: Step) -> Result<Option<String>, AppError> {
        let required = |field| AppError::invalid(field, Problem::Required);
        Ok(match step {
            Step::Resolved if self.solution.as_deref().is_none_or(str::is_empty) => {
                return Err(required("solution"))
            }
            Step::Transferred => {
                let target = self
                    .transfer_target
                    .ok_or_else(|| required("transfer_target"))?;
                Some(target.as_str().to_owned())
            }
            Step::Classified => {
                let category = self.category.ok_or_else(|| required("category"))?;
                let severity = self.severity.ok_or_else(|| required("severity"))?;
                if let Some(subcategory) = &self.subcategory {
                    within(subcategory, MAX_SUBCATEGORY)
                        .map_err(|problem| AppError::invalid("subcategory", problem))?;
                }
                Some(format!(
                    "{} {}|{}",
                    category.as_str(),
                    severity.as_str(),
                    self.subcategory.as_deref().unwrap_or_default()
                ))
            }
            Step::Assigned if self.assignee_id.is_none() => return Err(required("assignee")),
            _ => None,
        })
    }
}

/// Moves an incident one step, refusing steps its current status does not allow. The row is
/// locked, so two people acting at once see each other's result.
pub async fn apply_step(
    pool: &PgPool,
    incident_id: i64,
    actor: &CurrentUser,
    step: Step,
    details: StepDetails,
) -> Result<Status, AppError> {
    let mut tx = pool.begin().await?;
    // Locked alone: a join would be read from before the wait for the lock.
    let row = sqlx::query!(
        "SELECT status, assignee_id FROM incidents WHERE id = $1 FOR UPDATE",
        incident_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let current = status_of(&row.status)?;
    let Some(next) = step.apply(current) else {
        // Two handlers claiming at once: the second learns who was first.
        if let (Step::Claimed, Some(assignee)) = (step, row.assignee_id) {
            if assignee != actor.id {
                let by =
                    sqlx::query_scalar!("SELECT display_name FROM users WHERE id = $1", assignee)
                        .fetch_one(&mut *tx)
                        .await?;
                return Err(AppError::AlreadyClaimed { by });
            }
        }
        return Err(AppError::NotNow { status: current });
    };
    let detail = details.detail_for(step)?;
    // An assignment's timeline line names who received it.
    let (assignee, detail) = match step {
        Step::Claimed => (Some(actor.id), detail),
        Step::Assigned => {
            let (id, name) = assignable(&mut tx, details.assignee_id).await?;
            (Some(id), Some(name))
        }
        _ => (None, detail),
    };
    let (system_id, module_id) = if step == Step::Classified {
        placement(&mut tx, &details).await?
    } else {
        (None, None)
    };
    sqlx::query!(
        r#"UPDATE incidents SET
               status = $2,
               last_activity_at = now(),
               assignee_id = COALESCE($3, assignee_id),
               transfer_target = CASE WHEN $2 = 'transferred' THEN $4 ELSE transfer_target END,
               solution = CASE WHEN $2 = 'resolved' THEN $5 ELSE solution END,
               resolved_at = CASE WHEN $2 = 'resolved' THEN now() ELSE resolved_at END,
               closed_at = CASE WHEN $2 = 'closed' THEN now() ELSE closed_at END,
               category = COALESCE($6, category),
               severity = COALESCE($7, severity),
               first_response_at = CASE WHEN $8 THEN COALESCE(first_response_at, now())
                                        ELSE first_response_at END,
               subcategory = CASE WHEN $9 THEN $10 ELSE subcategory END,
               system_id = COALESCE($11, system_id),
               module_id = CASE WHEN $9 AND $11::SMALLINT IS NOT NULL THEN $12 ELSE module_id END
           WHERE id = $1"#,
        incident_id,
        next.as_str(),
        assignee,
        details.transfer_target.map(TransferTarget::as_str),
        details.solution,
        details.category.map(Category::as_str),
        details.severity.map(Severity::as_str),
        step.is_team_step(),
        step == Step::Classified,
        details.subcategory.as_deref().filter(|s| !s.is_empty()),
        system_id,
        module_id,
    )
    .execute(&mut *tx)
    .await?;
    record_handoff(
        &mut tx,
        incident_id,
        actor.id,
        current,
        next,
        details.transfer_target,
    )
    .await?;
    let event = StepEvent {
        step,
        to_status: next,
        detail: detail.as_deref(),
        note: details.note.as_deref(),
    };
    record_step(&mut tx, incident_id, actor.id, event).await?;
    // Only a new status or a new classification can start, pause, stop or retarget the clock.
    if next != current || step == Step::Classified {
        crate::sla::store::settle(&mut tx, incident_id, step == Step::Classified).await?;
    }
    if next == Status::Resolved {
        let solution = details.solution.as_deref().unwrap_or_default();
        super::batch::resolve_children(&mut tx, incident_id, actor, solution).await?;
    }
    notify(&mut tx, incident_id).await?;
    tx.commit().await?;
    Ok(next)
}

/// The user an incident may be assigned to (an active handler or admin) and their name.
async fn assignable(
    conn: &mut PgConnection,
    user_id: Option<i64>,
) -> Result<(i64, String), AppError> {
    let id = user_id.ok_or_else(|| AppError::invalid("assignee", Problem::Required))?;
    let name = sqlx::query_scalar!(
        "SELECT display_name FROM users WHERE id = $1 AND active AND role IN ('handler', 'admin')",
        id
    )
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| AppError::invalid("assignee", Problem::UnknownChoice))?;
    Ok((id, name))
}

/// The corrected system and module of a classification, when one was chosen.
async fn placement(
    conn: &mut PgConnection,
    details: &StepDetails,
) -> Result<(Option<i16>, Option<i32>), AppError> {
    let Some(code) = details.system.as_deref().filter(|c| !c.is_empty()) else {
        return Ok((None, None));
    };
    let system_id = sqlx::query_scalar!("SELECT id FROM systems WHERE code = $1 AND active", code)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| AppError::invalid("system", Problem::UnknownChoice))?;
    let module_id = match details.module.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(module) => Some(
            sqlx::query_scalar!(
                "SELECT id FROM system_modules WHERE system_id = $1 AND code = $2 AND active",
                system_id,
                module
            )
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| AppError::invalid("module", Problem::UnknownChoice))?,
        ),
    };
    Ok((Some(system_id), module_id))
}

/// Times hand-offs: a transfer opens one, leaving the transferred status closes it.
pub(crate) async fn record_handoff(
    conn: &mut PgConnection,
    incident_id: i64,
    actor_id: i64,
    from: Status,
    to: Status,
    target: Option<TransferTarget>,
) -> Result<(), AppError> {
    if from == Status::Transferred {
        sqlx::query!(
            "UPDATE incident_handoffs SET ended_at = now()
             WHERE incident_id = $1 AND ended_at IS NULL",
            incident_id
        )
        .execute(&mut *conn)
        .await?;
    }
    if to == Status::Transferred {
        if let Some(target) = target {
            sqlx::query!(
                "INSERT INTO incident_handoffs (incident_id, target, started_by) VALUES ($1, $2, $3)",
                incident_id,
                target.as_str(),
                actor_id
            )
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// A message for the thread.
pub struct NewMessage<'a> {
    pub client_id: Option<Uuid>,
    pub side: Side,
    pub internal: bool,
    pub body: &'a str,
    pub attachment_ids: &'a [Uuid],
}

/// Adds a message once per client id. A reporter's answer brings an incident that waited for
/// them back to the team.
pub async fn post_message(
    pool: &PgPool,
    incident: IncidentRef,
    author: &CurrentUser,
    message: NewMessage<'_>,
) -> Result<i64, AppError> {
    if let Some(client_id) = message.client_id {
        if let Some(id) = existing_message(pool, author, client_id).await? {
            return Ok(id);
        }
    }
    let mut tx = pool.begin().await?;
    let status = sqlx::query_scalar!(
        "SELECT status FROM incidents WHERE id = $1 FOR UPDATE",
        incident.id
    )
    .fetch_one(&mut *tx)
    .await?;
    let status = status_of(&status)?;
    if status == Status::Closed {
        return Err(AppError::NotNow { status });
    }
    let inserted = sqlx::query_scalar!(
        r#"INSERT INTO incident_messages (incident_id, client_id, author_id, author_side, internal, body)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (client_id) DO NOTHING
           RETURNING id"#,
        incident.id,
        message.client_id,
        author.id,
        message.side.as_str(),
        message.internal,
        message.body,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = inserted else {
        tx.rollback().await?;
        let client_id = message.client_id.ok_or(AppError::Internal)?;
        return existing_message(pool, author, client_id)
            .await?
            .ok_or(AppError::Internal);
    };
    attachments::link(
        &mut tx,
        author.id,
        incident.id,
        Some(id),
        message.attachment_ids,
    )
    .await?;
    // The author has read everything up to their own message; the team finds the incident by
    // what its thread says.
    sqlx::query!(
        r#"UPDATE incidents SET
               search_words = search_words || to_tsvector('simple', $5),
               last_activity_at = now(),
               reporter_read_upto = CASE WHEN $2 = 'reporter' THEN $3 ELSE reporter_read_upto END,
               handler_read_upto = CASE WHEN $2 = 'handler' THEN $3 ELSE handler_read_upto END,
               first_response_at = CASE WHEN $2 = 'handler' AND NOT $4
                                        THEN COALESCE(first_response_at, now())
                                        ELSE first_response_at END
           WHERE id = $1"#,
        incident.id,
        message.side.as_str(),
        id,
        message.internal,
        crate::search::segment(message.body),
    )
    .execute(&mut *tx)
    .await?;
    if message.side == Side::Reporter && status == Status::Waiting {
        sqlx::query!(
            "UPDATE incidents SET status = 'analysing' WHERE id = $1",
            incident.id
        )
        .execute(&mut *tx)
        .await?;
        let event = StepEvent {
            step: Step::Resumed,
            to_status: Status::Analysing,
            detail: None,
            note: None,
        };
        record_step(&mut tx, incident.id, author.id, event).await?;
        crate::sla::store::settle(&mut tx, incident.id, false).await?;
    }
    notify(&mut tx, incident.id).await?;
    tx.commit().await?;
    Ok(id)
}

async fn existing_message(
    pool: &PgPool,
    author: &CurrentUser,
    client_id: Uuid,
) -> Result<Option<i64>, AppError> {
    let row = sqlx::query!(
        "SELECT id, author_id FROM incident_messages WHERE client_id = $1",
        client_id
    )
    .fetch_optional(pool)
    .await?;
    match row {
        Some(row) if row.author_id == author.id => Ok(Some(row.id)),
        Some(_) => Err(AppError::Conflict),
        None => Ok(None),
    }
}

/// Marks the other side's visible messages read by `side`; notifies only when something changed,
/// so the writer's read markers update live.
pub async fn mark_read(pool: &PgPool, incident_id: i64, side: Side) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let changed = sqlx::query!(
        r#"WITH newest AS (
               SELECT coalesce(max(id), 0) AS upto FROM incident_messages
               WHERE incident_id = $1 AND author_side <> $2 AND NOT internal)
           UPDATE incidents SET
               reporter_read_upto = CASE WHEN $2 = 'reporter' THEN newest.upto ELSE reporter_read_upto END,
               handler_read_upto = CASE WHEN $2 = 'handler' THEN newest.upto ELSE handler_read_upto END
           FROM newest
           WHERE id = $1 AND newest.upto > CASE WHEN $2 = 'reporter' THEN reporter_read_upto
                                                ELSE handler_read_upto END"#,
        incident_id,
        side.as_str()
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed > 0 {
        notify(&mut tx, incident_id).await?;
    }
    tx.commit().await?;
    Ok(())
}

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
        r#"SELECT i.number, i.client_id, i.title, i.status,
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
    rows.into_iter()
        .map(|r| {
            Ok(ReportSummary {
                number: r.number,
                client_id: r.client_id,
                title: r.title,
                status: status_of(&r.status)?,
                system: Named {
                    code: r.system_code,
                    name_zh: r.name_zh,
                    name_en: r.name_en,
                },
                last_activity_at: r.last_activity_at,
                unread: r.unread,
            })
        })
        .collect()
}

/// The whole incident as `viewer` may see it: customer identity masked for everybody (the team
/// reveals a field on purpose, see `console::store::reveal`), internal notes for the team only.
pub async fn load_view(
    pool: &PgPool,
    incident_id: i64,
    viewer: Side,
) -> Result<ReportView, AppError> {
    let row = sqlx::query!(
        r#"SELECT i.number, i.title, i.status, i.customer_name, i.id_doc_type, i.id_number,
                  i.description, i.solution, i.reporter_read_upto, i.handler_read_upto,
                  i.created_at AS "created_at: DateTime<Utc>",
                  s.code AS system_code, s.name_zh AS system_zh, s.name_en AS system_en,
                  m.code AS "module_code?", m.name_zh AS "module_zh?", m.name_en AS "module_en?"
           FROM incidents i
           JOIN systems s ON s.id = i.system_id
           LEFT JOIN system_modules m ON m.id = i.module_id
           WHERE i.id = $1"#,
        incident_id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;

    let timeline = sqlx::query!(
        r#"SELECT e.kind, e.to_status, e.detail, e.note, u.display_name,
                  e.created_at AS "created_at: DateTime<Utc>"
           FROM incident_events e JOIN users u ON u.id = e.actor_id
           WHERE e.incident_id = $1 AND ($2 OR NOT e.kind = ANY($3))
           ORDER BY e.id"#,
        incident_id,
        viewer == Side::Handler,
        &internal_steps() as &[&str]
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|e| {
        Ok(TimelineEntry {
            step: Step::parse(&e.kind).ok_or(AppError::Internal)?,
            status: status_of(&e.to_status)?,
            actor_name: e.display_name,
            detail: e.detail,
            note: e.note,
            at: e.created_at,
        })
    })
    .collect::<Result<Vec<_>, AppError>>()?;

    let mut files = attachments::for_incident(pool, incident_id, viewer == Side::Handler).await?;
    let messages = sqlx::query!(
        r#"SELECT m.id, m.client_id, m.author_side, m.internal, m.body, u.display_name,
                  m.created_at AS "created_at: DateTime<Utc>"
           FROM incident_messages m JOIN users u ON u.id = m.author_id
           WHERE m.incident_id = $1 AND (NOT m.internal OR $2)
           ORDER BY m.id"#,
        incident_id,
        viewer == Side::Handler
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|m| {
        let side = Side::parse(&m.author_side).ok_or(AppError::Internal)?;
        let read_upto = match side {
            Side::Reporter => row.handler_read_upto,
            Side::Handler => row.reporter_read_upto,
        };
        Ok(ThreadMessage {
            id: m.id,
            client_id: m.client_id,
            side,
            author_name: m.display_name,
            body: m.body,
            at: m.created_at,
            attachments: take_for_message(&mut files, Some(m.id)),
            read_by_other: m.id <= read_upto,
            internal: m.internal,
        })
    })
    .collect::<Result<Vec<_>, AppError>>()?;

    let id_doc_type = DocType::parse(&row.id_doc_type).ok_or(AppError::Internal)?;
    let (customer_name, id_number) = (
        mask_name(&row.customer_name),
        mask_number(&row.id_number, 4, 4),
    );
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
        status: status_of(&row.status)?,
        system: Named {
            code: row.system_code,
            name_zh: row.system_zh,
            name_en: row.system_en,
        },
        module,
        customer_name,
        id_doc_type,
        id_number,
        description: row.description,
        solution: row.solution,
        created_at: row.created_at,
        attachments: take_for_message(&mut files, None),
        timeline,
        messages,
    })
}

/// Timeline kinds a reporter does not see.
fn internal_steps() -> Vec<&'static str> {
    Step::ALL
        .into_iter()
        .filter(|s| s.is_internal())
        .map(Step::as_str)
        .collect()
}

fn take_for_message(
    files: &mut Vec<(Option<i64>, AttachmentRef)>,
    message_id: Option<i64>,
) -> Vec<AttachmentRef> {
    let (mine, rest): (Vec<_>, Vec<_>) = files.drain(..).partition(|(m, _)| *m == message_id);
    *files = rest;
    mine.into_iter().map(|(_, file)| file).collect()
}
