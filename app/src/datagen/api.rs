use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::{
    JobDetail, JobInput, JobSummary, Preview, RecipeSource, RecipeSummary, SaveOutcome, Stats,
    StatsFilter, TargetInput, TargetSummary,
};
#[cfg(feature = "ssr")]
use crate::auth::Action;
use crate::error::AppError;

/// Every recipe at its current version, with the form each asks for.
#[server(endpoint = "datagen/recipes")]
pub async fn datagen_recipes() -> Result<Vec<RecipeSummary>, AppError> {
    crate::auth::session::require(Action::BuildTestData).await?;
    super::recipe_store::recipes(&crate::state::db()?).await
}

/// The test environments (their credentials' names only).
#[server(endpoint = "datagen/targets")]
pub async fn datagen_targets() -> Result<Vec<TargetSummary>, AppError> {
    crate::auth::session::require(Action::BuildTestData).await?;
    super::targets::list(&crate::state::db()?).await
}

/// Submits a form as a job; answers its id.
#[server(endpoint = "datagen/submit", input = Json)]
pub async fn datagen_submit(input: JobInput) -> Result<i64, AppError> {
    let user = crate::auth::session::require(Action::BuildTestData).await?;
    super::submit::submit(&crate::state::db()?, &user, &input).await
}

/// The newest jobs, or those of one incident.
#[server(endpoint = "datagen/jobs")]
pub async fn datagen_jobs(
    incident: Option<crate::incidents::IncidentNumber>,
) -> Result<Vec<JobSummary>, AppError> {
    crate::auth::session::require(Action::BuildTestData).await?;
    super::store::jobs(&crate::state::db()?, incident, super::JOBS_SHOWN).await
}

/// A job with every call it made so far.
#[server(endpoint = "datagen/job")]
pub async fn datagen_job(id: i64) -> Result<JobDetail, AppError> {
    crate::auth::session::require(Action::BuildTestData).await?;
    super::store::job(&crate::state::db()?, id).await
}

/// Puts a failed job back at the step that failed.
#[server(endpoint = "datagen/retry")]
pub async fn datagen_retry(id: i64) -> Result<(), AppError> {
    crate::auth::session::require(Action::BuildTestData).await?;
    super::store::retry_from_failed(&crate::state::db()?, id).await
}

/// Cancels a queued job, or stops a running one after its current call.
#[server(endpoint = "datagen/cancel")]
pub async fn datagen_cancel(id: i64) -> Result<(), AppError> {
    crate::auth::session::require(Action::BuildTestData).await?;
    super::store::cancel(&crate::state::db()?, id).await
}

/// Usage and failure statistics.
#[server(endpoint = "datagen/stats", input = Json)]
pub async fn datagen_stats(filter: StatsFilter) -> Result<Stats, AppError> {
    crate::auth::session::require(Action::BuildTestData).await?;
    if !super::STATS_PERIODS.contains(&filter.days) {
        return Err(AppError::invalid(
            "days",
            crate::error::Problem::UnknownChoice,
        ));
    }
    super::stats::stats(&crate::state::db()?, &filter, crate::time::shanghai_today()).await
}

/// A recipe's source at a version (the current one when none), with its history.
#[server(endpoint = "datagen/recipe_source")]
pub async fn datagen_recipe_source(
    id: i64,
    version: Option<i32>,
) -> Result<RecipeSource, AppError> {
    crate::auth::session::require(Action::WriteRecipes).await?;
    super::recipe_store::source(&crate::state::db()?, id, version).await
}

/// The first request `source` would send, with sample parameters, or where it is wrong.
#[server(endpoint = "datagen/preview", input = Json)]
pub async fn datagen_preview(source: String, target: Option<i64>) -> Result<Preview, AppError> {
    crate::auth::session::require(Action::WriteRecipes).await?;
    check_source(&source)?;
    super::preview::preview(&crate::state::db()?, &source, target).await
}

/// Saves a recipe (`id` None: a new one) as its next version.
#[server(endpoint = "datagen/save_recipe", input = Json)]
pub async fn datagen_save_recipe(
    id: Option<i64>,
    source: String,
    note: String,
) -> Result<SaveOutcome, AppError> {
    let user = crate::auth::session::require(Action::WriteRecipes).await?;
    check_source(&source)?;
    crate::checks::within(&note, 200).map_err(|p| AppError::invalid("note", p))?;
    let saved =
        super::recipe_store::save(&crate::state::db()?, id, &source, note.trim(), user.id).await?;
    Ok(match saved {
        Ok(id) => SaveOutcome::Saved { id },
        Err(error) => SaveOutcome::Invalid {
            line: error.line,
            message: error.message,
        },
    })
}

/// Adds or changes a test environment.
#[server(endpoint = "datagen/save_target", input = Json)]
pub async fn datagen_save_target(input: TargetInput) -> Result<i64, AppError> {
    let user = crate::auth::session::require(Action::ManageTestTargets).await?;
    super::targets::save(&crate::state::db()?, &input, Some(user.id)).await
}

#[cfg(feature = "ssr")]
fn check_source(source: &str) -> Result<(), AppError> {
    if source.len() > super::MAX_RECIPE_SOURCE {
        return Err(AppError::invalid(
            "source",
            crate::error::Problem::TooLong {
                max: super::MAX_RECIPE_SOURCE as u32,
            },
        ));
    }
    Ok(())
}
