//! Delimited files (CSV, TSV, pipe-separated): each row is a record, each
//! cell a field located by row and column header.

use std::borrow::Cow;
use std::io::Read;
use std::rc::Rc;

use encoding_rs::WINDOWS_1252;

use super::{find_header, is_title_row, Field, Header, Problem, Sink, MAX_TITLE_ROWS};
use crate::report::{Column, Location};

pub fn scan(reader: Box<dyn Read>, delimiter: u8, sink: &mut Sink) -> Result<(), Problem> {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut record = csv::ByteRecord::new();
    let mut headers: Header = Vec::new();
    // The first rows, held until it is known which of them (if any) is the
    // header: one below a title (see `find_header`).
    let mut opening: Vec<Vec<String>> = Vec::new();
    let mut opened = false;
    let mut row: u64 = 0;
    let mut fields: Vec<Field> = Vec::new();
    loop {
        let more = rdr.read_byte_record(&mut record);
        if !opened && !matches!(more, Ok(true)) {
            // The end, or a break: what was read is judged all the same.
            headers = open_table(&opening, 1, &mut fields, sink);
            opened = true;
        }
        match more {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(e) => {
                return Err(Problem::Failed(format!(
                    "unreadable at row {}: {}",
                    row + 1,
                    csv_reason(&e)
                )))
            }
        }
        row += 1;
        if !opened {
            let cells: Vec<String> = record.iter().map(|c| decode(c).into_owned()).collect();
            let title = is_title_row(&cells);
            opening.push(cells);
            if title && opening.len() <= MAX_TITLE_ROWS {
                continue;
            }
            headers = open_table(&opening, 1, &mut fields, sink);
            opened = true;
            opening = Vec::new();
            continue;
        }
        judge_row(row, record.iter().map(decode), &headers, &mut fields, sink);
    }
}

/// Judges a table's opening rows (numbered from `first_row`) once it is
/// known which is the header: rows above it (a title, a date) by column
/// number, rows below it under its names. Returns the header's names.
fn open_table(
    opening: &[Vec<String>],
    first_row: u64,
    fields: &mut Vec<Field<'static>>,
    sink: &mut Sink,
) -> Header {
    let found = find_header(sink.engine(), opening);
    let unnamed = Header::new();
    for (k, cells) in opening.iter().enumerate() {
        let under = match &found {
            Some((at, header)) if k == *at => {
                sink.set_table_headers(Some(header));
                continue;
            }
            Some((at, header)) if k > *at => header,
            _ => &unnamed,
        };
        let cells = cells.iter().map(|c| Cow::Borrowed(c.as_str()));
        judge_row(first_row + k as u64, cells, under, fields, sink);
    }
    found.map(|(_, header)| header).unwrap_or_default()
}

/// Judges one row, each cell under its column's name (or by its number).
fn judge_row<'c>(
    row: u64,
    cells: impl Iterator<Item = Cow<'c, str>>,
    headers: &Header,
    fields: &mut Vec<Field<'static>>,
    sink: &mut Sink,
) {
    fields.clear();
    for (i, text) in cells.enumerate() {
        if text.trim().is_empty() {
            continue;
        }
        let header = headers.get(i).and_then(Option::as_ref);
        fields.push(Field {
            text: Cow::Owned(text.into_owned()),
            header: header.map(|(_, ctx)| Rc::clone(ctx)),
            location: Location {
                row: Some(row),
                column: Some(match header {
                    Some((name, _)) => Column::Name(name.clone()),
                    None => Column::Number(i as u64 + 1),
                }),
                column_index: i as u64 + 1,
                ..Location::default()
            },
        });
    }
    let at = Location {
        row: Some(row),
        ..Location::default()
    };
    sink.row(fields, at);
}

