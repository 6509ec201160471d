//! Spreadsheets (XLSX, XLSM, XLSB, XLS, ODS) with calamine, one sheet in
//! memory at a time. Each row is a record located by `sheet`, `cell`, `row`
//! and the `column` header's name, so a "DOB" column gives its values the
//! same context a CSV column does.
//!
//! Cells are matched as a person reads them: date cells as dd/mm/yyyy,
//! whole numbers without a decimal point (an account number stored as a
//! number is matched as its digits), text as written. A leading zero is kept
//! when the number is stored as text; a number stored as a number has none
//! to keep (Excel shows one only through a display format, which is not
//! read), so `01234567` typed as a number is matched as `1234567`.

use std::rc::Rc;

use calamine::{Cell, Data, DataRef, Ods, Reader, Xls, Xlsb, Xlsx};

use super::form::{form_fields, read_form, MAX_FORM_ROWS};
use super::sniff::Book;
use super::{
    find_header, foreign, masked_if_value, Field, Header, Problem, ReadSeek, Sink, MAX_PART_RATIO,
    MAX_TITLE_ROWS,
};
use crate::report::{Column, Location};

/// A sheet's non-empty cells: row, column (0-based) and value.
type Cells = Vec<(u32, u32, Data)>;

pub fn scan(src: Box<dyn ReadSeek>, book: Book, sink: &mut Sink) -> Result<(), Problem> {
    // XLSX and XLSB cells are read as they are stored: a grid from the first
    // used cell to the last is what calamine's ranges hold, and one cell at
    // XFD1048576 in a 1.5 KB file asked for 512 GiB and aborted the scan.
    match book {
        Book::Xlsx => scan_book(
            open::<Xlsx<_>>(shared_strings_checked(src)?)?,
            sink,
            |book, name| {
                match book.worksheet_cells_reader(name) {
                    // A chart sheet has no cells.
                    Err(calamine::XlsxError::NotAWorksheet(_)) => Ok(Vec::new()),
                    Err(e) => Err(foreign(e)),
                    Ok(mut reader) => stored_cells(|| reader.next_cell().map_err(foreign)),
                }
            },
        ),
        Book::Xlsb => scan_book(open::<Xlsb<_>>(src)?, sink, |book, name| {
            let mut reader = book.worksheet_cells_reader(name).map_err(foreign)?;
            stored_cells(|| reader.next_cell().map_err(foreign))
        }),
        // These hold every sheet's grid once opened: the cells are taken
        // from it. XLS grids are bounded by the format (65,536 × 256), not
        // by what a file claims: see `workbook_repacked`.
        Book::Xls => {
            let (repacked, strings_lost) = workbook_repacked(src)?;
            scan_book(open::<Xls<_>>(repacked)?, sink, grid_cells)?;
            if strings_lost {
                return Err(Problem::Failed(
                    "corrupt workbook: its shared strings are damaged, so the cells holding \
                     text were not read; the others were"
                        .into(),
                ));
            }
            Ok(())
        }
        Book::Ods => {
            let mut src = src;
            let (cells, indented) = ods_grid_cells(&mut src)?;
            if cells > MAX_ODS_CELLS {
                return Err(Problem::Skipped(format!(
                    "its repeated rows and columns spread over {cells} cells, more than the {MAX_ODS_CELLS} trawl unpacks from one OpenDocument spreadsheet"
                )));
            }
            if indented {
                src = ods_unindented(src)?;
            }
            scan_book(open::<Ods<_>>(src)?, sink, grid_cells)
        }
    }
}

/// Refuses an XLSX whose shared-strings table claims more strings than its
/// bytes could hold: calamine reserves room for the claim as it opens the
/// file, and a 1 KB file claiming 4,294,967,295 strings asked for 103 GB
/// and aborted the scan. The source is left at its start.
fn shared_strings_checked(mut src: Box<dyn ReadSeek>) -> Result<Box<dyn ReadSeek>, Problem> {
    use quick_xml::events::Event;
    {
        let mut zip = zip::ZipArchive::new(&mut src)
            .map_err(|e| Problem::Failed(format!("corrupt zip: {e}")))?;
        // Found as calamine finds it: by name, whatever the case or slashes.
        let Some(index) = (0..zip.len()).find(|&i| {
            zip.name_for_index(i).is_some_and(|n| {
                n.replace('\\', "/")
                    .eq_ignore_ascii_case("xl/sharedStrings.xml")
            })
        }) else {
            return rewound(src);
        };
        let Ok(part) = zip.by_index(index) else {
            // Calamine says what is wrong with it.
            return rewound(src);
        };
        // What the part can hold: its size as its header states it, and no
        // more than its stored bytes could unpack to, as a header can lie.
        let (bytes, compressed) = (part.size(), part.compressed_size());
        let room = bytes.min(compressed.saturating_mul(MAX_PART_RATIO));
        let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(part));
        let mut buf = Vec::new();
        loop {
            match reader.read_event_into(&mut buf) {
                Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == b"sst" => {
                    let claimed =
                        e.try_get_attribute(b"uniqueCount")
                            .ok()
                            .flatten()
                            .and_then(|a| {
                                std::str::from_utf8(&a.value)
                                    .ok()?
                                    .trim()
                                    .parse::<u64>()
                                    .ok()
                            });
                    // `<si/>`, the least a string takes, is five bytes.
                    if let Some(claimed) = claimed.filter(|&n| n > room / 5) {
                        return Err(Problem::Failed(format!(
                            "corrupt workbook: its shared strings claim {claimed} strings in {bytes} bytes ({compressed} stored)"
                        )));
                    }
                    break;
                }
                Ok(Event::Eof) | Err(_) => break,
                // Before the table: the declaration, comments.
                Ok(_) => {}
            }
            buf.clear();
        }
    }
    rewound(src)
}

/// Streams calamine looks for an XLS workbook under, in its order: Excel
/// 97 and later, then Excel 5 and 95.
const WORKBOOK_STREAMS: [&str; 2] = ["Workbook", "Book"];

/// An XLS file's workbook stream, copied into a compound file of trawl's own
/// making for calamine to read. Calamine's container reader trusts the
/// file's sector chains and sizes: a 1.5 KB file whose directory chain
/// looped grew a buffer until the process was killed (24 GB), and sizes in
/// a header asked for 17 GB. The `cfb` crate checks chains and counts
/// against the file as it opens it, and the copy calamine reads is
/// well-formed by construction, its DIMENSIONS records emptied (see
/// [`dimensions_cleared`]). The copy is held in memory: about the stream's
/// size, which is no more than the file's.
fn workbook_repacked(mut src: Box<dyn ReadSeek>) -> Result<(Box<dyn ReadSeek>, bool), Problem> {
    use std::io::{Read, Seek, SeekFrom, Write};
    let len = src.seek(SeekFrom::End(0))?;
    src.seek(SeekFrom::Start(0))?;
    let damaged = super::ole::damaged("workbook");
    let mut file = cfb::CompoundFile::open(&mut src).map_err(damaged)?;
    // A password-protected XLSX, DOCX or PPTX is a compound file holding the
    // encrypted package; it is sniffed as a workbook by its signature.
    if file.is_stream("EncryptedPackage") {
        return Err(Problem::Encrypted(
            "password-protected Office document (encrypted package)".into(),
        ));
    }
    let Some(name) = WORKBOOK_STREAMS.into_iter().find(|n| file.is_stream(n)) else {
        return Err(Problem::Failed(
            "not a workbook: a compound file (OLE) with no Workbook stream".into(),
        ));
    };
    // Version 3 (512-byte sectors), as Excel writes: calamine refuses a
    // version 4 file whose root holds no mini stream, as a small copy's may not.
    let mut workbook = Vec::new();
    file.open_stream(name)
        .map_err(damaged)?
        .take(len)
        .read_to_end(&mut workbook)
        .map_err(damaged)?;
    dimensions_cleared(&mut workbook);
    let strings_lost = shared_strings_passed_over(&mut workbook);
    let mut copy =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, std::io::Cursor::new(Vec::new()))?;
    copy.create_stream(name)?.write_all(&workbook)?;
    drop(workbook);
    copy.flush()?;
    let mut copy = copy.into_inner();
    copy.set_position(0);
    Ok((Box::new(copy), strings_lost))
}

