//! Findings, file records and the summary, and the writers for each output
//! format. Everything written is sorted, so two runs over the same inputs
//! give byte-identical output whatever the thread count.

mod chart;
mod csv_out;
mod html;
pub mod manifest;
mod mask;
pub mod output;
mod terminal;

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::classify::{FlagKind, Record};
use crate::detect::Confidence;

pub use html::{flag_label, write_html};
pub use mask::{mask, SHAPELESS};
pub use terminal::{print_history, print_summary, printable, Progress};

/// Where in a file a value stands. Only the fields that apply are written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// Email: the 1-based message in a mailbox (1 for a lone message).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<u64>,
    /// Email: which part of the message (`from`, `to`, `subject`, `body`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    /// Spreadsheets: the sheet's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// PDF and slides: the 1-based page or slide.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u64>,
    /// Word processing: the 1-based table in the document.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<u64>,
    /// Word processing: the 1-based paragraph (outside tables).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paragraph: Option<u64>,
    /// Text: 1-based line (within the page, part or paragraph where there is
    /// one). NDJSON: the line of the object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// Tables: 1-based row as a spreadsheet shows it (the header is row 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    /// Text: 1-based character column. Tables: the header's name, or the
    /// 1-based column number when there is no header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<Column>,
    /// Spreadsheets: the A1 reference; Word tables: the 1-based cell in its row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    /// JSON: the value's JSON pointer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// Sort keys that are not written: the column's index, the unit's place
    /// in document order, and the value's offset within it.
    #[serde(skip)]
    pub column_index: u64,
    #[serde(skip)]
    pub ordinal: u64,
    #[serde(skip)]
    pub offset: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Column {
    Number(u64),
    Name(String),
}

type SortKey<'a> = (
    u64,
    &'a str,
    &'a str,
    u64,
    u64,
    u64,
    u64,
    u64,
    u64,
    u64,
    &'a str,
    u64,
);

impl Location {
    fn sort_key(&self) -> SortKey<'_> {
        (
            self.message.unwrap_or(0),
            self.part.as_deref().unwrap_or(""),
            self.sheet.as_deref().unwrap_or(""),
            self.page.unwrap_or(0),
            self.ordinal,
            self.table.unwrap_or(0),
            self.paragraph.unwrap_or(0),
            self.line.unwrap_or(0),
            self.row.unwrap_or(0),
            self.column_index,
            self.pointer.as_deref().unwrap_or(""),
            self.offset,
        )
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(m) = self.message {
            parts.push(format!("message {m}"));
        }
        if let Some(p) = &self.part {
            parts.push(format!("part {p}"));
        }
        if let Some(s) = &self.sheet {
            parts.push(format!("sheet {s:?}"));
        }
        if let Some(p) = self.page {
            parts.push(format!("page {p}"));
        }
        if let Some(t) = self.table {
            parts.push(format!("table {t}"));
        }
        if let Some(p) = self.paragraph {
            parts.push(format!("paragraph {p}"));
        }
        if let Some(l) = self.line {
            parts.push(format!("line {l}"));
        }
        if let Some(r) = self.row {
            parts.push(format!("row {r}"));
        }
        match &self.column {
            Some(Column::Number(c)) => parts.push(format!("column {c}")),
            Some(Column::Name(n)) => parts.push(format!("column {n:?}")),
            None => {}
        }
        if let Some(c) = &self.cell {
            parts.push(format!("cell {c}"));
        }
        if let Some(p) = &self.pointer {
            parts.push(format!("pointer {p}"));
        }
        f.write_str(&parts.join(", "))
    }
}

/// A personal value found in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub path: String,
    pub location: Location,
    /// The record it belongs to, within its path: `row 3`, `document`.
    pub record: String,
    /// The policy process that claims its record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<String>,
    pub detector: String,
    /// The policy's category its detector evidences.
    pub category: String,
    pub confidence: Confidence,
    /// Why: the check passed, the context, a partner or person nearby.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    pub masked: String,
    /// The raw value: only with `--reveal`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// With `--state`: a stable name for this value here, for triage (a keyed
    /// hash: it reveals nothing of the value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// With `--state`: not in the last completed run.
    #[serde(default, skip_serializing_if = "is_false")]
    pub new: bool,
    /// The DPO's decision on it, if any (boxed: most findings have none,
    /// and a report may hold millions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triage: Option<Box<Triage>>,
    /// SHA-256 of the raw value, for suppressions by value; never written.
    #[serde(skip)]
    pub value_sha256: Option<[u8; 32]>,
}

