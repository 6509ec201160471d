//! The damaged spreadsheets in `tests/hostile/` (found by fuzzing) are each
//! reported, and none of them stops the scan: run under a 4 GiB address
//! space limit and a deadline, so a file that makes a reader reserve or grow
//! memory without end, or loop, fails this test instead of the machine.

#[allow(dead_code)]
mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// 100,000 attributes on one cell take calamine 13 s (a quadratic check in
/// quick-xml); that file is read correctly, only slowly, so it is left out.
const SLOW: &str = "xlsx_100k_attributes_on_cell_quadratic_13s.xlsx";

#[test]
fn every_hostile_spreadsheet_is_reported_and_the_scan_goes_on() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("xls") && n != SLOW)
        .collect();
    files.sort();
    assert!(files.len() >= 16, "{files:?}");

    let out = tempfile::tempdir().unwrap();
    let report = out.path().join("report.json");
    let mut scan = Command::new(assert_cmd::cargo::cargo_bin("trawl"));
    scan.args(["scan", "--quiet", "--format", "json", "--out"])
        .arg(&report)
        .current_dir(&dir)
        .args(&files)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    common::limit_address_space(&mut scan);
    let mut child = scan.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("the scan did not finish in 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    // No findings, some files unreadable: a clean exit (a kill or an abort
    // has no code).
    assert_eq!(status.code(), Some(0), "{status:?}");

    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let mut reported: Vec<(String, String, String, String)> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let field = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (
                field("path"),
                field("status"),
                field("format"),
                field("reason"),
            )
        })
        .collect();
    reported.sort();
    let paths: Vec<&str> = reported.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(paths, files);
    for (path, status, format, reason) in &reported {
        assert_eq!(status, "failed", "{path}: {reason}");
        // The format is still named when a reader trips on the file.
        assert_eq!(Some(format.as_str()), path.rsplit('.').next(), "{path}");
        if path.starts_with("xls_cfb") {
            // Refused before calamine's container reader saw it.
            assert!(
                reason.starts_with("corrupt workbook: its compound file is damaged")
                    || reason.starts_with("not a workbook"),
                "{path}: {reason}"
            );
        }
    }
}

/// Zlib at its best, as a PDF stream with `extra` in its dictionary.
fn packed_stream(data: &[u8], extra: &str) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    let z = e.finish().unwrap();
    let mut s = format!(
        "<< /Length {} /Filter /FlateDecode {extra}>>\nstream\n",
        z.len()
    )
    .into_bytes();
    s.extend(z);
    s.extend(b"\nendstream");
    s
}

/// A one-page PDF: catalog, page tree, page, its content (object 4), its
/// font (object 5), then `more` objects; with a classic table, or with
/// `table` in its place (written at the offset it is given).
fn one_page_pdf(
    content: Vec<u8>,
    font: &str,
    more: Vec<Vec<u8>>,
    table: Option<&dyn Fn(usize) -> Vec<u8>>,
) -> Vec<u8> {
    let mut objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R \
          /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_vec(),
        content,
        format!("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica {font} >>").into_bytes(),
    ];
    objects.extend(more);
    let mut pdf = b"%PDF-1.5\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend(format!("{} 0 obj\n", i + 1).as_bytes());
        pdf.extend(body);
        pdf.extend(b"\nendobj\n");
    }
    let at = pdf.len();
    match table {
        Some(table) => pdf.extend(table(at)),
        None => {
            pdf.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
            for o in offsets {
                pdf.extend(format!("{o:010} 00000 n \n").as_bytes());
            }
            pdf.extend(
                format!(
                    "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{at}\n%%EOF\n",
                    objects.len() + 1
                )
                .as_bytes(),
            );
        }
    }
    pdf
}

/// Writes `files` into `dir` and scans them under the 4 GiB address-space
/// limit, expecting findings; the JSON report.
fn scan_limited(dir: &Path, files: &[(&str, Vec<u8>)]) -> serde_json::Value {
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let report = dir.join("report.json");
    let mut scan = Command::new(assert_cmd::cargo::cargo_bin("trawl"));
    scan.args(["scan", "--quiet", "--format", "json", "--out"])
        .arg(&report)
        .current_dir(dir)
        .args(files.iter().map(|f| f.0))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    common::limit_address_space(&mut scan);
    let status = scan.status().unwrap();
    assert_eq!(status.code(), Some(1), "{status:?}");
    serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap()
}

