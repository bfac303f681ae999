//! A validated calibration problem: input weights, margins, and the parameter layout.
//!
//! Parameters (Lagrange multipliers) are laid out with one per category of every categorical
//! margin (full dummy sets: collinear when there are several, handled by the rank-revealing
//! solve), then one per numeric margin, then one for the population total. A unit's
//! constraint vector x_k is therefore sparse: one dummy per categorical margin, its numeric
//! values, and 1 for the total.

use crate::tolerance as tol;
use std::borrow::Cow;

use rayon::prelude::*;
use serde::Serialize;

use super::columns::Columns;
use super::margin::Margin;
use crate::data::{Factor, check_weights};
use crate::{Error, Result};

/// What a parameter (one calibration constraint) refers to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Param {
    /// Index into the margins.
    pub margin: usize,
    /// Level index for categorical margins.
    pub level: Option<usize>,
}

/// A categorical margin rescaled to the common population total (rounding in the inputs).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetAdjustment {
    /// Margin name.
    pub margin: String,
    /// Sum of its targets as given.
    pub given_total: f64,
    /// Common total it was rescaled to.
    pub common_total: f64,
    /// Factor applied to every target of the margin.
    pub factor: f64,
}

/// A validated calibration problem.
#[derive(Debug, Clone)]
pub struct Problem {
    pub(crate) weights: Vec<f64>,
    pub(crate) margins: Vec<Margin>,
    pub(crate) params: Vec<Param>,
    /// Offset of the first parameter of each margin.
    pub(crate) offsets: Vec<usize>,
    /// Targets X, one per parameter.
    pub(crate) targets: Vec<f64>,
    pub(crate) adjustments: Vec<TargetAdjustment>,
}

/// Dense model matrix of the calibration (for GREG residuals in variance estimation).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelColumns {
    /// Column names: `margin=level` for dummies, the variable for numeric margins,
    /// `(population total)` for the intercept.
    pub names: Vec<String>,
    /// One column per name, one value per row (0 where a code is missing).
    pub columns: Vec<Vec<f64>>,
}

fn fail(msg: String) -> Error {
    Error::method("calibration", msg)
}

impl Problem {
    /// Validates the margins and the input weights.
    ///
    /// # Errors
    /// Column lengths differ from the number of weights; a weight is negative, NaN or
    /// infinite; a categorical margin has a code out of range, a negative/non-finite target,
    /// or a level with positive target but no unit of positive weight; a calibration value is
    /// missing ([`Factor::MISSING`] / NaN / ±∞) on a row of positive weight; categorical margins (and
    /// `Total`) disagree on the population total by more than [`tol::MARGIN_TOTAL_RTOL`]; two
    /// `Total` margins; no margin.
    pub fn new(weights: Vec<f64>, margins: Vec<Margin>) -> Result<Problem> {
        if margins.is_empty() {
            return Err(fail("no margin given: add at least one margin to calibrate on".into()));
        }
        let n = weights.len();
        for m in &margins {
            check_margin_shape(m, n)?;
        }
        let mut problem = layout(weights, margins)?;
        problem.harmonize_totals()?;
        problem.check_weights(&problem.weights, "input weights")?;
        Ok(problem)
    }

    /// Same margins, other input weights (e.g. a replicate weight column), re-validated.
    ///
    /// # Errors
    /// As the weight checks of [`Problem::new`].
    pub fn with_weights(&self, weights: Vec<f64>) -> Result<Problem> {
        if weights.len() != self.weights.len() {
            return Err(fail(format!(
                "the new weight column has {} rows, the margins {}",
                weights.len(),
                self.weights.len()
            )));
        }
        self.check_weights(&weights, "input weights")?;
        Ok(Problem { weights, ..self.clone() })
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.weights.len()
    }

    /// Input (design) weights d.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// The margins, with categorical targets after harmonisation.
    pub fn margins(&self) -> &[Margin] {
        &self.margins
    }

    /// Number of calibration constraints (full dummy sets).
    pub fn n_params(&self) -> usize {
        self.params.len()
    }

    /// Whether every margin is categorical or `Total` (the cell-collapsed solve applies).
    pub fn all_categorical(&self) -> bool {
        !self.margins.iter().any(|m| matches!(m, Margin::Numeric { .. }))
    }

    /// Margin rescalings applied by [`Problem::new`].
    pub fn target_adjustments(&self) -> &[TargetAdjustment] {
        &self.adjustments
    }

    /// Label of parameter `j` (`margin=level`, the numeric variable, or the total).
    pub fn param_label(&self, j: usize) -> String {
        let p = &self.params[j];
        match &self.margins[p.margin] {
            Margin::Categorical { name, factor, .. } => {
                format!("{name}={}", factor.levels[p.level.unwrap_or(0)])
            }
            m => m.name().to_string(),
        }
    }

