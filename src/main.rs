//! The `trawl` command line.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use signal_hook::consts::{SIGINT, SIGTERM};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use jiff::civil::Date;

use trawl::audit;
use trawl::classify::{policy::Policy, show};
use trawl::detect::{Confidence, Matcher, Rules};
use trawl::extract::{findings_limit, Limits};
use trawl::nightly::{self, Log};
use trawl::report::manifest::{Manifest, ScanSpec};
use trawl::report::output::{PrivateFile, Readers};
use trawl::report::{self, Format, Outcome, Progress, ScanReport};
use trawl::scan::{prepare, scan, ScanOptions};
use trawl::state::{LockError, State};

const EXIT_CODES: &str = "\
Exit codes:
  0  the scan completed and found nothing
  1  the scan completed with findings
  2  the scan could not run (bad arguments, unreadable rules, unwritable output)
  3  with --strict: some files could not be read (failed, encrypted, or no text)
  4  with --state: another trawl run is using the state; nothing was done
  5  stopped by SIGINT or SIGTERM: the outputs are written, marked partial";

#[derive(Parser)]
#[command(name = "trawl", version, about = "Finds personal data where it should not be.", after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Made once a run: its size does not matter (and is over clippy's bound
// only where paths are larger, as on Windows).
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Scan files and folders for personal data.
    #[command(after_help = EXIT_CODES)]
    Scan(ScanArgs),
    /// Show the detectors in force, or their patterns (for other tools).
    Rules(RulesArgs),
    /// Check a policy file, or show it as a person reads it.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Write the HTML findings report from a scan saved with `--format json`.
    Report(ReportArgs),
    /// Scan the fixtures with their pinned policy and date, and compare the
    /// result with the expected one.
    #[command(after_help = AUDIT_CODES)]
    Audit(AuditArgs),
    /// Rerun the scan a manifest describes and prove the result identical,
    /// or show what changed.
    #[command(after_help = VERIFY_CODES)]
    Verify(VerifyArgs),
    /// List the runs recorded in a state file.
    History(HistoryArgs),
    /// What one run reported that another did not, and the reverse.
    Diff(DiffArgs),
    /// Record a DPO's decision on findings or records, by fingerprint.
    Triage(TriageArgs),
    /// Score every detector on the labelled corpus: precision, recall and
    /// F1, failing any below its threshold.
    #[command(after_help = EVAL_CODES)]
    Eval(EvalArgs),
    /// Write synthetic housing-office text with invented personal values
    /// (for benchmarks and tests).
    #[command(hide = true)]
    Synth(SynthArgs),
}

const POLICY_CHECK_CODES: &str = "\
Exit codes:
  0  every policy is valid (warnings are printed, and allowed)
  1  a policy has errors: each is printed as FILE:LINE: error: what is wrong
  2  a file could not be read, or the rules could not be loaded";

const AUDIT_CODES: &str = "\
Exit codes:
  0  pass: the findings, records and flags are exactly the expected ones
  1  fail: they differ (each difference is printed)
  2  the audit could not run (no pin file, unreadable policy or expected output)";

const EVAL_CODES: &str = "\
Exit codes:
  0  every detector reaches its F1 threshold
  1  one or more do not (marked FAIL)
  2  the evaluation could not run";

const VERIFY_CODES: &str = "\
Exit codes:
  0  identical: same files, rules, policy and output
  1  something changed (each change is printed)
  2  the manifest could not be read, or the scan could not run";

#[derive(Parser)]
struct ReportArgs {
    /// A scan saved with `trawl scan --format json --out SCAN.json`.
    scan: PathBuf,
    /// Where to write the HTML report.
    #[arg(long, value_name = "FILE", required = true)]
    html: PathBuf,
}

