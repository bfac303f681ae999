//! Hand-made inline SVG charts of the run report: grouped bars, box plots on a log scale,
//! dot-and-whisker charts. Plain SVG (no script, no external resource); every text escaped;
//! non-finite values are skipped (and said "n.d." / "n/a" in place).

use super::Lang;
use super::labels::{fixed, na, number, percent};
use crate::report::html::escape;
use crate::tolerance as tol;
use std::fmt::Write;

/// Colours of the series (Tableau 10, colour-blind friendly enough for 2–4 series).
pub const PALETTE: [&str; 4] = ["#4c78a8", "#f58518", "#54a24b", "#b279a2"];

/// An SVG element sized `w` × `h` with a title line and an accessible label.
pub(crate) fn open(w: f64, h: f64, title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" \
         viewBox=\"0 0 {w:.0} {h:.0}\" role=\"img\" aria-label=\"{t}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" \
         fill=\"#fff\"/>\n<text x=\"{x:.1}\" y=\"20\" text-anchor=\"middle\" font-size=\"15\" \
         font-weight=\"bold\">{t}</text>\n",
        t = escape(title),
        x = w / 2.0
    )
}

/// A text element.
pub(crate) fn text(s: &mut String, x: f64, y: f64, anchor: &str, extra: &str, t: &str) {
    let _ = writeln!(
        s,
        "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\"{extra}>{}</text>",
        escape(t)
    );
}

