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
//!             estimates: &[EstimateRow], models: &[ModelRow], labels: &Labels,
//!             map: Option<&str>, map_category: Option<&str>,
//!             significance: Option<(&[VersusOverall], Significance)> }
//! render(&RunReport) -> Result<String>
//! ```
//!
//! Sections: key figures; collection and nonresponse (outcomes, response rates by phase and
//! by group as bar charts, R-indicator, partial R-indicators, profiles, Kish deffs, notes);
//! weight distributions (box plots on a log scale + table); calibration (summary, margins
//! before/after, histogram of g); estimates (one dot-and-whisker chart per estimate name,
//! table of all rows, flagged rows highlighted); non-recourse by type of dispute (bars with
//! their intervals, when the estimates have a non-recourse share by `type`); models and tests (only when there are
//! model rows: per model a forest plot of the odds or rate ratios, the reference levels,
//! the Wald tests of terms and a collapsible table of coefficients; Rao–Scott tests and
//! differences between groups as tables, each with a sentence for readers); map by region
//! (optional).
//!
//! Proportions are shown in percent with one decimal; non-finite values as "n.d." / "n/a".
//! The output is a pure function of the input (same input → same bytes).

mod calibration;
mod disputes;
mod estimates;
mod forest;
mod labels;
mod map;
mod models;
mod names;
mod nonresponse;
mod readings;
mod svg;
mod weights;

pub use labels::{label, number, percent};

use crate::calibration::Report as CalReport;
use crate::error::Result;
use crate::estimate::{EstimateRow, Labels};
use crate::model::ModelRow;
use crate::nonresponse::Report as NrReport;
use crate::report::html::{escape, page_with, table};
use std::fmt::Write;

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
    /// Model coefficients, term tests, χ² tests and differences (`ponder model` rows).
    pub models: &'a [ModelRow],
    /// Titles, themes, variable and value labels (a codebook's; empty: codes and names
    /// are shown as they are).
    pub labels: &'a Labels,
    /// Name of an estimate by region to draw as a map.
    pub map: Option<&'a str>,
    /// The category of `map` to draw (a code; `None`: the first in codebook order).
    pub map_category: Option<&'a str>,
    /// Domains against the overall value and the rule of the marks (`*` after the value
    /// in the estimates table); `None`: no marks.
    pub significance: Option<(&'a [crate::model::VersusOverall], crate::model::Significance)>,
}

const CSS: &str = "h2{border-bottom:2px solid #4c78a8;padding-bottom:.2em;margin-top:2em}\
     h3{margin-top:1.5em}svg{display:block;margin:1em 0;max-width:100%;height:auto}\
     tr.flag td{background:#fde3c8}p.caption{color:#555;font-size:.9em}\
     nav ul{columns:2}td.l,th.l{max-width:30em}td{white-space:nowrap}td.l{white-space:normal}\
     div.wide{overflow-x:auto;max-width:100%}div.wide table{font-size:.9em}\
     div.wide td.l{min-width:6em;white-space:normal}th{white-space:normal}\
     body{max-width:78em;padding:0 1em;box-sizing:border-box}section,nav{max-width:100%}\
     h3.theme{color:#4c78a8}tr.sig td{font-weight:bold}\
     details{margin:1em 0}summary{cursor:pointer;font-weight:bold}ul.reading li{margin:.3em 0}";

/// Renders the report as one HTML document.
///
/// # Errors
/// `map` names no estimate, or an estimate without any row by region (domain label among
/// the region codes "11" … "94", "971" … "976").
pub fn render(report: &RunReport) -> Result<String> {
    let lang = report.lang;
    let l = |k| label(lang, k);
    let names = names::Names::new(report.labels, lang);
    let map_section = match report.map {
        Some(name) => Some(estimates::map_section(
            (lang, names),
            report.estimates,
            name,
            report.map_category,
        )?),
        None => None,
    };
    let mut sections: Vec<(&str, &str, String)> =
        vec![("facts", l("facts"), facts_section(report))];
    if let Some(nr) = report.nonresponse {
        sections.push(("nonresponse", l("nonresponse"), nonresponse::section(lang, names, nr)));
    }
    sections.push(("weights", l("weights"), weights::section(lang, &report.steps)));
    if let Some(cal) = report.calibration {
        sections.push((
            "calibration",
            l("calibration"),
            calibration::section(lang, names, cal, report.g),
        ));
    }
    sections.push((
        "estimates",
        l("estimates"),
        estimates::section((lang, names), report.estimates, report.significance),
    ));
    if let Some(d) = disputes::section((lang, names), report.estimates) {
        sections.push(("disputes", disputes::title(lang), d));
    }
    if let Some(m) = models::section((lang, names), report.models, report.estimates) {
        sections.push(("models", l("models"), m));
    }
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
