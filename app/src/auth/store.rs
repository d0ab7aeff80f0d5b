//! Users in PostgreSQL.

use sqlx::PgPool;

use super::{CurrentUser, Role};
use crate::error::AppError;
use crate::i18n::Locale;

pub struct Credentials {
    pub user: CurrentUser,
    pub password_hash: String,
}

pub struct NewUser<'a> {
    pub login: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    /// An Argon2id PHC string from [`super::password::hash`].
    pub password_hash: &'a str,
}

fn current_user(
    id: i64,
    login: String,
    display_name: String,
    (role, extra_roles): (Role, Vec<String>),
    locale: &str,
) -> CurrentUser {
    CurrentUser {
        id,
        login,
        display_name,
        role,
        // The column's check admits only role names.
        extra_roles: extra_roles
            .iter()
            .filter_map(|name| Role::named(name))
            .collect(),
        locale: Locale::from_code(locale).unwrap_or_default(),
    }
}

/// The active user with this (lower-cased) login and the hash to check the password against.
pub async fn find_credentials(pool: &PgPool, login: &str) -> Result<Option<Credentials>, AppError> {
    let row = sqlx::query!(
        r#"SELECT id, login, display_name, role AS "role: Role", extra_roles, locale, password_hash
           FROM users WHERE login = $1 AND active"#,
        login
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| Credentials {
        user: current_user(
            r.id,
            r.login,
            r.display_name,
            (r.role, r.extra_roles),
            &r.locale,
        ),
        password_hash: r.password_hash,
    }))
}

pub async fn find_active(pool: &PgPool, id: i64) -> Result<Option<CurrentUser>, AppError> {
    let row = sqlx::query!(
        r#"SELECT id, login, display_name, role AS "role: Role", extra_roles, locale
           FROM users WHERE id = $1 AND active"#,
        id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| {
        current_user(
            r.id,
            r.login,
            r.display_name,
            (r.role, r.extra_roles),
            &r.locale,
        )
    }))
}

pub async fn record_sign_in(pool: &PgPool, id: i64) -> Result<(), AppError> {
    sqlx::query!("UPDATE users SET last_sign_in_at = now() WHERE id = $1", id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn set_locale(pool: &PgPool, id: i64, locale: Locale) -> Result<(), AppError> {
    sqlx::query!(
        "UPDATE users SET locale = $2 WHERE id = $1",
        id,
        locale.code()
    )
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn create(pool: &PgPool, user: NewUser<'_>) -> Result<i64, AppError> {
    let id = sqlx::query_scalar!(
        "INSERT INTO users (login, display_name, role, password_hash)
         VALUES (lower($1), $2, $3, $4) RETURNING id",
        user.login,
        user.display_name,
        user.role as Role,
        user.password_hash,
    )
    .fetch_one(pool)
    .await?;
    Ok(id)
}

pub async fn count(pool: &PgPool) -> Result<i64, AppError> {
    let count = sqlx::query_scalar!(r#"SELECT count(*) AS "count!" FROM users"#)
        .fetch_one(pool)
        .await?;
    Ok(count)
}
