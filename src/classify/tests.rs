use super::policy::{parse_period, Period, Unit};
use super::retention::{overdue, parse_date};
use super::*;
use crate::report::Location;

const HEAD: &str = r#"
[policy]
name = "Test"

[[category]]
id = "contact"
label = "Contact details"
kind = "personal"
evidence = ["email", "uk_phone"]

[[category]]
id = "health"
label = "Health"
kind = "special"
special = "health"
evidence = ["health_term", "nhs_number"]

[[category]]
id = "offences"
label = "Criminal offences"
kind = "criminal"
evidence = ["uk_nino"]
"#;

fn rules() -> Rules {
    Rules::embedded().unwrap()
}

fn as_of() -> Date {
    Date::new(2026, 1, 1).unwrap()
}

fn policy(processes: &str) -> Policy {
    let text = format!("{HEAD}\n{processes}");
    let (p, checked) = Policy::parse("test.toml", &text, &rules());
    assert!(
        checked.errors.is_empty(),
        "{}",
        checked.describe("test.toml")
    );
    p.unwrap()
}

fn errors(text: &str) -> Vec<(usize, String)> {
    let (_, checked) = Policy::parse("bad.toml", text, &rules());
    checked
        .errors
        .into_iter()
        .map(|p| (p.line, p.message))
        .collect()
}

fn finding(path: &str, record: &str, detector: &str, confidence: Confidence) -> Finding {
    Finding {
        path: path.into(),
        location: Location::default(),
        record: record.into(),
        process: None,
        detector: detector.into(),
        category: String::new(),
        confidence,
        evidence: Vec::new(),
        masked: "***".into(),
        value: None,
        fingerprint: None,
        new: false,
        triage: None,
        value_sha256: None,
    }
}

fn row(path: &str, headers: &[&str], fields: &[(&str, &str)]) -> RecordDraft {
    RecordDraft {
        path: path.into(),
        locator: "row 2".into(),
        location: Location {
            row: Some(2),
            ..Location::default()
        },
        headers: headers
            .iter()
            .map(|h| crate::detect::context::normalise(h).trim().to_string())
            .collect::<Vec<_>>()
            .into(),
        fields: fields
            .iter()
            .map(|(k, v)| {
                (
                    crate::detect::context::normalise(k).trim().to_string(),
                    v.to_string(),
                )
            })
            .collect(),
        document_date: None,
    }
}

/// The flags one record raises, as names.
fn flags_of(policy: Policy, draft: RecordDraft, detectors: &[(&str, Confidence)]) -> Vec<String> {
    let classifier = Classifier::new(policy, &rules(), as_of());
    let mut findings: Vec<Finding> = detectors
        .iter()
        .map(|(d, c)| finding(&draft.path, &draft.locator, d, *c))
        .collect();
    let records = classifier.classify(vec![draft], &mut findings, None);
    assert_eq!(records.len(), 1);
    records[0]
        .flags
        .iter()
        .map(|f| f.flag.to_string())
        .collect()
}

const RENTS: &str = r#"
[[process]]
id = "rents"
name = "Rents"
categories = ["contact"]
lawful_bases = ["6(1)(b)"]
retention = { period = "6 years", after = { column = ["Tenancy End"] }, missing = "live", while = { column = "Arrears", holds = "positive" } }
match = { paths = ["**/rents/**"], headers = [["Rent Ref"]] }
columns = { lawful_basis = ["Lawful Basis"] }
"#;

#[test]
fn periods() {
    assert_eq!(parse_period("6 years"), Some(Period::Span(6, Unit::Years)));
    assert_eq!(parse_period("1 Month"), Some(Period::Span(1, Unit::Months)));
    assert_eq!(parse_period("30 days"), Some(Period::Span(30, Unit::Days)));
    assert_eq!(parse_period("indefinite"), Some(Period::Indefinite));
    for bad in ["6", "six years", "0 days", "-1 years", "6 fortnights", ""] {
        assert_eq!(parse_period(bad), None, "{bad:?}");
    }
}

