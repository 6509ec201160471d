//! Email: EML messages and MBOX mailboxes. Headers (From, To, Cc, Subject)
//! and the plain-text and HTML bodies (tags stripped) are scanned, located
//! by `message` and `part`; attachments are scanned as files of their own,
//! named `inbox.mbox!/42/attachment/rent.xlsx`.

use std::io::{BufReader, Read};

use mail_parser::{Address, Message, MessageParser, MimeHeaders};

use super::{extract_member, Nest, Problem, ReadSeek, Sink};
use crate::report::Location;

/// A lone message is read whole; `--max-file-size` bounds it.
pub fn scan_message(
    mut src: Box<dyn ReadSeek>,
    sink: &mut Sink,
    nest: &mut Nest,
) -> Result<(), Problem> {
    let mut raw = Vec::new();
    src.read_to_end(&mut raw)?;
    let parsed = MessageParser::default()
        .parse(&raw)
        .ok_or_else(|| Problem::Failed("not a readable email message".into()))?;
    scan_parsed(&parsed, 1, false, sink, nest);
    Ok(())
}

/// A mailbox is read a message at a time.
pub fn scan_mbox(src: Box<dyn ReadSeek>, sink: &mut Sink, nest: &mut Nest) -> Result<(), Problem> {
    let mut bad = 0;
    for (i, message) in
        mail_parser::mailbox::mbox::MessageIterator::new(BufReader::new(src)).enumerate()
    {
        let number = i as u64 + 1;
        let message =
            message.map_err(|e| Problem::Failed(format!("read error at message {number}: {e}")))?;
        match MessageParser::default().parse(message.contents()) {
            Some(parsed) => scan_parsed(&parsed, number, true, sink, nest),
            None => bad += 1,
        }
    }
    if bad > 0 {
        return Err(Problem::Failed(format!(
            "{bad} message(s) could not be read; the others were scanned"
        )));
    }
    Ok(())
}

fn scan_parsed(message: &Message, number: u64, in_mailbox: bool, sink: &mut Sink, nest: &mut Nest) {
    let at = |part: &str| Location {
        message: Some(number),
        part: Some(part.to_string()),
        ..Location::default()
    };
    // The message's own date starts retention periods "after the document's date".
    if let Some(d) = message.date() {
        sink.set_message_date(number, format!("{:04}-{:02}-{:02}", d.year, d.month, d.day));
    }
    for (part, address) in [
        ("from", message.from()),
        ("to", message.to()),
        ("cc", message.cc()),
    ] {
        if let Some(text) = address.map(address_text).filter(|t| !t.is_empty()) {
            sink.text_unit(&text, &at(part));
        }
    }
    if let Some(subject) = message.subject() {
        sink.text_unit(subject, &at("subject"));
    }
    for i in 0..message.text_body_count() {
        if let Some(body) = message.body_text(i) {
            sink.text_unit(&body, &at(if i == 0 { "body" } else { "body_text" }));
        }
    }
    for (i, attachment) in message.attachments().enumerate() {
        let name = attachment
            .attachment_name()
            .map(|n| n.replace(['/', '\\'], "_"))
            .unwrap_or_else(|| format!("attachment-{}", i + 1));
        let member = if in_mailbox {
            format!("{number}/attachment/{name}")
        } else {
            format!("attachment/{name}")
        };
        let bytes = attachment.contents().to_vec();
        if let Err(limit) = nest.admit(bytes.len() as u64, bytes.len() as u64) {
            let path = format!("{}!/{member}", sink.path);
            nest.record(
                path,
                "unknown",
                Problem::Skipped(format!("not unpacked: {limit}")),
            );
            continue;
        }
        extract_member(sink, nest, &member, bytes);
    }
}

/// "Name <address>" for every address in a header.
fn address_text(address: &Address) -> String {
    address
        .iter()
        .map(|a| match (&a.name, &a.address) {
            (Some(n), Some(e)) => format!("{n} <{e}>"),
            (None, Some(e)) => e.to_string(),
            (Some(n), None) => n.to_string(),
            (None, None) => String::new(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
