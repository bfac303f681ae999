//! Logistic regression by Newton's method (= IRLS for the canonical logit link), weighted or
//! not, with aliasing and separation detection.
//!
//! # Formula
//! Maximizes ℓ(β) = Σ w_k [y_k η_k − log(1 + e^{η_k})], η = Xβ. Newton step
//! δ = H⁻¹g with g = Σ w_k (y_k − p_k) x_k, H = Σ w_k p_k (1 − p_k) x_k x_kᵀ; the step is halved
//! while the deviance D = −2ℓ increases. Converged when the Newton decrement gᵀδ (the
//! predicted fall of D) is ≤ `tolerance` · (|D| + 0.1) — R's `glm` relative-deviance rule
//! applied to the predicted change. With w = design weights this is the pseudo-ML fit of R
//! `survey::svyglm(family = quasibinomial())` (its rescaling of weights to mean 1 does not
//! change β).
//!
//! # Aliasing
//! Columns are examined in order on W = X'diag(w)X (Cholesky with R-style limited pivoting):
//! a column whose squared residual norm after projection on the kept earlier columns is
//! ≤ 1e-10 of its own squared norm (norm ratio 1e-5) is aliased. Aliased columns are dropped
//! and reported (coefficient `None`, 0 in predictions) or, with [`Collinearity::Fail`], an
//! error.
//!
//! # Separation
//! Before fitting, a category of a categorical predictor in which every unit (or no unit)
//! responds is quasi-complete separation: error naming it. After fitting, fitted
//! probabilities within `separation_threshold` of 0 or 1 mean the estimates are diverging
//! (Albert & Anderson 1984): error naming the column with the largest standardized
//! coefficient |β_j|·sd_w(x_j).

use super::model_matrix::{ModelMatrix, Source};
use crate::error::{Error, Result};
use nalgebra::{DMatrix, DVector};
use serde::Serialize;

/// What to do with aliased (collinear) model columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Collinearity {
    /// Drop them (coefficient reported as `None`) and list them in the report, as R does.
    #[default]
    Drop,
    /// Stop with an error naming them.
    Fail,
}

/// Numerical options of the logistic fits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitOptions {
    /// Maximum Newton iterations (default 100).
    pub max_iterations: usize,
    /// Relative Newton-decrement tolerance (default 1e-14).
    pub tolerance: f64,
    /// Fitted probabilities closer than this to 0 or 1 signal separation (default 1e-8).
    pub separation_threshold: f64,
    /// Aliased columns: drop and report, or fail (default drop).
    pub collinearity: Collinearity,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            max_iterations: 100,
            tolerance: 1e-14,
            separation_threshold: 1e-8,
            collinearity: Collinearity::Drop,
        }
    }
}

/// A coefficient of a fitted response model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coefficient {
    /// R-style name: `(Intercept)`, `<predictor><level>`, `<predictor>`.
    pub name: String,
    /// Estimate; `None` when the column was aliased and dropped.
    pub estimate: Option<f64>,
}

/// Summary of one logistic fit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelFit {
    /// Which model (`response`, `web`, `phone`, `phone_number`).
    pub model: String,
    /// Units in the fit (positive fitting weight).
    pub n_units: usize,
    /// Of which with outcome 1.
    pub n_events: usize,
    /// Design-weighted fit.
    pub weighted: bool,
    /// Coefficients in model-matrix order.
    pub coefficients: Vec<Coefficient>,
    /// Names of aliased (dropped) columns.
    pub aliased: Vec<String>,
    /// Newton iterations used.
    pub iterations: usize,
    /// Always true in a returned fit (non-convergence is an error); kept for the report.
    pub converged: bool,
    /// Final (weighted) deviance −2ℓ.
    pub deviance: f64,
}

/// A fit: its summary and β (0 for aliased columns) for prediction.
#[derive(Debug, Clone)]
pub(crate) struct Fitted {
    pub summary: ModelFit,
    pub beta: Vec<f64>,
}

impl Fitted {
    /// Fitted probabilities for every unit.
    pub fn predict(&self, x: &ModelMatrix<'_>) -> Vec<f64> {
        let eta = linear_predictor(x, &self.beta);
        eta.into_iter().map(logistic).collect()
    }
}

