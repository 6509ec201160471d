//! A 1 GB text file is streamed, not read whole: the scan's peak resident
//! memory stays under 200 MB. (Its own test binary, so the only child
//! process whose peak is measured is the scan.) Measured by getrusage(2),
//! so on Unix only.
#![cfg(unix)]

use std::fs::File;
use std::process::{Command, Stdio};

#[test]
fn one_gigabyte_of_text_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("big.txt");
    let trawl = assert_cmd::cargo::cargo_bin("trawl");
    let status = Command::new(&trawl)
        .args(["synth", "--bytes", "1G", "--one-in", "200"])
        .stdout(File::create(&corpus).unwrap())
        .status()
        .unwrap();
    assert!(status.success());
    assert!(std::fs::metadata(&corpus).unwrap().len() >= 1 << 30);

    let out = Command::new(&trawl)
        .args([
            "scan",
            "--quiet",
            "--format",
            "json",
            "--as-of",
            "2026-01-01",
            // Every finding listed: what is bounded here is the reading.
            "--max-findings-per-file",
            "0",
        ])
        .arg(&corpus)
        .stdout(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(doc["summary"]["findings"].as_u64().unwrap() > 10_000);

    // Peak resident set of the children waited for: the synth and the scan.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(
        unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) },
        0
    );
    let peak_mb = usage.ru_maxrss as f64 / 1024.0;
    assert!(peak_mb < 200.0, "peak resident memory {peak_mb:.0} MB");
    eprintln!("peak resident memory of the 1 GB scan: {peak_mb:.0} MB");
}
