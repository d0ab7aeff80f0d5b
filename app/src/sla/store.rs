//! SLA targets, the business calendar, and the clock columns of `incidents`.
//!
//! Instants go into queries as microseconds since the epoch: with both time crates in the
//! build, sqlx would otherwise expect a different timestamp type per build.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::calendar::BusinessCalendar;
use super::clock::Clock;
use super::{
    BusinessHours, CalendarDay, DayKind, SlaConfig, SlaTarget, MAX_DAY_NAME_CHARS,
    MAX_TARGET_MINUTES,
};
use crate::auth::CurrentUser;
use crate::error::{AppError, Problem};
use crate::incidents::IncidentId;
use crate::incidents::{Category, Severity, Status};

fn micros(at: Option<DateTime<Utc>>) -> Option<i64> {
    at.map(|t| t.timestamp_micros())
}

pub async fn load_calendar(conn: &mut PgConnection) -> Result<BusinessCalendar, AppError> {
    let hours = sqlx::query!(
        r#"SELECT day_start AS "day_start: NaiveTime", day_end AS "day_end: NaiveTime", weekdays
           FROM business_hours"#
    )
    .fetch_one(&mut *conn)
    .await?;
    let days = sqlx::query!(
        r#"SELECT day AS "day: NaiveDate", kind AS "kind: DayKind" FROM calendar_days"#
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut weekdays = [false; 7];
    for day in hours.weekdays {
        if let Some(slot) = usize::try_from(day - 1)
            .ok()
            .and_then(|i| weekdays.get_mut(i))
        {
            *slot = true;
        }
    }
    Ok(BusinessCalendar {
        day_start: hours.day_start,
        day_end: hours.day_end,
        weekdays,
        exceptions: days
            .into_iter()
            .map(|d| (d.day, d.kind))
            .collect::<BTreeMap<_, _>>(),
    })
}

/// Brings an incident's SLA clock up to date after anything that may start, pause, stop or
/// retarget it. `retarget` takes the target for the incident's current classification.
pub async fn settle(
    conn: &mut PgConnection,
    incident_id: IncidentId,
    retarget: bool,
) -> Result<(), AppError> {
    let calendar = load_calendar(conn).await?;
    settle_on(conn, &calendar, incident_id, retarget).await
}

/// `settle` with the calendar already loaded, for callers that settle many incidents.
pub async fn settle_on(
    conn: &mut PgConnection,
    calendar: &BusinessCalendar,
    incident_id: IncidentId,
    retarget: bool,
) -> Result<(), AppError> {
    let row = sqlx::query!(
        r#"SELECT i.status AS "status: Status", i.sla_target_secs, i.sla_spent_secs,
                  i.sla_running_since AS "running_since: DateTime<Utc>",
                  i.sla_due_at AS "due_at: DateTime<Utc>",
                  i.sla_breached_at AS "breached_at: DateTime<Utc>",
                  now() AS "now!: DateTime<Utc>",
                  EXISTS (SELECT 1 FROM data_fix_scripts d
                          WHERE d.incident_id = i.id AND d.status = 'pending') AS "in_review!",
                  (SELECT t.resolve_minutes FROM sla_targets t
                   WHERE t.category = i.category AND t.severity = i.severity) AS target_minutes
           FROM incidents i WHERE i.id = $1"#,
        incident_id.0
    )
    .fetch_one(&mut *conn)
    .await?;
    let status = row.status;
    let mut clock = Clock {
        target_secs: row.sla_target_secs.map(i64::from),
        spent_secs: i64::from(row.sla_spent_secs),
        running_since: row.running_since,
        due_at: row.due_at,
        breached_at: row.breached_at,
    };
    if retarget || clock.target_secs.is_none() {
        if let Some(minutes) = row.target_minutes {
            clock.target_secs = Some(i64::from(minutes) * 60);
        }
    }
    let runs = status.is_open() && status != Status::Waiting && !row.in_review;
    clock.settle(calendar, runs, row.now);
    save_clock(conn, incident_id, &clock).await
}

async fn save_clock(
    conn: &mut PgConnection,
    incident_id: IncidentId,
    clock: &Clock,
) -> Result<(), AppError> {
    let target = clock.target_secs.and_then(|t| i32::try_from(t).ok());
    let spent = i32::try_from(clock.spent_secs).unwrap_or(i32::MAX);
    sqlx::query!(
        r#"UPDATE incidents SET
               sla_target_secs = $2,
               sla_spent_secs = $3,
               sla_running_since = TIMESTAMPTZ 'epoch' + $4::BIGINT * INTERVAL '1 microsecond',
               sla_due_at = TIMESTAMPTZ 'epoch' + $5::BIGINT * INTERVAL '1 microsecond',
               sla_breached_at = TIMESTAMPTZ 'epoch' + $6::BIGINT * INTERVAL '1 microsecond'
           WHERE id = $1"#,
        incident_id.0,
        target,
        spent,
        micros(clock.running_since),
        micros(clock.due_at),
        micros(clock.breached_at),
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Re-times every running clock after the calendar changed: time so far is banked, the due
/// time follows the new calendar.
async fn reschedule_running(conn: &mut PgConnection) -> Result<(), AppError> {
    let ids = sqlx::query_scalar!(
        r#"SELECT id AS "id: IncidentId" FROM incidents
           WHERE sla_running_since IS NOT NULL ORDER BY id FOR UPDATE"#
    )
    .fetch_all(&mut *conn)
    .await?;
    let calendar = load_calendar(conn).await?;
    for id in ids {
        settle_on(conn, &calendar, id, false).await?;
    }
    Ok(())
}

/// How long before its due time the assignee is warned.
pub const WARN_MINUTES: i32 = 30;

/// Marks clocks that ran past their due time since the last look and warns of breaches and of
/// clocks about to run out; answers the incidents breached.
pub async fn record_breaches(pool: &PgPool) -> Result<Vec<IncidentId>, AppError> {
    let mut tx = pool.begin().await?;
    let ids = sqlx::query_scalar!(
        r#"UPDATE incidents SET sla_breached_at = sla_due_at
         WHERE sla_due_at <= now() AND sla_breached_at IS NULL AND sla_running_since IS NOT NULL
         RETURNING id AS "id: IncidentId""#
    )
    .fetch_all(&mut *tx)
    .await?;
    for id in &ids {
        crate::incidents::store::journal::notify(&mut tx, *id).await?;
    }
    crate::notifications::outbox::sla_alerts(&mut tx, &ids, WARN_MINUTES).await?;
    tx.commit().await?;
    Ok(ids)
}

pub async fn settings(pool: &PgPool, editable: bool) -> Result<SlaConfig, AppError> {
    let targets = sqlx::query!(
        r#"SELECT category AS "category: Category", severity AS "severity: Severity", resolve_minutes
           FROM sla_targets ORDER BY severity, category"#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| SlaTarget {
        category: r.category,
        severity: r.severity,
        minutes: r.resolve_minutes,
    })
    .collect();
    let hours = sqlx::query!(
        r#"SELECT to_char(day_start, 'HH24:MI') AS "day_start!",
                  to_char(day_end, 'HH24:MI') AS "day_end!", weekdays
           FROM business_hours"#
    )
    .fetch_one(pool)
    .await?;
    let days = sqlx::query!(
        r#"SELECT to_char(day, 'YYYY-MM-DD') AS "date!", kind AS "kind: DayKind", name
           FROM calendar_days
           WHERE day >= current_date - 366 ORDER BY day"#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|d| CalendarDay {
        date: d.date,
        kind: d.kind,
        name: d.name,
    })
    .collect();
    Ok(SlaConfig {
        targets,
        hours: BusinessHours {
            day_start: hours.day_start,
            day_end: hours.day_end,
            weekdays: hours
                .weekdays
                .into_iter()
                .filter_map(|d| u8::try_from(d).ok())
                .collect(),
        },
        days,
        editable,
    })
}

/// New targets apply to incidents classified from now on; running clocks keep theirs.
pub async fn save_targets(
    pool: &PgPool,
    admin: &CurrentUser,
    targets: &[SlaTarget],
) -> Result<(), AppError> {
    let range = 1..=MAX_TARGET_MINUTES as i32;
    if targets.iter().any(|t| !range.contains(&t.minutes)) {
        return Err(AppError::invalid(
            "minutes",
            Problem::OutOfRange {
                min: 1,
                max: MAX_TARGET_MINUTES,
            },
        ));
    }
    let mut tx = pool.begin().await?;
    for target in targets {
        sqlx::query!(
            "INSERT INTO sla_targets (category, severity, resolve_minutes, updated_by)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (category, severity) DO UPDATE
             SET resolve_minutes = EXCLUDED.resolve_minutes, updated_by = EXCLUDED.updated_by,
                 updated_at = now()",
            target.category as Category,
            target.severity as Severity,
            target.minutes,
            admin.id
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

fn parse_time(field: &str, value: &str) -> Result<NaiveTime, AppError> {
    NaiveTime::parse_from_str(value.trim(), "%H:%M")
        .map_err(|_| AppError::invalid(field, Problem::Format))
}

pub async fn save_hours(
    pool: &PgPool,
    admin: &CurrentUser,
    hours: &BusinessHours,
) -> Result<(), AppError> {
    let start = parse_time("day_start", &hours.day_start)?;
    let end = parse_time("day_end", &hours.day_end)?;
    if end <= start {
        return Err(AppError::invalid("day_end", Problem::NotAfterStart));
    }
    let mut weekdays: Vec<i16> = hours.weekdays.iter().map(|&d| i16::from(d)).collect();
    weekdays.sort_unstable();
    weekdays.dedup();
    if weekdays.is_empty() {
        return Err(AppError::invalid("weekdays", Problem::Required));
    }
    if weekdays.iter().any(|d| !(1..=7).contains(d)) {
        return Err(AppError::invalid("weekdays", Problem::UnknownChoice));
    }
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "UPDATE business_hours SET day_start = $1::TEXT::TIME, day_end = $2::TEXT::TIME,
                weekdays = $3, updated_by = $4, updated_at = now()",
        start.format("%H:%M").to_string(),
        end.format("%H:%M").to_string(),
        &weekdays,
        admin.id
    )
    .execute(&mut *tx)
    .await?;
    reschedule_running(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Lists a holiday or an exchanged workday (replacing what that date said before).
pub async fn put_day(
    pool: &PgPool,
    admin: &CurrentUser,
    day: &CalendarDay,
) -> Result<(), AppError> {
    let date = NaiveDate::parse_from_str(day.date.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::invalid("date", Problem::Format))?;
    let name = day.name.trim();
    crate::checks::required_within(name, MAX_DAY_NAME_CHARS)
        .map_err(|problem| AppError::invalid("day_name", problem))?;
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "INSERT INTO calendar_days (day, kind, name, updated_by)
         VALUES ($1::TEXT::DATE, $2, $3, $4)
         ON CONFLICT (day) DO UPDATE
         SET kind = EXCLUDED.kind, name = EXCLUDED.name, updated_by = EXCLUDED.updated_by,
             updated_at = now()",
        date.format("%Y-%m-%d").to_string(),
        day.kind as DayKind,
        name,
        admin.id
    )
    .execute(&mut *tx)
    .await?;
    reschedule_running(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove_day(pool: &PgPool, admin: &CurrentUser, date: &str) -> Result<(), AppError> {
    let day = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::invalid("date", Problem::Format))?;
    let mut tx = pool.begin().await?;
    crate::settings_history::store::act_as(&mut tx, admin).await?;
    let removed = sqlx::query!(
        "DELETE FROM calendar_days WHERE day = $1::TEXT::DATE",
        day.format("%Y-%m-%d").to_string()
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if removed == 0 {
        return Err(AppError::NotFound);
    }
    reschedule_running(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}
