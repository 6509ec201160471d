//! The scan: walk → extract → detect → classify → report, in parallel, with
//! a deterministic result.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use jiff::civil::Date;

use crate::classify::Kind;
use crate::classify::{Classifier, Policy, Record};
use crate::detect::{Engine, Rules};
use crate::extract::{extract_file, Extracted, Limits};
use crate::report::{
    CategoryInfo, FileRecord, Finding, Outcome, PolicyInfo, Progress, RunInfo, ScanReport,
    ScannedFile, Summary, Triage,
};
use crate::state::{packed, FileMeta, Memory, StoredFile, StoredMember, StoredResult};
use crate::walk::{self, Entry, WalkOptions};

#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub roots: Vec<PathBuf>,
    pub excludes: Vec<String>,
    pub follow: bool,
    pub max_file_size: u64,
    pub reveal: bool,
    /// Files read at once (worker threads); `None` for as many as the
    /// scan finds worth it (see [`Pacer`]), from [`default_workers`].
    pub threads: Option<usize>,
    /// Walker threads (listing folders, reading metadata); `None` for as
    /// many as the roots' file system calls for (see [`walk_threads`]).
    pub walk_threads: Option<usize>,
    pub as_of: Date,
    pub limits: Limits,
    /// Record when the scan started and finished. Off for pinned (`--as-of`)
    /// runs, whose outputs must be byte-identical between runs.
    pub record_times: bool,
    /// Hash every file read, for a manifest.
    pub hash_files: bool,
    /// Set from outside (a signal) to stop early: files not yet begun are
    /// left, and the report is marked partial.
    pub stop: Option<Arc<AtomicBool>>,
    /// After a stop, how long files already being read may take to finish:
    /// those still being read then are abandoned (named in the report,
    /// read again next time), so a reader that never returns cannot keep
    /// a stopped scan from writing its partial report.
    pub stop_grace: Duration,
    /// How long one file may be read (`None`: for ever). One still being
    /// read then is abandoned to its worker, reported as not read, and read
    /// again next run: a reader caught in a loop, or a share that stopped
    /// answering, cannot hold an unattended run for ever. When every worker
    /// is held so, the scan stops as if by a signal.
    pub file_timeout: Option<Duration>,
    /// List suppressed findings and records (with why) instead of only
    /// counting them.
    pub show_suppressed: bool,
    /// The operating point: findings below it are not reported, and records
    /// are judged without them.
    pub min_confidence: crate::detect::Confidence,
    /// Roots that did not answer when looked at before the scan (see
    /// [`walk::look_at_roots`]): not touched again, and reported as not
    /// read, so that a state keeps what it knew of them.
    pub silent_roots: Vec<PathBuf>,
    /// Trawl's own outputs, state and log, where inside a root: skipped.
    pub own_files: walk::OwnFiles,
}

impl ScanOptions {
    /// The defaults `trawl scan` has: no exclusions, links not followed,
    /// files up to 4 GiB, values masked, workers paced and walker threads
    /// as the share calls for, no times, no hashes, no state.
    pub fn new(roots: Vec<PathBuf>, as_of: Date) -> ScanOptions {
        ScanOptions {
            roots,
            excludes: Vec::new(),
            follow: false,
            max_file_size: 4 << 30,
            reveal: false,
            threads: None,
            walk_threads: None,
            as_of,
            limits: Limits::default(),
            record_times: false,
            hash_files: false,
            stop: None,
            stop_grace: DEFAULT_STOP_GRACE,
            file_timeout: Some(DEFAULT_FILE_TIMEOUT),
            show_suppressed: false,
            min_confidence: crate::detect::Confidence::Low,
            silent_roots: Vec::new(),
            own_files: walk::OwnFiles::default(),
        }
    }

    /// The roots the scan looks at: those not silent.
    pub fn answering_roots(&self) -> impl Iterator<Item = &PathBuf> {
        self.roots.iter().filter(|r| !self.silent_roots.contains(r))
    }
}

/// How long a stopped scan waits for the files being read: well inside
/// systemd's 90 s between SIGTERM and SIGKILL.
pub const DEFAULT_STOP_GRACE: Duration = Duration::from_secs(10);

/// How long one file may be read by default: far beyond any file trawl
/// reads whole (a 1 GB text file takes seconds), short of a night.
pub const DEFAULT_FILE_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// What one walked path gave.
pub struct FileResult {
    format: String,
    outcome: Outcome,
    bytes: u64,
    record: Option<FileRecord>,
    findings: Vec<Finding>,
    records: Vec<Record>,
    members: Vec<(String, Outcome, Option<FileRecord>)>,
    hashed: Option<ScannedFile>,
    findings_suppressed: u64,
    records_suppressed: u64,
    /// Findings past the file's listing, by detector (at the confidence
    /// asked for), and the rows that held only those.
    unlisted: BTreeMap<String, u64>,
    rows_not_judged: u64,
    /// A regular file's path below its root, as walked.
    pub walked: Option<String>,
    /// Whether the file was read (false when its stored result was reused).
    pub read: bool,
    /// What to store for it, with `--state`.
    pub store: Option<StoredFile>,
}

/// What a scan judges with: the detectors and the policy.
pub struct Prepared {
    pub engine: Arc<Engine>,
    pub classifier: Arc<Classifier>,
    /// The policy's warnings, described for the terminal (empty when none).
    pub policy_warnings: String,
}

impl Prepared {
    /// Scans with no progress line and no state: for the commands that
    /// scan to answer a question (audit, eval, policy check --against).
    pub fn scan_quietly(&self, opts: &ScanOptions) -> Result<ScanReport> {
        let progress = Arc::new(Progress::new(false));
        scan(&self.engine, &self.classifier, opts, &progress)
    }
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
        engine: Arc::new(engine),
        classifier: Arc::new(classifier),
        policy_warnings,
    })
}

/// Scans the roots. The engine must have been told the policy's record
/// columns (see [`Engine::set_record_columns`]).
pub fn scan(
    engine: &Arc<Engine>,
    classifier: &Arc<Classifier>,
    opts: &ScanOptions,
    progress: &Arc<Progress>,
) -> Result<ScanReport> {
    scan_with(engine, classifier, opts, progress, None, &mut |_| Ok(()))
}

/// Walker threads for each core. The walk mostly waits on the
/// file system (a folder listing, a file's metadata), all the more on a
/// network share or a cold cache: with the page cache dropped, a rescan of
/// 100,000 files took 0.88 s with 8 walker threads against 1.1 s with 2,
/// and no longer warm.
const WALK_THREADS_PER_CORE: usize = 4;

/// Walker threads for this scan: as `opts.walk_threads` says, or four a
/// core; on a file system that answers as a share over a network link does
/// ([`walk::metadata_is_slow`]), as many as the most workers, sixteen a
/// core. A rescan is all metadata: on a share whose every lookup, listing
/// and attribute waited 2 ms, uncached, a rescan of 8,000 files took 1.36 s
/// with 32 walker threads against 4.72 s with 8 (`benches/share.rs`); on a
/// local disk 32 gained nothing and took 1-6% longer (so it keeps four a core).
fn walk_threads(opts: &ScanOptions, cpu: usize) -> usize {
    if let Some(n) = opts.walk_threads {
        return n.max(1);
    }
    if walk::metadata_is_slow(opts.answering_roots()) {
        most_workers()
    } else {
        cpu.saturating_mul(WALK_THREADS_PER_CORE).clamp(1, 64)
    }
}

/// Files read at once for each core, by default. Reading a small file
/// mostly waits on the disk or the share, not on the CPU: with the page
/// cache dropped, a first scan of 100,000 small files on 2 cores took 3.6 s
/// with 8 workers against 7.0 s with 2 (4: 4.6 s; 16: 3.6 s, and 15%
/// longer than 8 warm); warm, 8 took 6% longer than 2.
const WORKERS_PER_CORE: usize = 4;

/// Larger files than this are read by at most one worker a core at once
/// (see [`Reading::enter_large`]): they take memory (a workbook or a PDF is
/// parsed whole) and CPU, and their reading waits less on latency.
const LARGE_FILE: u64 = 256 << 10;

/// Bytes of files and members read whole (PDF, HTML, XML, a lone email, a Word 97–2003 document)
/// held at once by the scan's workers: parsing one takes about twice its
/// size (a 300 MB PDF: 637 MB), and large files are read one a core, so on
/// sixteen cores sixteen 500 MB scans would have taken 17 GB. One file
/// larger than this is still read, alone. Two cores never reach it: each
/// such file is at most 512 MiB (`Limits::max_member_bytes`).
const WHOLE_BYTES_AT_ONCE: u64 = 1 << 30;

/// The cores this process may use, looked up once: the look-up reads the
/// cgroup's files, too dear for each file.
pub fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
}

/// Files read at once to begin with when `--threads` does not say: four a
/// core, at most 64.
pub fn default_workers() -> usize {
    cores()
        .saturating_mul(WORKERS_PER_CORE)
        .clamp(1, MAX_WORKERS)
}

/// The most files read at once when `--threads` does not say (see
/// [`Pacer`]). A share answering each open and read after 2 ms was read 3.2
/// times as fast by 32 workers as by 8 on 2 cores (64: 2.5 times).
const MAX_WORKERS: usize = 64;

/// Workers when `--threads` does not say: as many as [`Pacer`] may let
/// read, sixteen a core, at most 64.
fn most_workers() -> usize {
    cores()
        .saturating_mul(16)
        .clamp(default_workers(), MAX_WORKERS)
}

