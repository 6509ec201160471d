//! A scan with `--state`: reuse what the state knows of unchanged files,
//! store what was read, forget removed files, and record the run with what
//! is new and what was resolved since the last completed one.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::report::{HistoryInfo, Progress, ScanReport};
use crate::scan::{scan_with, Prepared, ScanOptions};
use crate::state::{
    record_item_key, Change, Changed, ItemKind, JudgedBy, Memory, RunSummary, State, StoredFile,
};

mod moves;

/// Stored results are written in batches of this many files, or after this
/// long, each batch one transaction: a run killed part-way loses at most
/// one batch of work and never leaves a half-written file entry.
const BATCH_FILES: usize = 500;
const BATCH_TIME: Duration = Duration::from_secs(2);

/// Where a run's messages go (`--log`), if anywhere.
pub trait Log {
    fn line(&self, message: &str);
}

/// How a scan uses its state.
#[derive(Debug, Clone, Copy, Default)]
pub struct StateOptions {
    /// Compare content hashes even when size and time are unchanged.
    pub rehash: bool,
    /// Scan roots other than those the state last followed (`--roots-changed`).
    pub roots_changed: bool,
}

/// A run scanned and its report made, not yet recorded as done: it is
/// recorded ([`PendingRun::record`]) once its outputs are written. A run
/// whose outputs could not be written (a full disk, a report folder gone)
/// is recorded as failed instead ([`PendingRun::fail`]), and what it found
/// new or resolved is not taken as told: the next run reports it again.
/// Otherwise the DPO would never hear of it.
#[must_use = "a run is recorded once its outputs are written"]
pub struct PendingRun {
    summary: RunSummary,
    added: Vec<Change>,
    resolved: Vec<Change>,
    /// Items of moved files: reported from this run at their new paths, and
    /// no longer at their old, neither new nor resolved.
    moved: moves::Followed,
}

impl PendingRun {
    /// Records the run, with what it reported as new and resolved.
    pub fn record(self, state: &mut State, log: &dyn Log) -> Result<()> {
        let summary = &self.summary;
        let opened = [self.added.as_slice(), &self.moved.opened].concat();
        let closed = [self.resolved.as_slice(), &self.moved.closed].concat();
        state.finish_run(summary, &opened, &closed, &self.moved.pairs())?;
        log.line(&format!(
            "run {} {}: {} files ({} read, {} unchanged and reused, {} removed, {} moved), {} findings, {} records flagged, {} new, {} resolved",
            summary.run,
            summary.outcome,
            summary.files_seen,
            summary.files_read,
            summary.files_reused,
            summary.files_removed,
            self.moved.moved.len(),
            summary.findings,
            summary.records_flagged,
            summary.new,
            summary.resolved
        ));
        Ok(())
    }

    /// Records the run as failed: its outputs were not written.
    pub fn fail(self, state: &mut State, log: &dyn Log) -> Result<()> {
        let summary = RunSummary {
            outcome: "failed".into(),
            new: 0,
            resolved: 0,
            ..self.summary
        };
        // Moves are kept, as the state has already forgotten the files'
        // old paths: else the next run would take them for removed and new.
        state.finish_run(
            &summary,
            &self.moved.opened,
            &self.moved.closed,
            &self.moved.pairs(),
        )?;
        log.line(&format!(
            "run {} failed: its outputs were not written; what it found new or resolved will be reported again by the next run",
            summary.run
        ));
        Ok(())
    }
}

