//! Rules are data: `rules/detectors.toml` and the word lists beside it,
//! embedded at build time and replaceable with `--rules DIR`.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use super::validators::Validator;

/// The embedded default rules, so a bare `trawl scan` needs no files.
const DEFAULT_DETECTORS: &str = include_str!("../../rules/detectors.toml");
const DEFAULT_SUPPRESSIONS: &str = include_str!("../../rules/suppressions.toml");
const SUPPRESSIONS: &str = "suppressions.toml";
const DEFAULT_ALLOWLIST: &str = include_str!("../../rules/allowlist.toml");
/// Every `rules/*.txt`, by file name (written by build.rs).
const DEFAULT_WORD_LISTS: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/word_lists.rs"));

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl std::str::FromStr for Confidence {
    type Err = String;

    fn from_str(s: &str) -> Result<Confidence, String> {
        match s {
            "low" => Ok(Confidence::Low),
            "medium" => Ok(Confidence::Medium),
            "high" => Ok(Confidence::High),
            _ => Err(format!("{s:?} is not a confidence: low, medium or high")),
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Boundary {
    /// The regex's own `\b` is enough.
    #[default]
    Word,
    /// No digit directly before or after the value, nor a decimal point
    /// with a digit beyond it: `3.875451` and `4.01 2019-01-21` hold no
    /// sort code or phone number.
    Digits,
    /// Nor a single separator and then a digit: the value is not one part of a
    /// longer grouped number such as `1234 5678 9012 3456 7890`.
    DigitGroups,
    /// No Latin letter directly after the value, accented or not: a name
    /// ends where its word does ("Dear JavaScript" names no "Java", and
    /// "Mr McDONALD" is not "Mr Mc"), which a `(?-u)` pattern's `\b`
    /// cannot see after a letter outside ASCII. A letter of another
    /// script may follow: Chinese text sets no space after a name.
    WordEnd,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    version: u32,
    /// Pieces of patterns, named, for `{part:NAME}`.
    #[serde(default)]
    parts: std::collections::BTreeMap<String, String>,
    #[serde(rename = "detector")]
    detectors: Vec<DetectorSpec>,
}

/// One `[[detector]]` table, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DetectorSpec {
    id: String,
    label: String,
    category: String,
    pattern: Option<String>,
    words: Option<String>,
    validator: Option<String>,
    /// A word list the validator reads (person_name: surnames).
    validator_words: Option<String>,
    /// More word lists the validator reads, by role (person_name: titles,
    /// particles).
    #[serde(default)]
    validator_lists: std::collections::BTreeMap<String, String>,
    /// Detectors whose values this one's values hold (a GB IBAN: a sort
    /// code and an account number), reported beside it.
    #[serde(default)]
    yields: Vec<String>,
    #[serde(default)]
    context: Vec<String>,
    header_context: Option<Vec<String>>,
    #[serde(default)]
    negative_context: Vec<String>,
    #[serde(default = "default_before")]
    context_before: usize,
    #[serde(default)]
    context_after: usize,
    /// Windows in words (then `context_before`/`context_after` cap them in
    /// bytes): "NI No." and "National Insurance number:" are both two or
    /// three words from the value, whatever their length.
    context_words_before: Option<usize>,
    context_words_after: Option<usize>,
    #[serde(default)]
    requires_context: bool,
    pairs_with: Option<String>,
    /// A value written as one run of digits neither pairs nor is a partner.
    #[serde(default)]
    pair_only_grouped: bool,
    /// Column names (or keys, labels) under which a whole field of the
    /// validator's shape is a value: two words or more ...
    #[serde(default)]
    whole_value_headers: Vec<String>,
    /// ... or one word or more.
    #[serde(default)]
    whole_value_part_headers: Vec<String>,
    /// Labels in running text, never column names, before a whole value
    /// of two words or more ("Name:").
    #[serde(default)]
    whole_value_labels: Vec<String>,
    #[serde(default = "default_pair_distance")]
    pair_distance: usize,
    link_distance: Option<usize>,
    #[serde(default)]
    identifies_person: bool,
    confidence: Confidence,
    confidence_with_context: Confidence,
    #[serde(default)]
    boundary: Boundary,
    #[serde(default)]
    mask_keep_start: usize,
    #[serde(default)]
    mask_keep_end: usize,
    #[serde(default = "shape_kept")]
    mask_shape: bool,
    #[serde(default)]
    not_personal: Vec<String>,
}

fn shape_kept() -> bool {
    true
}

fn default_before() -> usize {
    40
}
/// The widest context, pairing or linkage distance a rule may ask for.
const MAX_DISTANCE: usize = 4096;

fn default_pair_distance() -> usize {
    24
}

/// What a detector looks for.
#[derive(Debug, Clone)]
pub enum Matcher {
    Pattern(String),
    /// Terms of a word list, already normalised to lower case.
    Words {
        file: String,
        terms: Vec<String>,
    },
    /// No search: values only as whole fields under its columns and after
    /// its labels, where its validator judges them (a gender's "F").
    Fields,
}

/// A detector, resolved and checked.
#[derive(Debug, Clone)]
pub struct Detector {
    pub id: String,
    pub label: String,
    pub category: String,
    pub matcher: Matcher,
    pub validator: Option<Validator>,
    /// Keywords, normalised with [`super::context::normalise`].
    pub context: Vec<String>,
    pub header_context: Vec<String>,
    pub negative_context: Vec<String>,
    pub context_before: usize,
    pub context_after: usize,
    pub context_words_before: Option<usize>,
    pub context_words_after: Option<usize>,
    pub requires_context: bool,
    /// Index of the detector whose value nearby stands in for context.
    pub pairs_with: Option<usize>,
    /// Only a value written in groups ("12-34-56") pairs or partners; one
    /// run of digits ("123456": an issue number, a count) needs context.
    pub pair_only_grouped: bool,
    /// Normalised column names under which a whole field of the validator's
    /// shape is a value though the pattern found none in it (a Surname
    /// column's "Okafor"): under the first, of two words or more.
    pub whole_value_headers: Vec<String>,
    pub whole_value_part_headers: Vec<String>,
    /// Normalised labels in running text, not column names, before a
    /// whole value as under `whole_value_headers` ("Name:").
    pub whole_value_labels: Vec<String>,
    pub pair_distance: usize,
    /// For word lists: how near (in characters) a person identifier must be.
    pub link_distance: Option<usize>,
    pub identifies_person: bool,
    pub confidence: Confidence,
    pub confidence_with_context: Confidence,
    pub boundary: Boundary,
    pub mask_keep_start: usize,
    pub mask_keep_end: usize,
    /// false: a masked value is "***" whatever its length, where the
    /// length alone would tell it ("F", "Male", "Female").
    pub mask_shape: bool,
    /// Values that are not about a person (a role mailbox): reported as
    /// low-confidence mentions only.
    pub not_personal: Option<regex::Regex>,
    /// Values known not to be anyone's (`allowlist.toml`), canonical.
    pub allowed: HashSet<String>,
    /// The word list its validator reads, lower case.
    pub validator_words: HashSet<String>,
    /// Its validator's other word lists, by role, as parsed.
    pub validator_lists: std::collections::BTreeMap<String, Vec<String>>,
    /// Detectors (by index) its values yield values for.
    pub yields: Vec<usize>,
}

impl Detector {
    /// The value as outputs show it unless told to reveal it.
    pub fn masked(&self, value: &str) -> String {
        if self.mask_shape {
            crate::report::mask(value, self.mask_keep_start, self.mask_keep_end)
        } else {
            crate::report::SHAPELESS.to_string()
        }
    }
}

/// The whole rule set, plus the source text it came from (for fingerprints).
#[derive(Debug, Clone)]
pub struct Rules {
    pub detectors: Vec<Detector>,
    /// Where the rules came from: `embedded` or the directory given.
    pub source: String,
    /// Every rules file's name and bytes, in a fixed order.
    pub files: Vec<(String, String)>,
    /// From `suppressions.toml`.
    pub suppressions: Vec<super::suppress::Suppression>,
}

/// The optional rules files beside `detectors.toml`, by name.
type LoadOptional<'a> = &'a dyn Fn(&str) -> Result<Option<String>>;

impl Rules {
    /// SHA-256 over every rules file's name, length and text, in order: it
    /// changes when any detector or word list does.
    pub fn sha256(&self) -> String {
        self.sha256_of(|_| true)
    }

    /// [`Rules::sha256`] of what decides what a file holds: every file but
    /// `suppressions.toml`, which only hides some of what was found.
    pub fn detection_sha256(&self) -> String {
        self.sha256_of(|name| name != SUPPRESSIONS)
    }

    /// [`Rules::sha256`] of `suppressions.toml` alone (of nothing when
    /// there is none).
    pub fn suppressions_sha256(&self) -> String {
        self.sha256_of(|name| name == SUPPRESSIONS)
    }

    fn sha256_of(&self, which: impl Fn(&str) -> bool) -> String {
        let mut hasher = crate::digest::Hasher::default();
        for (name, text) in self.files.iter().filter(|(name, _)| which(name)) {
            hasher.update(name.as_bytes());
            hasher.update(&[0]);
            hasher.update(&(text.len() as u64).to_le_bytes());
            hasher.update(text.as_bytes());
        }
        hasher.finish_hex()
    }

    /// The rules compiled into the binary.
    pub fn embedded() -> Result<Rules> {
        Rules::parse(
            "embedded",
            DEFAULT_DETECTORS,
            &|name: &str| -> Result<String> {
                DEFAULT_WORD_LISTS
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, text)| text.to_string())
                    .with_context(|| format!("no embedded word list named {name}"))
            },
            &|name: &str| {
                Ok(match name {
                    "suppressions.toml" => Some(DEFAULT_SUPPRESSIONS.to_string()),
                    "allowlist.toml" => Some(DEFAULT_ALLOWLIST.to_string()),
                    _ => None,
                })
            },
        )
    }

    /// Rules from a directory holding `detectors.toml` and its word lists.
    pub fn from_dir(dir: &Path) -> Result<Rules> {
        let main = dir.join("detectors.toml");
        let text = std::fs::read_to_string(&main)
            .with_context(|| format!("cannot read rules file {}", main.display()))?;
        Rules::parse(
            &dir.display().to_string(),
            &text,
            &|name: &str| {
                if name.contains('/') || name.contains('\\') || name.starts_with('.') {
                    bail!("word list {name:?} must be a plain file name beside detectors.toml");
                }
                let path = dir.join(name);
                std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read word list {}", path.display()))
            },
            // Optional: a rules directory need not suppress or allow anything.
            &|name: &str| {
                let path = dir.join(name);
                match std::fs::read_to_string(&path) {
                    Ok(text) => Ok(Some(text)),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
                }
            },
        )
    }

    fn parse(
        source: &str,
        text: &str,
        load_words: &dyn Fn(&str) -> Result<String>,
        load_optional: LoadOptional,
    ) -> Result<Rules> {
        let file: RulesFile = toml::from_str(text)
            .with_context(|| format!("{source}: detectors.toml is not valid"))?;
        if file.version != 1 {
            bail!(
                "{source}: detectors.toml has version {}, this trawl reads version 1",
                file.version
            );
        }
        let mut files = vec![("detectors.toml".to_string(), text.to_string())];
        // A word list's terms; its text goes into the rules' digest once,
        // however many detectors use it.
        let mut read_list = |name: &str| -> Result<Vec<String>> {
            let text = load_words(name)?;
            let terms = parse_word_list(&text);
            if !files.iter().any(|(n, _)| n == name) {
                files.push((name.to_string(), text));
            }
            Ok(terms)
        };
        let mut seen = HashSet::new();
        for spec in &file.detectors {
            if !seen.insert(spec.id.clone()) {
                bail!("{source}: detector {:?} is defined twice", spec.id);
            }
        }
        let index_of = |id: &str| file.detectors.iter().position(|d| d.id == id);
        let mut detectors = Vec::with_capacity(file.detectors.len());
        for spec in &file.detectors {
            let at = |msg: String| format!("{source}: detector {:?}: {msg}", spec.id);
            let whole = !spec.whole_value_headers.is_empty()
                || !spec.whole_value_part_headers.is_empty()
                || !spec.whole_value_labels.is_empty();
            let matcher = match (&spec.pattern, &spec.words) {
                (Some(p), None) => {
                    let p = expand_parts(p, &file.parts).map_err(|e| anyhow::anyhow!(at(e)))?;
                    let p = expand_word_lists(&p, &mut |name: &str| {
                        read_list(name).with_context(|| at("word list".into()))
                    })?;
                    regex::Regex::new(&p)
                        .map_err(|e| anyhow::anyhow!(at(format!("bad pattern: {e}"))))?;
                    Matcher::Pattern(p)
                }
                (None, Some(file_name)) => {
                    let terms = read_list(file_name).with_context(|| at("word list".into()))?;
                    if terms.is_empty() {
                        bail!(at(format!("word list {file_name} has no terms")));
                    }
                    Matcher::Words {
                        file: file_name.clone(),
                        terms,
                    }
                }
                (None, None) if whole => Matcher::Fields,
                _ => bail!(at(
                    "needs one of `pattern` or `words` (or neither, read only under its whole_value_headers and labels)"
                        .into()
                )),
            };
            let validator = match &spec.validator {
                None => None,
                Some(name) => Some(Validator::by_name(name).ok_or_else(|| {
                    anyhow::anyhow!(at(format!(
                        "unknown validator {name:?} (known: {})",
                        Validator::NAMES.join(", ")
                    )))
                })?),
            };
            if whole && !validator.is_some_and(|v| v.judges_whole_values()) {
                bail!(at(
                    "whole_value_headers needs a validator that judges a whole value (person_name, gender)"
                        .into()
                ));
            }
            // It reads no match: a pattern would find nothing, silently.
            if validator == Some(Validator::Gender) && !matches!(matcher, Matcher::Fields) {
                bail!(at(
                    "validator gender reads whole values only: give it no pattern or words".into()
                ));
            }
            let mut yields = Vec::new();
            for other in &spec.yields {
                yields.push(index_of(other).ok_or_else(|| {
                    anyhow::anyhow!(at(format!("yields names unknown detector {other:?}")))
                })?);
            }
            let pairs_with = match &spec.pairs_with {
                None => None,
                Some(other) => Some(index_of(other).ok_or_else(|| {
                    anyhow::anyhow!(at(format!("pairs_with names unknown detector {other:?}")))
                })?),
            };
            let not_personal =
                if spec.not_personal.is_empty() {
                    None
                } else {
                    let alternation = spec
                        .not_personal
                        .iter()
                        .map(|p| format!("(?:{p})"))
                        .collect::<Vec<_>>()
                        .join("|");
                    Some(regex::Regex::new(&alternation).map_err(|e| {
                        anyhow::anyhow!(at(format!("bad not_personal pattern: {e}")))
                    })?)
                };
            // Text is read ahead and kept behind by the widest of these
            // (see `Engine::reach`): bounded, so rules cannot make a scan
            // hold megabytes around every block.
            let widest = spec
                .context_before
                .max(spec.context_after)
                .max(spec.pair_distance)
                .max(spec.link_distance.unwrap_or(0));
            if widest > MAX_DISTANCE {
                bail!(at(format!(
                    "context and pairing distances are at most {MAX_DISTANCE} characters (this one is {widest})"
                )));
            }
            let norm = |list: &[String]| -> Vec<String> {
                list.iter()
                    .map(|k| super::context::normalise(k))
                    .filter(|k| !k.is_empty())
                    .collect()
            };
            detectors.push(Detector {
                id: spec.id.clone(),
                label: spec.label.clone(),
                category: spec.category.clone(),
                matcher,
                validator,
                context: norm(&spec.context),
                header_context: norm(spec.header_context.as_ref().unwrap_or(&spec.context)),
                negative_context: norm(&spec.negative_context),
                context_before: spec.context_before,
                context_after: spec.context_after,
                context_words_before: spec.context_words_before,
                context_words_after: spec.context_words_after,
                requires_context: spec.requires_context,
                pairs_with,
                pair_only_grouped: spec.pair_only_grouped,
                whole_value_headers: exact_names(&spec.whole_value_headers),
                whole_value_part_headers: exact_names(&spec.whole_value_part_headers),
                whole_value_labels: exact_names(&spec.whole_value_labels),
                pair_distance: spec.pair_distance,
                link_distance: spec.link_distance,
                identifies_person: spec.identifies_person,
                confidence: spec.confidence,
                confidence_with_context: spec.confidence_with_context,
                boundary: spec.boundary,
                mask_keep_start: spec.mask_keep_start,
                mask_keep_end: spec.mask_keep_end,
                mask_shape: spec.mask_shape,
                not_personal,
                allowed: Default::default(),
                yields,
                validator_words: match &spec.validator_words {
                    None => HashSet::new(),
                    Some(name) => read_list(name)
                        .with_context(|| at("validator word list".into()))?
                        .into_iter()
                        .collect(),
                },
                validator_lists: spec
                    .validator_lists
                    .iter()
                    .map(|(role, name)| {
                        let terms = read_list(name)
                            .with_context(|| at(format!("validator word list {role:?}")))?;
                        Ok((role.clone(), terms))
                    })
                    .collect::<Result<_>>()?,
            });
        }
        if detectors.is_empty() {
            bail!("{source}: detectors.toml defines no detectors");
        }
        let ids: Vec<&str> = detectors.iter().map(|d| d.id.as_str()).collect();
        let mut allowed = match load_optional("allowlist.toml")? {
            Some(text) => {
                let parsed = super::allow::parse(source, &text, &ids)?;
                files.push(("allowlist.toml".to_string(), text));
                parsed
            }
            None => Default::default(),
        };
        let suppressions = match load_optional(SUPPRESSIONS)? {
            Some(text) => {
                let parsed = super::suppress::parse(source, &text, &ids)?;
                files.push((SUPPRESSIONS.to_string(), text));
                parsed
            }
            None => Vec::new(),
        };
        for (i, d) in detectors.iter_mut().enumerate() {
            d.allowed = allowed.remove(&i).unwrap_or_default();
        }
        Ok(Rules {
            detectors,
            source: source.to_string(),
            files,
            suppressions,
        })
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.detectors.iter().position(|d| d.id == id)
    }
}

