//! Allocation of the sample size over strata.
//!
//! Steps, in this order:
//! 1. method share b_h: equal (1), proportional (N_h), Neyman (N_h S_h), optimal under cost
//!    (N_h S_h / √c_h) — Cochran (1977) §5.5, §5.9; Särndal, Swensson & Wretman (1992) §3.7;
//! 2. over-representation factor o_h: b_h ← o_h b_h;
//! 3. anticipated response rate r_h: the *respondent* allocation is ∝ o_h b_h, so the drawn
//!    allocation is ∝ o_h b_h / r_h. With [`SizeBasis::Drawn`] `n` is the number drawn; with
//!    [`SizeBasis::Respondents`] `n` is the number of respondents wanted and the number drawn
//!    is ⌈Σ_h m_h / r_h⌉ with m_h = n · o_h b_h / Σ_k o_k b_k;
//! 4. bounds l_h ≤ n_h ≤ u_h with l_h = `min` (default 1) and u_h = min(`max`, N_h): the
//!    unrounded allocation is x_h = clamp(λ w_h, l_h, u_h) with λ such that Σ x_h = n. This is
//!    the fixed point of the usual "take-all, then re-allocate the rest" iteration: strata
//!    capped at N_h (take-all) or at `max`, and strata raised to `min`, are fixed and the
//!    others share what is left in proportion to w_h;
//! 5. largest-remainder rounding, which keeps Σ n_h = n and the bounds.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::sampling::rounding::round_largest_remainder;

/// How the shares of the strata are computed.
#[derive(Debug, Clone, PartialEq)]
pub enum AllocationMethod {
    /// Sizes given per stratum (drawn sizes); `n` must be their sum.
    Given(Vec<u64>),
    /// n_h ∝ 1.
    Equal,
    /// n_h ∝ N_h.
    Proportional,
    /// n_h ∝ N_h S_h (Neyman). `sd` = S_h per stratum, e.g. from [`stratum_sd`].
    Neyman {
        /// S_h per stratum.
        sd: Vec<f64>,
    },
    /// n_h ∝ N_h S_h / √c_h (optimal for a fixed total size under per-unit costs c_h).
    Optimal {
        /// S_h per stratum.
        sd: Vec<f64>,
        /// Cost c_h of one unit per stratum.
        cost: Vec<f64>,
    },
}

impl AllocationMethod {
    fn name(&self) -> &'static str {
        match self {
            AllocationMethod::Given(_) => "given",
            AllocationMethod::Equal => "equal",
            AllocationMethod::Proportional => "proportional",
            AllocationMethod::Neyman { .. } => "neyman",
            AllocationMethod::Optimal { .. } => "optimal",
        }
    }
}

/// What `n` counts when response rates are given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SizeBasis {
    /// `n` units are drawn (exactly); response rates only shift the shares.
    #[default]
    Drawn,
    /// `n` respondents are expected; the number drawn is ⌈Σ m_h / r_h⌉.
    Respondents,
}

/// Everything the allocation needs besides the stratum sizes. Per-stratum vectors are aligned
/// on the strata; an empty vector means the default for every stratum.
#[derive(Debug, Clone, PartialEq)]
pub struct AllocationSpec {
    /// Total sample size (see `basis`).
    pub n: u64,
    /// Share of each stratum.
    pub method: AllocationMethod,
    /// Whether `n` is drawn units or expected respondents.
    pub basis: SizeBasis,
    /// Anticipated response rate r_h in (0, 1]; default 1.
    pub response_rate: Vec<f64>,
    /// Over-representation factor o_h > 0; default 1.
    pub oversample: Vec<f64>,
    /// Minimum drawn size l_h; default 1 (use 2 to estimate variances within every stratum).
    pub min: Vec<u64>,
    /// Maximum drawn size; default none (N_h is always a maximum).
    pub max: Vec<Option<u64>>,
}

impl AllocationSpec {
    /// `n` units with `method`, no response rates, no over-representation, `min` 1, no `max`.
    pub fn new(n: u64, method: AllocationMethod) -> AllocationSpec {
        AllocationSpec {
            n,
            method,
            basis: SizeBasis::Drawn,
            response_rate: Vec::new(),
            oversample: Vec::new(),
            min: Vec::new(),
            max: Vec::new(),
        }
    }
}

/// Which bound fixed a stratum's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BoundHit {
    /// n_h = N_h: every unit of the stratum is drawn.
    TakeAll,
    /// n_h = `max`.
    Max,
    /// n_h = `min`.
    Min,
}

