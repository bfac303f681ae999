//! `ponder estimate --config E.yaml --input IN --output OUT`

use super::Ui;
use crate::config::estimate::EstimateConfig;
use crate::data::Table;
use crate::error::Result;
use crate::report::run::Lang;
use crate::report::table::write_estimates_published;
use std::path::{Path, PathBuf};

/// Arguments of `ponder estimate`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  ponder estimate --config estimates.yaml --input weighted.csv \
    --output estimates.csv\n\nOUT by extension: the estimate rows as .csv, .tsv, .parquet, .md \
    (Markdown), .json; publication tables (per estimate: domains in rows, categories in \
    columns, CI, marks and footnotes) as .xlsx (one sheet per estimate and a methodology \
    sheet), .pub.md (Markdown) or .html.\n\n\
    With `codebook:` in the config, the codes stay and label columns follow them \
    (`category_label`, `<by>_label`) in the language of --lang; publication tables show \
    the labels and titles in that language.")]
pub struct Args {
    /// Estimation configuration (YAML): design, estimates, publication rules.
    #[arg(long, short)]
    pub config: PathBuf,
    /// Weighted data (.csv, .tsv or .parquet).
    #[arg(long, short)]
    pub input: PathBuf,
    /// Estimate rows (.csv, .tsv, .parquet, .md, .json) or publication tables (.xlsx,
    /// .pub.md, .html).
    #[arg(long, short)]
    pub output: PathBuf,
    /// Language of the label columns (with a `codebook:` in the config) and of the
    /// publication tables.
    #[arg(long, value_parser = ["fr", "en"], default_value = "fr")]
    pub lang: String,
    /// Linked unit file (one row per dispute...) replacing the config's `units.file`.
    #[arg(long)]
    pub units: Option<PathBuf>,
}

/// Runs the estimation.
///
/// # Errors
/// Bad config or data (exit 1), with the culprit named.
pub fn run(args: &Args, ui: &Ui, written: &crate::data::WriteOptions) -> Result<()> {
    let mut cfg = EstimateConfig::load(&args.config)?;
    if let Some(u) = &args.units {
        cfg.set_units_file(u)?;
    }
    let inputs = [&args.input, &args.config].map(|p| p.as_path());
    let inputs: Vec<&std::path::Path> = inputs.into_iter().chain(cfg.units_file()).collect();
    crate::report::table::check_estimates_path(&args.output, &inputs)?;
    let table = read_input(&cfg, &args.input)?;
    crate::bind::estimate::check_columns(&cfg, &table)?;
    if let Some(w) = cfg.weight_column()
        && let Ok(values) = table.numeric(&w)
        && !values.is_empty()
        && values.iter().all(|v| *v == 0.0)
    {
        return Err(crate::error::Error::data(
            table.source(),
            format!(
                "weight column `{w}` (design.weight in {}) is 0 on every row: every estimate \
                 would be empty; check that it is the right column (e.g. the calibrated or \
                 adjusted weight)",
                cfg.file
            ),
        ));
    }
    let checked = crate::bind::codebook::estimate_labels(&cfg, &table)?;
    let rows = crate::bind::estimate::compute(&cfg, &table)?;
    for w in &checked.warnings {
        eprintln!("{w}");
    }
    let lang = Lang::parse(&args.lang).unwrap_or_default();
    let mut setup = crate::pipeline::publication::setup(&cfg, lang);
    if crate::report::table::is_publication(&args.output) {
        setup.differences = crate::bind::significance::versus_overall(&cfg, &table)?;
    }
    write_estimates_published(&args.output, &rows, &checked.labels, &setup, written)?;
    ui.say(format!("{} estimate row(s) written to {}", rows.len(), args.output.display()));
    Ok(())
}

/// Reads the input of `ponder estimate`: see [`read_named`].
fn read_input(cfg: &EstimateConfig, input: &Path) -> Result<Table> {
    let requests = cfg.requests.iter().flat_map(crate::bind::estimate::request_columns);
    read_named(cfg, requests.map(|(_, c)| c).collect(), input)
}

/// Reads the input of a step with a `design:` block; from a Parquet file, only the design's
/// columns, its replicate columns and the columns the step `names` (`ponder estimate` on a
/// weighted file with 400 replicate columns uses half of them). A design whose variance or
/// rows come from other files (`calibration:`, `nonresponse:` — their margins and classes —,
/// `units:`) gets every column.
pub(super) fn read_named(cfg: &EstimateConfig, names: Vec<&str>, input: &Path) -> Result<Table> {
    if cfg.calibration.is_some() || cfg.nonresponse.is_some() || cfg.units.is_some() {
        return Table::read(input);
    }
    let d = &cfg.design;
    let mut named: Vec<&str> = [&d.weight, &d.probabilities, &d.strata, &d.certainty]
        .into_iter()
        .flatten()
        .chain(d.clusters.iter().chain(&d.fpc))
        .map(String::as_str)
        .collect();
    named.extend(names);
    let pattern = cfg.replicates.as_ref().and_then(|r| glob::Pattern::new(&r.columns).ok());
    let keep =
        |name: &str| named.contains(&name) || pattern.as_ref().is_some_and(|p| p.matches(name));
    Table::read_projected(input, &keep)
}
