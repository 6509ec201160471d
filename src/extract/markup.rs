//! HTML and XML: the text without tags, scripts or styles, and comments.
//!
//! HTML tables (housing systems export them as `.xls`) become records whose
//! header row names each column, as a CSV's does, or one record when they
//! are laid out as a form (see [`super::form`]); other HTML text is running
//! text. Comments, in HTML and XML, are read apart, as a document's comments
//! are: what an author hid from the page is still in the file. So are what
//! a saved web page holds but does not show: its data scripts (JSON, read
//! as a JSON file is), its form controls' values, under their names, and
//! the addresses its links go to (`mailto:`, `tel:`). Code (other scripts)
//! and styles are dropped. XML elements are fields named by their element,
//! and each child of the root element is a record.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::Read;
use std::rc::Rc;

use quick_xml::events::attributes::Attributes;
use quick_xml::events::{BytesStart, Event};

use super::form::{form_fields, read_form, MAX_FORM_ROWS};
use super::{
    find_header, masked_if_value, shown_pointer, tidy, Field, Header, Problem, Sink, TextPos,
    MAX_TITLE_ROWS, MAX_XML_DEPTH,
};
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

/// HTML within another file (an email's body), read as a page is, what it
/// holds placed `within` that file (see [`Sink::take_within`]).
pub fn scan_html_within(html: &str, within: &Location, sink: &mut Sink) {
    let mut page = sink.fork();
    scan_html(html, &mut page);
    sink.take_within(page, within);
}

#[derive(Debug, PartialEq)]
enum Piece<'a> {
    Text(&'a str),
    Open(String),
    Close(String),
    Comment(&'a str),
    /// Data a page holds as JSON: a script whose `type` is JSON's, or an
    /// attribute's value (`data-page="{&quot;props&quot;: …}"`), and the
    /// part it is read as: `script 3` (the page's third script),
    /// `data-page attribute 1` (its first `data-page` holding a brace or
    /// bracket). A script
    /// that is not JSON after all is read as text; an attribute that is
    /// not is code (`x-data="{ open: false }"`) and is not read.
    Data {
        part: String,
        json: Cow<'a, str>,
        script: bool,
    },
    /// A form control's value (`<input value="…">`, a `<select>`'s chosen
    /// option, a `<textarea>`'s text), under its `name` (or `id`).
    Control {
        name: String,
        value: String,
    },
    /// An address a link goes to (`mailto:…`, `tel:…`), without the scheme.
    Link(String),
}

/// Attributes read of one tag, at most: what a tag may say is bounded.
const MAX_ATTRIBUTES: usize = 256;

/// Input types whose value is the page's own (a button's caption), or a
/// code (a checkbox's `on`), or a secret that is no personal data category.
const CONTROLS_NOT_READ: &[&str] = &[
    "button", "checkbox", "color", "file", "image", "password", "radio", "range", "reset", "submit",
];

/// Splits HTML into text, tags and comments, dropping styles and scripts
/// other than data, and keeping what tags hold that is read (controls'
/// values, a select's chosen options and a text area's text among them,
/// links' addresses).
fn html_pieces(html: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = html;
    let mut scripts = 0u64;
    let mut braced: HashMap<String, u64> = HashMap::new();
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
            // `<!-->` and `<!--->` are empty comments, as browsers read them.
            let (comment, next) = if let Some(next) = after.strip_prefix('>') {
                ("", next)
            } else if let Some(next) = after.strip_prefix("->") {
                ("", next)
            } else {
                let end = after.find("-->").unwrap_or(after.len());
                (&after[..end], after.get(end + 3..).unwrap_or(""))
            };
            out.push(Piece::Comment(comment));
            rest = next;
            continue;
        }
        let Some(gt) = tag_end(rest) else {
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
            let end = find_closing_tag(rest, &name);
            if name == "script" {
                scripts += 1;
                let attrs = attributes(inner, name.len());
                if attribute(&attrs, "type").is_some_and(is_json_type) {
                    out.push(Piece::Data {
                        part: format!("script {scripts}"),
                        json: Cow::Borrowed(&rest[..end.unwrap_or(rest.len())]),
                        script: true,
                    });
                }
            }
            rest = match end {
                Some(i) => rest[i..].find('>').map_or("", |j| &rest[i + j + 1..]),
                None => "",
            };
            continue;
        }
        if !closing && (name == "input" || name == "a") {
            out.extend(held_by_tag(&name, &attributes(inner, name.len())));
            continue;
        }
        if !closing && (name == "select" || name == "textarea") {
            let end = find_closing_tag(rest, &name).unwrap_or(rest.len());
            let control = control_name(&attributes(inner, name.len()));
            let values = match name.as_str() {
                "textarea" => vec![unescape(&rest[..end])],
                _ => chosen_options(&rest[..end]),
            };
            for value in values.into_iter().filter(|v| !v.trim().is_empty()) {
                out.push(Piece::Control {
                    name: control.clone(),
                    value,
                });
            }
            rest = rest[end..].find('>').map_or("", |j| &rest[end + j + 1..]);
            continue;
        }
        if closing {
            out.push(Piece::Close(name));
            continue;
        }
        // Only a tag with a brace or bracket in it may hold JSON: most
        // tags' attributes are not parsed.
        if memchr::memchr2(b'{', b'[', inner.as_bytes()).is_some() {
            for (attr, value) in attributes(inner, name.len()) {
                if value.trim_start().starts_with(['{', '[']) {
                    // The page's Nth such attribute of that name.
                    let nth = braced.entry(attr.clone()).or_insert(0u64);
                    *nth += 1;
                    out.push(Piece::Data {
                        part: format!("{attr} attribute {nth}"),
                        json: Cow::Owned(value),
                        script: false,
                    });
                }
            }
        }
        out.push(Piece::Open(name));
    }
    out
}

/// Where the tag that begins `rest` ends: at its first `>` outside a quoted
/// attribute value, as browsers read it (`value="a>b"`). A quote that is
/// never closed quotes nothing: the first `>` ends the tag. Linear: a
/// quote is looked for past the tag only when it is the last of its kind.
fn tag_end(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    let mut after_equals = false;
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'>' => return Some(i),
            b'=' => after_equals = true,
            quote @ (b'"' | b'\'') if after_equals => {
                match memchr::memchr(quote, &bytes[i + 1..]) {
                    Some(j) => i += j + 1,
                    None => return memchr::memchr(b'>', bytes),
                }
                after_equals = false;
            }
            c if c.is_ascii_whitespace() => {}
            _ => after_equals = false,
        }
        i += 1;
    }
    None
}

/// A tag's attributes, named in lower case, their values unescaped; what
/// does not parse is passed over. `inner` is the tag without its angle
/// brackets, its name `name_len` bytes long.
fn attributes(inner: &str, name_len: usize) -> Vec<(String, String)> {
    // `<input … />`: the slash closes the tag and names no attribute.
    let inner = inner.strip_suffix('/').unwrap_or(inner);
    let mut attrs = Attributes::html(inner, name_len);
    attrs.with_checks(false);
    attrs
        .take(MAX_ATTRIBUTES)
        .filter_map(Result::ok)
        .map(|a| {
            let name = String::from_utf8_lossy(a.key.as_ref()).to_ascii_lowercase();
            (name, unescape(&String::from_utf8_lossy(&a.value)))
        })
        .collect()
}

