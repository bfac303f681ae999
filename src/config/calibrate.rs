//! The calibration configuration (`ponder calibrate --config C.yaml`).
//!
//! ```yaml
//! weight: d
//! output: w_cal
//! method: raking            # linear | raking | logit | truncated_linear
//! bounds: [0.4, 2.5]
//! tolerance: 1.0e-10
//! max_iterations: 100
//! stopping: survey          # survey (max |Σwx − X|/(1+|X|)) | calmar (max |Δg|)
//! algorithm: auto           # auto | newton | ipf (raking by iterative proportional fitting)
//! population_total: 52000000
//! replicates: "rep_*"
//! margins_table: margins.csv   # optional CALMAR-style table: var, n, mar1..marN
//! margins:
//!   - variable: sex
//!     totals: {1: 25100000, 2: 26900000}
//!   - variable: age_group
//!     percentages: {"18-29": 18.2, ...}
//!   - variable: income
//!     total: 1.234e12
//!   - variables: [sex, age_group]
//!     totals: {"1,18-29": 4700000, ...}
//! ```
//!
//! This module reads and validates the YAML only: the spec holds no data. Matching the
//! margins against a table, and reading a `margins_table`, is [`crate::bind::calibration`]'s.

use super::{Loaded, Problems, load_yaml, scalar_label, suggest};
use crate::calibration::{Algorithm, Bounds, Method, Options, StoppingRule};
use crate::error::Result;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    weight: String,
    output: Option<String>,
    method: Option<String>,
    bounds: Option<Vec<f64>>,
    tolerance: Option<f64>,
    max_iterations: Option<usize>,
    stopping: Option<String>,
    algorithm: Option<String>,
    population_total: Option<f64>,
    replicates: Option<String>,
    margins_table: Option<PathBuf>,
    #[serde(default)]
    margins: Vec<RawMargin>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMargin {
    variable: Option<String>,
    variables: Option<Vec<String>>,
    totals: Option<serde_yaml::Mapping>,
    percentages: Option<serde_yaml::Mapping>,
    total: Option<f64>,
    groups: Option<serde_yaml::Mapping>,
}

/// How a categorical margin's figures are given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Figures {
    /// Population counts per category.
    Totals,
    /// Percentages of `population_total` per category (summing to 100).
    Percentages,
}

/// One validated margin, before it meets the data.
#[derive(Debug, Clone, PartialEq)]
pub enum MarginSpec {
    /// Totals (or percentages) per category of one variable or of crossed variables.
    Categorical {
        /// YAML key, for messages (`margins[2]`).
        key: String,
        /// The variable(s); several = crossed margin, categories written `a,b`.
        variables: Vec<String>,
        /// (category label, figure), in file order.
        figures: Vec<(String, f64)>,
        /// Totals or percentages.
        kind: Figures,
        /// Categories of the data merged into one margin category (CALMAR's regrouping
        /// of modalities): (margin label, data categories).
        groups: Vec<(String, Vec<String>)>,
    },
    /// Population total of a numeric variable.
    Numeric {
        /// YAML key, for messages.
        key: String,
        /// The column.
        variable: String,
        /// Population total.
        total: f64,
    },
}

/// A validated calibration configuration.
#[derive(Debug, Clone)]
pub struct CalibrationConfig {
    /// The configuration file, for messages.
    pub file: String,
    /// The file and its text, for messages on problems found against the data.
    pub source: super::Source,
    /// Column of initial weights.
    pub weight: String,
    /// Name of the calibrated weight column.
    pub output: String,
    /// Solver options: distance, bounds, stopping rule, tolerance, iteration limit.
    pub options: Options,
    /// Population size constraint Σw = N, when given.
    pub population_total: Option<f64>,
    /// Glob of replicate weight columns to calibrate too.
    pub replicates: Option<String>,
    /// The margins given in the YAML.
    pub margins: Vec<MarginSpec>,
    /// A CALMAR margin table (path resolved against the config's folder), whose margins
    /// come after `margins`; read when the spec is bound to data
    /// ([`crate::bind::calibration::margin_specs`]).
    pub margins_table: Option<PathBuf>,
}

const METHODS: [&str; 4] = ["linear", "raking", "logit", "truncated_linear"];

