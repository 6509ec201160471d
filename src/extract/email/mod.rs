//! Email: EML messages and MBOX mailboxes. Headers (From, To, Cc, Subject)
//! and the plain-text body are scanned, located by `message` and `part`; a
//! body that is HTML alone, or whose plain alternative is a stub, is read
//! as an HTML page is (tables, comments, links), within its part;
//! attachments are scanned as files of their own,
//! named `inbox.mbox!/42/attachment/rent.xlsx`. A message whose structure
//! would take too much memory to parse is not read (see [`shape`]).

mod mbox;
pub mod outlook;
mod shape;

use std::io::{BufReader, Read};

use mail_parser::{Address, Message, MessageParser, MimeHeaders, PartType};

use super::{extract_member, Nest, Problem, ReadSeek, Sink};
use crate::report::Location;

/// A lone message is read whole (at most `Limits::max_member_bytes`).
pub fn scan_message(
    mut src: Box<dyn ReadSeek>,
    sink: &mut Sink,
    nest: &mut Nest,
) -> Result<(), Problem> {
    let mut raw = Vec::new();
    src.read_to_end(&mut raw)?;
    read_message(shape::parser(), &raw, 1, false, sink, nest)
        .map_err(|why| Problem::Failed(format!("email not read: {why}")))
}

/// A mailbox is read a message at a time, each at most as long as a
/// member may be.
pub fn scan_mbox(src: Box<dyn ReadSeek>, sink: &mut Sink, nest: &mut Nest) -> Result<(), Problem> {
    let parser = shape::parser();
    let most = nest.limits.max_member_bytes;
    let mut unread = Vec::new();
    let mut messages = 0;
    for (i, entry) in mbox::Messages::new(BufReader::new(src), most).enumerate() {
        let number = i as u64 + 1;
        messages = number;
        let entry =
            entry.map_err(|e| Problem::Failed(format!("read error at message {number}: {e}")))?;
        let read = match entry {
            mbox::Entry::Message(raw) => {
                let held = raw.len() as u64;
                nest.holding(held, |nest| {
                    read_message(parser, &raw, number, true, sink, nest)
                })
            }
            mbox::Entry::TooLong(bytes) => Err(format!(
                "{bytes} bytes, over the {most} bytes one message may take"
            )),
        };
        if let Err(why) = read {
            unread.push(format!("message {number}: {why}"));
        }
    }
    if unread.is_empty() {
        return Ok(());
    }
    // The first few are named; a mailbox may hold thousands.
    const NAMED: usize = 3;
    let count = unread.len();
    let more = match count.saturating_sub(NAMED) {
        0 => String::new(),
        more => format!("; and {more} more"),
    };
    unread.truncate(NAMED);
    let others = if (count as u64) < messages {
        "; the others were scanned"
    } else {
        ""
    };
    Err(Problem::Failed(format!(
        "{count} message(s) not read ({}{more}){others}",
        unread.join("; ")
    )))
}

/// Parses one message and scans it, unless parsing it would build more
/// than [`shape::MOST_PIECES`]: what that would take is held, as a file
/// read whole is, while it is parsed and read.
fn read_message(
    parser: &MessageParser,
    raw: &[u8],
    number: u64,
    in_mailbox: bool,
    sink: &mut Sink,
    nest: &mut Nest,
) -> Result<(), String> {
    let pieces = shape::pieces(raw);
    if pieces > shape::MOST_PIECES {
        return Err(format!(
            "{pieces} header lines, addresses, parameters and parts, over the {} one message \
             may have (parsing them would take about {} MB)",
            shape::MOST_PIECES,
            pieces * shape::BYTES_PER_PIECE / 1_000_000
        ));
    }
    nest.holding(pieces * shape::BYTES_PER_PIECE, |nest| {
        let parsed = parser
            .parse(raw)
            .ok_or_else(|| "not a readable email message".to_string())?;
        scan_parsed(&parsed, number, in_mailbox, sink, nest);
        Ok(())
    })
}