/// The records of a BIFF stream, as calamine splits them.
struct Biff<'a> {
    stream: &'a [u8],
    at: usize,
}

const CONTINUE: u16 = 0x003C;

impl Biff<'_> {
    fn u16_at(&self, at: usize) -> Option<u16> {
        super::le_u16(self.stream, at)
    }

    /// The next record, and the CONTINUE records after it.
    fn next_record(&mut self) -> Option<BiffRecord> {
        let start = self.at;
        let kind = self.u16_at(start)?;
        let data = start + 4..start + 4 + usize::from(self.u16_at(start + 2)?);
        if data.end > self.stream.len() {
            return None;
        }
        self.at = data.end;
        let mut continues = Vec::new();
        while self.stream.len() - self.at > 4 && self.u16_at(self.at) == Some(CONTINUE) {
            let more = self.at + 4..self.at + 4 + usize::from(self.u16_at(self.at + 2)?);
            if more.end > self.stream.len() {
                return None;
            }
            self.at = more.end;
            continues.push(more);
        }
        Some(BiffRecord {
            start,
            kind,
            data,
            continues,
        })
    }
}

struct BiffRecord {
    /// Where its header starts.
    start: usize,
    kind: u16,
    data: std::ops::Range<usize>,
    /// The data of the CONTINUE records that follow it.
    continues: Vec<std::ops::Range<usize>>,
}

/// Passes over a workbook stream's shared strings (the SST record) when
/// calamine could not read them without a panic, and says whether it did.
/// Calamine 0.35 reads a string's count of formatting runs and the size of
/// its extension, and the flags byte that starts a CONTINUE record, without
/// checking the record holds them (a damaged copy of `legacy.xls` in
/// `tests/mutants.rs` tripped it). So the strings are walked here as
/// calamine walks them, each of those reads checked; the SST of one that
/// fails is retyped, calamine passes it over, and the cells that point
/// into it are not read.
fn shared_strings_passed_over(stream: &mut [u8]) -> bool {
    const SST: u16 = 0x00FC;
    const PASSED_OVER: u16 = 0xFFFF;
    let mut records = Biff { stream, at: 0 };
    while let Some(record) = records.next_record() {
        if record.kind != SST {
            continue;
        }
        let start = record.start;
        let pieces: Vec<&[u8]> = std::iter::once(record.data)
            .chain(record.continues)
            .map(|range| &stream[range])
            .collect();
        if sst_readable(&pieces) {
            return false;
        }
        stream[start..start + 2].copy_from_slice(&PASSED_OVER.to_le_bytes());
        return true;
    }
    false
}

/// Whether calamine 0.35's `parse_sst` reads these pieces (the SST's data,
/// then each CONTINUE's) to their end or to an error, and not to a panic:
/// its steps, with the checks it lacks.
fn sst_readable(pieces: &[&[u8]]) -> bool {
    let mut pieces = pieces.iter().copied();
    let Some(first) = pieces.next() else {
        return true;
    };
    let Some(mut data) = first.get(8..) else {
        // Too short: calamine says so.
        return true;
    };
    let mut next = || pieces.next();
    loop {
        if data.is_empty() {
            match next() {
                Some(more) => data = more,
                None => return true,
            }
        }
        if data.len() < 3 {
            return true;
        }
        let chars = usize::from(u16::from_le_bytes([data[0], data[1]]));
        let flags = data[2];
        data = &data[3..];
        let mut skip = 0usize;
        if flags & 0x8 != 0 {
            let Some(runs) = data.get(..2) else {
                return false;
            };
            skip += usize::from(u16::from_le_bytes([runs[0], runs[1]])) * 4;
            data = &data[2..];
        }
        if flags & 0x4 != 0 {
            let Some(size) = data.get(..4) else {
                return false;
            };
            skip = skip
                .saturating_add(i32::from_le_bytes([size[0], size[1], size[2], size[3]]) as usize);
            data = &data[4..];
        }
        let (mut left, mut wide) = (chars, flags & 0x1 != 0);
        while left > 0 {
            let width = if wide { 2 } else { 1 };
            let taken = left.min(data.len() / width);
            data = &data[taken * width..];
            left -= taken;
            if left > 0 {
                let Some(more) = next() else {
                    return true;
                };
                let Some((&flag, rest)) = more.split_first() else {
                    return false;
                };
                wide = flag & 0x1 != 0;
                data = rest;
            }
        }
        while skip > 0 {
            if data.is_empty() {
                match next() {
                    Some(more) => data = more,
                    None => return true,
                }
            }
            let taken = skip.min(data.len());
            data = &data[taken..];
            skip -= taken;
        }
    }
}

/// Empties every DIMENSIONS record of a BIFF workbook stream. Calamine
/// reserves a sheet's cells from it before reading them, and its rows are
/// 32-bit: a damaged record asked for 515 GB and aborted the scan (found by
/// `tests/mutants.rs`); one whose last row is before its first underflows.
/// The record is only that hint, and an empty range reserves one cell.
fn dimensions_cleared(stream: &mut [u8]) {
    const DIMENSIONS: u16 = 0x0200;
    let mut at = 0;
    // Records: type and length (little-endian u16s), then the data.
    while let Some(header) = stream.get(at..at + 4) {
        let kind = u16::from_le_bytes([header[0], header[1]]);
        let data = at + 4..(at + 4 + usize::from(u16::from_le_bytes([header[2], header[3]])));
        if kind == DIMENSIONS {
            if let Some(data) = stream.get_mut(data.clone()) {
                data.fill(0);
            }
        }
        at = data.end;
    }
}

fn rewound(mut src: Box<dyn ReadSeek>) -> Result<Box<dyn ReadSeek>, Problem> {
    src.seek(std::io::SeekFrom::Start(0))?;
    Ok(src)
}

/// The most cells an ODS file's sheets may spread over once their repeat
/// counts are unpacked: calamine holds them all as soon as it opens the
/// file, and an 805-byte file repeating a cell a million times took 1.6 GB.
const MAX_ODS_CELLS: u64 = 5_000_000;

