use leptos::prelude::*;

use super::TeamMember;
use crate::error::AppError;

/// The people who work in the console. Console roles only.
#[server(endpoint = "console/team")]
pub async fn console_team() -> Result<Vec<TeamMember>, AppError> {
    crate::auth::session::require_area(crate::auth::Area::Console).await?;
    super::store::list_staff(&crate::state::db()?).await
}
