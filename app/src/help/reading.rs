//! The help center as readers see it: live versions of articles that are not archived, never a
//! working copy.

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use super::search::{highlight, parse, snippet, Query};
use super::{
    ArticleLink, Heading, HomeData, ListOrder, PublicArticle, SearchHit, SearchResults,
    SystemListing, SystemShelf, PAGE_SIZE,
};
use crate::error::AppError;
use crate::reference::Named;

/// Hot questions: views, plus incidents linked over the last 14 days (each worth many views),
/// pinned articles first.
const HOT_LIMIT: i64 = 8;

/// Systems with their modules and live-article counts, counted once from the narrow entries.
async fn shelves(pool: &PgPool, only: Option<&str>) -> Result<Vec<SystemShelf>, AppError> {
    let rows = sqlx::query!(
        r#"WITH counts AS (
               SELECT system_id, module_id, GROUPING(module_id) = 1 AS whole, count(*) AS n
               FROM help_search_entries
               WHERE $1::text IS NULL OR system_id = (SELECT id FROM systems WHERE code = $1)
               GROUP BY GROUPING SETS ((system_id, module_id), (system_id))
           )
           SELECT s.code AS system_code, s.name_zh AS system_zh, s.name_en AS system_en,
                  m.code AS "module_code?", m.name_zh AS "module_zh?", m.name_en AS "module_en?",
                  COALESCE((SELECT c.n FROM counts c WHERE c.system_id = s.id AND c.whole), 0)
                      AS "system_articles!",
                  COALESCE((SELECT c.n FROM counts c
                            WHERE c.system_id = s.id AND NOT c.whole AND c.module_id = m.id), 0)
                      AS "module_articles!"
           FROM systems s
           LEFT JOIN system_modules m ON m.system_id = s.id AND m.active
           WHERE s.active AND ($1::text IS NULL OR s.code = $1)
           ORDER BY s.sort_order, s.id, m.sort_order, m.id"#,
        only
    )
    .fetch_all(pool)
    .await?;
    let mut shelves: Vec<SystemShelf> = Vec::new();
    for row in rows {
        if shelves
            .last()
            .is_none_or(|s| s.system.code != row.system_code)
        {
            shelves.push(SystemShelf {
                system: Named {
                    code: row.system_code,
                    name_zh: row.system_zh,
                    name_en: row.system_en,
                },
                articles: row.system_articles,
                modules: Vec::new(),
            });
        }
        if let (Some(code), Some(name_zh), Some(name_en), Some(shelf)) = (
            row.module_code,
            row.module_zh,
            row.module_en,
            shelves.last_mut(),
        ) {
            shelf.modules.push((
                Named {
                    code,
                    name_zh,
                    name_en,
                },
                row.module_articles,
            ));
        }
    }
    Ok(shelves)
}

/// Only pinned articles, the most read, and those linked recently can rank: any other article
/// scores its views alone, below the most read.
pub async fn hot(pool: &PgPool, limit: i64) -> Result<Vec<ArticleLink>, AppError> {
    let links = sqlx::query_as!(
        ArticleLink,
        r#"SELECT a.slug, v.title, v.published_at AS "updated_at: DateTime<Utc>"
           FROM (
               (SELECT article_id FROM help_search_entries
                ORDER BY views DESC, article_id DESC LIMIT $1)
               UNION SELECT id FROM help_articles WHERE pinned
               UNION SELECT article_id FROM help_article_incidents
                     WHERE linked_at > now() - interval '14 days'
           ) candidates (article_id)
           JOIN help_articles a ON a.id = candidates.article_id
           JOIN help_article_versions v ON v.article_id = a.id AND v.version = a.live_version
           LEFT JOIN LATERAL (
               SELECT count(*) AS n FROM help_article_incidents l
               WHERE l.article_id = a.id AND l.linked_at > now() - interval '14 days'
           ) recent ON TRUE
           WHERE a.state <> 'archived'
           ORDER BY a.pinned DESC, a.views + 20 * recent.n DESC, a.id DESC
           LIMIT $1"#,
        limit
    )
    .fetch_all(pool)
    .await?;
    Ok(links)
}

pub async fn home(pool: &PgPool) -> Result<HomeData, AppError> {
    let recent = sqlx::query_as!(
        ArticleLink,
        r#"SELECT a.slug, v.title, e.published_at AS "updated_at: DateTime<Utc>"
           FROM help_search_entries e
           JOIN help_articles a ON a.id = e.article_id
           JOIN help_article_versions v ON v.article_id = a.id AND v.version = a.live_version
           ORDER BY e.published_at DESC, e.article_id DESC
           LIMIT 8"#
    )
    .fetch_all(pool)
    .await?;
    Ok(HomeData {
        shelves: shelves(pool, None).await?,
        hot: hot(pool, HOT_LIMIT).await?,
        recent,
    })
}

