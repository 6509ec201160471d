//! The DPO's findings report: one self-contained HTML page, most important
//! first. The page is rendered by a template with HTML auto-escaping; the
//! findings travel as a JSON block that a little script pages through and
//! filters, so 100,000 findings open without freezing the browser. Values are
//! always the masked ones, whatever `--reveal` said.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;

use anyhow::{Context, Result};
use base64::Engine as _;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::chart::{self, Chart};
use super::ScanReport;
use crate::classify::FlagKind;
use crate::detect::Confidence;

const TEMPLATE: &str = include_str!("html/report.html");
const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

/// Rows of the unreadable-files table written into the page; the rest are
/// counted (they are all in the JSON output).
const MAX_ERROR_ROWS: usize = 2000;

/// Moved files named in the report's run details; the rest are counted.
const MAX_MOVED_SHOWN: usize = 20;

/// What a flag means, in the words the report uses.
pub fn flag_label(kind: FlagKind) -> &'static str {
    match kind {
        FlagKind::SpecialCategoryWithoutCondition => "Special category without a condition",
        FlagKind::NoLawfulBasis => "No lawful basis",
        FlagKind::PastRetention => "Past retention date",
        FlagKind::UndeclaredCategory => "Category not declared",
        FlagKind::RetentionUnknown => "Retention unknown",
    }
}

fn flag_help(kind: FlagKind) -> &'static str {
    match kind {
        FlagKind::SpecialCategoryWithoutCondition => {
            "Special-category or criminal-offence data with no Article 9 or 10 condition recorded"
        }
        FlagKind::NoLawfulBasis => "Personal data that no process with a lawful basis claims",
        FlagKind::PastRetention => "Kept beyond the period the retention schedule allows",
        FlagKind::UndeclaredCategory => "Holds a category its process does not declare",
        FlagKind::RetentionUnknown => "The retention rule cannot be applied (no usable date)",
    }
}

#[derive(Serialize)]
struct Figure {
    id: &'static str,
    value: String,
    label: &'static str,
    note: String,
}

#[derive(Serialize)]
struct FlagCount {
    id: String,
    index: usize,
    label: &'static str,
    help: &'static str,
    count: String,
}

#[derive(Serialize)]
struct MetaRow {
    label: &'static str,
    value: String,
    /// Shown in a monospace face (fingerprints, paths).
    code: bool,
}

#[derive(Serialize)]
struct ErrorRow {
    path: String,
    status: String,
    format: String,
    reason: String,
}

#[derive(Serialize)]
struct ResolvedRow {
    kind: &'static str,
    path: String,
    label: String,
}

#[derive(Serialize)]
struct Page<'a> {
    title: String,
    subtitle: String,
    partial: bool,
    /// With `--state`: this run compared with the last completed one.
    has_history: bool,
    resolved: Vec<ResolvedRow>,
    resolved_total: String,
    resolved_hidden: String,
    csp: String,
    style: &'a str,
    script: &'a str,
    data: String,
    meta: Vec<MetaRow>,
    figures: Vec<Figure>,
    flags: Vec<FlagCount>,
    category_chart: Chart,
    process_chart: Chart,
    errors: Vec<ErrorRow>,
    errors_total: String,
    errors_hidden: String,
    flagged_total: String,
}

/// Writes the report for `report` as one HTML page.
pub fn write_html(report: &ScanReport, out: &mut dyn Write) -> Result<()> {
    let mut env = minijinja::Environment::new();
    env.add_template("report.html", TEMPLATE)
        .context("the report template")?;
    let page = page(report)?;
    let template = env.get_template("report.html")?;
    let html = template
        .render(minijinja::value::Serde(&page))
        .context("rendering the report")?;
    out.write_all(html.as_bytes())?;
    Ok(())
}

/// `sha256-…` for a Content-Security-Policy hash source.
fn csp_hash(text: &str) -> String {
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
    )
}

