//! Keyword context: the words near a value, or the header above it, that say
//! what it is. Matching is on normalised text, so "D.O.B.", "dob" and
//! "DateOfBirth" / "date_of_birth" meet their keywords alike.

/// Lower case, camelCase split, everything but letters and digits a single
/// space, padded with a space either side so `contains(" kw ")` matches
/// whole words.
pub fn normalise(text: &str) -> String {
    match split_acronym_runs(text) {
        Some(spaced) => normalise_plain(&spaced),
        None => normalise_plain(text),
    }
}

/// "NINumber" → "NI Number": a run of capitals followed by a capitalised
/// word, which camelCase splitting alone would leave whole.
fn split_acronym_runs(original: &str) -> Option<String> {
    let chars: Vec<char> = original.chars().collect();
    let starts_word = |i: usize| {
        i > 0
            && chars[i].is_uppercase()
            && chars[i - 1].is_uppercase()
            && chars.get(i + 1).is_some_and(|n| n.is_lowercase())
    };
    if !(0..chars.len()).any(starts_word) {
        return None;
    }
    let mut spaced = String::with_capacity(original.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if starts_word(i) {
            spaced.push(' ');
        }
        spaced.push(c);
    }
    Some(spaced)
}

fn normalise_plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(' ');
    let mut prev: Option<char> = None;
    let mut digit_run = 0;
    // Whether the word so far is all hexadecimal digits ("7a", "e8").
    let mut hex_so_far = false;
    for (i, c) in text.char_indices() {
        if c.is_alphanumeric() {
            if let Some(p) = prev {
                // "DateOfBirth" → "date of birth"; "Flat2" → "flat 2".
                let camel = p.is_lowercase() && c.is_uppercase();
                let digit_edge = p.is_ascii_digit() != c.is_ascii_digit()
                    && !(p.is_ascii_digit() && code_letters(digit_run, hex_so_far, &text[i..]));
                if (camel || digit_edge) && !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
        digit_run = if c.is_ascii_digit() { digit_run + 1 } else { 0 };
        let word_goes_on = prev.is_some_and(char::is_alphanumeric);
        hex_so_far = c.is_ascii_hexdigit() && (hex_so_far || !word_goes_on);
        prev = Some(c);
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

/// Whether the letters at the start of `rest`, after a run of `digits`
/// digits, are part of a code: one whose word is all hexadecimal so far
/// (`hex_so_far`: `7acc`, `8ea2acc0v`) or that has three digits or more
/// (`U00022ACC`), where the letters end the word as hexadecimal digits or
/// lie between digits. A code's letters are not a word ("acc"), where a
/// label's are ("Tenant2DOB", "3rdParty", "Phone1Mobile2").
fn code_letters(digits: usize, hex_so_far: bool, rest: &str) -> bool {
    let rest = rest.as_bytes();
    let letters = rest.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let code_len = rest
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    let between_digits = code_len > letters;
    let hex_end = rest[..code_len].iter().all(u8::is_ascii_hexdigit);
    (digits >= 3 || hex_so_far)
        && (between_digits || hex_end)
        // Not the start of a word in another script.
        && rest.get(code_len).is_none_or(u8::is_ascii)
}

/// Bytes that make up words: ASCII letters and digits, and any byte of a
/// non-ASCII character.
fn word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// Where the window of `words` words before `start` begins, no more than
/// `cap` bytes back.
pub fn words_back(text: &[u8], start: usize, words: usize, cap: usize) -> usize {
    let floor = start.saturating_sub(cap);
    let mut i = start.min(text.len());
    for _ in 0..words {
        while i > floor && !word_byte(text[i - 1]) {
            i -= 1;
        }
        while i > floor && word_byte(text[i - 1]) {
            i -= 1;
        }
        if i == floor {
            break;
        }
    }
    // Cut off at the cap inside a word: not a word ("acc" of "8ea2acc0v").
    if i == floor && i > 0 && word_byte(text[i - 1]) {
        while i < start && word_byte(text[i]) {
            i += 1;
        }
    }
    i
}

/// Where the window of `words` words after `end` ends, no more than `cap`
/// bytes on.
pub fn words_forward(text: &[u8], end: usize, words: usize, cap: usize) -> usize {
    let ceiling = (end + cap).min(text.len());
    let mut i = end.min(ceiling);
    for _ in 0..words {
        while i < ceiling && !word_byte(text[i]) {
            i += 1;
        }
        while i < ceiling && word_byte(text[i]) {
            i += 1;
        }
    }
    if i == ceiling && text.get(i).is_some_and(|&b| word_byte(b)) {
        while i > end && word_byte(text[i - 1]) {
            i -= 1;
        }
    }
    i
}

/// The positive and negative keywords `haystack` holds (the longest of
/// each). A negative keyword that contains the positive one is the more
/// specific reading and cancels it: "rent account" is not "account".
pub fn weigh<'k>(
    haystack: &str,
    positive: &'k [String],
    negative: &'k [String],
) -> (Option<&'k str>, Option<&'k str>) {
    let longest = |keywords: &'k [String]| {
        keywords
            .iter()
            .filter(|k| haystack.contains(k.as_str()))
            .max_by_key(|k| k.len())
            .map(String::as_str)
    };
    let (pos, neg) = (longest(positive), longest(negative));
    match (pos, neg) {
        (Some(p), Some(n)) if n.contains(p) && n != p => (None, Some(n)),
        _ => (pos, neg),
    }
}

/// Whether normalised `haystack` holds any normalised keyword as whole words.
/// Both sides carry a space at each end (see [`normalise`]), so a plain
/// substring test matches whole words.
pub fn has_keyword(haystack: &str, keywords: &[String]) -> bool {
    keywords.iter().any(|k| haystack.contains(k.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_labels_alike() {
        assert_eq!(normalise("D.O.B."), " d o b ");
        assert_eq!(normalise("date_of_birth"), " date of birth ");
        assert_eq!(normalise("DateOfBirth"), " date of birth ");
        assert_eq!(normalise("BirthDate"), " birth date ");
        assert_eq!(normalise("NINumber"), " ni number ");
        assert_eq!(normalise("NI No."), " ni no ");
        assert_eq!(normalise("s/c"), " s c ");
        assert_eq!(normalise("Tenant2DOB"), " tenant 2 dob ");
        assert_eq!(normalise("2019Accounts"), " 2019 accounts ");
        assert_eq!(normalise("Acc1"), " acc 1 ");
    }

    #[test]
    fn hex_codes_hold_no_words() {
        // A collation table's code point is not an "acc" (account) label.
        let kws = vec![normalise("acc")];
        assert_eq!(normalise("<U00022ACC>"), " u 00022acc ");
        assert!(!has_keyword(&normalise("<U00022ACC> 15132525"), &kws));
        assert!(!has_keyword(&normalise("714a\tf1ca\t7acc\te8acc0"), &kws));
        assert!(!has_keyword(&normalise("8ea2acc0,8ea2acc0v"), &kws));
        // Two digits are a label's number, not a code.
        assert!(has_keyword(&normalise("Tenant12ACC"), &kws));
        assert!(has_keyword(&normalise("Account2Acc"), &kws));
        assert_eq!(normalise("Phone1Mobile2"), " phone 1 mobile 2 ");
        assert!(has_keyword(&normalise("Acc 15132525"), &kws));
    }

    #[test]
    fn windows_count_words() {
        let t = b"Tenant's N.I. No.: AB123456C (verified)";
        let start = 19;
        // Words are runs of letters and digits: "N.I." is two.
        assert_eq!(&t[words_back(t, start, 1, 100)..start], b"No.: ");
        assert_eq!(&t[words_back(t, start, 3, 100)..start], b"N.I. No.: ");
        assert_eq!(
            &t[words_back(t, start, 4, 6)..start],
            b" No.: ",
            "capped in bytes"
        );
        // A word the cap cuts is left out, not read as a shorter one.
        assert_eq!(&t[words_back(t, start, 4, 4)..start], b".: ", "not \"o\"");
        assert_eq!(&t[words_back(t, start, 4, 8)..start], b"I. No.: ");
        let end = 28;
        assert_eq!(&t[end..words_forward(t, end, 2, 6)], b" (");
        let end = 28;
        assert_eq!(&t[end..words_forward(t, end, 1, 100)], b" (verified");
        assert_eq!(words_forward(t, end, 5, 100), t.len());
    }

    #[test]
    fn the_more_specific_keyword_wins() {
        let pos = vec![normalise("account"), normalise("account number")];
        let neg = vec![normalise("rent account")];
        assert_eq!(
            weigh(&normalise("Rent account"), &pos, &neg),
            (None, Some(" rent account "))
        );
        assert_eq!(
            weigh(&normalise("Account number"), &pos, &neg).0,
            Some(" account number ")
        );
        // Both stand when neither contains the other: resolve decides.
        let neg = vec![normalise("invoice")];
        assert_eq!(
            weigh(&normalise("invoice account"), &pos, &neg),
            (Some(" account "), Some(" invoice "))
        );
    }

    #[test]
    fn keywords_match_whole_words_only() {
        let kws = vec![normalise("ni"), normalise("date of birth")];
        assert!(has_keyword(&normalise("Tenant NI: "), &kws));
        assert!(has_keyword(&normalise("Date of Birth -"), &kws));
        assert!(!has_keyword(&normalise("opportunity nine"), &kws));
    }
}
