//! Synthetic populations for examples, tests and benchmarks, and the synthetic
//! « Français et la justice » (FEJ) survey world.
//!
//! - [`generate_frame`]`(n, seed) -> Result<PersonFrame>`: a register of `n` persons living
//!   in France (sex, age, age group, region, department, household size, diploma,
//!   socio-professional group, dwelling type) with margins from published Insee tables
//!   ([`margins`]); 68 million rows take a few seconds.
//! - [`PersonFrame`]: contiguous `u8`/`u32` columns, level tables (`SEX_LEVELS`…),
//!   helpers for sampling (`region_strata`, `sex_age`, `household_size_f64`, `fej_scope`) and
//!   `write_csv`.
//! - [`survey`]: [`generate_population`]`(&frame, seed) -> Population`, for every register
//!   person: eligibility (frame errors), internet use, a usable telephone number, and the
//!   true answers (trust in justice [`TRUST_LEVELS`], slow / costly / complex / fair,
//!   experience of the courts [`EXPERIENCE_LEVELS`], civil dispute, recourse
//!   [`RECOURSE_LEVELS`], reason for non-recourse [`REASON_LEVELS`]). Logistic models
//!   additive in the frame variables, never depending on internet or telephone (nonresponse
//!   is ignorable given the frame variables). Deterministic whatever the thread count.
//! - [`collection`]: [`collect`]`(&population, &frame, &rows, &CollectionModel, &mut rng)
//!   -> Collected` simulates the web-then-telephone field work of the sampled rows (outcome
//!   [`OUTCOME_LEVELS`], `has_phone`, answers as given with an optional telephone mode
//!   effect); [`survey_columns`]`(&population, &rows, &collected)` gives the columns to
//!   append to the sample table (`outcome`, `has_phone`, `trust`, `trusts`, `slow`, `costly`,
//!   `complex`, `fair`, `court_experience`, `dispute`, `recourse`, `nonrecourse_reason`;
//!   answers missing for non-respondents). [`CollectionModel`] is the YAML `collection:`
//!   block (`mode_effect`, `phone_relaunch`, `unknown_rate`; check with `validate`).
//! - [`disputes`]: [`generate_disputes`]`(&frame, &population, seed) -> Disputes`, every
//!   person's civil disputes of the last five years (0..5: type [`TYPE_LEVELS`], stake
//!   [`STAKE_LEVELS`], recourse, reason for non-recourse), the most recent one carrying the
//!   person-level `recourse` / `reason` of [`survey`]; its own random streams, so the survey
//!   population's draws are unchanged.
//! - [`census`]: [`fej_margins`]`() -> CensusMargins`, the calibration margins of the FEJ
//!   population (adults 18+ in ordinary dwellings, France excluding Mayotte) derived
//!   analytically from the generator's tables; `calibration/fej2024.yaml` and
//!   `notebooks-data/census_margins.csv` are written from it (tests check they agree).
//!
//! - [`notebook`]: the bytes of the committed `notebooks-data/` files (`frame.csv` is
//!   `generate_frame(20_000, 2024)` written by `write_csv`; `census_margins.csv`).

pub mod census;
pub mod collection;
pub mod disputes;
mod frame;
pub mod margins;
pub mod notebook;
pub mod survey;

pub use census::{CensusMargin, CensusMargins, fej_margins};
pub use collection::{Collected, CollectionModel, OUTCOME_LEVELS, collect, survey_columns};
pub use disputes::{Disputes, STAKE_LEVELS, TYPE_LEVELS, generate_disputes};
pub use frame::{
    AGE_GROUP_LEVELS, DIPLOMA_LEVELS, DWELLING_LEVELS, PCS_LEVELS, PersonFrame, SEX_LEVELS,
    department_codes, generate_frame,
};
pub use survey::{
    EXPERIENCE_LEVELS, Population, REASON_LEVELS, RECOURSE_LEVELS, TRUST_LEVELS,
    generate_population,
};

/// Rows generated with one random stream (survey population, disputes).
const CHUNK: usize = 1 << 16;

/// `draw` over the rows `0..n` in chunks of [`CHUNK`] rows, each with its own ChaCha8
/// stream `offset + chunk` of `seed`, in parallel; the results in chunk order, so the
/// output is the same whatever the thread count.
fn in_streams<T: Send>(
    n: usize,
    seed: u64,
    offset: u64,
    draw: impl Fn(std::ops::Range<usize>, &mut rand_chacha::ChaCha8Rng) -> T + Sync,
) -> Vec<T> {
    use rand::SeedableRng;
    use rayon::prelude::*;
    (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            rng.set_stream(offset + c as u64);
            draw(c * CHUNK..((c + 1) * CHUNK).min(n), &mut rng)
        })
        .collect()
}
