//! `ponder simulate`: the pipeline's sample, collection and weighting repeated K times on
//! one synthetic population, each estimate compared with its true population value at each
//! weighting step.
//!
//! # Method
//! One synthetic register of N persons and its survey population (answers, response
//! behaviour) are generated once. The **true value** of each estimate is the same
//! estimate computed on the whole population: weight 1 for every in-scope, eligible person
//! and 0 otherwise (their true answers, no mode effect). The calibration margins are the
//! population's own counts of the calibration variables among in-scope eligible persons (in
//! a simulation the census is exact), whatever the calibration file says.
//!
//! Replication k draws a sample with its own seed (K seeds drawn from the master seed's
//! ChaCha8 stream 3), collects, corrects nonresponse, calibrates, makes R bootstrap
//! replicates redoing both, and estimates at three steps:
//! - `design`: respondents with their design weights (no correction; replicates: the
//!   bootstrap design replicates restricted to respondents);
//! - `nonresponse`: the nonresponse-adjusted weights and their replicates;
//! - `calibration`: the calibrated weights and their replicates.
//!
//! Per estimate and step: mean estimate, bias = mean − true, its Monte-Carlo standard error
//! sd/√K', relative bias, RMSE = √(mean (θ̂ − θ)²), coverage of the confidence interval, mean
//! SE against the Monte-Carlo SD of θ̂ (K' = replications where the estimate exists).

use super::Progress;
use super::chain::{PassOptions, World, step_weight, weigh};
use crate::config::calibrate::{CalibrationConfig, Figures, MarginSpec};
use crate::config::estimate::EstimateConfig;
use crate::config::pipeline::{PipelineConfig, Start};
use crate::config::sample::FrameSource;
use crate::data::{ColumnData, Factor, Table};
use crate::error::{Error, Result};
use crate::estimate::EstimateRow;
use crate::simulate::survey::{
    EXPERIENCE_LEVELS, Population, REASON_LEVELS, RECOURSE_LEVELS, TRUST_LEVELS,
};
use rand::Rng;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;

/// Settings of a simulation.
#[derive(Debug, Clone)]
pub struct SimulationOptions {
    /// Replications K.
    pub replications: usize,
    /// Persons in the synthetic register.
    pub population: usize,
    /// Sample size (replaces the design's `n`).
    pub sample_size: Option<u64>,
    /// Bootstrap replicates per replication.
    pub replicates: usize,
    /// Master seed.
    pub seed: u64,
}

/// The weighting steps compared.
pub const STEPS: [&str; 3] = ["design", "nonresponse", "calibration"];

/// Result for one estimate (name, category, domain) at one step.
#[derive(Debug, Clone, Serialize)]
pub struct SimulatedEstimate {
    /// Estimate name.
    pub name: String,
    /// Category (proportions).
    pub category: Option<String>,
    /// Domain labels `var=label`, joined by `;`.
    pub domain: String,
    /// Weighting step.
    pub step: &'static str,
    /// Population value.
    pub truth: f64,
    /// Replications where the estimate exists.
    pub replications: usize,
    /// Mean estimate.
    pub mean: f64,
    /// Mean − truth.
    pub bias: f64,
    /// Monte-Carlo standard error of the bias, sd/√K'.
    pub bias_mc_se: f64,
    /// bias / truth.
    pub relative_bias: f64,
    /// Root mean squared error.
    pub rmse: f64,
    /// Monte-Carlo standard deviation of the estimates.
    pub sd: f64,
    /// Mean estimated standard error.
    pub mean_se: f64,
    /// Share of confidence intervals containing the truth.
    pub coverage: f64,
}

/// Everything a simulation produced.
#[derive(Debug, Clone, Serialize)]
pub struct Simulation {
    /// Replications run.
    pub replications: usize,
    /// Register size.
    pub population: usize,
    /// In-scope eligible persons.
    pub target_population: usize,
    /// Bootstrap replicates per replication.
    pub replicates: usize,
    /// Master seed.
    pub seed: u64,
    /// One entry per estimate × step.
    pub estimates: Vec<SimulatedEstimate>,
}

type Key = (String, Option<String>, String);

fn key(r: &EstimateRow) -> Key {
    let dom = r.domain.iter().map(|(v, l)| format!("{v}={l}")).collect::<Vec<_>>().join(";");
    (r.name.clone(), r.category.clone(), dom)
}