    /// The calibration model matrix as dense columns: full dummies of every categorical
    /// margin, numeric margins, and an intercept when a `Total` margin is present. The
    /// dummies are collinear with several categorical margins: use a rank-revealing
    /// least-squares fit (as the calibration solve does) for GREG residuals.
    pub fn model_columns(&self) -> ModelColumns {
        let n = self.n_rows();
        let mut names = Vec::with_capacity(self.n_params());
        let mut columns = Vec::with_capacity(self.n_params());
        for j in 0..self.n_params() {
            names.push(self.param_label(j));
            let p = &self.params[j];
            columns.push(match &self.margins[p.margin] {
                Margin::Categorical { factor, .. } => {
                    let lev = p.level.unwrap_or(0) as u32;
                    factor.codes.iter().map(|&c| if c == lev { 1.0 } else { 0.0 }).collect()
                }
                Margin::Numeric { values, .. } => {
                    values.iter().map(|v| if v.is_finite() { *v } else { 0.0 }).collect()
                }
                Margin::Total { .. } => vec![1.0; n],
            });
        }
        ModelColumns { names, columns }
    }

    /// Row-level view with weights `d`.
    pub(crate) fn columns<'a>(&'a self, d: &'a [f64]) -> Columns<'a> {
        let mut cats = Vec::new();
        let mut nums = Vec::new();
        let mut intercept = None;
        for (m, off) in self.margins.iter().zip(&self.offsets) {
            match m {
                Margin::Categorical { factor, .. } => {
                    cats.push((*off, Cow::Borrowed(&factor.codes[..])))
                }
                Margin::Numeric { values, .. } => nums.push((*off, Cow::Borrowed(&values[..]))),
                Margin::Total { .. } => intercept = Some(*off),
            }
        }
        Columns { d: Cow::Borrowed(d), cats, nums, intercept, p: self.n_params(), stats: None }
    }

    /// Rescales categorical margins to a common total (see [`tol::MARGIN_TOTAL_RTOL`]).
    fn harmonize_totals(&mut self) -> Result<()> {
        let mut sums: Vec<(usize, f64)> = Vec::new();
        let mut total = None;
        for (i, m) in self.margins.iter().enumerate() {
            match m {
                Margin::Categorical { targets, .. } => sums.push((i, targets.iter().sum())),
                Margin::Total { target } => total = Some(*target),
                Margin::Numeric { .. } => {}
            }
        }
        let Some(common) = total.or(sums.first().map(|s| s.1)) else { return Ok(()) };
        let off: Vec<_> = sums
            .iter()
            .filter(|(_, s)| {
                (s - common).abs() > tol::MARGIN_TOTAL_RTOL * common.abs().max(s.abs())
            })
            .collect();
        if !off.is_empty() {
            let mut lines: Vec<String> = sums
                .iter()
                .map(|(i, s)| format!("`{}` sums to {s}", self.margins[*i].name()))
                .collect();
            if let Some(t) = total {
                lines.push(format!("`population_total` is {t}"));
            }
            return Err(fail(format!(
                "the margins disagree on the population size: {} (relative tolerance {:e}); \
                 fix the totals so every categorical margin sums to the same N, or give \
                 `percentages` with a `population_total`",
                lines.join(", "),
                tol::MARGIN_TOTAL_RTOL
            )));
        }
        for (i, s) in sums {
            if s != common && s != 0.0 {
                let factor = common / s;
                if let Margin::Categorical { name, targets, .. } = &mut self.margins[i] {
                    targets.iter_mut().for_each(|t| *t *= factor);
                    self.adjustments.push(TargetAdjustment {
                        margin: name.clone(),
                        given_total: s,
                        common_total: common,
                        factor,
                    });
                }
            }
        }
        self.targets = targets_of(&self.margins);
        Ok(())
    }

    /// Weight-dependent checks: weights valid, no missing calibration value on a row of
    /// positive weight, no level with positive target and no unit of positive weight.
    pub(crate) fn check_weights(&self, d: &[f64], what: &str) -> Result<()> {
        if let Some(bad) = check_weights(d) {
            return Err(fail(bad.describe(what)));
        }
        // margins are checked in parallel; the first failing one in order is reported
        let checks: Vec<Result<()>> = self
            .margins
            .par_iter()
            .map(|m| match m {
                Margin::Categorical { name, factor, targets } => {
                    check_missing(name, d, |k| factor.codes[k] == Factor::MISSING)?;
                    check_levels_present(name, factor, targets, d)
                }
                Margin::Numeric { name, values, .. } => {
                    check_missing(name, d, |k| !values[k].is_finite())
                }
                Margin::Total { .. } => Ok(()),
            })
            .collect();
        checks.into_iter().collect::<Result<()>>()?;
        if d.iter().all(|&w| w == 0.0) {
            return Err(fail(format!("{what}: every weight is 0, there is nothing to calibrate")));
        }
        Ok(())
    }
}

