//! After a key rotation the environments' credentials and the jobs' parameters and extracted
//! values are sealed again under the current key at start-up, so the old key can go once no
//! row names it. Replicas starting together share the work (`SKIP LOCKED`).

use sqlx::PgPool;

use crate::error::AppError;
use crate::incidents::sealed::{Column, Keyring};

/// Jobs handled per transaction.
const BATCH: i64 = 500;

/// Answers how many rows were sealed again.
pub async fn reseal_all(pool: &PgPool, keys: &Keyring) -> Result<u64, AppError> {
    let mut done = reseal_targets(pool, keys).await?;
    loop {
        let mut tx = pool.begin().await?;
        // `<` or `>` rather than `<>`: each arm is a range of an index.
        let jobs = sqlx::query!(
            "SELECT id, params_key_id, params_sealed, vars_key_id, vars_sealed FROM datagen_jobs
             WHERE params_key_id < $1 OR params_key_id > $1
                OR vars_key_id < $1 OR vars_key_id > $1
             LIMIT $2
             FOR UPDATE SKIP LOCKED",
            keys.current_id(),
            BATCH
        )
        .fetch_all(&mut *tx)
        .await?;
        if jobs.is_empty() {
            return Ok(done);
        }
        for job in jobs {
            let params = keys.open(Column::JobParams, &job.params_key_id, &job.params_sealed)?;
            let vars = match (job.vars_key_id, job.vars_sealed) {
                (Some(key_id), Some(sealed)) => {
                    let vars = keys.open(Column::JobVars, &key_id, &sealed)?;
                    Some(keys.seal(Column::JobVars, &vars)?)
                }
                _ => None,
            };
            sqlx::query!(
                "UPDATE datagen_jobs SET params_key_id = $2, params_sealed = $3,
                        vars_key_id = CASE WHEN $4::bytea IS NULL THEN NULL ELSE $2 END,
                        vars_sealed = $4
                 WHERE id = $1",
                job.id,
                keys.current_id(),
                keys.seal(Column::JobParams, &params)?,
                vars
            )
            .execute(&mut *tx)
            .await?;
            done += 1;
        }
        tx.commit().await?;
    }
}

async fn reseal_targets(pool: &PgPool, keys: &Keyring) -> Result<u64, AppError> {
    let mut tx = pool.begin().await?;
    let targets = sqlx::query!(
        r#"SELECT id, secrets_key_id AS "key_id!", secrets_sealed AS "sealed!"
           FROM datagen_targets WHERE secrets_key_id <> $1
           FOR UPDATE SKIP LOCKED"#,
        keys.current_id()
    )
    .fetch_all(&mut *tx)
    .await?;
    let count = targets.len() as u64;
    for target in targets {
        let secrets = keys.open(Column::TargetSecrets, &target.key_id, &target.sealed)?;
        sqlx::query!(
            "UPDATE datagen_targets SET secrets_key_id = $2, secrets_sealed = $3 WHERE id = $1",
            target.id,
            keys.current_id(),
            keys.seal(Column::TargetSecrets, &secrets)?
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(count)
}
