//! The nonresponse engine: validated inputs prepared once, then the adjustment on the design
//! weights and on every replicate weight column.

use super::diagnostics::{kish_deff, largest_factors, phase_rates, profiles, r_indicator};
use super::eligibility::{EligibilityClass, redistribute};
use super::groups::{Grouping, ScoreGroups, score_groups, weighting_classes};
use super::input::{Values, Variable, check_complete, check_lengths, cross_classify, restrict};
use super::logistic::Fitted;
use super::propensity::{Phases, PreparedModel, Propensities, ResponseModel, summaries};
use super::report::{OutcomeCount, Report};
use super::status::{Outcome, StatusCodes, classify};
use crate::data::Factor;
use crate::error::{Error, Result};

/// The adjustment method.
#[derive(Debug, Clone)]
pub enum Method<'a> {
    /// Weighting classes (cross-classified categorical columns): factor Σ eligible d' /
    /// Σ respondent d' per class. No model.
    Classes(Vec<Variable<'a>>),
    /// Response homogeneity groups formed on the modelled propensity (score method).
    Score {
        /// The propensity model.
        model: ResponseModel<'a>,
        /// Grouping settings.
        groups: ScoreGroups,
    },
    /// Inverse propensity weighting: w = d' / p̂.
    Propensity(ResponseModel<'a>),
}

/// Everything the adjustment needs besides the weights (the validated `nonresponse` config
/// with its columns).
#[derive(Debug, Clone)]
pub struct NonresponseSpec<'a> {
    /// Name of the status column (messages).
    pub status_name: &'a str,
    /// The status column.
    pub status: &'a Factor,
    /// Declared codes of the status column.
    pub codes: StatusCodes,
    /// Classes within which unknown-eligibility weight is shared (empty: one class).
    pub eligibility_classes: Vec<Variable<'a>>,
    /// The method.
    pub method: Method<'a>,
    /// Variables profiled by mode in the report (numeric → means, categorical → shares and
    /// partial R-indicators).
    pub profile: Vec<Variable<'a>>,
}

/// Result of the adjustment of one weight column.
#[derive(Debug, Clone)]
pub struct Adjustment {
    /// Adjusted weight per sampled unit: 0 for nonrespondents, ineligibles and unknowns.
    pub weights: Vec<f64>,
    /// Design weights d as given.
    pub design_weights: Vec<f64>,
    /// Eligibility-adjusted weights d' (unknowns' weight shared; 0 for unknowns).
    pub eligibility_weights: Vec<f64>,
    /// p̂ per eligible unit (`None` for ineligible / unknown units): the model's propensity,
    /// or the class's weighted response rate for weighting classes.
    pub propensity: Vec<Option<f64>>,
    /// Group / class index per eligible unit (into `group_labels`).
    pub group: Vec<Option<u32>>,
    /// Group labels (`1`…`G` by increasing p̂, or class labels).
    pub group_labels: Vec<String>,
    /// Collection outcome per unit (the `phase` output column: `outcome.label()`).
    pub outcome: Vec<Outcome>,
    /// The report.
    pub report: Report,
    fits: Vec<Fitted>,
}

impl Adjustment {
    /// Response probability of the nonresponse phase, p̂_k = d_k / w_k^{NR}, per respondent
    /// (`None` elsewhere) — what the variance engine's nonresponse-phase term needs
    /// (Σ_{k∈r} (1 − p̂_k)(d_k e_k / p̂_k)²). It includes the eligibility factor.
    pub fn response_probabilities(&self) -> Vec<Option<f64>> {
        self.weights
            .iter()
            .zip(&self.design_weights)
            .map(|(&w, &d)| (w > 0.0).then(|| d / w))
            .collect()
    }

    /// Group label of unit `i`.
    pub fn group_label(&self, i: usize) -> Option<&str> {
        self.group[i].map(|g| self.group_labels[g as usize].as_str())
    }
}

/// Replicate weights adjusted by redoing the whole chain on each replicate column.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicateAdjustment {
    /// One adjusted weight vector per replicate column, in the given order.
    pub weights: Vec<Vec<f64>>,
    /// Number of response groups per replicate (score method; empty otherwise).
    pub groups_per_replicate: Vec<usize>,
    /// What differed from the full sample (aliased columns dropped in a replicate...).
    pub notes: Vec<String>,
}

