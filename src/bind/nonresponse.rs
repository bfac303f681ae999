//! Binding a nonresponse spec to the sample: the weight, status, class, model and phone
//! columns it names, read once and checked all at once, and the library's
//! [`NonresponseSpec`] borrowing them.
//!
//! `ponder nonresponse`, `ponder run`/`simulate` (through [`adjust_with_replicates`]) and
//! the estimate step (through [`adjust`]) call the same functions.

use crate::config::nonresponse::{ColumnUse, NonresponseConfig, ShareSpec};
use crate::data::{Factor, Table, check_weights};
use crate::error::{Error, Result};
use crate::nonresponse::{
    Adjustment, Method, Nonresponse, NonresponseSpec, Phases, PhoneShare, Predictor,
    ReplicateAdjustment, ResponseModel, Variable,
};
use std::collections::BTreeMap;

/// The nonresponse adjustment of the design weights `d` described by `cfg`, on the status
/// and model columns of `table`.
///
/// # Errors
/// Columns missing from the table, bad status codes, the method's own errors.
pub fn adjust(cfg: &NonresponseConfig, table: &Table, d: &[f64]) -> Result<Adjustment> {
    let cols = Columns::read(cfg, table)?;
    Nonresponse::new(cols.spec(cfg))?.adjust(d)
}

/// The adjustment of `d`, and of every replicate weight column `(name, weights)` (the
/// whole adjustment redone on each; `None` when there is none).
///
/// # Errors
/// As [`adjust`]; a replicate on which the method fails (named).
pub fn adjust_with_replicates(
    cfg: &NonresponseConfig,
    table: &Table,
    d: &[f64],
    replicates: &[(String, Vec<f64>)],
) -> Result<(Adjustment, Option<ReplicateAdjustment>)> {
    let cols = Columns::read(cfg, table)?;
    let nr = Nonresponse::new(cols.spec(cfg))?;
    let mut adj = nr.adjust(d)?;
    if let Some(c) = &cfg.break_off {
        let outcomes = crate::nonresponse::classify(&cfg.status, &cols.status, &cfg.codes)?;
        let broke = break_off_flags(cfg, table, c, &outcomes)?;
        adj.report.break_off = crate::nonresponse::break_off_by_mode(&outcomes, &broke, d);
    }
    if replicates.is_empty() {
        return Ok((adj, None));
    }
    let refs: Vec<(&str, &[f64])> =
        replicates.iter().map(|(n, w)| (n.as_str(), w.as_slice())).collect();
    let reps = nr.adjust_replicates(&adj, &refs)?;
    Ok((adj, Some(reps)))
}

/// The `break_off:` column as flags of the respondents: `yes`/`no` (or `1`/`0`,
/// `true`/`false`); a blank or another value for a respondent is an error naming the row.
fn break_off_flags(
    cfg: &NonresponseConfig,
    table: &Table,
    column: &str,
    outcomes: &[crate::nonresponse::Outcome],
) -> Result<Vec<bool>> {
    let f = table.factor(column)?;
    let mut out = vec![false; f.codes.len()];
    for (i, &c) in f.codes.iter().enumerate() {
        if !outcomes[i].is_respondent() {
            continue;
        }
        let v = (c != Factor::MISSING).then(|| f.levels[c as usize].as_str());
        out[i] = match v {
            Some("yes" | "1" | "true") => true,
            Some("no" | "0" | "false") => false,
            other => {
                return Err(Error::Cell {
                    file: table.source().to_string(),
                    column: column.to_string(),
                    row: Some(i + 1),
                    message: format!(
                        "column `{column}` row {}: the break-off flag of a respondent is {} \
                         (`break_off:` in {}): `yes` or `no` is needed",
                        i + 1,
                        other.map_or_else(|| "empty".to_string(), |v| format!("`{v}`")),
                        cfg.file
                    ),
                });
            }
        };
    }
    Ok(out)
}

/// The design weights of `cfg.weight`, checked: every value finite and ≥ 0.
///
/// # Errors
/// An unknown or non-numeric column; [`Error::Cell`] naming the column and the rows at
/// fault.
pub fn design_weights(cfg: &NonresponseConfig, table: &Table) -> Result<Vec<f64>> {
    let d = table.numeric(&cfg.weight)?;
    if let Some(bad) = check_weights(&d) {
        let what = format!("weight column `{}` (`weight:` in {})", cfg.weight, cfg.file);
        return Err(Error::Cell {
            file: table.source().to_string(),
            column: cfg.weight.clone(),
            row: Some(bad.rows[0] + 1),
            message: bad.describe(&what),
        });
    }
    Ok(d)
}

