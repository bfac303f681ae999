//! Newton iterations of the logistic fit, and the one-pass evaluation of g and H.
//!
//! # Step acceptance without the deviance
//! The line search needs to know that a full Newton step δ does not decrease ℓ. Writing
//! ψ(η) = log(1 + e^η), ℓ(β + δ) − ℓ(β) = gᵀδ − ½ δᵀHδ − (1/6) Σ w_k ψ'''(ξ_k) Δη_k³ with
//! Δη = Xδ. For the Newton step gᵀδ = δᵀHδ = λ² (the decrement), |ψ'''| ≤ 1/(6√3), and
//! Σ w |Δη|³ ≤ M λ² with M = max_k |Δη_k| / v_k, v_k = p_k(1 − p_k) at β. Hence
//! ℓ(β + δ) − ℓ(β) ≥ λ² (½ − M/(36√3)) > 0 whenever M < 31; the pass at β + δ computes M
//! for free (it needs η anyway) and the step is accepted when M ≤ 30 without evaluating the
//! deviance (which would cost a logarithm per unit). Otherwise the classic step-halving on
//! the deviance D = −2ℓ is used. The convergence scale |D| + 0.1 uses D at the starting
//! point (D only falls, so this is at most as strict as R's rule on the current D).

use super::model_matrix::ModelMatrix;
use nalgebra::{DMatrix, DVector};

/// The fit set: rows with positive weight, their outcome and weight — or covariate
/// patterns ([`FitSet::patterns`]): a representative row, the share of events and the
/// summed weight.
pub(crate) struct FitSet<'x, 'a> {
    pub x: &'x ModelMatrix<'a>,
    pub rows: Vec<u32>,
    pub y: Vec<f64>,
    pub w: Vec<f64>,
}

/// Gradient and information matrix (R order, H full p × p) at one β, with v = p(1 − p)
/// per fit row for the next acceptance test.
pub(crate) struct Pass {
    /// Deviance at β, when requested.
    dev: Option<f64>,
    g: Vec<f64>,
    h: Vec<f64>,
    v: Vec<f64>,
    /// max_k |x_kᵀδ| / v_k(previous) for the step δ from the previous pass, when given.
    m: f64,
}

impl Pass {
    /// Information matrix (R order, row-major p × p).
    pub fn h(&self) -> &[f64] {
        &self.h
    }
}

/// Why Newton stopped without converging.
pub(crate) enum Failure {
    /// The information matrix of the kept columns is not positive definite.
    Singular,
    /// `max_iterations` reached.
    NotConverged,
}

impl<'x, 'a> FitSet<'x, 'a> {
    /// The same fit on covariate patterns: for each pattern with positive weight, its
    /// representative row, W = Σ w and y = Σ w y / W. The log-likelihood, gradient and
    /// information are the unit-level ones summed by pattern (binary y), so Newton gives the
    /// same β; each pass costs O(patterns). Returns `None` when that would not be at least
    /// twice smaller.
    pub fn patterns(&self) -> Option<FitSet<'x, 'a>> {
        let (pattern, representative) = self.x.patterns();
        let np = representative.len();
        if 2 * np > self.rows.len() {
            return None;
        }
        let (mut w, mut wy) = (vec![0.0; np], vec![0.0; np]);
        for (k, &i) in self.rows.iter().enumerate() {
            let p = pattern[i as usize] as usize;
            w[p] += self.w[k];
            wy[p] += self.w[k] * self.y[k];
        }
        let keep: Vec<usize> = (0..np).filter(|&p| w[p] > 0.0).collect();
        Some(FitSet {
            x: self.x,
            rows: keep.iter().map(|&p| representative[p]).collect(),
            y: keep.iter().map(|&p| wy[p] / w[p]).collect(),
            w: keep.iter().map(|&p| w[p]).collect(),
        })
    }
}

