//! Extraction: each format becomes located text for the detectors.
//!
//! A file is opened read-only (and without touching its access time where
//! the OS allows), its first bytes decide its format, and its extractor
//! feeds a [`Sink`] blocks of running text, located text units (a page, a
//! paragraph) or records of fields (a row, a JSON object). Containers
//! (archives, email attachments) hand their members back to
//! [`extract_member`], within [`Limits`] that keep a hostile file harmless.

pub mod archive;
pub mod delimited;
pub mod email;
pub mod form;
pub mod json;
pub mod markup;
pub mod office;
pub mod ole;
pub mod pdf;
pub mod powerpoint97;
pub mod rtf;
pub mod sniff;
pub mod spreadsheet;
pub mod text;
pub mod word97;

use std::borrow::Cow;
use std::cell::Cell;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;

use crate::detect::{Confidence, Engine, HeaderContext, Hit, Scope};
use crate::report::{Column, FileRecord, Finding, Location, Outcome};
use sniff::Kind;

/// How many bytes are read first to decide a file's format and encoding.
pub const HEAD_LEN: usize = 64 * 1024;

/// Anything extractors can read and rewind.
pub trait ReadSeek: Read + Seek {}
impl<T: Read + Seek> ReadSeek for T {}

/// Bounds on what one file on disk may unpack to, so a zip bomb or an
/// endlessly nested archive costs little and is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Containers inside containers: `a.zip!/b.zip!/c.csv` is depth 2.
    pub max_depth: u32,
    /// Uncompressed bytes of all members of one file, together.
    pub max_total_bytes: u64,
    /// Uncompressed size of a member over its compressed size.
    pub max_ratio: u64,
    /// Members of one file, together.
    pub max_members: u64,
    /// One member unpacked into memory to be scanned, or one file of a
    /// format that is read whole (PDF, HTML, a lone email, a Word or PowerPoint 97–2003 file).
    pub max_member_bytes: u64,
    /// Findings listed for one file, its members' included: past it they
    /// are counted, not kept, so that an export of millions of rows costs
    /// bounded memory and output, not a gigabyte a hundred thousand rows.
    pub max_findings: u64,
}

/// `--max-findings-per-file` as a limit: 0 is none.
pub fn findings_limit(per_file: u64) -> u64 {
    if per_file == 0 {
        u64::MAX
    } else {
        per_file
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth: 5,
            max_total_bytes: 4 << 30,
            max_ratio: 200,
            max_members: 100_000,
            max_member_bytes: 512 << 20,
            max_findings: 10_000,
        }
    }
}

/// What extracting one file gave.
#[derive(Debug)]
pub struct Extracted {
    pub outcome: Outcome,
    pub format: &'static str,
    /// Why a file was skipped or not wholly read.
    pub reason: Option<String>,
    /// Findings, even from a file that failed part-way, its members' too.
    pub findings: Vec<Finding>,
    /// What became of each member (archive entry, attachment).
    pub members: Vec<MemberOutcome>,
    /// The file's own metadata, where its format has any.
    pub document: Option<DocumentMeta>,
    /// The records that hold findings, for the policy stage.
    pub records: Vec<RecordDraft>,
    /// The file's SHA-256 and length, when asked for and it could be read:
    /// taken as the file was read, from the same open file.
    pub content: Option<(String, u64)>,
    /// Whether the file system failed to open the file or a read or seek of
    /// it (permission denied, a share that stopped answering, a bad
    /// sector): what came of the reading then says nothing of the content.
    pub file_system_failed: bool,
    /// Findings past [`Limits::max_findings`], counted.
    pub unlisted: Unlisted,
}

/// What a file held past [`Limits::max_findings`]: its findings counted by
/// detector and confidence, not kept; and the rows that held nothing else,
/// which are then not judged (a row is judged on its findings).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unlisted {
    /// By detector, counts by confidence (low, medium, high): keyed by the
    /// detector alone, a finding counted is a look-up, not an allocation.
    pub findings: std::collections::BTreeMap<String, [u64; 3]>,
    pub rows: u64,
}

impl Unlisted {
    pub fn is_empty(&self) -> bool {
        self.findings.is_empty() && self.rows == 0
    }

    pub fn total(&self) -> u64 {
        self.findings.values().flatten().sum()
    }

    /// Counts `n` findings of `detector` at `confidence`.
    pub fn count(&mut self, detector: &str, confidence: Confidence, n: u64) {
        match self.findings.get_mut(detector) {
            Some(counts) => counts[confidence as usize] += n,
            None => {
                let mut counts = [0; 3];
                counts[confidence as usize] = n;
                self.findings.insert(detector.to_string(), counts);
            }
        }
    }

    /// Of `detector`'s counts, those at `confidence` or above.
    pub fn at_least(counts: &[u64; 3], confidence: Confidence) -> u64 {
        counts[confidence as usize..].iter().sum()
    }

    fn absorb(&mut self, other: Unlisted) {
        for (detector, counts) in other.findings {
            let mine = self.findings.entry(detector).or_default();
            for (m, n) in mine.iter_mut().zip(counts) {
                *m += n;
            }
        }
        self.rows += other.rows;
    }

    /// How a file record's reason says its listing stopped (the HTML
    /// report looks for it).
    pub const STOPPED: &'static str = "over --max-findings-per-file:";

    /// Why a file's listing stopped, for its file record.
    pub fn describe(&self, listed: u64) -> String {
        let counts: Vec<String> = self
            .findings
            .iter()
            .map(|(d, n)| format!("{d} {}", n.iter().sum::<u64>()))
            .collect();
        let rows = match self.rows {
            0 => String::new(),
            1 => ", and the 1 row holding only those not judged".to_string(),
            n => format!(", and the {n} rows holding only those not judged"),
        };
        format!(
            "{} the first {listed} findings listed, {} more counted ({}){rows}",
            Self::STOPPED,
            self.total(),
            counts.join(", ")
        )
    }
}

/// A record that holds findings, as extraction saw it: a row of a table or
/// sheet, an object of a JSON array, an NDJSON line, or a whole document
/// (a message of a mailbox). The policy stage assigns it a process and flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordDraft {
    pub path: String,
    /// How findings name it: `row 3`, `sheet "Rents", row 5`, `document`.
    pub locator: String,
    pub location: Location,
    /// Normalised names of its table's headers (or its object's keys), for
    /// the policy's header signatures, shared by a table's rows. Empty for
    /// documents.
    pub headers: Arc<[String]>,
    /// Values of the columns the policy reads (trigger dates, lawful basis,
    /// consent), by normalised header name. Never written out.
    pub fields: Vec<(String, String)>,
    /// A document's own date (ISO 8601, as the document states it).
    pub document_date: Option<String>,
}

/// A document's own metadata, kept for later stages (retention triggers).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentMeta {
    pub author: Option<String>,
    /// As the document states it (ISO 8601 in OOXML and ODF).
    pub created: Option<String>,
    pub modified: Option<String>,
}

/// One member of a container, and what became of it.
#[derive(Debug, Clone)]
pub struct MemberOutcome {
    pub format: &'static str,
    pub outcome: Outcome,
    /// A record when it was not scanned whole.
    pub record: Option<FileRecord>,
}

/// Why a file was not (wholly) scanned.
#[derive(Debug)]
pub enum Problem {
    Skipped(String),
    Encrypted(String),
    NoText(String),
    Failed(String),
}

impl Problem {
    fn split(self) -> (Outcome, String) {
        match self {
            Problem::Skipped(r) => (Outcome::Skipped, r),
            Problem::Encrypted(r) => (Outcome::Encrypted, r),
            Problem::NoText(r) => (Outcome::NoText, r),
            Problem::Failed(r) => (Outcome::Failed, r),
        }
    }
}

impl From<io::Error> for Problem {
    fn from(e: io::Error) -> Problem {
        Problem::Failed(format!("read error: {}", foreign(e)))
    }
}

