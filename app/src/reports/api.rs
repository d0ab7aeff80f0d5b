use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::{Period, Report};
use crate::error::AppError;

/// The service report of one period, with the trend over the periods before it.
#[server(endpoint = "reports/figures", input = Json)]
pub async fn service_report(period: Period) -> Result<Report, AppError> {
    use crate::auth::{session::require, Action};
    require(Action::SeeIncidents).await?;
    period.checked()?;
    super::store::report(&crate::state::db()?, period).await
}
