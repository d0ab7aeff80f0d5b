//! Running a rule's check against its sources: the counts and the abnormal records kept
//! (at most `keep`; every one is counted).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde_json::json;

use super::reading::{Limits, Reader, Rows, Values};
use super::sources::Sources;
use super::{Check, MetricDay, Query, ReadError, RecordKind, Threshold};

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
        Check::Metric {
            query,
            threshold,
            day,
        } => {
            let today = crate::time::shanghai_today();
            let day = match day {
                MetricDay::Today => today,
                MetricDay::Yesterday => today - Duration::days(1),
            };
            metric(query, *threshold, day, sources, limits, keep).await
        }
    }
}

/// One series' value on the day looked at, what it was held to, and the verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub series: String,
    pub value: Option<f64>,
    /// The weekday average or the window's mean it was compared with.
    pub baseline: Option<f64>,
    pub abnormal: bool,
}

/// Holds each series' value on `day` to `threshold`; values of one series and day add up.
/// A series seen in the data but without a value on `day` is abnormal.
pub fn evaluate(
    points: &[(NaiveDate, String, f64)],
    threshold: Threshold,
    day: NaiveDate,
) -> Vec<Verdict> {
    let mut series: BTreeMap<&str, BTreeMap<NaiveDate, f64>> = BTreeMap::new();
    for (date, name, value) in points {
        *series.entry(name).or_default().entry(*date).or_default() += value;
    }
    series
        .into_iter()
        .map(|(name, values)| {
            let Some(&value) = values.get(&day) else {
                return Verdict {
                    series: name.to_owned(),
                    value: None,
                    baseline: None,
                    abnormal: true,
                };
            };
            let before = |days: u32, step: i64| -> Vec<f64> {
                (1..=i64::from(days))
                    .filter_map(|k| values.get(&(day - Duration::days(k * step))).copied())
                    .collect()
            };
            let mean =
                |xs: &[f64]| (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64);
            let (baseline, abnormal) = match threshold {
                Threshold::Absolute { min, max } => (
                    None,
                    min.is_some_and(|min| value < min) || max.is_some_and(|max| value > max),
                ),
                Threshold::Weekday {
                    weeks,
                    drop_percent,
                } => {
                    let baseline = mean(&before(weeks, 7));
                    (
                        baseline,
                        baseline.is_some_and(|b| value < b * (1.0 - drop_percent / 100.0)),
                    )
                }
                Threshold::ZScore { window, limit } => {
                    let prior = before(window, 1);
                    let baseline = mean(&prior).filter(|_| prior.len() >= 2);
                    let abnormal = baseline.is_some_and(|m| {
                        let sd = (prior.iter().map(|x| (x - m).powi(2)).sum::<f64>()
                            / prior.len() as f64)
                            .sqrt();
                        if sd == 0.0 {
                            value != m
                        } else {
                            ((value - m) / sd).abs() > limit
                        }
                    });
                    (baseline, abnormal)
                }
            };
            Verdict {
                series: name.to_owned(),
                value: Some(value),
                baseline,
                abnormal,
            }
        })
        .collect()
}

/// A metric row as `(day, series, value)`, or the text that does not read.
fn point(values: &Values) -> Result<(NaiveDate, String, f64), ReadError> {
    let text = |i: usize| values.get(i).cloned().flatten();
    let (day, series, value) = match values.len() {
        2 => (text(0), String::new(), text(1)),
        3 => (text(0), text(1).unwrap_or_default(), text(2)),
        _ => return Err(ReadError::NotAMetric(format!("{} columns", values.len()))),
    };
    let day = day.unwrap_or_default();
    let date = day
        .get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .ok_or_else(|| ReadError::NotAMetric(day.clone()))?;
    let value = value.unwrap_or_default();
    let number = value
        .trim()
        .parse::<f64>()
        .map_err(|_| ReadError::NotAMetric(value.clone()))?;
    Ok((date, series, number))
}

