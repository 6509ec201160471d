//! A scan with `--state`: reuse what the state knows of unchanged files,
//! store what was read, forget removed files, and record the run with what
//! is new and what was resolved since the last completed one.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::report::{HistoryInfo, Progress, ScanReport};
use crate::scan::{scan_with, Prepared, ScanOptions};
use crate::state::{record_item_key, Change, ItemKind, RunSummary, State, StoredFile};

/// Stored results are written in batches of this many files, or after this
/// long, each batch one transaction: a run killed part-way loses at most
/// one batch of work and never leaves a half-written file entry.
const BATCH_FILES: usize = 500;
const BATCH_TIME: Duration = Duration::from_secs(2);

/// Where a run's messages go (`--log`), if anywhere.
pub trait Log {
    fn line(&self, message: &str);
}

/// Runs the scan against the state at `state`.
pub fn scan_with_state(
    prepared: &Prepared,
    opts: &ScanOptions,
    progress: &Arc<Progress>,
    state: &mut State,
    rehash: bool,
    log: &dyn Log,
) -> Result<ScanReport> {
    let started = jiff::Timestamp::now();
    let clock = Instant::now();
    let rules = prepared.engine.rules();
    // What stored results depend on: reading is redone when any changes.
    let made_with = crate::digest::sha256_hex(
        format!(
            "trawl {}\nlayout {}\nrules {}\npolicy {}\nlimits {:?}\nmax_file_size {}",
            env!("CARGO_PKG_VERSION"),
            crate::state::packed::LAYOUT,
            rules.sha256(),
            crate::digest::sha256_hex(prepared.classifier.policy.text.as_bytes()),
            opts.limits,
            opts.max_file_size
        )
        .as_bytes(),
    );
    let mut memory = state.memory(&made_with, rehash)?;
    if !memory.reusable && !memory.known.is_empty() {
        log.line(
            "the rules, policy, limits, trawl version or state layout changed since the stored results were made: every file is read again",
        );
        state.forget_results()?;
    }
    if opts.reveal && memory.reusable {
        // The state holds no raw values: to show them, every file is read.
        log.line("--reveal: every file is read again (the state keeps no raw values)");
        memory.reusable = false;
    }
    let roots: Vec<String> = opts.roots.iter().map(|r| r.display().to_string()).collect();
    let run = state.begin_run(
        &started.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        &roots,
        &opts.as_of.to_string(),
    )?;
    let previous = state.previous_run(run)?;
    log.line(&format!(
        "run {run}: {} files known to the state{}",
        memory.known.len(),
        previous.map_or(" (no completed run before)".to_string(), |p| format!(
            ", comparing with run {p}"
        ))
    ));

    // Shared with the workers, which may outlive a stopped scan.
    let memory = Arc::new(memory);
    let mut files_read = 0u64;
    let mut files_reused = 0u64;
    let mut batch: Vec<StoredFile> = Vec::new();
    let mut last_flush = Instant::now();
    let result = {
        let mut on_file = |r: &mut crate::scan::FileResult| -> Result<()> {
            if r.walked.is_some() {
                if r.read {
                    files_read += 1;
                } else {
                    files_reused += 1;
                }
            }
            if let Some(s) = r.store.take() {
                batch.push(s);
            }
            if batch.len() >= BATCH_FILES
                || (!batch.is_empty() && last_flush.elapsed() > BATCH_TIME)
            {
                state.store(run, &made_with, &batch)?;
                batch.clear();
                last_flush = Instant::now();
            }
            Ok(())
        };
        scan_with(
            &prepared.engine,
            &prepared.classifier,
            opts,
            progress,
            Some(&memory),
            &mut on_file,
        )
    };
    // What was read is kept even when the scan failed or was stopped.
    let stored = state.store(run, &made_with, &batch);
    let mut report = match (result, stored) {
        (Ok(report), Ok(())) => report,
        (Err(e), _) | (Ok(_), Err(e)) => {
            let summary = RunSummary {
                run,
                finished: Some(now()),
                outcome: "failed".into(),
                files_read,
                files_reused,
                duration_ms: clock.elapsed().as_millis() as u64,
                ..RunSummary::default()
            };
            let _ = state.finish_run(&summary, &[], &[]);
            return Err(e);
        }
    };

    // Unchanged files with nothing in them were settled by the walk alone.
    files_reused += memory
        .known
        .values()
        .filter(|k| k.settled.load(Ordering::Relaxed))
        .count() as u64;
    // Files gone since the state last saw them: only a whole walk can tell.
    let mut files_removed = 0;
    if !report.partial {
        let gone: Vec<String> = memory
            .known
            .iter()
            .filter(|(_, k)| !k.seen.load(Ordering::Relaxed))
            .map(|(p, _)| p.clone())
            .collect();
        files_removed = state.remove_files(&gone)?;
    }

    // The workers marked what was not reported before (`new`) and which
    // earlier items are still reported; only what changed is described.
    let added = added_items(&report);
    let resolved: Vec<Change> = if report.partial {
        // Files not reached are not resolved.
        Vec::new()
    } else {
        let gone: Vec<&str> = memory.not_reported().collect();
        let mut gone = state.live_items_of(&gone)?;
        gone.sort_by(|x, y| (&x.path, &x.label).cmp(&(&y.path, &y.label)));
        gone
    };
    let new = if previous.is_some() {
        added.len() as u64
    } else {
        // Nothing to be new against.
        for f in &mut report.findings {
            f.new = false;
        }
        for r in &mut report.records {
            r.new = false;
        }
        0
    };
    let summary = RunSummary {
        run,
        started: String::new(),
        finished: Some(now()),
        roots,
        as_of: opts.as_of.to_string(),
        outcome: if report.partial {
            "interrupted".into()
        } else {
            "completed".into()
        },
        files_seen: report.summary.files_seen,
        files_read,
        files_reused,
        files_removed,
        findings: report.summary.findings,
        records_flagged: report.summary.records_flagged,
        new,
        resolved: resolved.len() as u64,
        duration_ms: clock.elapsed().as_millis() as u64,
    };
    state.finish_run(&summary, &added, &resolved)?;
    log.line(&format!(
        "run {run} {}: {} files ({} read, {} unchanged and reused, {} removed), {} findings, {} records flagged, {} new, {} resolved",
        summary.outcome,
        summary.files_seen,
        files_read,
        files_reused,
        files_removed,
        summary.findings,
        summary.records_flagged,
        new,
        summary.resolved
    ));
    report.history = Some(HistoryInfo {
        run,
        previous_run: previous,
        files_read,
        files_reused,
        files_removed,
        new,
        resolved,
    });
    // What the state was is freed beside the output being written: 100,000
    // files' entries took longer to free than the diff took to make.
    let _ = std::thread::Builder::new().spawn(move || drop(memory));
    Ok(report)
}

fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// Where an item is in the report: a finding's or a record's index.
#[derive(Clone, Copy)]
enum At {
    Finding(usize),
    Record(usize),
}

/// The items the workers found were not reported before, in report order
/// (suppressed ones aside).
fn added_items(report: &ScanReport) -> Vec<Change> {
    let findings = report.findings.iter().enumerate().filter_map(|(i, f)| {
        let fp = f.fingerprint.as_deref()?;
        (f.new && f.triage.is_none()).then(|| describe(report, fp, At::Finding(i)))
    });
    let records = report.records.iter().enumerate().filter_map(|(i, r)| {
        r.fingerprint.as_ref()?;
        (r.new && r.triage.is_none()).then(|| describe(report, &record_item_key(r), At::Record(i)))
    });
    findings.chain(records).collect()
}

/// An item described with masked values only.
fn describe(report: &ScanReport, key: &str, at: At) -> Change {
    match at {
        At::Finding(i) => {
            let f = &report.findings[i];
            Change {
                kind: ItemKind::Finding,
                fingerprint: key.to_string(),
                path: f.path.clone(),
                label: format!("{} · {} · {}", f.location, f.detector, f.masked),
            }
        }
        At::Record(i) => {
            let r = &report.records[i];
            let flags: Vec<String> = r.flags.iter().map(|f| f.flag.to_string()).collect();
            Change {
                kind: ItemKind::Record,
                fingerprint: key.to_string(),
                path: r.path.clone(),
                label: if flags.is_empty() {
                    r.record.clone()
                } else {
                    format!("{} · {}", r.record, flags.join(", "))
                },
            }
        }
    }
}
