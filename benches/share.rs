//! A first scan of a share with a network's latency: a file system of the
//! bench's own (FUSE) whose every file open and read answers only after a
//! round trip (`TRAWL_SHARE_RTT_MS`, default 2 ms, about a branch office's
//! link to its file server), as an SMB share's do. Lookups and listings
//! answer at once, as a share's folder listings carry its files' metadata.
//!
//! Times first scans reading one file a core at once (`--threads` at the
//! cores: trawl's default before it read several a core), four a core, and
//! the default (paced: see `Pacer` in src/scan.rs), alternated, and prints
//! each against the first. Each reads every file (FUSE drops a file's
//! cached pages when it is opened again).
//!
//! With `TRAWL_SHARE_META_RTT_MS` set, lookups, listings and attributes
//! also answer after that round trip, and the kernel caches none of them (a
//! share whose client keeps no metadata: the worst case for a rescan, which
//! is all metadata); the bench then times unchanged rescans with four
//! walker threads a core and with the default (the walk takes such a share
//! for a slow one: see `metadata_is_slow` in src/walk.rs), alternated.
//!
//! `cargo bench --bench share` (Linux, as root or with `fusermount3`;
//! `TRAWL_SHARE_FILES` for another size, default 8,000).

#[cfg(target_os = "linux")]
#[path = "../tests/common/fuse_attr.rs"]
mod fuse_attr;

#[cfg(target_os = "linux")]
mod common;

#[cfg(target_os = "linux")]
mod share {
    use std::ffi::OsStr;
    use std::path::Path;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use fuser::{
        FileAttr, FileType, Filesystem, MountOption, ReplyAttr, ReplyData, ReplyDirectory,
        ReplyEntry, ReplyOpen, Request,
    };
    use trawl::report::Progress;
    use trawl::scan::{cores, default_workers, prepare, scan, ScanOptions};

    use super::{common, fuse_attr};

    const ENOENT: i32 = 2;
    const TTL: Duration = Duration::from_secs(3600);
    const ROOT: u64 = 1;
    /// Files a folder; folders are inodes 2.., files after them.
    const PER_FOLDER: usize = 100;

    /// `folders` folders of `PER_FOLDER` notes each; one note in five names
    /// a tenant's email address.
    struct Share {
        files: usize,
        rtt: Duration,
        /// When set, lookups, attributes and listings also answer after
        /// this round trip, and are not cached: a share whose client keeps
        /// no metadata (the worst case for a rescan, which is all metadata).
        meta_rtt: Option<Duration>,
    }

    impl Share {
        fn folders(&self) -> usize {
            self.files.div_ceil(PER_FOLDER)
        }
        fn folder_ino(&self, f: usize) -> u64 {
            2 + f as u64
        }
        fn file_ino(&self, n: usize) -> u64 {
            2 + (self.folders() + n) as u64
        }
        /// The file number of inode `ino`, if it is a file.
        fn file_of(&self, ino: u64) -> Option<usize> {
            let first = self.file_ino(0);
            (ino >= first && ino < first + self.files as u64).then(|| (ino - first) as usize)
        }
        fn folder_of(&self, ino: u64) -> Option<usize> {
            (ino >= 2 && ino < self.file_ino(0)).then(|| (ino - 2) as usize)
        }
        fn attr(&self, ino: u64) -> FileAttr {
            let size = self.file_of(ino).map_or(0, |n| note(n).len() as u64);
            fuse_attr::attr(ino, size, self.file_of(ino).is_none())
        }
        /// A folder's entries: (inode, name, kind).
        fn children(&self, ino: u64) -> Vec<(u64, String, FileType)> {
            if ino == ROOT {
                (0..self.folders())
                    .map(|f| {
                        (
                            self.folder_ino(f),
                            format!("area{f:03}"),
                            FileType::Directory,
                        )
                    })
                    .collect()
            } else if let Some(f) = self.folder_of(ino) {
                let files = f * PER_FOLDER..((f + 1) * PER_FOLDER).min(self.files);
                files
                    .map(|n| {
                        (
                            self.file_ino(n),
                            format!("note{n:06}.txt"),
                            FileType::RegularFile,
                        )
                    })
                    .collect()
            } else {
                Vec::new()
            }
        }
        /// Answers after a round trip, from a thread of its own, so that
        /// requests in flight together wait together, as on a network.
        fn later<R: Send + 'static>(&self, reply: R, then: impl FnOnce(R) + Send + 'static) {
            self.after(self.rtt, reply, then);
        }

