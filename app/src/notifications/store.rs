//! Notification settings and the delivery log in PostgreSQL. Robot keys, the application
//! secret and its access token are sealed under the identity keys; pages see only a hint.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::outbox::DUE_CHANNEL;
use super::{
    AppCredentials, Audience, Delivery, DeliveryState, Kind, KindSwitch, LogFilter,
    NewAppCredentials, NewRobot, NotificationSettings, Robot, StaffContact, MAX_ROBOT_NAME,
};
use crate::checks::required_within;
use crate::error::{AppError, Problem};
use crate::incidents::sealed::{keyring, Column, Keyring};

/// The last four characters of a secret: enough to tell two apart, never enough to use.
fn hint(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let tail: String = chars[chars.len().saturating_sub(4)..].iter().collect();
    format!("…{tail}")
}

/// The key of a robot: as given, or taken from the whole webhook URL pasted from WeCom.
pub fn robot_key(input: &str) -> Result<String, AppError> {
    let input = input.trim();
    let key = match input.split_once("key=") {
        Some((_, rest)) => rest.split('&').next().unwrap_or_default(),
        None => input,
    };
    let fits = (8..=64).contains(&key.len())
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if key.is_empty() {
        Err(AppError::invalid("key", Problem::Required))
    } else if fits {
        Ok(key.to_owned())
    } else {
        Err(AppError::invalid("key", Problem::Format))
    }
}

pub async fn settings(pool: &PgPool) -> Result<NotificationSettings, AppError> {
    let robots = sqlx::query!(
        r#"SELECT r.id, r.name, r.audience AS "audience: Audience", s.code AS "system?", r.key_hint,
                  r.paused_until AS "paused_until: DateTime<Utc>"
           FROM wecom_robots r LEFT JOIN systems s ON s.id = r.system_id
           WHERE r.active ORDER BY r.audience, s.sort_order NULLS FIRST, r.id"#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| Robot {
        id: r.id,
        name: r.name,
        audience: r.audience,
        system: r.system,
        key_hint: r.key_hint,
        paused_until: r.paused_until,
    })
    .collect();
    let app = sqlx::query!("SELECT corp_id, agent_id, secret_hint FROM wecom_app")
        .fetch_optional(pool)
        .await?
        .map(|r| AppCredentials {
            corp_id: r.corp_id,
            agent_id: r.agent_id,
            secret_hint: r.secret_hint,
        });
    let kinds = sqlx::query!(r#"SELECT kind AS "kind: Kind", enabled FROM notification_kinds"#)
        .fetch_all(pool)
        .await?;
    let kinds = Kind::ROUTED
        .into_iter()
        .map(|kind| KindSwitch {
            kind,
            enabled: kinds.iter().any(|k| k.kind == kind && k.enabled),
        })
        .collect();
    let contacts = sqlx::query_as!(
        StaffContact,
        r#"SELECT id AS user_id, login, display_name, wecom_userid, work_mobile
           FROM users WHERE active ORDER BY role <> 'reporter', login"#
    )
    .fetch_all(pool)
    .await?;
    Ok(NotificationSettings {
        robots,
        app,
        kinds,
        contacts,
    })
}

