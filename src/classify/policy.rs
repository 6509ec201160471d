//! The policy file: data categories, processes with their lawful bases and
//! retention rules, and how records are recognised. Written by a DPO from
//! their privacy notice and retention schedule; `rules/policies/` holds the
//! embedded default and examples.
//!
//! Loading checks everything a scan relies on and reports each problem with
//! its file and line, so `trawl policy check` can list them all at once.

use std::collections::{HashMap, HashSet};
use std::fmt;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::detect::context::normalise;
use crate::detect::Rules;

/// The embedded default policy: categories for every built-in detector and
/// no processes (trawl cannot know an organisation's processes).
pub const DEFAULT_POLICY: &str = include_str!("../../rules/policies/default.toml");

/// GDPR Article 6(1) lawful bases, by letter.
pub const LAWFUL_BASES: [(&str, &str); 6] = [
    ("a", "consent"),
    ("b", "contract"),
    ("c", "legal_obligation"),
    ("d", "vital_interests"),
    ("e", "public_task"),
    ("f", "legitimate_interests"),
];

/// GDPR Article 9(2) conditions, by letter.
pub const CONDITIONS: [(&str, &str); 10] = [
    ("a", "explicit_consent"),
    ("b", "employment_social_security"),
    ("c", "vital_interests"),
    ("d", "not_for_profit"),
    ("e", "made_public"),
    ("f", "legal_claims"),
    ("g", "substantial_public_interest"),
    ("h", "health_social_care"),
    ("i", "public_health"),
    ("j", "archiving_research"),
];

/// The special categories of GDPR Article 9(1).
pub const SPECIAL_TYPES: [&str; 8] = [
    "health",
    "racial_or_ethnic_origin",
    "religious_or_philosophical_beliefs",
    "political_opinions",
    "trade_union_membership",
    "genetic",
    "biometric",
    "sex_life_or_sexual_orientation",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Personal data (Article 6 only).
    Personal,
    /// Special category data (Article 9).
    Special,
    /// Criminal offence data (Article 10).
    Criminal,
}

#[derive(Debug, Clone)]
pub struct Category {
    pub id: String,
    pub label: String,
    pub kind: Kind,
    /// For special categories: which of Article 9(1)'s.
    pub special: Option<String>,
    /// Detector ids whose findings are of this category.
    pub evidence: Vec<String>,
    /// Whether a value of this category on its own makes a record personal
    /// data. False for, say, a postcode: an office's address is not a person.
    pub personal_alone: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Days,
    Weeks,
    Months,
    Years,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Indefinite,
    Span(i64, Unit),
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Period::Indefinite => f.write_str("indefinitely"),
            Period::Span(n, unit) => {
                let word = match unit {
                    Unit::Days => "day",
                    Unit::Weeks => "week",
                    Unit::Months => "month",
                    Unit::Years => "year",
                };
                write!(f, "{n} {word}{}", if n == 1 { "" } else { "s" })
            }
        }
    }
}

/// What starts a retention period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// The first of these columns (or JSON keys) the record has.
    Column(Vec<String>),
    /// The document's own date (created, or an email's Date).
    DocumentDate,
    /// The file's modification time.
    Modified,
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trigger::Column(names) => write!(f, "{}", names.join(" / ")),
            Trigger::DocumentDate => f.write_str("the document's own date"),
            Trigger::Modified => f.write_str("the file's modification time"),
        }
    }
}

/// When a value keeps a record indefinitely ("until the debt is cleared").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holds {
    /// A number above zero (an arrears balance).
    Positive,
    /// Anything at all.
    NonEmpty,
    /// Yes, Y, true, 1.
    Yes,
}

#[derive(Debug, Clone)]
pub struct Retention {
    pub period: Period,
    pub after: Option<Trigger>,
    /// An empty trigger means the period has not started (a live tenancy).
    pub missing_is_live: bool,
    pub kept_while: Option<(String, Holds)>,
}

