//! Running a rule's check against its sources: the counts and the abnormal records kept
//! (at most `keep`; every one is counted).

use std::cmp::Ordering;

use serde_json::json;

use super::reading::{Limits, Reader, Rows, Values};
use super::sources::Sources;
use super::{Check, Query, ReadError, RecordKind};

/// An abnormal record: its kind, key and what the page shows of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub kind: RecordKind,
    pub key: Option<String>,
    pub detail: serde_json::Value,
}

/// What a check found.
#[derive(Debug, Clone, PartialEq)]
pub struct Tally {
    pub normal: u64,
    pub abnormal: u64,
    pub records: Vec<Record>,
    keep: usize,
}

impl Tally {
    fn new(keep: usize) -> Self {
        Self {
            normal: 0,
            abnormal: 0,
            records: Vec::new(),
            keep,
        }
    }

    /// Counts an abnormal record, keeping it while there is room; `record` is only made then.
    fn abnormal(&mut self, record: impl FnOnce() -> Record) {
        self.abnormal += 1;
        if self.records.len() < self.keep {
            self.records.push(record());
        }
    }
}

pub async fn run(
    check: &Check,
    sources: &Sources,
    limits: Limits,
    keep: usize,
) -> Result<Tally, ReadError> {
    match check {
        Check::RowCheck { query } => row_check(query, sources, limits, keep).await,
        Check::Reconciliation {
            left,
            right,
            key,
            compare,
        } => reconcile(left, right, key, compare, sources, limits, keep).await,
    }
}

async fn open(query: &Query, sources: &Sources, limits: Limits) -> Result<Reader, ReadError> {
    let source = sources
        .get(&query.source)
        .ok_or_else(|| ReadError::UnknownSource(query.source.clone()))?;
    Reader::open(source, limits).await
}

fn row_detail(columns: &[String], values: &Values) -> serde_json::Value {
    json!({ "columns": columns, "values": values })
}

async fn row_check(
    query: &Query,
    sources: &Sources,
    limits: Limits,
    keep: usize,
) -> Result<Tally, ReadError> {
    let mut reader = open(query, sources, limits).await?;
    let mut rows = reader.rows(&query.sql, None).await?;
    let mut tally = Tally::new(keep);
    while let Some(values) = rows.next().await? {
        tally.abnormal(|| Record {
            kind: RecordKind::Row,
            key: values.first().cloned().flatten(),
            detail: row_detail(&rows.columns, &values),
        });
    }
    Ok(tally)
}

/// One side of a reconciliation as it is merged: its rows in key order, the row at hand and
/// the key of the one before (a repeated key is a record of its own).
struct Side<'a> {
    rows: Rows<'a>,
    key: usize,
    current: Option<Values>,
    previous_key: Option<Option<String>>,
}

impl<'a> Side<'a> {
    async fn new(rows: Rows<'a>, key: &str) -> Result<Self, ReadError> {
        let index = rows
            .columns
            .iter()
            .position(|c| c == key)
            .ok_or_else(|| ReadError::NoKeyColumn(key.to_owned()))?;
        let mut side = Self {
            rows,
            key: index,
            current: None,
            previous_key: None,
        };
        side.advance().await?;
        Ok(side)
    }

    fn key(&self) -> Option<&Option<String>> {
        self.current.as_ref().and_then(|row| row.get(self.key))
    }

    async fn advance(&mut self) -> Result<(), ReadError> {
        self.previous_key = self.key().cloned();
        self.current = self.rows.next().await?;
        Ok(())
    }

    /// The row at hand repeats the key of the row before.
    fn repeats(&self) -> bool {
        self.previous_key.is_some() && self.key() == self.previous_key.as_ref()
    }

    fn detail(&self) -> serde_json::Value {
        let values = self.current.clone().unwrap_or_default();
        row_detail(&self.rows.columns, &values)
    }
}

/// The pairs of column positions (left, right) compared.
fn compared(
    left: &[String],
    right: &[String],
    key: &str,
    named: &[String],
) -> Result<Vec<(usize, usize)>, ReadError> {
    let position = |columns: &[String], name: &str| columns.iter().position(|c| c == name);
    if named.is_empty() {
        return Ok(left
            .iter()
            .enumerate()
            .filter(|(_, name)| *name != key)
            .filter_map(|(l, name)| Some((l, position(right, name)?)))
            .collect());
    }
    named
        .iter()
        .map(|name| match (position(left, name), position(right, name)) {
            (Some(l), Some(r)) => Ok((l, r)),
            _ => Err(ReadError::NoCompareColumn(name.clone())),
        })
        .collect()
}

/// Merges both sides in key order (the order [`Reader::rows`] asks each database for), so
/// memory holds one row a side whatever their length.
async fn reconcile(
    left: &Query,
    right: &Query,
    key: &str,
    compare: &[String],
    sources: &Sources,
    limits: Limits,
    keep: usize,
) -> Result<Tally, ReadError> {
    let mut left_reader = open(left, sources, limits).await?;
    let mut right_reader = open(right, sources, limits).await?;
    let mut a = Side::new(left_reader.rows(&left.sql, Some(key)).await?, key).await?;
    let mut b = Side::new(right_reader.rows(&right.sql, Some(key)).await?, key).await?;
    let pairs = compared(&a.rows.columns, &b.rows.columns, key, compare)?;
    let mut tally = Tally::new(keep);
    let one_side = |kind: RecordKind, side: &Side<'_>| Record {
        kind,
        key: side.key().cloned().flatten(),
        detail: side.detail(),
    };
    loop {
        // A repeated key is its own record, whichever side it is on.
        for side in [&mut a, &mut b] {
            while side.current.is_some() && side.repeats() {
                tally.abnormal(|| one_side(RecordKind::Duplicate, side));
                side.advance().await?;
            }
        }
        let order = match (a.key(), b.key()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(x), Some(y)) => x.cmp(y),
        };
        match order {
            Ordering::Less => {
                tally.abnormal(|| one_side(RecordKind::LeftOnly, &a));
                a.advance().await?;
            }
            Ordering::Greater => {
                tally.abnormal(|| one_side(RecordKind::RightOnly, &b));
                b.advance().await?;
            }
            Ordering::Equal => {
                let (Some(x), Some(y)) = (&a.current, &b.current) else {
                    break;
                };
                let differing: Vec<&str> = pairs
                    .iter()
                    .filter(|(l, r)| x.get(*l) != y.get(*r))
                    .map(|(l, _)| a.rows.columns[*l].as_str())
                    .collect();
                if differing.is_empty() {
                    tally.normal += 1;
                } else {
                    tally.abnormal(|| Record {
                        kind: RecordKind::Differs,
                        key: a.key().cloned().flatten(),
                        detail: json!({
                            "columns": a.rows.columns,
                            "values": x,
                            "other_columns": b.rows.columns,
                            "other_values": y,
                            "differs": differing,
                        }),
                    });
                }
                a.advance().await?;
                b.advance().await?;
            }
        }
    }
    Ok(tally)
}
