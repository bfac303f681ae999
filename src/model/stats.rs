//! Tail probabilities and quantiles, in forms accurate far in the tails (p-values of
//! 1e-150 keep their relative precision: upper tails are computed directly, never 1 − cdf).

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
use statrs::function::beta::beta_reg;
use statrs::function::erf::erfc;
use statrs::function::gamma::gamma_ur;

/// Two-sided p-value of t on `df` degrees of freedom: `I_{df/(df+t²)}(df/2, 1/2)`.
pub(crate) fn t_two_sided(t: f64, df: f64) -> f64 {
    if !t.is_finite() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    beta_reg(df / 2.0, 0.5, df / (df + t * t))
}

/// Two-sided normal p-value `erfc(|z|/√2)`.
pub(crate) fn z_two_sided(z: f64) -> f64 {
    erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// Upper tail of F(d1, d2): `I_{d2/(d2+d1 F)}(d2/2, d1/2)`.
pub(crate) fn f_upper(f: f64, d1: f64, d2: f64) -> f64 {
    if [f, d1, d2].iter().any(|v| v.is_nan()) || f < 0.0 || d1 <= 0.0 || d2 <= 0.0 {
        return f64::NAN;
    }
    beta_reg(d2 / 2.0, d1 / 2.0, d2 / (d2 + d1 * f))
}

/// Upper tail of χ²(df): `Q(df/2, x/2)`.
pub(crate) fn chisq_upper(x: f64, df: f64) -> f64 {
    if x.is_nan() || df.is_nan() || x < 0.0 || df <= 0.0 {
        return f64::NAN;
    }
    gamma_ur(df / 2.0, x / 2.0)
}

/// Quantile of t(df) (normal when df is infinite).
pub(crate) fn t_quantile(p: f64, df: f64) -> f64 {
    if df.is_infinite() {
        return normal_quantile(p);
    }
    StudentsT::new(0.0, 1.0, df).map_or(f64::NAN, |t| t.inverse_cdf(p))
}

/// Standard normal quantile.
pub(crate) fn normal_quantile(p: f64) -> f64 {
    Normal::new(0.0, 1.0).map_or(f64::NAN, |n| n.inverse_cdf(p))
}
