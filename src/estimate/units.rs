//! Estimates about *units* linked to the sampled persons: one row per dispute (say), each
//! carrying its person's key. The person is the unit of the design.
//!
//! # Formula
//! Unit u belongs to person i(u); it inherits the person's weight, w_u = w_{i(u)} (and, with
//! replicates, every replicate weight w_{i(u)}^{(r)}). An estimator on the units (a total of
//! disputes, a non-recourse rate per dispute, by type) gives influence values z_u on the
//! units; its linearized value at the person level is the sum over the person's units,
//!
//! ```text
//! z_i = Σ_{u : i(u) = i} z_u,      Σ_u w_u z_u = Σ_i w_i z_i,
//! ```
//!
//! and the person-level z_i go through the one variance engine of the person design
//! (strata, PSUs, fpc, calibration residuals, nonresponse phase): disputes are clustered
//! within persons, within the design's PSUs and strata. Persons without units stay in the
//! design with z_i = 0 (they count in n_h). This is R `survey` on the file *expanded* to
//! one row per unit (plus one row with zero values per person without unit), designed with
//! `ids = ~psu + person` (or `ids = ~person` for a one-stage design), the person weights and
//! the person's replicate weights (`svrepdesign`).
//!
//! Domains are on the unit rows (a dispute type, a person variable joined through the key).
//! A domain's variance uses the persons holding at least one unit of the domain as its
//! rows (what R's `svyby` keeps of the expanded design; it matters only for
//! `lonely_psu: average`).

use super::domain::{Domains, NO_DOMAIN};
use super::estimators::Estimator;
use crate::error::{Error, Result};
use crate::variance::{GroupedEstimates, Linearizable, NO_GROUP, VarianceSource};

/// The person of every unit row (index into the weighted file's rows).
///
/// # Formula
/// Unit u inherits w_u = w_{i(u)} (and every replicate weight of i(u)); a unit-level
/// estimator's influence values are summed per person, z_i = Σ_{u : i(u) = i} z_u, and the
/// person-level z_i go through the design's variance engine: R `survey` on the file expanded
/// to one row per unit with `ids = ~psu + person` and the person weights.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitLink {
    person: Vec<u32>,
    n_persons: usize,
}

impl UnitLink {
    /// `person[u]` is the row of unit u's person among `n_persons` rows.
    ///
    /// # Errors
    /// A person index out of range (an internal error: the bind layer checks keys).
    pub fn new(person: Vec<u32>, n_persons: usize) -> Result<UnitLink> {
        if let Some(u) = person.iter().position(|&i| i as usize >= n_persons) {
            return Err(Error::Internal(format!(
                "unit link: unit row {} points to person row {} of {n_persons}",
                u + 1,
                person[u] as usize + 1
            )));
        }
        Ok(UnitLink { person, n_persons })
    }

    /// Number of unit rows.
    pub fn n_units(&self) -> usize {
        self.person.len()
    }

    /// Number of person rows (the design's rows).
    pub fn n_persons(&self) -> usize {
        self.n_persons
    }

    /// The person row of every unit.
    pub fn persons(&self) -> &[u32] {
        &self.person
    }

    /// Person values (weights) carried to the units: `x_u = x_{i(u)}`.
    pub fn expand(&self, x: &[f64]) -> Vec<f64> {
        self.person.iter().map(|&i| x[i as usize]).collect()
    }

    /// Unit values summed per person: `z_i = Σ_{u : i(u) = i} z_u`, over the units where
    /// `keep(u)` holds.
    pub fn sum_to_persons(&self, z: &[f64], keep: impl Fn(usize) -> bool) -> Vec<f64> {
        let mut out = vec![0.0; self.n_persons];
        for (u, (&i, &zu)) in self.person.iter().zip(z).enumerate() {
            if keep(u) {
                out[i as usize] += zu;
            }
        }
        out
    }

