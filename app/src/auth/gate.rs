use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;
use leptos_router::location::Url;

use super::{enter_area, whoami, Area, CurrentUser, Login, Logout};
use crate::error::AppError;
use crate::resource::{page_resource, PageResource};
use crate::shell::{ErrorPanel, Forbidden, Loading};

/// Sign-in state shared by the whole app. The actions' versions key every resource that depends
/// on who is signed in, so signing in or out refreshes them without a reload.
#[derive(Clone, Copy)]
pub struct AuthContext {
    pub login: ServerAction<Login>,
    pub logout: ServerAction<Logout>,
}

impl AuthContext {
    pub fn provide() -> Self {
        let auth = Self {
            login: ServerAction::<Login>::new(),
            logout: ServerAction::<Logout>::new(),
        };
        provide_context(auth);
        auth
    }

    /// Who is signed in, for the component that asks. Made where it is read: a resource nobody
    /// awaits would outlive its page's render on the server.
    pub fn user(&self) -> PageResource<Result<Option<CurrentUser>, AppError>> {
        let auth = *self;
        page_resource(move || auth.version(), |_| whoami())
    }

    /// Changes whenever somebody signs in or out here.
    pub(crate) fn version(&self) -> (usize, usize) {
        (self.login.version().get(), self.logout.version().get())
    }
}

/// The server's answer to "may this user work in this area?", for pieces of the area that show
/// the user (the badge in the top bar).
#[derive(Clone, Copy)]
pub struct AreaAccess(pub PageResource<Result<CurrentUser, AppError>>);

/// Shows `children` only to a signed-in user whose role may enter `area`; the check runs on the
/// server. Visitors are sent to sign in and come back; other roles see a 403 page.
///
/// The children are built once, outside the `Suspense`: server-side rendering re-runs the
/// closures inside a `Suspense` while it waits, and pages built in there would create their
/// resources more than once, with serialisation ids the browser never sees (a broken hydration).
#[component]
pub fn AreaGate(area: Area, children: Children) -> impl IntoView {
    let auth = expect_context::<AuthContext>();
    let location = use_location();
    // Blocking: the server decides redirect or 403 before the first byte is sent.
    let access =
        PageResource::new_with_options(move || auth.version(), move |_| enter_area(area), true);
    provide_context(AreaAccess(access));
    let content = children();
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match access.await {
                    Ok(_) => ().into_any(),
                    Err(AppError::Unauthenticated) => {
                        let here = location.pathname.get_untracked();
                        let path = format!("/login?next={}", Url::escape(&here));
                        view! { <Redirect path /> }.into_any()
                    }
                    Err(AppError::Forbidden) => view! { <Forbidden /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
        // Shown to everyone who gets this far: a visitor is redirected before anything is
        // sent, and for another role every server function of the area answers 403, so the
        // frame holds nothing but that refusal.
        {content}
    }
}
