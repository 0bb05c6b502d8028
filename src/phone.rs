//! Phone numbers as staff type them, parsed into E.164 once and for all.
//!
//! `PhoneNumber::parse` accepts what people write on a sticky note (`+44 7911 123456`,
//! `+44 (7911) 123-456`, `0044 7911.123456`, and with `DEFAULT_REGION` local formats such as
//! `8 916 123-45-67`) and only returns numbers that libphonenumber considers valid.

use std::collections::HashMap;
use std::fmt;
use std::sync::{LazyLock, Mutex, MutexGuard};

use phonenumber::{Mode, country};

/// What stands for a hidden digit in a masked number.
const MASK: char = '•';

/// How many numbers read back from the database are remembered (see [`PhoneNumber::from_e164`]);
/// past it the memory starts over.
const RECENT: usize = 4096;

/// The numbers read back lately, by their E.164 form.
fn recent() -> MutexGuard<'static, HashMap<String, PhoneNumber>> {
    static RECENT: LazyLock<Mutex<HashMap<String, PhoneNumber>>> = LazyLock::new(Default::default);
    RECENT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A valid phone number, normalised to E.164; or, read back from a record older than
/// `RETENTION_DAYS`, only its masked form ([`PhoneNumber::is_reduced`]).
#[derive(Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    e164: String,
    international: String,
    country_code: u16,
    /// Only the masked form is known: `e164` and `international` hold it too.
    reduced: bool,
}

/// Why a text is not a phone number we can send to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("no phone number given")]
    Empty,
    #[error("the number contains characters other than digits, spaces, dashes, dots and brackets")]
    BadCharacters,
    #[error("the number has no country code")]
    NoCountryCode,
    #[error("not a valid phone number")]
    Invalid,
}

