//! Generation of replicate weights from a [`Design`] (stage-1 PSUs and strata).
//!
//! Each generator gives a multiplier per (replicate, PSU); the analysis weight of row k in
//! replicate r is `w_k · m_{r, PSU(k)}`. PSUs are taken in order of first appearance in the
//! data within each stratum (the order R `survey` uses for JK1). Certainty PSUs (their own
//! self-representing stratum) keep multiplier 1 everywhere.
//!
//! - JK1 (unstratified): replicate i drops PSU i, others × n/(n−1); scale (n−1)/n · (1 − f)
//!   with the stage-1 fpc (as R `as.svrepdesign`).
//! - JKn: one replicate per PSU of each stratum with n_h ≥ 2; rscale (n_h−1)/n_h · (1 − f_h).
//! - BRR / Fay(ρ): strata of exactly 2 PSUs; R `survey`'s Hadamard matrix for H strata
//!   ([`r_hadamard`](super::r_hadamard), order K ≥ H + 1), read as R's `brrweights` does:
//!   strata in sorted label order (byte order; R sorts in its locale, which only differs for
//!   mixed-case or accented labels), stratum j (1-based) on row j + 1, replicate r on column
//!   r; entry 1 gives the stratum's first PSU (first appearance) multiplier 2 (BRR) or 2−ρ
//!   (Fay) and the second 0 or ρ, entry 0 the reverse; no fpc (as R); scale 1/(K(1−ρ)²).
//! - Bootstrap, Rao–Wu rescaled: in each stratum m_h = n_h − 1 PSUs drawn with replacement;
//!   m = 1 − λ + λ (n_h/m_h) r_hi, λ = √(m_h (1 − f_h)/(n_h − 1)) = √(1 − f_h); scale
//!   1/(R−1). (R `survey` uses a without-replacement pseudo-population bootstrap when an fpc
//!   is given; ponder uses Rao–Wu with the fpc in λ.)
//! - SDR (Fay & Train 1995), circular within each stratum: PSU j uses Hadamard rows
//!   a_j = 1 + (j mod (K−1)) and a_{j+1} (the last PSU pairs with the first);
//!   m = 1 + 2^{−3/2} (H[a_j][r] − H[a_{j+1}][r]); scale 4/K; no fpc.
//!
//! Strata with a single PSU: error under `lonely_psu: fail`, otherwise multiplier 1 (no
//! variance contribution), reported in [`Generated::lonely_strata`].

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::design::{ReplicateDesign, ReplicateKind};
use super::hadamard::Hadamard;
use super::r_hadamard::r_hadamard;
use crate::design::{Design, LonelyPsu};
use crate::error::{Error, Result};

/// Replicate design produced by [`generate`], with what the generator had to decide.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The replicate design (full analysis weights per replicate).
    pub design: ReplicateDesign,
    /// Labels of strata with a single PSU that got multiplier 1.
    pub lonely_strata: Vec<String>,
}

fn err(msg: String) -> Error {
    Error::method("replicates", msg)
}

struct Psus {
    /// PSU indices of each stratum, in order of first appearance.
    by_stratum: Vec<Vec<usize>>,
    labels: Vec<String>,
    fraction: Vec<f64>,
    certainty: Vec<bool>,
}

fn psus(design: &Design) -> Psus {
    let mut by_stratum = vec![Vec::new(); design.n_strata()];
    for (u, &h) in design.stratum_of_psus().iter().enumerate() {
        by_stratum[h as usize].push(u);
    }
    let labels = design.stratum_labels().to_vec();
    let certainty = labels.iter().map(|l| l.starts_with("certainty PSU ")).collect();
    let fraction =
        design.stage1_fractions().map_or_else(|| vec![0.0; labels.len()], |f| f.to_vec());
    Psus { by_stratum, labels, fraction, certainty }
}

