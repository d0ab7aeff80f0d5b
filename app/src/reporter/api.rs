//! The reporter's server functions: reading their own reports and acting on a resolution.
//! Writes that must survive a bad network (new reports, messages) go through the outbox and
//! the plain endpoints in `incidents::http` instead.

use leptos::prelude::*;

use crate::error::AppError;
use crate::incidents::IncidentNumber;
use crate::incidents::{ReportFilter, ReportSummary, ReportView};

#[cfg(feature = "ssr")]
mod guard {
    pub use crate::auth::session::require_area;
    pub use crate::auth::Area;
    pub use crate::incidents::store;
    pub use crate::incidents::{Side, Step};
    pub use crate::state::db;
}

/// My reports, newest activity first.
#[server(endpoint = "m/reports/mine")]
pub async fn my_reports(filter: ReportFilter) -> Result<Vec<ReportSummary>, AppError> {
    use guard::*;
    let user = require_area(Area::Mobile).await?;
    store::list_for_reporter(&db()?, user.id, filter).await
}

/// One of my reports with its timeline and thread. Opening it marks the team's replies read.
#[server(endpoint = "m/reports/view")]
pub async fn my_report(number: IncidentNumber) -> Result<ReportView, AppError> {
    use guard::*;
    let user = require_area(Area::Mobile).await?;
    let pool = db()?;
    let incident = store::find_for_reporter(&pool, number, &user).await?;
    store::mark_read(&pool, incident.id, Side::Reporter).await?;
    store::load_view(&pool, incident.id, Side::Reporter).await
}

/// The reporter agrees the problem is solved; the incident closes.
#[server(endpoint = "m/reports/confirm")]
pub async fn confirm_solution(number: IncidentNumber) -> Result<(), AppError> {
    use guard::*;
    let user = require_area(Area::Mobile).await?;
    let pool = db()?;
    let incident = store::find_for_reporter(&pool, number, &user).await?;
    store::apply_step(
        &pool,
        incident.id,
        &user,
        Step::Confirmed,
        Default::default(),
    )
    .await?;
    Ok(())
}

/// The solution did not help: back to the team, with the reporter's reason.
#[server(endpoint = "m/reports/reopen")]
pub async fn reopen_report(number: IncidentNumber, reason: String) -> Result<(), AppError> {
    use crate::checks::required_within;
    use crate::error::Problem;
    use crate::incidents::MAX_REASON;
    use guard::*;
    let user = require_area(Area::Mobile).await?;
    let reason = reason.trim().to_owned();
    required_within(&reason, MAX_REASON).map_err(|p: Problem| AppError::invalid("reason", p))?;
    let pool = db()?;
    let incident = store::find_for_reporter(&pool, number, &user).await?;
    let details = crate::incidents::StepDetails {
        note: Some(reason),
        ..Default::default()
    };
    store::apply_step(&pool, incident.id, &user, Step::Reopened, details).await?;
    Ok(())
}