fn attribute<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// `application/json`, `text/json`, `application/ld+json` (schema.org's
/// people and places), any `…+json`, in any case, with parameters.
fn is_json_type(mime: &str) -> bool {
    let mime = mime
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || mime == "text/json" || mime.ends_with("+json")
}

/// What an `<input>` or `<a>` tag holds that is read.
fn held_by_tag(tag: &str, attrs: &[(String, String)]) -> Option<Piece<'static>> {
    if tag == "a" {
        let (scheme, address) = attribute(attrs, "href")?.trim().split_once(':')?;
        if !scheme.eq_ignore_ascii_case("mailto") && !scheme.eq_ignore_ascii_case("tel") {
            return None;
        }
        let address = percent_encoding::percent_decode_str(address);
        return Some(Piece::Link(address.decode_utf8_lossy().into_owned()));
    }
    let kind = attribute(attrs, "type")
        .unwrap_or("text")
        .to_ascii_lowercase();
    let value = attribute(attrs, "value").filter(|v| !v.trim().is_empty())?;
    if CONTROLS_NOT_READ.contains(&kind.trim()) {
        return None;
    }
    Some(Piece::Control {
        name: control_name(attrs),
        value: value.to_string(),
    })
}

/// What names a form control: its `name`, else its `id`.
fn control_name(attrs: &[(String, String)]) -> String {
    attribute(attrs, "name")
        .or_else(|| attribute(attrs, "id"))
        .unwrap_or("")
        .to_string()
}

/// The chosen options of a `<select>` (what it holds, `held`): each one's
/// text, or its `value` when it has none. The others are the choices the
/// form offers (every ethnic group, every religion), not what was chosen:
/// they are not read.
fn chosen_options(held: &str) -> Vec<String> {
    let mut chosen = Vec::new();
    let mut rest = held;
    while let Some(lt) = rest.find('<') {
        rest = &rest[lt..];
        let Some(gt) = tag_end(rest) else { break };
        let inner = &rest[1..gt];
        rest = &rest[gt + 1..];
        let is_option = inner
            .get(..6)
            .is_some_and(|t| t.eq_ignore_ascii_case("option"))
            && !inner[6..].starts_with(|c: char| c.is_ascii_alphanumeric());
        let attrs = if is_option {
            attributes(inner, 6)
        } else {
            continue;
        };
        if attribute(&attrs, "selected").is_none() {
            continue;
        }
        let text = tidy(&unescape(&rest[..rest.find('<').unwrap_or(rest.len())]));
        chosen.push(match text.is_empty() {
            true => attribute(&attrs, "value").unwrap_or("").to_string(),
            false => text,
        });
    }
    chosen
}

/// Where `</name` first begins in `html`, in any case. Compared in place:
/// lowercasing the rest of the document at each script made many small
/// scripts quadratic.
fn find_closing_tag(html: &str, name: &str) -> Option<usize> {
    let bytes = html.as_bytes();
    html.match_indices("</").map(|(i, _)| i).find(|&i| {
        bytes
            .get(i + 2..i + 2 + name.len())
            .is_some_and(|tag| tag.eq_ignore_ascii_case(name.as_bytes()))
    })
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
        // Bytes, not a `str` slice: twelve bytes on may fall inside a
        // character. A ';' found there is whole, so `rest[1..e]` is too.
        let end = rest.as_bytes().iter().take(12).position(|&b| b == b';');
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
    let mut comments = String::new();
    let mut links = String::new();
    let mut data: Vec<(String, Cow<str>, bool)> = Vec::new();
    let mut controls: Vec<(String, String)> = Vec::new();
    let mut view_state = String::new();
    let mut table_no = 0u64;
    // Inside a table: rows of cells, each cell's text and whether it is a
    // header cell (`<th>`).
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut heads: Vec<Vec<bool>> = Vec::new();
    let mut depth = 0usize;
    let mut in_cell = false;
    for piece in html_pieces(html) {
        match piece {
            Piece::Open(t) if t == "table" => {
                depth += 1;
                if depth == 1 {
                    rows.clear();
                    heads.clear();
                }
            }
            Piece::Close(t) if t == "table" && depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    table_no += 1;
                    table_records(&rows, &heads, table_no, sink);
                    rows.clear();
                    heads.clear();
                    // `</td>` may be left out: the table's end ends its cell.
                    in_cell = false;
                }
            }
            Piece::Open(t) if depth > 0 && t == "tr" => {
                rows.push(Vec::new());
                heads.push(Vec::new());
            }
            Piece::Open(t) if depth > 0 && (t == "td" || t == "th") => {
                if rows.is_empty() {
                    rows.push(Vec::new());
                    heads.push(Vec::new());
                }
                if let (Some(r), Some(h)) = (rows.last_mut(), heads.last_mut()) {
                    r.push(String::new());
                    h.push(t == "th");
                }
                in_cell = true;
            }
            Piece::Close(t) if t == "td" || t == "th" => in_cell = false,
            // Lines within a cell (`<br>`, paragraphs) stay apart: run
            // together, `07700 900123<br>nia@example.org` hid the phone.
            Piece::Open(t) | Piece::Close(t)
                if depth > 0 && in_cell && BLOCK_TAGS.contains(&t.as_str()) =>
            {
                if let Some(cell) = rows.last_mut().and_then(|r| r.last_mut()) {
                    cell.push('\n');
                }
            }
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
            Piece::Comment(c) => {
                comments.push_str(&unescape(c));
                comments.push('\n');
            }
            Piece::Data { part, json, script } => data.push((part, json, script)),
            // Wherever it is: old pages lay the whole form out in a table.
            Piece::Control { name, value } if is_view_state(&name) => view_state.push_str(&value),
            // A control in a table's cell is what the cell holds: a grid
            // of inputs is a table, a label beside an input a form.
            Piece::Control { value, .. } if depth > 0 && in_cell => {
                if let Some(cell) = rows.last_mut().and_then(|r| r.last_mut()) {
                    cell.push_str(&value);
                    cell.push('\n');
                }
            }
            Piece::Control { name, value } => controls.push((name, value)),
            Piece::Link(address) => {
                links.push_str(&address);
                links.push('\n');
            }
            Piece::Open(t) | Piece::Close(t) if depth == 0 && BLOCK_TAGS.contains(&t.as_str()) => {
                text.push('\n')
            }
            _ => {}
        }
    }
    if depth > 0 {
        table_records(&rows, &heads, table_no + 1, sink);
    }
    // Lines are of the text with tags removed.
    sink.text_block(
        text.as_bytes(),
        0..text.len(),
        TextPos { line: 1, column: 0 },
    );
    sink.text_unit(&comments, &comments_part());
    sink.text_unit(&links, &part("links"));
    sink.text_unit(
        &view_state_strings(&view_state).join("\n"),
        &part("viewstate"),
    );
    read_controls(&controls, sink);
    for (name, json, script) in data {
        let at = part(&name);
        // A script that is not JSON after all (cut short by a `</script>`
        // in a string, say) is still read, as text.
        if !super::json::scan_embedded(&json, &at, sink) && script {
            sink.text_unit(&json, &at);
        }
    }
}

