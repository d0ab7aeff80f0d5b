use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::{HotConsultations, KnowledgeSession, SessionPlan, SessionResults};
use crate::error::AppError;

/// Every session, latest first, with its effect on consultations. Console roles.
#[server(endpoint = "sessions/list")]
pub async fn session_list() -> Result<Vec<KnowledgeSession>, AppError> {
    crate::auth::session::require(crate::auth::Action::SeeIncidents).await?;
    super::store::list(&crate::state::db()?, None).await
}

/// The last four weeks' hot consultations, beside the schedule form.
#[server(endpoint = "sessions/hot")]
pub async fn session_hot() -> Result<HotConsultations, AppError> {
    crate::auth::session::require(crate::auth::Action::SeeIncidents).await?;
    super::store::hot(&crate::state::db()?).await
}

/// Schedules a session (`plan.id` empty) or changes one; those who write help articles.
#[server(endpoint = "sessions/save", input = Json)]
pub async fn session_save(plan: SessionPlan) -> Result<i64, AppError> {
    let user = crate::auth::session::require(crate::auth::Action::WriteArticles).await?;
    super::store::save(&crate::state::db()?, &user, &plan).await
}

/// Records a session's replay, audience and quiz.
#[server(endpoint = "sessions/results", input = Json)]
pub async fn session_record_results(results: SessionResults) -> Result<(), AppError> {
    let user = crate::auth::session::require(crate::auth::Action::WriteArticles).await?;
    super::store::record_results(&crate::state::db()?, &user, &results).await
}
