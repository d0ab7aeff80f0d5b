//! `/console/sessions`: the schedule form beside the hot consultations, and every session
//! with its results and effect.

use leptos::prelude::*;
use leptos_meta::Title;

use super::texts::SessionTexts;
use super::{
    session_hot, session_list, KnowledgeSession, SessionPlan, SessionRecordResults, SessionResults,
    SessionSave, MAX_QUESTION, MAX_TOPIC, MAX_URL, SCORE_BANDS,
};
use crate::auth::{Action, AreaAccess};
use crate::error::AppError;
use crate::i18n::{fill, page_title, use_i18n};
use crate::resource::page_resource;
use crate::shell::{Loading, PageError};
use crate::time::format_minute;
use crate::ui::{Labeled, HINT, INPUT, PANEL, PRIMARY_BUTTON, SECONDARY_BUTTON};

/// The sentence for `field` when `error` is about it.
fn error_at(
    error: Option<AppError>,
    field: &str,
    t: &'static crate::i18n::Texts,
) -> Option<String> {
    match error {
        Some(AppError::Invalid { field: f, .. }) if f != field => None,
        Some(error @ AppError::Invalid { .. }) => Some(error.message(t)),
        _ => None,
    }
}

#[component]
pub fn SessionsPage() -> impl IntoView {
    provide_context(crate::i18n::FieldNames(super::texts::field_name));
    let i18n = use_i18n();
    let t = move || i18n.sessions();
    let plan = RwSignal::new(SessionPlan::usual(chrono::Utc::now()));
    let save = ServerAction::<SessionSave>::new();
    let record = ServerAction::<SessionRecordResults>::new();
    let changed = RwSignal::new(0u32);
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            plan.set(SessionPlan::usual(chrono::Utc::now()));
            changed.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = record.value().get() {
            changed.update(|n| *n += 1);
        }
    });
    let sessions = page_resource(move || changed.get(), |_| session_list());
    let hot = page_resource(|| (), |_| session_hot());
    let AreaAccess(access) = expect_context::<AreaAccess>();
    view! {
        <Title text=page_title(move || t().title) />
        <h1 class="text-xl font-semibold">{move || t().title}</h1>
        <p class=format!("mt-1 max-w-3xl {HINT}")>{move || t().intro}</p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let editable = access.await.is_ok_and(|user| user.may(Action::WriteArticles));
                let hot = hot.await;
                let form = editable.then(|| view! {
                    <div class="mt-4 grid gap-4 lg:grid-cols-3">
                        <div class="lg:col-span-2"><PlanForm plan save /></div>
                        <HotPanel hot plan />
                    </div>
                });
                let list = match sessions.await {
                    Ok(list) if list.is_empty() => view! {
                        <p class="mt-4 text-slate-600">{move || t().none_yet}</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <h2 class="mt-8 text-lg font-semibold">{move || t().sessions_title}</h2>
                        <ul class="mt-3 max-w-4xl space-y-3" data-testid="sessions">
                            {list.into_iter().map(|session| view! {
                                <SessionCard session editable plan record />
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <PageError error /> }.into_any(),
                };
                view! { {form} {list} }
            })}
        </Transition>
    }
}

/// A text field of the plan.
fn plan_field(
    plan: RwSignal<SessionPlan>,
    get: fn(&SessionPlan) -> &String,
    set: fn(&mut SessionPlan, String),
) -> (
    impl Fn() -> String + Copy,
    impl Fn(leptos::ev::Event) + Copy,
) {
    (
        move || plan.with(|p| get(p).clone()),
        move |ev| plan.update(|p| set(p, event_target_value(&ev))),
    )
}

