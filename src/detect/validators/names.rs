//! Person names: after a title or salutation ("Mrs Okafor", "Dear Jane"),
//! or a listed forename followed by a capitalised word ("Jane Smith").

use std::collections::HashSet;

use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

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

/// The word lists names are judged by, from the rules (the same lists the
/// pattern is written with): listed surnames, titles and salutations, and
/// the small words inside names.
#[derive(Debug, Default, Clone)]
pub struct Gazetteer {
    /// Each in its [`gazetteer_form`].
    surnames: HashSet<String>,
    /// Lower case, without a stop ("rev." is rev).
    titles: Vec<String>,
    /// As names write them: "de", "van", "al"; "Ó", "Ní", "Mac".
    particles: Vec<String>,
    /// The same in lower case, for a surname in capitals ("MAC GIOLLA").
    particles_lower: Vec<String>,
    /// Each in its [`gazetteer_form`].
    forenames: HashSet<String>,
}

impl Gazetteer {
    pub fn new<'w>(
        surnames: impl IntoIterator<Item = &'w str>,
        titles: impl IntoIterator<Item = &'w str>,
        particles: impl IntoIterator<Item = &'w str>,
        gaelic_particles: impl IntoIterator<Item = &'w str>,
        forenames: impl IntoIterator<Item = &'w str>,
    ) -> Gazetteer {
        let particles: Vec<String> = particles
            .into_iter()
            .map(str::to_string)
            // Gaelic's small words are written with a capital ("Ó Briain"),
            // as the pattern's {words:…} takes them.
            .chain(
                gaelic_particles
                    .into_iter()
                    .map(crate::detect::rules::capitalised),
            )
            .collect();
        Gazetteer {
            surnames: surnames.into_iter().map(gazetteer_form).collect(),
            forenames: forenames.into_iter().map(gazetteer_form).collect(),
            titles: titles
                .into_iter()
                .map(|t| t.trim_end_matches('.').to_lowercase())
                .collect(),
            particles_lower: particles.iter().map(|p| p.to_lowercase()).collect(),
            particles,
        }
    }

    /// A title or salutation, a full stop after it or not ("Mr.", "dear").
    fn is_title(&self, word: &str) -> bool {
        let bare = word.trim_end_matches('.');
        self.titles.iter().any(|t| t.eq_ignore_ascii_case(bare))
    }

    fn is_forename(&self, word: &str) -> bool {
        self.forenames.contains(&gazetteer_form(word))
    }

    /// A small word inside a name, as names write it: "Maria de Souza",
    /// "Pieter van der Berg", "Ahmad bin Ismail", "Seán Ó Briain".
    fn is_particle(&self, word: &str) -> bool {
        self.particles.iter().any(|p| p == word)
    }

    /// A small word as [`Gazetteer::is_particle`], or in capitals, as a
    /// register prints a whole surname ("Mr MAC GIOLLA PHÁDRAIG").
    fn is_particle_in_any_case(&self, word: &str) -> bool {
        self.is_particle(word) || {
            let word = word.to_lowercase();
            self.particles_lower.contains(&word)
        }
    }

    /// What follows a small word joined to a name by a hyphen, as Arabic's
    /// article is ("al-Hassan", "el-Sayed").
    fn after_article<'w>(&self, word: &'w str) -> Option<&'w str> {
        self.particles
            .iter()
            .find_map(|p| word.strip_prefix(p.as_str())?.strip_prefix('-'))
    }

    /// A name word without its article ("al-Hassan" is Hassan).
    fn without_article<'w>(&self, word: &'w str) -> &'w str {
        self.after_article(word)
            .filter(|rest| rest.starts_with(char::is_uppercase))
            .unwrap_or(word)
    }

    /// Written as a name word is: a capital first, after any article.
    fn capitalised(&self, word: &str) -> bool {
        self.without_article(word).starts_with(char::is_uppercase)
    }

    /// Words[i] is a surname by its form, listed or not: a name word
    /// after a small word ("de Souza", "Ó Briain", "bin Ismail") or joined
    /// to one ("al-Hassan"), or with a prefix's capital inside it
    /// ("McAllister", "NicLeòid", "O'Driscoll", "D'Souza"). Capitals of
    /// three letters or fewer are an acronym ("Mac OS").
    fn surname_form(&self, words: &[&str], i: usize) -> bool {
        let Some(word) = words.get(i) else {
            return false;
        };
        let bare = self.without_article(word);
        let acronym = is_capitals(bare) && bare.chars().count() <= 3;
        if bare.chars().count() < 2 || acronym || !bare.starts_with(char::is_uppercase) {
            return false;
        }
        let after_particle = i > 0 && self.is_particle(words[i - 1]);
        let prefixed = ["Mc", "Mac", "Nic", "O'", "O\u{2019}", "D'", "D\u{2019}"]
            .iter()
            .any(|p| {
                bare.strip_prefix(p)
                    .is_some_and(|r| r.starts_with(char::is_uppercase))
            });
        after_particle || bare.len() < word.len() || prefixed
    }

    /// A listed surname, as the gazetteer spells it ([`gazetteer_form`]),
    /// after any article ("al-Hassan"); a double-barrelled one when both
    /// its parts are listed ("Smith-Jones", "SMITH-JONES").
    fn listed(&self, word: &str) -> bool {
        let form = gazetteer_form(word);
        let form = self.after_article(&form).unwrap_or(&form);
        self.surnames.contains(form)
            || (form.contains('-')
                && form
                    .split('-')
                    .all(|part| part.len() >= 2 && self.surnames.contains(part)))
    }
}

