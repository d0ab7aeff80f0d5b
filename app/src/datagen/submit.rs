//! A submitted form becoming a job: its parameters checked against the recipe's schema, the
//! identity left empty generated, what pages may show masked.

use sqlx::PgPool;

use super::params::{self, ParamKind, ParamValue};
use super::store::{self, NewJob};
use super::{recipe_store, synthetic, JobInput};
use crate::auth::CurrentUser;
use crate::error::{AppError, Problem};
use crate::incidents::{mask, DocType, Identity};

pub async fn submit(pool: &PgPool, user: &CurrentUser, input: &JobInput) -> Result<i64, AppError> {
    let (version, recipe) =
        recipe_store::current(pool, input.recipe_id)
            .await
            .map_err(|error| match error {
                AppError::NotFound => AppError::invalid("recipe", Problem::UnknownChoice),
                other => other,
            })?;
    if !super::targets::exists(pool, input.target_id).await? {
        return Err(AppError::invalid("target", Problem::UnknownChoice));
    }
    let today = crate::time::shanghai_today();
    let mut values = params::check(&recipe.params, &input.params, today)?;
    let (shown, customer) = fill_and_show(&recipe.params, &mut values, today);
    let incident_id = match input.incident {
        None => None,
        Some(number) => Some(
            store::incident_id(pool, number)
                .await?
                .ok_or_else(|| AppError::invalid("incident", Problem::UnknownChoice))?,
        ),
    };
    store::create(
        pool,
        &NewJob {
            recipe_id: input.recipe_id,
            recipe_version: version,
            target_id: input.target_id,
            params: &values,
            shown: &shown,
            customer_shown: &customer,
            incident_id,
            by: user.id,
        },
    )
    .await
}

/// Fills identity left empty with synthetic values; answers each parameter's label and value as
/// pages show them, and the masked customer name.
fn fill_and_show(
    specs: &[super::params::ParamSpec],
    values: &mut super::params::Params,
    today: chrono::NaiveDate,
) -> (Vec<(String, String)>, String) {
    let mut rng = rand::rng();
    let mut shown = Vec::new();
    let mut customer = String::new();
    for spec in specs {
        let Some(value) = values.get_mut(&spec.name) else {
            continue;
        };
        let text = match (spec.kind, value.text().is_empty()) {
            (ParamKind::Name, true) => synthetic::name(&mut rng),
            (ParamKind::IdNumber, true) => synthetic::id_number(&mut rng, today),
            _ => value.text().to_owned(),
        };
        if spec.kind.generated() {
            *value = ParamValue::One(text.clone());
        }
        let show = match (spec.kind, &*value) {
            (ParamKind::Name, _) => {
                let masked = mask(Identity::Name, &text);
                if customer.is_empty() {
                    customer = masked.clone();
                }
                masked
            }
            (ParamKind::IdNumber, _) => mask(Identity::Document(DocType::IdCard), &text),
            (ParamKind::Choice | ParamKind::Choices, value) => {
                let chosen: Vec<&str> = match value {
                    ParamValue::One(one) => vec![one.as_str()],
                    ParamValue::Many(many) => many.iter().map(String::as_str).collect(),
                };
                chosen
                    .iter()
                    .map(|v| {
                        spec.options
                            .iter()
                            .find(|o| o.value == *v)
                            .map_or(*v, |o| o.label.as_str())
                    })
                    .collect::<Vec<_>>()
                    .join("、")
            }
            _ => text,
        };
        shown.push((spec.label.clone(), show));
    }
    (shown, customer)
}
