//! UK National Insurance numbers, by HMRC's published format.

use super::consistent_separators;

/// Prefixes HMRC never allocates.
const NEVER_VALID: [&str; 7] = ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"];

/// Prefixes HMRC uses for administrative numbers, not people's own: valid,
/// but weak evidence of a person.
const ADMINISTRATIVE: [&str; 7] = ["CR", "FY", "MW", "NC", "PP", "PY", "PZ"];

pub fn is_administrative(value: &str) -> bool {
    let prefix: String = value
        .chars()
        .take(2)
        .collect::<String>()
        .to_ascii_uppercase();
    ADMINISTRATIVE.contains(&prefix.as_str())
}

/// The nine letters and digits, upper case, if separated consistently.
fn compact(value: &str) -> Option<Vec<u8>> {
    let compact: Vec<u8> = value
        .bytes()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| b.to_ascii_uppercase())
        .collect();
    (consistent_separators(value) && compact.len() == 9).then_some(compact)
}

/// The temporary references employers and the DWP once used: TN, the
/// holder's birth date as DDMMYY, then M or F ("TN 03 04 85 F").
pub fn is_temporary(value: &str) -> bool {
    let Some(compact) = compact(value) else {
        return false;
    };
    if &compact[..2] != b"TN" || !b"MF".contains(&compact[8]) {
        return false;
    }
    let d = &compact[2..8];
    if !d.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let two = |i: usize| (d[i] - b'0') * 10 + (d[i + 1] - b'0');
    let (day, month) = (two(0), two(2));
    super::day_fits_month(day, month)
}

/// Two prefix letters, six digits, a suffix A–D; separators (space or
/// hyphen) allowed between pairs; any case. Temporary references count.
pub fn is_valid(value: &str) -> bool {
    if is_temporary(value) {
        return true;
    }
    let Some(compact) = compact(value) else {
        return false;
    };
    let (first, second) = (compact[0], compact[1]);
    let letters_ok = first.is_ascii_uppercase()
        && second.is_ascii_uppercase()
        && !b"DFIQUV".contains(&first)
        && !b"DFIOQUV".contains(&second);
    let digits_ok = compact[2..8].iter().all(u8::is_ascii_digit);
    let suffix_ok = (b'A'..=b'D').contains(&compact[8]);
    let prefix = std::str::from_utf8(&compact[..2]).unwrap_or("");
    // A prefix in mixed case is a word: "As 503748d" in a changelog.
    let mut written = value.bytes().filter(u8::is_ascii_alphabetic).take(2);
    let one_case = match (written.next(), written.next()) {
        (Some(a), Some(b)) => a.is_ascii_uppercase() == b.is_ascii_uppercase(),
        _ => false,
    };
    letters_ok && digits_ok && suffix_ok && one_case && !NEVER_VALID.contains(&prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_references() {
        // The form described in HMRC's National Insurance Manual (NIM39110).
        assert!(is_valid("TN 03 04 85 F"));
        assert!(is_valid("TN030485M"));
        assert!(!is_valid("TN 33 04 85 F"), "no 33rd day");
        assert!(!is_valid("TN 03 13 85 M"), "no 13th month");
        assert!(!is_valid("TN 31 02 85 F"), "no 31 February");
        assert!(is_valid("TN 29 02 84 F"), "29 February, in some year");
        assert!(
            !is_valid("TN 03 04 85 A"),
            "TN with a normal suffix is never issued"
        );
    }

    #[test]
    fn administrative_prefixes_are_weak() {
        assert!(is_valid("PZ 12 34 56 A") && is_administrative("PZ 12 34 56 A"));
        assert!(!is_administrative("AB 12 34 56 C"));
    }

    #[test]
    fn valid_forms() {
        for v in [
            "AB123456C",
            "AB 12 34 56 C",
            "ab-12-34-56-d",
            "JG103759A",
            "ce 123456 a",
        ] {
            assert!(is_valid(v), "{v}");
        }
    }

    #[test]
    fn a_prefix_in_mixed_case_is_a_word() {
        assert!(!is_valid("As 503748d"));
        assert!(!is_valid("aB123456C"));
        assert!(is_valid("AB123456c"), "a suffix typed in another case");
    }

    #[test]
    fn invalid_prefix_letters() {
        for v in [
            "DA123456A",
            "FA123456A",
            "IA123456A",
            "QA123456A",
            "UA123456A",
            "VA123456A",
        ] {
            assert!(!is_valid(v), "first letter: {v}");
        }
        for v in [
            "AD123456A",
            "AF123456A",
            "AI123456A",
            "AO123456A",
            "AQ123456A",
            "AU123456A",
            "AV123456A",
        ] {
            assert!(!is_valid(v), "second letter: {v}");
        }
        for v in [
            "BG123456A",
            "GB123456A",
            "KN123456A",
            "NK123456A",
            "NT123456A",
            "TN123456A",
            "ZZ123456A",
        ] {
            assert!(!is_valid(v), "never-valid prefix: {v}");
        }
        // HMRC's documentation example: Q is never a first letter.
        assert!(!is_valid("QQ 12 34 56 C"));
    }

    #[test]
    fn invalid_shape() {
        for v in [
            "AB123456E",
            "AB123456",
            "AB1234567C",
            "AB 12 34-56 C",
            "A1123456C",
        ] {
            assert!(!is_valid(v), "{v}");
        }
    }
}
