//! `ponder nonresponse --config N.yaml --input SAMPLE --output ADJUSTED [--report R.json]`

use super::Ui;
use crate::bind;
use crate::config::nonresponse::NonresponseConfig;
use crate::data::{Table, WriteOptions, check_output_path};
use crate::error::Result;
use crate::pipeline::steps::{add_nonresponse_columns, adjust_nonresponse};
use serde::Serialize;
use std::path::PathBuf;

/// Arguments of `ponder nonresponse`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  ponder nonresponse --config designs/fej2024_nonresponse.yaml \
    --input collected.csv --output adjusted.csv --report nonresponse.json")]
pub struct Args {
    /// Nonresponse configuration (YAML): weight, status codes, method, model, groups.
    #[arg(long, short)]
    pub config: PathBuf,
    /// Sample with the collection outcome (.csv, .tsv, .parquet): every sampled unit.
    #[arg(long, short)]
    pub input: PathBuf,
    /// Output: every sampled row plus `<output>` (adjusted weight, 0 for non-respondents and
    /// ineligibles), `<output>_propensity`, `<output>_group`, `<output>_phase`.
    #[arg(long, short)]
    pub output: PathBuf,
    /// Report (JSON): response rates by phase and group, profiles, R-indicators, factors.
    #[arg(long, short)]
    pub report: Option<PathBuf>,
}

#[derive(Serialize)]
struct Report<'a> {
    config: String,
    input: String,
    #[serde(flatten)]
    adjustment: &'a crate::nonresponse::Report,
    replicate_notes: Vec<String>,
}

/// Runs the adjustment.
///
/// # Errors
/// Bad config or data (exit 1): undeclared status codes, groups without respondents,
/// separation, missing predictors...
pub fn run(args: &Args, ui: &Ui, written: &WriteOptions) -> Result<()> {
    let cfg = NonresponseConfig::load(&args.config)?;
    check_output_path(&args.output, &[&args.input, &args.config])?;
    if let Some(r) = &args.report {
        crate::report::check_report_path(r, &[&args.input, &args.config, &args.output])?;
    }
    let mut table = Table::read(&args.input)?;
    let d = bind::nonresponse::design_weights(&cfg, &table)?;
    let reps = bind::nonresponse::replicate_weights(&cfg, &table)?;
    let (adj, rep_adj) = adjust_nonresponse(&cfg, &table, &d, &reps)?;
    let o = &cfg.output;
    let names: Vec<String> = reps.iter().map(|(n, _)| n.clone()).collect();
    add_nonresponse_columns(&mut table, o, &adj, rep_adj.as_ref().map(|r| (names.as_slice(), r)))?;
    table.write_with(&args.output, written)?;
    let respondents = adj.weights.iter().filter(|w| **w > 0.0).count();
    ui.say(format!(
        "adjusted `{}` for nonresponse ({}): {respondents} respondent(s) of {} sampled; wrote `{o}` to {}",
        cfg.weight,
        cfg.status,
        table.n_rows(),
        args.output.display()
    ));
    if let Some(path) = &args.report {
        let report = Report {
            config: cfg.file.clone(),
            input: args.input.display().to_string(),
            adjustment: &adj.report,
            replicate_notes: rep_adj.map(|r| r.notes).unwrap_or_default(),
        };
        crate::report::write_json(path, &report)?;
    }
    Ok(())
}
