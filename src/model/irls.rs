//! Iteratively reweighted least squares, step for step as R's `glm.fit` (same start, same
//! convergence rule), so that coefficients — and the working weights of the last
//! iteration, on which R builds `cov.unscaled` and the sandwich — are R's.
//!
//! Iteration: with η, μ from the current β, working weights `W_k = p_k μ'(η_k)² / V(μ_k)`
//! and response `z_k = η_k + (y_k − μ_k) / μ'(η_k)`, solve `(XᵀWX) β = XᵀWz`; stop when
//! `|dev − dev_old| / (|dev| + 0.1) < ε` (McCullagh & Nelder 1989, §2.5).

use nalgebra::{DMatrix, DVector};

use crate::error::{Error, Result};

use super::STEP;
use super::family::Family;
use super::terms::ModelMatrix;
use crate::tolerance as tol;

/// Stopping rule.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Control {
    pub(crate) epsilon: f64,
    pub(crate) max_iterations: usize,
}

/// A converged fit.
#[derive(Debug, Clone)]
pub(crate) struct IrlsFit {
    pub(crate) beta: Vec<f64>,
    pub(crate) eta: Vec<f64>,
    pub(crate) mu: Vec<f64>,
    /// R's `glm$weights`: the working weights W of the last iteration.
    pub(crate) work_w: Vec<f64>,
    /// R's `cov.unscaled`: (XᵀWX)⁻¹ of the last iteration.
    pub(crate) a_inv: DMatrix<f64>,
    pub(crate) iterations: usize,
}

/// Fits by IRLS with prior weights `prior` (0 = not in the fit), from `start` (warm start)
/// or from the family's μ start.
pub(crate) fn irls(
    mm: &ModelMatrix,
    prior: &[f64],
    family: Family,
    start: Option<&[f64]>,
    ctl: Control,
) -> Result<IrlsFit> {
    let n = mm.n;
    let (mut eta, mut mu) = match start {
        Some(b) => {
            let eta = linear_predictor(mm, b);
            let mu = eta.iter().map(|&e| family.linkinv(e)).collect();
            (eta, mu)
        }
        None => {
            let mu: Vec<f64> = (0..n).map(|k| family.mustart(mm.y[k], prior[k])).collect();
            (mu.iter().map(|&m| family.linkfun(m)).collect(), mu)
        }
    };
    let mut dev_old = deviance(family, &mm.y, &mu, prior);
    let mut last_change = f64::NAN;
    for it in 1..=ctl.max_iterations {
        let (w, z) = working(family, &mm.y, &eta, &mu, prior);
        let (beta, a_inv) = weighted_solve(mm, &w, &z)?;
        eta = linear_predictor(mm, &beta);
        mu = eta.iter().map(|&e| family.linkinv(e)).collect();
        let dev = deviance(family, &mm.y, &mu, prior);
        if !dev.is_finite() {
            return Err(not_converged(it, "the deviance is not finite".into()));
        }
        last_change = (dev - dev_old).abs() / (dev.abs() + 0.1);
        if last_change < ctl.epsilon {
            return Ok(IrlsFit { beta, eta, mu, work_w: w, a_inv, iterations: it });
        }
        dev_old = dev;
    }
    Err(not_converged(
        ctl.max_iterations,
        format!("last relative change in deviance {last_change:.3e}"),
    ))
}

fn not_converged(iterations: usize, detail: String) -> Error {
    Error::NotConverged {
        step: STEP,
        iterations,
        message: format!("the model did not converge after {iterations} iterations ({detail})"),
    }
}

/// η = Xβ.
pub(crate) fn linear_predictor(mm: &ModelMatrix, beta: &[f64]) -> Vec<f64> {
    let mut eta = vec![0.0; mm.n];
    for (j, b) in beta.iter().enumerate() {
        for (e, x) in eta.iter_mut().zip(mm.col(j)) {
            *e += b * x;
        }
    }
    eta
}

/// Σ dev.resids over the rows with a positive prior weight.
fn deviance(family: Family, y: &[f64], mu: &[f64], prior: &[f64]) -> f64 {
    (0..y.len()).filter(|&k| prior[k] > 0.0).map(|k| family.dev_resid(y[k], mu[k], prior[k])).sum()
}

/// Working weights and response.
fn working(
    family: Family,
    y: &[f64],
    eta: &[f64],
    mu: &[f64],
    prior: &[f64],
) -> (Vec<f64>, Vec<f64>) {
    let n = y.len();
    let (mut w, mut z) = (vec![0.0; n], vec![0.0; n]);
    for k in (0..n).filter(|&k| prior[k] > 0.0) {
        let me = family.mu_eta(eta[k]);
        w[k] = prior[k] * me * me / family.variance(mu[k]);
        z[k] = eta[k] + (y[k] - mu[k]) / me;
    }
    (w, z)
}

