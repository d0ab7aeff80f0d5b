//! Test data on an incident's console page: the jobs built for it, and a link to build one
//! (the transfer to test reproduces the customer's account in UAT).

use leptos::prelude::*;

use super::datagen_jobs;
use super::jobs_page::JobsTable;
use crate::i18n::use_i18n;
use crate::incidents::IncidentNumber;
use crate::ui::{InBrowser, PANEL, SECONDARY_BUTTON};

#[component]
pub fn IncidentTestData(number: IncidentNumber, may_build: bool) -> impl IntoView {
    if !may_build {
        return ().into_any();
    }
    let t = use_i18n().datagen();
    // Loaded in the browser only, like the page's other side panels.
    let jobs = LocalResource::new(move || datagen_jobs(Some(number)));
    view! {
        <section class=PANEL data-testid="incident-datagen">
            <div class="flex flex-wrap items-baseline justify-between gap-3">
                <h2 class="font-semibold">{t.jobs_of_incident}</h2>
                <a href=format!("/console/datagen/new?incident={number}") class=SECONDARY_BUTTON
                    data-testid="incident-build-test-data">{t.build_test_data}</a>
            </div>
            <InBrowser>
                <Suspense>
                    {move || Suspend::new(async move {
                        let jobs = jobs.await.unwrap_or_default();
                        (!jobs.is_empty()).then(|| view! { <JobsTable jobs /> })
                    })}
                </Suspense>
            </InBrowser>
        </section>
    }
    .into_any()
}
