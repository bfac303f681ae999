//! The tests of the models section read for everyone: tables of the Rao–Scott tests of
//! independence and of the differences between groups, each row followed by a sentence
//! ("trust_x_region: trusts and region are significantly associated (F = 2.92,
//! p < 0.001)."), and the number formats of the section (p-values, short numbers, degrees
//! of freedom).

use super::Lang;
use super::forest::ALPHA;
use super::labels::{fixed, label, na, number, sci};
use super::names::Names;
use crate::estimate::EstimateRow;
use crate::model::ModelRow;
use crate::report::html::{escape, table_with_classes};
use std::fmt::Write;

/// Relative gap under which two proportion estimates confirm a difference (same data, same
/// weights: only the summation order differs).
const CONFIRM_RTOL: f64 = 1e-9;

/// `template` with every `{key}` of `vars` replaced by its value (one pass: a value is
/// never read as a template).
pub(super) fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let value = after
            .find('}')
            .and_then(|j| vars.iter().find(|(k, _)| *k == &after[..j]).map(|(_, v)| (j, v)));
        match value {
            Some((j, v)) => {
                out.push_str(v);
                rest = &after[j + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A p-value for readers: `< 0.001`, else three decimals (`n/a` when undefined).
pub(super) fn p_text(lang: Lang, p: f64) -> String {
    if !p.is_finite() {
        na(lang)
    } else if p < 0.001 {
        format!("< {}", fixed(lang, 0.001, 3))
    } else {
        fixed(lang, p, 3)
    }
}

/// What follows "p" in a sentence: `< 0.001` or `= 0.188`.
pub(super) fn p_phrase(lang: Lang, p: f64) -> String {
    let t = p_text(lang, p);
    if t.starts_with('<') { t } else { format!("= {t}") }
}

/// A number with about three significant digits (whole above 100, scientific below 1e-4).
pub(super) fn short(lang: Lang, v: f64) -> String {
    let a = v.abs();
    if !v.is_finite() {
        return na(lang);
    }
    if a >= 100.0 {
        return number(lang, v.round());
    }
    if a > 0.0 && a < 1e-4 {
        return sci(lang, v);
    }
    let digits = if a >= 10.0 {
        1
    } else if a >= 1.0 || a == 0.0 {
        2
    } else {
        (2 - a.log10().floor() as i64).clamp(2, 6) as usize
    };
    fixed(lang, v, digits)
}

/// Degrees of freedom: whole numbers as such, others with one decimal, `–` when none.
pub(super) fn df_text(lang: Lang, df: f64) -> String {
    if !df.is_finite() {
        "–".into()
    } else if (df - df.round()).abs() < 1e-9 {
        number(lang, df.round())
    } else {
        fixed(lang, df, 1)
    }
}

/// Class `sig` for the rows with p < 0.05.
pub(super) fn sig_classes(p: impl Iterator<Item = f64>) -> Vec<Option<&'static str>> {
    p.map(|p| (p < ALPHA).then_some("sig")).collect()
}

/// The sentence of a test: `sig` or `ns` template by the p-value, `test_na` when undefined.
fn reading(lang: Lang, keys: [&'static str; 2], p: f64, vars: &[(&str, &str)]) -> String {
    let key = if !p.is_finite() {
        "test_na"
    } else if p < ALPHA {
        keys[0]
    } else {
        keys[1]
    };
    let mut all = vars.to_vec();
    let p = p_phrase(lang, p);
    all.push(("p", &p));
    fill(label(lang, key), &all)
}

/// A list of sentences.
fn sentences(s: &mut String, v: &[String]) {
    s.push_str("<ul class=\"reading\">\n");
    for t in v {
        let _ = writeln!(s, "<li>{}</li>", escape(t));
    }
    s.push_str("</ul>\n");
}

/// The Rao–Scott tests of independence: table and sentences (nothing without any).
pub(super) fn chisq_block(s: &mut String, (lang, names): (Lang, Names), rows: &[ModelRow]) {
    let l = |k| label(lang, k);
    let tests: Vec<&ModelRow> = rows.iter().filter(|r| r.kind == "chisq").collect();
    if tests.is_empty() {
        return;
    }
    let stat = |r: &ModelRow| {
        let name = if r.df2.is_finite() { "F" } else { "χ²" };
        format!("{name} = {}", fixed(lang, r.statistic, 2))
    };
    let table_rows: Vec<Vec<String>> = tests
        .iter()
        .map(|r| {
            vec![
                names.model_title(&r.name).to_string(),
                names.term_variables(&r.term),
                stat(r),
                df_text(lang, r.df),
                df_text(lang, r.df2),
                p_text(lang, r.p_value),
                r.n.map_or_else(|| na(lang), |n| number(lang, n as f64)),
            ]
        })
        .collect();
    let _ = writeln!(s, "<h3>{}</h3>", l("chisq_tests"));
    let header = [l("test"), l("variables"), l("statistic"), l("df"), l("df2"), "p", "n"];
    let classes = sig_classes(tests.iter().map(|r| r.p_value));
    s.push_str(&table_with_classes(&header, &table_rows, 2, &classes));
    let read: Vec<String> = tests
        .iter()
        .map(|r| {
            let vars: Vec<&str> = r.term.split(':').map(|v| names.variable(v)).collect();
            let vars = match vars.split_last() {
                Some((last, first)) if !first.is_empty() => {
                    format!("{} {} {last}", first.join(", "), l("and"))
                }
                _ => vars.join(""),
            };
            let title = names.model_title(&r.name);
            let keys = ["chisq_sig", "chisq_ns"];
            reading(lang, keys, r.p_value, &[("name", title), ("vars", &vars), ("stat", &stat(r))])
        })
        .collect();
    sentences(s, &read);
}

/// The differences between groups: table and sentences (nothing without any).
pub(super) fn difference_block(
    s: &mut String,
    (lang, names): (Lang, Names),
    rows: &[ModelRow],
    estimates: &[EstimateRow],
) {
    let l = |k| label(lang, k);
    let diffs: Vec<&ModelRow> = rows.iter().filter(|r| r.kind == "difference").collect();
    if diffs.is_empty() {
        return;
    }
    let points: Vec<bool> = diffs.iter().map(|r| in_points(r, estimates)).collect();
    let value = |v: f64, pts: bool, unit: &str| {
        if pts && v.is_finite() {
            format!("{} {unit}", fixed(lang, 100.0 * v, 1)).trim_end().to_string()
        } else {
            short(lang, v)
        }
    };
    let table_rows: Vec<Vec<String>> = diffs
        .iter()
        .zip(&points)
        .map(|(r, &pts)| {
            let ci = format!("[{} ; {}]", value(r.ci_low, pts, ""), value(r.ci_high, pts, ""));
            let ci = if pts { format!("{ci} pts") } else { ci };
            vec![
                names.model_title(&r.name).to_string(),
                comparison(names, &r.term),
                value(r.estimate, pts, "pts"),
                value(r.se, pts, "pts"),
                ci,
                p_text(lang, r.p_value),
            ]
        })
        .collect();
    let _ = writeln!(s, "<h3>{}</h3>", l("differences"));
    let header = [l("test"), l("comparison"), l("difference"), l("se"), l("ci"), "p"];
    let classes = sig_classes(diffs.iter().map(|r| r.p_value));
    s.push_str(&table_with_classes(&header, &table_rows, 2, &classes));
    if points.contains(&true) {
        let _ = writeln!(s, "<p class=\"caption\">{}</p>", escape(l("points_caption")));
    }
    let read: Vec<String> = diffs
        .iter()
        .zip(&points)
        .map(|(r, &pts)| {
            let (a, b) = r.term.split_once(" - ").unwrap_or((&r.term, ""));
            let (a, b) = (names.term(a), names.term(b));
            let d = value(r.estimate, pts, l("points"));
            let title = names.model_title(&r.name);
            let vars = [("name", title), ("a", &a), ("b", &b), ("d", &d)];
            reading(lang, ["diff_sig", "diff_ns"], r.p_value, &vars)
        })
        .collect();
    sentences(s, &read);
}

/// `sex=M - sex=F` → "Sexe : Hommes − Sexe : Femmes".
fn comparison(names: Names, term: &str) -> String {
    match term.split_once(" - ") {
        Some((a, b)) => format!("{} − {}", names.term(a), names.term(b)),
        None => names.term(term),
    }
}

/// Whether the difference `var=a - var=b` is one of two proportions: two proportion
/// estimates of the same name, variable and category, by `var` alone, at `a` and `b`,
/// differ by exactly the difference.
fn in_points(r: &ModelRow, estimates: &[EstimateRow]) -> bool {
    let Some((a, b)) = r.term.split_once(" - ") else { return false };
    let (Some((va, la)), Some((vb, lb))) = (a.split_once('='), b.split_once('=')) else {
        return false;
    };
    if va != vb || !r.estimate.is_finite() {
        return false;
    }
    let at = |e: &EstimateRow, level: &str| {
        e.stat == "proportion"
            && e.domain.len() == 1
            && e.domain[0].0 == va
            && e.domain[0].1 == level
    };
    let tol = CONFIRM_RTOL * r.estimate.abs().max(1.0);
    estimates.iter().filter(|e| at(e, la)).any(|ea| {
        estimates.iter().any(|eb| {
            at(eb, lb)
                && eb.name == ea.name
                && eb.variable == ea.variable
                && eb.category == ea.category
                && (ea.estimate - eb.estimate - r.estimate).abs() <= tol
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_filled_in_one_pass() {
        let (t, u) = ("{a} and {b}", "{unknown} {");
        assert_eq!(fill(t, &[("a", "{b}"), ("b", "x")]), "{b} and x");
        assert_eq!(fill(u, &[]), "{unknown} {");
    }

    #[test]
    fn p_values_and_numbers_read_well() {
        assert_eq!(p_text(Lang::Fr, 1e-12), "< 0,001");
        assert_eq!(p_text(Lang::En, 0.18754), "0.188");
        assert_eq!(p_phrase(Lang::En, 0.5), "= 0.500");
        assert_eq!(p_text(Lang::En, f64::NAN), "n/a");
        assert_eq!(short(Lang::Fr, 1.610483), "1,61");
        assert_eq!(short(Lang::En, 0.507348), "0.507");
        assert_eq!(short(Lang::En, 12345.6), "12,346");
        assert_eq!(df_text(Lang::Fr, 13.848926), "13,8");
        assert_eq!(df_text(Lang::En, 483.0), "483");
        assert_eq!(df_text(Lang::En, f64::NAN), "–");
    }
}
