//! Detection: every detector over a text in two passes.
//!
//! The detectors' patterns form one multi-pattern regex (a lazy DFA) and
//! the word lists another (see [`Engine::new`]), so each text is read
//! twice, whatever the number of detectors or terms. Each candidate then meets its validator and its
//! context, and [`Engine::resolve`] decides, per record, which candidates are
//! findings: pairing (a sort code beside an account number) and linkage (a
//! health term beside a person's identifier) happen there.

pub mod allow;
pub mod context;
pub mod rules;
pub mod suppress;
pub mod validators;

use std::collections::HashSet;
use std::ops::Range;

use anyhow::{Context as _, Result};
use jiff::civil::Date;
use regex_automata::{meta, Anchored, Input, PatternID};

pub use rules::{Boundary, Confidence, Detector, Matcher, Rules};
use validators::ValidateCtx;

/// A candidate value in one unit of text (a block of lines, or one field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub detector: usize,
    /// Byte range within the unit.
    pub start: usize,
    pub end: usize,
    /// Which field of the record the unit is (0 for running text).
    pub field: u32,
    /// Positive context: a keyword nearby, or a header that names it.
    pub context: bool,
    /// Negative context ("Invoice ref"), which rules a value out unless
    /// positive context is present too.
    pub negative: bool,
    /// The value is not about a person (the detector's `not_personal`, such
    /// as a role mailbox): a low-confidence mention that links nothing.
    pub not_personal: bool,
    /// Whether it identifies a person for linkage: its detector's
    /// `identifies_person`, unless its only support cannot carry that (a
    /// name known only from the gazetteer).
    pub links: bool,
    /// It may pair with a partner, or be one: grouped, or with context of
    /// its own (see `pair_only_grouped`).
    pub pairable: bool,
    /// The value carries its own evidence in place of the context its
    /// detector requires (a listed forename and surname): admitted, but at
    /// the confidence without context.
    pub self_supported: bool,
    /// A value held inside another detector's value (a GB IBAN's sort
    /// code): the value itself, and that detector; it stands or falls, at
    /// the same confidence, with the value it came from.
    pub derived: Option<(String, usize)>,
    /// Decided by [`Engine::resolve`].
    pub confidence: Confidence,
    /// Why it is believed, as the finding records it: the check passed
    /// ("checksum"), the context ("header:DOB", "context:sort code"), a
    /// partner ("paired:uk_bank_account"), a person nearby ("linked:uk_nino").
    pub evidence: Vec<String>,
}

/// How candidates in one call to [`Engine::resolve`] relate to each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Running text: nearness is measured in characters.
    Text,
    /// Fields of one record (a row, a JSON object): nearness is being in
    /// the same record, or for pairing, in the same or an adjacent field.
    Record,
}

/// Where a whole value sits: its unit's text, the detector, the span of the
/// field or the label's value, what names it (`header` or `context`, and
/// the column's or label's name), the field.
struct WholePlace<'a> {
    text: &'a [u8],
    detector: usize,
    span: Range<usize>,
    named_by: (&'static str, &'a str),
    field: u32,
}

/// A unit's hits as whole values are settled among them. Those from
/// `first` to `sorted_end` are sorted by start and none is longer than
/// `longest`, so the few over a span are found by halving, not by reading
/// them all: a changelog's thousands of addresses each settle a name. The
/// whole values settled since follow, in the order settled; a pass settles
/// in the text's order, so they are sorted too unless `tail_sorted` says
/// otherwise.
struct UnitHits {
    first: usize,
    sorted_end: usize,
    longest: usize,
    tail_longest: usize,
    tail_sorted: bool,
}

impl UnitHits {
    fn sort(out: &mut [Hit], first: usize) -> UnitHits {
        out[first..].sort_by_key(|h| (h.start, h.detector, h.end));
        UnitHits {
            first,
            sorted_end: out.len(),
            longest: out[first..]
                .iter()
                .map(|h| h.end - h.start)
                .max()
                .unwrap_or(0),
            tail_longest: 0,
            tail_sorted: true,
        }
    }

    /// Indices in `out` of the hits that may overlap `span`: no hit outside
    /// them does; the caller tests each within.
    fn near(&self, out: &[Hit], span: &Range<usize>) -> impl Iterator<Item = usize> + use<> {
        let around = |from: usize, to: usize, longest: usize| {
            let sorted = &out[from..to];
            // A hit starting `longest` or more before the span ends before it.
            let lo = sorted.partition_point(|h| h.start + longest <= span.start);
            let hi = sorted.partition_point(|h| h.start < span.end);
            from + lo..from + hi.max(lo)
        };
        let tail = if self.tail_sorted {
            around(self.sorted_end, out.len(), self.tail_longest)
        } else {
            self.sorted_end..out.len()
        };
        around(self.first, self.sorted_end, self.longest).chain(tail)
    }

    /// Takes the whole values settled so far into the sorted part, for a
    /// pass that settles from the text's start again; with none, there is
    /// nothing to do.
    fn sort_tail(&mut self, out: &mut [Hit]) {
        if out.len() > self.sorted_end {
            *self = UnitHits::sort(out, self.first);
        }
    }

    fn push(&mut self, out: &mut Vec<Hit>, hit: Hit) {
        if out.len() > self.sorted_end && out.last().is_some_and(|last| last.start > hit.start) {
            self.tail_sorted = false;
        }
        self.tail_longest = self.tail_longest.max(hit.end - hit.start);
        out.push(hit);
    }

    /// Removes the hits at `indices`, ascending; the rest keep their order.
    fn remove(&mut self, out: &mut Vec<Hit>, indices: &[usize]) {
        for &i in indices.iter().rev() {
            out.remove(i);
            if i < self.sorted_end {
                self.sorted_end -= 1;
            }
        }
    }
}

/// What a column header (or JSON key) says to each detector, worked out
/// once per column rather than once per cell.
#[derive(Debug, Clone, Default)]
pub struct HeaderContext {
    /// The header, normalised (lower case, words single-spaced).
    pub name: String,
    /// Whether the policy reads this column's values (see
    /// [`Engine::set_record_columns`]).
    pub wanted: bool,
    /// For each detector, the rules' keyword the header holds, if any: the
    /// evidence names the keyword, never the header as written (a label
    /// cell can hold more than a label).
    positive: Vec<Option<Box<str>>>,
    negative: Vec<Option<Box<str>>>,
    /// Detectors whose `whole_value_headers` name this column, and whether
    /// one word is enough (`whole_value_part_headers`).
    whole_values: Vec<(usize, bool)>,
}

impl HeaderContext {
    /// Whether the name is one the rules or the policy know as a field's
    /// (a detector's keyword, a column the policy reads).
    pub fn names_a_field(&self) -> bool {
        self.wanted || self.positive.iter().any(Option::is_some)
    }
}

/// What [`Engine::read_names`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamesRead {
    /// Some name holds a value the engine would report (above low
    /// confidence): the names are a row of data.
    pub reported: bool,
    /// For each name, the detector whose check the first value in it passed.
    pub values: Vec<Option<usize>>,
}

/// The lazy DFA's cache, per thread. At regex-automata's default (2 MiB)
/// text dense with varied values (a changelog: a name and an address a
/// line) kept filling it, with a state for each pattern anchored at each
/// match, and the meta regex fell back to its NFA simulation: 3.4 times as
/// slow over Debian's docs. 4 MiB was enough there. At 8 MiB the
/// immigration terms' hundred alternatives made that scan ×1.06; at 16 MiB
/// it is ×0.87 of 8 MiB without them, for 35-50 MB more at peak. With the
/// word lists in an automaton of their own, 32 MiB saves only 6% more.
const HYBRID_CACHE: usize = 16 << 20;

/// Detectors' patterns compiled together, one pass over a text.
struct Automaton {
    regex: meta::Regex,
    /// Pattern index → detector index.
    owner: Vec<usize>,
}

pub struct Engine {
    rules: Rules,
    /// The patterns' automaton, then the word lists' (see [`Engine::new`]).
    automata: Vec<Automaton>,
    validate_ctx: ValidateCtx,
    /// Normalised column names whose values records keep for the policy.
    record_columns: HashSet<String>,
    /// Normalised column names, and labels in running text, that name a
    /// whole value ("Tenant", "Surname"): each detector that lists the
    /// name in its `whole_value_headers`, and whether one word is enough
    /// (its `whole_value_part_headers`).
    whole_value_names: std::collections::HashMap<String, Vec<(usize, bool)>>,
    /// Labels in running text: those names, and `whole_value_labels`
    /// ("Name:"), which are no column's.
    label_names: std::collections::HashMap<String, Vec<(usize, bool)>>,
    /// The `whole_value_labels` no column has, which count only written
    /// with a capital, as a form writes them ("Name:", "NAME:"): a
    /// program's key is in lower case ("- name: Check MSRV").
    capitalised_labels: HashSet<String>,
    /// The labels' first words, to pass over most colons without
    /// normalising what is before them.
    label_first_words: HashSet<String>,
    /// The email detector and the person_name one, if both are in the
    /// rules: a name before its own address ([`Engine::names_before_addresses`]).
    own_address: Option<(usize, usize)>,
}

