//! Word 97–2003 documents (`.doc`), as shares keep years of them: a
//! compound file (OLE) whose `WordDocument` stream holds the text, in
//! pieces the piece table (the Clx, in the `0Table` or `1Table` stream)
//! places, each as 8-bit Windows-1252 or UTF-16 (MS-DOC). The text is cut
//! by the FIB's character counts into the body, footnotes, headers and
//! footers, comments, endnotes and text boxes, and scanned as a DOCX's is:
//! `paragraph` in the body, with `part` for the others, and tables as
//! `table`, `row`, `cell` and the header's `column`, where the paragraphs'
//! formatting says which are in a table and which end a row. Deleted text
//! (a tracked change), marked so by its characters' formatting, is left
//! out, as a DOCX's is. A field's code (`HYPERLINK "…"`) is not text; its
//! result is. The author and dates come from the summary information, as a
//! DOCX's from its properties. Word 6 and 95 documents are named and not
//! read.

use std::io::{self, Read, Seek};

use cfb::CompoundFile;

use super::{le_u16, le_u32, office, ole, Problem, ReadSeek, Sink};

/// The FIB's identifier, and the version Word 97 and later write (older
/// files have a smaller one and another layout).
const WORD_IDENT: u16 = 0xA5EC;
const WORD97: u16 = 0x00C1;
/// The FIB flags: encrypted, and which table stream holds the Clx.
const ENCRYPTED: u16 = 0x0100;
const TABLE_ONE: u16 = 0x0200;
/// A piece's FC flag: its text is 8-bit, at half its FC.
const COMPRESSED: u32 = 0x4000_0000;

/// The parts of a document's text, in the order the FIB counts them (the
/// fourth, once macros', is never text).
const PARTS: [Option<&str>; 8] = [
    None,
    Some("footnotes"),
    Some("headers"),
    None,
    Some("comments"),
    Some("endnotes"),
    Some("textboxes"),
    Some("header_textboxes"),
];

pub fn scan(mut src: Box<dyn ReadSeek>, sink: &mut Sink) -> Result<(), Problem> {
    let len = src.seek(io::SeekFrom::End(0))?;
    src.rewind()?;
    let damaged = ole::damaged("Word document");
    let mut file = CompoundFile::open(src).map_err(damaged)?;
    let read =
        |file: &mut CompoundFile<Box<dyn ReadSeek>>, name: &str| -> Result<Vec<u8>, Problem> {
            let mut bytes = Vec::new();
            file.open_stream(name)
                .map_err(damaged)?
                .take(len)
                .read_to_end(&mut bytes)
                .map_err(damaged)?;
            Ok(bytes)
        };
    if !file.is_stream("WordDocument") {
        return Err(Problem::Failed(
            "not a Word document: a compound file (OLE) with no WordDocument stream".into(),
        ));
    }
    let document = read(&mut file, "WordDocument")?;
    let fib = Fib::read(&document)?;
    let table_name = if fib.table_one { "1Table" } else { "0Table" };
    if !file.is_stream(table_name) {
        return Err(Problem::Failed(format!(
            "corrupt Word document: its {table_name} stream is missing"
        )));
    }
    let table = read(&mut file, table_name)?;
    // The author and dates, for retention counted from the document's date.
    const SUMMARY: &str = "\u{5}SummaryInformation";
    if file.is_stream(SUMMARY) {
        sink.document = read(&mut file, SUMMARY)
            .ok()
            .and_then(|s| ole::summary_information(&s));
    }
    let clx = table
        .get(fib.clx.0 as usize..(fib.clx.0 as usize).saturating_add(fib.clx.1 as usize))
        .ok_or_else(|| {
            Problem::Failed(
                "corrupt Word document: its piece table is past the end of its table stream".into(),
            )
        })?;
    let pieces = pieces(clx).ok_or_else(|| {
        Problem::Failed("corrupt Word document: its piece table is damaged".into())
    })?;
    let (text, lost) = text(&document, &pieces);
    let marks = Marks::read(&document, &table, &fib);
    let mut flow = office::Flow::new(sink);
    let mut at = 0usize;
    for (i, (part, count)) in PARTS.iter().zip(fib.counts).enumerate() {
        let end = at.saturating_add(count as usize).min(text.len());
        if i == 0 || part.is_some() {
            for unit in units(&text[at..end], &marks) {
                match unit {
                    Unit::Paragraph(text) => flow.paragraph(*part, &text),
                    Unit::Row(cells) => flow.row(*part, cells),
                }
            }
        }
        at = end;
    }
    flow.finish();
    if lost > 0 {
        return Err(Problem::Failed(format!(
            "corrupt Word document: {lost} of its text's pieces lie outside it and were not read; the rest was scanned"
        )));
    }
    Ok(())
}

