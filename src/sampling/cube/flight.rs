//! The flight phase engine of the cube method on a small active set of units.
//!
//! Fast flight phase (Chauvet & Tillé 2006): only q + 1 non-integer units are held at a time
//! (q = number of balancing constraints); the q × (q + 1) matrix of their vectors a_k always
//! has a non-zero kernel vector u, and the random move
//!
//! π ← π + λ1 u  with probability λ2 / (λ1 + λ2),   π ← π − λ2 u  otherwise,
//!
//! with λ1, λ2 the largest steps keeping π in [0, 1], preserves Σ a_k π_k (u is in the
//! kernel) and E(π) (martingale), and sends at least one unit to 0 or 1; it then leaves the
//! set and the next unit of the stream comes in (Deville & Tillé 2004, §5).
//!
//! Landing by suppression of variables (Deville & Tillé 2004, §6.2): when the stream is
//! exhausted and the kernel is {0}, the last constraint row is dropped and the flight goes on,
//! until every unit is 0 or 1. Each move stays a martingale, so the π_k are exact; only the
//! dropped constraints can be missed, by at most Σ_{landing units} |a_k|.

use crate::tolerance as tol;
use rand_chacha::ChaCha8Rng;

use crate::sampling::rng::uniform;

/// Active units and their constraint vectors.
pub(crate) struct Flight {
    /// Length of every stored vector a_k.
    width: usize,
    /// Constraint rows in use (the first `q` entries of each a_k).
    q: usize,
    row: Vec<usize>,
    pi: Vec<f64>,
    a: Vec<f64>,
    mat: Vec<f64>,
    u: Vec<f64>,
    /// Moves made (for reports).
    pub(crate) steps: u64,
}

impl Flight {
    pub(crate) fn new(width: usize) -> Flight {
        Flight {
            width,
            q: width,
            row: Vec::with_capacity(width + 1),
            pi: Vec::with_capacity(width + 1),
            a: Vec::with_capacity((width + 1) * width),
            mat: Vec::new(),
            u: Vec::new(),
            steps: 0,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.row.len()
    }

    /// Adds a unit with 0 < π < 1 and vector `a` (length `width`).
    pub(crate) fn push(&mut self, row: usize, pi: f64, a: &[f64]) {
        self.row.push(row);
        self.pi.push(pi);
        self.a.extend_from_slice(a);
    }

    /// Rows and current π of the units still active.
    pub(crate) fn remaining(&self) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.row.iter().copied().zip(self.pi.iter().copied())
    }

    /// Makes moves while the set holds more than q units (the fast flight phase keeps at most
    /// q + 1); `done(row, selected)` receives units that reached 0 or 1.
    pub(crate) fn fly_while_full(
        &mut self,
        rng: &mut ChaCha8Rng,
        done: &mut impl FnMut(usize, bool),
    ) {
        while self.len() > self.q {
            // With more units than rows the kernel is never {0}.
            if !self.step(rng, done) {
                break;
            }
        }
    }

    /// Makes moves until the kernel of the remaining units is {0} (end of the flight phase).
    pub(crate) fn fly_to_end(&mut self, rng: &mut ChaCha8Rng, done: &mut impl FnMut(usize, bool)) {
        while !self.row.is_empty() && self.step(rng, done) {}
    }

    /// Landing by suppression of variables: drops constraint rows from the last one until
    /// every unit is 0 or 1. Returns the dropped rows, in the order they were dropped.
    pub(crate) fn land(
        &mut self,
        rng: &mut ChaCha8Rng,
        done: &mut impl FnMut(usize, bool),
    ) -> Vec<usize> {
        let mut dropped = Vec::new();
        while !self.row.is_empty() {
            if !self.step(rng, done) {
                self.q -= 1;
                dropped.push(self.q);
            }
        }
        dropped
    }

    /// Rescales the π of the active units so that they sum to `target` (the exact remaining
    /// size of the stratum), removing rounding drift accumulated over many moves. Returns the
    /// drift |Σπ − target| that was corrected.
    pub(crate) fn correct_sum(&mut self, target: f64, done: &mut impl FnMut(usize, bool)) -> f64 {
        let sum: f64 = self.pi.iter().sum();
        let drift = (sum - target).abs();
        if sum > 0.0 {
            let factor = target.max(0.0) / sum;
            for p in &mut self.pi {
                *p = (*p * factor).min(1.0);
            }
        }
        self.remove_integers(done);
        drift
    }

    /// One random move along a kernel vector; false when the kernel is {0}.
    fn step(&mut self, rng: &mut ChaCha8Rng, done: &mut impl FnMut(usize, bool)) -> bool {
        if !self.kernel_vector() {
            return false;
        }
        self.steps += 1;
        let (mut l1, mut l2) = (f64::INFINITY, f64::INFINITY);
        let (mut j1, mut j2) = (0, 0);
        for (j, (&u, &p)) in self.u.iter().zip(&self.pi).enumerate() {
            if u == 0.0 {
                continue;
            }
            let (up, down) =
                if u > 0.0 { ((1.0 - p) / u, p / u) } else { (p / -u, (1.0 - p) / -u) };
            if up < l1 {
                l1 = up;
                j1 = j;
            }
            if down < l2 {
                l2 = down;
                j2 = j;
            }
        }
        let (lambda, sign, hit) =
            if uniform(rng) * (l1 + l2) < l2 { (l1, 1.0, j1) } else { (l2, -1.0, j2) };
        for (p, &u) in self.pi.iter_mut().zip(&self.u) {
            *p += sign * lambda * u;
        }
        // The unit that set the step length lands exactly on its bound.
        self.pi[hit] = if sign * self.u[hit] > 0.0 { 1.0 } else { 0.0 };
        self.remove_integers(done);
        true
    }

