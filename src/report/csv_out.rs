//! CSV output: one row a finding, then one row a skipped or failed file
//! (its `kind` is then `skipped` or `failed`).

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
        "detector",
        "category",
        "confidence",
        "masked",
    ];
    if reveal {
        header.push("value");
    }
    header.push("reason");
    w.write_record(&header)?;
    for f in &report.findings {
        let confidence = f.confidence.to_string();
        let location = f.location.to_string();
        let mut row = vec![
            "finding",
            &f.path,
            &location,
            &f.detector,
            &f.category,
            &confidence,
            &f.masked,
        ];
        if reveal {
            row.push(f.value.as_deref().unwrap_or(""));
        }
        row.push("");
        w.write_record(&row)?;
    }
    for e in &report.errors {
        let status = e.status.to_string();
        let mut row = vec![status.as_str(), &e.path, "", "", "", "", ""];
        if reveal {
            row.push("");
        }
        row.push(&e.reason);
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}
