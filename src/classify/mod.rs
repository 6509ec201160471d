//! Classification: each record that holds findings is claimed by at most one
//! of the policy's processes, its findings take the policy's categories, and
//! the record is flagged where the policy says it should not be held as it
//! is: past its retention date, without a lawful basis, special-category
//! data without an Article 9 condition, a category its process does not
//! declare, or a retention date that cannot be worked out.

pub mod policy;
mod retention;
pub mod show;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::detect::{Confidence, Rules};
use crate::extract::RecordDraft;
use crate::report::{Finding, Location};
pub use policy::{Kind, Policy, Process};

/// Flags, most severe first: the order a DPO should work through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    SpecialCategoryWithoutCondition,
    NoLawfulBasis,
    PastRetention,
    UndeclaredCategory,
    RetentionUnknown,
}

impl FlagKind {
    pub const ALL: [FlagKind; 5] = [
        FlagKind::SpecialCategoryWithoutCondition,
        FlagKind::NoLawfulBasis,
        FlagKind::PastRetention,
        FlagKind::UndeclaredCategory,
        FlagKind::RetentionUnknown,
    ];
}

impl fmt::Display for FlagKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FlagKind::SpecialCategoryWithoutCondition => "special_category_without_condition",
            FlagKind::NoLawfulBasis => "no_lawful_basis",
            FlagKind::PastRetention => "past_retention",
            FlagKind::UndeclaredCategory => "undeclared_category",
            FlagKind::RetentionUnknown => "retention_unknown",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flag {
    pub flag: FlagKind,
    /// What is wrong, in words a DPO can act on.
    pub reason: String,
}

/// A record that holds findings, classified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub path: String,
    /// How its findings name it: `row 3`, `document`, `message 2`.
    pub record: String,
    pub location: Location,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<String>,
    /// Which of the process's rules claimed it: `path **/rents/**`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matched_by: Option<String>,
    /// Categories of its findings at medium confidence or above.
    pub categories: Vec<String>,
    /// Categories seen only as low-confidence mentions (no flag rests on them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentions: Vec<String>,
    /// Whether it holds personal data about a person (see [`Classifier`]).
    pub personal: bool,
    pub flags: Vec<Flag>,
    /// With `--state`: a stable name for this record, for triage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// With `--state`: not in the last completed run.
    #[serde(default, skip_serializing_if = "crate::report::is_false")]
    pub new: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triage: Option<Box<crate::report::Triage>>,
}

/// What a detector's findings are, under the policy.
#[derive(Debug, Clone)]
struct DetectorClass {
    /// Index into the policy's categories, if one declares the detector.
    category: Option<usize>,
    /// The detector's own category, when the policy declares none.
    fallback: String,
}

pub struct Classifier {
    pub policy: Policy,
    /// The rules' permanent exceptions (`suppressions.toml`).
    pub suppressions: Vec<crate::detect::suppress::Suppression>,
    as_of: Date,
    detectors: HashMap<String, DetectorClass>,
}

impl Classifier {
    pub fn new(policy: Policy, rules: &Rules, as_of: Date) -> Classifier {
        let detectors = rules
            .detectors
            .iter()
            .map(|d| {
                let category = policy
                    .categories
                    .iter()
                    .position(|c| c.evidence.contains(&d.id));
                (
                    d.id.clone(),
                    DetectorClass {
                        category,
                        fallback: d.category.clone(),
                    },
                )
            })
            .collect();
        Classifier {
            policy,
            suppressions: rules.suppressions.clone(),
            as_of,
            detectors,
        }
    }

    pub fn as_of(&self) -> Date {
        self.as_of
    }

