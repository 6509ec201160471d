//! UK postcodes. The detector's pattern encodes the full format (which
//! letters may stand where); this adds what a pattern says poorly.

pub fn is_valid(value: &str) -> bool {
    let letters: Vec<char> = value.chars().filter(|c| c.is_ascii_alphabetic()).collect();
    // All capitals or all lower case: "Ab1 2Cd" is a word, not a postcode.
    let upper = letters.iter().all(|c| c.is_ascii_uppercase());
    let lower = letters.iter().all(|c| c.is_ascii_lowercase());
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    (upper || lower) && (5..=7).contains(&compact.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid() {
        for v in [
            "SW1A 1AA", "GIR 0AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "ec1a 1bb", "W1A0AX",
        ] {
            assert!(is_valid(v), "{v}");
        }
    }

    #[test]
    fn invalid() {
        for v in ["Sw1A 1aA", "M1", "SW1A 1AAA"] {
            assert!(!is_valid(v), "{v}");
        }
    }
}
