//! The variance engine: linearization (stratified multistage with fpc, calibration
//! residuals, lonely-PSU policies, Poisson πps), the nonresponse phase and replicate
//! weights, behind one dispatch ([`VarianceSource`]).
//!
//! # Public API
//! - [`VarianceSource`] (`Linearization(&Linearization)`, `Replicates(&ReplicateDesign)`,
//!   `TwoPhase(&TwoPhase)`): [`VarianceSource::estimate`]`(&dyn Linearizable, group,
//!   n_groups) -> GroupedEstimates` (estimates, variances, dropped replicates per group),
//!   [`VarianceSource::covariance`]`(&dyn Multivariate) -> (estimates, DMatrix)`,
//!   [`VarianceSource::degrees_of_freedom`], [`VarianceSource::group_degrees_of_freedom`].
//! - [`Linearizable`]: what an estimator hands the engine (point values with any weights;
//!   influence values); [`Multivariate`]: the same for k estimates whose covariance is
//!   wanted (one influence vector each).
//! - [`Linearization`] (a [`Design`](crate::design::Design) and its calibration steps):
//!   `new(design)`, `calibrated(final_weights, CalibrationStep)`, `variance(z)`,
//!   `grouped_variances(z, group, n_groups)`, `covariance(&[&[f64]]) -> DMatrix`;
//!   `Design::variance(z)` / `Design::grouped_variances` without calibration.
//! - [`CalibrationStep`] (`Regression { model }`, `PostStratification { codes }`,
//!   `RakeBackfitting { margins }`).
//! - [`TwoPhase`] (`new(design, adjusted)`, `calibrated(final, &step)`,
//!   `grouped_variances`) and the one two-phase formula [`two_phase_variances`] /
//!   [`two_phase_variance`]`(design, respondent, p_hat, e) -> TwoPhaseVariance`.
//! - [`replicates::generate`]`(design, kind, n_replicates, mse, &mut rng) -> Generated`;
//!   [`replicates::ReplicateDesign::from_columns`]`(full, columns, ReplicateOptions)`;
//!   [`replicates::ReplicateDesign::variance_of`]`(thetas, theta_hat)`,
//!   [`replicates::ReplicateDesign::covariance_of`]`(thetas, theta_hat)`;
//!   [`replicates::r_snippet`].

mod calibration;
mod linearization;
mod multistage;
mod nonresponse;
pub mod replicates;
mod source;

pub use calibration::{CalibrationStep, PreparedCalibration, RakeMargin};
pub use linearization::{Linearization, NO_GROUP};
pub use nonresponse::{TwoPhase, TwoPhaseVariance, two_phase_variance, two_phase_variances};
pub use source::{GroupedEstimates, Linearizable, Multivariate, VarianceSource};
