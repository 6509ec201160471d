//! A share that stops answering, as a network share does when its server
//! goes away: a file system of the test's own (FUSE) whose folder `stuck`
//! never lists, and whose file `slow/notes.txt` never gives its bytes, until
//! the test lets them. A nightly run must not wait for it for ever.
//!
//! Mounting needs root (or `fusermount3`) and `/dev/fuse`. Without them the
//! test says so and passes, unless `TRAWL_REQUIRE_FUSE` is set, as CI sets
//! it: there, a mount that fails fails the run. FUSE is Linux's: elsewhere
//! the test is not built.
#![cfg(target_os = "linux")]

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command as Process, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fuser::{
    FileAttr, FileType, Filesystem, MountOption, ReplyAttr, ReplyData, ReplyDirectory, ReplyEntry,
    Request,
};
use serde_json::Value;

#[path = "common/fuse_attr.rs"]
mod fuse_attr;

const ENOENT: i32 = 2;
const TTL: Duration = Duration::from_secs(1);
const NOTE: &[u8] = b"Please write to robin.tenant@example.org about the rent.\n";

/// The tree: `/office/note.txt`, `/stuck/` (never lists), `/slow/notes.txt`
/// (never reads). Inodes are fixed.
struct Share {
    /// Set by the test to let what was held answer (so it can unmount).
    answer: Arc<AtomicBool>,
    /// Whether `stuck` and `slow` are there (else only `office`).
    stalls: bool,
    /// Set by the test to make the share's own root stop answering, as a
    /// dead network mount's does.
    silent_root: Arc<AtomicBool>,
}

const ROOT: u64 = 1;
const OFFICE: u64 = 2;
const STUCK: u64 = 3;
const SLOW: u64 = 4;
const NOTE_TXT: u64 = 5;
const SLOW_TXT: u64 = 6;

fn attr(ino: u64) -> FileAttr {
    let dir = matches!(ino, ROOT | OFFICE | STUCK | SLOW);
    fuse_attr::attr(ino, if dir { 0 } else { NOTE.len() as u64 }, dir)
}

fn children(ino: u64, stalls: bool) -> &'static [(u64, &'static str)] {
    match ino {
        ROOT if stalls => &[(OFFICE, "office"), (STUCK, "stuck"), (SLOW, "slow")],
        ROOT => &[(OFFICE, "office")],
        OFFICE => &[(NOTE_TXT, "note.txt")],
        SLOW => &[(SLOW_TXT, "notes.txt")],
        _ => &[],
    }
}

impl Share {
    /// Answers `reply` once the test lets it, from a thread of its own, so
    /// the rest of the share goes on answering meanwhile.
    fn hold<R: Send + 'static>(&self, reply: R, then: impl FnOnce(R) + Send + 'static) {
        let answer = Arc::clone(&self.answer);
        std::thread::spawn(move || {
            while !answer.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(20));
            }
            then(reply);
        });
    }
}

impl Filesystem for Share {
    fn lookup(&mut self, _: &Request<'_>, parent: u64, name: &OsStr, reply: ReplyEntry) {
        let found = children(parent, self.stalls)
            .iter()
            .find(|(_, n)| OsStr::new(n) == name);
        match found {
            Some((ino, _)) => reply.entry(&TTL, &attr(*ino), 0),
            None => reply.error(ENOENT),
        }
    }

    fn getattr(&mut self, _: &Request<'_>, ino: u64, _: Option<u64>, reply: ReplyAttr) {
        if ino == ROOT && self.silent_root.load(Ordering::Relaxed) {
            self.hold(reply, move |r| r.attr(&TTL, &attr(ino)));
        } else {
            reply.attr(&TTL, &attr(ino));
        }
    }

    fn read(
        &mut self,
        _: &Request<'_>,
        ino: u64,
        _: u64,
        offset: i64,
        size: u32,
        _: i32,
        _: Option<u64>,
        reply: ReplyData,
    ) {
        let span = fuse_attr::span(NOTE.len(), offset, size);
        if ino == SLOW_TXT {
            self.hold(reply, move |r| r.data(&NOTE[span]));
        } else {
            reply.data(&NOTE[span]);
        }
    }

