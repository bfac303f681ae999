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
//! e_k the (calibration) residuals of the linearized variable (Särndal, Swensson & Wretman
//! 1992, §9.7). [`two_phase_variances`] is the one implementation of this formula;
//! [`TwoPhase`] feeds it.

use nalgebra::DMatrix;

use crate::design::Design;
use crate::error::{Error, Result};
use crate::tolerance as tol;

use super::calibration::{CalibrationStep, PreparedCalibration};
use super::linearization::NO_GROUP;

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
    let group = vec![0u32; design.n_rows()];
    Ok(two_phase_variances(design, respondent, p_hat, e, &group, 1)?[0])
}

/// [`two_phase_variance`] of several estimates at once: `e[k]` belongs to the estimate
/// `group[k]` ([`NO_GROUP`] = none), as in [`Design::grouped_variances`].
///
/// # Errors
/// As [`two_phase_variance`], for the rows of a group.
pub fn two_phase_variances(
    design: &Design,
    respondent: &[bool],
    p_hat: &[f64],
    e: &[f64],
    group: &[u32],
    n_groups: usize,
) -> Result<Vec<TwoPhaseVariance>> {
    let n = design.n_rows();
    if respondent.len() != n || p_hat.len() != n || e.len() != n || group.len() != n {
        return Err(Error::method(
            "variance",
            format!("nonresponse variance: inputs must all have {n} rows"),
        ));
    }
    // z_k = e_k / p̂_k for respondents: the engine multiplies by d_k (the design weights)
    let mut z = vec![0.0; n];
    let mut nr = vec![0.0; n_groups];
    for k in 0..n {
        if !respondent[k] || group[k] == NO_GROUP {
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
        nr[group[k] as usize] += (1.0 - p) * u * u;
    }
    let sampling = design.grouped_variances(&z, group, n_groups)?;
    Ok(sampling
        .into_iter()
        .zip(nr)
        .map(|(sampling, nonresponse)| TwoPhaseVariance { sampling, nonresponse })
        .collect())
}

/// The inputs of a two-phase (sampling + nonresponse) linearization.
#[derive(Debug, Clone)]
pub struct TwoPhase {
    /// Design of the full sample (every sampled row, design weights d).
    pub design: Design,
    /// Nonresponse-adjusted weights w (0 for non-respondents and ineligibles).
    pub weights: Vec<f64>,
    /// Analysis weights: w, or the calibrated weights w·g when the adjusted weights were
    /// then calibrated ([`TwoPhase::calibrated`]).
    pub analysis: Vec<f64>,
    /// The calibration of w, whose residuals replace the linearized values.
    calibration: Option<PreparedCalibration>,
}

impl TwoPhase {
    /// Checks the weights against the design: one per row, and each w either 0 or ≥ d (a
    /// response probability p̂ = d/w ≤ 1, up to [`tol::RESPONSE_PROBABILITY_EXCESS`]; never
    /// clamped beyond it).
    ///
    /// # Errors
    /// Lengths that differ; a negative or non-finite weight; 0 < w < d; a positive adjusted
    /// weight on a row with design weight 0.
    pub fn new(design: Design, weights: Vec<f64>) -> Result<TwoPhase> {
        if weights.len() != design.n_rows() {
            return Err(Error::Internal("two-phase weights of the wrong length".into()));
        }
        let floor = 1.0 - tol::RESPONSE_PROBABILITY_EXCESS;
        for (k, (&w, &d)) in weights.iter().zip(design.weights()).enumerate() {
            if !(w.is_finite() && w >= 0.0) || (w > 0.0 && (d <= 0.0 || w < d * floor)) {
                return Err(Error::method(
                    "variance",
                    format!(
                        "row {}: adjusted weight {w} for design weight {d}: the nonresponse \
                         phase needs w = 0 (non-respondent) or w >= d (response probability \
                         p = d/w <= 1)",
                        k + 1
                    ),
                ));
            }
        }
        Ok(TwoPhase { analysis: weights.clone(), design, weights, calibration: None })
    }

    /// The adjusted weights w were then calibrated to `final_weights` by `step` (its initial
    /// weights are w): the linearized variable z is replaced by the calibration residuals,
    /// and the two-phase formula applies to the contributions w_k g_k e_k —
    /// V = V_design(Σ_r d_k (w g e)_k / w_k) + Σ_r (1 − p̂_k) (w g e)_k², p̂_k = d_k / w_k
    /// (Särndal, Swensson & Wretman 1992, §9.7; Insee's gustave).
    ///
    /// # Errors
    /// Final weights of the wrong length, negative, or positive where w = 0; the step's own
    /// checks.
    pub fn calibrated(
        mut self,
        final_weights: Vec<f64>,
        step: &CalibrationStep,
    ) -> Result<TwoPhase> {
        let n = self.weights.len();
        if final_weights.len() != n {
            return Err(Error::Internal("calibrated weights of the wrong length".into()));
        }
        if let Some(k) = (0..n).find(|&k| {
            let g = final_weights[k];
            !(g.is_finite() && g >= 0.0) || (g > 0.0 && self.weights[k] == 0.0)
        }) {
            return Err(Error::method(
                "variance",
                format!(
                    "row {}: calibrated weight {} for adjusted weight {}: calibration keeps the \
                     non-respondents at 0 and the weights non-negative",
                    k + 1,
                    final_weights[k],
                    self.weights[k]
                ),
            ));
        }
        self.calibration = Some(step.prepare(&self.weights, &final_weights, n)?);
        self.analysis = final_weights;
        Ok(self)
    }

    /// Respondents (w > 0) and their response probabilities p̂ = d/w (≤ 1: the rounding
    /// [`TwoPhase::new`] accepts is taken as 1; 1 elsewhere).
    fn response(&self) -> (Vec<bool>, Vec<f64>) {
        let d = self.design.weights();
        let respondent: Vec<bool> = self.weights.iter().map(|w| *w > 0.0).collect();
        let p = (0..d.len())
            .map(|k| if respondent[k] { (d[k] / self.weights[k]).min(1.0) } else { 1.0 })
            .collect();
        (respondent, p)
    }

    /// Variances of several estimates (influence values `z` computed with the analysis
    /// weights, row k for the estimate `group[k]`): both terms of [`two_phase_variances`].
    ///
    /// # Errors
    /// As [`two_phase_variances`]; a lonely PSU under `fail`.
    pub fn grouped_variances(&self, z: &[f64], group: &[u32], n_groups: usize) -> Result<Vec<f64>> {
        let (respondent, p) = self.response();
        let Some(cal) = &self.calibration else {
            // without calibration the contributions are w z on the respondents: e = z
            let v = two_phase_variances(&self.design, &respondent, &p, z, group, n_groups)?;
            return Ok(v.iter().map(TwoPhaseVariance::total).collect());
        };
        (0..n_groups as u32)
            .map(|g| self.calibrated_variance(cal, &respondent, &p, z, group, g))
            .collect()
    }

    /// One estimate after calibration: contributions t = w g z on its rows, replaced by
    /// their calibration residuals (which spread outside its rows), then both terms with
    /// e = t / w (contribution d e / p̂ = t).
    fn calibrated_variance(
        &self,
        cal: &PreparedCalibration,
        respondent: &[bool],
        p: &[f64],
        z: &[f64],
        group: &[u32],
        g: u32,
    ) -> Result<f64> {
        let z: Vec<f64> = (0..z.len()).map(|k| if group[k] == g { z[k] } else { 0.0 }).collect();
        let e = self.residuals(Some(cal), respondent, &z);
        Ok(two_phase_variance(&self.design, respondent, p, &e)?.total())
    }

    /// The linearized variable e of the two-phase formula for influence values z computed
    /// with the analysis weights: contributions t = (w g) z, replaced by their calibration
    /// residuals when the weights were calibrated, then e = t / w on respondents (0
    /// elsewhere), so that the contribution d e / p̂ is t. Without calibration e = z.
    fn residuals(
        &self,
        cal: Option<&PreparedCalibration>,
        respondent: &[bool],
        z: &[f64],
    ) -> Vec<f64> {
        let Some(cal) = cal else {
            return (0..z.len()).map(|k| if respondent[k] { z[k] } else { 0.0 }).collect();
        };
        let mut t: Vec<f64> = z.iter().zip(&self.analysis).map(|(z, a)| a * z).collect();
        cal.adjust_rows(&mut t);
        (0..z.len()).map(|k| if respondent[k] { t[k] / self.weights[k] } else { 0.0 }).collect()
    }

    /// Covariance matrix of the totals `Σ_k a_k z_jk` (a the analysis weights), one per
    /// influence vector: the two-phase formula on pairs,
    /// `C_jl = Cov_design(Σ_r d e_j / p̂, Σ_r d e_l / p̂) + Σ_r (1 − p̂_k) u_jk u_lk`,
    /// u = d e / p̂, e as in the variances (calibration residuals when calibrated). Its
    /// diagonal is [`TwoPhase::grouped_variances`] of each vector alone.
    ///
    /// # Errors
    /// A respondent with a non-finite influence value; the design engine's errors.
    pub fn covariance(&self, z: &[&[f64]]) -> Result<DMatrix<f64>> {
        let (respondent, p) = self.response();
        let d = self.design.weights();
        let mut expanded = Vec::with_capacity(z.len());
        let mut u = Vec::with_capacity(z.len());
        for zj in z {
            if zj.len() != p.len() {
                return Err(Error::Internal(
                    "two-phase influence values of the wrong length".into(),
                ));
            }
            let e = self.residuals(self.calibration.as_ref(), &respondent, zj);
            if let Some(k) = (0..e.len()).find(|&k| respondent[k] && !e[k].is_finite()) {
                return Err(Error::method(
                    "variance",
                    format!("nonresponse variance: row {} has a missing influence value", k + 1),
                ));
            }
            expanded.push(e.iter().zip(&p).map(|(e, p)| e / p).collect::<Vec<f64>>());
            u.push((0..e.len()).map(|k| d[k] * e[k] / p[k]).collect::<Vec<f64>>());
        }
        let refs: Vec<&[f64]> = expanded.iter().map(Vec::as_slice).collect();
        let mut c = self.design.covariance(&refs)?;
        for a in 0..z.len() {
            for b in a..z.len() {
                let nr: f64 = (0..p.len())
                    .filter(|&k| respondent[k])
                    .map(|k| (1.0 - p[k]) * u[a][k] * u[b][k])
                    .sum();
                c[(a, b)] += nr;
                if a != b {
                    c[(b, a)] += nr;
                }
            }
        }
        Ok(c)
    }
}
