//! The scan: walk → extract → detect → classify → report, in parallel, with
//! a deterministic result.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use anyhow::{Context, Result};
use jiff::civil::Date;
use rayon::prelude::*;

use crate::classify::Kind;
use crate::classify::{Classifier, Policy, Record};
use crate::detect::{Engine, Rules};
use crate::extract::{extract_file, Extracted, Limits, MemberOutcome};
use crate::report::{
    CategoryInfo, FileRecord, Outcome, PolicyInfo, Progress, RunInfo, ScanReport, ScannedFile,
    Summary,
};
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
    /// Record when the scan started and finished. Off for pinned (`--as-of`)
    /// runs, whose outputs must be byte-identical between runs.
    pub record_times: bool,
    /// Hash every file read, for a manifest.
    pub hash_files: bool,
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
    hashed: Option<ScannedFile>,
}

/// What a scan judges with: the detectors and the policy.
pub struct Prepared {
    pub engine: Engine,
    pub classifier: Classifier,
    /// The policy's warnings, described for the terminal (empty when none).
    pub policy_warnings: String,
}

/// Loads the rules (a directory, or the embedded ones) and the policy (a
/// file, or the embedded default), refusing a policy with errors.
pub fn prepare(rules_dir: Option<&Path>, policy: Option<&Path>, as_of: Date) -> Result<Prepared> {
    let rules = match rules_dir {
        Some(d) => Rules::from_dir(d)?,
        None => Rules::embedded()?,
    };
    let (policy, policy_warnings) = match policy {
        Some(path) => {
            let (policy, checked) = Policy::load(path, &rules)?;
            let warnings = if checked.warnings.is_empty() {
                String::new()
            } else {
                checked.describe(&path.display().to_string())
            };
            (policy, warnings)
        }
        None => (Policy::embedded(&rules), String::new()),
    };
    let classifier = Classifier::new(policy, &rules, as_of);
    let mut engine = Engine::new(rules, as_of)?;
    engine.set_record_columns(&classifier.policy.record_columns());
    Ok(Prepared {
        engine,
        classifier,
        policy_warnings,
    })
}

/// Scans the roots. The engine must have been told the policy's record
/// columns (see [`Engine::set_record_columns`]).
pub fn scan(
    engine: &Engine,
    classifier: &Classifier,
    opts: &ScanOptions,
    progress: &Progress,
) -> Result<ScanReport> {
    let started = jiff::Timestamp::now();
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
        rules_sha256: engine.rules().sha256(),
        policy: policy_info(&classifier.policy),
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
        report.scanned_files.extend(r.hashed);
    }
    report.summary = summary;
    report.sort();
    if opts.record_times {
        let finished = jiff::Timestamp::now();
        report.run = Some(RunInfo {
            started: started.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
            finished: finished.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
            duration_ms: u64::try_from(finished.duration_since(started).as_millis()).unwrap_or(0),
        });
    }
    Ok(report)
}

fn policy_info(policy: &crate::classify::Policy) -> PolicyInfo {
    PolicyInfo {
        name: policy.name.clone(),
        origin: policy.origin.clone(),
        version: policy.version.clone(),
        sha256: crate::digest::sha256_hex(policy.text.as_bytes()),
        categories: policy
            .categories
            .iter()
            .map(|c| CategoryInfo {
                id: c.id.clone(),
                label: c.label.clone(),
                kind: match c.kind {
                    Kind::Personal => "personal",
                    Kind::Special => "special",
                    Kind::Criminal => "criminal",
                }
                .to_string(),
            })
            .collect(),
    }
}

/// Reads a file once more to fingerprint it for the manifest. A file that
/// vanished or cannot be read gets no fingerprint and says why.
fn fingerprint(path: &std::path::Path, rel: &str, size: u64) -> ScannedFile {
    let hashed = crate::extract::open_input(path).and_then(crate::digest::sha256_reader);
    match hashed {
        Ok((sha256, read)) => ScannedFile {
            path: rel.to_string(),
            size: read,
            sha256: Some(sha256),
        },
        Err(_) => ScannedFile {
            path: rel.to_string(),
            size,
            sha256: None,
        },
    }
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
            let hashed = opts.hash_files.then(|| fingerprint(&path, &rel, size));
            FileResult {
                hashed,
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
        hashed: None,
    }
}
