//! PowerPoint 97–2003 presentations (`.ppt`, `.pps`, `.pot`): a compound
//! file (OLE) whose `PowerPoint Document` stream is a tree of records
//! (MS-PPT). The last edit (`Current User` names it; each edit names the one
//! before) gives the persist directory, which says where the document and
//! each slide are stored. Slides are read in the order the document lists
//! them, as a PPTX's: `page` the slide, each text box's paragraphs in drawing
//! order (placeholders' text, kept in the document's slide list, where the
//! drawing refers to it), then `part` `notes` and `comments` of that page,
//! and the footers as `part` `headers`. Masters' placeholder text ("Click to
//! edit…"), pictures, embedded objects, and text that an earlier edit left
//! and no slide reaches are not read. The author and dates come from the
//! summary information, as a `.doc`'s.

use std::collections::{HashMap, HashSet};
use std::io::{self, Read, Seek};

use cfb::CompoundFile;

use super::{le_u16, le_u32, office, ole, Problem, ReadSeek, Sink};

const DOCUMENT_STREAM: &str = "PowerPoint Document";
const CURRENT_USER: &str = "Current User";

/// Record types (MS-PPT 2.13.24); OfficeArt's drawing records share the
/// header, and only containers' are needed to pass through them.
const RT_DOCUMENT: u16 = 0x03E8;
const RT_SLIDE: u16 = 0x03EE;
const RT_NOTES: u16 = 0x03F0;
const RT_NOTES_ATOM: u16 = 0x03F1;
const RT_SLIDE_PERSIST_ATOM: u16 = 0x03F3;
const RT_HEADERS_FOOTERS: u16 = 0x0FD9;
const RT_OUTLINE_TEXT_REF_ATOM: u16 = 0x0F9E;
const RT_TEXT_CHARS_ATOM: u16 = 0x0FA0;
const RT_TEXT_BYTES_ATOM: u16 = 0x0FA8;
const RT_CSTRING: u16 = 0x0FBA;
const RT_SLIDE_LIST_WITH_TEXT: u16 = 0x0FF0;
const RT_USER_EDIT_ATOM: u16 = 0x0FF5;
const RT_CURRENT_USER_ATOM: u16 = 0x0FF6;
const RT_PERSIST_DIRECTORY_ATOM: u16 = 0x1772;
const RT_COMMENT10: u16 = 0x2EE0;

/// The slide lists a document keeps (`SlideListWithTextContainer`'s
/// instance): the slides, and the notes.
const SLIDE_LIST: u16 = 0;
const NOTES_LIST: u16 = 2;
/// A comment's `CString`s: its author (0), its text (1), initials (2).
const COMMENT_TEXT: u16 = 1;

/// The Current User's header token, and the one an encrypted file has.
const NOT_ENCRYPTED: u32 = 0xE391_C05F;
const ENCRYPTED: u32 = 0xF3D1_C4DF;

/// A UserEditAtom without and with the encryption session it names.
const USER_EDIT_LEN: usize = 0x1C;
const USER_EDIT_ENCRYPTED_LEN: usize = 0x20;

/// Containers nested deeper are passed over (real slides nest a dozen;
/// without a bound, a stream of nested headers would keep one open per 8
/// bytes).
const MAX_DEPTH: usize = 1024;

pub fn scan(mut src: Box<dyn ReadSeek>, sink: &mut Sink) -> Result<(), Problem> {
    let len = src.seek(io::SeekFrom::End(0))?;
    src.rewind()?;
    let damaged = ole::damaged("PowerPoint presentation");
    let mut file = CompoundFile::open(src).map_err(damaged)?;
    let read = |file: &mut CompoundFile<Box<dyn ReadSeek>>,
                name: &str,
                most: u64|
     -> Result<Vec<u8>, Problem> {
        let mut bytes = Vec::new();
        file.open_stream(name)
            .map_err(damaged)?
            .take(most)
            .read_to_end(&mut bytes)
            .map_err(damaged)?;
        Ok(bytes)
    };
    if !file.is_stream(DOCUMENT_STREAM) {
        return Err(Problem::Failed(if file.is_stream("PP40") {
            "a PowerPoint 4 presentation, which trawl does not read".into()
        } else {
            "not a PowerPoint presentation: a compound file (OLE) with no PowerPoint Document stream"
                .into()
        }));
    }
    // The Current User atom is some tens of bytes; a user name cannot make
    // it more than a few hundred. One that cannot be read is done without.
    let current = if file.is_stream(CURRENT_USER) {
        read(&mut file, CURRENT_USER, 4096).ok()
    } else {
        None
    };
    let stream = read(&mut file, DOCUMENT_STREAM, len)?;
    const SUMMARY: &str = "\u{5}SummaryInformation";
    if file.is_stream(SUMMARY) {
        sink.document = read(&mut file, SUMMARY, len)
            .ok()
            .and_then(|s| ole::summary_information(&s));
    }
    let last_edit = last_edit(current.as_deref(), &stream)?;
    let mut flow = office::Flow::new(sink);
    let outcome = match last_edit.and_then(|(at, note)| Structure::read(&stream, at, note)) {
        Ok(structure) => structure.emit(&stream, &mut flow),
        // Without the directory no slide can be placed: the slides' text is
        // read as stored, unnumbered, so that none is lost.
        Err(why) => {
            let mut texts = Vec::new();
            let mut why = why;
            let whole = Record {
                container: true,
                instance: 0,
                kind: 0,
                body: 0,
                end: stream.len(),
            };
            let damaged = walk(&stream, whole, |_, atom| {
                if atom.kind != RT_CSTRING {
                    texts.extend(text_of(&stream, atom));
                }
            });
            if damaged {
                why = format!("{why}; {DAMAGED_RECORDS}");
            }
            for text in &texts {
                for paragraph in paragraphs(text) {
                    flow.paragraph(None, &paragraph);
                }
            }
            Err(format!(
                "{why}; its text was read as stored, without slide numbers"
            ))
        }
    };
    flow.finish();
    outcome.map_err(|why| Problem::Failed(format!("corrupt PowerPoint presentation: {why}")))
}

