//! Entry points: choose the algorithm and the units (cells or rows), solve, map g back to
//! the rows, build the report.

use std::time::Instant;

use super::cells::collapse;
use super::columns::Columns;
use super::diagnose::diagnose;
use super::distance::{AnyDistance, Distance, with_distance};
use super::ipf::{Step, ipf, poststratify};
use super::margin::Margin;
use super::newton::{UnitSolution, max_misfit, newton};
use super::options::{Algorithm, Options, SolveOn};
use super::problem::Problem;
use super::report::{
    Report, Termination, UnitG, at_bounds, design_effect, g_distribution, margin_reports,
};
use crate::{Error, Result};

/// Weights of the rows after the last post-stratification on one margin in the final IPF
/// sweep (R `survey`'s `rake()` variance uses them).
#[derive(Debug, Clone, PartialEq)]
pub struct StageWeights {
    /// Margin name.
    pub margin: String,
    /// Row weights.
    pub weights: Vec<f64>,
}

/// A calibration result.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// Calibrated weights w = d g (0 where d = 0), in row order.
    pub weights: Vec<f64>,
    /// The report.
    pub report: Report,
    /// IPF only: per margin (in margin order), the weights right after its post-stratification
    /// in the final sweep.
    pub stage_weights: Option<Vec<StageWeights>>,
}

impl Calibration {
    /// g = w / d per row (1 where d = 0).
    pub fn g(&self, d: &[f64]) -> Vec<f64> {
        self.weights.iter().zip(d).map(|(w, d)| if *d > 0.0 { w / d } else { 1.0 }).collect()
    }

    /// Whether the stopping rule was met.
    pub fn converged(&self) -> bool {
        self.report.converged
    }
}

/// Calibrates, and fails unless the margins are met within the tolerance.
///
/// # Errors
/// Invalid options; a category with target 0 that the distance cannot reach; no
/// convergence: the message names the constraints furthest from their targets and, for
/// cell-collapsible or small problems, the narrowest bounds [L, U] that are feasible.
pub fn calibrate(problem: &Problem, options: &Options) -> Result<Calibration> {
    let cal = solve(problem, options)?;
    if cal.converged() { Ok(cal) } else { Err(diagnose(problem, &problem.weights, options, &cal)) }
}

/// Wall-clock seconds of the phases of a solve of the main weights ([`calibrate_timed`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SolveTimings {
    /// Collapsing the rows into the cells of the cross-classification of the categorical
    /// margins (their keys and Σd per cell); 0 when the solve runs on the rows.
    pub cells: f64,
    /// The kernel (Newton, IPF or post-stratification, on cells or rows), mapping g back to
    /// the rows (w = d g) and the solver's report.
    pub solve: f64,
}

/// [`calibrate`], with the time spent collapsing to cells and solving.
///
/// # Errors
/// As [`calibrate`].
pub fn calibrate_timed(
    problem: &Problem,
    options: &Options,
) -> Result<(Calibration, SolveTimings)> {
    let (cal, timings) = solve_timed(problem, &problem.weights, options)?;
    if cal.converged() {
        Ok((cal, timings))
    } else {
        Err(diagnose(problem, &problem.weights, options, &cal))
    }
}

/// Calibrates and returns the result even when the iterations did not converge (see
/// [`Report::termination`]), e.g. to show the iteration log.
///
/// # Errors
/// As [`calibrate`], except non-convergence.
pub fn solve(problem: &Problem, options: &Options) -> Result<Calibration> {
    solve_weights(problem, &problem.weights, options)
}

/// [`calibrate`] with input weights `d` (already checked against the margins).
pub(crate) fn calibrate_weights(
    problem: &Problem,
    d: &[f64],
    options: &Options,
) -> Result<Calibration> {
    let cal = solve_weights(problem, d, options)?;
    if cal.converged() { Ok(cal) } else { Err(diagnose(problem, d, options, &cal)) }
}

pub(crate) fn solve_weights(
    problem: &Problem,
    d: &[f64],
    options: &Options,
) -> Result<Calibration> {
    solve_timed(problem, d, options).map(|(cal, _)| cal)
}

