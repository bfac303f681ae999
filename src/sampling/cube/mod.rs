//! Balanced sampling by the cube method (Deville & Tillé 2004), stratified.
//!
//! A sample is balanced on x when its Horvitz–Thompson estimates reproduce the frame totals:
//! Σ_s x_k / π_k = Σ_U x_k. The method moves the vector π randomly inside the unit cube, on
//! the subspace that keeps Σ_U a_k π_k fixed (a_k = x_k / π_k^0), until it reaches a vertex:
//! a sample. π itself is always among the variables (a_k = 1), which fixes the sample size.
//!
//! Stratified version (Chauvet 2009; `sampling::balancedstratification` in R):
//! 1. a fast flight phase within each stratum on (1, x_k/π_k): the stratum size and the
//!    stratum's balancing totals are kept; at most q units per stratum stay fractional;
//!    Rounding error makes a stratum's Σπ drift by up to ~1e-8 over 10^5 moves; the remaining
//!    π of each stratum are then rescaled to the exact remaining size (largest correction
//!    reported as `size_drift_corrected`), otherwise a unit stuck at 0.99999999 would force
//!    the landing phase to drop a stratum constraint;
//! 2. a fast flight phase on the union of those units on (stratum indicators, x_k/π_k):
//!    stratum sizes and the overall balancing totals are kept;
//! 3. landing by suppression of variables: the x constraints are dropped from the last
//!    listed variable backwards, then the stratum indicators, until every unit is 0 or 1. So
//!    list the most important variables first. The sample sizes n_h are exact whenever
//!    Σ_{k∈h} π_k is an integer, because the indicators are dropped last and a single
//!    fractional unit in a stratum cannot have an integer-sum complement.
//!
//! The flight phase is the fast algorithm of Chauvet & Tillé (2006): q + 1 units at a time,
//! so time is linear in N (O(N q³)) and memory O(H q²) besides the frame.
//! Landing is by dropping variables, not by linear programming over the 2^q samples of the
//! landing units: it needs no LP solver and scales to many strata; the price is that the
//! dropped constraints hold only approximately (reported in [`BalanceReport`]).

mod balance;
mod flight;

pub use balance::{BalanceCheck, BalanceReport, BalanceVar};

use indicatif::ProgressBar;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::sampling::progress::Ticker;
use crate::sampling::rng::below_or_eq;
use crate::sampling::strata::rows_phrase;
use crate::sampling::validate::probabilities;
use crate::sampling::{OUT_OF_SCOPE, Sample, Strata};
use flight::Flight;

/// Order in which the units enter the flight phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CubeOrder {
    /// A uniformly random permutation of the frame (R `fastflightcube(order = 1)`): avoids
    /// zero joint inclusion probabilities tied to the frame order. Default.
    #[default]
    Random,
    /// Frame order.
    Frame,
}

/// Options of the cube method.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CubeOptions {
    /// Order of the units in the flight phase.
    pub order: CubeOrder,
}

