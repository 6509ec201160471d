//! Permanent, reviewable exceptions: `suppressions.toml` in the rules. Each
//! entry names what it covers (a path glob, a detector, the SHA-256 of a
//! value, or several: all must match) and why. A suppressed finding is
//! counted, not reported, and raises no flag.

use anyhow::{bail, Context, Result};
use globset::{GlobBuilder, GlobMatcher};
use serde::Deserialize;

use crate::report::Finding;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    #[serde(default)]
    suppress: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    reason: String,
    path: Option<String>,
    detector: Option<String>,
    value_sha256: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Suppression {
    pub reason: String,
    path: Option<GlobMatcher>,
    detector: Option<String>,
    value_sha256: Option<[u8; 32]>,
}

impl Suppression {
    pub fn matches(&self, f: &Finding) -> bool {
        self.path.as_ref().is_none_or(|g| g.is_match(&f.path))
            && self.detector.as_ref().is_none_or(|d| *d == f.detector)
            && self
                .value_sha256
                .is_none_or(|h| f.value_sha256.is_some_and(|v| v == h))
    }
}

/// Reads a suppressions file; `detectors` are the known detector ids.
pub fn parse(source: &str, text: &str, detectors: &[&str]) -> Result<Vec<Suppression>> {
    let file: File = toml::from_str(text)
        .with_context(|| format!("{source}: suppressions.toml is not valid"))?;
    if file.version != 1 {
        bail!(
            "{source}: suppressions.toml has version {}, this trawl reads version 1",
            file.version
        );
    }
    let mut out = Vec::with_capacity(file.suppress.len());
    for (i, e) in file.suppress.into_iter().enumerate() {
        let at = |msg: &str| format!("{source}: suppressions.toml, entry {}: {msg}", i + 1);
        if e.reason.trim().is_empty() {
            bail!(at("every suppression needs a reason"));
        }
        if e.path.is_none() && e.detector.is_none() && e.value_sha256.is_none() {
            bail!(at(
                "names nothing to suppress (give a path, a detector or a value_sha256)"
            ));
        }
        if let Some(d) = &e.detector {
            if !detectors.contains(&d.as_str()) {
                bail!(at(&format!("unknown detector {d:?}")));
            }
        }
        let path = match &e.path {
            Some(p) => Some(
                GlobBuilder::new(p)
                    .literal_separator(true)
                    .build()
                    .map_err(|err| anyhow::anyhow!(at(&format!("bad path glob: {err}"))))?
                    .compile_matcher(),
            ),
            None => None,
        };
        let value_sha256 = match &e.value_sha256 {
            Some(h) => Some(
                crate::digest::parse_hex32(h)
                    .with_context(|| at("value_sha256 must be 64 hexadecimal digits"))?,
            ),
            None => None,
        };
        out.push(Suppression {
            reason: e.reason,
            path,
            detector: e.detector,
            value_sha256,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Confidence;
    use crate::report::Location;

    fn finding(path: &str, detector: &str, value: &str) -> Finding {
        Finding {
            path: path.into(),
            location: Location::default(),
            record: "document".into(),
            process: None,
            detector: detector.into(),
            category: String::new(),
            confidence: Confidence::High,
            evidence: Vec::new(),
            masked: String::new(),
            value: None,
            fingerprint: None,
            new: false,
            triage: None,
            value_sha256: Some(crate::digest::sha256(value.as_bytes())),
        }
    }

    #[test]
    fn every_named_condition_must_hold() {
        let text = format!(
            "version = 1\n[[suppress]]\nreason = \"test card\"\ndetector = \"payment_card\"\nvalue_sha256 = \"{}\"\n\
             [[suppress]]\nreason = \"published directory\"\npath = \"public/**\"\ndetector = \"email\"\n",
            crate::digest::sha256_hex(b"4111111111111111")
        );
        let s = parse("t", &text, &["payment_card", "email"]).unwrap();
        let card = finding("a.csv", "payment_card", "4111111111111111");
        assert!(s[0].matches(&card));
        assert!(!s[0].matches(&finding("a.csv", "payment_card", "5555555555554444")));
        assert!(!s[0].matches(&finding("a.csv", "email", "4111111111111111")));
        assert!(s[1].matches(&finding("public/staff.csv", "email", "x@example.org")));
        // `**` crosses folders.
        assert!(s[1].matches(&finding("public/deep/staff.csv", "email", "x")));
        assert!(!s[1].matches(&finding("private/staff.csv", "email", "x@example.org")));
    }

    #[test]
    fn bad_entries_are_refused_with_their_place() {
        let no_reason = "version = 1\n[[suppress]]\nreason = \"\"\ndetector = \"email\"\n";
        let err = parse("t", no_reason, &["email"]).unwrap_err().to_string();
        assert!(
            err.contains("entry 1: every suppression needs a reason"),
            "{err}"
        );
        let nothing = "version = 1\n[[suppress]]\nreason = \"why\"\n";
        assert!(parse("t", nothing, &["email"])
            .unwrap_err()
            .to_string()
            .contains("names nothing"));
        let unknown = "version = 1\n[[suppress]]\nreason = \"why\"\ndetector = \"nope\"\n";
        assert!(parse("t", unknown, &["email"])
            .unwrap_err()
            .to_string()
            .contains("unknown detector"));
        let hash = "version = 1\n[[suppress]]\nreason = \"why\"\nvalue_sha256 = \"abc\"\n";
        assert!(parse("t", hash, &["email"])
            .unwrap_err()
            .to_string()
            .contains("64 hexadecimal"));
    }
}
