//! The estimation configuration (`ponder estimate --config E.yaml`): a `design:` block, an
//! `estimates:` list and optional `publication:` rules. See `interface.md`.
//!
//! [`EstimateConfig::load`] reads and checks the file on its own (keys, names of methods,
//! levels, ranges) and reports every problem at once; checking it against the data (columns,
//! categories) and building the design is the bind layer's job (`bind::design`,
//! `bind::estimate`), with the key's line from [`EstimateConfig::source`].

mod missing;
mod publication;
mod request;
mod units;

pub use missing::ItemChoice;
pub use publication::PublicationNotes;

use super::codebook::Codebook;
use super::{Loaded, Problems, Source, load_yaml};
use crate::design::{LonelyPsu, PpsVariance};
use crate::error::Result;
use crate::estimate::{
    CiMethod, DfRule, MissingCodes, MissingPolicy, Publication, QuantileRule, Text,
};
use crate::variance::replicates::{ReplicateKind, ReplicateOptions};
pub(crate) use missing::{RawMissingCodes, validate_codes};
use publication::{RawPublication, validate_notes, validate_publication};
use request::validate_request;
use serde::Deserialize;
use std::path::{Path, PathBuf};
pub use units::{Answered, UnitsSpec};
pub(crate) use units::{RawUnits, validate_units};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    design: RawDesign,
    #[serde(default)]
    estimates: Vec<RawEstimate>,
    publication: Option<RawPublication>,
    codebook: Option<PathBuf>,
    units: Option<RawUnits>,
    missing_codes: Option<RawMissingCodes>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDesign {
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
    item_nonresponse: Option<serde_yaml::Value>,
    title: Option<serde_yaml::Value>,
    theme: Option<serde_yaml::Value>,
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
    /// Item nonrespondents and break-offs (`item_nonresponse:`); `None` = the default,
    /// `exclude`, when the variable carries declared codes.
    pub item: Option<ItemChoice>,
    /// Output empty domains too.
    pub keep_empty_domains: bool,
    /// Title of its table (`title: {fr, en}`), for readers.
    pub title: Option<Text>,
    /// Theme grouping it with others (`theme: {fr, en}` or a plain text for both).
    pub theme: Option<Text>,
}

/// Replicate declaration.
#[derive(Debug, Clone)]
pub struct Replicates {
    /// Column glob.
    pub columns: String,
    /// Options (kind, scale, rscales, mse, expected count).
    pub options: ReplicateOptions,
}

/// The columns of the `design:` block (names only: checked against the data by
/// the bind layer).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DesignColumns {
    /// Full-sample weight column.
    pub weight: Option<String>,
    /// Inclusion-probability column.
    pub probabilities: Option<String>,
    /// Stage-1 strata column.
    pub strata: Option<String>,
    /// Cluster columns, stage 1 first.
    pub clusters: Vec<String>,
    /// fpc columns, one per stage at most.
    pub fpc: Vec<String>,
    /// PSU ids reused across strata denote different PSUs.
    pub nest: bool,
    /// Certainty-PSU flag column.
    pub certainty: Option<String>,
}

/// A validated estimation configuration (YAML only: no data seen yet).
#[derive(Debug, Clone)]
pub struct EstimateConfig {
    /// The file, for messages (the same as `source.file`).
    pub file: String,
    /// The file's path and text (line numbers of problems found against the data).
    pub source: Source,
    /// The design columns.
    pub design: DesignColumns,
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
    /// Decimals and footnote texts of publication tables.
    pub notes: PublicationNotes,
    /// The codebook (`codebook:`, read and validated with the file).
    pub codebook: Option<Codebook>,
    /// A linked unit file (`units:`): estimates are about its rows.
    pub units: Option<UnitsSpec>,
    /// Codes of missing answers (`missing_codes:`): not asked, item nonresponse, break-off.
    pub missing_codes: Option<MissingCodes>,
}

impl EstimateConfig {
    /// Reads and validates an estimation YAML file, reporting every problem at once.
    ///
    /// # Errors
    /// [`crate::Error::Config`] listing each problem with key, line and hint; I/O errors.
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
        let block = validate_design(&raw.design, &mut p);
        let missing_codes = validate_codes(raw.missing_codes.as_ref(), &mut p);
        let requests =
            validate_requests(&raw.estimates, need_estimates, missing_codes.is_some(), &mut p);
        let publication = validate_publication(raw.publication.as_ref(), &mut p);
        let notes = validate_notes(raw.publication.as_ref(), &mut p);
        check_design_names(&raw.design, &mut p);
        check_request_names(&raw.estimates, &mut p);
        let codebook = codebook_path(path, raw.codebook.as_deref(), &mut p);
        let units = validate_units(path, raw.units.as_ref(), &mut p);
        p.finish()?;
        let mut cfg = design_config(&loaded, path, &raw.design, block);
        cfg.units = units;
        cfg.missing_codes = missing_codes;
        cfg.requests = requests;
        cfg.publication = publication;
        cfg.notes = notes;
        cfg.codebook = codebook.as_deref().map(Codebook::load).transpose()?;
        Ok(cfg)
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
        c.design.weight = Some(weight.to_string());
        c.design.probabilities = None;
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
        self.design.weight.clone()
    }
}

/// What [`validate_design`] found in a `design:` block.
pub(super) struct DesignBlock {
    lonely_psu: LonelyPsu,
    pps_variance: PpsVariance,
    replicates: Option<Replicates>,
}

