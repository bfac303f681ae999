//! Reference cases computed with R `survey` 4.1.1 / `sampling` 2.9 (tests/fixtures).

use ponder::calibration::{
    Algorithm, Bounds, Method, Options, Problem, SolveOn, calibrate, calibrate_replicates,
};

use approx::{abs_diff_eq, assert_abs_diff_eq};

use super::fixtures::{assert_all_relative_eq, f64s, load, numeric, read_csv};

/// Weights: relative 1e-9 (README of the reference cases).
const WEIGHT_RTOL: f64 = 1e-9;

fn options(method: Method, bounds: Option<(f64, f64)>) -> Options {
    Options {
        tolerance: 1e-12,
        max_iterations: 200,
        ..Options::new(method, bounds.map(|(l, u)| Bounds::new(l, u).unwrap()))
    }
}

fn problem(case: &str) -> (Problem, serde_json::Value) {
    let c = load(case);
    (Problem::new(c.weights, c.margins).unwrap(), c.expected)
}

#[test]
fn p04_poststratification_closed_form_and_newton() {
    let (p, exp) = problem("P04_poststrat");
    let want = f64s(&exp["final_weights"]);
    let cal = calibrate(&p, &options(Method::Linear, None)).unwrap();
    assert_eq!(cal.report.algorithm, "post_stratification");
    assert_all_relative_eq("post-stratified weights", &cal.weights, &want, 1e-12);
    for solve_on in [SolveOn::Rows, SolveOn::Cells] {
        let o = Options { algorithm: Algorithm::Newton, solve_on, ..options(Method::Linear, None) };
        let cal = calibrate(&p, &o).unwrap();
        assert_eq!(cal.report.algorithm, "newton");
        assert_all_relative_eq(&format!("{solve_on:?} weights"), &cal.weights, &want, WEIGHT_RTOL);
    }
}

#[test]
fn p05_raking_ipf_and_newton() {
    let (p, exp) = problem("P05_rake");
    let ipf = Options { algorithm: Algorithm::Ipf, ..options(Method::Raking, None) };
    let cal = calibrate(&p, &ipf).unwrap();
    assert_eq!(cal.report.algorithm, "ipf");
    let want = f64s(&exp["final_weights"]);
    assert_all_relative_eq("ipf weights", &cal.weights, &want, WEIGHT_RTOL);
    // Stage weights: one set per margin; the last is the final weights.
    let stages = cal.stage_weights.as_ref().unwrap();
    assert_eq!(stages.len(), 2);
    assert_eq!(stages[0].margin, "stype");
    assert_eq!(stages[1].weights, cal.weights);
    assert_all_relative_eq("stage 1 weights", &stages[0].weights, &want, 1e-9);

    let want = f64s(&exp["final_weights_calibrate_raking"]);
    for solve_on in [SolveOn::Auto, SolveOn::Rows] {
        let o = Options { solve_on, ..options(Method::Raking, None) };
        let cal = calibrate(&p, &o).unwrap();
        assert_eq!(cal.report.algorithm, "newton");
        assert_all_relative_eq(&format!("{solve_on:?} weights"), &cal.weights, &want, WEIGHT_RTOL);
    }
}

#[test]
fn p06_linear_calibration_with_numeric_margin() {
    let (p, exp) = problem("P06_linear_calib");
    let cal = calibrate(&p, &options(Method::Linear, None)).unwrap();
    assert_eq!(cal.report.solved_on, "rows");
    assert_eq!(cal.report.iterations, 1);
    assert_all_relative_eq("weights", &cal.weights, &f64s(&exp["final_weights"]), WEIGHT_RTOL);
    assert_all_relative_eq("g", &cal.g(p.weights()), &f64s(&exp["g_weights"]), WEIGHT_RTOL);
}

#[test]
fn p07a_logit_bounded() {
    let (p, exp) = problem("P07a_logit_bounded");
    let cal = calibrate(&p, &options(Method::Logit, Some((0.5, 2.5)))).unwrap();
    assert_all_relative_eq("weights", &cal.weights, &f64s(&exp["final_weights"]), WEIGHT_RTOL);
    assert_all_relative_eq("g", &cal.g(p.weights()), &f64s(&exp["g_weights"]), WEIGHT_RTOL);
    assert!(cal.report.g.min >= 0.5 && cal.report.g.max <= 2.5);
    assert_abs_diff_eq!(cal.report.g.min, 0.744012, epsilon = 1e-6);
    assert_abs_diff_eq!(cal.report.g.max, 1.506530, epsilon = 1e-6);
}

