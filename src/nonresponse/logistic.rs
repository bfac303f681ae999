//! Logistic regression by Newton's method (= IRLS for the canonical logit link), weighted or
//! not, with aliasing and separation detection.
//!
//! # Formula
//! Maximizes ℓ(β) = Σ w_k [y_k η_k − log(1 + e^{η_k})], η = Xβ. Newton step
//! δ = H⁻¹g with g = Σ w_k (y_k − p_k) x_k, H = Σ w_k p_k (1 − p_k) x_k x_kᵀ; a step that
//! cannot be proved to increase ℓ is halved while the deviance D = −2ℓ increases (see
//! `newton.rs`). Converged when the Newton decrement gᵀδ (the predicted fall of D) is
//! ≤ `tolerance` · (|D| + 0.1) — R's `glm` relative-deviance rule applied to the predicted
//! change. With w = design weights this is the pseudo-ML fit of R
//! `survey::svyglm(family = quasibinomial())` (its rescaling of weights to mean 1 does not
//! change β).
//!
//! # Aliasing
//! Columns are examined in order on the first information matrix H₀ = X'diag(w p(1−p))X
//! (same null space as X'diag(w)X since 0 < p < 1; Cholesky with R-style limited pivoting):
//! a column whose squared residual norm after projection on the kept earlier columns is
//! ≤ 1e-10 of its own squared norm (norm ratio 1e-5) is aliased. Aliased columns are dropped
//! and reported (coefficient `None`, 0 in predictions) or, with [`Collinearity::Fail`], an
//! error.
//!
//! # Computation
//! One pass over the rows of the fit set per iteration computes η, g and the upper triangle
//! of H together (structured storage, see `model_matrix.rs`). The last step, whose Newton
//! decrement is already below tolerance, is applied without another pass. Sums run in row
//! order: results do not depend on threads.
//!
//! # Separation
//! Before fitting, a category of a categorical predictor in which every unit (or no unit)
//! responds is quasi-complete separation: error naming it. After fitting, fitted
//! probabilities within `separation_threshold` of 0 or 1 mean the estimates are diverging
//! (Albert & Anderson 1984): error naming the column with the largest standardized
//! coefficient |β_j|·sd_w(x_j).

use super::model_matrix::{ModelMatrix, Source};
use super::newton::{Failure, FitSet, newton};
use crate::error::{Error, Result};
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
    /// Relative Newton-decrement tolerance (default 1e-10). The step is still applied after
    /// the test, so β is accurate to about the square of this (p̂ agreed to 1e-12 relative
    /// with runs at 1e-14 on the 100,000-unit bench data).
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
            tolerance: 1e-10,
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
        let b = x.to_internal(&self.beta);
        (0..x.n).map(|i| logistic(x.eta(i, &b))).collect()
    }
}

/// 1 / (1 + e^{−η}).
pub(crate) fn logistic(eta: f64) -> f64 {
    1.0 / (1.0 + (-eta).exp())
}

/// What a fit is for: names for messages, warm start, whether to report the deviance.
pub(crate) struct FitCall<'s> {
    /// Names the model in messages ("web response model among eligible units").
    pub label: &'s str,
    /// Short name in the report (`response`, `web`, `phone`, `phone_number`).
    pub model: &'s str,
    /// Warm start (full p-vector, R order).
    pub start: Option<&'s [f64]>,
    /// Compute the final deviance (one more pass); NaN otherwise (replicates).
    pub deviance: bool,
}

