//! `ponder run [PIPELINE.yaml] [--out DIR]`

use super::Ui;
use crate::config::pipeline::PipelineConfig;
use crate::error::{Error, Result};
use crate::pipeline::run::{RunOptions, run as run_pipeline};
use crate::report::run::Lang;
use std::path::PathBuf;

/// The bundled « Français et la justice » pipeline.
pub const DEFAULT_PIPELINE: &str = "designs/fej2024.yaml";

/// Arguments of `ponder run`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  ponder run                      # the bundled FEJ pipeline into out/\n  \
    ponder run designs/fej2024.yaml --out out/fej --lang en\n\n\
    DIR receives weighted.parquet, weighted.csv (with the replicate weights), collected.csv,\n\
    estimates.csv, estimates.md, sample.json, nonresponse.json, calibration.json, report.html."
)]
pub struct Args {
    /// Pipeline file (default: designs/fej2024.yaml, the bundled FEJ survey).
    pub pipeline: Option<PathBuf>,
    /// Output folder (created if missing).
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Seed; replaces the pipeline's `seed:`.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Frame file; replaces the sample design's `frame:`.
    #[arg(long)]
    pub frame: Option<PathBuf>,
    /// Number of bootstrap replicates; replaces the pipeline's `count:`.
    #[arg(long)]
    pub replicates: Option<usize>,
    /// Language of the HTML report.
    #[arg(long, value_parser = ["fr", "en"])]
    pub lang: Option<String>,
}

/// Loads the pipeline (the bundled one by default), checking it whole before any work.
///
/// # Errors
/// A missing default pipeline (not run from the project folder), any pipeline problem.
pub fn load(path: Option<&PathBuf>) -> Result<PipelineConfig> {
    let path = path.cloned().unwrap_or_else(|| PathBuf::from(DEFAULT_PIPELINE));
    if !path.is_file() {
        return Err(Error::io(
            &path,
            "pipeline file not found; without an argument ponder runs designs/fej2024.yaml \
             from the project folder: cd there or give the pipeline's path",
        ));
    }
    crate::pipeline::load(&path)
}

/// Runs the pipeline.
///
/// # Errors
/// Bad pipeline (before any work), then any step's error.
pub fn run(args: &Args, ui: &Ui, parquet: Option<crate::data::ParquetCodec>) -> Result<()> {
    let mut cfg = load(args.pipeline.as_ref())?;
    // the flag replaces the pipeline's `outputs: parquet_compression:`
    cfg.parquet_compression = parquet.unwrap_or(cfg.parquet_compression);
    if let Some(r) = args.replicates {
        if cfg.replicates.is_none() {
            return Err(Error::data(
                "command line",
                format!(
                    "--replicates {r}: {} has no `replicates` step, so the option would be \
                     ignored; add `- replicates: {{type: bootstrap, count: {r}}}` or drop the option",
                    cfg.file
                ),
            ));
        }
        if r < 2 {
            return Err(Error::data(
                "command line",
                format!("--replicates {r}: at least 2 bootstrap replicates are needed"),
            ));
        }
        // every replicate is a weight column of the sample, held in memory
        let rows = match &cfg.start {
            crate::config::pipeline::Start::Sample(s) => s.n,
            crate::config::pipeline::Start::Input(_) => 1,
        };
        if (r as u64).saturating_mul(rows) > 2_000_000_000 {
            return Err(Error::data(
                "command line",
                format!(
                    "--replicates {r} on a sample of {rows} would hold more than 2·10⁹ replicate \
                     weights (16 GB); ask for fewer replicates (50 to 1000 is usual)"
                ),
            ));
        }
    }
    check_out_folder(&args.out)?;
    let opts = RunOptions {
        out: args.out.clone(),
        seed: args.seed,
        frame: args.frame.clone(),
        replicates: args.replicates,
        lang: args.lang.as_deref().and_then(Lang::parse),
    };
    let existed = args.out.exists();
    let summary =
        run_pipeline(&cfg, &opts, ui).inspect_err(|_| remove_if_new(&args.out, existed))?;
    for l in &summary.lines {
        ui.say(l);
    }
    let total: f64 = summary.timings.iter().map(|t| t.1).sum();
    ui.say(format!(
        "done in {total:.2} s ({}); wrote {}",
        summary.timings.iter().map(|(k, s)| format!("{k} {s:.2}")).collect::<Vec<_>>().join(", "),
        summary.files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ")
    ));
    Ok(())
}

/// `--out` names a folder: an existing file there is refused before any work.
///
/// # Errors
/// `out` exists and is not a folder.
pub(super) fn check_out_folder(out: &std::path::Path) -> Result<()> {
    if out.exists() && !out.is_dir() {
        return Err(Error::io(
            out,
            "--out names the output folder, but this is a file: give a folder (created when \
             missing)",
        ));
    }
    Ok(())
}

/// After a failed run, removes the output folder the run created, when it is still empty
/// (a failed run leaves nothing behind; a folder that held files before is never touched).
pub(super) fn remove_if_new(out: &std::path::Path, existed: bool) {
    if !existed {
        // remove_dir only removes an empty folder
        let _ = std::fs::remove_dir(out);
    }
}