/// What a file's reading is told while a file or member of a format read
/// whole (PDF, HTML, XML, a lone email, a Word or PowerPoint 97–2003 file) is in memory: parsing one takes
/// about twice its size, and several at once, on several cores, can take
/// more memory than the machine has. `hold` may wait for room.
pub trait WholeReads {
    fn hold(&self, bytes: u64);
    fn release(&self, bytes: u64);
}

/// The state of one file's extraction shared by its nested members.
pub struct Nest<'w> {
    pub limits: Limits,
    pub depth: u32,
    bytes_left: u64,
    members_left: u64,
    pub members: Vec<MemberOutcome>,
    whole: Option<&'w dyn WholeReads>,
}

impl<'w> Nest<'w> {
    fn new(limits: Limits, whole: Option<&'w dyn WholeReads>) -> Nest<'w> {
        Nest {
            limits,
            depth: 0,
            bytes_left: limits.max_total_bytes,
            members_left: limits.max_members,
            members: Vec::new(),
            whole,
        }
    }

    /// Takes a member's declared size from the budget, or says which limit
    /// it would break.
    pub fn admit(&mut self, uncompressed: u64, compressed: u64) -> Result<(), String> {
        if self.depth >= self.limits.max_depth {
            return Err(format!(
                "nested deeper than {} containers",
                self.limits.max_depth
            ));
        }
        if self.members_left == 0 {
            return Err(format!(
                "more than {} members in one file",
                self.limits.max_members
            ));
        }
        if compressed > 0 && uncompressed / compressed.max(1) > self.limits.max_ratio {
            return Err(format!(
                "compression ratio over {}:1 ({uncompressed} bytes from {compressed})",
                self.limits.max_ratio
            ));
        }
        if uncompressed > self.limits.max_member_bytes {
            return Err(format!(
                "{uncompressed} bytes unpacked, over the {} bytes one member may take",
                self.limits.max_member_bytes
            ));
        }
        if uncompressed > self.bytes_left {
            return Err(format!(
                "would unpack past {} bytes in all",
                self.limits.max_total_bytes
            ));
        }
        self.members_left -= 1;
        self.bytes_left -= uncompressed;
        Ok(())
    }

    /// Runs `read` with `bytes` held under the budget of bytes read whole
    /// (see [`WholeReads`]): what a file read whole, or what parsing it,
    /// takes in memory while it is read. Given back when `read` returns; if
    /// it panics, when the file's reading ends.
    pub fn holding<T>(&mut self, bytes: u64, read: impl FnOnce(&mut Nest<'w>) -> T) -> T {
        let whole = self.whole;
        if let Some(whole) = whole {
            whole.hold(bytes);
        }
        let read = read(self);
        if let Some(whole) = whole {
            whole.release(bytes);
        }
        read
    }

    /// Records a member that was not scanned.
    pub fn record(&mut self, path: String, format: &'static str, problem: Problem) {
        let (outcome, reason) = problem.split();
        self.members.push(MemberOutcome {
            format,
            outcome,
            record: Some(FileRecord {
                path,
                status: outcome,
                format: format.to_string(),
                reason,
            }),
        });
    }
}

/// Scans one file, and with `hash` takes its SHA-256 as it goes. Never
/// panics on the file's content: every problem becomes an outcome with a
/// reason.
pub fn extract_file(
    engine: &Engine,
    path: &Path,
    rel: &str,
    reveal: bool,
    limits: Limits,
    hash: bool,
    whole: Option<&dyn WholeReads>,
) -> Extracted {
    let mut sink = Sink::new(engine, rel.to_string(), reveal).listing(limits);
    let mut nest = Nest::new(limits, whole);
    let mut content = None;
    let failed = Rc::new(Cell::new(false));
    let opened = open_input(path).map(|file| Watched {
        src: file,
        failed: Rc::clone(&failed),
    });
    let (format, result) = match opened {
        Err(e) => {
            failed.set(true);
            ("unknown", Err(Problem::Failed(format!("cannot open: {e}"))))
        }
        Ok(file) if hash => {
            let hashed = crate::digest::HashedSource::new(file);
            let read = extract_source(&mut sink, &mut nest, Box::new(hashed.share()), path);
            content = hashed.finish().ok();
            read
        }
        Ok(file) => extract_source(&mut sink, &mut nest, Box::new(file), path),
    };
    let mut extracted = finish(sink, nest, format, result);
    extracted.content = content;
    extracted.file_system_failed = failed.get();
    extracted
}

/// A file being read, noting whether the file system ever failed a read or
/// seek of it (not a parser: the errors of the bytes it gave are theirs).
struct Watched<R> {
    src: R,
    failed: Rc<Cell<bool>>,
}

impl<R> Watched<R> {
    fn note<T>(&self, result: io::Result<T>) -> io::Result<T> {
        if result
            .as_ref()
            .is_err_and(|e| e.kind() != io::ErrorKind::Interrupted)
        {
            self.failed.set(true);
        }
        result
    }
}

impl<R: Read> Read for Watched<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.src.read(buf);
        self.note(read)
    }

    // The file's own, which sizes its buffer from the file's length.
    fn read_to_end(&mut self, buf: &mut Vec<u8>) -> io::Result<usize> {
        let read = self.src.read_to_end(buf);
        self.note(read)
    }
}

impl<R: Seek> Seek for Watched<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let sought = self.src.seek(to);
        self.note(sought)
    }
}

fn finish(
    mut sink: Sink,
    nest: Nest,
    format: &'static str,
    result: Result<(), Problem>,
) -> Extracted {
    sink.close_documents();
    let (outcome, mut reason) = match result {
        Ok(()) => (Outcome::Scanned, None),
        Err(p) => {
            let (o, r) = p.split();
            (o, Some(r))
        }
    };
    if !sink.unlisted.is_empty() {
        let unlisted = sink.unlisted.describe(sink.findings.len() as u64);
        reason = Some(match reason {
            Some(r) => format!("{r}; {unlisted}"),
            None => unlisted,
        });
    }
    Extracted {
        outcome,
        format,
        reason,
        findings: sink.findings,
        members: nest.members,
        document: sink.document,
        records: sink.records,
        content: None,
        file_system_failed: false,
        unlisted: sink.unlisted,
    }
}

/// Scans bytes already in memory as if they were a file named `name`.
pub fn extract_bytes(
    engine: &Engine,
    name: &str,
    bytes: Vec<u8>,
    reveal: bool,
    limits: Limits,
) -> Extracted {
    let mut sink = Sink::new(engine, name.to_string(), reveal).listing(limits);
    let mut nest = Nest::new(limits, None);
    let (format, result) = extract_source(
        &mut sink,
        &mut nest,
        Box::new(io::Cursor::new(bytes)),
        Path::new(name),
    );
    finish(sink, nest, format, result)
}

/// Scans a member of a container (its bytes already unpacked) under
/// `parent`'s path as `parent!/name`, recording its outcome.
pub fn extract_member(parent: &mut Sink, nest: &mut Nest, name: &str, bytes: Vec<u8>) {
    let path = format!("{}!/{}", parent.path, name.trim_start_matches('/'));
    let mut sink = parent.child(path.clone());
    nest.depth += 1;
    let (format, result) = extract_source(
        &mut sink,
        nest,
        Box::new(io::Cursor::new(bytes)),
        Path::new(name),
    );
    nest.depth -= 1;
    sink.close_documents();
    parent.findings.append(&mut sink.findings);
    parent.records.append(&mut sink.records);
    parent.unlisted.absorb(std::mem::take(&mut sink.unlisted));
    match result {
        Ok(()) => nest.members.push(MemberOutcome {
            format,
            outcome: Outcome::Scanned,
            record: None,
        }),
        Err(problem) => nest.record(path, format, problem),
    }
}

