//! Uniform draws used by the selection methods, written out so that a seed gives the same
//! sample whatever the version of `rand`'s distribution code.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Uniform on [0, 1) with 53 random bits.
#[inline]
pub(crate) fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Uniform integer in 0..=max (Lemire's multiply-shift with rejection, unbiased).
#[inline]
pub(crate) fn below_or_eq(rng: &mut ChaCha8Rng, max: u64) -> u64 {
    if max == u64::MAX {
        return rng.next_u64();
    }
    let range = max + 1;
    let threshold = range.wrapping_neg() % range;
    loop {
        let m = (rng.next_u64() as u128) * (range as u128);
        if (m as u64) >= threshold {
            return (m >> 64) as u64;
        }
    }
}