/// `{part:NAME}` in a pattern stands for the piece `NAME` of `[parts]`,
/// itself expanded: a long pattern's repeated pieces are written once.
fn expand_parts(
    pattern: &str,
    parts: &std::collections::BTreeMap<String, String>,
) -> std::result::Result<String, String> {
    const OPENING: &str = "{part:";
    // Deep enough for any sane nesting; a piece that holds itself stops here.
    const DEPTH: usize = 8;
    fn expand(
        pattern: &str,
        parts: &std::collections::BTreeMap<String, String>,
        depth: usize,
    ) -> std::result::Result<String, String> {
        let mut out = String::with_capacity(pattern.len());
        let mut rest = pattern;
        while let Some(at) = rest.find(OPENING) {
            out.push_str(&rest[..at]);
            let after = &rest[at + OPENING.len()..];
            let end = after
                .find('}')
                .ok_or_else(|| "unclosed {part:…} in a pattern".to_string())?;
            let name = &after[..end];
            let piece = parts
                .get(name)
                .ok_or_else(|| format!("no part {name:?} in [parts]"))?;
            if depth == DEPTH {
                return Err(format!("part {name:?} holds itself, or nests too deep"));
            }
            out.push_str(&expand(piece, parts, depth + 1)?);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
    expand(pattern, parts, 0)
}

/// `{words:FILE}` in a pattern stands for the terms of a word list, each
/// capitalised ("jane" → `Jane`), as an alternation: a pattern can require
/// a listed forename before a surname without a code path of its own.
/// `{words-outside-ascii:FILE}` stands for those of its terms that start
/// with a letter outside ASCII ("Łukasz"), before which a `(?-u)` pattern's
/// `\b` finds no word start: a pattern gives them a branch of their own
/// (no such term: a branch that matches nothing). `{words-as-written:FILE}`
/// stands for its terms as the list writes them: the small words of names
/// ("de", "van") are not capitalised.
fn expand_word_lists(
    pattern: &str,
    load: &mut dyn FnMut(&str) -> Result<Vec<String>>,
) -> Result<String> {
    const ALL: &str = "{words:";
    const OUTSIDE_ASCII: &str = "{words-outside-ascii:";
    const AS_WRITTEN: &str = "{words-as-written:";
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(at) = [ALL, OUTSIDE_ASCII, AS_WRITTEN]
        .iter()
        .filter_map(|o| rest.find(o))
        .min()
    {
        out.push_str(&rest[..at]);
        let only_outside_ascii = rest[at..].starts_with(OUTSIDE_ASCII);
        let as_written = rest[at..].starts_with(AS_WRITTEN);
        let opening = if only_outside_ascii {
            OUTSIDE_ASCII
        } else if as_written {
            AS_WRITTEN
        } else {
            ALL
        };
        let after = &rest[at + opening.len()..];
        let Some(end) = after.find('}') else {
            bail!("unclosed {{words:…}} in a pattern");
        };
        let name = &after[..end];
        if name.contains('/') || name.contains('\\') || name.starts_with('.') {
            bail!("word list {name:?} must be a plain file name beside detectors.toml");
        }
        let mut terms = load(name)?;
        if terms.is_empty() {
            bail!("word list {name} has no terms");
        }
        terms.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        let alternatives: Vec<String> = terms
            .iter()
            .filter(|t| !only_outside_ascii || !t.starts_with(|c: char| c.is_ascii()))
            .map(|t| {
                if as_written {
                    return regex_syntax::escape(t);
                }
                regex_syntax::escape(&capitalised(t))
            })
            .collect();
        if alternatives.is_empty() {
            // The empty class: nothing matches it.
            out.push_str(r"(?u:[^\x00-\x{10FFFF}])");
        } else {
            out.push_str(&format!("(?:{})", alternatives.join("|")));
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A list's term as `{words:…}` writes it: its first letter a capital
/// ("jane" → "Jane", "ó" → "Ó").
pub fn capitalised(term: &str) -> String {
    let mut chars = term.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// A word list: one term a line, `#` comments, case-insensitive, except
/// that a word written in capitals ("RMT", "SNP") keeps them: it matches
/// only where it starts with a capital (see [`is_capitals`]).
pub fn parse_word_list(text: &str) -> Vec<String> {
    let mut terms: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            l.split_whitespace()
                .map(|w| {
                    if is_capitals(w) {
                        w.to_string()
                    } else {
                        w.to_lowercase()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    terms.sort();
    terms.dedup();
    terms
}

/// Column names as a header is matched against them: normalised, whole.
pub(crate) fn exact_names<S: AsRef<str>>(names: &[S]) -> Vec<String> {
    names
        .iter()
        .map(|n| super::context::normalise(n.as_ref()).trim().to_string())
        .collect()
}

/// A word written in capitals in a word list: two or more capital letters
/// and no small ones ("RMT", "NASUWT"). An acronym that is also an everyday
/// word or a program's name in lower case ("rmt", a tape server; "snp.s")
/// is listed so.
pub fn is_capitals(word: &str) -> bool {
    word.chars().filter(|c| c.is_uppercase()).count() >= 2 && !word.chars().any(char::is_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_rules_load() {
        let rules = Rules::embedded().unwrap();
        for id in [
            "uk_nino",
            "date_of_birth",
            "uk_sort_code",
            "uk_bank_account",
            "iban",
            "payment_card",
            "nhs_number",
            "health_term",
            "email",
            "uk_phone",
            "uk_postcode",
        ] {
            assert!(rules.index_of(id).is_some(), "missing detector {id}");
        }
    }

    #[test]
    fn word_list_ignores_comments_and_case() {
        let terms = parse_word_list("# heading\nAsthma\n\n  Type 2   Diabetes \nasthma\n");
        assert_eq!(terms, vec!["asthma", "type 2 diabetes"]);
        // Words in capitals keep them; a capital alone does not.
        let terms = parse_word_list("RMT\nSNP member\nA level\nBrca1\n");
        assert_eq!(terms, vec!["RMT", "SNP member", "a level", "brca1"]);
    }

    #[test]
    fn whole_values_need_a_validator_that_judges_them() {
        let text = "version = 1\n[[detector]]\nid='d'\nlabel='d'\ncategory='c'\npattern='x'\n\
            validator='uk_nino'\nwhole_value_headers=['ni']\nconfidence='low'\n\
            confidence_with_context='low'\n";
        let Err(err) = Rules::parse("t", text, &|_| Ok(String::new()), &|_| Ok(None)) else {
            panic!("a whole value for a validator that cannot judge one was accepted");
        };
        assert!(
            format!("{err:#}").contains("whole_value_headers needs"),
            "{err:#}"
        );
    }

    #[test]
    fn parts_stand_where_a_pattern_names_them() {
        let rules = |parts: &str, pattern: &str| {
            let text = format!(
                "version = 1\n[parts]\n{parts}\n[[detector]]\nid='d'\nlabel='d'\n\
                 category='c'\npattern='{pattern}'\nconfidence='low'\n\
                 confidence_with_context='low'\n"
            );
            Rules::parse("t", &text, &|_| Ok("jane\n".into()), &|_| Ok(None))
        };
        let pattern = |r: Rules| match &r.detectors[0].matcher {
            Matcher::Pattern(p) => p.clone(),
            Matcher::Words { .. } | Matcher::Fields => unreachable!(),
        };
        let nested = rules(
            "word = '[A-Z][a-z]+'\nname = '{part:word}(?: {part:word}){0,2}'",
            "{words:f} {part:name}",
        )
        .unwrap();
        assert_eq!(pattern(nested), "(?:Jane) [A-Z][a-z]+(?: [A-Z][a-z]+){0,2}");
        let err = |parts: &str, pattern: &str| format!("{:#}", rules(parts, pattern).unwrap_err());
        assert!(err("", "{part:nothing}").contains("no part \"nothing\""));
        assert!(err("a = '{part:a}'", "{part:a}").contains("holds itself"));
        assert!(err("a = 'x'", "{part:a").contains("unclosed"));
    }

    #[test]
    fn a_word_list_used_twice_is_in_the_digest_once() {
        let detector = |id: &str, matcher: &str| {
            format!("[[detector]]\nid='{id}'\nlabel='{id}'\ncategory='c'\n{matcher}\nconfidence='low'\nconfidence_with_context='low'\n")
        };
        let text = [
            "version = 1\n".to_string(),
            detector("listed", "words='terms.txt'"),
            detector("named", "pattern='{words:terms.txt} Smith'"),
            detector(
                "checked",
                "pattern='x'\nvalidator='person_name'\nvalidator_words='terms.txt'",
            ),
        ]
        .concat();
        let load = |name: &str| -> Result<String> {
            assert_eq!(name, "terms.txt");
            Ok("Ann\nBea\n".to_string())
        };
        let rules = Rules::parse("t", &text, &load, &|_| Ok(None)).unwrap();
        let names: Vec<&str> = rules.files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["detectors.toml", "terms.txt"]);
        let Matcher::Words { terms, .. } = &rules.detectors[0].matcher else {
            panic!("a word list detector");
        };
        assert_eq!(terms, &["ann", "bea"]);
        assert!(
            matches!(&rules.detectors[1].matcher, Matcher::Pattern(p) if p == "(?:Ann|Bea) Smith")
        );
        assert!(rules.detectors[2].validator_words.contains("bea"));
    }

    /// `{words-outside-ascii:…}` is the terms starting outside ASCII, which
    /// a `(?-u)` `\b` cannot see start; with none, a branch matching nothing.
    #[test]
    fn a_list_can_be_cut_to_its_terms_starting_outside_ascii() {
        let mut load = |name: &str| -> Result<Vec<String>> {
            Ok(match name {
                "f" => vec!["ann".into(), "łucja".into(), "siân".into()],
                _ => vec!["ann".into()],
            })
        };
        let pattern = r"(?-u)(?:\b(?:{words:f}) Smith|\B(?:{words-outside-ascii:f}) Smith)";
        let expanded = expand_word_lists(pattern, &mut load).unwrap();
        assert_eq!(
            expanded,
            r"(?-u)(?:\b(?:(?:Łucja|Siân|Ann)) Smith|\B(?:(?:Łucja)) Smith)"
        );
        let regex = regex::bytes::Regex::new(&expanded).unwrap();
        let found = |text: &str| {
            regex
                .find(text.as_bytes())
                .map(|m| text[m.range()].to_string())
        };
        for (text, name) in [
            ("to Łucja Smith", Some("Łucja Smith")),
            ("Łucja Smith", Some("Łucja Smith")),
            ("to Siân Smith", Some("Siân Smith")),
            ("to Ann Smith", Some("Ann Smith")),
            ("xAnn Smith", None),
            // The `\b` branch holds every term, and `\b` holds between an
            // ASCII letter and one outside ASCII: a capital Ł inside a word
            // is not met in names, so the list is not cut twice for it.
            ("xŁucja Smith", Some("Łucja Smith")),
        ] {
            assert_eq!(found(text), name.map(str::to_string), "{text}");
        }
        let none = expand_word_lists(r"(?-u)x|{words-outside-ascii:g}", &mut load).unwrap();
        let regex = regex::bytes::Regex::new(&none).unwrap();
        assert!(regex.is_match(b"x") && !regex.is_match("Ann Łucja".as_bytes()));
    }

    /// `{words-as-written:…}` keeps a list's lower case: names' small words.
    #[test]
    fn words_as_written_are_not_capitalised() {
        let mut load = |_: &str| Ok(vec!["de".to_string(), "van der".to_string()]);
        let pattern = expand_word_lists(r"{words-as-written:p} X|{words:p} Y", &mut load).unwrap();
        assert_eq!(pattern, "(?:van der|de) X|(?:Van der|De) Y");
    }

    #[test]
    fn bad_rules_are_refused_with_reason() {
        let err = Rules::parse("t", "version = 1\n[[detector]]\nid='x'\nlabel='x'\ncategory='c'\npattern='('\nconfidence='low'\nconfidence_with_context='low'\n", &|_| unreachable!(), &|_| Ok(None)).unwrap_err();
        assert!(format!("{err:#}").contains("bad pattern"), "{err:#}");
        let err = Rules::parse("t", "version = 1\n[[detector]]\nid='x'\nlabel='x'\ncategory='c'\npattern='a'\nvalidator='nope'\nconfidence='low'\nconfidence_with_context='low'\n", &|_| unreachable!(), &|_| Ok(None)).unwrap_err();
        assert!(format!("{err:#}").contains("unknown validator"), "{err:#}");
        let err = Rules::parse(
            "t",
            "version = 2\ndetector = []\n",
            &|_| unreachable!(),
            &|_| Ok(None),
        )
        .unwrap_err();
        assert!(format!("{err:#}").contains("version 2"), "{err:#}");
        let err = Rules::parse("t", "version = 1\n[[detector]]\nid='x'\nlabel='x'\ncategory='c'\npattern='a'\nlink_distance=100000000\nconfidence='low'\nconfidence_with_context='low'\n", &|_| unreachable!(), &|_| Ok(None)).unwrap_err();
        assert!(format!("{err:#}").contains("at most 4096"), "{err:#}");
    }

    /// A detector with neither pattern nor list is read only under its
    /// columns and labels, and needs them; its masks may hide the length.
    #[test]
    fn a_detector_of_columns_and_labels_only() {
        let parse = |extra: &str| {
            Rules::parse(
                "t",
                &format!(
                    "version = 1\n[[detector]]\nid='g'\nlabel='g'\ncategory='c'\n\
                     validator='gender'\nvalidator_words='g.txt'\n{extra}\n\
                     confidence='low'\nconfidence_with_context='medium'\n"
                ),
                &|_| Ok("f\nfemale\n".into()),
                &|_| Ok(None),
            )
        };
        let rules = parse("whole_value_part_headers=['sex']\nmask_shape=false").unwrap();
        let d = &rules.detectors[0];
        assert!(matches!(d.matcher, Matcher::Fields));
        assert_eq!(d.masked("Female"), "***");
        assert_eq!(d.masked("F"), "***");
        let err = parse("").unwrap_err().to_string();
        assert!(err.contains("needs one of `pattern` or `words`"), "{err}");
        let err = parse("pattern='F'\nwhole_value_part_headers=['sex']")
            .unwrap_err()
            .to_string();
        assert!(err.contains("reads whole values only"), "{err}");
        // Masks keep the value's shape unless told not to.
        let shaped = parse("whole_value_part_headers=['sex']").unwrap();
        assert_eq!(shaped.detectors[0].masked("Female"), "******");
    }
}
