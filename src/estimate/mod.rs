//! Design-based estimation: totals, means, proportions, ratios and quantiles, for the whole
//! sample and for domains, with SE, CI, CV, design effect, counts and publication flags.
//!
//! # Public API
//! - [`estimate`]`(&VarianceSource, &EstimateSpec, &Publication) -> Result<Vec<EstimateRow>>`:
//!   one request (a line of `estimates:`) into output rows.
//! - The variance engine's [`VarianceSource`] (re-exported): `Linearization(&Linearization)`,
//!   `Replicates(&ReplicateDesign)` or `TwoPhase(&TwoPhase)`; estimators hand it their
//!   influence values (or their point values on each replicate).
//! - [`EstimateSpec`] { name, [`Statistic`], by, [`CiMethod`], level, [`DfRule`],
//!   [`MissingPolicy`], filter, keep_empty_domains }; [`Publication`] { min_n, max_cv,
//!   suppress }.
//! - The [`Estimator`] trait (point + influence values) with [`Total`], [`Mean`], [`Ratio`];
//!   proportions are means of indicators; quantiles use [`SortedSample`] + Woodruff.
//! - [`Domains`]: crossed `by` variables as one code per row (the full design is always
//!   used; never a subset).
//!
//! - [`MissingCodes`] (codes of not asked / item nonresponse / break-off), [`ItemSpec`] in
//!   the spec (`exclude` or reweighting within classes, module `item`), [`ItemRates`] in the
//!   rows.
//! - [`estimate_linked`]`(&VarianceSource, &UnitLink, &EstimateSpec, &Publication)`: the
//!   same about units linked to the design's rows (one row per dispute with its person):
//!   the person is the unit of the design ([`UnitLink`], module `units`).
//!
//! Conventions follow R `survey` 4.1 (svymean/svytotal/svyratio/svyby/svyciprop/svyquantile).

mod ci;
mod domain;
mod engine;
mod estimators;
mod item;
mod labels;
mod quantile;
mod run;
mod spec;
mod units;

pub use crate::variance::{TwoPhase, VarianceSource};
pub use ci::{CiMethod, critical_value, interval};
pub use domain::{Domains, NO_DOMAIN};
pub use estimators::{Estimator, Linearized, Mean, Ratio, Total};
pub use item::{Answer, ItemHandling, ItemRates, ItemSpec, MissingCodes, Role, same_code};
pub(crate) use item::{class_totals, ratio_adjusted};
pub use labels::{Heading, Labels, Text, VariableLabels};
pub use quantile::{QuantileRule, SortedSample};
pub use run::{estimate, estimate_linked};
pub use spec::{DfRule, EstimateRow, EstimateSpec, Flags, MissingPolicy, Publication, Statistic};
pub use units::UnitLink;
