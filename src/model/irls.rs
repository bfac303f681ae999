//! Iteratively reweighted least squares, step for step as R's `glm.fit` (same start, same
//! convergence rule), so that coefficients — and the working weights of the last
//! iteration, on which R builds `cov.unscaled` and the sandwich — are R's.
//!
//! Iteration: with η, μ from the current β, working weights `W_k = p_k μ'(η_k)² / V(μ_k)`
//! and response `z_k = η_k + (y_k − μ_k) / μ'(η_k)`, solve `(XᵀWX) β = XᵀWz`; stop when
//! `|dev − dev_old| / (|dev| + 0.1) < ε` (McCullagh & Nelder 1989, §2.5).

use nalgebra::{DMatrix, DVector};

use crate::error::{Error, Result};

use super::STEP;
use super::family::Family;
use super::terms::ModelMatrix;
use crate::tolerance as tol;

/// Stopping rule.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Control {
    pub(crate) epsilon: f64,
    pub(crate) max_iterations: usize,
}

/// A converged fit.
#[derive(Debug, Clone)]
pub(crate) struct IrlsFit {
    pub(crate) beta: Vec<f64>,
    /// η on the rows with a positive prior weight (0 elsewhere).
    pub(crate) eta: Vec<f64>,
    /// μ on the rows with a positive prior weight (0 elsewhere).
    pub(crate) mu: Vec<f64>,
    /// R's `glm$weights`: the working weights W of the last iteration.
    pub(crate) work_w: Vec<f64>,
    /// R's `cov.unscaled`: (XᵀWX)⁻¹ of the last iteration.
    pub(crate) a_inv: DMatrix<f64>,
    pub(crate) iterations: usize,
}

/// The model matrix row by row, for passes of IRLS that visit each row of the fit once:
/// dense (row k at `x[k s .. k s + p]`, the stride s a multiple of [`TILE`] with zeros after
/// the p values) and, when most entries are 0 (factor dummies), also as each row's nonzero
/// entries. Built once per model and shared by the replicate refits.
pub(crate) struct RowMajor {
    p: usize,
    stride: usize,
    x: Vec<f64>,
    sparse: Option<Sparse>,
}

/// Nonzero entries of each row, in column order: row k's at `start[k]..start[k + 1]`.
struct Sparse {
    start: Vec<usize>,
    col: Vec<usize>,
    val: Vec<f64>,
}

/// Side of the blocks of XᵀWX accumulated together ([`gram`]).
const TILE: usize = 4;

/// A sparse update of XᵀWX costs about this many multiply-adds of a block (an indexed
/// read-modify-write against registers): the sparse form is used when the rows' nonzero
/// pairs times this are fewer than the blocks' entries. Measured: 12 columns with 5.2
/// nonzeros a row (ratio 5.8) are faster in blocks; the FEJ models (17 and 28 columns, mostly
/// dummies: ratios 15 and 33) are 2.5 times faster sparse.
const SPARSE_COST: usize = 8;

impl RowMajor {
    pub(crate) fn new(mm: &ModelMatrix) -> RowMajor {
        let p = mm.p();
        let stride = p.div_ceil(TILE).max(1) * TILE;
        let mut x = vec![0.0; mm.n * stride];
        for (k, row) in x.chunks_exact_mut(stride).enumerate() {
            for (j, v) in row[..p].iter_mut().enumerate() {
                *v = mm.x[j * mm.n + k];
            }
        }
        let mut rows = RowMajor { p, stride, x, sparse: None };
        let (mut pairs, blocks) = (0, stride / TILE);
        for k in 0..mm.n {
            let nz = rows.row(k).iter().filter(|v| **v != 0.0).count();
            pairs += nz * (nz + 1) / 2;
        }
        if pairs * SPARSE_COST < mm.n * blocks * (blocks + 1) / 2 * TILE * TILE {
            rows.sparse = Some(rows.nonzeros());
        }
        rows
    }

