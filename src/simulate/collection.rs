//! Field work of the synthetic FEJ survey: a letter inviting every sampled person to answer
//! on the web, then a telephone relaunch of the web non-respondents with a usable number.
//!
//! # Outcomes ([`OUTCOME_LEVELS`])
//! For each sampled person, in sample order:
//! 1. `unknown` with probability `unknown_rate` (default 3 %), eligible or not: the letter
//!    comes back or nobody is ever reached, and eligibility stays unknown (ASSUMPTION: the
//!    order of magnitude of "NPAI" returns of register-based surveys);
//! 2. otherwise an ineligible person (frame error, [`Population::eligible`] false) is
//!    `out_of_scope`;
//! 3. otherwise `web` with probability logistic(η), η = age group (18–29 −0.75, 30–44 −0.35,
//!    45–59 −0.15, 60–74 −0.05, 75+ −0.45) + diploma (none/brevet −0.7, CAP-BEP −0.35, bac 0,
//!    bac+2 +0.25, above +0.5) − 2.6 without internet. That gives ≈ 38 % among eligible
//!    persons (33 % at 18–29, 43 % at 30–59, 22 % at 75+), higher with a diploma, ≈ 5 %
//!    without internet
//!    (ASSUMPTIONS, the order of magnitude of web-first surveys of the general population
//!    such as Insee's web-telephone household surveys);
//! 4. a web non-respondent with a usable number ([`Population::phone`]) is called when
//!    `phone_relaunch`: `phone` with probability logistic(η), η = age group (18–29 −1.1,
//!    30–44 −0.75, 45–59 −0.4, 60–74 0, 75+ 0), i.e. 25 % … 50 %, ≈ 41 % of those called
//!    (ASSUMPTION: older people answer the telephone more); otherwise `refusal` (45 %) or
//!    `unreached` (55 %) (ASSUMPTION);
//! 5. a web non-respondent without a usable number is `no_number`. Without the relaunch
//!    (`phone_relaunch: false`) web non-respondents with a number are `unreached` (never
//!    called) and those without are `no_number`.
//!
//! Overall, about 51 % of the sampled persons respond (web 36 %, phone 15 %; refusal 10 %,
//! unreached 12 %, no number 22 %, out of scope 1.7 %, unknown 3 %; all in-scope persons of
//! the 200,000 register of seed 2024).
//! Response depends on age group, diploma, internet use and the number only, never on the
//! answers: given the frame variables it is ignorable (see [`super::survey`]).
//!
//! # Mode effect
//! `mode_effect` δ shifts, for telephone respondents only, the logit of the positive answers:
//! trust "high or rather high" (all cumulative logits of the trust scale move by δ, so
//! logit P(trusts) moves by exactly δ) and "justice treats everyone equally". δ > 0 mimics the
//! social-desirability bias of interviewer-administered modes. The answer given is coupled
//! to the true answer: the person's latent uniform is redrawn within the interval of the
//! true answer and read against the shifted probabilities, so a person changes answer only
//! in the direction of δ, and the answer given has exactly the shifted distribution given the
//! frame variables. δ = 0 (default) reproduces the true answers. The other questions carry no
//! mode effect.
//!
//! # The civil-justice module: filters, item nonresponse and break-off
//! The module's questions (`dispute`, then `recourse` if dispute = yes, then
//! `nonrecourse_reason` if recourse = none) carry codes instead of blanks for respondents
//! ([`MODULE_CODES`]; see `missing_codes:` of the estimates):
//! - `break_off`: a respondent who left the questionnaire before the module (the person
//!   column `break_off` is `yes`), coded in every module question. Probability
//!   [`BREAK_OFF_WEB`] = 4 % on the web, [`BREAK_OFF_PHONE`] = 1 % by telephone
//!   (ASSUMPTION: web break-offs are a few per cent in self-administered surveys, an
//!   interviewer keeps people on the line);
//! - `dont_know` / `refused`, item nonresponse of a respondent asked the question, with the
//!   probabilities of [`ITEM_NONRESPONSE`] (ASSUMPTION, small and growing along the module:
//!   dispute 1 % / 0.5 %, recourse 2 % / 1 %, reason 4 % / 1 %), whatever the answer (missing
//!   completely at random given the mode);
//! - `not_asked`: the question's filter is not met (dispute = no → recourse and reason not
//!   asked; recourse ≠ none → reason not asked), or its answer is unknown (a don't know on
//!   dispute → recourse not asked).
//!
//! Non-respondents keep blank answers and a blank `break_off`. The answers of the persons
//! who answered are their true answers, as before.
//!
//! # Random numbers
//! Six uniforms per sampled person from the caller's `rng`, in sample order, whatever the
//! branch taken: the same seed gives the same outcomes and answers. The module's four
//! uniforms per sampled person (break-off, then the item nonresponse of the three
//! questions) come from a separate stream ([`MODULE_STREAM`]) of a copy of the caller's
//! generator, so the outcomes and answers are those drawn without the module codes, and the
//! caller's generator advances exactly as before.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;

