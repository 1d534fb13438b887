//! Charts as server-rendered SVG (no script): a bar chart of labelled
//! counts and a line chart of series over time. Labels go through maud,
//! so they are escaped.

use maud::{html, Markup};

const WIDTH: f64 = 640.0;
const BAR: f64 = 22.0;
const LABEL: f64 = 190.0;

/// Horizontal bars, one per `(label, value)`, scaled to the largest.
pub fn bars(title: &str, rows: &[(String, u64)]) -> Markup {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1) as f64;
    let height = BAR * rows.len().max(1) as f64 + 30.0;
    let room = WIDTH - LABEL - 60.0;
    html! {
        svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"
            viewBox={ "0 0 " (WIDTH) " " (height) } width=(WIDTH) height=(height) {
            title { (title) }
            text x="0" y="14" class="chart-title" { (title) }
            @if rows.is_empty() {
                text x="0" y="40" { "none yet" }
            }
            @for (i, (label, value)) in rows.iter().enumerate() {
                @let y = 24.0 + BAR * i as f64;
                @let w = (*value as f64 / max * room).max(1.0);
                text x=(LABEL - 8.0) y=(y + 15.0) text-anchor="end" { (label) }
                rect x=(LABEL) y=(y + 3.0) width=(w) height=(BAR - 6.0) class="bar" {}
                text x=(LABEL + w + 6.0) y=(y + 15.0) { (value) }
            }
        }
    }
}

/// One line of a line chart.
pub struct Series {
    /// Its name, in the legend.
    pub name: String,
    /// `(x, y)` points, x ascending.
    pub points: Vec<(f64, f64)>,
}

/// Lines over a shared x range (time, labelled by `x_label`), y from 0.
pub fn lines(title: &str, series: &[Series], x_label: impl Fn(f64) -> String) -> Markup {
    let (h, left, bottom, top) = (260.0, 60.0, 30.0, 28.0);
    let xs = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let (x0, x1) = xs.fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)));
    let y1 = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .fold(0.0f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let span = if x1 > x0 { x1 - x0 } else { 1.0 };
    let px = |x: f64| left + (x - x0) / span * (WIDTH - left - 20.0);
    let py = |y: f64| top + (1.0 - y / y1) * (h - top - bottom);
    html! {
        svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"
            viewBox={ "0 0 " (WIDTH) " " (h + 20.0 * series.len() as f64) }
            width=(WIDTH) height=(h + 20.0 * series.len() as f64) {
            title { (title) }
            text x="0" y="14" class="chart-title" { (title) }
            @if series.is_empty() {
                text x="0" y="40" { "none yet" }
            } @else {
                line x1=(left) y1=(py(0.0)) x2=(WIDTH - 20.0) y2=(py(0.0)) class="axis" {}
                line x1=(left) y1=(top) x2=(left) y2=(py(0.0)) class="axis" {}
                text x=(left - 6.0) y=(top + 4.0) text-anchor="end" { (format!("{y1:.2}")) }
                text x=(left - 6.0) y=(py(0.0)) text-anchor="end" { "0" }
                text x=(left) y=(h - 8.0) { (x_label(x0)) }
                text x=(WIDTH - 20.0) y=(h - 8.0) text-anchor="end" { (x_label(x1)) }
                @for (i, s) in series.iter().enumerate() {
                    @let points = s.points.iter()
                        .map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
                        .collect::<Vec<_>>().join(" ");
                    polyline points=(points) class={ "line line" (i % 6) } {}
                    @for &(x, y) in &s.points {
                        circle cx=(format!("{:.1}", px(x))) cy=(format!("{:.1}", py(y))) r="3"
                            class={ "dot line" (i % 6) } {}
                    }
                    text x=(left) y=(h + 14.0 + 20.0 * i as f64) class={ "legend line" (i % 6) } {
                        (s.name)
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_bars_scale() {
        let svg = bars("GPUs", &[("<script>".into(), 10), ("RTX 40".into(), 5)]).into_string();
        assert!(svg.contains("&lt;script&gt;"));
        assert!(!svg.contains("<script>"));
        // The largest bar fills the room, the half one half of it.
        let room = WIDTH - LABEL - 60.0;
        assert!(svg.contains(&format!("width=\"{room}\"")));
        assert!(svg.contains(&format!("width=\"{}\"", room / 2.0)));
    }

    #[test]
    fn lines_draw_every_point() {
        let svg = lines(
            "price",
            &[Series {
                name: "H100".into(),
                points: vec![(0.0, 1.0), (3600.0, 2.0)],
            }],
            |x| format!("{x}"),
        )
        .into_string();
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("<polyline"));
        assert!(lines("none", &[], |x| format!("{x}"))
            .into_string()
            .contains("none yet"));
    }
}
