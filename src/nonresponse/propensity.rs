//! Response propensity p̂_k: one global model, or phase by phase for a sequential mixed-mode
//! collection (web, then telephone relaunch of web non-respondents having a number).
//!
//! # Formula
//! - Global: P(respond | eligible, x) by logistic regression among eligible units.
//! - Sequential: p_web = P(web | eligible, x) among eligible units; p_tel = P(phone |
//!   relaunched, x) among relaunched units (eligible web non-respondents with a usable phone
//!   number); q = P(usable number | web non-response). Then
//!   p_k = p_web,k + (1 − p_web,k) · q_k · p_tel,k.
//!
//! q is estimated among eligible web non-respondents, weighted by the eligibility-adjusted
//! design weights d' (see [`PhoneShare`]).

use super::input::{Variable, cross_classify, restrict};
use super::logistic::{FitCall, FitOptions, Fitted, ModelFit, fit};
use super::model_matrix::{ModelMatrix, Predictor};
use super::status::Outcome;
use crate::data::Factor;
use crate::error::{Error, Result};
use serde::Serialize;

/// Weights of the model fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelWeighting {
    /// Design-weighted (pseudo-ML, as `svyglm`), with the eligibility-adjusted weights d'.
    #[default]
    Design,
    /// Every unit with positive weight counts 1.
    Unweighted,
}

/// How q, the probability that a web non-respondent has a usable phone number, is estimated.
#[derive(Debug, Clone)]
pub enum PhoneShare<'a> {
    /// Design-weighted share with a number among eligible web non-respondents of each class
    /// (cross-classified variables; an empty list = one overall share):
    /// q_c = Σ_{c, web NR, number} d' / Σ_{c, web NR} d'.
    Classes(Vec<Variable<'a>>),
    /// Logistic regression of "has a number" on the response-model predictors among eligible
    /// web non-respondents (same weighting); q_k its fitted value.
    Model,
    /// q_k = the unit's own indicator (p_k = p_web for a unit without a number).
    Observed,
}

/// Global or phase-wise propensity.
#[derive(Debug, Clone)]
pub enum Phases<'a> {
    /// One model: respondent (any mode) among eligible units.
    Global,
    /// Web model among eligible units, phone model among relaunched units.
    Sequential {
        /// Usable phone number (the relaunch list), one per sampled unit.
        phone_number: &'a [bool],
        /// Estimation of q.
        share: PhoneShare<'a>,
    },
}

/// A response propensity model.
#[derive(Debug, Clone)]
pub struct ResponseModel<'a> {
    /// Predictors (an intercept is always added).
    pub predictors: Vec<Predictor<'a>>,
    /// Weighted or unweighted fit.
    pub weighting: ModelWeighting,
    /// Global or sequential.
    pub phases: Phases<'a>,
    /// Newton / aliasing / separation options.
    pub options: FitOptions,
}

/// q of one class in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhoneShareClass {
    /// Class label (`all` for one overall share).
    pub class: String,
    /// Eligible web non-respondents in the class.
    pub n_web_nonrespondents: usize,
    /// Of which with a usable number (relaunched).
    pub n_with_number: usize,
    /// Weighted share q_c.
    pub share: f64,
}

/// Prepared model inputs (built once, reused for every replicate).
pub(crate) struct PreparedModel<'a> {
    pub x: ModelMatrix<'a>,
    weighting: ModelWeighting,
    options: FitOptions,
    kind: PreparedPhases,
}

enum PreparedPhases {
    Global {
        y: Vec<f64>,
    },
    Sequential {
        y_web: Vec<f64>,
        y_phone: Vec<f64>,
        relaunched: Vec<bool>,
        web_nr: Vec<bool>,
        number: Vec<f64>,
        share: PreparedShare,
    },
}

enum PreparedShare {
    Classes { class: Vec<u32>, labels: Vec<String> },
    Model,
    Observed,
}

/// Fitted propensities (NaN for non-eligible units) and the fits.
pub(crate) struct Propensities {
    pub p: Vec<f64>,
    pub fits: Vec<Fitted>,
    pub share: Vec<PhoneShareClass>,
}

fn indicator(outcomes: &[Outcome], f: impl Fn(usize, Outcome) -> bool) -> Vec<f64> {
    outcomes.iter().enumerate().map(|(i, &o)| if f(i, o) { 1.0 } else { 0.0 }).collect()
}

