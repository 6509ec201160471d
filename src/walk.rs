//! Walking: finds the files under the roots, in parallel.
//!
//! File shares are not source trees: hidden files are scanned and
//! `.gitignore` is not honoured. `.trawlignore` files and `--exclude` globs
//! exclude; symlinks are followed only when asked (with loop detection); only
//! regular files are handed on.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use globset::{Glob, GlobSet, GlobSetBuilder};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::{Match, WalkBuilder, WalkState};

#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub roots: Vec<PathBuf>,
    pub excludes: Vec<String>,
    pub follow: bool,
    pub max_file_size: u64,
    pub threads: usize,
    /// Set from outside (a signal) to end the walk early.
    pub stop: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// Where the walk is, for whoever watches that it goes on.
    pub watch: Option<Arc<WalkWatch>>,
    /// Roots not to walk: they did not answer when looked at (see
    /// [`look_at_roots`]). Still in `roots`, which name the paths.
    pub silent: Vec<PathBuf>,
    /// Trawl's own files, skipped where the walk finds them.
    pub own: OwnFiles,
}

/// Trawl's own files (its outputs, state and log), named as the walk names
/// paths: where they are inside a root (a report written to the share the
/// DPO reads, beside what is scanned), the walk skips them, saying so,
/// rather than read what the run itself writes, and report it again, or
/// its raw values with `--reveal`, the next night.
#[derive(Debug, Clone, Default)]
pub struct OwnFiles {
    /// Each file, and what it is; none for one passed over unlisted (see
    /// [`OwnFiles::as_rerun`]).
    exact: HashMap<PathBuf, Option<String>>,
    /// Outputs are written to a file of their own beside them (`.NAME.*.tmp`)
    /// and renamed when whole: each folder, and that prefix.
    staged: Vec<(PathBuf, String)>,
}

/// One of trawl's own files: where, what it is, and whether it is written
/// staged (see [`OwnFiles`]).
pub struct OwnFile {
    pub path: PathBuf,
    pub what: &'static str,
    pub staged: bool,
}

/// One of a run's own files as a rerun (`trawl verify`) must treat it:
/// where the walk would meet it, what it is, and whether the run listed it.
/// A rerun passes over every one, whatever is there now (a later run's
/// outputs, a state whose side files came and went), and lists those the
/// run listed: its output is the run's.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RerunOwnFile {
    /// As the walk named it: below a root as given.
    pub path: String,
    /// Output, HTML report, manifest, state or log.
    pub what: String,
    pub listed: bool,
}

/// Why one of trawl's own files was not scanned.
pub fn own_file_reason(what: &str) -> String {
    format!("trawl's own {what}: not scanned")
}

impl RerunOwnFile {
    /// Its path as reported, and why it was skipped, if the run listed it.
    pub fn listed(&self, roots: &[PathBuf]) -> Option<(String, String)> {
        self.listed.then(|| {
            (
                relative(Path::new(&self.path), roots),
                own_file_reason(&self.what),
            )
        })
    }
}

impl OwnFiles {
    /// Those of `files` below `roots`; a root that did not answer (see
    /// [`look_at_roots`]) is left alone, as the walk leaves it.
    pub fn new(roots: &[PathBuf], silent: &[PathBuf], files: &[OwnFile]) -> OwnFiles {
        let roots = found_roots(roots, silent);
        let mut own = OwnFiles::default();
        for file in files {
            // Where it is, through any link (an output is written where a
            // link points); a file not made yet, by its folder.
            let Some(found) = std::fs::canonicalize(&file.path).ok().or_else(|| {
                let name = file.path.file_name()?;
                let dir = match file.path.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d,
                    _ => Path::new("."),
                };
                Some(std::fs::canonicalize(dir).ok()?.join(name))
            }) else {
                continue;
            };
            for (given, root) in &roots {
                let Ok(rest) = found.strip_prefix(root) else {
                    continue;
                };
                let walked = if rest.as_os_str().is_empty() {
                    given.to_path_buf()
                } else {
                    given.join(rest)
                };
                if let (true, Some(dir), Some(name)) =
                    (file.staged, walked.parent(), walked.file_name())
                {
                    let prefix = format!(".{}.", name.to_string_lossy());
                    own.staged.push((dir.to_path_buf(), prefix));
                }
                own.exact.insert(walked, Some(file.what.to_string()));
            }
        }
        own
    }

    /// The files as a rerun of this run is to treat them: `listed` tells
    /// which the run listed, by their paths as reported (relative to
    /// `roots`). In order of path.
    pub fn for_rerun(&self, roots: &[PathBuf], listed: impl Fn(&str) -> bool) -> Vec<RerunOwnFile> {
        let mut files: Vec<RerunOwnFile> = self
            .exact
            .iter()
            .filter_map(|(path, what)| {
                Some(RerunOwnFile {
                    path: path_text(path).into_owned(),
                    what: what.clone()?,
                    listed: listed(&relative(path, roots)),
                })
            })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }

    /// A run's own files as its rerun's walk meets them (see
    /// [`OwnFiles::for_rerun`]): each passed over unlisted; the rerun adds
    /// those the run listed ([`RerunOwnFile::listed`]).
    pub fn as_rerun(files: &[RerunOwnFile]) -> OwnFiles {
        OwnFiles {
            exact: files
                .iter()
                .map(|f| (PathBuf::from(&f.path), None))
                .collect(),
            staged: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.exact.is_empty()
    }

    /// Whether `path` is one of trawl's own files, and if so what it is,
    /// or none when it is passed over unlisted.
    fn what(&self, path: &Path) -> Option<Option<&str>> {
        self.exact.get(path).map(|w| w.as_deref())
    }

    /// Whether `path` is an output of this run's, being written: there only
    /// while the run lasts, under a name of chance.
    fn staged(&self, path: &Path) -> bool {
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return false;
        };
        let name = name.to_string_lossy();
        self.staged.iter().any(|(d, prefix)| {
            d == dir && name.starts_with(prefix.as_str()) && name.ends_with(".tmp")
        })
    }
}

/// Each root as given, and where it leads (links followed); those that did
/// not answer (see [`look_at_roots`]) left alone, those that lead nowhere
/// left out.
fn found_roots<'r>(roots: &'r [PathBuf], silent: &[PathBuf]) -> Vec<(&'r PathBuf, PathBuf)> {
    roots
        .iter()
        .filter(|r| !silent.contains(r))
        .filter_map(|r| Some((r, std::fs::canonicalize(r).ok()?)))
        .collect()
}

