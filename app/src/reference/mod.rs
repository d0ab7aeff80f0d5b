//! Reference data: the brokerage's business systems and their modules, used for routing,
//! help articles and reports.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::i18n::Locale;

#[cfg(feature = "ssr")]
pub mod store;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

impl Named {
    pub fn name(&self, locale: Locale) -> &str {
        match locale {
            Locale::Zh => &self.name_zh,
            Locale::En => &self.name_en,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct System {
    pub system: Named,
    pub modules: Vec<Named>,
}

/// Every active system with its active modules, in display order. Public: the help center and
/// the report form both need it.
#[server(endpoint = "reference/systems")]
pub async fn list_systems() -> Result<Vec<System>, AppError> {
    store::list_systems(&crate::state::db()?).await
}
