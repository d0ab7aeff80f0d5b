//! Knowledge sessions in the database, with the consultations on their topics counted around
//! them.

use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;

use super::{
    Effect, HotConsultations, KnowledgeSession, SessionArticle, SessionPlan, SessionResults,
    EFFECT_DAYS,
};
use crate::auth::CurrentUser;
use crate::error::{AppError, Problem};

/// How many sessions the page lists: a year of weekly sessions.
const LISTED: i64 = 60;
/// How many hot subcategories and articles prompt the schedule form.
const HOT: i64 = 10;

fn first_problem(problems: Vec<crate::incidents::FieldError>) -> Result<(), AppError> {
    match problems.first() {
        Some(error) => Err(AppError::invalid(error.field, error.problem)),
        None => Ok(()),
    }
}

/// Schedules a session or changes its plan; answers its id.
pub async fn save(pool: &PgPool, user: &CurrentUser, plan: &SessionPlan) -> Result<i64, AppError> {
    first_problem(plan.problems())?;
    let starts_at = plan
        .starts()
        .ok_or(AppError::invalid("starts_at", Problem::Format))?;
    let minutes = |text: &str, field: &str| {
        SessionPlan::minutes(text)
            .map(|m| m as i16)
            .map_err(|problem| AppError::invalid(field, problem))
    };
    let (talk, quiz, qa) = (
        minutes(&plan.talk_minutes, "talk_minutes")?,
        minutes(&plan.quiz_minutes, "quiz_minutes")?,
        minutes(&plan.qa_minutes, "qa_minutes")?,
    );
    let slugs = plan.article_list();
    let mut tx = pool.begin().await?;
    let articles = sqlx::query_scalar!(
        r#"SELECT id FROM help_articles
           WHERE slug = ANY($1) AND live_version IS NOT NULL AND state <> 'archived'"#,
        &slugs
    )
    .fetch_all(&mut *tx)
    .await?;
    if articles.len() != slugs.len() {
        return Err(AppError::invalid("articles", Problem::UnknownChoice));
    }
    let id = match plan.id {
        None => {
            sqlx::query_scalar!(
                "INSERT INTO knowledge_sessions (starts_at, talk_minutes, quiz_minutes, qa_minutes,
                                                 topic, subcategories, created_by, updated_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
                starts_at as _,
                talk,
                quiz,
                qa,
                plan.topic.trim(),
                &plan.subcategory_list(),
                user.id,
            )
            .fetch_one(&mut *tx)
            .await?
        }
        Some(id) => sqlx::query_scalar!(
            "UPDATE knowledge_sessions SET starts_at = $2, talk_minutes = $3, quiz_minutes = $4,
                    qa_minutes = $5, topic = $6, subcategories = $7, updated_by = $8,
                    updated_at = now()
             WHERE id = $1 RETURNING id",
            id,
            starts_at as _,
            talk,
            quiz,
            qa,
            plan.topic.trim(),
            &plan.subcategory_list(),
            user.id,
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?,
    };
    sqlx::query!(
        "DELETE FROM knowledge_session_articles WHERE session_id = $1",
        id
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO knowledge_session_articles (session_id, article_id)
         SELECT $1, unnest($2::BIGINT[])",
        id,
        &articles
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Records what a session drew: its replay, audience and quiz.
pub async fn record_results(
    pool: &PgPool,
    user: &CurrentUser,
    results: &SessionResults,
) -> Result<(), AppError> {
    first_problem(results.problems())?;
    let invalid = |field: &'static str| move |problem| AppError::invalid(field, problem);
    let count = |value: Option<u32>| value.map(|v| i32::try_from(v).unwrap_or(i32::MAX));
    let bands = results
        .bands()
        .map_err(invalid("score_bands"))?
        .map(|bands| bands.map(|b| i32::try_from(b).unwrap_or(i32::MAX)).to_vec());
    let url = Some(results.replay_url.trim()).filter(|u| !u.is_empty());
    let updated = sqlx::query!(
        "UPDATE knowledge_sessions SET replay_url = $2, live_audience = $3, total_viewers = $4,
                quiz_questions = $5, score_bands = $6, updated_by = $7, updated_at = now()
         WHERE id = $1",
        results.id,
        url,
        count(results.live().map_err(invalid("live_audience"))?),
        count(results.total().map_err(invalid("total_viewers"))?),
        &results.questions(),
        bands as Option<Vec<i32>>,
        user.id,
    )
    .execute(pool)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The sessions starting in `[from, until)` (all when `None`), latest first, each with its
/// articles and its effect.
pub async fn list(
    pool: &PgPool,
    between: Option<(DateTime<Utc>, DateTime<Utc>)>,
) -> Result<Vec<KnowledgeSession>, AppError> {
    let (from, until) = between.unzip();
    let rows = sqlx::query!(
        r#"SELECT s.id, s.starts_at AS "starts_at: DateTime<Utc>", s.talk_minutes,
                  s.quiz_minutes, s.qa_minutes, s.topic, s.subcategories, s.replay_url,
                  s.live_audience, s.total_viewers, s.quiz_questions, s.score_bands
           FROM knowledge_sessions s
           WHERE ($1::timestamptz IS NULL OR s.starts_at >= $1)
             AND ($2::timestamptz IS NULL OR s.starts_at < $2)
           ORDER BY s.starts_at DESC, s.id DESC
           LIMIT $3"#,
        from as _,
        until as _,
        LISTED,
    )
    .fetch_all(pool)
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let articles = sqlx::query!(
        r#"SELECT l.session_id, a.slug, v.title
           FROM knowledge_session_articles l
           JOIN help_articles a ON a.id = l.article_id
           JOIN help_article_versions v ON v.article_id = a.id AND v.version = a.live_version
           WHERE l.session_id = ANY($1)
           ORDER BY a.slug"#,
        &ids
    )
    .fetch_all(pool)
    .await?;
    let effects = effects(pool, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| KnowledgeSession {
            id: r.id,
            starts_at: r.starts_at,
            talk_minutes: i32::from(r.talk_minutes),
            quiz_minutes: i32::from(r.quiz_minutes),
            qa_minutes: i32::from(r.qa_minutes),
            topic: r.topic,
            subcategories: r.subcategories,
            articles: articles
                .iter()
                .filter(|a| a.session_id == r.id)
                .map(|a| SessionArticle {
                    slug: a.slug.clone(),
                    title: a.title.clone(),
                })
                .collect(),
            replay_url: r.replay_url,
            live_audience: r.live_audience,
            total_viewers: r.total_viewers,
            quiz_questions: r.quiz_questions,
            score_bands: r.score_bands,
            effect: effects
                .iter()
                .find(|(id, _)| *id == r.id)
                .map(|(_, effect)| *effect)
                .unwrap_or_default(),
        })
        .collect())
}

/// Consultations on each session's topics: reported in the [`EFFECT_DAYS`] before it starts
/// and in as many days from its start, counted once however many topics they match.
async fn effects(pool: &PgPool, ids: &[i64]) -> Result<Vec<(i64, Effect)>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT s.id,
                  count(*) FILTER (WHERE i.created_at < s.starts_at) AS "before!",
                  count(*) FILTER (WHERE i.created_at >= s.starts_at) AS "after!"
           FROM knowledge_sessions s
           JOIN incidents i ON i.category = 'consultation'
                AND i.created_at >= s.starts_at - make_interval(days => $2)
                AND i.created_at < s.starts_at + make_interval(days => $2)
                AND (i.subcategory = ANY(s.subcategories)
                     OR EXISTS (SELECT 1 FROM help_article_incidents l
                                JOIN knowledge_session_articles k ON k.article_id = l.article_id
                                WHERE k.session_id = s.id AND l.incident_id = i.id))
           WHERE s.id = ANY($1)
           GROUP BY s.id"#,
        ids,
        EFFECT_DAYS as i32,
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.id,
                Effect {
                    before: r.before,
                    after: r.after,
                },
            )
        })
        .collect())
}