    /// Classifies one file's records and findings: sets each finding's
    /// category and process, and returns each record with its flags, in the
    /// order the drafts came. `modified` is the file's modification date.
    pub fn classify(
        &self,
        drafts: Vec<RecordDraft>,
        findings: &mut [Finding],
        modified: Option<Date>,
    ) -> Vec<Record> {
        let index: HashMap<(&str, &str), usize> = drafts
            .iter()
            .enumerate()
            .map(|(i, d)| ((d.path.as_str(), d.locator.as_str()), i))
            .collect();
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); drafts.len()];
        for (fi, f) in findings.iter().enumerate() {
            if let Some(&ri) = index.get(&(f.path.as_str(), f.record.as_str())) {
                members[ri].push(fi);
            }
        }
        let mut records = Vec::with_capacity(drafts.len());
        let mut tables: HashMap<(String, usize), TableFacts> = HashMap::new();
        for (draft, member) in drafts.into_iter().zip(members) {
            if member.is_empty() {
                continue;
            }
            // A table's rows share one header list: what it answers is
            // worked out once a table, not looked through for every row.
            let table = tables
                .entry((
                    draft.path.clone(),
                    Arc::as_ptr(&draft.headers) as *const () as usize,
                ))
                .or_insert_with(|| TableFacts {
                    claim: self.policy.processes.iter().enumerate().find_map(|(i, p)| {
                        p.claims(&draft.path, &draft.headers).map(|rule| (i, rule))
                    }),
                    names: draft.headers.iter().cloned().collect(),
                    _headers: Arc::clone(&draft.headers),
                });
            let claim = table.claim.clone();
            let process = claim.as_ref().map(|(i, _)| &self.policy.processes[*i]);
            let mut categories = BTreeSet::new();
            let mut mentions = BTreeSet::new();
            let mut personal = false;
            for &fi in &member {
                let f = &mut findings[fi];
                let class = self.detectors.get(&f.detector);
                let category = class
                    .and_then(|c| c.category)
                    .map(|i| &self.policy.categories[i]);
                f.category = match (category, class) {
                    (Some(c), _) => c.id.clone(),
                    (None, Some(c)) => c.fallback.clone(),
                    (None, None) => f.category.clone(),
                };
                f.process = process.map(|p| p.id.clone());
                // Suppressed (by a rule or the DPO): named, but it counts
                // for nothing.
                if f.triage.is_some() {
                    continue;
                }
                if f.confidence >= Confidence::Medium {
                    categories.insert(f.category.clone());
                    // An undeclared category counts: better a flag too many.
                    personal |= category.is_none_or(|c| c.personal_alone);
                } else {
                    mentions.insert(f.category.clone());
                }
            }
            if categories.is_empty() && mentions.is_empty() {
                // Every finding in it was suppressed.
                continue;
            }
            let mentions: Vec<String> = mentions.difference(&categories).cloned().collect();
            let categories: Vec<String> = categories.into_iter().collect();
            let flags = if personal {
                self.flags(&draft, &table.names, process, &categories, modified)
            } else {
                Vec::new()
            };
            records.push(Record {
                path: draft.path,
                record: draft.locator,
                location: draft.location,
                process: process.map(|p| p.id.clone()),
                matched_by: claim.map(|(_, rule)| rule),
                categories,
                mentions,
                personal,
                flags,
                fingerprint: None,
                new: false,
                triage: None,
            });
        }
        records
    }

    fn flags(
        &self,
        draft: &RecordDraft,
        headers: &HashSet<String>,
        process: Option<&Process>,
        categories: &[String],
        modified: Option<Date>,
    ) -> Vec<Flag> {
        let mut flags = Vec::new();
        let mut flag = |flag: FlagKind, reason: String| flags.push(Flag { flag, reason });
        let fields = Fields { draft, headers };
        let declared: Vec<&policy::Category> = categories
            .iter()
            .filter_map(|c| self.policy.category(c))
            .collect();
        let label = |kind: Kind| -> Vec<String> {
            declared
                .iter()
                .filter(|c| c.kind == kind)
                .map(|c| c.label.clone())
                .collect()
        };

        // Special category and criminal offence data need more than Article
        // 6: one flag, with a reason for each kind held without its basis.
        let mut unmet = Vec::new();
        for (kind, what, basis) in [
            (
                Kind::Special,
                "special category, Article 9",
                "Article 9 condition",
            ),
            (
                Kind::Criminal,
                "criminal offence data, Article 10",
                "Article 10 basis",
            ),
        ] {
            let held = label(kind);
            if held.is_empty() {
                continue;
            }
            let what = format!("{} ({what})", held.join(", "));
            let has_basis = |p: &Process| match kind {
                Kind::Criminal => p.criminal_basis.is_some(),
                _ => !p.conditions.is_empty(),
            };
            match process {
                None => unmet.push(format!(
                    "Holds {what}, but no process claims this record, so no {basis} covers it."
                )),
                Some(p) if !has_basis(p) => unmet.push(format!(
                    "Holds {what}, but process \"{}\" records no {basis}.",
                    p.name
                )),
                Some(p)
                    if kind == Kind::Special
                        && p.conditions.iter().all(|c| c == "explicit_consent") =>
                {
                    if let Some(why) = fields.consent_missing(p) {
                        unmet.push(format!(
                            "Holds {what}; process \"{}\" relies on explicit consent alone, and {why}.",
                            p.name
                        ));
                    }
                }
                Some(_) => {}
            }
        }
        if !unmet.is_empty() {
            flag(FlagKind::SpecialCategoryWithoutCondition, unmet.join(" "));
        }

        // A lawful basis: the process's, and the row's own where it has one.
        match process {
            None => flag(
                FlagKind::NoLawfulBasis,
                "Holds personal data, but no process in the policy claims this record (no path, file-name or header rule fits it), so nothing records a lawful basis for it.".into(),
            ),
            Some(p) if p.lawful_bases.is_empty() => flag(
                FlagKind::NoLawfulBasis,
                format!("Process \"{}\" records no Article 6 lawful basis.", p.name),
            ),
            Some(p) => {
                if let Some(why) = fields.lawful_basis_missing(p) {
                    flag(FlagKind::NoLawfulBasis, format!("Claimed by process \"{}\", but {why}.", p.name));
                } else if p.lawful_bases.iter().all(|b| b == "consent") {
                    if let Some(why) = fields.consent_missing(p) {
                        flag(
                            FlagKind::NoLawfulBasis,
                            format!("Process \"{}\" relies on consent alone, and {why}.", p.name),
                        );
                    }
                }
            }
        }

        if let Some(p) = process {
            if let Some((kind, reason)) = retention::judge(p, &fields, self.as_of, modified) {
                flag(kind, reason);
            }
        }

        // Categories the policy, or the record's process, does not declare.
        let mut undeclared = Vec::new();
        for c in categories {
            match (self.policy.category(c), process) {
                (None, _) => undeclared.push(format!("{c} (no category in the policy)")),
                (Some(cat), Some(p)) if !p.categories.contains(c) => undeclared.push(format!(
                    "{} (not declared by process \"{}\")",
                    cat.label, p.name
                )),
                _ => {}
            }
        }
        if !undeclared.is_empty() {
            flag(
                FlagKind::UndeclaredCategory,
                format!("Holds {}.", undeclared.join("; ")),
            );
        }
        flags.sort_by_key(|f| f.flag);
        flags
    }
}

