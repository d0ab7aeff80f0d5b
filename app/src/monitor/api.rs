use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::incidents::{IncidentMonitoring, RaiseInput};
use super::{DryRun, RuleDetail, RuleInput, RuleSummary, RunDetail, SourceInfo};
use crate::error::AppError;

/// Every rule with its latest run. Console roles.
#[server(endpoint = "monitor/rules")]
pub async fn monitor_rules() -> Result<Vec<RuleSummary>, AppError> {
    crate::auth::session::require(crate::auth::Action::SeeIncidents).await?;
    super::store::rules(&crate::state::db()?).await
}

/// The sources rules may read; their addresses (password hidden) only for those who manage
/// settings.
#[server(endpoint = "monitor/sources")]
pub async fn monitor_sources() -> Result<Vec<SourceInfo>, AppError> {
    let user = crate::auth::session::require(crate::auth::Action::SeeIncidents).await?;
    let addresses = user.may(crate::auth::Action::ManageSettings);
    let monitoring = super::schedule::monitoring()?;
    Ok(monitoring
        .sources
        .all()
        .map(|source| SourceInfo {
            name: source.name().to_owned(),
            url: addresses.then(|| source.masked_url().to_owned()),
        })
        .collect())
}

/// A rule, what it checks and its recent runs.
#[server(endpoint = "monitor/rule")]
pub async fn monitor_rule(id: i64) -> Result<RuleDetail, AppError> {
    crate::auth::session::require(crate::auth::Action::SeeIncidents).await?;
    super::store::rule(&crate::state::db()?, id, RUNS_SHOWN).await
}

/// Runs a rule page shows (and its chart draws).
#[cfg(feature = "ssr")]
const RUNS_SHOWN: i64 = 30;
/// Records a dry run shows.
#[cfg(feature = "ssr")]
const DRY_RUN_SHOWN: usize = 20;

/// Saves a rule; answers its id.
#[server(endpoint = "monitor/save", input = Json)]
pub async fn monitor_save(input: RuleInput) -> Result<i64, AppError> {
    let user = crate::auth::session::require(crate::auth::Action::WriteMonitorRules).await?;
    let (rule, schedule) = checked(&input)?;
    let next = input
        .enabled
        .then(|| schedule.next_after(chrono::Utc::now()))
        .flatten();
    super::store::save_rule(
        &crate::state::db()?,
        input.id,
        &rule,
        (input.enabled, input.cooldown()?),
        user.id,
        next,
    )
    .await
}

/// Silences a rule's alerts for `hours` (one of [`super::SILENCE_HOURS`]), or lets it speak
/// again (`0`): whoever is on duty acknowledges an alert.
#[server(endpoint = "monitor/silence")]
pub async fn monitor_silence(id: i64, hours: i64) -> Result<(), AppError> {
    let user = crate::auth::session::require(crate::auth::Action::WorkIncidents).await?;
    let until = match hours {
        0 => None,
        hours if super::SILENCE_HOURS.contains(&hours) => {
            Some(chrono::Utc::now() + chrono::Duration::hours(hours))
        }
        _ => {
            return Err(AppError::invalid(
                "hours",
                crate::error::Problem::UnknownChoice,
            ))
        }
    };
    super::store::silence(&crate::state::db()?, id, until, user.id).await
}

/// What the form's rule would find now; nothing is kept.
#[server(endpoint = "monitor/dry_run", input = Json)]
pub async fn monitor_dry_run(input: RuleInput) -> Result<DryRun, AppError> {
    crate::auth::session::require(crate::auth::Action::WriteMonitorRules).await?;
    let (rule, _) = checked(&input)?;
    let monitoring = super::schedule::monitoring()?;
    Ok(super::schedule::dry_run(&monitoring, &rule.check, DRY_RUN_SHOWN).await)
}

