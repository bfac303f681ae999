//! Section « Models and tests » of the run report: per model a forest plot of the odds or
//! rate ratios (coefficients for an identity link) grouped by term, the reference levels,
//! the Wald tests of terms and the table of coefficients; then the Rao–Scott tests of
//! independence and the differences between groups, each with a sentence for readers.
//!
//! The rows carry no reference level: the caption names the level of a variable that the
//! other rows (other models, differences, estimates by domain) show and this model's
//! coefficients lack, when exactly one is missing, and says "relative to the reference
//! level" otherwise. A difference is written in percentage points when two proportion
//! estimates of the same domains confirm it (their difference equals it); as is otherwise.

use super::forest::{self, ALPHA, Group, Item, Scale};
use super::labels::{fixed, label, na, number};
use super::names::Names;
use super::readings::{fill, p_phrase, p_text, short};
use super::{Lang, readings};
use crate::estimate::EstimateRow;
use crate::model::ModelRow;
use crate::report::html::{escape, table_with_classes};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// The label of the intercept, left out of the plot.
const INTERCEPT: &str = "(Intercept)";

/// The models section, `None` when there is no row at all.
pub(super) fn section(
    (lang, names): (Lang, Names),
    rows: &[ModelRow],
    estimates: &[EstimateRow],
) -> Option<String> {
    if rows.is_empty() {
        return None;
    }
    let mut s = format!("<p class=\"caption\">{}</p>\n", escape(label(lang, "models_caption")));
    let known = known_levels(rows, estimates);
    for name in model_names(rows) {
        let model: Vec<&ModelRow> = rows.iter().filter(|r| r.name == name).collect();
        model_block(&mut s, (lang, names), name, &model, &known);
    }
    readings::chisq_block(&mut s, (lang, names), rows);
    readings::difference_block(&mut s, (lang, names), rows, estimates);
    Some(s)
}

/// Names of the models (rows of coefficients or term tests), in order of first appearance.
fn model_names(rows: &[ModelRow]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for r in rows.iter().filter(|r| matches!(r.kind, "coefficient" | "term_test")) {
        if !out.contains(&r.name.as_str()) {
            out.push(&r.name);
        }
    }
    out
}

/// The parts of a coefficient label `a=1:b=2:x`: (variable, level) pairs, no level for a
/// numeric variable.
fn parts(term: &str) -> Vec<(&str, Option<&str>)> {
    term.split(':')
        .map(|p| match p.split_once('=') {
            Some((v, l)) => (v, Some(l)),
            None => (p, None),
        })
        .collect()
}

/// The term of a coefficient label (`sex=M:age_group=18-29` → `sex:age_group`).
fn term_of(label: &str) -> String {
    parts(label).iter().map(|(v, _)| *v).collect::<Vec<_>>().join(":")
}

/// Every level of every variable that the rows and the estimates show.
fn known_levels<'a>(
    rows: &'a [ModelRow],
    estimates: &'a [EstimateRow],
) -> BTreeMap<&'a str, BTreeSet<&'a str>> {
    let mut known: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut add = |v: &'a str, l: &'a str| {
        known.entry(v).or_default().insert(l);
    };
    for r in rows {
        let labels: Vec<&str> = match r.kind {
            "coefficient" => vec![r.term.as_str()],
            "difference" => r.term.split(" - ").collect(),
            _ => vec![],
        };
        for (v, l) in labels.into_iter().flat_map(parts) {
            if let Some(l) = l {
                add(v, l);
            }
        }
    }
    for e in estimates {
        for (v, l) in &e.domain {
            add(v, l);
        }
        if let Some(c) = &e.category {
            add(&e.variable, c);
        }
    }
    known
}

