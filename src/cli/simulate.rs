//! `ponder simulate [PIPELINE.yaml] [--replications K] [--out DIR]`

use super::Ui;
use crate::data::WriteOptions;
use crate::error::{Error, Result};
use crate::pipeline::run::seed_of;
use crate::pipeline::simulation::{Simulation, SimulationOptions, simulate};
use std::path::PathBuf;

/// Arguments of `ponder simulate`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  ponder simulate --replications 200 --out out/simulation\n\n\
    DIR receives simulation.csv / simulation.md (one row per estimate × weighting step:\n\
    truth, mean, bias, its Monte-Carlo s.e., relative bias, RMSE, SD, mean SE, coverage)\n\
    and simulation.json. With `models:` in the estimates step, one more row per model\n\
    coefficient, difference and test × step (columns kind, term, rejection_rate): the\n\
    truth of a coefficient is the model fitted on the whole population (census fit);\n\
    tests have no truth, their rows give the rejection rate at 5 %.")]
pub struct Args {
    /// Pipeline file (default: designs/fej2024.yaml); it must draw from the synthetic
    /// register and collect synthetically.
    pub pipeline: Option<PathBuf>,
    /// Number of replications K (sample + collection + weighting + estimates).
    #[arg(long, short = 'K', default_value_t = 200)]
    pub replications: usize,
    /// Persons in the synthetic register (a small population keeps K runs fast).
    #[arg(long, default_value_t = 200_000)]
    pub population: usize,
    /// Sample size drawn (replaces the design's `n`).
    #[arg(long, default_value_t = 4_000)]
    pub sample_size: u64,
    /// Bootstrap replicates per replication (for the intervals).
    #[arg(long, default_value_t = 100)]
    pub replicates: usize,
    /// Master seed (default: the pipeline's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output folder (created if missing).
    #[arg(long, default_value = "out/simulation")]
    pub out: PathBuf,
}

/// Runs the simulation.
///
/// # Errors
/// Bad pipeline or options (before any work), then any replication's error.
pub fn run(args: &Args, ui: &Ui, written: &WriteOptions) -> Result<()> {
    let cfg = super::run::load(args.pipeline.as_ref())?;
    check_args(args)?;
    super::run::check_out_folder(&args.out)?;
    let files: Vec<PathBuf> = ["simulation.csv", "simulation.md", "simulation.json"]
        .iter()
        .map(|f| args.out.join(f))
        .collect();
    crate::pipeline::schema::check(&cfg, None)?;
    let seed = seed_of(&cfg, args.seed)?;
    let existed = args.out.exists();
    crate::pipeline::run::prepare_folder(&args.out)?;
    let sim = (|| {
        for f in &files {
            crate::data::check_writable_path(f, &[std::path::Path::new(&cfg.file)])?;
        }
        let opts = SimulationOptions {
            replications: args.replications,
            population: args.population,
            sample_size: Some(args.sample_size),
            replicates: args.replicates,
            seed,
        };
        let sim = simulate(&cfg, &opts, ui)?;
        write_files(&sim, &files, written)?;
        Ok(sim)
    })()
    .inspect_err(|_| super::run::remove_if_new(&args.out, existed))?;
    summary(ui, &sim, &files);
    Ok(())
}

/// Counts and sizes that make a simulation.
fn check_args(args: &Args) -> Result<()> {
    if args.replications < 2 || args.replicates < 2 {
        return Err(Error::data(
            "command line",
            "--replications and --replicates must be at least 2",
        ));
    }
    if args.sample_size == 0 || args.population == 0 || args.sample_size > args.population as u64 {
        return Err(Error::data(
            "command line",
            format!(
                "--sample-size {} and --population {}: both must be at least 1 and the sample no \
                 larger than the population (in-scope persons are about 3/4 of it)",
                args.sample_size, args.population
            ),
        ));
    }
    Ok(())
}

/// The three files (CSV, Markdown, JSON) under temporary names, named only when all three
/// are written.
fn write_files(sim: &Simulation, files: &[PathBuf], written: &WriteOptions) -> Result<()> {
    let table = sim.table()?;
    let tmp: Vec<PathBuf> = files
        .iter()
        .map(|f| {
            f.with_file_name(format!(
                ".tmp-{}",
                f.file_name().unwrap_or_default().to_string_lossy()
            ))
        })
        .collect();
    let written = (|| -> Result<()> {
        table.write_with(&tmp[0], written)?;
        crate::report::write_text(&tmp[1], &table.to_markdown())?;
        crate::report::write_json(&tmp[2], sim)?;
        for (t, f) in tmp.iter().zip(files) {
            std::fs::rename(t, f).map_err(|e| Error::io(f, e))?;
        }
        Ok(())
    })();
    for t in &tmp {
        let _ = std::fs::remove_file(t);
    }
    written
}

/// The summary on the terminal: sizes, bias and coverage per step (estimates, then model
/// coefficients and differences), files written.
fn summary(ui: &Ui, sim: &Simulation, files: &[PathBuf]) {
    ui.say(format!(
        "{} replications on a register of {} persons ({} in the target population), {} replicates each",
        sim.replications, sim.population, sim.target_population, sim.replicates
    ));
    for (step, z, cov, within) in sim.step_summary(&[]) {
        ui.say(format!(
            "{step:>12}: mean |bias| / MC s.e. {z:.2}, bias within 2 MC s.e. for {:.0} % of estimates, mean coverage {:.1} %",
            100.0 * within,
            100.0 * cov
        ));
    }
    if !sim.models.is_empty() {
        for (step, z, cov, within) in sim.model_summary(&[]) {
            ui.say(format!(
                "{step:>12}: model coefficients and differences: mean |bias| / MC s.e. {z:.2}, bias within 2 MC s.e. for {:.0} %, mean coverage {:.1} %",
                100.0 * within,
                100.0 * cov
            ));
        }
    }
    for f in &sim.model_failures {
        ui.say(format!(
            "{:>12}: `{}` could not be fitted in {} of {} replications (left out of them); first: {}",
            f.step, f.name, f.replications, sim.replications, f.first
        ));
    }
    ui.say(format!(
        "wrote {}",
        files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>().join(", ")
    ));
}