#[derive(Parser)]
struct AuditArgs {
    /// The fixture tree; its pins are in DIR/expected/audit.toml.
    #[arg(default_value = "fixtures")]
    dir: PathBuf,
    /// Where to write the manifest of the audit's scan.
    #[arg(long, value_name = "FILE", default_value = "audit-manifest.json")]
    manifest: PathBuf,
    /// Files read at once (default: paced, as for `trawl scan`). The
    /// result must not depend on it.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

#[derive(Parser)]
struct EvalArgs {
    /// The corpus's seed: another seed, another corpus of the same kinds.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Keep the corpus and its truth (`truth.jsonl`) in DIR, which must not
    /// exist yet; by default they go in a temporary folder.
    #[arg(long, value_name = "DIR")]
    keep: Option<PathBuf>,
    /// Rules to score instead of the embedded ones.
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,
    /// The operating point: the lowest confidence counted as reported.
    #[arg(long, value_name = "LEVEL", default_value = "medium")]
    min_confidence: Confidence,
    /// Print the scores as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Parser)]
struct VerifyArgs {
    /// A manifest written by `trawl scan --manifest` or `trawl audit`. Run
    /// from the directory the scan was run from: its paths are as given then.
    manifest: PathBuf,
    /// Files read at once (default: paced, as for `trawl scan`). The
    /// result must not depend on it.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

#[derive(Parser)]
struct HistoryArgs {
    /// The state file (`trawl scan --state`).
    #[arg(long, value_name = "FILE", required = true)]
    state: PathBuf,
    /// `text` for people, `json` for tools.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    format: ListFormat,
}

#[derive(Parser)]
struct DiffArgs {
    /// The earlier run (see `trawl history`).
    run_a: i64,
    /// The later run.
    run_b: i64,
    /// The state file (`trawl scan --state`).
    #[arg(long, value_name = "FILE", required = true)]
    state: PathBuf,
    /// `text` for people, `json` for tools.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    format: ListFormat,
}

#[derive(Parser)]
struct TriageArgs {
    /// Fingerprints of findings or records, from a report.
    #[arg(required = true)]
    fingerprints: Vec<String>,
    /// The state file (`trawl scan --state`) the decision is kept in.
    #[arg(long, value_name = "FILE", required = true)]
    state: PathBuf,
    #[arg(long, value_enum)]
    status: TriageStatus,
    /// Why: kept with the decision and shown in reports.
    #[arg(long, required = true)]
    note: String,
    /// Who decided.
    #[arg(long, required = true)]
    by: String,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum TriageStatus {
    /// Not personal data after all.
    #[value(name = "false_positive", alias = "false-positive")]
    FalsePositive,
    /// Personal data, held knowingly: a risk accepted.
    Accepted,
    /// Dealt with (deleted, moved, given a basis).
    Resolved,
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Validate policy files: unknown categories, detectors or bases, bad
    /// periods, processes that match nothing, each with its line.
    #[command(after_help = POLICY_CHECK_CODES)]
    Check(PolicyArgs),
    /// Print a policy as a person reads it (the embedded default without FILE).
    Show(PolicyShowArgs),
}

#[derive(Parser)]
struct PolicyArgs {
    /// Policy files (TOML).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Check detector names against this rules directory instead of the embedded rules.
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,
    /// Also scan DIR (repeatable) and say how many records each process
    /// claims there, warning of processes that claim none.
    #[arg(long, value_name = "DIR")]
    against: Vec<PathBuf>,
}

#[derive(Parser)]
struct PolicyShowArgs {
    /// A policy file (TOML); the embedded default policy without it.
    file: Option<PathBuf>,
    /// Check detector names against this rules directory instead of the embedded rules.
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,
}

#[derive(Parser)]
struct SynthArgs {
    /// About how many bytes to write.
    #[arg(long, default_value = "10M", value_parser = parse_size)]
    bytes: u64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// A personal value on about one line in N.
    #[arg(long, default_value_t = 4)]
    one_in: u64,
}

#[derive(Parser)]
struct ScanArgs {
    /// Files or folders to scan.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    format: Format,
    /// Write the output to FILE instead of stdout (owner-only, atomically).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Also write the HTML findings report to FILE (always masked).
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Also write a manifest to FILE: the rules', policy's and every file's
    /// SHA-256 and a digest of the output, for `trawl verify`.
    #[arg(long, value_name = "FILE")]
    manifest: Option<PathBuf>,
    /// Include raw values in the output (they are masked otherwise, and
    /// always in the HTML report).
    #[arg(long)]
    reveal: bool,
    /// Exclude paths matching GLOB (repeatable): `*.bak` matches any name,
    /// `archive/**` a path below the root. `.trawlignore` files also exclude.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// Follow symbolic links (loops are detected and reported).
    #[arg(long)]
    follow: bool,
    /// Skip files larger than this, recording why (e.g. 500M, 4G).
    #[arg(long, value_name = "SIZE", default_value = "4G", value_parser = parse_size)]
    max_file_size: u64,
    /// Findings listed for one file (its archive members and attachments
    /// included); past it they are counted by detector, not listed, and the
    /// file's line says so. 0: no limit.
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_findings)]
    max_findings_per_file: u64,
    /// A rules directory (detectors.toml and its word lists) to use instead of the embedded rules.
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,
    /// A policy file (categories, processes, lawful bases, retention) to judge
    /// records by, instead of the embedded default (categories only).
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// The date the scan is judged at (YYYY-MM-DD): birth dates after it, or
    /// over 120 years before it, are implausible, and retention periods that
    /// end before it are past. Default: today. A pinned date also leaves the
    /// run's start and end times out, so outputs repeat byte for byte.
    #[arg(long, value_name = "DATE")]
    as_of: Option<Date>,
    /// Files read at once (default: four a core, more while the CPU mostly
    /// waits with files left to read, as on a share over a slow link, up to
    /// sixteen a core or 64). Files over 256 KiB are read one a core at
    /// most, whatever N is.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// No progress or summary on stderr.
    #[arg(long, short)]
    quiet: bool,
    /// Exit 3 when any file could not be read.
    #[arg(long)]
    strict: bool,
    /// Keep state in FILE (SQLite) between runs: read only new or changed
    /// files, mark what is new and resolved, apply triage decisions.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Write --out, --html and --manifest readable by their group too
    /// (mode 0640, not 0600): for a DPO in the report folder's group. Never
    /// by everyone.
    #[arg(long)]
    group_readable: bool,
    /// With --state: compare content hashes even when size and time are
    /// unchanged.
    #[arg(long, requires = "state")]
    rehash: bool,
    /// With --state: scan roots other than those the state last followed
    /// (a share mounted elsewhere, a root added or dropped), and take a
    /// share once mounted below a root, and no longer, a root now empty, or
    /// files excluded since, for gone. Without it, such a run is refused,
    /// and such a share, root or file reported not scanned: the state's
    /// files would all be taken for removed and their findings resolved.
    #[arg(long, requires = "state")]
    roots_changed: bool,
    /// Append a plain log of the run to FILE (no values, masked or raw).
    #[arg(long, value_name = "FILE")]
    log: Option<PathBuf>,
    /// With --log, write how far the run has got (files done, megabytes,
    /// findings) every SECONDS: a long unattended run is seen to be moving.
    #[arg(long, value_name = "SECONDS", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(1..))]
    log_every: u64,
    /// After SIGINT or SIGTERM, how many seconds files already being read
    /// may take to finish; any still being read then are abandoned, named in
    /// the partial report, and read again next time. Keep it under a
    /// service manager's stop timeout (systemd's is 90 s).
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    stop_grace: u64,
    /// How many seconds one file may take to read (0: no limit). A file
    /// still being read then is abandoned, listed as not read with why, and
    /// read again next run, and the scan goes on; if every worker is held
    /// so, or the walk has not moved for as long (a share that stopped
    /// answering), the scan stops as after SIGTERM; a root that does not
    /// answer for as long when the scan begins is listed as not read, and
    /// the other roots scanned. A stuck reader or share then cannot hold a
    /// nightly run (and its state's lock) for ever.
    #[arg(long, value_name = "SECONDS", default_value_t = 900)]
    file_timeout: u64,
    /// List suppressed findings and records, with why, instead of only
    /// counting them.
    #[arg(long)]
    show_suppressed: bool,
    /// Report only findings of this confidence or higher (low, medium,
    /// high): low reports every mention; high only values with their
    /// check and their context. Records are judged on what is reported.
    #[arg(long, value_name = "LEVEL", default_value = "low")]
    min_confidence: Confidence,
}

#[derive(Parser)]
struct RulesArgs {
    /// Print each detector's regex, one a line (word lists as escaped alternations), for use with `rg -f`.
    #[arg(long)]
    patterns: bool,
    /// A rules directory instead of the embedded rules.
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,
}

fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (digits, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = digits.parse().map_err(|_| format!("not a size: {s:?}"))?;
    let mult: u64 = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        "T" | "TB" | "TIB" => 1 << 40,
        other => return Err(format!("unknown size unit {other:?} (use K, M, G or T)")),
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("size too large: {s:?}"))
}

fn load_rules(dir: &Option<PathBuf>) -> Result<Rules> {
    match dir {
        Some(d) => Rules::from_dir(d),
        None => Rules::embedded(),
    }
}

fn main() -> ExitCode {
    // Piped into `head`, stop quietly as other tools do, rather than fail
    // on a closed pipe.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // A panic message can quote the text being read; never print it.
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("trawl: internal error{place}; the file being read is recorded as failed");
    }));
    let cli = Cli::parse();
    let state = match &cli.command {
        Command::Scan(args) => args.state.clone(),
        Command::History(args) => Some(args.state.clone()),
        Command::Diff(args) => Some(args.state.clone()),
        Command::Triage(args) => Some(args.state.clone()),
        _ => None,
    };
    let result = match cli.command {
        Command::Scan(args) => run_scan(args),
        Command::Rules(args) => run_rules(args).map(|()| ExitCode::SUCCESS),
        Command::Policy(PolicyCommand::Check(args)) => run_policy_check(args),
        Command::Policy(PolicyCommand::Show(args)) => run_policy_show(args),
        Command::Report(args) => run_report(args),
        Command::Audit(args) => run_audit(args),
        Command::Verify(args) => run_verify(args),
        Command::History(args) => run_history(args),
        Command::Diff(args) => run_diff(args),
        Command::Triage(args) => run_triage(args),
        Command::Eval(args) => run_eval(args),
        Command::Synth(args) => run_synth(args).map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("trawl: {e:#}");
            // Damage found past the first look (a page of the state's
            // files or history): said as plainly as damage found on opening
            // it (which says so itself, SQLite's error not in its chain).
            if let Some(state) = state.filter(|_| trawl::state::is_damage(&e)) {
                eprintln!("trawl: {}", trawl::state::damaged(&state));
            }
            if e.downcast_ref::<LockError>().is_some() {
                ExitCode::from(4)
            } else {
                ExitCode::from(2)
            }
        }
    }
}

