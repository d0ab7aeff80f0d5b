//! Server functions of sign-in. Thin: validate, call the session and store code, answer.

use leptos::prelude::*;

use super::{Area, CurrentUser};
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::error::Problem;
use crate::i18n::Locale;

pub const LOGIN_MAX_CHARS: usize = 64;
pub const PASSWORD_MAX_CHARS: usize = 256;

/// Signs in and sends the browser to the page it asked for, or to the role's home.
#[server(endpoint = "login")]
pub async fn login(
    login: String,
    password: String,
    next: Option<String>,
) -> Result<Locale, AppError> {
    use super::{landing_for, session};

    let login = login.trim().to_owned();
    crate::checks::required_within(&login, LOGIN_MAX_CHARS as u32)
        .map_err(|problem| AppError::invalid("login", problem))?;
    if password.is_empty() {
        return Err(AppError::invalid("password", Problem::Required));
    }
    if password.chars().count() > PASSWORD_MAX_CHARS {
        return Err(AppError::BadCredentials);
    }
    let user = session::authenticate(&login, password, session::client_ip().await).await?;
    session::start(&user).await?;
    remember_locale(user.locale);
    leptos_axum::redirect(&landing_for(user.role, next.as_deref()));
    Ok(user.locale)
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    super::session::end().await?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// The signed-in user, or `None` for a visitor.
#[server(endpoint = "whoami")]
pub async fn whoami() -> Result<Option<CurrentUser>, AppError> {
    super::session::current_user().await
}

/// The gate of `/m` and `/console`: the signed-in user if their role may enter `area`.
#[server(endpoint = "enter_area")]
pub async fn enter_area(area: Area) -> Result<CurrentUser, AppError> {
    super::session::require_area(area).await
}

/// Switches the interface language, for this browser and, when signed in, for the user.
#[server(endpoint = "set_locale")]
pub async fn set_locale(locale: Locale) -> Result<(), AppError> {
    if let Some(user) = super::session::current_user().await? {
        super::store::set_locale(&crate::state::db()?, user.id, locale).await?;
    }
    remember_locale(locale);
    Ok(())
}

#[cfg(feature = "ssr")]
fn remember_locale(locale: Locale) {
    if let (Some(response), Ok(cookie)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&crate::i18n::locale_cookie(locale)),
    ) {
        response.append_header(http::header::SET_COOKIE, cookie);
    }
}