impl Engine {
    pub fn new(rules: Rules, as_of: Date) -> Result<Engine> {
        // Two automata, two passes: the patterns', and the word lists'. In
        // one, the lazy DFA needed a state for every mix of a list's terms
        // begun with the names' and others' patterns begun, and building
        // states was half the scan of Debian's docs at 16 MiB a thread.
        let mut groups: [(Vec<String>, Vec<usize>); 2] = Default::default();
        for (i, d) in rules.detectors.iter().enumerate() {
            let (group, pattern) = match &d.matcher {
                Matcher::Pattern(p) => (0, p.clone()),
                Matcher::Words { terms, .. } => (1, word_list_pattern(terms)),
                Matcher::Fields => continue,
            };
            groups[group].0.push(pattern);
            groups[group].1.push(i);
        }
        let mut automata = Vec::new();
        for (patterns, owner) in groups {
            if patterns.is_empty() {
                continue;
            }
            let regex = meta::Regex::builder()
                .configure(
                    meta::Config::new()
                        .nfa_size_limit(Some(64 << 20))
                        .hybrid_cache_capacity(HYBRID_CACHE),
                )
                .build_many(&patterns)
                .context("compiling the detectors' patterns together")?;
            automata.push(Automaton { regex, owner });
        }
        let names = rules
            .detectors
            .iter()
            .find(|d| d.validator == Some(validators::Validator::PersonName))
            .map(|d| {
                let list = |role: &str| {
                    d.validator_lists
                        .get(role)
                        .into_iter()
                        .flatten()
                        .map(String::as_str)
                };
                validators::names::Gazetteer::new(
                    d.validator_words.iter().map(String::as_str),
                    list("titles"),
                    list("particles"),
                    list("gaelic_particles"),
                    list("forenames"),
                )
            })
            .unwrap_or_default();
        let genders = rules
            .detectors
            .iter()
            .find(|d| d.validator == Some(validators::Validator::Gender))
            .map(|d| validators::gender::Genders::new(d.validator_words.iter().map(String::as_str)))
            .unwrap_or_default();
        let mut whole_value_names: std::collections::HashMap<String, Vec<(usize, bool)>> =
            Default::default();
        for (i, d) in rules.detectors.iter().enumerate() {
            // A part header first: listed in both, one word is enough.
            for (headers, one_word) in [
                (&d.whole_value_part_headers, true),
                (&d.whole_value_headers, false),
            ] {
                for h in headers {
                    let detectors = whole_value_names.entry(h.clone()).or_default();
                    if !detectors.iter().any(|&(listed, _)| listed == i) {
                        detectors.push((i, one_word));
                    }
                }
            }
        }
        let detector_of =
            |v: validators::Validator| rules.detectors.iter().position(|d| d.validator == Some(v));
        let own_address = detector_of(validators::Validator::Email)
            .zip(detector_of(validators::Validator::PersonName));
        let mut label_names = whole_value_names.clone();
        let mut capitalised_labels = HashSet::new();
        for (i, d) in rules.detectors.iter().enumerate() {
            for label in &d.whole_value_labels {
                if !whole_value_names.contains_key(label) {
                    capitalised_labels.insert(label.clone());
                }
                let detectors = label_names.entry(label.clone()).or_default();
                if !detectors.iter().any(|&(listed, _)| listed == i) {
                    detectors.push((i, false));
                }
            }
        }
        Ok(Engine {
            rules,
            automata,
            validate_ctx: ValidateCtx {
                names: std::sync::Arc::new(names),
                genders: std::sync::Arc::new(genders),
                ..ValidateCtx::new(as_of)
            },
            record_columns: Default::default(),
            label_first_words: label_names
                .keys()
                .filter_map(|l| l.split(' ').next().map(str::to_string))
                .collect(),
            own_address,
            whole_value_names,
            label_names,
            capitalised_labels,
        })
    }

    /// The columns (or JSON keys) whose values a row's record keeps, for the
    /// policy stage: trigger dates, recorded lawful bases, consent.
    pub fn set_record_columns<S: AsRef<str>>(&mut self, names: &[S]) {
        self.record_columns = rules::exact_names(names).into_iter().collect();
    }

    /// How far around a value anything that judges it may look, plus room
    /// for the longest value: context windows, pairing and linkage.
    pub fn reach(&self) -> usize {
        let widest = self
            .rules
            .detectors
            .iter()
            .map(|d| {
                d.context_before
                    .max(d.context_after)
                    .max(d.pair_distance)
                    .max(d.link_distance.unwrap_or(0))
            })
            .max()
            .unwrap_or(0);
        widest + 256
    }

    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    pub fn detector(&self, index: usize) -> &Detector {
        &self.rules.detectors[index]
    }

    /// Reads a header (a column name or a JSON key path) for every detector.
    pub fn header_context(&self, header: &str) -> HeaderContext {
        let norm = context::normalise(header);
        let name = norm.trim().to_string();
        let whole_values = self
            .whole_value_names
            .get(&name)
            .cloned()
            .unwrap_or_default();
        let (positive, negative) = self
            .rules
            .detectors
            .iter()
            .map(|d| context::weigh(&norm, &d.header_context, &d.negative_context))
            .map(|(p, n)| (p.map(|k| k.trim().into()), n.map(|k| k.trim().into())))
            .unzip();
        HeaderContext {
            wanted: self.record_columns.contains(&name),
            name,
            positive,
            negative,
            whole_values,
        }
    }

    /// Reads names (a table's header cells, a JSON key) as if they were
    /// values. A name is data when a detector's check passes on it (a
    /// person's name, a postcode, a date): it must not be shown, nor give
    /// context, as a name. Names judged together as one record that hold a
    /// value reported above low confidence are a row of data, not names.
    pub fn read_names<S: AsRef<str>>(&self, names: &[S]) -> NamesRead {
        let mut hits = Vec::new();
        for (i, name) in names.iter().enumerate() {
            self.scan_unit(name.as_ref().as_bytes(), None, i as u32, &mut hits);
        }
        let mut values = vec![None; names.len()];
        for h in &hits {
            let slot = &mut values[h.field as usize];
            if slot.is_none() && self.rules.detectors[h.detector].validator.is_some() {
                *slot = Some(h.detector);
            }
        }
        self.resolve(&mut hits, Scope::Record);
        NamesRead {
            reported: hits.iter().any(|h| h.confidence > Confidence::Low),
            values,
        }
    }

    /// Appends every candidate in `text` to `out`, in order of start.
    pub fn scan_unit(
        &self,
        text: &[u8],
        header: Option<&HeaderContext>,
        field: u32,
        out: &mut Vec<Hit>,
    ) {
        let first = out.len();
        // End of the previous raw match per detector: a keyword before it
        // belongs to it, not to the next value ("DOB 03/04/1985, tenancy
        // start 01/04/2019").
        let mut last_end = vec![0usize; self.rules.detectors.len()];
        // Where the word lists' hits start (the last automaton's).
        let mut terms_from = out.len();
        for a in &self.automata {
            terms_from = out.len();
            let re = &a.regex;
            let mut at = 0;
            while let Some(m) = re.search(&Input::new(text).range(at..)) {
                let pid = m.pattern().as_usize();
                // The search goes on after the match, or at a code the match
                // ran into (below).
                let (mut end, mut next) = (m.end(), m.end().max(m.start() + 1));
                if let Some((word_start, space)) =
                    self.ran_into_a_code(text, a, pid, m.start(), m.end())
                {
                    (end, next) = (space, word_start);
                }
                if let Some(cut) = self.consider(
                    text,
                    a.owner[pid],
                    m.start(),
                    end,
                    header,
                    field,
                    &mut last_end,
                    out,
                ) {
                    next = next.min(cut.max(m.start() + 1));
                }
                // Other detectors may read the same characters differently (a
                // ten-digit run: NHS number or not); try each anchored here.
                for other in (0..a.owner.len()).filter(|&p| p != pid) {
                    let input = Input::new(text)
                        .range(m.start()..)
                        .anchored(Anchored::Pattern(PatternID::new_unchecked(other)));
                    if let Some(m2) = re.search(&input) {
                        self.consider(
                            text,
                            a.owner[other],
                            m2.start(),
                            m2.end(),
                            header,
                            field,
                            &mut last_end,
                            out,
                        );
                    }
                }
                if next > text.len() {
                    break;
                }
                at = next;
            }
        }
        if self.automata.len() > 1 {
            terms_inside_values(out, first, terms_from);
        }
        match header {
            // Most columns: no whole value to settle, no hits to sort.
            Some(h) if h.whole_values.is_empty() => {}
            Some(h) => {
                // A whole field under a column that names what it holds: a
                // Surname column's "Okafor", a Name column's "SMITH, Jane".
                let mut hits = UnitHits::sort(out, first);
                for &(detector, one_word) in &h.whole_values {
                    let Some(v) = self.rules.detectors[detector].validator else {
                        continue;
                    };
                    let whole = std::str::from_utf8(text)
                        .ok()
                        .and_then(|value| v.whole_value(value, one_word, &self.validate_ctx));
                    let place = WholePlace {
                        text,
                        detector,
                        span: 0..text.len(),
                        named_by: ("header", &h.name),
                        field,
                    };
                    self.settle_whole_value(place, whole, &mut hits, out);
                }
            }
            None => {
                let mut hits = UnitHits::sort(out, first);
                if !self.label_names.is_empty() {
                    self.labelled_values(text, field, &mut hits, out);
                    // The addresses' names come in the text's order again.
                    hits.sort_tail(out);
                }
                self.names_before_addresses(text, field, &mut hits, out);
            }
        }
        out[first..].sort_by_key(|h| (h.start, h.detector, h.end));
    }

    /// Where a name's last word runs on into another detector's value
    /// ("Jane Smith1@gmail.com", "Mr Okafor Okafor.j@…"), the value wins,
    /// where the search would have gone on inside it and found a piece or
    /// nothing: the start of that word, to search on from, and the space
    /// before it, where the name ends. A name followed by digits that are
    /// no value stays whole ("Dear John2", a footnote's mark).
    fn ran_into_a_code(
        &self,
        text: &[u8],
        a: &Automaton,
        pid: usize,
        start: usize,
        end: usize,
    ) -> Option<(usize, usize)> {
        let d = &self.rules.detectors[a.owner[pid]];
        // What goes on in a code or an address's local part; a stop or a
        // plus only before more of it.
        let runs_on = match text.get(end) {
            Some(b) if b.is_ascii_digit() || matches!(b, b'@' | b'_') => true,
            Some(b'.' | b'+') => text.get(end + 1).is_some_and(u8::is_ascii_alphanumeric),
            _ => false,
        };
        if d.boundary != Boundary::WordEnd || !runs_on {
            return None;
        }
        // Capitals take the character after them ("Mr SMITH NI AB 12…"
        // ends "AB "): the last word is before it.
        let word_end = match text[..end].last() {
            Some(b) if end > start + 1 && !b.is_ascii_alphanumeric() && b.is_ascii() => end - 1,
            _ => end,
        };
        let space = start + text[start..word_end].iter().rposition(|&b| b == b' ')?;
        let word_start = space + 1;
        (0..a.owner.len())
            .filter(|&p| p != pid)
            .any(|other| {
                let input = Input::new(text)
                    .range(word_start..)
                    .anchored(Anchored::Pattern(PatternID::new_unchecked(other)));
                a.regex.search(&input).is_some_and(|m| m.end() > end)
            })
            .then_some((word_start, space))
    }

