//! The civil disputes of the synthetic « Français et la justice » (FEJ) world: for every
//! register person, the disputes of the last five years (0..[`MAX_DISPUTES`]), each with its
//! type, the amount at stake, what it led to (court, mediation or amicable settlement,
//! nothing = non-recourse) and the main reason for non-recourse.
//!
//! # Agreement with the person-level answers
//! [`super::survey`] draws, per person, `dispute` (at least one civil dispute in the last
//! five years) and `recourse` / `reason`, which describe the person's **most recent**
//! dispute. This module keeps those draws untouched (its random numbers come from streams
//! of its own) and adds the dispute list:
//! - a person without `dispute` has no dispute; a person with `dispute` has 1 + E disputes,
//!   E extra (older) ones;
//! - the most recent dispute (`dispute_id` 1) carries the person's `recourse` and `reason`;
//!   its type and stake are drawn given that recourse (below);
//! - the older disputes (`dispute_id` 2, 3, …) get type, stake, recourse and reason from
//!   the dispute-level model below.
//!
//! # Model (every number an ASSUMPTION)
//! No figure below is taken from a publication. French work on access to justice and
//! non-recourse (the Ministry of Justice's « Les Français et la justice » surveys, the
//! Défenseur des droits' « Accès aux droits » survey of 2016) is the background for the
//! ordering only, itself an ASSUMPTION here: everyday disputes (consumption, housing,
//! neighbours, work) are common and often left without any recourse, small consumer
//! disputes most of all, while family disputes (separation, children, inheritance) reach a
//! judge far more often.
//! - **Number**: E ~ Poisson(λ) truncated at 4 (so at most 5 disputes), λ = 0.30, plus 0.25
//!   for a party to a court case (experience `party`), plus 0.15 for artisans and
//!   shopkeepers (PCS 2), plus 0.10 in households of 4 persons or more → 1.42 disputes per
//!   person with a dispute (measured). ASSUMPTION.
//! - **Type** ([`TYPE_LEVELS`]): multinomial, scores log(share) + age effects; shares family
//!   0.17, neighbours 0.16, consumer 0.27, work 0.15, housing 0.13, debt 0.12; work −1.0 at
//!   60–74 and −2.5 at 75+; family +0.3 at 30–44, +0.2 at 45–59, −0.5 at 75+; housing +0.5 at
//!   18–29; debt +0.2 at 18–29 and +0.3 without diploma (none/brevet). ASSUMPTION.
//! - **Stake** ([`STAKE_LEVELS`]: < 500 €, 500–5,000 €, > 5,000 €, not monetary) given the
//!   type, rows of [`STAKE_BY_TYPE`]: consumer disputes mostly small, family and neighbour
//!   disputes mostly not monetary, work and debt disputes larger. ASSUMPTION.
//! - **Recourse** ([`super::survey::RECOURSE_LEVELS`], multinomial, base `none`): the
//!   person-level predictors of [`super::survey`] (court −0.85, party +1.0, diploma; mediation
//!   −0.9, diploma) plus a type effect — court: family +0.9, neighbours −0.3, consumer −0.8,
//!   work +0.3, housing 0, debt +0.1; mediation: family +0.1, neighbours +0.4, consumer
//!   +0.3, work −0.3, housing +0.1, debt +0.2 — and a stake effect — court: < 500 € −0.6,
//!   over 5,000 € +0.6; mediation: < 500 € −0.2, over 5,000 € +0.2. ASSUMPTION.
//! - **Most recent dispute**: its recourse r is the person's; its (type, stake) is drawn
//!   from P(t, s | r) ∝ P(t) P(s | t) P(r | t, s), the model above read backwards, so that
//!   every dispute follows the same type × stake × recourse association.
//! - **Reason** of an older dispute without recourse ([`super::survey::REASON_LEVELS`]): the
//!   person-level scores of [`super::survey`] plus type effects (family: distrust +0.3,
//!   settled +0.4; neighbours: settled +0.3, not worth +0.2; consumer: not worth +0.5,
//!   complexity +0.2; work: distrust +0.3, length +0.2; housing: cost +0.2; debt: cost +0.4,
//!   settled −0.2) and stake effects (< 500 €: not worth +0.6, cost −0.3; > 5,000 €: cost
//!   +0.4, not worth −0.5). ASSUMPTION.
//!
//! # Rates (measured on the 200,000-person register of seed 2024, adults in scope)
//! Persons with a dispute 21.6 % (as [`super::survey`]); disputes per person with a dispute
//! 1.42; by type: family 19.5 %, neighbours 15.8 %, consumer 26.4 %, work 12.0 %, housing
//! 13.8 %, debt 12.6 % of disputes; non-recourse per dispute: family 33 %, neighbours
//! 49 %, consumer 60 %, work 45 %, housing 49 %, debt 46 %; 48 % over all disputes.
//! `tests/it/simulate/disputes.rs` checks these figures.
//!
//! # Random numbers
//! Rows are cut into chunks of 2^16 as in [`super::survey`]; chunk `c` draws from ChaCha8
//! seeded with `seed` on stream 2^49 + c (the register uses streams 0, 1, …, the survey
//! population 2^48 + c). Persons without a dispute draw nothing. The result does not depend
//! on the thread count.

