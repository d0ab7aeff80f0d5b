//! Enterprise WeChat (WeCom) notifications. A change to an incident writes its messages into
//! an outbox in the same transaction (`outbox`); a worker in every server replica takes due
//! rows with `FOR UPDATE SKIP LOCKED`, renders them (`render`) and sends them (`wecom`),
//! keeping each group robot to WeCom's 20 messages a minute (`delivery`). Admins set robots,
//! the application, the kinds sent and staff contacts at `/console/settings/notifications`;
//! every user may mute the kinds meant for them.
//!
//! No customer identity ever enters the outbox: the facts of a message are built from the
//! incident's number, title, system and people, with the customer's identity taken out of any
//! free text, and no internal note goes to a reporter.

mod api;
pub mod mutes;
mod page;
pub mod texts;

#[cfg(feature = "ssr")]
pub mod delivery;
#[cfg(feature = "ssr")]
pub mod outbox;
#[cfg(feature = "ssr")]
pub mod render;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod wecom;

pub use api::*;
pub use mutes::MutesPanel;
pub use page::NotificationSettingsPage;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum Kind {
    /// A report arrived: the handlers' robot of its system.
    NewReport,
    /// The reporter answered a question: the assigned handler.
    ReporterReplied,
    /// A handler asked the reporter for information: the reporter.
    HandlerAsked,
    /// A handler wrote in the thread: the reporter.
    HandlerReplied,
    /// Solved (alone or with its batch): the reporter.
    Resolved,
    /// The SLA clock runs out within 30 minutes: the assignee, on the handlers' robot.
    SlaDueSoon,
    /// The SLA clock ran out: the assignee, on the handlers' robot.
    SlaBreached,
    /// A data-fix script waits for review: the reviewers' robot.
    ScriptPending,
    /// A script was approved or rejected: its author.
    ScriptDecided,
    /// Last week's service report in a few lines: the handlers' robot for all systems.
    WeeklyReport,
    /// A monitoring rule found abnormal records or could not run: the handlers' robot of
    /// its system, and e-mail.
    MonitorAlert,
    /// An alerting rule runs normal again: the same.
    MonitorRecovered,
    /// An admin's test of a robot.
    Test,
}

impl Kind {
    /// The kinds an admin may switch on and off.
    pub const ROUTED: [Kind; 12] = [
        Kind::NewReport,
        Kind::ReporterReplied,
        Kind::HandlerAsked,
        Kind::HandlerReplied,
        Kind::Resolved,
        Kind::SlaDueSoon,
        Kind::SlaBreached,
        Kind::ScriptPending,
        Kind::ScriptDecided,
        Kind::WeeklyReport,
        Kind::MonitorAlert,
        Kind::MonitorRecovered,
    ];

    /// Kinds addressed to one person, who may mute them for themselves.
    pub fn is_personal(self) -> bool {
        !matches!(
            self,
            Self::NewReport
                | Self::ScriptPending
                | Self::WeeklyReport
                | Self::MonitorAlert
                | Self::MonitorRecovered
                | Self::Test
        )
    }

    /// Personal kinds a user of the phone app receives.
    pub const FOR_REPORTERS: [Kind; 3] = [Kind::HandlerAsked, Kind::HandlerReplied, Kind::Resolved];

    /// Personal kinds a member of the team receives.
    pub const FOR_TEAM: [Kind; 4] = [
        Kind::ReporterReplied,
        Kind::SlaDueSoon,
        Kind::SlaBreached,
        Kind::ScriptDecided,
    ];
}

/// Whom a group robot speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum Audience {
    Handlers,
    Reporters,
    Reviewers,
}

impl Audience {
    pub const ALL: [Audience; 3] = [Self::Handlers, Self::Reporters, Self::Reviewers];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum DeliveryState {
    Pending,
    Sent,
    /// Given up: a permanent error, or too many attempts. Listed, and may be sent again.
    Dead,
}

impl DeliveryState {
    pub const ALL: [DeliveryState; 3] = [Self::Pending, Self::Sent, Self::Dead];
}

/// Longest robot name.
pub const MAX_ROBOT_NAME: u32 = 40;

/// A group robot as admins see it: the key only by its last characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Robot {
    pub id: i16,
    pub name: String,
    pub audience: Audience,
    /// The system a handlers' robot is for; none takes every other system.
    pub system: Option<String>,
    pub key_hint: String,
    pub paused_until: Option<DateTime<Utc>>,
}

/// A new robot, or a robot's new key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRobot {
    pub name: String,
    pub audience: Audience,
    pub system: Option<String>,
    /// The `key` of the webhook URL, or the whole URL pasted from WeCom.
    pub key: String,
}

/// The application that messages people personally, as admins see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppCredentials {
    pub corp_id: String,
    pub agent_id: i64,
    pub secret_hint: String,
}

/// New application credentials; an empty secret keeps the stored one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAppCredentials {
    pub corp_id: String,
    pub agent_id: String,
    pub secret: String,
}

/// A kind and whether it is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindSwitch {
    pub kind: Kind,
    pub enabled: bool,
}

/// A member of staff's WeCom contacts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffContact {
    pub user_id: i64,
    pub login: String,
    pub display_name: String,
    pub wecom_userid: Option<String>,
    pub work_mobile: Option<String>,
}

/// Everything the settings page shows but the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationSettings {
    pub robots: Vec<Robot>,
    pub app: Option<AppCredentials>,
    pub kinds: Vec<KindSwitch>,
    pub contacts: Vec<StaffContact>,
}

impl NotificationSettings {
    /// Nothing can be sent until a robot or the application is configured.
    pub fn is_off(&self) -> bool {
        self.robots.is_empty() && self.app.is_none()
    }
}

/// What WeCom answered a test message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestAnswer {
    pub errcode: Option<i64>,
    pub errmsg: String,
}

/// Which rows of the delivery log to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogFilter {
    pub state: Option<DeliveryState>,
    pub kind: Option<Kind>,
    pub robot_id: Option<i16>,
}

/// One row of the delivery log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: i64,
    pub kind: Kind,
    pub incident_number: Option<i64>,
    /// The robot's name, or the person messaged.
    pub recipient: String,
    pub state: DeliveryState,
    pub attempts: i32,
    pub last_error: Option<String>,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "chrono::serde::ts_milliseconds_option")]
    pub sent_at: Option<DateTime<Utc>>,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub due_at: DateTime<Utc>,
}

/// Rows of the delivery log a page lists.
pub const LOG_PAGE: i64 = 50;
