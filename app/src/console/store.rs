use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, QueryBuilder};

use super::{
    Assignable, Handoff, Outcome, QueueCursor, QueueFilter, QueuePage, QueueRow, QueueSort,
    TeamIncident, TeamMember,
};
use crate::auth::{Action, CurrentUser, Role};
use crate::error::{AppError, Problem};
use crate::incidents::sealed::{self, Column};
use crate::incidents::IncidentNumber;
use crate::incidents::{
    batch, mask, store as incidents, Category, Identity, Severity, Side, Status, TransferTarget,
};
use crate::incidents::{Channel, IncidentId};
use crate::reference::Named;
use crate::sla::SlaState;

/// Active staff (everyone who may see the console), by role then name.
pub async fn list_staff(pool: &PgPool) -> Result<Vec<TeamMember>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT display_name, role AS "role: Role",
                  last_sign_in_at AS "last_sign_in_at: chrono::DateTime<chrono::Utc>" FROM users
         WHERE active AND (role = ANY($1) OR extra_roles && $1)
         ORDER BY display_name"#,
        &Role::holding(Action::SeeIncidents) as &[&str]
    )
    .fetch_all(pool)
    .await?;
    let mut team: Vec<TeamMember> = rows
        .into_iter()
        .map(|r| TeamMember {
            role: r.role,
            display_name: r.display_name,
            last_sign_in_at: r.last_sign_in_at,
        })
        .collect();
    team.sort_by_key(|member| Role::ALL.iter().position(|role| *role == member.role));
    Ok(team)
}

/// The queue's columns, decoded by name: the query is assembled per filter.
#[derive(sqlx::FromRow)]
struct QueueRecord {
    id: i64,
    number: IncidentNumber,
    title: String,
    status: Status,
    category: Option<Category>,
    severity: Option<Severity>,
    created_at: DateTime<Utc>,
    last_activity_at: DateTime<Utc>,
    system_code: String,
    system_zh: String,
    system_en: String,
    reporter_name: String,
    assignee_name: Option<String>,
    unread: i64,
    parent_number: Option<IncidentNumber>,
    sla_target_secs: Option<i32>,
    sla_spent_secs: i32,
    sla_due_at: Option<DateTime<Utc>>,
    sla_breached_at: Option<DateTime<Utc>>,
}

/// Shanghai midnight starting `date` (`YYYY-MM-DD`), `days` later.
fn day_start(field: &str, date: &str, days: i64) -> Result<Option<DateTime<Utc>>, AppError> {
    if date.trim().is_empty() {
        return Ok(None);
    }
    let day = chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::invalid(field, Problem::Format))?;
    let local = (day + chrono::Duration::days(days)).and_time(chrono::NaiveTime::MIN);
    Ok(local
        .and_local_timezone(crate::time::shanghai())
        .single()
        .map(|t| t.with_timezone(&Utc)))
}

