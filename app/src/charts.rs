//! Charts drawn as SVG text on the server (the service report's, monitoring's): they need no
//! script, print, and scale to any width. Every bar is a link to what it counts.

use std::fmt::Write;

/// One bar of a bar list.
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub href: String,
}

/// One part of a stacked column.
pub struct Segment {
    pub value: i64,
    pub href: String,
}

/// A stacked column: one period of a trend.
pub struct Column {
    pub label: String,
    /// In the order of the series.
    pub segments: Vec<Segment>,
}

/// Names and colours of the parts of a stacked column.
pub struct Series {
    pub label: String,
    pub color: &'static str,
}

/// Colours that keep 3:1 contrast against white (WCAG's figure for graphics).
pub const PALETTE: [&str; 5] = ["#0369a1", "#7c3aed", "#b45309", "#475569", "#be123c"];

const WIDTH: i64 = 640;
const LABEL_WIDTH: i64 = 170;
const ROW: i64 = 26;

/// Text safe inside SVG markup: labels come from data people typed.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Labels longer than a chart's label column are cut with an ellipsis.
fn fit(label: &str, chars: usize) -> String {
    if label.chars().count() <= chars {
        label.to_owned()
    } else {
        let cut: String = label.chars().take(chars.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// The opening tag of a chart `height` high, named `title` for screen readers: `role` is
/// `group` when its parts are links, `img` when it is one picture.
fn open(title: &str, height: i64, role: &str) -> String {
    format!(
        r#"<svg viewBox="0 0 {WIDTH} {height}" width="100%" role="{role}" aria-label="{}" class="max-w-2xl" xmlns="http://www.w3.org/2000/svg">"#,
        escape(title)
    )
}

/// A row of colour swatches naming the series, along the top.
fn legend(svg: &mut String, series: &[Series]) {
    let mut x = 0;
    for s in series {
        let _ = write!(
            svg,
            r##"<rect x="{x}" y="4" width="12" height="12" fill="{color}"/><text x="{tx}" y="15" font-size="12" fill="#334155">{label}</text>"##,
            color = s.color,
            tx = x + 16,
            label = escape(&s.label),
        );
        x += 24 + 13 * s.label.chars().count() as i64;
    }
}

/// Horizontal bars, longest first as given; `title` names the chart for screen readers.
pub fn bar_list(title: &str, bars: &[Bar]) -> String {
    let height = ROW * bars.len().max(1) as i64 + 4;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let room = WIDTH - LABEL_WIDTH - 60;
    let mut svg = open(title, height, "group");
    for (i, bar) in bars.iter().enumerate() {
        let y = i as i64 * ROW + 2;
        let length = (bar.value * room / max).max(if bar.value > 0 { 2 } else { 0 });
        let _ = write!(
            svg,
            r##"<a href="{href}"><title>{label}</title><text x="{lx}" y="{ty}" text-anchor="end" font-size="13" fill="#334155">{short}</text><rect x="{bx}" y="{ry}" width="{length}" height="{bh}" rx="2" fill="{color}"/><text x="{vx}" y="{ty}" font-size="13" fill="#0f172a">{value}</text></a>"##,
            href = escape(&bar.href),
            label = escape(&bar.label),
            value = bar.value,
            lx = LABEL_WIDTH - 8,
            ty = y + 17,
            short = escape(&fit(&bar.label, 12)),
            bx = LABEL_WIDTH,
            ry = y + 4,
            bh = ROW - 8,
            color = PALETTE[0],
            vx = LABEL_WIDTH + length + 6,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Stacked columns over periods, with a legend; each part links to its incidents.
pub fn stacked_columns(title: &str, series: &[Series], columns: &[Column]) -> String {
    let plot_top = 28;
    let plot_height = 180;
    let axis = plot_top + plot_height;
    let height = axis + 24;
    let slot = (WIDTH - 40) / columns.len().max(1) as i64;
    let bar_width = (slot * 3 / 5).max(4);
    let max = columns
        .iter()
        .map(|c| c.segments.iter().map(|s| s.value).sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut svg = open(title, height, "group");
    legend(&mut svg, series);
    let _ = write!(
        svg,
        r##"<line x1="36" y1="{axis}" x2="{WIDTH}" y2="{axis}" stroke="#94a3b8"/><text x="30" y="{top}" text-anchor="end" font-size="11" fill="#475569">{max}</text><text x="30" y="{axis}" text-anchor="end" font-size="11" fill="#475569">0</text>"##,
        top = plot_top + 8,
    );
    for (i, column) in columns.iter().enumerate() {
        let left = 40 + i as i64 * slot + (slot - bar_width) / 2;
        let mut top = axis;
        for (segment, s) in column.segments.iter().zip(series) {
            if segment.value == 0 {
                continue;
            }
            let h = (segment.value * plot_height / max).max(1);
            top -= h;
            let _ = write!(
                svg,
                r#"<a href="{href}" aria-label="{period} {name}: {value}"><rect x="{left}" y="{top}" width="{bar_width}" height="{h}" fill="{color}"/></a>"#,
                href = escape(&segment.href),
                period = escape(&column.label),
                name = escape(&s.label),
                value = segment.value,
                color = s.color,
            );
        }
        let total: i64 = column.segments.iter().map(|s| s.value).sum();
        let _ = write!(
            svg,
            r##"<text x="{cx}" y="{ty}" text-anchor="middle" font-size="11" fill="#0f172a">{total}</text><text x="{cx}" y="{ly}" text-anchor="middle" font-size="11" fill="#475569">{label}</text>"##,
            cx = left + bar_width / 2,
            ty = top - 4,
            ly = axis + 16,
            label = escape(&column.label),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Percentages over periods as lines with a dot per period; `None` leaves a gap.
pub fn rate_lines(
    title: &str,
    series: &[Series],
    labels: &[String],
    values: &[Vec<Option<f64>>],
) -> String {
    let plot_top = 28;
    let plot_height = 160;
    let axis = plot_top + plot_height;
    let height = axis + 24;
    let slot = (WIDTH - 40) / labels.len().max(1) as i64;
    let x_of = |i: usize| 40 + i as i64 * slot + slot / 2;
    let y_of = |v: f64| axis - (v.clamp(0.0, 100.0) * plot_height as f64 / 100.0).round() as i64;
    let mut svg = open(title, height, "img");
    legend(&mut svg, series);
    let _ = write!(
        svg,
        r##"<line x1="36" y1="{axis}" x2="{WIDTH}" y2="{axis}" stroke="#94a3b8"/><line x1="36" y1="{plot_top}" x2="{WIDTH}" y2="{plot_top}" stroke="#e2e8f0"/><text x="30" y="{ty}" text-anchor="end" font-size="11" fill="#475569">100%</text><text x="30" y="{axis}" text-anchor="end" font-size="11" fill="#475569">0</text>"##,
        ty = plot_top + 4,
    );
    for (s, points) in series.iter().zip(values) {
        let mut path = String::new();
        let mut pen_down = false;
        for (i, point) in points.iter().enumerate() {
            match point {
                Some(v) => {
                    let _ = write!(
                        path,
                        "{}{} {} ",
                        if pen_down { "L" } else { "M" },
                        x_of(i),
                        y_of(*v)
                    );
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        let _ = write!(
            svg,
            r#"<path d="{}" fill="none" stroke="{}" stroke-width="2"/>"#,
            path.trim_end(),
            s.color
        );
        for (i, point) in points.iter().enumerate() {
            if let Some(v) = point {
                let _ = write!(
                    svg,
                    r#"<circle cx="{}" cy="{}" r="3" fill="{}"/>"#,
                    x_of(i),
                    y_of(*v),
                    s.color
                );
            }
        }
    }
    for (i, label) in labels.iter().enumerate() {
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" text-anchor="middle" font-size="11" fill="#475569">{}</text>"##,
            x_of(i),
            axis + 16,
            escape(label)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_typed_by_people_cannot_break_out_of_the_markup() {
        let svg = bar_list(
            "t",
            &[Bar {
                label: "<script>alert(1)</script>\"".into(),
                value: 3,
                href: "/console?subcategory=a&b".into(),
            }],
        );
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains(r#"href="/console?subcategory=a&amp;b""#));
    }

    #[test]
    fn bars_scale_to_the_largest_and_every_part_links() {
        let svg = stacked_columns(
            "t",
            &[
                Series {
                    label: "a".into(),
                    color: PALETTE[0],
                },
                Series {
                    label: "b".into(),
                    color: PALETTE[1],
                },
            ],
            &[
                Column {
                    label: "11-16".into(),
                    segments: vec![
                        Segment {
                            value: 2,
                            href: "/x1".into(),
                        },
                        Segment {
                            value: 0,
                            href: "/x2".into(),
                        },
                    ],
                },
                Column {
                    label: "11-23".into(),
                    segments: vec![
                        Segment {
                            value: 1,
                            href: "/y1".into(),
                        },
                        Segment {
                            value: 3,
                            href: "/y2".into(),
                        },
                    ],
                },
            ],
        );
        // Empty parts draw nothing; the others link to their incidents.
        assert!(!svg.contains("/x2"));
        assert_eq!(svg.matches("<a href=").count(), 3);
        // The tallest column (4) fills the plot: 1 and 3 make 45 + 135 = 180.
        assert!(svg.contains(r#"height="45""#) && svg.contains(r#"height="135""#));
    }
}
