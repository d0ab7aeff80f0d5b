//! Screenshots as thumbnails that open in a viewer over the page: full size, previous and
//! next, closed by Esc or a click outside. Without script the thumbnails still link to the
//! full image.

use leptos::ev;
use leptos::prelude::*;

use crate::attachments::AttachmentRef;

#[component]
pub fn AttachmentViewer(files: Vec<AttachmentRef>) -> impl IntoView {
    let shown = RwSignal::new(None::<usize>);
    let count = files.len();
    let step = move |delta: isize| {
        shown.update(|i| {
            if let Some(i) = i {
                *i = (*i as isize + delta).rem_euclid(count as isize) as usize;
            }
        });
    };
    let keys = window_event_listener(ev::keydown, move |ev| {
        if shown.get_untracked().is_none() {
            return;
        }
        match ev.key().as_str() {
            "Escape" => shown.set(None),
            "ArrowLeft" => step(-1),
            "ArrowRight" => step(1),
            _ => {}
        }
    });
    on_cleanup(move || keys.remove());
    let full = files.clone();
    (!files.is_empty()).then(move || {
        view! {
            <div class="mt-2 flex flex-wrap gap-2" data-testid="attachments">
                {files.into_iter().enumerate().map(|(index, file)| view! {
                    <a href=file.url() target="_blank" rel="external" data-testid="attachment-thumb"
                        on:click=move |ev| { ev.prevent_default(); shown.set(Some(index)); }>
                        <img src=file.thumb_url() alt="" loading="lazy"
                            class="h-20 w-20 rounded-lg border border-slate-200 object-cover" />
                    </a>
                }).collect_view()}
            </div>
            {move || shown.get().and_then(|i| full.get(i).cloned()).map(|file| view! {
                <div data-testid="attachment-viewer" role="dialog" aria-modal="true"
                    class="fixed inset-0 z-50 flex items-center justify-center bg-black/80 p-6"
                    on:click=move |_| shown.set(None)>
                    <img src=file.url() alt="" data-testid="attachment-full"
                        class="max-h-full max-w-full rounded shadow-lg"
                        width=file.width height=file.height
                        on:click=|ev| ev.stop_propagation() />
                    <div class="absolute right-4 top-4 flex gap-2 text-sm" on:click=|ev| ev.stop_propagation()>
                        <a href=file.url() target="_blank" rel="external"
                            class="rounded bg-white/90 px-3 py-1 text-slate-800">"↗"</a>
                        <button type="button" data-testid="attachment-close"
                            class="rounded bg-white/90 px-3 py-1 text-slate-800"
                            on:click=move |_| shown.set(None)>"✕"</button>
                    </div>
                    {(count > 1).then(|| view! {
                        <button type="button" data-testid="attachment-prev"
                            class="absolute left-4 rounded-full bg-white/90 px-3 py-2 text-slate-800"
                            on:click=move |ev| { ev.stop_propagation(); step(-1); }>"‹"</button>
                        <button type="button" data-testid="attachment-next"
                            class="absolute right-4 rounded-full bg-white/90 px-3 py-2 text-slate-800"
                            on:click=move |ev| { ev.stop_propagation(); step(1); }>"›"</button>
                    })}
                </div>
            })}
        }
    })
}
