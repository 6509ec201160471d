//! Archives: ZIP, tar and gzip, scanned recursively. Members are named
//! `outer.zip!/inner/file.csv`; every limit hit and every encrypted or
//! broken member is reported, never skipped silently.

use std::io::{Read, Seek, SeekFrom};

use super::sniff::{Book, Doc, Kind};
use super::{extract_member, Nest, Problem, ReadSeek, Sink};

/// What a zip really is: a workbook or document (by the parts it holds,
/// not its name), or an archive.
pub fn zip_kind(src: &mut Box<dyn ReadSeek>) -> Result<Kind, Problem> {
    let kind = {
        let mut zip = zip::ZipArchive::new(&mut *src)
            .map_err(|e| Problem::Failed(format!("corrupt zip: {e}")))?;
        let has = |name: &str| zip.index_for_name(name).is_some();
        if has("xl/workbook.xml") {
            Kind::Spreadsheet(Book::Xlsx)
        } else if has("xl/workbook.bin") {
            Kind::Spreadsheet(Book::Xlsb)
        } else if has("word/document.xml") {
            Kind::Office(Doc::Docx)
        } else if has("ppt/presentation.xml") {
            Kind::Office(Doc::Pptx)
        } else {
            let mut mimetype = String::new();
            if let Ok(f) = zip.by_name("mimetype") {
                let _ = f.take(200).read_to_string(&mut mimetype);
            }
            match mimetype.trim() {
                "application/vnd.oasis.opendocument.spreadsheet" => Kind::Spreadsheet(Book::Ods),
                "application/vnd.oasis.opendocument.text" => Kind::Office(Doc::Odt),
                "application/vnd.oasis.opendocument.presentation" => Kind::Office(Doc::Odp),
                _ => Kind::Zip,
            }
        }
    };
    src.seek(SeekFrom::Start(0))?;
    Ok(kind)
}

pub fn scan_zip(src: Box<dyn ReadSeek>, sink: &mut Sink, nest: &mut Nest) -> Result<(), Problem> {
    let mut zip =
        zip::ZipArchive::new(src).map_err(|e| Problem::Failed(format!("corrupt zip: {e}")))?;
    let mut broken = 0;
    for i in 0..zip.len() {
        let (name, size, compressed, encrypted, is_dir) = match zip.by_index_raw(i) {
            Ok(f) => (
                f.name().to_string(),
                f.size(),
                f.compressed_size(),
                f.encrypted(),
                f.is_dir(),
            ),
            Err(e) => {
                broken += 1;
                nest.record(
                    format!("{}!/#{}", sink.path, i + 1),
                    "unknown",
                    Problem::Failed(format!("corrupt zip entry: {e}")),
                );
                continue;
            }
        };
        if is_dir {
            continue;
        }
        let member_path = format!("{}!/{}", sink.path, name);
        if encrypted {
            nest.record(
                member_path,
                "unknown",
                Problem::Encrypted("encrypted zip member (password required)".into()),
            );
            continue;
        }
        if let Err(limit) = nest.admit(size, compressed) {
            nest.record(
                member_path,
                "unknown",
                Problem::Skipped(format!("not unpacked: {limit}")),
            );
            continue;
        }
        let bytes = match zip.by_index(i) {
            Ok(f) => read_member(f, size),
            Err(e) => Err(format!("cannot unpack: {e}")),
        };
        match bytes {
            Ok(bytes) => extract_member(sink, nest, &name, bytes),
            Err(reason) => {
                broken += 1;
                nest.record(member_path, "unknown", Problem::Failed(reason));
            }
        }
    }
    if broken > 0 {
        return Err(Problem::Failed(format!(
            "{broken} member(s) could not be unpacked; the others were scanned"
        )));
    }
    Ok(())
}

/// A member's bytes, refusing more than its header declared (a lying
/// header is how a bomb hides its size).
fn read_member(reader: impl Read, declared: u64) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::with_capacity(declared.min(64 << 20) as usize);
    reader
        .take(declared + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot unpack: {e}"))?;
    if bytes.len() as u64 > declared {
        return Err(format!(
            "unpacks to more than the {declared} bytes its header declares"
        ));
    }
    Ok(bytes)
}

pub fn scan_tar(src: Box<dyn ReadSeek>, sink: &mut Sink, nest: &mut Nest) -> Result<(), Problem> {
    let mut archive = tar::Archive::new(src);
    let entries = archive
        .entries()
        .map_err(|e| Problem::Failed(format!("corrupt tar: {e}")))?;
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                return Err(Problem::Failed(format!(
                    "corrupt tar: {e}; members before it were scanned"
                )))
            }
        };
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry
            .path()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| "(unnamed)".into());
        let size = entry.size();
        let member_path = format!("{}!/{}", sink.path, name);
        if let Err(limit) = nest.admit(size, size) {
            nest.record(
                member_path,
                "unknown",
                Problem::Skipped(format!("not unpacked: {limit}")),
            );
            continue;
        }
        match read_member(&mut entry, size) {
            Ok(bytes) => extract_member(sink, nest, &name, bytes),
            Err(reason) => {
                return Err(Problem::Failed(format!(
                    "{reason} in {name}; members before it were scanned"
                )))
            }
        }
    }
    Ok(())
}

pub fn scan_gzip(
    mut src: Box<dyn ReadSeek>,
    name: String,
    sink: &mut Sink,
    nest: &mut Nest,
) -> Result<(), Problem> {
    let compressed = src.seek(SeekFrom::End(0))?;
    src.seek(SeekFrom::Start(0))?;
    // A gzip does not declare its size: unpack up to the limits and see.
    let cap = nest
        .limits
        .max_member_bytes
        .min(compressed.saturating_mul(nest.limits.max_ratio));
    let mut bytes = Vec::new();
    flate2::read::MultiGzDecoder::new(src)
        .take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Problem::Failed(format!("corrupt gzip: {e}")))?;
    let member_path = format!("{}!/{}", sink.path, name);
    if bytes.len() as u64 > cap {
        let why =
            format!("unpacks to more than {cap} bytes (compression ratio or member size limit)");
        nest.record(
            member_path,
            "unknown",
            Problem::Skipped(format!("not unpacked: {why}")),
        );
        return Ok(());
    }
    if let Err(limit) = nest.admit(bytes.len() as u64, compressed) {
        nest.record(
            member_path,
            "unknown",
            Problem::Skipped(format!("not unpacked: {limit}")),
        );
        return Ok(());
    }
    extract_member(sink, nest, &name, bytes);
    Ok(())
}
