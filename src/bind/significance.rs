//! Differences between each domain of a published estimate and its value over all the
//! domains, for the significance marks of the publication tables (`publication:
//! significance:`).
//!
//! For every request with `by:` whose statistic is a proportion (one category, or each of
//! them) or a mean, the domains are the crossings of the `by` columns that occur among
//! rows with a value, and [`domains_versus_overall`] gives `θ̂_d − θ̂` with the design
//! covariance of the two (the domain is part of the whole) on the same variance source as
//! the estimates: replicates, else the nonresponse phase, else linearization with the
//! calibration residuals. Totals, ratios and quantiles get no marks. The p-values are
//! raw: the correction for multiple comparisons is applied per table by the writer.

use crate::bind::design::{linearization, replicate_design, two_phase};
use crate::config::estimate::{EstimateConfig, Request, StatKind};
use crate::data::{Factor, Table};
use crate::error::Result;
use crate::model::{Variance, VersusOverall, domains_versus_overall, indicator};

/// The domain-versus-overall differences of every request of `cfg` with `by:` (none when
/// `publication: significance: false`).
///
/// # Errors
/// Design errors (as the estimates); unreadable columns; a config with `units:` (not
/// supported: the marks must be switched off).
pub fn versus_overall(cfg: &EstimateConfig, table: &Table) -> Result<Vec<VersusOverall>> {
    let wanted: Vec<&Request> = cfg.requests.iter().filter(|r| tested(r)).collect();
    if wanted.is_empty() || cfg.notes.significance.is_none() {
        return Ok(Vec::new());
    }
    if cfg.units.is_some() {
        // the domains would be taken on the person rows, not on the linked units
        return Err(cfg.source.error(
            "units",
            "significance marks are not computed for estimates on a linked unit file",
            Some("set `publication: significance: false` in this config".into()),
        ));
    }
    let all = |var: Variance| -> Result<Vec<VersusOverall>> {
        let mut out = Vec::new();
        for r in &wanted {
            out.extend(request(var, r, table)?);
        }
        Ok(out)
    };
    if let Some(r) = replicate_design(cfg, table)? {
        return all(Variance::Replicates(&r));
    }
    if let Some(t) = two_phase(cfg, table)? {
        return all(Variance::Linearization(&t));
    }
    all(Variance::Linearization(&linearization(cfg, table)?))
}

fn tested(r: &Request) -> bool {
    !r.by.is_empty() && matches!(r.stat, StatKind::Proportion(_) | StatKind::Mean)
}

fn request(var: Variance, r: &Request, table: &Table) -> Result<Vec<VersusOverall>> {
    let by: Vec<Factor> = r.by.iter().map(|b| table.factor(b)).collect::<Result<_>>()?;
    let (domain_of, domains) = crossings(&by);
    let ys: Vec<(Option<String>, Vec<f64>)> = match &r.stat {
        StatKind::Proportion(category) => {
            let f = table.factor(&r.variable)?;
            let cats: Vec<String> = category.iter().cloned().collect();
            let cats = if cats.is_empty() { f.levels.clone() } else { cats };
            cats.into_iter()
                .map(|c| indicator(&r.variable, &f, &c).map(|y| (Some(c), y)))
                .collect::<Result<_>>()?
        }
        _ => vec![(None, table.numeric_or_nan(&r.variable)?)],
    };
    let mut out = Vec::new();
    for (category, y) in ys {
        let diffs = domains_versus_overall(var, &y, &domain_of, domains.len(), r.level)?;
        for (d, diff) in domains.iter().zip(diffs) {
            let Some(difference) = diff else { continue };
            out.push(VersusOverall {
                name: r.name.clone(),
                category: category.clone(),
                domain: r.by.iter().zip(d).map(|(b, l)| (b.clone(), l.clone())).collect(),
                difference,
            });
        }
    }
    Ok(out)
}

/// The crossing of the `by` factors ([`Factor::cross`]): per row its domain (`None` when a
/// `by` value is missing) and each domain's levels of the `by` factors.
fn crossings(by: &[Factor]) -> (Vec<Option<usize>>, Vec<Vec<String>>) {
    let crossed = Factor::cross(&by.iter().collect::<Vec<_>>());
    let mut first: Vec<Option<usize>> = vec![None; crossed.levels.len()];
    for (k, &c) in crossed.codes.iter().enumerate() {
        if c != Factor::MISSING && first[c as usize].is_none() {
            first[c as usize] = Some(k);
        }
    }
    let levels = first
        .iter()
        .flatten()
        .map(|&k| by.iter().map(|f| f.levels[f.codes[k] as usize].clone()).collect())
        .collect();
    let of = crossed.codes.iter().map(|&c| (c != Factor::MISSING).then_some(c as usize)).collect();
    (of, levels)
}
