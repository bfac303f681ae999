//! The sparse constraint matrix seen unit by unit, and the passes of the Newton engine.
//!
//! A "unit" is a sample row or, in the cell-collapsed solve, a cell of the cross
//! classification of all categorical margins (with d = sum of the row weights in the cell).
//! x_k has one dummy per categorical margin, the numeric values and 1 for the total; it is
//! never materialised as a dense n × p matrix.

use std::borrow::Cow;

use rayon::prelude::*;

use super::distance::Distance;

/// Units per parallel chunk. Chunk boundaries do not depend on the thread count and partial
/// sums are added in chunk order, so results are bit-identical whatever the pool size.
pub(crate) const CHUNK: usize = 1 << 15;

/// Units whose u and F are computed together in the dummies-only passes.
const BATCH: usize = 256;

/// Per-cell row statistics (cell-collapsed units only).
#[derive(Debug, Clone)]
pub(crate) struct CellStats {
    /// Rows with positive weight in the cell.
    pub count: Vec<f64>,
    /// Σ d² over the rows of the cell.
    pub d2: Vec<f64>,
}

/// Units with their weights and sparse constraint vectors.
#[derive(Debug, Clone)]
pub(crate) struct Columns<'a> {
    /// Weight of each unit (0 = ignored; its codes may be missing).
    pub d: Cow<'a, [f64]>,
    /// (first parameter, codes) of each categorical margin.
    pub cats: Vec<(usize, Cow<'a, [u32]>)>,
    /// (parameter, values) of each numeric margin.
    pub nums: Vec<(usize, Cow<'a, [f64]>)>,
    /// Parameter of the population total.
    pub intercept: Option<usize>,
    /// Number of parameters.
    pub p: usize,
    /// Row statistics when units are cells.
    pub stats: Option<CellStats>,
}

/// Calibrated totals Σ d g x and Jacobian Σ d g′ x xᵀ at one λ.
#[derive(Debug, Clone)]
pub(crate) struct Pass {
    pub totals: Vec<f64>,
    /// Row-major p × p, symmetric.
    pub jacobian: Vec<f64>,
    /// Every g and g′ finite.
    pub finite: bool,
}

impl Columns<'_> {
    /// Number of units.
    pub fn len(&self) -> usize {
        self.d.len()
    }

    /// Nonzero entries of x_k in increasing parameter order; returns how many.
    #[inline]
    fn entries(&self, k: usize, idx: &mut [usize], val: &mut [f64]) -> usize {
        let mut m = 0;
        for (off, codes) in &self.cats {
            idx[m] = off + codes[k] as usize;
            val[m] = 1.0;
            m += 1;
        }
        for (off, x) in &self.nums {
            idx[m] = *off;
            val[m] = x[k];
            m += 1;
        }
        if let Some(off) = self.intercept {
            idx[m] = off;
            val[m] = 1.0;
            m += 1;
        }
        m
    }

    /// Maximum number of nonzero entries of x_k.
    pub fn width(&self) -> usize {
        self.cats.len() + self.nums.len() + usize::from(self.intercept.is_some())
    }

    /// u_k = x_kᵀλ (unit must have positive weight: its codes are valid).
    #[inline]
    pub fn u(&self, k: usize, lambda: &[f64]) -> f64 {
        let mut u = 0.0;
        for (off, codes) in &self.cats {
            u += lambda[off + codes[k] as usize];
        }
        for (off, x) in &self.nums {
            u += lambda[*off] * x[k];
        }
        if let Some(off) = self.intercept {
            u += lambda[off];
        }
        u
    }

    /// Totals and Jacobian at λ (units of weight 0 are skipped); g_k = F(x_kᵀλ) of every
    /// unit of positive weight written into `g` (the others left as they are): the same
    /// value as F([`Self::u`]) (the same terms summed in the same order; a sum's start at
    /// −0 instead of +0 only changes the sign of a zero u, and F(±0) is the same), so the
    /// solver needs no last pass of F over the units once λ is final.
    pub fn evaluate<D: Distance>(&self, dist: &D, lambda: &[f64], g: &mut [f64]) -> Pass {
        let n = self.len();
        let parts: Vec<Pass> = if n <= CHUNK {
            vec![self.evaluate_range(dist, lambda, 0, n, g)]
        } else {
            g.par_chunks_mut(CHUNK)
                .enumerate()
                .map(|(c, g)| {
                    self.evaluate_range(dist, lambda, c * CHUNK, ((c + 1) * CHUNK).min(n), g)
                })
                .collect()
        };
        let mut parts = parts.into_iter();
        let mut acc = parts.next().unwrap_or_else(|| self.empty_pass());
        for part in parts {
            acc.totals.iter_mut().zip(&part.totals).for_each(|(a, b)| *a += b);
            acc.jacobian.iter_mut().zip(&part.jacobian).for_each(|(a, b)| *a += b);
            acc.finite &= part.finite;
        }
        let p = self.p;
        for i in 0..p {
            for j in 0..i {
                acc.jacobian[i * p + j] = acc.jacobian[j * p + i];
            }
        }
        acc
    }

    fn empty_pass(&self) -> Pass {
        Pass { totals: vec![0.0; self.p], jacobian: vec![0.0; self.p * self.p], finite: true }
    }

    /// Upper triangle of the Jacobian and totals over units `lo..hi` (their g into `g_out`,
    /// indexed from `lo`).
    fn evaluate_range<D: Distance>(
        &self,
        dist: &D,
        lambda: &[f64],
        lo: usize,
        hi: usize,
        g_out: &mut [f64],
    ) -> Pass {
        if self.nums.is_empty() {
            return self.evaluate_range_dummies(dist, lambda, lo, hi, g_out);
        }
        let p = self.p;
        let mut out = self.empty_pass();
        let w = self.width();
        let (mut idx, mut val) = (vec![0usize; w], vec![0.0; w]);
        for k in lo..hi {
            let d = self.d[k];
            if d == 0.0 {
                continue;
            }
            let m = self.entries(k, &mut idx, &mut val);
            let u = idx[..m].iter().zip(&val[..m]).map(|(&i, &v)| lambda[i] * v).sum::<f64>();
            let (g, dg) = dist.g_dg(u);
            if d > 0.0 {
                g_out[k - lo] = g;
            }
            out.finite &= g.is_finite() && dg.is_finite();
            let (dgk, ddg) = (d * g, d * dg);
            for a in 0..m {
                out.totals[idx[a]] += dgk * val[a];
                if ddg != 0.0 {
                    let row = idx[a] * p;
                    let va = ddg * val[a];
                    for b in a..m {
                        out.jacobian[row + idx[b]] += va * val[b];
                    }
                }
            }
        }
        out
    }

    /// [`Self::evaluate_range`] when x_k holds only dummies (categorical margins and the
    /// total): same sums in the same order, without the value multiplications.
    fn evaluate_range_dummies<D: Distance>(
        &self,
        dist: &D,
        lambda: &[f64],
        lo: usize,
        hi: usize,
        g_out: &mut [f64],
    ) -> Pass {
        let p = self.p;
        let mut out = self.empty_pass();
        let mut idx = vec![0usize; self.width()];
        let cats: Vec<(usize, &[u32])> = self.cats.iter().map(|(o, c)| (*o, &c[..])).collect();
        // the start of a `sum` of f64 (−0 or +0 by the toolchain), so u is summed exactly as
        // `idx.map(λ).sum()` would
        let zero: f64 = std::iter::empty::<f64>().sum();
        // units are taken a batch at a time: first u_k = x_kᵀλ of the batch margin by margin
        // (each unit's terms added in the same order as one unit at a time, but the units'
        // additions independent of each other, not one chain of dependent additions), then
        // F and F′, then the sums in unit order. (Summing the Jacobian one pair of margins at
        // a time was tried: slower, consecutive units then update the same few entries.)
        let (mut u, mut gd) = ([0.0; BATCH], [(0.0, 0.0); BATCH]);
        let mut start = lo;
        while start < hi {
            let end = (start + BATCH).min(hi);
            let (u, gd) = (&mut u[..end - start], &mut gd[..end - start]);
            let d = &self.d[start..end];
            u.fill(zero);
            // a unit of weight 0 may have a missing code: its u (never used) is clamped in
            for &(off, codes) in &cats {
                for (u, &c) in u.iter_mut().zip(&codes[start..end]) {
                    *u += lambda[(off + c as usize).min(p - 1)];
                }
            }
            if let Some(off) = self.intercept {
                u.iter_mut().for_each(|u| *u += lambda[off]);
            }
            for ((gd, &u), &d) in gd.iter_mut().zip(&*u).zip(d) {
                if d != 0.0 {
                    *gd = dist.g_dg(u);
                }
            }
            for (j, (&d, &(g, dg))) in d.iter().zip(&*gd).enumerate() {
                if d == 0.0 {
                    continue;
                }
                let k = start + j;
                let mut m = 0;
                for &(off, codes) in &cats {
                    idx[m] = off + codes[k] as usize;
                    m += 1;
                }
                if let Some(off) = self.intercept {
                    idx[m] = off;
                    m += 1;
                }
                if d > 0.0 {
                    g_out[k - lo] = g;
                }
                out.finite &= g.is_finite() && dg.is_finite();
                let (dgk, ddg) = (d * g, d * dg);
                for a in 0..m {
                    out.totals[idx[a]] += dgk;
                    if ddg != 0.0 {
                        let row = &mut out.jacobian[idx[a] * p..(idx[a] + 1) * p];
                        for &b in &idx[a..m] {
                            row[b] += ddg;
                        }
                    }
                }
            }
            start = end;
        }
        out
    }

    /// max_k |F(x_kᵀλ₁) − F(x_kᵀλ₀)| over units of positive weight (CALMAR's stopping rule).
    pub fn max_g_change<D: Distance>(&self, dist: &D, l0: &[f64], l1: &[f64]) -> f64 {
        let n = self.len();
        (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let mut m: f64 = 0.0;
                for k in c * CHUNK..((c + 1) * CHUNK).min(n) {
                    if self.d[k] > 0.0 {
                        m = m.max((dist.g(self.u(k, l1)) - dist.g(self.u(k, l0))).abs());
                    }
                }
                m
            })
            .reduce(|| 0.0, f64::max)
    }

    /// Totals Σ d x at g = 1 ("before" totals).
    pub fn base_totals(&self) -> Vec<f64> {
        self.totals_with_g(|_| 1.0)
    }

    /// Σ d_k g_k x_k for given unit g-weights.
    pub fn totals_with_g(&self, g: impl Fn(usize) -> f64) -> Vec<f64> {
        let mut t = vec![0.0; self.p];
        let w = self.width();
        let (mut idx, mut val) = (vec![0usize; w], vec![0.0; w]);
        for k in 0..self.len() {
            let d = self.d[k];
            if d == 0.0 {
                continue;
            }
            let dg = d * g(k);
            let m = self.entries(k, &mut idx, &mut val);
            for a in 0..m {
                t[idx[a]] += dg * val[a];
            }
        }
        t
    }

    /// Sparse x_k as (parameter, value) pairs.
    pub fn sparse(&self, k: usize) -> Vec<(usize, f64)> {
        let w = self.width();
        let (mut idx, mut val) = (vec![0usize; w], vec![0.0; w]);
        let m = self.entries(k, &mut idx, &mut val);
        idx[..m].iter().copied().zip(val[..m].iter().copied()).collect()
    }
}

