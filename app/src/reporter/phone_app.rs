//! The reporter's app on its own: the router of `/m` and nothing else. The server renders
//! every `/m` page with it and the phone's bundle (`app/bundles/phone`) hydrates it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, Lazy, SsrMode};

use super::{
    is_phone_path, MobileLayout, NewReportPage, ReportPage, ReporterHome, ReporterSettingsPage,
};
use crate::i18n::page_title;
use crate::shell::{not_found_unless_elsewhere, provide_page_context};

/// Every route renders `Async`, as the desk's do (see `app::App`). The start page is in the
/// bundle itself; the form, a report and the settings are pieces fetched on first visit, which
/// the service worker keeps for offline use.
#[component]
pub fn PhoneApp() -> impl IntoView {
    let i18n = provide_page_context();
    view! {
        <Title text=page_title(move || i18n.t().app_name) />
        <Router>
            <Routes fallback=|| not_found_unless_elsewhere(is_phone_path)>
                <ParentRoute path=path!("/m") view=MobileLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=ReporterHome />
                    <Route path=path!("new") view={Lazy::<NewReportRoute>::new()} />
                    <Route path=path!("r/:number") view={Lazy::<ReportRoute>::new()} />
                    <Route path=path!("settings") view={Lazy::<ReporterSettingsRoute>::new()} />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

// The service worker finds the offline pages' pieces by these names (public/split-pieces.js).
lazy_page!(NewReportRoute, NewReportPage);
lazy_page!(ReportRoute, ReportPage);
lazy_page!(ReporterSettingsRoute, ReporterSettingsPage);