/// Generates replicate weights for `design`.
///
/// `n_replicates`: bootstrap (default 50, as R) and SDR (default: smallest Hadamard order
/// ≥ max n_h + 1); must be `None` or match for JK1/JKn/BRR/Fay (which fix R).
///
/// # Errors
/// JK1 on a stratified design; BRR/Fay with a stratum not of 2 PSUs; fewer than 2
/// replicates; a lonely PSU under `fail`; SDR with a replicate count that is not a
/// constructible Hadamard order.
pub fn generate(
    design: &Design,
    kind: ReplicateKind,
    n_replicates: Option<usize>,
    mse: bool,
    rng: &mut ChaCha8Rng,
) -> Result<Generated> {
    let p = psus(design);
    let mut lonely = Vec::new();
    for (h, units) in p.by_stratum.iter().enumerate() {
        if units.len() == 1 && !p.certainty[h] {
            if design.lonely_psu() == LonelyPsu::Fail {
                return Err(err(format!(
                    "stratum `{}` has a single PSU (lonely PSU) and lonely_psu is `fail`: merge it \
                     with a similar stratum or choose a policy among {}",
                    p.labels[h],
                    LonelyPsu::NAMES
                )));
            }
            lonely.push(p.labels[h].clone());
        }
    }
    let (mult, scale, rscales) = match kind {
        ReplicateKind::Jk1 => jk1(&p)?,
        ReplicateKind::Jkn => jkn(&p),
        ReplicateKind::Brr => brr(&p, 0.0)?,
        ReplicateKind::Fay { rho } => {
            if !(rho > 0.0 && rho < 1.0) {
                return Err(err(format!("Fay's rho must be in (0, 1), got {rho}")));
            }
            brr(&p, rho)?
        }
        ReplicateKind::Bootstrap => bootstrap(&p, n_replicates.unwrap_or(50), rng)?,
        ReplicateKind::Sdr => sdr(&p, n_replicates)?,
        ReplicateKind::Other => {
            return Err(err("cannot generate replicates of type `other`".into()));
        }
    };
    if let Some(r) = n_replicates
        && r != mult.len()
    {
        return Err(err(format!(
            "{} replicates requested but {} gives {} for this design",
            r,
            kind.r_type(),
            mult.len()
        )));
    }
    if mult.len() < 2 {
        return Err(err(format!(
            "{} gives {} replicate(s) for this design: need at least 2",
            kind.r_type(),
            mult.len()
        )));
    }
    let w = design.weights();
    let psu = design.psu_of_rows();
    // the multipliers are drawn in order above; the products are independent (one task
    // per replicate, the same values whatever the thread count)
    let reps: Vec<Vec<f64>> = mult
        .par_iter()
        .map(|m| w.iter().zip(psu).map(|(wk, &u)| wk * m[u as usize]).collect())
        .collect();
    let design = ReplicateDesign {
        kind,
        full: w.to_vec(),
        reps,
        scale,
        rscales,
        mse,
        df: design.degrees_of_freedom(),
    };
    Ok(Generated { design, lonely_strata: lonely })
}

type Multipliers = (Vec<Vec<f64>>, f64, Vec<f64>);

fn n_psus(p: &Psus) -> usize {
    p.by_stratum.iter().map(Vec::len).sum()
}

fn jk1(p: &Psus) -> Result<Multipliers> {
    let real: Vec<usize> = (0..p.by_stratum.len()).filter(|&h| !p.certainty[h]).collect();
    if real.len() != 1 {
        return Err(err("JK1 is for unstratified designs: use JKn for a stratified design".into()));
    }
    let h = real[0];
    let units = &p.by_stratum[h];
    let n = units.len() as f64;
    let mut mult = Vec::new();
    for &drop in units {
        let mut m = vec![1.0; n_psus(p)];
        for &u in units {
            m[u] = if u == drop { 0.0 } else { n / (n - 1.0) };
        }
        mult.push(m);
    }
    let scale = (n - 1.0) / n * (1.0 - p.fraction[h]);
    let r = mult.len();
    Ok((mult, scale, vec![1.0; r]))
}

fn jkn(p: &Psus) -> Multipliers {
    let mut mult = Vec::new();
    let mut rscales = Vec::new();
    for (h, units) in p.by_stratum.iter().enumerate() {
        if units.len() < 2 || p.certainty[h] {
            continue;
        }
        let n = units.len() as f64;
        for &drop in units {
            let mut m = vec![1.0; n_psus(p)];
            for &u in units {
                m[u] = if u == drop { 0.0 } else { n / (n - 1.0) };
            }
            mult.push(m);
            rscales.push((n - 1.0) / n * (1.0 - p.fraction[h]));
        }
    }
    (mult, 1.0, rscales)
}

