use crate::i18n::page_title;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::{path, Lazy, SsrMode};

use crate::auth::{AuthContext, LoginPage};
use crate::canned::CannedRepliesPage;
use crate::console::{
    ConsoleHome, ConsoleIncidentPage, ConsoleLayout, ConsoleProfilePage, RecordIncidentPage,
};
use crate::datafix::ReviewsPage;
use crate::datagen::{
    JobPage, JobsPage, NewJobPage, RecipeEditorPage, RecipesPage, StatsPage, TargetsPage,
};
use crate::help::{
    ArticlePage, HelpHome, HelpLayout, KbEditorPage, KbListPage, SearchPage, SystemPage,
};
use crate::imports::ImportPage;
use crate::monitor::{MonitorPage, RuleEditorPage, RulePage, RunPage};
use crate::notifications::NotificationSettingsPage;
use crate::reporter::is_phone_path;
use crate::reports::ReportsPage;
use crate::reveals::RevealAuditPage;
use crate::sessions::SessionsPage;
use crate::shell::{not_found_unless_elsewhere, provide_page_context, Loading};
use crate::sla::SlaSettingsPage;

/// The desk: sign-in, the console and the help center. The reporter's `/m` is `PhoneApp`, a
/// bundle of its own; a link from here into it loads it from the server.
///
/// Every route renders `Async`: the whole page, data included, in one response. Pages decide
/// redirects and status codes (302 to sign in, 403) before anything is sent, and hydration never
/// races fragments still streaming in over a slow phone network.
#[component]
pub fn App() -> impl IntoView {
    let i18n = provide_page_context();

    view! {
        <Title text=page_title(move || i18n.t().app_name) />
        <Router>
            <Routes fallback=|| not_found_unless_elsewhere(|path| !is_phone_path(path))>
                <Route path=path!("/") view=Start ssr=SsrMode::Async />
                <Route path=path!("/login") view={Lazy::<LoginRoute>::new()} ssr=SsrMode::Async />
                <ParentRoute path=path!("/console") view={Lazy::<ConsoleLayoutRoute>::new()} ssr=SsrMode::Async>
                    <Route path=path!("") view={Lazy::<ConsoleHomeRoute>::new()} />
                    <Route path=path!("i/:number") view={Lazy::<ConsoleIncidentRoute>::new()} />
                    <Route path=path!("new") view={Lazy::<RecordIncidentRoute>::new()} />
                    <Route path=path!("import") view={Lazy::<ImportRoute>::new()} />
                    <Route path=path!("reviews") view={Lazy::<ReviewsRoute>::new()} />
                    <Route path=path!("replies") view={Lazy::<CannedRepliesRoute>::new()} />
                    <Route path=path!("sla") view={Lazy::<SlaSettingsRoute>::new()} />
                    <Route path=path!("settings/reveals") view={Lazy::<RevealAuditRoute>::new()} />
                    <Route path=path!("settings/notifications") view={Lazy::<NotificationSettingsRoute>::new()} />
                    <Route path=path!("profile") view={Lazy::<ConsoleProfileRoute>::new()} />
                    <Route path=path!("kb") view={Lazy::<KbListRoute>::new()} />
                    <Route path=path!("kb/new") view={Lazy::<KbEditorRoute>::new()} />
                    <Route path=path!("kb/:id") view={Lazy::<KbEditorRoute>::new()} />
                    <Route path=path!("reports") view={Lazy::<ReportsRoute>::new()} />
                    <Route path=path!("sessions") view={Lazy::<SessionsRoute>::new()} />
                    <Route path=path!("monitor") view={Lazy::<MonitorRoute>::new()} />
                    <Route path=path!("monitor/new") view={Lazy::<RuleEditorRoute>::new()} />
                    <Route path=path!("monitor/r/:id") view={Lazy::<RuleRoute>::new()} />
                    <Route path=path!("monitor/r/:id/edit") view={Lazy::<RuleEditorRoute>::new()} />
                    <Route path=path!("monitor/runs/:id") view={Lazy::<RunRoute>::new()} />
                    <Route path=path!("datagen") view={Lazy::<DatagenJobsRoute>::new()} />
                    <Route path=path!("datagen/new") view={Lazy::<DatagenNewRoute>::new()} />
                    <Route path=path!("datagen/j/:id") view={Lazy::<DatagenJobRoute>::new()} />
                    <Route path=path!("datagen/stats") view={Lazy::<DatagenStatsRoute>::new()} />
                    <Route path=path!("datagen/recipes") view={Lazy::<DatagenRecipesRoute>::new()} />
                    <Route path=path!("datagen/recipes/new") view={Lazy::<DatagenRecipeRoute>::new()} />
                    <Route path=path!("datagen/recipes/:id") view={Lazy::<DatagenRecipeRoute>::new()} />
                    <Route path=path!("datagen/targets") view={Lazy::<DatagenTargetsRoute>::new()} />
                </ParentRoute>
                <ParentRoute path=path!("/help") view={Lazy::<HelpLayoutRoute>::new()} ssr=SsrMode::Async>
                    <Route path=path!("") view={Lazy::<HelpHomeRoute>::new()} />
                    <Route path=path!("s/:system") view={Lazy::<SystemRoute>::new()} />
                    <Route path=path!("a/:slug") view={Lazy::<ArticleRoute>::new()} />
                    <Route path=path!("search") view={Lazy::<SearchRoute>::new()} />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// `/`: the signed-in user's home, or the sign-in page.
#[component]
fn Start() -> impl IntoView {
    let user = expect_context::<AuthContext>().user();
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let path = match user.await {
                    Ok(Some(user)) => user.role.home(),
                    _ => "/login",
                };
                view! { <Redirect path /> }
            })}
        </Suspense>
    }
}

