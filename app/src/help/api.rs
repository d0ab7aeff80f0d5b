//! Server functions of the help center (public reads) and the knowledge base (console).

use leptos::prelude::*;
use leptos::server_fn::codec::{GetUrl, Json};

use super::{
    ArticleDraft, ArticleInput, ArticleListItem, ArticleState, DiffLine, HomeData, ListOrder,
    PublicArticle, SearchResults, SynonymGroup, SystemListing,
};
use crate::error::AppError;
use crate::incidents::IncidentNumber;

#[cfg(feature = "ssr")]
async fn may(action: crate::auth::Action) -> Result<crate::auth::CurrentUser, AppError> {
    crate::auth::session::require(action).await
}

#[cfg(feature = "ssr")]
fn db() -> Result<sqlx::PgPool, AppError> {
    crate::state::db()
}

#[server(endpoint = "help/home")]
pub async fn help_home() -> Result<HomeData, AppError> {
    super::reading::home(&db()?).await
}

#[server(endpoint = "help/system")]
pub async fn help_system(
    code: String,
    module: Option<String>,
    order: ListOrder,
    page: i64,
) -> Result<SystemListing, AppError> {
    super::reading::system(&db()?, &code, module.as_deref(), order, page).await
}

/// A published article. Views are counted where the page is served (`cache::serve`).
#[server(endpoint = "help/article")]
pub async fn help_article(slug: String) -> Result<PublicArticle, AppError> {
    super::reading::article(&db()?, &slug).await
}

#[server(endpoint = "help/search")]
pub async fn help_search(
    q: String,
    system: Option<String>,
    page: i64,
) -> Result<SearchResults, AppError> {
    crate::checks::within(&q, super::MAX_QUERY_CHARS)
        .map_err(|problem| AppError::invalid("q", problem))?;
    super::reading::search(
        &db()?,
        &q,
        system.as_deref().filter(|s| !s.is_empty()),
        page,
    )
    .await
}

/// Articles for what a reader is typing into the help center's search box, asked by the box's
/// small script (without it the box is a plain form). Public, like the pages.
#[server(endpoint = "help/suggest", input = GetUrl)]
pub async fn help_suggest(
    q: String,
    system: Option<String>,
) -> Result<Vec<super::ArticleLink>, AppError> {
    crate::checks::within(&q, super::MAX_QUERY_CHARS)
        .map_err(|problem| AppError::invalid("q", problem))?;
    let system = system.filter(|s| !s.is_empty());
    super::reading::suggest(&db()?, &q, system.as_deref(), super::SUGGESTED).await
}

/// "Was this helpful?": a plain form on the article page. Counted once a session and article;
/// the reader goes back to the article, which thanks them.
#[server(endpoint = "help/feedback")]
pub async fn help_feedback(
    slug: String,
    helpful: bool,
    comment: Option<String>,
) -> Result<(), AppError> {
    if !super::is_slug(&slug) {
        return Err(AppError::NotFound);
    }
    let comment = comment.unwrap_or_default();
    let comment = comment.trim();
    crate::checks::within(comment, super::MAX_FEEDBACK_CHARS)
        .map_err(|problem| AppError::invalid("comment", problem))?;
    if crate::auth::session::first_look(&format!("vote:{slug}")).await {
        super::reading::record_feedback(&db()?, &slug, helpful, comment).await?;
    }
    leptos_axum::redirect(&format!("/help/a/{slug}?thanks=1#feedback"));
    Ok(())
}

#[server(endpoint = "kb/list", input = Json)]
pub async fn kb_list(state: Option<ArticleState>) -> Result<Vec<ArticleListItem>, AppError> {
    may(crate::auth::Action::SeeIncidents).await?;
    super::store::list(&db()?, state).await
}

/// A new article's text from a resolved incident, without the customer's identity.
#[server(endpoint = "kb/from_incident", input = Json)]
pub async fn kb_from_incident(number: IncidentNumber) -> Result<ArticleInput, AppError> {
    may(crate::auth::Action::WriteArticles).await?;
    super::store::from_incident(&db()?, number).await
}

#[server(endpoint = "kb/for_incident", input = Json)]
pub async fn kb_for_incident(number: IncidentNumber) -> Result<Vec<ArticleListItem>, AppError> {
    may(crate::auth::Action::SeeIncidents).await?;
    super::store::for_incident(&db()?, number).await
}

#[server(endpoint = "kb/draft", input = Json)]
pub async fn kb_draft(id: i64) -> Result<ArticleDraft, AppError> {
    may(crate::auth::Action::SeeIncidents).await?;
    super::store::draft(&db()?, id).await
}

#[server(endpoint = "kb/create", input = Json)]
pub async fn kb_create(
    input: ArticleInput,
    incident: Option<IncidentNumber>,
) -> Result<i64, AppError> {
    let user = may(crate::auth::Action::WriteArticles).await?;
    super::store::create(&db()?, &user, &input, incident).await
}

