//! Publication tables: per estimate, domains in rows (labels, codebook order) and
//! categories in columns, with the confidence interval, marks for unreliable or
//! suppressed cells, and footnotes (source, population, field, method); written as a
//! spreadsheet (`.xlsx`: one sheet per estimate and a methodology sheet, numbers as
//! numbers with number formats), Markdown (`.pub.md`) or HTML (`.html`).
//!
//! Proportions are shown in percent with [`Setup::decimals`] decimals (default 1); other
//! statistics with the same number of decimals (totals: 0 by default). Marks: `(a)` fewer
//! than `min_n` respondents, `(b)` CV above `max_cv`, `(c)` suppressed, `(d)` empty domain
//! or undefined estimate; only the marks a table uses get a footnote.

use super::html::escape;
use super::run::Lang;
use super::significance::{self, Family};
use crate::error::Error;
use crate::estimate::{CiMethod, EstimateRow, Labels, Publication, Text};
use crate::model::{Significance, VersusOverall};
use crate::variance::replicates::ReplicateKind;
use item_note::item_note;
use std::fmt::Write as _;

mod item_note;

/// How the variance was estimated (for the footnotes).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Variance {
    /// Linearization (Taylor).
    #[default]
    Linearization,
    /// Replicate weights of this kind (and declared count, when given).
    Replicates(ReplicateKind, Option<usize>),
}

/// Interval of one estimate request (for the footnotes and headers).
#[derive(Debug, Clone, PartialEq)]
pub struct RequestInfo {
    /// Estimate name (the `name` of its rows).
    pub name: String,
    /// Interval method.
    pub ci: CiMethod,
    /// Confidence level (0.95).
    pub level: f64,
}

/// What the publication tables need besides the rows and the labels.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Setup {
    /// Language of labels, numbers and footnotes.
    pub lang: Lang,
    /// Publication rules (`min_n`, `max_cv`, `suppress`) stated in the footnotes.
    pub rules: Publication,
    /// Decimals shown (default 1; totals 0).
    pub decimals: Option<usize>,
    /// Source line.
    pub source: Option<Text>,
    /// Population covered.
    pub population: Option<Text>,
    /// Field (dates, mode).
    pub field: Option<Text>,
    /// Weight column.
    pub weight: Option<String>,
    /// Variance method.
    pub variance: Variance,
    /// The requests, in configuration order (the order of the tables).
    pub requests: Vec<RequestInfo>,
    /// Marks of domains that differ from the overall value (`None`: no marks).
    pub significance: Option<Significance>,
    /// The domain-versus-overall differences the marks come from (raw p-values).
    pub differences: Vec<VersusOverall>,
}

/// A mark on a cell, with its footnote letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mark {
    /// `(a)`: fewer than `min_n` respondents.
    LowN,
    /// `(b)`: CV above `max_cv`.
    HighCv,
    /// `(c)`: suppressed.
    Suppressed,
    /// `(d)`: empty domain or undefined estimate.
    Undefined,
}

impl Mark {
    /// The footnote letter.
    pub fn letter(self) -> char {
        match self {
            Mark::LowN => 'a',
            Mark::HighCv => 'b',
            Mark::Suppressed => 'c',
            Mark::Undefined => 'd',
        }
    }
}

/// The marks as shown after a value: ` (a,c)`, or empty.
pub fn marks_text(marks: &[Mark]) -> String {
    if marks.is_empty() {
        return String::new();
    }
    let letters: Vec<String> = marks.iter().map(|m| m.letter().to_string()).collect();
    format!(" ({})", letters.join(","))
}

/// One cell: a value (a proportion as a fraction), its interval and its marks.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The estimate (`None`: suppressed, empty or undefined).
    pub value: Option<f64>,
    /// The interval, when both bounds are finite.
    pub ci: Option<(f64, f64)>,
    /// Marks, in letter order.
    pub marks: Vec<Mark>,
    /// Significantly different from the overall value (shown `*`).
    pub differs: bool,
}

/// One row: the domain's labels, one cell per column, the respondents.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Labels of the domain (one per `by` variable; the overall row: « Ensemble » / « All »).
    pub labels: Vec<String>,
    /// One cell per column (`None`: no row for this category and domain).
    pub cells: Vec<Option<Cell>>,
    /// Respondents of the domain (the largest `n` of its rows).
    pub n: usize,
}

