//! Nonresponse correction: reference cases (R survey), properties, simulation, errors.

mod errors;
mod phases;
mod properties;
mod reference;
mod replicate_coverage;
mod simulation;

use ponder::data::Factor;

pub use crate::common::{assert_all_relative_eq, expected, f64s, factor_of};

/// Text levels of an outcome vector for a status column.
pub fn status_factor(labels: &[&str]) -> Factor {
    factor_of(&labels.iter().map(|s| s.to_string()).collect::<Vec<_>>())
}

/// Codes web / phone / nr / out / unk.
pub fn mixed_codes() -> ponder::nonresponse::StatusCodes {
    ponder::nonresponse::StatusCodes {
        web: vec!["web".into()],
        phone: vec!["phone".into()],
        nonrespondent: vec!["nr".into(), "refusal".into()],
        ineligible: vec!["out".into()],
        unknown: vec!["unk".into()],
        ..Default::default()
    }
}

/// A seeded synthetic sample of a sequential web → phone survey.
///
/// Web response falls with age; phone response (among relaunched units, i.e. web
/// non-respondents with a number) rises with diploma; having a number rises with age. The
/// study variable y depends on age and diploma. Design weights differ by age (60+ oversampled).
pub struct Synth {
    pub age: Factor,
    pub diploma: Factor,
    pub income: Vec<f64>,
    pub phone: Vec<bool>,
    pub status: Factor,
    pub d: Vec<f64>,
    pub y: Vec<f64>,
}

/// Population of `n_pop` units (fixed seed) with age code, diploma code, income, number, y.
pub struct Population {
    pub age: Vec<u32>,
    pub diploma: Vec<u32>,
    pub income: Vec<f64>,
    pub phone: Vec<bool>,
    pub y: Vec<f64>,
}

pub const AGE: [&str; 3] = ["18-34", "35-59", "60+"];
pub const DIPLOMA: [&str; 3] = ["bac", "none", "sup"];

pub fn population(n_pop: usize, seed: u64) -> Population {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut p =
        Population { age: vec![], diploma: vec![], income: vec![], phone: vec![], y: vec![] };
    for _ in 0..n_pop {
        let a: f64 = rng.random();
        let age = if a < 0.3 {
            0
        } else if a < 0.7 {
            1
        } else {
            2
        };
        let b: f64 = rng.random();
        let dip = if b < 0.3 {
            1
        } else if b < 0.7 {
            0
        } else {
            2
        };
        let q = [0.5, 0.8, 0.9][age as usize];
        p.age.push(age);
        p.diploma.push(dip);
        p.income.push(1.0 + 0.5 * f64::from(dip) + rng.random::<f64>());
        p.phone.push(rng.random::<f64>() < q);
        let base = 10.0 + [0.0, 5.0, 12.0][age as usize] + [3.0, 0.0, 8.0][dip as usize];
        p.y.push(base + 4.0 * (rng.random::<f64>() - 0.5));
    }
    p
}

/// Draws a Poisson sample (π = 0.1 for 60+, 0.05 otherwise) and simulates the collection
/// (with `ineligible_rate` out-of-scope units and `unknown_rate` of unknown eligibility).
pub fn draw(
    pop: &Population,
    rng: &mut rand_chacha::ChaCha8Rng,
    ineligible_rate: f64,
    unknown_rate: f64,
) -> Synth {
    use rand::RngExt;
    let logistic = |x: f64| 1.0 / (1.0 + (-x).exp());
    let (mut age, mut dip, mut inc, mut phone, mut st, mut d, mut y) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for k in 0..pop.age.len() {
        let a = pop.age[k] as usize;
        let pi = if a == 2 { 0.1 } else { 0.05 };
        if rng.random::<f64>() >= pi {
            continue;
        }
        let p_web = logistic(1.0 - [0.0, 1.2, 2.5][a]);
        let p_tel = logistic(-2.0 + [1.0, 0.0, 2.5][pop.diploma[k] as usize]);
        let u: f64 = rng.random();
        let status = if u < ineligible_rate {
            "out"
        } else if u < ineligible_rate + unknown_rate {
            "unk"
        } else if rng.random::<f64>() < p_web {
            "web"
        } else if pop.phone[k] && rng.random::<f64>() < p_tel {
            "phone"
        } else {
            "nr"
        };
        age.push(AGE[a].to_string());
        dip.push(DIPLOMA[pop.diploma[k] as usize].to_string());
        inc.push(pop.income[k]);
        phone.push(pop.phone[k]);
        st.push(status.to_string());
        d.push(1.0 / pi);
        y.push(pop.y[k]);
    }
    Synth {
        age: factor_of(&age),
        diploma: factor_of(&dip),
        income: inc,
        phone,
        status: factor_of(&st),
        d,
        y,
    }
}
