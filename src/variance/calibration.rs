//! Calibration residuals for linearization.
//!
//! After calibration the linearized variable of an estimator is replaced by its residual
//! from the calibration model, because calibrated totals of the auxiliaries have no
//! variance. Three forms, as R `survey` 4.1 stores them in `design$postStrata` and applies
//! them in `svyrecvar`:
//!
//! - **Regression** (`calibrate()` with any distance; post-stratification): with row
//!   contributions u_k = w_k z_k, pre-step weights d_k and post-step weights w_k,
//!   `b = (Σ d x xᵀ)⁻ Σ d_k x_k u_k / w_k` and `u_k ← u_k − w_k x_kᵀ b`. This is
//!   `qr.resid(qr(X √d), u / (g √d)) · g √d` with g = w/d, i.e. the residual of the
//!   design-weighted regression of z on X, times the final weights.
//! - **Post-stratification**: the regression form with one dummy per post-stratum
//!   (residual = z minus the design-weighted post-stratum mean of z).
//! - **Rake backfitting** (`rake()`): 10 fixed sweeps over the margins of
//!   `u ← u − w_m · ave(u / w_m)`, `ave` the unweighted mean within the margin's category and
//!   w_m the weights after the last post-stratification on margin m.
//!
//! A generalized inverse is used on purpose: full dummy sets of several margins are
//! collinear by construction, and residuals do not depend on which g-inverse is taken.
//! The numerical rank is reported by [`PreparedCalibration::rank`].

use nalgebra::{DMatrix, DVector};

use crate::data::Factor;
use crate::error::{Error, Result};
use crate::linalg::SymmetricPinv;

/// One margin of a `rake()`-style backfitting variance.
#[derive(Debug, Clone, PartialEq)]
pub struct RakeMargin {
    /// Category code of each row for this margin ([`Factor::MISSING`] not allowed).
    pub codes: Vec<u32>,
    /// Weights after the last post-stratification on this margin (R's `attr(, "weights")`).
    pub weights: Vec<f64>,
}

/// How the weights of a design were calibrated, for the variance.
#[derive(Debug, Clone, PartialEq)]
pub enum CalibrationStep {
    /// Calibration on a model matrix (dense columns: the calibration module's
    /// `model_columns()`), any distance (linear, raking, logit, truncated): GREG residuals.
    Regression {
        /// Model columns x_j (each of length n).
        model: Vec<Vec<f64>>,
    },
    /// Post-stratification on one (possibly crossed) categorical variable.
    PostStratification {
        /// Post-stratum code of each row.
        codes: Vec<u32>,
    },
    /// R `rake()` backfitting variance (10 sweeps over the margins).
    RakeBackfitting {
        /// The raking margins.
        margins: Vec<RakeMargin>,
    },
}

/// A calibration step ready for the variance engine (normal-equation g-inverse computed once).
#[derive(Debug, Clone)]
pub enum PreparedCalibration {
    /// Regression residuals.
    Regression(Box<RegressionResiduals>),
    /// Rake backfitting.
    Rake(Vec<RakeMargin>),
}

/// Design-weighted regression residual operator.
#[derive(Debug, Clone)]
pub struct RegressionResiduals {
    /// Model columns.
    pub(crate) x: Vec<Vec<f64>>,
    /// Pre-step weights d.
    pub(crate) d: Vec<f64>,
    /// Post-step weights w.
    pub(crate) w: Vec<f64>,
    /// g-inverse of Σ d x xᵀ.
    pub(crate) ginv: DMatrix<f64>,
    pub(crate) rank: usize,
    /// Totals of w x over the design's last-stage units (L × p, row-major), filled by
    /// [`PreparedCalibration::attach_units`] for the variance engine's fast path.
    pub(crate) unit_wx: Sparse,
    /// The model by rows, zeros left out: calibration models are mostly dummies, so a row
    /// has a handful of non-zero entries out of p.
    pub(crate) x_rows: Sparse,
}

/// Compressed sparse rows.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sparse {
    ptr: Vec<usize>,
    idx: Vec<u32>,
    val: Vec<f64>,
}

