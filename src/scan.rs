//! The scan: walk → extract → detect → classify → report, in parallel, with
//! a deterministic result.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::mpsc;

use anyhow::{Context, Result};
use jiff::civil::Date;
use rayon::prelude::*;

use crate::classify::{Classifier, Record};
use crate::detect::Engine;
use crate::extract::{extract_file, Extracted, Limits, MemberOutcome};
use crate::report::{FileRecord, Outcome, PolicyInfo, Progress, ScanReport, Summary};
use crate::walk::{self, Entry, WalkOptions};

#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub roots: Vec<PathBuf>,
    pub excludes: Vec<String>,
    pub follow: bool,
    pub max_file_size: u64,
    pub reveal: bool,
    /// Worker threads; `None` for one per core.
    pub threads: Option<usize>,
    pub as_of: Date,
    pub limits: Limits,
}

/// What one walked path gave.
struct FileResult {
    format: &'static str,
    outcome: Outcome,
    bytes: u64,
    record: Option<FileRecord>,
    findings: Vec<crate::report::Finding>,
    records: Vec<Record>,
    members: Vec<MemberOutcome>,
}

/// Scans the roots. The engine must have been told the policy's record
/// columns (see [`Engine::set_record_columns`]).
pub fn scan(
    engine: &Engine,
    classifier: &Classifier,
    opts: &ScanOptions,
    progress: &Progress,
) -> Result<ScanReport> {
    let threads = opts
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("starting worker threads")?;
    let walk_opts = WalkOptions {
        roots: opts.roots.clone(),
        excludes: opts.excludes.clone(),
        follow: opts.follow,
        max_file_size: opts.max_file_size,
        threads,
    };
    let (tx, rx) = mpsc::sync_channel::<Entry>(4096);
    let (walked, results) = std::thread::scope(|s| {
        let walker = s.spawn(move || walk::walk(&walk_opts, tx));
        let results: Vec<FileResult> = pool.install(|| {
            rx.into_iter()
                .par_bridge()
                .map(|entry| process(engine, classifier, entry, opts, progress))
                .collect()
        });
        let walked = walker
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the walker stopped unexpectedly")));
        (walked, results)
    });
    walked?;
    let mut report = ScanReport {
        trawl_version: env!("CARGO_PKG_VERSION").to_string(),
        as_of: opts.as_of.to_string(),
        roots: opts.roots.iter().map(|r| r.display().to_string()).collect(),
        rules: engine.rules().source.clone(),
        policy: PolicyInfo {
            name: classifier.policy.name.clone(),
            origin: classifier.policy.origin.clone(),
            version: classifier.policy.version.clone(),
        },
        ..ScanReport::default()
    };
    let mut summary = Summary::default();
    for r in results {
        summary.files_seen += 1;
        summary.files.add(r.outcome);
        summary
            .files_by_format
            .entry(r.format.to_string())
            .or_default()
            .add(r.outcome);
        if r.outcome != Outcome::Skipped {
            summary.bytes_scanned += r.bytes;
        }
        for f in &r.findings {
            *summary
                .findings_by_detector
                .entry(f.detector.clone())
                .or_default() += 1;
            *summary
                .findings_by_confidence
                .entry(f.confidence)
                .or_default() += 1;
        }
        for m in r.members {
            summary.members.add(m.outcome);
            summary
                .files_by_format
                .entry(m.format.to_string())
                .or_default()
                .add(m.outcome);
            report.errors.extend(m.record);
        }
        for rec in &r.records {
            summary.records += 1;
            summary.records_personal += u64::from(rec.personal);
            summary.records_flagged += u64::from(!rec.flags.is_empty());
            for f in &rec.flags {
                *summary.flags_by_type.entry(f.flag).or_default() += 1;
                *summary
                    .flags_by_process
                    .entry(rec.process.clone().unwrap_or_else(|| "(none)".into()))
                    .or_default()
                    .entry(f.flag)
                    .or_default() += 1;
            }
        }
        summary.findings += r.findings.len() as u64;
        report.findings.extend(r.findings);
        report.records.extend(r.records);
        report.errors.extend(r.record);
    }
    report.summary = summary;
    report.sort();
    Ok(report)
}

fn process(
    engine: &Engine,
    classifier: &Classifier,
    entry: Entry,
    opts: &ScanOptions,
    progress: &Progress,
) -> FileResult {
    let result = match entry {
        Entry::Skipped { rel, reason } => not_scanned(rel, Outcome::Skipped, reason),
        Entry::Failed { rel, reason } => not_scanned(rel, Outcome::Failed, reason),
        Entry::File {
            path,
            rel,
            size,
            modified,
        } => {
            // A bug tripped by one file must cost that file only.
            let extracted = catch_unwind(AssertUnwindSafe(|| {
                extract_file(engine, &path, &rel, opts.reveal, opts.limits)
            }))
            .unwrap_or_else(|_| Extracted {
                records: Vec::new(),
                outcome: Outcome::Failed,
                format: "unknown",
                reason: Some("internal error while reading this file (please report it)".into()),
                findings: Vec::new(),
                members: Vec::new(),
                document: None,
            });
            let mut findings = extracted.findings;
            let modified = modified.and_then(|t| {
                let ts = jiff::Timestamp::try_from(t).ok()?;
                Some(ts.to_zoned(jiff::tz::TimeZone::UTC).date())
            });
            let records = classifier.classify(extracted.records, &mut findings, modified);
            FileResult {
                format: extracted.format,
                outcome: extracted.outcome,
                bytes: size,
                record: extracted.reason.map(|reason| FileRecord {
                    path: rel,
                    status: extracted.outcome,
                    format: extracted.format.to_string(),
                    reason,
                }),
                findings,
                records,
                members: extracted.members,
            }
        }
    };
    progress.file_done(result.bytes, result.findings.len() as u64);
    result
}

fn not_scanned(rel: String, outcome: Outcome, reason: String) -> FileResult {
    FileResult {
        format: "unknown",
        outcome,
        bytes: 0,
        record: Some(FileRecord {
            path: rel,
            status: outcome,
            format: "unknown".into(),
            reason,
        }),
        findings: Vec::new(),
        records: Vec::new(),
        members: Vec::new(),
    }
}