#[derive(Debug, Clone)]
pub struct Process {
    pub id: String,
    pub name: String,
    pub categories: Vec<String>,
    /// Article 6(1) bases, as names (`contract`).
    pub lawful_bases: Vec<String>,
    /// Article 9(2) conditions, as names (`health_social_care`).
    pub conditions: Vec<String>,
    /// The Article 10 authority for criminal offence data, in words.
    pub criminal_basis: Option<String>,
    pub retention: Option<Retention>,
    pub paths: Vec<String>,
    pub names: Vec<String>,
    /// Header signatures, each a list of normalised names.
    pub headers: Vec<Vec<String>>,
    pub lawful_basis_columns: Vec<String>,
    pub consent_columns: Vec<String>,
    path_set: GlobSet,
    name_set: GlobSet,
}

impl Process {
    /// Which of its rules claims a record, if any: path globs first, then
    /// file-name globs, then header signatures.
    pub fn claims(&self, path: &str, headers: &[String]) -> Option<String> {
        let lower = path.to_lowercase();
        if let Some(i) = self.path_set.matches(&lower).into_iter().min() {
            return Some(format!("path {}", self.paths[i]));
        }
        let name = lower.rsplit(['/', '!']).next().unwrap_or(&lower);
        if let Some(i) = self.name_set.matches(name).into_iter().min() {
            return Some(format!("name {}", self.names[i]));
        }
        self.headers
            .iter()
            .find(|sig| sig.iter().all(|h| headers.contains(h)))
            .map(|sig| format!("headers [{}]", sig.join(", ")))
    }

    /// Every column this process reads from a record.
    pub fn columns(&self) -> Vec<String> {
        let mut cols: Vec<String> = self.lawful_basis_columns.clone();
        cols.extend(self.consent_columns.iter().cloned());
        if let Some(r) = &self.retention {
            if let Some(Trigger::Column(c)) = &r.after {
                cols.extend(c.iter().cloned());
            }
            if let Some((c, _)) = &r.kept_while {
                cols.push(c.clone());
            }
        }
        cols
    }
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub name: String,
    pub source: String,
    pub version: String,
    /// Where it was read from: `embedded` or the file given.
    pub origin: String,
    /// The file's text, for fingerprints.
    pub text: String,
    pub categories: Vec<Category>,
    pub processes: Vec<Process>,
}

/// A problem in a policy file, at a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

/// What checking a policy found: errors stop it being used, warnings are
/// things a DPO should look at.
#[derive(Debug, Default)]
pub struct Checked {
    pub errors: Vec<Problem>,
    pub warnings: Vec<Problem>,
}

