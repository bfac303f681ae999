//! What a user declares about the sample design, before validation ([`DesignSpec`]).

use super::columns::{Categorical, Numeric};

/// What to do with a stratum that holds a single sampled PSU (R `survey`'s
/// `options(survey.lonely.psu = ...)`, but as a field of the design, never a global).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LonelyPsu {
    /// Stop with an error naming the stratum (R's default).
    #[default]
    Fail,
    /// The stratum contributes nothing to the variance.
    Remove,
    /// The lonely PSU's total is centred at the population mean of the influence values,
    /// 0, instead of its stratum mean (conservative), as R `survey`'s `onestrat` does: its
    /// contribution is f_h t_h². For a mean or a ratio (influence values summing to 0) this
    /// is centring on the grand mean of the PSU totals; for a total it is not.
    Adjust,
    /// The variance is scaled up by (number of strata) / (number of strata with ≥ 2 PSUs);
    /// for a domain (or `missing: drop`) without calibration, only the strata holding rows
    /// of the domain count, as R's design subset does.
    Average,
    /// The stratum is treated as sampled with certainty: no stage-1 contribution.
    Certainty,
}

impl LonelyPsu {
    /// Every policy name, for error messages.
    pub const NAMES: &'static str = "fail, remove, adjust, average, certainty";

    /// Parses a policy name (`fail | remove | adjust | average | certainty`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "fail" => Some(LonelyPsu::Fail),
            "remove" => Some(LonelyPsu::Remove),
            "adjust" => Some(LonelyPsu::Adjust),
            "average" => Some(LonelyPsu::Average),
            "certainty" => Some(LonelyPsu::Certainty),
            _ => None,
        }
    }
}

/// Variance of an unequal-probability (πps) design without fpc.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PpsVariance {
    /// With-replacement (Hansen–Hurwitz) approximation: the ordinary stratified formula with
    /// f = 0 (R `survey`'s default for `probs=` without fpc).
    #[default]
    WithReplacement,
    /// Exact Poisson-sampling HT variance `Σ (1 − π_k) (u_k)²`, u_k = w_k z_k
    /// (R `survey`'s `pps = poisson_sampling(pik)`). Needs inclusion probabilities and
    /// element sampling (no clusters).
    Poisson,
}

/// Where the sampling weights come from.
#[derive(Debug, Clone, PartialEq)]
pub enum WeightSource {
    /// A weight column (w_k ≥ 0; 0 = out of the analysis, e.g. a nonrespondent).
    Weights(Numeric),
    /// Inclusion probabilities π_k ∈ (0, 1]; w_k = 1/π_k.
    Probabilities(Numeric),
    /// No weight column: w_k = Π_stages N_s / n_s from the fpc (R `svydesign` without
    /// `weights`/`probs`). Needs population counts or fractions at every stage.
    FromFpc,
}

/// Unvalidated design declaration; [`super::Design::new`] checks it.
///
/// Maps one-to-one to the `design:` block of `ponder estimate`.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignSpec {
    /// Weights, probabilities or fpc-implied weights.
    pub weights: WeightSource,
    /// Stage-1 strata (`None` = unstratified).
    pub strata: Option<Categorical>,
    /// Cluster identifiers, stage 1 first. Empty = every row is its own PSU. Later-stage
    /// units are always taken as nested in their parent unit (as R `survey` does).
    pub clusters: Vec<Categorical>,
    /// Finite population corrections, one per stage (may be fewer than stages: variance
    /// recursion stops at the first stage without fpc). Population counts (> 1) or sampling
    /// fractions (≤ 1), detected per column as R `survey` does.
    pub fpc: Vec<Numeric>,
    /// PSU ids reused across strata denote different PSUs (R's `nest = TRUE`).
    pub nest: bool,
    /// Lonely-PSU policy.
    pub lonely_psu: LonelyPsu,
    /// πps variance without fpc.
    pub pps_variance: PpsVariance,
    /// Optional certainty indicator per row (1/true = PSU selected with certainty): such PSUs
    /// contribute no stage-1 variance (each becomes its own self-representing stratum).
    pub certainty: Option<Vec<bool>>,
}

impl DesignSpec {
    /// An element-sampling design with the given weights (every row its own PSU, no strata,
    /// no fpc): the starting point for builder-style updates.
    pub fn with_weights(name: &str, weights: Vec<f64>) -> Self {
        DesignSpec {
            weights: WeightSource::Weights(Numeric::new(name, weights)),
            strata: None,
            clusters: Vec::new(),
            fpc: Vec::new(),
            nest: false,
            lonely_psu: LonelyPsu::Fail,
            pps_variance: PpsVariance::WithReplacement,
            certainty: None,
        }
    }
}