/// A publication table of one estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct PubTable {
    /// Estimate name.
    pub name: String,
    /// Title (the `title:` in the language, else the name).
    pub title: String,
    /// Headers of the label columns (labels of the `by` variables).
    pub row_heads: Vec<String>,
    /// Column headers (category labels; the variable's label for one-column statistics).
    pub columns: Vec<String>,
    /// Rows, in codebook order of the domains.
    pub rows: Vec<Row>,
    /// Values are proportions (shown in percent).
    pub percent: bool,
    /// Decimals shown.
    pub decimals: usize,
    /// Confidence level (0.95).
    pub level: f64,
    /// Footnotes, in order: marks, reading, population, source, method.
    pub footnotes: Vec<String>,
}

/// The publication tables of estimate rows, one per estimate name (in the order of
/// [`Setup::requests`], then of the rows for names it lacks).
pub fn tables(rows: &[EstimateRow], labels: &Labels, setup: &Setup) -> Vec<PubTable> {
    let mut names: Vec<&str> = setup.requests.iter().map(|r| r.name.as_str()).collect();
    for r in rows {
        if !names.contains(&r.name.as_str()) {
            names.push(&r.name);
        }
    }
    names
        .into_iter()
        .filter_map(|name| {
            let mine: Vec<&EstimateRow> = rows.iter().filter(|r| r.name == name).collect();
            (!mine.is_empty()).then(|| table(name, &mine, labels, setup))
        })
        .collect()
}

fn table(name: &str, rows: &[&EstimateRow], labels: &Labels, setup: &Setup) -> PubTable {
    let en = setup.lang == Lang::En;
    let first = rows[0];
    let by: Vec<String> = first.domain.iter().map(|(k, _)| k.clone()).collect();
    let cats = ordered(rows.iter().map(|r| vec![(first.variable.clone(), cat_key(r))]), labels);
    let domains = ordered(rows.iter().map(|r| r.domain.clone()), labels);
    let info = setup.requests.iter().find(|r| r.name == name);
    let family = setup.significance.and_then(|rule| Family::of(name, &setup.differences, rule));
    let percent = first.stat == "proportion";
    let decimals = setup.decimals.unwrap_or(if first.stat == "total" { 0 } else { 1 });
    let columns = cats
        .iter()
        .map(|c| match first.category {
            Some(_) => labels.value_or_code(&first.variable, &c[0].1, en).to_string(),
            None => labels.variable_or_name(&first.variable, en).to_string(),
        })
        .collect();
    let table_rows = domains
        .iter()
        .map(|d| {
            let here: Vec<&&EstimateRow> = rows.iter().filter(|r| &r.domain == d).collect();
            let cells = cats
                .iter()
                .map(|c| {
                    let r = here.iter().find(|r| cat_key(r) == c[0].1)?;
                    let differs = family.as_ref().is_some_and(|f| f.differs(&r.category, d));
                    Some(Cell { differs, ..cell(r) })
                })
                .collect();
            let labels = match d.is_empty() {
                true => vec![if en { "All" } else { "Ensemble" }.to_string()],
                false => {
                    d.iter().map(|(b, v)| labels.value_or_code(b, v, en).to_string()).collect()
                }
            };
            Row { labels, cells, n: here.iter().map(|r| r.n).max().unwrap_or(0) }
        })
        .collect();
    let mut t = PubTable {
        name: name.to_string(),
        title: labels
            .estimate(name)
            .and_then(|h| h.title.as_ref())
            .map_or_else(|| name.to_string(), |t| t.get(en).to_string()),
        row_heads: if by.is_empty() {
            vec![String::new()]
        } else {
            by.iter().map(|b| labels.variable_or_name(b, en).to_string()).collect()
        },
        columns,
        rows: table_rows,
        percent,
        decimals,
        level: info.map_or(0.95, |i| i.level),
        footnotes: Vec::new(),
    };
    t.footnotes = footnotes(&t, info, setup);
    if let Some(note) = item_note(rows, labels, setup) {
        // after the marks and the reading note, before population, source and method
        let at = t.footnotes.iter().take_while(|n| n.starts_with('(')).count() + 1;
        t.footnotes.insert(at.min(t.footnotes.len()), note);
    }
    if let Some(f) = &family {
        let at = t.footnotes.iter().take_while(|n| n.starts_with('(')).count();
        t.footnotes.insert(at, significance::footnote(&t, f, setup.lang));
    }
    t
}

fn cat_key(r: &EstimateRow) -> String {
    r.category.clone().unwrap_or_default()
}

