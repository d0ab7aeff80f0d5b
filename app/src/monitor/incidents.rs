//! The loop between monitoring and incidents: an incident raised from a run carries the
//! abnormal records its handler chose (which columns, which records), and a rule may be
//! written from a resolved incident. Types and the choosing, shared by both sides.

use serde::{Deserialize, Serialize};

use super::{RecordKind, RecordView};
use crate::incidents::{IncidentNumber, Status};

/// What a handler asks for to raise an incident from a run: the records the run's page shows
/// for its search and page (at most a page of them), with the columns chosen, and the
/// incident's own words.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RaiseInput {
    pub run_id: i64,
    pub q: String,
    pub page: i64,
    pub columns: Vec<String>,
    pub title: String,
    /// System and module codes, as the report form holds them.
    pub system: String,
    pub module: String,
    pub description: String,
}

/// The records an incident carries, as they were when it was raised.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AttachedRecords {
    pub columns: Vec<String>,
    pub rows: Vec<AttachedRow>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachedRow {
    pub kind: RecordKind,
    /// One a column; a difference reads `left → right`.
    pub cells: Vec<Option<String>>,
}

impl AttachedRecords {
    /// `records` with only `columns` (those neither side has are left out).
    pub fn of(records: &[RecordView], columns: &[String]) -> Self {
        let offered = columns_of(records);
        let columns: Vec<String> = offered
            .into_iter()
            .filter(|c| columns.contains(c))
            .collect();
        Self {
            rows: records
                .iter()
                .map(|record| AttachedRow {
                    kind: record.kind,
                    cells: columns.iter().map(|c| record.cell(c)).collect(),
                })
                .collect(),
            columns,
        }
    }
}

impl RecordView {
    /// The record's value in `column`: its own side first, the other side's when only that
    /// side has the column, both when they differ there.
    pub fn cell(&self, column: &str) -> Option<String> {
        let side = |columns: &[String], values: &[Option<String>]| {
            columns
                .iter()
                .position(|c| c == column)
                .and_then(|i| values.get(i).cloned())
        };
        let own = side(&self.columns, &self.values);
        let other = side(&self.other_columns, &self.other_values);
        if self.differs.iter().any(|c| c == column) {
            let text = |v: Option<Option<String>>| v.flatten().unwrap_or_else(|| "NULL".into());
            return Some(format!("{} → {}", text(own), text(other)));
        }
        own.or(other).flatten()
    }
}

/// Every column the records show, in the order first seen.
pub fn columns_of(records: &[RecordView]) -> Vec<String> {
    let mut columns: Vec<String> = Vec::new();
    for record in records {
        for column in record.columns.iter().chain(&record.other_columns) {
            if !columns.contains(column) {
                columns.push(column.clone());
            }
        }
    }
    columns
}

/// Column names that usually hold a customer's identity (name, document number, fund
/// account, mobile): the raise form leaves them unticked, so a handler attaches them only on
/// purpose.
pub fn looks_like_identity(column: &str) -> bool {
    const MARKS: [&str; 16] = [
        "name",
        "姓名",
        "客户名",
        "id_no",
        "id_number",
        "idno",
        "id_card",
        "idcard",
        "cert",
        "证件",
        "身份证",
        "fund_account",
        "资金账号",
        "mobile",
        "phone",
        "手机",
    ];
    let column = column.to_lowercase();
    MARKS.iter().any(|mark| column.contains(mark))
}

/// An incident a rule is linked with: raised from one of its runs, or the one it was written
/// from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedIncident {
    pub number: IncidentNumber,
    pub title: String,
    pub status: Status,
}

/// What monitoring knows of an incident, for its page.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct IncidentMonitoring {
    pub raised: Option<RaisedFrom>,
    /// Rules written from this incident.
    pub rules: Vec<RuleLink>,
}

/// The run an incident was raised from and the records it carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RaisedFrom {
    pub rule: RuleLink,
    /// `None` once the run is gone; the records stay.
    pub run_id: Option<i64>,
    /// Abnormal records the run found in all.
    pub found: i64,
    pub records: AttachedRecords,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleLink {
    pub id: i64,
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: RecordKind, columns: &[&str], values: &[&str]) -> RecordView {
        RecordView {
            kind,
            key: values.first().map(|v| (*v).to_owned()),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            values: values.iter().map(|v| Some((*v).to_owned())).collect(),
            other_columns: Vec::new(),
            other_values: Vec::new(),
            differs: Vec::new(),
        }
    }

    #[test]
    fn only_the_chosen_columns_are_attached() {
        let records = [
            record(
                RecordKind::Row,
                &["card_no", "customer_name", "status"],
                &["A1", "张三", "frozen"],
            ),
            record(
                RecordKind::Row,
                &["card_no", "customer_name", "status"],
                &["A2", "李四", "normal"],
            ),
        ];
        let attached = AttachedRecords::of(&records, &["status".into(), "card_no".into()]);
        // In the records' order, not the request's; the name never comes along.
        assert_eq!(attached.columns, ["card_no", "status"]);
        assert_eq!(
            attached.rows[1].cells,
            [Some("A2".to_owned()), Some("normal".to_owned())]
        );
        assert!(!format!("{attached:?}").contains("张三"));
    }

    #[test]
    fn a_difference_shows_both_sides() {
        let mut differs = record(RecordKind::Differs, &["card_no", "status"], &["A1", "0"]);
        differs.other_columns = vec!["card_no".into(), "status".into()];
        differs.other_values = vec![Some("A1".into()), None];
        differs.differs = vec!["status".into()];
        let mut right_only = record(RecordKind::RightOnly, &[], &[]);
        right_only.other_columns = vec!["card_no".into(), "market".into()];
        right_only.other_values = vec![Some("B7".into()), Some("SZ".into())];
        let attached = AttachedRecords::of(
            &[differs, right_only],
            &["card_no".into(), "status".into(), "market".into()],
        );
        assert_eq!(attached.columns, ["card_no", "status", "market"]);
        assert_eq!(attached.rows[0].cells[1].as_deref(), Some("0 → NULL"));
        assert_eq!(attached.rows[1].cells[0].as_deref(), Some("B7"));
        assert_eq!(attached.rows[1].cells[1], None);
    }

    #[test]
    fn identity_columns_are_recognised() {
        for column in [
            "customer_name",
            "ID_NO",
            "客户姓名",
            "资金账号",
            "mobile_phone",
        ] {
            assert!(looks_like_identity(column), "{column}");
        }
        for column in ["card_no", "status", "market", "channel", "day"] {
            assert!(!looks_like_identity(column), "{column}");
        }
    }
}