/// Scans the roots, reusing what `memory` (a state) knows of unchanged
/// files. `on_file` sees each file's result on the calling thread, as it
/// comes (to store it); an error from it stops the scan.
///
/// The walker and the workers own what they use (hence the `Arc`s): after a
/// stop, files still being read when [`ScanOptions::stop_grace`] ends are
/// abandoned to their threads, which end with the process.
pub fn scan_with(
    engine: &Arc<Engine>,
    classifier: &Arc<Classifier>,
    opts: &ScanOptions,
    progress: &Arc<Progress>,
    memory: Option<&Arc<Memory>>,
    on_file: &mut dyn FnMut(&mut FileResult) -> Result<()>,
) -> Result<ScanReport> {
    let started = jiff::Timestamp::now();
    // (Where the CPU time cannot be read, no pace is kept: four a core.)
    let paced = opts.threads.is_none() && process_cpu_time().is_some();
    let threads = match opts.threads {
        Some(n) => n.max(1),
        None if paced => most_workers(),
        None => default_workers(),
    };
    // How many of them may read now: all that `--threads` asks for, or else
    // as many as the pacer finds worth it.
    let pace = Arc::new(AtomicUsize::new(
        opts.threads.map_or_else(default_workers, |n| n.max(1)),
    ));
    let mut pacer = paced.then(|| Pacer::new(default_workers(), threads));
    // What the CPU can do at once: large files, and the walk's threads.
    let cpu = threads.min(cores());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("starting worker threads")?;
    // Our own flag, raised by the caller's or by a failure here.
    let stop = opts
        .stop
        .clone()
        .unwrap_or_else(|| Arc::new(AtomicBool::new(false)));
    let watch = Arc::new(walk::WalkWatch::default());
    let walk_opts = WalkOptions {
        roots: opts.roots.clone(),
        excludes: opts.excludes.clone(),
        follow: opts.follow,
        max_file_size: opts.max_file_size,
        threads: walk_threads(opts, cpu),
        stop: Some(Arc::clone(&stop)),
        watch: Some(Arc::clone(&watch)),
        silent: opts.silent_roots.clone(),
        own: opts.own_files.clone(),
    };
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
    for root in &opts.silent_roots {
        let waited = opts
            .file_timeout
            .map_or(String::new(), |t| format!(" in {} s", t.as_secs()));
        let why =
            format!("did not answer{waited} when the scan began (is the share up?): not read");
        let rel = walk::relative(root, &opts.roots);
        add(
            &mut report,
            &mut summary,
            not_scanned(rel, Outcome::Failed, why),
        );
    }
    let (tx, rx) = mpsc::sync_channel::<Vec<Entry>>(64);
    let finished = Arc::new(Finished::default());
    let mut failure: Option<anyhow::Error> = None;
    let walker = {
        let (memory, progress) = (memory.cloned(), Arc::clone(progress));
        // On a rescan, an unchanged file whose stored result is empty costs
        // the walk a look-up, and nothing else: it is counted from the state
        // after.
        // A manifest lists, and hashes, every file: none is settled unseen.
        let hash_files = opts.hash_files;
        let settled = move |rel: &str, stat: &walk::Stat| -> bool {
            let Some(m) = memory.as_ref().filter(|_| !hash_files) else {
                return false;
            };
            if !m.reusable || m.rehash {
                return false;
            }
            match m.known.get(rel) {
                Some(k)
                    if !k.has_result
                        && !k.racy
                        && file_meta(stat.size, stat.modified, stat.identity)
                            .unchanged_since(&k.meta) =>
                {
                    k.seen.store(true, Ordering::Relaxed);
                    k.settled.store(true, Ordering::Relaxed);
                    progress.file_done(stat.size, 0);
                    true
                }
                _ => false,
            }
        };
        std::thread::Builder::new()
            .name("trawl-walk".into())
            .spawn(move || walk::walk(&walk_opts, tx, &settled))
            .context("starting the walk")?
    };
    let reading = Arc::new(Reading::new(cpu, Arc::clone(&stop)));
    let shares = Arc::new(Shares::new(rx, threads));
    {
        let (engine, classifier, opts) = (
            Arc::clone(engine),
            Arc::clone(classifier),
            Arc::new(opts.clone()),
        );
        let (progress, memory) = (Arc::clone(progress), memory.cloned());
        let (stop, reading) = (Arc::clone(&stop), Arc::clone(&reading));
        let (finished, shares) = (Arc::clone(&finished), Arc::clone(&shares));
        let pace = Arc::clone(&pace);
        std::thread::Builder::new()
            .name("trawl-workers".into())
            .spawn(move || {
                // A file at a time, each result handed on as it comes: a
                // file that never returns holds its worker alone, not the
                // files walked beside it (see `Shares`), nor the results of
                // those before it.
                // Readers' panics are caught around each file; one of
                // trawl's own still ends the scan, as an error, not a hang.
                let leaving = Leaving::new(threads);
                let panicked = catch_unwind(AssertUnwindSafe(|| {
                    pool.broadcast(|worker| {
                        let out = leaving.enter();
                        let me = worker.index();
                        while let Some(entry) = {
                            // Past the pace, a worker waits until it is let
                            // read, or there is nothing left to.
                            while me >= pace.load(Ordering::Relaxed)
                                && shares.waiting()
                                && !stop.load(Ordering::Relaxed)
                            {
                                shares.park(Pacer::PARKED);
                            }
                            shares.next(me, &stop)
                        } {
                            finished.push(process(
                                &engine,
                                &classifier,
                                entry,
                                &opts,
                                &progress,
                                memory.as_deref(),
                                &reading,
                            ));
                        }
                        out.leave(cpu - 1);
                    })
                }))
                .is_err();
                finished.close(panicked);
            })
            .context("starting worker threads")?;
    }
    // Results come until the workers are done; after a stop, for as long as
    // the grace lets them.
    let mut stopped: Option<Instant> = None;
    // Files given up on for --file-timeout: reported already, so what their
    // workers give, should they ever finish, is dropped (and not stored).
    let mut abandoned: std::collections::HashSet<String> = Default::default();
    let mut received = 0u64;
    let mut results = Vec::new();
    // The walk's last move, for --file-timeout's watch on it too.
    let (mut walk_visited, mut walk_moved) = (0u64, Instant::now());
    let mut walk_stuck = false;
    let out_of_grace = loop {
        let (all_in, panicked) = finished.take(Duration::from_millis(100), &mut results);
        if let Some(pacer) = pacer.as_mut() {
            let now = pacer.pace(
                pace.load(Ordering::Relaxed),
                Instant::now(),
                process_cpu_time,
                shares.waiting(),
            );
            if now > pace.swap(now, Ordering::Relaxed) {
                shares.unpark();
            }
        }
        for mut r in results.drain(..) {
            let late = !abandoned.is_empty()
                && r.walked.as_ref().is_some_and(|rel| abandoned.contains(rel));
            if late {
                continue;
            }
            received += 1;
            if failure.is_none() {
                if let Err(e) = on_file(&mut r) {
                    failure = Some(e);
                    stop.store(true, Ordering::Relaxed);
                }
            }
            add(&mut report, &mut summary, r);
        }
        if panicked && failure.is_none() {
            failure = Some(anyhow::anyhow!(
                "a worker thread stopped unexpectedly (a bug in trawl: please report it)"
            ));
        }
        if all_in {
            break false;
        }
        // The workers holding abandoned files never say they are done: the
        // scan is, once the walk is and every other file has its result.
        if !abandoned.is_empty()
            && shares.all_taken()
            && received + abandoned.len() as u64 >= shares.taken()
        {
            break false;
        }
        if let Some(limit) = opts.file_timeout {
            for rel in reading.overdue(limit) {
                let why = format!(
                    "still being read after {} s (--file-timeout): abandoned, to be read again next run (is the file, or its share, stuck?)",
                    limit.as_secs()
                );
                abandoned.insert(rel.clone());
                add(
                    &mut report,
                    &mut summary,
                    not_scanned(rel, Outcome::Failed, why),
                );
            }
            // Every worker is held by a file that does not return: nothing
            // more can be read, so the scan stops, its outputs partial.
            if reading.held() >= threads {
                stop.store(true, Ordering::Relaxed);
            }
            // The walk has not moved for as long, with nothing being read
            // (so it is not waiting for the workers to take what it found):
            // it waits on a share that stopped answering. The scan stops.
            let visited = watch.visited();
            if visited != walk_visited || walker.is_finished() || reading.busy() > 0 {
                (walk_visited, walk_moved) = (visited, Instant::now());
            } else if !walk_stuck && walk_moved.elapsed() >= limit {
                walk_stuck = true;
                let why = format!(
                    "the walk has waited {} s here for the file system (--file-timeout; is the share answering?): what is below it, and what the walk had not reached, was not read",
                    limit.as_secs()
                );
                note_stuck_walk(&mut report, &mut summary, &watch, opts, &why);
                stop.store(true, Ordering::Relaxed);
            }
        }
        if stop.load(Ordering::Relaxed)
            && stopped.get_or_insert_with(Instant::now).elapsed() >= opts.stop_grace
        {
            break true;
        }
    };
    // A stopped walk is waited for no longer than the grace lets it: it may
    // be waiting on a share that never answers.
    let walk_ends = !out_of_grace
        && !walk_stuck
        && (!stop.load(Ordering::Relaxed) || {
            let spent = stopped.map_or(Duration::ZERO, |s| s.elapsed());
            finishes_within(&walker, opts.stop_grace.saturating_sub(spent))
        });
    if !walk_ends && !walk_stuck && !walker.is_finished() {
        let why = "the walk was still waiting here for the file system when the scan was stopped (is the share answering?)";
        note_stuck_walk(&mut report, &mut summary, &watch, opts, why);
    }
    let walked = if !walk_ends {
        // Neither the workers nor the walker (a share that stopped
        // answering, say) are waited for any longer.
        let secs = opts.stop_grace.as_secs_f64();
        for rel in reading.now() {
            let why = format!(
                "still being read {secs:.0} s after the scan was stopped: abandoned, to be read again next time"
            );
            add(
                &mut report,
                &mut summary,
                not_scanned(rel, Outcome::Failed, why),
            );
        }
        Ok(())
    } else {
        walker
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("the walker stopped unexpectedly")))
    };
    if let Some(e) = failure {
        return Err(e);
    }
    walked?;
    if let Some(m) = memory {
        for k in m.known.values() {
            if k.settled.load(Ordering::Relaxed) {
                summary.files_seen += 1;
                summary.files.add(k.outcome);
                count_format(&mut summary, &k.format, k.outcome);
                if k.outcome != Outcome::Skipped {
                    summary.bytes_scanned += k.meta.size;
                }
            }
        }
    }
    report.partial = stop.load(Ordering::Relaxed);
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

