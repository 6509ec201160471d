//! Audits: rerun a scan and prove its result unchanged.
//!
//! `trawl audit DIR` scans a fixture tree with the policy and as-of date it
//! pins in `DIR/expected/audit.toml` and compares the output, line by line,
//! with the expected output kept beside it. `trawl verify MANIFEST` reruns
//! the scan a manifest describes and compares the fingerprints.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result};
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::Value;

use crate::report::manifest::{Manifest, ScanSpec};
use crate::report::{self, Format, ScanReport};
use crate::scan::{prepare, ScanOptions};

/// Where a fixture tree keeps its pins.
pub const PIN_FILE: &str = "expected/audit.toml";
/// The default `--max-file-size`, which an audit uses too.
const MAX_FILE_SIZE: u64 = 4 << 30;
/// Differences printed before the rest are only counted.
const MAX_SHOWN: usize = 200;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PinFile {
    /// The policy, relative to the pin file.
    policy: Option<String>,
    /// A rules directory, relative to the pin file (embedded rules without).
    rules: Option<String>,
    as_of: String,
    /// The expected JSONL output, relative to the pin file.
    expected: String,
}

/// `a/b/../c` → `a/c`, without touching the disk, so the manifest names
/// the policy as a person would.
fn tidy(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// Runs the scan a spec describes, fingerprinting every file, with no
/// times recorded and values masked.
pub fn run(spec: &ScanSpec, threads: Option<usize>) -> Result<ScanReport> {
    let as_of: Date = spec
        .as_of
        .parse()
        .with_context(|| format!("as-of date {:?} is not YYYY-MM-DD", spec.as_of))?;
    let prepared = prepare(
        spec.rules.as_deref().map(Path::new),
        spec.policy.as_deref().map(Path::new),
        as_of,
    )?;
    for root in &spec.roots {
        if std::fs::symlink_metadata(root).is_err() {
            anyhow::bail!("{root}: no such file or folder");
        }
    }
    let opts = ScanOptions {
        excludes: spec.excludes.clone(),
        follow: spec.follow,
        max_file_size: spec.max_file_size,
        limits: crate::extract::Limits {
            max_findings: crate::extract::findings_limit(spec.max_findings_per_file),
            ..crate::extract::Limits::default()
        },
        min_confidence: spec.min_confidence,
        threads,
        hash_files: true,
        own_files: crate::walk::OwnFiles::as_rerun(&spec.own_files),
        ..ScanOptions::new(spec.roots.iter().map(PathBuf::from).collect(), as_of)
    };
    let mut report = prepared.scan_quietly(&opts)?;
    // The run's own files, listed as the run listed them.
    crate::scan::add_skipped(
        &mut report,
        spec.own_files.iter().filter_map(|f| f.listed(&opts.roots)),
    );
    Ok(report)
}

/// Reruns a manifest's scan and returns the new manifest.
pub fn rerun(spec: &ScanSpec, threads: Option<usize>) -> Result<Manifest> {
    Manifest::new(&run(spec, threads)?, spec.clone())
}

pub struct AuditOutcome {
    pub dir: String,
    pub expected_file: String,
    pub manifest: Manifest,
    /// Each difference from the expected output, in words.
    pub differences: Vec<String>,
}

impl AuditOutcome {
    pub fn passed(&self) -> bool {
        self.differences.is_empty()
    }

    /// The verdict and the differences, for the terminal.
    pub fn describe(&self) -> String {
        let m = &self.manifest;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "scanned {} ({} files) with {} rules (SHA-256 {}) and policy {} (SHA-256 {}) as of {}",
            self.dir,
            m.files.len(),
            m.scan.rules.as_deref().unwrap_or("embedded"),
            m.rules_sha256,
            m.scan.policy.as_deref().unwrap_or("embedded"),
            m.policy_sha256,
            m.scan.as_of
        );
        if self.passed() {
            let _ = writeln!(
                out,
                "PASS: {} findings, {} records ({} flagged) exactly as in {}",
                m.findings, m.records, m.records_flagged, self.expected_file
            );
        } else {
            let _ = writeln!(
                out,
                "FAIL: {} differences from {}",
                self.differences.len(),
                self.expected_file
            );
            for d in self.differences.iter().take(MAX_SHOWN) {
                let _ = writeln!(out, "  {d}");
            }
            if self.differences.len() > MAX_SHOWN {
                let _ = writeln!(out, "  … and {} more", self.differences.len() - MAX_SHOWN);
            }
        }
        out
    }
}