/// Runs the simulation.
///
/// # Errors
/// A pipeline that does not draw from the synthetic register with a synthetic collection,
/// no estimates step, any step's error in a replication (named by its number).
pub fn simulate(
    cfg: &PipelineConfig,
    opts: &SimulationOptions,
    ui: &dyn Progress,
) -> Result<Simulation> {
    super::schema::check(cfg, None)?;
    let (cfg, world, estimates) = prepare(cfg, opts)?;
    let (truth_table, in_target) = population_table(&cfg, &world)?;
    let target_population = in_target.iter().filter(|b| **b).count();
    let truth: HashMap<Key, f64> =
        crate::bind::estimate::compute(&estimates.with_weights("true_weight", None), &truth_table)?
            .iter()
            .map(|r| (key(r), r.estimate))
            .collect();
    let calibration = cfg
        .calibration
        .as_ref()
        .map(|c| true_margins(&c.config, &truth_table, &in_target))
        .transpose()?;
    let mut seeds = super::chain::stream(opts.seed, 3);
    let seeds: Vec<u64> = (0..opts.replications).map(|_| seeds.next_u64()).collect();
    let bar = ui.bar(opts.replications as u64, "replications");
    let runs: Vec<Result<Vec<(usize, EstimateRow)>>> = seeds
        .par_iter()
        .enumerate()
        .map(|(k, &seed)| {
            let pass = PassOptions {
                seed,
                replicates: Some(opts.replicates),
                all_replicate_columns: true,
                calibration: calibration.clone(),
            };
            let out = replication(&cfg, &world, &pass, &estimates).map_err(|e| {
                Error::method("simulate", format!("replication {} (seed {seed}): {e} (with small samples, a larger --sample-size keeps every calibration cell filled)", k + 1))
            });
            bar.inc(1);
            out
        })
        .collect();
    bar.finish_and_clear();
    let mut acc: HashMap<(Key, usize), Acc> = HashMap::new();
    let mut order: Vec<(Key, usize)> = Vec::new();
    for run in runs {
        for (s, row) in run? {
            let k = (key(&row), s);
            let Some(&t) = truth.get(&k.0) else {
                return Err(Error::method(
                    "simulate",
                    format!(
                        "estimate `{}` (category {:?}, domain `{}`) has no population value: \
                         a domain or category of the sample that the population lacks",
                        k.0.0, k.0.1, k.0.2
                    ),
                ));
            };
            let a = acc.entry(k.clone()).or_insert_with(|| {
                order.push(k.clone());
                Acc::default()
            });
            a.add(&row, t);
        }
    }
    order.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    let estimates = order.iter().map(|k| acc[k].summary(k, truth[&k.0])).collect();
    Ok(Simulation {
        replications: opts.replications,
        population: world.table.n_rows(),
        target_population,
        replicates: opts.replicates,
        seed: opts.seed,
        estimates,
    })
}

/// The pipeline with the simulation's register size and sample size, its world, and its
/// estimates configuration.
fn prepare(
    cfg: &PipelineConfig,
    opts: &SimulationOptions,
) -> Result<(PipelineConfig, World, EstimateConfig)> {
    let mut cfg = cfg.clone();
    let Start::Sample(sample) = &mut cfg.start else {
        return Err(Error::data(
            &cfg.file,
            "simulate needs a `sample` step drawing from the synthetic register",
        ));
    };
    let Some(FrameSource::Synthetic { rows, .. }) = &mut sample.frame else {
        return Err(Error::data(
            &sample.file,
            "simulate needs `frame: {synthetic: {rows, seed}}` in the sample design",
        ));
    };
    *rows = opts.population;
    if let Some(n) = opts.sample_size {
        sample.n = n;
    }
    if cfg.collection.is_none() || cfg.nonresponse.is_none() {
        return Err(Error::data(
            &cfg.file,
            "simulate needs the `collection` and `nonresponse` steps",
        ));
    }
    if cfg.replicates.is_none() {
        return Err(Error::data(
            &cfg.file,
            "simulate needs a `replicates` step (the intervals come from the replicates)",
        ));
    }
    let Some(estimates) = cfg.estimates.clone() else {
        return Err(Error::data(
            &cfg.file,
            "simulate needs an `estimates` step: it says what to compare",
        ));
    };
    let world = World::load(&cfg, None)?;
    Ok((cfg, world, estimates))
}

