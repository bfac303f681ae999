//! Integer rounding of an allocation that keeps the total exact.

use crate::error::{Error, Result};
use crate::tolerance as tol;

/// Largest-remainder (Hamilton) rounding of `x` to integers summing to `total`, without
/// exceeding `upper[h]`.
///
/// # Formula
/// Take ⌊x_h⌋ everywhere, then give one more unit to each of the `total − Σ⌊x_h⌋` strata with
/// the largest fractional parts x_h − ⌊x_h⌋ (ties: the earlier stratum), as R's
/// `round_largest_remainder` of the reference cases. Since the fractional parts sum to the
/// number of units to give and each is < 1, enough strata have a positive one; a stratum with
/// `x_h ≤ upper_h` integer-valued bound never goes above its bound.
///
/// # Errors
/// `Σ x_h` differs from `total` by one unit or more (a bug upstream), or a value is negative or
/// not finite.
pub fn round_largest_remainder(x: &[f64], total: u64, upper: &[u64]) -> Result<Vec<u64>> {
    if x.iter().any(|v| !v.is_finite() || *v < 0.0) {
        return Err(Error::Internal(format!("cannot round allocation {x:?}")));
    }
    let snapped: Vec<f64> = x
        .iter()
        .map(|&v| if (v - v.round()).abs() < tol::INTEGER_SNAP { v.round() } else { v })
        .collect();
    let mut n: Vec<u64> = snapped.iter().map(|v| v.floor() as u64).collect();
    let floor_sum: u64 = n.iter().sum();
    let missing = total.checked_sub(floor_sum).ok_or_else(|| {
        Error::Internal(format!("allocation floors sum to {floor_sum} > total {total}"))
    })? as usize;
    let mut order: Vec<usize> = (0..x.len()).filter(|&h| n[h] < upper[h]).collect();
    // Stable sort: ties keep the earlier stratum first.
    order.sort_by(|&a, &b| {
        let fa = snapped[a] - snapped[a].floor();
        let fb = snapped[b] - snapped[b].floor();
        fb.total_cmp(&fa)
    });
    if order.len() < missing {
        return Err(Error::Internal(format!(
            "largest remainder: {missing} units to give but {} strata can take one",
            order.len()
        )));
    }
    for &h in &order[..missing] {
        n[h] += 1;
    }
    Ok(n)
}