fn brr(p: &Psus, rho: f64) -> Result<Multipliers> {
    let strata: Vec<usize> = (0..p.by_stratum.len()).filter(|&h| !p.certainty[h]).collect();
    for &h in &strata {
        if p.by_stratum[h].len() != 2 {
            return Err(err(format!(
                "BRR/Fay need exactly 2 PSUs per stratum; stratum `{}` has {}: collapse or split \
                 strata into pairs, or use JKn or bootstrap",
                p.labels[h],
                p.by_stratum[h].len()
            )));
        }
    }
    let mut strata = strata;
    strata.sort_by(|&a, &b| p.labels[a].cmp(&p.labels[b]));
    let had = r_hadamard(strata.len());
    let k = had.len();
    // replicate r = column r of R's matrix
    let mult: Vec<Vec<f64>> = (0..k)
        .map(|r| {
            let mut m = vec![1.0; n_psus(p)];
            for (j, &h) in strata.iter().enumerate() {
                let plus = had[j + 1][r] == 1;
                let (a, b) = (p.by_stratum[h][0], p.by_stratum[h][1]);
                m[a] = if plus { 2.0 - rho } else { rho };
                m[b] = if plus { rho } else { 2.0 - rho };
            }
            m
        })
        .collect();
    let scale = 1.0 / (k as f64 * (1.0 - rho) * (1.0 - rho));
    Ok((mult, scale, vec![1.0; k]))
}

fn bootstrap(p: &Psus, r: usize, rng: &mut ChaCha8Rng) -> Result<Multipliers> {
    if r < 2 {
        return Err(err(format!("{r} bootstrap replicate(s): at least 2 are needed")));
    }
    let mut mult = Vec::with_capacity(r);
    let mut counts = Vec::new();
    for _ in 0..r {
        let mut m = vec![1.0; n_psus(p)];
        for (h, units) in p.by_stratum.iter().enumerate() {
            let n = units.len();
            if n < 2 || p.certainty[h] {
                continue;
            }
            let draws = n - 1;
            counts.clear();
            counts.resize(n, 0u32);
            for _ in 0..draws {
                counts[rng.random_range(0..n)] += 1;
            }
            let lambda = (1.0 - p.fraction[h]).sqrt();
            let nf = n as f64;
            for (i, &u) in units.iter().enumerate() {
                m[u] = 1.0 - lambda + lambda * nf / (nf - 1.0) * counts[i] as f64;
            }
        }
        mult.push(m);
    }
    Ok((mult, 1.0 / (r as f64 - 1.0), vec![1.0; r]))
}

fn sdr(p: &Psus, n_replicates: Option<usize>) -> Result<Multipliers> {
    let max_n = p.by_stratum.iter().map(Vec::len).max().unwrap_or(0);
    let had = match n_replicates {
        // the successive differences cycle through rows 1..k-1: fewer than 4 replicates
        // leave at most 2 rows, and k = 2 gives every replicate the full-sample weights
        Some(k) if k < 4 => {
            return Err(err(format!(
                "SDR needs at least 4 replicates (a Hadamard order: 4, 8, 12, 16, 20, 24, \
                 32...); {k} was asked"
            )));
        }
        Some(k) => Hadamard::of_order(k).ok_or_else(|| {
            err(format!("SDR needs a Hadamard order as number of replicates (e.g. 4, 8, 12, 16, 20, 24, 32...); {k} is not available"))
        })?,
        None => Hadamard::at_least((max_n + 1).max(4)),
    };
    let k = had.order();
    let c = 2f64.powf(-1.5);
    let mut mult = Vec::with_capacity(k);
    for r in 0..k {
        let mut m = vec![1.0; n_psus(p)];
        for (h, units) in p.by_stratum.iter().enumerate() {
            let n = units.len();
            if n < 2 || p.certainty[h] {
                continue;
            }
            let row = |j: usize| 1 + (j % (k - 1));
            for (j, &u) in units.iter().enumerate() {
                let a = had.rows[row(j)][r] as f64;
                let b = had.rows[row((j + 1) % n)][r] as f64;
                m[u] = 1.0 + c * (a - b);
            }
        }
        mult.push(m);
    }
    Ok((mult, 4.0 / k as f64, vec![1.0; k]))
}