/// [`solve_weights`] and its timings.
fn solve_timed(
    problem: &Problem,
    d: &[f64],
    options: &Options,
) -> Result<(Calibration, SolveTimings)> {
    let (dist, algorithm) = prepare(problem, options)?;
    let t0 = Instant::now();
    let rows = problem.columns(d);
    let collapsed = match options.solve_on {
        SolveOn::Rows => None,
        SolveOn::Auto => collapse(&rows),
        SolveOn::Cells => Some(collapse(&rows).ok_or_else(|| {
            Error::method(
                "calibration",
                "a cell-collapsed solve needs categorical margins only: use `solve_on: auto`",
            )
        })?),
    };
    let t1 = Instant::now();
    let cal = match &collapsed {
        Some((cells, map)) => {
            solve_units(problem, d, options, (&dist, algorithm), cells, &|g| map.weights(d, g))
        }
        None => solve_units(problem, d, options, (&dist, algorithm), &rows, &|g| {
            d.iter().zip(g).map(|(d, g)| d * g).collect()
        }),
    }?;
    let timings = SolveTimings {
        cells: if collapsed.is_some() { (t1 - t0).as_secs_f64() } else { 0.0 },
        solve: t1.elapsed().as_secs_f64(),
    };
    Ok((cal, timings))
}

/// Checks the options; the distance and the algorithm they select.
pub(crate) fn prepare(problem: &Problem, options: &Options) -> Result<(AnyDistance, Algorithm)> {
    check_options(options)?;
    let dist = options.method.distance(options.bounds)?;
    let algorithm = choose_algorithm(problem, options)?;
    Ok((dist, algorithm))
}

/// Solves on prepared units (rows, or cells when `units.stats` is set) with input weights
/// `d`; `to_rows` maps unit g to row weights d g.
pub(crate) fn solve_units(
    problem: &Problem,
    d: &[f64],
    options: &Options,
    (dist, algorithm): (&AnyDistance, Algorithm),
    units: &Columns<'_>,
    to_rows: &dyn Fn(&[f64]) -> Vec<f64>,
) -> Result<Calibration> {
    check_zero_targets(problem, units, dist)?;
    let targets = &problem.targets;
    let sol = match algorithm {
        Algorithm::Ipf => ipf(units, &ipf_steps(problem), targets, options),
        Algorithm::PostStratification => poststratify(units, targets),
        _ => with_distance!(dist, dd => newton(units, dd, targets, options)),
    };
    Ok(assemble(problem, d, options, dist, algorithm, units, to_rows, sol))
}

/// [`solve_units`], failing unless converged (as [`calibrate_weights`]).
pub(crate) fn calibrate_units(
    problem: &Problem,
    d: &[f64],
    options: &Options,
    prepared: (&AnyDistance, Algorithm),
    units: &Columns<'_>,
    to_rows: &dyn Fn(&[f64]) -> Vec<f64>,
) -> Result<Calibration> {
    let cal = solve_units(problem, d, options, prepared, units, to_rows)?;
    if cal.converged() { Ok(cal) } else { Err(diagnose(problem, d, options, &cal)) }
}

#[allow(clippy::too_many_arguments)]
fn assemble(
    problem: &Problem,
    d: &[f64],
    options: &Options,
    dist: &AnyDistance,
    algorithm: Algorithm,
    units: &Columns<'_>,
    to_rows: &dyn Fn(&[f64]) -> Vec<f64>,
    sol: UnitSolution,
) -> Calibration {
    let weights = to_rows(&sol.g);
    let stage_weights = sol.stage_g.as_ref().map(|st| {
        st.iter()
            .zip(problem.margins.iter())
            .map(|(g, m)| StageWeights { margin: m.name().to_string(), weights: to_rows(g) })
            .collect()
    });
    let ug = UnitG {
        g: &sol.g,
        d: &units.d,
        count: units.stats.as_ref().map(|s| &s.count[..]),
        d2: units.stats.as_ref().map(|s| &s.d2[..]),
    };
    let (at_lower_bound, at_upper_bound) = at_bounds(&ug, dist.bounds());
    let report = Report {
        method: options.method,
        bounds: options.bounds,
        algorithm: match algorithm {
            Algorithm::Ipf => "ipf",
            Algorithm::PostStratification => "post_stratification",
            _ => "newton",
        },
        solved_on: if units.stats.is_some() { "cells" } else { "rows" },
        n_units: units.d.iter().filter(|&&x| x > 0.0).count(),
        n_rows: d.len(),
        n_positive: match &units.stats {
            Some(st) => st.count.iter().sum::<f64>() as usize,
            None => d.iter().filter(|&&x| x > 0.0).count(),
        },
        iterations: sol.iterations,
        converged: sol.termination == Termination::Converged,
        termination: sol.termination,
        max_misfit: max_misfit(&sol.final_totals, &problem.targets),
        margins: margin_reports(problem, &sol.base_totals, &sol.final_totals),
        g: g_distribution(&ug),
        at_lower_bound,
        at_upper_bound,
        design_effect: design_effect(&ug),
        target_adjustments: problem.adjustments.clone(),
        iteration_log: sol.log,
    };
    Calibration { weights, report, stage_weights }
}

