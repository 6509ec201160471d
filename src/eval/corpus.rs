//! The labelled evaluation corpus: a housing association's files, invented
//! from a seed, in the formats shares mostly hold, with the truth about every
//! value planted in them — those a scanner must report, and the hard
//! negatives it must not (dates that are not birth dates, references shaped
//! like sort codes, job numbers, Luhn failures, issuers' test cards, NHS
//! checks passing inside phone numbers, invalid NINO prefixes, category
//! words in notices and blank forms, Message-IDs).

use std::io::Write;

use serde::Serialize;

use crate::synth::{self, Rng};

/// One planted value.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Truth {
    /// As trawl names it: archive members as `outer.zip!/member`.
    pub path: String,
    pub detector: String,
    pub value: String,
    /// Whether a scanner should report it (else a hard negative).
    pub personal: bool,
    /// How it was planted ("header", "label", "paired", "linked") or what
    /// trap it is ("invoice_ref", "luhn_fail", "message_id").
    pub kind: String,
}

pub struct Corpus {
    /// Relative path and bytes of each file to write.
    pub files: Vec<(String, Vec<u8>)>,
    pub truth: Vec<Truth>,
}

/// Records truth for one file as its text is built.
struct Plant<'a> {
    path: String,
    truth: &'a mut Vec<Truth>,
}

impl Plant<'_> {
    fn put(&mut self, detector: &str, kind: &str, value: String, personal: bool) -> String {
        self.truth.push(Truth {
            path: self.path.clone(),
            detector: detector.into(),
            value: value.clone(),
            personal,
            kind: kind.into(),
        });
        value
    }

    /// A value that must be reported.
    fn pos(&mut self, detector: &str, kind: &str, value: String) -> String {
        self.put(detector, kind, value, true)
    }

    /// A trap: `detector` must not report it.
    fn neg(&mut self, detector: &str, kind: &str, value: String) -> String {
        self.put(detector, kind, value, false)
    }
}

/// Health terms and the other special categories, as a case note says them
/// of a tenant; each must be in its word list in rules/.
const HEALTH: &[&str] = &[
    "epilepsy",
    "type 2 diabetes",
    "schizophrenia",
    "multiple sclerosis",
    "copd",
    "bipolar disorder",
    "dementia",
    "asthma",
];
const SPECIAL: &[(&str, &[&str])] = &[
    (
        "ethnic_origin",
        &[
            "white british",
            "black caribbean",
            "gypsy or irish traveller",
        ],
    ),
    ("religion", &["muslim", "sikh", "jehovah's witness"]),
    (
        "political_opinion",
        &["labour party member", "green party member"],
    ),
    // Unions' acronyms as they write them: the list has them in capitals.
    ("trade_union", &["union rep", "UNISON", "shop steward"]),
    ("sex_life", &["bisexual", "lesbian"]),
    ("genetic_biometric", &["dna test", "genetic testing"]),
    (
        "criminal_offence",
        &["probation", "conviction", "on bail", "MAPPA"],
    ),
    // Not Article 9, but told in confidence the same way.
    (
        "immigration_status",
        &[
            "indefinite leave to remain",
            "no recourse to public funds",
            "asylum seeker",
            "NRPF",
        ],
    ),
    (
        "benefit",
        &[
            "universal credit",
            "housing benefit",
            "PIP",
            "pension credit",
        ],
    ),
];

/// Issuers' published test card numbers: Luhn-valid, never a person's.
const TEST_CARDS: &[&str] = &[
    "4111 1111 1111 1111",
    "4242 4242 4242 4242",
    "5555 5555 5555 4444",
    "5105 1051 0510 5100",
    "3782 822463 10005",
    "2223 0031 2200 3222",
];

/// The corpus as it is built: every file made from the one random stream,
/// in a fixed order, its planted values recorded under its path.
struct Build {
    rng: Rng,
    files: Vec<(String, Vec<u8>)>,
    truth: Vec<Truth>,
}

impl Build {
    /// Adds the file `make` writes, planting under `path`.
    fn file(&mut self, path: String, make: impl FnOnce(&mut Rng, &mut Plant) -> Vec<u8>) {
        let mut plant = Plant {
            path: path.clone(),
            truth: &mut self.truth,
        };
        let bytes = make(&mut self.rng, &mut plant);
        self.files.push((path, bytes));
    }

    /// A plant under `path`, with the random stream, for a file made of
    /// several (an archive's members).
    fn plant(&mut self, path: String) -> (&mut Rng, Plant<'_>) {
        (
            &mut self.rng,
            Plant {
                path,
                truth: &mut self.truth,
            },
        )
    }
}

/// Builds the corpus for `seed`.
pub fn generate(seed: u64) -> Corpus {
    let mut b = Build {
        rng: Rng::new(seed),
        files: Vec::new(),
        truth: Vec::new(),
    };
    for n in 0..3 {
        b.file(format!("tenancy/tenants_export_{n}.csv"), |rng, p| {
            tenancy_csv(rng, p, 60).into_bytes()
        });
    }
    for n in 0..2 {
        b.file(format!("rents/direct_debits_{n}.xlsx"), |rng, p| {
            xlsx(&debit_rows(rng, p, 50))
        });
    }
    for n in 0..40 {
        b.file(format!("casenotes/case_{n:03}.txt"), |rng, p| {
            case_note(rng, p).into_bytes()
        });
    }
    for n in 0..16 {
        b.file(format!("letters/letter_{n:03}.docx"), |rng, p| {
            synth::docx(&letter(rng, p))
        });
    }
    for n in 0..8 {
        b.file(format!("letters/scanned_{n:03}.pdf"), |rng, p| {
            pdf(&letter(rng, p))
        });
    }
    for n in 0..2 {
        b.file(format!("exports/tenants_{n}.json"), |rng, p| {
            tenants_json(rng, p, 40).into_bytes()
        });
    }
    for n in 0..15 {
        b.file(format!("mail/msg_{n:03}.eml"), |rng, p| {
            email(rng, p, n).into_bytes()
        });
    }
    {
        let path = "archive/old_exports_2019.zip";
        let (rng, mut p) = b.plant(format!("{path}!/2019/tenants.csv"));
        let csv = tenancy_csv(rng, &mut p, 30);
        let (rng, mut p) = b.plant(format!("{path}!/2019/tenants.json"));
        let json = tenants_json(rng, &mut p, 15);
        let bytes = zip(&[
            ("2019/tenants.csv", csv.as_bytes()),
            ("2019/tenants.json", json.as_bytes()),
        ]);
        b.files.push((path.to_string(), bytes));
    }
    // Documents about personal data that hold none of it.
    for (n, notice) in NOTICES.iter().enumerate() {
        b.file(format!("public/notice_{n}.txt"), |_, p| {
            notice_text(p, notice).into_bytes()
        });
    }
    b.file("forms/blank_application.docx".into(), |_, p| {
        synth::docx(&blank_form(p))
    });
    b.file("public/newsletter_autumn.txt".into(), |rng, p| {
        newsletter(rng, p).into_bytes()
    });
    // Made last, so that the files above keep their values.
    for n in 0..4 {
        b.file(format!("reports/arrears_{n}.pdf"), |rng, p| {
            table_pdf(&arrears_report(rng, p, 40))
        });
    }
    for n in 0..2 {
        b.file(format!("rota/visits_{n}.csv"), |rng, p| {
            visit_rota(rng, p, 20).into_bytes()
        });
    }
    for n in 0..2 {
        b.file(format!("exports/tenants_by_nino_{n}.json"), |rng, p| {
            tenants_by_nino(rng, p, 20).into_bytes()
        });
    }
    for n in 0..2 {
        b.file(format!("rents/arrears_titled_{n}.xlsx"), |rng, p| {
            xlsx(&titled_arrears(rng, p, 30))
        });
    }
    for n in 0..10 {
        b.file(format!("records/tenant_{n:02}.html"), |rng, p| {
            tenant_page(rng, p).into_bytes()
        });
    }
    for n in 0..6 {
        b.file(format!("records/tenant_details_{n}.xlsx"), |rng, p| {
            xlsx(&tenant_sheet(rng, p))
        });
    }
    for n in 0..8 {
        b.file(format!("support/referral_{n}.docx"), |rng, p| {
            synth::docx_table("Tenancy support referral", &referral_rows(rng, p))
        });
    }
    for n in 0..8 {
        b.file(format!("portal/my_tenancy_{n}.html"), |rng, p| {
            portal_page(rng, p).into_bytes()
        });
    }
    for n in 0..8 {
        b.file(format!("mail/web_form_{n}.eml"), |rng, p| {
            web_form_email(rng, p, n).into_bytes()
        });
    }
    for n in 0..6 {
        b.file(format!("it/change_log_{n}.txt"), |rng, p| {
            it_change_log(rng, p).into_bytes()
        });
    }
    for n in 0..6 {
        b.file(format!("tenancy/contacts_{n}.csv"), |rng, p| {
            contact_list(rng, p, 15).into_bytes()
        });
    }
    Corpus {
        files: b.files,
        truth: b.truth,
    }
}

