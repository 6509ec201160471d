//! The manifest: proof of what a scan read, with which rules and policy, and
//! what it found, in a form `trawl verify` can rerun and compare. It holds
//! fingerprints and counts only: no values, masked or raw.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use super::{write_jsonl_line, Finding, ScanReport, Triage};
use crate::classify::Record;
use crate::detect::Confidence;
use crate::digest::Hasher;

/// Bumped when the manifest's meaning changes; `verify` refuses others.
pub const MANIFEST_VERSION: u32 = 1;

/// How to run the scan again: the options that change its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanSpec {
    /// As given on the command line (relative paths are relative to where
    /// trawl was run: run `verify` from the same place).
    pub roots: Vec<String>,
    #[serde(default)]
    pub excludes: Vec<String>,
    #[serde(default)]
    pub follow: bool,
    pub max_file_size: u64,
    /// `--max-findings-per-file` (0: no limit).
    #[serde(
        default = "default_findings_limit",
        skip_serializing_if = "is_default_findings_limit"
    )]
    pub max_findings_per_file: u64,
    /// A rules directory, or none for the rules embedded in trawl.
    pub rules: Option<String>,
    /// A policy file, or none for the embedded default policy.
    pub policy: Option<String>,
    pub as_of: String,
    /// The operating point (`--min-confidence`); low reports everything.
    #[serde(default = "lowest", skip_serializing_if = "is_lowest")]
    pub min_confidence: Confidence,
    /// The run's own outputs, state and log where they are inside a root:
    /// not the share's data, and changed by every run, so passed over when
    /// rerun as the run passed over them (listed if it listed them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub own_files: Vec<crate::walk::RerunOwnFile>,
}

fn default_findings_limit() -> u64 {
    crate::extract::Limits::default().max_findings
}

fn is_default_findings_limit(n: &u64) -> bool {
    *n == default_findings_limit()
}

fn lowest() -> Confidence {
    Confidence::Low
}

fn is_lowest(c: &Confidence) -> bool {
    *c == Confidence::Low
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    pub path: String,
    pub size: u64,
    /// None when the file could not be read to fingerprint it.
    pub sha256: Option<String>,
    /// Findings in the file and in its archive members or attachments.
    pub findings: u64,
    /// SHA-256 of this file's lines of the JSONL output (findings, records
    /// and unreadable members); none when it has none.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub output_sha256: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub manifest_version: u32,
    pub trawl_version: String,
    pub scan: ScanSpec,
    pub rules_sha256: String,
    pub policy_sha256: String,
    pub files: Vec<ManifestFile>,
    pub findings: u64,
    pub records: u64,
    pub records_flagged: u64,
    /// SHA-256 of the scan's whole JSONL output with values masked:
    /// findings, records, files that could not be read, and the summary.
    pub output_sha256: String,
}

/// The file on disk a reported path belongs to: archive members and
/// attachments (`a.zip!/b.csv`) belong to their container.
fn outer(path: &str) -> &str {
    path.split("!/").next().unwrap_or(path)
}

/// A finding as every output but `--reveal` writes it.
fn masked(f: &Finding) -> std::borrow::Cow<'_, Finding> {
    if f.value.is_none() && !from_state(&f.fingerprint, f.new, &f.triage) {
        std::borrow::Cow::Borrowed(f)
    } else {
        std::borrow::Cow::Owned(Finding {
            value: None,
            fingerprint: None,
            new: false,
            triage: None,
            ..f.clone()
        })
    }
}

/// Whether an item carries what only a state gives it (its fingerprint,
/// "new", a decision): none of it is the scan's, nor what `trawl verify`,
/// rerunning the scan without the state, can give again.
fn from_state(fingerprint: &Option<String>, new: bool, triage: &Option<Box<Triage>>) -> bool {
    fingerprint.is_some() || new || triage.is_some()
}

