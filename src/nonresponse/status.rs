//! Collection outcome of each sampled unit, from a status column with declared codes.
//!
//! Every value of the status column must be declared in exactly one list; an undeclared
//! value is an error listing all of them (it is never counted as a respondent).

use super::input::label_at;
use crate::data::Factor;
use crate::error::{Error, Result};
use serde::Serialize;
use std::collections::BTreeMap;

/// Collection outcome of a sampled unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Responded in the first (web) phase.
    Web,
    /// Responded in the telephone relaunch.
    Phone,
    /// Responded, mode not distinguished (a 0/1 respondent column).
    Respondent,
    /// Eligible, did not respond.
    Nonrespondent,
    /// Out of scope: leaves with weight 0.
    Ineligible,
    /// Eligibility unknown: its weight is shared among known-eligibility units.
    Unknown,
}

impl Outcome {
    /// Text form used in output columns and reports.
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Web => "web",
            Outcome::Phone => "phone",
            Outcome::Respondent => "respondent",
            Outcome::Nonrespondent => "nonrespondent",
            Outcome::Ineligible => "ineligible",
            Outcome::Unknown => "unknown",
        }
    }

    /// Responded (in any mode).
    pub fn is_respondent(self) -> bool {
        matches!(self, Outcome::Web | Outcome::Phone | Outcome::Respondent)
    }

    /// Known to be eligible (respondent or nonrespondent).
    pub fn is_eligible(self) -> bool {
        self.is_respondent() || self == Outcome::Nonrespondent
    }

    /// Eligibility known (eligible or ineligible).
    pub fn is_known(self) -> bool {
        self != Outcome::Unknown
    }
}

/// Declared codes of the status column, matched against the level labels (text form).
/// `respondent` is for a single-mode (e.g. 0/1) column: `respondent: ["1"], nonrespondent:
/// ["0"]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusCodes {
    /// Web respondents.
    pub web: Vec<String>,
    /// Telephone respondents.
    pub phone: Vec<String>,
    /// Respondents when the mode is not distinguished.
    pub respondent: Vec<String>,
    /// Eligible non-respondents (refusal, unreached...).
    pub nonrespondent: Vec<String>,
    /// Out of scope.
    pub ineligible: Vec<String>,
    /// Eligibility unknown.
    pub unknown: Vec<String>,
}

impl StatusCodes {
    /// A 0/1 (or any two-code) respondent column.
    pub fn binary(respondent: &str, nonrespondent: &str) -> Self {
        StatusCodes {
            respondent: vec![respondent.to_string()],
            nonrespondent: vec![nonrespondent.to_string()],
            ..Default::default()
        }
    }

    fn lists(&self) -> [(Outcome, &Vec<String>); 6] {
        [
            (Outcome::Web, &self.web),
            (Outcome::Phone, &self.phone),
            (Outcome::Respondent, &self.respondent),
            (Outcome::Nonrespondent, &self.nonrespondent),
            (Outcome::Ineligible, &self.ineligible),
            (Outcome::Unknown, &self.unknown),
        ]
    }

    /// Code → outcome map; a code declared under two outcomes is an error.
    fn map(&self) -> Result<BTreeMap<&str, Outcome>> {
        let mut map: BTreeMap<&str, Outcome> = BTreeMap::new();
        for (outcome, codes) in self.lists() {
            for code in codes {
                if let Some(prev) = map.insert(code.as_str(), outcome)
                    && prev != outcome
                {
                    return Err(Error::method(
                        "nonresponse",
                        format!(
                            "status code `{code}` is declared both as `{}` and as `{}`; declare \
                             it under one outcome only",
                            prev.label(),
                            outcome.label()
                        ),
                    ));
                }
            }
        }
        if !self.respondent.is_empty() && (!self.web.is_empty() || !self.phone.is_empty()) {
            return Err(Error::method(
                "nonresponse",
                "status codes mix `respondent` with `web`/`phone`; declare respondents either by \
                 mode (web, phone) or as `respondent`, not both",
            ));
        }
        Ok(map)
    }
}

/// Maps every unit's status to its [`Outcome`].
///
/// # Errors
/// A missing status, a status value declared nowhere (all such values are listed with their
/// counts), a code declared twice, or `respondent` mixed with `web`/`phone`.
pub fn classify(status_name: &str, status: &Factor, codes: &StatusCodes) -> Result<Vec<Outcome>> {
    let map = codes.map()?;
    let level_outcome: Vec<Option<Outcome>> =
        status.levels.iter().map(|l| map.get(l.as_str()).copied()).collect();
    let mut undeclared: BTreeMap<&str, usize> = BTreeMap::new();
    let mut missing: Vec<usize> = Vec::new();
    let mut out = Vec::with_capacity(status.len());
    for i in 0..status.len() {
        match label_at(status, i) {
            None => {
                missing.push(i);
                out.push(Outcome::Unknown);
            }
            Some(label) => match level_outcome[status.codes[i] as usize] {
                Some(o) => out.push(o),
                None => {
                    *undeclared.entry(label).or_default() += 1;
                    out.push(Outcome::Unknown);
                }
            },
        }
    }
    if !undeclared.is_empty() {
        let list: Vec<String> =
            undeclared.iter().map(|(c, n)| format!("`{c}` ({n} unit(s))")).collect();
        return Err(Error::method(
            "nonresponse",
            format!(
                "status column `{status_name}` has values declared under no outcome: {}; add \
                 each to one of `codes.web`, `phone`, `respondent`, `nonrespondent`, \
                 `ineligible` or `unknown` (undeclared values are never counted as respondents)",
                list.join(", ")
            ),
        ));
    }
    if missing.is_empty() && !out.is_empty() && !out.iter().any(|o| o.is_respondent()) {
        let declared: Vec<&str> = codes
            .web
            .iter()
            .chain(&codes.phone)
            .chain(&codes.respondent)
            .map(String::as_str)
            .collect();
        return Err(Error::method(
            "nonresponse",
            format!(
                "no unit of status column `{status_name}` has a respondent code (declared: {}; the \
                 column holds: {}); check the codes under `web`, `phone` or `respondent`",
                declared.join(", "),
                status.levels.join(", ")
            ),
        ));
    }
    if !missing.is_empty() {
        let rows: Vec<String> = missing.iter().take(10).map(|i| (i + 1).to_string()).collect();
        return Err(Error::method(
            "nonresponse",
            format!(
                "status column `{status_name}` is missing for {} unit(s) (rows {}{}); give every \
                 sampled unit an outcome, e.g. a code declared under `unknown`",
                missing.len(),
                rows.join(", "),
                if missing.len() > 10 { ", ..." } else { "" }
            ),
        ));
    }
    Ok(out)
}
