//! The `ponder` command line: clap definitions, one file per subcommand, and the mapping of
//! errors to exit codes (0 success, 1 bad input, 2 usage, 3 internal error).

mod calibrate;
mod estimate;
mod export;
mod model;
mod nonresponse;
mod replicates;
mod run;
mod sample;
mod simulate;

use crate::data::ParquetCodec;
use clap::builder::TypedValueParser;
use clap::{Parser, Subcommand};

const EXAMPLES: &str = "\
Examples:
  ponder run                       # the bundled « Français et la justice » survey into out/
  ponder calibrate --config calibration/example.yaml \\
                   --input notebooks-data/example.csv --output out/example_calibrated.csv \\
                   --report out/example_report.html

Exit status: 0 success, 1 bad input (config or data), 2 command-line usage error,
3 internal error (please report).";

/// ponder — survey weighting and design-based estimation.
#[derive(Debug, Parser)]
#[command(name = "ponder", version, about, after_help = EXAMPLES)]
pub struct Cli {
    /// Silence progress bars and the summary on standard error.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Codec of .parquet outputs: lz4 (default; fast, read by Arrow ≥ 9, DuckDB, polars,
    /// pandas), zstd (smallest file, about twice as slow), snappy, none (fastest, largest).
    /// The values read back are the same whatever the codec; .csv/.tsv outputs are not
    /// compressed and ignore it. `ponder run`: replaces `outputs: parquet_compression:`.
    #[arg(long, global = true, value_name = "CODEC", value_parser = codec_parser())]
    pub parquet_compression: Option<ParquetCodec>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Calibrate weights to population margins (linear/GREG, raking, logit, truncated linear).
    Calibrate(calibrate::Args),
    /// Weighted estimates (totals, means, proportions, ratios, quantiles) with SE, CI, CV, deff.
    Estimate(estimate::Args),
    /// Researcher package: weighted file without identifiers, codebook, R/Stata/SAS/Python
    /// loaders reproducing the estimates, README with the variance conventions.
    Export(export::Args),
    /// Design-based GLMs (svyglm), Wald tests of terms, Rao–Scott χ² tests, differences.
    Model(model::Args),
    /// Correct for unit nonresponse (weighting classes, score groups, inverse propensity).
    Nonresponse(nonresponse::Args),
    /// Replicate weights (JK1, JKn, BRR, Fay, bootstrap, SDR) for a design.
    Replicates(replicates::Args),
    /// Draw a sample from a frame (stratified SRSWOR, systematic or Poisson πps, cube).
    Sample(sample::Args),
    /// Run a whole pipeline: sample, collection, nonresponse, calibration, replicates,
    /// estimates, report (default: the bundled « Français et la justice » survey).
    Run(run::Args),
    /// Repeat sample, collection and weighting K times on a synthetic population: bias,
    /// RMSE and interval coverage of every estimate at each weighting step.
    Simulate(simulate::Args),
}

/// `--parquet-compression`: one of [`ParquetCodec::ALL`] by name, each listed with its
/// [`ParquetCodec::about`] in `--help` (a wrong name exits 2 with the list).
fn codec_parser() -> impl TypedValueParser<Value = ParquetCodec> {
    let values =
        ParquetCodec::ALL.map(|c| clap::builder::PossibleValue::new(c.name()).help(c.about()));
    clap::builder::PossibleValuesParser::new(values).try_map(|s| s.parse::<ParquetCodec>())
}

/// Parses the command line, runs it, prints any error and returns the exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return e.exit_code();
        }
    };
    install_panic_hook();
    match std::panic::catch_unwind(|| run(&cli)) {
        Ok(Ok(())) => 0,
        Ok(Err(e)) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
        Err(_) => 3,
    }
}

/// Runs a parsed command line.
///
/// # Errors
/// Whatever the subcommand reports.
pub fn run(cli: &Cli) -> crate::Result<()> {
    let ui = Ui { quiet: cli.quiet };
    let out = crate::data::WriteOptions::parquet(cli.parquet_compression.unwrap_or_default());
    match &cli.command {
        Command::Calibrate(args) => calibrate::run(args, &ui, &out),
        Command::Estimate(args) => estimate::run(args, &ui, &out),
        Command::Export(args) => export::run(args, &ui, &out),
        Command::Model(args) => model::run(args, &ui, &out),
        Command::Nonresponse(args) => nonresponse::run(args, &ui, &out),
        Command::Replicates(args) => replicates::run(args, &ui, &out),
        Command::Sample(args) => sample::run(args, &ui, &out),
        // the pipeline's own `outputs: parquet_compression:` applies unless the flag is given
        Command::Run(args) => run::run(args, &ui, cli.parquet_compression),
        Command::Simulate(args) => simulate::run(args, &ui, &out),
    }
}

/// A panic is a bug in ponder: say so plainly, without a backtrace, and exit 3.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "internal error (please report this with the command you ran): {}",
            info.to_string().lines().last().unwrap_or("panic")
        );
    }));
}

impl crate::pipeline::Progress for Ui {
    fn say(&self, msg: &str) {
        Ui::say(self, msg);
    }
    fn bar(&self, len: u64, what: &str) -> indicatif::ProgressBar {
        self.progress(len, what)
    }
}

/// What the subcommands may print on standard error.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    /// No progress bars or summaries.
    pub quiet: bool,
}

impl Ui {
    /// Prints a line of summary unless quiet.
    pub fn say(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            eprintln!("{}", msg.as_ref());
        }
    }

    /// A progress bar of `len` steps (hidden when quiet or when standard error is not a
    /// terminal).
    pub fn progress(&self, len: u64, what: &str) -> indicatif::ProgressBar {
        if self.quiet {
            return indicatif::ProgressBar::hidden();
        }
        let pb = indicatif::ProgressBar::new(len);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
        {
            pb.set_style(style.progress_chars("=> "));
        }
        pb.set_message(what.to_string());
        pb
    }
}