/// Each file the report lists as not read (all failed), with its reason,
/// in order.
fn failed(doc: &serde_json::Value) -> Vec<(String, String)> {
    let mut reported: Vec<(String, String)> = doc["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["status"], "failed", "{e}");
            (
                e["path"].as_str().unwrap().to_string(),
                e["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    reported.sort();
    reported
}

/// The path and detector of each finding whose detector `keep` keeps, in
/// order.
fn found(doc: &serde_json::Value, keep: impl Fn(&str) -> bool) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| keep(f["detector"].as_str().unwrap()))
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["detector"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

/// PDFs built to make the PDF library take more memory than a machine has
/// (before trawl measured them first, the first two aborted the scan under
/// this limit): each is reported, what can be read of it is, and the scan
/// goes on to the next file.
#[test]
fn every_hostile_pdf_is_reported_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let shown = |text: &str| format!("BT /F1 12 Tf 72 700 Td ({text}) Tj ET\n").into_bytes();
    let encoding = "/Encoding /WinAnsiEncoding";
    // One page whose drawing commands unpack to 100 MiB (lopdf: 8 GB).
    let mut commands = shown("Email jo.bloggs@example.com");
    while commands.len() < 100 << 20 {
        commands.extend(b"0 0 Td\n");
    }
    let files: Vec<(&str, Vec<u8>)> = vec![
        (
            "content_bomb.pdf",
            one_page_pdf(packed_stream(&commands, ""), encoding, vec![], None),
        ),
        (
            // A cross-reference stream naming 100 million objects in 600
            // bytes (lopdf asked for 1.6 GB at once, and aborted).
            "xref_index.pdf",
            one_page_pdf(
                packed_stream(&shown("Email jo.bloggs@example.com"), ""),
                encoding,
                vec![],
                Some(&|at| {
                    format!(
                        "6 0 obj\n<< /Type /XRef /Size 7 /Index [0 100000000] /W [0 0 0] \
                         /Root 1 0 R /Length 0 >>\nstream\n\nendstream\nendobj\n\
                         startxref\n{at}\n%%EOF\n"
                    )
                    .into_bytes()
                }),
            ),
        ),
        (
            // A font whose character map unpacks to 100 MiB.
            "font_map.pdf",
            one_page_pdf(
                packed_stream(&shown("Email jo.bloggs@example.com"), ""),
                "/ToUnicode 6 0 R",
                vec![packed_stream(&vec![b' '; 100 << 20], "")],
                None,
            ),
        ),
        (
            "letter.pdf",
            one_page_pdf(
                packed_stream(&shown("Call 07700 900123"), ""),
                encoding,
                vec![],
                None,
            ),
        ),
    ];
    let doc = scan_limited(dir.path(), &files);
    let reported = failed(&doc);
    assert_eq!(
        reported,
        [
            (
                "content_bomb.pdf".to_string(),
                "page 1 was not read: its content unpacks to more than 64 MiB (a compression bomb \
                 guard)"
                    .to_string()
            ),
            (
                "font_map.pdf".to_string(),
                "page 1 was read in part: a font's character map unpacks past the limits (a \
                 compression bomb guard), so its text was read without it"
                    .to_string()
            ),
            (
                "xref_index.pdf".to_string(),
                "PDF not read: more than 250000 objects, which would take too much memory to load"
                    .to_string()
            ),
        ]
    );
    let found = found(&doc, |_| true);
    assert_eq!(
        found,
        [
            ("font_map.pdf".to_string(), "email".to_string()),
            ("letter.pdf".to_string(), "uk_phone".to_string()),
        ]
    );
}

/// Messages built to make the email parser take more memory than a
/// machine has (before trawl counted their pieces first, the first aborted
/// the scan under this limit, at 56 times its size): each is reported,
/// a mailbox's other messages are read, and the scan goes on.
#[test]
fn every_hostile_email_is_reported_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let message = |to: &str, body: &str| {
        format!("From: a@example.org\nTo: {to}\nSubject: s\n\n{body}\n").into_bytes()
    };
    let crowded = |addresses: usize| format!("{}b", "a,".repeat(addresses));
    // A message attached base64-encoded, which the parser decodes and
    // parses inside the one holding it.
    let encoded: String = {
        use std::fmt::Write;
        let inner = message(&crowded(4_000_000), "");
        let mut hex = String::new();
        // Quoted-printable, every byte escaped: no comma shows.
        for (i, b) in inner.iter().enumerate() {
            write!(hex, "={b:02X}").unwrap();
            if i % 25 == 24 {
                hex.push_str("=\n");
            }
        }
        hex
    };
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("addresses.eml", message(&crowded(40_000_000), "")),
        (
            "forwarded.eml",
            format!(
                "From: a@example.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\
                 Content-Type: text/plain\n\nCall 07700 900456\n--b\n\
                 Content-Type: message/rfc822\nContent-Transfer-Encoding: quoted-printable\n\n\
                 {encoded}\n--b--\n"
            )
            .into_bytes(),
        ),
        (
            "inbox.mbox",
            [
                b"From x@y Mon Jan  1 00:00:00 2024\n".to_vec(),
                message("b@example.org", "Call 07700 900123"),
                b"From x@y Mon Jan  1 00:00:00 2024\n".to_vec(),
                message(&crowded(2_000_000), "Call 07700 900789"),
                b"From x@y Mon Jan  1 00:00:00 2024\n".to_vec(),
                message("b@example.org", "Account 12345678, sort code 20-00-00"),
            ]
            .concat(),
        ),
        ("letter.eml", message("b@example.org", "Call 07700 900321")),
    ];
    let doc = scan_limited(dir.path(), &files);
    let reported = failed(&doc);
    let paths: Vec<&str> = reported.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(paths, ["addresses.eml", "forwarded.eml", "inbox.mbox"]);
    let over =
        "header lines, addresses, parameters and parts, over the 1000000 one message may have";
    for (path, reason) in &reported {
        assert!(reason.contains(over), "{path}: {reason}");
    }
    assert!(
        reported[0].1.starts_with("email not read: 40000006 "),
        "{}",
        reported[0].1
    );
    assert!(reported[2]
        .1
        .starts_with("1 message(s) not read (message 2: 2000006 "));
    assert!(reported[2].1.ends_with("; the others were scanned"));

    let mut found = found(&doc, |detector| detector != "email");
    found.dedup();
    assert_eq!(
        found,
        [
            ("inbox.mbox".to_string(), "uk_bank_account".to_string()),
            ("inbox.mbox".to_string(), "uk_phone".to_string()),
            ("inbox.mbox".to_string(), "uk_sort_code".to_string()),
            ("letter.eml".to_string(), "uk_phone".to_string()),
        ]
    );
}

