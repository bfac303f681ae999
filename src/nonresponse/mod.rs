//! Unit nonresponse correction for a sequential mixed-mode survey (web first, then a
//! telephone relaunch of web non-respondents).
//!
//! The chain, one file each:
//!
//! ```text
//! status ─► eligibility ─► propensity (logistic, global or by phase) ─► groups / classes
//!        ─► adjusted weights ─► diagnostics ─► report          (redone on each replicate)
//! ```
//!
//! - [`status`]: collection outcome per unit from a status column with declared codes.
//! - [`eligibility`]: unknown-eligibility weight shared within classes (d → d').
//! - [`logistic`] and [`model_matrix`]: Newton/IRLS logistic regression with treatment-coded
//!   dummies, aliasing and separation detection.
//! - [`propensity`]: global model, or web model × phone model × share with a phone number.
//! - [`groups`]: score-method response homogeneity groups, weighting classes.
//! - [`diagnostics`], [`report`]: rates, profiles, R-indicators, largest factors, Kish deff.
//!
//! # Public API (for the CLI / config layer)
//!
//! ```text
//! Nonresponse::new(NonresponseSpec { status_name, status: &Factor, codes: StatusCodes,
//!                  eligibility_classes: Vec<Variable>, method: Method, profile: Vec<Variable> })
//!     -> Result<Nonresponse>
//! Nonresponse::adjust(&self, design_weights: &[f64]) -> Result<Adjustment>
//! Nonresponse::adjust_replicates(&self, full: &Adjustment, &[(&str, &[f64])])
//!     -> Result<ReplicateAdjustment>
//! Adjustment { weights, propensity: Vec<Option<f64>>, group: Vec<Option<u32>>, group_labels,
//!              outcome: Vec<Outcome> (phase column: Outcome::label), eligibility_weights,
//!              report: Report (serde::Serialize) }
//! Adjustment::response_probabilities() -> Vec<Option<f64>>     // p̂_k = d_k / w_k, respondents
//! ```
//!
//! YAML → types: `status`/`codes` → a [`Factor`](crate::data::Factor) + [`StatusCodes`] (a 0/1 column:
//! [`StatusCodes::binary`]); `method: classes` → [`Method::Classes`]; `method: score` →
//! [`Method::Score`] with [`ScoreGroups`] (`score_groups`, `min_respondents`,
//! `min_response_rate`, `factor: weighted_rate | mean_propensity` → [`GroupFactor`]);
//! `method: propensity` → [`Method::Propensity`]; `model` → [`Predictor`]s; `model_weights:
//! design | none` → [`ModelWeighting`]; `phases: global | sequential` → [`Phases`] (sequential
//! needs the phone-number column and a [`PhoneShare`]); a data-layer `Factor` maps onto
//! [`Variable::categorical`]`(name, &factor)`, a numeric column onto [`Variable::numeric`]
//! (NaN = missing).
//!
//! # Conventions (documented choices)
//! - Propensity models are fitted on known-eligible units with the eligibility-adjusted
//!   weights d' (or unweighted); p̂ is reported for eligible units only.
//! - Score groups are cut at unweighted quantiles of p̂ by default (equal numbers of eligible
//!   units), weighted on request; ties in p̂ never straddle groups. Merging: from the lowest
//!   p̂ up, a failing group joins the neighbour of closest weighted mean p̂. The group's
//!   weighted response rate (d') is compared to `min_response_rate`.
//! - The phone share q is estimated among eligible web non-respondents (see [`PhoneShare`]).
//! - Replicates redo everything, including the score-group boundaries and merges, on each
//!   replicate weight column; an unweighted model counts units of positive replicate weight.
//! - Weighting classes report p̂ = the class's weighted response rate (so d/w = p̂).
//!
//! # References
//! Haziza & Beaumont (2007) Canadian Journal of Statistics 35; Haziza & Beaumont (2017)
//! Statistical Science 32; Schouten, Cobben & Bethlehem (2009) Survey Methodology 35;
//! Schouten, Shlomo & Skinner (2011) Journal of Official Statistics 27; Lumley (2010).

mod adjust;
pub mod diagnostics;
pub mod eligibility;
pub mod groups;
mod input;
pub mod logistic;
pub mod model_matrix;
mod newton;
pub mod propensity;
pub mod report;
pub mod status;

pub use adjust::{Adjustment, Method, Nonresponse, NonresponseSpec, ReplicateAdjustment};
pub use groups::{GroupFactor, GroupStat, QuantileWeighting, ScoreGroups};
pub use input::{Values, Variable};
pub use logistic::{Coefficient, Collinearity, FitOptions, ModelFit};
pub use model_matrix::Predictor;
pub use propensity::{ModelWeighting, Phases, PhoneShare, PhoneShareClass, ResponseModel};
pub use report::{BreakOffRate, OutcomeCount, Report, break_off_by_mode};
pub use status::{Outcome, StatusCodes, classify};
