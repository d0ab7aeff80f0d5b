//! `POST /api/console/import`, multipart: `channel`, `file`, optionally `mapping` (JSON; the
//! headers' guess otherwise) and `commit` (`true` records the ready rows; otherwise a dry run).

use axum::extract::{DefaultBodyLimit, FromRef, Multipart, State};
use axum::http::Method;
use axum::routing::post;
use axum::Json;
use sqlx::PgPool;

use super::{rows, sheet, Mapping, Outcome, Preview, RowResult, CHANNELS, MAX_FILE_MB};
use crate::auth::{Action, CurrentUser};
use crate::error::{AppError, Problem};
use crate::incidents::store::{self, Origin};
use crate::incidents::Channel;
use crate::rest::{multipart_refusal, Caller, RestError, Routes};

pub fn routes<S>() -> Routes<S>
where
    S: Clone + Send + Sync + 'static,
    PgPool: FromRef<S>,
{
    Routes::new().route(
        Method::POST,
        "/api/console/import",
        post(import).layer(DefaultBodyLimit::max(
            (MAX_FILE_MB as usize + 1) * 1024 * 1024,
        )),
    )
}

struct Asked {
    channel: Channel,
    mapping: Option<Mapping>,
    commit: bool,
    file: Vec<u8>,
}

async fn import(
    State(pool): State<PgPool>,
    caller: Caller,
    multipart: Multipart,
) -> Result<Json<Preview>, RestError> {
    let user = caller.may(Action::WorkIncidents)?;
    let asked = read(multipart).await?;
    let sheet = sheet::read(&asked.file).map_err(|problem| AppError::invalid("file", problem))?;
    let mapping = asked.mapping.unwrap_or_else(|| rows::guess(&sheet.headers));
    let mapping_problem = mapping.problem(sheet.headers.len());
    if let Some((target, problem)) = mapping_problem.filter(|_| asked.commit) {
        return Err(AppError::invalid(target.field(), problem).into());
    }
    let mut preview = Preview {
        headers: sheet.headers,
        mapping_problem: mapping_problem.map(|(target, problem)| (target.field().into(), problem)),
        rows: Vec::new(),
        committed: asked.commit,
        mapping,
    };
    if preview.mapping_problem.is_some() {
        return Ok(Json(preview));
    }
    let systems = crate::reference::store::list_systems(&pool).await?;
    let now = chrono::Utc::now();
    let mut ready = Vec::new();
    for (line, cells) in &sheet.rows {
        let read = rows::incident(asked.channel, &preview.mapping, cells, &systems, now);
        let outcome = match &read {
            // A later row with the reference of a good one; a row refused for another
            // reason leaves its reference to the corrected row after it.
            Ok(row)
                if ready.iter().any(|(_, r): &(usize, rows::Imported)| {
                    r.incident.external_ref == row.incident.external_ref
                }) =>
            {
                Outcome::Refused {
                    field: "external_ref".into(),
                    problem: Problem::Duplicate,
                }
            }
            Ok(_) => Outcome::Ready,
            Err(problem) => Outcome::Refused {
                field: problem.field.into(),
                problem: problem.problem,
            },
        };
        if let (Outcome::Ready, Ok(row)) = (&outcome, read) {
            ready.push((preview.rows.len(), row));
        }
        let at = |target: super::Target| {
            let column = preview.mapping.column(target).map(|c| c as usize);
            column
                .and_then(|c| cells.get(c))
                .cloned()
                .unwrap_or_default()
        };
        preview.rows.push(RowResult {
            line: *line,
            external_ref: at(super::Target::ExternalRef),
            title: at(super::Target::Title),
            outcome,
        });
    }
    let references: Vec<String> = ready
        .iter()
        .map(|(_, r)| r.incident.external_ref.clone())
        .collect();
    let recorded = store::recorded_under(&pool, asked.channel, &references).await?;
    if asked.commit && !ready.is_empty() {
        crate::limits::store::spend(&pool, user.id, crate::limits::Write::Report).await?;
    }
    for (at, row) in ready {
        preview.rows[at].outcome = match recorded.get(&row.incident.external_ref) {
            Some(&number) => Outcome::Existing { number },
            None if asked.commit => record(&pool, user, &row).await?,
            None => Outcome::Ready,
        };
    }
    Ok(Json(preview))
}

/// Records one checked row; a refusal of the store (a module retired since the check) stays
/// the row's own.
async fn record(
    pool: &PgPool,
    user: &CurrentUser,
    row: &rows::Imported,
) -> Result<Outcome, AppError> {
    let incident = &row.incident;
    let (Some(channel), Some(received_at)) = (incident.channel, incident.received()) else {
        return Err(AppError::Internal);
    };
    let origin = Origin {
        channel,
        received_at,
        external_ref: Some(&incident.external_ref),
        contact: Some(incident.contact.as_str()).filter(|c| !c.is_empty()),
        quiet: true,
        category: row.category,
        resolved: row.resolved.as_ref().map(|r| (r.at, r.solution.as_str())),
    };
    match store::record(pool, user, &incident.report, origin).await {
        Ok(recorded) if recorded.existing => Ok(Outcome::Existing {
            number: recorded.number,
        }),
        Ok(recorded) => Ok(Outcome::Imported {
            number: recorded.number,
        }),
        Err(AppError::Invalid { field, problem }) => Ok(Outcome::Refused { field, problem }),
        Err(error) => Err(error),
    }
}

async fn read(mut multipart: Multipart) -> Result<Asked, AppError> {
    let refusal = |err| multipart_refusal(err, MAX_FILE_MB);
    let (mut channel, mut mapping, mut commit, mut file) = (None, None, false, None);
    while let Some(field) = multipart.next_field().await.map_err(refusal)? {
        match field.name() {
            Some("channel") => {
                let text = field.text().await.map_err(refusal)?;
                channel = Some(
                    Channel::parse(text.trim())
                        .filter(|c| CHANNELS.contains(c))
                        .ok_or(AppError::invalid("channel", Problem::UnknownChoice))?,
                );
            }
            Some("mapping") => {
                let text = field.text().await.map_err(refusal)?;
                mapping = Some(
                    serde_json::from_str(&text)
                        .map_err(|_| AppError::invalid("mapping", Problem::Format))?,
                );
            }
            Some("commit") => commit = field.text().await.map_err(refusal)?.trim() == "true",
            Some("file") => file = Some(field.bytes().await.map_err(refusal)?.to_vec()),
            _ => {}
        }
    }
    Ok(Asked {
        channel: channel.ok_or(AppError::invalid("channel", Problem::Required))?,
        file: file.ok_or(AppError::invalid("file", Problem::Required))?,
        mapping,
        commit,
    })
}