/// Audits the fixture tree `dir` against its pins.
pub fn audit(dir: &Path, threads: Option<usize>) -> Result<AuditOutcome> {
    let pin_path = dir.join(PIN_FILE);
    let text = std::fs::read_to_string(&pin_path).with_context(|| {
        format!(
            "cannot read {} (a fixture tree pins its policy and date there)",
            pin_path.display()
        )
    })?;
    let pin: PinFile =
        toml::from_str(&text).with_context(|| format!("{} is not valid", pin_path.display()))?;
    let base = pin_path.parent().unwrap_or(dir);
    let resolve = |p: &str| tidy(&base.join(p)).display().to_string();
    let spec = ScanSpec {
        roots: vec![dir.display().to_string()],
        excludes: Vec::new(),
        follow: false,
        max_file_size: MAX_FILE_SIZE,
        max_findings_per_file: crate::extract::Limits::default().max_findings,
        rules: pin.rules.as_deref().map(resolve),
        policy: pin.policy.as_deref().map(resolve),
        as_of: pin.as_of.clone(),
        min_confidence: crate::detect::Confidence::Low,
        own_files: Vec::new(),
    };
    let expected_path = tidy(&base.join(&pin.expected));
    let expected = std::fs::read_to_string(&expected_path).with_context(|| {
        format!(
            "cannot read the expected output {}",
            expected_path.display()
        )
    })?;
    let report = run(&spec, threads)?;
    let mut actual = Vec::new();
    report::write(&report, Format::Jsonl, &mut actual)?;
    let actual = String::from_utf8(actual).context("the output is not UTF-8")?;
    Ok(AuditOutcome {
        dir: dir.display().to_string(),
        expected_file: expected_path.display().to_string(),
        manifest: Manifest::new(&report, spec)?,
        differences: compare(&expected, &actual),
    })
}

/// What identifies a line, so that a changed finding reads as a change
/// rather than one missing and one unexpected.
fn key(v: &Value) -> String {
    let kind = v["kind"].as_str().unwrap_or("?");
    let path = v["path"].as_str().unwrap_or("");
    match kind {
        "finding" => format!(
            "finding {path} · {} · {}",
            location(&v["location"]),
            v["detector"].as_str().unwrap_or("")
        ),
        "record" => format!("record {path} · {}", v["record"].as_str().unwrap_or("")),
        "file" => format!("file {path}"),
        other => other.to_string(),
    }
}

