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

use super::{Loaded, Problems, load_yaml, scalar_label, suggest};
use crate::calibration::{Algorithm, Bounds, Margin, Method, Options, StoppingRule};
use crate::data::{Factor, Table};
use crate::error::{Error, Result};
use rayon::prelude::*;
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
    /// The margins.
    pub margins: Vec<MarginSpec>,
}

const METHODS: [&str; 4] = ["linear", "raking", "logit", "truncated_linear"];

impl CalibrationConfig {
    /// Reads and validates a calibration YAML file, reporting every problem at once.
    ///
    /// # Errors
    /// [`Error::Config`] listing each problem with key, line and hint; I/O errors.
    pub fn load(path: &Path) -> Result<CalibrationConfig> {
        let loaded: Loaded<RawConfig> = load_yaml(path)?;
        let mut problems = Problems::new(&loaded);
        let raw = &loaded.raw;
        let method = validate_method(raw, &mut problems);
        let stopping = validate_stopping(raw, &mut problems);
        let algorithm = validate_algorithm(raw, &mut problems);
        let mut margins = validate_margins(raw, &mut problems);
        if let Some(t) = &raw.margins_table {
            let table_path = resolve(path, t);
            match read_calmar_table(&table_path) {
                Ok(m) => margins.extend(m),
                Err(e) => problems.push("margins_table", e.to_string(), None),
            }
        }
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
            if !(l.is_finite() && u.is_finite() && *l >= 0.0 && *l < 1.0 && *u > 1.0) {
                problems.push(
                    "bounds",
                    format!("bounds [L, U] on g = w/d need 0 <= L < 1 < U, got [{l}, {u}]"),
                    Some("e.g. bounds: [0.4, 2.5]".into()),
                );
                return None;
            }
            Some(Bounds { lower: *l, upper: *u })
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
fn check_duplicate_margins(margins: &[MarginSpec], problems: &mut Problems) {
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

/// Reads a CALMAR-style margin table: columns `var`, `n` (number of categories, 0 for a
/// numeric variable), `mar1`..`marN` (totals of categories 1..n, or the numeric total in
/// `mar1`). Categories are the codes `1`..`n`, as in CALMAR.
fn read_calmar_table(path: &Path) -> Result<Vec<MarginSpec>> {
    let t = Table::read(path)?;
    let var = t.factor("var")?;
    let n = t.numeric("n")?;
    let mut out = Vec::new();
    for row in 0..t.n_rows() {
        let name = match var.codes[row] {
            Factor::MISSING => {
                return Err(Error::data(t.source(), format!("row {}: `var` is empty", row + 1)));
            }
            c => var.levels[c as usize].clone(),
        };
        let key = format!("margins_table row {} ({name})", row + 1);
        let k = n[row];
        if k.fract() != 0.0 || k < 0.0 {
            return Err(Error::data(t.source(), format!("{key}: `n` must be 0 or a count")));
        }
        let figure = |j: usize| -> Result<f64> {
            let col = format!("mar{j}");
            let v = t.numeric_opt(&col)?;
            v[row].ok_or_else(|| Error::data(t.source(), format!("{key}: `{col}` is empty")))
        };
        if k == 0.0 {
            let total = figure(1)?;
            out.push(MarginSpec::Numeric { key, variable: name, total });
        } else {
            let figures = (1..=k as usize)
                .map(|j| Ok((j.to_string(), figure(j)?)))
                .collect::<Result<Vec<_>>>()?;
            out.push(MarginSpec::Categorical {
                key,
                variables: vec![name],
                figures,
                kind: Figures::Totals,
                groups: Vec::new(),
            });
        }
    }
    Ok(out)
}

/// Builds the calibration margins from a validated config and the input data: matches
/// categories by text form and reports every mismatch at once.
///
/// Rows with weight 0 (non-respondents, ineligibles) do not take part: a category seen only
/// among them needs no margin, and their missing values are allowed.
///
/// # Errors
/// [`Error::Config`] naming each margin and category that does not match the data (with a
/// did-you-mean), unknown columns, non-numeric numeric margins, missing values.
pub fn build_margins(
    cfg: &CalibrationConfig,
    table: &Table,
    weights: &[f64],
) -> Result<Vec<Margin>> {
    let mut issues: Vec<crate::error::ConfigProblem> = Vec::new();
    let mut out = Vec::new();
    // margins are independent: built in parallel, then taken in config order
    let built: Vec<Result<Margin, Issues>> =
        cfg.margins.par_iter().map(|spec| build_one(cfg, spec, table, weights)).collect();
    for m in built {
        match m {
            Ok(m) => out.push(m),
            Err(mut e) => issues.append(&mut e),
        }
    }
    if let Some(n) = cfg.population_total {
        out.push(Margin::Total { target: n });
    }
    if issues.is_empty() {
        Ok(out)
    } else {
        let text = std::fs::read_to_string(&cfg.file).unwrap_or_default();
        for p in &mut issues {
            p.line = super::find_line(&text, &p.key);
            p.message = format!("{} (data: {})", p.message, table.source());
        }
        Err(Error::Config { file: cfg.file.clone(), problems: issues })
    }
}

type Issues = Vec<crate::error::ConfigProblem>;

/// The categories of a categorical margin in the data: one variable, or the crossing of
/// several (labels `a,b`), with `groups` merged.
///
/// # Errors
/// (key suffix, message): a column that cannot be read as categories (suffix empty), a
/// group named like a category outside it (suffix `.groups`).
pub fn margin_factor(
    table: &Table,
    variables: &[String],
    groups: &[(String, Vec<String>)],
) -> std::result::Result<Factor, (&'static str, String)> {
    let factors: Vec<Factor> = variables
        .iter()
        .map(|v| table.factor(v))
        .collect::<Result<_>>()
        .map_err(|e| ("", e.to_string()))?;
    let factor = if factors.len() == 1 {
        factors.into_iter().next().unwrap_or_default()
    } else {
        Factor::cross(&factors.iter().collect::<Vec<_>>())
    };
    factor.regroup(groups).map_err(|e| (".groups", e))
}

fn column_issue(table: &Table, key: &str, name: &str) -> crate::error::ConfigProblem {
    let names = table.column_names();
    let hint = suggest(name, names.iter().map(String::as_str))
        .map(|s| format!("did you mean `{s}`?"))
        .unwrap_or_else(|| format!("the columns are: {}", names.join(", ")));
    crate::error::ConfigProblem::new(key, format!("no column `{name}` in the data")).hint(hint)
}

fn build_one(
    cfg: &CalibrationConfig,
    spec: &MarginSpec,
    table: &Table,
    weights: &[f64],
) -> Result<Margin, Issues> {
    match spec {
        MarginSpec::Numeric { key, variable, total } => {
            if !table.has_column(variable) {
                return Err(vec![column_issue(table, key, variable)]);
            }
            let values = table
                .numeric_or_nan(variable)
                .map_err(|e| vec![crate::error::ConfigProblem::new(key.as_str(), e.to_string())])?;
            check_numeric_sign(key, variable, &values, weights, *total)?;
            Ok(Margin::Numeric { name: variable.clone(), values, target: *total })
        }
        MarginSpec::Categorical { key, variables, figures, kind, groups } => {
            let missing: Issues = variables
                .iter()
                .filter(|v| !table.has_column(v))
                .map(|v| column_issue(table, key, v))
                .collect();
            if !missing.is_empty() {
                return Err(missing);
            }
            let factor = margin_factor(table, variables, groups)
                .map_err(|(k, e)| vec![crate::error::ConfigProblem::new(format!("{key}{k}"), e)])?;
            let scale = match kind {
                Figures::Totals => 1.0,
                Figures::Percentages => cfg.population_total.unwrap_or(0.0) / 100.0,
            };
            match_categories(key, &variables.join(" × "), factor, figures, scale, weights)
        }
    }
}

/// A numeric margin whose values (among rows of positive weight) all have one sign cannot
/// have a total of the other sign, nor 0 unless every value is 0: no positive weights reach
/// it, and the solver would only drive every weight towards 0.
fn check_numeric_sign(
    key: &str,
    variable: &str,
    values: &[f64],
    weights: &[f64],
    total: f64,
) -> Result<(), Issues> {
    let used = || values.iter().zip(weights).filter(|(_, w)| **w > 0.0).map(|(v, _)| *v);
    let all_nonneg = used().all(|v| v.is_nan() || v >= 0.0);
    let all_nonpos = used().all(|v| v.is_nan() || v <= 0.0);
    let any_nonzero = used().any(|v| v != 0.0 && !v.is_nan());
    let bad = any_nonzero && ((all_nonneg && total <= 0.0) || (all_nonpos && total >= 0.0));
    if bad {
        let sign = if all_nonneg { "positive or 0" } else { "negative or 0" };
        return Err(vec![
            crate::error::ConfigProblem::new(
                format!("{key}.total"),
                format!(
                    "margin `{variable}`: every value among the rows of positive weight is {sign}, \
                     so its population total cannot be {total}"
                ),
            )
            .hint("check the total (its sign, its unit) or the column"),
        ]);
    }
    Ok(())
}

/// Maps the margin's figures onto the factor's levels (in level order); reports sample
/// categories (among positive weights) without a figure and figures without a sample
/// category.
fn match_categories(
    key: &str,
    name: &str,
    factor: Factor,
    figures: &[(String, f64)],
    scale: f64,
    weights: &[f64],
) -> Result<Margin, Issues> {
    let mut present = vec![false; factor.levels.len()];
    for (c, w) in factor.codes.iter().zip(weights) {
        if *c != Factor::MISSING && *w > 0.0 {
            present[*c as usize] = true;
        }
    }
    let mut issues = Vec::new();
    let mut targets = vec![0.0; factor.levels.len()];
    let mut given = vec![false; factor.levels.len()];
    for (label, fig) in figures {
        match factor.level_index(label) {
            Some(i) => {
                targets[i as usize] = fig * scale;
                given[i as usize] = true;
            }
            None => {
                let hint = suggest(label, factor.levels.iter().map(String::as_str))
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| format!("the data has: {}", factor.levels.join(", ")));
                issues.push(
                    crate::error::ConfigProblem::new(
                        key,
                        format!(
                            "margin `{name}`: category `{label}` has no sample unit in the data \
                             (it cannot be calibrated)"
                        ),
                    )
                    .hint(format!("{hint}; or merge it with a neighbouring category")),
                );
            }
        }
    }
    for (i, level) in factor.levels.iter().enumerate() {
        if present[i] && !given[i] {
            issues.push(
                crate::error::ConfigProblem::new(
                    key,
                    format!("margin `{name}`: sample category `{level}` has no population figure"),
                )
                .hint("add it to the margin, or recode it in the data".to_string()),
            );
        }
    }
    if !issues.is_empty() {
        return Err(issues);
    }
    Ok(Margin::Categorical {
        name: name.to_string(),
        codes: factor.codes,
        levels: factor.levels,
        targets,
    })
}