impl CalibrationConfig {
    /// Reads and validates a calibration YAML file, reporting every problem at once.
    ///
    /// # Errors
    /// [`crate::Error::Config`] listing each problem with key, line and hint; I/O errors.
    pub fn load(path: &Path) -> Result<CalibrationConfig> {
        let loaded: Loaded<RawConfig> = load_yaml(path)?;
        let mut problems = Problems::new(&loaded);
        let raw = &loaded.raw;
        let method = validate_method(raw, &mut problems);
        let stopping = validate_stopping(raw, &mut problems);
        let algorithm = validate_algorithm(raw, &mut problems);
        let margins = validate_margins(raw, &mut problems);
        if raw.margins.is_empty() && raw.margins_table.is_none() && raw.population_total.is_none() {
            problems.push(
                "margins",
                "no margin is given",
                Some("add at least one entry under `margins:` or a `margins_table:`".into()),
            );
        }
        check_percentages(raw, &margins, &mut problems);
        if let Some(n) = raw.population_total
            && !(n.is_finite() && n > 0.0)
        {
            problems.push("population_total", format!("must be a positive number, got {n}"), None);
        }
        if raw.max_iterations == Some(0) {
            problems.push("max_iterations", "must be at least 1", None);
        }
        for (key, name) in [("weight", Some(&raw.weight)), ("output", raw.output.as_ref())] {
            if name.is_some_and(|n| n.trim().is_empty()) {
                problems.push(
                    key,
                    "the column name is empty",
                    Some(format!("write `{key}: <column name>`")),
                );
            }
        }
        super::check_glob("replicates", raw.replicates.as_deref(), &mut problems);
        check_duplicate_margins(&margins, &mut problems);
        problems.finish()?;
        Ok(CalibrationConfig {
            file: loaded.file.clone(),
            source: loaded.source(),
            weight: raw.weight.clone(),
            output: raw.output.clone().unwrap_or_else(|| "weight_cal".to_string()),
            options: Options {
                method: method.map_or(Method::Raking, |m| m.0),
                bounds: method.and_then(|m| m.1),
                tolerance: raw.tolerance.unwrap_or(1e-10),
                max_iterations: raw.max_iterations.unwrap_or(100),
                stopping: stopping.unwrap_or_default(),
                algorithm: algorithm.unwrap_or_default(),
                ..Options::default()
            },
            population_total: raw.population_total,
            replicates: raw.replicates.clone(),
            margins,
            margins_table: raw.margins_table.as_deref().map(|t| resolve(path, t)),
        })
    }
}

/// A path in a config file is relative to the config file's folder.
fn resolve(config: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        config.parent().unwrap_or(Path::new(".")).join(p)
    }
}

fn validate_method(raw: &RawConfig, problems: &mut Problems) -> Option<(Method, Option<Bounds>)> {
    let name = raw.method.as_deref().unwrap_or("raking");
    let bounds = match raw.bounds.as_deref() {
        None => None,
        Some([l, u]) => {
            // the rule of every bounds (L < 1 < U), plus what a file may ask: finite, L >= 0
            match Bounds::new(*l, *u) {
                Ok(b) if b.is_finite() && b.lower >= 0.0 => Some(b),
                _ => {
                    problems.push(
                        "bounds",
                        format!("bounds [L, U] on g = w/d need 0 <= L < 1 < U, got [{l}, {u}]"),
                        Some("e.g. bounds: [0.4, 2.5]".into()),
                    );
                    return None;
                }
            }
        }
        Some(other) => {
            problems.push(
                "bounds",
                format!("bounds need exactly two numbers [L, U], got {}", other.len()),
                None,
            );
            return None;
        }
    };
    let method = match name {
        "linear" => Method::Linear,
        "raking" => Method::Raking,
        "logit" | "truncated_linear" => {
            let Some(_) = bounds else {
                problems.push(
                    "bounds",
                    format!("method `{name}` needs bounds [L, U]"),
                    Some("add e.g. `bounds: [0.4, 2.5]`".into()),
                );
                return None;
            };
            if name == "logit" { Method::Logit } else { Method::TruncatedLinear }
        }
        other => {
            let hint = suggest(other, METHODS.iter().copied())
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| format!("one of {}", METHODS.join(", ")));
            problems.push("method", format!("unknown method `{other}`"), Some(hint));
            return None;
        }
    };
    if name == "linear" && bounds.is_some() {
        problems.push(
            "bounds",
            "bounds do not apply to `linear` (unbounded GREG)",
            Some("use `method: truncated_linear` for bounded linear calibration".into()),
        );
        return None;
    }
    Some((method, bounds))
}