    fn nonzeros(&self) -> Sparse {
        let n = self.x.len() / self.stride;
        let mut sp = Sparse { start: Vec::with_capacity(n + 1), col: vec![], val: vec![] };
        for k in 0..n {
            sp.start.push(sp.col.len());
            for (j, &v) in self.row(k)[..self.p].iter().enumerate().filter(|(_, v)| **v != 0.0) {
                sp.col.push(j);
                sp.val.push(v);
            }
        }
        sp.start.push(sp.col.len());
        sp
    }

    /// Row k: its p values, then zeros up to the stride.
    pub(crate) fn row(&self, k: usize) -> &[f64] {
        &self.x[k * self.stride..(k + 1) * self.stride]
    }
}

/// Rows with a positive prior weight, in row order: the only rows any sum of the fit
/// visits (the others add zeros).
pub(crate) fn active_rows(prior: &[f64]) -> Vec<usize> {
    (0..prior.len()).filter(|&k| prior[k] > 0.0).collect()
}

/// Fits by IRLS with prior weights `prior` (0 = not in the fit), from `start` (warm start)
/// or from the family's μ start. `rows` is `mm` row by row.
pub(crate) fn irls(
    mm: &ModelMatrix,
    rows: &RowMajor,
    prior: &[f64],
    family: Family,
    start: Option<&[f64]>,
    ctl: Control,
) -> Result<IrlsFit> {
    let act = active_rows(prior);
    let (mut eta, mut mu) = (vec![0.0; mm.n], vec![0.0; mm.n]);
    match start {
        Some(b) => predict(rows, &act, b, family, &mut eta, &mut mu),
        None => {
            for &k in &act {
                mu[k] = family.mustart(mm.y[k], prior[k]);
                eta[k] = family.linkfun(mu[k]);
            }
        }
    }
    let mut dev_old = deviance(family, &mm.y, &mu, prior, &act);
    let mut last_change = f64::NAN;
    let (mut w, mut z) = (vec![0.0; mm.n], vec![0.0; mm.n]);
    for it in 1..=ctl.max_iterations {
        working(family, &mm.y, (&eta, &mu), prior, &act, (&mut w, &mut z));
        let (beta, a_inv) = weighted_solve(mm, rows, &act, &w, &z)?;
        predict(rows, &act, &beta, family, &mut eta, &mut mu);
        let dev = deviance(family, &mm.y, &mu, prior, &act);
        if !dev.is_finite() {
            return Err(not_converged(it, "the deviance is not finite".into()));
        }
        last_change = (dev - dev_old).abs() / (dev.abs() + 0.1);
        if last_change < ctl.epsilon {
            return Ok(IrlsFit { beta, eta, mu, work_w: w, a_inv, iterations: it });
        }
        dev_old = dev;
    }
    Err(not_converged(
        ctl.max_iterations,
        format!("last relative change in deviance {last_change:.3e}"),
    ))
}

fn not_converged(iterations: usize, detail: String) -> Error {
    Error::NotConverged {
        step: STEP,
        iterations,
        message: format!("the model did not converge after {iterations} iterations ({detail})"),
    }
}

/// η = Xβ and μ = g⁻¹(η) on the rows `act` (η_k summed over j in column order).
fn predict(
    rows: &RowMajor,
    act: &[usize],
    beta: &[f64],
    family: Family,
    eta: &mut [f64],
    mu: &mut [f64],
) {
    // two passes: the dot products of successive rows overlap when no call sits between
    // zero entries add ±0: leaving them out gives the same sums
    match &rows.sparse {
        Some(sp) => {
            for &k in act {
                let (cols, vals) = (&sp.col[sp.start[k]..sp.start[k + 1]], &sp.val[sp.start[k]..]);
                let mut e = 0.0;
                for (&j, x) in cols.iter().zip(vals) {
                    e += beta[j] * x;
                }
                eta[k] = e;
            }
        }
        None => {
            for &k in act {
                let mut e = 0.0;
                for (b, x) in beta.iter().zip(rows.row(k)) {
                    e += b * x;
                }
                eta[k] = e;
            }
        }
    }
    for &k in act {
        mu[k] = family.linkinv(eta[k]);
    }
}

