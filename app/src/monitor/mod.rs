//! Business monitoring (`/console/monitor`): rules the team learned from incidents, run on a
//! schedule against business databases (read-only), each run's normal and abnormal counts
//! and the abnormal records it found.

#[cfg(feature = "ssr")]
pub mod alerts;
mod api;
#[cfg(feature = "ssr")]
pub mod check;
mod editor;
#[cfg(feature = "ssr")]
pub mod http;
mod incident_panel;
pub mod incidents;
#[cfg(feature = "ssr")]
pub mod incidents_store;
mod list;
mod raise_form;
#[cfg(feature = "ssr")]
pub mod reading;
mod rule_page;
mod run_page;
#[cfg(feature = "ssr")]
pub mod schedule;
#[cfg(feature = "ssr")]
pub mod sources;
mod sql;
#[cfg(feature = "ssr")]
pub mod store;
pub mod texts;

pub use api::*;
pub use editor::RuleEditorPage;
pub use incident_panel::IncidentMonitoring;
pub use list::MonitorPage;
pub use rule_page::RulePage;
pub use run_page::RunPage;
pub use sql::select_only;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, Problem};
use crate::incidents::{IncidentNumber, Severity};
use crate::reference::Named;

/// Longest rule name, and longest query.
pub const MAX_NAME: u32 = 100;
pub const MAX_SQL: u32 = 20_000;
/// Records a run's page shows at a time.
pub const RECORDS_PAGE: i64 = 50;

/// One side of a query: the source it reads and the SELECT it runs there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    pub source: String,
    pub sql: String,
}

/// What a rule checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Check {
    /// Every row the query returns is abnormal.
    RowCheck { query: Query },
    /// Two queries keyed by the same column, compared record by record: a key on one side
    /// only, or whose compared columns differ, is abnormal.
    Reconciliation {
        left: Query,
        right: Query,
        key: String,
        /// Columns compared (on both sides by these names); empty: every column both share.
        compare: Vec<String>,
    },
    /// A query of `(bucket, value)` or `(bucket, series, value)` rows, buckets being days:
    /// each series' value on the day looked at is held to the threshold, and a series with no
    /// value that day is abnormal.
    Metric {
        query: Query,
        threshold: Threshold,
        day: MetricDay,
    },
}

/// How a metric's value is judged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Threshold {
    /// Outside `[min, max]` (either may be open).
    Absolute { min: Option<f64>, max: Option<f64> },
    /// More than `drop_percent` below the average of the same weekday in the `weeks` before.
    Weekday { weeks: u32, drop_percent: f64 },
    /// Further than `limit` standard deviations from the `window` days before.
    ZScore { window: u32, limit: f64 },
}

/// Which day's bucket a metric looks at: today's is still filling, yesterday's is whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MetricDay {
    Today,
    #[default]
    Yesterday,
}

/// The kinds of check, as the editor offers them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    #[default]
    RowCheck,
    Reconciliation,
    Metric,
}

impl CheckKind {
    pub const ALL: [CheckKind; 3] = [Self::RowCheck, Self::Reconciliation, Self::Metric];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RowCheck => "row_check",
            Self::Reconciliation => "reconciliation",
            Self::Metric => "metric",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

impl Check {
    pub fn kind(&self) -> CheckKind {
        match self {
            Self::RowCheck { .. } => CheckKind::RowCheck,
            Self::Reconciliation { .. } => CheckKind::Reconciliation,
            Self::Metric { .. } => CheckKind::Metric,
        }
    }
}

/// The editor's form: every field as typed, so nothing typed is lost to an error. A field
/// left out is empty (a kind's fields are sent only by its form).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleInput {
    /// The rule changed; `None` writes a new one.
    pub id: Option<i64>,
    pub name: String,
    pub kind: CheckKind,
    pub source: String,
    pub sql: String,
    /// A reconciliation's other side.
    pub other_source: String,
    pub other_sql: String,
    pub key: String,
    /// Compared columns, separated by commas; empty: every column both sides share.
    pub compare: String,
    /// Five-field cron, Asia/Shanghai.
    pub schedule: String,
    pub severity: Option<Severity>,
    pub enabled: bool,
    /// Minutes after an alert during which the rule alerts no more.
    pub cooldown_minutes: String,
    /// A metric's threshold: `absolute`, `weekday` or `z_score`, and its figures as typed.
    pub threshold: String,
    pub min: String,
    pub max: String,
    pub weeks: String,
    pub drop_percent: String,
    pub window: String,
    pub limit: String,
    pub day: MetricDay,
    /// The system the rule watches (its code; empty: none in particular): its alerts go to
    /// that system's robot.
    pub system: String,
    /// The resolved incident the rule was written from ("monitor this"); set when it is new.
    pub from_incident: Option<IncidentNumber>,
}

