//! Word 97–2003 documents (`.doc`), as shares keep years of them: a
//! compound file (OLE) whose `WordDocument` stream holds the text, in
//! pieces the piece table (the Clx, in the `0Table` or `1Table` stream)
//! places, each as 8-bit Windows-1252 or UTF-16 (MS-DOC). The text is cut
//! by the FIB's character counts into the body, footnotes, headers and
//! footers, comments, endnotes and text boxes, and scanned as a DOCX's is:
//! `paragraph` in the body, with `part` for the others. A field's code
//! (`HYPERLINK "…"`) is not text; its result is. The author and dates come
//! from the summary information, as a DOCX's from its properties. Word 6
//! and 95 documents are named and not read.

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
    let mut flow = office::Flow::new(sink);
    let mut at = 0usize;
    for (i, (part, count)) in PARTS.iter().zip(fib.counts).enumerate() {
        let end = at.saturating_add(count as usize).min(text.len());
        if i == 0 || part.is_some() {
            for paragraph in paragraphs(&text[at..end]) {
                flow.paragraph(*part, &paragraph);
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
        const CLX_PAIR: usize = 33;
        if pairs <= CLX_PAIR {
            return Err(short());
        }
        let clx_at = pairs_at + 2 + CLX_PAIR * 8;
        let clx = (
            u32_at(clx_at).ok_or_else(short)?,
            u32_at(clx_at + 4).ok_or_else(short)?,
        );
        Ok(Fib {
            table_one: flags & TABLE_ONE != 0,
            clx,
            counts,
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

/// The document's characters, piece after piece, and how many pieces were
/// not read: those outside the stream, and those past its length in all
/// (a real document's pieces do not overlap; a damaged one's could each
/// name the whole stream).
fn text(document: &[u8], pieces: &[Piece]) -> (Vec<char>, usize) {
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
        if piece.compressed {
            let (decoded, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            text.extend(decoded.chars());
        } else {
            let units = bytes
                .chunks_exact(2)
                .map(|p| u16::from_le_bytes([p[0], p[1]]));
            text.extend(char::decode_utf16(units).map(|c| c.unwrap_or('\u{FFFD}')));
        }
    }
    (text, lost)
}

/// A part's characters as paragraphs: a paragraph's end, a table cell's
/// (each cell a paragraph, as its text is one) and a page break end one; a
/// line break is a new line; a field's code is dropped and its result kept;
/// objects and hidden hyphens are dropped.
fn paragraphs(text: &[char]) -> Vec<String> {
    let mut paragraphs = Vec::new();
    let mut paragraph = String::new();
    // For each field open, whether its code is still being read; and how
    // many are, so that each character costs the same however deep the
    // fields nest (a damaged file can open millions).
    let mut fields: Vec<bool> = Vec::new();
    let mut in_code = 0usize;
    for &c in text {
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
            '\r' | '\u{07}' | '\u{0C}' => paragraphs.push(std::mem::take(&mut paragraph)),
            '\u{0B}' => paragraph.push('\n'),
            '\u{1E}' => paragraph.push('-'),
            '\u{A0}' => paragraph.push(' '),
            '\u{01}' | '\u{08}' | '\u{1F}' | '\u{02}' | '\u{05}' => {}
            c => paragraph.push(c),
        }
    }
    if !paragraph.is_empty() {
        paragraphs.push(paragraph);
    }
    paragraphs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::testing::{compound, engine};
    use crate::extract::{extract_bytes, Limits, Outcome};

    const FIXTURE: &[u8] = include_bytes!("../../fixtures/documents/old_case_note.doc");

    fn streams(bytes: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let mut file = CompoundFile::open(io::Cursor::new(bytes)).unwrap();
        let mut read = |name: &str| {
            let mut out = Vec::new();
            file.open_stream(name)
                .unwrap()
                .read_to_end(&mut out)
                .unwrap();
            out
        };
        (read("WordDocument"), read("1Table"))
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
        let body = paragraphs(&text[..fib.counts[0] as usize]);
        assert_eq!(
            body,
            [
                "Case note, March 2009",
                "Tenant: Marcus Okonkwo-Reid",
                "NI number: RT 53 62 71 C",
                "Date of birth: 14/02/1961",
                "Email: m.okonkwo@example.org",
                "Phone",
                "07700 900482",
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
        let chars: Vec<char> =
            "a\u{13}CODE \u{13}INNER\u{14}x\u{15}\u{14}shown\u{15}b\rc\u{0B}d\u{1E}e\u{1F}f\u{A0}g\u{01}\r"
                .chars()
                .collect();
        assert_eq!(paragraphs(&chars), ["ashownb", "c\nd-ef g"]);
        // A separator twice, and an end with no field open, change nothing.
        let chars: Vec<char> = "\u{13}a\u{14}b\u{14}c\u{15}\u{15}d".chars().collect();
        assert_eq!(paragraphs(&chars), ["bcd"]);
        // Fields opened by the hundred thousand, never closed, then as
        // much text: none of it is read (each character looked at once; it
        // was once against every field open, 10^10 looks here).
        let mut chars = vec!['\u{13}'; 100_000];
        chars.extend(std::iter::repeat_n('x', 100_000));
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
        assert_eq!(text.iter().collect::<String>(), "abcd");
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
