//! CALMAR-style calibration report: margins before/after, iteration log, distribution of g,
//! units at the bounds, weighting design effect.

use crate::tolerance as tol;
use serde::Serialize;

use super::distance::{Bounds, Method};
use super::margin::{Margin, MarginKind};
use super::problem::{Problem, TargetAdjustment};

/// Probabilities of the reported quantiles of g.
pub const G_QUANTILES: [f64; 9] = [0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0];

/// Why the iterations stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Termination {
    /// The stopping rule holds.
    Converged,
    /// `max_iterations` reached first.
    MaxIterations,
    /// No step along the Newton direction reduced the misfit (after 30 halvings).
    NoProgress,
    /// The Newton step is zero while the misfit is not (constraints out of reach).
    SingularJacobian,
}

impl std::fmt::Display for Termination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Termination::Converged => "converged",
            Termination::MaxIterations => "stopped at max_iterations",
            Termination::NoProgress => "no step along the Newton direction reduced the misfit",
            Termination::SingularJacobian => {
                "the Newton step vanished (the constraints left are saturated at the bounds)"
            }
        })
    }
}

/// One iteration of the solver.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IterationLog {
    /// 0 = starting point.
    pub iteration: usize,
    /// max_j |Σ w x_j − X_j| / (1 + |X_j|) after the iteration.
    pub max_misfit: f64,
    /// Fraction of the Newton step taken (1 = full step; 0.5ᵏ after k halvings).
    pub step: f64,
    /// Numerical rank of the Jacobian used for the step.
    pub rank: usize,
    /// max |Δg| of the iteration (CALMAR rule and IPF).
    pub g_change: Option<f64>,
}

/// One constraint of a margin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryReport {
    /// Category label (None for numeric margins and the total).
    pub category: Option<String>,
    /// Σ d x (input weights).
    pub before: f64,
    /// Target X.
    pub target: f64,
    /// Σ w x (calibrated weights).
    pub after: f64,
    /// after − target.
    pub error: f64,
    /// |after − target| / (1 + |target|) (the stopping rule's measure).
    pub relative_error: f64,
}

/// One margin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MarginReport {
    /// Margin name.
    pub name: String,
    /// Kind.
    pub kind: MarginKind,
    /// Its constraints.
    pub categories: Vec<CategoryReport>,
}

/// Distribution of g = w/d over rows with d > 0 (type-7 quantiles, as R's default).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GDistribution {
    /// Smallest g.
    pub min: f64,
    /// 1st percentile.
    pub p1: f64,
    /// 5th percentile.
    pub p5: f64,
    /// First quartile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// Third quartile.
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Largest g.
    pub max: f64,
}

/// The calibration report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Distance.
    pub method: Method,
    /// Bounds on g.
    pub bounds: Option<Bounds>,
    /// `newton`, `ipf` or `post_stratification`.
    pub algorithm: &'static str,
    /// `cells` or `rows`.
    pub solved_on: &'static str,
    /// Units of the solve (cells or rows of positive weight).
    pub n_units: usize,
    /// Rows.
    pub n_rows: usize,
    /// Rows with positive input weight.
    pub n_positive: usize,
    /// Iterations (Newton steps or IPF sweeps).
    pub iterations: usize,
    /// Whether the stopping rule holds.
    pub converged: bool,
    /// Why the iterations stopped.
    pub termination: Termination,
    /// Final max_j |Σ w x_j − X_j| / (1 + |X_j|).
    pub max_misfit: f64,
    /// Margins before/after.
    pub margins: Vec<MarginReport>,
    /// Distribution of g over rows with d > 0.
    pub g: GDistribution,
    /// Rows with g at the lower bound (within [`tol::AT_BOUND_RTOL`]).
    pub at_lower_bound: usize,
    /// Rows with g at the upper bound.
    pub at_upper_bound: usize,
    /// Kish's weighting design effect 1 + CV²(w) = n Σw² / (Σw)² over rows with w > 0
    /// (CV with divisor n).
    pub design_effect: f64,
    /// Margins rescaled to the common population total.
    pub target_adjustments: Vec<TargetAdjustment>,
    /// Per iteration.
    pub iteration_log: Vec<IterationLog>,
}

/// g of solve units with their row counts and weight sums.
pub(crate) struct UnitG<'a> {
    pub g: &'a [f64],
    /// Input weight of the unit (Σd for a cell).
    pub d: &'a [f64],
    /// Rows per unit (None: one row per unit).
    pub count: Option<&'a [f64]>,
    /// Σd² per unit (None: d²).
    pub d2: Option<&'a [f64]>,
}