enum Prepared<'a> {
    Classes { class: Vec<u32>, labels: Vec<String> },
    Score { model: PreparedModel<'a>, groups: ScoreGroups },
    Propensity { model: PreparedModel<'a> },
}

/// The validated nonresponse adjustment, ready to run on design or replicate weights.
pub struct Nonresponse<'a> {
    spec: NonresponseSpec<'a>,
    outcomes: Vec<Outcome>,
    elig_class: Vec<u32>,
    elig_labels: Vec<String>,
    prepared: Prepared<'a>,
}

/// What a replicate run keeps: weights, notes, number of score groups.
type ReplicateRun = (Vec<f64>, Vec<String>, Option<usize>);

/// One run of the chain on one weight column.
struct Core {
    dprime: Vec<f64>,
    elig: Vec<EligibilityClass>,
    props: Option<Propensities>,
    grouping: Option<Grouping>,
    p: Vec<f64>,
    weights: Vec<f64>,
}

impl<'a> Nonresponse<'a> {
    /// Classifies the outcomes and prepares the model matrix / classes.
    ///
    /// # Errors
    /// Undeclared or missing status codes, wrong column lengths, predictors or classes missing
    /// for eligible units, an unknown reference level, inconsistent phone-number data.
    pub fn new(spec: NonresponseSpec<'a>) -> Result<Self> {
        let n = spec.status.len();
        let outcomes = classify(spec.status_name, spec.status, &spec.codes)?;
        check_lengths(&spec.eligibility_classes, n, "eligibility class variable")?;
        check_lengths(&spec.profile, n, "profile variable")?;
        let (elig_class, elig_labels) = if outcomes.contains(&Outcome::Unknown) {
            let all = vec![true; n];
            for v in &spec.eligibility_classes {
                check_complete(v, &all, "eligibility class variable")?;
            }
            cross_classify(&spec.eligibility_classes, n)?
        } else {
            (vec![0; n], vec!["all".to_string()])
        };
        let eligible: Vec<bool> = outcomes.iter().map(|o| o.is_eligible()).collect();
        let prepared = match &spec.method {
            Method::Classes(vars) => {
                check_lengths(vars, n, "weighting class variable")?;
                for v in vars {
                    check_complete(v, &eligible, "weighting class variable")?;
                }
                let (mut class, labels) = cross_classify(vars, n)?;
                let labels = restrict(&mut class, labels, &eligible);
                Prepared::Classes { class, labels }
            }
            Method::Score { model, groups } => {
                if groups.groups == 0 {
                    return Err(Error::method("nonresponse", "`score_groups` must be at least 1"));
                }
                Prepared::Score { model: PreparedModel::new(model, &outcomes)?, groups: *groups }
            }
            Method::Propensity(model) => {
                Prepared::Propensity { model: PreparedModel::new(model, &outcomes)? }
            }
        };
        Ok(Nonresponse { spec, outcomes, elig_class, elig_labels, prepared })
    }

    /// The collection outcome of every unit.
    pub fn outcomes(&self) -> &[Outcome] {
        &self.outcomes
    }

    /// Adjusts the design weights `d` and builds the report.
    ///
    /// # Errors
    /// Invalid weights, a class/group without respondents, separation or non-convergence of
    /// a model, an eligibility class with only unknowns.
    pub fn adjust(&self, d: &[f64]) -> Result<Adjustment> {
        check_weights(d, self.outcomes.len(), "design weight")?;
        let core = self.core(d, None)?;
        let report = self.report(d, &core);
        let group_labels = core
            .grouping
            .as_ref()
            .map(|g| g.stats.iter().map(|s| s.group.clone()).collect())
            .unwrap_or_default();
        let group = core
            .grouping
            .as_ref()
            .map(|g| g.group.iter().map(|&c| (c != Factor::MISSING).then_some(c)).collect())
            .unwrap_or_else(|| vec![None; d.len()]);
        Ok(Adjustment {
            propensity: core.p.iter().map(|&v| v.is_finite().then_some(v)).collect(),
            weights: core.weights,
            design_weights: d.to_vec(),
            eligibility_weights: core.dprime,
            group,
            group_labels,
            outcome: self.outcomes.clone(),
            report,
            fits: core.props.map(|p| p.fits).unwrap_or_default(),
        })
    }

