//! The recipe editor's preview: the first request a source would send, rendered with sample
//! parameters against a target whose credentials show only as `******`.

use std::collections::BTreeMap;

use serde_json::Map;
use sqlx::PgPool;

use super::params::{ParamKind, ParamValue, Params};
use super::recipe::Recipe;
use super::redact::HIDDEN;
use super::run::{context, Claimed, Request, Target};
use super::{synthetic, Preview, System};
use crate::error::AppError;

/// Sample values: defaults, else a synthetic identity, an amount, the first option.
fn samples(recipe: &Recipe) -> Params {
    let mut rng = rand::rng();
    let today = crate::time::shanghai_today();
    recipe
        .params
        .iter()
        .map(|spec| {
            let first = spec
                .options
                .first()
                .map(|o| o.value.clone())
                .unwrap_or_default();
            let value = spec.default.clone().unwrap_or_else(|| match spec.kind {
                ParamKind::Name => ParamValue::One(synthetic::name(&mut rng)),
                ParamKind::IdNumber => ParamValue::One(synthetic::id_number(&mut rng, today)),
                ParamKind::Money => ParamValue::One("100000.00".into()),
                ParamKind::Integer => ParamValue::One("1".into()),
                ParamKind::Text => ParamValue::One(String::new()),
                ParamKind::Choice => ParamValue::One(first),
                ParamKind::Choices => ParamValue::Many(vec![first]),
            });
            (spec.name.clone(), value)
        })
        .collect()
}

pub async fn preview(
    pool: &PgPool,
    source: &str,
    target: Option<i64>,
) -> Result<Preview, AppError> {
    let recipe = match Recipe::parse(source) {
        Ok(recipe) => recipe,
        Err(error) => {
            return Ok(Preview::Invalid {
                line: error.line,
                message: error.message,
            })
        }
    };
    let target = match target {
        Some(id) => {
            let mut target = super::targets::open(pool, id).await?;
            target
                .secrets
                .values_mut()
                .for_each(|v| *v = HIDDEN.to_owned());
            target
        }
        None => Target {
            id: 0,
            name: String::new(),
            base_urls: System::ALL
                .into_iter()
                .map(|s| (s, format!("https://{}.uat.example", s.as_str())))
                .collect(),
            secrets: BTreeMap::new(),
            concurrency: 1,
        },
    };
    let step = recipe.steps[0].clone();
    let job = Claimed {
        id: 0,
        params: samples(&recipe),
        recipe,
        target,
        next_step: 0,
        next_item: 0,
        vars: Map::new(),
    };
    let context = context(&job, None);
    Ok(match Request::render(&step, &job.target, &context) {
        Ok(request) => Preview::Request {
            step: step.name,
            method: request.method.to_owned(),
            url: request.url,
            headers: request.headers,
            body: request.body.unwrap_or_default(),
            calls: job.recipe.calls(),
        },
        Err(message) => Preview::Invalid {
            line: None,
            message: format!("steps.{}: {message}", step.name),
        },
    })
}
