//! R `survey` reference cases P14a–P15 (svyglm, regTermTest, svychisq, svycontrast).

use approx::assert_relative_eq;
use ponder::model::{
    ChisqStatistic, Column, Family, GlmFit, GlmOptions, Missing, ModelSpec, Variable, Variance,
    domain_difference, fit_glm, indicator, rao_scott,
};
use ponder::variance::Linearization;
use ponder::variance::replicates::{ReplicateDesign, ReplicateKind, ReplicateOptions};
use ponder::variance::{CalibrationStep, RakeMargin};
use serde_json::Value;

use super::fixtures::{Csv, design, expected, f64s, r_label};

fn apiclus1(case: &str) -> (Csv, Linearization) {
    let csv = Csv::data(case);
    let d = design(&csv, None, &["dnum"], &["fpc"], "pw");
    (csv, d)
}

/// Checks every coefficient of `model` against expected.json.
fn check_coefficients(fit: &GlmFit, exp: &Value, model: &str) {
    let rows: Vec<&Value> =
        exp["coefficients"].as_array().unwrap().iter().filter(|c| c["model"] == model).collect();
    let got = fit.summary(0.95);
    assert_eq!(got.len(), rows.len(), "{model}: number of coefficients");
    for (c, e) in got.iter().zip(rows) {
        assert_eq!(r_label(&c.term), e["term"].as_str().unwrap(), "{model}: term order");
        let what = format!("{model} {}", c.term);
        let f = |k: &str| e[k].as_f64().unwrap();
        assert_relative_eq!(c.estimate, f("estimate"), max_relative = 1e-7);
        for (v, k) in [(c.se, "se"), (c.statistic, "statistic"), (c.p_value, "p_value")] {
            assert!(
                approx::relative_eq!(v, f(k), max_relative = 1e-6),
                "{what}: {k} {v} vs {}",
                f(k)
            );
        }
        for (v, k) in [(c.ci_low, "ci_low"), (c.ci_high, "ci_high")] {
            assert!(
                approx::relative_eq!(v, f(k), max_relative = 1e-6),
                "{what}: {k} {v} vs {}",
                f(k)
            );
        }
        assert_eq!(c.df, f("df"), "{what}: df");
        match fit.family {
            Family::Gaussian => assert!(c.exp.is_none()),
            _ => assert_relative_eq!(c.exp.unwrap()[0], f("estimate").exp(), max_relative = 1e-7),
        }
    }
}

fn check_term_test(fit: &GlmFit, exp: &Value, term: &str) {
    let e = exp["term_tests"].as_array().unwrap().iter().find(|t| t["term"] == term).unwrap();
    let t = fit.term_test(term).expect("term test");
    assert_relative_eq!(t.statistic, e["statistic"].as_f64().unwrap(), max_relative = 1e-6);
    assert_eq!(t.df1, e["df1"].as_f64().unwrap());
    assert_eq!(t.df2, e["df2"].as_f64().unwrap());
    assert_relative_eq!(t.p_value, e["p_value"].as_f64().unwrap(), max_relative = 1e-6);
}

fn check_chisq(var: Variance, csv: &Csv, exp: &Value) {
    let (a, b) = (csv.factor("sch.wide"), csv.factor("stype"));
    for e in exp["tests"].as_array().unwrap() {
        let kind = match e["statistic_kind"].as_str().unwrap() {
            "F" => ChisqStatistic::F,
            _ => ChisqStatistic::Chisq,
        };
        let t = rao_scott(var, ("sch.wide", &a), ("stype", &b), kind).expect("svychisq");
        let name = e["name"].as_str().unwrap();
        let f = |k: &str| e[k].as_f64().unwrap();
        for (v, k) in [(t.statistic, "statistic"), (t.df1, "df1"), (t.p_value, "p_value")] {
            assert!(
                approx::relative_eq!(v, f(k), max_relative = 1e-6),
                "{name}: {k} {v} vs {}",
                f(k)
            );
        }
        match e["df2"].as_f64() {
            Some(d) => assert_relative_eq!(t.df2.unwrap(), d, max_relative = 1e-6),
            None => assert!(t.df2.is_none()),
        }
    }
}

fn check_difference(var: Variance, y: (&str, &[f64]), csv: &Csv, e: &Value) {
    let by = csv.factor(e["by"].as_str().unwrap());
    let l: Vec<&str> =
        e["levels"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let d = domain_difference(var, y, ("stype", &by), [l[0], l[1]], Missing::Fail, 0.95)
        .expect("difference");
    let f = |k: &str| e[k].as_f64().unwrap();
    assert_relative_eq!(d.estimate, f("estimate"), max_relative = 1e-9);
    for (v, k) in [(d.se, "se"), (d.statistic, "statistic"), (d.p_value, "p_value")] {
        assert!(approx::relative_eq!(v, f(k), max_relative = 1e-6), "{k} {v} vs {}", f(k));
    }
    let q = 1.959963984540054;
    assert_relative_eq!(d.ci_low, f("estimate") - q * f("se"), max_relative = 1e-6);
}

fn spec<'a>(
    family: Family,
    response: Variable<'a>,
    category: Option<&'a str>,
    terms: Vec<Variable<'a>>,
) -> ModelSpec<'a> {
    ModelSpec { category, ..ModelSpec::new(family, response, terms) }
}

