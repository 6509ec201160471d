//! The `trawl` command line.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use jiff::civil::Date;

use trawl::classify::{policy::Policy, show, Classifier};
use trawl::detect::{Engine, Matcher, Rules};
use trawl::extract::Limits;
use trawl::report::{self, Format, Progress};
use trawl::scan::{scan, ScanOptions};

const EXIT_CODES: &str = "\
Exit codes:
  0  the scan completed and found nothing
  1  the scan completed with findings
  2  the scan could not run (bad arguments, unreadable rules, unwritable output)
  3  with --strict: some files could not be read (failed, encrypted, or no text)";

#[derive(Parser)]
#[command(name = "trawl", version, about = "Finds personal data where it should not be.", after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

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
    /// Write the output to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Include raw values in the output (they are masked otherwise).
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
    /// A rules directory (detectors.toml and its word lists) to use instead of the embedded rules.
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,
    /// A policy file (categories, processes, lawful bases, retention) to judge
    /// records by, instead of the embedded default (categories only).
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// The date the scan is judged at (YYYY-MM-DD): birth dates after it, or
    /// over 120 years before it, are implausible, and retention periods that
    /// end before it are past. Default: today.
    #[arg(long, value_name = "DATE")]
    as_of: Option<Date>,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// No progress or summary on stderr.
    #[arg(long, short)]
    quiet: bool,
    /// Exit 3 when any file could not be read.
    #[arg(long)]
    strict: bool,
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
    // A panic message can quote the text being read; never print it.
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("trawl: internal error{place}; the file being read is recorded as failed");
    }));
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => run_scan(args),
        Command::Rules(args) => run_rules(args).map(|()| ExitCode::SUCCESS),
        Command::Policy(PolicyCommand::Check(args)) => run_policy_check(args),
        Command::Policy(PolicyCommand::Show(args)) => run_policy_show(args),
        Command::Synth(args) => run_synth(args).map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("trawl: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run_scan(args: ScanArgs) -> Result<ExitCode> {
    for p in &args.paths {
        if std::fs::symlink_metadata(p).is_err() {
            bail!("{}: no such file or folder", p.display());
        }
    }
    if args.threads == Some(0) {
        bail!("--threads must be at least 1");
    }
    let rules = load_rules(&args.rules)?;
    let as_of = match args.as_of {
        Some(d) => d,
        None => jiff::Zoned::now().date(),
    };
    let policy = match &args.policy {
        Some(path) => {
            let (policy, checked) = Policy::load(path, &rules)?;
            if !args.quiet && !checked.warnings.is_empty() {
                eprint!("{}", checked.describe(&path.display().to_string()));
            }
            policy
        }
        None => Policy::embedded(&rules),
    };
    let classifier = Classifier::new(policy, &rules, as_of);
    let mut engine = Engine::new(rules, as_of)?;
    engine.set_record_columns(&classifier.policy.record_columns());
    // Open the output before scanning, so a bad --out fails fast.
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let opts = ScanOptions {
        roots: args.paths.clone(),
        excludes: args.exclude.clone(),
        follow: args.follow,
        max_file_size: args.max_file_size,
        reveal: args.reveal,
        threads: args.threads,
        as_of,
        limits: Limits::default(),
    };
    let progress = Progress::new(!args.quiet && std::io::stderr().is_terminal());
    let report = scan(&engine, &classifier, &opts, &progress)?;
    progress.finish();
    report::write(&report, args.format, &mut out)?;
    out.flush().context("writing the output")?;
    if !args.quiet {
        report::print_summary(&report.summary, progress.elapsed(), &mut std::io::stderr());
    }
    Ok(
        if args.strict
            && report.summary.files.unreadable() + report.summary.members.unreadable() > 0
        {
            ExitCode::from(3)
        } else if report.summary.findings > 0 {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        },
    )
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
            };
            writeln!(out, "{pattern}")?;
        } else {
            let what = match &d.matcher {
                Matcher::Pattern(_) => "pattern".to_string(),
                Matcher::Words { file, terms } => format!("{} terms from {file}", terms.len()),
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
            Some(p) if checked.errors.is_empty() => println!(
                "{name}: valid: {} categories, {} processes ({} warnings)",
                p.categories.len(),
                p.processes.len(),
                checked.warnings.len()
            ),
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
