//! The forest plot of a model: one line per coefficient (the intercept left out), grouped
//! by term, the estimate as a dot — filled when p < 0.05, hollow otherwise — and its
//! confidence interval as a line; odds or rate ratios on a log scale with a dashed
//! reference line at 1, coefficients of an identity link on a linear scale with the line
//! at 0. Plain SVG built with the helpers of [`super::svg`]; markers carry `class="coef"`,
//! the reference line `class="ref"`.

use super::Lang;
use super::labels::{label, na, number};
use super::svg::{PALETTE, line, nice_ticks, open, text};
use crate::report::html::escape;
use crate::tolerance as tol;
use std::fmt::Write;

/// Decades shown at most on either side of 1 (ratios beyond are drawn at the edge).
const LOG_CLAMP: f64 = 3.0;

/// Significance threshold of the filled dots.
pub(super) const ALPHA: f64 = 0.05;

/// One coefficient of the plot.
pub(super) struct Item {
    /// Row label (the level, or the term of a numeric variable).
    pub label: String,
    /// Ratio (log scale) or coefficient (linear scale); NaN: not drawn.
    pub estimate: f64,
    /// Lower end of the interval (NaN: no interval drawn).
    pub low: f64,
    /// Upper end of the interval (NaN: no interval drawn).
    pub high: f64,
    /// p-value (filled dot when below [`ALPHA`]).
    pub p: f64,
    /// Value written on the right (estimate and interval).
    pub value: String,
    /// Tooltip of the dot.
    pub tooltip: String,
}

/// The coefficients of one term under its title (`None`: no title line, a numeric term).
pub(super) struct Group {
    /// Title line (the variables of the term).
    pub title: Option<String>,
    /// Coefficients.
    pub items: Vec<Item>,
}

/// Axis of the plot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scale {
    /// Ratios on a log scale, reference 1.
    Log,
    /// Coefficients on a linear scale, reference 0.
    Linear,
}

impl Scale {
    /// The value of "no effect".
    fn reference(self) -> f64 {
        match self {
            Scale::Log => 1.0,
            Scale::Linear => 0.0,
        }
    }

    /// Position of `v` in axis units (log10 for ratios, clamped); NaN when not drawable.
    fn t(self, v: f64) -> f64 {
        match self {
            _ if v.is_nan() => f64::NAN,
            Scale::Log if v <= 0.0 => -LOG_CLAMP,
            Scale::Log => v.log10().clamp(-LOG_CLAMP, LOG_CLAMP),
            Scale::Linear if v.is_finite() => v,
            Scale::Linear => f64::NAN,
        }
    }
}

/// The forest plot of `groups` under `title`.
pub(super) fn forest(
    lang: Lang,
    title: &str,
    x_label: &str,
    groups: &[Group],
    scale: Scale,
) -> String {
    let lines: usize = groups.iter().map(|g| g.items.len() + usize::from(g.title.is_some())).sum();
    let widest = groups
        .iter()
        .flat_map(|g| g.items.iter().map(|i| i.label.chars().count()))
        .max()
        .unwrap_or(6)
        .clamp(6, 40);
    let (left, right, top, bottom) = (widest as f64 * 7.0 + 40.0, 170.0, 62.0, 45.0);
    let (w, row) = (900.0, 20.0);
    let h = top + bottom + row * lines.max(1) as f64;
    let (lo, hi) = range(groups, scale);
    let pw = w - left - right;
    let x = |t: f64| left + pw * (t - lo) / (hi - lo);
    let mut s = open(w, h, title);
    legend(&mut s, lang, left);
    for v in ticks(scale, lo, hi) {
        let tx = x(scale.t(v));
        line(&mut s, tx, top - 5.0, tx, h - bottom, "stroke=\"#ddd\"");
        let v = if v.abs() < tol::PLOT_ZERO_RTOL * (hi - lo) { 0.0 } else { v };
        text(&mut s, tx, h - bottom + 15.0, "middle", "", &number(lang, v));
    }
    let rx = x(scale.t(scale.reference()));
    let style = "class=\"ref\" stroke=\"#333\" stroke-width=\"1.5\" stroke-dasharray=\"5,3\"";
    line(&mut s, rx, top - 5.0, rx, h - bottom, style);
    text(&mut s, left + pw / 2.0, h - 8.0, "middle", "", x_label);
    let plot = Plot { x: &x, value_x: w - right + 8.0, label_x: left - 8.0, scale, lang };
    let mut cy = top + row / 2.0;
    for (k, g) in groups.iter().enumerate() {
        if k > 0 {
            let style = "stroke=\"#999\" stroke-dasharray=\"3,3\"";
            line(&mut s, 5.0, cy - row / 2.0, w - 5.0, cy - row / 2.0, style);
        }
        if let Some(t) = &g.title {
            text(&mut s, 10.0, cy + 4.0, "start", " font-weight=\"bold\"", t);
            cy += row;
        }
        for item in &g.items {
            plot.item(&mut s, item, cy);
            cy += row;
        }
    }
    s.push_str("</svg>\n");
    s
}