fn num<'a>(name: &'a str, v: &'a [f64]) -> Variable<'a> {
    Variable { name, column: Column::Numeric(v) }
}

#[test]
fn p14a_gaussian_stratified_with_term_test_and_chisq() {
    let case = "P14a_glm_gaussian_strat";
    let csv = Csv::data(case);
    let exp = expected(case);
    let d = design(&csv, Some("stype"), &[], &["fpc"], "pw");
    let (api00, ell, meals, mob) =
        (csv.num("api00"), csv.num("ell"), csv.num("meals"), csv.num("mobility"));
    let stype = csv.factor("stype");
    let terms = vec![
        num("ell", &ell),
        num("meals", &meals),
        num("mobility", &mob),
        Variable { name: "stype", column: Column::Factor(&stype) },
    ];
    let s = spec(Family::Gaussian, num("api00", &api00), None, terms);
    let fit = fit_glm(&s, Variance::Linearization(&d), &GlmOptions::default()).expect("fit");
    check_coefficients(&fit, &exp, "api_linear");
    check_term_test(&fit, &exp, "stype");
    check_chisq(Variance::Linearization(&d), &csv, &exp);
}

fn logit_terms<'a>(
    csv_ell: &'a [f64],
    meals: &'a [f64],
    stype: Option<&'a ponder::data::Factor>,
) -> Vec<Variable<'a>> {
    let mut t = vec![num("ell", csv_ell), num("meals", meals)];
    if let Some(f) = stype {
        t.push(Variable { name: "stype", column: Column::Factor(f) });
    }
    t
}

#[test]
fn p14b_quasibinomial_one_stage_cluster_and_mean_differences() {
    let case = "P14b_glm_logistic_clus1";
    let (csv, d) = apiclus1(case);
    let exp = expected(case);
    let (ell, meals, api00) = (csv.num("ell"), csv.num("meals"), csv.num("api00"));
    let (sw, stype) = (csv.factor("sch.wide"), csv.factor("stype"));
    let response = Variable { name: "sch.wide", column: Column::Factor(&sw) };
    let s =
        spec(Family::QuasiBinomial, response, Some("Yes"), logit_terms(&ell, &meals, Some(&stype)));
    let fit = fit_glm(&s, Variance::Linearization(&d), &GlmOptions::default()).expect("fit");
    check_coefficients(&fit, &exp, "schwide_logit");
    check_term_test(&fit, &exp, "stype");
    for e in exp["differences"].as_array().unwrap() {
        check_difference(Variance::Linearization(&d), ("api00", &api00), &csv, e);
    }
}

#[test]
fn p14c_gaussian_on_raked_design_uses_calibration_residuals() {
    let case = "P14c_glm_after_raking";
    let (csv, d) = apiclus1(case);
    let exp = expected(case);
    let w = f64s(&exp["final_weights"]);
    let margins = ["stype", "sch.wide"]
        .iter()
        .map(|m| RakeMargin { codes: csv.factor(m).codes, weights: w.clone() })
        .collect();
    let rk = d.calibrated(w, CalibrationStep::RakeBackfitting { margins }).expect("rake");
    let (api00, ell, meals, stype) =
        (csv.num("api00"), csv.num("ell"), csv.num("meals"), csv.factor("stype"));
    let s =
        spec(Family::Gaussian, num("api00", &api00), None, logit_terms(&ell, &meals, Some(&stype)));
    let fit = fit_glm(&s, Variance::Linearization(&rk), &GlmOptions::default()).expect("fit");
    check_coefficients(&fit, &exp, "api_linear_raked");
}

#[test]
fn p14d_quasibinomial_with_jk1_replicates_refits() {
    let case = "P14d_glm_logistic_jk1";
    let csv = Csv::data(case);
    let exp = expected(case);
    let mut opts = ReplicateOptions::new(ReplicateKind::Jk1);
    opts.scale = Some(0.9148392778511668);
    let rep = ReplicateDesign::from_columns(csv.num("pw"), csv.replicate_columns(), opts)
        .expect("replicates");
    let (ell, meals, sw) = (csv.num("ell"), csv.num("meals"), csv.factor("sch.wide"));
    let response = Variable { name: "sch.wide", column: Column::Factor(&sw) };
    let s = spec(Family::QuasiBinomial, response, Some("Yes"), logit_terms(&ell, &meals, None));
    let fit = fit_glm(&s, Variance::Replicates(&rep), &GlmOptions::default()).expect("fit");
    check_coefficients(&fit, &exp, "schwide_logit_jk1");
}

#[test]
fn p15_rao_scott_and_difference_of_proportions() {
    let case = "P15_chisq_and_differences_clus1";
    let (csv, d) = apiclus1(case);
    let exp = expected(case);
    check_chisq(Variance::Linearization(&d), &csv, &exp);
    let yes = indicator("sch.wide", &csv.factor("sch.wide"), "Yes").expect("indicator");
    for e in exp["differences"].as_array().unwrap() {
        check_difference(Variance::Linearization(&d), ("sch.wide", &yes), &csv, e);
    }
}
