//! Nightly rescans: the first scan of a tree of 100,000 small files with a
//! fresh `--state`, against a rescan of the same, unchanged tree. Prints
//! the medians and their ratio, for two trees: plain text notes of about
//! 4 KB (the cheapest files to read, so the hardest case for a rescan to
//! beat), and Word documents of the same text (what a housing office's
//! share mostly holds).
//!
//! Beside them, as yardsticks, the least a rescan that trusts no change
//! journal must do: list every folder and read every file's metadata, on
//! one thread, and in parallel as trawl's walk does it.
//!
//! `cargo bench --bench rescan` (the trees are generated once, in
//! `target/bench-rescan/`; set TRAWL_RESCAN_FILES for another size). Not
//! criterion: one first scan takes seconds, and the ratio is the figure.
//!
//! With TRAWL_RESCAN_COLD=1 (as root, on Linux), the page cache is dropped
//! before every timed run, as a share's files and metadata are by the next
//! night: the disk's part in both figures is then counted.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

mod common;

/// Small files of about 4 KB of text: notes and minutes, one in five with
/// personal values in it; as `.txt` or as `.docx`.
fn tree(files: usize, office: bool) -> PathBuf {
    let kind = if office { "docx" } else { "txt" };
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("target/bench-rescan/{files}-{kind}"));
    let done = root.with_extension("complete");
    if done.exists() {
        return root;
    }
    let _ = std::fs::remove_dir_all(&root);
    for i in 0..files {
        let dir = root.join(format!("area{:03}/team{:02}", i / 1000, (i / 50) % 20));
        if i % 50 == 0 {
            std::fs::create_dir_all(&dir).unwrap();
        }
        // A personal value in about one line in 20, or none.
        let one_in = if i % 5 == 0 { 20 } else { 1 << 40 };
        let text = trawl::synth::mixed_text(4 << 10, i as u64, one_in);
        if office {
            std::fs::write(
                dir.join(format!("note{i:06}.docx")),
                trawl::synth::docx(&text),
            )
            .unwrap();
        } else {
            std::fs::write(dir.join(format!("note{i:06}.txt")), text).unwrap();
        }
    }
    std::fs::write(&done, b"").unwrap();
    root
}

/// Empties the page cache (and the kernel's caches of names and inodes)
/// when measuring cold.
fn drop_caches(cold: bool) {
    if cold {
        let synced = std::process::Command::new("sync").status();
        assert!(synced.is_ok_and(|s| s.success()), "sync failed");
        std::fs::write("/proc/sys/vm/drop_caches", "3")
            .expect("TRAWL_RESCAN_COLD needs root on Linux (to write /proc/sys/vm/drop_caches)");
    }
}

fn run(share: &Path, state: &Path, cold: bool) -> (Duration, u64, u64) {
    drop_caches(cold);
    common::run_with_state(share, state, None)
}

/// The yardstick: the least any rescan that trusts no change journal must
/// do, here on one thread with the standard library alone: list every
/// folder and read every file's metadata (as `find -printf '%s %T@'`).
/// Returns the time and the number of files.
fn metadata_walk(root: &Path, cold: bool) -> (Duration, usize) {
    drop_caches(cold);
    fn visit(dir: &Path, files: &mut usize) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let meta = std::fs::symlink_metadata(entry.path()).unwrap();
            if meta.is_dir() {
                visit(&entry.path(), files);
            } else {
                std::hint::black_box((meta.len(), meta.modified().ok()));
                *files += 1;
            }
        }
    }
    let started = Instant::now();
    let mut files = 0;
    visit(root, &mut files);
    (started.elapsed(), files)
}