/// A word in capitals, as registers print surnames: "SMITH", "O'BRIEN",
/// "McDONALD" (its "Mc" aside).
fn is_capitals(word: &str) -> bool {
    let bare = word
        .strip_prefix("Mc")
        .or(word.strip_prefix("Mac"))
        .unwrap_or(word);
    bare.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !bare.chars().any(char::is_lowercase)
}

/// A word as the gazetteers spell it: lower case, a straight apostrophe,
/// and Latin letters without their accents, as most UK systems store them
/// ("Wójcik" is listed as wojcik, "Mureșan" as muresan). Letters that no
/// accent makes are spelt out (ł, ø, đ, ß, æ, œ).
fn gazetteer_form(word: &str) -> String {
    if word.is_ascii() {
        return word.to_ascii_lowercase();
    }
    let mut form = String::with_capacity(word.len());
    for c in word.nfd().filter(|&c| !is_combining_mark(c)) {
        match c {
            '\u{2019}' => form.push('\''),
            'ł' | 'Ł' => form.push('l'),
            'ø' | 'Ø' => form.push('o'),
            'đ' | 'Đ' | 'ð' | 'Ð' => form.push('d'),
            'ħ' | 'Ħ' => form.push('h'),
            'ı' => form.push('i'),
            'ß' => form.push_str("ss"),
            'æ' | 'Æ' => form.push_str("ae"),
            'œ' | 'Œ' => form.push_str("oe"),
            'þ' | 'Þ' => form.push_str("th"),
            c => form.extend(c.to_lowercase()),
        }
    }
    form
}

/// The end of the name a title opens, where a word in capitals that is no
/// listed surname follows the name's first word: "Mrs Okafor DOB 1/2/80"
/// and "Mr Smith NI QQ…" end before the abbreviation; "Mr SMITH JONES"
/// and "Mr John OKAFOR" are whole. Other values end where they do.
pub fn title_name_end(value: &str, g: &Gazetteer) -> usize {
    // Most names hold no two capitals together: nothing to look for.
    let capitals_together = value
        .as_bytes()
        .windows(2)
        .any(|w| w[0].is_ascii_uppercase() && w[1].is_ascii_uppercase());
    if !capitals_together || !value.split(' ').next().is_some_and(|w| g.is_title(w)) {
        return value.len();
    }
    let mut at = 0usize;
    let mut named = false;
    // A small word in capitals, with a word after it, and that word are
    // the surname's ("Mr MAC GIOLLA PHÁDRAIG", "Mr Tom DE SOUZA").
    let mut after_particle = false;
    let mut words = value.split(' ').peekable();
    while let Some(word) = words.next() {
        let title = g.is_title(word);
        let particle = words.peek().is_some() && g.is_particle_in_any_case(word);
        if named && is_capitals(word) && !particle && !after_particle && !g.listed(word) {
            return at.saturating_sub(1);
        }
        named |= !title && !is_initials(word) && !particle;
        after_particle = particle;
        at += word.len() + 1;
    }
    value.len()
}

/// The end of a name the pattern found by its forename: the word after
/// the forename, and a third word only when that one is a forename too
/// ("Sarah Jane Smith"): "Jane Smith Tuesday" is Jane Smith. Other values
/// end where they do.
fn forename_name_end(value: &str, g: &Gazetteer) -> usize {
    let mut words = value.split(' ');
    let (Some(first), Some(second), Some(_)) = (words.next(), words.next(), words.next()) else {
        return value.len();
    };
    if g.is_title(first) || g.is_particle(second) || g.is_forename(second) {
        return value.len();
    }
    first.len() + 1 + second.len()
}

