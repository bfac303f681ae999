//! Synthetic populations for examples, tests and benchmarks.
//!
//! - [`generate_frame`]`(n, seed) -> Result<PersonFrame>`: a register of `n` persons living
//!   in France (sex, age, age group, region, department, household size, diploma,
//!   socio-professional group, dwelling type) with margins from published Insee tables
//!   ([`margins`]); 68 million rows take a few seconds.
//! - [`PersonFrame`]: contiguous `u8`/`u32` columns, level tables (`SEX_LEVELS`…),
//!   helpers for sampling (`region_strata`, `sex_age`, `household_size_f64`, `fej_scope`) and
//!   `write_csv`.
//!
//! `notebooks-data/frame.csv` is `generate_frame(20_000, 2024)` written by `write_csv`.

pub mod collection;
mod frame;
pub mod margins;
pub mod survey;

pub use frame::{
    AGE_GROUP_LEVELS, DIPLOMA_LEVELS, DWELLING_LEVELS, PCS_LEVELS, PersonFrame, SEX_LEVELS,
    department_codes, generate_frame,
};
