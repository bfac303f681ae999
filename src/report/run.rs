//! The HTML report of a `ponder run` (sample → collection → nonresponse → calibration →
//! replicates → estimates): one self-contained page, inline SVG plots, no script, no
//! external resource, labels in French or English.
//!
//! # Public API
//! ```text
//! Lang::{Fr, En} (serde lowercase, default Fr); Lang::parse("fr" | "en")
//! WeightStep { key: "design" | "nonresponse" | "calibration", weights: &[f64] }
//! RunReport { lang, title, facts: Vec<(String, String)>, steps: Vec<WeightStep>, g: &[f64],
//!             calibration: Option<&calibration::Report>, nonresponse: Option<&nonresponse::Report>,
//!             estimates: &[EstimateRow], map: Option<&str> }
//! render(&RunReport) -> Result<String>
//! ```
//!
//! Sections: key figures; collection and nonresponse (outcomes, response rates by phase and
//! by group as bar charts, R-indicator, partial R-indicators, profiles, Kish deffs, notes);
//! weight distributions (box plots on a log scale + table); calibration (summary, margins
//! before/after, histogram of g); estimates (one dot-and-whisker chart per estimate name,
//! table of all rows, flagged rows highlighted); map by region (optional).
//!
//! Proportions are shown in percent with one decimal; non-finite values as "n.d." / "n/a".
//! The output is a pure function of the input (same input → same bytes).

mod labels;
mod map;
mod svg;

pub use labels::label;

use crate::calibration::Report as CalReport;
use crate::error::{Error, Result};
use crate::estimate::EstimateRow;
use crate::nonresponse::Report as NrReport;
use crate::report::html::{escape, histogram_svg_labelled, page_with, table, table_with_classes};
use labels::{fixed, na, number, percent, sci};
use std::fmt::Write;
use svg::{BarGroup, BoxStats, Dot};

/// Language of labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Français.
    #[default]
    Fr,
    /// English.
    En,
}

impl Lang {
    /// `"fr"` or `"en"` (case-insensitive).
    pub fn parse(s: &str) -> Option<Lang> {
        match s.to_ascii_lowercase().as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The HTML `lang` code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }
}

/// One weighting step: the weights of the respondent rows (or all rows for the design
/// step), in row order.
#[derive(Debug, Clone, Copy)]
pub struct WeightStep<'a> {
    /// `design`, `nonresponse` or `calibration` (other keys are shown as given).
    pub key: &'static str,
    /// Weights.
    pub weights: &'a [f64],
}

/// Everything the run report shows.
#[derive(Debug, Clone)]
pub struct RunReport<'a> {
    /// Language of the labels.
    pub lang: Lang,
    /// Title (e.g. "Les Français et la justice 2024").
    pub title: String,
    /// Key figures already labelled (shown as a table at the top).
    pub facts: Vec<(String, String)>,
    /// Weights at each step.
    pub steps: Vec<WeightStep<'a>>,
    /// Calibration ratios g = w_cal / w_nr of respondents.
    pub g: &'a [f64],
    /// Calibration report.
    pub calibration: Option<&'a CalReport>,
    /// Nonresponse report.
    pub nonresponse: Option<&'a NrReport>,
    /// Estimates.
    pub estimates: &'a [EstimateRow],
    /// Name of an estimate by region to draw as a map.
    pub map: Option<&'a str>,
}

const CSS: &str = "h2{border-bottom:2px solid #4c78a8;padding-bottom:.2em;margin-top:2em}\
     h3{margin-top:1.5em}svg{display:block;margin:1em 0;max-width:100%;height:auto}\
     tr.flag td{background:#fde3c8}p.caption{color:#555;font-size:.9em}\
     nav ul{columns:2}td.l,th.l{max-width:30em}td{white-space:nowrap}td.l{white-space:normal}\
     div.wide{overflow-x:auto}div.wide td{white-space:nowrap}div.wide td:last-child{white-space:normal}\
     body{max-width:78em;padding:0 1em}";

