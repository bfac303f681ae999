//! `ponder calibrate --config C.yaml --input IN --output OUT [--report R.json|R.html]`

use super::Ui;
use crate::bind::calibration::{self as bind, Replicates};
use crate::calibration::Calibration;
use crate::config::calibrate::{CalibrationConfig, MarginSpec};
use crate::data::{ColumnUse, Table, WriteOptions, check_output_path};
use crate::error::Result;
use crate::report::ReportFormat;
use crate::report::calibration::{CalibrationRun, Timings, write_report};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Arguments of `ponder calibrate`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  ponder calibrate --config calibration/example.yaml \
    --input notebooks-data/example.csv --output out/calibrated.csv --report out/report.html")]
pub struct Args {
    /// Calibration configuration (YAML): weight column, method, bounds, margins.
    #[arg(long, short)]
    pub config: PathBuf,
    /// Input data (.csv, .tsv or .parquet).
    #[arg(long, short)]
    pub input: PathBuf,
    /// Output data: the input columns plus the calibrated weights (.csv, .tsv, .parquet).
    #[arg(long, short)]
    pub output: PathBuf,
    /// Report: `.json` (machine-readable) or `.html` (with the distribution of g).
    #[arg(long, short)]
    pub report: Option<PathBuf>,
}

/// Runs the calibration: validates everything before computing, writes nothing unless
/// every margin is met.
///
/// # Errors
/// Bad config or data (exit 1), with the culprit named.
pub fn run(args: &Args, ui: &Ui, written: &WriteOptions) -> Result<()> {
    let cfg = CalibrationConfig::load(&args.config)?;
    check_output_path(&args.output, &[&args.input, &args.config])?;
    if let Some(r) = &args.report {
        crate::report::check_report_path(r, &[&args.input, &args.config, &args.output])?;
    }
    let t0 = Instant::now();
    // a file of 256 MB or more: only the columns the calibration uses are read, chunk by
    // chunk (categorical margins as codes), and the output copies the input's lines chunk
    // by chunk (see `Table::read_columns`)
    let mut table = Table::read_columns(&args.input, &column_use(&cfg))?;
    let read = t0.elapsed().as_secs_f64();

    let t1 = Instant::now();
    let d = bind::input_weights(&table, &cfg.weight, "weight column")?;
    let weights = t1.elapsed().as_secs_f64();
    let mut out = bind::run(&cfg, &table, d, Replicates::Columns, None)?;

    // the HTML report's histogram of g, taken before the weights move into the table
    let g = match &args.report {
        Some(path) if ReportFormat::of(path)? == ReportFormat::Html => {
            out.calibration.g(out.problem.weights())
        }
        _ => Vec::new(),
    };
    let t2 = Instant::now();
    // the weights are moved into the table, not copied (a copy writes n × 8 bytes of fresh
    // pages: 20 MB for 2.5 M rows); the replicate weights too (200 columns of 25,000 rows:
    // 40 MB); the reports below do not need them
    table.add_f64_vec(&cfg.output, std::mem::take(&mut out.calibration.weights))?;
    for (col, rep) in out.replicate_columns.iter().zip(&mut out.replicates) {
        table.add_f64_vec(&format!("{}_{col}", cfg.output), std::mem::take(&mut rep.weights))?;
    }
    table.write_with(&args.output, written)?;
    let write = t2.elapsed().as_secs_f64();

    ui.say(summary(&cfg, &out.calibration, out.replicates.len(), &args.output));
    if let Some(path) = &args.report {
        let t = out.timings;
        // taking the input weights out of the table counts as reading
        let timings = Timings {
            read: read + weights,
            margins: t.margins,
            checks: t.checks,
            cells: t.cells,
            solve: t.solve,
            replicates: t.replicates,
            write,
        };
        write_report(path, &report_data(args, &cfg, &out, g, timings))?;
    }
    Ok(())
}

/// The columns a calibration reads, by name: the weight, numeric margins and replicate
/// columns as values, categorical margins as categories. A `margins_table` that cannot be
/// read here is reported by the calibration itself, after the data.
fn column_use(cfg: &CalibrationConfig) -> impl Fn(&str) -> Option<ColumnUse> + use<'_> {
    let specs = bind::margin_specs(cfg).map(|s| s.into_owned()).unwrap_or_default();
    let replicates = cfg.replicates.as_deref().and_then(|p| glob::Pattern::new(p).ok());
    move |name: &str| {
        let numeric =
            |m: &MarginSpec| matches!(m, MarginSpec::Numeric { variable, .. } if variable == name);
        let categorical = |m: &MarginSpec| matches!(m, MarginSpec::Categorical { variables, .. } if variables.iter().any(|v| v == name));
        if name == cfg.weight
            || specs.iter().any(numeric)
            || replicates.as_ref().is_some_and(|p| p.matches(name))
        {
            Some(ColumnUse::Values)
        } else if specs.iter().any(categorical) {
            Some(ColumnUse::Categories)
        } else {
            None
        }
    }
}

/// What the report shows; the per-row g (empty unless the report is HTML) and d feed the
/// HTML histogram only.
fn report_data(
    args: &Args,
    cfg: &CalibrationConfig,
    out: &bind::Outcome,
    g: Vec<f64>,
    timings: Timings,
) -> CalibrationRun {
    let d = if g.is_empty() { Vec::new() } else { out.problem.weights().to_vec() };
    CalibrationRun {
        config: args.config.display().to_string(),
        input: args.input.display().to_string(),
        output: args.output.display().to_string(),
        weight: cfg.weight.clone(),
        output_column: cfg.output.clone(),
        report: out.calibration.report.clone(),
        replicates: out.replicate_reports(),
        timings,
        g,
        d,
    }
}

fn summary(cfg: &CalibrationConfig, cal: &Calibration, reps: usize, out: &Path) -> String {
    let r = &cal.report;
    let mut s = format!(
        "calibrated `{}` with {} in {} iteration(s) (max margin error {:.2e}); g in [{:.4}, {:.4}], \
         weighting design effect {:.4}; wrote `{}` to {}",
        cfg.weight,
        r.method.name(),
        r.iterations,
        r.max_misfit,
        r.g.min,
        r.g.max,
        r.design_effect,
        cfg.output,
        out.display()
    );
    if reps > 0 {
        s.push_str(&format!(" (+ {reps} calibrated replicate columns)"));
    }
    for a in &r.target_adjustments {
        s.push_str(&format!(
            "\nnote: margin `{}` sums to {} instead of the common total {}; its targets were \
             rescaled by {} (a rounding difference within 1e-6)",
            a.margin, a.given_total, a.common_total, a.factor
        ));
    }
    s
}
