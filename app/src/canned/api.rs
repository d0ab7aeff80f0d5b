use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::CannedReply;
use crate::error::AppError;

#[cfg(feature = "ssr")]
async fn may(action: crate::auth::Action) -> Result<crate::auth::CurrentUser, AppError> {
    crate::auth::session::require(action).await
}

/// Every live canned reply, by title. Console roles only.
#[server(endpoint = "canned/list")]
pub async fn canned_list() -> Result<Vec<CannedReply>, AppError> {
    may(crate::auth::Action::SeeIncidents).await?;
    super::store::list(&crate::state::db()?).await
}

/// Adds (`id` None) or rewrites a canned reply.
#[server(endpoint = "canned/save", input = Json)]
pub async fn canned_save(id: Option<i64>, title: String, body: String) -> Result<i64, AppError> {
    let user = may(crate::auth::Action::EditCannedReplies).await?;
    super::store::save(&crate::state::db()?, &user, id, &title, &body).await
}

#[server(endpoint = "canned/retire", input = Json)]
pub async fn canned_retire(id: i64) -> Result<(), AppError> {
    let user = may(crate::auth::Action::EditCannedReplies).await?;
    super::store::retire(&crate::state::db()?, &user, id).await
}
