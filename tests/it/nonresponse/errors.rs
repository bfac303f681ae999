//! Errors on bad input: each names the culprit and says what to do.

use super::{mixed_codes, status_factor};
use ponder::data::Factor;
use ponder::nonresponse::{
    Collinearity, FitOptions, Method, ModelWeighting, Nonresponse, NonresponseSpec, Phases,
    Predictor, ResponseModel, StatusCodes, Variable,
};

fn model<'a>(predictors: Vec<Predictor<'a>>) -> ResponseModel<'a> {
    ResponseModel {
        predictors,
        weighting: ModelWeighting::Design,
        phases: Phases::Global,
        options: FitOptions::default(),
    }
}

fn spec<'a>(status: &'a Factor, method: Method<'a>) -> NonresponseSpec<'a> {
    NonresponseSpec {
        status_name: "outcome",
        status,
        codes: mixed_codes(),
        eligibility_classes: vec![],
        method,
        profile: vec![],
    }
}

fn message<T>(r: ponder::Result<T>) -> String {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn undeclared_status_codes_are_listed_and_never_respondents() {
    let status = status_factor(&["web", "phone", "nr", "moved", "web", "moved", "??"]);
    let g = status_factor(&["a"; 7]);
    let r = Nonresponse::new(spec(&status, Method::Classes(vec![Variable::categorical("g", &g)])));
    let msg = message(r);
    assert!(msg.contains("`moved` (2 unit(s))") && msg.contains("`??` (1 unit(s))"), "{msg}");
    assert!(msg.contains("outcome"), "{msg}");
}

#[test]
fn a_code_declared_twice_is_an_error() {
    let status = status_factor(&["1", "0", "1"]);
    let mut codes = StatusCodes::binary("1", "0");
    codes.ineligible = vec!["1".into()];
    let g = status_factor(&["a"; 3]);
    let mut s = spec(&status, Method::Classes(vec![Variable::categorical("g", &g)]));
    s.codes = codes;
    let msg = message(Nonresponse::new(s));
    assert!(msg.contains("`1`") && msg.contains("both"), "{msg}");
}

#[test]
fn a_class_without_respondents_is_named() {
    let status = status_factor(&["web", "nr", "phone", "nr", "nr", "web"]);
    let g = status_factor(&["A", "A", "B", "B", "C", "C"]);
    let h = status_factor(&["x", "x", "x", "x", "y", "x"]);
    let classes = vec![Variable::categorical("region", &g), Variable::categorical("sex", &h)];
    let nr = Nonresponse::new(spec(&status, Method::Classes(classes))).unwrap();
    let msg = message(nr.adjust(&[1.0; 6]));
    assert!(
        msg.contains("`C,y`") && msg.contains("no respondent") && msg.contains("merge"),
        "{msg}"
    );
}

#[test]
fn a_score_group_without_respondents_is_named_when_merging_is_off() {
    // Respondents only among x >= 20 (half of them): the lowest groups have none.
    let n = 60;
    let labels: Vec<&str> =
        (0..n).map(|i| if i >= 20 && i % 2 == 0 { "web" } else { "nr" }).collect();
    let status = status_factor(&labels);
    let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let method = Method::Score {
        model: model(vec![Predictor::new(Variable::numeric("x", &x))]),
        groups: ponder::nonresponse::ScoreGroups {
            groups: 6,
            min_respondents: 0,
            min_response_rate: 0.0,
            ..Default::default()
        },
    };
    let nr = Nonresponse::new(spec(&status, method)).unwrap();
    let msg = message(nr.adjust(&vec![2.0; n]));
    assert!(
        msg.contains("score group 1") && msg.contains("no respondent") && msg.contains("fewer"),
        "{msg}"
    );
}

#[test]
fn perfect_separation_on_a_numeric_predictor_names_it() {
    let n = 40;
    let labels: Vec<&str> = (0..n).map(|i| if i >= 20 { "web" } else { "nr" }).collect();
    let status = status_factor(&labels);
    let age: Vec<f64> = (0..n).map(|i| 20.0 + i as f64).collect();
    let noise: Vec<f64> = (0..n).map(|i| ((i * 7) % 5) as f64).collect();
    let m = model(vec![
        Predictor::new(Variable::numeric("noise", &noise)),
        Predictor::new(Variable::numeric("age", &age)),
    ]);
    let nr = Nonresponse::new(spec(&status, Method::Propensity(m))).unwrap();
    let msg = message(nr.adjust(&vec![1.0; n]));
    assert!(msg.contains("separation") && msg.contains("`age`"), "{msg}");
}

#[test]
fn quasi_separation_in_a_category_names_it() {
    let labels = ["web", "nr", "web", "nr", "web", "web", "phone", "web"];
    let status = status_factor(&labels);
    let dip = status_factor(&["none", "none", "bac", "bac", "sup", "sup", "sup", "sup"]);
    let m = model(vec![Predictor::new(Variable::categorical("diploma", &dip))]);
    let nr = Nonresponse::new(spec(&status, Method::Propensity(m))).unwrap();
    let msg = message(nr.adjust(&[1.0; 8]));
    assert!(
        msg.contains("`diploma`") && msg.contains("`sup`") && msg.contains("separation"),
        "{msg}"
    );
}

#[test]
fn missing_predictors_for_eligible_units_are_an_error() {
    let labels = ["web", "nr", "out", "nr", "phone", "nr"];
    let status = status_factor(&labels);
    // Missing for an ineligible unit (row 3) is fine; for rows 4 and 6 it is not.
    let inc = [1.0, 2.0, f64::NAN, f64::NAN, 3.0, f64::NAN];
    let m = model(vec![Predictor::new(Variable::numeric("income", &inc))]);
    let msg = message(Nonresponse::new(spec(&status, Method::Propensity(m))));
    assert!(
        msg.contains("`income`") && msg.contains("2 sampled unit(s)") && msg.contains("rows 4, 6"),
        "{msg}"
    );
    let dip = status_factor(&["a", "", "b", "a", "b", "b"]);
    let m = model(vec![Predictor::new(Variable::categorical("diploma", &dip))]);
    let msg = message(Nonresponse::new(spec(&status, Method::Propensity(m))));
    assert!(msg.contains("`diploma`") && msg.contains("rows 2"), "{msg}");
}

#[test]
fn aliased_columns_are_reported_or_fail() {
    let n = 30;
    let labels: Vec<&str> = (0..n).map(|i| if i % 3 == 0 { "nr" } else { "web" }).collect();
    let status = status_factor(&labels);
    let x: Vec<f64> = (0..n).map(|i| ((i * 13) % 7) as f64).collect();
    let x2: Vec<f64> = x.iter().map(|v| 2.0 * v + 1.0).collect();
    let preds = || {
        vec![
            Predictor::new(Variable::numeric("x", &x)),
            Predictor::new(Variable::numeric("x2", &x2)),
        ]
    };
    let adj = Nonresponse::new(spec(&status, Method::Propensity(model(preds()))))
        .unwrap()
        .adjust(&vec![1.0; n])
        .unwrap();
    assert_eq!(adj.report.models[0].aliased, ["x2"]);
    assert!(adj.report.notes.iter().any(|n| n.contains("x2")));
    let mut m = model(preds());
    m.options.collinearity = Collinearity::Fail;
    let msg = message(
        Nonresponse::new(spec(&status, Method::Propensity(m))).unwrap().adjust(&vec![1.0; n]),
    );
    assert!(msg.contains("aliased") && msg.contains("x2"), "{msg}");
}

#[test]
fn bad_weights_and_sequential_without_modes_are_errors() {
    let status = status_factor(&["1", "0", "1", "0"]);
    let g = status_factor(&["a"; 4]);
    let mut s = spec(&status, Method::Classes(vec![Variable::categorical("g", &g)]));
    s.codes = StatusCodes::binary("1", "0");
    let nr = Nonresponse::new(s).unwrap();
    assert!(message(nr.adjust(&[1.0, f64::NAN, 1.0, 1.0])).contains("rows 2"));
    let e = nr.adjust(&[1.0, -1.0, 1.0, -2.0]).unwrap_err();
    assert!(matches!(e, ponder::Error::Method { step: "nonresponse", .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.contains(">= 0") && msg.contains("rows 2, 4"), "{msg}");
    let x = [1.0, 2.0, 3.0, 4.0];
    let phone = [true; 4];
    let mut m = model(vec![Predictor::new(Variable::numeric("x", &x))]);
    m.phases = Phases::Sequential {
        phone_number: &phone,
        share: ponder::nonresponse::PhoneShare::Observed,
    };
    let mut s = spec(&status, Method::Propensity(m));
    s.codes = StatusCodes::binary("1", "0");
    let msg = message(Nonresponse::new(s));
    assert!(msg.contains("sequential") && msg.contains("web"), "{msg}");
}

#[test]
fn a_logistic_fit_stopped_early_is_not_converged() {
    let n = 60;
    let labels: Vec<&str> = (0..n).map(|i| if (i * 7) % 5 < 2 { "web" } else { "nr" }).collect();
    let status = status_factor(&labels);
    let x: Vec<f64> = (0..n).map(|i| ((i * 13) % 11) as f64).collect();
    let mut m = model(vec![Predictor::new(Variable::numeric("x", &x))]);
    m.options.max_iterations = 1;
    let nr = Nonresponse::new(spec(&status, Method::Propensity(m))).unwrap();
    let e = nr.adjust(&vec![1.0; n]).unwrap_err();
    assert!(
        matches!(e, ponder::Error::NotConverged { step: "nonresponse", iterations: 1, .. }),
        "{e:?}"
    );
    assert!(e.to_string().starts_with("nonresponse: "), "{e}");
    assert!(e.to_string().contains("did not converge in 1 Newton iterations"), "{e}");
}
