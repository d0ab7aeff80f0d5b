//! The help center's pages. They are rendered on the server only and served without the app's
//! WASM (see `app::static_shell`): links and forms are plain HTML, so every page works with
//! JavaScript off and costs a phone a few kilobytes. Data is awaited inside the view rather
//! than through resources, so nothing is serialised into the page for a hydration that never
//! comes.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_params_map, use_query_map};
use leptos_router::location::Url;

use super::texts::HelpTexts;
use super::{
    help_article, help_home, help_search, help_system, ArticleLink, Fragment, HelpFeedback,
    ListOrder, SystemShelf, MAX_FEEDBACK_CHARS, MAX_QUERY_CHARS, PAGE_SIZE,
};
use crate::auth::{AuthContext, SetLocale};
use crate::error::AppError;
use crate::i18n::{fill, use_i18n, Locale};
use crate::reference::Named;
use crate::shell::{ErrorPanel, Loading, PageError};
use crate::time::format_minute;
use leptos::server_fn::ServerFn as _;

const LINK: &str = "text-sky-800 underline underline-offset-2 hover:text-sky-950";
const BOX: &str = "rounded-xl border border-slate-200 bg-white p-4";

fn texts() -> &'static HelpTexts {
    use_i18n().help()
}

fn locale() -> Locale {
    use_i18n().locale()
}

/// Public frame: open to everyone, signed in or not.
#[component]
pub fn HelpLayout() -> impl IntoView {
    let t = texts();
    let user = expect_context::<AuthContext>().user();
    let other = locale().other();
    view! {
        <div class="min-h-screen flex flex-col">
            <header class="border-b border-slate-200 bg-white">
                <div class="mx-auto max-w-5xl flex items-center justify-between gap-3 px-4 py-3">
                    <a href="/help" class="font-semibold text-sky-800">{use_i18n().t().help_title}</a>
                    <div class="flex items-center gap-2">
                        <form method="post" action=SetLocale::url()>
                            <input type="hidden" name="locale" value=other.code() />
                            <button
                                type="submit"
                                data-testid="language-switch"
                                class="rounded-md px-2 py-1 text-sm text-slate-700 hover:bg-slate-200"
                            >
                                {t.switch_language}
                            </button>
                        </form>
                        <Suspense>
                            {move || Suspend::new(async move {
                                match user.await {
                                    Ok(Some(user)) => view! {
                                        <a href=user.role.home() class=LINK>{user.display_name}</a>
                                    }.into_any(),
                                    _ => view! {
                                        <a href="/login?next=/help" class=LINK>{t.sign_in}</a>
                                    }.into_any(),
                                }
                            })}
                        </Suspense>
                    </div>
                </div>
            </header>
            <main class="flex-1 mx-auto w-full max-w-5xl px-4 py-6"><Outlet /></main>
        </div>
    }
}

#[component]
fn SearchForm(
    #[prop(optional)] query: String,
    #[prop(optional)] system: Option<String>,
) -> impl IntoView {
    let t = texts();
    view! {
        <form method="get" action="/help/search" role="search" class="relative flex gap-2">
            <label for="help-q" class="sr-only">{t.search_label}</label>
            <input
                id="help-q"
                name="q"
                type="search"
                value=query
                maxlength=MAX_QUERY_CHARS
                placeholder=t.search_placeholder
                autocomplete="off"
                aria-controls="help-suggestions"
                data-suggest-system=system.clone().unwrap_or_default()
                class="min-w-0 flex-1 rounded-lg border border-slate-400 bg-white px-3 py-2"
            />
            {system.map(|code| view! { <input type="hidden" name="system" value=code /> })}
            <button type="submit" class="rounded-lg bg-sky-700 px-4 py-2 font-medium text-white hover:bg-sky-800">
                {t.search}
            </button>
            // Filled as the reader types by /help-suggest.js; without it the form is all there is.
            <ul id="help-suggestions" hidden aria-label=t.suggestions data-testid="suggestions"
                class="absolute left-0 right-0 top-full z-10 mt-1 divide-y divide-slate-100 rounded-lg border border-slate-300 bg-white shadow-lg"></ul>
        </form>
        <script src="/help-suggest.js" defer></script>
    }
}

