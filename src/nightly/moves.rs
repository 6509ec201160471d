//! Files moved or renamed since the last run: the same content gone from one
//! path and new at another. Every finding's and record's fingerprint names
//! its path, so without this a folder moved on the share (`2019/` into
//! `archive/`) reports each of its findings resolved, as if dealt with, and
//! again as new, and the DPO's decisions on them are lost.

use anyhow::Result;

use crate::report::{Finding, MovedFile, ScanReport, Summary, Triage};
use crate::state::{record_item_key, Change, ItemKind, Memory, State};

/// What following moved files changed, for the state.
#[derive(Default)]
pub struct Followed {
    pub moved: Vec<MovedFile>,
    /// Items at the new paths, to be recorded as reported from this run
    /// (not as new).
    pub opened: Vec<Change>,
    /// Items at the old paths, to be recorded as no longer reported (not as
    /// resolved).
    pub closed: Vec<Change>,
    /// Decisions given to the items at their new paths.
    pub decisions: Vec<(String, Triage)>,
}

/// Pairs files gone since the last run (`gone`, which held items) with files
/// new tonight (`new`, with their content hashes) by content: each gone
/// file with the first new file, in order of path, of the same content not
/// already paired. Returns (from, to) pairs in order of `from`.
pub fn find(
    state: &State,
    gone: &[&str],
    new: &[(String, Option<String>)],
) -> Result<Vec<(String, String)>> {
    if gone.is_empty() || new.is_empty() {
        return Ok(Vec::new());
    }
    let was = state.content_hashes(gone)?;
    let mut new: Vec<(&str, &str)> = new
        .iter()
        .filter_map(|(path, sha)| Some((path.as_str(), sha.as_deref()?)))
        .collect();
    new.sort();
    let mut by_content: std::collections::HashMap<&str, std::collections::VecDeque<&str>> =
        Default::default();
    for (path, sha) in new {
        by_content.entry(sha).or_default().push_back(path);
    }
    let mut gone = gone.to_vec();
    gone.sort();
    let mut pairs = Vec::new();
    for from in gone {
        let to = was
            .get(from)
            .and_then(|sha| by_content.get_mut(sha.as_str()))
            .and_then(|paths| paths.pop_front());
        if let Some(to) = to {
            pairs.push((from.to_string(), to.to_string()));
        }
    }
    Ok(pairs)
}

/// The path `path` (a file's, or a member's in it: `a.zip!/b.csv`) had at
/// `from`, if it is `to` or in it.
fn formerly(path: &str, from: &str, to: &str) -> Option<String> {
    let rest = path.strip_prefix(to)?;
    (rest.is_empty() || rest.starts_with("!/")).then(|| format!("{from}{rest}"))
}

/// Follows each moved file's items from its old path to its new one in the
/// report: an item reported before at the old path is not new (nor, marked
/// as still reported, resolved), and a decision on it there is its
/// decision here (hidden and counted apart, unless `show_suppressed`).
pub fn follow(
    report: &mut ScanReport,
    memory: &Memory,
    pairs: &[(String, String)],
    show_suppressed: bool,
) -> Followed {
    let mut out = Followed::default();
    for (from, to) in pairs {
        let mut moved = MovedFile {
            from: from.clone(),
            to: to.clone(),
            ..MovedFile::default()
        };
        let summary = &mut report.summary;
        report.findings.retain_mut(|f| {
            let Some(old_path) = formerly(&f.path, from, to) else {
                return true;
            };
            let Some(fp) = f.fingerprint.clone() else {
                return true;
            };
            let old = memory.fingerprint_finding_at(f, &old_path);
            if memory.still_live(&old) {
                moved.items += 1;
                f.new = false;
                let label = finding_label(f);
                out.closed
                    .push(change(ItemKind::Finding, &old, &old_path, &label));
                out.opened
                    .push(change(ItemKind::Finding, &fp, &f.path, &label));
            }
            if f.triage.is_none() {
                if let Some(decision) = memory.triage.get(&old) {
                    moved.decisions += 1;
                    f.triage = Some(decision.clone());
                    f.new = false;
                    out.decisions.push((fp, decision.clone()));
                    uncount_finding(summary, f);
                    return show_suppressed;
                }
            }
            true
        });
        report.records.retain_mut(|r| {
            let Some(old_path) = formerly(&r.path, from, to) else {
                return true;
            };
            let Some(fp) = r.fingerprint.clone() else {
                return true;
            };
            let old_fp = memory.fingerprint_record(&old_path, &r.record);
            let mut before = r.clone();
            before.fingerprint = Some(old_fp.clone());
            let old_key = record_item_key(&before).into_owned();
            if memory.still_live(&old_key) {
                moved.items += 1;
                r.new = false;
                let key = record_item_key(r).into_owned();
                let label = super::record_label(r);
                out.closed
                    .push(change(ItemKind::Record, &old_key, &old_path, &label));
                out.opened
                    .push(change(ItemKind::Record, &key, &r.path, &label));
            }
            if r.triage.is_none() {
                if let Some(decision) = memory.triage.get(&old_fp) {
                    moved.decisions += 1;
                    r.triage = Some(decision.clone());
                    r.new = false;
                    out.decisions.push((fp, decision.clone()));
                    uncount_record(summary, r);
                    return show_suppressed;
                }
            }
            true
        });
        // A file that held nothing reported (one that could not be read,
        // say) moved unremarked.
        if moved.items + moved.decisions > 0 {
            out.moved.push(moved);
        }
    }
    out
}

