//! Diagnostics of the adjustment: response rates by phase, respondent profiles by mode with
//! standardized differences, R-indicator and partial R-indicators, largest factors, Kish
//! design effect. All weighted quantities use the eligibility-adjusted design weights d'
//! over eligible units.

use super::input::{Values, Variable, missing_at};
use super::status::Outcome;
use serde::Serialize;

/// A response rate: counts of units with positive weight, and weighted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rate {
    /// Units in the base.
    pub n_base: usize,
    /// Respondents among them.
    pub n_respondents: usize,
    /// Σ d' over the base.
    pub weight_base: f64,
    /// Σ d' over respondents.
    pub weight_respondents: f64,
    /// n_respondents / n_base.
    pub rate: f64,
    /// weight_respondents / weight_base.
    pub weighted_rate: f64,
}

impl Rate {
    fn new(
        outcomes: &[Outcome],
        d: &[f64],
        base: impl Fn(usize) -> bool,
        resp: impl Fn(Outcome) -> bool,
    ) -> Self {
        let (mut nb, mut nr, mut wb, mut wr) = (0usize, 0usize, 0.0, 0.0);
        for i in (0..outcomes.len()).filter(|&i| base(i)) {
            nb += usize::from(d[i] > 0.0);
            wb += d[i];
            if resp(outcomes[i]) {
                nr += usize::from(d[i] > 0.0);
                wr += d[i];
            }
        }
        Rate {
            n_base: nb,
            n_respondents: nr,
            weight_base: wb,
            weight_respondents: wr,
            rate: nr as f64 / nb as f64,
            weighted_rate: wr / wb,
        }
    }
}

/// Response rates by phase of a sequential collection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhaseRates {
    /// Any mode, among eligible units.
    pub overall: Rate,
    /// Web, among eligible units (when web/phone codes are declared).
    pub web: Option<Rate>,
    /// Phone, among relaunched units (eligible web non-respondents with a usable number when
    /// the phone-number indicator is given; all eligible web non-respondents otherwise).
    pub phone: Option<Rate>,
    /// Eligible web non-respondents without a usable number (not relaunched), when known.
    pub n_not_relaunched: Option<usize>,
}

pub(crate) fn phase_rates(outcomes: &[Outcome], d: &[f64], number: Option<&[bool]>) -> PhaseRates {
    let moded = outcomes.iter().any(|o| matches!(o, Outcome::Web | Outcome::Phone));
    let eligible = |i: usize| outcomes[i].is_eligible();
    let web_nr = |i: usize| outcomes[i].is_eligible() && outcomes[i] != Outcome::Web;
    let relaunched = |i: usize| web_nr(i) && number.is_none_or(|h| h[i]);
    PhaseRates {
        overall: Rate::new(outcomes, d, eligible, Outcome::is_respondent),
        web: moded.then(|| Rate::new(outcomes, d, eligible, |o| o == Outcome::Web)),
        phone: moded.then(|| Rate::new(outcomes, d, relaunched, |o| o == Outcome::Phone)),
        n_not_relaunched: number
            .map(|h| (0..outcomes.len()).filter(|&i| web_nr(i) && !h[i] && d[i] > 0.0).count()),
    }
}

/// Weighted mean (or share) of one item in one collection group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupValue {
    /// `web`, `phone`, `respondent` or `nonrespondent`.
    pub group: &'static str,
    /// Units with a known value.
    pub n: usize,
    /// d'-weighted mean (numeric) or share (category).
    pub value: f64,
}

/// Standardized difference between two groups: (m_a − m_b) / √((s²_a + s²_b)/2), s² the
/// weighted variance (p(1 − p) for a share) (Austin 2009).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StdDifference {
    /// First group.
    pub a: &'static str,
    /// Second group.
    pub b: &'static str,
    /// The difference (`None` when both variances are 0).
    pub value: Option<f64>,
}

/// Profile of one numeric variable or one category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileItem {
    /// Variable name.
    pub variable: String,
    /// Category (shares), `None` for a numeric mean.
    pub category: Option<String>,
    /// Value per group.
    pub groups: Vec<GroupValue>,
    /// Pairwise standardized differences.
    pub std_differences: Vec<StdDifference>,
}

