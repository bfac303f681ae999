//! Sections « Estimates » (one dot-and-whisker chart per estimate name, then the table of
//! every row, flagged rows highlighted) and « Map » (an estimate by region) of the run
//! report.

use super::labels::{label, na, number, percent};
use super::names::Names;
use super::svg::{self, Dot};
use super::{Lang, map};
use crate::error::{Error, Result};
use crate::estimate::EstimateRow;
use crate::model::{Correction, Significance, VersusOverall};
use crate::report::html::{escape, table_with_classes};
use crate::report::significance::Family;
use std::fmt::Write;

/// A proportion row.
fn is_proportion(r: &EstimateRow) -> bool {
    r.stat == "proportion"
}

fn is_flagged(r: &EstimateRow) -> bool {
    let f = &r.flags;
    f.empty || f.low_n || f.high_cv || f.suppressed
}

fn flag_text(lang: Lang, r: &EstimateRow) -> String {
    let f = &r.flags;
    let mut v: Vec<String> = [
        ("flag_empty", f.empty),
        ("flag_low_n", f.low_n),
        ("flag_high_cv", f.high_cv),
        ("flag_suppressed", f.suppressed),
    ]
    .iter()
    .filter(|(_, on)| *on)
    .map(|(k, _)| label(lang, k).to_string())
    .collect();
    if f.dropped_replicates > 0 {
        v.push(format!("{} : {}", label(lang, "flag_dropped"), f.dropped_replicates));
    }
    v.join(", ")
}

fn stat_text(lang: Lang, r: &EstimateRow) -> String {
    let key = if is_proportion(r) {
        "stat_proportion"
    } else {
        match r.stat {
            "total" => "stat_total",
            "mean" => "stat_mean",
            "ratio" => "stat_ratio",
            "quantile" => "stat_quantile",
            other => return other.to_string(),
        }
    };
    label(lang, key).to_string()
}

/// The domain of a row for readers ("Sexe : Hommes"), "Ensemble" / "All" for none.
fn domain_text(lang: Lang, names: Names, r: &EstimateRow) -> String {
    if r.domain.is_empty() { label(lang, "all").to_string() } else { names.domain(&r.domain) }
}

/// Estimate names for readers: those with a heading in file order, then the others in
/// order of first appearance; grouped by theme.
fn names_in_order<'a>(names: Names, rows: &'a [EstimateRow]) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for (n, _) in &names.labels.estimates {
        if let Some(r) = rows.iter().find(|r| &r.name == n)
            && !out.contains(&r.name.as_str())
        {
            out.push(&r.name);
        }
    }
    for n in estimate_names(rows) {
        if !out.contains(&n) {
            out.push(n);
        }
    }
    // Grouped by theme, themes in order of first appearance (stable: file order within).
    let mut themes: Vec<Option<&str>> = Vec::new();
    for n in &out {
        let t = names.estimate_theme(n);
        if !themes.contains(&t) {
            themes.push(t);
        }
    }
    out.sort_by_key(|n| themes.iter().position(|t| *t == names.estimate_theme(n)));
    out
}

/// Estimate names in order of first appearance.
fn estimate_names(rows: &[EstimateRow]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for r in rows {
        if !out.contains(&r.name.as_str()) {
            out.push(&r.name);
        }
    }
    out
}

/// The rows of one estimate in codebook order: categories, then domains (stable: rows
/// without labels keep their order).
fn sorted<'a>(names: Names, rows: &'a [EstimateRow], name: &str) -> Vec<&'a EstimateRow> {
    let mut group: Vec<&EstimateRow> = rows.iter().filter(|r| r.name == name).collect();
    group.sort_by_key(|r| {
        let cat = r.category.as_deref().map_or(0, |c| names.rank(&r.variable, c));
        let dom: Vec<usize> = r.domain.iter().map(|(v, c)| names.rank(v, c)).collect();
        (cat, dom)
    });
    group
}