/// How many cells calamine's grids of an ODS file would hold, at most: for
/// each sheet, its rows up to the last that holds something, by its widest
/// such row up to the last cell that holds something, repeats unpacked; and
/// whether `content.xml` is indented (see [`ods_unindented`]). Read from
/// `content.xml` as it streams; the source is left at its start.
fn ods_grid_cells(src: &mut Box<dyn ReadSeek>) -> Result<(u64, bool), Problem> {
    use quick_xml::events::Event;
    // Calamine caps repeats at a sheet's largest size.
    const MAX_ROWS: u64 = 1_048_576;
    const MAX_COLUMNS: u64 = 16_384;
    let repeats = |e: &quick_xml::events::BytesStart, name: &[u8]| -> u64 {
        e.try_get_attribute(name)
            .ok()
            .flatten()
            .and_then(|a| std::str::from_utf8(&a.value).ok()?.trim().parse().ok())
            .unwrap_or(1)
    };
    let (total, indented) = {
        let mut zip = zip::ZipArchive::new(&mut *src)
            .map_err(|e| Problem::Failed(format!("corrupt zip: {e}")))?;
        let Ok(content) = zip.by_name("content.xml") else {
            // Calamine says what is wrong with it.
            return Ok((0, false));
        };
        let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(content));
        let mut buf = Vec::new();
        let (mut total, mut sheet_rows, mut used_rows, mut used_width) = (0u64, 0u64, 0u64, 0u64);
        let (mut row_repeats, mut row_width, mut used_row_width) = (1u64, 0u64, 0u64);
        // Elements open: calamine loops for ever on a table that never
        // closes, so content.xml must be whole before calamine reads it.
        let mut open = 0usize;
        let (mut text_open, mut indented) = (0usize, false);
        loop {
            let event = match reader.read_event_into(&mut buf) {
                Ok(Event::Eof) if open == 0 => break,
                Ok(Event::Eof) => {
                    return Err(Problem::Failed(
                        "content.xml ends inside an element (cut short?)".into(),
                    ))
                }
                // Not quick-xml's message: it quotes the document.
                Err(_) => {
                    return Err(Problem::Failed(format!(
                        "content.xml is not well-formed XML (at byte {})",
                        reader.error_position()
                    )))
                }
                Ok(e) => e,
            };
            let opens = matches!(event, Event::Start(_));
            match &event {
                Event::Start(e) => {
                    open += 1;
                    text_open += usize::from(is_text_element(e.name().as_ref()));
                }
                Event::End(e) => {
                    open = open.saturating_sub(1);
                    if is_text_element(e.name().as_ref()) {
                        text_open = text_open.saturating_sub(1);
                    }
                }
                Event::Text(t) if text_open == 0 && is_blank(t) => indented = true,
                _ => {}
            }
            match event {
                Event::Start(e) if e.name().as_ref() == b"table:table" => {
                    (sheet_rows, used_rows, used_width) = (0, 0, 0);
                }
                Event::End(e) if e.name().as_ref() == b"table:table" => {
                    total = total.saturating_add(used_rows.saturating_mul(used_width));
                }
                Event::Start(e) if e.name().as_ref() == b"table:table-row" => {
                    row_repeats = repeats(&e, b"table:number-rows-repeated");
                    (row_width, used_row_width) = (0, 0);
                }
                Event::End(e) if e.name().as_ref() == b"table:table-row" => {
                    sheet_rows = sheet_rows.saturating_add(row_repeats).min(MAX_ROWS);
                    if used_row_width > 0 {
                        used_rows = sheet_rows;
                        used_width = used_width.max(used_row_width.min(MAX_COLUMNS));
                    }
                }
                // A cell with content (or, written empty, a value).
                Event::Start(e) | Event::Empty(e)
                    if matches!(
                        e.name().as_ref(),
                        b"table:table-cell" | b"table:covered-table-cell"
                    ) =>
                {
                    let holds = opens
                        || e.try_get_attribute(b"office:value-type")
                            .ok()
                            .flatten()
                            .is_some();
                    row_width =
                        row_width.saturating_add(repeats(&e, b"table:number-columns-repeated"));
                    if holds {
                        used_row_width = row_width;
                    }
                }
                _ => {}
            }
            buf.clear();
        }
        (total, indented)
    };
    src.seek(std::io::SeekFrom::Start(0))?;
    Ok((total, indented))
}

/// An element of a cell's text (`text:p`, `text:span`…), where spaces are
/// the text's own.
fn is_text_element(name: &[u8]) -> bool {
    name.starts_with(b"text:")
}

/// Whitespace only, as indentation is.
fn is_blank(text: &[u8]) -> bool {
    !text.is_empty() && text.iter().all(u8::is_ascii_whitespace)
}

/// The most of an indented `content.xml` that [`ods_unindented`] rewrites,
/// as much as one part of an Office document may take.
const MAX_UNINDENTED_BYTES: u64 = 256 << 20;

/// The ODS file with the indentation taken out of `content.xml`: the
/// whitespace between elements outside a cell's text, which calamine reads
/// as a cell it did not expect ("Expecting 'table-cell'") and so refuses the
/// whole file. KOffice, and exports that pretty-print their XML, write it
/// so. The other parts are copied as they are stored.
fn ods_unindented(mut src: Box<dyn ReadSeek>) -> Result<Box<dyn ReadSeek>, Problem> {
    use quick_xml::events::Event;
    use std::io::Write;
    let corrupt = |e: zip::result::ZipError| Problem::Failed(format!("corrupt zip: {e}"));
    let mut zip = zip::ZipArchive::new(&mut src).map_err(corrupt)?;
    let mut packed = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(corrupt)?;
        if part.name() != "content.xml" {
            packed.raw_copy_file(part).map_err(corrupt)?;
            continue;
        }
        drop(part);
        let content = zip.by_index(i).map_err(corrupt)?;
        let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(content));
        let mut writer = quick_xml::Writer::new(Vec::new());
        let mut buf = Vec::new();
        let mut text_open = 0usize;
        loop {
            let event = reader
                .read_event_into(&mut buf)
                .map_err(|_| Problem::Failed("content.xml is not well-formed XML".into()))?;
            match &event {
                Event::Eof => break,
                Event::Start(e) if is_text_element(e.name().as_ref()) => text_open += 1,
                Event::End(e) if is_text_element(e.name().as_ref()) => {
                    text_open = text_open.saturating_sub(1)
                }
                Event::Text(t) if text_open == 0 && is_blank(t) => {
                    buf.clear();
                    continue;
                }
                _ => {}
            }
            writer.write_event(event)?;
            buf.clear();
            // Held in memory: a zip bomb's content.xml must stop here.
            if writer.get_ref().len() as u64 > MAX_UNINDENTED_BYTES {
                return Err(Problem::Failed(format!(
                    "content.xml is indented and over {MAX_UNINDENTED_BYTES} bytes without \
                     its indentation, more than trawl rewrites (zip bomb guard)"
                )));
            }
        }
        packed
            .start_file("content.xml", zip::write::SimpleFileOptions::default())
            .map_err(corrupt)?;
        packed.write_all(&writer.into_inner())?;
    }
    let mut unindented = packed.finish().map_err(corrupt)?;
    unindented.set_position(0);
    Ok(Box::new(unindented))
}

/// The non-empty cells a cell reader gives, in the order stored.
fn stored_cells<'a>(
    mut next: impl FnMut() -> Result<Option<Cell<DataRef<'a>>>, String>,
) -> Result<Cells, String> {
    let mut cells = Vec::new();
    while let Some(cell) = next()? {
        if cell.get_value() != &DataRef::Empty {
            let (row, col) = cell.get_position();
            cells.push((row, col, Data::from(cell.get_value().clone())));
        }
    }
    Ok(cells)
}

/// The non-empty cells of a sheet calamine holds as a grid.
fn grid_cells<R>(book: &mut R, name: &str) -> Result<Cells, String>
where
    R: Reader<Box<dyn ReadSeek>>,
    R::Error: std::fmt::Display,
{
    let range = book.worksheet_range(name).map_err(foreign)?;
    let Some((row0, col0)) = range.start() else {
        return Ok(Vec::new());
    };
    Ok(range
        .used_cells()
        .map(|(r, c, v)| (row0 + r as u32, col0 + c as u32, v.clone()))
        .collect())
}