/// Longest cooldown: a week.
pub const MAX_COOLDOWN_MINUTES: u32 = 10_080;
/// How long someone on duty may silence a rule, in hours.
pub const SILENCE_HOURS: [i64; 4] = [1, 4, 24, 72];

impl RuleInput {
    pub fn new_rule() -> Self {
        Self {
            schedule: "0 8 * * *".into(),
            severity: Some(Severity::P3),
            enabled: true,
            cooldown_minutes: "60".into(),
            threshold: "weekday".into(),
            weeks: "4".into(),
            drop_percent: "30".into(),
            window: "28".into(),
            limit: "3".into(),
            ..Self::default()
        }
    }

    pub fn of(rule: &RuleSummary, check: &Check) -> Self {
        let mut input = Self {
            id: Some(rule.id),
            name: rule.name.clone(),
            kind: check.kind(),
            schedule: rule.schedule.clone(),
            severity: Some(rule.severity),
            enabled: rule.enabled,
            cooldown_minutes: rule.cooldown_minutes.to_string(),
            system: rule
                .system
                .as_ref()
                .map(|s| s.code.clone())
                .unwrap_or_default(),
            ..Self::default()
        };
        match check {
            Check::RowCheck { query } => {
                input.source.clone_from(&query.source);
                input.sql.clone_from(&query.sql);
            }
            Check::Reconciliation {
                left,
                right,
                key,
                compare,
            } => {
                input.source.clone_from(&left.source);
                input.sql.clone_from(&left.sql);
                input.other_source.clone_from(&right.source);
                input.other_sql.clone_from(&right.sql);
                input.key.clone_from(key);
                input.compare = compare.join(", ");
            }
            Check::Metric {
                query,
                threshold,
                day,
            } => {
                input.source.clone_from(&query.source);
                input.sql.clone_from(&query.sql);
                input.day = *day;
                let text = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
                match *threshold {
                    Threshold::Absolute { min, max } => {
                        input.threshold = "absolute".into();
                        input.min = text(min);
                        input.max = text(max);
                    }
                    Threshold::Weekday {
                        weeks,
                        drop_percent,
                    } => {
                        input.threshold = "weekday".into();
                        input.weeks = weeks.to_string();
                        input.drop_percent = drop_percent.to_string();
                    }
                    Threshold::ZScore { window, limit } => {
                        input.threshold = "z_score".into();
                        input.window = window.to_string();
                        input.limit = limit.to_string();
                    }
                }
            }
        }
        input
    }

