//! Solver options.

use serde::{Deserialize, Serialize};

use super::distance::{Bounds, Method};

/// When the Newton / IPF iterations stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum StoppingRule {
    /// R `survey`'s rule: max_j |Σ w x_j − X_j| / (1 + |X_j|) ≤ tolerance (safe for zero totals).
    #[default]
    Misfit,
    /// CALMAR's rule: max_k |g_k − g_k(previous iteration)| ≤ tolerance.
    GChange,
}

/// Which algorithm solves the problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// Closed-form post-stratification for unbounded linear calibration on one categorical
    /// margin (plus optionally the total), Newton otherwise.
    #[default]
    Auto,
    /// Newton iterations on the Lagrange multipliers (every method).
    Newton,
    /// Iterative proportional fitting (raking without bounds, categorical margins only).
    Ipf,
    /// Closed-form post-stratification (linear, one categorical margin).
    PostStratification,
}

/// Whether to solve on rows or on the cells of the cross-classified categorical margins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SolveOn {
    /// Cells when every margin is categorical (or the total), rows otherwise.
    #[default]
    Auto,
    /// Cells (error when a numeric margin is present).
    Cells,
    /// Rows.
    Rows,
}

/// Calibration options.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// Distance.
    pub method: Method,
    /// Bounds on g = w/d (required for logit and truncated linear, allowed for raking).
    pub bounds: Option<Bounds>,
    /// Tolerance of the stopping rule (default 1e-10).
    pub tolerance: f64,
    /// Maximum number of iterations (default 100).
    pub max_iterations: usize,
    /// Stopping rule.
    pub stopping: StoppingRule,
    /// Algorithm.
    pub algorithm: Algorithm,
    /// Rows or cells.
    pub solve_on: SolveOn,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            method: Method::Raking,
            bounds: None,
            tolerance: 1e-10,
            max_iterations: 100,
            stopping: StoppingRule::Misfit,
            algorithm: Algorithm::Auto,
            solve_on: SolveOn::Auto,
        }
    }
}

impl Options {
    /// Default options with this method and bounds.
    pub fn new(method: Method, bounds: Option<Bounds>) -> Options {
        Options { method, bounds, ..Options::default() }
    }
}
