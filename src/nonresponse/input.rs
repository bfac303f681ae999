//! Borrowed input columns: categorical (the data layer's [`Factor`], codes + levels) and
//! numeric (a `&[f64]` with `NaN` for a missing value).

use crate::data::Factor;
use crate::error::{Error, Result};
use std::collections::HashMap;

/// True when unit `i` of `f` has a missing (or invalid) code.
#[inline]
pub(crate) fn missing_at(f: &Factor, i: usize) -> bool {
    f.codes[i] as usize >= f.levels.len()
}

/// Label of unit `i` of `f`, `None` when missing (or out of range).
pub(crate) fn label_at(f: &Factor, i: usize) -> Option<&str> {
    f.levels.get(f.codes[i] as usize).map(String::as_str)
}

/// The values of a variable: categorical or numeric (`NaN` = missing).
#[derive(Debug, Clone, Copy)]
pub enum Values<'a> {
    /// Categories ([`Factor::MISSING`] = missing).
    Categorical(&'a Factor),
    /// Numbers; `NaN` marks a missing value.
    Numeric(&'a [f64]),
}

impl Values<'_> {
    /// Number of units.
    pub fn len(&self) -> usize {
        match self {
            Values::Categorical(c) => c.len(),
            Values::Numeric(v) => v.len(),
        }
    }

    /// True when there is no unit.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when unit `i` has no usable value.
    pub fn is_missing(&self, i: usize) -> bool {
        match self {
            Values::Categorical(c) => missing_at(c, i),
            Values::Numeric(v) => !v[i].is_finite(),
        }
    }
}

/// A named column of the sample file.
#[derive(Debug, Clone, Copy)]
pub struct Variable<'a> {
    /// Column name (used in messages and reports).
    pub name: &'a str,
    /// The values.
    pub values: Values<'a>,
}

impl<'a> Variable<'a> {
    /// A categorical variable.
    pub fn categorical(name: &'a str, factor: &'a Factor) -> Self {
        Variable { name, values: Values::Categorical(factor) }
    }

    /// A numeric variable (`NaN` = missing).
    pub fn numeric(name: &'a str, values: &'a [f64]) -> Self {
        Variable { name, values: Values::Numeric(values) }
    }
}

/// Checks that every variable has `n` values.
pub(crate) fn check_lengths(vars: &[Variable<'_>], n: usize, role: &str) -> Result<()> {
    for v in vars {
        if v.values.len() != n {
            return Err(Error::method(
                "nonresponse",
                format!(
                    "{role} `{}` has {} values but the sample has {n} units; give one value per \
                     sampled unit",
                    v.name,
                    v.values.len()
                ),
            ));
        }
    }
    Ok(())
}

/// Errors when some unit selected by `needed` has a missing value of `var`.
pub(crate) fn check_complete(var: &Variable<'_>, needed: &[bool], role: &str) -> Result<()> {
    let missing: Vec<usize> =
        (0..needed.len()).filter(|&i| needed[i] && var.values.is_missing(i)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let shown: Vec<String> = missing.iter().take(10).map(|i| (i + 1).to_string()).collect();
    Err(Error::method(
        "nonresponse",
        format!(
            "{role} `{}` is missing for {} sampled unit(s) that need it (rows {}{}); a model \
             predictor or class variable must be known for every eligible sampled unit: impute \
             it from the frame, add a `missing` category, or drop the variable",
            var.name,
            missing.len(),
            shown.join(", "),
            if missing.len() > 10 { ", ..." } else { "" }
        ),
    ))
}

/// Cross-classification of categorical variables: one class code per unit ([`Factor::MISSING`] when
/// any component is missing) and labels joined by `,` in the order of the components' codes.
/// Only combinations present among the units are kept. An empty list gives one class `all`.
pub(crate) fn cross_classify(vars: &[Variable<'_>], n: usize) -> Result<(Vec<u32>, Vec<String>)> {
    if vars.is_empty() {
        return Ok((vec![0; n], vec!["all".to_string()]));
    }
    let cats: Vec<&Factor> = vars
        .iter()
        .map(|v| match v.values {
            Values::Categorical(c) => Ok(c),
            Values::Numeric(_) => Err(Error::method(
                "nonresponse",
                format!(
                    "class variable `{}` is numeric; classes need categories: cut it into \
                     groups first",
                    v.name
                ),
            )),
        })
        .collect::<Result<_>>()?;
    let mut keys: Vec<Option<Vec<u32>>> = Vec::with_capacity(n);
    for i in 0..n {
        keys.push(cats.iter().map(|c| (!missing_at(c, i)).then(|| c.codes[i])).collect());
    }
    let mut distinct: Vec<Vec<u32>> = keys.iter().flatten().cloned().collect();
    distinct.sort_unstable();
    distinct.dedup();
    let index: HashMap<&Vec<u32>, u32> =
        distinct.iter().enumerate().map(|(i, k)| (k, i as u32)).collect();
    let codes = keys.iter().map(|k| k.as_ref().map_or(Factor::MISSING, |k| index[k])).collect();
    let labels = distinct
        .iter()
        .map(|k| {
            k.iter()
                .zip(&cats)
                .map(|(&c, cat)| cat.levels[c as usize].as_str())
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    Ok((codes, labels))
}

/// Sets the codes of units outside `keep` to [`Factor::MISSING`] and keeps only the levels still
/// used (in their order), re-indexing the codes.
pub(crate) fn restrict(codes: &mut [u32], labels: Vec<String>, keep: &[bool]) -> Vec<String> {
    let mut used = vec![false; labels.len()];
    for (c, &k) in codes.iter_mut().zip(keep) {
        if !k {
            *c = Factor::MISSING;
        } else if *c != Factor::MISSING {
            used[*c as usize] = true;
        }
    }
    let mut remap = vec![Factor::MISSING; labels.len()];
    let mut out = Vec::new();
    for (l, label) in labels.into_iter().enumerate() {
        if used[l] {
            remap[l] = out.len() as u32;
            out.push(label);
        }
    }
    for c in codes.iter_mut().filter(|c| **c != Factor::MISSING) {
        *c = remap[*c as usize];
    }
    out
}