/// The same least work done as trawl's walk does it, in parallel: the
/// `ignore` crate's walker with as many threads as trawl's walk (four a
/// core), each file's metadata read, and nothing else. On a cold disk
/// several requests in flight make it much faster than the one-thread walk,
/// so this, not that, is the floor for a rescan here.
fn parallel_metadata_walk(root: &Path, cold: bool) -> (Duration, usize) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    drop_caches(cold);
    let files = AtomicUsize::new(0);
    let started = Instant::now();
    ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .threads(trawl::scan::cores() * 4)
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                let entry = entry.unwrap();
                if entry.file_type().is_some_and(|t| t.is_file()) {
                    let meta = std::fs::symlink_metadata(entry.path()).unwrap();
                    std::hint::black_box((meta.len(), meta.modified().ok()));
                    files.fetch_add(1, Ordering::Relaxed);
                }
                ignore::WalkState::Continue
            })
        });
    (started.elapsed(), files.into_inner())
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` runs us too: be
    // quick there.
    let quick = !std::env::args().any(|a| a == "--bench");
    let files: usize = std::env::var("TRAWL_RESCAN_FILES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(if quick { 500 } else { 100_000 });
    let cold = std::env::var_os("TRAWL_RESCAN_COLD").is_some_and(|v| v == "1");
    if cold {
        println!("cold: the page cache dropped before every timed run");
    }
    for office in [false, true] {
        compare(files, office, if quick { 1 } else { 3 }, cold);
    }
}

fn compare(files: usize, office: bool, rounds: usize, cold: bool) {
    let share = tree(files, office);
    let work = tempfile::tempdir().unwrap();
    let (mut firsts, mut rescans) = (Vec::new(), Vec::new());
    let (mut yardsticks, mut parallel_yardsticks) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let state = work.path().join(format!("state{round}.db"));
        let (first, read, findings) = run(&share, &state, cold);
        assert_eq!(read as usize, files, "the first scan reads every file");
        // Rescans are cheap: several a round steady their median.
        let mut agains = Vec::new();
        for _ in 0..RESCANS {
            let (again, reread, refound) = run(&share, &state, cold);
            assert_eq!(reread, 0, "a rescan of an unchanged tree reads nothing");
            assert_eq!(findings, refound);
            agains.push(again);
            let (walked, seen) = metadata_walk(&share, cold);
            assert_eq!(seen, files);
            yardsticks.push(walked);
            let (walked, seen) = parallel_metadata_walk(&share, cold);
            assert_eq!(seen, files);
            parallel_yardsticks.push(walked);
        }
        println!(
            "round {}: first scan {:.2} s, rescans {} ({findings} findings)",
            round + 1,
            first.as_secs_f64(),
            agains
                .iter()
                .map(|d| format!("{:.3} s", d.as_secs_f64()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        firsts.push(first);
        rescans.extend(agains);
    }
    let (first, again) = (median(firsts), median(rescans));
    let (walked, walked_in_parallel) = (median(yardsticks), median(parallel_yardsticks));
    println!(
        "{files} {} files: first scan {:.2} s (median of {rounds}), unchanged rescan {:.3} s (median of {}): rescan {:.1}x faster",
        if office { "Word (.docx)" } else { "text (.txt)" },
        first.as_secs_f64(),
        again.as_secs_f64(),
        rounds * RESCANS,
        first.as_secs_f64() / again.as_secs_f64()
    );
    println!(
        "  yardstick: listing the tree and reading each file's metadata (std, one thread) {:.3} s (median of {}): the rescan takes {:.1}x that; 20x would need a rescan of {:.3} s",
        walked.as_secs_f64(),
        rounds * RESCANS,
        again.as_secs_f64() / walked.as_secs_f64(),
        first.as_secs_f64() / 20.0
    );
    println!(
        "  the same in parallel (the ignore crate, {} threads, as trawl's walk) {:.3} s (median of {}): the rescan takes {:.1}x that; a rescan that did nothing else would be {:.1}x faster than the first scan",
        trawl::scan::cores() * 4,
        walked_in_parallel.as_secs_f64(),
        rounds * RESCANS,
        again.as_secs_f64() / walked_in_parallel.as_secs_f64(),
        first.as_secs_f64() / walked_in_parallel.as_secs_f64()
    );
}

/// Rescans timed after each first scan.
const RESCANS: usize = 3;