/// Thousands separated, as people read counts: 12,345.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn duration(ms: u64) -> String {
    let secs = ms / 1000;
    match secs {
        0 => format!("{:.1} s", ms as f64 / 1000.0),
        1..=59 => format!("{secs} s"),
        60..=3599 => format!("{} min {} s", secs / 60, secs % 60),
        _ => format!("{} h {} min", secs / 3600, (secs % 3600) / 60),
    }
}

fn page(report: &ScanReport) -> Result<Page<'static>> {
    let s = &report.summary;
    let labels: HashMap<&str, &str> = report
        .policy
        .categories
        .iter()
        .map(|c| (c.id.as_str(), c.label.as_str()))
        .collect();
    let label_of = |id: &str| labels.get(id).copied().unwrap_or(id).to_string();

    let files_personal: BTreeSet<&str> = report
        .records
        .iter()
        .filter(|r| r.personal)
        .map(|r| r.path.as_str())
        .collect();
    let unreadable = s.files.unreadable() + s.members.unreadable();
    let figures = vec![
        Figure {
            id: "files_scanned",
            value: count(s.files.scanned),
            label: "files scanned",
            note: if s.members.scanned > 0 {
                format!(
                    "and {} files inside archives and emails",
                    count(s.members.scanned)
                )
            } else {
                String::new()
            },
        },
        Figure {
            id: "files_personal",
            value: count(files_personal.len() as u64),
            label: "files holding personal data",
            note: String::new(),
        },
        Figure {
            id: "records_personal",
            value: count(s.records_personal),
            label: "records holding personal data",
            note: format!("{} findings in all", count(s.findings)),
        },
        Figure {
            id: "records_flagged",
            value: count(s.records_flagged),
            label: "records flagged",
            note: "for the DPO's attention".into(),
        },
        Figure {
            id: "new",
            value: match &report.history {
                Some(h) if h.previous_run.is_some() => count(h.new),
                _ => "–".into(),
            },
            label: "new since the last run",
            note: match &report.history {
                Some(h) if h.previous_run.is_some() => {
                    let mut note = format!("and {} resolved", count(h.resolved.len() as u64));
                    if !h.moved.is_empty() {
                        note += &format!(
                            "; {} files moved, their findings followed",
                            count(h.moved.len() as u64)
                        );
                    }
                    note
                }
                Some(_) => "this is the first run".into(),
                None => "run with --state to compare runs".into(),
            },
        },
        Figure {
            id: "unreadable",
            value: count(unreadable),
            label: "files that could not be scanned",
            note: {
                let kept_open = report.history.as_ref().map_or(0, |h| h.kept_open);
                let skipped = s.files.skipped + s.members.skipped;
                let mut notes = Vec::new();
                if kept_open > 0 {
                    notes.push(format!(
                        "holding {} findings from earlier runs, kept open",
                        count(kept_open)
                    ));
                }
                if skipped > 0 {
                    notes.push(format!("and {} skipped on purpose", count(skipped)));
                }
                notes.join("; ")
            },
        },
    ];
    let flags = FlagKind::ALL
        .iter()
        .enumerate()
        .map(|(index, k)| FlagCount {
            id: k.to_string(),
            index,
            label: flag_label(*k),
            help: flag_help(*k),
            count: count(s.flags_by_type.get(k).copied().unwrap_or(0)),
        })
        .collect();

    let mut by_category: BTreeMap<&str, u64> = BTreeMap::new();
    for f in &report.findings {
        *by_category.entry(f.category.as_str()).or_default() += 1;
    }
    let mut category_rows: Vec<(String, u64)> = by_category
        .into_iter()
        .map(|(id, n)| (label_of(id), n))
        .collect();
    category_rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let category_chart = chart::bars("Findings by category", &category_rows);
    let process_rows: Vec<(String, Vec<u64>)> = s
        .flags_by_process
        .iter()
        .map(|(process, by_kind)| {
            let counts = FlagKind::ALL
                .iter()
                .map(|k| by_kind.get(k).copied().unwrap_or(0))
                .collect();
            (process.clone(), counts)
        })
        .collect();
    let series: Vec<&str> = FlagKind::ALL.iter().map(|k| flag_label(*k)).collect();
    let process_chart = chart::stacked("Flags by process", &series, &process_rows);

    let mut meta = vec![MetaRow {
        label: "Scanned",
        value: report.roots.join(", "),
        code: true,
    }];
    if let Some(h) = &report.history {
        meta.push(MetaRow {
            label: "Run",
            value: match h.previous_run {
                Some(p) => format!(
                    "{} (compared with run {p}): {} files read, {} unchanged and not read again, {} removed",
                    h.run,
                    count(h.files_read),
                    count(h.files_reused),
                    count(h.files_removed)
                ),
                None => format!(
                    "{}, the first this state records: {} files read",
                    h.run,
                    count(h.files_read)
                ),
            },
            code: false,
        });
        if let Some(p) = h
            .previous_run
            .filter(|_| h.rules_changed || h.policy_changed)
        {
            let mut value = Vec::new();
            if h.policy_changed {
                value.push(format!(
                    "The policy changed since run {p}: every record was judged under the new one, so a record whose flags changed with it (a retention period, a lawful basis) shows as new, and its earlier self as resolved, though nothing on the share changed."
                ));
            }
            if h.rules_changed {
                value.push(format!(
                    "The rules changed since run {p}: findings may be new or resolved because of them."
                ));
            }
            meta.push(MetaRow {
                label: "Changed",
                value: value.join(" "),
                code: false,
            });
        }
        if !h.moved.is_empty() {
            // Each file moved, its old path and new: a folder moved on the
            // share names its first MAX_MOVED_SHOWN files, and counts the rest.
            let mut shown: Vec<String> = h
                .moved
                .iter()
                .take(MAX_MOVED_SHOWN)
                .map(|m| format!("{} → {}", m.from, m.to))
                .collect();
            if h.moved.len() > MAX_MOVED_SHOWN {
                shown.push(format!(
                    "and {} more (in the JSON output)",
                    count((h.moved.len() - MAX_MOVED_SHOWN) as u64)
                ));
            }
            meta.push(MetaRow {
                label: "Moved",
                value: format!(
                    "{} files since the last run, the same content at a new path: their findings and records are neither new nor resolved, and decisions on them followed them ({} items; decisions followed: {}): {}",
                    count(h.moved.len() as u64),
                    count(h.moved.iter().map(|m| m.items).sum()),
                    count(h.moved.iter().map(|m| m.decisions).sum()),
                    shown.join("; ")
                ),
                code: false,
            });
        }
    }
    if s.findings_not_listed > 0 {
        let by_detector: Vec<String> = s
            .findings_not_listed_by_detector
            .iter()
            .map(|(d, n)| format!("{d} {}", count(*n)))
            .collect();
        meta.push(MetaRow {
            label: "Not listed",
            value: format!(
                "{} findings in files over --max-findings-per-file ({}): counted, not listed, nor in the figures below{}; each such file is named under \"Files not scanned, or not listed in full\"",
                count(s.findings_not_listed),
                by_detector.join(", "),
                match s.rows_not_judged {
                    0 => String::new(),
                    n => format!("; {} rows holding only those not judged", count(n)),
                }
            ),
            code: false,
        });
    }
    if s.findings_suppressed + s.records_suppressed > 0 {
        meta.push(MetaRow {
            label: "Suppressed",
            value: format!(
                "{} findings and {} records, by triage decisions or suppressions.toml (not shown; --show-suppressed lists them)",
                count(s.findings_suppressed),
                count(s.records_suppressed)
            ),
            code: false,
        });
    }
    match &report.run {
        Some(run) => {
            meta.push(MetaRow {
                label: "Started",
                value: run.started.replace('T', " ").replace('Z', " UTC"),
                code: false,
            });
            meta.push(MetaRow {
                label: "Finished",
                value: run.finished.replace('T', " ").replace('Z', " UTC"),
                code: false,
            });
            meta.push(MetaRow {
                label: "Duration",
                value: duration(run.duration_ms),
                code: false,
            });
        }
        None => meta.push(MetaRow {
            label: "Run times",
            value: "not recorded: a run pinned with --as-of leaves them out so that it can be repeated byte for byte".into(),
            code: false,
        }),
    }
    meta.extend([
        MetaRow {
            label: "Judged as of",
            value: report.as_of.clone(),
            code: false,
        },
        MetaRow {
            label: "trawl version",
            value: report.trawl_version.clone(),
            code: false,
        },
        MetaRow {
            label: "Rules",
            value: format!("{} · SHA-256 {}", report.rules, report.rules_sha256),
            code: true,
        },
        MetaRow {
            label: "Policy",
            value: format!(
                "{} (version {}) from {} · SHA-256 {}",
                report.policy.name,
                report.policy.version,
                report.policy.origin,
                report.policy.sha256
            ),
            code: true,
        },
    ]);

    let mut errors: Vec<&super::FileRecord> = report.errors.iter().collect();
    // What could not be read first; deliberate skips after.
    errors.sort_by_key(|e| (!e.status.is_unreadable(), e.path.as_str()));
    let error_rows = errors
        .iter()
        .take(MAX_ERROR_ROWS)
        .map(|e| ErrorRow {
            path: e.path.clone(),
            status: e.status.to_string().replace('_', " "),
            format: e.format.clone(),
            reason: e.reason.clone(),
        })
        .collect();

    let resolved_all = report
        .history
        .as_ref()
        .map(|h| h.resolved.as_slice())
        .unwrap_or(&[]);
    let resolved = resolved_all
        .iter()
        .take(MAX_ERROR_ROWS)
        .map(|c| ResolvedRow {
            kind: c.kind.as_str(),
            path: c.path.clone(),
            label: c.label.clone(),
        })
        .collect();
    let data = data_block(report, &label_of)?;
    let style = STYLE;
    let script = SCRIPT;
    Ok(Page {
        title: report.roots.join(", "),
        subtitle: format!(
            "Judged under “{}” as of {}",
            report.policy.name, report.as_of
        ),
        partial: report.partial,
        has_history: report.history.is_some(),
        resolved,
        resolved_total: count(resolved_all.len() as u64),
        resolved_hidden: count(resolved_all.len().saturating_sub(MAX_ERROR_ROWS) as u64),
        csp: format!(
            "default-src 'none'; script-src '{}'; style-src '{}'; img-src data:; base-uri 'none'; form-action 'none'",
            csp_hash(script),
            csp_hash(style)
        ),
        style,
        script,
        data,
        meta,
        figures,
        flags,
        category_chart,
        process_chart,
        errors_total: count(report.errors.len() as u64),
        errors_hidden: count(report.errors.len().saturating_sub(MAX_ERROR_ROWS) as u64),
        errors: error_rows,
        flagged_total: count(s.records_flagged),
    })
}

