//! Rao–Scott tests of independence in a two-way table (R `svychisq`, statistics "F" and
//! "Chisq"; Rao & Scott 1984).
//!
//! # Formulas
//! With N the number of rows, the weighted table scaled to total N and its Pearson X²;
//! p̂ the design-based cell proportions (`svymean` of the cell indicators, rows of the
//! first variable varying fastest) with design covariance V; C the interaction columns of
//! the saturated model on the cells, residualized on the main effects (unweighted); D =
//! diag(p̂) (D⁻ with 0 for empty cells):
//! `Δ = (Cᵀ D⁻ C / N)⁻¹ (Cᵀ D⁻ V D⁻ C)`.
//! - "F" (second order, R's default): `F = X² / tr Δ` on
//!   `(d₀, d₀ ν)`, `d₀ = (tr Δ)² / tr(Δ²)`, ν = #PSU − #strata of the whole design
//!   (replicates: the replicate df).
//! - "Chisq" (first order): p-value of `X² / mean(diag Δ)` on (r − 1)(c − 1) df. As R
//!   `survey` 4.1 does, the statistic reported is the *unadjusted* Pearson X²; the adjusted
//!   one is [`ChisqTest::adjusted`].

use nalgebra::DMatrix;
use rayon::prelude::*;

use crate::data::Factor;
use crate::error::{Error, Result};

use super::engine::replicate_covariance;
use super::stats::{chisq_upper, f_upper};
use super::{STEP, Variance};

/// Which Rao–Scott statistic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChisqStatistic {
    /// Second-order correction, F with fractional df (R's default).
    #[default]
    F,
    /// First-order correction, χ².
    Chisq,
}

/// Result of a Rao–Scott test.
#[derive(Debug, Clone, PartialEq)]
pub struct ChisqTest {
    /// The statistic R reports: F, or for "Chisq" the unadjusted Pearson X².
    pub statistic: f64,
    /// The statistic the p-value is computed from: F, or X² / mean(diag Δ).
    pub adjusted: f64,
    /// Numerator df (d₀ for F, (r − 1)(c − 1) for χ²).
    pub df1: f64,
    /// Denominator df (F only).
    pub df2: Option<f64>,
    /// Upper-tail p-value.
    pub p_value: f64,
    /// Pearson X² of the table scaled to N.
    pub pearson: f64,
}

/// Rao–Scott test of independence of `a` and `b` (rows where either is missing are left
/// out of the proportions, as `na.rm = TRUE`).
///
/// # Errors
/// A variable with fewer than two levels, a level or a cell with no weight; design
/// variance errors.
pub fn rao_scott(
    var: Variance,
    a: (&str, &Factor),
    b: (&str, &Factor),
    statistic: ChisqStatistic,
) -> Result<ChisqTest> {
    let w = var.weights();
    let n = w.len();
    let (nr, nc) = (a.1.levels.len(), b.1.levels.len());
    let complete: Vec<bool> = (0..n)
        .map(|k| a.1.codes[k] != Factor::MISSING && b.1.codes[k] != Factor::MISSING)
        .collect();
    let cell = |k: usize| a.1.codes[k] + nr as u32 * b.1.codes[k];
    let mut table = vec![0.0; nr * nc];
    for k in (0..n).filter(|&k| complete[k]) {
        table[cell(k) as usize] += w[k];
    }
    check_margins(a, b, &table)?;
    let pearson = pearson_x2(&table, nr, nc, n as f64);
    let cell_of: Vec<u32> = (0..n).map(|k| if complete[k] { cell(k) } else { NONE }).collect();
    let (p, v) = cell_proportions(var, &cell_of, nr * nc)?;
    let delta = delta_matrix(&p, &v, nr, nc, n as f64)?;
    let tr = delta.trace();
    let tr2 = (&delta * &delta).trace();
    Ok(match statistic {
        ChisqStatistic::F => {
            let nu = var.degrees_of_freedom(&|_| true);
            let d0 = tr * tr / tr2;
            let f = pearson / tr;
            ChisqTest {
                statistic: f,
                adjusted: f,
                df1: d0,
                df2: Some(d0 * nu),
                p_value: f_upper(f, d0, d0 * nu),
                pearson,
            }
        }
        ChisqStatistic::Chisq => {
            let df = ((nr - 1) * (nc - 1)) as f64;
            let x = pearson / (tr / df);
            ChisqTest {
                statistic: pearson,
                adjusted: x,
                df1: df,
                df2: None,
                p_value: chisq_upper(x, df),
                pearson,
            }
        }
    })
}

fn check_margins(a: (&str, &Factor), b: (&str, &Factor), table: &[f64]) -> Result<()> {
    let (nr, nc) = (a.1.levels.len(), b.1.levels.len());
    for (v, n) in [(a, nr), (b, nc)] {
        if n < 2 {
            return Err(Error::method(STEP, format!("`{}` has fewer than 2 categories", v.0)));
        }
    }
    let row = |i: usize| (0..nc).map(|j| table[i + nr * j]).sum::<f64>();
    let col = |j: usize| (0..nr).map(|i| table[i + nr * j]).sum::<f64>();
    let empty = (0..nr)
        .find(|&i| row(i) <= 0.0)
        .map(|i| (a, i))
        .or_else(|| (0..nc).find(|&j| col(j) <= 0.0).map(|j| (b, j)));
    if let Some((v, i)) = empty {
        return Err(Error::method(
            STEP,
            format!(
                "category `{}` of `{}` has no weight in the table: drop or merge it",
                v.1.levels[i], v.0
            ),
        ));
    }
    // an empty cell makes Δ rest on a zero proportion (R drops it from D⁻ silently)
    match (0..nr * nc).find(|&c| table[c] <= 0.0) {
        Some(c) => Err(Error::method(
            STEP,
            format!(
                "the cell `{}={}` × `{}={}` is empty in the sample (no respondent with a \
                 weight): merge categories of `{}` or `{}` before testing",
                a.0,
                a.1.levels[c % nr],
                b.0,
                b.1.levels[c / nr],
                a.0,
                b.0
            ),
        )),
        None => Ok(()),
    }
}

