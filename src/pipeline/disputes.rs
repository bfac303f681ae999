//! The respondents' civil disputes in a pipeline: the dispute file a synthetic run writes
//! (`disputes.csv`, one row per dispute) and the estimates and models about it (`disputes:`
//! and `dispute_models:` of the estimates step, files with `units: {file, key}`).
//!
//! # The dispute file
//! With a synthetic collection, the world knows every person's disputes
//! ([`crate::simulate::disputes`]); the file holds those of the **respondents** (positive
//! final weight) who answered `dispute` = `yes`, in the weighted file's row order, most recent
//! first: the key column (`units.key` of the disputes configuration, `person_id` in the FEJ
//! files), then [`DISPUTE_COLUMNS`]. Persons whose `break_off` column (when the weighted file
//! has one) reads `yes` stopped the questionnaire before the disputes module: no row. The
//! most recent dispute (`dispute_id` 1) carries the person's own `recourse` and
//! `nonrecourse_reason` answers as the weighted file has them, so that both files agree.
//!
//! Without a synthetic collection (an `input:` pipeline), `units.file` of the configurations
//! is the dispute file, read as given.

use super::chain::{Weighted, World};
use crate::config::estimate::EstimateConfig;
use crate::config::model::ModelConfig;
use crate::config::pipeline::PipelineConfig;
use crate::data::{ColumnData, Table};
use crate::error::Result;
use crate::simulate::survey::{REASON_LEVELS, RECOURSE_LEVELS};
use crate::simulate::{Disputes, STAKE_LEVELS, TYPE_LEVELS};
use std::path::{Path, PathBuf};

/// Columns of the dispute file after the key: `dispute_id` (1 = most recent), `type`
/// ([`TYPE_LEVELS`]), `stake` ([`STAKE_LEVELS`]), `recourse` (court, mediation, none),
/// `nonrecourse_reason` (missing unless recourse is none) and `one` (1 on every row: a
/// total of `one` counts disputes).
pub const DISPUTE_COLUMNS: [&str; 6] =
    ["dispute_id", "type", "stake", "recourse", "nonrecourse_reason", "one"];

/// The column of the weighted file naming the persons who broke off before the disputes
/// module (`yes`): they hold no dispute row.
pub const BREAK_OFF: &str = "break_off";

/// Code of a question the filter skipped (`missing_codes: not_asked` of the configurations).
pub const NOT_ASKED: &str = "not_asked";

/// The pipeline has estimates or models about disputes.
pub fn wanted(cfg: &PipelineConfig) -> bool {
    cfg.disputes.is_some() || cfg.dispute_models.is_some()
}

/// The pipeline writes the dispute file itself (a synthetic collection).
pub fn synthetic(cfg: &PipelineConfig) -> bool {
    wanted(cfg) && cfg.collection.is_some()
}

/// The key column joining disputes to persons (`units.key` of the disputes configuration,
/// else of the dispute models).
pub fn key(cfg: &PipelineConfig) -> Option<&str> {
    let e = cfg.disputes.iter().chain(cfg.dispute_models.iter().map(|m| &m.design));
    e.filter_map(|c| c.units.as_ref()).map(|u| u.key.as_str()).next()
}

/// The respondents' disputes (module docs): `rows[k]` is the frame row of the weighted
/// file's row k, `weight` its final weight column.
///
/// # Errors
/// The key, weight, `dispute`, `recourse` or `nonrecourse_reason` column unreadable.
pub fn dispute_table(
    key: &str,
    weight: &str,
    disputes: &Disputes,
    rows: &[usize],
    persons: &Table,
) -> Result<Table> {
    let keys = persons.factor(key)?;
    let w = persons.numeric(weight)?;
    let text = |name: &str| -> Result<Option<Vec<Option<String>>>> {
        if !persons.has_column(name) {
            return Ok(None);
        }
        let f = persons.factor(name)?;
        Ok(Some(f.codes.iter().map(|&c| f.levels.get(c as usize).cloned()).collect()))
    };
    let (break_off, answered) = (text(BREAK_OFF)?, text("dispute")?);
    let (recourse, reason) = (text("recourse")?, text("nonrecourse_reason")?);
    let is = |col: &Option<Vec<Option<String>>>, k: usize, v: &str| {
        col.as_ref().map(|c| c[k].as_deref() == Some(v))
    };
    let mut cols: [Vec<Option<String>>; 5] = Default::default();
    let mut ids = Vec::new();
    for (k, &i) in rows.iter().enumerate() {
        let holds = w[k] > 0.0
            && is(&break_off, k, "yes") != Some(true)
            && is(&answered, k, "yes") != Some(false);
        if !holds {
            continue;
        }
        for (n, j) in disputes.of(i).enumerate() {
            ids.push(Some(n as i64 + 1));
            cols[0].push(keys.levels.get(keys.codes[k] as usize).cloned());
            cols[1].push(Some(TYPE_LEVELS[disputes.kind[j] as usize].to_string()));
            cols[2].push(Some(STAKE_LEVELS[disputes.stake[j] as usize].to_string()));
            let own = |c: &Option<Vec<Option<String>>>, levels: &[&str], v: u8| match c {
                Some(c) if n == 0 => c[k].clone(),
                _ => levels.get(v as usize).map(|s| (*s).to_string()),
            };
            cols[3].push(own(&recourse, &RECOURSE_LEVELS, disputes.recourse[j]));
            // The reason is asked of disputes without recourse only: elsewhere it is coded
            // `not_asked`, as the person file's question (src/simulate/collection.rs).
            let asked = own(&reason, &REASON_LEVELS, disputes.reason[j]);
            cols[4].push(asked.or_else(|| Some(NOT_ASKED.to_string())));
        }
    }
    let ones = ColumnData::I64(vec![Some(1); ids.len()]);
    let [key_col, kind, stake, recourse, reason] = cols;
    Table::from_columns(vec![
        (key.to_string(), ColumnData::Str(key_col)),
        (DISPUTE_COLUMNS[0].into(), ColumnData::I64(ids)),
        (DISPUTE_COLUMNS[1].into(), ColumnData::Str(kind)),
        (DISPUTE_COLUMNS[2].into(), ColumnData::Str(stake)),
        (DISPUTE_COLUMNS[3].into(), ColumnData::Str(recourse)),
        (DISPUTE_COLUMNS[4].into(), ColumnData::Str(reason)),
        (DISPUTE_COLUMNS[5].into(), ones),
    ])
}

