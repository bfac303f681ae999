//! Dispute-level estimates in `ponder simulate` (`disputes:` of the estimates step).
//!
//! The world knows every person's disputes ([`crate::simulate::disputes`]). The **true
//! value** of a dispute-level estimate is the same estimate on the disputes of the whole
//! target population (in-scope eligible persons, `true_weight` 1, their true answers);
//! replication k writes the disputes of **its own** respondents ([`dispute_table`], as
//! `ponder run` does) and estimates on them at each step, the person being the unit of the
//! design. The dispute files are written to the system's temporary folder and removed after
//! use. The dispute models (`dispute_models:`) are not simulated.

use super::STEPS;
use super::summary::{Item, Key, Obs, estimate_key};
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

/// The dispute configuration, when the pipeline has one; its estimate names must differ
/// from the person-level ones (the simulation's rows are keyed by name).
///
/// # Errors
/// A name shared by both files; a synthetic world without disputes (internal).
pub(super) fn config<'a>(
    cfg: &'a PipelineConfig,
    estimates: &EstimateConfig,
    world: &World,
) -> Result<Option<&'a EstimateConfig>> {
    let Some(d) = &cfg.disputes else { return Ok(None) };
    if let Some(r) = d.requests.iter().find(|r| estimates.requests.iter().any(|e| e.name == r.name))
    {
        return Err(Error::data(
            &d.file,
            format!(
                "estimate `{}` is also in {}: in a simulation the dispute-level estimates need \
                 names of their own",
                r.name, estimates.file
            ),
        ));
    }
    if world.disputes.is_none() {
        return Err(Error::Internal("simulation world without disputes".into()));
    }
    Ok(Some(d))
}

/// The population values of the dispute-level estimates: the disputes of the target
/// population (`true_weight` > 0 in `truth_table`, the register with the true answers).
///
/// # Errors
/// Estimation errors.
pub(super) fn truths(
    cfg: &PipelineConfig,
    world: &World,
    truth_table: &Table,
) -> Result<Vec<(Key, f64)>> {
    let rows: Vec<usize> = (0..truth_table.n_rows()).collect();
    let file = write(cfg, world, &rows, truth_table, "true_weight", "truth")?;
    let (Some(e), _) = pointed(cfg, &file.path) else { return Ok(Vec::new()) };
    let rows = crate::bind::estimate::compute(&e.with_weights("true_weight", None), truth_table)?;
    Ok(rows.iter().map(|r| (estimate_key(r), r.estimate)).collect())
}

/// One replication's dispute-level estimates at each step (`weights[s]`: the weight column
/// of step `s`, with `<weight>_rep_*` replicates; empty: step skipped).
///
/// # Errors
/// Estimation errors.
pub(super) fn replicate(
    cfg: &PipelineConfig,
    world: &World,
    w: &Weighted,
    weights: &[String],
    tag: u64,
) -> Result<Vec<Item>> {
    let final_weight = cfg.final_weight();
    let file = write(cfg, world, &w.rows, &w.table, final_weight, &tag.to_string())?;
    let (Some(e), _) = pointed(cfg, &file.path) else { return Ok(Vec::new()) };
    let mut items = Vec::new();
    for (s, weight) in weights.iter().enumerate().take(STEPS.len()) {
        if weight.is_empty() {
            continue;
        }
        let e = e.with_weights(weight, Some(&format!("{weight}_rep_*")));
        let rows = crate::bind::estimate::compute(&e, &w.table)?;
        items.extend(rows.iter().map(|r| (s, estimate_key(r), Obs::from(r))));
    }
    Ok(items)
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
