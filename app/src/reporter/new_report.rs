//! `/m/new`: a report in under a minute. Every keystroke is kept as a draft on the phone until the
//! report is queued; the same checks as the server's run at each field.

use crate::i18n::page_title;
use leptos::prelude::*;
use leptos_meta::Title;

use super::outbox::{DraftImage, REPORT_DRAFT};
use super::suggestions::Suggestions;
use crate::error::Problem;
use crate::hydration::HydrateApart;
use crate::i18n::use_i18n;
use crate::incidents::{
    DocType, NewReport, MAX_CODE, MAX_CUSTOMER_NAME, MAX_DESCRIPTION, MAX_DOC_NUMBER_TYPED,
    MAX_FUND_ACCOUNT, MAX_IMAGES, MAX_TITLE, MOBILE_DIGITS,
};
use crate::reference::{list_systems, System};
use crate::resource::page_resource;
use crate::shell::{ErrorPanel, Loading};
use crate::time::shanghai_today;
use crate::ui::{SystemModulePicker, PHONE_INPUT};

#[component]
pub fn NewReportPage() -> impl IntoView {
    let i18n = use_i18n();
    let systems = page_resource(|| (), |_| list_systems());
    view! {
        <Title text=page_title(move || i18n.reporter().new_title) />
        <h1 class="text-lg font-semibold">{move || i18n.reporter().new_title}</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match systems.await {
                    Ok(systems) => view! { <ReportForm systems /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Field errors by field name.
#[derive(Clone, Default)]
struct Errors(Vec<(&'static str, Problem)>);

impl Errors {
    fn of(&self, field: &str) -> Option<Problem> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, p)| *p)
    }
}

#[component]
fn ReportForm(systems: Vec<System>) -> impl IntoView {
    let i18n = use_i18n();
    let draft = RwSignal::new(NewReport::default());
    let errors = RwSignal::new(Errors::default());
    let images = RwSignal::new(Vec::<DraftImage>::new());
    let image_error = RwSignal::new(None::<String>);
    let form_error = RwSignal::new(None::<String>);
    let submitting = RwSignal::new(false);
    let systems = StoredValue::new(systems);

    #[cfg(feature = "hydrate")]
    {
        // Restore the draft once (sealed on the phone, see outbox.js), then save every change.
        // Not before the form's parts have hydrated: they must meet the server's empty form.
        let restored = RwSignal::new(false);
        let asked = leptos_router::hooks::use_query_map().get_untracked();
        crate::hydration::after_hydration(move || {
            leptos::task::spawn_local(async move {
                let saved = super::outbox::load_text(REPORT_DRAFT)
                    .await
                    .and_then(|json| serde_json::from_str::<NewReport>(&json).ok());
                // What was typed meanwhile wins over what was kept.
                if let Some(saved) =
                    saved.filter(|_| draft.with_untracked(|d| *d == NewReport::default()))
                {
                    draft.set(saved);
                }
                if let Ok(saved) = super::outbox::draft_images(REPORT_DRAFT).await {
                    images.set(saved);
                }
                // Arriving from a help article ("still need help"): its system unless one is
                // chosen, and the article named at the start of an empty description.
                let known = |code: &String| {
                    systems.with_value(|all| all.iter().any(|s| &s.system.code == code))
                };
                draft.update(|d| {
                    if let Some(code) = asked.get("system").filter(known) {
                        if d.system.is_empty() {
                            d.system = code;
                        }
                    }
                    if let Some(title) = asked.get("article").filter(|t| !t.trim().is_empty()) {
                        if d.description.is_empty() {
                            let title: String = title.chars().take(MAX_TITLE as usize).collect();
                            let line = crate::i18n::fill(i18n.reporter().read_article, &[&title]);
                            d.description = format!("{line}\n");
                        }
                    }
                });
                restored.set(true);
            })
        });
        Effect::new(move |_| {
            // An untouched form keeps nothing.
            let json = draft.with(|d| {
                if *d == NewReport::default() {
                    String::new()
                } else {
                    serde_json::to_string(d).unwrap_or_default()
                }
            });
            if restored.get() {
                leptos::task::spawn_local(async move {
                    super::outbox::save_text(REPORT_DRAFT, &json).await;
                });
            }
        });
    }

    // Re-checks one field as soon as the user leaves it, so a mistake shows where it was made.
    let check_field = move |field: &'static str| {
        let report = draft.get_untracked().normalized();
        let problem = report
            .problems(shanghai_today())
            .into_iter()
            .find(|e| e.field == field)
            .map(|e| e.problem)
            // An empty field left behind is not an error yet; submitting says so.
            .filter(|p| *p != Problem::Required);
        errors.update(|e| {
            e.0.retain(|(f, _)| *f != field);
            if let Some(problem) = problem {
                e.0.push((field, problem));
            }
        });
    };

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if submitting.get_untracked() {
            return;
        }
        let report = draft.get_untracked().normalized();
        let problems = report.problems(shanghai_today());
        errors.set(Errors(
            problems.iter().map(|e| (e.field, e.problem)).collect(),
        ));
        if let Some(_first) = problems.first() {
            #[cfg(feature = "hydrate")]
            focus_field(_first.field);
            return;
        }
        form_error.set(None);
        submitting.set(true);
        #[cfg(feature = "hydrate")]
        let owner_id = super::outbox::owner_id();
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let mut payload = serde_json::to_value(&report).unwrap_or_default();
            payload["owner_id"] = serde_json::json!(owner_id);
            match super::outbox::submit("report", REPORT_DRAFT, None, &payload).await {
                Ok(_) => {
                    // The outbox took the draft's text and images with the item.
                    let _ = window().location().assign("/m");
                }
                Err(error) => {
                    form_error.set(Some(format!("{} ({error})", i18n.reporter().queue_failed)));
                    submitting.set(false);
                }
            }
        });
    };

    // The form's words are read once, when it is built; a language switch builds it again from
    // the same signals, so nothing typed is lost.
    i18n.render_in(move |locale| {
        let t = locale.texts();
        let words = super::texts::of(locale);
        let fields = crate::incidents::texts::of(locale);
        let text_field = move |field: &'static str,
                               read: fn(&NewReport) -> &String,
                               write: fn(&mut NewReport, String),
                               attrs: FieldAttrs| {
            let invalid = move || errors.with(|e| e.of(field).is_some()).to_string();
            view! {
                <div>
                    <label for=field class="text-sm font-medium text-slate-700">
                        {t.field_name(field).to_owned()}
                        {attrs.optional.then(|| view! {
                            <span class="ml-1 text-xs font-normal text-slate-600">{words.optional}</span>
                        })}
                    </label>
                    <input
                        id=field
                        name=field
                        type="text"
                        inputmode=attrs.inputmode
                        autocomplete="off"
                        maxlength=attrs.maxlength
                        aria-invalid=invalid
                        class=PHONE_INPUT
                        prop:value=move || draft.with(|d| read(d).clone())
                        on:input=move |ev| draft.update(|d| write(d, event_target_value(&ev)))
                        on:blur=move |_| check_field(field)
                    />
                    <FieldError field errors />
                </div>
            }
        };

        view! {
            <form class="mt-4 space-y-4" novalidate on:submit=on_submit data-testid="report-form">
                // Three parts, each hydrated in a browser task of its own (see HydrateApart).
                <HydrateApart class="space-y-4">
                {text_field("customer_name", |d| &d.customer_name, |d, v| d.customer_name = v, FieldAttrs { maxlength: MAX_CUSTOMER_NAME, ..FieldAttrs::default() })}
                <div class="grid grid-cols-1 gap-2">
                    <label for="id_doc_type" class="text-sm font-medium text-slate-700">
                        {fields.field_id_doc_type}
                    </label>
                    <select
                        id="id_doc_type"
                        name="id_doc_type"
                        class=PHONE_INPUT
                        prop:value=move || draft.with(|d| d.id_doc_type.as_str())
                        on:change=move |ev| {
                            let value = event_target_value(&ev);
                            draft.update(|d| d.id_doc_type = DocType::parse(&value).unwrap_or_default());
                            check_field("id_number");
                        }
                    >
                        {DocType::ALL
                            .into_iter()
                            .map(|doc| view! { <option value=doc.as_str()>{fields.doc_name(doc)}</option> })
                            .collect_view()}
                    </select>
                </div>
                {text_field("id_number", |d| &d.id_number, |d, v| d.id_number = v, FieldAttrs { maxlength: MAX_DOC_NUMBER_TYPED, ..FieldAttrs::default() })}
                {text_field("fund_account", |d| &d.fund_account, |d, v| d.fund_account = v, FieldAttrs { maxlength: MAX_FUND_ACCOUNT, inputmode: "numeric", optional: true })}
                {text_field("customer_mobile", |d| &d.customer_mobile, |d, v| d.customer_mobile = v, FieldAttrs { maxlength: MOBILE_DIGITS, inputmode: "tel", optional: true })}
                </HydrateApart>
                <HydrateApart class="space-y-4">
                <div class="grid grid-cols-2 gap-3">
                    <SystemModulePicker
                        systems=systems.get_value()
                        system=Signal::derive(move || draft.with(|d| d.system.clone()))
                        on_system=move |value: String| {
                            draft.update(|d| {
                                d.system = value;
                                d.module.clear();
                            });
                            check_field("system");
                        }
                        module=Signal::derive(move || draft.with(|d| d.module.clone()))
                        on_module=move |value: String| draft.update(|d| d.module = value)
                        no_system=words.choose
                        no_module=words.choose
                        module_hint=words.optional
                        input_class=PHONE_INPUT
                        system_invalid=Signal::derive(move || errors.with(|e| e.of("system").is_some()))
                        system_error=move || view! { <FieldError field="system" errors /> }
                    />
                </div>
                {text_field("title", |d| &d.title, |d, v| d.title = v, FieldAttrs { maxlength: MAX_TITLE, ..FieldAttrs::default() })}
                <div>
                    <label for="description" class="text-sm font-medium text-slate-700">
                        {fields.field_description}
                    </label>
                    <textarea
                        id="description"
                        name="description"
                        rows="5"
                        maxlength=MAX_DESCRIPTION
                        placeholder=words.description_hint
                        aria-invalid=move || errors.with(|e| e.of("description").is_some()).to_string()
                        class=PHONE_INPUT
                        prop:value=move || draft.with(|d| d.description.clone())
                        on:input=move |ev| draft.update(|d| d.description = event_target_value(&ev))
                        on:blur=move |_| check_field("description")
                    ></textarea>
                    <FieldError field="description" errors />
                </div>
                </HydrateApart>
                <HydrateApart class="space-y-4">
                <Suggestions draft />
                <ImagePicker draft_key=REPORT_DRAFT images error=image_error />
                <Show when=move || form_error.get().is_some()>
                    <p role="alert" class="rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">
                        {move || form_error.get()}
                    </p>
                </Show>
                <button
                    type="submit"
                    data-testid="submit-report"
                    disabled=move || submitting.get()
                    class="w-full rounded-lg bg-sky-700 px-4 py-3 font-medium text-white disabled:opacity-60"
                >
                    {words.submit_report}
                </button>
                <p class="text-center text-xs text-slate-500">{words.submit_hint}</p>
                </HydrateApart>
            </form>
        }
    })
}

