//! `ponder replicates --design E.yaml --input IN --output OUT --type T [--replicates R]
//! [--seed N] [--mse] [--rho ρ] [--prefix rep] [--r-script F.R]`

use super::Ui;
use crate::config::estimate::EstimateConfig;
use crate::data::{ColumnData, Table, check_output_path};
use crate::error::{Error, Result};
use crate::variance::replicates::{ReplicateKind, generate, r_snippet};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::path::PathBuf;

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
    /// Seed of the random generator (bootstrap).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
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
pub fn run(args: &Args, ui: &Ui) -> Result<()> {
    let cfg = EstimateConfig::load_design(&args.design)?;
    check_output_path(&args.output, &[&args.input, &args.design])?;
    if let Some(r) = &args.r_script {
        crate::data::check_writable_path(r, &[&args.input, &args.design, &args.output])?;
    }
    let kind = parse_kind(&args.kind, args.rho)?;
    let mut table = Table::read(&args.input)?;
    let design = cfg.design(&table)?;
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let generated = generate(&design, kind, args.replicates, args.mse, &mut rng)?;
    let rep = &generated.design;
    for (name, w) in rep.column_names(&args.prefix).iter().zip(rep.replicate_weights()) {
        table.add_column(name, ColumnData::from_f64(w))?;
    }
    table.write(&args.output)?;
    if let Some(r) = &args.r_script {
        let weight = weight_column(&cfg)?;
        let out = args.output.display().to_string();
        crate::report::write_text(r, &r_snippet(rep, &out, &weight, &args.prefix))?;
    }
    if !generated.lonely_strata.is_empty() {
        ui.say(format!(
            "note: {} single-PSU strata kept their weight in every replicate ({})",
            generated.lonely_strata.len(),
            generated.lonely_strata.join(", ")
        ));
    }
    ui.say(format!(
        "{} {} replicate(s) written to {} (scale {})",
        rep.n_replicates(),
        kind.r_type(),
        args.output.display(),
        rep.scale()
    ));
    Ok(())
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