/// Fits P(y = 1) on the units with w > 0.
pub(crate) fn fit(
    call: &FitCall<'_>,
    x: &ModelMatrix<'_>,
    y: &[f64],
    w: &[f64],
    opts: &FitOptions,
) -> Result<Fitted> {
    let label = call.label;
    let rows: Vec<u32> = (0..x.n as u32).filter(|&i| w[i as usize] > 0.0).collect();
    let set = FitSet {
        x,
        y: rows.iter().map(|&i| y[i as usize]).collect(),
        w: rows.iter().map(|&i| w[i as usize]).collect(),
        rows,
    };
    let n_units = set.rows.len();
    let n_events = set.y.iter().filter(|&&t| t > 0.5).count();
    let event =
        if call.model == "phone_number" { "have a usable phone number" } else { "responded" };
    check_outcome_varies(label, event, n_units, n_events)?;
    check_category_separation(label, event, &set)?;
    let mut beta = vec![0.0; x.p];
    match call.start {
        Some(s) => beta.copy_from_slice(s),
        None => beta[0] = start_intercept(&set.y, &set.w),
    }
    // Newton runs on covariate patterns when there are few (categorical predictors); the
    // checks and messages keep the units.
    let patterns = set.patterns();
    let newton_set = patterns.as_ref().unwrap_or(&set);
    let first = newton_set.pass(&beta, None, true);
    let kept = kept_columns(label, x, first.h(), opts.collinearity)?;
    let mut zeroed = false;
    for j in (0..x.p).filter(|j| !kept.contains(j)) {
        zeroed |= beta[j] != 0.0;
        beta[j] = 0.0;
    }
    let first = if zeroed { newton_set.pass(&beta, None, true) } else { first };
    let iterations =
        newton(newton_set, &kept, &mut beta, first, opts.tolerance, opts.max_iterations).map_err(
            |f| match f {
                Failure::Singular => separation_error(label, &set, &kept, &beta, None),
                Failure::NotConverged => not_converged(label, &set, &kept, &beta, opts),
            },
        )?;
    let deviance = if call.deviance { newton_set.deviance(&beta) } else { f64::NAN };
    let fitted = Fitted {
        summary: ModelFit {
            model: call.model.to_string(),
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
    check_fitted_separation(label, &set, &kept, &fitted, opts.separation_threshold)?;
    Ok(fitted)
}

fn not_converged(
    label: &str,
    set: &FitSet<'_, '_>,
    kept: &[usize],
    beta: &[f64],
    opts: &FitOptions,
) -> Error {
    let worst = kept
        .iter()
        .copied()
        .max_by(|&a, &b| beta[a].abs().total_cmp(&beta[b].abs()))
        .map_or_else(String::new, |j| set.x.names[j].clone());
    Error::NotConverged {
        step: "nonresponse",
        iterations: opts.max_iterations,
        message: format!(
            "the {label} did not converge in {} Newton iterations (largest coefficient `{worst}`); \
             this usually signals (quasi-)separation: merge sparse categories or drop predictors",
            opts.max_iterations
        ),
    }
}

fn check_outcome_varies(label: &str, event: &str, n_units: usize, n_events: usize) -> Result<()> {
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
                "in the {label}, {what} of the {n_units} units {event}, so this probability \
                 cannot be estimated; check the status codes and the phone-number column, or \
                 use `phases: global` / weighting classes"
            ),
        ));
    }
    Ok(())
}

