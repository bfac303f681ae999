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

impl Difference {
    /// `θ̂_a − θ̂_b` of estimates `theta` with covariance `v`: SE
    /// `√(V_aa + V_bb − 2 V_ab)`, z test, normal CI with quantile `q`.
    fn of(theta: &[f64], v: &DMatrix<f64>, (a, b): (usize, usize), q: f64) -> Difference {
        let est = theta[a] - theta[b];
        let se = (v[(a, a)] + v[(b, b)] - 2.0 * v[(a, b)]).max(0.0).sqrt();
        Difference {
            estimates: [theta[a], theta[b]],
            estimate: est,
            se,
            statistic: est / se,
            p_value: z_two_sided(est / se),
            ci_low: est - q * se,
            ci_high: est + q * se,
        }
    }
}

/// Means of `y` in `domains` domains (`domain_of[k]`, `None` = in none; rows whose `y` is
/// not finite are in none) and, with `union`, the mean over all of them (last index), with
/// their joint design covariance: influence values `z_k = 1{k ∈ d} (y_k − θ̂_d) / N̂_d`
/// through the covariance engine, or the means recomputed with every replicate's weights
/// (one pass over the rows per replicate). Returns `(θ̂, N̂, V)`; a domain without weight
/// has θ̂ = NaN.
fn domain_means(
    var: Variance,
    y: &[f64],
    domain_of: &[Option<usize>],
    (domains, union): (usize, bool),
) -> Result<(Vec<f64>, Vec<f64>, DMatrix<f64>)> {
    let w = var.weights();
    if y.len() != w.len() || domain_of.len() != w.len() {
        return Err(Error::method(STEP, "values, domains and weights differ in length"));
    }
    let items = domains + usize::from(union);
    let of = |k: usize| domain_of[k].filter(|&d| d < domains && y[k].is_finite());
    let holds = |d: usize, j: usize| d == j || (union && j == domains);
    let means = |w: &[f64]| -> (Vec<f64>, Vec<f64>) {
        let (mut s, mut t) = (vec![0.0; items], vec![0.0; items]);
        // each row adds to its domain and, with `union`, to the last item (the same sums,
        // in the same row order, as looping over every item that holds it)
        for k in 0..w.len() {
            if let Some(d) = of(k) {
                s[d] += w[k] * y[k];
                t[d] += w[k];
                if union {
                    s[domains] += w[k] * y[k];
                    t[domains] += w[k];
                }
            }
        }
        (s.iter().zip(&t).map(|(s, t)| s / t).collect(), t)
    };
    let (theta, totals) = means(w);
    let v = match var {
        Variance::Linearization(e) => {
            let z: Vec<Vec<f64>> = (0..items)
                .map(|j| {
                    (0..w.len())
                        .map(|k| match of(k) {
                            Some(d) if holds(d, j) && totals[j] > 0.0 => {
                                (y[k] - theta[j]) / totals[j]
                            }
                            _ => 0.0,
                        })
                        .collect()
                })
                .collect();
            let refs: Vec<&[f64]> = z.iter().map(Vec::as_slice).collect();
            e.covariance(&refs)?
        }
        Variance::Replicates(r) => {
            let thetas: Vec<Vec<f64>> =
                r.replicate_weights().par_iter().map(|wr| means(wr).0).collect();
            replicate_covariance(r, &thetas, &theta)
        }
    };
    Ok((theta, totals, v))
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
    if levels[0] == levels[1] {
        return Err(Error::method(
            STEP,
            format!(
                "the two levels of `{}` are both `{}`: name two different levels",
                by.0, levels[0]
            ),
        ));
    }
    let mut domain_of: Vec<Option<usize>> = vec![None; yv.len()];
    for (i, l) in levels.into_iter().enumerate() {
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
        for (slot, _) in domain_of.iter_mut().zip(&domain).filter(|(_, d)| **d) {
            *slot = Some(i);
        }
    }
    let (theta, _, v) = domain_means(var, yv, &domain_of, (2, false))?;
    let q = normal_quantile(1.0 - (1.0 - level) / 2.0);
    Ok(Difference::of(&theta, &v, (0, 1), q))
}

