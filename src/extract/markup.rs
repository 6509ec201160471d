//! HTML and XML: the text without tags, scripts or styles.
//!
//! HTML tables (housing systems export them as `.xls`) become records whose
//! header row names each column, as a CSV's does; other HTML text is running
//! text. XML elements are fields named by their element, and each child of
//! the root element is a record.

use std::collections::HashMap;
use std::io::Read;
use std::rc::Rc;

use quick_xml::events::Event;

use super::{header_contexts, looks_like_header, Field, Problem, Sink, TextPos};
use crate::detect::HeaderContext;
use crate::report::{Column, Location};

/// Markup is read whole; `--max-file-size` bounds it.
pub fn scan(mut reader: Box<dyn Read>, html: bool, sink: &mut Sink) -> Result<(), Problem> {
    let mut text = String::new();
    reader.read_to_string(&mut text)?;
    if html {
        scan_html(&text, sink);
        Ok(())
    } else {
        scan_xml(&text, sink)
    }
}

#[derive(Debug, PartialEq)]
enum Piece<'a> {
    Text(&'a str),
    Open(String),
    Close(String),
}

/// Splits HTML into text and tags, dropping comments, scripts and styles.
fn html_pieces(html: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            out.push(Piece::Text(rest));
            break;
        };
        if lt > 0 {
            out.push(Piece::Text(&rest[..lt]));
        }
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |i| &after[i + 3..]);
            continue;
        }
        let Some(gt) = rest.find('>') else {
            out.push(Piece::Text(rest));
            break;
        };
        let inner = &rest[1..gt];
        rest = &rest[gt + 1..];
        let closing = inner.starts_with('/');
        let name: String = inner
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        if !closing && (name == "script" || name == "style") {
            let end = format!("</{name}");
            let lower = rest.to_ascii_lowercase();
            rest = match lower.find(&end) {
                Some(i) => rest[i..].find('>').map_or("", |j| &rest[i + j + 1..]),
                None => "",
            };
            continue;
        }
        out.push(if closing {
            Piece::Close(name)
        } else {
            Piece::Open(name)
        });
    }
    out
}

/// Decodes the common character references.
fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let end = rest[..rest.len().min(12)].find(';');
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                "pound" => Some('£'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

const BLOCK_TAGS: &[&str] = &[
    "p",
    "br",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "title",
    "blockquote",
    "pre",
    "hr",
    "dt",
    "dd",
];

fn scan_html(html: &str, sink: &mut Sink) {
    let mut text = String::new();
    let mut table_no = 0u64;
    // Inside a table: rows of cells, each cell's text.
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut depth = 0usize;
    let mut in_cell = false;
    for piece in html_pieces(html) {
        match piece {
            Piece::Open(t) if t == "table" => {
                depth += 1;
                if depth == 1 {
                    rows.clear();
                }
            }
            Piece::Close(t) if t == "table" && depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    table_no += 1;
                    table_records(&rows, table_no, sink);
                    rows.clear();
                }
            }
            Piece::Open(t) if depth > 0 && t == "tr" => rows.push(Vec::new()),
            Piece::Open(t) if depth > 0 && (t == "td" || t == "th") => {
                if rows.is_empty() {
                    rows.push(Vec::new());
                }
                if let Some(r) = rows.last_mut() {
                    r.push(String::new());
                }
                in_cell = true;
            }
            Piece::Close(t) if t == "td" || t == "th" => in_cell = false,
            Piece::Text(s) if depth > 0 => {
                if let Some(cell) = rows
                    .last_mut()
                    .and_then(|r| r.last_mut())
                    .filter(|_| in_cell)
                {
                    cell.push_str(&unescape(s));
                }
            }
            Piece::Text(s) => text.push_str(&unescape(s)),
            Piece::Open(t) | Piece::Close(t) if depth == 0 && BLOCK_TAGS.contains(&t.as_str()) => {
                text.push('\n')
            }
            _ => {}
        }
    }
    if depth > 0 {
        table_records(&rows, table_no + 1, sink);
    }
    // Lines are of the text with tags removed.
    sink.text_block(
        text.as_bytes(),
        0..text.len(),
        TextPos { line: 1, column: 0 },
    );
}

fn table_records(rows: &[Vec<String>], table: u64, sink: &mut Sink) {
    let tidy = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let Some(first) = rows.first() else { return };
    let is_header = looks_like_header(first);
    let headers = if is_header {
        header_contexts(sink.engine(), first)
    } else {
        Vec::new()
    };
    sink.set_table_headers(is_header.then_some(first.as_slice()));
    for (r, row) in rows.iter().enumerate().skip(usize::from(is_header)) {
        let fields: Vec<Field> = row
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.trim().is_empty())
            .map(|(i, c)| {
                let header = headers.get(i).and_then(Option::as_ref);
                Field {
                    text: tidy(c).into(),
                    header: header.map(|(_, h)| Rc::clone(h)),
                    location: Location {
                        table: Some(table),
                        row: Some(r as u64 + 1),
                        column: Some(match header {
                            Some((n, _)) => Column::Name(n.clone()),
                            None => Column::Number(i as u64 + 1),
                        }),
                        column_index: i as u64 + 1,
                        ..Location::default()
                    },
                }
            })
            .collect();
        let at = Location {
            table: Some(table),
            row: Some(r as u64 + 1),
            ..Location::default()
        };
        sink.row(&fields, at);
    }
    sink.set_table_headers::<String>(None);
}

