//! Outlook messages (`.msg`), as Outlook saves an email dragged into a
//! folder: a compound file (OLE) of MAPI properties (MS-OXMSG). Each
//! string property is a stream of its own, `__substg1.0_` then the
//! property's id and type in hex; fixed-size ones (dates, numbers) are
//! entries of `__properties_version1.0`; recipients and attachments are
//! storages of their own. The sender, recipients, subject and body are
//! scanned as an EML's are (`message 1`, `part body`); attachments are
//! files of their own (`case.msg!/attachment/rent.xlsx`), and a message
//! attached to a message is read as one more `.msg`.

use std::io::{self, Cursor, Read, Seek, Write};
use std::path::{Path, PathBuf};

use cfb::CompoundFile;

use super::{attach, attachment_member, name_and_address, scan_said, Body, Said};
use crate::extract::ole::{self, decoded, filetime_date};
use crate::extract::rtf;
use crate::extract::{foreign, Nest, Problem, ReadSeek, Sink};

// Property ids (MS-OXPROPS).
const SUBJECT: u16 = 0x0037;
const CLIENT_SUBMIT_TIME: u16 = 0x0039;
const SENT_REPRESENTING_NAME: u16 = 0x0042;
const RECIPIENT_TYPE: u16 = 0x0C15;
const SENDER_NAME: u16 = 0x0C1A;
const SENDER_EMAIL: u16 = 0x0C1F;
const DISPLAY_CC: u16 = 0x0E03;
const DISPLAY_TO: u16 = 0x0E04;
const MESSAGE_DELIVERY_TIME: u16 = 0x0E06;
const BODY: u16 = 0x1000;
const BODY_HTML: u16 = 0x1013;
const RTF_COMPRESSED: u16 = 0x1009;
const DISPLAY_NAME: u16 = 0x3001;
const EMAIL_ADDRESS: u16 = 0x3003;
const ATTACH_DATA: u16 = 0x3701;
const ATTACH_FILENAME: u16 = 0x3704;
const ATTACH_LONG_FILENAME: u16 = 0x3707;
const SMTP_ADDRESS: u16 = 0x39FE;
const INTERNET_CODEPAGE: u16 = 0x3FDE;
const MESSAGE_CODEPAGE: u16 = 0x3FFD;
const SENDER_SMTP: u16 = 0x5D01;

// Property types.
const UNICODE: u16 = 0x001F;
const STRING8: u16 = 0x001E;
const BINARY: u16 = 0x0102;
const OBJECT: u16 = 0x000D;
const LONG: u16 = 0x0003;
const SYSTIME: u16 = 0x0040;

/// The header before the entries of `__properties_version1.0`: a message's
/// own (32 bytes), a message attached inside one (24), or a recipient's or
/// an attachment's (8).
const TOP_HEADER: usize = 32;
const EMBEDDED_HEADER: usize = 24;
const PART_HEADER: usize = 8;

/// Recipients and attachments one message may have read: Outlook allows
/// some thousands of recipients, and an attachment's storage is named by
/// an 8-digit hex number.
const MOST_PARTS: usize = 100_000;

pub fn scan_msg(
    mut src: Box<dyn ReadSeek>,
    sink: &mut Sink,
    nest: &mut Nest,
) -> Result<(), Problem> {
    let len = src.seek(io::SeekFrom::End(0))?;
    src.rewind()?;
    let damaged = ole::damaged("Outlook message");
    let file = CompoundFile::open(src).map_err(damaged)?;
    let most = len.min(nest.limits.max_member_bytes);
    let mut msg = Msg::new(file, most, most.saturating_mul(2).saturating_add(16 << 20));
    if !msg.file.is_stream("__properties_version1.0")
        && !msg.file.is_stream(substg(SUBJECT, UNICODE))
    {
        return Err(Problem::Failed(
            "not an Outlook message: a compound file (OLE) with no message properties".into(),
        ));
    }
    msg.codepage = msg
        .long("", TOP_HEADER, MESSAGE_CODEPAGE)
        .or_else(|| msg.long("", TOP_HEADER, INTERNET_CODEPAGE));
    let said = msg.said();
    scan_said(&said, 1, sink);
    msg.attachments(sink, nest)?;
    if let Some(problem) = msg.body_problem {
        return Err(Problem::Failed(format!(
            "Outlook message read in part: its body, kept only as compressed RTF, {problem}; the \
             rest was scanned"
        )));
    }
    if msg.left == 0 {
        return Err(Problem::Failed(format!(
            "Outlook message read in part: reading its streams passed {} bytes, twice what it \
             holds (a damaged file whose streams share their sectors, or one larger than a \
             member may be)",
            msg.all
        )));
    }
    Ok(())
}

