//! What the estimators hand the variance engine ([`crate::variance::VarianceSource`]): an
//! estimator on its domains as a [`Linearizable`] statistic, the degrees of freedom of each
//! domain under a [`DfRule`], and the per-domain counts and SRS variances of the output.

use super::domain::{Domains, NO_DOMAIN};
use super::estimators::Estimator;
use super::spec::DfRule;
use super::units::{UnitLink, linked_group_dfs, run_linked};
use crate::error::Result;
use crate::variance::{GroupedEstimates, Linearizable, VarianceSource};

/// An estimator on the domains of a request: one estimate per domain.
struct OnDomains<'a> {
    est: &'a dyn Estimator,
    dom: &'a Domains,
}

impl Linearizable for OnDomains<'_> {
    fn point(&self, w: &[f64]) -> Vec<f64> {
        self.est.point(w, self.dom)
    }

    fn linearize(&self, w: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let lin = self.est.linearize(w, self.dom);
        (lin.estimates, lin.z)
    }
}

/// Estimates and variances of an estimator over all domains; with a `link`, the
/// estimator's rows are units linked to the design's rows ([`super::units`]).
pub(crate) fn run(
    source: &VarianceSource,
    link: Option<&UnitLink>,
    est: &dyn Estimator,
    dom: &Domains,
) -> Result<GroupedEstimates> {
    match link {
        None => source.estimate(&OnDomains { est, dom }, &dom.codes, dom.n),
        Some(link) => run_linked(source, link, est, dom),
    }
}

/// Degrees of freedom of every domain under `rule` (`None` = normal), in one pass; with a
/// `link`, a domain's own sub-design is that of the persons holding its units.
pub(crate) fn dfs(
    source: &VarianceSource,
    link: Option<&UnitLink>,
    rule: DfRule,
    dom: &Domains,
) -> Vec<Option<f64>> {
    match (rule, link) {
        (DfRule::Infinite, _) => vec![None; dom.n],
        (DfRule::Fixed(v), _) => vec![Some(v); dom.n],
        (DfRule::Design, _) => vec![Some(source.degrees_of_freedom()); dom.n],
        (DfRule::Domain, None) => {
            source.group_degrees_of_freedom(&dom.codes, dom.n).into_iter().map(Some).collect()
        }
        (DfRule::Domain, Some(l)) => {
            linked_group_dfs(source, l, dom).into_iter().map(Some).collect()
        }
    }
}

/// Per-domain counts: rows with positive weight and weight sums.
pub(crate) fn domain_counts(w: &[f64], dom: &Domains) -> (Vec<usize>, Vec<f64>) {
    let mut n = vec![0usize; dom.n];
    let mut nw = vec![0.0; dom.n];
    for (k, &c) in dom.codes.iter().enumerate() {
        if c != NO_DOMAIN && w[k] != 0.0 {
            n[c as usize] += 1;
            nw[c as usize] += w[k];
        }
    }
    (n, nw)
}

/// Variance of the same estimator under SRSWOR of the same size (R `survey`'s
/// `deff = TRUE`), per domain.
///
/// # Formula
/// On the domain's rows with positive weight: n, N̂ = Σ w, ȳ = Σ w y / N̂,
/// `s² = Σ w (y − ȳ)² / N̂ · n/(n − 1)`; mean: `s² (N̂ − n)/(N̂ n)`; total: that times N̂².
/// NaN when N̂ < n (weights not scaled to the population, as R warns).
pub(crate) fn srs_variances(w: &[f64], y: &[f64], dom: &Domains, total: bool) -> Vec<f64> {
    let (n, nw) = domain_counts(w, dom);
    let mut sy = vec![0.0; dom.n];
    for (k, &c) in dom.codes.iter().enumerate() {
        if c != NO_DOMAIN && w[k] != 0.0 {
            sy[c as usize] += w[k] * y[k];
        }
    }
    let mean: Vec<f64> = sy.iter().zip(&nw).map(|(s, n)| s / n).collect();
    let mut ss = vec![0.0; dom.n];
    for (k, &c) in dom.codes.iter().enumerate() {
        if c != NO_DOMAIN && w[k] != 0.0 {
            let e = y[k] - mean[c as usize];
            ss[c as usize] += w[k] * e * e;
        }
    }
    (0..dom.n)
        .map(|d| {
            let (nd, nh) = (n[d] as f64, nw[d]);
            if nd < 2.0 || nh < nd {
                return f64::NAN;
            }
            let s2 = ss[d] / nh * nd / (nd - 1.0);
            let v = s2 * (nh - nd) / (nh * nd);
            if total { v * nh * nh } else { v }
        })
        .collect()
}
