//! The synthetic « Français et la justice » (FEJ) world: for every person of a register
//! ([`PersonFrame`]), frame errors, internet use, the telephone relaunch list, and the TRUE
//! answers to the survey questions.
//!
//! # Model
//! Every probability is a logistic function of an ADDITIVE linear predictor η in the frame
//! variables (sex, age group, diploma, PCS, region group, household size; tables below),
//! plus, for some outcomes, earlier outcomes of the same person (experience of the courts,
//! trust). Region enters through three groups: Ile-de-France (11), other metropolitan
//! regions, overseas (971–976). Categorical outcomes with more than two levels use
//! multinomial logits against a base level (experience, recourse, reason) or a cumulative
//! (proportional-odds) logit (trust: P(answer ∈ {high … level k}) = logistic(θ_k + η)).
//!
//! **Ignorability by construction.** The opinions, experience, dispute, recourse and reason
//! are drawn from the frame variables only (and from each other), never from `internet` or
//! `phone`; `internet` depends on age group and diploma only, `phone` on age group and region
//! group only. So response in [`super::collection`] (age group, diploma, internet, phone) is
//! independent of the answers given the frame variables: nonresponse is ignorable given the
//! frame variables, and nearly so given age × diploma.
//!
//! # Rates
//! Shares among eligible adults 18+ in ordinary dwellings outside Mayotte, as measured on
//! the 200,000-person register of seed 2024 (tests/it/simulate checks them).
//! - `eligible`: frame errors (deceased, moved abroad, unknown at address) by age group
//!   18–29 3.0 %, 30–44 1.4 %, 45–59 0.8 %, 60–74 1.0 %, 75+ 4.0 % (moved abroad among the
//!   young, deaths among the old) → ≈ 1.7 % overall. ASSUMPTION (order of magnitude of the
//!   out-of-scope rates of register-based surveys).
//! - `internet` (weekly use): η = age (18–29 +5.0, 30–44 +4.0, 45–59 +3.2, 60–74 +2.1,
//!   75+ +0.8) + diploma (none/brevet −1.0, CAP-BEP −0.5, bac 0, bac+2 +0.5, above +1.0)
//!   → 99 % at 18–29, 84 % at 60–74, 60 % at 75+, 90 % overall: the order of magnitude of Insee's
//!   ICT surveys (Insee Première 1780, 2019: 15 % "illectronism", 2/3 of 75+ without
//!   daily use); the coefficients are an ASSUMPTION.
//! - `phone` (usable number found by matching): η = age (18–29 −0.2, 30–44 +0.2, 45–59 +0.6,
//!   60–74 +1.1, 75+ +1.4) + overseas −0.4 → ≈ 45 % at 18–29, ≈ 80 % at 75+, ≈ 63 %
//!   overall (measured 44 %, 80 %, 63 %). ASSUMPTION (landlines and directories are more common among older people).
//! - `experience` (multinomial, base "none"): party η = −1.15 + age (18–29 −0.8, 45–59 +0.1,
//!   60–74 −0.1, 75+ −0.4) + men +0.15 + artisans/shopkeepers (PCS 2) +0.3 + living alone
//!   +0.2; other η = −1.35 + diploma (none −0.2, bac+2 +0.2, above +0.3) + age (18–29 −0.3,
//!   75+ −0.2) → none ≈ 63 %, party ≈ 20 %, other ≈ 17 %. ASSUMPTION (FEJ-type surveys
//!   find that most people never dealt with the courts).
//! - `trust` (cumulative logit, levels high, rather high, rather low, low): thresholds
//!   θ = (−2.21, 0.16, 1.64); η = age (18–29 +0.25, 45–59 −0.15, 60–74 −0.05, 75+ +0.1)
//!   plus diploma (none −0.25, CAP-BEP −0.2, bac+2 +0.1, above +0.3), PCS (artisans −0.2,
//!   managers +0.15, intermediate +0.05, employees −0.05, manual workers −0.15), region
//!   (Ile-de-France +0.05, overseas −0.4), living alone −0.1 and experience (party −0.6,
//!   other −0.15). Thresholds calibrated so that high + rather high ≈ 49 % of adults
//!   (measured 49.2 %): the headline of « Les Français et la justice » (Ministère de la
//!   Justice, SDSE), "about half of the French trust justice". The split high ≈ 9 % /
//!   rather high ≈ 41 % / rather low ≈ 31 % / low ≈ 20 % and every coefficient are
//!   ASSUMPTIONS.
//! - `slow` (η = 2.05 + age (18–29 −0.3, 60–74 +0.2, 75+ +0.1) + above bac+2 +0.2 + party
//!   +0.3 − 0.6 if trusts) ≈ 87 %; `costly` (η = 0.6 + none/brevet +0.2, above bac+2 −0.2,
//!   managers −0.3, manual workers +0.2, living alone +0.1 − 0.4 if trusts) ≈ 60 %;
//!   `complex` (η = 1.35 + 75+ +0.2, none/brevet +0.3, above bac+2 −0.2 − 0.3 if trusts)
//!   ≈ 77 %; `fair` (η = −1.15 + 1.2 if trusts + 18–29 +0.2, manual workers −0.2, overseas
//!   −0.3, party −0.3) ≈ 36 %. ASSUMPTIONS (majorities finding justice slow, costly,
//!   complex, a minority finding it equal for all, as in opinion surveys on justice).
//! - `dispute` (civil dispute in the last five years): η = −1.55 + age (18–29 −0.3, 30–44
//!   +0.25, 45–59 +0.25, 60–74 −0.2, 75+ −0.7) + diploma (none −0.3, CAP-BEP −0.1, bac+2
//!   +0.15, above +0.3) + household size (1 −0.1, 3 +0.1, 4 +0.2, 5 +0.25, 6+ +0.3)
//!   plus artisans +0.3 and party +0.8 → ≈ 21.6 %. ASSUMPTION. It means *at least one*
//!   dispute: the dispute list (type, stake, outcome of each) is [`super::disputes`].
//! - `recourse` and `reason` describe the person's **most recent** dispute (the first of
//!   its list in [`super::disputes`], which carries them).
//! - `recourse` among disputes (multinomial, base "none"): court η = −0.85 + party +1.0
//!   plus none/brevet −0.2, above bac+2 +0.2; mediation η = −0.9 + none/brevet −0.3, above
//!   bac+2 +0.3 → court ≈ 31 %, mediation ≈ 20 %, none ≈ 49 %. ASSUMPTION.
//! - `reason` among non-recourse (multinomial, base "not_worth"): cost −0.25, length −0.5,
//!   complexity −0.75, distrust −1.45, settled −0.3; none/brevet or CAP-BEP: cost +0.3,
//!   complexity +0.3; above bac+2: settled +0.2; 75+: complexity +0.3; trust rather low or
//!   low: distrust +0.8 → cost ≈ 21 %, length ≈ 14 %, complexity ≈ 14 %, not worth ≈ 23 %,
//!   distrust ≈ 9 %, settled ≈ 19 %. ASSUMPTION.
//!
//! # Population coefficients of the FEJ models
//! What the two models of designs/fej2024_models.yaml estimate in this world (measured
//! values and `ponder simulate`'s check: docs/simulation-fej-models.md).
//! - `trust` (logistic, `trusts` = "yes"): `trusts` is trust ∈ {high, rather high} (index
//!   ≤ 1), so exactly logit P(trusts) = θ_2 + η = 0.16 + η, with η the trust predictor above
//!   (a positive η means more trust; P(index ≤ k) = logistic(θ_k + η)). In the model's
//!   coding (references F, 18–29, bac, region 11, experience none) the generating
//!   coefficients are: sex=M 0; age_group 30-44 −0.25, 45-59 −0.40, 60-74 −0.30, 75+ −0.15;
//!   diploma aucun_brevet −0.25, cap_bep −0.20, bac+2 +0.10, sup_bac+2 +0.30; every other
//!   metropolitan region (24 … 94) −0.05, overseas (971–974) −0.45; court_experience other
//!   −0.15, party −0.60; intercept 0.16 + 0.25 + 0.05 = 0.46 plus the PCS and living-alone
//!   effects, which the model leaves out. Because it leaves them out (and logistic models
//!   are not collapsible), the model's population coefficients — its census fit, which
//!   design-based inference targets — differ from these values by a few hundredths, besides
//!   the finite population's own randomness.
//! - `nonrecourse` (logistic, `recourse` = "none" among persons with a dispute): recourse
//!   is multinomial, so P(none) = 1 / (1 + e^η_court + e^η_mediation) and logit P(none) =
//!   −log(e^η_court + e^η_mediation) is NOT additive in diploma and experience: 0.18 for bac,
//!   CAP-BEP and bac+2 without experience as a party; diploma none/brevet +0.25 (+0.23
//!   among parties), above bac+2 −0.25 (−0.23 among parties); party −0.63 (−0.65 with no
//!   diploma, −0.61 above bac+2); and 0 for sex, age group, household size, other experience
//!   and sex × age (recourse depends on none of them given diploma and experience; the
//!   dispute domain does, which does not matter for a model within it). The logistic
//!   model's population coefficients are therefore its census fit, not these log-odds.
//!
//! # Random numbers
//! Rows are cut into fixed chunks of 2^16; chunk `c` draws from ChaCha8 seeded with
//! `seed` on stream 2^48 + c (the register generator uses streams 0, 1, …, so the same seed
//! gives independent draws), a fixed number of draws per row. Chunks run in parallel with
//! rayon; the result does not depend on the thread count.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::frame::PersonFrame;
use super::margins::REGIONS;

