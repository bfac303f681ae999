//! Balancing variables of the cube method and the balance check of a drawn sample.

use serde::Serialize;

use crate::data::Factor;
use crate::error::{Error, Result};
use crate::sampling::strata::rows_phrase;
use crate::sampling::validate::{finite_in_scope, same_length};
use crate::sampling::{OUT_OF_SCOPE, Sample};

/// A balancing variable: a frame column.
#[derive(Debug, Clone)]
pub enum BalanceVar<'a> {
    /// A numeric column x_k (e.g. household size).
    Numeric {
        /// Column name, for messages.
        name: String,
        /// One value per frame row.
        values: &'a [f64],
    },
    /// A categorical column, balanced through the indicator of every level (e.g. sex × age
    /// group): the sample reproduces the frame count of every level.
    Categorical {
        /// Column name, for messages.
        name: String,
        /// Levels of every frame row.
        factor: &'a Factor,
    },
}

/// One column of the balancing matrix: a numeric variable or one level's indicator.
#[derive(Debug, Clone)]
pub(crate) struct BalanceColumn<'a> {
    pub(crate) variable: String,
    pub(crate) level: Option<String>,
    source: Source<'a>,
}

#[derive(Debug, Clone, Copy)]
enum Source<'a> {
    Numeric(&'a [f64]),
    Indicator(&'a [u32], u32),
}

impl BalanceColumn<'_> {
    /// x_k.
    #[inline]
    pub(crate) fn value(&self, k: usize) -> f64 {
        match self.source {
            Source::Numeric(v) => v[k],
            Source::Indicator(codes, level) => f64::from(u8::from(codes[k] == level)),
        }
    }

    /// "name" or "name=level".
    pub(crate) fn label(&self) -> String {
        match &self.level {
            Some(l) => format!("{}={l}", self.variable),
            None => self.variable.clone(),
        }
    }
}

/// Expands the variables into matrix columns, checking them on the in-scope rows.
pub(crate) fn expand<'a>(vars: &[BalanceVar<'a>], codes: &[u32]) -> Result<Vec<BalanceColumn<'a>>> {
    let mut cols = Vec::new();
    for v in vars {
        match v {
            BalanceVar::Numeric { name, values } => {
                finite_in_scope(values, codes, name)?;
                cols.push(BalanceColumn {
                    variable: name.clone(),
                    level: None,
                    source: Source::Numeric(values),
                });
            }
            BalanceVar::Categorical { name, factor } => {
                let factor: &'a Factor = factor;
                let (cat, levels) = (factor.codes.as_slice(), &factor.levels);
                same_length(cat.len(), codes.len(), name)?;
                let k = levels.len() as u32;
                let bad: Vec<usize> =
                    (0..cat.len()).filter(|&i| codes[i] != OUT_OF_SCOPE && cat[i] >= k).collect();
                if !bad.is_empty() {
                    return Err(Error::method(
                        "sampling",
                        format!(
                            "balancing variable `{name}` is missing at {}: fill it or filter \
                             these rows out of the scope",
                            rows_phrase(&bad)
                        ),
                    ));
                }
                for (l, level) in levels.iter().enumerate() {
                    cols.push(BalanceColumn {
                        variable: name.clone(),
                        level: Some(level.clone()),
                        source: Source::Indicator(cat, l as u32),
                    });
                }
            }
        }
    }
    Ok(cols)
}

/// Horvitz–Thompson estimate of a balancing total against its frame value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BalanceCheck {
    /// Variable name (`pi` for the sample size constraint Σ π_k = n).
    pub variable: String,
    /// Level, for a categorical variable.
    pub level: Option<String>,
    /// Frame total Σ_U x_k over the in-scope rows.
    pub frame_total: f64,
    /// Σ_s x_k / π_k.
    pub ht_estimate: f64,
    /// HT estimate − frame total.
    pub deviation: f64,
    /// Deviation / frame total (None when the total is 0).
    pub relative_deviation: Option<f64>,
}

/// What the cube method did, for the design report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BalanceReport {
    /// One check per balancing column (π first, then the variables, one line per level).
    pub checks: Vec<BalanceCheck>,
    /// Units still fractional after the flight phase, settled by the landing phase.
    pub landing_units: usize,
    /// Constraints dropped by the landing phase, in the order they were dropped (stratum
    /// indicators appear as `stratum=<label>`).
    pub dropped_in_landing: Vec<String>,
    /// Moves of the flight and landing phases.
    pub moves: u64,
    /// Largest correction of a stratum's Σπ for rounding drift after the per-stratum flight
    /// (typically 1e-12–1e-8; see the module docs).
    pub size_drift_corrected: f64,
    /// Order in which units entered the flight phase.
    pub order: String,
    /// How the landing phase works.
    pub landing_method: &'static str,
}

/// HT estimates vs frame totals of `pi` (the size) and every balancing column.
pub(crate) fn checks(
    cols: &[BalanceColumn<'_>],
    pi: &[f64],
    codes: &[u32],
    sample: &Sample,
) -> Vec<BalanceCheck> {
    let in_scope = || (0..codes.len()).filter(|&k| codes[k] != OUT_OF_SCOPE);
    let mut out = Vec::with_capacity(cols.len() + 1);
    let n_expected: f64 = in_scope().map(|k| pi[k]).sum();
    out.push(check("pi".into(), None, n_expected, sample.len() as f64));
    for c in cols {
        let total: f64 = in_scope().map(|k| c.value(k)).sum();
        let ht: f64 = sample.rows.iter().zip(&sample.pi).map(|(&k, &p)| c.value(k) / p).sum();
        out.push(check(c.variable.clone(), c.level.clone(), total, ht));
    }
    out
}

fn check(variable: String, level: Option<String>, total: f64, ht: f64) -> BalanceCheck {
    let deviation = ht - total;
    let relative_deviation = if total != 0.0 { Some(deviation / total) } else { None };
    BalanceCheck {
        variable,
        level,
        frame_total: total,
        ht_estimate: ht,
        deviation,
        relative_deviation,
    }
}
