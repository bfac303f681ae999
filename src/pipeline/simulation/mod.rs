//! `ponder simulate`: the pipeline's sample, collection and weighting repeated K times on
//! one synthetic population, each estimate — and each model coefficient and difference of
//! the estimates step's `models:` — compared with its true population value at each
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
//!
//! # Models and tests
//! When the estimates step has `models:` ([`crate::config::model::ModelConfig`]), every
//! model and test is also fitted at each replication and step, with that step's weight and
//! replicate columns. The true value of a **coefficient** is its **census fit**: the same
//! model fitted on the whole target population (in-scope eligible persons, weight 1, their
//! true answers) — the finite-population parameter that design-based inference targets,
//! which is not the coefficient that generated the answers when the model leaves out
//! variables of the generating model or is not of its form (docs/simulation-fej-models.md).
//! The true value of a **difference** test is the difference of the two population domain
//! values. Both get the estimates' summaries (bias, RMSE, SD, mean SE, coverage of the
//! model's interval). Term tests and χ² tests have no population value: their rows give the
//! mean and SD of the statistic (in `mean`, `sd`) and the **rejection rate** at 5 % — the
//! share of replications with a p-value below 0.05 (`rejection_rate`, also given for the
//! coefficients and differences: the power of their test of 0); truth, bias, RMSE and
//! coverage stay empty. Model rows follow the estimate rows, by step, in the order of the
//! models' output, with `kind` (`coefficient`, `difference`, `term_test`, `chisq`; the
//! estimates have `estimate`), `term` (coefficient label or tested term) and, for a model
//! with a domain, `domain` (`dispute=yes`).
//!
//! Each model and test is fitted on its own. One that cannot be fitted in a replication at
//! a step — a factor level or interaction cell empty among the respondents of its domain in
//! the sample or in one bootstrap replicate, separation, no convergence — is left out of
//! that replication at that step and counted in [`Simulation::model_failures`]
//! (simulation.json and the terminal): its rows then count fewer replications, and their
//! summaries are conditional on the fit succeeding. Any other error stops the simulation.
//!
//! # Disputes
//! With `disputes:` in the estimates step (an estimation file with `units:`), each
//! replication writes the disputes of its own respondents and estimates on them at each
//! step; the true values are the same estimates on the disputes of the whole target
//! population (docs/simulation-fej-disputes.md). Their rows are estimate rows
//! (names of their own); the dispute models' rows (`dispute_models:`) are model rows, their
//! true values the census fit on the population's disputes.
//!
//! Replications run in parallel; their results are accumulated in replication order, so
//! the output does not depend on the thread count.

mod disputes;
mod models;
mod summary;
mod world;

pub use world::true_answers;

use super::Progress;
use super::chain::{PassOptions, World, step_weight, weigh};
use crate::config::calibrate::CalibrationConfig;
use crate::config::estimate::EstimateConfig;
use crate::config::pipeline::{PipelineConfig, Start};
use crate::config::sample::FrameSource;
use crate::data::{ColumnData, Table};
use crate::error::{Error, Result};
use rand::Rng;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use summary::{Key, Obs, Run, Truth, estimate_key};

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

/// Result for one estimate (name, category, domain), or one model row (model or test name,
/// kind, term), at one step.
#[derive(Debug, Clone, Serialize)]
pub struct SimulatedEstimate {
    /// Estimate, model or test name.
    pub name: String,
    /// Category (proportions).
    pub category: Option<String>,
    /// Domain labels `var=label`, joined by `;` (a model's `domain:`).
    pub domain: String,
    /// Weighting step.
    pub step: &'static str,
    /// Population value (`NaN` for term and χ² tests).
    pub truth: f64,
    /// Replications where the estimate exists.
    pub replications: usize,
    /// Mean estimate (tests: mean statistic).
    pub mean: f64,
    /// Mean − truth.
    pub bias: f64,
    /// Monte-Carlo standard error of the bias, sd/√K'.
    pub bias_mc_se: f64,
    /// bias / truth.
    pub relative_bias: f64,
    /// Root mean squared error.
    pub rmse: f64,
    /// Monte-Carlo standard deviation of the estimates (tests: of the statistic).
    pub sd: f64,
    /// Mean estimated standard error.
    pub mean_se: f64,
    /// Share of confidence intervals containing the truth.
    pub coverage: f64,
    /// `estimate`, or the model row's kind: `coefficient`, `difference`, `term_test`,
    /// `chisq`.
    pub kind: &'static str,
    /// Model rows: the coefficient label or the tested term.
    pub term: Option<String>,
    /// Model rows: share of replications with a p-value below 0.05 (`NaN` for estimates).
    pub rejection_rate: f64,
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
    /// One entry per model row (coefficient, difference, test) × step; empty without
    /// `models:`.
    pub models: Vec<SimulatedEstimate>,
    /// Models and tests that could not be fitted in some replications (their rows count
    /// fewer replications).
    pub model_failures: Vec<ModelFailure>,
}

/// A model or test that could not be fitted at one step in some replications (a level
/// empty in the sample or in a bootstrap replicate, separation, no convergence).
#[derive(Debug, Clone, Serialize)]
pub struct ModelFailure {
    /// Model or test name.
    pub name: String,
    /// Weighting step.
    pub step: &'static str,
    /// Replications where it could not be fitted.
    pub replications: usize,
    /// The first such replication and its error.
    pub first: String,
}

