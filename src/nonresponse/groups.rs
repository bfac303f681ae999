//! Response homogeneity groups (score method) and weighting classes.
//!
//! # Formula
//! Score method (Haziza & Beaumont 2007): eligible units are cut at the 1/G, …, (G−1)/G
//! quantiles of p̂ (unweighted by default: groups of nearly equal numbers of units; or
//! weighted by d'). A unit with p̂ = t_g goes to the lower group, so units with equal p̂
//! always share a group and the result does not depend on row order. Then, from the lowest
//! p̂ upwards, a group with fewer than `min_respondents` respondents or a weighted response
//! rate below `min_response_rate` is merged with the neighbour whose weighted mean p̂ is
//! closest, until every group passes. Factor per group g:
//! - weighted rate: F_g = Σ_{g, eligible} d' / Σ_{g, respondents} d';
//! - mean propensity: F_g = 1 / p̄_g, p̄_g = Σ_{g, eligible} d' p̂ / Σ_{g, eligible} d'.
//!
//! Weighting classes are the same weighted-rate factor within given classes, with no model.

use super::status::Outcome;
use crate::data::Factor;
use crate::error::{Error, Result};
use serde::Serialize;

/// Adjustment factor within a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupFactor {
    /// Σ eligible d' / Σ respondent d' (respondents then sum to the group's eligible weight).
    #[default]
    WeightedRate,
    /// 1 / (d'-weighted mean of p̂ over the group's eligible units).
    MeanPropensity,
}

/// Quantiles used to cut the score groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuantileWeighting {
    /// Groups of (nearly) equal numbers of eligible units.
    #[default]
    Unweighted,
    /// Groups of (nearly) equal eligibility-adjusted design weight d'.
    Weighted,
}

/// Settings of the score method.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreGroups {
    /// Initial number of groups G (≥ 1).
    pub groups: usize,
    /// Merge a group with fewer respondents than this (≥ 1 recommended).
    pub min_respondents: usize,
    /// Merge a group with a weighted response rate below this.
    pub min_response_rate: f64,
    /// Factor within groups.
    pub factor: GroupFactor,
    /// Quantiles of p̂ for the initial cut.
    pub quantiles: QuantileWeighting,
}

impl Default for ScoreGroups {
    fn default() -> Self {
        ScoreGroups {
            groups: 5,
            min_respondents: 30,
            min_response_rate: 0.1,
            factor: GroupFactor::WeightedRate,
            quantiles: QuantileWeighting::Unweighted,
        }
    }
}

/// One response homogeneity group or weighting class in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupStat {
    /// Label (`1`…`G` by increasing p̂; the class label for weighting classes).
    pub group: String,
    /// Smallest p̂ among the group's eligible units (score method).
    pub propensity_min: Option<f64>,
    /// Largest p̂ (score method).
    pub propensity_max: Option<f64>,
    /// d'-weighted mean p̂ over eligible units (the weighted response rate for classes).
    pub mean_propensity: f64,
    /// Eligible units (positive weight).
    pub n_eligible: usize,
    /// Respondents (positive weight).
    pub n_respondents: usize,
    /// Web respondents.
    pub n_web: usize,
    /// Phone respondents.
    pub n_phone: usize,
    /// Σ d' over eligible units.
    pub weight_eligible: f64,
    /// Σ d' over respondents.
    pub weight_respondents: f64,
    /// n_respondents / n_eligible.
    pub response_rate: f64,
    /// weight_respondents / weight_eligible.
    pub weighted_response_rate: f64,
    /// Adjustment factor applied to respondents.
    pub factor: f64,
}

/// Group of every unit (Factor::MISSING outside eligible units), the stats and factors.
#[derive(Debug, Clone)]
pub(crate) struct Grouping {
    pub group: Vec<u32>,
    pub stats: Vec<GroupStat>,
    /// Notes on merges (score method).
    pub notes: Vec<String>,
}

/// Running sums of a group.
#[derive(Debug, Clone, Copy, Default)]
struct Acc {
    n_elig: usize,
    n_resp: usize,
    n_web: usize,
    n_phone: usize,
    w_elig: f64,
    w_resp: f64,
    wp: f64,
    p_min: f64,
    p_max: f64,
}

