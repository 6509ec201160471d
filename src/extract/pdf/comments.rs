//! A PDF's comments: sticky notes, text typed onto a page, and the notes
//! on highlights (each annotation's `/Contents`), which reviewers write
//! about the people in a document. Each is read as text of its own, in the
//! `comment` part of its page, as a Word document's comments are.

use std::collections::BTreeMap;

use lopdf::{Document, Object, ObjectId};

use super::form::{deref, page_annotations, text};
use super::Sink;
use crate::report::Location;

/// Comments read from one page: a page has a few.
const MOST_PER_PAGE: usize = 10_000;

/// Reads every page's comments into `sink`. Returns how many held text.
pub(super) fn read(doc: &Document, pages: &BTreeMap<u32, ObjectId>, sink: &mut Sink) -> usize {
    let mut read = 0;
    for (&number, &page) in pages {
        for (i, annot) in page_annotations(doc, page)
            .iter()
            .take(MOST_PER_PAGE)
            .enumerate()
        {
            let Some(annot) = deref(doc, annot).and_then(|a| a.as_dict().ok()) else {
                continue;
            };
            // A field's value is read with the form's fields; a link's
            // and a pop-up's text is its parent's or nobody's.
            let kind = annot.get(b"Subtype").and_then(Object::as_name).ok();
            if matches!(kind, Some(b"Widget" | b"Link" | b"Popup")) {
                continue;
            }
            let Some(comment) = text(doc, annot, b"Contents").filter(|c| !c.trim().is_empty())
            else {
                continue;
            };
            let at = Location {
                page: Some(u64::from(number)),
                part: Some("comment".into()),
                ordinal: i as u64 + 1,
                ..Location::default()
            };
            sink.text_unit(&comment, &at);
            read += 1;
        }
    }
    read
}