/// A location as the outputs order its fields (JSON objects read back here
/// come sorted by name).
fn location(v: &Value) -> String {
    const ORDER: [&str; 11] = [
        "message",
        "part",
        "sheet",
        "page",
        "table",
        "paragraph",
        "line",
        "row",
        "column",
        "cell",
        "pointer",
    ];
    let Some(o) = v.as_object().filter(|o| !o.is_empty()) else {
        return "whole file".into();
    };
    let mut names: Vec<&String> = o.keys().collect();
    names.sort_by_key(|k| ORDER.iter().position(|n| n == k).unwrap_or(ORDER.len()));
    names
        .iter()
        .map(|k| match o[k.as_str()].as_str() {
            Some(s) => format!("{k} {s}"),
            None => format!("{k} {}", o[k.as_str()]),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// One line as a person reads it: its key and its verdict fields.
fn brief(v: &Value) -> String {
    match v["kind"].as_str() {
        Some("finding") => format!(
            "{} ({}, {})",
            key(v),
            v["confidence"].as_str().unwrap_or(""),
            v["masked"].as_str().unwrap_or("")
        ),
        Some("record") => {
            let flags: Vec<&str> = v["flags"]
                .as_array()
                .map(|a| a.iter().filter_map(|f| f["flag"].as_str()).collect())
                .unwrap_or_default();
            format!(
                "{} (flags: {})",
                key(v),
                if flags.is_empty() {
                    "none".to_string()
                } else {
                    flags.join(", ")
                }
            )
        }
        Some("file") => format!(
            "{} ({}: {})",
            key(v),
            v["status"].as_str().unwrap_or(""),
            v["reason"].as_str().unwrap_or("")
        ),
        _ => key(v),
    }
}

/// The fields that differ between two versions of a line, dotted.
fn field_changes(prefix: &str, expected: &Value, actual: &Value, out: &mut Vec<String>) {
    match (expected.as_object(), actual.as_object()) {
        (Some(e), Some(a)) => {
            let mut names: Vec<&String> = e.keys().chain(a.keys()).collect();
            names.sort();
            names.dedup();
            for name in names {
                let path = if prefix.is_empty() {
                    name.clone()
                } else {
                    format!("{prefix}.{name}")
                };
                let null = Value::Null;
                field_changes(
                    &path,
                    e.get(name).unwrap_or(&null),
                    a.get(name).unwrap_or(&null),
                    out,
                );
            }
        }
        _ if expected != actual => out.push(format!("{prefix}: expected {expected}, got {actual}")),
        _ => {}
    }
}

/// The differences between the expected and the actual JSONL output.
pub fn compare(expected: &str, actual: &str) -> Vec<String> {
    fn group(text: &str, bad: &mut Vec<String>, side: &str) -> BTreeMap<String, Vec<Value>> {
        let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for (n, line) in text.lines().enumerate() {
            match serde_json::from_str::<Value>(line) {
                Ok(v) => out.entry(key(&v)).or_default().push(v),
                Err(_) => bad.push(format!("{side} line {} is not JSON", n + 1)),
            }
        }
        out
    }
    let mut bad = Vec::new();
    let expected = group(expected, &mut bad, "expected");
    let mut actual = group(actual, &mut bad, "actual");
    let mut out = bad;
    let keys: std::collections::BTreeSet<String> =
        expected.keys().chain(actual.keys()).cloned().collect();
    for k in keys {
        let exp = expected.get(&k).cloned().unwrap_or_default();
        let act = actual.remove(&k).unwrap_or_default();
        // Identical lines pair off first; what is left pairs in order.
        let mut act_left: Vec<&Value> = act.iter().collect();
        let mut exp_left = Vec::new();
        for e in &exp {
            match act_left.iter().position(|a| *a == e) {
                Some(i) => {
                    act_left.remove(i);
                }
                None => exp_left.push(e),
            }
        }
        let pairs = exp_left.len().min(act_left.len());
        for i in 0..pairs {
            let mut fields = Vec::new();
            field_changes("", exp_left[i], act_left[i], &mut fields);
            for field in fields {
                out.push(format!("changed: {k}: {field}"));
            }
        }
        for e in &exp_left[pairs..] {
            out.push(format!("missing: {}", brief(e)));
        }
        for a in &act_left[pairs..] {
            out.push(format!("unexpected: {}", brief(a)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const FINDING: &str = r#"{"kind":"finding","path":"a.csv","location":{"row":2,"column":"NI"},"record":"row 2","detector":"uk_nino","category":"national_identifier","confidence":"high","masked":"AB ** ** ** C"}"#;
    const RECORD: &str = r#"{"kind":"record","path":"a.csv","record":"row 2","location":{"row":2},"categories":["national_identifier"],"personal":true,"flags":[{"flag":"no_lawful_basis","reason":"…"}]}"#;
    const SUMMARY: &str = r#"{"kind":"summary","findings":1,"files":{"scanned":1}}"#;

    fn lines(l: &[&str]) -> String {
        l.iter().map(|s| format!("{s}\n")).collect()
    }

    #[test]
    fn the_same_output_has_no_differences() {
        let text = lines(&[FINDING, RECORD, SUMMARY]);
        assert!(compare(&text, &text).is_empty());
    }

    #[test]
    fn a_changed_field_is_named_with_both_values() {
        let changed = FINDING.replace("\"high\"", "\"medium\"");
        let d = compare(&lines(&[FINDING, SUMMARY]), &lines(&[&changed, SUMMARY]));
        assert_eq!(
            d,
            vec![
                "changed: finding a.csv · row 2, column NI · uk_nino: confidence: expected \"high\", got \"medium\""
            ]
        );
        let summary = SUMMARY.replace("\"scanned\":1", "\"scanned\":2");
        let d = compare(&lines(&[SUMMARY]), &lines(&[&summary]));
        assert_eq!(
            d,
            vec!["changed: summary: files.scanned: expected 1, got 2"]
        );
    }

    #[test]
    fn missing_and_unexpected_lines_are_told_apart() {
        let d = compare(&lines(&[FINDING, RECORD, SUMMARY]), &lines(&[SUMMARY]));
        assert_eq!(d.len(), 2);
        assert!(d[0].starts_with("missing: finding a.csv"), "{d:?}");
        assert!(
            d[1].starts_with("missing: record a.csv · row 2 (flags: no_lawful_basis)"),
            "{d:?}"
        );
        let d = compare(&lines(&[SUMMARY]), &lines(&[FINDING, SUMMARY]));
        assert_eq!(d.len(), 1);
        assert!(d[0].starts_with("unexpected: finding a.csv"), "{d:?}");
        assert!(d[0].contains("AB ** ** ** C"), "{d:?}");
    }

    #[test]
    fn paths_are_tidied_lexically() {
        assert_eq!(
            tidy(Path::new("fixtures/expected/../../rules/p.toml")),
            PathBuf::from("rules/p.toml")
        );
        assert_eq!(tidy(Path::new("./a/./b")), PathBuf::from("a/b"));
        assert_eq!(tidy(Path::new("../x")), PathBuf::from("../x"));
        assert_eq!(tidy(Path::new("a/..")), PathBuf::from("."));
    }
}
