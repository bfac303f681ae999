//! Where variances come from: linearization on a [`Design`] or replicate weights.

use rayon::prelude::*;

use super::domain::{Domains, NO_DOMAIN};
use super::estimators::Estimator;
use super::spec::DfRule;
use crate::design::Design;
use crate::error::Result;
use crate::variance::replicates::ReplicateDesign;

/// Variance method of an estimation run.
#[derive(Debug, Clone, Copy)]
pub enum VarianceSource<'a> {
    /// Linearization (influence values through the design's variance engine).
    Linearization(&'a Design),
    /// Replicate weights (the estimator re-run on every replicate).
    Replicates(&'a ReplicateDesign),
    /// Linearization with a nonresponse phase (Insee's `gustave` approach, methods.md §4):
    /// response is a Poisson phase with probabilities p̂_k = d_k / w_k on the full-sample
    /// design. `V = V_design(Σ_r d z / p̂) + Σ_r (1 − p̂)(d z / p̂)²`, z the influence values
    /// computed with the adjusted weights.
    TwoPhase(&'a TwoPhase),
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
    calibration: Option<crate::variance::PreparedCalibration>,
}

impl TwoPhase {
    /// Checks the weights against the design: one per row, and each w either 0 or ≥ d (a
    /// response probability p̂ = d/w ≤ 1; never clamped).
    ///
    /// # Errors
    /// Lengths that differ; a negative or non-finite weight; 0 < w < d; a positive adjusted weight on a
    /// row with design weight 0.
    pub fn new(design: Design, weights: Vec<f64>) -> Result<TwoPhase> {
        if weights.len() != design.n_rows() {
            return Err(crate::Error::Internal("two-phase weights of the wrong length".into()));
        }
        for (k, (&w, &d)) in weights.iter().zip(design.weights()).enumerate() {
            if !(w.is_finite() && w >= 0.0) || (w > 0.0 && (d <= 0.0 || w < d * (1.0 - 1e-12))) {
                return Err(crate::Error::method(
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
        step: &crate::variance::CalibrationStep,
    ) -> Result<TwoPhase> {
        let n = self.weights.len();
        if final_weights.len() != n {
            return Err(crate::Error::Internal("calibrated weights of the wrong length".into()));
        }
        if let Some(k) = (0..n).find(|&k| {
            let g = final_weights[k];
            !(g.is_finite() && g >= 0.0) || (g > 0.0 && self.weights[k] == 0.0)
        }) {
            return Err(crate::Error::method(
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

    /// Per domain: the sampling term and the nonresponse term.
    fn variances(&self, z: &[f64], dom: &Domains) -> Result<Vec<f64>> {
        match &self.calibration {
            None => self.adjusted_variances(z, dom),
            Some(cal) => {
                (0..dom.n).map(|g| self.calibrated_variance(cal, z, dom, g as u32)).collect()
            }
        }
    }

    /// One domain after calibration: contributions t = w g z on the domain, replaced by
    /// their calibration residuals (which spread outside the domain), then both terms.
    fn calibrated_variance(
        &self,
        cal: &crate::variance::PreparedCalibration,
        z: &[f64],
        dom: &Domains,
        g: u32,
    ) -> Result<f64> {
        let d = self.design.weights();
        let mut t: Vec<f64> = (0..z.len())
            .map(|k| if dom.codes[k] == g { self.analysis[k] * z[k] } else { 0.0 })
            .collect();
        cal.adjust_rows(&mut t);
        // The library's two-phase formula takes e with contribution d e / p̂ = t, so
        // e = t / w on respondents; p̂ = d / w is ≤ 1 up to the rounding `new` accepts.
        let respondent: Vec<bool> = self.weights.iter().map(|w| *w > 0.0).collect();
        let p: Vec<f64> = (0..z.len())
            .map(|k| if respondent[k] { (d[k] / self.weights[k]).min(1.0) } else { 1.0 })
            .collect();
        let e: Vec<f64> = (0..z.len())
            .map(|k| if respondent[k] { t[k] / self.weights[k] } else { 0.0 })
            .collect();
        Ok(crate::variance::two_phase_variance(&self.design, &respondent, &p, &e)?.total())
    }

    /// Without calibration, every domain at once.
    fn adjusted_variances(&self, z: &[f64], dom: &Domains) -> Result<Vec<f64>> {
        let d = self.design.weights();
        // u_k = z_k / p̂_k = z_k w_k / d_k on respondents: Σ d u = Σ w z
        let u: Vec<f64> = (0..z.len())
            .map(|k| if self.weights[k] > 0.0 { z[k] * self.weights[k] / d[k] } else { 0.0 })
            .collect();
        let mut v = self.design.grouped_variances(&u, &dom.codes, dom.n)?;
        for k in 0..z.len() {
            let c = dom.codes[k];
            if c == NO_DOMAIN || self.weights[k] <= 0.0 {
                continue;
            }
            let p = d[k] / self.weights[k];
            let t = self.weights[k] * z[k];
            // p <= 1 up to rounding (checked in `new`); 1 − p may be −1e-12
            v[c as usize] += (1.0 - p).max(0.0) * t * t;
        }
        Ok(v)
    }
}

/// Estimates, variances and dropped-replicate counts of every domain.
pub(crate) struct DomainResults {
    pub estimates: Vec<f64>,
    pub variances: Vec<f64>,
    pub dropped: Vec<usize>,
}

impl VarianceSource<'_> {
    /// Full-sample analysis weights.
    pub fn weights(&self) -> &[f64] {
        match self {
            VarianceSource::Linearization(d) => d.weights(),
            VarianceSource::Replicates(r) => r.full_weights(),
            VarianceSource::TwoPhase(t) => &t.analysis,
        }
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.weights().len()
    }

    /// Estimates and variances of an estimator over all domains.
    pub(crate) fn run(&self, est: &dyn Estimator, dom: &Domains) -> Result<DomainResults> {
        match self {
            VarianceSource::Linearization(design) => {
                let lin = est.linearize(design.weights(), dom);
                let variances = design.grouped_variances(&lin.z, &dom.codes, dom.n)?;
                Ok(DomainResults { estimates: lin.estimates, variances, dropped: vec![0; dom.n] })
            }
            VarianceSource::TwoPhase(t) => {
                let lin = est.linearize(&t.analysis, dom);
                let variances = t.variances(&lin.z, dom)?;
                Ok(DomainResults { estimates: lin.estimates, variances, dropped: vec![0; dom.n] })
            }
            VarianceSource::Replicates(rep) => {
                let estimates = est.point(rep.full_weights(), dom);
                // each replicate independently, collected in replicate order: deterministic
                let thetas: Vec<Vec<f64>> =
                    rep.replicate_weights().par_iter().map(|w| est.point(w, dom)).collect();
                let mut variances = Vec::with_capacity(dom.n);
                let mut dropped = Vec::with_capacity(dom.n);
                let mut col = vec![0.0; thetas.len()];
                for d in 0..dom.n {
                    for (c, t) in col.iter_mut().zip(&thetas) {
                        *c = t[d];
                    }
                    let (v, nd) = rep.variance_of(&col, estimates[d]);
                    variances.push(v);
                    dropped.push(nd);
                }
                Ok(DomainResults { estimates, variances, dropped })
            }
        }
    }

    /// Degrees of freedom of every domain under `rule` (`None` = normal), in one pass.
    pub(crate) fn dfs(&self, rule: DfRule, dom: &Domains) -> Vec<Option<f64>> {
        let one = |v: Option<f64>| vec![v; dom.n];
        match (rule, self) {
            (DfRule::Infinite, _) => one(None),
            (DfRule::Fixed(v), _) => one(Some(v)),
            (_, VarianceSource::Replicates(r)) => one(Some(r.degrees_of_freedom())),
            (DfRule::Design, VarianceSource::Linearization(des)) => {
                one(Some(des.degrees_of_freedom()))
            }
            (DfRule::Design, VarianceSource::TwoPhase(t)) => {
                one(Some(t.design.degrees_of_freedom()))
            }
            (DfRule::Domain, VarianceSource::TwoPhase(t)) => {
                VarianceSource::Linearization(&t.design).dfs(rule, dom)
            }
            (DfRule::Domain, VarianceSource::Linearization(des)) => {
                // distinct (domain, PSU) and (domain, stratum) pairs among rows with weight
                let (w, psu, strat) = (des.weights(), des.psu_of_rows(), des.stratum_of_psus());
                let mut pairs: Vec<(u32, u32)> = (0..w.len())
                    .filter(|&k| dom.codes[k] != NO_DOMAIN && w[k] != 0.0)
                    .map(|k| (dom.codes[k], psu[k]))
                    .collect();
                pairs.sort_unstable();
                pairs.dedup();
                let mut strata: Vec<(u32, u32)> =
                    pairs.iter().map(|&(d, u)| (d, strat[u as usize])).collect();
                strata.sort_unstable();
                strata.dedup();
                let mut df = vec![0.0; dom.n];
                pairs.iter().for_each(|&(d, _)| df[d as usize] += 1.0);
                strata.iter().for_each(|&(d, _)| df[d as usize] -= 1.0);
                df.into_iter().map(Some).collect()
            }
        }
    }
}

/// Per-domain counts: rows with positive weight and weight sums.
pub(crate) fn domain_counts(w: &[f64], dom: &Domains) -> (Vec<usize>, Vec<f64>) {
    let mut n = vec![0usize; dom.n];
    let mut nw = vec![0.0; dom.n];
    for (k, &c) in dom.codes.iter().enumerate() {
        if c != NO_DOMAIN && w[k] != 0.0 {
            n[c as usize] += 1;
            nw[c as usize] += w[k];
        }
    }
    (n, nw)
}

/// Variance of the same estimator under SRSWOR of the same size (R `survey`'s
/// `deff = TRUE`), per domain.
///
/// # Formula
/// On the domain's rows with positive weight: n, N̂ = Σ w, ȳ = Σ w y / N̂,
/// `s² = Σ w (y − ȳ)² / N̂ · n/(n − 1)`; mean: `s² (N̂ − n)/(N̂ n)`; total: that times N̂².
/// NaN when N̂ < n (weights not scaled to the population, as R warns).
pub(crate) fn srs_variances(w: &[f64], y: &[f64], dom: &Domains, total: bool) -> Vec<f64> {
    let (n, nw) = domain_counts(w, dom);
    let mut sy = vec![0.0; dom.n];
    for (k, &c) in dom.codes.iter().enumerate() {
        if c != NO_DOMAIN && w[k] != 0.0 {
            sy[c as usize] += w[k] * y[k];
        }
    }
    let mean: Vec<f64> = sy.iter().zip(&nw).map(|(s, n)| s / n).collect();
    let mut ss = vec![0.0; dom.n];
    for (k, &c) in dom.codes.iter().enumerate() {
        if c != NO_DOMAIN && w[k] != 0.0 {
            let e = y[k] - mean[c as usize];
            ss[c as usize] += w[k] * e * e;
        }
    }
    (0..dom.n)
        .map(|d| {
            let (nd, nh) = (n[d] as f64, nw[d]);
            if nd < 2.0 || nh < nd {
                return f64::NAN;
            }
            let s2 = ss[d] / nh * nd / (nd - 1.0);
            let v = s2 * (nh - nd) / (nh * nd);
            if total { v * nh * nh } else { v }
        })
        .collect()
}