/// Renders the report as one HTML document.
///
/// # Errors
/// `map` names no estimate, or an estimate without any row by region (domain label among
/// the region codes "11" … "94", "971" … "976").
pub fn render(report: &RunReport) -> Result<String> {
    let lang = report.lang;
    let l = |k| label(lang, k);
    let map_section = match report.map {
        Some(name) => Some(map_section(lang, report.estimates, name)?),
        None => None,
    };
    let mut sections: Vec<(&str, &str, String)> =
        vec![("facts", l("facts"), facts_section(report))];
    if let Some(nr) = report.nonresponse {
        sections.push(("nonresponse", l("nonresponse"), nonresponse_section(lang, nr)));
    }
    sections.push(("weights", l("weights"), weights_section(lang, &report.steps)));
    if let Some(cal) = report.calibration {
        sections.push(("calibration", l("calibration"), calibration_section(lang, cal, report.g)));
    }
    sections.push(("estimates", l("estimates"), estimates_section(lang, report.estimates)));
    if let Some(m) = map_section {
        sections.push(("map", l("map"), m));
    }
    let mut body = format!(
        "<p class=\"caption\">{}</p>\n<nav><h2>{}</h2><ul>\n",
        l("doc_subtitle"),
        l("contents")
    );
    for (id, title, _) in &sections {
        let _ = writeln!(body, "<li><a href=\"#{id}\">{}</a></li>", escape(title));
    }
    body.push_str("</ul></nav>\n");
    for (id, title, html) in &sections {
        let _ =
            writeln!(body, "<section id=\"{id}\">\n<h2>{}</h2>\n{html}</section>", escape(title));
    }
    Ok(page_with(lang.code(), &report.title, CSS, &body))
}

fn facts_section(report: &RunReport) -> String {
    let rows: Vec<Vec<String>> =
        report.facts.iter().map(|(k, v)| vec![k.clone(), v.clone()]).collect();
    table(&[label(report.lang, "item"), label(report.lang, "value")], &rows, 2)
}

fn yes_no(lang: Lang, b: bool) -> String {
    label(lang, if b { "yes" } else { "no" }).to_string()
}

