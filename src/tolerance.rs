//! Every numeric cut-off of the crate, named, with why it has its value.
//!
//! A tolerance decides what counts as zero, equal or converged; gathering them here makes
//! them reviewable together and keeps two modules from using two cut-offs for one notion
//! (a generalized inverse's rank, a weight sitting at a bound). User-set stopping rules
//! (`tolerance:` in a calibration file) are options, not constants: their defaults are here.

// ── Calibration ──
/// Pivot threshold of the simplex (narrowest-bounds LP): smaller pivots count as zero.
pub const SIMPLEX_PIVOT: f64 = 1e-11;
/// Reduced cost under which the simplex takes a column as not improving.
pub const SIMPLEX_PRICE: f64 = 1e-11;
/// Relative precision of the bisection on the width.
pub const BOUNDS_WIDTH_RTOL: f64 = 1e-7;
/// Sum of scaled residuals (|Σ d g x − X| / (1 + |X|)) accepted as feasible.
pub const BOUNDS_FEASIBLE: f64 = 1e-9;
/// Relative eigenvalue cut-off of the equilibrated Jacobian. Structurally null directions
/// come out at about 1e-13 (rounding of sums over millions of rows); genuine directions
/// below 1e-10 would mean a category carrying less than 1e-10 of another's weight.
pub const RANK_RCOND: f64 = 1e-10;
/// Relative distance (to max(1, |bound|)) under which g counts as sitting at a bound.
pub const AT_BOUND_RTOL: f64 = 1e-9;
/// Relative tolerance under which categorical margins (and `Total`) whose totals disagree are
/// treated as rounding and rescaled to the common total (reported in
/// [`crate::calibration::Report::target_adjustments`]); above it,
/// [`crate::calibration::Problem::new`] fails.
pub const MARGIN_TOTAL_RTOL: f64 = 1e-6;

// ── Sampling ──
/// Values closer than this to an integer are taken as that integer before rounding, so that
/// `2.9999999999999996` (an exact allocation seen through floating point) is not rounded down.
pub const INTEGER_SNAP: f64 = 1e-9;
/// Pivot threshold after scaling each row to max |entry| = 1: smaller pivots count as zero
/// (the column is taken as dependent on the previous ones).
pub const CUBE_PIVOT: f64 = 1e-10;
/// π this close to 0 or 1 is set to it. Each move leaves rounding residue in the constraint
/// sums (about 1e-16 of the step, more when a kernel vector is ill-conditioned); over 10^5
/// moves a stratum's Σπ can drift by 1e-11, enough to leave a unit at 0.99999999996 that no
/// move can settle, so that the landing phase would drop stratum constraints to round it.
/// 1e-9 absorbs the drift; the bias on π is below 1e-9.
pub const CUBE_SNAP: f64 = 1e-9;
/// Tolerance on Σ_h π_k being an integer (relative to max(1, n_h)).
pub const INTEGER_SUM_RTOL: f64 = 1e-6;
/// π at least this close to 1 counts as 1 (certainty). Without it, capping the capped
/// probabilities again could turn 1 into 0.9999999999999998 (Σπ = n only up to rounding);
/// R's `pik >= 1` has no tolerance, which makes no difference unless a π lies within 1e-10
/// of 1.
pub const CERTAINTY: f64 = 1e-10;

// ── Linear algebra, variance ──

/// Weights that must agree (e.g. adjusted weights given twice) agree within this relative
/// difference (to max(1, |w|)): the rounding of a CSV round trip, not a real difference.
pub const WEIGHT_MATCH_RTOL: f64 = 1e-9;

// ── Report plots ──

/// A tick 10^t of a log axis is drawn when t lies within this distance of the axis range
/// (in decades): `log10(1000)` is 2.9999999999999996, and the end ticks must not be lost.
pub const PLOT_LOG_TICK: f64 = 1e-9;
/// Relative width (to the axis span) under which an axis range counts as a single value
/// (it is then widened) and a tick value counts as 0 (so that `-0` or `1e-17` print `0`).
pub const PLOT_ZERO_RTOL: f64 = 1e-12;

/// A stratum whose finite population factor f = 1 − n_h/N_h is below this is
/// self-representing (all its units sampled): it contributes no variance at that stage. The
/// fraction comes from a division of counts, so a census stratum gives f ≈ 1e-16, never 0.
pub const SELF_REPRESENTING: f64 = 1e-7;
/// A sampling fraction n_h/N_h above 1 by no more than this is rounding and taken as 1
/// (fractions given in an fpc column are decimal); above it the fpc is an error.
pub const FRACTION_EXCESS: f64 = 1e-12;
/// An adjusted weight w below the design weight d by no more than this relative amount is
/// rounding (p̂ = d/w ≤ 1 up to a CSV round trip) and accepted by the nonresponse phase.
pub const RESPONSE_PROBABILITY_EXCESS: f64 = 1e-12;

// ── Models (`crate::model`) ──

/// R `glm.control()` default: IRLS stops when |dev − dev_old| / (|dev| + 0.1) < epsilon.
/// R's value is kept so that coefficients, and the working weights of the last
/// iteration on which R's sandwich is built, are R's to ~1e-10.
pub const GLM_EPSILON: f64 = 1e-8;
/// R `glm.control()` default maximum number of IRLS iterations.
pub const GLM_MAX_ITERATIONS: usize = 25;
/// A column whose squared residual norm, after projection on the previous columns
/// (weighted, columns scaled to unit norm), is below this is aliased: it is a linear
/// combination of them up to rounding (R² > 1 − 1e-10).
pub const ALIAS_PIVOT: f64 = 1e-10;
/// In the message naming an aliased column, the previous columns whose coefficient in
/// its (scaled) regression on them exceeds this are listed.
pub const ALIAS_MEMBER: f64 = 1e-6;
/// A fitted probability (or Poisson mean relative to the largest) this close to 0 or 1
/// after the fit signals (quasi-)complete separation.
pub const SEPARATION_MU: f64 = 1e-8;
