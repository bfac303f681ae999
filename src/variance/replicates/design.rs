//! Replicate-weight designs and the replicate variance.
//!
//! # Formula
//! `v = scale · Σ_r rscale_r (θ_r − c)²`, c = mean of the θ_r, or θ̂ when `mse` (R
//! `survey`'s `svrVar`). Default scales (R `survey`, methods.md §4): JK1 (R−1)/R; JKn 1 with
//! per-replicate rscales (n_h − 1)/n_h; BRR 1/R; Fay 1/(R(1−ρ)²); bootstrap 1/(R−1);
//! SDR 4/R.

use crate::error::{Error, Result};
use nalgebra::DMatrix;

/// Kind of replicate weights.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ReplicateKind {
    /// Delete-one-PSU jackknife, unstratified.
    Jk1,
    /// Stratified delete-one-PSU jackknife.
    Jkn,
    /// Balanced repeated replication (2 PSUs per stratum).
    Brr,
    /// Fay's BRR with perturbation factor ρ ∈ (0, 1).
    Fay {
        /// Fay's ρ.
        rho: f64,
    },
    /// Rao–Wu rescaled bootstrap.
    Bootstrap,
    /// Successive difference replication (Fay & Train 1995).
    Sdr,
    /// Anything else: scale (and rscales) must be given.
    Other,
}

impl ReplicateKind {
    /// Name as used in configs and R (`JK1`, `JKn`, `BRR`, `Fay`, `bootstrap`, `successive-difference`, `other`).
    pub fn r_type(&self) -> &'static str {
        match self {
            ReplicateKind::Jk1 => "JK1",
            ReplicateKind::Jkn => "JKn",
            ReplicateKind::Brr => "BRR",
            ReplicateKind::Fay { .. } => "Fay",
            ReplicateKind::Bootstrap => "bootstrap",
            ReplicateKind::Sdr => "successive-difference",
            ReplicateKind::Other => "other",
        }
    }

    /// Default overall scale for `r` replicates (`None`: must be given).
    pub fn default_scale(&self, r: usize) -> Option<f64> {
        let r = r as f64;
        match self {
            ReplicateKind::Jk1 => Some((r - 1.0) / r),
            ReplicateKind::Jkn => Some(1.0),
            ReplicateKind::Brr => Some(1.0 / r),
            ReplicateKind::Fay { rho } => Some(1.0 / (r * (1.0 - rho) * (1.0 - rho))),
            ReplicateKind::Bootstrap => Some(1.0 / (r - 1.0)),
            ReplicateKind::Sdr => Some(4.0 / r),
            ReplicateKind::Other => None,
        }
    }
}

/// Full-sample weights plus R replicate analysis weights, with their variance convention.
#[derive(Debug, Clone)]
pub struct ReplicateDesign {
    pub(crate) kind: ReplicateKind,
    pub(crate) full: Vec<f64>,
    pub(crate) reps: Vec<Vec<f64>>,
    pub(crate) scale: f64,
    pub(crate) rscales: Vec<f64>,
    pub(crate) mse: bool,
    pub(crate) df: f64,
}

/// Options when reading replicate columns ([`ReplicateDesign::from_columns`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicateOptions {
    /// Kind of replicates.
    pub kind: ReplicateKind,
    /// Overall scale; default per kind.
    pub scale: Option<f64>,
    /// Per-replicate factors; default all 1 (required for JKn).
    pub rscales: Option<Vec<f64>>,
    /// Centre deviations on the full-sample estimate.
    pub mse: bool,
    /// Declared number of replicate columns, checked against the columns found.
    pub expected_count: Option<usize>,
    /// Degrees of freedom; default R − 1 (R `survey` uses the rank of the replicate weight
    /// matrix minus 1, which is R − 1 unless replicates are linearly dependent).
    pub df: Option<f64>,
}

impl ReplicateOptions {
    /// Defaults for a kind: default scale, rscales 1, `mse` false.
    pub fn new(kind: ReplicateKind) -> Self {
        ReplicateOptions {
            kind,
            scale: None,
            rscales: None,
            mse: false,
            expected_count: None,
            df: None,
        }
    }
}

