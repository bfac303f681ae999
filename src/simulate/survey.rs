//! STUB (replaced by the survey branch).
use super::PersonFrame;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Trust levels.
pub const TRUST_LEVELS: [&str; 4] = ["high", "rather_high", "rather_low", "low"];
/// Experience.
pub const EXPERIENCE_LEVELS: [&str; 3] = ["none", "party", "other"];
/// Recourse.
pub const RECOURSE_LEVELS: [&str; 3] = ["court", "mediation", "none"];
/// Reasons.
pub const REASON_LEVELS: [&str; 6] =
    ["cost", "length", "complexity", "not_worth", "distrust", "settled"];

/// Population.
#[allow(missing_docs)]
pub struct Population {
    pub eligible: Vec<bool>,
    pub internet: Vec<bool>,
    pub phone: Vec<bool>,
    pub trust: Vec<u8>,
    pub slow: Vec<bool>,
    pub costly: Vec<bool>,
    pub complex: Vec<bool>,
    pub fair: Vec<bool>,
    pub experience: Vec<u8>,
    pub dispute: Vec<bool>,
    pub recourse: Vec<u8>,
    pub reason: Vec<u8>,
}

impl Population {
    /// Persons.
    pub fn len(&self) -> usize {
        self.trust.len()
    }
    /// Empty.
    pub fn is_empty(&self) -> bool {
        self.trust.is_empty()
    }
}

/// Stub generator.
pub fn generate_population(frame: &PersonFrame, seed: u64) -> Population {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = frame.len();
    let mut p = Population {
        eligible: vec![true; n],
        internet: vec![true; n],
        phone: vec![true; n],
        trust: vec![0; n],
        slow: vec![false; n],
        costly: vec![false; n],
        complex: vec![false; n],
        fair: vec![false; n],
        experience: vec![0; n],
        dispute: vec![false; n],
        recourse: vec![u8::MAX; n],
        reason: vec![u8::MAX; n],
    };
    for i in 0..n {
        let old = frame.age[i] >= 60;
        p.eligible[i] = rng.random::<f64>() > 0.02;
        p.internet[i] = rng.random::<f64>() < if old { 0.7 } else { 0.95 };
        p.phone[i] = rng.random::<f64>() < 0.65;
        p.trust[i] = (rng.random::<f64>() * 4.0) as u8 % 4;
        p.slow[i] = rng.random::<f64>() < 0.88;
        p.costly[i] = rng.random::<f64>() < 0.6;
        p.complex[i] = rng.random::<f64>() < 0.75;
        p.fair[i] = rng.random::<f64>() < if old { 0.4 } else { 0.3 };
        p.experience[i] = (rng.random::<f64>() * 3.0) as u8 % 3;
        p.dispute[i] = rng.random::<f64>() < 0.22;
        if p.dispute[i] {
            p.recourse[i] = (rng.random::<f64>() * 3.0) as u8 % 3;
            if p.recourse[i] == 2 {
                p.reason[i] = (rng.random::<f64>() * 6.0) as u8 % 6;
            }
        }
    }
    p
}