/// The estimates section: per theme (in file order), a chart per estimate under its
/// title, then the table of every row.
///
/// With `significance`, the value of a domain that differs from the whole (after the
/// correction over the domains of its estimate) is followed by `*` in the table.
pub(super) fn section(
    (lang, names): (Lang, Names),
    rows: &[EstimateRow],
    significance: Option<(&[VersusOverall], Significance)>,
) -> String {
    let l = |k| label(lang, k);
    if rows.is_empty() {
        return format!("<p>{}</p>\n", na(lang));
    }
    let mut s = format!(
        "<p class=\"caption\">{} {}</p>\n",
        escape(l("dot_caption")),
        escape(l("flag_legend"))
    );
    let mut star = None;
    if let Some((diffs, rule)) = significance.filter(|(d, _)| !d.is_empty()) {
        star = Some((diffs, rule));
        let level = crate::report::publication::number(rule.level * 100.0, 0, lang);
        let c = match rule.correction {
            Correction::Holm => "Holm",
            Correction::Bonferroni => "Bonferroni",
            Correction::None => "-",
        };
        let text = match lang {
            Lang::Fr => format!(
                "* : différence significative avec l'ensemble des domaines de l'estimation au seuil de {level} % (test z, covariance selon le plan de sondage ; correction des comparaisons multiples : {c})."
            ),
            Lang::En => format!(
                "*: significantly different from all the domains of the estimate together at the {level}% level (z test, design-based covariance; correction for multiple comparisons: {c})."
            ),
        };
        let _ = writeln!(s, "<p class=\"caption\">{}</p>", escape(&text));
    }
    let order = names_in_order(names, rows);
    let mut theme: Option<&str> = None;
    let mut table_rows: Vec<&EstimateRow> = Vec::new();
    for name in &order {
        let t = names.estimate_theme(name);
        if t.is_some() && t != theme {
            let _ = writeln!(s, "<h3 class=\"theme\">{}</h3>", escape(t.unwrap_or_default()));
        }
        theme = t;
        let group = sorted(names, rows, name);
        chart(&mut s, (lang, names), name, &group, theme.is_some());
        table_rows.extend(group);
    }
    let _ = writeln!(s, "<h3>{}</h3>", l("estimates_table"));
    s.push_str("<div class=\"wide\">");
    s.push_str(&estimates_table(lang, names, &table_rows, star));
    s.push_str("</div>\n");
    s
}

/// The dot-and-whisker chart of the rows of one estimate name, under its title (`<h4>`
/// under a theme, else `<h3>`).
fn chart(
    s: &mut String,
    (lang, names): (Lang, Names),
    name: &str,
    group: &[&EstimateRow],
    themed: bool,
) {
    let l = |k| label(lang, k);
    let pct = group.iter().all(|r| is_proportion(r));
    let mut prev: Option<&Option<String>> = None;
    let dots: Vec<Dot> = group
        .iter()
        .map(|r| {
            let separator = prev.is_some_and(|p| *p != r.category);
            prev = Some(&r.category);
            dot(lang, names, r, separator)
        })
        .collect();
    let first = group[0];
    let var = names.variable(&first.variable);
    let x_label = if pct {
        format!("{} (%) — {var}", l("estimate"))
    } else {
        format!("{} — {} {var}", l("estimate"), stat_text(lang, first))
    };
    let title = names.estimate_title(name);
    let h = if themed { "h4" } else { "h3" };
    let _ = writeln!(s, "<{h}>{}</{h}>", escape(title));
    s.push_str(&svg::dot_whisker(lang, title, &x_label, &dots, pct));
}

/// One line of a chart: the row's category and domain labels, its estimate and interval.
fn dot(lang: Lang, names: Names, r: &EstimateRow, separator: bool) -> Dot {
    let mut parts: Vec<String> =
        r.category.iter().map(|c| names.value(&r.variable, c).to_string()).collect();
    parts.extend(r.domain.iter().map(|(v, c)| names.value(v, c).to_string()));
    Dot {
        label: if parts.is_empty() { label(lang, "all").to_string() } else { parts.join(" · ") },
        estimate: r.estimate,
        low: r.ci_low,
        high: r.ci_high,
        flagged: is_flagged(r),
        separator,
    }
}

/// The table of every estimate row (flagged rows with class `flag`).
fn estimates_table(
    lang: Lang,
    names: Names,
    rows: &[&EstimateRow],
    star: Option<(&[VersusOverall], Significance)>,
) -> String {
    let l = |k| label(lang, k);
    // One family of comparisons per estimate (the correction is per estimate, as in the
    // publication tables).
    let mut families: Vec<(String, Option<Family>)> = Vec::new();
    if let Some((diffs, rule)) = star {
        for r in rows {
            if !families.iter().any(|(n, _)| *n == r.name) {
                families.push((r.name.clone(), Family::of(&r.name, diffs, rule)));
            }
        }
    }
    let differs = |r: &EstimateRow| -> bool {
        let f = families.iter().find(|(n, _)| *n == r.name).and_then(|(_, f)| f.as_ref());
        f.is_some_and(|f| f.differs(&r.category, &r.domain))
    };
    let value =
        |r: &EstimateRow, v: f64| if is_proportion(r) { percent(lang, v) } else { number(lang, v) };
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                names.estimate_title(&r.name).to_string(),
                stat_text(lang, r),
                names.variable(&r.variable).to_string(),
                r.category.as_deref().map_or("", |c| names.value(&r.variable, c)).to_string(),
                domain_text(lang, names, r),
                value(r, r.estimate) + if r.estimate.is_finite() && differs(r) { "*" } else { "" },
                value(r, r.se),
                value(r, r.ci_low),
                value(r, r.ci_high),
                percent(lang, r.cv),
                number(lang, r.n as f64),
                flag_text(lang, r),
            ]
        })
        .collect();
    let classes: Vec<Option<&str>> = rows.iter().map(|r| is_flagged(r).then_some("flag")).collect();
    let header = [
        l("estimate_title"),
        l("stat"),
        l("variable"),
        l("category"),
        l("domain"),
        l("estimate"),
        l("se"),
        l("ci_low"),
        l("ci_high"),
        l("cv"),
        l("n"),
        l("flags"),
    ];
    table_with_classes(&header, &table_rows, 5, &classes)
}

