//! Deciding a file's format and encoding from its first bytes, with the
//! extension breaking ties.

use std::io::Read;
use std::path::Path;

use encoding_rs::WINDOWS_1252;
use encoding_rs_io::DecodeReaderBytesBuilder;

/// What a file is, for extraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Empty,
    Text,
    Delimited(u8),
    Json,
    Ndjson,
    Html,
    Xml,
    Spreadsheet(Book),
    Office(Doc),
    Pdf,
    Email,
    Mbox,
    /// An Outlook message (`.msg`), a compound file.
    Outlook,
    /// A Word 97–2003 document (`.doc`), a compound file.
    Word97,
    /// A PowerPoint 97–2003 presentation (`.ppt`), a compound file.
    PowerPoint97,
    /// Rich Text Format.
    Rtf,
    /// A zip not yet looked into (see `archive::zip_kind`), or a plain one.
    Zip,
    Tar,
    Gzip,
    /// Binary content this trawl has no extractor for, and what it looks like.
    Binary(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Book {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doc {
    Docx,
    Pptx,
    Odt,
    Odp,
}

impl Kind {
    /// Formats whose extractor needs the whole file in memory.
    pub fn reads_whole(self) -> bool {
        matches!(
            self,
            Kind::Html | Kind::Xml | Kind::Pdf | Kind::Email | Kind::Word97 | Kind::PowerPoint97
        )
    }

    /// The format's name in summaries and file records.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Empty | Kind::Text => "text",
            Kind::Delimited(_) => "csv",
            Kind::Json => "json",
            Kind::Ndjson => "ndjson",
            Kind::Html => "html",
            Kind::Xml => "xml",
            Kind::Spreadsheet(Book::Xlsx) => "xlsx",
            Kind::Spreadsheet(Book::Xlsb) => "xlsb",
            Kind::Spreadsheet(Book::Xls) => "xls",
            Kind::Spreadsheet(Book::Ods) => "ods",
            Kind::Office(Doc::Docx) => "docx",
            Kind::Office(Doc::Pptx) => "pptx",
            Kind::Office(Doc::Odt) => "odt",
            Kind::Office(Doc::Odp) => "odp",
            Kind::Pdf => "pdf",
            Kind::Email => "email",
            Kind::Mbox => "mbox",
            Kind::Outlook => "msg",
            Kind::Word97 => "doc",
            Kind::PowerPoint97 => "ppt",
            Kind::Rtf => "rtf",
            Kind::Zip => "zip",
            Kind::Tar => "tar",
            Kind::Gzip => "gzip",
            Kind::Binary(what) => what,
        }
    }
}

/// Magic bytes of formats trawl has no extractor for.
const MAGIC: &[(&[u8], &str)] = &[
    (b"\x89PNG", "png"),
    (b"\xFF\xD8\xFF", "jpeg"),
    (b"GIF8", "gif"),
    (b"7z\xBC\xAF\x27\x1C", "7z"),
    (b"Rar!", "rar"),
    (b"SQLite format 3\0", "sqlite"),
];

