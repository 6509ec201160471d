//! Word processing and slides (DOCX, PPTX, ODT, ODP), read from their zip
//! and XML: paragraphs, tables, headers and footers, comments, insertions.

use super::sniff::Doc;
use super::{Problem, ReadSeek, Sink};

pub fn scan(_src: Box<dyn ReadSeek>, _doc: Doc, _sink: &mut Sink) -> Result<(), Problem> {
    Err(Problem::Skipped(
        "office document with no extractor yet".into(),
    ))
}
