//! `ponder replicates --design E.yaml --input IN --output OUT --type T [--replicates R]
//! [--seed N] [--mse] [--rho ρ] [--prefix rep] [--r-script F.R]`

use super::Ui;
use crate::config::estimate::EstimateConfig;
use crate::data::{Table, WriteOptions, check_output_path};
use crate::error::{Error, Result};
use crate::variance::replicates::{ReplicateKind, generate, r_snippet};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::PathBuf;

/// Seed of the bootstrap when `--seed` is not given.
const DEFAULT_SEED: u64 = 1;

/// Arguments of `ponder replicates`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Example:\n  ponder replicates --design designs/estimate.yaml --input sample.csv \
    --output sample_rep.csv --type bootstrap --replicates 500 --seed 42 --r-script sample_rep.R"
)]
pub struct Args {
    /// YAML file whose `design:` block describes the sample (weights, strata, clusters, fpc).
    #[arg(long, short)]
    pub design: PathBuf,
    /// Sample data (.csv, .tsv or .parquet).
    #[arg(long, short)]
    pub input: PathBuf,
    /// Output: the input columns plus `<prefix>_1..<prefix>_R` (replicate analysis weights).
    #[arg(long, short)]
    pub output: PathBuf,
    /// Replicate method.
    #[arg(long = "type", short = 't', value_parser = ["jk1", "jkn", "brr", "fay", "bootstrap", "sdr"])]
    pub kind: String,
    /// Number of replicates (bootstrap: default 50; SDR: a Hadamard order; fixed by the design
    /// for the jackknives and BRR).
    #[arg(long, short = 'R')]
    pub replicates: Option<usize>,
    /// Seed of the random generator (bootstrap only, default 1; the other types draw
    /// nothing and refuse it).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Fay's ρ (type fay).
    #[arg(long)]
    pub rho: Option<f64>,
    /// Variances around the full-sample estimate (mse) rather than the replicate mean.
    #[arg(long)]
    pub mse: bool,
    /// Prefix of the replicate columns.
    #[arg(long, default_value = "rep")]
    pub prefix: String,
    /// Also write an R script re-creating the replicate design with `svrepdesign`.
    #[arg(long)]
    pub r_script: Option<PathBuf>,
}

/// Generates replicate weights for the declared design.
///
/// # Errors
/// Bad config or data, a design the method does not fit (e.g. BRR with 3 PSUs in a stratum).
pub fn run(args: &Args, ui: &Ui, written: &WriteOptions) -> Result<()> {
    let cfg = EstimateConfig::load_design(&args.design)?;
    refuse_unused_design_keys(&cfg)?;
    if args.prefix.trim().is_empty() {
        return Err(Error::data(
            "command line",
            "--prefix is empty: the replicate columns would be `_1`, `_2`...; give a prefix such \
             as `rep`",
        ));
    }
    check_output_path(&args.output, &[&args.input, &args.design])?;
    if let Some(r) = &args.r_script {
        crate::data::check_writable_path(r, &[&args.input, &args.design, &args.output])?;
    }
    let kind = parse_kind(&args.kind, args.rho)?;
    if args.seed.is_some() && kind != ReplicateKind::Bootstrap {
        return Err(Error::data(
            "command line",
            format!(
                "--seed applies to --type bootstrap only: {} replicates draw nothing at random; \
                 remove --seed",
                args.kind
            ),
        ));
    }
    let mut table = Table::read(&args.input)?;
    check_size(args.replicates, table.n_rows())?;
    let design = crate::bind::design::design(&cfg, &table)?;
    let seed = args.seed.unwrap_or(DEFAULT_SEED);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let generated = generate(&design, kind, args.replicates, args.mse, &mut rng)?;
    let rep = &generated.design;
    let (names, count, scale) = (rep.column_names(&args.prefix), rep.n_replicates(), rep.scale());
    let script = match &args.r_script {
        Some(_) => {
            let weight = weight_column(&cfg)?;
            let out = args.output.display().to_string();
            Some(r_snippet(rep, &out, &weight, &args.prefix))
        }
        None => None,
    };
    // the columns move into the table (no copy of rows × replicates weights)
    for (name, w) in names.iter().zip(generated.design.into_replicate_weights()) {
        table.add_f64_vec(name, w)?;
    }
    table.write_with(&args.output, written)?;
    if let (Some(r), Some(script)) = (&args.r_script, script) {
        crate::report::write_text(r, &script)?;
    }
    if !generated.lonely_strata.is_empty() {
        ui.say(format!(
            "note: {} single-PSU strata kept their weight in every replicate ({})",
            generated.lonely_strata.len(),
            generated.lonely_strata.join(", ")
        ));
    }
    let drawn_with = match kind {
        ReplicateKind::Bootstrap => format!("seed {seed}, "),
        _ => String::new(),
    };
    ui.say(format!(
        "{count} {} replicate(s) written to {} ({drawn_with}scale {scale})",
        kind.r_type(),
        args.output.display(),
    ));
    Ok(())
}

