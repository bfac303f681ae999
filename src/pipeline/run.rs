//! `ponder run`: the chain once, the estimates, and the output folder:
//!
//! | file | content |
//! |---|---|
//! | `weighted.parquet`, `weighted.csv` | the sample, collection outcome, every weight and the final replicate weights `<w>_rep_1..R` |
//! | `collected.csv` | synthetic collections: the sample as field work returns it (design weights, strata, outcome, answers) — what an `input:` step reads |
//! | `estimates.csv`, `estimates.md` | the estimate table (one row per estimate × category × domain) |
//! | `tables.xlsx`, `tables.md`, `tables.html` | publication tables: per estimate, domains in rows and categories in columns with labels, CI, marks and footnotes (one sheet per estimate and a methodology sheet) |
//! | `models.csv`, `models.md` | models and tests of the estimates step's `models:` file (one row per coefficient or test), then those of its `dispute_models:` file |
//! | `disputes.csv` | synthetic collections with `disputes:` / `dispute_models:`: the respondents' civil disputes, one row per dispute ([`super::disputes`]) |
//! | `disputes_estimates.csv`, `disputes_estimates.md`, `disputes_tables.xlsx`, `disputes_tables.md`, `disputes_tables.html` | the estimates of the estimates step's `disputes:` file (`n` counts disputes), and their publication tables |
//! | `modes.csv`, `modes.md` | the mode-effect diagnostic of the estimates step's `modes:` file (mode coefficients at equal composition, predictive margins « all on the web », raw differences) |
//! | `sample.json` | the draw: allocation per stratum, balancing checks |
//! | `nonresponse.json` | response rates by phase and group, models, R-indicator, profiles |
//! | `calibration.json` | margins before/after, g distribution, design effect |
//! | `report.html` | one page with plots: weights by step, g, response rates, estimates, map |
//!
//! Every file is computed before the first one is written, each written atomically; no
//! timing goes into a file, so two runs with the same seed give byte-identical outputs.

use super::Progress;
use super::chain::{PassOptions, Weighted, World, weigh};
use crate::config::pipeline::{PipelineConfig, Start};
use crate::data::check_writable_path;
use crate::error::{Error, Result};
use crate::estimate::EstimateRow;
use crate::model::ModelRow;
use crate::report::run::{RunReport, WeightStep};
use rayon::prelude::*;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Options of `ponder run`.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Output folder (created if missing; its parent must exist).
    pub out: PathBuf,
    /// Replaces the pipeline's seed.
    pub seed: Option<u64>,
    /// Replaces the sample design's frame.
    pub frame: Option<PathBuf>,
    /// Replaces the replicate count.
    pub replicates: Option<usize>,
    /// Replaces the report language.
    pub lang: Option<crate::report::run::Lang>,
}

