//! The researcher package (`ponder export`, issue 16): nothing identifying leaves, the
//! package is deterministic for a seed, the loader scripts reproduce ponder's estimates
//! (R and Python run where installed; Stata and SAS checked against snapshots), bad input
//! is refused by name.
//!
//! The fixture (`tests/fixtures/export/`): 240 persons with an identifier `PX-0001-ZQ`…, a
//! phone number, design columns, answers with missing values, a final weight (0 for
//! non-respondents) and 20 bootstrap replicate weights.

mod fej;
mod package;
mod scripts;

use ponder::config::export::ExportConfig;
use ponder::data::Table;
use ponder::export::Summary;
use ponder::pipeline::export::{Context, write};
use std::path::{Path, PathBuf};

/// A loader script's (estimate, SE) against ponder's: the estimate within 1e-9 · max(|e|, 1),
/// the SE to 1e-6 relative; a failure names `what` and both values.
#[track_caller]
pub fn assert_same_estimate(what: &str, (ge, gse): (f64, f64), (e, se): (f64, f64)) {
    assert!(
        approx::relative_eq!(ge, e, epsilon = 1e-9, max_relative = 1e-9),
        "{what}: estimate {ge} vs ponder {e}"
    );
    assert!(
        approx::relative_eq!(gse, se, epsilon = 0.0, max_relative = 1e-6),
        "{what}: se {gse} vs ponder {se}"
    );
}

/// Path of a fixture file of the export tests.
pub fn fixture(file: &str) -> PathBuf {
    PathBuf::from(crate::common::fixture("export", file))
}

/// Exports the fixture (`export.yaml`, seed replaced when given) into `out`.
pub fn export_fixture(out: &Path, seed: Option<u64>) -> ponder::Result<Summary> {
    export_with(&fixture("export.yaml"), out, seed)
}

/// Exports the fixture's weighted file with the configuration `config` into `out`.
pub fn export_with(config: &Path, out: &Path, seed: Option<u64>) -> ponder::Result<Summary> {
    let mut cfg = ExportConfig::load(config)?;
    if seed.is_some() {
        cfg.seed = seed;
    }
    let input = fixture("weighted.csv");
    let table = Table::read(&input)?;
    let ctx = Context {
        estimates: None,
        seed: None,
        title: "Test survey",
        written: ponder::data::WriteOptions::default(),
    };
    write(&cfg, ctx, &table, out, &[&input, config])
}

/// Every file of a folder with its bytes, sorted by name.
pub fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().to_string(), std::fs::read(e.path()).unwrap()))
        .collect();
    v.sort();
    v
}
