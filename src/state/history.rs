//! Runs and what each reported, for `trawl history`, "new since the last
//! run", "resolved since it", and `trawl diff`.

use std::sync::atomic::AtomicBool;

use foldhash::HashMap;

use anyhow::{Context, Result};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::State;

/// Items resolved more than this many runs ago are forgotten (the runs
/// themselves are kept for ever): a quarter of nightly runs.
const RUNS_WITH_ITEMS: i64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Finding,
    Record,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Finding => "finding",
            ItemKind::Record => "record",
        }
    }
}

/// A finding or record that appeared or went away, described with masked
/// values only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub kind: ItemKind,
    pub fingerprint: String,
    pub path: String,
    pub label: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunSummary {
    pub run: i64,
    pub started: String,
    pub finished: Option<String>,
    pub roots: Vec<String>,
    pub as_of: String,
    /// `completed`, `interrupted`, `failed`, or `running` (or died running).
    pub outcome: String,
    pub files_seen: u64,
    pub files_read: u64,
    pub files_reused: u64,
    pub files_removed: u64,
    pub findings: u64,
    pub records_flagged: u64,
    pub new: u64,
    pub resolved: u64,
    pub duration_ms: u64,
    /// The SHA-256 of the rules and of the policy it judged by (as its
    /// manifest gives them); None for runs of states before version 5.
    #[serde(default)]
    pub rules_sha256: Option<String>,
    #[serde(default)]
    pub policy_sha256: Option<String>,
}

/// What a run judges by: the SHA-256 of its rules (every file) and of its
/// policy, as the manifest names them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JudgedBy {
    pub rules_sha256: String,
    pub policy_sha256: String,
}

/// Which of what a run judges by changed since another run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changed {
    pub rules: bool,
    pub policy: bool,
}

/// A row of `fingerprint, kind, path, label`.
fn change_from_row(r: &rusqlite::Row) -> rusqlite::Result<Change> {
    let kind: String = r.get(1)?;
    Ok(Change {
        fingerprint: r.get(0)?,
        kind: if kind == "record" {
            ItemKind::Record
        } else {
            ItemKind::Finding
        },
        path: r.get(2)?,
        label: r.get(3)?,
    })
}

