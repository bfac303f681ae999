//! Sample design and selection: allocation over strata, inclusion probabilities, and the
//! selection methods of R `sampling` (SRSWOR, systematic πps, Poisson, balanced cube), all
//! seeded and streaming over contiguous frame columns (time linear in N: a 68-million-row
//! register is a few passes over a `Vec<u32>` of stratum codes).
//!
//! # Public API (for the CLI / pipeline)
//!
//! Frame and scope:
//! - [`Strata`]: `Strata::from_codes(column, codes, labels)` (factor codes), `from_values`,
//!   `single(n_rows)`, `cross(&[&a, &b])`; `restrict(&in_scope_mask)` applies the `filters`
//!   (rows stay in place with code [`OUT_OF_SCOPE`], so sample rows index the original frame);
//!   `drop_empty()` removes strata emptied by the scope and returns their labels (report
//!   them); `per_stratum(key, &map, default)` aligns YAML maps such as
//!   `response_rate: {"11": 0.55}` on the strata (unknown label → error with did-you-mean).
//!
//! Allocation:
//! - [`allocate`]`(strata.sizes(), strata.labels(), &AllocationSpec) -> Result<Allocation>`
//!   with [`AllocationSpec`] `{ n, method, basis, response_rate, oversample, min, max }` and
//!   [`AllocationMethod`] `Given | Equal | Proportional | Neyman { sd } | Optimal { sd, cost }`;
//!   [`stratum_sd`]`(values, &strata, column)` gives S_h (divisor N_h − 1) from a frame column,
//!   [`stratum_constant`]`(values, &strata, column)` a per-stratum cost column's c_h.
//! - [`round_largest_remainder`]`(x, total, upper)`.
//!
//! Inclusion probabilities:
//! - [`inclusion_probabilities`]`(size, n, column)` (R `inclusionprobabilities`),
//!   [`inclusion_probabilities_stratified`]`(size, &strata, &n_h, column)`,
//!   [`equal_probabilities`]`(&strata, &n_h)`.
//!
//! Selection (each takes `&mut ChaCha8Rng` and `Option<&indicatif::ProgressBar>`; the bar is
//! advanced by the number of frame rows visited, in batches of 2^20 rows):
//! - [`select_srswor`]`(&strata, &n_h, rng, bar) -> Result<Sample>`;
//! - [`select_systematic_sorted`]`(&pi, &strata, &[SortKey], rng, bar)` on the declared
//!   `sort` (two sequential passes when the keys are codes; otherwise it sorts), or
//!   [`select_systematic`]`(&pi, &strata, Option<&order>, rng, bar)` on a permutation from
//!   [`sort_order`]`(n_rows, &[SortKey])`;
//! - [`select_poisson`]`(&pi, &strata, rng, bar)`;
//! - [`select_cube`]`(&pi, &strata, &[BalanceVar], &CubeOptions, rng, bar) ->
//!   Result<(Sample, BalanceReport)>`.
//!
//! All in one: [`draw`]`(&SamplingPlan { strata, allocation, method }, rng, bar) ->
//! Result<Drawn { sample, report }>` where [`SelectionMethod`] is `Srswor | Systematic { size,
//! sort } | Poisson { size } | Cube { size, balance, options }` and [`DesignReport`] (serde)
//! is the `--report` JSON: per stratum N_h, allocation before rounding, n_h, drawn, weight;
//! for the cube the HT estimate vs frame total of every balancing column.
//!
//! [`Sample`] holds, per selected unit in frame order: `rows`, `pi`, `design_weight` (1/π),
//! `stratum` (code into `strata.labels()`), `certainty`.
//!
//! # Conventions
//! - Missing numeric values are NaN; missing codes are `data::Factor::MISSING`.
//! - Errors are `Error::Method { step: "sampling", .. }` naming the stratum / column / rows and
//!   what to do; nothing is clamped silently (bounds hit are reported per stratum).
//! - Same seed → same sample, independent of the thread count (selection is sequential).

mod allocation;
mod cube;
mod inclusion;
mod order;
mod plan;
mod poisson;
mod progress;
mod rng;
mod rounding;
mod sample;
mod srswor;
mod strata;
mod systematic;
mod systematic_sorted;
mod validate;

pub use allocation::{
    Allocation, AllocationMethod, AllocationSpec, BoundHit, SizeBasis, StratumAllocation, allocate,
    stratum_constant, stratum_sd,
};
pub use cube::{BalanceCheck, BalanceReport, BalanceVar, CubeOptions, CubeOrder, select_cube};
pub use inclusion::{
    CappingSummary, InclusionProbabilities, equal_probabilities, inclusion_probabilities,
    inclusion_probabilities_stratified,
};
pub use order::{SortKey, sort_order};
pub use plan::{
    DesignReport, Drawn, SamplingPlan, SelectionMethod, SizeColumn, StratumReport, draw,
};
pub use poisson::select_poisson;
pub use rounding::round_largest_remainder;
pub use sample::Sample;
pub use srswor::select_srswor;
pub use strata::{CROSS_SEPARATOR, OUT_OF_SCOPE, Strata};
pub use systematic::select_systematic;
pub use systematic_sorted::select_systematic_sorted;
