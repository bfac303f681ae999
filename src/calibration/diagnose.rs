//! Error for a calibration that did not converge: the constraints furthest from their
//! targets and the narrowest feasible bounds.
//!
//! The kind follows the narrowest bounds: margins out of reach of the method's bounds (or of
//! any positive weights for a method that keeps g > 0, or of any weights at all) make
//! [`Error::Infeasible`]; otherwise (reachable, or the search not run) the iterations
//! just did not get there: [`Error::NotConverged`].

use super::feasibility::{NarrowestBounds, narrowest_bounds_with_weights};
use super::options::Options;
use super::problem::Problem;
use super::report::Report;
use super::solve::Calibration;
use crate::Error;

/// How many of the worst constraints the message lists.
const SHOWN: usize = 5;

/// A total in a message: the shortest text that reads back as the same number, in
/// scientific notation when very large or very small (`1e308`, not 309 digits).
pub(crate) fn figure(v: f64) -> String {
    if v != 0.0 && v.is_finite() && !(1e-6..1e16).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// Builds the non-convergence error ([`Error::NotConverged`] or [`Error::Infeasible`]).
pub(crate) fn diagnose(
    problem: &Problem,
    d: &[f64],
    options: &Options,
    cal: &Calibration,
) -> Error {
    let r = &cal.report;
    let list = worst_constraints(r, options.tolerance);
    let bounds_text = match options.bounds {
        Some(b) => format!(" with g in [{}, {}]", b.lower, b.upper),
        None => String::new(),
    };
    let mut msg = format!(
        "{} calibration did not reach the margins{bounds_text} ({} after {} iterations, max \
         relative misfit {:.3e} > tolerance {:e}). Constraints furthest from their targets: {}.",
        options.method.name(),
        r.termination,
        r.iterations,
        r.max_misfit,
        options.tolerance,
        list.join("; ")
    );
    msg.push(' ');
    let narrowest = narrowest_bounds_with_weights(problem, d);
    msg.push_str(&feasibility_hint(&narrowest, options));
    let step = "calibration";
    match narrowest {
        Ok(NarrowestBounds::Feasible { lower, upper, .. }) if !reachable(lower, upper, options) => {
            Error::Infeasible { step, narrowest: Some((lower, upper)), message: msg }
        }
        Ok(NarrowestBounds::Infeasible) => {
            Error::Infeasible { step, narrowest: None, message: msg }
        }
        _ => Error::NotConverged { step, iterations: r.iterations, message: msg },
    }
}

/// The constraints furthest from their targets (relative error above `tolerance`), worst
/// first, at most [`SHOWN`], each as "margin, category: target, reached (before)".
fn worst_constraints(r: &Report, tolerance: f64) -> Vec<String> {
    let mut worst: Vec<(f64, String)> = r
        .margins
        .iter()
        .flat_map(|m| {
            m.categories.iter().map(move |c| {
                let what = match &c.category {
                    Some(cat) => format!("margin `{}`, category `{cat}`", m.name),
                    None => format!("margin `{}`", m.name),
                };
                (
                    c.relative_error,
                    format!(
                        "{what}: target {}, reached {} (before {})",
                        figure(c.target),
                        figure(c.after),
                        figure(c.before)
                    ),
                )
            })
        })
        .filter(|(e, _)| *e > tolerance)
        .collect();
    worst.sort_by(|a, b| b.0.total_cmp(&a.0));
    worst.into_iter().take(SHOWN).map(|w| w.1).collect()
}

/// Whether g in the narrowest bounds [lower, upper] is allowed by the method: inside the
/// given bounds, or (without bounds) positive unless the method is linear.
fn reachable(lower: f64, upper: f64, options: &Options) -> bool {
    match options.bounds {
        Some(b) => b.lower <= lower && upper <= b.upper,
        None => lower > 0.0 || options.method == super::Method::Linear,
    }
}

fn feasibility_hint(narrowest: &crate::Result<NarrowestBounds>, options: &Options) -> String {
    match narrowest {
        Ok(NarrowestBounds::Feasible { lower, upper, suggested }) => {
            let (lower, upper) = (*lower, *upper);
            let inside = options.bounds.is_none_or(|b| b.lower <= lower && upper <= b.upper);
            let mut s = format!(
                "The narrowest bounds on g = w/d for which the margins can be met are \
                 [{lower:.6}, {upper:.6}]"
            );
            if inside && options.bounds.is_some() {
                s.push_str(
                    " (inside the given bounds: the problem is feasible but the iterations did \
                     not get there; raise `max_iterations` or try `method: logit`).",
                );
            } else if lower <= 0.0 {
                s.push_str(&format!(
                    ": some weights would have to be 0 or negative, which only `method: linear` \
                     allows; otherwise merge small categories or drop a margin (suggested \
                     bounds [{:.4}, {:.4}]).",
                    suggested.lower, suggested.upper
                ));
            } else {
                s.push_str(&format!(
                    ": widen `bounds` to at least that, e.g. [{:.4}, {:.4}], or merge small \
                     categories.",
                    suggested.lower, suggested.upper
                ));
            }
            s
        }
        Ok(NarrowestBounds::Infeasible) => "No weights at all meet these margins together \
            (they contradict each other, e.g. a crossed margin disagreeing with a simple one): \
            check the totals."
            .to_string(),
        Ok(NarrowestBounds::TooLarge { units }) => format!(
            "(The narrowest feasible bounds were not computed: {units} units is too large for \
             the built-in LP; call `narrowest_bounds` explicitly.)"
        ),
        Err(e) => format!("(The narrowest feasible bounds could not be computed: {e}.)"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn figures_read_back_and_stay_short() {
        let cases = [
            (1e308, "1e308"),
            (44649627.86381573, "44649627.86381573"),
            (0.0, "0"),
            (2.5e-9, "2.5e-9"),
            (-3e20, "-3e20"),
        ];
        for (v, text) in cases {
            assert_eq!(super::figure(v), text);
            assert_eq!(super::figure(v).parse::<f64>().unwrap(), v);
        }
    }
}
