//! Spreadsheets (XLSX, XLSM, XLSB, XLS, ODS) with calamine, one sheet in
//! memory at a time. Each row is a record located by `sheet`, `cell`, `row`
//! and the `column` header's name, so a "DOB" column gives its values the
//! same context a CSV column does.
//!
//! Cells are matched as a person reads them: date cells as dd/mm/yyyy,
//! whole numbers without a decimal point (an account number stored as a
//! number is matched as its digits), text as written. A leading zero is kept
//! when the number is stored as text; a number stored as a number has none
//! to keep (Excel shows one only through a display format, which is not
//! read), so `01234567` typed as a number is matched as `1234567`.

use std::rc::Rc;

use calamine::{Data, Ods, Reader, Xls, Xlsb, Xlsx};

use super::sniff::Book;
use super::{header_contexts, looks_like_header, Field, Problem, ReadSeek, Sink};
use crate::detect::HeaderContext;
use crate::report::{Column, Location};

pub fn scan(src: Box<dyn ReadSeek>, book: Book, sink: &mut Sink) -> Result<(), Problem> {
    match book {
        Book::Xlsx => scan_book(open::<Xlsx<_>>(src)?, sink),
        Book::Xlsb => scan_book(open::<Xlsb<_>>(src)?, sink),
        Book::Xls => scan_book(open::<Xls<_>>(src)?, sink),
        Book::Ods => scan_book(open::<Ods<_>>(src)?, sink),
    }
}

fn open<R>(src: Box<dyn ReadSeek>) -> Result<R, Problem>
where
    R: Reader<Box<dyn ReadSeek>>,
    R::Error: std::fmt::Display,
{
    R::new(src).map_err(|e| classify(&e.to_string(), "cannot open workbook"))
}

/// Encrypted workbooks say so in their error; everything else failed.
fn classify(message: &str, what: &str) -> Problem {
    let lower = message.to_ascii_lowercase();
    if lower.contains("password") || lower.contains("encrypt") {
        Problem::Encrypted(format!("{what}: encrypted workbook"))
    } else {
        Problem::Failed(format!("{what}: {message}"))
    }
}

fn scan_book<R>(mut book: R, sink: &mut Sink) -> Result<(), Problem>
where
    R: Reader<Box<dyn ReadSeek>>,
    R::Error: std::fmt::Display,
{
    let mut failed = Vec::new();
    for name in book.sheet_names() {
        // One sheet at a time: the range is dropped before the next is read.
        match book.worksheet_range(&name) {
            Ok(range) => scan_sheet(&name, &range, sink),
            Err(e) => failed.push(format!("sheet {name:?}: {e}")),
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Problem::Failed(format!(
            "{}; other sheets were scanned",
            failed.join("; ")
        )))
    }
}

fn scan_sheet(name: &str, range: &calamine::Range<Data>, sink: &mut Sink) {
    let Some((row0, col0)) = range.start() else {
        return;
    };
    let sheet = Rc::new(name.to_string());
    let mut headers: Vec<Option<(String, Rc<HeaderContext>)>> = Vec::new();
    let mut header_seen = false;
    sink.set_table_headers::<String>(None);
    for (r, row) in range.rows().enumerate() {
        let cells: Vec<String> = row.iter().map(cell_text).collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let row_number = u64::from(row0) + r as u64 + 1;
        // The first non-empty row names the columns if it looks like names.
        if !header_seen {
            header_seen = true;
            if looks_like_header(&cells) {
                headers = header_contexts(sink.engine(), &cells);
                sink.set_table_headers(Some(&cells));
                continue;
            }
        }
        let fields: Vec<Field> = cells
            .into_iter()
            .enumerate()
            .filter(|(_, c)| !c.trim().is_empty())
            .map(|(i, text)| {
                let col = u64::from(col0) + i as u64;
                let header = headers.get(i).and_then(Option::as_ref);
                Field {
                    text: text.into(),
                    header: header.map(|(_, h)| Rc::clone(h)),
                    location: Location {
                        sheet: Some(sheet.as_ref().clone()),
                        cell: Some(format!("{}{}", column_letters(col), row_number)),
                        row: Some(row_number),
                        column: header.map(|(n, _)| Column::Name(n.clone())),
                        column_index: col + 1,
                        ..Location::default()
                    },
                }
            })
            .collect();
        let at = Location {
            sheet: Some(sheet.as_ref().clone()),
            row: Some(row_number),
            ..Location::default()
        };
        sink.row(&fields, at);
    }
    sink.set_table_headers::<String>(None);
}

/// A cell as a person reads it.
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) | Data::Bool(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::DateTime(dt) => {
            if dt.is_datetime() {
                let (y, m, d, ..) = dt.to_ymd_hms_milli();
                format!("{d:02}/{m:02}/{y:04}")
            } else {
                float_text(dt.as_f64())
            }
        }
        Data::DateTimeIso(s) => s.split('T').next().unwrap_or(s).to_string(),
        Data::DurationIso(s) => s.clone(),
    }
}

/// Whole numbers without ".0", as Excel's General format shows them.
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e17 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// 0 → A, 25 → Z, 26 → AA.
pub fn column_letters(mut col: u64) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_columns() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn numbers_read_as_shown() {
        assert_eq!(cell_text(&Data::Float(31926819.0)), "31926819");
        assert_eq!(cell_text(&Data::Float(12.5)), "12.5");
        assert_eq!(cell_text(&Data::String("01234567".into())), "01234567");
    }
}