/// Distinct keys in codebook order (ranks of each `(variable, code)`; unlabelled codes
/// after the labelled ones, in order of appearance).
fn ordered(
    keys: impl Iterator<Item = Vec<(String, String)>>,
    labels: &Labels,
) -> Vec<Vec<(String, String)>> {
    let mut out: Vec<Vec<(String, String)>> = Vec::new();
    for k in keys {
        if !out.contains(&k) {
            out.push(k);
        }
    }
    let rank = |k: &Vec<(String, String)>| -> Vec<usize> {
        k.iter().map(|(v, c)| labels.rank(v, c).unwrap_or(usize::MAX)).collect()
    };
    out.sort_by_key(rank);
    out
}

fn cell(r: &EstimateRow) -> Cell {
    let f = &r.flags;
    let mut marks = Vec::new();
    for (on, m) in [
        (f.low_n, Mark::LowN),
        (f.high_cv, Mark::HighCv),
        (f.suppressed, Mark::Suppressed),
        (f.empty || f.undefined, Mark::Undefined),
    ] {
        if on {
            marks.push(m);
        }
    }
    let finite = |x: f64| Some(x).filter(|x| x.is_finite());
    let ci = finite(r.ci_low).zip(finite(r.ci_high));
    Cell { value: finite(r.estimate), ci, marks, differs: false }
}

/// Footnotes of a table: the marks it uses, how to read it, then population, source, method.
fn footnotes(t: &PubTable, info: Option<&RequestInfo>, setup: &Setup) -> Vec<String> {
    let en = setup.lang == Lang::En;
    let mut used: Vec<Mark> = t
        .rows
        .iter()
        .flat_map(|r| r.cells.iter().flatten())
        .flat_map(|c| c.marks.clone())
        .collect();
    used.sort();
    used.dedup();
    let mut out: Vec<String> = used.iter().map(|m| mark_note(*m, setup)).collect();
    let level = number(t.level * 100.0, 0, setup.lang);
    let method = info.map_or("wald", |i| ci_name(i.ci));
    out.push(match (en, t.percent) {
        (false, true) => format!(
            "Proportions en %, intervalle de confiance à {level} % (méthode {method}) ; n : nombre de répondants."
        ),
        (true, true) => format!(
            "Proportions in %, {level}% confidence interval ({method} method); n: number of respondents."
        ),
        (false, false) => format!(
            "Intervalle de confiance à {level} % (méthode {method}) ; n : nombre de répondants."
        ),
        (true, false) => {
            format!("{level}% confidence interval ({method} method); n: number of respondents.")
        }
    });
    out.extend(general_notes(setup));
    out
}

/// Population, source and field, method: the notes every table shares (also the
/// methodology sheet).
pub fn general_notes(setup: &Setup) -> Vec<String> {
    let en = setup.lang == Lang::En;
    let mut out = Vec::new();
    if let Some(p) = &setup.population {
        let p = p.get(en).trim_end_matches('.');
        out.push(format!("{} {p}.", if en { "Population:" } else { "Champ :" }));
    }
    match (&setup.source, &setup.field) {
        (Some(s), Some(f)) => {
            out.push(format!("Source{} {}, {}.", colon(en), s.get(en), f.get(en)))
        }
        (Some(s), None) => out.push(format!("Source{} {}.", colon(en), s.get(en))),
        (None, Some(f)) => out.push(format!(
            "{}{} {}.",
            if en { "Field" } else { "Collecte" },
            colon(en),
            f.get(en)
        )),
        (None, None) => {}
    }
    out.push(method_note(setup));
    out
}

fn colon(en: bool) -> &'static str {
    if en { ":" } else { " :" }
}

fn method_note(setup: &Setup) -> String {
    let en = setup.lang == Lang::En;
    let weight = setup.weight.as_deref().unwrap_or("-");
    let variance = match (setup.variance, en) {
        (Variance::Linearization, false) => "variance par linéarisation".to_string(),
        (Variance::Linearization, true) => "variance by linearization".to_string(),
        (Variance::Replicates(k, c), _) => {
            let count = c.map(|c| format!("{c} ")).unwrap_or_default();
            match en {
                false => format!("variance par {count}réplications ({})", kind_name(k)),
                true => format!("variance from {count}replicate weights ({})", kind_name(k)),
            }
        }
    };
    match en {
        false => format!("Méthode : estimations pondérées (poids {weight}), {variance}."),
        true => format!("Method: weighted estimates (weight {weight}), {variance}."),
    }
}

