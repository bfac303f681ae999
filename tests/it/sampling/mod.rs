//! Sampling: reference cases (P12a, P12b), allocation, properties, simulations of the
//! inclusion probabilities, input errors, and the synthetic frame generator.

mod allocation;
mod errors;
mod frame;
mod properties;
mod reference;
mod simulation;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::common::{Csv, expected};

/// Column `name` of a fixture's data.csv as text.
fn column(case: &str, name: &str) -> Vec<String> {
    Csv::data(case).text(name)
}

/// Column `name` of a fixture's data.csv as numbers (empty → NaN).
fn numeric(case: &str, name: &str) -> Vec<f64> {
    Csv::data(case).numeric(name)
}

fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}