    /// Whole values after labels in running text, as under a column that
    /// names them: "Tenant: SMITH, Jane", "Surname: Okafor". A label starts
    /// a line, or follows a tab, a bar or a gap of two spaces (a form's next
    /// field); its value runs to the line's end or the next such break, a
    /// bracket or a semicolon.
    fn labelled_values(&self, text: &[u8], field: u32, hits: &mut UnitHits, out: &mut Vec<Hit>) {
        for colon in memchr::memchr_iter(b':', text) {
            let Some(label_start) = label_start(text, colon) else {
                continue;
            };
            // The label's first word, lower-cased in place of a String.
            let mut first_word = [0u8; 24];
            let len = text[label_start..colon]
                .iter()
                .take_while(|b| b.is_ascii_alphabetic())
                .count();
            let Some(word) = first_word.get_mut(..len) else {
                continue;
            };
            word.copy_from_slice(&text[label_start..label_start + len]);
            word.make_ascii_lowercase();
            if !std::str::from_utf8(word).is_ok_and(|w| self.label_first_words.contains(w)) {
                continue;
            }
            let Ok(label) = std::str::from_utf8(&text[label_start..colon]) else {
                continue;
            };
            let label = context::normalise(label);
            let Some(detectors) = self.label_names.get(label.trim()) else {
                continue;
            };
            if !text[label_start].is_ascii_uppercase()
                && self.capitalised_labels.contains(label.trim())
            {
                continue;
            }
            let (from, to) = labelled_span(text, colon + 1);
            let Ok(value) = std::str::from_utf8(&text[from..to]) else {
                continue;
            };
            for &(detector, one_word) in detectors {
                let Some(v) = self.rules.detectors[detector].validator else {
                    continue;
                };
                let whole = v
                    .labelled_value(value, one_word, &self.validate_ctx)
                    .map(|r| from + r.start..from + r.end);
                let place = WholePlace {
                    text,
                    detector,
                    span: from..to,
                    named_by: ("context", label.trim()),
                    field,
                };
                self.settle_whole_value(place, whole, hits, out);
            }
        }
    }

    /// Names written before their own addresses, as mail headers and
    /// changelogs write them: "Chidi Okonkwo <chidi.okonkwo@…>", "\"OKONKWO,
    /// Chidi\" <c.okonkwo@…>". The name runs back from the `<` to a quote's
    /// opening, or to the line's start or a comma, semicolon, colon, tab,
    /// bracket or `>`; it counts when it has a name's shape and the
    /// address's local part is made of its words.
    fn names_before_addresses(
        &self,
        text: &[u8],
        field: u32,
        hits: &mut UnitHits,
        out: &mut Vec<Hit>,
    ) {
        let Some((email, person)) = self.own_address else {
            return;
        };
        let Some(v) = self.rules.detectors[person].validator else {
            return;
        };
        let addresses: Vec<Range<usize>> = out[hits.first..]
            .iter()
            .filter(|h| h.detector == email && h.start > 0 && text[h.start - 1] == b'<')
            .map(|h| h.start..h.end)
            .collect();
        // A name is looked for this far before its address, no further,
        // so that a line of many addresses is read once.
        const NAME_REACH: usize = 96;
        for address in addresses {
            let before = &text[..address.start - 1];
            let end = before.len() - before.iter().rev().take_while(|&&b| b == b' ').count();
            let floor = end.saturating_sub(NAME_REACH);
            let (start, end, quoted) = if end > 0 && before[end - 1] == b'"' {
                // The opening quote on the same line.
                match before[floor..end - 1]
                    .iter()
                    .rposition(|&b| matches!(b, b'"' | b'\n' | b'\r'))
                {
                    Some(q) if before[floor + q] == b'"' => (floor + q + 1, end - 1, true),
                    _ => continue,
                }
            } else {
                let delimiter = |b: &u8| {
                    matches!(
                        b,
                        b'\n' | b'\r' | b',' | b';' | b':' | b'\t' | b'(' | b')' | b'>' | b'<'
                    )
                };
                match before[floor..end].iter().rposition(delimiter) {
                    Some(p) => (floor + p + 1, end, false),
                    None if floor == 0 => (0, end, false),
                    None => continue,
                }
            };
            let Ok(name) = std::str::from_utf8(&text[start..end]) else {
                continue;
            };
            // Unquoted, the capitalised words before the address.
            let (start, name) = if quoted {
                (start, name)
            } else {
                let from = v.trailing_name_start(name, &self.validate_ctx);
                (start + from, &name[from..])
            };
            let local = &text[address.clone()];
            let local = &local[..memchr::memchr(b'@', local).unwrap_or(local.len())];
            let Ok(local) = std::str::from_utf8(local) else {
                continue;
            };
            if !v.named_by_own_address(name, local, &self.validate_ctx) {
                continue;
            }
            let whole = v
                .whole_value(name, false, &self.validate_ctx)
                .map(|r| start + r.start..start + r.end);
            let place = WholePlace {
                text,
                detector: person,
                span: start..end,
                named_by: ("context", "own address"),
                field,
            };
            self.settle_whole_value(place, whole, hits, out);
        }
    }