#[test]
fn trigger_dates() {
    let d = |y, m, d| Some(Date::new(y, m, d).unwrap());
    assert_eq!(parse_date("31/03/2012", as_of()), d(2012, 3, 31));
    assert_eq!(parse_date("2012-03-31", as_of()), d(2012, 3, 31));
    assert_eq!(parse_date("2012-03-31T09:00:00Z", as_of()), d(2012, 3, 31));
    assert_eq!(parse_date("31 March 2012", as_of()), d(2012, 3, 31));
    assert_eq!(parse_date("TBC", as_of()), None);
    assert_eq!(parse_date("31/02/2012", as_of()), None);
    // Month-first only where day-first cannot be.
    assert_eq!(parse_date("3/28/2010", as_of()), d(2010, 3, 28));
    assert_eq!(parse_date("3/4/2010", as_of()), d(2010, 4, 3));
    assert_eq!(parse_date("2/30/2010", as_of()), None);
}

#[test]
fn overdue_in_words() {
    let d = |y, m, d| Date::new(y, m, d).unwrap();
    assert_eq!(overdue(d(2018, 3, 31), d(2026, 1, 1)), "7 years, 9 months");
    assert_eq!(overdue(d(2025, 12, 20), d(2026, 1, 1)), "12 days");
    assert_eq!(overdue(d(2025, 1, 1), d(2026, 1, 1)), "1 year");
}

#[test]
fn lawful_basis_cells() {
    for yes in [
        "Contract",
        "6(1)(b)",
        "legal obligation",
        "Public task; contract",
        "LEGITIMATE INTERESTS",
    ] {
        assert!(names_a_basis(yes), "{yes}");
    }
    for no in ["", "Because we always have", "yes", "6(2)(b)"] {
        assert!(!names_a_basis(no), "{no}");
    }
}

#[test]
fn policy_errors_name_their_line() {
    let text = format!(
        "{HEAD}\n[[process]]\nid = \"p\"\nname = \"P\"\ncategories = [\"contact\", \"nonsense\"]\nlawful_bases = [\"vibes\"]\nconditions = [\"9(2)(z)\"]\nretention = {{ period = \"6 fortnights\", after = \"modified\" }}\nmatch = {{ paths = [] }}\n"
    );
    let errs = errors(&text);
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.contains(needle))
            .map(|i| i + 1)
            .unwrap()
    };
    let expect = [
        ("unknown category \"nonsense\"", line_of("nonsense")),
        (
            "\"vibes\" is not an Article 6(1) lawful basis",
            line_of("vibes"),
        ),
        (
            "\"9(2)(z)\" is not an Article 9(2) condition",
            line_of("9(2)(z)"),
        ),
        (
            "bad retention period \"6 fortnights\"",
            line_of("fortnights"),
        ),
        ("process \"p\" matches nothing", line_of("match =")),
    ];
    for (message, line) in expect {
        assert!(
            errs.iter().any(|(l, m)| m.contains(message) && *l == line),
            "{message} at line {line}: {errs:?}"
        );
    }
    assert_eq!(errs.len(), expect.len(), "{errs:?}");
}

#[test]
fn category_errors() {
    let errs = errors(
        "[policy]\nname = \"x\"\n[[category]]\nid = \"a\"\nlabel = \"A\"\nkind = \"secret\"\nevidence = [\"uk_ninoo\"]\n[[category]]\nid = \"b\"\nlabel = \"B\"\nkind = \"special\"\nevidence = [\"email\"]\n[[category]]\nid = \"c\"\nlabel = \"C\"\nkind = \"personal\"\nevidence = [\"email\"]\n",
    );
    let has = |line: usize, text: &str| errs.iter().any(|(l, m)| *l == line && m.contains(text));
    assert!(has(6, "unknown kind \"secret\""), "{errs:?}");
    assert!(has(7, "unknown detector \"uk_ninoo\""), "{errs:?}");
    assert!(has(11, "say which special category"), "{errs:?}");
    assert!(has(17, "already evidences category \"b\""), "{errs:?}");
}

#[test]
fn syntax_and_unknown_fields_are_errors_with_lines() {
    let errs = errors("[policy]\nname = \"x\"\n[[category]]\nid = \"a\"\nlable = \"A\"\n");
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].1.contains("lable"), "{errs:?}");
    let errs = errors("[policy]\nname = \"x\n");
    assert_eq!(errs[0].0, 2, "{errs:?}");
}

#[test]
fn the_embedded_and_example_policies_are_valid() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/policies");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let (p, checked) = Policy::parse("p", &text, &rules());
        assert!(
            p.is_some() && checked.errors.is_empty(),
            "{}",
            checked.describe(&path.display().to_string())
        );
        seen += 1;
    }
    assert!(seen >= 5, "the default and four examples");
    assert_eq!(Policy::embedded(&rules()).categories.len(), 18);
}

