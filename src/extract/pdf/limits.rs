//! What reading one PDF may cost. lopdf unpacks whole every stream it is
//! asked for, and loads every object a file's tables name, with no limit of
//! its own: a 300 KB page whose content unpacked to 200 MB of drawing
//! commands took 53 s and 17 GB to read. So, before lopdf loads a file,
//! the objects it would load are counted and the streams it would unpack
//! while loading (object streams, cross-reference streams) are unpacked
//! within limits; and a page's content is unpacked here, within limits,
//! and parsed a piece at a time.

use std::io::{Read, Write};

use lopdf::{Dictionary, Object};

/// Objects one PDF may hold: lopdf takes 1.2–1.7 KB for each (a file of
/// 900,000 tiny ones took 1.5 GB). A long report has some thousands; a
/// document of a glyph an object, perhaps a hundred thousand.
pub(super) const MOST_OBJECTS: usize = 250_000;
/// What one stream may unpack to. A page's drawing commands rarely pass a
/// few megabytes; a detailed map's, tens.
pub(super) const MOST_STREAM_BYTES: usize = 64 << 20;
/// What one document's streams may unpack to, together (as much as one
/// archive member may), so that a stream shared by every page of a long
/// document still costs bounded time: parsing drawing commands runs at
/// about 13 MB/s, so this is at most about 40 s.
pub(super) const MOST_DOCUMENT_BYTES: u64 = 512 << 20;
/// What the streams lopdf unpacks while loading (object streams and
/// cross-reference streams) may unpack to, together. Objects parsed take up
/// to about thirty times their text (an array of small numbers), so this
/// bounds what loading them can take to about 2 GB; real files' object
/// streams come to a few megabytes.
const MOST_LOADED_BYTES: u64 = 64 << 20;
/// What drawing a form costs of a document's allowance at least: drawing
/// one is work even when it is empty, and a page can draw one millions of
/// times (10 million draws of an empty form, in an 88 KB file, took 8.5 s).
/// A document may draw forms 131,072 times.
const FORM_DRAW_BYTES: usize = 4 << 10;
/// A page's content is parsed in pieces of about this size: lopdf's parsed
/// operations take up to eighty times the bytes they come from.
const PIECE_BYTES: usize = 1 << 20;

/// What is left of one document's allowance for unpacked bytes.
pub(super) struct Allowance {
    left: u64,
    all: u64,
}

impl Allowance {
    /// For reading a document's pages.
    pub(super) fn new() -> Allowance {
        Allowance::of(MOST_DOCUMENT_BYTES)
    }

    fn of(all: u64) -> Allowance {
        Allowance { left: all, all }
    }

    /// The most the next stream may unpack to.
    fn room(&self) -> usize {
        usize::try_from(self.left)
            .unwrap_or(usize::MAX)
            .min(MOST_STREAM_BYTES)
    }

    fn spend(&mut self, bytes: usize) {
        self.left = self.left.saturating_sub(bytes as u64);
    }

    /// Why `what` was refused when it would not fit in the room left.
    fn refusal(&self, what: &str) -> String {
        if self.left < MOST_STREAM_BYTES as u64 {
            format!(
                "its streams unpack to more than {} MiB in all (a compression bomb guard)",
                self.all >> 20
            )
        } else {
            format!(
                "{what} unpacks to more than {} MiB (a compression bomb guard)",
                MOST_STREAM_BYTES >> 20
            )
        }
    }
}

/// A stream's filters undone, within `room` bytes: `Err(None)` past it
/// (nothing larger is ever held), `Err(Some(..))` for a filter lopdf cannot
/// undo (one it does not know, or ASCII85 gone wrong).
/// A stage that can unpack far beyond its input (Flate, LZW) is unpacked
/// here, its output capped; the others (ASCII85 at most 4:1) by lopdf.
fn unpack(
    content: &[u8],
    filters: &[&[u8]],
    params: Option<&Dictionary>,
    room: usize,
) -> Result<Vec<u8>, Option<String>> {
    let mut data = std::borrow::Cow::Borrowed(content);
    for &filter in filters {
        let predicted = params
            .and_then(|p| p.get(b"Predictor").ok())
            .and_then(|p| p.as_i64().ok())
            .is_some_and(|p| p > 1);
        let out = match filter {
            b"FlateDecode" | b"Fl" => inflate(&data, room),
            b"LZWDecode" | b"LZW" => unlzw(&data, early_change(params), room),
            _ => lopdf_stage(filter, None, &data),
        }?;
        if out.len() > room {
            return Err(None);
        }
        // Undoing a predictor only shrinks what was measured above.
        data = std::borrow::Cow::Owned(if predicted {
            lopdf_stage(filter, params, &data)?
        } else {
            out
        });
    }
    Ok(data.into_owned())
}

