//! Plain text, streamed in blocks of whole lines so that a file of any size
//! is read in bounded memory and no value is cut at a block boundary.

use std::io::Read;
use std::ops::Range;

use rayon::prelude::*;

use super::{char_count, Problem, Sink, TextPos};

/// New bytes read per block.
const BLOCK: usize = 1 << 20;
/// The read buffer a file starts with.
const INITIAL_BUFFER: usize = 64 << 10;

pub fn scan(reader: Box<dyn Read>, sink: &mut Sink) -> Result<(), Problem> {
    scan_with_block(reader, sink, BLOCK)
}

/// A block to scan: its bytes (context, then new text, then a little
/// lookahead), the part to report, and where it begins.
struct Block {
    bytes: Vec<u8>,
    report: Range<usize>,
    at: TextPos,
}

/// Cuts a stream into [`Block`]s at line ends (or, in a line longer than a
/// block, anywhere but inside a character).
struct Blocks {
    reader: Box<dyn Read>,
    block: usize,
    /// Text kept from the previous block as context for the next, and read
    /// past a block's reported end as its context after: the engine's
    /// reach, so what a value's context, pairing and linkage see does not
    /// depend on where blocks fall.
    tail: usize,
    buf: Vec<u8>,
    /// Bytes at the start of `buf` that were reported already (context only).
    prefix: usize,
    at: TextPos,
    eof: bool,
    done: bool,
}

impl Blocks {
    fn new(reader: Box<dyn Read>, block: usize, tail: usize) -> Blocks {
        Blocks {
            reader,
            block,
            tail,
            // Grown as a file needs: most files are far smaller than a block.
            buf: Vec::with_capacity((block + 2 * tail).min(INITIAL_BUFFER)),
            prefix: 0,
            at: TextPos { line: 1, column: 0 },
            eof: false,
            done: false,
        }
    }

    /// The next block; a read error ends the stream after a last block of
    /// what was read before it.
    fn next_block(&mut self) -> Option<Result<Block, (Block, std::io::Error)>> {
        if self.done {
            return None;
        }
        let want = self.prefix + self.block + self.tail;
        if !self.eof && self.buf.len() < want {
            // Read into the buffer's spare room as it comes: zeroing a whole
            // block first cost a file of a few KB more than scanning it.
            let wanted = (want - self.buf.len()) as u64;
            match (&mut self.reader).take(wanted).read_to_end(&mut self.buf) {
                Ok(n) => self.eof = (n as u64) < wanted,
                // What was read before the error is in the buffer.
                Err(e) => {
                    self.done = true;
                    let last = Block {
                        report: self.prefix..self.buf.len(),
                        bytes: std::mem::take(&mut self.buf),
                        at: self.at,
                    };
                    return Some(Err((last, e)));
                }
            }
        }
        if self.buf.len() == self.prefix {
            self.done = true;
            return None;
        }
        let buf = &self.buf;
        let report_end = if self.eof {
            buf.len()
        } else {
            // A full tail stays unreported, as context after.
            let limit = buf.len() - self.tail;
            match memchr::memrchr(b'\n', &buf[self.prefix..limit]) {
                Some(i) => self.prefix + i + 1,
                // One enormous line: cut it anywhere but inside a character.
                None => floor_char(buf, limit).max(self.prefix + 1).min(limit),
            }
        };
        let scan_end = (report_end + self.tail).min(buf.len());
        let block = Block {
            bytes: buf[..scan_end].to_vec(),
            report: self.prefix..report_end,
            at: self.at,
        };
        if self.eof {
            self.done = true;
        } else {
            let keep_from = floor_char(buf, report_end.saturating_sub(self.tail));
            self.at = advance(self.at, &buf[..keep_from]);
            self.buf.drain(..keep_from);
            self.prefix = report_end - keep_from;
        }
        Some(Ok(block))
    }
}

