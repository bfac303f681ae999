//! The weighting steps as functions on in-memory tables, shared by the step commands
//! (`ponder sample`, `ponder nonresponse`) and by `ponder run` / `ponder simulate`.

use crate::config::sample::{FrameSource, SampleConfig};
use crate::data::{ColumnData, Table};
use crate::error::Result;
use crate::nonresponse::{Adjustment, ReplicateAdjustment};
use crate::sampling::{DesignReport, draw};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// A drawn sample: the frame rows selected, with the design columns appended.
#[derive(Debug)]
pub struct DrawnSample {
    /// Frame columns of the selected rows plus `pi`, `design_weight`, `stratum`,
    /// `certainty`.
    pub table: Table,
    /// Frame row indices of the sample (ascending).
    pub rows: Vec<usize>,
    /// In-scope frame units.
    pub n_in_scope: usize,
    /// Number of strata drawn from.
    pub n_strata: usize,
    /// Report of the draw.
    pub report: SampleReport,
}

/// What `ponder sample --report` writes.
#[derive(Debug, Serialize)]
pub struct SampleReport {
    /// Design file.
    pub design: String,
    /// Frame description.
    pub frame: String,
    /// Seed used.
    pub seed: u64,
    /// Frame rows.
    pub frame_rows: usize,
    /// Units left by each scope filter.
    pub filters: Vec<(String, usize)>,
    /// Strata emptied by the scope.
    pub dropped_strata: Vec<String>,
    /// Allocation, π, balancing checks.
    #[serde(flatten)]
    pub draw: DesignReport,
}

/// Describes a frame source for reports.
pub fn frame_label(source: &FrameSource) -> String {
    match source {
        FrameSource::File(f) => f.display().to_string(),
        FrameSource::Synthetic { rows, seed } => {
            format!("synthetic register ({rows} persons, seed {seed})")
        }
    }
}

/// Scope, strata, allocation and selection of `cfg` on `frame`.
///
/// # Errors
/// Bad design or frame (exit 1), impossible allocations, with the culprit named.
pub fn draw_sample(
    cfg: &SampleConfig,
    frame: &Table,
    frame_label: String,
    seed: u64,
    rng: &mut ChaCha8Rng,
    bar: Option<&indicatif::ProgressBar>,
) -> Result<DrawnSample> {
    let bound = crate::bind::sample::bind(cfg, frame)?;
    let drawn = draw(&bound.plan(), rng, bar)?;
    let strata = &bound.strata;
    let s = &drawn.sample;
    let mut out = frame.take_rows(&s.rows)?;
    out.add_column("pi", ColumnData::from_f64(&s.pi))?;
    out.add_column("design_weight", ColumnData::from_f64(&s.design_weight))?;
    let labels = strata.labels();
    out.add_column(
        "stratum",
        ColumnData::Str(s.stratum.iter().map(|&h| Some(labels[h as usize].clone())).collect()),
    )?;
    out.add_column("certainty", ColumnData::Bool(s.certainty.iter().map(|c| Some(*c)).collect()))?;
    Ok(DrawnSample {
        table: out,
        rows: s.rows.clone(),
        n_in_scope: strata.n_in_scope() as usize,
        n_strata: strata.n_strata(),
        report: SampleReport {
            design: cfg.file.clone(),
            frame: frame_label,
            seed,
            frame_rows: frame.n_rows(),
            filters: bound.filters,
            dropped_strata: bound.dropped_strata,
            draw: drawn.report,
        },
    })
}

/// Appends the columns of a nonresponse adjustment to `table`: `<output>` (adjusted
/// weight), `<output>_propensity`, `<output>_group`, `<output>_phase`, and one
/// `<output>_<name>` per replicate.
///
/// # Errors
/// A column name that already exists.
pub fn add_nonresponse_columns(
    table: &mut Table,
    output: &str,
    adj: &Adjustment,
    replicates: Option<(&[String], &ReplicateAdjustment)>,
) -> Result<()> {
    table.add_column(output, ColumnData::from_f64(&adj.weights))?;
    table.add_column(&format!("{output}_propensity"), ColumnData::F64(adj.propensity.clone()))?;
    let group = adj.group.iter().map(|g| g.map(|g| adj.group_labels[g as usize].clone())).collect();
    table.add_column(&format!("{output}_group"), ColumnData::Str(group))?;
    let phase = adj.outcome.iter().map(|p| Some(p.label().to_string())).collect();
    table.add_column(&format!("{output}_phase"), ColumnData::Str(phase))?;
    if let Some((names, r)) = replicates {
        for (name, w) in names.iter().zip(&r.weights) {
            table.add_column(&format!("{output}_{name}"), ColumnData::from_f64(w))?;
        }
    }
    Ok(())
}

/// Runs a nonresponse configuration on a table's weights `d`.
///
/// # Errors
/// Bad config or data: undeclared status codes, groups without respondents...
pub fn adjust_nonresponse(
    cfg: &crate::config::nonresponse::NonresponseConfig,
    table: &Table,
    d: &[f64],
    replicates: &[(String, Vec<f64>)],
) -> Result<(Adjustment, Option<ReplicateAdjustment>)> {
    crate::bind::nonresponse::adjust_with_replicates(cfg, table, d, replicates)
}
