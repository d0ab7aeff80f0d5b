//! `GET /api/monitor/runs/{id}/records.csv`: a run's kept abnormal records (those matching
//! `q`, as its page lists them) as CSV, for a spreadsheet.

use axum::extract::{FromRef, Path, Query, State};
use axum::http::{header, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use sqlx::PgPool;

use super::RecordView;
use crate::auth::Action;
use crate::error::AppError;
use crate::rest::{Caller, RestError, Routes};

pub fn routes<S>() -> Routes<S>
where
    S: Clone + Send + Sync + 'static,
    PgPool: FromRef<S>,
{
    Routes::new().route(
        Method::GET,
        "/api/monitor/runs/{id}/records.csv",
        get(download),
    )
}

#[derive(Deserialize)]
struct Asked {
    q: Option<String>,
}

/// As many as a run may keep.
const ALL_KEPT: i64 = 100_000;

async fn download(
    State(pool): State<PgPool>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(asked): Query<Asked>,
) -> Result<Response, RestError> {
    caller.may(Action::SeeIncidents)?;
    let q = asked.q.unwrap_or_default();
    crate::checks::within(&q, super::MAX_NAME).map_err(|p| AppError::invalid("q", p))?;
    let run = super::store::run(&pool, id, &q, 0, ALL_KEPT).await?;
    let bytes = csv(&run.records).map_err(|error| {
        tracing::error!(%error, "monitor records did not write as CSV");
        AppError::Internal
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"monitor-run-{id}.csv\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// A cell a spreadsheet will not run as a formula: business data may start with `=`.
fn inert(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

/// One line a record: its kind, key, the columns that differ, then each column as
/// `name=value` (both sides of a difference), so records of any shape share one sheet.
/// A BOM first, so Excel reads it as UTF-8.
fn csv(records: &[RecordView]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record(["kind", "key", "differs", "values", "other_values"])?;
    let pairs = |columns: &[String], values: &[Option<String>]| {
        columns
            .iter()
            .zip(values)
            .map(|(c, v)| format!("{c}={}", v.as_deref().unwrap_or("NULL")))
            .collect::<Vec<_>>()
            .join("; ")
    };
    for record in records {
        writer.write_record([
            record.kind.as_str().to_owned(),
            inert(record.key.as_deref().unwrap_or_default()),
            record.differs.join(", "),
            pairs(&record.columns, &record.values),
            pairs(&record.other_columns, &record.other_values),
        ])?;
    }
    writer.into_inner().map_err(|e| e.into_error().into())
}