/// One system's shelf and a page of its articles.
pub async fn system(
    pool: &PgPool,
    code: &str,
    module: Option<&str>,
    order: ListOrder,
    page: i64,
) -> Result<SystemListing, AppError> {
    let shelf = shelves(pool, Some(code))
        .await?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    let articles = sqlx::query_as!(
        ArticleLink,
        r#"SELECT a.slug, v.title, e.published_at AS "updated_at: DateTime<Utc>"
           FROM help_search_entries e
           JOIN systems s ON s.id = e.system_id
           LEFT JOIN system_modules m ON m.id = e.module_id
           JOIN help_articles a ON a.id = e.article_id
           JOIN help_article_versions v ON v.article_id = a.id AND v.version = a.live_version
           WHERE s.code = $1 AND ($2::text IS NULL OR m.code = $2)
           ORDER BY CASE WHEN $3 THEN e.views END DESC NULLS LAST, e.published_at DESC,
                    e.article_id DESC
           LIMIT $4 OFFSET $5"#,
        code,
        module,
        order == ListOrder::Hot,
        PAGE_SIZE,
        page.max(0) * PAGE_SIZE
    )
    .fetch_all(pool)
    .await?;
    let total = match module {
        None => shelf.articles,
        Some(module) => shelf
            .modules
            .iter()
            .find(|(named, _)| named.code == module)
            .map_or(0, |(_, count)| *count),
    };
    Ok(SystemListing {
        shelf,
        articles,
        total,
    })
}

pub async fn article(pool: &PgPool, slug: &str) -> Result<PublicArticle, AppError> {
    let row = sqlx::query!(
        r#"SELECT a.id, v.title, v.tags, v.body_html, v.headings, a.last_reviewed_at AS "last_reviewed_at: DateTime<Utc>",
                  s.code AS system_code, s.name_zh AS system_zh, s.name_en AS system_en,
                  m.code AS "module_code?", m.name_zh AS "module_zh?", m.name_en AS "module_en?"
           FROM help_articles a
           JOIN help_article_versions v ON v.article_id = a.id AND v.version = a.live_version
           JOIN systems s ON s.id = v.system_id
           LEFT JOIN system_modules m ON m.id = v.module_id
           WHERE a.slug = $1 AND a.state <> 'archived'"#,
        slug
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let headings: Vec<Heading> = serde_json::from_value(row.headings).unwrap_or_default();
    // Related: the articles sharing most title and tag words with this one, among the most
    // read that share any.
    let related = sqlx::query_as!(
        ArticleLink,
        r#"WITH candidates AS (
               SELECT e.article_id, e.search_words FROM help_search_entries e
               WHERE e.article_id <> $1 AND e.search_words @@ to_tsquery('simple', $2)
               ORDER BY e.views DESC, e.article_id DESC LIMIT 200)
           SELECT a.slug, v.title, v.published_at AS "updated_at: DateTime<Utc>"
           FROM candidates c
           JOIN help_articles a ON a.id = c.article_id
           JOIN help_article_versions v ON v.article_id = a.id AND v.version = a.live_version
           ORDER BY ts_rank('{0, 0, 0.5, 1}', c.search_words, to_tsquery('simple', $2)) DESC, a.id DESC
           LIMIT 5"#,
        row.id,
        related_query(&row.title, &row.tags)
    )
    .fetch_all(pool)
    .await?;
    Ok(PublicArticle {
        slug: slug.to_owned(),
        title: row.title,
        system: Named {
            code: row.system_code,
            name_zh: row.system_zh,
            name_en: row.system_en,
        },
        module: match (row.module_code, row.module_zh, row.module_en) {
            (Some(code), Some(name_zh), Some(name_en)) => Some(Named {
                code,
                name_zh,
                name_en,
            }),
            _ => None,
        },
        tags: row.tags,
        html: row.body_html,
        headings,
        last_reviewed_at: row.last_reviewed_at,
        related,
    })
}

fn related_query(title: &str, tags: &[String]) -> String {
    parse(&format!("{title} {}", tags.join(" ")), &[])
        .map_or_else(|| "''".to_owned(), |q| q.tsquery)
}

