//! Help search: the live version of each article is cut into words with jieba (title weighted
//! above tags above body) plus the title's character pairs, which is what lets a partial word
//! or a typo ("股东卡状太") still find "股东卡状态". A query is cut the same way, widened with the
//! team's synonyms at query time (an edit works without re-indexing), and ranked by PostgreSQL.

use std::collections::BTreeSet;

use crate::search::segment;

use super::Fragment;

/// Words people type around a question that say nothing about it.
const FILLER: &[&str] = &[
    "怎么办",
    "怎么",
    "怎样",
    "如何",
    "为什么",
    "为何",
    "什么",
    "哪里",
    "的",
    "了",
    "吗",
    "呢",
    "啊",
    "吧",
    "是",
    "在",
    "我",
    "要",
    "和",
    "与",
    "及",
    "请问",
    "一下",
    "不了",
    "不能",
    "办",
    "咋",
];

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
}

/// Adjacent pairs of Chinese characters, space-separated: "股东卡" gives "股东 东卡".
pub fn character_pairs(text: &str) -> String {
    let mut pairs = Vec::new();
    let mut previous: Option<char> = None;
    for c in text.chars() {
        if is_cjk(c) {
            if let Some(p) = previous {
                pairs.push(format!("{p}{c}"));
            }
            previous = Some(c);
        } else {
            previous = None;
        }
    }
    pairs.join(" ")
}

/// The four weighted parts of an article's index, in the order of the `setweight` calls.
pub struct IndexWords {
    pub title: String,
    pub tags: String,
    pub body: String,
    pub pairs: String,
}

pub fn index_words(title: &str, tags: &[String], plain_body: &str) -> IndexWords {
    IndexWords {
        title: segment(title),
        tags: segment(&tags.join(" ")),
        body: segment(plain_body),
        pairs: character_pairs(title),
    }
}

/// `phrase` with the filler words blanked out, so no character pair straddles one.
fn without_filler(phrase: &str) -> String {
    let mut fillers: Vec<&str> = FILLER.to_vec();
    fillers.sort_by_key(|word| std::cmp::Reverse(word.chars().count()));
    fillers
        .into_iter()
        .fold(phrase.to_owned(), |text, word| text.replace(word, " "))
}

/// A query ready for PostgreSQL, and the words to highlight in what it finds.
#[derive(Debug, PartialEq, Eq)]
pub struct Query {
    /// `to_tsquery('simple', …)` text: any of the words, ranked by how many and where.
    pub tsquery: String,
    /// Every word the reader typed (no synonyms, no character pairs): the closest matches.
    pub all_words: String,
    pub marks: Vec<String>,
}

/// `None` when the query holds no word worth searching for.
pub fn parse(raw: &str, synonyms: &[Vec<String>]) -> Option<Query> {
    let raw = raw.trim().to_lowercase();
    let mut phrases: Vec<String> = vec![raw.clone()];
    for group in synonyms {
        if group
            .iter()
            .any(|word| !word.is_empty() && raw.contains(&word.to_lowercase()))
        {
            phrases.extend(group.iter().map(|word| word.to_lowercase()));
        }
    }
    let mut terms = BTreeSet::new();
    let mut typed = BTreeSet::new();
    let mut marks = BTreeSet::new();
    for (n, phrase) in phrases.iter().enumerate() {
        for word in segment(phrase).split(' ').filter(|w| !w.is_empty()) {
            if FILLER.contains(&word) {
                continue;
            }
            if n == 0 {
                typed.insert(word.to_owned());
            }
            if word.chars().count() > 1 || !word.chars().all(is_cjk) {
                marks.insert(word.to_owned());
            }
            terms.insert(word.to_owned());
        }
        for pair in character_pairs(&without_filler(phrase))
            .split(' ')
            .filter(|w| !w.is_empty())
        {
            terms.insert(pair.to_owned());
        }
    }
    for phrase in &phrases[1..] {
        marks.insert(phrase.clone());
    }
    if terms.is_empty() {
        return None;
    }
    let tsquery = joined(&terms, " | ");
    let all_words = if typed.is_empty() {
        tsquery.clone()
    } else {
        joined(&typed, " & ")
    };
    // Longest first, so "三方存管" is marked whole rather than as "三方" and "存管".
    let mut marks: Vec<String> = marks.into_iter().collect();
    marks.sort_by_key(|mark| std::cmp::Reverse(mark.chars().count()));
    Some(Query {
        tsquery,
        all_words,
        marks,
    })
}