fn nonresponse_section(lang: Lang, nr: &NrReport) -> String {
    let l = |k| label(lang, k);
    let r = &nr.r_indicator;
    let mut summary = vec![
        vec![l("nr_method").to_string(), nr.method.to_string()],
        vec![l("nr_phases").to_string(), nr.phases.to_string()],
        vec![l("n_sampled").to_string(), nr.n_sampled.to_string()],
    ];
    if let Some(g) = nr.score_groups_initial {
        summary.push(vec![l("initial_groups").to_string(), g.to_string()]);
    }
    summary.push(vec![format!("{} : {}", l("r_indicator"), l("r_value")), fixed(lang, r.r, 3)]);
    summary.push(vec![l("sd_p").to_string(), fixed(lang, r.sd_propensity, 4)]);
    summary.push(vec![l("mean_p").to_string(), fixed(lang, r.mean_propensity, 4)]);
    for (k, v) in [
        ("kish_design", nr.kish.design_weights),
        ("kish_adjusted", nr.kish.adjusted_weights),
        ("kish_factors", nr.kish.adjustment_factors),
    ] {
        summary.push(vec![format!("{} — {}", l("kish_nr"), l(k)), fixed(lang, v, 3)]);
    }
    let mut s = table(&[l("item"), l("value")], &summary, 1);

    let _ = writeln!(s, "<h3>{}</h3>", l("outcomes"));
    let rows: Vec<Vec<String>> = nr
        .outcomes
        .iter()
        .map(|o| vec![l(o.outcome.label()).to_string(), o.n.to_string(), number(lang, o.weight)])
        .collect();
    s.push_str(&table(&[l("outcome"), l("units"), l("design_weight_sum")], &rows, 1));

    let _ = writeln!(s, "<h3>{}</h3>", l("rates_by_phase"));
    let rates = &nr.response_rates;
    let phases: Vec<(&str, &crate::nonresponse::diagnostics::Rate)> = [
        ("overall", Some(&rates.overall)),
        ("web", rates.web.as_ref()),
        ("phone", rates.phone.as_ref()),
    ]
    .into_iter()
    .filter_map(|(k, r)| r.map(|r| (l(k), r)))
    .collect();
    let groups: Vec<BarGroup> = phases
        .iter()
        .map(|(name, r)| BarGroup {
            label: name.to_string(),
            values: vec![r.rate, r.weighted_rate],
            note: Some(format!("{} / {}", r.n_respondents, r.n_base)),
        })
        .collect();
    s.push_str(&svg::bar_chart(
        lang,
        l("rates_by_phase"),
        l("response_rate_pct"),
        &[l("rate"), l("weighted_rate")],
        &groups,
    ));
    let rows: Vec<Vec<String>> = phases
        .iter()
        .map(|(name, r)| {
            vec![
                name.to_string(),
                r.n_base.to_string(),
                r.n_respondents.to_string(),
                percent(lang, r.rate),
                percent(lang, r.weighted_rate),
            ]
        })
        .collect();
    s.push_str(&table(
        &[l("phase"), l("base"), l("respondents"), l("rate"), l("weighted_rate")],
        &rows,
        1,
    ));
    if let Some(n) = rates.n_not_relaunched {
        let _ = writeln!(s, "<p>{} : {n}</p>", escape(l("not_relaunched")));
    }

    if !nr.groups.is_empty() {
        let _ = writeln!(s, "<h3>{}</h3>", l("rates_by_group"));
        let groups: Vec<BarGroup> = nr
            .groups
            .iter()
            .map(|g| BarGroup {
                label: g.group.clone(),
                values: vec![g.response_rate, g.weighted_response_rate],
                note: Some(format!("× {}", fixed(lang, g.factor, 2))),
            })
            .collect();
        s.push_str(&svg::bar_chart(
            lang,
            l("rates_by_group"),
            l("response_rate_pct"),
            &[l("rate"), l("weighted_rate")],
            &groups,
        ));
        let opt = |v: Option<f64>| v.map_or(na(lang), |v| fixed(lang, v, 3));
        let rows: Vec<Vec<String>> = nr
            .groups
            .iter()
            .map(|g| {
                vec![
                    g.group.clone(),
                    format!("{} – {}", opt(g.propensity_min), opt(g.propensity_max)),
                    fixed(lang, g.mean_propensity, 3),
                    g.n_eligible.to_string(),
                    g.n_respondents.to_string(),
                    g.n_web.to_string(),
                    g.n_phone.to_string(),
                    percent(lang, g.weighted_response_rate),
                    fixed(lang, g.factor, 3),
                ]
            })
            .collect();
        s.push_str(&table(
            &[
                l("group"),
                l("p_range"),
                l("mean_p"),
                l("eligible"),
                l("respondents"),
                l("web"),
                l("phone"),
                l("weighted_rate"),
                l("factor"),
            ],
            &rows,
            1,
        ));
    }

    if !r.partial.is_empty() {
        let _ = writeln!(s, "<h3>{}</h3>", l("partial_r"));
        let mut rows = Vec::new();
        for p in &r.partial {
            rows.push(vec![
                p.variable.clone(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                fixed(lang, p.unconditional, 4),
            ]);
            for c in &p.categories {
                rows.push(vec![
                    String::new(),
                    c.category.clone(),
                    c.n.to_string(),
                    percent(lang, c.weight_share),
                    fixed(lang, c.mean_propensity, 3),
                    fixed(lang, c.unconditional, 4),
                ]);
            }
        }
        s.push_str(&table(
            &[l("variable"), l("category"), l("n"), l("weight_share"), l("mean_p"), l("partial")],
            &rows,
            2,
        ));
    }

    if !nr.profiles.is_empty() {
        let _ = writeln!(s, "<h3>{}</h3>", l("profiles"));
        let mut cols: Vec<&'static str> = Vec::new();
        for g in nr.profiles.iter().flat_map(|p| &p.groups) {
            if !cols.contains(&g.group) {
                cols.push(g.group);
            }
        }
        let mut pairs: Vec<(&'static str, &'static str)> = Vec::new();
        for d in nr.profiles.iter().flat_map(|p| &p.std_differences) {
            if !pairs.contains(&(d.a, d.b)) {
                pairs.push((d.a, d.b));
            }
        }
        let pair_names: Vec<String> =
            pairs.iter().map(|(a, b)| format!("{} : {} / {}", l("std_diff"), l(a), l(b))).collect();
        let mut header: Vec<&str> = vec![l("variable"), l("category")];
        header.extend(cols.iter().map(|c| l(c)));
        header.extend(pair_names.iter().map(String::as_str));
        let rows: Vec<Vec<String>> = nr
            .profiles
            .iter()
            .map(|p| {
                let mut row = vec![
                    p.variable.clone(),
                    p.category.clone().unwrap_or_else(|| l("mean_value").to_string()),
                ];
                for c in &cols {
                    row.push(p.groups.iter().find(|g| g.group == *c).map_or(na(lang), |g| {
                        if p.category.is_some() {
                            percent(lang, g.value)
                        } else {
                            number(lang, g.value)
                        }
                    }));
                }
                for (a, b) in &pairs {
                    let d = p.std_differences.iter().find(|d| d.a == *a && d.b == *b);
                    row.push(d.and_then(|d| d.value).map_or(na(lang), |v| fixed(lang, v, 3)));
                }
                row
            })
            .collect();
        s.push_str(&table(&header, &rows, 2));
    }
    notes(&mut s, lang, &nr.notes);
    s
}

fn notes(s: &mut String, lang: Lang, notes: &[String]) {
    if notes.is_empty() {
        return;
    }
    let _ = writeln!(s, "<h3>{}</h3>\n<ul>", label(lang, "notes"));
    for n in notes {
        let _ = writeln!(s, "<li>{}</li>", escape(n));
    }
    s.push_str("</ul>\n");
}

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

fn weights_section(lang: Lang, steps: &[WeightStep]) -> String {
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
    let rows: Vec<Vec<String>> = steps
        .iter()
        .zip(&stats)
        .map(|(st, w)| {
            let b = w.boxes;
            vec![
                step_label(lang, st.key).to_string(),
                w.n.to_string(),
                number(lang, w.sum),
                number(lang, b.map_or(f64::NAN, |b| b.min)),
                number(lang, b.map_or(f64::NAN, |b| b.median)),
                number(lang, b.map_or(f64::NAN, |b| b.max)),
                fixed(lang, w.cv, 3),
                fixed(lang, 1.0 + w.cv * w.cv, 3),
            ]
        })
        .collect();
    s.push_str(&table(
        &[
            l("step"),
            l("n_positive"),
            l("sum"),
            l("min"),
            l("median"),
            l("max"),
            l("cv"),
            l("kish_deff"),
        ],
        &rows,
        1,
    ));
    s
}

fn calibration_section(lang: Lang, r: &CalReport, g: &[f64]) -> String {
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
        vec![l("rows_positive").to_string(), format!("{} ({})", r.n_rows, r.n_positive)],
        vec![l("at_bounds").to_string(), format!("{} / {}", r.at_lower_bound, r.at_upper_bound)],
        vec![l("cal_deff").to_string(), fixed(lang, r.design_effect, 3)],
    ];
    let mut s = table(&[l("item"), l("value")], &rows, 1);
    let adj: Vec<String> = r
        .target_adjustments
        .iter()
        .map(|a| {
            format!(
                "{} {} : {} → {} (× {})",
                l("rescaled"),
                a.margin,
                number(lang, a.given_total),
                number(lang, a.common_total),
                fixed(lang, a.factor, 6)
            )
        })
        .collect();
    notes(&mut s, lang, &adj);

    let _ = writeln!(s, "<h3>{}</h3>", l("margins"));
    let mut rows = Vec::new();
    for m in &r.margins {
        for c in &m.categories {
            rows.push(vec![
                m.name.clone(),
                c.category.clone().unwrap_or_default(),
                number(lang, c.before),
                number(lang, c.target),
                number(lang, c.after),
                sci(lang, c.error),
            ]);
        }
    }
    s.push_str(&table(
        &[l("margin"), l("category"), l("before"), l("target"), l("after"), l("error")],
        &rows,
        2,
    ));

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
    let hist =
        histogram_svg_labelled(g, 40, l("g_dist"), l("g_axis"), l("respondents_count"), &marks);
    if hist.is_empty() {
        let _ = writeln!(s, "<p>{}</p>", na(lang));
    } else {
        s.push_str(&hist);
    }
    s
}

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