/// Allocation of one stratum.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StratumAllocation {
    /// Stratum label.
    pub label: String,
    /// In-scope size N_h.
    pub pop_size: u64,
    /// Drawn size the method gives before bounds and rounding: n w_h / Σ w.
    pub share: f64,
    /// Drawn size after bounds, before rounding (the "allocation before rounding").
    pub unrounded: f64,
    /// Drawn size n_h (integer, Σ n_h = n).
    pub n: u64,
    /// Anticipated response rate r_h.
    pub response_rate: f64,
    /// Expected respondents n_h r_h.
    pub expected_respondents: f64,
    /// The bound that fixed n_h, if any.
    pub bound: Option<BoundHit>,
}

/// Result of [`allocate`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Allocation {
    /// Method name (`proportional`, `neyman`...).
    pub method: &'static str,
    /// What `n` counted in the specification.
    pub basis: SizeBasis,
    /// Total drawn size Σ n_h.
    pub n: u64,
    /// One entry per stratum, in stratum order.
    pub strata: Vec<StratumAllocation>,
}

impl Allocation {
    /// Drawn sizes n_h.
    pub fn sizes(&self) -> Vec<u64> {
        self.strata.iter().map(|s| s.n).collect()
    }
}

/// Allocates `spec.n` over strata of sizes `pop_sizes` (labels for messages and the report).
///
/// # Errors
/// `Error::Method("sampling", ..)` naming the stratum: empty stratum (N_h = 0); n larger than
/// the frame; a given n_h > N_h; S_h, cost, response rate or factor out of range; bounds that
/// cannot hold (`min` > N_h, `min` > `max`, Σ min > n or Σ min(max, N_h) < n, saying by how
/// much).
pub fn allocate(pop_sizes: &[u64], labels: &[String], spec: &AllocationSpec) -> Result<Allocation> {
    let h_count = pop_sizes.len();
    check_inputs(pop_sizes, labels, spec)?;
    let rates = or_default(&spec.response_rate, h_count, 1.0);
    let lower: Vec<u64> = if spec.min.is_empty() { vec![1; h_count] } else { spec.min.clone() };
    let upper: Vec<u64> = (0..h_count)
        .map(|h| match spec.max.get(h).copied().flatten() {
            Some(m) => m.min(pop_sizes[h]),
            None => pop_sizes[h],
        })
        .collect();

    let (share, unrounded, total) = match &spec.method {
        AllocationMethod::Given(sizes) => {
            check_given(sizes, pop_sizes, labels, &lower, &upper, spec.n)?;
            let x: Vec<f64> = sizes.iter().map(|&v| v as f64).collect();
            (x.clone(), x, spec.n)
        }
        method => {
            let base = base_shares(method, pop_sizes, labels)?;
            let factors = or_default(&spec.oversample, h_count, 1.0);
            let resp_w: Vec<f64> = base.iter().zip(&factors).map(|(b, o)| b * o).collect();
            let drawn_w: Vec<f64> = resp_w.iter().zip(&rates).map(|(w, r)| w / r).collect();
            let total = drawn_total(spec, &resp_w, &rates);
            check_total(total, pop_sizes, labels, &lower, &upper)?;
            let w_sum: f64 = drawn_w.iter().sum();
            let share = drawn_w.iter().map(|w| total as f64 * w / w_sum).collect();
            let x = clamp_allocation(&drawn_w, &lower, &upper, total, labels)?;
            (share, x, total)
        }
    };
    let n = round_largest_remainder(&unrounded, total, &upper)?;
    let strata = (0..h_count)
        .map(|h| StratumAllocation {
            label: labels[h].clone(),
            pop_size: pop_sizes[h],
            share: share[h],
            unrounded: unrounded[h],
            n: n[h],
            response_rate: rates[h],
            expected_respondents: n[h] as f64 * rates[h],
            bound: bound_hit(share[h], unrounded[h], lower[h], upper[h], pop_sizes[h]),
        })
        .collect();
    Ok(Allocation { method: spec.method.name(), basis: spec.basis, n: total, strata })
}