/// A cell as text: UTF-8, or Windows-1252 when it is not.
fn decode(cell: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(cell) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => WINDOWS_1252.decode_without_bom_handling(cell).0,
    }
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) => format!("read error: {io}"),
        _ => "malformed delimited data".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{Engine, Rules};
    use jiff::civil::Date;

    fn scan_csv(text: &str, d: u8) -> Vec<(u64, String, String)> {
        let engine =
            Engine::new(Rules::embedded().unwrap(), Date::new(2026, 1, 1).unwrap()).unwrap();
        let mut sink = Sink::new(&engine, "t.csv".into(), true);
        scan(
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            d,
            &mut sink,
        )
        .unwrap();
        sink.findings
            .iter()
            .map(|f| {
                let col = match &f.location.column {
                    Some(Column::Name(n)) => n.clone(),
                    Some(Column::Number(n)) => n.to_string(),
                    None => String::new(),
                };
                (f.location.row.unwrap(), col, f.detector.clone())
            })
            .collect()
    }

    #[test]
    fn header_gives_context() {
        let found = scan_csv(
            "Name,DOB,Tenancy Start,Notes\nA B,14/02/1979,01/09/2015,\"line one\nhas asthma\"\n",
            b',',
        );
        assert_eq!(
            found,
            vec![
                (2, "DOB".into(), "date_of_birth".into()),
                (2, "Notes".into(), "health_term".into())
            ]
        );
    }

    #[test]
    fn invoice_column_does_not_pair() {
        let found = scan_csv("Tenant\tSort Code\tAccount Number\tAmount\tInvoice Ref\nX\t20-45-77\t31926819\t10.00\t11-22-33\n", b'\t');
        let detectors: Vec<&str> = found.iter().map(|f| f.2.as_str()).collect();
        assert_eq!(detectors, vec!["uk_sort_code", "uk_bank_account"]);
    }

    #[test]
    fn a_first_row_of_names_and_places_is_data_not_a_header() {
        // Nothing in the first row but names and addresses: it looks like
        // a header, but its values are read, and named by number.
        let found = scan_csv(
            "Mrs Nia Okafor,Flat 3 Mill Court,LS6 2QT\nMr Dev Dunmore,Flat 7 Mill Court,LS6 2QU\n",
            b',',
        );
        assert_eq!(
            found,
            vec![
                (1, "1".into(), "person_name".into()),
                (1, "3".into(), "uk_postcode".into()),
                (2, "1".into(), "person_name".into()),
                (2, "3".into(), "uk_postcode".into()),
            ]
        );
        // A header with a name in it: the other columns keep their names.
        let found = scan_csv("Nia Quorvel,Phone\nx,07700 900123\n", b',');
        assert_eq!(found, vec![(2, "Phone".into(), "uk_phone".into())]);
        let found = scan_csv("Nia Quorvel,Phone\nJane Smith,07700 900123\n", b',');
        assert_eq!(found[0], (2, "1".into(), "person_name".into()));
    }

    #[test]
    fn a_header_below_a_title_names_the_rows_under_it() {
        // A title naming a person, the date the report was run and a blank
        // line: read by column number; the rows under the header by name.
        let found = scan_csv(
            "Arrears for Mrs Nia Okafor,,\nRun 02/06/2025,,\n,,\nName,DOB,Email\nJo Bloggs,02/11/1971,jo@example.com\n",
            b',',
        );
        assert_eq!(
            found,
            vec![
                (1, "1".into(), "person_name".into()),
                (5, "Name".into(), "person_name".into()),
                (5, "DOB".into(), "date_of_birth".into()),
                (5, "Email".into(), "email".into()),
            ]
        );
        // Cut short before a header: the titles read are still judged.
        let found = scan_csv("Arrears for Mrs Nia Okafor\n", b',');
        assert_eq!(found, vec![(1, "1".into(), "person_name".into())]);
    }

    #[test]
    fn no_header_uses_column_numbers() {
        let found = scan_csv("Jane Roe,jane@example.com\n", b',');
        assert_eq!(found, vec![(1, "2".into(), "email".into())]);
    }
}