impl State {
    /// The last run before `run` that finished (completed or stopped).
    pub fn previous_run(&self, run: i64) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT max(id) FROM runs WHERE id < ?1 AND outcome IN ('completed', 'interrupted')",
                [run],
                |r| r.get::<_, Option<i64>>(0),
            )
            .optional()?
            .flatten())
    }

    /// Whether the rules or the policy differ from those run `run` judged
    /// by. A run that did not record them (before state version 5) is taken
    /// to differ in neither: nothing is claimed that is not known.
    pub fn changed_since(&self, run: i64, now: &JudgedBy) -> Result<Changed> {
        let (rules, policy) = self.judged_by(run)?;
        Ok(Changed {
            rules: rules.is_some_and(|r| r != now.rules_sha256),
            policy: policy.is_some_and(|p| p != now.policy_sha256),
        })
    }

    /// The SHA-256 of the rules and of the policy run `run` judged by,
    /// where it recorded them.
    fn judged_by(&self, run: i64) -> Result<(Option<String>, Option<String>)> {
        Ok(self
            .conn
            .query_row(
                "SELECT rules_sha256, policy_sha256 FROM runs WHERE id = ?1",
                [run],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .unwrap_or_default())
    }

    /// The live items with these keys, described.
    pub fn live_items_of(&self, keys: &[&str]) -> Result<Vec<Change>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT fingerprint, kind, path, label FROM items WHERE fingerprint = ?1 AND until IS NULL",
        )?;
        let mut out = Vec::with_capacity(keys.len());
        for k in keys {
            let mut rows = stmt.query_map([k], change_from_row)?;
            if let Some(c) = rows.next() {
                out.push(c?);
            }
        }
        Ok(out)
    }

    /// The fingerprint and path of every item of `kind` the runs so far
    /// report now.
    pub fn live_paths(&self, kind: ItemKind) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT fingerprint, path FROM items WHERE until IS NULL AND kind = ?1")?;
        let rows = stmt.query_map([kind.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()
            .context("reading the items")
    }

    /// What was reported as of run `run`.
    pub fn items_at(&self, run: i64) -> Result<HashMap<String, Change>> {
        let mut stmt = self.conn.prepare(
            "SELECT fingerprint, kind, path, label FROM items
             WHERE since <= ?1 AND (until IS NULL OR until > ?1)",
        )?;
        let rows = stmt.query_map([run], change_from_row)?;
        let mut out = HashMap::default();
        for row in rows {
            let c = row?;
            out.insert(c.fingerprint.clone(), c);
        }
        Ok(out)
    }

    /// Ends a run: records what appeared and what went, and its counts.
    /// Items unchanged since the last run cost nothing.
    pub fn finish_run(
        &mut self,
        summary: &RunSummary,
        added: &[Change],
        resolved: &[Change],
        moved: &[(&str, &str)],
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut put =
                tx.prepare_cached("INSERT INTO moves (run, from_key, to_key) VALUES (?1, ?2, ?3)")?;
            for (from, to) in moved {
                put.execute(params![summary.run, from, to])?;
            }
            let mut put = tx.prepare_cached(
                "INSERT INTO items (fingerprint, kind, path, label, since) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for c in added {
                put.execute(params![
                    c.fingerprint,
                    c.kind.as_str(),
                    c.path,
                    c.label,
                    summary.run
                ])?;
            }
            let mut end = tx.prepare_cached(
                "UPDATE items SET until = ?2 WHERE fingerprint = ?1 AND until IS NULL",
            )?;
            for c in resolved {
                end.execute(params![c.fingerprint, summary.run])?;
            }
        }
        tx.execute(
            "UPDATE runs SET finished = ?2, outcome = ?3, files_seen = ?4, files_read = ?5, files_reused = ?6,
               files_removed = ?7, findings = ?8, records_flagged = ?9, new_items = ?10, resolved_items = ?11,
               duration_ms = ?12 WHERE id = ?1",
            params![
                summary.run,
                summary.finished,
                summary.outcome,
                summary.files_seen as i64,
                summary.files_read as i64,
                summary.files_reused as i64,
                summary.files_removed as i64,
                summary.findings as i64,
                summary.records_flagged as i64,
                summary.new as i64,
                summary.resolved as i64,
                summary.duration_ms as i64
            ],
        )?;
        tx.execute(
            "DELETE FROM items WHERE until IS NOT NULL AND until <= (SELECT max(id) FROM runs) - ?1",
            [RUNS_WITH_ITEMS],
        )?;
        tx.execute(
            "DELETE FROM moves WHERE run <= (SELECT max(id) FROM runs) - ?1",
            [RUNS_WITH_ITEMS],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Every run, oldest first.
    pub fn runs(&self) -> Result<Vec<RunSummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, started, finished, roots, as_of, outcome, files_seen, files_read, files_reused, files_removed,
                    findings, records_flagged, new_items, resolved_items, duration_ms, rules_sha256, policy_sha256
             FROM runs ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            let roots: String = r.get(3)?;
            Ok(RunSummary {
                run: r.get(0)?,
                started: r.get(1)?,
                finished: r.get(2)?,
                roots: serde_json::from_str(&roots).unwrap_or_default(),
                as_of: r.get(4)?,
                outcome: r.get(5)?,
                files_seen: r.get::<_, i64>(6)? as u64,
                files_read: r.get::<_, i64>(7)? as u64,
                files_reused: r.get::<_, i64>(8)? as u64,
                files_removed: r.get::<_, i64>(9)? as u64,
                findings: r.get::<_, i64>(10)? as u64,
                records_flagged: r.get::<_, i64>(11)? as u64,
                new: r.get::<_, i64>(12)? as u64,
                resolved: r.get::<_, i64>(13)? as u64,
                duration_ms: r.get::<_, i64>(14)? as u64,
                rules_sha256: r.get(15)?,
                policy_sha256: r.get(16)?,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .context("reading the runs")
    }

    /// What run `b` reported that `a` did not (new), and the reverse
    /// (resolved), each sorted by path. Runs older than the last
    /// hundred may have lost their resolved items.
    pub fn diff(&self, a: i64, b: i64) -> Result<Diff> {
        for run in [a, b] {
            let has: i64 =
                self.conn
                    .query_row("SELECT count(*) FROM runs WHERE id = ?1", [run], |r| {
                        r.get(0)
                    })?;
            if has == 0 {
                anyhow::bail!("there is no run {run} in this state (see `trawl history`)");
            }
        }
        let old = self.items_at(a)?;
        let new = self.items_at(b)?;
        let (mut added, mut resolved) = changes(&old, &new);
        // Items moved with their files between the two runs (in either
        // order), followed move by move: neither resolved nor new.
        let mut stmt = self.conn.prepare(
            "SELECT from_key, to_key FROM moves WHERE run > ?1 AND run <= ?2 ORDER BY run",
        )?;
        let (low, high) = (a.min(b), a.max(b));
        let mut next: HashMap<String, String> = HashMap::default();
        for row in stmt.query_map([low, high], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))? {
            let (from, to): (String, String) = row?;
            if a <= b {
                next.insert(from, to);
            } else {
                next.insert(to, from);
            }
        }
        let mut moved = Vec::new();
        if !next.is_empty() {
            let added_at: HashMap<String, usize> = added
                .iter()
                .enumerate()
                .map(|(i, c)| (c.fingerprint.clone(), i))
                .collect();
            let mut taken = vec![false; added.len()];
            resolved.retain(|was| {
                let mut key = &was.fingerprint;
                // Bounded: a chain of moves is at most one a run.
                for _ in 0..=(high - low) {
                    let Some(then) = next.get(key) else { break };
                    key = then;
                    if let Some(&i) = added_at.get(key) {
                        if !taken[i] {
                            taken[i] = true;
                            moved.push((was.clone(), added[i].clone()));
                            return false;
                        }
                    }
                }
                true
            });
            let mut i = 0;
            added.retain(|_| {
                i += 1;
                !taken[i - 1]
            });
        }
        // Where both runs recorded them: the rules or policy may explain
        // what is new and resolved.
        let (rules_b, policy_b) = self.judged_by(b)?;
        let changed = match (rules_b, policy_b) {
            (Some(rules_sha256), Some(policy_sha256)) => self.changed_since(
                a,
                &JudgedBy {
                    rules_sha256,
                    policy_sha256,
                },
            )?,
            _ => Changed::default(),
        };
        Ok(Diff {
            new: added,
            resolved,
            moved,
            changed,
        })
    }
}

/// What one run reported that another did not, and the reverse; and the
/// items that moved with their files between them (each at its path in the
/// earlier run, then in the later).
#[derive(Debug, Default)]
pub struct Diff {
    pub new: Vec<Change>,
    pub resolved: Vec<Change>,
    pub moved: Vec<(Change, Change)>,
    /// Whether the two runs judged by other rules or another policy.
    pub changed: Changed,
}

/// Items in `now` not in `before` (new), and in `before` not in `now`
/// (resolved), sorted by path and label.
pub fn changes(
    before: &HashMap<String, Change>,
    now: &HashMap<String, Change>,
) -> (Vec<Change>, Vec<Change>) {
    let sort = |mut v: Vec<Change>| {
        v.sort_by(|x, y| {
            (&x.path, &x.label, &x.fingerprint).cmp(&(&y.path, &y.label, &y.fingerprint))
        });
        v
    };
    let added = now
        .values()
        .filter(|c| !before.contains_key(&c.fingerprint))
        .cloned()
        .collect();
    let gone = before
        .values()
        .filter(|c| !now.contains_key(&c.fingerprint))
        .cloned()
        .collect();
    (sort(added), sort(gone))
}

/// The keys of what the runs so far report now: each item from the run
/// that first reported it, until one no longer did.
pub(super) fn read_live_keys(conn: &rusqlite::Connection) -> Result<HashMap<String, AtomicBool>> {
    let mut stmt = conn.prepare("SELECT fingerprint FROM items WHERE until IS NULL")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, AtomicBool::new(false))))?;
    rows.collect::<rusqlite::Result<_>>()
        .context("reading the items")
}