/// Where the last edit's UserEditAtom is: as the Current User stream says,
/// else (that stream missing or damaged, or naming something else) the
/// last one stored. `Err` outside
/// (encrypted, or too old to read) ends the reading; `Ok(Err)` is damage
/// the text can still be read past.
fn last_edit(
    current: Option<&[u8]>,
    stream: &[u8],
) -> Result<Result<(usize, Option<String>), String>, Problem> {
    let encrypted = || Problem::Encrypted("password-protected PowerPoint presentation".into());
    let mut named = None;
    if let Some(atom) = current
        .and_then(|c| record_at(c, 0))
        .filter(|r| r.kind == RT_CURRENT_USER_ATOM)
    {
        let current = current.unwrap_or_default();
        let field = |at: usize| le_u32(current, atom.body + at);
        match field(4) {
            Some(ENCRYPTED) => return Err(encrypted()),
            Some(NOT_ENCRYPTED) => {
                if let Some(major @ 0..=2) = current.get(atom.body + 16).copied() {
                    return Err(Problem::Failed(format!(
                        "a PowerPoint 95 or older presentation (format version {major}), which trawl does not read"
                    )));
                }
                named = field(8).map(|at| at as usize);
            }
            _ => {}
        }
    }
    // An edit named where there is none (a file cut short, or damaged):
    // the last stored is read, and the file said to be damaged.
    let missing =
        named.filter(|&at| record_at(stream, at).is_none_or(|r| r.kind != RT_USER_EDIT_ATOM));
    let at = named.filter(|_| missing.is_none()).or_else(|| {
        // The stream's top-level records, in order: the last edit is
        // stored last.
        let mut at = 0;
        let mut last = None;
        while let Some(r) = record_at(stream, at) {
            if r.kind == RT_USER_EDIT_ATOM {
                last = Some(at);
            }
            at = r.end;
        }
        last
    });
    let Some(at) = at else {
        return Ok(Err(
            "its Current User stream is missing or damaged, and no edit is stored".into(),
        ));
    };
    // An edit that names an encryption session: what it places is encrypted.
    let edit = record_at(stream, at).filter(|r| r.kind == RT_USER_EDIT_ATOM);
    if edit.is_some_and(|r| r.end.saturating_sub(r.body) >= USER_EDIT_ENCRYPTED_LEN) {
        return Err(encrypted());
    }
    let note = missing.map(|_| {
        "its Current User names an edit that is not in it (is it cut short?), so the last edit stored was read".to_string()
    });
    Ok(Ok((at, note)))
}

/// A record's header (MS-PPT 2.3.1): containers (version 0xF) hold records,
/// atoms data. `end` may lie past the bytes there are.
#[derive(Clone, Copy, Debug)]
struct Record {
    container: bool,
    instance: u16,
    kind: u16,
    body: usize,
    end: usize,
}

fn record_at(stream: &[u8], at: usize) -> Option<Record> {
    let version_instance = le_u16(stream, at)?;
    let kind = le_u16(stream, at.checked_add(2)?)?;
    let len = le_u32(stream, at + 4)? as usize;
    let body = at + 8;
    Some(Record {
        container: version_instance & 0xF == 0xF,
        instance: version_instance >> 4,
        kind,
        body,
        end: body.saturating_add(len),
    })
}