    /// Settles a whole value (`whole`: a name column's field, a label's
    /// value, if it is one) with what the pattern found in the same span.
    /// The pattern's finds that end where a word does stand, and take the
    /// label as context ("Next of kin: Tom Okafor"); pieces of a word give
    /// way to the whole value ("Jamal WÓ" of "Jamal WÓJCIK").
    fn settle_whole_value(
        &self,
        place: WholePlace<'_>,
        whole: Option<Range<usize>>,
        hits: &mut UnitHits,
        out: &mut Vec<Hit>,
    ) {
        let WholePlace {
            text,
            detector,
            span,
            named_by: (kind, name),
            field,
        } = place;
        let keyword = || format!("{kind}:{name}");
        let in_span = |h: &Hit| h.detector == detector && h.start < span.end && h.end > span.start;
        let word_ends = |end: usize| {
            text.get(end)
                .is_none_or(|&b| !(b.is_ascii_alphanumeric() || b >= 0x80))
        };
        let d = &self.rules.detectors[detector];
        let mut found = false;
        for i in hits.near(out, &span) {
            let h = &mut out[i];
            if in_span(h) && word_ends(h.end) {
                found = true;
                if !h.context {
                    h.context = true;
                    h.evidence.insert(1, keyword());
                    // Named by its label or column, it is someone's, as
                    // with context of its own ("Tenant: Jane Okafor").
                    h.links |= d.identifies_person && !h.not_personal;
                }
            }
        }
        let Some(whole) = whole.filter(|_| !found) else {
            return;
        };
        // Pieces of the value give way to it; most often there are none.
        let pieces: Vec<usize> = hits
            .near(out, &span)
            .filter(|&i| in_span(&out[i]))
            .collect();
        hits.remove(out, &pieces);
        hits.push(
            out,
            Hit {
                detector,
                start: whole.start,
                end: whole.end,
                field,
                context: true,
                negative: false,
                not_personal: false,
                pairable: true,
                links: d.identifies_person,
                self_supported: false,
                confidence: d.confidence_with_context,
                evidence: vec![
                    d.validator
                        .map_or("name_shape", |v| v.whole_value_evidence())
                        .into(),
                    keyword(),
                ],
                derived: None,
            },
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn consider(
        &self,
        text: &[u8],
        detector: usize,
        start: usize,
        end: usize,
        header: Option<&HeaderContext>,
        field: u32,
        last_end: &mut [usize],
        out: &mut Vec<Hit>,
    ) -> Option<usize> {
        let d = &self.rules.detectors[detector];
        let matched_end = end;
        let window_floor = last_end[detector];
        // A detector's values never overlap: an email address does not
        // start again inside the local part of the one before.
        if start < window_floor {
            return None;
        }
        last_end[detector] = last_end[detector].max(end);
        // A name's word end is judged at the name's own end, once
        // validated (below); the others before, as that is cheaper.
        let word_end = d.boundary == Boundary::WordEnd;
        if (!word_end && !boundary_ok(text, start, end, d.boundary))
            || !word_edges_ok(text, start, end, &d.matcher)
        {
            return None;
        }
        let not_personal = |s: usize, e: usize| {
            d.not_personal
                .as_ref()
                .is_some_and(|re| std::str::from_utf8(&text[s..e]).is_ok_and(|v| re.is_match(v)))
        };
        // Judged on the whole match: "Dear Mrs Okafor" is a name by its
        // title, though the value is "Okafor".
        let mut self_evident = None;
        let (start, end) = match d.validator {
            None => (start, end),
            Some(v) => {
                let Ok(value) = std::str::from_utf8(&text[start..end]) else {
                    return None;
                };
                match v.validate_judged(value, &self.validate_ctx) {
                    Some((r, evident)) => {
                        self_evident = evident;
                        (start + r.start, start + r.end)
                    }
                    None => return None,
                }
            }
        };
        // At the name's own end: without its title or what the pattern
        // took after it.
        if word_end && !boundary_ok(text, start, end, d.boundary) {
            return None;
        }
        // A name cut short ("Tom Hukins" of "Tom Hukins Tony"): what the
        // pattern took after it is the search's again ("Tony Cook").
        let cut = (word_end && end < matched_end).then(|| {
            last_end[detector] = end;
            end
        });
        if !d.allowed.is_empty()
            && std::str::from_utf8(&text[start..end])
                .is_ok_and(|v| d.allowed.contains(&allow::canonical(v)))
        {
            return None;
        }
        let from = match d.context_words_before {
            Some(n) => context::words_back(text, start, n, d.context_before),
            None => start.saturating_sub(d.context_before),
        };
        let before = window(text, from.max(window_floor.min(start)), start);
        let to = match d.context_words_after {
            Some(n) => context::words_forward(text, end, n, d.context_after),
            None => (end + d.context_after).min(text.len()),
        };
        let after = window(text, end, to);
        let near = if matches!(d.matcher, Matcher::Words { .. }) {
            // A word list's keywords hold the term, to name its other
            // senses: "use caution", "key fingerprints", "stroke width";
            // within its clause: "Kashmiri. Language: Urdu" is no
            // "Kashmiri language".
            let before = &before[clause_start(before.as_bytes())..];
            let after = &after[..clause_end(after.as_bytes())];
            context::normalise(&format!("{before}{}{after}", window(text, start, end)))
        } else if to > end {
            context::normalise(&format!("{before} | {after}"))
        } else {
            context::normalise(&before)
        };
        let (header_pos, header_neg) = header
            .map(|h| {
                (
                    h.positive[detector].as_deref(),
                    h.negative[detector].as_deref(),
                )
            })
            .unwrap_or((None, None));
        let (near_pos, near_neg) = context::weigh(&near, &d.context, &d.negative_context);
        let mut evidence = vec![match d.validator {
            Some(v) => v.evidence().to_string(),
            None if matches!(d.matcher, Matcher::Words { .. }) => "term".to_string(),
            None => "pattern".to_string(),
        }];
        if let Some(k) = header_pos {
            evidence.push(format!("header:{k}"));
        }
        if let Some(k) = near_pos {
            evidence.push(format!("context:{}", k.trim()));
        }
        let negative = header_neg.is_some() || near_neg.is_some();
        if let Some(k) = near_neg {
            evidence.push(format!("negative:{}", k.trim()));
        } else if let Some(k) = header_neg {
            evidence.push(format!("negative_header:{k}"));
        }
        if let Some((why, _)) = self_evident {
            evidence.push(why.into());
        }
        let has_context = header_pos.is_some() || near_pos.is_some();
        let links =
            d.identifies_person && (has_context || self_evident.is_none_or(|(_, links)| links));
        let weak = d.validator.and_then(|v| {
            let value = std::str::from_utf8(&text[start..end]).ok()?;
            v.weak(value, has_context, || in_path(text, start, end))
        });
        let not_personal = not_personal(start, end) || weak.is_some();
        if let Some(why) = weak {
            evidence.push(why.into());
        } else if not_personal {
            evidence.push("not_personal".into());
        }
        let context = has_context || self_evident.is_some_and(|(_, strong)| strong);
        let pairable =
            !d.pair_only_grouped || context || !text[start..end].iter().all(u8::is_ascii_digit);
        if let (Some(v), Ok(value)) = (d.validator, std::str::from_utf8(&text[start..end])) {
            for &target in &d.yields {
                let Some(derived) =
                    v.derive(value, &self.rules.detectors[target].id, &self.validate_ctx)
                else {
                    continue;
                };
                out.push(Hit {
                    detector: target,
                    start,
                    end,
                    field,
                    context: true,
                    negative: false,
                    not_personal,
                    pairable: true,
                    links: self.rules.detectors[target].identifies_person,
                    self_supported: false,
                    confidence: d.confidence,
                    evidence: vec![format!("derived:{}", d.id)],
                    derived: Some((derived, detector)),
                });
            }
        }
        out.push(Hit {
            detector,
            start,
            end,
            field,
            context,
            negative,
            not_personal,
            pairable,
            links,
            self_supported: self_evident.is_some(),
            confidence: d.confidence,
            evidence,
            derived: None,
        });
        cut
    }

    /// Keeps the candidates that are findings, with their confidence.
    pub fn resolve(&self, hits: &mut Vec<Hit>, scope: Scope) {
        let dets = &self.rules.detectors;
        let ruled_out = |h: &Hit| h.negative && !h.context;
        let mut keep: Vec<bool> = hits
            .iter()
            .map(|h| {
                let d = &dets[h.detector];
                !ruled_out(h)
                    && d.link_distance.is_none()
                    && (h.context || h.self_supported || !d.requires_context)
            })
            .collect();
        for (i, h) in hits.iter_mut().enumerate() {
            if keep[i] {
                let d = &dets[h.detector];
                h.confidence = if h.not_personal {
                    Confidence::Low
                } else if h.context {
                    d.confidence_with_context
                } else {
                    d.confidence
                };
            }
        }
        // Before pairing and linkage: a value derived from one ruled out
        // ("Tel 150 385 1230") must not pair or link a person.
        follow_parents(hits, &mut keep);
        // Pairing: a value that needs context takes it from its partner.
        // Each partner's candidates are indexed once, so a unit dense with
        // values costs no look through every hit for each.
        // Built when first asked for: most units pair and link nothing, and
        // this runs for every row of a table.
        let mut partners: std::collections::BTreeMap<usize, Nearby> = Default::default();
        let paired: Vec<usize> =
            (0..hits.len())
                .filter(|&i| !keep[i] && !ruled_out(&hits[i]) && hits[i].pairable)
                .filter(|&i| {
                    let d = &dets[hits[i].detector];
                    d.pairs_with.is_some_and(|partner| {
                        partners
                            .entry(partner)
                            .or_insert_with(|| {
                                Nearby::new(hits.iter().filter(|o| {
                                    o.detector == partner && !ruled_out(o) && o.pairable
                                }))
                            })
                            .any_near(&hits[i], scope, d.pair_distance, true)
                    })
                })
                .collect();
        for i in paired {
            keep[i] = true;
            let d = &dets[hits[i].detector];
            hits[i].confidence = d.confidence;
            if let Some(partner) = d.pairs_with {
                hits[i]
                    .evidence
                    .push(format!("paired:{}", dets[partner].id));
            }
        }
        // Linkage: a word-list mention is about a person only beside one.
        let mut people: Option<Nearby> = None;
        let linked: Vec<(usize, bool)> = (0..hits.len())
            .filter_map(|i| {
                let h = &hits[i];
                let d = &dets[h.detector];
                let distance = d.link_distance?;
                if ruled_out(h) || (d.requires_context && !h.context && !h.self_supported) {
                    return None;
                }
                let people = people.get_or_insert_with(|| {
                    Nearby::new(
                        hits.iter()
                            .enumerate()
                            .filter(|&(j, o)| keep[j] && o.links && !o.not_personal)
                            .map(|(_, o)| o),
                    )
                });
                Some((i, people.any_near(h, scope, distance, false)))
            })
            .collect();
        for (i, person) in linked {
            keep[i] = true;
            let d = &dets[hits[i].detector];
            hits[i].confidence = if person {
                // Not which identifier: at the edge of a block of text
                // that could change with the block's size; whether one is
                // near does not.
                hits[i].evidence.push("linked:person".into());
                d.confidence_with_context
            } else if hits[i].context && !d.requires_context {
                // Its own context can say it is a person's ("lives at"),
                // unless it is what makes the value one ("Sex: F").
                d.confidence_with_context
            } else {
                d.confidence
            };
        }
        // Again, for a parent kept only by pairing or linkage.
        follow_parents(hits, &mut keep);
        let mut i = 0;
        hits.retain(|_| {
            i += 1;
            keep[i - 1]
        });
    }
}

/// Candidates indexed to answer "is one of them near this hit?" without a
/// look through them all: in text, near means a gap of at most the
/// distance between the spans (none when they overlap); in a record, in
/// the same or an adjacent field, or anywhere in it.
struct Nearby {
    /// Spans sorted by start, with the furthest end of each prefix.
    starts: Vec<usize>,
    furthest_end: Vec<usize>,
    fields: HashSet<u32>,
}

impl Nearby {
    fn new<'h>(candidates: impl Iterator<Item = &'h Hit>) -> Nearby {
        let mut spans = Vec::new();
        let mut fields = HashSet::new();
        for h in candidates {
            spans.push((h.start, h.end));
            fields.insert(h.field);
        }
        spans.sort_unstable();
        let mut furthest = 0;
        let furthest_end = spans
            .iter()
            .map(|&(_, end)| {
                furthest = furthest.max(end);
                furthest
            })
            .collect();
        Nearby {
            starts: spans.iter().map(|&(start, _)| start).collect(),
            furthest_end,
            fields,
        }
    }

    fn any_near(&self, h: &Hit, scope: Scope, distance: usize, adjacent_fields: bool) -> bool {
        match scope {
            Scope::Record if adjacent_fields => {
                let f = h.field;
                [f.checked_sub(1), Some(f), f.checked_add(1)]
                    .into_iter()
                    .flatten()
                    .any(|g| self.fields.contains(&g))
            }
            Scope::Record => !self.fields.is_empty(),
            Scope::Text => {
                // A candidate is near when it starts no further than the
                // distance past this hit's end, and ends no further than the
                // distance before its start: of those starting early enough,
                // the one ending last decides.
                let starting_in_reach = self
                    .starts
                    .partition_point(|&s| s <= h.end.saturating_add(distance));
                starting_in_reach > 0
                    && self.furthest_end[starting_in_reach - 1].saturating_add(distance) >= h.start
            }
        }
    }

    /// Whether a candidate starts before `at` and ends after it.
    fn holds_inside(&self, at: usize) -> bool {
        let starting_before = self.starts.partition_point(|&s| s < at);
        starting_before > 0 && self.furthest_end[starting_before - 1] > at
    }
}

/// Drops the word lists' hits (`out[terms_from..]`) that start inside a
/// pattern's value (`out[first..terms_from]`): a piece of it, as when one
/// search went on past that value ("Gay" of "Jerry Gay", "David Gay's").
/// One that starts where the value does stays, as it always did.
fn terms_inside_values(out: &mut Vec<Hit>, first: usize, terms_from: usize) {
    if first == terms_from || terms_from == out.len() {
        return;
    }
    let values = Nearby::new(out[first..terms_from].iter());
    let mut i = 0;
    out.retain(|h| {
        i += 1;
        i - 1 < terms_from || !values.holds_inside(h.start)
    });
}

/// Where the label before the colon at `colon` starts: words of letters
/// (apostrophes, hyphens, slashes, brackets and single spaces between:
/// "Sex (M/F):"), at most 32
/// bytes, at a line's start or after a tab, a bar or a gap of two spaces
/// (a form's next field), a bullet ("- ", "* ") before it left off.
fn label_start(text: &[u8], colon: usize) -> Option<usize> {
    let gap_before =
        |i: usize| i >= 2 && text[i - 1] == b' ' && matches!(text[i - 2], b' ' | b'\t');
    let floor = colon.saturating_sub(32);
    let mut i = colon;
    while i > floor
        && (text[i - 1].is_ascii_alphabetic()
            || matches!(text[i - 1], b'\'' | b'-' | b'/' | b'*' | b' ' | b'(' | b')'))
        && !gap_before(i)
    {
        i -= 1;
    }
    let opens_field =
        i == 0 || matches!(text[i - 1], b'\n' | b'\r' | b'\t' | b'|') || gap_before(i);
    let lead = text[i..colon]
        .iter()
        .take_while(|b| matches!(b, b' ' | b'-' | b'*'))
        .count();
    let start = i + lead;
    // A camelCase label is code's ("familyName: Incomplete"), not a form's.
    let camel = text[start..colon]
        .windows(2)
        .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase());
    (opens_field && start < colon && text[start].is_ascii_alphabetic() && !camel).then_some(start)
}

/// The value after a label's colon: from its first non-space to the line's
/// end, a tab, a bar, a gap of two spaces, a bracket or a semicolon, with
/// a sentence's full stop left off (an initial's stays).
fn labelled_span(text: &[u8], after: usize) -> (usize, usize) {
    let ceiling = text.len().min(after + 96);
    let from = after
        + text[after..ceiling]
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
    let mut to = from;
    while to < ceiling {
        let b = text[to];
        let gap = b == b' ' && text.get(to + 1) == Some(&b' ');
        if matches!(b, b'\n' | b'\r' | b'\t' | b'|' | b'(' | b';') || gap {
            break;
        }
        to += 1;
    }
    while to > from && matches!(text[to - 1], b' ' | b',') {
        to -= 1;
    }
    let word_before_stop =
        to >= from + 3 && text[to - 3..to - 1].iter().all(u8::is_ascii_alphabetic);
    if text[from..to].ends_with(b".") && word_before_stop {
        to -= 1;
    }
    (from, to)
}

/// A break between clauses: a sentence's or a list's stop before a space, or
/// a table's bar. (Not a tab: text indents its lines with them.)
fn clause_break(text: &[u8], i: usize) -> bool {
    match text[i] {
        b'|' => true,
        b'.' | b';' | b'!' | b'?' => text.get(i + 1).is_none_or(u8::is_ascii_whitespace),
        _ => false,
    }
}