/// Each domain's mean against the mean over all the domains (their union): for a
/// publication table's marks of significant differences with the overall value.
///
/// `domain_of[k]` is the domain of row k (`None`: outside every domain); rows whose `y` is
/// not finite leave every domain (as `missing: drop` does). Returns, per domain, the
/// [`Difference`] `θ̂_d − θ̂` with `estimates = [θ̂_d, θ̂]`, or `None` for a domain without a
/// row of positive weight.
///
/// # Formula
/// As [`domain_difference`], with `b` the union of the domains: `V_d + V − 2 C_d`, the joint
/// covariance of the domain means and the overall mean from one call of the covariance
/// engine (influence values `z_k = 1{k ∈ d} (y_k − θ̂_d) / N̂_d` and
/// `1{k ∈ ∪d} (y_k − θ̂) / N̂`), or from the replicate means (one pass over the rows per
/// replicate). The domain is part of the union, so `C_d ≠ 0`: treating them as independent
/// would overstate the SE.
///
/// # Errors
/// Lengths that differ from the design's; the covariance engine's errors.
pub fn domains_versus_overall(
    var: Variance,
    y: &[f64],
    domain_of: &[Option<usize>],
    domains: usize,
    level: f64,
) -> Result<Vec<Option<Difference>>> {
    let (theta, totals, v) = domain_means(var, y, domain_of, (domains, true))?;
    let q = normal_quantile(1.0 - (1.0 - level) / 2.0);
    let all = domains;
    Ok((0..domains)
        .map(|d| {
            (totals[d] > 0.0 && theta[all].is_finite())
                .then(|| Difference::of(&theta, &v, (d, all), q))
        })
        .collect())
}

/// A domain estimate of a published estimate against the estimate over all its domains
/// ([`domains_versus_overall`]), for the marks of publication tables.
#[derive(Debug, Clone, PartialEq)]
pub struct VersusOverall {
    /// Estimate name (the `name` of its rows).
    pub name: String,
    /// Category of a proportion (`None`: a mean).
    pub category: Option<String>,
    /// The domain, `(by variable, code)` as in the estimate rows.
    pub domain: Vec<(String, String)>,
    /// `θ̂_d − θ̂` with its design-based SE and two-sided p-value.
    pub difference: Difference,
}

/// Correction of p-values for the multiple comparisons of one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Correction {
    /// Holm's step-down method ([`holm`]).
    #[default]
    Holm,
    /// Bonferroni: `min(1, m p)`.
    Bonferroni,
    /// No correction.
    None,
}

impl Correction {
    /// The adjusted p-values of one family of comparisons, in the input order.
    pub fn adjust(self, p: &[f64]) -> Vec<f64> {
        match self {
            Correction::Holm => holm(p),
            Correction::Bonferroni => {
                let m = p.iter().filter(|x| x.is_finite()).count() as f64;
                p.iter().map(|x| (x * m).min(1.0)).collect()
            }
            Correction::None => p.to_vec(),
        }
    }
}

/// Marks of significant differences: the significance level (0.05) and the correction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Significance {
    /// Significance level of each (corrected) test, e.g. 0.05.
    pub level: f64,
    /// Correction for the comparisons of one table.
    pub correction: Correction,
}

impl Default for Significance {
    fn default() -> Self {
        Significance { level: 0.05, correction: Correction::Holm }
    }
}

/// Holm's step-down adjustment of p-values (Holm 1979), in the input order:
/// `p̃_(i) = max_{j ≤ i} min(1, (m − j + 1) p_(j))` over the ascending p-values. It controls
/// the family-wise error rate as Bonferroni (`min(1, m p)`) does, and rejects at least as
/// often. Non-finite p-values are kept as they are and do not count in `m`.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..p.len()).filter(|&i| p[i].is_finite()).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let m = order.len();
    let mut out = p.to_vec();
    let mut running: f64 = 0.0;
    for (j, &i) in order.iter().enumerate() {
        running = running.max(((m - j) as f64 * p[i]).min(1.0));
        out[i] = running;
    }
    out
}

