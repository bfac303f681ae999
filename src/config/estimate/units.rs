//! `units: {file, key}` of an estimation config: a linked unit file (one row per dispute,
//! say) whose rows the estimates are about.

use super::EstimateConfig;
use crate::config::Problems;
use crate::error::Result;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// `units: {file: disputes.csv, key: person_id}` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawUnits {
    file: PathBuf,
    key: String,
    #[serde(default)]
    answered: Option<RawAnswered>,
}

/// `answered: {column: dispute, classes: [sex, age_group]}` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAnswered {
    column: String,
    classes: Vec<String>,
}

/// `units.answered`: the unit file holds the units of the persons who answered the filter
/// question `column` only (a respondent who broke off before it, or answered don't know, has
/// no unit rows although he may hold units). Those persons are reweighted to all the
/// persons of positive weight within `classes` (see `bind::units::reweight_answerers`),
/// with every replicate weight, so totals of units are not biased down by the unanswered
/// filter.
#[derive(Debug, Clone, PartialEq)]
pub struct Answered {
    /// The filter question's column in the weighted file: answered when neither blank nor a
    /// declared missing-answer code (`missing_codes:`).
    pub column: String,
    /// Class columns of the weighted file.
    pub classes: Vec<String>,
}

/// A linked unit file (`units:`): the rows estimates are about (one per dispute, say), each
/// carrying the key of its row in the weighted file (the person), whose weight, replicate
/// weights and design position it inherits (joined by the bind layer, `bind::units`).
#[derive(Debug, Clone, PartialEq)]
pub struct UnitsSpec {
    /// The unit file, resolved against the configuration's folder.
    pub file: PathBuf,
    /// The key column, present in both files (unique in the weighted file).
    pub key: String,
    /// Only the persons who answered a filter question hold units (`answered:`).
    pub answered: Option<Answered>,
}

/// The `design:` block as written (shared with `config::model`).
impl EstimateConfig {
    /// The unit file given on the command line (`ponder estimate --units FILE`) replaces
    /// `units.file`; the key stays the config's `units.key`.
    ///
    /// # Errors
    /// [`crate::Error::Config`] when the config has no `units:` block (no key).
    pub fn set_units_file(&mut self, file: &Path) -> Result<()> {
        match &mut self.units {
            Some(u) => {
                u.file = file.to_path_buf();
                Ok(())
            }
            None => Err(self.source.error(
                "units",
                "`--units` needs a `units: {file, key}` block in the config (its key joins the \
                 units to the weighted file)",
                Some("add e.g. `units: {file: disputes.csv, key: person_id}`".into()),
            )),
        }
    }

    /// The linked unit file, if any (an output must not overwrite it).
    pub fn units_file(&self) -> Option<&Path> {
        self.units.as_ref().map(|u| u.file.as_path())
    }
}

/// `units:`: a key column name and the unit file, resolved against the folder of the
/// configuration `path` (read, and checked against the data, by `bind::units`).
pub(crate) fn validate_units(
    path: &Path,
    raw: Option<&RawUnits>,
    p: &mut Problems,
) -> Option<UnitsSpec> {
    let r = raw?;
    if r.key.trim().is_empty() {
        p.push(
            "units.key",
            "the key column name is empty",
            Some(
                "the column of the unit file holding its person's key, e.g. `key: person_id`"
                    .into(),
            ),
        );
        return None;
    }
    let base = path.parent().unwrap_or(Path::new("."));
    let file = if r.file.is_absolute() { r.file.clone() } else { base.join(&r.file) };
    let answered = r.answered.as_ref().and_then(|a| {
        if a.column.trim().is_empty() || a.classes.is_empty() {
            p.push(
                "units.answered",
                "needs the filter question's `column` and at least one class column",
                Some("e.g. `answered: {column: dispute, classes: [sex, age_group]}`".into()),
            );
            return None;
        }
        Some(Answered { column: a.column.clone(), classes: a.classes.clone() })
    });
    Some(UnitsSpec { file, key: r.key.clone(), answered })
}
