//! Who changed the team's settings, when, and from what to what: canned replies, SLA targets,
//! business hours and the calendar. A database trigger writes every change (see the
//! `settings_history` migration); the settings pages list the latest.

mod panel;
#[cfg(feature = "ssr")]
pub mod store;
pub mod texts;

pub use panel::ChangeHistory;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// How many changes a page lists.
pub const RECENT_CHANGES: i64 = 30;

/// A settings page whose history is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Subject {
    CannedReplies,
    /// Targets, business hours and calendar days.
    Sla,
}

impl Subject {
    /// The tables the subject's settings live in.
    pub fn tables(self) -> &'static [&'static str] {
        match self {
            Self::CannedReplies => &["canned_replies"],
            Self::Sla => &["sla_targets", "business_hours", "calendar_days"],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Insert,
    Update,
    Delete,
}

/// One recorded change: the row before and after, as the database stored it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SettingsChange {
    pub table: String,
    pub change: ChangeKind,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub changed_by: Option<String>,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub changed_at: DateTime<Utc>,
}

impl SettingsChange {
    /// A column of the row as it is now, or as it was before a removal.
    pub fn field(&self, name: &str) -> Option<String> {
        let row = self.after.as_ref().or(self.before.as_ref())?;
        Some(match &row[name] {
            serde_json::Value::String(text) => text.clone(),
            serde_json::Value::Null => return None,
            other => other.to_string(),
        })
    }

    /// A column as it was before the change.
    pub fn before(&self, name: &str) -> Option<&serde_json::Value> {
        self.before.as_ref().map(|row| &row[name])
    }
}

/// The latest changes of one settings page, newest first. Every console role may read them.
#[server(endpoint = "settings/history", input = Json)]
pub async fn settings_history(subject: Subject) -> Result<Vec<SettingsChange>, AppError> {
    crate::auth::session::require(crate::auth::Action::SeeIncidents).await?;
    store::recent(&crate::state::db()?, subject, RECENT_CHANGES).await
}
