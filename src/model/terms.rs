//! The model matrix: intercept, numeric slopes, factor dummies, two-way interactions, with
//! R-like column labels (`(Intercept)`, `income`, `diploma=bac+2`, `sex=F:age_group=18-29`).
//!
//! Factor terms get one 0/1 column per non-reference level; the levels are those present
//! among the rows of the fit (R drops unused levels of a subset), the reference is the first
//! of them in sorted order unless given. An interaction `a × b` holds the products of the
//! columns of `a` and `b`, `a`'s columns varying fastest (R's order for `a:b`).

use std::ops::Range;

use crate::data::Factor;
use crate::data::weights::row_list;
use crate::error::{Error, Result};

use super::STEP;
use super::family::Family;

/// A data column for a model.
#[derive(Debug, Clone, Copy)]
pub enum Column<'a> {
    /// Numeric values (`NaN` = missing).
    Numeric(&'a [f64]),
    /// Categorical values.
    Factor(&'a Factor),
}

/// A named data column.
#[derive(Debug, Clone, Copy)]
pub struct Variable<'a> {
    /// Column name, used in labels and messages.
    pub name: &'a str,
    /// Values.
    pub column: Column<'a>,
}

impl Column<'_> {
    fn is_missing(&self, k: usize) -> bool {
        match self {
            Column::Numeric(v) => !v[k].is_finite(),
            Column::Factor(f) => f.codes[k] == Factor::MISSING,
        }
    }

    fn len(&self) -> usize {
        match self {
            Column::Numeric(v) => v.len(),
            Column::Factor(f) => f.len(),
        }
    }
}

/// What to do with a row of the domain with a missing response or term: the estimates'
/// policy (`Fail` names the column and row; `Drop` takes the row out of the domain, R's
/// `na.omit`).
pub use crate::estimate::MissingPolicy as Missing;

/// A model declaration on plain columns.
#[derive(Debug, Clone)]
pub struct ModelSpec<'a> {
    /// Family (and its canonical link).
    pub family: Family,
    /// Response: numeric, or a factor with `category` (1 if equal, else 0).
    pub response: Variable<'a>,
    /// Category of a factor response counted as 1.
    pub category: Option<&'a str>,
    /// Main terms: numeric → slope, factor → dummies.
    pub terms: Vec<Variable<'a>>,
    /// Two-way interactions, by term names (both must be main terms).
    pub interactions: Vec<(&'a str, &'a str)>,
    /// Reference levels `(term, level)`; default: first level in sorted order.
    pub reference: Vec<(&'a str, &'a str)>,
    /// Domain indicator (`None` = every row).
    pub domain: Option<&'a [bool]>,
    /// Missing-value policy.
    pub missing: Missing,
}

impl<'a> ModelSpec<'a> {
    /// A model of `response` on the main effects `terms`: no category, interaction,
    /// reference level or domain, and `missing: fail` (set the fields to change them).
    pub fn new(family: Family, response: Variable<'a>, terms: Vec<Variable<'a>>) -> Self {
        ModelSpec {
            family,
            response,
            category: None,
            terms,
            interactions: vec![],
            reference: vec![],
            domain: None,
            missing: Missing::Fail,
        }
    }
}

/// The columns of one term in the model matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct TermColumns {
    /// Term name: the variable, or `a:b` for an interaction.
    pub name: String,
    /// Its columns.
    pub columns: Range<usize>,
}

/// Levels of a factor term among the fit rows: index of each code (`None` = unused).
#[derive(Debug, Clone)]
pub(crate) struct FactorLevels {
    pub(crate) term: usize,
    pub(crate) levels: Vec<String>,
    pub(crate) of_code: Vec<Option<usize>>,
}

