//! Rich Text Format (`.rtf`): the letters housing and care systems merge
//! and save, and the bodies Outlook keeps compressed in a `.msg`. The file
//! is read as it streams: groups, control words and text, each group with
//! the state it inherits (its destination, the `\ucN` fallback count,
//! whether its paragraph is in a table, deleted text, the font, whose
//! character set may be another code page's). Paragraphs (`\par`)
//! and table rows (`\cell`, `\row`) are scanned as a DOCX's are, with
//! headers and footers, footnotes, endnotes and comments as parts. What is
//! not text is passed over: font, colour and style tables, pictures,
//! embedded objects' data, field codes (a link's address), bookmarks, and
//! every destination marked ignorable (`{\*\…}`) that is not a comment. The
//! author and dates come from `\info`, for retention counted from the
//! document's date.

use std::io::{self, BufRead, BufReader, Read};

use encoding_rs::Encoding;

use super::{le_u32, office, ole, DocumentMeta, Problem, Sink};

/// Groups nested deeper than this are damage (or an attack), not a
/// document: Word's own files go a few dozen deep.
const MAX_DEPTH: usize = 10_000;
/// A paragraph (or cell) longer than this is handed over in pieces, so a
/// file of one endless paragraph is read in bounded memory.
const MAX_PARAGRAPH: usize = 1 << 20;
/// A row of more cells, or more text, than this is handed over in pieces.
const MAX_CELLS: usize = 4096;
const MAX_ROW: usize = 4 * MAX_PARAGRAPH;
/// Parts open inside parts (a footnote in a comment in a header) past
/// this are read as the text of the one around them: each holds its
/// paragraph and row until it closes, so their number bounds the memory.
const MAX_PARTS_OPEN: usize = 8;
/// Letters of a control word that are kept (the specification's limit).
const MAX_WORD: usize = 32;

/// Where a document's text goes as it is read: a file's scan, or a
/// message body's plain text.
pub(super) trait Out {
    fn paragraph(&mut self, part: Option<&'static str>, text: &str);
    fn row(&mut self, part: Option<&'static str>, cells: Vec<String>);
}

impl Out for office::Flow<'_, '_> {
    fn paragraph(&mut self, part: Option<&'static str>, text: &str) {
        office::Flow::paragraph(self, part, text);
    }

    fn row(&mut self, part: Option<&'static str>, cells: Vec<String>) {
        office::Flow::row(self, part, cells);
    }
}

/// The body's text as one string: paragraphs a line each, a row's cells
/// apart by tabs; the other parts left out.
#[derive(Default)]
pub(super) struct PlainText(pub(super) String);

impl Out for PlainText {
    fn paragraph(&mut self, part: Option<&'static str>, text: &str) {
        if part.is_none() {
            self.0.push_str(text);
            self.0.push('\n');
        }
    }

    fn row(&mut self, part: Option<&'static str>, cells: Vec<String>) {
        if part.is_none() {
            self.0.push_str(&cells.join("\t"));
            self.0.push('\n');
        }
    }
}

pub fn scan(src: impl Read, sink: &mut Sink) -> Result<(), Problem> {
    let mut flow = office::Flow::new(sink);
    let (meta, read) = read(src, &mut flow);
    if meta != DocumentMeta::default() {
        flow.sink().document = Some(meta);
    }
    flow.finish();
    read
}

/// Reads an RTF document from `src`, handing its text to `out`: its author
/// and dates, and whether it was read whole (if not, why; what came
/// before was handed over).
pub(super) fn read(src: impl Read, out: &mut dyn Out) -> (DocumentMeta, Result<(), Problem>) {
    let mut reader = Reader::new(out);
    let result = reader.run(&mut BufReader::with_capacity(64 << 10, src));
    reader.end();
    (reader.meta(), result)
}

/// The text of a message body Outlook keeps as compressed RTF
/// (`PR_RTF_COMPRESSED`, MS-OXRTFCP): unpacked, then read as RTF. Its text,
/// with why it is only part of it if it is (damaged RTF); an error if it
/// could not be unpacked.
pub(crate) fn message_body(stream: &[u8]) -> Result<(String, Option<String>), String> {
    let rtf = decompressed(stream)?;
    let mut text = PlainText::default();
    let problem = read(&rtf[..], &mut text).1.err().map(|p| p.split().1);
    Ok((text.0, problem))
}

/// Compressed RTF unpacked. The library trusts the header's sizes (it
/// slices and allocates by them), so they are checked here first: the
/// stream holds its header, its stated size is its size, and the raw size
/// is what the data can unpack to (a reference of two bytes gives at most
/// 17).
fn decompressed(stream: &[u8]) -> Result<Vec<u8>, String> {
    const COMPRESSED: u32 = 0x7546_5A4C;
    const UNCOMPRESSED: u32 = 0x414C_454D;
    let word = |at: usize| le_u32(stream, at);
    let damaged = |what: &str| format!("damaged compressed RTF: {what}");
    let (Some(size), Some(raw), Some(kind)) = (word(0), word(4), word(8)) else {
        return Err(damaged("shorter than its header"));
    };
    let data = (stream.len() - 12) as u64;
    if u64::from(size) + 4 != stream.len() as u64 || stream.len() < 16 {
        return Err(damaged("its stated size is not its size"));
    }
    let fits = match kind {
        COMPRESSED => u64::from(raw) <= data.saturating_mul(9),
        UNCOMPRESSED => u64::from(raw) + 4 <= data,
        _ => return Err(damaged("an unknown kind of compression")),
    };
    if !fits {
        return Err(damaged("it says it unpacks to more than its data can"));
    }
    let text = compressed_rtf::decompress_rtf(stream).map_err(|e| damaged(&e.to_string()))?;
    // The library gives each byte as the character of that number.
    Ok(text.chars().map(|c| c as u32 as u8).collect())
}

/// What a group's text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dest {
    /// Text of the document (the body or a part).
    Text,
    /// Not text: passed over.
    Skip,
    /// The font table: which fonts are in which character set.
    Fonts,
    /// The document information group, and the parts of it trawl reads.
    Info,
    Author,
    Created,
    Revised,
}

/// A group's state, inherited by the groups inside it.
#[derive(Debug, Clone, Copy)]
struct State {
    dest: Dest,
    /// Which text target (body or part) its text goes to.
    target: usize,
    /// This group opened that target, and closes it.
    opened_target: bool,
    /// Fallback characters to skip after `\uN`.
    uc: u32,
    /// Its paragraph is in a table (`\intbl`).
    in_table: bool,
    /// Deleted text (a tracked change): left out, as a DOCX's is.
    deleted: bool,
    /// The font (`\fN`), whose character set may be another code page's.
    font: i64,
}

/// A body or part being read: its paragraph so far, and its row.
struct Target {
    part: Option<&'static str>,
    /// Bytes in the code page of the font they were read in, not yet
    /// decoded.
    raw: Vec<u8>,
    text: String,
    /// A table cell's earlier paragraphs.
    cell: String,
    cells: Vec<String>,
    /// The bytes of its cells.
    cells_bytes: usize,
}

impl Target {
    fn new(part: Option<&'static str>) -> Self {
        Target {
            part,
            raw: Vec::new(),
            text: String::new(),
            cell: String::new(),
            cells: Vec::new(),
            cells_bytes: 0,
        }
    }
}

/// A date of `\info` as its `\yr`, `\mo`, `\dy` give it.
#[derive(Debug, Default, Clone, Copy)]
struct InfoDate {
    year: i32,
    month: i32,
    day: i32,
}

impl InfoDate {
    fn iso(self) -> Option<String> {
        let date = jiff::civil::Date::new(
            i16::try_from(self.year).ok()?,
            i8::try_from(self.month).ok()?,
            i8::try_from(self.day).ok()?,
        )
        .ok()?;
        (self.year >= 1980).then(|| date.to_string())
    }
}

struct Reader<'o> {
    out: &'o mut dyn Out,
    /// The document's code page (`\ansicpg`).
    encoding: &'static Encoding,
    /// Fonts whose character set is another code page's (`\fcharset`),
    /// and the default font (`\deff`).
    font_encodings: std::collections::HashMap<i64, &'static Encoding>,
    default_font: i64,
    /// The font the font table is defining.
    defining_font: i64,
    /// The state of each open group, the innermost last.
    stack: Vec<State>,
    state: State,
    targets: Vec<Target>,
    /// Fallback characters still to skip after a `\uN`.
    skip: u32,
    /// The first half of a character beyond the BMP, from `\uN`.
    high_surrogate: Option<u16>,
    /// The next control word names the group's destination (`{\*\…`).
    ignorable: bool,
    /// The group's first control word is still to come.
    group_start: bool,
    author: String,
    date: InfoDate,
    created: Option<String>,
    revised: Option<String>,
    /// The info text being read (its author).
    info_text: String,
    /// The root group has closed: the document is over.
    done: bool,
}

