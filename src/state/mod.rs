//! Nightly state, in one SQLite file (`--state FILE`): what each file looked
//! like and gave when last read, every run, what each run reported (by
//! fingerprint, for "new" and "resolved"), and the DPO's triage decisions.
//!
//! Stored results are the extraction's output before classification, so a
//! rescan re-judges them at the new as-of date without reading the file. They
//! hold masked values only, never raw ones; a record's draft keeps the few
//! cells the policy reads (dates, lawful basis, consent), as the policy asks.
//! Fingerprints are keyed hashes (HMAC-SHA-256) with a key made for each
//! state file and kept in it.

pub mod history;
mod journal;
mod lock;
pub mod packed;

// foldhash: maps keyed by every path and fingerprint of a share are looked
// up once a file on a rescan; SipHash was a noticeable part of one.
use foldhash::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use anyhow::{bail, Context, Result};
use hmac::{KeyInit, Mac};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

pub use history::{Change, Changed, Diff, ItemKind, JudgedBy, RunSummary};
pub use lock::{Lock, LockError};

/// What to say of a damaged state.
pub fn damaged(state: &Path) -> String {
    format!(
        "the state {} is damaged: restore it from a backup, or move it aside to start a new one (its history and triage decisions are in it)",
        state.display()
    )
}

/// Why the file at `path` cannot be read as a state: damaged, or not one.
fn not_a_state(path: &Path, e: rusqlite::Error) -> anyhow::Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => anyhow::anyhow!("{} ({e})", damaged(path)),
        _ => anyhow::anyhow!("{} is not a trawl state file: {e}", path.display()),
    }
}

/// Whether `err` comes of SQLite finding a state damaged, wherever it did.
pub fn is_damage(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<rusqlite::Error>()
            .and_then(rusqlite::Error::sqlite_error_code)
            .is_some_and(|code| code == rusqlite::ErrorCode::DatabaseCorrupt)
    })
}

/// The files a state at `state` keeps beside it: SQLite's write-ahead log
/// and its index, or its rollback journal, and the lock.
pub fn files_beside(state: &Path) -> Vec<PathBuf> {
    ["-wal", "-shm", "-journal", lock::LOCK_SUFFIX]
        .iter()
        .map(|suffix| beside(state, suffix))
        .collect()
}