fn err(msg: String) -> Error {
    Error::method("replicates", msg)
}

impl ReplicateDesign {
    /// Replicate design from full-sample weights and replicate analysis weight columns
    /// (each a full weight vector, like `replicate_weights.csv`).
    ///
    /// # Errors
    /// No column, a count different from `expected_count`, columns of the wrong length or
    /// with missing/negative values, rscales of the wrong length, a missing scale for
    /// `Other`, missing rscales for JKn, ρ outside (0, 1).
    pub fn from_columns(
        full_weights: Vec<f64>,
        columns: Vec<Vec<f64>>,
        opts: ReplicateOptions,
    ) -> Result<Self> {
        let r = columns.len();
        if let Some(e) = opts.expected_count
            && e != r
        {
            return Err(err(format!(
                "{e} replicate columns declared but {r} found: check the column pattern or the \
                 declared number of replicates"
            )));
        }
        if r < 2 {
            return Err(err(format!("{r} replicate column(s): at least 2 are needed")));
        }
        let n = full_weights.len();
        for (i, c) in columns.iter().enumerate() {
            if c.len() != n {
                return Err(err(format!(
                    "replicate column {} has {} rows, expected {n}",
                    i + 1,
                    c.len()
                )));
            }
            if let Some(bad) = crate::data::check_weights(c) {
                return Err(err(bad.describe(&format!("replicate column {}", i + 1))));
            }
        }
        if let ReplicateKind::Fay { rho } = opts.kind
            && !(rho > 0.0 && rho < 1.0)
        {
            return Err(err(format!("Fay's rho must be in (0, 1), got {rho}")));
        }
        let scale = match opts.scale.or(opts.kind.default_scale(r)) {
            Some(s) if s.is_finite() && s > 0.0 => s,
            Some(s) => return Err(err(format!("replicate scale must be > 0, got {s}"))),
            None => return Err(err("replicate type `other` needs an explicit `scale`".into())),
        };
        let rscales = match opts.rscales {
            Some(v) if v.len() == r => v,
            Some(v) => return Err(err(format!("{} rscales for {r} replicate columns", v.len()))),
            None if opts.kind == ReplicateKind::Jkn => {
                return Err(err(
                    "JKn replicates need `rscales` ((n_h − 1)/n_h per replicate)".into()
                ));
            }
            None => vec![1.0; r],
        };
        Ok(ReplicateDesign {
            kind: opts.kind,
            full: full_weights,
            reps: columns,
            scale,
            rscales,
            mse: opts.mse,
            df: opts.df.unwrap_or((r - 1) as f64),
        })
    }

    /// Kind of replicates.
    pub fn kind(&self) -> ReplicateKind {
        self.kind
    }
    /// Full-sample weights.
    pub fn full_weights(&self) -> &[f64] {
        &self.full
    }
    /// Replicate analysis weights, one vector per replicate.
    pub fn replicate_weights(&self) -> &[Vec<f64>] {
        &self.reps
    }
    /// The replicate weight columns, moved out (`ponder replicates` appends them to its
    /// output table without copying 8 bytes × rows × replicates).
    pub fn into_replicate_weights(self) -> Vec<Vec<f64>> {
        self.reps
    }
    /// Number of replicates.
    pub fn n_replicates(&self) -> usize {
        self.reps.len()
    }
    /// Overall scale.
    pub fn scale(&self) -> f64 {
        self.scale
    }
    /// Per-replicate factors.
    pub fn rscales(&self) -> &[f64] {
        &self.rscales
    }
    /// Deviations around the full-sample estimate?
    pub fn mse(&self) -> bool {
        self.mse
    }
    /// Degrees of freedom for t intervals.
    pub fn degrees_of_freedom(&self) -> f64 {
        self.df
    }
    /// Column names `rep_1..rep_R` (`prefix_1..`).
    pub fn column_names(&self, prefix: &str) -> Vec<String> {
        (1..=self.reps.len()).map(|i| format!("{prefix}_{i}")).collect()
    }

