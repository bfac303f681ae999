//! The estimation configuration (`ponder estimate --config E.yaml`): a `design:` block, an
//! `estimates:` list and optional `publication:` rules. See `interface.md`.
//!
//! Validation happens in two steps: [`EstimateConfig::load`] checks the file on its own
//! (keys, names of methods, levels, ranges) and reports every problem at once;
//! [`EstimateConfig::design`] and [`EstimateConfig::requests`] then meet the data (columns,
//! categories) and name the column or category at fault.

use super::{Loaded, Problems, load_yaml, suggest};
use crate::bind::calibration::margins as build_margins;
use crate::calibration::{Algorithm, Margin, Problem};
use crate::config::calibrate::CalibrationConfig;
use crate::config::nonresponse::NonresponseConfig;
use crate::data::Table;
use crate::design::{
    Categorical, Design, DesignSpec, LonelyPsu, Numeric, PpsVariance, WeightSource,
};
use crate::error::{ConfigProblem, Error, Result};
use crate::estimate::{CiMethod, DfRule, MissingPolicy, Publication, QuantileRule, TwoPhase};
use crate::variance::replicates::{ReplicateDesign, ReplicateKind, ReplicateOptions};
use crate::variance::{CalibrationStep, RakeMargin};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    design: RawDesign,
    #[serde(default)]
    estimates: Vec<RawEstimate>,
    publication: Option<RawPublication>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawDesign {
    weight: Option<String>,
    probabilities: Option<String>,
    strata: Option<String>,
    #[serde(default)]
    clusters: Vec<String>,
    #[serde(default)]
    fpc: Vec<String>,
    #[serde(default)]
    nest: bool,
    lonely_psu: Option<String>,
    pps_variance: Option<String>,
    certainty: Option<String>,
    calibration: Option<PathBuf>,
    nonresponse: Option<PathBuf>,
    replicates: Option<RawReplicates>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReplicates {
    columns: String,
    #[serde(rename = "type")]
    kind: String,
    count: Option<usize>,
    scale: Option<f64>,
    rscales: Option<Vec<f64>>,
    rho: Option<f64>,
    #[serde(default)]
    mse: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEstimate {
    name: String,
    stat: String,
    variable: String,
    category: Option<serde_yaml::Value>,
    denominator: Option<String>,
    quantile: Option<f64>,
    quantile_rule: Option<String>,
    #[serde(default)]
    by: Vec<String>,
    ci: Option<String>,
    level: Option<f64>,
    df: Option<serde_yaml::Value>,
    missing: Option<String>,
    #[serde(default)]
    keep_empty_domains: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPublication {
    min_n: Option<usize>,
    max_cv: Option<f64>,
    #[serde(default)]
    suppress: bool,
}

/// The statistic of a request, by name.
#[derive(Debug, Clone, PartialEq)]
pub enum StatKind {
    /// `total`
    Total,
    /// `mean`
    Mean,
    /// `proportion` of one category (`Some`) or of every category.
    Proportion(Option<String>),
    /// `ratio` with this denominator column.
    Ratio(String),
    /// `quantile` of order p with a rule.
    Quantile(f64, QuantileRule),
}

/// One validated estimate request (columns not yet checked against the data).
#[derive(Debug, Clone)]
pub struct Request {
    /// YAML key (`estimates[3]`), for messages.
    pub key: String,
    /// Output name.
    pub name: String,
    /// Statistic.
    pub stat: StatKind,
    /// Analysis variable.
    pub variable: String,
    /// Domain variables.
    pub by: Vec<String>,
    /// Interval.
    pub ci: CiMethod,
    /// Confidence level.
    pub level: f64,
    /// Degrees of freedom.
    pub df: DfRule,
    /// Missing values.
    pub missing: MissingPolicy,
    /// Output empty domains too.
    pub keep_empty_domains: bool,
}

/// Replicate declaration.
#[derive(Debug, Clone)]
pub struct Replicates {
    /// Column glob.
    pub columns: String,
    /// Options (kind, scale, rscales, mse, expected count).
    pub options: ReplicateOptions,
}

/// A validated estimation configuration.
#[derive(Debug, Clone)]
pub struct EstimateConfig {
    /// The file, for messages.
    pub file: String,
    raw_design: RawDesign,
    /// Calibration config (resolved path) whose residuals the linearization uses.
    pub calibration: Option<PathBuf>,
    /// Nonresponse config (resolved path) for the two-phase variance.
    pub nonresponse: Option<PathBuf>,
    /// Replicates, when declared.
    pub replicates: Option<Replicates>,
    /// Lonely-PSU policy.
    pub lonely_psu: LonelyPsu,
    /// πps variance rule.
    pub pps_variance: PpsVariance,
    /// Requests.
    pub requests: Vec<Request>,
    /// Publication rules.
    pub publication: Publication,
}

const STATS: [&str; 5] = ["total", "mean", "proportion", "ratio", "quantile"];

impl EstimateConfig {
    /// Reads and validates an estimation YAML file, reporting every problem at once.
    ///
    /// # Errors
    /// [`Error::Config`] listing each problem with key, line and hint; I/O errors.
    pub fn load(path: &Path) -> Result<EstimateConfig> {
        Self::load_with(path, true)
    }

    /// Reads a file for its `design:` block only (`ponder replicates`): `estimates:` may be
    /// absent.
    ///
    /// # Errors
    /// As [`EstimateConfig::load`].
    pub fn load_design(path: &Path) -> Result<EstimateConfig> {
        Self::load_with(path, false)
    }

    fn load_with(path: &Path, need_estimates: bool) -> Result<EstimateConfig> {
        let loaded: Loaded<RawConfig> = load_yaml(path)?;
        let mut p = Problems::new(&loaded);
        let raw = &loaded.raw;
        let d = &raw.design;
        let lonely_psu = match d.lonely_psu.as_deref() {
            None => LonelyPsu::Fail,
            Some(s) => LonelyPsu::parse(s).unwrap_or_else(|| {
                p.push(
                    "design.lonely_psu",
                    format!("unknown policy `{s}`"),
                    Some(format!("one of {}", LonelyPsu::NAMES)),
                );
                LonelyPsu::Fail
            }),
        };
        let pps_variance = match d.pps_variance.as_deref() {
            None | Some("with_replacement") => PpsVariance::WithReplacement,
            Some("poisson") => PpsVariance::Poisson,
            Some(s) => {
                p.push(
                    "design.pps_variance",
                    format!("unknown rule `{s}`"),
                    Some("`with_replacement` or `poisson`".into()),
                );
                PpsVariance::WithReplacement
            }
        };
        if d.weight.is_some() && d.probabilities.is_some() {
            p.push("design", "give `weight` or `probabilities`, not both", None);
        }
        if d.weight.is_none()
            && d.probabilities.is_none()
            && d.fpc.is_empty()
            && d.replicates.is_none()
        {
            p.push(
                "design",
                "the design needs `weight`, `probabilities` or `fpc`",
                Some("e.g. `weight: w_cal`".into()),
            );
        }
        if d.nonresponse.is_some() && d.replicates.is_some() {
            p.push(
                "design.nonresponse",
                "the nonresponse-phase term is a linearization: it does not combine with `replicates`",
                Some("replicate weights that redo the nonresponse step already carry it; remove one of the two".into()),
            );
        }
        let replicates = d.replicates.as_ref().and_then(|r| validate_replicates(r, &mut p));
        if replicates.is_some() && d.calibration.is_some() {
            p.push(
                "design.calibration",
                "`calibration` (linearization residuals) and `replicates` exclude each other",
                Some("replicate weights already carry the calibration when it was redone on each of them".into()),
            );
        }
        let requests = raw
            .estimates
            .iter()
            .enumerate()
            .filter_map(|(i, e)| validate_request(i, e, &mut p))
            .collect::<Vec<_>>();
        if need_estimates && raw.estimates.is_empty() {
            p.push(
                "estimates",
                "no estimate requested",
                Some("add at least one entry under `estimates:`".into()),
            );
        }
        let publication = validate_publication(raw.publication.as_ref(), &mut p);
        check_design_names(d, &mut p);
        for (i, e) in raw.estimates.iter().enumerate() {
            if e.name.trim().is_empty() {
                p.push(
                    &format!("estimates[{i}].name"),
                    "the estimate name is empty",
                    Some("give each estimate a name: it labels its rows in the output".into()),
                );
            } else if let Some(j) = raw.estimates[..i].iter().position(|o| o.name == e.name) {
                p.push(
                    &format!("estimates[{i}].name"),
                    format!("estimate name `{}` is already used by estimates[{j}]", e.name),
                    Some(
                        "give each estimate its own name: it labels its rows in the output".into(),
                    ),
                );
            }
        }
        p.finish()?;
        let base = path.parent().unwrap_or(Path::new("."));
        Ok(EstimateConfig {
            file: loaded.file.clone(),
            raw_design: d.clone(),
            calibration: d
                .calibration
                .as_ref()
                .map(|c| if c.is_absolute() { c.clone() } else { base.join(c) }),
            nonresponse: d
                .nonresponse
                .as_ref()
                .map(|c| if c.is_absolute() { c.clone() } else { base.join(c) }),
            replicates,
            lonely_psu,
            pps_variance,
            requests,
            publication,
        })
    }

    /// Builds the linearization design from the data: weights (or probabilities or fpc),
    /// strata, clusters, fpc, certainty; with `calibration:`, the design of the initial
    /// weights calibrated to the final ones (GREG residuals).
    ///
    /// # Errors
    /// Unknown columns (with did-you-mean), missing design values, bad fpc, PSUs not nested
    /// in strata, and the calibration config's own errors.
    pub fn design(&self, table: &Table) -> Result<Design> {
        let d = &self.raw_design;
        let num = |c: &str| -> Result<Numeric> {
            let v = table.numeric_opt(c)?;
            Ok(Numeric::new(c, v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect()))
        };
        let weights = match (&d.weight, &d.probabilities) {
            (Some(w), _) => WeightSource::Weights(num(w)?),
            (None, Some(p)) => WeightSource::Probabilities(num(p)?),
            (None, None) => WeightSource::FromFpc,
        };
        let certainty = match &d.certainty {
            None => None,
            Some(c) => Some(table.flags(c, Some(false))?),
        };
        let spec = DesignSpec {
            weights,
            strata: d.strata.as_deref().map(|s| categorical(table, s)).transpose()?,
            clusters: d.clusters.iter().map(|c| categorical(table, c)).collect::<Result<_>>()?,
            fpc: d.fpc.iter().map(|c| num(c)).collect::<Result<_>>()?,
            nest: d.nest,
            lonely_psu: self.lonely_psu,
            pps_variance: self.pps_variance,
            certainty,
        };
        match &self.calibration {
            None => Design::new(spec),
            Some(path) => calibrated_design(spec, path, table),
        }
    }

    /// With `nonresponse: N.yaml`: the two-phase variance source. The adjustment is redone
    /// from the design weights with that config (its status and model columns must be in the
    /// data, every sampled row present); the full-sample design uses the design weights; the
    /// declared `weight:` column, when given, must equal the adjusted weights.
    ///
    /// # Errors
    /// The nonresponse config's own errors; a `weight:` column that differs from the
    /// adjusted weights (naming the first row).
    pub fn two_phase(&self, table: &Table) -> Result<Option<TwoPhase>> {
        let Some(path) = &self.nonresponse else { return Ok(None) };
        let nr_cfg = NonresponseConfig::load(path)?;
        let d = table.numeric(&nr_cfg.weight)?;
        let adj = crate::bind::nonresponse::adjust(&nr_cfg, table, &d)?;
        let cal = self.calibration.as_deref().map(CalibrationConfig::load).transpose()?;
        // Without calibration `weight:` holds the adjusted weights; with it, the calibration's
        // input weights must be them and `weight:` the calibrated ones.
        let adjusted_column = match &cal {
            Some(c) => Some(&c.weight),
            None => self.raw_design.weight.as_ref(),
        };
        if let Some(wname) = adjusted_column {
            let w = table.numeric(wname)?;
            if let Some(k) = (0..w.len())
                .find(|&k| (w[k] - adj.weights[k]).abs() > 1e-9 * adj.weights[k].abs().max(1.0))
            {
                return Err(self.problem(
                    "design.weight",
                    &format!(
                        "column `{wname}` row {} is {} but the adjustment of {} gives {}",
                        k + 1,
                        w[k],
                        path.display(),
                        adj.weights[k]
                    ),
                    Some("use the output of `ponder nonresponse` with the same config, or remove `weight:`"),
                ));
            }
        }
        let mut copy = self.clone();
        copy.raw_design.weight = Some(nr_cfg.weight.clone());
        copy.raw_design.probabilities = None;
        copy.calibration = None;
        let design = copy.design(table)?;
        let two = TwoPhase::new(design, adj.weights)?;
        let Some(cal) = cal else { return Ok(Some(two)) };
        let Some(final_name) = &self.raw_design.weight else {
            return Err(self.problem(
                "design.weight",
                "with `calibration:` and `nonresponse:`, `weight:` is the calibrated weight column",
                None,
            ));
        };
        let final_w = table.numeric(final_name)?;
        let margins = build_margins(&cal, table, &two.weights)?;
        let problem = Problem::new(two.weights.clone(), margins)?;
        let step = if cal.options.algorithm == Algorithm::Ipf {
            rake_step(&problem, &cal)?
        } else {
            CalibrationStep::Regression { model: problem.model_columns().columns }
        };
        two.calibrated(final_w, &step).map(Some)
    }

    /// The replicate design from the data's replicate columns, when declared.
    ///
    /// # Errors
    /// No matching column, count mismatch, bad values (see
    /// [`ReplicateDesign::from_columns`]).
    pub fn replicate_design(&self, table: &Table) -> Result<Option<ReplicateDesign>> {
        let Some(r) = &self.replicates else { return Ok(None) };
        let Some(w) = self.raw_design.weight.as_deref() else {
            return Err(self.problem(
                "design.weight",
                "replicate variance needs the full-sample `weight` column",
                None,
            ));
        };
        let full = table.numeric(w)?;
        let names = table.columns_matching(&r.columns)?;
        if names.is_empty() {
            return Err(self.problem(
                "design.replicates.columns",
                &format!("no column of {} matches `{}`", table.source(), r.columns),
                Some("check the pattern, e.g. \"rep_*\""),
            ));
        }
        let names: Vec<String> = names.into_iter().filter(|n| n != w).collect();
        let cols = names.iter().map(|n| table.numeric(n)).collect::<Result<Vec<_>>>()?;
        ReplicateDesign::from_columns(full, cols, r.options.clone()).map(Some).map_err(
            |e| match e {
                Error::Method { message, .. } => self.problem(
                    "design.replicates",
                    &format!("columns `{}` of {}: {message}", r.columns, table.source()),
                    None,
                ),
                other => other,
            },
        )
    }

    /// Sets the declared number of replicate columns (`ponder run --replicates R`).
    pub fn set_replicate_count(&mut self, count: usize) {
        if let Some(r) = &mut self.replicates {
            r.options.expected_count = Some(count);
        }
    }

    /// The same requests on other weights: `weight` as the design weight and, when given,
    /// replicate columns matching `replicates` (same replicate type; the declared count is
    /// dropped), else linearization; no calibration or nonresponse-phase term and no
    /// publication rule (`ponder simulate` estimates at each weighting step with this).
    pub fn with_weights(&self, weight: &str, replicates: Option<&str>) -> EstimateConfig {
        let mut c = self.clone();
        c.raw_design.weight = Some(weight.to_string());
        c.raw_design.probabilities = None;
        c.calibration = None;
        c.nonresponse = None;
        c.publication = Publication::default();
        c.replicates = match (replicates, c.replicates.take()) {
            (Some(glob), Some(mut r)) => {
                r.columns = glob.to_string();
                r.options.expected_count = None;
                Some(r)
            }
            _ => None,
        };
        c
    }

    /// The declared full-sample weight column, if any.
    pub fn weight_column(&self) -> Option<String> {
        self.raw_design.weight.clone()
    }

    fn problem(&self, key: &str, message: &str, hint: Option<&str>) -> Error {
        let text = std::fs::read_to_string(&self.file).unwrap_or_default();
        let mut p = ConfigProblem::new(key, message);
        p.line = super::find_line(&text, key);
        p.hint = hint.map(String::from);
        Error::Config { file: self.file.clone(), problems: vec![p] }
    }

    /// Checks that every column a request names exists, reporting all unknown columns at
    /// once with did-you-mean hints.
    ///
    /// # Errors
    /// [`Error::Config`] naming each request key and column.
    pub fn check_columns(&self, table: &Table) -> Result<()> {
        self.check_column_names(&table.column_names(), &table.source())
    }

    /// As [`EstimateConfig::check_columns`] against a list of column names (`ponder run`
    /// checks a pipeline before any data exist); `source` names where they come from.
    ///
    /// # Errors
    /// [`Error::Config`] listing every unknown column with its key, line and did-you-mean.
    pub fn check_column_names(&self, names: &[String], source: &str) -> Result<()> {
        let text = std::fs::read_to_string(&self.file).unwrap_or_default();
        let has = |c: &str| names.iter().any(|n| n == c);
        let mut problems = Vec::new();
        for r in &self.requests {
            let mut cols: Vec<(&str, &str)> = vec![("variable", r.variable.as_str())];
            if let StatKind::Ratio(den) = &r.stat {
                cols.push(("denominator", den));
            }
            cols.extend(r.by.iter().map(|b| ("by", b.as_str())));
            for (field, c) in cols {
                if !has(c) {
                    let key = format!("{}.{field}", r.key);
                    let mut p = ConfigProblem::new(&key, format!("no column `{c}` in {source}"));
                    p.line = super::find_line(&text, &key);
                    p.hint = suggest(c, names.iter().map(String::as_str))
                        .map(|s| format!("did you mean `{s}`?"));
                    problems.push(p);
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Config { file: self.file.clone(), problems })
        }
    }
}

/// A data column as a design categorical.
///
/// # Errors
/// Unknown column.
pub fn categorical(table: &Table, name: &str) -> Result<Categorical> {
    let f = table.factor(name)?;
    Ok(Categorical { name: name.to_string(), codes: f.codes, labels: f.levels })
}

/// The design of the calibration's initial weights, calibrated to the final weights: the
/// linearization then works on the residuals of the design-weighted regression of the
/// influence values on the calibration variables (R `survey`'s `calibrate()` convention,
/// whatever the distance). When the calibration config asks for IPF raking
/// (`algorithm: ipf`), the variance is R `survey`'s `rake()` backfitting variant instead,
/// which needs the weights after each margin's last post-stratification: IPF is rerun.
fn calibrated_design(mut spec: DesignSpec, cal_path: &Path, table: &Table) -> Result<Design> {
    let cal = CalibrationConfig::load(cal_path)?;
    let WeightSource::Weights(final_w) = &spec.weights else {
        return Err(Error::data(
            table.source(),
            "with `calibration:`, the design needs `weight:` (the calibrated weight column)",
        ));
    };
    let final_w = final_w.values.clone();
    let d = table.numeric(&cal.weight)?;
    let margins = build_margins(&cal, table, &d)?;
    let problem = Problem::new(d.clone(), margins)?;
    let step = if cal.options.algorithm == Algorithm::Ipf {
        rake_step(&problem, &cal)?
    } else {
        CalibrationStep::Regression { model: problem.model_columns().columns }
    };
    spec.weights = WeightSource::Weights(Numeric::new(&cal.weight, d));
    let design = Design::new(spec)?;
    design.calibrated(final_w, step)
}

fn rake_step(problem: &Problem, cal: &CalibrationConfig) -> Result<CalibrationStep> {
    let result = crate::calibration::calibrate(problem, &cal.options)?;
    let stages = result
        .stage_weights
        .ok_or_else(|| Error::Internal("IPF raking returned no per-margin weights".to_string()))?;
    let codes = problem.margins().iter().filter_map(|m| match m {
        Margin::Categorical { factor, .. } => Some(factor.codes.clone()),
        _ => None,
    });
    let margins =
        codes.zip(stages).map(|(codes, s)| RakeMargin { codes, weights: s.weights }).collect();
    Ok(CalibrationStep::RakeBackfitting { margins })
}

/// Design columns: no empty name, no column twice among strata and clusters.
fn check_design_names(d: &RawDesign, p: &mut Problems) {
    for (key, name) in [
        ("design.weight", &d.weight),
        ("design.probabilities", &d.probabilities),
        ("design.strata", &d.strata),
        ("design.certainty", &d.certainty),
    ] {
        if name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            p.push(
                key,
                "the column name is empty",
                Some(format!("write `{key}: <column>` or remove it")),
            );
        }
    }
    super::check_names("design.clusters", d.clusters.iter().map(String::as_str), p);
    super::check_names(
        "design.fpc",
        d.fpc.iter().filter(|f| f.trim().is_empty()).map(String::as_str),
        p,
    );
    if let Some(s) = &d.strata
        && let Some(i) = d.clusters.iter().position(|c| c == s)
    {
        p.push(
            "design.clusters",
            format!("`{s}` is both the strata and the stage-{} clusters", i + 1),
            Some("strata and clusters are different columns (a stratum holds several PSUs)".into()),
        );
    }
}

fn validate_replicates(r: &RawReplicates, p: &mut Problems) -> Option<Replicates> {
    let kind = match r.kind.to_ascii_lowercase().as_str() {
        "jk1" => ReplicateKind::Jk1,
        "jkn" => ReplicateKind::Jkn,
        "brr" => ReplicateKind::Brr,
        "fay" => match r.rho {
            Some(rho) if rho > 0.0 && rho < 1.0 => ReplicateKind::Fay { rho },
            _ => {
                p.push(
                    "design.replicates.rho",
                    "Fay replicates need `rho` in (0, 1)",
                    Some("e.g. `rho: 0.5`".into()),
                );
                return None;
            }
        },
        "bootstrap" => ReplicateKind::Bootstrap,
        "sdr" => ReplicateKind::Sdr,
        "other" => ReplicateKind::Other,
        other => {
            p.push(
                "design.replicates.type",
                format!("unknown replicate type `{other}`"),
                Some("one of jk1, jkn, brr, fay, bootstrap, sdr, other".into()),
            );
            return None;
        }
    };
    if r.rho.is_some() && !matches!(kind, ReplicateKind::Fay { .. }) {
        p.push("design.replicates.rho", "`rho` applies to `type: fay` only", None);
    }
    if let Some(s) = r.scale
        && !(s.is_finite() && s > 0.0)
    {
        p.push("design.replicates.scale", format!("must be a positive number, got {s}"), None);
    }
    super::check_glob("design.replicates.columns", Some(&r.columns), p);
    if let Some(c) = r.count
        && c < 2
    {
        p.push(
            "design.replicates.count",
            format!("replicate variance needs at least 2 replicate columns, got {c}"),
            Some("give the number of replicate columns, or remove `count`".into()),
        );
    }
    if let Some(bad) =
        r.rscales.as_ref().and_then(|v| v.iter().find(|x| !(x.is_finite() && **x >= 0.0)))
    {
        p.push(
            "design.replicates.rscales",
            format!("every rscale must be a finite number >= 0, got {bad}"),
            Some("JKn: (n_h - 1) / n_h of the replicate's stratum".into()),
        );
    }
    let mut options = ReplicateOptions::new(kind);
    options.scale = r.scale;
    options.rscales = r.rscales.clone();
    options.mse = r.mse;
    options.expected_count = r.count;
    Some(Replicates { columns: r.columns.clone(), options })
}

fn validate_request(i: usize, e: &RawEstimate, p: &mut Problems) -> Option<Request> {
    let key = format!("estimates[{i}]");
    let stat = match e.stat.as_str() {
        "total" => StatKind::Total,
        "mean" => StatKind::Mean,
        "proportion" => StatKind::Proportion(e.category.as_ref().and_then(super::scalar_label)),
        "ratio" => match &e.denominator {
            Some(d) => StatKind::Ratio(d.clone()),
            None => {
                p.push(&format!("{key}.stat"), "a ratio needs `denominator`", None);
                return None;
            }
        },
        "quantile" => {
            let q = e.quantile.unwrap_or(0.5);
            if !(0.0..=1.0).contains(&q) {
                p.push(&format!("{key}.quantile"), format!("must be in [0, 1], got {q}"), None);
            }
            let rule = match e.quantile_rule.as_deref() {
                None => QuantileRule::Math,
                Some(s) => QuantileRule::parse(s).unwrap_or_else(|| {
                    p.push(
                        &format!("{key}.quantile_rule"),
                        format!("unknown rule `{s}`"),
                        Some("math (hf1), school (hf2) or hf7".into()),
                    );
                    QuantileRule::Math
                }),
            };
            StatKind::Quantile(q, rule)
        }
        other => {
            let hint = suggest(other, STATS.iter().copied())
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| STATS.join(", "));
            p.push(&format!("{key}.stat"), format!("unknown statistic `{other}`"), Some(hint));
            return None;
        }
    };
    if let Some(c) = &e.category
        && !c.is_null()
        && super::scalar_label(c).is_none()
    {
        p.push(
            &format!("{key}.category"),
            format!("`{}` is not one category", super::show(c)),
            Some("give one category, or omit `category` for every category (one row each)".into()),
        );
    }
    for (field, given) in
        [("quantile", e.quantile.is_some()), ("quantile_rule", e.quantile_rule.is_some())]
    {
        if given && !matches!(stat, StatKind::Quantile(..)) {
            p.push(
                &format!("{key}.{field}"),
                format!("`{field}` applies to `stat: quantile` only"),
                Some(format!("remove `{field}` or set `stat: quantile`")),
            );
        }
    }
    super::check_names(&format!("{key}.by"), e.by.iter().map(String::as_str), p);
    if e.category.is_some() && !matches!(stat, StatKind::Proportion(_)) {
        p.push(&format!("{key}.category"), "`category` applies to `stat: proportion` only", None);
    }
    if e.denominator.is_some() && !matches!(stat, StatKind::Ratio(_)) {
        p.push(&format!("{key}.denominator"), "`denominator` applies to `stat: ratio` only", None);
    }
    let ci = match e.ci.as_deref() {
        None => CiMethod::Wald,
        Some(s) => CiMethod::parse(s).unwrap_or_else(|| {
            p.push(
                &format!("{key}.ci"),
                format!("unknown interval `{s}`"),
                Some("wald, logit, beta or xlogit".into()),
            );
            CiMethod::Wald
        }),
    };
    let level = e.level.unwrap_or(0.95);
    if !(level > 0.0 && level < 1.0) {
        p.push(
            &format!("{key}.level"),
            format!("must be in (0, 1), got {level}"),
            Some("e.g. 0.95".into()),
        );
    }
    let df = match &e.df {
        None => DfRule::Infinite,
        Some(serde_yaml::Value::String(s)) => match s.as_str() {
            "infinite" | "normal" => DfRule::Infinite,
            "design" => DfRule::Design,
            "domain" => DfRule::Domain,
            other => {
                p.push(
                    &format!("{key}.df"),
                    format!("unknown df rule `{other}`"),
                    Some("infinite, design, domain or a number".into()),
                );
                DfRule::Infinite
            }
        },
        Some(v) => match v.as_f64() {
            Some(x) if x > 0.0 => DfRule::Fixed(x),
            _ => {
                p.push(
                    &format!("{key}.df"),
                    "must be infinite, design, domain or a positive number",
                    None,
                );
                DfRule::Infinite
            }
        },
    };
    let missing = match e.missing.as_deref() {
        None | Some("fail") => MissingPolicy::Fail,
        Some("drop") => MissingPolicy::Drop,
        Some(s) => {
            p.push(
                &format!("{key}.missing"),
                format!("unknown policy `{s}`"),
                Some("`fail` or `drop`".into()),
            );
            MissingPolicy::Fail
        }
    };
    Some(Request {
        key,
        name: e.name.clone(),
        stat,
        variable: e.variable.clone(),
        by: e.by.clone(),
        ci,
        level,
        df,
        missing,
        keep_empty_domains: e.keep_empty_domains,
    })
}

fn validate_publication(raw: Option<&RawPublication>, p: &mut Problems) -> Publication {
    let Some(r) = raw else { return Publication::default() };
    if let Some(cv) = r.max_cv
        && !(cv > 0.0 && cv.is_finite())
    {
        p.push(
            "publication.max_cv",
            format!("must be a positive number (0.3 = 30 %), got {cv}"),
            None,
        );
    }
    if r.suppress && r.min_n.is_none() && r.max_cv.is_none() {
        p.push("publication.suppress", "suppression needs `min_n` or `max_cv`", None);
    }
    Publication { min_n: r.min_n, max_cv: r.max_cv, suppress: r.suppress }
}
