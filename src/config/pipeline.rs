//! The pipeline file of `ponder run` / `ponder simulate`: an ordered list of steps, each
//! pointing to its own configuration (paths relative to the pipeline file), validated as a
//! whole before any work starts.
//!
//! ```yaml
//! seed: 2024
//! steps:
//!   - sample: fej2024_sample.yaml          # or `- input: collected.csv` (a collected sample)
//!   - collection: {synthetic: {mode_effect: 0.0}}
//!   - nonresponse: fej2024_nonresponse.yaml
//!   - calibration: {config: ../calibration/fej2024.yaml, population_total: frame}
//!   - replicates: {type: bootstrap, count: 500}
//!   - estimates: fej2024_estimates.yaml
//!   # or, with design-based models and tests (a `ponder model` file) beside the estimates:
//!   # - estimates: {config: fej2024_estimates.yaml, models: fej2024_models.yaml}
//!   # and the mode-effect diagnostic (models of the answers on the collection mode):
//!   # - estimates: {config: …, models: …, modes: fej2024_modes.yaml}
//!   # and estimates and models about the respondents' disputes (files with `units:`):
//!   # - estimates: {config: …, disputes: fej2024_disputes.yaml,
//!   #               dispute_models: fej2024_dispute_models.yaml}
//! report: {lang: fr, title: "Les Français et la justice 2024", map: trust_by_region}
//! export: fej2024_export.yaml   # optional: the researcher package, in <out>/researcher/
//! # or map: {estimate: trust_by_region, category: "yes"} (the category drawn; by default
//! # the first in codebook order)
//! ```
//!
//! Checks made by [`PipelineConfig::load`]: known step names, the canonical order
//! (sample | input → collection → nonresponse → calibration → replicates → estimates), no
//! step twice, every referenced file exists and is valid. The result is a plain spec (no
//! library object): the pipeline layer (`src/pipeline/`) checks the weight chain across
//! the steps and the columns, and turns the spec into the simulator's and the report's types.

mod build;

