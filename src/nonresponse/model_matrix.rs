//! The model matrix of a response model: intercept, one dummy per non-reference category
//! (treatment coding, as R's `model.matrix`), numeric predictors as they are.
//!
//! Stored row-major (one contiguous `Vec<f64>` of n × p): a Newton iteration is one pass over
//! the rows of the fit set, each row (p values) staying in L1 while it updates the gradient
//! and the upper triangle of the information matrix.

use super::input::{Categorical, Values, Variable, check_complete};
use crate::error::{Error, Result};

/// A predictor of a response model.
#[derive(Debug, Clone, Copy)]
pub struct Predictor<'a> {
    /// The column (categorical → dummies, numeric → as is).
    pub variable: Variable<'a>,
    /// Reference category of a categorical predictor; default: the first level (in level
    /// order) present among eligible units, as R's treatment coding.
    pub reference: Option<&'a str>,
}

impl<'a> Predictor<'a> {
    /// A predictor with the default reference level.
    pub fn new(variable: Variable<'a>) -> Self {
        Predictor { variable, reference: None }
    }
}

/// Where a model column comes from (used to name the culprit in error messages).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Source {
    Intercept,
    Level { predictor: String, level: String },
    Numeric { predictor: String },
}

impl Source {
    pub(crate) fn describe(&self) -> String {
        match self {
            Source::Intercept => "the intercept".to_string(),
            Source::Level { predictor, level } => {
                format!("predictor `{predictor}`, category `{level}`")
            }
            Source::Numeric { predictor } => format!("numeric predictor `{predictor}`"),
        }
    }
}

/// A categorical predictor's codes, for the per-category separation check.
#[derive(Debug, Clone)]
pub(crate) struct FactorInfo<'a> {
    pub name: &'a str,
    pub cat: Categorical<'a>,
    /// Levels that occur among the units the model is built on.
    pub present: Vec<u32>,
}

/// Dense row-major model matrix over all sampled units (rows of units not needed by the
/// model are 0 and must carry a zero fitting weight).
#[derive(Debug, Clone)]
pub(crate) struct ModelMatrix<'a> {
    pub n: usize,
    pub p: usize,
    /// Row i is `rows[i*p..(i+1)*p]`.
    pub rows: Vec<f64>,
    /// R-style names: `(Intercept)`, `<predictor><level>`, `<predictor>`.
    pub names: Vec<String>,
    pub sources: Vec<Source>,
    pub factors: Vec<FactorInfo<'a>>,
}

impl<'a> ModelMatrix<'a> {
    /// Row i (unit i's covariates).
    pub fn row(&self, i: usize) -> &[f64] {
        &self.rows[i * self.p..(i + 1) * self.p]
    }

    /// Builds the matrix; `needed[i]` marks the units the model is fitted on or predicts.
    ///
    /// # Errors
    /// A predictor missing for a needed unit, a wrong length, or an unknown reference level.
    pub fn build(predictors: &[Predictor<'a>], needed: &[bool]) -> Result<Self> {
        let n = needed.len();
        let mut m = ModelMatrix {
            n,
            p: 1,
            rows: vec![1.0; n],
            names: vec!["(Intercept)".to_string()],
            sources: vec![Source::Intercept],
            factors: Vec::new(),
        };
        for pred in predictors {
            let var = &pred.variable;
            if var.values.len() != n {
                return Err(Error::method(
                    "nonresponse",
                    format!(
                        "model predictor `{}` has {} values for {n} sampled units",
                        var.name,
                        var.values.len()
                    ),
                ));
            }
            check_complete(var, needed, "model predictor")?;
            match var.values {
                Values::Numeric(x) => m.push_numeric(var.name, x, needed),
                Values::Categorical(c) => m.push_dummies(var.name, c, pred.reference, needed)?,
            }
        }
        // Built column by column (in `rows`), now transposed to row-major.
        let cols = std::mem::take(&mut m.rows);
        m.rows = vec![0.0; n * m.p];
        for (j, col) in cols.chunks_exact(n.max(1)).enumerate() {
            for (i, &v) in col.iter().enumerate() {
                m.rows[i * m.p + j] = v;
            }
        }
        Ok(m)
    }

    fn push_numeric(&mut self, name: &str, x: &[f64], needed: &[bool]) {
        self.rows.extend(x.iter().zip(needed).map(|(&v, &k)| if k { v } else { 0.0 }));
        self.names.push(name.to_string());
        self.sources.push(Source::Numeric { predictor: name.to_string() });
        self.p += 1;
    }

    fn push_dummies(
        &mut self,
        name: &'a str,
        c: Categorical<'a>,
        reference: Option<&str>,
        needed: &[bool],
    ) -> Result<()> {
        let mut seen = vec![false; c.levels.len()];
        for i in (0..self.n).filter(|&i| needed[i]) {
            seen[c.codes[i] as usize] = true;
        }
        let present: Vec<u32> = (0..c.levels.len() as u32).filter(|&l| seen[l as usize]).collect();
        let reference = match reference {
            Some(r) => match c.levels.iter().position(|l| l == r) {
                Some(l) if seen[l] => l as u32,
                _ => {
                    let list: Vec<&str> =
                        present.iter().map(|&l| c.levels[l as usize].as_str()).collect();
                    return Err(Error::method(
                        "nonresponse",
                        format!(
                            "reference category `{r}` of predictor `{name}` does not occur among \
                             eligible units; choose one of: {}",
                            list.join(", ")
                        ),
                    ));
                }
            },
            None => present.first().copied().unwrap_or(0),
        };
        for &l in present.iter().filter(|&&l| l != reference) {
            self.rows
                .extend((0..self.n).map(|i| if needed[i] && c.codes[i] == l { 1.0 } else { 0.0 }));
            let level = c.levels[l as usize].clone();
            self.names.push(format!("{name}{level}"));
            self.sources.push(Source::Level { predictor: name.to_string(), level });
            self.p += 1;
        }
        self.factors.push(FactorInfo { name, cat: c, present });
        Ok(())
    }
}