fn scan_parsed(message: &Message, number: u64, in_mailbox: bool, sink: &mut Sink, nest: &mut Nest) {
    let addresses = |address: Option<&Address>| address.map(address_text);
    // An HTML body is read as a page is (its tables, comments and links),
    // not flattened to text: mail-parser's flattening runs a table's cells
    // together ("Date of birth03/04/1971").
    let bodies =
        message
            .text_body
            .iter()
            .enumerate()
            .filter_map(|(i, &id)| match &message.part(id)?.body {
                PartType::Text(text) => Some(match html_twin(message, i, id) {
                    Some(html) if is_stub_of(text, html) => Body::Html(html.to_string()),
                    _ => Body::Text(text.to_string()),
                }),
                PartType::Html(html) => Some(Body::Html(html.to_string())),
                _ => None,
            });
    let said = Said {
        date: message
            .date()
            .map(|d| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)),
        from: addresses(message.from()),
        to: addresses(message.to()),
        cc: addresses(message.cc()),
        subject: message.subject().map(str::to_string),
        bodies: bodies.collect(),
    };
    scan_said(&said, number, sink);
    for (i, attachment) in message.attachments().enumerate() {
        let name = attachment.attachment_name().map(str::to_string);
        let member = attachment_member(name, i, in_mailbox.then_some(number));
        attach(sink, nest, &member, attachment.contents().to_vec());
    }
}

/// The HTML alternative of the `i`th plain body `id`, if the message has
/// one: mail-parser lists a message's bodies twice, as plain text and as
/// HTML, the same part where there is only one.
fn html_twin<'m>(
    message: &'m Message,
    i: usize,
    id: mail_parser::MessagePartId,
) -> Option<&'m str> {
    if message.html_body.len() != message.text_body.len() {
        return None;
    }
    let twin = *message.html_body.get(i)?;
    match &message.part(twin)?.body {
        PartType::Html(html) if twin != id => Some(html),
        _ => None,
    }
}

/// Whether a plain alternative is a stub of its HTML ("To view this
/// message, use an HTML-capable client"), which is then read instead: its
/// HTML says at least twice as much, and 100 letters and digits more. A
/// plain rendition of the HTML, which senders mostly write, says about as
/// much, and is read as it is.
fn is_stub_of(plain: &str, html: &str) -> bool {
    let said = |text: &str| text.chars().filter(|c| c.is_alphanumeric()).count();
    let plain = said(plain);
    // Its text is no longer than its markup: most plain renditions are
    // told from stubs without rendering the HTML.
    let enough = |html: usize| html >= 2 * plain && html >= plain + 100;
    enough(html.len()) && enough(said(&mail_parser::decoders::html::html_to_text(html)))
}

/// What a message says, in whichever format it came: the parts scanned.
pub(super) struct Said {
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub cc: Option<String>,
    pub subject: Option<String>,
    pub bodies: Vec<Body>,
}

/// A message's body, as it came.
#[derive(Debug, PartialEq)]
pub(super) enum Body {
    Text(String),
    Html(String),
}

/// Scans what a message says, each part located by the message's number
/// and its name (`from`, `to`, `cc`, `subject`, `body`, then `body_text`).
pub(super) fn scan_said(said: &Said, number: u64, sink: &mut Sink) {
    let at = |part: &str| Location {
        message: Some(number),
        part: Some(part.to_string()),
        ..Location::default()
    };
    // The message's own date starts retention periods "after the document's date".
    if let Some(date) = &said.date {
        sink.set_message_date(number, date.clone());
    }
    for (part, text) in [
        ("from", &said.from),
        ("to", &said.to),
        ("cc", &said.cc),
        ("subject", &said.subject),
    ] {
        if let Some(text) = text.as_deref().filter(|t| !t.is_empty()) {
            sink.text_unit(text, &at(part));
        }
    }
    for (i, body) in said.bodies.iter().enumerate() {
        let at = at(if i == 0 { "body" } else { "body_text" });
        match body {
            Body::Text(text) => sink.text_unit(text, &at),
            Body::Html(html) => super::markup::scan_html_within(html, &at, sink),
        }
    }
}