    /// Redoes the whole adjustment (eligibility, model, group boundaries, factors) on each
    /// replicate weight column, in parallel; `full` is the full-sample result (its fits are
    /// Newton starting points). Results do not depend on the
    /// number of threads.
    ///
    /// # Errors
    /// The first failing replicate (in the given order), its name in the message.
    pub fn adjust_replicates(
        &self,
        full: &Adjustment,
        replicates: &[(&str, &[f64])],
    ) -> Result<ReplicateAdjustment> {
        use rayon::prelude::*;
        // Each run keeps only its weights and notes (not the per-unit intermediates), so
        // memory stays at one weight vector per replicate.
        let runs: Vec<Result<ReplicateRun>> = replicates
            .par_iter()
            .map(|(name, d)| {
                check_weights(d, self.outcomes.len(), &format!("replicate weight `{name}`"))?;
                let core = self.core(d, Some(&full.fits)).map_err(|e| in_replicate(e, name))?;
                Ok(self.replicate_summary(name, core))
            })
            .collect();
        let mut out = ReplicateAdjustment {
            weights: Vec::with_capacity(replicates.len()),
            groups_per_replicate: Vec::new(),
            notes: Vec::new(),
        };
        for run in runs {
            let (weights, notes, groups) = run?;
            out.weights.push(weights);
            out.notes.extend(notes);
            out.groups_per_replicate.extend(groups);
        }
        Ok(out)
    }

    fn replicate_summary(&self, name: &str, core: Core) -> ReplicateRun {
        let mut notes = Vec::new();
        for f in core.props.iter().flat_map(|p| &p.fits).filter(|f| !f.summary.aliased.is_empty()) {
            notes.push(format!(
                "{name}: {} model dropped aliased column(s) {}",
                f.summary.model,
                f.summary.aliased.join(", ")
            ));
        }
        let groups = match (&self.prepared, &core.grouping) {
            (Prepared::Score { .. }, Some(g)) => Some(g.stats.len()),
            _ => None,
        };
        (core.weights, notes, groups)
    }

    fn core(&self, d: &[f64], warm: Option<&[Fitted]>) -> Result<Core> {
        let o = &self.outcomes;
        let (dprime, elig) = redistribute(o, d, &self.elig_class, &self.elig_labels)?;
        let n = d.len();
        let mut weights = vec![0.0; n];
        let resp = |i: usize| o[i].is_respondent();
        match &self.prepared {
            Prepared::Classes { class, labels } => {
                let g = weighting_classes(class, labels, &dprime, o)?;
                let mut p = vec![f64::NAN; n];
                for i in (0..n).filter(|&i| class[i] != Factor::MISSING) {
                    let s = &g.stats[class[i] as usize];
                    p[i] = s.weighted_response_rate;
                    if resp(i) {
                        weights[i] = dprime[i] * s.factor;
                    }
                }
                Ok(Core { dprime, elig, props: None, grouping: Some(g), p, weights })
            }
            Prepared::Score { model, groups } => {
                let props = model.estimate(o, &dprime, warm)?;
                let g = score_groups(&props.p, &dprime, o, groups)?;
                for i in (0..n).filter(|&i| resp(i)) {
                    weights[i] = dprime[i] * g.stats[g.group[i] as usize].factor;
                }
                let p = props.p.clone();
                Ok(Core { dprime, elig, props: Some(props), grouping: Some(g), p, weights })
            }
            Prepared::Propensity { model } => {
                let props = model.estimate(o, &dprime, warm)?;
                for i in (0..n).filter(|&i| resp(i)) {
                    weights[i] = dprime[i] / props.p[i];
                }
                let p = props.p.clone();
                Ok(Core { dprime, elig, props: Some(props), grouping: None, p, weights })
            }
        }
    }