/// The WHERE clause every queue query shares; `with_status` is false for the per-status
/// counts, which describe the other parts of the filter. Only the conditions a filter uses
/// are written, so the planner can use the matching index.
fn push_filter(
    q: &mut QueryBuilder<'_, Postgres>,
    viewer: &CurrentUser,
    filter: &QueueFilter,
    with_status: bool,
) -> Result<(), AppError> {
    q.push(" WHERE TRUE");
    if let (true, Some(status)) = (with_status, filter.status) {
        q.push(" AND i.status = ").push_bind(status);
    }
    super::counts::push_cells(q, viewer, filter, "i");
    if let (Some(system), Some(module)) = (&filter.system, &filter.module) {
        q.push(
            " AND i.module_id = (SELECT m.id FROM system_modules m
                JOIN systems s ON s.id = m.system_id WHERE s.code = ",
        )
        .push_bind(system.clone())
        .push(" AND m.code = ")
        .push_bind(module.clone())
        .push(")");
    }
    if filter.no_module {
        q.push(" AND i.module_id IS NULL");
    }
    if !filter.subcategory.is_empty() {
        q.push(" AND i.subcategory = ")
            .push_bind(filter.subcategory.clone());
    }
    push_outcome(q, filter.outcome);
    if let Some(target) = filter.handoff {
        q.push(
            " AND EXISTS (SELECT 1 FROM incident_handoffs h
                 WHERE h.incident_id = i.id AND h.target = ",
        )
        .push_bind(target)
        .push(")");
    }
    if !filter.article.is_empty() {
        q.push(
            " AND EXISTS (SELECT 1 FROM help_article_incidents l
                 JOIN help_articles a ON a.id = l.article_id
                 WHERE l.incident_id = i.id AND a.slug = ",
        )
        .push_bind(filter.article.clone())
        .push(")");
    }
    if let Some(severity) = filter.severity {
        q.push(" AND i.severity = ").push_bind(severity);
    }
    let reporter = filter.reporter.trim();
    if !reporter.is_empty() {
        let pattern = crate::search::like_pattern(reporter);
        q.push(" AND i.reporter_id IN (SELECT id FROM users WHERE display_name ILIKE ")
            .push_bind(pattern.clone())
            .push(" OR login ILIKE ")
            .push_bind(pattern)
            .push(")");
    }
    if let Some(from) = day_start("from", &filter.from, 0)? {
        q.push(" AND i.created_at >= ").push_bind(from);
    }
    if let Some(until) = day_start("to", &filter.to, 1)? {
        q.push(" AND i.created_at < ").push_bind(until);
    }
    if filter.overdue {
        q.push(
            " AND i.status NOT IN ('resolved', 'closed')
              AND (i.sla_breached_at IS NOT NULL OR i.sla_due_at <= now())",
        );
    }
    let search = filter.search.trim();
    if !search.is_empty() {
        let words = crate::search::segment(search);
        q.push(" AND (i.search_words @@ plainto_tsquery('simple', ")
            .push_bind(words)
            .push(")");
        if let Ok(number) = search.parse::<i64>() {
            q.push(" OR i.number = ").push_bind(number);
        }
        // A pasted ID number, fund account or mobile finds its incidents by blind index.
        let pasted = crate::incidents::normalize_doc_number(search);
        if pasted.len() >= 6 && pasted.chars().all(|c| c.is_ascii_alphanumeric()) {
            let lookups = sealed::keyring()?.lookups(&pasted);
            q.push(" OR i.id_number_index = ANY(")
                .push_bind(lookups.clone())
                .push(") OR i.fund_account_index = ANY(")
                .push_bind(lookups.clone())
                .push(") OR i.customer_mobile_index = ANY(")
                .push_bind(lookups)
                .push(")");
        }
        q.push(")");
    }
    Ok(())
}

/// The service report's definitions of its figures (resolved or closed is a rollup cell,
/// written by [`super::counts::push_cells`]); "in time" is `report_day_cell`'s, the one the
/// report's counts are kept by.
fn push_outcome(q: &mut QueryBuilder<'_, Postgres>, outcome: Option<Outcome>) {
    q.push(match outcome {
        None | Some(Outcome::Done) => "",
        Some(Outcome::Timely) => " AND (report_day_cell(i)).timely",
        Some(Outcome::ResolvedOnce) => " AND i.resolved_at IS NOT NULL",
        Some(Outcome::Reopened) => {
            " AND EXISTS (SELECT 1 FROM incident_events e
                 WHERE e.incident_id = i.id AND e.kind = 'reopened')"
        }
        Some(Outcome::Responded) => " AND i.first_response_at IS NOT NULL",
    });
}