/// What looking at the roots before a scan found.
#[derive(Debug, Default)]
pub struct RootsSeen {
    /// Roots that are not there (nothing at that path, not even a link).
    pub missing: Vec<PathBuf>,
    /// Roots whose file system did not answer in time.
    pub silent: Vec<PathBuf>,
}

/// Looks at each root (its metadata, and the path resolved, as the scan
/// will) from a thread of its own, for at most `wait` in all: a root on a
/// share that stopped answering (a dead NFS or SMB mount) would otherwise
/// hold the run before the walk, and the watch kept on it, begin. A thread
/// still waiting then is left behind, to end with the process. With no
/// `wait`, each is looked at here, for as long as it takes.
pub fn look_at_roots(roots: &[PathBuf], wait: Option<Duration>) -> RootsSeen {
    fn exists(root: &Path) -> bool {
        let there = std::fs::symlink_metadata(root).is_ok();
        if there {
            // What the scan touches first: the share's own root, and every
            // folder on the way to it.
            let _ = std::fs::metadata(root);
            let _ = std::fs::canonicalize(root);
        }
        there
    }
    let mut seen = RootsSeen::default();
    let Some(wait) = wait else {
        seen.missing = roots.iter().filter(|r| !exists(r)).cloned().collect();
        return seen;
    };
    // No thread to look from: looked at here.
    let answered = each_within(roots, wait, "trawl-root-check", exists, exists);
    for (root, answer) in roots.iter().zip(answered) {
        match answer {
            Some(true) => {}
            Some(false) => seen.missing.push(root.clone()),
            None => seen.silent.push(root.clone()),
        }
    }
    seen
}

/// Whether the roots' file system answers as a share over a network link
/// does, rather than as a local disk or its cache: listing the first root
/// folder (up to 64 entries) takes a share several round trips (opening
/// the folder, reading its entries), a local disk a read or two, cold. A
/// rescan is all metadata, and on such a share waits on its round trips:
/// the walk then keeps more of them in flight (see `walk_threads` in
/// scan.rs). A listing that does not end within [`PROBE_WAIT`] is slow.
pub fn metadata_is_slow<'a>(roots: impl Iterator<Item = &'a PathBuf>) -> bool {
    let roots: Vec<PathBuf> = roots.cloned().collect();
    // Even the look at which root is a folder is made from the probe's own
    // thread: a share can stop answering at any time.
    probe_within(PROBE_WAIT, move || {
        let root = roots.iter().find(|r| r.is_dir())?;
        let started = std::time::Instant::now();
        if let Ok(entries) = std::fs::read_dir(root) {
            entries.take(64).for_each(drop);
        }
        Some(started.elapsed())
    })
}

/// Runs `probe` (how long a listing took, or `None` for no folder to list)
/// on a thread of its own and says whether the listing was slow, waiting
/// at most `wait`: a probe still running then (a share that stopped
/// answering) is slow, and its thread is left behind, as in
/// `look_at_roots`; the walk's own watch deals with such a share.
fn probe_within(wait: Duration, probe: impl FnOnce() -> Option<Duration> + Send + 'static) -> bool {
    let (tx, rx) = std::sync::mpsc::channel();
    let probing = std::thread::Builder::new()
        .name("trawl-probe".into())
        .spawn(move || {
            let _ = tx.send(probe());
        });
    if probing.is_err() {
        return false;
    }
    match rx.recv_timeout(wait) {
        // No folder among the roots: nothing to list.
        Ok(None) => false,
        Ok(took) => listing_is_slow(took),
        Err(_) => listing_is_slow(None),
    }
}

/// Whether a root's listing that took `took` (`None`: no answer in time)
/// is a share's over a network link.
fn listing_is_slow(took: Option<Duration>) -> bool {
    took.is_none_or(|t| t >= SLOW_LISTING)
}

/// What listing a folder takes at least on a share over a network link: a
/// share answering each request after 1 ms took 4.6 ms (2 ms: 9 ms); a local
/// disk took 0.15-0.25 ms with its caches dropped, tens of µs warm.
const SLOW_LISTING: Duration = Duration::from_millis(2);

/// How long [`metadata_is_slow`] waits for its answer.
const PROBE_WAIT: Duration = Duration::from_millis(200);

/// How far the walk has gone, and the folders it has found and not yet
/// listed (some waiting their turn, some being listed): so that a walk
/// that stopped moving, on a share that stopped answering, can be noticed
/// and said where.
#[derive(Debug, Default)]
pub struct WalkWatch {
    visited: std::sync::atomic::AtomicU64,
    unlisted: Mutex<std::collections::HashSet<PathBuf>>,
}

impl WalkWatch {
    /// Entries visited so far: the walk moves while this grows.
    pub fn visited(&self) -> u64 {
        self.visited.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn found_folder(&self, folder: &Path) {
        let mut unlisted = self.unlisted.lock().unwrap_or_else(|e| e.into_inner());
        unlisted.insert(folder.to_path_buf());
    }

    /// An entry visited: a folder is visited once it has been listed.
    fn visit(&self, folder: Option<&Path>) {
        self.visited
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Some(folder) = folder {
            let mut unlisted = self.unlisted.lock().unwrap_or_else(|e| e.into_inner());
            unlisted.remove(folder);
        }
    }

    /// Of the folders found and not yet listed (the first 64, in order),
    /// those that do not list within `wait`, each tried from a thread of
    /// its own (left behind, should the file system never answer it).
    pub fn not_answering(&self, wait: Duration) -> Vec<PathBuf> {
        let mut folders: Vec<PathBuf> = self
            .unlisted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect();
        folders.sort();
        folders.truncate(64);
        let list = |folder: &Path| {
            let _ = std::fs::read_dir(folder).map(|mut entries| entries.next());
        };
        // No thread to try it from: not taken for stuck.
        let answered = each_within(&folders, wait, "trawl-walk-check", list, |_| ());
        folders
            .into_iter()
            .zip(answered)
            .filter_map(|(f, answered)| answered.is_none().then_some(f))
            .collect()
    }
}

/// `look`s at each of `paths`, each from a thread of its own, for at most
/// `wait` in all: the answer of each that came in time, None for each still
/// waited on (its thread left behind, to end with the process), so that a
/// file system that stopped answering holds no one. Where no thread can be
/// started, `no_thread` answers instead.
fn each_within<R: Send + 'static>(
    paths: &[PathBuf],
    wait: Duration,
    name: &str,
    look: fn(&Path) -> R,
    no_thread: impl Fn(&Path) -> R,
) -> Vec<Option<R>> {
    let mut answered: Vec<Option<R>> = paths.iter().map(|_| None).collect();
    let (tx, rx) = std::sync::mpsc::channel();
    for (i, path) in paths.iter().enumerate() {
        let (answer, owned) = (tx.clone(), path.clone());
        let looking = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                let _ = answer.send((i, look(&owned)));
            });
        if looking.is_err() {
            answered[i] = Some(no_thread(path));
        }
    }
    drop(tx);
    let deadline = std::time::Instant::now() + wait;
    while answered.iter().any(Option::is_none) {
        let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) else {
            break;
        };
        match rx.recv_timeout(left) {
            Ok((i, answer)) => answered[i] = Some(answer),
            Err(_) => break,
        }
    }
    answered
}

