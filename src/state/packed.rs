//! Stored results as the state keeps them: compact binary (postcard), not
//! JSON. A rescan decodes one for every unchanged file that gave anything,
//! and JSON, with each finding's path and field names written out, took
//! three times the room and most of a rescan's decoding time.
//!
//! The layout is these structs, field by field, in order. Enums are kept as
//! explicit codes, so reordering a type's variants cannot make an old result
//! read as something else, and raw values have no field at all. Changing
//! the layout means bumping [`LAYOUT`]: it is part of what stored results are
//! made with, so a state holding another layout has every file read again
//! rather than misread. A result that does not decode is read again too.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{StoredMember, StoredResult};
use crate::detect::Confidence;
use crate::extract::RecordDraft;
use crate::report::{Column, FileRecord, Finding, Location, Outcome, Triage};

/// The layout's version (see the module's notes).
pub const LAYOUT: u32 = 2;

#[derive(Serialize, Deserialize)]
struct Packed {
    format: String,
    outcome: u8,
    reason: Option<String>,
    findings: Vec<PackedFinding>,
    /// Header lists, each once: a table's rows share theirs.
    headers: Vec<Vec<String>>,
    records: Vec<PackedDraft>,
    members: Vec<PackedMember>,
    /// Findings past the listing: (detector, confidence, count); and rows
    /// holding only those.
    unlisted: Vec<(String, u8, u64)>,
    rows_not_judged: u64,
}

#[derive(Serialize, Deserialize)]
struct PackedFinding {
    /// None when it is the file's own path (not a container's member).
    path: Option<String>,
    location: PackedLocation,
    record: String,
    process: Option<String>,
    detector: String,
    category: String,
    confidence: u8,
    evidence: Vec<String>,
    masked: String,
    fingerprint: Option<String>,
    triage: Option<(String, String, String, String)>,
}

#[derive(Serialize, Deserialize)]
struct PackedLocation {
    message: Option<u64>,
    part: Option<String>,
    sheet: Option<String>,
    page: Option<u64>,
    table: Option<u64>,
    paragraph: Option<u64>,
    line: Option<u64>,
    row: Option<u64>,
    /// A column's number, or its header's name.
    column: Option<Result<u64, String>>,
    cell: Option<String>,
    pointer: Option<String>,
    /// The sort keys, which the outputs do not write.
    column_index: u64,
    ordinal: u64,
    offset: u64,
}