/// Cell of a row left out of the table (a missing value).
const NONE: u32 = u32::MAX;

/// Cell proportions p̂_c (`svymean` of the cell indicators among the complete rows) and
/// their design covariance.
/// - Linearization: with T̂ the cell totals, N̂ = Σ_c T̂_c and V_T their covariance
///   ([`super::CovarianceEngine::cell_covariance`], one pass over the rows), the influence
///   values of p̂_c are `(1{cell_k = c} − p̂_c) / N̂ = Σ_d J_cd 1{cell_k = d}` with
///   `J = (I − p̂ 1ᵀ) / N̂`, so `V = J V_T Jᵀ` (the bilinear form is linear in each
///   argument; R's `svymean` of the indicators up to rounding).
/// - Replicates: the proportions per replicate, one pass over the rows each.
fn cell_proportions(
    var: Variance,
    cell_of: &[u32],
    cells: usize,
) -> Result<(Vec<f64>, DMatrix<f64>)> {
    let p = proportions(var.weights(), cell_of, cells);
    let v = match var {
        Variance::Linearization(e) => {
            let nd: f64 = var
                .weights()
                .iter()
                .zip(cell_of)
                .filter(|(_, c)| **c != NONE)
                .map(|(w, _)| w)
                .sum();
            let vt = e.cell_covariance(cell_of, cells)?;
            let j =
                DMatrix::from_fn(cells, cells, |c, d| (f64::from(u8::from(c == d)) - p[c]) / nd);
            &j * vt * j.transpose()
        }
        Variance::Replicates(r) => {
            let thetas: Vec<Vec<f64>> = r
                .replicate_weights()
                .par_iter()
                .map(|wr| proportions(wr, cell_of, cells))
                .collect();
            replicate_covariance(r, &thetas, &p)
        }
    };
    Ok((p, v))
}

/// Weighted share of each cell among the rows with a cell.
fn proportions(w: &[f64], cell_of: &[u32], cells: usize) -> Vec<f64> {
    let (mut s, mut t) = (vec![0.0; cells], 0.0);
    for (&wk, &c) in w.iter().zip(cell_of).filter(|(_, c)| **c != NONE) {
        s[c as usize] += wk;
        t += wk;
    }
    s.iter().map(|sc| sc / t).collect()
}

/// Pearson X² of the table scaled to total `n` (R `chisq.test(svytable(.., Ntotal = n))`).
fn pearson_x2(table: &[f64], nr: usize, nc: usize, n: f64) -> f64 {
    let total: f64 = table.iter().sum();
    let s: Vec<f64> = table.iter().map(|t| t * n / total).collect();
    let rs: Vec<f64> = (0..nr).map(|i| (0..nc).map(|j| s[i + nr * j]).sum()).collect();
    let cs: Vec<f64> = (0..nc).map(|j| (0..nr).map(|i| s[i + nr * j]).sum()).collect();
    let mut x2 = 0.0;
    for j in 0..nc {
        for i in 0..nr {
            let e = rs[i] * cs[j] / n;
            x2 += (s[i + nr * j] - e).powi(2) / e;
        }
    }
    x2
}

/// Δ = (Cᵀ D⁻ C / N)⁻¹ Cᵀ D⁻ V D⁻ C.
fn delta_matrix(p: &[f64], v: &DMatrix<f64>, nr: usize, nc: usize, n: f64) -> Result<DMatrix<f64>> {
    let k = nr * nc;
    let x1 = DMatrix::from_fn(k, nr + nc - 1, |c, j| {
        let (i, l) = (c % nr, c / nr);
        let hit = j == 0 || (j < nr && i == j) || (j >= nr && l == j - nr + 1);
        f64::from(u8::from(hit))
    });
    let q = (nr - 1) * (nc - 1);
    let x12 = DMatrix::from_fn(k, q, |c, m| {
        let (i, l) = (c % nr, c / nr);
        f64::from(u8::from(i == 1 + m % (nr - 1) && l == 1 + m / (nr - 1)))
    });
    let singular = || Error::Internal("svychisq: singular main-effects matrix".into());
    let xtx_inv = (x1.transpose() * &x1).try_inverse().ok_or_else(singular)?;
    let cmat = &x12 - &x1 * (xtx_inv * (x1.transpose() * &x12));
    let id = DMatrix::from_fn(k, k, |i, j| if i == j && p[i] != 0.0 { 1.0 / p[i] } else { 0.0 });
    let denom = cmat.transpose() * &id * &cmat / n;
    let numr = cmat.transpose() * &id * v * &id * &cmat;
    denom.lu().solve(&numr).ok_or_else(|| Error::method(STEP, "svychisq: singular Δ denominator"))
}
