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
    Some(UnitsSpec { file, key: r.key.clone() })
}
