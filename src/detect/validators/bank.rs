//! UK sort codes and account numbers. Neither has a public check digit
//! (the modulus checks are licensed per bank), so shape is all there is;
//! context decides, in the detector rules.

use super::{all_same, consistent_separators, digits};

pub fn is_valid_sort_code(value: &str) -> bool {
    let d = digits(value);
    d.len() == 6 && consistent_separators(value) && !all_same(&d)
}

pub fn is_valid_account(value: &str) -> bool {
    let d = digits(value);
    d.len() == 8 && value.len() == 8 && !all_same(&d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_codes() {
        for v in ["20-00-00", "40 47 84", "601613"] {
            assert!(is_valid_sort_code(v), "{v}");
        }
        for v in ["00-00-00", "20-00 00", "2000000", "11 11 11"] {
            assert!(!is_valid_sort_code(v), "{v}");
        }
    }

    #[test]
    fn accounts() {
        for v in ["31926819", "00012345"] {
            assert!(is_valid_account(v), "{v}");
        }
        for v in ["00000000", "1234567", "123456789", "1234 5678"] {
            assert!(!is_valid_account(v), "{v}");
        }
    }
}