fn run_scan(args: ScanArgs) -> Result<ExitCode> {
    let file_timeout =
        (args.file_timeout > 0).then(|| std::time::Duration::from_secs(args.file_timeout));
    // A root on a share that stopped answering must not hold the run here,
    // before any watch is kept on it: it is reported as not read instead.
    let seen = trawl::walk::look_at_roots(&args.paths, file_timeout);
    if let Some(p) = seen.missing.first() {
        bail!("{}: no such file or folder", p.display());
    }
    if args.threads == Some(0) {
        bail!("--threads must be at least 1");
    }
    if let Some(n) = args.threads {
        // Work outside the scan (writing the output in parallel) keeps to
        // as many threads, or the cores if fewer: it is all CPU.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.min(trawl::scan::cores()))
            .build_global();
    }
    let as_of = match args.as_of {
        Some(d) => d,
        None => jiff::Zoned::now().date(),
    };
    let log = FileLog::open(args.log.as_deref())?;
    let prepared = prepare(args.rules.as_deref(), args.policy.as_deref(), as_of)?;
    if !args.quiet {
        eprint!("{}", prepared.policy_warnings);
    }
    // Open (and lock) the state before anything is written.
    let mut state = args.state.as_deref().map(State::open).transpose()?;
    // The first SIGINT or SIGTERM stops the scan cleanly; a second ends
    // trawl at once (the state survives that too: SQLite transactions).
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [SIGINT, SIGTERM] {
        signal_hook::flag::register_conditional_shutdown(signal, 128 + signal, Arc::clone(&stop))
            .context("installing the signal handler")?;
        signal_hook::flag::register(signal, Arc::clone(&stop))
            .context("installing the signal handler")?;
    }
    // Create every output before scanning, so a bad path fails fast; each
    // appears, whole, only when the scan is done.
    let readers = if args.group_readable {
        Readers::OwnerAndGroup
    } else {
        Readers::Owner
    };
    let create = |path: &Path| PrivateFile::create_for(path, readers);
    let out = args.out.as_deref().map(create).transpose()?;
    let html = args.html.as_deref().map(create).transpose()?;
    let manifest = args.manifest.as_deref().map(create).transpose()?;
    let opts = ScanOptions {
        roots: args.paths.clone(),
        excludes: args.exclude.clone(),
        follow: args.follow,
        max_file_size: args.max_file_size,
        reveal: args.reveal,
        threads: args.threads,
        walk_threads: None,
        as_of,
        limits: Limits {
            max_findings: findings_limit(args.max_findings_per_file),
            ..Limits::default()
        },
        record_times: args.as_of.is_none(),
        hash_files: manifest.is_some(),
        stop: Some(Arc::clone(&stop)),
        stop_grace: std::time::Duration::from_secs(args.stop_grace),
        file_timeout,
        show_suppressed: args.show_suppressed,
        min_confidence: args.min_confidence,
        own_files: own_files(&args, &seen.silent),
        silent_roots: seen.silent,
    };
    log.line(&format!(
        "scan started: {} (policy {}, as of {as_of}{})",
        opts.roots
            .iter()
            .map(|r| r.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        prepared.classifier.policy.origin,
        args.state
            .as_ref()
            .map(|s| format!(", state {}", s.display()))
            .unwrap_or_default()
    ));
    let progress = Arc::new(Progress::new(
        !args.quiet && std::io::stderr().is_terminal(),
    ));
    let result = std::thread::scope(|threads| {
        // The log's word every --log-every seconds until the scan is done.
        let (done, wait) = std::sync::mpsc::channel::<()>();
        if log.is_on() {
            let (log, progress) = (&log, &progress);
            let every = std::time::Duration::from_secs(args.log_every);
            threads.spawn(move || {
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(every)
                {
                    log.line(&progress.so_far());
                }
            });
        }
        let result = match state.as_mut() {
            Some(state) => {
                let how = nightly::StateOptions {
                    rehash: args.rehash,
                    roots_changed: args.roots_changed,
                };
                nightly::scan_with_state(&prepared, &opts, &progress, state, how, &log)
                    .map(|(report, pending)| (report, Some(pending)))
            }
            None => {
                scan(&prepared.engine, &prepared.classifier, &opts, &progress).map(|r| (r, None))
            }
        };
        drop(done);
        result
    });
    progress.finish();
    let (report, pending) = match result {
        Ok(r) => r,
        Err(e) => {
            log.line(&format!("scan failed: {e:#}"));
            return Err(e);
        }
    };
    for e in &report.errors {
        if e.status.is_unreadable() {
            log.line(&format!("not read: {}: {}: {}", e.path, e.status, e.reason));
        }
    }
    if report.partial {
        log.line("stopped before every file was read (by a signal, or with every worker held by a file past --file-timeout): the outputs are partial");
    }
    let written = write_outputs(&report, &args, as_of, out, html, manifest, &opts.own_files);
    // The run is recorded as done only once what it found has been told.
    if let (Some(pending), Some(state)) = (pending, state.as_mut()) {
        match &written {
            Ok(()) => pending.record(state, &log)?,
            Err(e) => {
                log.line(&format!("writing the outputs failed: {e:#}"));
                pending.fail(state, &log)?;
            }
        }
    }
    written?;
    if !args.quiet {
        report::print_summary(&report.summary, progress.elapsed(), &mut std::io::stderr());
        if let Some(history) = &report.history {
            report::print_history(history, &mut std::io::stderr());
        }
        if report.partial {
            eprintln!(
                "trawl: stopped early (a signal, or every worker held past --file-timeout); the outputs cover only the files scanned so far"
            );
        }
    }
    log.line(&format!(
        "scan {}: {} files, {} findings, {} records flagged, {} not readable, in {:.1} s",
        if report.partial {
            "stopped"
        } else {
            "finished"
        },
        report.summary.files_seen,
        report.summary.findings,
        report.summary.records_flagged,
        report.summary.files.unreadable() + report.summary.members.unreadable(),
        progress.elapsed().as_secs_f64()
    ));
    let code = if report.partial {
        ExitCode::from(5)
    } else if args.strict
        && report.summary.files.unreadable() + report.summary.members.unreadable() > 0
    {
        ExitCode::from(3)
    } else if report.summary.findings > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    // The process ends here: its memory goes back whole. Freeing a large
    // scan's findings one by one took a rescan of 100,000 files longer than
    // sorting them.
    std::mem::forget(report);
    Ok(code)
}

/// Writes the scan's output (to `out`, or stdout), HTML report and manifest,
/// each appearing whole or not at all.
fn write_outputs(
    report: &ScanReport,
    args: &ScanArgs,
    as_of: Date,
    out: Option<PrivateFile>,
    html: Option<PrivateFile>,
    manifest: Option<PrivateFile>,
    own: &trawl::walk::OwnFiles,
) -> Result<()> {
    match out {
        Some(mut file) => {
            report::write(report, args.format, file.writer())?;
            file.commit()?;
        }
        None => {
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            report::write(report, args.format, &mut stdout)?;
            stdout.flush().context("writing the output")?;
        }
    }
    if let Some(mut file) = html {
        report::write_html(report, file.writer())?;
        file.commit()?;
    }
    if let Some(mut file) = manifest {
        let spec = ScanSpec {
            roots: report.roots.clone(),
            excludes: args.exclude.clone(),
            follow: args.follow,
            max_file_size: args.max_file_size,
            max_findings_per_file: args.max_findings_per_file,
            rules: args.rules.as_ref().map(|p| p.display().to_string()),
            policy: args.policy.as_ref().map(|p| p.display().to_string()),
            as_of: as_of.to_string(),
            min_confidence: args.min_confidence,
            own_files: own.for_rerun(&args.paths, |rel| {
                report
                    .errors
                    .iter()
                    .any(|e| e.path == rel && e.status == Outcome::Skipped)
            }),
        };
        Manifest::new(report, spec)?.write(file.writer())?;
        file.commit()?;
    }
    Ok(())
}

/// What this run writes: its outputs, its state (with SQLite's files
/// beside it, and the lock) and its log; skipped where a root holds them.
fn own_files(args: &ScanArgs, silent: &[PathBuf]) -> trawl::walk::OwnFiles {
    use trawl::walk::OwnFile;
    let file = |path: &Path, what, staged| OwnFile {
        path: path.to_path_buf(),
        what,
        staged,
    };
    let mut files = Vec::new();
    for (path, what) in [
        (&args.out, "output"),
        (&args.html, "HTML report"),
        (&args.manifest, "manifest"),
    ] {
        files.extend(path.as_deref().map(|p| file(p, what, true)));
    }
    files.extend(args.log.as_deref().map(|p| file(p, "log", false)));
    if let Some(state) = &args.state {
        files.push(file(state, "state", false));
        for beside in trawl::state::files_beside(state) {
            files.push(file(&beside, "state", false));
        }
    }
    trawl::walk::OwnFiles::new(&args.paths, silent, &files)
}

fn run_report(args: ReportArgs) -> Result<ExitCode> {
    let text = std::fs::read_to_string(&args.scan)
        .with_context(|| format!("cannot read {}", args.scan.display()))?;
    let report: ScanReport = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a scan saved with `trawl scan --format json`",
            args.scan.display()
        )
    })?;
    report::output::write_private(&args.html, |out| report::write_html(&report, out))?;
    Ok(ExitCode::SUCCESS)
}

