//! Property tests: the parsers never panic on any input, and results do not
//! depend on how a stream happens to be cut.

use std::io::Cursor;

use jiff::civil::Date;
use proptest::prelude::*;

use trawl::classify::{policy::Policy, Classifier};
use trawl::detect::validators::{parse_uk_date, ValidateCtx, Validator};
use trawl::detect::{Confidence, Engine, Rules};
use trawl::extract::form::{read_form, FormCell};
use trawl::extract::RecordDraft;
use trawl::extract::{delimited, find_header, json, markup, sniff, text, Sink};
use trawl::report::{mask, Finding, Location};

fn engine() -> &'static Engine {
    use std::sync::OnceLock;
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        Engine::new(Rules::embedded().unwrap(), Date::new(2026, 1, 1).unwrap()).unwrap()
    })
}

fn reader(bytes: &[u8]) -> Box<dyn std::io::Read> {
    Box::new(Cursor::new(bytes.to_vec()))
}

/// Bytes that look a little like the files trawl meets: fragments of
/// personal values, separators, quotes, braces and noise.
fn share_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(b"NI number AB 12 34 56 C".to_vec()),
        Just(b"DOB 03/04/1985".to_vec()),
        Just(b"jane@example.com".to_vec()),
        Just(b"sort code 20-45-77 31926819".to_vec()),
        Just(b"NHS 943 476 5919".to_vec()),
        Just(b"has asthma".to_vec()),
        // Names, labels and small words, in capitals and not.
        Just(b"Name: ".to_vec()),
        Just(b"Tenant: ".to_vec()),
        Just(b"Mr MAC GIOLLA ".to_vec()),
        Just("Siobhán Ní Bhriain".as_bytes().to_vec()),
        Just(b"Jane O'Driscoll".to_vec()),
        Just(b" al-".to_vec()),
        Just(b"SMITH, ".to_vec()),
        Just(b",".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"{\"dob\": \"".to_vec()),
        Just(b"[".to_vec()),
        Just(b"}".to_vec()),
        Just("é£€".as_bytes().to_vec()),
        Just(b"<table><tr><th>".to_vec()),
        Just(b"</th><td>".to_vec()),
        Just(b"<!-- ".to_vec()),
        Just(b" -->".to_vec()),
        Just(b"<script type=\"application/json\">".to_vec()),
        Just(b"</script>".to_vec()),
        Just(b"<input name=\"dob\" value=\"".to_vec()),
        Just(b"<a href='mailto:".to_vec()),
        Just(b"<div data-x=\"{&quot;dob&quot;: &quot;".to_vec()),
        Just(b"'>".to_vec()),
        Just(b"=".to_vec()),
        prop::collection::vec(any::<u8>(), 0..12),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn extractors_never_panic(bytes in share_bytes()) {
        let e = engine();
        let _ = sniff::detect(std::path::Path::new("x.dat"), &bytes);
        let mut sink = Sink::new(e, "x".into(), false);
        let _ = text::scan(reader(&bytes), &mut sink);
        for d in [b',', b'\t', b'|'] {
            let _ = delimited::scan(reader(&bytes), d, &mut sink);
        }
        let _ = json::scan_document(reader(&bytes), &mut sink);
        let _ = json::scan_lines(reader(&bytes), &mut sink);
        let _ = markup::scan(reader(&bytes), true, &mut sink);
        let _ = markup::scan(reader(&bytes), false, &mut sink);
    }

    /// Tables of labels, values and gaps: reading one as a form never
    /// panics, and a form has a cell for each of the table's, a label only
    /// where something is written.
    #[test]
    fn forms_are_read_cell_for_cell(
        rows in prop::collection::vec(prop::collection::vec(prop_oneof![
            Just(""), Just(" "), Just("Name"), Just("DOB:"), Just("Date of birth"),
            Just("Status"), Just("Mrs Nia Okafor"), Just("03/04/1971"), Just("x@example.com"),
        ], 0..5), 0..8),
        marked in any::<bool>(),
    ) {
        let header = find_header(engine(), &rows).map(|(_, h)| h);
        if let Some(form) = read_form(engine(), &rows, header.as_ref(), marked) {
            prop_assert_eq!(form.len(), rows.len());
            for (row, cells) in rows.iter().zip(&form) {
                prop_assert_eq!(row.len(), cells.len());
                for (text, cell) in row.iter().zip(cells) {
                    prop_assert!(!matches!(cell, FormCell::Label) || !text.trim().is_empty());
                }
            }
        }
    }

    /// A form control's value is read whole, whatever attributes come
    /// before and after it, quoted either way or not, holding `>` or not:
    /// found once, in the page's form, under the control's name.
    #[test]
    fn a_control_value_is_read_among_any_attributes(
        before in prop::collection::vec(attribute(), 0..4),
        after in prop::collection::vec(attribute(), 0..4),
        quote in prop_oneof![Just("\""), Just("'"), Just("")],
    ) {
        let page = format!(
            "<p>x</p><input {} name=ni value={quote}AB123456C{quote} {}><p>y</p>",
            before.join(" "),
            after.join(" ")
        );
        let mut sink = Sink::new(engine(), "x.html".into(), false);
        markup::scan(reader(page.as_bytes()), true, &mut sink).unwrap();
        let found: Vec<String> = sink.findings.iter().map(|f| f.location.to_string()).collect();
        prop_assert_eq!(found, ["part form, column \"ni\"".to_string()], "{}", page);
    }

    /// What the state keeps is decoded on every rescan: arbitrary bytes, or
    /// a real result damaged here and there, decode or are refused, never
    /// panic.
    #[test]
    fn stored_results_decode_or_are_refused(
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
        damage in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
    ) {
        use trawl::state::packed::{pack, unpack};
        let _ = unpack(&bytes, "a.txt");
        let mut packed = pack(&stored_result(), "a.txt");
        prop_assert!(unpack(&packed, "a.txt").is_some());
        for (at, byte) in damage {
            let n = packed.len();
            packed[at % n] = byte;
        }
        let _ = unpack(&packed, "a.txt");
    }

    #[test]
    fn block_size_does_not_change_findings(bytes in share_bytes(), block in 260usize..2000) {
        let e = engine();
        let run = |block: usize| {
            let mut sink = Sink::new(e, "x".into(), true);
            let _ = text::scan_with_block(reader(&bytes), &mut sink, block);
            sink.findings
        };
        prop_assert_eq!(run(1 << 20), run(block));
    }

    #[test]
    fn validators_never_panic(s in ".{0,40}") {
        let ctx = ValidateCtx::new(Date::new(2026, 1, 1).unwrap());
        for name in Validator::NAMES {
            let _ = Validator::by_name(name).unwrap().validate(&s, &ctx);
        }
    }

    #[test]
    fn uk_dates_read_back(y in 1906i16..2026, m in 1i8..=12, d in 1i8..=28) {
        let as_of = Date::new(2026, 1, 1).unwrap();
        let want = Date::new(y, m, d).unwrap();
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
        let month = months[(m - 1) as usize];
        for text in [
            format!("{d:02}/{m:02}/{y}"),
            format!("{d}-{m}-{y}"),
            format!("{d:02}.{m:02}.{y}"),
            format!("{y}-{m:02}-{d:02}"),
            format!("{d} {month} {y}"),
            format!("{d}th {} {y}", &month[..3]),
            format!("{month} {d}, {y}"),
        ] {
            prop_assert_eq!(parse_uk_date(&text, as_of), Some(want), "{}", text);
        }
    }

    #[test]
    fn masking_hides_at_least_half(s in "[A-Za-z0-9 @.-]{0,30}", ks in 0usize..6, ke in 0usize..6) {
        let masked = mask(&s, ks, ke);
        prop_assert_eq!(masked.chars().count(), s.chars().count());
        let significant = s.chars().filter(|c| c.is_alphanumeric()).count();
        let shown = masked.chars().filter(|c| c.is_alphanumeric()).count();
        prop_assert!(shown * 2 <= significant, "{} -> {}", s, masked);
    }

    /// A policy file is a DPO's text: whatever it holds, checking it names
    /// problems and never panics, and a valid policy's retention judgement
    /// never panics on any trigger cell.
    #[test]
    fn policy_parser_never_panics(
        prefix in prop::sample::select(vec![
            "", "[policy]\nname = \"x\"\n",
            "[policy]\nname = \"x\"\n[[process]]\nid = \"p\"\nname = \"P\"\n",
        ]),
        body in "[\\[\\]a-z_=\" \n0-9(){},.*/-]{0,200}",
    ) {
        let text = format!("{prefix}{body}");
        let (_, checked) = Policy::parse("p.toml", &text, &engine().rules().clone());
        for e in &checked.errors {
            prop_assert!(e.line >= 1 && e.line <= text.lines().count().max(1) + 1);
        }
    }

    #[test]
    fn retention_judgement_never_panics(cell in ".{0,30}", arrears in ".{0,8}") {
        let rules = engine().rules().clone();
        let text = "[policy]\nname = \"x\"\n[[category]]\nid = \"c\"\nlabel = \"C\"\nkind = \"personal\"\nevidence = [\"email\"]\n[[process]]\nid = \"p\"\nname = \"P\"\ncategories = [\"c\"]\nlawful_bases = [\"contract\"]\nretention = { period = \"1000 years\", after = { column = [\"End\"] }, while = { column = \"Arrears\", holds = \"positive\" } }\nmatch = { paths = [\"**\"] }\n";
        let (policy, checked) = Policy::parse("p.toml", text, &rules);
        prop_assert!(checked.errors.is_empty());
        let classifier = Classifier::new(policy.unwrap(), &rules, Date::new(2026, 1, 1).unwrap());
        let draft = RecordDraft {
            path: "a.csv".into(),
            locator: "row 2".into(),
            location: Location::default(),
            headers: vec!["end".to_string(), "arrears".to_string()].into(),
            fields: vec![("end".into(), cell), ("arrears".into(), arrears)],
            document_date: None,
        };
        let mut findings = vec![Finding {
            path: "a.csv".into(),
            location: Location::default(),
            record: "row 2".into(),
            process: None,
            detector: "email".into(),
            category: String::new(),
            confidence: Confidence::High,
            evidence: Vec::new(),
            masked: "*".into(),
            value: None,
            fingerprint: None,
            new: false,
            triage: None,
            value_sha256: None,
        }];
        let records = classifier.classify(vec![draft], &mut findings, None);
        prop_assert_eq!(records.len(), 1);
    }
}

