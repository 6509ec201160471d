//! Synthetic personal data for benchmarks and tests: invented people whose
//! identifiers pass their checks, from a seeded generator, so runs repeat.
//! Phone numbers come from Ofcom's ranges reserved for drama, emails from
//! the example domains.

/// SplitMix64: small, fast and good enough to invent test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    pub fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
}

const FIRST: &[&str] = &[
    "Amara", "Ben", "Chloe", "Dev", "Ellis", "Fatima", "Gareth", "Hana", "Isla", "Jamal", "Kerry",
    "Liam", "Maya", "Niall", "Olu", "Priya",
];
const LAST: &[&str] = &[
    "Ashby", "Brennan", "Chaudhry", "Dunmore", "Eke", "Fairley", "Gould", "Hartigan", "Iqbal",
    "Jessop", "Kowalski", "Lomax", "Mensah", "Nuttall", "Okafor", "Pryce",
];

/// Names as letters and documents spell them, accents, apostrophes, a
/// capital after Mc or Mac and small words kept (not in emails: their
/// addresses are ASCII).
const FIRST_WRITTEN: &[&str] = &["Siân", "Seán", "Zoë", "Łukasz", "Pádraig", "Siobhán"];
const LAST_WRITTEN: &[&str] = &[
    "Adéyemi",
    "O\u{2019}Brien",
    "Brontë",
    "Wójcik",
    "McAllister",
    "MacLeod",
    "de Souza",
    "Ó Briain",
    "Ní Bhriain",
    "Mac Giolla Phádraig",
];

