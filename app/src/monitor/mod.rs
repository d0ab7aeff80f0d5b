//! Business monitoring (`/console/monitor`): rules the team learned from incidents, run on a
//! schedule against business databases (read-only), each run's normal and abnormal counts
//! and the abnormal records it found.

#[cfg(feature = "ssr")]
pub mod check;
#[cfg(feature = "ssr")]
pub mod reading;
#[cfg(feature = "ssr")]
pub mod schedule;
#[cfg(feature = "ssr")]
pub mod sources;
#[cfg(feature = "ssr")]
pub mod store;

use serde::{Deserialize, Serialize};

/// One side of a query: the source it reads and the SELECT it runs there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    pub source: String,
    pub sql: String,
}

/// What a rule checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
}

impl Check {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::RowCheck { .. } => "row_check",
            Self::Reconciliation { .. } => "reconciliation",
        }
    }
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
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::Abnormal => "abnormal",
            Self::Error => "error",
        }
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
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Row => "row",
            Self::LeftOnly => "left_only",
            Self::RightOnly => "right_only",
            Self::Differs => "differs",
            Self::Duplicate => "duplicate",
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
    /// No source of this name is configured.
    UnknownSource(String),
    /// The source could not be reached.
    Unreachable,
    /// The business database's own message (a typo in a column name, say).
    Query(String),
}

#[cfg(feature = "ssr")]
impl ReadError {
    pub fn from_source(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Database(db) => match db.code().as_deref() {
                Some("25006") => Self::WroteInReadOnly,
                // Cancelled: the timeout's figure is added by the caller, who knows it.
                Some("57014") => Self::Timeout { secs: 0 },
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
