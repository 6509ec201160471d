//! Validators: the domain checks that turn a pattern match into a value.
//!
//! Each takes the matched text and answers with the part of it that is a
//! valid value (usually all of it), or `None`.

mod bank;
mod card;
pub mod dates;
pub mod derive;
mod email;
pub mod gender;
mod iban;
mod identity;
pub mod names;
mod nhs;
mod nino;
mod phone;
mod postcode;

use std::ops::Range;

use jiff::civil::Date;

pub use card::luhn_check_digit;
pub use dates::parse_uk_date;

/// What a validator may need beyond the value.
#[derive(Debug, Clone)]
pub struct ValidateCtx {
    /// Dates after this are not birth dates; nor are those over 120 years before.
    pub as_of: Date,
    /// person_name's word lists (its detector's `validator_words` and
    /// `validator_lists`).
    pub names: std::sync::Arc<names::Gazetteer>,
    /// gender's listed values (its detector's `validator_words`).
    pub genders: std::sync::Arc<gender::Genders>,
}

impl ValidateCtx {
    pub fn new(as_of: Date) -> ValidateCtx {
        ValidateCtx {
            as_of,
            names: Default::default(),
            genders: Default::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validator {
    UkNino,
    DateOfBirth,
    UkSortCode,
    UkBankAccount,
    Iban,
    LuhnCard,
    NhsNumber,
    UkPhone,
    UkPostcode,
    Email,
    UkPassport,
    UkDrivingLicence,
    PersonName,
    Gender,
}

impl Validator {
    pub const NAMES: &'static [&'static str] = &[
        "uk_nino",
        "date_of_birth",
        "uk_sort_code",
        "uk_bank_account",
        "iban",
        "luhn_card",
        "nhs_number",
        "uk_phone",
        "uk_postcode",
        "email",
        "uk_passport",
        "uk_driving_licence",
        "person_name",
        "gender",
    ];

    pub fn by_name(name: &str) -> Option<Validator> {
        Some(match name {
            "uk_nino" => Validator::UkNino,
            "date_of_birth" => Validator::DateOfBirth,
            "uk_sort_code" => Validator::UkSortCode,
            "uk_bank_account" => Validator::UkBankAccount,
            "iban" => Validator::Iban,
            "luhn_card" => Validator::LuhnCard,
            "nhs_number" => Validator::NhsNumber,
            "uk_phone" => Validator::UkPhone,
            "uk_postcode" => Validator::UkPostcode,
            "email" => Validator::Email,
            "uk_passport" => Validator::UkPassport,
            "uk_driving_licence" => Validator::UkDrivingLicence,
            "person_name" => Validator::PersonName,
            "gender" => Validator::Gender,
            _ => return None,
        })
    }

    /// What passing says, as a finding's evidence records it.
    pub fn evidence(self) -> &'static str {
        match self {
            Validator::Iban | Validator::LuhnCard => "checksum",
            Validator::NhsNumber => "checksum_and_range",
            Validator::UkNino => "nino_rules",
            Validator::DateOfBirth => "plausible_birth_date",
            Validator::UkSortCode | Validator::UkBankAccount => "bank_format",
            Validator::UkPhone => "numbering_plan",
            Validator::UkPostcode => "postcode_format",
            Validator::Email => "address_format",
            Validator::UkPassport => "passport_format",
            Validator::UkDrivingLicence => "licence_structure",
            Validator::PersonName => "name_form",
            Validator::Gender => "listed_gender",
        }
    }

    /// What a whole value's settling records as its evidence.
    pub fn whole_value_evidence(self) -> &'static str {
        match self {
            Validator::Gender => "listed_gender",
            _ => "name_shape",
        }
    }

    /// The value in a whole field under one of its detector's
    /// `whole_value_headers` (`one_word`: its `whole_value_part_headers`),
    /// for the validators that can judge one: a name column's "Okafor".
    pub fn whole_value(
        self,
        value: &str,
        one_word: bool,
        ctx: &ValidateCtx,
    ) -> Option<Range<usize>> {
        match self {
            Validator::PersonName => names::whole_value(value, one_word, &ctx.names),
            Validator::Gender => gender::whole_value(value, &ctx.genders),
            _ => None,
        }
    }

    /// Whether a name before an address is the address's holder's (see
    /// [`names::named_by_own_address`]).
    pub fn named_by_own_address(self, name: &str, local_part: &str, ctx: &ValidateCtx) -> bool {
        match self {
            Validator::PersonName => names::named_by_own_address(name, local_part, &ctx.names),
            _ => false,
        }
    }

    /// Where the name that ends `text` starts (see
    /// [`names::trailing_name_start`]); the text's end for others.
    pub fn trailing_name_start(self, text: &str, ctx: &ValidateCtx) -> usize {
        match self {
            Validator::PersonName => names::trailing_name_start(text, &ctx.names),
            _ => text.len(),
        }
    }

    /// The value after a label in running text that is one of its
    /// detector's `whole_value_headers` (`one_word`: its
    /// `whole_value_part_headers`): "Tenant: SMITH, Jane".
    pub fn labelled_value(
        self,
        value: &str,
        one_word: bool,
        ctx: &ValidateCtx,
    ) -> Option<Range<usize>> {
        match self {
            Validator::PersonName => names::labelled_value(value, one_word, &ctx.names),
            Validator::Gender => gender::labelled_value(value, &ctx.genders),
            _ => None,
        }
    }

