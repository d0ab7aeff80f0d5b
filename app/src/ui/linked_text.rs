//! Message text with help-article addresses (`/help/a/{slug}`) as links, so a handler's reply
//! can point the reporter at an answer that opens on their phone.

use leptos::prelude::*;

pub const ARTICLE_PATH: &str = "/help/a/";

/// A run of `text`: as written, or the slug of an article address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Article(&'a str),
}

fn is_slug_byte(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'
}

/// `text` cut into plain runs and article slugs, in order.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut from = 0;
    while let Some(found) = text[from..].find(ARTICLE_PATH) {
        let at = from + found;
        let slug_start = at + ARTICLE_PATH.len();
        let slug_len = text.as_bytes()[slug_start..]
            .iter()
            .take_while(|b| is_slug_byte(**b))
            .count();
        from = slug_start + slug_len;
        if slug_len == 0 {
            continue;
        }
        if at > start {
            out.push(Piece::Text(&text[start..at]));
        }
        out.push(Piece::Article(&text[slug_start..from]));
        start = from;
    }
    if start < text.len() {
        out.push(Piece::Text(&text[start..]));
    }
    out
}

/// The slugs of the articles `text` points at.
pub fn article_slugs(text: &str) -> Vec<&str> {
    pieces(text)
        .into_iter()
        .filter_map(|piece| match piece {
            Piece::Article(slug) => Some(slug),
            Piece::Text(_) => None,
        })
        .collect()
}

/// `text` with its article addresses as links; the rest as written.
#[component]
pub fn LinkedText(text: String) -> impl IntoView {
    pieces(&text)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(run) => run.to_owned().into_any(),
            Piece::Article(slug) => {
                let path = format!("{ARTICLE_PATH}{slug}");
                let text = path.clone();
                view! {
                    <a href=path class="font-medium underline underline-offset-2" data-testid="article-link">{text}</a>
                }
                .into_any()
            }
        })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_addresses_are_cut_out_of_the_text() {
        assert_eq!(
            pieces("请看《重置密码》/help/a/reset-password，按步骤操作"),
            vec![
                Piece::Text("请看《重置密码》"),
                Piece::Article("reset-password"),
                Piece::Text("，按步骤操作"),
            ]
        );
        assert_eq!(pieces("/help/a/"), vec![Piece::Text("/help/a/")]);
        assert_eq!(
            article_slugs("/help/a/a-1 and /help/a/b2 /help/a/ x"),
            vec!["a-1", "b2"]
        );
        assert_eq!(pieces("no link"), vec![Piece::Text("no link")]);
    }
}