fn estimates_section(lang: Lang, rows: &[EstimateRow]) -> String {
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
        let pct = group.iter().all(|r| is_proportion(r));
        let mut prev: Option<&Option<String>> = None;
        let dots: Vec<Dot> = group
            .iter()
            .map(|r| {
                let mut parts: Vec<String> = r.category.iter().cloned().collect();
                parts.extend(r.domain.iter().map(|(_, v)| v.clone()));
                let separator = prev.is_some_and(|p| *p != r.category);
                prev = Some(&r.category);
                Dot {
                    label: if parts.is_empty() { l("all").to_string() } else { parts.join(" · ") },
                    estimate: r.estimate,
                    low: r.ci_low,
                    high: r.ci_high,
                    flagged: is_flagged(r),
                    separator,
                }
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
    let _ = writeln!(s, "<h3>{}</h3>", l("estimates"));
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
    s.push_str("<div class=\"wide\">");
    s.push_str(&table_with_classes(
        &[
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
        ],
        &table_rows,
        5,
        &classes,
    ));
    s.push_str("</div>\n");
    s
}

/// Is `code` one of the regions drawn on the map.
fn is_region(code: &str) -> bool {
    map::MAINLAND.iter().any(|r| r.0 == code) || map::OVERSEAS.iter().any(|r| r.0 == code)
}

fn map_section(lang: Lang, rows: &[EstimateRow], name: &str) -> Result<String> {
    let l = |k| label(lang, k);
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
    let by_region: Vec<&EstimateRow> = group
        .iter()
        .copied()
        .filter(|r| r.category == category && r.domain.len() == 1 && is_region(&r.domain[0].1))
        .collect();
    if by_region.is_empty() {
        return Err(Error::method(
            "report",
            format!(
                "map: estimate '{name}' has no row by region (a single `by` variable whose \
                 values are region codes 11 … 94, 971 … 976); give `by: [region]` to that \
                 estimate or drop `map`"
            ),
        ));
    }
    let pct = by_region.iter().all(|r| is_proportion(r));
    let values: Vec<map::RegionValue> = by_region
        .iter()
        .map(|r| map::RegionValue {
            code: r.domain[0].1.clone(),
            value: r.estimate,
            flagged: is_flagged(r),
        })
        .collect();
    let title = match &category {
        Some(c) => format!("{name} — {c}"),
        None => name.to_string(),
    };
    let svg = map::render(lang, &title, &values, pct);
    let mut s = String::new();
    if let Some(c) = &category {
        let _ = writeln!(s, "<p>{} : {}</p>", escape(l("map_first_category")), escape(c));
    }
    s.push_str(&svg);
    let _ = writeln!(s, "<p class=\"caption\">{}</p>", escape(l("map_caption")));
    let other: Vec<String> = group
        .iter()
        .filter(|r| r.category == category && !(r.domain.len() == 1 && is_region(&r.domain[0].1)))
        .map(|r| if r.domain.is_empty() { l("all").to_string() } else { domain_text(r) })
        .collect();
    if !other.is_empty() {
        let _ = writeln!(
            s,
            "<p class=\"caption\">{} : {}</p>",
            escape(l("map_not_drawn")),
            escape(&other.join(" ; "))
        );
    }
    Ok(s)
}