impl Acc {
    fn empty() -> Self {
        Acc { p_min: f64::INFINITY, p_max: f64::NEG_INFINITY, ..Default::default() }
    }

    fn add(&mut self, o: Outcome, d: f64, p: f64) {
        if d > 0.0 {
            self.n_elig += 1;
            self.n_resp += usize::from(o.is_respondent());
            self.n_web += usize::from(o == Outcome::Web);
            self.n_phone += usize::from(o == Outcome::Phone);
        }
        self.w_elig += d;
        if o.is_respondent() {
            self.w_resp += d;
        }
        self.wp += d * p;
        self.p_min = self.p_min.min(p);
        self.p_max = self.p_max.max(p);
    }

    fn merge(&mut self, o: &Acc) {
        self.n_elig += o.n_elig;
        self.n_resp += o.n_resp;
        self.n_web += o.n_web;
        self.n_phone += o.n_phone;
        self.w_elig += o.w_elig;
        self.w_resp += o.w_resp;
        self.wp += o.wp;
        self.p_min = self.p_min.min(o.p_min);
        self.p_max = self.p_max.max(o.p_max);
    }

    fn mean_p(&self) -> f64 {
        self.wp / self.w_elig
    }

    fn stat(&self, label: String, factor: f64, score: bool) -> GroupStat {
        GroupStat {
            group: label,
            propensity_min: score.then_some(self.p_min),
            propensity_max: score.then_some(self.p_max),
            mean_propensity: self.mean_p(),
            n_eligible: self.n_elig,
            n_respondents: self.n_resp,
            n_web: self.n_web,
            n_phone: self.n_phone,
            weight_eligible: self.w_elig,
            weight_respondents: self.w_resp,
            response_rate: self.n_resp as f64 / self.n_elig as f64,
            weighted_response_rate: self.w_resp / self.w_elig,
            factor,
        }
    }
}

/// Upper cut points t_1 ≤ … ≤ t_{G−1} of the initial groups: t_g is the smallest p̂ whose
/// cumulative mass (units, or d') reaches g/G of the total. Units of zero weight (dropped in a
/// replicate) carry no mass.
fn thresholds(p: &[f64], d: &[f64], outcomes: &[Outcome], cfg: &ScoreGroups) -> Vec<f64> {
    let counted = |i: usize| outcomes[i].is_eligible() && d[i] > 0.0;
    match cfg.quantiles {
        QuantileWeighting::Unweighted => {
            // Order statistics by selection (O(n log G)); rank k_g = ⌈g·m/G⌉.
            let mut vals: Vec<f64> = (0..p.len()).filter(|&i| counted(i)).map(|i| p[i]).collect();
            let (m, big_g) = (vals.len(), cfg.groups);
            let mut cuts = Vec::with_capacity(big_g.saturating_sub(1));
            let mut lo = 0;
            for g in 1..big_g {
                let k = (g * m).div_ceil(big_g);
                if k == 0 {
                    continue;
                }
                let (_, v, _) = vals[lo..].select_nth_unstable_by(k - 1 - lo, f64::total_cmp);
                cuts.push(*v);
                lo = k - 1;
            }
            cuts
        }
        QuantileWeighting::Weighted => {
            let mut pairs: Vec<(f64, f64)> =
                (0..p.len()).filter(|&i| counted(i)).map(|i| (p[i], d[i])).collect();
            pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
            let total: f64 = pairs.iter().map(|x| x.1).sum();
            let mut cuts = Vec::with_capacity(cfg.groups.saturating_sub(1));
            let (mut cum, mut g) = (0.0, 1usize);
            for (pi, di) in pairs {
                cum += di;
                // Relative slack so that exact fractions are not missed by rounding.
                while g < cfg.groups && cum >= total * g as f64 / cfg.groups as f64 * (1.0 - 1e-12)
                {
                    cuts.push(pi);
                    g += 1;
                }
            }
            cuts
        }
    }
}