/// Is `code` one of the regions drawn on the map.
fn is_region(code: &str) -> bool {
    map::MAINLAND.iter().any(|r| r.0 == code) || map::OVERSEAS.iter().any(|r| r.0 == code)
}

/// A row drawn on the map: one domain, a region code.
fn by_region(r: &EstimateRow) -> bool {
    r.domain.len() == 1 && is_region(&r.domain[0].1)
}

/// The map section: the estimate `name` by region, its category `category` (a code; by
/// default the first in codebook order).
///
/// # Errors
/// `name` names no estimate, `category` none of its categories, or the estimate has no
/// row by region.
pub(super) fn map_section(
    (lang, names): (Lang, Names),
    rows: &[EstimateRow],
    name: &str,
    category: Option<&str>,
) -> Result<String> {
    let group = sorted(names, rows, name);
    if group.is_empty() {
        let known = estimate_names(rows).join(", ");
        return Err(Error::method(
            "report",
            format!("map: no estimate named '{name}'; name one of: {known}"),
        ));
    }
    let category = map_category(&group, name, category)?;
    let drawn: Vec<&EstimateRow> =
        group.iter().copied().filter(|r| r.category == category && by_region(r)).collect();
    if drawn.is_empty() {
        return Err(Error::method(
            "report",
            format!(
                "map: estimate '{name}' has no row by region (a single `by` variable whose \
                 values are region codes 11 … 94, 971 … 976); give `by: [region]` to that \
                 estimate or drop `map`"
            ),
        ));
    }
    let first = group[0];
    let shown = category.as_deref().map(|c| names.value(&first.variable, c));
    let mut s = String::new();
    if let Some(c) = shown {
        let (colon, var) = (if lang == Lang::Fr { " : " } else { ": " }, &first.variable);
        let what = format!("{}{colon}{}", names.variable(var), c);
        let _ =
            writeln!(s, "<p>{}{colon}{}</p>", escape(label(lang, "map_category")), escape(&what));
    }
    let title = match shown {
        Some(c) => format!("{} — {c}", names.estimate_title(name)),
        None => names.estimate_title(name).to_string(),
    };
    s.push_str(&region_map(lang, names, &title, &drawn));
    let _ = writeln!(s, "<p class=\"caption\">{}</p>", escape(label(lang, "map_caption")));
    not_drawn(&mut s, (lang, names), &group, &category);
    Ok(s)
}

/// The category drawn: `wanted` when the estimate has it, else the first (codebook order).
///
/// # Errors
/// `wanted` is none of the estimate's categories.
fn map_category(
    group: &[&EstimateRow],
    name: &str,
    wanted: Option<&str>,
) -> Result<Option<String>> {
    let Some(w) = wanted else { return Ok(group[0].category.clone()) };
    if group.iter().any(|r| r.category.as_deref() == Some(w)) {
        return Ok(Some(w.to_string()));
    }
    let mut known: Vec<&str> = Vec::new();
    for c in group.iter().filter_map(|r| r.category.as_deref()) {
        if !known.contains(&c) {
            known.push(c);
        }
    }
    let fix = if known.is_empty() {
        "this estimate has no category: drop `category`".to_string()
    } else {
        format!("give one of: {}", known.join(", "))
    };
    Err(Error::method(
        "report",
        format!("map: estimate '{name}' has no category '{w}' (report.map.category); {fix}"),
    ))
}

/// The SVG map of rows by region.
fn region_map(lang: Lang, names: Names, title: &str, drawn: &[&EstimateRow]) -> String {
    let pct = drawn.iter().all(|r| is_proportion(r));
    let values: Vec<map::RegionValue> = drawn
        .iter()
        .map(|r| {
            let (var, code) = &r.domain[0];
            map::RegionValue {
                code: code.clone(),
                name: names.labels.value(var, code).map(|t| t.get(names.en).to_string()),
                value: r.estimate,
                flagged: is_flagged(r),
            }
        })
        .collect();
    map::render(lang, title, &values, pct)
}

/// The rows of the category drawn that the map does not show, as a caption.
fn not_drawn(
    s: &mut String,
    (lang, names): (Lang, Names),
    group: &[&EstimateRow],
    category: &Option<String>,
) {
    let other: Vec<String> = group
        .iter()
        .filter(|r| r.category == *category && !by_region(r))
        .map(|r| domain_text(lang, names, r))
        .collect();
    if !other.is_empty() {
        let colon = if lang == Lang::Fr { " : " } else { ": " };
        let _ = writeln!(
            s,
            "<p class=\"caption\">{}{colon}{}</p>",
            escape(label(lang, "map_not_drawn")),
            escape(&other.join(" ; "))
        );
    }
}
