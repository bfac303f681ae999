//! The stratified multistage formula on unit totals, as a bilinear form: [`cross_matrix`]
//! gives the covariance matrix of k estimates from their unit totals; the variance of one
//! estimate is the 1 × 1 case (the same sums in the same order: a diagonal entry of a
//! covariance matrix is the variance bit for bit).
//!
//! # Formula
//! R `survey`'s `svyrecvar` / `multistage` / `onestrat`: with t_hi the totals of stage-1 unit
//! i of stratum h, `C₁(a, b) = Σ_h f_h n_h/(n_h − 1) Σ_i (t^a_hi − t̄^a_h)(t^b_hi − t̄^b_h)`,
//! f_h = 1 − n_h/N_h (1 without fpc; a stratum with f_h < [`tol::SELF_REPRESENTING`] is
//! self-representing and contributes 0). When stage s has an fpc and a later stage exists,
//! each stage-s unit adds `(n_h/N_h) · C_{s+1}` computed within it (Bellhouse's recursion,
//! `survey.ultimate.cluster = FALSE`).

use nalgebra::DMatrix;

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

/// The multistage covariance matrix of k estimates from their [`stage_totals`]
/// (`totals[j]`: estimate j's totals of every stage). `present`: the stage-1 strata
/// `lonely_psu: average` counts (`None` = all; see `Engine::strata_present`).
///
/// Entry (a, b) is `C(a, b) = Σ_s C_s(a, b)` of the module's formula, formed in one pass
/// over the units of each stage: the totals are centred within strata once, then each
/// stratum's k × k sums of products are accumulated unit by unit (a rank-one update per
/// unit, `O(units · k²)` multiply-adds, no allocation per pair). The sums run over the units
/// of a stratum in unit order and the strata in order, whatever k: entry (a, a) is the
/// variance of estimate a alone (k = 1) bit for bit.
///
/// # Errors
/// A lonely PSU under `lonely_psu: fail` ([`Error::LonelyPsu`]), or under `average` below
/// stage 1 or in every stratum.
pub(crate) fn cross_matrix(
    design: &Design,
    totals: &[&[Vec<f64>]],
    present: Option<&[bool]>,
) -> Result<DMatrix<f64>> {
    let stages = design.stages();
    let k = totals.len();
    let mut mult = vec![1.0; stages[0].n_strata()];
    let mut c = Symmetric::new(k);
    one_stage(design, 0, totals, &mult, present, &mut c)?;
    let n_levels = totals.iter().map(|t| t.len()).min().unwrap_or(0);
    for s in 1..n_levels {
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
        one_stage(design, s, totals, &mult, None, &mut c)?;
    }
    Ok(c.into_matrix())
}

/// The lower triangle of a symmetric k × k matrix, row by row.
struct Symmetric {
    k: usize,
    v: Vec<f64>,
}

impl Symmetric {
    fn new(k: usize) -> Symmetric {
        Symmetric { k, v: vec![0.0; k * (k + 1) / 2] }
    }

    /// `self += rhs` entry by entry.
    fn add(&mut self, rhs: &Symmetric) {
        for (a, b) in self.v.iter_mut().zip(&rhs.v) {
            *a += b;
        }
    }

    fn into_matrix(self) -> DMatrix<f64> {
        let mut m = DMatrix::zeros(self.k, self.k);
        let mut idx = 0;
        for a in 0..self.k {
            for b in 0..=a {
                m[(a, b)] = self.v[idx];
                m[(b, a)] = self.v[idx];
                idx += 1;
            }
        }
        m
    }
}

/// Σ of each estimate's totals per stratum of stage `st`, stratum-major (`[h * k + j]`).
fn stratum_sums(st: &Stage, totals: &[&[f64]]) -> Vec<f64> {
    let k = totals.len();
    let mut sum = vec![0.0; st.n_strata() * k];
    for (j, t) in totals.iter().enumerate() {
        for (i, &ti) in t.iter().enumerate() {
            sum[st.stratum_of_unit[i] as usize * k + j] += ti;
        }
    }
    sum
}

