//! JSON and NDJSON, streamed: values are visited as they are parsed, never
//! built into a tree, so a large export is read in bounded memory. Each
//! object in an array (or each NDJSON line) is a record; a value's key is
//! its header.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::rc::Rc;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

#[cfg(test)]
use super::MAX_POINTER;
use super::{masked_if_value, shown_pointer, Field, Problem, Sink};
use crate::detect::HeaderContext;
use crate::report::Location;

/// Loose values (outside any record) are judged in groups of this many, so
/// that one huge object does not gather in memory.
const LOOSE_BATCH: usize = 256;

/// Keys whose header context is kept for reuse: a document keyed by
/// thousands of identifiers must not keep a context for each.
const MAX_CACHED_KEYS: usize = 4096;

pub fn scan_document(reader: Box<dyn Read>, sink: &mut Sink) -> Result<(), Problem> {
    let mut walker = JsonWalker::new(sink, None);
    let mut de = serde_json::Deserializer::from_reader(BufReader::new(reader));
    let result = Walk { w: &mut walker }
        .deserialize(&mut de)
        .and_then(|()| de.end());
    walker.flush_loose();
    result.map_err(|e| Problem::Failed(json_reason(&e, None)))
}

/// A JSON document inside another file (an HTML page's data script), read
/// as [`scan_document`] reads a file, its values located at `base` (the
/// part it is) plus their pointers. Says `false`, having judged nothing,
/// when `json` is not one valid JSON value, so that the caller may read it
/// as text instead: checked first, as what a walk judges before an error
/// cannot be taken back.
pub fn scan_embedded(json: &str, base: &Location, sink: &mut Sink) -> bool {
    if serde_json::from_str::<serde::de::IgnoredAny>(json).is_err() {
        return false;
    }
    let mut walker = JsonWalker::new(sink, None);
    walker.base = base.clone();
    let mut de = serde_json::Deserializer::from_str(json);
    // Valid, so the walk reads it all.
    let _ = Walk { w: &mut walker }.deserialize(&mut de);
    walker.flush_loose();
    true
}

pub fn scan_lines(reader: Box<dyn Read>, sink: &mut Sink) -> Result<(), Problem> {
    let mut headers = HashMap::new();
    let mut bad_lines = 0u64;
    let mut first_bad: Option<String> = None;
    let mut reader = BufReader::new(reader);
    let mut line = String::new();
    let mut number = 0u64;
    loop {
        line.clear();
        // Lines that are not UTF-8 were transcoded already (see sniff).
        match reader.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                return Err(Problem::Failed(format!(
                    "read error after line {number}: {}",
                    super::foreign(e)
                )))
            }
        }
        number += 1;
        if line.trim().is_empty() {
            continue;
        }
        let mut walker = JsonWalker::new(sink, Some(number));
        walker.headers = std::mem::take(&mut headers);
        walker.record_depth = Some(0);
        let mut de = serde_json::Deserializer::from_str(&line);
        let result = Walk { w: &mut walker }
            .deserialize(&mut de)
            .and_then(|()| de.end());
        walker.flush_record();
        headers = std::mem::take(&mut walker.headers);
        if let Err(e) = result {
            bad_lines += 1;
            first_bad.get_or_insert_with(|| json_reason(&e, Some(number)));
        }
    }
    match first_bad {
        None => Ok(()),
        Some(first) => Err(Problem::Failed(format!(
            "{bad_lines} line(s) are not valid JSON; the others were scanned (first: {first})"
        ))),
    }
}

fn json_reason(e: &serde_json::Error, ndjson_line: Option<u64>) -> String {
    // serde_json's messages name the problem, never the document's values.
    let what = match e.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Eof => "truncated JSON",
        _ => "invalid JSON",
    };
    let line = ndjson_line.unwrap_or(e.line() as u64);
    format!(
        "{what} at line {line}, column {}: {}",
        e.column(),
        super::foreign(e)
    )
}

/// Where the walk is, one step at a time.
enum Seg {
    /// A member, and its key's header context.
    Key(Rc<HeaderContext>),
    /// A member whose key is a value (`{"AB123456C": {…}}`): it names
    /// nothing, so what is under it takes the context of the key above.
    Value,
    Index,
}

