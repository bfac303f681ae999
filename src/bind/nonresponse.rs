//! Binding a nonresponse spec to the data (CONTRACT STUB: to be replaced by the real
//! implementation; other steps call this name with this signature).

use crate::config::nonresponse::NonresponseConfig;
use crate::data::Table;
use crate::error::Result;
use crate::nonresponse::{Adjustment, Nonresponse};

/// The nonresponse adjustment of the design weights `d` described by `cfg`, on the status
/// and model columns of `table`.
///
/// # Errors
/// Columns missing from the table, bad status codes, the method's own errors.
pub fn adjust(cfg: &NonresponseConfig, table: &Table, d: &[f64]) -> Result<Adjustment> {
    let cols = cfg.read_columns(table)?;
    Nonresponse::new(cfg.spec(&cols))?.adjust(d)
}
