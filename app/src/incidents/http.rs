//! The reporter's write endpoints, called by the offline outbox (from the page or the service
//! worker), and the live event stream of one report.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use axum::extract::{FromRef, Path, State};
use axum::http::{Method, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::{get, post};
use axum::Json;
use futures_util::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use tokio_stream::wrappers::BroadcastStream;
use uuid::Uuid;

use super::live::Activity;
use super::store::{self, NewMessage};
use super::{check_message, IncidentId, NewReport, Side};
use crate::auth::{session, Action};
use crate::error::AppError;
use crate::incidents::IncidentNumber;
use crate::limits::store::spend;
use crate::limits::Write;
use crate::rest::{Caller, RestError, Routes};
use crate::time::shanghai_today;

/// The outbox's endpoints and the live event streams.
pub fn routes<S>() -> Routes<S>
where
    S: Clone + Send + Sync + 'static,
    PgPool: FromRef<S>,
    Activity: FromRef<S>,
{
    Routes::new()
        .route(Method::POST, "/api/m/reports", post(file_report))
        .route(Method::POST, "/api/m/messages", post(post_message))
        .route(
            Method::GET,
            "/api/m/reports/{number}/events",
            get(report_events),
        )
        .route(Method::GET, "/api/console/events", get(console_events))
        .route(
            Method::GET,
            "/api/console/incidents/{number}/events",
            get(console_incident_events),
        )
}

#[derive(Debug, Deserialize)]
pub struct ReportSubmission {
    pub client_id: Uuid,
    #[serde(flatten)]
    pub report: NewReport,
    #[serde(default)]
    pub attachment_ids: Vec<Uuid>,
    /// The user who wrote it, as the page knew them.
    #[serde(default)]
    pub owner_id: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct Filed {
    pub number: IncidentNumber,
}

/// `POST /api/m/reports`: files a report once per client id.
pub async fn file_report(
    State(pool): State<PgPool>,
    caller: Caller,
    Json(submission): Json<ReportSubmission>,
) -> Result<(StatusCode, Json<Filed>), RestError> {
    let user = caller.may(Action::Report)?;
    caller.check_owner(user, submission.owner_id)?;
    let report = submission.report.normalized();
    if let Some(first) = report.problems(shanghai_today()).first() {
        return Err(AppError::invalid(first.field, first.problem).into());
    }
    // A retry of a report already filed costs no allowance: it answers the same number.
    if let Some(number) = store::existing_report(&pool, user, submission.client_id).await? {
        return Ok((StatusCode::CREATED, Json(Filed { number })));
    }
    spend(&pool, user.id, Write::Report).await?;
    let number = store::create_report(
        &pool,
        user,
        submission.client_id,
        &report,
        &submission.attachment_ids,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Filed { number })))
}

#[derive(Debug, Deserialize)]
pub struct MessageSubmission {
    pub client_id: Uuid,
    /// A string: the outbox keeps the number as the page's URL has it.
    pub incident_number: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub attachment_ids: Vec<Uuid>,
    #[serde(default)]
    pub owner_id: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct Posted {
    pub id: i64,
}

/// `POST /api/m/messages`: the reporter's message in the thread, once per client id.
pub async fn post_message(
    State(pool): State<PgPool>,
    caller: Caller,
    Json(submission): Json<MessageSubmission>,
) -> Result<(StatusCode, Json<Posted>), RestError> {
    let user = caller.may(Action::Report)?;
    caller.check_owner(user, submission.owner_id)?;
    let number: IncidentNumber = submission
        .incident_number
        .trim()
        .parse()
        .map_err(|_| AppError::NotFound)?;
    let body = submission.body.trim();
    check_message(body, submission.attachment_ids.len())
        .map_err(|problem| AppError::invalid("message", problem))?;
    let incident = store::find_for_reporter(&pool, number, user).await?;
    if let Some(id) = store::existing_message(&pool, user, submission.client_id).await? {
        return Ok((StatusCode::CREATED, Json(Posted { id })));
    }
    spend(&pool, user.id, Write::Message).await?;
    let message = NewMessage {
        client_id: Some(submission.client_id),
        side: Side::Reporter,
        internal: false,
        body,
        attachment_ids: &submission.attachment_ids,
    };
    let id = store::post_message(&pool, incident, user, message).await?;
    Ok((StatusCode::CREATED, Json(Posted { id })))
}

/// `GET /api/m/reports/{number}/events`: a `changed` event whenever the report changes (a reply,
/// a status step, a read marker). The page refetches on each; a `ready` event on every
/// (re)connection lets it catch up on what it missed while disconnected.
pub async fn report_events(
    State(pool): State<PgPool>,
    State(activity): State<Activity>,
    caller: Caller,
    Path(number): Path<IncidentNumber>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, RestError> {
    let user = caller.may(Action::Report)?;
    let only = store::find_for_reporter(&pool, number, user).await?.id;
    Ok(changes(&pool, &activity, &caller, user.id, Some(only))?)
}

/// `GET /api/console/events`: a `changed` event whenever any incident changes (a new report, a
/// reply, a step), so the queue stays current. Console roles only.
pub async fn console_events(
    State(pool): State<PgPool>,
    State(activity): State<Activity>,
    caller: Caller,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, RestError> {
    let user = caller.may(Action::SeeIncidents)?;
    Ok(changes(&pool, &activity, &caller, user.id, None)?)
}

/// `GET /api/console/incidents/{number}/events`: changes of one incident, for its console page.
pub async fn console_incident_events(
    State(pool): State<PgPool>,
    State(activity): State<Activity>,
    caller: Caller,
    Path(number): Path<IncidentNumber>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, RestError> {
    let user = caller.may(Action::SeeIncidents)?;
    let only = store::find_by_number(&pool, number)
        .await?
        .ok_or(AppError::NotFound)?
        .id;
    Ok(changes(&pool, &activity, &caller, user.id, Some(only))?)
}

/// `ready` on every (re)connection, so a page can catch up on what it missed while
/// disconnected, then `changed` for each change of `only` (or of any incident), until the
/// caller's session ends (sign-out, expiry, deactivation) or the server shuts down. A user holds
/// at most `MAX_STREAMS_PER_USER` at once.
fn changes(
    pool: &PgPool,
    activity: &Activity,
    caller: &Caller,
    user_id: i64,
    only: Option<IncidentId>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AppError> {
    let slot = activity.admit(user_id)?;
    let session_ended: Pin<Box<dyn Future<Output = ()> + Send>> = match &caller.session_id {
        Some(id) => Box::pin(session::ended(
            pool.clone(),
            id.clone(),
            user_id,
            activity.session_check_every(),
        )),
        None => Box::pin(std::future::pending()),
    };
    let stop = futures_util::future::select(Box::pin(activity.closed()), session_ended);
    let changes = BroadcastStream::new(activity.subscribe()).filter_map(move |change| {
        // A lagging receiver missed some ids: tell the page to refetch anyway.
        let relevant = match (change, only) {
            (Ok(id), Some(only)) => id == only.0,
            _ => true,
        };
        async move { relevant.then(|| Ok(Event::default().event("changed").data("changed"))) }
    });
    // Browsers drop events without data.
    let ready =
        futures_util::stream::once(async { Ok(Event::default().event("ready").data("ready")) });
    let stream = ready.chain(changes).take_until(stop).map(move |event| {
        // The user's place is held as long as the stream.
        let _held = &slot;
        event
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(20))))
}