use rand_chacha::ChaCha8Rng;

use super::frame::PersonFrame;
use super::survey::{
    NOT_APPLICABLE, Population, RECOURSE_COURT, RECOURSE_COURT_PARTY, RECOURSE_MEDIATION,
    reason_eta, region_group, uniform,
};

/// Types of civil dispute.
pub const TYPE_LEVELS: [&str; 6] = ["family", "neighbours", "consumer", "work", "housing", "debt"];
/// Amount at stake: under 500 €, 500 to 5,000 €, over 5,000 €, not monetary.
pub const STAKE_LEVELS: [&str; 4] = ["lt500", "500_5000", "gt5000", "not_monetary"];
/// Most disputes a person can have.
pub const MAX_DISPUTES: usize = 5;

/// Type scores: log of the base shares.
const TYPE_SHARE: [f64; 6] = [0.17, 0.16, 0.27, 0.15, 0.13, 0.12];
/// Type effects by age group index (0 = under 18, out of scope).
const TYPE_AGE: [[f64; 6]; 6] = [
    // family, neighbours, consumer, work, housing, debt
    [0.0; 6],
    [0.0, 0.0, 0.0, 0.0, 0.5, 0.2],
    [0.3, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.2, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.0, 0.0, 0.0, -1.0, 0.0, 0.0],
    [-0.5, 0.0, 0.0, -2.5, 0.0, 0.0],
];
/// Debt effect without diploma (none/brevet).
const TYPE_DEBT_NO_DIPLOMA: f64 = 0.3;

/// P(stake | type), rows in [`TYPE_LEVELS`] order, columns in [`STAKE_LEVELS`] order.
pub const STAKE_BY_TYPE: [[f64; 4]; 6] = [
    [0.05, 0.15, 0.25, 0.55],
    [0.15, 0.20, 0.05, 0.60],
    [0.60, 0.33, 0.05, 0.02],
    [0.10, 0.40, 0.35, 0.15],
    [0.25, 0.45, 0.15, 0.15],
    [0.25, 0.50, 0.25, 0.00],
];

const TYPE_COURT: [f64; 6] = [0.9, -0.3, -0.8, 0.3, 0.0, 0.1];
const TYPE_MEDIATION: [f64; 6] = [0.1, 0.4, 0.3, -0.3, 0.1, 0.2];
const STAKE_COURT: [f64; 4] = [-0.6, 0.0, 0.6, 0.0];
const STAKE_MEDIATION: [f64; 4] = [-0.2, 0.0, 0.2, 0.0];