impl PhoneNumber {
    /// Parses a number; `default_region` is used when it has no `+` country code.
    pub fn parse(input: &str, default_region: Option<country::Id>) -> Result<Self, PhoneError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(PhoneError::Empty);
        }
        let allowed = |c: char| {
            c.is_ascii_digit() || c.is_whitespace() || matches!(c, '+' | '-' | '.' | '(' | ')')
        };
        if !input.chars().all(allowed) || input.chars().skip(1).any(|c| c == '+') {
            return Err(PhoneError::BadCharacters);
        }
        // Only the digits count once the prefix is known: libphonenumber reads a text without
        // spaces as a `tel:` URI, where `+447400-123456` would have a country code of `447400`.
        let digits: String = input.chars().filter(char::is_ascii_digit).collect();
        let input = if input.starts_with('+') {
            format!("+{digits}")
        } else if default_region.is_some() {
            digits
        } else if input.starts_with("00") {
            // `00` is the international prefix almost everywhere: `0044…` means `+44…`.
            format!("+{}", &digits[2..])
        } else {
            return Err(PhoneError::NoCountryCode);
        };
        let number = phonenumber::parse(default_region, &input).map_err(|_| PhoneError::Invalid)?;
        if !phonenumber::is_valid(&number) {
            return Err(PhoneError::Invalid);
        }
        let phone = Self::from_number(&number);
        // E.164 allows 15 digits at most; libphonenumber's patterns accept a few longer German
        // numbers that the Gateway would refuse.
        if phone.e164.len() > 16 {
            return Err(PhoneError::Invalid);
        }
        Ok(phone)
    }

    /// A number from a Telegram contact. Telegram's own numbers are international, often
    /// without their `+` (`447911123456`); a card from an address book holds whatever was saved
    /// there (`8 916 123-45-67`), read with `default_region` first when there is one.
    pub fn from_contact(
        input: &str,
        default_region: Option<country::Id>,
    ) -> Result<Self, PhoneError> {
        let input = input.trim();
        let international = || Self::parse(&format!("+{input}"), None);
        if input.starts_with('+') || input.starts_with("00") {
            return Self::parse(input, default_region);
        }
        match default_region {
            Some(_) => {
                Self::parse(input, default_region).or_else(|err| international().map_err(|_| err))
            }
            None => international().or_else(|_| Self::parse(input, None)),
        }
    }

    /// Rebuilds a number stored in E.164 (as the database keeps it). It was validated before it
    /// was stored, so it is parsed but not validated again: validation tries the pattern of every
    /// number type and was most of the cost of formatting a number into a reply. A flow reads
    /// its verification's row several times, so the numbers read lately are remembered
    /// ([`RECENT`]): libphonenumber's parsing and formatting run on regular expressions, and its
    /// cache of them is too small for the numbers of a few countries.
    pub fn from_e164(e164: &str) -> Result<Self, PhoneError> {
        if let Some(known) = recent().get(e164) {
            return Ok(known.clone());
        }
        let number = phonenumber::parse(None, e164).map_err(|_| PhoneError::Invalid)?;
        let phone = Self::from_number(&number);
        let mut recent = recent();
        if recent.len() >= RECENT {
            recent.clear();
        }
        recent.insert(e164.to_owned(), phone.clone());
        Ok(phone)
    }

    fn from_number(number: &phonenumber::PhoneNumber) -> Self {
        PhoneNumber {
            e164: number.format().mode(Mode::E164).to_string(),
            international: number.format().mode(Mode::International).to_string(),
            country_code: number.code().value(),
            reduced: false,
        }
    }

    /// A number as the database keeps it: E.164, or the masked form a record older than
    /// `RETENTION_DAYS` was reduced to (`+44 79•• •••456`, see [`PhoneNumber::masked`]).
    pub fn from_stored(stored: &str) -> Result<Self, PhoneError> {
        if !stored.contains(MASK) {
            return Self::from_e164(stored);
        }
        let country_code = stored
            .trim_start_matches('+')
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|code| code.parse().ok())
            .ok_or(PhoneError::Invalid)?;
        Ok(PhoneNumber {
            e164: stored.to_owned(),
            international: stored.to_owned(),
            country_code,
            reduced: true,
        })
    }

    /// Only the masked form is known (a record older than `RETENTION_DAYS`): every form of it
    /// reads the mask, and it names no one number (nothing is sent to it, nothing looked up by
    /// it).
    pub fn is_reduced(&self) -> bool {
        self.reduced
    }

    /// The masked form of a number stored in E.164, as the database keeps it once reduced; a
    /// stored text that is not a number is masked digit by digit the same way (the first
    /// three and the last three characters stay).
    pub fn mask_stored(stored: &str) -> String {
        match Self::from_stored(stored) {
            Ok(phone) => phone.masked(),
            Err(_) => {
                let count = stored.chars().count();
                stored
                    .chars()
                    .enumerate()
                    .map(|(i, c)| {
                        if i < 3 || i + 3 >= count || !c.is_ascii_digit() {
                            c
                        } else {
                            MASK
                        }
                    })
                    .collect()
            }
        }
    }

    /// `+447911123456`: what the Gateway and the database get.
    pub fn e164(&self) -> &str {
        &self.e164
    }

    /// `+44 7911 123456`: what people read.
    pub fn international(&self) -> &str {
        &self.international
    }

    /// `+44 79•• •••456`: the readable form with the middle digits hidden, for logs and shared
    /// places. The country code, the first two and the last three national digits stay.
    pub fn masked(&self) -> String {
        if self.reduced {
            return self.international.clone();
        }
        let prefix = format!("+{}", self.country_code);
        let national = self.international[prefix.len()..].to_owned();
        let digits = national.chars().filter(char::is_ascii_digit).count();
        let mut seen = 0;
        let masked: String = national
            .chars()
            .map(|c| {
                if !c.is_ascii_digit() {
                    return c;
                }
                seen += 1;
                if seen <= 2 || seen > digits.saturating_sub(3) {
                    c
                } else {
                    MASK
                }
            })
            .collect();
        format!("{prefix}{masked}")
    }
}

/// A number as the database keeps it (E.164, or masked once reduced: see
/// [`PhoneNumber::from_stored`]).
impl TryFrom<String> for PhoneNumber {
    type Error = PhoneError;

    fn try_from(stored: String) -> Result<Self, PhoneError> {
        PhoneNumber::from_stored(&stored)
    }
}