/// One model: heading, forest plot, reference levels, term tests, coefficients.
fn model_block(
    s: &mut String,
    (lang, names): (Lang, Names),
    name: &str,
    model: &[&ModelRow],
    known: &BTreeMap<&str, BTreeSet<&str>>,
) {
    let l = |k| label(lang, k);
    let coefs: Vec<&ModelRow> = model.iter().copied().filter(|r| r.kind == "coefficient").collect();
    let shown: Vec<&ModelRow> = coefs.iter().copied().filter(|r| r.term != INTERCEPT).collect();
    let scale = if shown.iter().all(|r| r.exp.is_some()) { Scale::Log } else { Scale::Linear };
    let title = names.model_title(name);
    let _ = writeln!(s, "<h3>{}</h3>", escape(title));
    if !shown.is_empty() {
        let axis = l(if scale == Scale::Log { "ratio_axis" } else { "coef_axis" });
        let groups = groups((lang, names), &shown, scale);
        s.push_str(&forest::forest(lang, title, axis, &groups, scale));
        if let Some(c) = reference_caption((lang, names), &shown, known) {
            let _ = writeln!(s, "<p class=\"caption\">{}</p>", escape(&c));
        }
    }
    let tests: Vec<&ModelRow> = model.iter().copied().filter(|r| r.kind == "term_test").collect();
    if !tests.is_empty() {
        let _ = writeln!(s, "<h4>{}</h4>", l("term_tests"));
        s.push_str(&term_tests_table((lang, names), &tests));
        let _ = writeln!(s, "<p>{}</p>", escape(&terms_reading((lang, names), &tests)));
    }
    if !coefs.is_empty() {
        let n =
            coefs.iter().find_map(|r| r.n).map(|n| format!(" — n = {}", number(lang, n as f64)));
        let _ = writeln!(
            s,
            "<details><summary>{} ({}){}</summary>",
            l("coefficients"),
            coefs.len(),
            escape(&n.unwrap_or_default())
        );
        s.push_str(&coefficients_table((lang, names), &coefs, scale));
        s.push_str("</details>\n");
    }
}

/// The coefficients grouped by term, in order of first appearance.
fn groups((lang, names): (Lang, Names), shown: &[&ModelRow], scale: Scale) -> Vec<Group> {
    let mut terms: Vec<String> = Vec::new();
    for r in shown {
        let t = term_of(&r.term);
        if !terms.contains(&t) {
            terms.push(t);
        }
    }
    terms
        .iter()
        .map(|t| {
            let rows: Vec<&&ModelRow> = shown.iter().filter(|r| term_of(&r.term) == *t).collect();
            let factor = parts(&rows[0].term).iter().any(|(_, l)| l.is_some());
            Group {
                title: factor.then(|| names.term_variables(t)),
                items: rows.iter().map(|r| item((lang, names), r, scale, factor)).collect(),
            }
        })
        .collect()
}

/// One line of the plot: the levels of the coefficient (its label for a numeric term).
fn item((lang, names): (Lang, Names), r: &ModelRow, scale: Scale, factor: bool) -> Item {
    let label = if factor {
        let level = |(v, l): &(&str, Option<&str>)| {
            l.map_or(names.variable(v), |l| names.value(v, l)).to_string()
        };
        parts(&r.term).iter().map(level).collect::<Vec<_>>().join(" × ")
    } else {
        names.term(&r.term)
    };
    let [estimate, low, high] = match (scale, r.exp) {
        (Scale::Log, Some(e)) => e,
        _ => [r.estimate, r.ci_low, r.ci_high],
    };
    let value = format!("{} {}", short(lang, estimate), interval(lang, low, high));
    let tooltip = format!("{}: {value}, p {}", names.term(&r.term), p_phrase(lang, r.p_value));
    Item { label, estimate, low, high, p: r.p_value, value, tooltip }
}

/// `[low ; high]`.
fn interval(lang: Lang, low: f64, high: f64) -> String {
    format!("[{} ; {}]", short(lang, low), short(lang, high))
}

