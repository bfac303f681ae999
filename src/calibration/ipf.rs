//! Iterative proportional fitting (raking by successive post-stratifications) and the
//! closed-form post-stratification.
//!
//! # Formula
//! One IPF step on margin m: g_k ← g_k · X_{m,c(k)} / Σ_{j: c(j) = c(k)} d_j g_j. A sweep
//! applies the steps in margin order; sweeps repeat until the stopping rule holds. At the
//! fixed point g_k = Π_m a_{m,c_m(k)} = exp(x_kᵀλ), the raking (exponential) calibration
//! solution (Deville, Särndal & Sautory 1993), so IPF and Newton raking agree.
//! Post-stratification: g_k = X_{c(k)} / Σ_{j: c(j) = c(k)} d_j (linear calibration on one
//! categorical margin).

use super::columns::Columns;
use super::newton::{UnitSolution, max_misfit};
use super::options::{Options, StoppingRule};
use super::report::{IterationLog, Termination};

/// A post-stratification step: a categorical margin (index into `cols.cats`) or the total.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Step {
    Categorical(usize),
    Total,
}

/// Multiplies g by the post-stratification factors of one step; returns max |Δg|.
fn post_stratify(cols: &Columns<'_>, targets: &[f64], step: Step, g: &mut [f64]) -> f64 {
    let (off, n_levels) = match step {
        Step::Categorical(m) => {
            let off = cols.cats[m].0;
            let end = cols.cats.get(m + 1).map(|c| c.0).unwrap_or(cols.intercept.unwrap_or(cols.p));
            (off, end - off)
        }
        Step::Total => (cols.intercept.unwrap_or(0), 1),
    };
    let level = |k: usize| match step {
        Step::Categorical(m) => cols.cats[m].1[k] as usize,
        Step::Total => 0,
    };
    let mut totals = vec![0.0; n_levels];
    for k in 0..cols.len() {
        if cols.d[k] > 0.0 {
            totals[level(k)] += cols.d[k] * g[k];
        }
    }
    // A level with no weight has target 0 (checked upfront); leave its (absent) units alone.
    let factor: Vec<f64> = totals
        .iter()
        .enumerate()
        .map(|(l, &t)| if t > 0.0 { targets[off + l] / t } else { 1.0 })
        .collect();
    let mut change: f64 = 0.0;
    for k in 0..cols.len() {
        if cols.d[k] > 0.0 {
            let new = g[k] * factor[level(k)];
            change = change.max((new - g[k]).abs());
            g[k] = new;
        }
    }
    change
}

/// IPF raking on units (categorical margins and total only).
pub(crate) fn ipf(
    cols: &Columns<'_>,
    steps: &[Step],
    targets: &[f64],
    opts: &Options,
) -> UnitSolution {
    let mut g = vec![1.0; cols.len()];
    let base_totals = cols.base_totals();
    let mut stage = vec![Vec::new(); steps.len()];
    let mut log = vec![IterationLog {
        iteration: 0,
        max_misfit: max_misfit(&base_totals, targets),
        step: 1.0,
        rank: cols.p,
        g_change: None,
    }];
    let mut iter = 0;
    let termination = loop {
        if iter >= opts.max_iterations {
            break Termination::MaxIterations;
        }
        iter += 1;
        let before = g.clone();
        for (s, step) in steps.iter().enumerate() {
            post_stratify(cols, targets, *step, &mut g);
            stage[s].clone_from(&g);
        }
        let change = g.iter().zip(&before).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        let crit = max_misfit(&cols.totals_with_g(|k| g[k]), targets);
        log.push(IterationLog {
            iteration: iter,
            max_misfit: crit,
            step: 1.0,
            rank: cols.p,
            g_change: Some(change),
        });
        let done = match opts.stopping {
            StoppingRule::Misfit => crit <= opts.tolerance,
            StoppingRule::GChange => change <= opts.tolerance,
        };
        if done {
            break Termination::Converged;
        }
    };
    let final_totals = cols.totals_with_g(|k| g[k]);
    UnitSolution {
        g,
        iterations: iter,
        termination,
        log,
        base_totals,
        final_totals,
        stage_g: Some(stage),
    }
}

/// Closed-form post-stratification on one categorical margin (after which a total
/// constraint, if any, holds too since margins were harmonised).
pub(crate) fn poststratify(cols: &Columns<'_>, targets: &[f64]) -> UnitSolution {
    let mut g = vec![1.0; cols.len()];
    let base_totals = cols.base_totals();
    post_stratify(cols, targets, Step::Categorical(0), &mut g);
    let final_totals = cols.totals_with_g(|k| g[k]);
    let crit = max_misfit(&final_totals, targets);
    let first = max_misfit(&base_totals, targets);
    UnitSolution {
        g,
        iterations: 1,
        termination: Termination::Converged,
        log: vec![
            IterationLog {
                iteration: 0,
                max_misfit: first,
                step: 1.0,
                rank: cols.p,
                g_change: None,
            },
            IterationLog {
                iteration: 1,
                max_misfit: crit,
                step: 1.0,
                rank: cols.p,
                g_change: None,
            },
        ],
        base_totals,
        final_totals,
        stage_g: None,
    }
}