fn date(rng: &mut Rng, from_year: u64, years: u64) -> String {
    format!(
        "{:02}/{:02}/{}",
        1 + rng.below(28),
        1 + rng.below(12),
        from_year + rng.below(years)
    )
}

/// A birth date as people write them: 03/04/1985, 3/4/1985, 1985-04-03,
/// 03.04.1985, 3 April 1985, 3rd Apr 1985.
fn birth_date_varied(rng: &mut Rng) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let (d, m, y) = (1 + rng.below(28), 1 + rng.below(12), 1940 + rng.below(65));
    let month = MONTHS[(m - 1) as usize];
    let suffix = match d {
        1 | 21 => "st",
        2 | 22 => "nd",
        3 | 23 => "rd",
        _ => "th",
    };
    match rng.below(6) {
        0 => format!("{d:02}/{m:02}/{y}"),
        1 => format!("{d}/{m}/{y}"),
        2 => format!("{y}-{m:02}-{d:02}"),
        3 => format!("{d:02}.{m:02}.{y}"),
        4 => format!("{d} {month} {y}"),
        _ => format!("{d}{suffix} {} {y}", &month[..3]),
    }
}

fn eight_digits(rng: &mut Rng) -> String {
    format!("{}{}", 1 + rng.below(9), rng.digits(7))
}

fn sort_code_shaped(rng: &mut Rng) -> String {
    let d = rng.digits(6);
    format!("{}-{}-{}", &d[0..2], &d[2..4], &d[4..6])
}