/// The cursor condition and order of a sort.
fn push_order(q: &mut QueryBuilder<'_, Postgres>, sort: QueueSort, after: Option<QueueCursor>) {
    let at = |key: Option<i64>| key.and_then(DateTime::<Utc>::from_timestamp_micros);
    let (column, descending) = match sort {
        QueueSort::Activity => ("i.last_activity_at", true),
        QueueSort::Newest => ("i.created_at", true),
        QueueSort::Oldest => ("i.created_at", false),
        QueueSort::Due => ("i.sla_due_at", false),
    };
    if let Some(cursor) = after {
        match (sort, at(cursor.key_us)) {
            (QueueSort::Due, Some(due)) => {
                q.push(" AND (i.sla_due_at IS NULL OR (i.sla_due_at, i.id) > (")
                    .push_bind(due)
                    .push(", ")
                    .push_bind(cursor.id)
                    .push("))");
            }
            (QueueSort::Due, None) => {
                q.push(" AND i.sla_due_at IS NULL AND i.id > ")
                    .push_bind(cursor.id);
            }
            (_, key) => {
                let key = key.unwrap_or_default();
                q.push(format!(
                    " AND ({column}, i.id) {} (",
                    if descending { "<" } else { ">" }
                ))
                .push_bind(key)
                .push(", ")
                .push_bind(cursor.id)
                .push(")");
            }
        }
    }
    let direction = if descending { "DESC" } else { "ASC" };
    let nulls = if sort == QueueSort::Due {
        " NULLS LAST"
    } else {
        ""
    };
    q.push(format!(
        " ORDER BY {column} {direction}{nulls}, i.id {direction}"
    ));
}