pub fn detect(path: &Path, head: &[u8]) -> Kind {
    if head.is_empty() {
        return Kind::Empty;
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    // Content decides: a `.xls` that is HTML or CSV, a `.txt` that is a zip.
    if head.starts_with(b"%PDF-") {
        return Kind::Pdf;
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Kind::Zip;
    }
    if head.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        // OLE compound files: old Excel, but also Outlook, and old Word.
        return match ext.as_str() {
            "msg" => Kind::Outlook,
            "doc" | "dot" => Kind::Word97,
            "ppt" | "pps" | "pot" => Kind::PowerPoint97,
            "pub" => Kind::Binary("ole"),
            _ => Kind::Spreadsheet(Book::Xls),
        };
    }
    if head.starts_with(b"{\\rtf") {
        return Kind::Rtf;
    }
    if head.starts_with(b"\x1F\x8B") {
        return Kind::Gzip;
    }
    if head.len() > 262 && &head[257..262] == b"ustar" {
        return Kind::Tar;
    }
    if let Some((_, what)) = MAGIC.iter().find(|(m, _)| head.starts_with(m)) {
        return Kind::Binary(what);
    }
    let text = decode_head(head);
    let Some(text) = text else {
        return Kind::Binary("binary");
    };
    if let Some(kind) = markup_or_mail(&ext, &text) {
        return kind;
    }
    match ext.as_str() {
        "csv" => Kind::Delimited(sniff_delimiter(&text, true).unwrap_or(b',')),
        "tsv" | "tab" => Kind::Delimited(b'\t'),
        "psv" => Kind::Delimited(b'|'),
        "json" | "geojson" => {
            if looks_like_ndjson(&text) {
                Kind::Ndjson
            } else {
                Kind::Json
            }
        }
        "ndjson" | "jsonl" => Kind::Ndjson,
        // Housing systems export CSV under spreadsheet names.
        "xls" | "xlsx" | "dat" if sniff_delimiter(&text, true).is_some() => {
            Kind::Delimited(sniff_delimiter(&text, true).unwrap_or(b','))
        }
        _ => {
            if looks_like_ndjson(&text) {
                Kind::Ndjson
            } else if let Some(d) = sniff_delimiter(&text, false) {
                Kind::Delimited(d)
            } else {
                Kind::Text
            }
        }
    }
}

/// The format a zip-based file's name promises (for counting broken ones).
pub fn zip_format_by_name(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("xlsx" | "xlsm") => "xlsx",
        Some("xlsb") => "xlsb",
        Some("ods") => "ods",
        Some("docx" | "docm") => "docx",
        Some("pptx") => "pptx",
        Some("odt") => "odt",
        Some("odp") => "odp",
        _ => "zip",
    }
}

/// HTML, XML, an email or a mailbox, by name or by their opening.
fn markup_or_mail(ext: &str, text: &str) -> Option<Kind> {
    let start = text.trim_start_matches('\u{feff}').trim_start();
    // The first 2,048 characters, cut once rather than gathered a character
    // at a time (this runs for every text file).
    let head = start
        .char_indices()
        .nth(2048)
        .map_or(start, |(i, _)| &start[..i]);
    let lower = head.to_ascii_lowercase();
    match ext {
        "html" | "htm" | "xhtml" => return Some(Kind::Html),
        "xml" => return Some(Kind::Xml),
        "eml" => return Some(Kind::Email),
        "mbox" | "mbx" => return Some(Kind::Mbox),
        _ => {}
    }
    if lower.starts_with("<!doctype html")
        || lower.starts_with("<html")
        || (lower.starts_with('<') && lower.contains("<table"))
    {
        return Some(Kind::Html);
    }
    if lower.starts_with("<?xml") {
        return Some(Kind::Xml);
    }
    if start.starts_with("From ") && lower.contains("\nfrom:") {
        return Some(Kind::Mbox);
    }
    // A saved message opens with its headers.
    let headers: Vec<&str> = start
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .take(40)
        .collect();
    let is_header = |l: &str| {
        l.starts_with([' ', '\t'])
            || l.split_once(':').is_some_and(|(name, _)| {
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
    };
    let named = |h: &str| {
        headers
            .iter()
            .any(|l| l.to_ascii_lowercase().starts_with(h))
    };
    if headers.len() >= 2
        && headers.iter().all(|l| is_header(l))
        && named("from:")
        && (named("subject:") || named("date:") || named("message-id:"))
    {
        return Some(Kind::Email);
    }
    None
}

/// The head as text, or `None` for binary content (NUL bytes without a
/// UTF-16 byte-order mark).
fn decode_head(head: &[u8]) -> Option<String> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(head) {
        let (text, _) = enc.decode_without_bom_handling(&head[bom_len..]);
        return Some(text.into_owned());
    }
    if memchr::memchr(0, head).is_some() {
        return None;
    }
    Some(match std::str::from_utf8(head) {
        Ok(s) => s.to_string(),
        Err(e) if e.error_len().is_none() => {
            // Valid but for a character cut at the end of the head.
            String::from_utf8_lossy(&head[..e.valid_up_to()]).into_owned()
        }
        Err(_) => WINDOWS_1252
            .decode_without_bom_handling(head)
            .0
            .into_owned(),
    })
}

/// A reader giving UTF-8 from `src` (at its start): UTF-16 (with a BOM) is
/// transcoded, a UTF-8 BOM dropped, and content that is not UTF-8 (judged
/// by `head`) read as Windows-1252.
pub fn utf8_reader(head: &[u8], src: Box<dyn super::ReadSeek>) -> Box<dyn Read> {
    let is_utf8 = match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    };
    let has_bom = encoding_rs::Encoding::for_bom(head).is_some();
    if has_bom {
        // Sniffs the BOM, transcodes UTF-16 and strips a UTF-8 BOM.
        Box::new(
            DecodeReaderBytesBuilder::new()
                .bom_sniffing(true)
                .build(src),
        )
    } else if is_utf8 {
        Box::new(src)
    } else {
        Box::new(
            DecodeReaderBytesBuilder::new()
                .encoding(Some(WINDOWS_1252))
                .build(src),
        )
    }
}