use super::calibrate::CalibrationConfig;
use super::estimate::EstimateConfig;
use super::model::ModelConfig;
use super::nonresponse::NonresponseConfig;
use super::sample::SampleConfig;
use super::{Loaded, Problems, Source, load_yaml, suggest};
use crate::error::Result;
use build::Builder;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPipeline {
    seed: Option<u64>,
    steps: Vec<serde_yaml::Mapping>,
    report: Option<RawReport>,
    outputs: Option<RawOutputs>,
    export: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReport {
    lang: Option<String>,
    title: Option<String>,
    map: Option<RawMap>,
}

/// `map: trust_by_region` or `map: {estimate: trust_by_region, category: "yes"}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(
    untagged,
    expecting = "one of the accepted forms of `report: map:`: an estimate name \
                 (`map: trust_by_region`) or `map: {estimate: trust_by_region, category: \"yes\"}` \
                 (keys `estimate` and `category` only)"
)]
enum RawMap {
    Name(String),
    Choice(RawMapChoice),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapChoice {
    estimate: String,
    category: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutputs {
    weighted: Vec<String>,
    parquet_compression: Option<crate::data::ParquetCodec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCollection {
    synthetic: CollectionSpec,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalibrationFull {
    config: PathBuf,
    population_total: Option<serde_yaml::Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEstimatesFull {
    config: Option<PathBuf>,
    models: Option<PathBuf>,
    modes: Option<PathBuf>,
    disputes: Option<PathBuf>,
    dispute_models: Option<PathBuf>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReplicates {
    #[serde(rename = "type")]
    kind: String,
    count: usize,
    seed: Option<u64>,
    strata: Option<String>,
    weight: Option<String>,
}

/// Parameters of the synthetic field work (`collection: {synthetic: {...}}`), as written
/// (the simulator's model is built from it by the pipeline).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CollectionSpec {
    /// Shift δ on the logit of the positive opinion answers of telephone respondents.
    pub mode_effect: f64,
    /// Web non-respondents with a usable number are called (default true).
    pub phone_relaunch: bool,
    /// Share of sampled persons whose eligibility stays unknown (default 0.03).
    pub unknown_rate: f64,
}

impl Default for CollectionSpec {
    fn default() -> Self {
        CollectionSpec { mode_effect: 0.0, phone_relaunch: true, unknown_rate: 0.03 }
    }
}

impl CollectionSpec {
    /// The first problem of the parameters: `mode_effect` not finite, `unknown_rate`
    /// outside [0, 1).
    pub fn problem(&self) -> Option<String> {
        if !self.mode_effect.is_finite() {
            return Some(format!(
                "collection: mode_effect must be a finite number, got {}",
                self.mode_effect
            ));
        }
        if !(0.0..1.0).contains(&self.unknown_rate) {
            return Some(format!(
                "collection: unknown_rate must be in [0, 1), got {}; give the share of sampled \
                 persons whose eligibility stays unknown, e.g. 0.03",
                self.unknown_rate
            ));
        }
        None
    }
}

/// Language of the report's labels (`report: lang:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReportLang {
    /// `fr` (default).
    #[default]
    Fr,
    /// `en`.
    En,
}

impl ReportLang {
    /// `"fr"` or `"en"` (case-insensitive).
    pub fn parse(s: &str) -> Option<ReportLang> {
        match s.to_ascii_lowercase().as_str() {
            "fr" => Some(ReportLang::Fr),
            "en" => Some(ReportLang::En),
            _ => None,
        }
    }
}

/// Step names in their only possible order (`sample` and `input` are alternatives).
pub const STEP_ORDER: [&str; 7] =
    ["sample", "input", "collection", "nonresponse", "calibration", "replicates", "estimates"];

/// Where the sample comes from.
#[derive(Debug, Clone)]
pub enum Start {
    /// Drawn by the pipeline with this design.
    Sample(Box<SampleConfig>),
    /// A collected sample file (design weights and collection outcomes already there).
    Input(PathBuf),
}

/// Where the calibration's population total comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TotalSource {
    /// As written in the calibration file.
    Config,
    /// The number of in-scope persons of the frame (the register): the margins' shares are
    /// applied to it. Only with a drawn sample.
    Frame,
    /// This number.
    Value(f64),
}

/// The calibration step.
#[derive(Debug, Clone)]
pub struct CalibrationStep {
    /// The calibration configuration.
    pub config: CalibrationConfig,
    /// Population total used.
    pub population_total: TotalSource,
}

/// The replicate step: replicate design weights, then every weighting step redone on each.
#[derive(Debug, Clone)]
pub struct ReplicateStep {
    /// Number of bootstrap replicates.
    pub count: usize,
    /// Seed (default: the pipeline seed, on its own random stream).
    pub seed: Option<u64>,
    /// Strata of the design (default `stratum`, written by the sample step).
    pub strata: String,
    /// Design weight column (default `design_weight`).
    pub weight: String,
}

/// Report options.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Language of labels.
    pub lang: ReportLang,
    /// Title.
    pub title: String,
    /// Estimate (by region) shown on the map.
    pub map: Option<String>,
    /// Category of that estimate shown (a code; `None`: the first in codebook order).
    pub map_category: Option<String>,
}

/// A validated pipeline.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    /// The pipeline file.
    pub file: String,
    /// The pipeline file's path and text (line numbers of later problems, no re-read).
    pub source: Source,
    /// Step names as written (`steps[i]` of messages).
    pub steps: Vec<String>,
    /// Master seed (`--seed` replaces it).
    pub seed: Option<u64>,
    /// First step.
    pub start: Start,
    /// Synthetic collection (only after `sample`).
    pub collection: Option<CollectionSpec>,
    /// Nonresponse correction.
    pub nonresponse: Option<NonresponseConfig>,
    /// Calibration.
    pub calibration: Option<CalibrationStep>,
    /// Replicates.
    pub replicates: Option<ReplicateStep>,
    /// Estimates.
    pub estimates: Option<EstimateConfig>,
    /// Models and tests (`models:` of the estimates step): written to `models.csv`.
    pub models: Option<ModelConfig>,
    /// The mode-effect diagnostic (`modes:` of the estimates step, a `ponder model` file:
    /// models with the collection mode as a term and `margins:`): written to `modes.csv`.
    pub modes: Option<ModelConfig>,
    /// Estimates about the disputes (`disputes:` of the estimates step, an estimation file
    /// with `units: {file, key}`): written to `disputes_estimates.csv`. With a synthetic
    /// collection the run writes the respondents' disputes to `disputes.csv` and estimates
    /// on that file (`units.file` is replaced); otherwise `units.file` is read as given.
    pub disputes: Option<EstimateConfig>,
    /// Models and tests about the disputes (`dispute_models:`, a `ponder model` file with
    /// `units:`), on the same dispute file: their rows follow the models' in `models.csv`.
    pub dispute_models: Option<ModelConfig>,
    /// Report.
    pub report: ReportOptions,
    /// Formats of the weighted file (`csv`, `parquet`).
    pub weighted_formats: Vec<String>,
    /// Codec of the Parquet outputs (`outputs: parquet_compression:`, default `lz4`;
    /// `--parquet-compression` replaces it).
    pub parquet_compression: crate::data::ParquetCodec,
    /// The researcher package (`export: X.yaml`), written to `<out>/<folder>/`.
    pub export: Option<super::export::ExportConfig>,
}

/// One step as written: its index, name, value.
struct RawStep<'a> {
    index: usize,
    name: String,
    value: &'a serde_yaml::Value,
}

