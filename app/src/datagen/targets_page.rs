//! `/console/datagen/targets`: the test environments; admins add and change them. Credentials
//! are write-only: a page shows their names.

use leptos::prelude::*;
use leptos_meta::Title;

use super::jobs_page::DatagenNav;
use super::{datagen_targets, DatagenSaveTarget, System, TargetInput, TargetSummary};
use crate::auth::{Action, AreaAccess};
use crate::error::AppError;
use crate::i18n::{fill, page_title, use_i18n};
use crate::resource::page_resource;
use crate::shell::{Loading, PageError};
use crate::ui::{Labeled, HINT, INPUT, PANEL, PRIMARY_BUTTON, SECONDARY_BUTTON};

#[component]
pub fn TargetsPage() -> impl IntoView {
    provide_context(crate::i18n::FieldNames(super::texts::field_name));
    let i18n = use_i18n();
    let t = move || i18n.datagen();
    let save = ServerAction::<DatagenSaveTarget>::new();
    let targets = page_resource(move || save.version().get(), |_| datagen_targets());
    let AreaAccess(access) = expect_context::<AreaAccess>();
    view! {
        <Title text=page_title(move || t().targets) />
        <h1 class="text-xl font-semibold">{move || t().targets}</h1>
        <p class=format!("mt-1 max-w-3xl {HINT}")>{move || t().targets_intro}</p>
        <div class="mt-2"><DatagenNav /></div>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let may_edit = access.await.is_ok_and(|user| user.may(Action::ManageTestTargets));
                match targets.await {
                    Ok(targets) => view! {
                        <div class="mt-4 space-y-4" data-testid="datagen-targets">
                            {targets.into_iter().map(|target| view! { <TargetForm target=Some(target) may_edit save /> }).collect_view()}
                            {may_edit.then(|| view! { <TargetForm target=None may_edit save /> })}
                        </div>
                    }.into_any(),
                    Err(error) => view! { <PageError error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The indexes of the credential rows, for `<For>`.
fn secret_rows(secrets: RwSignal<Vec<(String, String)>>) -> Vec<usize> {
    (0..secrets.with(Vec::len)).collect()
}

#[component]
fn TargetForm(
    target: Option<TargetSummary>,
    may_edit: bool,
    save: ServerAction<DatagenSaveTarget>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = i18n.datagen();
    let id = target.as_ref().map(|t| t.id);
    let name = RwSignal::new(target.as_ref().map(|t| t.name.clone()).unwrap_or_default());
    let description = RwSignal::new(
        target
            .as_ref()
            .map(|t| t.description.clone())
            .unwrap_or_default(),
    );
    let urls: Vec<(System, RwSignal<String>)> = System::ALL
        .into_iter()
        .map(|system| {
            let url = target
                .as_ref()
                .and_then(|t| t.base_urls.iter().find(|(s, _)| *s == system))
                .map(|(_, url)| url.clone())
                .unwrap_or_default();
            (system, RwSignal::new(url))
        })
        .collect();
    let kept: Vec<String> = target
        .as_ref()
        .map(|t| t.secret_names.clone())
        .unwrap_or_default();
    let secrets = RwSignal::new(
        kept.iter()
            .map(|n| (n.clone(), String::new()))
            .collect::<Vec<_>>(),
    );
    let concurrency = RwSignal::new(target.as_ref().map_or(4, |t| t.concurrency).to_string());
    let mine = RwSignal::new(false);
    let problem = move || {
        mine.get()
            .then(|| save.value().get().and_then(Result::err))
            .flatten()
    };
    let error_at = move |field: String| {
        move || match problem() {
            Some(error @ AppError::Invalid { .. }) if matches!(&error, AppError::Invalid { field: f, .. } if *f == field || f.starts_with("secret") && field == "secrets") => {
                Some(error.message(i18n.t()))
            }
            _ => None,
        }
    };
    let urls_for_submit = urls.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        mine.set(true);
        save.dispatch(DatagenSaveTarget {
            input: TargetInput {
                id,
                name: name.get_untracked(),
                description: description.get_untracked(),
                base_urls: urls_for_submit
                    .iter()
                    .map(|(s, u)| (*s, u.get_untracked()))
                    .collect(),
                secrets: secrets.get_untracked(),
                concurrency: concurrency.get_untracked().trim().parse().unwrap_or(0),
            },
        });
    };
    let title = target
        .as_ref()
        .map_or(t.new_target.to_owned(), |t| t.name.clone());
    let running = target
        .as_ref()
        .map(|target| fill(t.running_now, &[&target.processing, &target.queued]));
    view! {
        <form class=format!("space-y-3 {PANEL}") on:submit=on_submit data-testid="target-form">
            <div class="flex items-baseline gap-3">
                <h2 class="font-semibold">{title}</h2>
                {running.map(|r| view! { <span class=HINT>{r}</span> })}
            </div>
            <fieldset disabled=!may_edit class="grid gap-3 md:grid-cols-2">
                <Labeled label=t.name>
                    <input class=INPUT maxlength="40" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) data-testid="target-name" />
                    {move || error_at("name".into())().map(|e| view! { <span role="alert" class="text-sm text-red-700">{e}</span> })}
                </Labeled>
                <Labeled label=t.concurrency>
                    <input class=INPUT inputmode="numeric" prop:value=move || concurrency.get() on:input=move |ev| concurrency.set(event_target_value(&ev)) />
                    {move || error_at("concurrency".into())().map(|e| view! { <span role="alert" class="text-sm text-red-700">{e}</span> })}
                </Labeled>
                <Labeled label=t.description class="flex flex-col gap-1 md:col-span-2">
                    <input class=INPUT maxlength="500" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev)) />
                </Labeled>
                {urls.into_iter().map(|(system, url)| {
                    let field = format!("url_{}", system.as_str());
                    view! {
                        <Labeled label=fill(t.base_url, &[&t.system(system)]) class="flex flex-col gap-1 md:col-span-2">
                            <input class=INPUT type="url" prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev)) />
                            {move || error_at(field.clone())().map(|e| view! { <span role="alert" class="text-sm text-red-700">{e}</span> })}
                        </Labeled>
                    }
                }).collect_view()}
                <fieldset class="space-y-2 md:col-span-2">
                    <legend class="text-sm text-slate-700">{t.secrets}</legend>
                    <p class=HINT>{t.secrets_hint}</p>
                    <For each=move || secret_rows(secrets) key=|i| *i let:index>
                        {
                            let kept = kept.clone();
                            view! {
                                <div class="flex flex-wrap items-end gap-2">
                                    <Labeled label=t.secret_name>
                                        <input class=INPUT prop:value=move || secrets.with(|s| s.get(index).map(|p| p.0.clone()).unwrap_or_default())
                                            on:input=move |ev| secrets.update(|s| if let Some(p) = s.get_mut(index) { p.0 = event_target_value(&ev) }) />
                                    </Labeled>
                                    <Labeled label=t.secret_value>
                                        <input class=INPUT type="password" autocomplete="new-password"
                                            placeholder=move || secrets.with(|s| s.get(index).is_some_and(|p| kept.contains(&p.0))).then_some(t.secret_kept)
                                            prop:value=move || secrets.with(|s| s.get(index).map(|p| p.1.clone()).unwrap_or_default())
                                            on:input=move |ev| secrets.update(|s| if let Some(p) = s.get_mut(index) { p.1 = event_target_value(&ev) }) />
                                    </Labeled>
                                    <button type="button" class=SECONDARY_BUTTON on:click=move |_| secrets.update(|s| { if index < s.len() { s.remove(index); } })>{t.remove}</button>
                                </div>
                            }
                        }
                    </For>
                    <button type="button" class=SECONDARY_BUTTON on:click=move |_| secrets.update(|s| s.push((String::new(), String::new())))>{t.add_secret}</button>
                    {move || error_at("secrets".into())().map(|e| view! { <span role="alert" class="block text-sm text-red-700">{e}</span> })}
                </fieldset>
            </fieldset>
            {may_edit.then(|| view! {
                <button type="submit" class=PRIMARY_BUTTON disabled=move || save.pending().get()>{t.save}</button>
            })}
        </form>
    }
}