fn validate_stopping(raw: &RawConfig, problems: &mut Problems) -> Option<StoppingRule> {
    let tol = raw.tolerance.unwrap_or(1e-10);
    if !(tol.is_finite() && tol > 0.0) {
        problems.push("tolerance", format!("must be a positive number, got {tol}"), None);
        return None;
    }
    match raw.stopping.as_deref().unwrap_or("survey") {
        "survey" => Some(StoppingRule::Misfit),
        "calmar" => Some(StoppingRule::GChange),
        other => {
            problems.push(
                "stopping",
                format!("unknown stopping rule `{other}`"),
                Some("`survey` (margin errors, default) or `calmar` (change of g)".into()),
            );
            None
        }
    }
}

fn validate_algorithm(raw: &RawConfig, problems: &mut Problems) -> Option<Algorithm> {
    match raw.algorithm.as_deref().unwrap_or("auto") {
        "auto" => Some(Algorithm::Auto),
        "newton" => Some(Algorithm::Newton),
        "ipf" => Some(Algorithm::Ipf),
        other => {
            problems.push(
                "algorithm",
                format!("unknown algorithm `{other}`"),
                Some("`auto` (default), `newton` or `ipf` (raking on categorical margins)".into()),
            );
            None
        }
    }
}

fn validate_margins(raw: &RawConfig, problems: &mut Problems) -> Vec<MarginSpec> {
    let mut out = Vec::new();
    for (i, m) in raw.margins.iter().enumerate() {
        let key = format!("margins[{i}]");
        if let Some(spec) = validate_margin(&key, m, problems) {
            out.push(spec);
        }
    }
    out
}

/// Two margins on the same variable (or the same crossing), or a variable crossed with
/// itself: a copy-paste slip that would silently over-constrain the calibration.
pub fn check_duplicate_margins(margins: &[MarginSpec], problems: &mut Problems) {
    let vars = |m: &MarginSpec| -> (String, Vec<String>) {
        match m {
            MarginSpec::Categorical { key, variables, .. } => {
                let mut v = variables.clone();
                v.sort();
                (key.clone(), v)
            }
            MarginSpec::Numeric { key, variable, .. } => (key.clone(), vec![variable.clone()]),
        }
    };
    let all: Vec<(String, Vec<String>)> = margins.iter().map(vars).collect();
    for (i, (key, v)) in all.iter().enumerate() {
        if let Some(d) = v.windows(2).find(|w| w[0] == w[1]) {
            problems.push(
                &format!("{key}.variables"),
                format!("variable `{}` is listed twice", d[0]),
                Some("list each variable of a crossed margin once".into()),
            );
        }
        if let Some((first, _)) = all[..i].iter().find(|(_, u)| u == v) {
            problems.push(
                key,
                format!("`{}` already has a margin ({first})", v.join(" × ")),
                Some(
                    "give one margin per variable (or crossing): remove or merge one of them"
                        .into(),
                ),
            );
        }
    }
}

fn validate_margin(key: &str, m: &RawMargin, problems: &mut Problems) -> Option<MarginSpec> {
    let variables = match (&m.variable, &m.variables) {
        (Some(v), None) => vec![v.clone()],
        (None, Some(vs)) if !vs.is_empty() => vs.clone(),
        (Some(_), Some(_)) => {
            problems.push(key, "give either `variable` or `variables`, not both", None);
            return None;
        }
        _ => {
            problems.push(
                key,
                "a margin needs `variable` (or `variables` for a crossed margin)",
                None,
            );
            return None;
        }
    };
    if variables.iter().any(|v| v.trim().is_empty()) {
        problems.push(
            key,
            "a margin variable name is empty",
            Some("name a column of the data".into()),
        );
        return None;
    }
    let given = [m.totals.is_some(), m.percentages.is_some(), m.total.is_some()];
    if given.iter().filter(|g| **g).count() != 1 {
        problems.push(
            key,
            "a margin needs exactly one of `totals` (per category), `percentages` (per \
             category) or `total` (numeric variable)",
            None,
        );
        return None;
    }
    if m.total.is_some() && m.groups.is_some() {
        problems.push(
            &format!("{key}.groups"),
            "`groups` applies to categorical margins only",
            None,
        );
        return None;
    }
    if let Some(total) = m.total {
        if variables.len() != 1 {
            problems.push(key, "a numeric margin (`total`) takes one `variable`", None);
            return None;
        }
        if !total.is_finite() {
            problems.push(&format!("{key}.total"), "must be a finite number", None);
            return None;
        }
        return Some(MarginSpec::Numeric {
            key: key.into(),
            variable: variables[0].clone(),
            total,
        });
    }
    let (map, kind, sub) = match (&m.totals, &m.percentages) {
        (Some(t), _) => (t, Figures::Totals, "totals"),
        (_, Some(p)) => (p, Figures::Percentages, "percentages"),
        _ => return None,
    };
    let figures = mapping_figures(&format!("{key}.{sub}"), map, variables.len(), problems)?;
    let groups = match &m.groups {
        Some(g) => validate_groups(&format!("{key}.groups"), g, problems)?,
        None => Vec::new(),
    };
    Some(MarginSpec::Categorical { key: key.into(), variables, figures, kind, groups })
}

