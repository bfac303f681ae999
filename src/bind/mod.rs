//! Binding: a validated spec (from [`crate::config`]) checked against the data it will run on,
//! turned into the library's objects.
//!
//! The layers read one way:
//!
//! ```text
//! config (YAML → specs) ─► bind (specs × data → library objects) ─► compute ─► report
//! ```
//!
//! [`crate::config`] reads and validates YAML without looking at any data; the functions
//! here look up the columns, categories and weights a spec names in a [`Table`], report
//! every problem at once with the key's line (from the spec's [`Source`], never by reading
//! the file again) and build what the compute modules take. `ponder <step>` and the
//! pipeline (`ponder run`, `ponder simulate`) call the same function for a step.

pub mod calibration;
pub mod codebook;
pub mod design;
pub mod estimate;
pub mod model;
pub mod nonresponse;
pub mod sample;
pub mod significance;
pub mod units;

use crate::config::Source;
use crate::data::Table;
use crate::error::Result;

/// The columns of `table` matching a config's `replicates:` glob.
///
/// # Errors
/// An invalid pattern; no matching column ([`crate::Error::Config`] on the `replicates` key
/// of `source`).
pub fn replicate_columns(source: &Source, table: &Table, pattern: &str) -> Result<Vec<String>> {
    let names = table.columns_matching(pattern)?;
    if names.is_empty() {
        return Err(source.error(
            "replicates",
            format!("no column of {} matches `{pattern}`", table.source()),
            Some("check the pattern (e.g. \"rep_*\") or remove `replicates:`".into()),
        ));
    }
    Ok(names)
}