/// Reason effects by type, in [`super::survey::REASON_LEVELS`] order (cost, length,
/// complexity, not_worth, distrust, settled).
const TYPE_REASON: [[f64; 6]; 6] = [
    [0.0, 0.0, 0.0, 0.0, 0.3, 0.4],
    [0.0, 0.0, 0.0, 0.2, 0.0, 0.3],
    [0.0, 0.0, 0.2, 0.5, 0.0, 0.0],
    [0.0, 0.2, 0.0, 0.0, 0.3, 0.0],
    [0.2, 0.0, 0.0, 0.0, 0.0, 0.0],
    [0.4, 0.0, 0.0, 0.0, 0.0, -0.2],
];
/// Reason effects by stake.
const STAKE_REASON: [[f64; 6]; 4] =
    [[-0.3, 0.0, 0.0, 0.6, 0.0, 0.0], [0.0; 6], [0.4, 0.0, 0.0, -0.5, 0.0, 0.0], [0.0; 6]];

/// Poisson mean of the number of extra disputes.
const EXTRA_BASE: f64 = 0.30;
const EXTRA_PARTY: f64 = 0.25;
const EXTRA_ARTISAN: f64 = 0.15;
const EXTRA_LARGE_HOUSEHOLD: f64 = 0.10;

/// First ChaCha8 stream of the disputes.
const STREAM_OFFSET: u64 = 1 << 49;

/// Every dispute of every register person, person by person (frame row order), most
/// recent first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Disputes {
    /// Person `i`'s disputes are `first[i]..first[i + 1]` (length: persons + 1).
    pub first: Vec<u32>,
    /// Index into [`TYPE_LEVELS`].
    pub kind: Vec<u8>,
    /// Index into [`STAKE_LEVELS`].
    pub stake: Vec<u8>,
    /// Index into [`super::survey::RECOURSE_LEVELS`].
    pub recourse: Vec<u8>,
    /// Index into [`super::survey::REASON_LEVELS`] when recourse is `none`,
    /// [`NOT_APPLICABLE`] otherwise.
    pub reason: Vec<u8>,
}

impl Disputes {
    /// Number of disputes.
    pub fn len(&self) -> usize {
        self.kind.len()
    }

    /// True when nobody has a dispute.
    pub fn is_empty(&self) -> bool {
        self.kind.is_empty()
    }

    /// The disputes of person (frame row) `i`, most recent first.
    pub fn of(&self, i: usize) -> std::ops::Range<usize> {
        self.first[i] as usize..self.first[i + 1] as usize
    }
}

/// Generates the disputes of every person of `frame` whose survey population is
/// `population` (module docs for the model). Deterministic whatever the thread count.
pub fn generate_disputes(frame: &PersonFrame, population: &Population, seed: u64) -> Disputes {
    let n = frame.len();
    let groups = region_group();
    let chunks = super::in_streams(n, seed, STREAM_OFFSET, |rows, rng| {
        let mut counts = Vec::new();
        let mut out = Disputes::default();
        for i in rows {
            let before = out.len();
            if population.dispute[i] {
                draw_disputes(frame, population, i, &groups, rng, &mut out);
            }
            counts.push((out.len() - before) as u32);
        }
        (counts, out)
    });
    let mut all = Disputes { first: Vec::with_capacity(n + 1), ..Disputes::default() };
    all.first.push(0);
    for (counts, mut d) in chunks {
        for k in counts {
            let last = *all.first.last().unwrap_or(&0);
            all.first.push(last + k);
        }
        all.kind.append(&mut d.kind);
        all.stake.append(&mut d.stake);
        all.recourse.append(&mut d.recourse);
        all.reason.append(&mut d.reason);
    }
    all
}