pub(crate) fn is_false(b: &bool) -> bool {
    !*b
}

/// A DPO's decision on a finding or record (`trawl triage`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Triage {
    /// `false_positive`, `accepted` or `resolved`; or `suppressed` for a rule
    /// of the suppressions file.
    pub status: String,
    pub note: String,
    pub by: String,
    /// RFC 3339, UTC.
    pub at: String,
}

/// What became of a file that was not (wholly) scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Scanned,
    Skipped,
    /// Encrypted, and not openable without a password.
    Encrypted,
    /// Pages but no text (a scanned image): not checked.
    NoText,
    Failed,
}

impl Outcome {
    /// Could not be (wholly) read: what `--strict` fails on.
    pub fn is_unreadable(self) -> bool {
        matches!(self, Outcome::Encrypted | Outcome::NoText | Outcome::Failed)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Scanned => "scanned",
            Outcome::Skipped => "skipped",
            Outcome::Encrypted => "encrypted",
            Outcome::NoText => "no_text",
            Outcome::Failed => "failed",
        })
    }
}

/// A file that was skipped or could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    pub path: String,
    pub status: Outcome,
    pub format: String,
    pub reason: String,
}

/// Counts per outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeCounts {
    pub scanned: u64,
    pub skipped: u64,
    pub encrypted: u64,
    pub no_text: u64,
    pub failed: u64,
}

impl OutcomeCounts {
    pub fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Scanned => self.scanned += 1,
            Outcome::Skipped => self.skipped += 1,
            Outcome::Encrypted => self.encrypted += 1,
            Outcome::NoText => self.no_text += 1,
            Outcome::Failed => self.failed += 1,
        }
    }

    pub fn unreadable(&self) -> u64 {
        self.encrypted + self.no_text + self.failed
    }
}

/// The deterministic part of a scan's summary (no timings: those go to the
/// terminal only, so that outputs stay byte-identical between runs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub files_seen: u64,
    /// Files on disk, by outcome.
    pub files: OutcomeCounts,
    /// Members of archives and attachments of emails, by outcome.
    pub members: OutcomeCounts,
    pub bytes_scanned: u64,
    pub findings: u64,
    pub findings_by_detector: BTreeMap<String, u64>,
    pub findings_by_confidence: BTreeMap<Confidence, u64>,
    /// Records (rows, objects, documents) that hold findings.
    pub records: u64,
    /// Of those, the ones holding personal data about a person.
    pub records_personal: u64,
    pub records_flagged: u64,
    pub flags_by_type: BTreeMap<FlagKind, u64>,
    /// Per process (`(none)` for records no process claims), per flag.
    pub flags_by_process: BTreeMap<String, BTreeMap<FlagKind, u64>>,
    /// Files and members together, by format and outcome.
    pub files_by_format: BTreeMap<String, OutcomeCounts>,
    /// Findings and records suppressed (by `suppressions.toml` or a triage
    /// decision): counted here, not in the figures above.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub findings_suppressed: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub records_suppressed: u64,
    /// Findings past a file's listing (`--max-findings-per-file`): counted
    /// here, not listed, and not in the figures above.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub findings_not_listed: u64,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub findings_not_listed_by_detector: BTreeMap<String, u64>,
    /// Rows that held only such findings: not judged by the policy.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rows_not_judged: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Which policy judged a scan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyInfo {
    pub name: String,
    /// `embedded` or the file given.
    pub origin: String,
    pub version: String,
    /// SHA-256 of the policy file's text.
    #[serde(default)]
    pub sha256: String,
    /// Its categories, so a report can name them as the policy does.
    #[serde(default)]
    pub categories: Vec<CategoryInfo>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryInfo {
    pub id: String,
    pub label: String,
    /// `personal`, `special` (Article 9) or `criminal` (Article 10).
    pub kind: String,
}

