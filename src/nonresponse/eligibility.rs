//! Unknown eligibility: its weight is shared among known-eligibility units of its class.
//!
//! # Formula
//! Within eligibility class c, known-eligibility units (respondents, nonrespondents,
//! ineligibles) get d'_k = d_k · a_c with a_c = Σ_{k∈c} d_k / Σ_{k∈c, known} d_k, units of
//! unknown eligibility get 0. The unknowns are thus assumed eligible at the class's weighted
//! eligibility rate among known units (the ineligibles take their share, then leave with
//! weight 0). Haziza & Beaumont (2017), §4.

use super::status::Outcome;
use crate::error::{Error, Result};
use serde::Serialize;

/// One eligibility class in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EligibilityClass {
    /// Class label (cross-classified values joined by `,`; `all` without classes).
    pub class: String,
    /// Units of known eligibility (eligible or ineligible).
    pub n_known: usize,
    /// Units of unknown eligibility.
    pub n_unknown: usize,
    /// Known-eligible units (respondents and nonrespondents).
    pub n_eligible: usize,
    /// Ineligible units.
    pub n_ineligible: usize,
    /// Σ d over known-eligibility units.
    pub weight_known: f64,
    /// Σ d over unknown-eligibility units.
    pub weight_unknown: f64,
    /// Factor a_c applied to known-eligibility units.
    pub factor: f64,
    /// Weighted eligibility rate among known units: Σ_{eligible} d / Σ_{known} d.
    pub eligibility_rate: f64,
}

/// Eligibility-adjusted weights d' (0 for unknowns) and the per-class report.
///
/// # Errors
/// A class whose units all have unknown eligibility (positive weight, no known unit).
pub(crate) fn redistribute(
    outcomes: &[Outcome],
    d: &[f64],
    class: &[u32],
    labels: &[String],
) -> Result<(Vec<f64>, Vec<EligibilityClass>)> {
    let nc = labels.len();
    let mut rep: Vec<EligibilityClass> = labels
        .iter()
        .map(|l| EligibilityClass {
            class: l.clone(),
            n_known: 0,
            n_unknown: 0,
            n_eligible: 0,
            n_ineligible: 0,
            weight_known: 0.0,
            weight_unknown: 0.0,
            factor: 1.0,
            eligibility_rate: f64::NAN,
        })
        .collect();
    let mut w_elig = vec![0.0; nc];
    for (i, &o) in outcomes.iter().enumerate() {
        let c = &mut rep[class[i] as usize];
        match o {
            Outcome::Unknown => {
                c.n_unknown += 1;
                c.weight_unknown += d[i];
            }
            _ => {
                c.n_known += 1;
                c.weight_known += d[i];
                if o == Outcome::Ineligible {
                    c.n_ineligible += 1;
                } else {
                    c.n_eligible += 1;
                    w_elig[class[i] as usize] += d[i];
                }
            }
        }
    }
    for (c, we) in rep.iter_mut().zip(&w_elig) {
        if c.weight_unknown > 0.0 && c.weight_known <= 0.0 {
            return Err(Error::method(
                "nonresponse",
                format!(
                    "eligibility class `{}` has {} unit(s) of unknown eligibility and no unit of \
                     known eligibility, so their weight cannot be shared; merge this class with \
                     a neighbour (coarser `eligibility_classes`)",
                    c.class, c.n_unknown
                ),
            ));
        }
        if c.weight_known > 0.0 {
            c.factor = (c.weight_known + c.weight_unknown) / c.weight_known;
            c.eligibility_rate = we / c.weight_known;
        }
    }
    let adjusted = outcomes
        .iter()
        .enumerate()
        .map(|(i, &o)| if o.is_known() { d[i] * rep[class[i] as usize].factor } else { 0.0 })
        .collect();
    Ok((adjusted, rep))
}