fn name(named: &Named) -> String {
    named.name(locale()).to_owned()
}

#[component]
fn LinkList(links: Vec<ArticleLink>) -> impl IntoView {
    let t = texts();
    if links.is_empty() {
        return view! { <p class="text-sm text-slate-600">{t.nothing_yet}</p> }.into_any();
    }
    view! {
        <ul class="space-y-2">
            {links.into_iter().map(|link| view! {
                <li><a href=format!("/help/a/{}", link.slug) class=LINK>{link.title}</a></li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// `/help`: systems with their modules and counts, search, hot questions, recent articles.
#[component]
pub fn HelpHome() -> impl IntoView {
    let t = texts();
    view! {
        <Title text=use_i18n().t().help_title />
        <h1 class="text-2xl font-semibold">{use_i18n().t().help_title}</h1>
        <p class="mt-1 text-slate-600">{t.subtitle}</p>
        <div class="mt-4"><SearchForm /></div>
        <Suspense fallback=Loading>
            {Suspend::new(async move {
                match help_home().await {
                    Ok(home) => view! {
                        <div class="mt-8 grid gap-6 lg:grid-cols-3">
                            <section class="lg:col-span-2">
                                <h2 class="font-semibold text-slate-800">{t.systems}</h2>
                                <ul class="mt-3 grid gap-4 sm:grid-cols-2" data-testid="systems">
                                    {home.shelves.into_iter().map(|shelf| view! { <Shelf shelf /> }).collect_view()}
                                </ul>
                            </section>
                            <aside class="space-y-6">
                                <section class=BOX data-testid="hot">
                                    <h2 class="mb-2 font-semibold text-slate-800">{t.hot}</h2>
                                    <LinkList links=home.hot />
                                </section>
                                <section class=BOX>
                                    <h2 class="mb-2 font-semibold text-slate-800">{t.recent}</h2>
                                    <LinkList links=home.recent />
                                </section>
                            </aside>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Shelf(shelf: SystemShelf) -> impl IntoView {
    let t = texts();
    let code = shelf.system.code.clone();
    view! {
        <li class=BOX>
            <h3 class="font-semibold">
                <a href=format!("/help/s/{code}") class=LINK>{name(&shelf.system)}</a>
                <span class="ml-2 text-sm font-normal text-slate-600">
                    {fill(t.articles_count, &[&shelf.articles])}
                </span>
            </h3>
            <p class="mt-2 flex flex-wrap gap-x-3 gap-y-1 text-sm">
                {shelf.modules.into_iter().map(|(module, count)| view! {
                    <a href=format!("/help/s/{code}?module={}", module.code) class="text-slate-700 hover:underline">
                        {name(&module)} " (" {count} ")"
                    </a>
                }).collect_view()}
            </p>
        </li>
    }
}

fn query(key: &str) -> Option<String> {
    use_query_map()
        .with_untracked(|map| map.get(key))
        .filter(|value| !value.is_empty())
}

fn page_number() -> i64 {
    query("page")
        .and_then(|p| p.parse::<i64>().ok())
        .map_or(0, |p| (p - 1).max(0))
}

/// Previous / next links keeping the page's other parameters.
#[component]
fn Pager(base: String, page: i64, total: i64) -> impl IntoView {
    let t = texts();
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let join = if base.contains('?') { '&' } else { '?' };
    let link = move |to: i64| format!("{base}{join}page={}", to + 1);
    view! {
        <nav class="mt-6 flex items-center gap-4 text-sm" aria-label=t.page_of>
            {(page > 0).then(|| view! { <a href=link(page - 1) class=LINK rel="prev">{t.previous}</a> })}
            <span class="text-slate-600">{fill(t.page_of, &[&(page + 1), &pages])}</span>
            {(page + 1 < pages).then(|| view! { <a href=link(page + 1) class=LINK rel="next">{t.next}</a> })}
        </nav>
    }
}

/// `/help/s/{system}`: the system's modules and its articles, hot or new first.
#[component]
pub fn SystemPage() -> impl IntoView {
    let t = texts();
    let code = use_params_map()
        .with_untracked(|p| p.get("system"))
        .unwrap_or_default();
    let module = query("module");
    let order = if query("order").as_deref() == Some("new") {
        ListOrder::New
    } else {
        ListOrder::Hot
    };
    let page = page_number();
    view! {
        <Suspense fallback=Loading>
            {Suspend::new(async move {
                let listing = match help_system(code.clone(), module.clone(), order, page).await {
                    Ok(listing) => listing,
                    Err(error) => return view! { <PageError error /> }.into_any(),
                };
                let system_name = name(&listing.shelf.system);
                let here = |module: Option<&str>, order: ListOrder| {
                    let mut url = format!("/help/s/{code}?order={}", if order == ListOrder::New { "new" } else { "hot" });
                    if let Some(module) = module {
                        url.push_str("&module=");
                        url.push_str(module);
                    }
                    url
                };
                let current = module.clone();
                view! {
                    <Title text=system_name.clone() />
                    <nav class="text-sm text-slate-600" aria-label="breadcrumb">
                        <a href="/help" class=LINK>{use_i18n().t().help_title}</a> " / " {system_name.clone()}
                    </nav>
                    <h1 class="mt-2 text-2xl font-semibold">{system_name}</h1>
                    <div class="mt-4"><SearchForm system=code.clone() /></div>
                    <div class="mt-6 grid gap-6 md:grid-cols-4">
                        <nav class="md:col-span-1 flex flex-wrap gap-2 md:flex-col" aria-label=t.all_modules>
                            <a href=here(None, order) class=LINK aria-current=current.is_none().then_some("page")>
                                {t.all_modules} " (" {listing.shelf.articles} ")"
                            </a>
                            {listing.shelf.modules.iter().map(|(m, count)| view! {
                                <a
                                    href=here(Some(&m.code), order)
                                    class=LINK
                                    aria-current=(current.as_deref() == Some(m.code.as_str())).then_some("page")
                                >
                                    {name(m)} " (" {*count} ")"
                                </a>
                            }).collect_view()}
                        </nav>
                        <section class="md:col-span-3">
                            <p class="flex gap-4 text-sm">
                                <a href=here(module.as_deref(), ListOrder::Hot) class=LINK
                                    aria-current=(order == ListOrder::Hot).then_some("page")>{t.order_hot}</a>
                                <a href=here(module.as_deref(), ListOrder::New) class=LINK
                                    aria-current=(order == ListOrder::New).then_some("page")>{t.order_new}</a>
                            </p>
                            <ul class="mt-3 divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white" data-testid="articles">
                                {listing.articles.iter().map(|link| view! {
                                    <li class="flex items-baseline justify-between gap-3 px-4 py-3">
                                        <a href=format!("/help/a/{}", link.slug) class=LINK>{link.title.clone()}</a>
                                        <span class="shrink-0 text-xs text-slate-600">{format_minute(link.updated_at)[..10].to_owned()}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                            {listing.articles.is_empty().then(|| view! { <p class="mt-3 text-slate-600">{t.nothing_yet}</p> })}
                            <Pager base=here(module.as_deref(), order) page total=listing.total />
                        </section>
                    </div>
                }.into_any()
            })}
        </Suspense>
    }
}

/// `/help/a/{slug}`: one article with its contents, related questions and the way to report.
#[component]
pub fn ArticlePage() -> impl IntoView {
    let t = texts();
    let slug = use_params_map()
        .with_untracked(|p| p.get("slug"))
        .unwrap_or_default();
    view! {
        <Suspense fallback=Loading>
            {Suspend::new(async move {
                let article = match help_article(slug.clone()).await {
                    Ok(article) => article,
                    Err(AppError::NotFound) => return view! { <ArticleGone /> }.into_any(),
                    Err(error) => return view! { <PageError error /> }.into_any(),
                };
                let system = name(&article.system);
                // The report form takes the system and names the article in the description.
                let report = format!(
                    "/m/new?system={}&article={}",
                    Url::escape(&article.system.code),
                    Url::escape(&article.title)
                );
                let module = article.module.as_ref().map(|m| (m.code.clone(), name(m)));
                let toc = (article.headings.len() >= 3).then(|| article.headings.clone());
                view! {
                    <Title text=article.title.clone() />
                    <div class="mb-4"><SearchForm /></div>
                    <nav class="text-sm text-slate-600" aria-label="breadcrumb">
                        <a href="/help" class=LINK>{use_i18n().t().help_title}</a> " / "
                        <a href=format!("/help/s/{}", article.system.code) class=LINK>{system}</a>
                        {module.map(|(code, module)| view! {
                            " / " <a href=format!("/help/s/{}?module={code}", article.system.code) class=LINK>{module}</a>
                        })}
                    </nav>
                    <div class="mt-3 grid gap-6 lg:grid-cols-4">
                        <article class="lg:col-span-3 min-w-0">
                            <h1 class="text-2xl font-semibold">{article.title.clone()}</h1>
                            <p class="mt-1 text-sm text-slate-600">
                                {article.last_reviewed_at.map(|at| fill(t.last_reviewed, &[&format_minute(at)[..10].to_owned()]))}
                                {article.tags.iter().map(|tag| view! {
                                    <span class="ml-2 rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700">{tag.clone()}</span>
                                }).collect_view()}
                            </p>
                            {toc.map(|headings| view! {
                                <nav class="mt-4 rounded-lg bg-slate-100 p-3 text-sm" aria-label=t.contents data-testid="toc">
                                    <p class="font-medium">{t.contents}</p>
                                    <ol class="mt-1 space-y-1">
                                        {headings.into_iter().map(|h| view! {
                                            <li class=if h.depth == 3 { "ml-4" } else { "" }>
                                                <a href=format!("#{}", h.anchor) class=LINK>{h.text}</a>
                                            </li>
                                        }).collect_view()}
                                    </ol>
                                </nav>
                            })}
                            <div class="article-body mt-4" data-testid="article-body" inner_html=article.html.clone()></div>
                            <Feedback slug=article.slug.clone() />
                            <section class="mt-8 rounded-xl border border-sky-200 bg-sky-50 p-4">
                                <p class="font-medium">{t.still_need_help}</p>
                                <a href=report class="mt-2 inline-block rounded-lg bg-sky-700 px-4 py-2 text-white hover:bg-sky-800" data-testid="report-link">
                                    {t.report_it}
                                </a>
                            </section>
                        </article>
                        <aside class=BOX>
                            <h2 class="mb-2 font-semibold text-slate-800">{t.related}</h2>
                            <LinkList links=article.related.clone() />
                        </aside>
                    </div>
                }.into_any()
            })}
        </Suspense>
    }
}

/// "Was this helpful?" as a plain form; after answering, the page thanks the reader instead.
#[component]
fn Feedback(slug: String) -> impl IntoView {
    let t = texts();
    if query("thanks").is_some() {
        return view! {
            <p id="feedback" role="status" class="mt-8 rounded-xl border border-green-200 bg-green-50 p-4 text-green-900">
                {t.thanks}
            </p>
        }
        .into_any();
    }
    view! {
        <form id="feedback" method="post" action=HelpFeedback::url() class=format!("mt-8 space-y-2 {BOX}") data-testid="feedback">
            <input type="hidden" name="slug" value=slug />
            <p class="font-medium">{t.helpful_question}</p>
            <label for="feedback-comment" class="block text-sm text-slate-700">{t.comment_label}</label>
            <textarea id="feedback-comment" name="comment" rows="2" maxlength=MAX_FEEDBACK_CHARS
                class="block w-full rounded-lg border border-slate-400 px-3 py-2"></textarea>
            <div class="flex gap-2">
                <button type="submit" name="helpful" value="true" class="rounded-lg bg-sky-700 px-4 py-2 text-white hover:bg-sky-800">
                    {t.helpful_yes}
                </button>
                <button type="submit" name="helpful" value="false" class="rounded-lg border border-slate-400 bg-white px-4 py-2 hover:bg-slate-100">
                    {t.helpful_no}
                </button>
            </div>
        </form>
    }
    .into_any()
}

#[component]
fn ArticleGone() -> impl IntoView {
    crate::shell::set_status(http::StatusCode::NOT_FOUND);
    let t = texts();
    view! {
        <Title text=t.not_found />
        <p role="alert" class="rounded-lg border border-slate-200 bg-white p-4">{t.not_found}</p>
        <a href="/help" class=LINK>{t.back_home}</a>
    }
}

fn fragments(pieces: Vec<Fragment>) -> impl IntoView {
    pieces
        .into_iter()
        .map(|piece| {
            if piece.hit {
                view! { <mark class="bg-amber-100 text-inherit">{piece.text}</mark> }.into_any()
            } else {
                piece.text.into_any()
            }
        })
        .collect_view()
}

/// `/help/search?q=`: results with their matched words marked; nothing found offers the hot
/// questions and the way to report.
#[component]
pub fn SearchPage() -> impl IntoView {
    let t = texts();
    let q = query("q").unwrap_or_default();
    let system = query("system");
    let page = page_number();
    view! {
        <Title text=fill(t.results_for, &[&q]) />
        <SearchForm query=q.clone() system=system.clone().unwrap_or_default() />
        <Suspense fallback=Loading>
            {Suspend::new(async move {
                if q.trim().is_empty() {
                    return view! { <p class="mt-6 text-slate-600">{t.enter_words}</p> }.into_any();
                }
                if q.chars().count() > MAX_QUERY_CHARS as usize {
                    return view! {
                        <p role="alert" class="mt-6 text-red-700">{fill(t.query_too_long, &[&MAX_QUERY_CHARS])}</p>
                    }.into_any();
                }
                let results = match help_search(q.clone(), system.clone(), page).await {
                    Ok(results) => results,
                    Err(error) => return view! { <ErrorPanel error /> }.into_any(),
                };
                let mut base = format!("/help/search?q={}", Url::escape(&q));
                if let Some(system) = &system {
                    base.push_str("&system=");
                    base.push_str(&Url::escape(system));
                }
                if results.hits.is_empty() {
                    return view! {
                        <section class="mt-6" data-testid="no-results">
                            <h1 class="text-xl font-semibold">{fill(t.results_for, &[&q])}</h1>
                            <p class="mt-2">{t.no_results}</p>
                            <p class="mt-4 text-slate-700">{t.try_these}</p>
                            <div class="mt-2"><LinkList links=results.hot /></div>
                            <a href="/m/new" class="mt-4 inline-block rounded-lg bg-sky-700 px-4 py-2 text-white hover:bg-sky-800">
                                {t.report_it}
                            </a>
                        </section>
                    }.into_any();
                }
                view! {
                    <h1 class="mt-6 text-xl font-semibold">{fill(t.results_for, &[&q])}</h1>
                    <p class="text-sm text-slate-600">{fill(t.results_count, &[&results.total])}</p>
                    <ol class="mt-4 space-y-4" data-testid="results">
                        {results.hits.into_iter().map(|hit| view! {
                            <li class=BOX>
                                <a href=format!("/help/a/{}", hit.slug) class="text-lg font-medium text-sky-800 hover:underline">
                                    {fragments(hit.title)}
                                </a>
                                <p class="text-xs text-slate-600">{name(&hit.system)}</p>
                                <p class="mt-1 text-sm text-slate-700">{fragments(hit.snippet)}</p>
                            </li>
                        }).collect_view()}
                    </ol>
                    <Pager base page total=results.total />
                }.into_any()
            })}
        </Suspense>
    }
}