    fn report(&self, d: &[f64], core: &Core) -> Report {
        let o = &self.outcomes;
        let (method, phases, number) = match &self.spec.method {
            Method::Classes(_) => ("classes", "none", None),
            Method::Score { model, .. } | Method::Propensity(model) => match &model.phases {
                Phases::Global => (self.method_name(), "global", None),
                Phases::Sequential { phone_number, .. } => {
                    (self.method_name(), "sequential", Some(*phone_number))
                }
            },
        };
        let mut outcomes: Vec<OutcomeCount> = Vec::new();
        for &kind in &[
            Outcome::Web,
            Outcome::Phone,
            Outcome::Respondent,
            Outcome::Nonrespondent,
            Outcome::Ineligible,
            Outcome::Unknown,
        ] {
            let idx = (0..d.len()).filter(|&i| o[i] == kind);
            let (n, w) = idx.fold((0, 0.0), |(n, w), i| (n + 1, w + d[i]));
            if n > 0 {
                outcomes.push(OutcomeCount { outcome: kind, n, weight: w });
            }
        }
        let mut notes = Vec::new();
        let models = core.props.as_ref().map(|p| summaries(&p.fits)).unwrap_or_default();
        for m in models.iter().filter(|m| !m.aliased.is_empty()) {
            notes.push(format!(
                "{} model: aliased column(s) dropped (coefficient reported as null, 0 in \
                 predictions): {}",
                m.model,
                m.aliased.join(", ")
            ));
        }
        if let Some(g) = &core.grouping {
            notes.extend(g.notes.iter().cloned());
        }
        let label = |i: usize| {
            core.grouping.as_ref().and_then(|g| {
                let c = g.group[i];
                (c != Factor::MISSING).then(|| g.stats[c as usize].group.clone())
            })
        };
        Report {
            method,
            phases,
            n_sampled: d.len(),
            outcomes,
            eligibility: core.elig.clone(),
            response_rates: phase_rates(o, &core.dprime, number),
            models,
            phone_share: core.props.as_ref().map(|p| p.share.clone()).unwrap_or_default(),
            groups: core.grouping.as_ref().map(|g| g.stats.clone()).unwrap_or_default(),
            score_groups_initial: match &self.prepared {
                Prepared::Score { groups, .. } => Some(groups.groups),
                _ => None,
            },
            r_indicator: r_indicator(&core.p, &core.dprime, o, &self.partial_variables()),
            profiles: profiles(&self.spec.profile, o, &core.dprime),
            largest_factors: largest_factors(d, &core.weights, o, label, 10),
            kish: kish_deff(d, &core.weights, o),
            notes,
            break_off: Vec::new(),
        }
    }

    fn method_name(&self) -> &'static str {
        match self.spec.method {
            Method::Classes(_) => "classes",
            Method::Score { .. } => "score",
            Method::Propensity(_) => "propensity",
        }
    }

    /// Categorical variables for partial R-indicators: model predictors, classes, profile
    /// variables (first occurrence of each name).
    fn partial_variables(&self) -> Vec<Variable<'a>> {
        let mut vars: Vec<Variable<'a>> = match &self.spec.method {
            Method::Classes(v) => v.clone(),
            Method::Score { model, .. } | Method::Propensity(model) => {
                model.predictors.iter().map(|p| p.variable).collect()
            }
        };
        vars.extend(self.spec.profile.iter().copied());
        let mut seen = std::collections::HashSet::new();
        vars.retain(|v| matches!(v.values, Values::Categorical(_)) && seen.insert(v.name));
        vars
    }
}

fn check_weights(d: &[f64], n: usize, what: &str) -> Result<()> {
    if d.len() != n {
        return Err(Error::method(
            "nonresponse",
            format!("{what} has {} values but the status column has {n}", d.len()),
        ));
    }
    if let Some(bad) = crate::data::check_weights(d) {
        return Err(Error::method("nonresponse", bad.describe(what)));
    }
    Ok(())
}

fn in_replicate(e: Error, name: &str) -> Error {
    e.prefixed(&format!("replicate `{name}`: "))
}