/// NDJSON: at least two lines, each a whole JSON object.
fn looks_like_ndjson(text: &str) -> bool {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let whole_object =
        |l: &str| l.starts_with('{') && serde_json::from_str::<serde::de::IgnoredAny>(l).is_ok();
    match (lines.next(), lines.next()) {
        (Some(a), Some(b)) => whole_object(a) && (whole_object(b) || b.starts_with('{')),
        _ => false,
    }
}

/// The delimiter of a delimited file: the one that splits the first lines
/// into the same number of fields. `named_csv`: the extension already says
/// it is delimited, so a looser test will do.
fn sniff_delimiter(text: &str, named_csv: bool) -> Option<u8> {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    // The head may end mid-line.
    let lines = if lines.len() > 2 {
        &lines[..lines.len() - 1]
    } else {
        &lines[..]
    };
    let min_lines = if named_csv { 1 } else { 3 };
    if lines.len() < min_lines {
        return None;
    }
    let mut best: Option<(u8, usize)> = None;
    // Every line's count of each delimiter, in one pass over its bytes.
    let per_line: Vec<[usize; 4]> = lines.iter().map(|l| count_unquoted(l)).collect();
    for (i, &d) in DELIMITERS.iter().enumerate() {
        let counts: Vec<usize> = per_line.iter().map(|c| c[i]).collect();
        let first = counts[0];
        let consistent = counts.iter().filter(|&&c| c == first).count();
        // Prose has commas; a table has the same number on every line, and
        // without a .csv name we want at least two of them (three fields).
        let needed = if named_csv || d != b',' { 1 } else { 2 };
        let agree = if named_csv {
            consistent * 2 > counts.len()
        } else {
            consistent == counts.len()
        };
        if first >= needed && agree && best.is_none_or(|(_, c)| first > c) {
            best = Some((d, first));
        }
    }
    best.map(|(d, _)| d)
}

/// The delimiters a delimited file may use, in order of preference.
const DELIMITERS: [u8; 4] = [b',', b'\t', b'|', b';'];

