//! `ponder calibrate --config C.yaml --input IN --output OUT [--report R.json|R.html]`

use super::Ui;
use crate::bind::calibration::margins as build_margins;
use crate::calibration::{self, Calibration, Problem};
use crate::config::calibrate::CalibrationConfig;
use crate::data::{Table, check_output_path, rows_list};
use crate::error::{Error, Result};
use crate::report::ReportFormat;
use crate::report::calibration::{CalibrationRun, Timings, write_report};
use std::path::PathBuf;
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
pub fn run(args: &Args, ui: &Ui) -> Result<()> {
    let cfg = CalibrationConfig::load(&args.config)?;
    check_output_path(&args.output, &[&args.input, &args.config])?;
    if let Some(r) = &args.report {
        crate::report::check_report_path(r, &[&args.input, &args.config, &args.output])?;
    }
    let t0 = Instant::now();
    let mut table = Table::read(&args.input)?;
    let read = t0.elapsed().as_secs_f64();

    let t1 = Instant::now();
    let d = input_weights(&table, &cfg.weight, "weight column")?;
    let margins = build_margins(&cfg, &table, &d)?;
    let problem = Problem::new(d, margins)?;
    let cal = calibration::calibrate(&problem, &cfg.options)?;
    let replicates = calibrate_replicates(&cfg, &table, &problem)?;
    let solve = t1.elapsed().as_secs_f64();

    let t2 = Instant::now();
    table.add_f64(&cfg.output, &cal.weights)?;
    for (col, rep) in &replicates {
        table.add_f64(&format!("{}_{col}", cfg.output), &rep.weights)?;
    }
    table.write(&args.output)?;
    let write = t2.elapsed().as_secs_f64();

    ui.say(summary(&cfg, &cal, replicates.len(), &args.output));
    if let Some(path) = &args.report {
        // the per-row g and d feed the HTML histogram only
        let html = ReportFormat::of(path)? == ReportFormat::Html;
        let run = CalibrationRun {
            config: args.config.display().to_string(),
            input: args.input.display().to_string(),
            output: args.output.display().to_string(),
            weight: cfg.weight.clone(),
            output_column: cfg.output.clone(),
            report: cal.report.clone(),
            replicates: replicates.iter().map(|(c, r)| (c.clone(), r.report.clone())).collect(),
            timings: Timings { read, solve, write },
            g: if html { cal.g(problem.weights()) } else { Vec::new() },
            d: if html { problem.weights().to_vec() } else { Vec::new() },
        };
        write_report(path, &run)?;
    }
    Ok(())
}

/// The input weights: numeric, finite and ≥ 0 (0 = passes through with weight 0).
fn input_weights(table: &Table, column: &str, role: &str) -> Result<Vec<f64>> {
    let d = table.numeric(column).map_err(|e| match e {
        Error::Data { file, message } => {
            Error::Data { file, message: format!("{role}: {message}") }
        }
        other => other,
    })?;
    let bad: Vec<usize> = (0..d.len()).filter(|&i| !(d[i].is_finite() && d[i] >= 0.0)).collect();
    if !bad.is_empty() {
        return Err(Error::data(
            table.source(),
            format!(
                "{role} `{column}` has {} negative or non-finite value(s) ({}, e.g. {}); \
                 weights must be >= 0 (0 for non-respondents and ineligibles)",
                bad.len(),
                rows_list(&bad),
                d[bad[0]]
            ),
        ));
    }
    Ok(d)
}

/// Calibrates every replicate column matching `replicates:` from its own weights.
fn calibrate_replicates(
    cfg: &CalibrationConfig,
    table: &Table,
    problem: &Problem,
) -> Result<Vec<(String, Calibration)>> {
    let Some(pattern) = &cfg.replicates else { return Ok(Vec::new()) };
    let columns = crate::bind::replicate_columns(&cfg.source, table, pattern)?;
    let role = format!("replicate column (matched by `replicates: \"{pattern}\"` in {})", cfg.file);
    let starts: Vec<Vec<f64>> =
        columns.iter().map(|c| input_weights(table, c, &role)).collect::<Result<_>>()?;
    let cals = calibration::calibrate_replicates(problem, &starts, &cfg.options)?;
    Ok(columns.into_iter().zip(cals).collect())
}

fn summary(
    cfg: &CalibrationConfig,
    cal: &Calibration,
    reps: usize,
    out: &std::path::Path,
) -> String {
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
