//! `ponder model --config M.yaml --input IN --output OUT`

use super::Ui;
use crate::bind::model::{check_columns, compute};
use crate::config::model::ModelConfig;
use crate::error::Result;
use crate::report::table::{check_table_path, write_models};
use std::path::PathBuf;

/// Arguments of `ponder model`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  ponder model --config models.yaml --input weighted.csv \
    --output models.csv\n\nOUT by extension: .csv, .tsv, .parquet, .md (Markdown), .json")]
pub struct Args {
    /// Model configuration (YAML): design, models (GLMs), tests (chisq, differences).
    #[arg(long, short)]
    pub config: PathBuf,
    /// Weighted data (.csv, .tsv or .parquet).
    #[arg(long, short)]
    pub input: PathBuf,
    /// Result table: .csv, .tsv, .parquet, .md or .json.
    #[arg(long, short)]
    pub output: PathBuf,
}

/// Fits the models and runs the tests.
///
/// # Errors
/// Bad config or data, a model that cannot be fitted (exit 1), with the culprit named.
pub fn run(args: &Args, ui: &Ui, written: &crate::data::WriteOptions) -> Result<()> {
    let cfg = ModelConfig::load(&args.config)?;
    check_table_path(&args.output, &[&args.input, &args.config])?;
    let names = crate::bind::model::named_columns(&cfg).into_iter().map(|(_, c)| c).collect();
    let table = super::estimate::read_named(&cfg.design, names, &args.input)?;
    check_columns(&cfg, &table)?;
    let checked = crate::bind::codebook::model_labels(&cfg, &table)?;
    let rows = compute(&cfg, &table)?;
    for w in &checked.warnings {
        eprintln!("{w}");
    }
    write_models(&args.output, &rows, written)?;
    ui.say(format!("{} row(s) written to {}", rows.len(), args.output.display()));
    Ok(())
}
