//! The knowledge base as the team writes it: working copies, review, publication, versions.

use chrono::{DateTime, Utc};
use sqlx::{PgPool, Postgres, Transaction};

use super::cache::announce_change;
use super::markdown::render;
use super::search::index_words;
use super::{
    ArticleDraft, ArticleInput, ArticleListItem, ArticleState, Change, DiffLine, SynonymGroup,
    VersionInfo, MAX_BODY_CHARS, MAX_SLUG_CHARS, MAX_SYNONYMS, MAX_SYNONYM_CHARS, MAX_TAGS,
    MAX_TAG_CHARS, MAX_TITLE_CHARS,
};
use crate::auth::CurrentUser;
use crate::checks::{required_within, within};
use crate::error::{AppError, Problem};
use crate::incidents::{DocType, IncidentNumber, Status};
use crate::notifications::outbox::Scrubber;
use crate::reference::Named;

fn invalid(field: &str) -> impl Fn(Problem) -> AppError + '_ {
    move |problem| AppError::invalid(field, problem)
}

/// The input trimmed and checked, or the first field that is wrong.
fn checked(input: &ArticleInput) -> Result<ArticleInput, AppError> {
    let slug = input.slug.trim().to_lowercase();
    within(&slug, MAX_SLUG_CHARS).map_err(invalid("kb_slug"))?;
    if !slug.is_empty() && !super::is_slug(&slug) {
        return Err(AppError::invalid("kb_slug", Problem::Format));
    }
    let title = input.title.trim().to_owned();
    required_within(&title, MAX_TITLE_CHARS).map_err(invalid("kb_title"))?;
    let body = input.body.trim().to_owned();
    required_within(&body, MAX_BODY_CHARS).map_err(invalid("kb_body"))?;
    let mut tags: Vec<String> = Vec::new();
    for tag in input
        .tags
        .iter()
        .map(|tag| tag.trim())
        .filter(|tag| !tag.is_empty())
    {
        within(tag, MAX_TAG_CHARS).map_err(invalid("kb_tags"))?;
        if !tags.iter().any(|known| known == tag) {
            tags.push(tag.to_owned());
        }
    }
    if tags.len() > MAX_TAGS as usize {
        return Err(AppError::invalid(
            "kb_tags",
            Problem::TooMany { max: MAX_TAGS },
        ));
    }
    Ok(ArticleInput {
        slug,
        system: input.system.trim().to_owned(),
        module: input
            .module
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(str::to_owned),
        title,
        tags,
        body,
    })
}

/// The system's and module's row ids, or which of the two is unknown.
async fn placement(
    tx: &mut Transaction<'_, Postgres>,
    input: &ArticleInput,
) -> Result<(i16, Option<i32>), AppError> {
    let system = sqlx::query_scalar!(
        "SELECT id FROM systems WHERE code = $1 AND active",
        input.system
    )
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::invalid("kb_system", Problem::UnknownChoice))?;
    let module = match &input.module {
        None => None,
        Some(code) => Some(
            sqlx::query_scalar!(
                "SELECT id FROM system_modules WHERE system_id = $1 AND code = $2 AND active",
                system,
                code
            )
            .fetch_optional(&mut **tx)
            .await?
            .ok_or(AppError::invalid("kb_module", Problem::UnknownChoice))?,
        ),
    };
    Ok((system, module))
}

fn duplicate_slug(error: sqlx::Error) -> AppError {
    match &error {
        sqlx::Error::Database(db) if db.constraint() == Some("help_articles_slug_key") => {
            AppError::invalid("kb_slug", Problem::Duplicate)
        }
        _ => error.into(),
    }
}

