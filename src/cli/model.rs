//! `ponder model --config M.yaml --input IN --output OUT`

use super::Ui;
use crate::bind::model::{ModelRow, check_columns, compute};
use crate::config::model::ModelConfig;
use crate::data::{ColumnData, Table};
use crate::error::Result;
use crate::report::table::check_table_path;
use std::path::{Path, PathBuf};

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
pub fn run(args: &Args, ui: &Ui) -> Result<()> {
    let cfg = ModelConfig::load(&args.config)?;
    check_table_path(&args.output, &[&args.input, &args.config])?;
    let table = Table::read(&args.input)?;
    check_columns(&cfg, &table)?;
    let rows = compute(&cfg, &table)?;
    write(&args.output, &rows_table(&rows)?)?;
    ui.say(format!("{} row(s) written to {}", rows.len(), args.output.display()));
    Ok(())
}

/// The result rows as a table: `name, kind, term, estimate, se, statistic, df, df2,
/// p_value, ci_low, ci_high, exp_estimate, exp_ci_low, exp_ci_high, n, flags`.
fn rows_table(rows: &[ModelRow]) -> Result<Table> {
    let text = |f: &dyn Fn(&ModelRow) -> String| {
        ColumnData::Str(rows.iter().map(|r| Some(f(r)).filter(|s| !s.is_empty())).collect())
    };
    let num = |f: &dyn Fn(&ModelRow) -> f64| {
        ColumnData::F64(rows.iter().map(|r| Some(f(r)).filter(|v| v.is_finite())).collect())
    };
    let exp = |i: usize| num(&move |r: &ModelRow| r.exp.map_or(f64::NAN, |e| e[i]));
    let cols = vec![
        ("name", text(&|r| r.name.clone())),
        ("kind", text(&|r| r.kind.to_string())),
        ("term", text(&|r| r.term.clone())),
        ("estimate", num(&|r| r.estimate)),
        ("se", num(&|r| r.se)),
        ("statistic", num(&|r| r.statistic)),
        ("df", num(&|r| r.df)),
        ("df2", num(&|r| r.df2)),
        ("p_value", num(&|r| r.p_value)),
        ("ci_low", num(&|r| r.ci_low)),
        ("ci_high", num(&|r| r.ci_high)),
        ("exp_estimate", exp(0)),
        ("exp_ci_low", exp(1)),
        ("exp_ci_high", exp(2)),
        ("n", ColumnData::I64(rows.iter().map(|r| r.n.map(|n| n as i64)).collect())),
        ("flags", text(&|r| r.flags.clone())),
    ];
    Table::from_columns(cols.into_iter().map(|(n, c)| (n.to_string(), c)).collect())
}

/// Writes a result table by extension (checked by [`check_table_path`]), atomically.
fn write(path: &Path, table: &Table) -> Result<()> {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("md") => crate::report::write_text(path, &table.to_markdown()),
        Some("json") => crate::report::write_json(path, &table.to_records()),
        _ => table.write(path),
    }
}