impl<'o> Reader<'o> {
    fn new(out: &'o mut dyn Out) -> Self {
        let state = State {
            dest: Dest::Text,
            target: 0,
            opened_target: false,
            uc: 1,
            in_table: false,
            deleted: false,
            font: 0,
        };
        Reader {
            out,
            encoding: encoding_rs::WINDOWS_1252,
            font_encodings: std::collections::HashMap::new(),
            default_font: 0,
            defining_font: 0,
            stack: Vec::new(),
            state,
            targets: vec![Target::new(None)],
            skip: 0,
            high_surrogate: None,
            ignorable: false,
            group_start: false,
            author: String::new(),
            date: InfoDate::default(),
            created: None,
            revised: None,
            info_text: String::new(),
            done: false,
        }
    }

    fn meta(&self) -> DocumentMeta {
        let author = self.author.trim().to_string();
        DocumentMeta {
            author: (!author.is_empty()).then_some(author),
            created: self.created.clone(),
            modified: self.revised.clone(),
        }
    }

    fn run(&mut self, input: &mut impl BufRead) -> Result<(), Problem> {
        // What the first read gave (sniffing saw `{\rtf`; a slice of an
        // Outlook body was not sniffed).
        let header = fill(input)?;
        let seen = header.len().min(5);
        if seen == 0 || header[..seen] != b"{\\rtf"[..seen] {
            return Err(Problem::Failed(
                "not an RTF document: it does not start with {\\rtf".into(),
            ));
        }
        while !self.done {
            let buf = fill(input)?;
            let Some(&byte) = buf.first() else {
                break;
            };
            match byte {
                b'{' => {
                    input.consume(1);
                    self.open_group()?;
                }
                b'}' => {
                    input.consume(1);
                    self.close_group();
                }
                b'\\' => {
                    input.consume(1);
                    self.control(input)?;
                }
                b'\r' | b'\n' => input.consume(1),
                _ => {
                    // A run of text up to the next brace, backslash or line
                    // end, taken at once unless fallbacks are being skipped.
                    let run = if self.skip > 0 {
                        1
                    } else {
                        memchr::memchr3(b'{', b'}', b'\\', buf)
                            .unwrap_or(buf.len())
                            .min(memchr::memchr2(b'\r', b'\n', buf).unwrap_or(buf.len()))
                    };
                    let run = run.max(1);
                    if self.skip > 0 {
                        self.skip -= 1;
                    } else {
                        self.group_start = false;
                        self.bytes(&buf[..run]);
                    }
                    input.consume(run);
                }
            }
        }
        if !self.done {
            let open = self.stack.len();
            return Err(Problem::Failed(format!(
                "RTF cut short: it ends with {open} group(s) still open; the text up to there was scanned"
            )));
        }
        Ok(())
    }