/// A line element with extra attributes `style`.
pub(crate) fn line(s: &mut String, x1: f64, y1: f64, x2: f64, y2: f64, style: &str) {
    let _ =
        writeln!(s, "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" {style}/>");
}

/// About `n` round tick values covering [lo, hi] (1, 2, 5 × 10^k steps).
pub(crate) fn nice_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo {
        return vec![lo];
    }
    let raw = (hi - lo) / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// One category of a grouped bar chart: its label and one value per series (NaN: none).
pub struct BarGroup {
    /// Category label.
    pub label: String,
    /// Values per series.
    pub values: Vec<f64>,
    /// Text under the label (e.g. a factor), if any.
    pub note: Option<String>,
}

/// Vertical grouped bars of proportions (shown in percent, one decimal) on a 0–100 % axis.
pub fn bar_chart(
    lang: Lang,
    title: &str,
    y_label: &str,
    series: &[&str],
    groups: &[BarGroup],
) -> String {
    let (left, right, top, bottom) = (60.0, 20.0, 60.0, 60.0);
    let slot = (560.0 / groups.len().max(1) as f64).clamp(50.0, 140.0);
    let w = left + right + slot * groups.len() as f64;
    let w = w.max(360.0);
    let h = 320.0;
    let ph = h - top - bottom;
    let ymax = groups
        .iter()
        .flat_map(|g| g.values.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max)
        .clamp(0.05, 1.0);
    let ymax = (ymax * 1.15).min(1.0);
    let y = |v: f64| top + ph * (1.0 - v / ymax);
    let mut s = open(w, h, title);
    // Legend.
    let mut lx = left;
    for (k, name) in series.iter().enumerate() {
        let _ = writeln!(
            s,
            "<rect x=\"{lx:.1}\" y=\"32\" width=\"12\" height=\"12\" fill=\"{}\"/>",
            PALETTE[k % PALETTE.len()]
        );
        text(&mut s, lx + 16.0, 42.0, "start", "", name);
        lx += 30.0 + 7.0 * name.chars().count() as f64;
    }
    for t in nice_ticks(0.0, ymax, 5) {
        line(&mut s, left, y(t), w - right, y(t), "stroke=\"#ddd\"");
        text(&mut s, left - 5.0, y(t) + 4.0, "end", "", &fixed(lang, 100.0 * t, 0));
    }
    line(&mut s, left, top + ph, w - right, top + ph, "stroke=\"#333\"");
    let _ = writeln!(
        s,
        "<text transform=\"translate(15,{:.1}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
        top + ph / 2.0,
        escape(y_label)
    );
    let ns = series.len().max(1) as f64;
    for (i, g) in groups.iter().enumerate() {
        let x0 = left + slot * i as f64;
        let bw = (slot - 14.0) / ns;
        for (k, v) in g.values.iter().enumerate() {
            let bx = x0 + 7.0 + bw * k as f64;
            if v.is_finite() {
                let v = v.clamp(0.0, ymax);
                let _ = writeln!(
                    s,
                    "<rect x=\"{bx:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\">\
                     <title>{}: {}</title></rect>",
                    y(v),
                    bw - 2.0,
                    top + ph - y(v),
                    PALETTE[k % PALETTE.len()],
                    escape(&g.label),
                    escape(&percent(lang, v))
                );
            }
            let lab = if v.is_finite() { fixed(lang, 100.0 * v, 1) } else { na(lang) };
            let ty = if v.is_finite() { y(v.clamp(0.0, ymax)) - 3.0 } else { top + ph - 3.0 };
            text(&mut s, bx + (bw - 2.0) / 2.0, ty, "middle", " font-size=\"10\"", &lab);
        }
        text(&mut s, x0 + slot / 2.0, top + ph + 16.0, "middle", "", &g.label);
        if let Some(n) = &g.note {
            text(&mut s, x0 + slot / 2.0, top + ph + 32.0, "middle", " fill=\"#555\"", n);
        }
    }
    s.push_str("</svg>\n");
    s
}

/// A histogram of the finite `values` in `bins` bins (counts on the y axis), with dashed
/// vertical `marks` (e.g. bounds); "n.d." / "n/a" in place when no value is finite.
pub fn histogram(
    lang: Lang,
    (title, x_label, y_label): (&str, &str, &str),
    values: &[f64],
    bins: usize,
    marks: &[f64],
) -> String {
    let (w, h, left, right, top, bottom) = (640.0, 320.0, 60.0, 20.0, 40.0, 50.0);
    let mut s = open(w, h, title);
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let ends = finite
        .iter()
        .chain(marks)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| (a.min(*v), b.max(*v)));
    if finite.is_empty() || bins == 0 {
        text(&mut s, w / 2.0, h / 2.0, "middle", "", &na(lang));
        s.push_str("</svg>\n");
        return s;
    }
    let (lo, hi) = if ends.1 - ends.0 > 0.0 { ends } else { (ends.0 - 0.5, ends.1 + 0.5) };
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0usize; bins];
    for v in &finite {
        counts[(((v - lo) / width) as usize).min(bins - 1)] += 1;
    }
    let top_count = counts.iter().copied().max().unwrap_or(1).max(1) as f64 * 1.05;
    let (pw, ph) = (w - left - right, h - top - bottom);
    let x = |v: f64| left + pw * (v - lo) / (hi - lo);
    let y = |c: f64| top + ph * (1.0 - c / top_count);
    for t in nice_ticks(0.0, top_count, 5) {
        line(&mut s, left, y(t), w - right, y(t), "stroke=\"#ddd\"");
        text(&mut s, left - 5.0, y(t) + 4.0, "end", "", &number(lang, t));
    }
    for (i, c) in counts.iter().enumerate().filter(|(_, c)| **c > 0) {
        let x0 = x(lo + width * i as f64);
        let _ = writeln!(
            s,
            "<rect x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\" \
             stroke=\"#fff\" stroke-width=\"0.5\"><title>{}</title></rect>",
            y(*c as f64),
            pw / bins as f64,
            top + ph - y(*c as f64),
            PALETTE[0],
            number(lang, *c as f64)
        );
    }
    for m in marks.iter().filter(|m| m.is_finite()) {
        line(
            &mut s,
            x(*m),
            top,
            x(*m),
            top + ph,
            &format!("stroke=\"{}\" stroke-width=\"2\" stroke-dasharray=\"5,3\"", PALETTE[1]),
        );
    }
    line(&mut s, left, top + ph, w - right, top + ph, "stroke=\"#333\"");
    for t in nice_ticks(lo, hi, 8) {
        text(&mut s, x(t), top + ph + 15.0, "middle", "", &number(lang, t));
    }
    text(&mut s, left + pw / 2.0, h - 8.0, "middle", "", x_label);
    let _ = writeln!(
        s,
        "<text transform=\"translate(15,{:.1}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
        top + ph / 2.0,
        escape(y_label)
    );
    s.push_str("</svg>\n");
    s
}