/// Model matrix, column-major, plus response and fit rows.
#[derive(Debug, Clone)]
pub struct ModelMatrix {
    /// Number of rows (the whole sample).
    pub n: usize,
    /// Column labels.
    pub names: Vec<String>,
    /// Values, column j at `x[j n .. (j + 1) n]`; 0 on rows outside the fit.
    pub x: Vec<f64>,
    /// Columns of each term (the intercept is not a term).
    pub terms: Vec<TermColumns>,
    /// Rows in the fit: domain and complete.
    pub rows: Vec<bool>,
    /// Response (0 outside the fit).
    pub y: Vec<f64>,
    pub(crate) factors: Vec<FactorLevels>,
}

fn cell_error(column: &str, k: usize, message: String) -> Error {
    Error::Cell { file: STEP.to_string(), column: column.to_string(), row: Some(k + 1), message }
}

/// 0/1 indicator of `category` (`NaN` where the factor is missing).
///
/// # Errors
/// `category` is not a level of the factor.
pub fn indicator(name: &str, f: &Factor, category: &str) -> Result<Vec<f64>> {
    let c = f.level_index(category).ok_or_else(|| {
        Error::method(
            STEP,
            format!("`{name}` has no category `{category}` (categories: {})", f.levels.join(", ")),
        )
    })?;
    Ok(f.codes
        .iter()
        .map(|&k| if k == Factor::MISSING { f64::NAN } else { f64::from(u8::from(k == c)) })
        .collect())
}

impl ModelMatrix {
    /// Builds the model matrix of `spec` for the analysis weights `w` (one per row). Rows
    /// with weight 0 and a missing value leave the fit silently, as in the estimates (they
    /// enter no estimate: non-respondents without answers).
    ///
    /// # Errors
    /// Columns of the wrong length; a missing value on a row of positive weight under
    /// [`Missing::Fail`] (every such row listed) or an invalid
    /// response ([`Error::Cell`], naming column and row); unknown interaction terms or
    /// reference levels; a factor term with one level in the domain ([`Error::Method`]).
    pub fn build(spec: &ModelSpec, w: &[f64]) -> Result<ModelMatrix> {
        Self::build_set(spec, w, None)
    }

    /// The model matrix of [`ModelMatrix::build`] with the factor term `set.0` set to level
    /// `set.1` on every row (its interactions follow): the rows of a counterfactual
    /// prediction ("had everyone answered on the web"). The fit rows, the levels and their
    /// order are those of the data.
    ///
    /// # Errors
    /// As [`ModelMatrix::build`]; `set.0` not a factor term, or `set.1` not one of its
    /// levels in the fit rows.
    pub fn build_at(spec: &ModelSpec, w: &[f64], set: (&str, &str)) -> Result<ModelMatrix> {
        Self::build_set(spec, w, Some(set))
    }

    fn build_set(spec: &ModelSpec, w: &[f64], set: Option<(&str, &str)>) -> Result<ModelMatrix> {
        let n = w.len();
        if let Some((term, _)) = set {
            let t = term_index(spec, term)?;
            if !matches!(spec.terms[t].column, Column::Factor(_)) {
                return Err(Error::method(
                    STEP,
                    format!("`{term}` is numeric: only a text term can be set to a level"),
                ));
            }
        }
        let y_all = response_values(spec)?;
        let rows = fit_rows(spec, w)?;
        let mut y = vec![0.0; n];
        for k in (0..n).filter(|&k| rows[k]) {
            if let Some(why) = spec.family.check_response(y_all[k]) {
                let msg = format!(
                    "response `{}` {why} for family {}, got {} at row {}",
                    spec.response.name,
                    spec.family.name(),
                    y_all[k],
                    k + 1
                );
                return Err(cell_error(spec.response.name, k, msg));
            }
            y[k] = y_all[k];
        }
        let mut b = Builder { n, rows: &rows, names: vec![], cols: vec![], terms: vec![] };
        b.push("(Intercept)".into(), rows.iter().map(|&r| f64::from(u8::from(r))).collect());
        let mut blocks = Vec::new();
        let mut factors = Vec::new();
        for (t, v) in spec.terms.iter().enumerate() {
            let level = set.filter(|(term, _)| *term == v.name).map(|(_, l)| l);
            let block = term_block(spec, (t, v, level), &rows, &mut factors)?;
            b.push_term(v.name.to_string(), &block);
            blocks.push(block);
        }
        for &(a, c) in &spec.interactions {
            let ia = term_index(spec, a)?;
            let ic = term_index(spec, c)?;
            let block = interaction(&blocks[ia], &blocks[ic]);
            b.push_term(format!("{a}:{c}"), &block);
        }
        let x = b.cols.concat();
        Ok(ModelMatrix { n, names: b.names, x, terms: b.terms, rows, y, factors })
    }