use super::frame::PersonFrame;
use super::survey::{
    EXPERIENCE_LEVELS, Population, REASON_LEVELS, RECOURSE_LEVELS, TRUST_LEVELS, fair_eta,
    logistic, region_group, trust_cdf, trust_eta, uniform,
};
use crate::data::ColumnData;
use crate::error::{Error, Result};

/// Collection outcome of a sampled person.
pub const OUTCOME_LEVELS: [&str; 7] =
    ["web", "phone", "refusal", "unreached", "no_number", "out_of_scope", "unknown"];

/// Indices into [`OUTCOME_LEVELS`].
pub mod outcome {
    /// Answered on the web.
    pub const WEB: u8 = 0;
    /// Answered by telephone.
    pub const PHONE: u8 = 1;
    /// Refused on the telephone.
    pub const REFUSAL: u8 = 2;
    /// Called but never reached (or not called: no relaunch).
    pub const UNREACHED: u8 = 3;
    /// Web non-respondent without a usable number.
    pub const NO_NUMBER: u8 = 4;
    /// Frame error: deceased, moved abroad…
    pub const OUT_OF_SCOPE: u8 = 5;
    /// Eligibility unknown.
    pub const UNKNOWN: u8 = 6;
}

/// Parameters of the field work (YAML `collection:` of the pipeline).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CollectionModel {
    /// Shift δ on the logit of the positive opinion answers (trust high or rather high,
    /// fair) of telephone respondents; 0 = no mode effect (module docs).
    pub mode_effect: f64,
    /// Web non-respondents with a usable number are called (default true).
    pub phone_relaunch: bool,
    /// Share of sampled persons whose eligibility stays unknown (default 0.03).
    pub unknown_rate: f64,
}

impl Default for CollectionModel {
    fn default() -> Self {
        CollectionModel { mode_effect: 0.0, phone_relaunch: true, unknown_rate: 0.03 }
    }
}

impl CollectionModel {
    /// Checks the parameters: `mode_effect` finite, `unknown_rate` in [0, 1).
    ///
    /// # Errors
    /// [`Error::method`] naming the parameter and the accepted range.
    pub fn validate(&self) -> Result<()> {
        if !self.mode_effect.is_finite() {
            return Err(Error::method(
                "collection",
                format!("mode_effect must be a finite number, got {}", self.mode_effect),
            ));
        }
        if !(0.0..1.0).contains(&self.unknown_rate) {
            return Err(Error::method(
                "collection",
                format!(
                    "unknown_rate must be in [0, 1), got {}; give the share of sampled persons \
                     whose eligibility stays unknown, e.g. 0.03",
                    self.unknown_rate
                ),
            ));
        }
        Ok(())
    }
}

