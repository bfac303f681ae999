//! Stratified simple random sampling without replacement, exact n_h.
//!
//! Two steps, linear in N and with no per-row random draw when fractions are small:
//! 1. in each stratum, draw the sorted ranks (0-based positions among the stratum's in-scope
//!    rows, in frame order) of the n_h selected units — Floyd's algorithm (Bentley & Floyd
//!    1987) when n_h ≤ N_h/16, otherwise Knuth's selection sampling (Algorithm S, TAOCP 3.4.2,
//!    the sequential selection–rejection method of Fan, Muller & Rezucha 1962);
//! 2. one pass over the stratum codes, counting each stratum's rank and keeping the rows whose
//!    rank was drawn.
//!
//! Both give every subset of size n_h the same probability, hence π_k = n_h / N_h.

use std::collections::HashSet;

use indicatif::ProgressBar;
use rand_chacha::ChaCha8Rng;

use crate::error::{Error, Result};
use crate::sampling::progress::Ticker;
use crate::sampling::rng::{below_or_eq, uniform};
use crate::sampling::{OUT_OF_SCOPE, Sample, Strata};

/// Draws an SRSWOR of exactly `n_h[h]` units in every stratum h.
///
/// # Errors
/// n_h > N_h, naming the stratum; a size vector of the wrong length.
pub fn select_srswor(
    strata: &Strata,
    n_h: &[u64],
    rng: &mut ChaCha8Rng,
    progress: Option<&ProgressBar>,
) -> Result<Sample> {
    check(strata, n_h)?;
    let sizes = strata.sizes();
    // Flat sorted ranks with offsets: stratum h owns ranks[start[h]..start[h + 1]].
    let mut start = Vec::with_capacity(n_h.len() + 1);
    let mut ranks: Vec<u64> = Vec::with_capacity(n_h.iter().sum::<u64>() as usize);
    for (h, &n) in n_h.iter().enumerate() {
        start.push(ranks.len());
        draw_ranks(sizes[h], n, rng, &mut ranks);
    }
    start.push(ranks.len());

    let mut next = start[..n_h.len()].to_vec();
    let mut seen = vec![0u64; n_h.len()];
    let mut rows = Vec::with_capacity(ranks.len());
    let mut ticker = Ticker::new(progress, "srswor");
    for (i, &c) in strata.codes().iter().enumerate() {
        ticker.tick();
        if c == OUT_OF_SCOPE {
            continue;
        }
        let h = c as usize;
        let j = next[h];
        if j < start[h + 1] && ranks[j] == seen[h] {
            rows.push(i);
            next[h] = j + 1;
        }
        seen[h] += 1;
    }
    let p: Vec<f64> = n_h.iter().zip(sizes).map(|(&n, &big)| n as f64 / big as f64).collect();
    let codes = strata.codes();
    Ok(Sample::from_rows(rows, strata, |r| p[codes[r] as usize]))
}

fn check(strata: &Strata, n_h: &[u64]) -> Result<()> {
    if n_h.len() != strata.n_strata() {
        return Err(Error::Internal(format!(
            "{} sizes for {} strata",
            n_h.len(),
            strata.n_strata()
        )));
    }
    for (h, (&n, &big)) in n_h.iter().zip(strata.sizes()).enumerate() {
        if n > big {
            return Err(Error::method(
                "sampling",
                format!(
                    "stratum `{}`: n_h = {n} exceeds N_h = {big} units in scope; lower n_h",
                    strata.labels()[h]
                ),
            ));
        }
    }
    Ok(())
}

/// Appends n sorted distinct ranks drawn uniformly from 0..big.
fn draw_ranks(big: u64, n: u64, rng: &mut ChaCha8Rng, out: &mut Vec<u64>) {
    if n == big {
        out.extend(0..big);
    } else if n.saturating_mul(16) <= big {
        // Floyd: for j = big − n .. big − 1, draw t in 0..=j; keep t, or j if t is taken.
        let first = out.len();
        let mut set: HashSet<u64> = HashSet::with_capacity(n as usize);
        for j in (big - n)..big {
            let t = below_or_eq(rng, j);
            let v = if set.insert(t) { t } else { j };
            if v == j {
                set.insert(j);
            }
            out.push(v);
        }
        out[first..].sort_unstable();
    } else {
        // Algorithm S: keep rank t with probability (still needed) / (still available).
        let mut needed = n;
        for t in 0..big {
            if needed == 0 {
                break;
            }
            if uniform(rng) * ((big - t) as f64) < needed as f64 {
                out.push(t);
                needed -= 1;
            }
        }
    }
}
