//! A person's gender or sex: one of the detector's listed values
//! (`rules/gender.txt`: "F", "Female", "Non-binary"), written after its
//! label ("Sex: F", "Gender identity: Non-binary") or as a whole field
//! under a gender column. A form's choices ("Gender: Male / Female",
//! "M/F") are no one's answer.

use std::collections::HashSet;
use std::ops::Range;

/// The listed values, lower case, their words single-spaced.
#[derive(Debug, Default)]
pub struct Genders {
    terms: HashSet<String>,
}

impl Genders {
    pub fn new<'a>(terms: impl IntoIterator<Item = &'a str>) -> Genders {
        Genders {
            terms: terms.into_iter().map(normalised).collect(),
        }
    }

    fn is_listed(&self, value: &str) -> bool {
        !value.is_empty() && self.terms.contains(&normalised(value))
    }
}

fn normalised(value: &str) -> String {
    value
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Words as a gender's are written: letters, digits and hyphens
/// ("non-binary").
fn words(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        match (c.is_alphanumeric() || c == '-', start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    out
}

/// Words that join a form's choices ("Male or Female").
const JOINING: &[&str] = &["or", "and"];

/// The value after a gender label in running text ("Sex: F, DOB …",
/// "Gender identity: Trans woman"): the listed value its first words make,
/// two words before one, unless another listed value follows it, past
/// any "or" ("M/F", "Male or Female": a form's choices).
pub fn labelled_value(value: &str, genders: &Genders) -> Option<Range<usize>> {
    let words = words(value);
    let first = words.first()?;
    let span = [2, 1].into_iter().find_map(|n| {
        let last = words.get(n - 1)?;
        genders
            .is_listed(&value[first.start..last.end])
            .then_some((first.start..last.end, n))
    });
    let (span, taken) = span?;
    let next = words[taken..].iter().find(|w| {
        !JOINING
            .iter()
            .any(|j| value[(*w).clone()].eq_ignore_ascii_case(j))
    });
    if next.is_some_and(|w| genders.is_listed(&value[w.clone()])) {
        return None;
    }
    Some(span)
}

/// A whole field under a gender column: one listed value, whitespace
/// and quotes around it aside.
pub fn whole_value(value: &str, genders: &Genders) -> Option<Range<usize>> {
    let trimmed = value.trim_start_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'');
    let start = value.len() - trimmed.len();
    let trimmed = trimmed.trim_end_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'');
    genders
        .is_listed(trimmed)
        .then(|| start..start + trimmed.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn genders() -> Genders {
        Genders::new([
            "m",
            "f",
            "male",
            "female",
            "man",
            "woman",
            "non-binary",
            "trans woman",
        ])
    }

    fn value(text: &str) -> Option<&str> {
        labelled_value(text, &genders()).map(|r| &text[r])
    }

    #[test]
    fn the_value_after_its_label() {
        assert_eq!(value("Female"), Some("Female"));
        assert_eq!(value("F"), Some("F"));
        assert_eq!(value("M, DOB 03/04/1985"), Some("M"));
        assert_eq!(value("Non-binary"), Some("Non-binary"));
        assert_eq!(value("Trans  Woman"), Some("Trans  Woman"));
        assert_eq!(value("male (self-described)"), Some("male"));
    }

    #[test]
    fn a_forms_choices_are_no_ones() {
        assert_eq!(value("M/F"), None);
        assert_eq!(value("Male / Female / Prefer not to say"), None);
        assert_eq!(value("male or female"), None);
        assert_eq!(value("Woman, Man"), None);
        // Nothing listed first.
        assert_eq!(value(""), None);
        assert_eq!(value("Other"), None);
        assert_eq!(value("Fe"), None);
        assert_eq!(value("not known (M)"), None);
    }

    #[test]
    fn a_whole_field_under_a_gender_column() {
        let g = genders();
        let whole = |v: &'static str| whole_value(v, &g).map(|r| &v[r]);
        assert_eq!(whole("F"), Some("F"));
        assert_eq!(whole(" female "), Some("female"));
        assert_eq!(whole("\"MALE\""), Some("MALE"));
        assert_eq!(whole("Trans woman"), Some("Trans woman"));
        assert_eq!(whole("Prefer not to say"), None);
        assert_eq!(whole("M/F"), None);
        assert_eq!(whole(""), None);
        assert_eq!(whole("Female, Male"), None);
    }
}
