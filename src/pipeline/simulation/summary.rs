//! Accumulating the replications: per item (estimate, coefficient, difference or test) and
//! step, the Monte-Carlo summaries against the item's population value; the output table
//! and the per-step summaries.

use super::{ModelFailure, STEPS, SimulatedEstimate, Simulation};
use crate::data::{ColumnData, Table};
use crate::error::{Error, Result};
use crate::estimate::EstimateRow;
use std::collections::HashMap;

/// Level of the tests whose rejection rate is reported.
pub(super) const TEST_LEVEL: f64 = 0.05;

/// What an output row is about: `kind` (`estimate`, `coefficient`, `difference`,
/// `term_test`, `chisq`), estimate or model name, category, domain, model term. Ordered by
/// these fields (the estimates' order of earlier versions).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) struct Key {
    pub(super) kind: &'static str,
    pub(super) name: String,
    pub(super) category: Option<String>,
    pub(super) domain: String,
    pub(super) term: Option<String>,
}

/// The key of an estimate row.
pub(super) fn estimate_key(r: &EstimateRow) -> Key {
    let dom = r.domain.iter().map(|(v, l)| format!("{v}={l}")).collect::<Vec<_>>().join(";");
    Key {
        kind: "estimate",
        name: r.name.clone(),
        category: r.category.clone(),
        domain: dom,
        term: None,
    }
}

/// One replication's value of an item at one step (`NaN` = none): for a test, `estimate`
/// is the statistic.
#[derive(Debug, Clone, Copy)]
pub(super) struct Obs {
    pub(super) estimate: f64,
    pub(super) se: f64,
    pub(super) ci_low: f64,
    pub(super) ci_high: f64,
    pub(super) p_value: f64,
}

impl From<&EstimateRow> for Obs {
    fn from(r: &EstimateRow) -> Obs {
        Obs {
            estimate: r.estimate,
            se: r.se,
            ci_low: r.ci_low,
            ci_high: r.ci_high,
            p_value: f64::NAN,
        }
    }
}

/// An item's population value (`None` for tests) and its rank in the output.
#[derive(Debug, Clone, Copy)]
pub(super) struct Truth {
    pub(super) rank: usize,
    pub(super) value: Option<f64>,
}

/// One replication's output at one step: (step index, item, value).
pub(super) type Item = (usize, Key, Obs);

/// One replication's output: its items, and the models or tests it could not fit as
/// (step index, name, message).
#[derive(Debug, Default)]
pub(super) struct Run {
    pub(super) items: Vec<Item>,
    pub(super) failures: Vec<(usize, String, String)>,
}

/// What the replications give: estimate rows, model rows, model failures.
pub(super) type Accumulated = (Vec<SimulatedEstimate>, Vec<SimulatedEstimate>, Vec<ModelFailure>);