#[test]
fn p07b_truncated_linear() {
    let (p, exp) = problem("P07b_truncated_linear");
    let cal = calibrate(&p, &options(Method::TruncatedLinear, Some((0.5, 2.5)))).unwrap();
    assert_all_relative_eq("weights", &cal.weights, &f64s(&exp["final_weights"]), WEIGHT_RTOL);
    assert_all_relative_eq("g", &cal.g(p.weights()), &f64s(&exp["g_weights"]), WEIGHT_RTOL);
    assert_eq!((cal.report.at_lower_bound, cal.report.at_upper_bound), (0, 0));
}

#[test]
fn p08d_jk1_replicates_recalibrated() {
    let (p, exp) = problem("P08d_jk1_calibrated");
    let o = options(Method::Linear, None);
    let cal = calibrate(&p, &o).unwrap();
    assert_all_relative_eq("weights", &cal.weights, &f64s(&exp["final_weights"]), WEIGHT_RTOL);
    let reps = read_csv("P08d_jk1_calibrated", "replicate_weights.csv");
    let cols: Vec<Vec<f64>> = (1..=15).map(|r| numeric(&reps[&format!("rep_{r}")])).collect();
    let out = calibrate_replicates(&p, &cols, &o).unwrap();
    let want = exp["final_replicate_weights"].as_array().unwrap();
    assert_eq!(out.len(), want.len());
    for (r, (cal, w)) in out.iter().zip(want).enumerate() {
        let w = f64s(w);
        // Rows dropped by the replicate have weight 0 in both.
        for (a, b) in cal.weights.iter().zip(&w) {
            assert_eq!(*a == 0.0, *b == 0.0, "replicate {}", r + 1);
        }
        assert_all_relative_eq(&format!("replicate {}", r + 1), &cal.weights, &w, WEIGHT_RTOL);
    }
}

#[test]
fn p12c_all_methods_against_survey_and_sampling() {
    let (p, exp) = problem("P12c_sampling_calib");
    let b = Some((0.5, 2.5));
    for (name, method, bounds) in [
        ("linear", Method::Linear, None),
        ("raking", Method::Raking, None),
        ("logit", Method::Logit, b),
        ("truncated", Method::TruncatedLinear, b),
    ] {
        let cal = calibrate(&p, &options(method, bounds)).unwrap();
        let g = cal.g(p.weights());
        let survey = f64s(&exp["g_weights_survey_calibrate"][name]);
        let sampling = f64s(&exp["g_weights_sampling_calib"][name]);
        assert_all_relative_eq(&format!("{name} g vs survey"), &g, &survey, WEIGHT_RTOL);
        // sampling::calib stops at a relative margin error of 1e-6: its logit g differs from
        // survey's by 3.1e-6 (max_abs_diff_sampling_vs_survey), so allow that much.
        let tol = (1.1 * exp["max_abs_diff_sampling_vs_survey"][name].as_f64().unwrap()).max(1e-6);
        assert_eq!(g.len(), sampling.len(), "{name}");
        for (i, (a, b)) in g.iter().zip(&sampling).enumerate() {
            assert!(abs_diff_eq!(a, b, epsilon = tol), "{name} g vs sampling [{i}]: {a} vs {b}");
        }
    }
}

#[test]
fn p05_calmar_stopping_rule_gives_the_same_weights() {
    use ponder::calibration::StoppingRule;
    let (p, exp) = problem("P05_rake");
    let want = f64s(&exp["final_weights_calibrate_raking"]);
    for algorithm in [Algorithm::Newton, Algorithm::Ipf] {
        let o =
            Options { stopping: StoppingRule::GChange, algorithm, ..options(Method::Raking, None) };
        let cal = calibrate(&p, &o).unwrap();
        let last = cal.report.iteration_log.last().unwrap();
        assert!(last.g_change.unwrap() <= 1e-12, "{algorithm:?}");
        assert_all_relative_eq(&format!("{algorithm:?} weights"), &cal.weights, &want, WEIGHT_RTOL);
    }
}