const PROFILE_GROUPS: [Outcome; 4] =
    [Outcome::Web, Outcome::Phone, Outcome::Respondent, Outcome::Nonrespondent];

/// Profiles of web / phone respondents / nonrespondents on the given variables.
pub(crate) fn profiles(vars: &[Variable<'_>], outcomes: &[Outcome], d: &[f64]) -> Vec<ProfileItem> {
    let present: Vec<Outcome> =
        PROFILE_GROUPS.iter().copied().filter(|g| outcomes.contains(g)).collect();
    let mut items = Vec::new();
    for v in vars {
        match v.values {
            Values::Numeric(x) => {
                items.push(profile_item(v.name, None, &present, outcomes, d, |i| {
                    x[i].is_finite().then_some(x[i])
                }))
            }
            Values::Categorical(c) => {
                for (l, level) in c.levels.iter().enumerate() {
                    let item = profile_item(v.name, Some(level), &present, outcomes, d, |i| {
                        (!missing_at(c, i)).then(|| f64::from(u8::from(c.codes[i] as usize == l)))
                    });
                    items.push(item);
                }
            }
        }
    }
    items
}

fn profile_item(
    name: &str,
    category: Option<&String>,
    present: &[Outcome],
    outcomes: &[Outcome],
    d: &[f64],
    value: impl Fn(usize) -> Option<f64>,
) -> ProfileItem {
    let mut moments = Vec::with_capacity(present.len());
    for &g in present {
        let (mut n, mut sw, mut swx, mut swxx) = (0usize, 0.0, 0.0, 0.0);
        for i in (0..outcomes.len()).filter(|&i| outcomes[i] == g && d[i] > 0.0) {
            if let Some(x) = value(i) {
                n += 1;
                sw += d[i];
                swx += d[i] * x;
                swxx += d[i] * x * x;
            }
        }
        let m = swx / sw;
        moments.push((g.label(), n, m, (swxx / sw - m * m).max(0.0)));
    }
    let mut diffs = Vec::new();
    for a in 0..moments.len() {
        for b in a + 1..moments.len() {
            let (ma, va, mb, vb) = (moments[a].2, moments[a].3, moments[b].2, moments[b].3);
            let s = ((va + vb) / 2.0).sqrt();
            diffs.push(StdDifference {
                a: moments[a].0,
                b: moments[b].0,
                value: (s > 0.0).then(|| (ma - mb) / s),
            });
        }
    }
    ProfileItem {
        variable: name.to_string(),
        category: category.cloned(),
        groups: moments.iter().map(|&(g, n, m, _)| GroupValue { group: g, n, value: m }).collect(),
        std_differences: diffs,
    }
}

/// Partial R-indicator of one category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartialRCategory {
    /// Category.
    pub category: String,
    /// Eligible units in the category.
    pub n: usize,
    /// N̂_h / N̂.
    pub weight_share: f64,
    /// d'-weighted mean p̂ in the category.
    pub mean_propensity: f64,
    /// Signed unconditional partial indicator √(N̂_h/N̂)·(p̄_h − p̄).
    pub unconditional: f64,
}

/// Unconditional partial R-indicator of one categorical variable.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartialR {
    /// Variable.
    pub variable: String,
    /// P_U = √(Σ_h (N̂_h/N̂)(p̄_h − p̄)²): between-category standard deviation of p̂.
    pub unconditional: f64,
    /// Per category.
    pub categories: Vec<PartialRCategory>,
}

/// R-indicator (Schouten, Cobben & Bethlehem 2009) and unconditional partial indicators
/// (Schouten, Shlomo & Skinner 2011).
///
/// # Formula
/// R = 1 − 2 S(p̂), S² = Σ d'(p̂ − p̄)² / (N̂ − 1), p̄ = Σ d' p̂ / N̂, N̂ = Σ d' over eligible
/// units.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RIndicator {
    /// R = 1 − 2S.
    pub r: f64,
    /// S(p̂).
    pub sd_propensity: f64,
    /// p̄.
    pub mean_propensity: f64,
    /// Per categorical variable.
    pub partial: Vec<PartialR>,
}

