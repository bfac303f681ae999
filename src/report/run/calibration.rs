//! Section « Calibration » of the run report: summary of the solve, rescaled targets,
//! margins before and after, distribution and histogram of the ratios g.

use super::labels::{fixed, label, number, sci};
use super::names::Names;
use super::{Lang, notes, yes_no};
use crate::calibration::Report as CalReport;
use crate::report::calibration::margin_rows;
use crate::report::html::table;
use std::fmt::Write;

/// The whole section; `g` are the ratios w_cal / w_in of the respondents.
/// Margins and their categories are shown with the codebook's labels (`names`) where it
/// has the variables.
pub(super) fn section(lang: Lang, names: Names, r: &CalReport, g: &[f64]) -> String {
    let mut s = summary(lang, r);
    rescaled(&mut s, (lang, names), r);
    margins(&mut s, lang, names, r);
    g_distribution(&mut s, lang, r, g);
    s
}

/// Method, bounds, algorithm, convergence, fit and design effect.
fn summary(lang: Lang, r: &CalReport) -> String {
    let l = |k| label(lang, k);
    let bounds = r.bounds.map_or(l("none").to_string(), |b| {
        format!("[{} ; {}]", number(lang, b.lower), number(lang, b.upper))
    });
    let rows = vec![
        vec![l("cal_method").to_string(), r.method.name().to_string()],
        vec![l("bounds").to_string(), bounds],
        vec![l("algorithm").to_string(), format!("{} ({})", r.algorithm, r.solved_on)],
        vec![l("iterations").to_string(), r.iterations.to_string()],
        vec![
            l("converged").to_string(),
            format!("{} ({})", yes_no(lang, r.converged), r.termination),
        ],
        vec![l("max_misfit").to_string(), sci(lang, r.max_misfit)],
        vec![
            l("rows_positive").to_string(),
            format!("{} ({})", number(lang, r.n_rows as f64), number(lang, r.n_positive as f64)),
        ],
        vec![l("at_bounds").to_string(), format!("{} / {}", r.at_lower_bound, r.at_upper_bound)],
        vec![l("cal_deff").to_string(), fixed(lang, r.design_effect, 3)],
    ];
    table(&[l("item"), l("value")], &rows, 1)
}

/// Margins whose totals were rescaled to the common total, as notes.
fn rescaled(s: &mut String, (lang, names): (Lang, Names), r: &CalReport) {
    let adj: Vec<String> = r
        .target_adjustments
        .iter()
        .map(|a| {
            format!(
                "{} {} : {} → {} (× {})",
                label(lang, "rescaled"),
                labelled_margin(names, &a.margin, "").0,
                number(lang, a.given_total),
                number(lang, a.common_total),
                fixed(lang, a.factor, 6)
            )
        })
        .collect();
    notes(s, lang, &adj);
}

/// Every margin category: before, target, after, error.
fn margins(s: &mut String, lang: Lang, names: Names, r: &CalReport) {
    let l = |k| label(lang, k);
    let _ = writeln!(s, "<h3>{}</h3>", l("margins"));
    let mut rows = margin_rows(r, |v| number(lang, v), |e| sci(lang, e));
    for row in &mut rows {
        let (margin, category) = labelled_margin(names, &row[0], &row[1]);
        (row[0], row[1]) = (margin, category);
    }
    let header = [l("margin"), l("category"), l("before"), l("target"), l("after"), l("error")];
    s.push_str(&table(&header, &rows, 2));
}

/// Quantiles of g and its histogram (bounds marked).
fn g_distribution(s: &mut String, lang: Lang, r: &CalReport, g: &[f64]) {
    let l = |k| label(lang, k);
    let _ = writeln!(s, "<h3>{}</h3>", l("g_dist"));
    let q = &r.g;
    s.push_str(&table(
        &["min", "p1", "p5", "p25", "p50", "p75", "p95", "p99", "max"],
        &[[q.min, q.p1, q.p5, q.p25, q.p50, q.p75, q.p95, q.p99, q.max]
            .iter()
            .map(|v| number(lang, *v))
            .collect()],
        0,
    ));
    let marks: Vec<f64> = r
        .bounds
        .map(|b| vec![b.lower, b.upper])
        .unwrap_or_default()
        .into_iter()
        .filter(|m| m.is_finite())
        .collect();
    let titles = (l("g_dist"), l("g_axis"), l("respondents_count"));
    s.push_str(&super::svg::histogram(lang, titles, g, 40, &marks));
}

/// A margin (`sex × age_group`) and its category (`F,18-29`) with the codebook's labels
/// (« Sexe × Âge », « Femmes × 18 à 29 ans »); codes kept where the codebook lacks them.
fn labelled_margin(names: Names, margin: &str, category: &str) -> (String, String) {
    let vars: Vec<&str> = margin.split(" × ").collect();
    let codes: Vec<&str> = match vars.len() {
        1 => vec![category],
        n => category.splitn(n, ',').collect(),
    };
    let margin = vars.iter().map(|v| names.variable(v)).collect::<Vec<_>>().join(" × ");
    if codes.len() != vars.len() || category.is_empty() {
        return (margin, category.to_string());
    }
    let cat = vars.iter().zip(&codes).map(|(v, c)| names.value(v, c)).collect::<Vec<_>>();
    (margin, cat.join(" × "))
}
