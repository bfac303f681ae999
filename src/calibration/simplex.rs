//! A small bounded-variable revised simplex, phase 1 only: is {x : A x = b, l ≤ x ≤ u}
//! non-empty? Used by the narrowest-bounds search ([`super::feasibility`]); it sits behind
//! [`phase_one`] so that an LP crate (e.g. `minilp`) can replace it.
//!
//! Artificial variables a ≥ 0 with A x + diag(σ) a = b start basic; the sum of artificials
//! is minimised with Dantzig pricing, switching to Bland's rule after a run of degenerate
//! pivots (no cycling). The basis inverse is dense (m × m, m = number of constraints, small)
//! and refactorised every [`REFACTOR`] pivots; columns are sparse.

use crate::tolerance as tol;
use nalgebra::DMatrix;

/// Pivots between refactorisations of the basis inverse.
const REFACTOR: usize = 50;

/// A sparse column: (row, value) pairs.
pub(crate) type SparseCol = Vec<(usize, f64)>;

/// Phase-1 problem.
pub(crate) struct Lp<'a> {
    /// Columns of A.
    pub cols: &'a [SparseCol],
    /// Right-hand side b (length m).
    pub b: &'a [f64],
    /// Lower bounds of the variables.
    pub lower: &'a [f64],
    /// Upper bounds of the variables.
    pub upper: &'a [f64],
}

#[derive(Clone, Copy, PartialEq)]
enum Status {
    Basic,
    Lower,
    Upper,
}

/// Outcome: a feasible point, or not.
pub(crate) enum PhaseOne {
    Feasible(Vec<f64>),
    Infeasible,
}

struct State<'a> {
    lp: &'a Lp<'a>,
    m: usize,
    n: usize,
    x: Vec<f64>,
    status: Vec<Status>,
    basis: Vec<usize>,
    binv: DMatrix<f64>,
    /// Artificial i's sign and whether it may still take a positive value.
    sigma: Vec<f64>,
    art_open: Vec<bool>,
}

/// Runs phase 1; `tol` is the largest sum of artificials accepted as feasible.
pub(crate) fn phase_one(lp: &Lp<'_>, tol: f64, max_pivots: usize) -> PhaseOne {
    let mut st = State::new(lp);
    let (mut best, mut stuck, mut bland) = (f64::INFINITY, 0usize, false);
    for it in 0..max_pivots {
        if it % REFACTOR == REFACTOR - 1 {
            st.refactor();
        }
        let obj = st.objective();
        if obj <= tol {
            break;
        }
        if obj < best - 1e-14 {
            best = obj;
            stuck = 0;
        } else {
            stuck += 1;
            bland |= stuck > 3 * st.m + 10;
        }
        let Some((q, dir)) = st.price(bland) else { break };
        if !st.pivot(q, dir, bland) {
            break;
        }
    }
    st.refactor();
    let obj = st.objective();
    if obj <= tol { PhaseOne::Feasible(st.x[..st.n].to_vec()) } else { PhaseOne::Infeasible }
}

