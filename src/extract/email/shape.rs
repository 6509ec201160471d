//! What parsing a message may cost, counted before it is parsed.
//! mail-parser builds a value for every header line, every address and
//! parameter in a header, and every part, with no limit of its own: an
//! 8 MB message of one `To:` header of four million addresses took 449 MB
//! to read, one of 500,000 empty parts 30 times its size, and a lone
//! message may be 512 MiB. So the pieces it could build are counted from
//! the message's bytes first, erring high, and a message of too many is
//! not parsed.

use std::sync::LazyLock;

use mail_parser::{decoders, HeaderName, MessageParser};
use memchr::memchr;
use regex::bytes::RegexSet;

/// What one piece of a message's structure takes parsed and read, at most,
/// with room to spare: measured, an empty part about 160 bytes, a nested
/// multipart's pieces 125 each, an address 90, a header passed over 50.
pub(super) const BYTES_PER_PIECE: u64 = 256;
/// The pieces one message may have: at most about 160 MB parsed. A real
/// message has some hundreds; a thread forwarded many times, or one of a
/// thousand attachments, some thousands.
pub(super) const MOST_PIECES: u64 = 1_000_000;
/// How deep mail-parser reads messages attached base64- or
/// quoted-printable-encoded, each decoded and parsed inside the one
/// holding it.
const ENCODED_DEPTH: u32 = 3;

/// The parser messages are read with: only the headers trawl reads (those
/// that give a message its parts, and Date, Subject, From, To and Cc) are
/// parsed; the rest are passed over, not kept. Made once: it is a map.
pub(super) fn parser() -> &'static MessageParser {
    static PARSER: LazyLock<MessageParser> = LazyLock::new(|| {
        MessageParser::new()
            .with_mime_headers()
            .header_date(HeaderName::Date)
            .header_text(HeaderName::Subject)
            .header_address(HeaderName::From)
            .header_address(HeaderName::To)
            .header_address(HeaderName::Cc)
            .default_header_ignore()
    });
    &PARSER
}

/// The pieces of structure parsing `raw` could build, or more. Within a
/// block of headers every line counts, and every byte that can start an
/// address, a parameter or an encoded word (`,;<:=`). Past a block, in a
/// body, a run of dashes may be boundaries (mail-parser takes a boundary
/// anywhere on a line, and one may be made of a single dash, so a run of n
/// counts n/3, and at least one); after one, headers may follow. A part
/// that holds a message (one typed `message/…`, or untyped in a digest) has
/// its headers next; an encoded one is decoded, as mail-parser decodes it,
/// and counted in turn.
pub(super) fn pieces(raw: &[u8]) -> u64 {
    count(raw, ENCODED_DEPTH)
}

/// What a block of headers said of the part it heads.
#[derive(Default)]
struct Block {
    /// It named a type.
    typed: bool,
    /// It named a message's type (`message/…`).
    message: bool,
    /// It named a digest, whose parts without a type are messages.
    digest: bool,
    /// It heads a part (it follows a boundary), not a message.
    part: bool,
    /// Its body is base64.
    base64: bool,
    /// Its body is quoted-printable.
    printable: bool,
}

/// The words [`Block::note`] looks for, in any case, in this order.
const WORDS: [&str; 5] = [
    "content-type",
    "message/",
    "multipart/digest",
    "base64",
    "quoted-printable",
];

impl Block {
    fn note(&mut self, line: &[u8]) {
        static WORDS_IN_ANY_CASE: LazyLock<RegexSet> = LazyLock::new(|| {
            RegexSet::new(WORDS.map(|w| format!("(?i-u){}", regex::escape(w))))
                .expect("fixed words")
        });
        for found in WORDS_IN_ANY_CASE.matches(line).iter() {
            let said = match found {
                0 => &mut self.typed,
                1 => &mut self.message,
                2 => &mut self.digest,
                3 => &mut self.base64,
                _ => &mut self.printable,
            };
            *said = true;
        }
    }

    fn heads_a_message(&self, in_digest: bool) -> bool {
        self.message || (self.part && in_digest && !self.typed)
    }

    fn of_part() -> Block {
        Block {
            part: true,
            ..Block::default()
        }
    }
}

fn count(raw: &[u8], depth: u32) -> u64 {
    let mut pieces = 0u64;
    let mut block = Some(Block::default());
    // A digest was named: from then on, any part may be one of its own.
    let mut in_digest = false;
    let mut at = 0;
    while at < raw.len() {
        if block.is_none() {
            // A body counts nothing until a run of dashes: skip to its line.
            let Some(dashes) = next_dashes(&raw[at..]) else {
                break;
            };
            at += memchr::memrchr(b'\n', &raw[at..at + dashes]).map_or(0, |i| i + 1);
        }
        let end = memchr(b'\n', &raw[at..]).map_or(raw.len(), |i| at + i + 1);
        let line = &raw[at..end];
        match &mut block {
            Some(headers) if is_blank(line) => {
                let nested = headers.heads_a_message(in_digest);
                in_digest |= headers.digest;
                let (base64, printable) = (headers.base64, headers.printable);
                block = None;
                if nested && (base64 || printable) && depth > 0 {
                    // The encoded message runs to the next boundary: base64
                    // holds no dashes; what quoted-printable text past one
                    // holds is counted as any other. Decoded as the headers
                    // said (the larger count, if they seemed to say both).
                    let body = end + next_dashes(&raw[end..]).unwrap_or(raw.len() - end);
                    let encoded = &raw[end..body];
                    let decoded = [
                        base64.then(|| decoders::base64::base64_decode(encoded)),
                        printable
                            .then(|| decoders::quoted_printable::quoted_printable_decode(encoded)),
                    ];
                    pieces += decoded
                        .into_iter()
                        .flatten()
                        .flatten()
                        .map(|message| count(&message, depth - 1))
                        .max()
                        .unwrap_or(0);
                    at = body;
                    continue;
                } else if nested {
                    block = Some(Block::default());
                }
            }
            Some(headers) => {
                pieces += 1 + line
                    .iter()
                    .filter(|b| matches!(b, b',' | b';' | b'<' | b':' | b'='))
                    .count() as u64;
                headers.note(line);
            }
            None => {
                let boundaries = dash_runs(line);
                if boundaries > 0 {
                    pieces += boundaries;
                    block = Some(Block::of_part());
                }
            }
        }
        at = end;
    }
    pieces
}