/// Why the value is a name, if the value is one: `title` after a title or
/// salutation; `gazetteer` when a listed forename is followed by a listed
/// surname; `forename` when only the forename is listed (then it needs a
/// label or a name column to count).
pub fn judge(value: &str, g: &Gazetteer) -> Option<&'static str> {
    let words: Vec<&str> = value.split_whitespace().collect();
    if g.is_title(words.first()?) {
        let rest = words.get(1..).filter(|r| !r.is_empty())?;
        // "Dear Mr/Mrs", "Dear Miss": titles only, no name.
        let titled = |w: &&str| g.is_title(w.trim_end_matches(','));
        let has_name = rest.iter().any(|w| !titled(w));
        let named = has_name
            && rest.iter().all(|w| g.capitalised(w) || g.is_particle(w))
            && !rest
                .iter()
                .any(|w| GENERIC.iter().any(|g| g.eq_ignore_ascii_case(w)));
        // "Dear" alone before a word in capitals is to a team or a role
        // ("Dear HR", "Dear IT"), unless the word is a listed surname; a
        // title before one is a person ("Mr SMITH").
        let only_dear = words[0].eq_ignore_ascii_case("dear") && !rest.iter().any(titled);
        let unlisted_capitals = rest
            .iter()
            .any(|w| is_capitals(w) && !is_initials(w) && !g.listed(w));
        return (named && !(only_dear && unlisted_capitals)).then_some("title");
    }
    if words.len() < 2 {
        return None;
    }
    let last = words.last()?;
    // A middle forename that is a listed surname will do: "Scott James
    // Remnant" is as sure as "Scott James". So does a surname by its form
    // ("Seán Ó Briain", "Jane McAllister").
    if words[1..].iter().any(|w| g.listed(w)) || (1..words.len()).any(|i| g.surname_form(&words, i))
    {
        return Some("gazetteer");
    }
    // Capitals of three letters or fewer after a forename are an acronym
    // ("Dev API Key"), unless listed ("Jane LEE").
    if is_capitals(last) && last.chars().count() <= 3 {
        return None;
    }
    Some("forename")
}

/// Why the pattern's value is a name (as [`judge`]), and the name in it:
/// no title before it, nor an abbreviation after it ([`title_name_end`]),
/// nor a third word after a second that is no forename
/// ([`forename_name_end`]), nor a possessive's "'s" ("Mr Smith's" is
/// Smith, as "O'Brien" is whole).
pub fn validate(value: &str, g: &Gazetteer) -> Option<(&'static str, std::ops::Range<usize>)> {
    // The character capitals take after them (see the pattern).
    let value = value.trim_end_matches(|c: char| !c.is_alphabetic());
    let value = &value[..title_name_end(value, g)];
    let value = &value[..forename_name_end(value, g)];
    let value = value
        .strip_suffix("'s")
        .or_else(|| value.strip_suffix("\u{2019}s"))
        .unwrap_or(value);
    Some((judge(value, g)?, name_range(value, g)))
}

/// The name itself, without the title or salutation before it.
pub fn name_range(value: &str, g: &Gazetteer) -> std::ops::Range<usize> {
    let mut start = 0;
    for word in value.split(' ') {
        if !g.is_title(word) {
            break;
        }
        start += word.len() + 1;
    }
    start.min(value.len())..value.len()
}

/// What a name column holds when it holds no one: placeholders.
const NO_ONE: &[&str] = &[
    "n/a",
    "na",
    "none",
    "unknown",
    "not known",
    "tbc",
    "tba",
    "vacant",
    "void",
    "nil",
    "null",
    "test",
    "deceased",
    "various",
    "see notes",
    "blank",
    "no name",
    "withheld",
    "not given",
    "not provided",
    "refused",
    "not applicable",
];

/// Words of organisations, places and things, not people: a Name column
/// of contractors, schemes or teams ("Acme Plumbing Ltd", "Rose Court").
const NOT_PEOPLE: &[&str] = &[
    "ltd",
    "limited",
    "plc",
    "llp",
    "inc",
    "co",
    "company",
    "council",
    "association",
    "trust",
    "team",
    "services",
    "service",
    "group",
    "department",
    "centre",
    "center",
    "office",
    "project",
    "scheme",
    "estate",
    "court",
    "house",
    "close",
    "road",
    "street",
    "lane",
    "avenue",
    "way",
    "drive",
    "place",
    "the",
    "of",
    "for",
    "housing",
    "homes",
    "school",
    "church",
    "hall",
    // Desks and mailboxes ("Rent Support <rent.support@…>").
    "support",
    "repairs",
    "lettings",
    "enquiries",
    "helpdesk",
    "desk",
    "reception",
    "accounts",
    "finance",
    "payroll",
    "admin",
    "notifications",
    "noreply",
    "newsletter",
    "billing",
    "sales",
    "rents",
    "income",
];

