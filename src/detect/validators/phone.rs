//! UK telephone numbers in +44 and 0 forms.

use super::digits;

pub fn is_valid(value: &str) -> bool {
    let mut d = digits(value);
    if value.trim_start().starts_with('+') {
        // +44 and an optional (0): national form is 0 + the rest.
        if d.len() < 3 || d[0] != 4 || d[1] != 4 {
            return false;
        }
        d.drain(..2);
        if value.contains("(0)") {
            d.remove(0);
        }
        d.insert(0, 0);
    }
    if d.first() != Some(&0) || d.len() < 10 {
        return false;
    }
    // Pairs of digits are a hex dump's bytes or a French number, never a
    // UK number as written: "01 00 00 00 00".
    let mut groups = value.split([' ', '-']).filter(|g| !g.is_empty());
    if groups.clone().count() >= 5 && groups.all(|g| g.len() == 2) {
        return false;
    }
    // Counting digits are a form's placeholder ("01234 567890").
    if d.windows(2).all(|w| w[1] == (w[0] + 1) % 10) {
        return false;
    }
    let len = d.len();
    match d[1] {
        // Geographic: mostly 11 digits; a few areas (e.g. 016977) have 10.
        1 => len == 11 || len == 10,
        2 | 3 | 7 | 9 => len == 11,
        // Freephone and special rates: 0800 numbers may have 10.
        8 => len == 11 || (len == 10 && d[2] == 0 && d[3] == 0),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid() {
        for v in [
            "07700 900123",
            "+44 7700 900456",
            "+44 (0)20 7946 0321",
            "020 7946 0555",
            "01632 960789",
            "0161 496 0123",
            "(0161) 496 0123",
            "+447700900123",
            "0800 123456",
        ] {
            assert!(is_valid(v), "{v}");
        }
    }

    #[test]
    fn invalid() {
        for v in [
            "07700 90012",
            "0770090012345",
            "+33 7700 900456",
            "05700 900123",
            "020 7946 05",
            "0123456789",
            "01234 567890",
            "01 00 00 00 00",
            "08-00-12-34-56",
        ] {
            assert!(!is_valid(v), "{v}");
        }
    }
}
