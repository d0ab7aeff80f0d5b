//! The interface language. Simplified Chinese by default, English on request; the choice lives
//! in a cookie (read by the server before rendering) and in the signed-in user's profile.

mod catalog;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use catalog::Texts;

pub const LOCALE_COOKIE: &str = "desk_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    Zh,
    En,
}

impl Locale {
    pub fn code(self) -> &'static str {
        match self {
            Self::Zh => "zh",
            Self::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "zh" => Some(Self::Zh),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The value of `<html lang>`.
    pub fn html_lang(self) -> &'static str {
        match self {
            Self::Zh => "zh-CN",
            Self::En => "en",
        }
    }

    pub fn from_html_lang(lang: &str) -> Self {
        if lang.starts_with("en") {
            Self::En
        } else {
            Self::Zh
        }
    }

    pub fn other(self) -> Self {
        match self {
            Self::Zh => Self::En,
            Self::En => Self::Zh,
        }
    }

    /// The words every area shares. An area's own words come from its `texts::of(locale)`,
    /// reachable only from that area's code, so no area's words ship with another's pages.
    pub fn texts(self) -> &'static Texts {
        self.pick(&catalog::ZH, &catalog::EN)
    }

    /// This language's catalogue of the two an area keeps.
    pub fn pick<T>(self, zh: &'static T, en: &'static T) -> &'static T {
        match self {
            Self::Zh => zh,
            Self::En => en,
        }
    }
}

/// An area's words are reached in one way everywhere: `texts::of(locale)` and, in views,
/// `i18n.<area>()` (reactive when read inside a closure). Written at the end of each area's
/// `texts.rs`, below its `ZH` and `EN` statics. The accessor lives in the area's module, so it is
/// linked only where that area's code calls it.
#[macro_export]
macro_rules! area_texts {
    ($texts:ty, $accessor:ident) => {
        pub fn of(locale: $crate::i18n::Locale) -> &'static $texts {
            locale.pick(&ZH, &EN)
        }

        impl $crate::i18n::I18n {
            pub fn $accessor(&self) -> &'static $texts {
                of(self.locale())
            }
        }
    };
}

/// Names of an area's own form fields, for error sentences; the area's layout provides it, so
/// the shared error text reaches those names without every page carrying every area's words.
#[derive(Clone, Copy)]
pub struct FieldNames(pub fn(Locale, &str) -> Option<&'static str>);

/// Reactive access to the current language.
#[derive(Clone, Copy)]
pub struct I18n {
    locale: RwSignal<Locale>,
}

impl I18n {
    pub fn locale(&self) -> Locale {
        self.locale.get()
    }

    /// The strings of the current language; reading it inside a closure keeps the view reactive.
    pub fn t(&self) -> &'static Texts {
        self.locale.get().texts()
    }

    /// `view` built in the current language, and built again when the language changes. A form
    /// full of labels is one reactive node this way instead of one per label: each is an effect
    /// the phone creates while hydrating and code V8 compiles on its first call.
    pub fn render_in<V>(self, view: impl Fn(Locale) -> V + Send + Sync + 'static) -> impl IntoView
    where
        V: IntoView + 'static,
    {
        move || view(self.locale())
    }

    pub fn set(&self, locale: Locale) {
        self.locale.set(locale);
        #[cfg(feature = "hydrate")]
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", locale.html_lang());
        }
    }
}

/// A document title that follows the language. On the server the text is taken while the page
/// renders: leptos_meta reads titles after rendering, outside the request's reactive arena, and a
/// signal read there can land in another request's arena and panic under concurrent load.
pub fn page_title<T>(text: impl Fn() -> T + Send + Sync + 'static) -> leptos::text_prop::TextProp
where
    T: Into<leptos::oco::Oco<'static, str>>,
{
    #[cfg(feature = "ssr")]
    {
        leptos::text_prop::TextProp::from(text().into())
    }
    #[cfg(not(feature = "ssr"))]
    {
        leptos::text_prop::TextProp::from(text)
    }
}

pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// Provides the language for this render. On the server it comes from the request's cookie; in
/// the browser from `<html lang>`, which the server wrote, so hydration sees the same strings.
pub fn provide_i18n() -> I18n {
    let i18n = I18n {
        locale: RwSignal::new(initial_locale()),
    };
    provide_context(i18n);
    i18n
}

#[cfg(feature = "ssr")]
pub fn initial_locale() -> Locale {
    use_context::<http::request::Parts>()
        .and_then(|parts| request_locale(&parts.headers))
        .unwrap_or_default()
}

#[cfg(all(feature = "hydrate", not(feature = "ssr")))]
pub fn initial_locale() -> Locale {
    document()
        .document_element()
        .and_then(|root| root.get_attribute("lang"))
        .map(|lang| Locale::from_html_lang(&lang))
        .unwrap_or_default()
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
pub fn initial_locale() -> Locale {
    Locale::default()
}

/// The language chosen in the request's cookie, if any.
pub fn request_locale(headers: &http::HeaderMap) -> Option<Locale> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == LOCALE_COOKIE)
        .and_then(|(_, value)| Locale::from_code(value))
}

/// `Set-Cookie` value remembering the language for a year. Readable by scripts on purpose: it
/// holds nothing secret.
pub fn locale_cookie(locale: Locale) -> String {
    format!(
        "{LOCALE_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        locale.code()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_cookie_is_found_among_others() {
        let mut headers = http::HeaderMap::new();
        let value = http::HeaderValue::from_static("desk_session=abc; desk_lang=en; x=1");
        headers.insert(http::header::COOKIE, value);
        assert_eq!(request_locale(&headers), Some(Locale::En));
    }

    #[test]
    fn unknown_or_missing_locale_is_none() {
        let mut headers = http::HeaderMap::new();
        assert_eq!(request_locale(&headers), None);
        headers.insert(
            http::header::COOKIE,
            http::HeaderValue::from_static("desk_lang=fr"),
        );
        assert_eq!(request_locale(&headers), None);
    }

    #[test]
    fn html_lang_round_trips() {
        for locale in [Locale::Zh, Locale::En] {
            assert_eq!(Locale::from_html_lang(locale.html_lang()), locale);
        }
    }
}

/// The words for `field` in an area's table of form field names.
pub fn name_in(names: &[(&'static str, &'static str)], field: &str) -> Option<&'static str> {
    names
        .iter()
        .find(|(key, _)| *key == field)
        .map(|(_, name)| *name)
}

/// `template` with each `{}` replaced by the next of `args`. Sentences with values are kept as
/// templates rather than closures: a function pointer in a static keeps its code in the
/// phone's first download, a template is only text.
pub fn fill(template: &str, args: &[&dyn std::fmt::Display]) -> String {
    let mut out = String::with_capacity(template.len() + 8 * args.len());
    let mut args = args.iter();
    let mut parts = template.split("{}");
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for part in parts {
        if let Some(arg) = args.next() {
            out.push_str(&arg.to_string());
        }
        out.push_str(part);
    }
    out
}

#[cfg(test)]
mod fill_tests {
    #[test]
    fn fills_placeholders_in_order() {
        assert_eq!(super::fill("{} 小时 {} 分", &[&2, &5]), "2 小时 5 分");
        assert_eq!(super::fill("剩 {}", &[&"3 小时"]), "剩 3 小时");
        assert_eq!(super::fill("no value", &[]), "no value");
    }
}
