//! Word processing and slides (DOCX, PPTX, ODT, ODP), read from their zip
//! and XML: paragraphs, tables, headers and footers, comments, notes and
//! tracked insertions (deleted text is left out).
//!
//! Each paragraph outside a table is a text unit located by `paragraph`
//! (within its `part` — `header1`, `footer1`, `comments`, `footnotes`,
//! `endnotes`, `notes` — and, for slides, its `page`), scanned with the tail
//! of the paragraph before it as context, so "Date of birth:" on one line
//! still vouches for the date on the next. Each table row is a record whose
//! fields are located by `table`, `row` and `cell` (the 1-based grid column)
//! and named by the header row's `column` when the first row names columns;
//! in a table without one, a row's first cell ("Date of birth:") is the
//! context of the cells after it, as a form reads.
//!
//! Each XML part is read whole into memory, within a guard against zip
//! bombs; what a broken part held up to the break is still scanned.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Read;
use std::rc::Rc;

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use zip::ZipArchive;

use super::form::{form_fields, looks_like_label, looks_like_name, read_form, MAX_FORM_ROWS};
use super::sniff::Doc;
use super::{
    find_header, header_names, is_title_row, tidy, DocumentMeta, Field, Problem, ReadSeek, Sink,
    TextPos, MAX_PART_RATIO, MAX_TITLE_ROWS, MAX_XML_DEPTH,
};
use crate::detect::HeaderContext;
use crate::report::{Column, Location};

/// The most one XML part may unpack to.
const MAX_PART_BYTES: u64 = 256 << 20;
/// Paragraph text scanned in one block.
const PARAGRAPH_BATCH: usize = 64 << 10;

pub fn scan(src: Box<dyn ReadSeek>, doc: Doc, sink: &mut Sink) -> Result<(), Problem> {
    let zip = ZipArchive::new(src).map_err(|e| Problem::Failed(format!("corrupt zip: {e}")))?;
    let mut package = Package {
        zip,
        problems: Vec::new(),
    };
    // A password-protected OpenDocument file is a zip whose parts are
    // encrypted by ODF itself, as its manifest says.
    if matches!(doc, Doc::Odt | Doc::Odp) {
        if let Some(manifest) = package.read("META-INF/manifest.xml") {
            if manifest.text.contains("encryption-data") {
                return Err(Problem::Encrypted(
                    "password-protected OpenDocument file".into(),
                ));
            }
        }
    }
    let mut out = Emitter::new(sink);
    match doc {
        Doc::Docx => scan_docx(&mut package, &mut out),
        Doc::Pptx => scan_pptx(&mut package, &mut out),
        Doc::Odt => scan_odf(&mut package, &mut out, true),
        Doc::Odp => scan_odf(&mut package, &mut out, false),
    }
    out.finish();
    if package.problems.is_empty() {
        Ok(())
    } else {
        Err(Problem::Failed(format!(
            "{}; the rest was scanned",
            package.problems.join("; ")
        )))
    }
}

/// A document read from a format of its own (Word 97–2003, RTF, PowerPoint
/// 97–2003), handed over as it is read and scanned as a DOCX's or a PPTX's
/// is: each paragraph numbered within its part (the body's unnamed) and
/// page, and runs of table rows as tables.
pub(super) struct Flow<'s, 'e> {
    out: Emitter<'s, 'e>,
    /// The table a scope has open: its last unit was a row.
    tables: HashMap<usize, Table>,
    /// The last unit's part, page and scope: a document's units come part
    /// by part, so most need no look-up (which makes a key of the part).
    last: Option<(Option<String>, Option<u64>, usize)>,
}

impl<'s, 'e> Flow<'s, 'e> {
    pub(super) fn new(sink: &'s mut Sink<'e>) -> Self {
        Flow {
            out: Emitter::new(sink),
            tables: HashMap::new(),
            last: None,
        }
    }

    fn scope(&mut self, part: Option<&str>, page: Option<u64>) -> usize {
        match &self.last {
            Some((last, last_page, scope)) if last.as_deref() == part && *last_page == page => {
                *scope
            }
            _ => {
                let scope = self.out.scope(part, page);
                self.last = Some((part.map(str::to_string), page, scope));
                scope
            }
        }
    }

    pub(super) fn paragraph(&mut self, part: Option<&str>, text: &str) {
        self.paragraph_on(part, None, text);
    }

    /// A paragraph of a page (a slide) or of a part of one.
    pub(super) fn paragraph_on(&mut self, part: Option<&str>, page: Option<u64>, text: &str) {
        let scope = self.scope(part, page);
        if let Some(mut table) = self.tables.remove(&scope) {
            self.out.end_table(&mut table);
        }
        let s = &mut self.out.scopes[scope];
        s.paragraphs += 1;
        let number = s.paragraphs;
        self.out.paragraph(scope, number, text);
    }

    /// One table row, its cells in order (each one grid column).
    pub(super) fn row(&mut self, part: Option<&str>, cells: Vec<String>) {
        let scope = self.scope(part, None);
        let out = &mut self.out;
        let table = self
            .tables
            .entry(scope)
            .or_insert_with(|| out.open_table(scope));
        let cells = (1..)
            .zip(cells)
            .map(|(col, text)| CellText {
                col,
                span: 1,
                advance: 1,
                text,
            })
            .collect();
        self.out.row(table, cells);
    }

    pub(super) fn sink(&mut self) -> &mut Sink<'e> {
        self.out.sink
    }

    pub(super) fn finish(mut self) {
        let mut open: Vec<(usize, Table)> = self.tables.drain().collect();
        open.sort_by_key(|(scope, _)| *scope);
        for (_, mut table) in open {
            self.out.end_table(&mut table);
        }
        self.out.finish();
    }
}

fn scan_docx(package: &mut Package, out: &mut Emitter) {
    if let Some(part) = package.require("word/document.xml") {
        let body = out.scope(None, None);
        package.walk(&part, Dialect::Ooxml, out, body);
    }
    let names = package.names();
    let mut parts: Vec<(u8, u64, &str, String)> = Vec::new();
    for name in &names {
        let Some(file) = name.strip_prefix("word/") else {
            continue;
        };
        let Some(stem) = file.strip_suffix(".xml") else {
            continue;
        };
        let rank = if let Some(n) = numbered(stem, "header") {
            (0, n)
        } else if let Some(n) = numbered(stem, "footer") {
            (1, n)
        } else {
            match stem {
                "footnotes" => (2, 0),
                "endnotes" => (3, 0),
                "comments" => (4, 0),
                _ => continue,
            }
        };
        parts.push((rank.0, rank.1, name, stem.to_string()));
    }
    parts.sort();
    for (_, _, name, stem) in parts {
        if let Some(part) = package.read(name) {
            let scope = out.scope(Some(&stem), None);
            package.walk(&part, Dialect::Ooxml, out, scope);
        }
    }
    if let Some(core) = package.read("docProps/core.xml") {
        out.sink.document = read_meta(&core.text);
    }
}

fn scan_pptx(package: &mut Package, out: &mut Emitter) {
    let names = package.names();
    let mut slides: Vec<(u64, &str)> = names
        .iter()
        .filter_map(|name| {
            let stem = name.strip_prefix("ppt/slides/")?.strip_suffix(".xml")?;
            Some((numbered(stem, "slide")?, name.as_str()))
        })
        .collect();
    slides.sort();
    let mut claimed: HashSet<String> = HashSet::new();
    for &(n, name) in &slides {
        if let Some(part) = package.read(name) {
            let scope = out.scope(None, Some(n));
            package.walk(&part, Dialect::Ooxml, out, scope);
        }
        // The slide's notes and comments, by its relationships.
        let rels = format!("ppt/slides/_rels/slide{n}.xml.rels");
        let Some(rels) = package.read(&rels) else {
            continue;
        };
        for (kind, target) in relationships(&rels.text, "ppt/slides/") {
            let part_name = if kind.ends_with("/notesSlide") {
                "notes"
            } else if kind.ends_with("/comments") {
                "comments"
            } else {
                continue;
            };
            if !claimed.insert(target.clone()) {
                continue;
            }
            if let Some(part) = package.read(&target) {
                let scope = out.scope(Some(part_name), Some(n));
                package.walk(&part, Dialect::Ooxml, out, scope);
            }
        }
    }
    // Notes and comments no slide claims.
    for name in &names {
        let part_name = if name.starts_with("ppt/notesSlides/notesSlide") {
            "notes"
        } else if name.starts_with("ppt/comments/") {
            "comments"
        } else {
            continue;
        };
        if !name.ends_with(".xml") || claimed.contains(name) {
            continue;
        }
        if let Some(part) = package.read(name) {
            let scope = out.scope(Some(part_name), None);
            package.walk(&part, Dialect::Ooxml, out, scope);
        }
    }
    if let Some(core) = package.read("docProps/core.xml") {
        out.sink.document = read_meta(&core.text);
    }
}

/// ODT (`text`) and ODP: content.xml, and for text the master pages'
/// headers and footers in styles.xml.
fn scan_odf(package: &mut Package, out: &mut Emitter, text: bool) {
    if let Some(part) = package.require("content.xml") {
        let body = out.scope(None, None);
        package.walk(&part, Dialect::Odf, out, body);
    }
    if text {
        if let Some(part) = package.read("styles.xml") {
            let styles = out.scope(Some("styles"), None);
            package.walk(&part, Dialect::Odf, out, styles);
        }
    }
    if let Some(meta) = package.read("meta.xml") {
        out.sink.document = read_meta(&meta.text);
    }
}