/// Visits each atom inside `outer`, in the order stored, with the
/// containers it is in (the innermost last). A container's records follow
/// its header, so the tree is one pass over its bytes, whatever its depth.
/// Returns whether a record ran past its container (it is cut there) or
/// containers nested past [`MAX_DEPTH`] (they are passed over).
fn walk(stream: &[u8], outer: Record, mut visit: impl FnMut(&[Record], &Record)) -> bool {
    let mut damaged = false;
    let mut outer = outer;
    if outer.end > stream.len() {
        outer.end = stream.len();
        damaged = true;
    }
    let mut open = vec![outer];
    let mut at = outer.body;
    while let Some(top) = open.last() {
        // Fewer bytes than a header left: the container is done.
        if at.saturating_add(8) > top.end {
            at = top.end;
            open.pop();
            continue;
        }
        let Some(mut r) = record_at(stream, at) else {
            break;
        };
        if r.end > top.end {
            r.end = top.end;
            damaged = true;
        }
        if r.container && open.len() <= MAX_DEPTH {
            open.push(r);
            at = r.body;
        } else {
            damaged |= r.container;
            if !r.container {
                visit(&open, &r);
            }
            at = r.end;
        }
    }
    damaged
}

/// The text of a text atom: UTF-16, or 8-bit (each byte a character's low
/// byte, so Latin-1).
fn text_of(stream: &[u8], atom: &Record) -> Option<String> {
    let bytes = stream.get(atom.body..atom.end)?;
    match atom.kind {
        RT_TEXT_CHARS_ATOM | RT_CSTRING => Some(utf16(bytes)),
        RT_TEXT_BYTES_ATOM => Some(bytes.iter().map(|&b| char::from(b)).collect()),
        _ => None,
    }
}

fn utf16(bytes: &[u8]) -> String {
    let units = bytes
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]));
    char::decode_utf16(units)
        .map(|c| c.unwrap_or('\u{FFFD}'))
        .collect()
}

/// A text's paragraphs: a carriage return ends one, a vertical tab is a
/// line break within it, and other control characters are not text.
fn paragraphs(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split('\r').map(|p| {
        p.chars()
            .filter_map(|c| match c {
                '\u{0B}' => Some('\n'),
                '\t' => Some('\t'),
                c if c.is_control() => None,
                c => Some(c),
            })
            .collect()
    })
}

/// A slide or notes page the document lists: where it is stored, its
/// identifier, and the outline text kept beside it in the list.
#[derive(Debug, Default)]
struct Listed {
    persist: u32,
    id: u32,
    texts: Vec<String>,
}

/// What the last edit says: where each stored object is, and the document's
/// slide and notes lists and footers.
struct Structure {
    directory: HashMap<u32, usize>,
    slides: Vec<Listed>,
    notes: Vec<Listed>,
    footers: Vec<String>,
    problems: Vec<String>,
}

impl Structure {
    /// Reads the edits from the last back to the first (a later edit's
    /// entry for an object wins), then the document they place.
    fn read(stream: &[u8], last_edit: usize, note: Option<String>) -> Result<Structure, String> {
        let mut directory: HashMap<u32, usize> = HashMap::new();
        let mut document = None;
        let mut seen = HashSet::new();
        let mut directories = HashSet::new();
        let mut at = last_edit;
        let mut problems: Vec<String> = note.into_iter().collect();
        loop {
            if !seen.insert(at) {
                problems.push("its edits name each other in a loop".to_string());
                break;
            }
            let Some(edit) = record_at(stream, at)
                .filter(|r| r.kind == RT_USER_EDIT_ATOM && r.end <= stream.len())
                .filter(|r| r.end - r.body >= USER_EDIT_LEN)
            else {
                if document.is_none() {
                    return Err("its last edit is not where it is said to be".into());
                }
                problems.push("an earlier edit is not where it is said to be".into());
                break;
            };
            let field = |n: usize| le_u32(stream, edit.body + n).unwrap_or_default();
            document.get_or_insert(field(16));
            let Some(persist) = record_at(stream, field(12) as usize)
                .filter(|r| r.kind == RT_PERSIST_DIRECTORY_ATOM)
            else {
                problems.push("an edit's persist directory is not where it is said to be".into());
                break;
            };
            // Edits sharing a directory: it is read once (a damaged file's
            // thousands of edits could each name one of millions of entries).
            if !directories.insert(persist.body) {
                match field(8) {
                    0 => break,
                    before => at = before as usize,
                }
                continue;
            }
            let entries = stream
                .get(persist.body..persist.end.min(stream.len()))
                .unwrap_or_default();
            let mut i = 0;
            while let Some(head) = le_u32(entries, i) {
                let (first, count) = (head & 0xF_FFFF, (head >> 20) as usize);
                for n in 0..count {
                    let Some(offset) = le_u32(entries, i + 4 + n * 4) else {
                        break;
                    };
                    directory.entry(first + n as u32).or_insert(offset as usize);
                }
                i += 4 + count * 4;
            }
            match field(8) {
                0 => break,
                before => at = before as usize,
            }
        }
        let document = document
            .and_then(|id| directory.get(&id))
            .and_then(|&at| record_at(stream, at))
            .filter(|r| r.kind == RT_DOCUMENT && r.container)
            .ok_or("its document is not where its edits say")?;
        let mut structure = Structure {
            directory,
            slides: Vec::new(),
            notes: Vec::new(),
            footers: Vec::new(),
            problems,
        };
        let damaged = walk(stream, document, |open, atom| {
            let Some(parent) = open.last() else { return };
            let list = match (parent.kind, parent.instance) {
                (RT_SLIDE_LIST_WITH_TEXT, SLIDE_LIST) => &mut structure.slides,
                (RT_SLIDE_LIST_WITH_TEXT, NOTES_LIST) => &mut structure.notes,
                (RT_HEADERS_FOOTERS, _) => {
                    structure.footers.extend(text_of(stream, atom));
                    return;
                }
                _ => return,
            };
            if atom.kind == RT_SLIDE_PERSIST_ATOM {
                list.push(Listed {
                    persist: le_u32(stream, atom.body).unwrap_or_default(),
                    id: le_u32(stream, atom.body + 12).unwrap_or_default(),
                    texts: Vec::new(),
                });
            } else if let (Some(text), Some(listed)) = (text_of(stream, atom), list.last_mut()) {
                listed.texts.push(text);
            }
        });
        if damaged {
            structure.problems.push(DAMAGED_RECORDS.into());
        }
        Ok(structure)
    }

