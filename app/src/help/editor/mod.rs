//! `/console/kb`: the knowledge base's list and its editor (Markdown with a live preview,
//! review, publication, versions and their differences).

mod images;
pub mod texts;
mod upkeep;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use super::{
    kb_diff, kb_draft, kb_for_incident, kb_from_incident, kb_list, kb_preview, kb_synonyms,
    ArticleDraft, ArticleInput, ArticleState, Change, KbArchive, KbCreate, KbPublish,
    KbRemoveSynonyms, KbRestore, KbSave, KbSaveSynonyms, KbSendBack, KbSubmit, MAX_BODY_CHARS,
    MAX_SLUG_CHARS, MAX_TITLE_CHARS,
};
use crate::auth::{Action, AreaAccess};
use crate::error::AppError;
use crate::i18n::{fill, page_title, use_i18n, I18n};
use crate::incidents::IncidentNumber;
use crate::reference::list_systems;
use crate::resource::page_resource;
use crate::shell::{Loading, PageError};
use crate::time::format_minute;
use crate::ui::{
    InBrowser, Labeled, SystemModulePicker, INPUT, PANEL, PRIMARY_BUTTON, SECONDARY_BUTTON,
};
use images::ImageInsert;

/// The knowledge base's own sentences for its refusals, the shared ones otherwise.
fn error_message(i18n: I18n, error: &AppError) -> String {
    let t = i18n.kb();
    match error {
        AppError::OwnArticle => t.own_article.to_owned(),
        AppError::ArticleNotNow { state } => fill(t.not_now, &[&t.state(*state)]),
        other => other.message(i18n.t()),
    }
}