    fn open_group(&mut self) -> Result<(), Problem> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Problem::Failed(format!(
                "damaged RTF: groups nested more than {MAX_DEPTH} deep; the text before them was scanned"
            )));
        }
        self.skip = 0;
        self.stack.push(self.state);
        self.state.opened_target = false;
        self.group_start = true;
        self.ignorable = false;
        Ok(())
    }

    fn close_group(&mut self) {
        self.skip = 0;
        self.group_start = false;
        self.ignorable = false;
        match self.state.dest {
            Dest::Author => self.author = std::mem::take(&mut self.info_text),
            Dest::Created => self.created = std::mem::take(&mut self.date).iso(),
            Dest::Revised => self.revised = std::mem::take(&mut self.date).iso(),
            _ => {}
        }
        if self
            .stack
            .last()
            .is_some_and(|outer| outer.font != self.state.font)
        {
            // Bytes read in this group's font are decoded in it.
            self.decode(self.state.target);
        }
        if self.state.opened_target {
            self.close_target();
        }
        if let Some(state) = self.stack.pop() {
            self.state = state;
        }
        // The root group has closed: what follows it is not the document.
        self.done = self.stack.is_empty();
    }

    /// A control word or symbol, its backslash read.
    fn control(&mut self, input: &mut impl BufRead) -> Result<(), Problem> {
        let Some(&first) = fill(input)?.first() else {
            return Ok(());
        };
        if !first.is_ascii_alphabetic() {
            input.consume(1);
            return self.symbol(first, input);
        }
        let mut word = [0u8; MAX_WORD];
        let mut len = 0;
        loop {
            let buf = fill(input)?;
            let letters = buf
                .iter()
                .position(|b| !b.is_ascii_alphabetic())
                .unwrap_or(buf.len());
            let more = letters > 0 && letters == buf.len();
            for &b in &buf[..letters] {
                if len < MAX_WORD {
                    word[len] = b;
                }
                len += 1;
            }
            input.consume(letters);
            if !more {
                break;
            }
        }
        let word = &word[..len.min(MAX_WORD)];
        // An optional signed parameter, then one space that belongs to it.
        let mut param: Option<i64> = None;
        let mut negative = false;
        if fill(input)?.first() == Some(&b'-') {
            negative = true;
            input.consume(1);
        }
        while let Some(&b) = fill(input)?.first().filter(|b| b.is_ascii_digit()) {
            input.consume(1);
            let digit = i64::from(b - b'0');
            param = Some(
                param
                    .unwrap_or(0)
                    .saturating_mul(10)
                    .saturating_add(digit)
                    .min(i64::from(u32::MAX)),
            );
        }
        let param = param.map(|p| if negative { -p } else { p });
        if fill(input)?.first() == Some(&b' ') {
            input.consume(1);
        }
        if word == b"bin" {
            // Binary data: skipped unread, whatever it holds.
            let mut left = param.unwrap_or(0).max(0) as u64;
            while left > 0 {
                let buf = fill(input)?;
                if buf.is_empty() {
                    break;
                }
                let n = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
                input.consume(n);
                left -= n as u64;
            }
            self.group_start = false;
            return Ok(());
        }
        self.word(word, param);
        Ok(())
    }

    fn symbol(&mut self, symbol: u8, input: &mut impl BufRead) -> Result<(), Problem> {
        if symbol == b'*' {
            self.ignorable = true;
            return Ok(());
        }
        if symbol == b'\'' {
            let mut hex = [0u8; 2];
            for h in &mut hex {
                let Some(&b) = fill(input)?.first() else {
                    return Ok(());
                };
                if !b.is_ascii_hexdigit() {
                    // Not an escape after all: the byte is read as text.
                    return Ok(());
                }
                input.consume(1);
                *h = b;
            }
            let value = hex_value(hex[0]) << 4 | hex_value(hex[1]);
            self.group_start = false;
            if self.skip > 0 {
                self.skip -= 1;
            } else {
                self.bytes(&[value]);
            }
            return Ok(());
        }
        self.group_start = false;
        if self.skip > 0 {
            self.skip -= 1;
            return Ok(());
        }
        match symbol {
            b'\\' | b'{' | b'}' => self.bytes(&[symbol]),
            b'~' => self.push_str("\u{a0}"),
            b'_' => self.push_str("\u{2011}"),
            b'\r' | b'\n' => self.paragraph_end(),
            _ => {} // `\-` (an optional hyphen), `\:`, `\|`: nothing to read
        }
        Ok(())
    }

    fn word(&mut self, word: &[u8], param: Option<i64>) {
        let at_start = std::mem::take(&mut self.group_start);
        let ignorable = std::mem::take(&mut self.ignorable);
        if at_start && self.destination(word) {
            return;
        }
        if ignorable && at_start {
            // An ignorable destination trawl does not know: passed over.
            self.state.dest = Dest::Skip;
            return;
        }
        let n = param.unwrap_or(1);
        match self.state.dest {
            Dest::Created | Dest::Revised => {
                let n = param.unwrap_or(0).clamp(0, 10_000) as i32;
                match word {
                    b"yr" => self.date.year = n,
                    b"mo" => self.date.month = n,
                    b"dy" => self.date.day = n,
                    _ => {}
                }
                return;
            }
            Dest::Fonts => {
                self.font_table_word(word, param);
                return;
            }
            Dest::Skip | Dest::Info => return,
            Dest::Text | Dest::Author => {}
        }
        if word == b"u" {
            self.unicode(param.unwrap_or(0));
            self.skip = self.state.uc;
            return;
        }
        if self.skip > 0 {
            self.skip -= 1;
            return;
        }
        match word {
            b"ansicpg" => {
                if let Some(cp) = param.and_then(|p| u32::try_from(p).ok()) {
                    self.encoding = ole::encoding(Some(cp));
                }
            }
            b"mac" => self.encoding = encoding_rs::MACINTOSH,
            b"uc" => self.state.uc = param.unwrap_or(1).clamp(0, 16) as u32,
            b"par" | b"sect" => self.paragraph_end(),
            b"line" | b"page" | b"column" | b"softline" => self.push_str("\n"),
            b"tab" => self.push_str("\t"),
            b"cell" => self.cell_end(),
            b"nestcell" | b"nestrow" => self.push_str("\n"),
            b"row" => self.row_end(),
            b"intbl" => self.state.in_table = n != 0,
            b"pard" => self.state.in_table = false,
            b"deleted" => self.state.deleted = n != 0,
            b"plain" => {
                self.state.deleted = false;
                self.set_font(self.default_font);
            }
            b"f" => self.set_font(param.unwrap_or(0)),
            b"deff" => {
                self.default_font = param.unwrap_or(0);
                self.set_font(self.default_font);
            }
            b"ftnalt" if self.state.opened_target => {
                self.targets[self.state.target].part = Some("endnotes");
            }
            b"emdash" => self.push_str("\u{2014}"),
            b"endash" => self.push_str("\u{2013}"),
            b"emspace" | b"enspace" | b"qmspace" => self.push_str(" "),
            b"bullet" => self.push_str("\u{2022}"),
            b"lquote" => self.push_str("\u{2018}"),
            b"rquote" => self.push_str("\u{2019}"),
            b"ldblquote" => self.push_str("\u{201c}"),
            b"rdblquote" => self.push_str("\u{201d}"),
            _ => {}
        }
    }

    /// The group's first control word, if it names a destination: true if
    /// it did (and the group's state now says where its text goes).
    fn destination(&mut self, word: &[u8]) -> bool {
        match self.state.dest {
            // Inside what is passed over, everything is.
            Dest::Skip => return true,
            // A font table's entries are no destinations.
            Dest::Author | Dest::Created | Dest::Revised | Dest::Fonts => return false,
            Dest::Info | Dest::Text => {}
        }
        if self.state.dest == Dest::Info {
            self.state.dest = match word {
                b"author" => {
                    self.info_text.clear();
                    Dest::Author
                }
                b"creatim" => Dest::Created,
                b"revtim" => Dest::Revised,
                _ => Dest::Skip,
            };
            if matches!(self.state.dest, Dest::Created | Dest::Revised) {
                self.date = InfoDate::default();
            }
            return true;
        }
        let part = match word {
            b"header" | b"headerl" | b"headerr" | b"headerf" | b"footer" | b"footerl"
            | b"footerr" | b"footerf" => "headers",
            b"footnote" => "footnotes",
            b"annotation" => "comments",
            b"info" => {
                self.state.dest = Dest::Info;
                return true;
            }
            b"fonttbl" => {
                self.state.dest = Dest::Fonts;
                return true;
            }
            b"colortbl"
            | b"stylesheet"
            | b"pict"
            | b"fldinst"
            | b"objdata"
            | b"listtable"
            | b"listoverridetable"
            | b"revtbl"
            | b"rsidtbl"
            | b"filetbl"
            | b"generator"
            | b"themedata"
            | b"colorschememapping"
            | b"datastore"
            | b"latentstyles"
            | b"xmlnstbl"
            | b"listtext"
            | b"pntext"
            | b"xe"
            | b"tc"
            | b"template"
            | b"datafield"
            | b"nonshppict"
            | b"bkmkstart"
            | b"bkmkend"
            | b"atnid"
            | b"atnauthor"
            | b"atndate" => {
                self.state.dest = Dest::Skip;
                return true;
            }
            _ => return false,
        };
        if self.targets.len() > MAX_PARTS_OPEN {
            return true;
        }
        self.decode(self.state.target);
        self.targets.push(Target::new(Some(part)));
        self.state.target = self.targets.len() - 1;
        self.state.opened_target = true;
        self.state.in_table = false;
        true
    }

    /// Text bytes in the document's code page.
    fn bytes(&mut self, bytes: &[u8]) {
        match self.state.dest {
            Dest::Text if !self.state.deleted => {
                self.flush_surrogate();
                self.targets[self.state.target].raw.extend_from_slice(bytes);
                self.bound_paragraph();
            }
            Dest::Author if self.info_text.len() < 4096 => {
                let (text, _) = self.encoding.decode_without_bom_handling(bytes);
                self.info_text.push_str(&text);
            }
            _ => {}
        }
    }

    fn push_str(&mut self, s: &str) {
        if self.state.dest != Dest::Text || self.state.deleted {
            return;
        }
        self.flush_surrogate();
        self.decode(self.state.target);
        self.targets[self.state.target].text.push_str(s);
        self.bound_paragraph();
    }

    /// A paragraph past [`MAX_PARAGRAPH`] is handed over as it stands,
    /// whether it grew by text, escapes or `\uN`.
    fn bound_paragraph(&mut self) {
        let target = &self.targets[self.state.target];
        if target.raw.len() + target.text.len() > MAX_PARAGRAPH {
            self.paragraph_end();
        }
    }

    /// `\uN`: a UTF-16 unit, negative above 32767.
    fn unicode(&mut self, value: i64) {
        let unit = if value < 0 { value + 65536 } else { value };
        let Ok(unit) = u16::try_from(unit) else {
            return;
        };
        if self.state.dest == Dest::Author {
            if let Some(c) = char::from_u32(u32::from(unit)).filter(|_| self.info_text.len() < 4096)
            {
                self.info_text.push(c);
            }
            return;
        }
        if let Some(high) = self.high_surrogate.take() {
            if (0xDC00..0xE000).contains(&unit) {
                let c = char::decode_utf16([high, unit])
                    .next()
                    .and_then(Result::ok)
                    .unwrap_or('\u{fffd}');
                self.push_str(c.encode_utf8(&mut [0u8; 4]));
                return;
            }
            self.push_str("\u{fffd}");
        }
        if (0xD800..0xDC00).contains(&unit) {
            self.high_surrogate = Some(unit);
            return;
        }
        let c = char::from_u32(u32::from(unit)).unwrap_or('\u{fffd}');
        self.push_str(c.encode_utf8(&mut [0u8; 4]));
    }

    fn flush_surrogate(&mut self) {
        if self.high_surrogate.take().is_some() {
            let target = &mut self.targets[self.state.target];
            target.text.push('\u{fffd}');
        }
    }

    /// A control word of the font table: a font's number, and its
    /// character set or code page.
    fn font_table_word(&mut self, word: &[u8], param: Option<i64>) {
        let codepage = match (word, param) {
            (b"f", Some(n)) => {
                self.defining_font = n;
                return;
            }
            (b"fcharset", Some(set)) => match set {
                77 => return self.font_encoding(encoding_rs::MACINTOSH),
                128 => 932,
                129 => 949,
                134 => 936,
                136 => 950,
                161 => 1253,
                162 => 1254,
                163 => 1258,
                177 => 1255,
                178 => 1256,
                186 => 1257,
                204 => 1251,
                222 => 874,
                238 => 1250,
                // ANSI, the default, symbols, OEM: the document's code page.
                _ => return,
            },
            (b"cpg", Some(cp)) => match u32::try_from(cp) {
                Ok(cp) if cp != 1252 => cp,
                _ => return,
            },
            _ => return,
        };
        self.font_encoding(ole::encoding(Some(codepage)));
    }

    fn font_encoding(&mut self, encoding: &'static Encoding) {
        // A font table of millions of fonts keeps the first thousands.
        const MOST_FONTS: usize = 4096;
        if self.font_encodings.len() < MOST_FONTS {
            self.font_encodings.insert(self.defining_font, encoding);
        }
    }

    /// `\fN` in the text: what was read in the font before is decoded in it.
    fn set_font(&mut self, font: i64) {
        if font != self.state.font {
            self.decode(self.state.target);
            self.state.font = font;
        }
    }

    /// Decodes what a target holds in the code page into its text: the
    /// font's, if its character set is another's, else the document's.
    fn decode(&mut self, target: usize) {
        if self.targets[target].raw.is_empty() {
            return;
        }
        let encoding = self
            .font_encodings
            .get(&self.state.font)
            .copied()
            .unwrap_or(self.encoding);
        let target = &mut self.targets[target];
        let (text, _) = encoding.decode_without_bom_handling(&target.raw);
        target.text.push_str(&text);
        target.raw.clear();
    }

    fn paragraph_end(&mut self) {
        if self.state.dest != Dest::Text {
            return;
        }
        let at = self.state.target;
        self.decode(at);
        let in_table = self.state.in_table;
        let target = &mut self.targets[at];
        let text = std::mem::take(&mut target.text);
        if in_table {
            if !target.cell.is_empty() {
                target.cell.push('\n');
            }
            target.cell.push_str(&text);
            if target.cell.len() > MAX_PARAGRAPH {
                self.cell_end();
            }
            return;
        }
        if !target.cells.is_empty() || !target.cell.is_empty() {
            // A table that ended without its `\row`.
            self.row_end();
        }
        self.out.paragraph(self.targets[at].part, &text);
    }

    fn cell_end(&mut self) {
        if self.state.dest == Dest::Text {
            self.end_cell(self.state.target);
        }
    }

    /// A target's text so far ends its cell, which joins its row.
    fn end_cell(&mut self, at: usize) {
        self.decode(at);
        let target = &mut self.targets[at];
        let text = std::mem::take(&mut target.text);
        let mut cell = std::mem::take(&mut target.cell);
        if !cell.is_empty() && !text.is_empty() {
            cell.push('\n');
        }
        cell.push_str(&text);
        target.cells_bytes += cell.len();
        target.cells.push(cell);
        if target.cells.len() >= MAX_CELLS || target.cells_bytes > MAX_ROW {
            self.end_row(at);
        }
    }

    fn row_end(&mut self) {
        self.end_row(self.state.target);
    }

    /// A target's row is handed over, with a cell it left open.
    fn end_row(&mut self, at: usize) {
        let target = &mut self.targets[at];
        if !target.cell.is_empty() {
            let cell = std::mem::take(&mut target.cell);
            target.cells.push(cell);
        }
        let cells = std::mem::take(&mut target.cells);
        target.cells_bytes = 0;
        if !cells.is_empty() {
            self.out.row(target.part, cells);
        }
    }

    /// A part's group has closed: what it holds is handed over.
    fn close_target(&mut self) {
        let at = self.state.target;
        self.flush_target(at);
        if at + 1 == self.targets.len() && at > 0 {
            self.targets.pop();
        }
    }

    /// Hands over a target's last paragraph, or its last row with the
    /// text after its last cell as one more.
    fn flush_target(&mut self, at: usize) {
        self.decode(at);
        let target = &mut self.targets[at];
        if target.cells.is_empty() && target.cell.is_empty() {
            let text = std::mem::take(&mut target.text);
            if !text.is_empty() {
                self.out.paragraph(target.part, &text);
            }
            return;
        }
        if !target.text.is_empty() || !target.cell.is_empty() {
            self.end_cell(at);
        }
        self.end_row(at);
    }

    /// The document is over (or cut short): every target's text is handed
    /// over, the innermost first.
    fn end(&mut self) {
        for at in (0..self.targets.len()).rev() {
            self.flush_target(at);
        }
    }
}