/// Debug shows the masked form, so a stray `{:?}` never leaks a customer's number into a log.
impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e164(input: &str) -> Result<String, PhoneError> {
        PhoneNumber::parse(input, None).map(|p| p.e164().to_owned())
    }

    #[test]
    fn a_number_reduced_to_its_mask_reads_back_as_the_mask_alone() {
        let full = PhoneNumber::from_e164("+447911123456").unwrap();
        let masked = PhoneNumber::mask_stored("+447911123456");
        assert_eq!(masked, full.masked());
        assert_eq!(masked, "+44 79•• •••456");
        let reduced = PhoneNumber::from_stored(&masked).unwrap();
        assert!(reduced.is_reduced() && !full.is_reduced());
        assert_eq!(
            (reduced.e164(), reduced.international(), reduced.masked()),
            (masked.as_str(), masked.as_str(), masked.clone())
        );
        assert_eq!(PhoneNumber::try_from(masked.clone()).unwrap(), reduced);
        // What the audit log's trigger accepts: the same first two and last three characters.
        assert_eq!((&masked[..2], &masked[masked.len() - 3..]), ("+4", "456"));
        assert_eq!(PhoneNumber::mask_stored("12345678"), "123••678");
        assert!(PhoneNumber::from_stored("garbage").is_err());
    }

    #[test]
    fn accepts_what_people_type() {
        for input in [
            "+44 7911 123456",
            "+447911123456",
            " +44-7911-123456 ",
            "+44 (7911) 123.456",
            "0044 7911 123456",
        ] {
            assert_eq!(e164(input).as_deref(), Ok("+447911123456"), "{input}");
        }
    }

    #[test]
    fn formats_for_people() {
        let phone = PhoneNumber::parse("+447911123456", None).unwrap();
        assert_eq!(phone.international(), "+44 7911 123456");
        assert_eq!(phone.masked(), "+44 79•• •••456");
        assert_eq!(format!("{phone:?}"), "PhoneNumber(+44 79•• •••456)");
    }

    #[test]
    fn a_stored_number_reads_back_as_parsed() {
        let typed = PhoneNumber::parse("+44 (7911) 123-456", None).unwrap();
        assert!(PhoneNumber::from_e164(typed.e164()).unwrap() == typed);
        assert_eq!(PhoneNumber::from_e164(""), Err(PhoneError::Invalid));
    }

    #[test]
    fn contact_numbers_are_read_with_or_without_their_plus() {
        let gb = Some(country::Id::GB);
        let ru = Some(country::Id::RU);
        for (input, region, expected) in [
            ("447911123456", None, "+447911123456"),
            ("+447911123456", None, "+447911123456"),
            ("79161234567", None, "+79161234567"),
            ("447911123456", gb, "+447911123456"),
            ("447911123456", ru, "+447911123456"),
            ("07911 123456", gb, "+447911123456"),
            ("8 916 123-45-67", ru, "+79161234567"),
            ("0044 7911 123456", None, "+447911123456"),
        ] {
            let phone = PhoneNumber::from_contact(input, region).unwrap();
            assert_eq!(phone.e164(), expected, "{input} {region:?}");
        }
        assert_eq!(PhoneNumber::from_contact("", None), Err(PhoneError::Empty));
        assert!(PhoneNumber::from_contact("07911 123456", None).is_err());
        assert!(PhoneNumber::from_contact("12", gb).is_err());
    }

    #[test]
    fn local_formats_need_a_default_region() {
        assert_eq!(e164("8 916 123-45-67"), Err(PhoneError::NoCountryCode));
        let phone = PhoneNumber::parse("8 916 123-45-67", Some(country::Id::RU)).unwrap();
        assert_eq!(phone.e164(), "+79161234567");
        let phone = PhoneNumber::parse("07911 123456", Some(country::Id::GB)).unwrap();
        assert_eq!(phone.e164(), "+447911123456");
    }

    #[test]
    fn never_longer_than_e164_allows() {
        let de = Some(country::Id::DE);
        assert_eq!(
            PhoneNumber::parse("4920100000000000", de),
            Err(PhoneError::Invalid)
        );
        assert_eq!(
            PhoneNumber::parse("+49 20100000000000", None),
            Err(PhoneError::Invalid)
        );
    }

    #[test]
    fn rejects_what_is_not_a_valid_number() {
        assert_eq!(e164(""), Err(PhoneError::Empty));
        assert_eq!(e164("   "), Err(PhoneError::Empty));
        assert_eq!(e164("+44 7911 ABCDEF"), Err(PhoneError::BadCharacters));
        assert_eq!(e164("call me"), Err(PhoneError::BadCharacters));
        assert_eq!(e164("+44 +7911"), Err(PhoneError::BadCharacters));
        assert_eq!(e164("+44 12"), Err(PhoneError::Invalid));
        assert_eq!(e164("+1 555 0100"), Err(PhoneError::Invalid));
        assert_eq!(e164("+999 123 456 789"), Err(PhoneError::Invalid));
    }
}