/// A path found by the walk.
#[derive(Debug)]
pub enum Entry {
    /// A regular file to scan.
    File {
        path: PathBuf,
        rel: String,
        size: u64,
        modified: Option<std::time::SystemTime>,
        /// Device and inode, where the OS has them.
        identity: Option<(u64, u64)>,
    },
    /// Not scanned, by design: the reason says why.
    Skipped { rel: String, reason: String },
    /// Could not be walked or read.
    Failed { rel: String, reason: String },
}

/// Compiled `--exclude` globs: a glob with a `/` matches the path below the
/// root, one without matches any single name (file or folder).
struct Excludes {
    by_path: GlobSet,
    by_name: GlobSet,
}

impl Excludes {
    fn new(globs: &[String]) -> Result<Excludes> {
        let mut by_path = GlobSetBuilder::new();
        let mut by_name = GlobSetBuilder::new();
        for g in globs {
            let glob = Glob::new(g.trim_start_matches("./"))
                .with_context(|| format!("bad --exclude glob {g:?}"))?;
            if g.contains('/') {
                by_path.add(glob);
            } else {
                by_name.add(glob);
            }
        }
        Ok(Excludes {
            by_path: by_path.build()?,
            by_name: by_name.build()?,
        })
    }

    fn is_empty(&self) -> bool {
        self.by_name.is_empty() && self.by_path.is_empty()
    }

    fn excludes(&self, rel: &str, name: &str) -> bool {
        self.by_name.is_match(name) || self.by_path.is_match(rel)
    }
}

/// The folders below the roots that are mount points now (other shares,
/// mounted inside a root), named as the walk names paths; None where that
/// cannot be told (not Linux, no `/proc`). The `silent` roots (see
/// [`look_at_roots`]) are left alone.
pub fn mount_points(
    roots: &[PathBuf],
    silent: &[PathBuf],
) -> Option<std::collections::BTreeSet<String>> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    // Bytes, not text: one mount point named in Latin-1 would make the
    // whole table unreadable as UTF-8, and every share unprotected.
    let table = std::fs::read("/proc/self/mountinfo").ok()?;
    let roots_found = found_roots(roots, silent);
    let mut below = std::collections::BTreeSet::new();
    for line in table.split(|&b| b == b'\n') {
        // ID PARENT MAJOR:MINOR ROOT MOUNT-POINT ...: the fifth, with space,
        // tab, newline and backslash written in octal.
        let Some(point) = line.split(|&b| b == b' ').nth(4) else {
            continue;
        };
        let point = unescape_mount_point(point);
        for (given, found) in &roots_found {
            if let Ok(rel) = point.strip_prefix(found) {
                if !rel.as_os_str().is_empty() {
                    below.insert(relative(&given.join(rel), roots));
                }
            }
        }
    }
    Some(below)
}

/// `/proc/self/mountinfo`'s octal escapes (`\040` for a space) undone: the
/// path's bytes as they are, named as the walk names them (see [`path_text`]).
fn unescape_mount_point(bytes: &[u8]) -> PathBuf {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let code = bytes
            .get(i + 1..i + 4)
            .filter(|_| bytes[i] == b'\\')
            .and_then(|d| std::str::from_utf8(d).ok())
            .and_then(|d| u8::from_str_radix(d, 8).ok());
        match code {
            Some(b) => {
                out.push(b);
                i += 4;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        PathBuf::from(std::ffi::OsString::from_vec(out))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(&out).into_owned())
    }
}

/// A path relative to its root, with `/` separators. With several roots,
/// the root as given is kept in front so paths stay distinct.
pub fn relative(path: &Path, roots: &[PathBuf]) -> String {
    relative_cow(path, roots).into_owned()
}

/// [`relative`], borrowed from the path where it can be (the walk settles
/// most files of a rescan without allocating their paths).
fn relative_cow<'p>(path: &'p Path, roots: &[PathBuf]) -> std::borrow::Cow<'p, str> {
    let root = root_of(path, roots);
    if let (Some(r), [_]) = (root, roots) {
        if let Some(rel) = relative_fast(path, r) {
            return rel.into();
        }
    }
    let rel = match root {
        Some(r) if path == r.as_path() => path
            .file_name()
            .map(PathBuf::from)
            .unwrap_or_else(|| path.to_path_buf()),
        Some(r) => path
            .strip_prefix(r)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| path.to_path_buf()),
        None => path.to_path_buf(),
    };
    let rel = separated_by_slashes(&rel);
    match root {
        // A file given as one of several roots is named as given (it was
        // named by the root and its own name again: `a/x.xls/x.xls`).
        Some(r) if roots.len() > 1 && path == r.as_path() => separated_by_slashes(r).into(),
        Some(r) if roots.len() > 1 => {
            let r = path_text(r);
            format!("{}/{rel}", r.trim_end_matches('/')).into()
        }
        _ => rel.into(),
    }
}

/// `path` with `/` between its parts. Only Windows separates with `\`;
/// elsewhere a `\` is part of a name (`a\b.txt` is not `a/b.txt`, which
/// may be another file).
fn separated_by_slashes(path: &Path) -> String {
    let text = path_text(path);
    if cfg!(windows) {
        text.replace('\\', "/")
    } else {
        text.into_owned()
    }
}

