//! Estimators: point value and influence values per domain.
//!
//! # Formula
//! With w_k the weights and d(k) the domain of row k (sums over the domain's rows):
//! - total: `Ŷ_d = Σ w y`, z_k = y_k;
//! - mean (Hájek): `ȳ_d = Σ w y / N̂_d`, z_k = (y_k − ȳ_d) / N̂_d;
//! - ratio: `R̂_d = Σ w y / Σ w x`, z_k = (y_k − R̂_d x_k) / X̂_d;
//! - proportion: the mean of the indicator of a category.
//!
//! z_k is 0 outside the domain; the variance of the estimate is that of `Σ w z`
//! (Lumley 2010, ch. 2; Särndal, Swensson & Wretman 1992, §5.5).

use super::domain::{Domains, NO_DOMAIN};

/// Point estimates and influence values for all domains of one estimator.
#[derive(Debug, Clone, PartialEq)]
pub struct Linearized {
    /// One estimate per domain (NaN for an empty domain).
    pub estimates: Vec<f64>,
    /// Influence value of each row for its own domain's estimate (0 outside any domain).
    pub z: Vec<f64>,
}

/// An estimator: point values (for replicate weights) and linearization.
pub trait Estimator: Sync {
    /// Short name of the statistic (`total`, `mean`, `ratio`...).
    fn stat(&self) -> &'static str;
    /// Estimates of every domain with weights `w`.
    fn point(&self, w: &[f64], dom: &Domains) -> Vec<f64>;
    /// Estimates and influence values with weights `w`.
    fn linearize(&self, w: &[f64], dom: &Domains) -> Linearized;
}

/// Σ w a and Σ w b per domain.
///
/// Branch-free over rows (the replicate hot path: rows out of every domain and rows of
/// weight 0 are common and unpredictable): rows out of the domains add to a spare slot, and
/// a zero weight adds an exact 0 — so the sums are bit-identical to skipping those rows.
fn domain_sums(w: &[f64], a: &[f64], b: Option<&[f64]>, dom: &Domains) -> (Vec<f64>, Vec<f64>) {
    let n = dom.n;
    let mut sa = vec![0.0; n + 1];
    let mut sb = vec![0.0; n + 1];
    let slot = |c: u32| if c == NO_DOMAIN { n } else { c as usize };
    let times = |wk: f64, v: f64| if wk == 0.0 { 0.0 } else { wk * v };
    match b {
        None => {
            for ((&c, &wk), &ak) in dom.codes.iter().zip(w).zip(a) {
                let i = slot(c);
                sa[i] += times(wk, ak);
                sb[i] += wk;
            }
        }
        Some(b) => {
            for (((&c, &wk), &ak), &bk) in dom.codes.iter().zip(w).zip(a).zip(b) {
                let i = slot(c);
                sa[i] += times(wk, ak);
                sb[i] += times(wk, bk);
            }
        }
    }
    sa.truncate(n);
    sb.truncate(n);
    (sa, sb)
}

fn ratio_of(num: &[f64], den: &[f64]) -> Vec<f64> {
    num.iter().zip(den).map(|(n, d)| if *d != 0.0 { n / d } else { f64::NAN }).collect()
}

/// Population total Σ w y.
#[derive(Debug, Clone, Copy)]
pub struct Total<'a> {
    /// Analysis variable.
    pub y: &'a [f64],
}

impl Estimator for Total<'_> {
    fn stat(&self) -> &'static str {
        "total"
    }
    fn point(&self, w: &[f64], dom: &Domains) -> Vec<f64> {
        domain_sums(w, self.y, None, dom).0
    }
    fn linearize(&self, w: &[f64], dom: &Domains) -> Linearized {
        // a domain without any weight has total 0 here (what a replicate needs); the caller
        // flags a domain empty in the full sample
        let estimates = domain_sums(w, self.y, None, dom).0;
        let z = dom
            .codes
            .iter()
            .enumerate()
            .map(|(k, &c)| if c == NO_DOMAIN { 0.0 } else { self.y[k] })
            .collect();
        Linearized { estimates, z }
    }
}

/// Hájek mean Σ w y / Σ w.
#[derive(Debug, Clone, Copy)]
pub struct Mean<'a> {
    /// Analysis variable (a 0/1 indicator for a proportion).
    pub y: &'a [f64],
}

impl Estimator for Mean<'_> {
    fn stat(&self) -> &'static str {
        "mean"
    }
    fn point(&self, w: &[f64], dom: &Domains) -> Vec<f64> {
        let (s, n) = domain_sums(w, self.y, None, dom);
        ratio_of(&s, &n)
    }
    fn linearize(&self, w: &[f64], dom: &Domains) -> Linearized {
        let (s, n) = domain_sums(w, self.y, None, dom);
        let est = ratio_of(&s, &n);
        let z = dom
            .codes
            .iter()
            .enumerate()
            .map(|(k, &c)| {
                if c == NO_DOMAIN || n[c as usize] == 0.0 {
                    0.0
                } else {
                    (self.y[k] - est[c as usize]) / n[c as usize]
                }
            })
            .collect();
        Linearized { estimates: est, z }
    }
}

/// Ratio of totals Σ w y / Σ w x.
#[derive(Debug, Clone, Copy)]
pub struct Ratio<'a> {
    /// Numerator variable.
    pub y: &'a [f64],
    /// Denominator variable.
    pub x: &'a [f64],
}

impl Estimator for Ratio<'_> {
    fn stat(&self) -> &'static str {
        "ratio"
    }
    fn point(&self, w: &[f64], dom: &Domains) -> Vec<f64> {
        let (sy, sx) = domain_sums(w, self.y, Some(self.x), dom);
        ratio_of(&sy, &sx)
    }
    fn linearize(&self, w: &[f64], dom: &Domains) -> Linearized {
        let (sy, sx) = domain_sums(w, self.y, Some(self.x), dom);
        let est = ratio_of(&sy, &sx);
        let z = dom
            .codes
            .iter()
            .enumerate()
            .map(|(k, &c)| {
                if c == NO_DOMAIN || sx[c as usize] == 0.0 {
                    0.0
                } else {
                    (self.y[k] - est[c as usize] * self.x[k]) / sx[c as usize]
                }
            })
            .collect();
        Linearized { estimates: est, z }
    }
}