/// The member an attachment is read as: `attachment/rent.xlsx`, in a
/// mailbox `42/attachment/rent.xlsx`; `attachment-3` when it has no name.
pub(super) fn attachment_member(
    name: Option<String>,
    index: usize,
    in_mailbox: Option<u64>,
) -> String {
    let name = name
        .filter(|n| !n.is_empty())
        .map(|n| n.replace(['/', '\\'], "_"))
        .unwrap_or_else(|| format!("attachment-{}", index + 1));
    match in_mailbox {
        Some(number) => format!("{number}/attachment/{name}"),
        None => format!("attachment/{name}"),
    }
}

/// Reads an attachment as a member of its own, within the file's limits.
pub(super) fn attach(sink: &mut Sink, nest: &mut Nest, member: &str, bytes: Vec<u8>) {
    if let Err(limit) = nest.admit(bytes.len() as u64, bytes.len() as u64) {
        let path = format!("{}!/{member}", sink.path);
        nest.record(
            path,
            "unknown",
            Problem::Skipped(format!("not unpacked: {limit}")),
        );
        return;
    }
    extract_member(sink, nest, member, bytes);
}

/// "Name <address>" for every address in a header.
fn address_text(address: &Address) -> String {
    address
        .iter()
        .map(|a| match (&a.name, &a.address) {
            (Some(n), Some(e)) => name_and_address(n, e),
            (None, Some(e)) => e.to_string(),
            (Some(n), None) => n.to_string(),
            (None, None) => String::new(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A name before its address, as a header writes it; quoted when a comma
/// is inside ("\"OKONKWO, Chidi\" <…>", a directory's form): it is one
/// name, not two.
fn name_and_address(name: &str, address: &str) -> String {
    if name.contains(',') {
        format!("\"{name}\" <{address}>")
    } else {
        format!("{name} <{address}>")
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::shape;
    use crate::extract::testing::{engine, Told};
    use crate::extract::{extract_bytes, extract_file, Limits, Outcome};

    fn message(to: &str, body: &str) -> String {
        format!("From x@y Mon Jan  1 00:00:00 2024\nFrom: a@example.org\nTo: {to}\nSubject: s\n\n{body}\n")
    }

    fn read_mailbox(mailbox: String) -> super::super::Extracted {
        let mailbox = mailbox.into_bytes();
        extract_bytes(&engine(), "inbox.mbox", mailbox, false, Limits::default())
    }

    /// Where in a mailbox each finding was.
    fn found_in(got: &super::super::Extracted) -> Vec<(u64, String)> {
        got.findings
            .iter()
            .filter(|f| f.detector != "email")
            .map(|f| (f.location.message.unwrap(), f.detector.clone()))
            .collect()
    }

    /// A recipient written "Surname, Forename" before an address made of
    /// the name is one person, found where the header names them.
    #[test]
    fn a_recipient_written_surname_first_is_one_name() {
        let got = read_mailbox(message(
            "\"OKONKWO, Chidi\" <chidi.okonkwo@example.org>",
            "Thanks.",
        ));
        let names: Vec<_> = got
            .findings
            .iter()
            .filter(|f| f.detector == "person_name")
            .map(|f| (f.location.part.clone(), f.masked.clone()))
            .collect();
        assert_eq!(
            names,
            vec![(Some("to".to_string()), "O******, *****".to_string())]
        );
    }

    /// A multipart/alternative message of `plain` and `html`.
    fn alternatives(plain: &str, html: &str) -> String {
        format!(
            "From x@y Mon Jan  1 00:00:00 2024\nFrom: a@example.org\nMIME-Version: 1.0\n\
             Content-Type: multipart/alternative; boundary=\"b\"\n\n\
             --b\nContent-Type: text/plain; charset=utf-8\n\n{plain}\n\
             --b\nContent-Type: text/html; charset=utf-8\n\n{html}\n--b--\n"
        )
    }

    #[test]
    fn a_stub_plain_alternative_gives_way_to_its_html() {
        let html = "<p>A repair was reported on the website by the tenant below.</p><table>\
            <tr><td>Tenant name</td><td>Mrs Nia Okafor</td></tr>\
            <tr><td>Date of birth</td><td>03/04/1971</td></tr>\
            <tr><td>Access needs</td><td>Epilepsy</td></tr>\
            <tr><td>Repair</td><td>The bathroom extractor fan has stopped working and the \
            window will not close; the tenant asks for a morning appointment.</td></tr></table>";
        let places = |got: &super::super::Extracted| -> Vec<String> {
            got.findings
                .iter()
                .filter(|f| f.location.part.as_deref() == Some("body"))
                .map(|f| format!("{} {}", f.detector, f.location))
                .collect()
        };
        let stub = "To view this message, use an HTML-capable email client.";
        let got = read_mailbox(alternatives(stub, html));
        assert_eq!(
            places(&got),
            [
                "person_name message 1, part body, table 1, row 1, column \"Tenant name\"",
                "date_of_birth message 1, part body, table 1, row 2, column \"Date of birth\"",
                "health_term message 1, part body, table 1, row 3, column \"Access needs\"",
            ]
        );
        // A plain rendition says as much: it is what is read.
        let plain = "A repair was reported on the website by the tenant below.\n\
            Tenant name: Mrs Nia Okafor\nDate of birth: 03/04/1971\nAccess needs: Epilepsy\n\
            Repair: The bathroom extractor fan has stopped working and the window will not \
            close; the tenant asks for a morning appointment.";
        let got = read_mailbox(alternatives(plain, html));
        assert_eq!(
            places(&got),
            [
                "person_name message 1, part body, line 2, column 18",
                "date_of_birth message 1, part body, line 3, column 16",
                "health_term message 1, part body, line 4, column 15",
            ]
        );
    }

    #[test]
    fn an_html_body_is_read_as_a_page_within_its_message() {
        let html = "<p>Reported on the website.</p><table>\
            <tr><td>Name</td><td>Mrs Nia Okafor</td></tr>\
            <tr><td>Date of birth</td><td>03/04/1971</td></tr>\
            <tr><td>Access needs</td><td>Epilepsy</td></tr></table>\
            <!-- ref AB123456C --><a href='mailto:nia@example.net'>reply</a>";
        let mailbox = [
            message("b@example.org", "Call 07700 900123"),
            format!(
                "From x@y Mon Jan  1 00:00:00 2024\nFrom: a@example.org\n\
                 Date: Tue, 4 Mar 2025 09:30:00 +0000\n\
                 Content-Type: text/html; charset=utf-8\n\n{html}\n"
            ),
        ]
        .concat();
        let got = read_mailbox(mailbox);
        let found: Vec<(String, &str, &str)> = got
            .findings
            .iter()
            .filter(|f| !matches!(f.location.part.as_deref(), Some("from" | "to")))
            .map(|f| {
                let at = f.location.to_string();
                (at, f.detector.as_str(), f.record.as_str())
            })
            .collect();
        let s = |at: &str, d: &'static str, r: &'static str| (at.to_string(), d, r);
        assert_eq!(
            found,
            [
                s(
                    "message 1, part body, line 1, column 6",
                    "uk_phone",
                    "message 1"
                ),
                // The cells are not run together: each value is judged
                // under its label, the table one record, in its message.
                s(
                    "message 2, part body, table 1, row 1, column \"Name\"",
                    "person_name",
                    "message 2, table 1"
                ),
                s(
                    "message 2, part body, table 1, row 2, column \"Date of birth\"",
                    "date_of_birth",
                    "message 2, table 1"
                ),
                s(
                    "message 2, part body, table 1, row 3, column \"Access needs\"",
                    "health_term",
                    "message 2, table 1"
                ),
                s(
                    "message 2, part body comments, line 1, column 6",
                    "uk_nino",
                    "message 2"
                ),
                s(
                    "message 2, part body links, line 1, column 1",
                    "email",
                    "message 2"
                ),
            ]
        );
        // The table's record is dated by its message, as the message is.
        let dated: Vec<(&str, Option<&str>)> = got
            .records
            .iter()
            .map(|r| (r.locator.as_str(), r.document_date.as_deref()))
            .collect();
        assert_eq!(
            dated,
            [
                ("message 2, table 1", Some("2025-03-04")),
                ("message 1", None),
                ("message 2", Some("2025-03-04")),
            ]
        );
    }

    #[test]
    fn a_message_of_too_many_pieces_is_named_and_the_others_are_read() {
        let crowded = format!("{}b", "a,".repeat(shape::MOST_PIECES as usize));
        let mailbox = [
            message("b@example.org", "Call 07700 900123"),
            message(&crowded, "Call 07700 900456"),
            message("b@example.org", "Call 07700 900789"),
        ]
        .concat();
        let got = read_mailbox(mailbox);
        assert_eq!((got.format, got.outcome), ("mbox", Outcome::Failed));
        assert_eq!(
            got.reason.as_deref(),
            Some(
                "1 message(s) not read (message 2: 1000006 header lines, addresses, parameters \
                 and parts, over the 1000000 one message may have (parsing them would take about \
                 256 MB)); the others were scanned"
            )
        );
        assert_eq!(
            found_in(&got),
            [(1, "uk_phone".into()), (3, "uk_phone".into())]
        );
    }

    #[test]
    fn messages_too_long_are_named_a_few_at_a_time() {
        let long = message("b@example.org", &"x".repeat(100));
        let short = message("b@example.org", "Call 07700 900123");
        let limits = Limits {
            max_member_bytes: 100,
            ..Limits::default()
        };
        let read = |mailbox: String| {
            extract_bytes(&engine(), "inbox.mbox", mailbox.into_bytes(), false, limits)
        };
        let got = read(
            [&long, &short, &long, &long, &long, &long]
                .map(String::as_str)
                .concat(),
        );
        let each = "151 bytes, over the 100 bytes one message may take";
        assert_eq!(
            got.reason.as_deref().unwrap(),
            format!(
                "5 message(s) not read (message 1: {each}; message 3: {each}; message 4: \
                 {each}; and 2 more); the others were scanned"
            )
        );
        assert_eq!(found_in(&got), [(2, "uk_phone".into())]);

        // When none was read, it does not say the others were.
        let got = read(long.clone());
        assert_eq!(got.outcome, Outcome::Failed);
        assert_eq!(
            got.reason.unwrap(),
            format!("1 message(s) not read (message 1: {each})")
        );
    }

    /// A lone message is held for its bytes, and while it is parsed for
    /// what parsing it may take.
    #[test]
    fn what_parsing_a_message_may_take_is_held_while_it_is_read() {
        let rel = "mail/complaint.eml";
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(rel);
        let raw = std::fs::read(&path).unwrap();
        let parsing = shape::pieces(&raw) * shape::BYTES_PER_PIECE;
        assert!(parsing > 0);
        let told = Told::default();
        let got = extract_file(
            &engine(),
            &path,
            rel,
            false,
            Limits::default(),
            false,
            Some(&told),
        );
        assert!(!got.findings.is_empty());
        let size = raw.len();
        assert_eq!(
            *told.0.borrow(),
            [
                format!("hold {size}"),
                format!("hold {parsing}"),
                format!("release {parsing}"),
                format!("release {size}")
            ]
        );
    }
}