/// Draws a balanced sample by the stratified cube method.
///
/// `pi` holds π_k for every frame row (0 < π_k ≤ 1 in scope; certainty units are taken
/// directly), with Σ_{k∈h} π_k = n_h an integer for fixed stratum sizes.
///
/// # Errors
/// π out of (0, 1] in scope; a missing or non-finite balancing value, naming the column and
/// rows.
pub fn select_cube(
    pi: &[f64],
    strata: &Strata,
    balance: &[BalanceVar<'_>],
    options: &CubeOptions,
    rng: &mut ChaCha8Rng,
    progress: Option<&ProgressBar>,
) -> Result<(Sample, BalanceReport)> {
    let codes = strata.codes();
    check_inputs(pi, codes)?;
    let cols = balance::expand(balance, codes)?;
    let order = visiting_order(codes, options.order, rng);
    let x = Scaled { cols: &cols, pi };
    let mut out = Outcome::new(codes, strata.n_strata());
    let (mut flights, mut moves) = fly_strata(&x, &order, &mut out, rng, progress);
    let size_drift = correct_drift(&mut flights, pi, &mut out);
    let landing = fly_union(&x, &flights, &mut out, rng);
    moves += landing.moves;
    let dropped_in_landing = landing
        .dropped_rows
        .iter()
        .map(|&r| match landing.active.get(r) {
            Some(&h) => format!("stratum={}", strata.labels()[h]),
            None => cols[r - landing.active.len()].label(),
        })
        .collect();
    let rows: Vec<usize> = (0..codes.len()).filter(|&k| out.selected[k]).collect();
    let sample = Sample::from_rows(rows, strata, |r| pi[r]);
    let report = BalanceReport {
        checks: balance::checks(&cols, pi, codes, &sample),
        landing_units: landing.units,
        dropped_in_landing,
        moves,
        order: match options.order {
            CubeOrder::Random => "random".into(),
            CubeOrder::Frame => "frame".into(),
        },
        size_drift_corrected: size_drift,
        landing_method: "suppression of variables (last listed dropped first, stratum sizes last)",
    };
    Ok((sample, report))
}

/// π > 0 in scope (the method balances on x/π) and a frame small enough for `u32` rows.
fn check_inputs(pi: &[f64], codes: &[u32]) -> Result<()> {
    probabilities(pi, codes)?;
    let zero: Vec<usize> =
        (0..pi.len()).filter(|&k| codes[k] != OUT_OF_SCOPE && pi[k] == 0.0).collect();
    if !zero.is_empty() {
        return Err(Error::method(
            "sampling",
            format!(
                "the cube method needs π > 0 for every unit in scope (it balances on x/π); π = 0 \
                 at {}: filter these rows out of the scope",
                rows_phrase(&zero)
            ),
        ));
    }
    if codes.len() > u32::MAX as usize {
        return Err(Error::method(
            "sampling",
            format!(
                "frame of {} rows is too large for the cube method (max {})",
                codes.len(),
                u32::MAX
            ),
        ));
    }
    Ok(())
}

/// The balancing columns divided by π: a_k = x_k / π_k.
struct Scaled<'c, 'a> {
    cols: &'c [balance::BalanceColumn<'a>],
    pi: &'c [f64],
}

impl Scaled<'_, '_> {
    fn width(&self) -> usize {
        self.cols.len()
    }

    fn fill(&self, k: usize, dst: &mut [f64]) {
        for (o, c) in dst.iter_mut().zip(self.cols) {
            *o = c.value(k) / self.pi[k];
        }
    }
}

/// Stage 1: flight within each stratum on (1, x/π). Strata are independent: each flies on
/// its own units (in the visiting order) with its own ChaCha8 generator seeded from `rng`
/// in stratum order, in parallel; decisions are applied in stratum order, so the sample
/// does not depend on the thread count. Certainty units (π ≥ 1) are taken directly.
/// Returns the flights (with their undecided units) and the number of moves.
fn fly_strata(
    x: &Scaled<'_, '_>,
    order: &[u32],
    out: &mut Outcome<'_>,
    rng: &mut ChaCha8Rng,
    progress: Option<&ProgressBar>,
) -> (Vec<Flight>, u64) {
    let (pi, p) = (x.pi, x.width());
    let mut units: Vec<Vec<u32>> = vec![Vec::new(); out.selected_h.len()];
    for &k in order {
        if pi[k as usize] >= 1.0 {
            out.record(k as usize, true);
        } else {
            units[out.codes[k as usize] as usize].push(k);
        }
    }
    let seeds: Vec<[u8; 32]> = (0..units.len()).map(|_| rng.random()).collect();
    let stage1: Vec<(Flight, Vec<(usize, bool)>)> = units
        .par_iter()
        .zip(seeds.par_iter())
        .map(|(units, seed)| {
            let mut rng = ChaCha8Rng::from_seed(*seed);
            let mut f = Flight::new(1 + p);
            let mut decided = Vec::new();
            let mut buf = vec![0.0; 1 + p];
            let mut ticker = Ticker::new(progress, "cube");
            for &k in units {
                ticker.tick();
                let k = k as usize;
                buf[0] = 1.0;
                x.fill(k, &mut buf[1..]);
                f.push(k, pi[k], &buf);
                f.fly_while_full(&mut rng, &mut |k, s| decided.push((k, s)));
            }
            f.fly_to_end(&mut rng, &mut |k, s| decided.push((k, s)));
            (f, decided)
        })
        .collect();
    let mut moves = 0;
    let mut flights = Vec::with_capacity(stage1.len());
    for (f, decided) in stage1 {
        for (k, s) in decided {
            out.record(k, s);
        }
        moves += f.steps;
        flights.push(f);
    }
    (flights, moves)
}

