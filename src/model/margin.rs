//! Predictive margins of a design-based GLM: the mean response had every unit of the model
//! been at one level of a factor term (a counterfactual such as "had everyone answered on
//! the web"), with its design variance, beside the observed mean (R `survey`'s
//! `svypredmeans` / `marginpred` idea; Graubard & Korn 1999).
//!
//! # Formulas
//! Fit rows F (domain, complete, w > 0), β̂ the fit, x*_k row k of the model matrix with
//! the term set to the level ([`ModelMatrix::build_at`]), μ*_k = g⁻¹(x*_kᵀβ̂), N̂ = Σ_F w_k:
//! - margin `θ̂* = Σ_F w_k μ*_k / N̂`; observed mean `ȳ = Σ_F w_k y_k / N̂`;
//!   difference `θ̂* − ȳ` (what the level shift changes).
//! - Linearization: influence values of θ̂*,
//!   `z_k = 1{k ∈ F} (μ*_k − θ̂*) / N̂ + gᵀ z^β_k`, `g = Σ_F w_k μ'(η*_k) x*_k / N̂`, z^β the
//!   influence values of β̂ (the sandwich's, [`super::glm`]); of ȳ, `1{k ∈ F}(y_k − ȳ)/N̂`;
//!   their joint design covariance from the one variance engine (calibration residuals,
//!   strata, clusters, fpc, nonresponse phase when the engine has it).
//! - Replicates: β̂_r refitted on each replicate's weights (warm start), θ̂*_r and ȳ_r with
//!   those weights; `V = scale Σ_r rscale_r (θ_r − θ̄)²` as every replicate variance.
//!
//! CIs use Student's t on the design degrees of freedom of the fit rows (the replicate df
//! for replicates).

use crate::error::Result;

use super::engine::replicate_covariance;
use super::glm::{GlmOptions, PointFit, fit_point, influence, replicate_refits};
use super::irls::RowMajor;
use super::stats::{t_quantile, t_two_sided};
use super::terms::{ModelMatrix, ModelSpec};
use super::{Family, Variance};

/// One estimate with its design standard error, t statistic (against 0), p-value and CI.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The point estimate.
    pub estimate: f64,
    /// Standard error.
    pub se: f64,
    /// Two-sided p-value of estimate / SE on `df`.
    pub p_value: f64,
    /// Lower confidence limit.
    pub ci_low: f64,
    /// Upper confidence limit.
    pub ci_high: f64,
}

/// A predictive margin, the observed mean of the same rows and their difference.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictiveMargin {
    /// The term set and its level.
    pub set: (String, String),
    /// θ̂*: the mean predicted response with the term at the level.
    pub margin: Estimate,
    /// ȳ: the observed weighted mean of the response on the fit rows.
    pub observed: Estimate,
    /// θ̂* − ȳ, with the covariance of the two.
    pub difference: Estimate,
    /// Degrees of freedom of the t quantiles and p-values.
    pub df: f64,
    /// Rows of the fit (positive weight).
    pub n: usize,
}

/// The predictive margin of `spec` with term `set.0` at level `set.1` (see the module
/// docs), CI at `level`.
///
/// # Errors
/// The model's errors ([`super::fit_glm`]); `set` not a factor term or not one of its
/// levels; variance errors of the design.
pub fn predictive_margin(
    spec: &ModelSpec,
    var: Variance,
    opts: &GlmOptions,
    set: (&str, &str),
    level: f64,
) -> Result<PredictiveMargin> {
    let f = fit_point(spec, var, opts)?;
    let w = var.weights();
    let at = ModelMatrix::build_at(spec, w, set)?;
    let at_rows = RowMajor::new(&at);
    let fit_rows: Vec<usize> = (0..f.mm.n).filter(|&k| f.mm.rows[k] && w[k] > 0.0).collect();
    let point = |beta: &[f64], w: &[f64]| means(&f, (&at_rows, spec.family), beta, w);
    let theta = point(&f.fit.beta, w);
    let (cov, df) = match var {
        Variance::Linearization(e) => {
            let z = margin_influence(&f, (&at_rows, spec.family), &fit_rows, w, &theta);
            let refs: Vec<&[f64]> = z.iter().map(Vec::as_slice).collect();
            (e.covariance(&refs)?, e.degrees_of_freedom(&|k| f.mm.rows[k] && w[k] != 0.0))
        }
        Variance::Replicates(r) => {
            let thetas = replicate_refits(r, &f, spec.family, point)?;
            (replicate_covariance(r, &thetas, &theta), r.degrees_of_freedom())
        }
    };
    let est = |value: f64, variance: f64| {
        let se = variance.max(0.0).sqrt();
        let q = t_quantile(1.0 - (1.0 - level) / 2.0, df);
        Estimate {
            estimate: value,
            se,
            p_value: t_two_sided(value / se, df),
            ci_low: value - q * se,
            ci_high: value + q * se,
        }
    };
    let diff_var = cov[(0, 0)] + cov[(1, 1)] - 2.0 * cov[(0, 1)];
    Ok(PredictiveMargin {
        set: (set.0.to_string(), set.1.to_string()),
        margin: est(theta[0], cov[(0, 0)]),
        observed: est(theta[1], cov[(1, 1)]),
        difference: est(theta[0] - theta[1], diff_var),
        df,
        n: fit_rows.len(),
    })
}

/// `[θ*, ȳ]` for coefficients `beta` and weights `w` on the fit rows of `f`.
fn means(f: &PointFit, (at, family): (&RowMajor, Family), beta: &[f64], w: &[f64]) -> Vec<f64> {
    let (mut total, mut pred, mut obs) = (0.0, 0.0, 0.0);
    for k in (0..f.mm.n).filter(|&k| f.mm.rows[k] && w[k] > 0.0) {
        let eta: f64 = at.row(k).iter().zip(beta).map(|(x, b)| x * b).sum();
        total += w[k];
        pred += w[k] * family.linkinv(eta);
        obs += w[k] * f.mm.y[k];
    }
    vec![pred / total, obs / total]
}

/// Influence values of θ̂* and ȳ (module docs).
fn margin_influence(
    f: &PointFit,
    (at, family): (&RowMajor, Family),
    fit_rows: &[usize],
    w: &[f64],
    theta: &[f64],
) -> Vec<Vec<f64>> {
    let p = f.mm.p();
    let n_hat: f64 = fit_rows.iter().map(|&k| w[k]).sum();
    let mut g = vec![0.0; p];
    let mut z_margin = vec![0.0; f.mm.n];
    let mut z_obs = vec![0.0; f.mm.n];
    for &k in fit_rows {
        let xk = &at.row(k)[..p];
        let eta: f64 = xk.iter().zip(&f.fit.beta).map(|(x, b)| x * b).sum();
        let d = w[k] * family.mu_eta(eta) / n_hat;
        g.iter_mut().zip(xk).for_each(|(gj, x)| *gj += d * x);
        z_margin[k] = (family.linkinv(eta) - theta[0]) / n_hat;
        z_obs[k] = (f.mm.y[k] - theta[1]) / n_hat;
    }
    for (zb, gj) in influence(w, f, family).iter().zip(&g) {
        for &k in fit_rows {
            z_margin[k] += gj * zb[k];
        }
    }
    vec![z_margin, z_obs]
}