pub(crate) fn r_indicator(
    p: &[f64],
    d: &[f64],
    outcomes: &[Outcome],
    vars: &[Variable<'_>],
) -> RIndicator {
    let elig = |i: usize| outcomes[i].is_eligible() && p[i].is_finite();
    let (mut nh, mut sp) = (0.0, 0.0);
    for i in (0..p.len()).filter(|&i| elig(i)) {
        nh += d[i];
        sp += d[i] * p[i];
    }
    let mean = sp / nh;
    let ss: f64 = (0..p.len()).filter(|&i| elig(i)).map(|i| d[i] * (p[i] - mean).powi(2)).sum();
    let denom = if nh > 1.0 { nh - 1.0 } else { nh };
    let s = (ss / denom).sqrt();
    let mut partial = Vec::new();
    for v in vars {
        let Values::Categorical(c) = v.values else { continue };
        let nl = c.levels.len();
        let (mut w, mut wp, mut n) = (vec![0.0; nl], vec![0.0; nl], vec![0usize; nl]);
        for i in (0..p.len()).filter(|&i| elig(i) && !missing_at(c, i)) {
            let l = c.codes[i] as usize;
            w[l] += d[i];
            wp[l] += d[i] * p[i];
            n[l] += usize::from(d[i] > 0.0);
        }
        let cats: Vec<PartialRCategory> = (0..nl)
            .filter(|&l| w[l] > 0.0)
            .map(|l| {
                let share = w[l] / nh;
                let m = wp[l] / w[l];
                PartialRCategory {
                    category: c.levels[l].clone(),
                    n: n[l],
                    weight_share: share,
                    mean_propensity: m,
                    unconditional: share.sqrt() * (m - mean),
                }
            })
            .collect();
        let pu = cats.iter().map(|k| k.unconditional.powi(2)).sum::<f64>().sqrt();
        partial.push(PartialR {
            variable: v.name.to_string(),
            unconditional: pu,
            categories: cats,
        });
    }
    RIndicator { r: 1.0 - 2.0 * s, sd_propensity: s, mean_propensity: mean, partial }
}

/// A respondent with one of the largest adjustment factors.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LargeFactor {
    /// 1-based row of the sample file.
    pub row: usize,
    /// Collection outcome.
    pub outcome: Outcome,
    /// Design weight d.
    pub design_weight: f64,
    /// Adjusted weight w.
    pub weight: f64,
    /// w / d.
    pub factor: f64,
    /// Group or class, if any.
    pub group: Option<String>,
}

/// The `k` respondents with the largest w/d (ties by row).
pub(crate) fn largest_factors(
    d: &[f64],
    w: &[f64],
    outcomes: &[Outcome],
    group_label: impl Fn(usize) -> Option<String>,
    k: usize,
) -> Vec<LargeFactor> {
    let mut idx: Vec<usize> =
        (0..d.len()).filter(|&i| outcomes[i].is_respondent() && d[i] > 0.0).collect();
    idx.sort_by(|&a, &b| (w[b] / d[b]).total_cmp(&(w[a] / d[a])).then(a.cmp(&b)));
    idx.truncate(k);
    idx.into_iter()
        .map(|i| LargeFactor {
            row: i + 1,
            outcome: outcomes[i],
            design_weight: d[i],
            weight: w[i],
            factor: w[i] / d[i],
            group: group_label(i),
        })
        .collect()
}

/// Kish design effects 1 + CV² = n Σv² / (Σv)² among respondents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KishDeff {
    /// Of the design weights d.
    pub design_weights: f64,
    /// Of the adjusted weights w.
    pub adjusted_weights: f64,
    /// Of the adjustment factors w / d (the design effect due to the adjustment alone).
    pub adjustment_factors: f64,
}

fn kish(v: impl Iterator<Item = f64>) -> f64 {
    let (mut n, mut s, mut ss) = (0.0, 0.0, 0.0);
    for x in v {
        n += 1.0;
        s += x;
        ss += x * x;
    }
    n * ss / (s * s)
}

pub(crate) fn kish_deff(d: &[f64], w: &[f64], outcomes: &[Outcome]) -> KishDeff {
    let resp = || (0..d.len()).filter(|&i| outcomes[i].is_respondent() && d[i] > 0.0);
    KishDeff {
        design_weights: kish(resp().map(|i| d[i])),
        adjusted_weights: kish(resp().map(|i| w[i])),
        adjustment_factors: kish(resp().map(|i| w[i] / d[i])),
    }
}
