//! `/console/import`: choose the channel and the file, check the preview (the mapping of
//! columns and what each row would become), then import.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::{Mapping, Outcome, Preview, Target, CHANNELS, MAX_FILE_MB, MAX_ROWS};
use crate::error::AppError;
use crate::i18n::{fill, page_title, use_i18n};
use crate::incidents::Channel;
use crate::ui::{Labeled, HINT, INPUT, PANEL, PRIMARY_BUTTON};

/// What the page last heard from the server (only the browser sends, hence hears).
#[derive(Clone)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum State {
    Idle,
    Busy {
        commit: bool,
    },
    Answered(Preview),
    /// The server's refusal, or `None` when no answer came at all.
    Refused(Option<AppError>),
}

#[component]
pub fn ImportPage() -> impl IntoView {
    provide_context(crate::i18n::FieldNames(super::texts::field_name));
    let i18n = use_i18n();
    let t = move || i18n.imports();
    let channel = RwSignal::new(Channel::Itsm);
    // The file stays in its input, read when sent: nothing of it is kept anywhere else.
    let file = NodeRef::<leptos::html::Input>::new();
    let state = RwSignal::new(State::Idle);

    let send = move |mapping: Option<Mapping>, commit: bool| {
        state.set(State::Busy { commit });
        #[cfg(feature = "hydrate")]
        {
            let picked = file
                .get_untracked()
                .and_then(|input| input.files())
                .and_then(|files| files.get(0));
            leptos::task::spawn_local(async move {
                let answer = match picked {
                    Some(picked) => {
                        transport::send(&picked, channel.get_untracked(), mapping, commit).await
                    }
                    None => Err(Some(AppError::invalid(
                        "file",
                        crate::error::Problem::Required,
                    ))),
                };
                state.set(match answer {
                    Ok(preview) => State::Answered(preview),
                    Err(error) => State::Refused(error),
                });
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (mapping, file);
    };
    let check = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        send(None, false);
    };
    let remap = move |target: Target, column: Option<u32>| {
        if let State::Answered(preview) = state.get_untracked() {
            let mut mapping = preview.mapping;
            mapping.set(target, column);
            send(Some(mapping), false);
        }
    };
    let commit = move || {
        if let State::Answered(preview) = state.get_untracked() {
            send(Some(preview.mapping), true);
        }
    };

    view! {
        <Title text=page_title(move || t().title) />
        <h1 class="text-xl font-semibold">{move || t().title}</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-700">{move || t().intro}</p>
        <form class=format!("{PANEL} mt-4 flex flex-wrap items-end gap-4") on:submit=check data-testid="import-form">
            <Labeled label=move || i18n.t().field_name("channel").to_owned()>
                <select class=INPUT name="channel" data-testid="import-channel"
                    on:change=move |ev| {
                        if let Some(picked) = Channel::parse(&event_target_value(&ev)) {
                            channel.set(picked);
                        }
                    }>
                    {CHANNELS.into_iter().map(|c| view! {
                        <option value=c.as_str() selected=move || channel.get() == c>
                            {move || i18n.console().channel_names[c.index()]}
                        </option>
                    }).collect_view()}
                </select>
            </Labeled>
            <Labeled label=move || i18n.t().field_name("file").to_owned()>
                <input type="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    class=INPUT data-testid="import-file" node_ref=file
                    on:change=move |_| state.set(State::Idle) />
            </Labeled>
            <button type="submit" class=PRIMARY_BUTTON data-testid="import-check"
                disabled=move || matches!(state.get(), State::Busy { .. })>
                {move || match state.get() {
                    State::Busy { commit: false } => t().checking,
                    _ => t().check,
                }}
            </button>
            <p class=format!("w-full {HINT}")>
                {move || fill(t().file_hint, &[&MAX_ROWS, &MAX_FILE_MB])}
                " "{move || t().quiet_note}
            </p>
        </form>
        {move || match state.get() {
            State::Refused(error) => Some(view! {
                <p role="alert" class="mt-4 text-sm text-red-700" data-testid="import-error">
                    {match error {
                        Some(error) => error.message(i18n.t()),
                        None => i18n.t().err_network.to_owned(),
                    }}
                </p>
            }.into_any()),
            State::Answered(preview) => Some(view! {
                <Answer preview remap commit busy=Signal::derive(move || matches!(state.get(), State::Busy { .. })) />
            }.into_any()),
            State::Busy { commit: true } => Some(view! {
                <p class="mt-4 text-sm" role="status">{move || t().importing}</p>
            }.into_any()),
            _ => None,
        }}
    }
}

#[component]
fn Answer(
    preview: Preview,
    remap: impl Fn(Target, Option<u32>) + Copy + Send + Sync + 'static,
    commit: impl Fn() + Copy + Send + Sync + 'static,
    busy: Signal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.imports();
    let count = |kind: fn(&Outcome) -> bool| preview.count(kind);
    let ready = count(|o| matches!(o, Outcome::Ready));
    let imported = count(|o| matches!(o, Outcome::Imported { .. }));
    let existing = count(|o| matches!(o, Outcome::Existing { .. }));
    let refused = count(|o| matches!(o, Outcome::Refused { .. }));
    let committed = preview.committed;
    let headers = preview.headers.clone();
    let mapping = preview.mapping.clone();
    let mapping_problem = preview.mapping_problem.clone();
    let columns = Target::ALL.into_iter().map(|target| {
        let headers = headers.clone();
        let chosen = mapping.column(target);
        view! {
            <tr>
                <th scope="row" class="py-1 pr-4 text-left font-normal">
                    {move || i18n.t().field_name(target.field()).to_owned()}
                    {target.required().then(|| view! { <span class="ml-1 text-xs text-red-700">"*"{move || t().required}</span> })}
                </th>
                <td class="py-1">
                    <Labeled hidden_label=true label=move || format!("{} {}", i18n.t().field_name(target.field()), t().column)>
                        <select class=INPUT data-testid=format!("map-{}", target.field())
                            on:change=move |ev| remap(target, event_target_value(&ev).parse().ok())>
                            <option value="" selected=chosen.is_none()>{move || t().not_imported}</option>
                            {headers.iter().enumerate().map(|(i, header)| view! {
                                <option value=i.to_string() selected=chosen == Some(i as u32)>{header.clone()}</option>
                            }).collect_view()}
                        </select>
                    </Labeled>
                </td>
            </tr>
        }
    }).collect_view();
    let rows = preview.rows.into_iter().map(|row| {
        let outcome = match row.outcome {
            Outcome::Ready => view! { <span class="text-slate-700">{move || t().ready}</span> }.into_any(),
            Outcome::Imported { number } => view! {
                <span class="text-emerald-800">{move || t().imported}" "
                    <A href=format!("/console/i/{number}")>{format!("#{number}")}</A></span>
            }.into_any(),
            Outcome::Existing { number } => view! {
                <span>{move || t().existing}" "<A href=format!("/console/i/{number}")>{format!("#{number}")}</A></span>
            }.into_any(),
            Outcome::Refused { field, problem } => view! {
                <span class="text-red-700">{move || problem.message(i18n.t(), i18n.t().field_name(&field))}</span>
            }.into_any(),
        };
        view! {
            <tr class="border-t border-slate-100" data-testid=format!("import-row-{}", row.line)>
                <td class="py-1 pr-3 tabular-nums">{row.line}</td>
                <td class="py-1 pr-3">{row.external_ref}</td>
                <td class="py-1 pr-3">{row.title}</td>
                <td class="py-1">{outcome}</td>
            </tr>
        }
    }).collect_view();
    view! {
        <section class=format!("{PANEL} mt-4") aria-labelledby="import-mapping">
            <h2 id="import-mapping" class="font-semibold">{move || t().mapping_title}</h2>
            <p class=HINT>{move || t().mapping_hint}</p>
            {mapping_problem.map(|(field, problem)| view! {
                <p role="alert" class="mt-2 text-sm text-red-700" data-testid="mapping-problem">
                    {move || problem.message(i18n.t(), i18n.t().field_name(&field))}
                </p>
            })}
            <table class="mt-2 text-sm"><tbody>{columns}</tbody></table>
        </section>
        <section class=format!("{PANEL} mt-4") aria-labelledby="import-rows">
            <h2 id="import-rows" class="font-semibold" data-testid="import-counts">
                {move || if committed {
                    fill(t().imported_counts, &[&imported, &existing, &refused])
                } else {
                    fill(t().counts, &[&ready, &existing, &refused])
                }}
            </h2>
            {(!committed).then(|| if ready == 0 {
                view! { <p class="mt-2 text-sm">{move || t().nothing_to_import}</p> }.into_any()
            } else {
                view! {
                    <button type="button" class=format!("mt-2 {PRIMARY_BUTTON}") data-testid="import-commit"
                        disabled=move || busy.get() on:click=move |_| commit()>
                        {move || fill(t().import, &[&ready])}
                    </button>
                }.into_any()
            })}
            <table class="mt-3 w-full text-sm">
                <thead>
                    <tr class="text-left text-slate-600">
                        <th class="py-1 pr-3 font-normal">{move || t().line}</th>
                        <th class="py-1 pr-3 font-normal">{move || i18n.t().field_name("external_ref").to_owned()}</th>
                        <th class="py-1 pr-3 font-normal">{move || i18n.t().field_name("title").to_owned()}</th>
                        <th class="py-1 font-normal">{move || t().outcome}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}

/// The link on the queue page.
#[component]
pub fn ImportLink() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <A href="/console/import" attr:class=crate::ui::SECONDARY_BUTTON attr:data-testid="import-link">
            {move || i18n.imports().link}
        </A>
    }
}

#[cfg(feature = "hydrate")]
mod transport {
    use super::{Channel, Mapping, Preview};
    use crate::error::AppError;

    /// The preview or import; the server's typed refusal, or `None` when no answer came.
    pub async fn send(
        file: &web_sys::File,
        channel: Channel,
        mapping: Option<Mapping>,
        commit: bool,
    ) -> Result<Preview, Option<AppError>> {
        let form = web_sys::FormData::new().map_err(|_| None)?;
        form.append_with_str("channel", channel.as_str())
            .map_err(|_| None)?;
        if let Some(mapping) = mapping {
            let json = serde_json::to_string(&mapping).map_err(|_| None)?;
            form.append_with_str("mapping", &json).map_err(|_| None)?;
        }
        form.append_with_str("commit", if commit { "true" } else { "false" })
            .map_err(|_| None)?;
        form.append_with_blob("file", file).map_err(|_| None)?;
        crate::ui::post_form("/api/console/import", form)
            .await
            .map_err(|refusal| refusal.and_then(|r| r.error))
    }
}
