//! `/console/datagen/new?recipe={id}[&incident={n}]`: a job's form, generated from the recipe's
//! parameters, so a new recipe needs no new page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

use super::jobs_page::DatagenNav;
use super::params::{ParamKind, ParamSpec, ParamValue, Params, MAX_PARAM_TEXT};
use super::{
    datagen_recipes, datagen_targets, DatagenSubmit, JobInput, RecipeSummary, TargetSummary,
};
use crate::error::AppError;
use crate::i18n::{fill, page_title, use_i18n, Locale};
use crate::incidents::IncidentNumber;
use crate::resource::page_resource;
use crate::shell::{Loading, PageError};
use crate::ui::{Labeled, HINT, INPUT, PANEL, PRIMARY_BUTTON};

fn pick(locale: Locale, zh: &str, en: &str) -> String {
    if locale == Locale::En && !en.is_empty() {
        en
    } else {
        zh
    }
    .to_owned()
}

#[component]
pub fn NewJobPage() -> impl IntoView {
    provide_context(crate::i18n::FieldNames(super::texts::field_name));
    let i18n = use_i18n();
    let t = move || i18n.datagen();
    let query = use_query_map();
    let recipe_id = move || query.with(|q| q.get("recipe").and_then(|r| r.parse::<i64>().ok()));
    let incident = move || {
        query.with(|q| {
            q.get("incident")
                .and_then(|n| n.parse::<IncidentNumber>().ok())
        })
    };
    let recipes = page_resource(|| (), |_| datagen_recipes());
    let targets = page_resource(|| (), |_| datagen_targets());
    view! {
        <Title text=page_title(move || t().form_title) />
        <h1 class="text-xl font-semibold">{move || t().form_title}</h1>
        <div class="mt-2"><DatagenNav /></div>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match (recipes.await, targets.await) {
                    (Ok(recipes), Ok(targets)) => {
                        let chosen = recipe_id()
                            .and_then(|id| recipes.iter().position(|r| r.id == id))
                            .unwrap_or_default();
                        view! { <JobForm recipes targets chosen incident=incident() /> }.into_any()
                    }
                    (Err(error), _) | (_, Err(error)) => view! { <PageError error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn JobForm(
    recipes: Vec<RecipeSummary>,
    targets: Vec<TargetSummary>,
    chosen: usize,
    incident: Option<IncidentNumber>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = i18n.datagen();
    let locale = i18n.locale();
    let recipe_index = RwSignal::new(chosen);
    let target = RwSignal::new(targets.first().map(|t| t.id).unwrap_or_default());
    let values = RwSignal::new(Params::new());
    let submit = ServerAction::<DatagenSubmit>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = submit.value().get() {
            navigate(&format!("/console/datagen/j/{id}"), Default::default());
        }
    });
    let recipes = StoredValue::new(recipes);
    let recipe = move || recipes.with_value(|r| r.get(recipe_index.get()).cloned());
    let problem = move || submit.value().get().and_then(Result::err);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(recipe) = recipe() else { return };
        submit.dispatch(DatagenSubmit {
            input: JobInput {
                recipe_id: recipe.id,
                target_id: target.get_untracked(),
                params: values.get_untracked(),
                incident,
            },
        });
    };
    let no_targets = targets.is_empty();
    view! {
        <form class=format!("mt-4 max-w-2xl space-y-4 {PANEL}") on:submit=on_submit data-testid="datagen-form">
            {incident.map(|n| view! {
                <p class="text-sm">
                    <a href=format!("/console/i/{n}") class="text-sky-800 underline" data-testid="datagen-incident">
                        {fill(t.for_incident, &[&n])}
                    </a>
                </p>
            })}
            <Labeled label=t.recipe>
                <select class=INPUT data-testid="datagen-recipe"
                    on:change=move |ev| {
                        if let Ok(index) = event_target_value(&ev).parse() {
                            recipe_index.set(index);
                            values.set(Params::new());
                        }
                    }>
                    {recipes.with_value(|r| r.iter().enumerate().map(|(i, r)| view! {
                        <option value=i.to_string() selected=i == chosen>
                            {pick(locale, &r.name, &r.name_en)} " (" {fill(t.calls_count, &[&r.calls])} ")"
                        </option>
                    }).collect_view())}
                </select>
            </Labeled>
            {move || recipe().map(|r| view! {
                <p class=HINT>{pick(locale, &r.description, &r.description_en)}</p>
            })}
            <Labeled label=t.target>
                <select class=INPUT data-testid="datagen-target"
                    on:change=move |ev| {
                        if let Ok(id) = event_target_value(&ev).parse() {
                            target.set(id);
                        }
                    }>
                    {targets.into_iter().map(|target| view! {
                        <option value=target.id.to_string()>{target.name}</option>
                    }).collect_view()}
                </select>
            </Labeled>
            {no_targets.then(|| view! { <p role="alert" class="text-sm text-red-700">{t.no_targets}</p> })}
            {move || recipe().map(|r| {
                let identity = r.params.iter().any(|p| p.kind.generated());
                view! {
                    {identity.then(|| view! { <p class=HINT>{t.generated_hint}</p> })}
                    {r.params.into_iter().map(|spec| view! { <ParamField spec values problem /> }).collect_view()}
                }
            })}
            {move || problem().filter(|e| !matches!(e, AppError::Invalid { field, .. } if recipe().is_some_and(|r| r.params.iter().any(|p| &p.name == field)))).map(|e| view! {
                <p role="alert" class="text-sm text-red-700" data-testid="datagen-error">{e.message(i18n.t())}</p>
            })}
            <button type="submit" class=PRIMARY_BUTTON data-testid="datagen-submit"
                disabled=move || no_targets || submit.pending().get()>
                {move || if submit.pending().get() { t.submitting } else { t.submit }}
            </button>
        </form>
    }
}

/// One parameter's control, with its error.
#[component]
fn ParamField(
    spec: ParamSpec,
    values: RwSignal<Params>,
    problem: impl Fn() -> Option<AppError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.locale();
    let label = pick(locale, &spec.label, &spec.label_en);
    let hint = pick(locale, &spec.hint, &spec.hint_en);
    let name = spec.name.clone();
    let error = {
        let (name, label) = (name.clone(), label.clone());
        move || match problem() {
            Some(AppError::Invalid { field, problem }) if field == name => {
                Some(problem.message(i18n.t(), &label))
            }
            _ => None,
        }
    };
    let invalid = {
        let error = error.clone();
        move || error().is_some().to_string()
    };
    let set = {
        let name = name.clone();
        move |value: ParamValue| {
            values.update(|v| {
                v.insert(name.clone(), value);
            })
        }
    };
    let default = spec.default.clone();
    let control = match spec.kind {
        ParamKind::Choice => {
            let set = set.clone();
            let chosen = default
                .as_ref()
                .map(|d| d.text().to_owned())
                .unwrap_or_default();
            view! {
                <select class=INPUT data-testid=format!("param-{name}") aria-invalid=invalid
                    on:change=move |ev| set(ParamValue::One(event_target_value(&ev)))>
                    {spec.options.iter().map(|o| view! {
                        <option value=o.value.clone() selected=o.value == chosen>{pick(locale, &o.label, &o.label_en)}</option>
                    }).collect_view()}
                </select>
            }.into_any()
        }
        ParamKind::Choices => {
            let chosen: Vec<String> = default
                .as_ref()
                .map(|d| d.items().to_vec())
                .unwrap_or_default();
            if !chosen.is_empty() {
                set(ParamValue::Many(chosen.clone()));
            }
            view! {
                <div class="flex flex-wrap gap-3" data-testid=format!("param-{name}")>
                    {spec.options.iter().map(|o| {
                        let value = o.value.clone();
                        let name = name.clone();
                        view! {
                            <label class="flex items-center gap-1 text-sm">
                                <input type="checkbox" value=value.clone() checked=chosen.contains(&value)
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        let value = value.clone();
                                        values.update(|v| {
                                            let mut items = v.get(&name).map(|p| p.items().to_vec()).unwrap_or_default();
                                            items.retain(|i| *i != value);
                                            if on { items.push(value); }
                                            v.insert(name.clone(), ParamValue::Many(items));
                                        });
                                    } />
                                {pick(locale, &o.label, &o.label_en)}
                            </label>
                        }
                    }).collect_view()}
                </div>
            }.into_any()
        }
        kind => {
            let mode = match kind {
                ParamKind::Money => "decimal",
                ParamKind::Integer => "numeric",
                _ => "text",
            };
            let typed = default
                .as_ref()
                .map(|d| d.text().to_owned())
                .unwrap_or_default();
            view! {
                <input class=INPUT inputmode=mode maxlength=MAX_PARAM_TEXT.to_string() value=typed
                    data-testid=format!("param-{name}") aria-invalid=invalid
                    on:input=move |ev| set(ParamValue::One(event_target_value(&ev))) />
            }
            .into_any()
        }
    };
    let hint = (!hint.is_empty()).then(|| view! { <span class=HINT>{hint}</span> });
    let error = move || {
        error().map(|text| view! { <span role="alert" class="text-sm text-red-700">{text}</span> })
    };
    if spec.kind == ParamKind::Choices {
        // A group of boxes, each with its own label: named by a legend, not a label around it.
        view! {
            <fieldset class="flex flex-col gap-1">
                <legend class="text-sm text-slate-700">{label}</legend>
                {control} {hint} {error}
            </fieldset>
        }
        .into_any()
    } else {
        view! { <Labeled label=label>{control} {hint} {error}</Labeled> }.into_any()
    }
}
