//! P11a (weighting classes within stype) and P11b (inverse propensity, svyglm quasibinomial
//! on stype + api99, design-weighted) against R survey.

use super::{assert_all_relative_eq, expected, f64s};
use crate::common::Csv;
use approx::{assert_abs_diff_eq, relative_eq};
use ponder::data::Factor;
use ponder::nonresponse::{
    FitOptions, Method, ModelWeighting, Nonresponse, NonresponseSpec, Phases, Predictor,
    ResponseModel, StatusCodes, Variable,
};

#[test]
fn p11a_weighting_classes_match_r() {
    let case = "P11a_nonresponse_rhg";
    let csv = Csv::data(case);
    let r = csv.factor("resp");
    let st = csv.factor("stype");
    let pw = csv.numeric("pw");
    let api99 = csv.numeric("api99");
    let spec = NonresponseSpec {
        status_name: "resp",
        status: &r,
        codes: StatusCodes::binary("1", "0"),
        eligibility_classes: vec![],
        method: Method::Classes(vec![Variable::categorical("stype", &st)]),
        profile: vec![Variable::numeric("api99", &api99)],
    };
    let nr = Nonresponse::new(spec).unwrap();
    let adj = nr.adjust(&pw).unwrap();
    let exp = expected(case);
    let want = f64s(&exp["final_weights"]);
    assert_all_relative_eq("weights", &adj.weights, &want, 1e-12);
    let factors: Vec<f64> = adj.report.groups.iter().map(|g| g.factor).collect();
    assert_eq!(adj.group_labels, ["E", "H", "M"]);
    assert_all_relative_eq("factors", &factors, &f64s(&exp["adjustment_factors"]), 1e-12);
    // p̂ = d / w per respondent = the class weighted response rate.
    for (i, p) in adj.response_probabilities().iter().enumerate() {
        match p {
            Some(p) => assert_abs_diff_eq!(*p, adj.propensity[i].unwrap(), epsilon = 1e-12),
            None => assert_eq!(adj.weights[i], 0.0),
        }
    }
    assert_eq!(adj.report.response_rates.overall.n_respondents, 133);
    assert_eq!(adj.report.response_rates.overall.n_base, 183);
    let json = serde_json::to_string(&adj.report).unwrap();
    assert!(json.contains("\"method\":\"classes\""));
}

fn p11b_spec<'a>(
    csv_status: &'a Factor,
    stype: &'a Factor,
    api99: &'a [f64],
    weighting: ModelWeighting,
) -> NonresponseSpec<'a> {
    NonresponseSpec {
        status_name: "resp",
        status: csv_status,
        codes: StatusCodes::binary("1", "0"),
        eligibility_classes: vec![],
        method: Method::Propensity(ResponseModel {
            predictors: vec![
                Predictor::new(Variable::categorical("stype", stype)),
                Predictor::new(Variable::numeric("api99", api99)),
            ],
            weighting,
            phases: Phases::Global,
            options: FitOptions::default(),
        }),
        profile: vec![],
    }
}

#[test]
fn p11b_inverse_propensity_matches_svyglm() {
    let case = "P11b_nonresponse_propensity";
    let csv = Csv::data(case);
    let (status, stype, api99, pw) =
        (csv.factor("resp"), csv.factor("stype"), csv.numeric("api99"), csv.numeric("pw"));
    let nr = Nonresponse::new(p11b_spec(&status, &stype, &api99, ModelWeighting::Design)).unwrap();
    let adj = nr.adjust(&pw).unwrap();
    let exp = expected(case);
    let want_w = f64s(&exp["final_weights"]);
    assert_all_relative_eq("weights", &adj.weights, &want_w, 1e-8);
    let p: Vec<f64> = adj.propensity.iter().map(|p| p.unwrap()).collect();
    let want_p = f64s(&exp["propensities"]);
    assert_all_relative_eq("propensities", &p, &want_p, 1e-8);
    let fit = &adj.report.models[0];
    assert!(fit.converged && fit.weighted && fit.aliased.is_empty());
    let coefs = exp["propensity_coefficients"].as_object().unwrap();
    assert_eq!(fit.coefficients.len(), coefs.len());
    for c in &fit.coefficients {
        let want = coefs[&c.name].as_f64().unwrap();
        let got = c.estimate.unwrap();
        assert!(
            relative_eq!(got, want, epsilon = 0.0, max_relative = 1e-8),
            "{}: {got} vs {want}",
            c.name
        );
    }
}

#[test]
fn p11b_unweighted_fit_equals_weighted_when_weights_are_constant() {
    // apiclus1's pw is constant, so the unweighted fit must give the same propensities.
    let case = "P11b_nonresponse_propensity";
    let csv = Csv::data(case);
    let (status, stype, api99, pw) =
        (csv.factor("resp"), csv.factor("stype"), csv.numeric("api99"), csv.numeric("pw"));
    let w = Nonresponse::new(p11b_spec(&status, &stype, &api99, ModelWeighting::Design))
        .unwrap()
        .adjust(&pw)
        .unwrap();
    let u = Nonresponse::new(p11b_spec(&status, &stype, &api99, ModelWeighting::Unweighted))
        .unwrap()
        .adjust(&pw)
        .unwrap();
    assert!(!u.report.models[0].weighted);
    assert_all_relative_eq("unweighted model weights", &u.weights, &w.weights, 1e-10);
}

#[test]
fn p11b_reference_level_changes_coefficients_not_propensities() {
    let case = "P11b_nonresponse_propensity";
    let csv = Csv::data(case);
    let (status, stype, api99, pw) =
        (csv.factor("resp"), csv.factor("stype"), csv.numeric("api99"), csv.numeric("pw"));
    let base = Nonresponse::new(p11b_spec(&status, &stype, &api99, ModelWeighting::Design))
        .unwrap()
        .adjust(&pw)
        .unwrap();
    let with_ref = |r: &'static str| {
        let mut spec = p11b_spec(&status, &stype, &api99, ModelWeighting::Design);
        if let Method::Propensity(m) = &mut spec.method {
            m.predictors[0].reference = Some(r);
        }
        Nonresponse::new(spec).and_then(|nr| nr.adjust(&pw))
    };
    let h = with_ref("H").unwrap();
    let names: Vec<&str> =
        h.report.models[0].coefficients.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["(Intercept)", "stypeE", "stypeM", "api99"]);
    assert_all_relative_eq("reference H weights", &h.weights, &base.weights, 1e-10);
    let msg = with_ref("X").unwrap_err().to_string();
    assert!(msg.contains("`X`") && msg.contains("E, H, M"), "{msg}");
}