/// One replication: the chain, then the estimates at each step.
fn replication(
    cfg: &PipelineConfig,
    world: &World,
    pass: &PassOptions,
    estimates: &EstimateConfig,
) -> Result<Vec<(usize, EstimateRow)>> {
    let mut w = weigh(cfg, world, pass, &super::Silent)?;
    respondent_design_weights(cfg, &mut w.table, pass.replicates.unwrap_or(0))?;
    let mut out = Vec::new();
    for (s, step) in STEPS.iter().enumerate() {
        let weight = match *step {
            "design" => "respondent_design_weight".to_string(),
            _ => step_weight(cfg, step).to_string(),
        };
        if weight.is_empty() {
            continue;
        }
        let e = estimates.with_weights(&weight, Some(&format!("{weight}_rep_*")));
        out.extend(crate::bind::estimate::compute(&e, &w.table)?.into_iter().map(|r| (s, r)));
    }
    Ok(out)
}

/// `respondent_design_weight` (and its replicates): design weights of respondents, 0 for
/// everybody else — the estimator without any correction.
fn respondent_design_weights(
    cfg: &PipelineConfig,
    table: &mut Table,
    replicates: usize,
) -> Result<()> {
    let nr = step_weight(cfg, "nonresponse");
    let respondent: Vec<bool> = table.numeric(nr)?.iter().map(|w| *w > 0.0).collect();
    let design = cfg.design_weight().to_string();
    let mask = |v: Vec<f64>| -> Vec<f64> {
        v.iter().zip(&respondent).map(|(x, r)| if *r { *x } else { 0.0 }).collect()
    };
    table.add_column(
        "respondent_design_weight",
        ColumnData::from_f64(&mask(table.numeric(&design)?)),
    )?;
    for k in 1..=replicates {
        let col = mask(table.numeric(&format!("{design}_rep_{k}"))?);
        table
            .add_column(&format!("respondent_design_weight_rep_{k}"), ColumnData::from_f64(&col))?;
    }
    Ok(())
}

/// The whole register with every person's true answers and `true_weight` = 1 in the target
/// population (in scope and eligible), 0 elsewhere; and the target flags.
fn population_table(cfg: &PipelineConfig, world: &World) -> Result<(Table, Vec<bool>)> {
    let (Some(pop), Start::Sample(sample)) = (&world.population, &cfg.start) else {
        return Err(Error::Internal("simulation world without population".into()));
    };
    let (scope, _) = crate::bind::sample::scope(sample, &world.table)?;
    let target: Vec<bool> = scope.iter().zip(&pop.eligible).map(|(s, e)| *s && *e).collect();
    let mut table = world.table.clone();
    for (name, col) in true_answers(pop) {
        table.add_column(&name, col)?;
    }
    table.add_column(
        "true_weight",
        ColumnData::F64(target.iter().map(|t| Some(if *t { 1.0 } else { 0.0 })).collect()),
    )?;
    Ok((table, target))
}

fn yes_no(v: &[bool]) -> ColumnData {
    ColumnData::Str(v.iter().map(|b| Some(if *b { "yes" } else { "no" }.to_string())).collect())
}

fn levels(v: &[u8], labels: &[&str]) -> ColumnData {
    ColumnData::Str(v.iter().map(|&c| labels.get(c as usize).map(|s| (*s).to_string())).collect())
}

/// Every person's true answers, coded as the collection codes respondents' answers
/// ([`crate::simulate::collection::survey_columns`]).
pub fn true_answers(p: &Population) -> Vec<(String, ColumnData)> {
    let trusts: Vec<bool> = p.trust.iter().map(|t| *t <= 1).collect();
    vec![
        ("trust".into(), levels(&p.trust, &TRUST_LEVELS)),
        ("trusts".into(), yes_no(&trusts)),
        ("slow".into(), yes_no(&p.slow)),
        ("costly".into(), yes_no(&p.costly)),
        ("complex".into(), yes_no(&p.complex)),
        ("fair".into(), yes_no(&p.fair)),
        ("court_experience".into(), levels(&p.experience, &EXPERIENCE_LEVELS)),
        ("dispute".into(), yes_no(&p.dispute)),
        ("recourse".into(), levels(&p.recourse, &RECOURSE_LEVELS)),
        ("nonrecourse_reason".into(), levels(&p.reason, &REASON_LEVELS)),
    ]
}