fn mark_note(m: Mark, setup: &Setup) -> String {
    let en = setup.lang == Lang::En;
    let min_n = setup.rules.min_n.map_or_else(|| "?".into(), |n| n.to_string());
    let max_cv =
        setup.rules.max_cv.map_or_else(|| "?".into(), |c| number(c * 100.0, 0, setup.lang));
    let text = match (m, en) {
        (Mark::LowN, false) => format!("moins de {min_n} répondants : à interpréter avec prudence"),
        (Mark::LowN, true) => format!("fewer than {min_n} respondents: read with caution"),
        (Mark::HighCv, false) => {
            format!("coefficient de variation supérieur à {max_cv} % : estimation fragile")
        }
        (Mark::HighCv, true) => {
            format!("coefficient of variation above {max_cv}%: unreliable estimate")
        }
        (Mark::Suppressed, false) => "valeur non diffusée (règles de publication)".to_string(),
        (Mark::Suppressed, true) => "value not published (publication rules)".to_string(),
        (Mark::Undefined, false) => "aucun répondant ou estimation non définie".to_string(),
        (Mark::Undefined, true) => "no respondent or undefined estimate".to_string(),
    };
    format!("({}) {text}.", m.letter())
}

fn ci_name(c: CiMethod) -> &'static str {
    match c {
        CiMethod::Wald => "Wald",
        CiMethod::Logit => "logit",
        CiMethod::Beta => "Clopper-Pearson (beta)",
        CiMethod::Xlogit => "xlogit",
    }
}

fn kind_name(k: ReplicateKind) -> &'static str {
    match k {
        ReplicateKind::Jk1 => "jackknife JK1",
        ReplicateKind::Jkn => "jackknife JKn",
        ReplicateKind::Brr => "BRR",
        ReplicateKind::Fay { .. } => "Fay BRR",
        ReplicateKind::Bootstrap => "bootstrap",
        ReplicateKind::Sdr => "SDR",
        ReplicateKind::Other => "other",
    }
}

/// A number with `decimals` decimals in the language's style: `25 000,5` (no-break
/// space, decimal comma) or `25,000.5`.
pub fn number(x: f64, decimals: usize, lang: Lang) -> String {
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(i, f)| (i, f));
    let (sep, point) = if lang == Lang::En { (",", ".") } else { ("\u{a0}", ",") };
    let grouped = super::html::group_digits(int, sep);
    let sign = if x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') { "-" } else { "" };
    match frac.is_empty() {
        true => format!("{sign}{grouped}"),
        false => format!("{sign}{grouped}{point}{frac}"),
    }
}

/// The shown text of a value (percent for proportions).
pub fn value_text(t: &PubTable, x: f64, lang: Lang) -> String {
    number(if t.percent { x * 100.0 } else { x }, t.decimals, lang)
}

/// The texts of a cell: value with marks, interval.
pub fn cell_texts(t: &PubTable, c: Option<&Cell>, lang: Lang) -> (String, String) {
    let Some(c) = c else { return (String::new(), String::new()) };
    let star = if c.differs && c.value.is_some() { "*" } else { "" };
    let value = c.value.map_or_else(|| "–".to_string(), |v| value_text(t, v, lang) + star);
    let ci = c.ci.filter(|_| c.value.is_some()).map_or_else(String::new, |(l, h)| {
        let (l, h) = (value_text(t, l, lang), value_text(t, h, lang));
        if lang == Lang::En { format!("{l}–{h}") } else { format!("[{l} ; {h}]") }
    });
    (format!("{value}{}", marks_text(&c.marks)), ci)
}

/// The header of the interval columns: `IC 95 %` / `95% CI`.
pub fn ci_head(t: &PubTable, lang: Lang) -> String {
    let level = number(t.level * 100.0, 0, lang);
    if lang == Lang::En { format!("{level}% CI") } else { format!("IC {level} %") }
}

/// The header cells of a table as text: label heads, then per column its label (with `(%)`
/// for proportions) and the interval head, then `n`.
pub fn header_texts(t: &PubTable, lang: Lang) -> Vec<String> {
    let mut h = t.row_heads.clone();
    for c in &t.columns {
        h.push(if t.percent { format!("{c} (%)") } else { c.clone() });
        h.push(ci_head(t, lang));
    }
    h.push("n".to_string());
    h
}

/// The body of a table as text, one `Vec` per row (as [`header_texts`]).
pub fn body_texts(t: &PubTable, lang: Lang) -> Vec<Vec<String>> {
    t.rows
        .iter()
        .map(|r| {
            let mut v = r.labels.clone();
            for c in &r.cells {
                let (value, ci) = cell_texts(t, c.as_ref(), lang);
                v.extend([value, ci]);
            }
            v.push(number(r.n as f64, 0, lang));
            v
        })
        .collect()
}