/// Accumulates the replications, in order: the estimate rows (by step, then key), the
/// model rows (by step, then their order in the census fit) and the model failures (by
/// step, then first occurrence).
///
/// # Errors
/// A replication's error; an item without a population value.
pub(super) fn accumulate(
    runs: Vec<Result<Run>>,
    truths: &HashMap<Key, Truth>,
) -> Result<Accumulated> {
    let mut acc: HashMap<(Key, usize), Acc> = HashMap::new();
    let mut failures: Vec<ModelFailure> = Vec::new();
    for (k, run) in runs.into_iter().enumerate() {
        let run = run?;
        for (s, key, obs) in run.items {
            let wide = super::models::model_wide(&key.name, &key.domain);
            let Some(t) =
                truths.get(&key).or_else(|| truths.get(&wide).filter(|_| key.kind != "estimate"))
            else {
                return Err(no_truth(&key));
            };
            let seen = acc.len();
            acc.entry((key, s))
                .or_insert_with(|| Acc { first_seen: seen, ..Acc::default() })
                .add(&obs, t.value);
        }
        for (s, name, message) in run.failures {
            match failures.iter_mut().find(|f| f.step == STEPS[s] && f.name == name) {
                Some(f) => f.replications += 1,
                None => failures.push(ModelFailure {
                    name,
                    step: STEPS[s],
                    replications: 1,
                    first: format!("replication {}: {message}", k + 1),
                }),
            }
        }
    }
    failures.sort_by_key(|f| STEPS.iter().position(|s| *s == f.step));
    let mut rows: Vec<((Key, usize), Acc)> = acc.into_iter().collect();
    let truth = |k: &Key| {
        truths.get(k).or_else(|| truths.get(&super::models::model_wide(&k.name, &k.domain)))
    };
    // rows sharing a model-wide truth keep their order of first appearance in a replication
    rows.sort_by_key(|((k, s), a)| {
        (k.kind != "estimate", *s, truth(k).map_or(usize::MAX, |t| t.rank), a.first_seen)
    });
    let (mut estimates, mut models) = (Vec::new(), Vec::new());
    for ((k, s), a) in rows {
        let row = a.summary(&k, s, truth(&k).and_then(|t| t.value));
        match k.kind {
            "estimate" => estimates.push(row),
            _ => models.push(row),
        }
    }
    Ok((estimates, models, failures))
}

fn no_truth(k: &Key) -> Error {
    let what = match k.kind {
        "estimate" => {
            format!("estimate `{}` (category {:?}, domain `{}`)", k.name, k.category, k.domain)
        }
        kind => format!("{kind} `{}` of `{}`", k.term.as_deref().unwrap_or(""), k.name),
    };
    Error::method(
        "simulate",
        format!(
            "{what} has no population value: a domain, category or level of the sample that \
             the population lacks"
        ),
    )
}

#[derive(Debug, Default)]
struct Acc {
    n: usize,
    sum: f64,
    sum2: f64,
    sq_err: f64,
    covered: usize,
    se: f64,
    tested: usize,
    rejected: usize,
    /// Position of the item's first appearance (replication, step, row order): the output
    /// order of rows that share a rank.
    first_seen: usize,
}

impl Acc {
    fn add(&mut self, o: &Obs, truth: Option<f64>) {
        if !o.estimate.is_finite() {
            return;
        }
        self.n += 1;
        self.sum += o.estimate;
        self.sum2 += o.estimate * o.estimate;
        if let Some(t) = truth {
            self.sq_err += (o.estimate - t).powi(2);
            self.covered += usize::from(o.ci_low <= t && t <= o.ci_high);
        }
        self.se += o.se;
        if o.p_value.is_finite() {
            self.tested += 1;
            self.rejected += usize::from(o.p_value < TEST_LEVEL);
        }
    }

    fn summary(&self, k: &Key, step: usize, truth: Option<f64>) -> SimulatedEstimate {
        let n = self.n as f64;
        let mean = self.sum / n;
        let var =
            if self.n > 1 { (self.sum2 - n * mean * mean).max(0.0) / (n - 1.0) } else { f64::NAN };
        let (t, has) = (truth.unwrap_or(f64::NAN), truth.is_some());
        let nan_unless = |v: f64| if has { v } else { f64::NAN };
        SimulatedEstimate {
            name: k.name.clone(),
            category: k.category.clone(),
            domain: k.domain.clone(),
            step: STEPS[step],
            truth: t,
            replications: self.n,
            mean,
            bias: mean - t,
            bias_mc_se: nan_unless((var / n).sqrt()),
            relative_bias: (mean - t) / t,
            rmse: nan_unless((self.sq_err / n).sqrt()),
            sd: var.sqrt(),
            mean_se: self.se / n,
            coverage: nan_unless(self.covered as f64 / n),
            kind: k.kind,
            term: k.term.clone(),
            rejection_rate: if self.tested > 0 {
                self.rejected as f64 / self.tested as f64
            } else {
                f64::NAN
            },
        }
    }
}