/// One of `plain` or, one time in five, of `accented`.
fn written<'a>(rng: &mut Rng, plain: &[&'a str], accented: &[&'a str]) -> &'a str {
    let &name = if rng.below(5) == 0 {
        rng.pick(accented)
    } else {
        rng.pick(plain)
    };
    name
}

pub fn surname(rng: &mut Rng) -> String {
    written(rng, LAST, LAST_WRITTEN).to_string()
}

pub fn name(rng: &mut Rng) -> String {
    let first = written(rng, FIRST, FIRST_WRITTEN);
    format!("{first} {}", written(rng, LAST, LAST_WRITTEN))
}

pub fn nino(rng: &mut Rng) -> String {
    const FIRST_OK: &[u8] = b"ABCEGHJKLMNOPRSTWXYZ";
    const SECOND_OK: &[u8] = b"ABCEGHJKLMNPRSTWXYZ";
    loop {
        let a = *rng.pick(FIRST_OK) as char;
        let b = *rng.pick(SECOND_OK) as char;
        let prefix = format!("{a}{b}");
        // Never issued, or administrative (not a person's own).
        if [
            "BG", "GB", "KN", "NK", "NT", "TN", "ZZ", "CR", "FY", "MW", "NC", "PP", "PY", "PZ",
        ]
        .contains(&prefix.as_str())
        {
            continue;
        }
        let d = rng.digits(6);
        let s = *rng.pick(b"ABCD") as char;
        return format!("{prefix} {} {} {} {s}", &d[0..2], &d[2..4], &d[4..6]);
    }
}

pub fn nhs_number(rng: &mut Rng) -> String {
    loop {
        let mut d: Vec<u32> = (0..9).map(|_| rng.below(10) as u32).collect();
        // 4xx, 6xx and 7xx: the ranges allocated in England and Wales.
        d[0] = *rng.pick(&[4, 6, 7]);
        let sum: u32 = d.iter().zip((2..=10).rev()).map(|(x, w)| x * w).sum();
        let check = match 11 - sum % 11 {
            11 => 0,
            10 => continue,
            c => c,
        };
        d.push(check);
        let s: String = d.iter().map(|x| char::from(b'0' + *x as u8)).collect();
        return format!("{} {} {}", &s[0..3], &s[3..6], &s[6..10]);
    }
}

/// A Luhn-valid 16-digit Visa number, grouped in fours.
pub fn visa(rng: &mut Rng) -> String {
    card(rng, "4", 16)
}

/// A Luhn-valid card number of `len` digits starting with `prefix`,
/// grouped as printed (4-6-5 for 15 digits, else fours).
pub fn card(rng: &mut Rng, prefix: &str, len: usize) -> String {
    let mut d: Vec<u8> = prefix.bytes().map(|b| b - b'0').collect();
    while d.len() < len - 1 {
        d.push(rng.below(10) as u8);
    }
    d.push(crate::detect::validators::luhn_check_digit(&d));
    let s: String = d.iter().map(|x| char::from(b'0' + x)).collect();
    if len == 15 {
        format!("{} {} {}", &s[0..4], &s[4..10], &s[10..15])
    } else {
        let groups: Vec<&str> = (0..len)
            .step_by(4)
            .map(|i| &s[i..(i + 4).min(len)])
            .collect();
        groups.join(" ")
    }
}

/// A Mastercard number from the 51–55 or the 2221–2720 range.
pub fn mastercard(rng: &mut Rng) -> String {
    let prefix = if rng.below(2) == 0 {
        format!("5{}", 1 + rng.below(5))
    } else {
        (2221 + rng.below(500)).to_string()
    };
    card(rng, &prefix, 16)
}

/// ISO 7064 MOD 97-10 check digits for `country` and `bban`.
pub fn iban_from(country: &str, bban: &str) -> String {
    let rearranged = format!("{bban}{country}00");
    let mut rem: u32 = 0;
    for c in rearranged.chars() {
        let v = c.to_digit(36).unwrap_or(0);
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    let check = 98 - rem;
    let plain = format!("{country}{check:02}{bban}");
    // Printed in groups of four.
    let chars: Vec<char> = plain.chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A valid IBAN from one of a few countries, each with its own BBAN shape.
pub fn iban(rng: &mut Rng) -> String {
    iban_parts(rng).0
}

/// An IBAN, and for a GB one the sort code ("60-16-13") and account number
/// it holds.
pub fn iban_parts(rng: &mut Rng) -> (String, Option<(String, String)>) {
    let upper = |rng: &mut Rng, n: usize| -> String {
        (0..n)
            .map(|_| char::from(b'A' + rng.below(26) as u8))
            .collect()
    };
    match rng.below(5) {
        0 | 1 => {
            let bank = rng
                .pick(&["NWBK", "BARC", "LOYD", "HBUK", "MIDL"])
                .to_string();
            let (sort, account) = (rng.digits(6), rng.digits(8));
            let parts = (
                format!("{}-{}-{}", &sort[0..2], &sort[2..4], &sort[4..6]),
                account.clone(),
            );
            (
                iban_from("GB", &format!("{bank}{sort}{account}")),
                Some(parts),
            )
        }
        2 => (iban_from("DE", &rng.digits(18)), None),
        3 => (
            iban_from("IE", &format!("{}{}", upper(rng, 4), rng.digits(14))),
            None,
        ),
        _ => (
            iban_from("NL", &format!("{}{}", upper(rng, 4), rng.digits(10))),
            None,
        ),
    }
}

pub fn sort_code(rng: &mut Rng) -> String {
    let d = rng.digits(6);
    format!("{}-{}-{}", &d[0..2], &d[2..4], &d[4..6])
}

pub fn account(rng: &mut Rng) -> String {
    format!("{}{}", 1 + rng.below(9), rng.digits(7))
}

pub fn phone(rng: &mut Rng) -> String {
    format!("07700 900{:03}", rng.below(1000))
}

/// A number from one of Ofcom's drama ranges, mobile or landline.
pub fn any_phone(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => phone(rng),
        1 => format!("0113 496 0{:03}", rng.below(1000)),
        2 => format!("020 7946 0{:03}", rng.below(1000)),
        3 => format!("01632 960{:03}", rng.below(1000)),
        _ => format!("+44 7700 900{:03}", rng.below(1000)),
    }
}

pub fn email(rng: &mut Rng) -> String {
    format!(
        "{}.{}{}@example.com",
        rng.pick(FIRST).to_lowercase(),
        rng.pick(LAST).to_lowercase(),
        rng.below(100)
    )
}

pub fn postcode(rng: &mut Rng) -> String {
    let area = rng.pick(&["LS", "M", "B", "BN", "CR", "EX", "NE", "SW"]);
    let unit = rng.pick(&["AB", "DE", "HJ", "LN", "PQ", "TU", "WX", "ZZ"]);
    format!("{area}{} {}{unit}", 1 + rng.below(20), rng.below(10))
}

pub fn birth_date(rng: &mut Rng) -> String {
    format!(
        "{:02}/{:02}/{}",
        1 + rng.below(28),
        1 + rng.below(12),
        1940 + rng.below(65)
    )
}

fn w_para(text: &str) -> String {
    let text = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!("<w:p><w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>")
}

/// A small Word document holding `text`, a paragraph a line.
pub fn docx(text: &str) -> Vec<u8> {
    docx_body(&text.lines().map(w_para).collect::<String>())
}

/// A small Word document: a title, then a table of `rows`.
pub fn docx_table(title: &str, rows: &[Vec<String>]) -> Vec<u8> {
    let rows: String = rows
        .iter()
        .map(|row| {
            let cells: String = row
                .iter()
                .map(|c| format!("<w:tc>{}</w:tc>", w_para(c)))
                .collect();
            format!("<w:tr>{cells}</w:tr>")
        })
        .collect();
    docx_body(&format!("{}<w:tbl>{rows}</w:tbl>", w_para(title)))
}

fn docx_body(body: &str) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // A fixed time: the same text makes the same bytes (the eval corpus
    // and the benches' trees are compared and reused by their bytes).
    let options =
        zip::write::SimpleFileOptions::default().last_modified_time(zip::DateTime::default());
    w.start_file("[Content_Types].xml", options)
        .expect("writing to memory");
    w.write_all(br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#).expect("writing to memory");
    w.start_file("word/document.xml", options)
        .expect("writing to memory");
    write!(
        w,
        r#"<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>"#
    )
    .expect("writing to memory");
    w.finish().expect("writing to memory").into_inner()
}

const FILLER: &[&str] = &[
    "The repair to the kitchen window was completed on schedule and the tenant was satisfied.",
    "Rent statement issued for the quarter; no arrears outstanding at the time of review.",
    "Estate inspection found the communal bins overflowing near block C, reported to the contractor.",
    "Gas safety check booked for next month; the engineer will call ahead on the day.",
    "Neighbour reported noise late at night; officer to visit and discuss the tenancy conditions.",
    "Garden maintenance remains the responsibility of the household under the agreement.",
    "Annual tenancy audit carried out, all household members confirmed as listed.",
];

/// Mixed housing-office text of about `bytes` bytes: mostly prose, with a
/// personal value on roughly one line in `one_in`.
pub fn mixed_text(bytes: usize, seed: u64, one_in: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut out = String::with_capacity(bytes + 256);
    while out.len() < bytes {
        let filler: &&str = rng.pick(FILLER);
        out.push_str(filler);
        if rng.below(one_in) == 0 {
            let line = match rng.below(9) {
                0 => format!(" NI number: {}.", nino(&mut rng)),
                1 => format!(" Date of birth: {}.", birth_date(&mut rng)),
                2 => format!(" Contact {} on {}.", email(&mut rng), phone(&mut rng)),
                3 => format!(
                    " Sort code {} account number {}.",
                    sort_code(&mut rng),
                    account(&mut rng)
                ),
                4 => format!(" Card {} on file.", visa(&mut rng)),
                5 => format!(" NHS number {}.", nhs_number(&mut rng)),
                6 => format!(" {} at {} has asthma.", name(&mut rng), postcode(&mut rng)),
                7 => format!(
                    " Tenancy start 01/04/2019, invoice ref {}.",
                    sort_code(&mut rng)
                ),
                _ => format!(" Job no {}.", account(&mut rng)),
            };
            out.push_str(&line);
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::validators::Validator;

    #[test]
    fn generated_values_validate() {
        let ctx = crate::detect::validators::ValidateCtx::new(
            jiff::civil::Date::new(2026, 1, 1).unwrap(),
        );
        let mut rng = Rng::new(7);
        for _ in 0..200 {
            assert!(Validator::UkNino.validate(&nino(&mut rng), &ctx).is_some());
            assert!(Validator::NhsNumber
                .validate(&nhs_number(&mut rng), &ctx)
                .is_some());
            assert!(Validator::LuhnCard
                .validate(&visa(&mut rng), &ctx)
                .is_some());
            assert!(Validator::UkPhone
                .validate(&phone(&mut rng), &ctx)
                .is_some());
            assert!(Validator::DateOfBirth
                .validate(&birth_date(&mut rng), &ctx)
                .is_some());
        }
    }

    #[test]
    fn same_seed_same_text() {
        assert_eq!(mixed_text(10_000, 3, 4), mixed_text(10_000, 3, 4));
        assert_ne!(mixed_text(10_000, 3, 4), mixed_text(10_000, 4, 4));
    }
}