/// What a run did, for the terminal.
#[derive(Debug)]
pub struct RunSummary {
    /// Files written.
    pub files: Vec<PathBuf>,
    /// Seconds per step.
    pub timings: Vec<(&'static str, f64)>,
    /// Lines worth printing.
    pub lines: Vec<String>,
}

/// The seed of a run: `--seed`, else the pipeline's, else the sample design's.
///
/// # Errors
/// No seed anywhere for a drawn sample.
pub fn seed_of(cfg: &PipelineConfig, seed: Option<u64>) -> Result<u64> {
    let design_seed = match &cfg.start {
        Start::Sample(s) => s.seed,
        Start::Input(_) => Some(0),
    };
    seed.or(cfg.seed).or(design_seed).ok_or_else(|| {
        Error::data(
            &cfg.file,
            "no seed: give `seed:` in the pipeline or --seed (sampling is random)",
        )
    })
}

/// The publication tables (spreadsheet, Markdown, HTML).
const TABLES: [&str; 3] = ["tables.xlsx", "tables.md", "tables.html"];

/// Output files, by name.
fn outputs(cfg: &PipelineConfig, out: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> =
        cfg.weighted_formats.iter().map(|f| out.join(format!("weighted.{f}"))).collect();
    if cfg.collection.is_some() {
        v.push(out.join("collected.csv"));
    }
    if cfg.estimates.is_some() {
        v.push(out.join("estimates.csv"));
        v.push(out.join("estimates.md"));
        v.extend(TABLES.iter().map(|f| out.join(f)));
    }
    if cfg.models.is_some() || cfg.dispute_models.is_some() {
        v.push(out.join("models.csv"));
        v.push(out.join("models.md"));
    }
    if super::disputes::synthetic(cfg) {
        v.push(out.join("disputes.csv"));
    }
    if cfg.disputes.is_some() {
        v.push(out.join("disputes_estimates.csv"));
        v.push(out.join("disputes_estimates.md"));
        v.extend(TABLES.iter().map(|f| out.join(format!("disputes_{f}"))));
    }
    if cfg.modes.is_some() {
        v.push(out.join("modes.csv"));
        v.push(out.join("modes.md"));
    }
    if matches!(cfg.start, Start::Sample(_)) {
        v.push(out.join("sample.json"));
    }
    if cfg.nonresponse.is_some() {
        v.push(out.join("nonresponse.json"));
    }
    if cfg.calibration.is_some() {
        v.push(out.join("calibration.json"));
    }
    v.push(out.join("report.html"));
    v
}

/// Creates the output folder when missing (its parent must exist).
///
/// # Errors
/// A missing parent folder, a folder that cannot be created.
pub fn prepare_folder(out: &Path) -> Result<()> {
    if !out.is_dir() {
        let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        if !parent.is_dir() {
            return Err(Error::io(
                out,
                format!("the folder {} does not exist: create it first", parent.display()),
            ));
        }
        std::fs::create_dir(out)
            .map_err(|e| Error::io(out, format!("cannot create the output folder: {e}")))?;
    }
    Ok(())
}

/// Checks the output folder before any work: creates it when its parent exists, refuses
/// outputs that would overwrite an input.
fn prepare_out(cfg: &PipelineConfig, opts: &RunOptions) -> Result<Vec<PathBuf>> {
    let out = &opts.out;
    prepare_folder(out)?;
    let mut inputs: Vec<PathBuf> = vec![PathBuf::from(&cfg.file)];
    if let Start::Input(p) = &cfg.start {
        inputs.push(p.clone());
    }
    if let Some(f) = &opts.frame {
        inputs.push(f.clone());
    }
    let refs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
    let files = outputs(cfg, out);
    for f in &files {
        check_writable_path(f, &refs)?;
    }
    Ok(files)
}

#[derive(Serialize)]
struct NonresponseJson<'a> {
    config: &'a str,
    #[serde(flatten)]
    adjustment: &'a crate::nonresponse::Report,
}

#[derive(Serialize)]
struct CalibrationJson<'a> {
    config: &'a str,
    weight: &'a str,
    output_column: &'a str,
    population_total: Option<f64>,
    replicates_calibrated: usize,
    #[serde(flatten)]
    report: &'a crate::calibration::Report,
}