/// Zlib, or raw deflate when zlib gives nothing (as lopdf does, for files
/// whose checksums are wrong); what came before a corrupt part is kept.
fn inflate(input: &[u8], room: usize) -> Result<Vec<u8>, Option<String>> {
    let cap = room as u64 + 1;
    let mut out = Vec::new();
    let zlib = flate2::read::ZlibDecoder::new(input)
        .take(cap)
        .read_to_end(&mut out);
    if zlib.is_err() && out.is_empty() && input.len() > 2 {
        let _ = flate2::read::DeflateDecoder::new(&input[2..])
            .take(cap)
            .read_to_end(&mut out);
    }
    if out.len() > room {
        return Err(None);
    }
    Ok(out)
}

fn early_change(params: Option<&Dictionary>) -> bool {
    params
        .and_then(|p| p.get(b"EarlyChange").ok())
        .and_then(|p| p.as_i64().ok())
        .is_none_or(|v| v != 0)
}

fn unlzw(input: &[u8], early_change: bool, room: usize) -> Result<Vec<u8>, Option<String>> {
    use weezl::{decode::Decoder, BitOrder};
    /// Takes up to one byte past the room, then refuses, which stops
    /// weezl.
    struct Capped<'a> {
        out: &'a mut Vec<u8>,
        room: usize,
    }
    impl Write for Capped<'_> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let space = (self.room + 1).saturating_sub(self.out.len());
            if space == 0 {
                return Err(std::io::ErrorKind::OutOfMemory.into());
            }
            let n = buf.len().min(space);
            self.out.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut decoder = if early_change {
        Decoder::with_tiff_size_switch(BitOrder::Msb, 8)
    } else {
        Decoder::new(BitOrder::Msb, 8)
    };
    let mut out = Vec::new();
    // A corrupt stream keeps what was decoded before it, as lopdf's does.
    let _ = decoder
        .into_stream(Capped {
            out: &mut out,
            room,
        })
        .decode_all(input);
    if out.len() > room {
        return Err(None);
    }
    Ok(out)
}

/// One stage by lopdf, for filters that cannot unpack far (and predictors).
fn lopdf_stage(
    filter: &[u8],
    params: Option<&Dictionary>,
    input: &[u8],
) -> Result<Vec<u8>, Option<String>> {
    let mut dict = Dictionary::new();
    dict.set("Filter", Object::Name(filter.to_vec()));
    if let Some(params) = params {
        dict.set("DecodeParms", Object::Dictionary(params.clone()));
    }
    lopdf::Stream::new(dict, input.to_vec())
        .decompressed_content()
        .map_err(|e| Some(e.to_string()))
}

/// A page's content: its streams unpacked within the document's
/// allowance, one after another, as lopdf's `get_page_content` joins them
/// (a stream whose filter cannot be undone is taken as it is).
pub(super) fn page_content(
    doc: &lopdf::Document,
    page: lopdf::ObjectId,
    allowance: &mut Allowance,
) -> Result<Vec<u8>, String> {
    let mut content = Vec::new();
    for id in doc.get_page_contents(page) {
        let Ok(stream) = doc.get_object(id).and_then(Object::as_stream) else {
            continue;
        };
        let room = allowance.room().saturating_sub(content.len());
        match unpacked(stream, room) {
            Some(data) => content.extend_from_slice(&data),
            None => {
                let why = allowance.refusal("its content");
                allowance.spend(room);
                return Err(why);
            }
        }
        content.push(b'\n');
    }
    allowance.spend(content.len());
    Ok(content)
}

