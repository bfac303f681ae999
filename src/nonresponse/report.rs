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
}