/// Runs the scan against the state at `state`. The run is recorded once the
/// caller has written its outputs, through the [`PendingRun`] returned.
pub fn scan_with_state(
    prepared: &Prepared,
    opts: &ScanOptions,
    progress: &Arc<Progress>,
    state: &mut State,
    how: StateOptions,
    log: &dyn Log,
) -> Result<(ScanReport, PendingRun)> {
    let started = jiff::Timestamp::now();
    let clock = Instant::now();
    follow_roots(state, opts, how.roots_changed, log)?;
    let rehash = how.rehash;
    let rules = prepared.engine.rules();
    // What stored results depend on: reading is redone when any changes.
    // Of the policy, only the columns whose values records keep: the rest
    // (categories, processes, lawful bases, retention) is applied to stored
    // results afresh every run, so an edit to the retention schedule does
    // not cost a night of reading the whole share.
    let policy = &prepared.classifier.policy;
    let made_with = crate::digest::sha256_hex(
        format!(
            "trawl {} (source {})\nlayout {}\nrules {}\npolicy columns {:?}\nlimits {:?}\nmax_file_size {}",
            env!("CARGO_PKG_VERSION"),
            env!("TRAWL_SOURCE_SHA256"),
            crate::state::packed::LAYOUT,
            rules.detection_sha256(),
            policy.record_columns(),
            opts.limits,
            opts.max_file_size
        )
        .as_bytes(),
    );
    if let Some(dropped) = state.adopt_suppressions(&rules.suppressions_sha256())? {
        if dropped > 0 {
            log.line(&format!(
                "the suppressions changed since the stored results were made: the {dropped} files that held anything are read again"
            ));
        }
    }
    let mut memory = state.memory(&made_with, rehash)?;
    if !memory.reusable && !memory.known.is_empty() {
        log.line(
            "the rules, the columns the policy reads, limits, trawl build or state layout changed since the stored results were made: every file is read again",
        );
        state.forget_results()?;
    }
    if opts.reveal && memory.reusable {
        // The state holds no raw values: to show them, every file is read.
        log.line("--reveal: every file is read again (the state keeps no raw values)");
        memory.reusable = false;
    }
    let roots: Vec<String> = opts.roots.iter().map(|r| r.display().to_string()).collect();
    // As the manifest names them.
    let judged_by = JudgedBy {
        rules_sha256: rules.sha256(),
        policy_sha256: crate::digest::sha256_hex(policy.text.as_bytes()),
    };
    let run = state.begin_run(
        &started.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        &roots,
        &opts.as_of.to_string(),
        &judged_by,
    )?;
    let previous = state.previous_run(run)?;
    // Told, so that a night of new and resolved records after an edit to
    // the retention schedule is not taken for a change on the share.
    let changed = match previous {
        Some(p) => state.changed_since(p, &judged_by)?,
        None => Changed::default(),
    };
    if let Some(p) = previous {
        tell_changed(log, p, changed, memory.reusable && !memory.known.is_empty());
    }
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
    // Files the state did not know, with their content hashes: some may be
    // known files moved.
    let mut new_files: Vec<(String, Option<String>)> = Vec::new();
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
                // (None can have moved when the state knows no file.)
                if !memory.known.is_empty() && !memory.known.contains_key(&s.path) {
                    new_files.push((s.path.clone(), s.sha256.clone()));
                }
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
            let _ = state.finish_run(&summary, &[], &[], &[]);
            return Err(e);
        }
    };

    // Unchanged files with nothing in them were settled by the walk alone.
    files_reused += memory
        .known
        .values()
        .filter(|k| k.settled.load(Ordering::Relaxed))
        .count() as u64;
    // Both look at the share again (a root's listing, its path resolved): not
    // after a run stopped early, perhaps by a share that stopped answering,
    // where they could wait on it for ever; and such a run removes and
    // resolves nothing, which is what they guard.
    if !report.partial {
        if !how.roots_changed {
            note_empty_roots(&mut report, opts, &memory.known);
        }
        note_unmounted_shares(&mut report, opts, state, &memory.known, how.roots_changed)?;
    }
    let mut unreached = Unreached::of(&report, opts);
    if !report.partial && !how.roots_changed {
        let still_there = note_files_still_there(&mut report, opts, &memory.known, &unreached);
        unreached.0.extend(still_there);
    }
    let kept_open = unreached.tell_what_stays_open(&mut report, opts, state, &memory)?;
    // Files gone that held items, found again elsewhere, are moved, not
    // removed and added. Decisions follow them at once, as the state forgets
    // the old paths here, whether or not this run's outputs are written.
    // Files gone since the state last saw them: only a whole walk can tell,
    // and only where it could look.
    let gone: Vec<&str> = if report.partial {
        Vec::new()
    } else {
        unseen(&memory.known, &unreached)
            .map(String::as_str)
            .collect()
    };
    let held_items: Vec<&str> = gone
        .iter()
        .copied()
        .filter(|p| memory.known.get(*p).is_some_and(|k| k.has_result))
        .collect();
    let pairs = moves::find(state, &held_items, &new_files)?;
    let moved = moves::follow(&mut report, &memory, &pairs, opts.show_suppressed);
    state.carry_decisions(&moved.decisions)?;
    let files_removed = state.remove_files(&gone)?;

    // The workers marked what was not reported before (`new`) and which
    // earlier items are still reported; only what changed is described.
    let added = added_items(&report);
    let resolved: Vec<Change> = if report.partial {
        // Files not reached are not resolved.
        Vec::new()
    } else {
        let gone: Vec<&str> = memory.not_reported().collect();
        let mut gone = state.live_items_of(&gone)?;
        // Not seen is not gone: what is in a folder or file this run could
        // not read stays open until a run reads it.
        gone.retain(|c| !unreached.covers(&c.path));
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
        rules_sha256: Some(judged_by.rules_sha256),
        policy_sha256: Some(judged_by.policy_sha256),
    };
    report.history = Some(HistoryInfo {
        run,
        previous_run: previous,
        files_read,
        files_reused,
        files_removed,
        new,
        resolved: resolved.clone(),
        kept_open,
        moved: moved.moved.clone(),
        rules_changed: changed.rules,
        policy_changed: changed.policy,
    });
    // What the state was is freed beside the output being written: 100,000
    // files' entries took longer to free than the diff took to make.
    let _ = std::thread::Builder::new().spawn(move || drop(memory));
    Ok((
        report,
        PendingRun {
            summary,
            added,
            resolved,
            moved,
        },
    ))
}

