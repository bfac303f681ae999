//! Design-based GLM (R `svyglm`, `summary.svyglm`, `confint.svyglm`).
//!
//! # Formulas
//! Fit: IRLS with prior weights p_k = w_k 1{k ∈ fit} rescaled as R does (to mean 1 on the
//! fit rows for linearization; to sum 1 for replicate designs), so that the iteration path
//! is R's. Sandwich (Binder 1983): `V(β̂) = V_design(Σ_k w_k z_k)` with
//! `w_k z_k = A x_k (y_k − μ_k)/μ'(η_k) · W_k`, A = (XᵀWX)⁻¹ and W the working weights of
//! the last iteration (R's `svy.varcoef`: `estfun %*% Ainv`, `estfun = X · resid(working) ·
//! weights(working)`). Replicates: β̂_r refitted from β̂ with each replicate's weights,
//! `V = scale Σ_r rscale_r (β̂_r − β̄)(β̂_r − β̄)ᵀ` (R `svrVar`).
//! Residual df = design df (of the fit rows) + 1 − p; `t = β̂/SE`, p-value from t(df),
//! CI `β̂ ± t_{1−α/2, df} SE` (R's `confint.svyglm`, Wald, with t on the residual df).
//! Dispersion (reported, not used in SEs): `svyvar` of the Pearson residuals
//! `(y − μ)/√V(μ)` (replicates: `Σ w r² / Σ w`), as `summary.svyglm` / `summary.svrepglm`.

use nalgebra::DMatrix;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::variance::replicates::ReplicateDesign;

use super::engine::replicate_covariance;
use super::family::{Family, Link};
use super::irls::{
    Control, IrlsFit, RowMajor, active_rows, aliasing_error, first_aliased, gram, irls,
};
use super::stats::{t_quantile, t_two_sided};
use super::terms::{Column, ModelMatrix, ModelSpec, TermColumns};
use super::{STEP, Variance};
use crate::tolerance as tol;

/// IRLS stopping rule (R `glm.control()` defaults).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GlmOptions {
    /// Relative change in deviance under which IRLS stops.
    pub epsilon: f64,
    /// Maximum number of iterations.
    pub max_iterations: usize,
}

impl Default for GlmOptions {
    fn default() -> Self {
        GlmOptions { epsilon: tol::GLM_EPSILON, max_iterations: tol::GLM_MAX_ITERATIONS }
    }
}

/// A fitted design-based GLM.
#[derive(Debug, Clone)]
pub struct GlmFit {
    /// Family.
    pub family: Family,
    /// Coefficient labels.
    pub names: Vec<String>,
    /// Columns of each term.
    pub terms: Vec<TermColumns>,
    /// β̂.
    pub coefficients: Vec<f64>,
    /// Design covariance of β̂.
    pub covariance: DMatrix<f64>,
    /// Residual degrees of freedom: design df + 1 − p.
    pub df_residual: f64,
    /// Dispersion as `summary.svyglm` reports it.
    pub dispersion: f64,
    /// IRLS iterations of the full-sample fit.
    pub iterations: usize,
    /// Rows in the fit (domain, complete, weight > 0).
    pub n: usize,
}

/// One row of the coefficient table.
#[derive(Debug, Clone, PartialEq)]
pub struct Coefficient {
    /// Label, e.g. `stype=H`.
    pub term: String,
    /// β̂_j.
    pub estimate: f64,
    /// Standard error.
    pub se: f64,
    /// t = β̂_j / SE.
    pub statistic: f64,
    /// Residual df.
    pub df: f64,
    /// Two-sided p-value, t(df).
    pub p_value: f64,
    /// Lower confidence limit.
    pub ci_low: f64,
    /// Upper confidence limit.
    pub ci_high: f64,
    /// exp of (estimate, ci_low, ci_high) for log and logit links.
    pub exp: Option<[f64; 3]>,
}

/// Fits `spec` on the design.
///
/// # Errors
/// Model-matrix errors ([`ModelMatrix::build`]); fewer residual df than 1; aliased columns
/// and separation ([`Error::Method`], naming the column or level); no convergence
/// ([`Error::NotConverged`]); variance errors of the design.
pub fn fit_glm(spec: &ModelSpec, var: Variance, opts: &GlmOptions) -> Result<GlmFit> {
    let f = fit_point(spec, var, opts)?;
    let covariance = match var {
        Variance::Linearization(e) => {
            let z = influence(e.weights(), &f, spec.family);
            let refs: Vec<&[f64]> = z.iter().map(Vec::as_slice).collect();
            e.covariance(&refs)?
        }
        Variance::Replicates(r) => {
            let thetas = replicate_refits(r, &f, spec.family, |beta, _| beta.to_vec())?;
            replicate_covariance(r, &thetas, &f.fit.beta)
        }
    };
    let w = var.weights();
    let dispersion =
        dispersion(spec.family, &f.mm, &f.fit, w, matches!(var, Variance::Replicates(_)));
    let used = (0..f.mm.n).filter(|&k| f.mm.rows[k] && w[k] > 0.0).count();
    Ok(GlmFit {
        family: spec.family,
        names: f.mm.names.clone(),
        terms: f.mm.terms.clone(),
        coefficients: f.fit.beta,
        covariance,
        df_residual: f.df_residual,
        dispersion,
        iterations: f.fit.iterations,
        n: used,
    })
}

