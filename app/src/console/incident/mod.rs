//! `/console/i/{number}`: one incident for the team: identity (masked, revealed on purpose),
//! the report, the workflow actions its status allows, the timeline and the whole thread.
//! The page's parts keep what the handler is typing in `Drafts`, above the live refreshes.

mod actions;
mod identity;
mod thread;

use leptos::prelude::*;
use leptos_meta::Title;

use self::actions::{Actions, Pending, Placement};
use self::identity::IdentityPanel;
use self::thread::Thread;
use super::attachment_viewer::AttachmentViewer;
use super::sla_badge::SlaBadge;
use super::{console_incident, console_mark_read, ConsoleReply, ConsoleStep, TeamIncident};
use crate::auth::Action;
use crate::canned::{canned_list, CannedReply};
use crate::datafix::ScriptsPanel;
use crate::error::AppError;
use crate::i18n::use_i18n;
use crate::incidents::view::{StatusBadge, Timeline};
use crate::incidents::{Category, Severity, Status, TransferTarget};
use crate::reference::{list_systems, System};
use crate::resource::{page_resource, PageResource};
use crate::shell::{Loading, PageError};
use crate::ui::PANEL;

#[component]
pub fn ConsoleIncidentPage() -> impl IntoView {
    let (incident, refresh) = crate::incidents::follow::live_incident(console_incident, |n| {
        format!("/api/console/incidents/{n}/events")
    });
    // Live refreshes rebuild the page below; what the handler is typing lives up here, and so
    // do the lists the forms choose from. Resources must be made out here in any case: while it
    // waits, server-side rendering re-runs the closures inside the `Transition`, and resources
    // made in there would be created twice, with serialisation ids the browser never sees.
    let systems = page_resource(|| (), |_| list_systems());
    provide_context(Drafts::new(refresh, systems));
    provide_context(crate::datafix::ScriptDraft::new(refresh, systems));
    // Reading the thread marks the reporter's messages read; the reporter sees it.
    Effect::new(move |_| {
        if let Some(Ok(incident)) = incident.get() {
            if !incident.may.contains(&Action::WorkIncidents) {
                return;
            }
            let unread = incident
                .report
                .messages
                .iter()
                .any(|m| m.side == crate::incidents::Side::Reporter && !m.read_by_other);
            if unread {
                let number = incident.report.number;
                leptos::task::spawn_local(async move {
                    let _ = console_mark_read(number).await;
                });
            }
        }
    });

    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match incident.await {
                    Ok(incident) => view! { <IncidentDetail incident /> }.into_any(),
                    Err(error) => view! { <PageError error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn IncidentDetail(incident: TeamIncident) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.console();
    let report = incident.report.clone();
    let number = report.number;
    let status = report.status;
    let system = report.system.clone();
    let module = report.module.clone();
    let category = incident.category;
    let severity = incident.severity;
    let classification = move || match (category, severity) {
        (Some(c), Some(s)) => format!("{} · {}", i18n.incidents().category_name(c), s.label()),
        _ => t().not_classified.to_owned(),
    };
    let assignee = incident.assignee.clone();
    let channel = incident.channel;
    let placement = Placement {
        category,
        severity,
        subcategory: incident.subcategory.clone(),
        system: report.system.code.clone(),
        module: report.module.as_ref().map(|m| m.code.clone()),
    };
    let subcategory = incident.subcategory.clone();
    let may = |action| incident.may.contains(&action);
    let works = may(Action::WorkIncidents);
    let drafts = expect_context::<Drafts>();
    view! {
        <Title text=format!("#{number} {}", report.title) />
        <a href="/console" class="text-sm text-sky-700">{move || t().back_to_queue}</a>
        <div class="mt-2 flex flex-wrap items-center gap-3">
            <h1 class="text-xl font-semibold">
                <span class="font-mono text-slate-500">"#" {number.to_string()}</span> " " {report.title.clone()}
            </h1>
            <StatusBadge status />
            <span data-testid="classification" class="text-sm text-slate-600">
                {classification}
                {subcategory.map(|s| format!(" · {s}"))}
            </span>
            <SlaBadge state=incident.sla />
        </div>
        <p class="mt-1 text-sm text-slate-500">
            {move || system.name(i18n.locale()).to_owned()}
            {move || module.as_ref().map(|m| format!(" / {}", m.name(i18n.locale())))}
            " · " {move || t().reporter} " " {incident.reporter.clone()}
            " · " {move || t().channel} " "
            <span data-testid="channel">{move || t().channel_name(channel)}</span>
            " · " {move || t().assignee} " "
            <span data-testid="assignee">
                {move || assignee.clone().unwrap_or_else(|| t().unassigned.to_owned())}
            </span>
        </p>

        {works.then(|| view! { <Actions number status placement assignable=incident.assignable.clone() /> })}

        <div class="mt-6 grid gap-6 lg:grid-cols-3">
            <div class="space-y-6 lg:col-span-2">
                <section class=PANEL>
                    <h2 class="font-semibold">{move || t().description}</h2>
                    <p class="mt-2 whitespace-pre-line" data-testid="description">{report.description.clone()}</p>
                    <AttachmentViewer files=report.attachments.clone() />
                    {report.solution.clone().map(|solution| view! {
                        <h2 class="mt-4 font-semibold">{move || t().solution}</h2>
                        <p class="mt-2 whitespace-pre-line" data-testid="solution">{solution}</p>
                    })}
                </section>
                <crate::monitor::IncidentMonitoring number
                    resolved=matches!(status, Status::Resolved | Status::Closed)
                    may_write=may(Action::WriteMonitorRules) />
                <crate::datagen::IncidentTestData number may_build=may(Action::BuildTestData) />
                <Thread number messages=report.messages.clone() status can_reply=works />
                <ScriptsPanel number system=report.system.code.clone() scripts=incident.scripts.clone()
                    open=status.is_open() && may(Action::WriteDataFix) />
            </div>
            <div class="space-y-6">
                {report.customer.clone().map(|customer| view! {
                    <IdentityPanel number customer can_reveal=incident.may_reveal
                        not_theirs=!incident.may_reveal && may(Action::RevealIdentity) fund_account=incident.fund_account.clone()
                        customer_mobile=incident.customer_mobile.clone() />
                })}
                <super::side_panels::SlaPanel incident=incident.clone() />
                <super::side_panels::BatchPanel number open=status.is_open() && works members=incident.batch.clone() />
                <super::side_panels::HandoffPanel handoffs=incident.handoffs.clone() />
                <crate::help::KnowledgeBeside number typed=drafts.article_query
                    on_insert=works.then(|| Callback::new(move |text: String| drafts.add_to_reply(&text))) />
                <crate::help::IncidentArticles number
                    resolved=matches!(status, Status::Resolved | Status::Closed)
                    may_write=may(Action::WriteArticles) />
                <section class=PANEL>
                    <h2 class="mb-3 font-semibold">{move || t().timeline}</h2>
                    <Timeline entries=report.timeline.clone() />
                </section>
            </div>
        </div>
    }
}

/// The open step form, the reply being written, both actions and the lists the forms choose
/// from, kept across live refreshes.
#[derive(Clone, Copy)]
struct Drafts {
    step: ServerAction<ConsoleStep>,
    open: RwSignal<Pending>,
    note: RwSignal<String>,
    /// The step's note is shown to the reporter too.
    note_public: RwSignal<bool>,
    target: RwSignal<TransferTarget>,
    category: RwSignal<Category>,
    severity: RwSignal<Severity>,
    subcategory: RwSignal<String>,
    system: RwSignal<String>,
    module: RwSignal<String>,
    assignee: RwSignal<Option<i64>>,
    reply: ServerAction<ConsoleReply>,
    body: RwSignal<String>,
    internal: RwSignal<bool>,
    /// What the handler is searching the help articles for, beside the thread.
    article_query: RwSignal<String>,
    systems: PageResource<Result<Vec<System>, AppError>>,
    canned: PageResource<Result<Vec<CannedReply>, AppError>>,
}

impl Drafts {
    fn new(refresh: RwSignal<u32>, systems: PageResource<Result<Vec<System>, AppError>>) -> Self {
        let drafts = Self {
            step: ServerAction::new(),
            open: RwSignal::new(Pending::None),
            note: RwSignal::new(String::new()),
            note_public: RwSignal::new(false),
            target: RwSignal::new(TransferTarget::Development),
            category: RwSignal::new(Category::Data),
            severity: RwSignal::new(Severity::P3),
            subcategory: RwSignal::new(String::new()),
            system: RwSignal::new(String::new()),
            module: RwSignal::new(String::new()),
            assignee: RwSignal::new(None),
            reply: ServerAction::new(),
            body: RwSignal::new(String::new()),
            internal: RwSignal::new(false),
            article_query: RwSignal::new(String::new()),
            systems,
            canned: page_resource(|| (), |_| canned_list()),
        };
        // Only a success clears what was typed.
        Effect::new(move |_| {
            if let Some(Ok(_)) = drafts.step.value().get() {
                drafts.open.set(Pending::None);
                drafts.note.set(String::new());
                drafts.note_public.set(false);
                refresh.update(|n| *n += 1);
            }
        });
        Effect::new(move |_| {
            if let Some(Ok(_)) = drafts.reply.value().get() {
                drafts.body.set(String::new());
                refresh.update(|n| *n += 1);
            }
        });
        drafts
    }

    /// Puts `text` on a line of its own at the end of the reply being written.
    fn add_to_reply(&self, text: &str) {
        self.body.update(|body| {
            if !body.is_empty() && !body.ends_with('\n') {
                body.push('\n');
            }
            body.push_str(text);
        });
    }
}
