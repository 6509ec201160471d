//! CSV output: one row a finding, then one row a record (its categories in
//! `category`, its flags in `flags`, their reasons in `reason`), then one row
//! a skipped or failed file (its `kind` is then `skipped` or `failed`).

use std::io::Write;

use anyhow::Result;

use super::ScanReport;

pub fn write_csv(report: &ScanReport, out: &mut dyn Write) -> Result<()> {
    let reveal = report.findings.iter().any(|f| f.value.is_some());
    let mut w = csv::Writer::from_writer(out);
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
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}