fn fill(input: &mut impl BufRead) -> Result<&[u8], Problem> {
    loop {
        match input.fill_buf() {
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Problem::from(e)),
        }
    }
    // Filled: this returns what is buffered, reading nothing.
    input.fill_buf().map_err(Problem::from)
}

fn hex_value(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        b'A'..=b'F' => b - b'A' + 10,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::testing::engine;
    use crate::extract::{extract_bytes, Limits, Outcome};

    const FIXTURE: &[u8] = include_bytes!("../../fixtures/documents/support_case_letter.rtf");

    /// What a reading handed over, as lines: `part: text` for a paragraph,
    /// `part| cell | cell` for a row.
    #[derive(Default)]
    struct Units(Vec<String>);

    impl Out for Units {
        fn paragraph(&mut self, part: Option<&'static str>, text: &str) {
            self.0.push(format!("{}: {text}", part.unwrap_or("body")));
        }

        fn row(&mut self, part: Option<&'static str>, cells: Vec<String>) {
            self.0
                .push(format!("{}| {}", part.unwrap_or("body"), cells.join(" | ")));
        }
    }

    fn units(rtf: &[u8]) -> (Vec<String>, Result<DocumentMeta, String>) {
        let mut out = Units::default();
        let (meta, result) = read(rtf, &mut out);
        (out.0, result.map(|()| meta).map_err(|p| p.split().1))
    }

    /// The body's units of `{\rtf1 …}` around `body`.
    fn body(body: &str) -> Vec<String> {
        let (units, result) = units(format!("{{\\rtf1\\ansi {body}}}").as_bytes());
        result.unwrap();
        units
    }

    #[test]
    fn the_fixture_reads_as_its_parts_paragraphs_and_rows() {
        let (units, meta) = units(FIXTURE);
        assert_eq!(
            units,
            [
                "headers: Tenancy Sustainment \u{2013} duty line 0113 496 0528",
                "body: Dear Ms Ad\u{e9}yemi-Clarke,",
                "body: Your National Insurance number is PW 48 31 92 A.",
                "body: Date of birth: 22/09/1958",
                "body: s.adeyemi@example.com",
                "body| Name | NI number",
                "body| Sam Adeyemi-Clarke | HL 27 63 15 D",
                "body: ",
                "footnotes:  On 07700 900415, between 9am and 5pm.",
                "body: Your support plan \u{2013} the caf\u{e9} group \u{2013} starts in July. \
                 Your support worker will call you.",
                "comments: DOB 03/07/1958 checked with the tenant's GP letter",
                "body: Yours sincerely",
            ]
        );
        let meta = meta.unwrap();
        assert_eq!(
            (
                meta.author.as_deref(),
                meta.created.as_deref(),
                meta.modified.as_deref()
            ),
            (
                Some("Tenancy Sustainment Team"),
                Some("2015-06-10"),
                Some("2015-06-12")
            )
        );
        let got = extract_bytes(
            &engine(),
            "letter.rtf",
            FIXTURE.to_vec(),
            false,
            Limits::default(),
        );
        assert_eq!((got.format, got.outcome), ("rtf", Outcome::Scanned));
        assert_eq!(
            got.document.as_ref().unwrap().created.as_deref(),
            Some("2015-06-10")
        );
        let found: Vec<(&str, String)> = got
            .findings
            .iter()
            .map(|f| (f.detector.as_str(), f.location.to_string()))
            .collect();
        for want in [
            ("uk_nino", "paragraph 2, line 1, column 35"),
            ("uk_nino", "table 1, row 2, column \"NI number\", cell 2"),
            ("uk_phone", "part footnotes, paragraph 1, line 1, column 5"),
            (
                "date_of_birth",
                "part comments, paragraph 1, line 1, column 5",
            ),
        ] {
            assert!(
                found.iter().any(|(d, l)| (*d, l.as_str()) == want),
                "{want:?} not in {found:?}"
            );
        }
        // Not the picture's hex, the link's address or the deleted phone.
        assert_eq!(got.findings.len(), 9, "{found:?}");
    }

    #[test]
    fn escapes_decode_in_the_code_page_and_unicode_skips_its_fallback() {
        assert_eq!(
            body(r"caf\'e9 \'93q\'94\par"),
            ["body: caf\u{e9} \u{201c}q\u{201d}"]
        );
        // Another code page: Cyrillic.
        assert_eq!(
            body(r"\ansicpg1251 \'cf\'f0\'e8\par"),
            ["body: \u{41f}\u{440}\u{438}"]
        );
        // \uN and its one fallback character, negative above 32767, two
        // fallbacks with \uc2, none with \uc0, and a pair beyond the BMP.
        assert_eq!(
            body(r"a\u233?b\u-4064?c{\uc2 d\u8364\'80\'80e}\uc0 f\u8211 g\u-10179\u-8704 h\par"),
            ["body: a\u{e9}b\u{f020}cd\u{20ac}ef\u{2013}g\u{1f600}h"]
        );
        // Control symbols.
        assert_eq!(
            body(r"a\~b\-c\_d\\e\{f\}g\tab h\line i\emdash\bullet\par"),
            ["body: a\u{a0}bc\u{2011}d\\e{f}g\th\ni\u{2014}\u{2022}"]
        );
    }

    /// A font whose character set is another code page's decodes its
    /// bytes in it (older writers spell Polish or Greek so); the document's
    /// code page is back where that font ends.
    #[test]
    fn a_fonts_character_set_decodes_its_text() {
        let fonts = r"{\fonttbl{\f0\fswiss\fcharset0 Arial;}{\f1\fswiss\fcharset238 Arial CE;}{\f2\cpg1253 Greek;}{\f3{\*\panose 0}\fcharset204 Cyr;}}";
        assert_eq!(
            body(&format!(
                r"{fonts}\f0 Pan {{\f1 Pawe\'b3}} caf\'e9 \f2 \'e1\f3 \'c0\plain \'e9\par"
            )),
            ["body: Pan Pawe\u{142} caf\u{e9} \u{3b1}\u{410}\u{e9}"]
        );
        // A part in a font of its own, closing.
        assert_eq!(
            body(r"{\fonttbl{\f1\fcharset238 CE;}}a{\footnote\f1 \'b3}\'b3\par"),
            ["footnotes: \u{142}", "body: a\u{b3}"]
        );
        // The default font's character set holds from the start.
        assert_eq!(
            body(r"\deff1{\fonttbl{\f1\fcharset238 CE;}}\'b3\par"),
            ["body: \u{142}"]
        );
    }

    #[test]
    fn what_is_not_text_is_passed_over() {
        assert_eq!(
            body(
                r"{\fonttbl{\f0 Arial 07700 900001;}}{\colortbl;\red0;}{\stylesheet{Normal;}}
a{\*\unknown 07700 900002}b{\*\bkmkstart x}c{\pict 0770090000300}d
{\field{\*\fldinst HYPERLINK x@example.com}{\fldrslt shown}}
{\deleted gone }{\plain e}\deleted0 f\bin5 {}\\}g\par"
            ),
            ["body: abcdshownefg"]
        );
        // Binary data runs to its length, braces and all, even at the end.
        let (got, result) = units(br"{\rtf1 a\bin100 }}");
        assert_eq!(got, ["body: a"]);
        assert!(result.unwrap_err().starts_with("RTF cut short"));
    }

    #[test]
    fn parts_go_where_they_belong_and_come_back() {
        assert_eq!(
            body(
                r"one {\header head\par more}two\par {\footnote note}{\footnote\ftnalt end}
{\*\annotation said}three\par {\footerf foot}"
            ),
            [
                "headers: head",
                "headers: more",
                "body: one two",
                "footnotes: note",
                "endnotes: end",
                "comments: said",
                "body: three",
                "headers: foot",
            ]
        );
    }

    #[test]
    fn tables_make_rows_of_cells_and_end_at_a_paragraph_outside() {
        assert_eq!(
            body(
                r"\trowd\pard\intbl a\par b\cell c\cell\row
\trowd\pard\intbl d\cell e\cell\pard after\par \intbl x\cell y\cell last"
            ),
            [
                "body| a\nb | c",
                "body| d | e",
                "body: after",
                "body| x | y | last",
            ]
        );
    }

    #[test]
    fn damage_is_reported_and_what_came_before_kept() {
        let (got, result) = units(br"{\rtf1 kept\par {lost");
        assert_eq!(got, ["body: kept", "body: lost"]);
        assert_eq!(
            result.unwrap_err(),
            "RTF cut short: it ends with 2 group(s) still open; the text up to there was scanned"
        );
        let mut deep = b"{\\rtf1 top\\par ".to_vec();
        deep.extend(std::iter::repeat_n(b'{', 20_000));
        let (got, result) = units(&deep);
        assert_eq!(got, ["body: top"]);
        assert!(result.unwrap_err().contains("nested more than 10000 deep"));
        // What follows the document's last brace is not the document.
        let (got, result) = units(br"{\rtf1 a}b\par");
        assert_eq!(got, ["body: a"]);
        assert!(result.is_ok());
        for not_rtf in [&b"{\\rx"[..], b"", b"hello"] {
            let (_, result) = units(not_rtf);
            assert!(result.unwrap_err().starts_with("not an RTF document"));
        }
    }

    #[test]
    fn long_paragraphs_words_and_numbers_stay_bounded() {
        // One paragraph of 3 MiB arrives in pieces of about 1 MiB (past it
        // by at most one read of text).
        let text = "x".repeat(3 << 20);
        let units = body(&format!("{text}\\par"));
        assert_eq!(units.len(), 3);
        assert!(units
            .iter()
            .all(|u| u.len() <= MAX_PARAGRAPH + (64 << 10) + 16));
        // So does one written as 600,000 escapes (é: 1.2 MB of text).
        let units = body(&format!("{}\\par", "\\u233?".repeat(600_000)));
        assert_eq!(units.len(), 2);
        // A control word of a million letters, a parameter of a thousand
        // digits: read past, not kept.
        let word = format!(
            "\\{}1 a \\u{} ?b\\par",
            "q".repeat(1 << 20),
            "9".repeat(1000)
        );
        assert_eq!(body(&word), ["body: a b"]);
        // Ten thousand cells without a row end come as rows of 4096, and
        // eight cells of a megabyte as rows of 4 MiB or so.
        let cells = "c\\cell ".repeat(10_000);
        let units = body(&format!("\\intbl {cells}"));
        assert_eq!(units.len(), 3);
        let cells = format!("{}\\cell ", "c".repeat(1 << 20)).repeat(8);
        let units = body(&format!("\\intbl {cells}"));
        assert_eq!(units.len(), 2);
        // A font table of ten thousand fonts keeps the first 4,096.
        let fonts: String = (0..10_000)
            .map(|i| format!("{{\\f{i}\\fcharset238 CE;}}"))
            .collect();
        assert_eq!(
            body(&format!("{{\\fonttbl{fonts}}}\\f1 \\'b3\\f9999 \\'b3\\par")),
            ["body: \u{142}\u{b3}"]
        );
        // Parts in parts past eight deep are the text of the eighth.
        let nested = "{\\footnote a".repeat(12) + &"}".repeat(12);
        let units = body(&format!("{nested}\\par"));
        assert_eq!(units.len(), 8 + 1, "{units:?}");
        assert_eq!(units[0], "footnotes: aaaaa");
    }

    #[test]
    fn an_outlook_rtf_body_is_unpacked_and_read() {
        let rtf = r"{\rtf1\ansi\ansicpg1252 Dear tenant,\par your NI number is PW 48 31 92 A\par \intbl a\cell b\cell\row}";
        let packed = compressed_rtf::compress_rtf(rtf).unwrap();
        assert_eq!(
            message_body(&packed).unwrap(),
            (
                "Dear tenant,\nyour NI number is PW 48 31 92 A\na\tb\n".to_string(),
                None
            )
        );
        // RTF cut short: what there is, and why it is not all.
        let cut = compressed_rtf::compress_rtf(r"{\rtf1 Dear tenant,\par {\b call").unwrap();
        let (text, problem) = message_body(&cut).unwrap();
        assert_eq!(text, "Dear tenant,\ncall\n");
        assert!(problem.unwrap().starts_with("RTF cut short"));
        // Stored without compression.
        let mut stored = Vec::new();
        stored.extend(((rtf.len() + 12) as u32).to_le_bytes());
        stored.extend((rtf.len() as u32).to_le_bytes());
        stored.extend(b"MELA");
        stored.extend([0; 4]);
        stored.extend(rtf.as_bytes());
        assert!(message_body(&stored).unwrap().0.starts_with("Dear tenant,"));
        // The header is checked before the library trusts it.
        let with = |at: usize, value: u32| {
            let mut changed = packed.clone();
            changed[at..at + 4].copy_from_slice(&value.to_le_bytes());
            message_body(&changed).unwrap_err()
        };
        assert_eq!(
            with(4, u32::MAX),
            "damaged compressed RTF: it says it unpacks to more than its data can"
        );
        assert_eq!(
            with(0, 7),
            "damaged compressed RTF: its stated size is not its size"
        );
        assert_eq!(
            with(8, 0x1234),
            "damaged compressed RTF: an unknown kind of compression"
        );
        assert!(with(12, 1).contains("CRC"));
        for cut in 0..16 {
            assert!(message_body(&packed[..cut]).is_err());
        }
        let mut big = stored.clone();
        big[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(message_body(&big).is_err());
    }

    /// Pieces of RTF that change the reader's state, for documents made of
    /// them in any order: every destination, part, table and font word.
    const PIECES: &[&str] = &[
        "{",
        "}",
        "{",
        "}",
        r"\par ",
        r"\cell ",
        r"\row ",
        r"\intbl ",
        r"\pard ",
        r"\plain ",
        r"{\footnote ",
        r"{\header ",
        r"{\*\annotation ",
        r"\ftnalt ",
        r"{\*\unknown ",
        r"{\fonttbl{\f1\fcharset238 CE;}{\f2\cpg1251 C;}",
        r"\f1 ",
        r"\f2 ",
        r"\deff2 ",
        r"{\info{\author A}{\creatim\yr2010\mo2\dy3}",
        r"{\field{\*\fldinst x}{\fldrslt ",
        r"\u322?",
        r"\u-10179 ",
        r"\u-8704 ",
        r"\uc0 ",
        r"\uc2 ",
        r"\'b3",
        r"\'e9",
        r"\bin2 ",
        r"\deleted ",
        r"{\pict ",
        r"\nestcell ",
        r"\ansicpg1250 ",
        "ab 07700 900123 ",
        "\r\n",
        r"\",
        r"\'",
        r"\u",
    ];

    proptest::proptest! {
        #[test]
        fn any_arrangement_of_rtf_reads_without_panic(
            picks in proptest::collection::vec(0..PIECES.len(), 0..120),
        ) {
            let mut rtf = String::from(r"{\rtf1\ansi ");
            for i in picks {
                rtf.push_str(PIECES[i]);
            }
            let _ = units(rtf.as_bytes());
            static ENGINE: std::sync::LazyLock<crate::detect::Engine> =
                std::sync::LazyLock::new(engine);
            let _ = extract_bytes(&ENGINE, "a.rtf", rtf.clone().into_bytes(), false, Limits::default());
            if let Ok(packed) = compressed_rtf::compress_rtf(&rtf) {
                let _ = message_body(&packed);
            }
        }

        #[test]
        fn any_bytes_read_without_panic(tail in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::sample::select(b"{}\\'*0123456789abcdefu-; \r\n".to_vec()),
                proptest::num::u8::ANY,
            ],
            0..400,
        )) {
            let mut rtf = b"{\\rtf1".to_vec();
            rtf.extend(tail);
            let _ = units(&rtf);
            let mut packed = vec![0u8; 16];
            packed.extend(&rtf);
            let len = packed.len() as u32 - 4;
            packed[0..4].copy_from_slice(&len.to_le_bytes());
            packed[4..8].copy_from_slice(&(len * 2).to_le_bytes());
            packed[8..12].copy_from_slice(b"LZFu");
            let _ = message_body(&packed);
        }
    }
}