/// Five-number summary (plus p5 / p95) of positive values, for a box plot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoxStats {
    /// Smallest value.
    pub min: f64,
    /// 5th percentile (end of the lower whisker).
    pub p5: f64,
    /// First quartile (bottom of the box).
    pub q1: f64,
    /// Median.
    pub median: f64,
    /// Third quartile (top of the box).
    pub q3: f64,
    /// 95th percentile (end of the upper whisker).
    pub p95: f64,
    /// Largest value.
    pub max: f64,
}

/// Box plots side by side on a log10 axis (values must be > 0; a box with a non-finite or
/// non-positive statistic is drawn as "n.d.").
pub fn box_plot(
    lang: Lang,
    title: &str,
    y_label: &str,
    boxes: &[(String, Option<BoxStats>)],
) -> String {
    let (left, right, top, bottom) = (70.0, 20.0, 40.0, 40.0);
    let slot = 160.0;
    let w = (left + right + slot * boxes.len() as f64).max(360.0);
    let h = 340.0;
    let ph = h - top - bottom;
    let mut s = open(w, h, title);
    let Some((l0, l1)) = log_range(boxes) else {
        text(&mut s, w / 2.0, h / 2.0, "middle", "", &na(lang));
        s.push_str("</svg>\n");
        return s;
    };
    let y = |v: f64| top + ph * (1.0 - (v.log10() - l0) / (l1 - l0));
    for t in log_ticks(l0, l1) {
        line(&mut s, left, y(t), w - right, y(t), "stroke=\"#ddd\"");
        text(&mut s, left - 5.0, y(t) + 4.0, "end", "", &number(lang, t));
    }
    let _ = writeln!(
        s,
        "<text transform=\"translate(15,{:.1}) rotate(-90)\" text-anchor=\"middle\">{}</text>",
        top + ph / 2.0,
        escape(y_label)
    );
    for (i, (name, b)) in boxes.iter().enumerate() {
        let cx = left + slot * (i as f64 + 0.5);
        text(&mut s, cx, top + ph + 20.0, "middle", "", name);
        match b.filter(drawable) {
            Some(b) => draw_box(&mut s, lang, (cx, PALETTE[i % PALETTE.len()]), name, &b, &y),
            None => text(&mut s, cx, top + ph / 2.0, "middle", "", &na(lang)),
        }
    }
    s.push_str("</svg>\n");
    s
}

/// A box with positive finite extremes (drawable on a log axis).
fn drawable(b: &BoxStats) -> bool {
    b.min > 0.0 && b.max.is_finite() && b.min.is_finite()
}

/// The log10 range [l0, l1] of the drawable boxes, whole decades at least one wide;
/// None when no box is drawable.
fn log_range(boxes: &[(String, Option<BoxStats>)]) -> Option<(f64, f64)> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for b in boxes.iter().filter_map(|(_, b)| b.as_ref()).filter(|b| drawable(b)) {
        lo = lo.min(b.min);
        hi = hi.max(b.max);
    }
    if !lo.is_finite() {
        return None;
    }
    let (mut l0, mut l1) = (lo.log10().floor(), hi.log10().ceil());
    if l1 - l0 < 1.0 {
        l0 -= 0.5;
        l1 += 0.5;
    }
    Some((l0, l1))
}

/// Ticks of a log axis over [10^l0, 10^l1]: at 1, 2, 5 × 10^k when the range is short,
/// powers of ten otherwise.
fn log_ticks(l0: f64, l1: f64) -> Vec<f64> {
    let mults: &[f64] = if l1 - l0 <= 3.0 { &[1.0, 2.0, 5.0] } else { &[1.0] };
    decade_ticks(l0, l1, mults)
}

/// The values m × 10^k (m in `mults`) whose log10 lies in [lo, hi].
pub(super) fn decade_ticks(lo: f64, hi: f64, mults: &[f64]) -> Vec<f64> {
    let mut out = Vec::new();
    let mut k = lo.floor() as i32;
    while f64::from(k) <= hi {
        for m in mults {
            let v = m * 10f64.powi(k);
            let t = v.log10();
            if t >= lo - tol::PLOT_LOG_TICK && t <= hi + tol::PLOT_LOG_TICK {
                out.push(v);
            }
        }
        k += 1;
    }
    out
}

