//! The model matrix of a response model: intercept, one dummy per non-reference category
//! (treatment coding, as R's `model.matrix`), numeric predictors as they are.
//!
//! Columns keep R's order (intercept, then each predictor's columns in the given order) for
//! names, coefficients and aliasing. Storage exploits the structure instead of holding a
//! dense n × p matrix: per unit, the column of its active dummy for each categorical
//! predictor (one `u32` per factor, the intercept included) and its numeric values (a
//! contiguous row of q values). A Newton pass then costs O(F² + F·q + q²) per unit instead
//! of O(p²), with the numeric block vectorizable. Internally columns are ordered
//! [intercept, dummies…, numerics…]; `perm` maps internal → R order.

use super::input::{Values, Variable, check_complete};
use crate::data::Factor;
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
    pub cat: &'a Factor,
    /// Levels that occur among the units the model is built on.
    pub present: Vec<u32>,
}

/// Structured model matrix over all sampled units (units not needed by the model carry a
/// zero fitting weight; their values are placeholders).
#[derive(Debug, Clone)]
pub(crate) struct ModelMatrix<'a> {
    pub n: usize,
    pub p: usize,
    /// R-style names: `(Intercept)`, `<predictor><level>`, `<predictor>` (R order).
    pub names: Vec<String>,
    pub sources: Vec<Source>,
    pub factors: Vec<FactorInfo<'a>>,
    /// Indicator slots per unit (intercept + one per factor): internal column or [`NONE`].
    slots: usize,
    ind: Vec<u32>,
    /// Numeric values, q per unit; internal columns p − q … p − 1.
    q: usize,
    num: Vec<f64>,
    /// perm[internal] = R-order column.
    perm: Vec<usize>,
    /// Covariate pattern of each unit (units with the same row of X share it).
    pattern: Vec<u32>,
    /// One unit of each pattern.
    representative: Vec<u32>,
}

/// No active dummy (reference level).
const NONE: u32 = u32::MAX;

/// Column under construction (R order).
enum Col {
    Intercept,
    Dummy { factor: usize, level: u32 },
    Numeric,
}