/// Sets `key` in the state's `meta` table, on `conn` (or a transaction's).
fn put_meta(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// The file named as `state` with `suffix` after its name.
fn beside(state: &Path, suffix: &str) -> PathBuf {
    let mut name = state.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

use crate::extract::RecordDraft;
use crate::report::{FileRecord, Finding, Outcome, Triage};

/// Bumped when the tables change; older states are migrated, newer refused.
pub const SCHEMA_VERSION: i64 = 5;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    dev INTEGER NOT NULL,
    ino INTEGER NOT NULL,
    sha256 TEXT,
    format TEXT NOT NULL,
    outcome TEXT NOT NULL,
    -- Whether reading it gave anything (then in `results`).
    has_result INTEGER NOT NULL,
    run INTEGER NOT NULL,
    -- Changed so shortly before it was read that a change after, within
    -- the file system's time resolution, could leave size and time as they
    -- are: its content is compared next time (see FileMeta::racy).
    racy INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
-- What reading a file gave (packed: see packed.rs), apart, so that the file
-- table a rescan reads whole stays small.
CREATE TABLE IF NOT EXISTS results (
    path TEXT PRIMARY KEY,
    result BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    roots TEXT NOT NULL,
    as_of TEXT NOT NULL,
    outcome TEXT NOT NULL,
    files_seen INTEGER NOT NULL DEFAULT 0,
    files_read INTEGER NOT NULL DEFAULT 0,
    files_reused INTEGER NOT NULL DEFAULT 0,
    files_removed INTEGER NOT NULL DEFAULT 0,
    findings INTEGER NOT NULL DEFAULT 0,
    records_flagged INTEGER NOT NULL DEFAULT 0,
    new_items INTEGER NOT NULL DEFAULT 0,
    resolved_items INTEGER NOT NULL DEFAULT 0,
    duration_ms INTEGER NOT NULL DEFAULT 0,
    trawl_version TEXT NOT NULL,
    -- The SHA-256 of the rules (every file, as the manifest gives it) and
    -- of the policy the run judged by; NULL for runs before version 5.
    rules_sha256 TEXT,
    policy_sha256 TEXT
);
-- What runs reported, as intervals: an item reported from run `since` on,
-- until run `until` (exclusive) no longer reported it. Unchanged items cost
-- no writes from one run to the next.
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    label TEXT NOT NULL,
    since INTEGER NOT NULL,
    until INTEGER
);
CREATE INDEX IF NOT EXISTS items_live ON items (fingerprint) WHERE until IS NULL;
-- Items that a run found moved with their file: the key at the old path
-- became the key at the new, so `trawl diff` tells a move from a resolved
-- item and a new one.
CREATE TABLE IF NOT EXISTS moves (
    run INTEGER NOT NULL,
    from_key TEXT NOT NULL,
    to_key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS triage (
    fingerprint TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_at TEXT NOT NULL
);
";

/// A file as the walk saw it: what decides whether it changed.
#[derive(Debug, Clone, Copy)]
pub struct FileMeta {
    pub size: u64,
    pub mtime_ns: i64,
    /// Kept, but not compared: see [`FileMeta::unchanged_since`].
    pub dev: u64,
    /// A file replaced by another of the same size and time is still a
    /// different file.
    pub ino: u64,
}

impl FileMeta {
    /// Whether the file the walk sees now is the one `before` was taken of,
    /// unchanged: the same size, modification time and inode. Not the
    /// device number: a network share or a snapshot mounted again (after a
    /// reboot, say) gets a new one, and comparing it had every file of the
    /// share read again.
    pub fn unchanged_since(&self, before: &FileMeta) -> bool {
        (self.size, self.mtime_ns, self.ino) == (before.size, before.mtime_ns, before.ino)
    }

    /// Whether the file, read from `read_at_ns` on, had changed so shortly
    /// before (or is dated after) that another change, within the file
    /// system's time resolution (FAT's is two seconds; a server's clock
    /// may differ from ours), could leave its size and time as they were:
    /// the next run then compares its content before trusting them, as git
    /// does its "racily clean" files. A time not known is not racy.
    pub fn racy(&self, read_at_ns: i64) -> bool {
        self.mtime_ns != 0 && self.mtime_ns > read_at_ns.saturating_sub(RACY_NS)
    }
}

/// See [`FileMeta::racy`]: three seconds.
const RACY_NS: i64 = 3_000_000_000;

#[derive(Debug)]
pub struct KnownFile {
    pub meta: FileMeta,
    /// Loaded only for `--rehash`.
    pub sha256: Option<String>,
    pub format: std::sync::Arc<str>,
    pub outcome: Outcome,
    /// Whether reading it gave anything (else nothing is stored but this).
    pub has_result: bool,
    /// Changed shortly before it was last read: its content is compared
    /// (its `sha256` is loaded) before its result is reused.
    pub racy: bool,
    /// Set by the run: the walk found it (else it has gone).
    pub seen: AtomicBool,
    /// Set by the run: unchanged and empty, so the walk settled it alone.
    pub settled: AtomicBool,
    /// The stored result (packed), loaded with the file list when results
    /// are reusable, and taken by the one worker that reuses it. Read in one
    /// pass in path order: a lookup per file cost a rescan a fifth of its
    /// time.
    result: Mutex<Option<Box<[u8]>>>,
}

fn outcome_name(o: Outcome) -> String {
    o.to_string()
}

fn outcome_from(name: &str) -> Outcome {
    match name {
        "scanned" => Outcome::Scanned,
        "skipped" => Outcome::Skipped,
        "encrypted" => Outcome::Encrypted,
        "no_text" => Outcome::NoText,
        _ => Outcome::Failed,
    }
}

impl StoredResult {
    /// Nothing found, nothing inside, nothing to say.
    pub fn is_empty(&self) -> bool {
        self.findings.is_empty()
            && self.records.is_empty()
            && self.members.is_empty()
            && self.reason.is_none()
            && self.unlisted.is_empty()
    }
}

/// One member of a container as stored.
#[derive(Debug, Clone)]
pub struct StoredMember {
    pub format: String,
    pub outcome: Outcome,
    pub record: Option<FileRecord>,
}

/// What reading a file gave, before classification: what the state keeps of
/// it ([`packed`]), less the raw values.
#[derive(Debug, Clone)]
pub struct StoredResult {
    pub format: String,
    pub outcome: Outcome,
    pub reason: Option<String>,
    /// Masked, with fingerprints; raw values are never stored.
    pub findings: Vec<Finding>,
    pub records: Vec<RecordDraft>,
    pub members: Vec<StoredMember>,
    /// Findings past the file's listing, counted.
    pub unlisted: crate::extract::Unlisted,
}

/// What a scan may reuse, shared by the worker threads: the files known,
/// whether stored results still hold, and connections to read them with.
pub struct Memory {
    pub known: HashMap<String, KnownFile>,
    /// False when the rules, the columns the policy reads or the trawl
    /// version changed since the results were stored: every file is read
    /// again.
    pub reusable: bool,
    pub rehash: bool,
    keyed: Keyed,
    pub triage: HashMap<String, Triage>,
    /// The keys of the items the runs so far report now, read with the
    /// rest, each with whether this run reports it too: the workers mark
    /// them as they judge files, so what is new and what was resolved is
    /// known when the walk ends, not reckoned after it.
    pub live: HashMap<String, AtomicBool>,
}

impl Memory {
    /// Whether an item this run reports was reported before (live), noting
    /// that it still is.
    pub fn still_live(&self, key: &str) -> bool {
        match self.live.get(key) {
            Some(seen) => {
                seen.store(true, Ordering::Relaxed);
                true
            }
            None => false,
        }
    }

    /// The items reported before that this run has not reported.
    pub fn not_reported(&self) -> impl Iterator<Item = &str> {
        self.live
            .iter()
            .filter(|(_, seen)| !seen.load(Ordering::Relaxed))
            .map(|(k, _)| k.as_str())
    }

    /// The stored result of a file, if it is still there and readable.
    pub fn load(&self, rel: &str) -> Option<StoredResult> {
        let known = self.known.get(rel)?;
        if !known.has_result {
            return Some(StoredResult {
                format: known.format.to_string(),
                outcome: known.outcome,
                reason: None,
                findings: Vec::new(),
                records: Vec::new(),
                members: Vec::new(),
                unlisted: Default::default(),
            });
        }
        let bytes = known.result.lock().ok()?.take()?;
        packed::unpack(&bytes, rel)
    }

    pub fn fingerprint_finding(&self, f: &Finding) -> String {
        self.fingerprint_finding_at(f, &f.path)
    }

    /// The fingerprint `f` would have at `path` (where its file was).
    pub fn fingerprint_finding_at(&self, f: &Finding, path: &str) -> String {
        let value = f.value_sha256.unwrap_or([0; 32]);
        fingerprint(
            &self.keyed,
            &[
                b"finding",
                path.as_bytes(),
                f.location.to_string().as_bytes(),
                f.detector.as_bytes(),
                &value,
            ],
        )
    }

    pub fn fingerprint_record(&self, path: &str, record: &str) -> String {
        fingerprint(
            &self.keyed,
            &[b"record", path.as_bytes(), record.as_bytes()],
        )
    }
}

/// A record as a run reports it: the record and its flags, so a record that
/// gains a flag (say, passes its retention date) is new, and one that loses
/// it is resolved. Triage names the record alone (its fingerprint).
pub fn record_item_key(r: &crate::classify::Record) -> std::borrow::Cow<'_, str> {
    record_item_key_as(r.fingerprint.as_deref().unwrap_or(""), r)
}

/// [`record_item_key`] of `r` as though its fingerprint were `fp` (as it was
/// at its file's old path).
pub fn record_item_key_as<'k>(
    fp: &'k str,
    r: &crate::classify::Record,
) -> std::borrow::Cow<'k, str> {
    use std::fmt::Write;
    if r.flags.is_empty() {
        return std::borrow::Cow::Borrowed(fp);
    }
    // One string: this runs for every flagged record of a rescan.
    let mut key = String::with_capacity(fp.len() + 32 * r.flags.len());
    key.push_str(fp);
    for (i, f) in r.flags.iter().enumerate() {
        key.push(if i == 0 { '/' } else { '+' });
        let _ = write!(key, "{}", f.flag);
    }
    std::borrow::Cow::Owned(key)
}

