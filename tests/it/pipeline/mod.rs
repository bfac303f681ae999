//! The pipeline's disputes: the dispute file `ponder run` writes, the dispute-level
//! estimates, models and report chart, the checks of the `disputes:` keys, and
//! `ponder simulate` at dispute level.

mod codebook_units;
mod disputes;
mod disputes_simulation;
