//! The package's codebook: the entries of the source codebook for the columns written as
//! they are. A column coarsened in place keeps no entry (its values are now groups); a
//! column coarsened into another name keeps that name's entry when the codebook has one
//! (department → region: the region's labels). Dropped columns and the identifier never
//! appear.

use super::Plan;
use super::columns::Built;
use crate::error::{Error, Result};

/// The codebook YAML of the package, `None` without a source codebook.
///
/// # Errors
/// The subset cannot be written as YAML (a bug).
pub(super) fn subset(plan: &Plan, built: &Built) -> Result<Option<String>> {
    let Some(source) = &plan.codebook else { return Ok(None) };
    let described = |name: &str| -> bool {
        let in_package = built.columns.iter().any(|(c, _)| c == name);
        let is_key = plan.id.as_ref().is_some_and(|(_, k)| k == name);
        let in_place = plan.coarsen.iter().any(|c| c.into == name && c.variable == name);
        in_package && !is_key && !in_place
    };
    let mut kept = serde_yaml::Mapping::new();
    for (k, v) in source {
        if k.as_str().is_some_and(described) {
            kept.insert(k.clone(), v.clone());
        }
    }
    let mut root = serde_yaml::Mapping::new();
    root.insert("variables".into(), serde_yaml::Value::Mapping(kept));
    // written in YAML's JSON form: every code quoted, so that no YAML reader takes `yes`,
    // `no` or `01` for anything but text
    let text = serde_json::to_value(serde_yaml::Value::Mapping(root))
        .and_then(|v| serde_json::to_string_pretty(&v))
        .map_err(|e| Error::Internal(format!("writing the package codebook: {e}")))?;
    Ok(Some(format!(
        "# Labels of the variables of data.csv / data.parquet (ponder codebook format:\n\
         # label and value labels in French and English; YAML in its JSON form).\n{text}\n"
    )))
}