/// The replicate weight columns matching `cfg.replicates` (none when not set).
///
/// # Errors
/// No column matching the pattern ([`Error::Config`] on `replicates`); a non-numeric column.
pub fn replicate_weights(
    cfg: &NonresponseConfig,
    table: &Table,
) -> Result<Vec<(String, Vec<f64>)>> {
    let Some(pattern) = &cfg.replicates else { return Ok(Vec::new()) };
    let names = super::replicate_columns(&cfg.source, table, pattern)?;
    names.into_iter().map(|n| Ok((n.clone(), table.numeric(&n)?))).collect()
}

/// The columns read for an adjustment, owned so that the spec can borrow them.
#[derive(Debug, Default)]
pub struct Columns {
    status: Factor,
    data: BTreeMap<String, Owned>,
    phone: Vec<bool>,
}

#[derive(Debug)]
enum Owned {
    Factor(Factor),
    Numeric(Vec<f64>),
}

impl Columns {
    /// Reads the columns the adjustment needs, checking them all at once.
    ///
    /// # Errors
    /// Unknown columns (every one, with did-you-mean), unreadable values.
    pub fn read(cfg: &NonresponseConfig, table: &Table) -> Result<Columns> {
        let unknown: Vec<String> = cfg
            .columns()
            .into_iter()
            .filter(|c| !table.has_column(c))
            .map(|c| table.unknown_column(c).detail())
            .collect();
        if !unknown.is_empty() {
            return Err(Error::data(
                table.source(),
                format!("{} (config {})", unknown.join("; "), cfg.file),
            ));
        }
        let mut cols = Columns { status: table.factor(&cfg.status)?, ..Columns::default() };
        for c in cfg.variables() {
            if !cols.data.contains_key(&c.column) {
                cols.data.insert(c.column.clone(), read_variable(table, c)?);
            }
        }
        if let Some(c) = &cfg.phone_number {
            cols.phone = table.flags(c, None)?;
        }
        Ok(cols)
    }

    /// The library's specification of `cfg`, borrowing these columns.
    pub fn spec<'a>(&'a self, cfg: &'a NonresponseConfig) -> NonresponseSpec<'a> {
        let vars = |v: &'a [ColumnUse]| v.iter().map(|c| self.variable(&c.column)).collect();
        let method = match cfg.method.as_str() {
            "classes" => Method::Classes(vars(&cfg.classes)),
            "score" => Method::Score { model: self.model(cfg), groups: cfg.groups },
            _ => Method::Propensity(self.model(cfg)),
        };
        NonresponseSpec {
            status_name: &cfg.status,
            status: &self.status,
            codes: cfg.codes.clone(),
            eligibility_classes: vars(&cfg.eligibility_classes),
            method,
            profile: vars(&cfg.profile),
        }
    }

    fn model<'a>(&'a self, cfg: &'a NonresponseConfig) -> ResponseModel<'a> {
        let phases = if cfg.sequential {
            Phases::Sequential {
                phone_number: &self.phone,
                share: match &cfg.share {
                    ShareSpec::Classes(cs) => {
                        PhoneShare::Classes(cs.iter().map(|c| self.variable(&c.column)).collect())
                    }
                    ShareSpec::Model => PhoneShare::Model,
                    ShareSpec::Observed => PhoneShare::Observed,
                },
            }
        } else {
            Phases::Global
        };
        ResponseModel {
            predictors: cfg
                .model
                .iter()
                .map(|c| Predictor::new(self.variable(&c.column)))
                .collect(),
            weighting: cfg.weighting,
            phases,
            options: cfg.fit,
        }
    }

    fn variable<'a>(&'a self, name: &'a str) -> Variable<'a> {
        match self.data.get(name) {
            Some(Owned::Factor(f)) => Variable::categorical(name, f),
            Some(Owned::Numeric(v)) => Variable::numeric(name, v),
            None => Variable::numeric(name, &[]),
        }
    }
}

/// A column as categories or numbers: as forced by the config, else by the data's type.
fn read_variable(table: &Table, c: &ColumnUse) -> Result<Owned> {
    let numeric = table.numeric_opt(&c.column).is_ok();
    Ok(if c.categorical.unwrap_or(!numeric) {
        Owned::Factor(table.factor(&c.column)?)
    } else {
        Owned::Numeric(
            table.numeric_opt(&c.column)?.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect(),
        )
    })
}
