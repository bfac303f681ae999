//! The random key replacing the person identifier, and the row order it gives.
//!
//! Each row gets 64 random bits from ChaCha8 (seed, stream [`super::KEY_STREAM`]), written as
//! 16 hexadecimal digits; a repeated draw is drawn again, so keys are unique. Rows are then
//! written in the order of their key: the file's order tells nothing about the sample's
//! (which often follows the identifier). Same seed, same keys and order; another seed,
//! other keys.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;

/// `n` distinct random keys (16 hexadecimal digits) for seed `seed`.
///
/// # Examples
/// ```
/// let a = ponder::export::random_keys(3, 7);
/// assert_eq!(a, ponder::export::random_keys(3, 7));
/// assert_ne!(a, ponder::export::random_keys(3, 8));
/// assert_eq!(a[0].len(), 16);
/// ```
pub fn random_keys(n: usize, seed: u64) -> Vec<String> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(super::KEY_STREAM);
    let mut seen: HashSet<u64> = HashSet::with_capacity(n);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let k = rng.next_u64();
        if seen.insert(k) {
            out.push(format!("{k:016x}"));
        }
    }
    out
}

/// Row indices sorted by key (keys are distinct, so the order is total).
pub(super) fn order_by(keys: &[String]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..keys.len()).collect();
    idx.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
    idx
}
