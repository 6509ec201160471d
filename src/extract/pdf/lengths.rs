//! Streams whose stated `/Length` is wrong. lopdf reads exactly that many
//! bytes and, finding no `endstream` there, drops the object: a page whose
//! content it was has no text. Files come so from hand-made generators and
//! from transfers that rewrote line ends (FTP in ASCII mode), which also
//! move every object and break the table of objects. A copy with each such
//! length set to where `endstream` really is can be read, as PDF readers
//! read such files; its table is then rebuilt (`super::rebuilt`).

use std::sync::LazyLock;

use regex::bytes::Regex;

/// The end of a stream's dictionary and the `stream` keyword, with the
/// end of line that opens its data.
static STREAM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r">>[\r\n\t \x0c]*stream(?:\r\n|\n|\r)").expect("a valid pattern"));

/// A direct length in a dictionary (`/Length 86`), not a reference to one
/// (`/Length 6 0 R`), which is read from another object.
static LENGTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"/Length[\r\n\t \x0c]+(\d{1,10})\b(?:[\r\n\t \x0c]+\d{1,10}[\r\n\t \x0c]+R\b)?")
        .expect("a valid pattern")
});

/// An object's header at the end of what comes before its dictionary.
static HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{1,10})[\r\n\t \x0c]+(\d{1,5})[\r\n\t \x0c]+obj$").expect("a valid pattern")
});

/// How far back from `stream` a dictionary's `/Length` is looked for.
const DICTIONARY_REACH: usize = 4096;

/// A copy of `bytes` with each wrong direct stream length corrected, and the
/// objects whose lengths were (where their headers could be read); None
/// when none is wrong.
pub fn corrected(bytes: &[u8]) -> Option<(Vec<u8>, Vec<lopdf::ObjectId>)> {
    // Every `endstream` once, so each stream's end is a binary search and
    // the work stays linear in the file, whatever it holds.
    let ends: Vec<usize> = memchr::memmem::find_iter(bytes, b"endstream").collect();
    let mut edits: Vec<(std::ops::Range<usize>, usize)> = Vec::new();
    let mut objects = Vec::new();
    let mut after_last = 0;
    for stream in STREAM.find_iter(bytes) {
        // Inside the stream before it: its data, not a stream. Skipping
        // these also keeps each look back apart, so the work is linear.
        if stream.start() < after_last {
            continue;
        }
        let data = stream.end();
        // Where the data ends: the first `endstream` after it, less the end
        // of line before the keyword.
        let Some(&end) = ends.get(ends.partition_point(|&e| e < data)) else {
            continue;
        };
        let mut true_end = end;
        if bytes[..true_end].ends_with(b"\r\n") {
            true_end -= 2;
        } else if bytes[..true_end].ends_with(b"\n") || bytes[..true_end].ends_with(b"\r") {
            true_end -= 1;
        }
        let true_length = true_end.max(data) - data;
        // The dictionary: from the object's `obj` (or the reach, or the
        // last stream's end) to the `>>` before `stream`.
        let floor = stream
            .start()
            .saturating_sub(DICTIONARY_REACH)
            .max(after_last);
        let dictionary = &bytes[floor..stream.start()];
        let from = memchr::memmem::rfind(dictionary, b"obj").map_or(0, |at| at + 3);
        after_last = end;
        let Some(length) = LENGTH
            .captures_iter(&dictionary[from..])
            .last()
            .filter(|c| !c[0].ends_with(b"R"))
            .and_then(|c| c.get(1))
        else {
            continue;
        };
        let Some(stated) = std::str::from_utf8(length.as_bytes())
            .ok()
            .and_then(|s| s.parse::<usize>().ok())
        else {
            continue;
        };
        if stated_is_right(bytes, data, stated) {
            continue;
        }
        let at = floor + from + length.start()..floor + from + length.end();
        edits.push((at, true_length));
        if let Some(header) = HEADER.captures(&dictionary[..from]) {
            let text = |i: usize| std::str::from_utf8(&header[i]).ok().map(str::to_owned);
            let n = text(1).and_then(|t| t.parse::<u32>().ok());
            let g = text(2).and_then(|t| t.parse::<u16>().ok());
            if let (Some(n), Some(g)) = (n, g) {
                objects.push((n, g));
            }
        }
    }
    if edits.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() + edits.len() * 10);
    let mut copied = 0;
    for (at, length) in &edits {
        out.extend_from_slice(&bytes[copied..at.start]);
        out.extend_from_slice(length.to_string().as_bytes());
        copied = at.end;
    }
    out.extend_from_slice(&bytes[copied..]);
    Some((out, objects))
}

