//! `ponder export --config X.yaml --input weighted.parquet --out DIR [--seed N]`

use super::Ui;
use crate::config::export::ExportConfig;
use crate::data::Table;
use crate::error::Result;
use crate::pipeline::export::{Context, write};
use std::path::PathBuf;

/// Arguments of `ponder export`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  ponder export --config designs/fej2024_export.yaml \
    --input out/weighted.parquet --out out/researcher --seed 2024\n\n\
    Writes the researcher package as the folder OUT (replaced when it holds an earlier \
    package): data.csv / data.parquet (final and replicate weights; the identifier replaced \
    by a random key; listed columns dropped; coarsened columns grouped), codebook.yaml, \
    load.R, load.do, load.sas, load.py and README.md with the variance conventions.")]
pub struct Args {
    /// Export configuration (YAML): estimates (design), id, drop, coarsen, codebook.
    #[arg(long, short)]
    pub config: PathBuf,
    /// Weighted data (.csv, .tsv or .parquet).
    #[arg(long, short)]
    pub input: PathBuf,
    /// The package folder (its parent must exist).
    #[arg(long)]
    pub out: PathBuf,
    /// Seed of the random key (replaces the config's `seed:`).
    #[arg(long)]
    pub seed: Option<u64>,
}

/// Writes the package.
///
/// # Errors
/// Bad config or data (exit 1), with the culprit named.
pub fn run(args: &Args, ui: &Ui, written: &crate::data::WriteOptions) -> Result<()> {
    let mut cfg = ExportConfig::load(&args.config)?;
    if args.seed.is_some() {
        cfg.seed = args.seed;
    }
    let inputs = [args.input.as_path(), args.config.as_path()];
    crate::export::check_destination(&args.out, &inputs)?;
    let table = Table::read(&args.input)?;
    let ctx = Context { estimates: None, seed: None, title: "Survey", written: *written };
    let s = write(&cfg, ctx, &table, &args.out, &inputs)?;
    ui.say(format!(
        "researcher package: {} ({} rows, {} columns): {}",
        s.folder.display(),
        s.shape.0,
        s.shape.1,
        s.files.join(", ")
    ));
    Ok(())
}
