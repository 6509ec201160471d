//! `trawl eval`: scan the labelled corpus and score every detector against
//! its truth — precision, recall and F1 — at an operating point (the lowest
//! confidence counted as a report), and fail any below its threshold.
//!
//! A finding matches a planted value when its path, detector and value
//! (compared by letters and digits, case aside) agree; each planted value
//! matches once. What was found but not planted counts against precision;
//! what was planted but not found, against recall.

pub mod corpus;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::detect::Confidence;
use crate::report::ScanReport;
use crate::scan::{Prepared, ScanOptions};
use corpus::Truth;

/// The lowest F1 each detector must reach. The special-category lists each
/// have their own line; the two document numbers are new and held to the
/// same bar as the other context-dependent numbers.
pub const THRESHOLDS: &[(&str, f64)] = &[
    ("uk_nino", 0.98),
    ("iban", 0.98),
    ("payment_card", 0.98),
    ("email", 0.98),
    ("uk_postcode", 0.98),
    ("date_of_birth", 0.95),
    ("uk_sort_code", 0.95),
    ("uk_bank_account", 0.95),
    ("nhs_number", 0.95),
    ("uk_phone", 0.95),
    ("uk_passport", 0.95),
    ("uk_driving_licence", 0.95),
    ("person_name", 0.90),
    ("health_term", 0.90),
    ("ethnic_origin", 0.90),
    ("religion", 0.90),
    ("political_opinion", 0.90),
    ("trade_union", 0.90),
    ("sex_life", 0.90),
    ("genetic_biometric", 0.90),
    ("criminal_offence", 0.90),
    ("immigration_status", 0.90),
    ("uk_residence_permit", 0.95),
    ("uk_share_code", 0.95),
    ("benefit", 0.90),
    ("gender", 0.95),
];

/// One detector's score.
#[derive(Debug, Clone, Serialize)]
pub struct Score {
    pub detector: String,
    pub planted: u64,
    pub reported: u64,
    pub true_positives: u64,
    pub false_positives: u64,
    pub false_negatives: u64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub threshold: Option<f64>,
    /// What the errors were: the trap a false positive fell into (or
    /// "unplanted"), the planting a miss came from; with counts.
    pub errors: Vec<(String, u64)>,
}

impl Score {
    pub fn passes(&self) -> bool {
        self.threshold.is_none_or(|t| self.f1 >= t)
    }
}

/// Writes the corpus under `dir`, with its truth as `truth.jsonl`.
pub fn write_corpus(corpus: &corpus::Corpus, dir: &Path) -> Result<()> {
    for (rel, bytes) in &corpus.files {
        let path = dir.join("files").join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    let mut truth = String::new();
    for t in &corpus.truth {
        truth.push_str(&serde_json::to_string(t)?);
        truth.push('\n');
    }
    std::fs::write(dir.join("truth.jsonl"), truth)?;
    Ok(())
}

/// Scans `dir/files` (written by [`write_corpus`]) and scores the findings.
pub fn evaluate(
    prepared: &Prepared,
    dir: &Path,
    truth: &[Truth],
    min_confidence: Confidence,
) -> Result<Vec<Score>> {
    let mut opts = ScanOptions::new(vec![dir.join("files")], prepared.classifier.as_of());
    opts.reveal = true;
    opts.record_times = false;
    let report = prepared.scan_quietly(&opts)?;
    let mut detectors: Vec<String> = prepared
        .engine
        .rules()
        .detectors
        .iter()
        .map(|d| d.id.clone())
        .collect();
    // A detector with a threshold that the rules lack scores nothing: FAIL.
    for (id, _) in THRESHOLDS {
        if !detectors.iter().any(|d| d == id) {
            detectors.push(id.to_string());
        }
    }
    Ok(score(&report, truth, &detectors, min_confidence))
}

/// Letters and digits only, lower case: "AB 12 34 56 C" and "ab123456c" agree.
fn canonical(value: &str) -> String {
    value
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '@' || *c == '.')
        .flat_map(char::to_lowercase)
        .collect()
}

type Key = (String, String, String);

fn key(path: &str, detector: &str, value: &str) -> Key {
    (path.to_string(), detector.to_string(), canonical(value))
}

