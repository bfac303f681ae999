//! Binding the `design:` block of an estimation config to the data: the design, its
//! calibration (linearization residuals), the nonresponse phase, replicate columns — the
//! variance engine's source.

use crate::bind::calibration::margins as build_margins;
use crate::calibration::{Algorithm, Margin, Problem};
use crate::config::calibrate::CalibrationConfig;
use crate::config::estimate::EstimateConfig;
use crate::config::nonresponse::NonresponseConfig;
use crate::data::Table;
use crate::design::{Categorical, Design, DesignSpec, Numeric, WeightSource};
use crate::error::{Error, Result};
use crate::tolerance as tol;
use crate::variance::replicates::ReplicateDesign;
use crate::variance::{CalibrationStep, Linearization, RakeMargin, TwoPhase};

/// A data column as a design categorical.
///
/// # Errors
/// Unknown column.
pub fn categorical(table: &Table, name: &str) -> Result<Categorical> {
    Ok(Categorical::new(name, table.factor(name)?))
}

/// A data column as a design numeric column (missing values as `NaN`).
///
/// # Errors
/// Unknown or non-numeric column.
pub fn numeric(table: &Table, name: &str) -> Result<Numeric> {
    let v = table.numeric_opt(name)?;
    Ok(Numeric::new(name, v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect()))
}

/// The declared design (weights or probabilities or fpc, strata, clusters, fpc, certainty),
/// without its calibration.
///
/// # Errors
/// Unknown columns, missing design values, bad fpc, PSUs not nested in strata.
pub fn design(cfg: &EstimateConfig, table: &Table) -> Result<Design> {
    Design::new(design_spec(cfg, table)?)
}

fn design_spec(cfg: &EstimateConfig, table: &Table) -> Result<DesignSpec> {
    let d = &cfg.design;
    let weights = match (&d.weight, &d.probabilities) {
        (Some(w), _) => WeightSource::Weights(numeric(table, w)?),
        (None, Some(p)) => WeightSource::Probabilities(numeric(table, p)?),
        (None, None) => WeightSource::FromFpc,
    };
    let certainty = match &d.certainty {
        None => None,
        Some(c) => Some(table.flags(c, Some(false))?),
    };
    Ok(DesignSpec {
        weights,
        strata: d.strata.as_deref().map(|s| categorical(table, s)).transpose()?,
        clusters: d.clusters.iter().map(|c| categorical(table, c)).collect::<Result<_>>()?,
        fpc: d.fpc.iter().map(|c| numeric(table, c)).collect::<Result<_>>()?,
        nest: d.nest,
        lonely_psu: cfg.lonely_psu,
        pps_variance: cfg.pps_variance,
        certainty,
    })
}

/// The linearization: the design and, with `calibration:`, the design of the initial
/// weights calibrated to the final ones (GREG residuals).
///
/// # Errors
/// As [`design`], and the calibration config's own errors.
pub fn linearization(cfg: &EstimateConfig, table: &Table) -> Result<Linearization> {
    let spec = design_spec(cfg, table)?;
    match &cfg.calibration {
        None => Ok(Linearization::new(Design::new(spec)?)),
        Some(path) => calibrated(spec, &CalibrationConfig::load(path)?, table),
    }
}

/// The design of the calibration's initial weights, calibrated to the final weights: the
/// linearization then works on the residuals of the design-weighted regression of the
/// influence values on the calibration variables (R `survey`'s `calibrate()` convention,
/// whatever the distance). When the calibration config asks for IPF raking
/// (`algorithm: ipf`), the variance is R `survey`'s `rake()` backfitting variant instead,
/// which needs the weights after each margin's last post-stratification: IPF is rerun.
fn calibrated(
    mut spec: DesignSpec,
    cal: &CalibrationConfig,
    table: &Table,
) -> Result<Linearization> {
    let WeightSource::Weights(final_w) = &spec.weights else {
        return Err(Error::data(
            table.source(),
            "with `calibration:`, the design needs `weight:` (the calibrated weight column)",
        ));
    };
    let final_w = final_w.values.clone();
    let d = table.numeric(&cal.weight)?;
    let step = calibration_step(cal, table, &d)?;
    spec.weights = WeightSource::Weights(Numeric::new(&cal.weight, d));
    Linearization::new(Design::new(spec)?).calibrated(final_w, step)
}

/// How the calibration of the weights `d` by `cal` enters the variance.
fn calibration_step(cal: &CalibrationConfig, table: &Table, d: &[f64]) -> Result<CalibrationStep> {
    let margins = build_margins(cal, table, d)?;
    let problem = Problem::new(d.to_vec(), margins)?;
    if cal.options.algorithm == Algorithm::Ipf {
        rake_step(&problem, cal)
    } else {
        Ok(CalibrationStep::Regression { model: problem.model_columns().columns })
    }
}