struct Msg<F> {
    file: CompoundFile<F>,
    /// No stream is read past this: the file's length, or what one member
    /// may take.
    most: u64,
    /// What may still be read of all the streams (twice `most` and 16 MiB).
    /// A real message's streams come to its size (its property stream is
    /// read a few times); a damaged one's can share their sectors, so that
    /// 100,000 recipients would each read the whole file.
    left: u64,
    all: u64,
    /// Why the body could not be read whole, when it could not.
    body_problem: Option<String>,
    /// The code page of 8-bit strings, when the message names one.
    codepage: Option<u32>,
}

/// The name of a property's stream.
fn substg(id: u16, kind: u16) -> String {
    format!("__substg1.0_{id:04X}{kind:04X}")
}

/// A path within a storage (`""` or `/` for the root).
fn within(storage: &str, name: &str) -> String {
    match storage.trim_matches('/') {
        "" => format!("/{name}"),
        storage => format!("/{storage}/{name}"),
    }
}

impl<F: Read + Seek> Msg<F> {
    fn new(file: CompoundFile<F>, most: u64, all: u64) -> Msg<F> {
        Msg {
            file,
            most,
            left: all,
            all,
            codepage: None,
            body_problem: None,
        }
    }

    /// A stream's bytes, when it is there and can be read within what is
    /// left to read.
    fn stream(&mut self, path: &str) -> Option<Vec<u8>> {
        if !self.file.is_stream(path) {
            return None;
        }
        let mut bytes = Vec::new();
        let mut stream = self.file.open_stream(path).ok()?;
        let room = self.most.min(self.left);
        stream.by_ref().take(room).read_to_end(&mut bytes).ok()?;
        self.left -= bytes.len() as u64;
        if bytes.len() as u64 == room && stream.len() > room {
            self.left = 0;
            return None;
        }
        Some(bytes)
    }