/// Scores `report` against `truth`, a line per detector in `detectors`.
pub fn score(
    report: &ScanReport,
    truth: &[Truth],
    detectors: &[String],
    min_confidence: Confidence,
) -> Vec<Score> {
    // Planted values still unmatched, with the planting of each.
    let mut planted: HashMap<Key, Vec<&str>> = HashMap::new();
    let mut traps: HashMap<Key, &str> = HashMap::new();
    for t in truth {
        let k = key(&t.path, &t.detector, &t.value);
        if t.personal {
            planted.entry(k).or_default().push(&t.kind);
        } else {
            traps.insert(k, &t.kind);
        }
    }
    let mut scores: HashMap<&str, Score> = detectors
        .iter()
        .map(|d| {
            (
                d.as_str(),
                Score {
                    detector: d.clone(),
                    planted: 0,
                    reported: 0,
                    true_positives: 0,
                    false_positives: 0,
                    false_negatives: 0,
                    precision: 0.0,
                    recall: 0.0,
                    f1: 0.0,
                    threshold: THRESHOLDS.iter().find(|(id, _)| id == d).map(|(_, t)| *t),
                    errors: Vec::new(),
                },
            )
        })
        .collect();
    let mut errors: HashMap<(String, String), u64> = HashMap::new();
    for t in truth.iter().filter(|t| t.personal) {
        if let Some(s) = scores.get_mut(t.detector.as_str()) {
            s.planted += 1;
        }
    }
    for f in report
        .findings
        .iter()
        .filter(|f| f.confidence >= min_confidence && f.triage.is_none())
    {
        let Some(s) = scores.get_mut(f.detector.as_str()) else {
            continue;
        };
        s.reported += 1;
        let k = key(&f.path, &f.detector, f.value.as_deref().unwrap_or(""));
        match planted.get_mut(&k).and_then(|kinds| kinds.pop()) {
            Some(_) => s.true_positives += 1,
            None => {
                s.false_positives += 1;
                let trap = traps.get(&k).copied().unwrap_or("unplanted");
                *errors
                    .entry((f.detector.clone(), format!("false positive: {trap}")))
                    .or_default() += 1;
            }
        }
    }
    for ((_, detector, _), kinds) in &planted {
        for kind in kinds {
            if let Some(s) = scores.get_mut(detector.as_str()) {
                s.false_negatives += 1;
                *errors
                    .entry((detector.clone(), format!("missed: {kind}")))
                    .or_default() += 1;
            }
        }
    }
    let mut errors: Vec<((String, String), u64)> = errors.into_iter().collect();
    errors.sort();
    for ((detector, what), n) in errors {
        if let Some(s) = scores.get_mut(detector.as_str()) {
            s.errors.push((what, n));
        }
    }
    let mut out: Vec<Score> = detectors
        .iter()
        .filter_map(|d| scores.remove(d.as_str()))
        .map(|mut s| {
            let ratio = |a: u64, b: u64| if b == 0 { 1.0 } else { a as f64 / b as f64 };
            s.precision = ratio(s.true_positives, s.true_positives + s.false_positives);
            s.recall = ratio(s.true_positives, s.planted);
            s.f1 = if s.precision + s.recall == 0.0 {
                0.0
            } else {
                2.0 * s.precision * s.recall / (s.precision + s.recall)
            };
            s
        })
        .collect();
    out.retain(|s| s.planted > 0 || s.reported > 0 || s.threshold.is_some());
    out
}

/// The scores as a Markdown table (the README carries one), with what
/// went wrong beneath.
pub fn table(scores: &[Score], min_confidence: Confidence) -> String {
    let mut out = format!(
        "Operating point: confidence {min_confidence} and above.\n\n| detector | planted | reported | precision | recall | F1 | threshold | |\n|---|---:|---:|---:|---:|---:|---:|---|\n"
    );
    for s in scores {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.3} | {:.3} | {:.3} | {} | {} |",
            s.detector,
            s.planted,
            s.reported,
            s.precision,
            s.recall,
            s.f1,
            s.threshold.map_or("–".to_string(), |t| format!("{t:.2}")),
            if s.passes() { "pass" } else { "FAIL" }
        );
    }
    let errors: Vec<String> = scores
        .iter()
        .flat_map(|s| {
            s.errors
                .iter()
                .map(move |(what, n)| format!("  {}: {what} ×{n}", s.detector))
        })
        .collect();
    if !errors.is_empty() {
        out.push_str("\nErrors:\n");
        out.push_str(&errors.join("\n"));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_values_agree_across_spacing_and_case() {
        assert_eq!(canonical("AB 12 34 56 C"), canonical("ab123456c"));
        assert_eq!(canonical("Jane.Doe@Example.com"), "jane.doe@example.com");
        assert_ne!(canonical("12-34-56"), canonical("12-34-57"));
    }
}
