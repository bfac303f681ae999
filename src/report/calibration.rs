//! The calibration report (`ponder calibrate --report R.json|R.html`).

use super::html::{escape, histogram_svg, num, page, table};
use super::{ReportFormat, write_json, write_text};
use crate::calibration::Report;
use crate::error::Result;
use serde::Serialize;
use std::path::Path;

/// Wall-clock seconds of each phase.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Timings {
    /// Reading the input.
    pub read: f64,
    /// Coding the margin columns (categories into integer codes, matched to the figures).
    pub margins: f64,
    /// The problem's checks (weights, codes, missing values, categories present, totals).
    pub checks: f64,
    /// Collapsing the rows into the cells of the cross-classification (0 on rows).
    pub cells: f64,
    /// The solve of the main weights: the kernel and mapping g back to the rows.
    pub solve: f64,
    /// Reading and calibrating the replicate columns (0 without `replicates:`).
    pub replicates: f64,
    /// Writing the output.
    pub write: f64,
}

/// Everything the calibration report shows.
#[derive(Debug, Clone, Serialize)]
pub struct CalibrationRun {
    /// Config file.
    pub config: String,
    /// Input file.
    pub input: String,
    /// Output file.
    pub output: String,
    /// Input weight column.
    pub weight: String,
    /// Calibrated weight column.
    pub output_column: String,
    /// The solver's report (margins, g distribution, design effect, iterations).
    #[serde(flatten)]
    pub report: Report,
    /// Per replicate column: its report.
    pub replicates: Vec<(String, Report)>,
    /// Timings in seconds.
    pub timings: Timings,
    /// g per row (HTML histogram only; the CLI leaves it empty for a JSON report).
    #[serde(skip)]
    pub g: Vec<f64>,
    /// Input weights per row (HTML histogram only; empty for a JSON report).
    #[serde(skip)]
    pub d: Vec<f64>,
}

/// Writes the report as JSON or HTML, by extension.
///
/// # Errors
/// Unknown extension, I/O failures.
pub fn write_report(path: &Path, run: &CalibrationRun) -> Result<()> {
    match ReportFormat::of(path)? {
        ReportFormat::Json => write_json(path, run),
        ReportFormat::Html => write_text(path, &html(run)),
    }
}

fn html(run: &CalibrationRun) -> String {
    let mut body = format!(
        "<p>Input <code>{}</code>, weights <code>{}</code> → <code>{}</code> in <code>{}</code> \
         (config <code>{}</code>).</p>\n",
        escape(&run.input),
        escape(&run.weight),
        escape(&run.output_column),
        escape(&run.output),
        escape(&run.config)
    );
    body.push_str(&summary_table(run));
    body.push_str("<h2>Margins</h2>\n");
    body.push_str(&margins_table(&run.report));
    body.push_str("<h2>Distribution of g = w / d</h2>\n");
    body.push_str(&g_section(run));
    if !run.replicates.is_empty() {
        body.push_str("<h2>Replicates</h2>\n");
        body.push_str(&replicates_table(&run.replicates));
    }
    page("ponder — calibration report", &body)
}

/// Method, bounds, convergence, sizes, design effect and timings.
fn summary_table(run: &CalibrationRun) -> String {
    let r = &run.report;
    let bounds = r.bounds.map_or("none".to_string(), |b| format!("[{}, {}]", b.lower, b.upper));
    let t = &run.timings;
    table(
        &["", "value"],
        &[
            vec!["method".into(), r.method.name().into()],
            vec!["bounds on g".into(), bounds],
            vec!["algorithm".into(), format!("{} on {}", r.algorithm, r.solved_on)],
            vec!["iterations".into(), r.iterations.to_string()],
            vec!["converged".into(), format!("{} ({:?})", r.converged, r.termination)],
            vec!["max margin error".into(), format!("{:.3e}", r.max_misfit)],
            vec!["rows (weight > 0)".into(), format!("{} ({})", r.n_rows, r.n_positive)],
            vec![
                "g at lower / upper bound".into(),
                format!("{} / {}", r.at_lower_bound, r.at_upper_bound),
            ],
            vec!["weighting design effect 1 + CV²(w)".into(), num(r.design_effect)],
            vec![
                "time read / margins / checks / cells / solve / replicates / write (s)".into(),
                format!(
                    "{:.3} / {:.3} / {:.3} / {:.3} / {:.3} / {:.3} / {:.3}",
                    t.read, t.margins, t.checks, t.cells, t.solve, t.replicates, t.write
                ),
            ],
        ],
        1,
    )
}

/// One row per margin category: before, target, after, error.
fn margins_table(r: &Report) -> String {
    let rows = margin_rows(r, num, |e| format!("{e:.3e}"));
    table(&["margin", "category", "before", "target", "after", "error"], &rows, 2)
}

/// Cells of the margins table, one row per margin category (margin, category, before,
/// target, after, error), numbers formatted by `num` and the error by `err`: shared by this
/// report and the run report's calibration section.
pub(crate) fn margin_rows(
    r: &Report,
    num: impl Fn(f64) -> String,
    err: impl Fn(f64) -> String,
) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for m in &r.margins {
        for c in &m.categories {
            rows.push(vec![
                m.name.clone(),
                c.category.clone().unwrap_or_default(),
                num(c.before),
                num(c.target),
                num(c.after),
                err(c.error),
            ]);
        }
    }
    rows
}

/// Quantiles of g and its histogram (rows with d > 0), the bounds marked.
fn g_section(run: &CalibrationRun) -> String {
    let r = &run.report;
    let g = &r.g;
    let mut out = table(
        &["min", "p1", "p5", "p25", "p50", "p75", "p95", "p99", "max"],
        &[[g.min, g.p1, g.p5, g.p25, g.p50, g.p75, g.p95, g.p99, g.max]
            .iter()
            .map(|v| num(*v))
            .collect()],
        0,
    );
    let gs: Vec<f64> =
        run.g.iter().zip(&run.d).filter(|(_, d)| **d > 0.0).map(|(g, _)| *g).collect();
    let marks: Vec<f64> = r.bounds.map(|b| vec![b.lower, b.upper]).unwrap_or_default();
    let marks: Vec<f64> = marks.into_iter().filter(|m| m.is_finite()).collect();
    out.push_str(&histogram_svg(&gs, 40, "g = w / d (rows with d > 0)", "g", &marks));
    out
}

/// One row per replicate column: iterations, max error, range of g.
fn replicates_table(replicates: &[(String, Report)]) -> String {
    let rows: Vec<Vec<String>> = replicates
        .iter()
        .map(|(c, r)| {
            vec![
                c.clone(),
                r.iterations.to_string(),
                format!("{:.2e}", r.max_misfit),
                num(r.g.min),
                num(r.g.max),
            ]
        })
        .collect();
    table(&["column", "iterations", "max error", "g min", "g max"], &rows, 1)
}