/// Score-method groups.
///
/// # Errors
/// A group left without respondents, or constraints no grouping can meet.
pub(crate) fn score_groups(
    p: &[f64],
    d: &[f64],
    outcomes: &[Outcome],
    cfg: &ScoreGroups,
) -> Result<Grouping> {
    let cuts = thresholds(p, d, outcomes, cfg);
    let eligible: Vec<usize> = (0..p.len()).filter(|&i| outcomes[i].is_eligible()).collect();
    let ng = cuts.len() + 1;
    let initial = |pi: f64| cuts.partition_point(|&t| t < pi);
    let mut initial_of = vec![0u32; p.len()];
    let mut accs = vec![Acc::empty(); ng];
    for &i in &eligible {
        let g = initial(p[i]);
        initial_of[i] = g as u32;
        accs[g].add(outcomes[i], d[i], p[i]);
    }
    // Segments of initial groups: (first initial group, acc). Tied p̂ can leave groups empty.
    let mut segs: Vec<(usize, Acc)> =
        accs.into_iter().enumerate().filter(|(_, a)| a.p_min.is_finite()).collect();
    let mut notes = Vec::new();
    if segs.len() < ng {
        notes.push(format!(
            "{} of the {ng} initial score groups were empty (tied propensities) and dropped",
            ng - segs.len()
        ));
    }
    merge_small(&mut segs, cfg, &mut notes)?;
    let mut group_of_initial = vec![0u32; ng];
    for (g, w) in segs.windows(2).enumerate() {
        group_of_initial[w[0].0..w[1].0].fill(g as u32);
    }
    if let Some(last) = segs.last() {
        for gi in group_of_initial.iter_mut().skip(last.0) {
            *gi = (segs.len() - 1) as u32;
        }
    }
    let mut group = vec![Factor::MISSING; p.len()];
    for &i in &eligible {
        group[i] = group_of_initial[initial_of[i] as usize];
    }
    let stats = segs
        .iter()
        .enumerate()
        .map(|(g, (_, a))| {
            let label = (g + 1).to_string();
            let factor = group_factor(a, cfg.factor, &label, true)?;
            Ok(a.stat(label, factor, true))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Grouping { group, stats, notes })
}

fn fails(a: &Acc, cfg: &ScoreGroups) -> bool {
    a.n_resp < cfg.min_respondents || a.w_elig <= 0.0 || a.w_resp < cfg.min_response_rate * a.w_elig
}

/// Merges failing groups into their closest neighbour (by weighted mean p̂).
fn merge_small(
    segs: &mut Vec<(usize, Acc)>,
    cfg: &ScoreGroups,
    notes: &mut Vec<String>,
) -> Result<()> {
    while segs.len() > 1 {
        let Some(g) = segs.iter().position(|(_, a)| fails(a, cfg)) else { return Ok(()) };
        let other = if g == 0 {
            1
        } else if g + 1 == segs.len() || segs[g].1.w_elig <= 0.0 {
            g - 1
        } else {
            let m = segs[g].1.mean_p();
            let (lo, hi) = (segs[g - 1].1.mean_p(), segs[g + 1].1.mean_p());
            if (m - lo).abs() <= (hi - m).abs() { g - 1 } else { g + 1 }
        };
        let f = segs[g].1;
        notes.push(format!(
            "merged the group of p̂ in [{:.4}, {:.4}] ({} respondent(s), weighted response rate \
             {:.3}) with its {} neighbour",
            f.p_min,
            f.p_max,
            f.n_resp,
            f.w_resp / f.w_elig,
            if other < g { "lower" } else { "higher" }
        ));
        let (keep, gone) = (g.min(other), g.max(other));
        let absorbed = segs.remove(gone).1;
        segs[keep].1.merge(&absorbed);
    }
    match segs.first() {
        Some((_, a)) if a.n_resp > 0 && a.w_resp > 0.0 && fails(a, cfg) => Err(Error::method(
            "nonresponse",
            format!(
                "even with every eligible unit in one group, there are {} respondents (weighted \
                 response rate {:.3}), below `min_respondents` = {} or `min_response_rate` = \
                 {}; lower these thresholds",
                a.n_resp,
                a.w_resp / a.w_elig,
                cfg.min_respondents,
                cfg.min_response_rate
            ),
        )),
        _ => Ok(()),
    }
}

fn group_factor(a: &Acc, kind: GroupFactor, label: &str, score: bool) -> Result<f64> {
    if a.w_resp <= 0.0 {
        let what = if score {
            format!("score group {label} (p̂ in [{:.4}, {:.4}])", a.p_min, a.p_max)
        } else {
            format!("weighting class `{label}`")
        };
        let hint = if score {
            "use fewer `score_groups` or set `min_respondents` >= 1 so that empty groups are merged"
        } else {
            "merge it with a neighbouring class (fewer or coarser `classes`)"
        };
        return Err(Error::method(
            "nonresponse",
            format!(
                "{what} has {} eligible unit(s) and no respondent, so its weight cannot be \
                 carried by anyone; {hint}",
                a.n_elig
            ),
        ));
    }
    Ok(match kind {
        GroupFactor::WeightedRate => a.w_elig / a.w_resp,
        GroupFactor::MeanPropensity => a.w_elig / a.wp,
    })
}

/// Weighting classes: `class` holds a code for each eligible unit (Factor::MISSING elsewhere).
///
/// # Errors
/// A class with eligible weight and no respondent.
pub(crate) fn weighting_classes(
    class: &[u32],
    labels: &[String],
    d: &[f64],
    outcomes: &[Outcome],
) -> Result<Grouping> {
    let mut accs = vec![Acc::empty(); labels.len()];
    for i in (0..class.len()).filter(|&i| class[i] != Factor::MISSING) {
        accs[class[i] as usize].add(outcomes[i], d[i], 0.0);
    }
    let mut stats = Vec::with_capacity(labels.len());
    for (a, l) in accs.iter_mut().zip(labels) {
        if a.w_elig <= 0.0 {
            // Every unit of the class has weight 0 (a replicate): nothing to carry.
            stats.push(a.stat(l.clone(), 0.0, false));
            continue;
        }
        let factor = group_factor(a, GroupFactor::WeightedRate, l, false)?;
        a.wp = a.w_resp; // p̂ of the class = its weighted response rate
        stats.push(a.stat(l.clone(), factor, false));
    }
    Ok(Grouping { group: class.to_vec(), stats, notes: Vec::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(groups: usize, quantiles: QuantileWeighting) -> ScoreGroups {
        ScoreGroups {
            groups,
            min_respondents: 0,
            min_response_rate: 0.0,
            quantiles,
            ..Default::default()
        }
    }

    #[test]
    fn unweighted_cuts_are_order_statistics_and_match_weighted_with_equal_weights() {
        let p: Vec<f64> = (0..10).map(|i| f64::from((i * 7) % 10) / 10.0).collect();
        let d = vec![3.0; 10];
        let o = vec![Outcome::Web; 10];
        let u = thresholds(&p, &d, &o, &cfg(4, QuantileWeighting::Unweighted));
        // ranks ⌈10/4⌉ = 3, 5, ⌈30/4⌉ = 8 → values 0.2, 0.4, 0.7
        assert_eq!(u, [0.2, 0.4, 0.7]);
        assert_eq!(u, thresholds(&p, &d, &o, &cfg(4, QuantileWeighting::Weighted)));
    }

    #[test]
    fn tied_propensities_share_a_group_and_empty_groups_are_dropped() {
        let p = [0.5, 0.5, 0.5, 0.5, 0.9, 0.9];
        let d = [1.0; 6];
        let o = [
            Outcome::Web,
            Outcome::Nonrespondent,
            Outcome::Web,
            Outcome::Phone,
            Outcome::Web,
            Outcome::Nonrespondent,
        ];
        let g = score_groups(&p, &d, &o, &cfg(3, QuantileWeighting::Unweighted)).unwrap();
        assert_eq!(g.group, [0, 0, 0, 0, 1, 1]);
        assert_eq!(g.stats.len(), 2);
        assert!(g.notes[0].contains("empty"));
        assert!((g.stats[0].factor - 4.0 / 3.0).abs() < 1e-15);
    }
}
