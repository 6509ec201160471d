//! IBANs: country code, two check digits, a country-specific BBAN length,
//! and the ISO 13616 mod-97 check.

use std::ops::Range;

/// IBAN length by country (SWIFT's IBAN registry).
const LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NL", 18),
    ("NO", 15),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("SA", 24),
    ("SC", 31),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
];

pub fn expected_length(country: &str) -> Option<usize> {
    LENGTHS.iter().find(|(c, _)| *c == country).map(|(_, n)| *n)
}

/// The valid IBAN at the start of `value`: the regex may run on into a
/// following group of capitals ("... 32 AND"), so shorter prefixes ending at a
/// group boundary are tried too.
pub fn valid_prefix(value: &str) -> Option<Range<usize>> {
    let mut end = value.len();
    loop {
        if is_valid(&value[..end]) {
            return Some(0..end);
        }
        end = value[..end].rfind(' ')?;
    }
}

pub fn is_valid(value: &str) -> bool {
    let compact: String = value.chars().filter(|c| *c != ' ').collect();
    let bytes = compact.as_bytes();
    if bytes.len() < 5 || !bytes.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let Some(len) = expected_length(&compact[..2]) else {
        return false;
    };
    if bytes.len() != len || !bytes[2..4].iter().all(u8::is_ascii_digit) {
        return false;
    }
    // Grouped IBANs come in fours: "GB82 WEST 1234 ...".
    if value.contains(' ') && value.split(' ').rev().skip(1).any(|g| g.len() != 4) {
        return false;
    }
    mod97(&compact[4..], &compact[..4]) == 1
}

/// The remainder mod 97 of BBAN + country + check digits, letters as 10..35.
fn mod97(bban: &str, head: &str) -> u32 {
    bban.bytes()
        .chain(head.bytes())
        .fold(0u32, |acc, b| match b {
            b'0'..=b'9' => (acc * 10 + u32::from(b - b'0')) % 97,
            _ => {
                let v = u32::from(b.to_ascii_uppercase() - b'A') + 10;
                (acc * 100 + v) % 97
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid() {
        // Examples from the IBAN registry.
        for v in [
            "GB29 NWBK 6016 1331 9268 19",
            "GB29NWBK60161331926819",
            "DE89 3704 0044 0532 0130 00",
            "FR14 2004 1010 0505 0001 3M02 606",
            "NO9386011117947",
        ] {
            assert!(is_valid(v), "{v}");
        }
    }

    #[test]
    fn invalid() {
        for v in [
            "GB28 NWBK 6016 1331 9268 19", // check digits
            "GB29 NWBK 6016 1331 9268 1",  // length
            "XX29 NWBK 6016 1331 9268 19", // country
            "GB29 NWB K601 6133 1926 819", // grouping
        ] {
            assert!(!is_valid(v), "{v}");
        }
    }

    #[test]
    fn trailing_capitals_are_trimmed() {
        let v = "GB29 NWBK 6016 1331 9268 19 AND";
        assert_eq!(valid_prefix(v), Some(0..27));
        assert_eq!(valid_prefix("GB28 NWBK 6016 1331 9268 19 AND"), None);
    }
}
