//! The linearization variance engine.
//!
//! Input: influence values z_k of an estimator (per row; 0 outside its domain). Row
//! contributions are u_k = w_k z_k with the design's analysis weights (R `survey`'s
//! `x / design$prob`). Calibration steps replace u by residuals ([`super::calibration`]);
//! then the stratified multistage formula ([`super::multistage`]) on the unit totals of u,
//! or with [`PpsVariance::Poisson`] `V = Σ_k (1 − π_k) u_k²`. Lonely PSUs follow
//! [`crate::design::LonelyPsu`].
//!
//! Domains never subset the design: a domain's influence values are zero outside it and the
//! full design (all PSUs, n_h on the full sample) is used, which is what R `svyby` does.
//!
//! Covariances ([`Linearization::covariance`]) use the same totals: the covariance of
//! `Σ w z_a` and `Σ w z_b` is the bilinear form whose diagonal is the variance.

use nalgebra::DMatrix;
use rayon::prelude::*;

use crate::design::{Design, LonelyPsu, PpsVariance};
use crate::error::{Error, Result};

use super::calibration::{CalibrationStep, PreparedCalibration, RegressionResiduals};
use super::multistage::{cross_matrix, stage_totals};

/// Marks a row that belongs to no group in [`Linearization::grouped_variances`].
pub const NO_GROUP: u32 = u32::MAX;

/// A design and the calibration steps applied to its weights: what the linearization
/// variance needs (R `survey` keeps the steps in `design$postStrata`).
#[derive(Debug, Clone)]
pub struct Linearization {
    design: Design,
    calibration: Vec<PreparedCalibration>,
}

impl From<Design> for Linearization {
    fn from(design: Design) -> Self {
        Linearization::new(design)
    }
}

impl Linearization {
    /// The linearization of a design whose weights were not calibrated.
    pub fn new(design: Design) -> Linearization {
        Linearization { design, calibration: Vec::new() }
    }

    /// After a calibration step: `final_weights` replace the weights and `step` tells how to
    /// form residuals. Steps accumulate in order.
    ///
    /// # Errors
    /// Lengths that do not match the sample, negative or non-finite weights, the step's own
    /// checks.
    pub fn calibrated(
        &self,
        final_weights: Vec<f64>,
        step: CalibrationStep,
    ) -> Result<Linearization> {
        let n = self.design.n_rows();
        crate::design::check_weights(&final_weights, n, "calibrated weights")?;
        let mut step = step.prepare(self.design.weights(), &final_weights, n)?;
        if let Some(last) = self.design.stages().last() {
            step.attach_units(&last.unit_of_row, last.n_units);
        }
        let mut calibration = self.calibration.clone();
        calibration.push(step);
        Ok(Linearization { design: self.design.with_weights(final_weights)?, calibration })
    }

    /// The design (its weights are the analysis weights, after calibration).
    pub fn design(&self) -> &Design {
        &self.design
    }

    /// Analysis weights (after any calibration step).
    pub fn weights(&self) -> &[f64] {
        self.design.weights()
    }

    /// Calibration steps recorded, in order.
    pub fn calibration_steps(&self) -> &[PreparedCalibration] {
        &self.calibration
    }