impl UnitG<'_> {
    fn count(&self, k: usize) -> f64 {
        self.count.map_or(1.0, |c| c[k])
    }
    fn d2(&self, k: usize) -> f64 {
        self.d2.map_or(self.d[k] * self.d[k], |c| c[k])
    }
}

/// Margin reports from the parameter totals.
pub(crate) fn margin_reports(
    problem: &Problem,
    before: &[f64],
    after: &[f64],
) -> Vec<MarginReport> {
    let tg = &problem.targets;
    problem
        .margins
        .iter()
        .zip(&problem.offsets)
        .map(|(m, &off)| {
            let labels: Vec<Option<String>> = match m {
                Margin::Categorical { factor, .. } => {
                    factor.levels.iter().cloned().map(Some).collect()
                }
                _ => vec![None],
            };
            let categories = labels
                .into_iter()
                .enumerate()
                .map(|(l, category)| CategoryReport {
                    category,
                    before: before[off + l],
                    target: tg[off + l],
                    after: after[off + l],
                    error: after[off + l] - tg[off + l],
                    relative_error: (after[off + l] - tg[off + l]).abs()
                        / (1.0 + tg[off + l].abs()),
                })
                .collect();
            MarginReport { name: m.name().to_string(), kind: m.kind(), categories }
        })
        .collect()
}

/// Type-7 quantiles of g over rows (units weighted by their row counts).
pub(crate) fn g_distribution(units: &UnitG<'_>) -> GDistribution {
    let q: Vec<f64> = match units.count {
        Some(_) => {
            let mut pairs: Vec<(f64, f64)> = (0..units.g.len())
                .filter(|&k| units.d[k] > 0.0)
                .map(|k| (units.g[k], units.count(k)))
                .collect();
            weighted_quantiles(&mut pairs)
        }
        None => {
            let mut v: Vec<f64> =
                units.g.iter().zip(units.d).filter(|(_, d)| **d > 0.0).map(|(g, _)| *g).collect();
            row_quantiles(&mut v)
        }
    };
    GDistribution {
        min: q[0],
        p1: q[1],
        p5: q[2],
        p25: q[3],
        p50: q[4],
        p75: q[5],
        p95: q[6],
        p99: q[7],
        max: q[8],
    }
}

/// Type-7 quantiles of unweighted values by multiple selection (O(n log k), no full sort:
/// this runs on millions of rows when a numeric margin prevents the cell solve).
fn row_quantiles(v: &mut [f64]) -> Vec<f64> {
    let n = v.len();
    if n == 0 {
        return vec![f64::NAN; G_QUANTILES.len()];
    }
    let mut pos: Vec<usize> = G_QUANTILES
        .iter()
        .flat_map(|&p| {
            let lo = ((n - 1) as f64 * p).floor() as usize;
            [lo, (lo + 1).min(n - 1)]
        })
        .collect();
    pos.sort_unstable();
    pos.dedup();
    multi_select(v, 0, &pos);
    G_QUANTILES
        .iter()
        .map(|&p| {
            let h = (n - 1) as f64 * p;
            let lo = h.floor() as usize;
            let a = v[lo];
            if h == lo as f64 { a } else { a + (h - lo as f64) * (v[(lo + 1).min(n - 1)] - a) }
        })
        .collect()
}

/// Places the order statistics at `pos` (sorted, relative to the full slice, offset `base`)
/// of `v` at their positions.
fn multi_select(v: &mut [f64], base: usize, pos: &[usize]) {
    if pos.is_empty() || v.is_empty() {
        return;
    }
    let mid = pos.len() / 2;
    let j = pos[mid] - base;
    v.select_nth_unstable_by(j, f64::total_cmp);
    let (left, right) = v.split_at_mut(j);
    multi_select(left, base, &pos[..mid]);
    multi_select(&mut right[1..], base + j + 1, &pos[mid + 1..]);
}

/// Type-7 quantiles of values repeated `count` times, by multiple selection (O(n log k)):
/// order statistic j is the value whose cumulative count range [c, c + count) holds j, as in
/// a full sort (counts are whole numbers, so the cumulative sums are exact).
fn weighted_quantiles(pairs: &mut [(f64, f64)]) -> Vec<f64> {
    let n: f64 = pairs.iter().map(|p| p.1).sum();
    if n == 0.0 {
        return vec![f64::NAN; G_QUANTILES.len()];
    }
    let mut ranks: Vec<f64> = G_QUANTILES
        .iter()
        .flat_map(|&p| {
            let lo = ((n - 1.0) * p).floor();
            [lo, lo + 1.0]
        })
        .filter(|&j| j < n)
        .collect();
    ranks.sort_by(f64::total_cmp);
    ranks.dedup();
    let mut stats = vec![f64::NAN; ranks.len()];
    weighted_select(pairs, 0.0, &ranks, &mut stats);
    let at = |j: f64| ranks.iter().position(|&r| r == j).map_or(f64::NAN, |i| stats[i]);
    G_QUANTILES
        .iter()
        .map(|&p| {
            let h = (n - 1.0) * p;
            let lo = h.floor();
            let a = at(lo);
            if h == lo { a } else { a + (h - lo) * (at(lo + 1.0) - a) }
        })
        .collect()
}