/// Runs the pipeline and writes every output.
///
/// # Errors
/// Bad output folder (before any work), then any step's error; nothing is written unless
/// every step succeeded.
pub fn run(cfg: &PipelineConfig, opts: &RunOptions, ui: &dyn Progress) -> Result<RunSummary> {
    super::schema::check(cfg, opts.frame.as_deref())?;
    super::schema::check_report_map(cfg)?;
    let seed = seed_of(cfg, opts.seed)?;
    let mut files = prepare_out(cfg, opts)?;
    super::export::check_run(cfg, &opts.out)?;
    let t0 = Instant::now();
    let world = World::load(cfg, opts.frame.as_ref())?;
    let load = t0.elapsed().as_secs_f64();
    ui.say(&format!("frame: {} ({} rows)", world.label, world.table.n_rows()));
    let pass = PassOptions { seed, replicates: opts.replicates, ..PassOptions::default() };
    let w = weigh(cfg, &world, &pass, ui)?;
    let t1 = Instant::now();
    let disputes = super::disputes::run_file(cfg, &world, &w, &opts.out)?;
    let unit_file = disputes.as_ref().map(|d| d.path.clone());
    // The big files are written (under temporary names) while the estimates are computed;
    // they get their names only when everything else has succeeded.
    let big = big_files(cfg, &opts.out, &w);
    let pq = crate::data::WriteOptions::parquet(cfg.parquet_compression);
    let (written, results) = rayon::join(
        || big.par_iter().map(|(t, tmp, _)| t.write_with(tmp, &pq)).collect::<Result<Vec<()>>>(),
        || results(cfg, opts, &w.table, unit_file.as_deref()),
    );
    let finish = || -> Result<Results> {
        written?;
        let results = results?;
        let lang = opts.lang.unwrap_or(cfg.report.lang.into());
        let html = report_html(cfg, &w, &results, seed, &world.label, lang)?;
        write_small(cfg, &opts.out, &w, &results, &html, lang, &pq)?;
        for (_, tmp, path) in &big {
            std::fs::rename(tmp, path).map_err(|e| Error::io(path, e))?;
        }
        if let Some(d) = disputes {
            d.keep(&opts.out.join("disputes.csv"))?;
        }
        Ok(results)
    };
    let result = finish();
    for (_, tmp, _) in &big {
        let _ = std::fs::remove_file(tmp);
    }
    let results = result?;
    files.extend(super::export::after_run(cfg, &opts.out, &w.table, seed, pq)?);
    let mut timings = vec![("frame", load)];
    timings.extend(w.timings.iter().copied());
    timings.push(("estimates + report + write", t1.elapsed().as_secs_f64()));
    Ok(RunSummary { files, timings, lines: summary_lines(cfg, &w, &results) })
}

/// The estimates step's results: estimate rows and model rows, their labels (codebook,
/// titles, themes) and the codebook's warnings.
struct Results {
    estimates: Vec<EstimateRow>,
    models: Vec<ModelRow>,
    /// The estimates about disputes (`disputes:`).
    disputes: Vec<EstimateRow>,
    /// The models about disputes (`dispute_models:`), after `models` in models.csv.
    dispute_models: Vec<ModelRow>,
    /// The mode-effect diagnostic (`modes:`).
    modes: Vec<ModelRow>,
    labels: crate::estimate::Labels,
    warnings: Vec<String>,
    /// Domains against the overall value, for the tables' significance marks.
    differences: Vec<crate::model::VersusOverall>,
}

type Part<R> = Result<(Vec<R>, Option<crate::bind::codebook::Checked>)>;

/// Computes the estimates and the models, side by side (`--replicates` applied to both
/// designs); the dispute configurations on `unit_file` when the run wrote it.
fn results(
    cfg: &PipelineConfig,
    opts: &RunOptions,
    table: &crate::data::Table,
    unit_file: Option<&Path>,
) -> Result<Results> {
    let (dispute_cfg, dispute_models_cfg) = match unit_file {
        Some(f) => super::disputes::pointed(cfg, f),
        None => (cfg.disputes.clone(), cfg.dispute_models.clone()),
    };
    // The differences behind the tables' significance marks, beside the estimates and
    // models (their errors come after the estimates' own).
    let (((estimates, models), differences), (disputes, dispute_models)) = rayon::join(
        || {
            rayon::join(
                || {
                    rayon::join(
                        || estimate_part(cfg.estimates.as_ref(), opts, table),
                        || -> Result<_> {
                            let models = model_part(cfg.models.as_ref(), opts, table)?;
                            Ok((models, model_part(cfg.modes.as_ref(), opts, table)?))
                        },
                    )
                },
                || match &cfg.estimates {
                    Some(e) => {
                        crate::bind::significance::versus_overall(&with_count(e, opts), table)
                    }
                    None => Ok(Vec::new()),
                },
            )
        },
        || {
            rayon::join(
                || estimate_part(dispute_cfg.as_ref(), opts, table),
                || model_part(dispute_models_cfg.as_ref(), opts, table),
            )
        },
    );
    let ((estimates, e_checked), ((models, m_checked), (modes, d_checked))) = (estimates?, models?);
    let differences = differences?;
    let ((disputes, u_checked), (dispute_models, v_checked)) = (disputes?, dispute_models?);
    let mut labels = crate::estimate::Labels::default();
    let mut warnings: Vec<String> = Vec::new();
    let checked = e_checked.into_iter().chain(m_checked).chain(d_checked);
    for c in checked.chain(u_checked).chain(v_checked) {
        labels = labels.merge(c.labels);
        for w in c.warnings {
            if !warnings.contains(&w) {
                warnings.push(w); // the estimates and models may share a codebook
            }
        }
    }
    Ok(Results {
        estimates,
        models,
        disputes,
        dispute_models,
        modes,
        labels,
        warnings,
        differences,
    })
}

