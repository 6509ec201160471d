//! Payment card numbers: Luhn-valid, with a known issuer prefix and length.

use super::{all_same, consistent_separators, digits};

pub fn is_valid(value: &str) -> bool {
    if !consistent_separators(value) {
        return false;
    }
    let d = digits(value);
    (13..=19).contains(&d.len()) && !all_same(&d) && luhn(&d) && issuer_accepts(&d)
}

/// A 13-digit card number: a length issuers stopped using (old Visa and
/// Maestro cards), so such cards have long expired, and 13 digits that pass
/// Luhn after a 4 are as often a table's code. Weak evidence unless its
/// context says card.
pub fn is_retired_length(value: &str) -> bool {
    value.bytes().filter(u8::is_ascii_digit).count() == 13
}

pub fn luhn(d: &[u8]) -> bool {
    luhn_sum(d, false).is_multiple_of(10)
}

/// The digit that makes `body` Luhn-valid when appended.
pub fn luhn_check_digit(body: &[u8]) -> u8 {
    ((10 - luhn_sum(body, true) % 10) % 10) as u8
}

/// Luhn's sum, doubling every second digit from the right (from the last
/// digit itself when it is to be followed by a check digit).
fn luhn_sum(d: &[u8], before_check_digit: bool) -> u32 {
    let doubled = usize::from(!before_check_digit);
    d.iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            let x = u32::from(x);
            if i % 2 == doubled {
                let y = x * 2;
                if y > 9 {
                    y - 9
                } else {
                    y
                }
            } else {
                x
            }
        })
        .sum()
}

fn prefix_num(d: &[u8], n: usize) -> u32 {
    d.iter().take(n).fold(0, |acc, &x| acc * 10 + u32::from(x))
}

/// Issuer identification ranges and the lengths each issues.
fn issuer_accepts(d: &[u8]) -> bool {
    let len = d.len();
    let p1 = prefix_num(d, 1);
    let p2 = prefix_num(d, 2);
    let p3 = prefix_num(d, 3);
    let p4 = prefix_num(d, 4);
    let p6 = prefix_num(d, 6);
    // Visa
    (p1 == 4 && matches!(len, 13 | 16 | 19))
        // Mastercard, including the 2-series
        || (((51..=55).contains(&p2) || (2221..=2720).contains(&p4)) && len == 16)
        // American Express
        || ((p2 == 34 || p2 == 37) && len == 15)
        // Discover
        || ((p4 == 6011 || p2 == 65 || (644..=649).contains(&p3)) && (16..=19).contains(&len))
        // JCB
        || ((3528..=3589).contains(&p4) && (16..=19).contains(&len))
        // Diners Club
        || ((p2 == 36 || p2 == 38 || (300..=305).contains(&p3)) && (14..=16).contains(&len))
        // Maestro (UK and international)
        || ((p2 == 50 || (56..=58).contains(&p2) || p4 == 6304 || p4 == 6759 || p6 == 676770 || p6 == 676774)
            && (13..=19).contains(&len))
        // UnionPay
        || (p2 == 62 && (16..=19).contains(&len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_cards() {
        for v in [
            "4556 7375 8689 9855", // Visa, grouped
            "5425-2334-3010-9903", // Mastercard 5-series, hyphens
            "2223003122003222",    // Mastercard 2-series
            "3782 822463 10005",   // Amex 4-6-5
            "6011111111111117",    // Discover
        ] {
            assert!(is_valid(v), "{v}");
        }
    }

    #[test]
    fn invalid_cards() {
        for v in [
            "4556 7375 8689 9856", // Luhn fails
            "1234567812345670",    // Luhn passes, no issuer starts with 1
            "2721003122003229",    // beyond the Mastercard 2-series range
            "4556 7375-8689 9855", // mixed separators
            "0000000000000000",    // placeholder
        ] {
            assert!(!is_valid(v), "{v}");
        }
    }

    #[test]
    fn thirteen_digits_are_a_retired_length() {
        // Valid (an old Visa), but of a length no longer issued.
        assert!(is_valid("4111251125234"));
        assert!(is_retired_length("4111251125234"));
        assert!(!is_retired_length("4556 7375 8689 9855"));
        assert!(!is_retired_length("3782 822463 10005"));
    }

    #[test]
    fn luhn_known() {
        assert!(luhn(&digits("79927398713")));
        assert!(!luhn(&digits("79927398710")));
    }
}
