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
    /// Building the margins and solving (replicates included).
    pub solve: f64,
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
    let r = &run.report;
    let mut body = format!(
        "<p>Input <code>{}</code>, weights <code>{}</code> → <code>{}</code> in <code>{}</code> \
         (config <code>{}</code>).</p>\n",
        escape(&run.input),
        escape(&run.weight),
        escape(&run.output_column),
        escape(&run.output),
        escape(&run.config)
    );
    let bounds = r.bounds.map_or("none".to_string(), |b| format!("[{}, {}]", b.lower, b.upper));
    body.push_str(&table(
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
                "time read / solve / write (s)".into(),
                format!(
                    "{:.3} / {:.3} / {:.3}",
                    run.timings.read, run.timings.solve, run.timings.write
                ),
            ],
        ],
        1,
    ));
    body.push_str("<h2>Margins</h2>\n");
    let mut rows = Vec::new();
    for m in &r.margins {
        for c in &m.categories {
            rows.push(vec![
                m.name.clone(),
                c.category.clone().unwrap_or_default(),
                num(c.before),
                num(c.target),
                num(c.after),
                format!("{:.3e}", c.error),
            ]);
        }
    }
    body.push_str(&table(&["margin", "category", "before", "target", "after", "error"], &rows, 2));
    body.push_str("<h2>Distribution of g = w / d</h2>\n");
    let g = &r.g;
    body.push_str(&table(
        &["min", "p1", "p5", "p25", "p50", "p75", "p95", "p99", "max"],
        &[[g.min, g.p1, g.p5, g.p25, g.p50, g.p75, g.p95, g.p99, g.max]
            .iter()
            .map(|v| num(*v))
            .collect()],
        0,
    ));
    let gs: Vec<f64> =
        run.g.iter().zip(&run.d).filter(|(_, d)| **d > 0.0).map(|(g, _)| *g).collect();
    let marks: Vec<f64> = r.bounds.map(|b| vec![b.lower, b.upper]).unwrap_or_default();
    let marks: Vec<f64> = marks.into_iter().filter(|m| m.is_finite()).collect();
    body.push_str(&histogram_svg(&gs, 40, "g = w / d (rows with d > 0)", "g", &marks));
    if !run.replicates.is_empty() {
        body.push_str("<h2>Replicates</h2>\n");
        let rows: Vec<Vec<String>> = run
            .replicates
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
        body.push_str(&table(&["column", "iterations", "max error", "g min", "g max"], &rows, 1));
    }
    page("ponder — calibration report", &body)
}
