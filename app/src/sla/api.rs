use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::{BusinessHours, CalendarDay, SlaConfig, SlaTarget};
use crate::error::AppError;

#[cfg(feature = "ssr")]
async fn admin() -> Result<crate::auth::CurrentUser, AppError> {
    crate::auth::session::require(crate::auth::Action::ManageSettings).await
}

/// Targets and calendar; every console user may read them, admins may change them.
#[server(endpoint = "sla/settings")]
pub async fn sla_settings() -> Result<SlaConfig, AppError> {
    use crate::auth::{session::require, Action};
    let user = require(Action::SeeIncidents).await?;
    super::store::settings(&crate::state::db()?, user.may(Action::ManageSettings)).await
}

#[server(endpoint = "sla/targets", input = Json)]
pub async fn sla_save_targets(targets: Vec<SlaTarget>) -> Result<(), AppError> {
    let user = admin().await?;
    super::store::save_targets(&crate::state::db()?, &user, &targets).await
}

#[server(endpoint = "sla/hours", input = Json)]
pub async fn sla_save_hours(hours: BusinessHours) -> Result<(), AppError> {
    let user = admin().await?;
    super::store::save_hours(&crate::state::db()?, &user, &hours).await
}

#[server(endpoint = "sla/day", input = Json)]
pub async fn sla_put_day(day: CalendarDay) -> Result<(), AppError> {
    let user = admin().await?;
    super::store::put_day(&crate::state::db()?, &user, &day).await
}

#[server(endpoint = "sla/day/remove", input = Json)]
pub async fn sla_remove_day(date: String) -> Result<(), AppError> {
    let user = admin().await?;
    super::store::remove_day(&crate::state::db()?, &user, &date).await
}
