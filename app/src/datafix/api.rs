use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::{DataFixScript, NewScript};
use crate::error::AppError;
use crate::incidents::IncidentNumber;

/// How many decided scripts the review page shows below the pending ones.
pub const RECENT_DECISIONS: i64 = 20;

#[cfg(feature = "ssr")]
mod guard {
    use crate::auth::session::require;
    use crate::auth::{Action, CurrentUser};
    use crate::error::AppError;
    use crate::incidents::store::{self, IncidentRef};
    use crate::incidents::IncidentNumber;
    use crate::state::db;

    /// Handlers write scripts and record their execution; reviewers decide on them.
    pub async fn handler_on(
        number: IncidentNumber,
    ) -> Result<(CurrentUser, IncidentRef), AppError> {
        let user = require(Action::WriteDataFix).await?;
        let incident = store::find_by_number(&db()?, number)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok((user, incident))
    }

    pub async fn reviewer() -> Result<CurrentUser, AppError> {
        require(Action::ReviewDataFix).await
    }
}

/// Attaches a script with its rollback for review; the SLA clock pauses until it is decided.
#[server(endpoint = "datafix/submit", input = Json)]
pub async fn datafix_submit(number: IncidentNumber, script: NewScript) -> Result<i64, AppError> {
    let (user, incident) = guard::handler_on(number).await?;
    super::store::submit(&crate::state::db()?, incident.id, &user, &script).await
}

/// Pending scripts and the latest decisions. Reviewers only.
#[server(endpoint = "datafix/reviews")]
pub async fn datafix_reviews() -> Result<Vec<DataFixScript>, AppError> {
    guard::reviewer().await?;
    super::store::list(&crate::state::db()?, None, RECENT_DECISIONS).await
}

/// Approves or rejects (with a reason) a pending script. Reviewers only.
#[server(endpoint = "datafix/review", input = Json)]
pub async fn datafix_review(
    script_id: i64,
    approve: bool,
    comment: String,
) -> Result<(), AppError> {
    let user = guard::reviewer().await?;
    super::store::review(&crate::state::db()?, script_id, &user, approve, &comment).await
}

/// Records that operations ran an approved script.
#[server(endpoint = "datafix/executed", input = Json)]
pub async fn datafix_executed(
    number: IncidentNumber,
    script_id: i64,
    note: String,
) -> Result<(), AppError> {
    let (user, incident) = guard::handler_on(number).await?;
    super::store::record_execution(&crate::state::db()?, incident.id, script_id, &user, &note).await
}