fn scan_xml(xml: &str, sink: &mut Sink) -> Result<(), Problem> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut path: Vec<(String, u64)> = Vec::new();
    // Per parent path, how many of each child name were seen (for [n]).
    let mut counts: Vec<HashMap<String, u64>> = vec![HashMap::new()];
    let mut record: Vec<Field> = Vec::new();
    let mut headers: HashMap<String, Rc<HeaderContext>> = HashMap::new();
    let mut ordinal = 0u64;
    // quick-xml hands text, entity references and CDATA over in pieces;
    // an element's text is gathered whole before it is judged.
    let mut pending = String::new();
    loop {
        let event = match reader.read_event() {
            Ok(e) => e,
            Err(e) => {
                let text = std::mem::take(&mut pending);
                push_xml_field(&mut record, &mut headers, &mut ordinal, &path, text, sink);
                sink.record(&record);
                return Err(Problem::Failed(format!(
                    "invalid XML at byte {}: {e}",
                    reader.buffer_position()
                )));
            }
        };
        if matches!(
            event,
            Event::Start(_) | Event::End(_) | Event::Empty(_) | Event::Eof
        ) {
            let text = std::mem::take(&mut pending);
            push_xml_field(&mut record, &mut headers, &mut ordinal, &path, text, sink);
        }
        match event {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let n = {
                    let c = counts
                        .last_mut()
                        .expect("root counts")
                        .entry(name.clone())
                        .or_insert(0);
                    *c += 1;
                    *c
                };
                path.push((name, n));
                counts.push(HashMap::new());
            }
            Event::End(_) => {
                // A child of the root is ending: that was a record.
                let record_at = (path.len() == 2).then(|| Location {
                    pointer: Some(path.iter().map(|(n, i)| format!("/{n}[{i}]")).collect()),
                    ..Location::default()
                });
                path.pop();
                counts.pop();
                if counts.is_empty() {
                    counts.push(HashMap::new());
                }
                match record_at {
                    Some(at) => sink.row(&record, at),
                    None if path.len() <= 1 => sink.record(&record),
                    None => continue,
                }
                record.clear();
            }
            Event::Text(t) => pending.push_str(&unescape(&String::from_utf8_lossy(t.as_ref()))),
            Event::CData(t) => pending.push_str(&String::from_utf8_lossy(t.as_ref())),
            Event::GeneralRef(r) => pending.extend(super::office::reference(&r)),
            Event::Eof => break,
            _ => {}
        }
    }
    sink.record(&record);
    Ok(())
}

fn push_xml_field(
    record: &mut Vec<Field>,
    headers: &mut HashMap<String, Rc<HeaderContext>>,
    ordinal: &mut u64,
    path: &[(String, u64)],
    text: String,
    sink: &Sink,
) {
    if text.trim().is_empty() {
        return;
    }
    *ordinal += 1;
    let header = path.last().map(|(name, _)| {
        Rc::clone(
            headers
                .entry(name.clone())
                .or_insert_with(|| Rc::new(sink.engine().header_context(name))),
        )
    });
    let pointer: String = path.iter().map(|(n, i)| format!("/{n}[{i}]")).collect();
    record.push(Field {
        text: text.into(),
        header,
        location: Location {
            pointer: Some(pointer),
            ordinal: *ordinal,
            ..Location::default()
        },
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_pieces_drop_scripts_and_comments() {
        let p = html_pieces("<p>Hi<!-- x@example.com --><script>var a='<b>'</script>there</p>");
        assert_eq!(
            p,
            vec![
                Piece::Open("p".into()),
                Piece::Text("Hi"),
                Piece::Text("there"),
                Piece::Close("p".into())
            ]
        );
    }

    #[test]
    fn xml_text_is_gathered_across_entity_references() {
        let engine = crate::detect::Engine::new(
            crate::detect::Rules::embedded().unwrap(),
            jiff::civil::Date::new(2026, 1, 1).unwrap(),
        )
        .unwrap();
        let mut sink = Sink::new(&engine, "t.xml".into(), true);
        let xml = "<tenants><tenant><email>jo.bloggs&#64;example.com</email><dob>14/02/1979</dob></tenant></tenants>";
        scan_xml(xml, &mut sink).unwrap();
        let found: Vec<(String, String)> = sink
            .findings
            .iter()
            .map(|f| {
                (
                    f.location.pointer.clone().unwrap(),
                    f.value.clone().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    "/tenants[1]/tenant[1]/email[1]".to_string(),
                    "jo.bloggs@example.com".to_string()
                ),
                (
                    "/tenants[1]/tenant[1]/dob[1]".to_string(),
                    "14/02/1979".to_string()
                )
            ]
        );
    }

    #[test]
    fn entities() {
        assert_eq!(
            unescape("a&amp;b &#64; &#x40; &pound;5 &bogus; &"),
            "a&b @ @ £5 &bogus; &"
        );
    }
}