/// Detects the format of `src` (positioned at its start) and extracts it.
fn extract_source(
    sink: &mut Sink,
    nest: &mut Nest,
    mut src: Box<dyn ReadSeek>,
    name: &Path,
) -> (&'static str, Result<(), Problem>) {
    let head = match read_head(&mut src) {
        Ok(h) => h,
        Err(e) => return ("unknown", Err(Problem::Failed(format!("cannot read: {e}")))),
    };
    let kind = match sniff::detect(name, &head) {
        Kind::Zip => match archive::zip_kind(&mut src) {
            Ok(k) => k,
            // A broken archive's members are read from their local headers
            // (`scan_zip`); a broken document's parts are packed again first
            // (`read_broken_document`).
            Err(_) if sniff::zip_format_by_name(name) == "zip" && src.rewind().is_ok() => Kind::Zip,
            // A broken zip is counted under the format its name promises.
            Err(p) => {
                return (
                    sniff::zip_format_by_name(name),
                    read_broken_document(p, src, sink, nest),
                )
            }
        },
        k => k,
    };
    if kind.reads_whole() {
        let size = match src
            .seek(SeekFrom::End(0))
            .and_then(|n| src.seek(SeekFrom::Start(0)).map(|_| n))
        {
            Ok(n) => n,
            Err(e) => return (kind.name(), Err(Problem::from(e))),
        };
        if size > nest.limits.max_member_bytes {
            let why = format!(
                "{size} bytes: {} files are read whole, and this is over the {} bytes allowed",
                kind.name(),
                nest.limits.max_member_bytes
            );
            return (kind.name(), Err(Problem::Skipped(why)));
        }
        return run_held(size, kind, &head, src, sink, nest);
    }
    run_caught(kind, &head, src, sink, nest)
}

/// [`run_caught`], the `bytes` in memory held under the budget of bytes
/// read whole while read (a reader's panic is caught, so they are always
/// given back).
fn run_held(
    bytes: u64,
    kind: Kind,
    head: &[u8],
    src: Box<dyn ReadSeek>,
    sink: &mut Sink,
    nest: &mut Nest,
) -> (&'static str, Result<(), Problem>) {
    nest.holding(bytes, |nest| run_caught(kind, head, src, sink, nest))
}

/// A document or workbook whose zip is broken (cut short, say): its parts
/// before the break are packed again and read as far as they go. It still
/// fails, its reason saying how much was read; if nothing could be, the
/// reason is the zip's own.
fn read_broken_document(
    broken: Problem,
    mut src: Box<dyn ReadSeek>,
    sink: &mut Sink,
    nest: &mut Nest,
) -> Result<(), Problem> {
    let Problem::Failed(why) = broken else {
        return Err(broken);
    };
    if src.rewind().is_err() {
        return Err(Problem::Failed(why));
    }
    let Some((packed, read)) = archive::rebuild_zip(src, &why, &nest.limits) else {
        return Err(Problem::Failed(why));
    };
    let size = packed.len() as u64;
    let mut packed: Box<dyn ReadSeek> = Box::new(std::io::Cursor::new(packed));
    let kind = match archive::zip_kind(&mut packed) {
        Ok(kind @ (Kind::Office(_) | Kind::Spreadsheet(_))) => kind,
        // The part that names it what it is was past the break.
        _ => return Err(Problem::Failed(why)),
    };
    // In memory while read, as a file read whole is.
    let (_, result) = run_held(size, kind, &[], packed, sink, nest);
    Err(Problem::Failed(match result {
        Ok(()) => read,
        Err(p) => format!("{read}; reading them: {}", p.split().1),
    }))
}

/// [`run_extractor`]; a bug a file trips in a reader (calamine's, say)
/// costs that file or member alone: its format is still named, what was
/// found before it is kept, and an archive's other members are still read.
/// The panic hook prints nothing of the value being read.
fn run_caught(
    kind: Kind,
    head: &[u8],
    src: Box<dyn ReadSeek>,
    sink: &mut Sink,
    nest: &mut Nest,
) -> (&'static str, Result<(), Problem>) {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_extractor(kind, head, src, sink, nest)
    }))
    .unwrap_or_else(|_| {
        Err(Problem::Failed(format!(
            "internal error while reading this {} file (please report it)",
            kind.name()
        )))
    });
    (kind.name(), result)
}

fn run_extractor(
    kind: Kind,
    head: &[u8],
    src: Box<dyn ReadSeek>,
    sink: &mut Sink,
    nest: &mut Nest,
) -> Result<(), Problem> {
    match kind {
        Kind::Empty => Ok(()),
        Kind::Binary(what) => Err(Problem::Skipped(if what == "binary" {
            "binary content with no extractor".to_string()
        } else {
            format!("{what} content with no extractor")
        })),
        Kind::Text => text::scan(sniff::utf8_reader(head, src), sink),
        Kind::Delimited(delimiter) => {
            delimited::scan(sniff::utf8_reader(head, src), delimiter, sink)
        }
        Kind::Json => json::scan_document(sniff::utf8_reader(head, src), sink),
        Kind::Ndjson => json::scan_lines(sniff::utf8_reader(head, src), sink),
        Kind::Html | Kind::Xml => {
            markup::scan(sniff::utf8_reader(head, src), kind == Kind::Html, sink)
        }
        Kind::Spreadsheet(book) => spreadsheet::scan(src, book, sink),
        Kind::Office(doc) => office::scan(src, doc, sink),
        Kind::Pdf => pdf::scan(src, sink),
        Kind::Email => email::scan_message(src, sink, nest),
        Kind::Mbox => email::scan_mbox(src, sink, nest),
        Kind::Outlook => email::outlook::scan_msg(src, sink, nest),
        Kind::Word97 => word97::scan(src, sink),
        Kind::PowerPoint97 => powerpoint97::scan(src, sink),
        Kind::Rtf => rtf::scan(src, sink),
        Kind::Zip => archive::scan_zip(src, sink, nest),
        Kind::Tar => archive::scan_tar(src, sink, nest),
        Kind::Gzip => archive::scan_gzip(src, name_without_gz(sink), sink, nest),
    }
}

/// The name a gzip member has: the file's own name without `.gz`.
fn name_without_gz(sink: &Sink) -> String {
    let last = sink.path.rsplit(['/', '!']).next().unwrap_or("data");
    last.strip_suffix(".gz")
        .or_else(|| last.strip_suffix(".GZ"))
        .unwrap_or(last)
        .to_string()
}

/// Opens a file for reading only: non-blocking (a FIFO swapped in after the
/// walk cannot hang the scan), without updating its access time where
/// permitted, and refusing anything but a regular file.
pub fn open_input(path: &Path) -> io::Result<std::fs::File> {
    let file = open_read_only(path)?;
    if !file.metadata()?.file_type().is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok(file)
}

#[cfg(target_os = "linux")]
fn open_read_only(path: &Path) -> io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let open = |flags: i32| {
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(flags)
            .open(path)
    };
    match open(libc::O_NONBLOCK | libc::O_NOATIME) {
        // O_NOATIME is only for the file's owner (or root).
        Err(e) if e.raw_os_error() == Some(libc::EPERM) => open(libc::O_NONBLOCK),
        other => other,
    }
}

#[cfg(all(unix, not(target_os = "linux")))]
fn open_read_only(path: &Path) -> io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

/// Windows opens a file for reading with others free to read, write and
/// delete it (std's default sharing), so a scan locks no one out of their
/// file. Whether its access time changes is the system's setting (NTFS
/// last-access updates), not trawl's: keeping it would need the right to
/// write the file's attributes.
#[cfg(not(unix))]
fn open_read_only(path: &Path) -> io::Result<std::fs::File> {
    std::fs::OpenOptions::new().read(true).open(path)
}

