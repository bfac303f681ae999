//! Calibration distances (Deville & Särndal 1992) as the calibration function F = g(u).
//!
//! Each distance gives the g-weight `g(u) = F(u)` as a function of the linear predictor
//! `u = xᵀλ` and its derivative `dg(u) = F′(u)`; the Newton engine only needs these two. All
//! distances satisfy `F(0) = 1` and `F′(0) = 1`, so the solve starts from the input weights.
//!
//! | method | F(u) | range of g |
//! |---|---|---|
//! | linear | 1 + u | ℝ |
//! | raking | e^u, optionally clamped to [L, U] (R `survey`'s bounded raking) | (0, ∞) or [L, U] |
//! | logit | [L(U−1) + U(1−L)e^{Au}] / [(U−1) + (1−L)e^{Au}], A = (U−L)/((1−L)(U−1)) | (L, U) |
//! | truncated linear | clamp(1 + u, L, U) (R `survey`'s `calfun = "linear"` with bounds) | [L, U] |
//!
//! Where g is clamped, F′ = 0 (as in R `survey`'s `cal.raking`/`cal.linear` with bounds).

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Bounds `[L, U]` on g = w / d with `L < 1 < U`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    /// Lower bound L (< 1; may be −∞ for raking/truncated linear).
    pub lower: f64,
    /// Upper bound U (> 1; may be +∞ for raking/truncated linear).
    pub upper: f64,
}

impl Bounds {
    /// Validated bounds.
    ///
    /// # Errors
    /// `L < 1 < U` does not hold, or a bound is NaN.
    pub fn new(lower: f64, upper: f64) -> Result<Bounds> {
        if lower.is_nan() || upper.is_nan() || lower >= 1.0 || upper <= 1.0 {
            return Err(Error::method(
                "calibration",
                format!(
                    "bounds [{lower}, {upper}] are invalid: they apply to g = w/d, which starts \
                     at 1, so they must satisfy L < 1 < U (e.g. bounds: [0.5, 2.0])"
                ),
            ));
        }
        Ok(Bounds { lower, upper })
    }

    /// Whether both bounds are finite.
    pub fn is_finite(&self) -> bool {
        self.lower.is_finite() && self.upper.is_finite()
    }
}

/// A calibration distance, seen through its calibration function F (g = F(u), u = xᵀλ).
///
/// # Formula
/// w_k = d_k F(x_kᵀλ), with λ solving Σ_s d_k F(x_kᵀλ) x_k = X.
pub trait Distance: Send + Sync {
    /// Name as in configuration files (`linear`, `raking`, `logit`, `truncated_linear`).
    fn name(&self) -> &'static str;
    /// g = F(u).
    fn g(&self, u: f64) -> f64;
    /// F′(u) (0 where g is clamped to a bound).
    fn dg(&self, u: f64) -> f64;
    /// Range of g, when bounded.
    fn bounds(&self) -> Option<Bounds>;
    /// (F(u), F′(u)) in one call (override when the two share work, e.g. one `exp`).
    #[inline]
    fn g_dg(&self, u: f64) -> (f64, f64) {
        (self.g(u), self.dg(u))
    }
}

/// Linear (chi-square) distance: F(u) = 1 + u, the GREG weights.
#[derive(Debug, Clone, Copy, Default)]
pub struct Linear;

impl Distance for Linear {
    fn name(&self) -> &'static str {
        "linear"
    }
    #[inline]
    fn g(&self, u: f64) -> f64 {
        1.0 + u
    }
    #[inline]
    fn dg(&self, _u: f64) -> f64 {
        1.0
    }
    fn bounds(&self) -> Option<Bounds> {
        None
    }
}

/// Raking (multiplicative) distance: F(u) = e^u, optionally clamped to [L, U] with F′ = 0
/// outside (R `survey`'s `cal.raking` with bounds).
#[derive(Debug, Clone, Copy, Default)]
pub struct Raking {
    /// Optional bounds on g.
    pub bounds: Option<Bounds>,
}

impl Distance for Raking {
    fn name(&self) -> &'static str {
        "raking"
    }
    #[inline]
    fn g(&self, u: f64) -> f64 {
        self.g_dg(u).0
    }
    #[inline]
    fn dg(&self, u: f64) -> f64 {
        self.g_dg(u).1
    }
    fn bounds(&self) -> Option<Bounds> {
        self.bounds
    }
    #[inline]
    fn g_dg(&self, u: f64) -> (f64, f64) {
        let e = u.exp();
        match self.bounds {
            None => (e, e),
            Some(b) if e <= b.lower => (b.lower, 0.0),
            Some(b) if e >= b.upper => (b.upper, 0.0),
            Some(_) => (e, e),
        }
    }
}

/// Logit distance of Deville & Särndal (1992), g strictly inside (L, U).
///
/// # Formula
/// F(u) = [L(U−1) + U(1−L)e^{Au}] / [(U−1) + (1−L)e^{Au}], A = (U−L)/((1−L)(U−1));
/// F′(u) = A(U−1)(1−L)(U−L)e^{Au} / [(U−1) + (1−L)e^{Au}]².
/// For Au > 0 both are evaluated with e^{−Au} (numerator and denominator divided by e^{Au}) so
/// that large |u| gives the limits U or L instead of ∞/∞.
#[derive(Debug, Clone, Copy)]
pub struct Logit {
    bounds: Bounds,
    a: f64,
}

impl Logit {
    /// Logit distance with bounds.
    ///
    /// # Errors
    /// A bound is infinite.
    pub fn new(bounds: Bounds) -> Result<Logit> {
        if !bounds.is_finite() {
            return Err(Error::method(
                "calibration",
                "the logit method needs finite bounds [L, U] with L < 1 < U (e.g. [0.5, 2.5])",
            ));
        }
        let (l, u) = (bounds.lower, bounds.upper);
        Ok(Logit { bounds, a: (u - l) / ((1.0 - l) * (u - 1.0)) })
    }
}