// Pages whose code the browser fetches only when they are visited (`cargo leptos --split`).
lazy_page!(LoginRoute, LoginPage);
lazy_page!(ConsoleLayoutRoute, ConsoleLayout);
lazy_page!(ConsoleHomeRoute, ConsoleHome);
lazy_page!(ConsoleIncidentRoute, ConsoleIncidentPage);
lazy_page!(RecordIncidentRoute, RecordIncidentPage);
lazy_page!(ImportRoute, ImportPage);
lazy_page!(ReviewsRoute, ReviewsPage);
lazy_page!(CannedRepliesRoute, CannedRepliesPage);
lazy_page!(SlaSettingsRoute, SlaSettingsPage);
lazy_page!(RevealAuditRoute, RevealAuditPage);
lazy_page!(NotificationSettingsRoute, NotificationSettingsPage);
lazy_page!(ConsoleProfileRoute, ConsoleProfilePage);
lazy_page!(HelpLayoutRoute, HelpLayout);
lazy_page!(HelpHomeRoute, HelpHome);
lazy_page!(SystemRoute, SystemPage);
lazy_page!(ArticleRoute, ArticlePage);
lazy_page!(SearchRoute, SearchPage);
lazy_page!(KbListRoute, KbListPage);
lazy_page!(KbEditorRoute, KbEditorPage);
lazy_page!(ReportsRoute, ReportsPage);
lazy_page!(SessionsRoute, SessionsPage);
lazy_page!(MonitorRoute, MonitorPage);
lazy_page!(RuleEditorRoute, RuleEditorPage);
lazy_page!(RuleRoute, RulePage);
lazy_page!(RunRoute, RunPage);
lazy_page!(DatagenJobsRoute, JobsPage);
lazy_page!(DatagenNewRoute, NewJobPage);
lazy_page!(DatagenJobRoute, JobPage);
lazy_page!(DatagenStatsRoute, StatsPage);
lazy_page!(DatagenRecipesRoute, RecipesPage);
lazy_page!(DatagenRecipeRoute, RecipeEditorPage);
lazy_page!(DatagenTargetsRoute, TargetsPage);
