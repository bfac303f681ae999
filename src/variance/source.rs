//! The variance engine's dispatch: one [`VarianceSource`] (linearization, two-phase
//! linearization or replicate weights) turns a statistic's influence values — or its point
//! values on every replicate — into variances.

use nalgebra::DMatrix;
use rayon::prelude::*;

use super::linearization::{Linearization, NO_GROUP};
use super::nonresponse::TwoPhase;
use super::replicates::ReplicateDesign;
use crate::design::Design;
use crate::error::Result;

/// What the engine needs from an estimator of several quantities at once (one per group,
/// e.g. per domain): point values with any weights (replicates) and influence values
/// (linearization).
pub trait Linearizable: Sync {
    /// The estimates (one per group) with weights `w`.
    fn point(&self, w: &[f64]) -> Vec<f64>;
    /// The estimates with weights `w` and the influence value of every row for its own
    /// group's estimate (0 for a row in no group).
    fn linearize(&self, w: &[f64]) -> (Vec<f64>, Vec<f64>);
}

/// A statistic of k estimates whose covariance is wanted (regression coefficients, the
/// estimates of several domains): point values with any weights, and one influence vector
/// per estimate, each over all rows.
pub trait Multivariate: Sync {
    /// The k estimates with weights `w`.
    fn point(&self, w: &[f64]) -> Vec<f64>;
    /// The k estimates with weights `w` and their influence vectors (k vectors of n).
    fn influence(&self, w: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>);
}

/// Variance method of an estimation run.
#[derive(Debug, Clone, Copy)]
pub enum VarianceSource<'a> {
    /// Linearization (influence values through the design's variance engine, with the
    /// calibration residuals of its weights).
    Linearization(&'a Linearization),
    /// Replicate weights (the estimator re-run on every replicate).
    Replicates(&'a ReplicateDesign),
    /// Linearization with a nonresponse phase (Insee's `gustave` approach, methods.md §4):
    /// response is a Poisson phase with probabilities p̂_k = d_k / w_k on the full-sample
    /// design ([`super::two_phase_variances`]).
    TwoPhase(&'a TwoPhase),
}

/// Estimates, variances and dropped-replicate counts of every group.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupedEstimates {
    /// Point estimate of each group (full-sample weights).
    pub estimates: Vec<f64>,
    /// Variance of each group's estimate.
    pub variances: Vec<f64>,
    /// Replicates left out of each group's variance (estimate not finite there).
    pub dropped: Vec<usize>,
}

impl VarianceSource<'_> {
    /// Full-sample analysis weights.
    pub fn weights(&self) -> &[f64] {
        match self {
            VarianceSource::Linearization(l) => l.weights(),
            VarianceSource::Replicates(r) => r.full_weights(),
            VarianceSource::TwoPhase(t) => &t.analysis,
        }
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.weights().len()
    }

    /// Estimates and variances of a statistic's `n_groups` estimates; `group[k]` is the
    /// group of row k ([`NO_GROUP`] = none; rows of different groups are disjoint).
    ///
    /// # Errors
    /// The variance engine's (a lonely PSU under `fail`, a bad nonresponse phase).
    pub fn estimate(
        &self,
        stat: &dyn Linearizable,
        group: &[u32],
        n_groups: usize,
    ) -> Result<GroupedEstimates> {
        let linearized = |(estimates, variances): (Vec<f64>, Vec<f64>)| GroupedEstimates {
            estimates,
            variances,
            dropped: vec![0; n_groups],
        };
        match self {
            VarianceSource::Linearization(lin) => {
                let (estimates, z) = stat.linearize(lin.weights());
                let v = lin.grouped_variances(&z, group, n_groups)?;
                Ok(linearized((estimates, v)))
            }
            VarianceSource::TwoPhase(t) => {
                let (estimates, z) = stat.linearize(&t.analysis);
                let v = t.grouped_variances(&z, group, n_groups)?;
                Ok(linearized((estimates, v)))
            }
            VarianceSource::Replicates(rep) => Ok(replicate_estimates(rep, stat, n_groups)),
        }
    }

    /// The estimates of a multivariate statistic and their covariance matrix: from its
    /// influence vectors through the linearization engine, or from its point values on
    /// every replicate (same scale, rscales and mse rule as the variances). The diagonal is
    /// each estimate's variance.
    ///
    /// # Errors
    /// The engine's errors.
    pub fn covariance(&self, stat: &dyn Multivariate) -> Result<(Vec<f64>, DMatrix<f64>)> {
        match self {
            VarianceSource::Linearization(lin) => {
                let (estimates, z) = stat.influence(lin.weights());
                let z: Vec<&[f64]> = z.iter().map(Vec::as_slice).collect();
                Ok((estimates, lin.covariance(&z)?))
            }
            VarianceSource::Replicates(rep) => {
                let estimates = stat.point(rep.full_weights());
                let thetas: Vec<Vec<f64>> =
                    rep.replicate_weights().par_iter().map(|w| stat.point(w)).collect();
                let c = rep.covariance_of(&thetas, &estimates);
                Ok((estimates, c))
            }
            VarianceSource::TwoPhase(t) => {
                let (estimates, z) = stat.influence(&t.analysis);
                let z: Vec<&[f64]> = z.iter().map(Vec::as_slice).collect();
                Ok((estimates, t.covariance(&z)?))
            }
        }
    }

    /// Design degrees of freedom: #PSU − #strata (of the full-sample design for a two-phase
    /// source), or the replicate design's.
    pub fn degrees_of_freedom(&self) -> f64 {
        match self {
            VarianceSource::Linearization(l) => l.design().degrees_of_freedom(),
            VarianceSource::Replicates(r) => r.degrees_of_freedom(),
            VarianceSource::TwoPhase(t) => t.design.degrees_of_freedom(),
        }
    }

    /// Degrees of freedom of each group's sub-design (#PSU − #strata among its rows with
    /// non-zero design weight: R `svyby` + `svyciprop`); the replicate design's for every
    /// group.
    pub fn group_degrees_of_freedom(&self, group: &[u32], n_groups: usize) -> Vec<f64> {
        match self {
            VarianceSource::Linearization(l) => design_group_dfs(l.design(), group, n_groups),
            VarianceSource::TwoPhase(t) => design_group_dfs(&t.design, group, n_groups),
            VarianceSource::Replicates(r) => vec![r.degrees_of_freedom(); n_groups],
        }
    }
}