    fn engine(&self) -> Engine<'_> {
        Engine { design: &self.design, calibration: &self.calibration }
    }

    /// Linearization variance of `Σ_k w_k z_k` (influence values `z`, all rows).
    ///
    /// # Errors
    /// Wrong length; a lonely PSU under `lonely_psu: fail` ([`Error::LonelyPsu`]).
    pub fn variance(&self, z: &[f64]) -> Result<f64> {
        self.engine().variance(z)
    }

    /// Variances of several estimates at once, each with its own rows: `z[k]` is the
    /// influence value of row k for estimate `group[k]` ([`NO_GROUP`] = none). This is how
    /// all domains of one estimator are done in one pass (rows of different domains are
    /// disjoint); each group's variance is computed on the full design.
    ///
    /// Deterministic whatever the thread count (groups are independent; results in order).
    ///
    /// # Errors
    /// As [`Linearization::variance`].
    pub fn grouped_variances(&self, z: &[f64], group: &[u32], n_groups: usize) -> Result<Vec<f64>> {
        self.engine().grouped_variances(z, group, n_groups)
    }

    /// Covariance matrix of `Σ w z_a` for several influence vectors (each over all rows):
    /// unit totals computed once per vector, every pair from them. Entry (a, a) equals
    /// [`Linearization::variance`]`(z[a])` bit for bit.
    ///
    /// # Errors
    /// As [`Linearization::variance`].
    pub fn covariance(&self, z: &[&[f64]]) -> Result<DMatrix<f64>> {
        self.engine().covariance(z)
    }

    /// Covariance matrix of the estimated cell totals `Σ_k w_k 1{cell_k = c}`, c <
    /// `n_cells` (rows with `cell_k ≥ n_cells` are in no cell): the covariance of the dense
    /// 0/1 indicator vectors, computed in one pass over the rows (R `svytotal` of
    /// `interaction(a, b)`).
    ///
    /// # Errors
    /// As [`Linearization::variance`].
    pub fn cell_covariance(&self, cell: &[u32], n_cells: usize) -> Result<DMatrix<f64>> {
        self.engine().cell_covariance(cell, n_cells)
    }
}

impl Design {
    /// Linearization variance of `Σ_k w_k z_k` on this design without calibration
    /// (see [`Linearization::variance`]).
    ///
    /// # Errors
    /// As [`Linearization::variance`].
    pub fn variance(&self, z: &[f64]) -> Result<f64> {
        Engine { design: self, calibration: &[] }.variance(z)
    }

    /// Grouped variances on this design without calibration (see
    /// [`Linearization::grouped_variances`]).
    ///
    /// # Errors
    /// As [`Linearization::variance`].
    pub fn grouped_variances(&self, z: &[f64], group: &[u32], n_groups: usize) -> Result<Vec<f64>> {
        Engine { design: self, calibration: &[] }.grouped_variances(z, group, n_groups)
    }

    /// Covariance matrix on this design without calibration (see
    /// [`Linearization::covariance`]).
    ///
    /// # Errors
    /// As [`Linearization::variance`].
    pub fn covariance(&self, z: &[&[f64]]) -> Result<DMatrix<f64>> {
        Engine { design: self, calibration: &[] }.covariance(z)
    }
}

/// Totals of one estimate's contributions, ready for the bilinear form.
enum Totals {
    /// Unit totals of every stage.
    Stages(Vec<Vec<f64>>),
    /// Row contributions u (Poisson πps variance).
    Rows(Vec<f64>),
}

/// The engine on borrowed parts.
struct Engine<'a> {
    design: &'a Design,
    calibration: &'a [PreparedCalibration],
}

