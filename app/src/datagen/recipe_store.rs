//! Recipes in PostgreSQL: each save is a new version; jobs name the version they ran, so a
//! recipe can change while its jobs keep their history.

use sqlx::PgPool;

use super::recipe::{Recipe, RecipeError, BUNDLED};
use super::{RecipeSource, RecipeSummary, RecipeVersion};
use crate::error::{AppError, Problem};

/// Adds the recipes the project ships that the database lacks (by key).
pub async fn seed_bundled(pool: &PgPool) -> Result<(), AppError> {
    for source in BUNDLED {
        let recipe = Recipe::parse(source).map_err(|error| {
            tracing::error!(?error, "a bundled recipe does not parse");
            AppError::Internal
        })?;
        let mut tx = pool.begin().await?;
        let id = sqlx::query_scalar!(
            "INSERT INTO datagen_recipes (key) VALUES ($1) ON CONFLICT (key) DO NOTHING RETURNING id",
            recipe.key
        )
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(id) = id {
            sqlx::query!(
                "INSERT INTO datagen_recipe_versions (recipe_id, version, name, source, note)
                 VALUES ($1, 1, $2, $3, '')",
                id,
                recipe.name,
                source
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
    }
    Ok(())
}

/// Every recipe at its current version.
pub async fn recipes(pool: &PgPool) -> Result<Vec<RecipeSummary>, AppError> {
    let rows = sqlx::query!(
        "SELECT r.id, r.key, r.current_version, v.source
         FROM datagen_recipes r
         JOIN datagen_recipe_versions v ON v.recipe_id = r.id AND v.version = r.current_version
         ORDER BY r.id"
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            let recipe = parse_stored(&r.source)?;
            Ok(RecipeSummary {
                id: r.id,
                key: r.key,
                name: recipe.name,
                name_en: recipe.name_en,
                description: recipe.description,
                description_en: recipe.description_en,
                version: r.current_version,
                calls: recipe.steps.len(),
                params: recipe.params,
            })
        })
        .collect()
}

/// A stored source was checked when saved; failing now is a bug, not bad input.
fn parse_stored(source: &str) -> Result<Recipe, AppError> {
    Recipe::parse(source).map_err(|error| {
        tracing::error!(?error, "a stored recipe does not parse");
        AppError::Internal
    })
}

/// The recipe a job runs: the version it was submitted with.
pub async fn version(pool: &PgPool, id: i64, version: i32) -> Result<Recipe, AppError> {
    let source = sqlx::query_scalar!(
        "SELECT source FROM datagen_recipe_versions WHERE recipe_id = $1 AND version = $2",
        id,
        version
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    parse_stored(&source)
}

/// The current version of a recipe.
pub async fn current(pool: &PgPool, id: i64) -> Result<(i32, Recipe), AppError> {
    let row = sqlx::query!(
        "SELECT v.version, v.source FROM datagen_recipes r
         JOIN datagen_recipe_versions v ON v.recipe_id = r.id AND v.version = r.current_version
         WHERE r.id = $1",
        id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok((row.version, parse_stored(&row.source)?))
}

/// A recipe's source at `version` (its current one when `None`), with its history.
pub async fn source(
    pool: &PgPool,
    id: i64,
    version: Option<i32>,
) -> Result<RecipeSource, AppError> {
    let row = sqlx::query!(
        "SELECT r.key, v.version, v.source FROM datagen_recipes r
         JOIN datagen_recipe_versions v ON v.recipe_id = r.id
              AND v.version = COALESCE($2, r.current_version)
         WHERE r.id = $1",
        id,
        version
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let history = sqlx::query!(
        "SELECT v.version, v.name, v.note, u.display_name AS \"by?\",
                v.created_at AS \"created_at: chrono::DateTime<chrono::Utc>\"
         FROM datagen_recipe_versions v LEFT JOIN users u ON u.id = v.created_by
         WHERE v.recipe_id = $1 ORDER BY v.version DESC",
        id
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|v| RecipeVersion {
        version: v.version,
        name: v.name,
        note: v.note,
        by: v.by,
        at: v.created_at,
    })
    .collect();
    Ok(RecipeSource {
        id,
        key: row.key,
        version: row.version,
        source: row.source,
        history,
    })
}

/// Saves `source` as a new recipe (`id` None) or the next version of one; answers its id.
/// Refused when it does not parse (with where), or when its key belongs to another recipe.
pub async fn save(
    pool: &PgPool,
    id: Option<i64>,
    source: &str,
    note: &str,
    by: i64,
) -> Result<Result<i64, RecipeError>, AppError> {
    let recipe = match Recipe::parse(source) {
        Ok(recipe) => recipe,
        Err(error) => return Ok(Err(error)),
    };
    let mut tx = pool.begin().await?;
    let id = match id {
        Some(id) => {
            let key = sqlx::query_scalar!(
                "SELECT key FROM datagen_recipes WHERE id = $1 FOR UPDATE",
                id
            )
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(AppError::NotFound)?;
            if key != recipe.key {
                return Ok(Err(RecipeError {
                    line: None,
                    message: format!("key: 已保存的配方的 key 是 {key}，不能改"),
                }));
            }
            id
        }
        None => sqlx::query_scalar!(
            "INSERT INTO datagen_recipes (key, current_version) VALUES ($1, 0)
             ON CONFLICT (key) DO NOTHING RETURNING id",
            recipe.key
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| AppError::invalid("key", Problem::Duplicate))?,
    };
    let version = sqlx::query_scalar!(
        "UPDATE datagen_recipes SET current_version = current_version + 1 WHERE id = $1
         RETURNING current_version",
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO datagen_recipe_versions (recipe_id, version, name, source, note, created_by)
         VALUES ($1, $2, $3, $4, $5, $6)",
        id,
        version,
        recipe.name,
        source,
        note,
        by
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Ok(id))
}
