//! Dates in the usual UK forms, read day-first, and whether one can be a
//! birth date.

use jiff::civil::Date;

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Parses 03/04/1985, 3/4/85, 03-04-1985, 03.04.1985, 1985-04-03,
/// 3 April 1985, 3rd Apr 1985, 03-Apr-85 and April 3, 1985. Two-digit years
/// are placed in the century that keeps the date on or before `as_of`.
pub fn parse_uk_date(text: &str, as_of: Date) -> Option<Date> {
    let lower = text.trim().to_ascii_lowercase();
    let tokens: Vec<&str> = lower
        .split(['/', '.', '-', ' ', ','])
        .filter(|t| !t.is_empty())
        .collect();
    if tokens.len() != 3 {
        return None;
    }
    let (day, month, year) = if tokens[0].len() == 4 && is_number(tokens[0]) {
        // ISO: year first, then month and day.
        (num(tokens[2])?, num(tokens[1])?, YearText::from(tokens[0])?)
    } else if let Some(m) = month_name(tokens[0]) {
        (day_number(tokens[1])?, m, YearText::from(tokens[2])?)
    } else {
        let month = if is_number(tokens[1]) {
            num(tokens[1])?
        } else {
            month_name(tokens[1])?
        };
        (day_number(tokens[0])?, month, YearText::from(tokens[2])?)
    };
    let year = year.resolve(month, day, as_of)?;
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

/// A date that a living person can have been born on, as of `as_of`.
/// Read day-first; a date that cannot be (11/22/1955) is read month-first,
/// as US-locale programs write it (LibreOffice's and Excel's CSV exports
/// on a machine set up for the US): nothing else could be meant.
pub fn is_plausible_birth_date(text: &str, as_of: Date) -> bool {
    let Some(date) = parse_uk_date(text, as_of).or_else(|| parse_month_first(text, as_of)) else {
        return false;
    };
    let earliest = as_of
        .checked_sub(jiff::Span::new().years(120))
        .unwrap_or(Date::MIN);
    date <= as_of && date >= earliest
}

/// 11/22/1955 as 22/11/1955: all numbers, the second past 12 (a date that
/// cannot be day-first, as US-locale programs write dates).
pub fn parse_month_first(text: &str, as_of: Date) -> Option<Date> {
    let tokens: Vec<&str> = text.trim().split(['/', '.', '-']).collect();
    let [month, day, year] = tokens[..] else {
        return None;
    };
    if month.len() > 2 || !tokens.iter().all(|t| is_number(t)) || num(day)? <= 12 {
        return None;
    }
    parse_uk_date(&format!("{day}/{month}/{year}"), as_of)
}

enum YearText {
    Full(i16),
    Short(i16),
}

impl YearText {
    fn from(t: &str) -> Option<YearText> {
        if !is_number(t) {
            return None;
        }
        match t.len() {
            4 => Some(YearText::Full(t.parse().ok()?)),
            2 => Some(YearText::Short(t.parse().ok()?)),
            _ => None,
        }
    }

    fn resolve(self, month: u32, day: u32, as_of: Date) -> Option<i16> {
        match self {
            YearText::Full(y) => Some(y),
            YearText::Short(yy) => {
                let century = as_of.year() - as_of.year() % 100;
                let this = century + yy;
                // Keep the later century unless that puts the date after as_of.
                let candidate = Date::new(this, i8::try_from(month).ok()?, i8::try_from(day).ok()?);
                match candidate {
                    Ok(d) if d <= as_of => Some(this),
                    _ => Some(this - 100),
                }
            }
        }
    }
}

fn is_number(t: &str) -> bool {
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())
}

fn num(t: &str) -> Option<u32> {
    if is_number(t) && t.len() <= 2 {
        t.parse().ok()
    } else {
        None
    }
}

/// 3, 03, 3rd, 21st.
fn day_number(t: &str) -> Option<u32> {
    let digits = t.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &t[digits.len()..];
    if !matches!(suffix, "" | "st" | "nd" | "rd" | "th") {
        return None;
    }
    num(digits)
}

/// jan, January, Sept, Sep. — the first three letters decide, and the rest
/// must be the month's own spelling.
fn month_name(t: &str) -> Option<u32> {
    const FULL: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let t = t.trim_end_matches('.');
    let i = MONTHS.iter().position(|m| t.starts_with(m))?;
    (FULL[i].starts_with(t) || t == "sept").then_some(i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn as_of() -> Date {
        Date::new(2026, 1, 1).unwrap()
    }

    fn d(y: i16, m: i8, day: i8) -> Option<Date> {
        Some(Date::new(y, m, day).unwrap())
    }

    #[test]
    fn every_uk_form() {
        let want = d(1985, 4, 3);
        for text in [
            "03/04/1985",
            "3/4/85",
            "03-04-1985",
            "03.04.1985",
            "1985-04-03",
            "3 April 1985",
            "3rd Apr 1985",
            "03-Apr-85",
            "April 3, 1985",
            "3 Sept 1985",
        ] {
            let want = if text.contains("Sept") {
                d(1985, 9, 3)
            } else {
                want
            };
            assert_eq!(parse_uk_date(text, as_of()), want, "{text}");
        }
    }

    #[test]
    fn invalid_dates() {
        for text in [
            "31/02/1985",
            "00/01/1990",
            "12/13/1990",
            "3 Foo 1985",
            "3 Marchy 1985",
            "1985-13-01",
            "32nd May 1990",
            "3zz May 1990",
        ] {
            assert_eq!(parse_uk_date(text, as_of()), None, "{text}");
        }
    }

    #[test]
    fn two_digit_years_stay_in_the_past() {
        assert_eq!(parse_uk_date("01/01/25", as_of()), d(2025, 1, 1));
        assert_eq!(parse_uk_date("01/01/27", as_of()), d(1927, 1, 1));
        assert_eq!(parse_uk_date("02/01/26", as_of()), d(1926, 1, 2));
    }

    #[test]
    fn birth_date_plausibility() {
        assert!(is_plausible_birth_date("14/02/1979", as_of()));
        assert!(!is_plausible_birth_date("14/02/2030", as_of()), "future");
        assert!(
            !is_plausible_birth_date("14/02/1890", as_of()),
            "over 120 years"
        );
        assert!(
            is_plausible_birth_date("01/01/1906", as_of()),
            "exactly 120 years"
        );
        // Month-first only where day-first cannot be.
        assert!(is_plausible_birth_date("11/22/1955", as_of()));
        assert!(is_plausible_birth_date("2/28/02", as_of()));
        assert_eq!(parse_month_first("11/22/1955", as_of()), d(1955, 11, 22));
        assert_eq!(parse_month_first("02/06/2002", as_of()), None);
        for not in [
            "02/30/1990",
            "13/13/1955",
            "1955-22-11",
            "11/22",
            "111/22/1955",
        ] {
            assert!(!is_plausible_birth_date(not, as_of()), "{not}");
        }
    }
}