#[derive(Clone, Copy)]
struct FieldAttrs {
    maxlength: u32,
    inputmode: &'static str,
    optional: bool,
}

impl Default for FieldAttrs {
    fn default() -> Self {
        Self {
            maxlength: MAX_CODE,
            inputmode: "text",
            optional: false,
        }
    }
}

#[component]
fn FieldError(field: &'static str, errors: RwSignal<Errors>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p data-error-for=field class="mt-1 text-sm text-red-600">
            {move || {
                let t = i18n.t();
                errors.with(|e| e.of(field)).map(|p| p.message(t, t.field_name(field)))
            }}
        </p>
    }
}

/// Screenshots from the camera or the gallery, shrunk in the browser and kept with the draft.
#[component]
pub(super) fn ImagePicker(
    #[prop(into)] draft_key: String,
    images: RwSignal<Vec<DraftImage>>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let input_id = format!("images-{}", draft_key.replace(':', "-"));
    let key = StoredValue::new(draft_key);
    let on_change = move |_ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let Some(input) = _ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            let files: Vec<web_sys::File> = input
                .files()
                .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
                .unwrap_or_default();
            input.set_value("");
            error.set(None);
            leptos::task::spawn_local(async move {
                let key = key.get_value();
                for file in files {
                    if images.with_untracked(Vec::len) >= MAX_IMAGES as usize {
                        let t = i18n.t();
                        error.set(Some(Problem::TooMany { max: MAX_IMAGES }.message(
                            t,
                            crate::incidents::texts::of(t.locale).field_attachments,
                        )));
                        break;
                    }
                    match super::outbox::add_draft_image(&key, &file).await {
                        Ok(image) => images.update(|all| all.push(image)),
                        Err(message) => {
                            error.set(Some(format!(
                                "{} ({message})",
                                i18n.reporter().image_failed
                            )));
                        }
                    }
                }
            });
        }
    };
    let remove = move |id: String| {
        images.update(|all| all.retain(|i| i.id != id));
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let _ = super::outbox::remove_draft_image(&key.get_value(), &id).await;
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (id, key);
    };
    view! {
        <div>
            <div class="flex items-center justify-between">
                <span class="text-sm font-medium text-slate-700">
                    {move || i18n.incidents().field_attachments}
                    <span class="ml-1 text-xs font-normal text-slate-600">
                        {move || format!("{}/{}", images.with(Vec::len), MAX_IMAGES)}
                    </span>
                </span>
                <label
                    for=input_id.clone()
                    class="cursor-pointer rounded-lg border border-sky-700 px-3 py-1.5 text-sm text-sky-700"
                >
                    {move || i18n.reporter().add_images}
                </label>
                <input
                    id=input_id
                    type="file"
                    accept="image/*"
                    multiple
                    data-testid="image-input"
                    class="sr-only"
                    on:change=on_change
                />
            </div>
            <ul class="mt-2 grid grid-cols-3 gap-2" data-testid="draft-images">
                <For each=move || images.get() key=|image| image.id.clone() let:image>
                    {
                        let id = image.id.clone();
                        view! {
                            <li class="relative">
                                <img src=image.url alt="" class="h-24 w-full rounded-lg object-cover" />
                                <button
                                    type="button"
                                    data-testid="remove-image"
                                    aria-label=move || i18n.reporter().remove_image
                                    class="absolute right-1 top-1 h-6 w-6 rounded-full bg-black/60 text-white"
                                    on:click=move |_| remove(id.clone())
                                >
                                    "×"
                                </button>
                            </li>
                        }
                    }
                </For>
            </ul>
            <Show when=move || error.get().is_some()>
                <p role="alert" data-error-for="attachments" class="mt-1 text-sm text-red-600">
                    {move || error.get()}
                </p>
            </Show>
        </div>
    }
}

#[cfg(feature = "hydrate")]
fn focus_field(field: &str) {
    use wasm_bindgen::JsCast;
    if let Some(element) = document()
        .get_element_by_id(field)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}