/// The name in a whole value under a name column, if the value has a
/// name's shape: up to six words of letters (apostrophes and hyphens
/// inside: "O'Neill", "Smith-Jones"), initials ("J.", "J.A."), a comma
/// ("SMITH, Jane"), "&" or "and" between two people; no digits; not a
/// placeholder ("N/A", "Unknown"). A title before it is left out, as
/// [`name_range`] leaves it. `one_word`: a forename or surname column,
/// where one word is a name; under others it takes two, or a title or an
/// initial beside it ("Reception" is a desk), none of them an
/// organisation's or a place's.
pub fn whole_value(value: &str, one_word: bool, g: &Gazetteer) -> Option<std::ops::Range<usize>> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 64 {
        return None;
    }
    if NO_ONE.contains(&trimmed.to_lowercase().as_str()) {
        return None;
    }
    let start = value.len() - value.trim_start().len();
    let words = value_words(trimmed);
    let is_word = |w: &str| {
        let inner = |c: char| matches!(c, '-' | '\'' | '\u{2019}');
        w.chars().count() >= 2
            && w.chars().all(|c| c.is_alphabetic() || inner(c))
            && w.starts_with(char::is_alphabetic)
            && w.ends_with(char::is_alphabetic)
    };
    let (mut named, mut marks, mut in_lower_case) = (0, 0, 0);
    for w in &words {
        let lower = w.trim_end_matches('.').to_lowercase();
        if g.is_title(w) || is_initials(w) {
            marks += 1;
            continue;
        }
        if *w == "&" || lower == "and" {
            continue;
        }
        if !is_word(w) || NOT_PEOPLE.contains(&lower.as_str()) {
            return None;
        }
        named += 1;
        if !g.capitalised(w) && !g.is_particle(w) {
            in_lower_case += 1;
        }
    }
    // Under a column that holds whole names, one word takes a title or an
    // initial beside it ("Mrs J Smith").
    if named == 0 || words.len() > 6 || (!one_word && named < 2 && marks == 0) {
        return None;
    }
    // A word in lower case, no small word of a name's, makes a phrase of
    // two words or more: a void's "Void property", "To be confirmed",
    // "Former tenant". Unless the gazetteer knows a word of it: "Jane
    // smith", typed in haste, is a name.
    let phrase = named >= 2 && in_lower_case > 0;
    if phrase && !words.iter().any(|w| g.is_forename(w) || g.listed(w)) {
        return None;
    }
    let range = name_range(trimmed, g);
    let name = &trimmed[range.clone()];
    let gap = name.len() - name.trim_start().len();
    Some(start + range.start + gap..start + range.end)
}

/// The name after a label in running text ("Tenant: SMITH, Jane", "Next of
/// kin: Tom Okafor"), where the label is a name column's header. Text is
/// freer than a column, so more is asked: every word capitalised and,
/// after a whole name's label, some sign of a person: a title or an
/// initial, "Surname, Forename", a surname in capitals, a listed surname,
/// or one by its form ("Ó Briain", "McAllister"): "Payer: Universal
/// Credit" names no one.
pub fn labelled_value(
    value: &str,
    one_word: bool,
    g: &Gazetteer,
) -> Option<std::ops::Range<usize>> {
    let range = whole_value(value, one_word, g)?;
    let words = value_words(value);
    // Particles only inside a name ("Maria de Souza", not "de Souza"),
    // or opening a surname written first ("van der Berg, Pieter").
    let surname_first = value.contains(',');
    let inside =
        |i: usize, w: &str| (i > 0 || surname_first) && i + 1 < words.len() && g.is_particle(w);
    let capitalised =
        |(i, w): (usize, &&str)| *w == "&" || *w == "and" || g.capitalised(w) || inside(i, w);
    if !words.iter().enumerate().all(capitalised) {
        return None;
    }
    // Capitals of three letters or fewer are a surname last ("Niall
    // EKE"), and an acronym before another word ("Name: GNU Emacs").
    let last = words.len().saturating_sub(1);
    let sign_of_a_person = |(i, w): (usize, &&str)| {
        let bare = w.trim_end_matches('.');
        let surname_in_capitals = is_capitals(bare) && (i == last || bare.chars().count() > 3);
        g.is_title(bare) || is_initials(w) || surname_in_capitals || g.listed(bare)
    };
    let surname_form = (1..words.len()).any(|i| g.surname_form(&words, i));
    let signed = words.iter().enumerate().any(sign_of_a_person);
    (one_word || value.contains(',') || surname_form || signed).then_some(range)
}