/// One box at abscissa `cx` in colour `col`: whiskers p5–p95, box q1–q3, median, min and
/// max as dots; `y` maps a value to its ordinate.
fn draw_box(
    s: &mut String,
    lang: Lang,
    (cx, col): (f64, &str),
    name: &str,
    b: &BoxStats,
    y: &dyn Fn(f64) -> f64,
) {
    let bw = 50.0;
    line(s, cx, y(b.p5), cx, y(b.q1), "stroke=\"#333\"");
    line(s, cx, y(b.q3), cx, y(b.p95), "stroke=\"#333\"");
    line(s, cx - 12.0, y(b.p5), cx + 12.0, y(b.p5), "stroke=\"#333\"");
    line(s, cx - 12.0, y(b.p95), cx + 12.0, y(b.p95), "stroke=\"#333\"");
    let _ = writeln!(
        s,
        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{bw}\" height=\"{:.1}\" fill=\"{col}\" \
         fill-opacity=\"0.5\" stroke=\"{col}\"><title>{}: {} – {}</title></rect>",
        cx - bw / 2.0,
        y(b.q3),
        (y(b.q1) - y(b.q3)).max(1.0),
        escape(name),
        escape(&number(lang, b.q1)),
        escape(&number(lang, b.q3))
    );
    let (x0, x1, ym) = (cx - bw / 2.0, cx + bw / 2.0, y(b.median));
    line(s, x0, ym, x1, ym, "stroke=\"#000\" stroke-width=\"2\"");
    for v in [b.min, b.max] {
        let _ = writeln!(
            s,
            "<circle cx=\"{cx:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{col}\"><title>{}</title></circle>",
            y(v),
            escape(&number(lang, v))
        );
    }
}

/// One line of a dot-and-whisker chart.
pub struct Dot {
    /// Row label.
    pub label: String,
    /// Estimate (NaN: not drawn, "n.d." shown).
    pub estimate: f64,
    /// Lower end of the interval (NaN: no interval drawn).
    pub low: f64,
    /// Upper end of the interval (NaN: no interval drawn).
    pub high: f64,
    /// Flagged (drawn hollow, orange).
    pub flagged: bool,
    /// Start of a new block (a line is drawn above).
    pub separator: bool,
}

/// Horizontal dot-and-whisker chart; `percent`: values are proportions shown in percent.
pub fn dot_whisker(
    lang: Lang,
    title: &str,
    x_label: &str,
    dots: &[Dot],
    percent_scale: bool,
) -> String {
    let label_w =
        dots.iter().map(|d| d.label.chars().count()).max().unwrap_or(4).clamp(4, 45) as f64 * 7.0;
    let (left, right, top, bottom) = (label_w + 20.0, 90.0, 40.0, 45.0);
    let row = 20.0;
    let w = 900.0;
    let h = top + bottom + row * dots.len().max(1) as f64;
    let scale = if percent_scale { 100.0 } else { 1.0 };
    let (lo, hi) = dot_range(dots, scale, percent_scale);
    let mut s = open(w, h, title);
    let pw = w - left - right;
    for t in nice_ticks(lo, hi, 6) {
        let tx = left + pw * (t - lo) / (hi - lo);
        line(&mut s, tx, top - 5.0, tx, h - bottom, "stroke=\"#ddd\"");
        let t = if t.abs() < tol::PLOT_ZERO_RTOL * (hi - lo) { 0.0 } else { t };
        text(&mut s, tx, h - bottom + 15.0, "middle", "", &number(lang, t));
    }
    text(&mut s, left + pw / 2.0, h - 8.0, "middle", "", x_label);
    let chart = DotChart {
        lang,
        w,
        right,
        x: &|v: f64| left + pw * (v * scale - lo) / (hi - lo),
        shown: &|v: f64| if percent_scale { percent(lang, v) } else { number(lang, v) },
    };
    for (i, d) in dots.iter().enumerate() {
        let cy = top + row * (i as f64 + 0.5);
        if d.separator && i > 0 {
            let style = "stroke=\"#999\" stroke-dasharray=\"3,3\"";
            line(&mut s, 5.0, cy - row / 2.0, w - 5.0, cy - row / 2.0, style);
        }
        text(&mut s, left - 8.0, cy + 4.0, "end", "", &d.label);
        chart.dot(&mut s, d, cy);
    }
    s.push_str("</svg>\n");
    s
}