    /// Number of columns p.
    pub fn p(&self) -> usize {
        self.names.len()
    }

    /// Column j.
    pub fn col(&self, j: usize) -> &[f64] {
        &self.x[j * self.n..(j + 1) * self.n]
    }
}

type Block = Vec<(String, Vec<f64>)>;

struct Builder<'r> {
    n: usize,
    rows: &'r [bool],
    names: Vec<String>,
    cols: Vec<Vec<f64>>,
    terms: Vec<TermColumns>,
}

impl Builder<'_> {
    fn push(&mut self, name: String, mut col: Vec<f64>) {
        debug_assert_eq!(col.len(), self.n);
        for (v, &r) in col.iter_mut().zip(self.rows) {
            if !r {
                *v = 0.0;
            }
        }
        self.names.push(name);
        self.cols.push(col);
    }

    fn push_term(&mut self, name: String, block: &Block) {
        let start = self.names.len();
        for (label, col) in block {
            self.push(label.clone(), col.clone());
        }
        self.terms.push(TermColumns { name, columns: start..self.names.len() });
    }
}

fn term_index(spec: &ModelSpec, name: &str) -> Result<usize> {
    spec.terms.iter().position(|t| t.name == name).ok_or_else(|| {
        Error::method(
            STEP,
            format!(
                "interaction with `{name}`, which is not a term of the model: add it to the terms"
            ),
        )
    })
}

fn interaction(a: &Block, b: &Block) -> Block {
    let mut out = Vec::with_capacity(a.len() * b.len());
    for (lb, cb) in b {
        for (la, ca) in a {
            out.push((format!("{la}:{lb}"), ca.iter().zip(cb).map(|(u, v)| u * v).collect()));
        }
    }
    out
}

fn response_values(spec: &ModelSpec) -> Result<Vec<f64>> {
    let r = &spec.response;
    match (r.column, spec.category) {
        (Column::Numeric(v), None) => Ok(v.to_vec()),
        (Column::Factor(f), Some(c)) => indicator(r.name, f, c),
        (Column::Numeric(_), Some(c)) => Err(Error::method(
            STEP,
            format!("response `{}` is numeric: `category: {c}` applies to a text response", r.name),
        )),
        (Column::Factor(_), None) => Err(Error::method(
            STEP,
            format!("response `{}` is text: give `category:` (the value counted as 1)", r.name),
        )),
    }
}

/// Rows of the fit: in the domain, and complete (or an error under [`Missing::Fail`] for
/// rows of positive weight; rows of weight 0 with a missing value just leave the fit).
fn fit_rows(spec: &ModelSpec, w: &[f64]) -> Result<Vec<bool>> {
    let n = w.len();
    let vars: Vec<&Variable> = std::iter::once(&spec.response).chain(&spec.terms).collect();
    for v in &vars {
        if v.column.len() != n {
            return Err(Error::Internal(format!(
                "model: column `{}` has {} values for {n} rows",
                v.name,
                v.column.len()
            )));
        }
    }
    let mut rows: Vec<bool> = match spec.domain {
        Some(d) if d.len() == n => d.to_vec(),
        Some(d) => {
            return Err(Error::Internal(format!("model: domain of {} rows for {n}", d.len())));
        }
        None => vec![true; n],
    };
    if spec.missing == Missing::Fail {
        for v in &vars {
            let bad: Vec<usize> =
                (0..n).filter(|&k| rows[k] && w[k] != 0.0 && v.column.is_missing(k)).collect();
            if let Some(&first) = bad.first() {
                let msg = format!(
                    "`{}` has {} missing value(s) among rows with positive weight (rows {}): \
                     fill them in, or set `missing: drop` to leave such rows out of the model",
                    v.name,
                    bad.len(),
                    row_list(&bad)
                );
                return Err(cell_error(v.name, first, msg));
            }
        }
    }
    for (k, r) in rows.iter_mut().enumerate().filter(|(_, r)| **r) {
        if vars.iter().any(|v| v.column.is_missing(k)) {
            *r = false;
        }
    }
    Ok(rows)
}