    /// The persons holding at least one unit where `keep(u)` holds.
    pub fn holders(&self, keep: impl Fn(usize) -> bool) -> Vec<bool> {
        let mut holds = vec![false; self.n_persons];
        for (u, &i) in self.person.iter().enumerate() {
            holds[i as usize] |= keep(u);
        }
        holds
    }

    /// The person-level group of domain `d`: 0 for persons holding a unit of the domain,
    /// [`NO_GROUP`] otherwise.
    fn domain_group(&self, dom: &Domains, d: usize) -> Vec<u32> {
        let codes = &dom.codes;
        self.holders(|u| codes[u] as usize == d && codes[u] != NO_DOMAIN)
            .into_iter()
            .map(|h| if h { 0 } else { NO_GROUP })
            .collect()
    }
}

/// An estimator on the unit rows seen by the engine as a statistic of the persons: person
/// weights are carried to the units, unit influence values summed per person. `only`
/// keeps one domain (linearization, domain by domain); `None` gives every domain (the
/// replicate path, which only takes point values).
struct PersonLevel<'a> {
    est: &'a dyn Estimator,
    dom: &'a Domains,
    link: &'a UnitLink,
    only: Option<usize>,
}

impl Linearizable for PersonLevel<'_> {
    fn point(&self, w: &[f64]) -> Vec<f64> {
        let all = self.est.point(&self.link.expand(w), self.dom);
        match self.only {
            Some(d) => vec![all[d]],
            None => all,
        }
    }

    fn linearize(&self, w: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let lin = self.est.linearize(&self.link.expand(w), self.dom);
        match self.only {
            Some(d) => {
                let codes = &self.dom.codes;
                let z = self.link.sum_to_persons(&lin.z, |u| codes[u] as usize == d);
                (vec![lin.estimates[d]], z)
            }
            None => {
                let z = self.link.sum_to_persons(&lin.z, |u| codes_in(self.dom, u));
                (lin.estimates, z)
            }
        }
    }
}

fn codes_in(dom: &Domains, u: usize) -> bool {
    dom.codes[u] != NO_DOMAIN
}

/// Estimates and variances of a unit-level estimator over its domains, the person being
/// the unit of the design (module docs).
///
/// # Errors
/// The variance engine's; a link that does not fit the source's rows.
pub(crate) fn run_linked(
    source: &VarianceSource,
    link: &UnitLink,
    est: &dyn Estimator,
    dom: &Domains,
) -> Result<GroupedEstimates> {
    if source.n_rows() != link.n_persons || dom.codes.len() != link.n_units() {
        return Err(Error::Internal(format!(
            "unit link of {} units / {} persons for {} unit codes and {} design rows",
            link.n_units(),
            link.n_persons,
            dom.codes.len(),
            source.n_rows()
        )));
    }
    if let VarianceSource::Replicates(_) = source {
        // point values only: the person-level grouping plays no part
        let all = PersonLevel { est, dom, link, only: None };
        return source.estimate(&all, &vec![NO_GROUP; link.n_persons], dom.n);
    }
    let mut out = GroupedEstimates {
        estimates: Vec::with_capacity(dom.n),
        variances: Vec::with_capacity(dom.n),
        dropped: Vec::with_capacity(dom.n),
    };
    for d in 0..dom.n {
        let one = PersonLevel { est, dom, link, only: Some(d) };
        let r = source.estimate(&one, &link.domain_group(dom, d), 1)?;
        out.estimates.push(r.estimates[0]);
        out.variances.push(r.variances[0]);
        out.dropped.push(r.dropped[0]);
    }
    Ok(out)
}

/// Degrees of freedom of each domain's sub-design among the persons holding its units.
pub(crate) fn linked_group_dfs(
    source: &VarianceSource,
    link: &UnitLink,
    dom: &Domains,
) -> Vec<f64> {
    (0..dom.n).map(|d| source.group_degrees_of_freedom(&link.domain_group(dom, d), 1)[0]).collect()
}
