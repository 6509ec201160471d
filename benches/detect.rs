//! Throughput (MB/s) over generated housing-office data: the detectors alone
//! on one buffer (and on a changelog's varied names and addresses), the text extractor with its streaming, and each format's
//! extractor (generated CSV, JSON, NDJSON, HTML, ZIP and gzip; the document
//! fixtures for the formats trawl cannot write itself).

use std::io::{Cursor, Write};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use jiff::civil::Date;

use trawl::detect::{Engine, Rules, Scope};
use trawl::extract::{extract_bytes, text, Limits, Sink};
use trawl::synth::{self, mixed_text, Rng};

fn engine() -> Engine {
    Engine::new(Rules::embedded().unwrap(), Date::new(2026, 1, 1).unwrap()).unwrap()
}

fn detection(c: &mut Criterion) {
    let engine = engine();
    let mut group = c.benchmark_group("detect");
    let corpora = [
        ("sparse", mixed_text(4 << 20, 42, 50)),
        ("dense", mixed_text(4 << 20, 42, 3)),
        // Text whose values are many and varied, as a changelog's are (a
        // name and an address a line, names from the whole gazetteer): it
        // needs many of the lazy DFA's states, and at regex-automata's
        // default cache it ran three times as slow (see `HYBRID_CACHE`).
        ("changelog", changelog_text(4 << 20)),
    ];
    for (name, corpus) in &corpora {
        group.throughput(Throughput::Bytes(corpus.len() as u64));
        group.bench_function(format!("scan_unit/{name}"), |b| {
            let mut hits = Vec::new();
            b.iter(|| {
                hits.clear();
                engine.scan_unit(corpus.as_bytes(), None, 0, &mut hits);
                engine.resolve(&mut hits, Scope::Text);
                hits.len()
            })
        });
        group.bench_function(format!("text_extract/{name}"), |b| {
            b.iter(|| {
                let mut sink = Sink::new(&engine, "bench.txt".into(), false);
                text::scan(Box::new(Cursor::new(corpus.as_bytes().to_vec())), &mut sink).unwrap();
                sink.findings.len()
            })
        });
    }
    group.finish();
}

/// About `bytes` of changelog: entries by people named from the rules'
/// own lists, each with an address, then a line of invented words.
fn changelog_text(bytes: usize) -> String {
    let list = |text: &'static str| -> Vec<&'static str> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    };
    let forenames = list(include_str!("../rules/forenames.txt"));
    let surnames = list(include_str!("../rules/surnames.txt"));
    let capital = |w: &str| -> String {
        let mut c = w.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect())
            .unwrap_or_default()
    };
    let mut rng = Rng::new(7);
    let word = |rng: &mut Rng| -> String {
        (0..3 + rng.below(6))
            .map(|_| char::from(b'a' + rng.below(26) as u8))
            .collect()
    };
    let mut out = String::with_capacity(bytes + 256);
    while out.len() < bytes {
        let (first, last) = (*rng.pick(&forenames), *rng.pick(&surnames));
        out.push_str(&format!(
            "2019-{:02}-{:02}  {} {}  <{first}.{last}@example.org>\n\t* src/{}.c ({}): ",
            1 + rng.below(12),
            1 + rng.below(28),
            capital(first),
            capital(last),
            word(&mut rng),
            word(&mut rng),
        ));
        for _ in 0..8 {
            out.push_str(&word(&mut rng));
            out.push(' ');
        }
        out.push_str("\n\n");
    }
    out
}

/// Rows of an invented tenancy export.
fn rows(n: usize) -> Vec<[String; 6]> {
    let mut rng = Rng::new(9);
    (0..n)
        .map(|_| {
            [
                synth::name(&mut rng),
                synth::birth_date(&mut rng),
                synth::nino(&mut rng),
                synth::email(&mut rng),
                synth::phone(&mut rng),
                "Repairs outstanding: kitchen tap; gas check booked".to_string(),
            ]
        })
        .collect()
}

const HEADER: [&str; 6] = ["Name", "DOB", "NI Number", "Email", "Mobile", "Notes"];

fn csv_bytes(rows: &[[String; 6]]) -> Vec<u8> {
    let mut out = HEADER.join(",") + "\n";
    for r in rows {
        out += &r.join(",");
        out.push('\n');
    }
    out.into_bytes()
}

fn json_bytes(rows: &[[String; 6]], lines: bool) -> Vec<u8> {
    let objects: Vec<String> = rows
        .iter()
        .map(|r| {
            let fields: Vec<String> = HEADER
                .iter()
                .zip(r)
                .map(|(k, v)| format!("{k:?}: {v:?}"))
                .collect();
            format!("{{{}}}", fields.join(", "))
        })
        .collect();
    if lines {
        (objects.join("\n") + "\n").into_bytes()
    } else {
        format!("{{\"tenants\": [{}]}}", objects.join(",\n")).into_bytes()
    }
}

fn html_bytes(rows: &[[String; 6]]) -> Vec<u8> {
    let mut out = String::from("<html><body><table><tr>");
    for h in HEADER {
        out += &format!("<th>{h}</th>");
    }
    out += "</tr>";
    for r in rows {
        out += "<tr>";
        for v in r {
            out += &format!("<td>{v}</td>");
        }
        out += "</tr>\n";
    }
    (out + "</table></body></html>").into_bytes()
}

fn zip_bytes(name: &str, content: &[u8]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    w.start_file(name, zip::write::SimpleFileOptions::default())
        .unwrap();
    w.write_all(content).unwrap();
    w.finish().unwrap().into_inner()
}

fn gzip_bytes(content: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(content).unwrap();
    e.finish().unwrap()
}

fn formats(c: &mut Criterion) {
    let engine = engine();
    let rows = rows(20_000);
    let csv = csv_bytes(&rows);
    let mut inputs: Vec<(String, Vec<u8>)> = vec![
        ("tenants.csv".into(), csv.clone()),
        ("tenants.json".into(), json_bytes(&rows, false)),
        ("tenants.ndjson".into(), json_bytes(&rows, true)),
        ("tenants.html".into(), html_bytes(&rows)),
        ("tenants.zip".into(), zip_bytes("tenants.csv", &csv)),
        ("tenants.csv.gz".into(), gzip_bytes(&csv)),
    ];
    // Formats trawl does not write: the fixtures, where present.
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for rel in [
        "spreadsheets/rents.xlsx",
        "spreadsheets/rents.ods",
        "documents/tenancy_letter.docx",
        "documents/letter.pdf",
        "mail/complaint.eml",
    ] {
        if let Ok(bytes) = std::fs::read(fixtures.join(rel)) {
            inputs.push((rel.rsplit('/').next().unwrap_or(rel).to_string(), bytes));
        }
    }
    let mut group = c.benchmark_group("format");
    for (name, bytes) in &inputs {
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(name.as_str(), |b| {
            b.iter(|| {
                extract_bytes(&engine, name, bytes.clone(), false, Limits::default())
                    .findings
                    .len()
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = detection, formats
}
criterion_main!(benches);
