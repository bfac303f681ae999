//! Sampling: reference cases (P12a, P12b), allocation, properties, simulations of the
//! inclusion probabilities, input errors, and the synthetic frame generator.

mod allocation;
mod errors;
mod frame;
mod properties;
mod reference;
mod simulation;

use std::path::PathBuf;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Path of a fixture file of this module's reference cases.
fn fixture(case: &str, file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(case).join(file)
}

/// A tiny CSV reader for the fixtures (no quoted commas in them): header and rows of fields.
fn read_csv(case: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(fixture(case, "data.csv")).expect("fixture data.csv");
    let mut lines = text.lines();
    let header = lines.next().expect("header").split(',').map(str::to_owned).collect();
    let rows = lines.map(|l| l.split(',').map(str::to_owned).collect()).collect();
    (header, rows)
}

/// Column `name` of a fixture CSV as text.
fn column(case: &str, name: &str) -> Vec<String> {
    let (header, rows) = read_csv(case);
    let j = header.iter().position(|h| h == name).expect("column");
    rows.into_iter().map(|mut r| std::mem::take(&mut r[j])).collect()
}

/// Column `name` of a fixture CSV as numbers (empty → NaN).
fn numeric(case: &str, name: &str) -> Vec<f64> {
    column(case, name).iter().map(|v| v.parse().unwrap_or(f64::NAN)).collect()
}

fn expected(case: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(fixture(case, "expected.json")).expect("expected.json");
    serde_json::from_str(&text).expect("json")
}

fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}