/// A record as a scan without a state gives it (see [`from_state`]).
fn without_state(r: &Record) -> std::borrow::Cow<'_, Record> {
    if from_state(&r.fingerprint, r.new, &r.triage) {
        std::borrow::Cow::Owned(Record {
            fingerprint: None,
            new: false,
            triage: None,
            ..r.clone()
        })
    } else {
        std::borrow::Cow::Borrowed(r)
    }
}

/// Writes the masked JSONL output of `report`, handing each line to `line`
/// with the path it is about (none for the summary).
fn each_line(report: &ScanReport, mut line: impl FnMut(Option<&str>, &[u8])) -> Result<()> {
    let mut buf = Vec::new();
    for f in &report.findings {
        buf.clear();
        write_jsonl_line(&mut buf, "finding", masked(f).as_ref())?;
        line(Some(&f.path), &buf);
    }
    for r in &report.records {
        buf.clear();
        write_jsonl_line(&mut buf, "record", without_state(r).as_ref())?;
        line(Some(&r.path), &buf);
    }
    for e in &report.errors {
        buf.clear();
        write_jsonl_line(&mut buf, "file", e)?;
        line(Some(&e.path), &buf);
    }
    buf.clear();
    write_jsonl_line(&mut buf, "summary", &report.summary)?;
    line(None, &buf);
    Ok(())
}

impl Manifest {
    /// Builds the manifest of a scan run with `--manifest` (its files hashed).
    pub fn new(report: &ScanReport, scan: ScanSpec) -> Result<Manifest> {
        let mut all = Hasher::default();
        let mut per_file: BTreeMap<String, (u64, Hasher)> = BTreeMap::new();
        each_line(report, |path, bytes| {
            all.update(bytes);
            if let Some(path) = path {
                let entry = per_file.entry(outer(path).to_string()).or_default();
                entry.1.update(bytes);
            }
        })?;
        for f in &report.findings {
            if let Some(entry) = per_file.get_mut(outer(&f.path)) {
                entry.0 += 1;
            }
        }
        let files = report
            .scanned_files
            .iter()
            .map(|f| {
                let output = per_file.remove(&f.path);
                ManifestFile {
                    path: f.path.clone(),
                    size: f.size,
                    sha256: f.sha256.clone(),
                    findings: output.as_ref().map_or(0, |o| o.0),
                    output_sha256: output.map(|o| o.1.finish_hex()),
                }
            })
            .collect();
        Ok(Manifest {
            manifest_version: MANIFEST_VERSION,
            trawl_version: report.trawl_version.clone(),
            scan,
            rules_sha256: report.rules_sha256.clone(),
            policy_sha256: report.policy.sha256.clone(),
            files,
            findings: report.summary.findings,
            records: report.summary.records,
            records_flagged: report.summary.records_flagged,
            output_sha256: all.finish_hex(),
        })
    }

    pub fn write(&self, out: &mut dyn Write) -> Result<()> {
        serde_json::to_writer_pretty(&mut *out, self)?;
        out.write_all(b"\n")?;
        Ok(())
    }