/// A path as text. A Unix name is bytes: one that is not UTF-8 is most
/// likely in the 8-bit Windows or Latin-1 character set of an older file
/// server (`Si\xe2n.doc`), and is read as Windows-1252 ("Siân.doc"), which
/// gives every byte a character of its own. Replacing what is not UTF-8
/// with U+FFFD would give `caf\xe9.txt` and `caf\xe8.txt` one name, in the
/// report and in a state, which would take them for one file.
pub fn path_text(path: &Path) -> std::borrow::Cow<'_, str> {
    if let Some(text) = path.to_str() {
        return text.into();
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let parts: Vec<std::borrow::Cow<'_, str>> = path
            .as_os_str()
            .as_bytes()
            .split(|&b| b == b'/')
            .map(|part| match std::str::from_utf8(part) {
                Ok(text) => text.into(),
                Err(_) => {
                    encoding_rs::WINDOWS_1252
                        .decode_without_bom_handling(part)
                        .0
                }
            })
            .collect();
        parts.join("/").into()
    }
    #[cfg(not(unix))]
    path.to_string_lossy()
}

/// The root a path is below (the longest, should roots nest).
fn root_of<'r>(path: &Path, roots: &'r [PathBuf]) -> Option<&'r PathBuf> {
    #[cfg(unix)]
    if let [root] = roots {
        // The walker's paths start with their root as given: bytes first.
        use std::os::unix::ffi::OsStrExt;
        let (p, r) = (path.as_os_str().as_bytes(), root.as_os_str().as_bytes());
        if p.starts_with(r) && (r.ends_with(b"/") || p.get(r.len()).is_none_or(|&b| b == b'/')) {
            return Some(root);
        }
    }
    roots
        .iter()
        .filter(|r| path.starts_with(r))
        .max_by_key(|r| r.as_os_str().len())
}

/// [`relative`] for the usual case, a path the walker made below its one
/// root, by bytes rather than by components: it ran once an entry, and
/// comparing paths component by component was a tenth of a rescan's walk.
/// `None` for anything else, which the general way handles.
#[cfg(unix)]
fn relative_fast<'p>(path: &'p Path, root: &Path) -> Option<&'p str> {
    use std::os::unix::ffi::OsStrExt;
    let root = root.as_os_str().as_bytes();
    let rest = path.as_os_str().as_bytes().strip_prefix(root)?;
    let rest = if root.ends_with(b"/") {
        rest
    } else {
        rest.strip_prefix(b"/")?
    };
    let plain = !rest.is_empty()
        && !rest.starts_with(b"/")
        && !rest.starts_with(b"./")
        && !rest.ends_with(b"/")
        && !rest.ends_with(b"/.")
        && rest != b"."
        && memchr::memmem::find(rest, b"//").is_none()
        && memchr::memmem::find(rest, b"/./").is_none();
    plain.then(|| std::str::from_utf8(rest).ok())?
}

#[cfg(not(unix))]
fn relative_fast<'p>(_: &'p Path, _: &Path) -> Option<&'p str> {
    None
}

/// Walks every root and sends what it finds; returns when the walk is done.
/// Entries go out in batches of this many: one channel operation per batch
/// rather than per file, which matters on a rescan where each file costs
/// little else.
const BATCH: usize = 64;

/// A walker thread's entries not yet sent; what is left goes when the
/// thread is done, or when the walk stops moving (see [`hand_on_when_idle`]).
struct Batch {
    entries: Arc<Mutex<Vec<Entry>>>,
    tx: SyncSender<Vec<Entry>>,
}

/// Every walker thread's [`Batch`] entries.
type Batches = Mutex<Vec<Arc<Mutex<Vec<Entry>>>>>;

/// What `entries` holds, leaving it ready for a batch (an empty one is left
/// as it is: the idle hand-on looks at every thread's every 50 ms).
fn take(entries: &Mutex<Vec<Entry>>) -> Vec<Entry> {
    let mut entries = entries.lock().unwrap_or_else(|e| e.into_inner());
    if entries.is_empty() {
        return Vec::new();
    }
    std::mem::replace(&mut entries, Vec::with_capacity(BATCH))
}

impl Batch {
    fn new(tx: SyncSender<Vec<Entry>>, all: &Batches) -> Batch {
        let entries = Arc::new(Mutex::new(Vec::with_capacity(BATCH)));
        all.lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Arc::clone(&entries));
        Batch { entries, tx }
    }

    /// False when the receiver has gone (the scan is over).
    fn push(&mut self, entry: Entry) -> bool {
        let full = {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            entries.push(entry);
            entries.len() >= BATCH
        };
        !full || self.flush()
    }

    fn flush(&mut self) -> bool {
        let entries = take(&self.entries);
        entries.is_empty() || self.tx.send(entries).is_ok()
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        self.flush();
    }
}

/// While the walk runs, hands on what walker threads hold in their batches
/// whenever the walk has not moved for a moment: a thread held up listing a
/// folder on a share that stopped answering, or idle with nothing left to
/// walk, would otherwise keep the files it found from the workers for as
/// long. Ends as soon as `done` says so (or is dropped).
fn hand_on_when_idle(
    watch: &WalkWatch,
    batches: &Batches,
    tx: &SyncSender<Vec<Entry>>,
    done: &std::sync::mpsc::Receiver<()>,
) {
    let mut last = watch.visited();
    while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
        done.recv_timeout(Duration::from_millis(50))
    {
        let now = watch.visited();
        if now != last {
            last = now;
            continue;
        }
        let all: Vec<_> = batches.lock().unwrap_or_else(|e| e.into_inner()).clone();
        for entries in all {
            let held = take(&entries);
            if held.is_empty() {
                continue;
            }
            // The workers have enough to do: kept for later. (Or sent, or
            // the scan is over.)
            if let Err(std::sync::mpsc::TrySendError::Full(held)) = tx.try_send(held) {
                let mut back = entries.lock().unwrap_or_else(|e| e.into_inner());
                back.extend(held);
            }
        }
    }
}

/// Says whether a regular file (its path below its root, and its metadata)
/// needs nothing more (an unchanged file whose stored result is empty, on a
/// rescan): it is then not handed on at all, and nothing is allocated for it.
pub type Settled<'a> = dyn Fn(&str, &Stat) -> bool + Sync + 'a;