/// The legend line under the title: filled and hollow dots, reference line.
fn legend(s: &mut String, lang: Lang, left: f64) {
    let col = PALETTE[0];
    let y = 40.0;
    let mut lx = left;
    for (fill, key) in [(col, "legend_sig"), ("#fff", "legend_ns")] {
        let _ = writeln!(
            s,
            "<circle cx=\"{:.1}\" cy=\"{y:.1}\" r=\"4.5\" fill=\"{fill}\" stroke=\"{col}\" \
             stroke-width=\"2\"/>",
            lx + 5.0
        );
        text(s, lx + 14.0, y + 4.0, "start", "", label(lang, key));
        lx += 100.0;
    }
    let style = "stroke=\"#333\" stroke-width=\"1.5\" stroke-dasharray=\"5,3\"";
    line(s, lx, y - 7.0, lx, y + 7.0, style);
    text(s, lx + 8.0, y + 4.0, "start", "", label(lang, "legend_ref"));
}

/// Where and how one coefficient is drawn.
struct Plot<'a> {
    /// Abscissa of a position in axis units.
    x: &'a dyn Fn(f64) -> f64,
    /// Abscissa of the values written on the right.
    value_x: f64,
    /// Right end of the labels.
    label_x: f64,
    scale: Scale,
    lang: Lang,
}

impl Plot<'_> {
    /// The label, interval, dot and value of `it` at ordinate `cy`.
    fn item(&self, s: &mut String, it: &Item, cy: f64) {
        let (x, scale) = (self.x, self.scale);
        let col = PALETTE[0];
        text(s, self.label_x, cy + 4.0, "end", "", &it.label);
        let (tl, th, te) = (scale.t(it.low), scale.t(it.high), scale.t(it.estimate));
        if tl.is_finite() && th.is_finite() {
            line(s, x(tl), cy, x(th), cy, &format!("stroke=\"{col}\" stroke-width=\"2\""));
            line(s, x(tl), cy - 4.0, x(tl), cy + 4.0, &format!("stroke=\"{col}\""));
            line(s, x(th), cy - 4.0, x(th), cy + 4.0, &format!("stroke=\"{col}\""));
        }
        if te.is_finite() {
            let fill = if it.p < ALPHA { col } else { "#fff" };
            let _ = writeln!(
                s,
                "<circle class=\"coef\" cx=\"{:.1}\" cy=\"{cy:.1}\" r=\"4.5\" fill=\"{fill}\" \
                 stroke=\"{col}\" stroke-width=\"2\"><title>{}</title></circle>",
                x(te),
                escape(&it.tooltip)
            );
            text(s, self.value_x, cy + 4.0, "start", " fill=\"#333\"", &it.value);
        } else {
            text(s, self.value_x, cy + 4.0, "start", " fill=\"#999\"", &na(self.lang));
        }
    }
}

