//! PDF with lopdf: the text of each page, located by `page` (and `line`,
//! `column` within it).
//!
//! Text is taken from each page's content stream in the order it is drawn,
//! which for word-processor output is reading order. A new line starts
//! where the text moves to another baseline (by Td, TD, Tm, T*, or a new
//! text object), and a space where it moves along the same one (a table's
//! next cell, or a run drawn as a text object of its own, as word
//! processors draw them) or where a TJ array kerns by more than a tenth of
//! an em, so words stay whole. Where each piece starts on the page is kept,
//! to read a table drawn cell by cell as a table (`table`).
//! A PDF that opens with the empty password is read; others are
//! `encrypted`; pages without any text (a scan) are `no_text`. What reading
//! a file may cost is bounded in `limits`, as lopdf bounds nothing. A file
//! whose table of objects is broken is read from one rebuilt (`rebuilt`),
//! and one whose streams' lengths are wrong, with them corrected
//! (`lengths`): both fail, saying so, with what they gave.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Read;
use std::rc::Rc;

use lopdf::content::Content;
use lopdf::{Document, Encoding, Object};

use super::{header_names, Field, Problem, ReadSeek, Sink};
use crate::report::{Column, Location};

mod comments;
mod form;
mod lengths;
mod limits;
mod table;

/// An object's header, `N G obj`, where an object starts.
static OBJECT: std::sync::LazyLock<regex::bytes::Regex> = std::sync::LazyLock::new(|| {
    regex::bytes::Regex::new(
        r"(?m)(?:^|[\r\n\t \x0c])(\d{1,10})[\r\n\t \x0c]+(\d{1,5})[\r\n\t \x0c]+obj\b",
    )
    .expect("a valid pattern")
});

pub fn scan(mut src: Box<dyn ReadSeek>, sink: &mut Sink) -> Result<(), Problem> {
    let mut bytes = Vec::new();
    src.read_to_end(&mut bytes)?;
    if let Err(why) = limits::check_before_loading(&bytes) {
        return Err(Problem::Failed(format!("PDF not read: {why}")));
    }
    // lopdf drops an object whose stream's stated length is wrong (see
    // `lengths`): such a file is read with the lengths corrected.
    let wrong = |objects: &[lopdf::ObjectId]| {
        let s = if objects.len() == 1 { "" } else { "s" };
        format!(
            "{} stream length{s} wrong, read as corrected",
            objects.len()
        )
    };
    // lopdf authenticates with the empty password itself where it can.
    let doc = match Document::load_mem(&bytes) {
        Ok(doc) => doc,
        Err(e) => {
            // Encrypted files are not repaired: the rebuilt trailer would
            // lose their /Encrypt.
            let problem = load_problem(&e, &bytes);
            let Problem::Failed(why) = &problem else {
                return Err(problem);
            };
            // Lengths first: the table is rebuilt from where objects are.
            let corrected = lengths::corrected(&bytes);
            let from = corrected.as_ref().map_or(&bytes[..], |(c, _)| &c[..]);
            let Some(doc) = repaired(from) else {
                return Err(problem);
            };
            let mut why = format!("{why}; read from its objects, the table rebuilt");
            if let Some((_, objects)) = &corrected {
                why = format!("{why}; {}", wrong(objects));
            }
            return read_repaired(&doc, why, sink);
        }
    };
    // A page's content, or a form it draws, that is no stream (lopdf keeps
    // a stream it could not read as its dictionary alone, or not at all)
    // would lose the page's text without a word: where lengths were wrong,
    // the file is read with them corrected and its table rebuilt, the
    // objects having moved. A font or an image not read loses no text, and
    // the file is read as it is; a healthy one is not looked through again.
    let not_read = |id: &lopdf::ObjectId| !matches!(doc.objects.get(id), Some(Object::Stream(_)));
    // Not an encrypted file, though the empty password opened it: the
    // rebuilt trailer would lose its /Encrypt.
    if draws_a_page(&doc, not_read) && !mentions_encrypt(&bytes) {
        if let Some((fixed, objects)) = lengths::corrected(&bytes) {
            if let Some(doc) = repaired(&fixed) {
                return read_repaired(&doc, format!("damaged PDF: {}", wrong(&objects)), sink);
            }
        }
    }
    read(&doc, sink)
}

/// A file read from a table rebuilt from its objects ([`rebuilt`]), if a
/// page is found (one cut within its first page has none to read).
fn repaired(bytes: &[u8]) -> Option<Document> {
    rebuilt(bytes).filter(|doc| !doc.get_pages().is_empty())
}

/// Whether an /Encrypt dictionary is named anywhere in the file.
fn mentions_encrypt(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"/Encrypt").is_some()
}

/// Whether any page's content, or a form a page draws, is `such`.
fn draws_a_page(doc: &Document, such: impl Fn(&lopdf::ObjectId) -> bool) -> bool {
    doc.get_pages().values().any(|&page| {
        let forms = doc
            .get_page_resources(page)
            .map_or(Vec::new(), |(direct, ids)| {
                let dictionaries = direct
                    .into_iter()
                    .chain(ids.iter().filter_map(|id| doc.get_dictionary(*id).ok()));
                dictionaries
                    .filter_map(|d| d.get_deref(b"XObject", doc).and_then(Object::as_dict).ok())
                    .flat_map(|x| x.iter().filter_map(|(_, v)| v.as_reference().ok()))
                    .collect()
            });
        // Not `get_page_contents`: it leaves out what is not a stream.
        let contents = match doc.get_dictionary(page).and_then(|p| p.get(b"Contents")) {
            Ok(Object::Reference(id)) => match doc.objects.get(id) {
                Some(Object::Array(parts)) => references(parts),
                _ => vec![*id],
            },
            Ok(Object::Array(parts)) => references(parts),
            _ => Vec::new(),
        };
        contents.into_iter().chain(forms).any(|id| such(&id))
    })
}

fn references(objects: &[Object]) -> Vec<lopdf::ObjectId> {
    objects
        .iter()
        .filter_map(|o| o.as_reference().ok())
        .collect()
}

/// A PDF that could be read only once repaired (its table of objects
/// rebuilt from the objects themselves, lengths corrected): it still
/// fails, saying so and what reading it gave.
fn read_repaired(doc: &Document, why: String, sink: &mut Sink) -> Result<(), Problem> {
    match read(doc, sink) {
        Ok(()) => Err(Problem::Failed(why)),
        Err(p) => Err(Problem::Failed(format!("{why}: {}", p.split().1))),
    }
}

fn read(doc: &Document, sink: &mut Sink) -> Result<(), Problem> {
    // lopdf takes /Encrypt out of the trailer once the empty password opens
    // the file; still there, the objects are still encrypted. (Its
    // `is_encrypted` sees only a reference, not a dictionary written in the
    // trailer itself, as pdfminer's samples have it.)
    if doc.is_encrypted() || doc.trailer.has(b"Encrypt") {
        return Err(Problem::Encrypted(
            "encrypted PDF (password required)".into(),
        ));
    }
    sink.document = document_meta(doc);
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err(Problem::Failed("PDF has no pages".into()));
    }
    let mut any_text = false;
    let mut bad_pages = Vec::new();
    // Pages read in part, or not at all, for a limit: why, for each.
    let mut short_pages = Vec::new();
    let mut allowance = limits::Allowance::new();
    // The table the page before ended with, which this one may go on with.
    let mut before = None;
    for (&number, &id) in &pages {
        match page_text(doc, id, &mut allowance) {
            Ok(page) => {
                before = if page.text.chars().any(|c| c.is_alphanumeric()) {
                    any_text = true;
                    read_page(u64::from(number), &page, before.as_ref(), sink)
                } else {
                    None
                };
                if let Some(why) = page.short {
                    short_pages.push(format!("page {number} {why}"));
                }
            }
            Err(_) => {
                before = None;
                bad_pages.push(number.to_string());
            }
        }
    }
    // What was typed into a fillable form, and comments on the pages: text
    // even where the pages (scans) have none.
    if form::read(doc, &pages, sink) + comments::read(doc, &pages, sink) > 0 {
        any_text = true;
    }
    if !bad_pages.is_empty() || !short_pages.is_empty() {
        let mut why = Vec::new();
        if !bad_pages.is_empty() {
            why.push(format!(
                "page(s) {} could not be read",
                bad_pages.join(", ")
            ));
        }
        let others = pages.len() > bad_pages.len() + short_pages.len();
        why.extend(short_pages);
        if others {
            why.push("the others were scanned".into());
        }
        return Err(Problem::Failed(why.join("; ")));
    }
    if !any_text {
        return Err(Problem::NoText(format!(
            "no text on its {} page(s) (a scanned image?): not checked",
            pages.len()
        )));
    }
    Ok(())
}