    /// The stored record of a listed slide or notes page, when it is one of
    /// `kind`.
    fn stored(&self, stream: &[u8], persist: u32, kind: u16) -> Option<Record> {
        let at = *self.directory.get(&persist)?;
        record_at(stream, at).filter(|r| r.kind == kind && r.container)
    }

    /// Hands the slides over in order, each with its notes and comments,
    /// then the notes no slide claims and the footers.
    fn emit(mut self, stream: &[u8], flow: &mut office::Flow) -> Result<(), String> {
        // Each stored record is read once, however many entries name it;
        // and records are read for no more bytes than the stream has twice
        // (a damaged file's slides could each lie inside the one before,
        // and reading each would take its square).
        let mut read = HashSet::new();
        let mut budget = stream.len().saturating_mul(2);
        let mut overlapping = 0;
        let mut fresh = |r: Record| {
            let size = r.end.min(stream.len()).saturating_sub(r.body);
            if size <= budget && read.insert(r.body) {
                budget -= size;
                Ok(r)
            } else {
                overlapping += 1;
                Err(())
            }
        };
        let mut damaged = false;
        let mut missing = 0;
        let mut notes_of: HashMap<u32, Vec<(Part, String)>> = HashMap::new();
        let mut stray_notes = Vec::new();
        for listed in std::mem::take(&mut self.notes) {
            let Some(stored) = self.stored(stream, listed.persist, RT_NOTES) else {
                missing += 1;
                continue;
            };
            let Ok(record) = fresh(stored) else {
                continue;
            };
            let mut slide = None;
            let (units, hurt) = units(stream, record, &listed.texts, |atom| {
                if atom.kind == RT_NOTES_ATOM {
                    slide = le_u32(stream, atom.body);
                }
            });
            damaged |= hurt;
            match slide {
                Some(id) if !notes_of.contains_key(&id) => {
                    notes_of.insert(id, units);
                }
                _ => stray_notes.extend(units),
            }
        }
        for (number, listed) in (1u64..).zip(std::mem::take(&mut self.slides)) {
            let page = Some(number);
            let stored = self.stored(stream, listed.persist, RT_SLIDE);
            missing += usize::from(stored.is_none());
            let units = match stored.map(&mut fresh) {
                Some(Ok(record)) => {
                    let (units, hurt) = units(stream, record, &listed.texts, |_| {});
                    damaged |= hurt;
                    units
                }
                // Its outline text is still kept in the list.
                _ => listed.texts.into_iter().map(|t| (Part::Body, t)).collect(),
            };
            for (part, text) in units {
                hand_over(flow, part.name(), page, &text);
            }
            for (_, text) in notes_of.remove(&listed.id).unwrap_or_default() {
                hand_over(flow, Some("notes"), page, &text);
            }
        }
        // Notes of no slide listed: those naming none (in the order listed),
        // then by the slide they name.
        let mut left: Vec<_> = notes_of.into_iter().collect();
        left.sort_by_key(|(id, _)| *id);
        for (_, text) in stray_notes
            .into_iter()
            .chain(left.into_iter().flat_map(|(_, units)| units))
        {
            hand_over(flow, Some("notes"), None, &text);
        }
        for text in &self.footers {
            hand_over(flow, Some("headers"), None, text);
        }
        if damaged {
            self.problems.push(DAMAGED_RECORDS.into());
        }
        if overlapping > 0 {
            self.problems.push(format!(
                "{overlapping} of its slides and notes pages lie in another one's bytes, and were not read again"
            ));
        }
        if missing > 0 {
            self.problems.push(format!(
                "{missing} of its slides and notes pages are not where its edits say (a slide's text kept in its outline was read)"
            ));
        }
        self.problems.dedup();
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{}; the rest was scanned",
                self.problems.join("; ")
            ))
        }
    }
}