    /// A string property of a storage (`""` for the message's own).
    fn string(&mut self, storage: &str, id: u16) -> Option<String> {
        if let Some(bytes) = self.stream(&within(storage, &substg(id, UNICODE))) {
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|p| u16::from_le_bytes([p[0], p[1]]))
                .collect();
            return Some(trimmed(String::from_utf16_lossy(&units)));
        }
        let bytes = self.stream(&within(storage, &substg(id, STRING8)))?;
        Some(trimmed(decoded(&bytes, self.codepage)))
    }

    /// A fixed-size property of a storage, from its property stream.
    fn fixed(&mut self, storage: &str, header: usize, id: u16, kind: u16) -> Option<u64> {
        let stream = self.stream(&within(storage, "__properties_version1.0"))?;
        let tag = u32::from(id) << 16 | u32::from(kind);
        stream.get(header..)?.chunks_exact(16).find_map(|entry| {
            let at = u32::from_le_bytes(entry[0..4].try_into().ok()?);
            (at == tag).then(|| u64::from_le_bytes(entry[8..16].try_into().unwrap_or_default()))
        })
    }

    fn long(&mut self, storage: &str, header: usize, id: u16) -> Option<u32> {
        self.fixed(storage, header, id, LONG).map(|v| v as u32)
    }

    /// The storages under the root named with `prefix` and a number, in order.
    fn numbered(&self, prefix: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .file
            .read_root_storage()
            .filter(|e| e.is_storage() && e.name().starts_with(prefix))
            .map(|e| e.name().to_string())
            .take(MOST_PARTS)
            .collect();
        names.sort();
        names
    }

    fn said(&mut self) -> Said {
        let date = [CLIENT_SUBMIT_TIME, MESSAGE_DELIVERY_TIME]
            .into_iter()
            .find_map(|id| self.fixed("", TOP_HEADER, id, SYSTIME))
            .and_then(filetime_date);
        let sender = self
            .string("", SENDER_NAME)
            .or_else(|| self.string("", SENT_REPRESENTING_NAME));
        let address = self
            .string("", SENDER_SMTP)
            .or_else(|| self.string("", SENDER_EMAIL));
        let (to, cc) = self.recipients();
        let body = self
            .string("", BODY)
            .filter(|b| !b.trim().is_empty())
            .map(Body::Text)
            .or_else(|| {
                let html = self.string("", BODY_HTML).or_else(|| {
                    self.stream(&within("", &substg(BODY_HTML, BINARY)))
                        .map(|b| decoded(&b, self.codepage))
                })?;
                Some(Body::Html(html))
            })
            .or_else(|| {
                // Outlook may keep a body only as compressed RTF.
                let stream = self.stream(&within("", &substg(RTF_COMPRESSED, BINARY)))?;
                match rtf::message_body(&stream) {
                    Ok((text, problem)) => {
                        self.body_problem = problem.map(|p| format!("was read in part ({p})"));
                        Some(Body::Text(text))
                    }
                    Err(problem) => {
                        self.body_problem = Some(format!("was not read ({problem})"));
                        None
                    }
                }
            });
        Said {
            date,
            from: named(sender, address),
            to: to.or_else(|| self.string("", DISPLAY_TO)),
            cc: cc.or_else(|| self.string("", DISPLAY_CC)),
            subject: self.string("", SUBJECT),
            bodies: body.into_iter().collect(),
        }
    }

    /// "Name <address>" for each recipient, To and Cc apart; Bcc (which a
    /// sent message keeps) with Cc.
    fn recipients(&mut self) -> (Option<String>, Option<String>) {
        let (mut to, mut cc) = (Vec::new(), Vec::new());
        for storage in self.numbered("__recip_version1.0_#") {
            let name = self.string(&storage, DISPLAY_NAME);
            let address = self
                .string(&storage, SMTP_ADDRESS)
                .or_else(|| self.string(&storage, EMAIL_ADDRESS));
            let Some(text) = named(name, address) else {
                continue;
            };
            match self.long(&storage, PART_HEADER, RECIPIENT_TYPE) {
                Some(2 | 3) => cc.push(text),
                _ => to.push(text),
            }
        }
        let joined = |list: Vec<String>| (!list.is_empty()).then(|| list.join(", "));
        (joined(to), joined(cc))
    }

    /// Each attachment read as a member: its bytes, or a message attached
    /// inside, copied out as a `.msg` of its own.
    fn attachments(&mut self, sink: &mut Sink, nest: &mut Nest) -> Result<(), Problem> {
        let mut unread = Vec::new();
        for (i, storage) in self
            .numbered("__attach_version1.0_#")
            .into_iter()
            .enumerate()
        {
            let name = [ATTACH_LONG_FILENAME, ATTACH_FILENAME, DISPLAY_NAME]
                .into_iter()
                .find_map(|id| self.string(&storage, id).filter(|n| !n.is_empty()));
            let embedded = within(&storage, &substg(ATTACH_DATA, OBJECT));
            if self.file.is_storage(&embedded) {
                if !self
                    .file
                    .is_stream(within(&embedded, "__properties_version1.0"))
                {
                    // An OLE object (a document embedded as an object), not
                    // a message: its streams are its program's own.
                    let member = attachment_member(name, i, None);
                    nest.record(
                        format!("{}!/{member}", sink.path),
                        "ole",
                        Problem::Skipped("an embedded OLE object, not a file: not read".into()),
                    );
                    continue;
                }
                let name = name.map(|n| {
                    if n.to_ascii_lowercase().ends_with(".msg") {
                        n
                    } else {
                        format!("{n}.msg")
                    }
                });
                let member =
                    attachment_member(name.or(Some(format!("attachment-{}.msg", i + 1))), i, None);
                match self.copied(&embedded) {
                    Ok(bytes) => attach(sink, nest, &member, bytes),
                    Err(e) => unread.push(format!("{member}: {}", foreign(e))),
                }
                continue;
            }
            // An attachment by reference (a link to a file elsewhere) has
            // no data here.
            if let Some(bytes) = self.stream(&within(&storage, &substg(ATTACH_DATA, BINARY))) {
                attach(sink, nest, &attachment_member(name, i, None), bytes);
            }
        }
        if unread.is_empty() {
            Ok(())
        } else {
            Err(Problem::Failed(format!(
                "attached message(s) not read: {}",
                unread.join("; ")
            )))
        }
    }

    /// A message attached inside this one, copied out as a compound file
    /// of its own, its property stream's header made a message's own.
    fn copied(&mut self, storage: &str) -> io::Result<Vec<u8>> {
        let mut copy =
            CompoundFile::create_with_version(cfb::Version::V3, Cursor::new(Vec::new()))?;
        let entries: Vec<(PathBuf, bool)> = self
            .file
            .walk_storage(storage)?
            .map(|e| (e.path().to_path_buf(), e.is_storage()))
            .collect();
        let mut room = self.most;
        for (path, is_storage) in entries {
            // Paths compared by their parts: cfb joins them as the OS does.
            let Ok(inner) = path.strip_prefix(storage) else {
                continue;
            };
            let inner = Path::new("/").join(inner);
            if is_storage {
                copy.create_storage_all(&inner)?;
                continue;
            }
            let mut bytes = self.stream(&path.to_string_lossy()).ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidData, "a stream could not be read")
            })?;
            room = room.checked_sub(bytes.len() as u64).ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidData, "larger than the limit")
            })?;
            if inner == Path::new("/__properties_version1.0") && bytes.len() >= EMBEDDED_HEADER {
                bytes.splice(
                    EMBEDDED_HEADER..EMBEDDED_HEADER,
                    [0; TOP_HEADER - EMBEDDED_HEADER],
                );
            }
            copy.create_stream(inner)?.write_all(&bytes)?;
        }
        copy.flush()?;
        Ok(copy.into_inner().into_inner())
    }
}

