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

    /// Each language's `.ftl` sources, read from disk so that the test sees every message.
    fn sources(lang: Lang) -> String {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(lang.code());
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| std::fs::read_to_string(f).unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Message id → the variables it uses.
    fn messages(lang: Lang) -> BTreeMap<String, BTreeSet<String>> {
        let mut messages: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut current = None;
        for line in sources(lang).lines() {
            let starts_message = line
                .split_once(" =")
                .filter(|(id, _)| {
                    !id.is_empty()
                        && id
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                        && !line.starts_with(' ')
                })
                .map(|(id, _)| id.to_owned());
            if let Some(id) = starts_message {
                assert!(
                    !messages.contains_key(&id),
                    "{} defines {id} twice",
                    lang.code()
                );
                messages.insert(id.clone(), BTreeSet::new());
                current = Some(id);
            } else if line.starts_with('#') || line.trim().is_empty() && current.is_none() {
                continue;
            }
            if let Some(id) = &current {
                let mut rest = line;
                while let Some(at) = rest.find('$') {
                    rest = &rest[at + 1..];
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                        .collect();
                    messages.get_mut(id).unwrap().insert(name);
                }
            }
        }
        messages
    }

    #[test]
    fn every_message_exists_in_every_language_with_the_same_arguments() {
        let en = messages(Lang::En);
        let ru = messages(Lang::Ru);
        assert!(en.len() > 100, "only {} English messages?", en.len());
        let ids = |m: &BTreeMap<String, BTreeSet<String>>| m.keys().cloned().collect::<Vec<_>>();
        assert_eq!(ids(&en), ids(&ru), "the languages have different messages");
        for (id, vars) in &en {
            assert_eq!(
                vars, &ru[id],
                "{id}: English and Russian use different arguments"
            );
        }
        for lang in Lang::ALL {
            for (id, vars) in messages(lang) {
                let args: Vec<Arg<'_>> = vars
                    .iter()
                    .map(|v| (v.as_str(), FluentValue::from(2)))
                    .collect();
                let text = try_text(lang, &id, &args)
                    .unwrap_or_else(|err| panic!("{}: {id}: {err}", lang.code()));
                assert!(!text.contains("{$"), "{}: {id}: {text}", lang.code());
                assert!(
                    !text.contains('\u{2068}'),
                    "{}: {id}: isolation marks",
                    lang.code()
                );
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
        let attempts = |n: u32| text(Lang::Ru, "attempts", &[("count", FluentValue::from(n))]);
        assert_eq!(attempts(1), "1 попытка");
        assert_eq!(attempts(2), "2 попытки");
        assert_eq!(attempts(5), "5 попыток");
        assert_eq!(attempts(21), "21 попытка");
        assert_eq!(attempts(12), "12 попыток");
        assert_eq!(duration(Lang::Ru, 60), "1 минуту");
        assert_eq!(duration(Lang::Ru, 180), "3 минуты");
        assert_eq!(duration(Lang::Ru, 300), "5 минут");
        assert_eq!(duration(Lang::Ru, 90), "1 мин 30 с");
        assert_eq!(duration(Lang::Ru, 3600 + 22), "1 час");
        assert_eq!(duration(Lang::Ru, 20 * 3600 + 42 * 60 + 24), "20 ч 42 мин");
        assert_eq!(duration(Lang::Ru, 2 * 86_400), "2 дня");
        assert_eq!(duration(Lang::En, 90), "1 min 30 s");
        assert_eq!(duration(Lang::En, 20 * 3600 + 42 * 60 + 24), "20 h 42 min");
        assert_eq!(duration(Lang::En, 2 * 86_400 + 3 * 3600 + 5), "2 d 3 h");
        assert_eq!(duration(Lang::En, 0), "0 seconds");
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
