//! `ponder sample --design D.yaml [--frame FRAME] --output SAMPLE [--seed N] [--report R.json]`

use super::Ui;
use crate::config::sample::{FrameSource, SampleConfig, SelectionColumns};
use crate::data::{ColumnData, Table, check_output_path};
use crate::error::{Error, Result};
use crate::sampling::{SamplingPlan, draw};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Arguments of `ponder sample`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  ponder sample --design designs/fej2024.yaml --output out/sample.csv \
    --report out/sample_report.json"
)]
pub struct Args {
    /// Sample design (YAML): frame, filters, strata, allocation, selection, seed.
    #[arg(long, short)]
    pub design: PathBuf,
    /// Frame file (.csv, .tsv, .parquet); replaces the design's `frame:`.
    #[arg(long, short)]
    pub frame: Option<PathBuf>,
    /// Sample: the frame columns of the selected units plus pi, design_weight, stratum,
    /// certainty.
    #[arg(long, short)]
    pub output: PathBuf,
    /// Seed; replaces the design's `seed:`.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Design report (JSON): per stratum N_h, n_h, allocation before rounding, weights; for
    /// balanced samples the HT estimates vs the frame totals.
    #[arg(long, short)]
    pub report: Option<PathBuf>,
}

#[derive(Serialize)]
struct Report<'a> {
    design: String,
    frame: String,
    seed: u64,
    frame_rows: usize,
    filters: Vec<(String, usize)>,
    dropped_strata: Vec<String>,
    #[serde(flatten)]
    draw: &'a crate::sampling::DesignReport,
}

/// Draws the sample.
///
/// # Errors
/// Bad design or frame (exit 1), impossible allocations, with the culprit named.
pub fn run(args: &Args, ui: &Ui) -> Result<()> {
    let cfg = SampleConfig::load(&args.design)?;
    let source = match (&args.frame, &cfg.frame) {
        (Some(f), _) => FrameSource::File(f.clone()),
        (None, Some(s)) => s.clone(),
        (None, None) => {
            return Err(Error::data(&cfg.file, "no frame: give `frame:` in the design or --frame"));
        }
    };
    let mut inputs: Vec<&Path> = vec![&args.design];
    if let FrameSource::File(f) = &source {
        inputs.push(f);
    }
    check_output_path(&args.output, &inputs)?;
    if let Some(r) = &args.report {
        inputs.push(&args.output);
        crate::report::check_report_path(r, &inputs)?;
    }
    let seed = args.seed.or(cfg.seed).ok_or_else(|| {
        Error::data(&cfg.file, "no seed: give `seed:` in the design or --seed (sampling is random)")
    })?;
    let frame = load_frame(&source)?;
    let (scope, filters) = cfg.scope(&frame)?;
    let mut strata = cfg.strata(&frame)?;
    strata.restrict(&scope)?;
    let (strata, dropped) = strata.drop_empty();
    let allocation = cfg.allocation(&strata, &frame)?;
    let columns = SelectionColumns::read(&cfg, &frame)?;
    let plan = SamplingPlan { strata: &strata, allocation, method: columns.method(&cfg) };
    let bar = (frame.n_rows() > 1_000_000).then(|| ui.progress(frame.n_rows() as u64, "selection"));
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let drawn = draw(&plan, &mut rng, bar.as_ref())?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
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
    out.write(&args.output)?;
    for note in &drawn.report.notes {
        ui.say(format!("note: {note}"));
    }
    if !dropped.is_empty() {
        ui.say(format!("note: strata left empty by the scope filters: {}", dropped.join(", ")));
    }
    ui.say(format!(
        "drew {} of {} in-scope units ({} strata, {}) into {}",
        s.rows.len(),
        strata.n_in_scope(),
        strata.n_strata(),
        cfg.method,
        args.output.display()
    ));
    if let Some(r) = &args.report {
        let report = Report {
            design: cfg.file.clone(),
            frame: match &source {
                FrameSource::File(f) => f.display().to_string(),
                FrameSource::Synthetic { rows, seed } => {
                    format!("synthetic register ({rows} persons, seed {seed})")
                }
            },
            seed,
            frame_rows: frame.n_rows(),
            filters,
            dropped_strata: dropped,
            draw: &drawn.report,
        };
        crate::report::write_json(r, &report)?;
    }
    Ok(())
}

/// Reads a frame file, or generates the synthetic register into a temporary CSV and reads
/// it (one code path for both).
fn load_frame(source: &FrameSource) -> Result<Table> {
    match source {
        FrameSource::File(f) => Table::read(f),
        FrameSource::Synthetic { rows, seed } => {
            let frame = crate::simulate::generate_frame(*rows, *seed)?;
            let dir = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), e))?;
            let path = dir.path().join(format!("synthetic_register_{rows}_{seed}.csv"));
            let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
            frame.write_csv(file).map_err(|e| Error::io(&path, e))?;
            Table::read(&path)
        }
    }
}
