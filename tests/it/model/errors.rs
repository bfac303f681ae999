//! Errors of the model module, matched by kind.

use ponder::data::Factor;
use ponder::error::Error;
use ponder::model::{Column, Family, GlmOptions, Missing, ModelSpec, Variable, Variance, fit_glm};

use super::fixtures::{factor_of, srs_design};

fn spec<'a>(family: Family, y: &'a [f64], terms: Vec<Variable<'a>>) -> ModelSpec<'a> {
    ModelSpec::new(family, Variable { name: "y", column: Column::Numeric(y) }, terms)
}

fn fac(values: &[&str]) -> Factor {
    factor_of(&values.iter().map(|s| Some((*s).to_string())).collect::<Vec<_>>())
}

fn fit(s: &ModelSpec, n: usize) -> ponder::Result<ponder::model::GlmFit> {
    let d = srs_design(vec![1.0; n]);
    fit_glm(s, Variance::Linearization(&d), &GlmOptions::default())
}

#[test]
fn aliased_column_is_named() {
    let x: Vec<f64> = (0..20).map(f64::from).collect();
    let x2: Vec<f64> = x.iter().map(|v| 2.0 * v + 1.0).collect();
    let y: Vec<f64> = x.iter().map(|v| v.sin()).collect();
    let terms = vec![
        Variable { name: "x", column: Column::Numeric(&x) },
        Variable { name: "x2", column: Column::Numeric(&x2) },
    ];
    let e = fit(&spec(Family::Gaussian, &y, terms), 20).unwrap_err();
    assert!(
        matches!(&e, Error::Method { step: "model", message } if message.contains("`x2` is aliased") && message.contains("`x`")),
        "{e}"
    );
}

#[test]
fn separation_names_term_and_level() {
    let g = fac(&["a", "b", "c", "a", "b", "c", "a", "b", "c", "a", "b", "c"]);
    let y = [1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0];
    let terms = vec![Variable { name: "g", column: Column::Factor(&g) }];
    let e = fit(&spec(Family::Binomial, &y, terms), 12).unwrap_err();
    assert!(matches!(&e, Error::Method { message, .. } if message.contains("`g=b`")), "{e}");
}

#[test]
fn binomial_response_must_be_zero_or_one() {
    let x: Vec<f64> = (0..10).map(f64::from).collect();
    let mut y = vec![0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0];
    y[3] = 2.0;
    let terms = vec![Variable { name: "x", column: Column::Numeric(&x) }];
    let e = fit(&spec(Family::Binomial, &y, terms), 10).unwrap_err();
    assert!(matches!(&e, Error::Cell { column, row: Some(4), .. } if column == "y"), "{e}");
}

#[test]
fn missing_value_fails_with_column_and_row_unless_dropped() {
    let mut x: Vec<f64> = (0..10).map(f64::from).collect();
    x[6] = f64::NAN;
    let y: Vec<f64> = (0..10).map(|i| f64::from(i) * 0.5 + f64::from(i % 3)).collect();
    let terms = vec![Variable { name: "x", column: Column::Numeric(&x) }];
    let mut s = spec(Family::Gaussian, &y, terms);
    let e = fit(&s, 10).unwrap_err();
    assert!(matches!(&e, Error::Cell { column, row: Some(7), .. } if column == "x"), "{e}");
    s.missing = Missing::Drop;
    assert_eq!(fit(&s, 10).expect("dropped").n, 9);
}

#[test]
fn single_level_in_domain_is_an_error() {
    let g = fac(&["a", "a", "a", "b", "b", "b", "a", "a"]);
    let y = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 9.0];
    let dom = [true, true, true, false, false, false, true, true];
    let terms = vec![Variable { name: "g", column: Column::Factor(&g) }];
    let mut s = spec(Family::Gaussian, &y, terms);
    s.domain = Some(&dom);
    let e = fit(&s, 8).unwrap_err();
    assert!(
        matches!(&e, Error::Method { message, .. } if message.contains("term `g` has a single level")),
        "{e}"
    );
}