    /// The metric's threshold, or the first figure that is wrong.
    fn threshold(&self) -> Result<Threshold, AppError> {
        let number = |field: &'static str,
                      text: &str,
                      min: f64,
                      max: f64|
         -> Result<Option<f64>, AppError> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            text.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && (min..=max).contains(v))
                .map(Some)
                .ok_or(AppError::invalid(field, Problem::Format))
        };
        let required = |field: &'static str, value: Option<f64>| {
            value.ok_or(AppError::invalid(field, Problem::Required))
        };
        let whole = |field: &'static str, text: &str, max: u32| -> Result<u32, AppError> {
            let value = required(field, number(field, text, 1.0, f64::from(max))?)?;
            if value.fract() != 0.0 {
                return Err(AppError::invalid(field, Problem::Format));
            }
            Ok(value as u32)
        };
        match self.threshold.as_str() {
            "absolute" => {
                let (min, max) = (
                    number("min", &self.min, f64::MIN, f64::MAX)?,
                    number("max", &self.max, f64::MIN, f64::MAX)?,
                );
                if min.is_none() && max.is_none() {
                    return Err(AppError::invalid("min", Problem::Required));
                }
                if let (Some(min), Some(max)) = (min, max) {
                    if max < min {
                        return Err(AppError::invalid("max", Problem::NotAfterStart));
                    }
                }
                Ok(Threshold::Absolute { min, max })
            }
            "weekday" => Ok(Threshold::Weekday {
                weeks: whole("weeks", &self.weeks, 52)?,
                drop_percent: required(
                    "drop_percent",
                    number("drop_percent", &self.drop_percent, 0.0, 100.0)?,
                )?,
            }),
            "z_score" => Ok(Threshold::ZScore {
                window: whole("window", &self.window, 366)?,
                limit: required("limit", number("limit", &self.limit, 0.0, 100.0)?)?,
            }),
            _ => Err(AppError::invalid("threshold", Problem::UnknownChoice)),
        }
    }

    /// The check the form describes, or the first field that is wrong (sources are checked
    /// against those configured by the server).
    pub fn check(&self) -> Result<Check, AppError> {
        let invalid = AppError::invalid;
        let name = self.name.trim();
        if name.is_empty() {
            return Err(invalid("name", Problem::Required));
        }
        crate::checks::within(name, MAX_NAME).map_err(|p| invalid("name", p))?;
        let query =
            |source_field: &'static str, source: &str, sql_field: &'static str, sql: &str| {
                if source.trim().is_empty() {
                    return Err(invalid(source_field, Problem::Required));
                }
                if sql.trim().is_empty() {
                    return Err(invalid(sql_field, Problem::Required));
                }
                crate::checks::within(sql, MAX_SQL).map_err(|p| invalid(sql_field, p))?;
                let sql = select_only(sql).map_err(|_| invalid(sql_field, Problem::Format))?;
                Ok(Query {
                    source: source.trim().to_owned(),
                    sql: sql.to_owned(),
                })
            };
        let check = match self.kind {
            CheckKind::RowCheck => Check::RowCheck {
                query: query("source", &self.source, "sql", &self.sql)?,
            },
            CheckKind::Metric => Check::Metric {
                query: query("source", &self.source, "sql", &self.sql)?,
                threshold: self.threshold()?,
                day: self.day,
            },
            CheckKind::Reconciliation => {
                let left = query("source", &self.source, "sql", &self.sql)?;
                let right = query(
                    "other_source",
                    &self.other_source,
                    "other_sql",
                    &self.other_sql,
                )?;
                let key = self.key.trim();
                if key.is_empty() {
                    return Err(invalid("key", Problem::Required));
                }
                Check::Reconciliation {
                    left,
                    right,
                    key: key.to_owned(),
                    compare: self
                        .compare
                        .split([',', '，'])
                        .map(str::trim)
                        .filter(|c| !c.is_empty())
                        .map(str::to_owned)
                        .collect(),
                }
            }
        };
        if !schedule_reads(&self.schedule) {
            return Err(invalid("schedule", Problem::Format));
        }
        if self.severity.is_none() {
            return Err(invalid("severity", Problem::Required));
        }
        self.cooldown()?;
        Ok(check)
    }

    /// The cooldown in minutes, or why it is not one.
    pub fn cooldown(&self) -> Result<i32, AppError> {
        let out_of_range = Problem::OutOfRange {
            min: 0,
            max: MAX_COOLDOWN_MINUTES,
        };
        self.cooldown_minutes
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|m| *m <= MAX_COOLDOWN_MINUTES)
            .map(|m| m as i32)
            .ok_or(AppError::invalid("cooldown_minutes", out_of_range))
    }
}

/// Five fields, each of cron's characters: the browser's first look; the server reads it
/// fully.
fn schedule_reads(text: &str) -> bool {
    let fields: Vec<&str> = text.split_whitespace().collect();
    fields.len() == 5
        && fields.iter().all(|f| {
            f.chars()
                .all(|c| c.is_ascii_alphanumeric() || ",-*/?LW#".contains(c))
        })
}

/// A run as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunSummary {
    pub id: i64,
    pub manual: bool,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// `None` while it runs.
    pub outcome: Option<Outcome>,
    pub normal: i64,
    pub abnormal: i64,
    pub kept: i32,
    pub error: Option<ReadError>,
    /// What it did about alerts: `alerted`, `recovered`, `cooldown`, `silenced`.
    pub alert: Option<String>,
}

/// A rule as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSummary {
    pub id: i64,
    pub name: String,
    pub kind: CheckKind,
    pub schedule: String,
    pub severity: Severity,
    pub enabled: bool,
    pub next_run_at: Option<DateTime<Utc>>,
    pub last_run: Option<RunSummary>,
    pub cooldown_minutes: i32,
    /// An alert went out and no recovery since.
    pub alerting: bool,
    pub silenced_until: Option<DateTime<Utc>>,
    pub system: Option<Named>,
    /// Who answers for it: its author.
    pub owner: Option<String>,
}

/// A rule's page: the rule, what it checks, its recent runs (newest first), and the
/// incidents linked with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleDetail {
    pub rule: RuleSummary,
    pub input: RuleInput,
    pub runs: Vec<RunSummary>,
    pub incidents: Vec<incidents::LinkedIncident>,
}

/// A kept abnormal record as a page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordView {
    pub kind: RecordKind,
    pub key: Option<String>,
    pub columns: Vec<String>,
    pub values: Vec<Option<String>>,
    /// A difference's other side, and the columns that differ.
    pub other_columns: Vec<String>,
    pub other_values: Vec<Option<String>>,
    pub differs: Vec<String>,
}