/// Property tests: whatever staff type (or the database holds), parsing never panics, and each
/// text either becomes a valid number or gets its typed error.
#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    const REGIONS: [Option<country::Id>; 5] = [
        None,
        Some(country::Id::GB),
        Some(country::Id::RU),
        Some(country::Id::US),
        Some(country::Id::DE),
    ];

    /// Characters `parse` lets through to libphonenumber.
    fn allowed(c: char) -> bool {
        c.is_ascii_digit() || c.is_whitespace() || matches!(c, '+' | '-' | '.' | '(' | ')')
    }

    /// Characters that are tricky for a parser: separators, Unicode digits and spaces, controls.
    fn tricky_char() -> impl Strategy<Value = char> {
        prop_oneof![
            4 => proptest::char::range('0', '9'),
            2 => prop::sample::select(vec![' ', '+', '-', '.', '(', ')']),
            1 => prop::sample::select(vec![
                '\0', '\t', '\n', '\r', '\u{7f}', '\u{a0}', '\u{2009}', '\u{2028}', '\u{3000}',
                '\u{feff}', '\u{200b}', '０', '９', '٣', '۵', '१', '＋', '－', '/', 'x', '#', '*',
                ',', ';', 'e', 'é', '😀',
            ]),
            1 => any::<char>(),
        ]
    }

    /// Any text: arbitrary Unicode, phone-like strings, tricky characters, and huge inputs.
    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[0-9 +()\\-.]{0,40}",
            "(\\+|00)?[0-9]{1,3}[ \\-.]?[0-9 ()\\-.]{0,30}",
            prop::collection::vec(tricky_char(), 0..60).prop_map(String::from_iter),
            prop::collection::vec(tricky_char(), 1000..5000).prop_map(String::from_iter),
            "[0-9]{100,3000}",
        ]
    }

    /// Numbers libphonenumber holds valid: (country code, region, national prefix, the start
    /// of the national number, how many random digits follow).
    const VALID: [(&str, country::Id, &str, &str, usize); 5] = [
        ("44", country::Id::GB, "0", "7400", 6),
        ("7", country::Id::RU, "8", "916", 7),
        ("49", country::Id::DE, "0", "151", 8),
        ("33", country::Id::FR, "0", "61", 7),
        ("1", country::Id::US, "1", "212", 7),
    ];

    /// A valid number: (its E.164 form, its region, its national prefix, its national digits).
    fn valid_number() -> impl Strategy<Value = (String, country::Id, &'static str, String)> {
        (0..VALID.len()).prop_flat_map(|i| {
            let (cc, region, trunk, start, len) = VALID[i];
            // US subscriber numbers start with 2-9 (0 and 1 are not valid exchange codes).
            let tail = if cc == "1" {
                format!("[2-9][0-9]{{{}}}", len - 1)
            } else {
                format!("[0-9]{{{len}}}")
            };
            proptest::string::string_regex(&tail)
                .expect("a valid regex")
                .prop_map(move |tail| {
                    let national = format!("{start}{tail}");
                    (format!("+{cc}{national}"), region, trunk, national)
                })
        })
    }

    /// `digits` as people write them: a separator (or none) between any two digits.
    fn written(digits: String) -> impl Strategy<Value = String> {
        let n = digits.chars().count();
        prop::collection::vec(
            prop::sample::select(vec!["", "", "", " ", "-", ".", " - "]),
            n,
        )
        .prop_map(move |seps| {
            digits
                .chars()
                .zip(seps)
                .enumerate()
                .map(|(i, (d, sep))| {
                    if i == 0 {
                        d.to_string()
                    } else {
                        format!("{sep}{d}")
                    }
                })
                .collect()
        })
    }

    /// A valid number as typed: (its E.164 form, the region to parse it with, the text).
    /// The text is `+<cc><national>`, `00<cc><national>` or `<national prefix><national>`
    /// (the last with the number's region), with separators between the digits. Unless
    /// `anywhere`, an international form has a separator right after its country code.
    fn written_number(
        anywhere: bool,
    ) -> impl Strategy<Value = (String, Option<country::Id>, String)> {
        let after_cc = prop::sample::select(vec![" ", "-", ".", " - ", "  "]);
        (valid_number(), 0..3u8, after_cc).prop_flat_map(
            move |((e164, region, trunk, national), form, after_cc)| {
                let cc = &e164[1..e164.len() - national.len()];
                let (prefix, digits, region) = match form {
                    0 | 1 if anywhere => (String::new(), format!("{cc}{national}"), None),
                    0 | 1 => (format!("{cc}{after_cc}"), national, None),
                    _ => (String::new(), format!("{trunk}{national}"), Some(region)),
                };
                let plus = match form {
                    0 => "+",
                    1 => "00",
                    _ => "",
                };
                let e164 = e164.clone();
                written(digits)
                    .prop_map(move |body| (e164.clone(), region, format!("{plus}{prefix}{body}")))
            },
        )
    }

    fn padding() -> impl Strategy<Value = String> {
        "[ \t\n]{0,3}"
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any text, with or without a default region: no panic, and the error is the right one
        /// for the obvious cases (blank, characters a number never has, a misplaced `+`).
        #[test]
        fn any_text_parses_or_gets_its_error(
            input in any_text(),
            region in prop::sample::select(REGIONS.to_vec()),
        ) {
            let result = PhoneNumber::parse(&input, region);
            let trimmed = input.trim();
            if trimmed.is_empty() {
                prop_assert_eq!(result, Err(PhoneError::Empty));
            } else if !trimmed.chars().all(allowed) || trimmed.chars().skip(1).any(|c| c == '+') {
                prop_assert_eq!(result, Err(PhoneError::BadCharacters));
            } else {
                match result {
                    Ok(phone) => {
                        let e164 = phone.e164();
                        prop_assert!(e164.starts_with('+'), "{}", e164);
                        prop_assert!(e164[1..].chars().all(|c| c.is_ascii_digit()), "{}", e164);
                        prop_assert!((3..=16).contains(&e164.len()), "{}", e164);
                        // Without a region the number must have said its country.
                        if region.is_none() {
                            prop_assert!(trimmed.starts_with('+') || trimmed.starts_with("00"));
                        }
                        // A parsed number reads back from storage as the same number, and its
                        // masked form can be built.
                        prop_assert!(PhoneNumber::from_e164(e164).as_ref() == Ok(&phone));
                        let _ = phone.masked();
                    }
                    Err(PhoneError::Empty | PhoneError::BadCharacters) => {
                        prop_assert!(false, "{:?} for {:?}", result, input);
                    }
                    Err(PhoneError::NoCountryCode) => {
                        prop_assert!(region.is_none());
                        prop_assert!(!trimmed.starts_with('+') && !trimmed.starts_with("00"));
                    }
                    Err(PhoneError::Invalid) => {}
                }
            }
        }

        /// Without a default region, digits and separators that neither start with `+` nor `00`
        /// have no country code.
        #[test]
        fn no_plus_and_no_region_is_no_country_code(
            input in "[1-9(][0-9 ()\\-.]{0,30}|0[1-9 ()\\-.][0-9 ()\\-.]{0,30}",
        ) {
            prop_assert_eq!(PhoneNumber::parse(&input, None), Err(PhoneError::NoCountryCode));
        }

        /// Arbitrary stored text never panics `from_e164`, nor the masking of what it returns.
        #[test]
        fn from_e164_never_panics(input in any_text()) {
            if let Ok(phone) = PhoneNumber::from_e164(&input) {
                prop_assert!(phone.e164().starts_with('+'), "{}", phone.e164());
                // `masked` cuts the readable form after `+<country code>`.
                let prefix = format!("+{}", phone.country_code);
                let international = phone.international();
                prop_assert!(international.starts_with(&prefix), "{}", international);
                prop_assert!(phone.masked().starts_with(&prefix));
                let _ = format!("{phone:?}");
            }
        }

        /// A valid number, written with `+`, with `00` or in its national form with its region,
        /// with any separators and padding, parses to its E.164 form.
        #[test]
        fn a_valid_number_parses_however_it_is_written(
            (e164, region, input) in written_number(false),
            pad in (padding(), padding()),
        ) {
            let input = format!("{}{input}{}", pad.0, pad.1);
            let phone = PhoneNumber::parse(&input, region);
            let parsed = phone.as_ref().map(PhoneNumber::e164);
            prop_assert_eq!(parsed, Ok(e164.as_str()), "{:?}", input);
            let phone = phone.unwrap();
            prop_assert!(PhoneNumber::from_e164(&e164).as_ref() == Ok(&phone));
            prop_assert!(PhoneNumber::parse(phone.international(), None).as_ref() == Ok(&phone));
        }

        /// The same with the first separator anywhere, e.g. `+447400-123456`: with no space in
        /// it, phonenumber alone would read the text as RFC 3966 and take every digit up to the
        /// first `-`, `.` or bracket as the country code.
        #[test]
        fn a_valid_number_parses_with_its_first_separator_anywhere(
            (e164, region, input) in written_number(true),
        ) {
            let phone = PhoneNumber::parse(&input, region);
            let parsed = phone.as_ref().map(PhoneNumber::e164);
            prop_assert_eq!(parsed, Ok(e164.as_str()), "{:?}", input);
        }

        /// One character a number never has, anywhere in a valid number: `BadCharacters`.
        #[test]
        fn a_foreign_character_is_bad_characters(
            (e164, ..) in valid_number(),
            at in any::<prop::sample::Index>(),
            c in any::<char>().prop_filter("a character parse refuses", |c| !allowed(*c)),
            region in prop::sample::select(REGIONS.to_vec()),
        ) {
            let mut chars: Vec<char> = e164.chars().collect();
            chars.insert(at.index(chars.len() + 1), c);
            let input: String = chars.into_iter().collect();
            let result = PhoneNumber::parse(&input, region);
            prop_assert_eq!(result, Err(PhoneError::BadCharacters), "{:?}", input);
        }

        /// A second `+` anywhere after the first character: `BadCharacters`.
        #[test]
        fn a_second_plus_is_bad_characters((e164, ..) in valid_number(), at in 1..12usize) {
            let mut input = e164.clone();
            input.insert(at.min(input.len()), '+');
            let result = PhoneNumber::parse(&input, None);
            prop_assert_eq!(result, Err(PhoneError::BadCharacters), "{:?}", input);
        }

        /// The masked form shows the country code, the first two and the last three national
        /// digits, and hides every other digit: never the whole national number in clear.
        #[test]
        fn masked_hides_all_but_five_national_digits((e164, _, _, national) in valid_number()) {
            let phone = PhoneNumber::parse(&e164, None).unwrap();
            let masked = phone.masked();
            let international = phone.international();
            let cc = &e164[1..e164.len() - national.len()];
            let prefix = format!("+{cc}");
            prop_assert!(masked.starts_with(&prefix), "{}", masked);
            // Same layout as the readable form, digit for digit or hidden.
            prop_assert_eq!(masked.chars().count(), international.chars().count());
            for (m, i) in masked.chars().zip(international.chars()) {
                let same_or_hidden = m == i || (m == '•' && i.is_ascii_digit());
                prop_assert!(same_or_hidden, "{} vs {}", masked, international);
            }
            let clear: String =
                masked[prefix.len()..].chars().filter(char::is_ascii_digit).collect();
            let hidden = masked.chars().filter(|&c| c == '•').count();
            prop_assert_eq!(clear.len(), national.len().min(5), "{}", masked);
            prop_assert_eq!(hidden, national.len().saturating_sub(5), "{}", masked);
            prop_assert_eq!(&clear[..2], &national[..2]);
            prop_assert_eq!(&clear[clear.len() - 3..], &national[national.len() - 3..]);
            prop_assert!(!masked.contains(&national[2..national.len() - 3]), "{}", masked);
            // Debug prints the masked form only.
            let debug = format!("{phone:?}");
            prop_assert!(!debug.contains(&national) && !debug.contains(international), "{}", debug);
        }
    }
}