#[test]
fn fewer_residual_df_than_coefficients() {
    let x: Vec<f64> = (0..4).map(f64::from).collect();
    let x2: Vec<f64> = x.iter().map(|v| v * v).collect();
    let x3: Vec<f64> = x.iter().map(|v| v * v * v).collect();
    let y = [1.0, 3.0, 2.0, 5.0];
    let terms = vec![
        Variable { name: "x", column: Column::Numeric(&x) },
        Variable { name: "x2", column: Column::Numeric(&x2) },
        Variable { name: "x3", column: Column::Numeric(&x3) },
    ];
    let e = fit(&spec(Family::Gaussian, &y, terms), 4).unwrap_err();
    assert!(matches!(&e, Error::Method { message, .. } if message.contains("residual df")), "{e}");
}

#[test]
fn not_converged_reports_iterations() {
    let x: Vec<f64> = (0..30).map(|i| f64::from(i) / 10.0).collect();
    let y: Vec<f64> = (0..30).map(|i| f64::from(u8::from(i % 4 == 0 || i > 20))).collect();
    let terms = vec![Variable { name: "x", column: Column::Numeric(&x) }];
    let s = spec(Family::Binomial, &y, terms);
    let d = srs_design(vec![1.0; 30]);
    let opts = GlmOptions { max_iterations: 1, ..GlmOptions::default() };
    let e = fit_glm(&s, Variance::Linearization(&d), &opts).unwrap_err();
    assert!(matches!(e, Error::NotConverged { step: "model", iterations: 1, .. }), "{e}");
}

#[test]
fn an_empty_cell_of_a_chisq_table_is_named() {
    use ponder::model::{ChisqStatistic, rao_scott};
    let a = fac(&["x", "x", "y", "y", "x", "y"]);
    let b = fac(&["u", "v", "u", "u", "v", "u"]);
    let d = srs_design(vec![1.0; 6]);
    let e = rao_scott(Variance::Linearization(&d), ("a", &a), ("b", &b), ChisqStatistic::F)
        .unwrap_err();
    assert!(
        matches!(&e, Error::Method { message, .. }
            if message.contains("`a=y` × `b=v` is empty in the sample")),
        "{e}"
    );
    // the same table with the cell filled passes
    let b = fac(&["u", "v", "u", "v", "v", "u"]);
    assert!(
        rao_scott(Variance::Linearization(&d), ("a", &a), ("b", &b), ChisqStatistic::F).is_ok()
    );
}

#[test]
fn missing_values_on_rows_of_weight_zero_are_not_an_error() {
    // non-respondents: weight 0 and no answer; `missing: fail` concerns the others only
    let y = [1.0, f64::NAN, 3.0, 4.0, f64::NAN, 6.0];
    let x = [0.5, 1.0, 1.5, 3.0, 2.0, 2.5];
    let terms = vec![Variable { name: "x", column: Column::Numeric(&x) }];
    let s = spec(Family::Gaussian, &y, terms);
    let w = vec![1.0, 0.0, 2.0, 1.0, 0.0, 1.5];
    let d = srs_design(w.clone());
    let fit = fit_glm(&s, Variance::Linearization(&d), &GlmOptions::default()).unwrap();
    assert_eq!(fit.n, 4);
    // a missing value on a row of positive weight is still refused, every such row listed
    let y = [1.0, f64::NAN, f64::NAN, 4.0, f64::NAN, 6.0];
    let s = spec(Family::Gaussian, &y, vec![Variable { name: "x", column: Column::Numeric(&x) }]);
    let e = fit_glm(&s, Variance::Linearization(&d), &GlmOptions::default()).unwrap_err();
    assert!(
        matches!(&e, Error::Cell { row: Some(3), message, .. }
            if message.contains("1 missing value(s) among rows with positive weight (rows 3)")),
        "{e}"
    );
}