        /// A metadata answer: at once and cached, or after `meta_rtt` and
        /// not cached.
        fn meta<R: Send + 'static>(
            &self,
            reply: R,
            then: impl FnOnce(R, &Duration) + Send + 'static,
        ) {
            match self.meta_rtt {
                None => then(reply, &TTL),
                Some(rtt) => self.after(rtt, reply, move |r| then(r, &Duration::ZERO)),
            }
        }

        fn after<R: Send + 'static>(
            &self,
            rtt: Duration,
            reply: R,
            then: impl FnOnce(R) + Send + 'static,
        ) {
            std::thread::spawn(move || {
                std::thread::sleep(rtt);
                then(reply);
            });
        }
    }

    fn note(n: usize) -> Vec<u8> {
        let mut text = format!("Repairs log {n}\n");
        for line in 0..60 {
            text += &format!("Visit {line}: the boiler was checked and the tenant told.\n");
        }
        if n.is_multiple_of(5) {
            text += &format!("Write to tenant{n}@example.org about the rent.\n");
        }
        text.into_bytes()
    }

    impl Filesystem for Share {
        fn lookup(&mut self, _: &Request<'_>, parent: u64, name: &OsStr, reply: ReplyEntry) {
            match self
                .children(parent)
                .into_iter()
                .find(|(_, n, _)| OsStr::new(n) == name)
            {
                Some((ino, _, _)) => {
                    let attr = self.attr(ino);
                    self.meta(reply, move |r, ttl| r.entry(ttl, &attr, 0));
                }
                None => self.meta(reply, |r, _| r.error(ENOENT)),
            }
        }

        fn getattr(&mut self, _: &Request<'_>, ino: u64, _: Option<u64>, reply: ReplyAttr) {
            let attr = self.attr(ino);
            self.meta(reply, move |r, ttl| r.attr(ttl, &attr));
        }

        fn opendir(&mut self, _: &Request<'_>, _: u64, _: i32, reply: ReplyOpen) {
            self.meta(reply, |r, _| r.opened(0, 0));
        }

        fn open(&mut self, _: &Request<'_>, _: u64, _: i32, reply: ReplyOpen) {
            self.later(reply, |r| r.opened(0, 0));
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
            let bytes = self.file_of(ino).map(note).unwrap_or_default();
            let span = fuse_attr::span(bytes.len(), offset, size);
            self.later(reply, move |r| r.data(&bytes[span]));
        }

        fn readdir(
            &mut self,
            _: &Request<'_>,
            ino: u64,
            _: u64,
            offset: i64,
            mut reply: ReplyDirectory,
        ) {
            let entries = [
                (ino, ".".to_string(), FileType::Directory),
                (ROOT, "..".to_string(), FileType::Directory),
            ]
            .into_iter()
            .chain(self.children(ino));
            for (i, (child, name, kind)) in entries.enumerate().skip(offset as usize) {
                if reply.add(child, (i + 1) as i64, kind, name) {
                    break;
                }
            }
            self.meta(reply, |r, _| r.ok());
        }
    }

    fn first_scan(at: &Path, threads: Option<usize>) -> (Duration, u64) {
        let as_of = "2026-01-01".parse().unwrap();
        let prepared = prepare(None, None, as_of).unwrap();
        let mut opts = ScanOptions::new(vec![at.to_path_buf()], as_of);
        opts.threads = threads;
        let started = Instant::now();
        let report = scan(
            &prepared.engine,
            &prepared.classifier,
            &opts,
            &Arc::new(Progress::new(false)),
        )
        .unwrap();
        (started.elapsed(), report.summary.findings)
    }

    /// Each way's median time, and its ratio to the first way's.
    fn print_medians(names: &[String], times: Vec<Vec<Duration>>, first_name: &str) {
        let first = median(times[0].clone());
        for (name, took) in names.iter().zip(times) {
            let took = median(took);
            println!(
                "  {name}: {:.2} s (median of 3), {:.2}x as long as {first_name}",
                took.as_secs_f64(),
                took.as_secs_f64() / first.as_secs_f64()
            );
        }
    }

    fn median(mut v: Vec<Duration>) -> Duration {
        v.sort();
        v[v.len() / 2]
    }

    /// Rescans of the share, its metadata slow: with four walker threads a
    /// core (as before the walk took the share for a slow one) and with the
    /// default, alternated.
    fn rescans(at: &Path, state: &Path, files: usize, meta_ms: u64) {
        let (first, read, _) = common::run_with_state(at, state, None);
        assert_eq!(read as usize, files, "the first scan reads every file");
        println!(
            "{files} files on a share answering every open, read, lookup, listing and attribute after {meta_ms} ms, none cached, {} cores: first scan {:.2} s",
            cores(),
            first.as_secs_f64()
        );
        let ways = [
            ("four walker threads a core", Some(cores() * 4)),
            ("the default (the share taken for a slow one)", None),
        ];
        let mut times = vec![Vec::new(); ways.len()];
        for _ in 0..3 {
            for (way, (_, walk_threads)) in ways.iter().enumerate() {
                let (took, read, _) = common::run_with_state(at, state, *walk_threads);
                assert_eq!(read, 0, "a rescan of an unchanged share reads nothing");
                times[way].push(took);
            }
        }
        let names = ways.map(|(name, _)| format!("unchanged rescan, {name}"));
        print_medians(&names, times, "four a core");
    }

    pub fn main() {
        let files: usize = std::env::var("TRAWL_SHARE_FILES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(8000);
        let rtt_ms: u64 = std::env::var("TRAWL_SHARE_RTT_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2);
        let meta_rtt_ms: Option<u64> = std::env::var("TRAWL_SHARE_META_RTT_MS")
            .ok()
            .and_then(|v| v.parse().ok());
        let dir = tempfile::tempdir().unwrap();
        let at = dir.path().join("share");
        std::fs::create_dir(&at).unwrap();
        let share = Share {
            files,
            rtt: Duration::from_millis(rtt_ms),
            meta_rtt: meta_rtt_ms.map(Duration::from_millis),
        };
        let options = [MountOption::RO, MountOption::FSName("trawl-bench".into())];
        let _session = match fuser::spawn_mount2(share, &at, &options) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("skipped: cannot mount a FUSE file system here ({e})");
                return;
            }
        };
        if let Some(meta_ms) = meta_rtt_ms {
            rescans(&at, &dir.path().join("state.db"), files, meta_ms);
            return;
        }
        println!(
            "{files} files of ~3.5 KB on a share answering each open and read after {rtt_ms} ms, {} cores:",
            cores()
        );
        let ways = [
            ("one file a core at once", Some(cores())),
            ("four a core", Some(default_workers())),
            ("the default (paced)", None),
        ];
        // Alternated, so that a slow moment of the machine's falls on all;
        // the first round warms trawl's own start (rules, policy).
        let mut times = vec![Vec::new(); ways.len()];
        let mut findings = Vec::new();
        for round in 0..4 {
            for (way, (_, threads)) in ways.iter().enumerate() {
                let (took, found) = first_scan(&at, *threads);
                findings.push(found);
                if round > 0 {
                    times[way].push(took);
                }
            }
        }
        assert!(
            findings.windows(2).all(|w| w[0] == w[1]),
            "the same findings every way"
        );
        print_medians(&ways.map(|(name, _)| name.to_string()), times, "one a core");
        println!("  ({} findings)", findings[0]);
    }
}

fn main() {
    #[cfg(target_os = "linux")]
    share::main();
    #[cfg(not(target_os = "linux"))]
    eprintln!("skipped: the share is a FUSE file system, Linux's");
}
