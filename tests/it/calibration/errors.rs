//! Pre-check errors (each names the margin / category and the fix) and infeasibility
//! diagnostics (narrowest feasible bounds).

use approx::{abs_diff_eq, assert_relative_eq};
use ponder::Error;
use ponder::calibration::{
    Bounds, Margin, Method, NarrowestBounds, Options, Problem, calibrate, narrowest_bounds, solve,
};
use ponder::data::Factor;

fn cat(name: &str, codes: Vec<u32>, levels: &[&str], targets: Vec<f64>) -> Margin {
    Margin::Categorical {
        name: name.into(),
        factor: Factor { codes, levels: levels.iter().map(|s| s.to_string()).collect() },
        targets,
    }
}

fn err_text(r: ponder::Result<Problem>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

fn sex() -> Margin {
    cat("sex", vec![0, 1, 0, 1, 0, 1], &["1", "2"], vec![30.0, 30.0])
}

#[test]
fn margins_disagreeing_on_the_population_size() {
    let age = cat("age", vec![0, 0, 1, 1, 2, 2], &["young", "mid", "old"], vec![20.0, 20.0, 25.0]);
    let msg = err_text(Problem::new(vec![1.0; 6], vec![sex(), age]));
    assert!(msg.contains("`sex` sums to 60") && msg.contains("`age` sums to 65"), "{msg}");
    let msg = err_text(Problem::new(vec![1.0; 6], vec![sex(), Margin::Total { target: 61.0 }]));
    assert!(msg.contains("population_total") && msg.contains("61"), "{msg}");
}

#[test]
fn rounding_differences_are_rescaled_and_reported() {
    let age = cat("age", vec![0, 0, 1, 1, 2, 2], &["y", "m", "o"], vec![20.0, 20.0, 20.000001]);
    let p = Problem::new(vec![1.0; 6], vec![sex(), age]).unwrap();
    let adj = p.target_adjustments();
    assert_eq!(adj.len(), 1);
    assert_eq!(adj[0].margin, "age");
    let cal = calibrate(&p, &Options::default()).unwrap();
    assert_eq!(cal.report.target_adjustments, adj);
    assert!(cal.report.max_misfit < 1e-10);
}

#[test]
fn category_with_target_but_no_respondent() {
    let m = cat("region", vec![0, 0, 1, 1, 2, 2], &["N", "S", "E"], vec![20.0, 20.0, 20.0]);
    // Both units of `E` have weight 0.
    let msg = err_text(Problem::new(vec![1.0, 1.0, 1.0, 1.0, 0.0, 0.0], vec![m]));
    assert!(
        msg.contains("margin `region`") && msg.contains("`E`") && msg.contains("merge"),
        "{msg}"
    );
}

#[test]
fn missing_calibration_values_on_positive_weights() {
    let m = cat("sex", vec![0, 1, Factor::MISSING, 1, 0, 1], &["1", "2"], vec![30.0, 30.0]);
    let msg = err_text(Problem::new(vec![1.0; 6], vec![m.clone()]));
    assert!(msg.contains("`sex`") && msg.contains("row 3") && msg.contains("weight 0"), "{msg}");
    // With weight 0 the row passes through with weight 0.
    let p = Problem::new(vec![1.0, 1.0, 0.0, 1.0, 1.0, 1.0], vec![m]).unwrap();
    let cal = calibrate(&p, &Options::default()).unwrap();
    assert_eq!(cal.weights[2], 0.0);
    assert!(
        abs_diff_eq!(cal.weights[0], 15.0, epsilon = 1e-9)
            && abs_diff_eq!(cal.weights[1], 10.0, epsilon = 1e-9)
    );

    let x = Margin::Numeric {
        name: "income".into(),
        values: vec![1.0, f64::NAN, 2.0, 3.0, 4.0, 5.0],
        target: 80.0,
    };
    let msg = err_text(Problem::new(vec![1.0; 6], vec![sex(), x.clone()]));
    assert!(msg.contains("`income`") && msg.contains("row 2"), "{msg}");
    assert!(Problem::new(vec![1.0, 0.0, 1.0, 1.0, 1.0, 1.0], vec![sex(), x]).is_ok());
}

#[test]
fn invalid_input_weights() {
    for bad in [-1.0, f64::NAN, f64::INFINITY] {
        let mut d = vec![1.0; 6];
        d[4] = bad;
        let msg = err_text(Problem::new(d, vec![sex()]));
        assert!(msg.contains("rows 5") && msg.contains(">= 0"), "{msg}");
    }
}

#[test]
fn zero_weight_rows_do_not_influence_the_solve() {
    let d = vec![2.0, 1.0, 3.0, 1.0, 1.0, 4.0];
    let x = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let margins = |codes: Vec<u32>, x: Vec<f64>| {
        vec![
            cat("sex", codes, &["1", "2"], vec![30.0, 30.0]),
            Margin::Numeric { name: "x".into(), values: x, target: 200.0 },
        ]
    };
    let p = Problem::new(d.clone(), margins(vec![0, 1, 0, 1, 0, 1], x.clone())).unwrap();
    let mut d2 = d.clone();
    d2.extend([0.0, 0.0]);
    let mut x2 = x.clone();
    x2.extend([f64::NAN, 1e9]);
    let p2 = Problem::new(d2, margins(vec![0, 1, 0, 1, 0, 1, Factor::MISSING, 0], x2)).unwrap();
    for m in [Method::Linear, Method::Raking] {
        let a = calibrate(&p, &Options::new(m, None)).unwrap();
        let b = calibrate(&p2, &Options::new(m, None)).unwrap();
        assert_eq!(&b.weights[6..], &[0.0, 0.0]);
        for (u, v) in a.weights.iter().zip(&b.weights) {
            assert_relative_eq!(*v, *u, epsilon = 0.0, max_relative = 1e-9);
        }
    }
}

#[test]
fn invalid_bounds_and_method_combinations() {
    assert!(Bounds::new(1.0, 2.0).unwrap_err().to_string().contains("L < 1 < U"));
    assert!(Bounds::new(0.5, 0.9).is_err());
    let p = Problem::new(vec![1.0; 6], vec![sex()]).unwrap();
    let msg = calibrate(&p, &Options::new(Method::Logit, None)).unwrap_err().to_string();
    assert!(msg.contains("logit") && msg.contains("bounds"), "{msg}");
    let b = Bounds { lower: 0.5, upper: 2.0 };
    let msg = calibrate(&p, &Options::new(Method::Linear, Some(b))).unwrap_err().to_string();
    assert!(msg.contains("truncated_linear"), "{msg}");
    let bad = Bounds { lower: 1.5, upper: 2.0 };
    assert!(calibrate(&p, &Options::new(Method::Raking, Some(bad))).is_err());
}

#[test]
fn zero_target_category_with_units_under_raking() {
    let m = cat("sex", vec![0, 1, 2, 1, 0, 1], &["1", "2", "9"], vec![30.0, 30.0, 0.0]);
    let p = Problem::new(vec![1.0; 6], vec![m]).unwrap();
    let msg = calibrate(&p, &Options::new(Method::Raking, None)).unwrap_err().to_string();
    assert!(msg.contains("margin `sex`, category `9`") && msg.contains("target is 0"), "{msg}");
    // Linear calibration can give those units weight 0.
    let cal = calibrate(&p, &Options::new(Method::Linear, None)).unwrap();
    assert_eq!(cal.weights[2], 0.0);
}

/// 100 units of weight 1, half in A=a: targets 80 / 20 need g = 1.6 and 0.4 exactly (B is
/// balanced within A and its targets agree with that).
fn skewed() -> Problem {
    let codes: Vec<u32> = (0..100).map(|k| (k % 2) as u32).collect();
    let b: Vec<u32> = (0..100).map(|k| ((k / 2) % 3) as u32).collect();
    let margins = vec![
        cat("A", codes, &["a", "b"], vec![80.0, 20.0]),
        cat("B", b, &["x", "y", "z"], vec![34.0, 34.0, 32.0]),
    ];
    Problem::new(vec![1.0; 100], margins).unwrap()
}

#[test]
fn infeasible_bounds_report_the_narrowest_feasible_ones() {
    let p = skewed();
    let NarrowestBounds::Feasible { lower, upper, suggested } = narrowest_bounds(&p).unwrap()
    else {
        panic!("expected feasible bounds")
    };
    assert!(
        abs_diff_eq!(lower, 0.4, epsilon = 1e-6) && abs_diff_eq!(upper, 1.6, epsilon = 1e-6),
        "[{lower}, {upper}]"
    );
    let tight = Bounds::new(0.5, 1.5).unwrap();
    let err = calibrate(&p, &Options::new(Method::Logit, Some(tight))).unwrap_err();
    let Error::Infeasible { step: "calibration", narrowest: Some((l, u)), .. } = err else {
        panic!("expected Infeasible with the narrowest bounds, got {err:?}")
    };
    assert!(
        abs_diff_eq!(l, lower, epsilon = 1e-12) && abs_diff_eq!(u, upper, epsilon = 1e-12),
        "[{l}, {u}]"
    );
    assert!(
        abs_diff_eq!(l, 0.4, epsilon = 1e-6) && abs_diff_eq!(u, 1.6, epsilon = 1e-6),
        "[{l}, {u}]"
    );
    let msg = err.to_string();
    assert!(msg.contains("margin `A`, category `a`"), "{msg}");
    assert!(msg.contains("[0.400000, 1.600000]") && msg.contains("widen `bounds`"), "{msg}");
    // The non-converged result is still available with its log.
    let r = solve(&p, &Options::new(Method::TruncatedLinear, Some(tight))).unwrap();
    assert!(!r.report.converged && !r.report.iteration_log.is_empty());
    // Suggested bounds work for every bounded method.
    for m in [Method::Logit, Method::TruncatedLinear, Method::Raking] {
        let cal =
            calibrate(&p, &Options { max_iterations: 500, ..Options::new(m, Some(suggested)) });
        assert!(cal.is_ok(), "{m:?}: {:?}", cal.err());
    }
}

/// A problem with a two-dimensional trade-off: the LP optimum is not a single category's
/// ratio, so check the two defining properties: the bounds work and narrower ones fail.
#[test]
fn narrowest_bounds_are_feasible_and_minimal() {
    let n = 60;
    let a: Vec<u32> = (0..n).map(|k| (k % 3) as u32).collect();
    let b: Vec<u32> = (0..n).map(|k| ((k * 7 / 5) % 2) as u32).collect();
    let x: Vec<f64> = (0..n).map(|k| 1.0 + (k % 7) as f64).collect();
    let d: Vec<f64> = (0..n).map(|k| 1.0 + (k % 4) as f64).collect();
    let margins = vec![
        cat("A", a, &["1", "2", "3"], vec![90.0, 40.0, 50.0]),
        cat("B", b, &["u", "v"], vec![120.0, 60.0]),
        Margin::Numeric { name: "x".into(), values: x, target: 700.0 },
    ];
    let p = Problem::new(d, margins).unwrap();
    let NarrowestBounds::Feasible { lower, upper, suggested } = narrowest_bounds(&p).unwrap()
    else {
        panic!("expected feasible bounds")
    };
    assert!(lower < 1.0 && upper > 1.0, "[{lower}, {upper}]");
    let cal = calibrate(
        &p,
        &Options { max_iterations: 500, ..Options::new(Method::Logit, Some(suggested)) },
    );
    assert!(cal.is_ok(), "{:?}", cal.err());
    // Slightly outside the optimum works with truncated linear; 2% narrower (any placement
    // containing 1) fails.
    let w = upper - lower;
    let just = Bounds::new(lower - 0.002 * w, upper + 0.002 * w).unwrap();
    assert!(
        calibrate(
            &p,
            &Options { max_iterations: 500, ..Options::new(Method::TruncatedLinear, Some(just)) }
        )
        .is_ok()
    );
    for shift in [0.0, 0.01, 0.02] {
        let (l, u) = (lower + shift * w, upper - (0.02 - shift) * w);
        if l < 1.0 && u > 1.0 {
            let narrow = Bounds::new(l, u).unwrap();
            let r = calibrate(&p, &Options::new(Method::TruncatedLinear, Some(narrow)));
            assert!(r.is_err(), "[{l}, {u}] should be infeasible");
        }
    }
}

#[test]
fn contradictory_margins_are_reported_as_such() {
    // A crossed margin that contradicts the simple one (same N).
    let sexm = cat("sex", vec![0, 1, 0, 1], &["1", "2"], vec![50.0, 50.0]);
    let crossed = cat(
        "sex,age",
        vec![0, 2, 1, 3],
        &["1,y", "1,o", "2,y", "2,o"],
        vec![40.0, 20.0, 20.0, 20.0],
    );
    let p = Problem::new(vec![1.0; 4], vec![sexm, crossed]).unwrap();
    assert_eq!(narrowest_bounds(&p).unwrap(), NarrowestBounds::Infeasible);
    let err = calibrate(&p, &Options::new(Method::Linear, None)).unwrap_err();
    assert!(matches!(err, Error::Infeasible { narrowest: None, .. }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("contradict"), "{msg}");
}

/// Margins reachable within the bounds, but too few iterations: not converged, not
/// infeasible.
#[test]
fn too_few_iterations_is_not_converged() {
    let p = skewed();
    let wide = Bounds::new(0.3, 2.0).unwrap();
    let o = Options { max_iterations: 1, ..Options::new(Method::Logit, Some(wide)) };
    let err = calibrate(&p, &o).unwrap_err();
    assert!(
        matches!(err, Error::NotConverged { step: "calibration", iterations: 1, .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(msg.starts_with("calibration: logit calibration did not reach"), "{msg}");
    assert!(msg.contains("inside the given bounds"), "{msg}");
}