fn is_blank(line: &[u8]) -> bool {
    matches!(line, b"\n" | b"\r\n")
}

/// The boundaries a line's runs of two or more dashes could hold.
fn dash_runs(line: &[u8]) -> u64 {
    if next_dashes(line).is_none() {
        return 0;
    }
    line.split(|&b| b != b'-')
        .filter(|run| run.len() >= 2)
        .map(|run| (run.len() as u64 / 3).max(1))
        .sum()
}

/// Where the next `--` is.
fn next_dashes(bytes: &[u8]) -> Option<usize> {
    memchr::memmem::find(bytes, b"--")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lines_and_their_separators_count() {
        // Two lines, the second with four separators; the body not at all.
        let raw = b"Subject: hi\nTo: a@x, b@x\n\nbody: a, b; c\n";
        assert_eq!(pieces(raw), 2 + 3);
    }

    #[test]
    fn a_body_counts_nothing_but_runs_of_dashes_and_the_headers_after_them() {
        let body = "Subject: x\nContent-Type: text/plain\n\nnote: 1, 2, 3\n".to_string();
        let plain = pieces(body.as_bytes());
        assert_eq!(plain, 4);
        // A run of two dashes, then a header line of one colon.
        assert_eq!(
            pieces(format!("{body}--b\nX: y\n\nz, z\n").as_bytes()),
            plain + 1 + 2
        );
        // Nine dashes mid-line may be three boundaries of one dash.
        assert_eq!(
            pieces(format!("{body}a ---------\n\n").as_bytes()),
            plain + 3
        );
        assert_eq!(dash_runs(b"-- a - b ------"), 1 + 2);
    }

    #[test]
    fn a_message_part_is_followed_by_the_message_headers() {
        let outer = "Content-Type: multipart/mixed; boundary=b\n\n--b\n\
                     Content-Type: message/rfc822\n\nTo: a, b, c\n\nbody, body\n--b--\n";
        // The nested message's To: line (1 + 3) counts; its body does not.
        let without = outer.replace("message/rfc822", "text/plain");
        assert_eq!(pieces(outer.as_bytes()), pieces(without.as_bytes()) + 4);
    }

    #[test]
    fn a_message_encoded_in_a_part_is_decoded_and_counted() {
        let inner = format!("To: {}b\n\nbody\n", "a,".repeat(1000));
        let encoded = mail_parser_free_base64(inner.as_bytes());
        let outer = format!(
            "Content-Type: multipart/mixed; boundary=b\n\n--b\n\
             Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n{encoded}\n--b--\n"
        );
        assert!(
            pieces(outer.as_bytes()) > 1000,
            "{}",
            pieces(outer.as_bytes())
        );
        // Not when its part is not a message.
        let attached = outer.replace("message/rfc822", "application/octet-stream");
        assert!(pieces(attached.as_bytes()) < 20);
    }

    #[test]
    fn a_part_without_a_type_is_a_message_in_a_digest_alone() {
        let raw = "Content-Type: multipart/digest; boundary=b\n\n--b\n\nTo: a, b\n\nx\n--b--\n";
        let mixed = raw.replace("digest", "mixed");
        // Its header (4), the boundaries (1 and 2).
        assert_eq!(pieces(mixed.as_bytes()), 4 + 1 + 2);
        // And in a digest the message's To: (3), but not its body.
        assert_eq!(pieces(raw.as_bytes()), 4 + 1 + 3 + 2);
    }

    #[test]
    fn encoded_messages_are_decoded_three_deep_and_no_deeper() {
        let mut message = format!("To: {}b\n\nbody\n", "a,".repeat(1000));
        for deep in 1..=4 {
            message = format!(
                "Content-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n{}",
                mail_parser_free_base64(message.as_bytes())
            );
            let counted = pieces(message.as_bytes());
            assert_eq!(counted > 1000, deep <= 3, "{deep} deep: {counted}");
        }
    }

    /// Base64 as MIME writes it, 76 to a line.
    fn mail_parser_free_base64(bytes: &[u8]) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().fold(0u32, |n, &b| n << 8 | b as u32) << (8 * (3 - chunk.len()));
            for i in 0..4 {
                out.push(if i <= chunk.len() {
                    ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char
                } else {
                    '='
                });
            }
        }
        out.as_bytes()
            .chunks(76)
            .map(|l| std::str::from_utf8(l).unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n")
    }
}
