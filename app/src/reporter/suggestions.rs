//! While a reporter writes on `/m/new`, the help articles that best match appear under the
//! form: the answer may already be there. Opening one is recorded, so a report never sent
//! afterwards counts as one the help center answered. Offline nothing is asked or shown.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::use_i18n;
use crate::incidents::NewReport;

/// What is read of the title and description; the server reads no more than this either.
const MAX_TEXT_CHARS: u32 = 2_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub slug: String,
    pub title: String,
}

#[server(endpoint = "m/suggestions")]
pub async fn report_suggestions(text: String) -> Result<Vec<Suggestion>, AppError> {
    use crate::auth::{session::require_area, Area};
    require_area(Area::Mobile).await?;
    crate::checks::within(&text, MAX_TEXT_CHARS)
        .map_err(|problem| AppError::invalid("description", problem))?;
    const SHOWN: i64 = 3;
    let found = crate::help::reading::suggest(&crate::state::db()?, &text, None, SHOWN).await?;
    Ok(found
        .into_iter()
        .map(|link| Suggestion {
            slug: link.slug,
            title: link.title,
        })
        .collect())
}

/// The reporter opened a suggestion while writing a report for `system` (empty: not chosen).
#[server(endpoint = "m/suggestions/opened")]
pub async fn suggestion_opened(slug: String, system: String) -> Result<(), AppError> {
    use crate::auth::{session::require_area, Area};
    let user = require_area(Area::Mobile).await?;
    let system = Some(system.as_str()).filter(|s| !s.is_empty());
    crate::help::deflection::record_open(&crate::state::db()?, user.id, &slug, system).await
}

#[component]
pub fn Suggestions(draft: RwSignal<NewReport>) -> impl IntoView {
    let i18n = use_i18n();
    let found = RwSignal::new(Vec::<Suggestion>::new());
    #[cfg(feature = "hydrate")]
    ask_as_they_type(draft, found);
    let open = move |ev: leptos::ev::MouseEvent, slug: String| {
        #[cfg(feature = "hydrate")]
        {
            ev.prevent_default();
            let system = draft.with_untracked(|d| d.system.clone());
            leptos::task::spawn_local(async move {
                // The article opens whether or not the visit could be recorded.
                let _ = suggestion_opened(slug.clone(), system).await;
                let _ = window().location().assign(&format!("/help/a/{slug}"));
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, slug, draft);
    };
    view! {
        <Show when=move || !found.with(Vec::is_empty)>
            <section data-testid="suggestions" aria-live="polite" class="rounded-lg border border-sky-200 bg-sky-50 p-3">
                <h2 class="text-sm font-medium text-slate-800">{move || i18n.reporter().suggestions_title}</h2>
                <ul class="mt-1 space-y-1 text-sm">
                    <For each=move || found.get() key=|s| s.slug.clone() let:suggestion>
                        {
                            let slug = suggestion.slug.clone();
                            view! {
                                <li>
                                    <a
                                        href=format!("/help/a/{}", suggestion.slug)
                                        class="text-sky-800 underline underline-offset-2"
                                        on:click=move |ev| open(ev, slug.clone())
                                    >
                                        {suggestion.title}
                                    </a>
                                </li>
                            }
                        }
                    </For>
                </ul>
            </section>
        </Show>
    }
}

/// Asks half a second after the typing stops, only online, and keeps only the latest answer.
#[cfg(feature = "hydrate")]
fn ask_as_they_type(draft: RwSignal<NewReport>, found: RwSignal<Vec<Suggestion>>) {
    const MIN_CHARS: usize = 4;
    const QUIET_MS: u64 = 500;
    let asked = StoredValue::new(0_u32);
    let text = Memo::new(move |_| {
        draft.with(|d| {
            format!("{} {}", d.title.trim(), d.description.trim())
                .trim()
                .to_owned()
        })
    });
    Effect::new(move |_| {
        let text = text.get();
        let ticket = asked.get_value().wrapping_add(1);
        asked.set_value(ticket);
        let online = window().navigator().on_line();
        if !online || text.chars().count() < MIN_CHARS {
            found.set(Vec::new());
            return;
        }
        let text: String = text.chars().take(MAX_TEXT_CHARS as usize).collect();
        set_timeout(
            move || {
                if asked.get_value() != ticket {
                    return;
                }
                leptos::task::spawn_local(async move {
                    let answer = report_suggestions(text).await.unwrap_or_default();
                    if asked.get_value() == ticket {
                        found.set(answer);
                    }
                });
            },
            std::time::Duration::from_millis(QUIET_MS),
        );
    });
}