/// Terms quoted for `to_tsquery`, joined by an operator.
fn joined(terms: &BTreeSet<String>, operator: &str) -> String {
    terms
        .iter()
        .map(|term| format!("'{}'", term.replace('\\', "\\\\").replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(operator)
}

/// `text` cut into plain and matched pieces.
pub fn highlight(text: &str, marks: &[String]) -> Vec<Fragment> {
    let lower = text.to_lowercase();
    // Lower-casing can change byte lengths outside ASCII; then highlight nothing rather than
    // cut a character in half.
    if lower.len() != text.len() {
        return vec![Fragment {
            text: text.to_owned(),
            hit: false,
        }];
    }
    let mut fragments = Vec::new();
    let mut plain_from = 0;
    let mut at = 0;
    while at < text.len() {
        let found = marks
            .iter()
            .find(|mark| !mark.is_empty() && lower[at..].starts_with(mark.as_str()));
        match found {
            Some(mark) => {
                if plain_from < at {
                    fragments.push(Fragment {
                        text: text[plain_from..at].to_owned(),
                        hit: false,
                    });
                }
                fragments.push(Fragment {
                    text: text[at..at + mark.len()].to_owned(),
                    hit: true,
                });
                at += mark.len();
                plain_from = at;
            }
            None => at += lower[at..].chars().next().map_or(1, char::len_utf8),
        }
    }
    if plain_from < text.len() {
        fragments.push(Fragment {
            text: text[plain_from..].to_owned(),
            hit: false,
        });
    }
    fragments
}

/// About `width` characters of `text` around its first matched word, highlighted.
pub fn snippet(text: &str, marks: &[String], width: usize) -> Vec<Fragment> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = text.to_lowercase();
    let first = marks
        .iter()
        .filter_map(|mark| lower.find(mark.as_str()))
        .min()
        .filter(|_| lower.len() == text.len())
        .map_or(0, |byte| text[..byte].chars().count());
    let start = first.saturating_sub(width / 4);
    let chars: Vec<char> = text.chars().collect();
    let end = (start + width).min(chars.len());
    let mut window: String = chars[start..end].iter().collect();
    if start > 0 {
        window.insert(0, '…');
    }
    if end < chars.len() {
        window.push('…');
    }
    highlight(&window, marks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_cover_chinese_runs_only() {
        assert_eq!(character_pairs("股东卡 App状态"), "股东 东卡 状态");
        assert_eq!(character_pairs("e1001"), "");
    }

    #[test]
    fn filler_words_are_dropped_and_synonyms_widen_the_query() {
        let synonyms = vec![vec!["两融".to_owned(), "融资融券".to_owned()]];
        let query = parse("两融怎么开户", &synonyms).expect("words");
        for word in ["'两融'", "'融资'", "'融券'", "'开户'"] {
            assert!(
                query.tsquery.contains(word),
                "{word} missing in {}",
                query.tsquery
            );
        }
        assert!(!query.tsquery.contains("'怎么'"), "{}", query.tsquery);
        assert_eq!(query.marks.first().map(String::as_str), Some("融资融券"));
        assert_eq!(parse("怎么办？", &synonyms), None);
    }

    #[test]
    fn quotes_in_a_query_cannot_break_out_of_the_term() {
        let query = parse("a'b\\c | !d", &[]).expect("words");
        assert!(!query.tsquery.contains("'|'"));
        for term in query.tsquery.split(" | ") {
            assert!(term.starts_with('\'') && term.ends_with('\''), "{term}");
        }
    }

    #[test]
    fn highlight_marks_every_occurrence() {
        let marks = vec!["存管".to_owned()];
        let pieces = highlight("三方存管绑定，存管银行", &marks);
        let hits: Vec<_> = pieces
            .iter()
            .filter(|p| p.hit)
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(hits, vec!["存管", "存管"]);
        assert_eq!(
            pieces.iter().map(|p| p.text.as_str()).collect::<String>(),
            "三方存管绑定，存管银行"
        );
    }

    #[test]
    fn snippet_centres_on_the_first_match() {
        let text = format!("{}资金密码{}", "前".repeat(100), "后".repeat(100));
        let pieces = snippet(&text, &["资金密码".to_owned()], 40);
        let joined: String = pieces.iter().map(|p| p.text.as_str()).collect();
        assert!(joined.starts_with('…') && joined.ends_with('…'), "{joined}");
        assert!(pieces.iter().any(|p| p.hit && p.text == "资金密码"));
    }
}