impl Distance for Logit {
    fn name(&self) -> &'static str {
        "logit"
    }
    #[inline]
    fn g(&self, u: f64) -> f64 {
        self.g_dg(u).0
    }
    #[inline]
    fn dg(&self, u: f64) -> f64 {
        self.g_dg(u).1
    }
    fn bounds(&self) -> Option<Bounds> {
        Some(self.bounds)
    }
    #[inline]
    fn g_dg(&self, u: f64) -> (f64, f64) {
        let (l, up) = (self.bounds.lower, self.bounds.upper);
        let (p, q) = (up - 1.0, 1.0 - l);
        let au = self.a * u;
        let scale = self.a * p * q * (up - l);
        if au <= 0.0 {
            let e = au.exp();
            let den = p + q * e;
            ((l * p + up * q * e) / den, scale * e / (den * den))
        } else {
            let e = (-au).exp();
            let den = p * e + q;
            ((l * p * e + up * q) / den, scale * e / (den * den))
        }
    }
}

/// Truncated linear distance: F(u) = clamp(1 + u, L, U), F′ = 1 strictly inside, 0 outside
/// (R `survey`'s `calfun = "linear"` with bounds; `sampling::calib`'s `truncated`).
#[derive(Debug, Clone, Copy)]
pub struct TruncatedLinear {
    bounds: Bounds,
}

impl TruncatedLinear {
    /// Truncated linear distance with bounds.
    pub fn new(bounds: Bounds) -> TruncatedLinear {
        TruncatedLinear { bounds }
    }
}

impl Distance for TruncatedLinear {
    fn name(&self) -> &'static str {
        "truncated_linear"
    }
    #[inline]
    fn g(&self, u: f64) -> f64 {
        (1.0 + u).clamp(self.bounds.lower, self.bounds.upper)
    }
    #[inline]
    fn dg(&self, u: f64) -> f64 {
        let g = 1.0 + u;
        if g > self.bounds.lower && g < self.bounds.upper { 1.0 } else { 0.0 }
    }
    fn bounds(&self) -> Option<Bounds> {
        Some(self.bounds)
    }
}

/// The calibration method as written in configuration files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Linear (GREG); post-stratification with one categorical margin.
    Linear,
    /// Raking ratio (exponential); bounds allowed.
    #[default]
    Raking,
    /// Logit with bounds (required).
    Logit,
    /// Truncated linear with bounds (required).
    TruncatedLinear,
}

impl Method {
    /// Name as in configuration files.
    pub fn name(self) -> &'static str {
        match self {
            Method::Linear => "linear",
            Method::Raking => "raking",
            Method::Logit => "logit",
            Method::TruncatedLinear => "truncated_linear",
        }
    }

    /// The distance of this method with these bounds.
    ///
    /// # Errors
    /// Bounds missing for logit / truncated linear, given for linear (use
    /// `truncated_linear`), infinite for logit, or not satisfying L < 1 < U.
    pub fn distance(self, bounds: Option<Bounds>) -> Result<AnyDistance> {
        if let Some(b) = bounds {
            Bounds::new(b.lower, b.upper)?;
        }
        match (self, bounds) {
            (Method::Linear, None) => Ok(AnyDistance::Linear(Linear)),
            (Method::Linear, Some(_)) => Err(Error::method(
                "calibration",
                "method `linear` takes no bounds: bounded linear calibration is \
                 `method: truncated_linear` (or use `logit`)",
            )),
            (Method::Raking, b) => Ok(AnyDistance::Raking(Raking { bounds: b })),
            (Method::Logit, Some(b)) => Ok(AnyDistance::Logit(Logit::new(b)?)),
            (Method::TruncatedLinear, Some(b)) => {
                Ok(AnyDistance::TruncatedLinear(TruncatedLinear::new(b)))
            }
            (m, None) => Err(Error::method(
                "calibration",
                format!("method `{}` needs `bounds: [L, U]` with L < 1 < U", m.name()),
            )),
        }
    }
}

/// One of the four distances; the solver matches on it once and runs a loop monomorphised
/// for the concrete distance.
#[derive(Debug, Clone, Copy)]
pub enum AnyDistance {
    /// See [`Linear`].
    Linear(Linear),
    /// See [`Raking`].
    Raking(Raking),
    /// See [`Logit`].
    Logit(Logit),
    /// See [`TruncatedLinear`].
    TruncatedLinear(TruncatedLinear),
}

/// Runs `$body` with `$d` bound to the concrete distance inside an [`AnyDistance`], so
/// generic code is monomorphised per distance.
macro_rules! with_distance {
    ($any:expr, $d:ident => $body:expr) => {
        match $any {
            $crate::calibration::AnyDistance::Linear($d) => $body,
            $crate::calibration::AnyDistance::Raking($d) => $body,
            $crate::calibration::AnyDistance::Logit($d) => $body,
            $crate::calibration::AnyDistance::TruncatedLinear($d) => $body,
        }
    };
}
pub(crate) use with_distance;

impl Distance for AnyDistance {
    fn name(&self) -> &'static str {
        with_distance!(self, d => d.name())
    }
    fn g(&self, u: f64) -> f64 {
        with_distance!(self, d => d.g(u))
    }
    fn dg(&self, u: f64) -> f64 {
        with_distance!(self, d => d.dg(u))
    }
    fn bounds(&self) -> Option<Bounds> {
        with_distance!(self, d => d.bounds())
    }
    fn g_dg(&self, u: f64) -> (f64, f64) {
        with_distance!(self, d => d.g_dg(u))
    }
}