/// A new draft; without a slug it is named after its number (`kb-12`). `source` is the
/// incident it was written from, linked both ways.
pub async fn create(
    pool: &PgPool,
    user: &CurrentUser,
    input: &ArticleInput,
    source: Option<IncidentNumber>,
) -> Result<i64, AppError> {
    let input = checked(input)?;
    let mut tx = pool.begin().await?;
    let (system, module) = placement(&mut tx, &input).await?;
    let id = sqlx::query_scalar!(
        r#"WITH next AS (SELECT nextval(pg_get_serial_sequence('help_articles', 'id')) AS id)
           INSERT INTO help_articles (id, slug, system_id, module_id, title, tags, body, editor_id, created_by)
           OVERRIDING SYSTEM VALUE
           SELECT next.id, COALESCE(NULLIF($1, ''), 'kb-' || next.id), $2, $3, $4, $5, $6, $7, $7
           FROM next
           RETURNING id"#,
        input.slug,
        system,
        module,
        input.title,
        &input.tags,
        input.body,
        user.id
    )
    .fetch_one(&mut *tx)
    .await
    .map_err(duplicate_slug)?;
    if let Some(number) = source {
        let linked = sqlx::query!(
            "INSERT INTO help_article_incidents (article_id, incident_id, kind)
             SELECT $1, id, 'source' FROM incidents WHERE number = $2",
            id,
            number.0
        )
        .execute(&mut *tx)
        .await?;
        if linked.rows_affected() == 0 {
            return Err(AppError::NotFound);
        }
    }
    tx.commit().await?;
    Ok(id)
}