/// What trawl reads of the File Information Block.
struct Fib {
    table_one: bool,
    /// Where the Clx is in the table stream, and its length.
    clx: (u32, u32),
    /// Characters of each part of the text, in [`PARTS`]' order.
    counts: [u32; 8],
    /// Where the bin tables of character and paragraph formatting are in
    /// the table stream, and their lengths.
    chpx: (u32, u32),
    papx: (u32, u32),
}

impl Fib {
    fn read(stream: &[u8]) -> Result<Fib, Problem> {
        let u16_at = |at: usize| le_u16(stream, at);
        let u32_at = |at: usize| le_u32(stream, at);
        let short = || Problem::Failed("corrupt Word document: its header is cut short".into());
        if u16_at(0) != Some(WORD_IDENT) {
            return Err(Problem::Failed(
                "not a Word document: its WordDocument stream does not start as one".into(),
            ));
        }
        let version = u16_at(2).ok_or_else(short)?;
        if version < WORD97 {
            return Err(Problem::Failed(format!(
                "a Word 6 or 95 document (format version {version}), which trawl does not read"
            )));
        }
        let flags = u16_at(0x0A).ok_or_else(short)?;
        if flags & ENCRYPTED != 0 {
            return Err(Problem::Encrypted(
                "password-protected Word document".into(),
            ));
        }
        // FibBase (32 bytes), then counted arrays of 16-bit and 32-bit
        // values, then the (FC, LCB) pairs.
        let words = usize::from(u16_at(0x20).ok_or_else(short)?);
        let longs_at = 0x22 + words * 2;
        let longs = usize::from(u16_at(longs_at).ok_or_else(short)?);
        let rg_lw = longs_at + 2;
        let pairs_at = rg_lw + longs * 4;
        let pairs = usize::from(u16_at(pairs_at).ok_or_else(short)?);
        // ccpText is the fourth long; the parts follow it in order.
        let mut counts = [0; 8];
        for (i, count) in counts.iter_mut().enumerate() {
            *count = if longs > 3 + i {
                u32_at(rg_lw + (3 + i) * 4).ok_or_else(short)?
            } else {
                0
            };
        }
        const CHPX_PAIR: usize = 12;
        const PAPX_PAIR: usize = 13;
        const CLX_PAIR: usize = 33;
        if pairs <= CLX_PAIR {
            return Err(short());
        }
        let pair = |n: usize| -> Result<(u32, u32), Problem> {
            let at = pairs_at + 2 + n * 8;
            Ok((
                u32_at(at).ok_or_else(short)?,
                u32_at(at + 4).ok_or_else(short)?,
            ))
        };
        Ok(Fib {
            table_one: flags & TABLE_ONE != 0,
            clx: pair(CLX_PAIR)?,
            counts,
            chpx: pair(CHPX_PAIR)?,
            papx: pair(PAPX_PAIR)?,
        })
    }
}

/// A piece of the text: its characters' positions, and where its bytes
/// are in the WordDocument stream.
#[derive(Debug, PartialEq)]
struct Piece {
    chars: u32,
    at: u32,
    compressed: bool,
}

