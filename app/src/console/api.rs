use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::{QueueCursor, QueueFilter, QueuePage, TeamIncident, TeamMember};
use crate::error::AppError;
use crate::incidents::IncidentNumber;
use crate::incidents::{Status, Step, StepDetails};

/// Rows a queue page holds.
pub const QUEUE_PAGE: i64 = 50;

#[cfg(feature = "ssr")]
mod guard {
    pub use crate::auth::session::require;
    pub use crate::auth::{Action, CurrentUser};
    pub use crate::error::AppError;
    pub use crate::incidents::store::{self, IncidentRef};
    use crate::incidents::IncidentNumber;
    pub use crate::state::db;

    /// A console user who may do `action`, and the incident they do it on.
    pub async fn staff_on(
        number: IncidentNumber,
        action: Action,
    ) -> Result<(CurrentUser, IncidentRef), AppError> {
        let user = require(action).await?;
        let incident = store::find_by_number(&db()?, number)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok((user, incident))
    }
}

/// The people who work in the console. Console roles only.
#[server(endpoint = "console/team")]
pub async fn console_team() -> Result<Vec<TeamMember>, AppError> {
    crate::auth::session::require(crate::auth::Action::SeeIncidents).await?;
    super::store::list_staff(&crate::state::db()?).await
}

/// A page of the queue. Console roles only.
#[server(endpoint = "console/queue", input = Json)]
pub async fn console_queue(
    filter: QueueFilter,
    after: Option<QueueCursor>,
) -> Result<QueuePage, AppError> {
    use crate::auth::{session::require, Action};
    let user = require(Action::SeeIncidents).await?;
    filter.check()?;
    super::store::queue(&crate::state::db()?, &user, &filter, after, QUEUE_PAGE).await
}

/// One incident with its timeline and whole thread, internal notes included.
#[server(endpoint = "console/incident", input = Json)]
pub async fn console_incident(number: IncidentNumber) -> Result<TeamIncident, AppError> {
    use guard::*;
    let (user, incident) = staff_on(number, Action::SeeIncidents).await?;
    super::store::incident(&db()?, &user, incident.id).await
}

/// A reply to the reporter, or an internal note the reporter never sees.
#[server(endpoint = "console/reply", input = Json)]
pub async fn console_reply(
    number: IncidentNumber,
    body: String,
    internal: bool,
) -> Result<i64, AppError> {
    use crate::incidents::{check_message, Side};
    use guard::*;
    let (user, incident) = staff_on(number, Action::WorkIncidents).await?;
    let body = body.trim();
    check_message(body, 0).map_err(|p| AppError::invalid("message", p))?;
    crate::limits::store::spend(&db()?, user.id, crate::limits::Write::Reply).await?;
    let message = store::NewMessage {
        client_id: None,
        side: Side::Handler,
        internal,
        body,
        attachment_ids: &[],
    };
    let incident_id = incident.id.0;
    let id = store::post_message(&db()?, incident, &user, message).await?;
    if !internal {
        // A reply pointing at help articles: they answered this incident.
        crate::help::beside::store::link_answers(&db()?, incident_id, body).await?;
    }
    Ok(id)
}

/// Moves an incident one workflow step; `input` carries what the step needs.
#[server(endpoint = "console/step", input = Json)]
pub async fn console_step(
    number: IncidentNumber,
    step: Step,
    #[server(default)] input: StepDetails,
) -> Result<Status, AppError> {
    use guard::*;
    if !Step::CONSOLE_ACTIONS.contains(&step) {
        return Err(AppError::Forbidden);
    }
    let (user, incident) = staff_on(number, Action::WorkIncidents).await?;
    let input = input.trimmed();
    let solution = (step == Step::Resolved)
        .then(|| input.solution.clone())
        .flatten();
    let status = store::apply_step(&db()?, incident.id, &user, step, input).await?;
    if let Some(solution) = solution {
        // A resolution that reuses help articles: they answered this incident.
        crate::help::beside::store::link_answers(&db()?, incident.id.0, &solution).await?;
    }
    Ok(status)
}

/// Makes the incident a duplicate in the batch of incident `parent`; resolving the parent
/// resolves it too.
#[server(endpoint = "console/link", input = Json)]
pub async fn console_link(number: IncidentNumber, parent: IncidentNumber) -> Result<(), AppError> {
    use guard::*;
    let (user, incident) = staff_on(number, Action::WorkIncidents).await?;
    crate::incidents::batch::link(&db()?, incident.id, parent, &user).await
}

/// Takes the incident out of its batch.
#[server(endpoint = "console/unlink", input = Json)]
pub async fn console_unlink(number: IncidentNumber) -> Result<(), AppError> {
    use guard::*;
    let (user, incident) = staff_on(number, Action::WorkIncidents).await?;
    crate::incidents::batch::unlink(&db()?, incident.id, &user).await
}

/// The team has read the reporter's messages so far (the reporter sees read markers).
#[server(endpoint = "console/read", input = Json)]
pub async fn console_mark_read(number: IncidentNumber) -> Result<(), AppError> {
    use crate::incidents::Side;
    use guard::*;
    let (_, incident) = staff_on(number, Action::WorkIncidents).await?;
    store::mark_read(&db()?, incident.id, Side::Handler).await
}
