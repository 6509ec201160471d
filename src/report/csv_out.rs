//! CSV output: one row a finding, then one row a record (its categories in
//! `category`, its flags in `flags`, their reasons in `reason`), then one row
//! a skipped or failed file (its `kind` is then `skipped` or `failed`). With
//! a state, three more columns (`fingerprint`, `new`, `triage`), and one row
//! a finding or record resolved since the last run (`kind` `resolved`, what
//! it was in `record`, described in `reason`), and one a file moved since
//! (`kind` `moved`, its new path in `path`, its old in `reason`).
//!
//! A spreadsheet opening the CSV may take a cell that starts with `=`, `+`,
//! `-`, `@`, a tab or a carriage return for a formula, and a file name,
//! sheet name or value on the share can start so: such a cell is
//! written with a `'` before it, which spreadsheets show as text. trawl's
//! own words never start so, so no other cell changes.

use std::borrow::Cow;
use std::io::Write;

use anyhow::Result;

use super::ScanReport;

pub fn write_csv(report: &ScanReport, out: &mut dyn Write) -> Result<()> {
    let reveal = report.findings.iter().any(|f| f.value.is_some());
    let mut w = Cells(csv::Writer::from_writer(out));
    let mut header = vec![
        "kind",
        "path",
        "location",
        "record",
        "process",
        "detector",
        "category",
        "confidence",
        "masked",
    ];
    if reveal {
        header.push("value");
    }
    header.push("flags");
    header.push("reason");
    let state = report.history.is_some();
    if state {
        header.extend(["fingerprint", "new", "triage"]);
    }
    w.write_record(&header)?;
    for f in &report.findings {
        let confidence = f.confidence.to_string();
        let location = f.location.to_string();
        let mut row = vec![
            "finding",
            &f.path,
            &location,
            &f.record,
            f.process.as_deref().unwrap_or(""),
            &f.detector,
            &f.category,
            &confidence,
            &f.masked,
        ];
        if reveal {
            row.push(f.value.as_deref().unwrap_or(""));
        }
        row.push("");
        row.push("");
        tracked(state, &mut row, &f.fingerprint, f.new, &f.triage);
        w.write_record(&row)?;
    }
    for r in &report.records {
        let location = r.location.to_string();
        let categories = r.categories.join(";");
        let flags: Vec<String> = r.flags.iter().map(|f| f.flag.to_string()).collect();
        let flags = flags.join(";");
        let reasons: Vec<&str> = r.flags.iter().map(|f| f.reason.as_str()).collect();
        let reasons = reasons.join(" | ");
        let mut row = vec![
            "record",
            &r.path,
            &location,
            &r.record,
            r.process.as_deref().unwrap_or(""),
            "",
            &categories,
            "",
            "",
        ];
        if reveal {
            row.push("");
        }
        row.push(&flags);
        row.push(&reasons);
        tracked(state, &mut row, &r.fingerprint, r.new, &r.triage);
        w.write_record(&row)?;
    }
    for e in &report.errors {
        let status = e.status.to_string();
        let mut row = vec![status.as_str(), &e.path, "", "", "", "", "", "", ""];
        if reveal {
            row.push("");
        }
        row.push("");
        row.push(&e.reason);
        tracked(state, &mut row, &None, false, &None);
        w.write_record(&row)?;
    }
    for c in report.history.iter().flat_map(|h| &h.resolved) {
        let mut row = vec!["resolved", &c.path, "", c.kind.as_str(), "", "", "", "", ""];
        if reveal {
            row.push("");
        }
        row.push("");
        row.push(&c.label);
        row.extend([c.fingerprint.as_str(), "", ""]);
        w.write_record(&row)?;
    }
    for m in report.history.iter().flat_map(|h| &h.moved) {
        let moved = format!(
            "moved from {} ({} findings and records, {} decisions followed)",
            m.from, m.items, m.decisions
        );
        let mut row = vec!["moved", &m.to, "", "", "", "", "", "", ""];
        if reveal {
            row.push("");
        }
        row.push("");
        row.push(&moved);
        row.extend(["", "", ""]);
        w.write_record(&row)?;
    }
    w.0.flush()?;
    Ok(())
}

/// Writes rows with every cell made safe to open in a spreadsheet.
struct Cells<W: Write>(csv::Writer<W>);

impl<W: Write> Cells<W> {
    fn write_record(&mut self, row: &[&str]) -> csv::Result<()> {
        for cell in row {
            self.0.write_field(as_text(cell).as_bytes())?;
        }
        // No fields more: ends the record.
        self.0.write_record(None::<&[u8]>)
    }
}

/// `cell`, with a `'` before it when a spreadsheet would take it for a
/// formula (OWASP's advice on CSV injection).
fn as_text(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The state's columns of an item, when there is a state.
fn tracked<'a>(
    state: bool,
    row: &mut Vec<&'a str>,
    fingerprint: &'a Option<String>,
    new: bool,
    triage: &'a Option<Box<super::Triage>>,
) {
    if state {
        row.push(fingerprint.as_deref().unwrap_or(""));
        row.push(if new { "true" } else { "" });
        row.push(triage.as_ref().map_or("", |t| t.status.as_str()));
    }
}

#[cfg(test)]
mod tests {
    use super::as_text;

    #[test]
    fn a_cell_a_spreadsheet_would_take_for_a_formula_is_written_as_text() {
        for cell in [
            "=HYPERLINK(\"http://x\",\"y\").txt",
            "+44 **** ***123",
            "-2+3",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
        ] {
            assert_eq!(as_text(cell), format!("'{cell}"), "{cell:?}");
        }
    }

    #[test]
    fn any_other_cell_is_written_as_it_is() {
        for cell in [
            "",
            "tables/tenants.csv",
            "a=b.txt",
            "row 3, column NI Number",
            "JG******A",
            "'quoted",
            " =spaced",
        ] {
            assert_eq!(as_text(cell), cell, "{cell:?}");
        }
    }
}