    /// Whether [`Self::whole_value`] judges anything for this validator.
    pub fn judges_whole_values(self) -> bool {
        matches!(self, Validator::PersonName | Validator::Gender)
    }

    /// Valid, but weak evidence of a person: HMRC's administrative NINO
    /// prefixes; with no context of its own, a card number of a length
    /// no longer issued, or one inside a link or a path (`in_link` says
    /// whether it is). Reported at low confidence, and links nothing.
    pub fn weak(
        self,
        value: &str,
        has_context: bool,
        in_link: impl FnOnce() -> bool,
    ) -> Option<&'static str> {
        match self {
            Validator::UkNino if nino::is_administrative(value) => Some("administrative_prefix"),
            Validator::LuhnCard if !has_context && card::is_retired_length(value) => {
                Some("retired_length")
            }
            Validator::LuhnCard if !has_context && in_link() => Some("in_link"),
            _ => None,
        }
    }

    /// A value held inside this one for another detector (`yields` in the
    /// rules): a GB IBAN's sort code and account, an identifier's birth date.
    pub fn derive(self, value: &str, target: &str, ctx: &ValidateCtx) -> Option<String> {
        match (self, target) {
            (Validator::Iban, "uk_sort_code") => derive::gb_iban_bank(value).map(|(s, _)| s),
            (Validator::Iban, "uk_bank_account") => derive::gb_iban_bank(value).map(|(_, a)| a),
            (Validator::NhsNumber, "date_of_birth") => derive::chi_birth_date(value, ctx.as_of),
            (Validator::UkDrivingLicence, "date_of_birth") => {
                derive::licence_birth_date(value, ctx.as_of)
            }
            (Validator::UkNino, "date_of_birth") => {
                derive::temporary_nino_birth_date(value, ctx.as_of)
            }
            _ => None,
        }
    }

    /// The valid part of `value` (as [`Self::validate`]), and evidence in
    /// the value itself that stands for context, judged in the same pass,
    /// with whether it is enough to link other mentions to a person: a
    /// title before a name is ("Mrs Okafor has epilepsy"); a listed
    /// forename and surname alone is not (a newsletter naming a colleague
    /// beside "dementia-friendly garden" is not about that colleague's
    /// health).
    pub fn validate_judged(
        self,
        value: &str,
        ctx: &ValidateCtx,
    ) -> Option<(Range<usize>, Option<SelfEvident>)> {
        match self {
            Validator::PersonName => {
                let (why, range) = names::validate(value, &ctx.names)?;
                let evident = match why {
                    "title" => Some(("title", true)),
                    "gazetteer" => Some(("gazetteer", false)),
                    _ => None,
                };
                Some((range, evident))
            }
            _ => Some((self.validate(value, ctx)?, None)),
        }
    }

    /// The valid part of `value`, as a byte range within it.
    pub fn validate(self, value: &str, ctx: &ValidateCtx) -> Option<Range<usize>> {
        let whole = 0..value.len();
        let ok = match self {
            Validator::UkNino => nino::is_valid(value),
            Validator::DateOfBirth => dates::is_plausible_birth_date(value, ctx.as_of),
            Validator::UkSortCode => bank::is_valid_sort_code(value),
            Validator::UkBankAccount => bank::is_valid_account(value),
            Validator::Iban => return iban::valid_prefix(value),
            Validator::LuhnCard => card::is_valid(value),
            Validator::NhsNumber => nhs::is_valid(value),
            Validator::UkPhone => phone::is_valid(value),
            Validator::UkPostcode => postcode::is_valid(value),
            Validator::Email => email::is_valid(value),
            Validator::UkPassport => identity::is_valid_passport(value),
            Validator::UkDrivingLicence => identity::is_valid_driving_licence(value),
            Validator::PersonName => {
                return names::validate(value, &ctx.names).map(|(_, range)| range)
            }
            // Read only whole, under its columns and labels.
            Validator::Gender => return None,
        };
        ok.then_some(whole)
    }
}

/// Evidence in a value itself that stands for context ("title"), and
/// whether it links other mentions to a person.
pub type SelfEvident = (&'static str, bool);

/// Whether `day` can fall in `month` in some year (29 February allowed: the
/// identifiers that hold a birth date hold no century).
pub fn day_fits_month(day: u8, month: u8) -> bool {
    let days = match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// The ASCII digits of `s`, in order.
fn digits(s: &str) -> Vec<u8> {
    s.bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect()
}

/// Separators between groups are all the same character (or absent):
/// `1234 5678` and `1234-5678` yes, `1234 5678-9012` no.
fn consistent_separators(s: &str) -> bool {
    let mut seps = s.bytes().filter(|b| !b.is_ascii_alphanumeric());
    match seps.next() {
        None => true,
        Some(first) => seps.all(|b| b == first),
    }
}

/// All digits the same, as placeholders are: 0000000000, 11111111.
fn all_same(d: &[u8]) -> bool {
    d.windows(2).all(|w| w[0] == w[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in Validator::NAMES {
            assert!(Validator::by_name(name).is_some(), "{name}");
        }
        assert!(Validator::by_name("nope").is_none());
    }

    #[test]
    fn separators() {
        assert!(consistent_separators("1234 5678 9012"));
        assert!(consistent_separators("12345678"));
        assert!(!consistent_separators("1234 5678-9012"));
    }
}
