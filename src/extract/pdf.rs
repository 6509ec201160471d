//! PDF: the text of each page, located by `page`.

use super::{Problem, ReadSeek, Sink};

pub fn scan(_src: Box<dyn ReadSeek>, _sink: &mut Sink) -> Result<(), Problem> {
    Err(Problem::Skipped("pdf content with no extractor yet".into()))
}
