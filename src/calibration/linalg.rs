//! Rank-revealing solve of the Newton system J Δ = r.
//!
//! J = Σ d g′ x xᵀ is symmetric positive semi-definite and singular by construction when
//! several categorical margins carry full dummy sets (each set sums to the intercept). Like
//! R `survey` (`MASS::ginv`), we use a generalized inverse; to make its relative tolerance
//! independent of the units of numeric margins we first equilibrate, J̃ = S J S with
//! S = diag(1/√J_ii), then drop eigenvalues of J̃ below [`tol::RANK_RCOND`] × the largest. Any
//! generalized inverse gives the same Newton step in u = xᵀλ when r lies in the range of J,
//! so the calibrated weights do not depend on this choice.

use crate::tolerance as tol;
use nalgebra::{DMatrix, DVector, SymmetricEigen};

/// Result of the solve: the step and the numerical rank of J.
#[derive(Debug, Clone)]
pub(crate) struct Solve {
    pub step: Vec<f64>,
    pub rank: usize,
}

/// Minimum-norm (in the equilibrated metric) solution of J Δ = r.
pub(crate) fn pinv_solve(jacobian: &[f64], r: &[f64]) -> Solve {
    let p = r.len();
    let s: Vec<f64> = (0..p)
        .map(|i| {
            let jii = jacobian[i * p + i];
            if jii > 0.0 && jii.is_finite() { 1.0 / jii.sqrt() } else { 0.0 }
        })
        .collect();
    let m = DMatrix::from_fn(p, p, |i, j| jacobian[i * p + j] * s[i] * s[j]);
    let eig = SymmetricEigen::new(m);
    let max = eig.eigenvalues.iter().fold(0.0_f64, |a, &b| a.max(b));
    let rhs = DVector::from_iterator(p, r.iter().zip(&s).map(|(ri, si)| ri * si));
    let mut y = DVector::zeros(p);
    let mut rank = 0;
    for (i, &ev) in eig.eigenvalues.iter().enumerate() {
        if ev > tol::RANK_RCOND * max && ev > 0.0 {
            rank += 1;
            let v = eig.eigenvectors.column(i);
            y += v * (v.dot(&rhs) / ev);
        }
    }
    Solve { step: y.iter().zip(&s).map(|(yi, si)| yi * si).collect(), rank }
}