#[component]
pub fn KbListPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.kb();
    let filter = RwSignal::new(None::<ArticleState>);
    let articles = page_resource(move || filter.get(), kb_list);
    let tab = move |state: Option<ArticleState>| {
        let label = move || state.map_or(t().all, |s| t().state(s));
        view! {
            <button
                type="button"
                class="rounded-md px-3 py-1 text-sm aria-pressed:bg-slate-800 aria-pressed:text-white"
                aria-pressed=move || (filter.get() == state).to_string()
                on:click=move |_| filter.set(state)
            >
                {label}
            </button>
        }
    };
    view! {
        <Title text=page_title(move || t().title) />
        <div class="flex items-center justify-between">
            <h1 class="text-xl font-semibold">{move || t().title}</h1>
            <a href="/console/kb/new" class=PRIMARY_BUTTON data-testid="kb-new">{move || t().new_article}</a>
        </div>
        <p class="mt-1 text-sm text-slate-600">{move || t().hint}</p>
        <div class="mt-4 flex gap-1">
            {tab(None)}
            {ArticleState::ALL.into_iter().map(|s| tab(Some(s))).collect_view()}
        </div>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match articles.await {
                    Ok(list) if list.is_empty() => view! {
                        <p class="mt-4 text-slate-600">{move || t().none_yet}</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <table class="mt-4 w-full text-sm bg-white rounded-xl border border-slate-200" data-testid="kb-list">
                            <thead class="text-left text-slate-700">
                                <tr>
                                    <th class="px-3 py-2">{move || t().col_title}</th>
                                    <th class="px-3 py-2">{move || t().col_system}</th>
                                    <th class="px-3 py-2">{move || t().col_state}</th>
                                    <th class="px-3 py-2">{move || t().col_editor}</th>
                                    <th class="px-3 py-2">{move || t().col_updated}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {list.into_iter().map(|item| {
                                    let system = item.system.clone();
                                    view! {
                                        <tr class="border-t border-slate-200">
                                            <td class="px-3 py-2">
                                                <a href=format!("/console/kb/{}", item.id) class="text-sky-800 hover:underline">{item.title}</a>
                                            </td>
                                            <td class="px-3 py-2">{move || system.name(i18n.locale()).to_owned()}</td>
                                            <td class="px-3 py-2">{move || t().state(item.state)}</td>
                                            <td class="px-3 py-2">{item.editor}</td>
                                            <td class="px-3 py-2">{format_minute(item.updated_at)}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(error) => view! { <PageError error /> }.into_any(),
                }
            })}
        </Transition>
        <upkeep::WeeklyMaintenance />
        <Synonyms />
    }
}

/// The synonym groups search applies, kept by the team.
#[component]
fn Synonyms() -> impl IntoView {
    provide_context(crate::i18n::FieldNames(texts::field_name));
    let i18n = use_i18n();
    let t = move || i18n.kb();
    let save = ServerAction::<KbSaveSynonyms>::new();
    let remove = ServerAction::<KbRemoveSynonyms>::new();
    let groups = page_resource(
        move || (save.version().get(), remove.version().get()),
        |_| kb_synonyms(),
    );
    let typed = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            typed.set(String::new());
        }
    });
    let AreaAccess(access) = expect_context::<AreaAccess>();
    view! {
        <section class=format!("mt-6 max-w-3xl {PANEL}") data-testid="kb-synonyms">
            <h2 class="font-semibold">{move || t().synonyms}</h2>
            <p class="mt-1 text-sm text-slate-600">{move || t().synonyms_hint}</p>
            <Transition>
                {move || Suspend::new(async move {
                    let may_write = access.await.is_ok_and(|user| user.may(Action::WriteArticles));
                    let list = groups.await.unwrap_or_default();
                    view! {
                        <ul class="mt-3 space-y-1 text-sm">
                            {list.into_iter().map(|group| {
                                let id = group.id;
                                view! {
                                    <li class="flex items-center gap-3" data-testid="kb-synonym-group">
                                        <span>{group.words.join(" = ")}</span>
                                        {may_write.then(|| view! {
                                            <button type="button" class="text-red-700"
                                                on:click=move |_| { remove.dispatch(KbRemoveSynonyms { id }); }>{move || t().remove}</button>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                        {may_write.then(|| view! {
                            <div class="mt-3 flex gap-2">
                                <Labeled label=move || t().synonyms hidden_label=true class="flex-1">
                                    <input type="text" class=format!("w-full {INPUT}") data-testid="kb-synonym-input"
                                        placeholder="两融 = 融资融券"
                                        prop:value=move || typed.get()
                                        on:input=move |ev| typed.set(event_target_value(&ev)) />
                                </Labeled>
                                <button type="button" class=SECONDARY_BUTTON data-testid="kb-synonym-add" on:click=move |_| {
                                    let words = typed
                                        .get_untracked()
                                        .split([',', '，', '=', '＝', '、'])
                                        .map(|word| word.trim().to_owned())
                                        .collect();
                                    save.dispatch(KbSaveSynonyms { id: None, words });
                                }>{move || t().add_synonyms}</button>
                            </div>
                        })}
                    }
                })}
            </Transition>
            {move || save.value().get().and_then(Result::err)
                .or_else(|| remove.value().get().and_then(Result::err))
                .map(|error| view! { <p role="alert" class="mt-2 text-sm text-red-700">{error_message(i18n, &error)}</p> })}
        </section>
    }
}

/// What the form holds; kept while the article reloads after an action.
#[derive(Clone, Copy)]
struct Form {
    slug: RwSignal<String>,
    system: RwSignal<String>,
    module: RwSignal<String>,
    title: RwSignal<String>,
    tags: RwSignal<String>,
    body: RwSignal<String>,
}

impl Form {
    fn new() -> Self {
        Self {
            slug: RwSignal::new(String::new()),
            system: RwSignal::new(String::new()),
            module: RwSignal::new(String::new()),
            title: RwSignal::new(String::new()),
            tags: RwSignal::new(String::new()),
            body: RwSignal::new(String::new()),
        }
    }

    fn fill(&self, input: &ArticleInput) {
        self.slug.set(input.slug.clone());
        self.system.set(input.system.clone());
        self.module.set(input.module.clone().unwrap_or_default());
        self.title.set(input.title.clone());
        self.tags.set(input.tags.join("，"));
        self.body.set(input.body.clone());
    }

    fn input(&self) -> ArticleInput {
        ArticleInput {
            slug: self.slug.get_untracked(),
            system: self.system.get_untracked(),
            module: Some(self.module.get_untracked()).filter(|m| !m.is_empty()),
            title: self.title.get_untracked(),
            tags: self
                .tags
                .get_untracked()
                .split([',', '，', '、'])
                .map(|tag| tag.trim().to_owned())
                .filter(|tag| !tag.is_empty())
                .collect(),
            body: self.body.get_untracked(),
        }
    }
}

/// `/console/kb/new` and `/console/kb/{id}`.
#[component]
pub fn KbEditorPage() -> impl IntoView {
    provide_context(crate::i18n::FieldNames(texts::field_name));
    let i18n = use_i18n();
    let t = move || i18n.kb();
    let id = Memo::new(move |_| {
        use_params_map()
            .with(|p| p.get("id"))
            .and_then(|id| id.parse::<i64>().ok())
    });
    // `?incident=N` on a new article: written from that resolved incident, linked to it.
    let incident = use_query_map()
        .with_untracked(|q| q.get("incident"))
        .and_then(|n| n.parse::<i64>().ok())
        .map(IncidentNumber);
    let prefill = page_resource(
        move || (id.get().is_none()).then_some(incident).flatten(),
        |number| async move {
            match number {
                Some(number) => kb_from_incident(number).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let form = Form::new();
    let body_area = NodeRef::<leptos::html::Textarea>::new();
    let create = ServerAction::<KbCreate>::new();
    let save = ServerAction::<KbSave>::new();
    let submit = ServerAction::<KbSubmit>::new();
    let publish = ServerAction::<KbPublish>::new();
    let send_back = ServerAction::<KbSendBack>::new();
    let archive = ServerAction::<KbArchive>::new();
    let restore = ServerAction::<KbRestore>::new();
    let version = move || {
        (
            save.version().get(),
            submit.version().get(),
            publish.version().get(),
            send_back.version().get(),
            archive.version().get(),
            restore.version().get(),
        )
    };
    let draft = page_resource(
        move || (id.get(), version()),
        |(id, _)| async move {
            match id {
                Some(id) => kb_draft(id).await.map(Some),
                None => Ok(None),
            }
        },
    );
    // The form takes the stored copy when it loads, and again after a restore.
    Effect::new(move |_| {
        if let Some(Ok(Some(draft))) = draft.get() {
            if form.title.get_untracked().is_empty() || restore.value().get_untracked().is_some() {
                form.fill(&draft.input);
                restore.clear();
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(Some(input))) = prefill.get() {
            if form.title.get_untracked().is_empty() {
                form.fill(&input);
            }
        }
    });
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(new_id)) = create.value().get() {
            navigate(&format!("/console/kb/{new_id}"), Default::default());
        }
    });
    let systems = page_resource(|| (), |_| list_systems());
    let error = move || {
        [
            create.value().get().and_then(Result::err),
            save.value().get().and_then(Result::err),
            submit.value().get().and_then(Result::err),
            publish.value().get().and_then(Result::err),
            send_back.value().get().and_then(Result::err),
            archive.value().get().and_then(Result::err),
            restore.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    };
    let on_save = move |_| match id.get_untracked() {
        Some(id) => {
            save.dispatch(KbSave {
                id,
                input: form.input(),
            });
        }
        None => {
            create.dispatch(KbCreate {
                input: form.input(),
                incident,
            });
        }
    };
    let AreaAccess(access) = expect_context::<AreaAccess>();
    view! {
        <Title text=page_title(move || t().title) />
        <a href="/console/kb" class="text-sm text-sky-800 hover:underline">{move || t().back}</a>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let user = access.await.ok();
                let systems = match systems.await {
                    Ok(systems) => systems,
                    Err(error) => return view! { <PageError error /> }.into_any(),
                };
                let draft = match draft.await {
                    Ok(draft) => draft,
                    Err(error) => return view! { <PageError error /> }.into_any(),
                };
                let prefill_error = prefill.await.err();
                let may_write = user.as_ref().is_some_and(|u| u.may(Action::WriteArticles));
                let may_publish = user.as_ref().is_some_and(|u| u.may(Action::PublishArticles));
                let me = user.as_ref().map(|u| u.id);
                view! {
                    {prefill_error.map(|error| view! {
                        <p role="alert" class="mt-3 text-sm text-red-700">{error_message(i18n, &error)}</p>
                    })}
                    {incident.filter(|_| draft.is_none()).map(|n| view! {
                        <p class="mt-3 text-sm text-slate-700" data-testid="kb-source">{fill(t().from_incident_note, &[&n])}</p>
                    })}
                    <div class="mt-3 grid gap-6 xl:grid-cols-2">
                        <section class=format!("space-y-3 {PANEL}") data-testid="kb-form">
                            <Labeled label=move || t().field_title>
                                <input type="text" maxlength=MAX_TITLE_CHARS class=INPUT data-testid="kb-title"
                                    prop:value=move || form.title.get()
                                    on:input=move |ev| form.title.set(event_target_value(&ev)) />
                            </Labeled>
                            <div class="grid gap-3 sm:grid-cols-2">
                                <SystemModulePicker
                                    systems
                                    system=form.system
                                    on_system=move |code| { form.system.set(code); form.module.set(String::new()); }
                                    module=form.module
                                    on_module=move |code| form.module.set(code)
                                    no_system=move || t().choose
                                    no_module=move || t().no_module
                                    id_prefix="kb-"
                                    input_class=INPUT
                                />
                            </div>
                            <Labeled label=move || format!("{}（{}）", t().field_tags, t().tags_hint)>
                                <input type="text" class=INPUT data-testid="kb-tags"
                                    prop:value=move || form.tags.get()
                                    on:input=move |ev| form.tags.set(event_target_value(&ev)) />
                            </Labeled>
                            <Labeled label=move || format!("{}（{}）", t().field_slug, t().slug_hint)>
                                <input type="text" maxlength=MAX_SLUG_CHARS class=INPUT data-testid="kb-slug"
                                    prop:value=move || form.slug.get()
                                    on:input=move |ev| form.slug.set(event_target_value(&ev)) />
                            </Labeled>
                            <Labeled label=move || t().field_body>
                                <textarea rows="18" maxlength=MAX_BODY_CHARS class=format!("{INPUT} font-mono text-sm") data-testid="kb-body"
                                    node_ref=body_area
                                    prop:value=move || form.body.get()
                                    on:input=move |ev| form.body.set(event_target_value(&ev))></textarea>
                            </Labeled>
                            {may_write.then(|| view! { <ImageInsert body=form.body textarea=body_area /> })}
                            <div class="flex flex-wrap items-center gap-2">
                                {may_write.then(|| view! {
                                    <button type="button" class=PRIMARY_BUTTON data-testid="kb-save" on:click=on_save>{move || t().save}</button>
                                })}
                                {draft.clone().map(|d| view! { <StateActions draft=d may_write may_publish me submit publish send_back archive /> })}
                                {move || save.value().get().and_then(Result::ok).map(|()| view! {
                                    <span class="text-sm text-green-800" role="status">{t().saved}</span>
                                })}
                            </div>
                            {move || error().map(|error| view! {
                                <p role="alert" class="text-sm text-red-700" data-testid="kb-error">{error_message(i18n, &error)}</p>
                            })}
                        </section>
                        <section class=PANEL>
                            <h2 class="font-semibold">{move || t().preview}</h2>
                            <Preview body=form.body />
                        </section>
                    </div>
                    {draft.map(|d| view! { <DraftFacts draft=d restore may_write may_publish /> })}
                }.into_any()
            })}
        </Transition>
    }
}

/// The body rendered and sanitised by the server exactly as readers will get it.
#[component]
fn Preview(body: RwSignal<String>) -> impl IntoView {
    let html = page_resource(
        move || body.get(),
        |body| async move {
            if body.trim().is_empty() {
                Ok(String::new())
            } else {
                kb_preview(body).await
            }
        },
    );
    view! {
        <Transition>
            {move || Suspend::new(async move {
                let html = html.await.unwrap_or_default();
                view! { <div class="article-body mt-3" data-testid="kb-preview" inner_html=html></div> }
            })}
        </Transition>
    }
}

#[component]
fn StateActions(
    draft: ArticleDraft,
    may_write: bool,
    may_publish: bool,
    me: Option<i64>,
    submit: ServerAction<KbSubmit>,
    publish: ServerAction<KbPublish>,
    send_back: ServerAction<KbSendBack>,
    archive: ServerAction<KbArchive>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.kb();
    let id = draft.id;
    let state = draft.state;
    let own = me == Some(draft.editor_id);
    view! {
        {(may_write && state == ArticleState::Draft).then(|| view! {
            <button type="button" class=SECONDARY_BUTTON data-testid="kb-submit"
                on:click=move |_| { submit.dispatch(KbSubmit { id }); }>{move || t().submit}</button>
        })}
        {(may_publish && state == ArticleState::Review).then(|| view! {
            <button type="button" class=PRIMARY_BUTTON data-testid="kb-publish" disabled=own title=move || own.then(|| t().own_article)
                on:click=move |_| { publish.dispatch(KbPublish { id }); }>{move || t().publish}</button>
            <button type="button" class=SECONDARY_BUTTON data-testid="kb-send-back"
                on:click=move |_| { send_back.dispatch(KbSendBack { id }); }>{move || t().send_back}</button>
        })}
        {(may_write && state != ArticleState::Archived).then(|| view! {
            <button type="button" class="px-3 py-1.5 text-sm text-red-700" data-testid="kb-archive"
                on:click=move |_| { archive.dispatch(KbArchive { id }); }>{move || t().archive}</button>
        })}
        <span class="text-sm text-slate-700" data-testid="kb-state">{move || t().state(state)}</span>
    }
}

/// Who wrote and reviewed it, the live version, the versions with their differences.
#[component]
fn DraftFacts(
    draft: ArticleDraft,
    restore: ServerAction<KbRestore>,
    may_write: bool,
    may_publish: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.kb();
    let id = draft.id;
    let compared = RwSignal::new(None::<i32>);
    let diff = page_resource(
        move || compared.get(),
        move |to| async move {
            match to {
                Some(to) => kb_diff(id, to - 1, to).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let slug = draft.input.slug.clone();
    let pinned = draft.pinned;
    view! {
        <section class=format!("mt-6 space-y-2 text-sm {PANEL}") data-testid="kb-facts">
            <p>{fill(t().written_by, &[&draft.editor])}</p>
            {draft.reviewer.clone().zip(draft.last_reviewed_at).map(|(who, at)| view! {
                <p>{fill(t().reviewed, &[&format_minute(at), &who])}</p>
            })}
            <p data-testid="kb-live">
                {match draft.live_version {
                    Some(v) => view! {
                        {fill(t().live, &[&v])} " · "
                        <a href=format!("/help/a/{slug}") class="text-sky-800 hover:underline" rel="external">{t().view_live}</a>
                        <upkeep::LiveActions id pinned may_write may_publish />
                    }.into_any(),
                    None => t().not_live.into_any(),
                }}
            </p>
            {(!draft.incidents.is_empty()).then(|| view! {
                <p>{t().incidents} ": "
                    {draft.incidents.iter().map(|n| view! {
                        <a href=format!("/console/i/{n}") class="mr-2 text-sky-800 hover:underline">{format!("#{n}")}</a>
                    }).collect_view()}
                </p>
            })}
            <h2 class="pt-2 font-semibold">{t().versions}</h2>
            <ul class="space-y-1" data-testid="kb-versions">
                {draft.versions.iter().map(|v| {
                    let number = v.version;
                    view! {
                        <li class="flex flex-wrap items-center gap-3">
                            <span>{fill(t().version_line, &[&v.version, &format_minute(v.published_at), &v.author, &v.published_by])}</span>
                            {(number > 1).then(|| view! {
                                <button type="button" class="text-sky-800" data-testid="kb-compare"
                                    on:click=move |_| compared.set(Some(number))>{t().compare}</button>
                            })}
                            {may_write.then(|| view! {
                                <button type="button" class="text-sky-800" data-testid="kb-restore"
                                    on:click=move |_| { restore.dispatch(KbRestore { id, version: number }); }>{t().restore}</button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <Transition>
                {move || Suspend::new(async move {
                    match diff.await {
                        Ok(Some(lines)) => view! {
                            <h3 class="pt-2 font-medium">{compared.get_untracked().map(|to| fill(t().diff_title, &[&(to - 1), &to]))}</h3>
                            <pre class="overflow-x-auto rounded bg-slate-50 p-2 text-xs" data-testid="kb-diff">
                                {lines.into_iter().map(|line| {
                                    let (sign, class) = match line.change {
                                        Change::Same => (" ", ""),
                                        Change::Added => ("+", "bg-green-100 text-green-900"),
                                        Change::Removed => ("-", "bg-red-100 text-red-900"),
                                    };
                                    view! { <div class=class>{format!("{sign} {}", line.text)}</div> }
                                }).collect_view()}
                            </pre>
                        }.into_any(),
                        Ok(None) => ().into_any(),
                        Err(error) => view! { <p role="alert" class="text-red-700">{error_message(i18n, &error)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// On the console's incident page: the help articles written from or answering the incident,
/// and, once it is resolved, the way to write one from it.
#[component]
pub fn IncidentArticles(number: IncidentNumber, resolved: bool, may_write: bool) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.kb();
    // Loaded in the browser only: a side panel that need not hold up the page.
    let articles = LocalResource::new(move || kb_for_incident(number));
    view! {
        <section class=PANEL data-testid="incident-articles">
            <h2 class="font-semibold">{move || t().articles_of_incident}</h2>
            <InBrowser>
            <Suspense>
                {move || Suspend::new(async move {
                    let list = articles.await.unwrap_or_default();
                    view! {
                        <ul class="mt-2 space-y-1 text-sm">
                            {list.into_iter().map(|item| view! {
                                <li>
                                    <a href=format!("/console/kb/{}", item.id) class="text-sky-800 hover:underline">{item.title}</a>
                                    " · " {move || t().state(item.state)}
                                </li>
                            }).collect_view()}
                        </ul>
                    }
                })}
            </Suspense>
            </InBrowser>
            {(resolved && may_write).then(|| view! {
                <a href=format!("/console/kb/new?incident={number}") class=format!("mt-3 inline-block {SECONDARY_BUTTON}")
                    data-testid="article-from-incident">{move || t().from_incident}</a>
            })}
        </section>
    }
}
