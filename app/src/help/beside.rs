//! Knowledge beside the work: on the console's incident page, the live articles and the
//! resolved incidents that best match this one, from the help center's search, and a search
//! box for other articles; one click puts an article's address into the reply.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::{kb_beside, kb_find, ArticleLink};
use crate::i18n::use_i18n;
use crate::incidents::IncidentNumber;
use crate::ui::{InBrowser, LinkedText, ARTICLE_PATH, HINT, INPUT, PANEL};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Beside {
    pub articles: Vec<ArticleLink>,
    pub incidents: Vec<SimilarIncident>,
}

/// A resolved incident like this one, with how it was solved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimilarIncident {
    pub number: IncidentNumber,
    pub title: String,
    pub solution: String,
}

/// What goes into the reply for an article: its title and its address.
pub fn reply_line(link: &ArticleLink) -> String {
    format!("《{}》{ARTICLE_PATH}{}", link.title, link.slug)
}

#[component]
pub fn KnowledgeBeside(
    number: IncidentNumber,
    /// The search typed beside the thread; kept by the page across live refreshes.
    typed: RwSignal<String>,
    /// Puts text into the reply being written; `None` for those who do not reply.
    on_insert: Option<Callback<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.kb();
    // Loaded in the browser only: a side panel that need not hold up the page.
    let beside = LocalResource::new(move || kb_beside(number));
    let query = RwSignal::new(typed.get_untracked().trim().to_owned());
    // The search follows the typing once it pauses.
    #[cfg(feature = "hydrate")]
    {
        let asked = StoredValue::new(0_u32);
        Effect::new(move |_| {
            let text = typed.get();
            let ticket = asked.get_value().wrapping_add(1);
            asked.set_value(ticket);
            set_timeout(
                move || {
                    if asked.get_value() == ticket {
                        query.set(text.trim().to_owned());
                    }
                },
                std::time::Duration::from_millis(300),
            );
        });
    }
    let found = LocalResource::new(move || {
        let q = query.get();
        async move {
            if q.is_empty() {
                Ok(Vec::new())
            } else {
                kb_find(q).await
            }
        }
    });
    let article_item = move |link: ArticleLink| {
        let line = reply_line(&link);
        let title = link.title.clone();
        view! {
            <li class="flex items-start justify-between gap-2">
                <a href=format!("{ARTICLE_PATH}{}", link.slug) target="_blank" rel="external"
                    class="text-sky-800 underline underline-offset-2">{link.title.clone()}</a>
                {on_insert.map(|insert| view! {
                    <button type="button" class="shrink-0 text-sm text-sky-800" data-testid="insert-article"
                        aria-label=format!("{}：{title}", t().insert_link)
                        on:click=move |_| insert.run(line.clone())>{move || t().insert_link}</button>
                })}
            </li>
        }
    };
    view! {
        <section class=PANEL data-testid="knowledge-beside">
            <h2 class="font-semibold">{move || t().beside_articles}</h2>
            <InBrowser>
            <Suspense>
                {move || Suspend::new(async move {
                    let beside = beside.await.ok();
                    let (articles, incidents) = beside.map(|b| (b.articles, b.incidents)).unwrap_or_default();
                    view! {
                        {articles.is_empty().then(|| view! { <p class=format!("mt-2 {HINT}")>{t().beside_none}</p> })}
                        <ul class="mt-2 space-y-1 text-sm" data-testid="beside-articles">
                            {articles.into_iter().map(article_item).collect_view()}
                        </ul>
                        <h2 class="mt-4 font-semibold">{t().beside_incidents}</h2>
                        {incidents.is_empty().then(|| view! { <p class=format!("mt-2 {HINT}")>{t().beside_none}</p> })}
                        <ul class="mt-2 space-y-2 text-sm" data-testid="beside-incidents">
                            {incidents.into_iter().map(|similar| view! {
                                <li>
                                    <a href=format!("/console/i/{}", similar.number) class="text-sky-800 underline underline-offset-2">
                                        {format!("#{} {}", similar.number, similar.title)}
                                    </a>
                                    <p class="mt-0.5 whitespace-pre-line text-slate-700"><LinkedText text=similar.solution /></p>
                                </li>
                            }).collect_view()}
                        </ul>
                    }
                })}
            </Suspense>
            </InBrowser>
            <label for="kb-find" class="mt-4 block text-sm font-medium text-slate-700">{move || t().find_article}</label>
            <input id="kb-find" type="search" class=format!("mt-1 w-full {INPUT}") data-testid="kb-find"
                maxlength=super::MAX_QUERY_CHARS
                prop:value=move || typed.get()
                on:input=move |ev| typed.set(event_target_value(&ev)) />
            <InBrowser>
            <Transition>
                {move || Suspend::new(async move {
                    let list = found.await.unwrap_or_default();
                    view! {
                        <ul class="mt-2 space-y-1 text-sm" data-testid="found-articles">
                            {list.into_iter().map(article_item).collect_view()}
                        </ul>
                    }
                })}
            </Transition>
            </InBrowser>
            <p class=format!("mt-2 {HINT}")>{move || t().beside_hint}</p>
        </section>
    }
}

#[cfg(feature = "ssr")]
pub mod store {
    use sqlx::PgPool;

    use super::{Beside, SimilarIncident};
    use crate::error::AppError;
    use crate::incidents::IncidentNumber;

    const SHOWN: i64 = 5;

    pub async fn for_incident(pool: &PgPool, number: IncidentNumber) -> Result<Beside, AppError> {
        let incident = sqlx::query!(
            "SELECT id, title, description FROM incidents WHERE number = $1",
            number.0
        )
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)?;
        // The start of the description says what the problem is (see `reading::suggest`).
        let text: String = format!("{} {}", incident.title, incident.description)
            .chars()
            .take(120)
            .collect();
        let articles = super::super::reading::suggest(pool, &text, None, SHOWN).await?;
        let incidents = match super::super::reading::parsed(pool, &text).await? {
            None => Vec::new(),
            Some(query) => sqlx::query!(
                r#"SELECT number AS "number: IncidentNumber", title, solution AS "solution!"
                   FROM incidents
                   WHERE search_words @@ to_tsquery('simple', $1)
                     AND status IN ('resolved', 'closed') AND solution IS NOT NULL AND id <> $2
                   ORDER BY ts_rank(search_words, to_tsquery('simple', $1)) DESC, id DESC
                   LIMIT $3"#,
                query.tsquery,
                incident.id,
                SHOWN
            )
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|row| SimilarIncident {
                number: row.number,
                title: row.title,
                solution: row.solution,
            })
            .collect(),
        };
        Ok(Beside {
            articles,
            incidents,
        })
    }

    /// A reply or a resolution that points at live articles: they answered this incident.
    pub async fn link_answers(pool: &PgPool, incident_id: i64, text: &str) -> Result<(), AppError> {
        let slugs: Vec<String> = crate::ui::article_slugs(text)
            .into_iter()
            .map(str::to_owned)
            .collect();
        if slugs.is_empty() {
            return Ok(());
        }
        sqlx::query!(
            "INSERT INTO help_article_incidents (article_id, incident_id, kind)
             SELECT id, $1, 'answer' FROM help_articles
             WHERE slug = ANY($2) AND live_version IS NOT NULL AND state <> 'archived'
             ON CONFLICT DO NOTHING",
            incident_id,
            &slugs
        )
        .execute(pool)
        .await?;
        Ok(())
    }
}