/// The axis range of a dot-and-whisker chart (in shown units: × `scale`): the finite
/// values, padded by 5 %; percentages start at 0 (or below for negative values).
fn dot_range(dots: &[Dot], scale: f64, percent_scale: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for d in dots {
        for v in [d.estimate, d.low, d.high] {
            if v.is_finite() {
                lo = lo.min(v * scale);
                hi = hi.max(v * scale);
            }
        }
    }
    if !lo.is_finite() {
        lo = 0.0;
        hi = 1.0;
    }
    if percent_scale {
        lo = lo.clamp(-100.0, 0.0);
        hi = hi.max(lo + 1.0);
    }
    if hi - lo < tol::PLOT_ZERO_RTOL * hi.abs().max(1.0) {
        lo -= 0.5 * lo.abs().max(1.0);
        hi += 0.5 * hi.abs().max(1.0);
    }
    let pad = 0.05 * (hi - lo);
    (lo - if percent_scale && lo == 0.0 { 0.0 } else { pad }, hi + pad)
}

/// What draws one line of a dot-and-whisker chart.
struct DotChart<'a> {
    lang: Lang,
    w: f64,
    right: f64,
    /// Abscissa of a value.
    x: &'a dyn Fn(f64) -> f64,
    /// A value as text.
    shown: &'a dyn Fn(f64) -> String,
}

impl DotChart<'_> {
    /// The interval, the dot and the value of `d` at ordinate `cy`.
    fn dot(&self, s: &mut String, d: &Dot, cy: f64) {
        let (x, shown) = (self.x, self.shown);
        let col = if d.flagged { PALETTE[1] } else { PALETTE[0] };
        if d.low.is_finite() && d.high.is_finite() {
            line(s, x(d.low), cy, x(d.high), cy, &format!("stroke=\"{col}\" stroke-width=\"2\""));
            line(s, x(d.low), cy - 4.0, x(d.low), cy + 4.0, &format!("stroke=\"{col}\""));
            line(s, x(d.high), cy - 4.0, x(d.high), cy + 4.0, &format!("stroke=\"{col}\""));
        }
        let tx = self.w - self.right + 8.0;
        if d.estimate.is_finite() {
            let fill = if d.flagged { "#fff" } else { col };
            let _ = writeln!(
                s,
                "<circle cx=\"{:.1}\" cy=\"{cy:.1}\" r=\"4.5\" fill=\"{fill}\" stroke=\"{col}\" \
                 stroke-width=\"2\"><title>{}: {} [{} ; {}]</title></circle>",
                x(d.estimate),
                escape(&d.label),
                escape(&shown(d.estimate)),
                escape(&shown(d.low)),
                escape(&shown(d.high))
            );
            text(s, tx, cy + 4.0, "start", " fill=\"#333\"", &shown(d.estimate));
        } else {
            text(s, tx, cy + 4.0, "start", " fill=\"#999\"", &na(self.lang));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        let t = nice_ticks(0.0, 1.0, 5);
        assert_eq!(t.len(), 6);
        assert!(t.iter().zip([0.0, 0.2, 0.4, 0.6, 0.8, 1.0]).all(|(a, b)| (a - b).abs() < 1e-12));
        assert_eq!(nice_ticks(3.0, 3.0, 5), vec![3.0]);
    }

    #[test]
    fn non_finite_values_are_skipped() {
        let dots = [Dot {
            label: "a".into(),
            estimate: f64::NAN,
            low: f64::NAN,
            high: f64::NAN,
            flagged: true,
            separator: false,
        }];
        let s = dot_whisker(Lang::En, "t", "x", &dots, true);
        assert!(!s.contains("NaN") && s.contains("n/a"));
        let b = box_plot(Lang::Fr, "t", "y", &[("x".into(), None)]);
        assert!(!b.contains("NaN") && b.contains("n.d."));
    }
}
