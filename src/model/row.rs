//! One row of a model result table: a coefficient, a term test, a χ² test or a difference.

/// One output row: a coefficient, a term test, a χ² test or a difference (`NaN` = empty).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelRow {
    /// Model or test name.
    pub name: String,
    /// `coefficient`, `term_test`, `chisq` or `difference`.
    pub kind: &'static str,
    /// Coefficient label (`(Intercept)`, `x`, `g=b`, `a=1:b=2`), term, or the columns tested.
    pub term: String,
    /// Estimate (coefficient or difference).
    pub estimate: f64,
    /// Its standard error.
    pub se: f64,
    /// t, z, F or χ² statistic.
    pub statistic: f64,
    /// Degrees of freedom (numerator for F).
    pub df: f64,
    /// Denominator degrees of freedom of an F statistic.
    pub df2: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Lower bound of the interval.
    pub ci_low: f64,
    /// Upper bound of the interval.
    pub ci_high: f64,
    /// exp(estimate, ci_low, ci_high) for log and logit links.
    pub exp: Option<[f64; 3]>,
    /// Rows used.
    pub n: Option<usize>,
    /// Flags (none yet: problems stop the run).
    pub flags: String,
}

impl ModelRow {
    /// An empty row (every number `NaN`) of a model or test.
    pub fn new(name: &str, kind: &'static str, term: String) -> ModelRow {
        let nan = f64::NAN;
        ModelRow {
            name: name.to_string(),
            kind,
            term,
            estimate: nan,
            se: nan,
            statistic: nan,
            df: nan,
            df2: nan,
            p_value: nan,
            ci_low: nan,
            ci_high: nan,
            exp: None,
            n: None,
            flags: String::new(),
        }
    }
}