/// The statistic on the full sample and on every replicate (in parallel, collected in
/// replicate order: deterministic), then the replicate variance of each group.
fn replicate_estimates(
    rep: &ReplicateDesign,
    stat: &dyn Linearizable,
    n_groups: usize,
) -> GroupedEstimates {
    let estimates = stat.point(rep.full_weights());
    let thetas: Vec<Vec<f64>> = rep.replicate_weights().par_iter().map(|w| stat.point(w)).collect();
    let mut variances = Vec::with_capacity(n_groups);
    let mut dropped = Vec::with_capacity(n_groups);
    let mut col = vec![0.0; thetas.len()];
    for d in 0..n_groups {
        for (c, t) in col.iter_mut().zip(&thetas) {
            *c = t[d];
        }
        let (v, nd) = rep.variance_of(&col, estimates[d]);
        variances.push(v);
        dropped.push(nd);
    }
    GroupedEstimates { estimates, variances, dropped }
}

/// Distinct (group, PSU) pairs minus distinct (group, stratum) pairs among rows with weight.
fn design_group_dfs(des: &Design, group: &[u32], n_groups: usize) -> Vec<f64> {
    let (w, psu, strat) = (des.weights(), des.psu_of_rows(), des.stratum_of_psus());
    let mut pairs: Vec<(u32, u32)> = (0..w.len())
        .filter(|&k| group[k] != NO_GROUP && w[k] != 0.0)
        .map(|k| (group[k], psu[k]))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut strata: Vec<(u32, u32)> = pairs.iter().map(|&(d, u)| (d, strat[u as usize])).collect();
    strata.sort_unstable();
    strata.dedup();
    let mut df = vec![0.0; n_groups];
    pairs.iter().for_each(|&(d, _)| df[d as usize] += 1.0);
    strata.iter().for_each(|&(d, _)| df[d as usize] -= 1.0);
    df
}