/// Counts a view (the caller decides it is the session's first of this article).
/// Records a reader's answer to "was this helpful?" against the live version.
pub async fn record_feedback(
    pool: &PgPool,
    slug: &str,
    helpful: bool,
    comment: &str,
) -> Result<(), AppError> {
    let recorded = sqlx::query!(
        "INSERT INTO help_feedback (article_id, version, helpful, comment)
         SELECT id, live_version, $2, $3 FROM help_articles
         WHERE slug = $1 AND live_version IS NOT NULL AND state <> 'archived'",
        slug,
        helpful,
        comment
    )
    .execute(pool)
    .await?;
    if recorded.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Live articles matching `query`, best first, with how many were ranked.
///
/// Only about 130 candidates are ranked, so a common word over a large knowledge base
/// costs what a rare one does: the most read articles whose title has every typed word, the
/// most read with any of the words in the title, the most read with any of them anywhere.
/// Deep pages of a very common word end there; readers refine long before.
async fn ranked(
    pool: &PgPool,
    query: &Query,
    system: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<Ranked>, AppError> {
    Ok(sqlx::query_as!(
        Ranked,
        r#"WITH candidates AS (
               (SELECT e.article_id FROM help_search_entries e
                WHERE e.title_words @@ to_tsquery('simple', $2)
                  AND ($3::text IS NULL OR e.system_id = (SELECT id FROM systems WHERE code = $3))
                ORDER BY e.views DESC, e.article_id DESC LIMIT 30)
               UNION
               (SELECT e.article_id FROM help_search_entries e
                WHERE e.title_words @@ to_tsquery('simple', $1)
                  AND ($3::text IS NULL OR e.system_id = (SELECT id FROM systems WHERE code = $3))
                ORDER BY e.views DESC, e.article_id DESC LIMIT 60)
               UNION
               (SELECT e.article_id FROM help_search_entries e
                WHERE e.search_words @@ to_tsquery('simple', $1)
                  AND ($3::text IS NULL OR e.system_id = (SELECT id FROM systems WHERE code = $3))
                ORDER BY e.views DESC, e.article_id DESC LIMIT 40)),
           scored AS (
               SELECT c.article_id, e.views,
                      ts_rank('{0.1, 0.2, 0.4, 1}', e.search_words, to_tsquery('simple', $1)) AS rank
               FROM candidates c
               CROSS JOIN LATERAL (SELECT views, search_words FROM help_search_entries
                                   WHERE article_id = c.article_id) e),
           page AS (
               SELECT article_id, views, rank, (SELECT count(*) FROM scored) AS total
               FROM scored ORDER BY rank DESC, views DESC, article_id DESC
               LIMIT $4 OFFSET $5)
           SELECT a.slug, v.title, v.body_text, s.code AS system_code, s.name_zh AS system_zh,
                  s.name_en AS system_en, v.published_at AS "published_at: DateTime<Utc>",
                  p.total AS "total!"
           FROM page p
           JOIN help_articles a ON a.id = p.article_id
           JOIN help_article_versions v ON v.article_id = a.id AND v.version = a.live_version
           JOIN systems s ON s.id = v.system_id
           ORDER BY p.rank DESC, p.views DESC, p.article_id DESC"#,
        query.tsquery,
        query.all_words,
        system,
        limit,
        offset
    )
    .fetch_all(pool)
    .await?)
}

struct Ranked {
    slug: String,
    title: String,
    body_text: String,
    system_code: String,
    system_zh: String,
    system_en: String,
    published_at: DateTime<Utc>,
    total: i64,
}

/// `raw` as a query, widened with the team's synonyms.
pub async fn parsed(pool: &PgPool, raw: &str) -> Result<Option<Query>, AppError> {
    let synonyms: Vec<Vec<String>> = super::store::synonyms(pool)
        .await?
        .into_iter()
        .map(|group| group.words)
        .collect();
    Ok(parse(raw, &synonyms))
}

/// A page of published articles matching `raw`, best first; a search that finds nothing is
/// recorded for the weekly meeting and answered with the hot questions.
pub async fn search(
    pool: &PgPool,
    raw: &str,
    system: Option<&str>,
    page: i64,
) -> Result<SearchResults, AppError> {
    let query = parsed(pool, raw).await?;
    let rows = match &query {
        None => Vec::new(),
        Some(query) => ranked(pool, query, system, PAGE_SIZE, page.max(0) * PAGE_SIZE).await?,
    };
    let total = rows.first().map_or(0, |row| row.total);
    let marks = query.map(|q| q.marks).unwrap_or_default();
    let hits = rows
        .into_iter()
        .map(|row| SearchHit {
            slug: row.slug,
            title: highlight(&row.title, &marks),
            system: Named {
                code: row.system_code,
                name_zh: row.system_zh,
                name_en: row.system_en,
            },
            snippet: snippet(&row.body_text, &marks, 90),
        })
        .collect::<Vec<_>>();
    let hot = if hits.is_empty() && page == 0 {
        sqlx::query!(
            "INSERT INTO help_search_misses (query, system_code) VALUES ($1, $2)",
            raw.trim(),
            system
        )
        .execute(pool)
        .await?;
        self::hot(pool, 5).await?
    } else {
        Vec::new()
    };
    Ok(SearchResults { hits, total, hot })
}

/// The few live articles that best match what a reporter is writing. Only the start of a long
/// description counts: it is where people say what the problem is.
pub async fn suggest(
    pool: &PgPool,
    text: &str,
    system: Option<&str>,
    limit: i64,
) -> Result<Vec<ArticleLink>, AppError> {
    const READ_CHARS: usize = 120;
    let start: String = text.chars().take(READ_CHARS).collect();
    let Some(query) = parsed(pool, &start).await? else {
        return Ok(Vec::new());
    };
    Ok(ranked(pool, &query, system, limit, 0)
        .await?
        .into_iter()
        .map(|row| ArticleLink {
            slug: row.slug,
            title: row.title,
            updated_at: row.published_at,
        })
        .collect())
}
