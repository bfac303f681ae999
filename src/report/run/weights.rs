//! Section « Weights » of the run report: box plots of the weights at each step on a log
//! scale, and a table of their size, sum, spread and Kish design effect.

use super::labels::{fixed, label, na, number};
use super::svg::{self, BoxStats};
use super::{Lang, WeightStep};
use crate::report::html::{escape, table};
use std::fmt::Write;

/// Type-7 quantile of sorted values.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Statistics of the positive finite weights of a step.
struct WeightStats {
    n: usize,
    sum: f64,
    cv: f64,
    boxes: Option<BoxStats>,
}

fn weight_stats(w: &[f64]) -> WeightStats {
    let mut v: Vec<f64> = w.iter().copied().filter(|x| x.is_finite() && *x > 0.0).collect();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let sum: f64 = v.iter().sum();
    let mean = sum / n as f64;
    // CV with divisor n, so that 1 + CV² is Kish's n Σw² / (Σw)².
    let cv = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64).sqrt() / mean;
    let boxes = (n > 0).then(|| BoxStats {
        min: v[0],
        p5: quantile(&v, 0.05),
        q1: quantile(&v, 0.25),
        median: quantile(&v, 0.5),
        q3: quantile(&v, 0.75),
        p95: quantile(&v, 0.95),
        max: v[n - 1],
    });
    WeightStats { n, sum, cv, boxes }
}

fn step_label(lang: Lang, key: &'static str) -> &'static str {
    match key {
        "design" => label(lang, "design"),
        "nonresponse" => label(lang, "nonresponse_step"),
        "calibration" => label(lang, "calibration_step"),
        other => other,
    }
}

/// The whole section.
pub(super) fn section(lang: Lang, steps: &[WeightStep]) -> String {
    let l = |k| label(lang, k);
    if steps.is_empty() {
        return format!("<p>{}</p>\n", na(lang));
    }
    let stats: Vec<WeightStats> = steps.iter().map(|s| weight_stats(s.weights)).collect();
    let boxes: Vec<(String, Option<BoxStats>)> = steps
        .iter()
        .zip(&stats)
        .map(|(s, st)| (step_label(lang, s.key).to_string(), st.boxes))
        .collect();
    let mut s = svg::box_plot(lang, l("weights"), l("weight_log"), &boxes);
    let _ = writeln!(s, "<p class=\"caption\">{}</p>", escape(l("box_caption")));
    let rows: Vec<Vec<String>> =
        steps.iter().zip(&stats).map(|(st, w)| stats_row(lang, st.key, w)).collect();
    let header = [
        l("step"),
        l("n_positive"),
        l("sum"),
        l("min"),
        l("median"),
        l("max"),
        l("cv"),
        l("kish_deff"),
    ];
    s.push_str(&table(&header, &rows, 1));
    s
}

/// One row of the weights table.
fn stats_row(lang: Lang, key: &'static str, w: &WeightStats) -> Vec<String> {
    let b = w.boxes;
    vec![
        step_label(lang, key).to_string(),
        number(lang, w.n as f64),
        number(lang, w.sum),
        number(lang, b.map_or(f64::NAN, |b| b.min)),
        number(lang, b.map_or(f64::NAN, |b| b.median)),
        number(lang, b.map_or(f64::NAN, |b| b.max)),
        fixed(lang, w.cv, 3),
        fixed(lang, 1.0 + w.cv * w.cv, 3),
    ]
}