/// The rows of an estimation file, `--replicates` applied, with its codebook check.
fn estimate_part(
    e: Option<&crate::config::estimate::EstimateConfig>,
    opts: &RunOptions,
    table: &crate::data::Table,
) -> Part<EstimateRow> {
    let Some(e) = e else { return Ok((Vec::new(), None)) };
    let e = with_count(e, opts);
    crate::bind::estimate::check_columns(&e, table)?;
    let checked = crate::bind::codebook::estimate_labels(&e, table)?;
    Ok((crate::bind::estimate::compute(&e, table)?, Some(checked)))
}

/// The rows of a model file (`models:` or `modes:`), `--replicates` applied, with its
/// codebook check.
fn model_part(
    m: Option<&crate::config::model::ModelConfig>,
    opts: &RunOptions,
    table: &crate::data::Table,
) -> Result<(Vec<ModelRow>, Option<crate::bind::codebook::Checked>)> {
    let Some(m) = m else { return Ok((Vec::new(), None)) };
    let mut m = m.clone();
    if let Some(r) = opts.replicates {
        m.design.set_replicate_count(r);
    }
    crate::bind::model::check_columns(&m, table)?;
    let checked = crate::bind::codebook::model_labels(&m, table)?;
    Ok((crate::bind::model::compute(&m, table)?, Some(checked)))
}

/// The estimation config with `--replicates` applied.
fn with_count(
    e: &crate::config::estimate::EstimateConfig,
    opts: &RunOptions,
) -> crate::config::estimate::EstimateConfig {
    let mut e = e.clone();
    if let Some(r) = opts.replicates {
        e.set_replicate_count(r);
    }
    e
}

impl Results {
    /// The models of persons, then those of disputes (models.csv's order).
    fn all_models(&self) -> impl Iterator<Item = &ModelRow> {
        self.models.iter().chain(&self.dispute_models)
    }
}

fn summary_lines(cfg: &PipelineConfig, w: &Weighted, results: &Results) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(step) = &cfg.calibration
        && step.population_total != crate::config::pipeline::TotalSource::Config
    {
        lines.push(format!(
            "note: calibration population total {} replaces the {} of {} (the margins' shares are kept)",
            w.population_total.unwrap_or(f64::NAN),
            step.config.population_total.map_or_else(|| "none".to_string(), |v| v.to_string()),
            step.config.file
        ));
    }
    if w.sample.is_some() {
        lines.push(format!(
            "sample: {} drawn of {} in scope",
            w.table.n_rows(),
            w.n_in_scope.unwrap_or(0)
        ));
    }
    if let Some(a) = &w.nonresponse {
        let resp = a.weights.iter().filter(|x| **x > 0.0).count();
        lines.push(format!(
            "nonresponse: {resp} respondents, {} response groups",
            a.group_labels.len()
        ));
    }
    if let Some((c, _)) = &w.calibration {
        lines.push(format!(
            "calibration: {} in {} iteration(s), g in [{:.3}, {:.3}], design effect {:.3}",
            c.report.method.name(),
            c.report.iterations,
            c.report.g.min,
            c.report.g.max,
            c.report.design_effect
        ));
    }
    if let Some((_, r)) = w.replicates.last()
        && !r.is_empty()
    {
        lines.push(format!(
            "replicates: {} bootstrap replicates redoing every weighting step",
            r.len()
        ));
    }
    lines.push(format!("estimates: {} rows", results.estimates.len()));
    if cfg.disputes.is_some() {
        lines.push(format!("dispute estimates: {} rows", results.disputes.len()));
    }
    if cfg.models.is_some() || cfg.dispute_models.is_some() {
        let n = results.models.len() + results.dispute_models.len();
        lines.push(format!("models and tests: {n} rows"));
    }
    if cfg.modes.is_some() {
        lines.push(format!("mode effects: {} rows", results.modes.len()));
    }
    lines.extend(w.notes.iter().map(|n| format!("note: {n}")));
    lines.extend(results.warnings.iter().cloned());
    lines
}