impl RecordView {
    /// From what a run keeps of a record (see `check::Record`).
    pub fn from_detail(kind: RecordKind, key: Option<String>, detail: &serde_json::Value) -> Self {
        let strings = |name: &str| -> Vec<String> {
            serde_json::from_value(detail[name].clone()).unwrap_or_default()
        };
        let values = |name: &str| -> Vec<Option<String>> {
            serde_json::from_value(detail[name].clone()).unwrap_or_default()
        };
        Self {
            kind,
            key,
            columns: strings("columns"),
            values: values("values"),
            other_columns: strings("other_columns"),
            other_values: values("other_values"),
            differs: strings("differs"),
        }
    }
}

/// One run's page: the run, its rule, and a page of its kept records matching a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunDetail {
    pub run: RunSummary,
    pub rule_id: i64,
    pub rule_name: String,
    /// The rule's system code, for an incident raised from the run.
    pub rule_system: Option<String>,
    pub records: Vec<RecordView>,
    /// Kept records matching the search.
    pub matching: i64,
    /// The incident raised from this run, if any.
    pub raised: Option<IncidentNumber>,
    /// The viewer may raise an incident from it.
    pub may_raise: bool,
}

/// What a dry run found, saved nowhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DryRun {
    pub outcome: Outcome,
    pub normal: i64,
    pub abnormal: i64,
    /// The first few abnormal records.
    pub records: Vec<RecordView>,
    pub error: Option<ReadError>,
}

/// A source the server reads, with its address (password hidden) for those who manage
/// settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    pub name: String,
    pub url: Option<String>,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Normal,
    Abnormal,
    Error,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Self::Normal, Self::Abnormal, Self::Error];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Abnormal => "abnormal",
            Self::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == text)
    }
}

/// What kind of abnormal record a run kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A row check's row.
    Row,
    /// A key only the left side has.
    LeftOnly,
    RightOnly,
    /// A key both sides have, with compared columns that differ.
    Differs,
    /// A key a side has twice.
    Duplicate,
    /// A metric's series whose value breaks its threshold.
    Metric,
    /// A metric's series with no value on the day looked at.
    NoData,
}

impl RecordKind {
    pub const ALL: [RecordKind; 7] = [
        Self::Row,
        Self::LeftOnly,
        Self::RightOnly,
        Self::Differs,
        Self::Duplicate,
        Self::Metric,
        Self::NoData,
    ];

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Row => "row",
            Self::LeftOnly => "left_only",
            Self::RightOnly => "right_only",
            Self::Differs => "differs",
            Self::Duplicate => "duplicate",
            Self::Metric => "metric",
            Self::NoData => "no_data",
        }
    }
}

/// Why a rule's source could not be read; the page words each for the rule's author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum ReadError {
    /// Not one SELECT (an UPDATE, a CREATE, a COPY, two statements).
    NotASelect,
    /// The database refused a write inside the read-only transaction.
    WroteInReadOnly,
    /// The query ran past its timeout and was cancelled.
    Timeout {
        secs: u64,
    },
    TooManyRows {
        cap: u64,
    },
    NoColumns,
    /// The key column is not among the query's columns.
    NoKeyColumn(String),
    /// A compared column one side lacks.
    NoCompareColumn(String),
    /// A metric's row is not `(day, value)` or `(day, series, value)`: the text that is not.
    NotAMetric(String),
    /// No source of this name is configured.
    UnknownSource(String),
    /// The source could not be reached.
    Unreachable,
    /// The business database's own message (a typo in a column name, say).
    Query(String),
    /// The server running it stopped before it finished (a crash, a restart).
    Interrupted,
}

#[cfg(feature = "ssr")]
impl ReadError {
    pub fn from_source(error: sqlx::Error) -> Self {
        // MySQL's and MariaDB's own numbers for a statement past its time.
        const MYSQL_TIMEOUTS: [u16; 2] = [3024, 1969];
        match &error {
            sqlx::Error::Database(db) => match db.code().as_deref() {
                Some("25006") => Self::WroteInReadOnly,
                // Cancelled: the timeout's figure is added by the caller, who knows it.
                Some("57014") => Self::Timeout { secs: 0 },
                _ if db
                    .try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()
                    .is_some_and(|e| MYSQL_TIMEOUTS.contains(&e.number())) =>
                {
                    Self::Timeout { secs: 0 }
                }
                _ => Self::Query(db.message().to_owned()),
            },
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
                tracing::warn!(%error, "monitor source unreachable");
                Self::Unreachable
            }
            other => Self::Query(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_read_error_is_kept_and_read_back() {
        for error in [
            ReadError::NotASelect,
            ReadError::Timeout { secs: 60 },
            ReadError::NoKeyColumn("card_no".into()),
            ReadError::Query("column \"x\" does not exist".into()),
        ] {
            let kept = serde_json::to_value(&error).expect("serialises");
            assert_eq!(serde_json::from_value::<ReadError>(kept).ok(), Some(error));
        }
    }
}