/// Trust in justice, most trusting first.
pub const TRUST_LEVELS: [&str; 4] = ["high", "rather_high", "rather_low", "low"];
/// Experience of the courts: never; as a party to a case; other (witness, juror, victim's
/// relative…).
pub const EXPERIENCE_LEVELS: [&str; 3] = ["none", "party", "other"];
/// What the last civil dispute led to; "none" = non-recourse.
pub const RECOURSE_LEVELS: [&str; 3] = ["court", "mediation", "none"];
/// Main reason for non-recourse.
pub const REASON_LEVELS: [&str; 6] =
    ["cost", "length", "complexity", "not_worth", "distrust", "settled"];

/// Not applicable (recourse without dispute, reason without non-recourse).
pub const NOT_APPLICABLE: u8 = u8::MAX;

/// Person-level attributes and true answers of every register person (index = frame row).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Population {
    /// False = frame error (deceased, moved abroad…).
    pub eligible: Vec<bool>,
    /// Uses the internet at least weekly.
    pub internet: Vec<bool>,
    /// A usable telephone number can be found by matching.
    pub phone: Vec<bool>,
    /// Index into [`TRUST_LEVELS`].
    pub trust: Vec<u8>,
    /// Finds justice too slow.
    pub slow: Vec<bool>,
    /// Finds justice too costly.
    pub costly: Vec<bool>,
    /// Finds justice too complex.
    pub complex: Vec<bool>,
    /// Finds that justice treats everyone equally.
    pub fair: Vec<bool>,
    /// Index into [`EXPERIENCE_LEVELS`].
    pub experience: Vec<u8>,
    /// Civil dispute in the last five years.
    pub dispute: Vec<bool>,
    /// Index into [`RECOURSE_LEVELS`] when `dispute`, [`NOT_APPLICABLE`] otherwise.
    pub recourse: Vec<u8>,
    /// Index into [`REASON_LEVELS`] when recourse is "none", [`NOT_APPLICABLE`] otherwise.
    pub reason: Vec<u8>,
}

