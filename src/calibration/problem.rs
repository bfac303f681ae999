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

use super::columns::{CHUNK, Columns};
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
        // one parallel pass over the rows gathers what every check below needs; the checks
        // then run in their documented order, so the first problem reported is the same
        let facts = RowFacts::scan(&margins, &weights);
        for (m, f) in margins.iter().zip(&facts.margins) {
            check_margin_shape(m, n, f)?;
        }
        let mut problem = layout(weights, margins)?;
        problem.harmonize_totals()?;
        problem.check_with(&facts, &problem.weights, "input weights")?;
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
        self.check_with(&RowFacts::scan(&self.margins, d), d, what)
    }

    /// [`Self::check_weights`] from the facts of a scan of `d` over these margins.
    fn check_with(&self, facts: &RowFacts, d: &[f64], what: &str) -> Result<()> {
        if facts.bad_weight
            && let Some(bad) = check_weights(d)
        {
            return Err(fail(bad.describe(what)));
        }
        for (m, f) in self.margins.iter().zip(&facts.margins) {
            if let Some((first, count)) = f.missing {
                return Err(missing_error(m.name(), first, count));
            }
            if let Margin::Categorical { name, factor, targets } = m {
                check_levels_present(name, factor, targets, &f.present)?;
            }
        }
        if !facts.positive {
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

/// What the checks need from the rows, gathered in one pass (rows cut into fixed chunks
/// scanned in parallel and merged in chunk order, so "first row" is the first in the file
/// whatever the thread count).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RowFacts {
    /// Some weight is negative or not finite.
    bad_weight: bool,
    /// Some weight is > 0.
    positive: bool,
    /// Per margin, in order.
    margins: Vec<MarginFacts>,
}

/// What the checks need from one margin's column (default for a column whose length is
/// not the number of weights: its shape check fails first).
#[derive(Debug, Clone, Default, PartialEq)]
struct MarginFacts {
    /// First row whose code is neither missing nor a level (categorical).
    out_of_range: Option<usize>,
    /// (first row, count) of rows of positive weight with a missing value.
    missing: Option<(usize, usize)>,
    /// Levels held by a row of positive weight (categorical).
    present: Vec<bool>,
}

impl RowFacts {
    /// Scans the weights `d` and every margin column of length `d.len()`.
    pub(crate) fn scan(margins: &[Margin], d: &[f64]) -> RowFacts {
        let n = d.len();
        let empty = || RowFacts {
            bad_weight: false,
            positive: false,
            margins: margins
                .iter()
                .map(|m| MarginFacts {
                    present: match m {
                        Margin::Categorical { factor, .. } => vec![false; factor.levels.len()],
                        _ => Vec::new(),
                    },
                    ..MarginFacts::default()
                })
                .collect(),
        };
        let parts: Vec<RowFacts> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let mut f = empty();
                f.add_rows(margins, d, c * CHUNK, ((c + 1) * CHUNK).min(n));
                f
            })
            .collect();
        let mut acc = empty();
        for part in parts {
            acc.bad_weight |= part.bad_weight;
            acc.positive |= part.positive;
            for (a, p) in acc.margins.iter_mut().zip(part.margins) {
                a.out_of_range = a.out_of_range.or(p.out_of_range);
                a.missing = match (a.missing, p.missing) {
                    (Some((f, c)), Some((_, pc))) => Some((f, c + pc)),
                    (a, p) => a.or(p),
                };
                a.present.iter_mut().zip(p.present).for_each(|(a, p)| *a |= p);
            }
        }
        acc
    }

    /// Facts of rows `lo..hi` (column by column: one sequential read of each).
    fn add_rows(&mut self, margins: &[Margin], d: &[f64], lo: usize, hi: usize) {
        let dw = &d[lo..hi];
        self.bad_weight = dw.iter().any(|w| !(w.is_finite() && *w >= 0.0));
        self.positive = dw.iter().any(|&w| w > 0.0);
        for (m, f) in margins.iter().zip(&mut self.margins) {
            let mut missing = |k: usize| {
                let e = f.missing.get_or_insert((k, 0));
                e.1 += 1;
            };
            match m {
                Margin::Categorical { factor, .. } if factor.codes.len() == d.len() => {
                    let levels = factor.levels.len();
                    for (i, (&c, &w)) in factor.codes[lo..hi].iter().zip(dw).enumerate() {
                        if (c as usize) < levels {
                            if w > 0.0 {
                                f.present[c as usize] = true;
                            }
                        } else if c != Factor::MISSING {
                            f.out_of_range.get_or_insert(lo + i);
                        } else if w > 0.0 {
                            missing(lo + i);
                        }
                    }
                }
                Margin::Numeric { values, .. } if values.len() == d.len() => {
                    for (i, (v, &w)) in values[lo..hi].iter().zip(dw).enumerate() {
                        if w > 0.0 && !v.is_finite() {
                            missing(lo + i);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

fn check_margin_shape(m: &Margin, n: usize, facts: &MarginFacts) -> Result<()> {
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
            if let Some(k) = facts.out_of_range {
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

fn missing_error(name: &str, first: usize, count: usize) -> Error {
    fail(format!(
        "calibration variable `{name}` is missing on {count} row(s) with positive weight \
         (first at row {}): impute it, or give those rows weight 0 before calibration",
        first + 1
    ))
}

/// No level with a positive target lacks a row of positive weight (`present`).
fn check_levels_present(
    name: &str,
    factor: &Factor,
    targets: &[f64],
    present: &[bool],
) -> Result<()> {
    let levels = &factor.levels;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(name: &str, codes: Vec<u32>, levels: usize) -> Margin {
        // every margin sums to 12
        let targets = vec![12.0 / levels as f64; levels];
        let levels = (0..levels).map(|l| l.to_string()).collect();
        Margin::Categorical { name: name.into(), factor: Factor { codes, levels }, targets }
    }

    fn err(r: Result<Problem>) -> String {
        r.expect_err("an error").to_string()
    }

    /// Rows across several scan chunks: the first offending row, the count and the order of
    /// the checks do not depend on the chunks or the thread count.
    #[test]
    fn row_facts_name_the_first_row_whatever_the_threads() {
        let n = 3 * CHUNK + 17;
        let d: Vec<f64> = (0..n).map(|k| if k % 5 == 0 { 0.0 } else { 2.0 }).collect();
        let codes = |l: u32| (0..n as u32).map(|k| k % l).collect::<Vec<u32>>();
        let mut a = codes(3);
        let mut b = codes(4);
        // missing on rows of weight 0 (allowed), then on rows of positive weight in the
        // second and fourth chunks
        a[CHUNK + 5] = Factor::MISSING;
        b[2 * CHUNK + 1] = Factor::MISSING;
        b[CHUNK + 11] = Factor::MISSING;
        b[3 * CHUNK + 3] = Factor::MISSING;
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let margins = vec![cat("a", a.clone(), 3), cat("b", b.clone(), 4)];
            let m = pool.install(|| err(Problem::new(d.clone(), margins)));
            assert!(m.contains("`a` is missing on 1 row(s)"), "{m}");
            assert!(m.contains(&format!("first at row {}", CHUNK + 6)), "{m}");
            let margins = vec![cat("a", codes(3), 3), cat("b", b.clone(), 4)];
            let m = pool.install(|| err(Problem::new(d.clone(), margins)));
            assert!(m.contains("`b` is missing on 3 row(s)"), "{m}");
            assert!(m.contains(&format!("first at row {}", CHUNK + 12)), "{m}");
            // a code out of range (margin a, last chunk) is reported before a column of the
            // wrong length (margin b) and before any missing value
            let mut bad = codes(3);
            bad[3 * CHUNK + 9] = 7;
            bad[CHUNK + 5] = Factor::MISSING;
            let margins = vec![cat("a", bad, 3), cat("b", vec![0; 4], 4)];
            let m = pool.install(|| err(Problem::new(d.clone(), margins)));
            assert!(m.contains(&format!("code 7 at row {}", 3 * CHUNK + 10)), "{m}");
        }
    }

    #[test]
    fn row_facts_levels_and_weights() {
        let n = 2 * CHUNK + 1;
        // level 2 only on rows of weight 0
        let codes: Vec<u32> = (0..n as u32).map(|k| k % 3).collect();
        let d: Vec<f64> = codes.iter().map(|&c| if c == 2 { 0.0 } else { 1.0 }).collect();
        let m = err(Problem::new(d.clone(), vec![cat("a", codes.clone(), 3)]));
        assert!(m.contains("categor") && m.contains("`2`") && m.contains("no sample unit"), "{m}");
        let mut bad = d.clone();
        bad[CHUNK + 4] = -1.0;
        bad[2 * CHUNK] = f64::NAN;
        let m = err(Problem::new(bad, vec![cat("a", codes.clone(), 3)]));
        assert!(m.contains("2 weight(s)") && m.contains(&format!("{}", CHUNK + 5)), "{m}");
        let zero = vec![0.0; n];
        let m = err(Problem::new(zero, vec![cat("a", codes, 3)]));
        assert!(
            m.contains("no sample unit"),
            "levels are checked before the all-zero weights: {m}"
        );
        let facts = RowFacts::scan(&[cat("a", vec![0, 1, 2], 3)], &[0.0, 0.0, 0.0]);
        assert!(!facts.positive && !facts.bad_weight);
    }
}