/// A state names its files below its roots (with one root, by their paths
/// under it): scanned with others, every file it knows would be taken for
/// removed and every finding resolved, and what the roots hold reported as
/// new, its triage lost. So a run whose roots are not those the state last
/// followed is refused, unless `roots_changed` says the change is meant (a
/// share mounted elsewhere: with one root, its files keep their names and
/// are reused). One root named otherwise (relative, through a link, with a
/// trailing '/') is the same root; several are named as given too, since
/// their files' paths start with that.
fn follow_roots(
    state: &State,
    opts: &ScanOptions,
    roots_changed: bool,
    log: &dyn Log,
) -> Result<()> {
    // A root that did not answer says nothing of which share it is either;
    // nor is it touched again.
    if !opts.silent_roots.is_empty() {
        return Ok(());
    }
    let several = opts.roots.len() > 1;
    let now: Option<Vec<String>> = opts
        .roots
        .iter()
        .map(|r| {
            let found = std::fs::canonicalize(r).ok()?.display().to_string();
            Some(if several {
                let given = r.display().to_string();
                format!("{found} (named {})", given.trim_end_matches('/'))
            } else {
                found
            })
        })
        .collect();
    // A root that cannot be resolved tonight (a link to a share that is not
    // mounted) says nothing of which share it is: the run goes on, reports
    // the root as not read, and keeps what the state knows.
    let Some(mut now) = now else {
        return Ok(());
    };
    now.sort();
    now.dedup();
    match state.roots()? {
        Some(before) if before != now => {
            if !roots_changed {
                anyhow::bail!(
                    "this state follows {}, and this run names {}. The state names its files below its roots: scanned with others, it would take every file it knows for removed and resolve their findings. Keep a state for each share; or, if this share has moved (mounted elsewhere, a root added or dropped), run once with --roots-changed",
                    before.join(", "),
                    now.join(", ")
                );
            }
            log.line(&format!(
                "--roots-changed: the state followed {}, and follows {} from now on",
                before.join(", "),
                now.join(", ")
            ));
        }
        _ => {}
    }
    state.set_roots(&now)
}