impl Sparse {
    /// From a dense row-major matrix with `p` columns.
    fn from_dense(rows: usize, p: usize, get: impl Fn(usize, usize) -> f64) -> Sparse {
        let mut s = Sparse { ptr: Vec::with_capacity(rows + 1), idx: Vec::new(), val: Vec::new() };
        s.ptr.push(0);
        for r in 0..rows {
            for j in 0..p {
                let v = get(r, j);
                if v != 0.0 {
                    s.idx.push(j as u32);
                    s.val.push(v);
                }
            }
            s.ptr.push(s.idx.len());
        }
        s
    }

    pub(crate) fn n_rows(&self) -> usize {
        self.ptr.len().saturating_sub(1)
    }

    /// Row r · b.
    #[inline]
    pub(crate) fn dot(&self, r: usize, b: &[f64]) -> f64 {
        let (lo, hi) = (self.ptr[r], self.ptr[r + 1]);
        self.idx[lo..hi].iter().zip(&self.val[lo..hi]).map(|(&j, v)| v * b[j as usize]).sum()
    }

    /// acc += a · row r.
    #[inline]
    fn axpy(&self, r: usize, a: f64, acc: &mut [f64]) {
        let (lo, hi) = (self.ptr[r], self.ptr[r + 1]);
        for (&j, v) in self.idx[lo..hi].iter().zip(&self.val[lo..hi]) {
            acc[j as usize] += a * v;
        }
    }
}

impl PreparedCalibration {
    /// Numerical rank of the calibration model (regression form), `None` for rake.
    pub fn rank(&self) -> Option<usize> {
        match self {
            PreparedCalibration::Regression(r) => Some(r.rank),
            PreparedCalibration::Rake(_) => None,
        }
    }

    /// Precomputes the totals of w x over the design's last-stage units (`unit_of_row`).
    pub(crate) fn attach_units(&mut self, unit_of_row: &[u32], n_units: usize) {
        if let PreparedCalibration::Regression(r) = self {
            let p = r.x.len();
            let mut t = vec![0.0; n_units * p];
            for (k, &u) in unit_of_row.iter().enumerate() {
                let row = &mut t[u as usize * p..(u as usize + 1) * p];
                for (tj, col) in row.iter_mut().zip(&r.x) {
                    *tj += r.w[k] * col[k];
                }
            }
            r.unit_wx = Sparse::from_dense(n_units, p, |u, j| t[u * p + j]);
        }
    }

    /// Replaces row contributions by their calibration residuals (in place).
    pub(crate) fn adjust_rows(&self, u: &mut [f64]) {
        match self {
            PreparedCalibration::Regression(r) => {
                let b = r.coefficients(u.iter().enumerate().map(|(k, &v)| (k, v)));
                for (k, uk) in u.iter_mut().enumerate() {
                    let fit: f64 = r.x.iter().zip(b.iter()).map(|(col, bj)| col[k] * bj).sum();
                    *uk -= r.w[k] * fit;
                }
            }
            PreparedCalibration::Rake(margins) => rake_sweeps(margins, u),
        }
    }
}

impl RegressionResiduals {
    /// `b = G⁻ Σ_k d_k x_k u_k / w_k` over the given (row, contribution) pairs.
    pub(crate) fn coefficients(&self, rows: impl Iterator<Item = (usize, f64)>) -> DVector<f64> {
        let p = self.x.len();
        let mut xty = DVector::<f64>::zeros(p);
        for (k, uk) in rows {
            let wk = self.w[k];
            if wk == 0.0 || uk == 0.0 {
                continue;
            }
            let zk = self.d[k] * uk / wk;
            self.x_rows.axpy(k, zk, xty.as_mut_slice());
        }
        &self.ginv * xty
    }
}

/// R `rake()` variance: 10 sweeps of `u ← u − w_m ave(u / w_m)` over the margins
/// (unweighted category means; rows with w_m = 0 are left out of the means).
fn rake_sweeps(margins: &[RakeMargin], u: &mut [f64]) {
    let mut sums: Vec<f64> = Vec::new();
    let mut counts: Vec<f64> = Vec::new();
    for _ in 0..10 {
        for m in margins {
            let nc = m.codes.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
            sums.clear();
            sums.resize(nc, 0.0);
            counts.clear();
            counts.resize(nc, 0.0);
            for (k, &c) in m.codes.iter().enumerate() {
                if m.weights[k] != 0.0 {
                    sums[c as usize] += u[k] / m.weights[k];
                    counts[c as usize] += 1.0;
                }
            }
            for (k, &c) in m.codes.iter().enumerate() {
                let c = c as usize;
                if counts[c] > 0.0 {
                    u[k] -= m.weights[k] * sums[c] / counts[c];
                }
            }
        }
    }
}

