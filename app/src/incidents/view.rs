//! Pieces of incident pages both the reporter app and the console show.

use leptos::prelude::*;

use super::{Status, TimelineEntry};
use crate::attachments::AttachmentRef;
use crate::i18n::use_i18n;
use crate::time::format_minute;

/// The status in words, coloured by who has to act.
#[component]
pub fn StatusBadge(status: Status) -> impl IntoView {
    let i18n = use_i18n();
    let colour = match status {
        Status::New => "bg-sky-100 text-sky-800",
        Status::Analysing | Status::Transferred => "bg-amber-100 text-amber-800",
        Status::Waiting => "bg-rose-100 text-rose-800",
        Status::Resolved => "bg-emerald-100 text-emerald-800",
        Status::Closed => "bg-slate-200 text-slate-700",
    };
    view! {
        <span
            data-testid="status"
            data-status=status.as_str()
            class=format!("inline-block rounded-full px-2 py-0.5 text-xs font-medium {colour}")
        >
            {move || i18n.incidents().status_name(status)}
        </span>
    }
}

/// Every step with who took it and when, oldest first.
#[component]
pub fn Timeline(entries: Vec<TimelineEntry>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ol data-testid="timeline" class="relative ml-2 border-l border-slate-200">
            {entries
                .into_iter()
                .map(|entry| {
                    let step = entry.step;
                    let detail = entry.detail.clone();
                    let note = entry.note.clone();
                    view! {
                        <li class="mb-3 ml-4" data-step=step.as_str()>
                            <span class="absolute -left-1.5 mt-1.5 h-3 w-3 rounded-full border border-white bg-sky-600"></span>
                            <p class="text-sm font-medium text-slate-800">
                                {move || i18n.incidents().step_name(step)}
                            </p>
                            <p class="text-xs text-slate-500">
                                {entry.actor_name} " · " {format_minute(entry.at)}
                            </p>
                            {detail.map(|detail| {
                                let shown = move || detail_text(i18n.incidents(), step, &detail);
                                view! { <p class="mt-1 text-sm text-slate-700">{shown}</p> }
                            })}
                            {note.map(|note| {
                                view! { <p class="mt-1 whitespace-pre-line text-sm text-slate-700">{note}</p> }
                            })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

/// A step's detail in words: "转研发", "数据类 · P2 · 绑定失败", "#1024", a handler's name.
fn detail_text(t: &super::texts::IncidentTexts, step: super::Step, detail: &str) -> String {
    use super::Step;
    match step {
        Step::Transferred => super::TransferTarget::parse(detail).map_or_else(
            || detail.to_owned(),
            |target| t.target_name(target).to_owned(),
        ),
        Step::Classified => {
            let (kind, subcategory) = detail.split_once('|').unwrap_or((detail, ""));
            let mut parts = kind.split(' ');
            match (
                parts.next().and_then(super::Category::parse),
                parts.next().and_then(super::Severity::parse),
            ) {
                (Some(category), Some(severity)) => {
                    let mut text = format!("{} · {}", t.category_name(category), severity.label());
                    if !subcategory.is_empty() {
                        text.push_str(" · ");
                        text.push_str(subcategory);
                    }
                    text
                }
                _ => detail.to_owned(),
            }
        }
        // Incident numbers: the batch parent.
        Step::Linked | Step::Unlinked | Step::Resolved => format!("#{detail}"),
        Step::ScriptSubmitted
        | Step::ScriptApproved
        | Step::ScriptRejected
        | Step::ScriptExecuted => String::new(),
        _ => detail.to_owned(),
    }
}

/// Thumbnails that open the full image.
#[component]
pub fn AttachmentStrip(files: Vec<AttachmentRef>) -> impl IntoView {
    (!files.is_empty()).then(|| {
        view! {
            <div class="mt-2 flex flex-wrap gap-2" data-testid="attachments">
                {files
                    .into_iter()
                    .map(|file| {
                        view! {
                            <a href=file.url() target="_blank" rel="external">
                                <img
                                    src=file.thumb_url()
                                    alt=""
                                    loading="lazy"
                                    class="h-20 w-20 rounded-lg border border-slate-200 object-cover"
                                />
                            </a>
                        }
                    })
                    .collect_view()}
            </div>
        }
    })
}