/// What a run could not look at: folders it could not list, files (and
/// archive members) it could not read (failed, encrypted, no text), roots
/// found empty where the state knew files. What is in them is neither removed from the state nor
/// resolved: "resolved" must mean gone, not unseen, or one night's network
/// error or unmounted share would resolve every finding on it, and the next
/// night report them all as new.
struct Unreached(std::collections::HashSet<String>);

impl Unreached {
    fn of(report: &ScanReport, opts: &ScanOptions) -> Unreached {
        Unreached(
            report
                .errors
                .iter()
                .filter_map(|e| Unreached::key(e, opts))
                .collect(),
        )
    }

    /// What of `e` is held, if it is something not read: its path, without
    /// the trailing '/' of a root given so (which names its files without
    /// it); or, for the one root itself (its error named by its own name,
    /// its files below it), "", which covers everything.
    fn key(e: &crate::report::FileRecord, opts: &ScanOptions) -> Option<String> {
        if !e.status.is_unreadable() {
            return None;
        }
        let path = e.path.trim_end_matches('/');
        // Whatever the root is tonight: a folder, or a link to a share that
        // is not mounted (a link to nothing).
        if let [root] = opts.roots.as_slice() {
            if path == crate::walk::relative(root, &opts.roots) {
                return Some(String::new());
            }
        }
        Some(path.to_string())
    }

    /// Whether `path` (a file's, an item's) is, or is in, something this run
    /// could not read: below a folder, or inside an archive (`a.zip!/m`).
    fn covers(&self, path: &str) -> bool {
        self.covering(path).is_some()
    }

    /// The nearest of what this run could not read that `path` is, or is in.
    fn covering(&self, path: &str) -> Option<&str> {
        let set = &self.0;
        if set.is_empty() {
            return None;
        }
        let held = |p: &str| set.get(p).map(String::as_str);
        held(path)
            .or_else(|| {
                path.rmatch_indices('/').find_map(|(i, _)| {
                    let head = &path[..i];
                    held(head).or_else(|| head.strip_suffix('!').and_then(held))
                })
            })
            .or_else(|| held(""))
    }

    /// Adds to each reason of something not read how many findings earlier
    /// runs reported in it, and this one did not (a file can fail part-way),
    /// which stay open: what a DPO reading the report would otherwise not
    /// know is missing from it. Returns how many in all.
    fn tell_what_stays_open(
        &self,
        report: &mut ScanReport,
        opts: &ScanOptions,
        state: &State,
        memory: &Memory,
    ) -> Result<u64> {
        if self.0.is_empty() {
            return Ok(0);
        }
        let mut open: std::collections::HashMap<&str, u64> = Default::default();
        let items = state.live_paths(ItemKind::Finding)?;
        for (fingerprint, path) in &items {
            let reported = memory.live.get(fingerprint);
            if reported.is_none_or(|now| now.load(Ordering::Relaxed)) {
                continue;
            }
            if let Some(at) = self.covering(path) {
                *open.entry(at).or_default() += 1;
            }
        }
        for e in &mut report.errors {
            let key = Unreached::key(e, opts).or_else(|| {
                // A file still there and not scanned (see
                // [`note_files_still_there`]), skipped on purpose.
                self.0.contains(&e.path).then(|| e.path.clone())
            });
            let n = key.and_then(|k| open.get(k.as_str()).copied());
            if let Some(n) = n.filter(|&n| n > 0) {
                let (findings, stay) = if n == 1 {
                    ("finding", "stays")
                } else {
                    ("findings", "stay")
                };
                e.reason = format!(
                    "{}; {n} {findings} reported before in it {stay} open until it is read again",
                    e.reason
                );
            }
        }
        Ok(open.values().sum())
    }
}

