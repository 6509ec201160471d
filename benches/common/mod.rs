//! What the benches that scan with a state share.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use trawl::nightly::{scan_with_state, Log, StateOptions};
use trawl::report::{self, Format, Progress};
use trawl::scan::{prepare, ScanOptions};
use trawl::state::State;

struct NoLog;

impl Log for NoLog {
    fn line(&self, _: &str) {}
}

/// A nightly run over `share` with the state at `state`, as `trawl scan
/// --state` makes it (the state opened, the scan, the JSONL written, the
/// run recorded), timed whole. `walk_threads` as `ScanOptions` has it.
/// Returns the time, the files read, and the findings.
pub fn run_with_state(
    share: &Path,
    state: &Path,
    walk_threads: Option<usize>,
) -> (Duration, u64, u64) {
    let as_of = "2026-01-01".parse().unwrap();
    let prepared = prepare(None, None, as_of).unwrap();
    let mut opts = ScanOptions::new(vec![share.to_path_buf()], as_of);
    opts.walk_threads = walk_threads;
    let started = Instant::now();
    let mut state = State::open(state).unwrap();
    let (report, pending) = scan_with_state(
        &prepared,
        &opts,
        &Arc::new(Progress::new(false)),
        &mut state,
        StateOptions::default(),
        &NoLog,
    )
    .unwrap();
    report::write(&report, Format::Jsonl, &mut std::io::sink()).unwrap();
    pending.record(&mut state, &NoLog).unwrap();
    let elapsed = started.elapsed();
    let history = report.history.unwrap();
    (elapsed, history.files_read, report.summary.findings)
}
