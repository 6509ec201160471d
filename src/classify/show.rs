//! A policy as a person reads it (`trawl policy show`).

use std::fmt::Write;

use super::policy::{Holds, Kind, Policy, Process, Retention, Trigger, CONDITIONS, LAWFUL_BASES};

/// "contract" → "Art. 6(1)(b) contract".
fn article(name: &str, prefix: &str, table: &[(&str, &str)]) -> String {
    let letter = table
        .iter()
        .find(|(_, n)| *n == name)
        .map_or("?", |(l, _)| *l);
    format!("{prefix}({letter}) {}", name.replace('_', " "))
}

fn retention_words(r: &Retention) -> String {
    let mut s = match &r.after {
        Some(Trigger::Column(names)) => format!(
            "{} after the date in column {}",
            r.period,
            names
                .iter()
                .map(|n| format!("\"{n}\""))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
        Some(other) => format!("{} after {other}", r.period),
        None => r.period.to_string(),
    };
    if r.missing_is_live {
        s.push_str(" (an empty date: not yet started)");
    }
    if let Some((column, holds)) = &r.kept_while {
        let how = match holds {
            Holds::Positive => "above zero",
            Holds::NonEmpty => "filled in",
            Holds::Yes => "yes",
        };
        let _ = write!(s, "; kept indefinitely while \"{column}\" is {how}");
    }
    s
}

fn process_lines(out: &mut String, policy: &Policy, p: &Process) {
    let _ = writeln!(out, "\n  {} — {}", p.id, p.name);
    let labels: Vec<String> = p
        .categories
        .iter()
        .map(|c| policy.category(c).map_or(c.clone(), |c| c.label.clone()))
        .collect();
    let _ = writeln!(out, "    holds:            {}", or_none(&labels.join(", ")));
    let bases: Vec<String> = p
        .lawful_bases
        .iter()
        .map(|b| article(b, "Art. 6(1)", &LAWFUL_BASES))
        .collect();
    let _ = writeln!(out, "    lawful basis:     {}", or_none(&bases.join("; ")));
    let holds_kind = |k: Kind| {
        p.categories
            .iter()
            .any(|c| policy.category(c).is_some_and(|c| c.kind == k))
    };
    if holds_kind(Kind::Special) || !p.conditions.is_empty() {
        let conditions: Vec<String> = p
            .conditions
            .iter()
            .map(|c| article(c, "Art. 9(2)", &CONDITIONS))
            .collect();
        let _ = writeln!(
            out,
            "    Art. 9 condition: {}",
            or_none(&conditions.join("; "))
        );
    }
    if holds_kind(Kind::Criminal) || p.criminal_basis.is_some() {
        let _ = writeln!(
            out,
            "    Art. 10 basis:    {}",
            p.criminal_basis.as_deref().unwrap_or("NONE")
        );
    }
    let _ = writeln!(
        out,
        "    retention:        {}",
        p.retention
            .as_ref()
            .map_or("not stated".into(), retention_words)
    );
    let mut rules: Vec<String> = Vec::new();
    rules.extend(p.paths.iter().map(|g| format!("path {g}")));
    rules.extend(p.names.iter().map(|g| format!("file name {g}")));
    rules.extend(
        p.headers
            .iter()
            .map(|sig| format!("headers [{}]", sig.join(", "))),
    );
    let _ = writeln!(out, "    recognised by:    {}", rules.join("; "));
    if !p.lawful_basis_columns.is_empty() {
        let _ = writeln!(
            out,
            "    basis per row in: {}",
            p.lawful_basis_columns.join(" / ")
        );
    }
    if !p.consent_columns.is_empty() {
        let _ = writeln!(
            out,
            "    consent in:       {}",
            p.consent_columns.join(" / ")
        );
    }
}

fn or_none(s: &str) -> &str {
    if s.is_empty() {
        "NONE"
    } else {
        s
    }
}

/// The whole policy, categories then processes, in the file's order.
pub fn describe(policy: &Policy) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", policy.name);
    if !policy.source.is_empty() {
        let _ = writeln!(out, "  from: {}", policy.source);
    }
    if !policy.version.is_empty() {
        let _ = writeln!(out, "  version: {}", policy.version);
    }
    let _ = writeln!(out, "\nData categories ({})", policy.categories.len());
    let width = policy
        .categories
        .iter()
        .map(|c| c.label.chars().count())
        .max()
        .unwrap_or(0);
    for c in &policy.categories {
        let kind = match (c.kind, &c.special) {
            (Kind::Personal, _) => "personal data".to_string(),
            (Kind::Special, Some(s)) => format!("special category: {}", s.replace('_', " ")),
            (Kind::Special, None) => "special category".to_string(),
            (Kind::Criminal, _) => "criminal offence data".to_string(),
        };
        let evidence = if c.evidence.is_empty() {
            "no detector yet".to_string()
        } else {
            c.evidence.join(", ")
        };
        let alone = if c.personal_alone {
            ""
        } else {
            " (personal only beside a person)"
        };
        let _ = writeln!(
            out,
            "  {:<width$}  {kind}{alone}; found by {evidence}",
            c.label
        );
    }
    let _ = writeln!(out, "\nProcesses ({})", policy.processes.len());
    if policy.processes.is_empty() {
        let _ = writeln!(
            out,
            "  none: every record holding personal data is flagged no_lawful_basis"
        );
    }
    for p in &policy.processes {
        process_lines(&mut out, policy, p);
    }
    out
}