impl<'a> PreparedModel<'a> {
    pub fn new(model: &ResponseModel<'a>, outcomes: &[Outcome]) -> Result<Self> {
        let n = outcomes.len();
        let eligible: Vec<bool> = outcomes.iter().map(|o| o.is_eligible()).collect();
        let x = ModelMatrix::build(&model.predictors, &eligible)?;
        let kind = match &model.phases {
            Phases::Global => {
                PreparedPhases::Global { y: indicator(outcomes, |_, o| o.is_respondent()) }
            }
            Phases::Sequential { phone_number, share } => {
                prepare_sequential(outcomes, phone_number, share, &eligible, n)?
            }
        };
        Ok(PreparedModel { x, weighting: model.weighting, options: model.options, kind })
    }

    /// Fitting weights: d' on the fit set (or 1 where d' > 0 when unweighted), else 0.
    fn fit_weights(&self, dprime: &[f64], in_set: impl Fn(usize) -> bool) -> Vec<f64> {
        (0..dprime.len())
            .map(|i| match (in_set(i) && dprime[i] > 0.0, self.weighting) {
                (false, _) => 0.0,
                (true, ModelWeighting::Design) => dprime[i],
                (true, ModelWeighting::Unweighted) => 1.0,
            })
            .collect()
    }

    fn run_fit(
        &self,
        label: &str,
        model: &str,
        y: &[f64],
        w: &[f64],
        warm: Option<&Fitted>,
    ) -> Result<Fitted> {
        // Full-sample fits (no warm start) report their deviance; replicate fits, warm-started
        // from the full sample, skip that extra pass.
        let call = FitCall {
            label,
            model,
            start: warm.map(|f| f.beta.as_slice()),
            deviance: warm.is_none(),
        };
        let mut f = fit(&call, &self.x, y, w, &self.options)?;
        f.summary.weighted = self.weighting == ModelWeighting::Design;
        Ok(f)
    }

    /// Fits the model(s) with eligibility-adjusted weights d' and returns p̂.
    /// `warm` are the full-sample fits (same order) used as Newton starting points.
    pub fn estimate(
        &self,
        outcomes: &[Outcome],
        dprime: &[f64],
        warm: Option<&[Fitted]>,
    ) -> Result<Propensities> {
        let eligible = |i: usize| outcomes[i].is_eligible();
        let w_at = |k: usize| warm.and_then(|w| w.get(k));
        match &self.kind {
            PreparedPhases::Global { y } => {
                let w = self.fit_weights(dprime, eligible);
                let f = self.run_fit(
                    "response model among eligible units",
                    "response",
                    y,
                    &w,
                    w_at(0),
                )?;
                let p = mask(f.predict(&self.x), outcomes);
                Ok(Propensities { p, fits: vec![f], share: Vec::new() })
            }
            PreparedPhases::Sequential { y_web, y_phone, relaunched, web_nr, number, share } => {
                let w = self.fit_weights(dprime, eligible);
                let fw = self.run_fit(
                    "web response model among eligible units",
                    "web",
                    y_web,
                    &w,
                    w_at(0),
                )?;
                let w = self.fit_weights(dprime, |i| relaunched[i]);
                let fp = self.run_fit(
                    "phone response model among relaunched units (eligible web non-respondents with a number)",
                    "phone",
                    y_phone,
                    &w,
                    w_at(1),
                )?;
                let mut fits = vec![fw, fp];
                let (q, share_rep) = match share {
                    PreparedShare::Observed => (number.clone(), Vec::new()),
                    PreparedShare::Classes { class, labels } => {
                        class_shares(class, labels, web_nr, number, dprime)?
                    }
                    PreparedShare::Model => {
                        let w = self.fit_weights(dprime, |i| web_nr[i]);
                        let fq = self.run_fit(
                            "phone-number model among eligible web non-respondents",
                            "phone_number",
                            number,
                            &w,
                            w_at(2),
                        )?;
                        let q = fq.predict(&self.x);
                        fits.push(fq);
                        (q, Vec::new())
                    }
                };
                let (pw, pt) = (fits[0].predict(&self.x), fits[1].predict(&self.x));
                let p = (0..outcomes.len()).map(|i| pw[i] + (1.0 - pw[i]) * q[i] * pt[i]).collect();
                Ok(Propensities { p: mask(p, outcomes), fits, share: share_rep })
            }
        }
    }
}

fn mask(mut p: Vec<f64>, outcomes: &[Outcome]) -> Vec<f64> {
    for (v, o) in p.iter_mut().zip(outcomes) {
        if !o.is_eligible() {
            *v = f64::NAN;
        }
    }
    p
}