/// A model fitted on the full-sample weights, before its variance: what the coefficient
/// covariance and functionals of β̂ (predictive margins) are computed from.
pub(crate) struct PointFit {
    pub(crate) mm: ModelMatrix,
    pub(crate) rows: RowMajor,
    pub(crate) fit: IrlsFit,
    pub(crate) df_residual: f64,
    ctl: Control,
}

/// Checks (df, aliasing, separation) and the IRLS fit on the full-sample weights.
pub(crate) fn fit_point(spec: &ModelSpec, var: Variance, opts: &GlmOptions) -> Result<PointFit> {
    let w = var.weights();
    let mm = ModelMatrix::build(spec, w)?;
    let prior: Vec<f64> = (0..mm.n).map(|k| if mm.rows[k] { w[k] } else { 0.0 }).collect();
    let df = var.degrees_of_freedom(&|k| mm.rows[k] && w[k] != 0.0);
    let p = mm.p();
    if df + 1.0 - (p as f64) < 1.0 {
        return Err(Error::method(
            STEP,
            format!(
                "the model has {p} coefficients but the design has {df} degrees of freedom in \
                 the domain: residual df = {df} + 1 − {p} < 1; use fewer terms"
            ),
        ));
    }
    let rows = RowMajor::new(&mm);
    check_aliasing(&mm, &rows, &prior)?;
    check_separation(spec, &mm, &prior)?;
    let ctl = Control { epsilon: opts.epsilon, max_iterations: opts.max_iterations };
    let scaled = rescale(&prior, &mm.rows, matches!(var, Variance::Replicates(_)));
    let fit = irls(&mm, &rows, &scaled, spec.family, None, ctl)?;
    check_fitted(spec.family, &mm, &fit, &prior)?;
    Ok(PointFit { mm, rows, fit, df_residual: df + 1.0 - p as f64, ctl })
}

/// R's rescaling of the prior weights: mean 1 over the fit rows (`svyglm`), or sum 1
/// (`svrepglm`).
fn rescale(prior: &[f64], rows: &[bool], to_sum: bool) -> Vec<f64> {
    let total: f64 = prior.iter().sum();
    let m = rows.iter().filter(|&&r| r).count() as f64;
    let c = if to_sum { total } else { total / m };
    prior.iter().map(|v| v / c).collect()
}

fn check_aliasing(mm: &ModelMatrix, rows: &RowMajor, prior: &[f64]) -> Result<()> {
    let (g, _) = gram(rows, &active_rows(prior), prior, None);
    match first_aliased(&g) {
        Some(_) => Err(aliasing_error(mm, &g)),
        None => Ok(()),
    }
}

