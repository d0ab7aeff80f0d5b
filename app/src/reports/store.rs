//! The report's figures, read from the incidents as they stand: counts by SQL, durations
//! measured in business time with the SLA calendar.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::PgPool;

use super::{
    HandoffSpread, HotArticle, HotTopic, ModuleCount, Period, PeriodCounts, Report, Spread,
    SystemCount, CATEGORY_SLOTS,
};
use crate::error::AppError;
use crate::incidents::{Category, Channel, TransferTarget};
use crate::reference::Named;
use crate::sla::calendar::BusinessCalendar;

/// How many subcategories and articles the hot lists show.
const HOT_LIMIT: i64 = 10;

pub async fn report(pool: &PgPool, period: Period) -> Result<Report, AppError> {
    let calendar = {
        let mut conn = pool.acquire().await?;
        crate::sla::store::load_calendar(&mut conn).await?
    };
    let previous = period.back(1);
    let (trend, systems, subcategories, articles) = tokio::try_join!(
        trend(pool, period),
        systems(pool, period),
        subcategories(pool, previous, period),
        articles(pool, previous, period),
    )?;
    let (durations, handoffs, reopened, sessions) = tokio::try_join!(
        durations(pool, period, &calendar),
        handoffs(pool, period, &calendar),
        reopened(pool, period),
        crate::sessions::store::list(pool, Some((period.start(), period.end()))),
    )?;
    let (ever_resolved, first_response, resolution) = durations;
    Ok(Report {
        period,
        trend,
        systems,
        subcategories,
        articles,
        ever_resolved,
        reopened,
        first_response,
        resolution,
        handoffs,
        sessions,
    })
}

/// Counts per period of the trend from the report's days (`report_days`, kept as incidents
/// change; see [`crate::rollups`]): `width_bucket` places each day between the periods' first
/// days.
async fn trend(pool: &PgPool, period: Period) -> Result<Vec<PeriodCounts>, AppError> {
    let periods = period.trend();
    let mut bounds: Vec<NaiveDate> = periods.iter().map(|p| p.first).collect();
    bounds.push(period.last + Duration::days(1));
    let rows = sqlx::query!(
        r#"SELECT width_bucket(c.day, $1::date[]) AS "bucket!",
                  c.category AS "category: Category", c.channel AS "channel!: Channel",
                  sum(c.n)::BIGINT AS "reported!",
                  COALESCE(sum(c.n) FILTER (WHERE c.done), 0)::BIGINT AS "resolved!",
                  COALESCE(sum(c.n) FILTER (WHERE c.timely), 0)::BIGINT AS "timely!"
           FROM (SELECT day, category, channel, done, timely, n FROM report_days
                 WHERE day >= $2 AND day <= $3
                 UNION ALL
                 SELECT day, category, channel, done, timely, n FROM report_day_changes
                 WHERE day >= $2 AND day <= $3) c
           GROUP BY 1, 2, 3"#,
        &bounds as _,
        periods[0].first as _,
        period.last as _,
    )
    .fetch_all(pool)
    .await?;
    let mut counts: Vec<PeriodCounts> = periods.into_iter().map(PeriodCounts::empty).collect();
    for row in rows {
        let Some(slot) = usize::try_from(row.bucket - 1)
            .ok()
            .and_then(|i| counts.get_mut(i))
        else {
            continue;
        };
        let category = CATEGORY_SLOTS
            .iter()
            .position(|c| *c == row.category)
            .unwrap_or(CATEGORY_SLOTS.len() - 1);
        slot.reported += row.reported;
        slot.categories[category] += row.reported;
        slot.channels[row.channel.index()] += row.reported;
        slot.resolved += row.resolved;
        slot.timely += row.timely;
    }
    Ok(counts)
}

async fn systems(pool: &PgPool, period: Period) -> Result<Vec<SystemCount>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT s.code, s.name_zh, s.name_en, m.id AS "module_id?",
                  m.code AS "module_code?", m.name_zh AS "module_zh?", m.name_en AS "module_en?",
                  count(*) AS "count!"
           FROM incidents i
           JOIN systems s ON s.id = i.system_id
           LEFT JOIN system_modules m ON m.id = i.module_id
           WHERE i.created_at >= $1 AND i.created_at < $2
           GROUP BY s.id, m.id
           ORDER BY s.sort_order, s.id, count(*) DESC, m.sort_order"#,
        period.start() as _,
        period.end() as _,
    )
    .fetch_all(pool)
    .await?;
    let mut systems: Vec<SystemCount> = Vec::new();
    for row in rows {
        let system = match systems.last_mut() {
            Some(last) if last.system.code == row.code => last,
            _ => {
                systems.push(SystemCount {
                    system: Named {
                        code: row.code,
                        name_zh: row.name_zh,
                        name_en: row.name_en,
                    },
                    count: 0,
                    modules: Vec::new(),
                });
                let Some(last) = systems.last_mut() else {
                    continue;
                };
                last
            }
        };
        system.count += row.count;
        if let (Some(id), Some(code), Some(name_zh), Some(name_en)) =
            (row.module_id, row.module_code, row.module_zh, row.module_en)
        {
            system.modules.push(ModuleCount {
                id,
                module: Named {
                    code,
                    name_zh,
                    name_en,
                },
                count: row.count,
            });
        }
    }
    systems.sort_by_key(|s| std::cmp::Reverse(s.count));
    Ok(systems)
}

