//! Design-based models and tests: GLMs (`svyglm`), Wald tests of terms (`regTermTest`),
//! Rao–Scott tests of independence (`svychisq`) and differences of domain estimates
//! (`svyby` + `svycontrast`), as R `survey` computes them.
//!
//! # Method
//! - **GLM** (Binder 1983; Lumley 2010, ch. 5): β̂ solves the weighted score
//!   `Σ_k w_k x_k (y_k − μ_k) μ'_k / V(μ_k) = 0` by IRLS ([`glm`]); domains are an
//!   indicator on the full design (rows outside get weight 0 in the fit, stay in the design).
//!   Sandwich variance `V(β̂) = V_design(Σ_k w_k z_k)` with the influence values
//!   `z_k = J⁻¹ x_k (y_k − μ_k) μ'_k / V(μ_k)`, `J = Σ_k w_k x_k x_kᵀ μ'_k² / V(μ_k)`; with
//!   replicate weights, the model is refitted on every replicate.
//!   Residual df = design df + 1 − p; t tests and intervals use it.
//! - **Term test** ([`wald`]): `F = β̂_Tᵀ V_T⁻¹ β̂_T / q` on (q, residual df).
//! - **Rao–Scott** ([`rao_scott()`]; Rao & Scott 1984): Pearson X² of the weighted table scaled
//!   to n, divided by the mean (first order) or trace (second order, with Satterthwaite
//!   df) of the design-effect matrix Δ of the cell proportions.
//! - **Differences** ([`difference`]): θ̂_a − θ̂_b with the covariance of two domain means.
//!
//! The design variance is an explicit input, [`Variance`]: a [`CovarianceEngine`] for
//! linearization (any design: strata, clusters, fpc, calibration residuals...) or a
//! [`ReplicateDesign`] (estimates recomputed on every replicate).
//!
//! References: Binder (1983) International Statistical Review 51; Rao & Scott (1984) Annals
//! of Statistics 12; Lumley (2010) Complex Surveys, Wiley.

pub mod difference;
pub mod engine;
pub mod family;
pub mod glm;
mod irls;
pub mod margin;
pub mod rao_scott;
pub mod row;
mod stats;
pub mod terms;
pub mod wald;

pub use difference::{
    Correction, Difference, Significance, VersusOverall, domain_difference, domains_versus_overall,
};
pub use engine::{CovarianceEngine, LinkedEngine, linked_replicates, replicate_covariance};
pub use family::{Family, Link};
pub use glm::{Coefficient, GlmFit, GlmOptions, fit_glm};
pub use margin::{PredictiveMargin, predictive_margin};
pub use rao_scott::{ChisqStatistic, ChisqTest, rao_scott};
pub use row::ModelRow;
pub use terms::{Column, Missing, ModelMatrix, ModelSpec, TermColumns, Variable, indicator};
pub use wald::TermTest;

use crate::variance::replicates::ReplicateDesign;

/// Step name in errors raised by this module.
pub(crate) const STEP: &str = "model";

/// Where the design variance comes from.
#[derive(Clone, Copy)]
pub enum Variance<'a> {
    /// Linearization: covariance of totals of influence values on the design.
    Linearization(&'a dyn CovarianceEngine),
    /// Replicate weights: each estimate is recomputed with every replicate's weights.
    Replicates(&'a ReplicateDesign),
}

impl Variance<'_> {
    /// Full-sample analysis weights.
    pub fn weights(&self) -> &[f64] {
        match self {
            Variance::Linearization(e) => e.weights(),
            Variance::Replicates(r) => r.full_weights(),
        }
    }

    /// Design degrees of freedom of the rows where `keep` holds (R `degf` of the subset
    /// design); for replicates, the replicate design's df whatever the rows.
    pub fn degrees_of_freedom(&self, keep: &dyn Fn(usize) -> bool) -> f64 {
        match self {
            Variance::Linearization(e) => e.degrees_of_freedom(keep),
            Variance::Replicates(r) => r.degrees_of_freedom(),
        }
    }
}
