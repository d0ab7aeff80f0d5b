use sqlx::PgPool;

use super::TeamMember;
use crate::auth::Role;
use crate::error::AppError;

/// Active staff (everyone but reporters), by role then name.
pub async fn list_staff(pool: &PgPool) -> Result<Vec<TeamMember>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT display_name, role, last_sign_in_at AS "last_sign_in_at: chrono::DateTime<chrono::Utc>" FROM users
         WHERE active AND role <> 'reporter'
         ORDER BY array_position(ARRAY['handler', 'reviewer', 'admin'], role), display_name"#
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(TeamMember {
                role: Role::parse(&r.role).ok_or(AppError::Internal)?,
                display_name: r.display_name,
                last_sign_in_at: r.last_sign_in_at,
            })
        })
        .collect()
}
