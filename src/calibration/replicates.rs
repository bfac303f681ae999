//! Calibration of replicate weight columns: each column is calibrated from its own
//! starting weights to the same margins (so replicate variance reflects the calibration).
//!
//! When the solve is cell-collapsed (categorical margins and the total only), the cell of
//! each row depends on the margins' codes alone, the same for every replicate: it is
//! computed once ([`SharedCells`]). Each replicate then only sums its weights per cell
//! (in the same fixed row blocks as [`super::cells::collapse`], so the sums are
//! bit-identical), keeps the cells of positive weight (in the same increasing key order),
//! solves on them and maps g back to the rows.

use std::borrow::Cow;

use rayon::prelude::*;

use super::cells::{NO_CELL, blocked_sums, collapse};
use super::columns::{CellStats, Columns};
use super::distance::AnyDistance;
use super::margin::Margin;
use super::options::{Algorithm, Options, SolveOn};
use super::problem::Problem;
use super::solve::{Calibration, calibrate_units, calibrate_weights, prepare};
use crate::data::Factor;
use crate::{Error, Result};

/// What the weight checks call a replicate's starting weights (after the `replicate r: `
/// prefix every error of that replicate gets).
const WHAT: &str = "input weights";

/// Calibrates every replicate column (in parallel; results in input order).
///
/// # Errors
/// The first failing replicate (in column order), its message prefixed by `replicate r: `
/// (r 1-based), its kind kept.
pub fn calibrate_replicates(
    problem: &Problem,
    replicate_weights: &[Vec<f64>],
    options: &Options,
) -> Result<Vec<Calibration>> {
    let shared = match options.solve_on {
        SolveOn::Rows => None,
        SolveOn::Auto | SolveOn::Cells => SharedCells::new(problem),
    };
    let prepared = match &shared {
        Some(_) => Some(prepare(problem, options)?),
        None => None,
    };
    let results: Vec<Result<Calibration>> = replicate_weights
        .par_iter()
        .enumerate()
        .map(|(r, d)| {
            calibrate_one(problem, d, options, shared.as_ref().zip(prepared.as_ref()))
                .map_err(|e| e.prefixed(&format!("replicate {}: ", r + 1)))
        })
        .collect();
    results.into_iter().collect()
}

/// Calibrates one replicate column `d` (on the shared cells when given); errors name no
/// replicate (the caller prefixes them).
fn calibrate_one(
    problem: &Problem,
    d: &[f64],
    options: &Options,
    shared: Option<(&SharedCells, &(AnyDistance, Algorithm))>,
) -> Result<Calibration> {
    if d.len() != problem.n_rows() {
        return Err(Error::method(
            "calibration",
            format!("the weight column has {} rows, the data {}", d.len(), problem.n_rows()),
        ));
    }
    match shared {
        Some((sh, (dist, algorithm))) => sh.calibrate(problem, d, options, (dist, *algorithm)),
        None => {
            problem.check_weights(d, WHAT).and_then(|()| calibrate_weights(problem, d, options))
        }
    }
}

/// The cells of every row that could carry weight (all codes present), shared by the
/// replicates.
struct SharedCells {
    /// Cells in increasing key order, with their codes (weights unused).
    cells: Columns<'static>,
    /// Cell of each row ([`NO_CELL`] when a code is missing).
    row_cell: Vec<u32>,
}

impl SharedCells {
    /// `None` when the problem does not collapse to cells (a numeric margin).
    fn new(problem: &Problem) -> Option<SharedCells> {
        if !problem.all_categorical() {
            return None;
        }
        let n = problem.n_rows();
        // Indicator weights: every row with all codes present opens its cell, so the cells
        // of any replicate are a subset, numbered in the same (key) order.
        let mut ind = vec![1.0; n];
        for m in &problem.margins {
            if let Margin::Categorical { factor, .. } = m {
                for (w, &c) in ind.iter_mut().zip(&factor.codes) {
                    if c == Factor::MISSING {
                        *w = 0.0;
                    }
                }
            }
        }
        let rows = problem.columns(&ind);
        let (cells, map) = collapse(&rows)?;
        let row_cell = (0..n).map(|k| map.cell(k)).collect();
        Some(SharedCells { cells, row_cell })
    }

    /// Calibrates one replicate column `d`.
    fn calibrate(
        &self,
        problem: &Problem,
        d: &[f64],
        options: &Options,
        prepared: (&AnyDistance, Algorithm),
    ) -> Result<Calibration> {
        let row_cell = &self.row_cell;
        // A weight that is negative / not finite, or positive on a row in no cell (a missing
        // code): the full check builds the message.
        let bad = d
            .iter()
            .zip(row_cell)
            .any(|(&w, &c)| !(w.is_finite() && w >= 0.0) || (w > 0.0 && c == NO_CELL));
        if bad {
            return Err(self.check_failed(problem, d));
        }
        let n_all = self.cells.len();
        let sums =
            blocked_sums(d.len(), n_all, |k| (d[k] > 0.0).then_some(row_cell[k] as usize), d);
        // Cells of positive weight, in key order (as `collapse` of this replicate).
        let mut compact = vec![NO_CELL; n_all];
        let mut kept = Vec::with_capacity(n_all);
        for (c, s) in sums.iter().enumerate() {
            if s[2] > 0.0 {
                compact[c] = kept.len() as u32;
                kept.push(c);
            }
        }
        if kept.is_empty() || !self.levels_present(problem, &kept) {
            return Err(self.check_failed(problem, d));
        }
        let cats = self
            .cells
            .cats
            .iter()
            .map(|(off, codes)| (*off, Cow::Owned(kept.iter().map(|&c| codes[c]).collect())))
            .collect();
        let units = Columns {
            d: Cow::Owned(kept.iter().map(|&c| sums[c][0]).collect()),
            cats,
            nums: Vec::new(),
            intercept: self.cells.intercept,
            p: self.cells.p,
            stats: Some(CellStats {
                count: kept.iter().map(|&c| sums[c][2]).collect(),
                d2: kept.iter().map(|&c| sums[c][1]).collect(),
            }),
        };
        let to_rows = |g: &[f64]| -> Vec<f64> {
            d.iter()
                .zip(row_cell)
                .map(|(&w, &c)| if w > 0.0 { w * g[compact[c as usize] as usize] } else { 0.0 })
                .collect()
        };
        calibrate_units(problem, d, options, prepared, &units, &to_rows)
    }

    /// Every category with a positive target holds a kept cell (a row of positive weight).
    fn levels_present(&self, problem: &Problem, kept: &[usize]) -> bool {
        let cat_margins =
            problem.margins.iter().filter(|m| matches!(m, Margin::Categorical { .. }));
        cat_margins.zip(&self.cells.cats).all(|(m, (_, codes))| {
            let Margin::Categorical { targets, .. } = m else { return true };
            let mut present = vec![false; targets.len()];
            for &c in kept {
                if let Some(p) = present.get_mut(codes[c] as usize) {
                    *p = true;
                }
            }
            present.iter().zip(targets).all(|(&p, &t)| p || t <= 0.0)
        })
    }

    /// The error of the full weight check, which the quick checks showed must fail.
    fn check_failed(&self, problem: &Problem, d: &[f64]) -> Error {
        match problem.check_weights(d, WHAT) {
            Err(e) => e,
            Ok(()) => Error::Internal(
                "the replicate weight pre-check failed but the full check passed".into(),
            ),
        }
    }
}