fn prepare_sequential<'a>(
    outcomes: &[Outcome],
    phone_number: &[bool],
    share: &PhoneShare<'a>,
    eligible: &[bool],
    n: usize,
) -> Result<PreparedPhases> {
    if phone_number.len() != n {
        return Err(Error::method(
            "nonresponse",
            format!(
                "the phone-number indicator has {} values for {n} sampled units",
                phone_number.len()
            ),
        ));
    }
    if outcomes.contains(&Outcome::Respondent) {
        return Err(Error::method(
            "nonresponse",
            "`phases: sequential` needs the respondents' mode: declare the status codes under \
             `web` and `phone` instead of `respondent`, or use `phases: global`",
        ));
    }
    let bad: Vec<String> = (0..n)
        .filter(|&i| outcomes[i] == Outcome::Phone && !phone_number[i])
        .take(10)
        .map(|i| (i + 1).to_string())
        .collect();
    if !bad.is_empty() {
        return Err(Error::method(
            "nonresponse",
            format!(
                "rows {} responded by phone but have no usable phone number in the relaunch \
                 indicator; fix the phone-number column (every phone respondent was relaunched)",
                bad.join(", ")
            ),
        ));
    }
    let web_nr: Vec<bool> = (0..n).map(|i| eligible[i] && outcomes[i] != Outcome::Web).collect();
    let relaunched: Vec<bool> = (0..n).map(|i| web_nr[i] && phone_number[i]).collect();
    let number: Vec<f64> = phone_number.iter().map(|&b| if b { 1.0 } else { 0.0 }).collect();
    let share = match share {
        PhoneShare::Observed => PreparedShare::Observed,
        PhoneShare::Model => PreparedShare::Model,
        PhoneShare::Classes(vars) => {
            super::input::check_lengths(vars, n, "phone-share class variable")?;
            for v in vars {
                super::input::check_complete(v, eligible, "phone-share class variable")?;
            }
            let (mut class, labels) = cross_classify(vars, n)?;
            let labels = restrict(&mut class, labels, eligible);
            PreparedShare::Classes { class, labels }
        }
    };
    Ok(PreparedPhases::Sequential {
        y_web: indicator(outcomes, |_, o| o == Outcome::Web),
        y_phone: indicator(outcomes, |_, o| o == Outcome::Phone),
        relaunched,
        web_nr,
        number,
        share,
    })
}

/// q_c per class among eligible web non-respondents; q_k = q_{c(k)} for eligible units.
fn class_shares(
    class: &[u32],
    labels: &[String],
    web_nr: &[bool],
    number: &[f64],
    dprime: &[f64],
) -> Result<(Vec<f64>, Vec<PhoneShareClass>)> {
    let nc = labels.len();
    let (mut tot, mut num) = (vec![0.0; nc], vec![0.0; nc]);
    let (mut n_tot, mut n_num) = (vec![0usize; nc], vec![0usize; nc]);
    let mut elig = vec![0.0; nc];
    for i in (0..class.len()).filter(|&i| class[i] != Factor::MISSING) {
        elig[class[i] as usize] += dprime[i];
        if !web_nr[i] {
            continue;
        }
        let c = class[i] as usize;
        tot[c] += dprime[i];
        num[c] += dprime[i] * number[i];
        n_tot[c] += usize::from(dprime[i] > 0.0);
        n_num[c] += usize::from(dprime[i] > 0.0 && number[i] > 0.5);
    }
    let mut rep = Vec::with_capacity(nc);
    for c in 0..nc {
        if elig[c] <= 0.0 {
            rep.push(PhoneShareClass {
                class: labels[c].clone(),
                n_web_nonrespondents: 0,
                n_with_number: 0,
                share: f64::NAN,
            });
            continue;
        }
        if tot[c] <= 0.0 {
            return Err(Error::method(
                "nonresponse",
                format!(
                    "phone-share class `{}` has no eligible web non-respondent, so the share \
                     with a phone number cannot be estimated there; use coarser classes for the \
                     phone share",
                    labels[c]
                ),
            ));
        }
        rep.push(PhoneShareClass {
            class: labels[c].clone(),
            n_web_nonrespondents: n_tot[c],
            n_with_number: n_num[c],
            share: num[c] / tot[c],
        });
    }
    let q = class
        .iter()
        .map(|&c| if c == Factor::MISSING { f64::NAN } else { rep[c as usize].share })
        .collect();
    rep.retain(|r| !r.share.is_nan());
    Ok((q, rep))
}

/// The fits' summaries.
pub(crate) fn summaries(fits: &[Fitted]) -> Vec<ModelFit> {
    fits.iter().map(|f| f.summary.clone()).collect()
}
