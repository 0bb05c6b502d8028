//! Verification codes as staff type them after hearing them read aloud.

use std::fmt;

/// A code of exactly the expected number of ASCII digits.
#[derive(Clone, PartialEq, Eq)]
pub struct Code(String);

/// Why a message is not a code we can check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// The message is not digits (with spaces, dashes or dots between them).
    #[error("not a code")]
    NotACode,
    /// Digits only, but not as many as the code has.
    #[error("expected {expected} digits, got {got}")]
    WrongLength { expected: usize, got: usize },
}

impl Code {
    /// `123 456`, `123-456`, ` 123456 ` and full-width `１２３４５６` all mean `123456`.
    pub fn parse(input: &str, expected_len: usize) -> Result<Self, CodeError> {
        let mut digits = String::with_capacity(expected_len);
        for c in input.trim().chars() {
            match c {
                '0'..='9' => digits.push(c),
                // Full-width digits, as some phone keyboards produce.
                '０'..='９' => digits.push(char::from(b'0' + (c as u32 - '０' as u32) as u8)),
                ' ' | '-' | '.' | '_' | '\u{a0}' | '\u{2009}' | '\u{2013}' | '\u{2014}' => {}
                _ => return Err(CodeError::NotACode),
            }
        }
        match digits.len() {
            0 => Err(CodeError::NotACode),
            n if n == expected_len => Ok(Code(digits)),
            got => Err(CodeError::WrongLength {
                expected: expected_len,
                got,
            }),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Codes are short-lived secrets: Debug does not print them.
impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Code({} digits)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_what_people_type() {
        for input in [
            "123456",
            "123 456",
            "123-456",
            " 123456 ",
            "12 34 56",
            "１２３４５６",
            "123.456",
        ] {
            assert_eq!(
                Code::parse(input, 6).unwrap().as_str(),
                "123456",
                "{input:?}"
            );
        }
    }

    #[test]
    fn wrong_length_is_reported_with_both_lengths() {
        assert_eq!(
            Code::parse("12345", 6),
            Err(CodeError::WrongLength {
                expected: 6,
                got: 5
            })
        );
        assert_eq!(
            Code::parse("1234 5678", 6),
            Err(CodeError::WrongLength {
                expected: 6,
                got: 8
            })
        );
        assert!(Code::parse("1234", 4).is_ok());
    }

    #[test]
    fn text_is_not_a_code() {
        for input in ["", "   ", "hello", "12a456", "+447911123456", "--"] {
            assert_eq!(Code::parse(input, 6), Err(CodeError::NotACode), "{input:?}");
        }
    }

    #[test]
    fn debug_hides_the_digits() {
        assert_eq!(
            format!("{:?}", Code::parse("123456", 6).unwrap()),
            "Code(6 digits)"
        );
    }
}