struct JsonWalker<'s, 'e> {
    sink: &'s mut Sink<'e>,
    ndjson_line: Option<u64>,
    /// Where the document is within its file: nowhere, for a JSON file.
    base: Location,
    path: Vec<Seg>,
    /// The RFC 6901 pointer of `path`, kept as the walk goes (each step's
    /// length before it in `marks`), not rebuilt for every value.
    pointer: String,
    marks: Vec<usize>,
    /// Depth of the object that is the current record.
    record_depth: Option<usize>,
    record: Vec<Field<'static>>,
    loose: Vec<Field<'static>>,
    ordinal: u64,
    headers: HashMap<String, Rc<HeaderContext>>,
    /// A key that is a value, to be judged with the record (or loose
    /// values) its member's value belongs to.
    pending_key: Option<Field<'static>>,
}

impl<'s, 'e> JsonWalker<'s, 'e> {
    fn new(sink: &'s mut Sink<'e>, ndjson_line: Option<u64>) -> Self {
        JsonWalker {
            sink,
            ndjson_line,
            base: Location::default(),
            path: Vec::new(),
            pointer: String::new(),
            marks: Vec::new(),
            record_depth: None,
            record: Vec::new(),
            loose: Vec::new(),
            ordinal: 0,
            headers: HashMap::new(),
            pending_key: None,
        }
    }

    /// Steps into a member: its key's header context is worked out here,
    /// once, not for every value under it. A key that is a value (a NINO,
    /// an email address, a name: an export keyed by its people) is judged
    /// as one, and its pointer shows it masked as its finding would be,
    /// with its `position` among its object's members (from 1) in brackets:
    /// `/tenants/AB******C[2]`, so that keys masked alike are told apart.
    fn enter_key(&mut self, key: &str, position: u64) {
        self.marks.push(self.pointer.len());
        self.pointer.push('/');
        let escaped = |k: &str| k.replace('~', "~0").replace('/', "~1");
        let engine = self.sink.engine();
        let masked = match self.headers.get(key) {
            Some(h) => {
                let h = Rc::clone(h);
                self.pointer.push_str(&escaped(key));
                self.path.push(Seg::Key(h));
                return;
            }
            None => masked_if_value(engine, key),
        };
        let Some(masked) = masked else {
            let h = Rc::new(engine.header_context(key));
            if self.headers.len() >= MAX_CACHED_KEYS {
                self.headers.clear();
            }
            self.headers.insert(key.to_string(), Rc::clone(&h));
            self.pointer.push_str(&escaped(key));
            self.path.push(Seg::Key(h));
            return;
        };
        self.pointer.push_str(&escaped(&masked));
        self.pointer.push_str(&format!("[{position}]"));
        self.pending_key = Some(self.field_here(key.to_string()));
        self.path.push(Seg::Value);
    }

    /// A value where the walk is: at its pointer, under the nearest key
    /// that names something.
    fn field_here(&mut self, text: String) -> Field<'static> {
        self.ordinal += 1;
        Field {
            text: Cow::Owned(text),
            header: self.nearest_key(),
            location: Location {
                line: self.ndjson_line,
                pointer: Some(shown_pointer(&self.pointer)),
                ordinal: self.ordinal,
                ..self.base.clone()
            },
        }
    }

    /// The context of the nearest key that names something: the key of
    /// `"phones": ["…", "…"]` names both.
    fn nearest_key(&self) -> Option<Rc<HeaderContext>> {
        self.path.iter().rev().find_map(|s| match s {
            Seg::Key(h) => Some(Rc::clone(h)),
            Seg::Value | Seg::Index => None,
        })
    }

    /// Puts a key that is a value with the values it goes with: the record
    /// its member's object starts, or the one it is in, or the loose ones.
    fn place_pending_key(&mut self) {
        if let Some(field) = self.pending_key.take() {
            self.push_field(field);
        }
    }

    fn push_field(&mut self, field: Field<'static>) {
        if self.record_depth.is_some() {
            self.record.push(field);
        } else {
            self.loose.push(field);
            if self.loose.len() >= LOOSE_BATCH {
                self.flush_loose();
            }
        }
    }

    fn enter_index(&mut self, i: u64) {
        self.marks.push(self.pointer.len());
        self.pointer.push('/');
        self.pointer.push_str(&i.to_string());
        self.path.push(Seg::Index);
    }

    fn leave(&mut self) {
        // A key that is a value, of a scalar, null or broken member.
        self.place_pending_key();
        self.path.pop();
        if let Some(mark) = self.marks.pop() {
            self.pointer.truncate(mark);
        }
    }

    fn scalar(&mut self, text: String) {
        if text.trim().is_empty() {
            return;
        }
        let field = self.field_here(text);
        self.push_field(field);
    }

    fn flush_record(&mut self) {
        if !self.record.is_empty() {
            // An NDJSON line is located by its line, an object in an array
            // by its pointer.
            let at = Location {
                line: self.ndjson_line,
                pointer: self
                    .ndjson_line
                    .is_none()
                    .then(|| shown_pointer(&self.pointer)),
                ..self.base.clone()
            };
            self.sink.row(&self.record, at);
            self.record.clear();
        }
    }

    fn flush_loose(&mut self) {
        if !self.loose.is_empty() {
            self.sink.record(&self.loose);
            self.loose.clear();
        }
    }
}

