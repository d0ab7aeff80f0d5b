//! Article bodies: Markdown rendered with pulldown-cmark, then sanitised with ammonia, so
//! whatever a writer pastes (`<script>`, `onerror=`, `javascript:` links) reaches readers
//! inert. Headings get anchors for the table of contents.

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::Heading;

/// Prefix ammonia puts before every id in an article, so a writer's ids never clash with the
/// page's own.
const ID_PREFIX: &str = "a-";

pub struct Rendered {
    /// Sanitised HTML, safe to insert as is.
    pub html: String,
    /// The `##` and `###` headings, for the table of contents.
    pub headings: Vec<Heading>,
    /// The words a reader sees, without markup: for search and snippets.
    pub plain: String,
}

pub fn render(markdown: &str) -> Rendered {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut events: Vec<Event> = Parser::new_ext(markdown, options).collect();
    let mut headings = Vec::new();
    let mut plain = String::with_capacity(markdown.len());
    let mut open_heading: Option<(usize, u8)> = None;
    let mut heading_text = String::new();
    for index in 0..events.len() {
        match &events[index] {
            Event::Start(Tag::Heading { level, .. }) => {
                let depth = match level {
                    HeadingLevel::H2 => 2,
                    HeadingLevel::H3 => 3,
                    _ => 0,
                };
                if depth > 0 {
                    open_heading = Some((index, depth));
                    heading_text.clear();
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((start, depth)) = open_heading.take() {
                    let anchor = format!("s{}", headings.len() + 1);
                    if let Event::Start(Tag::Heading { id, .. }) = &mut events[start] {
                        *id = Some(CowStr::from(anchor.clone()));
                    }
                    headings.push(Heading {
                        depth,
                        anchor: format!("{ID_PREFIX}{anchor}"),
                        text: heading_text.trim().to_owned(),
                    });
                }
                plain.push('\n');
            }
            Event::Text(text) | Event::Code(text) => {
                if open_heading.is_some() {
                    heading_text.push_str(text);
                }
                plain.push_str(text);
            }
            Event::SoftBreak | Event::HardBreak => plain.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell) => plain.push('\n'),
            _ => {}
        }
    }
    let mut unsafe_html = String::with_capacity(markdown.len() * 2);
    html::push_html(&mut unsafe_html, zoomable(events).into_iter());
    Rendered {
        html: sanitiser().clean(&unsafe_html).to_string(),
        headings,
        plain: plain.trim().to_owned(),
    }
}

/// Each image not already in a link becomes a link to itself: a tap opens it at full size,
/// where the phone's own zoom works, with no script on the page.
fn zoomable(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out = Vec::with_capacity(events.len());
    let mut in_link = 0usize;
    let mut wrapped = false;
    for event in events {
        match &event {
            Event::Start(Tag::Link { .. }) => in_link += 1,
            Event::End(TagEnd::Link) => in_link = in_link.saturating_sub(1),
            Event::Start(Tag::Image { dest_url, .. }) if in_link == 0 => {
                out.push(Event::InlineHtml(CowStr::from(format!(
                    "<a href=\"{}\">",
                    attribute(dest_url)
                ))));
                wrapped = true;
            }
            _ => {}
        }
        let closes = matches!(event, Event::End(TagEnd::Image)) && wrapped;
        out.push(event);
        if closes {
            out.push(Event::InlineHtml(CowStr::from("</a>")));
            wrapped = false;
        }
    }
    out
}

fn attribute(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn sanitiser() -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .add_tag_attributes("h2", ["id"])
        .add_tag_attributes("h3", ["id"])
        .add_tag_attributes("img", ["loading"])
        .id_prefix(Some(ID_PREFIX))
        .link_rel(Some("noopener noreferrer nofollow"));
    builder
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_script_links_render_inert() {
        let rendered = render(
            "# 标题\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n\
             [点我](javascript:alert(3)) <a href=\"javascript:alert(4)\">再点</a>\n\n\
             <iframe src=\"https://evil.example\"></iframe><div style=\"position:fixed\" onclick=\"x()\">块</div>",
        );
        let html = rendered.html.to_lowercase();
        for banned in [
            "<script",
            "alert(1)",
            "onerror",
            "javascript:",
            "<iframe",
            "onclick",
            "style=",
        ] {
            assert!(!html.contains(banned), "{banned} survived in {html}");
        }
        assert!(html.contains("<img src=\"x\""), "{html}");
        assert!(html.contains("点我") && html.contains("块"), "{html}");
    }

    #[test]
    fn headings_get_prefixed_anchors_for_the_table_of_contents() {
        let rendered =
            render("## 问题描述\n\n文字\n\n### 细节 `E01`\n\n## 解决步骤\n\n1. 第一步\n");
        let anchors: Vec<_> = rendered
            .headings
            .iter()
            .map(|h| (h.depth, h.anchor.as_str(), h.text.as_str()))
            .collect();
        assert_eq!(
            anchors,
            vec![
                (2, "a-s1", "问题描述"),
                (3, "a-s2", "细节 E01"),
                (2, "a-s3", "解决步骤")
            ]
        );
        assert!(
            rendered.html.contains("<h2 id=\"a-s1\">问题描述</h2>"),
            "{}",
            rendered.html
        );
        assert!(rendered.html.contains("<ol>"), "{}", rendered.html);
    }

    #[test]
    fn plain_text_has_the_words_without_markup() {
        let rendered = render("## 原因\n\n**资金密码**被锁定，见[说明](/help/a/x)。\n\n| 列 | 值 |\n|---|---|\n| 甲 | 乙 |\n");
        assert!(
            rendered.plain.contains("资金密码被锁定，见说明。"),
            "{}",
            rendered.plain
        );
        assert!(rendered.plain.contains('乙'));
        assert!(!rendered.plain.contains("**") && !rendered.plain.contains("/help/a/x"));
    }

    #[test]
    fn images_open_full_size_unless_already_in_a_link() {
        let html = render("![流程图](/help/images/1)\n\n[![图](/help/images/2)](/help/a/x)\n").html;
        assert!(
            html.contains(r#"<a href="/help/images/1" rel="noopener noreferrer nofollow"><img src="/help/images/1" alt="流程图"></a>"#),
            "{html}"
        );
        assert_eq!(html.matches("<a ").count(), 2, "{html}");
        assert!(html.contains(r#"<a href="/help/a/x""#), "{html}");
    }
}