/// The tables in Markdown: per table a `###` title, the table, its footnotes.
pub fn to_markdown(tables: &[PubTable], lang: Lang) -> String {
    let esc = |s: &str| s.replace('|', "\\|");
    let mut out = String::new();
    for t in tables {
        let _ = writeln!(out, "### {}\n", esc(&t.title));
        let head = header_texts(t, lang);
        let _ =
            writeln!(out, "| {} |", head.iter().map(|s| esc(s)).collect::<Vec<_>>().join(" | "));
        let align: Vec<&str> = head
            .iter()
            .enumerate()
            .map(|(i, _)| if i < t.row_heads.len() { ":--" } else { "--:" })
            .collect();
        let _ = writeln!(out, "|{}|", align.join("|"));
        for row in body_texts(t, lang) {
            let _ =
                writeln!(out, "| {} |", row.iter().map(|s| esc(s)).collect::<Vec<_>>().join(" | "));
        }
        out.push('\n');
        for f in &t.footnotes {
            // `* : …` would start a Markdown list.
            let f = if f.starts_with('*') { format!("\\{f}") } else { f.clone() };
            let _ = writeln!(out, "{}  ", esc(&f));
        }
        out.push('\n');
    }
    out
}

/// The tables as a self-contained HTML page (one `<table>` per estimate, footnotes below).
pub fn to_html(tables: &[PubTable], lang: Lang) -> String {
    let title = if lang == Lang::En { "Tables" } else { "Tableaux" };
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <style>body{{font-family:sans-serif;max-width:60rem;margin:auto}}\
         .wrap{{overflow-x:auto}}table{{border-collapse:collapse;margin:1rem 0}}\
         th,td{{padding:.2rem .5rem;border-bottom:1px solid #ccc}}td.num{{text-align:right}}\
         caption{{font-weight:bold;text-align:left}}p.note{{font-size:.85rem;margin:.1rem 0}}</style>\n\
         </head>\n<body>\n",
        lang.code()
    );
    for t in tables {
        out.push_str("<section class=\"wrap\">\n<table>\n");
        let _ = writeln!(out, "<caption>{}</caption>", escape(&t.title));
        let head: Vec<String> =
            header_texts(t, lang).iter().map(|h| format!("<th>{}</th>", escape(h))).collect();
        let _ = writeln!(out, "<thead><tr>{}</tr></thead>\n<tbody>", head.concat());
        for row in body_texts(t, lang) {
            let cells: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(i, s)| match i < t.row_heads.len() {
                    true => format!("<th scope=\"row\">{}</th>", escape(s)),
                    false => format!("<td class=\"num\">{}</td>", escape(s)),
                })
                .collect();
            let _ = writeln!(out, "<tr>{}</tr>", cells.concat());
        }
        out.push_str("</tbody>\n</table>\n");
        for f in &t.footnotes {
            let _ = writeln!(out, "<p class=\"note\">{}</p>", escape(f));
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// A sheet name for each table: the title cut to 31 characters, without `[]:*?/\`,
/// unique (a ` (2)` suffix), never empty.
pub fn sheet_names(tables: &[PubTable], reserved: &str) -> Vec<String> {
    let mut used: Vec<String> = vec![reserved.to_lowercase()];
    tables
        .iter()
        .map(|t| {
            let clean: String =
                t.title.chars().map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c }).collect();
            let clean = clean.trim().trim_matches('\'').trim();
            let base = if clean.is_empty() { "Table" } else { clean };
            let mut i = 1;
            loop {
                let suffix = if i == 1 { String::new() } else { format!(" ({i})") };
                let keep = 31 - suffix.chars().count();
                let cut: String = base.chars().take(keep).collect();
                // Excel refuses a name that starts or ends with an apostrophe.
                let name = format!("{}{suffix}", cut.trim_end().trim_end_matches('\'').trim_end());
                if !used.contains(&name.to_lowercase()) {
                    used.push(name.to_lowercase());
                    return name;
                }
                i += 1;
            }
        })
        .collect()
}

/// An error of the spreadsheet writer, naming the output.
pub(super) fn xlsx_error(path: &std::path::Path, e: impl std::fmt::Display) -> Error {
    Error::io(path, format!("writing the spreadsheet: {e}"))
}