    fn readdir(&mut self, _: &Request<'_>, ino: u64, _: u64, offset: i64, reply: ReplyDirectory) {
        let stalls = self.stalls;
        let list = move |mut reply: ReplyDirectory| {
            let entries = [
                (ino, ".", FileType::Directory),
                (ROOT, "..", FileType::Directory),
            ]
            .into_iter()
            .chain(
                children(ino, stalls)
                    .iter()
                    .map(|(i, n)| (*i, *n, attr(*i).kind)),
            );
            for (i, (child, name, kind)) in entries.enumerate().skip(offset as usize) {
                if reply.add(child, (i + 1) as i64, kind, name) {
                    break;
                }
            }
            reply.ok();
        };
        if ino == STUCK {
            self.hold(reply, list);
        } else {
            list(reply);
        }
    }
}

/// The share mounted at `at`, or None (said why) where this machine cannot
/// mount it and the test may pass without.
fn mount(at: &Path, share: Share) -> Option<fuser::BackgroundSession> {
    let options = [MountOption::RO, MountOption::FSName("trawl-test".into())];
    match fuser::spawn_mount2(share, at, &options) {
        Ok(session) => Some(session),
        Err(e) if std::env::var_os("TRAWL_REQUIRE_FUSE").is_none() => {
            eprintln!(
                "skipped: cannot mount a FUSE file system here ({e}); CI sets TRAWL_REQUIRE_FUSE"
            );
            None
        }
        Err(e) => panic!("cannot mount a FUSE file system: {e}"),
    }
}

/// The share with `stuck` and `slow`, mounted at `dir/share`: where, the
/// switch that lets what it holds answer, and its session; or None where
/// this machine cannot mount it.
fn mount_stalling_share(
    dir: &Path,
) -> Option<(
    std::path::PathBuf,
    Arc<AtomicBool>,
    fuser::BackgroundSession,
)> {
    let at = dir.join("share");
    std::fs::create_dir(&at).unwrap();
    let answer = Arc::new(AtomicBool::new(false));
    let share = Share {
        answer: Arc::clone(&answer),
        stalls: true,
        silent_root: Arc::default(),
    };
    let session = mount(&at, share)?;
    Some((at, answer, session))
}