/// HMAC-SHA-256 with the state's key set up once: each fingerprint then
/// starts from a copy (a rescan makes one for every record it judges).
type Keyed = hmac::Hmac<sha2::Sha256>;

fn keyed(key: &[u8; 32]) -> Keyed {
    <Keyed as KeyInit>::new_from_slice(key).expect("HMAC takes a key of any length")
}

/// HMAC-SHA-256 over the parts (each length-prefixed), shortened to 128 bits.
fn fingerprint(keyed: &Keyed, parts: &[&[u8]]) -> String {
    let mut mac = keyed.clone();
    for p in parts {
        mac.update(&(p.len() as u64).to_le_bytes());
        mac.update(p);
    }
    crate::digest::hex(&mac.finalize().into_bytes()[..16])
}

/// The state file, open and locked for one run.
pub struct State {
    conn: Connection,
    key: [u8; 32],
    /// None when opened read-only (history, diff).
    _lock: Option<Lock>,
}

/// Brings a state from `from` to [`SCHEMA_VERSION`], a step at a time, each
/// step one transaction.
fn migrate(conn: &Connection, from: i64) -> Result<()> {
    let mut version = from;
    while version < SCHEMA_VERSION {
        let step = match version {
            // 1 → 2: results move from a WITHOUT ROWID table, whose rows of
            // one or two kilobytes each spilled to an overflow page of their
            // own (17 MB of results took 68 MB), to a rowid table.
            1 => {
                "CREATE TABLE results_v2 (path TEXT PRIMARY KEY, result TEXT NOT NULL);
                 INSERT INTO results_v2 (path, result) SELECT path, result FROM results;
                 DROP TABLE results;
                 ALTER TABLE results_v2 RENAME TO results;"
            }
            // 2 → 3: results are packed, not JSON. Those kept are dropped
            // (and every file read again, once) rather than converted: a new
            // trawl reads every file again anyway, its version being part of
            // what results are made with.
            2 => {
                "DROP TABLE results;
                 CREATE TABLE results (path TEXT PRIMARY KEY, result BLOB NOT NULL);
                 UPDATE meta SET value = '' WHERE key = 'results_made_with';"
            }
            // 3 → 4: files changed shortly before they were read are marked.
            // and the items moved with their files are kept.
            3 => {
                "ALTER TABLE files ADD COLUMN racy INTEGER NOT NULL DEFAULT 0;
                 CREATE TABLE moves (run INTEGER NOT NULL, from_key TEXT NOT NULL, to_key TEXT NOT NULL);"
            }
            // 4 → 5: each run records the rules and policy it judged by.
            4 => {
                "ALTER TABLE runs ADD COLUMN rules_sha256 TEXT;
                 ALTER TABLE runs ADD COLUMN policy_sha256 TEXT;"
            }
            other => bail!("no migration from state version {other}"),
        };
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE; {step} UPDATE meta SET value = '{}' WHERE key = 'schema_version'; COMMIT;",
            version + 1
        ))?;
        version += 1;
    }
    if from < 3 {
        // Give back the space the old tables held.
        conn.execute_batch("VACUUM")?;
    }
    Ok(())
}