fn change(kind: ItemKind, fingerprint: &str, path: &str, label: &str) -> Change {
    Change {
        kind,
        fingerprint: fingerprint.to_string(),
        path: path.to_string(),
        label: label.to_string(),
    }
}

pub(super) fn finding_label(f: &Finding) -> String {
    format!("{} · {} · {}", f.location, f.detector, f.masked)
}

fn less(n: &mut u64) {
    *n = n.saturating_sub(1);
}

/// Takes one from `key`'s count, dropping the count at none (as though it
/// had never been counted).
fn less_of<K, Q>(counts: &mut std::collections::BTreeMap<K, u64>, key: &Q)
where
    K: Ord + std::borrow::Borrow<Q>,
    Q: Ord + ?Sized,
{
    if let Some(n) = counts.get_mut(key) {
        less(n);
        if *n == 0 {
            counts.remove(key);
        }
    }
}

/// A finding the summary counted, decided on since: counted apart instead.
fn uncount_finding(s: &mut Summary, f: &Finding) {
    less(&mut s.findings);
    less_of(&mut s.findings_by_detector, f.detector.as_str());
    less_of(&mut s.findings_by_confidence, &f.confidence);
    s.findings_suppressed += 1;
}

/// A record the summary counted, decided on since: counted apart instead.
fn uncount_record(s: &mut Summary, r: &crate::classify::Record) {
    less(&mut s.records);
    if r.personal {
        less(&mut s.records_personal);
    }
    if !r.flags.is_empty() {
        less(&mut s.records_flagged);
        let process = r.process.as_deref().unwrap_or("(none)");
        for f in &r.flags {
            less_of(&mut s.flags_by_type, &f.flag);
            if let Some(by_process) = s.flags_by_process.get_mut(process) {
                less_of(by_process, &f.flag);
                if by_process.is_empty() {
                    s.flags_by_process.remove(process);
                }
            }
        }
    }
    s.records_suppressed += 1;
}

#[cfg(test)]
mod tests {
    use super::{find, formerly};
    use crate::state::{FileMeta, State, StoredFile};

    #[test]
    fn gone_files_are_paired_with_new_ones_of_the_same_content_in_order_of_path() {
        let dir = tempfile::tempdir().unwrap();
        let mut state = State::open(&dir.path().join("state.db")).unwrap();
        let run = state
            .begin_run("2026-01-01T00:00:00Z", &[], "2026-01-01")
            .unwrap();
        let file = |path: &str, sha: &str| StoredFile {
            path: path.into(),
            meta: FileMeta {
                size: 1,
                mtime_ns: 1,
                dev: 1,
                ino: 1,
            },
            sha256: Some(sha.into()),
            format: "text".into(),
            outcome: crate::report::Outcome::Scanned,
            result: None,
            racy: false,
        };
        state
            .store(
                run,
                "made",
                &[
                    file("old/b.txt", "same"),
                    file("old/a.txt", "same"),
                    file("old/c.txt", "other"),
                ],
            )
            .unwrap();
        let new = |path: &str, sha: Option<&str>| (path.to_string(), sha.map(String::from));
        let pairs = find(
            &state,
            &["old/b.txt", "old/a.txt", "old/c.txt", "old/unknown.txt"],
            &[
                new("new/z.txt", Some("same")),
                new("new/y.txt", Some("same")),
                new("new/x.txt", None),
                new("new/w.txt", Some("else")),
            ],
        )
        .unwrap();
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        assert_eq!(
            pairs,
            [
                pair("old/a.txt", "new/y.txt"),
                pair("old/b.txt", "new/z.txt")
            ]
        );
        assert!(find(&state, &[], &[new("n", Some("same"))])
            .unwrap()
            .is_empty());
    }

    #[test]
    fn a_path_in_a_moved_file_is_named_as_it_was() {
        assert_eq!(
            formerly("new/a.csv", "old/a.csv", "new/a.csv").as_deref(),
            Some("old/a.csv")
        );
        assert_eq!(
            formerly("new/a.zip!/b.csv", "old/a.zip", "new/a.zip").as_deref(),
            Some("old/a.zip!/b.csv")
        );
        assert_eq!(formerly("new/a.csv2", "old/a.csv", "new/a.csv"), None);
        assert_eq!(formerly("new/a.csv/x", "old/a.csv", "new/a.csv"), None);
        assert_eq!(formerly("other.csv", "old/a.csv", "new/a.csv"), None);
    }
}
