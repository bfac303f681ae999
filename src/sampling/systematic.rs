//! Systematic sampling with unequal probabilities (Madow 1949) on a declared order.
//!
//! In each stratum, the units are laid end to end in the sort order as intervals of length
//! π_k; a random start u ~ U[0, 1) and the points u, u + 1, ..., u + n_h − 1 select the units
//! whose interval contains a point. Every unit with π_k ≤ 1 contains at most one point, with
//! probability exactly π_k, and exactly n_h = Σ π_k units are drawn. Certainty units (π_k = 1)
//! are taken out first and the others laid out with n_h − #certainty points: the same
//! selection, with no floating-point risk of missing a certainty unit. The last unit of each
//! stratum closes its interval at exactly n_h, so rounding in the cumulated sums cannot lose a
//! unit. One pass over the order, one random start per stratum.

use crate::tolerance as tol;
use indicatif::ProgressBar;
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};
use crate::sampling::progress::Ticker;
use crate::sampling::rng::uniform;
use crate::sampling::validate::probabilities;
use crate::sampling::{OUT_OF_SCOPE, Sample, Strata};

/// Systematic πps selection within strata.
///
/// `pi` holds π_k for every frame row (ignored out of scope), e.g. from
/// [`crate::sampling::inclusion_probabilities_stratified`]; `order` is a permutation of the
/// frame rows (see [`crate::sampling::sort_order`]), `None` for frame order.
///
/// # Errors
/// π outside [0, 1]; a stratum whose Σ π_k is not an integer (naming it); `order` not a
/// permutation of the rows.
pub fn select_systematic(
    pi: &[f64],
    strata: &Strata,
    order: Option<&[u32]>,
    rng: &mut ChaCha8Rng,
    progress: Option<&ProgressBar>,
) -> Result<Sample> {
    let codes = strata.codes();
    probabilities(pi, codes)?;
    if let Some(o) = order {
        check_permutation(o, codes.len())?;
    }
    let n_h = integer_sums(pi, strata)?;
    let h_count = strata.n_strata();
    // Non-certainty units and their points per stratum.
    let mut left = strata.sizes().to_vec();
    let mut points = n_h.clone();
    for (&c, &p) in codes.iter().zip(pi) {
        if c != OUT_OF_SCOPE && p >= 1.0 {
            left[c as usize] -= 1;
            points[c as usize] -= 1;
        }
    }
    let start: Vec<f64> = (0..h_count).map(|_| uniform(rng)).collect();
    let mut cum = vec![0.0f64; h_count];
    let mut taken = vec![0u64; h_count];
    let mut selected = vec![false; codes.len()];
    let mut ticker = Ticker::new(progress, "systematic");
    let mut visit = |k: usize| {
        ticker.tick();
        let c = codes[k];
        if c == OUT_OF_SCOPE {
            return;
        }
        let h = c as usize;
        let p = pi[k];
        if p >= 1.0 {
            selected[k] = true;
            return;
        }
        left[h] -= 1;
        let end = if left[h] == 0 { points[h] as f64 } else { cum[h] + p };
        if taken[h] < points[h] && start[h] + (taken[h] as f64) < end {
            selected[k] = true;
            taken[h] += 1;
        }
        cum[h] = end;
    };
    match order {
        Some(o) => o.iter().for_each(|&k| visit(k as usize)),
        None => (0..codes.len()).for_each(&mut visit),
    }
    let rows: Vec<usize> = (0..codes.len()).filter(|&k| selected[k]).collect();
    Ok(Sample::from_rows(rows, strata, |r| pi[r]))
}

/// n_h = Σ_{k∈h} π_k, which must be an integer.
pub(crate) fn integer_sums(pi: &[f64], strata: &Strata) -> Result<Vec<u64>> {
    let mut sum = vec![0.0f64; strata.n_strata()];
    for (&c, &p) in strata.codes().iter().zip(pi) {
        if c != OUT_OF_SCOPE {
            sum[c as usize] += p;
        }
    }
    sum.iter()
        .enumerate()
        .map(|(h, &s)| {
            let n = s.round();
            if (s - n).abs() > tol::INTEGER_SUM_RTOL * n.max(1.0) {
                Err(Error::method(
                    "sampling",
                    format!(
                        "stratum `{}`: the inclusion probabilities sum to {s}, not an integer; \
                         a fixed-size method needs Σ π = n_h (compute π with n_h)",
                        strata.labels()[h]
                    ),
                ))
            } else {
                Ok(n as u64)
            }
        })
        .collect()
}

fn check_permutation(order: &[u32], n: usize) -> Result<()> {
    let mut seen = vec![false; n];
    for &k in order {
        let k = k as usize;
        if k >= n || seen[k] {
            return Err(Error::Internal(format!(
                "sort order is not a permutation of the {n} frame rows (row {k})"
            )));
        }
        seen[k] = true;
    }
    if order.len() != n {
        return Err(Error::Internal(format!("sort order has {} rows, the frame {n}", order.len())));
    }
    Ok(())
}