    /// Same design with replaced weights (e.g. every replicate recalibrated by the
    /// calibration module); scale, rscales and mse are kept.
    ///
    /// # Errors
    /// A different number of replicates or rows.
    pub fn with_weights(&self, full: Vec<f64>, reps: Vec<Vec<f64>>) -> Result<Self> {
        if reps.len() != self.reps.len()
            || full.len() != self.full.len()
            || reps.iter().any(|r| r.len() != full.len())
        {
            return Err(err("replacement replicate weights do not have the original shape".into()));
        }
        Ok(ReplicateDesign { full, reps, ..self.clone() })
    }

    /// The same design on other rows, row u carrying the weights of row `rows[u]` (linked
    /// units: each dispute with its person's full-sample and replicate weights); kind,
    /// scale, rscales, centring and df are kept.
    ///
    /// # Errors
    /// A row index out of range.
    pub fn on_rows(&self, rows: &[u32]) -> Result<Self> {
        if let Some(u) = rows.iter().position(|&i| i as usize >= self.full.len()) {
            return Err(err(format!(
                "row {} points to row {} of {}",
                u + 1,
                rows[u] + 1,
                self.full.len()
            )));
        }
        let take = |w: &[f64]| rows.iter().map(|&i| w[i as usize]).collect::<Vec<f64>>();
        let reps = self.reps.iter().map(|r| take(r)).collect();
        Ok(ReplicateDesign { full: take(&self.full), reps, ..self.clone() })
    }

    /// Replicate variance of an estimate from its replicate values.
    ///
    /// Replicates whose estimate is not finite (e.g. a domain empty in that replicate) are
    /// left out, as R `survey`'s `svrVar` does; their number is returned.
    pub fn variance_of(&self, thetas: &[f64], theta_hat: f64) -> (f64, usize) {
        let ok: Vec<(f64, f64)> = thetas
            .iter()
            .zip(&self.rscales)
            .filter(|(t, _)| t.is_finite())
            .map(|(t, s)| (*t, *s))
            .collect();
        let dropped = thetas.len() - ok.len();
        if ok.is_empty() {
            return (f64::NAN, dropped);
        }
        let centre = if self.mse {
            theta_hat
        } else {
            ok.iter().map(|(t, _)| t).sum::<f64>() / ok.len() as f64
        };
        let v = self.scale * ok.iter().map(|(t, s)| s * (t - centre) * (t - centre)).sum::<f64>();
        (v, dropped)
    }

    /// Replicate covariance matrix of k estimates: `thetas[r]` holds the k estimates of
    /// replicate r, `theta_hat` the full-sample ones.
    ///
    /// # Formula
    /// `C_ab = scale · Σ_r rscale_r (θ_ra − c_a)(θ_rb − c_b)` over the replicates where both
    /// estimates are finite, c the mean over those replicates (or θ̂ when `mse`); the
    /// diagonal is [`ReplicateDesign::variance_of`] bit for bit. NaN when no replicate is
    /// left.
    pub fn covariance_of(&self, thetas: &[Vec<f64>], theta_hat: &[f64]) -> DMatrix<f64> {
        let k = theta_hat.len();
        let mut c = DMatrix::from_element(k, k, f64::NAN);
        for a in 0..k {
            for b in a..k {
                let v = self.pair_covariance(thetas, a, b, theta_hat);
                c[(a, b)] = v;
                c[(b, a)] = v;
            }
        }
        c
    }

    fn pair_covariance(&self, thetas: &[Vec<f64>], a: usize, b: usize, hat: &[f64]) -> f64 {
        let ok: Vec<(f64, f64, f64)> = thetas
            .iter()
            .zip(&self.rscales)
            .filter(|(t, _)| t[a].is_finite() && t[b].is_finite())
            .map(|(t, s)| (t[a], t[b], *s))
            .collect();
        if ok.is_empty() {
            return f64::NAN;
        }
        let centre = |pick: fn(&(f64, f64, f64)) -> f64, i: usize| {
            if self.mse { hat[i] } else { ok.iter().map(pick).sum::<f64>() / ok.len() as f64 }
        };
        let (ca, cb) = (centre(|t| t.0, a), centre(|t| t.1, b));
        self.scale * ok.iter().map(|(ta, tb, s)| s * (ta - ca) * (tb - cb)).sum::<f64>()
    }
}
