//! Languages: every text the bot shows exists in English and Russian, in `locales/<lang>/*.ftl`
//! (Fluent, embedded at compile time). Each person sees one language: the one they picked with
//! `/language`, else the one their Telegram app reports (`ru*` → Russian, anything else →
//! English), else `DEFAULT_LANGUAGE`.
//!
//! Numbers, money and dates are formatted here for the language; Fluent only picks the plural
//! forms. Unicode isolation marks are off: texts are HTML and start with their outcome emoji.

pub use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, StaticLoader, langid};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

static EN: LanguageIdentifier = langid!("en");
static RU: LanguageIdentifier = langid!("ru");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Lang {
    #[default]
    En,
    Ru,
}

/// A language code the bot does not speak.
#[derive(Debug, thiserror::Error)]
#[error("{0:?} is not a language the bot speaks")]
pub struct UnknownLanguage(String);

/// A code as the database keeps it (`en`, `ru`).
impl TryFrom<String> for Lang {
    type Error = UnknownLanguage;

    fn try_from(code: String) -> Result<Lang, UnknownLanguage> {
        Lang::parse(&code)
            .filter(|lang| lang.code() == code)
            .ok_or(UnknownLanguage(code))
    }
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ru];

    /// `en`, `ru`: stored, in callback data and as Telegram's `language_code`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    /// `en` or `ru` (any case).
    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "ru" => Some(Lang::Ru),
            _ => None,
        }
    }

    /// From Telegram's `language_code` (an IETF tag such as `ru`, `ru-RU`, `en-GB`).
    pub fn from_telegram(code: Option<&str>, default: Lang) -> Lang {
        match code {
            Some(code) if code.to_ascii_lowercase().starts_with("ru") => Lang::Ru,
            Some(code) if !code.trim().is_empty() => Lang::En,
            _ => default,
        }
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Lang::En => &EN,
            Lang::Ru => &RU,
        }
    }
}

/// One argument of a message.
pub type Arg<'a> = (&'a str, FluentValue<'a>);