fn check_options(o: &Options) -> Result<()> {
    if !(o.tolerance.is_finite() && o.tolerance > 0.0) {
        return Err(Error::method(
            "calibration",
            format!("tolerance {} must be a positive number (e.g. 1e-10)", o.tolerance),
        ));
    }
    if o.max_iterations == 0 {
        return Err(Error::method("calibration", "max_iterations must be at least 1"));
    }
    Ok(())
}

fn choose_algorithm(problem: &Problem, o: &Options) -> Result<Algorithm> {
    let n_cat = problem.margins.iter().filter(|m| matches!(m, Margin::Categorical { .. })).count();
    let post_ok = o.method == super::Method::Linear
        && o.bounds.is_none()
        && n_cat == 1
        && problem.all_categorical();
    match o.algorithm {
        Algorithm::Auto if post_ok => Ok(Algorithm::PostStratification),
        Algorithm::Auto | Algorithm::Newton => Ok(Algorithm::Newton),
        Algorithm::PostStratification if post_ok => Ok(Algorithm::PostStratification),
        Algorithm::PostStratification => Err(Error::method(
            "calibration",
            "post-stratification needs `method: linear` without bounds and exactly one \
             categorical margin (cross the variables into one margin); use `algorithm: newton`",
        )),
        Algorithm::Ipf if o.method == super::Method::Raking && o.bounds.is_none() => {
            if problem.all_categorical() {
                Ok(Algorithm::Ipf)
            } else {
                Err(Error::method(
                    "calibration",
                    "IPF raking works on categorical margins only: use `algorithm: newton` \
                     with a numeric margin",
                ))
            }
        }
        Algorithm::Ipf => Err(Error::method(
            "calibration",
            "IPF is raking without bounds: use `method: raking` without `bounds`, or \
             `algorithm: newton`",
        )),
    }
}

fn ipf_steps(problem: &Problem) -> Vec<Step> {
    let mut next_cat = 0;
    problem
        .margins
        .iter()
        .map(|m| match m {
            Margin::Categorical { .. } => {
                next_cat += 1;
                Step::Categorical(next_cat - 1)
            }
            _ => Step::Total,
        })
        .collect()
}

/// A category with target 0 that holds units of positive weight needs g = 0 for them,
/// which only linear and lower bounds ≤ 0 allow. Checked on the solve units (cells when
/// collapsed: a cell of positive weight holds rows of positive weight).
fn check_zero_targets(problem: &Problem, units: &Columns<'_>, dist: &AnyDistance) -> Result<()> {
    let zero_ok = match dist {
        AnyDistance::Linear(_) => true,
        AnyDistance::TruncatedLinear(t) => t.bounds().is_some_and(|b| b.lower <= 0.0),
        AnyDistance::Logit(l) => l.bounds().is_some_and(|b| b.lower < 0.0),
        AnyDistance::Raking(_) => false,
    };
    let (mut cat, mut num) = (0, 0);
    for m in &problem.margins {
        match m {
            Margin::Categorical { name, factor, targets } => {
                let levels = &factor.levels;
                let codes = &units.cats[cat].1;
                cat += 1;
                // only a category with target 0 can fail (the scan is skipped without one:
                // the replicate rakings run this check once per replicate)
                if zero_ok || !targets.contains(&0.0) {
                    continue;
                }
                let mut weight = vec![0.0; levels.len()];
                for (&c, &w) in codes.iter().zip(units.d.iter()) {
                    if w > 0.0 && (c as usize) < levels.len() {
                        weight[c as usize] += w;
                    }
                }
                if let Some(l) = (0..levels.len()).find(|&l| targets[l] == 0.0 && weight[l] > 0.0) {
                    return Err(Error::method(
                        "calibration",
                        format!(
                            "margin `{name}`, category `{}`: the population target is 0 but \
                             sample units of positive weight (total weight {}) fall in it; \
                             method `{}` cannot give them weight 0: remove them (weight 0) or \
                             merge the category",
                            levels[l],
                            weight[l],
                            dist.name()
                        ),
                    ));
                }
            }
            Margin::Numeric { name, target, .. } => {
                let values = &units.nums[num].1;
                num += 1;
                let any = values.iter().zip(units.d.iter()).any(|(v, w)| *w > 0.0 && *v != 0.0);
                if *target != 0.0 && !any {
                    return Err(Error::method(
                        "calibration",
                        format!(
                            "margin `{name}`: total {target} cannot be reached, the variable is \
                             0 on every unit of positive weight; check the column or drop the \
                             margin"
                        ),
                    ));
                }
            }
            Margin::Total { .. } => {}
        }
    }
    Ok(())
}