/// Each file's path and stored result (packed).
type StoredResults = Vec<(String, Box<[u8]>)>;

/// Every stored result, in one scan of the table in its own order (no seek
/// per file).
fn read_results(conn: &Connection) -> Result<StoredResults> {
    let mut stmt = conn.prepare("SELECT path, result FROM results")?;
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        // Anything but bytes (a damaged row) is left out: its file is read
        // again, as for bytes that do not decode.
        if let rusqlite::types::ValueRef::Blob(result) = row.get_ref(1)? {
            out.push((row.get_ref(0)?.as_str()?.to_string(), result.into()));
        }
    }
    Ok(out)
}

/// Settings for every connection. (A memory map and a larger page cache
/// were measured: no faster on a rescan of 100,000 files, and they raised
/// its peak memory from about 150 MB to 320 MB.)
fn tune(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))
}

/// From the OS's own source (getrandom(2) on Linux; on Windows, which has
/// no /dev/urandom, ProcessPrng).
fn random_key() -> Result<[u8; 32]> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key)
        .map_err(|e| anyhow::anyhow!("cannot make the state's fingerprint key: {e}"))?;
    Ok(key)
}

impl State {
    /// Opens (or creates) the state at `path`, taking its lock: a second run
    /// on the same state gets [`LockError`].
    pub fn open(path: &Path) -> Result<State> {
        let lock = Lock::take(path)?;
        State::connect(path, Some(lock))
    }

    /// Opens an existing state to record decisions (`trawl triage`), and
    /// says whether a run is under way: with the lock when it is free, and
    /// without it when a run holds it, since SQLite keeps the two writers
    /// apart and a run reads the decisions when it starts (they apply from
    /// the next). Never creates a state: a decision taken into a new, empty
    /// one at a mistyped path would be lost.
    pub fn open_for_decisions(path: &Path) -> Result<(State, bool)> {
        if !path.is_file() {
            bail!("no state at {}", path.display());
        }
        match Lock::take(path) {
            Ok(lock) => Ok((State::connect(path, Some(lock))?, false)),
            Err(e) if e.is::<LockError>() => Ok((State::connect(path, None)?, true)),
            Err(e) => Err(e),
        }
    }

