//! Reading each step of the pipeline file into its spec (the step files loaded with their
//! own `load`), every problem collected with its key.

use super::{
    CalibrationStep, PipelineConfig, RawCalibrationFull, RawCollection, RawEstimatesFull, RawMap,
    RawOutputs, RawReplicates, RawReport, RawStep, ReplicateStep, ReportLang, Start, TotalSource,
};
use crate::config::calibrate::CalibrationConfig;
use crate::config::estimate::EstimateConfig;
use crate::config::model::ModelConfig;
use crate::config::nonresponse::NonresponseConfig;
use crate::config::sample::SampleConfig;
use crate::config::{Problems, suggest};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The pipeline spec being built, with the problems found so far.
pub(super) struct Builder<'a> {
    pub(super) base: &'a Path,
    pub(super) problems: Problems<'a>,
    /// Errors of the step configurations (reported after the pipeline's own problems).
    pub(super) nested: Vec<Error>,
    pub(super) cfg: PipelineConfig,
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
                self.problems.push(key, crate::config::plain_words(&msg), hint);
                None
            }
        }
    }

    pub(super) fn step(&mut self, s: &RawStep) {
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
                    if let Some(e) = c.synthetic.problem() {
                        self.problems.push(&format!("{key}.synthetic"), e, None);
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
            _ => self.estimates(&key, s.value),
        }
    }

    /// `estimates: E.yaml`, or `estimates: {config: E.yaml, models: M.yaml, modes: D.yaml,
    /// disputes: U.yaml, dispute_models: V.yaml}` (any of them).
    fn estimates(&mut self, key: &str, v: &serde_yaml::Value) {
        let mapping = v.is_mapping();
        let (config, models, modes) = match v {
            serde_yaml::Value::String(p) => (Some(PathBuf::from(p)), None, None),
            serde_yaml::Value::Mapping(_) => {
                let Some(raw) = self.parse::<RawEstimatesFull>(key, v) else { return };
                self.disputes(key, raw.disputes.as_deref(), raw.dispute_models.as_deref());
                let named = [&raw.disputes, &raw.dispute_models].iter().any(|f| f.is_some());
                if raw.config.is_none() && raw.models.is_none() && raw.modes.is_none() && !named {
                    self.problems.push(
                        key,
                        "the estimates step names no file",
                        Some(
                            "`{config: estimates.yaml, models: models.yaml}` (either or both)"
                                .into(),
                        ),
                    );
                }
                (raw.config, raw.models, raw.modes)
            }
            _ => {
                self.problems.push(
                    key,
                    "expected a file path or `{config: …, models: …}`",
                    Some(
                        "e.g. `- estimates: {config: estimates.yaml, models: models.yaml}`".into(),
                    ),
                );
                return;
            }
        };
        let config_key = if mapping { format!("{key}.config") } else { key.to_string() };
        if let Some(f) = config.and_then(|c| self.existing(&config_key, &c)) {
            self.cfg.estimates = self.nested(EstimateConfig::load(&f));
        }
        if let Some(f) = models.and_then(|m| self.existing(&format!("{key}.models"), &m)) {
            self.cfg.models = self.nested(ModelConfig::load(&f));
        }
        if let Some(f) = modes.and_then(|m| self.existing(&format!("{key}.modes"), &m)) {
            self.cfg.modes = self.nested(ModelConfig::load(&f));
        }
    }

    /// `disputes:` (an estimation file) and `dispute_models:` (a model file) of the
    /// estimates step: each must have a `units: {file, key}` block.
    fn disputes(&mut self, key: &str, estimates: Option<&Path>, models: Option<&Path>) {
        let no_units = |file: &str| {
            format!(
                "{file} has no `units: {{file, key}}` block: the `disputes` files of a \
                 pipeline are about the disputes (one row per dispute, with its person's key)"
            )
        };
        let hint = || Some("add `units: {file: disputes.csv, key: person_id}`".to_string());
        let k = format!("{key}.disputes");
        if let Some(f) = estimates.and_then(|e| self.existing(&k, e))
            && let Some(c) = self.nested(EstimateConfig::load(&f))
        {
            if c.units.is_none() {
                self.problems.push(&k, no_units(&c.file), hint());
            }
            self.cfg.disputes = Some(c);
        }
        let k = format!("{key}.dispute_models");
        if let Some(f) = models.and_then(|m| self.existing(&k, m))
            && let Some(c) = self.nested(ModelConfig::load(&f))
        {
            if c.design.units.is_none() {
                self.problems.push(&k, no_units(&c.file), hint());
            }
            self.cfg.dispute_models = Some(c);
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
                        crate::config::show(&other)
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

    pub(super) fn report(&mut self, raw: Option<&RawReport>) {
        let r = &mut self.cfg.report;
        r.title = "Les Français et la justice".into();
        let Some(raw) = raw else { return };
        if let Some(t) = &raw.title {
            r.title.clone_from(t);
        }
        match &raw.map {
            Some(RawMap::Name(n)) => r.map = Some(n.clone()),
            Some(RawMap::Choice(c)) => {
                r.map = Some(c.estimate.clone());
                r.map_category.clone_from(&c.category);
            }
            None => {}
        }
        if let Some(l) = &raw.lang {
            match ReportLang::parse(l) {
                Some(lang) => r.lang = lang,
                None => self.problems.push(
                    "report.lang",
                    format!("unknown language `{l}`"),
                    Some("`fr` or `en`".into()),
                ),
            }
        }
    }

    pub(super) fn outputs(&mut self, raw: Option<&RawOutputs>) {
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
        if let Some(codec) = raw.parquet_compression {
            self.cfg.parquet_compression = codec;
        }
    }

    /// `export: X.yaml`: the researcher package's configuration.
    pub(super) fn export(&mut self, raw: Option<&Path>) {
        if let Some(f) = raw.and_then(|p| self.existing("export", p)) {
            self.cfg.export = self.nested(crate::config::export::ExportConfig::load(&f));
        }
    }
}