impl FitSet<'_, '_> {
    /// One pass at β (R order) computing g, H and v, and D when `with_dev`; `prev` =
    /// (previous pass, step δ from it to β) for the acceptance statistic M.
    pub fn pass(&self, beta: &[f64], prev: Option<(&Pass, &[f64])>, with_dev: bool) -> Pass {
        let x = self.x;
        let p = x.p;
        let b = x.to_internal(beta);
        let delta = prev.map(|(_, d)| x.to_internal(d));
        let (mut g, mut h) = (vec![0.0; p], vec![0.0; p * p]);
        let mut vs = Vec::with_capacity(self.rows.len());
        let (mut m, mut dev) = (0.0f64, 0.0);
        for (k, &i) in self.rows.iter().enumerate() {
            let eta = x.eta(i as usize, &b);
            if let (Some((pr, _)), Some(d)) = (prev, &delta) {
                m = m.max(x.eta(i as usize, d).abs() / pr.v[k]);
            }
            // e = exp(−|η|) gives p = 1/(1 + e) or e/(1 + e) without overflow.
            let e = (-eta.abs()).exp();
            let mu = if eta >= 0.0 { 1.0 / (1.0 + e) } else { e / (1.0 + e) };
            let v = mu * (1.0 - mu);
            let (y, w) = (self.y[k], self.w[k]);
            if with_dev {
                // y may be a share of events (a covariate pattern); for y = 0 or 1 this is
                // exactly the per-unit term.
                dev += w * (y * (-eta).max(0.0) + (1.0 - y) * eta.max(0.0) + e.ln_1p());
            }
            x.accumulate(i as usize, w * (y - mu), w * v, &mut g, &mut h);
            vs.push(v);
        }
        for a in 0..p {
            for b in 0..a {
                h[a * p + b] = h[b * p + a];
            }
        }
        Pass { dev: with_dev.then_some(2.0 * dev), g: x.vec_to_r(&g), h: x.mat_to_r(&h), v: vs, m }
    }

    /// Deviance D = −2ℓ at β (R order).
    pub fn deviance(&self, beta: &[f64]) -> f64 {
        let b = self.x.to_internal(beta);
        let mut d = 0.0;
        for (k, &i) in self.rows.iter().enumerate() {
            let eta = self.x.eta(i as usize, &b);
            // −log p = max(−η, 0) + log1p(e^{−|η|}); −log(1 − p) = max(η, 0) + log1p(e^{−|η|}).
            let l1p = (-eta.abs()).exp().ln_1p();
            let y = self.y[k];
            let s = y * (-eta).max(0.0) + (1.0 - y) * eta.max(0.0);
            d += self.w[k] * (s + l1p);
        }
        2.0 * d
    }
}

/// Newton iterations on the kept columns from `cur` (the pass at β). Returns the number of
/// iterations.
pub(crate) fn newton(
    set: &FitSet<'_, '_>,
    kept: &[usize],
    beta: &mut [f64],
    mut cur: Pass,
    tolerance: f64,
    max_iterations: usize,
) -> Result<usize, Failure> {
    let (p, q) = (set.x.p, kept.len());
    let mut dev: Option<f64> = cur.dev;
    let scale = dev.unwrap_or_else(|| set.deviance(beta)).abs() + 0.1;
    for iter in 1..=max_iterations {
        let g = DVector::from_iterator(q, kept.iter().map(|&j| cur.g[j]));
        let h = DMatrix::from_fn(q, q, |a, b| cur.h[kept[a] * p + kept[b]]);
        let chol = h.cholesky().ok_or(Failure::Singular)?;
        let step = chol.solve(&g);
        let decrement = g.dot(&step);
        let shifted = |t: f64| {
            let mut trial = beta.to_vec();
            for (a, &j) in kept.iter().enumerate() {
                trial[j] += t * step[a];
            }
            trial
        };
        if decrement.abs() <= tolerance * scale {
            // √decrement is the step's H-norm: D moves by about `decrement`, below tolerance.
            beta.copy_from_slice(&shifted(1.0));
            return Ok(iter);
        }
        let trial = shifted(1.0);
        let full_step: Vec<f64> = trial.iter().zip(beta.iter()).map(|(t, b)| t - b).collect();
        let next = set.pass(&trial, Some((&cur, &full_step)), false);
        if next.m <= 30.0 {
            beta.copy_from_slice(&trial);
            cur = next;
            dev = None;
            continue;
        }
        // Step-halving on the deviance.
        let d0 = dev.unwrap_or_else(|| set.deviance(beta));
        let mut t = 1.0;
        loop {
            let trial = shifted(t);
            let dt = set.deviance(&trial);
            if dt.is_finite() && dt <= d0 + 1e-12 * d0.abs() || t < 1e-10 {
                beta.copy_from_slice(&trial);
                dev = Some(dt);
                break;
            }
            t *= 0.5;
        }
        cur = if t == 1.0 { next } else { set.pass(beta, None, false) };
    }
    Err(Failure::NotConverged)
}