/// 1 / (1 + e^{−η}).
pub(crate) fn logistic(eta: f64) -> f64 {
    1.0 / (1.0 + (-eta).exp())
}

/// log(1 + e^x) without overflow.
fn softplus(x: f64) -> f64 {
    if x > 0.0 { x + (-x).exp().ln_1p() } else { x.exp().ln_1p() }
}

/// Dot product with four independent accumulators (vectorizable, fixed summation order).
pub(crate) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..4 {
            acc[l] += x[l] * y[l];
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

fn linear_predictor(x: &ModelMatrix<'_>, beta: &[f64]) -> Vec<f64> {
    let mut eta = vec![0.0; x.n];
    for (j, &b) in beta.iter().enumerate() {
        if b != 0.0 {
            for (e, &v) in eta.iter_mut().zip(x.col(j)) {
                *e += b * v;
            }
        }
    }
    eta
}

/// Fits P(y = 1) on the units with w > 0; `start` is a warm start (full p-vector).
///
/// `label` names the model in messages ("web response model among eligible units").
pub(crate) fn fit(
    label: &str,
    model: &str,
    x: &ModelMatrix<'_>,
    y: &[f64],
    w: &[f64],
    opts: &FitOptions,
    start: Option<&[f64]>,
) -> Result<Fitted> {
    let n_units = w.iter().filter(|&&v| v > 0.0).count();
    let n_events = w.iter().zip(y).filter(|&(&v, &t)| v > 0.0 && t > 0.5).count();
    check_outcome_varies(label, n_units, n_events)?;
    check_category_separation(label, x, y, w)?;
    let kept = kept_columns(label, x, w, opts.collinearity)?;
    let mut beta = vec![0.0; x.p];
    if let Some(s) = start {
        for &j in &kept {
            beta[j] = s[j];
        }
    } else {
        beta[0] = start_intercept(y, w);
    }
    let (iterations, deviance) = newton(label, x, y, w, &kept, &mut beta, opts)?;
    let fitted = Fitted {
        summary: ModelFit {
            model: model.to_string(),
            n_units,
            n_events,
            weighted: false,
            coefficients: (0..x.p)
                .map(|j| Coefficient {
                    name: x.names[j].clone(),
                    estimate: kept.contains(&j).then_some(beta[j]),
                })
                .collect(),
            aliased: (0..x.p).filter(|j| !kept.contains(j)).map(|j| x.names[j].clone()).collect(),
            iterations,
            converged: true,
            deviance,
        },
        beta,
    };
    check_fitted_separation(label, x, w, &fitted, opts.separation_threshold)?;
    Ok(fitted)
}

fn check_outcome_varies(label: &str, n_units: usize, n_events: usize) -> Result<()> {
    if n_units == 0 {
        return Err(Error::method(
            "nonresponse",
            format!("the {label} has no unit to be fitted on; check the status codes"),
        ));
    }
    if n_events == 0 || n_events == n_units {
        let what = if n_events == 0 { "none" } else { "all" };
        return Err(Error::method(
            "nonresponse",
            format!(
                "in the {label}, {what} of the {n_units} units responded, so a response \
                 propensity cannot be estimated; check the status codes, or use `phases: \
                 global` / weighting classes"
            ),
        ));
    }
    Ok(())
}

/// A category where the outcome does not vary: its coefficient diverges.
fn check_category_separation(label: &str, x: &ModelMatrix<'_>, y: &[f64], w: &[f64]) -> Result<()> {
    for f in &x.factors {
        let nl = f.cat.levels.len();
        let (mut tot, mut ev) = (vec![0usize; nl], vec![0usize; nl]);
        for i in (0..x.n).filter(|&i| w[i] > 0.0) {
            let l = f.cat.codes[i] as usize;
            tot[l] += 1;
            if y[i] > 0.5 {
                ev[l] += 1;
            }
        }
        for &l in &f.present {
            let (t, e) = (tot[l as usize], ev[l as usize]);
            if t > 0 && (e == 0 || e == t) {
                let what = if e == 0 { "none" } else { "all" };
                return Err(Error::method(
                    "nonresponse",
                    format!(
                        "quasi-complete separation in the {label}: predictor `{}`, category \
                         `{}`: {what} of its {t} units responded, so its coefficient is \
                         infinite; merge this category with a neighbouring one, or drop `{}` \
                         from the model",
                        f.name, f.cat.levels[l as usize], f.name
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Columns kept after R-style limited pivoting on X'WX.
fn kept_columns(
    label: &str,
    x: &ModelMatrix<'_>,
    w: &[f64],
    policy: Collinearity,
) -> Result<Vec<usize>> {
    let mut wx = vec![0.0; x.n];
    let mut a = DMatrix::<f64>::zeros(x.p, x.p);
    for j in 0..x.p {
        for (t, (&v, &c)) in wx.iter_mut().zip(w.iter().zip(x.col(j))) {
            *t = v * c;
        }
        for k in 0..=j {
            let s = dot(&wx, x.col(k));
            a[(j, k)] = s;
            a[(k, j)] = s;
        }
    }
    // Incremental Cholesky over kept columns: l holds rows of the factor for kept columns.
    let mut kept: Vec<usize> = Vec::new();
    let mut l: Vec<Vec<f64>> = Vec::new();
    for j in 0..x.p {
        let mut row = Vec::with_capacity(kept.len() + 1);
        for (r, &k) in kept.iter().enumerate() {
            let s: f64 = a[(j, k)] - (0..r).map(|t| row[t] * l[r][t]).sum::<f64>();
            row.push(s / l[r][r]);
        }
        let resid = a[(j, j)] - row.iter().map(|v| v * v).sum::<f64>();
        if a[(j, j)] > 0.0 && resid > 1e-10 * a[(j, j)] {
            row.push(resid.sqrt());
            l.push(row);
            kept.push(j);
        }
    }
    if kept.len() < x.p && policy == Collinearity::Fail {
        let names: Vec<String> = (0..x.p)
            .filter(|j| !kept.contains(j))
            .map(|j| format!("{} ({})", x.names[j], x.sources[j].describe()))
            .collect();
        return Err(Error::method(
            "nonresponse",
            format!(
                "the {label} has aliased (collinear or empty) columns: {}; remove the redundant \
                 predictor or merge categories, or set `collinearity: drop` to drop them",
                names.join(", ")
            ),
        ));
    }
    Ok(kept)
}

fn start_intercept(y: &[f64], w: &[f64]) -> f64 {
    let (sw, swy) = w.iter().zip(y).fold((0.0, 0.0), |(a, b), (&v, &t)| (a + v, b + v * t));
    let m = swy / sw;
    (m / (1.0 - m)).ln()
}

fn deviance(eta: &[f64], y: &[f64], w: &[f64]) -> f64 {
    let mut d = 0.0;
    for i in 0..eta.len() {
        if w[i] > 0.0 {
            // −log p = softplus(−η); −log(1 − p) = softplus(η).
            d += w[i] * if y[i] > 0.5 { softplus(-eta[i]) } else { softplus(eta[i]) };
        }
    }
    2.0 * d
}

/// Newton iterations on the kept columns; returns (iterations, deviance).
fn newton(
    label: &str,
    x: &ModelMatrix<'_>,
    y: &[f64],
    w: &[f64],
    kept: &[usize],
    beta: &mut [f64],
    opts: &FitOptions,
) -> Result<(usize, f64)> {
    let q = kept.len();
    let mut eta = linear_predictor(x, beta);
    let mut dev = deviance(&eta, y, w);
    let (mut r, mut v) = (vec![0.0; x.n], vec![0.0; x.n]);
    let mut tmp = vec![0.0; x.n];
    for iter in 1..=opts.max_iterations {
        for i in 0..x.n {
            let p = logistic(eta[i]);
            r[i] = w[i] * (y[i] - p);
            v[i] = w[i] * p * (1.0 - p);
        }
        let mut g = DVector::<f64>::zeros(q);
        let mut h = DMatrix::<f64>::zeros(q, q);
        for (a, &j) in kept.iter().enumerate() {
            g[a] = dot(&r, x.col(j));
            for (t, (&vv, &c)) in tmp.iter_mut().zip(v.iter().zip(x.col(j))) {
                *t = vv * c;
            }
            for (b, &k) in kept.iter().enumerate().take(a + 1) {
                let s = dot(&tmp, x.col(k));
                h[(a, b)] = s;
                h[(b, a)] = s;
            }
        }
        let Some(chol) = h.cholesky() else {
            return Err(separation_error(label, x, kept, beta, None));
        };
        let step = chol.solve(&g);
        let decrement = g.dot(&step);
        let mut t = 1.0;
        let (mut new_eta, mut new_dev);
        loop {
            let trial: Vec<f64> = beta
                .iter()
                .enumerate()
                .map(|(j, &b)| kept.iter().position(|&k| k == j).map_or(b, |a| b + t * step[a]))
                .collect();
            new_eta = linear_predictor(x, &trial);
            new_dev = deviance(&new_eta, y, w);
            if new_dev.is_finite() && new_dev <= dev + 1e-12 * dev.abs() || t < 1e-10 {
                beta.copy_from_slice(&trial);
                break;
            }
            t *= 0.5;
        }
        eta = new_eta;
        dev = new_dev;
        if decrement.abs() <= opts.tolerance * (dev.abs() + 0.1) {
            return Ok((iter, dev));
        }
    }
    let worst = kept
        .iter()
        .copied()
        .max_by(|&a, &b| beta[a].abs().total_cmp(&beta[b].abs()))
        .map_or_else(String::new, |j| x.names[j].clone());
    Err(Error::method(
        "nonresponse",
        format!(
            "the {label} did not converge in {} Newton iterations (largest coefficient `{worst}`); \
             this usually signals (quasi-)separation: merge sparse categories or drop predictors",
            opts.max_iterations
        ),
    ))
}

/// Fitted probabilities at 0 or 1 among fitted units → separation error.
fn check_fitted_separation(
    label: &str,
    x: &ModelMatrix<'_>,
    w: &[f64],
    f: &Fitted,
    threshold: f64,
) -> Result<()> {
    let p = f.predict(x);
    let extreme =
        (0..x.n).filter(|&i| w[i] > 0.0 && (p[i] < threshold || p[i] > 1.0 - threshold)).count();
    if extreme == 0 {
        return Ok(());
    }
    let kept: Vec<usize> =
        (0..x.p).filter(|&j| f.summary.coefficients[j].estimate.is_some()).collect();
    Err(separation_error(label, x, &kept, &f.beta, Some((extreme, w))))
}

/// Names the column with the largest standardized coefficient |β_j|·sd(x_j).
fn separation_error(
    label: &str,
    x: &ModelMatrix<'_>,
    kept: &[usize],
    beta: &[f64],
    extreme: Option<(usize, &[f64])>,
) -> Error {
    let sd = |j: usize| -> f64 {
        let c = x.col(j);
        let m = c.iter().sum::<f64>() / x.n as f64;
        (c.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / x.n as f64).sqrt()
    };
    let culprit = kept
        .iter()
        .copied()
        .filter(|&j| x.sources[j] != Source::Intercept)
        .max_by(|&a, &b| (beta[a].abs() * sd(a)).total_cmp(&(beta[b].abs() * sd(b))));
    let who = culprit.map_or_else(
        || "the intercept".to_string(),
        |j| format!("{} (coefficient `{}` = {:.4})", x.sources[j].describe(), x.names[j], beta[j]),
    );
    let what = match extreme {
        Some((k, _)) => format!("{k} unit(s) get a fitted probability numerically 0 or 1"),
        None => "the information matrix became singular".to_string(),
    };
    Error::method(
        "nonresponse",
        format!(
            "(quasi-)complete separation in the {label}: {what}; the estimates diverge along \
             {who}. The response is (almost) perfectly predicted, so no finite maximum-likelihood \
             estimate exists: drop or coarsen that predictor, or use weighting classes"
        ),
    )
}