/// Standard deviation S_h of `values` within each stratum, divisor N_h − 1 (R `sd()`), over the
/// in-scope rows.
///
/// # Errors
/// A missing (NaN) or infinite value in scope, naming the rows; a stratum with N_h < 2.
pub fn stratum_sd(
    values: &[f64],
    strata: &crate::sampling::Strata,
    column: &str,
) -> Result<Vec<f64>> {
    let codes = strata.codes();
    crate::sampling::validate::finite_in_scope(values, codes, column)?;
    let h_count = strata.n_strata();
    // Two passes (mean, then squared deviations) for accuracy on large strata.
    let mut sum = vec![0.0; h_count];
    for (&c, &v) in codes.iter().zip(values) {
        if c != crate::sampling::OUT_OF_SCOPE {
            sum[c as usize] += v;
        }
    }
    let sizes = strata.sizes();
    let mean: Vec<f64> = sum.iter().zip(sizes).map(|(s, &n)| s / n as f64).collect();
    let mut ss = vec![0.0; h_count];
    for (&c, &v) in codes.iter().zip(values) {
        if c != crate::sampling::OUT_OF_SCOPE {
            let d = v - mean[c as usize];
            ss[c as usize] += d * d;
        }
    }
    (0..h_count)
        .map(|h| {
            if sizes[h] < 2 {
                Err(Error::method(
                    "sampling",
                    format!(
                        "stratum `{}` has {} unit(s) in scope: S_h of `{column}` needs at least \
                         2; merge it with a neighbouring stratum or give S_h explicitly",
                        strata.labels()[h],
                        sizes[h]
                    ),
                ))
            } else {
                Ok((ss[h] / (sizes[h] - 1) as f64).sqrt())
            }
        })
        .collect()
}

/// The per-stratum value of a frame column that is constant within strata (e.g. YAML
/// `cost: cost_h`, a per-unit interview cost by stratum).
///
/// # Errors
/// A missing value, or two different values in one stratum (naming it and the rows).
pub fn stratum_constant(
    values: &[f64],
    strata: &crate::sampling::Strata,
    column: &str,
) -> Result<Vec<f64>> {
    let codes = strata.codes();
    crate::sampling::validate::finite_in_scope(values, codes, column)?;
    let mut first: Vec<Option<(usize, f64)>> = vec![None; strata.n_strata()];
    for (k, (&c, &v)) in codes.iter().zip(values).enumerate() {
        if c == crate::sampling::OUT_OF_SCOPE {
            continue;
        }
        match first[c as usize] {
            None => first[c as usize] = Some((k, v)),
            Some((k0, v0)) if v0 != v => {
                return Err(method_err(format!(
                    "`{column}` must be constant within each stratum, but stratum `{}` has {v0} \
                     at row {} and {v} at row {}",
                    strata.labels()[c as usize],
                    k0 + 1,
                    k + 1
                )));
            }
            Some(_) => {}
        }
    }
    first
        .iter()
        .enumerate()
        .map(|(h, f)| {
            f.map(|(_, v)| v).ok_or_else(|| {
                method_err(format!("stratum `{}` is empty (no unit in scope)", strata.labels()[h]))
            })
        })
        .collect()
}

fn or_default(v: &[f64], len: usize, default: f64) -> Vec<f64> {
    if v.is_empty() { vec![default; len] } else { v.to_vec() }
}

fn method_err(msg: String) -> Error {
    Error::method("sampling", msg)
}

fn check_inputs(pop_sizes: &[u64], labels: &[String], spec: &AllocationSpec) -> Result<()> {
    let h_count = pop_sizes.len();
    if h_count == 0 || labels.len() != h_count {
        return Err(Error::Internal(format!(
            "allocation over {h_count} strata with {} labels",
            labels.len()
        )));
    }
    if let Some(h) = pop_sizes.iter().position(|&n| n == 0) {
        return Err(method_err(format!(
            "stratum `{}` is empty (no unit in scope): drop it from the stratification or \
             widen the scope",
            labels[h]
        )));
    }
    let lens = [
        ("response_rate", spec.response_rate.len()),
        ("oversample", spec.oversample.len()),
        ("min", spec.min.len()),
        ("max", spec.max.len()),
    ];
    for (name, len) in lens {
        if len != 0 && len != h_count {
            return Err(Error::Internal(format!("`{name}` has {len} values for {h_count} strata")));
        }
    }
    for (h, &r) in spec.response_rate.iter().enumerate() {
        if !(r > 0.0 && r <= 1.0) {
            return Err(method_err(format!(
                "anticipated response rate of stratum `{}` is {r}: it must be in (0, 1]",
                labels[h]
            )));
        }
    }
    for (h, &o) in spec.oversample.iter().enumerate() {
        if !(o > 0.0 && o.is_finite()) {
            return Err(method_err(format!(
                "over-representation factor of stratum `{}` is {o}: it must be a positive number",
                labels[h]
            )));
        }
    }
    for h in 0..h_count {
        let lo = spec.min.get(h).copied().unwrap_or(1);
        let max = spec.max.get(h).copied().flatten();
        if let Some(m) = max
            && lo > m
        {
            return Err(method_err(format!(
                "stratum `{}`: min = {lo} exceeds max = {m}; lower `min` or raise `max`",
                labels[h]
            )));
        }
        if lo > pop_sizes[h] {
            return Err(method_err(format!(
                "stratum `{}` has N_h = {} units in scope, fewer than min = {lo}: merge it with a \
                 neighbouring stratum or lower `min`",
                labels[h], pop_sizes[h]
            )));
        }
    }
    Ok(())
}