#[test]
fn every_hostile_rtf_is_reported_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let rtf = |body: &str| format!("{{\\rtf1\\ansi {body}").into_bytes();
    let files: Vec<(&str, Vec<u8>)> = vec![
        // Five million groups opened.
        ("deep.rtf", rtf(&"{".repeat(5_000_000))),
        // Binary data said to run for 4 GB, in a file of a few bytes.
        (
            "binary.rtf",
            rtf("Call 07700 900111\\par \\bin4000000000 x}"),
        ),
        // A control word of 20 million letters and a parameter of a million digits.
        (
            "words.rtf",
            rtf(&format!(
                "\\{}1 \\u{} ?Call 07700 900222\\par}}",
                "q".repeat(20_000_000),
                "9".repeat(1_000_000)
            )),
        ),
        // Parts in parts, a hundred deep, each with a paragraph of 256 KiB.
        (
            "parts.rtf",
            rtf(&format!(
                "{}Call 07700 900333\\par{}}}",
                format!("{{\\footnote {}", "x".repeat(256 << 10)).repeat(100),
                "}".repeat(100)
            )),
        ),
        ("letter.doc", rtf("Call 07700 900444\\par}")),
    ];
    let doc = scan_limited(dir.path(), &files);
    let reported = failed(&doc);
    assert_eq!(
        reported,
        [
            (
                "binary.rtf".to_string(),
                "RTF cut short: it ends with 1 group(s) still open; the text up to there was scanned"
                    .to_string()
            ),
            (
                "deep.rtf".to_string(),
                "damaged RTF: groups nested more than 10000 deep; the text before them was scanned"
                    .to_string()
            ),
        ]
    );
    assert_eq!(
        found(&doc, |_| true),
        [
            ("binary.rtf".to_string(), "uk_phone".to_string()),
            ("letter.doc".to_string(), "uk_phone".to_string()),
            ("parts.rtf".to_string(), "uk_phone".to_string()),
            ("words.rtf".to_string(), "uk_phone".to_string()),
        ]
    );
}

