//! A spreadsheet as rows of text: the first sheet of an XLSX workbook, or a CSV file in UTF-8
//! or in the GB18030 family that Excel on a Chinese Windows writes.

use calamine::{Data, Reader, Xlsx};

use super::MAX_ROWS;
use crate::error::Problem;

pub struct Sheet {
    pub headers: Vec<String>,
    /// Each data row with its line in the file (the header is line 1); blank rows left out.
    pub rows: Vec<(u32, Vec<String>)>,
}

/// Reads the file, or says what is wrong with it (at the field `file`).
pub fn read(bytes: &[u8]) -> Result<Sheet, Problem> {
    let lines = if bytes.starts_with(b"PK\x03\x04") {
        xlsx_lines(bytes)?
    } else {
        csv_lines(bytes)?
    };
    let mut lines = lines.into_iter().map(|(line, cells)| {
        let cells: Vec<String> = cells.iter().map(|c| c.trim().to_owned()).collect();
        (line, cells)
    });
    let Some((_, headers)) = lines.next() else {
        return Err(Problem::Required);
    };
    let rows: Vec<(u32, Vec<String>)> = lines
        .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()))
        .collect();
    if headers.iter().all(String::is_empty) || rows.is_empty() {
        return Err(Problem::Required);
    }
    if rows.len() > MAX_ROWS as usize {
        return Err(Problem::TooMany { max: MAX_ROWS });
    }
    Ok(Sheet { headers, rows })
}

/// Each record with the line it starts on.
fn csv_lines(bytes: &[u8]) -> Result<Vec<(u32, Vec<String>)>, Problem> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => {
            let (text, _, malformed) = encoding_rs::GB18030.decode(bytes);
            if malformed {
                return Err(Problem::Format);
            }
            text
        }
    };
    if text.contains('\0') {
        return Err(Problem::Format);
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut lines = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|_| Problem::Format)?;
        let line = record.position().map_or(0, |at| at.line() as u32);
        lines.push((line, record.iter().map(str::to_owned).collect()));
    }
    Ok(lines)
}

/// Each row with its row number in Excel.
fn xlsx_lines(bytes: &[u8]) -> Result<Vec<(u32, Vec<String>)>, Problem> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|_| Problem::Format)?;
    let range = book
        .worksheet_range_at(0)
        .ok_or(Problem::Required)?
        .map_err(|_| Problem::Format)?;
    let first = range.start().map_or(0, |(row, _)| row);
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, row)| (first + i as u32 + 1, row.iter().map(cell_text).collect()))
        .collect())
}

/// A cell as the handler sees it in Excel: whole numbers without a decimal point (reference
/// and account numbers are often typed as numbers), dates as `YYYY-MM-DD HH:MM:SS`.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(text) | Data::DateTimeIso(text) | Data::DurationIso(text) => text.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(at) => at
            .as_datetime()
            .map(|at| at.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_utf8_with_a_bom_or_in_gbk_reads_the_same() {
        let text = "工单号,标题\nITSM-1,\"委托失败, 提示异常\"\n\n,\nITSM-2,转账\n";
        let utf8 = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        for bytes in [utf8.as_slice(), &gbk] {
            let sheet = read(bytes).expect("readable");
            assert_eq!(sheet.headers, ["工单号", "标题"]);
            assert_eq!(
                sheet.rows,
                [
                    (
                        2,
                        vec!["ITSM-1".to_owned(), "委托失败, 提示异常".to_owned()]
                    ),
                    (5, vec!["ITSM-2".to_owned(), "转账".to_owned()]),
                ]
            );
        }
    }

    #[test]
    fn an_empty_file_a_header_alone_and_too_many_rows_are_refused() {
        assert_eq!(read(b"").err(), Some(Problem::Required));
        assert_eq!(
            read("工单号,标题\n".as_bytes()).err(),
            Some(Problem::Required)
        );
        let many = format!("ref\n{}", "x\n".repeat(MAX_ROWS as usize + 1));
        assert_eq!(
            read(many.as_bytes()).err(),
            Some(Problem::TooMany { max: MAX_ROWS })
        );
        assert_eq!(
            read(b"PK\x03\x04 not a workbook").err(),
            Some(Problem::Format)
        );
    }
}