/// "Name <address>" ([`name_and_address`]), or whichever there is; an
/// address that is the name again is not repeated.
fn named(name: Option<String>, address: Option<String>) -> Option<String> {
    match (
        name.filter(|n| !n.is_empty()),
        address.filter(|a| !a.is_empty()),
    ) {
        (Some(n), Some(a)) if n != a => Some(name_and_address(&n, &a)),
        (Some(n), _) => Some(n),
        (None, a) => a,
    }
}

/// A string property's text, without the terminating NULs some writers
/// leave in the stream.
fn trimmed(text: String) -> String {
    text.trim_end_matches('\0').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::testing::{compound, engine};
    use crate::extract::{extract_bytes, Limits, Outcome};

    fn utf16(text: &str) -> Vec<u8> {
        text.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    /// A directory's "Surname, Forename" stays one name before its address.
    #[test]
    fn a_name_with_a_comma_is_quoted() {
        let text = |n: &str, a: &str| named(Some(n.into()), Some(a.into()));
        assert_eq!(
            text("Okonkwo, Chidi", "chidi.okonkwo@example.org").as_deref(),
            Some("\"Okonkwo, Chidi\" <chidi.okonkwo@example.org>")
        );
        assert_eq!(
            text("Chidi Okonkwo", "c@example.org").as_deref(),
            Some("Chidi Okonkwo <c@example.org>")
        );
        assert_eq!(
            text("a@example.org", "a@example.org").as_deref(),
            Some("a@example.org")
        );
    }

    /// A property stream: its header, then one entry a fixed property.
    fn properties(header: usize, fixed: &[(u16, u16, u64)]) -> Vec<u8> {
        let mut bytes = vec![0; header];
        for &(id, kind, value) in fixed {
            bytes.extend((u32::from(id) << 16 | u32::from(kind)).to_le_bytes());
            bytes.extend(6u32.to_le_bytes());
            bytes.extend(value.to_le_bytes());
        }
        bytes
    }

    /// 2025-03-03 10:00 UTC as a FILETIME.
    const SENT: u64 = (1_740_996_000 + 11_644_473_600) * 10_000_000;

    /// An Outlook message: a sender, a To and a Cc recipient, a subject
    /// and body, a CSV attached, and a message attached inside it.
    pub(crate) fn msg() -> Vec<u8> {
        let text = |storage: &str, id: u16, value: &str| {
            (format!("{storage}/__substg1.0_{id:04X}001F"), utf16(value))
        };
        let recipient = |i: usize, name: &str, address: &str, kind: u64| {
            let storage = format!("/__recip_version1.0_#{i:08X}");
            [
                text(&storage, DISPLAY_NAME, name),
                text(&storage, SMTP_ADDRESS, address),
                (
                    format!("{storage}/__properties_version1.0"),
                    properties(8, &[(RECIPIENT_TYPE, LONG, kind)]),
                ),
            ]
        };
        let attached = "/__attach_version1.0_#00000000";
        let embedded = "/__attach_version1.0_#00000001";
        let inner = format!("{embedded}/__substg1.0_3701000D");
        let earlier = SENT - 864_000_000_000 * 400;
        let mut streams = vec![
            (
                "/__properties_version1.0".to_string(),
                properties(32, &[(CLIENT_SUBMIT_TIME, SYSTIME, SENT)]),
            ),
            text("", SUBJECT, "Rent arrears: Jo Bloggs\0"),
            text("", SENDER_NAME, "Housing Team"),
            text("", SENDER_SMTP, "housing@example.org"),
            text("", BODY, "Jo's NI number is KM 79 84 46 A."),
            text(attached, ATTACH_LONG_FILENAME, "arrears.csv"),
            (
                format!("{attached}/__substg1.0_37010102"),
                b"Name,Phone\nJo Bloggs,07700 900123\n".to_vec(),
            ),
            text(embedded, DISPLAY_NAME, "Earlier letter"),
            (
                format!("{inner}/__properties_version1.0"),
                properties(24, &[(CLIENT_SUBMIT_TIME, SYSTIME, earlier)]),
            ),
            (
                format!("{inner}/__substg1.0_1000001E"),
                b"Call me on 07700 900456 \x96 Jo".to_vec(),
            ),
            // A picture embedded as an OLE object, not a message.
            text("/__attach_version1.0_#00000002", DISPLAY_NAME, "Picture"),
            (
                "/__attach_version1.0_#00000002/__substg1.0_3701000D/CONTENTS".to_string(),
                b"\x89PNG".to_vec(),
            ),
        ];
        streams.extend(recipient(0, "Jo Bloggs", "jo.bloggs@example.com", 1));
        streams.extend(recipient(1, "Sam Carter", "sam.carter@example.org", 2));
        let streams: Vec<(&str, &[u8])> = streams
            .iter()
            .map(|(p, b)| (p.as_str(), b.as_slice()))
            .collect();
        compound(&streams)
    }

    #[test]
    fn a_message_its_recipients_and_attachments_are_read() {
        let got = extract_bytes(&engine(), "arrears.msg", msg(), false, Limits::default());
        assert_eq!(
            (got.format, got.outcome, got.reason.as_deref()),
            ("msg", Outcome::Scanned, None)
        );
        let mut found: Vec<String> = got
            .findings
            .iter()
            .map(|f| {
                let at = &f.location;
                format!(
                    "{} {} {}",
                    f.path,
                    at.part.as_deref().or(at.pointer.as_deref()).unwrap_or("-"),
                    f.detector
                )
            })
            .collect();
        found.sort();
        found.dedup();
        let expected = [
            "arrears.msg body uk_nino",
            "arrears.msg cc email",
            "arrears.msg from email",
            "arrears.msg to email",
            "arrears.msg!/attachment/Earlier letter.msg body uk_phone",
            "arrears.msg!/attachment/arrears.csv - uk_phone",
        ];
        for line in expected {
            assert!(found.iter().any(|f| f == line), "{line} not in {found:#?}");
        }
        let members: Vec<(&str, Outcome)> =
            got.members.iter().map(|m| (m.format, m.outcome)).collect();
        assert_eq!(
            members,
            [
                ("csv", Outcome::Scanned),
                ("msg", Outcome::Scanned),
                ("ole", Outcome::Skipped)
            ]
        );
        let skipped = got.members[2].record.as_ref().unwrap();
        assert_eq!(skipped.path, "arrears.msg!/attachment/Picture");
        assert_eq!(
            skipped.reason,
            "an embedded OLE object, not a file: not read"
        );
    }

    #[test]
    fn a_body_kept_as_html_alone_is_read_as_a_page() {
        let html = "<table><tr><td>Name</td><td>Mrs Nia Okafor</td></tr>\
            <tr><td>Date of birth</td><td>03/04/1971</td></tr></table>";
        let streams: [(&str, &[u8]); 2] = [
            ("/__properties_version1.0", &properties(32, &[])),
            ("/__substg1.0_10130102", html.as_bytes()),
        ];
        let got = extract_bytes(
            &engine(),
            "form.msg",
            compound(&streams),
            false,
            Limits::default(),
        );
        let found: Vec<(String, &str)> = got
            .findings
            .iter()
            .map(|f| (f.location.to_string(), f.record.as_str()))
            .collect();
        let at = |row: u64, column: &str| {
            let at = format!("message 1, part body, table 1, row {row}, column \"{column}\"");
            (at, "message 1, table 1")
        };
        assert_eq!(found, [at(1, "Name"), at(2, "Date of birth")]);
    }

    #[test]
    fn what_a_message_says_is_read_from_its_properties() {
        let mut msg = Msg::new(
            CompoundFile::open(Cursor::new(msg())).unwrap(),
            1 << 20,
            1 << 20,
        );
        let said = msg.said();
        assert_eq!(said.date.as_deref(), Some("2025-03-03"));
        assert_eq!(
            said.from.as_deref(),
            Some("Housing Team <housing@example.org>")
        );
        assert_eq!(
            said.to.as_deref(),
            Some("Jo Bloggs <jo.bloggs@example.com>")
        );
        assert_eq!(
            said.cc.as_deref(),
            Some("Sam Carter <sam.carter@example.org>")
        );
        // The NUL a writer left at its end is not part of it.
        assert_eq!(said.subject.as_deref(), Some("Rent arrears: Jo Bloggs"));
        assert_eq!(
            said.bodies,
            [Body::Text("Jo's NI number is KM 79 84 46 A.".into())]
        );

        // The attached message, copied out, is a message of its own, dated
        // by its own header (24 bytes, made 32), its 8-bit body in
        // Windows-1252.
        let inner = msg
            .copied("/__attach_version1.0_#00000001/__substg1.0_3701000D")
            .unwrap();
        let mut inner = Msg::new(
            CompoundFile::open(Cursor::new(inner)).unwrap(),
            1 << 20,
            1 << 20,
        );
        let said = inner.said();
        assert_eq!(said.date.as_deref(), Some("2024-01-28"));
        assert_eq!(
            said.bodies,
            [Body::Text("Call me on 07700 900456 \u{2013} Jo".into())]
        );
        assert_eq!(said.from, None);
    }

    #[test]
    fn a_compound_file_that_is_no_message_or_is_damaged_says_so() {
        let other = compound(&[("/WordDocument", b"text")]);
        let got = extract_bytes(&engine(), "a.msg", other.clone(), false, Limits::default());
        assert_eq!(got.outcome, Outcome::Failed);
        assert_eq!(
            got.reason.as_deref(),
            Some("not an Outlook message: a compound file (OLE) with no message properties")
        );
        let got = extract_bytes(
            &engine(),
            "a.msg",
            other[..600].to_vec(),
            false,
            Limits::default(),
        );
        assert_eq!(got.outcome, Outcome::Failed);
        let reason = got.reason.unwrap();
        assert!(
            reason.starts_with("corrupt Outlook message: its compound file is damaged ("),
            "{reason}"
        );
    }

    /// A body kept only as compressed RTF is read; one that cannot be
    /// unpacked fails the message, saying so, and the rest is still read.
    #[test]
    fn a_body_kept_only_as_compressed_rtf_is_read_or_said_to_be_damaged() {
        let rtf = compressed_rtf::compress_rtf(
            r"{\rtf1\ansi Call Jo on 07700 900123\par NI number KM 79 84 46 A\par}",
        )
        .unwrap();
        let subject = utf16("Visit");
        let body = format!("/{}", substg(RTF_COMPRESSED, BINARY));
        let message = |body_bytes: &[u8]| {
            compound(&[
                ("/__substg1.0_0037001F", subject.as_slice()),
                (body.as_str(), body_bytes),
            ])
        };
        let got = extract_bytes(&engine(), "a.msg", message(&rtf), false, Limits::default());
        assert_eq!(got.outcome, Outcome::Scanned);
        let found: Vec<(&str, String)> = got
            .findings
            .iter()
            .map(|f| (f.detector.as_str(), f.location.to_string()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "uk_phone",
                    "message 1, part body, line 1, column 12".to_string()
                ),
                (
                    "uk_nino",
                    "message 1, part body, line 2, column 11".to_string()
                ),
            ]
        );
        let mut damaged = rtf.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 0xFF;
        let got = extract_bytes(
            &engine(),
            "a.msg",
            message(&damaged),
            false,
            Limits::default(),
        );
        assert_eq!(got.outcome, Outcome::Failed);
        let reason = got.reason.unwrap();
        assert!(
            reason.starts_with(
                "Outlook message read in part: its body, kept only as compressed RTF, was not \
                 read (damaged compressed RTF: COMPRESSED CRC mismatch"
            ),
            "{reason}"
        );
        assert!(reason.ends_with("; the rest was scanned"), "{reason}");
        // RTF cut short: its text is read, and the message said to be read
        // in part.
        let cut =
            compressed_rtf::compress_rtf(r"{\rtf1 Call Jo on 07700 900123\par {\b more").unwrap();
        let got = extract_bytes(&engine(), "a.msg", message(&cut), false, Limits::default());
        assert_eq!(got.outcome, Outcome::Failed);
        assert_eq!(got.findings.len(), 1);
        assert_eq!(
            got.reason.as_deref(),
            Some(
                "Outlook message read in part: its body, kept only as compressed RTF, was read in \
                 part (RTF cut short: it ends with 2 group(s) still open; the text up to there was \
                 scanned); the rest was scanned"
            )
        );
    }

    /// Streams are read within an allowance, so that a damaged file whose
    /// streams share their sectors costs no more than about its size;
    /// past it, nothing more is read.
    #[test]
    fn streams_are_read_within_an_allowance() {
        let file = || CompoundFile::open(Cursor::new(msg())).unwrap();
        let mut msg = Msg::new(file(), 1 << 20, 1 << 20);
        let said = msg.said();
        assert!(said.subject.is_some() && !said.bodies.is_empty() && msg.left > 0);
        let spent = (1 << 20) - msg.left;
        // With less, the last streams read are not, and none after them.
        let mut msg = Msg::new(file(), 1 << 20, spent - 10);
        let said = msg.said();
        assert_eq!(msg.left, 0);
        assert!(
            said.subject.is_none() || said.bodies.is_empty(),
            "{:?}",
            said.subject
        );
        assert_eq!(msg.stream("/__substg1.0_0037001F"), None);
    }

    /// The fixture's compound file, written by `tests/fixture_cfb.py`, is
    /// well-formed as the format's strictest reading asks.
    #[test]
    fn the_fixture_message_is_a_well_formed_compound_file() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/mail/arrears_chase.msg");
        let file = CompoundFile::open_strict(std::fs::File::open(path).unwrap()).unwrap();
        let names: Vec<String> = file
            .walk()
            .map(|e| e.path().to_string_lossy().into_owned())
            .collect();
        assert!(names.len() > 15, "{names:?}");
    }
}