/// One page's text: its tables row by row, each cell under its column's
/// header, as a Word table's; the rest line by line. `before` is the table
/// the page before ended with; returns the one this page ends with, if the
/// next may go on with it.
fn read_page(
    number: u64,
    page: &PageText,
    before: Option<&table::Table>,
    sink: &mut Sink,
) -> Option<table::Table> {
    let at = Location {
        page: Some(number),
        ..Location::default()
    };
    let mut tables = table::find(&page.text, &page.marks, before);
    if tables.is_empty() {
        sink.text_unit(&page.text, &at);
        return None;
    }
    sink.text_unit(&table::without_tables(&page.text, &tables), &at);
    for (number, found) in (1..).zip(&tables) {
        // Laid out as a header, but a line of values (a rota's names) names
        // no columns: its cells are still read, as the header row's are.
        let headers = header_names(sink.engine(), &found.headers)
            .unwrap_or_else(|| vec![None; found.headers.len()]);
        // A table the page before began has no header row here.
        let header_row = found.header_line.map(|line| (line, &found.headers, false));
        let rows = found.rows.iter().map(|r| (r.line, &r.cells, true));
        for (row, (line, cells, under_header)) in (1..).zip(header_row.into_iter().chain(rows)) {
            let fields: Vec<Field> = (1..)
                .zip(cells.iter().zip(&headers))
                .filter(|(_, (text, _))| !text.is_empty())
                .map(|(column, (text, named))| {
                    let named = named.as_ref().filter(|_| under_header);
                    Field {
                        text: Cow::Borrowed(text.as_str()),
                        header: named.map(|(_, context)| Rc::clone(context)),
                        location: Location {
                            table: Some(number),
                            row: Some(row),
                            line: Some(line as u64 + 1),
                            cell: Some(column.to_string()),
                            column: named.map(|(name, _)| Column::Name(name.clone())),
                            column_index: column,
                            ..at.clone()
                        },
                    }
                })
                .collect();
            if !fields.is_empty() {
                sink.record(&fields);
            }
        }
    }
    let lines = page.text.split_inclusive('\n').count();
    tables.pop().filter(|last| last.may_go_on(lines))
}

/// The document information dictionary's dates (and author): the created
/// date is what a policy's `document_date` retention trigger reads.
fn document_meta(doc: &Document) -> Option<super::DocumentMeta> {
    let info = match doc.trailer.get(b"Info").ok()? {
        Object::Reference(id) => doc.get_object(*id).ok()?,
        other => other,
    };
    let info = info.as_dict().ok()?;
    let text = |key: &[u8]| match info.get(key).ok()? {
        Object::String(bytes, _) => Some(pdf_text(bytes)),
        _ => None,
    };
    let meta = super::DocumentMeta {
        author: text(b"Author").filter(|a| !a.trim().is_empty()),
        created: text(b"CreationDate").and_then(|d| pdf_date(&d)),
        modified: text(b"ModDate").and_then(|d| pdf_date(&d)),
    };
    (meta != super::DocumentMeta::default()).then_some(meta)
}