#[test]
fn first_matching_process_claims_and_says_how() {
    let p = policy(&format!(
        "{RENTS}\n[[process]]\nid = \"all\"\nname = \"All\"\nlawful_bases = [\"contract\"]\nmatch = {{ names = [\"*.CSV\"] }}\n"
    ));
    let rents = &p.processes[0];
    assert_eq!(
        rents.claims("Housing/RENTS/2019.csv", &[]).as_deref(),
        Some("path **/rents/**")
    );
    assert_eq!(
        rents.claims("x.zip!/rents/a.csv", &[]).as_deref(),
        Some("path **/rents/**")
    );
    assert_eq!(
        rents.claims("other/a.csv", &["rent ref".into()]).as_deref(),
        Some("headers [rent ref]")
    );
    assert_eq!(rents.claims("other/a.csv", &[]), None);
    assert_eq!(
        p.processes[1].claims("a/B.csv", &[]).as_deref(),
        Some("name *.CSV")
    );
}

#[test]
fn each_table_of_a_file_is_judged_by_its_own_headers() {
    // Two sheets of one workbook: only the first names a Rent Ref column,
    // and only the second has a Lawful Basis column, empty in its row.
    let classifier = Classifier::new(policy(RENTS), &rules(), as_of());
    let rents = row("book.xlsx", &["Rent Ref", "Email"], &[]);
    let mut rents_too = row("book.xlsx", &[], &[]);
    rents_too.headers = Arc::clone(&rents.headers);
    rents_too.locator = "row 3".into();
    let mut other = row("book.xlsx", &["Email", "Lawful Basis"], &[]);
    other.locator = "row 4".into();
    let mut findings: Vec<Finding> = ["row 2", "row 3", "row 4"]
        .iter()
        .map(|r| finding("book.xlsx", r, "email", Confidence::High))
        .collect();
    let records = classifier.classify(vec![rents, rents_too, other], &mut findings, None);
    let judged: Vec<(&str, Option<&str>, Vec<String>)> = records
        .iter()
        .map(|r| {
            let flags = r.flags.iter().map(|f| f.flag.to_string()).collect();
            (r.record.as_str(), r.matched_by.as_deref(), flags)
        })
        .collect();
    assert_eq!(
        judged,
        [
            // Claimed by the header; no Lawful Basis column: retention
            // unknown (no Tenancy End column either), and no basis missing.
            (
                "row 2",
                Some("headers [rent ref]"),
                vec!["retention_unknown".to_string()]
            ),
            (
                "row 3",
                Some("headers [rent ref]"),
                vec!["retention_unknown".to_string()]
            ),
            // Claimed by no process: no lawful basis recorded.
            ("row 4", None, vec!["no_lawful_basis".to_string()]),
        ]
    );
}

#[test]
fn retention_flags() {
    let p = || policy(RENTS);
    let headers = ["Email", "Tenancy End", "Arrears", "Lawful Basis"];
    let contact = [("email", Confidence::High)];
    let flags =
        |fields: &[(&str, &str)]| flags_of(p(), row("rents/a.csv", &headers, fields), &contact);
    let basis = ("Lawful Basis", "Contract");
    assert_eq!(
        flags(&[("Tenancy End", "31/03/2012"), basis]),
        ["past_retention"]
    );
    assert!(flags(&[("Tenancy End", "31/03/2022"), basis]).is_empty());
    assert!(flags(&[basis]).is_empty(), "empty: a live tenancy");
    assert!(flags(&[
        ("Tenancy End", "31/03/2012"),
        ("Arrears", "£1,200.00"),
        basis
    ])
    .is_empty());
    assert_eq!(
        flags(&[("Tenancy End", "31/03/2012"), ("Arrears", "0.00"), basis]),
        ["past_retention"]
    );
    assert_eq!(
        flags(&[("Tenancy End", "soon"), basis]),
        ["retention_unknown"]
    );
    assert_eq!(flags(&[("Tenancy End", "31/03/2022")]), ["no_lawful_basis"]);
    // No such column at all: unknown, not live.
    let no_column = flags_of(p(), row("rents/a.csv", &["Email"], &[]), &contact);
    assert_eq!(no_column, ["retention_unknown"]);
}