    /// Opens (or creates) the state at `path`; without its `lock`, only one
    /// that needs no migration.
    fn connect(path: &Path, lock: Option<Lock>) -> Result<State> {
        let existed = path.exists();
        let conn = Connection::open(path)
            .with_context(|| format!("cannot open the state {}", path.display()))?;
        if existed {
            let is_state: bool = conn
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
                    [],
                    |r| r.get::<_, i64>(0),
                )
                .map(|n| n == 1)
                .map_err(|e| not_a_state(path, e))?;
            if !is_state {
                bail!(
                    "{} is not a trawl state file (refusing to change it)",
                    path.display()
                );
            }
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
        let (journal, sync) = journal::for_state(path);
        conn.pragma_update(None, "journal_mode", journal)?;
        conn.pragma_update(None, "synchronous", sync)?;
        tune(&conn)?;
        let version: Option<i64> = if existed {
            conn.query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .and_then(|v| v.parse().ok())
        } else {
            None
        };
        match version {
            Some(v) if v > SCHEMA_VERSION => bail!(
                "the state {} was written by a newer trawl (state version {v}; this trawl reads up to {SCHEMA_VERSION}): use that trawl, or start a new state",
                path.display()
            ),
            Some(v) if v < 1 => bail!("the state {} has an unknown version {v}", path.display()),
            Some(v) if v < SCHEMA_VERSION && lock.is_none() => bail!(
                "the state {} is to be brought up to this trawl's version, which waits for the run under way: try again when it has finished",
                path.display()
            ),
            Some(v) => migrate(&conn, v)
                .with_context(|| format!("migrating the state {} from version {v}", path.display()))?,
            None if existed => bail!("the state {} has no version: not a trawl state", path.display()),
            None => {
                conn.execute_batch(SCHEMA)?;
                let key = crate::digest::hex(&random_key()?);
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?1), ('fingerprint_key', ?2), ('created_by', ?3)",
                    params![SCHEMA_VERSION.to_string(), key, env!("CARGO_PKG_VERSION")],
                )?;
            }
        }
        let key: String = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'fingerprint_key'",
                [],
                |r| r.get(0),
            )
            .context("the state has no fingerprint key")?;
        let key =
            crate::digest::parse_hex32(&key).context("the state's fingerprint key is damaged")?;
        Ok(State {
            conn,
            key,
            _lock: lock,
        })
    }

    /// Opens an existing state to read (history, diff), without its lock:
    /// a running scan does not stop anyone reading.
    pub fn open_read_only(path: &Path) -> Result<State> {
        if !path.exists() {
            bail!("no state at {}", path.display());
        }
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .with_context(|| format!("cannot open the state {}", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let version: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| not_a_state(path, e))?;
        match version.and_then(|v| v.parse::<i64>().ok()) {
            Some(v) if (1..=SCHEMA_VERSION).contains(&v) => {}
            Some(v) => bail!(
                "the state {} has version {v}; this trawl reads versions 1 to {SCHEMA_VERSION}",
                path.display()
            ),
            None => bail!("{} is not a trawl state file", path.display()),
        }
        Ok(State {
            conn,
            key: [0; 32],
            _lock: None,
        })
    }

    fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        put_meta(&self.conn, key, value)
    }

    /// Takes `sha256` as the suppressions stored results are made with.
    /// A stored result is kept with the rules' suppressions applied (they
    /// match on a value's hash, which the state never keeps): when they
    /// change, every stored result is dropped, in the same transaction, so
    /// that each file that held anything is read again, and no run, however
    /// it ends, reuses a result made under other suppressions. Files that
    /// held nothing stay known, as no suppression can touch them. Returns
    /// how many results were dropped, or None when the suppressions are
    /// those of the stored results.
    pub fn adopt_suppressions(&mut self, sha256: &str) -> Result<Option<u64>> {
        if self.meta("suppressions_sha256")?.as_deref() == Some(sha256) {
            return Ok(None);
        }
        let tx = self.conn.transaction()?;
        let dropped = tx.execute("DELETE FROM results", [])? as u64;
        put_meta(&tx, "suppressions_sha256", sha256)?;
        tx.commit()?;
        Ok(Some(dropped))
    }

    /// The roots this state's files are named below (canonical paths,
    /// sorted), once a run has scanned any.
    pub fn roots(&self) -> Result<Option<Vec<String>>> {
        match self.meta("roots")? {
            Some(json) => Ok(Some(
                serde_json::from_str(&json).context("reading the state's roots")?,
            )),
            None => Ok(None),
        }
    }

    pub fn set_roots(&self, roots: &[String]) -> Result<()> {
        self.set_meta("roots", &serde_json::to_string(roots)?)
    }

    /// The folders below the roots that were mount points (other shares)
    /// when last scanned, named as files are.
    pub fn mount_points(&self) -> Result<Vec<String>> {
        match self.meta("mount_points")? {
            Some(json) => serde_json::from_str(&json).context("reading the state's mount points"),
            None => Ok(Vec::new()),
        }
    }

    pub fn set_mount_points(&self, points: &[String]) -> Result<()> {
        self.set_meta("mount_points", &serde_json::to_string(points)?)
    }

    /// What the stored results were made with; when it differs from now,
    /// none is reused.
    pub fn memory(&self, made_with: &str, rehash: bool) -> Result<Memory> {
        let reusable = self.meta("results_made_with")?.as_deref() == Some(made_with);
        // The stored results and the items reported last time are read on
        // a connection of their own, beside the file list: a rescan waits
        // for all three before it starts, or needs them at its end.
        let db = self
            .conn
            .path()
            .filter(|p| !p.is_empty())
            .map(PathBuf::from);
        let read_rest = |conn: &Connection| -> Result<(StoredResults, _)> {
            let results = if reusable {
                read_results(conn)?
            } else {
                Vec::new()
            };
            Ok((results, history::read_live_keys(conn)?))
        };
        let (known, rest) = std::thread::scope(|s| {
            let apart = db.map(|db| {
                s.spawn(move || {
                    let conn = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
                    tune(&conn)?;
                    read_rest(&conn)
                })
            });
            let known = self.read_files(rehash);
            let rest = match apart.map(|h| h.join()) {
                Some(Ok(Ok(rest))) => Ok(rest),
                // Not readable apart: read here instead.
                _ => read_rest(&self.conn),
            };
            (known, rest)
        });
        let (mut known, (results, live)) = (known?, rest?);
        for (path, result) in results {
            if let Some(file) = known.get_mut(&path) {
                *file.result.get_mut().unwrap_or_else(|e| e.into_inner()) = Some(result);
            }
        }
        Ok(Memory {
            known,
            reusable,
            rehash,
            keyed: keyed(&self.key),
            triage: self.triage_all()?,
            live,
        })
    }

    /// Every file the state knows, without its stored result.
    fn read_files(&self, rehash: bool) -> Result<HashMap<String, KnownFile>> {
        // Sized from the last run: growing a map of 100,000 files rehashes
        // it a dozen times.
        let last_seen: i64 = self
            .conn
            .query_row(
                "SELECT files_seen FROM runs WHERE outcome = 'completed' ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0);
        let mut known: HashMap<String, KnownFile> = HashMap::with_capacity_and_hasher(
            last_seen.clamp(0, 1 << 24) as usize,
            Default::default(),
        );
        let mut stmt = self
            .conn
            .prepare("SELECT path, size, mtime_ns, dev, ino, CASE WHEN ?1 OR racy THEN sha256 END, format, outcome, has_result, racy FROM files")?;
        // A few formats, named by every row: one string each. Text is read
        // in place: a rescan loads every file's row, and allocating three
        // strings a row was most of that.
        let mut formats: HashMap<String, std::sync::Arc<str>> = HashMap::default();
        let mut rows = stmt.query([rehash])?;
        while let Some(r) = rows.next()? {
            let format = r.get_ref(6)?.as_str()?;
            let format = match formats.get(format) {
                Some(f) => f.clone(),
                None => {
                    let f: std::sync::Arc<str> = std::sync::Arc::from(format);
                    formats.insert(format.to_string(), f.clone());
                    f
                }
            };
            known.insert(
                r.get_ref(0)?.as_str()?.to_string(),
                KnownFile {
                    meta: FileMeta {
                        size: r.get::<_, i64>(1)? as u64,
                        mtime_ns: r.get(2)?,
                        dev: r.get::<_, i64>(3)? as u64,
                        ino: r.get::<_, i64>(4)? as u64,
                    },
                    sha256: r.get(5)?,
                    format,
                    outcome: outcome_from(r.get_ref(7)?.as_str()?),
                    has_result: r.get(8)?,
                    racy: r.get(9)?,
                    seen: Default::default(),
                    settled: Default::default(),
                    result: Mutex::new(None),
                },
            );
        }
        Ok(known)
    }

    /// Starts a run, judged by the rules and policy of these SHA-256s;
    /// returns its id.
    pub fn begin_run(
        &self,
        started: &str,
        roots: &[String],
        as_of: &str,
        judged_by: &JudgedBy,
    ) -> Result<i64> {
        self.conn.execute(
            "INSERT INTO runs (started, roots, as_of, outcome, trawl_version, rules_sha256, policy_sha256)
             VALUES (?1, ?2, ?3, 'running', ?4, ?5, ?6)",
            params![
                started,
                serde_json::to_string(roots)?,
                as_of,
                env!("CARGO_PKG_VERSION"),
                judged_by.rules_sha256,
                judged_by.policy_sha256
            ],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Stores read files' results, in one transaction.
    pub fn store(&mut self, run: i64, made_with: &str, batch: &[StoredFile]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO files (path, size, mtime_ns, dev, ino, sha256, format, outcome, has_result, run, racy)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, dev = excluded.dev,
                   ino = excluded.ino, sha256 = excluded.sha256, format = excluded.format, outcome = excluded.outcome,
                   has_result = excluded.has_result, run = excluded.run, racy = excluded.racy",
            )?;
            let mut put_result = tx.prepare_cached(
                "INSERT INTO results (path, result) VALUES (?1, ?2)
                 ON CONFLICT(path) DO UPDATE SET result = excluded.result",
            )?;
            let mut drop_result = tx.prepare_cached("DELETE FROM results WHERE path = ?1")?;
            for f in batch {
                stmt.execute(params![
                    f.path,
                    f.meta.size as i64,
                    f.meta.mtime_ns,
                    f.meta.dev as i64,
                    f.meta.ino as i64,
                    f.sha256,
                    f.format,
                    outcome_name(f.outcome),
                    f.result.is_some(),
                    run,
                    f.racy
                ])?;
                match &f.result {
                    Some(result) => put_result.execute(params![f.path, result])?,
                    None => drop_result.execute([&f.path])?,
                };
            }
        }
        put_meta(&tx, "results_made_with", made_with)?;
        tx.commit()?;
        Ok(())
    }

    /// Forgets files no longer there; returns how many.
    pub fn remove_files(&mut self, paths: &[&str]) -> Result<u64> {
        let tx = self.conn.transaction()?;
        let mut n = 0;
        {
            let mut stmt = tx.prepare_cached("DELETE FROM files WHERE path = ?1")?;
            let mut result = tx.prepare_cached("DELETE FROM results WHERE path = ?1")?;
            for p in paths {
                n += stmt.execute([p])? as u64;
                result.execute([p])?;
            }
        }
        tx.commit()?;
        Ok(n)
    }

    /// Stored results no longer valid (rules or policy columns changed): dropped, so
    /// that they are never misread.
    pub fn forget_results(&mut self) -> Result<()> {
        self.conn.execute("DELETE FROM files", [])?;
        self.conn.execute("DELETE FROM results", [])?;
        self.set_meta("results_made_with", "")?;
        Ok(())
    }

    pub fn triage_all(&self) -> Result<HashMap<String, Triage>> {
        let mut stmt = self
            .conn
            .prepare("SELECT fingerprint, status, note, decided_by, decided_at FROM triage")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                Triage {
                    status: r.get(1)?,
                    note: r.get(2)?,
                    by: r.get(3)?,
                    at: r.get(4)?,
                },
            ))
        })?;
        let mut out = HashMap::default();
        for row in rows {
            let (fp, t) = row?;
            out.insert(fp, t);
        }
        Ok(out)
    }

    /// The content hash stored for each of `paths` that has one.
    pub fn content_hashes(&self, paths: &[&str]) -> Result<HashMap<String, String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT sha256 FROM files WHERE path = ?1 AND sha256 IS NOT NULL")?;
        let mut out = HashMap::default();
        for path in paths {
            if let Some(sha) = stmt
                .query_row([path], |r| r.get::<_, String>(0))
                .optional()?
            {
                out.insert(path.to_string(), sha);
            }
        }
        Ok(out)
    }

    /// Gives each fingerprint the decision, unless it has one: decisions
    /// that follow a moved file to its new path.
    pub fn carry_decisions(&mut self, decisions: &[(String, Triage)]) -> Result<()> {
        if decisions.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        {
            let mut put = tx.prepare_cached(
                "INSERT INTO triage (fingerprint, status, note, decided_by, decided_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(fingerprint) DO NOTHING",
            )?;
            for (fp, t) in decisions {
                put.execute(params![fp, t.status, t.note, t.by, t.at])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Records a decision on each fingerprint, and on what each has become
    /// where its file has moved since (the fingerprint in last week's report
    /// names its old path); says which no run has reported (still recorded:
    /// a decision may come before the finding), and which moved.
    pub fn triage(&mut self, fingerprints: &[String], decision: &Triage) -> Result<Decided> {
        let tx = self.conn.transaction()?;
        let mut decided = Decided::default();
        {
            let mut moved_to = tx.prepare_cached(
                "SELECT m.to_key, coalesce(i.path, '') FROM moves m LEFT JOIN items i ON i.fingerprint = m.to_key
                 WHERE m.from_key = ?1 OR m.from_key LIKE ?1 || '/%' ORDER BY m.run, m.to_key",
            )?;
            let mut seen = tx.prepare_cached(
                "SELECT 1 FROM items WHERE fingerprint = ?1 OR fingerprint LIKE ?1 || '/%' LIMIT 1",
            )?;
            let mut put = tx.prepare_cached(
                "INSERT INTO triage (fingerprint, status, note, decided_by, decided_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(fingerprint) DO UPDATE SET status = excluded.status, note = excluded.note,
                   decided_by = excluded.decided_by, decided_at = excluded.decided_at",
            )?;
            for fp in fingerprints {
                if !seen.exists([fp])? {
                    decided.unknown.push(fp.clone());
                }
                // Followed move by move (a key names a record's flags after
                // its fingerprint); each fingerprint once.
                let mut all = vec![fp.clone()];
                let mut i = 0;
                while i < all.len() {
                    let rows = moved_to.query_map([&all[i]], |r| {
                        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                    })?;
                    for row in rows {
                        let (key, path) = row?;
                        let to = key.split('/').next().unwrap_or(&key).to_string();
                        if !all.contains(&to) {
                            decided.moved.push((fp.clone(), path));
                            all.push(to);
                        }
                    }
                    i += 1;
                }
                for fp in &all {
                    put.execute(params![
                        fp,
                        decision.status,
                        decision.note,
                        decision.by,
                        decision.at
                    ])?;
                }
            }
        }
        tx.commit()?;
        Ok(decided)
    }
}

/// What [`State::triage`] found of the fingerprints it was given.
#[derive(Debug, Default)]
pub struct Decided {
    /// Those no run has reported.
    pub unknown: Vec<String>,
    /// Those whose file moved since: each with the path it moved to (the
    /// decision applies there too).
    pub moved: Vec<(String, String)>,
}

/// A read file's result, ready to store.
pub struct StoredFile {
    pub path: String,
    pub meta: FileMeta,
    pub sha256: Option<String>,
    pub format: String,
    pub outcome: Outcome,
    /// A [`StoredResult`], packed, or none when it is empty.
    pub result: Option<Vec<u8>>,
    /// See [`FileMeta::racy`].
    pub racy: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Fingerprints name triage decisions kept in states already written:
    /// the same key and parts must always give the same fingerprint.
    #[test]
    fn a_fingerprint_is_stable() {
        let key: [u8; 32] = std::array::from_fn(|i| i as u8);
        assert_eq!(
            fingerprint(&keyed(&key), &[b"record", b"tables/a.csv", b"row 2"]),
            // Python: hmac.new(key, b"".join(struct.pack("<Q", len(p)) + p for p in parts), sha256)
            "febc6b98c3959aa56c3dd04321b7fa31"
        );
        // Each part is length-prefixed: moving a byte between parts tells.
        assert_ne!(
            fingerprint(&keyed(&key), &[b"record", b"tables/a.csv", b"row 2"]),
            fingerprint(&keyed(&key), &[b"record", b"tables/a.csvr", b"ow 2"])
        );
    }

    /// Each state's key is its own: fingerprints in one state's reports
    /// say nothing of another's values.
    #[test]
    fn every_state_has_a_key_of_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let key_of = |name: &str| State::open(&dir.path().join(name)).unwrap().key;
        let (a, b) = (key_of("a.db"), key_of("b.db"));
        assert_ne!(a, b);
        assert_ne!(a, [0; 32]);
        // And kept: opened again, the same.
        assert_eq!(key_of("a.db"), a);
    }

    #[test]
    fn a_file_changed_just_before_it_was_read_is_racy() {
        let read_at = 1_700_000_000_000_000_000;
        let changed = |ago_ns: i64| FileMeta {
            size: 10,
            mtime_ns: read_at - ago_ns,
            dev: 1,
            ino: 2,
        };
        assert!(changed(0).racy(read_at));
        assert!(changed(2_999_999_999).racy(read_at));
        assert!(!changed(3_000_000_000).racy(read_at));
        assert!(!changed(86_400_000_000_000).racy(read_at));
        // Dated after it was read (a server's clock ahead of ours).
        assert!(changed(-60_000_000_000).racy(read_at));
        // A time not known.
        let unknown = FileMeta {
            mtime_ns: 0,
            ..changed(0)
        };
        assert!(!unknown.racy(read_at));
    }

    #[test]
    fn a_file_is_unchanged_whatever_device_its_share_is_mounted_as_now() {
        let before = FileMeta {
            size: 4096,
            mtime_ns: 1_700_000_000_123_456_789,
            dev: 0x2d,
            ino: 81_234,
        };
        let remounted = FileMeta {
            dev: 0x31,
            ..before
        };
        assert!(remounted.unchanged_since(&before));
        for changed in [
            FileMeta {
                size: 4097,
                ..before
            },
            FileMeta {
                mtime_ns: before.mtime_ns + 1,
                ..before
            },
            FileMeta {
                ino: 81_235,
                ..remounted
            },
        ] {
            assert!(!changed.unchanged_since(&before), "{changed:?}");
        }
    }

    /// Record keys are kept in states' item lists: the form must not drift,
    /// or every flagged record would come out new (and resolved) once.
    #[test]
    fn a_record_key_is_its_fingerprint_and_flags() {
        use crate::classify::{Flag, FlagKind, Record};
        let flag = |flag| Flag {
            flag,
            reason: String::new(),
        };
        let mut r = Record {
            path: "tables/a.csv".into(),
            record: "row 2".into(),
            location: Default::default(),
            process: None,
            matched_by: None,
            categories: Vec::new(),
            mentions: Vec::new(),
            personal: true,
            flags: Vec::new(),
            fingerprint: Some("0123abcd".into()),
            new: false,
            triage: None,
        };
        assert_eq!(record_item_key(&r), "0123abcd");
        r.flags = vec![flag(FlagKind::NoLawfulBasis), flag(FlagKind::PastRetention)];
        assert_eq!(
            record_item_key(&r),
            "0123abcd/no_lawful_basis+past_retention"
        );
    }
}