impl Engine<'_> {
    fn check_len(&self, z: &[f64], group: Option<&[u32]>) -> Result<()> {
        let n = self.design.n_rows();
        if z.len() != n || group.is_some_and(|g| g.len() != n) {
            return Err(Error::Internal(format!(
                "variance: {} influence values / {} groups for {n} rows",
                z.len(),
                group.map_or(z.len(), <[u32]>::len)
            )));
        }
        Ok(())
    }

    fn variance(&self, z: &[f64]) -> Result<f64> {
        let group = vec![0u32; self.design.n_rows()];
        Ok(self.grouped_variances(z, &group, 1)?[0])
    }

    fn grouped_variances(&self, z: &[f64], group: &[u32], n_groups: usize) -> Result<Vec<f64>> {
        self.check_len(z, Some(group))?;
        let rows = bucket_rows(group, n_groups);
        let fast = FastPath::new(self);
        (0..n_groups)
            .into_par_iter()
            .map(|g| {
                let present = self.strata_present(&rows[g]);
                let t = self.totals(fast.as_ref(), z, &rows[g])?;
                Ok(self.cross(std::slice::from_ref(&t), present.as_deref())?[(0, 0)])
            })
            .collect()
    }

    fn covariance(&self, z: &[&[f64]]) -> Result<DMatrix<f64>> {
        for zi in z {
            self.check_len(zi, None)?;
        }
        let rows: Vec<usize> = (0..self.design.n_rows()).collect();
        let present = self.strata_present(&rows);
        let fast = FastPath::new(self);
        let totals: Vec<Totals> =
            z.par_iter().map(|zi| self.totals(fast.as_ref(), zi, &rows)).collect::<Result<_>>()?;
        self.cross(&totals, present.as_deref())
    }

    /// Covariance matrix of the estimated totals `Σ_k w_k 1{cell_k = c}` of the cells
    /// c < `n_cells` of a row classification (`cell_k ≥ n_cells`: the row is in no cell).
    /// The same matrix as [`Engine::covariance`] of the dense 0/1 indicator vectors, but
    /// each cell's totals are summed over its own rows only (one pass over the rows in
    /// all, instead of one per cell).
    fn cell_covariance(&self, cell: &[u32], n_cells: usize) -> Result<DMatrix<f64>> {
        if cell.len() != self.design.n_rows() {
            return Err(Error::Internal(format!(
                "variance: {} cells for {} rows",
                cell.len(),
                self.design.n_rows()
            )));
        }
        let all: Vec<usize> = (0..self.design.n_rows()).collect();
        let present = self.strata_present(&all);
        let rows = bucket_rows(cell, n_cells);
        let ones = vec![1.0; self.design.n_rows()];
        let fast = FastPath::new(self);
        let totals: Vec<Totals> =
            rows.par_iter().map(|r| self.totals(fast.as_ref(), &ones, r)).collect::<Result<_>>()?;
        self.cross(&totals, present.as_deref())
    }

    /// The covariance matrix of estimates from their totals (a diagonal entry is the
    /// variance of that estimate alone, bit for bit).
    fn cross(&self, totals: &[Totals], present: Option<&[bool]>) -> Result<DMatrix<f64>> {
        let mismatch = || Error::Internal("variance: totals of different kinds".into());
        if let Some(Totals::Rows(_)) = totals.first() {
            let u: Vec<&[f64]> = totals
                .iter()
                .map(|t| match t {
                    Totals::Rows(u) => Ok(u.as_slice()),
                    Totals::Stages(_) => Err(mismatch()),
                })
                .collect::<Result<_>>()?;
            let pi = self
                .design
                .inclusion_probabilities()
                .ok_or_else(|| Error::Internal("poisson without pi".into()))?;
            return Ok(poisson_matrix(&u, pi));
        }
        let t: Vec<&[Vec<f64>]> = totals
            .iter()
            .map(|t| match t {
                Totals::Stages(t) => Ok(t.as_slice()),
                Totals::Rows(_) => Err(mismatch()),
            })
            .collect::<Result<_>>()?;
        cross_matrix(self.design, &t, present)
    }

    /// Stage-1 strata holding at least one of `rows`, when that matters: under
    /// `lonely_psu: average` on a design without calibration. R `survey` estimates a domain
    /// (or drops missing values) on a design *subset*, which keeps only the domain's rows, so
    /// `onestage` averages over the strata of the domain only: a lonely stratum without
    /// domain rows neither counts as lonely nor as a stratum. Calibrated designs are subset
    /// by zero weights (all rows kept), so every stratum counts there (`None`).
    fn strata_present(&self, rows: &[usize]) -> Option<Vec<bool>> {
        if self.design.lonely_psu() != LonelyPsu::Average || !self.calibration.is_empty() {
            return None;
        }
        let st = &self.design.stages()[0];
        let mut present = vec![false; st.n_strata()];
        for &k in rows {
            present[st.stratum_of_unit[st.unit_of_row[k] as usize] as usize] = true;
        }
        Some(present)
    }

    /// The totals of the contributions w z of `rows` (after calibration residuals).
    fn totals(&self, fast: Option<&FastPath>, z: &[f64], rows: &[usize]) -> Result<Totals> {
        let leaf = match fast {
            Some(fp) => fp.leaf_totals(self.design, z, rows)?,
            None => {
                let u = self.row_contributions(z, rows);
                if self.design.pps_variance() == PpsVariance::Poisson {
                    return Ok(Totals::Rows(u));
                }
                let last = self.design.stages().last().expect("a design has a stage");
                let mut leaf = vec![0.0; last.n_units];
                for (k, &uk) in u.iter().enumerate() {
                    leaf[last.unit_of_row[k] as usize] += uk;
                }
                leaf
            }
        };
        Ok(Totals::Stages(stage_totals(self.design, leaf)))
    }

    /// General path: dense contributions, calibration residuals row by row.
    fn row_contributions(&self, z: &[f64], rows: &[usize]) -> Vec<f64> {
        let w = self.design.weights();
        let mut u = vec![0.0; self.design.n_rows()];
        for &k in rows {
            u[k] = w[k] * z[k];
        }
        for step in self.calibration {
            step.adjust_rows(&mut u);
        }
        u
    }
}

