//! # ponder — survey weighting and design-based estimation
//!
//! The survey chain, one module per step:
//!
//! ```text
//! files ─► data ─► sampling ─► nonresponse ─► calibration ─► variance ─► estimate ─► report
//! ```
//!
//! - [`data`]: the only module touching polars: read CSV/TSV/Parquet into typed columns, write
//!   outputs atomically.
//! - [`config`]: YAML → raw serde structs → validated domain types.
//! - [`sampling`]: allocation, inclusion probabilities, selection (SRSWOR, systematic πps,
//!   Poisson, cube).
//! - [`nonresponse`]: response propensity, homogeneity groups, reweighting.
//! - [`calibration`]: distances, Newton solver, IPF raking, feasibility diagnostics.
//! - [`design`], [`variance`], [`estimate`]: the survey design, linearization and replicate
//!   variance, estimators with SE/CI/CV/deff.
//! - [`report`]: JSON/HTML reports and tables.
//! - [`cli`]: the `ponder` command line (a thin layer over the above).

pub mod bind;
pub mod calibration;
pub mod cli;
pub mod config;
pub mod data;
pub mod design;
pub mod error;
pub mod estimate;
pub mod hint;
pub mod linalg;
pub mod model;
pub mod nonresponse;
pub mod pipeline;
pub mod report;
pub mod sampling;
pub mod simulate;
pub mod tolerance;
pub mod variance;

pub use error::{ConfigProblem, Error, Result};