/// A PDF text string: UTF-16BE after a byte-order mark, else one byte a
/// character.
fn pdf_text(bytes: &[u8]) -> String {
    match bytes.strip_prefix(&[0xFE, 0xFF]) {
        Some(utf16) => {
            let units: Vec<u16> = utf16
                .chunks_exact(2)
                .map(|p| u16::from_be_bytes([p[0], p[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        None => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// `D:YYYYMMDDHHmmSS…` (month and day optional) as `YYYY-MM-DD`, if it is
/// a real date.
fn pdf_date(text: &str) -> Option<String> {
    let t = text.trim();
    let digits: String = t
        .strip_prefix("D:")
        .unwrap_or(t)
        .chars()
        .take_while(char::is_ascii_digit)
        .take(8)
        .collect();
    let part = |range: std::ops::Range<usize>, default: i8| -> Option<i8> {
        match digits.get(range) {
            Some(p) => p.parse().ok(),
            None => Some(default),
        }
    };
    let year: i16 = digits.get(0..4)?.parse().ok()?;
    let date = jiff::civil::Date::new(year, part(4..6, 1)?, part(6..8, 1)?).ok()?;
    Some(date.to_string())
}

/// A PDF cut short, or with a table of objects that points astray, still
/// has its objects, each opened by `N G obj`: a new table is built from
/// where they are (the last of each number, as later updates win) and
/// appended, with a trailer naming the last catalog as its root, as PDF
/// readers repair such files. None when no catalog is found outside an
/// object stream, or lopdf cannot read the result.
fn rebuilt(bytes: &[u8]) -> Option<Document> {
    use std::fmt::Write;
    static CATALOG: std::sync::LazyLock<regex::bytes::Regex> = std::sync::LazyLock::new(|| {
        regex::bytes::Regex::new(r"/Type\s*/Catalog\b").expect("a valid pattern")
    });
    static PAGES: std::sync::LazyLock<regex::bytes::Regex> = std::sync::LazyLock::new(|| {
        regex::bytes::Regex::new(r"/Type\s*/Pages\b").expect("a valid pattern")
    });
    static INFO: std::sync::LazyLock<regex::bytes::Regex> = std::sync::LazyLock::new(|| {
        regex::bytes::Regex::new(r"/Info\s+(\d{1,10})\s+(\d{1,5})\s+R").expect("a valid pattern")
    });
    let number = |b: &[u8]| std::str::from_utf8(b).ok()?.parse::<u64>().ok();
    // Where each object starts, in the file's order.
    let mut starts: Vec<(usize, u64, u64)> = Vec::new();
    for c in OBJECT.captures_iter(bytes) {
        let (Some(n), Some(g), Some(at)) = (
            c.get(1).and_then(|m| number(m.as_bytes())),
            c.get(2).and_then(|m| number(m.as_bytes())),
            c.get(1).map(|m| m.start()),
        ) else {
            continue;
        };
        if n > u64::from(u32::MAX) {
            continue;
        }
        if starts.len() >= limits::MOST_OBJECTS {
            return None;
        }
        starts.push((at, n, g));
    }
    let mut objects: std::collections::BTreeMap<u64, (u64, usize)> =
        starts.iter().map(|&(at, n, g)| (n, (g, at))).collect();
    // Each match looked up once, so the work stays linear in the file.
    let owner_of = |at: usize| starts.partition_point(|&(s, _, _)| s < at).checked_sub(1);
    // The root: the object holding the last catalog. Without one (a file
    // cut before its catalog, which many writers put last), a catalog is
    // made, appended, for the last root of a page tree found: a `/Pages`
    // with no parent (kids past the break then fail as pages).
    let mut made = String::new();
    let (root, root_gen) = match CATALOG.find_iter(bytes).last() {
        Some(catalog) => {
            let (_, n, g) = starts[owner_of(catalog.start())?];
            (n, g)
        }
        None => {
            let trees: std::collections::BTreeSet<usize> = PAGES
                .find_iter(bytes)
                .filter_map(|m| owner_of(m.start()))
                .collect();
            let tree = trees.into_iter().rev().find(|&i| {
                let end = starts.get(i + 1).map_or(bytes.len(), |s| s.0);
                memchr::memmem::find(&bytes[starts[i].0..end], b"/Parent").is_none()
            })?;
            let (_, n, g) = starts[tree];
            let catalog = objects.keys().next_back()? + 1;
            made = format!("\n{catalog} 0 obj\n<< /Type /Catalog /Pages {n} {g} R >>\nendobj");
            objects.insert(catalog, (0, bytes.len() + 1));
            (catalog, 0)
        }
    };
    let info = INFO.captures_iter(bytes).last().and_then(|c| {
        let n = number(c.get(1)?.as_bytes())?;
        let g = number(c.get(2)?.as_bytes())?;
        (objects.get(&n).map(|o| o.0) == Some(g)).then_some((n, g))
    });
    let size = objects.keys().next_back().map_or(1, |n| n + 1);
    let mut table = String::from("\nxref\n0 1\n0000000000 65535 f \n");
    // In runs of consecutive numbers: a hostile number cannot make the
    // table larger than the objects found.
    let mut numbers = objects.iter().peekable();
    while let Some((&first, _)) = numbers.peek() {
        let mut run = Vec::new();
        while let Some((&n, &(g, at))) = numbers.peek() {
            if n != first + run.len() as u64 {
                break;
            }
            run.push((g, at));
            numbers.next();
        }
        let _ = writeln!(table, "{first} {}", run.len());
        for (g, at) in run {
            let _ = writeln!(table, "{at:010} {:05} n ", g.min(65535));
        }
    }
    let start = bytes.len() + made.len() + 1;
    let _ = write!(table, "trailer\n<< /Size {size} /Root {root} {root_gen} R");
    if let Some((n, g)) = info {
        let _ = write!(table, " /Info {n} {g} R");
    }
    let _ = write!(table, " >>\nstartxref\n{start}\n%%EOF\n");
    let mut whole = Vec::with_capacity(bytes.len() + made.len() + table.len());
    whole.extend_from_slice(bytes);
    whole.extend_from_slice(made.as_bytes());
    whole.extend_from_slice(table.as_bytes());
    Document::load_mem(&whole).ok()
}

/// Why lopdf could not open a file, for people (never quoting content).
fn load_problem(e: &lopdf::Error, bytes: &[u8]) -> Problem {
    let message = e.to_string();
    let lower = message.to_ascii_lowercase();
    if mentions_encrypt(bytes) || lower.contains("password") || lower.contains("decrypt") {
        Problem::Encrypted("encrypted PDF (password required)".into())
    } else {
        Problem::Failed(format!(
            "unreadable PDF: {}",
            super::foreign(first_line(&message))
        ))
    }
}

fn first_line(s: &str) -> &str {
    let line = s.lines().next().unwrap_or("");
    match line.char_indices().nth(120) {
        Some((i, _)) => &line[..i],
        None => line,
    }
}

/// The font a content stream names `name` (as lopdf's `get_page_fonts`
/// gathers them).
fn page_font<'d>(
    doc: &'d Document,
    resources: &Resources<'d>,
    name: &[u8],
) -> Option<&'d lopdf::Dictionary> {
    resource(doc, resources, b"Font", name, |entry| match entry {
        Object::Reference(id) => doc.get_dictionary(*id).ok(),
        Object::Dictionary(dict) => Some(dict),
        _ => None,
    })
}

/// The form or image a content stream names `name`.
fn xobject(doc: &Document, resources: &Resources<'_>, name: &[u8]) -> Option<lopdf::ObjectId> {
    resource(doc, resources, b"XObject", name, |entry| {
        entry.as_reference().ok()
    })
}

/// The resource of a `kind` (`Font`, `XObject`) a content stream names
/// `name`, as `take` takes it: from the stream's own resources first, then
/// those it inherits, nearest first.
fn resource<'d, T>(
    doc: &'d Document,
    resources: &Resources<'d>,
    kind: &[u8],
    name: &[u8],
    take: impl Fn(&'d Object) -> Option<T>,
) -> Option<T> {
    let in_resources = |res: &'d lopdf::Dictionary| {
        let named = match res.get(kind).ok()? {
            Object::Reference(id) => doc.get_dictionary(*id).ok()?,
            Object::Dictionary(d) => d,
            _ => return None,
        };
        take(named.get(name).ok()?)
    };
    let (own, inherited) = resources;
    own.and_then(in_resources).or_else(|| {
        inherited
            .iter()
            .filter_map(|id| doc.get_dictionary(*id).ok())
            .find_map(in_resources)
    })
}

/// What one page gave: its text, and why it was not all read, if it was
/// not (a limit, or a part that could not be parsed).
struct PageText {
    text: String,
    /// Where each piece of the text starts, and where on the page.
    marks: Vec<table::Mark>,
    short: Option<String>,
}

/// A font with nothing but its type, which lopdf reads in the standard
/// encoding.
static PLAIN_FONT: std::sync::LazyLock<lopdf::Dictionary> =
    std::sync::LazyLock::new(|| lopdf::dictionary! { "Type" => "Font" });

/// A page's resources: its own dictionary, and those it inherits, nearest
/// first (as lopdf's `get_page_resources` gives them).
type Resources<'d> = (Option<&'d lopdf::Dictionary>, Vec<lopdf::ObjectId>);

/// Forms drawn within forms are followed this deep.
const MOST_NESTED_FORMS: usize = 12;

/// The text of one page, line by line: its content, and the forms (form
/// XObjects: stamps, letterheads, flattened form fields) it draws, where it
/// draws them. An error if nothing of it could be read.
fn page_text(
    doc: &Document,
    page: lopdf::ObjectId,
    allowance: &mut limits::Allowance,
) -> Result<PageText, lopdf::Error> {
    let resources = doc.get_page_resources(page)?;
    let content = match limits::page_content(doc, page, allowance) {
        Ok(content) => content,
        Err(why) => {
            return Ok(PageText {
                text: String::new(),
                marks: Vec::new(),
                short: Some(format!("was not read: {why}")),
            })
        }
    };
    let mut drawing = Drawing {
        doc,
        allowance,
        text: String::new(),
        marks: Vec::new(),
        short: None,
        y: None,
        ctm: IDENTITY,
        saved_ctm: Vec::new(),
        unsaved_ctm: 0,
        line_matrix: IDENTITY,
        leading: 0.0,
        font_size: 0.0,
        unplaced: false,
        forms: Vec::new(),
        forms_refused: false,
        parsed_any: false,
        first_error: None,
    };
    drawing.draw(&content, &resources);
    // The page's last line ends with it.
    drawing.new_line();
    match drawing.first_error {
        Some(e) if !drawing.parsed_any => Err(e),
        _ => Ok(PageText {
            text: drawing.text,
            marks: drawing.marks,
            short: drawing.short,
        }),
    }
}

/// What a page draws, as text, as its content is walked.
struct Drawing<'d, 'a> {
    doc: &'d Document,
    allowance: &'a mut limits::Allowance,
    text: String,
    marks: Vec<table::Mark>,
    short: Option<String>,
    /// The current transformation matrix, and those saved by `q` (at most
    /// `MOST_SAVED_STATES`; saves past it are counted, and their restores
    /// restore nothing), to place text on the page for tables.
    ctm: [f32; 6],
    saved_ctm: Vec<[f32; 6]>,
    unsaved_ctm: usize,
    /// The baseline of the text drawn last (on the page, or in the space of
    /// the form that drew it), to tell a new line from a move along the
    /// same one.
    y: Option<f32>,
    /// The text line matrix (a, b, c, d, e, f), the leading, and the font's
    /// size, as the text operators set them.
    line_matrix: [f32; 6],
    leading: f32,
    font_size: f32,
    /// A text object begun and its text not yet placed: its first text is
    /// placed where the matrix is then.
    unplaced: bool,
    /// The forms being drawn, innermost last: a form that draws itself is
    /// not followed.
    forms: Vec<lopdf::ObjectId>,
    forms_refused: bool,
    parsed_any: bool,
    first_error: Option<lopdf::Error>,
}

impl<'d> Drawing<'d, '_> {
    /// Walks one content stream, whose names are looked up in `resources`.
    fn draw(&mut self, content: &[u8], resources: &Resources<'d>) {
        // A font is looked up, and its encoding worked out, when the
        // content first sets it: pages can inherit hundreds of fonts they
        // never use, and gathering every one for every page made such a file
        // quadratic.
        let mut encodings: BTreeMap<Vec<u8>, Option<Encoding<'d>>> = BTreeMap::new();
        let mut font: Option<Vec<u8>> = None;
        // Parsed a piece at a time, so what the parse holds stays bounded.
        // lopdf's parse stops, silently, at the first operation it cannot
        // read: in pieces, that costs the rest of its piece, not of the page.
        for piece in limits::pieces(content) {
            match Content::decode(piece) {
                Ok(part) => {
                    self.parsed_any = true;
                    for op in &part.operations {
                        self.apply(op, resources, &mut encodings, &mut font);
                    }
                }
                Err(e) => {
                    self.first_error.get_or_insert(e);
                }
            }
        }
    }

    fn new_line(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.text.push('\n');
        }
    }

    /// Moves the text line by (tx, ty) in its own space (Td).
    fn move_line(&mut self, tx: f32, ty: f32) {
        let [a, b, c, d, e, f] = self.line_matrix;
        self.line_matrix = [a, b, c, d, tx * a + ty * c + e, tx * b + ty * d + f];
        self.place();
    }

    /// Text goes where the line matrix now is: on the line drawn last (a
    /// space), or a new one. The same baseline is within a third of the
    /// font's height (a superscript stays on its line).
    fn place(&mut self) {
        self.unplaced = false;
        // On the page: text placed by the matrix (`cm`) and drawn at the
        // text's origin, as some writers draw every cell, moves all the same.
        let [_, _, _, d, x, y] = multiply(self.line_matrix, self.ctm);
        let height = (self.font_size * d).abs();
        let same = self
            .y
            .is_some_and(|old| (old - y).abs() <= (height / 3.0).max(0.01));
        if same {
            self.space();
        } else {
            self.new_line();
        }
        self.y = Some(y);
        // Where the text starts on the page, for tables; not in a form,
        // whose space is its own.
        self.marks.push(table::Mark {
            at: self.text.len(),
            x: (self.forms.is_empty() && x.is_finite()).then_some(x),
            size: height,
        });
    }

    fn space(&mut self) {
        if !self.text.ends_with([' ', '\n']) && !self.text.is_empty() {
            self.text.push(' ');
        }
    }

    fn apply(
        &mut self,
        op: &lopdf::content::Operation,
        resources: &Resources<'d>,
        encodings: &mut BTreeMap<Vec<u8>, Option<Encoding<'d>>>,
        font: &mut Option<Vec<u8>>,
    ) {
        let doc = self.doc;
        let operands = &op.operands;
        match op.operator.as_str() {
            "BT" => {
                self.line_matrix = IDENTITY;
                self.unplaced = true;
            }
            "Tf" => {
                self.font_size = operands.get(1).and_then(number).unwrap_or(0.0);
                *font = operands
                    .first()
                    .and_then(|o| o.as_name().ok())
                    .map(<[u8]>::to_vec);
                if let Some(name) = font.as_ref().filter(|n| !encodings.contains_key(*n)) {
                    let found = page_font(doc, resources, name);
                    let encoding = match found {
                        // Read as lopdf reads a font whose map it cannot
                        // parse: in the standard encoding.
                        Some(f) if !limits::font_map_fits(doc, f, self.allowance) => {
                            self.short = Some(
                                "was read in part: a font's character map unpacks past the \
                                 limits (a compression bomb guard), so its text was read without it"
                                    .to_string(),
                            );
                            PLAIN_FONT.get_font_encoding(doc).ok()
                        }
                        _ => found.and_then(|f| f.get_font_encoding(doc).ok()),
                    };
                    encodings.insert(name.clone(), encoding);
                }
            }
            "Tj" | "TJ" => {
                if self.unplaced {
                    self.place();
                }
                let encoding = font.as_ref().and_then(|n| encodings.get(n)?.as_ref());
                if let Some(enc) = encoding {
                    show(&mut self.text, enc, operands);
                }
            }
            "'" | "\"" => {
                self.move_line(0.0, -self.leading);
                let encoding = font.as_ref().and_then(|n| encodings.get(n)?.as_ref());
                if let Some(enc) = encoding {
                    show(
                        &mut self.text,
                        enc,
                        operands.last().map(std::slice::from_ref).unwrap_or(&[]),
                    );
                }
            }
            "Td" | "TD" => {
                let tx = operands.first().and_then(number).unwrap_or(0.0);
                let ty = operands.get(1).and_then(number).unwrap_or(0.0);
                if op.operator == "TD" {
                    self.leading = -ty;
                }
                self.move_line(tx, ty);
            }
            "TL" => self.leading = operands.first().and_then(number).unwrap_or(0.0),
            "Tm" => {
                let mut matrix = IDENTITY;
                for (value, operand) in matrix.iter_mut().zip(operands) {
                    *value = number(operand).unwrap_or(0.0);
                }
                self.line_matrix = matrix;
                self.place();
            }
            "T*" => self.move_line(0.0, -self.leading),
            "q" => {
                if self.saved_ctm.len() < MOST_SAVED_STATES {
                    self.saved_ctm.push(self.ctm);
                } else {
                    self.unsaved_ctm += 1;
                }
            }
            "Q" => {
                if self.unsaved_ctm > 0 {
                    self.unsaved_ctm -= 1;
                } else if let Some(ctm) = self.saved_ctm.pop() {
                    self.ctm = ctm;
                }
            }
            "cm" => {
                let mut m = IDENTITY;
                for (value, operand) in m.iter_mut().zip(operands) {
                    *value = number(operand).unwrap_or(0.0);
                }
                self.ctm = multiply(m, self.ctm);
            }
            "Do" => {
                if let Some(name) = operands.first().and_then(|o| o.as_name().ok()) {
                    self.form(name, resources);
                }
            }
            _ => {}
        }
    }

    /// Draws the form XObject named `name`, if it is one (images are
    /// passed over), on lines of its own, with its own resources or else
    /// those it was drawn with.
    fn form(&mut self, name: &[u8], resources: &Resources<'d>) {
        // Past the allowance, no form of this page is drawn: a page can
        // name one millions of times.
        if self.forms_refused {
            return;
        }
        let doc = self.doc;
        let Some(id) = xobject(doc, resources, name) else {
            return;
        };
        if self.forms.contains(&id) || self.forms.len() >= MOST_NESTED_FORMS {
            return;
        }
        let Ok(stream) = doc.get_object(id).and_then(Object::as_stream) else {
            return;
        };
        if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form") {
            return;
        }
        let content = match limits::form_content(stream, self.allowance) {
            Ok(content) => content,
            Err(why) => {
                self.short.get_or_insert(format!("was read in part: {why}"));
                self.forms_refused = true;
                return;
            }
        };
        let own = match stream.dict.get(b"Resources") {
            Ok(Object::Reference(r)) => doc.get_dictionary(*r).ok(),
            Ok(Object::Dictionary(d)) => Some(d),
            _ => None,
        };
        let form_resources = match own {
            Some(own) => (Some(own), Vec::new()),
            None => resources.clone(),
        };
        self.new_line();
        self.forms.push(id);
        // A form draws in a space of its own: its lines are its own, and
        // the page's text goes on on a line after it.
        let saved = (
            self.y.take(),
            self.line_matrix,
            self.leading,
            self.font_size,
            self.unplaced,
            self.ctm,
            std::mem::take(&mut self.saved_ctm),
            std::mem::take(&mut self.unsaved_ctm),
        );
        self.draw(&content, &form_resources);
        (
            self.y,
            self.line_matrix,
            self.leading,
            self.font_size,
            self.unplaced,
            self.ctm,
            self.saved_ctm,
            self.unsaved_ctm,
        ) = saved;
        self.y = None;
        self.forms.pop();
        self.new_line();
    }
}