/// Says in the log what of the rules and policy changed since run `since`;
/// `reused`: stored results are reused tonight.
fn tell_changed(log: &dyn Log, since: i64, changed: Changed, reused: bool) {
    if changed.policy {
        let reading = if reused {
            ", with no file read again for it"
        } else {
            ""
        };
        log.line(&format!(
            "the policy changed since run {since}: every record is judged under the new one{reading}"
        ));
    }
    if changed.rules {
        log.line(&format!("the rules changed since run {since}"));
    }
}

/// The files the state knew that the walk did not meet, where it could
/// look: gone, or (see [`note_files_still_there`]) not handed on.
fn unseen<'k>(
    known: &'k foldhash::HashMap<String, crate::state::KnownFile>,
    unreached: &'k Unreached,
) -> impl Iterator<Item = &'k String> {
    known
        .iter()
        .filter(|(rel, k)| !k.seen.load(Ordering::Relaxed) && !unreached.covers(rel))
        .map(|(rel, _)| rel)
}

/// Files the state knew that tonight's walk did not hand on, though they
/// are still there: excluded since (by `--exclude`, or a `.trawlignore` on
/// the share), or skipped tonight (larger than a lowered
/// `--max-file-size`). Not seen is not gone: taken for removed, every
/// finding in them would be reported resolved, as if the data had been
/// dealt with. Each is kept with what the state knew of it (the paths
/// returned, for [`Unreached`]), and listed as skipped where the walk did
/// not already say why, until `--roots-changed` says the scope changed on
/// purpose: a folder excluded whole once, not file by file (an archive
/// folder of thousands would bury the report every night). Only files not
/// seen are looked at (one `lstat` each), and none where the run could not
/// look. Returns what is kept: each such folder, and each file listed.
fn note_files_still_there(
    report: &mut ScanReport,
    opts: &ScanOptions,
    known: &foldhash::HashMap<String, crate::state::KnownFile>,
    unreached: &Unreached,
) -> Vec<String> {
    let mut still_there: Vec<String> = unseen(known, unreached)
        .filter(|rel| {
            // Where the walk names it: below the one root, or, with several,
            // as named with its root in front.
            let path = match opts.roots.as_slice() {
                [root] => root.join(rel.as_str()),
                _ => std::path::PathBuf::from(rel.as_str()),
            };
            std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
        })
        .cloned()
        .collect();
    still_there.sort();
    let listed: std::collections::HashSet<&str> =
        report.errors.iter().map(|e| e.path.as_str()).collect();
    // Those the walk said nothing of.
    let (told, untold): (Vec<&str>, Vec<&str>) = still_there
        .iter()
        .map(String::as_str)
        .partition(|rel| listed.contains(rel));
    // With one root, paths are below it and name no root.
    let roots: Vec<String> = match opts.roots.as_slice() {
        [_] => Vec::new(),
        several => several
            .iter()
            .map(|r| crate::walk::relative(r, several))
            .collect(),
    };
    let folders = whole_folders(&untold, known.keys().map(String::as_str), &roots);
    let mut kept: Vec<String> = told.iter().map(|rel| rel.to_string()).collect();
    let mut skipped = Vec::new();
    for rel in untold {
        match folders.iter().find(|(folder, _)| is_below(rel, folder)) {
            Some((folder, n)) => {
                if kept.last() != Some(folder) {
                    kept.push(folder.clone());
                    skipped.push((
                        folder.clone(),
                        format!("a folder of {n} files the state read, excluded since (by --exclude or a .trawlignore), and still there: not taken for removed, nor their findings for resolved (if it is out of scope for good, run with --roots-changed)"),
                    ));
                }
            }
            None => {
                kept.push(rel.to_string());
                skipped.push((rel.to_string(), "excluded since the state last read it (by --exclude or a .trawlignore), and still there: not taken for removed, nor its findings for resolved (if it is out of scope for good, run with --roots-changed)".to_string()));
            }
        }
    }
    crate::scan::add_skipped(report, skipped);
    kept
}