/// Weighted Gram matrix XᵀWX and, when `z` is given, XᵀWz.
pub(crate) fn gram(mm: &ModelMatrix, w: &[f64], z: Option<&[f64]>) -> (DMatrix<f64>, DVector<f64>) {
    let p = mm.p();
    let (mut g, mut r) = (DMatrix::zeros(p, p), DVector::zeros(p));
    let mut wx = vec![0.0; mm.n];
    for i in 0..p {
        for ((o, x), wk) in wx.iter_mut().zip(mm.col(i)).zip(w) {
            *o = x * wk;
        }
        for j in 0..=i {
            let s: f64 = wx.iter().zip(mm.col(j)).map(|(a, b)| a * b).sum();
            g[(i, j)] = s;
            g[(j, i)] = s;
        }
        if let Some(z) = z {
            r[i] = wx.iter().zip(z).map(|(a, b)| a * b).sum();
        }
    }
    (g, r)
}

/// Solves (XᵀWX) β = XᵀWz with columns scaled to a unit diagonal (equilibration keeps the
/// Cholesky factor accurate when columns have very different scales). Returns β and
/// (XᵀWX)⁻¹.
fn weighted_solve(mm: &ModelMatrix, w: &[f64], z: &[f64]) -> Result<(Vec<f64>, DMatrix<f64>)> {
    let (g, r) = gram(mm, w, Some(z));
    let inv = scaled_inverse(&g).ok_or_else(|| aliasing_error(mm, &g))?;
    let beta = &inv * r;
    Ok((beta.iter().copied().collect(), inv))
}

/// (G)⁻¹ through the Cholesky factor of D G D, D = diag(1/√g_jj); `None` if not positive
/// definite.
pub(crate) fn scaled_inverse(g: &DMatrix<f64>) -> Option<DMatrix<f64>> {
    let p = g.nrows();
    let d: Vec<f64> = (0..p).map(|j| 1.0 / g[(j, j)].sqrt()).collect();
    if d.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let gs = DMatrix::from_fn(p, p, |i, j| g[(i, j)] * d[i] * d[j]);
    let inv_s = gs.cholesky()?.inverse();
    Some(DMatrix::from_fn(p, p, |i, j| inv_s[(i, j)] * d[i] * d[j]))
}

/// Finds the first aliased column of X (weights w) and names it with the columns it is a
/// combination of; an internal error if none is found (G merely ill-conditioned).
pub(crate) fn aliasing_error(mm: &ModelMatrix, g: &DMatrix<f64>) -> Error {
    match first_aliased(g) {
        Some((j, with)) if with.is_empty() => Error::method(
            STEP,
            format!("column `{}` is 0 on every row of the domain: remove the term", mm.names[j]),
        ),
        Some((j, with)) => {
            let names: Vec<String> = with.iter().map(|&i| format!("`{}`", mm.names[i])).collect();
            Error::method(
                STEP,
                format!(
                    "column `{}` is aliased: in the domain it is a linear combination of {} \
                     (collinear terms); remove one of them",
                    mm.names[j],
                    names.join(", ")
                ),
            )
        }
        None => Error::method(STEP, "the model matrix is numerically singular (collinear terms)"),
    }
}

/// First column j whose equilibrated Cholesky pivot is below [`tol::ALIAS_PIVOT`], and the
/// previous columns entering its regression on them.
pub(crate) fn first_aliased(g: &DMatrix<f64>) -> Option<(usize, Vec<usize>)> {
    let p = g.nrows();
    for j in 0..p {
        if g[(j, j)].is_nan() || g[(j, j)] <= 0.0 {
            return Some((j, vec![]));
        }
        let prev: Vec<usize> = (0..j).collect();
        let d = |i: usize| g[(i, i)].sqrt();
        let s = DMatrix::from_fn(j, j, |a, b| g[(a, b)] / (d(a) * d(b)));
        let c = DVector::from_fn(j, |a, _| g[(a, j)] / (d(a) * d(j)));
        let Some(ch) = s.cholesky() else { continue };
        let coef = ch.solve(&c);
        if 1.0 - c.dot(&coef) < tol::ALIAS_PIVOT {
            let with = prev.into_iter().filter(|&i| coef[i].abs() > tol::ALIAS_MEMBER).collect();
            return Some((j, with));
        }
    }
    None
}
