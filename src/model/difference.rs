//! Differences of domain means or proportions (R `svyby(..., covmat = TRUE)` then
//! `svycontrast`), and the domain means with their joint covariance that Rao–Scott uses.
//!
//! # Formulas
//! Domain mean `θ̂_d = Σ_k w_k d_k y_k / Σ_k w_k d_k`, influence values
//! `z_k = d_k (y_k − θ̂_d) / N̂_d` on the full design (domains are never a subset of the
//! design: Lumley 2010, §2.3). Difference `θ̂_a − θ̂_b`, variance
//! `V_a + V_b − 2 C_ab`; z test (normal) and normal CI, as `svycontrast` gives.

use nalgebra::DMatrix;
use rayon::prelude::*;

use crate::data::Factor;
use crate::error::{Error, Result};

use super::engine::replicate_covariance;
use super::stats::{normal_quantile, z_two_sided};
use super::terms::Missing;
use super::{STEP, Variance};
use crate::data::weights::row_list;

/// A difference of two domain estimates.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// The two domain estimates θ̂_a, θ̂_b.
    pub estimates: [f64; 2],
    /// θ̂_a − θ̂_b.
    pub estimate: f64,
    /// Standard error, with the covariance of the two estimates.
    pub se: f64,
    /// z = estimate / SE.
    pub statistic: f64,
    /// Two-sided normal p-value.
    pub p_value: f64,
    /// Lower confidence limit (normal).
    pub ci_low: f64,
    /// Upper confidence limit (normal).
    pub ci_high: f64,
}

/// One domain mean to estimate: values and domain indicator.
pub(crate) struct MeanItem<'a> {
    pub(crate) y: &'a [f64],
    pub(crate) domain: Vec<bool>,
}

/// Domain means with their design covariance (linearization or replicates).
pub(crate) fn means_covariance(
    var: Variance,
    items: &[MeanItem],
) -> Result<(Vec<f64>, DMatrix<f64>)> {
    let w = var.weights();
    let theta: Vec<f64> = items.iter().map(|it| weighted_mean(it, w)).collect();
    match var {
        Variance::Linearization(e) => {
            let z: Vec<Vec<f64>> = items
                .iter()
                .zip(&theta)
                .map(|(it, &t)| {
                    let nd: f64 = (0..w.len()).filter(|&k| it.domain[k]).map(|k| w[k]).sum();
                    (0..w.len())
                        .map(|k| if it.domain[k] { (it.y[k] - t) / nd } else { 0.0 })
                        .collect()
                })
                .collect();
            let refs: Vec<&[f64]> = z.iter().map(Vec::as_slice).collect();
            Ok((theta.clone(), e.covariance(&refs)?))
        }
        Variance::Replicates(r) => {
            let thetas: Vec<Vec<f64>> = r
                .replicate_weights()
                .par_iter()
                .map(|wr| items.iter().map(|it| weighted_mean(it, wr)).collect())
                .collect();
            Ok((theta.clone(), replicate_covariance(r, &thetas, &theta)))
        }
    }
}

fn weighted_mean(it: &MeanItem, w: &[f64]) -> f64 {
    let (mut s, mut t) = (0.0, 0.0);
    for k in (0..w.len()).filter(|&k| it.domain[k]) {
        s += w[k] * it.y[k];
        t += w[k];
    }
    s / t
}

/// θ̂_a − θ̂_b for the domains `by = levels[0]` and `by = levels[1]` of `y` (a 0/1
/// indicator gives a proportion, see [`super::indicator`]), at confidence `level`.
///
/// # Errors
/// An unknown level; a missing `y` in a domain under [`Missing::Fail`]; an empty domain.
pub fn domain_difference(
    var: Variance,
    y: (&str, &[f64]),
    by: (&str, &Factor),
    levels: [&str; 2],
    missing: Missing,
    level: f64,
) -> Result<Difference> {
    let (yname, yv) = y;
    let mut items = Vec::with_capacity(2);
    for l in levels {
        let code = by.1.level_index(l).ok_or_else(|| {
            Error::method(
                STEP,
                format!("`{}` has no level `{l}` (levels: {})", by.0, by.1.levels.join(", ")),
            )
        })?;
        let mut domain: Vec<bool> = by.1.codes.iter().map(|&c| c == code).collect();
        let w = var.weights();
        let bad: Vec<usize> =
            (0..yv.len()).filter(|&k| domain[k] && w[k] != 0.0 && !yv[k].is_finite()).collect();
        if let (Some(&first), Missing::Fail) = (bad.first(), missing) {
            return Err(Error::Cell {
                file: STEP.to_string(),
                column: yname.to_string(),
                row: Some(first + 1),
                message: format!(
                    "`{yname}` has {} missing value(s) among rows with positive weight in \
                     `{}={l}` (rows {}): fill them in, or set `missing: drop`",
                    bad.len(),
                    by.0,
                    row_list(&bad)
                ),
            });
        }
        domain.iter_mut().zip(yv).for_each(|(d, y)| *d &= y.is_finite());
        if !domain.iter().zip(var.weights()).any(|(&d, &w)| d && w > 0.0) {
            return Err(Error::method(
                STEP,
                format!("domain `{}={l}` has no row with a weight", by.0),
            ));
        }
        items.push(MeanItem { y: yv, domain });
    }
    let (theta, v) = means_covariance(var, &items)?;
    let est = theta[0] - theta[1];
    let se = (v[(0, 0)] + v[(1, 1)] - 2.0 * v[(0, 1)]).max(0.0).sqrt();
    let q = normal_quantile(1.0 - (1.0 - level) / 2.0);
    Ok(Difference {
        estimates: [theta[0], theta[1]],
        estimate: est,
        se,
        statistic: est / se,
        p_value: z_two_sided(est / se),
        ci_low: est - q * se,
        ci_high: est + q * se,
    })
}