/// Runs the simulation.
///
/// # Errors
/// A pipeline that does not draw from the synthetic register with a synthetic collection,
/// no estimates step, a census fit of the models that fails, any step's error in a
/// replication (named by its number).
pub fn simulate(
    cfg: &PipelineConfig,
    opts: &SimulationOptions,
    ui: &dyn Progress,
) -> Result<Simulation> {
    disputes::refuse_fixed_units(cfg)?;
    super::schema::check(cfg, None)?;
    let (cfg, world, estimates) = prepare(cfg, opts)?;
    let (truth_table, in_target) = world::population_table(&cfg, &world)?;
    let target_population = in_target.iter().filter(|b| **b).count();
    let mut truths = truths(&cfg, &estimates, &truth_table, &in_target)?;
    if disputes::wanted(&cfg, &estimates, &world)? {
        let (e, m) = disputes::truths(&cfg, &world, &truth_table, &in_target)?;
        let values = e.into_iter().map(|(k, v)| (k, Some(v)));
        for (k, value) in values.chain(m) {
            let rank = truths.len();
            truths.entry(k).or_insert(Truth { rank, value });
        }
    }
    let calibration = cfg
        .calibration
        .as_ref()
        .map(|c| world::true_margins(&c.config, &truth_table, &in_target))
        .transpose()?;
    let runs = replications(&cfg, &world, opts, calibration.as_ref(), &estimates, ui);
    let (estimates, models, model_failures) = summary::accumulate(runs, &truths)?;
    Ok(Simulation {
        replications: opts.replications,
        population: world.table.n_rows(),
        target_population,
        replicates: opts.replicates,
        seed: opts.seed,
        estimates,
        models,
        model_failures,
    })
}

/// The population value and output rank of every estimate (ranked by key) and model row
/// (ranked in the models' output order, after the estimates).
fn truths(
    cfg: &PipelineConfig,
    estimates: &EstimateConfig,
    table: &Table,
    target: &[bool],
) -> Result<HashMap<Key, Truth>> {
    let e = crate::bind::estimate::compute(&estimates.with_weights("true_weight", None), table)?;
    let mut keys: Vec<(Key, f64)> = e.iter().map(|r| (estimate_key(r), r.estimate)).collect();
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    let mut truths: HashMap<Key, Truth> = HashMap::new();
    for (k, v) in keys {
        let rank = truths.len();
        truths.entry(k).or_insert(Truth { rank, value: Some(v) });
    }
    if let Some(m) = &cfg.models {
        for (k, v) in models::truths(m, table, target)? {
            let rank = truths.len();
            truths.entry(k).or_insert(Truth { rank, value: v });
        }
    }
    Ok(truths)
}

/// The K replications, in parallel, in replication order.
fn replications(
    cfg: &PipelineConfig,
    world: &World,
    opts: &SimulationOptions,
    calibration: Option<&CalibrationConfig>,
    estimates: &EstimateConfig,
    ui: &dyn Progress,
) -> Vec<Result<Run>> {
    let mut seeds = super::chain::stream(opts.seed, 3);
    let seeds: Vec<u64> = (0..opts.replications).map(|_| seeds.next_u64()).collect();
    let bar = ui.bar(opts.replications as u64, "replications");
    let runs = seeds
        .par_iter()
        .enumerate()
        .map(|(k, &seed)| {
            let pass = PassOptions {
                seed,
                replicates: Some(opts.replicates),
                all_replicate_columns: true,
                calibration: calibration.cloned(),
            };
            let out = replication(cfg, world, &pass, estimates).map_err(|e| {
                Error::method("simulate", format!("replication {} (seed {seed}): {e} (with small samples, a larger --sample-size keeps every calibration cell and model level filled)", k + 1))
            });
            bar.inc(1);
            out
        })
        .collect();
    bar.finish_and_clear();
    runs
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

/// One replication: the chain, then the estimates (and models) at each step.
fn replication(
    cfg: &PipelineConfig,
    world: &World,
    pass: &PassOptions,
    estimates: &EstimateConfig,
) -> Result<Run> {
    let mut w = weigh(cfg, world, pass, &super::Silent)?;
    respondent_design_weights(cfg, &mut w.table, pass.replicates.unwrap_or(0))?;
    let mut out = Run::default();
    let weights: Vec<String> = STEPS
        .iter()
        .map(|step| match *step {
            "design" => "respondent_design_weight".to_string(),
            _ => step_weight(cfg, step).to_string(),
        })
        .collect();
    if crate::pipeline::disputes::wanted(cfg) {
        let d = disputes::replicate(cfg, world, &w, &weights, pass.seed)?;
        out.items.extend(d.items);
        out.failures.extend(d.failures);
    }
    for (s, weight) in weights.iter().enumerate() {
        if weight.is_empty() {
            continue;
        }
        let glob = format!("{weight}_rep_*");
        let e = estimates.with_weights(weight, Some(&glob));
        let rows = crate::bind::estimate::compute(&e, &w.table)?;
        out.items.extend(rows.iter().map(|r| (s, estimate_key(r), Obs::from(r))));
        if let Some(m) = &cfg.models {
            let (rows, failed) = models::fit(m, weight, &glob, &w.table)?;
            out.items.extend(rows.into_iter().map(|(k, o)| (s, k, o)));
            out.failures.extend(failed.into_iter().map(|(name, e)| (s, name, e)));
        }
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
