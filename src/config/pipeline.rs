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
//! report: {lang: fr, title: "Les Français et la justice 2024", map: trust_by_region}
//! ```
//!
//! Checks made by [`PipelineConfig::load`]: known step names, the canonical order
//! (sample | input → collection → nonresponse → calibration → replicates → estimates), no
//! step twice, every referenced file exists and is valid, and the weight chain: each step's
//! input weight column is produced by an earlier step, the estimates use the last weights and
//! the replicate columns the pipeline writes.

use super::calibrate::CalibrationConfig;
use super::estimate::EstimateConfig;
use super::nonresponse::NonresponseConfig;
use super::sample::SampleConfig;
use super::{Loaded, Problems, load_yaml, suggest};
use crate::error::{Error, Result};
use crate::report::run::Lang;
use crate::simulate::collection::CollectionModel;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPipeline {
    seed: Option<u64>,
    steps: Vec<serde_yaml::Mapping>,
    report: Option<RawReport>,
    outputs: Option<RawOutputs>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReport {
    lang: Option<String>,
    title: Option<String>,
    map: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutputs {
    weighted: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCollection {
    synthetic: CollectionModel,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalibrationFull {
    config: PathBuf,
    population_total: Option<serde_yaml::Value>,
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
    pub lang: Lang,
    /// Title.
    pub title: String,
    /// Estimate (by region) shown on the map.
    pub map: Option<String>,
}

/// A validated pipeline.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    /// The pipeline file.
    pub file: String,
    /// Master seed (`--seed` replaces it).
    pub seed: Option<u64>,
    /// First step.
    pub start: Start,
    /// Synthetic collection (only after `sample`).
    pub collection: Option<CollectionModel>,
    /// Nonresponse correction.
    pub nonresponse: Option<NonresponseConfig>,
    /// Calibration.
    pub calibration: Option<CalibrationStep>,
    /// Replicates.
    pub replicates: Option<ReplicateStep>,
    /// Estimates.
    pub estimates: Option<EstimateConfig>,
    /// Report.
    pub report: ReportOptions,
    /// Formats of the weighted file (`csv`, `parquet`).
    pub weighted_formats: Vec<String>,
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
    /// [`Error::Config`] listing every problem of the pipeline file (unknown or misplaced
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
        if !steps.iter().any(|s| s.name == "sample" || s.name == "input") {
            b.problems.push(
                "steps",
                "the pipeline has no `sample` (or `input`) step",
                Some("start with `- sample: design.yaml` or `- input: collected.csv`".into()),
            );
        }
        let Builder { mut problems, nested, mut cfg, .. } = b;
        if problems.is_empty() && nested.is_empty() {
            check_chain(&cfg, &steps, &mut problems);
        }
        problems.finish()?;
        if let Some(e) = nested.into_iter().next() {
            return Err(e);
        }
        cfg.seed = loaded.raw.seed;
        Ok(cfg)
    }

    /// `report: map:` names an estimate of the `estimates` step: checked by `ponder run`
    /// before any work (after the columns, so that those problems are reported first).
    ///
    /// # Errors
    /// [`Error::Config`] on `report.map`, with a did-you-mean.
    pub fn check_report_map(&self) -> Result<()> {
        let text = std::fs::read_to_string(&self.file).unwrap_or_default();
        let loaded = Loaded { raw: (), text, file: self.file.clone() };
        let mut p = Problems::new(&loaded);
        check_map(self, &mut p);
        p.finish()
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
        seed: None,
        start: Start::Input(PathBuf::new()),
        collection: None,
        nonresponse: None,
        calibration: None,
        replicates: None,
        estimates: None,
        report: ReportOptions { lang: Lang::Fr, title: String::new(), map: None },
        weighted_formats: vec!["parquet".into(), "csv".into()],
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

struct Builder<'a> {
    base: &'a Path,
    problems: Problems<'a>,
    /// Errors of the step configurations (reported after the pipeline's own problems).
    nested: Vec<Error>,
    cfg: PipelineConfig,
}

impl Builder<'_> {
    /// A step's file: resolved against the pipeline folder, and must exist.
    fn file(&mut self, key: &str, value: &serde_yaml::Value) -> Option<PathBuf> {
        let Some(s) = value.as_str() else {
            self.problems.push(key, "expected a file path", None);
            return None;
        };
        self.existing(key, Path::new(s))
    }

    fn existing(&mut self, key: &str, rel: &Path) -> Option<PathBuf> {
        let path = if rel.is_absolute() { rel.to_path_buf() } else { self.base.join(rel) };
        if path.is_file() {
            Some(path)
        } else {
            self.problems.push(
                key,
                format!("file `{}` does not exist", path.display()),
                Some("paths are relative to the pipeline file's folder".into()),
            );
            None
        }
    }

    fn nested<T>(&mut self, r: Result<T>) -> Option<T> {
        r.map_err(|e| self.nested.push(e)).ok()
    }

    fn parse<T: serde::de::DeserializeOwned>(
        &mut self,
        key: &str,
        v: &serde_yaml::Value,
    ) -> Option<T> {
        match serde_yaml::from_value(v.clone()) {
            Ok(t) => Some(t),
            Err(e) => {
                let msg = e.to_string();
                let hint = msg
                    .strip_prefix("unknown field `")
                    .and_then(|r| r.split_once('`'))
                    .and_then(|(bad, rest)| {
                        let names: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
                        suggest(bad, names.into_iter())
                    })
                    .map(|s| format!("did you mean `{s}`?"));
                self.problems.push(key, super::plain_words(&msg), hint);
                None
            }
        }
    }

    fn step(&mut self, s: &RawStep) {
        let key = format!("steps[{}].{}", s.index, s.name);
        match s.name.as_str() {
            "sample" => {
                if let Some(f) = self.file(&key, s.value)
                    && let Some(c) = self.nested(SampleConfig::load(&f))
                {
                    self.cfg.start = Start::Sample(Box::new(c));
                }
            }
            "input" => {
                if let Some(f) = self.file(&key, s.value) {
                    self.cfg.start = Start::Input(f);
                }
            }
            "collection" => {
                if let Some(c) = self.parse::<RawCollection>(&key, s.value) {
                    if let Err(e) = c.synthetic.validate() {
                        self.problems.push(&format!("{key}.synthetic"), e.to_string(), None);
                    }
                    self.cfg.collection = Some(c.synthetic);
                }
            }
            "nonresponse" => {
                if let Some(f) = self.file(&key, s.value) {
                    self.cfg.nonresponse = self.nested(NonresponseConfig::load(&f));
                }
            }
            "calibration" => self.calibration(&key, s.value),
            "replicates" => self.replicates(&key, s.value),
            _ => {
                if let Some(f) = self.file(&key, s.value) {
                    self.cfg.estimates = self.nested(EstimateConfig::load(&f));
                }
            }
        }
    }

    fn calibration(&mut self, key: &str, v: &serde_yaml::Value) {
        let (path, total) = match v {
            serde_yaml::Value::String(p) => (PathBuf::from(p), None),
            serde_yaml::Value::Mapping(_) => {
                let Some(raw) = self.parse::<RawCalibrationFull>(key, v) else { return };
                (raw.config, raw.population_total)
            }
            _ => {
                self.problems.push(
                    key,
                    "expected a file path or `{config: file, population_total: frame | config | N}`",
                    None,
                );
                return;
            }
        };
        let total = match total {
            None => TotalSource::Config,
            Some(serde_yaml::Value::String(s)) if s == "frame" => TotalSource::Frame,
            Some(serde_yaml::Value::String(s)) if s == "config" => TotalSource::Config,
            Some(serde_yaml::Value::Number(n))
                if n.as_f64().is_some_and(|x| x > 0.0 && x.is_finite()) =>
            {
                TotalSource::Value(n.as_f64().unwrap_or(1.0))
            }
            Some(other) => {
                self.problems.push(
                    &format!("{key}.population_total"),
                    format!(
                        "`{}` is not `frame`, `config` or a positive number",
                        super::show(&other)
                    ),
                    None,
                );
                TotalSource::Config
            }
        };
        let Some(file) = self.existing(key, &path) else { return };
        if let Some(config) = self.nested(CalibrationConfig::load(&file)) {
            if config.replicates.is_some() {
                self.problems.push(
                    key,
                    format!("{} has `replicates:`; in a pipeline the `replicates` step redoes the calibration on every replicate", config.file),
                    Some("remove `replicates:` from the calibration file".into()),
                );
            }
            if total != TotalSource::Config && config.population_total.is_none() {
                self.problems.push(
                    &format!("{key}.population_total"),
                    format!("{} has no `population_total:` to replace", config.file),
                    Some("give the margins as `percentages:` of a `population_total:`".into()),
                );
            }
            self.cfg.calibration = Some(CalibrationStep { config, population_total: total });
        }
    }

    fn replicates(&mut self, key: &str, v: &serde_yaml::Value) {
        let Some(r) = self.parse::<RawReplicates>(key, v) else { return };
        if r.kind != "bootstrap" {
            self.problems.push(
                &format!("{key}.type"),
                format!("replicate type `{}` is not available in a pipeline", r.kind),
                Some("`bootstrap` (Rao–Wu): the jackknives would need one replicate per sampled person here".into()),
            );
        }
        if r.count < 2 {
            self.problems.push(&format!("{key}.count"), "at least 2 replicates are needed", None);
        }
        self.cfg.replicates = Some(ReplicateStep {
            count: r.count,
            seed: r.seed,
            strata: r.strata.unwrap_or_else(|| "stratum".into()),
            weight: r.weight.unwrap_or_else(|| "design_weight".into()),
        });
    }

    fn report(&mut self, raw: Option<&RawReport>) {
        let r = &mut self.cfg.report;
        r.title = "Les Français et la justice".into();
        let Some(raw) = raw else { return };
        if let Some(t) = &raw.title {
            r.title.clone_from(t);
        }
        r.map.clone_from(&raw.map);
        if let Some(l) = &raw.lang {
            match Lang::parse(l) {
                Some(lang) => r.lang = lang,
                None => self.problems.push(
                    "report.lang",
                    format!("unknown language `{l}`"),
                    Some("`fr` or `en`".into()),
                ),
            }
        }
    }

    fn outputs(&mut self, raw: Option<&RawOutputs>) {
        let Some(raw) = raw else { return };
        for f in &raw.weighted {
            if f != "csv" && f != "parquet" {
                self.problems.push(
                    "outputs.weighted",
                    format!("unknown format `{f}`"),
                    Some("`csv` and/or `parquet`".into()),
                );
            }
        }
        if raw.weighted.is_empty() {
            self.problems.push(
                "outputs.weighted",
                "no format given",
                Some("[parquet, csv]".into()),
            );
        }
        self.cfg.weighted_formats.clone_from(&raw.weighted);
    }
}

/// `report: map:` names an estimate of the `estimates` step (checked before any work).
fn check_map(cfg: &PipelineConfig, p: &mut Problems) {
    let Some(map) = &cfg.report.map else { return };
    match &cfg.estimates {
        None => p.push(
            "report.map",
            format!("the map shows estimate `{map}`, but the pipeline has no `estimates` step"),
            Some("add an `estimates` step or remove `map`".into()),
        ),
        Some(e) if !e.requests.iter().any(|r| &r.name == map) => {
            let names: Vec<&str> = e.requests.iter().map(|r| r.name.as_str()).collect();
            let hint = suggest(map, names.iter().copied()).map_or_else(
                || format!("estimates of {}: {}", e.file, names.join(", ")),
                |s| format!("did you mean `{s}`?"),
            );
            p.push("report.map", format!("no estimate named `{map}` in {}", e.file), Some(hint));
        }
        Some(_) => {}
    }
}

/// The weight chain: every step reads a weight an earlier step wrote.
fn check_chain(cfg: &PipelineConfig, steps: &[RawStep], p: &mut Problems) {
    let key = |name: &str| {
        steps
            .iter()
            .find(|s| s.name == name)
            .map_or_else(|| "steps".to_string(), |s| format!("steps[{}].{name}", s.index))
    };
    let sampled = matches!(cfg.start, Start::Sample(_));
    if cfg.collection.is_some() && !sampled {
        p.push(
            &key("collection"),
            "a synthetic collection needs a drawn sample (`sample` step), not an `input` file",
            None,
        );
    }
    if let Start::Sample(s) = &cfg.start
        && cfg.nonresponse.is_some()
        && cfg.collection.is_none()
    {
        p.push(
            &key("nonresponse"),
            format!("nothing produces the collection outcome: {} draws a sample without outcomes", s.file),
            Some("add `- collection: {synthetic: {}}` before `nonresponse`, or start from `- input: collected.csv`".into()),
        );
    }
    let mut available: Vec<String> = vec![cfg.design_weight().to_string()];
    if let Some(n) = &cfg.nonresponse {
        need(p, &key("nonresponse"), &n.file, "weight", &n.weight, &available);
        available.push(n.output.clone());
    }
    if let Some(c) = &cfg.calibration {
        need(p, &key("calibration"), &c.config.file, "weight", &c.config.weight, &available);
        if c.population_total == TotalSource::Frame && !sampled {
            p.push(
                &key("calibration"),
                "`population_total: frame` needs a drawn sample (`sample` step)",
                None,
            );
        }
        available.push(c.config.output.clone());
    }
    let Some(e) = &cfg.estimates else { return };
    let last = cfg.final_weight();
    let w = e.weight_column();
    if w.as_deref() != Some(last) {
        p.push(
            &key("estimates"),
            format!(
                "{} estimates with weight `{}` but the pipeline's final weight is `{last}`",
                e.file,
                w.as_deref().unwrap_or("(none)")
            ),
            Some(format!("set `design: weight: {last}` in {}", e.file)),
        );
    }
    match (&e.replicates, &cfg.replicates) {
        (Some(r), Some(step)) => {
            let first = format!("{last}_rep_1");
            let matches = glob::Pattern::new(&r.columns).is_ok_and(|g| g.matches(&first));
            if !matches {
                p.push(
                    &key("estimates"),
                    format!("{}: replicate columns `{}` do not match the pipeline's `{last}_rep_1` … `{last}_rep_{}`", e.file, r.columns, step.count),
                    Some(format!("set `design: replicates: columns: \"{last}_rep_*\"`")),
                );
            }
            if let Some(n) = r.options.expected_count
                && n != step.count
            {
                p.push(
                    &key("estimates"),
                    format!(
                        "{} declares {n} replicates but the `replicates` step makes {}",
                        e.file, step.count
                    ),
                    Some("make `count:` agree (or drop it from the estimates file)".into()),
                );
            }
            if r.options.kind != crate::variance::replicates::ReplicateKind::Bootstrap {
                p.push(
                    &key("estimates"),
                    format!(
                        "{}: replicate type is `{}` but the pipeline makes bootstrap replicates",
                        e.file,
                        r.options.kind.r_type()
                    ),
                    Some("`type: bootstrap`".into()),
                );
            }
        }
        (Some(_), None) => p.push(
            &key("estimates"),
            format!("{} uses replicate weights but the pipeline has no `replicates` step", e.file),
            Some("add `- replicates: {type: bootstrap, count: 500}` before `estimates`".into()),
        ),
        _ => {}
    }
}

fn need(p: &mut Problems, key: &str, file: &str, what: &str, column: &str, available: &[String]) {
    if !available.iter().any(|a| a == column) {
        p.push(
            key,
            format!("{file} reads {what} `{column}`, which no earlier step produces"),
            Some(format!("earlier steps produce: {}", available.join(", "))),
        );
    }
}

/// When `path` is a pipeline file (a top-level `steps:` list), the file of its step `step`
/// (resolved against the pipeline's folder): lets `ponder sample --design` and `ponder
/// nonresponse --config` take the pipeline file itself.
pub fn step_file(path: &Path, step: &str) -> Option<PathBuf> {
    let text = std::fs::read_to_string(path).ok()?;
    let value: serde_yaml::Value = serde_yaml::from_str(&text).ok()?;
    let steps = value.get("steps")?.as_sequence()?;
    let file = steps.iter().find_map(|s| s.get(step)?.as_str())?;
    let base = path.parent().unwrap_or(Path::new("."));
    Some(base.join(file))
}