/// When a scan ran. Left out when `--as-of` pins the date, so that a pinned
/// run's outputs are byte-identical from one run to the next.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunInfo {
    /// RFC 3339, UTC.
    pub started: String,
    pub finished: String,
    pub duration_ms: u64,
}

/// Everything a scan produced, sorted.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ScanReport {
    pub trawl_version: String,
    pub as_of: String,
    pub roots: Vec<String>,
    pub rules: String,
    /// SHA-256 over every rules file's name and text (see `Rules::sha256`).
    #[serde(default)]
    pub rules_sha256: String,
    pub policy: PolicyInfo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<RunInfo>,
    /// Stopped early (a signal): only part of the files were scanned.
    #[serde(default, skip_serializing_if = "is_false")]
    pub partial: bool,
    /// With `--state`: this run and what changed since the last completed one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<HistoryInfo>,
    pub findings: Vec<Finding>,
    /// Records holding findings, with their categories and flags.
    #[serde(default)]
    pub records: Vec<Record>,
    /// Skipped and failed files.
    pub errors: Vec<FileRecord>,
    pub summary: Summary,
    /// Every file read, with its fingerprint: only when a manifest is wanted.
    #[serde(skip)]
    pub scanned_files: Vec<ScannedFile>,
}

/// With `--state`: how this run relates to the last completed one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryInfo {
    pub run: i64,
    /// The run new and resolved are counted against.
    pub previous_run: Option<i64>,
    pub files_read: u64,
    pub files_reused: u64,
    pub files_removed: u64,
    pub new: u64,
    /// Findings and records reported last time and not now (masked).
    pub resolved: Vec<crate::state::Change>,
    /// Findings earlier runs reported in what this run could not read,
    /// neither reported nor resolved tonight: still open.
    #[serde(default)]
    pub kept_open: u64,
    /// Files moved or renamed since the last run (the same content gone
    /// from one path and new at another): their findings and records are
    /// neither new nor resolved, and the DPO's decisions on them follow.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub moved: Vec<MovedFile>,
    /// The rules differ from those the run compared with judged by:
    /// findings may be new or resolved because of them.
    #[serde(default, skip_serializing_if = "is_false")]
    pub rules_changed: bool,
    /// The policy differs from the one the run compared with judged by:
    /// every record was judged under the new one, and those whose flags
    /// changed are new (their earlier selves resolved).
    #[serde(default, skip_serializing_if = "is_false")]
    pub policy_changed: bool,
}

/// A file moved or renamed since the last run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MovedFile {
    pub from: String,
    pub to: String,
    /// Its findings and records reported before, at its old path.
    pub items: u64,
    /// Of those, the ones a decision (triage) followed.
    pub decisions: u64,
}

/// A file the scan read, for the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScannedFile {
    pub path: String,
    pub size: u64,
    /// None when the file could not be read again to fingerprint it.
    pub sha256: Option<String>,
}

fn finding_key(f: &Finding) -> (SortKey<'_>, &str, &str) {
    (
        f.location.sort_key(),
        f.detector.as_str(),
        f.masked.as_str(),
    )
}

/// The order that sorts items by path, then by `cmp` within a path. A
/// file's items arrive together and mostly in order already, so the runs
/// of one path are put in path order and each is sorted only if it is not
/// sorted yet: on a rescan of 100,000 files, comparing long paths that
/// share their start was most of the time a plain sort took.
fn order_by_path<T>(
    items: &[T],
    path: impl Fn(&T) -> &str,
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering,
) -> Vec<usize> {
    let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match runs.last_mut() {
            Some(run) if path(&items[run.start]) == path(item) => run.end = i + 1,
            _ => runs.push(i..i + 1),
        }
    }
    runs.sort_by(|a, b| path(&items[a.start]).cmp(path(&items[b.start])));
    let split = runs
        .windows(2)
        .any(|w| path(&items[w[0].start]) == path(&items[w[1].start]));
    let mut order: Vec<usize> = Vec::with_capacity(items.len());
    if split {
        // One path in several runs: not how a scan adds items, but sorted
        // all the same.
        order.extend(0..items.len());
        order.sort_by(|&a, &b| {
            path(&items[a])
                .cmp(path(&items[b]))
                .then_with(|| cmp(&items[a], &items[b]))
        });
        return order;
    }
    for run in runs {
        let start = order.len();
        order.extend(run);
        let slice = &mut order[start..];
        if !slice.is_sorted_by(|&a, &b| cmp(&items[a], &items[b]).is_le()) {
            slice.sort_by(|&a, &b| cmp(&items[a], &items[b]));
        }
    }
    order
}

