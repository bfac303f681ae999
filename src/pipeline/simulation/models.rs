//! The models and tests of the estimates step (`models:`) in the simulation: their census
//! fit on the population (the true values of the coefficients and differences) and their
//! fit at each replication and step.

use super::summary::{Key, Obs};
use crate::config::estimate::{DesignColumns, EstimateConfig};
use crate::config::model::{ModelConfig, ModelRequest};
use crate::data::Table;
use crate::error::{Error, Result};
use crate::model::ModelRow;

/// Kinds of model rows that estimate a population value (the others are tests).
pub(super) fn has_truth(kind: &str) -> bool {
    matches!(kind, "coefficient" | "difference" | "margin" | "observed")
}

/// The key standing for every row of model `name` that has no key of its own in the
/// truths (the coefficients and tests of a model with `margins:`, see [`truths`]).
pub(super) fn model_wide(name: &str, domain: &str) -> Key {
    Key { kind: "model", name: name.to_string(), category: None, domain: domain.into(), term: None }
}

/// The census fit: every model and test computed on the target population (rows where
/// `target`) with `true_weight` = 1, with no strata or clusters (only the point estimates
/// are used). Returns each row's key and, for coefficients and differences, its value.
///
/// # Errors
/// The models' own errors on the population (named as such).
pub(super) fn truths(
    cfg: &ModelConfig,
    table: &Table,
    target: &[bool],
) -> Result<Vec<(Key, Option<f64>)>> {
    let rows: Vec<usize> = target.iter().enumerate().filter(|x| *x.1).map(|x| x.0).collect();
    let population = table.take_rows(&rows)?;
    let mut census = cfg.clone();
    census.design = census_design(&cfg.design);
    census.models.retain(|m| m.margins.is_empty());
    // a test on a collection variable (the mode) has no population value
    let (kept, collection): (Vec<_>, Vec<_>) = census.tests.drain(..).partition(|t| {
        let c = ModelConfig { models: Vec::new(), tests: vec![t.clone()], ..cfg.clone() };
        crate::bind::model::check_columns(&c, &population).is_ok()
    });
    census.tests = kept;
    let mut out: Vec<(Key, Option<f64>)> =
        collection.iter().map(|t| (model_wide(&t.name, ""), None)).collect();
    if !census.models.is_empty() || !census.tests.is_empty() {
        let fitted = crate::bind::model::compute(&census, &population)
            .map_err(|e| e.prefixed("census fit of the models on the synthetic population: "))?;
        out.extend(items(cfg, fitted).into_iter().map(|(k, o)| {
            let v = has_truth(k.kind).then_some(o.estimate);
            (k, v)
        }));
    }
    for m in cfg.models.iter().filter(|m| !m.margins.is_empty()) {
        out.extend(margin_truths(m, &population)?);
    }
    Ok(out)
}

/// A model with `margins:` sets a collection variable (the mode) that the population does
/// not have: the true value of its `observed` row and of every margin is the population
/// mean of the response in the model's domain (the answers as they are, free of any mode
/// effect: the target a mode-adjusted estimate aims at); its coefficients and tests have
/// no population value ([`model_wide`]).
fn margin_truths(m: &ModelRequest, population: &Table) -> Result<Vec<(Key, Option<f64>)>> {
    let n = population.n_rows();
    let y = match &m.category {
        Some(c) => crate::model::indicator(&m.response, &population.factor(&m.response)?, c)?,
        None => population.numeric_or_nan(&m.response)?,
    };
    let mut keep = vec![true; n];
    for (column, value) in &m.domain {
        let f = population.factor(column)?;
        let code = f.level_index(value).ok_or_else(|| {
            Error::method(
                "simulate",
                format!("`{}`: the population has no `{column}={value}` (its domain)", m.name),
            )
        })?;
        keep.iter_mut().zip(&f.codes).for_each(|(k, &c)| *k &= c == code);
    }
    let kept: Vec<f64> = (0..n).filter(|&k| keep[k] && !y[k].is_nan()).map(|k| y[k]).collect();
    if kept.is_empty() {
        return Err(Error::method(
            "simulate",
            format!("`{}`: no person of the population has a `{}` answer", m.name, m.response),
        ));
    }
    let mean = kept.iter().sum::<f64>() / kept.len() as f64;
    let domain = domain_label(m);
    let key = |kind, term: String| Key {
        kind,
        name: m.name.clone(),
        category: None,
        domain: domain.clone(),
        term: Some(term),
    };
    let mut out = vec![(key("observed", m.response.clone()), Some(mean))];
    for (term, level) in &m.margins {
        out.push((key("margin", format!("{term}={level}")), Some(mean)));
    }
    out.push((model_wide(&m.name, &domain), None));
    Ok(out)
}

