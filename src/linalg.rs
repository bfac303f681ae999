//! The one generalized inverse of the crate: a symmetric positive semi-definite matrix
//! (a calibration Jacobian Σ d g′ x xᵀ, the normal matrix Σ d x xᵀ of the calibration
//! residuals) through an equilibrated eigen-decomposition.
//!
//! # Formula
//! With S = diag(1/√A_ii) (0 where A_ii is not > 0 and finite), Ã = S A S = V Λ Vᵀ. The
//! eigenvalues λ_i > [`tol::RANK_RCOND`] · max λ are kept (the numerical rank); the others
//! count as 0. Then
//! - [`SymmetricPinv::solve`]: x = S Σ_kept v_i (v_iᵀ S b) / λ_i, the minimum-norm (in the
//!   equilibrated metric) solution of A x = b;
//! - [`SymmetricPinv::inverse`]: A⁻ = S (Σ_kept v_i v_iᵀ / λ_i) S.
//!
//! Why a generalized inverse: full dummy sets of several categorical margins are collinear
//! by construction (each sums to the intercept); the calibrated weights (Newton step in
//! u = xᵀλ) and the regression residuals do not depend on which g-inverse is taken. Why
//! equilibrate: the relative cut-off must not depend on the units of numeric columns.
//! `solve` applies the kept eigenvectors to b directly (never A⁻ b), which is both cheaper
//! and the rounding the calibration results were checked with.

use crate::tolerance as tol;
use nalgebra::{DMatrix, DVector, SymmetricEigen};

/// The equilibrated eigen-decomposition of a symmetric PSD matrix, with its rank cut-off.
#[derive(Debug, Clone)]
pub struct SymmetricPinv {
    /// Jacobi scaling S (1/√A_ii, or 0).
    scale: Vec<f64>,
    eig: SymmetricEigen<f64, nalgebra::Dyn>,
    /// Eigenvalues at or below this count as 0.
    cutoff: f64,
}

impl SymmetricPinv {
    /// Decomposes the p × p matrix whose entry (i, j) is `get(i, j)` (symmetric).
    pub fn new(p: usize, get: impl Fn(usize, usize) -> f64) -> SymmetricPinv {
        let scale: Vec<f64> = (0..p)
            .map(|i| {
                let aii = get(i, i);
                if aii > 0.0 && aii.is_finite() { 1.0 / aii.sqrt() } else { 0.0 }
            })
            .collect();
        let m = DMatrix::from_fn(p, p, |i, j| get(i, j) * scale[i] * scale[j]);
        let eig = SymmetricEigen::new(m);
        let max = eig.eigenvalues.iter().fold(0.0_f64, |a, &b| a.max(b));
        SymmetricPinv { scale, eig, cutoff: tol::RANK_RCOND * max }
    }

    /// Decomposes a dense row-major p × p matrix.
    pub fn from_row_major(a: &[f64], p: usize) -> SymmetricPinv {
        SymmetricPinv::new(p, |i, j| a[i * p + j])
    }

    fn kept(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        let cutoff = self.cutoff;
        self.eig
            .eigenvalues
            .iter()
            .copied()
            .enumerate()
            .filter(move |&(_, l)| l > cutoff && l > 0.0)
    }

    /// Numerical rank: the number of kept eigenvalues.
    pub fn rank(&self) -> usize {
        self.kept().count()
    }

    /// The minimum-norm (equilibrated metric) solution of A x = b.
    pub fn solve(&self, b: &[f64]) -> Vec<f64> {
        let p = b.len();
        let s = &self.scale;
        let rhs = DVector::from_iterator(p, b.iter().zip(s).map(|(bi, si)| bi * si));
        let mut y = DVector::zeros(p);
        for (i, l) in self.kept() {
            let v = self.eig.eigenvectors.column(i);
            y += v * (v.dot(&rhs) / l);
        }
        y.iter().zip(s).map(|(yi, si)| yi * si).collect()
    }

    /// The generalized inverse A⁻ (Moore–Penrose in the equilibrated metric).
    pub fn inverse(&self) -> DMatrix<f64> {
        let p = self.scale.len();
        let s = &self.scale;
        let mut inv = DMatrix::<f64>::zeros(p, p);
        for (i, l) in self.kept() {
            let v = self.eig.eigenvectors.column(i);
            inv += (v * v.transpose()) / l;
        }
        DMatrix::from_fn(p, p, |a, b| inv[(a, b)] * s[a] * s[b])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solve_and_inverse_agree_on_a_singular_matrix() {
        // two dummy sets sharing the intercept: rank 3 of 4
        let x = [
            [1.0, 0.0, 1.0, 0.0],
            [1.0, 0.0, 0.0, 1.0],
            [0.0, 1.0, 1.0, 0.0],
            [0.0, 1.0, 0.0, 1.0],
        ];
        let d = [2.0, 3.0, 4.0, 5.0];
        let a = |i: usize, j: usize| (0..4).map(|k| d[k] * x[k][i] * x[k][j]).sum::<f64>();
        let pinv = SymmetricPinv::new(4, a);
        assert_eq!(pinv.rank(), 3);
        let b: Vec<f64> =
            (0..4).map(|j| (0..4).map(|k| d[k] * x[k][j] * (k as f64 + 1.0)).sum()).collect();
        let sol = pinv.solve(&b);
        let via_inv = pinv.inverse() * DVector::from_column_slice(&b);
        for (s, v) in sol.iter().zip(via_inv.iter()) {
            assert!((s - v).abs() < 1e-10 * (1.0 + v.abs()), "{s} vs {v}");
        }
        // A x = b (b lies in the range of A)
        for (i, bi) in b.iter().enumerate() {
            let ax: f64 = (0..4).map(|j| a(i, j) * sol[j]).sum();
            assert!((ax - bi).abs() < 1e-9 * (1.0 + bi.abs()));
        }
    }
}
