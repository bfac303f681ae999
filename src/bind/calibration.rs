//! Binding a calibration spec to the data: the margins it names, read from a [`Table`]
//! (categories matched by text form, every mismatch reported at once with the line of its
//! key), and the calibration step itself ([`run`]) that `ponder calibrate`, the pipeline
//! (`ponder run`, `ponder simulate`) share: margins → [`Problem`] → solve → replicate
//! columns.
//!
//! A CALMAR margin table (`margins_table:`) is a data file: it is read here, not when the
//! YAML is loaded.

use std::borrow::Cow;
use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;

use crate::calibration::{self, Calibration, Margin, Problem, Report};
use crate::config::calibrate::{CalibrationConfig, Figures, MarginSpec, check_duplicate_margins};
use crate::data::{Factor, Table, check_weights, rows_list};
use crate::error::{ConfigProblem, Error, Result};
use crate::hint::suggest;

/// Problems found on margins, gathered before they become one [`Error::Config`].
type Issues = Vec<ConfigProblem>;

/// Builds the calibration margins from a validated config and the input data: matches
/// categories by text form and reports every mismatch at once.
///
/// Rows with weight 0 (non-respondents, ineligibles) do not take part: a category seen only
/// among them needs no margin, and their missing values are allowed.
///
/// # Errors
/// [`Error::Config`] naming each margin and category that does not match the data (with a
/// did-you-mean), unknown columns, non-numeric numeric margins, missing values; an
/// unreadable `margins_table`.
pub fn margins(cfg: &CalibrationConfig, table: &Table, weights: &[f64]) -> Result<Vec<Margin>> {
    margins_with_total(cfg, cfg.population_total, table, weights)
}

/// [`margins`] with the population total `total` (which replaces the config's).
fn margins_with_total(
    cfg: &CalibrationConfig,
    total: Option<f64>,
    table: &Table,
    weights: &[f64],
) -> Result<Vec<Margin>> {
    let specs = margin_specs(cfg)?;
    let mut issues: Issues = Vec::new();
    let mut out = Vec::new();
    // margins are independent: built in parallel, then taken in config order
    let built: Vec<Result<Margin, Issues>> =
        specs.par_iter().map(|spec| build_one(total, spec, table, weights)).collect();
    for m in built {
        match m {
            Ok(m) => out.push(m),
            Err(mut e) => issues.append(&mut e),
        }
    }
    if let Some(n) = total {
        out.push(Margin::Total { target: n });
    }
    if issues.is_empty() {
        return Ok(out);
    }
    for p in &mut issues {
        p.line = cfg.source.line(&p.key);
        p.message = format!("{} (data: {})", p.message, table.source());
    }
    Err(Error::Config { file: cfg.file.clone(), problems: issues })
}

/// The margins of the config: those of the YAML, then those of its `margins_table` (read
/// now), checked for a variable given twice across both.
///
/// # Errors
/// An unreadable or malformed margin table, or a margin duplicated by it
/// ([`Error::Config`] on `margins_table`).
pub fn margin_specs(cfg: &CalibrationConfig) -> Result<Cow<'_, [MarginSpec]>> {
    let Some(path) = &cfg.margins_table else { return Ok(Cow::Borrowed(&cfg.margins)) };
    let table = read_calmar_table(path)
        .map_err(|e| cfg.source.error("margins_table", e.to_string(), None))?;
    let mut all = cfg.margins.clone();
    all.extend(table);
    let mut problems = cfg.source.problems();
    check_duplicate_margins(&all, &mut problems);
    problems.finish()?;
    Ok(Cow::Owned(all))
}

/// The config with the margins of its `margins_table` merged into `margins` (the table is
/// read once; the copy has no `margins_table`), e.g. to replace every figure.
///
/// # Errors
/// As [`margin_specs`].
pub fn with_table_margins(cfg: &CalibrationConfig) -> Result<CalibrationConfig> {
    let margins = margin_specs(cfg)?.into_owned();
    Ok(CalibrationConfig { margins, margins_table: None, ..cfg.clone() })
}

