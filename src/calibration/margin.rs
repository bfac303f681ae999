//! Calibration constraints (margins) as the bind layer hands them over.

use crate::data::Factor;
use serde::Serialize;

/// One calibration constraint.
///
/// Crossed margins arrive as one categorical margin whose levels name the combination
/// (e.g. `"1,18-29"`).
#[derive(Debug, Clone, PartialEq)]
pub enum Margin {
    /// Population count of each category: Σ_{k ∈ level} w_k = target.
    Categorical {
        /// Variable name(s), used in messages and the report.
        name: String,
        /// The categories of each row ([`Factor::MISSING`] = missing).
        factor: Factor,
        /// Population count per level (same order as `factor.levels`).
        targets: Vec<f64>,
    },
    /// Population total of a numeric variable: Σ w_k x_k = target.
    Numeric {
        /// Variable name.
        name: String,
        /// Per row (NaN = missing).
        values: Vec<f64>,
        /// Population total.
        target: f64,
    },
    /// Population size: Σ w_k = target.
    Total {
        /// Population size N.
        target: f64,
    },
}

impl Margin {
    /// Name of the margin (`"(population total)"` for [`Margin::Total`]).
    pub fn name(&self) -> &str {
        match self {
            Margin::Categorical { name, .. } | Margin::Numeric { name, .. } => name,
            Margin::Total { .. } => "(population total)",
        }
    }

    /// Kind for the report.
    pub fn kind(&self) -> MarginKind {
        match self {
            Margin::Categorical { .. } => MarginKind::Categorical,
            Margin::Numeric { .. } => MarginKind::Numeric,
            Margin::Total { .. } => MarginKind::Total,
        }
    }

    /// Number of calibration parameters (constraints) of this margin.
    pub fn n_params(&self) -> usize {
        match self {
            Margin::Categorical { factor, .. } => factor.levels.len(),
            _ => 1,
        }
    }
}

/// Kind of a margin (report field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MarginKind {
    /// Counts per category.
    Categorical,
    /// Total of a numeric variable.
    Numeric,
    /// Population size.
    Total,
}
