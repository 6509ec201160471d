//! Plain text, streamed in blocks of whole lines so that a file of any size
//! is read in bounded memory and no value is cut at a block boundary.

use std::io::{ErrorKind, Read};

use super::{char_count, Problem, Sink, TextPos};

/// New bytes read per block.
const BLOCK: usize = 1 << 20;
/// Text kept from the previous block as context for the next, and how far a
/// block is scanned past its reported end so values there are whole.
const TAIL: usize = 256;

pub fn scan(reader: Box<dyn Read>, sink: &mut Sink) -> Result<(), Problem> {
    scan_with_block(reader, sink, BLOCK)
}

pub(crate) fn scan_with_block(mut reader: Box<dyn Read>, sink: &mut Sink, block: usize) -> Result<(), Problem> {
    let mut buf: Vec<u8> = Vec::with_capacity(block + 2 * TAIL);
    // Bytes at the start of `buf` that were reported already (context only).
    let mut prefix = 0;
    let mut at = TextPos { line: 1, column: 0 };
    let mut eof = false;
    loop {
        while !eof && buf.len() < prefix + block {
            let want = prefix + block - buf.len();
            let old = buf.len();
            buf.resize(old + want, 0);
            match reader.read(&mut buf[old..]) {
                Ok(0) => {
                    buf.truncate(old);
                    eof = true;
                }
                Ok(n) => buf.truncate(old + n),
                Err(e) if e.kind() == ErrorKind::Interrupted => buf.truncate(old),
                Err(e) => {
                    buf.truncate(old);
                    // Report what was read before the failure, then fail.
                    sink.text_block(&buf, prefix..buf.len(), at);
                    return Err(Problem::from(e));
                }
            }
        }
        if buf.len() == prefix {
            return Ok(());
        }
        let report_end = if eof {
            buf.len()
        } else {
            match memchr::memrchr(b'\n', &buf[prefix..]) {
                Some(i) => prefix + i + 1,
                // One enormous line: cut it, leaving the tail for next time.
                None => floor_char(&buf, buf.len() - TAIL),
            }
        };
        let scan_end = (report_end + TAIL).min(buf.len());
        sink.text_block(&buf[..scan_end], prefix..report_end, at);
        if eof {
            return Ok(());
        }
        let keep_from = floor_char(&buf, report_end.saturating_sub(TAIL));
        at = advance(at, &buf[..keep_from]);
        buf.drain(..keep_from);
        prefix = report_end - keep_from;
    }
}

/// The position after `bytes`, starting from `at`.
fn advance(at: TextPos, bytes: &[u8]) -> TextPos {
    match memchr::memrchr(b'\n', bytes) {
        Some(last) => TextPos {
            line: at.line + memchr::memchr_iter(b'\n', bytes).count() as u64,
            column: char_count(&bytes[last + 1..]),
        },
        None => TextPos {
            line: at.line,
            column: at.column + char_count(bytes),
        },
    }
}

/// `i` moved back to the start of a UTF-8 character.
fn floor_char(buf: &[u8], mut i: usize) -> usize {
    while i > 0 && i < buf.len() && (buf[i] & 0xC0) == 0x80 {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{Engine, Rules};
    use crate::report::{Column, Finding};
    use jiff::civil::Date;

    fn scan_str(text: &str, block: usize) -> Vec<Finding> {
        let engine = Engine::new(Rules::embedded().unwrap(), Date::new(2026, 1, 1).unwrap()).unwrap();
        let mut sink = Sink::new(&engine, "t.txt", true);
        scan_with_block(Box::new(std::io::Cursor::new(text.as_bytes().to_vec())), &mut sink, block).unwrap();
        sink.findings
    }

    fn positions(findings: &[Finding]) -> Vec<(u64, u64, String)> {
        findings
            .iter()
            .map(|f| {
                let col = match f.location.column {
                    Some(Column::Number(c)) => c,
                    _ => 0,
                };
                (f.location.line.unwrap(), col, f.value.clone().unwrap())
            })
            .collect()
    }

    #[test]
    fn lines_and_columns() {
        let text = "first line\nNI number: AB 12 34 56 C\n\u{e9}\u{e9} mail jane@example.com\n";
        assert_eq!(
            positions(&scan_str(text, BLOCK)),
            vec![(2, 12, "AB 12 34 56 C".into()), (3, 9, "jane@example.com".into())]
        );
    }

    #[test]
    fn small_blocks_find_the_same_as_one_block() {
        let mut text = String::new();
        for i in 0..200 {
            text.push_str(&format!("Line {i}: NI number AB 12 34 56 C, mail p{i}@example.org, DOB 03/04/1985\n"));
        }
        // One very long line too, cut mid-way by the tiny block size.
        text.push_str(&"x".repeat(3000));
        text.push_str(" email tail@example.com ");
        text.push_str(&"y".repeat(3000));
        let whole = positions(&scan_str(&text, BLOCK));
        for block in [300, 301, 513, 1000, 4096] {
            assert_eq!(positions(&scan_str(&text, block)), whole, "block {block}");
        }
        assert_eq!(whole.len(), 601);
    }
}
