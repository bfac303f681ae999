//! The survey design: weights, strata, nested sampling stages with fpc, lonely-PSU policy.
//!
//! # Public API
//! - [`DesignSpec`] (what the `design:` YAML block declares) → [`Design::new`] (validated).
//! - [`Categorical`] (a named [`crate::data::Factor`]) / [`Numeric`] columns (`NaN` for a
//!   missing number).
//! - [`LonelyPsu`], [`PpsVariance`], [`WeightSource`].
//! - [`Design`] accessors: weights, PSUs, strata, `degrees_of_freedom()`; new designs from
//!   [`Design::with_weights`]. The linearization variance of a design (and of its
//!   calibration) is the variance engine's (`variance::Linearization`).
//!
//! Conventions follow R `survey`'s `svydesign`: later-stage clusters are nested in their
//! parent; fpc columns are population counts (> 1) or fractions (≤ 1); without weights the
//! fpc gives them; degrees of freedom = #PSU − #strata.
//!
//! # Example
//! ```
//! use ponder::design::{Categorical, Design, DesignSpec};
//! let mut spec = DesignSpec::with_weights("w", vec![10.0, 10.0, 20.0, 20.0]);
//! spec.strata = Some(Categorical::from_strings("region", &[Some("a"), Some("a"), Some("b"), Some("b")]));
//! let design = Design::new(spec).unwrap();
//! assert_eq!(design.degrees_of_freedom(), 2.0);
//! let v = design.variance(&[1.0, 2.0, 3.0, 5.0]).unwrap();
//! assert!(v > 0.0);
//! ```

mod build;
mod columns;
mod spec;
mod stages;

pub use build::Design;
pub(crate) use build::check_weights;
pub(crate) use columns::row_list;
pub use columns::{Categorical, Numeric};
pub use spec::{DesignSpec, LonelyPsu, PpsVariance, WeightSource};
pub(crate) use stages::Stage;