/// Whether `walker` ends within `wait`.
fn finishes_within<T>(walker: &std::thread::JoinHandle<T>, wait: Duration) -> bool {
    let deadline = Instant::now() + wait;
    while !walker.is_finished() {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    true
}

/// Lists, as not read for `why`, the folders the walk found and could not
/// list (tried again, each for a moment); or the roots, when it cannot
/// tell which.
fn note_stuck_walk(
    report: &mut ScanReport,
    summary: &mut Summary,
    watch: &walk::WalkWatch,
    opts: &ScanOptions,
    why: &str,
) {
    let mut stuck = watch.not_answering(Duration::from_secs(2));
    if stuck.is_empty() {
        stuck = opts.answering_roots().cloned().collect();
    }
    for folder in stuck {
        let rel = walk::relative(&folder, &opts.roots);
        add(
            report,
            summary,
            not_scanned(rel, Outcome::Failed, why.to_string()),
        );
    }
}

/// Counts a file or member under its format (allocating only for a format
/// not seen before: this runs once a file).
fn count_format(summary: &mut Summary, format: &str, outcome: Outcome) {
    count_of(&mut summary.files_by_format, format).add(outcome);
}

/// The count kept under `key`, its key allocated only the first time (this
/// runs for every finding and record of a scan, on the thread that gathers
/// them).
fn count_of<'m, V: Default>(counts: &'m mut BTreeMap<String, V>, key: &str) -> &'m mut V {
    if !counts.contains_key(key) {
        counts.insert(key.to_string(), V::default());
    }
    counts.get_mut(key).expect("inserted above")
}

/// Whether an item is counted into a summary, or taken back out of it (one
/// decided on after it was counted: see `nightly::moves`). One function a
/// kind of item does both, so the two cannot drift apart.
#[derive(Clone, Copy)]
pub(crate) enum Tally {
    In,
    Out,
}

fn step(n: &mut u64, t: Tally) {
    match t {
        Tally::In => *n += 1,
        Tally::Out => *n = n.saturating_sub(1),
    }
}

/// Steps `key`'s count; one taken down to none is dropped, as though never
/// counted.
fn step_of<K: Ord + Clone>(counts: &mut BTreeMap<K, u64>, key: &K, t: Tally) {
    match t {
        Tally::In => *counts.entry(key.clone()).or_default() += 1,
        Tally::Out => step_down(counts, key),
    }
}

/// [`step_of`] for counts named by text, the name allocated only the first
/// time.
fn step_named(counts: &mut BTreeMap<String, u64>, key: &str, t: Tally) {
    match t {
        Tally::In => *count_of(counts, key) += 1,
        Tally::Out => step_down(counts, key),
    }
}

/// Takes one from `key`'s count, dropping a count taken down to none.
fn step_down<K: Ord + std::borrow::Borrow<Q>, Q: Ord + ?Sized>(
    counts: &mut BTreeMap<K, u64>,
    key: &Q,
) {
    if let Some(n) = counts.get_mut(key) {
        step(n, Tally::Out);
        if *n == 0 {
            counts.remove(key);
        }
    }
}

/// Counts a finding into the summary's figures, or out of them.
pub(crate) fn tally_finding(summary: &mut Summary, f: &Finding, t: Tally) {
    step(&mut summary.findings, t);
    step_named(&mut summary.findings_by_detector, &f.detector, t);
    step_of(&mut summary.findings_by_confidence, &f.confidence, t);
}

/// Counts a record into the summary's figures, or out of them.
pub(crate) fn tally_record(summary: &mut Summary, r: &crate::classify::Record, t: Tally) {
    step(&mut summary.records, t);
    if r.personal {
        step(&mut summary.records_personal, t);
    }
    if r.flags.is_empty() {
        return;
    }
    step(&mut summary.records_flagged, t);
    for f in &r.flags {
        step_of(&mut summary.flags_by_type, &f.flag, t);
    }
    let process = r.process.as_deref().unwrap_or("(none)");
    let by_process = match t {
        Tally::In => Some(count_of(&mut summary.flags_by_process, process)),
        Tally::Out => summary.flags_by_process.get_mut(process),
    };
    if let Some(by_process) = by_process {
        for f in &r.flags {
            step_of(by_process, &f.flag, t);
        }
        if by_process.is_empty() {
            summary.flags_by_process.remove(process);
        }
    }
}

