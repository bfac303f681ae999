//! Variance with a nonresponse phase (the two-phase approach of Insee's `gustave`).
//!
//! Response is modelled as a Poisson phase with probabilities p̂_k = d_k / w_k^{NR}
//! (independent responses given the sample).
//!
//! # Formula
//! `V = V_sampling + V_nonresponse`, with
//! - `V_sampling`: the design variance of `Σ_{k∈r} d_k e_k / p̂_k` (respondent contributions
//!   expanded by 1/p̂_k, zero for nonrespondents) on the full sample design;
//! - `V_nonresponse = Σ_{k∈r} (1 − p̂_k) (d_k e_k / p̂_k)²`,
//!
//! e_k the (calibration) residuals of the linearized variable.

use crate::design::Design;
use crate::error::{Error, Result};

/// The two terms of a two-phase (sampling + nonresponse) variance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TwoPhaseVariance {
    /// Sampling (first-phase) term.
    pub sampling: f64,
    /// Nonresponse (second-phase, Poisson) term.
    pub nonresponse: f64,
}

impl TwoPhaseVariance {
    /// Total variance.
    pub fn total(&self) -> f64 {
        self.sampling + self.nonresponse
    }
}

/// Two-phase variance of a linearized statistic.
///
/// `design`: the sampling design of the full sample (design weights d, every sampled row);
/// `respondent`: response indicator; `p_hat`: estimated response probabilities (used on
/// respondents only); `e`: linearized variable (residuals) per row (used on respondents).
///
/// # Errors
/// Lengths that differ; a respondent with p̂ outside (0, 1] or a non-finite residual.
pub fn two_phase_variance(
    design: &Design,
    respondent: &[bool],
    p_hat: &[f64],
    e: &[f64],
) -> Result<TwoPhaseVariance> {
    let n = design.n_rows();
    if respondent.len() != n || p_hat.len() != n || e.len() != n {
        return Err(Error::method(
            "variance",
            format!("nonresponse variance: inputs must all have {n} rows"),
        ));
    }
    // z_k = e_k / p̂_k for respondents: the engine multiplies by d_k (the design weights)
    let mut z = vec![0.0; n];
    let mut nr = 0.0;
    for k in 0..n {
        if !respondent[k] {
            continue;
        }
        let p = p_hat[k];
        if !(p > 0.0 && p <= 1.0 && e[k].is_finite()) {
            return Err(Error::method(
                "variance",
                format!("nonresponse variance: row {} has p̂ = {p} or a missing residual", k + 1),
            ));
        }
        z[k] = e[k] / p;
        let u = design.weights()[k] * e[k] / p;
        nr += (1.0 - p) * u * u;
    }
    let sampling = design.variance(&z)?;
    Ok(TwoPhaseVariance { sampling, nonresponse: nr })
}