/// Σ dev.resids over the rows `act` (those with a positive prior weight).
fn deviance(family: Family, y: &[f64], mu: &[f64], prior: &[f64], act: &[usize]) -> f64 {
    act.iter().map(|&k| family.dev_resid(y[k], mu[k], prior[k])).sum()
}

/// Working weights and response on the rows `act` (`w`, `z` stay 0 elsewhere).
fn working(
    family: Family,
    y: &[f64],
    (eta, mu): (&[f64], &[f64]),
    prior: &[f64],
    act: &[usize],
    (w, z): (&mut [f64], &mut [f64]),
) {
    for &k in act {
        let me = family.mu_eta(eta[k]);
        w[k] = prior[k] * me * me / family.variance(mu[k]);
        z[k] = eta[k] + (y[k] - mu[k]) / me;
    }
}

/// Weighted Gram matrix XᵀWX over the rows `act` and, when `z` is given, XᵀWz.
///
/// Blocked by [`TILE`] × [`TILE`] entries held in registers over one pass on the rows. Every
/// entry `G_ij = Σ_k (x_ki w_k) x_kj` is still one sum over the rows in row order (the rows
/// left out have w = 0 and would add zeros), so the result is the plain column-by-column
/// dot products' to the bit; the blocks only let the sums advance side by side.
pub(crate) fn gram(
    rows: &RowMajor,
    act: &[usize],
    w: &[f64],
    z: Option<&[f64]>,
) -> (DMatrix<f64>, DVector<f64>) {
    if let Some(sp) = &rows.sparse {
        return sparse_gram(rows.p, sp, act, w, z);
    }
    let (p, blocks) = (rows.p, rows.stride / TILE);
    let mut g = DMatrix::zeros(p, p);
    let mut r = DVector::zeros(p);
    for bi in 0..blocks {
        for bj in 0..=bi {
            let (i0, j0) = (bi * TILE, bj * TILE);
            let zi = if bi == bj { z } else { None };
            let (acc, ri) = gram_tile(rows, act, w, (i0, j0), zi);
            for (a, acc_a) in acc.iter().enumerate().filter(|&(a, _)| i0 + a < p) {
                for (b, &v) in acc_a.iter().enumerate().filter(|&(b, _)| j0 + b <= i0 + a) {
                    g[(i0 + a, j0 + b)] = v;
                    g[(j0 + b, i0 + a)] = v;
                }
                if zi.is_some() {
                    r[i0 + a] = ri[a];
                }
            }
        }
    }
    (g, r)
}

/// One block `G[i0.., j0..]` of XᵀWX (and `(XᵀWz)[i0..]` when `z` is given).
fn gram_tile(
    rows: &RowMajor,
    act: &[usize],
    w: &[f64],
    (i0, j0): (usize, usize),
    z: Option<&[f64]>,
) -> ([[f64; TILE]; TILE], [f64; TILE]) {
    let mut acc = [[0.0; TILE]; TILE];
    let mut r = [0.0; TILE];
    let part = |row: &[f64], at: usize| -> [f64; TILE] {
        let mut v = [0.0; TILE];
        v.copy_from_slice(&row[at..at + TILE]);
        v
    };
    for &k in act {
        let row = rows.row(k);
        let (xi, xj, wk) = (part(row, i0), part(row, j0), w[k]);
        for (acc_a, &xa) in acc.iter_mut().zip(&xi) {
            let s = xa * wk;
            for (v, &xb) in acc_a.iter_mut().zip(&xj) {
                *v += s * xb;
            }
        }
        if let Some(z) = z {
            for (ra, &xa) in r.iter_mut().zip(&xi) {
                *ra += xa * wk * z[k];
            }
        }
    }
    (acc, r)
}