/// The first bytes, with the source rewound to its start.
fn read_head(src: &mut Box<dyn ReadSeek>) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEAD_LEN);
    src.by_ref().take(HEAD_LEN as u64).read_to_end(&mut head)?;
    src.seek(SeekFrom::Start(0))?;
    Ok(head)
}

/// Where a block of running text begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextPos {
    /// 1-based line of the block's first byte.
    pub line: u64,
    /// Characters on that line before the block's first byte.
    pub column: u64,
}

/// One field of a record: a CSV cell, a JSON value.
pub struct Field<'a> {
    pub text: Cow<'a, str>,
    pub header: Option<Rc<HeaderContext>>,
    pub location: Location,
}

/// Collects findings from the text an extractor hands it.
pub struct Sink<'e> {
    engine: &'e Engine,
    /// The file's path, with `!/member` parts inside containers.
    pub path: String,
    reveal: bool,
    pub findings: Vec<Finding>,
    /// Set by extractors of formats that carry metadata.
    pub document: Option<DocumentMeta>,
    /// Records holding findings: rows as they are judged, documents when
    /// the sink is closed.
    pub records: Vec<RecordDraft>,
    /// The current table's header names (normalised), set by extractors of
    /// tables so that a row's signature includes its empty columns.
    table_headers: Option<Arc<[String]>>,
    /// Each mailbox message's own date (ISO 8601), by its number: looked up
    /// for every record of a mailbox of any size.
    message_dates: std::collections::HashMap<u64, String>,
    /// Whether the fields being judged are a row (a record of its own).
    in_row: bool,
    hits: Vec<Hit>,
    /// Findings kept, at most ([`Limits::max_findings`] less what the file
    /// holds already, for a member's sink); past it they are counted.
    cap: usize,
    pub unlisted: Unlisted,
}

impl<'e> Sink<'e> {
    pub fn new(engine: &'e Engine, path: String, reveal: bool) -> Sink<'e> {
        Sink {
            engine,
            path,
            reveal,
            findings: Vec::new(),
            document: None,
            records: Vec::new(),
            table_headers: None,
            message_dates: Default::default(),
            in_row: false,
            hits: Vec::new(),
            cap: usize::MAX,
            unlisted: Unlisted::default(),
        }
    }

    /// The sink of a file on disk, listing as many findings as `limits`
    /// allow.
    fn listing(mut self, limits: Limits) -> Sink<'e> {
        self.cap = usize::try_from(limits.max_findings).unwrap_or(usize::MAX);
        self
    }

    /// An empty sink for the same file, for work done in parallel, with
    /// what is left of its listing (see [`Self::take_forked`]).
    pub fn fork(&self) -> Sink<'e> {
        let mut fork = Sink::new(self.engine, self.path.clone(), self.reveal);
        fork.cap = self.cap.saturating_sub(self.findings.len());
        fork
    }

    /// Takes in a fork's findings, after the findings of every fork before
    /// it: forks made at once may each have filled what was left of the
    /// listing, and the excess is counted.
    pub fn take_forked(&mut self, fork: Sink<'e>) {
        let room = self.cap.saturating_sub(self.findings.len());
        let mut findings = fork.findings;
        for f in findings.drain(room.min(findings.len())..) {
            self.unlisted.count(&f.detector, f.confidence, 1);
        }
        self.findings.append(&mut findings);
        self.unlisted.absorb(fork.unlisted);
    }

    /// Takes in what a fork read of a page within this file (an email's
    /// HTML body), placed `within` it: each finding's and record's part
    /// named after `within`'s (`body`, `body comments`), and its record
    /// after its message (`message 2`, `message 2, table 1`), dated by the
    /// message as the message's own record is.
    pub fn take_within(&mut self, mut fork: Sink<'e>, within: &Location) {
        let record = |r: &str| match (within.message, r) {
            (Some(m), "document") => format!("message {m}"),
            (Some(m), r) => format!("message {m}, {r}"),
            (None, r) => r.to_string(),
        };
        let part = |own: Option<String>| match (&within.part, own) {
            (Some(outer), Some(own)) => Some(format!("{outer} {own}")),
            (outer, own) => own.or_else(|| outer.clone()),
        };
        for f in &mut fork.findings {
            f.location.message = within.message;
            f.location.part = part(f.location.part.take());
            f.record = record(&f.record);
        }
        let date = within
            .message
            .and_then(|m| self.message_dates.get(&m).cloned());
        for r in &mut fork.records {
            r.locator = record(&r.locator);
            r.location.message = within.message;
            r.location.part = part(r.location.part.take());
            r.document_date = r.document_date.take().or_else(|| date.clone());
        }
        self.records.append(&mut fork.records);
        self.take_forked(fork);
    }

    /// An empty sink for a member of this file, with what is left of its
    /// listing.
    pub fn child(&self, path: String) -> Sink<'e> {
        let mut child = Sink::new(self.engine, path, self.reveal);
        child.cap = self.cap.saturating_sub(self.findings.len());
        child
    }

    pub fn engine(&self) -> &'e Engine {
        self.engine
    }

    /// Running text. `block` may begin with context already reported and run
    /// on past the part to report; findings are kept only where they start
    /// inside `report`.
    pub fn text_block(&mut self, block: &[u8], report: Range<usize>, at: TextPos) {
        self.hits.clear();
        self.engine.scan_unit(block, None, 0, &mut self.hits);
        self.engine.resolve(&mut self.hits, Scope::Text);
        let hits = std::mem::take(&mut self.hits);
        // Line and column at `pos`, carried from hit to hit: counting each
        // hit's column from the start of its line made a long line (minified
        // HTML, one-line JSON) cost its length once per hit.
        let mut line = at.line;
        let mut column = at.column;
        let mut pos = 0;
        for h in hits.iter().filter(|h| report.contains(&h.start)) {
            let gap = &block[pos..h.start];
            match memchr::memrchr(b'\n', gap) {
                Some(last) => {
                    line += memchr::memchr_iter(b'\n', gap).count() as u64;
                    column = char_count(&gap[last + 1..]);
                }
                None => column += char_count(gap),
            }
            pos = h.start;
            let column = column + 1;
            let location = Location {
                line: Some(line),
                column: Some(Column::Number(column)),
                column_index: column,
                ..Location::default()
            };
            self.push(h, &block[h.start..h.end], location);
        }
        self.hits = hits;
    }

    /// A unit of running text (a page, a paragraph, an email body) that is
    /// its own record: findings carry `base` plus their line and column
    /// within it.
    pub fn text_unit(&mut self, text: &str, base: &Location) {
        let first = self.findings.len();
        self.text_block(
            text.as_bytes(),
            0..text.len(),
            TextPos { line: 1, column: 0 },
        );
        for f in &mut self.findings[first..] {
            let (line, column) = (f.location.line, f.location.column.take());
            let column_index = f.location.column_index;
            f.location = Location {
                line,
                column,
                column_index,
                ..base.clone()
            };
            if let (false, Some(m)) = (self.in_row, base.message) {
                f.record = format!("message {m}");
            }
        }
    }

    /// Fields judged together that belong to the document around them (a
    /// Word table's row, loose JSON values): the document is the record.
    pub fn record(&mut self, fields: &[Field]) {
        self.judge(fields);
    }

    /// The fields of one row (a CSV or sheet row, an HTML table row, an
    /// object of a JSON array, an XML record element), judged together; the
    /// row is a record of its own, located at `at`.
    pub fn row(&mut self, fields: &[Field], at: Location) {
        let before = self.findings.len();
        self.in_row = true;
        self.judge(fields);
        self.in_row = false;
        if self.findings.len() == before {
            // Every hit is pushed: hits that left no finding were past the
            // listing.
            if !self.hits.is_empty() {
                self.unlisted.rows += 1;
            }
            return;
        }
        // Named only when it holds something: most rows hold nothing.
        let locator = at.to_string();
        for f in &mut self.findings[before..] {
            f.record.clone_from(&locator);
        }
        let headers = match &self.table_headers {
            Some(h) => Arc::clone(h),
            None => {
                let mut names: Vec<String> = fields
                    .iter()
                    .filter_map(|f| f.header.as_ref().map(|h| h.name.clone()))
                    .collect();
                names.sort();
                names.dedup();
                names.into()
            }
        };
        let wanted = fields
            .iter()
            .filter_map(|f| {
                let h = f.header.as_ref().filter(|h| h.wanted)?;
                Some((h.name.clone(), f.text.trim().to_string()))
            })
            .collect();
        self.records.push(RecordDraft {
            path: self.path.clone(),
            locator,
            location: at,
            headers,
            fields: wanted,
            document_date: None,
        });
    }

    /// Names the columns of the table whose rows follow (`None` when a table
    /// has no header row, or a new table begins). A cell that names no
    /// column is an empty name.
    pub fn set_table_headers(&mut self, header: Option<&Header>) {
        self.table_headers = header.map(|h| {
            h.iter()
                .map(|cell| {
                    cell.as_ref()
                        .map(|(_, ctx)| ctx.name.clone())
                        .unwrap_or_default()
                })
                .collect()
        });
    }

    /// A mailbox message's own date, for the record it makes.
    pub fn set_message_date(&mut self, message: u64, date: String) {
        // The first date given for a message stands.
        self.message_dates.entry(message).or_insert(date);
    }

    /// Makes a record of each document (or mailbox message) that holds
    /// findings outside any row.
    fn close_documents(&mut self) {
        let mut known: std::collections::HashSet<(String, String)> = self
            .records
            .iter()
            .map(|r| (r.path.clone(), r.locator.clone()))
            .collect();
        let own_date = self
            .document
            .as_ref()
            .and_then(|d| d.created.clone().or_else(|| d.modified.clone()));
        for f in &self.findings {
            if known.contains(&(f.path.clone(), f.record.clone())) {
                continue;
            }
            known.insert((f.path.clone(), f.record.clone()));
            let message = f.location.message;
            let document_date = match message {
                Some(m) => self.message_dates.get(&m).cloned(),
                None => own_date.clone(),
            };
            self.records.push(RecordDraft {
                path: f.path.clone(),
                locator: f.record.clone(),
                location: Location {
                    message,
                    ..Location::default()
                },
                headers: Arc::from([]),
                fields: Vec::new(),
                document_date,
            });
        }
    }

    fn judge(&mut self, fields: &[Field]) {
        self.hits.clear();
        for (i, f) in fields.iter().enumerate() {
            self.engine.scan_unit(
                f.text.as_bytes(),
                f.header.as_deref(),
                i as u32,
                &mut self.hits,
            );
        }
        self.engine.resolve(&mut self.hits, Scope::Record);
        let hits = std::mem::take(&mut self.hits);
        for h in &hits {
            let field = &fields[h.field as usize];
            let mut location = field.location.clone();
            location.offset = h.start as u64;
            self.push(h, &field.text.as_bytes()[h.start..h.end], location);
        }
        self.hits = hits;
    }

    fn push(&mut self, hit: &Hit, raw: &[u8], location: Location) {
        let d = self.engine.detector(hit.detector);
        if self.findings.len() >= self.cap {
            self.unlisted.count(&d.id, hit.confidence, 1);
            return;
        }
        let raw = match &hit.derived {
            Some((value, _)) => value.as_bytes(),
            None => raw,
        };
        let value = String::from_utf8_lossy(raw);
        let record = match (self.in_row, location.message) {
            (true, _) => String::new(),
            (false, Some(m)) => format!("message {m}"),
            (false, None) => "document".to_string(),
        };
        self.findings.push(Finding {
            path: self.path.clone(),
            location,
            record,
            process: None,
            detector: d.id.clone(),
            category: d.category.clone(),
            confidence: hit.confidence,
            evidence: hit.evidence.clone(),
            masked: d.masked(&value),
            value_sha256: Some(crate::digest::sha256(raw)),
            value: self.reveal.then(|| value.into_owned()),
            fingerprint: None,
            new: false,
            triage: None,
        });
    }
}