/// Whether `path` is in `folder` (at any depth), both named as files are.
fn is_below(path: &str, folder: &str) -> bool {
    path.strip_prefix(folder)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// Of the folders `files` (sorted) are in, the outermost whose every file
/// the state knows is one of them, and that holds more than one; each with
/// how many files. Not a root, nor above one (with several roots, paths
/// start with theirs): a root's own files are listed.
fn whole_folders<'k>(
    files: &[&str],
    known: impl Iterator<Item = &'k str>,
    roots: &[String],
) -> Vec<(String, usize)> {
    if files.len() < 2 {
        return Vec::new();
    }
    // Outermost first.
    fn folders_of(path: &str) -> impl Iterator<Item = &str> {
        path.match_indices('/').map(move |(i, _)| &path[..i])
    }
    // Each folder of `files`: how many of them it holds, and how many files
    // the state knows in it.
    let mut counts: std::collections::HashMap<&str, (usize, usize)> = Default::default();
    for file in files {
        for folder in folders_of(file) {
            counts.entry(folder).or_default().0 += 1;
        }
    }
    for path in known {
        for folder in folders_of(path) {
            if let Some(c) = counts.get_mut(folder) {
                c.1 += 1;
            }
        }
    }
    let a_root = |folder: &str| {
        folder.is_empty() || roots.iter().any(|r| r == folder || is_below(r, folder))
    };
    let whole = |folder: &str| {
        !a_root(folder)
            && counts
                .get(folder)
                .is_some_and(|&(of, all)| of == all && of > 1)
    };
    let mut out: Vec<(String, usize)> = Vec::new();
    for file in files {
        if out.last().is_some_and(|(folder, _)| is_below(file, folder)) {
            continue;
        }
        if let Some(folder) = folders_of(file).find(|f| whole(f)) {
            out.push((folder.to_string(), counts[folder].0));
        }
    }
    out
}

/// A root that is an empty folder where the state knew files is most likely
/// a share that is not mounted tonight: it is reported as not read (so
/// `--strict` fails, and the log and report say so), and [`Unreached`] then
/// keeps what the state knew of it; unless `--roots-changed` says it was
/// emptied on purpose.
fn note_empty_roots(
    report: &mut ScanReport,
    opts: &ScanOptions,
    known: &foldhash::HashMap<String, crate::state::KnownFile>,
) {
    for root in opts.answering_roots() {
        let empty = std::fs::read_dir(root).is_ok_and(|mut entries| entries.next().is_none());
        if !empty {
            continue;
        }
        let name = crate::walk::relative(root, &opts.roots);
        let knew = if opts.roots.len() == 1 {
            known.len()
        } else {
            known_in(known, &name)
        };
        if knew == 0 {
            continue;
        }
        crate::scan::add_failed(
            report,
            name,
            format!(
                "the folder is empty, where the state knew {knew} files in it: is the share mounted? None of them is taken for removed, nor their findings for resolved (if it was emptied on purpose, run with --roots-changed)"
            ),
        );
    }
}

