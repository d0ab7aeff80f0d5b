use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;
use leptos_router::location::Url;

use super::{enter_area, whoami, Area, CurrentUser, Login, Logout};
use crate::error::AppError;
use crate::shell::{ErrorPanel, Forbidden, Loading};

/// Sign-in state shared by the whole app. The actions' versions key every resource that depends
/// on who is signed in, so signing in or out refreshes them without a reload.
#[derive(Clone, Copy)]
pub struct AuthContext {
    pub login: ServerAction<Login>,
    pub logout: ServerAction<Logout>,
    pub user: Resource<Result<Option<CurrentUser>, AppError>>,
}

impl AuthContext {
    pub fn provide() -> Self {
        let login = ServerAction::<Login>::new();
        let logout = ServerAction::<Logout>::new();
        let user = Resource::new(
            move || (login.version().get(), logout.version().get()),
            |_| whoami(),
        );
        let auth = Self {
            login,
            logout,
            user,
        };
        provide_context(auth);
        auth
    }

    fn version(&self) -> (usize, usize) {
        (self.login.version().get(), self.logout.version().get())
    }
}

/// Renders `children` only for a signed-in user whose role may enter `area`; the check runs on
/// the server. Visitors are sent to sign in and come back; other roles see a 403 page. The user
/// is provided as context to everything inside.
#[component]
pub fn AreaGate(area: Area, children: ChildrenFn) -> impl IntoView {
    let auth = expect_context::<AuthContext>();
    let location = use_location();
    // Blocking: the server decides redirect or 403 before the first byte is sent.
    let access = Resource::new_blocking(move || auth.version(), move |_| enter_area(area));
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match access.await {
                    Ok(user) => {
                        provide_context(user);
                        children.read_value()().into_any()
                    }
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
    }
}