impl PipelineConfig {
    /// Reads and validates a pipeline and every configuration it points to.
    ///
    /// # Errors
    /// [`crate::Error::Config`] listing every problem of the pipeline file (unknown or misplaced
    /// steps, missing files, broken weight chain); the first invalid step configuration.
    pub fn load(path: &Path) -> Result<PipelineConfig> {
        let loaded: Loaded<RawPipeline> = load_yaml(path)?;
        let mut p = Problems::new(&loaded);
        let steps = named_steps(&loaded.raw.steps, &mut p);
        check_order(&steps, &mut p);
        let base = path.parent().unwrap_or(Path::new("."));
        let mut b = Builder { base, problems: p, nested: Vec::new(), cfg: empty(&loaded) };
        for s in &steps {
            b.step(s);
        }
        b.report(loaded.raw.report.as_ref());
        b.outputs(loaded.raw.outputs.as_ref());
        b.export(loaded.raw.export.as_deref());
        if !steps.iter().any(|s| s.name == "sample" || s.name == "input") {
            b.problems.push(
                "steps",
                "the pipeline has no `sample` (or `input`) step",
                Some("start with `- sample: design.yaml` or `- input: collected.csv`".into()),
            );
        }
        let Builder { problems, nested, mut cfg, .. } = b;
        problems.finish()?;
        if let Some(e) = nested.into_iter().next() {
            return Err(e);
        }
        cfg.seed = loaded.raw.seed;
        cfg.steps = steps.iter().map(|s| s.name.clone()).collect();
        Ok(cfg)
    }

    /// The key of step `name` in messages (`steps[3].calibration`), `steps` when the
    /// pipeline has no such step.
    pub fn step_key(&self, name: &str) -> String {
        self.steps
            .iter()
            .position(|s| s == name)
            .map_or_else(|| "steps".to_string(), |i| format!("steps[{i}].{name}"))
    }

    /// Weight column of the design (`design_weight`, or the replicate step's `weight`).
    pub fn design_weight(&self) -> &str {
        self.replicates.as_ref().map_or("design_weight", |r| r.weight.as_str())
    }

    /// Final weight column: calibration output, else nonresponse output, else design.
    pub fn final_weight(&self) -> &str {
        if let Some(c) = &self.calibration {
            &c.config.output
        } else if let Some(n) = &self.nonresponse {
            &n.output
        } else {
            self.design_weight()
        }
    }
}