/// Adds one file's result to the report and its summary.
fn add(report: &mut ScanReport, summary: &mut Summary, r: FileResult) {
    summary.files_seen += 1;
    summary.files.add(r.outcome);
    count_format(summary, &r.format, r.outcome);
    if r.outcome != Outcome::Skipped {
        summary.bytes_scanned += r.bytes;
    }
    summary.findings_suppressed += r.findings_suppressed;
    summary.records_suppressed += r.records_suppressed;
    for (detector, n) in r.unlisted {
        summary.findings_not_listed += n;
        *summary
            .findings_not_listed_by_detector
            .entry(detector)
            .or_default() += n;
    }
    summary.rows_not_judged += r.rows_not_judged;
    // Those decided on are listed with --show-suppressed, but counted apart.
    for f in r.findings.iter().filter(|f| f.triage.is_none()) {
        tally_finding(summary, f, Tally::In);
    }
    for (format, outcome, record) in r.members {
        summary.members.add(outcome);
        count_format(summary, &format, outcome);
        report.errors.extend(record);
    }
    for rec in r.records.iter().filter(|r| r.triage.is_none()) {
        tally_record(summary, rec, Tally::In);
    }
    report.findings.extend(r.findings);
    report.records.extend(r.records);
    report.errors.extend(r.record);
    report.scanned_files.extend(r.hashed);
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

/// Reads a file for its SHA-256 and length alone (a file not read for its
/// content, or whose reading could not hash it). A file that vanished or
/// cannot be read has none.
fn content_digest(path: &std::path::Path) -> Option<(String, u64)> {
    crate::extract::open_input(path)
        .and_then(crate::digest::sha256_reader)
        .ok()
}

fn process(
    engine: &Engine,
    classifier: &Classifier,
    entry: Entry,
    opts: &ScanOptions,
    progress: &Progress,
    memory: Option<&Memory>,
    reading: &Reading,
) -> FileResult {
    let result = match entry {
        Entry::Skipped { rel, reason } => not_scanned(rel, Outcome::Skipped, reason),
        Entry::Failed { rel, reason } => not_scanned(rel, Outcome::Failed, reason),
        Entry::File {
            path,
            rel,
            size,
            modified,
            identity,
        } => {
            let meta = file_meta(size, modified, identity);
            // Before it is read: a change after this may be missed by its
            // time (see `FileMeta::racy`). Only a state keeps it.
            let read_at = memory.map_or(0, |_| jiff::Timestamp::now().as_nanosecond() as i64);
            let known = memory.and_then(|m| m.known.get(&rel));
            if let Some(k) = known {
                k.seen.store(true, Ordering::Relaxed);
            }
            let modified = modified.and_then(|t| {
                let ts = jiff::Timestamp::try_from(t).ok()?;
                Some(ts.to_zoned(jiff::tz::TimeZone::UTC).date())
            });
            // The content's hash and length, taken at most once (for
            // --rehash, the manifest, and the state when the file is read),
            // and as the file is read where it is.
            let mut content: Option<Option<(String, u64)>> = None;
            let reused = memory.and_then(|m| {
                reuse(m, &rel, meta, &mut || {
                    let _reading = reading.enter(&rel);
                    let digest = content.get_or_insert_with(|| content_digest(&path));
                    digest.as_ref().map(|(sha, _)| sha.clone())
                })
            });
            // What the state keeps of the file: never a raw value, even when
            // this run shows them.
            let to_store =
                |stored: &StoredResult, content: &Option<Option<(String, u64)>>| StoredFile {
                    path: rel.clone(),
                    meta,
                    sha256: content
                        .as_ref()
                        .and_then(|c| c.as_ref())
                        .map(|c| c.0.clone()),
                    format: stored.format.clone(),
                    outcome: stored.outcome,
                    result: (!stored.is_empty()).then(|| packed::pack(stored, &rel)),
                    racy: meta.racy(read_at),
                };
            let (stored, read, store) = match reused {
                // Compared, and the same: stored again, as it is now.
                Some(stored) if known.is_some_and(|k| k.racy) => {
                    let store = to_store(&stored, &content);
                    (stored, false, Some(store))
                }
                Some(stored) => (stored, false, None),
                None => {
                    let being_read = if size > LARGE_FILE {
                        reading.enter_large(&rel)
                    } else {
                        reading.enter(&rel)
                    };
                    let hash = content.is_none() && (opts.hash_files || memory.is_some());
                    let FileRead {
                        stored,
                        content: taken,
                        file_system_failed,
                    } = read_file(
                        engine,
                        classifier,
                        &path,
                        &rel,
                        opts,
                        memory,
                        hash,
                        &being_read,
                    );
                    if hash {
                        content = Some(taken.or_else(|| content_digest(&path)));
                    }
                    // What the file system would not give (permission
                    // denied, a share that stopped answering) may be given
                    // next time, the file unchanged: it is not kept, so the
                    // next run reads the file again, as a file never read
                    // (or the unchanged file stored before it failed).
                    let keep = memory.filter(|_| !file_system_failed);
                    let store = keep.map(|_| to_store(&stored, &content));
                    (stored, true, store)
                }
            };
            let hashed = opts.hash_files.then(|| {
                let digest = content.get_or_insert_with(|| {
                    let _reading = reading.enter(&rel);
                    content_digest(&path)
                });
                ScannedFile {
                    path: rel.clone(),
                    size: digest.as_ref().map_or(size, |d| d.1),
                    sha256: digest.as_ref().map(|d| d.0.clone()),
                }
            });
            let mut result = judge(classifier, memory, opts, &rel, stored, modified);
            result.bytes = size;
            result.hashed = hashed;
            result.walked = Some(rel);
            result.read = read;
            result.store = store;
            result
        }
    };
    progress.file_done(result.bytes, result.findings.len() as u64);
    result
}

/// How many workers read at once, when `--threads` does not say: from
/// four a core, doubled while the process mostly waits with files left to
/// read or the walk still finding them (a share over a slow link: each
/// file's open and read wait on round trips), halved back while the cores
/// are busy (there, more workers only contend: 16 on 2 cores took 15%
/// longer than 8 over files in memory). What the scan finds does not
/// depend on it.
struct Pacer {
    least: usize,
    most: usize,
    /// When the pace was last looked at, and the process's CPU time then.
    last: Option<(Instant, Duration)>,
}

impl Pacer {
    /// How often the pace is looked at.
    const EVERY: Duration = Duration::from_millis(500);
    /// How long a worker past the pace waits before it looks again (the
    /// pace rising, and the end of the entries, wake it sooner).
    const PARKED: Duration = Duration::from_millis(50);
    /// Below this share of the cores' time used, the process is waiting.
    const WAITING: f64 = 0.5;
    /// Above it, the cores are busy. (A cold local disk keeps two cores at
    /// about 0.85 with eight workers, which more do not speed up.)
    const BUSY: f64 = 0.8;

    fn new(least: usize, most: usize) -> Pacer {
        Pacer {
            least,
            most: most.max(least),
            last: None,
        }
    }

    /// The pace from `now` on, given the process's CPU time (`cpu`, asked
    /// only when the pace is due a look; None where it cannot be known: the
    /// pace stays) and whether files wait (or the walk may find more).
    fn pace(
        &mut self,
        now_pace: usize,
        now: Instant,
        cpu: impl FnOnce() -> Option<Duration>,
        waiting: bool,
    ) -> usize {
        if self
            .last
            .is_some_and(|(then, _)| now.saturating_duration_since(then) < Self::EVERY)
        {
            return now_pace;
        }
        let Some(cpu) = cpu() else {
            return now_pace;
        };
        let Some((then, cpu_then)) = self.last.replace((now, cpu)) else {
            return now_pace;
        };
        let wall = now.saturating_duration_since(then);
        let used =
            cpu.saturating_sub(cpu_then).as_secs_f64() / (wall.as_secs_f64() * cores() as f64);
        if used < Self::WAITING && waiting {
            now_pace.saturating_mul(2).min(self.most)
        } else if used > Self::BUSY {
            (now_pace / 2).max(self.least)
        } else {
            now_pace
        }
    }
}

/// The CPU time this process has used, user and system: None where it
/// cannot be known.
fn process_cpu_time() -> Option<Duration> {
    #[cfg(unix)]
    {
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: getrusage writes the struct it is given, nothing else.
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
            return None;
        }
        let time = |t: libc::timeval| {
            Duration::from_secs(t.tv_sec.max(0) as u64)
                + Duration::from_micros(t.tv_usec.max(0) as u64)
        };
        Some(time(usage.ru_utime) + time(usage.ru_stime))
    }
    #[cfg(windows)]
    {
        use windows_sys::Win32::Foundation::FILETIME;
        use windows_sys::Win32::System::Threading::{GetCurrentProcess, GetProcessTimes};
        let zero = FILETIME {
            dwLowDateTime: 0,
            dwHighDateTime: 0,
        };
        let (mut created, mut exited, mut kernel, mut user) = (zero, zero, zero, zero);
        // SAFETY: the pseudo-handle of this process, and four FILETIMEs for
        // the answer, read only when the call succeeded.
        let ok = unsafe {
            GetProcessTimes(
                GetCurrentProcess(),
                &mut created,
                &mut exited,
                &mut kernel,
                &mut user,
            )
        };
        if ok == 0 {
            return None;
        }
        // FILETIMEs count 100 ns.
        let time = |t: FILETIME| {
            Duration::from_nanos(
                ((u64::from(t.dwHighDateTime) << 32) | u64::from(t.dwLowDateTime))
                    .saturating_mul(100),
            )
        };
        Some(time(kernel) + time(user))
    }
    #[cfg(not(any(unix, windows)))]
    None
}

/// Workers leaving the pool as the files run out. One that leaves helps
/// those still reading with their large text files' blocks (rayon's work
/// stealing), but no more of them than the cores can run beside one reader:
/// the rest wait for the last to leave. (With eight workers on two cores,
/// seven idle thieves made a lone 1 GB file take 14% longer.)
struct Leaving {
    /// Workers still taking files, and those that left to help.
    now: Mutex<(usize, usize)>,
    all_out: Condvar,
}

/// A worker taking files; dropped (also on unwinding), it has left.
struct Taking<'l> {
    leaving: &'l Leaving,
    left: bool,
}

impl Leaving {
    fn new(workers: usize) -> Leaving {
        Leaving {
            now: Mutex::new((workers, 0)),
            all_out: Condvar::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (usize, usize)> {
        self.now.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn enter(&self) -> Taking<'_> {
        Taking {
            leaving: self,
            left: false,
        }
    }
}

impl Taking<'_> {
    /// This worker has no more files: it helps if fewer than `helpers`
    /// do, or else waits until every worker is out.
    fn leave(mut self, helpers: usize) {
        self.left = true;
        let leaving = self.leaving;
        let mut now = leaving.lock();
        now.0 = now.0.saturating_sub(1);
        if now.0 == 0 {
            leaving.all_out.notify_all();
        } else if now.1 < helpers {
            now.1 += 1;
        } else {
            while now.0 > 0 {
                now = leaving.all_out.wait(now).unwrap_or_else(|e| e.into_inner());
            }
        }
    }
}

impl Drop for Taking<'_> {
    fn drop(&mut self) {
        if !self.left {
            let mut now = self.leaving.lock();
            now.0 = now.0.saturating_sub(1);
            if now.0 == 0 {
                self.leaving.all_out.notify_all();
            }
        }
    }
}

/// The walked entries, shared among the workers: each takes the walk's
/// batches one at a time into its own share and works through it from the
/// front; one with nothing left, once the walk is done, takes from the back
/// of another's. So a worker held by a file that never returns holds no
/// other file, and taking the next file costs a lock no one else wants
/// (one a file, through rayon's `par_bridge`, made first scans slower).
struct Shares {
    walked: Mutex<mpsc::Receiver<Vec<Entry>>>,
    own: Vec<Mutex<std::collections::VecDeque<Entry>>>,
    /// Entries taken from the walk, and whether that was the last of them.
    taken: std::sync::atomic::AtomicU64,
    /// Entries taken up by a worker.
    begun: std::sync::atomic::AtomicU64,
    /// Where workers past the pace wait, told when the pace rises or
    /// nothing is left to take up (so that the scan's end waits for none).
    parked: Mutex<()>,
    unparked: Condvar,
    all_taken: AtomicBool,
}

impl Shares {
    /// How long a worker with nothing left waits for the walk before it
    /// helps another with what that one holds.
    const WALK_WAIT: Duration = Duration::from_millis(100);

    fn new(walked: mpsc::Receiver<Vec<Entry>>, workers: usize) -> Shares {
        Shares {
            walked: Mutex::new(walked),
            own: (0..workers.max(1)).map(|_| Mutex::default()).collect(),
            taken: Default::default(),
            begun: Default::default(),
            parked: Mutex::new(()),
            unparked: Condvar::new(),
            all_taken: AtomicBool::new(false),
        }
    }

    /// Waits at most `wait` while entries wait to be taken up (a worker
    /// past the pace).
    fn park(&self, wait: Duration) {
        let parked = self.parked.lock().unwrap_or_else(|e| e.into_inner());
        if self.waiting() {
            let _ = self.unparked.wait_timeout(parked, wait);
        }
    }

    /// Wakes the workers waiting in [`Self::park`].
    fn unpark(&self) {
        let _parked = self.parked.lock().unwrap_or_else(|e| e.into_inner());
        self.unparked.notify_all();
    }

