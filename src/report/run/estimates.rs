//! Sections « Estimates » (one dot-and-whisker chart per estimate name, then the table of
//! every row, flagged rows highlighted) and « Map » (an estimate by region) of the run
//! report.

use super::labels::{label, na, number, percent};
use super::svg::{self, Dot};
use super::{Lang, map};
use crate::error::{Error, Result};
use crate::estimate::EstimateRow;
use crate::report::html::{escape, table_with_classes};
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

fn domain_text(r: &EstimateRow) -> String {
    r.domain.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>().join(", ")
}

/// Estimate names in order of first appearance.
fn names(rows: &[EstimateRow]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for r in rows {
        if !out.contains(&r.name.as_str()) {
            out.push(&r.name);
        }
    }
    out
}

/// The estimates section: a chart per estimate name, then the table.
pub(super) fn section(lang: Lang, rows: &[EstimateRow]) -> String {
    let l = |k| label(lang, k);
    if rows.is_empty() {
        return format!("<p>{}</p>\n", na(lang));
    }
    let mut s = format!(
        "<p class=\"caption\">{} {}</p>\n",
        escape(l("dot_caption")),
        escape(l("flag_legend"))
    );
    for name in names(rows) {
        let group: Vec<&EstimateRow> = rows.iter().filter(|r| r.name == name).collect();
        chart(&mut s, lang, name, &group);
    }
    let _ = writeln!(s, "<h3>{}</h3>", l("estimates"));
    s.push_str("<div class=\"wide\">");
    s.push_str(&estimates_table(lang, rows));
    s.push_str("</div>\n");
    s
}

/// The dot-and-whisker chart of the rows of one estimate name, under its heading.
fn chart(s: &mut String, lang: Lang, name: &str, group: &[&EstimateRow]) {
    let l = |k| label(lang, k);
    let pct = group.iter().all(|r| is_proportion(r));
    let mut prev: Option<&Option<String>> = None;
    let dots: Vec<Dot> = group
        .iter()
        .map(|r| {
            let separator = prev.is_some_and(|p| *p != r.category);
            prev = Some(&r.category);
            dot(lang, r, separator)
        })
        .collect();
    let first = group[0];
    let x_label = if pct {
        format!("{} (%) — {}", l("estimate"), first.variable)
    } else {
        format!("{} — {} {}", l("estimate"), stat_text(lang, first), first.variable)
    };
    let _ = writeln!(s, "<h3>{}</h3>", escape(name));
    s.push_str(&svg::dot_whisker(lang, name, &x_label, &dots, pct));
}

/// One line of a chart: the row's category and domain labels, its estimate and interval.
fn dot(lang: Lang, r: &EstimateRow, separator: bool) -> Dot {
    let mut parts: Vec<String> = r.category.iter().cloned().collect();
    parts.extend(r.domain.iter().map(|(_, v)| v.clone()));
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
fn estimates_table(lang: Lang, rows: &[EstimateRow]) -> String {
    let l = |k| label(lang, k);
    let value =
        |r: &EstimateRow, v: f64| if is_proportion(r) { percent(lang, v) } else { number(lang, v) };
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                stat_text(lang, r),
                r.variable.clone(),
                r.category.clone().unwrap_or_default(),
                domain_text(r),
                value(r, r.estimate),
                value(r, r.se),
                value(r, r.ci_low),
                value(r, r.ci_high),
                percent(lang, r.cv),
                r.n.to_string(),
                flag_text(lang, r),
            ]
        })
        .collect();
    let classes: Vec<Option<&str>> = rows.iter().map(|r| is_flagged(r).then_some("flag")).collect();
    let header = [
        l("name"),
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

/// The map section: the estimate `name` by region (its first category).
///
/// # Errors
/// `name` names no estimate, or an estimate without any row by region.
pub(super) fn map_section(lang: Lang, rows: &[EstimateRow], name: &str) -> Result<String> {
    let group: Vec<&EstimateRow> = rows.iter().filter(|r| r.name == name).collect();
    if group.is_empty() {
        return Err(Error::method(
            "report",
            format!("map: no estimate named '{name}'; name one of: {}", names(rows).join(", ")),
        ));
    }
    // The first category (proportions of every category give one map per category; the
    // report draws the first and says which).
    let category = group[0].category.clone();
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
    let mut s = String::new();
    if let Some(c) = &category {
        let _ = writeln!(s, "<p>{} : {}</p>", escape(label(lang, "map_first_category")), escape(c));
    }
    s.push_str(&region_map(lang, name, category.as_deref(), &drawn));
    let _ = writeln!(s, "<p class=\"caption\">{}</p>", escape(label(lang, "map_caption")));
    not_drawn(&mut s, lang, &group, &category);
    Ok(s)
}

/// The SVG map of rows by region.
fn region_map(lang: Lang, name: &str, category: Option<&str>, drawn: &[&EstimateRow]) -> String {
    let pct = drawn.iter().all(|r| is_proportion(r));
    let values: Vec<map::RegionValue> = drawn
        .iter()
        .map(|r| map::RegionValue {
            code: r.domain[0].1.clone(),
            value: r.estimate,
            flagged: is_flagged(r),
        })
        .collect();
    let title = match category {
        Some(c) => format!("{name} — {c}"),
        None => name.to_string(),
    };
    map::render(lang, &title, &values, pct)
}

/// The rows of the estimate's first category that the map does not show, as a caption.
fn not_drawn(s: &mut String, lang: Lang, group: &[&EstimateRow], category: &Option<String>) {
    let other: Vec<String> = group
        .iter()
        .filter(|r| r.category == *category && !by_region(r))
        .map(|r| if r.domain.is_empty() { label(lang, "all").to_string() } else { domain_text(r) })
        .collect();
    if !other.is_empty() {
        let _ = writeln!(
            s,
            "<p class=\"caption\">{} : {}</p>",
            escape(label(lang, "map_not_drawn")),
            escape(&other.join(" ; "))
        );
    }
}
