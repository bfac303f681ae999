//! Calibration: reference cases against R (`survey`, `sampling`), properties, pre-check
//! errors and infeasibility diagnostics.

mod errors;
mod fixtures;
mod margins_table;
mod properties;
mod reference;
mod replicates;