/// A share mounted below a root (a folder of the scanned tree that is a
/// mount point) and not mounted tonight leaves its mount point as a folder,
/// mostly empty: without this, every file the state knew in it would be
/// taken for removed and every finding resolved, and all come back new
/// once it is mounted again. So a folder that was a mount point when last
/// scanned, is not one now, and held files the state knew, is reported as
/// not read, and [`Unreached`] keeps what the state knew of it; until
/// `--roots-changed` says the share is gone for good.
fn note_unmounted_shares(
    report: &mut ScanReport,
    opts: &ScanOptions,
    state: &State,
    known: &foldhash::HashMap<String, crate::state::KnownFile>,
    roots_changed: bool,
) -> Result<()> {
    let Some(mut mounted) = crate::walk::mount_points(&opts.roots, &opts.silent_roots) else {
        return Ok(());
    };
    let before = state.mount_points()?;
    let unmounted: Vec<&String> = before.iter().filter(|p| !mounted.contains(*p)).collect();
    let silent: Vec<String> = opts
        .silent_roots
        .iter()
        .map(|r| {
            let name = crate::walk::relative(r, &opts.roots);
            name.trim_end_matches('/').to_string()
        })
        .collect();
    for point in unmounted {
        // Not looked at tonight: still expected.
        let below_silent =
            |root: &String| opts.roots.len() == 1 || point == root || is_below(point, root);
        if silent.iter().any(below_silent) {
            mounted.insert(point.clone());
            continue;
        }
        let knew = known_in(known, point);
        if knew == 0 || roots_changed {
            continue;
        }
        crate::scan::add_failed(
            report,
            point.clone(),
            format!(
                "a mount point when last scanned, and not one now: is the share mounted? None of the {knew} files the state knew in it is taken for removed, nor their findings for resolved (if the share is gone for good, run with --roots-changed)"
            ),
        );
        // Still expected, until it is mounted again or let go.
        mounted.insert(point.clone());
    }
    // Read from the system, not the walk: whole even when the run stopped.
    state.set_mount_points(&mounted.into_iter().collect::<Vec<_>>())
}

/// How many files the state knew in `folder` (a path as files are named).
fn known_in(known: &foldhash::HashMap<String, crate::state::KnownFile>, folder: &str) -> usize {
    let folder = folder.trim_end_matches('/');
    known.keys().filter(|p| is_below(p, folder)).count()
}

fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The items the workers found were not reported before, in report order
/// (suppressed ones aside), described with masked values only.
fn added_items(report: &ScanReport) -> Vec<Change> {
    let findings = report.findings.iter().filter_map(|f| {
        let fp = f.fingerprint.as_deref()?;
        (f.new && f.triage.is_none())
            .then(|| moves::change(ItemKind::Finding, fp, &f.path, moves::finding_label(f)))
    });
    let records = report.records.iter().filter_map(|r| {
        r.fingerprint.as_ref()?;
        (r.new && r.triage.is_none()).then(|| {
            moves::change(
                ItemKind::Record,
                &record_item_key(r),
                &r.path,
                record_label(r),
            )
        })
    });
    findings.chain(records).collect()
}