    /// Counts an entry taken up; the last one wakes the parked workers.
    fn begin(&self) {
        let begun = self.begun.fetch_add(1, Ordering::AcqRel) + 1;
        if self.all_taken() && begun >= self.taken() {
            self.unpark();
        }
    }

    /// Whether entries wait to be taken up: walked and not begun, or the
    /// walk not done.
    fn waiting(&self) -> bool {
        !self.all_taken() || self.begun.load(Ordering::Acquire) < self.taken()
    }

    /// How many entries the walk has handed on so far: all of them once
    /// [`Self::all_taken`].
    fn taken(&self) -> u64 {
        self.taken.load(Ordering::Acquire)
    }

    fn all_taken(&self) -> bool {
        self.all_taken.load(Ordering::Acquire)
    }

    /// Worker `me`'s next entry: `None` when there is none left, or the
    /// scan was stopped.
    fn next(&self, me: usize, stop: &AtomicBool) -> Option<Entry> {
        fn lock(
            share: &Mutex<std::collections::VecDeque<Entry>>,
        ) -> std::sync::MutexGuard<'_, std::collections::VecDeque<Entry>> {
            share.lock().unwrap_or_else(|e| e.into_inner())
        }
        let me = me % self.own.len();
        loop {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            let own = lock(&self.own[me]).pop_front();
            if let Some(entry) = own {
                self.begin();
                return Some(entry);
            }
            // What others have not begun, from the back of their shares.
            let steal = || {
                let entry = self
                    .own
                    .iter()
                    .enumerate()
                    .filter(|(other, _)| *other != me)
                    .find_map(|(_, share)| lock(share).pop_back());
                if entry.is_some() {
                    self.begin();
                }
                entry
            };
            let batch = self
                .walked
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .recv_timeout(Self::WALK_WAIT);
            match batch {
                Ok(batch) => {
                    self.taken.fetch_add(batch.len() as u64, Ordering::AcqRel);
                    lock(&self.own[me]).extend(batch);
                }
                // The walk is slow to find more (a share slow to list, or
                // that stopped answering): meanwhile, help another.
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Some(entry) = steal() {
                        return Some(entry);
                    }
                }
                // The walk is done.
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    self.all_taken.store(true, Ordering::Release);
                    if !self.waiting() {
                        self.unpark();
                    }
                    return steal();
                }
            }
        }
    }
}

/// Results on their way from the workers to the thread that gathers them.
/// Each is handed on as it comes, but the gatherer is woken only every
/// [`Finished::WAKE_EVERY`] results (or after a short wait, or at the end):
/// a wake-up a file, through a channel, made a first scan of 100,000 small
/// files about a third slower.
#[derive(Default)]
struct Finished {
    queue: Mutex<Vec<FileResult>>,
    ready: std::sync::Condvar,
    closed: AtomicBool,
    panicked: AtomicBool,
}

impl Finished {
    const WAKE_EVERY: usize = 64;

    fn push(&self, result: FileResult) {
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        queue.push(result);
        if queue.len() == Self::WAKE_EVERY {
            self.ready.notify_one();
        }
    }

    /// Every worker is done (or one panicked): nothing more will be pushed.
    fn close(&self, panicked: bool) {
        let _queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        self.panicked.store(panicked, Ordering::Relaxed);
        self.closed.store(true, Ordering::Relaxed);
        self.ready.notify_one();
    }