/// How many of each of [`DELIMITERS`] a line has outside quotes.
fn count_unquoted(line: &str) -> [usize; 4] {
    let mut quoted = false;
    let mut counts = [0; 4];
    for b in line.bytes() {
        match b {
            b'"' => quoted = !quoted,
            _ if quoted => {}
            b',' => counts[0] += 1,
            b'\t' => counts[1] += 1,
            b'|' => counts[2] += 1,
            b';' => counts[3] += 1,
            _ => {}
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_told_from_its_first_2048_characters() {
        // Two-byte characters: the limit counts characters, not bytes.
        let page = |filler: usize| {
            format!(
                "<p>{}</p><table><tr><td>x</td></tr></table>",
                "é".repeat(filler)
            )
        };
        assert!(matches!(
            markup_or_mail("txt", &page(2000)),
            Some(Kind::Html)
        ));
        assert!(!matches!(
            markup_or_mail("txt", &page(2040)),
            Some(Kind::Html)
        ));
        assert!(matches!(
            markup_or_mail("txt", "\u{feff}  <?XML version='1.0'?><a/>"),
            Some(Kind::Xml)
        ));
    }

    #[test]
    fn delimiters_are_counted_outside_quotes_only() {
        assert_eq!(count_unquoted("a,\"b,c;d\",e\tf|g;h;i"), [2, 1, 1, 2]);
        assert_eq!(count_unquoted(r#""unclosed, quote; here"#), [0, 0, 0, 0]);
        assert_eq!(count_unquoted(""), [0, 0, 0, 0]);
        // The delimiter most fields agree on, when several appear.
        let text = "a;b;c,d\ne;f;g,h\ni;j;k,l\nm;n;o,p\n";
        assert_eq!(sniff_delimiter(text, false), Some(b';'));
        assert_eq!(
            sniff_delimiter("Dear tenant, thank you, and see you.\nYes.\nNo.\n", false),
            None
        );
    }

    #[test]
    fn formats_by_content_and_name() {
        let p = Path::new;
        assert_eq!(detect(p("a.txt"), b""), Kind::Empty);
        assert_eq!(detect(p("a.txt"), b"%PDF-1.7\n"), Kind::Pdf);
        assert_eq!(detect(p("a.csv"), b"PK\x03\x04rest"), Kind::Zip);
        assert_eq!(
            detect(p("a.xls"), b"<html><table><tr><td>x</td></tr></table>"),
            Kind::Html
        );
        assert_eq!(
            detect(p("a.xls"), b"Name,DOB\nA,1\n"),
            Kind::Delimited(b',')
        );
        assert_eq!(
            detect(p("a.xls"), b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"),
            Kind::Spreadsheet(Book::Xls)
        );
        assert_eq!(
            detect(p("a.doc"), b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"),
            Kind::Word97
        );
        for name in ["a.ppt", "a.PPS", "a.pot"] {
            assert_eq!(
                detect(p(name), b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"),
                Kind::PowerPoint97
            );
        }
        assert_eq!(
            detect(p("a.pub"), b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"),
            Kind::Binary("ole")
        );
        // RTF by its opening, whatever its name: systems save it as `.doc`.
        for name in ["a.rtf", "a.doc", "a.txt", "letter"] {
            assert_eq!(detect(p(name), b"{\\rtf1\\ansi x}"), Kind::Rtf);
        }
        assert_eq!(detect(p("a.rtf"), b"{ not rtf }"), Kind::Text);
        assert_eq!(
            detect(p("a.MSG"), b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"),
            Kind::Outlook
        );
        assert_eq!(
            detect(
                p("a.dat"),
                b"From: a@example.com\nTo: b@example.com\nSubject: hi\n\nbody\n"
            ),
            Kind::Email
        );
        assert_eq!(
            detect(
                p("a"),
                b"From a@b Mon Jan  1 00:00:00 2024\nFrom: a@example.com\n\nx\n"
            ),
            Kind::Mbox
        );
        assert_eq!(
            detect(p("a.txt"), b"<?xml version=\"1.0\"?><a/>"),
            Kind::Xml
        );
        assert_eq!(detect(p("a.dat"), b"ab\0cd"), Kind::Binary("binary"));
        assert_eq!(
            detect(p("a.txt"), b"Dear tenant, thank you.\nYours, us.\n"),
            Kind::Text
        );
        assert_eq!(
            detect(p("a.txt"), b"Job|Address|Postcode\n1|x|y\n2|x|y\n3|x|y\n"),
            Kind::Delimited(b'|')
        );
        assert_eq!(detect(p("a.csv"), b"a;b;c\n1;2;3\n"), Kind::Delimited(b';'));
        assert_eq!(detect(p("a.json"), b"{\"a\":1}\n{\"a\":2}\n"), Kind::Ndjson);
        assert_eq!(detect(p("a.json"), b"{\n \"a\": 1\n}\n"), Kind::Json);
        assert_eq!(detect(p("a.txt"), b"\xFF\xFEa\0b\0"), Kind::Text);
    }

    #[test]
    fn windows_1252_is_text_not_binary() {
        assert_eq!(
            detect(Path::new("a.txt"), b"Ren\xE9e owes \xA3100\n"),
            Kind::Text
        );
    }
}