/// `n` from a name such as `header12` and the prefix `header`.
fn numbered(stem: &str, prefix: &str) -> Option<u64> {
    let digits = stem.strip_prefix(prefix)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The zip and what went wrong reading it.
struct Package {
    zip: ZipArchive<Box<dyn ReadSeek>>,
    problems: Vec<String>,
}

/// A part's text, and whether all of it could be read.
struct PartText {
    name: String,
    text: String,
    whole: bool,
}

impl Package {
    fn names(&self) -> Vec<String> {
        self.zip.file_names().map(str::to_string).collect()
    }

    /// A part that must be there.
    fn require(&mut self, name: &str) -> Option<PartText> {
        if self.zip.index_for_name(name).is_none() {
            self.problems.push(format!("{name} is missing"));
            return None;
        }
        self.read(name)
    }

    /// A part's text, or `None` when there is no such part or none of it
    /// could be read (a problem is noted).
    fn read(&mut self, name: &str) -> Option<PartText> {
        let index = self.zip.index_for_name(name)?;
        match read_part(&mut self.zip, index) {
            Ok(text) => Some(PartText {
                name: name.to_string(),
                text,
                whole: true,
            }),
            Err((why, partial)) => {
                self.problems.push(format!("{name}: {why}"));
                partial.map(|text| PartText {
                    name: name.to_string(),
                    text,
                    whole: false,
                })
            }
        }
    }

    fn walk(&mut self, part: &PartText, dialect: Dialect, out: &mut Emitter, scope: usize) {
        let mut walker = Walker::new(out, dialect, scope);
        let result = walker.walk(&part.text);
        if walker.too_deep {
            self.problems.push(format!(
                "{}: elements nested deeper than {MAX_XML_DEPTH} were not read",
                part.name
            ));
        }
        // A part cut short has already been reported as such.
        if let (Err(why), true) = (result, part.whole) {
            self.problems.push(format!("{}: {why}", part.name));
        }
    }
}

/// Unpacks one member as text, refusing what looks like a zip bomb. On a
/// read error, whatever was unpacked before it comes back with the reason.
fn read_part(
    zip: &mut ZipArchive<Box<dyn ReadSeek>>,
    index: usize,
) -> Result<String, (String, Option<String>)> {
    let (size, compressed, encrypted) = match zip.by_index_raw(index) {
        Ok(f) => (f.size(), f.compressed_size(), f.encrypted()),
        Err(e) => return Err((format!("corrupt zip entry: {e}"), None)),
    };
    if encrypted {
        return Err(("encrypted zip member (password required)".into(), None));
    }
    if size > MAX_PART_BYTES {
        return Err((
            format!(
                "{size} bytes unpacked, over the {MAX_PART_BYTES} bytes one part may take (zip bomb guard)"
            ),
            None,
        ));
    }
    if size > 0 && (compressed == 0 || size / compressed > MAX_PART_RATIO) {
        return Err((
            format!(
                "{size} bytes from {compressed} compressed, over the {MAX_PART_RATIO}:1 ratio allowed (zip bomb guard)"
            ),
            None,
        ));
    }
    let file = zip
        .by_index(index)
        .map_err(|e| (format!("cannot unpack: {e}"), None))?;
    let mut bytes = Vec::with_capacity(size.min(64 << 20) as usize);
    let result = file.take(size + 1).read_to_end(&mut bytes);
    if bytes.len() as u64 > size {
        return Err((
            format!("unpacks to more than the {size} bytes its header declares (zip bomb guard)"),
            None,
        ));
    }
    match result {
        Ok(_) => Ok(xml_text(bytes)),
        Err(e) => {
            let partial = (!bytes.is_empty()).then(|| xml_text(bytes));
            Err((format!("cannot unpack: {e}"), partial))
        }
    }
}

/// XML bytes as text: UTF-16 by its byte order mark, else UTF-8 (invalid
/// sequences replaced).
fn xml_text(bytes: Vec<u8>) -> String {
    let text = if bytes.starts_with(&[0xFF, 0xFE]) {
        encoding_rs::UTF_16LE
            .decode_without_bom_handling(&bytes[2..])
            .0
            .into_owned()
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        encoding_rs::UTF_16BE
            .decode_without_bom_handling(&bytes[2..])
            .0
            .into_owned()
    } else {
        match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        }
    };
    match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    }
}

/// A namespace by the prefix documents conventionally give it, so that
/// `w:t` is recognised whatever prefix a writer chose.
fn ns_tag(ns: &ResolveResult) -> &'static str {
    match ns {
        ResolveResult::Bound(ns) => match ns.as_ref() {
            b"http://schemas.openxmlformats.org/wordprocessingml/2006/main"
            | b"http://purl.oclc.org/ooxml/wordprocessingml/main" => "w",
            b"http://schemas.openxmlformats.org/drawingml/2006/main"
            | b"http://purl.oclc.org/ooxml/drawingml/main" => "a",
            b"http://schemas.openxmlformats.org/presentationml/2006/main"
            | b"http://purl.oclc.org/ooxml/presentationml/main" => "p",
            b"http://schemas.openxmlformats.org/officeDocument/2006/math"
            | b"http://purl.oclc.org/ooxml/officeDocument/math" => "m",
            b"http://schemas.openxmlformats.org/markup-compatibility/2006" => "mc",
            b"http://purl.org/dc/elements/1.1/" => "dc",
            b"http://purl.org/dc/terms/" => "dcterms",
            b"urn:oasis:names:tc:opendocument:xmlns:office:1.0" => "office",
            b"urn:oasis:names:tc:opendocument:xmlns:text:1.0" => "text",
            b"urn:oasis:names:tc:opendocument:xmlns:table:1.0" => "table",
            b"urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" => "draw",
            b"urn:oasis:names:tc:opendocument:xmlns:style:1.0" => "style",
            b"urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" => "presentation",
            b"urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" => "svg",
            b"urn:oasis:names:tc:opendocument:xmlns:meta:1.0" => "meta",
            b"http://schemas.openxmlformats.org/package/2006/relationships" => "rel",
            _ => "",
        },
        // An undeclared prefix: trust the conventional ones.
        ResolveResult::Unknown(prefix) => match prefix.as_slice() {
            b"w" => "w",
            b"a" => "a",
            b"p" => "p",
            b"m" => "m",
            b"mc" => "mc",
            b"dc" => "dc",
            b"dcterms" => "dcterms",
            b"office" => "office",
            b"text" => "text",
            b"table" => "table",
            b"draw" => "draw",
            b"style" => "style",
            b"presentation" => "presentation",
            b"svg" => "svg",
            b"meta" => "meta",
            _ => "",
        },
        ResolveResult::Unbound => "",
    }
}

/// Why XML could not be read, without quoting any of it.
fn xml_reason(e: &quick_xml::Error) -> String {
    use quick_xml::Error;
    match e {
        Error::Syntax(s) => format!("syntax error: {s}"),
        Error::IllFormed(_) => "ill-formed (unmatched or mismatched tags)".into(),
        Error::InvalidAttr(_) => "invalid attribute".into(),
        Error::Escape(_) => "invalid character or entity reference".into(),
        Error::Encoding(_) => "invalid text encoding".into(),
        Error::Namespace(_) => "invalid namespace declaration".into(),
        Error::Io(_) => "read error".into(),
    }
}

/// An attribute's value by its local name (values read here are numbers,
/// words and paths, never escaped in practice).
fn attr(e: &BytesStart, local: &[u8]) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .map(|a| String::from_utf8_lossy(&a.value).replace("&amp;", "&"))
}

fn attr_number(e: &BytesStart, local: &[u8]) -> Option<u64> {
    attr(e, local).and_then(|v| v.trim().parse().ok())
}

/// A predefined entity or character reference as text.
pub(crate) fn reference(r: &BytesRef) -> Option<char> {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        return Some(c);
    }
    match &**r {
        b"amp" => Some('&'),
        b"lt" => Some('<'),
        b"gt" => Some('>'),
        b"quot" => Some('"'),
        b"apos" => Some('\''),
        _ => None,
    }
}

/// The document's author and dates from docProps/core.xml or meta.xml.
fn read_meta(xml: &str) -> Option<DocumentMeta> {
    #[derive(Clone, Copy)]
    enum Slot {
        Initial,
        Creator,
        Created,
        Modified,
    }
    let mut found: [Option<String>; 4] = Default::default();
    let mut reader = NsReader::from_str(xml);
    let mut current: Option<Slot> = None;
    let mut text = String::new();
    while let Ok((ns, event)) = reader.read_resolved_event() {
        match (ns_tag(&ns), event) {
            (tag, Event::Start(e)) => {
                current = match (tag, e.local_name().as_ref()) {
                    ("meta", b"initial-creator") => Some(Slot::Initial),
                    ("dc", b"creator") => Some(Slot::Creator),
                    ("dcterms", b"created") | ("meta", b"creation-date") => Some(Slot::Created),
                    ("dcterms", b"modified") | ("dc", b"date") => Some(Slot::Modified),
                    _ => None,
                };
                text.clear();
            }
            (_, Event::Text(t)) if current.is_some() => {
                if let Ok(s) = t.xml10_content() {
                    text.push_str(&s);
                }
            }
            (_, Event::GeneralRef(r)) if current.is_some() => text.extend(reference(&r)),
            (_, Event::End(_)) => {
                if let Some(slot) = current.take() {
                    let value = text.trim();
                    if !value.is_empty() && found[slot as usize].is_none() {
                        found[slot as usize] = Some(value.to_string());
                    }
                }
            }
            (_, Event::Eof) => break,
            _ => {}
        }
    }
    let [initial, creator, created, modified] = found;
    let meta = DocumentMeta {
        author: initial.or(creator),
        created,
        modified,
    };
    (meta != DocumentMeta::default()).then_some(meta)
}

