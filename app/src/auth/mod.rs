//! Sign-in, sessions and the role rules that every page and server function applies.

mod api;
mod gate;
mod pages;
mod roles;

pub use api::*;
pub use gate::{AreaAccess, AreaGate, AuthContext};
pub use pages::LoginPage;
pub use roles::{landing_for, Action, Area, CurrentUser, Role};

#[cfg(feature = "ssr")]
pub mod audit;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod throttle;