#[derive(Serialize, Deserialize)]
struct PackedDraft {
    path: Option<String>,
    locator: String,
    location: PackedLocation,
    /// Which of [`Packed::headers`].
    headers: u32,
    fields: Vec<(String, String)>,
    document_date: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct PackedMember {
    format: String,
    outcome: u8,
    /// A member not (wholly) read: its path, format and why.
    record: Option<(String, u8, String, String)>,
}

fn outcome_code(o: Outcome) -> u8 {
    match o {
        Outcome::Scanned => 0,
        Outcome::Skipped => 1,
        Outcome::Encrypted => 2,
        Outcome::NoText => 3,
        Outcome::Failed => 4,
    }
}

fn outcome_of(code: u8) -> Option<Outcome> {
    Some(match code {
        0 => Outcome::Scanned,
        1 => Outcome::Skipped,
        2 => Outcome::Encrypted,
        3 => Outcome::NoText,
        4 => Outcome::Failed,
        _ => return None,
    })
}

fn confidence_code(c: Confidence) -> u8 {
    match c {
        Confidence::Low => 0,
        Confidence::Medium => 1,
        Confidence::High => 2,
    }
}

fn confidence_of(code: u8) -> Option<Confidence> {
    Some(match code {
        0 => Confidence::Low,
        1 => Confidence::Medium,
        2 => Confidence::High,
        _ => return None,
    })
}

/// A path as kept: none when it is the file's own.
fn own_or(path: &str, rel: &str) -> Option<String> {
    (path != rel).then(|| path.to_string())
}

fn pack_location(l: &Location) -> PackedLocation {
    PackedLocation {
        message: l.message,
        part: l.part.clone(),
        sheet: l.sheet.clone(),
        page: l.page,
        table: l.table,
        paragraph: l.paragraph,
        line: l.line,
        row: l.row,
        column: l.column.as_ref().map(|c| match c {
            Column::Number(n) => Ok(*n),
            Column::Name(n) => Err(n.clone()),
        }),
        cell: l.cell.clone(),
        pointer: l.pointer.clone(),
        column_index: l.column_index,
        ordinal: l.ordinal,
        offset: l.offset,
    }
}

fn unpack_location(l: PackedLocation) -> Location {
    Location {
        message: l.message,
        part: l.part,
        sheet: l.sheet,
        page: l.page,
        table: l.table,
        paragraph: l.paragraph,
        line: l.line,
        row: l.row,
        column: l.column.map(|c| match c {
            Ok(n) => Column::Number(n),
            Err(n) => Column::Name(n),
        }),
        cell: l.cell,
        pointer: l.pointer,
        column_index: l.column_index,
        ordinal: l.ordinal,
        offset: l.offset,
    }
}

/// What reading the file at `rel` gave, packed to store. Raw values are
/// never part of it, whatever the findings hold.
pub fn pack(stored: &StoredResult, rel: &str) -> Vec<u8> {
    let mut headers: Vec<Vec<String>> = Vec::new();
    let mut last: Option<&Arc<[String]>> = None;
    let records = stored
        .records
        .iter()
        .map(|d| {
            let shared = last.is_some_and(|l| Arc::ptr_eq(l, &d.headers) || **l == *d.headers);
            if !shared {
                headers.push(d.headers.to_vec());
                last = Some(&d.headers);
            }
            PackedDraft {
                path: own_or(&d.path, rel),
                locator: d.locator.clone(),
                location: pack_location(&d.location),
                headers: headers.len() as u32 - 1,
                fields: d.fields.clone(),
                document_date: d.document_date.clone(),
            }
        })
        .collect();
    let packed = Packed {
        format: stored.format.clone(),
        outcome: outcome_code(stored.outcome),
        reason: stored.reason.clone(),
        findings: stored
            .findings
            .iter()
            .map(|f| PackedFinding {
                path: own_or(&f.path, rel),
                location: pack_location(&f.location),
                record: f.record.clone(),
                process: f.process.clone(),
                detector: f.detector.clone(),
                category: f.category.clone(),
                confidence: confidence_code(f.confidence),
                evidence: f.evidence.clone(),
                masked: f.masked.clone(),
                fingerprint: f.fingerprint.clone(),
                triage: f
                    .triage
                    .as_ref()
                    .map(|t| (t.status.clone(), t.note.clone(), t.by.clone(), t.at.clone())),
            })
            .collect(),
        headers,
        records,
        members: stored
            .members
            .iter()
            .map(|m| PackedMember {
                format: m.format.clone(),
                outcome: outcome_code(m.outcome),
                record: m.record.as_ref().map(|r| {
                    (
                        r.path.clone(),
                        outcome_code(r.status),
                        r.format.clone(),
                        r.reason.clone(),
                    )
                }),
            })
            .collect(),
        unlisted: stored
            .unlisted
            .findings
            .iter()
            .flat_map(|(d, counts)| {
                [Confidence::Low, Confidence::Medium, Confidence::High]
                    .into_iter()
                    .filter(|c| counts[*c as usize] > 0)
                    .map(|c| (d.clone(), confidence_code(c), counts[c as usize]))
            })
            .collect(),
        rows_not_judged: stored.unlisted.rows,
    };
    // Writing to memory fails only on allocation, which aborts anyway.
    postcard::to_allocvec(&packed).unwrap_or_default()
}

/// A stored result of the file at `rel`, or none when it does not decode
/// (damaged, or in another layout): the file is then read again.
pub fn unpack(bytes: &[u8], rel: &str) -> Option<StoredResult> {
    let packed: Packed = postcard::from_bytes(bytes).ok()?;
    let headers: Vec<Arc<[String]>> = packed.headers.into_iter().map(Arc::from).collect();
    let path = |p: Option<String>| p.unwrap_or_else(|| rel.to_string());
    let findings = packed
        .findings
        .into_iter()
        .map(|f| {
            Some(Finding {
                path: path(f.path),
                location: unpack_location(f.location),
                record: f.record,
                process: f.process,
                detector: f.detector,
                category: f.category,
                confidence: confidence_of(f.confidence)?,
                evidence: f.evidence,
                masked: f.masked,
                value: None,
                fingerprint: f.fingerprint,
                new: false,
                triage: f.triage.map(|(status, note, by, at)| {
                    Box::new(Triage {
                        status,
                        note,
                        by,
                        at,
                    })
                }),
                value_sha256: None,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let records = packed
        .records
        .into_iter()
        .map(|d| {
            Some(RecordDraft {
                path: path(d.path),
                locator: d.locator,
                location: unpack_location(d.location),
                headers: Arc::clone(headers.get(d.headers as usize)?),
                fields: d.fields,
                document_date: d.document_date,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let members = packed
        .members
        .into_iter()
        .map(|m| {
            let record = match m.record {
                Some((path, status, format, reason)) => Some(FileRecord {
                    path,
                    status: outcome_of(status)?,
                    format,
                    reason,
                }),
                None => None,
            };
            Some(StoredMember {
                format: m.format,
                outcome: outcome_of(m.outcome)?,
                record,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let mut unlisted = crate::extract::Unlisted {
        rows: packed.rows_not_judged,
        ..Default::default()
    };
    for (detector, confidence, n) in packed.unlisted {
        unlisted.count(&detector, confidence_of(confidence)?, n);
    }
    Some(StoredResult {
        format: packed.format,
        outcome: outcome_of(packed.outcome)?,
        reason: packed.reason,
        findings,
        records,
        members,
        unlisted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn location(line: u64, column: Option<Column>) -> Location {
        Location {
            line: Some(line),
            column,
            column_index: 7,
            ordinal: 2,
            offset: 40,
            ..Location::default()
        }
    }

    fn finding(path: &str, detector: &str) -> Finding {
        Finding {
            path: path.into(),
            location: location(3, Some(Column::Number(12))),
            record: "document".into(),
            process: None,
            detector: detector.into(),
            category: "contact_details".into(),
            confidence: Confidence::Medium,
            evidence: vec!["address_format".into()],
            masked: "a***@*******.com".into(),
            value: None,
            fingerprint: Some("00ff".into()),
            new: false,
            triage: None,
            value_sha256: None,
        }
    }

    fn sample() -> StoredResult {
        let headers: Arc<[String]> = Arc::from(vec!["name".to_string(), "dob".to_string()]);
        let draft = |row: u64, path: &str| RecordDraft {
            path: path.into(),
            locator: format!("row {row}"),
            location: Location {
                row: Some(row),
                sheet: Some("Tenants".into()),
                ..Location::default()
            },
            headers: Arc::clone(&headers),
            fields: vec![("dob".into(), "1990-01-01".into())],
            document_date: None,
        };
        let mut inner = finding("share/a.zip/inner.csv", "uk_nino");
        inner.location = location(2, Some(Column::Name("NI number".into())));
        inner.process = Some("tenancy".into());
        inner.confidence = Confidence::High;
        inner.triage = Some(Box::new(Triage {
            status: "suppressed".into(),
            note: "test data".into(),
            by: "suppressions.toml".into(),
            at: String::new(),
        }));
        StoredResult {
            format: "zip".into(),
            outcome: Outcome::Scanned,
            reason: Some("one member encrypted".into()),
            findings: vec![finding("share/a.zip", "email"), inner],
            records: vec![
                draft(2, "share/a.zip"),
                draft(3, "share/a.zip"),
                draft(2, "share/a.zip/inner.csv"),
            ],
            members: vec![
                StoredMember {
                    format: "csv".into(),
                    outcome: Outcome::Scanned,
                    record: None,
                },
                StoredMember {
                    format: "pdf".into(),
                    outcome: Outcome::Encrypted,
                    record: Some(FileRecord {
                        path: "share/a.zip/locked.pdf".into(),
                        status: Outcome::Encrypted,
                        format: "pdf".into(),
                        reason: "encrypted".into(),
                    }),
                },
            ],
            unlisted: {
                let mut unlisted = crate::extract::Unlisted {
                    rows: 1,
                    ..Default::default()
                };
                unlisted.count("uk_nino", Confidence::High, 3);
                unlisted.count("uk_nino", Confidence::Low, 1);
                unlisted
            },
        }
    }

    fn same(a: &StoredResult, b: &StoredResult) {
        assert_eq!(a.format, b.format);
        assert_eq!(a.outcome, b.outcome);
        assert_eq!(a.reason, b.reason);
        assert_eq!(a.findings, b.findings);
        assert_eq!(a.records, b.records);
        assert_eq!(a.unlisted, b.unlisted);
        assert_eq!(a.members.len(), b.members.len());
        for (x, y) in a.members.iter().zip(&b.members) {
            assert_eq!(
                (&x.format, x.outcome, &x.record),
                (&y.format, y.outcome, &y.record)
            );
        }
    }

    #[test]
    fn a_result_comes_back_as_it_was_stored() {
        let stored = sample();
        let back = unpack(&pack(&stored, "share/a.zip"), "share/a.zip").unwrap();
        same(&stored, &back);
        // Sort keys, which the outputs leave out, are kept.
        assert_eq!(back.findings[1].location.column_index, 7);
        assert_eq!(back.findings[1].location.offset, 40);
        // A table's rows share one header list again.
        assert!(Arc::ptr_eq(
            &back.records[0].headers,
            &back.records[2].headers
        ));
    }

    #[test]
    fn raw_values_are_never_packed() {
        let mut stored = sample();
        stored.findings[0].value = Some("alice@example.com".into());
        let bytes = pack(&stored, "share/a.zip");
        assert!(!bytes
            .windows(b"alice@example.com".len())
            .any(|w| w == b"alice@example.com"));
        assert_eq!(
            unpack(&bytes, "share/a.zip").unwrap().findings[0].value,
            None
        );
    }

    /// The file's own path is not repeated: the result names its findings
    /// by the path it is loaded for.
    #[test]
    fn the_files_own_path_is_not_kept() {
        let bytes = pack(&sample(), "share/a.zip");
        let back = unpack(&bytes, "moved/b.zip").unwrap();
        assert_eq!(back.findings[0].path, "moved/b.zip");
        assert_eq!(back.findings[1].path, "share/a.zip/inner.csv");
        assert_eq!(back.records[0].path, "moved/b.zip");
    }

    /// States keep these bytes: a change to the layout must come with a new
    /// [`LAYOUT`] (and this test's bytes), or old results would be misread.
    #[test]
    fn the_layout_is_pinned() {
        let stored = StoredResult {
            format: "text".into(),
            outcome: Outcome::Scanned,
            reason: None,
            findings: vec![finding("a.txt", "email")],
            records: Vec::new(),
            members: Vec::new(),
            unlisted: Default::default(),
        };
        let bytes = pack(&stored, "a.txt");
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            // format, outcome, no reason, one finding: no path; no
            // message, part, sheet, page, table or paragraph; line 3; no
            // row; column number 12; no cell or pointer; sort keys 7, 2, 40;
            // record, no process, detector, category, confidence medium,
            // one evidence, masked, fingerprint, no triage; no headers,
            // records or members; nothing unlisted, no rows not judged.
            "04746578740000010000000000000001030001000c000007022808646f63756d656e74\
             0005656d61696c0f636f6e746163745f64657461696c7301010e616464726573735f666f726d6174\
             10612a2a2a402a2a2a2a2a2a2a2e636f6d010430306666000000000000"
        );
        assert_eq!(LAYOUT, 2);
    }

    #[test]
    fn damaged_or_foreign_bytes_do_not_decode() {
        let bytes = pack(&sample(), "share/a.zip");
        for cut in 0..bytes.len() {
            assert!(
                unpack(&bytes[..cut], "share/a.zip").is_none(),
                "cut at {cut}"
            );
        }
        assert!(unpack(br#"{"format":"text","outcome":"scanned"}"#, "a.txt").is_none());
        // A code no variant has.
        let mut bad = pack(
            &StoredResult {
                format: "text".into(),
                outcome: Outcome::Scanned,
                reason: None,
                findings: Vec::new(),
                records: Vec::new(),
                members: Vec::new(),
                unlisted: Default::default(),
            },
            "a.txt",
        );
        bad[5] = 9;
        assert!(unpack(&bad, "a.txt").is_none());
    }
}