/// Where the name that ends `text` starts: its last run of words that are
/// capitalised, small words or titles ("Forwarded from Tobenna Eze" →
/// "Tobenna Eze"). A run that opens with a small word is no name's.
pub fn trailing_name_start(text: &str, g: &Gazetteer) -> usize {
    let mut start = text.len();
    // Word by word from the end; each starts its length before the space
    // after it.
    let mut end = text.len();
    for word in text.rsplit(' ') {
        if word.is_empty() || !(g.capitalised(word) || g.is_particle(word)) {
            break;
        }
        start = end - word.len();
        end = start.saturating_sub(1);
    }
    start
}

/// Whether an address's local part is made of the name written before it
/// ("Chidi Okonkwo <chidi.okonkwo@…>"): its forename, or that name's
/// initial, and its surname as words of their own ("chidi.okonkwo",
/// "c_okonkwo"), or the initial and surname run together ("cokonkwo").
/// A surname or forename alone is not enough ("Rent Support
/// <support@…>"), nor two words run together ("British Gas
/// <britishgas@…>"). "Surname, Forename" is read surname first.
pub fn named_by_own_address(name: &str, local_part: &str, g: &Gazetteer) -> bool {
    // Each word as an address spells it: ASCII letters only ("O'Driscoll"
    // is odriscoll, "Ó" is o).
    let spelt = |w: &str| -> String {
        gazetteer_form(w)
            .chars()
            .filter(char::is_ascii_alphabetic)
            .collect()
    };
    let words: Vec<String> = value_words(name)
        .into_iter()
        .map(|w| w.trim_matches('"'))
        .filter(|w| !g.is_title(w))
        .map(spelt)
        .filter(|w| !w.is_empty())
        .collect();
    if words.len() < 2 {
        return false;
    }
    // The surname's words, and the forename.
    let (surname_words, forename) = if name.contains(',') {
        (&words[..words.len() - 1], &words[words.len() - 1])
    } else {
        (&words[1..], &words[0])
    };
    let initial = &forename[..1];
    let local = local_part.to_ascii_lowercase();
    let tokens: Vec<&str> = local
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|t| !t.is_empty())
        .collect();
    let has = |w: &str| tokens.contains(&w);
    // Its last word, or all its words run together ("Ní Bhriain" is
    // nibhriain, "van der Berg" vanderberg).
    let whole_surname = surname_words.concat();
    [
        surname_words.last().map_or("", String::as_str),
        &whole_surname,
    ]
    .iter()
    .filter(|s| !s.is_empty())
    .any(|surname| {
        (has(surname) && (has(forename) || has(initial))) || has(&format!("{initial}{surname}"))
    })
}

/// A whole value's words: split at spaces and commas ("SMITH, Jane").
fn value_words(value: &str) -> Vec<&str> {
    value
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect()
}

