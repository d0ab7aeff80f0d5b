//! Bringing records of other channels in from a spreadsheet (`/console/import`): a week's ITSM
//! tickets or WeChat-group records, exported as CSV or XLSX, mapped column by column, checked
//! in a dry run that says what each row would become, then recorded once each: a row whose
//! source reference is already recorded in its channel answers that incident again.

#[cfg(feature = "ssr")]
pub mod http;
pub mod page;
#[cfg(feature = "ssr")]
mod rows;
#[cfg(feature = "ssr")]
mod sheet;
pub mod texts;

pub use page::ImportPage;

use serde::{Deserialize, Serialize};

use crate::error::Problem;
use crate::incidents::{Channel, IncidentNumber};

/// Rows one file may hold (a week of a busy channel is a few hundred).
pub const MAX_ROWS: u32 = 2000;
pub const MAX_FILE_MB: u32 = 5;
/// How far back an imported record may be: a year of history.
pub const MAX_AGE_DAYS: i64 = 366;
/// The channels whose exports are imported.
pub const CHANNELS: [Channel; 2] = [Channel::Itsm, Channel::Wechat];

/// A field of the recorded incident that a column of the sheet may feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    ExternalRef,
    ReceivedAt,
    Contact,
    CustomerName,
    IdDocType,
    IdNumber,
    FundAccount,
    CustomerMobile,
    System,
    Module,
    Title,
    Description,
    /// When the source resolved it: the record is then brought in resolved, at that time.
    ResolvedAt,
    Solution,
    Category,
}

impl Target {
    pub const ALL: [Target; 15] = [
        Self::ExternalRef,
        Self::ReceivedAt,
        Self::Contact,
        Self::CustomerName,
        Self::IdDocType,
        Self::IdNumber,
        Self::FundAccount,
        Self::CustomerMobile,
        Self::System,
        Self::Module,
        Self::Title,
        Self::Description,
        Self::ResolvedAt,
        Self::Solution,
        Self::Category,
    ];

    /// The form field it fills, which also names it in error sentences.
    pub fn field(self) -> &'static str {
        match self {
            Self::ExternalRef => "external_ref",
            Self::ReceivedAt => "received_at",
            Self::Contact => "contact",
            Self::CustomerName => "customer_name",
            Self::IdDocType => "id_doc_type",
            Self::IdNumber => "id_number",
            Self::FundAccount => "fund_account",
            Self::CustomerMobile => "customer_mobile",
            Self::System => "system",
            Self::Module => "module",
            Self::Title => "title",
            Self::Description => "description",
            Self::ResolvedAt => "resolved_at",
            Self::Solution => "solution",
            Self::Category => "category",
        }
    }

    /// Rows cannot be recorded without it; the reference is what makes a re-import harmless.
    pub fn required(self) -> bool {
        matches!(
            self,
            Self::ExternalRef
                | Self::ReceivedAt
                | Self::CustomerName
                | Self::IdNumber
                | Self::System
                | Self::Title
                | Self::Description
        )
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Which column of the sheet (counted from 0) feeds each target, in the order of
/// [`Target::ALL`]; `None` leaves the field empty.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Mapping(pub Vec<Option<u32>>);

impl Mapping {
    pub fn column(&self, target: Target) -> Option<u32> {
        self.0.get(target.index()).copied().flatten()
    }

    pub fn set(&mut self, target: Target, column: Option<u32>) {
        if self.0.len() < Target::ALL.len() {
            self.0.resize(Target::ALL.len(), None);
        }
        self.0[target.index()] = column;
    }

    /// The first required target no column feeds, or one that names a column the sheet lacks.
    pub fn problem(&self, columns: usize) -> Option<(Target, Problem)> {
        Target::ALL
            .into_iter()
            .find_map(|target| match self.column(target) {
                Some(column) if column as usize >= columns => {
                    Some((target, Problem::UnknownChoice))
                }
                None if target.required() => Some((target, Problem::Required)),
                _ => None,
            })
    }
}

/// What became, or would become, of one row of the sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// Passes every check and is not recorded yet: the import would record it.
    Ready,
    Imported {
        number: IncidentNumber,
    },
    /// Its reference is already recorded in this channel (by an earlier import or by hand).
    Existing {
        number: IncidentNumber,
    },
    /// The first problem of the row; nothing of it is recorded.
    Refused {
        field: String,
        problem: Problem,
    },
}

/// One row's line in the preview: its line in the file (the header is line 1), its reference
/// and title so the handler finds it in the source, never the customer's identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowResult {
    pub line: u32,
    pub external_ref: String,
    pub title: String,
    pub outcome: Outcome,
}

/// The answer to a dry run or an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preview {
    pub headers: Vec<String>,
    pub mapping: Mapping,
    /// The field the mapping leaves without a column (or gives a column the sheet lacks);
    /// while there is one, no row is checked.
    pub mapping_problem: Option<(String, Problem)>,
    pub rows: Vec<RowResult>,
    /// `true` when the rows were recorded, not only checked.
    pub committed: bool,
}

impl Preview {
    pub fn count(&self, kind: fn(&Outcome) -> bool) -> usize {
        self.rows.iter().filter(|row| kind(&row.outcome)).count()
    }
}