/// A PowerPoint record: version and instance, type, length, body.
fn ppt_record(container: bool, kind: u16, body: &[u8]) -> Vec<u8> {
    let mut out = u16::from(container)
        .wrapping_mul(0xF)
        .to_le_bytes()
        .to_vec();
    out.extend(kind.to_le_bytes());
    out.extend((body.len() as u32).to_le_bytes());
    out.extend(body);
    out
}

/// A `.ppt` of the given PowerPoint Document stream (no Current User: the
/// last edit stored is the one read).
fn ppt(stream: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut file =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, std::io::Cursor::new(Vec::new()))
            .unwrap();
    let mut document = file.create_stream("PowerPoint Document").unwrap();
    document.write_all(stream).unwrap();
    drop(document);
    file.flush().unwrap();
    file.into_inner().into_inner()
}

/// Presentations built to make a reader take the square of their size, or
/// a stack as deep as they are: each is read in bounded time and memory,
/// said to be damaged, and the scan goes on.
#[test]
fn every_hostile_ppt_is_reported_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    // A slide list of one slide (persist 2, stored nowhere) whose outline
    // holds a phone number, as persist 1.
    let mut list_atom = 2u32.to_le_bytes().to_vec();
    list_atom.extend([0; 16]);
    let slide_list = ppt_record(
        true,
        0x0FF0,
        &[
            ppt_record(false, 0x03F3, &list_atom),
            ppt_record(false, 0x0FA8, b"Call 07700 900555"),
        ]
        .concat(),
    );
    let document = ppt_record(true, 0x03E8, &slide_list);
    // One persist directory of a million entries (256 runs of 4,095), then
    // 100,000 edits, each naming it and the edit before.
    let mut edits = document.clone();
    let directory_at = edits.len() as u32;
    let mut entries = Vec::new();
    for run in 0..256u32 {
        entries.extend(((4095 << 20) | (1 + run * 4095)).to_le_bytes());
        entries.extend(std::iter::repeat_n(0u32.to_le_bytes(), 4095).flatten());
    }
    edits.extend(ppt_record(false, 0x1772, &entries));
    let mut before = 0u32;
    for _ in 0..100_000 {
        let at = edits.len() as u32;
        let mut edit = vec![0u8; 28];
        edit[8..12].copy_from_slice(&before.to_le_bytes());
        edit[12..16].copy_from_slice(&directory_at.to_le_bytes());
        edit[16..20].copy_from_slice(&1u32.to_le_bytes());
        edits.extend(ppt_record(false, 0x0FF5, &edit));
        before = at;
    }
    // Five million containers, each inside the one before, and no edit.
    let mut nested = Vec::with_capacity(40_000_020);
    for i in 0..5_000_000u32 {
        nested.extend([0x0F, 0, 0xEE, 0x03]);
        nested.extend((40_000_000 - 8 * i + 12).to_le_bytes());
    }
    nested.extend(ppt_record(false, 0x0FA8, b"Call 07700 900666"));
    let files = vec![
        ("edits.ppt", ppt(&edits)),
        ("nested.ppt", ppt(&nested)),
        (
            "deck.ppt",
            ppt(&ppt_record(false, 0x0FA8, b"Call 07700 900777")),
        ),
    ];
    let doc = scan_limited(dir.path(), &files);
    let absent = "corrupt PowerPoint presentation: its Current User stream is missing or damaged, and no edit is stored; its text was read as stored, without slide numbers";
    assert_eq!(
        failed(&doc),
        [
            (
                "deck.ppt".to_string(),
                absent.to_string()
            ),
            (
                "edits.ppt".to_string(),
                "corrupt PowerPoint presentation: 1 of its slides and notes pages are not where its edits say (a slide's text kept in its outline was read); the rest was scanned".to_string()
            ),
            (
                "nested.ppt".to_string(),
                "corrupt PowerPoint presentation: its Current User stream is missing or damaged, and no edit is stored; records in it run past their containers' ends (they were cut there) or nest too deep; its text was read as stored, without slide numbers".to_string()
            ),
        ]
    );
    assert_eq!(
        found(&doc, |_| true),
        [
            ("deck.ppt".to_string(), "uk_phone".to_string()),
            ("edits.ppt".to_string(), "uk_phone".to_string()),
        ]
    );
}