fn open<R>(src: Box<dyn ReadSeek>) -> Result<R, Problem>
where
    R: Reader<Box<dyn ReadSeek>>,
    R::Error: std::fmt::Display,
{
    R::new(src).map_err(|e| classify(&e.to_string(), "cannot open workbook"))
}

/// Encrypted workbooks say so in their error; everything else failed.
fn classify(message: &str, what: &str) -> Problem {
    let lower = message.to_ascii_lowercase();
    if lower.contains("password") || lower.contains("encrypt") {
        Problem::Encrypted(format!("{what}: encrypted workbook"))
    } else {
        Problem::Failed(format!("{what}: {}", foreign(message)))
    }
}

fn scan_book<R>(
    mut book: R,
    sink: &mut Sink,
    mut read_sheet: impl FnMut(&mut R, &str) -> Result<Cells, String>,
) -> Result<(), Problem>
where
    R: Reader<Box<dyn ReadSeek>>,
{
    let mut failed = Vec::new();
    let names = book.sheet_names();
    let mut sharing = std::collections::HashMap::new();
    for name in &names {
        *sharing.entry(name).or_insert(0usize) += 1;
    }
    for (position, name) in (1..).zip(&names) {
        // calamine finds a sheet by its name: of sheets that share one, only
        // one can be read, and it is read once (100,000 sheets of one name
        // were read 100,000 times).
        let Some(sharing) = sharing.remove(name) else {
            continue;
        };
        let shown = shown_sheet_name(name, position, sink);
        if sharing > 1 {
            failed.push(format!(
                "{sharing} sheets are named {shown:?}: only one of them could be read"
            ));
        }
        // One sheet at a time: its cells are dropped before the next is read.
        match read_sheet(&mut book, name) {
            Ok(cells) => {
                let beyond = scan_sheet(&shown, cells, sink);
                if beyond > 0 {
                    let (cells, were) = if beyond == 1 {
                        ("cell", "was")
                    } else {
                        ("cells", "were")
                    };
                    failed.push(format!(
                        "sheet {shown:?}: {beyond} {cells} past column {}, the last a sheet can have, {were} not read; its other cells were",
                        column_letters(u64::from(MAX_COLUMNS) - 1)
                    ));
                }
            }
            Err(e) => failed.push(format!("sheet {shown:?}: {e}")),
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(Problem::Failed(format!(
            "{}; other sheets were scanned",
            failed.join("; ")
        )))
    }
}

/// A sheet's name as findings and messages show it: as written, or, where
/// it is a value (a workbook with a sheet for each tenant, named after
/// them), masked as that value's finding is, with its place among the
/// sheets (`J*** *****[3]`) to tell it from others masked alike. Such a
/// name is judged as a value of the workbook's, located at its sheet.
fn shown_sheet_name(name: &str, position: u64, sink: &mut Sink) -> String {
    let Some(masked) = masked_if_value(sink.engine(), name) else {
        return name.to_string();
    };
    let shown = format!("{masked}[{position}]");
    sink.record(&[Field {
        text: name.into(),
        header: None,
        location: Location {
            sheet: Some(shown.clone()),
            ..Location::default()
        },
    }]);
    shown
}

/// Columns a sheet can have (XLSX, XLSB and ODS: A to XFD; XLS fewer).
const MAX_COLUMNS: u32 = 16_384;

/// A sheet's rows, each a record, read from its non-empty cells: columns
/// count from the leftmost used one, as on a grid of the used cells, but
/// only cells that hold something are ever made. Returns how many cells
/// claimed a column past the last a sheet can have: those are not read, as
/// the header row is spread over the columns in use (a 600-byte file with a
/// cell at column ZZZZZZ asked for gigabytes).
fn scan_sheet(name: &str, mut cells: Cells, sink: &mut Sink) -> usize {
    let before = cells.len();
    cells.retain(|&(_, col, _)| col < MAX_COLUMNS);
    let beyond = before - cells.len();
    // In row order; a cell stored twice keeps its last value, as a grid
    // written in order would.
    cells.reverse();
    cells.sort_by_key(|&(row, col, _)| (row, col));
    cells.dedup_by_key(|&mut (row, col, _)| (row, col));
    let (Some(col0), Some(col_end)) = (
        cells.iter().map(|c| c.1).min(),
        cells.iter().map(|c| c.1).max(),
    ) else {
        return beyond;
    };
    let sheet = Rc::new(name.to_string());
    sink.set_table_headers(None);
    let rows = || {
        cells
            .chunk_by(|a, b| a.0 == b.0)
            .map(|row| {
                let texts: Vec<(u32, String)> =
                    row.iter().map(|(_, c, v)| (*c, cell_text(v))).collect();
                (row[0].0, texts)
            })
            .filter(|(_, texts)| texts.iter().any(|(_, t)| !t.trim().is_empty()))
    };
    // Rows read across every used column, empty ones too.
    let across = |(r, texts): (u32, Vec<(u32, String)>)| {
        let mut cells = vec![String::new(); (col_end - col0) as usize + 1];
        for (c, t) in texts {
            cells[(c - col0) as usize] = t;
        }
        (r, cells)
    };
    // The header is among the first rows (below a title, a date).
    let (starts, names): (Vec<u32>, Vec<Vec<String>>) =
        rows().take(MAX_TITLE_ROWS + 1).map(across).unzip();
    let header = find_header(sink.engine(), &names);
    // A short sheet may be a form: one record, each value under its label.
    if rows().nth(MAX_FORM_ROWS).is_none() {
        let (starts, grid): (Vec<u32>, Vec<Vec<String>>) = rows().map(across).unzip();
        let named = header.as_ref().map(|(_, h)| h);
        if let Some(form) = read_form(sink.engine(), &grid, named, false) {
            let fields = form_fields(&grid, &form, |r, c, label| {
                let col = u64::from(col0) + c as u64;
                let row_number = u64::from(starts[r]) + 1;
                Location {
                    sheet: Some(sheet.as_ref().clone()),
                    cell: Some(format!("{}{}", column_letters(col), row_number)),
                    row: Some(row_number),
                    column: label.map(|name| Column::Name(name.to_string())),
                    column_index: col + 1,
                    ..Location::default()
                }
            });
            let at = Location {
                sheet: Some(sheet.as_ref().clone()),
                ..Location::default()
            };
            sink.row(&fields, at);
            return beyond;
        }
    }
    let (header_row, headers) = match header {
        Some((at, header)) => (Some(starts[at]), header),
        None => (None, Header::new()),
    };
    let unnamed = Header::new();
    for (r, texts) in rows() {
        let row_number = u64::from(r) + 1;
        let headers = match header_row {
            Some(h) if r == h => {
                sink.set_table_headers(Some(&headers));
                continue;
            }
            Some(h) if r > h => &headers,
            _ => &unnamed,
        };
        let fields: Vec<Field> = texts
            .into_iter()
            .filter(|(_, c)| !c.trim().is_empty())
            .map(|(c, text)| {
                let i = (c - col0) as usize;
                let col = u64::from(c);
                let header = headers.get(i).and_then(Option::as_ref);
                Field {
                    text: text.into(),
                    header: header.map(|(_, h)| Rc::clone(h)),
                    location: Location {
                        sheet: Some(sheet.as_ref().clone()),
                        cell: Some(format!("{}{}", column_letters(col), row_number)),
                        row: Some(row_number),
                        column: header.map(|(n, _)| Column::Name(n.clone())),
                        column_index: col + 1,
                        ..Location::default()
                    },
                }
            })
            .collect();
        let at = Location {
            sheet: Some(sheet.as_ref().clone()),
            row: Some(row_number),
            ..Location::default()
        };
        sink.row(&fields, at);
    }
    sink.set_table_headers(None);
    beyond
}

/// A cell as a person reads it.
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) | Data::Bool(_) => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::DateTime(dt) => {
            if dt.is_datetime() {
                let (y, m, d, ..) = dt.to_ymd_hms_milli();
                format!("{d:02}/{m:02}/{y:04}")
            } else {
                float_text(dt.as_f64())
            }
        }
        // An OpenDocument date (`1955-11-22`, with a time or not), read as
        // an Excel date is.
        Data::DateTimeIso(s) => {
            let date = s.split('T').next().unwrap_or(s);
            let b = date.as_bytes();
            let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
            if b.len() == 10
                && b[4] == b'-'
                && b[7] == b'-'
                && digits(0..4)
                && digits(5..7)
                && digits(8..10)
            {
                format!("{}/{}/{}", &date[8..10], &date[5..7], &date[0..4])
            } else {
                date.to_string()
            }
        }
        Data::DurationIso(s) => s.clone(),
    }
}