fn check_given(
    sizes: &[u64],
    pop_sizes: &[u64],
    labels: &[String],
    lower: &[u64],
    upper: &[u64],
    n: u64,
) -> Result<()> {
    if sizes.len() != pop_sizes.len() {
        return Err(Error::Internal(format!(
            "{} given sizes for {} strata",
            sizes.len(),
            pop_sizes.len()
        )));
    }
    for h in 0..sizes.len() {
        if sizes[h] > pop_sizes[h] {
            return Err(method_err(format!(
                "stratum `{}`: n_h = {} exceeds N_h = {} units in scope; lower n_h to at most {}",
                labels[h], sizes[h], pop_sizes[h], pop_sizes[h]
            )));
        }
        if sizes[h] > upper[h] {
            return Err(method_err(format!(
                "stratum `{}`: given n_h = {} exceeds max = {}",
                labels[h], sizes[h], upper[h]
            )));
        }
        if sizes[h] < lower[h] {
            return Err(method_err(format!(
                "stratum `{}`: given n_h = {} is below min = {}",
                labels[h], sizes[h], lower[h]
            )));
        }
    }
    let sum: u64 = sizes.iter().sum();
    if sum != n {
        return Err(method_err(format!(
            "the given stratum sizes sum to {sum}, but n = {n}: make them agree (or leave n out)"
        )));
    }
    Ok(())
}

fn base_shares(method: &AllocationMethod, pop: &[u64], labels: &[String]) -> Result<Vec<f64>> {
    let check = |what: &str, v: &[f64], positive: bool| -> Result<()> {
        if v.len() != pop.len() {
            return Err(Error::Internal(format!(
                "{what}: {} values for {} strata",
                v.len(),
                pop.len()
            )));
        }
        for (h, &x) in v.iter().enumerate() {
            let ok = x.is_finite() && if positive { x > 0.0 } else { x >= 0.0 };
            if !ok {
                let need = if positive { "a positive number" } else { "a number ≥ 0" };
                return Err(method_err(format!(
                    "{what} of stratum `{}` is {x}: it must be {need}",
                    labels[h]
                )));
            }
        }
        Ok(())
    };
    let base: Vec<f64> = match method {
        AllocationMethod::Equal => vec![1.0; pop.len()],
        AllocationMethod::Proportional => pop.iter().map(|&n| n as f64).collect(),
        AllocationMethod::Neyman { sd } => {
            check("S_h", sd, false)?;
            pop.iter().zip(sd).map(|(&n, s)| n as f64 * s).collect()
        }
        AllocationMethod::Optimal { sd, cost } => {
            check("S_h", sd, false)?;
            check("cost", cost, true)?;
            (0..pop.len()).map(|h| pop[h] as f64 * sd[h] / cost[h].sqrt()).collect()
        }
        AllocationMethod::Given(_) => return Err(Error::Internal("base_shares(Given)".into())),
    };
    if base.iter().sum::<f64>() <= 0.0 {
        return Err(method_err(
            "every stratum has S_h = 0: Neyman/optimal allocation is undefined; use \
             proportional allocation or another variable"
                .into(),
        ));
    }
    Ok(base)
}

fn drawn_total(spec: &AllocationSpec, resp_w: &[f64], rates: &[f64]) -> u64 {
    match spec.basis {
        SizeBasis::Drawn => spec.n,
        SizeBasis::Respondents => {
            let w_sum: f64 = resp_w.iter().sum();
            let drawn: f64 =
                resp_w.iter().zip(rates).map(|(w, r)| spec.n as f64 * w / w_sum / r).sum();
            // A drawn total that is an integer up to rounding error stays that integer.
            (drawn - 1e-9).ceil().max(0.0) as u64
        }
    }
}

