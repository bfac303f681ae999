//! Section « Collection and nonresponse » of the run report: summary (method, R-indicator,
//! Kish design effects), collection outcomes, response rates by phase and by group (bar
//! charts and tables), break-offs by mode (when the configuration names a `break_off`
//! column), partial R-indicators, profiles of respondents by mode, notes.

use super::labels::{fixed, label, na, number, percent};
use super::names::Names;
use super::svg::{self, BarGroup};
use super::{Lang, notes};
use crate::nonresponse::Report as NrReport;
use crate::nonresponse::diagnostics::{ProfileItem, Rate};
use crate::report::html::{escape, table};
use std::fmt::Write;

/// The whole section. Variables and categories of the partial R-indicators and profiles are shown with the
/// codebook's labels (`names`) where it has them.
pub(super) fn section(lang: Lang, names: Names, nr: &NrReport) -> String {
    let mut s = summary(lang, nr);
    outcomes(&mut s, lang, nr);
    phases(&mut s, lang, nr);
    if !nr.break_off.is_empty() {
        break_offs(&mut s, lang, nr);
    }
    if !nr.groups.is_empty() {
        groups(&mut s, lang, nr);
    }
    if !nr.r_indicator.partial.is_empty() {
        partial_r(&mut s, (lang, names), nr);
    }
    if !nr.profiles.is_empty() {
        profiles(&mut s, (lang, names), nr);
    }
    notes(&mut s, lang, &nr.notes);
    s
}

/// Method, phases, sample size, R-indicator and Kish design effects.
fn summary(lang: Lang, nr: &NrReport) -> String {
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
    table(&[l("item"), l("value")], &summary, 1)
}

/// Units and design weights by collection outcome.
fn outcomes(s: &mut String, lang: Lang, nr: &NrReport) {
    let l = |k| label(lang, k);
    let _ = writeln!(s, "<h3>{}</h3>", l("outcomes"));
    let rows: Vec<Vec<String>> = nr
        .outcomes
        .iter()
        .map(|o| vec![l(o.outcome.label()).to_string(), o.n.to_string(), number(lang, o.weight)])
        .collect();
    s.push_str(&table(&[l("outcome"), l("units"), l("design_weight_sum")], &rows, 1));
}

/// Response rates overall, on the web and by telephone: chart and table.
fn phases(s: &mut String, lang: Lang, nr: &NrReport) {
    let l = |k| label(lang, k);
    let _ = writeln!(s, "<h3>{}</h3>", l("rates_by_phase"));
    let rates = &nr.response_rates;
    let phases: Vec<(&str, &Rate)> = [
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
    s.push_str(&rate_chart(lang, "rates_by_phase", &groups));
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
}

/// Break-offs among respondents by mode (`break_off:` of the nonresponse configuration):
/// counts, unweighted and design-weighted rates.
fn break_offs(s: &mut String, lang: Lang, nr: &NrReport) {
    let fr = lang == Lang::Fr;
    let _ = writeln!(
        s,
        "<h3>{}</h3>",
        if fr { "Abandons en cours de questionnaire, par mode" } else { "Break-offs by mode" }
    );
    let rows: Vec<Vec<String>> = nr
        .break_off
        .iter()
        .map(|b| {
            let mode = match b.mode {
                "all" => {
                    if fr {
                        "Ensemble"
                    } else {
                        "All"
                    }
                }
                m => label(lang, m),
            };
            vec![
                mode.to_string(),
                b.respondents.to_string(),
                b.break_offs.to_string(),
                percent(lang, b.rate),
                percent(lang, b.weighted_rate),
            ]
        })
        .collect();
    let heads: [&str; 5] = if fr {
        ["Mode", "Répondants", "Abandons", "Taux", "Taux pondéré (poids de sondage)"]
    } else {
        ["Mode", "Respondents", "Break-offs", "Rate", "Weighted rate (design weights)"]
    };
    s.push_str(&table(&heads, &rows, 1));
}

/// Bar chart of response rates (raw and weighted) titled by the label `title`.
fn rate_chart(lang: Lang, title: &'static str, groups: &[BarGroup]) -> String {
    let l = |k| label(lang, k);
    svg::bar_chart(lang, l(title), l("response_rate_pct"), &[l("rate"), l("weighted_rate")], groups)
}

/// Response rates and adjustment factors by response group: chart and table.
fn groups(s: &mut String, lang: Lang, nr: &NrReport) {
    let l = |k| label(lang, k);
    let _ = writeln!(s, "<h3>{}</h3>", l("rates_by_group"));
    let bars: Vec<BarGroup> = nr
        .groups
        .iter()
        .map(|g| BarGroup {
            label: g.group.clone(),
            values: vec![g.response_rate, g.weighted_response_rate],
            note: Some(format!("× {}", fixed(lang, g.factor, 2))),
        })
        .collect();
    s.push_str(&rate_chart(lang, "rates_by_group", &bars));
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
    let header = [
        l("group"),
        l("p_range"),
        l("mean_p"),
        l("eligible"),
        l("respondents"),
        l("web"),
        l("phone"),
        l("weighted_rate"),
        l("factor"),
    ];
    s.push_str(&table(&header, &rows, 1));
}

/// Unconditional partial R-indicators by variable and category.
fn partial_r(s: &mut String, (lang, names): (Lang, Names), nr: &NrReport) {
    let l = |k| label(lang, k);
    let _ = writeln!(s, "<h3>{}</h3>", l("partial_r"));
    let mut rows = Vec::new();
    for p in &nr.r_indicator.partial {
        let mut row = vec![names.variable(&p.variable).to_string()];
        row.extend(std::iter::repeat_n(String::new(), 4));
        row.push(fixed(lang, p.unconditional, 4));
        rows.push(row);
        for c in &p.categories {
            rows.push(vec![
                String::new(),
                names.value(&p.variable, &c.category).to_string(),
                c.n.to_string(),
                percent(lang, c.weight_share),
                fixed(lang, c.mean_propensity, 3),
                fixed(lang, c.unconditional, 4),
            ]);
        }
    }
    let header =
        [l("variable"), l("category"), l("n"), l("weight_share"), l("mean_p"), l("partial")];
    s.push_str(&table(&header, &rows, 2));
}

/// Profiles: the mean or share of each variable by group of the collection, and the
/// standardized differences between groups.
fn profiles(s: &mut String, (lang, names): (Lang, Names), nr: &NrReport) {
    let l = |k| label(lang, k);
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
    let rows: Vec<Vec<String>> =
        nr.profiles.iter().map(|p| profile_row((lang, names), p, &cols, &pairs)).collect();
    s.push_str(&table(&header, &rows, 2));
}

/// One row of the profiles table.
fn profile_row(
    (lang, names): (Lang, Names),
    p: &ProfileItem,
    cols: &[&'static str],
    pairs: &[(&'static str, &'static str)],
) -> Vec<String> {
    let mut row = vec![
        names.variable(&p.variable).to_string(),
        p.category.as_deref().map_or_else(
            || label(lang, "mean_value").to_string(),
            |c| names.value(&p.variable, c).to_string(),
        ),
    ];
    for c in cols {
        row.push(p.groups.iter().find(|g| g.group == *c).map_or(na(lang), |g| {
            if p.category.is_some() { percent(lang, g.value) } else { number(lang, g.value) }
        }));
    }
    for (a, b) in pairs {
        let d = p.std_differences.iter().find(|d| d.a == *a && d.b == *b);
        row.push(d.and_then(|d| d.value).map_or(na(lang), |v| fixed(lang, v, 3)));
    }
    row
}