/// The Poisson (πps without replacement) covariance `C(a, b) = Σ_k (1 − π_k) u^a_k u^b_k`
/// of row contributions, summed in row order.
fn poisson_matrix(u: &[&[f64]], pi: &[f64]) -> DMatrix<f64> {
    let k = u.len();
    let mut c = DMatrix::zeros(k, k);
    for a in 0..k {
        for b in 0..=a {
            let v: f64 = u[a].iter().zip(u[b]).zip(pi).map(|((x, y), p)| (1.0 - p) * x * y).sum();
            c[(a, b)] = v;
            c[(b, a)] = v;
        }
    }
    c
}

/// Rows of each group, in row order (a counting sort).
pub(crate) fn bucket_rows(group: &[u32], n_groups: usize) -> Vec<Vec<usize>> {
    let mut counts = vec![0usize; n_groups];
    for &g in group {
        if (g as usize) < n_groups {
            counts[g as usize] += 1;
        }
    }
    let mut rows: Vec<Vec<usize>> = counts.iter().map(|&c| Vec::with_capacity(c)).collect();
    for (k, &g) in group.iter().enumerate() {
        if (g as usize) < n_groups {
            rows[g as usize].push(k);
        }
    }
    rows
}

/// Fast path for the common case (no Poisson, at most one regression-type calibration
/// step): leaf totals are accumulated from the group's rows only, and the calibration
/// residual is applied at leaf level, `T_leaf(u) − T_leaf(w x) b`, since both the
/// coefficients b and the leaf totals are linear in u. Cost O(n_g p + L p) per group instead
/// of O(n p). `T_leaf(w x)` is computed once, when the calibration step is recorded.
struct FastPath<'a> {
    leaf_of_row: &'a [u32],
    n_leaves: usize,
    calibration: Option<&'a RegressionResiduals>,
}

impl<'a> FastPath<'a> {
    fn new(engine: &Engine<'a>) -> Option<FastPath<'a>> {
        if engine.design.pps_variance() == PpsVariance::Poisson || engine.calibration.len() > 1 {
            return None;
        }
        let last = engine.design.stages().last()?;
        let calibration = match engine.calibration.first() {
            None => None,
            Some(PreparedCalibration::Rake(_)) => return None,
            Some(PreparedCalibration::Regression(r)) => Some(&**r),
        };
        Some(FastPath { leaf_of_row: &last.unit_of_row, n_leaves: last.n_units, calibration })
    }

    fn leaf_totals(&self, design: &Design, z: &[f64], rows: &[usize]) -> Result<Vec<f64>> {
        let w = design.weights();
        let mut leaf = vec![0.0; self.n_leaves];
        for &k in rows {
            leaf[self.leaf_of_row[k] as usize] += w[k] * z[k];
        }
        if let Some(r) = self.calibration {
            if r.unit_wx.n_rows() != self.n_leaves {
                return Err(Error::Internal("calibration unit totals not attached".into()));
            }
            let b = r.coefficients(rows.iter().map(|&k| (k, w[k] * z[k])));
            for (l, tl) in leaf.iter_mut().enumerate() {
                *tl -= r.unit_wx.dot(l, b.as_slice());
            }
        }
        Ok(leaf)
    }
}
