//! The non-recourse-by-type chart of the run report: for an estimate of the share of
//! disputes without recourse by type of dispute (rows of a proportion of `recourse` =
//! `none` with one domain variable `type`, e.g. `nonrecourse_by_type` of
//! designs/fej2024_disputes.yaml), horizontal bars with their confidence intervals, types
//! in codebook order with their labels. No such estimate, no section.

use super::Lang;
use super::labels::{fixed, percent};
use super::names::Names;
use super::svg::{PALETTE, line, nice_ticks, open, text};
use crate::estimate::EstimateRow;
use crate::report::html::escape;
use std::fmt::Write;

/// The variable, category and domain variable the chart looks for.
const VARIABLE: &str = "recourse";
const CATEGORY: &str = "none";
const BY: &str = "type";

/// Whether a row is a non-recourse share within one type of dispute.
fn is_by_type(r: &EstimateRow) -> bool {
    r.stat == "proportion"
        && r.variable == VARIABLE
        && r.category.as_deref() == Some(CATEGORY)
        && r.domain.len() == 1
        && r.domain[0].0 == BY
}

/// The section's title in `lang`.
pub(super) fn title(lang: Lang) -> &'static str {
    match lang {
        Lang::Fr => "Non-recours selon le type de litige",
        Lang::En => "Non-recourse by type of dispute",
    }
}

/// The chart of the first estimate of non-recourse by type of dispute, with a caption;
/// `None` without such an estimate.
pub(super) fn section((lang, names): (Lang, Names), rows: &[EstimateRow]) -> Option<String> {
    let name = &rows.iter().find(|r| is_by_type(r))?.name;
    let mut group: Vec<&EstimateRow> =
        rows.iter().filter(|r| &r.name == name && is_by_type(r)).collect();
    group.sort_by_key(|r| names.rank(BY, &r.domain[0].1));
    let bars: Vec<Bar> = group
        .iter()
        .map(|r| Bar {
            label: names.value(BY, &r.domain[0].1).to_string(),
            estimate: r.estimate,
            low: r.ci_low,
            high: r.ci_high,
        })
        .collect();
    let caption = match lang {
        Lang::Fr => {
            "Part des litiges restés sans recours (ni tribunal, ni médiation ou \
                     conciliation) selon le type de litige, avec son intervalle de confiance \
                     (le litige est l'unité d'observation ; la personne, l'unité du plan de \
                     sondage)."
        }
        Lang::En => {
            "Share of disputes left without recourse (neither court nor mediation or \
                     conciliation) by type of dispute, with its confidence interval (the \
                     dispute is the unit of observation; the person, the unit of the design)."
        }
    };
    let axis = match lang {
        Lang::Fr => "Litiges sans recours (%)",
        Lang::En => "Disputes without recourse (%)",
    };
    let mut s = format!("<p class=\"caption\">{}</p>\n", escape(caption));
    s.push_str(&bars_with_intervals(lang, names.estimate_title(name), axis, &bars));
    Some(s)
}

/// One bar: a proportion and its interval.
struct Bar {
    label: String,
    estimate: f64,
    low: f64,
    high: f64,
}

/// Horizontal bars of proportions (in percent) with their intervals as whiskers; a
/// non-finite value draws no bar and is written "n.d." / "n/a".
fn bars_with_intervals(lang: Lang, title: &str, axis: &str, bars: &[Bar]) -> String {
    let label_w = bars.iter().map(|b| b.label.chars().count()).max().unwrap_or(4).clamp(4, 45);
    let (left, right, top, bottom, row) = (label_w as f64 * 7.0 + 20.0, 60.0, 40.0, 45.0, 28.0);
    let w = 900.0;
    let h = top + bottom + row * bars.len().max(1) as f64;
    let hi = bars
        .iter()
        .flat_map(|b| [b.estimate, b.high])
        .filter(|v| v.is_finite())
        .fold(0.05f64, f64::max);
    // the axis ends on a round tenth
    let hi = ((hi * 10.0).ceil() / 10.0).min(1.0);
    let pw = w - left - right;
    let x = |v: f64| left + pw * v.clamp(0.0, hi) / hi;
    let mut s = open(w, h, title);
    for t in nice_ticks(0.0, 100.0 * hi, 6) {
        let tx = x(t / 100.0);
        line(&mut s, tx, top - 5.0, tx, h - bottom, "stroke=\"#ddd\"");
        text(&mut s, tx, h - bottom + 15.0, "middle", "", &fixed(lang, t, 0));
    }
    text(&mut s, left + pw / 2.0, h - 8.0, "middle", "", axis);
    for (i, b) in bars.iter().enumerate() {
        let cy = top + row * (i as f64 + 0.5);
        text(&mut s, left - 8.0, cy + 4.0, "end", "", &b.label);
        if !b.estimate.is_finite() {
            text(&mut s, left + 4.0, cy + 4.0, "start", " fill=\"#555\"", &super::labels::na(lang));
            continue;
        }
        let _ = writeln!(
            s,
            "<rect x=\"{left:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\">\
             <title>{}: {}</title></rect>",
            cy - row * 0.35,
            x(b.estimate) - left,
            row * 0.7,
            PALETTE[0],
            escape(&b.label),
            escape(&percent(lang, b.estimate))
        );
        if b.low.is_finite() && b.high.is_finite() {
            let style = "stroke=\"#333\" stroke-width=\"1.5\"";
            line(&mut s, x(b.low), cy, x(b.high), cy, style);
            for v in [b.low, b.high] {
                line(&mut s, x(v), cy - 5.0, x(v), cy + 5.0, style);
            }
        }
        let end = if b.high.is_finite() { b.high.max(b.estimate) } else { b.estimate };
        text(
            &mut s,
            x(end) + 6.0,
            cy + 4.0,
            "start",
            " font-size=\"11\"",
            &percent(lang, b.estimate),
        );
    }
    s.push_str("</svg>\n");
    s
}