pub fn walk(opts: &WalkOptions, tx: SyncSender<Vec<Entry>>, settled: &Settled) -> Result<()> {
    let excludes = Excludes::new(&opts.excludes)?;
    anyhow::ensure!(!opts.roots.is_empty(), "no path to scan");
    let mut walked = opts.roots.iter().filter(|r| !opts.silent.contains(r));
    let Some(first) = walked.next() else {
        // Every root is silent: nothing to walk.
        return Ok(());
    };
    let mut builder = WalkBuilder::new(first);
    for r in walked {
        builder.add(r);
    }
    builder
        .hidden(false)
        .ignore(false)
        .git_ignore(false)
        .git_global(false)
        .git_exclude(false)
        .parents(false)
        .require_git(false)
        .follow_links(opts.follow)
        .threads(opts.threads);
    let roots = opts.roots.clone();
    let excludes = std::sync::Arc::new(excludes);
    if let Some(watch) = &opts.watch {
        for root in roots
            .iter()
            .filter(|r| !opts.silent.contains(r) && r.is_dir())
        {
            watch.found_folder(root);
        }
    }
    {
        let roots = roots.clone();
        let excludes = std::sync::Arc::clone(&excludes);
        let ignores = TrawlIgnores::new();
        let watch = opts.watch.clone();
        // Called as each entry is found, while its folder is listed.
        builder.filter_entry(move |e| {
            if e.depth() == 0 {
                return true;
            }
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            // Most scans exclude nothing: then no path need be worked out.
            let excluded = !excludes.is_empty() && {
                let rel = relative(e.path(), &roots);
                excludes.excludes(&rel, &path_text(Path::new(e.file_name())))
            };
            let kept = !excluded && !ignores.ignored(e.path(), is_dir, &roots);
            if let Some(watch) = watch.as_ref().filter(|_| kept && is_dir) {
                watch.found_folder(e.path());
            }
            kept
        });
    }
    let max = opts.max_file_size;
    let batches = Batches::default();
    let (done, walking) = std::sync::mpsc::channel::<()>();
    std::thread::scope(|s| {
        if let Some(watch) = &opts.watch {
            let (batches, tx) = (&batches, tx.clone());
            s.spawn(move || hand_on_when_idle(watch, batches, &tx, &walking));
        }
        walk_in_parallel(builder, opts, &roots, &batches, &tx, max, settled);
        drop(done);
    });
    Ok(())
}

fn walk_in_parallel(
    builder: WalkBuilder,
    opts: &WalkOptions,
    roots: &[PathBuf],
    batches: &Batches,
    tx: &SyncSender<Vec<Entry>>,
    max: u64,
    settled: &Settled,
) {
    builder.build_parallel().run(|| {
        let mut batch = Batch::new(tx.clone(), batches);
        let mut dir = DirHandle::default();
        let stop = opts.stop.clone();
        let watch = opts.watch.clone();
        Box::new(move |result| {
            if stop
                .as_ref()
                .is_some_and(|s| s.load(std::sync::atomic::Ordering::Relaxed))
            {
                return WalkState::Quit;
            }
            if let Some(watch) = &watch {
                let folder = result
                    .as_ref()
                    .ok()
                    .filter(|e| e.file_type().is_some_and(|t| t.is_dir()))
                    .map(|e| e.path());
                watch.visit(folder);
            }
            let entry = match result {
                Err(err) => Some(failed_walk(&err, roots)),
                Ok(e) => classify(&e, roots, max, &mut dir, settled, &opts.own),
            };
            match entry.map(|e| batch.push(e)) {
                // The receiver has gone: the scan is over.
                Some(false) => WalkState::Quit,
                _ => WalkState::Continue,
            }
        })
    });
}

fn classify(
    e: &ignore::DirEntry,
    roots: &[PathBuf],
    max: u64,
    dir: &mut DirHandle,
    settled: &Settled,
    own: &OwnFiles,
) -> Option<Entry> {
    let rel = || relative(e.path(), roots);
    let Some(ft) = e.file_type() else {
        // stdin; never produced for paths.
        return None;
    };
    if ft.is_dir() {
        return None;
    }
    if !own.is_empty() {
        match own.what(e.path()) {
            Some(Some(what)) => {
                return Some(Entry::Skipped {
                    rel: rel(),
                    reason: own_file_reason(what),
                })
            }
            Some(None) => return None,
            None => {}
        }
        // Gone, renamed to its own name, by the end of the run: not listed,
        // as its name would differ from run to run.
        if own.staged(e.path()) {
            return None;
        }
    }
    if ft.is_symlink() {
        return Some(Entry::Skipped {
            rel: rel(),
            reason: "symbolic link, not followed (use --follow)".into(),
        });
    }
    if !ft.is_file() {
        return Some(Entry::Skipped {
            rel: rel(),
            reason: "not a regular file (FIFO, socket or device)".into(),
        });
    }
    let stat = match dir.stat(e) {
        Some(stat) => stat.map_err(ignore::Error::Io),
        None => e.metadata().map(|m| Stat {
            size: m.len(),
            modified: m.modified().ok(),
            identity: identity(&m),
        }),
    };
    match stat {
        Err(err) => Some(Entry::Failed {
            rel: rel(),
            reason: format!("cannot read metadata: {}", io_reason(&err)),
        }),
        Ok(m) if m.size > max => Some(Entry::Skipped {
            rel: rel(),
            reason: format!(
                "{} bytes, larger than --max-file-size ({max} bytes)",
                m.size
            ),
        }),
        Ok(m) => {
            // Settled before anything is allocated for it: on a rescan, most
            // files are.
            let rel = relative_cow(e.path(), roots);
            if settled(&rel, &m) {
                return None;
            }
            Some(Entry::File {
                path: e.path().to_path_buf(),
                rel: rel.into_owned(),
                size: m.size,
                modified: m.modified,
                identity: m.identity,
            })
        }
    }
}

/// `.trawlignore` files (gitignore syntax), each applying to its folder and
/// below. Read here, with [`crate::extract::open_input`], rather than by the
/// walker library, so that reading them leaves their access times alone as
/// for every other file.
struct TrawlIgnores {
    /// Which walk this is, for the per-thread cache in [`Self::ignored`].
    id: u64,
    /// Each folder's own `.trawlignore`, if it has one.
    own: Mutex<HashMap<PathBuf, Option<Arc<Gitignore>>>>,
    /// Each folder's applicable files, nearest first: worked out once a
    /// folder, so a file costs one look-up.
    chain: Mutex<HashMap<PathBuf, Arc<[Arc<Gitignore>]>>>,
}