/// A form's content, unpacked within the allowance each time the form is
/// drawn; why not, past it. A draw costs at least [`FORM_DRAW_BYTES`].
pub(super) fn form_content(
    stream: &lopdf::Stream,
    allowance: &mut Allowance,
) -> Result<Vec<u8>, String> {
    let room = allowance.room();
    match unpacked(stream, room).filter(|_| room >= FORM_DRAW_BYTES) {
        Some(data) => {
            allowance.spend(data.len().max(FORM_DRAW_BYTES));
            Ok(data)
        }
        None => {
            let why = allowance.refusal("a form it draws");
            allowance.spend(room);
            Err(why)
        }
    }
}

/// A stream's content unpacked within `room` bytes (as it is, if its
/// filter cannot be undone, as lopdf takes it); None past the room.
fn unpacked(stream: &lopdf::Stream, room: usize) -> Option<Vec<u8>> {
    let filters = stream.filters().unwrap_or_default();
    let params = stream
        .dict
        .get(b"DecodeParms")
        .and_then(Object::as_dict)
        .ok();
    match unpack(&stream.content, &filters, params, room) {
        Ok(data) => Some(data),
        Err(None) => None,
        Err(Some(_)) => Some(stream.content.clone()),
    }
}

/// Whether a font's character map (which lopdf unpacks and parses whole)
/// is within the allowance; measured without holding it.
pub(super) fn font_map_fits(
    doc: &lopdf::Document,
    font: &Dictionary,
    allowance: &mut Allowance,
) -> bool {
    if font.has(b"Encoding") {
        return true;
    }
    let Ok(stream) = font
        .get_deref(b"ToUnicode", doc)
        .and_then(Object::as_stream)
    else {
        return true;
    };
    let room = allowance.room();
    let filters = stream.filters().unwrap_or_default();
    match unpack(&stream.content, &filters, None, room) {
        Ok(data) => {
            allowance.spend(data.len());
            true
        }
        Err(None) => {
            allowance.spend(room);
            false
        }
        Err(Some(_)) => true,
    }
}

/// A page's content in pieces of about [`PIECE_BYTES`], each cut after a
/// text object's `ET`, else after white space, so that a cut seldom falls
/// within a string. Content up to the piece size is one piece.
pub(super) fn pieces(content: &[u8]) -> impl Iterator<Item = &[u8]> {
    let white = |b: u8| matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b'\x0c' | 0);
    let mut rest = content;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let cut = if rest.len() <= PIECE_BYTES {
            rest.len()
        } else {
            let window = &rest[..PIECE_BYTES];
            memchr::memmem::rfind_iter(window, b"ET")
                .find(|&i| {
                    i > 0 && white(window[i - 1]) && rest.get(i + 2).is_some_and(|&b| white(b))
                })
                .map(|i| i + 2)
                .or_else(|| window.iter().rposition(|&b| white(b)).map(|i| i + 1))
                .unwrap_or(PIECE_BYTES)
        };
        let (piece, tail) = rest.split_at(cut);
        rest = tail;
        Some(piece)
    })
}

/// Where each object's header, `N G obj`, ends: found by its keyword and
/// checked backwards (white space, a generation of up to five digits,
/// white space, a number of up to ten), as [`super::OBJECT`] matches it
/// but without a regex's pass over the whole file.
fn header_ends(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let white = |b: u8| matches!(b, b' ' | b'\n' | b'\r' | b'\t' | b'\x0c');
    // Steps back over what `fits` from `at`, returning how far.
    let back = move |at: usize, fits: &dyn Fn(u8) -> bool| {
        bytes[..at].iter().rev().take_while(|&&b| fits(b)).count()
    };
    memchr::memmem::find_iter(bytes, b"obj").filter_map(move |at| {
        let end = at + 3;
        if bytes
            .get(end)
            .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_')
        {
            return None;
        }
        let mut i = at;
        for most_digits in [5, 10] {
            let space = back(i, &white);
            if space == 0 {
                return None;
            }
            i -= space;
            let digits = back(i, &|b: u8| b.is_ascii_digit());
            if digits == 0 || digits > most_digits {
                return None;
            }
            i -= digits;
        }
        (i == 0 || white(bytes[i - 1])).then_some(end)
    })
}

