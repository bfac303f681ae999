//! The stratified multistage formula on unit totals, as a bilinear form: the variance of
//! one estimate is [`cross`] of its totals with themselves, the covariance of two estimates
//! is [`cross`] of their totals (the same sums, the same order: a diagonal entry of a
//! covariance matrix is the variance bit for bit).
//!
//! # Formula
//! R `survey`'s `svyrecvar` / `multistage` / `onestrat`: with t_hi the totals of stage-1 unit
//! i of stratum h, `C₁(a, b) = Σ_h f_h n_h/(n_h − 1) Σ_i (t^a_hi − t̄^a_h)(t^b_hi − t̄^b_h)`,
//! f_h = 1 − n_h/N_h (1 without fpc; a stratum with f_h < [`tol::SELF_REPRESENTING`] is
//! self-representing and contributes 0). When stage s has an fpc and a later stage exists,
//! each stage-s unit adds `(n_h/N_h) · C_{s+1}` computed within it (Bellhouse's recursion,
//! `survey.ultimate.cluster = FALSE`).

use crate::design::{Design, LonelyPsu, Stage};
use crate::error::{Error, Result};
use crate::tolerance as tol;

/// Totals of every stage's units, from the totals of the last-stage units (`leaf`).
pub(crate) fn stage_totals(design: &Design, leaf: Vec<f64>) -> Vec<Vec<f64>> {
    let stages = design.stages();
    let ns = stages.len();
    let mut totals: Vec<Vec<f64>> = vec![Vec::new(); ns];
    totals[ns - 1] = leaf;
    for s in (1..ns).rev() {
        let mut up = vec![0.0; stages[s - 1].n_units];
        for (j, &t) in totals[s].iter().enumerate() {
            up[stages[s].parent_of_unit[j] as usize] += t;
        }
        totals[s - 1] = up;
    }
    totals
}

/// The multistage (co)variance of two estimates from their [`stage_totals`]. `present`:
/// the stage-1 strata `lonely_psu: average` counts (`None` = all; see
/// `Engine::strata_present`).
///
/// # Errors
/// A lonely PSU under `lonely_psu: fail` ([`Error::LonelyPsu`]), or under `average` below
/// stage 1 or in every stratum.
pub(crate) fn cross(
    design: &Design,
    ta: &[Vec<f64>],
    tb: &[Vec<f64>],
    present: Option<&[bool]>,
) -> Result<f64> {
    let stages = design.stages();
    let mut mult = vec![1.0; stages[0].n_strata()];
    let mut v = one_stage(design, 0, &ta[0], &tb[0], &mult, present)?;
    for s in 1..ta.len() {
        let prev = &stages[s - 1];
        let Some(frac) = &prev.stratum_fraction else { break };
        // the stratum of a stage-s unit is its parent (a stage-(s-1) unit)
        let next_mult: Vec<f64> = (0..prev.n_units)
            .map(|p| {
                let h = prev.stratum_of_unit[p] as usize;
                mult[h] * frac[h]
            })
            .collect();
        mult = next_mult;
        v += one_stage(design, s, &ta[s], &tb[s], &mult, None)?;
    }
    Ok(v)
}

/// Σ of t per stratum of stage `st`.
fn stratum_sums(st: &Stage, t: &[f64]) -> Vec<f64> {
    let mut sum = vec![0.0; st.n_strata()];
    for (i, &ti) in t.iter().enumerate() {
        sum[st.stratum_of_unit[i] as usize] += ti;
    }
    sum
}

/// One stage: Σ_h mult_h · onestrat_h, with R's lonely-PSU rules (`onestrat`):
/// - `adjust`: the lonely unit's total is *not* centred, i.e. centred at 0, the
///   population mean of an influence function. R documents this as centring "at the
///   population mean rather than the stratum mean"; for a mean or ratio (influence
///   values summing to 0) it is the grand mean of the PSU totals, for a total it is not.
/// - `average`: strata with one unit are dropped and the sum scaled by
///   #strata / #strata with ≥ 2 units, counting only the strata in `present`.
fn one_stage(
    design: &Design,
    s: usize,
    ta: &[f64],
    tb: &[f64],
    mult: &[f64],
    present: Option<&[bool]>,
) -> Result<f64> {
    let st = &design.stages()[s];
    let nh = st.n_strata();
    let sum_a = stratum_sums(st, ta);
    let sum_b = if std::ptr::eq(ta, tb) { sum_a.clone() } else { stratum_sums(st, tb) };
    let mut ss = vec![0.0; nh];
    for (i, (&ai, &bi)) in ta.iter().zip(tb).enumerate() {
        let h = st.stratum_of_unit[i] as usize;
        let n = st.stratum_n[h] as f64;
        ss[h] += (ai - sum_a[h] / n) * (bi - sum_b[h] / n);
    }
    let mut v = 0.0;
    let mut lonely_average = 0usize;
    let n_counted = present.map_or(nh, |p| p.iter().filter(|&&x| x).count());
    for h in 0..nh {
        if present.is_some_and(|p| !p[h]) {
            continue; // no row of this domain: R's subset has no such stratum
        }
        let f = st.fpc_factor(h);
        if f < tol::SELF_REPRESENTING || mult[h] == 0.0 {
            continue; // self-representing stratum (or no weight at this stage)
        }
        let n = st.stratum_n[h] as f64;
        if n > 1.0 {
            v += mult[h] * f * n / (n - 1.0) * ss[h];
            continue;
        }
        match design.lonely_psu() {
            LonelyPsu::Fail => return Err(lonely_error(st.stratum_labels[h].as_str(), s)),
            LonelyPsu::Remove | LonelyPsu::Certainty => {}
            LonelyPsu::Adjust => v += mult[h] * f * sum_a[h] * sum_b[h],
            LonelyPsu::Average if s == 0 => lonely_average += 1,
            LonelyPsu::Average => return Err(average_below_stage1(&st.stratum_labels[h], s)),
        }
    }
    if lonely_average > 0 {
        if lonely_average == n_counted {
            return Err(Error::method(
                "variance",
                "every stratum has a single PSU: lonely_psu: average has nothing to average; \
                 use adjust or merge strata",
            ));
        }
        v *= n_counted as f64 / (n_counted - lonely_average) as f64;
    }
    Ok(v)
}

fn average_below_stage1(stratum: &str, s: usize) -> Error {
    Error::method(
        "variance",
        format!(
            "`{stratum}` has a single sampled unit at stage {}: lonely_psu: average is undefined \
             below stage 1 (R survey returns NA); use adjust, remove or certainty",
            s + 1
        ),
    )
}

fn lonely_error(stratum: &str, s: usize) -> Error {
    Error::LonelyPsu {
        stratum: stratum.to_string(),
        stage: s + 1,
        message: format!(
            "stratum `{stratum}` has only one PSU at stage {} (lonely PSU) and lonely_psu is \
             `fail`: merge it with a similar stratum or choose a policy among {}",
            s + 1,
            LonelyPsu::NAMES
        ),
    }
}