/// Where the last clause of `text` starts (after its last break).
fn clause_start(text: &[u8]) -> usize {
    (0..text.len())
        .rev()
        .find(|&i| clause_break(text, i))
        .map_or(0, |i| i + 1)
}

/// Where the first clause of `text` ends (at its first break).
fn clause_end(text: &[u8]) -> usize {
    (0..text.len())
        .find(|&i| clause_break(text, i))
        .unwrap_or(text.len())
}

/// The text of `text[from..to]`, with `from` moved forward to a character
/// boundary.
fn window(text: &[u8], mut from: usize, to: usize) -> std::borrow::Cow<'_, str> {
    while from < to && (text[from] & 0xC0) == 0x80 {
        from += 1;
    }
    String::from_utf8_lossy(&text[from..to.max(from)])
}

/// A word-list term must stand alone: `\b` in the pattern is ASCII-only, so
/// a letter such as "é" beside it is checked here. Nor is it a piece of a
/// name that code and addresses join up: `to_stroke.y`, `snp.s`, `@unison`,
/// a term then `.` and a word (a file's extension, a domain). A hyphen
/// joins English too ("HIV-positive"), and a slash alternatives
/// ("anxiety/depression", "HIV/AIDS"), except in a path (see [`in_path`]).
fn word_edges_ok(text: &[u8], start: usize, end: usize, matcher: &Matcher) -> bool {
    if !matches!(matcher, Matcher::Words { .. }) {
        return true;
    }
    let word_byte = |b: u8| b.is_ascii_alphanumeric() || b >= 0x80;
    let joiner = |b: u8| matches!(b, b'_' | b'@');
    let before = start > 0 && {
        let b = text[start - 1];
        word_byte(b) || joiner(b) || (b == b'.' && start > 1 && word_byte(text[start - 2]))
    };
    let after = text.get(end).is_some_and(|&b| {
        word_byte(b) || joiner(b) || (b == b'.' && text.get(end + 1).is_some_and(|&n| word_byte(n)))
    });
    !before && !after && !in_command_option(text, start) && !in_path(text, start, end)
}

/// Whether the term is a piece of a path or an address: the run of
/// non-spaces holding it has two slashes or more (`docs/conditions/stroke/`,
/// a link), or one and a file's extension after the term
/// (`reference/stroke-image.png`).
fn in_path(text: &[u8], start: usize, end: usize) -> bool {
    const REACH: usize = 256;
    let is_space = |b: u8| b.is_ascii_whitespace();
    let mut from = start;
    while from > start.saturating_sub(REACH) && !is_space(text[from - 1]) {
        from -= 1;
    }
    let mut to = end;
    while to < text.len().min(end + REACH) && !is_space(text[to]) {
        to += 1;
    }
    let slash = |b: &u8| matches!(b, b'/' | b'\\');
    let slashes = text[from..to].iter().filter(|b| slash(b)).count();
    let extension = text[end..to]
        .windows(2)
        .any(|w| w[0] == b'.' && w[1].is_ascii_alphabetic());
    slashes >= 2 || (slashes == 1 && extension)
}

/// Whether the hyphenated word ending at `start` is a command's option
/// (`--with-fingerprints`): it opens with two hyphens.
fn in_command_option(text: &[u8], start: usize) -> bool {
    if start == 0 || text[start - 1] != b'-' {
        return false;
    }
    let floor = start.saturating_sub(64);
    let mut i = start;
    while i > floor && (text[i - 1].is_ascii_alphanumeric() || text[i - 1] == b'-') {
        i -= 1;
    }
    text[i..start].starts_with(b"--")
        && (i == 0 || text[i - 1].is_ascii_whitespace() || text[i - 1] == b'`')
}

/// A word list as one case-insensitive alternation, longest terms first so
/// that "type 2 diabetes" wins over "diabetes" at the same place; spaces in
/// a term match any run of spaces or tabs. A word listed in capitals is
/// matched so, or, longer than three letters, with a capital and small
/// letters: "RMT", "UNISON" and "Unison" as unions write them, not "rmt" (a
/// tape server), "in unison", Python's "Pip" or a matrix's "ApA".
fn word_list_pattern(terms: &[String]) -> String {
    let mut sorted: Vec<&String> = terms.iter().collect();
    sorted.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    let alternatives: Vec<String> = sorted
        .iter()
        .map(|t| {
            t.split(' ')
                .map(|w| match w.chars().next() {
                    Some(first) if rules::is_capitals(w) && w.chars().count() > 3 => format!(
                        "(?-i:{}|{}{})",
                        regex_syntax::escape(w),
                        regex_syntax::escape(&first.to_string()),
                        regex_syntax::escape(&w[first.len_utf8()..].to_lowercase())
                    ),
                    Some(_) if rules::is_capitals(w) => {
                        format!("(?-i:{})", regex_syntax::escape(w))
                    }
                    _ => regex_syntax::escape(w),
                })
                .collect::<Vec<_>>()
                .join("[ \\t]+")
        })
        .collect();
    format!("(?i-u)\\b(?:{})\\b", alternatives.join("|"))
}

/// A letter of the Latin script: ASCII's, Latin-1's, Latin Extended-A and
/// -B's, and Latin Extended Additional's (Vietnamese).
fn is_latin_letter(c: char) -> bool {
    c.is_alphabetic()
        && matches!(c, 'A'..='Z' | 'a'..='z' | '\u{C0}'..='\u{24F}' | '\u{1E00}'..='\u{1EFF}')
}

fn boundary_ok(text: &[u8], start: usize, end: usize, boundary: Boundary) -> bool {
    let digit_at = |i: usize| text.get(i).is_some_and(u8::is_ascii_digit);
    let sep_at = |i: usize| matches!(text.get(i), Some(b' ' | b'-'));
    let point_at = |i: usize| text.get(i) == Some(&b'.');
    // A decimal's digits: "3.875451", or the "01" of "version 4.01".
    let in_decimal = (start > 1 && point_at(start - 1) && digit_at(start - 2))
        || (point_at(end) && digit_at(end + 1));
    match boundary {
        Boundary::Word => true,
        Boundary::Digits => {
            let before = start > 0 && digit_at(start - 1);
            !before && !digit_at(end) && !in_decimal
        }
        Boundary::DigitGroups => {
            let before = start > 0
                && (digit_at(start - 1) || (start > 1 && sep_at(start - 1) && digit_at(start - 2)));
            let after = digit_at(end) || (sep_at(end) && digit_at(end + 1));
            !before && !after && !in_decimal
        }
        Boundary::WordEnd => {
            let next = text.get(end..).and_then(|rest| {
                let rest = &rest[..rest.len().min(4)];
                let valid = match std::str::from_utf8(rest) {
                    Ok(s) => s,
                    Err(e) => std::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or_default(),
                };
                valid.chars().next()
            });
            !next.is_some_and(is_latin_letter)
        }
    }
}