/// A category where the outcome does not vary: its coefficient diverges.
fn check_category_separation(label: &str, event: &str, set: &FitSet<'_, '_>) -> Result<()> {
    for f in &set.x.factors {
        let nl = f.cat.levels.len();
        let (mut tot, mut ev) = (vec![0usize; nl], vec![0usize; nl]);
        for (k, &i) in set.rows.iter().enumerate() {
            let l = f.cat.codes[i as usize] as usize;
            tot[l] += 1;
            ev[l] += usize::from(set.y[k] > 0.5);
        }
        for &l in &f.present {
            let (t, e) = (tot[l as usize], ev[l as usize]);
            if t > 0 && (e == 0 || e == t) {
                let what = if e == 0 { "none" } else { "all" };
                return Err(Error::method(
                    "nonresponse",
                    format!(
                        "quasi-complete separation in the {label}: predictor `{}`, category \
                         `{}`: {what} of its {t} units {event}, so its coefficient is \
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

/// Columns kept after R-style limited pivoting on the information matrix `a` (p × p).
fn kept_columns(
    label: &str,
    x: &ModelMatrix<'_>,
    a: &[f64],
    policy: Collinearity,
) -> Result<Vec<usize>> {
    let p = x.p;
    // Incremental Cholesky over kept columns: l holds rows of the factor for kept columns.
    let mut kept: Vec<usize> = Vec::new();
    let mut l: Vec<Vec<f64>> = Vec::new();
    for j in 0..p {
        let mut row = Vec::with_capacity(kept.len() + 1);
        for (r, &k) in kept.iter().enumerate() {
            let s: f64 = a[j * p + k] - (0..r).map(|t| row[t] * l[r][t]).sum::<f64>();
            row.push(s / l[r][r]);
        }
        let ajj = a[j * p + j];
        let resid = ajj - row.iter().map(|v| v * v).sum::<f64>();
        if ajj > 0.0 && resid > 1e-10 * ajj {
            row.push(resid.sqrt());
            l.push(row);
            kept.push(j);
        }
    }
    if kept.len() < p && policy == Collinearity::Fail {
        let names: Vec<String> = (0..p)
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

/// Fitted probabilities at 0 or 1 among fitted units → separation error.
fn check_fitted_separation(
    label: &str,
    set: &FitSet<'_, '_>,
    kept: &[usize],
    f: &Fitted,
    threshold: f64,
) -> Result<()> {
    let b = set.x.to_internal(&f.beta);
    let extreme = set
        .rows
        .iter()
        .map(|&i| logistic(set.x.eta(i as usize, &b)))
        .filter(|&p| p < threshold || p > 1.0 - threshold)
        .count();
    if extreme == 0 {
        return Ok(());
    }
    Err(separation_error(label, set, kept, &f.beta, Some(extreme)))
}

/// Names the column with the largest standardized coefficient |β_j|·sd_w(x_j).
fn separation_error(
    label: &str,
    set: &FitSet<'_, '_>,
    kept: &[usize],
    beta: &[f64],
    extreme: Option<usize>,
) -> Error {
    let x = set.x;
    let sd = |j: usize| -> f64 {
        let (mut sw, mut s, mut ss) = (0.0, 0.0, 0.0);
        for (k, &i) in set.rows.iter().enumerate() {
            let v = x.value(i as usize, j);
            sw += set.w[k];
            s += set.w[k] * v;
            ss += set.w[k] * v * v;
        }
        (ss / sw - (s / sw).powi(2)).max(0.0).sqrt()
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
        Some(k) => format!("{k} unit(s) get a fitted probability numerically 0 or 1"),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nonresponse::input::Variable;
    use crate::nonresponse::model_matrix::Predictor;

    fn data() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        // Deterministic pseudo-random design with a strong slope.
        let n = 400;
        let x: Vec<f64> = (0..n).map(|i| ((i * 37) % 101) as f64 / 25.0 - 2.0).collect();
        let u: Vec<f64> = (0..n).map(|i| ((i * 53 + 17) % 97) as f64 / 97.0).collect();
        let y = x
            .iter()
            .zip(&u)
            .map(|(&x, &u)| f64::from(u8::from(u < logistic(0.3 + 1.5 * x))))
            .collect();
        let w = (0..n).map(|i| 1.0 + (i % 7) as f64).collect();
        (x, y, w)
    }

    fn score(x: &[f64], y: &[f64], w: &[f64], beta: &[f64]) -> [f64; 2] {
        let mut g = [0.0; 2];
        for i in 0..x.len() {
            let r = w[i] * (y[i] - logistic(beta[0] + beta[1] * x[i]));
            g[0] += r;
            g[1] += r * x[i];
        }
        g
    }

    #[test]
    fn far_warm_starts_fall_back_to_step_halving_and_reach_the_same_mle() {
        let (x, y, w) = data();
        let needed = vec![true; x.len()];
        let m = ModelMatrix::build(&[Predictor::new(Variable::numeric("x", &x))], &needed).unwrap();
        let opts = FitOptions::default();
        let call =
            |start| FitCall { label: "test model", model: "response", start, deviance: true };
        let cold = fit(&call(None), &m, &y, &w, &opts).unwrap();
        let g = score(&x, &y, &w, &cold.beta);
        assert!(g[0].abs() < 1e-9 && g[1].abs() < 1e-9, "{g:?}");
        // From β = (6, −6) fitted probabilities are near 0/1: the first steps are far outside
        // the region where acceptance is proved, so the deviance line search runs.
        let far = [6.0, -6.0];
        let warm = fit(&call(Some(&far)), &m, &y, &w, &opts).unwrap();
        for j in 0..2 {
            assert!(
                (warm.beta[j] - cold.beta[j]).abs() < 1e-10,
                "{:?} vs {:?}",
                warm.beta,
                cold.beta
            );
        }
        assert!(warm.summary.iterations > cold.summary.iterations);
        assert!(
            (warm.summary.deviance - cold.summary.deviance).abs() < 1e-8 * cold.summary.deviance
        );
    }

    /// With few distinct rows of X the fit runs on covariate patterns: it must solve the
    /// unit-level score equations and report the unit-level deviance.
    #[test]
    fn pattern_fit_is_the_unit_fit() {
        let (x, y, w) = data();
        let x: Vec<f64> = x.iter().map(|v| (v * 2.0).round() / 2.0).collect();
        let needed = vec![true; x.len()];
        let m = ModelMatrix::build(&[Predictor::new(Variable::numeric("x", &x))], &needed).unwrap();
        // x in [−2, 2] by 0.5 (−0 and 0 are one value)
        assert_eq!(m.patterns().1.len(), 9, "{} patterns", m.patterns().1.len());
        let call = FitCall { label: "test model", model: "response", start: None, deviance: true };
        let f = fit(&call, &m, &y, &w, &FitOptions::default()).unwrap();
        let g = score(&x, &y, &w, &f.beta);
        assert!(g[0].abs() < 1e-8 && g[1].abs() < 1e-8, "{g:?}");
        let dev: f64 = (0..x.len())
            .map(|i| {
                let p = logistic(f.beta[0] + f.beta[1] * x[i]);
                -2.0 * w[i] * if y[i] > 0.5 { p.ln() } else { (1.0 - p).ln() }
            })
            .sum();
        assert!((f.summary.deviance - dev).abs() < 1e-9 * dev, "{} vs {dev}", f.summary.deviance);
        assert_eq!(f.summary.n_units, x.len(), "counts stay per unit");
    }
}