impl Population {
    /// Number of persons.
    pub fn len(&self) -> usize {
        self.eligible.len()
    }

    /// True for an empty population.
    pub fn is_empty(&self) -> bool {
        self.eligible.is_empty()
    }

    /// True when the person answers "high" or "rather high" trust.
    pub fn trusts(&self, row: usize) -> bool {
        self.trust[row] <= 1
    }
}

/// An additive linear predictor: intercept + one effect per level of each frame variable
/// (indices as in the frame columns; region by [`region_group`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Additive {
    pub(crate) intercept: f64,
    pub(crate) sex: [f64; 2],
    /// By age group index (0 = under 18, unused in scope).
    pub(crate) age: [f64; 6],
    /// By diploma index (0 = not applicable).
    pub(crate) diploma: [f64; 6],
    /// By PCS index (0 = under 15).
    pub(crate) pcs: [f64; 9],
    /// Ile-de-France, other metropolitan, overseas.
    pub(crate) region: [f64; 3],
    /// By household size 0 (collective) … 6.
    pub(crate) household: [f64; 7],
}

impl Additive {
    const ZERO: Additive = Additive {
        intercept: 0.0,
        sex: [0.0; 2],
        age: [0.0; 6],
        diploma: [0.0; 6],
        pcs: [0.0; 9],
        region: [0.0; 3],
        household: [0.0; 7],
    };