const DAMAGED_RECORDS: &str =
    "records in it run past their containers' ends (they were cut there) or nest too deep";

/// Where a slide's text goes.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Part {
    Body,
    Comments,
    Headers,
}

impl Part {
    fn name(self) -> Option<&'static str> {
        match self {
            Part::Body => None,
            Part::Comments => Some("comments"),
            Part::Headers => Some("headers"),
        }
    }
}

/// A slide's or notes page's text, in drawing order: its text boxes (a
/// placeholder's from the `outline`, where the drawing refers to it, each
/// once), then the outline text nothing referred to, its comments and
/// footers. `also` sees every atom. Returns whether it was damaged.
fn units(
    stream: &[u8],
    record: Record,
    outline: &[String],
    mut also: impl FnMut(&Record),
) -> (Vec<(Part, String)>, bool) {
    let mut units = Vec::new();
    let mut referred = vec![false; outline.len()];
    let damaged = walk(stream, record, |open, atom| {
        also(atom);
        let parent = open.last().map(|p| p.kind);
        match (atom.kind, parent) {
            (RT_TEXT_CHARS_ATOM | RT_TEXT_BYTES_ATOM, _) => {
                units.extend(text_of(stream, atom).map(|t| (Part::Body, t)));
            }
            (RT_OUTLINE_TEXT_REF_ATOM, _) => {
                let index = le_u32(stream, atom.body).map(|i| i as usize);
                if let Some(i) = index.filter(|&i| i < outline.len() && !referred[i]) {
                    referred[i] = true;
                    units.push((Part::Body, outline[i].clone()));
                }
            }
            (RT_CSTRING, Some(RT_COMMENT10)) if atom.instance == COMMENT_TEXT => {
                units.extend(text_of(stream, atom).map(|t| (Part::Comments, t)));
            }
            (RT_CSTRING, Some(RT_HEADERS_FOOTERS)) => {
                units.extend(text_of(stream, atom).map(|t| (Part::Headers, t)));
            }
            _ => {}
        }
    });
    let unreferred = outline
        .iter()
        .zip(&referred)
        .filter(|(_, r)| !**r)
        .map(|(t, _)| (Part::Body, t.clone()));
    // Placeholders' text comes first on a slide, as their shapes do.
    let mut all: Vec<(Part, String)> = unreferred.collect();
    all.extend(units);
    all.sort_by_key(|(part, _)| *part as u8);
    (all, damaged)
}