/// The calibration configuration with the target population's own counts as margins.
fn true_margins(
    cfg: &CalibrationConfig,
    table: &Table,
    target: &[bool],
) -> Result<CalibrationConfig> {
    let mut c = crate::bind::calibration::with_table_margins(cfg)?;
    c.population_total = None;
    for m in &mut c.margins {
        match m {
            MarginSpec::Categorical { variables, figures, kind, groups, key } => {
                let factor = crate::bind::calibration::margin_factor(table, variables, groups)
                    .map_err(|(k, e)| Error::data(&cfg.file, format!("{key}{k}: {e}")))?;
                let mut n = vec![0.0; factor.levels.len()];
                for (&c, _) in factor.codes.iter().zip(target).filter(|(_, t)| **t) {
                    if c != Factor::MISSING {
                        n[c as usize] += 1.0;
                    }
                }
                let counts: Vec<(String, f64)> =
                    factor.levels.iter().cloned().zip(n).filter(|(_, n)| *n > 0.0).collect();
                *figures = counts.into_iter().collect();
                *kind = Figures::Totals;
            }
            MarginSpec::Numeric { variable, total, .. } => {
                let v = table.numeric(variable)?;
                *total = v.iter().zip(target).filter(|(_, t)| **t).map(|(x, _)| x).sum();
            }
        }
    }
    Ok(c)
}

#[derive(Debug, Default)]
struct Acc {
    n: usize,
    sum: f64,
    sum2: f64,
    sq_err: f64,
    covered: usize,
    se: f64,
}

impl Acc {
    fn add(&mut self, r: &EstimateRow, truth: f64) {
        if !r.estimate.is_finite() {
            return;
        }
        self.n += 1;
        self.sum += r.estimate;
        self.sum2 += r.estimate * r.estimate;
        self.sq_err += (r.estimate - truth).powi(2);
        self.covered += usize::from(r.ci_low <= truth && truth <= r.ci_high);
        self.se += r.se;
    }

    fn summary(&self, k: &(Key, usize), truth: f64) -> SimulatedEstimate {
        let n = self.n as f64;
        let mean = self.sum / n;
        let var =
            if self.n > 1 { (self.sum2 - n * mean * mean).max(0.0) / (n - 1.0) } else { f64::NAN };
        SimulatedEstimate {
            name: k.0.0.clone(),
            category: k.0.1.clone(),
            domain: k.0.2.clone(),
            step: STEPS[k.1],
            truth,
            replications: self.n,
            mean,
            bias: mean - truth,
            bias_mc_se: (var / n).sqrt(),
            relative_bias: (mean - truth) / truth,
            rmse: (self.sq_err / n).sqrt(),
            sd: var.sqrt(),
            mean_se: self.se / n,
            coverage: self.covered as f64 / n,
        }
    }
}

impl Simulation {
    /// The results as a table (one row per estimate × step).
    ///
    /// # Errors
    /// Internal only.
    pub fn table(&self) -> Result<Table> {
        let e = &self.estimates;
        let text = |f: &dyn Fn(&SimulatedEstimate) -> Option<String>| {
            ColumnData::Str(e.iter().map(f).collect())
        };
        let num = |f: &dyn Fn(&SimulatedEstimate) -> f64| {
            ColumnData::from_f64(&e.iter().map(f).collect::<Vec<_>>())
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
        ])
    }

    /// Per step: mean |bias| / MC s.e., mean coverage, share of estimates whose bias is
    /// within 2 Monte-Carlo standard errors — over the estimates of `names` (all if empty)
    /// with a positive Monte-Carlo s.e. (an estimate constant over the replications has no
    /// bias ratio; it stays in the table).
    pub fn step_summary(&self, names: &[&str]) -> Vec<(&'static str, f64, f64, f64)> {
        STEPS
            .iter()
            .map(|s| {
                let rows: Vec<&SimulatedEstimate> = self
                    .estimates
                    .iter()
                    .filter(|e| {
                        e.step == *s
                            && (names.is_empty() || names.contains(&e.name.as_str()))
                            && e.bias_mc_se > 0.0
                    })
                    .collect();
                let n = rows.len().max(1) as f64;
                let z: f64 = rows.iter().map(|e| e.bias.abs() / e.bias_mc_se).sum::<f64>() / n;
                let cov: f64 = rows.iter().map(|e| e.coverage).sum::<f64>() / n;
                let within =
                    rows.iter().filter(|e| e.bias.abs() <= 2.0 * e.bias_mc_se).count() as f64 / n;
                (*s, z, cov, within)
            })
            .collect()
    }
}