    /// η for frame row `i`.
    #[inline]
    pub(crate) fn eta(&self, f: &PersonFrame, i: usize, region_group: &[u8]) -> f64 {
        self.intercept
            + self.sex[f.sex[i] as usize]
            + self.age[f.age_group[i] as usize]
            + self.diploma[f.diploma[i] as usize]
            + self.pcs[f.pcs[i] as usize]
            + self.region[region_group[f.region[i] as usize] as usize]
            + self.household[(f.household_size[i] as usize).min(6)]
    }
}

/// Region group of each region index: 0 Ile-de-France, 1 other metropolitan, 2 overseas.
pub(crate) fn region_group() -> Vec<u8> {
    REGIONS
        .iter()
        .map(|r| match r.0 {
            "11" => 0,
            c if c.len() == 3 => 2,
            _ => 1,
        })
        .collect()
}

/// Logistic function 1 / (1 + e^−x).
#[inline]
pub(crate) fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

// Ineligibility probability by age group (module docs).
const INELIGIBLE: [f64; 6] = [0.0, 0.030, 0.014, 0.008, 0.010, 0.040];

const INTERNET: Additive = Additive {
    age: [0.0, 5.0, 4.0, 3.2, 2.1, 0.8],
    diploma: [0.0, -1.0, -0.5, 0.0, 0.5, 1.0],
    ..Additive::ZERO
};

const PHONE: Additive =
    Additive { age: [0.0, -0.2, 0.2, 0.6, 1.1, 1.4], region: [0.0, 0.0, -0.4], ..Additive::ZERO };