/// Reads a CALMAR-style margin table (CALMAR's `MARGES` data set): columns `var`, `n`
/// (number of categories, 0 for a numeric variable), `mar1`..`marN` (totals of categories
/// 1..n, or the numeric total in `mar1`); names in any case (`VAR`, `N`, `MAR1`, as SAS
/// writes them). Categories are the codes `1`..`n`, as in CALMAR.
///
/// A row whose `n` disagrees with its figures is refused, naming the row and the
/// variable: `n` larger than the `mar` columns, a figure missing among `mar1..marn`, or a
/// figure after `mar<n>` (a category the count leaves out would silently lose its margin).
fn read_calmar_table(path: &Path) -> Result<Vec<MarginSpec>> {
    let t = Table::read(path)?;
    let names = t.column_names();
    let column = |want: &str| -> Result<String> {
        names
            .iter()
            .find(|c| c.eq_ignore_ascii_case(want))
            .cloned()
            .ok_or_else(|| t.unknown_column(want))
    };
    let var = t.factor(&column("var")?)?;
    let n = t.numeric(&column("n")?)?;
    // the figure columns mar1, mar2, … present, by number
    let mut mars: Vec<(usize, Vec<Option<f64>>)> = Vec::new();
    for c in &names {
        let lower = c.to_ascii_lowercase();
        if let Some(j) = lower.strip_prefix("mar").and_then(|d| d.parse::<usize>().ok()) {
            mars.push((j, t.numeric_opt(c)?));
        }
    }
    mars.sort_by_key(|m| m.0);
    let mut out = Vec::new();
    for (row, (&code, &k)) in var.codes.iter().zip(&n).enumerate() {
        let name = match code {
            Factor::MISSING => {
                return Err(Error::data(t.source(), format!("row {}: `var` is empty", row + 1)));
            }
            c => var.levels[c as usize].clone(),
        };
        out.push(calmar_row(&t, row, name, k, &mars)?);
    }
    Ok(out)
}

/// One row of a CALMAR table: `n` checked against the figures given.
fn calmar_row(
    t: &Table,
    row: usize,
    name: String,
    k: f64,
    mars: &[(usize, Vec<Option<f64>>)],
) -> Result<MarginSpec> {
    let key = format!("margins_table row {} ({name})", row + 1);
    let bad = |msg: String| Error::data(t.source(), format!("{key}: {msg}"));
    if k.fract() != 0.0 || k < 0.0 {
        return Err(bad(format!(
            "`n` must be 0 (numeric variable) or a count of categories, got {k}"
        )));
    }
    let wanted = (k as usize).max(1);
    let figure = |j: usize| mars.iter().find(|m| m.0 == j).and_then(|m| m.1[row]);
    if let Some(j) = (1..=wanted).find(|&j| !mars.iter().any(|m| m.0 == j)) {
        return Err(bad(format!(
            "n = {k} but the table has no column `mar{j}`: give the {wanted} figure(s) in \
             mar1..mar{wanted}, or correct `n`"
        )));
    }
    if let Some(j) = (1..=wanted).find(|&j| figure(j).is_none()) {
        return Err(bad(format!("n = {k} but `mar{j}` is empty: give its figure or correct `n`")));
    }
    if let Some((j, _)) = mars.iter().find(|m| m.0 > wanted && m.1[row].is_some()) {
        let what = if k == 0.0 {
            "a numeric variable (n = 0) takes its total in mar1 only"
        } else {
            "the count leaves it out"
        };
        return Err(bad(format!(
            "n = {k} but `mar{j}` holds a figure ({what}): set `n` to the number of \
             categories or empty mar{j}"
        )));
    }
    if let Some(j) = (1..=wanted).find(|&j| k > 0.0 && figure(j).is_some_and(|x| x < 0.0)) {
        return Err(bad(format!("`mar{j}` is negative: a category's total is a count >= 0")));
    }
    let figure = |j: usize| figure(j).unwrap_or(f64::NAN);
    if k == 0.0 {
        return Ok(MarginSpec::Numeric { key, variable: name, total: figure(1) });
    }
    let figures = (1..=wanted).map(|j| (j.to_string(), figure(j))).collect();
    Ok(MarginSpec::Categorical {
        key,
        variables: vec![name],
        figures,
        kind: Figures::Totals,
        groups: Vec::new(),
    })
}

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

