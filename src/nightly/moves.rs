//! Files moved or renamed since the last run: the same content gone from one
//! path and new at another. Every finding's and record's fingerprint names
//! its path, so without this a folder moved on the share (`2019/` into
//! `archive/`) reports each of its findings resolved, as if dealt with, and
//! again as new, and the DPO's decisions on them are lost.

use anyhow::Result;

use crate::report::{Finding, MovedFile, ScanReport, Summary, Triage};
use crate::scan::{tally_finding, tally_record, Tally};
use crate::state::{record_item_key, record_item_key_as, Change, ItemKind, Memory, State};

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
    if pairs.is_empty() {
        return out;
    }
    let mut moved: Vec<MovedFile> = pairs
        .iter()
        .map(|(from, to)| MovedFile {
            from: from.clone(),
            to: to.clone(),
            ..MovedFile::default()
        })
        .collect();
    // One pass over the report, each item's file looked up: a folder of
    // thousands moved must not cost a pass for each.
    let by_new: std::collections::HashMap<&str, usize> = pairs
        .iter()
        .enumerate()
        .map(|(i, (_, to))| (to.as_str(), i))
        .collect();
    let formerly = |path: &str| -> Option<(usize, String)> {
        let (i, rest) = moved_file(path, &by_new)?;
        Some((i, format!("{}{rest}", pairs[i].0)))
    };
    let summary = &mut report.summary;
    report.findings.retain_mut(|f| {
        let (Some((i, old_path)), Some(fp)) = (formerly(&f.path), f.fingerprint.clone()) else {
            return true;
        };
        let old = memory.fingerprint_finding_at(f, &old_path);
        let before = out.item(
            memory,
            &mut moved[i],
            Item {
                kind: ItemKind::Finding,
                old_key: &old,
                key: &fp,
                old_path: &old_path,
                path: &f.path,
                label: finding_label(f),
                old_fingerprint: &old,
                fingerprint: &fp,
                decided: f.triage.is_some(),
            },
        );
        if before.apply(&mut f.new, &mut f.triage) {
            uncount_finding(summary, f);
            return show_suppressed;
        }
        true
    });
    report.records.retain_mut(|r| {
        let (Some((i, old_path)), Some(fingerprint)) = (formerly(&r.path), r.fingerprint.clone())
        else {
            return true;
        };
        let old_fingerprint = memory.fingerprint_record(&old_path, &r.record);
        let before = out.item(
            memory,
            &mut moved[i],
            Item {
                kind: ItemKind::Record,
                old_key: &record_item_key_as(&old_fingerprint, r),
                key: &record_item_key(r),
                old_path: &old_path,
                path: &r.path,
                label: super::record_label(r),
                old_fingerprint: &old_fingerprint,
                fingerprint: &fingerprint,
                decided: r.triage.is_some(),
            },
        );
        if before.apply(&mut r.new, &mut r.triage) {
            uncount_record(summary, r);
            return show_suppressed;
        }
        true
    });
    // A file that held nothing reported (one that could not be read, say)
    // moved unremarked.
    out.moved = moved
        .into_iter()
        .filter(|m| m.items + m.decisions > 0)
        .collect();
    out
}

/// Which moved file `path` (a file's, or a member's in it: `a.zip!/b.csv`)
/// is, or is in, by the file's new path; and the rest of `path` after it.
fn moved_file<'p>(
    path: &'p str,
    by_new: &std::collections::HashMap<&str, usize>,
) -> Option<(usize, &'p str)> {
    if let Some(&i) = by_new.get(path) {
        return Some((i, ""));
    }
    path.match_indices("!/")
        .find_map(|(at, _)| by_new.get(&path[..at]).map(|&i| (i, &path[at..])))
}

/// One finding or record of a moved file, at its new path and its old.
struct Item<'a> {
    kind: ItemKind,
    /// What names it in the items runs record: at the old path, and now.
    old_key: &'a str,
    key: &'a str,
    old_path: &'a str,
    path: &'a str,
    label: String,
    /// What names a decision on it: at the old path, and now.
    old_fingerprint: &'a str,
    fingerprint: &'a str,
    /// Whether it has a decision here already.
    decided: bool,
}