async fn subcategories(
    pool: &PgPool,
    previous: Period,
    period: Period,
) -> Result<Vec<HotTopic>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT i.category AS "category: Category", i.subcategory AS "subcategory!",
                  count(*) FILTER (WHERE i.created_at >= $2) AS "count!",
                  count(*) FILTER (WHERE i.created_at < $2) AS "previous!"
           FROM incidents i
           WHERE i.created_at >= $1 AND i.created_at < $3 AND i.subcategory IS NOT NULL
           GROUP BY 1, 2
           HAVING count(*) FILTER (WHERE i.created_at >= $2) > 0
           ORDER BY 3 DESC, 2
           LIMIT $4"#,
        previous.start() as _,
        period.start() as _,
        period.end() as _,
        HOT_LIMIT,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| HotTopic {
            category: r.category,
            subcategory: r.subcategory,
            count: r.count,
            previous: r.previous,
        })
        .collect())
}

/// Live articles by the incidents of the period linked to them (written from one or
/// answering it).
async fn articles(
    pool: &PgPool,
    previous: Period,
    period: Period,
) -> Result<Vec<HotArticle>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT a.slug, v.title,
                  count(DISTINCT l.incident_id) FILTER (WHERE i.created_at >= $2) AS "count!",
                  count(DISTINCT l.incident_id) FILTER (WHERE i.created_at < $2) AS "previous!"
           FROM help_article_incidents l
           JOIN incidents i ON i.id = l.incident_id
           JOIN help_articles a ON a.id = l.article_id AND a.state <> 'archived'
           JOIN help_article_versions v ON v.article_id = a.id AND v.version = a.live_version
           WHERE i.created_at >= $1 AND i.created_at < $3
           GROUP BY a.id, v.title
           HAVING count(DISTINCT l.incident_id) FILTER (WHERE i.created_at >= $2) > 0
           ORDER BY 3 DESC, a.slug
           LIMIT $4"#,
        previous.start() as _,
        period.start() as _,
        period.end() as _,
        HOT_LIMIT,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| HotArticle {
            slug: r.slug,
            title: r.title,
            count: r.count,
            previous: r.previous,
        })
        .collect())
}

/// Incidents resolved at least once; business time to the first response and, for those
/// resolved or closed now, to their (last) resolution.
async fn durations(
    pool: &PgPool,
    period: Period,
    calendar: &BusinessCalendar,
) -> Result<(i64, Spread, Spread), AppError> {
    let rows = sqlx::query!(
        r#"SELECT i.created_at AS "created_at: DateTime<Utc>",
                  i.first_response_at AS "first_response_at: DateTime<Utc>",
                  i.resolved_at AS "resolved_at: DateTime<Utc>",
                  i.status IN ('resolved', 'closed') AS "done!"
           FROM incidents i
           WHERE i.created_at >= $1 AND i.created_at < $2
             AND (i.first_response_at IS NOT NULL OR i.resolved_at IS NOT NULL)"#,
        period.start() as _,
        period.end() as _,
    )
    .fetch_all(pool)
    .await?;
    let ever_resolved = rows.iter().filter(|r| r.resolved_at.is_some()).count() as i64;
    let first_response = rows
        .iter()
        .filter_map(|r| Some(calendar.seconds_between(r.created_at, r.first_response_at?)))
        .collect();
    let resolution = rows
        .iter()
        .filter(|r| r.done)
        .filter_map(|r| Some(calendar.seconds_between(r.created_at, r.resolved_at?)))
        .collect();
    Ok((
        ever_resolved,
        Spread::of(first_response),
        Spread::of(resolution),
    ))
}

/// Business time with each hand-off target, over the hand-offs of the period's incidents.
async fn handoffs(
    pool: &PgPool,
    period: Period,
    calendar: &BusinessCalendar,
) -> Result<Vec<HandoffSpread>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT h.target AS "target: TransferTarget",
                  h.started_at AS "started_at: DateTime<Utc>",
                  h.ended_at AS "ended_at: DateTime<Utc>"
           FROM incident_handoffs h
           JOIN incidents i ON i.id = h.incident_id
           WHERE i.created_at >= $1 AND i.created_at < $2"#,
        period.start() as _,
        period.end() as _,
    )
    .fetch_all(pool)
    .await?;
    Ok(TransferTarget::ALL
        .into_iter()
        .map(|target| {
            let of_target = rows.iter().filter(|r| r.target == target);
            HandoffSpread {
                target,
                ended: Spread::of(
                    of_target
                        .clone()
                        .filter_map(|r| Some(calendar.seconds_between(r.started_at, r.ended_at?)))
                        .collect(),
                ),
                open: of_target.filter(|r| r.ended_at.is_none()).count() as i64,
            }
        })
        .collect())
}

async fn reopened(pool: &PgPool, period: Period) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM incidents i
           WHERE i.created_at >= $1 AND i.created_at < $2
             AND EXISTS (SELECT 1 FROM incident_events e
                         WHERE e.incident_id = i.id AND e.kind = 'reopened')"#,
        period.start() as _,
        period.end() as _,
    )
    .fetch_one(pool)
    .await?)
}