/// [`gram`] from the rows' nonzero entries: a zero entry adds ±0 to every sum it enters, so
/// leaving it out keeps each sum's value.
fn sparse_gram(
    p: usize,
    sp: &Sparse,
    act: &[usize],
    w: &[f64],
    z: Option<&[f64]>,
) -> (DMatrix<f64>, DVector<f64>) {
    let (mut g, mut r) = (vec![0.0; p * p], vec![0.0; p]);
    for &k in act {
        let (lo, hi) = (sp.start[k], sp.start[k + 1]);
        let (cols, vals) = (&sp.col[lo..hi], &sp.val[lo..hi]);
        for (a, (&i, &xa)) in cols.iter().zip(vals).enumerate() {
            let s = xa * w[k];
            let gi = &mut g[i * p..(i + 1) * p];
            for (&j, &xb) in cols[..=a].iter().zip(vals) {
                gi[j] += s * xb;
            }
            if let Some(z) = z {
                r[i] += s * z[k];
            }
        }
    }
    let g = DMatrix::from_fn(p, p, |i, j| if j <= i { g[i * p + j] } else { g[j * p + i] });
    (g, DVector::from_vec(r))
}

/// Solves (XᵀWX) β = XᵀWz with columns scaled to a unit diagonal (equilibration keeps the
/// Cholesky factor accurate when columns have very different scales). Returns β and
/// (XᵀWX)⁻¹.
fn weighted_solve(
    mm: &ModelMatrix,
    rows: &RowMajor,
    act: &[usize],
    w: &[f64],
    z: &[f64],
) -> Result<(Vec<f64>, DMatrix<f64>)> {
    let (g, r) = gram(rows, act, w, Some(z));
    let inv = scaled_inverse(&g).ok_or_else(|| aliasing_error(mm, &g))?;
    let beta = &inv * r;
    Ok((beta.iter().copied().collect(), inv))
}

/// (G)⁻¹ through the Cholesky factor of D G D, D = diag(1/√g_jj); `None` if not positive
/// definite.
pub(crate) fn scaled_inverse(g: &DMatrix<f64>) -> Option<DMatrix<f64>> {
    let p = g.nrows();
    let d: Vec<f64> = (0..p).map(|j| 1.0 / g[(j, j)].sqrt()).collect();
    if d.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let gs = DMatrix::from_fn(p, p, |i, j| g[(i, j)] * d[i] * d[j]);
    let inv_s = gs.cholesky()?.inverse();
    Some(DMatrix::from_fn(p, p, |i, j| inv_s[(i, j)] * d[i] * d[j]))
}

/// Finds the first aliased column of X (weights w) and names it with the columns it is a
/// combination of; an internal error if none is found (G merely ill-conditioned).
pub(crate) fn aliasing_error(mm: &ModelMatrix, g: &DMatrix<f64>) -> Error {
    match first_aliased(g) {
        Some((j, with)) if with.is_empty() => Error::method(
            STEP,
            format!("column `{}` is 0 on every row of the domain: remove the term", mm.names[j]),
        ),
        Some((j, with)) => {
            let names: Vec<String> = with.iter().map(|&i| format!("`{}`", mm.names[i])).collect();
            Error::method(
                STEP,
                format!(
                    "column `{}` is aliased: in the domain it is a linear combination of {} \
                     (collinear terms); remove one of them",
                    mm.names[j],
                    names.join(", ")
                ),
            )
        }
        None => Error::method(STEP, "the model matrix is numerically singular (collinear terms)"),
    }
}