/// `groups: {"1-2": [1, 2]}`: each margin label with the data categories it merges; a
/// category may belong to one group only.
fn validate_groups(
    key: &str,
    map: &serde_yaml::Mapping,
    problems: &mut Problems,
) -> Option<Vec<(String, Vec<String>)>> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let before = problems.len();
    for (k, v) in map {
        let Some(label) = scalar_label(k) else {
            problems.push(
                key,
                format!("group name `{}` is not a plain value", super::show(k)),
                None,
            );
            continue;
        };
        let Some(items) = v.as_sequence() else {
            problems.push(
                key,
                format!("group `{label}` must list the categories it merges, e.g. [1, 2]"),
                None,
            );
            continue;
        };
        let members = super::scalar_labels(key, items, problems);
        for c in &members {
            if let Some((other, _)) = out.iter().find(|(_, m)| m.contains(c)) {
                problems.push(
                    key,
                    format!("category `{c}` is in groups `{other}` and `{label}`"),
                    None,
                );
            }
        }
        out.push((label, members));
    }
    (problems.len() == before).then_some(out)
}

fn mapping_figures(
    key: &str,
    map: &serde_yaml::Mapping,
    arity: usize,
    problems: &mut Problems,
) -> Option<Vec<(String, f64)>> {
    let mut out = Vec::new();
    let mut ok = true;
    for (k, v) in map {
        let Some(label) = scalar_label(k) else {
            problems.push(
                key,
                format!("category `{}` is not a plain value", super::show(k)),
                Some("write `category: figure` entries, e.g. {a: 10, b: 20}".into()),
            );
            ok = false;
            continue;
        };
        let label = normalize_crossed(&label);
        if label.split(',').count() != arity {
            problems.push(
                key,
                format!("category `{label}` should have {arity} part(s) separated by commas"),
                None,
            );
            ok = false;
            continue;
        }
        match v.as_f64() {
            Some(x) if x.is_finite() && x >= 0.0 => out.push((label, x)),
            _ => {
                problems.push(
                    key,
                    format!(
                        "the figure of category `{label}` must be a finite number >= 0, got `{}`",
                        super::show(v)
                    ),
                    Some("write the population count (or percentage) as a number".into()),
                );
                ok = false;
            }
        }
    }
    if out.is_empty() && ok {
        problems.push(key, "no category given", None);
        ok = false;
    }
    ok.then_some(out)
}

fn normalize_crossed(label: &str) -> String {
    label.split(',').map(str::trim).collect::<Vec<_>>().join(",")
}

fn check_percentages(raw: &RawConfig, margins: &[MarginSpec], problems: &mut Problems) {
    for m in margins {
        if let MarginSpec::Categorical { key, figures, kind: Figures::Percentages, .. } = m {
            let sum: f64 = figures.iter().map(|f| f.1).sum();
            if (sum - 100.0).abs() > 1e-6 * 100.0 {
                problems.push(
                    &format!("{key}.percentages"),
                    format!("percentages sum to {sum}, not 100"),
                    Some("fix the figures so they add up to 100".into()),
                );
            }
            if raw.population_total.is_none() {
                problems.push(
                    &format!("{key}.percentages"),
                    "percentages need `population_total`",
                    Some("add `population_total: N` at the top level".into()),
                );
            }
        }
    }
}