impl<'a> ModelMatrix<'a> {
    /// Builds the matrix; `needed[i]` marks the units the model is fitted on or predicts.
    ///
    /// # Errors
    /// A predictor missing for a needed unit, a wrong length, or an unknown reference level.
    pub fn build(predictors: &[Predictor<'a>], needed: &[bool]) -> Result<Self> {
        let n = needed.len();
        let mut cols = vec![Col::Intercept];
        let mut names = vec!["(Intercept)".to_string()];
        let mut sources = vec![Source::Intercept];
        let mut factors: Vec<FactorInfo<'a>> = Vec::new();
        let mut numerics: Vec<&'a [f64]> = Vec::new();
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
                Values::Numeric(x) => {
                    if let Some(r) = pred.reference {
                        return Err(Error::method(
                            "nonresponse",
                            format!(
                                "predictor `{}` is numeric but has a reference category `{r}`; \
                                 remove the reference, or give the column as categories",
                                var.name
                            ),
                        ));
                    }
                    cols.push(Col::Numeric);
                    numerics.push(x);
                    names.push(var.name.to_string());
                    sources.push(Source::Numeric { predictor: var.name.to_string() });
                }
                Values::Categorical(c) => {
                    let (info, levels) = factor_levels(var.name, c, pred.reference, needed)?;
                    for l in levels {
                        let level = c.levels[l as usize].clone();
                        names.push(format!("{}{level}", var.name));
                        sources.push(Source::Level { predictor: var.name.to_string(), level });
                        cols.push(Col::Dummy { factor: factors.len(), level: l });
                    }
                    factors.push(info);
                }
            }
        }
        Ok(Self::assemble(n, cols, names, sources, factors, &numerics, needed))
    }

    fn assemble(
        n: usize,
        cols: Vec<Col>,
        names: Vec<String>,
        sources: Vec<Source>,
        factors: Vec<FactorInfo<'a>>,
        numerics: &[&[f64]],
        needed: &[bool],
    ) -> Self {
        let p = cols.len();
        let q = numerics.len();
        // Internal order: intercept, dummies (R order), numerics (R order).
        let mut perm: Vec<usize> = (0..p).filter(|&j| !matches!(cols[j], Col::Numeric)).collect();
        perm.extend((0..p).filter(|&j| matches!(cols[j], Col::Numeric)));
        // level_col[factor][level] = internal column of that dummy.
        let mut level_col: Vec<Vec<u32>> =
            factors.iter().map(|f| vec![NONE; f.cat.levels.len()]).collect();
        for (internal, &j) in perm.iter().enumerate() {
            if let Col::Dummy { factor, level } = cols[j] {
                level_col[factor][level as usize] = internal as u32;
            }
        }
        let slots = 1 + factors.len();
        let mut ind = vec![NONE; n * slots];
        for i in 0..n {
            ind[i * slots] = 0;
            if needed[i] {
                for (f, info) in factors.iter().enumerate() {
                    ind[i * slots + 1 + f] = level_col[f][info.cat.codes[i] as usize];
                }
            }
        }
        let mut num = vec![0.0; n * q];
        for (k, x) in numerics.iter().enumerate() {
            for i in (0..n).filter(|&i| needed[i]) {
                num[i * q + k] = x[i];
            }
        }
        let (pattern, representative) = patterns(n, slots, &ind, q, &num);
        ModelMatrix {
            n,
            p,
            names,
            sources,
            factors,
            slots,
            ind,
            q,
            num,
            perm,
            pattern,
            representative,
        }
    }

    /// Covariate pattern per unit and one representative unit per pattern: a fit on the
    /// patterns (weights and events summed) is the fit on the units, in O(patterns) per
    /// Newton pass instead of O(units).
    pub fn patterns(&self) -> (&[u32], &[u32]) {
        (&self.pattern, &self.representative)
    }

    /// β in R order → internal order.
    pub fn to_internal(&self, beta: &[f64]) -> Vec<f64> {
        self.perm.iter().map(|&j| beta[j]).collect()
    }

    /// A p-vector in internal order → R order.
    pub fn vec_to_r(&self, v: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.p];
        for (k, &j) in self.perm.iter().enumerate() {
            out[j] = v[k];
        }
        out
    }

    /// A full p × p matrix in internal order → R order (row-major).
    pub fn mat_to_r(&self, h: &[f64]) -> Vec<f64> {
        let p = self.p;
        let mut out = vec![0.0; p * p];
        for (a, &ja) in self.perm.iter().enumerate() {
            for (b, &jb) in self.perm.iter().enumerate() {
                out[ja * p + jb] = h[a * p + b];
            }
        }
        out
    }

    /// Linear predictor x_iᵀβ with β in internal order.
    #[inline(always)]
    pub fn eta(&self, i: usize, b: &[f64]) -> f64 {
        let mut e = 0.0;
        for &c in &self.ind[i * self.slots..(i + 1) * self.slots] {
            if c != NONE {
                e += b[c as usize];
            }
        }
        let z = &self.num[i * self.q..(i + 1) * self.q];
        e + z.iter().zip(&b[self.p - self.q..]).map(|(x, y)| x * y).sum::<f64>()
    }

    /// Adds r·x_i to g and v·x_i x_iᵀ to the upper triangle of h (both internal order).
    #[inline(always)]
    pub fn accumulate(&self, i: usize, r: f64, v: f64, g: &mut [f64], h: &mut [f64]) {
        let (p, q) = (self.p, self.q);
        let off = p - q;
        let act = &self.ind[i * self.slots..(i + 1) * self.slots];
        let z = &self.num[i * q..(i + 1) * q];
        // Dummies (and the intercept) are 1: slots are in increasing column order.
        for (s, &a) in act.iter().enumerate() {
            if a == NONE {
                continue;
            }
            let a = a as usize;
            g[a] += r;
            for &b in &act[s..] {
                if b != NONE {
                    h[a * p + b as usize] += v;
                }
            }
            for (hab, &zb) in h[a * p + off..(a + 1) * p].iter_mut().zip(z) {
                *hab += v * zb;
            }
        }
        for (k, &zk) in z.iter().enumerate() {
            let a = off + k;
            g[a] += r * zk;
            let vz = v * zk;
            for (hab, &zb) in h[a * p + a..(a + 1) * p].iter_mut().zip(&z[k..]) {
                *hab += vz * zb;
            }
        }
    }

    /// Value of unit i in R-order column j.
    pub fn value(&self, i: usize, j: usize) -> f64 {
        let internal = self.perm.iter().position(|&c| c == j).unwrap_or(0);
        if internal >= self.p - self.q {
            self.num[i * self.q + internal - (self.p - self.q)]
        } else if self.ind[i * self.slots..(i + 1) * self.slots].contains(&(internal as u32)) {
            1.0
        } else {
            0.0
        }
    }
}

/// The factor's levels present among needed units, and its dummy levels (all but the
/// reference).
fn factor_levels<'a>(
    name: &'a str,
    c: &'a Factor,
    reference: Option<&str>,
    needed: &[bool],
) -> Result<(FactorInfo<'a>, Vec<u32>)> {
    let mut seen = vec![false; c.levels.len()];
    for i in (0..needed.len()).filter(|&i| needed[i]) {
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
    let dummies = present.iter().copied().filter(|&l| l != reference).collect();
    Ok((FactorInfo { name, cat: c, present }, dummies))
}

/// Numbers the distinct rows of X (indicator slots and numeric values, compared exactly,
/// −0 as 0) in order of first appearance.
fn patterns(n: usize, slots: usize, ind: &[u32], q: usize, num: &[f64]) -> (Vec<u32>, Vec<u32>) {
    let key = |i: usize| (&ind[i * slots..(i + 1) * slots], &num[i * q..(i + 1) * q]);
    let bits = |v: &f64| (v + 0.0).to_bits(); // −0 + 0 = +0
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by(|&a, &b| {
        let (ia, na) = key(a as usize);
        let (ib, nb) = key(b as usize);
        ia.cmp(ib).then_with(|| na.iter().map(bits).cmp(nb.iter().map(bits))).then(a.cmp(&b))
    });
    let mut pattern = vec![0u32; n];
    let mut first_of: Vec<u32> = Vec::new();
    let mut prev: Option<u32> = None;
    for &i in &order {
        let same = prev.is_some_and(|p| {
            let (ia, na) = key(p as usize);
            let (ib, nb) = key(i as usize);
            ia == ib && na.iter().zip(nb).all(|(x, y)| bits(x) == bits(y))
        });
        if !same {
            first_of.push(i);
        }
        pattern[i as usize] = (first_of.len() - 1) as u32;
        prev = Some(i);
    }
    (pattern, first_of)
}