fn run_audit(args: AuditArgs) -> Result<ExitCode> {
    let outcome = audit::audit(&args.dir, args.threads)?;
    print!("{}", outcome.describe());
    report::output::write_private(&args.manifest, |out| outcome.manifest.write(out))?;
    println!("manifest: {}", args.manifest.display());
    Ok(if outcome.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn run_eval(args: EvalArgs) -> Result<ExitCode> {
    let corpus = trawl::eval::corpus::generate(args.seed);
    let temp;
    let dir = match &args.keep {
        Some(dir) => {
            if dir.exists() {
                bail!("{} exists: --keep writes a new folder", dir.display());
            }
            dir.clone()
        }
        None => {
            temp = tempfile::tempdir().context("creating a temporary folder")?;
            temp.path().to_path_buf()
        }
    };
    trawl::eval::write_corpus(&corpus, &dir)?;
    let as_of: Date = "2026-01-01".parse()?;
    let prepared = prepare(args.rules.as_deref(), None, as_of)?;
    let scores = trawl::eval::evaluate(&prepared, &dir, &corpus.truth, args.min_confidence)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&scores)?);
    } else {
        print!("{}", trawl::eval::table(&scores, args.min_confidence));
    }
    if args.keep.is_some() {
        eprintln!("corpus and truth kept in {}", dir.display());
    }
    Ok(if scores.iter().all(|s| s.passes()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn run_verify(args: VerifyArgs) -> Result<ExitCode> {
    let text = std::fs::read_to_string(&args.manifest)
        .with_context(|| format!("cannot read {}", args.manifest.display()))?;
    let earlier = Manifest::read(&text).with_context(|| format!("{}", args.manifest.display()))?;
    let now = audit::rerun(&earlier.scan, args.threads)?;
    let differences = now.differences(&earlier);
    if now.trawl_version != earlier.trawl_version {
        println!(
            "note: the manifest was written by trawl {}, this is trawl {}",
            earlier.trawl_version, now.trawl_version
        );
    }
    if differences.is_empty() {
        println!(
            "IDENTICAL: {} files, {} findings, {} records ({} flagged); output SHA-256 {}",
            now.files.len(),
            now.findings,
            now.records,
            now.records_flagged,
            now.output_sha256
        );
        Ok(ExitCode::SUCCESS)
    } else {
        println!("CHANGED: {} differences", differences.len());
        for d in &differences {
            println!("  {d}");
        }
        Ok(ExitCode::from(1))
    }
}

fn run_rules(args: RulesArgs) -> Result<()> {
    let rules = load_rules(&args.rules)?;
    let mut out = std::io::stdout().lock();
    for d in &rules.detectors {
        if args.patterns {
            let pattern = match &d.matcher {
                Matcher::Pattern(p) => p.clone(),
                Matcher::Words { terms, .. } => format!(
                    "(?i)\\b(?:{})\\b",
                    terms
                        .iter()
                        .map(|t| regex::escape(t))
                        .collect::<Vec<_>>()
                        .join("|")
                ),
                // Nothing a yardstick could search for.
                Matcher::Fields => continue,
            };
            writeln!(out, "{pattern}")?;
        } else {
            let what = match &d.matcher {
                Matcher::Pattern(_) => "pattern".to_string(),
                Matcher::Words { file, terms } => format!("{} terms from {file}", terms.len()),
                Matcher::Fields => "columns and labels".to_string(),
            };
            writeln!(
                out,
                "{:<16} {:<26} {:<16} {what}",
                d.id,
                d.category,
                d.validator.map(|_| "validated").unwrap_or("-")
            )?;
        }
    }
    Ok(())
}

fn run_policy_check(args: PolicyArgs) -> Result<ExitCode> {
    let rules = load_rules(&args.rules)?;
    let mut invalid = false;
    for file in &args.files {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read policy {}", file.display()))?;
        let name = file.display().to_string();
        let (policy, checked) = Policy::parse(&name, &text, &rules);
        eprint!("{}", checked.describe(&name));
        match policy {
            Some(p) if checked.errors.is_empty() => {
                println!(
                    "{name}: valid: {} categories, {} processes ({} warnings)",
                    p.categories.len(),
                    p.processes.len(),
                    checked.warnings.len()
                );
                if !args.against.is_empty() {
                    check_against(file, &p, &args)?;
                }
            }
            _ => {
                invalid = true;
                println!("{name}: INVALID: {} errors", checked.errors.len());
            }
        }
    }
    Ok(if invalid {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Scans the `--against` folders under the policy and reports what each
/// process claims there: a process that claims nothing is misdescribed, or
/// describes data that is not there.
fn check_against(file: &Path, policy: &Policy, args: &PolicyArgs) -> Result<()> {
    for dir in &args.against {
        if std::fs::symlink_metadata(dir).is_err() {
            bail!("{}: no such file or folder", dir.display());
        }
    }
    let as_of = jiff::Zoned::now().date();
    let prepared = prepare(args.rules.as_deref(), Some(file), as_of)?;
    let opts = ScanOptions::new(args.against.clone(), as_of);
    let report = prepared.scan_quietly(&opts)?;
    let mut claimed: std::collections::BTreeMap<&str, u64> = std::collections::BTreeMap::new();
    let mut unclaimed = 0;
    for r in &report.records {
        match &r.process {
            Some(p) => *claimed.entry(p.as_str()).or_default() += 1,
            None => unclaimed += u64::from(r.personal),
        }
    }
    let name = file.display();
    let dirs = args
        .against
        .iter()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    println!(
        "{name}: against {dirs}: {} records hold findings, {} of them personal data that no process claims",
        report.records.len(),
        unclaimed
    );
    for p in &policy.processes {
        match claimed.get(p.id.as_str()) {
            Some(n) => println!("  {:<20} claims {n} records", p.id),
            None => eprintln!(
                "{name}: warning: process {:?} claims no record holding findings under {dirs}: check its match rules",
                p.id
            ),
        }
    }
    Ok(())
}

fn run_policy_show(args: PolicyShowArgs) -> Result<ExitCode> {
    let rules = load_rules(&args.rules)?;
    let policy = match &args.file {
        Some(path) => Policy::load(path, &rules)?.0,
        None => Policy::embedded(&rules),
    };
    print!("{}", show::describe(&policy));
    Ok(ExitCode::SUCCESS)
}

fn run_synth(args: SynthArgs) -> Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // In pieces, so a large corpus never sits in memory whole.
    const PIECE: u64 = 8 << 20;
    let mut written = 0;
    let mut seed = args.seed;
    while written < args.bytes {
        let text = trawl::synth::mixed_text(
            (args.bytes - written).min(PIECE) as usize,
            seed,
            args.one_in.max(1),
        );
        out.write_all(text.as_bytes())?;
        written += text.len() as u64;
        seed = seed.wrapping_add(1);
    }
    out.flush()?;
    Ok(())
}

/// `--log FILE`: one line a message, with the time, appended. Messages name
/// files and counts, never values.
struct FileLog(Option<Mutex<std::fs::File>>);

impl FileLog {
    fn open(path: Option<&Path>) -> Result<FileLog> {
        let Some(path) = path else {
            return Ok(FileLog(None));
        };
        let mut options = std::fs::OpenOptions::new();
        options.create(true).append(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options
            .open(path)
            .with_context(|| format!("cannot write the log {}", path.display()))?;
        Ok(FileLog(Some(Mutex::new(file))))
    }

    fn is_on(&self) -> bool {
        self.0.is_some()
    }
}

impl Log for FileLog {
    fn line(&self, message: &str) {
        if let Some(file) = &self.0 {
            if let Ok(mut f) = file.lock() {
                // One line a message, whatever the names in it hold.
                let _ = writeln!(
                    f,
                    "{} trawl[{}]: {}",
                    jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ"),
                    std::process::id(),
                    report::printable(message)
                );
            }
        }
    }
}

fn run_history(args: HistoryArgs) -> Result<ExitCode> {
    let state = State::open_read_only(&args.state)?;
    let runs = state.runs()?;
    let mut out = std::io::stdout().lock();
    match args.format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &runs)?;
            writeln!(out)?;
        }
        ListFormat::Text => {
            writeln!(
                out,
                "{:>5}  {:<20}  {:<11}  {:>8}  {:>8}  {:>8}  {:>8}  {:>8}  {:>6}  {:>8}  {:>8}  {:<8}  policy",
                "run",
                "started",
                "outcome",
                "files",
                "read",
                "removed",
                "findings",
                "flagged",
                "new",
                "resolved",
                "seconds",
                "rules",
            )?;
            // The first hex digits of each SHA-256, as the manifest gives
            // it: enough to see which runs judged alike, and to match one.
            let short = |sha: &Option<String>| {
                sha.as_deref()
                    .map_or("-".to_string(), |s| s.chars().take(8).collect())
            };
            for r in &runs {
                writeln!(
                    out,
                    "{:>5}  {:<20}  {:<11}  {:>8}  {:>8}  {:>8}  {:>8}  {:>8}  {:>6}  {:>8}  {:>8.1}  {:<8}  {}",
                    r.run,
                    r.started,
                    r.outcome,
                    r.files_seen,
                    r.files_read,
                    r.files_removed,
                    r.findings,
                    r.records_flagged,
                    r.new,
                    r.resolved,
                    r.duration_ms as f64 / 1000.0,
                    short(&r.rules_sha256),
                    short(&r.policy_sha256)
                )?;
            }
            if runs.is_empty() {
                writeln!(out, "no runs yet")?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run_diff(args: DiffArgs) -> Result<ExitCode> {
    let state = State::open_read_only(&args.state)?;
    let trawl::state::Diff {
        new,
        resolved,
        moved,
        changed,
    } = state.diff(args.run_a, args.run_b)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        ListFormat::Json => {
            let moved: Vec<_> = moved
                .iter()
                .map(|(was, now)| serde_json::json!({"from": was, "to": now}))
                .collect();
            serde_json::to_writer_pretty(
                &mut out,
                &serde_json::json!({
                    "from": args.run_a, "to": args.run_b, "new": new, "resolved": resolved, "moved": moved,
                    "rules_changed": changed.rules, "policy_changed": changed.policy,
                }),
            )?;
            writeln!(out)?;
        }
        ListFormat::Text => {
            let differ = match (changed.rules, changed.policy) {
                (true, true) => "; they judged by other rules and another policy",
                (true, false) => "; they judged by other rules",
                (false, true) => "; they judged by another policy",
                (false, false) => "",
            };
            writeln!(
                out,
                "run {} → run {}: {} new, {} resolved, {} moved with their files{differ}",
                args.run_a,
                args.run_b,
                new.len(),
                resolved.len(),
                moved.len()
            )?;
            for c in &new {
                let (path, label) = (report::printable(&c.path), report::printable(&c.label));
                writeln!(out, "+ {} {path} · {label}", c.kind.as_str())?;
            }
            for c in &resolved {
                let (path, label) = (report::printable(&c.path), report::printable(&c.label));
                writeln!(out, "- {} {path} · {label}", c.kind.as_str())?;
            }
            for (was, now) in &moved {
                let (from, to) = (report::printable(&was.path), report::printable(&now.path));
                let label = report::printable(&now.label);
                writeln!(out, "> {} {from} → {to} · {label}", now.kind.as_str())?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run_triage(args: TriageArgs) -> Result<ExitCode> {
    for fp in &args.fingerprints {
        if fp.len() != 32 || !fp.bytes().all(|b| b.is_ascii_hexdigit()) {
            bail!("{fp:?} is not a fingerprint (32 hexadecimal digits, from a report's `fingerprint`)");
        }
    }
    if args.note.trim().is_empty() || args.by.trim().is_empty() {
        bail!("a decision needs a --note saying why and a --by saying who");
    }
    let (mut state, run_under_way) = State::open_for_decisions(&args.state)?;
    let decision = trawl::report::Triage {
        status: match args.status {
            TriageStatus::FalsePositive => "false_positive",
            TriageStatus::Accepted => "accepted",
            TriageStatus::Resolved => "resolved",
        }
        .to_string(),
        note: args.note.trim().to_string(),
        by: args.by.trim().to_string(),
        at: jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string(),
    };
    let fingerprints: Vec<String> = args
        .fingerprints
        .iter()
        .map(|f| f.to_ascii_lowercase())
        .collect();
    let decided = state.triage(&fingerprints, &decision)?;
    println!(
        "recorded {} for {} fingerprint{} (by {}, {})",
        decision.status,
        fingerprints.len(),
        if fingerprints.len() == 1 { "" } else { "s" },
        decision.by,
        decision.at
    );
    if run_under_way {
        eprintln!(
            "trawl: note: a run is under way on this state; the decision applies from the next run"
        );
    }
    for fp in &decided.unknown {
        eprintln!("trawl: note: no run has reported {fp} yet; the decision applies when one does");
    }
    for (fp, path) in &decided.moved {
        eprintln!(
            "trawl: note: {fp} moved with its file to {} since; the decision applies there too",
            report::printable(path)
        );
    }
    Ok(ExitCode::SUCCESS)
}