impl<'a> State<'a> {
    fn new(lp: &'a Lp<'a>) -> State<'a> {
        let (m, n) = (lp.b.len(), lp.cols.len());
        let mut x = Vec::with_capacity(n + m);
        let mut status = Vec::with_capacity(n + m);
        for j in 0..n {
            // Start each structural at its finite bound nearest 0 (lower if finite).
            if lp.lower[j].is_finite() {
                x.push(lp.lower[j]);
                status.push(Status::Lower);
            } else {
                x.push(lp.upper[j]);
                status.push(Status::Upper);
            }
        }
        let mut r = lp.b.to_vec();
        for (j, col) in lp.cols.iter().enumerate() {
            for &(i, v) in col {
                r[i] -= v * x[j];
            }
        }
        let sigma: Vec<f64> = r.iter().map(|v| if *v < 0.0 { -1.0 } else { 1.0 }).collect();
        x.extend(r.iter().map(|v| v.abs()));
        status.extend(std::iter::repeat_n(Status::Basic, m));
        let binv = DMatrix::from_diagonal(&nalgebra::DVector::from_vec(sigma.clone()));
        State {
            lp,
            m,
            n,
            x,
            status,
            basis: (n..n + m).collect(),
            binv,
            sigma,
            art_open: vec![true; m],
        }
    }

    fn objective(&self) -> f64 {
        self.x[self.n..].iter().sum()
    }

    fn bounds(&self, j: usize) -> (f64, f64) {
        if j < self.n {
            (self.lp.lower[j], self.lp.upper[j])
        } else if self.art_open[j - self.n] {
            (0.0, f64::INFINITY)
        } else {
            (0.0, 0.0)
        }
    }

    fn column(&self, j: usize) -> SparseCol {
        if j < self.n {
            self.lp.cols[j].clone()
        } else {
            vec![(j - self.n, self.sigma[j - self.n])]
        }
    }

    /// Entering variable and direction (+1 increase, −1 decrease).
    fn price(&self, bland: bool) -> Option<(usize, f64)> {
        let m = self.m;
        let mut y = vec![0.0; m];
        for (r, &bj) in self.basis.iter().enumerate() {
            if bj >= self.n {
                for (i, yi) in y.iter_mut().enumerate() {
                    *yi += self.binv[(r, i)];
                }
            }
        }
        let mut best: Option<(usize, f64, f64)> = None;
        for j in 0..self.n {
            let (lo, hi) = self.bounds(j);
            if self.status[j] == Status::Basic || lo == hi {
                continue;
            }
            let rc = -self.lp.cols[j].iter().map(|&(i, v)| y[i] * v).sum::<f64>();
            let dir = match self.status[j] {
                Status::Lower if rc < -tol::SIMPLEX_PRICE => 1.0,
                Status::Upper if rc > tol::SIMPLEX_PRICE => -1.0,
                _ => continue,
            };
            if bland {
                return Some((j, dir));
            }
            if best.is_none_or(|b| rc.abs() > b.2) {
                best = Some((j, dir, rc.abs()));
            }
        }
        best.map(|b| (b.0, b.1))
    }

    /// Ratio test and update; false when the step is unbounded (cannot happen in phase 1).
    fn pivot(&mut self, q: usize, dir: f64, bland: bool) -> bool {
        let m = self.m;
        let col = self.column(q);
        let alpha: Vec<f64> =
            (0..m).map(|r| col.iter().map(|&(i, v)| self.binv[(r, i)] * v).sum()).collect();
        let (lq, uq) = self.bounds(q);
        let mut theta = uq - lq;
        let mut leave: Option<(usize, Status)> = None;
        for (r, &ar) in alpha.iter().enumerate() {
            let a = dir * ar;
            let bj = self.basis[r];
            let (lo, hi) = self.bounds(bj);
            let (limit, to) = if a > tol::SIMPLEX_PIVOT {
                ((self.x[bj] - lo).max(0.0) / a, Status::Lower)
            } else if a < -tol::SIMPLEX_PIVOT && hi.is_finite() {
                ((hi - self.x[bj]).max(0.0) / -a, Status::Upper)
            } else {
                continue;
            };
            let better = limit < theta
                || (limit == theta
                    && leave.is_some_and(|l| {
                        let cur = self.basis[l.0];
                        if bland { bj < cur } else { bj >= self.n && cur < self.n }
                    }));
            if better {
                theta = limit;
                leave = Some((r, to));
            }
        }
        if !theta.is_finite() {
            return false;
        }
        for (r, &ar) in alpha.iter().enumerate() {
            let bj = self.basis[r];
            self.x[bj] -= dir * theta * ar;
        }
        self.x[q] += dir * theta;
        match leave {
            None => {
                self.status[q] = if dir > 0.0 { Status::Upper } else { Status::Lower };
                self.x[q] = if dir > 0.0 { uq } else { lq };
            }
            Some((r, to)) => {
                let out = self.basis[r];
                let (lo, hi) = self.bounds(out);
                self.x[out] = if to == Status::Lower { lo } else { hi };
                self.status[out] = to;
                if out >= self.n {
                    self.art_open[out - self.n] = false;
                    self.x[out] = 0.0;
                }
                self.status[q] = Status::Basic;
                self.basis[r] = q;
                let piv = alpha[r];
                for c in 0..m {
                    self.binv[(r, c)] /= piv;
                }
                for (i, &ai) in alpha.iter().enumerate() {
                    if i != r && ai != 0.0 {
                        for c in 0..m {
                            let v = self.binv[(r, c)];
                            self.binv[(i, c)] -= ai * v;
                        }
                    }
                }
            }
        }
        true
    }

    /// Recomputes B⁻¹ and the basic values from scratch (limits drift).
    fn refactor(&mut self) {
        let m = self.m;
        let mut b = DMatrix::zeros(m, m);
        for (r, &j) in self.basis.iter().enumerate() {
            for (i, v) in self.column(j) {
                b[(i, r)] = v;
            }
        }
        let Some(inv) = b.try_inverse() else { return };
        self.binv = inv;
        let mut rhs = self.lp.b.to_vec();
        for j in 0..self.n + m {
            if self.status[j] != Status::Basic {
                for (i, v) in self.column(j) {
                    rhs[i] -= v * self.x[j];
                }
            }
        }
        for r in 0..m {
            let bj = self.basis[r];
            self.x[bj] = (0..m).map(|i| self.binv[(r, i)] * rhs[i]).sum();
        }
    }
}
