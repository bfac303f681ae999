//! Rank-revealing solve of the Newton system J Δ = r.
//!
//! J = Σ d g′ x xᵀ is symmetric positive semi-definite and singular by construction when
//! several categorical margins carry full dummy sets (each set sums to the intercept). Like
//! R `survey` (`MASS::ginv`), we use a generalized inverse ([`crate::linalg::SymmetricPinv`]:
//! equilibrated, eigenvalues below [`crate::tolerance::RANK_RCOND`] × the largest dropped).
//! Any generalized inverse gives the same Newton step in u = xᵀλ when r lies in the range of
//! J, so the calibrated weights do not depend on this choice.

use crate::linalg::SymmetricPinv;

/// Result of the solve: the step and the numerical rank of J.
#[derive(Debug, Clone)]
pub(crate) struct Solve {
    pub step: Vec<f64>,
    pub rank: usize,
}

/// Minimum-norm (in the equilibrated metric) solution of J Δ = r (`jacobian` row-major).
pub(crate) fn pinv_solve(jacobian: &[f64], r: &[f64]) -> Solve {
    let pinv = SymmetricPinv::from_row_major(jacobian, r.len());
    Solve { step: pinv.solve(r), rank: pinv.rank() }
}
