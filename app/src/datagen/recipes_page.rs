//! `/console/datagen/recipes`: the recipes; `/console/datagen/recipes/new` and `.../{id}`: a
//! recipe's source with a preview of its first request, saved as a new version, and its history.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use super::jobs_page::DatagenNav;
use super::{
    datagen_recipe_source, datagen_recipes, datagen_targets, DatagenPreview, DatagenSaveRecipe,
    Preview, RecipeSource, SaveOutcome, TargetSummary,
};
use crate::i18n::{fill, page_title, use_i18n};
use crate::resource::page_resource;
use crate::shell::{Loading, PageError};
use crate::time::format_minute;
use crate::ui::{Labeled, HINT, INPUT, PANEL, PRIMARY_BUTTON, SECONDARY_BUTTON};

#[component]
pub fn RecipesPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.datagen();
    let recipes = page_resource(|| (), |_| datagen_recipes());
    view! {
        <Title text=page_title(move || t().recipes) />
        <div class="flex items-baseline justify-between gap-4">
            <h1 class="text-xl font-semibold">{move || t().recipes}</h1>
            <a href="/console/datagen/recipes/new" class=PRIMARY_BUTTON>{move || t().new_recipe}</a>
        </div>
        <p class=format!("mt-1 max-w-3xl {HINT}")>{move || t().recipe_list_intro}</p>
        <div class="mt-2"><DatagenNav /></div>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let t = t();
                match recipes.await {
                    Ok(recipes) => view! {
                        <ul class="mt-4 space-y-2" data-testid="datagen-recipes">
                            {recipes.into_iter().map(|r| view! {
                                <li class=PANEL>
                                    <div class="flex flex-wrap items-baseline gap-3">
                                        <span class="font-medium">{r.name}</span>
                                        <span class="font-mono text-xs text-slate-600">{r.key}</span>
                                        <span class=HINT>{t.version} " " {r.version} " · " {fill(t.calls_count, &[&r.calls])}</span>
                                        <a href=format!("/console/datagen/recipes/{}", r.id) class="ml-auto text-sky-800 underline">{t.edit}</a>
                                    </div>
                                    <p class="mt-1 text-sm text-slate-700">{r.description}</p>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <PageError error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn RecipeEditorPage() -> impl IntoView {
    provide_context(crate::i18n::FieldNames(super::texts::field_name));
    let i18n = use_i18n();
    let t = move || i18n.datagen();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()));
    let version = move || query.with(|q| q.get("version").and_then(|v| v.parse::<i32>().ok()));
    let source = page_resource(
        move || (id(), version()),
        |(id, version)| async move {
            match id {
                Some(id) => datagen_recipe_source(id, version).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let targets = page_resource(|| (), |_| datagen_targets());
    view! {
        <Title text=page_title(move || t().editor_title) />
        <h1 class="text-xl font-semibold">{move || t().editor_title}</h1>
        <div class="mt-2"><DatagenNav /></div>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match (source.await, targets.await) {
                    (Ok(source), Ok(targets)) => view! { <Editor source targets viewing=version() /> }.into_any(),
                    (Err(error), _) | (_, Err(error)) => view! { <PageError error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Editor(
    source: Option<RecipeSource>,
    targets: Vec<TargetSummary>,
    viewing: Option<i32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = i18n.datagen();
    let id = source.as_ref().map(|s| s.id);
    let text = RwSignal::new(
        source
            .as_ref()
            .map(|s| s.source.clone())
            .unwrap_or_default(),
    );
    let note = RwSignal::new(String::new());
    let target = RwSignal::new(targets.first().map(|t| t.id));
    let preview = ServerAction::<DatagenPreview>::new();
    let save = ServerAction::<DatagenSaveRecipe>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(SaveOutcome::Saved { id })) = save.value().get() {
            navigate(
                &format!("/console/datagen/recipes/{id}"),
                Default::default(),
            );
        }
    });
    let invalid = move || match save.value().get() {
        Some(Ok(SaveOutcome::Invalid { line, message })) => Some((line, message)),
        _ => match preview.value().get() {
            Some(Ok(Preview::Invalid { line, message })) => Some((line, message)),
            _ => None,
        },
    };
    let failure = move || {
        save.value()
            .get()
            .and_then(Result::err)
            .or_else(|| preview.value().get().and_then(Result::err))
    };
    let history = source.map(|s| s.history).unwrap_or_default();
    view! {
        <div class="mt-4 grid gap-4 lg:grid-cols-[1fr_20rem]">
            <form class=format!("space-y-3 {PANEL}") on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(DatagenSaveRecipe { id, source: text.get_untracked(), note: note.get_untracked() });
            }>
                {viewing.map(|v| view! { <p class=HINT>{fill(t.viewing_version, &[&v])}</p> })}
                <Labeled label=t.source>
                    <textarea class=format!("{INPUT} h-[32rem] font-mono text-xs") spellcheck="false"
                        data-testid="recipe-source" aria-invalid=move || invalid().is_some().to_string()
                        prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))>
                        {text.get_untracked()}
                    </textarea>
                </Labeled>
                {move || invalid().map(|(line, message)| view! {
                    <p role="alert" class="text-sm text-red-700" data-testid="recipe-error">
                        {line.map(|l| fill(t.line, &[&l]))} {message}
                    </p>
                })}
                {move || failure().map(|e| view! { <p role="alert" class="text-sm text-red-700">{e.message(i18n.t())}</p> })}
                <div class="flex flex-wrap items-end gap-3">
                    <Labeled label=t.preview_target>
                        <select class=INPUT on:change=move |ev| target.set(event_target_value(&ev).parse().ok())>
                            {targets.into_iter().map(|target| view! {
                                <option value=target.id.to_string()>{target.name}</option>
                            }).collect_view()}
                            <option value="">{t.sample_target}</option>
                        </select>
                    </Labeled>
                    <button type="button" class=SECONDARY_BUTTON data-testid="recipe-preview"
                        on:click=move |_| { preview.dispatch(DatagenPreview { source: text.get_untracked(), target: target.get_untracked() }); }>
                        {t.preview}
                    </button>
                </div>
                {move || match preview.value().get() {
                    Some(Ok(Preview::Request { step, method, url, headers, body, calls })) => Some(view! {
                        <div data-testid="recipe-preview-request">
                            <h2 class="text-sm font-semibold">{t.preview_title} " · " {step} " · " {fill(t.calls_count, &[&calls])}</h2>
                            <pre tabindex="0" class="mt-1 max-h-64 overflow-auto whitespace-pre-wrap rounded bg-slate-50 p-2 text-xs">
                                {format!("{method} {url}\n{}\n\n{body}", headers.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("\n"))}
                            </pre>
                        </div>
                    }),
                    _ => None,
                }}
                <Labeled label=t.note>
                    <input class=INPUT maxlength="200" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev)) />
                </Labeled>
                <button type="submit" class=PRIMARY_BUTTON data-testid="recipe-save" disabled=move || save.pending().get()>{t.save}</button>
            </form>
            <aside class=PANEL>
                <h2 class="font-semibold">{t.history}</h2>
                <ol class="mt-2 space-y-1 text-sm" data-testid="recipe-history">
                    {history.into_iter().map(|v| view! {
                        <li>
                            <a href=format!("/console/datagen/recipes/{}?version={}", id.unwrap_or_default(), v.version) class="text-sky-800 underline">
                                {t.version} " " {v.version}
                            </a>
                            " · " {v.by.unwrap_or_default()} " · " {format_minute(v.at)}
                            {(!v.note.is_empty()).then(|| view! { <span class="block text-slate-600">{v.note}</span> })}
                        </li>
                    }).collect_view()}
                </ol>
            </aside>
        </div>
    }
}