    pub fn read(text: &str) -> Result<Manifest> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| anyhow::anyhow!("not a trawl manifest (not JSON: {e})"))?;
        match value.get("manifest_version").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(MANIFEST_VERSION) => {}
            Some(v) => anyhow::bail!(
                "manifest version {v} is not one this trawl reads (it reads version {MANIFEST_VERSION})"
            ),
            None => anyhow::bail!("not a trawl manifest (no manifest_version)"),
        }
        serde_json::from_value(value)
            .map_err(|e| anyhow::anyhow!("not a valid trawl manifest: {e}"))
    }

    /// What differs from `earlier` to this manifest, in words; empty when
    /// the two runs read the same files with the same rules and policy and
    /// gave the same output.
    pub fn differences(&self, earlier: &Manifest) -> Vec<String> {
        let mut out = Vec::new();
        if self.scan != earlier.scan {
            out.push("the scan's options differ".to_string());
        }
        if self.rules_sha256 != earlier.rules_sha256 {
            out.push(format!(
                "the rules changed: SHA-256 {} was {}",
                self.rules_sha256, earlier.rules_sha256
            ));
        }
        if self.policy_sha256 != earlier.policy_sha256 {
            out.push(format!(
                "the policy changed: SHA-256 {} was {}",
                self.policy_sha256, earlier.policy_sha256
            ));
        }
        let before: BTreeMap<&str, &ManifestFile> =
            earlier.files.iter().map(|f| (f.path.as_str(), f)).collect();
        let now: BTreeMap<&str, &ManifestFile> =
            self.files.iter().map(|f| (f.path.as_str(), f)).collect();
        for (path, f) in &now {
            match before.get(path) {
                None => out.push(format!("added: {path} ({} findings)", f.findings)),
                Some(b) => {
                    if b.sha256 != f.sha256 || b.size != f.size {
                        out.push(format!(
                            "changed content: {path} ({} bytes, was {})",
                            f.size, b.size
                        ));
                    }
                    if b.output_sha256 != f.output_sha256 {
                        out.push(format!(
                            "changed findings: {path} ({} findings, was {})",
                            f.findings, b.findings
                        ));
                    }
                }
            }
        }
        for (path, b) in &before {
            if !now.contains_key(path) {
                out.push(format!("removed: {path} (had {} findings)", b.findings));
            }
        }
        if self.output_sha256 != earlier.output_sha256 {
            out.push(format!(
                "the output differs: {} findings, {} records, {} flagged (was {}, {}, {})",
                self.findings,
                self.records,
                self.records_flagged,
                earlier.findings,
                earlier.records,
                earlier.records_flagged
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest {
            manifest_version: MANIFEST_VERSION,
            trawl_version: "0.1.0".into(),
            scan: ScanSpec {
                roots: vec!["fixtures".into()],
                excludes: vec![],
                follow: false,
                max_file_size: 1 << 32,
                max_findings_per_file: default_findings_limit(),
                rules: None,
                policy: Some("p.toml".into()),
                as_of: "2026-01-01".into(),
                min_confidence: Confidence::Low,
                own_files: Vec::new(),
            },
            rules_sha256: "r".into(),
            policy_sha256: "p".into(),
            files: vec![ManifestFile {
                path: "a.csv".into(),
                size: 10,
                sha256: Some("x".into()),
                findings: 2,
                output_sha256: Some("o".into()),
            }],
            findings: 2,
            records: 1,
            records_flagged: 1,
            output_sha256: "all".into(),
        }
    }

    #[test]
    fn identical_manifests_have_no_differences() {
        assert!(manifest().differences(&manifest()).is_empty());
    }

    #[test]
    fn each_kind_of_change_is_named() {
        let before = manifest();
        let mut after = manifest();
        after.policy_sha256 = "q".into();
        after.files[0].sha256 = Some("y".into());
        after.files[0].output_sha256 = Some("o2".into());
        after.files.push(ManifestFile {
            path: "b.csv".into(),
            size: 1,
            sha256: None,
            findings: 0,
            output_sha256: None,
        });
        after.output_sha256 = "all2".into();
        let d = after.differences(&before).join("\n");
        assert!(d.contains("the policy changed"), "{d}");
        assert!(d.contains("changed content: a.csv"), "{d}");
        assert!(d.contains("changed findings: a.csv"), "{d}");
        assert!(d.contains("added: b.csv"), "{d}");
        assert!(d.contains("the output differs"), "{d}");
        let d = before.differences(&after).join("\n");
        assert!(d.contains("removed: b.csv"), "{d}");
    }

    #[test]
    fn other_manifest_versions_are_refused() {
        let mut m = serde_json::to_value(manifest()).unwrap();
        m["manifest_version"] = 99.into();
        let err = Manifest::read(&m.to_string()).unwrap_err().to_string();
        assert!(err.contains("version 99"), "{err}");
        assert!(Manifest::read("{}").is_err());
        assert!(Manifest::read("not json").is_err());
        let text = serde_json::to_string(&manifest()).unwrap();
        assert_eq!(Manifest::read(&text).unwrap(), manifest());
    }
}