/// Result of the field work, one entry per sampled row.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Collected {
    /// Index into [`OUTCOME_LEVELS`].
    pub outcome: Vec<u8>,
    /// `population.phone` of the sampled person (the relaunch list).
    pub has_phone: Vec<bool>,
    /// Trust answer as given (index into [`TRUST_LEVELS`]): the true answer, with the mode
    /// effect for telephone respondents. Meaningful for respondents only.
    pub trust: Vec<u8>,
    /// "Treats everyone equally" as given, same convention as `trust`.
    pub fair: Vec<bool>,
    /// The respondent broke off before the civil-justice module (respondents only).
    pub break_off: Vec<bool>,
    /// Item nonresponse drawn for `dispute`, `recourse`, `nonrecourse_reason` (index into
    /// [`ITEM_CODES`], 0 = answers); applies when the question is asked.
    pub item: Vec<[u8; 3]>,
}

/// The codes of the module's questions that are not answers (module docs).
pub const MODULE_CODES: [&str; 4] = ["not_asked", "dont_know", "refused", "break_off"];

/// Item nonresponse outcomes: answers, don't know, refused.
pub const ITEM_CODES: [&str; 3] = ["answers", "dont_know", "refused"];

/// Probability of breaking off before the module, web respondents (ASSUMPTION).
pub const BREAK_OFF_WEB: f64 = 0.04;
/// Probability of breaking off before the module, telephone respondents (ASSUMPTION).
pub const BREAK_OFF_PHONE: f64 = 0.01;
/// (don't know, refused) probabilities of `dispute`, `recourse`, `nonrecourse_reason` when
/// asked (ASSUMPTION).
pub const ITEM_NONRESPONSE: [(f64, f64); 3] = [(0.01, 0.005), (0.02, 0.01), (0.04, 0.01)];
/// Stream of the module's draws (a copy of the caller's generator on this stream).
pub const MODULE_STREAM: u64 = 0x4d4f_4455_4c45;

impl Collected {
    /// True for a web or telephone respondent.
    pub fn responded(&self, k: usize) -> bool {
        matches!(self.outcome[k], outcome::WEB | outcome::PHONE)
    }
}

const WEB_AGE: [f64; 6] = [0.0, -0.75, -0.35, -0.15, -0.05, -0.45];
const WEB_DIPLOMA: [f64; 6] = [0.0, -0.7, -0.35, 0.0, 0.25, 0.5];
const WEB_NO_INTERNET: f64 = -2.6;
const PHONE_AGE: [f64; 6] = [0.0, -1.1, -0.75, -0.4, 0.0, 0.0];
const PHONE_REFUSAL_SHARE: f64 = 0.45;

/// Simulates the field work for the sampled frame rows `rows` (in sample order).
///
/// The model is used as given; call [`CollectionModel::validate`] on user input first
/// (an `unknown_rate` outside [0, 1) acts as 0 or 1).
///
/// # Panics
/// A row index out of the population or frame (rows come from a sample of this frame).
pub fn collect(
    population: &Population,
    frame: &PersonFrame,
    rows: &[usize],
    model: &CollectionModel,
    rng: &mut ChaCha8Rng,
) -> Collected {
    let groups = region_group();
    let n = rows.len();
    let mut c = Collected {
        outcome: Vec::with_capacity(n),
        has_phone: Vec::with_capacity(n),
        trust: Vec::with_capacity(n),
        fair: Vec::with_capacity(n),
        break_off: Vec::with_capacity(n),
        item: Vec::with_capacity(n),
    };
    // the module's draws: a copy of the generator on its own stream (module docs)
    let mut module = ChaCha8Rng::from_seed(rng.get_seed());
    module.set_stream(MODULE_STREAM);
    for &i in rows {
        let u: [f64; 6] = std::array::from_fn(|_| uniform(rng));
        let has_phone = population.phone[i];
        let ag = frame.age_group[i] as usize;
        let out = if u[0] < model.unknown_rate {
            outcome::UNKNOWN
        } else if !population.eligible[i] {
            outcome::OUT_OF_SCOPE
        } else {
            let eta_web = WEB_AGE[ag]
                + WEB_DIPLOMA[frame.diploma[i] as usize]
                + if population.internet[i] { 0.0 } else { WEB_NO_INTERNET };
            if u[1] < logistic(eta_web) {
                outcome::WEB
            } else if !has_phone {
                outcome::NO_NUMBER
            } else if !model.phone_relaunch {
                outcome::UNREACHED
            } else if u[2] < logistic(PHONE_AGE[ag]) {
                outcome::PHONE
            } else if u[3] < PHONE_REFUSAL_SHARE {
                outcome::REFUSAL
            } else {
                outcome::UNREACHED
            }
        };
        let (mut trust, mut fair) = (population.trust[i], population.fair[i]);
        if out == outcome::PHONE && model.mode_effect != 0.0 {
            let experience = population.experience[i];
            let eta = trust_eta(frame, i, &groups, experience);
            trust = shifted_trust(trust, eta, model.mode_effect, u[4]);
            let eta_fair = fair_eta(frame, i, &groups, population.trust[i], experience);
            let (p, shifted) = (logistic(eta_fair), logistic(eta_fair + model.mode_effect));
            // Latent v uniform on the interval of the true answer, read against p'.
            let v = if fair { u[5] * p } else { p + u[5] * (1.0 - p) };
            fair = v < shifted;
        }
        let (broke, item) = module_draws(out, &mut module);
        c.break_off.push(broke);
        c.item.push(item);
        c.outcome.push(out);
        c.has_phone.push(has_phone);
        c.trust.push(trust);
        c.fair.push(fair);
    }
    c
}