fn column_issue(table: &Table, key: &str, name: &str) -> ConfigProblem {
    let names = table.column_names();
    let hint = suggest(name, names.iter().map(String::as_str))
        .map(|s| format!("did you mean `{s}`?"))
        .unwrap_or_else(|| format!("the columns are: {}", names.join(", ")));
    ConfigProblem::new(key, format!("no column `{name}` in the data")).hint(hint)
}

/// One margin from its spec; `total` scales percentages.
fn build_one(
    total: Option<f64>,
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
                .map_err(|e| vec![ConfigProblem::new(key.as_str(), e.to_string())])?;
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
                .map_err(|(k, e)| vec![ConfigProblem::new(format!("{key}{k}"), e)])?;
            let scale = match kind {
                Figures::Totals => 1.0,
                Figures::Percentages => total.unwrap_or(0.0) / 100.0,
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
    if !bad {
        return Ok(());
    }
    let sign = if all_nonneg { "positive or 0" } else { "negative or 0" };
    Err(vec![
        ConfigProblem::new(
            format!("{key}.total"),
            format!(
                "margin `{variable}`: every value among the rows of positive weight is {sign}, \
                 so its population total cannot be {total}"
            ),
        )
        .hint("check the total (its sign, its unit) or the column"),
    ])
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
    let n_levels = factor.levels.len();
    let mut present = vec![false; n_levels];
    for (c, w) in factor.codes.iter().zip(weights) {
        if *c != Factor::MISSING && *w > 0.0 {
            present[*c as usize] = true;
        }
    }
    let mut issues = Vec::new();
    let mut targets = vec![0.0; n_levels];
    let mut given = vec![false; n_levels];
    for (label, fig) in figures {
        match factor.level_index(label) {
            Some(i) => {
                targets[i as usize] = fig * scale;
                given[i as usize] = true;
            }
            None => issues.push(unknown_category(key, name, label, &factor)),
        }
    }
    for (i, level) in factor.levels.iter().enumerate() {
        if present[i] && !given[i] {
            issues.push(
                ConfigProblem::new(
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
    Ok(Margin::Categorical { name: name.to_string(), factor, targets })
}

/// A margin category `label` that no sample unit has.
fn unknown_category(key: &str, name: &str, label: &str, factor: &Factor) -> ConfigProblem {
    let hint = suggest(label, factor.levels.iter().map(String::as_str))
        .map(|s| format!("did you mean `{s}`?"))
        .unwrap_or_else(|| format!("the data has: {}", factor.levels.join(", ")));
    ConfigProblem::new(
        key,
        format!(
            "margin `{name}`: category `{label}` has no sample unit in the data (it cannot be \
             calibrated)"
        ),
    )
    .hint(format!("{hint}; or merge it with a neighbouring category"))
}

/// The starting weights of `column`: numeric, finite and ≥ 0 (0 = passes through with
/// weight 0). `role` names the column in messages (`weight column`).
///
/// # Errors
/// [`Error::Data`]: no such column, a non-numeric column, a negative or non-finite weight.
pub fn input_weights(table: &Table, column: &str, role: &str) -> Result<Vec<f64>> {
    let d = table.numeric(column).map_err(|e| match e {
        Error::Data { file, message } => {
            Error::Data { file, message: format!("{role}: {message}") }
        }
        other => other,
    })?;
    if let Some(bad) = check_weights(&d) {
        return Err(Error::data(
            table.source(),
            format!(
                "{role} `{column}` has {} negative or non-finite value(s) ({}, e.g. {}); \
                 weights must be >= 0 (0 for non-respondents and ineligibles)",
                bad.rows.len(),
                rows_list(&bad.rows),
                bad.first_value
            ),
        ));
    }
    Ok(d)
}

/// Where the replicate weights calibrated with the main weights come from.
#[derive(Debug, Clone, Copy)]
pub enum Replicates<'a> {
    /// The columns of the table matching the config's `replicates:` glob (none without it).
    Columns,
    /// Given starting weights, one vector per replicate (the pipeline's previous step).
    Given(&'a [Vec<f64>]),
}

/// What [`run`] produced.
#[derive(Debug)]
pub struct Outcome {
    /// The validated problem (its input weights d: [`Problem::weights`]).
    pub problem: Problem,
    /// The calibration of d.
    pub calibration: Calibration,
    /// The calibrated replicates, in order.
    pub replicates: Vec<Calibration>,
    /// The replicate columns they come from ([`Replicates::Columns`]; empty otherwise).
    pub replicate_columns: Vec<String>,
    /// The population total the margins used (after any replacement).
    pub population_total: Option<f64>,
    /// Wall-clock seconds of each phase.
    pub timings: StepTimings,
}

/// Wall-clock seconds of the phases of [`run`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StepTimings {
    /// Coding the margin columns into factors and matching their categories to the
    /// figures (numeric margins read as `f64`).
    pub margins: f64,
    /// The problem's checks ([`Problem::new`]: weights, codes, missing values, categories
    /// present, totals).
    pub checks: f64,
    /// Collapsing the rows into cells (0 when the solve runs on the rows).
    pub cells: f64,
    /// The solve of the main weights: the kernel, mapping g back to the rows and the
    /// solver's report (what a raking kernel on ready codes does).
    pub solve: f64,
    /// Reading the replicate columns and calibrating each replicate (0 without replicates).
    pub replicates: f64,
}

impl Outcome {
    /// Per replicate column: its report (for the calibration report).
    pub fn replicate_reports(&self) -> Vec<(String, Report)> {
        let names = self.replicate_columns.iter();
        names.zip(&self.replicates).map(|(c, r)| (c.clone(), r.report.clone())).collect()
    }
}

/// The calibration step: the margins of `cfg` on `table` (with `population_total`, when
/// given, replacing the config's), the problem with input weights `d`, its solve, then the
/// same calibration of each replicate from its own starting weights.
///
/// # Errors
/// Margins that do not match the data ([`Error::Config`]); the problem's checks; no
/// convergence ([`Error::NotConverged`]) or margins out of reach ([`Error::Infeasible`]),
/// for a replicate prefixed by `replicate r: `; replicate columns missing or with bad
/// weights.
pub fn run(
    cfg: &CalibrationConfig,
    table: &Table,
    d: Vec<f64>,
    replicates: Replicates<'_>,
    population_total: Option<f64>,
) -> Result<Outcome> {
    let population_total = population_total.or(cfg.population_total);
    let t0 = Instant::now();
    let margins = margins_with_total(cfg, population_total, table, &d)?;
    let t1 = Instant::now();
    let problem = Problem::new(d, margins)?;
    let checks = t1.elapsed().as_secs_f64();
    let (cal, solve) = calibration::calibrate_timed(&problem, &cfg.options)?;
    let t2 = Instant::now();
    let (replicate_columns, starts) = match replicates {
        Replicates::Given(w) => (Vec::new(), Cow::Borrowed(w)),
        Replicates::Columns => {
            let (names, w) = replicate_weights(cfg, table)?;
            (names, Cow::Owned(w))
        }
    };
    let replicates = if starts.is_empty() {
        Vec::new()
    } else {
        calibration::calibrate_replicates(&problem, &starts, &cfg.options)?
    };
    let timings = StepTimings {
        margins: (t1 - t0).as_secs_f64(),
        checks,
        cells: solve.cells,
        solve: solve.solve,
        replicates: t2.elapsed().as_secs_f64(),
    };
    Ok(Outcome {
        problem,
        calibration: cal,
        replicates,
        replicate_columns,
        population_total,
        timings,
    })
}

/// The columns matching `replicates:` and their weights (checked as input weights).
fn replicate_weights(
    cfg: &CalibrationConfig,
    table: &Table,
) -> Result<(Vec<String>, Vec<Vec<f64>>)> {
    let Some(pattern) = &cfg.replicates else { return Ok((Vec::new(), Vec::new())) };
    let columns = super::replicate_columns(&cfg.source, table, pattern)?;
    let role = format!("replicate column (matched by `replicates: \"{pattern}\"` in {})", cfg.file);
    // read in parallel (each column's fresh pages faulted in by its own thread); the first
    // bad column in order is reported
    let starts: Vec<Result<Vec<f64>>> =
        columns.par_iter().map(|c| input_weights(table, c, &role)).collect();
    let starts = starts.into_iter().collect::<Result<_>>()?;
    Ok((columns, starts))
}
