//! The sample share: `trawl scan fixtures/` must give exactly the expected
//! findings, find every planted value and none of the hard negatives.
//!
//! After a deliberate change to detection, regenerate the expected output
//! with `TRAWL_UPDATE_EXPECTED=1 cargo test --test fixtures` and review the
//! diff before committing it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The fixtures are judged at a fixed date, so results never drift.
const AS_OF: &str = "2026-01-01";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn scan(extra: &[&str]) -> Vec<u8> {
    let out = Command::cargo_bin("trawl")
        .unwrap()
        .arg("scan")
        .arg(fixtures())
        .args(["--as-of", AS_OF, "--quiet"])
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn fixtures_give_exactly_the_expected_output() {
    let expected_path = fixtures().join("expected/findings.jsonl");
    let actual = scan(&[]);
    if std::env::var_os("TRAWL_UPDATE_EXPECTED").is_some() {
        std::fs::write(&expected_path, &actual).unwrap();
    }
    let expected = std::fs::read(&expected_path).expect("fixtures/expected/findings.jsonl");
    if actual != expected {
        let a = String::from_utf8_lossy(&actual);
        let e = String::from_utf8_lossy(&expected);
        let missing: Vec<&str> = e.lines().filter(|l| !a.lines().any(|x| x == *l)).collect();
        let extra: Vec<&str> = a.lines().filter(|l| !e.lines().any(|x| x == *l)).collect();
        panic!(
            "fixtures output differs from expected\nmissing:\n{}\nunexpected:\n{}",
            missing.join("\n"),
            extra.join("\n")
        );
    }
}

#[test]
fn every_planted_value_is_found_and_no_negative() {
    // Each fixture generator writes its own ground truth: planted*.json.
    let mut planted: Vec<Value> = Vec::new();
    for entry in std::fs::read_dir(fixtures().join("expected")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("planted") && name.ends_with(".json") {
            let list: Vec<Value> = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            planted.extend(list);
        }
    }
    assert!(!planted.is_empty(), "no fixtures/expected/planted*.json");
    let out = scan(&["--reveal"]);
    let found: BTreeSet<(String, String, String)> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|v| v["kind"] == "finding" && v["confidence"] != "low")
        .map(|v| {
            (
                v["path"].as_str().unwrap().to_string(),
                v["detector"].as_str().unwrap().to_string(),
                v["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut problems = Vec::new();
    for p in &planted {
        let key = (
            p["path"].as_str().unwrap().to_string(),
            p["detector"].as_str().unwrap().to_string(),
            p["value"].as_str().unwrap().to_string(),
        );
        let is_found = found.contains(&key);
        match (p["expect"].as_str().unwrap(), is_found) {
            ("found", false) => problems.push(format!("missed {key:?} ({})", p["where"])),
            ("not_found", true) => {
                problems.push(format!("found hard negative {key:?}: {}", p["why"]))
            }
            _ => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
