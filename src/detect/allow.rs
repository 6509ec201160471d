//! Known non-personal values: `allowlist.toml` in the rules. Issuers' test
//! card numbers, documentation examples and placeholders pass their checks
//! but are nobody's: they are not reported at all (unlike suppressions,
//! which are counted). Every entry gives its reason.

use std::collections::{HashMap, HashSet};

use anyhow::{bail, Context, Result};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    #[serde(default)]
    allow: Vec<Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    detector: String,
    value: String,
    reason: String,
}

/// Letters and digits, lower case: how values are compared, so that
/// "4111 1111 1111 1111" and "4111-1111-1111-1111" are one entry.
pub fn canonical(value: &str) -> String {
    value
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Reads an allowlist: per detector (by index in `detectors`), the
/// canonical values allowed.
pub fn parse(
    source: &str,
    text: &str,
    detectors: &[&str],
) -> Result<HashMap<usize, HashSet<String>>> {
    let file: File =
        toml::from_str(text).with_context(|| format!("{source}: allowlist.toml is not valid"))?;
    if file.version != 1 {
        bail!(
            "{source}: allowlist.toml has version {}, this trawl reads version 1",
            file.version
        );
    }
    let mut out: HashMap<usize, HashSet<String>> = HashMap::new();
    for (i, e) in file.allow.into_iter().enumerate() {
        let at = |msg: &str| format!("{source}: allowlist.toml, entry {}: {msg}", i + 1);
        if e.reason.trim().is_empty() {
            bail!(at("needs a reason"));
        }
        let Some(index) = detectors.iter().position(|d| *d == e.detector) else {
            bail!(at(&format!("unknown detector {:?}", e.detector)));
        };
        let value = canonical(&e.value);
        if value.is_empty() {
            bail!(at("needs a value with letters or digits"));
        }
        out.entry(index).or_default().insert(value);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_need_a_reason_and_a_known_detector() {
        let ok = "version = 1\n[[allow]]\ndetector = \"payment_card\"\nvalue = \"4111 1111 1111 1111\"\nreason = \"Visa test card\"\n";
        let parsed = parse("t", ok, &["email", "payment_card"]).unwrap();
        assert!(parsed[&1].contains("4111111111111111"));
        let no_reason = ok.replace("Visa test card", " ");
        assert!(parse("t", &no_reason, &["payment_card"]).is_err());
        assert!(parse("t", ok, &["email"]).is_err());
        assert!(parse(
            "t",
            &ok.replace("version = 1", "version = 2"),
            &["payment_card"]
        )
        .is_err());
    }
}