/// "Reference levels: a = x; b = y. c, d: relative to the reference level …" for the
/// factors of the main effects; `None` without any factor.
fn reference_caption(
    (lang, names): (Lang, Names),
    shown: &[&ModelRow],
    known: &BTreeMap<&str, BTreeSet<&str>>,
) -> Option<String> {
    let mut seen: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for r in shown {
        for (v, l) in parts(&r.term) {
            if let Some(l) = l {
                seen.entry(v).or_default().insert(l);
                if !order.contains(&v) {
                    order.push(v);
                }
            }
        }
    }
    let (mut found, mut unknown) = (Vec::new(), Vec::new());
    for v in order {
        let missing: Vec<&&str> =
            known.get(v).map(|k| k.difference(&seen[v]).collect()).unwrap_or_default();
        match missing.as_slice() {
            [one] => found.push(format!("{} = {}", names.variable(v), names.value(v, one))),
            _ => unknown.push(names.variable(v)),
        }
    }
    let (colon, semi) = if lang == Lang::Fr { (" : ", " ; ") } else { (": ", "; ") };
    let mut out = Vec::new();
    if !found.is_empty() {
        out.push(format!("{}{colon}{}.", label(lang, "reference_levels"), found.join(semi)));
    }
    if !unknown.is_empty() {
        out.push(format!("{}{colon}{}.", unknown.join(", "), label(lang, "reference_unknown")));
    }
    (!out.is_empty()).then(|| out.join(" "))
}

/// Wald tests of the terms: term, F, df, df2, p (significant rows bold).
fn term_tests_table((lang, names): (Lang, Names), tests: &[&ModelRow]) -> String {
    let l = |k| label(lang, k);
    let rows: Vec<Vec<String>> = tests
        .iter()
        .map(|r| {
            vec![
                names.term_variables(&r.term),
                fixed(lang, r.statistic, 2),
                readings::df_text(lang, r.df),
                readings::df_text(lang, r.df2),
                p_text(lang, r.p_value),
            ]
        })
        .collect();
    let classes = readings::sig_classes(tests.iter().map(|r| r.p_value));
    table_with_classes(&[l("term"), "F", l("df"), l("df2"), "p"], &rows, 1, &classes)
}

/// "Terms significant at the 5% level: a, b. Terms not significant: c."
fn terms_reading((lang, names): (Lang, Names), tests: &[&ModelRow]) -> String {
    let pick = |sig: bool| {
        let v: Vec<String> = tests
            .iter()
            .filter(|r| r.p_value.is_finite() && (r.p_value < ALPHA) == sig)
            .map(|r| names.term_variables(&r.term))
            .collect();
        if v.is_empty() { label(lang, "no_term").to_string() } else { v.join(", ") }
    };
    fill(label(lang, "terms_reading"), &[("sig", &pick(true)), ("ns", &pick(false))])
}

/// Every coefficient (intercept included): β, SE, ratio (log and logit links), interval,
/// p (significant rows bold).
fn coefficients_table((lang, names): (Lang, Names), coefs: &[&ModelRow], scale: Scale) -> String {
    let l = |k| label(lang, k);
    let ratio = scale == Scale::Log;
    let rows: Vec<Vec<String>> = coefs
        .iter()
        .map(|r| {
            let mut v = vec![names.term(&r.term), short(lang, r.estimate), short(lang, r.se)];
            match (ratio, r.exp) {
                (true, Some([e, lo, hi])) => v.extend([short(lang, e), interval(lang, lo, hi)]),
                (true, None) => v.extend([na(lang), interval(lang, r.ci_low, r.ci_high)]),
                (false, _) => v.push(interval(lang, r.ci_low, r.ci_high)),
            }
            v.push(p_text(lang, r.p_value));
            v
        })
        .collect();
    let mut header = vec![l("coefficient"), "β", l("se")];
    if ratio {
        header.extend([l("ratio"), l("ratio_ci")]);
    } else {
        header.push(l("ci"));
    }
    header.push("p");
    let classes = readings::sig_classes(coefs.iter().map(|r| r.p_value));
    table_with_classes(&header, &rows, 1, &classes)
}
