//! Service levels: resolution targets per severity and category, counted in business hours
//! from a calendar admins edit, with a clock that pauses while the team waits on somebody else.

mod api;
pub mod calendar;
pub mod clock;
mod page;
#[cfg(feature = "ssr")]
pub mod store;
pub mod texts;

pub use api::*;
pub use page::SlaSettingsPage;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::incidents::{Category, Severity};

/// The longest resolution target, in business minutes.
pub const MAX_TARGET_MINUTES: u32 = 100_000;
/// A calendar day's name, as `calendar_days.name` allows.
pub const MAX_DAY_NAME_CHARS: u32 = 40;

/// An exception to the working week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum DayKind {
    /// A public holiday on a working day.
    Holiday,
    /// A weekend day worked in exchange for a holiday (调休).
    Workday,
}

impl DayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Holiday => "holiday",
            Self::Workday => "workday",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        [Self::Holiday, Self::Workday]
            .into_iter()
            .find(|k| k.as_str() == value)
    }
}

/// One listed day; `date` is `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarDay {
    pub date: String,
    pub kind: DayKind,
    pub name: String,
}

/// Business minutes allowed to resolve an incident of this category and severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaTarget {
    pub category: Category,
    pub severity: Severity,
    pub minutes: i32,
}

/// The working week: `HH:MM` times in Asia/Shanghai, ISO weekdays (Monday = 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessHours {
    pub day_start: String,
    pub day_end: String,
    pub weekdays: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaConfig {
    pub targets: Vec<SlaTarget>,
    pub hours: BusinessHours,
    pub days: Vec<CalendarDay>,
    /// The viewer may change them (admins).
    pub editable: bool,
}

/// Where an incident stands against its target, as the queue and the incident page show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SlaState {
    /// Not classified yet: no target.
    None,
    Running {
        #[serde(with = "chrono::serde::ts_milliseconds")]
        due_at: DateTime<Utc>,
    },
    /// Waiting for the reporter or a review, with business seconds left.
    Paused { left_secs: i64 },
    Breached {
        #[serde(with = "chrono::serde::ts_milliseconds")]
        at: DateTime<Utc>,
    },
    /// Resolved within the target.
    Met,
}

impl SlaState {
    /// From the stored clock columns of an incident.
    pub fn of(
        open: bool,
        target_secs: Option<i32>,
        spent_secs: i32,
        due_at: Option<DateTime<Utc>>,
        breached_at: Option<DateTime<Utc>>,
    ) -> Self {
        match (target_secs, breached_at, due_at) {
            (None, _, _) => Self::None,
            (Some(_), Some(at), _) => Self::Breached { at },
            (Some(_), None, _) if !open => Self::Met,
            (Some(_), None, Some(due_at)) => Self::Running { due_at },
            (Some(target), None, None) => Self::Paused {
                left_secs: i64::from(target - spent_secs).max(0),
            },
        }
    }
}
