//! The data files committed under `notebooks-data/`, as the generators give them: the
//! notebooks' register (`frame.csv`) and the FEJ census margins (`census_margins.csv`, and
//! the YAML numbers of `calibration/fej2024.yaml`).
//!
//! Tests check the committed files are byte-identical to these; `cargo run --example
//! regenerate_notebook_data -- <frame|census|census-yaml>` rewrites (or prints) them.

use super::{fej_margins, generate_frame};
use crate::error::{Error, Result};

/// Rows of `notebooks-data/frame.csv`.
pub const FRAME_ROWS: usize = 20_000;

/// Seed of `notebooks-data/frame.csv`.
pub const FRAME_SEED: u64 = 2024;

/// Decimals of the percentages written to `census_margins.csv` and `fej2024.yaml`.
pub const CENSUS_DECIMALS: u32 = 6;

/// The bytes of `notebooks-data/frame.csv`: `generate_frame(FRAME_ROWS, FRAME_SEED)` written
/// by [`PersonFrame::write_csv`](super::PersonFrame::write_csv).
///
/// # Errors
/// As [`generate_frame`].
pub fn frame_csv() -> Result<Vec<u8>> {
    let f = generate_frame(FRAME_ROWS, FRAME_SEED)?;
    let mut buf = Vec::new();
    f.write_csv(&mut buf).map_err(|e| Error::Internal(format!("writing the frame: {e}")))?;
    Ok(buf)
}

/// The bytes of `notebooks-data/census_margins.csv`: [`fej_margins`] written by
/// [`CensusMargins::write_csv`](super::CensusMargins::write_csv) with [`CENSUS_DECIMALS`].
///
/// # Errors
/// As [`CensusMargins::write_csv`](super::CensusMargins::write_csv).
pub fn census_margins_csv() -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    fej_margins().write_csv(&mut buf, CENSUS_DECIMALS)?;
    Ok(buf)
}

/// The `population_total:` and `margins:` entries of `calibration/fej2024.yaml`
/// ([`CensusMargins::to_yaml`](super::CensusMargins::to_yaml) with [`CENSUS_DECIMALS`]).
///
/// # Errors
/// As [`CensusMargins::to_yaml`](super::CensusMargins::to_yaml).
pub fn census_margins_yaml() -> Result<String> {
    fej_margins().to_yaml(CENSUS_DECIMALS)
}