/// Consultations of the last four weeks by subcategory and by linked live article.
pub async fn hot(pool: &PgPool) -> Result<HotConsultations, AppError> {
    let since = Utc::now() - Duration::days(EFFECT_DAYS);
    let subcategories = sqlx::query!(
        r#"SELECT subcategory AS "subcategory!", count(*) AS "count!" FROM incidents
           WHERE category = 'consultation' AND created_at >= $1 AND subcategory IS NOT NULL
           GROUP BY subcategory ORDER BY 2 DESC, 1 LIMIT $2"#,
        since as _,
        HOT,
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.subcategory, r.count))
    .collect();
    let articles = sqlx::query!(
        r#"SELECT a.slug, v.title, count(DISTINCT i.id) AS "count!"
           FROM help_article_incidents l
           JOIN incidents i ON i.id = l.incident_id
           JOIN help_articles a ON a.id = l.article_id AND a.state <> 'archived'
           JOIN help_article_versions v ON v.article_id = a.id AND v.version = a.live_version
           WHERE i.category = 'consultation' AND i.created_at >= $1
           GROUP BY a.slug, v.title ORDER BY 3 DESC, 1 LIMIT $2"#,
        since as _,
        HOT,
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| {
        (
            SessionArticle {
                slug: r.slug,
                title: r.title,
            },
            r.count,
        )
    })
    .collect();
    Ok(HotConsultations {
        subcategories,
        articles,
    })
}
