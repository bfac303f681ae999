//! The covariance step: design covariance of several totals of influence values.
//!
//! [`CovarianceEngine`] is the seam with the crate's variance engine; it is implemented for
//! [`Linearization`] (strata, stages, fpc, lonely PSU, calibration residuals: every pair of
//! influence vectors in one pass over the PSU totals). Replicate designs refit the model on
//! each replicate instead ([`replicate_covariance`]).

use nalgebra::DMatrix;

use crate::error::Result;
use crate::estimate::UnitLink;
use crate::variance::replicates::ReplicateDesign;
use crate::variance::{Linearization, TwoPhase};

/// Design covariance of totals `t_j = Σ_k w_k z_jk` of influence values (linearization).
pub trait CovarianceEngine: Sync {
    /// Full-sample analysis weights w_k.
    fn weights(&self) -> &[f64];

    /// Covariance matrix of the totals `Σ_k w_k z_jk`, one per slice of `z` (each of length
    /// n, zero for rows outside an estimate's domain).
    ///
    /// # Errors
    /// Wrong lengths; a lonely PSU the design's policy cannot handle.
    fn covariance(&self, z: &[&[f64]]) -> Result<DMatrix<f64>>;

    /// Design degrees of freedom (#PSU − #strata) among the rows where `keep` holds.
    fn degrees_of_freedom(&self, keep: &dyn Fn(usize) -> bool) -> f64;

    /// Covariance matrix of the cell totals `Σ_k w_k 1{cell_k = c}`, c < `n_cells` (rows
    /// with `cell_k ≥ n_cells` are in no cell). By default [`CovarianceEngine::covariance`]
    /// of the dense 0/1 indicator vectors; an engine may do it in one pass over the rows.
    ///
    /// # Errors
    /// As [`CovarianceEngine::covariance`].
    fn cell_covariance(&self, cell: &[u32], n_cells: usize) -> Result<DMatrix<f64>> {
        let z: Vec<Vec<f64>> = (0..n_cells as u32)
            .map(|c| cell.iter().map(|&ck| f64::from(u8::from(ck == c))).collect())
            .collect();
        let refs: Vec<&[f64]> = z.iter().map(Vec::as_slice).collect();
        self.covariance(&refs)
    }
}

/// The linearization engine of [`crate::variance`]: strata, stages, fpc, lonely PSU and
/// calibration residuals, all pairs of influence vectors in one pass.
impl CovarianceEngine for Linearization {
    fn weights(&self) -> &[f64] {
        Linearization::weights(self)
    }

    fn covariance(&self, z: &[&[f64]]) -> Result<DMatrix<f64>> {
        Linearization::covariance(self, z)
    }

    fn cell_covariance(&self, cell: &[u32], n_cells: usize) -> Result<DMatrix<f64>> {
        Linearization::cell_covariance(self, cell, n_cells)
    }

    fn degrees_of_freedom(&self, keep: &dyn Fn(usize) -> bool) -> f64 {
        self.design().degrees_of_freedom_where(keep)
    }
}

/// Linearization with a nonresponse phase (response as a Poisson phase, p̂ = d / w;
/// calibration residuals when the adjusted weights were calibrated): see
/// [`TwoPhase::covariance`].
impl CovarianceEngine for TwoPhase {
    // the analysis weights (calibrated when calibrated), not the adjusted `weights`
    #[allow(clippy::misnamed_getters)]
    fn weights(&self) -> &[f64] {
        &self.analysis
    }

    fn covariance(&self, z: &[&[f64]]) -> Result<DMatrix<f64>> {
        TwoPhase::covariance(self, z)
    }

    fn degrees_of_freedom(&self, keep: &dyn Fn(usize) -> bool) -> f64 {
        self.design.degrees_of_freedom_where(keep)
    }
}

/// Replicate covariance of p estimates (R `svrVar`):
/// `scale Σ_r rscale_r (θ_r − c)(θ_r − c)ᵀ`, c the mean of the replicates (or θ̂ with
/// `mse`). `thetas[r]` holds the p estimates of replicate r.
pub fn replicate_covariance(
    rep: &ReplicateDesign,
    thetas: &[Vec<f64>],
    full: &[f64],
) -> DMatrix<f64> {
    let p = full.len();
    let r = thetas.len().max(1) as f64;
    let centre: Vec<f64> = if rep.mse() {
        full.to_vec()
    } else {
        (0..p).map(|j| thetas.iter().map(|t| t[j]).sum::<f64>() / r).collect()
    };
    let mut v = DMatrix::zeros(p, p);
    for (t, s) in thetas.iter().zip(rep.rscales()) {
        for i in 0..p {
            for j in 0..=i {
                v[(i, j)] += s * (t[i] - centre[i]) * (t[j] - centre[j]);
            }
        }
    }
    for i in 0..p {
        for j in 0..i {
            v[(j, i)] = v[(i, j)];
        }
    }
    v * rep.scale()
}

/// A design seen from linked units (one row per dispute, each carrying its person's row):
/// unit u has its person's weight, w_u = w_{i(u)}; the covariance of unit-level totals
/// `Σ_u w_u z_u = Σ_i w_i z_i` with `z_i = Σ_{u ∈ i} z_u` is the person design's
/// covariance of the z_i (disputes clustered within persons, within PSUs and strata: R
/// `survey` on the file expanded to one row per dispute with `ids = ~psu + person`).
pub struct LinkedEngine<'a> {
    persons: &'a dyn CovarianceEngine,
    link: &'a UnitLink,
    weights: Vec<f64>,
}

impl<'a> LinkedEngine<'a> {
    /// The unit-level view of `persons` through `link`.
    pub fn new(persons: &'a dyn CovarianceEngine, link: &'a UnitLink) -> LinkedEngine<'a> {
        LinkedEngine { persons, link, weights: link.expand(persons.weights()) }
    }
}

impl CovarianceEngine for LinkedEngine<'_> {
    fn weights(&self) -> &[f64] {
        &self.weights
    }

    fn covariance(&self, z: &[&[f64]]) -> Result<DMatrix<f64>> {
        let per_person: Vec<Vec<f64>> =
            z.iter().map(|zu| self.link.sum_to_persons(zu, |_| true)).collect();
        let refs: Vec<&[f64]> = per_person.iter().map(Vec::as_slice).collect();
        self.persons.covariance(&refs)
    }

    /// The design df of the persons holding a unit where `keep` holds.
    fn degrees_of_freedom(&self, keep: &dyn Fn(usize) -> bool) -> f64 {
        let holds = self.link.holders(keep);
        self.persons.degrees_of_freedom(&|i| holds[i])
    }
}

/// The replicate design of linked units: every unit carries its person's full-sample and
/// replicate weights (same kind, scale, rscales and centring).
///
/// # Errors
/// The replicate design's own checks.
pub fn linked_replicates(persons: &ReplicateDesign, link: &UnitLink) -> Result<ReplicateDesign> {
    persons.on_rows(link.persons())
}