/// (Quasi-)complete separation on a factor level: every row of the level with response 0
/// (binomial, Poisson) or 1 (binomial).
fn check_separation(spec: &ModelSpec, mm: &ModelMatrix, prior: &[f64]) -> Result<()> {
    if spec.family.link() == Link::Identity {
        return Ok(());
    }
    for fl in &mm.factors {
        let v = &spec.terms[fl.term];
        let Column::Factor(f) = v.column else { continue };
        // per level: all responses 0, all 1, number of rows (one pass over the rows)
        let mut seen = vec![(true, true, 0usize); fl.levels.len()];
        for k in (0..mm.n).filter(|&k| prior[k] > 0.0) {
            if let Some(&Some(i)) = fl.of_code.get(f.codes[k] as usize) {
                let (zeros, ones, all) = &mut seen[i];
                *zeros &= mm.y[k] == 0.0;
                *ones &= mm.y[k] == 1.0;
                *all += 1;
            }
        }
        for (level, &(zeros, ones, all)) in fl.levels.iter().zip(&seen) {
            let ones = ones && spec.family.is_binomial();
            if all > 0 && (zeros || ones) {
                return Err(Error::method(
                    STEP,
                    format!(
                        "separation: every row with `{}={level}` in the domain has response {} \
                         ({all} rows), so its coefficient is infinite; merge the level with \
                         another or remove the term",
                        v.name,
                        if zeros { 0 } else { 1 }
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Fitted probabilities at 0 or 1 after the fit: separation along a direction that is not
/// a single factor level; names the column with the largest |β_j| max|x_j|.
fn check_fitted(family: Family, mm: &ModelMatrix, fit: &IrlsFit, prior: &[f64]) -> Result<()> {
    if !family.is_binomial() {
        return Ok(());
    }
    let at_bound = (0..mm.n)
        .filter(|&k| prior[k] > 0.0 && fit.mu[k].min(1.0 - fit.mu[k]) < tol::SEPARATION_MU)
        .count();
    if at_bound == 0 {
        return Ok(());
    }
    let size = |j: usize| fit.beta[j].abs() * mm.col(j).iter().fold(0.0f64, |a, x| a.max(x.abs()));
    let j = (1..mm.p()).max_by(|&a, &b| size(a).total_cmp(&size(b))).unwrap_or(0);
    Err(Error::method(
        STEP,
        format!(
            "separation: fitted probabilities are 0 or 1 for {at_bound} row(s) of the domain \
             (the coefficient of `{}` diverges); remove or regroup that term",
            mm.names[j]
        ),
    ))
}

/// Influence values z_j of β̂, one vector per coefficient (per row, so that
/// `w_k z_jk = (A x_k r_k W_k)_j`, r the working residual): the design covariance of their
/// totals is the sandwich.
pub(crate) fn influence(w: &[f64], f: &PointFit, family: Family) -> Vec<Vec<f64>> {
    let (mm, fit) = (&f.mm, &f.fit);
    let p = mm.p();
    // row j of A, contiguous: (A x_k)_j = Σ_i A_ji x_ki
    let a: Vec<f64> = (0..p * p).map(|c| fit.a_inv[(c / p.max(1), c % p.max(1))]).collect();
    let mut z = vec![vec![0.0; mm.n]; p];
    for k in (0..mm.n).filter(|&k| fit.work_w[k] > 0.0 && w[k] > 0.0) {
        let r = (mm.y[k] - fit.mu[k]) / family.mu_eta(fit.eta[k]) * fit.work_w[k] / w[k];
        let xk = f.rows.row(k);
        for (zj, aj) in z.iter_mut().zip(a.chunks_exact(p)) {
            let ax: f64 = aj.iter().zip(xk).map(|(a, x)| a * x).sum();
            zj[k] = ax * r;
        }
    }
    z
}

/// Refits on every replicate (warm start at β̂), in parallel; `stat(β̂_r, w_r)` of each
/// replicate, in replicate order.
pub(crate) fn replicate_refits(
    rep: &ReplicateDesign,
    f: &PointFit,
    family: Family,
    stat: impl Fn(&[f64], &[f64]) -> Vec<f64> + Sync,
) -> Result<Vec<Vec<f64>>> {
    let mm = &f.mm;
    rep.replicate_weights()
        .par_iter()
        .enumerate()
        .map(|(r, wr)| {
            let prior: Vec<f64> = (0..mm.n).map(|k| if mm.rows[k] { wr[k] } else { 0.0 }).collect();
            let prior = rescale(&prior, &mm.rows, true);
            irls(mm, &f.rows, &prior, family, Some(&f.fit.beta), f.ctl)
                .map(|fit| stat(&fit.beta, wr))
                .map_err(|e| e.prefixed(&format!("replicate {}: ", r + 1)))
        })
        .collect()
}

fn dispersion(family: Family, mm: &ModelMatrix, fit: &IrlsFit, w: &[f64], replicates: bool) -> f64 {
    let rows: Vec<usize> = (0..mm.n).filter(|&k| mm.rows[k] && w[k] > 0.0).collect();
    let r = |k: usize| (mm.y[k] - fit.mu[k]) / family.variance(fit.mu[k]).sqrt();
    let sw: f64 = rows.iter().map(|&k| w[k]).sum();
    if replicates {
        return rows.iter().map(|&k| w[k] * r(k) * r(k)).sum::<f64>() / sw;
    }
    let mean = rows.iter().map(|&k| w[k] * r(k)).sum::<f64>() / sw;
    let m = rows.len() as f64;
    rows.iter().map(|&k| w[k] * (r(k) - mean).powi(2)).sum::<f64>() / sw * m / (m - 1.0)
}

impl GlmFit {
    /// The coefficient table at confidence `level` (e.g. 0.95).
    pub fn summary(&self, level: f64) -> Vec<Coefficient> {
        let q = t_quantile(1.0 - (1.0 - level) / 2.0, self.df_residual);
        let exp = self.family.link() != Link::Identity;
        (0..self.coefficients.len())
            .map(|j| {
                let (b, se) = (self.coefficients[j], self.covariance[(j, j)].sqrt());
                let (lo, hi) = (b - q * se, b + q * se);
                Coefficient {
                    term: self.names[j].clone(),
                    estimate: b,
                    se,
                    statistic: b / se,
                    df: self.df_residual,
                    p_value: t_two_sided(b / se, self.df_residual),
                    ci_low: lo,
                    ci_high: hi,
                    exp: exp.then(|| [b.exp(), lo.exp(), hi.exp()]),
                }
            })
            .collect()
    }
}