/// A header row names things: most of its filled cells hold a letter, and
/// none holds an email address or a run of three digits, as values would.
pub fn looks_like_header<S: AsRef<str>>(cells: &[S]) -> bool {
    let filled: Vec<&str> = cells
        .iter()
        .map(AsRef::as_ref)
        .filter(|c| !c.trim().is_empty())
        .collect();
    let named = filled
        .iter()
        .filter(|c| c.chars().any(char::is_alphabetic))
        .count();
    let value_like = filled.iter().any(|c| {
        c.contains('@')
            || c.as_bytes()
                .split(|b| !b.is_ascii_digit())
                .any(|run| run.len() >= 3)
    });
    !filled.is_empty() && !value_like && named * 2 > filled.len()
}

/// A table's named columns: each header cell's name and what it says to
/// the detectors; `None` for a cell that names no column (empty, or
/// holding a value), whose column is shown by its number.
pub type Header = Vec<Option<(String, Rc<HeaderContext>)>>;

/// A table's first row as its header, if it is one: it looks like names
/// ([`looks_like_header`]) and holds no value (see [`header_names`]).
pub fn read_header<S: AsRef<str>>(engine: &Engine, cells: &[S]) -> Option<Header> {
    if looks_like_header(cells) {
        header_names(engine, cells)
    } else {
        None
    }
}

/// Rows a table may open with above its header, nothing filled but their
/// first cell: a report's title, the date it was run, a blank line.
pub const MAX_TITLE_ROWS: usize = 5;

/// A row that may be a title above a header: nothing filled but its first
/// cell (a name over the second column alone is a header's).
pub fn is_title_row<S: AsRef<str>>(cells: &[S]) -> bool {
    cells.iter().skip(1).all(|c| c.as_ref().trim().is_empty())
}

/// Which of a table's first rows is its header, and what it names. Exports
/// and reports put a title, a date or a blank line above the header: up to
/// [`MAX_TITLE_ROWS`] rows with nothing past their first cell are passed
/// over, and the first row with more is the header if it reads as one
/// ([`read_header`]). A table whose first rows fill only their first cell
/// (a list of one column) is headed by its first filled row, if that reads
/// as a header. `rows` are the table's first rows, up to `MAX_TITLE_ROWS + 1`
/// (or all it has).
pub fn find_header<S: AsRef<str>>(engine: &Engine, rows: &[Vec<S>]) -> Option<(usize, Header)> {
    let first_wide = rows
        .iter()
        .take(MAX_TITLE_ROWS + 1)
        .position(|row| !is_title_row(row));
    let at = first_wide.or_else(|| {
        rows.iter()
            .position(|row| row.iter().any(|c| !c.as_ref().trim().is_empty()))
    })?;
    read_header(engine, &rows[at]).map(|header| (at, header))
}

/// The column names of a row that may be a header, read by the engine as
/// values first. A row in which it would report a value ("Jane Smith",
/// "Flat 2", "LS1 4AB": a table without a header) is data: `None`, so its
/// values are judged as a row's, not skipped as names and shown unmasked
/// in every finding's column. A cell holding a value that alone is not
/// reported (a name the gazetteer does not know) names no column.
pub fn header_names<S: AsRef<str>>(engine: &Engine, cells: &[S]) -> Option<Header> {
    let names: Vec<String> = cells.iter().map(|c| tidy(c.as_ref())).collect();
    let read = engine.read_names(&names);
    if read.reported {
        return None;
    }
    Some(
        names
            .into_iter()
            .zip(read.values)
            .map(|(name, value)| {
                (!name.is_empty() && value.is_none()).then(|| {
                    let ctx = Rc::new(engine.header_context(&name));
                    (name, ctx)
                })
            })
            .collect(),
    )
}