fn report_html(
    cfg: &PipelineConfig,
    w: &Weighted,
    results: &Results,
    seed: u64,
    frame: &str,
    lang: crate::report::run::Lang,
) -> Result<String> {
    let design = w.table.numeric(cfg.design_weight())?;
    let mut owned: Vec<(&'static str, Vec<f64>)> = vec![("design", design)];
    if let Some(a) = &w.nonresponse {
        owned.push(("nonresponse", a.weights.iter().copied().filter(|x| *x > 0.0).collect()));
    }
    let mut g = Vec::new();
    if let Some((c, d)) = &w.calibration {
        owned.push(("calibration", c.weights.iter().copied().filter(|x| *x > 0.0).collect()));
        g = c.g(d).into_iter().filter(|x| x.is_finite()).collect();
    }
    // Counts in the tables' number format (`25 000` / `25,000`); the seed as written.
    let shown = |k: &str, v: String| match v.parse::<u64>() {
        Ok(n) if k != "seed" => crate::report::run::number(lang, n as f64),
        _ => v,
    };
    let facts = facts(cfg, w, seed, frame)
        .into_iter()
        .map(|(k, v)| (fact_label(lang, &k), shown(&k, v)))
        .collect();
    // the mode-effect models (their own theme) after the study's models and the disputes'
    let models: Vec<ModelRow> = results.all_models().chain(&results.modes).cloned().collect();
    // the disputes' estimates after the persons' (the non-recourse chart reads them)
    let estimates: Vec<EstimateRow> =
        results.estimates.iter().chain(&results.disputes).cloned().collect();
    let report = RunReport {
        lang,
        title: cfg.report.title.clone(),
        facts,
        steps: owned.iter().map(|(k, v)| WeightStep { key: k, weights: v }).collect(),
        g: &g,
        calibration: w.calibration.as_ref().map(|(c, _)| &c.report),
        nonresponse: w.nonresponse.as_ref().map(|a| &a.report),
        estimates: &estimates,
        models: &models,
        labels: &results.labels,
        map: cfg.report.map.as_deref(),
        map_category: cfg.report.map_category.as_deref(),
        significance: cfg
            .estimates
            .as_ref()
            .and_then(|e| e.notes.significance)
            .map(|rule| (results.differences.as_slice(), rule)),
    };
    crate::report::run::render(&report)
}

/// Label of a key figure in the report's language.
fn fact_label(lang: crate::report::run::Lang, key: &str) -> String {
    use crate::report::run::Lang;
    let (fr, en) = match key {
        "pipeline" => ("Fichier de chaîne", "Pipeline file"),
        "seed" => ("Graine aléatoire", "Random seed"),
        "frame" => ("Base de sondage", "Sampling frame"),
        "sampled" => ("Personnes échantillonnées", "Persons sampled"),
        "in_scope" => ("Personnes du champ dans la base", "In-scope persons in the frame"),
        "replicates" => ("Répliques bootstrap", "Bootstrap replicates"),
        "outcome:web" => ("Répondants par internet", "Web respondents"),
        "outcome:phone" => ("Répondants par téléphone", "Phone respondents"),
        "outcome:nonrespondent" => ("Non-répondants", "Non-respondents"),
        "outcome:ineligible" => ("Hors champ", "Out of scope"),
        "outcome:unknown" => ("Éligibilité inconnue", "Unknown eligibility"),
        other => (other, other),
    };
    match lang {
        Lang::Fr => fr.to_string(),
        Lang::En => en.to_string(),
    }
}

fn facts(cfg: &PipelineConfig, w: &Weighted, seed: u64, frame: &str) -> Vec<(String, String)> {
    let mut f = vec![
        ("pipeline".to_string(), cfg.file.clone()),
        ("seed".to_string(), seed.to_string()),
        ("frame".to_string(), frame.to_string()),
        ("sampled".to_string(), w.table.n_rows().to_string()),
    ];
    if let Some(n) = w.n_in_scope {
        f.push(("in_scope".to_string(), n.to_string()));
    }
    if let Some(a) = &w.nonresponse {
        for o in &a.report.outcomes {
            f.push((format!("outcome:{}", o.outcome.label()), o.n.to_string()));
        }
    }
    if let Some((_, r)) = w.replicates.last() {
        f.push(("replicates".to_string(), r.len().to_string()));
    }
    f
}

/// The weighted file(s) and the collected file: (table, temporary path, final path).
fn big_files<'a>(
    cfg: &PipelineConfig,
    out: &Path,
    w: &'a Weighted,
) -> Vec<(&'a crate::data::Table, PathBuf, PathBuf)> {
    let mut big: Vec<(&crate::data::Table, String)> =
        cfg.weighted_formats.iter().map(|f| (&w.table, format!("weighted.{f}"))).collect();
    if let Some(c) = &w.collected {
        big.push((c, "collected.csv".to_string()));
    }
    big.into_iter().map(|(t, name)| (t, out.join(format!(".tmp-{name}")), out.join(name))).collect()
}