fn empty(loaded: &Loaded<RawPipeline>) -> PipelineConfig {
    PipelineConfig {
        file: loaded.file.clone(),
        source: loaded.source(),
        steps: Vec::new(),
        seed: None,
        start: Start::Input(PathBuf::new()),
        collection: None,
        nonresponse: None,
        calibration: None,
        replicates: None,
        estimates: None,
        models: None,
        modes: None,
        disputes: None,
        dispute_models: None,
        report: ReportOptions {
            lang: ReportLang::Fr,
            title: String::new(),
            map: None,
            map_category: None,
        },
        weighted_formats: vec!["parquet".into(), "csv".into()],
        parquet_compression: crate::data::ParquetCodec::default(),
        export: None,
    }
}

/// Each list item must be a map with exactly one known step name.
fn named_steps<'a>(raw: &'a [serde_yaml::Mapping], p: &mut Problems) -> Vec<RawStep<'a>> {
    let mut out = Vec::new();
    if raw.is_empty() {
        p.push("steps", "the pipeline has no step", None);
    }
    for (i, m) in raw.iter().enumerate() {
        let key = format!("steps[{i}]");
        if m.len() != 1 {
            p.push(
                &key,
                format!("a step is one `name: value` entry, found {} keys", m.len()),
                None,
            );
            continue;
        }
        let Some((k, v)) = m.iter().next() else { continue };
        let Some(name) = k.as_str() else {
            p.push(&key, "the step name must be text", None);
            continue;
        };
        if !STEP_ORDER.contains(&name) {
            let hint = suggest(name, STEP_ORDER.iter().copied()).map_or_else(
                || format!("steps are {}", STEP_ORDER.join(", ")),
                |s| format!("did you mean `{s}`?"),
            );
            p.push(&key, format!("unknown step `{name}`"), Some(hint));
            continue;
        }
        out.push(RawStep { index: i, name: name.to_string(), value: v });
    }
    out
}

/// Position of a step in the chain (`sample` and `input` share the first place).
fn rank(name: &str) -> usize {
    match name {
        "sample" | "input" => 0,
        "collection" => 1,
        "nonresponse" => 2,
        "calibration" => 3,
        "replicates" => 4,
        _ => 5,
    }
}

fn check_order(steps: &[RawStep], p: &mut Problems) {
    for (k, s) in steps.iter().enumerate() {
        if let Some(prev) = steps[..k].iter().find(|t| rank(&t.name) == rank(&s.name)) {
            p.push(
                &format!("steps[{}]", s.index),
                format!(
                    "step `{}` comes after `{}` (steps[{}]): a step may appear once",
                    s.name, prev.name, prev.index
                ),
                Some("`sample` and `input` are alternatives".into()),
            );
        } else if let Some(next) = steps[..k].iter().find(|t| rank(&t.name) > rank(&s.name)) {
            p.push(
                &format!("steps[{}]", s.index),
                format!(
                    "step `{}` is out of order: it must come before `{}` (steps[{}])",
                    s.name, next.name, next.index
                ),
                Some(format!(
                    "the order is {}",
                    STEP_ORDER.join(" → ").replace("sample → input", "sample | input")
                )),
            );
        }
    }
}

/// When `path` is a pipeline file (a top-level `steps:` list), the file of its step `step`
/// (resolved against the pipeline's folder): lets `ponder sample --design` and `ponder
/// nonresponse --config` take the pipeline file itself.
pub fn step_file(path: &Path, step: &str) -> Option<PathBuf> {
    let loaded: Loaded<serde_yaml::Value> = load_yaml(path).ok()?;
    let steps = loaded.raw.get("steps")?.as_sequence()?;
    let file = steps.iter().find_map(|s| s.get(step)?.as_str())?;
    let base = path.parent().unwrap_or(Path::new("."));
    Some(base.join(file))
}