/// `text` with its runs of whitespace made single spaces, and none at
/// either end: a cell or a label as a reader sees it.
pub fn tidy(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A name (a JSON key, a sheet's name) that is a value, masked as that
/// value's finding would be; `None` for a name that is only a name.
pub fn masked_if_value(engine: &Engine, name: &str) -> Option<String> {
    let detector = engine.read_names(&[name]).values[0]?;
    let d = engine.detector(detector);
    Some(d.masked(name))
}

/// Each label's name and what it says to the detectors (`None` for an
/// empty one): a PDF form's field labels, which its author wrote.
pub fn header_contexts<S: AsRef<str>>(
    engine: &Engine,
    cells: &[S],
) -> Vec<Option<(String, Rc<HeaderContext>)>> {
    cells
        .iter()
        .map(|c| {
            let name = tidy(c.as_ref());
            (!name.is_empty()).then(|| {
                let ctx = Rc::new(engine.header_context(&name));
                (name, ctx)
            })
        })
        .collect()
}

/// A location pointer (JSON, XML) longer than this is shown by its start and
/// end: a value under keys or elements of thousands of characters held a
/// copy of them all, once per value.
pub(crate) const MAX_POINTER: usize = 512;

/// Elements nested deeper than this are not read, in office parts and in
/// XML alike: each open element holds a frame, and a file of nothing but
/// opening tags must not make millions of them.
pub(crate) const MAX_XML_DEPTH: usize = 4096;

/// The most one XML part of an office package (Word, Excel, OpenDocument)
/// may unpack to per byte stored: more is a zip bomb, whatever its header
/// says its size is.
pub(crate) const MAX_PART_RATIO: u64 = 200;

/// A pointer as findings carry it: whole, or when longer than
/// [`MAX_POINTER`], its start and its end (where the value is) around "…".
pub(crate) fn shown_pointer(pointer: &str) -> String {
    if pointer.len() <= MAX_POINTER {
        return pointer.to_string();
    }
    let mut head = MAX_POINTER / 4;
    while !pointer.is_char_boundary(head) {
        head -= 1;
    }
    let mut tail = pointer.len() - MAX_POINTER * 3 / 4;
    while !pointer.is_char_boundary(tail) {
        tail += 1;
    }
    format!("{}…{}", &pointer[..head], &pointer[tail..])
}

/// A little-endian `u16` at `at`, if `bytes` holds one there: the binary
/// formats' headers and tables are read through these, never by indexing.
pub(crate) fn le_u16(bytes: &[u8], at: usize) -> Option<u16> {
    let b = bytes.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes([b[0], b[1]]))
}

/// A little-endian `u32` at `at`, if `bytes` holds one there.
pub(crate) fn le_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// A library's error message fit for a reason: what is quoted in it ('…',
/// "…" or `…`) is left out, and so is what follows "Unrecognized THING:".
/// Readers quote what they choke on, and that can be the document itself:
/// calamine put a cell's whole value in "Unsupported cell error value
/// '…'", and reasons go unmasked into every report and the log. An
/// apostrophe inside a word ("sheet's") does not open a quote; a quote
/// never closed hides the rest.
pub(crate) fn foreign(message: impl std::fmt::Display) -> String {
    let message = message.to_string();
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars().peekable();
    let mut previous: Option<char> = None;
    while let Some(c) = chars.next() {
        let opens =
            matches!(c, '"' | '`') || (c == '\'' && !previous.is_some_and(char::is_alphanumeric));
        if !opens {
            out.push(c);
            previous = Some(c);
            continue;
        }
        out.push(c);
        out.push('…');
        // Skip to the closing quote (Debug-quoted text escapes with '\\').
        let mut closed = false;
        while let Some(q) = chars.next() {
            if q == '\\' {
                chars.next();
            } else if q == c {
                closed = true;
                break;
            }
        }
        if !closed {
            return out;
        }
        out.push(c);
        previous = Some(c);
    }
    if let Some(at) = out.find("Unrecognized ") {
        if let Some(colon) = out[at..].find(": ") {
            out.truncate(at + colon);
        }
    }
    out
}

/// Characters in UTF-8 bytes (continuation bytes do not start one).
fn char_count(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count() as u64
}

/// What the extractors' tests share.
#[cfg(test)]
pub(crate) mod testing {
    use std::cell::RefCell;

    use super::WholeReads;
    use crate::detect::{Engine, Rules};

    /// A compound file (OLE, version 3) of the given streams, each named by
    /// its path, the storages on the way made.
    pub(crate) fn compound(streams: &[(&str, &[u8])]) -> Vec<u8> {
        use std::io::Write;
        let mut file = cfb::CompoundFile::create_with_version(
            cfb::Version::V3,
            std::io::Cursor::new(Vec::new()),
        )
        .unwrap();
        for (path, bytes) in streams {
            let parent = std::path::Path::new(path).parent();
            if let Some(storage) = parent.filter(|p| !p.as_os_str().is_empty()) {
                file.create_storage_all(storage).unwrap();
            }
            file.create_stream(path).unwrap().write_all(bytes).unwrap();
        }
        file.flush().unwrap();
        file.into_inner().into_inner()
    }

    /// The stream `name` of the compound file `bytes`.
    pub(crate) fn stream_of(bytes: &[u8], name: &str) -> Vec<u8> {
        use std::io::Read;
        let mut file = cfb::CompoundFile::open(std::io::Cursor::new(bytes)).unwrap();
        let mut out = Vec::new();
        file.open_stream(name)
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    /// The embedded rules, judged at 2026-01-01.
    pub(crate) fn engine() -> Engine {
        Engine::new(
            Rules::embedded().unwrap(),
            jiff::civil::Date::new(2026, 1, 1).unwrap(),
        )
        .unwrap()
    }

    /// What a file's reading was told of bytes held.
    #[derive(Default)]
    pub(crate) struct Told(pub(crate) RefCell<Vec<String>>);

    impl WholeReads for Told {
        fn hold(&self, bytes: u64) {
            self.0.borrow_mut().push(format!("hold {bytes}"));
        }

        fn release(&self, bytes: u64) {
            self.0.borrow_mut().push(format!("release {bytes}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{engine, Told};
    use super::*;

    #[test]
    fn a_header_is_found_below_a_title() {
        let engine = engine();
        let at = |rows: &[&[&str]]| {
            let rows: Vec<Vec<&str>> = rows.iter().map(|r| r.to_vec()).collect();
            find_header(&engine, &rows).map(|(at, h)| (at, h.iter().flatten().count()))
        };
        let header: &[&str] = &["Name", "DOB", "NI Number"];
        // A title, the date it was run and a blank line above it.
        assert_eq!(
            at(&[
                &["Rent arrears report", "", ""],
                &["Run 02/06/2025", ""],
                &[],
                header
            ]),
            Some((3, 3))
        );
        assert_eq!(
            at(&[header, &["Jo Bloggs", "02/11/1971", ""]]),
            Some((0, 3))
        );
        // Below the titles, a row of data: no header, the title is no name.
        assert_eq!(at(&[&["Tenants"], &["Mrs Nia Okafor", "LS6 2QT"]]), None);
        // A name over the second column alone is a header's, not a title.
        assert_eq!(at(&[&["", "Email"], &["x", "x@example.com"]]), Some((0, 1)));
        // A list of one column is headed by its first row.
        assert_eq!(at(&[&[], &["Email"], &["x@example.com"]]), Some((1, 1)));
        // Titles are looked past for so many rows only.
        let mut rows: Vec<&[&str]> = vec![&["Title"]; MAX_TITLE_ROWS + 1];
        rows.push(header);
        assert_eq!(at(&rows), Some((0, 1)));
        assert_eq!(at(&[]), None);
    }

    #[test]
    fn a_header_names_columns_and_a_row_of_values_is_no_header() {
        let engine = engine();
        let names = |h: Option<Header>| -> Option<Vec<Option<String>>> {
            h.map(|h| h.into_iter().map(|c| c.map(|(n, _)| n)).collect())
        };
        assert_eq!(
            names(read_header(
                &engine,
                &["Name", " Date of  birth", "", "Postcode"]
            )),
            Some(vec![
                Some("Name".into()),
                Some("Date of birth".into()),
                None,
                Some("Postcode".into())
            ])
        );
        // A first row of data (no header): read as a row, not as names.
        assert_eq!(
            names(read_header(
                &engine,
                &["Mrs Nia Okafor", "Flat 3", "LS6 2QT"]
            )),
            None
        );
        // A name not reported alone names no column, but the row is still
        // taken for a header by the rest.
        assert_eq!(
            names(read_header(&engine, &["Nia Quorvel", "Rent", "Arrears"])),
            Some(vec![None, Some("Rent".into()), Some("Arrears".into())])
        );
        // Not names at all.
        assert_eq!(
            names(read_header(&engine, &["x@example.com", "Rent"])),
            None
        );
        // A header as the formats lay it out is judged by its values alone.
        assert_eq!(
            names(header_names(&engine, &["Mr Dev Dunmore", "Tuesday"])),
            None
        );
    }

    /// Each finding's detector, value and place, a header's or footer's
    /// part named as RTF and `.doc` name it (a DOCX names each by its
    /// file), its paragraph number within them not kept (the formats
    /// number their empty header paragraphs differently).
    fn places(got: &Extracted) -> Vec<(String, String, Location)> {
        let mut places: Vec<_> = got
            .findings
            .iter()
            .map(|f| {
                let mut location = f.location.clone();
                let part = location.part.as_deref().unwrap_or_default();
                if part.starts_with("header") || part.starts_with("footer") {
                    location.part = Some("headers".into());
                    location.paragraph = None;
                }
                (
                    f.detector.clone(),
                    f.value.clone().unwrap_or_default(),
                    location,
                )
            })
            .collect();
        places.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
        places
    }

    /// Files LibreOffice saved from fixtures give what the fixtures give:
    /// its `.doc` with its table's rows and without its deleted text, its
    /// RTF, its PDF line by line as the page shows it, its `.xls` and
    /// `.ods`, and its `.ppt`, which keeps a slide's text in its shapes.
    #[test]
    fn files_other_programs_wrote_read_as_what_they_came_from() {
        let engine = engine();
        let read = |name: &str, bytes: &[u8]| {
            let got = extract_bytes(&engine, name, bytes.to_vec(), true, Limits::default());
            assert_eq!(
                (got.outcome, got.reason.as_deref()),
                (Outcome::Scanned, None),
                "{name}"
            );
            places(&got)
        };
        let letter = read(
            "letter.docx",
            include_bytes!("../../fixtures/documents/tenancy_letter.docx"),
        );
        assert_eq!(letter.len(), 15);
        assert!(letter
            .iter()
            .any(|p| p.2.table == Some(1) && p.2.row == Some(3)));
        // Each file of `written` reads as `expected`.
        let alike = |expected: &[(String, String, Location)], written: &[(&str, &[u8])]| {
            for (name, bytes) in written {
                assert_eq!(read(name, bytes), expected, "{name}");
            }
        };
        alike(
            &letter,
            &[
                (
                    "letter.doc",
                    include_bytes!("../../tests/written/tenancy_letter_libreoffice.doc"),
                ),
                (
                    "letter.rtf",
                    include_bytes!("../../tests/written/tenancy_letter_libreoffice.rtf"),
                ),
            ],
        );
        // Its PDF draws each cell, and a label and its value, as text
        // objects of their own: a label's line is read as one line, as the
        // page shows it, and the table as the DOCX's, each cell under its
        // column (a name and a date two rows under theirs once went unfound).
        let pdf = read(
            "letter.pdf",
            include_bytes!("../../tests/written/tenancy_letter_libreoffice.pdf"),
        );
        let place_of = |value: &str| pdf.iter().find(|p| p.1 == value).unwrap();
        assert_eq!(
            (
                place_of("WP 40 62 19 B").2.line,
                &place_of("WP 40 62 19 B").2.column
            ),
            (Some(9), &Some(crate::report::Column::Number(22)))
        );
        let cells = |places: &[(String, String, Location)]| {
            places
                .iter()
                .filter(|p| p.2.table.is_some())
                .map(|p| {
                    let at = &p.2;
                    (
                        p.0.clone(),
                        p.1.clone(),
                        at.table,
                        at.row,
                        at.cell.clone(),
                        at.column.clone(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(cells(&letter).len(), 6);
        assert_eq!(cells(&pdf), cells(&letter));
        assert_eq!(place_of("Elsie Quennell").2.line, Some(14));
        // A review's table of one person, as its ODT's.
        let review = |name: &str, bytes: &[u8]| cells(&read(name, bytes));
        let odt = review(
            "review.odt",
            include_bytes!("../../fixtures/documents/case_review.odt"),
        );
        assert_eq!(odt.len(), 3);
        assert_eq!(
            review(
                "review.pdf",
                include_bytes!("../../tests/written/case_review_libreoffice.pdf")
            ),
            odt
        );
        // A workbook saved as `.xls` and as `.ods`: its date cells read as
        // the XLSX's do (an OpenDocument date once read as `1955-11-22`).
        let rents = read(
            "rents.xlsx",
            include_bytes!("../../fixtures/spreadsheets/rents.xlsx"),
        );
        assert_eq!(rents.len(), 25);
        alike(
            &rents,
            &[
                (
                    "rents.xls",
                    include_bytes!("../../tests/written/rents_libreoffice.xls"),
                ),
                (
                    "rents.ods",
                    include_bytes!("../../tests/written/rents_libreoffice.ods"),
                ),
            ],
        );
        // Saved as CSV in a US locale, its dates month-first: every DOB in
        // its column is found, 11/22/1955 among them.
        let us = read(
            "rents.csv",
            include_bytes!("../../tests/written/rents_libreoffice_us.csv"),
        );
        let births = |places: &[(String, String, Location)]| {
            let mut rows: Vec<_> = places
                .iter()
                .filter(|p| p.0 == "date_of_birth")
                .map(|p| p.2.row)
                .collect();
            rows.sort();
            rows
        };
        assert_eq!(births(&us), births(&rents));
        assert!(us.iter().any(|p| p.1 == "11/22/1955"));
        // Its Tenants sheet printed to PDF by Calc: the first page's columns
        // read as the sheet's (the dates and the others right aligned in
        // their cells), and the PDF's other page holds the sheet's other
        // columns. The same people in a report written as HTML and made a
        // PDF by Writer, its column names centred over their columns.
        let calc = read(
            "tenants.pdf",
            include_bytes!("../../tests/written/tenants_libreoffice.pdf"),
        );
        let by_column = |places: &[(String, String, Location)], columns: &[&str]| {
            let mut found: Vec<_> = places
                .iter()
                .filter_map(|p| match &p.2.column {
                    Some(crate::report::Column::Name(c)) if columns.contains(&c.as_str()) => {
                        Some((p.0.clone(), p.1.clone(), c.clone(), p.2.row))
                    }
                    _ => None,
                })
                .collect();
            found.sort();
            found
        };
        let first_page = ["Name", "DOB", "NI Number", "Sort Code"];
        assert_eq!(by_column(&calc, &first_page).len(), 16);
        assert_eq!(
            by_column(&calc, &first_page),
            by_column(&rents, &first_page)
        );
        let report = read(
            "arrears.pdf",
            include_bytes!("../../tests/written/arrears_libreoffice.pdf"),
        );
        let mut report = by_column(&report, &["Tenant", "Date of Birth", "NI Number"]);
        for found in &mut report {
            found.2 = found
                .2
                .replace("Tenant", "Name")
                .replace("Date of Birth", "DOB");
        }
        // It lists the sheet's first three people.
        let mut people = by_column(&rents, &["Name", "DOB", "NI Number"]);
        people.retain(|p| p.3 <= Some(4));
        assert_eq!(report.len(), 9);
        assert_eq!(report, people);
        let deck = read(
            "deck.pptx",
            include_bytes!("../../fixtures/documents/briefing.pptx"),
        );
        assert_eq!(deck.len(), 3);
        alike(
            &deck,
            &[(
                "deck.ppt",
                include_bytes!("../../tests/written/briefing_libreoffice.ppt"),
            )],
        );
    }

    #[test]
    fn a_librarys_message_keeps_its_words_and_drops_what_it_quotes() {
        // What calamine, quick-xml and Debug formatting quote.
        for (message, reason) in [
            (
                "Unsupported cell error value 'Jane Smith AB123456C'",
                "Unsupported cell error value '…'",
            ),
            (
                "ill-formed document: expected `</Surname>`, but `</Jo>` was found",
                "ill-formed document: expected `…`, but `…` was found",
            ),
            (
                r#"Unknown cell 't' attribute: "x \" AB123456C""#,
                "Unknown cell '…' attribute: \"…\"",
            ),
            // Unquoted, but a value all the same.
            (
                "Unrecognized sheet:state: Jane Smith",
                "Unrecognized sheet:state",
            ),
            // A quote never closed hides the rest.
            ("Expecting 'Jane Smith, 12 High St", "Expecting '…"),
            // Nothing quoted: as it was, apostrophes in words and all.
            (
                "invalid Zip archive: the workbook's end record is missing",
                "invalid Zip archive: the workbook's end record is missing",
            ),
            ("", ""),
        ] {
            assert_eq!(foreign(message), reason, "{message}");
        }
    }

    /// A reader whose every read and seek fails with `kind`.
    struct Refusing(io::ErrorKind);

    impl Read for Refusing {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(self.0.into())
        }
    }

    impl Seek for Refusing {
        fn seek(&mut self, _: SeekFrom) -> io::Result<u64> {
            Err(self.0.into())
        }
    }

    /// A Word document whose directory is cut off is read from its parts'
    /// local headers and still fails, saying so; one cut within its text
    /// is not read, its reason the zip's own.
    #[test]
    fn a_document_cut_short_is_read_from_the_parts_before_the_break() {
        let whole = crate::synth::docx("Write to jo.bloggs@example.com\nNothing else.");
        let directory = whole.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
        let cut = |at: usize| {
            let limits = Limits::default();
            extract_bytes(
                &engine(),
                "letter.docx",
                whole[..at].to_vec(),
                false,
                limits,
            )
        };

        let got = cut(directory + 10);
        assert_eq!((got.format, got.outcome), ("docx", Outcome::Failed));
        let reason = got.reason.unwrap();
        assert!(reason.starts_with("corrupt zip: "), "{reason}");
        assert!(
            reason.contains("; the 2 parts before the break were read from their local headers"),
            "{reason}"
        );
        let found: Vec<&str> = got.findings.iter().map(|f| f.detector.as_str()).collect();
        assert_eq!(found, ["email"]);

        let got = cut(directory - 5);
        assert_eq!((got.format, got.outcome), ("docx", Outcome::Failed));
        assert!(got.findings.is_empty());
        let reason = got.reason.unwrap();
        assert!(
            reason.starts_with("corrupt zip: ") && !reason.contains("part"),
            "{reason}"
        );
    }

    /// A format read whole is held while it is read, its size told, and
    /// given back after; one streamed is not held.
    #[test]
    fn a_file_read_whole_is_held_while_it_is_read() {
        let engine = engine();
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        for (rel, told) in [
            ("documents/letter.pdf", true),
            ("documents/old_case_note.doc", true),
            ("web/newsletter.html", true),
            ("tables/tenants.csv", false),
            ("text/case_notes.txt", false),
        ] {
            let path = fixtures.join(rel);
            let size = std::fs::metadata(&path).unwrap().len();
            let whole = Told::default();
            let got = extract_file(
                &engine,
                &path,
                rel,
                false,
                Limits::default(),
                false,
                Some(&whole),
            );
            assert!(!got.findings.is_empty(), "{rel}");
            let expected = if told {
                vec![format!("hold {size}"), format!("release {size}")]
            } else {
                Vec::new()
            };
            assert_eq!(*whole.0.borrow(), expected, "{rel}");
        }

        // A broken document packed again is held too, for what it became.
        let rel = "documents/corrupt_cd.docx";
        let whole = Told::default();
        let got = extract_file(
            &engine,
            &fixtures.join(rel),
            rel,
            false,
            Limits::default(),
            false,
            Some(&whole),
        );
        assert!(!got.findings.is_empty());
        let told = whole.0.borrow();
        let held = told.first().and_then(|h| h.strip_prefix("hold ")).unwrap();
        assert!(held.parse::<u64>().unwrap() > 0);
        assert_eq!(*told, [format!("hold {held}"), format!("release {held}")]);
    }

    #[test]
    fn only_the_file_systems_own_failures_are_noted() {
        let watch = |src| {
            let failed = Rc::new(Cell::new(false));
            let watched = Watched {
                src,
                failed: Rc::clone(&failed),
            };
            (watched, failed)
        };
        let (mut w, failed) = watch(Refusing(io::ErrorKind::Interrupted));
        assert!(w.read(&mut [0; 8]).is_err());
        assert!(!failed.get(), "interrupted is tried again, not a failure");
        let (mut w, failed) = watch(Refusing(io::ErrorKind::Other));
        assert!(w.read(&mut [0; 8]).is_err());
        assert!(failed.get());
        let (mut w, failed) = watch(Refusing(io::ErrorKind::TimedOut));
        assert!(w.seek(SeekFrom::End(-22)).is_err());
        assert!(failed.get());
        let (mut w, failed) = watch(Refusing(io::ErrorKind::PermissionDenied));
        assert!(w.read_to_end(&mut Vec::new()).is_err());
        assert!(failed.get());
    }

    #[test]
    fn a_file_that_cannot_be_opened_is_the_file_systems_failure_a_damaged_one_is_not() {
        let engine = engine();
        let dir = tempfile::tempdir().unwrap();
        let damaged = dir.path().join("tenants.xlsx");
        std::fs::write(&damaged, b"PK\x03\x04 cut short").unwrap();
        for (path, file_system) in [(damaged, false), (dir.path().join("gone.txt"), true)] {
            let got = extract_file(&engine, &path, "x", false, Limits::default(), true, None);
            assert_eq!(got.outcome, Outcome::Failed, "{path:?}");
            assert_eq!(got.file_system_failed, file_system, "{path:?}");
        }
    }

    #[test]
    fn a_message_record_takes_its_own_messages_date() {
        let engine = engine();
        let mut sink = Sink::new(&engine, "inbox.mbox".into(), false);
        for m in 1..=500 {
            sink.set_message_date(m, format!("2020-01-01 message {m}"));
        }
        // A second date for a message does not replace its first.
        sink.set_message_date(321, "1999-09-09".into());
        for m in [321, 7] {
            let at = Location {
                message: Some(m),
                part: Some("body".into()),
                ..Location::default()
            };
            sink.text_unit("Contact me at pat@example.org", &at);
        }
        sink.text_unit("No message: ann@example.org", &Location::default());
        sink.close_documents();
        let dates: Vec<(Option<u64>, Option<&str>)> = sink
            .records
            .iter()
            .map(|r| (r.location.message, r.document_date.as_deref()))
            .collect();
        assert_eq!(
            dates,
            [
                (Some(321), Some("2020-01-01 message 321")),
                (Some(7), Some("2020-01-01 message 7")),
                (None, None)
            ]
        );
    }
}
