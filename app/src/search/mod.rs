//! Chinese-aware full-text search. PostgreSQL's `simple` configuration splits text on spaces
//! only, and Chinese has none: text is cut into words with jieba first, both when it is indexed
//! and when it is searched, so a phrase matches whatever order its words come in.

use std::sync::LazyLock;

use jieba_rs::Jieba;

static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Space-separated, lower-cased words of `text`, for `to_tsvector('simple', ...)` and
/// `plainto_tsquery('simple', ...)`. Search mode also emits the shorter words inside long ones
/// ("三方存管" gives "三方" and "存管"), so a query may use either. No HMM guessing: unknown
/// runs then split the same way in a query as in a document.
pub fn segment(text: &str) -> String {
    JIEBA
        .cut_for_search(text, false)
        .into_iter()
        .map(str::trim)
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `%` and `_` typed by a person are letters, not wildcards.
pub fn like_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        segment(text).split(' ').map(str::to_owned).collect()
    }

    #[test]
    fn every_word_of_a_phrase_is_in_the_text_it_comes_from() {
        let text = words("客户三方存管绑定失败，提示无法绑定");
        for word in words("无法绑定三方存管") {
            assert!(text.contains(&word), "{word} missing from {text:?}");
        }
    }

    #[test]
    fn punctuation_goes_and_latin_is_lower_cased() {
        assert_eq!(segment("App 登录，报错 E1001！"), "app 登录 报错 e1001");
    }
}