/// A new rule's form written from a resolved incident ("monitor this").
#[server(endpoint = "monitor/draft")]
pub async fn monitor_draft(
    number: crate::incidents::IncidentNumber,
) -> Result<RuleInput, AppError> {
    crate::auth::session::require(crate::auth::Action::WriteMonitorRules).await?;
    super::incidents_store::draft_from_incident(&crate::state::db()?, number).await
}

/// Runs a rule now; answers the run's id.
#[server(endpoint = "monitor/run_now")]
pub async fn monitor_run_now(id: i64) -> Result<i64, AppError> {
    crate::auth::session::require(crate::auth::Action::WriteMonitorRules).await?;
    let monitoring = super::schedule::monitoring()?;
    super::schedule::run_now(&crate::state::db()?, &monitoring, id).await
}

/// A run with a page of its kept records matching `q`.
#[server(endpoint = "monitor/run")]
pub async fn monitor_run(id: i64, q: String, page: i64) -> Result<RunDetail, AppError> {
    let user = crate::auth::session::require(crate::auth::Action::SeeIncidents).await?;
    crate::checks::within(&q, super::MAX_NAME).map_err(|p| AppError::invalid("q", p))?;
    let pool = crate::state::db()?;
    // A page past the last (even one typed as a huge number) is merely empty.
    let offset = page.max(0).saturating_mul(super::RECORDS_PAGE);
    let mut detail = super::store::run(&pool, id, &q, offset, super::RECORDS_PAGE).await?;
    detail.raised = super::incidents_store::raised_from_run(&pool, id).await?;
    detail.may_raise = user.may(crate::auth::Action::WorkIncidents);
    Ok(detail)
}

/// Raises an incident from a run (channel monitoring, no customer) carrying the records its
/// page shows with the chosen columns; a run raised before answers its incident.
#[server(endpoint = "monitor/raise", input = Json)]
pub async fn monitor_raise(input: RaiseInput) -> Result<crate::incidents::Recorded, AppError> {
    let user = crate::auth::session::require(crate::auth::Action::WorkIncidents).await?;
    let pool = crate::state::db()?;
    crate::limits::store::spend(&pool, user.id, crate::limits::Write::Report).await?;
    super::incidents_store::raise(&pool, &user, &input).await
}

/// What monitoring knows of an incident: the records it was raised with, the rules written
/// from it.
#[server(endpoint = "monitor/for_incident")]
pub async fn monitor_for_incident(
    number: crate::incidents::IncidentNumber,
) -> Result<IncidentMonitoring, AppError> {
    crate::auth::session::require(crate::auth::Action::SeeIncidents).await?;
    super::incidents_store::for_incident(&crate::state::db()?, number).await
}

/// The form's rule as the store keeps it, and its schedule; the first wrong field otherwise
/// (a source the server does not know included).
#[cfg(feature = "ssr")]
fn checked(
    input: &RuleInput,
) -> Result<(super::store::NewRule, super::schedule::Schedule), AppError> {
    use std::str::FromStr;
    let check = input.check()?;
    let monitoring = super::schedule::monitoring()?;
    let known = |name: &str| monitoring.sources.get(name).is_some();
    if !known(input.source.trim()) {
        return Err(AppError::invalid(
            "source",
            crate::error::Problem::UnknownChoice,
        ));
    }
    if matches!(check, super::Check::Reconciliation { .. }) && !known(input.other_source.trim()) {
        return Err(AppError::invalid(
            "other_source",
            crate::error::Problem::UnknownChoice,
        ));
    }
    let schedule = super::schedule::Schedule::from_str(&input.schedule)
        .map_err(|()| AppError::invalid("schedule", crate::error::Problem::Format))?;
    Ok((
        super::store::NewRule {
            name: input.name.trim().to_owned(),
            check,
            schedule: input
                .schedule
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            severity: input.severity.unwrap_or(crate::incidents::Severity::P3),
            system: Some(input.system.trim())
                .filter(|code| !code.is_empty())
                .map(str::to_owned),
            from_incident: input.from_incident,
        },
        schedule,
    ))
}