/// Per step: (step, mean |bias| / MC s.e., mean coverage, share within 2 MC s.e.) over
/// `rows` with a positive Monte-Carlo s.e.
fn per_step<'a>(
    rows: impl Iterator<Item = &'a SimulatedEstimate> + Clone,
) -> Vec<(&'static str, f64, f64, f64)> {
    STEPS
        .iter()
        .map(|s| {
            let rows: Vec<&SimulatedEstimate> =
                rows.clone().filter(|e| e.step == *s && e.bias_mc_se > 0.0).collect();
            let n = rows.len().max(1) as f64;
            let z: f64 = rows.iter().map(|e| e.bias.abs() / e.bias_mc_se).sum::<f64>() / n;
            let cov: f64 = rows.iter().map(|e| e.coverage).sum::<f64>() / n;
            let within =
                rows.iter().filter(|e| e.bias.abs() <= 2.0 * e.bias_mc_se).count() as f64 / n;
            (*s, z, cov, within)
        })
        .collect()
}

impl Simulation {
    /// The results as a table: one row per estimate × step, then one per model row × step
    /// (columns `kind`, `term` and `rejection_rate` after the estimates' columns).
    ///
    /// # Errors
    /// Internal only.
    pub fn table(&self) -> Result<Table> {
        let e: Vec<&SimulatedEstimate> = self.estimates.iter().chain(&self.models).collect();
        let text = |f: &dyn Fn(&SimulatedEstimate) -> Option<String>| {
            ColumnData::Str(e.iter().map(|r| f(r)).collect())
        };
        let num = |f: &dyn Fn(&SimulatedEstimate) -> f64| {
            ColumnData::from_f64(&e.iter().map(|r| f(r)).collect::<Vec<_>>())
        };
        Table::from_columns(vec![
            ("name".into(), text(&|r| Some(r.name.clone()))),
            ("category".into(), text(&|r| r.category.clone())),
            ("domain".into(), text(&|r| Some(r.domain.clone()))),
            ("step".into(), text(&|r| Some(r.step.to_string()))),
            ("truth".into(), num(&|r| r.truth)),
            (
                "replications".into(),
                ColumnData::I64(e.iter().map(|r| Some(r.replications as i64)).collect()),
            ),
            ("mean".into(), num(&|r| r.mean)),
            ("bias".into(), num(&|r| r.bias)),
            ("bias_mc_se".into(), num(&|r| r.bias_mc_se)),
            ("relative_bias".into(), num(&|r| r.relative_bias)),
            ("rmse".into(), num(&|r| r.rmse)),
            ("sd".into(), num(&|r| r.sd)),
            ("mean_se".into(), num(&|r| r.mean_se)),
            ("coverage".into(), num(&|r| r.coverage)),
            ("kind".into(), text(&|r| Some(r.kind.to_string()))),
            ("term".into(), text(&|r| r.term.clone())),
            ("rejection_rate".into(), num(&|r| r.rejection_rate)),
        ])
    }

    /// Per step: mean |bias| / MC s.e., mean coverage, share of estimates whose bias is
    /// within 2 Monte-Carlo standard errors — over the estimates of `names` (all if empty)
    /// with a positive Monte-Carlo s.e. (an estimate constant over the replications has no
    /// bias ratio; it stays in the table).
    pub fn step_summary(&self, names: &[&str]) -> Vec<(&'static str, f64, f64, f64)> {
        per_step(
            self.estimates.iter().filter(|e| names.is_empty() || names.contains(&e.name.as_str())),
        )
    }

    /// As [`Simulation::step_summary`], over the model rows with a population value
    /// (coefficients and differences) of the models and tests of `names` (all if empty).
    pub fn model_summary(&self, names: &[&str]) -> Vec<(&'static str, f64, f64, f64)> {
        per_step(self.models.iter().filter(|e| {
            matches!(e.kind, "coefficient" | "difference")
                && (names.is_empty() || names.contains(&e.name.as_str()))
        }))
    }
}
