//! Test environments in PostgreSQL. Their credentials are sealed under the identity keys and
//! opened only for a run; pages see their names.

use std::collections::BTreeMap;

use sqlx::PgPool;

use super::run::Target;
use super::{System, TargetInput, TargetSummary};
use crate::checks::required_within;
use crate::error::{AppError, Problem};
use crate::incidents::sealed::{keyring, Column};

const MAX_NAME: u32 = 40;
const MAX_DESCRIPTION: u32 = 500;
const MAX_URL: usize = 500;
/// A credential shorter than this could not be told apart from ordinary words in a log.
const SHORTEST_SECRET: usize = 8;
const MAX_SECRETS: usize = 20;

fn base_urls(value: serde_json::Value) -> BTreeMap<System, String> {
    serde_json::from_value(value).unwrap_or_default()
}

pub async fn list(pool: &PgPool) -> Result<Vec<TargetSummary>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT t.id, t.name, t.description, t.base_urls, t.secret_names, t.concurrency,
                  count(j.id) FILTER (WHERE j.status = 'processing') AS "processing!",
                  count(j.id) FILTER (WHERE j.status = 'queued') AS "queued!"
           FROM datagen_targets t
           LEFT JOIN datagen_jobs j ON j.target_id = t.id AND j.status IN ('queued', 'processing')
           GROUP BY t.id ORDER BY t.name"#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| TargetSummary {
            id: r.id,
            name: r.name,
            description: r.description,
            base_urls: base_urls(r.base_urls).into_iter().collect(),
            secret_names: r.secret_names,
            concurrency: r.concurrency,
            processing: r.processing,
            queued: r.queued,
        })
        .collect())
}

pub async fn exists(pool: &PgPool, id: i64) -> Result<bool, AppError> {
    let found = sqlx::query_scalar!("SELECT 1 AS one FROM datagen_targets WHERE id = $1", id)
        .fetch_optional(pool)
        .await?;
    Ok(found.is_some())
}

/// A target with its credentials opened, for a run.
pub async fn open(pool: &PgPool, id: i64) -> Result<Target, AppError> {
    let row = sqlx::query!(
        "SELECT id, name, base_urls, secrets_key_id, secrets_sealed, concurrency
         FROM datagen_targets WHERE id = $1",
        id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let secrets = match (row.secrets_key_id, row.secrets_sealed) {
        (Some(key_id), Some(sealed)) => {
            let json = keyring()?.open(Column::TargetSecrets, &key_id, &sealed)?;
            serde_json::from_str(&json).map_err(|_| AppError::Internal)?
        }
        _ => BTreeMap::new(),
    };
    Ok(Target {
        id: row.id,
        name: row.name,
        base_urls: base_urls(row.base_urls),
        secrets,
        concurrency: row.concurrency,
    })
}

/// Saves a target; a credential given empty keeps its stored value, one left out is removed.
pub async fn save(pool: &PgPool, input: &TargetInput, by: Option<i64>) -> Result<i64, AppError> {
    let name = input.name.trim();
    required_within(name, MAX_NAME).map_err(|problem| AppError::invalid("name", problem))?;
    let description = input.description.trim();
    if description.chars().count() > MAX_DESCRIPTION as usize {
        return Err(AppError::invalid(
            "description",
            Problem::TooLong {
                max: MAX_DESCRIPTION,
            },
        ));
    }
    if !(1..=64).contains(&input.concurrency) {
        return Err(AppError::invalid(
            "concurrency",
            Problem::OutOfRange { min: 1, max: 64 },
        ));
    }
    let mut urls = BTreeMap::new();
    for (system, url) in &input.base_urls {
        let url = url.trim();
        let field = format!("url_{}", system.as_str());
        let parsed =
            url::Url::parse(url).map_err(|_| AppError::invalid(&field, Problem::Format))?;
        if !matches!(parsed.scheme(), "http" | "https") || url.len() > MAX_URL {
            return Err(AppError::invalid(&field, Problem::Format));
        }
        urls.insert(*system, url.to_owned());
    }
    if let Some(system) = System::ALL.into_iter().find(|s| !urls.contains_key(s)) {
        return Err(AppError::invalid(
            &format!("url_{}", system.as_str()),
            Problem::Required,
        ));
    }
    if input.secrets.len() > MAX_SECRETS {
        return Err(AppError::invalid(
            "secrets",
            Problem::TooMany {
                max: MAX_SECRETS as u32,
            },
        ));
    }
    let stored = match input.id {
        Some(id) => open(pool, id).await?.secrets,
        None => BTreeMap::new(),
    };
    let mut secrets = BTreeMap::new();
    for (secret_name, value) in &input.secrets {
        let secret_name = secret_name.trim();
        let field = format!("secret_{secret_name}");
        let valid_name = !secret_name.is_empty()
            && secret_name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid_name {
            return Err(AppError::invalid("secret_name", Problem::Format));
        }
        let value = match (value.trim(), stored.get(secret_name)) {
            ("", Some(kept)) => kept.clone(),
            ("", None) => return Err(AppError::invalid(&field, Problem::Required)),
            (value, _) if value.chars().count() < SHORTEST_SECRET => {
                return Err(AppError::invalid(
                    &field,
                    Problem::OutOfRange {
                        min: SHORTEST_SECRET as u32,
                        max: 200,
                    },
                ))
            }
            (value, _) => value.to_owned(),
        };
        if secrets.insert(secret_name.to_owned(), value).is_some() {
            return Err(AppError::invalid(&field, Problem::Duplicate));
        }
    }
    let keyring = keyring()?;
    let sealed = keyring.seal(
        Column::TargetSecrets,
        &serde_json::to_string(&secrets).map_err(|_| AppError::Internal)?,
    )?;
    let names: Vec<String> = secrets.keys().cloned().collect();
    let urls = serde_json::to_value(&urls).map_err(|_| AppError::Internal)?;
    let id = sqlx::query_scalar!(
        "INSERT INTO datagen_targets (id, name, description, base_urls, secret_names,
                                      secrets_key_id, secrets_sealed, concurrency, updated_by)
         VALUES (COALESCE($1, nextval('datagen_targets_id_seq')), $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (id) DO UPDATE SET name = $2, description = $3, base_urls = $4,
             secret_names = $5, secrets_key_id = $6, secrets_sealed = $7, concurrency = $8,
             updated_by = $9, updated_at = now()
         RETURNING id",
        input.id,
        name,
        description,
        urls,
        &names,
        keyring.current_id(),
        sealed,
        input.concurrency,
        by
    )
    .fetch_one(pool)
    .await
    .map_err(|error| match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            AppError::invalid("name", Problem::Duplicate)
        }
        _ => error.into(),
    })?;
    Ok(id)
}

/// The demo's test environment: the sandbox at `base`, kept pointing at it on every start.
pub const DEMO_TARGET: &str = "UAT1（沙箱）";

pub async fn ensure_demo(
    pool: &PgPool,
    base: &str,
    secrets: &[(String, String)],
) -> Result<i64, AppError> {
    let id = sqlx::query_scalar!(
        "SELECT id FROM datagen_targets WHERE name = $1",
        DEMO_TARGET
    )
    .fetch_optional(pool)
    .await?;
    let input = TargetInput {
        id,
        name: DEMO_TARGET.to_owned(),
        description: "随项目提供的券商业务接口沙箱：账户系统、三方存管、交易系统。".to_owned(),
        base_urls: System::ALL
            .into_iter()
            .map(|system| (system, format!("{base}/{}", system.as_str())))
            .collect(),
        secrets: secrets.to_vec(),
        concurrency: 4,
    };
    save(pool, &input, None).await
}