/// The module's draws of one sampled person (four uniforms, whatever the outcome): break-off
/// (by mode, respondents only) and the item nonresponse of the three questions.
fn module_draws(out: u8, module: &mut ChaCha8Rng) -> (bool, [u8; 3]) {
    let m: [f64; 4] = std::array::from_fn(|_| uniform(module));
    let p_break = match out {
        outcome::WEB => BREAK_OFF_WEB,
        outcome::PHONE => BREAK_OFF_PHONE,
        _ => 0.0,
    };
    let item = std::array::from_fn(|q| {
        let (dk, refused) = ITEM_NONRESPONSE[q];
        if m[q + 1] < dk {
            1
        } else if m[q + 1] < dk + refused {
            2
        } else {
            0
        }
    });
    (m[0] < p_break, item)
}

/// The trust answer given with a mode effect δ: latent v uniform within the true answer's
/// interval [F_{k−1}, F_k) of the cumulative probabilities at η, read against those at η + δ.
fn shifted_trust(trust: u8, eta: f64, delta: f64, u: f64) -> u8 {
    let cdf = trust_cdf(eta);
    let k = trust as usize;
    let lo = if k == 0 { 0.0 } else { cdf[k - 1] };
    let hi = if k >= 3 { 1.0 } else { cdf[k] };
    let v = lo + u * (hi - lo);
    trust_cdf(eta + delta).iter().position(|&c| v < c).unwrap_or(3) as u8
}

fn yes_no(b: bool) -> Option<String> {
    Some(if b { "yes" } else { "no" }.to_string())
}