/// A stored result with one finding and one record, as a read file gives.
/// An attribute of a tag, other than `name`, `value` and `type`.
fn attribute() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("class=\"a > b\"".to_string()),
        Just("title='it\"s'".to_string()),
        Just("data-x=\"it's\"".to_string()),
        Just("required".to_string()),
        Just("size=20".to_string()),
        Just("id = 'x'".to_string()),
        Just("placeholder=\"&lt;ref&gt;\"".to_string()),
    ]
}

fn stored_result() -> trawl::state::StoredResult {
    let finding = Finding {
        path: "a.txt".into(),
        location: Location {
            line: Some(2),
            ..Location::default()
        },
        record: "document".into(),
        process: None,
        detector: "email".into(),
        category: "contact_details".into(),
        confidence: Confidence::High,
        evidence: vec!["address_format".into()],
        masked: "j***@*******.com".into(),
        value: None,
        fingerprint: Some("0011".into()),
        new: false,
        triage: None,
        value_sha256: None,
    };
    trawl::state::StoredResult {
        format: "text".into(),
        outcome: trawl::report::Outcome::Scanned,
        reason: None,
        findings: vec![finding],
        records: vec![RecordDraft {
            path: "a.txt".into(),
            locator: "document".into(),
            location: Location::default(),
            headers: std::sync::Arc::from(Vec::<String>::new()),
            fields: vec![("date".into(), "2020-01-01".into())],
            document_date: None,
        }],
        members: Vec::new(),
        unlisted: Default::default(),
    }
}
