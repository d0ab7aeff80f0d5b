use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::{
    Delivery, Kind, LogFilter, NewAppCredentials, NewRobot, NotificationSettings, TestAnswer,
};
use crate::error::AppError;

#[cfg(feature = "ssr")]
async fn admin() -> Result<sqlx::PgPool, AppError> {
    crate::auth::session::require(crate::auth::Action::ManageNotifications).await?;
    crate::state::db()
}

/// Robots, the application, the kinds sent and staff contacts. Admins only.
#[server(endpoint = "settings/notifications", input = Json)]
pub async fn load_notification_settings() -> Result<NotificationSettings, AppError> {
    super::store::settings(&admin().await?).await
}

#[server(endpoint = "settings/notifications/robot", input = Json)]
pub async fn add_robot(robot: NewRobot) -> Result<i16, AppError> {
    super::store::add_robot(&admin().await?, &robot).await
}

#[server(endpoint = "settings/notifications/robot/remove", input = Json)]
pub async fn remove_robot(id: i16) -> Result<(), AppError> {
    super::store::remove_robot(&admin().await?, id).await
}

/// Sends a test message to a robot now and answers what WeCom said.
#[server(endpoint = "settings/notifications/robot/test", input = Json)]
pub async fn test_robot(id: i16) -> Result<TestAnswer, AppError> {
    admin().await?;
    let deliverer = use_context::<super::delivery::Deliverer>().ok_or_else(|| {
        tracing::error!("notification deliverer missing from the Leptos context");
        AppError::Internal
    })?;
    deliverer.test_robot(id).await
}

#[server(endpoint = "settings/notifications/app", input = Json)]
pub async fn save_app(app: NewAppCredentials) -> Result<(), AppError> {
    super::store::set_app(&admin().await?, &app).await
}

#[server(endpoint = "settings/notifications/app/remove", input = Json)]
pub async fn remove_app() -> Result<(), AppError> {
    super::store::remove_app(&admin().await?).await
}

#[server(endpoint = "settings/notifications/kind", input = Json)]
pub async fn switch_kind(kind: Kind, enabled: bool) -> Result<(), AppError> {
    super::store::set_kind(&admin().await?, kind, enabled).await
}

#[server(endpoint = "settings/notifications/contact", input = Json)]
pub async fn save_contact(
    user_id: i64,
    wecom_userid: String,
    work_mobile: String,
) -> Result<(), AppError> {
    super::store::set_contact(&admin().await?, user_id, &wecom_userid, &work_mobile).await
}

/// The delivery log, newest first, filtered.
#[server(endpoint = "settings/notifications/log", input = Json)]
pub async fn delivery_log(
    filter: LogFilter,
    before: Option<i64>,
) -> Result<Vec<Delivery>, AppError> {
    super::store::log(&admin().await?, &filter, before, super::LOG_PAGE).await
}

/// Sends a message that was given up again.
#[server(endpoint = "settings/notifications/resend", input = Json)]
pub async fn resend_delivery(id: i64) -> Result<(), AppError> {
    super::store::resend(&admin().await?, id).await
}

/// The kinds of personal message the signed-in user muted.
#[server(endpoint = "notifications/mutes", input = Json)]
pub async fn my_mutes() -> Result<Vec<Kind>, AppError> {
    let user = crate::auth::session::require_user().await?;
    super::store::mutes(&crate::state::db()?, user.id).await
}

/// Mutes or unmutes one kind of personal message for the signed-in user.
#[server(endpoint = "notifications/mute", input = Json)]
pub async fn set_mute(kind: Kind, muted: bool) -> Result<(), AppError> {
    let user = crate::auth::session::require_user().await?;
    if !kind.is_personal() {
        return Err(AppError::invalid(
            "kind",
            crate::error::Problem::UnknownChoice,
        ));
    }
    super::store::set_mute(&crate::state::db()?, user.id, kind, muted).await
}
