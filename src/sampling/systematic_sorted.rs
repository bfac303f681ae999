//! Systematic πps on a declared sort order, without materializing the sorted frame.
//!
//! When the sort keys are code columns of small range (region × department × age), the
//! sorted frame is a sequence of buckets — one per (stratum, key combination) — each holding
//! its rows in frame order (the sort is stable). Systematic sampling only needs, for every
//! unit, where its interval [C_{k−1}, C_k) lies on the cumulated-π axis of its stratum:
//! 1. one pass over the frame sums π per bucket;
//! 2. the bucket boundaries are the prefix sums of those totals within each stratum, and the
//!    first selection point u + t of each bucket follows from its lower boundary;
//! 3. a second pass in frame order walks each bucket's units with a running sum, exactly as
//!    the sorted traversal would, and keeps the units whose interval holds the bucket's next
//!    point. The last unit of a bucket ends exactly on the bucket's upper boundary (and the
//!    last unit of a stratum on n_h), so that no point is lost to rounding between the two
//!    ways of summing.
//!
//! Two sequential passes and per-bucket counters instead of a permutation of N rows and a
//! random-access pass through it. Other keys fall back to [`sort_order`] and
//! [`select_systematic`].

use indicatif::ProgressBar;
use rand_chacha::ChaCha8Rng;

use crate::data::Factor;
use crate::error::Result;
use crate::sampling::order::{SortKey, sort_order};
use crate::sampling::progress::Ticker;
use crate::sampling::rng::uniform;
use crate::sampling::systematic::{integer_sums, select_systematic};
use crate::sampling::validate::{probabilities, same_length};
use crate::sampling::{OUT_OF_SCOPE, Sample, Strata};

/// Largest number of buckets (strata × key combinations) for the bucket method.
const MAX_BUCKETS: u64 = 1 << 23;

/// Systematic πps selection within strata on the order given by `keys` (first key first,
/// ties in frame order). Same sample distribution as [`select_systematic`] on
/// `sort_order(keys)`.
///
/// # Errors
/// As [`select_systematic`] and [`sort_order`].
pub fn select_systematic_sorted(
    pi: &[f64],
    strata: &Strata,
    keys: &[SortKey<'_>],
    rng: &mut ChaCha8Rng,
    progress: Option<&ProgressBar>,
) -> Result<Sample> {
    if keys.is_empty() {
        return select_systematic(pi, strata, None, rng, progress);
    }
    match bucket_layout(strata, keys)? {
        Some(layout) => by_buckets(pi, strata, &layout, rng, progress),
        None => {
            let order = sort_order(strata.n_rows(), keys)?;
            select_systematic(pi, strata, Some(&order), rng, progress)
        }
    }
}

/// Code columns and their ranges; bucket of row k = ((h K_1 + c_1(k)) K_2 + c_2(k))…
struct Layout<'a> {
    keys: Vec<(&'a [u32], u32)>,
    n_buckets: usize,
}

impl Layout<'_> {
    #[inline]
    fn bucket(&self, h: u32, k: usize) -> usize {
        let mut b = h as usize;
        for &(codes, range) in &self.keys {
            b = b * range as usize + codes[k] as usize;
        }
        b
    }
}

fn bucket_layout<'a>(strata: &Strata, keys: &[SortKey<'a>]) -> Result<Option<Layout<'a>>> {
    let codes = strata.codes();
    let mut product = strata.n_strata() as u64;
    let mut cols = Vec::with_capacity(keys.len());
    for key in keys {
        let SortKey::Codes { name, codes: c } = *key else {
            return Ok(None);
        };
        same_length(c.len(), codes.len(), name)?;
        // A missing code in scope: let `sort_order` report it.
        if (0..c.len()).any(|i| codes[i] != OUT_OF_SCOPE && c[i] == Factor::MISSING) {
            return Ok(None);
        }
        let range = (0..c.len())
            .filter(|&i| codes[i] != OUT_OF_SCOPE)
            .map(|i| c[i])
            .max()
            .map_or(1, |m| m + 1);
        product = product.saturating_mul(u64::from(range));
        if product > MAX_BUCKETS {
            return Ok(None);
        }
        cols.push((c, range));
    }
    Ok(Some(Layout { keys: cols, n_buckets: product as usize }))
}

fn by_buckets(
    pi: &[f64],
    strata: &Strata,
    layout: &Layout<'_>,
    rng: &mut ChaCha8Rng,
    progress: Option<&ProgressBar>,
) -> Result<Sample> {
    let codes = strata.codes();
    probabilities(pi, codes)?;
    let n_h = integer_sums(pi, strata)?;
    let h_count = strata.n_strata();
    let nb = layout.n_buckets;
    let per_stratum = nb / h_count.max(1);

    // Pass 1: π total and number of non-certainty units per bucket; certainty units.
    let mut total = vec![0.0f64; nb];
    let mut left = vec![0u32; nb];
    let mut points = n_h.clone();
    let mut rows = Vec::new();
    for (k, (&c, &p)) in codes.iter().zip(pi).enumerate() {
        if c == OUT_OF_SCOPE {
            continue;
        }
        if p >= 1.0 {
            rows.push(k);
            points[c as usize] -= 1;
            continue;
        }
        let b = layout.bucket(c, k);
        total[b] += p;
        left[b] += 1;
    }

    // Bucket boundaries (running sums within each stratum) and first point of each bucket.
    let start: Vec<f64> = (0..h_count).map(|_| uniform(rng)).collect();
    let mut end = vec![0.0f64; nb];
    let mut next = vec![0u64; nb];
    for h in 0..h_count {
        let range = h * per_stratum..(h + 1) * per_stratum;
        let last = range.clone().rev().find(|&b| left[b] > 0);
        let mut cum = 0.0;
        for b in range {
            next[b] = first_point(start[h], cum, points[h]);
            cum = if Some(b) == last { points[h] as f64 } else { cum + total[b] };
            end[b] = cum;
        }
    }

    // Pass 2: units in frame order within their bucket; `total` becomes the running sum.
    let mut run: Vec<f64> = total;
    for h in 0..h_count {
        let mut lower = 0.0;
        for b in h * per_stratum..(h + 1) * per_stratum {
            run[b] = lower;
            lower = end[b];
        }
    }
    let mut ticker = Ticker::new(progress, "systematic");
    for (k, (&c, &p)) in codes.iter().zip(pi).enumerate() {
        ticker.tick();
        if c == OUT_OF_SCOPE || p >= 1.0 {
            continue;
        }
        let h = c as usize;
        let b = layout.bucket(c, k);
        left[b] -= 1;
        let e = if left[b] == 0 { end[b] } else { run[b] + p };
        if next[b] < points[h] && start[h] + (next[b] as f64) < e {
            rows.push(k);
            next[b] += 1;
        }
        run[b] = e;
    }
    rows.sort_unstable();
    Ok(Sample::from_rows(rows, strata, |r| pi[r]))
}

/// Number of points u + t (t = 0, 1, …, points − 1) below `lower`, with the comparison the
/// unit test uses (`u + t < end`), so that bucket edges agree with the units' intervals.
fn first_point(u: f64, lower: f64, points: u64) -> u64 {
    let mut t = (lower - u).ceil().clamp(0.0, points as f64) as u64;
    while t > 0 && u + ((t - 1) as f64) >= lower {
        t -= 1;
    }
    while t < points && u + (t as f64) < lower {
        t += 1;
    }
    t
}