fn write_small(
    cfg: &PipelineConfig,
    out: &Path,
    w: &Weighted,
    results: &Results,
    html: &str,
    lang: crate::report::run::Lang,
    pq: &crate::data::WriteOptions,
) -> Result<()> {
    if let Some(e) = &cfg.estimates {
        let (rows, labels) = (&results.estimates, &results.labels);
        for f in ["estimates.csv", "estimates.md"] {
            crate::report::table::write_estimates_labelled(&out.join(f), rows, labels, lang, pq)?;
        }
        let paths = TABLES.map(|f| out.join(f));
        let setup = crate::report::publication::Setup {
            differences: results.differences.clone(),
            ..super::publication::setup(e, lang)
        };
        crate::report::table::write_publication_files(&paths, rows, labels, &setup)?;
    }
    if let Some(e) = &cfg.disputes {
        let (rows, labels) = (&results.disputes, &results.labels);
        for f in ["disputes_estimates.csv", "disputes_estimates.md"] {
            crate::report::table::write_estimates_labelled(&out.join(f), rows, labels, lang, pq)?;
        }
        let paths = TABLES.map(|f| out.join(format!("disputes_{f}")));
        let setup = super::publication::setup(e, lang);
        crate::report::table::write_publication_files(&paths, rows, labels, &setup)?;
    }
    if cfg.models.is_some() || cfg.dispute_models.is_some() {
        let models: Vec<ModelRow> = results.all_models().cloned().collect();
        crate::report::table::write_models(&out.join("models.csv"), &models, pq)?;
        crate::report::table::write_models(&out.join("models.md"), &models, pq)?;
    }
    if cfg.modes.is_some() {
        crate::report::table::write_models(&out.join("modes.csv"), &results.modes, pq)?;
        crate::report::table::write_models(&out.join("modes.md"), &results.modes, pq)?;
    }
    if let Some(s) = &w.sample {
        crate::report::write_json(&out.join("sample.json"), s)?;
    }
    if let (Some(a), Some(n)) = (&w.nonresponse, &cfg.nonresponse) {
        crate::report::write_json(
            &out.join("nonresponse.json"),
            &NonresponseJson { config: &n.file, adjustment: &a.report },
        )?;
    }
    if let (Some((c, _)), Some(step)) = (&w.calibration, &cfg.calibration) {
        let json = CalibrationJson {
            config: &step.config.file,
            weight: &step.config.weight,
            output_column: &step.config.output,
            population_total: w.population_total,
            replicates_calibrated: w.replicates.last().map_or(0, |r| r.1.len()),
            report: &c.report,
        };
        crate::report::write_json(&out.join("calibration.json"), &json)?;
    }
    crate::report::write_text(&out.join("report.html"), html)
}