#[cfg(test)]
mod overall_tests {
    use super::*;
    use crate::variance::replicates::{ReplicateDesign, ReplicateKind, ReplicateOptions};

    /// One domain mean: values and domain indicator (the test's item-by-item oracle).
    struct MeanItem<'a> {
        y: &'a [f64],
        domain: Vec<bool>,
    }

    /// Domain means with their replicate covariance, one item at a time.
    fn means_covariance(var: Variance, items: &[MeanItem]) -> Result<(Vec<f64>, DMatrix<f64>)> {
        let Variance::Replicates(r) = var else { unreachable!("the test uses replicates") };
        let mean = |it: &MeanItem, w: &[f64]| {
            let (mut s, mut t) = (0.0, 0.0);
            for k in (0..w.len()).filter(|&k| it.domain[k]) {
                s += w[k] * it.y[k];
                t += w[k];
            }
            s / t
        };
        let theta: Vec<f64> = items.iter().map(|it| mean(it, r.full_weights())).collect();
        let thetas: Vec<Vec<f64>> = r
            .replicate_weights()
            .iter()
            .map(|wr| items.iter().map(|it| mean(it, wr)).collect())
            .collect();
        Ok((theta.clone(), replicate_covariance(r, &thetas, &theta)))
    }

    /// The joint pass agrees with [`means_covariance`] on items built one by one.
    #[test]
    fn domains_versus_overall_matches_means_covariance() {
        let n = 40;
        let y: Vec<f64> =
            (0..n).map(|k| ((k * 7) % 5) as f64 + if k == 3 { f64::NAN } else { 0.0 }).collect();
        let dom: Vec<Option<usize>> =
            (0..n).map(|k| if k % 9 == 0 { None } else { Some(k % 3) }).collect();
        let full: Vec<f64> = (0..n).map(|k| 1.0 + (k % 4) as f64).collect();
        let reps: Vec<Vec<f64>> = (0..6)
            .map(|r| {
                full.iter()
                    .enumerate()
                    .map(|(k, w)| w * (0.5 + ((k + r) % 3) as f64 / 2.0))
                    .collect()
            })
            .collect();
        let opts = ReplicateOptions::new(ReplicateKind::Bootstrap);
        let rd = ReplicateDesign::from_columns(full, reps, opts).unwrap();
        let var = Variance::Replicates(&rd);
        let got = domains_versus_overall(var, &y, &dom, 3, 0.95).unwrap();
        let inside = |k: usize, d: Option<usize>| {
            y[k].is_finite() && dom[k].is_some() && (d.is_none() || dom[k] == d)
        };
        for (d, g) in got.iter().enumerate() {
            let items = [
                MeanItem { y: &y, domain: (0..n).map(|k| inside(k, Some(d))).collect() },
                MeanItem { y: &y, domain: (0..n).map(|k| inside(k, None)).collect() },
            ];
            let (theta, v) = means_covariance(var, &items).unwrap();
            let g = g.as_ref().unwrap();
            assert!(
                (g.estimates[0] - theta[0]).abs() < 1e-12
                    && (g.estimates[1] - theta[1]).abs() < 1e-12
            );
            let se = (v[(0, 0)] + v[(1, 1)] - 2.0 * v[(0, 1)]).sqrt();
            assert!((g.se - se).abs() < 1e-12 * (1.0 + se), "{} {se}", g.se);
        }
    }

    #[test]
    fn holm_steps_down_and_stays_monotone() {
        let p = holm(&[0.01, 0.04, 0.03, f64::NAN, 0.005]);
        let want = [0.03, 0.06, 0.06, f64::NAN, 0.02];
        for (a, b) in p.iter().zip(want) {
            assert!((a.is_nan() && b.is_nan()) || (a - b).abs() < 1e-12, "{p:?}");
        }
    }
}