/// A record described: what it is, and its flags.
fn record_label(r: &crate::classify::Record) -> String {
    if r.flags.is_empty() {
        return r.record.clone();
    }
    let flags: Vec<String> = r.flags.iter().map(|f| f.flag.to_string()).collect();
    format!("{} · {}", r.record, flags.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{FileRecord, Outcome};

    #[test]
    fn a_folder_is_whole_when_every_file_known_in_it_is_excluded() {
        let known = [
            "archive/2019/a.txt",
            "archive/2019/b.txt",
            "archive/2020/c.txt",
            "archive-old/d.txt",
            "office/e.txt",
            "office/f.txt",
            "office/g.txt",
            "lone/h.txt",
            "top.txt",
            "top2.txt",
        ];
        let excluded = [
            "archive-old/d.txt",
            "archive/2019/a.txt",
            "archive/2019/b.txt",
            "archive/2020/c.txt",
            "lone/h.txt",
            "office/e.txt",
            "office/f.txt",
            "top.txt",
            "top2.txt",
        ];
        // The outermost whole folder; not one of a single file, nor one
        // with a file still scanned, nor the root.
        assert_eq!(
            whole_folders(&excluded, known.into_iter(), &[]),
            [("archive".to_string(), 3)]
        );
        // With several roots, a root is never a folder to list.
        let several = ["share/x/a.txt", "share/x/b.txt", "share/y.txt"];
        let roots = ["share".to_string(), "other".to_string()];
        assert_eq!(
            whole_folders(&several[..2], several.into_iter(), &roots),
            [("share/x".to_string(), 2)]
        );
        // The root whole, its folder listed, not it.
        assert_eq!(
            whole_folders(&several, several.into_iter(), &roots),
            [("share/x".to_string(), 2)]
        );
        let absolute = ["/srv/a/x/1.txt", "/srv/a/x/2.txt"];
        let roots = ["/srv/a".to_string(), "/srv/b".to_string()];
        assert_eq!(
            whole_folders(&absolute, absolute.into_iter(), &roots),
            [("/srv/a/x".to_string(), 2)]
        );
    }

    fn unreached(paths: &[&str]) -> Unreached {
        Unreached(paths.iter().map(|p| p.to_string()).collect())
    }

    #[test]
    fn what_a_run_could_not_read_covers_what_is_in_it_and_nothing_beside() {
        let u = unreached(&["tables", "archives/old.zip", "a/b.txt"]);
        for inside in [
            "tables",
            "tables/tenants.csv",
            "tables/2019/x.csv",
            "archives/old.zip",
            "archives/old.zip!/exports/t.csv",
            "a/b.txt",
        ] {
            assert!(u.covers(inside), "{inside}");
        }
        for beside in [
            "tables2/x.csv",
            "tablesx",
            "archives/old.zip2",
            "archives/old.zipper!/t.csv",
            "a/b.txt.bak",
            "a/c.txt",
            "other/tables/x.csv",
        ] {
            assert!(!u.covers(beside), "{beside}");
        }
        assert!(!unreached(&[]).covers("x"));
        assert!(unreached(&[""]).covers("anything/at/all"));
        // What is nearest holds it (a failed file in a failed folder).
        let u = unreached(&["", "a", "a/b", "a/b/c.zip"]);
        for (path, at) in [
            ("a/b/c.zip!/d/e.csv", "a/b/c.zip"),
            ("a/b/c.zip", "a/b/c.zip"),
            ("a/b/x.txt", "a/b"),
            ("a/bx/y.txt", "a"),
            ("z.txt", ""),
        ] {
            assert_eq!(u.covering(path), Some(at), "{path}");
        }
    }

    #[test]
    fn a_root_that_could_not_be_read_covers_what_is_below_it() {
        let as_of = jiff::civil::Date::new(2026, 1, 1).unwrap();
        let failed = |path: &str, status: Outcome| FileRecord {
            path: path.into(),
            status,
            format: "unknown".into(),
            reason: "cannot read".into(),
        };
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::create_dir(&a).unwrap();
        std::fs::create_dir(&b).unwrap();
        // One root: its files are named below it, its error by its name.
        let report = ScanReport {
            errors: vec![failed("a", Outcome::Failed)],
            ..ScanReport::default()
        };
        let one = Unreached::of(&report, &ScanOptions::new(vec![a.clone()], as_of));
        assert!(one.covers("x.txt") && one.covers("sub/x.txt"));
        // Several: each named as given, a trailing '/' or not.
        let given = format!("{}/", a.display());
        let report = ScanReport {
            errors: vec![
                failed(&given, Outcome::Failed),
                failed("skipped.bin", Outcome::Skipped),
            ],
            ..ScanReport::default()
        };
        let two = Unreached::of(
            &report,
            &ScanOptions::new(vec![given.into(), b.clone()], as_of),
        );
        assert!(two.covers(&format!("{}/x.txt", a.display())));
        assert!(!two.covers(&format!("{}/x.txt", b.display())));
        // A deliberate skip is not something the run could not read.
        assert!(!two.covers("skipped.bin"));
    }
}