fn rake_step(problem: &Problem, cal: &CalibrationConfig) -> Result<CalibrationStep> {
    let result = crate::calibration::calibrate(problem, &cal.options)?;
    let stages = result
        .stage_weights
        .ok_or_else(|| Error::Internal("IPF raking returned no per-margin weights".to_string()))?;
    let codes = problem.margins().iter().filter_map(|m| match m {
        Margin::Categorical { factor, .. } => Some(factor.codes.clone()),
        _ => None,
    });
    let margins =
        codes.zip(stages).map(|(codes, s)| RakeMargin { codes, weights: s.weights }).collect();
    Ok(CalibrationStep::RakeBackfitting { margins })
}

/// With `nonresponse: N.yaml`: the two-phase variance source. The adjustment is redone
/// from the design weights with that config (its status and model columns must be in the
/// data, every sampled row present); the full-sample design uses the design weights; the
/// declared `weight:` column, when given, must equal the adjusted weights.
///
/// # Errors
/// The nonresponse config's own errors; a `weight:` column that differs from the
/// adjusted weights (naming the first row).
pub fn two_phase(cfg: &EstimateConfig, table: &Table) -> Result<Option<TwoPhase>> {
    let Some(path) = &cfg.nonresponse else { return Ok(None) };
    let nr_cfg = NonresponseConfig::load(path)?;
    let d = table.numeric(&nr_cfg.weight)?;
    let adj = crate::bind::nonresponse::adjust(&nr_cfg, table, &d)?;
    let cal = cfg.calibration.as_deref().map(CalibrationConfig::load).transpose()?;
    // Without calibration `weight:` holds the adjusted weights; with it, the calibration's
    // input weights must be them and `weight:` the calibrated ones.
    let adjusted_column = match &cal {
        Some(c) => Some(&c.weight),
        None => cfg.design.weight.as_ref(),
    };
    if let Some(wname) = adjusted_column {
        check_adjusted(cfg, table, wname, &adj.weights, &path.display().to_string())?;
    }
    let mut full = cfg.clone();
    full.design.weight = Some(nr_cfg.weight.clone());
    full.design.probabilities = None;
    let two = TwoPhase::new(design(&full, table)?, adj.weights)?;
    let Some(cal) = cal else { return Ok(Some(two)) };
    let Some(final_name) = &cfg.design.weight else {
        return Err(cfg.source.error(
            "design.weight",
            "with `calibration:` and `nonresponse:`, `weight:` is the calibrated weight column",
            None,
        ));
    };
    let final_w = table.numeric(final_name)?;
    let step = calibration_step(&cal, table, &two.weights)?;
    two.calibrated(final_w, &step).map(Some)
}

/// The column `wname` holds the adjusted weights (up to [`tol::WEIGHT_MATCH_RTOL`]).
fn check_adjusted(
    cfg: &EstimateConfig,
    table: &Table,
    wname: &str,
    adjusted: &[f64],
    nr_file: &str,
) -> Result<()> {
    let w = table.numeric(wname)?;
    let differs =
        |k: usize| (w[k] - adjusted[k]).abs() > tol::WEIGHT_MATCH_RTOL * adjusted[k].abs().max(1.0);
    let Some(k) = (0..w.len()).find(|&k| differs(k)) else { return Ok(()) };
    Err(cfg.source.error(
        "design.weight",
        format!(
            "column `{wname}` row {} is {} but the adjustment of {nr_file} gives {}",
            k + 1,
            w[k],
            adjusted[k]
        ),
        Some(
            "use the output of `ponder nonresponse` with the same config, or remove `weight:`"
                .into(),
        ),
    ))
}

/// The replicate design from the data's replicate columns, when declared.
///
/// # Errors
/// No matching column, count mismatch, bad values (see
/// [`ReplicateDesign::from_columns`]).
pub fn replicate_design(cfg: &EstimateConfig, table: &Table) -> Result<Option<ReplicateDesign>> {
    let Some(r) = &cfg.replicates else { return Ok(None) };
    let Some(w) = cfg.design.weight.as_deref() else {
        return Err(cfg.source.error(
            "design.weight",
            "replicate variance needs the full-sample `weight` column",
            None,
        ));
    };
    let full = table.numeric(w)?;
    let names = table.columns_matching(&r.columns)?;
    if names.is_empty() {
        return Err(cfg.source.error(
            "design.replicates.columns",
            format!("no column of {} matches `{}`", table.source(), r.columns),
            Some("check the pattern, e.g. \"rep_*\"".into()),
        ));
    }
    let names: Vec<String> = names.into_iter().filter(|n| n != w).collect();
    let cols = names
        .iter()
        .map(|n| {
            table.numeric(n).map_err(|e| {
                cfg.source.error(
                    "design.replicates.columns",
                    format!("column `{n}` matches `{}` but is not a replicate weight: {e}", r.columns),
                    Some("narrow the pattern so that it matches the replicate weight columns only (e.g. \"rep_*\")".into()),
                )
            })
        })
        .collect::<Result<Vec<_>>>()?;
    ReplicateDesign::from_columns(full, cols, r.options.clone()).map(Some).map_err(|e| match e {
        Error::Method { message, .. } => cfg.source.error(
            "design.replicates",
            format!("columns `{}` of {}: {message}", r.columns, table.source()),
            None,
        ),
        other => other,
    })
}