/// ASP.NET's `__VIEWSTATE` (split as `__VIEWSTATE1`, `__VIEWSTATE2`… when
/// long): the page's controls' state, a grid's rows among them, hidden
/// columns too.
fn is_view_state(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("__VIEWSTATE") else {
        return false;
    };
    rest.bytes().all(|b| b.is_ascii_digit())
}

/// Longest string read out of a view state: what a page's state holds of
/// one control.
const MAX_VIEW_STATE_STRING: u64 = 1 << 16;

/// The strings a view state holds, in order. It is base64 of
/// `ObjectStateFormatter`'s binary (`FF 01` first): a string is a token
/// (`05`, or `1E` as it is added to the table of strings), its length in
/// bytes as 7-bit groups, then UTF-8. Read wherever a token is followed by
/// a plausible string (three or more characters, none a control): a
/// state encrypted, or in an older format, gives nothing.
fn view_state_strings(encoded: &str) -> Vec<String> {
    use base64::Engine as _;
    let encoded: String = encoded.split_whitespace().collect();
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(encoded) else {
        return Vec::new();
    };
    if !bytes.starts_with(&[0xFF, 0x01]) {
        return Vec::new();
    }
    let mut strings = Vec::new();
    let mut i = 2;
    while i < bytes.len() {
        if bytes[i] != 0x05 && bytes[i] != 0x1E {
            i += 1;
            continue;
        }
        let (mut length, mut shift, mut at) = (0u64, 0, i + 1);
        while let Some(&b) = bytes.get(at).filter(|_| shift < 35) {
            length |= u64::from(b & 0x7F) << shift;
            shift += 7;
            at += 1;
            if b & 0x80 == 0 {
                break;
            }
        }
        let text = (3..=MAX_VIEW_STATE_STRING)
            .contains(&length)
            .then(|| bytes.get(at..at + length as usize))
            .flatten()
            .and_then(|b| std::str::from_utf8(b).ok())
            .filter(|t| !t.chars().any(char::is_control));
        match text {
            Some(text) => {
                strings.push(text.to_string());
                i = at + text.len();
            }
            None => i += 1,
        }
    }
    strings
}

/// A page's form controls' values, judged together in the page's record,
/// each under its control's name. A name that is itself a value (a form
/// made for one person, its controls named by her NINO) names nothing and
/// is judged as a value, as a JSON key is.
fn read_controls(controls: &[(String, String)], sink: &mut Sink) {
    let engine = sink.engine();
    let mut fields: Vec<Field> = Vec::new();
    for (name, value) in controls {
        let name = tidy(name);
        let is_value = masked_if_value(engine, &name).is_some();
        let at = |column: Option<Column>, ordinal: usize| Location {
            column,
            ordinal: ordinal as u64 + 1,
            ..part("form")
        };
        if is_value {
            fields.push(Field {
                location: at(None, fields.len()),
                text: name.clone().into(),
                header: None,
            });
        }
        let named = !name.is_empty() && !is_value;
        fields.push(Field {
            location: at(named.then(|| Column::Name(name.clone())), fields.len()),
            text: value.as_str().into(),
            header: named.then(|| Rc::new(engine.header_context(&name))),
        });
    }
    sink.record(&fields);
}

fn part(name: &str) -> Location {
    Location {
        part: Some(name.to_string()),
        ..Location::default()
    }
}

/// Where a document's comments are: one after another, a line each at
/// least.
fn comments_part() -> Location {
    part("comments")
}