/// A categorical margin's offset and codes, as in [`Columns::cats`].
#[cfg(test)]
pub(crate) type CatColumn = (usize, Cow<'static, [u32]>);

/// Test data: for each margin of `levels[m]` levels, a random code per row, or the missing
/// code where `missing(rng, k)`; with the offset of each margin's first parameter, and the
/// number of parameters.
#[cfg(test)]
pub(crate) fn random_codes(
    rng: &mut rand_chacha::ChaCha8Rng,
    d: &[f64],
    levels: &[u32],
    missing: impl Fn(&mut rand_chacha::ChaCha8Rng, usize) -> bool,
) -> (Vec<CatColumn>, usize) {
    use rand::RngExt;
    let mut off = 0;
    let cats = levels
        .iter()
        .map(|&l| {
            let codes: Vec<u32> = (0..d.len())
                .map(|k| {
                    if missing(rng, k) {
                        crate::data::Factor::MISSING
                    } else {
                        rng.random_range(0..l)
                    }
                })
                .collect();
            off += l as usize;
            (off - l as usize, Cow::Owned(codes))
        })
        .collect();
    (cats, off)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibration::distance::{Bounds, Logit, Raking};
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The former pass, one unit at a time (u by `sum`, g by `Self::u`), chunk by chunk and
    /// the chunks added in order.
    fn reference<D: Distance>(cols: &Columns<'_>, dist: &D, lambda: &[f64]) -> (Pass, Vec<f64>) {
        let n = cols.len();
        let mut g_all = vec![1.0; n];
        let mut acc: Option<Pass> = None;
        for c in 0..n.div_ceil(CHUNK) {
            let part = reference_range(
                cols,
                dist,
                lambda,
                c * CHUNK,
                ((c + 1) * CHUNK).min(n),
                &mut g_all,
            );
            match &mut acc {
                None => acc = Some(part),
                Some(a) => {
                    a.totals.iter_mut().zip(&part.totals).for_each(|(a, b)| *a += b);
                    a.jacobian.iter_mut().zip(&part.jacobian).for_each(|(a, b)| *a += b);
                    a.finite &= part.finite;
                }
            }
        }
        let mut out = acc.unwrap();
        let p = cols.p;
        for i in 0..p {
            for j in 0..i {
                out.jacobian[i * p + j] = out.jacobian[j * p + i];
            }
        }
        (out, g_all)
    }

    fn reference_range<D: Distance>(
        cols: &Columns<'_>,
        dist: &D,
        lambda: &[f64],
        lo: usize,
        hi: usize,
        g_all: &mut [f64],
    ) -> Pass {
        let p = cols.p;
        let mut out = cols.empty_pass();
        let mut idx = vec![0usize; cols.width()];
        for k in lo..hi {
            let d = cols.d[k];
            if d == 0.0 {
                continue;
            }
            let mut m = 0;
            for (off, codes) in &cols.cats {
                idx[m] = off + codes[k] as usize;
                m += 1;
            }
            if let Some(off) = cols.intercept {
                idx[m] = off;
                m += 1;
            }
            let u = idx[..m].iter().map(|&i| lambda[i]).sum::<f64>();
            let (g, dg) = dist.g_dg(u);
            out.finite &= g.is_finite() && dg.is_finite();
            let (dgk, ddg) = (d * g, d * dg);
            for a in 0..m {
                out.totals[idx[a]] += dgk;
                if ddg != 0.0 {
                    for &b in &idx[a..m] {
                        out.jacobian[idx[a] * p + b] += ddg;
                    }
                }
            }
            if d > 0.0 {
                g_all[k] = dist.g(cols.u(k, lambda));
            }
        }
        out
    }

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// Batched u, g and sums equal the unit-at-a-time pass bit for bit (units across batch
    /// and chunk boundaries, weight-0 units with missing codes, a bounded distance clamping
    /// some g, zero multipliers), whatever the thread count.
    #[test]
    fn batched_pass_equals_the_unit_at_a_time_pass() {
        let n = CHUNK + 3 * BATCH + 7;
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let d: Vec<f64> = (0..n)
            .map(|k| if k % 9 == 4 { 0.0 } else { 10f64.powf(rng.random_range(-3.0..3.0)) })
            .collect();
        let (cats, off) = random_codes(&mut rng, &d, &[3, 5, 4], |_, k| d[k] == 0.0 && k % 2 == 0);
        for intercept in [None, Some(off)] {
            let p = off + usize::from(intercept.is_some());
            let cols = Columns {
                d: Cow::Owned(d.clone()),
                cats: cats.clone(),
                nums: Vec::new(),
                intercept,
                p,
                stats: None,
            };
            let mut lambda: Vec<f64> = (0..p).map(|_| rng.random_range(-0.4..0.4)).collect();
            lambda[1] = 0.0;
            lambda[4] = -0.0;
            let logit = Logit::new(Bounds::new(0.8, 1.2).unwrap()).unwrap();
            // g clamped (F′ = 0) on part of the units
            let bounded = Raking { bounds: Some(Bounds::new(0.9, 1.1).unwrap()) };
            for threads in [1, 3] {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                let check = |dist: &(dyn Fn(&mut [f64]) -> Pass + Sync), want: (Pass, Vec<f64>)| {
                    let mut g = vec![1.0; n];
                    let pass = pool.install(|| dist(&mut g));
                    assert_eq!(bits(&pass.totals), bits(&want.0.totals));
                    assert_eq!(bits(&pass.jacobian), bits(&want.0.jacobian));
                    assert_eq!(pass.finite, want.0.finite);
                    assert_eq!(bits(&g), bits(&want.1));
                };
                check(
                    &|g| cols.evaluate(&Raking::default(), &lambda, g),
                    reference(&cols, &Raking::default(), &lambda),
                );
                check(&|g| cols.evaluate(&logit, &lambda, g), reference(&cols, &logit, &lambda));
                check(
                    &|g| cols.evaluate(&bounded, &lambda, g),
                    reference(&cols, &bounded, &lambda),
                );
            }
        }
    }
}