/// A nightly run over a share that stops answering ends by itself: a file
/// whose bytes never come is given up after --file-timeout, the walk of a
/// folder that never lists likewise, and the run stops as partial, its
/// report written and naming both, with what could be read in it.
#[test]
fn a_share_that_stops_answering_cannot_hold_a_run_for_ever() {
    let dir = tempfile::tempdir().unwrap();
    let Some((at, answer, session)) = mount_stalling_share(dir.path()) else {
        return;
    };
    let report_at = dir.path().join("report.json");
    let started = Instant::now();
    let child = Process::new(env!("CARGO_BIN_EXE_trawl"))
        .arg("scan")
        .arg(&at)
        .args(["--quiet", "--as-of", "2026-01-01", "--format", "json"])
        .args(["--file-timeout", "2", "--stop-grace", "1", "--threads", "2"])
        .arg("--out")
        .arg(&report_at)
        .arg("--state")
        .arg(dir.path().join("state.db"))
        .args(["--log-every", "1", "--log"])
        .arg(dir.path().join("trawl.log"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The report is written when the run is over. (The process itself may
    // only end once the share answers: FUSE lets no thread go that waits
    // on a request its server has taken. A network share's waits end with
    // the process.) Bounded: a run that hangs fails the test, not CI.
    let written = appears_by(&report_at, started + Duration::from_secs(60));
    let out = let_go(child, &answer, session, written);
    assert!(written, "the run was still waiting on the share after 60 s");
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&std::fs::read(&report_at).unwrap()).unwrap();
    assert_eq!(report["partial"], true);
    let findings: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(findings, ["office/note.txt"]);
    let reason = |path: &str| -> String {
        let errors = report["errors"].as_array().unwrap();
        let e = errors
            .iter()
            .find(|e| e["path"] == path)
            .unwrap_or_else(|| panic!("{path} not in {errors:?}"));
        assert_eq!(e["status"], "failed");
        e["reason"].as_str().unwrap().to_string()
    };
    assert!(
        reason("slow/notes.txt").starts_with("still being read after 2 s"),
        "{}",
        reason("slow/notes.txt")
    );
    assert!(
        reason("stuck").starts_with("the walk has waited 2 s here"),
        "{}",
        reason("stuck")
    );
    // Meanwhile the log said, each second, how far the run had got.
    let log = std::fs::read_to_string(dir.path().join("trawl.log")).unwrap();
    let beats: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("]: progress after "))
        .collect();
    assert!(!beats.is_empty(), "{log}");
    assert!(beats[0].contains(" done, "), "{}", beats[0]);
}

/// A share whose own root stops answering (a dead NFS or SMB mount) is
/// looked at before anything else, and would hold the run there, before the
/// walk and its watch begin. It is given up after --file-timeout instead:
/// reported as not read, the other root scanned, and what the state knew
/// of the share kept (nothing resolved, its finding said to stay open).
#[test]
fn a_share_whose_root_does_not_answer_is_reported_and_the_rest_scanned() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("share")).unwrap();
    std::fs::create_dir(dir.path().join("here")).unwrap();
    std::fs::write(dir.path().join("here/note.txt"), NOTE).unwrap();
    let (answer, silent_root) = (Arc::new(AtomicBool::new(false)), Arc::default());
    let share = Share {
        answer: Arc::clone(&answer),
        stalls: false,
        silent_root: Arc::clone(&silent_root),
    };
    let Some(session) = mount(&dir.path().join("share"), share) else {
        return;
    };
    // Both roots named relative to the test's folder, as `share/...`.
    let scan = |out: &str| {
        Process::new(env!("CARGO_BIN_EXE_trawl"))
            .current_dir(dir.path())
            .args(["scan", "share", "here", "--quiet", "--as-of", "2026-01-01"])
            .args(["--format", "json", "--file-timeout", "2", "--strict"])
            .args(["--state", "state.db", "--out", out])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let first = scan("first.json").wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(1), "findings: {first:?}");

    silent_root.store(true, Ordering::Relaxed);
    // The kernel keeps the root's attributes for TTL: past it, it asks.
    std::thread::sleep(TTL + Duration::from_millis(200));
    let report_at = dir.path().join("second.json");
    let started = Instant::now();
    let child = scan("second.json");
    let written = appears_by(&report_at, started + Duration::from_secs(60));
    let out = let_go(child, &answer, session, written);
    assert!(written, "the run was still waiting on the share after 60 s");
    // --strict: something could not be read.
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |name: &str| -> Value {
        serde_json::from_slice(&std::fs::read(dir.path().join(name)).unwrap()).unwrap()
    };
    let (first, second) = (read("first.json"), read("second.json"));
    let paths = |report: &Value| -> Vec<String> {
        let mut paths: Vec<String> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_string())
            .collect();
        paths.sort();
        paths
    };
    assert_eq!(paths(&first), ["here/note.txt", "share/office/note.txt"]);
    assert_eq!(paths(&second), ["here/note.txt"]);
    assert_ne!(second["partial"], true, "not a stopped run");
    let errors = second["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["path"], "share");
    assert_eq!(errors[0]["status"], "failed");
    assert_eq!(
        errors[0]["reason"],
        "did not answer in 2 s when the scan began (is the share up?): not read; 1 finding reported before in it stays open until it is read again"
    );
    let history = &second["history"];
    assert_eq!(history["files_removed"], 0);
    assert_eq!(history["new"], 0);
    assert_eq!(history["resolved"].as_array().unwrap().len(), 0);
    assert_eq!(history["kept_open"], 1);
}