async fn metric(
    query: &Query,
    threshold: Threshold,
    day: NaiveDate,
    sources: &Sources,
    limits: Limits,
    keep: usize,
) -> Result<Tally, ReadError> {
    let mut reader = open(query, sources, limits).await?;
    let mut rows = reader.rows(&query.sql, None).await?;
    let mut points = Vec::new();
    while let Some(values) = rows.next().await? {
        points.push(point(&values)?);
    }
    let mut tally = Tally::new(keep);
    let columns = ["series", "day", "value", "baseline"];
    for verdict in evaluate(&points, threshold, day) {
        if !verdict.abnormal {
            tally.normal += 1;
            continue;
        }
        let shown = |v: Option<f64>| v.map(|v| format!("{v:.1}"));
        tally.abnormal(|| Record {
            kind: if verdict.value.is_some() {
                RecordKind::Metric
            } else {
                RecordKind::NoData
            },
            key: Some(verdict.series.clone()),
            detail: json!({
                "columns": columns,
                "values": [Some(verdict.series.clone()), Some(day.to_string()), shown(verdict.value), shown(verdict.baseline)],
            }),
        });
    }
    Ok(tally)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default()
    }

    /// Four weeks of Mondays at 100 a channel; on Monday the 30th `wechat` has `today`.
    fn mondays(today: Option<f64>) -> Vec<(NaiveDate, String, f64)> {
        let mut points = Vec::new();
        for d in [2, 9, 16, 23] {
            for channel in ["app", "wechat"] {
                points.push((day(d), channel.to_owned(), 100.0));
            }
        }
        points.push((day(30), "app".to_owned(), 98.0));
        if let Some(value) = today {
            points.push((day(30), "wechat".to_owned(), value));
        }
        points
    }

    #[test]
    fn a_dip_below_the_weekday_average_and_a_missing_day_are_abnormal() {
        let weekday = Threshold::Weekday {
            weeks: 4,
            drop_percent: 30.0,
        };
        let verdicts = evaluate(&mondays(Some(40.0)), weekday, day(30));
        assert_eq!(
            verdicts
                .iter()
                .map(|v| (v.series.as_str(), v.abnormal, v.baseline))
                .collect::<Vec<_>>(),
            [("app", false, Some(100.0)), ("wechat", true, Some(100.0))]
        );
        assert!(!evaluate(&mondays(Some(71.0)), weekday, day(30))[1].abnormal);
        let missing = evaluate(&mondays(None), weekday, day(30));
        assert_eq!((missing[1].value, missing[1].abnormal), (None, true));
    }

    #[test]
    fn absolute_and_z_score_thresholds() {
        let points: Vec<(NaiveDate, String, f64)> = (1..=30)
            .map(|d| (day(d), String::new(), if d % 2 == 0 { 10.0 } else { 12.0 }))
            .collect();
        let range = Threshold::Absolute {
            min: Some(11.0),
            max: None,
        };
        assert!(evaluate(&points, range, day(30))[0].abnormal);
        assert!(!evaluate(&points, range, day(29))[0].abnormal);
        let z = Threshold::ZScore {
            window: 14,
            limit: 3.0,
        };
        assert!(!evaluate(&points, z, day(30))[0].abnormal);
        let mut spiked = points.clone();
        spiked.push((day(30), String::new(), 30.0));
        assert!(
            evaluate(&spiked, z, day(30))[0].abnormal,
            "40 against 11 ± 1"
        );
    }

    #[test]
    fn a_row_that_is_no_metric_says_what_it_is() {
        let row =
            |values: &[Option<&str>]| point(&values.iter().map(|v| v.map(str::to_owned)).collect());
        assert_eq!(
            row(&[Some("2026-11-30"), Some("wechat"), Some("42")]),
            Ok((day(30), "wechat".to_owned(), 42.0))
        );
        assert_eq!(
            row(&[Some("2026-11-30 00:00:00+08"), Some("7.5")]),
            Ok((day(30), String::new(), 7.5))
        );
        assert_eq!(
            row(&[Some("yesterday"), Some("1")]),
            Err(ReadError::NotAMetric("yesterday".into()))
        );
        assert_eq!(
            row(&[Some("2026-11-30"), None]),
            Err(ReadError::NotAMetric(String::new()))
        );
    }
}
