//! Property tests: the parsers never panic on any input, and results do not
//! depend on how a stream happens to be cut.

use std::io::Cursor;

use jiff::civil::Date;
use proptest::prelude::*;

use trawl::detect::validators::{parse_uk_date, ValidateCtx, Validator};
use trawl::detect::{Engine, Rules};
use trawl::extract::{delimited, json, sniff, text, Sink};
use trawl::report::mask;

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
        Just(b",".to_vec()),
        Just(b"\t".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"{\"dob\": \"".to_vec()),
        Just(b"[".to_vec()),
        Just(b"}".to_vec()),
        Just("é£€".as_bytes().to_vec()),
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
        let ctx = ValidateCtx { as_of: Date::new(2026, 1, 1).unwrap() };
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
}
