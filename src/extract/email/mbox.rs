//! A mailbox split into its messages, as mail-parser's own reader splits
//! it (a message starts at a line beginning `From `, which is not part of
//! it; a `>From ` line loses one `>`; lines before the first message are
//! not read), but within bounds: that reader keeps a whole message, and a
//! whole line, in memory however long, so a mailbox of one 4 GB message,
//! or of no line breaks at all, would have been read whole.

use std::io::{self, BufRead, Read};

/// One message of a mailbox.
pub(super) enum Entry {
    Message(Vec<u8>),
    /// A message longer than the bytes allowed, not kept: its length.
    TooLong(u64),
}

/// A line is read this much at a time, so a line never in memory whole.
const PIECE: u64 = 1 << 20;

pub(super) struct Messages<R> {
    reader: R,
    most: u64,
    piece: Vec<u8>,
    at_line_start: bool,
    message: Option<(Vec<u8>, u64)>,
}

impl<R: BufRead> Messages<R> {
    /// Messages of at most `most` bytes are kept.
    pub(super) fn new(reader: R, most: u64) -> Messages<R> {
        Messages {
            reader,
            most,
            piece: Vec::new(),
            at_line_start: true,
            message: None,
        }
    }

    fn entry((bytes, length): (Vec<u8>, u64), most: u64) -> Entry {
        if length > most {
            Entry::TooLong(length)
        } else {
            Entry::Message(bytes)
        }
    }
}

impl<R: BufRead> Iterator for Messages<R> {
    type Item = io::Result<Entry>;

    fn next(&mut self) -> Option<io::Result<Entry>> {
        loop {
            self.piece.clear();
            match (&mut self.reader)
                .take(PIECE)
                .read_until(b'\n', &mut self.piece)
            {
                Ok(0) => return self.message.take().map(|m| Ok(Self::entry(m, self.most))),
                Ok(_) => {}
                Err(e) => return Some(Err(e)),
            }
            let line_start = self.at_line_start;
            self.at_line_start = self.piece.ends_with(b"\n");
            if line_start && self.piece.starts_with(b"From ") {
                let ended = self.message.replace((Vec::new(), 0));
                match ended {
                    Some(m) => return Some(Ok(Self::entry(m, self.most))),
                    None => continue,
                }
            }
            let Some((bytes, length)) = &mut self.message else {
                continue;
            };
            let mut text = &self.piece[..];
            if line_start && text.first() == Some(&b'>') {
                let quoted = text.iter().position(|&b| b != b'>').unwrap_or(text.len());
                if text[quoted..].starts_with(b"From ") {
                    text = &text[1..];
                }
            }
            *length += text.len() as u64;
            if *length > self.most {
                *bytes = Vec::new();
            } else {
                bytes.extend_from_slice(text);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn split(mailbox: &[u8], most: u64) -> Vec<Result<Vec<u8>, u64>> {
        Messages::new(mailbox, most)
            .map(|e| match e.expect("a slice never fails") {
                Entry::Message(m) => Ok(m),
                Entry::TooLong(n) => Err(n),
            })
            .collect()
    }

    #[test]
    fn messages_are_split_at_from_lines_and_unquoted() {
        let mailbox = b"preamble\nFrom a@b Mon\nSubject: 1\n\n>From here\n>>From there\n>Fromage\n\
                        From c@d Tue\nSubject: 2\n\nbody";
        assert_eq!(
            split(mailbox, 1 << 20),
            [
                Ok(b"Subject: 1\n\nFrom here\n>From there\n>Fromage\n".to_vec()),
                Ok(b"Subject: 2\n\nbody".to_vec())
            ]
        );
    }

    #[test]
    fn a_message_over_the_limit_is_measured_not_kept() {
        let mailbox = b"From a\n0123456789\nFrom b\nshort\n";
        assert_eq!(split(mailbox, 8), [Err(11), Ok(b"short\n".to_vec())]);
    }

    #[test]
    fn a_line_longer_than_a_piece_is_one_line() {
        // A `From ` past the first piece of a line does not start a message.
        let long = format!("From a\nx{}From b\n", "y".repeat(PIECE as usize - 1));
        let entries = split(long.as_bytes(), u64::MAX);
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].as_ref().map(Vec::len), Ok(PIECE as usize + 7));
    }

    proptest! {
        /// Where there is no message too long, the split is mail-parser's.
        #[test]
        fn splits_as_mail_parser_does(
            lines in proptest::collection::vec(
                prop_oneof![
                    Just("From x@y Mon Jan  1 00:00:00 2024".to_string()),
                    Just(">From z".to_string()),
                    Just(">>From z".to_string()),
                    Just(">x".to_string()),
                    "[a-zF >]{0,12}",
                ],
                0..30,
            ),
            end in proptest::bool::ANY,
        ) {
            let mut mailbox = lines.join("\n");
            if end {
                mailbox.push('\n');
            }
            let theirs: Vec<Vec<u8>> =
                mail_parser::mailbox::mbox::MessageIterator::new(mailbox.as_bytes())
                    .map(|m| m.map(|m| m.contents().to_vec()).unwrap_or_default())
                    .collect();
            let ours: Vec<Vec<u8>> = split(mailbox.as_bytes(), u64::MAX)
                .into_iter()
                .map(|m| m.unwrap_or_default())
                .collect();
            prop_assert_eq!(ours, theirs);
        }
    }
}
