//! `/console/reviews`: scripts waiting for a reviewer, and the latest decisions.

use std::collections::HashMap;

use crate::i18n::page_title;
use crate::resource::page_resource;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::{datafix_reviews, DataFixScript, DatafixReview, ScriptCard, ScriptStatus};
use crate::i18n::use_i18n;
use crate::shell::{Loading, PageError};
use crate::ui::{Labeled, INPUT};

#[component]
pub fn ReviewsPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.datafix();
    let review = ServerAction::<DatafixReview>::new();
    let refresh = RwSignal::new(0u32);
    // Comments being written survive the list's refreshes.
    let comments = RwSignal::new(HashMap::<i64, String>::new());
    Effect::new(move |_| {
        if let Some(Ok(())) = review.value().get() {
            refresh.update(|n| *n += 1);
        }
    });
    let scripts = page_resource(move || refresh.get(), |_| datafix_reviews());
    crate::incidents::follow::refresh_on_changes(
        || Some("/api/console/events".to_owned()),
        refresh,
    );
    view! {
        <Title text=page_title(move || t().reviews_title) />
        <h1 class="text-xl font-semibold">{move || t().reviews_title}</h1>
        <p class="mt-1 text-sm text-slate-500">{move || t().reviews_hint}</p>
        {move || review.value().get().and_then(Result::err).map(|error| view! {
            <p role="alert" data-testid="review-error"
                class="mt-3 rounded-lg border border-red-200 bg-red-50 px-4 py-2 text-red-700">
                {error.message(i18n.t())}
            </p>
        })}
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match scripts.await {
                    Ok(scripts) => {
                        let (pending, decided): (Vec<_>, Vec<_>) =
                            scripts.into_iter().partition(|s| s.status == ScriptStatus::Pending);
                        let none = pending.is_empty();
                        view! {
                            <div class="mt-4 max-w-4xl space-y-4" data-testid="pending-scripts">
                                {none.then(|| view! { <p class="text-slate-500">{move || t().nothing_pending}</p> })}
                                {pending.into_iter().map(|script| {
                                    let id = script.id;
                                    let link = incident_link(&script);
                                    view! {
                                        <div>
                                            {link}
                                            <ScriptCard script>
                                                <Decision script_id=id review comments />
                                            </ScriptCard>
                                        </div>
                                    }
                                }).collect_view()}
                            </div>
                            <h2 class="mt-8 font-semibold">{move || t().decided}</h2>
                            <div class="mt-3 max-w-4xl space-y-3" data-testid="decided-scripts">
                                {decided.into_iter().map(|script| {
                                    let link = incident_link(&script);
                                    view! {
                                        <div>
                                            {link}
                                            <ScriptCard script />
                                        </div>
                                    }
                                }).collect_view()}
                            </div>
                        }.into_any()
                    }
                    Err(error) => view! { <PageError error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The incident a script belongs to, as a link.
fn incident_link(script: &DataFixScript) -> impl IntoView {
    let number = script.incident_number;
    let title = script.incident_title.clone();
    view! {
        <A href=format!("/console/i/{number}") attr:class="text-sm text-sky-700">
            "#" {number.to_string()} " " {title}
        </A>
    }
}

#[component]
fn Decision(
    script_id: i64,
    review: ServerAction<DatafixReview>,
    comments: RwSignal<HashMap<i64, String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.datafix();
    let comment = move || comments.with(|c| c.get(&script_id).cloned().unwrap_or_default());
    let decide = move |approve: bool| {
        review.dispatch(DatafixReview {
            script_id,
            approve,
            comment: comments.with_untracked(|c| c.get(&script_id).cloned().unwrap_or_default()),
        });
    };
    view! {
        <div class="mt-3 space-y-2">
            <Labeled label=move || t().comment hidden_label=true>
                <textarea rows="2" maxlength=super::MAX_COMMENT_CHARS data-testid="review-comment"
                    class=format!("w-full text-sm {INPUT}")
                    placeholder=move || t().comment
                    prop:value=comment
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        comments.update(|c| { c.insert(script_id, text); });
                    }></textarea>
            </Labeled>
            <div class="flex gap-2">
                <button type="button" data-testid="review-approve"
                    class="rounded-md bg-emerald-700 px-3 py-1.5 text-sm text-white hover:bg-emerald-800"
                    on:click=move |_| decide(true)>{move || t().approve}</button>
                <button type="button" data-testid="review-reject"
                    class="rounded-md border border-rose-300 bg-white px-3 py-1.5 text-sm text-rose-700 hover:bg-rose-50"
                    on:click=move |_| decide(false)>{move || t().reject}</button>
            </div>
        </div>
    }
}
