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

/// Property tests: whatever staff type as a code, parsing never panics; it is the code's digits
/// or a typed error with the right count.
#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    /// What may stand between the digits of a code.
    const SEPARATORS: [char; 8] = [
        ' ', '-', '.', '_', '\u{a0}', '\u{2009}', '\u{2013}', '\u{2014}',
    ];

    /// The digits a text holds, ASCII or full-width, as ASCII.
    fn digits_of(text: &str) -> String {
        text.chars()
            .filter_map(|c| match c {
                '0'..='9' => Some(c),
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
                _ => None,
            })
            .collect()
    }

    fn tricky_char() -> impl Strategy<Value = char> {
        prop_oneof![
            4 => proptest::char::range('0', '9'),
            2 => prop::sample::select(SEPARATORS.to_vec()),
            1 => proptest::char::range('０', '９'),
            1 => prop::sample::select(vec![
                '\0', '\t', '\n', '\r', '\u{7f}', '\u{2028}', '\u{3000}', '\u{feff}', '\u{200b}',
                '٣', '۵', '१', '¹', '½', 'Ⅷ', '+', '/', '#', 'O', 'l', 'é', '😀',
            ]),
            1 => any::<char>(),
        ]
    }

    /// Any text: arbitrary Unicode, code-like strings, tricky characters, and huge inputs.
    fn any_text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[0-9 .\\-_]{0,20}",
            prop::collection::vec(tricky_char(), 0..30).prop_map(String::from_iter),
            prop::collection::vec(tricky_char(), 1000..5000).prop_map(String::from_iter),
            "[0-9]{1000,5000}",
        ]
    }

    /// `digits` written with separators between them (some digits full-width) and padding.
    fn written(digits: Vec<u8>) -> impl Strategy<Value = String> {
        let n = digits.len();
        (
            prop::collection::vec(
                prop::collection::vec(prop::sample::select(SEPARATORS.to_vec()), 0..3),
                n,
            ),
            prop::collection::vec(any::<bool>(), n),
            "[ \t\n\u{a0}]{0,3}",
            "[ \t\n\u{a0}]{0,3}",
        )
            .prop_map(move |(seps, wide, before, after)| {
                let mut text = before;
                for (i, d) in digits.iter().enumerate() {
                    if i > 0 {
                        text.extend(&seps[i]);
                    }
                    let base = if wide[i] { '０' } else { '0' };
                    text.push(char::from_u32(base as u32 + u32::from(*d)).unwrap());
                }
                text + &after
            })
    }

    /// A code of `len` digits and how it was typed.
    fn typed_code(len: std::ops::Range<usize>) -> impl Strategy<Value = (String, String)> {
        prop::collection::vec(0..10u8, len).prop_flat_map(|digits| {
            let ascii: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
            (Just(ascii), written(digits))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any text, any expected length: no panic; a code is exactly the text's digits, and
        /// `WrongLength` counts them.
        #[test]
        fn any_text_parses_or_gets_its_error(input in any_text(), expected in 0..12usize) {
            let digits = digits_of(&input);
            match Code::parse(&input, expected) {
                Ok(code) => {
                    prop_assert_eq!(code.as_str(), digits.as_str());
                    prop_assert_eq!(code.as_str().len(), expected);
                }
                Err(CodeError::WrongLength { expected: e, got }) => {
                    prop_assert_eq!(e, expected);
                    prop_assert_eq!(got, digits.chars().count());
                    prop_assert_ne!(got, expected);
                    prop_assert!(got > 0);
                }
                Err(CodeError::NotACode) => {
                    let other = input.trim().chars().any(|c| {
                        digits_of(&c.to_string()).is_empty() && !SEPARATORS.contains(&c)
                    });
                    prop_assert!(other || digits.is_empty(), "{:?}", input);
                }
            }
        }

        /// A code of the expected length, however it is typed, is its ASCII digits.
        #[test]
        fn a_typed_code_of_the_right_length_is_its_digits(
            ((digits, typed), len) in
                (4..=8usize).prop_flat_map(|len| (typed_code(len..len + 1), Just(len))),
        ) {
            let code = Code::parse(&typed, len);
            prop_assert_eq!(code.as_ref().map(Code::as_str), Ok(digits.as_str()), "{:?}", typed);
            // Debug never shows the code.
            let debug = format!("{:?}", code.unwrap());
            prop_assert!(!debug.contains(&digits), "{}", debug);
        }

        /// Digits only, but not as many as expected: `WrongLength` with both counts.
        #[test]
        fn the_wrong_number_of_digits_is_wrong_length(
            (_, typed) in typed_code(1..20),
            expected in 4..=8usize,
        ) {
            let got = digits_of(&typed).len();
            prop_assume!(got != expected);
            prop_assert_eq!(
                Code::parse(&typed, expected),
                Err(CodeError::WrongLength { expected, got }),
                "{:?}",
                typed
            );
        }

        /// One character that is neither a digit nor a separator, among the digits: `NotACode`.
        #[test]
        fn a_foreign_character_is_not_a_code(
            (_, typed) in typed_code(2..9),
            at in any::<prop::sample::Index>(),
            c in any::<char>().prop_filter("neither digit nor separator", |c| {
                !c.is_ascii_digit() && !('０'..='９').contains(c) && !SEPARATORS.contains(c)
            }),
            expected in 1..=9usize,
        ) {
            // Between the first and the last digit, so that `trim` cannot drop it.
            let chars: Vec<char> = typed.chars().collect();
            let first = chars.iter().position(|c| !c.is_whitespace()).unwrap();
            let last = chars.iter().rposition(|c| !c.is_whitespace()).unwrap();
            let at = first + 1 + at.index(last - first);
            let mut chars = chars;
            chars.insert(at, c);
            let input: String = chars.into_iter().collect();
            prop_assert_eq!(Code::parse(&input, expected), Err(CodeError::NotACode), "{:?}", input);
        }

        /// Separators and spaces without a digit: `NotACode`, never `WrongLength { got: 0 }`.
        #[test]
        fn separators_alone_are_not_a_code(
            text in prop::collection::vec(prop::sample::select(SEPARATORS.to_vec()), 0..20),
            expected in 0..=9usize,
        ) {
            let text: String = text.into_iter().collect();
            prop_assert_eq!(Code::parse(&text, expected), Err(CodeError::NotACode));
        }
    }
}
