//! The linearization variance engine.
//!
//! Input: influence values z_k of an estimator (per row; 0 outside its domain). Row
//! contributions are u_k = w_k z_k with the design's analysis weights (R `survey`'s
//! `x / design$prob`). Calibration steps replace u by residuals ([`super::calibration`]);
//! then:
//!
//! # Formula
//! Stratified multistage variance (R `survey`'s `svyrecvar` / `multistage` / `onestrat`):
//! with t_hi the totals of u over stage-1 unit i of stratum h,
//! `V₁ = Σ_h f_h n_h/(n_h − 1) Σ_i (t_hi − t̄_h)²`, f_h = 1 − n_h/N_h (1 without fpc; a
//! stratum with f_h < 1e-7 is self-representing and contributes 0). When stage s has an fpc
//! and a later stage exists, each stage-s unit adds `(n_h/N_h) · V_{s+1}` computed within it,
//! recursively (Bellhouse's recursion, `survey.ultimate.cluster = FALSE`).
//! Lonely PSUs follow [`LonelyPsu`]. With [`PpsVariance::Poisson`]:
//! `V = Σ_k (1 − π_k) u_k²`.
//!
//! Domains never subset the design: a domain's influence values are zero outside it and the
//! full design (all PSUs, n_h on the full sample) is used, which is what R `svyby` does.

use rayon::prelude::*;

use crate::design::{Design, LonelyPsu, PpsVariance};
use crate::error::{Error, Result};

use super::calibration::{PreparedCalibration, RegressionResiduals};

/// Marks a row that belongs to no group in [`Design::grouped_variances`].
pub const NO_GROUP: u32 = u32::MAX;

impl Design {
    /// Linearization variance of `Σ_k w_k z_k` (influence values `z`, all rows).
    ///
    /// # Errors
    /// Wrong length; a lonely PSU under `lonely_psu: fail` (names the stratum).
    pub fn variance(&self, z: &[f64]) -> Result<f64> {
        let group = vec![0u32; self.n];
        Ok(self.grouped_variances(z, &group, 1)?[0])
    }

    /// Variances of several estimates at once, each with its own rows: `z[k]` is the
    /// influence value of row k for estimate `group[k]` ([`NO_GROUP`] = none). This is how
    /// all domains of one estimator are done in one pass (rows of different domains are
    /// disjoint); each group's variance is computed on the full design.
    ///
    /// Deterministic whatever the thread count (groups are independent; results in order).
    ///
    /// # Errors
    /// As [`Design::variance`].
    pub fn grouped_variances(&self, z: &[f64], group: &[u32], n_groups: usize) -> Result<Vec<f64>> {
        if z.len() != self.n || group.len() != self.n {
            return Err(Error::Internal(format!(
                "variance: {} influence values / {} groups for {} rows",
                z.len(),
                group.len(),
                self.n
            )));
        }
        let rows = bucket_rows(group, n_groups);
        let fast = FastPath::new(self);
        (0..n_groups)
            .into_par_iter()
            .map(|g| {
                let present = self.strata_present(&rows[g]);
                match &fast {
                    Some(fp) => fp.variance(self, z, &rows[g], present.as_deref()),
                    None => self.row_level_variance(z, &rows[g], present.as_deref()),
                }
            })
            .collect()
    }

    /// Stage-1 strata holding at least one of `rows`, when that matters: under
    /// `lonely_psu: average` on a design without calibration. R `survey` estimates a domain
    /// (or drops missing values) on a design *subset*, which keeps only the domain's rows, so
    /// `onestage` averages over the strata of the domain only: a lonely stratum without
    /// domain rows neither counts as lonely nor as a stratum. Calibrated designs are subset
    /// by zero weights (all rows kept), so every stratum counts there (`None`).
    fn strata_present(&self, rows: &[usize]) -> Option<Vec<bool>> {
        if self.lonely_psu != LonelyPsu::Average || !self.calibration.is_empty() {
            return None;
        }
        let st = &self.stages[0];
        let mut present = vec![false; st.n_strata()];
        for &k in rows {
            present[st.stratum_of_unit[st.unit_of_row[k] as usize] as usize] = true;
        }
        Some(present)
    }

    /// General path: dense contributions, calibration residuals row by row, then the stage
    /// recursion (or the Poisson formula).
    fn row_level_variance(
        &self,
        z: &[f64],
        rows: &[usize],
        present: Option<&[bool]>,
    ) -> Result<f64> {
        let mut u = vec![0.0; self.n];
        for &k in rows {
            u[k] = self.weights[k] * z[k];
        }
        for step in &self.calibration {
            step.adjust_rows(&mut u);
        }
        if self.pps == PpsVariance::Poisson {
            let pi =
                self.pi.as_ref().ok_or_else(|| Error::Internal("poisson without pi".into()))?;
            return Ok(u.iter().zip(pi).map(|(uk, p)| (1.0 - p) * uk * uk).sum());
        }
        let last = self.stages.len() - 1;
        let mut leaf = vec![0.0; self.stages[last].n_units];
        for (k, &uk) in u.iter().enumerate() {
            leaf[self.stages[last].unit_of_row[k] as usize] += uk;
        }
        self.multistage(leaf, present)
    }

