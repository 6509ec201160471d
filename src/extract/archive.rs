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

pub fn scan_zip(
    mut src: Box<dyn ReadSeek>,
    sink: &mut Sink,
    nest: &mut Nest,
) -> Result<(), Problem> {
    let mut zip = match zip::ZipArchive::new(&mut src) {
        Ok(zip) => zip,
        Err(e) => return recover_zip(src, &e, sink, nest),
    };
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
        let member = Member {
            name: &name,
            size,
            compressed,
            encrypted,
        };
        let unpacked = take_member(sink, nest, member, || match zip.by_index(i) {
            Ok(f) => read_member(f, size),
            Err(e) => Err(format!("cannot unpack: {e}")),
        });
        broken += usize::from(unpacked.is_err());
    }
    if broken > 0 {
        return Err(Problem::Failed(format!(
            "{broken} member(s) could not be unpacked; the others were scanned"
        )));
    }
    Ok(())
}

/// What a zip's header says of a member.
struct Member<'n> {
    name: &'n str,
    size: u64,
    compressed: u64,
    encrypted: bool,
}

/// One member of a zip, from its central directory or its local header:
/// recorded if encrypted or past a limit, else unpacked by `unpack` and
/// scanned. Its bytes unreadable, it is recorded as failed, and why
/// returned.
fn take_member(
    sink: &mut Sink,
    nest: &mut Nest,
    member: Member<'_>,
    unpack: impl FnOnce() -> Result<Vec<u8>, String>,
) -> Result<(), String> {
    let member_path = format!("{}!/{}", sink.path, member.name);
    if member.encrypted {
        nest.record(
            member_path,
            "unknown",
            Problem::Encrypted("encrypted zip member (password required)".into()),
        );
        return Ok(());
    }
    if let Err(limit) = nest.admit(member.size, member.compressed) {
        nest.record(
            member_path,
            "unknown",
            Problem::Skipped(format!("not unpacked: {limit}")),
        );
        return Ok(());
    }
    match unpack() {
        Ok(bytes) => {
            extract_member(sink, nest, member.name, bytes);
            Ok(())
        }
        Err(reason) => {
            nest.record(member_path, "unknown", Problem::Failed(reason.clone()));
            Err(reason)
        }
    }
}

/// A member read from its local header, with what the stream could tell.
type LocalMember<'a> = zip::read::ZipFile<'a, std::io::BufReader<Box<dyn ReadSeek>>>;