/// A table's rows as records, or as one record if it is a form: `heads`
/// says which cells are header cells (`<th>`).
fn table_records(rows: &[Vec<String>], heads: &[Vec<bool>], table: u64, sink: &mut Sink) {
    // The header may be below a title row (a cell spanning the table).
    let opening = &rows[..rows.len().min(MAX_TITLE_ROWS + 1)];
    let header = find_header(sink.engine(), opening);
    if rows.len() <= MAX_FORM_ROWS {
        let tidied: Vec<Vec<String>> = rows
            .iter()
            .map(|row| row.iter().map(|c| tidy(c)).collect())
            .collect();
        // `<th>` first and `<td>` after, in each row that has both a first
        // cell and more: the markup says the first cells are labels.
        let mut labelled = tidied.iter().zip(heads).filter(|(row, _)| {
            row.first().is_some_and(|c| !c.is_empty()) && row.iter().skip(1).any(|c| !c.is_empty())
        });
        let marked = labelled
            .all(|(_, head)| head.first() == Some(&true) && !head.iter().skip(1).any(|&h| h));
        let named = header.as_ref().map(|(_, h)| h);
        if let Some(form) = read_form(sink.engine(), &tidied, named, marked) {
            let fields = form_fields(&tidied, &form, |r, c, label| Location {
                table: Some(table),
                row: Some(r as u64 + 1),
                column: Some(match label {
                    Some(name) => Column::Name(name.to_string()),
                    None => Column::Number(c as u64 + 1),
                }),
                column_index: c as u64 + 1,
                ..Location::default()
            });
            sink.set_table_headers(None);
            let at = Location {
                table: Some(table),
                ..Location::default()
            };
            sink.row(&fields, at);
            return;
        }
    }
    let (header_at, headers) = match header {
        Some((at, header)) => (Some(at), header),
        None => (None, Header::new()),
    };
    let unnamed = Header::new();
    for (r, row) in rows.iter().enumerate() {
        let headers = match header_at {
            Some(at) if r == at => {
                sink.set_table_headers(Some(&headers));
                continue;
            }
            Some(at) if r > at => &headers,
            _ => &unnamed,
        };
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
    sink.set_table_headers(None);
}

fn scan_xml(xml: &str, sink: &mut Sink) -> Result<(), Problem> {
    let mut walker = XmlWalker::new(sink);
    let result = walker.walk(xml);
    let comments = std::mem::take(&mut walker.comments);
    walker.sink.text_unit(&comments, &comments_part());
    let too_deep = walker
        .too_deep
        .then(|| format!("elements nested deeper than {MAX_XML_DEPTH} were not read"));
    match (result, too_deep) {
        (Ok(()), None) => Ok(()),
        (Ok(()), Some(deep)) => Err(Problem::Failed(format!("{deep}; the rest was scanned"))),
        (Err(why), None) => Err(Problem::Failed(why)),
        (Err(why), Some(deep)) => Err(Problem::Failed(format!("{why}; {deep}"))),
    }
}

/// An element of the record being read, or one still open around it.
struct Element {
    /// Index of the element it is in.
    parent: Option<usize>,
    name: String,
    /// Which of its parent's children of this name it is, from 1.
    nth: u64,
}

struct XmlWalker<'s, 'e> {
    sink: &'s mut Sink<'e>,
    /// Elements opened since the last record was judged, and the open ones.
    elements: Vec<Element>,
    /// Indices into `elements` of the open elements, outermost first.
    open: Vec<usize>,
    /// Per open element (and the document), how many of each child name
    /// were seen (for [n]).
    counts: Vec<HashMap<String, u64>>,
    record: Vec<Field<'static>>,
    /// The element each field of `record` is the text of. Fields carry no
    /// pointer while judged: a field's pointer grows with its depth, and a
    /// record can hold a field at every level, so only findings get one.
    field_elements: Vec<Option<usize>>,
    headers: HashMap<String, Rc<HeaderContext>>,
    ordinal: u64,
    /// quick-xml hands text, entity references and CDATA over in pieces;
    /// an element's text is gathered whole before it is judged.
    pending: String,
    /// Elements open below `MAX_XML_DEPTH`, whose text is not read.
    skipped: usize,
    too_deep: bool,
    /// The document's comments, one after another.
    comments: String,
}

impl<'s, 'e> XmlWalker<'s, 'e> {
    fn new(sink: &'s mut Sink<'e>) -> Self {
        XmlWalker {
            sink,
            elements: Vec::new(),
            open: Vec::new(),
            counts: vec![HashMap::new()],
            record: Vec::new(),
            field_elements: Vec::new(),
            headers: HashMap::new(),
            ordinal: 0,
            pending: String::new(),
            skipped: 0,
            too_deep: false,
            comments: String::new(),
        }
    }

    fn walk(&mut self, xml: &str) -> Result<(), String> {
        let mut reader = quick_xml::Reader::from_str(xml);
        loop {
            let event = match reader.read_event() {
                Ok(e) => e,
                Err(e) => {
                    self.push_pending();
                    self.judge(None);
                    return Err(format!(
                        "invalid XML at byte {}: {}",
                        reader.buffer_position(),
                        super::foreign(e)
                    ));
                }
            };
            if matches!(
                event,
                Event::Start(_) | Event::End(_) | Event::Empty(_) | Event::Eof
            ) {
                self.push_pending();
            }
            match event {
                Event::Start(e) => self.open(&e),
                Event::End(_) => self.close(),
                Event::Eof => break,
                _ if self.skipped > 0 => {}
                Event::Text(t) => self
                    .pending
                    .push_str(&unescape(&String::from_utf8_lossy(t.as_ref()))),
                Event::CData(t) => self.pending.push_str(&String::from_utf8_lossy(t.as_ref())),
                Event::GeneralRef(r) => self.pending.extend(super::office::reference(&r)),
                Event::Comment(c) => {
                    self.comments.push_str(&String::from_utf8_lossy(c.as_ref()));
                    self.comments.push('\n');
                }
                _ => {}
            }
        }
        self.judge(None);
        Ok(())
    }

    fn open(&mut self, e: &BytesStart) {
        if self.skipped > 0 || self.open.len() >= MAX_XML_DEPTH {
            self.too_deep = true;
            self.skipped += 1;
            return;
        }
        let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
        let nth = self.counts.last_mut().map_or(1, |seen| {
            let n = seen.entry(name.clone()).or_insert(0);
            *n += 1;
            *n
        });
        self.elements.push(Element {
            parent: self.open.last().copied(),
            name,
            nth,
        });
        self.open.push(self.elements.len() - 1);
        self.counts.push(HashMap::new());
    }

    fn close(&mut self) {
        if self.skipped > 0 {
            self.skipped -= 1;
            return;
        }
        // A child of the root is ending: that was a record.
        let record_at = (self.open.len() == 2).then(|| Location {
            pointer: Some(shown_pointer(&pointer(
                &self.elements,
                self.open.last().copied(),
            ))),
            ..Location::default()
        });
        self.open.pop();
        self.counts.pop();
        if self.counts.is_empty() {
            self.counts.push(HashMap::new());
        }
        if record_at.is_some() || self.open.len() <= 1 {
            self.judge(record_at);
        }
    }

    fn push_pending(&mut self) {
        let text = std::mem::take(&mut self.pending);
        if text.trim().is_empty() {
            return;
        }
        self.ordinal += 1;
        let element = self.open.last().copied();
        let header = element.and_then(|i| self.elements.get(i)).map(|e| {
            let engine = self.sink.engine();
            Rc::clone(
                self.headers
                    .entry(e.name.clone())
                    .or_insert_with(|| Rc::new(engine.header_context(&e.name))),
            )
        });
        self.record.push(Field {
            text: text.into(),
            header,
            location: Location {
                ordinal: self.ordinal,
                ..Location::default()
            },
        });
        self.field_elements.push(element);
    }

    /// Judges the fields gathered, as a row located at `at` or as part of
    /// the document, and gives each finding its field's pointer.
    fn judge(&mut self, at: Option<Location>) {
        let before = self.sink.findings.len();
        match at {
            Some(at) => self.sink.row(&self.record, at),
            None => self.sink.record(&self.record),
        }
        // A finding keeps its field's ordinal, and a record's fields have
        // consecutive ordinals.
        let first_ordinal = self.record.first().map_or(0, |f| f.location.ordinal);
        // Worked out once an element, however many findings its text holds.
        let mut pointers: HashMap<Option<usize>, String> = HashMap::new();
        for finding in &mut self.sink.findings[before..] {
            let element = finding
                .location
                .ordinal
                .checked_sub(first_ordinal)
                .and_then(|i| self.field_elements.get(usize::try_from(i).ok()?))
                .copied()
                .flatten();
            let shown = pointers
                .entry(element)
                .or_insert_with(|| shown_pointer(&pointer(&self.elements, element)));
            finding.location.pointer = Some(shown.clone());
        }
        self.record.clear();
        self.field_elements.clear();
        self.forget_closed_elements();
    }

    /// No field refers to a closed element once its record is judged.
    fn forget_closed_elements(&mut self) {
        let mut kept: Vec<Element> = Vec::with_capacity(self.open.len());
        for &i in &self.open {
            let Some(e) = self.elements.get_mut(i) else {
                continue;
            };
            let parent = kept.len().checked_sub(1);
            kept.push(Element {
                parent,
                name: std::mem::take(&mut e.name),
                nth: e.nth,
            });
        }
        self.open = (0..kept.len()).collect();
        self.elements = kept;
    }
}

/// The path of elements down to `innermost`, as `/name[n]/name[n]`.
fn pointer(elements: &[Element], innermost: Option<usize>) -> String {
    let mut chain = Vec::new();
    // A parent comes before its children, so this ends.
    let mut at = innermost.and_then(|i| elements.get(i));
    while let Some(e) = at {
        chain.push(e);
        at = e.parent.and_then(|i| elements.get(i));
    }
    let mut out = String::new();
    for e in chain.iter().rev() {
        out.push('/');
        out.push_str(&e.name);
        out.push('[');
        out.push_str(&e.nth.to_string());
        out.push(']');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each finding of an HTML page: table, row, column and detector.
    fn html_table_findings(html: &str) -> Vec<(u64, u64, String, String)> {
        let engine = super::super::testing::engine();
        let mut sink = Sink::new(&engine, "t.html".into(), true);
        scan_html(html, &mut sink);
        sink.findings
            .iter()
            .map(|f| {
                let column = match &f.location.column {
                    Some(Column::Name(n)) => n.clone(),
                    Some(Column::Number(n)) => n.to_string(),
                    None => String::new(),
                };
                let (table, row) = (f.location.table.unwrap(), f.location.row.unwrap());
                (table, row, column, f.detector.clone())
            })
            .collect()
    }

    #[test]
    fn a_control_in_a_cell_is_what_the_cell_holds() {
        let html = "<table><tr><th>Name</th><th>DOB</th><th>Ethnicity</th></tr>\
            <tr><td><input name=n1 value='Mrs Nia Okafor'></td><td><input name=d1 value=03/04/1971></td>\
            <td><select name=e1><option>White British<option selected>Black Caribbean</select></td></tr>\
            <tr><td><input name=n2 value='Mr Dev Dunmore'></td><td><input name=d2 value=11/12/1969></td>\
            <td><select name=e2><option selected>White British</select></td></tr></table>\
            <table><tr><th>Date of birth</th><td><input name=x value=05/06/1980></td></tr>\
            <tr><th>Phone</th><td><input name=y value='07700 900123'></td></tr></table>";
        let s = |t: u64, r: u64, c: &str, d: &str| (t, r, c.to_string(), d.to_string());
        assert_eq!(
            html_table_findings(html),
            [
                s(1, 2, "Name", "person_name"),
                s(1, 2, "DOB", "date_of_birth"),
                s(1, 2, "Ethnicity", "ethnic_origin"),
                s(1, 3, "Name", "person_name"),
                s(1, 3, "DOB", "date_of_birth"),
                s(1, 3, "Ethnicity", "ethnic_origin"),
                s(2, 1, "Date of birth", "date_of_birth"),
                s(2, 2, "Phone", "uk_phone"),
            ]
        );
    }

    #[test]
    fn a_table_whose_cells_are_left_open_ends_them() {
        // `</td>` is optional: what follows the table is the page's, its
        // lines and controls too.
        let html = "<table><tr><th>Name<td>Mrs Nia Okafor<tr><th>DOB<td>03/04/1971</table>\
            <p>Call</p><p>07700 900123</p><input name=email value=nia@example.org>";
        let s = |at: &str, d: &str| (at.to_string(), d.to_string());
        assert_eq!(
            html_located(html),
            [
                s("table 1, row 1, column \"Name\"", "person_name"),
                s("table 1, row 2, column \"DOB\"", "date_of_birth"),
                s("line 4, column 1", "uk_phone"),
                s("part form, column \"email\"", "email"),
            ]
        );
    }

    #[test]
    fn lines_within_a_cell_stay_apart() {
        let html = "<table><tr><th>Tenant</th><th>Contact</th><th>Address</th></tr>\
            <tr><td>Mrs Nia Okafor<br>DOB 03/04/1971</td>\
            <td>07700 900123<br/>nia@example.org</td><td><p>Flat 3</p><p>LS6 2QT</p></td></tr>\
            </table>";
        let s = |c: &str, d: &str| (1, 2, c.to_string(), d.to_string());
        assert_eq!(
            html_table_findings(html),
            [
                s("Tenant", "person_name"),
                s("Tenant", "date_of_birth"),
                s("Contact", "uk_phone"),
                s("Contact", "email"),
                s("Address", "uk_postcode"),
            ]
        );
    }

    #[test]
    fn an_html_header_below_a_title_row_names_the_rows_under_it() {
        let html = "<table><tr><td colspan=3>Household members</td></tr>\
            <tr><th>Name</th><th>DOB</th><th>Relationship</th></tr>\
            <tr><td>Jo Bloggs</td><td>02/11/1971</td><td>Partner</td></tr></table>";
        let s = |c: &str| c.to_string();
        assert_eq!(
            html_table_findings(html),
            [
                (1, 3, s("Name"), s("person_name")),
                (1, 3, s("DOB"), s("date_of_birth")),
            ]
        );
    }

    #[test]
    fn html_tables_are_named_by_a_header_row_and_never_by_a_row_of_values() {
        let row = |cells: &[&str]| {
            let cells: String = cells.iter().map(|c| format!("<td>{c}</td>")).collect();
            format!("<tr>{cells}</tr>")
        };
        let html = format!(
            "<table>{}{}</table><table>{}{}</table>",
            row(&["Name", "DOB", "Postcode"]),
            row(&["Mrs Nia Okafor", "02/11/1971", "LS6 2QT"]),
            row(&["Mr Dev Dunmore", "Flat 7", "LS6 2QU"]),
            row(&["Ms Ann Lee", "Flat 9", "LS6 2QW"]),
        );
        let s = |c: &str| c.to_string();
        assert_eq!(
            html_table_findings(&html),
            [
                (1, 2, s("Name"), s("person_name")),
                (1, 2, s("DOB"), s("date_of_birth")),
                (1, 2, s("Postcode"), s("uk_postcode")),
                // No header: the first row is read, its columns numbered.
                (2, 1, s("1"), s("person_name")),
                (2, 1, s("3"), s("uk_postcode")),
                (2, 2, s("1"), s("person_name")),
                (2, 2, s("3"), s("uk_postcode")),
            ]
        );
    }

    #[test]
    fn html_pieces_drop_scripts_and_keep_comments_apart() {
        let p = html_pieces("<p>Hi<!-- x@example.com --><script>var a='<b>'</script>there</p>");
        assert_eq!(
            p,
            vec![
                Piece::Open("p".into()),
                Piece::Text("Hi"),
                Piece::Comment(" x@example.com "),
                Piece::Text("there"),
                Piece::Close("p".into())
            ]
        );
        // A comment left open runs to the end.
        assert_eq!(
            html_pieces("a<!-- b <p>c"),
            vec![Piece::Text("a"), Piece::Comment(" b <p>c")]
        );
        assert_eq!(html_pieces("<!---->"), vec![Piece::Comment("")]);
        for empty in ["<!-->", "<!--->"] {
            assert_eq!(
                html_pieces(&format!("{empty}<p>x")),
                vec![
                    Piece::Comment(""),
                    Piece::Open("p".into()),
                    Piece::Text("x")
                ]
            );
        }
    }

    #[test]
    fn html_pieces_keep_data_scripts_controls_and_addresses() {
        let page = "<script src=a.js></script><script>var t='<p>'</script>\
            <SCRIPT Type='Application/LD+JSON; charset=utf-8'>{\"a\": 1}</script>\
            <script type=text/template><p>x</p></script>\
            <input type=hidden name=ref value=\"T&amp;1\"><input value='x>y' id=dob />\
            <input type=submit value=Save><input type=checkbox name=c value=on>\
            <input name=empty value=''><a href=\"MailTo:jo%40example.org?subject=Hi\">Email</a>\
            <a href=tel:+447700900123>Ring</a><a href=https://example.org/>x</a>\
            <script type=application/json>[1";
        let control = |name: &str, value: &str| Piece::Control {
            name: name.into(),
            value: value.into(),
        };
        assert_eq!(
            html_pieces(page),
            vec![
                Piece::Data {
                    part: "script 3".into(),
                    json: "{\"a\": 1}".into(),
                    script: true,
                },
                control("ref", "T&1"),
                control("dob", "x>y"),
                Piece::Link("jo@example.org?subject=Hi".into()),
                Piece::Text("Email"),
                Piece::Close("a".into()),
                Piece::Link("+447700900123".into()),
                Piece::Text("Ring"),
                Piece::Close("a".into()),
                Piece::Text("x"),
                Piece::Close("a".into()),
                // Left open, a data script runs to the end.
                Piece::Data {
                    part: "script 5".into(),
                    json: "[1".into(),
                    script: true,
                },
            ]
        );
        // A scheme alone is no address.
        assert_eq!(html_pieces("<a href=mailto>x"), [Piece::Text("x")]);
        assert!(is_json_type("text/json") && is_json_type(" application/vnd.api+json "));
        assert!(!is_json_type("module") && !is_json_type("application/jsonp"));
    }

    #[test]
    fn a_select_holds_its_chosen_options_and_a_text_area_its_text() {
        let control = |name: &str, value: &str| Piece::Control {
            name: name.into(),
            value: value.into(),
        };
        let page = "<select name=ethnicity><option value=''>Choose</option>\
            <option value=WB>White British<OPTION value=BC selected>Black Caribbean</option>\
            <optgroup label=Asian><option selected value=PK></option></optgroup></select>\
            <select id=religion><option>Muslim</option><option>Hindu</option></select>\
            <p>x</p><textarea name=notes rows=3>Has <b>epilepsy</b> &amp; asthma</textarea>\
            <textarea name=empty> </textarea><select name=x><option selected>left open";
        assert_eq!(
            html_pieces(page),
            [
                control("ethnicity", "Black Caribbean"),
                control("ethnicity", "PK"),
                Piece::Open("p".into()),
                Piece::Text("x"),
                Piece::Close("p".into()),
                // A text area's text is text, tags and all, as browsers show it.
                control("notes", "Has <b>epilepsy</b> & asthma"),
                control("x", "left open"),
            ]
        );
    }

    #[test]
    fn a_view_state_is_read_for_the_strings_it_holds() {
        use base64::Engine as _;
        let string = |token: u8, s: &str| [&[token, s.len() as u8][..], s.as_bytes()].concat();
        let state = [
            vec![0xFF, 0x01, 0x0F, 0x0F],
            string(0x05, "Nia Okafor"),
            vec![0x64, 0x1F, 0x02, 0x05, 0x02, b'o', b'k'],
            string(0x1E, "AB123456C"),
            string(0x05, "nia@example.org"),
            // The MAC: a token followed by no string.
            vec![0x05, 0x7F, 0x1E, 0x02, 0x00, 0x9A],
        ]
        .concat();
        let encoded = base64::engine::general_purpose::STANDARD.encode(&state);
        assert_eq!(
            view_state_strings(&encoded),
            ["Nia Okafor", "AB123456C", "nia@example.org"]
        );
        // Split over fields as ASP.NET splits a long one.
        // Split over fields as ASP.NET splits a long one, in a form laid
        // out in a table, as old pages are.
        let (a, b) = encoded.split_at(10);
        let page = format!(
            "<form><table><tr><td><input type=hidden name=__VIEWSTATE value={a}>\
             <input type=hidden name=__VIEWSTATE1 value={b}>\
             <input type=hidden name=__VIEWSTATEGENERATOR value=CA0B0334></table></form>"
        );
        let s = |at: &str, d: &str| (at.to_string(), d.to_string());
        assert_eq!(
            html_located(&page),
            [
                s("part viewstate, line 1, column 1", "person_name"),
                s("part viewstate, line 2, column 1", "uk_nino"),
                s("part viewstate, line 3, column 1", "email"),
            ]
        );
        // Not base64 (a field cut short, or not a view state at all), or
        // not `FF 01` (encrypted, or .NET 1's format): nothing.
        assert!(view_state_strings("/wEPDwUKMTY").is_empty());
        assert!(view_state_strings("not base64!").is_empty());
        assert!(view_state_strings(
            &base64::engine::general_purpose::STANDARD.encode([0x05, 3, b'a', b'b', b'c'])
        )
        .is_empty());
    }

    #[test]
    fn a_tag_ends_at_its_first_angle_bracket_outside_quotes() {
        assert_eq!(tag_end("<a title=\"x>y\">z"), Some(14));
        assert_eq!(tag_end("<a title='x\"y'>"), Some(14));
        // A quote not after `=` quotes nothing.
        assert_eq!(tag_end("<a b\"c>d\">"), Some(6));
        // A quote never closed: the first `>`.
        assert_eq!(tag_end("<a title=\"x>y"), Some(11));
        assert_eq!(tag_end("<a title=\"x"), None);
        assert_eq!(
            html_pieces("<p title=\"AB123456C > 2\">x</p>"),
            [
                Piece::Open("p".into()),
                Piece::Text("x"),
                Piece::Close("p".into())
            ]
        );
    }

    /// Each finding of a page: where, what, and its record.
    fn html_findings(html: &str) -> Vec<(String, String, String)> {
        let engine = super::super::testing::engine();
        let mut sink = Sink::new(&engine, "t.html".into(), true);
        scan_html(html, &mut sink);
        sink.findings
            .iter()
            .map(|f| (f.location.to_string(), f.detector.clone(), f.record.clone()))
            .collect()
    }

    /// Each finding of a page: where and what.
    fn html_located(html: &str) -> Vec<(String, String)> {
        let found = html_findings(html).into_iter();
        found.map(|(at, detector, _)| (at, detector)).collect()
    }

    #[test]
    fn data_scripts_are_read_as_json_and_code_is_not() {
        let page = r#"<html><head>
            <script>var contact = "code@example.org";</script>
            <script type="application/ld+json">{"@type": "Person",
              "email": "n.okafor@example.org", "birthDate": "1971-04-03"}</script>
            </head><body><p>Tenant</p>
            <script id="__NEXT_DATA__" type="application/json">{"props": {"pageProps":
              {"tenants": [{"name": "Nia Okafor", "dob": "03/04/1971"}],
               "officer": {"name": "Dev Dunmore", "phone": "07700 900123"}}}}</script>
            <script type="application/json">{"ni": "AB123456C", "cut": "</script>
            </body></html>"#;
        let s = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
        assert_eq!(
            html_findings(page),
            [
                s("part script 2, pointer /email", "email", "document"),
                s(
                    "part script 2, pointer /birthDate",
                    "date_of_birth",
                    "document"
                ),
                // An object in an array is a record, as in a JSON file.
                s(
                    "part script 3, pointer /props/pageProps/tenants/0/name",
                    "person_name",
                    "part script 3, pointer /props/pageProps/tenants/0"
                ),
                s(
                    "part script 3, pointer /props/pageProps/tenants/0/dob",
                    "date_of_birth",
                    "part script 3, pointer /props/pageProps/tenants/0"
                ),
                s(
                    "part script 3, pointer /props/pageProps/officer/name",
                    "person_name",
                    "document"
                ),
                s(
                    "part script 3, pointer /props/pageProps/officer/phone",
                    "uk_phone",
                    "document"
                ),
                // Cut short by `</script>`, so not JSON: read as text.
                s("part script 4, line 1, column 9", "uk_nino", "document"),
            ]
        );
    }

    #[test]
    fn json_in_attributes_is_read_as_json_and_code_in_them_is_not() {
        // Inertia's page data, Livewire's snapshot; Alpine's code, a class
        // binding and a bracket in a title hold no JSON.
        let page = r#"<div id="app" data-page="{&quot;props&quot;: {&quot;tenant&quot;:
              {&quot;name&quot;: &quot;Nia Okafor&quot;, &quot;dob&quot;: &quot;03/04/1971&quot;}}}">
            <div x-data="{ email: 'code@example.org' }" :class="{ 'AB123456C': x }">
            <p title="[draft] AB123456C">x</p>
            <div wire:snapshot='[{"phone": "07700 900123"}]'></div></div></div>"#;
        let s = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
        assert_eq!(
            html_findings(page),
            [
                s(
                    "part data-page attribute 1, pointer /props/tenant/name",
                    "person_name",
                    "document"
                ),
                s(
                    "part data-page attribute 1, pointer /props/tenant/dob",
                    "date_of_birth",
                    "document"
                ),
                s(
                    "part wire:snapshot attribute 1, pointer /0/phone",
                    "uk_phone",
                    "part wire:snapshot attribute 1, pointer /0"
                ),
            ]
        );
    }

    #[test]
    fn form_controls_are_read_under_their_names_and_links_by_their_address() {
        let page = r#"<form><label>Date of birth <input name="dob" value="03/04/1971"></label>
            <input type="text" id="ni_number" value="AB 12 34 56 C">
            <input name="AB123456C" value="yes"><input name="notes" value="Started 03/04/2015">
            <input type="password" name="pin" value="AB654321C"></form>
            <p>Contact: <a href="mailto:nia.okafor%40example.org">the tenant</a>,
            <a href="tel:07700%20900123">her phone</a>.</p>"#;
        let s = |a: &str, b: &str| (a.to_string(), b.to_string(), "document".to_string());
        assert_eq!(
            html_findings(page),
            [
                s("part links, line 1, column 1", "email"),
                s("part links, line 2, column 1", "uk_phone"),
                s("part form, column \"dob\"", "date_of_birth"),
                s("part form, column \"ni_number\"", "uk_nino"),
                // A name that is a value is no name: found, not shown.
                s("part form", "uk_nino"),
            ]
        );
    }

    #[test]
    fn comments_are_read_apart_from_the_page() {
        let engine = super::super::testing::engine();
        let mut sink = Sink::new(&engine, "t.html".into(), true);
        scan_html(
            "<p>Hello</p><!-- was: jo@example.org -->\n<p>x</p><!--\nNI AB123456C -->",
            &mut sink,
        );
        let found: Vec<_> = sink
            .findings
            .iter()
            .map(|f| (f.location.to_string(), f.detector.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("part comments, line 1, column 7".to_string(), "email"),
                ("part comments, line 3, column 4".to_string(), "uk_nino"),
            ]
        );
    }

    #[test]
    fn a_table_laid_out_as_a_form_is_one_record_under_its_labels() {
        let html = "<table><tr><th colspan=2>Tenant</th></tr>\
            <tr><th>Name</th><td>Mrs Nia Okafor</td></tr>\
            <tr><th>Status</th><td>Current</td></tr>\
            <tr><th>Date of birth</th><td>03/04/1971</td></tr>\
            <tr><th>Address</th><td>Flat 3 Mill Court</td></tr>\
            <tr><td></td><td>Leeds LS6 2QT</td></tr>\
            <tr><th>Support needs</th><td>Epilepsy</td></tr></table>";
        let s = |c: &str| c.to_string();
        assert_eq!(
            html_table_findings(html),
            [
                (1, 2, s("Name"), s("person_name")),
                (1, 4, s("Date of birth"), s("date_of_birth")),
                (1, 6, s("Address"), s("uk_postcode")),
                (1, 7, s("Support needs"), s("health_term")),
            ]
        );
        let engine = super::super::testing::engine();
        let mut sink = Sink::new(&engine, "t.html".into(), false);
        scan_html(html, &mut sink);
        // One record: the health term is linked to the person beside it.
        let records: Vec<&str> = sink.records.iter().map(|r| r.locator.as_str()).collect();
        assert_eq!(records, ["table 1"]);
        assert!(sink.findings.iter().all(|f| f.record == "table 1"));
        let health = sink.findings.iter().find(|f| f.detector == "health_term");
        assert!(health
            .unwrap()
            .evidence
            .iter()
            .any(|e| e == "linked:person"));
        // Without `<th>`, two labels the rules know make a form...
        let plain = html.replace("th>", "td>");
        let rows: Vec<u64> = html_table_findings(&plain).iter().map(|f| f.1).collect();
        assert_eq!(rows, [2, 4, 6, 7]);
        // ... and one does not: rows of their own, the birth date unknown.
        let plain = plain.replace("Date of birth", "Started");
        let rows: Vec<u64> = html_table_findings(&plain).iter().map(|f| f.1).collect();
        assert_eq!(rows, [2, 6, 7]);
    }

    #[test]
    fn xml_comments_are_read_apart_even_in_a_broken_document() {
        let engine = engine();
        let mut sink = Sink::new(&engine, "t.xml".into(), false);
        let result = scan_xml(
            "<a><!-- jo@example.org --><b>x</b><!-- NI AB123456C --><c></a>",
            &mut sink,
        );
        assert!(result.is_err());
        let at: Vec<_> = sink
            .findings
            .iter()
            .map(|f| (f.location.to_string(), f.detector.as_str()))
            .collect();
        assert_eq!(
            at,
            [
                ("part comments, line 1, column 2".to_string(), "email"),
                ("part comments, line 2, column 5".to_string(), "uk_nino"),
            ]
        );
    }

    #[test]
    fn invalid_xml_is_described_without_quoting_it() {
        let engine = engine();
        let mut sink = Sink::new(&engine, "t.xml".into(), false);
        // Element names in an export can be anything, a person's among them.
        let xml = "<tenants><JaneSmith>x</JohnSmith></tenants>";
        match scan_xml(xml, &mut sink) {
            Err(Problem::Failed(reason)) => {
                assert!(reason.starts_with("invalid XML at byte "), "{reason}");
                assert!(!reason.contains("Smith"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn xml_text_is_gathered_across_entity_references() {
        let engine = engine();
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

    fn engine() -> crate::detect::Engine {
        crate::detect::Engine::new(
            crate::detect::Rules::embedded().unwrap(),
            jiff::civil::Date::new(2026, 1, 1).unwrap(),
        )
        .unwrap()
    }

    /// A finding's pointer, record and value.
    type Located = (String, String, String);

    #[test]
    fn values_deep_under_long_names_keep_the_ends_of_their_pointer() {
        // 300 levels of 100-character names: each value's whole pointer
        // would be 32 KB, once per value.
        let name = "e".repeat(100);
        let emails: Vec<String> = (0..50).map(|i| format!("p{i}@example.org")).collect();
        let xml = format!(
            "<root>{}{}{}<short>z@example.org</short></root>",
            format!("<{name}>").repeat(300),
            emails.join(" "),
            format!("</{name}>").repeat(300),
        );
        let (found, result) = xml_findings(&xml);
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(found.len(), 51);
        for (pointer, _, _) in &found[..50] {
            assert!(pointer.len() <= crate::extract::MAX_POINTER + '…'.len_utf8());
            assert!(pointer.starts_with("/root[1]/eee") && pointer.contains('…'));
            assert!(pointer.ends_with(&format!("/{name}[1]")), "{pointer}");
        }
        assert_eq!(found[50].0, "/root[1]/short[1]");
    }

    /// Each finding, and the outcome.
    fn xml_findings(xml: &str) -> (Vec<Located>, Result<(), Problem>) {
        let engine = engine();
        let mut sink = Sink::new(&engine, "t.xml".into(), true);
        let result = scan_xml(xml, &mut sink);
        let found = sink
            .findings
            .iter()
            .map(|f| {
                (
                    f.location.pointer.clone().unwrap(),
                    f.record.clone(),
                    f.value.clone().unwrap(),
                )
            })
            .collect();
        (found, result)
    }

    #[test]
    fn xml_findings_are_located_by_their_own_element() {
        let xml = "<people><person><name>x</name><contact>\
                   <email>a.one@example.com</email><email>b.two@example.com</email>\
                   </contact></person>root.text@example.com<person><contact>\
                   <email>c.three@example.com</email></contact></person></people>";
        let (found, result) = xml_findings(xml);
        assert!(result.is_ok());
        let row = |n: u32, p: &str, v: &str| {
            (
                p.to_string(),
                format!("pointer /people[1]/person[{n}]"),
                v.to_string(),
            )
        };
        assert_eq!(
            found,
            vec![
                row(
                    1,
                    "/people[1]/person[1]/contact[1]/email[1]",
                    "a.one@example.com"
                ),
                row(
                    1,
                    "/people[1]/person[1]/contact[1]/email[2]",
                    "b.two@example.com"
                ),
                // Text between records is judged with the record after it.
                row(2, "/people[1]", "root.text@example.com"),
                row(
                    2,
                    "/people[1]/person[2]/contact[1]/email[1]",
                    "c.three@example.com"
                ),
            ]
        );
    }

    /// `<r><rec>`, then `<a>` nested `levels` deep, each holding `text(level)`,
    /// then an email after the deep part.
    fn deep_xml(levels: usize, text: impl Fn(usize) -> String) -> String {
        let mut xml = String::from("<r><rec>");
        for level in 1..=levels {
            xml.push_str("<a>");
            xml.push_str(&text(level));
        }
        xml.push_str(&"</a>".repeat(levels));
        xml.push_str("<email>after.deep@example.com</email></rec></r>");
        xml
    }

    #[test]
    fn deep_xml_is_read_down_to_the_depth_limit() {
        // `r` and `rec` are two levels, so the `a` at level MAX_XML_DEPTH - 2 is
        // the deepest element read.
        let last_read = MAX_XML_DEPTH - 2;
        let xml = deep_xml(10_000, |level| match level {
            l if l == last_read => "last.read@example.com".into(),
            l if l == last_read + 1 => "first.unread@example.com".into(),
            9_999 => "very.deep@example.com".into(),
            _ => "x".into(),
        });
        let (found, result) = xml_findings(&xml);
        match result {
            Err(Problem::Failed(why)) => assert_eq!(
                why,
                "elements nested deeper than 4096 were not read; the rest was scanned"
            ),
            _ => panic!("the depth limit is reported"),
        }
        let record = "pointer /r[1]/rec[1]".to_string();
        assert_eq!(
            found,
            vec![
                (
                    // Shown by its ends: it is 20 KB whole.
                    shown_pointer(&format!("/r[1]/rec[1]{}", "/a[1]".repeat(last_read))),
                    record.clone(),
                    "last.read@example.com".to_string()
                ),
                (
                    "/r[1]/rec[1]/email[1]".to_string(),
                    record,
                    "after.deep@example.com".to_string()
                ),
            ]
        );
    }

    #[test]
    fn deep_xml_within_the_limit_is_read_whole() {
        let xml = deep_xml(MAX_XML_DEPTH - 2, |level| {
            if level == MAX_XML_DEPTH - 2 {
                "deepest@example.com".into()
            } else {
                "x".into()
            }
        });
        let (found, result) = xml_findings(&xml);
        assert!(result.is_ok());
        let values: Vec<&str> = found.iter().map(|(_, _, v)| v.as_str()).collect();
        assert_eq!(values, ["deepest@example.com", "after.deep@example.com"]);
    }

    #[test]
    fn unclosed_deep_xml_ends() {
        let xml = format!("<r><rec>{}", "<a>x".repeat(5_000));
        let (_, result) = xml_findings(&xml);
        assert!(
            matches!(&result, Err(Problem::Failed(why)) if why.contains("nested deeper than 4096")),
            "{:?}",
            result.err().map(|p| p.split().1)
        );
    }

    #[test]
    fn script_and_style_end_at_their_closing_tag_in_any_case() {
        assert_eq!(
            html_pieces("<p>a<script>x='</b>'</SCRIPT >b<style>€{}</Style>c</p>"),
            vec![
                Piece::Open("p".into()),
                Piece::Text("a"),
                Piece::Text("b"),
                Piece::Text("c"),
                Piece::Close("p".into())
            ]
        );
        assert_eq!(
            html_pieces(&"<script>x</script>t".repeat(1000)),
            (0..1000).map(|_| Piece::Text("t")).collect::<Vec<_>>()
        );
    }

    #[test]
    fn script_without_closing_tag_hides_the_rest() {
        assert_eq!(
            html_pieces("<p>a<script>var s = 'jo@example.com';</p>"),
            vec![Piece::Open("p".into()), Piece::Text("a")]
        );
        // Closed but for its '>'.
        assert_eq!(html_pieces("a<STYLE>b</style"), vec![Piece::Text("a")]);
    }

    #[test]
    fn multibyte_text_after_an_ampersand_is_kept() {
        assert_eq!(unescape("&a€€€€"), "&a€€€€");
        // The twelfth byte after '&' is inside the '€'.
        assert_eq!(unescape("&abcdefghij€;"), "&abcdefghij€;");
        assert_eq!(unescape("&#x20AC;&amp;€"), "€&€");
        let engine = engine();
        let mut sink = Sink::new(&engine, "t.html".into(), true);
        scan_html("<p>&a€€€€ jo.bloggs@example.com</p>", &mut sink);
        let values: Vec<_> = sink
            .findings
            .iter()
            .filter_map(|f| f.value.clone())
            .collect();
        assert_eq!(values, ["jo.bloggs@example.com"]);
    }

    #[test]
    fn unescape_takes_any_text() {
        let pieces = [
            "&",
            "€",
            "𝄞",
            "é",
            "a",
            ";",
            "#",
            "x",
            "1",
            "&#x110000;",
            "&#;",
            "&#xD800;",
            "&amp;",
        ];
        let mut inputs = vec![String::new()];
        for _ in 0..4 {
            inputs = inputs
                .iter()
                .flat_map(|s| pieces.iter().map(move |p| format!("{s}{p}")))
                .collect();
            for input in &inputs {
                let out = unescape(input);
                // A reference decodes to one character, never more.
                assert!(out.chars().count() <= input.chars().count(), "{input}");
                if !input.contains(';') {
                    assert_eq!(out, *input);
                }
            }
        }
        for kept in ["&", "&#x110000;", "&#;", "&#x;", "&#xD800;", "&€;", "&;"] {
            assert_eq!(unescape(kept), kept);
        }
    }

    #[test]
    fn entities() {
        assert_eq!(
            unescape("a&amp;b &#64; &#x40; &pound;5 &bogus; &"),
            "a&b @ @ £5 &bogus; &"
        );
    }
}