/// What an item of a moved file was at its old path.
struct Before {
    /// Reported by the last run: it is not new.
    reported: bool,
    /// Decided on there, and not here: the decision that follows it.
    decision: Option<Triage>,
}

impl Before {
    /// Makes the item here what it was at its old path: not new if it was
    /// reported there, and decided on as it was there. Returns whether a
    /// decision followed it (it is then hidden and counted apart).
    fn apply(self, new: &mut bool, triage: &mut Option<Box<Triage>>) -> bool {
        *new &= !self.reported;
        let Some(decision) = self.decision else {
            return false;
        };
        *triage = Some(Box::new(decision));
        *new = false;
        true
    }
}

impl Followed {
    /// Each item's key at its old path, and at its new.
    pub fn pairs(&self) -> Vec<(&str, &str)> {
        self.closed
            .iter()
            .zip(&self.opened)
            .map(|(was, now)| (was.fingerprint.as_str(), now.fingerprint.as_str()))
            .collect()
    }

    /// Follows one item from its old path: marks it still reported there
    /// (so not resolved), notes its items to close and open, and gives it
    /// the decision made there.
    fn item(&mut self, memory: &Memory, moved: &mut MovedFile, item: Item<'_>) -> Before {
        let reported = memory.still_live(item.old_key);
        if reported {
            moved.items += 1;
            self.closed.push(change(
                item.kind,
                item.old_key,
                item.old_path,
                item.label.clone(),
            ));
            self.opened
                .push(change(item.kind, item.key, item.path, item.label));
        }
        let decision = (!item.decided)
            .then(|| memory.triage.get(item.old_fingerprint).cloned())
            .flatten();
        if let Some(d) = &decision {
            moved.decisions += 1;
            self.decisions
                .push((item.fingerprint.to_string(), d.clone()));
        }
        Before { reported, decision }
    }
}

/// An item described, with masked values only.
pub(super) fn change(kind: ItemKind, fingerprint: &str, path: &str, label: String) -> Change {
    Change {
        kind,
        fingerprint: fingerprint.to_string(),
        path: path.to_string(),
        label,
    }
}

pub(super) fn finding_label(f: &Finding) -> String {
    format!("{} · {} · {}", f.location, f.detector, f.masked)
}

/// A finding the summary counted, decided on since: counted apart instead.
fn uncount_finding(s: &mut Summary, f: &Finding) {
    tally_finding(s, f, Tally::Out);
    s.findings_suppressed += 1;
}

/// A record the summary counted, decided on since: counted apart instead.
fn uncount_record(s: &mut Summary, r: &crate::classify::Record) {
    tally_record(s, r, Tally::Out);
    s.records_suppressed += 1;
}

#[cfg(test)]
mod tests {
    use super::{find, moved_file};
    use crate::state::{FileMeta, State, StoredFile};

    #[test]
    fn gone_files_are_paired_with_new_ones_of_the_same_content_in_order_of_path() {
        let dir = tempfile::tempdir().unwrap();
        let mut state = State::open(&dir.path().join("state.db")).unwrap();
        let run = state
            .begin_run(
                "2026-01-01T00:00:00Z",
                &[],
                "2026-01-01",
                &Default::default(),
            )
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
    fn a_path_in_a_moved_file_is_told_by_the_files_new_path() {
        let by_new: std::collections::HashMap<&str, usize> =
            [("new/a.csv", 0), ("new/a.zip", 1), ("odd!/b.zip", 2)].into();
        assert_eq!(moved_file("new/a.csv", &by_new), Some((0, "")));
        assert_eq!(
            moved_file("new/a.zip!/b.csv", &by_new),
            Some((1, "!/b.csv"))
        );
        assert_eq!(
            moved_file("odd!/b.zip!/c.txt", &by_new),
            Some((2, "!/c.txt"))
        );
        assert_eq!(moved_file("new/a.csv2", &by_new), None);
        assert_eq!(moved_file("new/a.csv/x", &by_new), None);
        assert_eq!(moved_file("other.csv", &by_new), None);
    }
}