#[component]
fn PlanForm(plan: RwSignal<SessionPlan>, save: ServerAction<SessionSave>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.sessions();
    let error = move |field: &'static str| {
        move || {
            error_at(save.value().get().and_then(Result::err), field, i18n.t())
                .map(|text| view! { <p role="alert" class="text-sm text-red-700">{text}</p> })
        }
    };
    let invalid = move |field: &'static str| {
        move || {
            error_at(save.value().get().and_then(Result::err), field, i18n.t())
                .is_some()
                .to_string()
        }
    };
    let (starts, set_starts) = plan_field(plan, |p| &p.starts_at, |p, v| p.starts_at = v);
    let (talk, set_talk) = plan_field(plan, |p| &p.talk_minutes, |p, v| p.talk_minutes = v);
    let (quiz, set_quiz) = plan_field(plan, |p| &p.quiz_minutes, |p, v| p.quiz_minutes = v);
    let (qa, set_qa) = plan_field(plan, |p| &p.qa_minutes, |p, v| p.qa_minutes = v);
    let (topic, set_topic) = plan_field(plan, |p| &p.topic, |p, v| p.topic = v);
    let (topics, set_topics) = plan_field(plan, |p| &p.subcategories, |p, v| p.subcategories = v);
    let (articles, set_articles) = plan_field(plan, |p| &p.articles, |p, v| p.articles = v);
    let other = move || {
        save.value().get().and_then(Result::err).filter(|e| !matches!(e, AppError::Invalid { .. }))
            .map(|error| view! { <p role="alert" class="text-sm text-red-700">{error.message(i18n.t())}</p> })
    };
    view! {
        <section class=format!("space-y-3 {PANEL}") data-testid="session-form">
            <h2 class="font-semibold">
                {move || if plan.with(|p| p.id.is_some()) { t().edit_title } else { t().schedule_title }}
            </h2>
            <Labeled label=move || t().starts_at>
                <input type="datetime-local" class=INPUT data-testid="session-starts" aria-invalid=invalid("starts_at")
                    prop:value=starts on:input=set_starts />
                {error("starts_at")}
            </Labeled>
            <div class="flex flex-wrap gap-3">
                <Labeled label=move || t().talk_minutes>
                    <input type="number" min="0" max="240" class=format!("w-28 {INPUT}") data-testid="session-talk"
                        aria-invalid=invalid("talk_minutes") prop:value=talk on:input=set_talk />
                    {error("talk_minutes")}
                </Labeled>
                <Labeled label=move || t().quiz_minutes>
                    <input type="number" min="0" max="240" class=format!("w-28 {INPUT}") data-testid="session-quiz"
                        aria-invalid=invalid("quiz_minutes") prop:value=quiz on:input=set_quiz />
                    {error("quiz_minutes")}
                </Labeled>
                <Labeled label=move || t().qa_minutes>
                    <input type="number" min="0" max="240" class=format!("w-28 {INPUT}") data-testid="session-qa"
                        aria-invalid=invalid("qa_minutes") prop:value=qa on:input=set_qa />
                    {error("qa_minutes")}
                </Labeled>
            </div>
            <Labeled label=move || t().topic>
                <input type="text" maxlength=MAX_TOPIC class=INPUT data-testid="session-topic"
                    aria-invalid=invalid("topic") prop:value=topic on:input=set_topic />
                {error("topic")}
            </Labeled>
            <Labeled label=move || t().subcategories>
                <input type="text" class=INPUT data-testid="session-subcategories"
                    aria-invalid=invalid("subcategories") prop:value=topics on:input=set_topics />
                {error("subcategories")}
            </Labeled>
            <Labeled label=move || t().articles>
                <input type="text" class=INPUT data-testid="session-articles"
                    aria-invalid=invalid("articles") prop:value=articles on:input=set_articles />
                {error("articles")}
            </Labeled>
            <div class="flex items-center gap-3">
                <button type="button" class=PRIMARY_BUTTON data-testid="session-save"
                    on:click=move |_| { save.dispatch(SessionSave { plan: plan.get_untracked() }); }>
                    {move || t().save}
                </button>
                <Show when=move || plan.with(|p| p.id.is_some())>
                    <button type="button" class=SECONDARY_BUTTON
                        on:click=move |_| plan.set(SessionPlan::usual(chrono::Utc::now()))>
                        {move || t().cancel}
                    </button>
                </Show>
                {move || matches!(save.value().get(), Some(Ok(_))).then(|| view! {
                    <span role="status" class="text-sm text-emerald-800">{t().saved}</span>
                })}
            </div>
            {other}
        </section>
    }
}

/// Adds `item` to a list typed into one field, unless it is there already.
fn appended(list: &str, item: &str, separator: &str) -> String {
    let list = list.trim();
    if super::items(list, &[',', '，', '、', ';', ' '])
        .iter()
        .any(|i| i == item)
    {
        list.to_owned()
    } else if list.is_empty() {
        item.to_owned()
    } else {
        format!("{list}{separator}{item}")
    }
}