/// Strings used many times are written once and referred to by index.
#[derive(Default)]
struct Strings {
    list: Vec<String>,
    index: HashMap<String, usize>,
}

impl Strings {
    fn id(&mut self, s: &str) -> usize {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        self.list.push(s.to_string());
        self.index.insert(s.to_string(), self.list.len() - 1);
        self.list.len() - 1
    }
}

/// [file, record name, process or -1, [category], [[flag, reason]],
/// personal, first finding, findings, new]
type RecordRow = (
    usize,
    usize,
    i64,
    Vec<usize>,
    Vec<(usize, usize)>,
    u8,
    usize,
    usize,
    u8,
);
/// [record, location, detector, category, confidence 0–2, masked, new,
/// fingerprint or -1, triage or -1, evidence or -1]
type FindingRow = (usize, usize, usize, usize, u8, usize, u8, i64, i64, i64);

/// The findings and records for the page's script, compact: each row is an
/// array of string-table indices and numbers (the layout is documented in
/// report.js).
#[derive(Serialize)]
struct Data {
    s: Vec<String>,
    kinds: Vec<(String, &'static str)>,
    categories: Vec<(usize, usize)>,
    processes: Vec<usize>,
    folders: Vec<usize>,
    /// [path, folder, note or -1, listed in part]: the note of a file read
    /// in part (it failed part-way) or not listed in full
    /// (`--max-findings-per-file`), shown where it is opened.
    files: Vec<(usize, usize, i64, bool)>,
    records: Vec<RecordRow>,
    findings: Vec<FindingRow>,
    /// Indices of flagged records, most severe first.
    flagged: Vec<usize>,
}

/// The folder a path is listed under: the directory of the file on disk
/// (an archive's members are listed beside the archive).
fn folder_of(path: &str) -> &str {
    let outer = path.split("!/").next().unwrap_or(path);
    match outer.rfind('/') {
        Some(i) => &outer[..i],
        None => ".",
    }
}

fn data_block(report: &ScanReport, label_of: &dyn Fn(&str) -> String) -> Result<String> {
    let mut strings = Strings::default();
    let mut files: Vec<(usize, usize, i64, bool)> = Vec::new();
    let mut file_index: HashMap<String, usize> = HashMap::new();
    let mut folder_set: BTreeSet<&str> = BTreeSet::new();
    // Only a file with findings is drilled into: one with a record of its
    // own failed part-way, or was not listed in full. A member's findings
    // are listed under its own path; what is said of its file on disk
    // (read in part, listing stopped) is said of it too.
    let notes: HashMap<&str, &super::FileRecord> =
        report.errors.iter().map(|e| (e.path.as_str(), e)).collect();
    let mut file_of =
        |path: &str, strings: &mut Strings, files: &mut Vec<(usize, usize, i64, bool)>| {
            *file_index.entry(path.to_string()).or_insert_with(|| {
                let on_disk = path.split("!/").next().unwrap_or(path);
                let record = notes.get(path).or_else(|| notes.get(on_disk));
                let note = record.map_or(-1, |e| {
                    let note = match e.status {
                        super::Outcome::Scanned => format!("Not listed in full: {}", e.reason),
                        status => format!("Read in part ({status}): {}", e.reason),
                    };
                    strings.id(&note) as i64
                });
                let stopped =
                    record.is_some_and(|e| e.reason.contains(crate::extract::Unlisted::STOPPED));
                files.push((strings.id(path), strings.id(folder_of(path)), note, stopped));
                files.len() - 1
            })
        };

    let mut category_ids: BTreeSet<&str> = BTreeSet::new();
    let mut process_ids: BTreeSet<String> = BTreeSet::new();
    let mut records = Vec::with_capacity(report.records.len());
    let mut record_at: HashMap<(&str, &str), usize> = HashMap::new();
    for (i, r) in report.records.iter().enumerate() {
        record_at.insert((r.path.as_str(), r.record.as_str()), i);
        folder_set.insert(folder_of(&r.path));
        for c in r.categories.iter().chain(&r.mentions) {
            category_ids.insert(c);
        }
        process_ids.insert(r.process.clone().unwrap_or_else(|| "(none)".into()));
    }
    for f in &report.findings {
        category_ids.insert(&f.category);
    }
    // Findings are sorted by path and location, records by path and
    // location too, but a record's findings need not be adjacent: group
    // them by record, keeping each record's in report order.
    let mut per_record: Vec<Vec<usize>> = vec![Vec::new(); report.records.len()];
    let mut orphans = Vec::new();
    for (i, f) in report.findings.iter().enumerate() {
        match record_at.get(&(f.path.as_str(), f.record.as_str())) {
            Some(&r) => per_record[r].push(i),
            None => orphans.push(i),
        }
    }
    let mut findings = Vec::with_capacity(report.findings.len());
    let push_finding =
        |i: usize, record: usize, strings: &mut Strings, findings: &mut Vec<FindingRow>| {
            let f = &report.findings[i];
            findings.push((
                record,
                strings.id(&f.location.to_string()),
                strings.id(&f.detector),
                strings.id(&label_of(&f.category)),
                match f.confidence {
                    Confidence::Low => 0,
                    Confidence::Medium => 1,
                    Confidence::High => 2,
                },
                strings.id(&f.masked),
                u8::from(f.new),
                f.fingerprint
                    .as_deref()
                    .map_or(-1, |fp| strings.id(fp) as i64),
                f.triage.as_ref().map_or(-1, |t| {
                    let note = format!("{} by {}: {}", t.status.replace('_', " "), t.by, t.note);
                    strings.id(&note) as i64
                }),
                if f.evidence.is_empty() {
                    -1
                } else {
                    strings.id(&f.evidence.join(", ")) as i64
                },
            ));
        };
    for (ri, r) in report.records.iter().enumerate() {
        let file = file_of(&r.path, &mut strings, &mut files);
        let first = findings.len();
        for &fi in &per_record[ri] {
            push_finding(fi, ri, &mut strings, &mut findings);
        }
        let mut cats: Vec<usize> = r
            .categories
            .iter()
            .map(|c| strings.id(&label_of(c)))
            .collect();
        cats.extend(r.mentions.iter().map(|c| strings.id(&label_of(c))));
        let flags = r
            .flags
            .iter()
            .map(|f| {
                let kind = FlagKind::ALL.iter().position(|k| *k == f.flag).unwrap_or(0);
                (kind, strings.id(&f.reason))
            })
            .collect();
        records.push((
            file,
            strings.id(&r.record),
            r.process.as_deref().map_or(-1, |p| strings.id(p) as i64),
            cats,
            flags,
            u8::from(r.personal),
            first,
            findings.len() - first,
            u8::from(r.new),
        ));
    }
    // A finding with no record (a scan saved before records existed) is
    // shown under a record of its own, unflagged.
    for i in orphans {
        let f = &report.findings[i];
        let file = file_of(&f.path, &mut strings, &mut files);
        folder_set.insert(folder_of(&f.path));
        let first = findings.len();
        let ri = records.len();
        push_finding(i, ri, &mut strings, &mut findings);
        records.push((
            file,
            strings.id(&f.record),
            -1,
            vec![strings.id(&label_of(&f.category))],
            Vec::new(),
            1,
            first,
            1,
            0,
        ));
    }
    let mut flagged: Vec<usize> = (0..records.len())
        .filter(|&i| !records[i].4.is_empty())
        .collect();
    // Most severe flag first; within a severity, report order (by path).
    flagged.sort_by_key(|&i| (records[i].4.iter().map(|f| f.0).min().unwrap_or(0), i));

    let categories = category_ids
        .iter()
        .map(|id| (strings.id(&label_of(id)), strings.id(id)))
        .collect();
    let processes = process_ids.iter().map(|p| strings.id(p)).collect();
    let folders = folder_set.iter().map(|f| strings.id(f)).collect();
    let data = Data {
        kinds: FlagKind::ALL
            .iter()
            .map(|k| (k.to_string(), flag_label(*k)))
            .collect(),
        s: strings.list,
        categories,
        processes,
        folders,
        files,
        records,
        findings,
        flagged,
    };
    Ok(script_safe_json(&serde_json::to_string(&data)?))
}

/// JSON that can sit inside a `<script>` element: no `<`, `>` or `&` (so no
/// `</script>` or `<!--` can end or bend it), nor the two line separators
/// older script parsers choke on.
fn script_safe_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_in_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(1234567), "1,234,567");
    }

    #[test]
    fn json_cannot_close_its_script_element() {
        let json = serde_json::to_string("</script><script>alert(1)</script>&\u{2028}").unwrap();
        let safe = script_safe_json(&json);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        let back: String = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, "</script><script>alert(1)</script>&\u{2028}");
    }

    #[test]
    fn folders_are_the_directories_of_files_on_disk() {
        assert_eq!(folder_of("a/b/c.csv"), "a/b");
        assert_eq!(folder_of("c.csv"), ".");
        assert_eq!(folder_of("a/x.zip!/in/y.csv"), "a");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(400), "0.4 s");
        assert_eq!(duration(42_000), "42 s");
        assert_eq!(duration(125_000), "2 min 5 s");
        assert_eq!(duration(3_725_000), "1 h 2 min");
    }
}
