//! Narrowest bounds on g for which the margins can be met.
//!
//! # Formula
//! min U − L subject to Σ_k d_k g_k x_k = X, L ≤ g_k ≤ U, L ≤ 1 ≤ U (a linear programme).
//! Substituting g_k = L + s_k, 0 ≤ s_k ≤ W = U − L, feasibility for a given width W is a
//! phase-1 LP in (s, L) with L ∈ [1 − W, 1]; it is monotone in W, so W* is found by
//! bisection. On cells (categorical margins) the LP has one variable per cell: any row-level
//! solution can be averaged within cells (d-weighted) without leaving [L, U].

use super::cells::collapse;
use super::columns::Columns;
use super::distance::Bounds;
use super::problem::Problem;
use super::simplex::{Lp, PhaseOne, SparseCol, phase_one};
use crate::Result;
use crate::tolerance as tol;

/// Largest LP (nonzeros of the constraint matrix) attempted automatically.
pub const MAX_LP_NONZEROS: usize = 4_000_000;
/// Widest interval tried before declaring the margins contradictory.
const MAX_WIDTH: f64 = 1e6;

/// Result of [`narrowest_bounds`].
#[derive(Debug, Clone, PartialEq)]
pub enum NarrowestBounds {
    /// The narrowest feasible [lower, upper] (lower ≤ 1 ≤ upper), and a slightly wider
    /// interval (5% of the width on each side) with lower < 1 < upper to use as `bounds`.
    Feasible {
        /// Narrowest feasible lower bound L ≤ 1.
        lower: f64,
        /// Narrowest feasible upper bound U ≥ 1.
        upper: f64,
        /// [L, U] widened by 5 % of its width on each side.
        suggested: Bounds,
    },
    /// No g at all (any bounds, any sign) meets the margins.
    Infeasible,
    /// Not attempted: the LP would have more than [`MAX_LP_NONZEROS`] nonzeros.
    TooLarge {
        /// Rows of the problem.
        units: usize,
    },
}

/// Narrowest bounds [L, U] on g = w/d (with L ≤ 1 ≤ U) for which Σ w x = X is feasible.
///
/// # Errors
/// None at present (kept fallible so another LP solver can be plugged in).
pub fn narrowest_bounds(problem: &Problem) -> Result<NarrowestBounds> {
    narrowest_bounds_with_weights(problem, &problem.weights)
}

pub(crate) fn narrowest_bounds_with_weights(
    problem: &Problem,
    d: &[f64],
) -> Result<NarrowestBounds> {
    let rows = problem.columns(d);
    let collapsed = collapse(&rows);
    let units: &Columns<'_> = collapsed.as_ref().map_or(&rows, |c| &c.0);
    let active: Vec<usize> = (0..units.len()).filter(|&k| units.d[k] > 0.0).collect();
    if active.len() * (units.width() + 1) > MAX_LP_NONZEROS {
        return Ok(NarrowestBounds::TooLarge { units: active.len() });
    }
    let scale: Vec<f64> = problem.targets.iter().map(|x| 1.0 / (1.0 + x.abs())).collect();
    let b: Vec<f64> = problem.targets.iter().zip(&scale).map(|(x, s)| x * s).collect();
    let mut cols: Vec<SparseCol> = active
        .iter()
        .map(|&k| {
            units.sparse(k).into_iter().map(|(i, v)| (i, v * units.d[k] * scale[i])).collect()
        })
        .collect();
    let mut sum = vec![0.0; b.len()];
    for col in &cols {
        for &(i, v) in col {
            sum[i] += v;
        }
    }
    cols.push(sum.iter().enumerate().filter(|(_, v)| **v != 0.0).map(|(i, v)| (i, *v)).collect());
    let search = Search { cols: &cols, b: &b };
    Ok(search.run())
}

struct Search<'a> {
    cols: &'a [SparseCol],
    b: &'a [f64],
}

impl Search<'_> {
    /// L of a feasible point with width `w`, if any.
    fn feasible(&self, w: f64) -> Option<f64> {
        let n = self.cols.len();
        let mut lower = vec![0.0; n];
        let mut upper = vec![w; n];
        lower[n - 1] = 1.0 - w;
        upper[n - 1] = 1.0;
        let lp = Lp { cols: self.cols, b: self.b, lower: &lower, upper: &upper };
        let max_pivots = 20 * (n + self.b.len()) + 1000;
        match phase_one(&lp, tol::BOUNDS_FEASIBLE, max_pivots) {
            PhaseOne::Feasible(x) => Some(x[n - 1]),
            PhaseOne::Infeasible => None,
        }
    }

    fn run(&self) -> NarrowestBounds {
        if let Some(l) = self.feasible(0.0) {
            return feasible(l, 0.0);
        }
        let (mut lo, mut hi) = (0.0, 1.0);
        let mut at_hi = self.feasible(hi);
        while at_hi.is_none() {
            lo = hi;
            hi *= 2.0;
            if hi > MAX_WIDTH {
                return NarrowestBounds::Infeasible;
            }
            at_hi = self.feasible(hi);
        }
        let mut l_hi = at_hi.unwrap_or(1.0);
        while hi - lo > tol::BOUNDS_WIDTH_RTOL * hi {
            let mid = 0.5 * (lo + hi);
            match self.feasible(mid) {
                Some(l) => {
                    hi = mid;
                    l_hi = l;
                }
                None => lo = mid,
            }
        }
        feasible(l_hi, hi)
    }
}

fn feasible(lower: f64, width: f64) -> NarrowestBounds {
    let upper = lower + width;
    let pad = 0.05 * width.max(0.1);
    let suggested =
        Bounds { lower: (lower - pad).min(1.0 - pad), upper: (upper + pad).max(1.0 + pad) };
    NarrowestBounds::Feasible { lower, upper, suggested }
}
