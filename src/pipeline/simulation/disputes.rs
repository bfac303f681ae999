//! Dispute-level estimates in `ponder simulate` (`disputes:` of the estimates step).
//!
//! The world knows every person's disputes ([`crate::simulate::disputes`]). The **true
//! value** of a dispute-level estimate is the same estimate on the disputes of the whole
//! target population (in-scope eligible persons, `true_weight` 1, their true answers);
//! replication k writes the disputes of **its own** respondents ([`dispute_table`], as
//! `ponder run` does) and estimates on them at each step, the person being the unit of the
//! design. The dispute models (`dispute_models:`) are checked the same way against their
//! census fit on the population's disputes. The dispute files are written to the system's
//! temporary folder and removed after use.

use super::STEPS;
use super::summary::{Key, Obs, Run, estimate_key};
use crate::config::estimate::EstimateConfig;
use crate::config::pipeline::PipelineConfig;
use crate::data::Table;
use crate::error::{Error, Result};
use crate::pipeline::chain::{Weighted, World};
use crate::pipeline::disputes::{TempFile, dispute_table, key, pointed};
use std::path::PathBuf;

/// A temporary dispute file named after the process and `tag` (unique per replication).
fn temp_path(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!("ponder-simulate-{}-{tag}-disputes.csv", std::process::id()))
}

/// A unit file named by the person-level files (`config:`, `models:`, `modes:`) would be
/// the same for every replication, whose respondents differ: refused, before any file is
/// read.
///
/// # Errors
/// [`Error::Data`] naming the file, and `disputes:` as the fix.
pub(super) fn refuse_fixed_units(cfg: &PipelineConfig) -> Result<()> {
    let models = cfg.models.iter().chain(&cfg.modes).map(|m| &m.design);
    let Some(e) = cfg.estimates.iter().chain(models).find(|e| e.units.is_some()) else {
        return Ok(());
    };
    Err(Error::data(
        &e.file,
        "`units:` in a file of `config:`, `models:` or `modes:` of the estimates step: in a \
         simulation each replication has its own respondents, so one unit file cannot serve \
         them all; name the file under `disputes:` of the estimates step instead (each \
         replication then writes its own respondents' disputes)",
    ))
}

/// Whether the pipeline has dispute-level estimates or models; their names must differ
/// from the person-level ones (the simulation's rows are keyed by name).
///
/// # Errors
/// A name shared by the two levels; a synthetic world without disputes (internal).
pub(super) fn wanted(
    cfg: &PipelineConfig,
    estimates: &EstimateConfig,
    world: &World,
) -> Result<bool> {
    let shared = |file: &str, mine: Vec<&String>, theirs: Vec<&String>, other: &str| match mine
        .into_iter()
        .find(|n| theirs.contains(n))
    {
        Some(n) => Err(Error::data(
            file,
            format!(
                "`{n}` is also a name in {other}: in a simulation the dispute-level \
                     estimates and models need names of their own"
            ),
        )),
        None => Ok(()),
    };
    if let Some(d) = &cfg.disputes {
        let theirs = estimates.requests.iter().map(|r| &r.name).collect();
        shared(&d.file, d.requests.iter().map(|r| &r.name).collect(), theirs, &estimates.file)?;
    }
    if let (Some(d), Some(m)) = (&cfg.dispute_models, &cfg.models) {
        let names = |c: &'_ crate::config::model::ModelConfig| -> Vec<String> {
            c.models
                .iter()
                .map(|x| x.name.clone())
                .chain(c.tests.iter().map(|t| t.name.clone()))
                .collect()
        };
        let (mine, theirs) = (names(d), names(m));
        shared(&d.file, mine.iter().collect(), theirs.iter().collect(), &m.file)?;
    }
    if !crate::pipeline::disputes::wanted(cfg) {
        return Ok(false);
    }
    if world.disputes.is_none() {
        return Err(Error::Internal("simulation world without disputes".into()));
    }
    Ok(true)
}

/// The population values of the dispute-level estimates, and of the dispute models' rows
/// (`None` for tests).
pub(super) type Truths = (Vec<(Key, f64)>, Vec<(Key, Option<f64>)>);

/// The population values of the dispute-level estimates and of the dispute models' rows
/// (their census fit): on the disputes of the target population (`true_weight` > 0 in
/// `truth_table`, the register with the true answers; `target` its rows).
///
/// # Errors
/// Estimation errors; the census fit's errors.
pub(super) fn truths(
    cfg: &PipelineConfig,
    world: &World,
    truth_table: &Table,
    target: &[bool],
) -> Result<Truths> {
    let rows: Vec<usize> = (0..truth_table.n_rows()).collect();
    let file = write(cfg, world, &rows, truth_table, "true_weight", "truth")?;
    let (mut e, mut m) = pointed(cfg, &file.path);
    // The population's disputes are all known (its true answers have no missing filter):
    // `units.answered`, a correction of the sample's missing filter answers, has no object.
    let known = |u: &mut Option<crate::config::estimate::UnitsSpec>| {
        if let Some(u) = u {
            u.answered = None;
        }
    };
    e.iter_mut().for_each(|e| known(&mut e.units));
    m.iter_mut().for_each(|m| known(&mut m.design.units));
    let estimates = match e {
        Some(e) => {
            let rows =
                crate::bind::estimate::compute(&e.with_weights("true_weight", None), truth_table)?;
            rows.iter().map(|r| (estimate_key(r), r.estimate)).collect()
        }
        None => Vec::new(),
    };
    let models = match m {
        Some(m) => super::models::truths(&m, truth_table, target)?,
        None => Vec::new(),
    };
    Ok((estimates, models))
}

/// One replication's dispute-level estimates and model rows at each step (`weights[s]`:
/// the weight column of step `s`, with `<weight>_rep_*` replicates; empty: step skipped).
///
/// # Errors
/// Estimation errors; model errors other than a fit failing on this sample.
pub(super) fn replicate(
    cfg: &PipelineConfig,
    world: &World,
    w: &Weighted,
    weights: &[String],
    tag: u64,
) -> Result<Run> {
    let final_weight = cfg.final_weight();
    let file = write(cfg, world, &w.rows, &w.table, final_weight, &tag.to_string())?;
    let (e, m) = pointed(cfg, &file.path);
    let mut out = Run::default();
    for (s, weight) in weights.iter().enumerate().take(STEPS.len()) {
        if weight.is_empty() {
            continue;
        }
        let glob = format!("{weight}_rep_*");
        if let Some(e) = &e {
            let rows =
                crate::bind::estimate::compute(&e.with_weights(weight, Some(&glob)), &w.table)?;
            out.items.extend(rows.iter().map(|r| (s, estimate_key(r), Obs::from(r))));
        }
        if let Some(m) = &m {
            let (rows, failed) = super::models::fit(m, weight, &glob, &w.table)?;
            out.items.extend(rows.into_iter().map(|(k, o)| (s, k, o)));
            out.failures.extend(failed.into_iter().map(|(name, e)| (s, name, e)));
        }
    }
    Ok(out)
}

/// Writes the disputes of the persons of `table` (frame rows `rows`) with a positive
/// `weight` to a temporary file.
fn write(
    cfg: &PipelineConfig,
    world: &World,
    rows: &[usize],
    table: &Table,
    weight: &str,
    tag: &str,
) -> Result<TempFile> {
    let (Some(disputes), Some(key)) = (&world.disputes, key(cfg)) else {
        return Err(Error::Internal("simulation of disputes without disputes".into()));
    };
    let t = dispute_table(key, weight, disputes, rows, table)?;
    TempFile::write(&t, temp_path(tag))
}
