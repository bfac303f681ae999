//! Weighted quantiles (R `survey` 4.1 `svyquantile` rules) and the Woodruff interval.
//!
//! # Formula
//! Rows sorted by x (zero weights removed), cumulative weights C_k, W = Σ w. With
//! `pos` = last k with C_k ≤ pW:
//! - `math` (= hf1, R's default): x_pos when C_pos = pW exactly, else x_{pos+1} — the
//!   inverse of the weighted ECDF (first k with C_k ≥ pW);
//! - `school` (= hf2): the average of x_pos and x_{pos+1} when C_pos = pW, else x_{pos+1};
//! - `hf7`: linear interpolation of x at p between points p_k = C_{k−1} / C_{n−1}
//!   (R's `qrule_hf7`, which reduces to type 7 with equal weights).
//!
//! Woodruff (1952) interval (R's `interval.type = "mean"`): p̂ = weighted mean of
//! 1{x ≤ q̂} with its design SE, `(p_L, p_U) = p̂ ∓ t·se`, interval `(Q(p_L), Q(p_U))` with
//! the same rule; `se = (Q(p_U) − Q(p_L)) / (2t)`.
//!
//! One deviation from R: when pW is below the first cumulative weight R's helper returns
//! x_2 for `math`; ponder returns x_1 (the ECDF inverse).

/// Quantile rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QuantileRule {
    /// Inverse weighted ECDF (R's default "math", = "hf1").
    #[default]
    Math,
    /// "school" (= "hf2"): average at exact steps.
    School,
    /// R's "hf7" interpolation.
    Hf7,
}

impl QuantileRule {
    /// Parses `math | hf1 | school | hf2 | hf7`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "math" | "hf1" => Some(QuantileRule::Math),
            "school" | "hf2" => Some(QuantileRule::School),
            "hf7" => Some(QuantileRule::Hf7),
            _ => None,
        }
    }
}

/// Values sorted by x with their cumulative weights (zero weights removed).
#[derive(Debug, Clone)]
pub struct SortedSample {
    x: Vec<f64>,
    cumw: Vec<f64>,
}

impl SortedSample {
    /// Sorts `(x, w)` pairs (stable in x; pairs with w = 0 are dropped).
    pub fn new(mut pairs: Vec<(f64, f64)>) -> Self {
        pairs.retain(|p| p.1 != 0.0);
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut acc = 0.0;
        let mut x = Vec::with_capacity(pairs.len());
        let mut cumw = Vec::with_capacity(pairs.len());
        for (xi, wi) in pairs {
            acc += wi;
            x.push(xi);
            cumw.push(acc);
        }
        SortedSample { x, cumw }
    }

    /// True when there is no row with positive weight.
    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }

    /// Quantile of order p ∈ [0, 1] with `rule` (NaN when empty or p outside [0, 1]).
    pub fn quantile(&self, p: f64, rule: QuantileRule) -> f64 {
        let n = self.x.len();
        if n == 0 || !(0.0..=1.0).contains(&p) {
            return f64::NAN;
        }
        let total = self.cumw[n - 1];
        let target = p * total;
        match rule {
            QuantileRule::Math | QuantileRule::School => {
                // number of k with C_k <= pW
                let cnt = self.cumw.partition_point(|&c| c <= target);
                if cnt == 0 {
                    return self.x[0];
                }
                let pos = cnt - 1;
                let next = (pos + 1).min(n - 1);
                let exact = p - self.cumw[pos] / total == 0.0;
                match (exact, rule) {
                    (true, QuantileRule::Math) => self.x[pos],
                    (true, _) => (self.x[pos] + self.x[next]) / 2.0,
                    (false, _) => self.x[next],
                }
            }
            QuantileRule::Hf7 => {
                if n == 1 {
                    return self.x[0];
                }
                let denom = self.cumw[n - 2];
                let pk = |k: usize| if k == 0 { 0.0 } else { self.cumw[k - 1] / denom };
                if p <= pk(0) {
                    return self.x[0];
                }
                for k in 1..n {
                    let (a, b) = (pk(k - 1), pk(k));
                    if p <= b {
                        return if b > a {
                            self.x[k - 1] + (self.x[k] - self.x[k - 1]) * (p - a) / (b - a)
                        } else {
                            self.x[k]
                        };
                    }
                }
                self.x[n - 1]
            }
        }
    }
}