/// Appends shown strings; in a TJ array a kerning of more than a tenth of
/// an em (-100 thousandths) is the gap between words.
fn show(text: &mut String, encoding: &Encoding, operands: &[Object]) {
    for operand in operands {
        match operand {
            Object::String(bytes, _) => {
                let _ = encoding.write_to_string(bytes, text);
            }
            Object::Array(items) => show(text, encoding, items),
            Object::Integer(i) if *i < -100 => text.push(' '),
            Object::Real(r) if *r < -100.0 => text.push(' '),
            _ => {}
        }
    }
}

const IDENTITY: [f32; 6] = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// Graphics states saved (`q`) and not yet restored, kept at most: a page
/// can save millions.
const MOST_SAVED_STATES: usize = 256;

/// The matrix `m` then `n` (`m × n`), as `cm` concatenates `m` to the
/// current matrix `n`.
fn multiply(m: [f32; 6], n: [f32; 6]) -> [f32; 6] {
    let [a, b, c, d, e, f] = m;
    let [na, nb, nc, nd, ne, nf] = n;
    [
        a * na + b * nc,
        a * nb + b * nd,
        c * na + d * nc,
        c * nb + d * nd,
        e * na + f * nc + ne,
        e * nb + f * nd + nf,
    ]
}

fn number(o: &Object) -> Option<f32> {
    match o {
        Object::Integer(i) => Some(*i as f32),
        Object::Real(r) => Some(*r),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{Engine, Rules};
    use jiff::civil::Date;
    use lopdf::content::Operation;
    use lopdf::{dictionary, Stream};

    /// A PDF whose pages each draw `lines` (or an image-only page for an
    /// empty list).
    pub fn pdf_with_pages(pages_lines: &[&[&str]]) -> Vec<u8> {
        let (mut doc, pages_id, resources_id) = with_helvetica();
        let mut kids = Vec::new();
        for lines in pages_lines {
            let mut ops = Vec::new();
            if lines.is_empty() {
                ops.push(Operation::new("q", vec![]));
                ops.push(Operation::new("Q", vec![]));
            } else {
                ops.push(Operation::new("BT", vec![]));
                ops.push(Operation::new("Tf", vec!["F1".into(), 12.into()]));
                ops.push(Operation::new("Td", vec![72.into(), 720.into()]));
                for (i, line) in lines.iter().enumerate() {
                    if i > 0 {
                        ops.push(Operation::new("Td", vec![0.into(), (-14).into()]));
                    }
                    // Words kerned apart, as word processors write them.
                    let parts: Vec<Object> = line
                        .split(' ')
                        .enumerate()
                        .flat_map(|(j, w)| {
                            let mut v = Vec::new();
                            if j > 0 {
                                v.push(Object::Integer(-250));
                            }
                            v.push(Object::string_literal(w));
                            v
                        })
                        .collect();
                    ops.push(Operation::new("TJ", vec![Object::Array(parts)]));
                }
                ops.push(Operation::new("ET", vec![]));
            }
            let content = Content { operations: ops };
            let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
            let page_id = doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
                "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
            });
            kids.push(page_id.into());
        }
        saved(doc, pages_id, kids, resources_id)
    }

    /// A test document begun: its page tree's id, and resources naming
    /// Helvetica (in WinAnsiEncoding) `F1`.
    fn with_helvetica() -> (Document, lopdf::ObjectId, lopdf::ObjectId) {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font_id = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
        });
        let resources_id =
            doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
        (doc, pages_id, resources_id)
    }

    /// A test document finished: its page tree of `kids` (sharing the
    /// resources `resources_id`) and a catalog, saved.
    fn saved(
        mut doc: Document,
        pages_id: lopdf::ObjectId,
        kids: Vec<Object>,
        resources_id: lopdf::ObjectId,
    ) -> Vec<u8> {
        let count = kids.len() as i64;
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => kids, "Count" => count, "Resources" => resources_id,
            }),
        );
        let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog_id);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    type Found = Vec<(u64, u64, String)>;

    #[test]
    fn pdf_dates_read_as_iso_dates() {
        // ISO 32000-1, 7.9.4: D:YYYYMMDDHHmmSSOHH'mm, all but the year optional.
        assert_eq!(
            pdf_date("D:20150312093000+00'00'").as_deref(),
            Some("2015-03-12")
        );
        assert_eq!(pdf_date("D:20150312").as_deref(), Some("2015-03-12"));
        assert_eq!(pdf_date("D:2015").as_deref(), Some("2015-01-01"));
        assert_eq!(pdf_date("20190701120000Z").as_deref(), Some("2019-07-01"));
        assert_eq!(pdf_date("D:20150231"), None, "no 31 February");
        assert_eq!(pdf_date("D:2015131"), None, "no month 13");
        assert_eq!(pdf_date("yesterday"), None);
        assert_eq!(pdf_date(""), None);
        assert_eq!(pdf_text(&[0xFE, 0xFF, 0, b'D', 0, b':']), "D:");
    }

    #[test]
    fn the_information_dictionary_gives_the_documents_dates() {
        let mut doc = Document::load_mem(&pdf_with_pages(&[&["Case notes"]])).unwrap();
        let info = doc.add_object(dictionary! {
            "CreationDate" => Object::string_literal("D:20150312093000Z"),
            "ModDate" => Object::string_literal("D:20160101"),
            "Author" => Object::string_literal("Housing Officer"),
        });
        doc.trailer.set("Info", info);
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes).unwrap();
        let engine =
            Engine::new(Rules::embedded().unwrap(), Date::new(2026, 1, 1).unwrap()).unwrap();
        let mut sink = Sink::new(&engine, "t.pdf".into(), false);
        scan(Box::new(std::io::Cursor::new(bytes)), &mut sink).unwrap();
        let meta = sink.document.expect("the PDF's own metadata");
        assert_eq!(meta.created.as_deref(), Some("2015-03-12"));
        assert_eq!(meta.modified.as_deref(), Some("2016-01-01"));
        assert_eq!(meta.author.as_deref(), Some("Housing Officer"));
        // Without one, nothing.
        let mut sink = Sink::new(&engine, "t.pdf".into(), false);
        scan(
            Box::new(std::io::Cursor::new(pdf_with_pages(&[&["Case notes"]]))),
            &mut sink,
        )
        .unwrap();
        assert!(sink.document.is_none());
    }

    fn run(bytes: Vec<u8>) -> (Found, Result<(), Problem>) {
        let engine =
            Engine::new(Rules::embedded().unwrap(), Date::new(2026, 1, 1).unwrap()).unwrap();
        let mut sink = Sink::new(&engine, "t.pdf".into(), true);
        let result = scan(Box::new(std::io::Cursor::new(bytes)), &mut sink);
        let found = sink
            .findings
            .iter()
            .map(|f| {
                (
                    f.location.page.unwrap(),
                    // None for a form field's value.
                    f.location.line.unwrap_or(0),
                    f.value.clone().unwrap(),
                )
            })
            .collect();
        (found, result)
    }

    #[test]
    fn pages_lines_and_whole_words() {
        let bytes = pdf_with_pages(&[
            &[
                "Dear tenant,",
                "Your National Insurance number: AB 12 34 56 C",
            ],
            &["Date of birth: 03/04/1985", "Email jo.bloggs@example.com"],
        ]);
        let (found, result) = run(bytes);
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(
            found,
            vec![
                (1, 2, "AB 12 34 56 C".to_string()),
                (2, 1, "03/04/1985".to_string()),
                (2, 2, "jo.bloggs@example.com".to_string())
            ]
        );
    }

    #[test]
    fn a_page_font_is_its_own_before_an_inherited_one() {
        let mut doc = Document::with_version("1.5");
        let font = |doc: &mut Document, base: &str| {
            doc.add_object(dictionary! { "Type" => "Font", "BaseFont" => base.to_string() })
        };
        let (own, inherited, other) = (
            font(&mut doc, "Own"),
            font(&mut doc, "Inherited"),
            font(&mut doc, "Other"),
        );
        let shared = doc.add_object(dictionary! {
            "Font" => dictionary! { "F1" => inherited, "F2" => other },
        });
        let pages_id = doc.new_object_id();
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => own } },
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1, "Resources" => shared,
            }),
        );
        let resources = doc.get_page_resources(page_id).unwrap();
        let base = |name: &[u8]| {
            page_font(&doc, &resources, name)
                .and_then(|f| f.get(b"BaseFont").ok()?.as_name().ok())
                .map(|n| String::from_utf8_lossy(n).into_owned())
        };
        assert_eq!(base(b"F1").as_deref(), Some("Own"));
        assert_eq!(base(b"F2").as_deref(), Some("Other"));
        assert_eq!(base(b"F3"), None);
    }

    #[test]
    fn image_only_pages_have_no_text() {
        let (_, result) = run(pdf_with_pages(&[&[], &[]]));
        assert!(matches!(result, Err(Problem::NoText(r)) if r.contains("2 page(s)")));
    }

    #[test]
    fn broken_pdfs_fail_with_a_reason() {
        let whole = pdf_with_pages(&[&["Email jo.bloggs@example.com"]]);
        for cut in [10, whole.len() / 3, whole.len() / 2] {
            let (_, result) = run(whole[..cut].to_vec());
            assert!(result.is_err(), "cut at {cut}");
        }
        let (_, result) = run(b"%PDF-1.4\n garbage".to_vec());
        assert!(matches!(result, Err(Problem::Failed(_))));
    }

    /// A page's content stream whose stated /Length is wrong is dropped by
    /// lopdf, and the page's text with it, silently. It is read with the
    /// length corrected, and the file fails, saying so.
    #[test]
    fn a_page_whose_stream_length_is_wrong_is_read_with_it_corrected() {
        let whole = pdf_with_pages(&[&["Email jo.bloggs@example.com"], &["Call 07700 900123"]]);
        let all = |found: &Found| found.iter().map(|f| f.0).collect::<Vec<u64>>();
        // The first page's stream: its length set short, in as many digits,
        // so the table of objects still points right.
        let text = memchr::memmem::find(&whole, b"jo.bloggs").unwrap();
        let length = memchr::memmem::rfind(&whole[..text], b"/Length ").unwrap() + 8;
        let digits = whole[length..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let mut short = whole.clone();
        short[length..length + digits].fill(b'1');
        let (found, result) = run(short.clone());
        assert_eq!(
            failure(&result),
            "damaged PDF: 1 stream length wrong, read as corrected"
        );
        assert_eq!(all(&found), [1, 2]);

        // Its table lost too, as a transfer that rewrote line ends leaves it.
        let xref = memchr::memmem::rfind(&short, b"xref").unwrap();
        let (found, result) = run(short[..xref].to_vec());
        assert!(
            failure(&result).ends_with(
                "; read from its objects, the table rebuilt; 1 stream length wrong, read as corrected"
            ),
            "{result:?}"
        );
        assert_eq!(all(&found), [1, 2]);
    }

    /// A stream that draws no page (a font's program, an image) loses no
    /// text when lopdf drops it: the file is read as it is, not failed.
    #[test]
    fn a_wrong_length_that_draws_no_page_is_left() {
        let (mut doc, pages_id, resources_id) = with_helvetica();
        let program = doc.add_object(Stream::new(dictionary! {}, b"FONTPROGRAM".to_vec()));
        let content = Content {
            operations: vec![
                Operation::new("BT", vec![]),
                Operation::new("Tf", vec!["F1".into(), 12.into()]),
                Operation::new("Td", vec![72.into(), 720.into()]),
                Operation::new("Tj", vec![Object::string_literal("Call 07700 900123")]),
                Operation::new("ET", vec![]),
            ],
        };
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
            "PieceInfo" => program,
        });
        let mut bytes = saved(doc, pages_id, vec![page_id.into()], resources_id);
        let data = memchr::memmem::find(&bytes, b"FONTPROGRAM").unwrap();
        let length = memchr::memmem::rfind(&bytes[..data], b"/Length ").unwrap() + 8;
        assert_eq!(&bytes[length..length + 2], b"11");
        bytes[length..length + 2].copy_from_slice(b"10");
        assert!(lengths::corrected(&bytes).is_some());
        let (found, result) = run(bytes);
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(found.len(), 1);
    }

    /// A PDF whose table of objects is lost or points astray is read from
    /// a table rebuilt from its objects, and still fails, saying so.
    #[test]
    fn a_pdf_with_its_table_lost_is_read_from_its_objects() {
        let whole = pdf_with_pages(&[&["Email jo.bloggs@example.com"], &["Call 07700 900123"]]);
        let all = |found: &Found| found.iter().map(|f| f.0).collect::<Vec<u64>>();
        let was_rebuilt = |result: &Result<(), Problem>| {
            matches!(result, Err(Problem::Failed(r))
                if r.starts_with("unreadable PDF: ") && r.ends_with("; read from its objects, the table rebuilt"))
        };
        let (found, result) = run(whole.clone());
        assert!(result.is_ok());
        assert_eq!(all(&found), [1, 2]);

        // Where the table starts pointing astray.
        let start = memchr::memmem::rfind(&whole, b"startxref").unwrap() + b"startxref".len();
        let mut astray = whole.clone();
        for b in astray[start..]
            .iter_mut()
            .skip_while(|b| !b.is_ascii_digit())
        {
            if !b.is_ascii_digit() {
                break;
            }
            *b = b'9';
        }
        let (found, result) = run(astray);
        assert!(was_rebuilt(&result), "{result:?}");
        assert_eq!(all(&found), [1, 2]);

        // Cut short after its last object: the table and trailer lost.
        let end = memchr::memmem::rfind(&whole, b"endobj").unwrap() + b"endobj".len();
        let (found, result) = run(whole[..end].to_vec());
        assert!(was_rebuilt(&result), "{result:?}");
        assert_eq!(all(&found), [1, 2]);

        // A file built of tiny objects is not repaired past 250,000.
        let tiny = |n: usize| {
            let mut b = b"%PDF-1.4".to_vec();
            for i in 1..=n {
                b.extend_from_slice(
                    format!("\n{} 0 obj\n<< /Type /Catalog >>\nendobj", i % 50 + 1).as_bytes(),
                );
            }
            b
        };
        assert!(rebuilt(&tiny(1_000)).is_some());
        assert!(rebuilt(&tiny(250_001)).is_none());
        // Nor loaded: they are counted first.
        let (_, result) = run(tiny(250_001));
        assert_eq!(
            failure(&result),
            "PDF not read: more than 250000 objects, which would take too much memory to load"
        );

        // Cut before the catalog (written last): one is made for the page
        // tree's root, which this writer puts first.
        let catalog = memchr::memmem::rfind(&whole, b"/Catalog").unwrap();
        let catalog = memchr::memmem::rfind(&whole[..catalog], b"endobj").unwrap() + 6;
        let (found, result) = run(whole[..catalog].to_vec());
        assert!(was_rebuilt(&result), "{result:?}");
        assert_eq!(all(&found), [1, 2]);

        // Cut within the second page's text: the first page is read.
        let second = memchr::memmem::find(&whole, b"07700").unwrap();
        let (found, result) = run(whole[..second].to_vec());
        assert!(was_rebuilt(&result), "{result:?}");
        assert_eq!(all(&found), [1]);

        // No page tree before the cut: nothing to start from.
        let tree = memchr::memmem::find(&whole, b"/Pages").unwrap();
        let (found, result) = run(whole[..tree].to_vec());
        assert!(
            matches!(&result, Err(Problem::Failed(r)) if !r.contains("rebuilt")),
            "{result:?}"
        );
        assert!(found.is_empty());
    }

    /// A PDF of pages drawing `contents[i]` for each `i` in `pages` (pages
    /// may share a stream), in a font with a standard encoding, or with
    /// `contents[font_map]` as its character map.
    fn pdf_with_contents(
        contents: Vec<Stream>,
        pages: &[usize],
        font_map: Option<usize>,
    ) -> Vec<u8> {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let ids: Vec<_> = contents.into_iter().map(|c| doc.add_object(c)).collect();
        let mut font =
            dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" };
        match font_map {
            Some(i) => font.set("ToUnicode", ids[i]),
            None => font.set("Encoding", "WinAnsiEncoding"),
        }
        let font_id = doc.add_object(font);
        let resources_id =
            doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
        let kids: Vec<Object> = pages
            .iter()
            .map(|&i| {
                doc.add_object(dictionary! {
                    "Type" => "Page", "Parent" => pages_id, "Contents" => ids[i],
                    "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
                })
                .into()
            })
            .collect();
        saved(doc, pages_id, kids, resources_id)
    }

    fn deflated(data: &[u8]) -> Stream {
        use std::io::Write;
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        Stream::new(
            dictionary! { "Filter" => "FlateDecode" },
            e.finish().unwrap(),
        )
    }

    fn shown(text: &str) -> Vec<u8> {
        format!("BT /F1 12 Tf 72 700 Td ({text}) Tj ET\n").into_bytes()
    }

    fn failure(result: &Result<(), Problem>) -> &str {
        match result {
            Err(Problem::Failed(why)) => why,
            other => panic!("{other:?}"),
        }
    }

    /// pdfminer's encrypted samples keep their /Encrypt dictionary in the
    /// trailer itself, not as a reference. lopdf's `is_encrypted` sees only
    /// a reference, so a file the empty password does not open was read as
    /// if it were plain: its page tree, inside encrypted object streams,
    /// gave "PDF has no pages".
    #[test]
    fn a_direct_encrypt_dictionary_the_empty_password_does_not_open_is_encrypted() {
        let pdf = pdf_with_contents(vec![deflated(&shown("Call 07700 900123"))], &[0], None);
        // Into the trailer (this writer's is the cross-reference stream's
        // dictionary), before its /Root: no offset moves.
        let open = memchr::memmem::rfind(&pdf, b"/Root").unwrap();
        let zeros = "00".repeat(32);
        let encrypt = format!("/Encrypt<</Filter/Standard/V 1/R 2/O<{zeros}>/U<{zeros}>/P -4>>");
        let mut locked = pdf[..open].to_vec();
        locked.extend_from_slice(encrypt.as_bytes());
        locked.extend_from_slice(&pdf[open..]);
        let (found, result) = run(locked);
        assert!(
            matches!(&result, Err(Problem::Encrypted(why)) if why == "encrypted PDF (password required)"),
            "{result:?}"
        );
        assert!(found.is_empty());
        // The same file without it is read.
        assert_eq!(run(pdf).0.len(), 1);
    }

    #[test]
    fn a_page_whose_content_unpacks_past_the_limit_is_not_read_and_the_others_are() {
        let mut bomb = shown("Call 07700 900123");
        bomb.resize(limits::MOST_STREAM_BYTES + 1, b' ');
        let pdf = pdf_with_contents(
            vec![
                deflated(&shown("Email jo.bloggs@example.com")),
                deflated(&bomb),
            ],
            &[0, 1],
            None,
        );
        let (found, result) = run(pdf);
        assert_eq!(
            failure(&result),
            "page 2 was not read: its content unpacks to more than 64 MiB (a compression bomb \
             guard); the others were scanned"
        );
        assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), [1]);
    }

    #[test]
    fn a_documents_streams_are_unpacked_within_an_allowance() {
        // Nine pages share one stream of 60 MiB: eight fit within 512 MiB.
        let mut shared = shown("Email jo.bloggs@example.com");
        shared.resize(60 << 20, b' ');
        let pdf = pdf_with_contents(vec![deflated(&shared)], &[0; 9], None);
        let (found, result) = run(pdf);
        assert_eq!(
            failure(&result),
            "page 9 was not read: its streams unpack to more than 512 MiB in all (a compression \
             bomb guard); the others were scanned"
        );
        assert_eq!(
            found.iter().map(|f| f.0).collect::<Vec<_>>(),
            (1..=8).collect::<Vec<_>>()
        );
    }

    #[test]
    fn long_content_is_parsed_in_pieces_keeping_the_font_and_position() {
        let moves = b"0 0 Td\n".repeat(3 << 18);
        let mut content = shown("Email jo.bloggs@example.com");
        content.extend(b"BT /F1 12 Tf 72 600 Td\n");
        content.extend(&moves);
        // Set in the first piece, drawn in the last.
        content.extend(b"(Call 07700 900123) Tj ET\n");
        let pdf = pdf_with_contents(vec![deflated(&content)], &[0], None);
        let (found, result) = run(pdf);
        assert!(result.is_ok(), "{result:?}");
        let values: Vec<&str> = found.iter().map(|f| f.2.as_str()).collect();
        assert_eq!(values, ["jo.bloggs@example.com", "07700 900123"]);

        // An operation that cannot be parsed (a string never closed) loses
        // the rest of its piece, not of the page.
        let mut content = shown("Email jo.bloggs@example.com");
        content.extend(&moves);
        content.extend(b"BT /F1 12 Tf (never closed\n");
        content.extend(&moves);
        content.extend(shown("Call 07700 900123"));
        let pdf = pdf_with_contents(vec![deflated(&content)], &[0], None);
        let (found, result) = run(pdf);
        assert!(result.is_ok(), "{result:?}");
        let values: Vec<&str> = found.iter().map(|f| f.2.as_str()).collect();
        assert_eq!(values, ["jo.bloggs@example.com", "07700 900123"]);
    }

    #[test]
    fn a_font_whose_character_map_unpacks_past_the_limit_is_not_read() {
        let map = vec![b' '; limits::MOST_STREAM_BYTES + 1];
        let pdf = pdf_with_contents(
            vec![
                deflated(&shown("Email jo.bloggs@example.com")),
                deflated(&map),
            ],
            &[0],
            Some(1),
        );
        let (found, result) = run(pdf);
        assert_eq!(
            failure(&result),
            "page 1 was read in part: a font's character map unpacks past the limits (a \
             compression bomb guard), so its text was read without it"
        );
        let values: Vec<&str> = found.iter().map(|f| f.2.as_str()).collect();
        assert_eq!(values, ["jo.bloggs@example.com"]);
    }

    /// A PDF of one page whose content draws the form `Outer`, which draws
    /// `Inner` (with its own font) and itself, and an image; and a
    /// fillable form of `fields` (with the page as their box's page).
    fn pdf_with_forms(
        fields: impl FnOnce(&mut Document, lopdf::ObjectId) -> Vec<Object>,
    ) -> Vec<u8> {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let page_id = doc.new_object_id();
        let font = |doc: &mut Document| {
            doc.add_object(dictionary! {
                "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
            })
        };
        let (f1, f2) = (font(&mut doc), font(&mut doc));
        let image = doc.add_object(Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => 1, "Height" => 1 },
            vec![0],
        ));
        let inner = doc.add_object(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Form",
                "Resources" => dictionary! { "Font" => dictionary! { "F2" => f2 } },
            },
            shown_in("F2", "Call 07700 900123"),
        ));
        let outer = doc.new_object_id();
        let mut outer_content = shown_in("F1", "Stamped by Lettings");
        outer_content.extend(b"/Inner Do /Outer Do /Im Do\n");
        doc.objects.insert(
            outer,
            Object::Stream(Stream::new(
                dictionary! {
                    "Type" => "XObject", "Subtype" => "Form",
                    "Resources" => dictionary! {
                        "Font" => dictionary! { "F1" => f1 },
                        "XObject" => dictionary! { "Inner" => inner, "Outer" => outer, "Im" => image },
                    },
                },
                outer_content,
            )),
        );
        let mut page_content = shown_in("F1", "Email jo.bloggs@example.com");
        page_content.extend(b"q /Outer Do Q /Im Do\n");
        page_content.extend(shown_in("F1", "Yours sincerely"));
        let content = doc.add_object(Stream::new(dictionary! {}, page_content));
        let fields = fields(&mut doc, page_id);
        let annots: Vec<Object> = doc
            .objects
            .iter()
            .filter(|(_, o)| o.as_dict().is_ok_and(|d| d.has_type(b"Annot")))
            .map(|(id, _)| Object::Reference(*id))
            .collect();
        doc.objects.insert(
            page_id,
            Object::Dictionary(dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => content, "Annots" => annots,
                "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
                "Resources" => dictionary! {
                    "Font" => dictionary! { "F1" => f1 },
                    "XObject" => dictionary! { "Outer" => outer, "Im" => image },
                },
            }),
        );
        doc.objects.insert(
            pages_id,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 },
            ),
        );
        let catalog = doc.add_object(dictionary! {
            "Type" => "Catalog", "Pages" => pages_id,
            "AcroForm" => dictionary! { "Fields" => fields },
        });
        doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    fn shown_in(font: &str, text: &str) -> Vec<u8> {
        format!("BT /{font} 12 Tf 72 700 Td ({text}) Tj ET\n").into_bytes()
    }

    /// The text of a page that draws `content` with Helvetica as `F1`.
    fn text_of_page(content: &str) -> String {
        let (mut doc, pages_id, resources_id) = with_helvetica();
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.as_bytes().to_vec()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        });
        let pdf = saved(doc, pages_id, vec![page_id.into()], resources_id);
        let doc = Document::load_mem(&pdf).unwrap();
        let page = *doc.get_pages().get(&1).unwrap();
        page_text(&doc, page, &mut limits::Allowance::new())
            .unwrap()
            .text
    }

    #[test]
    fn text_on_one_baseline_is_one_line_however_it_is_drawn() {
        // As LibreOffice draws a table, a cell a text object, each placed
        // from the page's corner; then a line of its own.
        assert_eq!(
            text_of_page(
                "BT 72 700 Td /F1 11 Tf (Name) Tj ET BT 200 700 Td /F1 11 Tf (DOB) Tj ET \
                 BT 72 686 Td /F1 11 Tf (Jo Bloggs) Tj ET BT 200 686.2 Td /F1 11 Tf (02/11/1971) Tj ET"
            ),
            "Name DOB\nJo Bloggs 02/11/1971\n"
        );
        // A scaled matrix and a unit font (moves are in the font's size), a
        // superscript, the leading (T*, '), and text drawn with no move at
        // all in a new object (at the page's corner: another line).
        assert_eq!(
            text_of_page(
                "BT /F1 1 Tf 11 0 0 11 72 700 Tm 14 TL (Flat 1) Tj 0 0.3 Td (st) Tj 0 -0.3 Td \
                 (floor) Tj 0 -1.2 Td (Call) Tj T* (07700 900123) Tj (again) ' ET BT (corner) Tj ET"
            ),
            "Flat 1 st floor\nCall\n07700 900123\nagain\ncorner\n"
        );
    }

    #[test]
    fn a_table_drawn_cell_by_cell_is_read_under_its_header() {
        let found = cell_by_cell(&[
            ["Name", "Date of birth", "Tenancy end"],
            ["Jo Bloggs", "02/11/1971", "31/03/2012"],
            ["Ann Lee", "25/06/2004", "01/01/2011"],
        ]);
        assert_eq!(
            found,
            [
                // The text after the table keeps its line.
                "page 1, line 5, column 16 date_of_birth: 17/03/1968",
                "page 1, table 1, line 3, row 2, column \"Date of birth\", cell 2 date_of_birth: 02/11/1971",
                "page 1, table 1, line 3, row 2, column \"Name\", cell 1 person_name: Jo Bloggs",
                "page 1, table 1, line 4, row 3, column \"Date of birth\", cell 2 date_of_birth: 25/06/2004",
                "page 1, table 1, line 4, row 3, column \"Name\", cell 1 person_name: Ann Lee",
            ]
        );
    }

    #[test]
    fn a_table_headed_by_a_row_of_values_names_no_columns() {
        // A rota without a header: its first row is laid out as one, but
        // is a person's, and must not name the columns below.
        let found = cell_by_cell(&[
            ["Mrs Nia Okafor", "Flat 3 Mill Court", "LS6 2QT"],
            ["Mr Dev Dunmore", "Flat 7 Mill Court", "LS6 2QU"],
            ["Ms Ann Lee", "Flat 9 Mill Court", "LS6 2QW"],
        ]);
        assert_eq!(
            found,
            [
                "page 1, line 5, column 16 date_of_birth: 17/03/1968",
                "page 1, table 1, line 2, row 1, cell 1 person_name: Nia Okafor",
                "page 1, table 1, line 2, row 1, cell 3 uk_postcode: LS6 2QT",
                "page 1, table 1, line 3, row 2, cell 1 person_name: Dev Dunmore",
                "page 1, table 1, line 3, row 2, cell 3 uk_postcode: LS6 2QU",
                "page 1, table 1, line 4, row 3, cell 1 person_name: Ann Lee",
                "page 1, table 1, line 4, row 3, cell 3 uk_postcode: LS6 2QW",
            ]
        );
    }

    /// A page as Word draws a table: each cell moved to by the matrix
    /// (`cm`), within a page scaled by its own, with a title before and a
    /// line of text after it. Its findings, sorted, as located and read.
    fn cell_by_cell(rows: &[[&str; 3]]) -> Vec<String> {
        let cell = |x: i32, y: i32, text: &str| {
            format!("q 1 0 0 1 {x} {y} cm BT /F1 11 Tf 0 0 Td ({text}) Tj ET Q ")
        };
        let mut content = String::from("q 0.5 0 0 0.5 0 0 cm ");
        content += "BT /F1 11 Tf 144 1500 Td (Tenants, March 2012) Tj ET ";
        for (y, row) in (0..).map(|i| 1470 - 30 * i).zip(rows) {
            for (x, text) in [144, 444, 744].into_iter().zip(row) {
                content += &cell(x, y, text);
            }
        }
        content += "BT /F1 11 Tf 144 1380 Td (Date of birth: 17/03/1968) Tj ET Q";
        let (mut doc, pages_id, resources_id) = with_helvetica();
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.into_bytes()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        });
        let pdf = saved(doc, pages_id, vec![page_id.into()], resources_id);
        let engine =
            Engine::new(Rules::embedded().unwrap(), Date::new(2026, 1, 1).unwrap()).unwrap();
        let mut sink = Sink::new(&engine, "t.pdf".into(), true);
        scan(Box::new(std::io::Cursor::new(pdf)), &mut sink).unwrap();
        let mut found: Vec<String> = sink
            .findings
            .iter()
            .map(|f| {
                format!(
                    "{} {}: {}",
                    f.location,
                    f.detector,
                    f.value.as_deref().unwrap()
                )
            })
            .collect();
        found.sort();
        found
    }

    #[test]
    fn the_forms_a_page_draws_are_read_where_they_are_drawn() {
        let pdf = pdf_with_forms(|_, _| Vec::new());
        let doc = Document::load_mem(&pdf).unwrap();
        let page = *doc.get_pages().get(&1).unwrap();
        let text = page_text(&doc, page, &mut limits::Allowance::new()).unwrap();
        // The form drawing itself is followed once; the image is passed over.
        assert_eq!(
            text.text,
            "Email jo.bloggs@example.com\nStamped by Lettings\nCall 07700 900123\nYours sincerely\n"
        );
        assert_eq!(text.short, None);
        let (found, result) = run(pdf);
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(
            found,
            [
                (1, 1, "jo.bloggs@example.com".to_string()),
                (1, 3, "07700 900123".to_string())
            ]
        );
    }

    #[test]
    fn a_fillable_forms_values_are_read_beside_their_labels() {
        let engine =
            Engine::new(Rules::embedded().unwrap(), Date::new(2026, 1, 1).unwrap()).unwrap();
        let pdf = pdf_with_forms(|doc, page| {
            let field = |doc: &mut Document,
                         t: &str,
                         tu: Option<&str>,
                         v: Object,
                         parent: Option<lopdf::ObjectId>| {
                let mut d = dictionary! {
                    "Type" => "Annot", "Subtype" => "Widget", "P" => page,
                    "T" => Object::string_literal(t), "V" => v,
                };
                if let Some(tu) = tu {
                    d.set("TU", Object::string_literal(tu));
                }
                if let Some(parent) = parent {
                    d.set("Parent", parent);
                }
                doc.add_object(d)
            };
            let ni = field(
                doc,
                "Text3",
                Some("National Insurance number"),
                Object::string_literal("AB 12 34 56 C"),
                None,
            );
            let checked = field(doc, "consent", None, Object::Name(b"Yes".to_vec()), None);
            let blank = field(
                doc,
                "Text4",
                Some("Date of birth"),
                Object::string_literal(" "),
                None,
            );
            let listed = field(
                doc,
                "languages",
                None,
                Object::Array(vec![Object::string_literal("jo.bloggs@example.com")]),
                None,
            );
            // A parent whose kids name themselves under it, one of them
            // listing the parent again.
            let parent = doc.new_object_id();
            let dob = field(
                doc,
                "dob",
                None,
                Object::string_literal("03/04/1985"),
                Some(parent),
            );
            let looped = doc.add_object(dictionary! { "T" => Object::string_literal("again"), "Kids" => vec![parent.into()] });
            doc.objects.insert(
                parent,
                Object::Dictionary(dictionary! {
                    "T" => Object::string_literal("applicant"), "Kids" => vec![dob.into(), looped.into()],
                }),
            );
            vec![
                ni.into(),
                checked.into(),
                blank.into(),
                listed.into(),
                parent.into(),
            ]
        });
        let mut sink = Sink::new(&engine, "t.pdf".into(), true);
        let result = scan(Box::new(std::io::Cursor::new(pdf)), &mut sink);
        assert!(result.is_ok(), "{result:?}");
        let fields: Vec<(Option<u64>, Option<&str>, &str, &str)> = sink
            .findings
            .iter()
            .filter(|f| f.location.pointer.is_some())
            .map(|f| {
                (
                    f.location.page,
                    f.location.pointer.as_deref(),
                    f.detector.as_str(),
                    f.value.as_deref().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            fields,
            [
                (Some(1), Some("Text3"), "uk_nino", "AB 12 34 56 C"),
                (Some(1), Some("languages"), "email", "jo.bloggs@example.com"),
                (
                    Some(1),
                    Some("applicant.dob"),
                    "date_of_birth",
                    "03/04/1985"
                ),
            ]
        );
        // Judged beside its label, the tooltip, not its name.
        let ni = sink
            .findings
            .iter()
            .find(|f| f.detector == "uk_nino")
            .unwrap();
        assert!(
            ni.evidence
                .iter()
                .any(|e| e == "header:national insurance number"),
            "{:?}",
            ni.evidence
        );
    }

    #[test]
    fn a_form_with_typed_values_on_pages_without_text_is_read() {
        let mut doc = Document::load_mem(&pdf_with_pages(&[&[]])).unwrap();
        let page = *doc.get_pages().get(&1).unwrap();
        let field = doc.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Widget", "P" => page,
            "T" => Object::string_literal("Email"), "V" => Object::string_literal("jo.bloggs@example.com"),
        });
        let catalog = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
        doc.get_dictionary_mut(catalog)
            .unwrap()
            .set("AcroForm", dictionary! { "Fields" => vec![field.into()] });
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        let (found, result) = run(out);
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(found, [(1, 0, "jo.bloggs@example.com".to_string())]);
        // Without the form, the page has no text.
        let (_, result) = run(pdf_with_pages(&[&[]]));
        assert!(matches!(result, Err(Problem::NoText(_))), "{result:?}");
    }

    #[test]
    fn comments_on_a_page_are_read_in_their_own_part() {
        let engine =
            Engine::new(Rules::embedded().unwrap(), Date::new(2026, 1, 1).unwrap()).unwrap();
        let mut doc = Document::load_mem(&pdf_with_pages(&[&[]])).unwrap();
        let page = *doc.get_pages().get(&1).unwrap();
        let annot = |doc: &mut Document, kind: &str, text: &str| -> Object {
            doc.add_object(dictionary! {
                "Type" => "Annot", "Subtype" => kind, "Contents" => Object::string_literal(text),
            })
            .into()
        };
        let annots = vec![
            annot(&mut doc, "Text", "Spoke to jo.bloggs@example.com"),
            annot(&mut doc, "Link", "Call 07700 900123"),
            annot(&mut doc, "Popup", "NI AB 12 34 56 C"),
            annot(&mut doc, "FreeText", "Call 07700 900456"),
        ];
        doc.get_dictionary_mut(page).unwrap().set("Annots", annots);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        let mut sink = Sink::new(&engine, "t.pdf".into(), true);
        let result = scan(Box::new(std::io::Cursor::new(out)), &mut sink);
        // Text, though the page itself is an image.
        assert!(result.is_ok(), "{result:?}");
        let found: Vec<String> = sink
            .findings
            .iter()
            .map(|f| format!("{} = {}", f.location, f.value.as_deref().unwrap()))
            .collect();
        assert_eq!(
            found,
            [
                "part comment, page 1, line 1, column 10 = jo.bloggs@example.com",
                "part comment, page 1, line 1, column 6 = 07700 900456"
            ]
        );
    }

    #[test]
    fn a_form_drawn_without_end_is_drawn_within_the_allowance() {
        // An empty form, drawn 140,000 times: each draw costs 4 KiB of the
        // document's 512 MiB.
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let form = doc.add_object(Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Form" },
            Vec::new(),
        ));
        let font = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
        });
        let resources_id = doc.add_object(dictionary! {
            "Font" => dictionary! { "F1" => font },
            "XObject" => dictionary! { "X" => form },
        });
        let mut content = shown("Email jo.bloggs@example.com");
        content.extend(b"/X Do\n".repeat(140_000));
        let content_id = doc.add_object(deflated(&content));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        });
        let (found, result) = run(saved(doc, pages_id, vec![page.into()], resources_id));
        assert_eq!(
            failure(&result),
            "page 1 was read in part: its streams unpack to more than 512 MiB in all (a \
             compression bomb guard)"
        );
        assert_eq!(found.len(), 1);
    }
}