/// Columns to append to the sample table, in this order: `outcome` (text,
/// [`OUTCOME_LEVELS`]), `has_phone` (0/1), then the answers of respondents (web or phone),
/// missing for everybody else: `trust` ([`TRUST_LEVELS`]), `trusts` ("yes" = high or rather
/// high), `slow`, `costly`, `complex`, `fair` ("yes"/"no"), `court_experience`
/// ([`EXPERIENCE_LEVELS`]), `dispute` ("yes"/"no"), `recourse` ([`RECOURSE_LEVELS`]),
/// `nonrecourse_reason` ([`REASON_LEVELS`]) — the three module questions with the codes of
/// [`MODULE_CODES`] where not asked, not answered or broken off (module docs) — and
/// `break_off` ("yes"/"no" for respondents). `trust`, `trusts` and `fair` are the answers as
/// given (mode effect included).
///
/// # Panics
/// `collected` not from the same `rows` (different lengths), or a row out of the population.
pub fn survey_columns(
    population: &Population,
    rows: &[usize],
    collected: &Collected,
) -> Vec<(String, ColumnData)> {
    assert_eq!(rows.len(), collected.outcome.len(), "collected comes from other rows");
    let answered: Vec<Option<usize>> =
        (0..rows.len()).map(|k| collected.responded(k).then_some(k)).collect();
    let text = |f: &dyn Fn(usize, usize) -> Option<String>| -> ColumnData {
        ColumnData::Str(answered.iter().zip(rows).map(|(k, &i)| k.and_then(|k| f(k, i))).collect())
    };
    let level = |levels: &[&str], v: u8| -> Option<String> {
        levels.get(v as usize).map(|s| s.to_string())
    };
    let p = population;
    let module = ModuleAnswers { population, collected };
    vec![
        (
            "outcome".into(),
            ColumnData::Str(collected.outcome.iter().map(|&o| level(&OUTCOME_LEVELS, o)).collect()),
        ),
        (
            "has_phone".into(),
            ColumnData::I64(collected.has_phone.iter().map(|&b| Some(i64::from(b))).collect()),
        ),
        ("trust".into(), text(&|k, _| level(&TRUST_LEVELS, collected.trust[k]))),
        ("trusts".into(), text(&|k, _| yes_no(collected.trust[k] <= 1))),
        ("slow".into(), text(&|_, i| yes_no(p.slow[i]))),
        ("costly".into(), text(&|_, i| yes_no(p.costly[i]))),
        ("complex".into(), text(&|_, i| yes_no(p.complex[i]))),
        ("fair".into(), text(&|k, _| yes_no(collected.fair[k]))),
        ("court_experience".into(), text(&|_, i| level(&EXPERIENCE_LEVELS, p.experience[i]))),
        ("dispute".into(), text(&|k, i| module.dispute(k, i))),
        ("recourse".into(), text(&|k, i| module.recourse(k, i))),
        ("nonrecourse_reason".into(), text(&|k, i| module.reason(k, i))),
        ("break_off".into(), text(&|k, _| yes_no(collected.break_off[k]))),
    ]
}

/// The module's answers of a respondent (sample row k, population row i) with their codes.
struct ModuleAnswers<'a> {
    population: &'a Population,
    collected: &'a Collected,
}

impl ModuleAnswers<'_> {
    /// The code of question q when asked (`None` = the answer), or `break_off`.
    fn code(&self, k: usize, q: usize) -> Option<String> {
        if self.collected.break_off[k] {
            return Some("break_off".into());
        }
        match self.collected.item[k][q] {
            0 => None,
            c => Some(ITEM_CODES[c as usize].to_string()),
        }
    }

    /// The answer given to `dispute`, if any (not a code).
    fn dispute_answer(&self, k: usize, i: usize) -> Option<bool> {
        self.code(k, 0).is_none().then(|| self.population.dispute[i])
    }

    fn dispute(&self, k: usize, i: usize) -> Option<String> {
        self.code(k, 0).or_else(|| yes_no(self.population.dispute[i]))
    }

    fn recourse_answer(&self, k: usize, i: usize) -> Option<u8> {
        (self.dispute_answer(k, i) == Some(true) && self.code(k, 1).is_none())
            .then(|| self.population.recourse[i])
    }

    fn recourse(&self, k: usize, i: usize) -> Option<String> {
        if self.collected.break_off[k] {
            return Some("break_off".into());
        }
        if self.dispute_answer(k, i) != Some(true) {
            return Some("not_asked".into());
        }
        self.code(k, 1).or_else(|| level_of(&RECOURSE_LEVELS, self.population.recourse[i]))
    }

    fn reason(&self, k: usize, i: usize) -> Option<String> {
        if self.collected.break_off[k] {
            return Some("break_off".into());
        }
        let none = RECOURSE_LEVELS.iter().position(|l| *l == "none").map(|c| c as u8);
        if self.recourse_answer(k, i) != none {
            return Some("not_asked".into());
        }
        self.code(k, 2).or_else(|| level_of(&REASON_LEVELS, self.population.reason[i]))
    }
}

fn level_of(levels: &[&str], v: u8) -> Option<String> {
    levels.get(v as usize).map(|s| s.to_string())
}
