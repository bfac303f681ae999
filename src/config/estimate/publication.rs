//! The `publication:` block of an estimation configuration: flag and suppression rules,
//! decimals and footnote texts of the publication tables, and the marks of significant
//! differences.
//!
//! ```yaml
//! publication:
//!   min_n: 30                 # flag cells from fewer respondents: (a)
//!   max_cv: 0.3               # ... or with a larger coefficient of variation: (b)
//!   suppress: false           # blank flagged cells: (c)
//!   decimals: 1               # of percentages (totals: 0)
//!   source: {fr: …, en: …}    # footnotes (or a plain text for both languages)
//!   population: {fr: …, en: …}
//!   field: {fr: …, en: …}
//!   significance: {level: 0.05, correction: holm}   # the default; `false` turns it off
//! ```
//!
//! `significance:` marks (`*`) each domain of an estimate with `by:` (proportions and
//! means) whose value differs from the value over all its domains at `level`, after the
//! correction (`holm`, `bonferroni` or `none`) over the comparisons of one table.

use super::Publication;
use crate::config::{Problems, show, suggest};
use crate::estimate::Text;
use crate::model::{Correction, Significance};
use serde::Deserialize;
use serde_yaml::Value;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPublication {
    min_n: Option<usize>,
    max_cv: Option<f64>,
    #[serde(default)]
    suppress: bool,
    decimals: Option<usize>,
    source: Option<Value>,
    population: Option<Value>,
    field: Option<Value>,
    significance: Option<Value>,
}

/// What publication tables say besides the numbers (`publication:` keys `decimals`,
/// `source`, `population`, `field`, `significance`; all optional).
#[derive(Debug, Clone, PartialEq)]
pub struct PublicationNotes {
    /// Decimals shown (of percentages for proportions); default 1 (totals: 0).
    pub decimals: Option<usize>,
    /// Source line of the footnotes (`{fr, en}` or a plain text).
    pub source: Option<Text>,
    /// Population covered.
    pub population: Option<Text>,
    /// Field (dates and mode of collection).
    pub field: Option<Text>,
    /// Marks of domains that differ from the overall value (`None`: `significance: false`).
    pub significance: Option<Significance>,
}

impl Default for PublicationNotes {
    fn default() -> Self {
        PublicationNotes {
            decimals: None,
            source: None,
            population: None,
            field: None,
            significance: Some(Significance::default()),
        }
    }
}

pub(super) fn validate_publication(raw: Option<&RawPublication>, p: &mut Problems) -> Publication {
    let Some(r) = raw else { return Publication::default() };
    if let Some(cv) = r.max_cv
        && !(cv > 0.0 && cv.is_finite())
    {
        p.push(
            "publication.max_cv",
            format!("must be a positive number (0.3 = 30 %), got {cv}"),
            None,
        );
    }
    if r.suppress && r.min_n.is_none() && r.max_cv.is_none() {
        p.push("publication.suppress", "suppression needs `min_n` or `max_cv`", None);
    }
    Publication { min_n: r.min_n, max_cv: r.max_cv, suppress: r.suppress }
}

/// `publication:` keys of the tables for readers: decimals (at most 6), the texts of the
/// footnotes (`{fr, en}` or a plain text for both) and `significance:`.
pub(super) fn validate_notes(raw: Option<&RawPublication>, p: &mut Problems) -> PublicationNotes {
    let Some(r) = raw else { return PublicationNotes::default() };
    if let Some(d) = r.decimals
        && d > 6
    {
        p.push(
            "publication.decimals",
            format!("at most 6 decimals are shown, got {d}"),
            Some("e.g. `decimals: 1` (48.9 %)".into()),
        );
    }
    let text = |key: &str, v: Option<&Value>, p: &mut Problems| {
        crate::config::codebook::heading_text(&format!("publication.{key}"), v, true, p)
    };
    PublicationNotes {
        decimals: r.decimals.filter(|d| *d <= 6),
        source: text("source", r.source.as_ref(), p),
        population: text("population", r.population.as_ref(), p),
        field: text("field", r.field.as_ref(), p),
        significance: significance(r.significance.as_ref(), p),
    }
}

const KEY: &str = "publication.significance";
const FORMS: &str = "write `significance: {level: 0.05, correction: holm}` (correction: holm, \
    bonferroni or none), `true` for these defaults, or `false` for no marks";

fn significance(v: Option<&Value>, p: &mut Problems) -> Option<Significance> {
    let m = match v {
        None | Some(Value::Bool(true)) => return Some(Significance::default()),
        Some(Value::Bool(false)) => return None,
        Some(Value::Mapping(m)) => m,
        Some(other) => {
            p.push(
                KEY,
                format!("`{}` is not a significance rule", show(other)),
                Some(FORMS.into()),
            );
            return None;
        }
    };
    let mut out = Significance::default();
    for (k, v) in m {
        match (k.as_str(), v) {
            (Some("level"), Value::Number(n)) if n.as_f64().is_some_and(|x| x > 0.0 && x < 0.5) => {
                out.level = n.as_f64().unwrap_or(0.05);
            }
            (Some("level"), other) => p.push(
                &format!("{KEY}.level"),
                format!("must be a number in (0, 0.5), got `{}`", show(other)),
                Some("the significance level of the tests, e.g. 0.05 (not the 0.95 of the intervals)".into()),
            ),
            (Some("correction"), Value::String(c)) if correction(c).is_some() => {
                out.correction = correction(c).unwrap_or_default();
            }
            (Some("correction"), other) => p.push(
                &format!("{KEY}.correction"),
                format!("unknown correction `{}`", show(other)),
                Some(other.as_str().and_then(|c| suggest(c, ["holm", "bonferroni", "none"].into_iter())).map_or_else(
                    || "use holm, bonferroni or none".to_string(),
                    |s| format!("did you mean `{s}`?"),
                )),
            ),
            (_, _) => p.push(
                KEY,
                format!("unknown key `{}`", show(k)),
                Some("the keys here are: level, correction".into()),
            ),
        }
    }
    Some(out)
}

fn correction(name: &str) -> Option<Correction> {
    match name {
        "holm" => Some(Correction::Holm),
        "bonferroni" => Some(Correction::Bonferroni),
        "none" => Some(Correction::None),
        _ => None,
    }
}