/// The respondents' disputes of a run (synthetic collections with dispute configurations
/// only), written under a temporary name in the output folder `out`.
///
/// # Errors
/// Columns unreadable; writing errors.
pub fn run_file(
    cfg: &PipelineConfig,
    world: &World,
    w: &Weighted,
    out: &Path,
) -> Result<Option<TempFile>> {
    let (Some(disputes), Some(key)) = (&world.disputes, key(cfg)) else {
        return Ok(None);
    };
    let table = dispute_table(key, cfg.final_weight(), disputes, &w.rows, &w.table)?;
    TempFile::write(&table, out.join(".tmp-disputes.csv")).map(Some)
}

/// The dispute configurations of the pipeline with their unit file replaced by `file`
/// (the dispute file the run or the replication writes).
pub fn pointed(cfg: &PipelineConfig, file: &Path) -> (Option<EstimateConfig>, Option<ModelConfig>) {
    let point = |e: &mut EstimateConfig| {
        if let Some(u) = &mut e.units {
            u.file = file.to_path_buf();
        }
    };
    let mut e = cfg.disputes.clone();
    e.iter_mut().for_each(point);
    let mut m = cfg.dispute_models.clone();
    m.iter_mut().for_each(|m| point(&mut m.design));
    (e, m)
}

/// A dispute file written under a temporary name, removed when dropped unless renamed to its
/// final name ([`TempFile::keep`]).
#[derive(Debug)]
pub struct TempFile {
    /// The temporary path.
    pub path: PathBuf,
    kept: bool,
}

impl TempFile {
    /// Writes `table` to `path` (its format by extension).
    ///
    /// # Errors
    /// Writing errors.
    pub fn write(table: &Table, path: PathBuf) -> Result<TempFile> {
        let t = TempFile { path, kept: false };
        table.write(&t.path)?;
        Ok(t)
    }

    /// Renames the file to `to`.
    ///
    /// # Errors
    /// The rename fails.
    pub fn keep(mut self, to: &Path) -> Result<()> {
        std::fs::rename(&self.path, to).map_err(|e| crate::error::Error::io(to, e))?;
        self.kept = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Checks the dispute configurations' columns before any work: with a synthetic
/// collection, against the weighted file's columns `cols` and the dispute file's (the key
/// must be a column of the weighted file); otherwise against `cols` and the header of each
/// configuration's own unit file.
///
/// # Errors
/// [`crate::Error::Config`] on the configuration naming the key or the unknown columns; an
/// unreadable unit file.
pub fn check_columns(cfg: &PipelineConfig, cols: &[String]) -> Result<()> {
    let weighted = "the pipeline's weighted file";
    let designs = cfg.disputes.iter().chain(cfg.dispute_models.iter().map(|m| &m.design));
    for e in designs.clone() {
        let Some(a) = e.units.as_ref().and_then(|u| u.answered.as_ref()) else { continue };
        if let Some(c) = std::iter::once(&a.column).chain(&a.classes).find(|c| !cols.contains(c)) {
            let hint = crate::hint::suggest(c, cols.iter().map(String::as_str))
                .map(|s| format!("did you mean `{s}`?"));
            return Err(e.source.error(
                "units.answered",
                format!("no column `{c}` in {weighted} (the filter question and its classes are person columns)"),
                hint,
            ));
        }
    }
    if !synthetic(cfg) {
        if let Some(e) = &cfg.disputes {
            crate::bind::estimate::check_column_names(e, cols, weighted)?;
        }
        if let Some(m) = &cfg.dispute_models {
            let mut names = cols.to_vec();
            if let Some(u) = &m.design.units {
                names.extend(crate::bind::units::unit_columns(u)?);
            }
            crate::bind::model::check_column_names(m, &names, weighted)?;
        }
        return Ok(());
    }
    for e in designs {
        if let Some(u) = &e.units
            && !cols.contains(&u.key)
        {
            return Err(e.source.error(
                "units.key",
                format!(
                    "key `{}` is not a column of {weighted}: the dispute file the run writes \
                     holds each person's key from the weighted file",
                    u.key
                ),
                Some("`units: {file: disputes.csv, key: person_id}`".into()),
            ));
        }
    }
    let mut names = cols.to_vec();
    names.extend(DISPUTE_COLUMNS.iter().map(|c| (*c).to_string()));
    let source = format!("{weighted} or its disputes.csv");
    if let Some(e) = &cfg.disputes {
        let mut plain = e.clone();
        plain.units = None;
        crate::bind::estimate::check_column_names(&plain, &names, &source)?;
    }
    if let Some(m) = &cfg.dispute_models {
        crate::bind::model::check_column_names(m, &names, &source)?;
    }
    Ok(())
}