fn domain_label(m: &ModelRequest) -> String {
    m.domain.iter().map(|(c, v)| format!("{c}={v}")).collect::<Vec<_>>().join(";")
}

/// The design of the census fit: `true_weight`, nothing else.
fn census_design(design: &EstimateConfig) -> EstimateConfig {
    let mut d = design.with_weights("true_weight", None);
    d.design = DesignColumns { weight: Some("true_weight".into()), ..DesignColumns::default() };
    d
}

/// Model rows as items, and the models or tests that could not be fitted as
/// `(name, message)`.
pub(super) type Fitted = (Vec<(Key, Obs)>, Vec<(String, String)>);

/// The models and tests fitted with `weight` and the replicate columns `glob`, each on its
/// own: a model or test that cannot be fitted on this sample (a level empty in the sample or
/// in one replicate, separation, no convergence: [`Error::Method`], [`Error::NotConverged`],
/// [`Error::LonelyPsu`]) is left out and returned as a failure `(name, message)`; the
/// others keep their rows.
///
/// # Errors
/// Any other error of the models (configuration, columns, missing values).
pub(super) fn fit(cfg: &ModelConfig, weight: &str, glob: &str, table: &Table) -> Result<Fitted> {
    let mut all = cfg.clone();
    all.design = cfg.design.with_weights(weight, Some(glob));
    let (mut rows, mut failures) = (Vec::new(), Vec::new());
    for (name, one) in singles(&all) {
        match crate::bind::model::compute(&one, table) {
            Ok(r) => rows.extend(items(cfg, r)),
            Err(
                e @ (Error::Method { .. } | Error::NotConverged { .. } | Error::LonelyPsu { .. }),
            ) => failures.push((name, e.to_string())),
            Err(e) => return Err(e),
        }
    }
    Ok((rows, failures))
}

/// One configuration per model and per test, in output order, with its name.
fn singles(cfg: &ModelConfig) -> Vec<(String, ModelConfig)> {
    let empty = ModelConfig { models: Vec::new(), tests: Vec::new(), ..cfg.clone() };
    let models = cfg
        .models
        .iter()
        .map(|m| (m.name.clone(), ModelConfig { models: vec![m.clone()], ..empty.clone() }));
    let tests = cfg
        .tests
        .iter()
        .map(|t| (t.name.clone(), ModelConfig { tests: vec![t.clone()], ..empty.clone() }));
    models.chain(tests).collect()
}

/// Model rows as simulation items: the model's domain (`column=value;…`), the coefficient
/// label or tested term; for tests, the statistic in place of an estimate.
fn items(cfg: &ModelConfig, rows: Vec<ModelRow>) -> Vec<(Key, Obs)> {
    rows.into_iter()
        .map(|r| {
            let domain =
                cfg.models.iter().find(|m| m.name == r.name).map(domain_label).unwrap_or_default();
            let obs = match has_truth(r.kind) {
                true => Obs {
                    estimate: r.estimate,
                    se: r.se,
                    ci_low: r.ci_low,
                    ci_high: r.ci_high,
                    p_value: r.p_value,
                },
                false => Obs {
                    estimate: r.statistic,
                    se: f64::NAN,
                    ci_low: f64::NAN,
                    ci_high: f64::NAN,
                    p_value: r.p_value,
                },
            };
            let key =
                Key { kind: r.kind, name: r.name, category: None, domain, term: Some(r.term) };
            (key, obs)
        })
        .collect()
}