/// Rewrites the working copy. The writer becomes its editor, and it goes back to draft: a
/// reviewed text that changed must be reviewed again. Readers keep the live version meanwhile.
pub async fn save(
    pool: &PgPool,
    user: &CurrentUser,
    id: i64,
    input: &ArticleInput,
) -> Result<(), AppError> {
    let input = checked(input)?;
    let mut tx = pool.begin().await?;
    let (system, module) = placement(&mut tx, &input).await?;
    let slug = if input.slug.is_empty() {
        format!("kb-{id}")
    } else {
        input.slug.clone()
    };
    let saved = sqlx::query!(
        "UPDATE help_articles SET slug = $2, system_id = $3, module_id = $4, title = $5, tags = $6,
                body = $7, editor_id = $8, state = 'draft', updated_at = now()
         WHERE id = $1",
        id,
        slug,
        system,
        module,
        input.title,
        &input.tags,
        input.body,
        user.id
    )
    .execute(&mut *tx)
    .await
    .map_err(duplicate_slug)?;
    if saved.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    // The slug is public at once: the live version's address moves with it.
    announce_change(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Moves the working copy from `from` to `to`; anything else is refused with where it stands.
async fn transition(
    tx: &mut Transaction<'_, Postgres>,
    id: i64,
    from: &[ArticleState],
    to: ArticleState,
) -> Result<Locked, AppError> {
    let row = lock(tx, id).await?;
    if !from.contains(&row.state) {
        return Err(AppError::ArticleNotNow { state: row.state });
    }
    sqlx::query!(
        "UPDATE help_articles SET state = $2, updated_at = now() WHERE id = $1",
        id,
        to as ArticleState
    )
    .execute(&mut **tx)
    .await?;
    Ok(row)
}

struct Locked {
    state: ArticleState,
    editor_id: i64,
}

async fn lock(tx: &mut Transaction<'_, Postgres>, id: i64) -> Result<Locked, AppError> {
    sqlx::query_as!(
        Locked,
        r#"SELECT state AS "state: ArticleState", editor_id FROM help_articles WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(AppError::NotFound)
}

/// Asks for review.
pub async fn submit(pool: &PgPool, id: i64) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    transition(&mut tx, id, &[ArticleState::Draft], ArticleState::Review).await?;
    tx.commit().await?;
    Ok(())
}

/// Sends a text under review back to its writer.
pub async fn send_back(pool: &PgPool, id: i64) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    transition(&mut tx, id, &[ArticleState::Review], ArticleState::Draft).await?;
    tx.commit().await?;
    Ok(())
}

/// Takes an article out of the help center; its versions stay.
pub async fn archive(pool: &PgPool, id: i64) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let from = [
        ArticleState::Draft,
        ArticleState::Review,
        ArticleState::Published,
    ];
    transition(&mut tx, id, &from, ArticleState::Archived).await?;
    announce_change(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Publishes the working copy under review as the next version. The one who wrote it last may
/// not: a second pair of eyes reads every published text.
pub async fn publish(pool: &PgPool, user: &CurrentUser, id: i64) -> Result<i32, AppError> {
    let mut tx = pool.begin().await?;
    let row = lock(&mut tx, id).await?;
    if row.state != ArticleState::Review {
        return Err(AppError::ArticleNotNow { state: row.state });
    }
    if row.editor_id == user.id {
        return Err(AppError::OwnArticle);
    }
    let copy = sqlx::query!(
        "SELECT title, tags, body, system_id, module_id, editor_id FROM help_articles WHERE id = $1",
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    let rendered = render(&copy.body);
    let words = index_words(&copy.title, &copy.tags, &rendered.plain);
    let headings = serde_json::to_value(&rendered.headings).map_err(|_| AppError::Internal)?;
    let version = sqlx::query_scalar!(
        r#"INSERT INTO help_article_versions
               (article_id, version, system_id, module_id, title, tags, body, body_html, headings,
                body_text, author_id, published_by)
           SELECT $1, COALESCE(max(version), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11
           FROM help_article_versions WHERE article_id = $1
           RETURNING version"#,
        id,
        copy.system_id,
        copy.module_id,
        copy.title,
        &copy.tags,
        copy.body,
        rendered.html,
        headings,
        rendered.plain,
        copy.editor_id,
        user.id
    )
    .fetch_one(&mut *tx)
    .await?;
    super::images::record_uses(&mut tx, id, version, &copy.body).await?;
    sqlx::query!(
        "UPDATE help_articles SET state = 'published', live_version = $2, reviewer_id = $3,
                last_reviewed_at = now(), updated_at = now(),
                search_words = setweight(to_tsvector('simple', $4), 'A')
                            || setweight(to_tsvector('simple', $5), 'B')
                            || setweight(to_tsvector('simple', $6), 'C')
                            || setweight(to_tsvector('simple', $7), 'D')
         WHERE id = $1",
        id,
        version,
        user.id,
        words.title,
        words.tags,
        words.body,
        words.pairs
    )
    .execute(&mut *tx)
    .await?;
    announce_change(&mut tx).await?;
    tx.commit().await?;
    Ok(version)
}

/// Puts an old version back as the working copy, to be reviewed and published as a new one.
pub async fn restore(
    pool: &PgPool,
    user: &CurrentUser,
    id: i64,
    version: i32,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    lock(&mut tx, id).await?;
    let restored = sqlx::query!(
        "UPDATE help_articles a SET title = v.title, tags = v.tags, body = v.body,
                system_id = v.system_id, module_id = v.module_id, editor_id = $3,
                state = 'draft', updated_at = now()
         FROM help_article_versions v
         WHERE a.id = $1 AND v.article_id = a.id AND v.version = $2",
        id,
        version,
        user.id
    )
    .execute(&mut *tx)
    .await?;
    if restored.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// The console's list, newest change first, optionally in one state.
pub async fn list(
    pool: &PgPool,
    state: Option<ArticleState>,
) -> Result<Vec<ArticleListItem>, AppError> {
    listed(pool, state, None).await
}

async fn listed(
    pool: &PgPool,
    state: Option<ArticleState>,
    incident: Option<IncidentNumber>,
) -> Result<Vec<ArticleListItem>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT a.id, a.slug, a.title, a.state AS "state: ArticleState", a.updated_at AS "updated_at: DateTime<Utc>",
                  a.live_version, u.display_name AS editor,
                  s.code AS system_code, s.name_zh AS system_zh, s.name_en AS system_en
           FROM help_articles a
           JOIN users u ON u.id = a.editor_id
           JOIN systems s ON s.id = a.system_id
           WHERE ($1::text IS NULL OR a.state = $1)
             AND ($2::bigint IS NULL OR a.id IN (
                 SELECT l.article_id FROM help_article_incidents l
                 JOIN incidents i ON i.id = l.incident_id WHERE i.number = $2))
           ORDER BY a.updated_at DESC, a.id DESC
           LIMIT 500"#,
        state.map(ArticleState::as_str),
        incident.map(|n| n.0)
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| ArticleListItem {
            id: row.id,
            slug: row.slug,
            title: row.title,
            state: row.state,
            system: Named {
                code: row.system_code,
                name_zh: row.system_zh,
                name_en: row.system_en,
            },
            editor: row.editor,
            updated_at: row.updated_at,
            live_version: row.live_version,
        })
        .collect())
}

/// The working copy with its versions and linked incidents.
pub async fn draft(pool: &PgPool, id: i64) -> Result<ArticleDraft, AppError> {
    let row = sqlx::query!(
        r#"SELECT a.id, a.slug, a.title, a.tags, a.body, a.state AS "state: ArticleState",
                  a.editor_id, e.display_name AS editor, c.display_name AS created_by,
                  a.live_version, r.display_name AS "reviewer?", a.last_reviewed_at AS "last_reviewed_at: DateTime<Utc>",
                  a.pinned, s.code AS system, m.code AS "module?"
           FROM help_articles a
           JOIN users e ON e.id = a.editor_id
           JOIN users c ON c.id = a.created_by
           LEFT JOIN users r ON r.id = a.reviewer_id
           JOIN systems s ON s.id = a.system_id
           LEFT JOIN system_modules m ON m.id = a.module_id
           WHERE a.id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let versions = sqlx::query_as!(
        VersionInfo,
        r#"SELECT v.version, v.title, a.display_name AS author, p.display_name AS published_by,
                  v.published_at AS "published_at: DateTime<Utc>"
           FROM help_article_versions v
           JOIN users a ON a.id = v.author_id
           JOIN users p ON p.id = v.published_by
           WHERE v.article_id = $1 ORDER BY v.version DESC"#,
        id
    )
    .fetch_all(pool)
    .await?;
    let incidents = sqlx::query_scalar!(
        r#"SELECT DISTINCT i.number AS "number: IncidentNumber"
           FROM help_article_incidents l JOIN incidents i ON i.id = l.incident_id
           WHERE l.article_id = $1 ORDER BY 1"#,
        id
    )
    .fetch_all(pool)
    .await?;
    Ok(ArticleDraft {
        id: row.id,
        input: ArticleInput {
            slug: row.slug,
            system: row.system,
            module: row.module,
            title: row.title,
            tags: row.tags,
            body: row.body,
        },
        state: row.state,
        editor_id: row.editor_id,
        editor: row.editor,
        created_by: row.created_by,
        live_version: row.live_version,
        reviewer: row.reviewer,
        last_reviewed_at: row.last_reviewed_at,
        pinned: row.pinned,
        incidents,
        versions,
    })
}

/// Line by line, what changed from version `from` to version `to`.
pub async fn diff(pool: &PgPool, id: i64, from: i32, to: i32) -> Result<Vec<DiffLine>, AppError> {
    let texts = sqlx::query!(
        "SELECT version, title, body FROM help_article_versions
         WHERE article_id = $1 AND version IN ($2, $3)",
        id,
        from,
        to
    )
    .fetch_all(pool)
    .await?;
    let text_of = |version: i32| {
        texts
            .iter()
            .find(|row| row.version == version)
            .map(|row| format!("# {}\n\n{}\n", row.title, row.body))
            .ok_or(AppError::NotFound)
    };
    let (old, new) = (text_of(from)?, text_of(to)?);
    Ok(similar::TextDiff::from_lines(&old, &new)
        .iter_all_changes()
        .map(|change| DiffLine {
            change: match change.tag() {
                similar::ChangeTag::Equal => Change::Same,
                similar::ChangeTag::Insert => Change::Added,
                similar::ChangeTag::Delete => Change::Removed,
            },
            text: change.value().trim_end_matches('\n').to_owned(),
        })
        .collect())
}

/// Renders a working copy the way readers would see it, for the editor's preview.
pub fn preview(body: &str) -> String {
    render(body).html
}

/// A new article's text from a resolved incident: its problem and the steps that solved it,
/// with the customer's identity taken out.
pub async fn from_incident(
    pool: &PgPool,
    number: IncidentNumber,
) -> Result<ArticleInput, AppError> {
    let row = sqlx::query!(
        r#"SELECT i.title, i.description, i.solution, i.status AS "status: Status",
                  s.code AS "system?", m.code AS "module?", i.customer_name,
                  i.id_doc_type AS "id_doc_type: DocType", i.identity_key_id,
                  i.id_number_sealed, i.fund_account_sealed, i.customer_mobile_sealed
           FROM incidents i
           LEFT JOIN systems s ON s.id = i.system_id
           LEFT JOIN system_modules m ON m.id = i.module_id
           WHERE i.number = $1"#,
        number.0
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    if !matches!(row.status, Status::Resolved | Status::Closed) {
        return Err(AppError::NotNow { status: row.status });
    }
    let scrubber = Scrubber::of_sealed(
        row.customer_name.as_deref(),
        row.id_doc_type,
        row.identity_key_id.as_deref(),
        [
            &row.id_number_sealed,
            &row.fund_account_sealed,
            &row.customer_mobile_sealed,
        ],
    )?;
    let body = format!(
        "## 问题描述\n\n{}\n\n## 解决步骤\n\n{}\n",
        scrubber.scrub(row.description.trim()),
        scrubber.scrub(row.solution.as_deref().unwrap_or_default().trim()),
    );
    Ok(ArticleInput {
        slug: String::new(),
        system: row.system.unwrap_or_default(),
        module: row.module,
        title: scrubber.scrub(&row.title),
        tags: Vec::new(),
        body,
    })
}

/// Articles written from or answering an incident.
pub async fn for_incident(
    pool: &PgPool,
    number: IncidentNumber,
) -> Result<Vec<ArticleListItem>, AppError> {
    listed(pool, None, Some(number)).await
}

pub async fn synonyms(pool: &PgPool) -> Result<Vec<SynonymGroup>, AppError> {
    Ok(sqlx::query_as!(
        SynonymGroup,
        "SELECT id, words FROM help_synonyms ORDER BY id"
    )
    .fetch_all(pool)
    .await?)
}

/// Adds a group (`id` None) or rewrites one; searches use it from the next query on.
pub async fn save_synonyms(
    pool: &PgPool,
    user: &CurrentUser,
    id: Option<i64>,
    words: &[String],
) -> Result<i64, AppError> {
    let mut group: Vec<String> = Vec::new();
    for word in words.iter().map(|w| w.trim()).filter(|w| !w.is_empty()) {
        required_within(word, MAX_SYNONYM_CHARS).map_err(invalid("kb_synonyms"))?;
        if !group.iter().any(|known| known == word) {
            group.push(word.to_owned());
        }
    }
    if group.len() < 2 {
        return Err(AppError::invalid("kb_synonyms", Problem::Required));
    }
    if group.len() > MAX_SYNONYMS as usize {
        return Err(AppError::invalid(
            "kb_synonyms",
            Problem::TooMany { max: MAX_SYNONYMS },
        ));
    }
    let saved = match id {
        None => {
            sqlx::query_scalar!(
                "INSERT INTO help_synonyms (words, updated_by) VALUES ($1, $2) RETURNING id",
                &group,
                user.id
            )
            .fetch_one(pool)
            .await?
        }
        Some(id) => sqlx::query_scalar!(
            "UPDATE help_synonyms SET words = $2, updated_by = $3, updated_at = now()
             WHERE id = $1 RETURNING id",
            id,
            &group,
            user.id
        )
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)?,
    };
    Ok(saved)
}

pub async fn remove_synonyms(pool: &PgPool, id: i64) -> Result<(), AppError> {
    let removed = sqlx::query!("DELETE FROM help_synonyms WHERE id = $1", id)
        .execute(pool)
        .await?;
    if removed.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}