fn targets_of(margins: &[Margin]) -> Vec<f64> {
    let mut t = Vec::new();
    for kind in 0..3 {
        for m in margins {
            match (kind, m) {
                (0, Margin::Categorical { targets, .. }) => t.extend_from_slice(targets),
                (1, Margin::Numeric { target, .. }) | (2, Margin::Total { target }) => {
                    t.push(*target)
                }
                _ => {}
            }
        }
    }
    t
}

/// Assigns parameter offsets: categorical margins first, then numeric, then the total, so a
/// unit's nonzero entries come in increasing parameter order (the Jacobian accumulation
/// relies on it).
fn layout(weights: Vec<f64>, margins: Vec<Margin>) -> Result<Problem> {
    let mut offsets = vec![0; margins.len()];
    let mut params = Vec::new();
    if margins.iter().filter(|m| matches!(m, Margin::Total { .. })).count() > 1 {
        return Err(fail("two population-total constraints given: keep one".into()));
    }
    for kind in 0..3 {
        for (i, m) in margins.iter().enumerate() {
            let this = matches!(
                (kind, m),
                (0, Margin::Categorical { .. })
                    | (1, Margin::Numeric { .. })
                    | (2, Margin::Total { .. })
            );
            if this {
                offsets[i] = params.len();
                match m {
                    Margin::Categorical { factor, .. } => params.extend(
                        (0..factor.levels.len()).map(|l| Param { margin: i, level: Some(l) }),
                    ),
                    _ => params.push(Param { margin: i, level: None }),
                }
            }
        }
    }
    let targets = targets_of(&margins);
    Ok(Problem { weights, margins, params, offsets, targets, adjustments: Vec::new() })
}

fn check_margin_shape(m: &Margin, n: usize) -> Result<()> {
    match m {
        Margin::Categorical { name, factor: Factor { codes, levels }, targets } => {
            if codes.len() != n {
                return Err(fail(format!("margin `{name}` has {} rows, weights {n}", codes.len())));
            }
            if levels.is_empty() || levels.len() != targets.len() {
                return Err(fail(format!(
                    "margin `{name}` has {} levels and {} targets: give one target per category",
                    levels.len(),
                    targets.len()
                )));
            }
            if let Some(k) =
                codes.iter().position(|&c| c != Factor::MISSING && c as usize >= levels.len())
            {
                return Err(Error::Internal(format!(
                    "margin `{name}`: code {} at row {} is out of range ({} levels)",
                    codes[k],
                    k + 1,
                    levels.len()
                )));
            }
            if let Some(l) = targets.iter().position(|t| !(t.is_finite() && *t >= 0.0)) {
                return Err(fail(format!(
                    "margin `{name}`, category `{}`: target {} must be a finite count >= 0",
                    levels[l],
                    super::diagnose::figure(targets[l])
                )));
            }
        }
        Margin::Numeric { name, values, target } => {
            if values.len() != n {
                return Err(fail(format!(
                    "margin `{name}` has {} rows, weights {n}",
                    values.len()
                )));
            }
            if !target.is_finite() {
                return Err(fail(format!("margin `{name}`: total {target} must be finite")));
            }
        }
        Margin::Total { target } => {
            if !(target.is_finite() && *target > 0.0) {
                return Err(fail(format!("population total {target} must be finite and > 0")));
            }
        }
    }
    Ok(())
}

fn check_missing(name: &str, d: &[f64], missing: impl Fn(usize) -> bool) -> Result<()> {
    let mut first = None;
    let mut count = 0usize;
    for (k, &w) in d.iter().enumerate() {
        if w > 0.0 && missing(k) {
            first.get_or_insert(k);
            count += 1;
        }
    }
    match first {
        None => Ok(()),
        Some(k) => Err(fail(format!(
            "calibration variable `{name}` is missing on {count} row(s) with positive weight \
             (first at row {}): impute it, or give those rows weight 0 before calibration",
            k + 1
        ))),
    }
}

fn check_levels_present(name: &str, factor: &Factor, targets: &[f64], d: &[f64]) -> Result<()> {
    let Factor { codes, levels } = factor;
    let mut present = vec![false; levels.len()];
    for (&c, &w) in codes.iter().zip(d) {
        if w > 0.0 && (c as usize) < present.len() {
            present[c as usize] = true;
        }
    }
    let empty: Vec<&str> = (0..levels.len())
        .filter(|&l| !present[l] && targets[l] > 0.0)
        .map(|l| levels[l].as_str())
        .collect();
    if empty.is_empty() {
        return Ok(());
    }
    Err(fail(format!(
        "margin `{name}`: categor{} `{}` {} a positive population target but no sample unit \
         with positive weight: merge {} with a neighbouring category in the margin and the data",
        if empty.len() == 1 { "y" } else { "ies" },
        empty.join("`, `"),
        if empty.len() == 1 { "has" } else { "have" },
        if empty.len() == 1 { "it" } else { "them" },
    )))
}
