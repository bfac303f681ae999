//! The nonresponse report (serialized to JSON by the CLI).

use super::diagnostics::{KishDeff, LargeFactor, PhaseRates, ProfileItem, RIndicator};
use super::eligibility::EligibilityClass;
use super::groups::GroupStat;
use super::logistic::ModelFit;
use super::propensity::PhoneShareClass;
use super::status::Outcome;

use serde::Serialize;

/// Units and design weight per collection outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutcomeCount {
    /// Outcome.
    pub outcome: Outcome,
    /// Units.
    pub n: usize,
    /// Σ d.
    pub weight: f64,
}

/// Everything a methodologist checks after a nonresponse adjustment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// `classes`, `score` or `propensity`.
    pub method: &'static str,
    /// `global`, `sequential` (phase-wise model) or `none` (weighting classes).
    pub phases: &'static str,
    /// Sampled units.
    pub n_sampled: usize,
    /// Counts and design weight per outcome.
    pub outcomes: Vec<OutcomeCount>,
    /// Unknown-eligibility redistribution per class.
    pub eligibility: Vec<EligibilityClass>,
    /// Response rates by phase (eligible base).
    pub response_rates: PhaseRates,
    /// Fitted logistic models (web, phone, phone-number or a global response model).
    pub models: Vec<ModelFit>,
    /// q, the share with a usable phone number among web non-respondents, per class.
    pub phone_share: Vec<PhoneShareClass>,
    /// Response homogeneity groups or weighting classes, with their factors.
    pub groups: Vec<GroupStat>,
    /// Initial number of score groups (before merging), score method only.
    pub score_groups_initial: Option<usize>,
    /// R-indicator of p̂ and unconditional partial indicators.
    pub r_indicator: RIndicator,
    /// Profiles of web / phone respondents / nonrespondents.
    pub profiles: Vec<ProfileItem>,
    /// Respondents with the largest adjustment factors w / d.
    pub largest_factors: Vec<LargeFactor>,
    /// Kish design effects among respondents.
    pub kish: KishDeff,
    /// Everything done that a reader should know (dropped columns, merged groups...).
    pub notes: Vec<String>,
    /// Break-offs (respondents who left the questionnaire early) by mode, when the
    /// configuration names a `break_off` column ([`break_off_by_mode`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub break_off: Vec<BreakOffRate>,
}

/// Break-offs among the respondents of one mode.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakOffRate {
    /// `web`, `phone`, `respondent` (mode not distinguished) or `all`.
    pub mode: &'static str,
    /// Respondents of the mode.
    pub respondents: usize,
    /// Of whom broke off.
    pub break_offs: usize,
    /// break_offs / respondents.
    pub rate: f64,
    /// Σ d over the respondents of the mode (design weights).
    pub weight: f64,
    /// Σ d over those who broke off.
    pub weight_break_off: f64,
    /// weight_break_off / weight.
    pub weighted_rate: f64,
}

/// Break-off counts and rates among respondents, by mode (web, phone, mode not
/// distinguished) and for all respondents: unweighted, `n_bo / n`, and design-weighted,
/// `Σ_bo d / Σ d` (the design weights of the adjustment's input). `broke[i]` is read for
/// respondents only. Modes without respondents are left out.
pub fn break_off_by_mode(outcomes: &[Outcome], broke: &[bool], d: &[f64]) -> Vec<BreakOffRate> {
    let one = |mode: &'static str, keep: &dyn Fn(Outcome) -> bool| {
        let (mut n, mut nb, mut w, mut wb) = (0usize, 0usize, 0.0, 0.0);
        for i in (0..outcomes.len()).filter(|&i| outcomes[i].is_respondent() && keep(outcomes[i])) {
            n += 1;
            w += d[i];
            if broke[i] {
                nb += 1;
                wb += d[i];
            }
        }
        (n > 0).then(|| BreakOffRate {
            mode,
            respondents: n,
            break_offs: nb,
            rate: nb as f64 / n as f64,
            weight: w,
            weight_break_off: wb,
            weighted_rate: if w > 0.0 { wb / w } else { f64::NAN },
        })
    };
    [Outcome::Web, Outcome::Phone, Outcome::Respondent]
        .into_iter()
        .filter_map(|m| one(m.label(), &|o| o == m))
        .chain(one("all", &|_| true))
        .collect()
}
