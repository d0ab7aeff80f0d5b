//! The report's tables as spreadsheets: every table one XLSX sheet with typed cells, or one
//! table as CSV. Both are written from the same rows, which hold what the page shows.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::texts::ReportTexts;
use super::{share, Report, ReportTable, Spread, CATEGORY_SLOTS};
use crate::error::AppError;
use crate::i18n::Locale;
use crate::incidents::{Category, Channel};

/// One cell, typed so a spreadsheet can sum and chart it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Count(i64),
    /// A percentage with one decimal, as the page shows it; empty when nothing was counted.
    Percent(Option<f64>),
    /// Business minutes with one decimal; empty when nothing was timed.
    Minutes(Option<f64>),
}

pub struct Table {
    pub table: ReportTable,
    /// Its sheet name in the caller's language.
    pub title: &'static str,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

fn minutes(secs: Option<i64>) -> Cell {
    Cell::Minutes(secs.map(|s| (s as f64 / 6.0).round() / 10.0))
}

fn text(value: impl Into<String>) -> Cell {
    Cell::Text(value.into())
}

fn category_name(locale: Locale, t: &ReportTexts, category: Option<Category>) -> &'static str {
    match category {
        Some(category) => crate::incidents::texts::of(locale).category_name(category),
        None => t.unclassified,
    }
}

fn spread_rows(rows: &mut Vec<Vec<Cell>>, t: &ReportTexts, label: &str, spread: Spread) {
    rows.push(vec![
        text(format!("{label} · {}", t.count)),
        Cell::Count(spread.count),
    ]);
    rows.push(vec![
        text(format!("{label} · {}", t.col_median_minutes)),
        minutes(spread.median_secs),
    ]);
    rows.push(vec![
        text(format!("{label} · {}", t.col_p90_minutes)),
        minutes(spread.p90_secs),
    ]);
}

/// The workbook's media type.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Every table of the report in `locale`.
pub fn tables(report: &Report, locale: Locale) -> Vec<Table> {
    let t = super::texts::of(locale);
    let current = report.current();
    let consultation = current.category(Some(Category::Consultation));

    let mut summary = vec![
        vec![text(t.reported), Cell::Count(current.reported)],
        vec![text(t.resolved), Cell::Count(current.resolved)],
        vec![
            text(t.resolution_rate),
            Cell::Percent(share(current.resolved, current.reported)),
        ],
        vec![text(t.timely), Cell::Count(current.timely)],
        vec![
            text(t.timely_rate),
            Cell::Percent(share(current.timely, current.resolved)),
        ],
        vec![
            text(t.consultation_share),
            Cell::Percent(share(consultation, current.reported)),
        ],
        vec![text(t.ever_resolved), Cell::Count(report.ever_resolved)],
        vec![text(t.reopened), Cell::Count(report.reopened)],
        vec![
            text(t.reopen_rate),
            Cell::Percent(share(report.reopened, report.ever_resolved)),
        ],
    ];
    spread_rows(&mut summary, t, t.first_response, report.first_response);
    spread_rows(&mut summary, t, t.resolution_time, report.resolution);

    let categories = CATEGORY_SLOTS
        .iter()
        .map(|category| {
            let count = current.category(*category);
            vec![
                text(category_name(locale, t, *category)),
                Cell::Count(count),
                Cell::Percent(share(count, current.reported)),
            ]
        })
        .collect();
    let channel_names = crate::console::texts::of(locale);
    let channels = Channel::ALL
        .into_iter()
        .map(|channel| {
            let count = current.channel(channel);
            vec![
                text(channel_names.channel_name(channel)),
                Cell::Count(count),
                Cell::Percent(share(count, current.reported)),
            ]
        })
        .collect();
    let mut systems = Vec::new();
    for system in &report.systems {
        let name = system.system.name(locale);
        systems.push(vec![text(name), text(""), Cell::Count(system.count)]);
        for module in &system.modules {
            systems.push(vec![
                text(name),
                text(module.module.name(locale)),
                Cell::Count(module.count),
            ]);
        }
    }
    let targets = crate::incidents::texts::of(locale);
    let handoffs = report
        .handoffs
        .iter()
        .map(|h| {
            vec![
                text(targets.target_name(h.target)),
                Cell::Count(h.ended.count),
                minutes(h.ended.median_secs),
                minutes(h.ended.p90_secs),
                minutes(Some(h.ended.total_secs)),
                Cell::Count(h.open),
            ]
        })
        .collect();
    let topics = report
        .subcategories
        .iter()
        .map(|topic| {
            vec![
                text(topic.subcategory.clone()),
                text(category_name(locale, t, topic.category)),
                Cell::Count(topic.count),
                Cell::Count(topic.previous),
            ]
        })
        .collect();
    let articles = report
        .articles
        .iter()
        .map(|article| {
            vec![
                text(article.title.clone()),
                text(article.slug.clone()),
                Cell::Count(article.count),
                Cell::Count(article.previous),
            ]
        })
        .collect();
    let trend = report
        .trend
        .iter()
        .map(|counts| {
            let mut row = vec![
                text(counts.period.first.to_string()),
                text(counts.period.last.to_string()),
                Cell::Count(counts.reported),
            ];
            row.extend(counts.categories.iter().map(|n| Cell::Count(*n)));
            row.extend(counts.channels.iter().map(|n| Cell::Count(*n)));
            row.push(Cell::Count(counts.resolved));
            row.push(Cell::Count(counts.timely));
            row.push(Cell::Percent(share(counts.resolved, counts.reported)));
            row.push(Cell::Percent(share(counts.timely, counts.resolved)));
            row
        })
        .collect();
    let names = |category| category_name(locale, t, category);
    let mut trend_columns = vec![t.col_period_start, t.col_period_end, t.reported];
    trend_columns.extend(CATEGORY_SLOTS.iter().map(|c| names(*c)));
    trend_columns.extend(
        Channel::ALL
            .into_iter()
            .map(|c| channel_names.channel_name(c)),
    );
    trend_columns.extend([t.resolved, t.timely, t.resolution_rate, t.timely_rate]);

    let columns = |table| match table {
        ReportTable::Summary => vec![t.col_figure, t.col_value],
        ReportTable::Categories => vec![t.by_category, t.count, t.col_share],
        ReportTable::Channels => vec![t.by_channel, t.count, t.col_share],
        ReportTable::Systems => vec![t.col_system, t.col_module, t.count],
        ReportTable::Handoffs => vec![
            t.col_target,
            t.col_ended,
            t.col_median_minutes,
            t.col_p90_minutes,
            t.col_total_minutes,
            t.col_open,
        ],
        ReportTable::Topics => vec![t.col_subcategory, t.by_category, t.count, t.col_previous],
        ReportTable::Articles => vec![t.col_article, t.col_slug, t.count, t.col_previous],
        ReportTable::Trend => trend_columns.clone(),
    };
    [
        (ReportTable::Summary, summary),
        (ReportTable::Categories, categories),
        (ReportTable::Channels, channels),
        (ReportTable::Systems, systems),
        (ReportTable::Handoffs, handoffs),
        (ReportTable::Topics, topics),
        (ReportTable::Articles, articles),
        (ReportTable::Trend, trend),
    ]
    .into_iter()
    .map(|(table, rows)| Table {
        table,
        title: t.sheet(table),
        columns: columns(table),
        rows,
    })
    .collect()
}