    fn remove_integers(&mut self, done: &mut impl FnMut(usize, bool)) {
        let mut j = 0;
        while j < self.row.len() {
            let p = self.pi[j];
            if p <= tol::CUBE_SNAP || p >= 1.0 - tol::CUBE_SNAP {
                done(self.row[j], p >= 0.5);
                self.swap_remove(j);
            } else {
                j += 1;
            }
        }
    }

    fn swap_remove(&mut self, j: usize) {
        let last = self.row.len() - 1;
        self.row.swap_remove(j);
        self.pi.swap_remove(j);
        let w = self.width;
        if j != last {
            self.a.copy_within(last * w..(last + 1) * w, j * w);
        }
        self.a.truncate(last * w);
    }

    /// Fills `self.u` with a non-zero vector of the kernel of the q × m matrix [a_1 … a_m]
    /// (first q entries); false if there is none.
    ///
    /// Gaussian elimination with partial pivoting over the columns (units), rows scaled to
    /// max |entry| = 1, stopped at the first column without a pivot f; then u_f = 1, u_j = 0
    /// for j > f, and back substitution gives the pivot columns j < f (pivot j sits in row j):
    /// u_j = −(Σ_{j<c≤f} M_jc u_c) / M_jj. Forward elimination only (no Gauss–Jordan
    /// reduction above the pivots): about a third fewer operations, and the rows below each
    /// pivot — hence the pivot choices — are the same.
    fn kernel_vector(&mut self) -> bool {
        let m = self.row.len();
        let w = self.width;
        self.mat.clear();
        let mut nr = 0;
        for r in 0..self.q {
            let scale = (0..m).map(|j| self.a[j * w + r].abs()).fold(0.0, f64::max);
            if scale == 0.0 {
                continue; // a zero row constrains nothing
            }
            self.mat.extend((0..m).map(|j| self.a[j * w + r] / scale));
            nr += 1;
        }
        let mat = &mut self.mat;
        // Pivots are taken in order without skipping columns: column j's pivot is row j.
        let mut free = None;
        for j in 0..m {
            if j == nr {
                free = Some(j);
                break;
            }
            let (mut best, mut br) = (0.0, j);
            for r in j..nr {
                let v = mat[r * m + j].abs();
                if v > best {
                    best = v;
                    br = r;
                }
            }
            if best <= tol::CUBE_PIVOT {
                free = Some(j);
                break;
            }
            if br != j {
                for c in j..m {
                    mat.swap(br * m + c, j * m + c);
                }
            }
            let piv = mat[j * m + j];
            let (top, below) = mat.split_at_mut((j + 1) * m);
            let pivot_row = &top[j * m + j..j * m + m];
            for row in below[..(nr - j - 1) * m].chunks_exact_mut(m) {
                let f = row[j] / piv;
                if f != 0.0 {
                    for (x, p) in row[j..].iter_mut().zip(pivot_row) {
                        *x -= f * p;
                    }
                }
            }
        }
        let Some(f) = free else {
            return false;
        };
        // Pivot columns are 0..f, pivot j in row j.
        self.u.clear();
        self.u.resize(m, 0.0);
        self.u[f] = 1.0;
        for j in (0..f).rev() {
            let row = &mat[j * m..j * m + m];
            let s: f64 = (j + 1..=f).map(|c| row[c] * self.u[c]).sum();
            self.u[j] = -s / row[j];
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// The kernel vector solves the constraints, including rank-deficient and zero rows.
    #[test]
    fn kernel_vector_is_in_the_kernel() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for case in 0..200 {
            let q = 1 + case % 6;
            let mut f = Flight::new(q);
            for j in 0..=q {
                let mut a: Vec<f64> =
                    (0..q).map(|_| uniform(&mut rng) * 10f64.powi((case % 4) as i32)).collect();
                if case % 3 == 0 && q > 1 {
                    a[q - 1] = 2.0 * a[0]; // dependent row
                }
                if case % 5 == 0 {
                    a[0] = 0.0; // zero row
                }
                f.push(j, 0.5, &a);
            }
            assert!(f.kernel_vector());
            let norm = f.u.iter().map(|v| v.abs()).fold(0.0, f64::max);
            assert!(norm >= 1.0);
            for r in 0..q {
                let dot: f64 = (0..=q).map(|j| f.a[j * q + r] * f.u[j]).sum();
                let scale: f64 = (0..=q).map(|j| (f.a[j * q + r] * f.u[j]).abs()).sum();
                assert!(dot.abs() <= 1e-12 * scale.max(1e-300), "case {case} row {r}: {dot}");
            }
        }
    }

    /// q units with independent vectors: no kernel; the landing drops rows until all settle.
    #[test]
    fn landing_settles_every_unit() {
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let mut f = Flight::new(3);
        f.push(0, 0.3, &[1.0, 0.0, 0.0]);
        f.push(1, 0.6, &[0.0, 1.0, 0.0]);
        f.push(2, 0.9, &[0.0, 0.0, 1.0]);
        assert!(!f.kernel_vector());
        let mut settled = Vec::new();
        let dropped = f.land(&mut rng, &mut |k, _| settled.push(k));
        assert_eq!(dropped, vec![2, 1, 0]);
        settled.sort_unstable();
        assert_eq!(settled, vec![0, 1, 2]);
    }
}
