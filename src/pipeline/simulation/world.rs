//! The simulation's population side: the register with every person's true answers and
//! `true_weight`, and the calibration margins the population itself gives.

use super::super::chain::World;
use crate::config::calibrate::{CalibrationConfig, Figures, MarginSpec};
use crate::config::pipeline::{PipelineConfig, Start};
use crate::data::{ColumnData, Factor, Table};
use crate::error::{Error, Result};
use crate::simulate::survey::{
    EXPERIENCE_LEVELS, Population, REASON_LEVELS, RECOURSE_LEVELS, TRUST_LEVELS,
};

/// The whole register with every person's true answers and `true_weight` = 1 in the target
/// population (in scope and eligible), 0 elsewhere; and the target flags.
pub(super) fn population_table(cfg: &PipelineConfig, world: &World) -> Result<(Table, Vec<bool>)> {
    let (Some(pop), Start::Sample(sample)) = (&world.population, &cfg.start) else {
        return Err(Error::Internal("simulation world without population".into()));
    };
    let (scope, _) = crate::bind::sample::scope(sample, &world.table)?;
    let target: Vec<bool> = scope.iter().zip(&pop.eligible).map(|(s, e)| *s && *e).collect();
    let mut table = world.table.clone();
    for (name, col) in true_answers(pop) {
        table.add_column(&name, col)?;
    }
    table.add_column(
        "true_weight",
        ColumnData::F64(target.iter().map(|t| Some(if *t { 1.0 } else { 0.0 })).collect()),
    )?;
    Ok((table, target))
}

fn yes_no(v: &[bool]) -> ColumnData {
    ColumnData::Str(v.iter().map(|b| Some(if *b { "yes" } else { "no" }.to_string())).collect())
}

fn levels(v: &[u8], labels: &[&str]) -> ColumnData {
    ColumnData::Str(v.iter().map(|&c| labels.get(c as usize).map(|s| (*s).to_string())).collect())
}

/// Every person's true answers, coded as the collection codes respondents' answers
/// ([`crate::simulate::collection::survey_columns`]).
pub fn true_answers(p: &Population) -> Vec<(String, ColumnData)> {
    let trusts: Vec<bool> = p.trust.iter().map(|t| *t <= 1).collect();
    vec![
        ("trust".into(), levels(&p.trust, &TRUST_LEVELS)),
        ("trusts".into(), yes_no(&trusts)),
        ("slow".into(), yes_no(&p.slow)),
        ("costly".into(), yes_no(&p.costly)),
        ("complex".into(), yes_no(&p.complex)),
        ("fair".into(), yes_no(&p.fair)),
        ("court_experience".into(), levels(&p.experience, &EXPERIENCE_LEVELS)),
        ("dispute".into(), yes_no(&p.dispute)),
        ("recourse".into(), levels(&p.recourse, &RECOURSE_LEVELS)),
        ("nonrecourse_reason".into(), levels(&p.reason, &REASON_LEVELS)),
    ]
}

/// The calibration configuration with the target population's own counts as margins.
pub(super) fn true_margins(
    cfg: &CalibrationConfig,
    table: &Table,
    target: &[bool],
) -> Result<CalibrationConfig> {
    let mut c = crate::bind::calibration::with_table_margins(cfg)?;
    c.population_total = None;
    for m in &mut c.margins {
        match m {
            MarginSpec::Categorical { variables, figures, kind, groups, key } => {
                let factor = crate::bind::calibration::margin_factor(table, variables, groups)
                    .map_err(|(k, e)| Error::data(&cfg.file, format!("{key}{k}: {e}")))?;
                let mut n = vec![0.0; factor.levels.len()];
                for (&c, _) in factor.codes.iter().zip(target).filter(|(_, t)| **t) {
                    if c != Factor::MISSING {
                        n[c as usize] += 1.0;
                    }
                }
                let counts: Vec<(String, f64)> =
                    factor.levels.iter().cloned().zip(n).filter(|(_, n)| *n > 0.0).collect();
                *figures = counts.into_iter().collect();
                *kind = Figures::Totals;
            }
            MarginSpec::Numeric { variable, total, .. } => {
                let v = table.numeric(variable)?;
                *total = v.iter().zip(target).filter(|(_, t)| **t).map(|(x, _)| x).sum();
            }
        }
    }
    Ok(c)
}
