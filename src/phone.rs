//! Phone numbers as staff type them, parsed into E.164 once and for all.
//!
//! `PhoneNumber::parse` accepts what people write on a sticky note (`+44 7911 123456`,
//! `+44 (7911) 123-456`, `0044 7911.123456`, and with `DEFAULT_REGION` local formats such as
//! `8 916 123-45-67`) and only returns numbers that libphonenumber considers valid.

use std::fmt;

use phonenumber::{Mode, country};

/// A valid phone number, normalised to E.164.
#[derive(Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    e164: String,
    international: String,
    country_code: u16,
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
        // `00` is the international prefix almost everywhere: `0044…` means `+44…`.
        let input = match input.strip_prefix("00") {
            Some(rest) if default_region.is_none() => format!("+{rest}"),
            _ => input.to_owned(),
        };
        if !input.starts_with('+') && default_region.is_none() {
            return Err(PhoneError::NoCountryCode);
        }
        let number = phonenumber::parse(default_region, &input).map_err(|_| PhoneError::Invalid)?;
        if !phonenumber::is_valid(&number) {
            return Err(PhoneError::Invalid);
        }
        Ok(Self::from_number(&number))
    }

    /// Rebuilds a number stored in E.164 (as the database keeps it). It was validated before it
    /// was stored, so it is parsed but not validated again: validation tries the pattern of every
    /// number type and was most of the cost of formatting a number into a reply.
    pub fn from_e164(e164: &str) -> Result<Self, PhoneError> {
        let number = phonenumber::parse(None, e164).map_err(|_| PhoneError::Invalid)?;
        Ok(Self::from_number(&number))
    }

    fn from_number(number: &phonenumber::PhoneNumber) -> Self {
        PhoneNumber {
            e164: number.format().mode(Mode::E164).to_string(),
            international: number.format().mode(Mode::International).to_string(),
            country_code: number.code().value(),
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
                    '•'
                }
            })
            .collect();
        format!("{prefix}{masked}")
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
    fn local_formats_need_a_default_region() {
        assert_eq!(e164("8 916 123-45-67"), Err(PhoneError::NoCountryCode));
        let phone = PhoneNumber::parse("8 916 123-45-67", Some(country::Id::RU)).unwrap();
        assert_eq!(phone.e164(), "+79161234567");
        let phone = PhoneNumber::parse("07911 123456", Some(country::Id::GB)).unwrap();
        assert_eq!(phone.e164(), "+447911123456");
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
