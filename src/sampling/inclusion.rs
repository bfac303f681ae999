//! First-order inclusion probabilities proportional to a size measure, capped at 1.

use crate::tolerance as tol;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::sampling::validate::positive_sizes;
use crate::sampling::{OUT_OF_SCOPE, Strata};

/// Inclusion probabilities of every frame row (0 for rows out of scope).
#[derive(Debug, Clone, PartialEq)]
pub struct InclusionProbabilities {
    /// π_k per frame row.
    pub pi: Vec<f64>,
    /// Rows with π_k = 1 (certainty units), ascending.
    pub certainty: Vec<usize>,
    /// Number of capping rounds that changed something (0 when no π reached 1).
    pub capping_rounds: usize,
}

/// Summary of the capping, for reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CappingSummary {
    /// Number of certainty units (π = 1).
    pub certainty_units: usize,
    /// Number of capping rounds.
    pub capping_rounds: usize,
}

impl InclusionProbabilities {
    /// Summary for reports.
    pub fn summary(&self) -> CappingSummary {
        CappingSummary {
            certainty_units: self.certainty.len(),
            capping_rounds: self.capping_rounds,
        }
    }
}

/// π_k ∝ size_k with Σ π_k = n, capped at 1 (R `sampling::inclusionprobabilities`).
///
/// # Formula
/// π_k = n x_k / Σ_U x. While some π_k ≥ 1: set them to 1 (certainty units) and give the
/// others π_k = (n − #certainty) π_k / Σ_{non-certainty} π; repeat until no new π_k ≥ 1
/// (π_k ≥ 1 − 1e-10 counts as 1, so that capping is idempotent in floating point).
/// The arithmetic follows R's so that results agree to the last bits.
///
/// # Errors
/// A missing (NaN), zero, negative or infinite size, naming the rows and `column`; n larger
/// than the number of rows, or not positive.
pub fn inclusion_probabilities(
    size: &[f64],
    n: f64,
    column: &str,
) -> Result<InclusionProbabilities> {
    let strata = Strata::single(size.len());
    let n_h = [n];
    stratified_impl(size, &strata, &n_h, column)
}

/// [`inclusion_probabilities`] within each stratum h with Σ_{k∈h} π_k = n_h. Rows out of
/// scope get π = 0 and their size is not looked at.
///
/// # Errors
/// As [`inclusion_probabilities`]; n_h > N_h names the stratum.
pub fn inclusion_probabilities_stratified(
    size: &[f64],
    strata: &Strata,
    n_h: &[u64],
    column: &str,
) -> Result<InclusionProbabilities> {
    let n: Vec<f64> = n_h.iter().map(|&v| v as f64).collect();
    stratified_impl(size, strata, &n, column)
}

/// Equal probabilities π_k = n_h / N_h within each stratum (0 out of scope).
///
/// # Errors
/// n_h > N_h, naming the stratum.
pub fn equal_probabilities(strata: &Strata, n_h: &[u64]) -> Result<Vec<f64>> {
    check_sizes(strata, n_h.iter().map(|&v| v as f64).collect::<Vec<_>>().as_slice())?;
    let p: Vec<f64> =
        n_h.iter().zip(strata.sizes()).map(|(&n, &big)| n as f64 / big as f64).collect();
    Ok(strata
        .codes()
        .iter()
        .map(|&c| if c == OUT_OF_SCOPE { 0.0 } else { p[c as usize] })
        .collect())
}

fn check_sizes(strata: &Strata, n_h: &[f64]) -> Result<()> {
    if n_h.len() != strata.n_strata() {
        return Err(Error::Internal(format!(
            "{} sizes for {} strata",
            n_h.len(),
            strata.n_strata()
        )));
    }
    for (h, (&n, &big)) in n_h.iter().zip(strata.sizes()).enumerate() {
        if !(n >= 0.0 && n.is_finite()) {
            return Err(Error::method(
                "sampling",
                format!("sample size of stratum `{}` is {n}: it must be ≥ 0", strata.labels()[h]),
            ));
        }
        if n > big as f64 {
            let what = if strata.n_strata() == 1 {
                format!("n = {n} exceeds the frame size N = {big} (units in scope)")
            } else {
                format!("stratum `{}`: n_h = {n} exceeds N_h = {big}", strata.labels()[h])
            };
            return Err(Error::method("sampling", format!("{what}; lower the sample size")));
        }
    }
    Ok(())
}

fn stratified_impl(
    size: &[f64],
    strata: &Strata,
    n_h: &[f64],
    column: &str,
) -> Result<InclusionProbabilities> {
    let codes = strata.codes();
    check_sizes(strata, n_h)?;
    positive_sizes(size, codes, column)?;
    let h_count = strata.n_strata();
    let mut total = vec![0.0; h_count];
    for (&c, &x) in codes.iter().zip(size) {
        if c != OUT_OF_SCOPE {
            total[c as usize] += x;
        }
    }
    // π = (n x) / Σ x, as R evaluates `n * a / sum(a)`.
    let mut pi: Vec<f64> = codes
        .iter()
        .zip(size)
        .map(
            |(&c, &x)| {
                if c == OUT_OF_SCOPE { 0.0 } else { n_h[c as usize] * x / total[c as usize] }
            },
        )
        .collect();
    let mut n_cert = count_certain(codes, &pi, h_count);
    let mut rounds = 0;
    let mut changed = n_cert.iter().any(|&c| c > 0);
    while changed {
        rounds += 1;
        // Units flagged so far are set to 1; the others of each stratum are rescaled to
        // n_h − #certainty: π_k ← (n_h − l_h) · π_k / Σ_{non-certainty} π (R's order of
        // operations).
        let mut rest = vec![0.0; h_count];
        for (&c, p) in codes.iter().zip(pi.iter_mut()) {
            if c == OUT_OF_SCOPE {
                continue;
            }
            if *p >= 1.0 - tol::CERTAINTY {
                *p = 1.0;
            } else {
                rest[c as usize] += *p;
            }
        }
        for (&c, p) in codes.iter().zip(pi.iter_mut()) {
            if c == OUT_OF_SCOPE || *p == 1.0 {
                continue;
            }
            let h = c as usize;
            // (A stratum with rest = 0 has n_h = #certainty: its other units keep π = 0.)
            if rest[h] > 0.0 {
                *p = (n_h[h] - n_cert[h] as f64) * (*p / rest[h]);
            }
        }
        let new_cert = count_certain(codes, &pi, h_count);
        changed = new_cert != n_cert;
        n_cert = new_cert;
    }
    let mut certainty = Vec::new();
    if n_cert.iter().any(|&c| c > 0) {
        for (i, (&c, p)) in codes.iter().zip(pi.iter_mut()).enumerate() {
            if c != OUT_OF_SCOPE && *p >= 1.0 - tol::CERTAINTY {
                *p = 1.0;
                certainty.push(i);
            }
        }
    }
    Ok(InclusionProbabilities { pi, certainty, capping_rounds: rounds })
}

fn count_certain(codes: &[u32], pi: &[f64], h_count: usize) -> Vec<usize> {
    let mut n = vec![0; h_count];
    for (&c, &p) in codes.iter().zip(pi) {
        if c != OUT_OF_SCOPE && p >= 1.0 - tol::CERTAINTY {
            n[c as usize] += 1;
        }
    }
    n
}