/// First column j whose equilibrated Cholesky pivot is below [`tol::ALIAS_PIVOT`], and the
/// previous columns entering its regression on them.
pub(crate) fn first_aliased(g: &DMatrix<f64>) -> Option<(usize, Vec<usize>)> {
    let p = g.nrows();
    for j in 0..p {
        if g[(j, j)].is_nan() || g[(j, j)] <= 0.0 {
            return Some((j, vec![]));
        }
        let prev: Vec<usize> = (0..j).collect();
        let d = |i: usize| g[(i, i)].sqrt();
        let s = DMatrix::from_fn(j, j, |a, b| g[(a, b)] / (d(a) * d(b)));
        let c = DVector::from_fn(j, |a, _| g[(a, j)] / (d(a) * d(j)));
        let Some(ch) = s.cholesky() else { continue };
        let coef = ch.solve(&c);
        if 1.0 - c.dot(&coef) < tol::ALIAS_PIVOT {
            let with = prev.into_iter().filter(|&i| coef[i].abs() > tol::ALIAS_MEMBER).collect();
            return Some((j, with));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Factor;
    use crate::model::{Column, ModelSpec, Variable};

    /// A model matrix of 200 rows: intercept, a slope, factors of 6 and 3 levels, with a
    /// domain (rows outside are 0).
    fn matrix() -> ModelMatrix {
        let n = 200;
        let y: Vec<f64> = (0..n).map(|k| f64::from(u8::from(k % 3 == 0))).collect();
        let x: Vec<f64> = (0..n).map(|k| ((k * 37) % 101) as f64 / 7.0 - 6.0).collect();
        let f = |m: usize, l: usize| Factor {
            codes: (0..n).map(|k| ((k * m) % l) as u32).collect(),
            levels: (0..l).map(|i| i.to_string()).collect(),
        };
        let (a, b) = (f(7, 6), f(5, 3));
        let domain: Vec<bool> = (0..n).map(|k| k % 11 != 0).collect();
        let terms = vec![
            Variable { name: "x", column: Column::Numeric(&x) },
            Variable { name: "a", column: Column::Factor(&a) },
            Variable { name: "b", column: Column::Factor(&b) },
        ];
        let y = Variable { name: "y", column: Column::Numeric(&y) };
        let spec = ModelSpec {
            interactions: vec![("x", "b")],
            domain: Some(&domain),
            ..ModelSpec::new(Family::QuasiBinomial, y, terms)
        };
        ModelMatrix::build(&spec, &vec![1.0; n]).expect("model matrix")
    }

    #[test]
    fn sparse_and_block_passes_give_the_same_sums_to_the_bit() {
        let mm = matrix();
        let dense = RowMajor { sparse: None, ..RowMajor::new(&mm) };
        let sparse = RowMajor { sparse: Some(dense.nonzeros()), ..RowMajor::new(&mm) };
        let w: Vec<f64> =
            (0..mm.n).map(|k| if k % 4 == 1 { 0.0 } else { 0.5 + (k % 9) as f64 }).collect();
        let z: Vec<f64> = (0..mm.n).map(|k| (k as f64).sin()).collect();
        let act = active_rows(&w);
        let (gd, rd) = gram(&dense, &act, &w, Some(&z));
        let (gs, rs) = gram(&sparse, &act, &w, Some(&z));
        assert_eq!(gd, gs);
        assert_eq!(rd, rs);
        assert!(gd[(1, 1)] > 0.0 && rd.iter().any(|v| *v != 0.0));
        // and the plain column-by-column dot products
        for i in 0..mm.p() {
            for j in 0..=i {
                let dot: f64 = (0..mm.n).map(|k| mm.col(i)[k] * w[k] * mm.col(j)[k]).sum();
                assert_eq!(gd[(i, j)], dot, "G[{i},{j}]");
            }
        }
        let beta: Vec<f64> = (0..mm.p()).map(|j| 0.1 * j as f64 - 0.4).collect();
        let (mut e1, mut m1) = (vec![0.0; mm.n], vec![0.0; mm.n]);
        let (mut e2, mut m2) = (vec![0.0; mm.n], vec![0.0; mm.n]);
        predict(&dense, &act, &beta, Family::QuasiBinomial, &mut e1, &mut m1);
        predict(&sparse, &act, &beta, Family::QuasiBinomial, &mut e2, &mut m2);
        assert_eq!((e1, m1), (e2, m2));
    }
}
