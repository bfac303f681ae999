#![warn(missing_docs)]
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
//! - [`config`]: YAML → raw serde structs → validated plain specs (no data).
//! - [`bind`]: a spec checked against the data → the library's objects (one function per
//!   step, shared by the step commands and the pipeline).
//! - [`sampling`]: allocation, inclusion probabilities, selection (SRSWOR, systematic πps,
//!   Poisson, cube).
//! - [`nonresponse`]: response propensity, homogeneity groups, reweighting.
//! - [`calibration`]: distances, Newton solver, IPF raking, feasibility diagnostics.
//! - [`design`], [`variance`], [`estimate`]: the survey design, linearization and replicate
//!   variance, estimators with SE/CI/CV/deff.
//! - [`report`]: JSON/HTML reports and tables.
//! - [`cli`]: the `ponder` command line (a thin layer over the above).
//!
//! The layers read one way (see `docs/architecture.md`): [`config`] reads YAML into plain
//! specs, [`bind`] checks a spec against the data and builds the library's objects, the
//! compute modules ([`sampling`], [`nonresponse`], [`calibration`], [`design`],
//! [`variance`], [`estimate`], [`model`]) work on columns, [`report`] writes; [`pipeline`]
//! chains the steps and [`cli`] is a thin layer on top. Numeric cut-offs live in
//! [`tolerance`], the one generalized inverse in [`linalg`].
//!
//! # Example: read → calibrate → estimate
//!
//! The bundled example (`notebooks-data/example.csv`, `calibration/example.yaml`): raking
//! to census margins, then the share of respondents who trust justice, with its standard
//! error linearized on the calibration residuals (as R `survey`'s `calibrate()` +
//! `svymean`).
//!
//! ```
//! use std::path::Path;
//! use ponder::bind::calibration::{self, Replicates};
//! use ponder::config::calibrate::CalibrationConfig;
//! use ponder::data::Table;
//! use ponder::design::{Categorical, Design, DesignSpec};
//! use ponder::estimate::{EstimateSpec, Publication, Statistic, VarianceSource, estimate};
//! use ponder::variance::{CalibrationStep, Linearization};
//!
//! # fn main() -> ponder::Result<()> {
//! // Read: the data and the calibration spec (YAML only, nothing checked against data yet).
//! let table = Table::read(Path::new("notebooks-data/example.csv"))?;
//! let cfg = CalibrationConfig::load(Path::new("calibration/example.yaml"))?;
//! // Bind and compute: margins checked against the table, then raking.
//! let d = table.numeric(&cfg.weight)?;
//! let out = calibration::run(&cfg, &table, d.clone(), Replicates::Columns, None)?;
//! let w = out.calibration.weights.clone();
//!
//! // The design of d, calibrated to w: the variance uses the calibration residuals.
//! let design = Design::new(DesignSpec::with_weights(&cfg.weight, d))?;
//! let step = CalibrationStep::Regression { model: out.problem.model_columns().columns };
//! let lin = Linearization::new(design).calibrated(w, step)?;
//!
//! let trust = Categorical::new("trust", table.factor("trust")?);
//! let stat = Statistic::Proportion { variable: &trust, category: Some("1") };
//! let rows = estimate(
//!     &VarianceSource::Linearization(&lin),
//!     &EstimateSpec::new("trust", stat),
//!     &Publication::default(),
//! )?;
//! let share = &rows[0];
//! assert!(share.estimate > 0.0 && share.estimate < 1.0);
//! assert!(share.se > 0.0 && share.se < 0.05);
//! # Ok(())
//! # }
//! ```

pub mod bind;
pub mod calibration;
pub mod cli;
pub mod config;
pub mod data;
pub mod design;
pub mod error;
pub mod estimate;
pub mod export;
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