/// Where a word next occurs in a file walked forward: what was found is
/// kept until the walk passes it, so, asked from places in order, each
/// stretch of the file is searched once, and no list of places is held (a
/// file of nothing but the word would have made one larger than itself).
struct Next<'b> {
    bytes: &'b [u8],
    word: &'static [u8],
    /// The last search: where it started, and what it found.
    last: Option<(usize, Option<usize>)>,
}

impl<'b> Next<'b> {
    fn of(bytes: &'b [u8], word: &'static [u8]) -> Next<'b> {
        Next {
            bytes,
            word,
            last: None,
        }
    }

    /// The first place at or after `at` where the word occurs.
    fn from(&mut self, at: usize) -> Option<usize> {
        match self.last {
            // Nothing from an earlier place, so nothing from this one.
            Some((searched, None)) if searched <= at => return None,
            Some((searched, Some(found))) if searched <= at && found >= at => return Some(found),
            _ => {}
        }
        let found = memchr::memmem::find(self.bytes.get(at..)?, self.word).map(|i| at + i);
        self.last = Some((at, found));
        found
    }
}

/// Before lopdf loads a file: why it should not, if its tables name more
/// objects than [`MOST_OBJECTS`], or its object streams hold more, or one
/// of the streams lopdf unpacks while loading (object streams and
/// cross-reference streams) unpacks past the limits. Counted from the
/// file's text, generously: what lopdf would load is at most this.
pub(super) fn check_before_loading(bytes: &[u8]) -> Result<(), String> {
    use regex::bytes::Regex;
    use std::sync::LazyLock;
    static LOADED_STREAM: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"/Type\s*/(ObjStm|XRef)\b").expect("a valid pattern"));
    static FILTERS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"/Filter\s*(\[[^\]]*\]|/[^\s/\[\]<>()]+)").expect("a valid pattern")
    });
    static NAME: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"/([^\s/\[\]<>()]+)").expect("a valid pattern"));
    static FIRST: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"/First\s+(\d{1,10})\b").expect("a valid pattern"));
    static INDEX: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"/Index\s*\[([\d\s]*)\]").expect("a valid pattern"));
    static SIZE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"/Size\s+(\d{1,10})\b").expect("a valid pattern"));
    // A classic table's subsection: its first number and count, then an
    // entry.
    static SUBSECTION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^|[\r\n])[ \t]*\d{1,10}[ \t]+(\d{1,10})[ \t]*\r?\n\d{10} \d{5} [nf]")
            .expect("a valid pattern")
    });
    let number = |b: &[u8]| -> u64 {
        std::str::from_utf8(b)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    };
    let too_many =
        || format!("more than {MOST_OBJECTS} objects, which would take too much memory to load");
    let (mut streams, mut ends, mut endobjs) = (
        Next::of(bytes, b"stream"),
        Next::of(bytes, b"endstream"),
        Next::of(bytes, b"endobj"),
    );
    let mut allowance = Allowance::of(MOST_LOADED_BYTES);
    let mut objects: u64 = 0;
    let mut table_entries: u64 = 0;
    for header_end in header_ends(bytes) {
        objects += 1;
        if objects > MOST_OBJECTS as u64 {
            return Err(too_many());
        }
        // The object's dictionary, up to its `stream`: none if `endobj`
        // comes first. Those of the streams sought are short; a longer one
        // is not looked into, so the work stays linear in the file.
        let Some(stream_at) = streams.from(header_end) else {
            continue;
        };
        if endobjs.from(header_end).is_some_and(|e| e < stream_at) || stream_at - header_end > 4096
        {
            continue;
        }
        let dict = &bytes[header_end..stream_at];
        let sought = |word: &[u8]| memchr::memmem::find(dict, word).is_some();
        if !sought(b"/ObjStm") && !sought(b"/XRef") {
            continue;
        }
        let Some(kind) = LOADED_STREAM.captures(dict).and_then(|c| c.get(1)) else {
            continue;
        };
        let object_stream = kind.as_bytes() == b"ObjStm";
        let mut start = stream_at + b"stream".len();
        start += match &bytes[start..] {
            [b'\r', b'\n', ..] => 2,
            [b'\r' | b'\n', ..] => 1,
            _ => 0,
        };
        let end = ends.from(start).unwrap_or(bytes.len());
        let filters: Vec<&[u8]> = FILTERS
            .captures(dict)
            .and_then(|c| c.get(1))
            .map(|f| {
                NAME.captures_iter(f.as_bytes())
                    .filter_map(|n| n.get(1).map(|m| m.as_bytes()))
                    .collect()
            })
            .unwrap_or_default();
        let data = match unpack(&bytes[start..end], &filters, None, allowance.room()) {
            Ok(data) => data,
            Err(None) if object_stream => return Err(allowance.refusal("an object stream")),
            Err(None) => return Err(allowance.refusal("a cross-reference stream")),
            Err(Some(_)) => continue,
        };
        allowance.spend(data.len());
        if object_stream {
            // lopdf loads a pair of numbers in its index for each object,
            // whatever its /N says.
            let first = FIRST
                .captures(dict)
                .and_then(|c| c.get(1))
                .map_or(0, |m| number(m.as_bytes()));
            let index = &data[..data.len().min(usize::try_from(first).unwrap_or(usize::MAX))];
            objects += (index
                .split(|b| b.is_ascii_whitespace())
                .filter(|t| !t.is_empty())
                .count()
                / 2) as u64;
        } else {
            table_entries += match INDEX.captures(dict).and_then(|c| c.get(1)) {
                Some(index) => index
                    .as_bytes()
                    .split(|b| b.is_ascii_whitespace())
                    .filter(|t| !t.is_empty())
                    .skip(1)
                    .step_by(2)
                    .map(number)
                    .sum(),
                None => SIZE
                    .captures(dict)
                    .and_then(|c| c.get(1))
                    .map_or(0, |m| number(m.as_bytes())),
            };
        }
        if objects > MOST_OBJECTS as u64 || table_entries > MOST_OBJECTS as u64 {
            return Err(too_many());
        }
    }
    // Subsections are sought between each `xref` and the `trailer` after
    // it, each stretch once.
    let mut trailers = Next::of(bytes, b"trailer");
    let mut looked_to = 0;
    for table in memchr::memmem::find_iter(bytes, b"xref") {
        if table < looked_to {
            continue;
        }
        looked_to = trailers.from(table).unwrap_or(bytes.len());
        for subsection in SUBSECTION.captures_iter(&bytes[table..looked_to]) {
            table_entries += subsection.get(1).map_or(0, |m| number(m.as_bytes()));
            if table_entries > MOST_OBJECTS as u64 {
                return Err(too_many());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{dictionary, Stream};

    fn deflated(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn lzw(data: &[u8]) -> Vec<u8> {
        weezl::encode::Encoder::with_tiff_size_switch(weezl::BitOrder::Msb, 8)
            .encode(data)
            .unwrap()
    }

    /// What lopdf itself unpacks a stream to.
    fn by_lopdf(filter: &str, content: Vec<u8>) -> Vec<u8> {
        Stream::new(dictionary! { "Filter" => filter }, content)
            .decompressed_content()
            .unwrap()
    }

    #[test]
    fn streams_unpack_as_lopdf_unpacks_them_within_their_room_and_not_past_it() {
        let text = b"BT /F1 12 Tf (Case notes) Tj ET\n".repeat(300);
        let room = text.len();
        let flate: &[&[u8]] = &[b"FlateDecode"];
        let packed = deflated(&text);
        assert!(unpack(&packed, flate, None, room) == Ok(text.clone()));
        assert!(by_lopdf("FlateDecode", packed.clone()) == text);
        assert!(unpack(&packed, flate, None, room - 1) == Err(None));
        // A checksum gone wrong: what inflated before it is kept, as lopdf
        // keeps it.
        let mut bad_sum = packed.clone();
        *bad_sum.last_mut().unwrap() ^= 0xff;
        let kept = unpack(&bad_sum, flate, None, room).unwrap();
        assert!(
            !kept.is_empty() && text.starts_with(&kept),
            "{}",
            kept.len()
        );
        // Raw deflate behind a header that is not zlib's: lopdf's fallback.
        let mut raw = b"\0\0".to_vec();
        let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(&text).unwrap();
        raw.extend(e.finish().unwrap());
        assert!(unpack(&raw, flate, None, room) == Ok(text.clone()));

        let lzw_packed = lzw(&text);
        assert!(by_lopdf("LZWDecode", lzw_packed.clone()) == text);
        assert_eq!(
            unpack(&lzw_packed, &[b"LZWDecode"], None, room),
            Ok(text.clone())
        );
        assert!(unpack(&lzw_packed, &[b"LZWDecode"], None, room - 1) == Err(None));

        // No filter, and filters in turn.
        assert!(unpack(&text, &[], None, room) == Ok(text.clone()));
        let twice = deflated(&packed);
        let both: &[&[u8]] = &[b"FlateDecode", b"FlateDecode"];
        assert!(unpack(&twice, both, None, room) == Ok(text.clone()));
        assert!(unpack(&twice, both, None, room - 1) == Err(None));
        // A filter lopdf does not know is an error, not a refusal.
        assert!(matches!(
            unpack(&text, &[b"ASCIIHexDecode"], None, room),
            Err(Some(_))
        ));
    }

    #[test]
    fn a_bomb_is_refused_holding_no_more_than_its_room() {
        let zeros = deflated(&vec![0; 8 << 20]);
        assert!(unpack(&zeros, &[b"FlateDecode"], None, 1 << 20) == Err(None));
        assert!(unpack(&lzw(&vec![0; 8 << 20]), &[b"LZW"], None, 1 << 20) == Err(None));
        let mut allowance = Allowance::new();
        assert!(allowance.room() == MOST_STREAM_BYTES);
        assert!(allowance
            .refusal("its content")
            .starts_with("its content unpacks to more"));
        allowance.spend((MOST_DOCUMENT_BYTES - 1) as usize);
        assert!(allowance.room() == 1);
        assert!(allowance.refusal("its content").contains("512 MiB in all"));
    }

    #[test]
    fn the_next_place_of_a_word_is_found_from_any_place() {
        let text = b"stream . endstream . stream";
        let mut next = Next::of(text, b"stream");
        let every: Vec<Option<usize>> = (0..=text.len() + 1).map(|at| next.from(at)).collect();
        let expected: Vec<Option<usize>> = (0..=text.len() + 1)
            .map(|at| {
                let rest = text.get(at..)?;
                memchr::memmem::find(rest, b"stream").map(|i| at + i)
            })
            .collect();
        assert_eq!(every, expected);
        // Asked again from earlier places, as well.
        assert_eq!(next.from(0), Some(0));
        assert_eq!(next.from(12), Some(12));
        assert_eq!(next.from(1), Some(12));
        assert_eq!(next.from(22), None);
        assert_eq!(next.from(21), Some(21));
    }

    #[test]
    fn object_headers_are_found_as_the_repairs_pattern_finds_them() {
        let text: &[u8] = b"1 0 obj\n<< >>\nendobj\n 12\r\n3 obj 4 0 objx 5 123456 obj\n\
            x6 0 obj 7 0obj 0 0 obj% 99999999999 0 obj 8 0 obj";
        let ours: Vec<usize> = header_ends(text).collect();
        let theirs: Vec<usize> = super::super::OBJECT
            .find_iter(text)
            .map(|m| m.end())
            .collect();
        assert_eq!(ours, theirs);
        assert_eq!(ours.len(), 4, "{ours:?}");
    }

    #[test]
    fn content_is_cut_after_a_text_object_or_white_space() {
        let small = b"BT (a) Tj ET".to_vec();
        assert!(pieces(&small).collect::<Vec<_>>() == [&small[..]]);
        assert!(pieces(b"").count() == 0);

        let block = b"BT /F1 12 Tf 72 700 Td (Text ET al) Tj ET\n0 0 Td\n";
        let content = block.repeat(3 * PIECE_BYTES / block.len());
        let cut: Vec<&[u8]> = pieces(&content).collect();
        assert!(cut.len() >= 3, "{}", cut.len());
        assert!(cut.concat() == content);
        for piece in &cut[..cut.len() - 1] {
            assert!(piece.len() <= PIECE_BYTES);
            // After a text object's ET, not the one within the string.
            assert!(
                piece.ends_with(b") Tj ET"),
                "{:?}",
                &piece[piece.len() - 20..]
            );
        }
        // With no text object, after white space; with none, anywhere.
        let moves = b"0 0 Td\n".repeat(PIECE_BYTES / 3);
        let cut: Vec<&[u8]> = pieces(&moves).collect();
        assert!(cut[0].ends_with(b" ") || cut[0].ends_with(b"\n"));
        assert!(cut[0].len() > PIECE_BYTES - 8);
        assert!(cut.concat() == moves);
        let solid = vec![b'x'; PIECE_BYTES + 10];
        let cut: Vec<usize> = pieces(&solid).map(<[u8]>::len).collect();
        assert!(cut == [PIECE_BYTES, 10]);
    }

    /// A PDF's start and an object stream whose index names `n` objects
    /// (its /N says `said`), and `padding` more bytes, packed.
    fn object_stream(n: usize, said: usize, padding: usize) -> Vec<u8> {
        let index: String = (0..n).map(|i| format!("{} {} ", i + 10, i * 2)).collect();
        let mut data = index.clone().into_bytes();
        data.extend(b"1 ".repeat(n));
        data.extend(vec![b' '; padding]);
        let packed = deflated(&data);
        let mut pdf = format!(
            "%PDF-1.5\n5 0 obj\n<< /Type /ObjStm /N {said} /First {} /Length {} /Filter /FlateDecode >>\nstream\n",
            index.len(),
            packed.len()
        )
        .into_bytes();
        pdf.extend(packed);
        pdf.extend(b"\nendstream\nendobj\n");
        pdf
    }

    #[test]
    fn objects_are_counted_and_loaded_streams_measured_before_loading() {
        let pdf = super::super::tests::pdf_with_pages(&[&["Case notes"], &["More notes"]]);
        assert_eq!(check_before_loading(&pdf), Ok(()));

        let headers = |n: usize| {
            let mut b = b"%PDF-1.4".to_vec();
            for i in 1..=n {
                b.extend_from_slice(format!("\n{i} 0 obj\nnull\nendobj").as_bytes());
            }
            b
        };
        assert_eq!(check_before_loading(&headers(1_000)), Ok(()));
        let refused = check_before_loading(&headers(MOST_OBJECTS + 1)).unwrap_err();
        assert!(refused.contains("more than 250000 objects"), "{refused}");

        // An object stream's index counts, whatever its /N says.
        assert_eq!(
            check_before_loading(&object_stream(1_000, 1_000, 0)),
            Ok(())
        );
        assert!(check_before_loading(&object_stream(MOST_OBJECTS + 1, 1, 0)).is_err());
        // With the objects outside it.
        let mut over = object_stream(MOST_OBJECTS - 1, MOST_OBJECTS - 1, 0);
        assert_eq!(check_before_loading(&over), Ok(()));
        over.extend(&headers(1)[8..]);
        assert!(check_before_loading(&over).is_err());
        // One that unpacks past the limit.
        let refused = check_before_loading(&object_stream(10, 10, MOST_STREAM_BYTES)).unwrap_err();
        assert!(
            refused.starts_with("an object stream unpacks to more than 64 MiB"),
            "{refused}"
        );
        // Two that do not, but together would.
        let mut two = object_stream(10, 10, 40 << 20);
        two.extend(&object_stream(10, 10, 40 << 20)[9..]);
        assert_eq!(
            check_before_loading(&two).unwrap_err(),
            "its streams unpack to more than 64 MiB in all (a compression bomb guard)"
        );

        // A cross-reference stream's index, and a table's subsections.
        let xref = |index: &str| {
            format!("%PDF-1.5\n9 0 obj\n<< /Type /XRef /Size 10 {index} /W [0 0 0] /Length 0 >>\nstream\n\nendstream\nendobj\n")
                .into_bytes()
        };
        assert_eq!(check_before_loading(&xref("/Index [0 10]")), Ok(()));
        assert!(check_before_loading(&xref("/Index [0 10 20 250000]")).is_err());
        assert!(check_before_loading(&xref("")).is_ok());
        let table = |count: usize| {
            format!("%PDF-1.4\nxref\n0 {count}\n0000000000 65535 f \ntrailer\n<< /Size 1 >>\n")
                .into_bytes()
        };
        assert_eq!(check_before_loading(&table(1)), Ok(()));
        assert!(check_before_loading(&table(MOST_OBJECTS + 1)).is_err());
    }
}