/// A `.trawlignore` larger than this is not a list of exclusions.
const MAX_IGNORE_FILE: u64 = 1 << 20;

static WALKS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

type Chain = Arc<[Arc<Gitignore>]>;

thread_local! {
    /// The folder this thread last looked at, in which walk, and its chain:
    /// a folder's entries come one after another, and a look-up in the
    /// shared map (a lock and a hash of the whole path) cost a rescan more
    /// than the rest of the walker's own work on a file.
    static LAST_CHAIN: std::cell::RefCell<Option<(u64, PathBuf, Chain)>> =
        const { std::cell::RefCell::new(None) };
}

impl TrawlIgnores {
    fn new() -> TrawlIgnores {
        TrawlIgnores {
            id: WALKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            own: Mutex::default(),
            chain: Mutex::default(),
        }
    }

    /// [`Self::chain`], through this thread's cache of its last folder.
    fn chain_cached(&self, dir: &Path, root: &Path) -> Chain {
        let hit = LAST_CHAIN.with_borrow(|last| match last {
            Some((id, d, chain)) if *id == self.id && d == dir => Some(Arc::clone(chain)),
            _ => None,
        });
        hit.unwrap_or_else(|| {
            let chain = self.chain(dir, root);
            LAST_CHAIN.set(Some((self.id, dir.to_path_buf(), Arc::clone(&chain))));
            chain
        })
    }

    fn own(&self, dir: &Path) -> Option<Arc<Gitignore>> {
        if let Some(known) = self.own.lock().ok()?.get(dir) {
            return known.clone();
        }
        let file = dir.join(".trawlignore");
        let text = crate::extract::open_input(&file).ok().and_then(|f| {
            let mut text = String::new();
            f.take(MAX_IGNORE_FILE).read_to_string(&mut text).ok()?;
            Some(text)
        });
        let matcher = text.and_then(|text| {
            let mut builder = GitignoreBuilder::new(dir);
            for line in text.lines() {
                // A bad line is skipped, as git does.
                let _ = builder.add_line(Some(file.clone()), line);
            }
            builder.build().ok().map(Arc::new)
        });
        if let Ok(mut cache) = self.own.lock() {
            cache.insert(dir.to_path_buf(), matcher.clone());
        }
        matcher
    }

    /// The `.trawlignore` files that apply in `dir`, nearest first, up to
    /// and including `root`.
    fn chain(&self, dir: &Path, root: &Path) -> Arc<[Arc<Gitignore>]> {
        if let Some(known) = self.chain.lock().ok().and_then(|c| c.get(dir).cloned()) {
            return known;
        }
        let mut list: Vec<Arc<Gitignore>> = self.own(dir).into_iter().collect();
        if dir != root {
            if let Some(parent) = dir.parent() {
                list.extend(self.chain(parent, root).iter().cloned());
            }
        }
        let list: Arc<[Arc<Gitignore>]> = list.into();
        if let Ok(mut cache) = self.chain.lock() {
            cache.insert(dir.to_path_buf(), Arc::clone(&list));
        }
        list
    }

    /// Whether the nearest `.trawlignore` that has a say, from the path's
    /// folder up to its root, excludes it.
    fn ignored(&self, path: &Path, is_dir: bool, roots: &[PathBuf]) -> bool {
        let (Some(root), Some(dir)) = (root_of(path, roots), path.parent()) else {
            return false;
        };
        for gi in self.chain_cached(dir, root).iter() {
            match gi.matched(path, is_dir) {
                Match::Ignore(_) => return true,
                Match::Whitelist(_) => return false,
                Match::None => {}
            }
        }
        false
    }
}

/// What the walk needs of a file's metadata.
#[derive(Debug, Clone, Copy)]
pub struct Stat {
    pub size: u64,
    pub modified: Option<std::time::SystemTime>,
    /// Device and inode, where the OS has them.
    pub identity: Option<(u64, u64)>,
}

/// A walker thread's handle on the folder whose entries it is visiting, to
/// look files up by name in it (`fstatat`) rather than by whole path: on a
/// rescan, where a file costs little but its metadata, the kernel's walk
/// down every path was a third of that. Kept per thread and per walk, so
/// it is closed when the walk ends.
#[derive(Default)]
struct DirHandle {
    #[cfg(unix)]
    open: Option<(PathBuf, std::os::fd::OwnedFd)>,
}

impl DirHandle {
    /// The entry's metadata, looked up in its folder; `None` when this way
    /// cannot be used (a symlink to follow, a folder that cannot be
    /// opened), and the caller asks the usual way.
    #[cfg(unix)]
    fn stat(&mut self, e: &ignore::DirEntry) -> Option<std::io::Result<Stat>> {
        use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
        use std::os::unix::ffi::OsStrExt;
        if e.path_is_symlink() {
            return None;
        }
        let (parent, name) = (e.path().parent()?, e.path().file_name()?);
        if parent.as_os_str().is_empty() {
            return None;
        }
        if self.open.as_ref().is_none_or(|(p, _)| p != parent) {
            self.open = None;
            let c = std::ffi::CString::new(parent.as_os_str().as_bytes()).ok()?;
            // O_PATH: a handle to look names up in, not to read; it leaves
            // the folder's access time alone.
            let fd = unsafe {
                libc::open(
                    c.as_ptr(),
                    libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC,
                )
            };
            if fd < 0 {
                return None;
            }
            // SAFETY: just opened, and owned by nothing else.
            self.open = Some((parent.to_path_buf(), unsafe { OwnedFd::from_raw_fd(fd) }));
        }
        let (_, fd) = self.open.as_ref()?;
        // The name NUL-terminated, on the stack when it fits (it nearly
        // always does: names are at most 255 bytes on most file systems).
        let mut buf = [0u8; 256];
        let heap;
        let name = match name.as_bytes() {
            b if b.len() < buf.len() => {
                buf[..b.len()].copy_from_slice(b);
                std::ffi::CStr::from_bytes_with_nul(&buf[..=b.len()]).ok()?
            }
            b => {
                heap = std::ffi::CString::new(b).ok()?;
                heap.as_c_str()
            }
        };
        let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
        // SAFETY: a valid folder handle, a NUL-terminated name, and room
        // for the answer, which is read only when the call succeeded.
        let rc = unsafe {
            libc::fstatat(
                fd.as_raw_fd(),
                name.as_ptr(),
                st.as_mut_ptr(),
                libc::AT_SYMLINK_NOFOLLOW,
            )
        };
        if rc != 0 {
            return Some(Err(std::io::Error::last_os_error()));
        }
        let st = unsafe { st.assume_init() };
        let modified = if st.st_mtime >= 0 {
            std::time::UNIX_EPOCH.checked_add(std::time::Duration::new(
                st.st_mtime as u64,
                st.st_mtime_nsec as u32,
            ))
        } else {
            std::time::UNIX_EPOCH
                .checked_sub(std::time::Duration::from_secs(st.st_mtime.unsigned_abs()))
                .and_then(|t| {
                    t.checked_add(std::time::Duration::from_nanos(st.st_mtime_nsec as u64))
                })
        };
        Some(Ok(Stat {
            size: st.st_size as u64,
            modified,
            identity: Some((st.st_dev, st.st_ino)),
        }))
    }