/// Puts `items` into the order given (item `i` becomes the one at
/// `order[i]`), in place: findings are large, and copying them all into a
/// new vector twice cost more than sorting them.
fn reorder<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..order.len() {
        // Follow each cycle of the permutation once; a done place points
        // at itself.
        let mut here = start;
        while order[here] != here {
            let from = order[here];
            order[here] = here;
            if from == start {
                break;
            }
            items.swap(here, from);
            here = from;
        }
    }
}

impl ScanReport {
    /// Sorts findings by (path, location, detector) and file records by path.
    pub fn sort(&mut self) {
        // Findings beside records: a rescan waits for this.
        let (findings, records) = (&mut self.findings, &mut self.records);
        rayon::join(
            || {
                // Findings are large: sort their indices, then move each once.
                let order = order_by_path(
                    findings,
                    |f| f.path.as_str(),
                    |a, b| finding_key(a).cmp(&finding_key(b)),
                );
                reorder(findings, order);
            },
            || {
                let order = order_by_path(
                    records,
                    |r| r.path.as_str(),
                    |a, b| {
                        (a.location.sort_key(), &a.record).cmp(&(b.location.sort_key(), &b.record))
                    },
                );
                reorder(records, order);
            },
        );
        self.sort_errors();
        self.scanned_files.sort_by(|a, b| a.path.cmp(&b.path));
    }

    /// Sorts the records of files not (wholly) read by path and reason.
    pub fn sort_errors(&mut self) {
        self.errors
            .sort_by(|a, b| (&a.path, &a.reason).cmp(&(&b.path, &b.reason)));
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object a line: findings, then records, then skipped and failed files, then the summary.
    Jsonl,
    /// One JSON document: metadata, findings, errors and summary.
    Json,
    /// One row a finding, record or file.
    Csv,
}

pub fn write(report: &ScanReport, format: Format, out: &mut dyn Write) -> Result<()> {
    match format {
        Format::Jsonl => write_jsonl(report, out),
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            out.write_all(b"\n")?;
            Ok(())
        }
        Format::Csv => csv_out::write_csv(report, out),
    }
}

#[derive(Serialize)]
struct Tagged<'a, T: Serialize> {
    kind: &'a str,
    #[serde(flatten)]
    item: &'a T,
}

pub(crate) fn write_jsonl_line<T: Serialize>(
    out: &mut dyn Write,
    kind: &str,
    item: &T,
) -> Result<()> {
    serde_json::to_writer(&mut *out, &Tagged { kind, item })?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Items a worker serialises at a time, and how many such chunks are held
/// before they are written: output is made in parallel, written in order,
/// and never held whole.
const JSONL_CHUNK: usize = 2048;
const JSONL_WINDOW: usize = 8;

fn write_jsonl_items<T: Serialize + Sync>(
    out: &mut dyn Write,
    kind: &str,
    items: &[T],
) -> Result<()> {
    use rayon::prelude::*;
    for window in items.chunks(JSONL_CHUNK * JSONL_WINDOW) {
        let parts: Vec<Result<Vec<u8>>> = window
            .par_chunks(JSONL_CHUNK)
            .map(|chunk| {
                let mut buf = Vec::with_capacity(chunk.len() * 256);
                for item in chunk {
                    write_jsonl_line(&mut buf, kind, item)?;
                }
                Ok(buf)
            })
            .collect();
        for part in parts {
            out.write_all(&part?)?;
        }
    }
    Ok(())
}

fn write_jsonl(report: &ScanReport, out: &mut dyn Write) -> Result<()> {
    write_jsonl_items(out, "finding", &report.findings)?;
    write_jsonl_items(out, "record", &report.records)?;
    for e in &report.errors {
        write_jsonl_line(out, "file", e)?;
    }
    if let Some(history) = &report.history {
        // `kind` names the line: the item's own kind is `item`.
        for c in &history.resolved {
            write_jsonl_line(out, "resolved", &ResolvedLine::from(c))?;
        }
        for m in &history.moved {
            write_jsonl_line(out, "moved", m)?;
        }
        write_jsonl_line(out, "run", &RunLine::from(history))?;
    }
    write_jsonl_line(out, "summary", &report.summary)
}

/// A finding or record resolved since the last run, as a JSONL line.
#[derive(Serialize)]
struct ResolvedLine<'a> {
    item: crate::state::ItemKind,
    fingerprint: &'a str,
    path: &'a str,
    label: &'a str,
}

