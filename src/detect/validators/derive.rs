//! Values inside identifiers: a GB IBAN holds a sort code and an account
//! number; a CHI number, a driving licence number and a temporary NINO hold
//! their holder's date of birth.

use jiff::civil::Date;

/// A two-digit year as the holder's birth year: the latest century in which
/// they are at least 16 at `as_of` (licences and NINOs are not issued
/// younger; a CHI number is, but a baby's record is rarer than an adult's).
fn birth_year(yy: i16, as_of: Date) -> i16 {
    let this_century = 2000 + yy;
    if this_century <= as_of.year() - 16 {
        this_century
    } else {
        1900 + yy
    }
}

fn dob(day: i8, month: i8, yy: i16, as_of: Date) -> Option<String> {
    let date = Date::new(birth_year(yy, as_of), month, day).ok()?;
    (date <= as_of).then(|| date.strftime("%d/%m/%Y").to_string())
}

fn digits_at(s: &[u8], from: usize, n: usize) -> Option<i16> {
    let part = s.get(from..from + n)?;
    part.iter().try_fold(0i16, |acc, &b| {
        b.is_ascii_digit().then(|| acc * 10 + i16::from(b - b'0'))
    })
}

fn compact(value: &str) -> Vec<u8> {
    value
        .bytes()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| b.to_ascii_uppercase())
        .collect()
}

/// A GB IBAN's sort code ("60-16-13") and account number.
pub fn gb_iban_bank(value: &str) -> Option<(String, String)> {
    let c = compact(value);
    if c.len() != 22 || &c[..2] != b"GB" {
        return None;
    }
    let sort = std::str::from_utf8(&c[8..14]).ok()?;
    let account = std::str::from_utf8(&c[14..22]).ok()?;
    Some((
        format!("{}-{}-{}", &sort[0..2], &sort[2..4], &sort[4..6]),
        account.to_string(),
    ))
}

/// A CHI number's birth date (its first six digits, DDMMYY).
pub fn chi_birth_date(value: &str, as_of: Date) -> Option<String> {
    let c = compact(value);
    let first3 = digits_at(&c, 0, 3)?;
    if c.len() != 10 || !(10..=299).contains(&first3) {
        return None;
    }
    dob(
        digits_at(&c, 0, 2)? as i8,
        digits_at(&c, 2, 2)? as i8,
        digits_at(&c, 4, 2)?,
        as_of,
    )
}

/// A DVLA licence number's birth date: decade at 5, month (+50 for women)
/// at 6–7, day at 8–9, year's last digit at 10.
pub fn licence_birth_date(value: &str, as_of: Date) -> Option<String> {
    let c = value.as_bytes();
    let month = digits_at(c, 6, 2)?;
    let month = if month > 50 { month - 50 } else { month };
    let yy = digits_at(c, 5, 1)? * 10 + digits_at(c, 10, 1)?;
    dob(digits_at(c, 8, 2)? as i8, month as i8, yy, as_of)
}

/// A temporary NINO's birth date (TN DDMMYY M/F).
pub fn temporary_nino_birth_date(value: &str, as_of: Date) -> Option<String> {
    let c = compact(value);
    if c.len() != 9 || &c[..2] != b"TN" {
        return None;
    }
    dob(
        digits_at(&c, 2, 2)? as i8,
        digits_at(&c, 4, 2)? as i8,
        digits_at(&c, 6, 2)?,
        as_of,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn as_of() -> Date {
        Date::new(2026, 1, 1).unwrap()
    }

    #[test]
    fn gb_ibans_hold_sort_code_and_account() {
        // The ECBS example: NatWest sort code 60-16-13, account 31926819.
        assert_eq!(
            gb_iban_bank("GB29 NWBK 6016 1331 9268 19"),
            Some(("60-16-13".into(), "31926819".into()))
        );
        assert_eq!(gb_iban_bank("DE89 3704 0044 0532 0130 00"), None);
    }

    #[test]
    fn identifiers_hold_birth_dates() {
        assert_eq!(
            chi_birth_date("150 385 1230", as_of()),
            Some("15/03/1985".into())
        );
        assert_eq!(
            chi_birth_date("401 023 2137", as_of()),
            None,
            "England's numbers do not"
        );
        // DVLA's example MORGA753116SM9IJ: a woman born 11 March 1976.
        assert_eq!(
            licence_birth_date("MORGA753116SM9IJ", as_of()),
            Some("11/03/1976".into())
        );
        assert_eq!(
            temporary_nino_birth_date("TN 03 04 85 F", as_of()),
            Some("03/04/1985".into())
        );
        assert_eq!(
            temporary_nino_birth_date("TN 03 04 05 F", as_of()),
            Some("03/04/2005".into())
        );
        assert_eq!(
            temporary_nino_birth_date("TN 31 02 85 F", as_of()),
            None,
            "no 31 February"
        );
    }
}
