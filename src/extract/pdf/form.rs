//! A fillable PDF form's fields. What someone typed into a form (an
//! application, a referral, a consent form) is held in its fields, not drawn
//! on its pages: each field with a text value is read, judged beside the
//! field's name as a table's cell is beside its header, and located by the
//! page its box is on and the field's full name.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::super::{header_contexts, Field, Sink};
use crate::report::Location;

/// Fields read from one form, and how deep its tree of fields is followed:
/// a form has tens or hundreds.
const MOST_FIELDS: usize = 100_000;
const MOST_DEPTH: usize = 32;

/// One field with a value.
struct Filled {
    /// The field's full name (`applicant.ni_number`), its pointer.
    name: String,
    /// What the form shows beside it, where it says (its tooltip, `/TU`),
    /// else its own name: the context its value is judged in.
    label: String,
    value: String,
    page: Option<u64>,
}

/// Reads the form's fields into `sink` as one record (the document's).
/// Returns how many held a value.
pub(super) fn read(
    doc: &Document,
    pages: &std::collections::BTreeMap<u32, ObjectId>,
    sink: &mut Sink,
) -> usize {
    let filled = filled_fields(doc, pages);
    if filled.is_empty() {
        return 0;
    }
    let labels: Vec<&str> = filled.iter().map(|f| f.label.as_str()).collect();
    let contexts = header_contexts(sink.engine(), &labels);
    let fields: Vec<Field> = filled
        .iter()
        .zip(contexts)
        .enumerate()
        .map(|(i, (f, context))| Field {
            text: Cow::Borrowed(f.value.as_str()),
            header: context.map(|(_, c)| c),
            location: Location {
                page: f.page,
                pointer: Some(super::super::shown_pointer(&f.name)),
                // After the page's own text, in the form's order.
                ordinal: i as u64 + 1,
                ..Location::default()
            },
        })
        .collect();
    sink.record(&fields);
    filled.len()
}

/// The form's fields that hold text, in the order the form lists them.
fn filled_fields(doc: &Document, pages: &std::collections::BTreeMap<u32, ObjectId>) -> Vec<Filled> {
    let Some(form) = doc
        .catalog()
        .ok()
        .and_then(|c| deref(doc, c.get(b"AcroForm").ok()?))
        .and_then(|o| o.as_dict().ok())
    else {
        return Vec::new();
    };
    let Some(top) = form
        .get(b"Fields")
        .ok()
        .and_then(|o| deref(doc, o))
        .and_then(|o| o.as_array().ok())
    else {
        return Vec::new();
    };
    // Which page each annotation (a field's box) is on.
    let mut page_of: HashMap<ObjectId, u64> = HashMap::new();
    for (&number, &page) in pages {
        for annot in page_annotations(doc, page) {
            if let Ok(id) = annot.as_reference() {
                page_of.entry(id).or_insert(u64::from(number));
            }
        }
    }
    let number_of: HashMap<ObjectId, u64> = pages
        .iter()
        .map(|(&number, &id)| (id, u64::from(number)))
        .collect();
    let mut filled = Vec::new();
    let mut seen: HashSet<ObjectId> = HashSet::new();
    // Depth first, in the form's order: (the field, its parent's full name,
    // its depth).
    let mut stack: Vec<(&Object, String, usize)> =
        top.iter().rev().map(|f| (f, String::new(), 0)).collect();
    let mut visited = 0;
    while let Some((object, parent, depth)) = stack.pop() {
        visited += 1;
        if visited > MOST_FIELDS || depth > MOST_DEPTH {
            break;
        }
        let id = object.as_reference().ok();
        if id.is_some_and(|id| !seen.insert(id)) {
            continue;
        }
        let Some(field) = deref(doc, object).and_then(|o| o.as_dict().ok()) else {
            continue;
        };
        let own = text(doc, field, b"T");
        let name = match (&own, parent.is_empty()) {
            (Some(own), true) => own.clone(),
            (Some(own), false) => format!("{parent}.{own}"),
            (None, _) => parent.clone(),
        };
        let kids = field
            .get(b"Kids")
            .ok()
            .and_then(|k| deref(doc, k))
            .and_then(|k| k.as_array().ok());
        if let Some(value) = value(doc, field).filter(|v| !v.trim().is_empty()) {
            // The page of its own box, or of its first kid's (a field with
            // several boxes shows one value).
            let page = std::iter::once(object)
                .chain(kids.into_iter().flatten())
                .find_map(|b| box_page(doc, b, &page_of, &number_of));
            let label = text(doc, field, b"TU")
                .filter(|l| !l.trim().is_empty())
                .or(own)
                .unwrap_or_else(|| name.clone());
            filled.push(Filled {
                name: name.clone(),
                label,
                value,
                page,
            });
        }
        for kid in kids.into_iter().flatten().rev() {
            stack.push((kid, name.clone(), depth + 1));
        }
    }
    filled
}

/// The page a field's box is on: the page whose annotations list it, or
/// else the page the box names (`/P`).
fn box_page(
    doc: &Document,
    field: &Object,
    page_of: &HashMap<ObjectId, u64>,
    number_of: &HashMap<ObjectId, u64>,
) -> Option<u64> {
    if let Some(page) = field.as_reference().ok().and_then(|id| page_of.get(&id)) {
        return Some(*page);
    }
    let named = deref(doc, field)?.as_dict().ok()?.get(b"P").ok()?;
    number_of.get(&named.as_reference().ok()?).copied()
}

/// A page's annotations (its fields' boxes, comments, links).
pub(super) fn page_annotations(doc: &Document, page: ObjectId) -> &[Object] {
    doc.get_dictionary(page)
        .ok()
        .and_then(|p| deref(doc, p.get(b"Annots").ok()?))
        .and_then(|a| a.as_array().ok())
        .map_or(&[], Vec::as_slice)
}

/// An object, through a reference.
pub(super) fn deref<'d>(doc: &'d Document, object: &'d Object) -> Option<&'d Object> {
    match object {
        Object::Reference(id) => doc.get_object(*id).ok(),
        other => Some(other),
    }
}

/// A text string entry.
pub(super) fn text(doc: &Document, dict: &Dictionary, key: &[u8]) -> Option<String> {
    match deref(doc, dict.get(key).ok()?)? {
        Object::String(bytes, _) => Some(super::pdf_text(bytes)),
        _ => None,
    }
}

/// A field's value as text: a text field's string, or a list's choices;
/// not a check box's or a button's state (a name).
fn value(doc: &Document, field: &Dictionary) -> Option<String> {
    match deref(doc, field.get(b"V").ok()?)? {
        Object::String(bytes, _) => Some(super::pdf_text(bytes)),
        Object::Array(items) => {
            let chosen: Vec<String> = items
                .iter()
                .filter_map(|i| match deref(doc, i)? {
                    Object::String(bytes, _) => Some(super::pdf_text(bytes)),
                    _ => None,
                })
                .collect();
            (!chosen.is_empty()).then(|| chosen.join("\n"))
        }
        _ => None,
    }
}