#[test]
fn special_and_criminal_data_need_their_conditions() {
    let flags = |process: &str, detectors: &[(&str, Confidence)]| {
        flags_of(policy(process), row("x/a.csv", &[], &[]), detectors)
    };
    let base = "[[process]]\nid = \"p\"\nname = \"P\"\nlawful_bases = [\"contract\"]\ncategories = [\"contact\", \"health\", \"offences\"]\nmatch = { paths = [\"x/**\"] }\n";
    let health = [
        ("email", Confidence::High),
        ("health_term", Confidence::Medium),
    ];
    assert_eq!(flags(base, &health), ["special_category_without_condition"]);
    let with_condition = format!("{base}conditions = [\"health_social_care\"]\n");
    assert!(flags(&with_condition, &health).is_empty());
    // A low-confidence mention is not about a person: no flag rests on it.
    let mention = [
        ("email", Confidence::High),
        ("health_term", Confidence::Low),
    ];
    assert!(flags(base, &mention).is_empty());
    let offence = [("uk_nino", Confidence::High)];
    assert_eq!(
        flags(&with_condition, &offence),
        ["special_category_without_condition"]
    );
    let with_basis = format!("{with_condition}criminal_basis = \"DPA 2018 Sch 1 Part 2\"\n");
    assert!(flags(&with_basis, &offence).is_empty());
}

#[test]
fn no_process_no_basis() {
    let p = policy(RENTS);
    let flags = flags_of(
        p,
        row("elsewhere/a.csv", &[], &[]),
        &[("email", Confidence::High)],
    );
    assert_eq!(flags, ["no_lawful_basis"]);
    let none = policy("[[process]]\nid = \"q\"\nname = \"Q\"\ncategories = [\"contact\"]\nmatch = { paths = [\"**\"] }\n");
    let flags = flags_of(none, row("a.csv", &[], &[]), &[("email", Confidence::High)]);
    assert_eq!(flags, ["no_lawful_basis"]);
}

#[test]
fn consent_alone_needs_consent_recorded() {
    let p = || {
        policy("[[process]]\nid = \"n\"\nname = \"News\"\ncategories = [\"contact\"]\nlawful_bases = [\"consent\"]\nmatch = { paths = [\"**\"] }\ncolumns = { consent = [\"Opted In\"] }\n")
    };
    let email = [("email", Confidence::High)];
    let flags = |v: &str| {
        flags_of(
            p(),
            row("a.csv", &["Email", "Opted In"], &[("Opted In", v)]),
            &email,
        )
    };
    assert!(flags("Yes").is_empty());
    assert_eq!(flags("No"), ["no_lawful_basis"]);
    assert_eq!(flags(""), ["no_lawful_basis"]);
}

#[test]
fn undeclared_categories() {
    let p = policy(RENTS);
    // NHS numbers are health, which rents does not declare (and has no
    // condition for); a passport-like detector the policy lacks is named.
    let flags = flags_of(
        p,
        row("rents/a.csv", &[], &[]),
        &[("nhs_number", Confidence::High)],
    );
    assert!(
        flags.contains(&"undeclared_category".to_string()),
        "{flags:?}"
    );
    let classifier = Classifier::new(policy(RENTS), &rules(), as_of());
    let mut findings = vec![finding("rents/a.csv", "row 2", "iban", Confidence::High)];
    let records = classifier.classify(vec![row("rents/a.csv", &[], &[])], &mut findings, None);
    let undeclared = records[0]
        .flags
        .iter()
        .find(|f| f.flag == FlagKind::UndeclaredCategory)
        .unwrap();
    assert!(
        undeclared
            .reason
            .contains("bank_details (no category in the policy)"),
        "{undeclared:?}"
    );
    assert_eq!(
        findings[0].category, "bank_details",
        "the detector's own category"
    );
    assert_eq!(findings[0].process.as_deref(), Some("rents"));
}

#[test]
fn personal_alone_false_needs_a_person_beside_it() {
    let p = policy(&format!(
        "{RENTS}\n[[category]]\nid = \"address\"\nlabel = \"Address\"\nkind = \"personal\"\npersonal_alone = false\nevidence = [\"uk_postcode\"]\n"
    ));
    let classifier = Classifier::new(p, &rules(), as_of());
    let mut findings = vec![finding(
        "x.txt",
        "document",
        "uk_postcode",
        Confidence::Medium,
    )];
    let draft = RecordDraft {
        locator: "document".into(),
        ..row("x.txt", &[], &[])
    };
    let records = classifier.classify(vec![draft], &mut findings, None);
    assert!(!records[0].personal);
    assert!(records[0].flags.is_empty());
    assert_eq!(records[0].categories, ["address"]);
}