/// Whether `endstream` follows the stated length, after any white space.
fn stated_is_right(bytes: &[u8], data: usize, stated: usize) -> bool {
    let Some(rest) = data.checked_add(stated).and_then(|end| bytes.get(end..)) else {
        return false;
    };
    let skipped = rest
        .iter()
        .take_while(|b| matches!(b, b'\r' | b'\n' | b'\t' | b' ' | b'\x0c'))
        .count();
    rest[skipped..].starts_with(b"endstream")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(length: &str, data: &str) -> String {
        format!("5 0 obj\n<< {length} >>\nstream\n{data}\nendstream\nendobj\n")
    }

    #[test]
    fn a_wrong_length_is_set_to_where_the_stream_ends() {
        let pdf = object("/Length 3", "BT (Hello) Tj ET");
        let (fixed, objects) = corrected(pdf.as_bytes()).unwrap();
        assert_eq!(objects, [(5, 0)]);
        assert_eq!(
            String::from_utf8(fixed).unwrap(),
            object("/Length 16", "BT (Hello) Tj ET")
        );
        // Too long, past the file's end, and before other keys.
        let pdf = object("/Length 9999 /Filter /FlateDecode", "abc");
        let (fixed, _) = corrected(pdf.as_bytes()).unwrap();
        assert_eq!(
            String::from_utf8(fixed).unwrap(),
            object("/Length 3 /Filter /FlateDecode", "abc")
        );
        // CRLF line ends, as a transfer in ASCII mode writes them.
        let pdf = object("/Length 1", "abc").replace('\n', "\r\n");
        let (fixed, _) = corrected(pdf.as_bytes()).unwrap();
        assert_eq!(
            String::from_utf8(fixed).unwrap(),
            object("/Length 3", "abc").replace('\n', "\r\n")
        );
    }

    #[test]
    fn right_and_indirect_lengths_are_left() {
        assert!(corrected(object("/Length 3", "abc").as_bytes()).is_none());
        assert!(corrected(object("/Length 6 0 R", "abc").as_bytes()).is_none());
        assert!(corrected(b"no streams at all").is_none());
        // A stream with no `endstream` after it (a file cut short).
        assert!(corrected(b"5 0 obj\n<< /Length 3 >>\nstream\nab").is_none());
        // What looks like a stream inside another's data is its data.
        let pdf = object("/Length 1", "<< >>\nstream\n<< /Length 9 >>stream\nx");
        let (fixed, objects) = corrected(pdf.as_bytes()).unwrap();
        assert_eq!(objects, [(5, 0)]);
        assert_eq!(
            String::from_utf8(fixed).unwrap(),
            object("/Length 36", "<< >>\nstream\n<< /Length 9 >>stream\nx")
        );
        // Two streams: only the wrong one changes.
        let pdf = object("/Length 3", "abc") + &object("/Length 1", "defg");
        let (fixed, objects) = corrected(pdf.as_bytes()).unwrap();
        assert_eq!(objects.len(), 1);
        assert_eq!(
            String::from_utf8(fixed).unwrap(),
            object("/Length 3", "abc") + &object("/Length 4", "defg")
        );
    }

    /// Pieces of streams in any order: corrected or left, never a panic,
    /// nor on what was corrected.
    const PIECES: &[&str] = &[
        "5 0 obj",
        "<<",
        ">>",
        " ",
        "\n",
        "\r\n",
        "\r",
        "stream\n",
        "stream\r\n",
        "endstream",
        "/Length ",
        "/Length1 ",
        "0",
        "7",
        "12",
        " 0 R",
        "x",
        "endobj",
    ];

    proptest::proptest! {
        #[test]
        fn any_arrangement_is_corrected_without_panic(
            picks in proptest::collection::vec(0..PIECES.len(), 0..80),
        ) {
            let bytes: Vec<u8> = picks.iter().flat_map(|&i| PIECES[i].bytes()).collect();
            if let Some((fixed, _)) = corrected(&bytes) {
                let _ = corrected(&fixed);
            }
        }
    }
}