fn err(msg: String) -> Error {
    Error::method("variance", msg)
}

impl CalibrationStep {
    /// A regression step from the calibration module's `model_columns()`.
    pub fn regression(model: &[Vec<f64>]) -> Self {
        CalibrationStep::Regression { model: model.to_vec() }
    }

    /// Checks lengths and builds the g-inverse.
    ///
    /// # Errors
    /// Columns of the wrong length, non-finite model values, missing post-stratum or margin
    /// codes.
    pub fn prepare(
        &self,
        initial: &[f64],
        final_w: &[f64],
        n: usize,
    ) -> Result<PreparedCalibration> {
        match self {
            CalibrationStep::Regression { model } => {
                prepare_regression(model.clone(), initial, final_w, n)
                    .map(|r| PreparedCalibration::Regression(Box::new(r)))
            }
            CalibrationStep::PostStratification { codes } => {
                check_codes(codes, n, "post-stratification")?;
                let nc = codes.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
                let mut cols = vec![vec![0.0; n]; nc];
                for (k, &c) in codes.iter().enumerate() {
                    cols[c as usize][k] = 1.0;
                }
                cols.retain(|c| c.iter().any(|&v| v != 0.0));
                prepare_regression(cols, initial, final_w, n)
                    .map(|r| PreparedCalibration::Regression(Box::new(r)))
            }
            CalibrationStep::RakeBackfitting { margins } => {
                for (i, m) in margins.iter().enumerate() {
                    check_codes(&m.codes, n, &format!("rake margin {}", i + 1))?;
                    if m.weights.len() != n || m.weights.iter().any(|w| !w.is_finite()) {
                        return Err(err(format!(
                            "rake margin {}: weights must be {n} finite values",
                            i + 1
                        )));
                    }
                }
                Ok(PreparedCalibration::Rake(margins.clone()))
            }
        }
    }
}

fn check_codes(codes: &[u32], n: usize, what: &str) -> Result<()> {
    if codes.len() != n {
        return Err(err(format!("{what}: {} codes for {n} rows", codes.len())));
    }
    if let Some(k) = codes.iter().position(|&c| c == Factor::MISSING) {
        return Err(err(format!("{what}: category missing at row {}", k + 1)));
    }
    Ok(())
}

fn prepare_regression(
    x: Vec<Vec<f64>>,
    d: &[f64],
    w: &[f64],
    n: usize,
) -> Result<RegressionResiduals> {
    if x.is_empty() {
        return Err(err("calibration model has no column".into()));
    }
    for (j, col) in x.iter().enumerate() {
        if col.len() != n {
            return Err(err(format!(
                "calibration model column {} has {} rows, expected {n}",
                j + 1,
                col.len()
            )));
        }
        if let Some(k) = col.iter().position(|v| !v.is_finite()) {
            return Err(err(format!(
                "calibration model column {} is missing or not finite at row {}",
                j + 1,
                k + 1
            )));
        }
    }
    let p = x.len();
    let mut g = DMatrix::<f64>::zeros(p, p);
    for a in 0..p {
        for b in a..p {
            let s: f64 = (0..n).map(|k| d[k] * x[a][k] * x[b][k]).sum();
            g[(a, b)] = s;
            g[(b, a)] = s;
        }
    }
    let pinv = SymmetricPinv::new(p, |a, b| g[(a, b)]);
    let (ginv, rank) = (pinv.inverse(), pinv.rank());
    let x_rows = Sparse::from_dense(n, p, |k, j| x[j][k]);
    Ok(RegressionResiduals {
        x,
        d: d.to_vec(),
        w: w.to_vec(),
        ginv,
        rank,
        unit_wx: Sparse::default(),
        x_rows,
    })
}
