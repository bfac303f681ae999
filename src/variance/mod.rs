//! Variance estimation: linearization (stratified multistage with fpc, calibration
//! residuals, lonely-PSU policies, Poisson πps), replicate weights and the nonresponse phase.
//!
//! # Public API
//! - [`Design::variance`](crate::design::Design::variance)`(z) -> Result<f64>` and
//!   [`Design::grouped_variances`](crate::design::Design::grouped_variances)`(z, group, n_groups)`:
//!   linearization variance of `Σ w z` (domains in one pass).
//! - [`CalibrationStep`] (`Regression { model }`, `PostStratification { codes }`,
//!   `RakeBackfitting { margins }`) given to
//!   [`Design::calibrated`](crate::design::Design::calibrated)`(final_weights, step)`.
//! - [`replicates::generate`]`(design, kind, n_replicates, mse, &mut rng) -> Generated`;
//!   [`replicates::ReplicateDesign::from_columns`]`(full, columns, ReplicateOptions)`;
//!   [`replicates::ReplicateDesign::variance_of`]`(thetas, theta_hat)`;
//!   [`replicates::r_snippet`].
//! - [`two_phase_variance`]`(design, respondent, p_hat, e) -> TwoPhaseVariance`.

mod calibration;
mod linearization;
mod nonresponse;
pub mod replicates;

pub use calibration::{CalibrationStep, PreparedCalibration, RakeMargin};
pub use linearization::NO_GROUP;
pub use nonresponse::{TwoPhaseVariance, two_phase_variance};
