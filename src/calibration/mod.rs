//! Calibration of weights (Deville & Särndal 1992): w_k = d_k F(x_kᵀλ) with Σ_s w_k x_k = X.
//!
//! # Public API (for the configuration / CLI layer)
//!
//! ```text
//! Margin::{Categorical { name, factor: data::Factor, targets }, Numeric { name, values, target },
//!          Total { target }}                      // factor: codes per row + levels
//! Problem::new(weights: Vec<f64>, margins: Vec<Margin>) -> Result<Problem>   // pre-checks
//! Problem::with_weights(&self, Vec<f64>) -> Result<Problem>
//! Problem::model_columns(&self) -> ModelColumns { names, columns }            // for GREG
//! Options { method: Method, bounds: Option<Bounds>, tolerance, max_iterations,
//!           stopping: StoppingRule, algorithm: Algorithm, solve_on: SolveOn } (Default)
//! Method::{Linear, Raking, Logit, TruncatedLinear}   (serde snake_case)
//! Bounds::new(lower, upper) -> Result<Bounds>          // L < 1 < U
//! calibrate(&Problem, &Options) -> Result<Calibration> // error unless converged
//! calibrate_timed(&Problem, &Options) -> Result<(Calibration, SolveTimings { cells, solve })>
//! solve(&Problem, &Options) -> Result<Calibration>     // returns non-converged results too
//! calibrate_replicates(&Problem, &[Vec<f64>], &Options) -> Result<Vec<Calibration>>
//! narrowest_bounds(&Problem) -> Result<NarrowestBounds>
//! Calibration { weights, report: Report (Serialize), stage_weights: Option<Vec<StageWeights>> }
//! Calibration::g(&self, d) -> Vec<f64>
//! ```
//!
//! # How it works
//! - [`distance`]: the [`Distance`] trait (g(u) = F(u), dg(u) = F′(u)) and its four
//!   implementations; [`Method`] is the closed, serde-friendly list mapping to them.
//! - [`problem`]: margins → validated [`Problem`] (pre-checks, harmonised totals, one
//!   parameter per category / numeric variable / total).
//! - One damped Newton engine (`newton`) for all distances, with a generalized-inverse solve
//!   (`linalg`) because full dummy sets are collinear.
//! - When every margin is categorical, the problem is solved on the cells of the
//!   cross-classification (`cells`) and g is mapped back to the rows once.
//! - IPF raking and closed-form post-stratification (`ipf`) agree with Newton raking /
//!   linear calibration.
//! - A failed calibration reports the constraints out of reach and the narrowest feasible
//!   bounds (`feasibility`, a small phase-1 simplex in `simplex`).
//!
//! # Conventions (R `survey`)
//! Stopping rule max_j |Σ w x_j − X_j| / (1 + |X_j|) ≤ tolerance (default 1e-10); bounded
//! raking and truncated linear clamp g and set F′ = 0 outside the bounds as `survey` does.
//!
//! # Example
//! ```
//! use ponder::calibration::{calibrate, Margin, Method, Options, Problem};
//! use ponder::data::Factor;
//! let d = vec![10.0, 10.0, 10.0, 10.0];
//! let sex = Margin::Categorical {
//!     name: "sex".into(),
//!     factor: Factor { codes: vec![0, 0, 1, 1], levels: vec!["1".into(), "2".into()] },
//!     targets: vec![30.0, 50.0],
//! };
//! let problem = Problem::new(d, vec![sex]).unwrap();
//! let cal = calibrate(&problem, &Options::new(Method::Raking, None)).unwrap();
//! assert!((cal.weights[0] - 15.0).abs() < 1e-9 && (cal.weights[3] - 25.0).abs() < 1e-9);
//! ```

mod cells;
mod columns;
mod diagnose;
pub mod distance;
pub mod feasibility;
mod ipf;
mod linalg;
pub mod margin;
mod newton;
pub mod options;
pub mod problem;
mod replicates;
pub mod report;
mod simplex;
mod solve;

pub use crate::tolerance::MARGIN_TOTAL_RTOL;
pub use distance::{AnyDistance, Bounds, Distance, Linear, Logit, Method, Raking, TruncatedLinear};
pub use feasibility::{NarrowestBounds, narrowest_bounds};
pub use margin::{Margin, MarginKind};
pub use options::{Algorithm, Options, SolveOn, StoppingRule};
pub use problem::{ModelColumns, Problem, TargetAdjustment};
pub use replicates::calibrate_replicates;
pub use report::{CategoryReport, GDistribution, IterationLog, MarginReport, Report, Termination};
pub use solve::{Calibration, SolveTimings, StageWeights, calibrate, calibrate_timed, solve};