/// The columns of term `t` (`v`), every row at `level` when given.
fn term_block(
    spec: &ModelSpec,
    (t, v, level): (usize, &Variable, Option<&str>),
    rows: &[bool],
    factors: &mut Vec<FactorLevels>,
) -> Result<Block> {
    match v.column {
        Column::Numeric(x) => Ok(vec![(v.name.to_string(), x.to_vec())]),
        Column::Factor(f) => {
            let fl = factor_levels(spec, t, v.name, f, rows)?;
            let set = match level {
                None => None,
                Some(l) => Some(set_code(&fl, f, v.name, l)?),
            };
            let block = fl
                .levels
                .iter()
                .enumerate()
                .skip(1)
                .map(|(i, l)| {
                    let col = f.codes.iter().map(|&c| dummy(&fl, set.unwrap_or(c), i)).collect();
                    (format!("{}={l}", v.name), col)
                })
                .collect();
            factors.push(fl);
            Ok(block)
        }
    }
}

/// The code of `level`, which must be a level of the term among the fit rows.
fn set_code(fl: &FactorLevels, f: &Factor, name: &str, level: &str) -> Result<u32> {
    match f.level_index(level) {
        Some(c) if fl.of_code[c as usize].is_some() => Ok(c),
        _ => Err(Error::method(
            STEP,
            format!(
                "`{name}` has no level `{level}` among the rows of the model (levels: {})",
                fl.levels.join(", ")
            ),
        )),
    }
}

fn dummy(fl: &FactorLevels, code: u32, level: usize) -> f64 {
    let hit = code != Factor::MISSING && fl.of_code[code as usize] == Some(level);
    f64::from(u8::from(hit))
}

/// Levels present among the fit rows, the reference first.
fn factor_levels(
    spec: &ModelSpec,
    t: usize,
    name: &str,
    f: &Factor,
    rows: &[bool],
) -> Result<FactorLevels> {
    let mut present = vec![false; f.levels.len()];
    for (k, &c) in f.codes.iter().enumerate() {
        if rows[k] && c != Factor::MISSING {
            present[c as usize] = true;
        }
    }
    let mut order: Vec<usize> = (0..f.levels.len()).filter(|&i| present[i]).collect();
    if order.len() < 2 {
        let only = order.first().map_or("none".to_string(), |&i| format!("`{}`", f.levels[i]));
        return Err(Error::method(
            STEP,
            format!("term `{name}` has a single level in the domain ({only}): remove the term"),
        ));
    }
    if let Some(&(_, r)) = spec.reference.iter().find(|(t, _)| *t == name) {
        let pos = order.iter().position(|&i| f.levels[i] == r).ok_or_else(|| {
            let have: Vec<&str> = order.iter().map(|&i| f.levels[i].as_str()).collect();
            Error::method(
                STEP,
                format!(
                    "reference `{r}` of term `{name}` is not a level in the domain (levels: {})",
                    have.join(", ")
                ),
            )
        })?;
        let r = order.remove(pos);
        order.insert(0, r);
    }
    let mut of_code = vec![None; f.levels.len()];
    for (i, &c) in order.iter().enumerate() {
        of_code[c] = Some(i);
    }
    let levels = order.iter().map(|&i| f.levels[i].clone()).collect();
    Ok(FactorLevels { term: t, levels, of_code })
}