/// A part's relationships `(type, target)`, targets resolved from `base`
/// (the part's folder, with its slash); external targets are left out.
fn relationships(xml: &str, base: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut reader = NsReader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e))
                if e.local_name().as_ref() == b"Relationship" =>
            {
                if attr(&e, b"TargetMode").is_some_and(|m| m == "External") {
                    continue;
                }
                if let (Some(kind), Some(target)) = (attr(&e, b"Type"), attr(&e, b"Target")) {
                    out.push((kind, resolve_target(base, &target)));
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

/// `../notesSlides/notesSlide1.xml` from `ppt/slides/` is
/// `ppt/notesSlides/notesSlide1.xml`.
fn resolve_target(base: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if let Some(absolute) = target.strip_prefix('/') {
        return absolute.to_string();
    } else {
        base.split('/').filter(|s| !s.is_empty()).collect()
    };
    for piece in target.split('/') {
        match piece {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// Where text units go: the body or a part, and a page or slide, each with
/// its own paragraph and table numbers.
struct Scope {
    part: Option<String>,
    page: Option<u64>,
    paragraphs: u64,
    tables: u64,
    /// The end of the last paragraph, context for the next.
    prev: String,
    /// Paragraphs waiting for the text after them, their context after (an
    /// address block above "Dear tenant, your NI number…" is that tenant's).
    pending: std::collections::VecDeque<(u64, String)>,
    /// Their bytes (with a separator each).
    pending_bytes: usize,
}

/// Which scope each part and page is, and which have paragraphs waiting:
/// a presentation can have thousands of slides, each a scope or more, so
/// neither finding a scope nor flushing the waiting ones may look at every
/// scope (a deck of 40,000 empty slides took 22 s when they did).
#[derive(Default)]
struct ScopeIndex {
    by_key: HashMap<(Option<String>, Option<u64>), usize>,
    waiting: BTreeSet<usize>,
}

impl ScopeIndex {
    /// The scope of `part` and `page`, if there is one yet.
    fn find(&self, part: Option<&str>, page: Option<u64>) -> Option<usize> {
        self.by_key.get(&(part.map(str::to_string), page)).copied()
    }

    fn add(&mut self, part: Option<&str>, page: Option<u64>, scope: usize) {
        self.by_key.insert((part.map(str::to_string), page), scope);
    }

    /// Notes that `scope` has a paragraph waiting.
    fn wait(&mut self, scope: usize) {
        self.waiting.insert(scope);
    }

    /// The scopes that may have paragraphs waiting, in the order they were
    /// made, no longer listed.
    fn take_waiting(&mut self) -> BTreeSet<usize> {
        std::mem::take(&mut self.waiting)
    }
}

/// Hands paragraphs and table rows to the sink.
struct Emitter<'s, 'e> {
    sink: &'s mut Sink<'e>,
    scopes: Vec<Scope>,
    index: ScopeIndex,
}

impl<'s, 'e> Emitter<'s, 'e> {
    fn new(sink: &'s mut Sink<'e>) -> Self {
        Emitter {
            sink,
            scopes: Vec::new(),
            index: ScopeIndex::default(),
        }
    }

    fn scope(&mut self, part: Option<&str>, page: Option<u64>) -> usize {
        if let Some(i) = self.index.find(part, page) {
            return i;
        }
        // A new part or page: what waits in the others is scanned now, so
        // a presentation's slides are not all held until its end.
        self.flush_waiting();
        self.scopes.push(Scope {
            part: part.map(str::to_string),
            page,
            paragraphs: 0,
            tables: 0,
            prev: String::new(),
            pending: Default::default(),
            pending_bytes: 0,
        });
        let scope = self.scopes.len() - 1;
        self.index.add(part, page, scope);
        scope
    }

    /// Scans every paragraph still waiting, scope by scope in the order
    /// they were made (a scope with nothing waiting has nothing to do).
    fn flush_waiting(&mut self) {
        for scope in self.index.take_waiting() {
            self.emit_batch(scope, true);
        }
    }

    fn base(&self, scope: usize) -> Location {
        let s = &self.scopes[scope];
        Location {
            part: s.part.clone(),
            page: s.page,
            ..Location::default()
        }
    }

    /// A paragraph outside tables: scanned when the next one arrives (or the
    /// document ends), between the end of the one before and the start of
    /// the one after.
    fn paragraph(&mut self, scope: usize, number: u64, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        let scope_ref = &mut self.scopes[scope];
        scope_ref.pending_bytes += text.len() + 1;
        scope_ref.pending.push_back((number, text.to_string()));
        self.index.wait(scope);
        // Paragraphs are scanned a batch at a time: one pass over each
        // paragraph's bytes, and over the engine's reach either side.
        let reach = self.sink.engine().reach();
        if self.scopes[scope].pending_bytes >= PARAGRAPH_BATCH + reach {
            self.emit_batch(scope, false);
        }
    }

    /// Scans the paragraphs still waiting, with what text follows them.
    fn finish(&mut self) {
        self.flush_waiting();
    }

    /// Scans the waiting paragraphs as one block, between the end of the
    /// text before them and the start of the text after: all of them at the
    /// end (`last`), else those with the engine's reach of text after them,
    /// which stay waiting as that context.
    fn emit_batch(&mut self, scope: usize, last: bool) {
        let reach = self.sink.engine().reach();
        let pending = &mut self.scopes[scope].pending;
        let mut after = 0;
        let mut keep = 0;
        if !last {
            for (_, t) in pending.iter().rev() {
                if after >= reach {
                    break;
                }
                after += t.len() + 1;
                keep += 1;
            }
        }
        let count = pending.len().saturating_sub(keep);
        if count == 0 {
            return;
        }
        let batch: Vec<(u64, String)> = pending.drain(..count).collect();
        let next: Vec<&str> = pending.iter().map(|(_, t)| t.as_str()).collect();
        let next = next.join("\n");
        self.scopes[scope].pending_bytes = self.scopes[scope]
            .pending
            .iter()
            .map(|(_, t)| t.len() + 1)
            .sum();
        let prev = &self.scopes[scope].prev;
        let mut block = String::new();
        if !prev.is_empty() {
            block.push_str(prev);
            block.push('\n');
        }
        let start = block.len();
        let context_lines = block.matches('\n').count() as u64;
        // Each paragraph's first line in the block (1-based, after context).
        let mut first_lines = Vec::with_capacity(batch.len());
        let mut line = 1u64;
        for (i, (number, text)) in batch.iter().enumerate() {
            if i > 0 {
                block.push('\n');
            }
            first_lines.push((line, *number));
            line += 1 + text.matches('\n').count() as u64;
            block.push_str(text);
        }
        let end = block.len();
        if !next.is_empty() {
            block.push('\n');
            block.push_str(head(&next, reach));
        }
        let first = self.sink.findings.len();
        self.sink
            .text_block(block.as_bytes(), start..end, TextPos { line: 1, column: 0 });
        let base = self.base(scope);
        for f in &mut self.sink.findings[first..] {
            let in_batch = f.location.line.unwrap_or(1).saturating_sub(context_lines);
            // The last paragraph starting at or before the line (the first
            // starts at line 1, so there is one).
            let at = first_lines.partition_point(|(l, _)| *l <= in_batch);
            let (para_first, number) = first_lines[at.saturating_sub(1)];
            let column = f.location.column.take();
            let column_index = f.location.column_index;
            f.location = Location {
                paragraph: Some(number),
                line: Some(in_batch.saturating_sub(para_first) + 1),
                column,
                column_index,
                ..base.clone()
            };
        }
        // The text before the next batch: the end of this one.
        let reported = &block[start..end];
        self.scopes[scope].prev = tail(reported, reach).to_string();
    }

    /// A new table in `scope`. Context stops at a table: the paragraphs
    /// before it are scanned without the text after it.
    fn open_table(&mut self, scope: usize) -> Table {
        self.emit_batch(scope, true);
        let s = &mut self.scopes[scope];
        s.tables += 1;
        s.prev.clear();
        Table {
            scope,
            number: s.tables,
            rows: 0,
            row: None,
            next_col: 1,
            headers: None,
            titles: true,
            held: Some(Vec::new()),
        }
    }

    /// One table row: held while the table may yet be a form (it is short
    /// and not ended), then read as a table's.
    fn row(&mut self, table: &mut Table, cells: Vec<CellText>) {
        let Some(held) = &mut table.held else {
            return self.table_row(table, cells);
        };
        held.push(cells);
        if held.len() > MAX_FORM_ROWS {
            for cells in table.held.take().unwrap_or_default() {
                self.table_row(table, cells);
            }
        }
    }

    /// The end of a table: one still held is read as a form, one record
    /// with the document's (each value under its label), if it is one,
    /// else row by row.
    fn end_table(&mut self, table: &mut Table) {
        let Some(held) = table.held.take() else {
            return;
        };
        let engine = self.sink.engine();
        let texts: Vec<Vec<&str>> = held
            .iter()
            .map(|row| row.iter().map(|c| c.text.as_str()).collect())
            .collect();
        let opening = &texts[..texts.len().min(MAX_TITLE_ROWS + 1)];
        let header = find_header(engine, opening).map(|(_, h)| h);
        if let Some(form) = read_form(engine, &texts, header.as_ref(), false) {
            let base = Location {
                table: Some(table.number),
                ..self.base(table.scope)
            };
            let fields = form_fields(&texts, &form, |r, c, label| {
                let col = held[r][c].col;
                Location {
                    row: Some(r as u64 + 1),
                    cell: Some(col.to_string()),
                    column: label.map(|name| Column::Name(name.to_string())),
                    column_index: col,
                    ..base.clone()
                }
            });
            if !fields.is_empty() {
                self.sink.record(&fields);
            }
            return;
        }
        for cells in held {
            self.table_row(table, cells);
        }
    }

    /// One table row as a record; the first row may name the columns.
    fn table_row(&mut self, table: &mut Table, cells: Vec<CellText>) {
        table.rows += 1;
        let row = table.rows;
        let engine = self.sink.engine();
        let mut is_header = false;
        // The header is the first row with more than its first cell filled,
        // below titles (a cell spanning the table) if any.
        let names = if table.titles && row <= MAX_TITLE_ROWS as u64 + 1 {
            let texts: Vec<&str> = cells.iter().map(|c| c.text.as_str()).collect();
            table.titles = is_title_row(&texts);
            if !table.titles && looks_like_header(&cells) {
                header_names(engine, &texts)
            } else {
                None
            }
        } else {
            table.titles = false;
            None
        };
        if let Some(names) = names {
            is_header = true;
            let mut headers = BTreeMap::new();
            for (c, named) in cells.iter().zip(names) {
                if let Some((name, ctx)) = named {
                    let last = c.col + c.span.max(c.advance).max(1) - 1;
                    headers.insert(c.col, (last, name, ctx));
                }
            }
            table.headers = Some(headers);
        }
        // Without a header row, a label in the first cell ("Date of
        // birth:") is the context of the cells after it.
        let label = match (&table.headers, cells.first()) {
            (None, Some(first))
                if first.col == 1
                    && cells.iter().filter(|c| !c.text.trim().is_empty()).count() > 1
                    && looks_like_label(&first.text) =>
            {
                Some(Rc::new(engine.header_context(&tidy(&first.text))))
            }
            _ => None,
        };
        let base = Location {
            table: Some(table.number),
            row: Some(row),
            ..self.base(table.scope)
        };
        let fields: Vec<Field> = cells
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.text.trim().is_empty())
            .map(|(i, c)| {
                let header = match &table.headers {
                    Some(h) if !is_header => h
                        .range(..=c.col)
                        .next_back()
                        .filter(|(_, (last, _, _))| *last >= c.col)
                        .map(|(_, (_, name, ctx))| (name, ctx)),
                    _ => None,
                };
                let context = match header {
                    Some((_, ctx)) => Some(Rc::clone(ctx)),
                    None if i > 0 => label.clone(),
                    None => None,
                };
                Field {
                    text: Cow::Borrowed(c.text.as_str()),
                    header: context,
                    location: Location {
                        cell: Some(c.col.to_string()),
                        column: header.map(|(name, _)| Column::Name(name.clone())),
                        column_index: c.col,
                        ..base.clone()
                    },
                }
            })
            .collect();
        if !fields.is_empty() {
            self.sink.record(&fields);
        }
    }
}

/// The first `max` bytes of `text` (to a character boundary).
fn head(text: &str, max: usize) -> &str {
    let mut to = text.len().min(max);
    while !text.is_char_boundary(to) {
        to -= 1;
    }
    &text[..to]
}

/// The last `max` bytes of `text` (from a character boundary).
fn tail(text: &str, max: usize) -> &str {
    let mut from = text.len().saturating_sub(max);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    &text[from..]
}

/// A header row: every filled cell names something (as markup tables are
/// judged, empty cells aside), and it is not a form's label ("Name:").
fn looks_like_header(cells: &[CellText]) -> bool {
    let filled: Vec<&CellText> = cells.iter().filter(|c| !c.text.trim().is_empty()).collect();
    !filled.is_empty()
        && filled.iter().all(|c| looks_like_name(&c.text))
        && !filled[0].text.trim_end().ends_with(':')
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    /// WordprocessingML and DrawingML (DOCX, PPTX).
    Ooxml,
    /// OpenDocument (ODT, ODP).
    Odf,
}

/// What an open element means to the walker.
enum Frame {
    Other,
    /// Not read, nor anything in it.
    Skip,
    Para,
    /// A paragraph that is its own text (PPTX's legacy `p:text` comments).
    ParaText,
    /// An OOXML text run's characters (`w:t`, `a:t`).
    Text,
    Table,
    Row,
    Cell,
    /// Text inside goes to another scope (a comment, a note, a page).
    Route {
        scope: usize,
        floor: usize,
    },
}

enum Dest {
    /// A text unit: its scope and paragraph number.
    Unit(usize, u64),
    /// Part of the enclosing table cell's text.
    Cell,
}

struct Para {
    text: String,
    dest: Dest,
    /// ODF: whitespace here would be collapsed (at the start, after a space).
    collapse: bool,
}

struct CellText {
    /// 1-based grid column.
    col: u64,
    /// Columns the cell covers.
    span: u64,
    /// Columns to the next cell's start (a Word cell's span; a repeated
    /// ODF cell's repeats; 1 where covered cells are written out).
    advance: u64,
    text: String,
}

/// Column names by first grid column: (last grid column, name, context).
type Headers = BTreeMap<u64, (u64, String, Rc<HeaderContext>)>;

struct Table {
    scope: usize,
    number: u64,
    rows: u64,
    row: Option<Vec<CellText>>,
    next_col: u64,
    headers: Option<Headers>,
    /// Every row so far has been a title (nothing past its first cell).
    titles: bool,
    /// Rows not yet read: all of them while the table may be a form.
    held: Option<Vec<Vec<CellText>>>,
}

/// Reads one XML part's events into paragraphs and table rows.
struct Walker<'o, 's, 'e> {
    out: &'o mut Emitter<'s, 'e>,
    dialect: Dialect,
    stack: Vec<Frame>,
    /// Depth inside a skipped element.
    skip: usize,
    scope: usize,
    /// Paragraphs open below the current route are not written to.
    floor: usize,
    paras: Vec<Para>,
    tables: Vec<Table>,
    /// Open OOXML text elements.
    in_text: usize,
    /// ODF: pages seen (ODP), headers and footers seen (styles.xml).
    pages: u64,
    headers: u64,
    footers: u64,
    note_part: &'static str,
    too_deep: bool,
}

impl<'o, 's, 'e> Walker<'o, 's, 'e> {
    fn new(out: &'o mut Emitter<'s, 'e>, dialect: Dialect, scope: usize) -> Self {
        Walker {
            out,
            dialect,
            stack: Vec::new(),
            skip: 0,
            scope,
            floor: 0,
            paras: Vec::new(),
            tables: Vec::new(),
            in_text: 0,
            pages: 0,
            headers: 0,
            footers: 0,
            note_part: "footnotes",
            too_deep: false,
        }
    }

    fn walk(&mut self, xml: &str) -> Result<(), String> {
        let mut reader = NsReader::from_str(xml);
        loop {
            let (tag, event) = match reader.read_resolved_event() {
                Ok((ns, event)) => (ns_tag(&ns), event),
                Err(e) => {
                    self.flush();
                    return Err(format!(
                        "malformed XML at byte {}: {}",
                        reader.error_position(),
                        xml_reason(&e)
                    ));
                }
            };
            match event {
                Event::Start(e) => self.open(tag, &e, false),
                Event::Empty(e) => self.open(tag, &e, true),
                Event::End(_) => self.close(),
                Event::Text(t) => {
                    if let Ok(s) = t.xml10_content() {
                        self.text(&s);
                    }
                }
                Event::CData(t) => {
                    if let Ok(s) = t.decode() {
                        self.text(&s);
                    }
                }
                Event::GeneralRef(r) => {
                    if let Some(c) = reference(&r) {
                        self.text(c.encode_utf8(&mut [0; 4]));
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        let unclosed = self.stack.len() + self.skip;
        self.flush();
        if unclosed > 0 {
            return Err(format!(
                "malformed XML: ends inside {unclosed} open element(s)"
            ));
        }
        Ok(())
    }

    /// Closes whatever is open, so a broken part's last paragraph and rows
    /// are still scanned.
    fn flush(&mut self) {
        self.skip = 0;
        while let Some(frame) = self.stack.pop() {
            self.close_frame(frame);
        }
    }

    fn open(&mut self, tag: &'static str, e: &BytesStart, empty: bool) {
        if self.skip > 0 {
            if !empty {
                self.skip += 1;
            }
            return;
        }
        let frame = if self.stack.len() >= MAX_XML_DEPTH {
            self.too_deep = true;
            Frame::Skip
        } else {
            let local = e.local_name();
            match self.dialect {
                Dialect::Ooxml => self.open_ooxml(tag, local.as_ref(), e),
                Dialect::Odf => self.open_odf(tag, local.as_ref(), e),
            }
        };
        match frame {
            Frame::Skip => {
                if !empty {
                    self.skip = 1;
                }
            }
            frame if empty => self.close_frame(frame),
            frame => self.stack.push(frame),
        }
    }

    fn close(&mut self) {
        if self.skip > 0 {
            self.skip -= 1;
            return;
        }
        if let Some(frame) = self.stack.pop() {
            self.close_frame(frame);
        }
    }

    fn open_ooxml(&mut self, tag: &str, local: &[u8], e: &BytesStart) -> Frame {
        match (tag, local) {
            ("w" | "a", b"p") => self.open_para(),
            ("p", b"text") => {
                self.open_para();
                self.in_text += 1;
                Frame::ParaText
            }
            ("w" | "a" | "m", b"t") => {
                self.in_text += 1;
                Frame::Text
            }
            ("w", b"tab" | b"ptab") => self.push_char('\t'),
            ("w", b"br" | b"cr") | ("a", b"br") => self.push_char('\n'),
            ("w", b"noBreakHyphen") => self.push_char('-'),
            ("w" | "a", b"tbl") => self.open_table(),
            ("w" | "a", b"tr") => self.open_row(),
            // A Word cell spans columns by `w:gridSpan` in its properties;
            // a DrawingML cell by attribute, with the covered cells written.
            ("w", b"tc") => self.open_cell(1, 1),
            ("a", b"tc") => self.open_cell(attr_number(e, b"gridSpan").unwrap_or(1), 1),
            ("w", b"gridBefore") => {
                let skipped = attr_number(e, b"val").unwrap_or(0).min(1 << 14);
                if let Some(table) = self.tables.last_mut() {
                    table.next_col = table.next_col.saturating_add(skipped);
                }
                Frame::Other
            }
            // Separators between the page and its notes.
            ("w", b"footnote" | b"endnote") if attr(e, b"type").is_some_and(|t| t != "normal") => {
                Frame::Skip
            }
            ("w", b"gridSpan") => {
                let span = attr_number(e, b"val").unwrap_or(1).clamp(1, 1 << 14);
                if let Some(cell) = self.current_cell() {
                    cell.span = span;
                    cell.advance = span;
                }
                Frame::Other
            }
            // Deleted and moved-away text, field codes, and the fallback
            // copy of what `mc:Choice` already holds.
            ("w", b"del" | b"moveFrom" | b"delText" | b"delInstrText" | b"instrText")
            | ("mc", b"Fallback") => Frame::Skip,
            // Properties (tab stops are `w:tab` too), except a row's and a
            // cell's, which place cells in the grid.
            ("w", l) if l != b"tcPr" && l != b"trPr" && is_properties(l) => Frame::Skip,
            ("w", b"tblGrid") | ("a", b"tblGrid" | b"lstStyle") => Frame::Skip,
            ("a", l) if is_properties(l) => Frame::Skip,
            _ => Frame::Other,
        }
    }

    fn open_odf(&mut self, tag: &str, local: &[u8], e: &BytesStart) -> Frame {
        match (tag, local) {
            ("text", b"p" | b"h") => self.open_para(),
            ("text", b"s") => {
                let n = attr_number(e, b"c").unwrap_or(1).clamp(1, 10_000) as usize;
                if let Some(p) = self.para() {
                    p.text.extend(std::iter::repeat_n(' ', n));
                    p.collapse = false;
                }
                Frame::Other
            }
            ("text", b"tab") => self.push_char('\t'),
            ("text", b"line-break") => self.push_char('\n'),
            // Deleted text is kept in the tracked changes.
            ("text", b"tracked-changes" | b"note-citation") => Frame::Skip,
            ("text", b"note") => {
                self.note_part = match attr(e, b"note-class").as_deref() {
                    Some("endnote") => "endnotes",
                    _ => "footnotes",
                };
                Frame::Other
            }
            ("text", b"note-body") => {
                let page = self.out.scopes[self.scope].page;
                let scope = self.out.scope(Some(self.note_part), page);
                self.open_route(scope)
            }
            ("office", b"annotation") => {
                let page = self.out.scopes[self.scope].page;
                let scope = self.out.scope(Some("comments"), page);
                self.open_route(scope)
            }
            // An annotation's author and date; alternative text.
            ("dc" | "meta", _) | ("svg", b"title" | b"desc") => Frame::Skip,
            (
                "office",
                b"automatic-styles" | b"font-face-decls" | b"scripts" | b"forms" | b"styles"
                | b"settings",
            ) => Frame::Skip,
            ("table", b"table") => self.open_table(),
            ("table", b"table-row") => self.open_row(),
            ("table", b"table-cell" | b"covered-table-cell") => {
                let span = attr_number(e, b"number-columns-spanned").unwrap_or(1);
                let repeat = attr_number(e, b"number-columns-repeated").unwrap_or(1);
                self.open_cell(span, repeat)
            }
            ("draw", b"page") => {
                self.pages += 1;
                let scope = self.out.scope(None, Some(self.pages));
                self.open_route(scope)
            }
            ("presentation", b"notes") => {
                let page = self.out.scopes[self.scope].page;
                let scope = self.out.scope(Some("notes"), page);
                self.open_route(scope)
            }
            ("style", b"header" | b"header-left" | b"header-first") => {
                self.headers += 1;
                let scope = self
                    .out
                    .scope(Some(&format!("header{}", self.headers)), None);
                self.open_route(scope)
            }
            ("style", b"footer" | b"footer-left" | b"footer-first") => {
                self.footers += 1;
                let scope = self
                    .out
                    .scope(Some(&format!("footer{}", self.footers)), None);
                self.open_route(scope)
            }
            _ => Frame::Other,
        }
    }

    fn close_frame(&mut self, frame: Frame) {
        match frame {
            Frame::Other | Frame::Skip => {}
            Frame::Text => self.in_text = self.in_text.saturating_sub(1),
            Frame::Para => self.close_para(),
            Frame::ParaText => {
                self.in_text = self.in_text.saturating_sub(1);
                self.close_para();
            }
            Frame::Table => {
                if let Some(mut table) = self.tables.pop() {
                    if let Some(cells) = table.row.take() {
                        self.out.row(&mut table, cells);
                    }
                    self.out.end_table(&mut table);
                }
            }
            Frame::Row => {
                if let Some(table) = self.tables.last_mut() {
                    if let Some(cells) = table.row.take() {
                        self.out.row(table, cells);
                    }
                }
            }
            Frame::Cell => {
                if let Some(table) = self.tables.last_mut() {
                    let advance = table
                        .row
                        .as_ref()
                        .and_then(|r| r.last())
                        .map_or(1, |c| c.advance.max(1));
                    table.next_col = table.next_col.saturating_add(advance);
                }
            }
            Frame::Route { scope, floor } => {
                self.scope = scope;
                self.floor = floor;
            }
        }
    }

    fn open_para(&mut self) -> Frame {
        // In a cell unless a paragraph or a route is nearer (a text box
        // in a paragraph, a comment in a cell).
        let in_cell = self
            .stack
            .iter()
            .rev()
            .find_map(|f| match f {
                Frame::Cell => Some(true),
                Frame::Para | Frame::ParaText | Frame::Route { .. } => Some(false),
                _ => None,
            })
            .unwrap_or(false);
        let dest = if in_cell {
            Dest::Cell
        } else {
            let s = &mut self.out.scopes[self.scope];
            s.paragraphs += 1;
            Dest::Unit(self.scope, s.paragraphs)
        };
        self.paras.push(Para {
            text: String::new(),
            dest,
            collapse: true,
        });
        Frame::Para
    }

    fn close_para(&mut self) {
        let Some(para) = self.paras.pop() else {
            return;
        };
        match para.dest {
            Dest::Unit(scope, number) => self.out.paragraph(scope, number, &para.text),
            Dest::Cell => {
                if let Some(cell) = self.current_cell() {
                    if !cell.text.is_empty() {
                        cell.text.push('\n');
                    }
                    cell.text.push_str(&para.text);
                }
            }
        }
    }

    fn open_table(&mut self) -> Frame {
        let table = self.out.open_table(self.scope);
        self.tables.push(table);
        Frame::Table
    }

    fn open_row(&mut self) -> Frame {
        let Some(table) = self.tables.last_mut() else {
            return Frame::Other;
        };
        if let Some(cells) = table.row.take() {
            self.out.row(table, cells);
        }
        table.row = Some(Vec::new());
        table.next_col = 1;
        Frame::Row
    }

    fn open_cell(&mut self, span: u64, advance: u64) -> Frame {
        let Some(table) = self.tables.last_mut() else {
            return Frame::Other;
        };
        let col = table.next_col;
        table.row.get_or_insert_with(Vec::new).push(CellText {
            col,
            span: span.clamp(1, 1 << 14),
            advance: advance.clamp(1, 1 << 14),
            text: String::new(),
        });
        Frame::Cell
    }

    fn open_route(&mut self, scope: usize) -> Frame {
        let frame = Frame::Route {
            scope: self.scope,
            floor: self.floor,
        };
        self.scope = scope;
        self.floor = self.paras.len();
        frame
    }

    fn current_cell(&mut self) -> Option<&mut CellText> {
        self.tables.last_mut()?.row.as_mut()?.last_mut()
    }

    /// The paragraph text goes to, if any.
    fn para(&mut self) -> Option<&mut Para> {
        if self.paras.len() > self.floor {
            self.paras.last_mut()
        } else {
            None
        }
    }

    /// A character an element stands for (a tab, a line break). In ODF,
    /// whitespace right after a tab or line break is dropped, as at the
    /// start of a paragraph.
    fn push_char(&mut self, c: char) -> Frame {
        if let Some(p) = self.para() {
            p.text.push(c);
            p.collapse = true;
        }
        Frame::Other
    }

    fn text(&mut self, s: &str) {
        let dialect = self.dialect;
        let in_text = self.in_text > 0;
        let Some(p) = self.para() else {
            return;
        };
        match dialect {
            Dialect::Ooxml => {
                if in_text {
                    p.text.push_str(s);
                }
            }
            // ODF collapses runs of whitespace to one space, and drops it
            // at a paragraph's start.
            Dialect::Odf => {
                for c in s.chars() {
                    if matches!(c, ' ' | '\t' | '\n' | '\r') {
                        if !p.collapse {
                            p.text.push(' ');
                            p.collapse = true;
                        }
                    } else {
                        p.text.push(c);
                        p.collapse = false;
                    }
                }
            }
        }
    }
}

/// `w:pPr`, `a:rPr`, `w:tblPrEx`, `w:rPrChange`…
fn is_properties(local: &[u8]) -> bool {
    local.ends_with(b"Pr") || local.ends_with(b"PrEx") || local.ends_with(b"PrChange")
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use jiff::civil::Date;
    use zip::write::SimpleFileOptions;

    use super::*;
    use crate::detect::Confidence;
    use crate::detect::{Engine, Rules};

    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;
    const ODF: &str = concat!(
        r#"xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" "#,
        r#"xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" "#,
        r#"xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" "#,
        r#"xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" "#,
        r#"xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:presentation:1.0" "#,
        r#"xmlns:dc="http://purl.org/dc/elements/1.1/" "#,
        r#"xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0""#
    );

    fn engine() -> Engine {
        Engine::new(Rules::embedded().unwrap(), Date::new(2026, 1, 1).unwrap()).unwrap()
    }

    fn zip_of(members: &[(&str, &str)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, text) in members {
            w.start_file(*name, SimpleFileOptions::default()).unwrap();
            w.write_all(text.as_bytes()).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn docx(body: &str, extra: &[(&str, &str)]) -> Vec<u8> {
        let document =
            format!(r#"<?xml version="1.0"?><w:document {W}><w:body>{body}</w:body></w:document>"#);
        let mut members = vec![("word/document.xml", document.as_str())];
        members.extend_from_slice(extra);
        zip_of(&members)
    }

    /// A presentation whose body (its pages) is `body`.
    fn odp(body: &str) -> Vec<u8> {
        let content = format!(
            r#"<office:document-content {ODF}><office:body><office:presentation>{body}</office:presentation></office:body></office:document-content>"#
        );
        zip_of(&[
            (
                "mimetype",
                "application/vnd.oasis.opendocument.presentation",
            ),
            ("content.xml", &content),
        ])
    }

    fn para(text: &str) -> String {
        format!(r#"<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#)
    }

    struct Scanned {
        /// (detector, value, location as displayed, confidence)
        found: Vec<(String, String, String, Confidence)>,
        document: Option<DocumentMeta>,
        result: Result<(), Problem>,
    }

    impl Scanned {
        fn has(&self, detector: &str, value: &str, location: &str) -> bool {
            self.found
                .iter()
                .any(|(d, v, l, _)| d == detector && v == value && l == location)
        }

        /// Fails, listing what was found, unless [`Scanned::has`] it.
        fn expect(&self, detector: &str, value: &str, location: &str) {
            assert!(self.has(detector, value, location), "{:?}", self.found);
        }

        fn values(&self) -> Vec<&str> {
            self.found.iter().map(|(_, v, _, _)| v.as_str()).collect()
        }
    }

    fn scan_bytes(bytes: Vec<u8>, doc: Doc) -> Scanned {
        let engine = engine();
        let mut sink = Sink::new(&engine, "d".into(), true);
        let result = scan(Box::new(Cursor::new(bytes)), doc, &mut sink);
        Scanned {
            found: sink
                .findings
                .iter()
                .map(|f| {
                    (
                        f.detector.clone(),
                        f.value.clone().unwrap_or_default(),
                        f.location.to_string(),
                        f.confidence,
                    )
                })
                .collect(),
            document: sink.document.take(),
            result,
        }
    }

    #[test]
    fn docx_paragraphs_tabs_and_breaks() {
        let body = [
            para("Dear tenant,"),
            r#"<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>Tel:</w:t><w:tab/><w:t>07700 900123</w:t><w:br/><w:t>Email: jo.bloggs@example.com</w:t></w:r></w:p>"#.to_string(),
            "<w:p/>".to_string(),
            para("National Insurance number: AB 12 34 56 C"),
        ]
        .concat();
        let s = scan_bytes(docx(&body, &[]), Doc::Docx);
        assert!(s.result.is_ok());
        assert!(
            s.has("uk_phone", "07700 900123", "paragraph 2, line 1, column 6"),
            "{:?}",
            s.found
        );
        assert!(
            s.has(
                "email",
                "jo.bloggs@example.com",
                "paragraph 2, line 2, column 8"
            ),
            "{:?}",
            s.found
        );
        assert!(
            s.has("uk_nino", "AB 12 34 56 C", "paragraph 4, line 1, column 28"),
            "{:?}",
            s.found
        );
        assert!(
            s.found.iter().all(|f| f.3 == Confidence::High),
            "{:?}",
            s.found
        );
    }

    #[test]
    fn label_in_the_previous_paragraph_is_context() {
        let body = [
            para("Date of birth:"),
            para("14/07/1983"),
            para("Tenancy start"),
            para("01/04/2019"),
        ]
        .concat();
        let s = scan_bytes(docx(&body, &[]), Doc::Docx);
        assert!(
            s.has(
                "date_of_birth",
                "14/07/1983",
                "paragraph 2, line 1, column 1"
            ),
            "{:?}",
            s.found
        );
        assert_eq!(s.values(), vec!["14/07/1983"]);
    }

    /// Long documents are scanned in batches of paragraphs: values past the
    /// first batch keep their own paragraph, line and column.
    #[test]
    fn paragraphs_past_the_first_batch_keep_their_numbers() {
        let filler = "The repair to the kitchen window was completed on schedule.";
        let mut body = String::new();
        let n = (PARAGRAPH_BATCH / filler.len()) * 2;
        for i in 1..=n {
            body.push_str(&match i {
                _ if i == n - 5 => para("Address: 12 Mill Lane, Leeds"),
                _ if i == n - 4 => para("Lives at the flat with LS6 2AB on the door"),
                _ if i == n - 1 => para("Contact: ann.example@example.org please"),
                _ => para(filler),
            });
        }
        let s = scan_bytes(docx(&body, &[]), Doc::Docx);
        let at = format!("paragraph {}, line 1, column 10", n - 1);
        assert!(
            s.has("email", "ann.example@example.org", &at),
            "{:?}",
            s.found
        );
        let at = format!("paragraph {}, line 1, column 24", n - 4);
        assert!(s.has("uk_postcode", "LS6 2AB", &at), "{:?}", s.found);
        assert_eq!(s.found.len(), 2, "{:?}", s.found);
    }

    #[test]
    fn deleted_text_is_left_out_and_insertions_kept() {
        let body = r#"<w:p><w:r><w:t xml:space="preserve">NI number </w:t></w:r><w:ins w:id="1" w:author="x"><w:r><w:t>JK 98 76 54 B</w:t></w:r></w:ins><w:del w:id="2" w:author="x"><w:r><w:delText>old.address@example.com</w:delText></w:r></w:del><w:moveFrom w:id="3"><w:r><w:t>moved.away@example.org</w:t></w:r></w:moveFrom></w:p>"#;
        let s = scan_bytes(docx(body, &[]), Doc::Docx);
        assert!(s.result.is_ok());
        assert_eq!(s.values(), vec!["JK 98 76 54 B"], "{:?}", s.found);
        assert!(s.has("uk_nino", "JK 98 76 54 B", "paragraph 1, line 1, column 11"));
    }

    fn w_row(cells: &[&str]) -> String {
        let cells: String = cells
            .iter()
            .map(|c| format!("<w:tc><w:tcPr/>{}</w:tc>", para(c)))
            .collect();
        format!("<w:tr>{cells}</w:tr>")
    }

    #[test]
    fn table_rows_are_records_named_by_their_header() {
        let table = format!(
            "<w:tbl><w:tblPr/><w:tblGrid/>{}{}{}</w:tbl>",
            w_row(&["Name", "DOB", "NI Number"]),
            w_row(&["Jo Bloggs", "03/02/1961", "CE 45 67 89 D"]),
            w_row(&["Sam Smith", "21/11/1979", "TA123456A"]),
        );
        let body = [para("Before"), table, para("After: sam@example.org")].concat();
        let s = scan_bytes(docx(&body, &[]), Doc::Docx);
        assert!(
            s.has(
                "date_of_birth",
                "03/02/1961",
                r#"table 1, row 2, column "DOB", cell 2"#
            ),
            "{:?}",
            s.found
        );
        assert!(
            s.has(
                "uk_nino",
                "TA123456A",
                r#"table 1, row 3, column "NI Number", cell 3"#
            ),
            "{:?}",
            s.found
        );
        assert!(
            s.has("email", "sam@example.org", "paragraph 2, line 1, column 8"),
            "{:?}",
            s.found
        );
        // The Name column's cells are names.
        assert!(
            s.has(
                "person_name",
                "Sam Smith",
                r#"table 1, row 3, column "Name", cell 1"#
            ),
            "{:?}",
            s.found
        );
        assert_eq!(s.found.len(), 7, "{:?}", s.found);
    }

    #[test]
    fn a_header_below_a_merged_title_row_names_the_rows_under_it() {
        let title = r#"<w:tr><w:tc><w:tcPr><w:gridSpan w:val="3"/></w:tcPr><w:p><w:r><w:t>Household members</w:t></w:r></w:p></w:tc></w:tr>"#;
        let table = format!(
            "<w:tbl>{title}{}{}</w:tbl>",
            w_row(&["Name", "DOB", "Relationship"]),
            w_row(&["Jo Bloggs", "02/11/1971", "Partner"]),
        );
        let s = scan_bytes(docx(&table, &[]), Doc::Docx);
        s.expect(
            "date_of_birth",
            "02/11/1971",
            r#"table 1, row 3, column "DOB", cell 2"#,
        );
        s.expect(
            "person_name",
            "Jo Bloggs",
            r#"table 1, row 3, column "Name", cell 1"#,
        );
    }

    #[test]
    fn a_first_row_of_values_names_no_columns() {
        let table = format!(
            "<w:tbl>{}{}</w:tbl>",
            w_row(&["Mrs Nia Okafor", "Flat 3 Mill Court", "LS6 2QT"]),
            w_row(&["Mr Dev Dunmore", "Flat 7 Mill Court", "LS6 2QU"]),
        );
        let s = scan_bytes(docx(&table, &[]), Doc::Docx);
        s.expect("person_name", "Nia Okafor", "table 1, row 1, cell 1");
        s.expect("uk_postcode", "LS6 2QU", "table 1, row 2, cell 3");
        // A header cell holding a name names no column; the others do.
        let table = format!(
            "<w:tbl>{}{}</w:tbl>",
            w_row(&["Nia Quorvel", "Phone"]),
            w_row(&["Jane Smith", "07700 900123"]),
        );
        let s = scan_bytes(docx(&table, &[]), Doc::Docx);
        s.expect(
            "uk_phone",
            "07700 900123",
            r#"table 1, row 2, column "Phone", cell 2"#,
        );
        s.expect("person_name", "Jane Smith", "table 1, row 2, cell 1");
        assert!(s.found.iter().all(|(_, _, l, _)| !l.contains("Quorvel")));
    }

    #[test]
    fn form_tables_are_read_under_their_labels() {
        let table = format!(
            "<w:tbl>{}{}</w:tbl>",
            w_row(&["Tenant:", "Jo Bloggs"]),
            w_row(&["Date of birth:", "09/09/1990"]),
        );
        let s = scan_bytes(docx(&table, &[]), Doc::Docx);
        s.expect(
            "date_of_birth",
            "09/09/1990",
            r#"table 1, row 2, column "Date of birth:", cell 2"#,
        );
        // Labels later in a row, an address's second line under the label
        // above, and a first row that reads as names ("Status", "Current"),
        // not taken for a header.
        let table = format!(
            "<w:tbl>{}{}{}{}{}</w:tbl>",
            w_row(&["Status", "Current", "", ""]),
            w_row(&["Name", "Mrs Nia Okafor", "DOB", "03/04/1971"]),
            w_row(&["Address", "Flat 3 Mill Court", "", ""]),
            w_row(&["", "Leeds LS6 2QT", "", ""]),
            w_row(&["Sort code:", "20-45-77", "Account number:", "31926819"]),
        );
        let s = scan_bytes(docx(&table, &[]), Doc::Docx);
        let at = |row: u64, label: &str, cell: u64| {
            format!("table 1, row {row}, column {label:?}, cell {cell}")
        };
        s.expect("person_name", "Nia Okafor", &at(2, "Name", 2));
        s.expect("date_of_birth", "03/04/1971", &at(2, "DOB", 4));
        s.expect("uk_postcode", "LS6 2QT", &at(4, "Address", 2));
        s.expect("uk_sort_code", "20-45-77", &at(5, "Sort code:", 2));
        s.expect("uk_bank_account", "31926819", &at(5, "Account number:", 4));
    }

    #[test]
    fn a_flows_forms_end_at_a_paragraph_and_at_the_end() {
        // As Word 97, RTF and PowerPoint 97 hand their tables over: rows,
        // no end but the next paragraph or the document's.
        let engine = engine();
        let mut sink = Sink::new(&engine, "t.doc".into(), true);
        let mut flow = Flow::new(&mut sink);
        let row = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect();
        flow.row(None, row(&["Name", "Mrs Nia Okafor"]));
        flow.row(None, row(&["Date of birth", "03/04/1971"]));
        flow.paragraph(None, "Notes");
        flow.row(Some("headers"), row(&["Tenant", "Mr Dev Dunmore"]));
        flow.row(Some("headers"), row(&["DOB", "12/11/1965"]));
        flow.finish();
        let found: Vec<(String, String)> = sink
            .findings
            .iter()
            .filter(|f| f.detector == "date_of_birth")
            .map(|f| (f.value.clone().unwrap(), f.location.to_string()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "03/04/1971".to_string(),
                    r#"table 1, row 2, column "Date of birth", cell 2"#.to_string()
                ),
                (
                    "12/11/1965".to_string(),
                    r#"part headers, table 1, row 2, column "DOB", cell 2"#.to_string()
                ),
            ]
        );
    }

    #[test]
    fn nested_tables_are_tables_of_their_own() {
        let inner = format!(
            "<w:tbl>{}{}</w:tbl>",
            w_row(&["Contact", "Email"]),
            w_row(&["Jo", "jo@example.com"])
        );
        let outer = format!(
            "<w:tbl><w:tr><w:tc>{}{inner}{}</w:tc><w:tc>{}</w:tc></w:tr></w:tbl>",
            para("Tenant"),
            para("Notes"),
            para("NI AB 12 34 56 C"),
        );
        let s = scan_bytes(docx(&outer, &[]), Doc::Docx);
        assert!(
            s.has(
                "email",
                "jo@example.com",
                r#"table 2, row 2, column "Email", cell 2"#
            ),
            "{:?}",
            s.found
        );
        // A lone row that reads like a header is still scanned.
        assert!(
            s.has("uk_nino", "AB 12 34 56 C", "table 1, row 1, cell 2"),
            "{:?}",
            s.found
        );
    }

    #[test]
    fn merged_cells_keep_their_header() {
        let table = format!(
            r#"<w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr>{}</w:tc><w:tc>{}</w:tc></w:tr><w:tr><w:tc>{}</w:tc><w:tc>{}</w:tc><w:tc>{}</w:tc></w:tr></w:tbl>"#,
            para("Person"),
            para("Date of birth"),
            para("Jo"),
            para("Bloggs"),
            para("05/05/1955"),
        );
        let s = scan_bytes(docx(&table, &[]), Doc::Docx);
        assert!(
            s.has(
                "date_of_birth",
                "05/05/1955",
                r#"table 1, row 2, column "Date of birth", cell 3"#
            ),
            "{:?}",
            s.found
        );
    }

    #[test]
    fn headers_footers_comments_and_metadata() {
        let header = format!(r#"<w:hdr {W}>{}</w:hdr>"#, para("Call 020 7946 0123"));
        let footer = format!(r#"<w:ftr {W}>{}</w:ftr>"#, para("Leeds LS1 4AP"));
        let comments = format!(
            r#"<w:comments {W}><w:comment w:id="0" w:author="A"><w:p><w:r><w:t>Ask reviewer@example.org</w:t></w:r></w:p></w:comment></w:comments>"#
        );
        let footnotes = format!(
            r#"<w:footnotes {W}><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:id="1">{}</w:footnote></w:footnotes>"#,
            para("See note.taker@example.com")
        );
        let core = r#"<?xml version="1.0"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"><dc:creator>Pat Example</dc:creator><dcterms:created>2021-03-04T09:00:00Z</dcterms:created><dcterms:modified>2022-05-06T10:30:00Z</dcterms:modified></cp:coreProperties>"#;
        let bytes = docx(
            &para("Body"),
            &[
                ("word/header1.xml", &header),
                ("word/footer2.xml", &footer),
                ("word/comments.xml", &comments),
                ("word/footnotes.xml", &footnotes),
                ("docProps/core.xml", core),
            ],
        );
        let s = scan_bytes(bytes, Doc::Docx);
        assert!(s.result.is_ok());
        assert!(
            s.has(
                "uk_phone",
                "020 7946 0123",
                "part header1, paragraph 1, line 1, column 6"
            ),
            "{:?}",
            s.found
        );
        assert!(
            s.has(
                "uk_postcode",
                "LS1 4AP",
                "part footer2, paragraph 1, line 1, column 7"
            ),
            "{:?}",
            s.found
        );
        assert!(
            s.has(
                "email",
                "reviewer@example.org",
                "part comments, paragraph 1, line 1, column 5"
            ),
            "{:?}",
            s.found
        );
        assert!(
            s.has(
                "email",
                "note.taker@example.com",
                "part footnotes, paragraph 1, line 1, column 5"
            ),
            "{:?}",
            s.found
        );
        assert_eq!(
            s.document,
            Some(DocumentMeta {
                author: Some("Pat Example".into()),
                created: Some("2021-03-04T09:00:00Z".into()),
                modified: Some("2022-05-06T10:30:00Z".into()),
            })
        );
    }

    #[test]
    fn text_boxes_are_read_once() {
        let body = r#"<w:p><w:r><w:t>Outer</w:t></w:r><w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p><w:r><w:t>box@example.com</w:t></w:r></w:p></w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p><w:r><w:t>box@example.com</w:t></w:r></w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"#;
        let s = scan_bytes(docx(body, &[]), Doc::Docx);
        assert_eq!(s.found.len(), 1, "{:?}", s.found);
        assert!(s.has("email", "box@example.com", "paragraph 2, line 1, column 1"));
    }

    #[test]
    fn broken_documents_fail_with_a_reason_and_keep_what_was_read() {
        let s = scan_bytes(b"PK\x03\x04 not a zip at all".to_vec(), Doc::Docx);
        assert!(matches!(&s.result, Err(Problem::Failed(r)) if r.starts_with("corrupt zip")));

        // Malformed in the second paragraph: what was read up to the break
        // is still scanned, and the reason quotes nothing of the document.
        let bytes = zip_of(&[(
            "word/document.xml",
            &format!(
                r#"<w:document {W}><w:body>{}<w:p><w:r><w:t>secret@example.com</w:x></w:r></w:p></w:body></w:document>"#,
                para("first@example.com")
            ),
        )]);
        let s = scan_bytes(bytes, Doc::Docx);
        assert_eq!(s.values(), vec!["first@example.com", "secret@example.com"]);
        match &s.result {
            Err(Problem::Failed(r)) => {
                assert!(r.contains("word/document.xml: malformed XML"), "{r}");
                assert!(!r.contains("secret") && !r.contains("w:x"), "{r}");
            }
            other => panic!("{other:?}"),
        }

        // Truncated XML: what was there is scanned.
        let bytes = zip_of(&[(
            "word/document.xml",
            &format!(r#"<w:document {W}><w:body><w:p><w:r><w:t>cut@example.com</w:t></w:r>"#),
        )]);
        let s = scan_bytes(bytes, Doc::Docx);
        assert_eq!(s.values(), vec!["cut@example.com"]);
        assert!(matches!(&s.result, Err(Problem::Failed(r)) if r.contains("open element")));

        let s = scan_bytes(zip_of(&[("content.xml", "")]), Doc::Docx);
        assert!(
            matches!(&s.result, Err(Problem::Failed(r)) if r.contains("word/document.xml is missing"))
        );
    }

    #[test]
    fn zip_bombs_are_refused() {
        let spaces = " ".repeat(4 << 20);
        let document = format!(
            r#"<w:document {W}><w:body>{}{spaces}</w:body></w:document>"#,
            para("x@example.com")
        );
        let bytes = zip_of(&[("word/document.xml", &document)]);
        let s = scan_bytes(bytes, Doc::Docx);
        assert!(s.found.is_empty());
        assert!(
            matches!(&s.result, Err(Problem::Failed(r)) if r.contains("zip bomb guard")),
            "{:?}",
            s.result
        );
    }

    #[test]
    fn odt_paragraphs_tables_annotations_and_changes() {
        let content = format!(
            r#"<?xml version="1.0"?><office:document-content {ODF}><office:body><office:text>
<text:tracked-changes><text:changed-region text:id="c1"><text:deletion><office:change-info><dc:creator>A</dc:creator></office:change-info><text:p>gone@example.com</text:p></text:deletion></text:changed-region></text:tracked-changes>
<text:h>Case   review</text:h>
<text:p>National Insurance<text:s/>number:<text:s text:c="2"/>NA 12 34 56 A<office:annotation><dc:creator>Reviewer</dc:creator><dc:date>2024-01-01</dc:date><text:p>Check with a.checker@example.org</text:p></office:annotation> thanks</text:p>
<text:p>Phone<text:tab/>07700 900456<text:line-break/>done <text:change-start text:change-id="c1"/></text:p>
<table:table><table:table-column table:number-columns-repeated="2"/><table:table-row><table:table-cell><text:p>Name</text:p></table:table-cell><table:table-cell><text:p>Date of birth</text:p></table:table-cell></table:table-row>
<table:table-row><table:table-cell><text:p>Jo</text:p></table:table-cell><table:table-cell><text:p>12/12/1950</text:p></table:table-cell></table:table-row></table:table>
</office:text></office:body></office:document-content>"#
        );
        let meta = format!(
            r#"<office:document-meta {ODF}><office:meta><meta:initial-creator>Pat Example</meta:initial-creator><dc:creator>Other</dc:creator><meta:creation-date>2020-01-02T03:04:05</meta:creation-date><dc:date>2020-02-03T04:05:06</dc:date></office:meta></office:document-meta>"#
        );
        let styles = format!(
            r#"<office:document-styles {ODF} xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"><office:master-styles><style:master-page style:name="Standard"><style:header><text:p>Housing office 020 7946 0999</text:p></style:header><style:footer><text:p>Leeds LS2 7EW</text:p></style:footer></style:master-page></office:master-styles></office:document-styles>"#
        );
        let bytes = zip_of(&[
            ("mimetype", "application/vnd.oasis.opendocument.text"),
            ("content.xml", &content),
            ("styles.xml", &styles),
            ("meta.xml", &meta),
        ]);
        let s = scan_bytes(bytes, Doc::Odt);
        assert!(s.result.is_ok(), "{:?}", s.result);
        assert!(
            s.has("uk_nino", "NA 12 34 56 A", "paragraph 2, line 1, column 29"),
            "{:?}",
            s.found
        );
        assert!(
            s.has(
                "email",
                "a.checker@example.org",
                "part comments, paragraph 1, line 1, column 12"
            ),
            "{:?}",
            s.found
        );
        assert!(
            s.has("uk_phone", "07700 900456", "paragraph 3, line 1, column 7"),
            "{:?}",
            s.found
        );
        assert!(
            s.has(
                "date_of_birth",
                "12/12/1950",
                r#"table 1, row 2, column "Date of birth", cell 2"#
            ),
            "{:?}",
            s.found
        );
        assert!(
            s.has(
                "uk_phone",
                "020 7946 0999",
                "part header1, paragraph 1, line 1, column 16"
            ),
            "{:?}",
            s.found
        );
        assert!(
            s.has(
                "uk_postcode",
                "LS2 7EW",
                "part footer1, paragraph 1, line 1, column 7"
            ),
            "{:?}",
            s.found
        );
        assert!(!s.values().contains(&"gone@example.com"));
        assert_eq!(s.found.len(), 6, "{:?}", s.found);
        let meta = s.document.unwrap();
        assert_eq!(meta.author.as_deref(), Some("Pat Example"));
        assert_eq!(meta.created.as_deref(), Some("2020-01-02T03:04:05"));
        assert_eq!(meta.modified.as_deref(), Some("2020-02-03T04:05:06"));
    }

    #[test]
    fn encrypted_opendocument_is_reported_as_such() {
        let manifest = r#"<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"><manifest:encryption-data manifest:checksum-type="SHA1/1K"/></manifest:file-entry></manifest:manifest>"#;
        let bytes = zip_of(&[
            ("mimetype", "application/vnd.oasis.opendocument.text"),
            ("content.xml", "\u{1}\u{2}binary"),
            ("META-INF/manifest.xml", manifest),
        ]);
        let s = scan_bytes(bytes, Doc::Odt);
        assert!(
            matches!(s.result, Err(Problem::Encrypted(_))),
            "{:?}",
            s.result
        );
    }

    #[test]
    fn slides_are_pages_in_numeric_order() {
        let a = r#"xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main""#;
        let slide = |text: &str| {
            format!(
                r#"<p:sld {a}><p:cSld><p:spTree><p:sp><p:txBody><a:bodyPr/><a:p><a:r><a:rPr lang="en-GB"/><a:t>Title</a:t></a:r></a:p><a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>"#
            )
        };
        let notes = format!(
            r#"<p:notes {a}><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>Ring 07700 900777</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:notes>"#
        );
        let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/notesSlide" Target="../notesSlides/notesSlide1.xml"/></Relationships>"#;
        let s10 = slide("ten@example.com");
        let s2 = slide("two@example.com");
        let bytes = zip_of(&[
            ("ppt/presentation.xml", "<p:presentation/>"),
            ("ppt/slides/slide10.xml", &s10),
            ("ppt/slides/slide2.xml", &s2),
            ("ppt/slides/_rels/slide10.xml.rels", rels),
            ("ppt/notesSlides/notesSlide1.xml", &notes),
        ]);
        let s = scan_bytes(bytes, Doc::Pptx);
        assert!(s.result.is_ok(), "{:?}", s.result);
        assert!(
            s.has(
                "email",
                "two@example.com",
                "page 2, paragraph 2, line 1, column 1"
            ),
            "{:?}",
            s.found
        );
        assert!(
            s.has(
                "email",
                "ten@example.com",
                "page 10, paragraph 2, line 1, column 1"
            ),
            "{:?}",
            s.found
        );
        assert!(
            s.has(
                "uk_phone",
                "07700 900777",
                "part notes, page 10, paragraph 1, line 1, column 6"
            ),
            "{:?}",
            s.found
        );
    }

    #[test]
    fn odp_pages() {
        let page = |name: &str, text: &str| {
            format!(
                r#"<draw:page draw:name="{name}"><draw:frame><draw:text-box><text:p>Heading</text:p><text:p>{text}</text:p></draw:text-box></draw:frame></draw:page>"#
            )
        };
        let body = [
            page("one", "Agenda"),
            page("two", "Contact: lead@example.org"),
        ]
        .concat();
        let s = scan_bytes(odp(&body), Doc::Odp);
        assert!(s.result.is_ok(), "{:?}", s.result);
        assert_eq!(s.found.len(), 1);
        assert!(
            s.has(
                "email",
                "lead@example.org",
                "page 2, paragraph 2, line 1, column 10"
            ),
            "{:?}",
            s.found
        );
    }

    #[test]
    fn a_scope_is_found_by_its_part_and_page_and_only_waiting_ones_are_flushed() {
        let mut index = ScopeIndex::default();
        for page in 1..=1000u64 {
            index.add(None, Some(page), page as usize - 1);
            index.add(Some("notes"), Some(page), 1000 + page as usize - 1);
        }
        assert_eq!(index.find(None, Some(7)), Some(6));
        assert_eq!(index.find(Some("notes"), Some(7)), Some(1006));
        assert_eq!(index.find(Some("comments"), Some(7)), None);
        assert_eq!(index.find(None, None), None);
        // Of 2,000 scopes, a flush visits the two with paragraphs waiting,
        // in the order the scopes were made, and then none.
        index.wait(1500);
        index.wait(3);
        index.wait(1500);
        assert_eq!(
            index.take_waiting().into_iter().collect::<Vec<_>>(),
            [3, 1500]
        );
        assert!(index.take_waiting().is_empty());
    }

    #[test]
    fn a_long_deck_places_each_value_on_its_slide() {
        // Thousands of slides, each a scope: values on the first, a middle
        // and the last slide, one in a note, found where they are.
        let pages = 3000;
        let mut body = String::new();
        for n in 1..=pages {
            let text = match n {
                1 => "Contact: first@example.org".to_string(),
                1500 => "Contact: middle@example.org".to_string(),
                n if n == pages => "Contact: last@example.org".to_string(),
                n => format!("Slide {n}"),
            };
            body.push_str(&format!(
                r#"<draw:page draw:name="p{n}"><draw:frame><draw:text-box><text:p>{text}</text:p></draw:text-box></draw:frame>"#
            ));
            if n == 2 {
                body.push_str(
                    "<presentation:notes><draw:frame><draw:text-box><text:p>Call note@example.org</text:p></draw:text-box></draw:frame></presentation:notes>",
                );
            }
            body.push_str("</draw:page>");
        }
        let s = scan_bytes(odp(&body), Doc::Odp);
        assert!(s.result.is_ok(), "{:?}", s.result);
        assert_eq!(s.found.len(), 4, "{:?}", s.found);
        for (value, location) in [
            (
                "first@example.org",
                "page 1, paragraph 1, line 1, column 10",
            ),
            (
                "middle@example.org",
                "page 1500, paragraph 1, line 1, column 10",
            ),
            (
                "last@example.org",
                "page 3000, paragraph 1, line 1, column 10",
            ),
            (
                "note@example.org",
                "part notes, page 2, paragraph 1, line 1, column 6",
            ),
        ] {
            assert!(s.has("email", value, location), "{value}: {:?}", s.found);
        }
    }

    #[test]
    fn hostile_input_never_panics() {
        let base = docx(&[para("a@example.com"), w_row(&["x"])].concat(), &[]);
        for cut in (0..base.len()).step_by(7) {
            let _ = scan_bytes(base[..cut].to_vec(), Doc::Docx);
        }
        let mut flipped = base.clone();
        for i in (30..flipped.len()).step_by(11) {
            flipped[i] ^= 0x5A;
            let _ = scan_bytes(flipped.clone(), Doc::Docx);
        }
        let deep = format!("{}{}", "<w:p>".repeat(10_000), "</w:p>".repeat(10_000));
        let s = scan_bytes(docx(&deep, &[]), Doc::Docx);
        assert!(matches!(&s.result, Err(Problem::Failed(r)) if r.contains("nested deeper")));
    }
}