/// Replicate weights are held in memory (R columns of n rows): refuse counts that cannot fit
/// rather than abort on a failed allocation.
fn check_size(replicates: Option<usize>, rows: usize) -> Result<()> {
    const MAX_VALUES: usize = 2_000_000_000; // 16 GB of f64
    if let Some(r) = replicates
        && r.saturating_mul(rows.max(1)) > MAX_VALUES
    {
        return Err(Error::data(
            "command line",
            format!(
                "--replicates {r} on {rows} rows would hold {r} × {rows} replicate weights, more \
                 than ponder's limit of {MAX_VALUES} (16 GB); ask for fewer replicates (50 to \
                 1000 is usual)"
            ),
        ));
    }
    Ok(())
}

/// `ponder replicates` builds replicates from the design's weights, strata, clusters and fpc;
/// keys that describe existing replicates or later weighting steps would be silently ignored.
fn refuse_unused_design_keys(cfg: &EstimateConfig) -> Result<()> {
    let mut bad = Vec::new();
    if cfg.replicates.is_some() {
        bad.push((
            "design.replicates",
            "declares existing replicate columns, which `ponder replicates` does not read",
            "remove it here; keep it in the file given to `ponder estimate`",
        ));
    }
    if cfg.calibration.is_some() {
        bad.push((
            "design.calibration",
            "replicates are generated from the design weights, not recalibrated here",
            "remove it, then calibrate every replicate with `ponder calibrate` and \
             `replicates: \"rep_*\"` in the calibration file",
        ));
    }
    if cfg.nonresponse.is_some() {
        bad.push((
            "design.nonresponse",
            "replicates are generated from the design weights, not adjusted here",
            "remove it, then adjust every replicate with `ponder nonresponse` and \
             `replicates: \"rep_*\"` in the nonresponse file",
        ));
    }
    if bad.is_empty() {
        return Ok(());
    }
    let mut problems = cfg.source.problems();
    for (key, msg, hint) in bad {
        problems.push(key, msg, Some(hint.to_string()));
    }
    problems.finish()
}

fn parse_kind(kind: &str, rho: Option<f64>) -> Result<ReplicateKind> {
    if rho.is_some() && kind != "fay" {
        return Err(Error::data("command line", "--rho applies to --type fay only"));
    }
    Ok(match kind {
        "jk1" => ReplicateKind::Jk1,
        "jkn" => ReplicateKind::Jkn,
        "brr" => ReplicateKind::Brr,
        "fay" => match rho {
            Some(r) if r > 0.0 && r < 1.0 => ReplicateKind::Fay { rho: r },
            _ => {
                return Err(Error::data(
                    "command line",
                    "--type fay needs --rho in (0, 1), e.g. 0.5",
                ));
            }
        },
        "bootstrap" => ReplicateKind::Bootstrap,
        _ => ReplicateKind::Sdr,
    })
}

fn weight_column(cfg: &EstimateConfig) -> Result<String> {
    cfg.weight_column().ok_or_else(|| {
        Error::data(cfg.file.clone(), "the R script needs a `weight:` column in the design")
    })
}