    /// Moves what has come into `into`, waiting up to `wait` for a
    /// wake-up first; says whether that was the last of it, and whether a
    /// worker panicked.
    fn take(&self, wait: Duration, into: &mut Vec<FileResult>) -> (bool, bool) {
        let mut queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        if queue.len() < Self::WAKE_EVERY && !self.closed.load(Ordering::Relaxed) {
            queue = self
                .ready
                .wait_timeout(queue, wait)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        // Closed under the lock: everything pushed before is in the queue.
        let last = self.closed.load(Ordering::Relaxed);
        std::mem::swap(&mut *queue, into);
        (last, self.panicked.load(Ordering::Relaxed))
    }
}

/// The files being read now: what a stopped scan names as abandoned when
/// they outlast its grace, and what `--file-timeout` gives up on. It also
/// keeps large files to one a core at once: the other workers read small
/// files meanwhile.
struct Reading {
    next: std::sync::atomic::AtomicU64,
    now: Mutex<Now>,
    /// Told when a large file's slot comes free.
    freed: Condvar,
    /// How many large files may be read at once.
    large_slots: usize,
    /// Bytes read whole that may be held at once ([`WHOLE_BYTES_AT_ONCE`]).
    whole_budget: u64,
    /// The scan's stop: a stopped scan waits for no slot.
    stop: Arc<AtomicBool>,
}

#[derive(Default)]
struct Now {
    files: BTreeMap<u64, Being>,
    /// Large files being read and not given up on.
    large: usize,
    /// Bytes read whole held by files being read and not given up on.
    whole: u64,
}

/// A file being read: since when, whether it was given up on, and the
/// bytes it reads whole.
struct Being {
    rel: String,
    since: Instant,
    abandoned: bool,
    large: bool,
    whole: u64,
    /// Waiting for room to read whole: not reading yet.
    waiting: bool,
}

thread_local! {
    /// Large files this thread is reading: one taken up inside another's
    /// reading must not wait for the slot its own thread holds.
    static LARGE_HERE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl Reading {
    fn new(large_slots: usize, stop: Arc<AtomicBool>) -> Reading {
        Reading {
            next: std::sync::atomic::AtomicU64::new(0),
            now: Mutex::default(),
            freed: Condvar::new(),
            large_slots: large_slots.max(1),
            whole_budget: WHOLE_BYTES_AT_ONCE,
            stop,
        }
    }

    /// Holds `bytes` read whole for the file `id` until they are released,
    /// its reading ends or it is given up on: first waits while other files
    /// hold so much that these would not fit. A file that holds some
    /// already takes more without waiting (a PDF attached to an email read
    /// whole), so no two files wait on each other; a file alone may pass
    /// the budget; a stopped scan waits for none. As for a large file's
    /// slot, the wait is not counted in the file's reading time.
    fn hold_whole(&self, id: u64, bytes: u64) {
        let mut now = self.lock();
        let holds = now.files.get(&id).is_some_and(|b| b.whole > 0);
        let no_room = |now: &Now| {
            now.whole > 0
                && now.whole.saturating_add(bytes) > self.whole_budget
                && !self.stop.load(Ordering::Relaxed)
        };
        if !holds && no_room(&now) {
            if let Some(b) = now.files.get_mut(&id) {
                b.waiting = true;
            }
            while no_room(&now) {
                now = self
                    .freed
                    .wait_timeout(now, Duration::from_millis(100))
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
            if let Some(b) = now.files.get_mut(&id) {
                b.waiting = false;
                b.since = Instant::now();
            }
        }
        if let Some(b) = now.files.get_mut(&id).filter(|b| !b.abandoned) {
            b.whole += bytes;
            now.whole += bytes;
        }
    }

    /// Gives back `bytes` held by [`Self::hold_whole`] (unless the file was
    /// given up on, which gave back all it held).
    fn release_whole(&self, id: u64, bytes: u64) {
        let mut now = self.lock();
        if let Some(b) = now.files.get_mut(&id).filter(|b| !b.abandoned) {
            b.whole = b.whole.saturating_sub(bytes);
            now.whole = now.whole.saturating_sub(bytes);
            self.freed.notify_all();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Now> {
        self.now.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Notes that `rel` is being read until the guard is dropped (or
    /// unwound).
    fn enter(&self, rel: &str) -> ReadingGuard<'_> {
        let now = self.lock();
        self.admit(now, rel, false)
    }

    /// [`enter`](Self::enter) for a large file: first waits until fewer
    /// than `large_slots` large files are being read. A file given up on
    /// (`--file-timeout`) gives its slot up with it, and a stopped scan
    /// waits for none. The wait is not counted in the file's reading time.
    fn enter_large(&self, rel: &str) -> ReadingGuard<'_> {
        let mut now = self.lock();
        if LARGE_HERE.get() == 0 {
            while now.large >= self.large_slots && !self.stop.load(Ordering::Relaxed) {
                now = self
                    .freed
                    .wait_timeout(now, Duration::from_millis(100))
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
        }
        now.large += 1;
        LARGE_HERE.set(LARGE_HERE.get() + 1);
        self.admit(now, rel, true)
    }

    fn admit(
        &self,
        mut now: std::sync::MutexGuard<'_, Now>,
        rel: &str,
        large: bool,
    ) -> ReadingGuard<'_> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        now.files.insert(
            id,
            Being {
                rel: rel.to_string(),
                since: Instant::now(),
                abandoned: false,
                large,
                whole: 0,
                waiting: false,
            },
        );
        ReadingGuard(self, id)
    }

    /// What is being read and was not given up on, in order.
    fn now(&self) -> Vec<String> {
        self.paths(|b| !b.abandoned)
    }

    /// What has been read for `limit` or longer and was not given up on
    /// before, in order: given up on now, their slots freed.
    fn overdue(&self, limit: Duration) -> Vec<String> {
        let (mut freed, mut whole) = (0, 0);
        let paths = self.paths(|b| {
            let due = !b.abandoned && !b.waiting && b.since.elapsed() >= limit;
            b.abandoned |= due;
            freed += usize::from(due && b.large);
            whole += if due { b.whole } else { 0 };
            due
        });
        if freed > 0 || whole > 0 {
            let mut now = self.lock();
            now.large = now.large.saturating_sub(freed);
            now.whole = now.whole.saturating_sub(whole);
            self.freed.notify_all();
        }
        paths
    }

    /// The files being read that `pick` picks (it may mark them), in order.
    fn paths(&self, mut pick: impl FnMut(&mut Being) -> bool) -> Vec<String> {
        let mut now = self.lock();
        let mut paths: Vec<String> = now
            .files
            .values_mut()
            .filter_map(|b| pick(b).then(|| b.rel.clone()))
            .collect();
        paths.sort();
        paths
    }

    /// How many files are being read and not given up on.
    fn busy(&self) -> usize {
        self.lock().files.values().filter(|b| !b.abandoned).count()
    }

    /// How many files given up on are still being read: the workers they
    /// hold.
    fn held(&self) -> usize {
        self.lock().files.values().filter(|b| b.abandoned).count()
    }
}

/// A file's reading, until dropped: its id.
struct ReadingGuard<'r>(&'r Reading, u64);

impl Drop for ReadingGuard<'_> {
    fn drop(&mut self) {
        let mut now = self.0.lock();
        let Some(gone) = now.files.remove(&self.1) else {
            return;
        };
        // Its slot and bytes, unless freed when the file was given up on.
        if gone.large {
            LARGE_HERE.set(LARGE_HERE.get().saturating_sub(1));
            if !gone.abandoned {
                now.large = now.large.saturating_sub(1);
            }
        }
        if !gone.abandoned {
            now.whole = now.whole.saturating_sub(gone.whole);
        }
        if !gone.abandoned && (gone.large || gone.whole > 0) {
            // Waiting for a slot or for bytes: each looks again.
            self.0.freed.notify_all();
        }
    }
}

impl crate::extract::WholeReads for ReadingGuard<'_> {
    fn hold(&self, bytes: u64) {
        self.0.hold_whole(self.1, bytes);
    }

    fn release(&self, bytes: u64) {
        self.0.release_whole(self.1, bytes);
    }
}

fn file_meta(
    size: u64,
    modified: Option<std::time::SystemTime>,
    identity: Option<(u64, u64)>,
) -> FileMeta {
    FileMeta {
        size,
        mtime_ns: modified
            .and_then(|t| jiff::Timestamp::try_from(t).ok())
            .map_or(0, |t| t.as_nanosecond() as i64),
        dev: identity.map_or(0, |i| i.0),
        ino: identity.map_or(0, |i| i.1),
    }
}

/// The stored result of an unchanged file: same size, time and identity
/// (and, with `--rehash` or for a file changed just before it was last read,
/// the same content).
fn reuse(
    memory: &Memory,
    rel: &str,
    meta: FileMeta,
    content: &mut dyn FnMut() -> Option<String>,
) -> Option<StoredResult> {
    if !memory.reusable {
        return None;
    }
    let known = memory.known.get(rel)?;
    if !meta.unchanged_since(&known.meta) {
        return None;
    }
    if memory.rehash || known.racy {
        let now = content();
        if now.is_none() || now != known.sha256 {
            return None;
        }
    }
    memory.load(rel)
}

/// What reading a file gave.
struct FileRead {
    stored: StoredResult,
    /// The content's SHA-256 and length, when asked for and taken.
    content: Option<(String, u64)>,
    /// See [`Extracted::file_system_failed`].
    file_system_failed: bool,
}

/// Reads a file: extraction and detection, with the fingerprints a state
/// needs and the rules' suppressions decided, as it is stored; with `hash`,
/// also the content's SHA-256 and length, where the reading could take
/// them.
#[allow(clippy::too_many_arguments)]
fn read_file(
    engine: &Engine,
    classifier: &Classifier,
    path: &Path,
    rel: &str,
    opts: &ScanOptions,
    memory: Option<&Memory>,
    hash: bool,
    whole: &dyn crate::extract::WholeReads,
) -> FileRead {
    // A bug tripped by one file must cost that file only.
    let extracted = catch_unwind(AssertUnwindSafe(|| {
        extract_file(
            engine,
            path,
            rel,
            opts.reveal,
            opts.limits,
            hash,
            Some(whole),
        )
    }))
    .unwrap_or_else(|_| Extracted {
        file_system_failed: false,
        records: Vec::new(),
        outcome: Outcome::Failed,
        format: "unknown",
        reason: Some("internal error while reading this file (please report it)".into()),
        findings: Vec::new(),
        members: Vec::new(),
        document: None,
        content: None,
        unlisted: Default::default(),
    });
    let mut findings = extracted.findings;
    for f in &mut findings {
        if let Some(m) = memory {
            f.fingerprint = Some(m.fingerprint_finding(f));
        }
        // Decided here, while the value's hash is at hand: the state never
        // keeps it, so a stored finding carries the decision instead (when
        // the suppressions change, every file that held anything is read
        // again: `State::adopt_suppressions`). The hash stays with the
        // finding for this run, never written: a file found moved needs it
        // to know its findings' fingerprints at the old path.
        if let Some(s) = classifier.suppressions.iter().find(|s| s.matches(f)) {
            f.triage = Some(Box::new(Triage {
                status: "suppressed".into(),
                note: s.reason.clone(),
                by: "suppressions.toml".into(),
                at: String::new(),
            }));
        }
    }
    let stored = StoredResult {
        format: extracted.format.to_string(),
        outcome: extracted.outcome,
        reason: extracted.reason,
        findings,
        records: extracted.records,
        unlisted: extracted.unlisted,
        members: extracted
            .members
            .into_iter()
            .map(|m| StoredMember {
                format: m.format.to_string(),
                outcome: m.outcome,
                record: m.record,
            })
            .collect(),
    };
    FileRead {
        stored,
        content: extracted.content,
        file_system_failed: extracted.file_system_failed,
    }
}

/// Triage and the policy, applied to what a file gave (read now, or
/// stored): the same whichever it was.
fn judge(
    classifier: &Classifier,
    memory: Option<&Memory>,
    opts: &ScanOptions,
    rel: &str,
    stored: StoredResult,
    modified: Option<Date>,
) -> FileResult {
    let mut findings = stored.findings;
    findings.retain(|f| f.confidence >= opts.min_confidence);
    let unlisted: BTreeMap<String, u64> = stored
        .unlisted
        .findings
        .into_iter()
        .map(|(detector, counts)| {
            let n = crate::extract::Unlisted::at_least(&counts, opts.min_confidence);
            (detector, n)
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    for f in findings.iter_mut().filter(|f| f.triage.is_none()) {
        if let Some(t) = memory
            .zip(f.fingerprint.as_ref())
            .and_then(|(m, fp)| m.triage.get(fp))
        {
            f.triage = Some(Box::new(t.clone()));
        }
    }
    let mut records = classifier.classify(stored.records, &mut findings, modified);
    let mut records_suppressed = 0;
    if let Some(m) = memory {
        for r in &mut records {
            let fp = m.fingerprint_record(&r.path, &r.record);
            r.triage = m.triage.get(&fp).cloned().map(Box::new);
            r.fingerprint = Some(fp);
        }
        records_suppressed = records.iter().filter(|r| r.triage.is_some()).count() as u64;
    }
    let findings_suppressed = findings.iter().filter(|f| f.triage.is_some()).count() as u64;
    if let Some(m) = memory {
        // Reckoned here, on the workers: `new` says not reported before
        // (the caller clears it when there is no run to compare with). An
        // item decided on (triaged, suppressed) is still there, hidden: it
        // stays reported, neither new nor resolved.
        for f in &mut findings {
            if let Some(fp) = &f.fingerprint {
                let before = m.still_live(fp);
                f.new = !before && f.triage.is_none();
            }
        }
        for r in records.iter_mut().filter(|r| r.fingerprint.is_some()) {
            let before = m.still_live(&crate::state::record_item_key(r));
            r.new = !before && r.triage.is_none();
        }
    }
    if !opts.show_suppressed {
        findings.retain(|f| f.triage.is_none());
        records.retain(|r| r.triage.is_none());
    }
    FileResult {
        record: stored.reason.map(|reason| FileRecord {
            path: rel.to_string(),
            status: stored.outcome,
            format: stored.format.clone(),
            reason,
        }),
        format: stored.format,
        outcome: stored.outcome,
        bytes: 0,
        findings,
        records,
        members: stored
            .members
            .into_iter()
            .map(|m| (m.format, m.outcome, m.record))
            .collect(),
        hashed: None,
        findings_suppressed,
        records_suppressed,
        unlisted,
        rows_not_judged: stored.unlisted.rows,
        walked: None,
        read: true,
        store: None,
    }
}

/// Adds a path that could not be read to a finished report, counted and
/// listed as the walk's own failures are.
pub(crate) fn add_failed(report: &mut ScanReport, rel: String, reason: String) {
    add_not_scanned(
        report,
        std::iter::once(not_scanned(rel, Outcome::Failed, reason)),
    );
}

/// Adds to a finished report paths skipped on purpose, each with why.
pub(crate) fn add_skipped(
    report: &mut ScanReport,
    skipped: impl IntoIterator<Item = (String, String)>,
) {
    add_not_scanned(
        report,
        skipped
            .into_iter()
            .map(|(rel, reason)| not_scanned(rel, Outcome::Skipped, reason)),
    );
}

/// Adds `results` to a finished report, sorting its list once (an excluded
/// folder can add thousands).
fn add_not_scanned(report: &mut ScanReport, results: impl Iterator<Item = FileResult>) {
    let mut summary = std::mem::take(&mut report.summary);
    for result in results {
        add(report, &mut summary, result);
    }
    report.summary = summary;
    report.sort_errors();
}

fn not_scanned(rel: String, outcome: Outcome, reason: String) -> FileResult {
    FileResult {
        format: "unknown".to_string(),
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
        findings_suppressed: 0,
        records_suppressed: 0,
        unlisted: BTreeMap::new(),
        rows_not_judged: 0,
        walked: None,
        read: false,
        store: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_worker_held_by_one_file_holds_no_other() {
        let entry = |rel: &str| Entry::Skipped {
            rel: rel.into(),
            reason: String::new(),
        };
        let rel = |e: Option<Entry>| match e {
            Some(Entry::Skipped { rel, .. }) => rel,
            other => panic!("{other:?}"),
        };
        let (tx, rx) = mpsc::sync_channel(4);
        tx.send(vec![entry("a"), entry("b"), entry("c")]).unwrap();
        drop(tx);
        let shares = Shares::new(rx, 2);
        let go = AtomicBool::new(false);
        // Worker 0 takes the batch, begins its first file and is held by it;
        // worker 1, the walk done, takes the rest from the back.
        assert_eq!(rel(shares.next(0, &go)), "a");
        assert_eq!((shares.taken(), shares.all_taken()), (3, false));
        assert_eq!(rel(shares.next(1, &go)), "c");
        assert_eq!((shares.taken(), shares.all_taken()), (3, true));
        assert_eq!(rel(shares.next(1, &go)), "b");
        assert!(shares.next(1, &go).is_none());
        assert!(shares.next(0, &go).is_none());
        // The walk not done but finding nothing more for now (a share that
        // stopped answering): worker 1 takes what worker 0 holds meanwhile.
        let (tx, rx) = mpsc::sync_channel(4);
        tx.send(vec![entry("a"), entry("b")]).unwrap();
        let shares = Shares::new(rx, 2);
        assert_eq!(rel(shares.next(0, &go)), "a");
        assert_eq!(rel(shares.next(1, &go)), "b");
        assert!(!shares.all_taken());
        drop(tx);
        // A stopped scan hands out nothing.
        let (tx, rx) = mpsc::sync_channel(4);
        tx.send(vec![entry("a")]).unwrap();
        let shares = Shares::new(rx, 1);
        assert!(shares.next(0, &AtomicBool::new(true)).is_none());
    }

    #[test]
    fn results_are_gathered_whole_and_a_workers_panic_is_told() {
        let finished = Finished::default();
        for rel in ["a", "b"] {
            finished.push(not_scanned(rel.into(), Outcome::Skipped, String::new()));
        }
        let mut into = Vec::new();
        // Fewer than a wake-up's worth: taken after the wait.
        let (last, panicked) = finished.take(Duration::from_millis(1), &mut into);
        assert_eq!((into.len(), last, panicked), (2, false, false));
        into.clear();
        finished.close(true);
        let (last, panicked) = finished.take(Duration::from_secs(60), &mut into);
        assert_eq!((into.len(), last, panicked), (0, true, true));
    }

    #[test]
    fn a_file_read_too_long_is_given_up_on_once_and_holds_its_worker_until_it_ends() {
        let reading = Reading::new(2, Arc::default());
        let slow = reading.enter("slow.xlsx");
        std::thread::sleep(Duration::from_millis(1100));
        let _quick = reading.enter("quick.txt");
        let limit = Duration::from_secs(1);
        assert_eq!(reading.overdue(limit), ["slow.xlsx"]);
        assert!(reading.overdue(limit).is_empty(), "given up on once");
        assert_eq!(reading.held(), 1);
        // A stopped scan names only what it has not given up on already.
        assert_eq!(reading.now(), ["quick.txt"]);
        drop(slow);
        assert_eq!(reading.held(), 0);
    }

    /// Starts a file's reading with `enter` on a thread of its own, and
    /// keeps it; the receiver hears once `enter` has returned, and the
    /// sender lets the reading end.
    fn elsewhere(
        reading: &Arc<Reading>,
        enter: impl for<'r> FnOnce(&'r Reading) -> ReadingGuard<'r> + Send + 'static,
    ) -> (mpsc::Receiver<()>, mpsc::Sender<()>) {
        let (entered_tx, entered) = mpsc::channel();
        let (leave, leave_rx) = mpsc::channel::<()>();
        let reading = Arc::clone(reading);
        std::thread::spawn(move || {
            let _reading = enter(&reading);
            let _ = entered_tx.send(());
            let _ = leave_rx.recv();
        });
        (entered, leave)
    }

    /// Enters `rel` as a large file, [`elsewhere`].
    fn large_elsewhere(
        reading: &Arc<Reading>,
        rel: &'static str,
    ) -> (mpsc::Receiver<()>, mpsc::Sender<()>) {
        elsewhere(reading, move |r| r.enter_large(rel))
    }

    const A_WHILE: Duration = Duration::from_millis(300);
    const AT_MOST: Duration = Duration::from_secs(30);

    /// Findings counted past a file's listing are filtered by the
    /// confidence asked for, as listed ones are, and summed by detector.
    #[test]
    fn unlisted_findings_are_counted_at_the_confidence_asked_for() {
        use crate::detect::Confidence;
        let as_of = Date::new(2026, 1, 1).unwrap();
        let prepared = prepare(None, None, as_of).unwrap();
        let stored = || StoredResult {
            format: "csv".into(),
            outcome: Outcome::Scanned,
            reason: Some("over --max-findings-per-file".into()),
            findings: Vec::new(),
            records: Vec::new(),
            members: Vec::new(),
            unlisted: {
                let mut unlisted = crate::extract::Unlisted::default();
                unlisted.count("email", Confidence::High, 4);
                unlisted.count("email", Confidence::Low, 2);
                unlisted.count("person_name", Confidence::Low, 3);
                unlisted.rows = 5;
                unlisted
            },
        };
        let mut opts = ScanOptions::new(vec![], as_of);
        let judged =
            |opts: &ScanOptions| judge(&prepared.classifier, None, opts, "a.csv", stored(), None);
        let all = judged(&opts);
        let by_detector = |pairs: &[(&str, u64)]| -> BTreeMap<String, u64> {
            pairs.iter().map(|(d, n)| (d.to_string(), *n)).collect()
        };
        assert_eq!(
            all.unlisted,
            by_detector(&[("email", 6), ("person_name", 3)])
        );
        assert_eq!(all.rows_not_judged, 5);
        opts.min_confidence = Confidence::Medium;
        assert_eq!(judged(&opts).unlisted, by_detector(&[("email", 4)]));
    }

    /// Enters `rel` and holds `bytes` read whole, [`elsewhere`].
    fn whole_elsewhere(
        reading: &Arc<Reading>,
        rel: &'static str,
        bytes: u64,
    ) -> (mpsc::Receiver<()>, mpsc::Sender<()>) {
        elsewhere(reading, move |r| {
            let being_read = r.enter(rel);
            crate::extract::WholeReads::hold(&being_read, bytes);
            being_read
        })
    }

    fn budget_of(bytes: u64, stop: Arc<AtomicBool>) -> Arc<Reading> {
        let mut reading = Reading::new(4, stop);
        reading.whole_budget = bytes;
        Arc::new(reading)
    }

    #[test]
    fn files_read_whole_wait_for_room_and_smaller_ones_fit_beside() {
        let reading = budget_of(1000, Arc::default());
        let (first, let_first_go) = whole_elsewhere(&reading, "a.pdf", 600);
        first.recv_timeout(AT_MOST).expect("room for the first");
        let (second, _let_second_go) = whole_elsewhere(&reading, "b.pdf", 600);
        assert!(
            second.recv_timeout(A_WHILE).is_err(),
            "no room beside the first"
        );
        let (third, _let_third_go) = whole_elsewhere(&reading, "c.html", 400);
        third.recv_timeout(AT_MOST).expect("room beside the first");
        drop(let_first_go);
        second
            .recv_timeout(AT_MOST)
            .expect("room once the first is read");
    }

    #[test]
    fn a_file_alone_may_pass_the_budget_and_one_holding_some_takes_more() {
        let reading = budget_of(1000, Arc::default());
        let being_read = reading.enter("big.eml");
        let whole: &dyn crate::extract::WholeReads = &being_read;
        // Alone: read, whatever its size.
        whole.hold(5000);
        // A PDF attached to it, read whole inside it: no wait on itself.
        whole.hold(700);
        whole.release(700);
        assert_eq!(reading.lock().whole, 5000);
        let (next, _let_next_go) = whole_elsewhere(&reading, "next.pdf", 10);
        assert!(next.recv_timeout(A_WHILE).is_err(), "no room beside it");
        drop(being_read);
        next.recv_timeout(AT_MOST)
            .expect("its bytes were given back");
    }

    #[test]
    fn a_file_given_up_on_gives_its_bytes_back_and_a_stopped_scan_waits_for_none() {
        let stop = Arc::new(AtomicBool::new(false));
        let reading = budget_of(1000, Arc::clone(&stop));
        let (stuck, _never) = whole_elsewhere(&reading, "stuck.pdf", 900);
        stuck.recv_timeout(AT_MOST).unwrap();
        let (next, _let_next_go) = whole_elsewhere(&reading, "next.pdf", 900);
        assert!(next.recv_timeout(A_WHILE).is_err());
        std::thread::sleep(Duration::from_millis(1100));
        assert_eq!(reading.overdue(Duration::from_secs(1)), ["stuck.pdf"]);
        next.recv_timeout(AT_MOST)
            .expect("the bytes of the file given up on are taken");
        let (last, _let_last_go) = whole_elsewhere(&reading, "last.pdf", 900);
        assert!(last.recv_timeout(A_WHILE).is_err());
        stop.store(true, Ordering::Relaxed);
        last.recv_timeout(AT_MOST)
            .expect("a stopped scan waits for no room");
    }

    #[test]
    fn large_files_wait_for_a_free_slot_and_small_ones_do_not() {
        let reading = Arc::new(Reading::new(2, Arc::default()));
        let (first, let_first_go) = large_elsewhere(&reading, "a.xlsx");
        let (second, _let_second_go) = large_elsewhere(&reading, "b.pdf");
        first.recv_timeout(AT_MOST).expect("a slot was free");
        second.recv_timeout(AT_MOST).expect("a slot was free");
        let (third, _let_third_go) = large_elsewhere(&reading, "c.docx");
        assert!(third.recv_timeout(A_WHILE).is_err(), "both slots are taken");
        // Small files are read meanwhile.
        drop(reading.enter("d.txt"));
        assert_eq!(reading.now(), ["a.xlsx", "b.pdf"]);
        drop(let_first_go);
        third
            .recv_timeout(AT_MOST)
            .expect("the slot freed is taken");
        assert_eq!(reading.now(), ["b.pdf", "c.docx"]);
    }

    #[test]
    fn a_large_file_given_up_on_frees_its_slot() {
        let reading = Arc::new(Reading::new(1, Arc::default()));
        let (stuck, _never) = large_elsewhere(&reading, "stuck.xlsx");
        stuck.recv_timeout(AT_MOST).unwrap();
        let (next, _let_next_go) = large_elsewhere(&reading, "next.xlsx");
        assert!(next.recv_timeout(A_WHILE).is_err());
        std::thread::sleep(Duration::from_millis(1100));
        assert_eq!(reading.overdue(Duration::from_secs(1)), ["stuck.xlsx"]);
        next.recv_timeout(AT_MOST)
            .expect("the slot of the file given up on is taken");
    }

    #[test]
    fn a_stopped_scan_waits_for_no_slot() {
        let stop = Arc::new(AtomicBool::new(false));
        let reading = Arc::new(Reading::new(1, Arc::clone(&stop)));
        let (first, _let_first_go) = large_elsewhere(&reading, "a.xlsx");
        first.recv_timeout(AT_MOST).unwrap();
        let (second, _let_second_go) = large_elsewhere(&reading, "b.xlsx");
        assert!(second.recv_timeout(A_WHILE).is_err());
        stop.store(true, Ordering::Relaxed);
        second
            .recv_timeout(AT_MOST)
            .expect("a stopped scan waits for no slot");
    }

    #[test]
    fn a_large_file_taken_up_inside_another_on_its_thread_does_not_wait_for_itself() {
        let reading = Arc::new(Reading::new(1, Arc::default()));
        let (done_tx, done) = mpsc::channel();
        {
            let reading = Arc::clone(&reading);
            std::thread::spawn(move || {
                let _outer = reading.enter_large("outer.zip");
                let _inner = reading.enter_large("inner.xlsx");
                let _ = done_tx.send(());
            });
        }
        done.recv_timeout(AT_MOST).expect("no wait on its own slot");
        // Both left: the one slot is free again.
        let (next, _let_next_go) = large_elsewhere(&reading, "next.pdf");
        next.recv_timeout(AT_MOST).expect("the slot came free");
    }

    #[test]
    fn the_pace_doubles_while_files_wait_on_an_idle_cpu_and_halves_back_when_busy() {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        // CPU time that keeps every core busy for `ms`.
        let busy = |ms: u64| Duration::from_millis(ms) * cores() as u32;
        let idle = Duration::from_millis(7);
        let mut pacer = Pacer::new(8, 32);
        assert_eq!(pacer.pace(8, at(0), || Some(idle), true), 8, "a first look");
        let not_asked = || unreachable!("the CPU time is asked for only when due");
        assert_eq!(pacer.pace(8, at(100), not_asked, true), 8, "too soon");
        assert_eq!(pacer.pace(8, at(500), || Some(idle), true), 16);
        assert_eq!(pacer.pace(16, at(1000), || Some(idle), true), 32);
        assert_eq!(pacer.pace(32, at(1500), || Some(idle), true), 32, "at most");
        // Nothing waits to be read: more workers would have nothing to do.
        assert_eq!(pacer.pace(32, at(2000), || Some(idle), false), 32);
        // Busy cores: back down, to the least.
        let cpu = idle + busy(500);
        assert_eq!(pacer.pace(32, at(2500), || Some(cpu), true), 16);
        let cpu = cpu + busy(500);
        assert_eq!(pacer.pace(16, at(3000), || Some(cpu), true), 8);
        let cpu = cpu + busy(500);
        assert_eq!(pacer.pace(8, at(3500), || Some(cpu), true), 8, "at least");
        // Between waiting and busy: as it is.
        let cpu = cpu + busy(300);
        assert_eq!(pacer.pace(8, at(4000), || Some(cpu), true), 8);
        // No CPU time to go by: as it is.
        assert_eq!(pacer.pace(8, at(5000), || None, true), 8);
    }

    #[test]
    fn a_parked_worker_is_woken_when_nothing_is_left_to_take_up() {
        let (tx, rx) = mpsc::sync_channel::<Vec<Entry>>(4);
        let shares = Arc::new(Shares::new(rx, 2));
        let entry = |rel: &str| Entry::Skipped {
            rel: rel.into(),
            reason: "test".into(),
        };
        tx.send(vec![entry("a.bin"), entry("b.bin")]).unwrap();
        drop(tx);
        let stop = AtomicBool::new(false);
        // Worker 0 takes the walk's batch up, and begins its first file.
        assert!(shares.next(0, &stop).is_some());
        let (woken_tx, woken) = mpsc::channel();
        {
            let shares = Arc::clone(&shares);
            std::thread::spawn(move || {
                shares.park(Duration::from_secs(3600));
                let _ = woken_tx.send(());
            });
        }
        assert!(woken.recv_timeout(A_WHILE).is_err(), "a file waits");
        // Worker 1 finds the walk done, and takes the last file from 0's
        // share.
        assert!(shares.next(1, &stop).is_some());
        woken
            .recv_timeout(AT_MOST)
            .expect("the last file taken up wakes the parked worker");
    }

    #[test]
    fn workers_past_the_helpers_wait_until_the_last_one_leaves() {
        let leaving = Arc::new(Leaving::new(3));
        // The first to run out of files helps: it is not held.
        leaving.enter().leave(1);
        let (left_tx, left) = mpsc::channel();
        {
            let leaving = Arc::clone(&leaving);
            std::thread::spawn(move || {
                leaving.enter().leave(1);
                let _ = left_tx.send(());
            });
        }
        assert!(left.recv_timeout(A_WHILE).is_err(), "one helper is enough");
        // The last one out, even unwinding (a bug of trawl's), lets it go.
        let unwound = catch_unwind(AssertUnwindSafe(|| {
            let _taking = leaving.enter();
            panic!("a bug");
        }));
        assert!(unwound.is_err());
        left.recv_timeout(AT_MOST)
            .expect("the last worker out lets the waiting one go");
    }

    #[test]
    fn files_being_read_are_named_until_their_reading_ends() {
        use std::sync::Barrier;
        let reading = Arc::new(Reading::new(2, Arc::default()));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap();
        let (entered, release, left) = (
            Arc::new(Barrier::new(3)),
            Arc::new(Barrier::new(3)),
            Arc::new(Barrier::new(3)),
        );
        for rel in ["b/slow.xlsx", "a/stuck.pdf"] {
            let (reading, entered, release, left) = (
                Arc::clone(&reading),
                Arc::clone(&entered),
                Arc::clone(&release),
                Arc::clone(&left),
            );
            pool.spawn(move || {
                {
                    let _reading = reading.enter(rel);
                    entered.wait();
                    release.wait();
                }
                left.wait();
            });
        }
        entered.wait();
        assert_eq!(reading.now(), ["a/stuck.pdf", "b/slow.xlsx"]);
        release.wait();
        left.wait();
        assert!(reading.now().is_empty());
        // Two files on one thread (one taken up while the other waits), the
        // inner one done first: the outer one is still named.
        {
            let _outer = reading.enter("big.txt");
            {
                let _inner = reading.enter("big.txt");
            }
            assert_eq!(reading.now(), ["big.txt"]);
        }
        assert!(reading.now().is_empty());
        // Unwound: no longer named.
        let unwound = std::panic::catch_unwind(AssertUnwindSafe(|| {
            let _reading = reading.enter("c.txt");
            panic!("a reader's bug");
        }));
        assert!(unwound.is_err());
        assert!(reading.now().is_empty());
    }

    /// The pace needs the process's CPU time: on Linux, macOS and Windows it
    /// is read, and counts work done on this thread.
    #[test]
    #[cfg(any(unix, windows))]
    fn the_process_cpu_time_is_read_and_grows_with_work() {
        let before = process_cpu_time().expect("CPU time readable here");
        // Busy until 50 ms of CPU time are counted (well above Windows'
        // 15.6 ms ticks), however loaded the machine: a clock that never
        // moves fails after 30 s of wall time.
        let started = std::time::Instant::now();
        let mut x = 1u64;
        let mut used = Duration::ZERO;
        while used < Duration::from_millis(50) && started.elapsed() < Duration::from_secs(30) {
            for i in 0..100_000u64 {
                x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(i));
            }
            used = process_cpu_time().unwrap().saturating_sub(before);
        }
        assert!(used >= Duration::from_millis(50), "{used:?} counted");
    }
}