fn hand_over(flow: &mut office::Flow, part: Option<&str>, page: Option<u64>, text: &str) {
    for paragraph in paragraphs(text) {
        flow.paragraph_on(part, page, &paragraph);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::testing::{compound, engine, stream_of};
    use crate::extract::{extract_bytes, Extracted, Limits, Outcome};

    const FIXTURE: &[u8] = include_bytes!("../../fixtures/documents/resident_panel_2008.ppt");

    /// The fixture's Current User, PowerPoint Document and summary streams.
    fn streams() -> [Vec<u8>; 3] {
        [CURRENT_USER, DOCUMENT_STREAM, "\u{5}SummaryInformation"]
            .map(|name| stream_of(FIXTURE, name))
    }

    static ENGINE: std::sync::LazyLock<crate::detect::Engine> = std::sync::LazyLock::new(engine);

    fn read(streams: &[(&str, &[u8])]) -> Extracted {
        extract_bytes(
            &ENGINE,
            "deck.ppt",
            compound(streams),
            true,
            Limits::default(),
        )
    }

    /// Each finding's detector, value and place: part, page, paragraph.
    type Place = (String, String, Option<String>, Option<u64>, Option<u64>);

    fn places(got: &Extracted) -> Vec<Place> {
        let mut places: Vec<Place> = got
            .findings
            .iter()
            .map(|f| {
                (
                    f.detector.clone(),
                    f.value.clone().unwrap_or_default(),
                    f.location.part.clone(),
                    f.location.page,
                    f.location.paragraph,
                )
            })
            .collect();
        places.sort();
        places
    }

    fn place(detector: &str, value: &str, part: Option<&str>, page: Option<u64>, n: u64) -> Place {
        (
            detector.into(),
            value.into(),
            part.map(str::to_string),
            page,
            Some(n),
        )
    }

    fn record(kind: u16, instance: u16, body: &[u8]) -> Vec<u8> {
        let mut out = (instance << 4).to_le_bytes().to_vec();
        out.extend(kind.to_le_bytes());
        out.extend((body.len() as u32).to_le_bytes());
        out.extend(body);
        out
    }

    fn container(kind: u16, instance: u16, children: &[Vec<u8>]) -> Vec<u8> {
        let mut out = record(kind, instance, &children.concat());
        out[0] |= 0xF;
        out
    }

    fn wide(text: &str) -> Vec<u8> {
        text.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn the_fixture_reads_slide_by_slide_as_a_pptx() {
        let [current, document, summary] = streams();
        let got = read(&[
            (CURRENT_USER, &current),
            (DOCUMENT_STREAM, &document),
            ("\u{5}SummaryInformation", &summary),
        ]);
        assert_eq!(
            (got.format, got.outcome, got.reason.as_deref()),
            ("ppt", Outcome::Scanned, None)
        );
        let expected = vec![
            place("date_of_birth", "12/05/1957", Some("comments"), Some(3), 1),
            place("email", "dafydd.ellis@example.org", None, Some(2), 3),
            place("person_name", "Dafydd Ellis", None, Some(2), 2),
            place("person_name", "Gwen Pritchard", None, Some(1), 2),
            place("uk_nino", "JT 61 48 27 B", None, Some(3), 2),
            place("uk_phone", "0113 496 0274", Some("headers"), None, 1),
            place("uk_phone", "020 7946 0833", Some("notes"), Some(2), 1),
            place("uk_phone", "07700 900733", None, Some(2), 2),
        ];
        assert_eq!(places(&got), expected);
        let meta = got.document.as_ref().unwrap();
        assert_eq!(
            (meta.author.as_deref(), meta.created.as_deref()),
            (Some("Resident Involvement Team"), Some("2008-04-01"))
        );
        // Without the Current User stream, the last edit stored is found.
        let without = read(&[(DOCUMENT_STREAM, &document)]);
        assert_eq!(
            (without.outcome, places(&without)),
            (Outcome::Scanned, expected)
        );
    }

    #[test]
    fn a_slide_reads_its_boxes_in_drawing_order_and_its_outline_once() {
        let refer = |i: u32| {
            container(
                0xF00D,
                0,
                &[record(RT_OUTLINE_TEXT_REF_ATOM, 0, &i.to_le_bytes())],
            )
        };
        let slide = container(
            RT_SLIDE,
            0,
            &[
                container(
                    0x040C,
                    0,
                    &[
                        refer(1),
                        container(0xF00D, 0, &[record(RT_TEXT_BYTES_ATOM, 0, b"box\xe9")]),
                        refer(1),
                        refer(9),
                        container(
                            0xF00D,
                            0,
                            &[record(RT_TEXT_CHARS_ATOM, 0, &wide("\u{141}ukasz"))],
                        ),
                    ],
                ),
                container(
                    RT_COMMENT10,
                    0,
                    &[
                        record(RT_CSTRING, 0, &wide("author")),
                        record(RT_CSTRING, COMMENT_TEXT, &wide("said")),
                    ],
                ),
                container(
                    RT_HEADERS_FOOTERS,
                    3,
                    &[record(RT_CSTRING, 2, &wide("foot"))],
                ),
                // A string elsewhere (a tag's name) is not text.
                record(RT_CSTRING, 0, &wide("___PPT10")),
            ],
        );
        let outline = ["zero".to_string(), "one".to_string()];
        let (units, damaged) = units(&slide, record_at(&slide, 0).unwrap(), &outline, |_| {});
        let text = |part, t: &str| (part, t.to_string());
        assert_eq!(
            units,
            [
                text(Part::Body, "zero"),
                text(Part::Body, "one"),
                text(Part::Body, "box\u{e9}"),
                text(Part::Body, "\u{141}ukasz"),
                text(Part::Comments, "said"),
                text(Part::Headers, "foot"),
            ]
        );
        assert!(!damaged);
        assert_eq!(
            paragraphs("a\rb\u{0B}c\u{1}\td\r").collect::<Vec<_>>(),
            ["a", "b\nc\td", ""]
        );
    }

    /// The offsets of the fixture's two edits: the last, and the one before.
    fn edits(current: &[u8], document: &[u8]) -> (usize, usize) {
        let last = le_u32(current, 16).unwrap() as usize;
        (last, le_u32(document, last + 16).unwrap() as usize)
    }

    #[test]
    fn old_encrypted_and_damaged_presentations_say_what_they_are() {
        let [current, document, _] = streams();
        let with_current = |at: usize, bytes: &[u8]| {
            let mut changed = current.clone();
            changed[at..at + bytes.len()].copy_from_slice(bytes);
            read(&[(CURRENT_USER, &changed), (DOCUMENT_STREAM, &document)])
        };
        let encrypted = with_current(12, &ENCRYPTED.to_le_bytes());
        assert_eq!(
            (encrypted.outcome, encrypted.reason.as_deref()),
            (
                Outcome::Encrypted,
                Some("password-protected PowerPoint presentation")
            )
        );
        let old = with_current(24, &[2]);
        assert_eq!(
            old.reason.as_deref(),
            Some("a PowerPoint 95 or older presentation (format version 2), which trawl does not read")
        );
        assert_eq!(
            read(&[("PP40", b"x")]).reason.as_deref(),
            Some("a PowerPoint 4 presentation, which trawl does not read")
        );
        assert_eq!(
            read(&[("WordDocument", b"x")]).reason.as_deref(),
            Some("not a PowerPoint presentation: a compound file (OLE) with no PowerPoint Document stream")
        );
        // An edit naming an encryption session, with no Current User.
        let (last, before) = edits(&current, &document);
        let mut sealed = document.clone();
        sealed[last + 4..last + 8].copy_from_slice(&32u32.to_le_bytes());
        let got = read(&[(DOCUMENT_STREAM, &sealed)]);
        assert_eq!(got.outcome, Outcome::Encrypted);

        // The Current User names the document, not an edit: the last edit
        // stored is read instead, and the file said to be damaged.
        let astray = with_current(16, &0u32.to_le_bytes());
        assert_eq!(
            (astray.reason.as_deref(), places(&astray).len()),
            (Some("corrupt PowerPoint presentation: its Current User names an edit that is not in it (is it cut short?), so the last edit stored was read; the rest was scanned"), 8)
        );
        // The last edit's directory is not where it says: no slide can be
        // placed, and the text is read as stored, unplaced (the replaced
        // box and the master's prompt too).
        let mut lost = document.clone();
        lost[last + 20..last + 24].copy_from_slice(&u32::MAX.to_le_bytes());
        let astray = read(&[(CURRENT_USER, &current), (DOCUMENT_STREAM, &lost)]);
        assert_eq!(
            (astray.outcome, astray.reason.as_deref()),
            (
                Outcome::Failed,
                Some("corrupt PowerPoint presentation: its document is not where its edits say; its text was read as stored, without slide numbers")
            )
        );
        let found = places(&astray);
        assert!(found.iter().all(|p| p.3.is_none()));
        assert!(found.iter().any(|p| p.1 == "07700 900911"));
        assert!(found.iter().any(|p| p.1 == "JT 61 48 27 B"));

        // The first edit names the last as the one before it.
        let mut looped = document.clone();
        looped[before + 16..before + 20].copy_from_slice(&(last as u32).to_le_bytes());
        let got = read(&[(CURRENT_USER, &current), (DOCUMENT_STREAM, &looped)]);
        assert_eq!(
            got.reason.as_deref(),
            Some("corrupt PowerPoint presentation: its edits name each other in a loop; the rest was scanned")
        );
        assert_eq!(places(&got).len(), 8);

        // A text box's length runs past its shape: cut there, the rest read.
        let text = wide("Panel secretary: Dafydd");
        let at = document
            .windows(text.len())
            .rposition(|w| w == text)
            .unwrap()
            - 8;
        let mut overrun = document.clone();
        overrun[at + 4..at + 8].copy_from_slice(&u32::MAX.to_le_bytes());
        let got = read(&[(CURRENT_USER, &current), (DOCUMENT_STREAM, &overrun)]);
        assert_eq!(
            got.reason.as_deref(),
            Some("corrupt PowerPoint presentation: records in it run past their containers' ends (they were cut there) or nest too deep; the rest was scanned")
        );
        assert!(places(&got).iter().any(|p| p.1 == "JT 61 48 27 B"));

        // Cut anywhere, it is read as far as it goes.
        for cut in 0..document.len() {
            let got = read(&[
                (CURRENT_USER, &current),
                (DOCUMENT_STREAM, &document[..cut]),
            ]);
            assert_ne!(got.outcome, Outcome::Scanned, "cut at {cut}");
        }
    }

    /// A presentation of the given document and other records, stored in
    /// that order, with a persist directory naming them (1 the document)
    /// and one edit.
    fn presentation(document: Vec<u8>, stored: &[(u32, usize)]) -> Vec<u8> {
        let mut stream = document;
        let mut entries = ((1u32 << 20) | 1).to_le_bytes().to_vec();
        entries.extend(0u32.to_le_bytes());
        for &(persist, at) in stored {
            entries.extend(((1u32 << 20) | persist).to_le_bytes());
            entries.extend((at as u32).to_le_bytes());
        }
        let directory = stream.len();
        stream.extend(record(RT_PERSIST_DIRECTORY_ATOM, 0, &entries));
        let mut edit = vec![0u8; USER_EDIT_LEN];
        edit[12..16].copy_from_slice(&(directory as u32).to_le_bytes());
        edit[16..20].copy_from_slice(&1u32.to_le_bytes());
        stream.extend(record(RT_USER_EDIT_ATOM, 0, &edit));
        stream
    }

    fn listed(persist: u32, id: u32) -> Vec<u8> {
        let mut atom = persist.to_le_bytes().to_vec();
        atom.extend([0; 8]);
        atom.extend(id.to_le_bytes());
        atom.extend([0; 4]);
        record(RT_SLIDE_PERSIST_ATOM, 0, &atom)
    }

    #[test]
    fn slides_inside_slides_are_read_once_and_deep_nesting_is_passed_over() {
        // Slides each inside the one before, 3,000 deep: reading each would
        // take the square of the stream, and nesting it all a stack as deep.
        let count = 3000u32;
        let list: Vec<Vec<u8>> = (0..count).map(|k| listed(2 + k, 256 + k)).collect();
        let document = container(
            RT_DOCUMENT,
            0,
            &[container(RT_SLIDE_LIST_WITH_TEXT, 0, &list)],
        );
        let mut slides = record(RT_TEXT_BYTES_ATOM, 0, b"07700 900123");
        for _ in 0..count {
            slides = container(RT_SLIDE, 0, &[slides]);
        }
        let base = document.len();
        let stored: Vec<(u32, usize)> =
            (0..count).map(|k| (2 + k, base + 8 * k as usize)).collect();
        let stream = presentation([document, slides].concat(), &stored);
        let got = read(&[(DOCUMENT_STREAM, &stream)]);
        let reason = got.reason.unwrap();
        assert!(reason.contains("nest too deep"), "{reason}");
        assert!(
            reason.contains("lie in another one's bytes, and were not read again"),
            "{reason}"
        );
    }

    #[test]
    fn notes_follow_their_slide_and_a_missing_slide_keeps_its_outline() {
        let notes = |slide: u32, text: &str| {
            container(
                RT_NOTES,
                0,
                &[
                    record(RT_NOTES_ATOM, 0, &[slide.to_le_bytes(), [0; 4]].concat()),
                    record(RT_TEXT_CHARS_ATOM, 0, &wide(text)),
                ],
            )
        };
        let document = container(
            RT_DOCUMENT,
            0,
            &[
                container(
                    RT_SLIDE_LIST_WITH_TEXT,
                    SLIDE_LIST,
                    &[
                        listed(2, 256),
                        listed(9, 257),
                        record(RT_TEXT_CHARS_ATOM, 0, &wide("Ring 07700 900124")),
                    ],
                ),
                container(
                    RT_SLIDE_LIST_WITH_TEXT,
                    NOTES_LIST,
                    &[listed(3, 600), listed(4, 601)],
                ),
            ],
        );
        let slide = container(RT_SLIDE, 0, &[record(RT_TEXT_BYTES_ATOM, 0, b"nothing")]);
        let mut stream = document.clone();
        let slide_at = stream.len();
        stream.extend(slide);
        let notes_at = stream.len();
        stream.extend(notes(256, "Ring 07700 900125"));
        let stray_at = stream.len();
        stream.extend(notes(999, "Ring 07700 900126"));
        let stream = presentation(stream, &[(2, slide_at), (3, notes_at), (4, stray_at)]);
        let got = read(&[(DOCUMENT_STREAM, &stream)]);
        assert_eq!(
            places(&got)
                .into_iter()
                .map(|(_, value, part, page, _)| (value, part, page))
                .collect::<Vec<_>>(),
            [
                ("07700 900124".into(), None, Some(2)),
                ("07700 900125".into(), Some("notes".into()), Some(1)),
                ("07700 900126".into(), Some("notes".into()), None),
            ]
        );
        assert_eq!(
            got.reason.as_deref(),
            Some("corrupt PowerPoint presentation: 1 of its slides and notes pages are not where its edits say (a slide's text kept in its outline was read); the rest was scanned")
        );
    }

    proptest::proptest! {
        #[test]
        fn any_damage_to_the_fixture_reads_without_panic(
            changes in proptest::collection::vec((0usize..6000, proptest::num::u8::ANY), 1..12),
            cut in 0usize..6000,
        ) {
            static STREAMS: std::sync::LazyLock<[Vec<u8>; 3]> = std::sync::LazyLock::new(streams);
            let [current, document, _] = &*STREAMS;
            let mut document = document.clone();
            for (at, byte) in changes {
                let at = at % document.len();
                document[at] = byte;
            }
            document.truncate(cut.max(document.len() / 2));
            let file = compound(&[(CURRENT_USER, current), (DOCUMENT_STREAM, &document)]);
            let _ = extract_bytes(&ENGINE, "deck.ppt", file, false, Limits::default());
        }
    }
}