impl<'a> From<&'a crate::state::Change> for ResolvedLine<'a> {
    fn from(c: &'a crate::state::Change) -> Self {
        ResolvedLine {
            item: c.kind,
            fingerprint: &c.fingerprint,
            path: &c.path,
            label: &c.label,
        }
    }
}

/// The run, as a JSONL line: [`HistoryInfo`] with its resolved items
/// counted (they have lines of their own).
#[derive(Serialize)]
struct RunLine {
    run: i64,
    previous_run: Option<i64>,
    files_read: u64,
    files_reused: u64,
    files_removed: u64,
    new: u64,
    resolved: u64,
    kept_open: u64,
    moved: u64,
    #[serde(skip_serializing_if = "is_false")]
    rules_changed: bool,
    #[serde(skip_serializing_if = "is_false")]
    policy_changed: bool,
}

impl From<&HistoryInfo> for RunLine {
    fn from(h: &HistoryInfo) -> Self {
        RunLine {
            run: h.run,
            previous_run: h.previous_run,
            files_read: h.files_read,
            files_reused: h.files_reused,
            files_removed: h.files_removed,
            new: h.new,
            resolved: h.resolved.len() as u64,
            kept_open: h.kept_open,
            moved: h.moved.len() as u64,
            rules_changed: h.rules_changed,
            policy_changed: h.policy_changed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The order is a stable sort by (path, then the rest), however the
        /// items come: grouped by path or not, sorted within or not.
        #[test]
        fn order_by_path_is_a_stable_sort(items in proptest::collection::vec(("[ab/]{0,3}", 0u8..4, 0u8..3), 0..40)) {
            let order = order_by_path(&items, |i| i.0.as_str(), |a, b| a.1.cmp(&b.1));
            let mut expected: Vec<usize> = (0..items.len()).collect();
            expected.sort_by(|&a, &b| (&items[a].0, items[a].1).cmp(&(&items[b].0, items[b].1)));
            prop_assert_eq!(order, expected);
        }

        /// Grouped items, the way a scan adds them, take the fast path.
        #[test]
        fn grouped_items_sort_the_same(mut items in proptest::collection::vec(("[ab/]{0,3}", 0u8..4, 0u8..3), 0..40)) {
            items.sort_by(|a, b| a.0.cmp(&b.0));
            items.reverse();
            let order = order_by_path(&items, |i| i.0.as_str(), |a, b| a.1.cmp(&b.1));
            let mut expected: Vec<usize> = (0..items.len()).collect();
            expected.sort_by(|&a, &b| (&items[a].0, items[a].1).cmp(&(&items[b].0, items[b].1)));
            prop_assert_eq!(order, expected);
        }

        /// Reordering in place gives what copying in that order gives.
        #[test]
        fn reorder_applies_the_permutation(order in Just((0..30).collect::<Vec<usize>>()).prop_shuffle()) {
            let items: Vec<String> = (0..30).map(|i| i.to_string()).collect();
            let expected: Vec<String> = order.iter().map(|&i| items[i].clone()).collect();
            let mut got = items;
            reorder(&mut got, order);
            prop_assert_eq!(got, expected);
        }
    }

    /// A report holds every finding and record of a scan in memory (1.6
    /// million on a share dense with exports), so their size is the scan's
    /// memory: a DPO's decision, which few have, is boxed (96 bytes each
    /// inline before, 15% of a rescan's peak).
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn findings_and_records_stay_small() {
        assert!(std::mem::size_of::<Finding>() <= 504);
        assert!(std::mem::size_of::<crate::classify::Record>() <= 448);
    }
}