impl Checked {
    /// Every problem as `FILE:LINE: error|warning: message`, errors first.
    pub fn describe(&self, file: &str) -> String {
        let mut out = String::new();
        for (what, list) in [("error", &self.errors), ("warning", &self.warnings)] {
            for p in list {
                out.push_str(&format!("{file}:{}: {what}: {}\n", p.line, p.message));
            }
        }
        out
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    policy: RawMeta,
    #[serde(default, rename = "category")]
    categories: Vec<RawCategory>,
    #[serde(default, rename = "process")]
    processes: Vec<RawProcess>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    name: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    version: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    id: Spanned<String>,
    label: String,
    kind: Spanned<String>,
    special: Option<Spanned<String>>,
    #[serde(default)]
    evidence: Vec<Spanned<String>>,
    personal_alone: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProcess {
    id: Spanned<String>,
    name: String,
    #[serde(default)]
    categories: Vec<Spanned<String>>,
    #[serde(default)]
    lawful_bases: Vec<Spanned<String>>,
    #[serde(default)]
    conditions: Vec<Spanned<String>>,
    criminal_basis: Option<String>,
    retention: Option<Spanned<RawRetention>>,
    #[serde(rename = "match")]
    matcher: Option<Spanned<RawMatch>>,
    #[serde(default)]
    columns: RawColumns,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRetention {
    period: Spanned<String>,
    after: Option<Spanned<toml::Value>>,
    missing: Option<Spanned<String>>,
    #[serde(rename = "while")]
    kept_while: Option<Spanned<RawWhile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWhile {
    column: String,
    holds: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawMatch {
    #[serde(default)]
    paths: Vec<Spanned<String>>,
    #[serde(default)]
    names: Vec<Spanned<String>>,
    #[serde(default)]
    headers: Vec<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawColumns {
    #[serde(default)]
    lawful_basis: Vec<String>,
    #[serde(default)]
    consent: Vec<String>,
}

/// Accepts a basis by name (`contract`) or reference (`6(1)(b)`, `9(2)(h)`),
/// giving its name.
fn basis_name(value: &str, article: &str, table: &[(&str, &str)]) -> Option<String> {
    let v = value.trim().to_lowercase().replace([' ', '-'], "_");
    if let Some(letter) = v
        .strip_prefix(article)
        .and_then(|r| r.strip_prefix('('))
        .and_then(|r| r.strip_suffix(')'))
    {
        return table
            .iter()
            .find(|(l, _)| *l == letter)
            .map(|(_, n)| n.to_string());
    }
    table
        .iter()
        .find(|(_, n)| *n == v)
        .map(|(_, n)| n.to_string())
}

/// "6 years", "18 months", "1 day", "indefinite".
pub fn parse_period(text: &str) -> Option<Period> {
    let t = text.trim().to_lowercase();
    if t == "indefinite" || t == "indefinitely" {
        return Some(Period::Indefinite);
    }
    let (n, unit) = t.split_once(' ')?;
    let n: i64 = n.parse().ok().filter(|&n| n > 0 && n <= 1000)?;
    let unit = match unit.trim() {
        "day" | "days" => Unit::Days,
        "week" | "weeks" => Unit::Weeks,
        "month" | "months" => Unit::Months,
        "year" | "years" => Unit::Years,
        _ => return None,
    };
    Some(Period::Span(n, unit))
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn glob_set(patterns: &[String]) -> Result<GlobSet, (usize, String)> {
    let mut b = GlobSetBuilder::new();
    for (i, p) in patterns.iter().enumerate() {
        let glob = GlobBuilder::new(&p.to_lowercase())
            .literal_separator(true)
            .build()
            .map_err(|e| (i, e.kind().to_string()))?;
        b.add(glob);
    }
    b.build().map_err(|e| (0, e.to_string()))
}

fn column_names(names: &[String]) -> Vec<String> {
    names
        .iter()
        .map(|n| normalise(n).trim().to_string())
        .filter(|n| !n.is_empty())
        .collect()
}

impl Policy {
    /// The embedded default policy, for `rules`. Detectors it names that a
    /// replaced rule set lacks are dropped rather than refused.
    pub fn embedded(rules: &Rules) -> Policy {
        let (policy, checked) = Policy::parse("embedded", DEFAULT_POLICY, rules);
        match policy {
            Some(p)
                if checked
                    .errors
                    .iter()
                    .all(|e| e.message.contains("unknown detector")) =>
            {
                p
            }
            // A test keeps the embedded policy valid; never fail a scan on it.
            _ => Policy::empty(),
        }
    }

    fn empty() -> Policy {
        Policy {
            name: "none".into(),
            source: String::new(),
            version: String::new(),
            origin: "embedded".into(),
            text: String::new(),
            categories: Vec::new(),
            processes: Vec::new(),
        }
    }

    /// Reads a policy file: `Ok` with its warnings, or every error found.
    pub fn load(path: &std::path::Path, rules: &Rules) -> anyhow::Result<(Policy, Checked)> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read policy {}: {e}", path.display()))?;
        let origin = path.display().to_string();
        let (policy, checked) = Policy::parse(&origin, &text, rules);
        match policy {
            Some(p) if checked.errors.is_empty() => Ok((p, checked)),
            _ => anyhow::bail!(
                "the policy has errors (see `trawl policy check`):\n{}",
                checked.describe(&origin).trim_end()
            ),
        }
    }

    /// Parses and checks a policy against the detectors in `rules`. The
    /// policy is `None` only when the text is not a policy at all.
    pub fn parse(origin: &str, text: &str, rules: &Rules) -> (Option<Policy>, Checked) {
        let mut checked = Checked::default();
        let raw: RawPolicy = match toml::from_str(text) {
            Ok(r) => r,
            Err(e) => {
                let line = e.span().map_or(1, |s| line_of(text, s.start));
                checked.errors.push(Problem {
                    line,
                    message: e.message().trim().to_string(),
                });
                return (None, checked);
            }
        };
        let mut err = |span: std::ops::Range<usize>, message: String| {
            checked.errors.push(Problem {
                line: line_of(text, span.start),
                message,
            })
        };
        let mut warnings: Vec<Problem> = Vec::new();
        let mut warn = |span: std::ops::Range<usize>, message: String| {
            warnings.push(Problem {
                line: line_of(text, span.start),
                message,
            })
        };
        let detector_ids: HashSet<&str> = rules.detectors.iter().map(|d| d.id.as_str()).collect();

        let mut categories = Vec::new();
        let mut category_ids: HashMap<String, Kind> = HashMap::new();
        let mut evidenced_by: HashMap<String, String> = HashMap::new();
        let mut unfindable = Vec::new();
        for c in raw.categories {
            let id = c.id.get_ref().trim().to_string();
            if id.is_empty() {
                err(c.id.span(), "a category needs an id".into());
                continue;
            }
            let kind = match c.kind.get_ref().as_str() {
                "personal" => Kind::Personal,
                "special" => Kind::Special,
                "criminal" => Kind::Criminal,
                other => {
                    err(
                        c.kind.span(),
                        format!("category {id:?}: unknown kind {other:?} (personal, special or criminal)"),
                    );
                    Kind::Personal
                }
            };
            if category_ids.insert(id.clone(), kind).is_some() {
                err(c.id.span(), format!("category {id:?} is declared twice"));
            }
            let special = match (&c.special, kind) {
                (Some(s), Kind::Special) if SPECIAL_TYPES.contains(&s.get_ref().as_str()) => {
                    Some(s.get_ref().clone())
                }
                (Some(s), Kind::Special) => {
                    err(
                        s.span(),
                        format!(
                            "category {id:?}: {:?} is not an Article 9 special category ({})",
                            s.get_ref(),
                            SPECIAL_TYPES.join(", ")
                        ),
                    );
                    None
                }
                (Some(s), _) => {
                    err(
                        s.span(),
                        format!("category {id:?}: `special` is only for kind = \"special\""),
                    );
                    None
                }
                (None, Kind::Special) => {
                    err(
                        c.kind.span(),
                        format!(
                            "category {id:?}: say which special category it is, with special = one of {}",
                            SPECIAL_TYPES.join(", ")
                        ),
                    );
                    None
                }
                (None, _) => None,
            };
            let mut evidence = Vec::new();
            for e in &c.evidence {
                let d = e.get_ref();
                if !detector_ids.contains(d.as_str()) {
                    let mut known: Vec<&str> = detector_ids.iter().copied().collect();
                    known.sort();
                    err(
                        e.span(),
                        format!(
                            "category {id:?}: unknown detector {d:?} (the rules in force have {})",
                            known.join(", ")
                        ),
                    );
                    continue;
                }
                if let Some(other) = evidenced_by.insert(d.clone(), id.clone()) {
                    err(
                        e.span(),
                        format!("detector {d:?} already evidences category {other:?}; a detector evidences one category"),
                    );
                }
                evidence.push(d.clone());
            }
            if c.evidence.is_empty() {
                unfindable.push((c.id.span(), id.clone()));
            }
            categories.push(Category {
                id,
                label: c.label,
                kind,
                special,
                evidence,
                personal_alone: c.personal_alone.unwrap_or(true),
            });
        }
        if let Some((span, _)) = unfindable.first() {
            let names: Vec<&str> = unfindable.iter().map(|(_, n)| n.as_str()).collect();
            warn(
                span.clone(),
                format!(
                    "no detector evidences {} yet: declared, but trawl cannot find them",
                    names.join(", ")
                ),
            );
        }
        let mut unclaimed: Vec<&str> = rules
            .detectors
            .iter()
            .map(|d| d.id.as_str())
            .filter(|d| !evidenced_by.contains_key(*d))
            .collect();
        unclaimed.sort();
        if !unclaimed.is_empty() {
            warn(
                0..0,
                format!(
                    "no category is evidenced by {}: their findings will be flagged undeclared_category",
                    unclaimed.join(", ")
                ),
            );
        }

        let mut processes = Vec::new();
        let mut process_ids = HashSet::new();
        for p in raw.processes {
            let id = p.id.get_ref().trim().to_string();
            if !process_ids.insert(id.clone()) {
                err(p.id.span(), format!("process {id:?} is declared twice"));
            }
            let mut holds = Vec::new();
            for c in &p.categories {
                match category_ids.get(c.get_ref()) {
                    Some(_) => holds.push(c.get_ref().clone()),
                    None => err(
                        c.span(),
                        format!("process {id:?}: unknown category {:?}", c.get_ref()),
                    ),
                }
            }
            let mut names_of = |list: &[Spanned<String>],
                                article: &str,
                                what: &str,
                                table: &[(&str, &str)]| {
                let mut names = Vec::new();
                for b in list {
                    match basis_name(b.get_ref(), article, table) {
                        Some(n) => names.push(n),
                        None => err(
                            b.span(),
                            format!(
                                "process {id:?}: {:?} is not an Article {article} {what} ({} or {article}(a)–({}))",
                                b.get_ref(),
                                table.iter().map(|(_, n)| *n).collect::<Vec<_>>().join(", "),
                                table.last().map_or("a", |(l, _)| *l)
                            ),
                        ),
                    }
                }
                names
            };
            let lawful_bases = names_of(&p.lawful_bases, "6(1)", "lawful basis", &LAWFUL_BASES);
            let conditions = names_of(&p.conditions, "9(2)", "condition", &CONDITIONS);
            let criminal_basis = p.criminal_basis.filter(|s| !s.trim().is_empty());
            if p.lawful_bases.is_empty() {
                warn(
                    p.id.span(),
                    format!("process {id:?} records no lawful basis: its records will be flagged no_lawful_basis"),
                );
            }
            let holds_kind = |k: Kind| {
                holds
                    .iter()
                    .any(|c| category_ids.get(c.as_str()) == Some(&k))
            };
            if holds_kind(Kind::Special) && conditions.is_empty() {
                warn(
                    p.id.span(),
                    format!("process {id:?} holds special-category data but records no Article 9 condition"),
                );
            }
            if holds_kind(Kind::Criminal) && criminal_basis.is_none() {
                warn(
                    p.id.span(),
                    format!("process {id:?} holds criminal offence data but records no Article 10 basis (criminal_basis)"),
                );
            }
            let retention = p.retention.as_ref().and_then(|r| {
                let span = r.span();
                let r = r.get_ref();
                let period = match parse_period(r.period.get_ref()) {
                    Some(period) => period,
                    None => {
                        err(
                            r.period.span(),
                            format!(
                                "process {id:?}: bad retention period {:?} (say \"6 years\", \"18 months\", \"30 days\", \"1 week\" or \"indefinite\")",
                                r.period.get_ref()
                            ),
                        );
                        return None;
                    }
                };
                let after = match r.after.as_ref().map(|a| (a.span(), a.get_ref())) {
                    None => None,
                    Some((_, toml::Value::String(s))) if s == "document_date" => {
                        Some(Trigger::DocumentDate)
                    }
                    Some((_, toml::Value::String(s))) if s == "modified" => Some(Trigger::Modified),
                    Some((_, toml::Value::Table(t))) if t.len() == 1 && t.contains_key("column") => {
                        let names: Vec<String> = match &t["column"] {
                            toml::Value::String(s) => vec![s.clone()],
                            toml::Value::Array(a) => a
                                .iter()
                                .filter_map(|v| v.as_str().map(str::to_string))
                                .collect(),
                            _ => Vec::new(),
                        };
                        (!names.is_empty()).then_some(Trigger::Column(names))
                    }
                    Some((span, _)) => {
                        err(
                            span,
                            format!("process {id:?}: retention `after` must be {{ column = [\"…\"] }}, \"document_date\" or \"modified\""),
                        );
                        return None;
                    }
                };
                if after.is_none() && period != Period::Indefinite {
                    err(
                        span.clone(),
                        format!("process {id:?}: a retention period of {period} needs `after`: what starts it"),
                    );
                }
                let missing_is_live = match r.missing.as_ref().map(|m| (m.span(), m.get_ref().as_str())) {
                    None | Some((_, "unknown")) => false,
                    Some((_, "live")) => true,
                    Some((span, other)) => {
                        err(
                            span,
                            format!("process {id:?}: `missing` is \"unknown\" or \"live\", not {other:?}"),
                        );
                        false
                    }
                };
                let kept_while = r.kept_while.as_ref().and_then(|w| {
                    let holds = match w.get_ref().holds.as_str() {
                        "positive" => Holds::Positive,
                        "non_empty" => Holds::NonEmpty,
                        "yes" => Holds::Yes,
                        other => {
                            err(
                                w.span(),
                                format!("process {id:?}: `holds` is \"positive\", \"non_empty\" or \"yes\", not {other:?}"),
                            );
                            return None;
                        }
                    };
                    Some((w.get_ref().column.clone(), holds))
                });
                Some(Retention {
                    period,
                    after,
                    missing_is_live,
                    kept_while,
                })
            });
            let matcher = p.matcher.as_ref().map(|m| m.get_ref());
            let paths: Vec<String> = matcher
                .map(|m| m.paths.iter().map(|s| s.get_ref().clone()).collect())
                .unwrap_or_default();
            let names: Vec<String> = matcher
                .map(|m| m.names.iter().map(|s| s.get_ref().clone()).collect())
                .unwrap_or_default();
            let headers: Vec<Vec<String>> = matcher
                .map(|m| {
                    m.headers
                        .iter()
                        .map(|sig| column_names(sig))
                        .filter(|sig| !sig.is_empty())
                        .collect()
                })
                .unwrap_or_default();
            if paths.is_empty() && names.is_empty() && headers.is_empty() {
                err(
                    p.matcher.as_ref().map_or(p.id.span(), |m| m.span()),
                    format!("process {id:?} matches nothing: give `match` paths, names or headers"),
                );
            }
            let mut sets = Vec::new();
            for (list, spanned) in [
                (&paths, matcher.map(|m| &m.paths)),
                (&names, matcher.map(|m| &m.names)),
            ] {
                match glob_set(list) {
                    Ok(s) => sets.push(s),
                    Err((i, why)) => {
                        let span = spanned
                            .and_then(|s| s.get(i))
                            .map_or(p.id.span(), |s| s.span());
                        err(
                            span,
                            format!("process {id:?}: bad glob {:?}: {why}", list[i]),
                        );
                        sets.push(GlobSet::empty());
                    }
                }
            }
            let name_set = sets.pop().unwrap_or_else(GlobSet::empty);
            let path_set = sets.pop().unwrap_or_else(GlobSet::empty);
            processes.push(Process {
                id,
                name: p.name,
                categories: holds,
                lawful_bases,
                conditions,
                criminal_basis,
                retention,
                paths,
                names,
                headers,
                lawful_basis_columns: p.columns.lawful_basis,
                consent_columns: p.columns.consent,
                path_set,
                name_set,
            });
        }
        checked.warnings = warnings;
        let policy = Policy {
            name: raw.policy.name,
            source: raw.policy.source,
            version: raw.policy.version,
            origin: origin.to_string(),
            text: text.to_string(),
            categories,
            processes,
        };
        (Some(policy), checked)
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    /// Every column some process reads, for the extractors to keep.
    pub fn record_columns(&self) -> Vec<String> {
        let mut cols: Vec<String> = self.processes.iter().flat_map(Process::columns).collect();
        cols.sort();
        cols.dedup();
        cols
    }
}