const EXPERIENCE_PARTY: Additive = Additive {
    intercept: -1.15,
    sex: [0.15, 0.0],
    age: [0.0, -0.8, 0.0, 0.1, -0.1, -0.4],
    pcs: [0.0, 0.0, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    household: [0.0, 0.2, 0.0, 0.0, 0.0, 0.0, 0.0],
    ..Additive::ZERO
};

const EXPERIENCE_OTHER: Additive = Additive {
    intercept: -1.35,
    age: [0.0, -0.3, 0.0, 0.0, 0.0, -0.2],
    diploma: [0.0, -0.2, 0.0, 0.0, 0.2, 0.3],
    ..Additive::ZERO
};

/// Cumulative-logit thresholds of trust: P(index ≤ k) = logistic(θ_k + η).
pub(crate) const TRUST_THRESHOLDS: [f64; 3] = [-2.21, 0.16, 1.64];

/// Frame part of the trust predictor.
const TRUST: Additive = Additive {
    age: [0.0, 0.25, 0.0, -0.15, -0.05, 0.1],
    diploma: [0.0, -0.25, -0.2, 0.0, 0.1, 0.3],
    pcs: [0.0, 0.0, -0.2, 0.15, 0.05, -0.05, -0.15, 0.0, 0.0],
    region: [0.05, 0.0, -0.4],
    household: [0.0, -0.1, 0.0, 0.0, 0.0, 0.0, 0.0],
    ..Additive::ZERO
};

/// Trust effect of the experience of the courts (none, party, other).
const TRUST_EXPERIENCE: [f64; 3] = [0.0, -0.6, -0.15];

const SLOW: Additive = Additive {
    intercept: 2.05,
    age: [0.0, -0.3, 0.0, 0.0, 0.2, 0.1],
    diploma: [0.0, 0.0, 0.0, 0.0, 0.0, 0.2],
    ..Additive::ZERO
};
const SLOW_TRUSTS: f64 = -0.6;
const SLOW_PARTY: f64 = 0.3;

const COSTLY: Additive = Additive {
    intercept: 0.6,
    diploma: [0.0, 0.2, 0.0, 0.0, 0.0, -0.2],
    pcs: [0.0, 0.0, 0.0, -0.3, 0.0, 0.0, 0.2, 0.0, 0.0],
    household: [0.0, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0],
    ..Additive::ZERO
};
const COSTLY_TRUSTS: f64 = -0.4;

const COMPLEX: Additive = Additive {
    intercept: 1.35,
    age: [0.0, 0.0, 0.0, 0.0, 0.0, 0.2],
    diploma: [0.0, 0.3, 0.0, 0.0, 0.0, -0.2],
    ..Additive::ZERO
};
const COMPLEX_TRUSTS: f64 = -0.3;

/// Frame part of the fairness predictor.
const FAIR: Additive = Additive {
    intercept: -1.15,
    age: [0.0, 0.2, 0.0, 0.0, 0.0, 0.0],
    pcs: [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.2, 0.0, 0.0],
    region: [0.0, 0.0, -0.3],
    ..Additive::ZERO
};
/// Fairness effect of trusting justice (high or rather high).
const FAIR_TRUSTS: f64 = 1.2;
/// Fairness effect of the experience of the courts (none, party, other).
const FAIR_EXPERIENCE: [f64; 3] = [0.0, -0.3, 0.0];

const DISPUTE: Additive = Additive {
    intercept: -1.55,
    age: [0.0, -0.3, 0.25, 0.25, -0.2, -0.7],
    diploma: [0.0, -0.3, -0.1, 0.0, 0.15, 0.3],
    pcs: [0.0, 0.0, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    household: [0.0, -0.1, 0.0, 0.1, 0.2, 0.25, 0.3],
    ..Additive::ZERO
};
const DISPUTE_PARTY: f64 = 0.8;

pub(crate) const RECOURSE_COURT: Additive =
    Additive { intercept: -0.85, diploma: [0.0, -0.2, 0.0, 0.0, 0.0, 0.2], ..Additive::ZERO };
pub(crate) const RECOURSE_COURT_PARTY: f64 = 1.0;
pub(crate) const RECOURSE_MEDIATION: Additive =
    Additive { intercept: -0.9, diploma: [0.0, -0.3, 0.0, 0.0, 0.0, 0.3], ..Additive::ZERO };

/// Reason intercepts against "not_worth" (index 3), in [`REASON_LEVELS`] order.
const REASON_BASE: [f64; 6] = [-0.25, -0.5, -0.75, 0.0, -1.45, -0.3];

/// Rows generated with one random stream.
/// First ChaCha8 stream of the population (the frame uses streams 0, 1, …).
const STREAM_OFFSET: u64 = 1 << 48;

/// Uniform in [0, 1) from 53 random bits.
#[inline]
pub(crate) fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Index drawn from unnormalized exponentiated scores `exp(η_k)` with a uniform `u`.
#[inline]
fn pick_softmax<const K: usize>(eta: [f64; K], u: f64) -> u8 {
    let w = eta.map(f64::exp);
    let total: f64 = w.iter().sum();
    let mut acc = 0.0;
    for (k, wk) in w.iter().enumerate() {
        acc += wk / total;
        if u < acc {
            return k as u8;
        }
    }
    (K - 1) as u8
}

/// Cumulative probabilities P(trust index ≤ k), k = 0, 1, 2, for a trust predictor η.
#[inline]
pub(crate) fn trust_cdf(eta: f64) -> [f64; 3] {
    TRUST_THRESHOLDS.map(|t| logistic(t + eta))
}

/// Generates the survey population of `frame` with `seed` (module docs for the model).
///
/// Deterministic: the same frame and seed give the same population whatever the thread
/// count.
pub fn generate_population(frame: &PersonFrame, seed: u64) -> Population {
    let n = frame.len();
    let groups = region_group();
    let chunks = super::in_streams(n, seed, STREAM_OFFSET, |rows, rng| {
        let mut out = Population::with_capacity(rows.len());
        for i in rows {
            draw_person(frame, i, &groups, rng, &mut out);
        }
        out
    });
    let mut pop = Population::with_capacity(n);
    for c in chunks {
        pop.append(c);
    }
    pop
}

impl Population {
    fn with_capacity(n: usize) -> Population {
        Population {
            eligible: Vec::with_capacity(n),
            internet: Vec::with_capacity(n),
            phone: Vec::with_capacity(n),
            trust: Vec::with_capacity(n),
            slow: Vec::with_capacity(n),
            costly: Vec::with_capacity(n),
            complex: Vec::with_capacity(n),
            fair: Vec::with_capacity(n),
            experience: Vec::with_capacity(n),
            dispute: Vec::with_capacity(n),
            recourse: Vec::with_capacity(n),
            reason: Vec::with_capacity(n),
        }
    }

    fn append(&mut self, mut o: Population) {
        self.eligible.append(&mut o.eligible);
        self.internet.append(&mut o.internet);
        self.phone.append(&mut o.phone);
        self.trust.append(&mut o.trust);
        self.slow.append(&mut o.slow);
        self.costly.append(&mut o.costly);
        self.complex.append(&mut o.complex);
        self.fair.append(&mut o.fair);
        self.experience.append(&mut o.experience);
        self.dispute.append(&mut o.dispute);
        self.recourse.append(&mut o.recourse);
        self.reason.append(&mut o.reason);
    }
}

/// Draws one person: 12 uniforms, in a fixed order, whatever the branches.
fn draw_person(
    f: &PersonFrame,
    i: usize,
    groups: &[u8],
    rng: &mut ChaCha8Rng,
    out: &mut Population,
) {
    let u: [f64; 12] = std::array::from_fn(|_| uniform(rng));
    let ag = f.age_group[i] as usize;
    out.eligible.push(u[0] >= INELIGIBLE[ag]);
    out.internet.push(u[1] < logistic(INTERNET.eta(f, i, groups)));
    out.phone.push(u[2] < logistic(PHONE.eta(f, i, groups)));

    let experience = pick_softmax(
        [0.0, EXPERIENCE_PARTY.eta(f, i, groups), EXPERIENCE_OTHER.eta(f, i, groups)],
        u[3],
    );
    let party = f64::from(u8::from(experience == 1));
    out.experience.push(experience);

    let cdf = trust_cdf(trust_eta(f, i, groups, experience));
    let trust = cdf.iter().position(|&c| u[4] < c).unwrap_or(3) as u8;
    let trusts = f64::from(u8::from(trust <= 1));
    out.trust.push(trust);

    out.slow
        .push(u[5] < logistic(SLOW.eta(f, i, groups) + SLOW_TRUSTS * trusts + SLOW_PARTY * party));
    out.costly.push(u[6] < logistic(COSTLY.eta(f, i, groups) + COSTLY_TRUSTS * trusts));
    out.complex.push(u[7] < logistic(COMPLEX.eta(f, i, groups) + COMPLEX_TRUSTS * trusts));
    out.fair.push(u[8] < logistic(fair_eta(f, i, groups, trust, experience)));

    let dispute = u[9] < logistic(DISPUTE.eta(f, i, groups) + DISPUTE_PARTY * party);
    out.dispute.push(dispute);
    let recourse = if dispute {
        pick_softmax(
            [
                RECOURSE_COURT.eta(f, i, groups) + RECOURSE_COURT_PARTY * party,
                RECOURSE_MEDIATION.eta(f, i, groups),
                0.0,
            ],
            u[10],
        )
    } else {
        NOT_APPLICABLE
    };
    out.recourse.push(recourse);
    out.reason.push(if recourse == 2 {
        pick_softmax(reason_eta(f, i, trust), u[11])
    } else {
        NOT_APPLICABLE
    });
}

/// Trust predictor η of frame row `i` with its experience of the courts.
#[inline]
pub(crate) fn trust_eta(f: &PersonFrame, i: usize, groups: &[u8], experience: u8) -> f64 {
    TRUST.eta(f, i, groups) + TRUST_EXPERIENCE[experience as usize]
}

/// Fairness predictor η of frame row `i` with its (true) trust and experience.
#[inline]
pub(crate) fn fair_eta(f: &PersonFrame, i: usize, groups: &[u8], trust: u8, experience: u8) -> f64 {
    FAIR.eta(f, i, groups)
        + FAIR_TRUSTS * f64::from(u8::from(trust <= 1))
        + FAIR_EXPERIENCE[experience as usize]
}

/// Multinomial scores of the non-recourse reasons (module docs).
pub(crate) fn reason_eta(f: &PersonFrame, i: usize, trust: u8) -> [f64; 6] {
    let mut eta = REASON_BASE;
    if matches!(f.diploma[i], 1 | 2) {
        eta[0] += 0.3;
        eta[2] += 0.3;
    }
    if f.diploma[i] == 5 {
        eta[5] += 0.2;
    }
    if f.age_group[i] == 5 {
        eta[2] += 0.3;
    }
    if trust >= 2 {
        eta[4] += 0.8;
    }
    eta
}