/// Incidents under `filter` in its order, `limit` at a time after `after`.
pub async fn queue(
    pool: &PgPool,
    viewer: &CurrentUser,
    filter: &QueueFilter,
    after: Option<QueueCursor>,
    limit: i64,
) -> Result<QueuePage, AppError> {
    let mut q = QueryBuilder::<Postgres>::new(
        "SELECT i.id, i.number, i.title, i.status, i.category, i.severity, i.created_at,
                i.last_activity_at, s.code AS system_code, s.name_zh AS system_zh,
                s.name_en AS system_en, r.display_name AS reporter_name,
                a.display_name AS assignee_name,
                (SELECT count(*) FROM incident_messages m
                 WHERE m.incident_id = i.id AND m.author_side = 'reporter'
                   AND m.id > i.handler_read_upto) AS unread,
                (SELECT p.number FROM incidents p WHERE p.id = i.parent_id) AS parent_number,
                i.sla_target_secs, i.sla_spent_secs, i.sla_due_at, i.sla_breached_at
         FROM incidents i
         JOIN systems s ON s.id = i.system_id
         JOIN users r ON r.id = i.reporter_id
         LEFT JOIN users a ON a.id = i.assignee_id",
    );
    push_filter(&mut q, viewer, filter, true)?;
    push_order(&mut q, filter.sort, after);
    q.push(" LIMIT ").push_bind(limit + 1);
    // Later pages only extend the list the first page's counts already describe.
    let mut count_query = match after {
        Some(_) => None,
        None if super::counts::answer(filter) => Some(super::counts::query(viewer, filter)),
        None => {
            let mut c = QueryBuilder::<Postgres>::new("SELECT i.status, count(*) FROM incidents i");
            push_filter(&mut c, viewer, filter, false)?;
            c.push(" GROUP BY i.status");
            Some(c)
        }
    };
    // Rows and counts on two connections at once: the page waits for the slower, not both.
    let (rows, counts) = futures_util::future::try_join(
        async { q.build_query_as::<QueueRecord>().fetch_all(pool).await },
        async {
            match count_query.as_mut() {
                Some(c) => c.build_query_as::<(Status, i64)>().fetch_all(pool).await,
                None => Ok(Vec::new()),
            }
        },
    )
    .await?;
    let more = rows.len() as i64 > limit;
    let mut next = None;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows.into_iter().take(limit as usize) {
        let key = match filter.sort {
            QueueSort::Activity => Some(r.last_activity_at),
            QueueSort::Newest | QueueSort::Oldest => Some(r.created_at),
            QueueSort::Due => r.sla_due_at,
        };
        next = Some(QueueCursor {
            key_us: key.map(|k| k.timestamp_micros()),
            id: r.id,
        });
        let status = r.status;
        out.push(QueueRow {
            number: r.number,
            title: r.title,
            system: Named {
                code: r.system_code,
                name_zh: r.system_zh,
                name_en: r.system_en,
            },
            category: r.category,
            severity: r.severity,
            status,
            assignee: r.assignee_name,
            reporter: r.reporter_name,
            created_at: r.created_at,
            last_activity_at: r.last_activity_at,
            unread: r.unread,
            sla: SlaState::of(
                status.is_open(),
                r.sla_target_secs,
                r.sla_spent_secs,
                r.sla_due_at,
                r.sla_breached_at,
            ),
            parent: r.parent_number,
        });
    }
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
    incident_id: IncidentId,
) -> Result<TeamIncident, AppError> {
    let report = incidents::load_view(pool, incident_id, Side::Handler).await?;
    let row = sqlx::query!(
        r#"SELECT r.display_name AS reporter_name, a.display_name AS "assignee_name?",
                  i.channel AS "channel: Channel",
                  i.assignee_id, i.category AS "category: Category",
                  i.severity AS "severity: Severity", i.identity_key_id,
                  i.fund_account_sealed, i.customer_mobile_sealed,
                  i.subcategory, i.status AS "status: Status", i.sla_target_secs, i.sla_spent_secs,
                  i.sla_due_at AS "sla_due_at: DateTime<Utc>",
                  i.sla_breached_at AS "sla_breached_at: DateTime<Utc>",
                  i.first_response_at AS "first_response_at: DateTime<Utc>",
                  i.resolved_at AS "resolved_at: DateTime<Utc>"
           FROM incidents i
           JOIN users r ON r.id = i.reporter_id
           LEFT JOIN users a ON a.id = i.assignee_id
           WHERE i.id = $1"#,
        incident_id.0
    )
    .fetch_one(pool)
    .await?;
    let open = row.status.is_open();
    let keyring = sealed::keyring()?;
    // An incident monitoring raised has no key: it seals nothing.
    let key_id = row.identity_key_id.unwrap_or_default();
    let handoffs = sqlx::query!(
        r#"SELECT target AS "target: TransferTarget", started_at AS "started_at: DateTime<Utc>",
                  ended_at AS "ended_at: DateTime<Utc>"
           FROM incident_handoffs WHERE incident_id = $1 ORDER BY id"#,
        incident_id.0
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|h| Handoff {
        target: h.target,
        started_at: h.started_at,
        ended_at: h.ended_at,
    })
    .collect();
    let assignable = sqlx::query_as!(
        Assignable,
        "SELECT id, display_name FROM users
         WHERE active AND (role = ANY($1) OR extra_roles && $1) ORDER BY display_name",
        &Role::holding(Action::WorkIncidents) as &[&str]
    )
    .fetch_all(pool)
    .await?;
    Ok(TeamIncident {
        sla: SlaState::of(
            open,
            row.sla_target_secs,
            row.sla_spent_secs,
            row.sla_due_at,
            row.sla_breached_at,
        ),
        subcategory: row.subcategory,
        first_response_at: row.first_response_at,
        resolved_at: row.resolved_at,
        batch: batch::members(pool, incident_id).await?,
        handoffs,
        scripts: crate::datafix::store::list(pool, Some(incident_id), 0).await?,
        assignable,
        report,
        reporter: row.reporter_name,
        channel: row.channel,
        assignee: row.assignee_name,
        mine: row.assignee_id == Some(viewer.id),
        may: viewer.actions(),
        may_reveal: viewer.may_reveal_on(row.assignee_id),
        category: row.category,
        severity: row.severity,
        fund_account: keyring
            .open_optional(
                Column::FundAccount,
                &key_id,
                row.fund_account_sealed.as_deref(),
            )?
            .map(|v| mask(Identity::FundAccount, &v)),
        customer_mobile: keyring
            .open_optional(
                Column::CustomerMobile,
                &key_id,
                row.customer_mobile_sealed.as_deref(),
            )?
            .map(|v| mask(Identity::Mobile, &v)),
    })
}