fn check_total(
    total: u64,
    pop: &[u64],
    labels: &[String],
    lower: &[u64],
    upper: &[u64],
) -> Result<()> {
    let frame: u64 = pop.iter().sum();
    if total > frame {
        return Err(method_err(format!(
            "n = {total} exceeds the frame size N = {frame} (units in scope): lower n or widen \
             the scope"
        )));
    }
    let lo: u64 = lower.iter().sum();
    if lo > total {
        return Err(method_err(format!(
            "allocation impossible: the minimum sizes sum to {lo} > n = {total} (over by {}) \
             across {} strata; lower `min` or raise n",
            lo - total,
            labels.len()
        )));
    }
    let hi: u64 = upper.iter().sum();
    if hi < total {
        let capped: Vec<&str> = (0..pop.len())
            .filter(|&h| upper[h] < pop[h])
            .map(|h| labels[h].as_str())
            .take(10)
            .collect();
        return Err(method_err(format!(
            "allocation impossible: the maximum sizes (max, or N_h) sum to {hi} < n = {total} \
             (short by {}); raise `max` (capped strata: {}) or lower n",
            total - hi,
            if capped.is_empty() { "none".to_string() } else { capped.join(", ") }
        )));
    }
    Ok(())
}

/// x_h = clamp(λ w_h, l_h, u_h) with Σ x_h = n (see module docs). f(λ) = Σ clamp(..) is
/// continuous, non-decreasing and piecewise linear with breakpoints l_h/w_h and u_h/w_h: find
/// the segment where it reaches n, then solve on it with the free strata's weights, which gives
/// R's `n w_h / Σ w` arithmetic when no bound binds.
fn clamp_allocation(
    w: &[f64],
    lower: &[u64],
    upper: &[u64],
    n: u64,
    labels: &[String],
) -> Result<Vec<f64>> {
    let h_count = w.len();
    let f = |lambda: f64| -> f64 {
        (0..h_count).map(|h| (lambda * w[h]).clamp(lower[h] as f64, upper[h] as f64)).sum()
    };
    let mut breaks: Vec<f64> = (0..h_count)
        .filter(|&h| w[h] > 0.0)
        .flat_map(|h| [lower[h] as f64 / w[h], upper[h] as f64 / w[h]])
        .collect();
    breaks.sort_by(f64::total_cmp);
    breaks.dedup();
    let target = n as f64;
    let tol = 1e-9 * target.max(1.0);
    let mut prev = 0.0;
    let mut hi = None;
    for &b in &breaks {
        if f(b) >= target - tol {
            hi = Some(b);
            break;
        }
        prev = b;
    }
    let Some(hi) = hi else {
        let zero: Vec<&str> =
            (0..h_count).filter(|&h| w[h] == 0.0).map(|h| labels[h].as_str()).take(10).collect();
        return Err(method_err(format!(
            "allocation impossible: the strata with a positive share are all at their maximum \
             and the remaining units would go to strata with a zero share ({}); give them a \
             positive S_h or lower n",
            zero.join(", ")
        )));
    };
    let mid = 0.5 * (prev + hi);
    let mut x = vec![0.0; h_count];
    let mut free = Vec::new();
    let mut fixed_sum = 0.0;
    for h in 0..h_count {
        let v = mid * w[h];
        if v <= lower[h] as f64 {
            x[h] = lower[h] as f64;
        } else if v >= upper[h] as f64 {
            x[h] = upper[h] as f64;
        } else {
            free.push(h);
            continue;
        }
        fixed_sum += x[h];
    }
    let w_free: f64 = free.iter().map(|&h| w[h]).sum();
    let rest = target - fixed_sum;
    for &h in &free {
        x[h] = rest * w[h] / w_free;
    }
    Ok(x)
}

fn bound_hit(share: f64, x: f64, lower: u64, upper: u64, pop: u64) -> Option<BoundHit> {
    let at = |b: u64| (x - b as f64).abs() < 1e-9;
    if at(pop) {
        Some(BoundHit::TakeAll)
    } else if at(upper) && share > x {
        Some(BoundHit::Max)
    } else if at(lower) && share < x {
        Some(BoundHit::Min)
    } else {
        None
    }
}