/// One table as CSV, with a byte-order mark so spreadsheet programs read the Chinese right.
pub fn csv(table: &Table) -> Result<Vec<u8>, AppError> {
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record(&table.columns)?;
    for row in &table.rows {
        writer.write_record(row.iter().map(|cell| match cell {
            Cell::Text(text) => text.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Percent(Some(p)) => format!("{p:.1}%"),
            Cell::Minutes(Some(m)) => format!("{m:.1}"),
            Cell::Percent(None) | Cell::Minutes(None) => String::new(),
        }))?;
    }
    writer.into_inner().map_err(|error| {
        tracing::error!(%error, "CSV export");
        AppError::Internal
    })
}

/// Every table as a sheet of one workbook.
pub fn xlsx(tables: &[Table]) -> Result<Vec<u8>, AppError> {
    let mut workbook = Workbook::new();
    for table in tables {
        let sheet = workbook.add_worksheet();
        write_sheet(sheet, table)?;
    }
    Ok(workbook.save_to_buffer()?)
}

fn write_sheet(sheet: &mut Worksheet, table: &Table) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0%");
    let tenths = Format::new().set_num_format("0.0");
    sheet.set_name(table.title)?;
    for (col, name) in (0u16..).zip(&table.columns) {
        sheet.write_string_with_format(0, col, *name, &bold)?;
        sheet.set_column_width(col, if col == 0 { 24 } else { 14 })?;
    }
    for (row, cells) in (1u32..).zip(&table.rows) {
        for (col, cell) in (0u16..).zip(cells) {
            match cell {
                Cell::Text(text) => {
                    sheet.write_string(row, col, text)?;
                }
                Cell::Count(n) => {
                    sheet.write_number(row, col, *n as f64)?;
                }
                Cell::Percent(Some(p)) => {
                    sheet.write_number_with_format(row, col, p / 100.0, &percent)?;
                }
                Cell::Minutes(Some(m)) => {
                    sheet.write_number_with_format(row, col, *m, &tenths)?;
                }
                Cell::Percent(None) | Cell::Minutes(None) => {}
            }
        }
    }
    Ok(())
}

impl From<XlsxError> for AppError {
    fn from(error: XlsxError) -> Self {
        tracing::error!(%error, "XLSX export");
        AppError::Internal
    }
}

impl From<csv::Error> for AppError {
    fn from(error: csv::Error) -> Self {
        tracing::error!(%error, "CSV export");
        AppError::Internal
    }
}