#[component]
fn HotPanel(
    hot: Result<super::HotConsultations, AppError>,
    plan: RwSignal<SessionPlan>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.sessions();
    let hot = match hot {
        Ok(hot) => hot,
        Err(error) => return view! { <PageError error /> }.into_any(),
    };
    let empty = hot.subcategories.is_empty() && hot.articles.is_empty();
    view! {
        <aside class=PANEL data-testid="session-hot">
            <h2 class="font-semibold">{move || t().hot_title}</h2>
            {empty.then(|| view! { <p class=format!("mt-2 {HINT}")>{move || t().no_hot}</p> })}
            {(!hot.subcategories.is_empty()).then(|| view! {
                <h3 class="mt-3 text-sm text-slate-700">{move || t().hot_subcategories}</h3>
                <ul class="mt-1 space-y-1 text-sm">
                    {hot.subcategories.into_iter().map(|(name, count)| {
                        let item = name.clone();
                        view! {
                            <li class="flex items-center justify-between gap-2">
                                <span>{name} " · " {count}</span>
                                <button type="button" class="text-sky-800 underline" data-testid="hot-add-subcategory"
                                    on:click=move |_| plan.update(|p| p.subcategories = appended(&p.subcategories, &item, "、"))>
                                    {move || t().add}
                                </button>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            {(!hot.articles.is_empty()).then(|| view! {
                <h3 class="mt-3 text-sm text-slate-700">{move || t().hot_articles}</h3>
                <ul class="mt-1 space-y-1 text-sm">
                    {hot.articles.into_iter().map(|(article, count)| {
                        let slug = article.slug.clone();
                        view! {
                            <li class="flex items-center justify-between gap-2">
                                <a href=format!("/help/a/{}", article.slug) class="text-sky-800 underline">{article.title}</a>
                                <span class="shrink-0">{count} " "
                                    <button type="button" class="text-sky-800 underline" data-testid="hot-add-article"
                                        on:click=move |_| plan.update(|p| p.articles = appended(&p.articles, &slug, " "))>
                                        {move || t().add}
                                    </button>
                                </span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
        </aside>
    }
    .into_any()
}

#[component]
fn SessionCard(
    session: KnowledgeSession,
    editable: bool,
    plan: RwSignal<SessionPlan>,
    record: ServerAction<SessionRecordResults>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.sessions();
    let open = RwSignal::new(false);
    let running =
        session.starts_at + chrono::Duration::days(super::EFFECT_DAYS) > chrono::Utc::now();
    let covers = !session.subcategories.is_empty() || !session.articles.is_empty();
    let as_plan = SessionPlan {
        id: Some(session.id),
        starts_at: crate::time::to_shanghai(session.starts_at)
            .format("%Y-%m-%dT%H:%M")
            .to_string(),
        talk_minutes: session.talk_minutes.to_string(),
        quiz_minutes: session.quiz_minutes.to_string(),
        qa_minutes: session.qa_minutes.to_string(),
        topic: session.topic.clone(),
        subcategories: session.subcategories.join("、"),
        articles: session
            .articles
            .iter()
            .map(|a| a.slug.as_str())
            .collect::<Vec<_>>()
            .join(" "),
    };
    let results = SessionResults {
        id: session.id,
        replay_url: session.replay_url.clone().unwrap_or_default(),
        live_audience: session
            .live_audience
            .map(|n| n.to_string())
            .unwrap_or_default(),
        total_viewers: session
            .total_viewers
            .map(|n| n.to_string())
            .unwrap_or_default(),
        quiz_questions: session.quiz_questions.join("\n"),
        score_bands: std::array::from_fn(|i| {
            session
                .score_bands
                .as_ref()
                .and_then(|b| b.get(i))
                .map(|n| n.to_string())
                .unwrap_or_default()
        }),
    };
    let (talk, quiz, qa) = (
        session.talk_minutes,
        session.quiz_minutes,
        session.qa_minutes,
    );
    let effect = session.effect;
    view! {
        <li class=PANEL data-testid="session" data-id=session.id>
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <h3 class="font-semibold" data-testid="session-topic-line">{session.topic.clone()}</h3>
                <span class="text-sm text-slate-700">{format_minute(session.starts_at)}</span>
            </div>
            <p class=HINT>{move || fill(t().agenda, &[&talk, &quiz, &qa])}</p>
            {(!session.subcategories.is_empty()).then(|| view! {
                <p class="mt-1 text-sm">{session.subcategories.join("、")}</p>
            })}
            {(!session.articles.is_empty()).then(|| view! {
                <ul class="mt-1 flex flex-wrap gap-3 text-sm">
                    {session.articles.iter().map(|a| view! {
                        <li><a href=format!("/help/a/{}", a.slug) class="text-sky-800 underline">{a.title.clone()}</a></li>
                    }).collect_view()}
                </ul>
            })}
            <p class="mt-2 text-sm" data-testid="session-effect">
                {move || if covers {
                    let mut line = fill(t().effect, &[&effect.before, &effect.after]);
                    if running { line.push_str(t().effect_running); }
                    line
                } else {
                    t().no_topics.to_owned()
                }}
            </p>
            <Results session=session.clone() />
            {editable.then(|| view! {
                <div class="mt-3 flex gap-3 text-sm">
                    <button type="button" class="text-sky-800 underline" data-testid="session-change"
                        on:click=move |_| plan.set(as_plan.clone())>{move || t().change_plan}</button>
                    <button type="button" class="text-sky-800 underline" data-testid="session-record"
                        on:click=move |_| open.update(|o| *o = !*o)>{move || t().record_results}</button>
                </div>
                <Show when=move || open.get()>
                    <ResultsForm results=results.clone() record />
                </Show>
            })}
        </li>
    }
}

#[component]
fn Results(session: KnowledgeSession) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.sessions();
    let recorded = session.replay_url.is_some()
        || session.live_audience.is_some()
        || session.total_viewers.is_some()
        || !session.quiz_questions.is_empty()
        || session.score_bands.is_some();
    if !recorded {
        return view! { <p class=format!("mt-1 {HINT}")>{move || t().no_results}</p> }.into_any();
    }
    let live = session
        .live_audience
        .map_or_else(|| "—".to_owned(), |n| n.to_string());
    let total = session
        .total_viewers
        .map_or_else(|| "—".to_owned(), |n| n.to_string());
    view! {
        <div class="mt-2 space-y-1 text-sm" data-testid="session-results">
            {session.replay_url.map(|url| view! {
                <p><a href=url rel="noopener noreferrer" class="text-sky-800 underline">{move || t().replay}</a></p>
            })}
            <p data-testid="session-audience">{move || fill(t().audience, &[&live, &total])}</p>
            {(!session.quiz_questions.is_empty()).then(|| view! {
                <p class="text-slate-700">{move || t().questions_title}</p>
                <ol class="list-decimal pl-5">
                    {session.quiz_questions.into_iter().map(|q| view! { <li>{q}</li> }).collect_view()}
                </ol>
            })}
            {session.score_bands.map(|bands| view! {
                <p class="text-slate-700">{move || t().scores_title}</p>
                <table class="text-sm" data-testid="session-scores">
                    <tbody>
                        {SCORE_BANDS.into_iter().zip(bands).map(|(band, count)| view! {
                            <tr><td class="pr-4">{move || fill(t().points, &[&band])}</td><td class="text-right">{count}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </div>
    }
    .into_any()
}

#[component]
fn ResultsForm(
    results: SessionResults,
    record: ServerAction<SessionRecordResults>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.sessions();
    let form = RwSignal::new(results);
    let error = move |field: &'static str| {
        move || {
            error_at(record.value().get().and_then(Result::err), field, i18n.t())
                .map(|text| view! { <p role="alert" class="text-sm text-red-700">{text}</p> })
        }
    };
    let text = |label: fn(&SessionTexts) -> &'static str,
                testid: &'static str,
                field: &'static str,
                get: fn(&SessionResults) -> &String,
                set: fn(&mut SessionResults, String)| {
        view! {
            <Labeled label=move || label(i18n.sessions())>
                <input type="text" maxlength=MAX_URL class=INPUT data-testid=testid
                    prop:value=move || form.with(|f| get(f).clone())
                    on:input=move |ev| form.update(|f| set(f, event_target_value(&ev))) />
                {error(field)}
            </Labeled>
        }
    };
    view! {
        <section class="mt-3 space-y-3 border-t border-slate-200 pt-3" data-testid="results-form">
            <h4 class="font-medium">{move || t().results_title}</h4>
            {text(|t| t.replay_url, "results-replay", "replay_url", |f| &f.replay_url, |f, v| f.replay_url = v)}
            <div class="flex flex-wrap gap-3">
                {text(|t| t.live_audience, "results-live", "live_audience", |f| &f.live_audience, |f, v| f.live_audience = v)}
                {text(|t| t.total_viewers, "results-total", "total_viewers", |f| &f.total_viewers, |f, v| f.total_viewers = v)}
            </div>
            <Labeled label=move || t().quiz_questions>
                <textarea rows="4" class=INPUT data-testid="results-questions" maxlength=MAX_QUESTION * 20
                    prop:value=move || form.with(|f| f.quiz_questions.clone())
                    on:input=move |ev| form.update(|f| f.quiz_questions = event_target_value(&ev))></textarea>
                {error("quiz_questions")}
            </Labeled>
            <fieldset>
                <legend class="text-sm text-slate-700">{move || t().score_bands}</legend>
                <div class="mt-1 flex flex-wrap gap-2">
                    {SCORE_BANDS.into_iter().enumerate().map(|(i, band)| view! {
                        <Labeled label=move || fill(t().points, &[&band])>
                            <input type="text" inputmode="numeric" class=format!("w-20 {INPUT}") data-testid="results-band"
                                prop:value=move || form.with(|f| f.score_bands[i].clone())
                                on:input=move |ev| form.update(|f| f.score_bands[i] = event_target_value(&ev)) />
                        </Labeled>
                    }).collect_view()}
                </div>
                {error("score_bands")}
            </fieldset>
            <button type="button" class=PRIMARY_BUTTON data-testid="results-save"
                on:click=move |_| { record.dispatch(SessionRecordResults { results: form.get_untracked() }); }>
                {move || t().save_results}
            </button>
        </section>
    }
}