/// A special-category term and its detector.
fn special(rng: &mut Rng) -> (&'static str, &'static str) {
    let (detector, terms) = rng.pick(SPECIAL);
    (detector, *rng.pick(terms))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A housing management system's tenancy export: a person a row, with the
/// references and dates beside them that look like personal values.
fn tenancy_csv(rng: &mut Rng, p: &mut Plant, rows: usize) -> String {
    // Each export names its columns its own way.
    let headers = [
        "Tenant ref",
        *rng.pick(&["Full name", "Tenant name", "Name"]),
        *rng.pick(&[
            "Date of birth",
            "DOB",
            "D.O.B.",
            "BirthDate",
            "Date Of Birth",
        ]),
        *rng.pick(&[
            "NI No",
            "N.I. Number",
            "NINO",
            "National Insurance No",
            "NI_Number",
        ]),
        *rng.pick(&["Mobile", "Tel", "Phone", "Contact number"]),
        *rng.pick(&["Email", "E-mail", "Email address"]),
        "Address",
        *rng.pick(&["Postcode", "Post Code"]),
        *rng.pick(&["Tenancy start", "Start date", "Tenancy Start Date"]),
        *rng.pick(&["Sort code", "S/C", "Bank sort code", "SortCode"]),
        *rng.pick(&["Account no", "A/C No", "Account Number", "Bank account"]),
        "Support needs",
        *rng.pick(&["Gender", "Sex", "Gender identity"]),
        *rng.pick(&["Invoice ref", "Inv. No", "Invoice #", "Order ref"]),
        *rng.pick(&["Job no", "Job #", "Works order", "PO number"]),
    ];
    let mut out = headers.join(",") + "\n";
    for _ in 0..rows {
        let support = match rng.below(4) {
            0 => {
                let t = rng.pick(HEALTH).to_string();
                p.pos("health_term", "linked_row", t)
            }
            1 => {
                let (det, term) = special(rng);
                p.pos(det, "linked_row", term.to_string())
            }
            _ => "None".into(),
        };
        let cells = [
            format!("T{}", rng.digits(6)),
            p.pos("person_name", "header", synth::name(rng)),
            p.pos("date_of_birth", "header", birth_date_varied(rng)),
            p.pos("uk_nino", "header", synth::nino(rng)),
            p.pos("uk_phone", "header", synth::any_phone(rng)),
            p.pos("email", "header", synth::email(rng)),
            format!("{} Mill Lane", 1 + rng.below(120)),
            p.pos("uk_postcode", "header", synth::postcode(rng)),
            p.neg("date_of_birth", "tenancy_start", date(rng, 2005, 20)),
            p.pos("uk_sort_code", "header", synth::sort_code(rng)),
            p.pos("uk_bank_account", "header", synth::account(rng)),
            support,
            // Coded as housing systems code it; a refusal is no gender.
            match *rng.pick(&[
                "F",
                "M",
                "Female",
                "Male",
                "Non-binary",
                "Prefer not to say",
            ]) {
                "Prefer not to say" => p.neg("gender", "declined", "Prefer not to say".into()),
                g => p.pos("gender", "header", g.into()),
            },
            p.neg("uk_sort_code", "invoice_ref", sort_code_shaped(rng)),
            p.neg("uk_bank_account", "job_no", eight_digits(rng)),
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

/// A direct-debit and card-payment sheet.
fn debit_rows(rng: &mut Rng, p: &mut Plant, rows: usize) -> Vec<Vec<String>> {
    let mut out = vec![[
        "Payer",
        "Sort Code",
        "Account Number",
        "IBAN",
        "Last card payment",
        "Amount",
        "Collection date",
        "Rent account",
        "Order no",
    ]
    .map(String::from)
    .to_vec()];
    for _ in 0..rows {
        let card = match rng.below(4) {
            0 => p.pos("payment_card", "header", synth::visa(rng)),
            1 => p.pos("payment_card", "header", synth::mastercard(rng)),
            2 => {
                let prefix = *rng.pick(&["34", "37"]);
                p.pos("payment_card", "header", synth::card(rng, prefix, 15))
            }
            _ => p.neg(
                "payment_card",
                "test_card",
                rng.pick(TEST_CARDS).to_string(),
            ),
        };
        out.push(vec![
            p.pos("person_name", "header", synth::name(rng)),
            p.pos("uk_sort_code", "header", synth::sort_code(rng)),
            p.pos("uk_bank_account", "header", synth::account(rng)),
            {
                let (iban, parts) = synth::iban_parts(rng);
                if let Some((sort, account)) = parts {
                    p.pos("uk_sort_code", "from_iban", sort);
                    p.pos("uk_bank_account", "from_iban", account);
                }
                p.pos("iban", "header", iban)
            },
            card,
            format!("£{}.{:02}", 100 + rng.below(600), rng.below(100)),
            p.neg("date_of_birth", "collection_date", date(rng, 2020, 6)),
            p.neg("uk_bank_account", "rent_account", eight_digits(rng)),
            p.neg("uk_bank_account", "order_no", eight_digits(rng)),
        ]);
    }
    out
}

/// A Luhn failure: a card number with its last digit changed.
fn luhn_fail(rng: &mut Rng) -> String {
    let good = synth::visa(rng);
    let mut chars: Vec<char> = good.chars().collect();
    let last = chars.len() - 1;
    let d = chars[last].to_digit(10).unwrap_or(0);
    chars[last] = char::from_digit((d + 1 + rng.below(8) as u32) % 10, 10).unwrap_or('0');
    chars.into_iter().collect()
}

/// Ten digits that pass the NHS check, from a phone number's digits, and
/// in an allocated range (770…, as England's 600–799): only the phone
/// number around them rules them out.
fn phone_passing_nhs_check(rng: &mut Rng) -> String {
    loop {
        let phone = format!("07700 900{:03}", rng.below(1000));
        let digits: Vec<u32> = phone
            .chars()
            .filter_map(|c| c.to_digit(10))
            .skip(1)
            .collect();
        let sum: u32 = digits[..9]
            .iter()
            .zip((2..=10).rev())
            .map(|(d, w)| d * w)
            .sum();
        let check = (11 - sum % 11) % 11;
        if check != 10 && check == digits[9] {
            return phone;
        }
    }
}

/// A NINO that fails: a prefix never issued, or a letter never used.
fn bad_nino(rng: &mut Rng) -> String {
    let prefix = rng.pick(&["GB", "BG", "NK", "KN", "NT", "ZZ", "DA", "FA", "QQ", "AO"]);
    let d = rng.digits(6);
    format!(
        "{prefix} {} {} {} {}",
        &d[0..2],
        &d[2..4],
        &d[4..6],
        rng.pick(&["A", "B", "C", "D"])
    )
}

/// A temporary reference of the old kind: TN, the birth date, M or F; and
/// that birth date (the holder 16 or more at 2026).
fn temporary_nino(rng: &mut Rng) -> (String, String) {
    let (day, month, yy) = (1 + rng.below(28), 1 + rng.below(12), rng.below(100));
    let year = if yy <= 10 { 2000 + yy } else { 1900 + yy };
    let sex = rng.pick(&["M", "F"]);
    (
        format!("TN {day:02} {month:02} {yy:02} {sex}"),
        format!("{day:02}/{month:02}/{year}"),
    )
}

/// A capital letter, A to Z.
fn capital(rng: &mut Rng) -> char {
    char::from(b'A' + rng.below(26) as u8)
}

/// A biometric residence permit's number: two letters, X or a digit, six
/// digits.
fn residence_permit(rng: &mut Rng) -> String {
    let third = if rng.below(4) == 0 {
        "X".to_string()
    } else {
        rng.digits(1)
    };
    format!("{}{}{third}{}", capital(rng), capital(rng), rng.digits(6))
}

/// A Home Office share code for a right to rent (R) or work (W) check, in
/// threes as the service shows it.
fn share_code(rng: &mut Rng) -> String {
    let mut code = rng.pick(&["R", "W"]).to_string();
    for i in 0..8 {
        if i == 2 || i == 5 {
            code.push(' ');
        }
        code.push(if rng.below(2) == 0 {
            capital(rng)
        } else {
            char::from(b'0' + rng.below(10) as u8)
        });
    }
    code
}

/// A DVLA driving licence number: surname (5, padded with 9), decade,
/// month (+50 for women), day, year, initials (2, padded), 9, two checks;
/// and the birth date it holds.
fn driving_licence(rng: &mut Rng) -> (String, String) {
    let surname = rng.pick(&[
        "MORGA", "SMITH", "JONES", "PATEL", "OKAFO", "LEE99", "KHAN9",
    ]);
    let year = 40 + rng.below(60);
    let month = 1 + rng.below(12) + if rng.below(2) == 0 { 50 } else { 0 };
    let initials = rng.pick(&["JA", "SM", "PK", "A9", "RT"]);
    let check = format!(
        "{}{}",
        char::from(b'A' + rng.below(26) as u8),
        char::from(b'A' + rng.below(26) as u8)
    );
    let day = 1 + rng.below(28);
    (
        format!(
            "{surname}{}{month:02}{day:02}{}{initials}9{check}",
            year / 10,
            year % 10
        ),
        format!("{day:02}/{:02}/19{year}", month % 50),
    )
}

/// A case note: running text about one tenant, with what officers write
/// beside the personal values.
fn case_note(rng: &mut Rng, p: &mut Plant) -> String {
    let mut lines = Vec::new();
    lines.push(format!(
        "Case note. Tenant name: {}; visit on {}.",
        p.pos("person_name", "label", synth::name(rng)),
        p.neg("date_of_birth", "visit_date", date(rng, 2022, 4))
    ));
    lines.push(format!(
        "Tenant NI number: {}. Date of birth: {}.",
        p.pos("uk_nino", "label", synth::nino(rng)),
        p.pos("date_of_birth", "label", birth_date_varied(rng))
    ));
    // A name after a form's label, written as housing systems print it.
    let name = synth::name(rng);
    let (first, last) = name.split_once(' ').unwrap_or((&name, ""));
    lines.push(match rng.below(3) {
        0 => format!(
            "Next of kin: {} (partner)",
            p.pos(
                "person_name",
                "label_whole",
                format!("{}, {first}", last.to_uppercase())
            )
        ),
        1 => format!(
            "Joint tenant: {}",
            p.pos(
                "person_name",
                "label_whole",
                format!("{first} {}", last.to_uppercase())
            )
        ),
        _ => format!(
            "Name: {}",
            p.pos(
                "person_name",
                "label_name",
                format!("{}, {first}", last.to_uppercase())
            )
        ),
    });
    // No person pays, but the tenant's rent is paid by a benefit.
    let payer = p.neg("person_name", "label_service", "Universal Credit".into());
    lines.push(format!("Payer: {}", p.pos("benefit", "linked_text", payer)));
    // A surname in capitals after a title, as letters merged from a
    // register print it; an abbreviation after it is no part of it, nor
    // does the name hide the number after it.
    lines.push(format!(
        "Letter sent to Mr {} NI {} on file.",
        p.pos(
            "person_name",
            "title_capitals",
            synth::surname(rng).to_uppercase()
        ),
        p.pos("uk_nino", "label", synth::nino(rng))
    ));
    lines.push(format!(
        "Tenant says she was diagnosed with {} last year and asked for an adaptation.",
        p.pos("health_term", "linked_text", rng.pick(HEALTH).to_string())
    ));
    for _ in 0..3 {
        let (det, term) = special(rng);
        lines.push(format!(
            "She told the officer about {} in confidence; noted for the support plan.",
            p.pos(det, "linked_text", term.to_string())
        ));
    }
    if rng.below(2) == 0 {
        lines.push(format!(
            "Passport no {} checked for right to rent.",
            p.pos(
                "uk_passport",
                "label",
                format!("{}{}", 1 + rng.below(9), rng.digits(8))
            )
        ));
    } else {
        let (licence, born) = driving_licence(rng);
        p.pos("date_of_birth", "from_licence", born);
        lines.push(format!(
            "Licence number {} recorded for the parking permit.",
            p.pos("uk_driving_licence", "label", licence)
        ));
    }
    lines.push(format!(
        "Call back on {} or email {}.",
        p.pos("uk_phone", "label", synth::any_phone(rng)),
        p.pos("email", "label", synth::email(rng))
    ));
    lines.push(format!(
        "Repair completed on {}; invoice ref {} and job no {} closed.",
        p.neg("date_of_birth", "repair_date", date(rng, 2021, 5)),
        p.neg("uk_sort_code", "invoice_ref", sort_code_shaped(rng)),
        p.neg("uk_bank_account", "job_no", eight_digits(rng))
    ));
    match rng.below(4) {
        0 => lines.push(format!(
            "Refund to sort code {} account number {}.",
            p.pos("uk_sort_code", "label", synth::sort_code(rng)),
            p.pos("uk_bank_account", "label", synth::account(rng))
        )),
        1 => lines.push(format!(
            "Bank details: {} {}.",
            p.pos("uk_sort_code", "paired", synth::sort_code(rng)),
            p.pos("uk_bank_account", "paired", synth::account(rng))
        )),
        2 => lines.push(format!(
            "Paid arrears by card {} today.",
            p.pos("payment_card", "label", synth::mastercard(rng))
        )),
        _ => lines.push(format!(
            "Card {} was declined; tried {} instead.",
            p.neg("payment_card", "luhn_fail", luhn_fail(rng)),
            p.pos("payment_card", "label", synth::visa(rng))
        )),
    }
    match rng.below(3) {
        0 => lines.push(format!(
            "GP letter attached, NHS number {}.",
            p.pos("nhs_number", "label", synth::nhs_number(rng))
        )),
        1 => {
            // A phone number, and a trap for the NHS check.
            let phone = p.neg(
                "nhs_number",
                "phone_passing_check",
                phone_passing_nhs_check(rng),
            );
            lines.push(format!(
                "The surgery's number is {}.",
                p.pos("uk_phone", "label", phone)
            ))
        }
        _ => lines.push(format!(
            "NHS number field shows {}, a placeholder.",
            p.neg("nhs_number", "placeholder", "999 999 9999".into())
        )),
    }
    match rng.below(5) {
        0 => lines.push(format!(
            "Passport number {} seen for the right-to-rent check.",
            p.pos(
                "uk_passport",
                "label",
                format!("{}{}", 1 + rng.below(9), rng.digits(8))
            )
        )),
        1 => {
            let (licence, born) = driving_licence(rng);
            p.pos("date_of_birth", "from_licence", born);
            lines.push(format!(
                "Driving licence {} seen as proof of identity.",
                p.pos("uk_driving_licence", "label", licence)
            ))
        }
        2 => {
            let (tn, born) = temporary_nino(rng);
            p.pos("date_of_birth", "from_temporary_nino", born);
            lines.push(format!(
                "Previous landlord quoted a temporary number {}.",
                p.pos("uk_nino", "temporary", tn)
            ))
        }
        3 => lines.push(format!(
            "The old system showed {} which is not a valid number.",
            p.neg("uk_nino", "invalid_prefix", bad_nino(rng))
        )),
        _ => lines.push(format!(
            "Order {} placed for the new boiler.",
            p.neg("uk_bank_account", "order_no", eight_digits(rng))
        )),
    }
    match rng.below(4) {
        // Holding a residence permit is itself a status.
        0 => lines.push(format!(
            "Right to rent: {} {} seen.",
            p.pos(
                "immigration_status",
                "linked_text",
                "biometric residence permit".into()
            ),
            p.pos("uk_residence_permit", "label", residence_permit(rng))
        )),
        1 => lines.push(format!(
            "Right to rent share code {} checked online.",
            p.pos("uk_share_code", "label", share_code(rng))
        )),
        // The same shapes with no word for them: a parking permit, a job.
        2 => lines.push(format!(
            "Parking permit number {} issued to the household.",
            p.neg(
                "uk_residence_permit",
                "parking_permit",
                residence_permit(rng)
            )
        )),
        _ => lines.push(format!(
            "Job code {} closed by the contractor.",
            p.neg("uk_share_code", "job_code", share_code(rng))
        )),
    }
    lines.push(format!(
        "Lives at {} Station Road, {}.",
        1 + rng.below(200),
        p.pos("uk_postcode", "label", synth::postcode(rng))
    ));
    lines.push(format!(
        "Tenancy start {}; next rent review due {}.",
        p.neg("date_of_birth", "tenancy_start", date(rng, 2010, 15)),
        p.neg("date_of_birth", "due_date", date(rng, 2026, 2))
    ));
    lines.join("\n") + "\n"
}

/// A letter to a tenant.
fn letter(rng: &mut Rng, p: &mut Plant) -> String {
    let mut lines = vec![
        format!(
            "Date of letter: {}",
            p.neg("date_of_birth", "letter_date", date(rng, 2023, 3))
        ),
        format!(
            "Our ref: {}",
            p.neg("uk_sort_code", "reference", sort_code_shaped(rng))
        ),
        format!(
            "{} Park Avenue, Leeds {}",
            1 + rng.below(90),
            p.pos("uk_postcode", "label", synth::postcode(rng))
        ),
        format!(
            "Dear Mrs {},",
            p.pos("person_name", "title", synth::surname(rng))
        ),
        format!(
            "We have your National Insurance number as {} and your date of birth as {}.",
            p.pos("uk_nino", "label", synth::nino(rng)),
            p.pos("date_of_birth", "label", synth::birth_date(rng))
        ),
    ];
    if rng.below(2) == 0 {
        lines.push(format!(
            "As you told us about your {}, we have arranged a ground-floor transfer.",
            p.pos("health_term", "linked_text", rng.pick(HEALTH).to_string())
        ));
    }
    lines.push(format!(
        "Your tenancy started on {} and your rent is due on {}.",
        p.neg("date_of_birth", "tenancy_start", date(rng, 2012, 12)),
        p.neg("date_of_birth", "due_date", date(rng, 2026, 2))
    ));
    lines.push(format!(
        "Please call us on {} if anything has changed.",
        p.pos("uk_phone", "label", synth::any_phone(rng))
    ));
    lines.push("Yours sincerely, Tenancy Services".into());
    lines.join("\n") + "\n"
}

/// A JSON export of tenants, nested as such exports are.
fn tenants_json(rng: &mut Rng, p: &mut Plant, count: usize) -> String {
    // Each system names its keys its own way.
    let keys = *rng.pick(&[
        [
            "dateOfBirth",
            "niNumber",
            "sortCode",
            "accountNumber",
            "jobNo",
            "invoiceRef",
            "tenancyStart",
        ],
        [
            "date_of_birth",
            "ni_number",
            "sort_code",
            "account_number",
            "job_no",
            "invoice_ref",
            "tenancy_start",
        ],
        [
            "DOB",
            "NINO",
            "SortCode",
            "AccountNo",
            "JobNumber",
            "InvoiceNo",
            "StartDate",
        ],
    ]);
    let mut tenants = Vec::new();
    for _ in 0..count {
        let needs: Vec<String> = if rng.below(3) == 0 {
            vec![p.pos("health_term", "linked_row", rng.pick(HEALTH).to_string())]
        } else {
            Vec::new()
        };
        let [dob, ni, sort, account, job, invoice, start] = keys;
        let mut bank = serde_json::Map::new();
        bank.insert(
            sort.into(),
            p.pos("uk_sort_code", "key", synth::sort_code(rng)).into(),
        );
        bank.insert(
            account.into(),
            p.pos("uk_bank_account", "key", synth::account(rng)).into(),
        );
        let mut t = serde_json::Map::new();
        t.insert("tenantRef".into(), format!("T{}", rng.digits(6)).into());
        t.insert(
            "name".into(),
            p.pos("person_name", "key", synth::name(rng)).into(),
        );
        t.insert(
            dob.into(),
            p.pos("date_of_birth", "key", birth_date_varied(rng)).into(),
        );
        t.insert(ni.into(), p.pos("uk_nino", "key", synth::nino(rng)).into());
        t.insert(
            "contact".into(),
            serde_json::json!({
                "email": p.pos("email", "key", synth::email(rng)),
                "mobile": p.pos("uk_phone", "key", synth::any_phone(rng)),
                "postcode": p.pos("uk_postcode", "key", synth::postcode(rng)),
            }),
        );
        t.insert("bank".into(), bank.into());
        t.insert(
            "nhsNumber".into(),
            p.pos("nhs_number", "key", synth::nhs_number(rng)).into(),
        );
        t.insert(
            start.into(),
            p.neg("date_of_birth", "tenancy_start", date(rng, 2008, 17))
                .into(),
        );
        t.insert(
            job.into(),
            p.neg("uk_bank_account", "job_no", eight_digits(rng)).into(),
        );
        t.insert(
            invoice.into(),
            p.neg("uk_sort_code", "invoice_ref", sort_code_shaped(rng))
                .into(),
        );
        t.insert("supportNeeds".into(), needs.into());
        tenants.push(serde_json::Value::Object(t));
    }
    serde_json::to_string_pretty(
        &serde_json::json!({ "exported": "2019-06-30", "tenants": tenants }),
    )
    .unwrap_or_default()
}

/// A visit rota exported without a header row: its first row, names and
/// places only, is shaped as a header's names would be.
fn visit_rota(rng: &mut Rng, p: &mut Plant, rows: usize) -> String {
    let mut out = String::new();
    for _ in 0..rows {
        let title = *rng.pick(&["Mrs", "Mr", "Ms", "Miss"]);
        let name = p.pos("person_name", "no_header", synth::name(rng));
        let flat = 1 + rng.below(40);
        let postcode = p.pos("uk_postcode", "no_header", synth::postcode(rng));
        let day = *rng.pick(&["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]);
        let row = [
            format!("{title} {name}"),
            format!("Flat {flat} Mill Court"),
            postcode,
        ];
        let cells: Vec<String> = row.iter().map(|c| csv_field(c)).collect();
        out += &format!("{},{day}\n", cells.join(","));
    }
    out
}

/// An arrears report as a finance system exports it: its title, the date
/// it was run and a blank row above the header.
fn titled_arrears(rng: &mut Rng, p: &mut Plant, rows: usize) -> Vec<Vec<String>> {
    let run = p.neg("date_of_birth", "run_date", date(rng, 2020, 6));
    let mut out = vec![
        vec!["Rent arrears report".to_string()],
        vec![format!("Run {run} by the income team")],
        Vec::new(),
        ["Tenant", "Date of birth", "NI number", "Arrears"]
            .map(String::from)
            .to_vec(),
    ];
    for _ in 0..rows {
        out.push(vec![
            p.pos("person_name", "below_title", synth::name(rng)),
            p.pos("date_of_birth", "below_title", synth::birth_date(rng)),
            p.pos("uk_nino", "below_title", synth::nino(rng)),
            format!("{}.{:02}", 50 + rng.below(900), rng.below(100)),
        ]);
    }
    out
}

/// A tenant's details as a form: label beside value, an address's second
/// line under the label above. Each value is found under its label, the
/// health term beside the tenant's name.
fn tenant_form(rng: &mut Rng, p: &mut Plant) -> Vec<(&'static str, String)> {
    let title = *rng.pick(&["Mrs", "Mr", "Ms", "Miss"]);
    vec![
        (
            "Name",
            format!("{title} {}", p.pos("person_name", "form", synth::name(rng))),
        ),
        (
            "Date of birth",
            p.pos("date_of_birth", "form", synth::birth_date(rng)),
        ),
        ("NI number", p.pos("uk_nino", "form", synth::nino(rng))),
        ("Address", format!("{} Mill Court", 1 + rng.below(40))),
        (
            "",
            format!(
                "Leeds {}",
                p.pos("uk_postcode", "form", synth::postcode(rng))
            ),
        ),
        ("Phone", p.pos("uk_phone", "form", synth::phone(rng))),
        (
            "Support needs",
            p.pos("health_term", "form", rng.pick(HEALTH).to_string()),
        ),
        (
            "Tenancy start",
            p.neg("date_of_birth", "tenancy_start", date(rng, 2008, 17)),
        ),
    ]
}

/// A tenant's record page printed from a housing system: a form whose
/// labels are header cells, and an old address left in a comment.
fn tenant_page(rng: &mut Rng, p: &mut Plant) -> String {
    let old = p.pos("email", "comment", synth::email(rng));
    let rows: String = tenant_form(rng, p)
        .into_iter()
        .map(|(label, value)| match label {
            "" => format!("<tr><td></td><td>{value}</td></tr>\n"),
            _ => format!("<tr><th>{label}</th><td>{value}</td></tr>\n"),
        })
        .collect();
    format!(
        "<html><head><title>Tenant record</title></head><body>\n<h1>Tenant record</h1>\n\
         <!-- email until 2019: {old} -->\n<table>\n{rows}</table>\n</body></html>\n"
    )
}

/// A tenant's details sheet: a title, then labels in the first column.
fn tenant_sheet(rng: &mut Rng, p: &mut Plant) -> Vec<Vec<String>> {
    let mut rows = vec![vec!["Tenant details".to_string()], Vec::new()];
    rows.extend(
        tenant_form(rng, p)
            .into_iter()
            .map(|(label, value)| vec![label.to_string(), value]),
    );
    rows
}

/// A support referral's Word table: labels with colons, two pairs a row.
fn referral_rows(rng: &mut Rng, p: &mut Plant) -> Vec<Vec<String>> {
    let form = tenant_form(rng, p);
    let label = |i: usize| match form[i].0 {
        "" => String::new(),
        l => format!("{l}:"),
    };
    let mut rows = vec![vec!["Referral details".to_string(), String::new()]];
    for pair in [(0, 1), (2, 5), (3, 7), (4, 6)] {
        rows.push(vec![
            label(pair.0),
            form[pair.0].1.clone(),
            label(pair.1),
            form[pair.1].1.clone(),
        ]);
    }
    rows
}

/// A page saved from a tenant portal (a web app): the tenant is in its data
/// script (JSON), her emergency contact in JSON in an attribute (a
/// component's props), her contact details and ethnic group in its form's
/// controls and a `mailto:` link, none of them on the page as shown. An
/// address in the page's code, and the groups the form offers but were not
/// chosen, are not hers.
fn portal_page(rng: &mut Rng, p: &mut Plant) -> String {
    let code = p.neg("email", "script_code", synth::email(rng));
    let tenant = serde_json::json!({
        "name": p.pos("person_name", "data_script", synth::name(rng)),
        "dateOfBirth": p.pos("date_of_birth", "data_script", synth::birth_date(rng)),
        "niNumber": p.pos("uk_nino", "data_script", synth::nino(rng)),
        "supportNeeds": [p.pos("health_term", "data_script", rng.pick(HEALTH).to_string())],
        "tenancyStart": p.neg("date_of_birth", "tenancy_start", date(rng, 2008, 17)),
    });
    let data = serde_json::json!({"props": {"pageProps": {"tenant": tenant}}});
    let phone = p.pos("uk_phone", "form_control", synth::phone(rng));
    let postcode = p.pos("uk_postcode", "form_control", synth::postcode(rng));
    let other = p
        .pos("email", "mailto", synth::email(rng))
        .replace('@', "%40");
    let contact = serde_json::json!({"contact": {
        "name": p.pos("person_name", "json_attribute", synth::name(rng)),
        "phone": p.pos("uk_phone", "json_attribute", synth::phone(rng)),
    }})
    .to_string()
    .replace('"', "&quot;");
    let (_, groups) = SPECIAL[0];
    let chosen = rng.below(groups.len() as u64) as usize;
    let options: String = groups
        .iter()
        .enumerate()
        .map(|(i, &group)| match i == chosen {
            true => format!(
                "<option selected>{}</option>",
                p.pos("ethnic_origin", "select_chosen", group.into())
            ),
            false => format!(
                "<option>{}</option>",
                p.neg("ethnic_origin", "select_offered", group.into())
            ),
        })
        .collect();
    format!(
        "<html><head><title>My tenancy</title>\n\
         <script>window.help = {{ contact: \"{code}\" }};</script></head><body>\n\
         <h1>My tenancy</h1>\n<form method=\"post\">\n\
         <label>Phone <input type=\"tel\" name=\"phone\" value=\"{phone}\"></label>\n\
         <label>Postcode <input name=\"postcode\" value=\"{postcode}\"></label>\n\
         <label>Ethnic group <select name=\"ethnicity\">{options}</select></label>\n\
         <button>Save</button></form>\n\
         <div data-props=\"{contact}\" x-data=\"{{ open: false }}\"></div>\n\
         <p>We also write to <a href=\"mailto:{other}\">your other address</a>.</p>\n\
         <script id=\"__NEXT_DATA__\" type=\"application/json\">{data}</script>\n\
         </body></html>\n"
    )
}

/// An email a web form sends, in HTML alone: the tenant's details as a
/// form, label cell beside value cell.
fn web_form_email(rng: &mut Rng, p: &mut Plant, n: usize) -> String {
    let from = p.neg(
        "email",
        "role_mailbox",
        "noreply@housing.example.org".into(),
    );
    let to = p.neg(
        "email",
        "role_mailbox",
        "repairs@housing.example.org".into(),
    );
    let rows: String = tenant_form(rng, p)
        .into_iter()
        .map(|(label, value)| format!("<tr><td>{label}</td><td>{value}</td></tr>\r\n"))
        .collect();
    let html = format!(
        "Content-Type: text/html; charset=utf-8\r\n\r\n\
         <html><body><p>A repair was reported on the website.</p>\r\n\
         <table>\r\n{rows}</table></body></html>\r\n"
    );
    // Every other one has a plain alternative that is a stub: what it
    // says is in its HTML.
    let body = if n % 2 == 1 {
        format!(
            "Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n\
             --alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\
             This message is in HTML. Please use an HTML-capable email client.\r\n\
             --alt\r\n{html}--alt--\r\n"
        )
    } else {
        html
    };
    format!(
        "From: Website <{from}>\r\nTo: Repairs <{to}>\r\nSubject: Repair request {n}\r\n\
         Date: Tue, 4 Mar 2025 09:30:00 +0000\r\nMIME-Version: 1.0\r\n{body}"
    )
}

/// An export keyed by its tenants' NINOs: each key is a value to find.
fn tenants_by_nino(rng: &mut Rng, p: &mut Plant, count: usize) -> String {
    let mut tenants = serde_json::Map::new();
    while tenants.len() < count {
        let ni = synth::nino(rng);
        if tenants.contains_key(&ni) {
            continue;
        }
        let ni = p.pos("uk_nino", "key_is_value", ni);
        let tenant = serde_json::json!({
            "name": p.pos("person_name", "key", synth::name(rng)),
            "email": p.pos("email", "key", synth::email(rng)),
            "tenancyStart": p.neg("date_of_birth", "tenancy_start", date(rng, 2008, 17)),
        });
        tenants.insert(ni, tenant);
    }
    serde_json::to_string_pretty(
        &serde_json::json!({ "exported": "2019-06-30", "tenants": tenants }),
    )
    .unwrap_or_default()
}

/// An email between officers about a tenant, with a forwarded header block.
fn email(rng: &mut Rng, p: &mut Plant, n: usize) -> String {
    let from = p.pos("email", "header", synth::email(rng));
    let to = p.pos("email", "header", synth::email(rng));
    let message_id = format!(
        "{}.{}@mail.housing.example.org",
        rng.digits(14),
        rng.digits(6)
    );
    let mut body = vec![
        "Hi,".to_string(),
        format!(
            "Tenant's NI number is {} and mobile {}.",
            p.pos("uk_nino", "label", synth::nino(rng)),
            p.pos("uk_phone", "label", synth::any_phone(rng))
        ),
        format!(
            "She mentioned {} when we spoke.",
            p.pos("health_term", "linked_text", rng.pick(HEALTH).to_string())
        ),
        format!(
            "Copying the data protection team at {}.",
            p.neg("email", "role_mailbox", "dpo@housing.example.org".into())
        ),
        "---------- Forwarded message ----------".into(),
        format!("Message-ID: <{}>", p.neg("email", "message_id", message_id)),
        format!(
            "Sent: {}",
            p.neg("date_of_birth", "sent_date", date(rng, 2024, 2))
        ),
    ];
    if n.is_multiple_of(3) {
        let (det, term) = special(rng);
        body.insert(
            3,
            format!(
                "Also noted: {}.",
                p.pos(det, "linked_text", term.to_string())
            ),
        );
    }
    format!(
        "From: Officer <{from}>\r\nTo: Team <{to}>\r\nSubject: Tenancy update {n}\r\nDate: Mon, 3 Mar 2025 10:00:00 +0000\r\nMessage-ID: <{}.{n}@mail.housing.example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n",
        rng.digits(12),
        body.join("\r\n")
    )
}

const NOTICES: &[&str] = &[
    "We collect special category data where you give it to us: information about your health (for example epilepsy, asthma or dementia), your ethnic origin, your religion, trade union membership, sexual orientation and any criminal convictions or probation. Contact our Data Protection Officer at {dpo}.",
    "Equality monitoring: you may tell us your ethnic origin (for example White British or Black Caribbean), religion (for example Muslim or Sikh) and sexual orientation. This is optional. We keep records of conviction and caution checks for staff under Article 10.",
];

/// A privacy notice: category words and role mailboxes, no person.
fn notice_text(p: &mut Plant, notice: &str) -> String {
    let text = notice.replace("{dpo}", "dpo@housing.example.org");
    p.neg("email", "role_mailbox", "dpo@housing.example.org".into());
    for term in ["epilepsy", "asthma", "dementia"] {
        if text.contains(term) {
            p.neg("health_term", "notice", term.to_string());
        }
    }
    for (det, terms) in SPECIAL {
        for term in *terms {
            if text.to_lowercase().contains(&term.to_lowercase()) {
                p.neg(det, "notice", term.to_string());
            }
        }
    }
    text + "\n"
}

/// A blank application form: labels with nothing after them.
fn blank_form(p: &mut Plant) -> String {
    p.neg("date_of_birth", "blank_form", "DD/MM/YYYY".into());
    p.neg("gender", "blank_form", "Male".into());
    [
        "Application for housing",
        "Full name: ____________________",
        "Date of birth: DD/MM/YYYY",
        "National Insurance number: __ __ __ __ _",
        "Sort code: __-__-__   Account number: ________",
        "Do you have a disability or long-term health condition such as asthma or epilepsy? Yes / No",
        "Ethnic origin (optional): ______",
        "Gender: Male / Female / Prefer not to say",
    ]
    .join("\n")
        + "\n"
}

/// An arrears report printed to PDF: a table of tenants, its header on the
/// first page only (as Word leaves it), amounts right aligned; each tenant's
/// tenancy end date beside their birth date, a trap.
fn arrears_report(rng: &mut Rng, p: &mut Plant, rows: usize) -> Vec<Vec<Vec<(u32, String)>>> {
    const COLUMNS: [u32; 5] = [40, 175, 270, 350, 430];
    let headers = [
        *rng.pick(&["Tenant", "Name", "Tenant name"]),
        *rng.pick(&["Date of birth", "DOB", "D.O.B."]),
        *rng.pick(&["NI number", "NINO", "N.I. No"]),
        *rng.pick(&["Tenancy end", "End date"]),
        *rng.pick(&["Phone", "Tel", "Contact number"]),
    ];
    let mut first: Vec<Vec<(u32, String)>> = vec![
        vec![(40, "Rent arrears report".to_string())],
        COLUMNS
            .iter()
            .zip(headers)
            .map(|(x, h)| (*x, h.to_string()))
            .chain([(520, "Arrears".to_string())])
            .collect(),
    ];
    let mut second = vec![vec![(40, "Rent arrears report (continued)".to_string())]];
    for i in 0..rows {
        // Names a simple font's Windows-1252 can draw (not Łukasz): a PDF
        // that draws others embeds a font of its own.
        let name = loop {
            let name = synth::name(rng);
            if !encoding_rs::WINDOWS_1252.encode(&name).2 {
                break name;
            }
        };
        let cells = [
            p.pos("person_name", "pdf_table", name),
            p.pos("date_of_birth", "pdf_table", birth_date_varied(rng)),
            p.pos("uk_nino", "pdf_table", synth::nino(rng)),
            p.neg("date_of_birth", "tenancy_end", date(rng, 2005, 20)),
            p.pos("uk_phone", "pdf_table", synth::any_phone(rng)),
        ];
        let owed = format!("{}.{:02}", 10 + rng.below(2500), rng.below(100));
        let amount_x = 560 - 5 * owed.len() as u32;
        let row = COLUMNS
            .iter()
            .copied()
            .zip(cells)
            .chain([(amount_x, owed)])
            .collect();
        if i < rows / 2 {
            first.push(row);
        } else {
            second.push(row);
        }
    }
    vec![first, second]
}

/// A newsletter: it names a staff member, health words and an immigration
/// leaflet, about no tenant.
fn newsletter(rng: &mut Rng, p: &mut Plant) -> String {
    // Both names listed in the gazetteer: a name, but it links nothing.
    let staff = p.pos("person_name", "gazetteer", "Sarah Johnson".into());
    let text = format!(
        "Autumn newsletter\nOur new dementia-friendly garden opens in October, led by {staff} from the community team.\nJoin our asthma awareness coffee morning on {}.\nRefugee Week film night on Friday; our leaflet on no recourse to public funds is at reception.\nChanges to Universal Credit: our money advisers can help.\nFor questions write to {}.\n",
        p.neg("date_of_birth", "event_date", date(rng, 2026, 1)),
        p.neg("email", "role_mailbox", "community@housing.example.org".into())
    );
    p.neg("health_term", "newsletter", "dementia".into());
    p.neg("health_term", "newsletter", "asthma".into());
    p.neg("immigration_status", "newsletter", "Refugee".into());
    p.neg("benefit", "newsletter", "Universal Credit".into());
    p.neg(
        "immigration_status",
        "newsletter",
        "no recourse to public funds".into(),
    );
    text
}

/// A contact list as older housing systems export it: the name split into
/// Surname and Forename columns, surnames in capitals, a contact named by
/// title and initial, placeholders where no one is known ("Unknown",
/// "Void property"), and schemes' names beside them.
fn contact_list(rng: &mut Rng, p: &mut Plant, rows: usize) -> String {
    const SCHEMES: &[&str] = &["Rose Court", "Mill House", "Oak Close", "Repairs Team"];
    let mut out = String::from("Ref,Surname,Forename,Contact name,Scheme name,Phone\n");
    for r in 0..rows {
        let name = synth::name(rng);
        let (first, last) = name.split_once(' ').unwrap_or((&name, &name));
        let (first, last) = (first.to_string(), last.to_string());
        let surname = if r % 3 == 0 {
            last.to_uppercase()
        } else {
            last.clone()
        };
        let (surname, forename) = if r % 7 == 6 {
            (
                p.neg("person_name", "placeholder", "Unknown".into()),
                p.neg("person_name", "placeholder", "N/A".into()),
            )
        } else {
            (
                p.pos("person_name", "part_column", surname),
                p.pos("person_name", "part_column", first.clone()),
            )
        };
        let contact = if r % 7 == 6 {
            // A void: no one to contact, in words under a name column.
            p.neg("person_name", "placeholder", "Void property".into())
        } else {
            let initial = first.chars().next().unwrap_or('J');
            let contact = p.pos("person_name", "title_initial", format!("{initial} {last}"));
            format!("Mrs {contact}")
        };
        out.push_str(&format!(
            "C{:04},{surname},{forename},{contact},{},{}\n",
            rng.below(10_000),
            rng.pick(SCHEMES),
            p.pos("uk_phone", "header", synth::any_phone(rng))
        ));
    }
    out
}

/// An IT team's change log: its engineer named beside words that are
/// special-category terms in another sense, and numbers shaped like bank
/// details, phone numbers and postcodes that are builds, versions, timings
/// and budgets.
fn it_change_log(rng: &mut Rng, p: &mut Plant) -> String {
    let host = format!("fs{:02}", rng.below(40));
    let mut lines = vec![
        format!("IT change log: {host}"),
        format!(
            "Engineer: Mr {}, {}",
            p.pos("person_name", "title", synth::surname(rng)),
            p.pos("email", "label", synth::email(rng))
        ),
    ];
    p.neg("genetic_biometric", "other_sense", "fingerprints".into());
    lines.push(format!(
        "- Checked the SSH host key fingerprints on {host} first."
    ));
    p.neg("criminal_offence", "other_sense", "caution".into());
    lines.push("- Please use caution when restarting the file server.".into());
    p.neg("trade_union", "lower_case", "rmt".into());
    p.neg("trade_union", "other_sense", "unison".into());
    lines.push("- The rmt daemon and the nightly backups now run in unison.".into());
    p.neg("health_term", "other_sense", "stroke".into());
    lines.push("- Letter template: stroke width 2, as the housing team asked.".into());
    lines.push(format!(
        "- Upgraded the PDF library from {} to 4.02.",
        p.neg("uk_phone", "version", "4.01 2019-01-21".into())
    ));
    lines.push(format!(
        "- Build {} (ticket #{}).",
        p.neg(
            "uk_bank_account",
            "build",
            format!("2024{:02}{:02}", 1 + rng.below(12), 1 + rng.below(28))
        ),
        p.neg("uk_sort_code", "ticket", format!("9{}", rng.digits(5)))
    ));
    lines.push(format!(
        "- Cost code {}, budget {}.",
        p.neg("uk_sort_code", "cost_code", format!("4{}", rng.digits(5))),
        p.neg("uk_bank_account", "budget", format!("1{}", rng.digits(7)))
    ));
    lines.push(format!(
        "- Index rebuilt; sort time 3.{} s.",
        p.neg("uk_sort_code", "decimal", rng.digits(6))
    ));
    lines.push(format!(
        "- Drivers built for {}.",
        p.neg("uk_postcode", "no_area", "ia64hp".into())
    ));
    lines.push(format!(
        "- Fixed the crash in https://fuzz.example/testcase-detail/{}",
        p.neg(
            "payment_card",
            "in_link",
            synth::card(rng, "4", 16).replace(' ', "")
        )
    ));
    lines.push(format!(
        "- Collation: # {} sorts after <U00022ACC> # {}.",
        p.neg(
            "payment_card",
            "retired_length",
            synth::card(rng, "4", 13).replace(' ', ""),
        ),
        p.neg("uk_bank_account", "hex_code", format!("1{}", rng.digits(7)))
    ));
    // A program's key is no form's label.
    lines.push("- New pipeline step:".into());
    lines.push(format!(
        "  name: {}",
        p.neg("person_name", "key", "Check MSRV".into())
    ));
    p.neg("ethnic_origin", "language", "Kashmiri".into());
    p.neg("ethnic_origin", "typography", "East Asian".into());
    lines.push("- Added the Kashmiri language locale; East Asian width fixed in the fonts.".into());
    lines.join("\n") + "\n"
}

/// A workbook of one sheet, cells as inline strings.
fn xlsx(rows: &[Vec<String>]) -> Vec<u8> {
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!("<row r=\"{}\">", r + 1));
        for (c, cell) in row.iter().enumerate() {
            let col = char::from(b'A' + c as u8);
            sheet.push_str(&format!(
                "<c r=\"{col}{}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                r + 1,
                xml_escape(cell)
            ));
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    zip(&[
        ("[Content_Types].xml", br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#),
        ("_rels/.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
        ("xl/workbook.xml", br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Debits" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
        ("xl/_rels/workbook.xml.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ])
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A one-page PDF with a line of Helvetica text per line of `text`, in
/// Windows-1252 (`WinAnsiEncoding`), as Word writes a letter's accents.
fn pdf(text: &str) -> Vec<u8> {
    let mut content = b"BT /F1 10 Tf 50 780 Td 14 TL\n".to_vec();
    for line in text.lines() {
        let escaped = pdf_escaped(line);
        content.push(b'(');
        content.extend_from_slice(&encoding_rs::WINDOWS_1252.encode(&escaped).0);
        content.extend_from_slice(b") Tj T*\n");
    }
    content.extend_from_slice(b"ET\n");
    let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
    stream.extend_from_slice(&content);
    stream.extend_from_slice(b"endstream");
    let objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>".to_vec(),
        stream,
        HELVETICA.to_vec(),
    ];
    serialised(&objects)
}

const HELVETICA: &[u8] =
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>";

/// A PDF of tables drawn as word processors and spreadsheets draw them: each
/// cell a text object of its own, placed from the page's corner. Each page
/// is lines of (x, text) pieces, 9-point Helvetica, 14 points apart.
fn table_pdf(pages: &[Vec<Vec<(u32, String)>>]) -> Vec<u8> {
    let count = pages.len();
    let kids: Vec<String> = (0..count).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    let mut objects = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {count} >>",
            kids.join(" ")
        )
        .into_bytes(),
        HELVETICA.to_vec(),
    ];
    for (i, lines) in pages.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                5 + 2 * i
            )
            .into_bytes(),
        );
        let mut content = Vec::new();
        for (n, line) in lines.iter().enumerate() {
            for (x, text) in line {
                let _ = write!(content, "BT {x} {} Td /F1 9 Tf (", 780 - 14 * n);
                content.extend_from_slice(&encoding_rs::WINDOWS_1252.encode(&pdf_escaped(text)).0);
                content.extend_from_slice(b") Tj ET\n");
            }
        }
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend_from_slice(&content);
        stream.extend_from_slice(b"endstream");
        objects.push(stream);
    }
    serialised(&objects)
}

/// Text as a PDF string's bytes say it, in what Windows-1252 can write.
fn pdf_escaped(line: &str) -> String {
    line.replace('\\', "\\\\")
        .replace('(', "\\(")
        .replace(')', "\\)")
        .replace('—', "-")
        .replace('£', "GBP ")
}

/// A PDF file of `objects`, numbered from 1, the first its catalog.
fn serialised(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        let _ = writeln!(out, "{} 0 obj", i + 1);
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    let _ = write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for o in offsets {
        let _ = writeln!(out, "{o:010} 00000 n ");
    }
    let _ = write!(
        out,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    );
    out
}

/// A zip archive of `members`.
fn zip(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().last_modified_time(zip::DateTime::default());
    for (name, bytes) in members {
        if w.start_file(*name, options).is_ok() {
            let _ = w.write_all(bytes);
        }
    }
    w.finish().map(|c| c.into_inner()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_corpus() {
        let (a, b) = (generate(1), generate(1));
        assert_eq!(a.truth, b.truth);
        assert_eq!(a.files, b.files);
        assert_ne!(generate(2).truth, a.truth);
    }

    #[test]
    fn every_kind_of_file_and_trap_is_there() {
        let c = generate(1);
        for ext in [
            "csv", "xlsx", "txt", "docx", "pdf", "json", "eml", "zip", "html",
        ] {
            assert!(c.files.iter().any(|(p, _)| p.ends_with(ext)), "{ext}");
        }
        for kind in [
            "invoice_ref",
            "job_no",
            "tenancy_start",
            "luhn_fail",
            "test_card",
            "phone_passing_check",
            "invalid_prefix",
            "message_id",
            "notice",
            "blank_form",
        ] {
            assert!(
                c.truth.iter().any(|t| t.kind == kind && !t.personal),
                "{kind}"
            );
        }
        // Values where names are looked for: a first row without a header,
        // and keys.
        for kind in ["no_header", "key_is_value", "below_title"] {
            assert!(
                c.truth.iter().any(|t| t.kind == kind && t.personal),
                "{kind}"
            );
        }
    }
}