/// Reads a zip's members from their local headers, in order, as a zip
/// whose central directory is missing or broken (cut short, say) still has
/// them: each is handed to `each`, until the directory's start, a header
/// that cannot be read, or `each` says why it stops. Returns why it
/// stopped, or None at the directory (every member read).
fn local_members(
    mut src: Box<dyn ReadSeek>,
    mut each: impl FnMut(&mut LocalMember<'_>) -> Result<(), String>,
) -> Result<Option<String>, Problem> {
    src.seek(SeekFrom::Start(0))?;
    let mut stream = std::io::BufReader::new(src);
    loop {
        let mut member = match zip::read::read_zipfile_from_stream(&mut stream) {
            Ok(Some(member)) => member,
            Ok(None) => return Ok(None),
            Err(e) => return Ok(Some(e.to_string())),
        };
        if member.is_dir() {
            continue;
        }
        if let Err(why) = each(&mut member) {
            return Ok(Some(why));
        }
    }
}

/// What reading a broken zip's members from their local headers gave, for
/// its reason: `why` the zip is broken, how many were read, where it broke.
fn read_in_part(why: &str, read: usize, what: &str, stop: Option<String>) -> String {
    let read = match read {
        0 => return why.to_string(),
        1 => format!("the 1 {what} before the break was read from its local header"),
        n => format!("the {n} {what}s before the break were read from their local headers"),
    };
    let stop = stop.map_or(String::new(), |s| format!(" (the break: {s})"));
    format!("{why}; {read}{stop}")
}

/// A zip whose central directory is missing or broken: its members are
/// scanned from their local headers up to the break. The file still fails,
/// its reason saying how many were read.
fn recover_zip(
    src: Box<dyn ReadSeek>,
    why: &zip::result::ZipError,
    sink: &mut Sink,
    nest: &mut Nest,
) -> Result<(), Problem> {
    let mut read = 0;
    let stop = local_members(src, |local| {
        let name = local.name().to_string();
        let (size, compressed) = (local.size(), local.compressed_size());
        let member = Member {
            name: &name,
            size,
            compressed,
            encrypted: local.encrypted(),
        };
        // Cut short within a member: nothing follows it.
        take_member(sink, nest, member, || read_member(local, size))?;
        read += 1;
        Ok(())
    })?;
    let why = format!("corrupt zip: {why}");
    Err(Problem::Failed(read_in_part(&why, read, "member", stop)))
}

/// A document or workbook whose zip directory is broken, its parts read
/// from their local headers up to the break and packed again, whole and
/// stored, so that its reader can read it as far as it goes. Returns the
/// new zip, and the reason the file still fails (`why`, and how many parts
/// were read); None if no part was. Parts are held in memory: they are
/// refused past the compression ratio, and in all past `max_member_bytes`.
pub fn rebuild_zip(
    src: Box<dyn ReadSeek>,
    why: &str,
    limits: &super::Limits,
) -> Option<(Vec<u8>, String)> {
    use std::io::Write;
    let mut packed = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true);
    let (mut read, mut total) = (0, 0u64);
    let stop = local_members(src, |part| {
        let size = part.size();
        total = total.saturating_add(size);
        if size
            > part
                .compressed_size()
                .saturating_mul(limits.max_ratio)
                .max(1 << 20)
        {
            return Err("a part over the compression ratio allowed".into());
        }
        if total > limits.max_member_bytes {
            return Err(format!("over {} bytes unpacked", limits.max_member_bytes));
        }
        let bytes = read_member(&mut *part, size)?;
        packed
            .start_file(part.name(), stored)
            .and_then(|()| Ok(packed.write_all(&bytes)?))
            .map_err(|e| format!("cannot pack it again: {e}"))?;
        read += 1;
        Ok(())
    })
    .ok()?;
    let packed = packed.finish().ok()?.into_inner();
    (read > 0).then(|| (packed, read_in_part(why, read, "part", stop)))
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
    // A gzip cut short (an export still being written, a copy that ran out
    // of room) keeps what unpacked before the break: that part is scanned,
    // and the file still fails, saying so.
    let broken = flate2::read::MultiGzDecoder::new(src)
        .take(cap + 1)
        .read_to_end(&mut bytes)
        .err()
        .map(|e| format!("corrupt gzip: {e}"));
    let unpacked = bytes.len();
    let fail = |why: String, scanned: bool| {
        let scanned = if scanned {
            format!("; the {unpacked} bytes unpacked before it were scanned")
        } else {
            String::new()
        };
        Err(Problem::Failed(format!("{why}{scanned}")))
    };
    if unpacked == 0 {
        if let Some(why) = broken {
            return fail(why, false);
        }
    }
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
        return broken.map_or(Ok(()), |why| fail(why, false));
    }
    extract_member(sink, nest, &name, bytes);
    broken.map_or(Ok(()), |why| fail(why, true))
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};

    use jiff::civil::Date;
    use zip::write::SimpleFileOptions;

    use super::*;
    use crate::detect::{Engine, Rules};
    use crate::extract::Limits;
    use crate::report::Outcome;

    fn engine() -> Engine {
        Engine::new(Rules::embedded().unwrap(), Date::new(2026, 1, 1).unwrap()).unwrap()
    }

    fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in members {
            w.start_file(*name, SimpleFileOptions::default()).unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn scan_bytes(
        bytes: Vec<u8>,
        limits: Limits,
    ) -> (Vec<(String, String)>, Nest<'static>, Result<(), Problem>) {
        let engine = engine();
        let mut sink = Sink::new(&engine, "a.zip".into(), true);
        let mut nest = Nest::new(limits, None);
        let result = scan_zip(Box::new(Cursor::new(bytes)), &mut sink, &mut nest);
        let found = sink
            .findings
            .iter()
            .map(|f| (f.path.clone(), f.detector.clone()))
            .collect();
        (found, nest, result)
    }

    #[test]
    fn members_are_named_through_their_containers() {
        let inner = zip_of(&[("deep/c.txt", b"mail c@example.com\n")]);
        let outer = zip_of(&[
            ("x/a.csv", b"Name,Email\nA,a@example.com\n"),
            ("inner.zip", &inner),
        ]);
        let (found, nest, result) = scan_bytes(outer, Limits::default());
        assert!(result.is_ok());
        assert_eq!(
            found,
            vec![
                ("a.zip!/x/a.csv".to_string(), "email".to_string()),
                (
                    "a.zip!/inner.zip!/deep/c.txt".to_string(),
                    "email".to_string()
                )
            ]
        );
        assert_eq!(nest.members.len(), 3);
        assert!(nest.members.iter().all(|m| m.outcome == Outcome::Scanned));
    }

    #[test]
    fn a_member_that_trips_a_reader_bug_costs_that_member_only() {
        // calamine 0.35 panics on this XLSB (a cell record shorter than it says).
        let broken: &[u8] =
            include_bytes!("../../tests/hostile/xlsb_short_cell_record_panic_cells138.xlsb");
        let outer = zip_of(&[
            ("a.csv", b"Name,Email\nA,a@example.com\n"),
            ("broken.xlsb", broken),
            ("b.txt", b"mail b@example.com\n"),
        ]);
        let (found, nest, result) = scan_bytes(outer, Limits::default());
        assert!(result.is_ok(), "{result:?}");
        let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["a.zip!/a.csv", "a.zip!/b.txt"]);
        let failed: Vec<_> = nest
            .members
            .iter()
            .filter_map(|m| m.record.as_ref())
            .collect();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].path, "a.zip!/broken.xlsb");
        assert_eq!(failed[0].status, Outcome::Failed);
        assert_eq!(
            failed[0].reason,
            "internal error while reading this xlsb file (please report it)"
        );
    }

    #[test]
    fn limits_are_reported_not_silent() {
        let zeros = vec![0u8; 1 << 20];
        let bomb = zip_of(&[("zeros.bin", &zeros)]);
        let (_, nest, _) = scan_bytes(bomb, Limits::default());
        let record = nest.members[0].record.as_ref().unwrap();
        assert_eq!(record.status, Outcome::Skipped);
        assert!(
            record.reason.contains("compression ratio"),
            "{}",
            record.reason
        );

        let mut nested = zip_of(&[("bottom.txt", b"mail z@example.com\n")]);
        for level in 0..4 {
            nested = zip_of(&[(&format!("level{level}.zip"), &nested)]);
        }
        let limits = Limits {
            max_depth: 2,
            ..Limits::default()
        };
        let (found, nest, _) = scan_bytes(nested, limits);
        assert!(found.is_empty());
        assert!(nest.members.iter().any(|m| m
            .record
            .as_ref()
            .is_some_and(|r| r.reason.contains("nested deeper than 2"))));
    }

    /// A file's listing is shared by its members: the first members'
    /// findings are listed, and the rest counted with the rows they fill.
    #[test]
    fn members_share_their_files_listing() {
        let rows = b"Name,Email\nA,a@example.com\nB,b@example.com\nC,c@example.com\n";
        let outer = zip_of(&[("a.csv", rows), ("b.csv", rows)]);
        let limits = Limits {
            max_findings: 4,
            ..Limits::default()
        };
        let got = crate::extract::extract_bytes(&engine(), "a.zip", outer, false, limits);
        let listed: Vec<(&str, Option<u64>)> = got
            .findings
            .iter()
            .map(|f| (f.path.as_str(), f.location.row))
            .collect();
        assert_eq!(
            listed,
            [
                ("a.zip!/a.csv", Some(2)),
                ("a.zip!/a.csv", Some(3)),
                ("a.zip!/a.csv", Some(4)),
                ("a.zip!/b.csv", Some(2)),
            ]
        );
        assert_eq!(got.records.len(), 4);
        assert_eq!(got.unlisted.total(), 2);
        assert_eq!(got.unlisted.rows, 2);
        assert_eq!(got.outcome, Outcome::Scanned);
        assert_eq!(
            got.reason.as_deref(),
            Some("over --max-findings-per-file: the first 4 findings listed, 2 more counted (email 2), and the 2 rows holding only those not judged")
        );
        let whole = crate::extract::extract_bytes(
            &engine(),
            "a.zip",
            zip_of(&[("a.csv", rows), ("b.csv", rows)]),
            false,
            Limits::default(),
        );
        assert_eq!(whole.findings.len(), 6);
        assert!(whole.unlisted.is_empty() && whole.reason.is_none());
    }

    #[test]
    fn corrupt_zip_fails_with_reason() {
        let (_, _, result) = scan_bytes(b"PK\x03\x04 not really a zip".to_vec(), Limits::default());
        assert!(matches!(result, Err(Problem::Failed(r)) if r.starts_with("corrupt zip")));
    }

    /// A zip cut short has no central directory: its members are read from
    /// their local headers up to the break, and the one cut through fails.
    #[test]
    fn a_zip_cut_short_is_read_from_its_local_headers() {
        let long: String = (0..200)
            .map(|i| format!("line {i} of the notes\n"))
            .collect();
        let whole = zip_of(&[
            ("a.csv", b"Name,Email\nA,a@example.com\n"),
            ("x/b.txt", b"mail b@example.com\n"),
            ("c.txt", format!("{long}mail c@example.com\n").as_bytes()),
        ]);
        let directory = whole.windows(4).position(|w| w == b"PK\x01\x02").unwrap();

        // Cut within the last member's data.
        let (found, nest, result) = scan_bytes(whole[..directory - 5].to_vec(), Limits::default());
        let Err(Problem::Failed(reason)) = result else {
            panic!("{result:?}")
        };
        assert!(reason.starts_with("corrupt zip: "), "{reason}");
        assert!(
            reason.contains("; the 2 members before the break were read from their local headers (the break: cannot unpack"),
            "{reason}"
        );
        let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["a.zip!/a.csv", "a.zip!/x/b.txt"]);
        let outcomes: Vec<(Outcome, Option<&str>)> = nest
            .members
            .iter()
            .map(|m| (m.outcome, m.record.as_ref().map(|r| r.path.as_str())))
            .collect();
        assert_eq!(
            outcomes,
            [
                (Outcome::Scanned, None),
                (Outcome::Scanned, None),
                (Outcome::Failed, Some("a.zip!/c.txt"))
            ]
        );

        // Cut within the directory: every member is read.
        let (found, _, result) = scan_bytes(whole[..directory + 10].to_vec(), Limits::default());
        assert!(
            matches!(&result, Err(Problem::Failed(r)) if r.contains("the 3 members before the break")),
            "{result:?}"
        );
        assert_eq!(found.len(), 3);

        // Cut within the first header: nothing read, the reason as before.
        let (found, nest, result) = scan_bytes(whole[..20].to_vec(), Limits::default());
        assert!(
            matches!(&result, Err(Problem::Failed(r)) if r.starts_with("corrupt zip: ") && !r.contains("member")),
            "{result:?}"
        );
        assert!(found.is_empty() && nest.members.is_empty());
    }

    fn scan_gzip_bytes(bytes: Vec<u8>) -> (Vec<String>, Nest<'static>, Result<(), Problem>) {
        let engine = engine();
        let mut sink = Sink::new(&engine, "export.csv.gz".into(), true);
        let mut nest = Nest::new(Limits::default(), None);
        let source = Box::new(Cursor::new(bytes));
        let result = scan_gzip(source, "export.csv".into(), &mut sink, &mut nest);
        let found = sink
            .findings
            .iter()
            .map(|f| f.location.to_string())
            .collect();
        (found, nest, result)
    }

    /// An export cut short keeps the rows before the break: they are
    /// scanned, and the file still fails, saying how much was read.
    #[test]
    fn a_gzip_cut_short_is_scanned_as_far_as_it_goes() {
        let rows: String = (0..2000)
            .map(|i| format!("{i},tenant{i}@example.com,{}\n", "x".repeat(i % 50)))
            .collect();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(format!("id,email,note\n{rows}").as_bytes())
            .unwrap();
        let whole = gz.finish().unwrap();

        let (found, nest, result) = scan_gzip_bytes(whole[..whole.len() / 2].to_vec());
        let Err(Problem::Failed(reason)) = result else {
            panic!("{result:?}")
        };
        assert!(
            reason.starts_with("corrupt gzip: ")
                && reason.contains(" bytes unpacked before it were scanned"),
            "{reason}"
        );
        // The first rows (the header is row 1), and not all of them.
        assert!(found.len() > 100 && found.len() < 2000, "{}", found.len());
        assert_eq!(found[0], "row 2, column \"email\"");
        assert_eq!(nest.members.len(), 1);
        assert_eq!(nest.members[0].outcome, Outcome::Scanned);

        let (found, _, result) = scan_gzip_bytes(whole);
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(found.len(), 2000);

        // Nothing unpacked: only the failure.
        let (found, nest, result) = scan_gzip_bytes(vec![0x1f, 0x8b, 8, 0]);
        assert!(
            matches!(&result, Err(Problem::Failed(r)) if r.starts_with("corrupt gzip: ") && !r.contains("scanned")),
            "{result:?}"
        );
        assert!(found.is_empty() && nest.members.is_empty());
    }
}
