//! The Newton engine on the Lagrange multipliers, shared by every distance.
//!
//! # Formula
//! φ(λ) = Σ d_k F(x_kᵀλ) x_k − X, J(λ) = Σ d_k F′(x_kᵀλ) x_k x_kᵀ, λ ← λ + t Δ with
//! J Δ = −φ solved by a generalized inverse ([`super::linalg`]). t = 1, halved while some g is
//! not finite (as R `survey`'s `grake`) or the merit Σ_j (φ_j / (1 + |X_j|))² does not
//! decrease (a damped Newton method: Δ is a descent direction of the merit whenever φ lies in
//! the range of J).

use super::columns::Columns;
use super::distance::Distance;
use super::linalg::pinv_solve;
use super::options::{Options, StoppingRule};
use super::report::{IterationLog, Termination};

/// Largest number of step halvings in one iteration.
const MAX_HALVINGS: usize = 30;

/// Outcome of an iterative solve on units (rows or cells).
#[derive(Debug, Clone)]
pub(crate) struct UnitSolution {
    /// g of each unit.
    pub g: Vec<f64>,
    pub iterations: usize,
    pub termination: Termination,
    pub log: Vec<IterationLog>,
    /// Σ d x.
    pub base_totals: Vec<f64>,
    /// Σ d g x.
    pub final_totals: Vec<f64>,
    /// IPF only: unit g after the last adjustment to each margin in the final sweep.
    pub stage_g: Option<Vec<Vec<f64>>>,
}

/// max_j |t_j − X_j| / (1 + |X_j|).
pub(crate) fn max_misfit(totals: &[f64], targets: &[f64]) -> f64 {
    totals.iter().zip(targets).map(|(t, x)| (t - x).abs() / (1.0 + x.abs())).fold(0.0, f64::max)
}

fn merit(totals: &[f64], targets: &[f64]) -> f64 {
    totals.iter().zip(targets).map(|(t, x)| ((t - x) / (1.0 + x.abs())).powi(2)).sum()
}

/// Solves Σ d F(xᵀλ) x = X by damped Newton.
pub(crate) fn newton<D: Distance>(
    cols: &Columns<'_>,
    dist: &D,
    targets: &[f64],
    opts: &Options,
) -> UnitSolution {
    let p = cols.p;
    let mut lambda = vec![0.0; p];
    // g of the units at λ (1 for units of weight 0), and at the candidate λ
    let mut g = vec![1.0; cols.len()];
    let mut g_cand = g.clone();
    let mut pass = cols.evaluate(dist, &lambda, &mut g);
    let base_totals = pass.totals.clone();
    let mut log = Vec::new();
    let (mut iter, mut step_len, mut rank, mut g_change) = (0, 1.0, p, None);
    let termination = loop {
        let crit = max_misfit(&pass.totals, targets);
        log.push(IterationLog {
            iteration: iter,
            max_misfit: crit,
            step: step_len,
            rank,
            g_change,
        });
        let done = match opts.stopping {
            StoppingRule::Misfit => crit <= opts.tolerance,
            StoppingRule::GChange => g_change.is_some_and(|c| c <= opts.tolerance),
        };
        if done {
            break Termination::Converged;
        }
        if iter >= opts.max_iterations {
            break Termination::MaxIterations;
        }
        let r: Vec<f64> = targets.iter().zip(&pass.totals).map(|(x, t)| x - t).collect();
        let solve = pinv_solve(&pass.jacobian, &r);
        rank = solve.rank;
        if solve.step.iter().all(|s| *s == 0.0) {
            break Termination::SingularJacobian;
        }
        let m0 = merit(&pass.totals, targets);
        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..=MAX_HALVINGS {
            let cand: Vec<f64> = lambda.iter().zip(&solve.step).map(|(l, s)| l + t * s).collect();
            let cp = cols.evaluate(dist, &cand, &mut g_cand);
            if cp.finite && merit(&cp.totals, targets) < m0 {
                accepted = Some((cand, cp));
                break;
            }
            t *= 0.5;
        }
        let Some((cand, cp)) = accepted else { break Termination::NoProgress };
        if opts.stopping == StoppingRule::GChange {
            g_change = Some(cols.max_g_change(dist, &lambda, &cand));
        }
        lambda = cand;
        pass = cp;
        std::mem::swap(&mut g, &mut g_cand);
        step_len = t;
        iter += 1;
    };
    UnitSolution {
        g,
        iterations: iter,
        termination,
        log,
        base_totals,
        final_totals: pass.totals,
        stage_g: None,
    }
}
