//! A seeded mutation fuzz of the fixtures: every fixture is damaged in a few
//! dozen ways (bytes changed, cut short, chunks repeated, sizes and counts
//! overwritten; inside zip and gzip containers, their members' own bytes),
//! and one scan of all the damaged copies must report every one of them,
//! under a 4 GiB address-space limit and a deadline, with no bug of trawl's
//! own tripped. The seed is fixed, so the run is the same every time; a
//! fuzzing audit of 36,000 such files found the faults `tests/hostile/`
//! keeps, and this keeps the cheap part of it running.

#[allow(dead_code)]
mod common;

use std::io::{Cursor, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MUTANTS_PER_FIXTURE: usize = 100;
const SEED: u64 = 0x7472_6177_6c21;

/// splitmix64: small, seeded, and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Sizes and counts a reader may trust: the largest, the sign bit, zero.
const INTERESTING: [u32; 6] = [
    0xFFFF_FFFF,
    0xFFFF_FFFE,
    0x7FFF_FFFF,
    0x8000_0000,
    0,
    0x0001_0000,
];

/// One damage, chosen by the generator, to a copy of `bytes`.
fn damage(rng: &mut Rng, bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    if out.is_empty() {
        return b"\xFF".to_vec();
    }
    match rng.below(5) {
        0 => {
            for _ in 0..=rng.below(8) {
                let at = rng.below(out.len());
                out[at] = rng.next() as u8;
            }
        }
        1 => out.truncate(rng.below(out.len())),
        2 => {
            let at = rng.below(out.len());
            let value = INTERESTING[rng.below(INTERESTING.len())].to_le_bytes();
            let end = (at + 4).min(out.len());
            out[at..end].copy_from_slice(&value[..end - at]);
        }
        3 => {
            let from = rng.below(out.len());
            let len = rng.below((out.len() - from).min(4096)) + 1;
            let chunk = out[from..from + len].to_vec();
            let at = rng.below(out.len());
            for _ in 0..=rng.below(20) {
                out.splice(at..at, chunk.iter().copied());
            }
        }
        _ => {
            // A run of one byte: a long line, a deep or wide structure.
            let at = rng.below(out.len());
            let byte = [b'<', b'[', b'{', b'"', 0, b'\n', b','][rng.below(7)];
            out.splice(at..at, std::iter::repeat_n(byte, 1 + rng.below(100_000)));
        }
    }
    out
}

/// A zip with one member damaged, the others as they were.
fn damage_zip_member(rng: &mut Rng, bytes: &[u8]) -> Option<Vec<u8>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let target = rng.below(zip.len());
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let mut member = zip.by_index(i).ok()?;
        let name = member.name().to_string();
        let mut content = Vec::new();
        member.read_to_end(&mut content).ok()?;
        if i == target {
            content = damage(rng, &content);
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .ok()?;
        out.write_all(&content).ok()?;
    }
    Some(out.finish().ok()?.into_inner())
}

/// A gzip stream of damaged content.
fn damage_gzip_content(rng: &mut Rng, bytes: &[u8]) -> Option<Vec<u8>> {
    let mut content = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut content)
        .ok()?;
    let mut out = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    out.write_all(&damage(rng, &content)).ok()?;
    out.finish().ok()
}

fn fixtures(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            fixtures(&path, out);
        } else if !path.file_name().unwrap().to_string_lossy().starts_with('.') {
            out.push(path);
        }
    }
}

#[test]
fn damaged_copies_of_every_fixture_are_each_reported_and_the_scan_goes_on() {
    let mut sources = Vec::new();
    fixtures(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
        &mut sources,
    );
    sources.sort();
    assert!(sources.len() > 50);

    let dir = tempfile::tempdir().unwrap();
    let mutants = dir.path().join("mutants");
    std::fs::create_dir(&mutants).unwrap();
    let mut rng = Rng(SEED);
    let mut written = 0;
    for source in &sources {
        let bytes = std::fs::read(source).unwrap();
        let name = source.file_name().unwrap().to_string_lossy().into_owned();
        for n in 0..MUTANTS_PER_FIXTURE {
            // Every other mutant of a container damages what is inside it.
            let inner = match n % 2 {
                1 if bytes.starts_with(b"PK\x03\x04") => damage_zip_member(&mut rng, &bytes),
                1 if bytes.starts_with(b"\x1F\x8B") => damage_gzip_content(&mut rng, &bytes),
                _ => None,
            };
            let damaged = inner.unwrap_or_else(|| damage(&mut rng, &bytes));
            std::fs::write(mutants.join(format!("{n:02}_{name}")), damaged).unwrap();
            written += 1;
        }
    }

    let report = dir.path().join("report.json");
    let mut scan = Command::new(assert_cmd::cargo::cargo_bin("trawl"));
    scan.args([
        "scan",
        "--quiet",
        "--format",
        "json",
        "--as-of",
        "2026-01-01",
    ])
    .arg("--out")
    .arg(&report)
    .arg(&mutants)
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    common::limit_address_space(&mut scan);
    let mut child = scan.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(600);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("the scan of {written} damaged files did not finish in 600 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    // 0 or 1 (findings); a kill or an abort has no code.
    assert!(matches!(status.code(), Some(0 | 1)), "{status:?}\n{stderr}");

    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(doc["summary"]["files_seen"].as_u64(), Some(written as u64));
    assert_eq!(doc["partial"].as_bool(), None);
    // A bug of trawl's own is a panic in its code; calamine's known ones
    // (XLSB records, `tests/hostile/`) are caught and named by format.
    let internal: Vec<String> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["reason"]
                .as_str()
                .unwrap_or("")
                .contains("internal error")
        })
        .map(|e| format!("{} {} {}", e["path"], e["format"], e["reason"]))
        .collect();
    assert!(internal.is_empty(), "{internal:#?}\n{stderr}");
}