/// Each stratum's remaining π must sum to Σ_h π − (units already selected) exactly: removes
/// the rounding drift of the many moves (see `Flight::correct_sum`). Returns the largest
/// correction.
fn correct_drift(flights: &mut [Flight], pi: &[f64], out: &mut Outcome<'_>) -> f64 {
    let targets = stratum_sums(pi, out.codes, flights.len());
    let mut size_drift = 0.0f64;
    for (h, f) in flights.iter_mut().enumerate() {
        if f.len() > 0 {
            let target = targets[h] - out.selected_h[h] as f64;
            size_drift = size_drift.max(f.correct_sum(target, &mut |k, s| out.record(k, s)));
        }
    }
    size_drift
}

/// What stage 2 did.
struct Landing {
    /// Strata that still had fractional units (the first rows of the union's constraints).
    active: Vec<usize>,
    /// Units still fractional after the union's flight.
    units: usize,
    /// Constraint rows dropped by the landing phase, in order.
    dropped_rows: Vec<usize>,
    /// Moves of the union's flight and landing.
    moves: u64,
}

/// Stage 2: flight on the union of the remaining units on (stratum indicators, x/π), then
/// landing by suppression of variables.
fn fly_union(
    x: &Scaled<'_, '_>,
    flights: &[Flight],
    out: &mut Outcome<'_>,
    rng: &mut ChaCha8Rng,
) -> Landing {
    let active: Vec<usize> = (0..flights.len()).filter(|&h| flights[h].len() > 0).collect();
    let width = active.len() + x.width();
    let mut union = Flight::new(width);
    let mut buf = vec![0.0; width];
    for (slot, &h) in active.iter().enumerate() {
        for (k, pk) in flights[h].remaining() {
            buf.iter_mut().take(active.len()).for_each(|v| *v = 0.0);
            buf[slot] = 1.0;
            x.fill(k, &mut buf[active.len()..]);
            union.push(k, pk, &buf);
            union.fly_while_full(rng, &mut |k, s| out.record(k, s));
        }
    }
    union.fly_to_end(rng, &mut |k, s| out.record(k, s));
    let units = union.len();
    let dropped_rows = union.land(rng, &mut |k, s| out.record(k, s));
    Landing { active, units, dropped_rows, moves: union.steps }
}

/// Final 0/1 outcome of every unit, and the number selected per stratum.
struct Outcome<'a> {
    codes: &'a [u32],
    selected: Vec<bool>,
    selected_h: Vec<u64>,
}

impl<'a> Outcome<'a> {
    fn new(codes: &'a [u32], n_strata: usize) -> Outcome<'a> {
        Outcome { codes, selected: vec![false; codes.len()], selected_h: vec![0; n_strata] }
    }

    fn record(&mut self, k: usize, selected: bool) {
        self.selected[k] = selected;
        if selected {
            self.selected_h[self.codes[k] as usize] += 1;
        }
    }
}

/// Σ_{k∈h} π_k, taken as the nearest integer when within 1e-6 of it (the usual case: π
/// computed with an integer n_h).
fn stratum_sums(pi: &[f64], codes: &[u32], n_strata: usize) -> Vec<f64> {
    let mut sum = vec![0.0; n_strata];
    for (&c, &p) in codes.iter().zip(pi) {
        if c != OUT_OF_SCOPE {
            sum[c as usize] += p;
        }
    }
    sum.into_iter().map(|s: f64| if (s - s.round()).abs() < 1e-6 { s.round() } else { s }).collect()
}

/// In-scope rows in the flight order.
fn visiting_order(codes: &[u32], order: CubeOrder, rng: &mut ChaCha8Rng) -> Vec<u32> {
    let mut rows: Vec<u32> =
        (0..codes.len() as u32).filter(|&k| codes[k as usize] != OUT_OF_SCOPE).collect();
    if order == CubeOrder::Random {
        // Fisher–Yates.
        for i in (1..rows.len()).rev() {
            let j = below_or_eq(rng, i as u64) as usize;
            rows.swap(i, j);
        }
    }
    rows
}