    #[cfg(not(unix))]
    fn stat(&mut self, _: &ignore::DirEntry) -> Option<std::io::Result<Stat>> {
        None
    }
}

#[cfg(unix)]
fn identity(m: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

fn failed_walk(err: &ignore::Error, roots: &[PathBuf]) -> Entry {
    let (path, reason) = describe(err);
    Entry::Failed {
        rel: path
            .map(|p| relative(&p, roots))
            .unwrap_or_else(|| "(unknown)".into()),
        reason,
    }
}

/// The path an error concerns, and a reason for people.
fn describe(err: &ignore::Error) -> (Option<PathBuf>, String) {
    match err {
        ignore::Error::WithPath { path, err } => {
            let (_, reason) = describe(err);
            (Some(path.clone()), reason)
        }
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            describe(err)
        }
        ignore::Error::Loop { child, ancestor } => (
            Some(child.clone()),
            format!("symbolic link loop (points back to {})", ancestor.display()),
        ),
        ignore::Error::Io(io) => (None, format!("cannot read: {io}")),
        other => (None, other.to_string()),
    }
}

fn io_reason(err: &ignore::Error) -> String {
    describe(err).1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A listing that took a share's round trips, or did not answer in
    /// time, is slow; a local disk's, cold or warm, is not.
    #[test]
    fn a_listing_is_slow_when_it_took_round_trips_or_did_not_answer() {
        for (took, slow) in [
            (Some(Duration::from_micros(30)), false),
            (Some(Duration::from_micros(250)), false),
            (Some(Duration::from_micros(1999)), false),
            (Some(Duration::from_millis(2)), true),
            (Some(Duration::from_millis(9)), true),
            (None, true),
        ] {
            assert_eq!(listing_is_slow(took), slow, "{took:?}");
        }
    }

    /// A probe that does not answer within its wait (a share that stopped
    /// answering) is taken for a slow share, and not waited on; one that
    /// answers is judged by its time; one with no folder to list is not
    /// slow.
    #[test]
    fn a_probe_that_does_not_answer_in_time_is_slow_and_not_waited_on() {
        let (release, held) = std::sync::mpsc::channel::<()>();
        assert!(probe_within(Duration::from_millis(50), move || {
            let _ = held.recv();
            Some(Duration::ZERO)
        }));
        // The probe's thread, left behind, ends once let go.
        let _ = release.send(());
        let wait = Duration::from_secs(30);
        assert!(!probe_within(wait, || Some(Duration::from_micros(30))));
        assert!(probe_within(wait, || Some(Duration::from_millis(9))));
        assert!(!probe_within(wait, || None));
    }

    /// With no folder among the roots (a file, nothing there), there is no
    /// listing to time: the walk keeps its usual threads.
    #[test]
    fn roots_without_a_folder_are_not_taken_for_a_slow_share() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        std::fs::write(&file, b"x").unwrap();
        let roots = [file, dir.path().join("gone")];
        assert!(!metadata_is_slow(roots.iter()));
    }

    /// Trawl's own files are named as the walk names paths: below the root
    /// as given (here through a link), wherever they were named from; those
    /// outside every root, or below a root that did not answer, are not.
    #[cfg(unix)]
    #[test]
    fn own_files_are_named_as_the_walk_names_them() {
        let dir = tempfile::tempdir().unwrap();
        let (share, link, elsewhere) = (
            dir.path().join("share"),
            dir.path().join("link"),
            dir.path().join("elsewhere"),
        );
        std::fs::create_dir_all(share.join("dpo")).unwrap();
        std::fs::create_dir(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&share, &link).unwrap();
        let file = |path: PathBuf, what, staged| OwnFile { path, what, staged };
        let files = [
            file(share.join("dpo/out.json"), "output", true),
            file(share.join("dpo/trawl.log"), "log", false),
            file(elsewhere.join("state.db"), "state", false),
        ];
        let own = OwnFiles::new(std::slice::from_ref(&link), &[], &files);
        assert_eq!(own.what(&link.join("dpo/out.json")), Some(Some("output")));
        assert_eq!(own.what(&link.join("dpo/trawl.log")), Some(Some("log")));
        assert_eq!(own.what(&share.join("dpo/out.json")), None);
        assert_eq!(own.what(&elsewhere.join("state.db")), None);
        assert!(own.staged(&link.join("dpo/.out.json.x1Yz9.tmp")));
        assert!(!own.staged(&link.join("dpo/.out.json.x1Yz9")));
        assert!(!own.staged(&link.join("dpo/.trawl.log.x1Yz9.tmp")));
        assert!(!own.staged(&link.join(".out.json.x1Yz9.tmp")));
        let silent = OwnFiles::new(
            std::slice::from_ref(&link),
            std::slice::from_ref(&link),
            &files,
        );
        assert!(silent.is_empty());

        // A rerun lists what the run listed, passes over what it did not.
        let again = own.for_rerun(std::slice::from_ref(&link), |rel| rel == "dpo/trawl.log");
        let named = |p: &str| link.join(p).to_str().unwrap().to_string();
        assert_eq!(
            again,
            [
                RerunOwnFile {
                    path: named("dpo/out.json"),
                    what: "output".into(),
                    listed: false
                },
                RerunOwnFile {
                    path: named("dpo/trawl.log"),
                    what: "log".into(),
                    listed: true
                },
            ]
        );
        let rerun = OwnFiles::as_rerun(&again);
        assert_eq!(rerun.what(&link.join("dpo/out.json")), Some(None));
        assert_eq!(rerun.what(&link.join("dpo/trawl.log")), Some(None));
        let listed: Vec<_> = again
            .iter()
            .filter_map(|f| f.listed(std::slice::from_ref(&link)))
            .collect();
        assert_eq!(
            listed,
            [(
                "dpo/trawl.log".to_string(),
                "trawl's own log: not scanned".to_string()
            )]
        );
        assert_eq!(rerun.what(&link.join("dpo/other.json")), None);
        assert!(!rerun.staged(&link.join("dpo/.out.json.x1Yz9.tmp")));
    }

    /// Only what is not there at all is missing: a link to a share not
    /// mounted tonight is there, and is reported by the scan instead. The
    /// same with a wait (from threads) and without.
    #[cfg(unix)]
    #[test]
    fn a_root_is_missing_only_when_nothing_is_at_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let (folder, gone, link) = (
            dir.path().join("share"),
            dir.path().join("gone"),
            dir.path().join("link"),
        );
        std::fs::create_dir(&folder).unwrap();
        std::os::unix::fs::symlink(dir.path().join("unmounted"), &link).unwrap();
        let roots = [folder, gone.clone(), link];
        for wait in [None, Some(Duration::from_secs(30))] {
            let seen = look_at_roots(&roots, wait);
            assert_eq!(seen.missing, std::slice::from_ref(&gone));
            assert!(seen.silent.is_empty());
        }
    }

    // The kernel's table of mounts, and a name's raw bytes, are Unix's.
    #[cfg(unix)]
    #[test]
    fn a_mount_points_name_is_unescaped_as_the_kernel_wrote_it() {
        for (field, name) in [
            ("/srv/shares/finance", "/srv/shares/finance"),
            (r"/srv/Rent\040Arrears", "/srv/Rent Arrears"),
            (r"/a\011b\012c\134d", "/a\tb\nc\\d"),
            // Not an escape: as it is.
            (r"/odd\8", r"/odd\8"),
            (r"/end\04", r"/end\04"),
            (r"/big\777", r"/big\777"),
        ] {
            assert_eq!(
                unescape_mount_point(field.as_bytes()),
                Path::new(name),
                "{field}"
            );
        }
        // A name in Latin-1, as the kernel writes it (raw), and named as the
        // walk names its folder.
        let latin = unescape_mount_point(b"/srv/Caf\xe9\\040Club");
        assert_eq!(path_text(&latin), "/srv/Café Club");
    }

    #[test]
    fn relative_paths_fast_and_general_agree() {
        let cases = [
            ("share", "share/a/b.txt"),
            ("share/", "share/a/b.txt"),
            ("./share", "./share/a.txt"),
            ("/srv/share", "/srv/share/x y/z.csv"),
            ("share", "share//a.txt"),
            ("share", "share/./a.txt"),
            ("share", "share/a\\b.txt"),
            ("share", "share"),
            ("share", "sharex/a.txt"),
            ("share", "other/a.txt"),
        ];
        for (root, path) in cases {
            let roots = [PathBuf::from(root)];
            let general = {
                // What relative() gives with the fast path unable to help.
                let two = [PathBuf::from(root), PathBuf::from("/nonexistent-root")];
                let rel = relative(Path::new(path), &two);
                rel.strip_prefix(&format!("{}/", root.trim_end_matches('/')))
                    .map(str::to_string)
                    .unwrap_or(rel)
            };
            if let Some(fast) = relative_fast(Path::new(path), &roots[0]) {
                assert_eq!(fast, general, "{root} {path}");
            }
            assert_eq!(relative(Path::new(path), &roots), general, "{root} {path}");
        }
        // The usual case does take the fast path (a Unix one).
        #[cfg(unix)]
        assert!(relative_fast(Path::new("share/a/b.txt"), Path::new("share")).is_some());
    }

    #[test]
    fn relative_paths() {
        let roots = vec![PathBuf::from("share")];
        assert_eq!(relative(Path::new("share/a/b.csv"), &roots), "a/b.csv");
        assert_eq!(relative(Path::new("share"), &roots), "share");
        let two = vec![PathBuf::from("one/"), PathBuf::from("two")];
        assert_eq!(relative(Path::new("two/x.txt"), &two), "two/x.txt");
        let files = vec![PathBuf::from("one/a.xls"), PathBuf::from("two/b.xls")];
        assert_eq!(relative(Path::new("two/b.xls"), &files), "two/b.xls");
    }

    /// Metadata looked up in the folder is what the standard library gives
    /// for the path: a state written before that change must still match.
    #[cfg(unix)]
    #[test]
    fn folder_lookup_matches_path_metadata() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a.txt", "b c.csv"] {
            std::fs::write(dir.path().join(name), b"some bytes").unwrap();
        }
        let mut handle = DirHandle::default();
        let mut seen = 0;
        for e in ignore::WalkBuilder::new(dir.path()).build() {
            let e = e.unwrap();
            if !e.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let got = handle.stat(&e).expect("looked up in its folder").unwrap();
            let m = std::fs::symlink_metadata(e.path()).unwrap();
            assert_eq!(got.size, m.len());
            assert_eq!(got.modified, m.modified().ok());
            assert_eq!(got.identity, identity(&m));
            seen += 1;
        }
        assert_eq!(seen, 2);
        // A file gone between the listing and the look-up is an error, not
        // a silent fallback.
        let e = ignore::WalkBuilder::new(dir.path().join("a.txt"))
            .build()
            .next()
            .unwrap()
            .unwrap();
        std::fs::remove_file(dir.path().join("a.txt")).unwrap();
        assert!(DirHandle::default().stat(&e).unwrap().is_err());
    }

    #[test]
    fn exclude_globs() {
        let ex = Excludes::new(&["*.bak".into(), "archive/**".into()]).unwrap();
        assert!(ex.excludes("a/b/c.bak", "c.bak"));
        assert!(ex.excludes("archive/2019/x.csv", "x.csv"));
        assert!(!ex.excludes("current/x.csv", "x.csv"));
    }
}