/// The message `id` in `lang` with `args`. A missing message or argument is a bug the tests
/// catch; at run time it is logged and the text shows `{$name}` where the argument was.
pub fn text(lang: Lang, id: &str, args: &[Arg<'_>]) -> String {
    match try_text(lang, id, args) {
        Ok(text) => text,
        Err(err) => {
            tracing::error!(language = lang.code(), id, "a text is incomplete: {err}");
            #[cfg(test)]
            tests::ERRORS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            fallback(lang, id, args)
        }
    }
}

/// The same, with Fluent's errors.
pub fn try_text(lang: Lang, id: &str, args: &[Arg<'_>]) -> Result<String, String> {
    let map: std::collections::HashMap<&str, FluentValue<'_>> =
        args.iter().map(|(k, v)| (*k, v.clone())).collect();
    loader()
        .lookup_single_language(lang.id(), id, Some(&map))
        .map_err(|err| err.to_string())
}

fn fallback(lang: Lang, id: &str, args: &[Arg<'_>]) -> String {
    use fluent_templates::Loader;
    let map: std::collections::HashMap<std::borrow::Cow<'static, str>, FluentValue<'_>> = args
        .iter()
        .map(|(k, v)| (std::borrow::Cow::Owned(k.to_string()), v.clone()))
        .collect();
    loader()
        .try_lookup_complete(lang.id(), id, Some(&map))
        .unwrap_or_else(|| id.to_owned())
}

fn loader() -> &'static StaticLoader {
    &LOCALES
}

/// `text(lang, "id", name = value, …)` with any value Fluent takes (strings, numbers).
#[macro_export]
macro_rules! tr {
    ($lang:expr, $id:literal) => {
        $crate::i18n::text($lang, $id, &[])
    };
    ($lang:expr, $id:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::text(
            $lang,
            $id,
            &[$((
                stringify!($name),
                $crate::i18n::FluentValue::from($value),
            )),+],
        )
    };
}

// --- formatting -------------------------------------------------------------------------------

/// `$0.01`, `$5.00`; `0,01 $`, `5,00 $`.
pub fn money(lang: Lang, usd: f64) -> String {
    let cents = (usd.abs() * 100.0).round() as u64;
    let sign = if usd < 0.0 && cents > 0 { "-" } else { "" };
    let whole = group_digits(cents / 100, thousands_separator(lang));
    let cents = cents % 100;
    match lang {
        Lang::En => format!("{sign}${whole}.{cents:02}"),
        Lang::Ru => format!("{sign}{whole},{cents:02}\u{a0}$"),
    }
}

/// `85%`; `85 %`.
pub fn percent(lang: Lang, ratio: f64) -> String {
    match lang {
        Lang::En => format!("{:.0}%", ratio * 100.0),
        Lang::Ru => format!("{:.0}\u{a0}%", ratio * 100.0),
    }
}

/// `27 Nov 14:05`; `27.11 14:05`, in the business's time zone, with the year only when it is
/// not this year's (`27 Nov 2025 14:05`, `27.11.2025 14:05`).
pub fn local_time(lang: Lang, at: i64, tz: &jiff::tz::TimeZone) -> String {
    let zoned = |t: i64| {
        jiff::Timestamp::from_second(t)
            .ok()
            .map(|t| t.to_zoned_datetime(tz.clone()))
    };
    let (Some(then), Some(today)) = (zoned(at), zoned(crate::now())) else {
        return String::new();
    };
    let this_year = then.year() == today.year();
    let pattern = match (lang, this_year) {
        (Lang::En, true) => "%d %b %H:%M",
        (Lang::En, false) => "%d %b %Y %H:%M",
        (Lang::Ru, true) => "%d.%m %H:%M",
        (Lang::Ru, false) => "%d.%m.%Y %H:%M",
    };
    then.strftime(pattern).to_string()
}

/// A time of day for people, in the business's time zone, with the zone's abbreviation:
/// `14:05 UTC`, `17:05 MSK`.
pub fn clock(at: i64, tz: &jiff::tz::TimeZone) -> String {
    jiff::Timestamp::from_second(at)
        .map(|t| {
            t.to_zoned_datetime(tz.clone())
                .strftime("%H:%M %Z")
                .to_string()
        })
        .unwrap_or_default()
}

/// A duration the way people say it: one unit in full (`5 minutes`, `1 hour`; `5 минут`, as in
/// «через …»), or the two largest units, short, the rest left out (`20 h 42 min`, `1 min 30 s`;
/// `20 ч 42 мин`).
pub fn duration(lang: Lang, seconds: u32) -> String {
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds % 86_400 / 3600,
        seconds % 3600 / 60,
        seconds % 60,
    );
    let units = [(d, "days"), (h, "hours"), (m, "minutes"), (s, "seconds")];
    let Some(first) = units.iter().position(|(n, _)| *n > 0) else {
        return text(lang, "unit-seconds", &[("count", FluentValue::from(0))]);
    };
    let unit = |(n, name): (u32, &str), short: bool| {
        let id = if short {
            format!("unit-short-{name}")
        } else {
            format!("unit-{name}")
        };
        text(lang, &id, &[("count", FluentValue::from(n))])
    };
    match units.get(first + 1) {
        Some(&second) if second.0 > 0 => {
            format!("{} {}", unit(units[first], true), unit(second, true))
        }
        _ => unit(units[first], false),
    }
}

/// 1234567 → "1,234,567": digits in groups of three, with `separator` between them.
pub fn group_digits(value: u64, separator: char) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// A count for people: `1,234` in English, `1 234` (no-break space) in Russian.
pub fn count(lang: Lang, value: u64) -> String {
    group_digits(value, thousands_separator(lang))
}

/// Between groups of three digits: `,` in English, a no-break space in Russian.
pub fn thousands_separator(lang: Lang) -> char {
    match lang {
        Lang::En => ',',
        Lang::Ru => '\u{a0}',
    }
}

/// Month abbreviations for chart labels.
pub fn months(lang: Lang) -> [String; 12] {
    std::array::from_fn(|i| text(lang, "month-short", &[("month", FluentValue::from(i + 1))]))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped_by_three() {
        assert_eq!(group_digits(0, ','), "0");
        assert_eq!(group_digits(999, ','), "999");
        assert_eq!(group_digits(1000, ','), "1,000");
        assert_eq!(group_digits(u64::from(u32::MAX), ','), "4,294,967,295");
        assert_eq!(count(Lang::Ru, 1234), "1\u{a0}234");
    }
    use std::collections::{BTreeMap, BTreeSet};
    use std::sync::atomic::AtomicUsize;

    /// How many texts failed to render (a missing message or argument), for the text tests.
    pub(crate) static ERRORS: AtomicUsize = AtomicUsize::new(0);

    /// One message of `locales/`, as Fluent's own parser reads it from the files.
    #[derive(Debug, Default)]
    pub(crate) struct Message {
        /// The variables it uses.
        pub vars: BTreeSet<String>,
        /// The variables it selects a variant by, each with its variants' keys.
        pub selectors: BTreeMap<String, BTreeSet<String>>,
    }

    /// Every message of a language, by id, read from its `.ftl` files on disk (not from a list
    /// kept by hand), so that the tests see each message as soon as it is written.
    pub(crate) fn messages(lang: Lang) -> BTreeMap<String, Message> {
        use fluent_syntax::ast::Entry;
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(lang.code());
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no .ftl files for {}", lang.code());
        let mut messages = BTreeMap::new();
        for file in files {
            let source = std::fs::read_to_string(&file).unwrap();
            let resource = fluent_syntax::parser::parse(source.as_str())
                .unwrap_or_else(|(_, errors)| panic!("{}: {errors:?}", file.display()));
            for entry in resource.body {
                match entry {
                    Entry::Message(message) => {
                        let id = message.id.name.to_owned();
                        let mut found = Message::default();
                        if let Some(value) = &message.value {
                            walk_pattern(value, &mut found);
                        }
                        let twice = messages.insert(id.clone(), found).is_some();
                        assert!(!twice, "{} defines {id} twice", lang.code());
                    }
                    Entry::Junk { content } => panic!("{}: junk {content:?}", file.display()),
                    _ => {}
                }
            }
        }
        messages
    }

    fn walk_pattern(pattern: &fluent_syntax::ast::Pattern<&str>, found: &mut Message) {
        use fluent_syntax::ast::PatternElement;
        for element in &pattern.elements {
            if let PatternElement::Placeable { expression } = element {
                walk_expression(expression, found);
            }
        }
    }

    fn walk_expression(expression: &fluent_syntax::ast::Expression<&str>, found: &mut Message) {
        use fluent_syntax::ast::{Expression, InlineExpression, VariantKey};
        match expression {
            Expression::Select { selector, variants } => {
                walk_inline(selector, found);
                if let InlineExpression::VariableReference { id } = selector {
                    let keys = found.selectors.entry(id.name.to_owned()).or_default();
                    keys.extend(variants.iter().map(|variant| match variant.key {
                        VariantKey::Identifier { name } => name.to_owned(),
                        VariantKey::NumberLiteral { value } => value.to_owned(),
                    }));
                }
                for variant in variants {
                    walk_pattern(&variant.value, found);
                }
            }
            Expression::Inline(inline) => walk_inline(inline, found),
        }
    }

    fn walk_inline(inline: &fluent_syntax::ast::InlineExpression<&str>, found: &mut Message) {
        use fluent_syntax::ast::InlineExpression;
        match inline {
            InlineExpression::VariableReference { id } => {
                found.vars.insert(id.name.to_owned());
            }
            InlineExpression::Placeable { expression } => walk_expression(expression, found),
            InlineExpression::FunctionReference { arguments, .. }
            | InlineExpression::TermReference {
                arguments: Some(arguments),
                ..
            } => {
                let named = arguments.named.iter().map(|named| &named.value);
                for argument in arguments.positional.iter().chain(named) {
                    walk_inline(argument, found);
                }
            }
            _ => {}
        }
    }

    /// Arguments that together show every variant of a message, in each language it is given
    /// in: every variable set to 2, then each variable it selects by, in turn, set to each key
    /// of its variants and to numbers of every plural form of both languages (0, 1, 2, 5, 21).
    pub(crate) fn samples(message: &[&Message]) -> Vec<Vec<(String, FluentValue<'static>)>> {
        let vars: BTreeSet<&String> = message.iter().flat_map(|m| &m.vars).collect();
        let base: Vec<(String, FluentValue<'static>)> = vars
            .iter()
            .map(|var| (var.to_string(), FluentValue::from(2)))
            .collect();
        let mut samples = vec![base.clone()];
        let mut selectors: BTreeMap<&String, BTreeSet<&String>> = BTreeMap::new();
        for m in message {
            for (var, keys) in &m.selectors {
                selectors.entry(var).or_default().extend(keys);
            }
        }
        const PLURAL_FORMS: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];
        for (var, keys) in selectors {
            let numbers = [0, 1, 2, 5, 21].map(FluentValue::from);
            let keys = keys
                .into_iter()
                .filter(|key| !PLURAL_FORMS.contains(&key.as_str()))
                .map(|key| match key.parse::<f64>() {
                    Ok(number) => FluentValue::from(number),
                    Err(_) => FluentValue::from(key.clone()),
                });
            for value in numbers.into_iter().chain(keys) {
                let mut args = base.clone();
                for (name, at) in &mut args {
                    if name == var {
                        *at = value.clone();
                    }
                }
                samples.push(args);
            }
        }
        samples
    }

    /// A message rendered with the arguments of a sample; a Fluent error fails the test.
    pub(crate) fn render(
        lang: Lang,
        id: &str,
        sample: &[(String, FluentValue<'static>)],
    ) -> String {
        let args: Vec<Arg<'_>> = sample
            .iter()
            .map(|(name, value)| (name.as_str(), value.clone()))
            .collect();
        try_text(lang, id, &args).unwrap_or_else(|err| panic!("{}: {id}: {err}", lang.code()))
    }

    #[test]
    fn every_message_exists_in_every_language_with_the_same_arguments() {
        let en = messages(Lang::En);
        let ru = messages(Lang::Ru);
        assert!(en.len() > 100, "only {} English messages?", en.len());
        let ids = |m: &BTreeMap<String, Message>| m.keys().cloned().collect::<Vec<_>>();
        assert_eq!(ids(&en), ids(&ru), "the languages have different messages");
        for (id, message) in &en {
            let russian = &ru[id];
            assert_eq!(
                message.vars, russian.vars,
                "{id}: English and Russian use different arguments"
            );
            for sample in samples(&[message, russian]) {
                for lang in Lang::ALL {
                    let text = render(lang, id, &sample);
                    assert!(!text.contains("{$"), "{}: {id}: {text}", lang.code());
                    assert!(
                        !text.contains('\u{2068}'),
                        "{}: {id}: isolation marks",
                        lang.code()
                    );
                }
            }
        }
    }

    #[test]
    fn a_missing_argument_is_an_error() {
        assert!(try_text(Lang::En, "unit-minutes", &[]).is_err());
        assert!(try_text(Lang::Ru, "no-such-message", &[]).is_err());
    }

    #[test]
    fn russian_plural_forms_are_right() {
        // A no-break space between a number and its unit (`nb`), a plain one between parts.
        let nb = |text: &str| text.replace('~', "\u{a0}");
        let days = |n: u32| duration(Lang::Ru, n * 86_400);
        assert_eq!(days(1), nb("1~день"));
        assert_eq!(days(2), nb("2~дня"));
        assert_eq!(days(5), nb("5~дней"));
        assert_eq!(days(21), nb("21~день"));
        assert_eq!(days(12), nb("12~дней"));
        assert_eq!(duration(Lang::Ru, 60), nb("1~минуту"));
        assert_eq!(duration(Lang::Ru, 180), nb("3~минуты"));
        assert_eq!(duration(Lang::Ru, 300), nb("5~минут"));
        assert_eq!(duration(Lang::Ru, 90), nb("1~мин 30~с"));
        assert_eq!(duration(Lang::Ru, 3600 + 22), nb("1~час"));
        assert_eq!(
            duration(Lang::Ru, 20 * 3600 + 42 * 60 + 24),
            nb("20~ч 42~мин")
        );
        assert_eq!(duration(Lang::En, 90), nb("1~min 30~s"));
        assert_eq!(
            duration(Lang::En, 20 * 3600 + 42 * 60 + 24),
            nb("20~h 42~min")
        );
        assert_eq!(duration(Lang::En, 2 * 86_400 + 3 * 3600 + 5), nb("2~d 3~h"));
        assert_eq!(duration(Lang::En, 0), nb("0~seconds"));
    }

    #[test]
    fn numbers_money_and_dates_follow_the_language() {
        assert_eq!(money(Lang::En, 0.01), "$0.01");
        assert_eq!(money(Lang::Ru, 0.01), "0,01\u{a0}$");
        assert_eq!(money(Lang::Ru, 5.0), "5,00\u{a0}$");
        assert_eq!(money(Lang::Ru, 1234.5), "1\u{a0}234,50\u{a0}$");
        assert_eq!(money(Lang::En, 1234.5), "$1,234.50");
        assert_eq!(percent(Lang::En, 0.5), "50%");
        assert_eq!(percent(Lang::Ru, 0.5), "50\u{a0}%");
        let at = 1_795_788_300; // 2026-11-27 14:05:00 UTC
        assert_eq!(
            local_time(Lang::En, at - 366 * 86_400, &jiff::tz::TimeZone::UTC),
            "26 Nov 2025 14:05"
        );
        assert_eq!(
            local_time(Lang::Ru, at - 366 * 86_400, &jiff::tz::TimeZone::UTC),
            "26.11.2025 14:05"
        );
        assert_eq!(months(Lang::Ru)[10], "ноя");
        assert_eq!(months(Lang::En)[0], "Jan");
    }

    #[test]
    fn the_language_comes_from_telegram_or_the_default() {
        assert_eq!(Lang::from_telegram(Some("ru"), Lang::En), Lang::Ru);
        assert_eq!(Lang::from_telegram(Some("ru-RU"), Lang::En), Lang::Ru);
        assert_eq!(Lang::from_telegram(Some("en-GB"), Lang::Ru), Lang::En);
        assert_eq!(Lang::from_telegram(Some("de"), Lang::Ru), Lang::En);
        assert_eq!(Lang::from_telegram(None, Lang::Ru), Lang::Ru);
        assert_eq!(Lang::from_telegram(Some(""), Lang::Ru), Lang::Ru);
        assert_eq!(Lang::parse("RU"), Some(Lang::Ru));
        assert_eq!(Lang::parse("fr"), None);
    }
}