struct Walk<'a, 's, 'e> {
    w: &'a mut JsonWalker<'s, 'e>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_, '_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.w.scalar(v.to_string());
        Ok(())
    }
    fn visit_string<E>(self, v: String) -> Result<(), E> {
        self.w.scalar(v);
        Ok(())
    }
    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.w.scalar(v.to_string());
        Ok(())
    }
    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.w.scalar(v.to_string());
        Ok(())
    }
    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.w.scalar(v.to_string());
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.w.place_pending_key();
        let mut i = 0;
        loop {
            self.w.enter_index(i);
            let more = seq.next_element_seed(Walk { w: &mut *self.w });
            self.w.leave();
            if more?.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // An object that is an element of an array, or a member keyed by a
        // value, outside any record, is a record: the tenant in
        // {"tenants": [{…}, {…}]}, or in {"tenants": {"AB123456C": {…}}}.
        let starts_record = self.w.record_depth.is_none()
            && matches!(self.w.path.last(), Some(Seg::Index | Seg::Value));
        if starts_record {
            self.w.record_depth = Some(self.w.path.len());
        }
        self.w.place_pending_key();
        let mut result = Ok(());
        let mut position = 0;
        loop {
            match map.next_key::<String>() {
                Ok(Some(key)) => {
                    position += 1;
                    self.w.enter_key(&key, position);
                    let r = map.next_value_seed(Walk { w: &mut *self.w });
                    self.w.leave();
                    if let Err(e) = r {
                        result = Err(e);
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        if starts_record {
            // Judge what was read of the record even if the rest is broken.
            self.w.flush_record();
            self.w.record_depth = None;
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::{Engine, Rules};
    use jiff::civil::Date;

    type Found = Vec<(Option<u64>, String, String)>;

    fn run(text: &str, lines: bool) -> (Found, Result<(), Problem>) {
        let engine =
            Engine::new(Rules::embedded().unwrap(), Date::new(2026, 1, 1).unwrap()).unwrap();
        let mut sink = Sink::new(&engine, "t.json".into(), true);
        let reader: Box<dyn Read> = Box::new(std::io::Cursor::new(text.as_bytes().to_vec()));
        let result = if lines {
            scan_lines(reader, &mut sink)
        } else {
            scan_document(reader, &mut sink)
        };
        let found = sink
            .findings
            .iter()
            .map(|f| {
                (
                    f.location.line,
                    f.location.pointer.clone().unwrap(),
                    f.detector.clone(),
                )
            })
            .collect();
        (found, result)
    }

    #[test]
    fn a_value_under_a_very_long_key_keeps_the_ends_of_its_pointer() {
        // Siblings and a key with both escapes around it keep whole pointers.
        let long = "k".repeat(5000);
        let doc = format!(
            r#"{{"a~/b": ["x@example.com"], "{long}": [1, 2, "email y@example.com"], "z": "z@example.org"}}"#
        );
        let (found, result) = run(&doc, false);
        assert!(result.is_ok(), "{result:?}");
        let pointers: Vec<&str> = found.iter().map(|(_, p, _)| p.as_str()).collect();
        assert_eq!(pointers[0], "/a~0~1b/0");
        assert_eq!(pointers[2], "/z");
        let capped = pointers[1];
        assert!(
            capped.len() <= MAX_POINTER + '…'.len_utf8(),
            "{}",
            capped.len()
        );
        assert!(capped.starts_with("/kkk") && capped.contains('…') && capped.ends_with("kkk/2"));
    }

    #[test]
    fn long_pointers_are_cut_between_characters() {
        assert_eq!(shown_pointer("/a/0"), "/a/0");
        let exact = format!("/{}", "é".repeat((MAX_POINTER - 1) / 2));
        assert_eq!(shown_pointer(&exact), exact);
        for n in [300, 301, 1000] {
            let pointer = format!("/{}/7", "é".repeat(n));
            let shown = shown_pointer(&pointer);
            assert!(shown.starts_with("/é") && shown.ends_with("é/7"), "{shown}");
            assert!(shown.len() <= MAX_POINTER + '…'.len_utf8());
        }
    }

    #[test]
    fn keys_that_are_values_are_found_and_shown_masked() {
        // An export keyed by NINO and email address: the keys are found as
        // values, and every pointer shows them masked as their findings,
        // told apart by their places where they mask alike.
        let doc = r#"{"tenants": {
            "AB123456C": {"email": "x@example.com", "dob": "1979-02-14"},
            "jane.doe@example.com": "07700 900123",
            "T1001": {"rent": 5},
            "AB654321C": {"email": "x@example.com"}
        }, "2025-03-01": "quarter end"}"#;
        let (mut found, result) = run(doc, false);
        assert!(result.is_ok(), "{result:?}");
        found.sort();
        let want: Found = [
            ("/tenants/AB******C[1]", "uk_nino"),
            ("/tenants/AB******C[1]/dob", "date_of_birth"),
            ("/tenants/AB******C[1]/email", "email"),
            ("/tenants/AB******C[4]", "uk_nino"),
            ("/tenants/AB******C[4]/email", "email"),
            ("/tenants/j***.***@*******.com[2]", "email"),
            ("/tenants/j***.***@*******.com[2]", "uk_phone"),
        ]
        .iter()
        .map(|(p, d)| (None, p.to_string(), d.to_string()))
        .collect();
        assert_eq!(found, want);
    }

    #[test]
    fn keys_are_headers_and_objects_records() {
        let doc = r#"{"exported": "2025-06-30", "tenants": [
            {"dob": "1979-02-14", "tenancy_start": "2015-09-01", "bank": {"sort_code": "20-45-77", "account_number": 31926819}},
            {"a/b": "x@example.com"}
        ]}"#;
        let (found, result) = run(doc, false);
        assert!(result.is_ok());
        let want = vec![
            (
                None,
                "/tenants/0/dob".to_string(),
                "date_of_birth".to_string(),
            ),
            (
                None,
                "/tenants/0/bank/sort_code".to_string(),
                "uk_sort_code".to_string(),
            ),
            (
                None,
                "/tenants/0/bank/account_number".to_string(),
                "uk_bank_account".to_string(),
            ),
            (None, "/tenants/1/a~1b".to_string(), "email".to_string()),
        ];
        assert_eq!(found, want);
    }

    #[test]
    fn truncated_json_keeps_what_was_read() {
        let (found, result) = run(r#"[{"email": "x@example.com"}, {"email": "y@exa"#, false);
        assert_eq!(found.len(), 1);
        match result {
            Err(Problem::Failed(r)) => assert!(r.starts_with("truncated JSON"), "{r}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ndjson_lines_and_bad_lines() {
        let (found, result) = run(
            "{\"email\": \"x@example.com\"}\nnot json\n{\"DateOfBirth\": \"03/04/1985\"}\n",
            true,
        );
        assert_eq!(
            found,
            vec![
                (Some(1), "/email".into(), "email".into()),
                (Some(3), "/DateOfBirth".into(), "date_of_birth".into())
            ]
        );
        assert!(matches!(result, Err(Problem::Failed(r)) if r.contains("1 line(s)")));
    }
}
