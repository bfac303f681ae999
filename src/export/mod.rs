//! The researcher package: the weighted file as researchers of a secure access centre get
//! it, with what they need to reproduce the published estimates.
//!
//! | file | content |
//! |---|---|
//! | `data.csv`, `data.parquet` | the weighted file: final weight and replicate weights kept; the person id replaced by a random key; listed columns left out; coarsened columns grouped; rows in the order of the key |
//! | `codebook.yaml` | the codebook's entries of the columns kept as they are |
//! | `load.R` | R `survey::svrepdesign` with ponder's scale, rscales and centring, then the estimates |
//! | `load.do` | Stata `svyset` (replicate weights, same variance), then the estimates |
//! | `load.sas` | SAS `PROC SURVEYMEANS` with `REPWEIGHTS`, the method giving the same variance |
//! | `load.py` | Python, plain numpy formulas |
//! | `README.md` | the files, the variables, the variance conventions (scale, centring, degrees of freedom) |
//!
//! # Formula
//! Every script computes the replicate variance of ponder ([`crate::variance::replicates`]):
//! `v = scale · Σ_r rscale_r (θ_r − c)²`, c the mean of the replicate estimates θ_r, or the
//! full-sample estimate θ̂ when `mse`; θ_r is the estimate with replicate weight column r.
//!
//! The module works on a [`Table`] and a plain [`Plan`] (names already checked against the
//! table by the caller, `pipeline::export`); it writes every file into a temporary folder
//! beside the destination and renames it into place (module `package`).

mod coarsen;
mod codebook;
mod columns;
mod identifiers;
mod package;
mod readme;
mod scripts;

pub use coarsen::{Grouping, group_labels};
pub use columns::Kind;
pub use identifiers::random_keys;
pub use package::check_destination;

use crate::data::Table;
use crate::error::Result;
use std::path::{Path, PathBuf};

/// RNG stream of the random key (the pipeline uses 0 sample, 1 collection, 2 replicates).
pub const KEY_STREAM: u64 = 3;

/// A coarsened column: the exact variable, the column written, the grouping.
#[derive(Debug, Clone, PartialEq)]
pub struct Coarsening {
    /// The exact variable (not written).
    pub variable: String,
    /// The name of the grouped column.
    pub into: String,
    /// The grouping.
    pub grouping: Grouping,
}

/// The statistic a script reproduces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stat {
    /// Weighted total.
    Total,
    /// Weighted mean.
    Mean,
    /// Weighted share of a category.
    Proportion,
}

impl Stat {
    /// `total`, `mean`, `proportion`.
    pub fn name(self) -> &'static str {
        match self {
            Stat::Total => "total",
            Stat::Mean => "mean",
            Stat::Proportion => "proportion",
        }
    }
}

/// One estimate the loader scripts reproduce (rows with a missing value of the variable
/// are out of the domain, as ponder's `missing: drop`).
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptEstimate {
    /// Its name in ponder's table.
    pub name: String,
    /// The statistic.
    pub stat: Stat,
    /// The analysis variable.
    pub variable: String,
    /// Proportions: one category, or every category (`None`).
    pub category: Option<String>,
    /// Domain variables.
    pub by: Vec<String>,
}

/// The replicate variance convention of the weights (ponder's, R `survey`'s `svrVar`).
#[derive(Debug, Clone, PartialEq)]
pub struct Convention {
    /// Replicate type, as R names it (`bootstrap`, `JK1`, …).
    pub kind: String,
    /// Overall scale.
    pub scale: f64,
    /// Per-replicate factors.
    pub rscales: Vec<f64>,
    /// Deviations around the full-sample estimate (else the replicates' mean).
    pub mse: bool,
    /// Degrees of freedom of intervals (R − 1 unless declared).
    pub df: f64,
}

/// Everything the package needs, checked against the table.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Identifier column and the name of its random key.
    pub id: Option<(String, String)>,
    /// Columns left out (resolved names).
    pub drop: Vec<String>,
    /// Coarsened columns.
    pub coarsen: Vec<Coarsening>,
    /// Final weight column.
    pub weight: String,
    /// Replicate weight columns, in the order of `convention.rscales`.
    pub replicates: Vec<String>,
    /// The variance convention.
    pub convention: Convention,
    /// The estimates the scripts reproduce.
    pub estimates: Vec<ScriptEstimate>,
    /// Estimates of the configuration the scripts cannot reproduce, with the reason.
    pub skipped: Vec<(String, String)>,
    /// Analysis variables of the estimates and the declared missing-answer codes they may
    /// hold (`missing_codes:` of the estimates: not asked, item nonresponse, break-off):
    /// the scripts read them as missing values, which is ponder's `item_nonresponse:
    /// exclude` (the rows leave the domain).
    pub missing_codes: Vec<(String, Vec<String>)>,
    /// The codebook's `variables:` mapping, when there is one.
    pub codebook: Option<serde_yaml::Mapping>,
    /// Data formats (`csv`, `parquet`).
    pub formats: Vec<String>,
    /// Seed of the random key.
    pub seed: u64,
    /// Title of the README.
    pub title: String,
    /// How the data files are written (the Parquet codec).
    pub written: crate::data::WriteOptions,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The package folder.
    pub folder: PathBuf,
    /// Its files, in writing order.
    pub files: Vec<String>,
    /// Rows and columns of the data file.
    pub shape: (usize, usize),
}

/// Builds the package of `table` under `plan` and writes it as the folder `out` (replaced
/// when it holds an earlier package), atomically.
///
/// # Errors
/// A destination holding an input or another folder ([`check_destination`]); a value the
/// coarsening cannot group (named with its row); a write failure (nothing left behind).
pub fn write_package(table: &Table, plan: &Plan, out: &Path, inputs: &[&Path]) -> Result<Summary> {
    check_destination(out, inputs)?;
    let built = columns::build(table, plan)?;
    let files = package::files(plan, &built)?;
    package::write(out, &built, plan, files)
}