/// What a table's header list answers, for all its rows.
struct TableFacts {
    /// The process that claims its records (by index), and by which rule.
    claim: Option<(usize, String)>,
    /// Its header names, to look one up.
    names: HashSet<String>,
    /// Held so that no other list can take its address, the cache's key.
    _headers: Arc<[String]>,
}

/// A record's columns, as the policy reads them.
struct Fields<'a> {
    draft: &'a RecordDraft,
    /// Its table's header names.
    headers: &'a HashSet<String>,
}

impl<'a> Fields<'a> {
    /// The first of `names` that the record has as a column, with its value
    /// (`None` where the column is there but empty in this record).
    fn first(&self, names: &[String]) -> Option<(String, Option<&'a str>)> {
        names.iter().find_map(|n| {
            let key = crate::detect::context::normalise(n).trim().to_string();
            let value = match self.draft.fields.iter().find(|(k, _)| *k == key) {
                Some((_, v)) => Some(v.as_str()).filter(|v| !v.is_empty()),
                None if self.headers.contains(&key) => None,
                None => return None,
            };
            Some((n.clone(), value))
        })
    }

    fn lawful_basis_missing(&self, p: &Process) -> Option<String> {
        match self.first(&p.lawful_basis_columns)? {
            (name, None) => Some(format!("its \"{name}\" column is empty")),
            (name, Some(v)) if !names_a_basis(v) => Some(format!(
                "its \"{name}\" column does not name an Article 6 lawful basis"
            )),
            _ => None,
        }
    }

    fn consent_missing(&self, p: &Process) -> Option<String> {
        match self.first(&p.consent_columns)? {
            (name, None) => Some(format!("its \"{name}\" column is empty")),
            (name, Some(v)) if says_no(v) => {
                Some(format!("its \"{name}\" column records no consent"))
            }
            _ => None,
        }
    }
}

/// Whether a lawful-basis cell names a basis ("Contract", "6(1)(b)",
/// "Legal obligation; public task").
fn names_a_basis(value: &str) -> bool {
    let norm = crate::detect::context::normalise(value);
    policy::LAWFUL_BASES.iter().any(|(letter, name)| {
        norm.contains(&format!(" {} ", name.replace('_', " ")))
            || norm.contains(&format!(" 6 1 {letter} "))
            || (*name == "public_task" && norm.contains(" public interest "))
            || (*name == "legitimate_interests" && norm.contains(" legitimate interest "))
    })
}

fn says_no(value: &str) -> bool {
    matches!(
        value.trim().to_lowercase().as_str(),
        "no" | "n" | "false" | "0" | "withdrawn" | "refused" | "none" | "not given"
    )
}

#[cfg(test)]
mod tests;
