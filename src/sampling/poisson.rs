//! Poisson sampling: independent Bernoulli(π_k) trials (Hájek 1964). The sample size is
//! random, E(n) = Σ π_k; certainty units (π_k = 1) are always drawn.

use indicatif::ProgressBar;
use rand_chacha::ChaCha8Rng;

use crate::error::Result;
use crate::sampling::progress::Ticker;
use crate::sampling::rng::uniform;
use crate::sampling::validate::probabilities;
use crate::sampling::{OUT_OF_SCOPE, Sample, Strata};

/// Poisson selection: row k is drawn when U_k < π_k, U_k ~ U[0, 1) independent, in frame
/// order (one uniform per in-scope row).
///
/// # Errors
/// π outside [0, 1] for an in-scope row.
pub fn select_poisson(
    pi: &[f64],
    strata: &Strata,
    rng: &mut ChaCha8Rng,
    progress: Option<&ProgressBar>,
) -> Result<Sample> {
    let codes = strata.codes();
    probabilities(pi, codes)?;
    let mut rows = Vec::new();
    let mut ticker = Ticker::new(progress, "poisson");
    for (k, (&c, &p)) in codes.iter().zip(pi).enumerate() {
        ticker.tick();
        if c != OUT_OF_SCOPE && uniform(rng) < p {
            rows.push(k);
        }
    }
    Ok(Sample::from_rows(rows, strata, |r| pi[r]))
}