/// Units of each stratum in unit order (a counting sort): `(start of each stratum, units)`.
fn units_by_stratum(st: &Stage) -> (Vec<usize>, Vec<u32>) {
    let mut start = vec![0usize; st.n_strata() + 1];
    for &h in &st.stratum_of_unit {
        start[h as usize + 1] += 1;
    }
    for h in 0..st.n_strata() {
        start[h + 1] += start[h];
    }
    let mut next = start.clone();
    let mut units = vec![0u32; st.stratum_of_unit.len()];
    for (i, &h) in st.stratum_of_unit.iter().enumerate() {
        units[next[h as usize]] = i as u32;
        next[h as usize] += 1;
    }
    (start, units)
}

/// Σ_{i ∈ h} (t_i − t̄_h)(t_i − t̄_h)ᵀ of the units of one stratum, from the unit-major
/// centred totals (`centred[i * k + j]`).
fn stratum_products(units: &[u32], centred: &[f64], k: usize, acc: &mut Symmetric) {
    acc.v.fill(0.0);
    for &i in units {
        let row = &centred[i as usize * k..(i as usize + 1) * k];
        let mut idx = 0;
        for (a, &ra) in row.iter().enumerate() {
            for (slot, &rb) in acc.v[idx..=idx + a].iter_mut().zip(&row[..=a]) {
                *slot += ra * rb;
            }
            idx += a + 1;
        }
    }
}

/// One stage: `c += Σ_h mult_h · onestrat_h`, with R's lonely-PSU rules (`onestrat`):
/// - `adjust`: the lonely unit's total is *not* centred, i.e. centred at 0, the
///   population mean of an influence function. R documents this as centring "at the
///   population mean rather than the stratum mean"; for a mean or ratio (influence
///   values summing to 0) it is the grand mean of the PSU totals, for a total it is not.
/// - `average`: strata with one unit are dropped and the sum scaled by
///   #strata / #strata with ≥ 2 units, counting only the strata in `present`.
fn one_stage(
    design: &Design,
    s: usize,
    totals: &[&[Vec<f64>]],
    mult: &[f64],
    present: Option<&[bool]>,
    c: &mut Symmetric,
) -> Result<()> {
    let st = &design.stages()[s];
    let (nh, k) = (st.n_strata(), totals.len());
    let t: Vec<&[f64]> = totals.iter().map(|t| t[s].as_slice()).collect();
    let sum = stratum_sums(st, &t);
    let mut centred = vec![0.0; st.n_units * k];
    for (j, tj) in t.iter().enumerate() {
        for (i, &ti) in tj.iter().enumerate() {
            let h = st.stratum_of_unit[i] as usize;
            centred[i * k + j] = ti - sum[h * k + j] / st.stratum_n[h] as f64;
        }
    }
    let (start, units) = units_by_stratum(st);
    let (mut v, mut acc) = (Symmetric::new(k), Symmetric::new(k));
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
            stratum_products(&units[start[h]..start[h + 1]], &centred, k, &mut acc);
            let factor = mult[h] * f * n / (n - 1.0);
            for (x, a) in v.v.iter_mut().zip(&acc.v) {
                *x += factor * a;
            }
            continue;
        }
        match design.lonely_psu() {
            LonelyPsu::Fail => return Err(lonely_error(st.stratum_labels[h].as_str(), s)),
            LonelyPsu::Remove | LonelyPsu::Certainty => {}
            LonelyPsu::Adjust => {
                let (sh, factor) = (&sum[h * k..(h + 1) * k], mult[h] * f);
                let mut idx = 0;
                for a in 0..k {
                    for b in 0..=a {
                        v.v[idx] += factor * sh[a] * sh[b];
                        idx += 1;
                    }
                }
            }
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
        let scale = n_counted as f64 / (n_counted - lonely_average) as f64;
        v.v.iter_mut().for_each(|x| *x *= scale);
    }
    c.add(&v);
    Ok(())
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
