//! Checks of frame columns used by the sampling methods, with messages naming the column and
//! the rows at fault.

use crate::error::{Error, Result};
use crate::sampling::OUT_OF_SCOPE;
use crate::sampling::strata::rows_phrase;

/// Every in-scope value of `values` is finite (NaN stands for a missing value).
pub(crate) fn finite_in_scope(values: &[f64], codes: &[u32], column: &str) -> Result<()> {
    same_length(values.len(), codes.len(), column)?;
    let bad: Vec<usize> =
        (0..values.len()).filter(|&i| codes[i] != OUT_OF_SCOPE && !values[i].is_finite()).collect();
    if bad.is_empty() {
        return Ok(());
    }
    Err(Error::method(
        "sampling",
        format!(
            "column `{column}` is missing (or not a finite number) at {}: fill these values or \
             filter the rows out of the scope",
            rows_phrase(&bad)
        ),
    ))
}

/// Every in-scope size is present and strictly positive (one pass; the rows at fault are
/// listed by category only when there are some).
pub(crate) fn positive_sizes(values: &[f64], codes: &[u32], column: &str) -> Result<()> {
    same_length(values.len(), codes.len(), column)?;
    let bad: Vec<usize> = (0..values.len())
        .filter(|&i| codes[i] != OUT_OF_SCOPE && !(values[i].is_finite() && values[i] > 0.0))
        .collect();
    if bad.is_empty() {
        return Ok(());
    }
    let missing: Vec<usize> = bad.iter().copied().filter(|&i| !values[i].is_finite()).collect();
    if !missing.is_empty() {
        return finite_in_scope(values, codes, column);
    }
    let negative = bad.iter().any(|&i| values[i] < 0.0);
    let what = if negative { "zero or negative" } else { "zero" };
    Err(Error::method(
        "sampling",
        format!(
            "size measure `{column}` is {what} at {}: π ∝ size would be ≤ 0 so these units \
             could never be drawn; give them a positive size or filter them out of the scope",
            rows_phrase(&bad)
        ),
    ))
}

/// A frame column has one value per row.
pub(crate) fn same_length(len: usize, n_rows: usize, column: &str) -> Result<()> {
    if len == n_rows {
        Ok(())
    } else {
        Err(Error::Internal(format!("column `{column}` has {len} values, the frame {n_rows} rows")))
    }
}

/// Checks inclusion probabilities given to a selection method: in [0, 1] for in-scope rows.
pub(crate) fn probabilities(pi: &[f64], codes: &[u32]) -> Result<()> {
    same_length(pi.len(), codes.len(), "pi")?;
    let bad: Vec<usize> = (0..pi.len())
        .filter(|&i| codes[i] != OUT_OF_SCOPE && !(0.0..=1.0).contains(&pi[i]))
        .collect();
    if bad.is_empty() {
        return Ok(());
    }
    Err(Error::method(
        "sampling",
        format!(
            "inclusion probabilities must lie in [0, 1]; they do not at {} (first value {})",
            rows_phrase(&bad),
            pi[bad[0]]
        ),
    ))
}
