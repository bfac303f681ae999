//! Estimates requested by an estimation configuration (`ponder estimate`, `ponder run`):
//! the variance source (replicates, two-phase, linearization) chosen from the `design:`
//! block, then every request computed on it.

use crate::config::estimate::{EstimateConfig, Request, StatKind, categorical};
use crate::data::Table;
use crate::design::{Categorical, Numeric};
use crate::error::Result;
use crate::estimate::{EstimateRow, EstimateSpec, Statistic, VarianceSource, estimate};

/// Computes every request of a configuration on a table.
///
/// # Errors
/// Design errors, unknown columns and categories, estimation errors.
pub fn compute(cfg: &EstimateConfig, table: &Table) -> Result<Vec<EstimateRow>> {
    let replicate = cfg.replicate_design(table)?;
    let two_phase = if replicate.is_none() { cfg.two_phase(table)? } else { None };
    let design =
        if replicate.is_none() && two_phase.is_none() { Some(cfg.design(table)?) } else { None };
    let source = match (&replicate, &two_phase, &design) {
        (Some(r), _, _) => VarianceSource::Replicates(r),
        (None, Some(t), _) => VarianceSource::TwoPhase(t),
        (None, None, Some(d)) => VarianceSource::Linearization(d),
        (None, None, None) => {
            return Err(crate::error::Error::Internal("no variance source was built".into()));
        }
    };
    let mut rows = Vec::new();
    for req in &cfg.requests {
        rows.extend(run_request(&source, req, table, cfg)?);
    }
    Ok(rows)
}

fn numeric(table: &Table, name: &str) -> Result<Numeric> {
    let v = table.numeric_opt(name)?;
    Ok(Numeric::new(name, v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect()))
}

fn run_request(
    source: &VarianceSource,
    req: &Request,
    table: &Table,
    cfg: &EstimateConfig,
) -> Result<Vec<EstimateRow>> {
    let by: Vec<Categorical> =
        req.by.iter().map(|b| categorical(table, b)).collect::<Result<_>>()?;
    let (num, cat, den);
    let statistic = match &req.stat {
        StatKind::Total => {
            num = numeric(table, &req.variable)?;
            Statistic::Total(&num)
        }
        StatKind::Mean => {
            num = numeric(table, &req.variable)?;
            Statistic::Mean(&num)
        }
        StatKind::Quantile(p, rule) => {
            num = numeric(table, &req.variable)?;
            Statistic::Quantile { variable: &num, p: *p, rule: *rule }
        }
        StatKind::Proportion(category) => {
            cat = categorical(table, &req.variable)?;
            if let Some(c) = category
                && !cat.labels.iter().any(|l| l == c)
            {
                return Err(crate::error::Error::Config {
                    file: cfg.file.clone(),
                    problems: vec![
                        crate::error::ConfigProblem::new(
                            format!("{}.category", req.key),
                            format!("category `{c}` does not occur in column `{}`", req.variable),
                        )
                        .hint(
                            crate::hint::suggest(c, cat.labels.iter().map(String::as_str))
                                .map(|s| format!("did you mean `{s}`?"))
                                .unwrap_or_else(|| {
                                    format!("the column has: {}", cat.labels.join(", "))
                                }),
                        ),
                    ],
                });
            }
            Statistic::Proportion { variable: &cat, category: category.as_deref() }
        }
        StatKind::Ratio(d) => {
            num = numeric(table, &req.variable)?;
            den = numeric(table, d)?;
            Statistic::Ratio { numerator: &num, denominator: &den }
        }
    };
    let spec = EstimateSpec {
        name: req.name.clone(),
        statistic,
        by: by.iter().collect(),
        ci: req.ci,
        level: req.level,
        df: req.df,
        missing: req.missing,
        filter: None,
        keep_empty_domains: req.keep_empty_domains,
    };
    estimate(source, &spec, &cfg.publication)
}
