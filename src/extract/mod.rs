//! Extraction: each format becomes located text for the detectors.
//!
//! A file is opened read-only (and without touching its access time where
//! the OS allows), its first bytes decide its format, and its extractor
//! feeds a [`Sink`] either blocks of running text or records of fields.

pub mod delimited;
pub mod json;
pub mod sniff;
pub mod text;

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Read};
use std::ops::Range;
use std::path::Path;
use std::rc::Rc;

use crate::detect::{Engine, HeaderContext, Hit, Scope};
use crate::report::{mask, Column, Finding, Location, Outcome};
use sniff::Kind;

/// How many bytes are read first to decide a file's format and encoding.
pub const HEAD_LEN: usize = 64 * 1024;

/// What extracting one file gave.
#[derive(Debug)]
pub struct Extracted {
    pub outcome: Outcome,
    pub format: &'static str,
    /// Why a file was skipped or failed.
    pub reason: Option<String>,
    /// Findings, even from a file that failed part-way.
    pub findings: Vec<Finding>,
}

/// Scans one file. Never panics on the file's content: every problem becomes
/// an outcome with a reason.
pub fn extract_file(engine: &Engine, path: &Path, rel: &str, reveal: bool) -> Extracted {
    let mut sink = Sink::new(engine, rel, reveal);
    let (format, result) = match open_input(path) {
        Err(e) => ("unknown", Err(Problem::Failed(format!("cannot open: {e}")))),
        Ok(mut file) => match read_head(&mut file) {
            Err(e) => ("unknown", Err(Problem::Failed(format!("cannot read: {e}")))),
            Ok(head) => {
                let kind = sniff::detect(path, &head);
                (kind.name(), run_extractor(kind, head, file, &mut sink))
            }
        },
    };
    let (outcome, reason) = match result {
        Ok(()) => (Outcome::Scanned, None),
        Err(Problem::Skipped(r)) => (Outcome::Skipped, Some(r)),
        Err(Problem::Failed(r)) => (Outcome::Failed, Some(r)),
    };
    Extracted {
        outcome,
        format,
        reason,
        findings: sink.findings,
    }
}

/// Why a file was not (wholly) scanned.
#[derive(Debug)]
pub enum Problem {
    Skipped(String),
    Failed(String),
}

impl From<io::Error> for Problem {
    fn from(e: io::Error) -> Problem {
        Problem::Failed(format!("read error: {e}"))
    }
}

fn run_extractor(kind: Kind, head: Vec<u8>, file: File, sink: &mut Sink) -> Result<(), Problem> {
    match kind {
        Kind::Empty => Ok(()),
        Kind::Binary(what) => Err(Problem::Skipped(format!(
            "binary content ({what}) with no extractor"
        ))),
        Kind::Text => text::scan(sniff::utf8_reader(head, file), sink),
        Kind::Delimited(delimiter) => {
            delimited::scan(sniff::utf8_reader(head, file), delimiter, sink)
        }
        Kind::Json => json::scan_document(sniff::utf8_reader(head, file), sink),
        Kind::Ndjson => json::scan_lines(sniff::utf8_reader(head, file), sink),
    }
}

/// Opens a file for reading only: non-blocking (a FIFO swapped in after the
/// walk cannot hang the scan), without updating its access time where
/// permitted, and refusing anything but a regular file.
pub fn open_input(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let open = |flags: i32| {
        std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(flags)
            .open(path)
    };
    let file = match open(libc::O_NONBLOCK | libc::O_NOATIME) {
        // O_NOATIME is only for the file's owner (or root).
        Err(e) if e.raw_os_error() == Some(libc::EPERM) => open(libc::O_NONBLOCK)?,
        other => other?,
    };
    if !file.metadata()?.file_type().is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok(file)
}

fn read_head(file: &mut File) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEAD_LEN);
    file.by_ref().take(HEAD_LEN as u64).read_to_end(&mut head)?;
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
    path: &'e str,
    reveal: bool,
    pub findings: Vec<Finding>,
    hits: Vec<Hit>,
}

impl<'e> Sink<'e> {
    pub fn new(engine: &'e Engine, path: &'e str, reveal: bool) -> Sink<'e> {
        Sink {
            engine,
            path,
            reveal,
            findings: Vec::new(),
            hits: Vec::new(),
        }
    }

    /// An empty sink for the same file, for work done in parallel.
    pub fn fork(&self) -> Sink<'e> {
        Sink::new(self.engine, self.path, self.reveal)
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
        let mut line = at.line;
        let mut line_start: Option<usize> = None;
        let mut pos = 0;
        for h in hits.iter().filter(|h| report.contains(&h.start)) {
            for nl in memchr::memchr_iter(b'\n', &block[pos..h.start]) {
                line += 1;
                line_start = Some(pos + nl + 1);
            }
            pos = h.start;
            let column = match line_start {
                Some(ls) => char_count(&block[ls..h.start]),
                None => at.column + char_count(&block[..h.start]),
            } + 1;
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

    /// The fields of one record, judged together.
    pub fn record(&mut self, fields: &[Field]) {
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
        let value = String::from_utf8_lossy(raw);
        self.findings.push(Finding {
            path: self.path.to_string(),
            location,
            detector: d.id.clone(),
            category: d.category.clone(),
            confidence: hit.confidence,
            masked: mask(&value, d.mask_keep_start, d.mask_keep_end),
            value: self.reveal.then(|| value.into_owned()),
        });
    }
}

/// Characters in UTF-8 bytes (continuation bytes do not start one).
fn char_count(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| (b & 0xC0) != 0x80).count() as u64
}
