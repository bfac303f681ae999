//! `ponder sample --design D.yaml [--frame FRAME] --output SAMPLE [--seed N] [--report R.json]`

use super::Ui;
use crate::config::sample::{FrameSource, SampleConfig};
use crate::data::{Table, WriteOptions, check_output_path};
use crate::error::{Error, Result};
use crate::pipeline::steps::{draw_sample, frame_label};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
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

/// Draws the sample.
///
/// # Errors
/// Bad design or frame (exit 1), impossible allocations, with the culprit named.
pub fn run(args: &Args, ui: &Ui, written: &WriteOptions) -> Result<()> {
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
    let bar = (frame.n_rows() > 1_000_000).then(|| ui.progress(frame.n_rows() as u64, "selection"));
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let drawn = draw_sample(&cfg, &frame, frame_label(&source), seed, &mut rng, bar.as_ref())?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    drawn.table.write_with(&args.output, written)?;
    for note in &drawn.report.draw.notes {
        ui.say(format!("note: {note}"));
    }
    if !drawn.report.dropped_strata.is_empty() {
        ui.say(format!(
            "note: strata left empty by the scope filters: {}",
            drawn.report.dropped_strata.join(", ")
        ));
    }
    ui.say(format!(
        "drew {} of {} in-scope units ({} strata, {}) into {}",
        drawn.rows.len(),
        drawn.n_in_scope,
        drawn.n_strata,
        cfg.method,
        args.output.display()
    ));
    if let Some(r) = &args.report {
        crate::report::write_json(r, &drawn.report)?;
    }
    Ok(())
}

/// Reads a frame file, or builds the synthetic register in memory.
pub(crate) fn load_frame(source: &FrameSource) -> Result<Table> {
    match source {
        FrameSource::File(f) => Table::read(f),
        FrameSource::Synthetic { rows, seed } => {
            crate::pipeline::frame_table(&crate::simulate::generate_frame(*rows, *seed)?)
        }
    }
}