#[server(endpoint = "kb/save", input = Json)]
pub async fn kb_save(id: i64, input: ArticleInput) -> Result<(), AppError> {
    let user = may(crate::auth::Action::WriteArticles).await?;
    super::store::save(&db()?, &user, id, &input).await?;
    super::cache::forget_here();
    Ok(())
}

#[server(endpoint = "kb/submit", input = Json)]
pub async fn kb_submit(id: i64) -> Result<(), AppError> {
    may(crate::auth::Action::WriteArticles).await?;
    super::store::submit(&db()?, id).await
}

#[server(endpoint = "kb/archive", input = Json)]
pub async fn kb_archive(id: i64) -> Result<(), AppError> {
    may(crate::auth::Action::WriteArticles).await?;
    super::store::archive(&db()?, id).await?;
    super::cache::forget_here();
    Ok(())
}

#[server(endpoint = "kb/restore", input = Json)]
pub async fn kb_restore(id: i64, version: i32) -> Result<(), AppError> {
    let user = may(crate::auth::Action::WriteArticles).await?;
    super::store::restore(&db()?, &user, id, version).await
}

#[server(endpoint = "kb/publish", input = Json)]
pub async fn kb_publish(id: i64) -> Result<i32, AppError> {
    let user = may(crate::auth::Action::PublishArticles).await?;
    let done = super::store::publish(&db()?, &user, id).await?;
    super::cache::forget_here();
    Ok(done)
}

#[server(endpoint = "kb/send_back", input = Json)]
pub async fn kb_send_back(id: i64) -> Result<(), AppError> {
    may(crate::auth::Action::PublishArticles).await?;
    super::store::send_back(&db()?, id).await
}

#[server(endpoint = "kb/diff", input = Json)]
pub async fn kb_diff(id: i64, from: i32, to: i32) -> Result<Vec<DiffLine>, AppError> {
    may(crate::auth::Action::SeeIncidents).await?;
    super::store::diff(&db()?, id, from, to).await
}

#[server(endpoint = "kb/synonyms", input = Json)]
pub async fn kb_synonyms() -> Result<Vec<SynonymGroup>, AppError> {
    may(crate::auth::Action::SeeIncidents).await?;
    super::store::synonyms(&db()?).await
}

#[server(endpoint = "kb/synonyms/save", input = Json)]
pub async fn kb_save_synonyms(id: Option<i64>, words: Vec<String>) -> Result<i64, AppError> {
    let user = may(crate::auth::Action::WriteArticles).await?;
    super::store::save_synonyms(&db()?, &user, id, &words).await
}

#[server(endpoint = "kb/synonyms/remove", input = Json)]
pub async fn kb_remove_synonyms(id: i64) -> Result<(), AppError> {
    may(crate::auth::Action::WriteArticles).await?;
    super::store::remove_synonyms(&db()?, id).await
}

/// The live articles and resolved incidents that best match an incident, for its page.
#[server(endpoint = "kb/beside", input = Json)]
pub async fn kb_beside(number: IncidentNumber) -> Result<super::beside::Beside, AppError> {
    may(crate::auth::Action::SeeIncidents).await?;
    super::beside::store::for_incident(&db()?, number).await
}

/// Live articles for what a handler types, best first.
#[server(endpoint = "kb/find", input = Json)]
pub async fn kb_find(q: String) -> Result<Vec<super::ArticleLink>, AppError> {
    may(crate::auth::Action::SeeIncidents).await?;
    crate::checks::within(&q, super::MAX_QUERY_CHARS)
        .map_err(|problem| AppError::invalid("q", problem))?;
    super::reading::suggest(&db()?, &q, None, 8).await
}

/// What the weekly meeting goes through.
#[server(endpoint = "kb/maintenance", input = Json)]
pub async fn kb_maintenance() -> Result<super::maintenance::Maintenance, AppError> {
    may(crate::auth::Action::SeeIncidents).await?;
    super::maintenance::store::weekly(&db()?).await
}

/// The live text was read again and still holds.
#[server(endpoint = "kb/confirm_reviewed", input = Json)]
pub async fn kb_confirm_reviewed(id: i64) -> Result<(), AppError> {
    let user = may(crate::auth::Action::PublishArticles).await?;
    super::maintenance::store::confirm_reviewed(&db()?, &user, id).await
}

#[server(endpoint = "kb/pin", input = Json)]
pub async fn kb_pin(id: i64, pinned: bool) -> Result<(), AppError> {
    may(crate::auth::Action::WriteArticles).await?;
    super::maintenance::store::pin(&db()?, id, pinned).await?;
    super::cache::forget_here();
    Ok(())
}

/// The body as readers would see it, sanitised like a published one.
#[server(endpoint = "kb/preview", input = Json)]
pub async fn kb_preview(body: String) -> Result<String, AppError> {
    may(crate::auth::Action::WriteArticles).await?;
    crate::checks::within(&body, super::MAX_BODY_CHARS)
        .map_err(|problem| AppError::invalid("kb_body", problem))?;
    Ok(super::store::preview(&body))
}
