//! The page's words: every message of `locales/<lang>/panel.ftl`, rendered for the viewer's
//! language and handed to the page by `GET api/me`. The page itself holds no text.

use std::sync::LazyLock;

use serde_json::{Map, Value};

use crate::i18n::{self, Lang};

/// The ids of `panel.ftl` (the same in every language; the every-text test checks both files).
static IDS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    include_str!("../../locales/en/panel.ftl")
        .lines()
        .filter_map(|line| line.split_once(" ="))
        .map(|(id, _)| id)
        .filter(|id| !id.is_empty() && !id.starts_with(['#', ' ', '.', '*', '[']))
        .collect()
});

/// Every page text in `lang`, by id; `zone` is `TIME_ZONE`'s name (the days the chart counts
/// in).
pub fn all(lang: Lang, zone: &str) -> Map<String, Value> {
    let args = [("zone", zone.into())];
    IDS.iter()
        .map(|id| ((*id).to_owned(), Value::String(i18n::text(lang, id, &args))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_text_is_there_in_both_languages() {
        assert!(IDS.len() > 20, "{:?}", *IDS);
        for lang in Lang::ALL {
            let texts = all(lang, "UTC");
            assert_eq!(texts.len(), IDS.len());
            for id in IDS.iter() {
                let text = i18n::try_text(lang, id, &[("zone", "UTC".into())]);
                assert!(text.is_ok_and(|t| !t.trim().is_empty()), "{id} in {lang:?}");
            }
        }
        assert_ne!(
            all(Lang::En, "UTC")["panel-denied"],
            all(Lang::Ru, "UTC")["panel-denied"]
        );
        assert_eq!(
            all(Lang::En, "Asia/Kolkata")["panel-chart-title"],
            "Codes sent and numbers verified per day (Asia/Kolkata)"
        );
    }
}