/// Scans blocks a batch at a time, one block a core (the scan's workers
/// outnumber the cores: most wait on reading), so one huge file uses every
/// core; memory stays at a block per core.
pub fn scan_with_block(
    reader: Box<dyn Read>,
    sink: &mut Sink,
    block: usize,
) -> Result<(), Problem> {
    let mut blocks = Blocks::new(reader, block, sink.engine().reach());
    let batch_size = rayon::current_num_threads()
        .min(crate::scan::cores())
        .max(1);
    let mut failure = None;
    loop {
        let mut batch = Vec::with_capacity(batch_size);
        while batch.len() < batch_size && failure.is_none() {
            match blocks.next_block() {
                None => break,
                Some(Ok(b)) => batch.push(b),
                Some(Err((b, e))) => {
                    batch.push(b);
                    failure = Some(e);
                }
            }
        }
        if batch.is_empty() {
            break;
        }
        let parts: Vec<Sink> = batch
            .par_iter()
            .map(|b| {
                let mut part = sink.fork();
                part.text_block(&b.bytes, b.report.clone(), b.at);
                part
            })
            .collect();
        for part in parts {
            sink.take_forked(part);
        }
        if failure.is_some() {
            break;
        }
    }
    match failure {
        Some(e) => Err(Problem::from(e)),
        None => Ok(()),
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
        let engine =
            Engine::new(Rules::embedded().unwrap(), Date::new(2026, 1, 1).unwrap()).unwrap();
        let mut sink = Sink::new(&engine, "t.txt".into(), true);
        scan_with_block(
            Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
            &mut sink,
            block,
        )
        .unwrap();
        sink.findings
    }

    /// Blocks scanned at once may each fill what is left of the listing:
    /// the first findings in the text are kept, whatever the blocks, and
    /// the rest counted.
    #[test]
    fn past_the_listing_the_first_findings_are_kept_and_the_rest_counted() {
        let mut rng = crate::synth::Rng::new(3);
        let text: String = (0..60)
            .map(|i| format!("note {i}: NI number {}\n", crate::synth::nino(&mut rng)))
            .collect();
        let every = scan_str(&text, 256);
        assert_eq!(every.len(), 60);
        let engine =
            Engine::new(Rules::embedded().unwrap(), Date::new(2026, 1, 1).unwrap()).unwrap();
        for block in [128, 256, 1 << 20] {
            let mut sink = Sink::new(&engine, "t.txt".into(), true);
            sink.cap = 7;
            scan_with_block(
                Box::new(std::io::Cursor::new(text.as_bytes().to_vec())),
                &mut sink,
                block,
            )
            .unwrap();
            assert_eq!(positions(&sink.findings), positions(&every[..7]), "{block}");
            assert_eq!(sink.unlisted.total(), 53, "{block}");
        }
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
            vec![
                (2, 12, "AB 12 34 56 C".into()),
                (3, 9, "jane@example.com".into())
            ]
        );
    }

    #[test]
    fn small_blocks_find_the_same_as_one_block() {
        let mut text = String::new();
        for i in 0..200 {
            text.push_str(&format!(
                "Line {i}: NI number AB 12 34 56 C, mail p{i}@example.org, DOB 03/04/1985\n"
            ));
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

    #[test]
    fn many_values_on_one_long_line_each_have_their_column() {
        // Columns count characters, not bytes; the second line starts over.
        let mut text = String::from("pr\u{e9}ambule\n");
        let mut expected = Vec::new();
        for i in 0..300 {
            let value = format!("p{i}@example.org");
            text.push_str("\u{e9}\u{e9} mail ");
            let column = text.rsplit('\n').next().unwrap().chars().count() as u64 + 1;
            expected.push((2, column, value.clone()));
            text.push_str(&value);
            text.push(' ');
        }
        text.push_str("\nlast mail z@example.org\n");
        expected.push((3, 11, "z@example.org".into()));
        for block in [BLOCK, 1000] {
            assert_eq!(
                positions(&scan_str(&text, block)),
                expected,
                "block {block}"
            );
        }
    }

    /// A reader that hands out a few bytes at a time, is interrupted every
    /// third call, and fails for good after `fail_after` bytes.
    struct Flaky {
        data: Vec<u8>,
        at: usize,
        calls: usize,
        fail_after: usize,
    }

    impl Read for Flaky {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.calls += 1;
            if self.calls.is_multiple_of(3) {
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            if self.at >= self.fail_after {
                return Err(std::io::Error::other("the share went away"));
            }
            let n = buf.len().min(7).min(self.data.len() - self.at);
            let n = n.min(self.fail_after - self.at);
            buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    fn scan_flaky(text: &str, block: usize, fail_after: usize) -> (Vec<Finding>, bool) {
        let engine =
            Engine::new(Rules::embedded().unwrap(), Date::new(2026, 1, 1).unwrap()).unwrap();
        let mut sink = Sink::new(&engine, "t.txt".into(), true);
        let reader = Flaky {
            data: text.as_bytes().to_vec(),
            at: 0,
            calls: 0,
            fail_after,
        };
        let failed = scan_with_block(Box::new(reader), &mut sink, block).is_err();
        (sink.findings, failed)
    }

    #[test]
    fn short_and_interrupted_reads_find_the_same() {
        let mut text = String::new();
        for i in 0..50 {
            text.push_str(&format!("Line {i}: mail p{i}@example.org\n"));
        }
        let whole = positions(&scan_str(&text, BLOCK));
        assert_eq!(whole.len(), 50);
        for block in [300, BLOCK] {
            let (found, failed) = scan_flaky(&text, block, usize::MAX);
            assert!(!failed, "block {block}");
            assert_eq!(positions(&found), whole, "block {block}");
        }
    }

    #[test]
    fn a_failed_read_keeps_what_came_before_it() {
        let mut text = String::new();
        for i in 0..50 {
            text.push_str(&format!("Line {i}: mail p{i}@example.org\n"));
        }
        // The read fails inside line 21 (lines are 31 or 32 bytes).
        let cut = text.find("Line 21:").unwrap() + 10;
        for block in [100, BLOCK] {
            let (found, failed) = scan_flaky(&text, block, cut);
            assert!(failed, "block {block}: the error is reported");
            let found = positions(&found);
            assert_eq!(found.len(), 21, "block {block}: {found:?}");
            assert_eq!(found[20], (21, 15, "p20@example.org".into()));
        }
    }
}
