//! One call from a validated design to a sample and its report: allocation, inclusion
//! probabilities, selection.

use indicatif::ProgressBar;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::error::Result;
use crate::sampling::allocation::{Allocation, AllocationSpec, BoundHit, SizeBasis, allocate};
use crate::sampling::cube::{BalanceReport, BalanceVar, CubeOptions, select_cube};
use crate::sampling::inclusion::{equal_probabilities, inclusion_probabilities_stratified};
use crate::sampling::{
    Sample, SortKey, Strata, select_poisson, select_srswor, select_systematic_sorted,
};

/// A size measure column (π ∝ size within strata).
#[derive(Debug, Clone, Copy)]
pub struct SizeColumn<'a> {
    /// Column name, for messages.
    pub name: &'a str,
    /// One value per frame row.
    pub values: &'a [f64],
}

/// The selection method and its inputs.
#[derive(Debug, Clone)]
pub enum SelectionMethod<'a> {
    /// Stratified SRSWOR.
    Srswor,
    /// Systematic sampling on the order of the `sort` keys (empty: frame order), π ∝ `size`
    /// or equal.
    Systematic {
        /// Size measure (π ∝ size), or equal probabilities.
        size: Option<SizeColumn<'a>>,
        /// Sort keys, most significant first.
        sort: Vec<SortKey<'a>>,
    },
    /// Poisson sampling, π ∝ `size` or equal; the sample size is random.
    Poisson {
        /// Size measure (π ∝ size), or equal probabilities.
        size: Option<SizeColumn<'a>>,
    },
    /// Stratified cube method balancing on `balance` (π always included).
    Cube {
        /// Size measure (π ∝ size), or equal probabilities.
        size: Option<SizeColumn<'a>>,
        /// Balancing variables.
        balance: Vec<BalanceVar<'a>>,
        /// Flight and landing options.
        options: CubeOptions,
    },
}

impl SelectionMethod<'_> {
    fn name(&self) -> &'static str {
        match self {
            SelectionMethod::Srswor => "srswor",
            SelectionMethod::Systematic { .. } => "systematic",
            SelectionMethod::Poisson { .. } => "poisson",
            SelectionMethod::Cube { .. } => "cube",
        }
    }

    fn size(&self) -> Option<SizeColumn<'_>> {
        match self {
            SelectionMethod::Srswor => None,
            SelectionMethod::Systematic { size, .. }
            | SelectionMethod::Poisson { size }
            | SelectionMethod::Cube { size, .. } => *size,
        }
    }
}

/// A sampling design over a frame.
#[derive(Debug, Clone)]
pub struct SamplingPlan<'a> {
    /// Strata of the frame, with the scope applied (see [`Strata::restrict`]).
    pub strata: &'a Strata,
    /// Sample size and its allocation.
    pub allocation: AllocationSpec,
    /// How units are drawn.
    pub method: SelectionMethod<'a>,
}

/// Per-stratum line of the design report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StratumReport {
    /// Stratum label.
    pub label: String,
    /// N_h (in scope).
    pub pop_size: u64,
    /// Method share before bounds and rounding.
    pub share: f64,
    /// Allocation before rounding.
    pub unrounded: f64,
    /// Allocated n_h.
    pub allocated: u64,
    /// Units drawn (= allocated except for Poisson sampling).
    pub drawn: u64,
    /// Bound that fixed n_h, if any.
    pub bound: Option<BoundHit>,
    /// Anticipated response rate.
    pub response_rate: f64,
    /// Expected respondents.
    pub expected_respondents: f64,
    /// Design weight N_h / n_h for equal probabilities; the mean weight of the drawn units
    /// otherwise.
    pub weight: f64,
    /// Σ of the design weights of the drawn units (HT estimate of N_h).
    pub weight_sum: f64,
    /// Certainty units drawn.
    pub certainty: u64,
}

/// What was drawn and how: the `--report` of `ponder sample`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DesignReport {
    /// Selection method.
    pub method: &'static str,
    /// Allocation method.
    pub allocation: &'static str,
    /// What `n` counted.
    pub basis: SizeBasis,
    /// Stratification column(s).
    pub stratification: String,
    /// Frame rows read.
    pub frame_rows: usize,
    /// Rows in scope N.
    pub in_scope: u64,
    /// Allocated total n.
    pub allocated: u64,
    /// Units drawn.
    pub drawn: usize,
    /// Certainty units (π = 1).
    pub certainty_units: usize,
    /// Rounds of capping of π at 1.
    pub capping_rounds: usize,
    /// Per-stratum lines.
    pub strata: Vec<StratumReport>,
    /// Cube method: balance checks and landing phase.
    pub balance: Option<BalanceReport>,
    /// Facts the user should know (random size, landing...).
    pub notes: Vec<String>,
}

