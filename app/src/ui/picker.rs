//! The system, then a module of it: the report form and the console's classify form both ask
//! for where an incident belongs, the same way.

use leptos::prelude::*;

use crate::i18n::{use_i18n, Locale};
use crate::reference::{Named, System};

/// One labelled select for the system and one for its modules, the module's options following
/// the chosen system (a new system clears the module). Ids are `{id_prefix}system` and
/// `{id_prefix}module`, also their test ids; the caller lays the two out (they are siblings).
#[component]
pub fn SystemModulePicker(
    systems: Vec<System>,
    #[prop(into)] system: Signal<String>,
    #[prop(into)] on_system: Callback<String>,
    #[prop(into)] module: Signal<String>,
    #[prop(into)] on_module: Callback<String>,
    /// The first option of the system select, when choosing none is possible.
    #[prop(optional, into)]
    no_system: Option<TextProp>,
    /// The first option of the module select ("choose", or "no module").
    #[prop(into)]
    no_module: TextProp,
    /// Small words after the module's label, such as "optional".
    #[prop(optional, into)]
    module_hint: Option<TextProp>,
    #[prop(optional)] id_prefix: &'static str,
    input_class: &'static str,
    #[prop(optional, into)] system_invalid: Option<Signal<bool>>,
    /// Shown under the system select, e.g. why it was refused.
    #[prop(optional, into)]
    system_error: Option<ViewFn>,
) -> impl IntoView {
    let i18n = use_i18n();
    let system_id = format!("{id_prefix}system");
    let module_id = format!("{id_prefix}module");
    let systems = StoredValue::new(systems);
    let modules = move || {
        let code = system.get();
        systems.with_value(|all| {
            all.iter()
                .find(|s| s.system.code == code)
                .map(|s| s.modules.clone())
                .unwrap_or_default()
        })
    };
    let invalid = move || system_invalid.is_some_and(|i| i.get()).to_string();
    // Its words are read once a language, so the two selects are a few reactive nodes rather
    // than one per label and option.
    i18n.render_in(move |locale| {
        let fields = crate::incidents::texts::of(locale);
        let system_options = options(
            systems.with_value(|all| all.iter().map(|s| s.system.clone()).collect()),
            system,
            locale,
        );
        view! {
            <div>
                <label for=system_id.clone() class="text-sm font-medium text-slate-700">
                    {fields.field_system}
                </label>
                <select
                    id=system_id.clone()
                    name="system"
                    data-testid=system_id.clone()
                    class=input_class
                    aria-invalid=invalid
                    prop:value=move || system.get()
                    on:change=move |ev| on_system.run(event_target_value(&ev))
                >
                    {no_system.clone().map(|text| view! { <option value="">{text.get()}</option> })}
                    {system_options}
                </select>
                {system_error.clone().map(|error| error.run())}
            </div>
            <div>
                <label for=module_id.clone() class="text-sm font-medium text-slate-700">
                    {fields.field_module}
                    {module_hint.clone().map(|hint| view! {
                        <span class="ml-1 text-xs font-normal text-slate-600">{hint.get()}</span>
                    })}
                </label>
                <select
                    id=module_id.clone()
                    name="module"
                    data-testid=module_id.clone()
                    class=input_class
                    prop:value=move || module.get()
                    on:change=move |ev| on_module.run(event_target_value(&ev))
                >
                    <option value="">{no_module.get()}</option>
                    {move || options(modules(), module, locale)}
                </select>
            </div>
        }
    })
}

/// One option per named code, named in `locale`, the chosen one selected.
fn options(named: Vec<Named>, chosen: Signal<String>, locale: Locale) -> impl IntoView {
    named
        .into_iter()
        .map(|item| {
            let code = item.code.clone();
            let mine = code.clone();
            let name = item.name(locale).to_owned();
            view! { <option value=code selected=move || chosen.get() == mine>{name}</option> }
        })
        .collect_view()
}
