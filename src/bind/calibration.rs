//! Binding a calibration spec to the data (CONTRACT STUB: to be replaced by the real
//! implementation; other steps call these two names with these signatures).

pub use crate::config::calibrate::{build_margins as margins, margin_factor};
