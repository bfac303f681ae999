//! Bad inputs give `sampling` errors that name the stratum, column or rows, and the fix.

use std::collections::BTreeMap;

use ponder::Error;
use ponder::sampling::{
    AllocationMethod, AllocationSpec, BalanceVar, CubeOptions, Strata, allocate,
    inclusion_probabilities, select_cube, select_srswor, select_systematic,
};

use super::rng;

fn method_message(e: Error) -> String {
    match e {
        Error::Method { step: "sampling", message } => message,
        other => panic!("expected a sampling error, got {other:?}"),
    }
}

fn labels(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn n_larger_than_the_frame() {
    let e = allocate(
        &[10, 5],
        &labels(&["a", "b"]),
        &AllocationSpec::new(16, AllocationMethod::Proportional),
    );
    let m = method_message(e.unwrap_err());
    assert!(m.contains("n = 16 exceeds the frame size N = 15"), "{m}");
    let e = inclusion_probabilities(&[1.0, 2.0, 3.0], 4.0, "enroll").unwrap_err();
    assert!(method_message(e).contains("n = 4 exceeds the frame size N = 3"));
}

#[test]
fn n_h_larger_than_n_h_names_the_stratum() {
    let spec = AllocationSpec::new(9, AllocationMethod::Given(vec![3, 6]));
    let m = method_message(allocate(&[10, 5], &labels(&["11", "971"]), &spec).unwrap_err());
    assert!(m.contains("stratum `971`") && m.contains("n_h = 6 exceeds N_h = 5"), "{m}");
    let strata = Strata::from_values("region", &["11", "971", "11"]).unwrap();
    let m = method_message(select_srswor(&strata, &[1, 2], &mut rng(1), None).unwrap_err());
    assert!(m.contains("stratum `971`") && m.contains("n_h = 2 exceeds N_h = 1"), "{m}");
}

#[test]
fn empty_stratum() {
    let mut strata = Strata::from_values("region", &["11", "976", "11"]).unwrap();
    strata.restrict(&[true, false, true]).unwrap();
    let spec = AllocationSpec::new(1, AllocationMethod::Proportional);
    let m = method_message(allocate(strata.sizes(), strata.labels(), &spec).unwrap_err());
    assert!(m.contains("stratum `976` is empty"), "{m}");
    // Dropping empty strata is explicit and reported.
    let (strata, dropped) = strata.drop_empty();
    assert_eq!(dropped, vec!["976".to_string()]);
    assert!(allocate(strata.sizes(), strata.labels(), &spec).is_ok());
}

#[test]
fn missing_zero_and_negative_sizes_name_rows_and_column() {
    let m =
        method_message(inclusion_probabilities(&[1.0, f64::NAN, 2.0], 1.0, "enroll").unwrap_err());
    assert!(m.contains("`enroll`") && m.contains("missing") && m.contains("row 2"), "{m}");
    let m =
        method_message(inclusion_probabilities(&[1.0, 0.0, 2.0, 0.0], 1.0, "enroll").unwrap_err());
    assert!(m.contains("`enroll` is zero at rows 2, 4"), "{m}");
    let m = method_message(inclusion_probabilities(&[1.0, -3.0, 2.0], 1.0, "enroll").unwrap_err());
    assert!(m.contains("zero or negative at row 2"), "{m}");
    // Out-of-scope rows are not looked at.
    let mut strata = Strata::single(3);
    strata.restrict(&[true, false, true]).unwrap();
    let ok = ponder::sampling::inclusion_probabilities_stratified(
        &[1.0, f64::NAN, 3.0],
        &strata,
        &[1],
        "enroll",
    )
    .unwrap();
    assert_eq!(ok.pi, vec![0.25, 0.0, 0.75]);
}

#[test]
fn allocation_impossible_under_min_and_max_says_by_how_much() {
    let l = labels(&["a", "b", "c"]);
    let mut spec = AllocationSpec::new(5, AllocationMethod::Proportional);
    spec.min = vec![2, 2, 2];
    let m = method_message(allocate(&[10, 10, 10], &l, &spec).unwrap_err());
    assert!(m.contains("minimum sizes sum to 6 > n = 5 (over by 1)"), "{m}");
    let mut spec = AllocationSpec::new(25, AllocationMethod::Proportional);
    spec.max = vec![Some(5), None, Some(8)];
    let m = method_message(allocate(&[10, 10, 10], &l, &spec).unwrap_err());
    assert!(m.contains("sum to 23 < n = 25 (short by 2)") && m.contains("a, c"), "{m}");
    let mut spec = AllocationSpec::new(5, AllocationMethod::Proportional);
    spec.min = vec![2, 2, 2];
    let m = method_message(allocate(&[10, 1, 10], &l, &spec).unwrap_err());
    assert!(m.contains("stratum `b` has N_h = 1") && m.contains("min = 2"), "{m}");
    spec.min = vec![3, 1, 1];
    spec.max = vec![Some(2), None, None];
    let m = method_message(allocate(&[10, 10, 10], &l, &spec).unwrap_err());
    assert!(m.contains("stratum `a`: min = 3 exceeds max = 2"), "{m}");
}

#[test]
fn neyman_with_no_dispersion_and_bad_rates() {
    let l = labels(&["a", "b"]);
    let spec = AllocationSpec::new(5, AllocationMethod::Neyman { sd: vec![0.0, 0.0] });
    assert!(method_message(allocate(&[10, 10], &l, &spec).unwrap_err()).contains("S_h = 0"));
    let mut spec = AllocationSpec::new(5, AllocationMethod::Proportional);
    spec.response_rate = vec![0.5, 1.5];
    let m = method_message(allocate(&[10, 10], &l, &spec).unwrap_err());
    assert!(m.contains("stratum `b` is 1.5"), "{m}");
    let strata = Strata::from_values("stype", &["E", "H", "M"]).unwrap();
    let sd = ponder::sampling::stratum_sd(&[1.0, 2.0, 3.0], &strata, "api00").unwrap_err();
    assert!(method_message(sd).contains("stratum `E` has 1 unit(s)"));
}

#[test]
fn unknown_stratum_label_in_a_per_stratum_map() {
    let strata = Strata::from_values("region", &["11", "971", "972"]).unwrap();
    let map = BTreeMap::from([("9711".to_string(), 2.0)]);
    let m = method_message(strata.per_stratum("oversample", &map, 1.0).unwrap_err());
    assert!(m.contains("`9711`") && m.contains("did you mean `971`"), "{m}");
    let map = BTreeMap::from([("972".to_string(), 2.0)]);
    assert_eq!(strata.per_stratum("oversample", &map, 1.0).unwrap(), vec![1.0, 1.0, 2.0]);
}

#[test]
fn missing_stratum_values_name_the_rows() {
    let m = method_message(Strata::from_values("region", &["11", "", "971", ""]).unwrap_err());
    assert!(m.contains("`region` has no value at rows 2, 4"), "{m}");
}

#[test]
fn systematic_needs_integer_sums_and_cube_needs_positive_pi_and_values() {
    let strata = Strata::single(3);
    let m = method_message(
        select_systematic(&[0.5, 0.5, 0.2], &strata, None, &mut rng(1), None).unwrap_err(),
    );
    assert!(m.contains("sum to 1.2, not an integer"), "{m}");
    let m = method_message(
        select_systematic(&[0.5, 1.5, 0.0], &strata, None, &mut rng(1), None).unwrap_err(),
    );
    assert!(m.contains("[0, 1]") && m.contains("row 2"), "{m}");
    let x = [1.0, f64::NAN, 3.0];
    let bal = [BalanceVar::Numeric { name: "income".into(), values: &x }];
    let m = method_message(
        select_cube(&[0.5, 0.5, 1.0], &strata, &bal, &CubeOptions::default(), &mut rng(1), None)
            .unwrap_err(),
    );
    assert!(m.contains("`income`") && m.contains("row 2"), "{m}");
    let m = method_message(
        select_cube(&[0.0, 1.0, 1.0], &strata, &[], &CubeOptions::default(), &mut rng(1), None)
            .unwrap_err(),
    );
    assert!(m.contains("π > 0") && m.contains("row 1"), "{m}");
}

#[test]
fn cost_column_must_be_constant_within_strata() {
    let strata = Strata::from_values("region", &["11", "11", "971"]).unwrap();
    let c = ponder::sampling::stratum_constant(&[2.0, 2.0, 5.0], &strata, "cost_h").unwrap();
    assert_eq!(c, vec![2.0, 5.0]);
    let e = ponder::sampling::stratum_constant(&[2.0, 3.0, 5.0], &strata, "cost_h").unwrap_err();
    let m = method_message(e);
    assert!(m.contains("stratum `11` has 2 at row 1 and 3 at row 2"), "{m}");
}
