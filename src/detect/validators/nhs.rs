//! NHS numbers: ten digits with a modulus-11 check digit.

use super::{all_same, consistent_separators, digits};

/// Ten digits, the modulus-11 check, and a number from an allocated range
/// (NHS England's ranges, as Wikipedia's "NHS number" article lists them):
/// England, Wales and the Isle of Man 400–499 and 600–799 million, and in
/// England 3xx; Northern Ireland's Health and Care numbers 320–399 million;
/// Scotland's CHI numbers 010–311 million, which begin with the holder's
/// birth date (DDMMYY). The 999 range is for testing and never issued; the
/// rest (documentation's 943 476 5919 and 987 654 4321 among it) is not
/// allocated.
pub fn is_valid(value: &str) -> bool {
    if !consistent_separators(value) {
        return false;
    }
    let d = digits(value);
    d.len() == 10 && !all_same(&d) && check_digit(&d[..9]) == Some(d[9]) && in_range(&d)
}

fn in_range(d: &[u8]) -> bool {
    let first3 = u32::from(d[0]) * 100 + u32::from(d[1]) * 10 + u32::from(d[2]);
    match first3 {
        10..=299 => chi_birth_date_ok(d),
        300..=499 | 600..=799 => true,
        _ => false,
    }
}

/// A CHI number starts with a real day and month.
fn chi_birth_date_ok(d: &[u8]) -> bool {
    super::day_fits_month(d[0] * 10 + d[1], d[2] * 10 + d[3])
}

/// Weights 10 down to 2; 11 − (sum mod 11); 11 means 0; 10 is never valid.
fn check_digit(first_nine: &[u8]) -> Option<u8> {
    let sum: u32 = first_nine
        .iter()
        .zip((2..=10).rev())
        .map(|(&d, w)| u32::from(d) * w)
        .sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        c => Some(c as u8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid() {
        // Published examples of valid NHS numbers (NHS Digital's test data set).
        // England; a CHI number (born 15/03/85); a Northern Irish H&C number.
        for v in [
            "401 023 2137",
            "4010232137",
            "401-023-2137",
            "6208424593",
            "150 385 1230",
            "320 000 1232",
        ] {
            assert!(is_valid(v), "{v}");
        }
    }

    #[test]
    fn invalid() {
        for v in [
            "943 476 5919", // Wikipedia's checksum example: the 9xx range is not allocated
            "987 654 4321", // NHS's syntax example: likewise
            "999 000 0018", // the test range
            "291 385 1231", // a CHI number needs a real date: no 13th month
            // In an allocated range, so that each fails for its own reason:
            "4010232138",   // wrong check digit
            "4010232030",   // remainder 10: never valid
            "4444444444",   // a placeholder (its check digit holds)
            "401 023-2137", // mixed separators
            "401023213",    // nine digits
        ] {
            assert!(!is_valid(v), "{v}");
        }
    }
}
