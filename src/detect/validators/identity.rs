//! Identity documents: UK passport numbers and DVLA driving licence numbers.

use super::all_same;

/// Nine digits (HM Passport Office's format since 1988), not a run of one
/// digit and not a counting sequence, which forms and examples use.
pub fn is_valid_passport(value: &str) -> bool {
    let d: Vec<u8> = value.bytes().collect();
    d.len() == 9
        && d.iter().all(u8::is_ascii_digit)
        && !all_same(&d)
        && value != "123456789"
        && value != "987654321"
}

/// A DVLA licence number (16 characters): the surname's first five letters
/// (short names padded with 9), the decade of birth, the month of birth
/// (plus 5 in the tens for women), the day, the year's last digit, two
/// initials (padded with 9), a 9, and two check characters.
pub fn is_valid_driving_licence(value: &str) -> bool {
    let b = value.as_bytes();
    if b.len() != 16
        || !b
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        return false;
    }
    let padded_letters = |part: &[u8]| {
        // Letters, then only 9s: "LEE99", not "L9E99".
        let letters = part.iter().take_while(|c| c.is_ascii_uppercase()).count();
        letters >= 1 && part[letters..].iter().all(|&c| c == b'9')
    };
    let digit = |i: usize| b[i].is_ascii_digit();
    if !padded_letters(&b[0..5]) || !(5..11).all(digit) || !padded_letters(&b[11..13]) {
        return false;
    }
    let two = |i: usize| (b[i] - b'0') * 10 + (b[i + 1] - b'0');
    let month = match two(6) {
        m @ 1..=12 => m,
        m @ 51..=62 => m - 50,
        _ => return false,
    };
    super::day_fits_month(two(8), month) && b[13].is_ascii_digit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passports() {
        // Nine digits, as on the data page (gov.uk "Passport number" guidance).
        assert!(is_valid_passport("925076473"));
        assert!(is_valid_passport("107185703"));
        for bad in [
            "12345678",
            "1234567890",
            "999999999",
            "123456789",
            "12345678A",
        ] {
            assert!(!is_valid_passport(bad), "{bad}");
        }
    }

    #[test]
    fn driving_licences() {
        // The DVLA's documented layout; the example from its guidance on
        // what a licence number means (MORGA753116SM9IJ), and a woman's.
        assert!(is_valid_driving_licence("MORGA753116SM9IJ"));
        assert!(is_valid_driving_licence("LEE99862049AB9CD"));
        assert!(is_valid_driving_licence("JONES561019J99AB"));
        for bad in [
            "MORGA713116SM9IJ", // month 13
            "MORGA761316SM9IJ", // day 31 in November
            "M9RGA753116SM9IJ", // 9 before letters in the surname
            "MORGA753116SM9I",  // 15 characters
            "morga753116sm9ij", // printed in capitals
            "MORGA753116SMXIJ", // the fixed digit is a letter
        ] {
            assert!(!is_valid_driving_licence(bad), "{bad}");
        }
    }
}