/// The disputes of one person with a dispute: the most recent, then the extra ones.
fn draw_disputes(
    f: &PersonFrame,
    p: &Population,
    i: usize,
    groups: &[u8],
    rng: &mut ChaCha8Rng,
    out: &mut Disputes,
) {
    let party = p.experience[i] == 1;
    let lambda = EXTRA_BASE
        + if party { EXTRA_PARTY } else { 0.0 }
        + if f.pcs[i] == 2 { EXTRA_ARTISAN } else { 0.0 }
        + if f.household_size[i] >= 4 { EXTRA_LARGE_HOUSEHOLD } else { 0.0 };
    let extra = truncated_poisson(lambda, MAX_DISPUTES - 1, uniform(rng));
    let person = Person {
        type_score: type_scores(f, i),
        court: RECOURSE_COURT.eta(f, i, groups) + if party { RECOURSE_COURT_PARTY } else { 0.0 },
        mediation: RECOURSE_MEDIATION.eta(f, i, groups),
    };
    // The most recent dispute: the person's recourse and reason; (type, stake) given them.
    let r = p.recourse[i];
    let cells: Vec<f64> = (0..24)
        .map(|c| {
            let (t, s) = (c / 4, c % 4);
            person.type_prob(t) * STAKE_BY_TYPE[t][s] * person.recourse_probs(t, s)[r as usize]
        })
        .collect();
    let c = pick(&cells, uniform(rng));
    out.push(c / 4, c % 4, r, p.reason[i]);
    for _ in 0..extra {
        let probs: Vec<f64> = (0..6).map(|t| person.type_prob(t)).collect();
        let t = pick(&probs, uniform(rng));
        let s = pick(&STAKE_BY_TYPE[t], uniform(rng));
        let r = pick(&person.recourse_probs(t, s), uniform(rng)) as u8;
        let u = uniform(rng);
        let reason = if r == 2 {
            let mut eta = reason_eta(f, i, p.trust[i]);
            for (k, e) in eta.iter_mut().enumerate() {
                *e += TYPE_REASON[t][k] + STAKE_REASON[s][k];
            }
            let w: Vec<f64> = eta.iter().map(|e| e.exp()).collect();
            pick(&w, u) as u8
        } else {
            NOT_APPLICABLE
        };
        out.push(t, s, r, reason);
    }
}

/// A person's part of the dispute-level model.
struct Person {
    /// Unnormalized type weights.
    type_score: [f64; 6],
    /// Person part of the court and mediation scores.
    court: f64,
    mediation: f64,
}

impl Person {
    fn type_prob(&self, t: usize) -> f64 {
        self.type_score[t] / self.type_score.iter().sum::<f64>()
    }

    /// P(court), P(mediation), P(none) of a dispute of type `t` and stake `s`.
    fn recourse_probs(&self, t: usize, s: usize) -> [f64; 3] {
        let court = (self.court + TYPE_COURT[t] + STAKE_COURT[s]).exp();
        let mediation = (self.mediation + TYPE_MEDIATION[t] + STAKE_MEDIATION[s]).exp();
        let total = court + mediation + 1.0;
        [court / total, mediation / total, 1.0 / total]
    }
}

/// Unnormalized type weights of frame row `i`.
fn type_scores(f: &PersonFrame, i: usize) -> [f64; 6] {
    let age = TYPE_AGE[f.age_group[i] as usize];
    std::array::from_fn(|t| {
        let debt = if t == 5 && f.diploma[i] == 1 { TYPE_DEBT_NO_DIPLOMA } else { 0.0 };
        TYPE_SHARE[t] * (age[t] + debt).exp()
    })
}

/// Index drawn from unnormalized weights with a uniform `u`.
fn pick(w: &[f64], u: f64) -> usize {
    let total: f64 = w.iter().sum();
    let mut acc = 0.0;
    for (k, wk) in w.iter().enumerate() {
        acc += wk / total;
        if u < acc {
            return k;
        }
    }
    w.iter().rposition(|x| *x > 0.0).unwrap_or(0)
}

/// A Poisson(λ) count truncated at `max` (the tail mass goes to `max`), by inversion.
fn truncated_poisson(lambda: f64, max: usize, u: f64) -> usize {
    let mut p = (-lambda).exp();
    let mut acc = p;
    for k in 0..max {
        if u < acc {
            return k;
        }
        p *= lambda / (k + 1) as f64;
        acc += p;
    }
    max
}

impl Disputes {
    fn push(&mut self, kind: usize, stake: usize, recourse: u8, reason: u8) {
        self.kind.push(kind as u8);
        self.stake.push(stake as u8);
        self.recourse.push(recourse);
        self.reason.push(reason);
    }
}
