//! STUB (replaced by the report branch).
use serde::{Deserialize, Serialize};

/// Language of labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// French.
    #[default]
    Fr,
    /// English.
    En,
}

impl Lang {
    /// `fr` or `en`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// One weighting step.
pub struct WeightStep<'a> {
    /// design | nonresponse | calibration
    pub key: &'static str,
    /// Weights.
    pub weights: &'a [f64],
}

/// Everything the report shows.
pub struct RunReport<'a> {
    /// Language.
    pub lang: Lang,
    /// Title.
    pub title: String,
    /// Key figures.
    pub facts: Vec<(String, String)>,
    /// Weights at each step.
    pub steps: Vec<WeightStep<'a>>,
    /// g ratios.
    pub g: &'a [f64],
    /// Calibration report.
    pub calibration: Option<&'a crate::calibration::Report>,
    /// Nonresponse report.
    pub nonresponse: Option<&'a crate::nonresponse::Report>,
    /// Estimates.
    pub estimates: &'a [crate::estimate::EstimateRow],
    /// Estimate on the map.
    pub map: Option<&'a str>,
}

/// Renders the report.
///
/// # Errors
/// None in the stub.
pub fn render(report: &RunReport) -> crate::Result<String> {
    Ok(crate::report::html::page(&report.title, "stub"))
}