/// Writes into `out` the order statistics at `ranks` (sorted, counted from `base`, the
/// count of the values before this slice) of the (value, count) pairs `v`.
fn weighted_select(v: &mut [(f64, f64)], base: f64, ranks: &[f64], out: &mut [f64]) {
    if ranks.is_empty() || v.is_empty() {
        return;
    }
    let cmp = |a: &(f64, f64), b: &(f64, f64)| a.0.total_cmp(&b.0);
    if v.len() <= 16 {
        v.sort_unstable_by(cmp);
        let (mut cum, mut r) = (base, 0);
        for &(x, c) in v.iter() {
            cum += c;
            while r < ranks.len() && ranks[r] < cum {
                out[r] = x;
                r += 1;
            }
        }
        return;
    }
    let mid = v.len() / 2;
    v.select_nth_unstable_by(mid, cmp);
    let (left, rest) = v.split_at_mut(mid);
    let (pivot, pivot_count) = rest[0];
    let left_count: f64 = left.iter().map(|p| p.1).sum();
    let a = ranks.partition_point(|&j| j < base + left_count);
    let b = ranks.partition_point(|&j| j < base + left_count + pivot_count);
    let (out_left, out_rest) = out.split_at_mut(a);
    let (out_pivot, out_right) = out_rest.split_at_mut(b - a);
    weighted_select(left, base, &ranks[..a], out_left);
    out_pivot.fill(pivot);
    weighted_select(&mut rest[1..], base + left_count + pivot_count, &ranks[b..], out_right);
}

/// (rows at the lower bound, rows at the upper bound).
pub(crate) fn at_bounds(units: &UnitG<'_>, bounds: Option<Bounds>) -> (usize, usize) {
    let Some(b) = bounds else { return (0, 0) };
    let near =
        |g: f64, x: f64| x.is_finite() && (g - x).abs() <= tol::AT_BOUND_RTOL * x.abs().max(1.0);
    let (mut lo, mut hi) = (0.0, 0.0);
    for k in 0..units.g.len() {
        if units.d[k] > 0.0 {
            if near(units.g[k], b.lower) {
                lo += units.count(k);
            } else if near(units.g[k], b.upper) {
                hi += units.count(k);
            }
        }
    }
    (lo as usize, hi as usize)
}

/// n Σw² / (Σw)² over rows with w > 0.
pub(crate) fn design_effect(units: &UnitG<'_>) -> f64 {
    let (mut n, mut s1, mut s2) = (0.0, 0.0, 0.0);
    for k in 0..units.g.len() {
        let g = units.g[k];
        if units.d[k] > 0.0 && g > 0.0 {
            n += units.count(k);
            s1 += g * units.d[k];
            s2 += g * g * units.d2(k);
        }
    }
    n * s2 / (s1 * s1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Type-7 quantiles of the expanded values, by a full sort.
    fn expanded(pairs: &[(f64, f64)]) -> Vec<f64> {
        let mut v: Vec<f64> =
            pairs.iter().flat_map(|&(x, c)| std::iter::repeat_n(x, c as usize)).collect();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        G_QUANTILES
            .iter()
            .map(|&p| {
                let h = (n - 1) as f64 * p;
                let lo = h.floor() as usize;
                let a = v[lo];
                if h == lo as f64 { a } else { a + (h - lo as f64) * (v[lo + 1] - a) }
            })
            .collect()
    }

    #[test]
    fn weighted_selection_matches_the_expanded_sort() {
        let mut state = 12345u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            state >> 33
        };
        for len in [1usize, 2, 5, 17, 40, 333, 2000] {
            let mut pairs: Vec<(f64, f64)> =
                (0..len).map(|_| ((next() % 50) as f64 / 7.0, (1 + next() % 4) as f64)).collect();
            let want = expanded(&pairs);
            let got = weighted_quantiles(&mut pairs);
            assert_eq!(got, want, "len {len}");
        }
    }
}