/// The pieces of a Clx: property runs (`0x01`) passed over, then the piece
/// table (`0x02`). `None` when it is not one.
fn pieces(clx: &[u8]) -> Option<Vec<Piece>> {
    let mut at = 0;
    while clx.get(at) == Some(&0x01) {
        let size = usize::from(le_u16(clx, at + 1)?);
        at += 3 + size;
    }
    if clx.get(at) != Some(&0x02) {
        return None;
    }
    let size = le_u32(clx, at + 1)? as usize;
    let table = clx.get(at + 5..at + 5 + size)?;
    if size < 4 || !(size - 4).is_multiple_of(12) {
        return None;
    }
    let count = (size - 4) / 12;
    let cp = |i: usize| le_u32(table, i * 4).unwrap_or_default();
    let descriptors = &table[(count + 1) * 4..];
    (0..count)
        .map(|i| {
            let fc = le_u32(descriptors, i * 8 + 2)?;
            let compressed = fc & COMPRESSED != 0;
            let at = fc & !COMPRESSED & !0x8000_0000;
            Some(Piece {
                chars: cp(i + 1).checked_sub(cp(i))?,
                at: if compressed { at / 2 } else { at },
                compressed,
            })
        })
        .collect()
}

/// The document's characters, piece after piece, each with where its bytes
/// are in the stream (formatting is told by those offsets), and how many
/// pieces were not read: those outside the stream, and those past its
/// length in all (a real document's pieces do not overlap; a damaged one's
/// could each name the whole stream).
fn text(document: &[u8], pieces: &[Piece]) -> (Vec<(char, u32)>, usize) {
    let mut text = Vec::new();
    let mut lost = 0;
    let mut left = document.len();
    for piece in pieces {
        let width = if piece.compressed { 1 } else { 2 };
        let start = piece.at as usize;
        let Some(bytes) = (piece.chars as usize)
            .checked_mul(width)
            .filter(|&n| n <= left)
            .and_then(|n| document.get(start..start.checked_add(n)?))
        else {
            lost += 1;
            continue;
        };
        left -= bytes.len();
        let at = |i: usize| piece.at.saturating_add(i as u32);
        if piece.compressed {
            // Windows-1252 is one character a byte.
            let (decoded, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            text.extend(decoded.chars().enumerate().map(|(i, c)| (c, at(i))));
        } else {
            let units = bytes
                .chunks_exact(2)
                .map(|p| u16::from_le_bytes([p[0], p[1]]));
            // A surrogate pair is one character, at its first unit.
            let mut i = 0;
            for c in char::decode_utf16(units) {
                let c = c.unwrap_or('\u{FFFD}');
                text.push((c, at(i * 2)));
                i += c.len_utf16();
            }
        }
    }
    (text, lost)
}

/// A unit of a part's text: a paragraph, or a table row's cells.
#[derive(Clone, Debug, PartialEq)]
enum Unit {
    Paragraph(String),
    Row(Vec<String>),
}

/// A part's characters as paragraphs and table rows. A paragraph's end, a
/// page break, and (outside a table, or where the formatting could not be
/// read) a cell's end each end a paragraph; in a table, a cell's end ends a
/// cell and a row's end its row, and a cell's own paragraphs are its
/// lines (a table nested in a cell is read into that cell). A line break
/// is a new line; deleted text is dropped; a field's code is dropped and
/// its result kept; objects and hidden hyphens are dropped.
fn units(text: &[(char, u32)], marks: &Marks) -> Vec<Unit> {
    let mut units = Vec::new();
    let mut paragraph = String::new();
    let mut cells: Vec<String> = Vec::new();
    // For each field open, whether its code is still being read; and how
    // many are, so that each character costs the same however deep the
    // fields nest (a damaged file can open millions).
    let mut fields: Vec<bool> = Vec::new();
    let mut in_code = 0usize;
    for &(c, at) in text {
        if marks.deleted(at) {
            continue;
        }
        match c {
            '\u{13}' => {
                fields.push(true);
                in_code += 1;
            }
            '\u{14}' => {
                if let Some(code) = fields.last_mut().filter(|code| **code) {
                    *code = false;
                    in_code -= 1;
                }
            }
            '\u{15}' => {
                if fields.pop() == Some(true) {
                    in_code -= 1;
                }
            }
            _ if in_code > 0 => {}
            '\r' | '\u{07}' | '\u{0C}' => {
                let in_table = marks.in_table(at);
                if c == '\u{07}' && in_table {
                    if marks.row_end(at) {
                        // The row's mark is a paragraph of its own, empty.
                        units.push(Unit::Row(std::mem::take(&mut cells)));
                        paragraph.clear();
                    } else {
                        cells.push(std::mem::take(&mut paragraph));
                    }
                } else if in_table {
                    paragraph.push('\n');
                } else {
                    // A row never ended (a damaged table) ends here.
                    if !cells.is_empty() {
                        units.push(Unit::Row(std::mem::take(&mut cells)));
                    }
                    units.push(Unit::Paragraph(std::mem::take(&mut paragraph)));
                }
            }
            '\u{0B}' => paragraph.push('\n'),
            '\u{1E}' => paragraph.push('-'),
            '\u{A0}' => paragraph.push(' '),
            '\u{01}' | '\u{08}' | '\u{1F}' | '\u{02}' | '\u{05}' => {}
            c => paragraph.push(c),
        }
    }
    if !cells.is_empty() {
        units.push(Unit::Row(cells));
    }
    if !paragraph.is_empty() {
        units.push(Unit::Paragraph(paragraph));
    }
    units
}

/// What the formatting says of the text, by the stream offsets of its
/// characters: which are deleted, which paragraphs are in a table, and
/// which end a table's row. Empty where the formatting cannot be read: the
/// text is then read as it is, each cell a paragraph.
#[derive(Default)]
struct Marks {
    deleted: Vec<(u32, u32)>,
    in_table: Vec<(u32, u32)>,
    row_ends: Vec<(u32, u32)>,
}

/// Character and paragraph properties (MS-DOC 2.6.1, 2.6.2): deleted (a
/// revision mark), in a table, a table's row end (the "table terminating
/// paragraph"), and how deep in tables.
const SPRM_C_F_R_MARK_DEL: u16 = 0x0800;
const SPRM_P_F_IN_TABLE: u16 = 0x2416;
const SPRM_P_F_TTP: u16 = 0x2417;
const SPRM_P_ITAP: u16 = 0x6649;
/// Variable-length operands whose size is not a byte before them: a row's
/// table definition (two bytes, one more than the rest), and a tab change
/// that may have to be parsed to be sized (255).
const SPRM_T_DEF_TABLE: u16 = 0xD608;
const SPRM_P_CHG_TABS: u16 = 0xC615;

/// The bytes of a formatted disk page (FKP).
const PAGE: usize = 512;

impl Marks {
    fn read(document: &[u8], table: &[u8], fib: &Fib) -> Marks {
        let mut marks = Marks::default();
        for_each_run(document, table, fib.chpx, false, |range, grpprl| {
            if sprms(grpprl).any(|(sprm, op)| sprm == SPRM_C_F_R_MARK_DEL && on(op)) {
                marks.deleted.push(range);
            }
        });
        for_each_run(document, table, fib.papx, true, |range, grpprl| {
            let (mut in_table, mut row_end) = (false, false);
            for (sprm, op) in sprms(grpprl) {
                match sprm {
                    SPRM_P_F_IN_TABLE => in_table = on(op),
                    SPRM_P_ITAP => in_table = op.iter().any(|&b| b != 0),
                    SPRM_P_F_TTP => row_end = on(op),
                    _ => {}
                }
            }
            if in_table || row_end {
                marks.in_table.push(range);
            }
            if row_end {
                marks.row_ends.push(range);
            }
        });
        for ranges in [&mut marks.deleted, &mut marks.in_table, &mut marks.row_ends] {
            ranges.sort_unstable();
        }
        marks
    }

    fn deleted(&self, at: u32) -> bool {
        covers(&self.deleted, at)
    }

    fn in_table(&self, at: u32) -> bool {
        covers(&self.in_table, at)
    }

    fn row_end(&self, at: u32) -> bool {
        covers(&self.row_ends, at)
    }
}

/// Whether a Bool8 operand is true (0x80 and 0x81, "as the style" and "not
/// as the style", are toggles a paragraph's or run's own formatting does
/// not use for these).
fn on(operand: &[u8]) -> bool {
    matches!(operand.first(), Some(1 | 0x81))
}

/// Whether the sorted `ranges` hold `at`.
fn covers(ranges: &[(u32, u32)], at: u32) -> bool {
    let i = ranges.partition_point(|r| r.0 <= at);
    i > 0 && at < ranges[i - 1].1
}

/// Each run of text a bin table's pages format, as the stream range it
/// covers and its properties (grpprl): character runs (CHPX pages) or
/// paragraphs (PAPX pages, whose properties follow a style index). A page
/// named twice is read once; what lies outside the streams is not read.
fn for_each_run(
    document: &[u8],
    table: &[u8],
    (at, len): (u32, u32),
    paragraphs: bool,
    mut each: impl FnMut((u32, u32), &[u8]),
) {
    let Some(plc) = table.get(at as usize..(at as usize).saturating_add(len as usize)) else {
        return;
    };
    // A PlcBte: n + 1 offsets, then n page numbers.
    let n = plc.len().saturating_sub(4) / 8;
    let mut seen = std::collections::HashSet::new();
    for i in 0..n {
        let Some(number) = le_u32(plc, (n + 1) * 4 + i * 4) else {
            break;
        };
        let number = (number & 0x3F_FFFF) as usize;
        let Some(page) = document.get(number * PAGE..(number + 1) * PAGE) else {
            continue;
        };
        if !seen.insert(number) {
            continue;
        }
        let count = usize::from(page[PAGE - 1]);
        let entry = if paragraphs { 13 } else { 1 };
        for run in 0..count {
            let (Some(start), Some(end)) = (le_u32(page, run * 4), le_u32(page, run * 4 + 4))
            else {
                break;
            };
            let Some(&offset) = page.get((count + 1) * 4 + run * entry) else {
                break;
            };
            let offset = usize::from(offset) * 2;
            if offset == 0 || start >= end {
                continue;
            }
            let grpprl = if paragraphs {
                // PapxInFkp: a count of words, or zero and the count in the
                // next byte; then the style's index (2 bytes) and the grpprl.
                match page.get(offset).copied() {
                    Some(0) => page.get(offset + 1).and_then(|&words| {
                        page.get(offset + 2..offset + 2 + 2 * usize::from(words))
                    }),
                    Some(words) => page.get(offset + 1..offset + 2 * usize::from(words)),
                    None => None,
                }
                .and_then(|bytes| bytes.get(2..))
            } else {
                page.get(offset)
                    .and_then(|&size| page.get(offset + 1..offset + 1 + usize::from(size)))
            };
            if let Some(grpprl) = grpprl {
                each((start, end), grpprl);
            }
        }
    }
}

/// The properties (Prl) of a grpprl: each property's code and operand, the
/// operand's size told by the code; those after one that cannot be sized
/// are not read.
fn sprms(grpprl: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        let sprm = le_u16(grpprl, at)?;
        let (skip, size) = match sprm >> 13 {
            0 | 1 => (0, 1),
            2 | 4 | 5 => (0, 2),
            3 => (0, 4),
            7 => (0, 3),
            _ => match sprm {
                SPRM_T_DEF_TABLE => (2, usize::from(le_u16(grpprl, at + 2)?).checked_sub(1)?),
                SPRM_P_CHG_TABS if grpprl.get(at + 2) == Some(&255) => return None,
                _ => (1, usize::from(*grpprl.get(at + 2)?)),
            },
        };
        let start = at + 2 + skip;
        let operand = grpprl.get(start..start + size)?;
        at = start + size;
        Some((sprm, operand))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::testing::{compound, engine, stream_of};
    use crate::extract::{extract_bytes, Limits, Outcome};

    const FIXTURE: &[u8] = include_bytes!("../../fixtures/documents/old_case_note.doc");

    fn streams(bytes: &[u8]) -> (Vec<u8>, Vec<u8>) {
        (stream_of(bytes, "WordDocument"), stream_of(bytes, "1Table"))
    }

    /// A part's paragraphs, its formatting not read.
    fn paragraphs(text: &[(char, u32)]) -> Vec<String> {
        units(text, &Marks::default())
            .into_iter()
            .map(|unit| match unit {
                Unit::Paragraph(text) => text,
                Unit::Row(cells) => panic!("a row without formatting: {cells:?}"),
            })
            .collect()
    }

    fn at_zero(text: &str) -> Vec<(char, u32)> {
        text.chars().map(|c| (c, 0)).collect()
    }

    fn read(bytes: Vec<u8>) -> crate::extract::Extracted {
        extract_bytes(&engine(), "note.doc", bytes, false, Limits::default())
    }

    #[test]
    fn the_fixture_reads_as_its_parts_and_paragraphs() {
        let (document, table) = streams(FIXTURE);
        let fib = Fib::read(&document).unwrap();
        assert!(fib.table_one);
        let clx = &table[fib.clx.0 as usize..][..fib.clx.1 as usize];
        let pieces = pieces(clx).unwrap();
        assert_eq!(pieces.len(), 2);
        assert!(pieces[0].compressed && !pieces[1].compressed);
        let (text, lost) = text(&document, &pieces);
        assert_eq!(lost, 0);
        let body = &text[..fib.counts[0] as usize];
        let paragraph = |t: &str| Unit::Paragraph(t.to_string());
        let row = |cells: [&str; 2]| Unit::Row(cells.map(str::to_string).to_vec());
        let start = [
            paragraph("Case note, March 2009"),
            paragraph("Tenant: Marcus Okonkwo-Reid"),
            paragraph("NI number: RT 53 62 71 C"),
            paragraph("Date of birth: 14/02/1961"),
            paragraph("Email: m.okonkwo@example.org"),
        ];
        let marks = Marks::read(&document, &table, &fib);
        assert_eq!(
            units(body, &marks),
            [
                &start[..],
                &[
                    paragraph("Contact by phone only."),
                    row(["Phone", "07700 900482"]),
                    row(["Mobile", "07700 900519"]),
                    paragraph("Closed \u{2013} no further action."),
                ]
            ]
            .concat()
        );
        // Its formatting unread, the deleted text is read and each cell is
        // a paragraph.
        assert_eq!(
            paragraphs(body)[5..],
            [
                "Contact by phone only (or m.okonkwo.private@example.net).",
                "Phone",
                "07700 900482",
                "",
                "Mobile",
                "07700 900519",
                "",
                "Closed \u{2013} no further action.",
            ]
        );
        let got = read(FIXTURE.to_vec());
        assert_eq!((got.format, got.outcome), ("doc", Outcome::Scanned));
        // Its summary information dates it, for retention.
        let meta = got.document.as_ref().unwrap();
        assert_eq!(
            (
                meta.author.as_deref(),
                meta.created.as_deref(),
                meta.modified.as_deref()
            ),
            (
                Some("Sheltered Housing Team"),
                Some("2009-03-02"),
                Some("2009-03-05")
            )
        );
        let header = got
            .findings
            .iter()
            .find(|f| f.location.part.as_deref() == Some("headers"))
            .unwrap();
        assert_eq!(
            (header.detector.as_str(), header.location.paragraph),
            ("uk_phone", Some(1))
        );
    }

    #[test]
    fn fields_keep_their_result_and_drop_their_code_nested_too() {
        let chars = at_zero(
            "a\u{13}CODE \u{13}INNER\u{14}x\u{15}\u{14}shown\u{15}b\rc\u{0B}d\u{1E}e\u{1F}f\u{A0}g\u{01}\r",
        );
        assert_eq!(paragraphs(&chars), ["ashownb", "c\nd-ef g"]);
        // A separator twice, and an end with no field open, change nothing.
        let chars = at_zero("\u{13}a\u{14}b\u{14}c\u{15}\u{15}d");
        assert_eq!(paragraphs(&chars), ["bcd"]);
        // Fields opened by the hundred thousand, never closed, then as
        // much text: none of it is read (each character looked at once; it
        // was once against every field open, 10^10 looks here).
        let mut chars = vec![('\u{13}', 0); 100_000];
        chars.extend(std::iter::repeat_n(('x', 0), 100_000));
        assert!(paragraphs(&chars).is_empty());
    }

    #[test]
    fn old_encrypted_and_damaged_documents_say_what_they_are() {
        let (document, table) = streams(FIXTURE);
        let with = |at: usize, bytes: &[u8]| {
            let mut changed = document.clone();
            changed[at..at + bytes.len()].copy_from_slice(bytes);
            read(compound(&[("WordDocument", &changed), ("1Table", &table)]))
        };
        let word6 = with(2, &101u16.to_le_bytes());
        assert_eq!(
            word6.reason.as_deref(),
            Some("a Word 6 or 95 document (format version 101), which trawl does not read")
        );
        let encrypted = with(0x0A, &(TABLE_ONE | ENCRYPTED).to_le_bytes());
        assert_eq!(
            (encrypted.outcome, encrypted.reason.as_deref()),
            (Outcome::Encrypted, Some("password-protected Word document"))
        );
        // The Clx said to be past the table stream's end.
        let astray = with(0x1A2, &1000u32.to_le_bytes());
        assert_eq!(
            astray.reason.as_deref(),
            Some("corrupt Word document: its piece table is past the end of its table stream")
        );
        let other = read(compound(&[("Workbook", b"x")]));
        assert_eq!(
            other.reason.as_deref(),
            Some("not a Word document: a compound file (OLE) with no WordDocument stream")
        );
        let cut = read(compound(&[
            ("WordDocument", &document[..0x30]),
            ("1Table", &table),
        ]));
        assert_eq!(
            cut.reason.as_deref(),
            Some("corrupt Word document: its header is cut short")
        );
    }

    #[test]
    fn rows_cells_and_deleted_text_follow_the_formatting() {
        let text = "Name\u{7}DOB\u{7}\u{7}Jo\rBloggs\u{7}12/01/1970\u{7}\u{7}after (old)\r";
        let chars: Vec<(char, u32)> = text.chars().zip(0..).collect();
        let at = |s: &str| text.find(s).unwrap() as u32;
        let row_end = |from: &str| {
            let end = at(from) + from.len() as u32;
            (end - 1, end)
        };
        let marks = Marks {
            deleted: vec![(at(" (old)"), at(" (old)") + 6)],
            in_table: vec![(0, at("after"))],
            row_ends: vec![row_end("DOB\u{7}\u{7}"), row_end("1970\u{7}\u{7}")],
        };
        let row = |cells: [&str; 2]| Unit::Row(cells.map(str::to_string).to_vec());
        assert_eq!(
            units(&chars, &marks),
            [
                row(["Name", "DOB"]),
                row(["Jo\nBloggs", "12/01/1970"]),
                Unit::Paragraph("after".into()),
            ]
        );
        // A row never ended (a damaged table) ends where the table does.
        let marks = Marks {
            in_table: vec![(0, 4)],
            ..Marks::default()
        };
        assert_eq!(
            units(&at_zero_from("a\u{7}b\u{7}c\r"), &marks),
            [row(["a", "b"]), Unit::Paragraph("c".into())]
        );
        assert_eq!(
            units(&at_zero_from("a\u{7}b\u{7}"), &marks),
            [row(["a", "b"])]
        );
    }

    /// Characters at the offsets 0, 1, 2…
    fn at_zero_from(text: &str) -> Vec<(char, u32)> {
        text.chars().zip(0..).collect()
    }

    #[test]
    fn properties_are_sized_by_their_codes_and_pages_read_once() {
        let grpprl = [
            &[0x16, 0x24, 1][..],
            &[0x08, 0xD6, 4, 0, 2, 9, 9],
            &[0x49, 0x66, 1, 0, 0, 0],
            &[0x15, 0xC6, 2, 7, 7],
            &[0x00, 0x08, 1],
        ]
        .concat();
        let sizes: Vec<(u16, usize)> = sprms(&grpprl).map(|(s, op)| (s, op.len())).collect();
        assert_eq!(
            sizes,
            [
                (0x2416, 1),
                (0xD608, 3),
                (0x6649, 4),
                (0xC615, 2),
                (0x0800, 1)
            ]
        );
        // Cut anywhere, the properties before the cut are read.
        for cut in 0..grpprl.len() {
            assert!(sprms(&grpprl[..cut]).count() < sizes.len());
        }
        // A tab change that would have to be parsed to be sized ends it.
        assert_eq!(sprms(&[0x15, 0xC6, 255, 1, 0x00, 0x08, 1]).count(), 0);

        // A character page (page 1) with two runs, the second deleted;
        // named twice, and a page past the stream named too.
        let mut page = vec![0u8; PAGE];
        page[PAGE - 1] = 2;
        for (i, fc) in [10u32, 20, 30].iter().enumerate() {
            page[i * 4..i * 4 + 4].copy_from_slice(&fc.to_le_bytes());
        }
        page[13] = 0xF0;
        page[0x1E0..0x1E4].copy_from_slice(&[3, 0x00, 0x08, 1]);
        let document = [vec![0u8; PAGE], page].concat();
        let plc: Vec<u8> = [10u32, 20, 30, 40, 1, 1, 99]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let mut runs = Vec::new();
        for_each_run(
            &document,
            &plc,
            (0, plc.len() as u32),
            false,
            |range, grpprl| {
                runs.push((range, grpprl.to_vec()));
            },
        );
        assert_eq!(runs, [((20, 30), vec![0x00, 0x08, 1])]);
    }

    #[test]
    fn pieces_outside_the_stream_or_past_its_length_are_not_read() {
        let document = b"abcdefgh";
        let piece = |chars, at| Piece {
            chars,
            at,
            compressed: true,
        };
        // In the stream; outside it; then the stream named again and again.
        let named = [piece(4, 0), piece(4, 6), piece(8, 0), piece(8, 0)];
        let (text, lost) = text(document, &named);
        assert_eq!(text.iter().map(|c| c.0).collect::<String>(), "abcd");
        assert_eq!(text.iter().map(|c| c.1).collect::<Vec<_>>(), [0, 1, 2, 3]);
        assert_eq!(lost, 3);
        // A piece table whose positions run backwards is not one.
        let mut clx = vec![2];
        let plc: Vec<u8> = [5u32, 1]
            .iter()
            .flat_map(|c| c.to_le_bytes())
            .chain([0; 8])
            .collect();
        clx.extend((plc.len() as u32).to_le_bytes());
        clx.extend(plc);
        assert_eq!(pieces(&clx), None);
        assert_eq!(pieces(&[1, 0, 0, 9]), None);
    }
}