/// The sample and its report.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawn {
    /// Selected units.
    pub sample: Sample,
    /// Design report.
    pub report: DesignReport,
}

/// Allocates, computes π and draws.
///
/// # Errors
/// Those of [`allocate`], [`inclusion_probabilities_stratified`] and the selection functions:
/// every message names the stratum, column or rows at fault.
pub fn draw(
    plan: &SamplingPlan<'_>,
    rng: &mut ChaCha8Rng,
    progress: Option<&ProgressBar>,
) -> Result<Drawn> {
    let strata = plan.strata;
    let alloc = allocate(strata.sizes(), strata.labels(), &plan.allocation)?;
    let n_h = alloc.sizes();
    let (pi, capping) = match plan.method.size() {
        Some(size) => {
            let ip = inclusion_probabilities_stratified(size.values, strata, &n_h, size.name)?;
            let cap = (ip.certainty.len(), ip.capping_rounds);
            (Some(ip.pi), cap)
        }
        None if matches!(plan.method, SelectionMethod::Srswor) => (None, (0, 0)),
        None => (Some(equal_probabilities(strata, &n_h)?), (0, 0)),
    };
    let mut notes = Vec::new();
    let (sample, balance) = match (&plan.method, pi.as_deref()) {
        (SelectionMethod::Srswor, _) => (select_srswor(strata, &n_h, rng, progress)?, None),
        (SelectionMethod::Systematic { sort, .. }, Some(pi)) => {
            (select_systematic_sorted(pi, strata, sort, rng, progress)?, None)
        }
        (SelectionMethod::Poisson { .. }, Some(pi)) => {
            notes.push(
                "Poisson sampling: the sample size is random; `allocated` is its expectation"
                    .to_string(),
            );
            (select_poisson(pi, strata, rng, progress)?, None)
        }
        (SelectionMethod::Cube { balance, options, .. }, Some(pi)) => {
            let (s, r) = select_cube(pi, strata, balance, options, rng, progress)?;
            if !r.dropped_in_landing.is_empty() {
                notes.push(format!(
                    "cube landing phase: {} unit(s) settled after dropping {} constraint(s); \
                     see balance.checks for the HT deviations",
                    r.landing_units,
                    r.dropped_in_landing.len()
                ));
            }
            (s, Some(r))
        }
        _ => return Err(crate::Error::Internal("no inclusion probabilities".into())),
    };
    let report = build_report(plan, &alloc, &sample, capping, balance, notes);
    Ok(Drawn { sample, report })
}

fn build_report(
    plan: &SamplingPlan<'_>,
    alloc: &Allocation,
    sample: &Sample,
    capping: (usize, usize),
    balance: Option<BalanceReport>,
    notes: Vec<String>,
) -> DesignReport {
    let strata = plan.strata;
    let h_count = strata.n_strata();
    let drawn = sample.counts(h_count);
    let mut wsum = vec![0.0; h_count];
    let mut cert = vec![0u64; h_count];
    for i in 0..sample.len() {
        let h = sample.stratum[i] as usize;
        wsum[h] += sample.design_weight[i];
        cert[h] += u64::from(sample.certainty[i]);
    }
    let equal = plan.method.size().is_none();
    let lines = alloc
        .strata
        .iter()
        .enumerate()
        .map(|(h, a)| StratumReport {
            label: a.label.clone(),
            pop_size: a.pop_size,
            share: a.share,
            unrounded: a.unrounded,
            allocated: a.n,
            drawn: drawn[h],
            bound: a.bound,
            response_rate: a.response_rate,
            expected_respondents: a.expected_respondents,
            weight: if equal { a.pop_size as f64 / a.n as f64 } else { wsum[h] / drawn[h] as f64 },
            weight_sum: wsum[h],
            certainty: cert[h],
        })
        .collect();
    DesignReport {
        method: plan.method.name(),
        allocation: alloc.method,
        basis: alloc.basis,
        stratification: strata.column().to_string(),
        frame_rows: strata.n_rows(),
        in_scope: strata.n_in_scope(),
        allocated: alloc.n,
        drawn: sample.len(),
        certainty_units: capping.0,
        capping_rounds: capping.1,
        strata: lines,
        balance,
        notes,
    }
}