/// Up to three capitals, dotted when more than one: "J", "J.", "J.A.".
fn is_initials(w: &str) -> bool {
    let letters: Vec<char> = w.chars().filter(|c| *c != '.').collect();
    !letters.is_empty()
        && letters.len() <= 3
        && letters.iter().all(|c| c.is_uppercase())
        && (letters.len() == 1 || w.contains('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A few surnames, and the rules' own titles and small words.
    fn names() -> Gazetteer {
        let list = |name: &str| {
            crate::detect::rules::parse_word_list(
                &std::fs::read_to_string(format!("{}/rules/{name}", env!("CARGO_MANIFEST_DIR")))
                    .unwrap(),
            )
        };
        Gazetteer::new(
            [
                "smith", "okafor", "brown", "jones", "o'brien", "mcdonald", "souza",
            ],
            list("titles.txt").iter().map(String::as_str),
            list("particles.txt").iter().map(String::as_str),
            list("gaelic_particles.txt").iter().map(String::as_str),
            ["jane", "sarah", "scott", "maria", "tom", "seán", "siobhan"],
        )
    }

    #[test]
    fn titles_and_salutations_name_a_person() {
        assert_eq!(judge("Mrs Okafor", &names()), Some("title"));
        assert_eq!(judge("Dr. Jane Pryce", &names()), Some("title"));
        assert_eq!(judge("Dear Jane", &names()), Some("title"));
        assert_eq!(judge("Dear Tenant", &names()), None);
        assert_eq!(judge("Dear Sir", &names()), None);
        assert_eq!(judge("Mr", &names()), None);
        assert_eq!(judge("Dear Mrs", &names()), None, "titles, no name");
        assert_eq!(judge("Dear Mr Dr", &names()), None);
        // Small words inside; capitals after a title, or a listed surname
        // after "Dear" (to a team otherwise).
        assert_eq!(judge("Mrs de Souza", &names()), Some("title"));
        assert_eq!(judge("Mr SMITH", &names()), Some("title"));
        assert_eq!(judge("Mr ADEYEMI", &names()), Some("title"));
        assert_eq!(judge("Dear Mr ADEYEMI", &names()), Some("title"));
        assert_eq!(judge("Dear SMITH", &names()), Some("title"));
        assert_eq!(judge("Dear HR", &names()), None);
        assert_eq!(judge("Dear IT", &names()), None);
        assert_eq!(judge("Mrs smith", &names()), None);
    }

    #[test]
    fn a_third_word_needs_a_forename_before_it() {
        let name = |v: &'static str| validate(v, &names()).map(|(_, r)| &v[r]);
        assert_eq!(name("Sarah Jane Smith"), Some("Sarah Jane Smith"));
        assert_eq!(name("Jane Smith Tuesday"), Some("Jane Smith"));
        assert_eq!(name("Maria da Souza"), Some("Maria da Souza"));
        assert_eq!(name("Mr Smith Jones Okafor"), Some("Smith Jones Okafor"));
        assert_eq!(name("Jane Smith"), Some("Jane Smith"));
    }

    #[test]
    fn a_title_name_ends_before_an_abbreviation() {
        let name = |v: &'static str| &v[..title_name_end(v, &names())];
        assert_eq!(name("Mrs Okafor DOB"), "Mrs Okafor");
        assert_eq!(name("Mr Tom Smith NI"), "Mr Tom Smith");
        assert_eq!(name("Mr Smith JONES"), "Mr Smith JONES", "listed");
        assert_eq!(name("Mr SMITH"), "Mr SMITH", "the name itself");
        assert_eq!(name("Mr J A SMITH"), "Mr J A SMITH", "after initials");
        assert_eq!(name("Mr de SOUZA"), "Mr de SOUZA", "after a particle");
        assert_eq!(name("Jane Smith DOB"), "Jane Smith DOB", "no title");
        assert_eq!(name("Mr Tom ADEYEMI"), "Mr Tom");
        // Small words in capitals are the surname's, with what follows.
        assert_eq!(
            name("Mr MAC GIOLLA PHÁDRAIG"),
            "Mr MAC GIOLLA PHÁDRAIG",
            "not MAC"
        );
        assert_eq!(name("Mr Tom DE KOWALCZYK"), "Mr Tom DE KOWALCZYK");
        assert_eq!(name("Mrs Okafor DE"), "Mrs Okafor", "nothing after it");
    }

    #[test]
    fn the_value_is_the_name_alone() {
        let v = "Dear Mrs Okafor";
        assert_eq!(&v[name_range(v, &names())], "Okafor");
        assert_eq!(
            &"Jane Smith"[name_range("Jane Smith", &names())],
            "Jane Smith"
        );
    }

    #[test]
    fn a_whole_value_under_a_name_column() {
        fn name(v: &str, one: bool) -> Option<&str> {
            whole_value(v, one, &names()).map(|r| &v[r])
        }
        assert_eq!(name("Okafor", true), Some("Okafor"));
        assert_eq!(name(" SMITH, Jane ", false), Some("SMITH, Jane"));
        assert_eq!(name("JANE SMITH", false), Some("JANE SMITH"));
        assert_eq!(name("Mrs J Smith", false), Some("J Smith"));
        assert_eq!(name("Mrs  J Smith", false), Some("J Smith"));
        assert_eq!(
            name("J.A. O'Neill-Brown", false),
            Some("J.A. O'Neill-Brown")
        );
        assert_eq!(name("Jane & John Smith", false), Some("Jane & John Smith"));
        assert_eq!(name("nia", true), Some("nia"));
        // One word is a forename or surname only under such a column.
        assert_eq!(name("Reception", false), None);
        assert_eq!(name("Mr Okafor", false), Some("Okafor"));
        assert_eq!(name("J", true), None, "an initial alone");
        for no_one in [
            "N/A",
            "Unknown",
            "TBC",
            "Vacant",
            "",
            "Flat 3",
            "Acme Plumbing Ltd",
            "Rose Court",
        ] {
            assert_eq!(name(no_one, false), None, "{no_one}");
            assert_eq!(name(no_one, true), None, "{no_one}");
        }
        assert_eq!(name("a b c d e f g h", false), None, "too many words");
        // Phrases under a name column: a void's placeholders, software's
        // titles; but a name typed in haste, or with its small words.
        for phrase in [
            "Void property",
            "To be confirmed",
            "Awaiting allocation",
            "Former tenant",
            "No tenant",
            "Hello world",
            "void property",
        ] {
            assert_eq!(name(phrase, false), None, "{phrase}");
        }
        assert_eq!(name("Jane smith", false), Some("Jane smith"));
        assert_eq!(name("jane smith", false), Some("jane smith"));
        assert_eq!(name("Maria de Souza", false), Some("Maria de Souza"));
        assert_eq!(
            name("Tom and Jane Okafor", false),
            Some("Tom and Jane Okafor")
        );
        assert_eq!(name("Adaeze Okoro", false), Some("Adaeze Okoro"));
    }

    #[test]
    fn a_name_after_a_label_in_text() {
        fn name(v: &str, one: bool) -> Option<&str> {
            labelled_value(v, one, &names()).map(|r| &v[r])
        }
        assert_eq!(name("SMITH, Jane", false), Some("SMITH, Jane"));
        assert_eq!(name("Kowalczyk, Anna", false), Some("Kowalczyk, Anna"));
        assert_eq!(name("Jane SMITH", false), Some("Jane SMITH"));
        assert_eq!(name("Anna Smith", false), Some("Anna Smith"));
        assert_eq!(name("Chidi", true), Some("Chidi"));
        // No sign of a person: services, payments, prose.
        assert_eq!(name("Universal Credit", false), None);
        assert_eq!(name("Direct Debit", false), None);
        assert_eq!(name("reported damp", false), None);
        assert_eq!(name("chidi", true), None, "a name is capitalised");
        assert_eq!(name("Housing Options Team", false), None);
        // Small words inside a name, or opening a surname written first.
        assert_eq!(name("Maria de Souza", false), Some("Maria de Souza"));
        assert_eq!(
            name("van der Berg, Pieter", false),
            Some("van der Berg, Pieter")
        );
        assert_eq!(name("de Souza", false), None, "no forename before it");
        assert_eq!(name("Maria de", false), None);
        assert_eq!(name("Patrick McDONALD", false), Some("Patrick McDONALD"));
        // Short capitals are a surname last, an acronym before a word.
        assert_eq!(name("GNU Emacs", false), None);
        assert_eq!(name("SQL Server Express", false), None);
        assert_eq!(name("Chidi OKONKWO", false), Some("Chidi OKONKWO"));
        assert_eq!(name("Niall EKE", false), Some("Niall EKE"));
        assert_eq!(name("Jane JONES", false), Some("Jane JONES"));
    }

    #[test]
    fn the_gazetteer_reads_names_without_their_accents() {
        for (word, form) in [
            ("Smith", "smith"),
            ("Wójcik", "wojcik"),
            ("WÓJCIK", "wojcik"),
            ("Mureșan", "muresan"),
            ("Łukaszewski", "lukaszewski"),
            ("Øvergaard", "overgaard"),
            ("Nguyễn", "nguyen"),
            ("Dương", "duong"),
            ("Çelik", "celik"),
            ("O\u{2019}Brien", "o'brien"),
            ("Strauß", "strauss"),
        ] {
            assert_eq!(gazetteer_form(word), form, "{word}");
        }
        let g = names();
        let listed = |w: &str| g.listed(w);
        assert!(listed("Smíth"));
        assert!(listed("Smith-Jones") && listed("SMITH-JONES"));
        assert!(
            !listed("Smith-Kowalczyk"),
            "both parts, or it is not listed"
        );
        assert!(listed("al-Souza") && listed("El-Souza"), "an article");
        assert!(!listed("al-") && !listed("Jane"));
    }

    #[test]
    fn an_article_joined_to_a_name() {
        assert_eq!(judge("Mr al-Hassan", &names()), Some("title"));
        assert_eq!(judge("Ahmed el-Souza", &names()), Some("gazetteer"));
        assert_eq!(judge("Mr al-", &names()), None);
        assert_eq!(judge("Mr al-hassan", &names()), None, "not capitalised");
        assert_eq!(
            labelled_value("Ahmed al-Hassan", false, &names()),
            Some(0..15),
            "a surname by its form"
        );
        assert_eq!(
            labelled_value("Mr Ahmed al-Hassan", false, &names()),
            Some(3..18)
        );
    }

    #[test]
    fn a_surname_by_its_form() {
        let judged = |v: &str| judge(v, &names());
        // Gaelic's small words, with their accents or without.
        assert_eq!(judged("Seán Ó Briain"), Some("gazetteer"));
        assert_eq!(judged("Siobhan Ní Bhriain"), Some("gazetteer"));
        assert_eq!(judged("Siobhan Ni Bhriain"), Some("gazetteer"));
        assert_eq!(judged("Tom Mac Giolla Phádraig"), Some("gazetteer"));
        assert_eq!(judged("Maria de Kowalczyk"), Some("gazetteer"));
        assert_eq!(judged("Tom bin Ismail"), Some("gazetteer"));
        // A prefix's capital inside the word.
        for v in ["Jane McAllister", "Jane MacKinnon", "Jane NicLeòid"] {
            assert_eq!(judged(v), Some("gazetteer"), "{v}");
        }
        for v in ["Jane O'Driscoll", "Jane O\u{2019}Driscoll", "Jane D'Souza"] {
            assert_eq!(judged(v), Some("gazetteer"), "{v}");
        }
        // Not by its form: a word after a small word in lower case or in
        // short capitals, a prefix before a small letter, a particle alone.
        assert_eq!(judged("Maria de kowalczyk"), Some("forename"));
        assert_eq!(judged("Jane Mackintosh"), Some("forename"));
        assert_eq!(judged("Jane Nicholson"), Some("forename"));
        assert_eq!(judged("Tom Mac OS"), None, "an acronym");
        assert_eq!(judged("Jane Mac"), Some("forename"));
        assert_eq!(judged("Jane Ó"), Some("forename"));
        // After a label, the form is a sign of a person.
        assert_eq!(
            labelled_value("Dympna Ní Bhriain", false, &names()),
            Some(0..18)
        );
        assert_eq!(labelled_value("Universal Credit", false, &names()), None);
    }

    #[test]
    fn the_name_that_ends_a_text() {
        let name = |t: &'static str| &t[trailing_name_start(t, &names())..];
        assert_eq!(name("Forwarded from Tobenna Eze"), "Tobenna Eze");
        assert_eq!(name("Chidi Okonkwo"), "Chidi Okonkwo");
        assert_eq!(name("sent by Pieter van der Berg"), "Pieter van der Berg");
        assert_eq!(name("sent by Mr Okafor"), "Mr Okafor");
        assert_eq!(name("sent by"), "");
        assert_eq!(name(""), "");
    }

    #[test]
    fn a_name_before_its_own_address() {
        let own = |name: &str, local: &str| named_by_own_address(name, local, &names());
        assert!(own("Chidi Okonkwo", "chidi.okonkwo"));
        assert!(own("Chidi Okonkwo", "Chidi_Okonkwo84"));
        assert!(own("Chidi Okonkwo", "c.okonkwo"));
        assert!(own("Chidi Okonkwo", "cokonkwo"));
        assert!(own("Mr Chidi Okonkwo", "chidi.okonkwo"), "a title aside");
        assert!(own("OKONKWO, Chidi", "chidi.okonkwo"), "surname first");
        assert!(own("Niamh O'Driscoll", "niamh.odriscoll"));
        assert!(own("Seán Ó Briain", "sean.briain"));
        assert!(own("Siobhán Ní Bhriain", "siobhan.nibhriain"));
        assert!(own("Pieter van der Berg", "pvanderberg"));
        assert!(own("Łukasz Wójcik", "lukasz.wojcik"));
        assert!(own("Sarah Jane Smith", "sarah.smith"));
        // One of the name's words alone, or two run together, is not.
        assert!(!own("Chidi Okonkwo", "chidi"));
        assert!(!own("Chidi Okonkwo", "okonkwo"));
        assert!(!own("Rent Support", "support"));
        assert!(!own("British Gas", "britishgas"));
        assert!(!own("Chidi Okonkwo", "repairs"));
        assert!(!own("Okonkwo", "okonkwo"), "one word");
        assert!(!own("", "x"));
    }

    #[test]
    fn listed_forename_and_surname() {
        assert_eq!(judge("Jane Smith", &names()), Some("gazetteer"));
        // A listed forename before an unlisted word needs a label or column.
        assert_eq!(judge("Jane Kowalczyk", &names()), Some("forename"));
        assert_eq!(judge("Jane", &names()), None);
        // The gazetteer's straight apostrophe and lower case.
        assert_eq!(judge("Sean O\u{2019}Brien", &names()), Some("gazetteer"));
        assert_eq!(judge("Jane McDonald", &names()), Some("gazetteer"));
        assert_eq!(judge("Jane SMITH", &names()), Some("gazetteer"));
        assert_eq!(judge("Jane ADEYEMI", &names()), Some("forename"));
        assert_eq!(judge("Dev API", &names()), None, "an acronym");
        assert_eq!(judge("Sarah Jane Smith", &names()), Some("gazetteer"));
        assert_eq!(judge("Scott Jones Remnant", &names()), Some("gazetteer"));
        assert_eq!(judge("Sarah Jane Remnant", &names()), Some("forename"));
    }
}