/// A derived value stands or falls, at the same confidence, with the value
/// it came from.
fn follow_parents(hits: &mut [Hit], keep: &mut [bool]) {
    for i in 0..hits.len() {
        let Some((_, from)) = hits[i].derived else {
            continue;
        };
        // A field's hits are in order of start (`scan_unit`): the parent is
        // among the few beside this one at the same place, so a text full
        // of IBANs costs no look through every hit for each.
        let (start, end, field) = (hits[i].start, hits[i].end, hits[i].field);
        let same_place = |j: &usize| hits[*j].start == start && hits[*j].field == field;
        let parent = (i + 1..hits.len())
            .take_while(same_place)
            .chain((0..i).rev().take_while(same_place))
            .find(|&j| hits[j].detector == from && hits[j].end == end && hits[j].derived.is_none());
        keep[i] = parent.is_some_and(|j| keep[j]);
        if let Some(j) = parent {
            hits[i].confidence = hits[j].confidence;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn span(start: usize, len: usize, field: u32) -> Hit {
        Hit {
            detector: 0,
            start,
            end: start + len,
            field,
            context: false,
            negative: false,
            not_personal: false,
            pairable: true,
            links: true,
            self_supported: false,
            derived: None,
            confidence: Confidence::Low,
            evidence: Vec::new(),
        }
    }

    /// Nearness as defined, one pair at a time: what [`Nearby`] must give.
    fn near(a: &Hit, b: &Hit, scope: Scope, distance: usize, adjacent_fields: bool) -> bool {
        match scope {
            Scope::Record if adjacent_fields => a.field.abs_diff(b.field) <= 1,
            Scope::Record => true,
            Scope::Text => {
                let gap = b
                    .start
                    .saturating_sub(a.end)
                    .max(a.start.saturating_sub(b.end));
                gap <= distance
            }
        }
    }

    proptest! {
        #[test]
        fn nearby_agrees_with_nearness_pair_by_pair(
            candidates in proptest::collection::vec((0usize..400, 0usize..30, 0u32..6), 0..25),
            probe in (0usize..400, 0usize..30, 0u32..6),
            distance in 0usize..120,
            adjacent in any::<bool>(),
        ) {
            let candidates: Vec<Hit> = candidates.into_iter().map(|(s, l, f)| span(s, l, f)).collect();
            let probe = span(probe.0, probe.1, probe.2);
            let index = Nearby::new(candidates.iter());
            for scope in [Scope::Text, Scope::Record] {
                let expected = candidates.iter().any(|c| near(&probe, c, scope, distance, adjacent));
                prop_assert_eq!(index.any_near(&probe, scope, distance, adjacent), expected);
            }
        }
    }

    proptest! {
        /// The hits `UnitHits::near` offers hold every hit over the span,
        /// in the sorted part and among whole values pushed since (in order
        /// or not, taken into the sorted part or not), and after some are removed.
        #[test]
        fn unit_hits_offer_every_hit_over_a_span(
            before in proptest::collection::vec((0usize..400, 0usize..40), 0..30),
            kept in 0usize..5,
            pushed in proptest::collection::vec((0usize..400, 1usize..40), 0..8),
            spans in proptest::collection::vec((0usize..420, 0usize..60), 1..6),
            removed in proptest::collection::vec(any::<prop::sample::Index>(), 0..4),
            resort in any::<bool>(),
        ) {
            // Hits of an earlier unit stay before `first`, untouched.
            let mut out: Vec<Hit> = (0..kept).map(|i| span(i * 7, 3, 0)).collect();
            let first = out.len();
            out.extend(before.into_iter().map(|(s, l)| span(s, l, 0)));
            let mut hits = UnitHits::sort(&mut out, first);
            for (s, l) in pushed {
                hits.push(&mut out, span(s, l, 0));
            }
            if resort {
                hits.sort_tail(&mut out);
            }
            let mut gone: Vec<usize> = removed
                .iter()
                .filter(|_| out.len() > first)
                .map(|i| first + i.index(out.len() - first))
                .collect();
            gone.sort_unstable();
            gone.dedup();
            hits.remove(&mut out, &gone);
            for (s, l) in spans {
                let over = s..s + l;
                let offered: Vec<usize> = hits.near(&out, &over).collect();
                for (i, h) in out.iter().enumerate() {
                    if h.start < over.end && h.end > over.start && i >= first {
                        prop_assert!(offered.contains(&i), "hit {i} {:?} over {over:?}", h.start..h.end);
                    }
                }
                prop_assert!(offered.iter().all(|&i| i >= first && i < out.len()));
            }
        }
    }

    #[test]
    fn nearby_at_the_edges() {
        let index = Nearby::new([span(100, 10, 3)].iter());
        // A gap of exactly the distance is near; one more is not.
        assert!(index.any_near(&span(60, 20, 3), Scope::Text, 20, true));
        assert!(!index.any_near(&span(60, 19, 3), Scope::Text, 20, true));
        assert!(index.any_near(&span(130, 5, 3), Scope::Text, 20, true));
        assert!(!index.any_near(&span(131, 5, 3), Scope::Text, 20, true));
        // Overlapping spans have no gap.
        assert!(index.any_near(&span(105, 50, 9), Scope::Text, 0, true));
        // Fields: the same or an adjacent one, or anywhere in the record.
        assert!(index.any_near(&span(0, 1, 4), Scope::Record, 0, true));
        assert!(!index.any_near(&span(0, 1, 5), Scope::Record, 0, true));
        assert!(index.any_near(&span(0, 1, 5), Scope::Record, 0, false));
        let none = Nearby::new([].iter());
        assert!(!none.any_near(&span(0, 1, 0), Scope::Record, 0, false));
        assert!(!none.any_near(&span(0, 1, 0), Scope::Text, usize::MAX, false));
    }

    fn engine() -> Engine {
        Engine::new(Rules::embedded().unwrap(), Date::new(2026, 1, 1).unwrap()).unwrap()
    }

    fn found(text: &str) -> Vec<(String, String, Confidence)> {
        let e = engine();
        let mut hits = Vec::new();
        e.scan_unit(text.as_bytes(), None, 0, &mut hits);
        e.resolve(&mut hits, Scope::Text);
        hits.iter()
            .map(|h| {
                (
                    e.detector(h.detector).id.clone(),
                    text[h.start..h.end].to_string(),
                    h.confidence,
                )
            })
            .collect()
    }

    fn ids(text: &str) -> Vec<String> {
        found(text).into_iter().map(|(id, _, _)| id).collect()
    }

    /// One detector's findings in `text`: each value and its confidence.
    fn found_by(detector: &str, text: &str) -> Vec<(String, Confidence)> {
        found(text)
            .into_iter()
            .filter(|(id, _, _)| id == detector)
            .map(|(_, value, confidence)| (value, confidence))
            .collect()
    }

    #[test]
    fn nino_confidence_follows_context() {
        assert_eq!(
            found("NI number: AB 12 34 56 C"),
            vec![("uk_nino".into(), "AB 12 34 56 C".into(), Confidence::High)]
        );
        assert_eq!(
            found("ref AB123456C here"),
            vec![("uk_nino".into(), "AB123456C".into(), Confidence::Medium)]
        );
        assert!(ids("for example QQ 12 34 56 C").is_empty());
    }

    /// Names are found whole with their accents and apostrophes (Welsh,
    /// Irish and Polish names; Word's typographic apostrophe), where the
    /// ASCII-only pattern found "Ad" of "Adéyemi" and nothing of "O’Brien".
    #[test]
    fn names_keep_their_accents_and_apostrophes() {
        let names = |text: &str| -> Vec<String> {
            found_by("person_name", text)
                .into_iter()
                .map(|(value, _)| value)
                .collect()
        };
        for (text, name) in [
            ("Dear Ms Adéyemi-Clarke,", "Adéyemi-Clarke"),
            ("Dear Mr Zoë Brontë", "Zoë Brontë"),
            ("Spoke to Mr O\u{2019}Brien today", "O\u{2019}Brien"),
            ("Spoke to Mr D'Arcy today", "D'Arcy"),
            ("Dear Siân,", "Siân"),
            ("Siân Jones called", "Siân Jones"),
            ("Mr Łukasz Kowalczyk called", "Łukasz Kowalczyk"),
            // A listed forename starting outside ASCII, with no title.
            ("then Łukasz Smith called", "Łukasz Smith"),
            ("Zoë Okafor", "Zoë Okafor"),
            ("Dear Mrs Okafor,", "Okafor"),
            // Romanian's comma below, Vietnamese's horn (Latin Extended-B);
            // capitals from Latin Extended-A.
            ("Mrs Ștefania Mureșan called", "Ștefania Mureșan"),
            ("Dear Mr Dương,", "Dương"),
            ("Spoke with Mr ŚLIWA about arrears", "ŚLIWA"),
            ("Mr ŁUKASZEWSKI, flat 2", "ŁUKASZEWSKI"),
            // The gazetteer lists Wójcik as wojcik.
            ("Visit to Łukasz Wójcik at home", "Łukasz Wójcik"),
            ("Mr Ahmed al-Hassan called", "Ahmed al-Hassan"),
            ("Ahmed al-Hassan called", "Ahmed al-Hassan"),
            ("Dear Mr el-Sayed,", "el-Sayed"),
            ("Mr John SMITH-JONES visited", "John SMITH-JONES"),
            ("Jane Smith-Jones attended", "Jane Smith-Jones"),
        ] {
            assert_eq!(names(text), [name], "{text}");
        }
        // A name followed by a digit is the name; a word in lower case is
        // none.
        assert_eq!(names("Dear John2"), ["John"]);
        assert!(names("Dear résumé").is_empty());
    }

    /// Surnames as UK registers write them: Mc and Mac with a capital
    /// after, small words inside, capitals after a title; and no piece of
    /// a longer word, which the pattern's ASCII `\b` could not stop.
    #[test]
    fn names_as_registers_write_them() {
        for (text, name, confidence) in [
            (
                "Spoke with Mr McDonald today.",
                "McDonald",
                Confidence::High,
            ),
            ("Mrs MacLeod called", "MacLeod", Confidence::High),
            (
                "Jane McDonald attended.",
                "Jane McDonald",
                Confidence::Medium,
            ),
            (
                "Ms Fitzgerald-MacKenzie",
                "Fitzgerald-MacKenzie",
                Confidence::High,
            ),
            ("Mr DiMaggio and", "DiMaggio", Confidence::High),
            ("Visited Mrs de Souza at home", "de Souza", Confidence::High),
            ("Dear Mr van der Berg,", "van der Berg", Confidence::High),
            (
                "Maria da Silva attended",
                "Maria da Silva",
                Confidence::Medium,
            ),
            ("Letter to Mr SMITH re arrears", "SMITH", Confidence::High),
            ("Mr J A OKAFOR", "J A OKAFOR", Confidence::High),
            ("Mr McDONALD called", "McDONALD", Confidence::High),
            ("Mrs O'BRIEN", "O'BRIEN", Confidence::High),
            ("Jane SMITH called", "Jane SMITH", Confidence::Medium),
            // Capitals before another name word; a middle forename.
            ("Dear Mr JOHN SMITH,", "JOHN SMITH", Confidence::High),
            ("Mr SMITH JONES called", "SMITH JONES", Confidence::High),
            (
                "Sarah Jane Smith visited",
                "Sarah Jane Smith",
                Confidence::Medium,
            ),
            ("Mary Ann O'Brien", "Mary Ann O'Brien", Confidence::Medium),
            ("met Jane Smith Tuesday", "Jane Smith", Confidence::Medium),
            // A name cut short gives back what the pattern took after it.
            ("Tom Hukins Tony Cook", "Tony Cook", Confidence::Medium),
            // A word in capitals after a title's name ends it, unless it is
            // a listed surname.
            ("Mrs Okafor DOB 1/2/1980", "Okafor", Confidence::High),
            ("Mr Tom JONES", "Tom JONES", Confidence::High),
            ("Mr Smith\u{a0}called", "Smith", Confidence::High),
            ("Mr SMITH\u{a0}called", "SMITH", Confidence::High),
            // Councillors, clergy, professors.
            ("Cllr Patel said", "Patel", Confidence::High),
            ("Dear Rev. John Smith,", "John Smith", Confidence::High),
            ("Prof Alan Turing", "Alan Turing", Confidence::High),
            ("Mrs Okafor's rent", "Okafor", Confidence::High),
            ("Mr McDONALD\u{2019}s son", "McDONALD", Confidence::High),
            // Chinese text sets no space after a name.
            ("由 Mr Smith提供", "Smith", Confidence::High),
        ] {
            assert_eq!(
                found_by("person_name", text),
                [(name.to_string(), confidence)],
                "{text}"
            );
        }
        for text in [
            "Dear JavaScript developers",
            "Dear LaTeX users",
            "Dear HR,",
            "Dear IT Team",
            "Dear ALL",
            "Mrs de",
            "Drawing 12 Rev B Issued",
            "Manual, Rev. DS40002198B",
        ] {
            assert!(found_by("person_name", text).is_empty(), "{text}");
        }
        // Capitals before a code are no name, and do not hide the code.
        for (text, name) in [
            ("Mrs Okafor NI AB123456C", Some("Okafor")),
            ("Jane AB123456C", None),
            ("Mr SMITH AB123456C", Some("SMITH")),
        ] {
            let ids: Vec<(String, String)> = found(text)
                .into_iter()
                .map(|(id, value, _)| (id, value))
                .collect();
            let mut expected: Vec<(String, String)> = name
                .map(|n| ("person_name".to_string(), n.to_string()))
                .into_iter()
                .collect();
            expected.push(("uk_nino".into(), "AB123456C".into()));
            assert_eq!(ids, expected, "{text}");
        }
    }

    /// A name's word glued to a code ("Ab123456C" after "Jane") neither
    /// hides the code nor takes its letters; digits that are no value
    /// leave the name whole.
    #[test]
    fn a_code_after_a_name_word_is_the_code() {
        let values = |text: &str| -> Vec<(String, String)> {
            found(text)
                .into_iter()
                .map(|(id, value, _)| (id, value))
                .collect()
        };
        let email = |e: &str| ("email".to_string(), e.to_string());
        let name = |n: &str| ("person_name".to_string(), n.to_string());
        assert_eq!(
            values("Email Jane Smith1@gmail.com now"),
            [email("Smith1@gmail.com")]
        );
        assert_eq!(
            values("Mr Okafor Okafor12@hotmail.co.uk"),
            [name("Okafor"), email("Okafor12@hotmail.co.uk")]
        );
        assert_eq!(
            values("Mrs Jane Smith.j@gmail.com"),
            [name("Jane"), email("Smith.j@gmail.com")]
        );
        assert_eq!(
            values("Mr Okafor Ola_1@hotmail.co.uk"),
            [name("Okafor"), email("Ola_1@hotmail.co.uk")]
        );
        // Digits or a stop that start no value leave the name whole.
        assert_eq!(values("Mr Smith Jones2 called"), [name("Smith Jones")]);
        assert_eq!(values("Dear Mrs Okafor. Thanks"), [name("Okafor")]);
        // Capitals take the space after them, and another word may follow.
        let nino = |n: &str| ("uk_nino".to_string(), n.to_string());
        assert_eq!(
            values("Mr SMITH NI AB 12 34 56 C on file"),
            [name("SMITH"), nino("AB 12 34 56 C")]
        );
        assert_eq!(
            values("Mr SMITH NI AB-12-34-56-C"),
            [name("SMITH"), nino("AB-12-34-56-C")]
        );
        assert_eq!(values("Mr JOHN SMITH 12 Acacia"), [name("JOHN SMITH")]);
    }

    #[test]
    fn birth_dates_need_their_keyword() {
        assert_eq!(ids("Date of birth: 03/04/1985"), vec!["date_of_birth"]);
        assert_eq!(ids("born on 3rd Apr 1985 in Leeds"), vec!["date_of_birth"]);
        assert!(ids("Tenancy start date: 01/04/2019").is_empty());
        // The keyword belongs to the first date, not the second.
        assert_eq!(ids("DOB 03/04/1985 and 01/04/2019"), vec!["date_of_birth"]);
        assert!(
            ids("DOB: 03/04/2030").is_empty(),
            "future dates are no birth dates"
        );
    }

    #[test]
    fn sort_codes_and_accounts_pair() {
        assert_eq!(
            ids("Bank: 60-16-13 31926819"),
            vec!["uk_sort_code", "uk_bank_account"]
        );
        assert_eq!(ids("sort code 20-45-77"), vec!["uk_sort_code"]);
        assert!(ids("Invoice ref 12-34-56").is_empty());
        assert!(ids("Job no 40012345").is_empty());
        assert_eq!(ids("account number 31926819"), vec!["uk_bank_account"]);
        // Six digits in one run pair with nothing, nor partner an account:
        // an issue number or a count beside a date or an amount.
        assert!(ids("re2 20200501 (closes: #960361)").is_empty());
        assert!(ids("Allocations 526029    10520580").is_empty());
        assert_eq!(
            ids("Sort code 601613 Account 31926819"),
            vec!["uk_sort_code", "uk_bank_account"]
        );
        assert_eq!(
            ids("60 16 13 31926819"),
            vec!["uk_sort_code", "uk_bank_account"]
        );
    }

    #[test]
    fn no_values_in_a_decimals_digits() {
        // A float's fraction, and a version number before a date.
        assert!(ids("sort 3.875451").is_empty());
        assert!(ids("Release 4.01 2019-01-21").is_empty());
        assert!(ids("card 1.4556737586899855").is_empty());
        // A full stop ending the sentence is not a decimal point.
        assert_eq!(ids("sort code 20-45-77."), vec!["uk_sort_code"]);
        assert_eq!(ids("Mobile 07700 900123. Call"), vec!["uk_phone"]);
    }

    #[test]
    fn cards_not_inside_longer_runs() {
        assert_eq!(ids("card 4556 7375 8689 9855"), vec!["payment_card"]);
        assert!(ids("1234 5678 9012 3456 7890").is_empty());
        assert!(ids("ref 9945567375868998551").is_empty());
    }

    #[test]
    fn cards_of_a_retired_length_or_in_links_need_context() {
        for (text, card, confidence) in [
            // A collation table's stroke codes: 13 digits after a 4 pass Luhn.
            (
                "<U000279D2> <U000279D2>;IGNORE # 4111251125234",
                "4111251125234",
                Confidence::Low,
            ),
            ("Visa card 4111251125234", "4111251125234", Confidence::High),
            // A test case's number in a link; the same number in running text.
            (
                "see https://oss-fuzz.com/testcase?id=4556737586899855 for it",
                "4556737586899855",
                Confidence::Low,
            ),
            (
                "paid with 4556737586899855 today",
                "4556737586899855",
                Confidence::Medium,
            ),
            (
                "https://pay.example/charge?card=4556737586899855",
                "4556737586899855",
                Confidence::High,
            ),
        ] {
            assert_eq!(
                found_by("payment_card", text),
                vec![(card.to_string(), confidence)],
                "{text}"
            );
        }
    }

    #[test]
    fn nhs_numbers() {
        assert_eq!(
            found("NHS number 401 023 2137"),
            vec![("nhs_number".into(), "401 023 2137".into(), Confidence::High)]
        );
        assert!(
            ids("NHS number 943 476 5919").is_empty(),
            "documentation's example is in no allocated range"
        );
        assert_eq!(
            found("4010232137"),
            vec![("nhs_number".into(), "4010232137".into(), Confidence::Low)]
        );
        assert!(ids("NHS 401 023 2138").is_empty(), "wrong check digit");
    }

    #[test]
    fn health_terms_link_to_people() {
        let unlinked = found("Our services support people with epilepsy.");
        assert_eq!(
            unlinked,
            vec![("health_term".into(), "epilepsy".into(), Confidence::Low)]
        );
        let linked = found("Tenant (NI AB123456C) has epilepsy.");
        assert!(
            linked.contains(&("health_term".into(), "epilepsy".into(), Confidence::Medium)),
            "{linked:?}"
        );
        assert!(ids("epileptically").is_empty(), "word boundaries");
    }

    /// A word listed in capitals must start with one; a term joined into a
    /// path or a name in code is not the term; a phrase holding the term
    /// names its other sense.
    #[test]
    fn word_list_terms_in_other_senses_are_not_read() {
        let terms =
            |text: &str| -> Vec<String> { found(text).into_iter().map(|(_, v, _)| v).collect() };
        assert_eq!(terms("Mr Okafor is an RMT member."), ["Okafor", "RMT"]);
        assert_eq!(terms("He joined Unison in 2019."), ["Unison"]);
        assert!(terms("rmt -f /dev/nst0; they sang in unison").is_empty());
        // Capitals of three letters only as written; longer ones in title
        // case too, but never mixed.
        assert!(terms("Rmt and Snp; UnIsOn").is_empty());
        assert_eq!(terms("Mr Okafor is UNISON's rep"), ["Okafor", "UNISON"]);
        assert!(terms("see to_stroke.y and snp.s").is_empty());
        assert!(terms("ref/stroke-image.png and https://www.nhs.uk/conditions/stroke/").is_empty());
        assert_eq!(
            terms("Tenant has anxiety/depression"),
            ["anxiety", "depression"]
        );
        assert!(terms("gpg --with-fingerprints").is_empty());
        assert_eq!(terms("a fall--stroke"), ["stroke"]);
        assert_eq!(terms("mail jo@unison.org.uk"), ["jo@unison.org.uk"]);
        assert_eq!(terms("After a stroke. Epilepsy."), ["stroke", "Epilepsy"]);
        assert_eq!(terms("HIV-positive since 2019"), ["HIV"]);
        for other in [
            "Please use caution on the stairs.",
            "Caution marker added for staff visiting.",
            "A word of caution: the lift is out.",
            "Set the stroke width to 2.",
            "\t  include/GL/freeglut.h: Added stroke\n\t  fonts.",
            "Check the host key fingerprints first.",
            "Its SHA-256 fingerprints differ.",
            "The request fell on deaf ears.",
            "The yard is sectioned off.",
            "% Kashmiri language locale for India",
            "language \"Kurdish\"",
            "For correct handling of East Asian half- and full-width characters",
        ] {
            assert!(terms(other).is_empty(), "{other}: {:?}", found(other));
        }
        // Beside the other sense's words, the term's own sense stands.
        assert_eq!(terms("He had a caution for theft."), ["caution"]);
        assert_eq!(
            terms("Fingerprints were taken at the key stage."),
            ["Fingerprints"]
        );
        assert_eq!(terms("She had a stroke in May."), ["stroke"]);
        assert_eq!(terms("Ethnicity: Kashmiri. Language: Urdu"), ["Kashmiri"]);
        assert_eq!(terms("Ethnic group: East Asian"), ["East Asian"]);
    }

    #[test]
    fn a_name_before_its_own_address() {
        let names = |text: &str| found_by("person_name", text);
        let high = |v: &str| vec![(v.to_string(), Confidence::High)];
        assert_eq!(
            names("Cc: Adaeze Nwosu <a.nwosu@example.org>"),
            high("Adaeze Nwosu")
        );
        assert_eq!(
            names("Forwarded from Tobenna Eze <tobenna.eze@example.net> today"),
            high("Tobenna Eze")
        );
        assert_eq!(
            names("To: \"OKONKWO, Chidi\" <chidi.okonkwo@example.org>"),
            high("OKONKWO, Chidi")
        );
        // A listed name found by the pattern takes the address as context.
        assert_eq!(
            names("From: Jane Smith <jane.smith@example.org>"),
            high("Jane Smith")
        );
        // Not the holder's address, or no name's shape.
        assert!(names("Cc: Adaeze Nwosu <repairs@example.org>").is_empty());
        assert!(names("Cc: British Gas <britishgas@example.com>").is_empty());
        assert!(names("Cc: Rent Support <rent.support@example.org>").is_empty());
        // A quote opened on an earlier line is no name's.
        assert!(names("\"Nwosu,\nAdaeze\" <adaeze.nwosu@example.org>").is_empty());
        // A long line of addresses with no names is read, and names none.
        let many = "x <ab.cd@example.org> ".repeat(20_000);
        assert!(names(&many).is_empty());
    }

    #[test]
    fn a_name_after_a_label_in_text_is_a_whole_value() {
        let names = |text: &str| found_by("person_name", text);
        let high = |v: &str| vec![(v.to_string(), Confidence::High)];
        assert_eq!(names("Tenant: SMITH, Jane\n"), high("SMITH, Jane"));
        assert_eq!(names("- Joint tenant: Jane SMITH."), high("Jane SMITH"));
        assert_eq!(
            names("Occupant name: Kowalczyk, Anna (lead)"),
            high("Kowalczyk, Anna")
        );
        // A form's fields on one line, two spaces apart.
        assert_eq!(
            found("Surname: OKAFOR  First name: Chidi  DOB: 01/02/1980"),
            vec![
                ("person_name".into(), "OKAFOR".into(), Confidence::High),
                ("person_name".into(), "Chidi".into(), Confidence::High),
                (
                    "date_of_birth".into(),
                    "01/02/1980".into(),
                    Confidence::High
                ),
            ]
        );
        // The label is context for a name the pattern found, and a piece
        // of a word the pattern found gives way to the whole value.
        assert_eq!(names("Next of kin: Tom Okafor (son)"), high("Tom Okafor"));
        assert_eq!(names("Joint tenant: Jamal WÓJCIK"), high("Jamal WÓJCIK"));
        // Not a label: inside a sentence, or not one a name column has.
        assert!(names("He said the tenant: JANE SMITH").is_empty());
        assert!(names("    familyName: Incomplete").is_empty(), "code");
        // "Name:" is a label written as a form writes it, not as a
        // program's key; its value shows a sign of a person.
        assert_eq!(names("Name: SMITH, Jane"), high("SMITH, Jane"));
        assert_eq!(names("NAME: Chidi OKONKWO"), high("Chidi OKONKWO"));
        assert!(names("  - name: Check MSRV").is_empty(), "a key");
        assert!(names("name : Symbol, MatrixSymbol").is_empty(), "a key");
        assert!(names("Name: Housing Options Team").is_empty());
        assert!(names("Name: GNU Emacs").is_empty(), "an acronym");
        // Not a name: no sign of a person, or prose.
        assert!(names("Payer: Universal Credit").is_empty());
        assert!(names("Tenant: reported damp in the kitchen").is_empty());
        // The person it names links a health term beside it.
        assert!(found("Tenant: SMITH, Jane\nHas epilepsy.").contains(&(
            "health_term".into(),
            "epilepsy".into(),
            Confidence::Medium
        )));
    }

    /// A value derived from one that is ruled out links no one: a phone
    /// number shaped like a CHI number gives no birth date to link with.
    #[test]
    fn a_ruled_out_value_lends_its_derived_values_nothing() {
        let chi = found("Patient CHI 150 385 1230 has epilepsy.");
        assert!(
            chi.contains(&("health_term".into(), "epilepsy".into(), Confidence::Medium)),
            "{chi:?}"
        );
        let phone = found("Tel 150 385 1230 about epilepsy.");
        assert_eq!(
            phone,
            vec![("health_term".into(), "epilepsy".into(), Confidence::Low)],
            "{phone:?}"
        );
    }

    #[test]
    fn contact_details() {
        assert_eq!(ids("mail jane.doe@example.com now"), vec!["email"]);
        assert_eq!(ids("Tel +44 (0)20 7946 0321"), vec!["uk_phone"]);
        assert_eq!(ids("at GIR 0AA"), vec!["uk_postcode"]);
        assert!(ids("call 07700 9001234567").is_empty());
    }

    #[test]
    fn iban_found_and_trimmed() {
        let iban: Vec<String> = found_by("iban", "IBAN GB29 NWBK 6016 1331 9268 19 AND MORE")
            .into_iter()
            .map(|(value, _)| value)
            .collect();
        assert_eq!(iban, ["GB29 NWBK 6016 1331 9268 19"]);
    }

    #[test]
    fn header_context_works_for_fields() {
        let e = engine();
        let dob = e.header_context("DateOfBirth");
        let start = e.header_context("Tenancy Start");
        let mut hits = Vec::new();
        e.scan_unit(b"14/02/1979", Some(&dob), 0, &mut hits);
        e.scan_unit(b"01/09/2015", Some(&start), 1, &mut hits);
        e.resolve(&mut hits, Scope::Record);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].field, 0);
    }

    /// A gender is read whole under its columns and after its labels,
    /// nowhere else; a person in the record makes it theirs.
    #[test]
    fn a_gender_under_its_column_or_label() {
        let e = engine();
        let row = |cells: &[(&str, &str)]| -> Vec<String> {
            let mut hits = Vec::new();
            for (field, (header, cell)) in cells.iter().enumerate() {
                let h = e.header_context(header);
                e.scan_unit(cell.as_bytes(), Some(&h), field as u32, &mut hits);
            }
            e.resolve(&mut hits, Scope::Record);
            hits.iter()
                .filter(|h| e.detector(h.detector).id == "gender")
                .map(|h| {
                    let cell = cells[h.field as usize].1;
                    format!(
                        "{} {:?} {:?}",
                        &cell[h.start..h.end],
                        h.confidence,
                        h.evidence
                    )
                })
                .collect()
        };
        assert_eq!(
            row(&[("Tenant name", "Jane Okafor"), ("Sex", "F")]),
            [r#"F Medium ["listed_gender", "header:sex", "linked:person"]"#]
        );
        assert_eq!(
            row(&[("Gender identity", " Non-binary ")]),
            [r#"Non-binary Low ["listed_gender", "header:gender identity"]"#]
        );
        assert!(row(&[
            ("Tenant name", "Jane Okafor"),
            ("Gender", "Prefer not to say")
        ])
        .is_empty());
        assert!(row(&[("Gender", "M/F")]).is_empty());
        // Not under another column, nor as a word in running text.
        assert!(row(&[("Tenant name", "Jane Okafor"), ("Notes", "F")]).is_empty());
        assert!(found_by("gender", "Jane Okafor, a female tenant, and a man").is_empty());
        // After its label, at a line's start or a form's next field.
        assert_eq!(
            found_by("gender", "Tenant: Jane Okafor\nSex: F, DOB 03/04/1985"),
            [("F".into(), Confidence::Medium)]
        );
        assert_eq!(
            found_by("gender", "Gender identity: Trans woman"),
            [("Trans woman".into(), Confidence::Low)]
        );
        assert_eq!(
            found_by("gender", "Tenant: Jane Okafor\nSex (M/F): F"),
            [("F".into(), Confidence::Medium)]
        );
        assert!(found_by("gender", "Tenant: Jane Okafor\nGender: Male / Female").is_empty());
        assert!(found_by("gender", "Tenant: Jane Okafor\nSex: male or female").is_empty());
    }

    /// The word lists are searched apart from the patterns: a term inside
    /// a pattern's value is a piece of it, as when one search went on
    /// past the value; alone it is read.
    #[test]
    fn a_term_inside_a_value_is_a_piece_of_it() {
        assert!(found_by("sex_life", "Andy Gay\t\tandy@rdl.co.uk\n").is_empty());
        assert_eq!(
            found_by("sex_life", "He said he is gay."),
            [("gay".into(), Confidence::Low)]
        );
        // Values 10..20 and 0..5; terms at 12, 10 (where a value starts),
        // 20 (where one ends) and 3.
        let mut hits = vec![
            span(10, 10, 0),
            span(0, 5, 0),
            span(12, 3, 0),
            span(10, 4, 0),
            span(20, 4, 0),
            span(3, 1, 0),
        ];
        terms_inside_values(&mut hits, 0, 2);
        let spans: Vec<(usize, usize)> = hits.iter().map(|h| (h.start, h.end)).collect();
        assert_eq!(spans, [(10, 20), (0, 5), (10, 14), (20, 24)]);
    }

    /// A name its label or column confirms links a mention beside it, as
    /// one with context of its own does.
    #[test]
    fn a_labelled_name_links() {
        assert!(found("Tenant: Jane Okafor\nHas epilepsy.").contains(&(
            "health_term".into(),
            "epilepsy".into(),
            Confidence::Medium
        )));
    }

    /// Under a column of names, a whole field of a name's shape is a name
    /// though the pattern found none; where it found one, that one alone.
    #[test]
    fn a_name_columns_whole_field_is_a_name() {
        let e = engine();
        let names = |header: &str, cell: &str| -> Vec<String> {
            let h = e.header_context(header);
            let mut hits = Vec::new();
            e.scan_unit(cell.as_bytes(), Some(&h), 0, &mut hits);
            e.resolve(&mut hits, Scope::Record);
            hits.iter()
                .filter(|h| e.detector(h.detector).id == "person_name")
                .map(|h| format!("{} {:?}", &cell[h.start..h.end], h.evidence))
                .collect()
        };
        assert_eq!(
            names("Surname", "Okafor"),
            [r#"Okafor ["name_shape", "header:surname"]"#]
        );
        assert_eq!(
            names("Tenant Name", "SMITH, Jane"),
            [r#"SMITH, Jane ["name_shape", "header:tenant name"]"#]
        );
        assert_eq!(
            names("Tenant Name", "Mrs Jane Smith"),
            [r#"Jane Smith ["name_form", "header:tenant name", "title"]"#]
        );
        // A surname in capitals with an accent is found whole (the
        // pattern once found "Jamal WÓ"), and listed as wojcik; two names
        // found stay two.
        assert_eq!(
            names("Full name", "Jamal WÓJCIK"),
            [r#"Jamal WÓJCIK ["name_form", "header:full name", "gazetteer"]"#]
        );
        assert_eq!(names("Full name", "Jane Smith & Tom Okafor").len(), 2);
        assert!(names("Tenant Name", "Reception").is_empty());
        assert!(names("Surname", "Unknown").is_empty());
        assert!(names("Name", "Repairs Team").is_empty());
        assert!(
            names("Scheme", "Okafor").is_empty(),
            "not a column of names"
        );
        // Care records' columns of people; not software's display names.
        assert_eq!(
            names("Service User", "ABERNETHY Tobias"),
            [r#"ABERNETHY Tobias ["name_shape", "header:service user"]"#]
        );
        assert_eq!(
            names("Tenant 2", "Okoro Adaeze"),
            [r#"Okoro Adaeze ["name_shape", "header:tenant 2"]"#]
        );
        assert!(names("displayName", "Hello world").is_empty());
    }

    #[test]
    fn names_are_read_as_values() {
        let e = engine();
        let id = |name: &str| e.rules.detectors.iter().position(|d| d.id == name);
        // A header's names hold no value; health and belief words are
        // names of columns, not values whose check passes.
        let header = e.read_names(&["Name", "DOB", "NI Number", "Postcode", "Disability"]);
        assert_eq!(
            header,
            NamesRead {
                reported: false,
                values: vec![None; 5]
            }
        );
        // A first row of data: its name is reported, its postcode linked.
        let row = e.read_names(&["Mrs Nia Okafor", "Flat 3 Mill Court", "LS6 2QT"]);
        assert!(row.reported);
        assert_eq!(row.values, [id("person_name"), None, id("uk_postcode")]);
        // A name the gazetteer does not know, among names, is not reported
        // but is still a value; so is a postcode alone.
        let quiet = e.read_names(&["Nia Quorvel", "Rent", "LS6 2QT"]);
        assert!(!quiet.reported);
        assert_eq!(quiet.values, [id("person_name"), None, id("uk_postcode")]);
        assert_eq!(e.read_names::<&str>(&[]).values, []);
    }
}
