//! Predictive margins (counterfactual means) against R (case P16: the full linearization
//! computed by hand in R with `svyrecvar`, and `withReplicates` refitting `glm` on JK1
//! replicates), and a coverage simulation on a synthetic population.

use approx::assert_relative_eq;
use ponder::data::Factor;
use ponder::model::{Column, Family, GlmOptions, ModelSpec, Variable, Variance, predictive_margin};
use ponder::variance::replicates::{ReplicateDesign, ReplicateKind, ReplicateOptions};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::fixtures::{Csv, design, expected};

const CASE: &str = "P16_predictive_margin_clus1";

fn spec<'a>(sw: &'a Factor, ell: &'a [f64], meals: &'a [f64], stype: &'a Factor) -> ModelSpec<'a> {
    let mut s = ModelSpec::new(
        Family::QuasiBinomial,
        Variable { name: "sch.wide", column: Column::Factor(sw) },
        vec![
            Variable { name: "ell", column: Column::Numeric(ell) },
            Variable { name: "meals", column: Column::Numeric(meals) },
            Variable { name: "stype", column: Column::Factor(stype) },
        ],
    );
    s.category = Some("Yes");
    s
}

#[test]
fn p16_predictive_margins_match_r_linearized_and_jk1() {
    let csv = Csv::data(CASE);
    let exp = expected(CASE);
    let lin = design(&csv, None, &["dnum"], &["fpc"], "pw");
    let mut opts = ReplicateOptions::new(ReplicateKind::Jk1);
    opts.scale = Some(0.9148392778511668);
    let rep = ReplicateDesign::from_columns(csv.num("pw"), csv.replicate_columns(), opts)
        .expect("replicates");
    let (sw, stype, ell, meals) =
        (csv.factor("sch.wide"), csv.factor("stype"), csv.num("ell"), csv.num("meals"));
    let s = spec(&sw, &ell, &meals, &stype);
    let glm = GlmOptions::default();
    for e in exp["margins"].as_array().unwrap() {
        let level = e["level"].as_str().unwrap();
        let f = |k: &str| e[k].as_f64().unwrap();
        let m = predictive_margin(&s, Variance::Linearization(&lin), &glm, ("stype", level), 0.95)
            .expect("margin");
        assert_relative_eq!(m.margin.estimate, f("margin"), max_relative = 1e-9);
        assert_relative_eq!(m.observed.estimate, f("observed"), max_relative = 1e-12);
        assert_relative_eq!(m.margin.se, f("se_margin"), max_relative = 1e-6);
        assert_relative_eq!(m.observed.se, f("se_observed"), max_relative = 1e-6);
        assert_relative_eq!(m.difference.se, f("se_difference"), max_relative = 1e-6);
        assert_eq!(m.df, f("df"));
        assert_eq!(m.n, 183);
        let r = predictive_margin(&s, Variance::Replicates(&rep), &glm, ("stype", level), 0.95)
            .expect("replicate margin");
        // R's replicate point estimate is glm's (its own convergence): 1e-9
        assert_relative_eq!(r.margin.estimate, f("jk1_margin"), max_relative = 1e-9);
        assert_relative_eq!(r.margin.se, f("jk1_se_margin"), max_relative = 1e-6);
        assert_relative_eq!(r.difference.se, f("jk1_se_difference"), max_relative = 1e-6);
    }
}

#[test]
fn a_level_absent_or_a_numeric_term_is_refused_by_name() {
    let csv = Csv::data(CASE);
    let lin = design(&csv, None, &["dnum"], &["fpc"], "pw");
    let (sw, stype, ell, meals) =
        (csv.factor("sch.wide"), csv.factor("stype"), csv.num("ell"), csv.num("meals"));
    let s = spec(&sw, &ell, &meals, &stype);
    let glm = GlmOptions::default();
    let err = predictive_margin(&s, Variance::Linearization(&lin), &glm, ("stype", "X"), 0.95)
        .unwrap_err()
        .to_string();
    assert!(err.contains("`stype` has no level `X`") && err.contains("E, H, M"), "{err}");
    let err = predictive_margin(&s, Variance::Linearization(&lin), &glm, ("ell", "1"), 0.95)
        .unwrap_err()
        .to_string();
    assert!(err.contains("`ell` is numeric"), "{err}");
    let err = predictive_margin(&s, Variance::Linearization(&lin), &glm, ("mode", "web"), 0.95)
        .unwrap_err()
        .to_string();
    assert!(err.contains("`mode`"), "{err}");
}

/// Synthetic population of 20,000: a binary answer whose logit depends on a covariate and
/// on the mode (phone answers shifted by +0.6); phone respondents are older. Simple random
/// samples of 600: the margin "all on the web" must be unbiased for the population mean of
/// the web-mode probabilities, its 95 % CI covering it in 92–98 % of 400 samples, while the
/// observed mean is biased.
#[test]
fn counterfactual_margin_is_unbiased_and_covers() {
    let mut rng = ChaCha8Rng::seed_from_u64(16);
    let big_n = 20_000;
    let age: Vec<f64> = (0..big_n).map(|_| rng.random_range(-1.0..1.0)).collect();
    let phone: Vec<bool> =
        age.iter().map(|a| rng.random_range(0.0..1.0) < 0.25 + 0.2 * a).collect();
    let logit = |a: f64, ph: bool| -0.3 + 0.8 * a + if ph { 0.6 } else { 0.0 };
    let p = |x: f64| 1.0 / (1.0 + (-x).exp());
    let y: Vec<f64> = (0..big_n)
        .map(|k| f64::from(u8::from(rng.random_range(0.0..1.0) < p(logit(age[k], phone[k])))))
        .collect();
    let truth = (0..big_n).map(|k| p(logit(age[k], false))).sum::<f64>() / big_n as f64;
    let (n, runs) = (600, 400);
    let (mut covered, mut sum_est, mut sum_obs) = (0, 0.0, 0.0);
    for _ in 0..runs {
        let rows = rand::seq::index::sample(&mut rng, big_n, n).into_vec();
        let mode = Factor {
            codes: rows.iter().map(|&k| u32::from(phone[k])).collect(),
            levels: vec!["web".into(), "phone".into()],
        };
        let a: Vec<f64> = rows.iter().map(|&k| age[k]).collect();
        let yy: Vec<f64> = rows.iter().map(|&k| y[k]).collect();
        let lin = super::fixtures::srs_design(vec![big_n as f64 / n as f64; n]);
        let s = ModelSpec::new(
            Family::QuasiBinomial,
            Variable { name: "y", column: Column::Numeric(&yy) },
            vec![
                Variable { name: "age", column: Column::Numeric(&a) },
                Variable { name: "mode", column: Column::Factor(&mode) },
            ],
        );
        let m = predictive_margin(
            &s,
            Variance::Linearization(&lin),
            &GlmOptions::default(),
            ("mode", "web"),
            0.95,
        )
        .expect("margin");
        covered += usize::from(m.margin.ci_low <= truth && truth <= m.margin.ci_high);
        sum_est += m.margin.estimate;
        sum_obs += m.observed.estimate;
    }
    let coverage = covered as f64 / runs as f64;
    let (bias, obs_bias) = (sum_est / runs as f64 - truth, sum_obs / runs as f64 - truth);
    assert!((0.92..=0.98).contains(&coverage), "coverage {coverage}");
    assert!(bias.abs() < 0.004, "bias of the margin {bias}");
    assert!(
        obs_bias > 0.02,
        "the observed mean is biased upwards by the phone answers: {obs_bias}"
    );
}