pub async fn add_robot(pool: &PgPool, robot: &NewRobot) -> Result<i16, AppError> {
    let name = robot.name.trim();
    required_within(name, MAX_ROBOT_NAME).map_err(|p| AppError::invalid("name", p))?;
    let key = robot_key(&robot.key)?;
    let system = robot.system.as_deref().filter(|s| !s.is_empty());
    if system.is_some() && robot.audience != Audience::Handlers {
        return Err(AppError::invalid("system", Problem::UnknownChoice));
    }
    let mut tx = pool.begin().await?;
    let system_id = match system {
        None => None,
        Some(code) => Some(
            sqlx::query_scalar!("SELECT id FROM systems WHERE code = $1 AND active", code)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| AppError::invalid("system", Problem::UnknownChoice))?,
        ),
    };
    let taken = sqlx::query!(
        "SELECT name = $1 AS same_name FROM wecom_robots
         WHERE active AND (name = $1 OR (audience = $2 AND system_id IS NOT DISTINCT FROM $3))",
        name,
        robot.audience as Audience,
        system_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(taken) = taken {
        let field = if taken.same_name == Some(true) {
            "name"
        } else {
            "system"
        };
        return Err(AppError::invalid(field, Problem::Duplicate));
    }
    let keys = keyring()?;
    let id = sqlx::query_scalar!(
        "INSERT INTO wecom_robots (name, audience, system_id, key_id, key_sealed, key_hint)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        name,
        robot.audience as Audience,
        system_id,
        keys.current_id(),
        keys.seal(Column::RobotKey, &key)?,
        hint(&key)
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Retires a robot; its messages not yet sent are given up (and listed).
pub async fn remove_robot(pool: &PgPool, id: i16) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let removed = sqlx::query!(
        "UPDATE wecom_robots SET active = FALSE WHERE id = $1 AND active",
        id
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if removed == 0 {
        return Err(AppError::NotFound);
    }
    sqlx::query!(
        "UPDATE notifications SET state = 'dead', last_error = 'robot removed'
         WHERE robot_id = $1 AND state = 'pending'",
        id
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A robot's key, for sending; none when the robot was removed.
pub async fn key_of(conn: &mut PgConnection, id: i16) -> Result<Option<String>, AppError> {
    let row = sqlx::query!(
        "SELECT key_id, key_sealed FROM wecom_robots WHERE id = $1 AND active",
        id
    )
    .fetch_optional(conn)
    .await?;
    row.map(|r| keyring()?.open(Column::RobotKey, &r.key_id, &r.key_sealed))
        .transpose()
}

pub async fn set_app(pool: &PgPool, new: &NewAppCredentials) -> Result<(), AppError> {
    let corp_id = new.corp_id.trim();
    let valid_corp = (1..=64).contains(&corp_id.len())
        && corp_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if corp_id.is_empty() {
        return Err(AppError::invalid("corp_id", Problem::Required));
    }
    if !valid_corp {
        return Err(AppError::invalid("corp_id", Problem::Format));
    }
    let agent_id: i64 = new
        .agent_id
        .trim()
        .parse()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| AppError::invalid("agent_id", Problem::Format))?;
    let secret = new.secret.trim();
    crate::checks::within(secret, 128).map_err(|p| AppError::invalid("secret", p))?;
    let keys = keyring()?;
    let mut tx = pool.begin().await?;
    let exists = sqlx::query_scalar!("SELECT EXISTS (SELECT 1 FROM wecom_app) AS \"exists!\"")
        .fetch_one(&mut *tx)
        .await?;
    if secret.is_empty() && !exists {
        return Err(AppError::invalid("secret", Problem::Required));
    }
    if secret.is_empty() {
        sqlx::query!(
            "UPDATE wecom_app SET corp_id = $1, agent_id = $2, token_key_id = NULL,
                    token_sealed = NULL, token_expires_at = NULL, updated_at = now()",
            corp_id,
            agent_id
        )
        .execute(&mut *tx)
        .await?;
    } else {
        sqlx::query!(
            "INSERT INTO wecom_app (corp_id, agent_id, key_id, secret_sealed, secret_hint)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (singleton) DO UPDATE SET corp_id = $1, agent_id = $2, key_id = $3,
                 secret_sealed = $4, secret_hint = $5, token_key_id = NULL, token_sealed = NULL,
                 token_expires_at = NULL, updated_at = now()",
            corp_id,
            agent_id,
            keys.current_id(),
            keys.seal(Column::AppSecret, secret)?,
            hint(secret)
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn remove_app(pool: &PgPool) -> Result<(), AppError> {
    sqlx::query!("DELETE FROM wecom_app").execute(pool).await?;
    Ok(())
}

pub async fn set_kind(pool: &PgPool, kind: Kind, enabled: bool) -> Result<(), AppError> {
    let changed = sqlx::query!(
        "UPDATE notification_kinds SET enabled = $2 WHERE kind = $1",
        kind as Kind,
        enabled
    )
    .execute(pool)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(AppError::invalid("kind", Problem::UnknownChoice));
    }
    Ok(())
}

pub async fn set_contact(
    pool: &PgPool,
    user_id: i64,
    wecom_userid: &str,
    work_mobile: &str,
) -> Result<(), AppError> {
    let userid = Some(wecom_userid.trim()).filter(|v| !v.is_empty());
    let mobile = Some(work_mobile.trim()).filter(|v| !v.is_empty());
    let userid_fits = |v: &str| {
        v.len() <= 64
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'@' | b'-'))
    };
    if userid.is_some_and(|v| !userid_fits(v)) {
        return Err(AppError::invalid("wecom_userid", Problem::Format));
    }
    if let Some(mobile) = mobile {
        crate::incidents::check_mobile(mobile).map_err(|p| AppError::invalid("work_mobile", p))?;
    }
    let changed = sqlx::query!(
        "UPDATE users SET wecom_userid = $2, work_mobile = $3 WHERE id = $1 AND active",
        user_id,
        userid,
        mobile
    )
    .execute(pool)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The delivery log, newest first, from before row `before`.
pub async fn log(
    pool: &PgPool,
    filter: &LogFilter,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Delivery>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT n.id, n.kind AS "kind: Kind", i.number AS "number?", r.name AS "robot?",
                  u.display_name AS "person?", n.state AS "state: DeliveryState", n.attempts,
                  n.last_error, n.created_at AS "created_at: DateTime<Utc>",
                  n.sent_at AS "sent_at: DateTime<Utc>", n.due_at AS "due_at: DateTime<Utc>"
           FROM notifications n
           LEFT JOIN incidents i ON i.id = n.incident_id
           LEFT JOIN wecom_robots r ON r.id = n.robot_id
           LEFT JOIN users u ON u.id = n.to_user_id
           WHERE ($1::TEXT IS NULL OR n.state = $1)
             AND ($2::TEXT IS NULL OR n.kind = $2)
             AND ($3::SMALLINT IS NULL OR n.robot_id = $3)
             AND ($4::BIGINT IS NULL OR n.id < $4)
           ORDER BY n.id DESC LIMIT $5"#,
        filter.state as Option<DeliveryState>,
        filter.kind as Option<Kind>,
        filter.robot_id,
        before,
        limit
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Delivery {
            id: r.id,
            kind: r.kind,
            incident_number: r.number,
            recipient: match (r.robot, r.person) {
                (Some(robot), Some(person)) => format!("{robot} @{person}"),
                (Some(robot), None) => robot,
                (None, Some(person)) => person,
                (None, None) => String::new(),
            },
            state: r.state,
            attempts: r.attempts,
            last_error: r.last_error,
            created_at: r.created_at,
            sent_at: r.sent_at,
            due_at: r.due_at,
        })
        .collect())
}

/// Sends a dead message again, from its first attempt.
pub async fn resend(pool: &PgPool, id: i64) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let changed = sqlx::query!(
        "UPDATE notifications SET state = 'pending', attempts = 0, due_at = now(), last_error = NULL
         WHERE id = $1 AND state = 'dead'",
        id
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    sqlx::query!("SELECT pg_notify($1, '')", DUE_CHANNEL)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The kinds `user_id` muted.
pub async fn mutes(pool: &PgPool, user_id: i64) -> Result<Vec<Kind>, AppError> {
    let kinds = sqlx::query_scalar!(
        r#"SELECT kind AS "kind: Kind" FROM notification_mutes WHERE user_id = $1"#,
        user_id
    )
    .fetch_all(pool)
    .await?;
    Ok(kinds)
}

pub async fn set_mute(
    pool: &PgPool,
    user_id: i64,
    kind: Kind,
    muted: bool,
) -> Result<(), AppError> {
    if muted {
        sqlx::query!(
            "INSERT INTO notification_mutes (user_id, kind) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            user_id,
            kind as Kind
        )
        .execute(pool)
        .await?;
    } else {
        sqlx::query!(
            "DELETE FROM notification_mutes WHERE user_id = $1 AND kind = $2",
            user_id,
            kind as Kind
        )
        .execute(pool)
        .await?;
    }
    Ok(())
}

/// Re-seals robot keys and the application's secret sealed under a key that is no longer
/// current, at start-up after a key rotation.
pub async fn reseal_secrets(pool: &PgPool, keys: &Keyring) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let robots = sqlx::query!(
        "SELECT id, key_id, key_sealed FROM wecom_robots WHERE key_id <> $1 FOR UPDATE",
        keys.current_id()
    )
    .fetch_all(&mut *tx)
    .await?;
    for robot in robots {
        let key = keys.open(Column::RobotKey, &robot.key_id, &robot.key_sealed)?;
        sqlx::query!(
            "UPDATE wecom_robots SET key_id = $2, key_sealed = $3 WHERE id = $1",
            robot.id,
            keys.current_id(),
            keys.seal(Column::RobotKey, &key)?
        )
        .execute(&mut *tx)
        .await?;
    }
    let app = sqlx::query!(
        "SELECT key_id, secret_sealed FROM wecom_app WHERE key_id <> $1 FOR UPDATE",
        keys.current_id()
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(app) = app {
        let secret = keys.open(Column::AppSecret, &app.key_id, &app.secret_sealed)?;
        sqlx::query!(
            "UPDATE wecom_app SET key_id = $1, secret_sealed = $2, token_key_id = NULL,
                    token_sealed = NULL, token_expires_at = NULL",
            keys.current_id(),
            keys.seal(Column::AppSecret, &secret)?
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