    /// Stratified multistage variance from the totals of the last-stage units. `present`
    /// (see [`Design::strata_present`]): the stage-1 strata `lonely_psu: average` counts;
    /// `None` = all.
    pub(crate) fn multistage(&self, leaf: Vec<f64>, present: Option<&[bool]>) -> Result<f64> {
        let ns = self.stages.len();
        let mut totals: Vec<Vec<f64>> = vec![Vec::new(); ns];
        totals[ns - 1] = leaf;
        for s in (1..ns).rev() {
            let mut up = vec![0.0; self.stages[s - 1].n_units];
            for (j, &t) in totals[s].iter().enumerate() {
                up[self.stages[s].parent_of_unit[j] as usize] += t;
            }
            totals[s - 1] = up;
        }
        let mut mult = vec![1.0; self.stages[0].n_strata()];
        let mut v = self.one_stage(0, &totals[0], &mult, present)?;
        for (s, t) in totals.iter().enumerate().skip(1) {
            let prev = &self.stages[s - 1];
            let Some(frac) = &prev.stratum_fraction else { break };
            // the stratum of a stage-s unit is its parent (a stage-(s-1) unit)
            let next_mult: Vec<f64> = (0..prev.n_units)
                .map(|p| {
                    let h = prev.stratum_of_unit[p] as usize;
                    mult[h] * frac[h]
                })
                .collect();
            mult = next_mult;
            v += self.one_stage(s, t, &mult, None)?;
        }
        Ok(v)
    }

    /// One stage: Σ_h mult_h · onestrat_h, with R's lonely-PSU rules (`onestrat`):
    /// - `adjust`: the lonely unit's total is *not* centred, i.e. centred at 0, the
    ///   population mean of an influence function. R documents this as centring "at the
    ///   population mean rather than the stratum mean"; for a mean or ratio (influence
    ///   values summing to 0) it is the grand mean of the PSU totals, for a total it is not.
    /// - `average`: strata with one unit are dropped and the sum scaled by
    ///   #strata / #strata with ≥ 2 units, counting only the strata in `present`.
    fn one_stage(
        &self,
        s: usize,
        t: &[f64],
        mult: &[f64],
        present: Option<&[bool]>,
    ) -> Result<f64> {
        let st = &self.stages[s];
        let nh = st.n_strata();
        let mut sum = vec![0.0; nh];
        for (i, &ti) in t.iter().enumerate() {
            sum[st.stratum_of_unit[i] as usize] += ti;
        }
        let mut ss = vec![0.0; nh];
        for (i, &ti) in t.iter().enumerate() {
            let h = st.stratum_of_unit[i] as usize;
            let d = ti - sum[h] / st.stratum_n[h] as f64;
            ss[h] += d * d;
        }
        let mut v = 0.0;
        let mut lonely_average = 0usize;
        let n_counted = present.map_or(nh, |p| p.iter().filter(|&&x| x).count());
        for h in 0..nh {
            if present.is_some_and(|p| !p[h]) {
                continue; // no row of this domain: R's subset has no such stratum
            }
            let f = st.fpc_factor(h);
            if f < 1e-7 || mult[h] == 0.0 {
                continue; // self-representing stratum (or no weight at this stage)
            }
            let n = st.stratum_n[h] as f64;
            if n > 1.0 {
                v += mult[h] * f * n / (n - 1.0) * ss[h];
                continue;
            }
            match self.lonely_psu {
                LonelyPsu::Fail => return Err(lonely_error(st.stratum_labels[h].as_str(), s)),
                LonelyPsu::Remove | LonelyPsu::Certainty => {}
                LonelyPsu::Adjust => v += mult[h] * f * sum[h] * sum[h],
                LonelyPsu::Average if s == 0 => lonely_average += 1,
                LonelyPsu::Average => {
                    return Err(Error::method(
                        "variance",
                        format!(
                            "`{}` has a single sampled unit at stage {}: lonely_psu: average is \
                             undefined below stage 1 (R survey returns NA); use adjust, remove \
                             or certainty",
                            st.stratum_labels[h],
                            s + 1
                        ),
                    ));
                }
            }
        }
        if lonely_average > 0 {
            if lonely_average == n_counted {
                return Err(Error::method(
                    "variance",
                    "every stratum has a single PSU: lonely_psu: average has nothing to average; \
                     use adjust or merge strata",
                ));
            }
            v *= n_counted as f64 / (n_counted - lonely_average) as f64;
        }
        Ok(v)
    }
}

fn lonely_error(stratum: &str, s: usize) -> Error {
    Error::method(
        "variance",
        format!(
            "stratum `{stratum}` has only one PSU at stage {} (lonely PSU) and lonely_psu is \
             `fail`: merge it with a similar stratum or choose a policy among {}",
            s + 1,
            LonelyPsu::NAMES
        ),
    )
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
    fn new(design: &'a Design) -> Option<FastPath<'a>> {
        if design.pps == PpsVariance::Poisson || design.calibration.len() > 1 {
            return None;
        }
        let last = design.stages.last()?;
        let calibration = match design.calibration.first() {
            None => None,
            Some(PreparedCalibration::Rake(_)) => return None,
            Some(PreparedCalibration::Regression(r)) => Some(&**r),
        };
        Some(FastPath { leaf_of_row: &last.unit_of_row, n_leaves: last.n_units, calibration })
    }

    fn variance(
        &self,
        design: &Design,
        z: &[f64],
        rows: &[usize],
        present: Option<&[bool]>,
    ) -> Result<f64> {
        let mut leaf = vec![0.0; self.n_leaves];
        for &k in rows {
            leaf[self.leaf_of_row[k] as usize] += design.weights[k] * z[k];
        }
        if let Some(r) = self.calibration {
            if r.unit_wx.n_rows() != self.n_leaves {
                return Err(Error::Internal("calibration unit totals not attached".into()));
            }
            let b = r.coefficients(rows.iter().map(|&k| (k, design.weights[k] * z[k])));
            for (l, tl) in leaf.iter_mut().enumerate() {
                *tl -= r.unit_wx.dot(l, b.as_slice());
            }
        }
        design.multistage(leaf, present)
    }
}