/// The axis range in axis units: the drawable values and the reference, padded by 5 %.
fn range(groups: &[Group], scale: Scale) -> (f64, f64) {
    let r = scale.t(scale.reference());
    let (mut lo, mut hi) = (r, r);
    for it in groups.iter().flat_map(|g| &g.items) {
        for v in [it.estimate, it.low, it.high] {
            let t = scale.t(v);
            if t.is_finite() {
                lo = lo.min(t);
                hi = hi.max(t);
            }
        }
    }
    let min_span = match scale {
        Scale::Log => 0.1,
        Scale::Linear => tol::PLOT_ZERO_RTOL * hi.abs().max(lo.abs()).max(1.0),
    };
    if hi - lo < min_span {
        let half = match scale {
            Scale::Log => 0.1,
            Scale::Linear => 0.5 * hi.abs().max(lo.abs()).max(1.0),
        };
        lo -= half;
        hi += half;
    }
    let pad = 0.05 * (hi - lo);
    (lo - pad, hi + pad)
}

/// Tick values over [lo, hi] (axis units): 1, 2, 5 × 10^k and denser steps on a log
/// scale (at most 9 ticks, round linear steps on a very short range), round steps on a
/// linear scale.
fn ticks(scale: Scale, lo: f64, hi: f64) -> Vec<f64> {
    if scale == Scale::Linear {
        return nice_ticks(lo, hi, 6);
    }
    const SETS: [&[f64]; 3] = [&[1.0, 1.5, 2.0, 3.0, 5.0, 7.0], &[1.0, 2.0, 5.0], &[1.0]];
    if super::svg::decade_ticks(lo, hi, SETS[0]).len() < 3 {
        let (a, b) = (10f64.powf(lo), 10f64.powf(hi));
        return nice_ticks(a, b, 4).into_iter().filter(|v| *v > 0.0).collect();
    }
    for mults in SETS {
        let t = super::svg::decade_ticks(lo, hi, mults);
        if t.len() <= 9 {
            return t;
        }
    }
    super::svg::decade_ticks(lo, hi, SETS[2])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(estimate: f64, low: f64, high: f64) -> Item {
        let (value, tooltip) = (String::new(), String::new());
        Item { label: "a".into(), estimate, low, high, p: 0.5, value, tooltip }
    }

    fn one(it: Item) -> [Group; 1] {
        [Group { title: None, items: vec![it] }]
    }

    #[test]
    fn log_ticks_are_dense_on_a_short_range_and_sparse_on_a_long_one() {
        let t = ticks(Scale::Log, 0.4f64.log10(), 2.5f64.log10());
        let want = [0.5, 0.7, 1.0, 1.5, 2.0];
        assert_eq!(t.len(), want.len(), "{t:?}");
        assert!(t.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-12), "{t:?}");
        let t = ticks(Scale::Log, -3.0, 3.0);
        assert_eq!(t.len(), 7, "{t:?}");
        // Ratios close to 1: the range widens, round linear steps, all positive.
        let (lo, hi) = range(&one(item(1.0, 0.99, 1.03)), Scale::Log);
        let t = ticks(Scale::Log, lo, hi);
        assert!(t.len() >= 3 && t.iter().all(|v| *v > 0.0), "{t:?}");
    }

    #[test]
    fn range_contains_the_reference_and_clamps_extreme_ratios() {
        let (lo, hi) = range(&one(item(2.0, 1.5, f64::INFINITY)), Scale::Log);
        assert!(lo < 0.0 && hi > LOG_CLAMP && hi < LOG_CLAMP + 1.0, "{lo} {hi}");
        let (lo, hi) = range(&one(item(-2.0, -3.0, -1.0)), Scale::Linear);
        assert!(lo < -3.0 && hi > 0.0);
    }
}
