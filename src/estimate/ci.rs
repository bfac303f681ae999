//! Confidence intervals.
//!
//! # Formula
//! - Wald: θ̂ ± q·se, q the normal quantile or Student's with the chosen df.
//! - logit (proportions; R `svyciprop(method = "logit")`, and "xlogit" which is the same
//!   interval through `svycontrast`): expit(logit p̂ ± q·se/(p̂(1−p̂))).
//! - beta (Korn & Graubard 1998; R `svyciprop(method = "beta")`): effective size
//!   `n* = p̂(1−p̂)/se² · (t_{α/2, n−1} / t_{α/2, df})²` (n = sampled rows of the domain),
//!   interval `(B⁻¹(α/2; n* p̂, n*(1−p̂)+1), B⁻¹(1−α/2; n* p̂+1, n*(1−p̂)))`.

use statrs::distribution::{Beta, ContinuousCDF, Normal, StudentsT};

/// Interval method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CiMethod {
    /// Symmetric Wald interval.
    #[default]
    Wald,
    /// Logit-scale interval (proportions).
    Logit,
    /// Korn–Graubard beta interval (proportions).
    Beta,
    /// Logit interval via the delta method on the mean (R's "xlogit"); same numbers as
    /// `Logit` here because the point estimate is the weighted mean itself.
    Xlogit,
}

impl CiMethod {
    /// Parses `wald | logit | beta | xlogit`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "wald" => Some(CiMethod::Wald),
            "logit" => Some(CiMethod::Logit),
            "beta" => Some(CiMethod::Beta),
            "xlogit" => Some(CiMethod::Xlogit),
            _ => None,
        }
    }

    /// True for the methods that only make sense for a proportion.
    pub fn proportion_only(&self) -> bool {
        !matches!(self, CiMethod::Wald)
    }
}

/// Upper critical value q with P(T ≤ q) = 1 − α/2 (normal when `df` is `None` or infinite).
pub fn critical_value(level: f64, df: Option<f64>) -> f64 {
    let p = 1.0 - (1.0 - level) / 2.0;
    quantile(p, df)
}

/// Quantile of the standard normal (`df` None/infinite) or of Student's t.
pub fn quantile(p: f64, df: Option<f64>) -> f64 {
    match df {
        Some(d) if d.is_finite() => {
            if d <= 0.0 {
                return f64::NAN;
            }
            StudentsT::new(0.0, 1.0, d).map_or(f64::NAN, |t| t.inverse_cdf(p))
        }
        _ => Normal::new(0.0, 1.0).map_or(f64::NAN, |n| n.inverse_cdf(p)),
    }
}

/// Interval for an estimate with standard error `se`.
///
/// `n_rows` is the number of sampled rows (beta only).
pub fn interval(
    method: CiMethod,
    est: f64,
    se: f64,
    level: f64,
    df: Option<f64>,
    n_rows: usize,
) -> (f64, f64) {
    if !est.is_finite() || !se.is_finite() {
        return (f64::NAN, f64::NAN);
    }
    let q = critical_value(level, df);
    match method {
        CiMethod::Wald => (est - q * se, est + q * se),
        CiMethod::Logit | CiMethod::Xlogit => {
            if est <= 0.0 || est >= 1.0 {
                return (f64::NAN, f64::NAN);
            }
            let l = (est / (1.0 - est)).ln();
            let s = se / (est * (1.0 - est));
            (expit(l - q * s), expit(l + q * s))
        }
        CiMethod::Beta => korn_graubard(est, se, level, df, n_rows),
    }
}

fn expit(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn korn_graubard(p: f64, se: f64, level: f64, df: Option<f64>, n_rows: usize) -> (f64, f64) {
    let alpha = 1.0 - level;
    if se <= 0.0 || n_rows < 2 {
        return (f64::NAN, f64::NAN);
    }
    let ratio = quantile(alpha / 2.0, Some((n_rows - 1) as f64)) / quantile(alpha / 2.0, df);
    let neff = p * (1.0 - p) / (se * se) * ratio * ratio;
    let qbeta = |prob: f64, a: f64, b: f64| -> f64 {
        if a <= 0.0 {
            0.0
        } else if b <= 0.0 {
            1.0
        } else {
            Beta::new(a, b).map_or(f64::NAN, |d| d.inverse_cdf(prob))
        }
    };
    (
        qbeta(alpha / 2.0, neff * p, neff * (1.0 - p) + 1.0),
        qbeta(1.0 - alpha / 2.0, neff * p + 1.0, neff * (1.0 - p)),
    )
}