/// Checks a `design:` block (policies, weight source, replicates and their exclusions);
/// the column names are checked by [`check_design_names`].
pub(super) fn validate_design(d: &RawDesign, p: &mut Problems) -> DesignBlock {
    let lonely_psu = lonely_psu(d, p);
    let pps_variance = pps_variance(d, p);
    check_design_keys(d, p);
    let replicates = d.replicates.as_ref().and_then(|r| validate_replicates(r, p));
    check_replicates_exclusions(d, replicates.is_some(), p);
    DesignBlock { lonely_psu, pps_variance, replicates }
}

/// The design of a validated block as an [`EstimateConfig`] without requests (default
/// publication rules); `calibration:` and `nonresponse:` paths are resolved against the
/// folder of `path`.
pub(super) fn design_config<T>(
    loaded: &Loaded<T>,
    path: &Path,
    d: &RawDesign,
    block: DesignBlock,
) -> EstimateConfig {
    let base = path.parent().unwrap_or(Path::new("."));
    let resolve = |c: &PathBuf| if c.is_absolute() { c.clone() } else { base.join(c) };
    EstimateConfig {
        file: loaded.file.clone(),
        source: loaded.source(),
        design: DesignColumns {
            weight: d.weight.clone(),
            probabilities: d.probabilities.clone(),
            strata: d.strata.clone(),
            clusters: d.clusters.clone(),
            fpc: d.fpc.clone(),
            nest: d.nest,
            certainty: d.certainty.clone(),
        },
        calibration: d.calibration.as_ref().map(resolve),
        nonresponse: d.nonresponse.as_ref().map(resolve),
        replicates: block.replicates,
        lonely_psu: block.lonely_psu,
        pps_variance: block.pps_variance,
        requests: Vec::new(),
        publication: Publication::default(),
        notes: PublicationNotes::default(),
        codebook: None,
        units: None,
        missing_codes: None,
    }
}

/// The `codebook:` path, resolved against the folder of the configuration `path`; a file
/// that does not exist is a problem at `codebook`.
pub(super) fn codebook_path(path: &Path, c: Option<&Path>, p: &mut Problems) -> Option<PathBuf> {
    let c = c?;
    let base = path.parent().unwrap_or(Path::new("."));
    let resolved = if c.is_absolute() { c.to_path_buf() } else { base.join(c) };
    if resolved.is_file() {
        return Some(resolved);
    }
    p.push(
        "codebook",
        format!("no codebook file {}", resolved.display()),
        Some("the path is relative to this configuration file's folder".into()),
    );
    None
}

fn lonely_psu(d: &RawDesign, p: &mut Problems) -> LonelyPsu {
    let Some(s) = d.lonely_psu.as_deref() else { return LonelyPsu::Fail };
    LonelyPsu::parse(s).unwrap_or_else(|| {
        p.push(
            "design.lonely_psu",
            format!("unknown policy `{s}`"),
            Some(format!("one of {}", LonelyPsu::NAMES)),
        );
        LonelyPsu::Fail
    })
}

fn pps_variance(d: &RawDesign, p: &mut Problems) -> PpsVariance {
    match d.pps_variance.as_deref() {
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
    }
}

/// Weights: one source at most, at least one way to get them.
fn check_design_keys(d: &RawDesign, p: &mut Problems) {
    if d.weight.is_some() && d.probabilities.is_some() {
        p.push("design", "give `weight` or `probabilities`, not both", None);
    }
    if d.weight.is_none() && d.probabilities.is_none() && d.fpc.is_empty() && d.replicates.is_none()
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
}

fn check_replicates_exclusions(d: &RawDesign, replicates: bool, p: &mut Problems) {
    if replicates && d.calibration.is_some() {
        p.push(
            "design.calibration",
            "`calibration` (linearization residuals) and `replicates` exclude each other",
            Some("replicate weights already carry the calibration when it was redone on each of them".into()),
        );
    }
}

/// Every request, at least one when `need_estimates`.
fn validate_requests(
    raw: &[RawEstimate],
    need_estimates: bool,
    has_codes: bool,
    p: &mut Problems,
) -> Vec<Request> {
    let requests = raw
        .iter()
        .enumerate()
        .filter_map(|(i, e)| validate_request(i, e, has_codes, p))
        .collect::<Vec<_>>();
    if need_estimates && raw.is_empty() {
        p.push(
            "estimates",
            "no estimate requested",
            Some("add at least one entry under `estimates:`".into()),
        );
    }
    requests
}

/// Request names: non-empty and distinct (they label the output rows).
fn check_request_names(raw: &[RawEstimate], p: &mut Problems) {
    for (i, e) in raw.iter().enumerate() {
        if e.name.trim().is_empty() {
            p.push(
                &format!("estimates[{i}].name"),
                "the estimate name is empty",
                Some("give each estimate a name: it labels its rows in the output".into()),
            );
        } else if let Some(j) = raw[..i].iter().position(|o| o.name == e.name) {
            p.push(
                &format!("estimates[{i}].name"),
                format!("estimate name `{}` is already used by estimates[{j}]", e.name),
                Some("give each estimate its own name: it labels its rows in the output".into()),
            );
        }
    }
}

/// Design columns: no empty name, no column twice among strata and clusters.
pub(super) fn check_design_names(d: &RawDesign, p: &mut Problems) {
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
