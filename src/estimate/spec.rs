//! What to estimate ([`EstimateSpec`]) and what comes out ([`EstimateRow`]).

use super::ci::CiMethod;
use super::item::{ItemRates, ItemSpec};
use super::quantile::QuantileRule;
use crate::design::{Categorical, Numeric};

/// The statistic of an estimate request.
#[derive(Debug, Clone, Copy)]
pub enum Statistic<'a> {
    /// Population total of a numeric variable.
    Total(&'a Numeric),
    /// Mean of a numeric variable.
    Mean(&'a Numeric),
    /// Share of a category (`Some(label)`) or of every category (`None`).
    Proportion {
        /// The categorical variable.
        variable: &'a Categorical,
        /// Category label (text form); `None` = one row per category.
        category: Option<&'a str>,
    },
    /// Ratio of two totals.
    Ratio {
        /// Numerator.
        numerator: &'a Numeric,
        /// Denominator.
        denominator: &'a Numeric,
    },
    /// Quantile of order p.
    Quantile {
        /// Variable.
        variable: &'a Numeric,
        /// Order in [0, 1].
        p: f64,
        /// Quantile rule.
        rule: QuantileRule,
    },
}

impl Statistic<'_> {
    /// `total | mean | proportion | ratio | quantile`.
    pub fn name(&self) -> &'static str {
        match self {
            Statistic::Total(_) => "total",
            Statistic::Mean(_) => "mean",
            Statistic::Proportion { .. } => "proportion",
            Statistic::Ratio { .. } => "ratio",
            Statistic::Quantile { .. } => "quantile",
        }
    }

    /// Name of the analysis variable.
    pub fn variable_name(&self) -> &str {
        match self {
            Statistic::Total(v) | Statistic::Mean(v) => &v.name,
            Statistic::Proportion { variable, .. } => &variable.name,
            Statistic::Ratio { numerator, .. } => &numerator.name,
            Statistic::Quantile { variable, .. } => &variable.name,
        }
    }
}

/// Degrees of freedom of the interval.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum DfRule {
    /// Standard normal quantile.
    #[default]
    Infinite,
    /// Design df (#PSU − #strata; replicate designs: their df).
    Design,
    /// The domain's own sub-design df (#PSU − #strata among its rows).
    Domain,
    /// A given value.
    Fixed(f64),
}

/// Missing values in the analysis variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingPolicy {
    /// Error naming the column and the number of missing values.
    #[default]
    Fail,
    /// Rows with a missing value are out of the domain (weight kept in the design).
    Drop,
}

/// One estimate request (one line of `estimates:`).
#[derive(Debug, Clone)]
pub struct EstimateSpec<'a> {
    /// Name written in the output.
    pub name: String,
    /// Statistic.
    pub statistic: Statistic<'a>,
    /// Domain variables (crossed).
    pub by: Vec<&'a Categorical>,
    /// Interval method.
    pub ci: CiMethod,
    /// Confidence level (0.95).
    pub level: f64,
    /// Degrees of freedom rule.
    pub df: DfRule,
    /// Missing analysis values.
    pub missing: MissingPolicy,
    /// Optional domain filter: rows where false are out of every domain.
    pub filter: Option<&'a [bool]>,
    /// Also output domains (label combinations) without any sampled row.
    pub keep_empty_domains: bool,
    /// Declared codes of missing answers in the analysis variable and how item
    /// nonrespondents enter ([`ItemSpec`]); `None` = no code declared or none occurs.
    pub item: Option<ItemSpec<'a>>,
}

impl<'a> EstimateSpec<'a> {
    /// A request with defaults: Wald 95 % normal interval, `missing: fail`, no domain.
    pub fn new(name: &str, statistic: Statistic<'a>) -> Self {
        EstimateSpec {
            name: name.to_string(),
            statistic,
            by: Vec::new(),
            ci: CiMethod::Wald,
            level: 0.95,
            df: DfRule::Infinite,
            missing: MissingPolicy::Fail,
            filter: None,
            keep_empty_domains: false,
            item: None,
        }
    }
}

/// Publication rules: flag (and optionally suppress) unreliable cells.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Publication {
    /// Flag cells with fewer sampled rows.
    pub min_n: Option<usize>,
    /// Flag cells with a larger coefficient of variation (0.3 = 30 %).
    pub max_cv: Option<f64>,
    /// Blank out (NaN) estimate, se, CI and CV of flagged cells.
    pub suppress: bool,
}

/// Flags of an estimate row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags {
    /// The domain has no sampled row with positive weight: estimate undefined.
    pub empty: bool,
    /// The domain has rows but the estimate is undefined (a ratio whose denominator
    /// totals 0 in the domain, a proportion of a domain of total weight 0).
    pub undefined: bool,
    /// Fewer rows than `min_n`.
    pub low_n: bool,
    /// CV above `max_cv` (or undefined).
    pub high_cv: bool,
    /// Values blanked by suppression.
    pub suppressed: bool,
    /// Replicates left out because their estimate was undefined.
    pub dropped_replicates: usize,
}

/// One output row: `name, stat, variable, category, <by...>, estimate, se, ci_low, ci_high,
/// cv, deff, n, n_weighted, df`.
#[derive(Debug, Clone, PartialEq)]
pub struct EstimateRow {
    /// Request name.
    pub name: String,
    /// Statistic name.
    pub stat: &'static str,
    /// Analysis variable.
    pub variable: String,
    /// Category (proportions) or the quantile order.
    pub category: Option<String>,
    /// Domain: (by variable, label) pairs.
    pub domain: Vec<(String, String)>,
    /// Estimate.
    pub estimate: f64,
    /// Standard error (quantiles: Woodruff CI width / (2 t), as R).
    pub se: f64,
    /// Lower bound.
    pub ci_low: f64,
    /// Upper bound.
    pub ci_high: f64,
    /// se / |estimate|.
    pub cv: f64,
    /// Design effect vs SRSWOR of the same size (total, mean, proportion).
    pub deff: Option<f64>,
    /// Sampled rows of the domain with positive weight.
    pub n: usize,
    /// Sum of weights of the domain.
    pub n_weighted: f64,
    /// Degrees of freedom used (`None` = normal).
    pub df: Option<f64>,
    /// Flags.
    pub flags: Flags,
    /// Missing answers of the question in the domain cell and how they entered (`None` when
    /// the request declares none).
    pub item: Option<ItemRates>,
}
