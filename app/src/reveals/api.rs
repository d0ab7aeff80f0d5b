use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::{AuditFilter, AuditPage, IdentityField, RevealReason};
use crate::error::AppError;
use crate::incidents::IncidentNumber;

/// Shows one field of the customer's identity in full, for the reason given; every reveal is
/// recorded. Only on the viewer's own incidents, unless they may reveal on any.
#[server(endpoint = "console/reveal", input = Json)]
pub async fn reveal_identity(
    number: IncidentNumber,
    field: IdentityField,
    reason: RevealReason,
) -> Result<String, AppError> {
    use crate::auth::{session, Action};
    let user = session::require(Action::RevealIdentity).await?;
    let pool = crate::state::db()?;
    let incident = crate::incidents::store::find_by_number(&pool, number)
        .await?
        .ok_or(AppError::NotFound)?;
    crate::limits::store::spend(&pool, user.id, crate::limits::Write::Reveal).await?;
    let asked = super::store::Asked {
        session_ref: session::reference().await,
        address: session::client_ip().await,
        threshold: use_context::<super::AlertThreshold>()
            .map_or(super::DEFAULT_ALERT_PER_HOUR, |t| t.0),
    };
    super::store::reveal(&pool, &user, incident.id, field, reason, asked).await
}

/// The record of reveals, newest first, with the users past the alert threshold. Admins only.
#[server(endpoint = "settings/reveals", input = Json)]
pub async fn reveal_audit(filter: AuditFilter, before: Option<i64>) -> Result<AuditPage, AppError> {
    use crate::auth::{session::require, Action};
    require(Action::AuditReveals).await?;
    let threshold =
        use_context::<super::AlertThreshold>().map_or(super::DEFAULT_ALERT_PER_HOUR, |t| t.0);
    super::store::audit(
        &crate::state::db()?,
        &filter,
        before,
        super::AUDIT_PAGE,
        threshold,
    )
    .await
}
