//! STUB (replaced by the survey branch).
use super::PersonFrame;
use super::survey::{EXPERIENCE_LEVELS, Population, REASON_LEVELS, RECOURSE_LEVELS, TRUST_LEVELS};
use crate::data::ColumnData;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// Outcomes.
pub const OUTCOME_LEVELS: [&str; 7] =
    ["web", "phone", "refusal", "unreached", "no_number", "out_of_scope", "unknown"];

/// Collection model.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CollectionModel {
    /// Mode effect.
    pub mode_effect: f64,
    /// Phone relaunch.
    pub phone_relaunch: bool,
    /// Unknown eligibility rate.
    pub unknown_rate: f64,
}

impl Default for CollectionModel {
    fn default() -> Self {
        CollectionModel { mode_effect: 0.0, phone_relaunch: true, unknown_rate: 0.03 }
    }
}

/// Collected.
pub struct Collected {
    /// Outcome index.
    pub outcome: Vec<u8>,
    /// Phone.
    pub has_phone: Vec<bool>,
}

/// Stub collection.
pub fn collect(
    population: &Population,
    frame: &PersonFrame,
    rows: &[usize],
    model: &CollectionModel,
    rng: &mut ChaCha8Rng,
) -> Collected {
    let mut outcome = Vec::with_capacity(rows.len());
    for &r in rows {
        let u: f64 = rng.random();
        let v: f64 = rng.random();
        let o = if !population.eligible[r] {
            5
        } else if u < model.unknown_rate {
            6
        } else if u < 0.4 + if frame.age[r] < 30 { -0.1 } else { 0.05 } {
            0
        } else if !population.phone[r] {
            4
        } else if v < 0.4 {
            1
        } else {
            2
        };
        outcome.push(o);
    }
    Collected { outcome, has_phone: rows.iter().map(|&r| population.phone[r]).collect() }
}

fn yes(b: bool) -> Option<String> {
    Some(if b { "yes" } else { "no" }.to_string())
}

/// Columns to append.
pub fn survey_columns(
    population: &Population,
    rows: &[usize],
    collected: &Collected,
) -> Vec<(String, ColumnData)> {
    let resp: Vec<bool> = collected.outcome.iter().map(|&o| o <= 1).collect();
    let col = |f: &dyn Fn(usize) -> Option<String>| -> ColumnData {
        ColumnData::Str(
            rows.iter().zip(&resp).map(|(&r, &ok)| if ok { f(r) } else { None }).collect(),
        )
    };
    let p = population;
    vec![
        (
            "outcome".into(),
            ColumnData::Str(
                collected
                    .outcome
                    .iter()
                    .map(|&o| Some(OUTCOME_LEVELS[o as usize].into()))
                    .collect(),
            ),
        ),
        (
            "has_phone".into(),
            ColumnData::I64(collected.has_phone.iter().map(|&b| Some(i64::from(b))).collect()),
        ),
        ("trust".into(), col(&|r| Some(TRUST_LEVELS[p.trust[r] as usize].into()))),
        ("trusts".into(), col(&|r| yes(p.trust[r] <= 1))),
        ("slow".into(), col(&|r| yes(p.slow[r]))),
        ("costly".into(), col(&|r| yes(p.costly[r]))),
        ("complex".into(), col(&|r| yes(p.complex[r]))),
        ("fair".into(), col(&|r| yes(p.fair[r]))),
        (
            "court_experience".into(),
            col(&|r| Some(EXPERIENCE_LEVELS[p.experience[r] as usize].into())),
        ),
        ("dispute".into(), col(&|r| yes(p.dispute[r]))),
        (
            "recourse".into(),
            col(&|r| p.dispute[r].then(|| RECOURSE_LEVELS[p.recourse[r] as usize].into())),
        ),
        (
            "nonrecourse_reason".into(),
            col(&|r| (p.reason[r] != u8::MAX).then(|| REASON_LEVELS[p.reason[r] as usize].into())),
        ),
    ]
}
