//! `GET /api/reports/export`: the report's tables as an XLSX workbook or one table as CSV,
//! for the period the report page shows (`period`, `start`, `end` as in its URL).

use axum::extract::{FromRef, Query, State};
use axum::http::{header, HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use sqlx::PgPool;

use super::export::{self, XLSX};
use super::{Period, ReportTable};
use crate::auth::Action;
use crate::error::{AppError, Problem};
use crate::i18n::request_locale;
use crate::rest::{Caller, RestError, Routes};
use crate::time::shanghai_today;

pub fn routes<S>() -> Routes<S>
where
    S: Clone + Send + Sync + 'static,
    PgPool: FromRef<S>,
{
    Routes::new().route(Method::GET, "/api/reports/export", get(download))
}

#[derive(Deserialize)]
struct Asked {
    period: Option<String>,
    start: Option<String>,
    end: Option<String>,
    /// `xlsx` (every table) or `csv` (the one `table` names).
    format: Option<String>,
    table: Option<String>,
}

async fn download(
    State(pool): State<PgPool>,
    caller: Caller,
    headers: HeaderMap,
    Query(asked): Query<Asked>,
) -> Result<Response, RestError> {
    caller.may(Action::SeeIncidents)?;
    let period = Period::from_query(
        asked.period.as_deref(),
        asked.start.as_deref(),
        asked.end.as_deref(),
        shanghai_today(),
    )
    .map_err(|error| AppError::invalid(error.field(), error.problem()))?;
    let csv_table = match asked.format.as_deref() {
        Some("xlsx") => None,
        Some("csv") => Some(
            ReportTable::parse(asked.table.as_deref().unwrap_or("summary"))
                .ok_or(AppError::invalid("table", Problem::UnknownChoice))?,
        ),
        _ => return Err(AppError::invalid("format", Problem::UnknownChoice).into()),
    };
    let report = super::store::report(&pool, period).await?;
    let tables = export::tables(&report, request_locale(&headers).unwrap_or_default());
    let name = format!("service-report-{}-{}", period.first, period.last);
    let (bytes, kind, file) = match csv_table {
        None => (export::xlsx(&tables)?, XLSX, format!("{name}.xlsx")),
        Some(wanted) => {
            let table = tables
                .iter()
                .find(|t| t.table == wanted)
                .ok_or(AppError::Internal)?;
            let file = format!("{name}-{}.csv", wanted.key());
            (export::csv(table)?, "text/csv; charset=utf-8", file)
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
