//! Person names: after a title or salutation ("Mrs Okafor", "Dear Jane"),
//! or a listed forename followed by a capitalised word ("Jane Smith").

use std::collections::HashSet;

/// What follows "Dear" in letters to no one in particular.
const GENERIC: &[&str] = &[
    "sir",
    "madam",
    "sirs",
    "tenant",
    "tenants",
    "resident",
    "residents",
    "customer",
    "customers",
    "colleague",
    "colleagues",
    "all",
    "team",
    "friend",
    "friends",
    "neighbour",
    "neighbours",
    "applicant",
    "member",
    "members",
    "parent",
    "parents",
    "householder",
    "occupier",
    "occupiers",
    "landlord",
    "partner",
    "partners",
    "manager",
    "officer",
];

const TITLES: &[&str] = &["mr", "mrs", "ms", "miss", "mx", "dr", "dear"];

/// Why the value is a name, if the value is one: `title` after a title or
/// salutation; `gazetteer` when a listed forename is followed by a listed
/// surname; `forename` when only the forename is listed (then it needs a
/// label or a name column to count).
pub fn judge(value: &str, surnames: &HashSet<String>) -> Option<&'static str> {
    let words: Vec<&str> = value.split_whitespace().collect();
    let first = words.first()?.trim_end_matches('.').to_lowercase();
    if TITLES.contains(&first.as_str()) {
        let rest = words.get(1..).filter(|r| !r.is_empty())?;
        // "Dear Mr/Mrs", "Dear Miss": titles only, no name.
        let has_name = rest
            .iter()
            .any(|w| !TITLES.contains(&w.trim_end_matches(['.', ',']).to_lowercase().as_str()));
        let named = has_name
            && rest
                .iter()
                .all(|w| w.chars().next().is_some_and(char::is_uppercase))
            && !rest
                .iter()
                .any(|w| GENERIC.contains(&w.to_lowercase().as_str()));
        return named.then_some("title");
    }
    if words.len() < 2 {
        return None;
    }
    let last = words.last()?.to_lowercase();
    Some(if surnames.contains(&last) {
        "gazetteer"
    } else {
        "forename"
    })
}

/// The name itself, without the title or salutation before it.
pub fn name_range(value: &str) -> std::ops::Range<usize> {
    let mut start = 0;
    for word in value.split(' ') {
        if !TITLES.contains(&word.trim_end_matches('.').to_lowercase().as_str()) {
            break;
        }
        start += word.len() + 1;
    }
    start.min(value.len())..value.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn surnames() -> HashSet<String> {
        ["smith", "okafor", "brown"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn titles_and_salutations_name_a_person() {
        assert_eq!(judge("Mrs Okafor", &surnames()), Some("title"));
        assert_eq!(judge("Dr. Jane Pryce", &surnames()), Some("title"));
        assert_eq!(judge("Dear Jane", &surnames()), Some("title"));
        assert_eq!(judge("Dear Tenant", &surnames()), None);
        assert_eq!(judge("Dear Sir", &surnames()), None);
        assert_eq!(judge("Mr", &surnames()), None);
        assert_eq!(judge("Dear Mrs", &surnames()), None, "titles, no name");
        assert_eq!(judge("Dear Mr Dr", &surnames()), None);
    }

    #[test]
    fn the_value_is_the_name_alone() {
        let v = "Dear Mrs Okafor";
        assert_eq!(&v[name_range(v)], "Okafor");
        assert_eq!(&"Jane Smith"[name_range("Jane Smith")], "Jane Smith");
    }

    #[test]
    fn listed_forename_and_surname() {
        assert_eq!(judge("Jane Smith", &surnames()), Some("gazetteer"));
        // A listed forename before an unlisted word needs a label or column.
        assert_eq!(judge("Jane Kowalczyk", &surnames()), Some("forename"));
        assert_eq!(judge("Jane", &surnames()), None);
    }
}