/// A run stopped by SIGTERM while its walk waits on a share that stopped
/// answering waits for the walk only --stop-grace (not --file-timeout):
/// its partial report is written, naming the folder, and the state's lock
/// is let go while the process itself is still held by the share (as FUSE
/// holds it): a decision made then is not told a run is under way.
#[test]
fn a_signal_ends_a_run_whose_walk_is_stuck_and_lets_go_of_the_state() {
    let dir = tempfile::tempdir().unwrap();
    let Some((at, answer, session)) = mount_stalling_share(dir.path()) else {
        return;
    };
    let (report_at, state) = (dir.path().join("report.json"), dir.path().join("state.db"));
    let mut child = Process::new(env!("CARGO_BIN_EXE_trawl"))
        .arg("scan")
        .arg(&at)
        .args(["--quiet", "--as-of", "2026-01-01", "--format", "json"])
        .args([
            "--file-timeout",
            "600",
            "--stop-grace",
            "1",
            "--threads",
            "2",
        ])
        // No file held: only the walk is.
        .args(["--exclude", "slow"])
        .arg("--out")
        .arg(&report_at)
        .arg("--state")
        .arg(&state)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Long enough for the walk to reach `stuck`.
    std::thread::sleep(Duration::from_secs(2));
    let sent = Process::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    // Far short of --file-timeout: only the grace can have ended it.
    let written = appears_by(&report_at, Instant::now() + Duration::from_secs(60));
    // The lock goes a moment after the report (the HTML and the log are
    // written between), and well before the process ends: the share, which
    // has answered nothing yet, still holds it.
    let lock = dir.path().join("state.db.lock");
    let freed = written && free_within(&lock, Duration::from_secs(10));
    let held = child.try_wait().unwrap().is_none();
    let triage = written.then(|| {
        let report: Value = serde_json::from_slice(&std::fs::read(&report_at).unwrap()).unwrap();
        let fingerprint = report["findings"][0]["fingerprint"]
            .as_str()
            .unwrap()
            .to_string();
        let decided = Process::new(env!("CARGO_BIN_EXE_trawl"))
            .args([
                "triage",
                &fingerprint,
                "--status",
                "accepted",
                "--by",
                "test",
            ])
            .args(["--note", "a test's"])
            .arg("--state")
            .arg(&state)
            .output()
            .unwrap();
        (report, decided)
    });
    let out = let_go(child, &answer, session, written);
    assert!(
        written,
        "the stopped run was still waiting on the share after 60 s"
    );
    assert!(
        freed,
        "the state's lock was still held 10 s after the report"
    );
    assert!(
        held,
        "the share no longer held the process: the lock shows nothing"
    );
    assert_eq!(
        out.status.code(),
        Some(5),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (report, decided) = triage.unwrap();
    assert_eq!(report["partial"], true);
    let stuck = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "stuck")
        .unwrap_or_else(|| panic!("stuck not in {}", report["errors"]));
    assert!(
        stuck["reason"].as_str().unwrap().starts_with(
            "the walk was still waiting here for the file system when the scan was stopped"
        ),
        "{}",
        stuck["reason"]
    );
    let said = String::from_utf8_lossy(&decided.stderr);
    assert!(decided.status.success(), "{said}");
    assert!(!said.contains("a run is under way"), "{said}");
}

/// Whether the lock file at `lock` can be taken (and is then let go again)
/// within `wait`.
fn free_within(lock: &Path, wait: Duration) -> bool {
    use std::os::unix::io::AsRawFd;
    let file = std::fs::File::open(lock).unwrap();
    let deadline = Instant::now() + wait;
    loop {
        // SAFETY: flock on a descriptor we own; no memory is involved.
        let taken = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
        if taken {
            // SAFETY: as above.
            unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_UN) };
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether `path` is there by `deadline` (polled).
fn appears_by(path: &Path, deadline: Instant) -> bool {
    while !path.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    path.exists()
}

/// Lets what the share held answer, so that the run's threads still waiting
/// on it end and it unmounts; ends a run that never wrote its report; and
/// returns what the run said.
fn let_go(
    mut child: std::process::Child,
    answer: &AtomicBool,
    session: fuser::BackgroundSession,
    written: bool,
) -> std::process::Output {
    answer.store(true, Ordering::Relaxed);
    if !written {
        let _ = child.kill();
    }
    let out = child.wait_with_output().unwrap();
    drop(session);
    out
}
