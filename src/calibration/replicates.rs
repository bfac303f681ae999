//! Calibration of replicate weight columns: each column is calibrated from its own
//! starting weights to the same margins (so replicate variance reflects the calibration).

use rayon::prelude::*;

use super::options::Options;
use super::problem::Problem;
use super::solve::{Calibration, calibrate_weights};
use crate::{Error, Result};

/// Calibrates every replicate column (in parallel; results in input order).
///
/// # Errors
/// The first failing replicate (in column order), its message prefixed by its number.
pub fn calibrate_replicates(
    problem: &Problem,
    replicate_weights: &[Vec<f64>],
    options: &Options,
) -> Result<Vec<Calibration>> {
    let results: Vec<Result<Calibration>> = replicate_weights
        .par_iter()
        .enumerate()
        .map(|(r, d)| {
            if d.len() != problem.n_rows() {
                return Err(Error::method(
                    "calibration",
                    format!(
                        "replicate column {} has {} rows, the data {}",
                        r + 1,
                        d.len(),
                        problem.n_rows()
                    ),
                ));
            }
            problem
                .check_weights(d, &format!("replicate weight column {}", r + 1))
                .and_then(|()| calibrate_weights(problem, d, options))
                .map_err(|e| match e {
                    Error::Method { step, message } if !message.starts_with("replicate") => {
                        Error::Method { step, message: format!("replicate {}: {message}", r + 1) }
                    }
                    e => e,
                })
        })
        .collect();
    results.into_iter().collect()
}