/// Whole numbers without ".0", as Excel's General format shows them.
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e17 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// 0 → A, 25 → Z, 26 → AA.
pub fn column_letters(mut col: u64) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::testing::{compound, engine};
    use std::collections::BTreeMap;
    use std::io::{Cursor, Read, Write};

    /// (value, cell) of each finding.
    fn found(sink: &Sink) -> Vec<(String, String)> {
        sink.findings
            .iter()
            .map(|f| {
                let cell = f.location.cell.clone().unwrap_or_default();
                (f.value.clone().unwrap_or_default(), cell)
            })
            .collect()
    }

    /// A one-sheet workbook of inline strings at the given cells.
    fn xlsx(cells: &[(&str, &str)]) -> Vec<u8> {
        xlsx_with(cells, None)
    }

    /// [`xlsx`], with a shared-strings part.
    fn xlsx_with(cells: &[(&str, &str)], shared_strings: Option<&str>) -> Vec<u8> {
        let row_of = |cell: &str| -> u32 {
            cell.trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .parse()
                .unwrap()
        };
        let mut rows: BTreeMap<u32, String> = BTreeMap::new();
        for (cell, text) in cells {
            rows.entry(row_of(cell)).or_default().push_str(&format!(
                r#"<c r="{cell}" t="inlineStr"><is><t>{text}</t></is></c>"#
            ));
        }
        let data: String = rows
            .iter()
            .map(|(r, cs)| format!(r#"<row r="{r}">{cs}</row>"#))
            .collect();
        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let parts = [
            ("[Content_Types].xml".to_string(), r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>"#.to_string()),
            ("_rels/.rels".into(), format!(r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>"#)),
            ("xl/workbook.xml".into(), format!(r#"<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#)),
            ("xl/_rels/workbook.xml.rels".into(), format!(r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#)),
            ("xl/worksheets/sheet1.xml".into(), format!(r#"<worksheet xmlns="{main}"><sheetData>{data}</sheetData></worksheet>"#)),
        ];
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let strings = shared_strings.map(|s| ("xl/sharedStrings.xml".to_string(), s.to_string()));
        for (name, text) in parts.into_iter().chain(strings) {
            w.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(text.as_bytes()).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    /// An ODS file with one sheet whose body is `rows`.
    fn ods(rows: &str) -> Vec<u8> {
        ods_content(&format!(
            r#"<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="S">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
        ))
    }

    fn ods_content(content: &str) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, text) in [
            ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
            ("content.xml", content),
            (
                "META-INF/manifest.xml",
                r#"<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>"#,
            ),
        ] {
            w.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(text.as_bytes()).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn scan_ods(rows: &str) -> (Vec<(String, String)>, Result<(), Problem>) {
        let engine = engine();
        let mut sink = Sink::new(&engine, "s.ods".into(), true);
        let result = scan(Box::new(Cursor::new(ods(rows))), Book::Ods, &mut sink);
        (found(&sink), result)
    }

    /// The file failed, for a reason that begins with `why`.
    fn assert_failed_with(result: Result<(), Problem>, why: &str) {
        match result {
            Err(Problem::Failed(reason)) => assert!(reason.starts_with(why), "{reason}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_cell_calamine_cannot_read_is_not_quoted_in_the_reason() {
        // An error cell (t="e") whose value is not an error code: calamine's
        // message quoted the whole value, and reasons are never masked. The
        // helper writes inline strings, so the cell is written inside one.
        let cell = r#"x</t></is></c><c r="B1" t="e"><v>Jane Smith AB123456C</v></c><c r="C1" t="inlineStr"><is><t>y"#;
        let engine = engine();
        let mut sink = Sink::new(&engine, "s.xlsx".into(), false);
        let result = scan(
            Box::new(Cursor::new(xlsx(&[("A1", cell)]))),
            Book::Xlsx,
            &mut sink,
        );
        match result {
            Err(Problem::Failed(reason)) => {
                assert!(reason.starts_with(r#"sheet "S": "#), "{reason}");
                assert!(!reason.contains("Smith"), "{reason}");
                assert!(!reason.contains("123456"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }

    const LEGACY_XLS: &[u8] = include_bytes!("../../fixtures/spreadsheets/legacy.xls");

    fn scan_xls(bytes: Vec<u8>) -> (Vec<(String, String)>, Result<(), Problem>) {
        let engine = engine();
        let mut sink = Sink::new(&engine, "s.xls".into(), true);
        let result = scan(Box::new(Cursor::new(bytes)), Book::Xls, &mut sink);
        (found(&sink), result)
    }

    /// A compound file (version 3) holding the given streams.
    /// Sets entry `sector` of a version 3 compound file's first FAT sector.
    fn set_fat_entry(file: &mut [u8], sector: u32, next: u32) {
        let u32_at =
            |file: &[u8], at: usize| u32::from_le_bytes(file[at..at + 4].try_into().unwrap());
        let first_fat_sector = u32_at(file, 0x4C) as usize;
        let at = (first_fat_sector + 1) * 512 + sector as usize * 4;
        file[at..at + 4].copy_from_slice(&next.to_le_bytes());
    }

    #[test]
    fn an_xls_is_read_from_a_clean_copy_of_its_workbook_stream() {
        let (repacked, result) = scan_xls(LEGACY_XLS.to_vec());
        assert!(result.is_ok(), "{result:?}");
        // The same cells as calamine reads from the file itself.
        let engine = engine();
        let mut sink = Sink::new(&engine, "s.xls".into(), true);
        let original = open::<Xls<_>>(Box::new(Cursor::new(LEGACY_XLS.to_vec()))).unwrap();
        scan_book(original, &mut sink, grid_cells).unwrap();
        assert!(!repacked.is_empty());
        assert_eq!(repacked, found(&sink));
    }

    #[test]
    fn an_xls_whose_sector_chain_loops_is_refused_before_calamine_reads_it() {
        // Calamine follows a looping directory chain until memory runs out.
        let mut looping = LEGACY_XLS.to_vec();
        let directory = u32::from_le_bytes(looping[0x30..0x34].try_into().unwrap());
        set_fat_entry(&mut looping, directory, directory);
        let (found, result) = scan_xls(looping);
        assert!(found.is_empty());
        assert_failed_with(result, "corrupt workbook: its compound file is damaged");
        // And cut short, past its header.
        let (_, result) = scan_xls(LEGACY_XLS[..1024].to_vec());
        assert_failed_with(result, "corrupt workbook: its compound file is damaged");
    }

    /// Each BIFF record of a workbook stream: (type, data range).
    fn records(stream: &[u8]) -> Vec<(u16, std::ops::Range<usize>)> {
        let mut out = Vec::new();
        let mut at = 0;
        while at + 4 <= stream.len() {
            let len = u16::from_le_bytes([stream[at + 2], stream[at + 3]]) as usize;
            out.push((
                u16::from_le_bytes([stream[at], stream[at + 1]]),
                at + 4..at + 4 + len,
            ));
            at += 4 + len;
        }
        out
    }

    #[test]
    fn a_sheet_claiming_billions_of_rows_costs_only_its_cells() {
        let mut stream = legacy_workbook();
        // Each sheet's DIMENSIONS record claims rows 0 to 16,777,215 of 256
        // columns: calamine reserved room for all of them (128 GB).
        let mut claimed = 0;
        for (kind, data) in records(&stream) {
            if kind == 0x0200 {
                assert_eq!(data.len(), 14);
                stream[data.start..data.start + 4].copy_from_slice(&0u32.to_le_bytes());
                stream[data.start + 4..data.start + 8]
                    .copy_from_slice(&0x00FF_FFFFu32.to_le_bytes());
                stream[data.start + 8..data.start + 10].copy_from_slice(&0u16.to_le_bytes());
                stream[data.start + 10..data.start + 12].copy_from_slice(&256u16.to_le_bytes());
                claimed += 1;
            }
        }
        assert!(claimed > 0);
        let (claiming, result) = scan_xls(compound(&[("Workbook", &stream)]));
        assert!(result.is_ok(), "{result:?}");
        let (original, _) = scan_xls(LEGACY_XLS.to_vec());
        assert_eq!(claiming, original);
    }

    /// The legacy fixture's workbook stream.
    fn legacy_workbook() -> Vec<u8> {
        let mut file = cfb::CompoundFile::open(Cursor::new(LEGACY_XLS)).unwrap();
        let mut stream = Vec::new();
        file.open_stream("Workbook")
            .unwrap()
            .read_to_end(&mut stream)
            .unwrap();
        stream
    }

    /// A workbook whose shared strings end in a string whose count of
    /// formatting runs the record does not hold (calamine panicked on it,
    /// as the "internal error" of a damaged `.xls`): its other cells are
    /// read, and the reason says the text cells were not.
    #[test]
    fn damaged_shared_strings_are_passed_over_not_a_panic() {
        let mut stream = legacy_workbook();
        let (_, sst) = records(&stream)
            .into_iter()
            .find(|(kind, _)| *kind == 0x00FC)
            .unwrap();
        // The record's own length kept: one string of `x`s, then the header
        // of one whose runs are past the end.
        let filler = sst.len() - 8 - 3 - 3;
        let data = &mut stream[sst.start + 8..sst.end];
        data[..2].copy_from_slice(&(filler as u16).to_le_bytes());
        data[2] = 0;
        data[3..3 + filler].fill(b'x');
        data[3 + filler..].copy_from_slice(&[1, 0, 0x08]);
        let pieces = [&stream[sst.clone()]];
        assert!(!sst_readable(&pieces));

        let (cells, result) = scan_xls(compound(&[("Workbook", &stream)]));
        assert_failed_with(
            result,
            "corrupt workbook: its shared strings are damaged, so the cells holding text were \
             not read; the others were",
        );
        // Its values are all text.
        assert!(cells.is_empty(), "{cells:?}");
        // The fixture's own strings are read.
        assert!(sst_readable(&[&legacy_workbook()[sst]]));
    }

    #[test]
    fn the_shared_strings_walk_finds_each_read_calamine_would_trip_on() {
        // cstTotal and cstUnique, then strings: count, flags, characters.
        let header = [0u8; 8];
        let sst = |strings: &[u8]| [&header[..], strings].concat();
        assert!(sst_readable(&[&sst(&[2, 0, 0, b'a', b'b'])]));
        // Wide characters across a CONTINUE, which starts with a flags byte.
        assert!(sst_readable(&[&sst(&[2, 0, 1, b'a', 0]), &[1, b'b', 0]]));
        // A CONTINUE with no flags byte for the rest of a string.
        assert!(!sst_readable(&[&sst(&[2, 0, 1, b'a', 0]), &[]]));
        // Runs and extension sizes cut off.
        assert!(!sst_readable(&[&sst(&[1, 0, 0x08, 3])]));
        assert!(!sst_readable(&[&sst(&[1, 0, 0x04, 3, 0, 0])]));
        // Runs and an extension skipped across a CONTINUE.
        assert!(sst_readable(&[
            &sst(&[1, 0, 0x0C, 1, 0, 2, 0, 0, 0, b'a', 1, 2]),
            &[3, 4, 5, 6]
        ]));
        // What calamine refuses with an error is not a panic.
        assert!(sst_readable(&[&[0; 4]]));
        assert!(sst_readable(&[&sst(&[1, 0])]));
        assert!(sst_readable(&[&sst(&[9, 0, 0, b'a'])]));
    }

    proptest::proptest! {
        /// Records of any kinds and lengths, DIMENSIONS among them, cut
        /// anywhere: only DIMENSIONS records' data change, to zeros.
        #[test]
        fn clearing_dimensions_changes_nothing_else(
            parts in proptest::collection::vec(
                (
                    proptest::prop_oneof![proptest::strategy::Just(0x0200u16), proptest::prelude::any::<u16>()],
                    proptest::collection::vec(proptest::prelude::any::<u8>(), 0..24),
                ),
                0..12,
            ),
            cut in proptest::prelude::any::<proptest::sample::Index>(),
        ) {
            let mut stream = Vec::new();
            for (kind, data) in &parts {
                stream.extend_from_slice(&kind.to_le_bytes());
                stream.extend_from_slice(&(data.len() as u16).to_le_bytes());
                stream.extend_from_slice(data);
            }
            stream.truncate(cut.index(stream.len() + 1));
            let mut cleared = stream.clone();
            dimensions_cleared(&mut cleared);
            let mut expected = stream.clone();
            for (kind, data) in records(&stream) {
                if kind == 0x0200 && data.end <= expected.len() {
                    expected[data].fill(0);
                }
            }
            proptest::prop_assert_eq!(cleared, expected);
        }
    }

    #[test]
    fn a_password_protected_office_document_is_encrypted_not_a_broken_workbook() {
        // How Office saves an XLSX, DOCX or PPTX under a password.
        let protected = compound(&[
            ("EncryptionInfo", b"\x04\x00\x04\x00"),
            ("EncryptedPackage", &[7; 5000]),
        ]);
        let (_, result) = scan_xls(protected);
        assert!(
            matches!(&result, Err(Problem::Encrypted(r)) if r.starts_with("password-protected Office document")),
            "{result:?}"
        );
        // Another compound file says what it is not.
        let (_, result) = scan_xls(compound(&[("WordDocument", b"text")]));
        assert_failed_with(
            result,
            "not a workbook: a compound file (OLE) with no Workbook stream",
        );
    }

    fn row(text: &str) -> String {
        format!(
            r#"<table:table-row><table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell></table:table-row>"#
        )
    }

    #[test]
    fn an_ods_cut_short_or_ill_formed_is_refused_before_calamine_loops_on_it() {
        // calamine read a table that never closes for ever; a mismatched
        // end tag (which quick-xml's message would quote) is refused too.
        let content = format!(
            r#"<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="S">{}"#,
            row("ann@example.org")
        );
        let engine = engine();
        for (content, why) in [
            (
                content.clone(),
                "content.xml ends inside an element (cut short?)",
            ),
            (
                format!("{content}</table:tablx>"),
                "content.xml is not well-formed XML (at byte",
            ),
        ] {
            let mut sink = Sink::new(&engine, "s.ods".into(), true);
            match scan(
                Box::new(Cursor::new(ods_content(&content))),
                Book::Ods,
                &mut sink,
            ) {
                // The reason quotes nothing of the document.
                Err(Problem::Failed(reason)) => {
                    assert!(
                        reason.starts_with(why) && !reason.contains("tablx"),
                        "{reason}"
                    )
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn sheets_that_share_a_name_are_read_once_and_said_so() {
        let two = format!(
            r#"{}</table:table><table:table table:name="S">{}"#,
            row("ann@example.org"),
            row("bob@example.org")
        );
        let (found, result) = scan_ods(&two);
        // calamine keeps one of them; its findings come once.
        assert_eq!(found.len(), 1, "{found:?}");
        assert_failed_with(
            result,
            "2 sheets are named \"S\": only one of them could be read",
        );
    }

    /// KOffice and hand-made exports indent content.xml. Calamine takes the
    /// whitespace between a row's cells for a cell it did not expect and
    /// refused the whole file; the whitespace is taken out first, and a
    /// cell's own spaces are kept.
    #[test]
    fn an_indented_ods_is_read() {
        let rows = "\n <table:table-row>\n  <table:table-cell office:value-type=\"string\">\n   \
                    <text:p>Email</text:p>\n  </table:table-cell>\n </table:table-row>\n \
                    <table:table-row>\n  <table:table-cell office:value-type=\"string\">\n   \
                    <text:p>Mail <text:span>ann@example.org</text:span> now</text:p>\n  \
                    </table:table-cell>\n </table:table-row>\n";
        let (found, result) = scan_ods(rows);
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "ann@example.org", "the spaces beside it kept");
    }

    #[test]
    fn a_sheet_named_after_a_person_is_found_and_shown_masked() {
        // A sheet a tenant, named after them, and two that mask alike; the
        // first sheet ("S") keeps its name.
        let sheets = format!(
            r#"{}</table:table><table:table table:name="Mrs Nia Okafor">{}</table:table><table:table table:name="Jane Smith">{}</table:table><table:table table:name="John Smith">{}"#,
            row("ann@example.org"),
            row("bob@example.org"),
            row("cy@example.org"),
            row("di@example.org"),
        );
        let engine = engine();
        let mut sink = Sink::new(&engine, "s.ods".into(), true);
        scan(Box::new(Cursor::new(ods(&sheets))), Book::Ods, &mut sink).unwrap();
        let mut found: Vec<(String, String, String)> = sink
            .findings
            .iter()
            .map(|f| {
                (
                    f.location.sheet.clone().unwrap_or_default(),
                    f.detector.clone(),
                    f.location.cell.clone().unwrap_or_default(),
                )
            })
            .collect();
        found.sort();
        let s = |t: &str| t.to_string();
        assert_eq!(
            found,
            [
                (s("J*** *****[3]"), s("email"), s("A1")),
                (s("J*** *****[3]"), s("person_name"), s("")),
                (s("J*** *****[4]"), s("email"), s("A1")),
                (s("J*** *****[4]"), s("person_name"), s("")),
                (s("M** *** ******[2]"), s("email"), s("A1")),
                (s("M** *** ******[2]"), s("person_name"), s("")),
                (s("S"), s("email"), s("A1")),
            ]
        );
    }

    #[test]
    fn ods_repeats_are_counted_before_they_are_unpacked() {
        let cell = |text: &str, repeat: u64| {
            format!(
                r#"<table:table-cell office:value-type="string" table:number-columns-repeated="{repeat}"><text:p>{text}</text:p></table:table-cell>"#
            )
        };
        // As LibreOffice writes every sheet: the rest of the sheet, empty,
        // as one repeated row of repeated empty cells. Read as usual.
        let usual = format!(
            r#"<table:table-row>{}</table:table-row><table:table-row>{}<table:table-cell table:number-columns-repeated="1023"/></table:table-row><table:table-row table:number-rows-repeated="1048574"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#,
            cell("Email", 1),
            cell("ann@example.org", 1),
        );
        let (found, result) = scan_ods(&usual);
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(found, [("ann@example.org".to_string(), "A2".to_string())]);
        // One cell with content, repeated over 3,000 rows and 2,000 columns:
        // six million cells from a few hundred bytes. Not unpacked: said so.
        let spread = format!(
            r#"<table:table-row table:number-rows-repeated="3000">{}</table:table-row>"#,
            cell("ann@example.org", 2000)
        );
        let (found, result) = scan_ods(&spread);
        assert!(found.is_empty());
        assert!(
            matches!(&result, Err(Problem::Skipped(why)) if why.contains("6000000 cells")),
            "{result:?}"
        );
    }

    #[test]
    fn a_far_corner_cell_costs_its_cells_not_a_grid() {
        // A grid from A1 to XFD1048576 would be 17 billion cells.
        let bytes = xlsx(&[
            ("A1", "Email"),
            ("A2", "ann@example.org"),
            ("XFD1048576", "zed@example.org"),
        ]);
        let engine = engine();
        let mut sink = Sink::new(&engine, "far.xlsx".into(), true);
        scan(Box::new(Cursor::new(bytes)), Book::Xlsx, &mut sink).unwrap();
        assert_eq!(
            found(&sink),
            [
                ("ann@example.org".to_string(), "A2".to_string()),
                ("zed@example.org".to_string(), "XFD1048576".to_string())
            ]
        );
    }

    #[test]
    fn shared_strings_claiming_more_than_their_bytes_hold_are_refused() {
        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        let cells = [("A1", "ann@example.org")];
        let engine = engine();
        let scan_with = |sst: String| {
            let mut sink = Sink::new(&engine, "s.xlsx".into(), true);
            let bytes = xlsx_with(&cells, Some(&sst));
            (
                scan(Box::new(Cursor::new(bytes)), Book::Xlsx, &mut sink),
                found(&sink).len(),
            )
        };
        // calamine reserved room for 4,294,967,295 strings and aborted.
        let (result, found) = scan_with(format!(
            r#"<?xml version="1.0"?><sst xmlns="{main}" uniqueCount="4294967295"><si><t>x</t></si></sst>"#
        ));
        assert_failed_with(
            result,
            "corrupt workbook: its shared strings claim 4294967295 strings in",
        );
        assert_eq!(found, 0);
        // A count the part's size allows, but not what its stored bytes
        // could unpack to (200:1): 100,000 strings in 1 MB of spaces.
        let padded = format!(
            r#"<?xml version="1.0"?><sst xmlns="{main}" uniqueCount="100000">{}<si><t>x</t></si></sst>"#,
            " ".repeat(1 << 20)
        );
        let (result, _) = scan_with(padded);
        assert_failed_with(
            result,
            "corrupt workbook: its shared strings claim 100000 strings in",
        );
        // A true count is read as usual.
        let (result, found) = scan_with(format!(
            r#"<?xml version="1.0"?><sst xmlns="{main}" count="2" uniqueCount="2"><si><t>x</t></si><si><t>y</t></si></sst>"#
        ));
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(found, 1);
    }

    #[test]
    fn a_cell_past_the_last_column_is_not_read_and_said_so() {
        // Column ZZZZZZ is 321 million columns in; the header row was spread
        // over every column in use, gigabytes of it.
        for far in ["ZZZZZZ1", "XFE2"] {
            let bytes = xlsx(&[
                ("A1", "Email"),
                ("A2", "ann@example.org"),
                (far, "zed@example.org"),
                ("XFD3", "bob@example.org"),
            ]);
            let engine = engine();
            let mut sink = Sink::new(&engine, "far.xlsx".into(), true);
            let result = scan(Box::new(Cursor::new(bytes)), Book::Xlsx, &mut sink);
            assert_eq!(
                found(&sink),
                [
                    ("ann@example.org".to_string(), "A2".to_string()),
                    ("bob@example.org".to_string(), "XFD3".to_string())
                ]
            );
            assert_failed_with(result, "sheet \"S\": 1 cell past column XFD");
        }
    }

    #[test]
    fn rows_are_read_in_order_from_the_leftmost_used_column() {
        // Out of order, a cell stored twice (the last value stands), and a
        // header row that starts a column to the right of the data.
        let cells: Cells = vec![
            (4, 1, Data::String("old@example.org".into())),
            (2, 2, Data::String("Email".into())),
            (3, 2, Data::String("bea@example.org".into())),
            (4, 1, Data::String("cal@example.org".into())),
            (3, 1, Data::String("Notes only".into())),
        ];
        let engine = engine();
        let mut sink = Sink::new(&engine, "book.xlsx".into(), true);
        scan_sheet("S", cells, &mut sink);
        let at: Vec<(String, String, Option<String>)> = sink
            .findings
            .iter()
            .map(|f| {
                let column = f.location.column.as_ref().map(|c| match c {
                    Column::Name(n) => n.clone(),
                    Column::Number(n) => n.to_string(),
                });
                (
                    f.value.clone().unwrap_or_default(),
                    f.location.cell.clone().unwrap_or_default(),
                    column,
                )
            })
            .collect();
        assert_eq!(
            at,
            [
                (
                    "bea@example.org".to_string(),
                    "C4".to_string(),
                    Some("Email".to_string())
                ),
                ("cal@example.org".to_string(), "B5".to_string(), None),
            ]
        );
    }

    /// A sheet `S` of strings whose first row is `first_row` (from 0),
    /// scanned.
    fn scanned_sheet<'e>(
        engine: &'e crate::detect::Engine,
        rows: &[&[&str]],
        first_row: u32,
    ) -> Sink<'e> {
        let cells: Cells = (first_row..)
            .zip(rows)
            .flat_map(|(r, row)| {
                (0..)
                    .zip(row.iter())
                    .map(move |(c, t)| (r, c, Data::String(t.to_string())))
            })
            .collect();
        let mut sink = Sink::new(engine, "book.xlsx".into(), true);
        scan_sheet("S", cells, &mut sink);
        sink
    }

    /// Each finding's detector, cell and column name.
    fn placed(
        found: &[(String, String, String, Option<String>)],
    ) -> Vec<(&str, &str, Option<&str>)> {
        found
            .iter()
            .map(|(d, _, cell, column)| (d.as_str(), cell.as_str(), column.as_deref()))
            .collect()
    }

    /// The findings of a sheet of strings whose first row is `first_row`
    /// (from 0): detector, value, cell and column name.
    fn sheet_findings(
        rows: &[&[&str]],
        first_row: u32,
    ) -> Vec<(String, String, String, Option<String>)> {
        let engine = engine();
        scanned_sheet(&engine, rows, first_row)
            .findings
            .iter()
            .map(|f| {
                let column = match &f.location.column {
                    Some(Column::Name(n)) => Some(n.clone()),
                    Some(Column::Number(n)) => Some(n.to_string()),
                    None => None,
                };
                (
                    f.detector.clone(),
                    f.value.clone().unwrap_or_default(),
                    f.location.cell.clone().unwrap_or_default(),
                    column,
                )
            })
            .collect()
    }

    #[test]
    fn a_header_below_a_title_and_a_date_names_the_rows_under_it() {
        // The title's row is the sheet's second: an empty first row.
        let found = sheet_findings(
            &[
                &["Direct debits"],
                &["Run 02/06/2025"],
                &["Name", "DOB", "Sort code", "Account"],
                &["Jo Bloggs", "02/11/1971", "20-45-77", "31926819"],
            ],
            1,
        );
        let at = placed(&found);
        assert_eq!(
            at,
            [
                ("person_name", "A5", Some("Name")),
                ("date_of_birth", "B5", Some("DOB")),
                ("uk_sort_code", "C5", Some("Sort code")),
                ("uk_bank_account", "D5", Some("Account")),
            ]
        );
    }

    #[test]
    fn a_first_row_of_values_is_read_and_names_no_column() {
        let found = sheet_findings(
            &[
                &["Mrs Nia Okafor", "Flat 3 Mill Court", "LS6 2QT"],
                &["Mr Dev Dunmore", "Flat 7 Mill Court", "LS6 2QU"],
            ],
            0,
        );
        let at: Vec<(&str, &str, Option<&str>)> = found
            .iter()
            .map(|(_, value, cell, column)| (value.as_str(), cell.as_str(), column.as_deref()))
            .collect();
        assert_eq!(
            at,
            [
                ("Nia Okafor", "A1", None),
                ("LS6 2QT", "C1", None),
                ("Dev Dunmore", "A2", None),
                ("LS6 2QU", "C2", None),
            ]
        );
    }

    #[test]
    fn a_sheet_laid_out_as_a_form_is_one_record_under_its_labels() {
        let form: &[&[&str]] = &[
            &["Tenant details"],
            &["Name", "Mrs Nia Okafor", "DOB", "03/04/1971"],
            &["Address", "Flat 3 Mill Court"],
            &["", "Leeds LS6 2QT"],
            &["Sort code:", "20-45-77", "Account:", "31926819"],
        ];
        let found = sheet_findings(form, 0);
        let at = placed(&found);
        assert_eq!(
            at,
            [
                ("person_name", "B2", Some("Name")),
                ("date_of_birth", "D2", Some("DOB")),
                ("uk_postcode", "B4", Some("Address")),
                ("uk_sort_code", "B5", Some("Sort code:")),
                ("uk_bank_account", "D5", Some("Account:")),
            ]
        );
        let engine = engine();
        let sink = scanned_sheet(&engine, form, 0);
        let records: Vec<&str> = sink.records.iter().map(|r| r.locator.as_str()).collect();
        assert_eq!(records, ["sheet \"S\""]);
    }

    #[test]
    fn a1_columns() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn numbers_read_as_shown() {
        // Dates as a person in the UK reads them, an OpenDocument's too.
        assert_eq!(
            cell_text(&Data::DateTimeIso("1955-11-22".into())),
            "22/11/1955"
        );
        assert_eq!(
            cell_text(&Data::DateTimeIso("1955-11-22T10:30:00".into())),
            "22/11/1955"
        );
        assert_eq!(cell_text(&Data::DateTimeIso("1955-1-2".into())), "1955-1-2");
        assert_eq!(
            cell_text(&Data::DateTimeIso("not a date".into())),
            "not a date"
        );
        assert_eq!(cell_text(&Data::Float(31926819.0)), "31926819");
        assert_eq!(cell_text(&Data::Float(12.5)), "12.5");
        assert_eq!(cell_text(&Data::String("01234567".into())), "01234567");
    }
}
